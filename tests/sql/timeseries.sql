-- load: cpu.lp meter.lp
-- Time-series SQL: time_bucket, first/last, latest per series, rate,
-- derivative, twa, gap filling (NULL, locf, interpolate).
SELECT time_bucket('20 seconds', ts) AS bucket, host, avg(usage), max(idle) FROM cpu WHERE host IN ('a', 'b') GROUP BY bucket, host ORDER BY host, bucket;
SELECT time_bucket('30 seconds', ts, TIMESTAMP '2016-01-01 00:00:10') AS b, count(*) FROM cpu GROUP BY 1 ORDER BY 1;
SELECT host, last(usage, ts) AS latest, max(ts) AS at FROM cpu GROUP BY host ORDER BY host;
SELECT DISTINCT ON (host) host, ts, usage FROM cpu ORDER BY host, ts DESC;
SELECT id, first(kwh, ts), last(kwh, ts), rate(kwh, ts) AS kwh_per_s, derivative(kwh, ts) AS naive, twa(power, ts) AS avg_power, avg(power) FROM meter GROUP BY id ORDER BY id;
SELECT time_bucket('2 minutes', ts) AS b, rate(kwh, ts) * 60 AS kwh_per_min FROM meter WHERE id = 'm1' GROUP BY b ORDER BY b;
SELECT time_bucket_gapfill('1 minute', ts) AS minute, avg(power) AS power FROM meter WHERE id = 'm1' AND ts >= '2016-01-01 00:00:00' AND ts < '2016-01-01 00:07:00' GROUP BY minute ORDER BY minute;
SELECT time_bucket_gapfill('1 minute', ts) AS minute, id, locf(avg(power)) AS power, interpolate(max(kwh)) AS kwh FROM meter WHERE ts >= '2016-01-01 00:00:00' AND ts < '2016-01-01 00:06:00' GROUP BY minute, id ORDER BY id, minute;
SELECT time_bucket_gapfill('2 minutes', ts, TIMESTAMP '2015-12-31 23:56:00', TIMESTAMP '2016-01-01 00:04:00') AS b, count(*) FROM meter WHERE id = 'm2' GROUP BY b ORDER BY b;
SELECT time_bucket_gapfill('1 minute', ts) AS minute, avg(power) FROM meter GROUP BY minute;
