-- load: sensors.lp
-- Scalar functions: math, strings, time, casts, CASE, COALESCE, NULLIF.
SELECT abs(-3), abs(-2.5), round(2.4), round(-2.6), round(3.14159, 2), round(1234.5, -2), trunc(2.7), trunc(-2.7), floor(-1.5), ceil(-1.5), ceiling(1.2), sign(-4.0);
SELECT sqrt(16), cbrt(27), ln(exp(1)), log(1000), log(2, 8), exp(0), power(2, 0.5), pow(3, 2), mod(17, 5), mod(-17, 5), pi();
SELECT greatest(3, 7, 5), least(3, 7, 5), greatest('b', 'a'), greatest(1, NULL, 2), least(NULL, NULL::bigint);
SELECT lower('AbC'), upper('aBc'), length('héllo'), octet_length('héllo'), char_length('');
SELECT substr('abcdef', 2, 3), substr('abcdef', 4), substring('abcdef' FROM 2 FOR 2), substring('abcdef', 0, 3), left('abcdef', 2), right('abcdef', 2), left('abcdef', -2), right('abcdef', -2);
SELECT concat('a', 1, NULL, true), concat_ws('-', 'x', NULL, 'y'), 'a' || 'b' || 'c', 'n=' || 5, 'x' || NULL IS NULL;
SELECT strpos('hello', 'll'), strpos('hello', 'z'), replace('a.b.c', '.', '::'), reverse('abc'), repeat('ab', 3), lpad('7', 3, '0'), rpad('ab', 4), btrim('  x  '), ltrim('xxa', 'x'), rtrim('axx', 'x'), split_part('a,b,c', ',', 2), starts_with('stele', 'st');
SELECT date_trunc('hour', TIMESTAMP '2016-03-15 13:45:30.5'), date_trunc('day', '2016-03-15 13:45:30'::timestamp), date_trunc('month', TIMESTAMP '2016-03-15 13:45:30'), date_trunc('week', TIMESTAMP '2016-03-15 13:45:30');
SELECT extract(year FROM TIMESTAMP '2016-03-15 13:45:30.25') AS y, extract(second FROM TIMESTAMP '2016-03-15 13:45:30.25') AS s, date_part('dow', TIMESTAMP '2016-03-15') AS dow, extract(epoch FROM TIMESTAMP '2016-01-01') AS epoch;
SELECT time_bucket('15 minutes', TIMESTAMP '2016-03-15 13:47:00'), time_bucket('1 day', TIMESTAMP '2016-03-15 13:47:00'), time_bucket('1 hour', TIMESTAMP '2016-03-15 13:47:00', TIMESTAMP '2016-03-15 00:30:00'), time_bucket(INTERVAL '10 minutes', TIMESTAMP '2016-03-15 13:47:00', INTERVAL '5 minutes');
SELECT date_bin('15 minutes', TIMESTAMP '2016-03-15 13:47:00', TIMESTAMP '2000-01-01');
SELECT to_timestamp(1451606400), to_timestamp(1451606400.5), TIMESTAMP '2016-01-01 00:00:00' + INTERVAL '1 day 2 hours', TIMESTAMP '2016-01-02' - TIMESTAMP '2016-01-01 12:00', INTERVAL '1 hour' * 2.5, INTERVAL '1 hour' / 4;
SELECT INTERVAL '90 minutes', INTERVAL '-1 day', INTERVAL '1.5 hours', INTERVAL 'PT1H30M', '36 hours'::interval, extract(epoch FROM INTERVAL '1 minute');
SELECT CAST('42' AS bigint), '3.5'::double precision, 7::double, 7.6::bigint, '1'::boolean, 'off'::bool, 1::boolean, true::bigint, 3.25::varchar, 12::text, true::text, '2016-01-01 00:00:00Z'::timestamp, '18446744073709551615'::ubigint;
SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END, CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END, CASE WHEN false THEN 1 END;
SELECT dev, CASE WHEN temp IS NULL THEN 'none' WHEN temp < 0 THEN 'freezing' ELSE 'ok' END AS state, coalesce(temp, count, -1) AS first_value, nullif(count, 2) AS not_two FROM sensors ORDER BY ts, dev;
SELECT dev, temp FROM sensors WHERE CASE WHEN count = 0 THEN false ELSE 10 / count > 1 END ORDER BY ts, dev;
SELECT NULL = NULL, NULL IS NULL, 1 IS NOT NULL, NULL AND false, NULL OR true, NOT NULL::boolean, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, true IS TRUE, NULL IS NOT FALSE;
SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (1, 2), 3 NOT IN (1, 2);
SELECT dev, ok FROM sensors WHERE ok IS NOT TRUE ORDER BY ts, dev;
SELECT dev, note FROM sensors WHERE note IS NULL ORDER BY ts, dev;
SELECT 'it''s', E'tab\there', 'n=' || true, concat(false, 1.5);
