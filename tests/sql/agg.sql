-- load: cpu.lp sensors.lp
-- Aggregates, GROUP BY (columns, ordinals, aliases, expressions), HAVING.
SELECT count(*), count(usage), sum(idle), avg(idle), min(usage), max(usage) FROM cpu;
SELECT host, count(*), sum(usage), avg(usage), min(idle), max(idle) FROM cpu GROUP BY host ORDER BY host;
SELECT region, count(DISTINCT host), count(DISTINCT rack) FROM cpu GROUP BY region ORDER BY region;
SELECT region AS r, round(avg(usage)) AS a FROM cpu GROUP BY r ORDER BY a DESC;
SELECT region, rack, count(*) FROM cpu GROUP BY 1, 2 ORDER BY 1, 2;
SELECT idle / 10 AS bucket, count(*) FROM cpu GROUP BY idle / 10 ORDER BY bucket;
SELECT host, max(usage) - min(usage) AS range, spread(usage) FROM cpu GROUP BY host ORDER BY host;
SELECT host, stddev(idle), stddev_pop(idle), variance(idle), var_pop(idle) FROM cpu GROUP BY host ORDER BY host;
SELECT host, percentile_cont(0.5) WITHIN GROUP (ORDER BY usage) AS median, percentile_disc(0.5) WITHIN GROUP (ORDER BY usage) AS disc, median(usage) FROM cpu GROUP BY host ORDER BY host;
SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY idle DESC) FROM cpu;
SELECT host, first(usage, ts), last(usage, ts), first(ts, ts) AS first_ts FROM cpu GROUP BY host ORDER BY host;
SELECT host, sum(usage) FILTER (WHERE idle > 60) AS busy, count(*) FILTER (WHERE usage > 10) FROM cpu GROUP BY host ORDER BY host;
SELECT host, avg(usage) FROM cpu GROUP BY host HAVING avg(usage) > 10 ORDER BY host;
SELECT host FROM cpu GROUP BY host HAVING count(*) > 5 AND min(idle) < 40 ORDER BY host;
SELECT count(*) FROM cpu WHERE host = 'nope';
SELECT sum(usage), avg(usage), min(host), max(ts) FROM cpu WHERE host = 'nope';
SELECT host, count(*) FROM cpu WHERE host = 'nope' GROUP BY host;
SELECT count(*), count(temp), count(count), count(ok), count(note), count(DISTINCT dev) FROM sensors;
SELECT dev, sum(count), avg(temp), bool_and(ok), bool_or(ok), string_agg(note, '|') FROM sensors GROUP BY dev ORDER BY dev;
SELECT site, count(*) FROM sensors GROUP BY site ORDER BY site NULLS FIRST;
SELECT ok, count(*) FROM sensors GROUP BY ok ORDER BY ok;
SELECT count(*) AS n, sum(idle) * 1.0 / count(*) AS mean FROM cpu;
SELECT max(note), min(note) FROM sensors;
SELECT approx_percentile(usage, 0.5) AS p50 FROM cpu WHERE host = 'c';
SELECT avg(x) FROM (VALUES (1), (2), (NULL)) v(x);
SELECT g, min(x), max(x), count(x) FROM (VALUES (1, 1.5), (1, 'NaN'::float8), (1, -2.0), (2, 'NaN'::float8), (2, 'NaN'::float8), (3, 4.0), (3, NULL), (1, 7.25), (3, 'Infinity'::float8)) v(g, x) GROUP BY g ORDER BY g;
SELECT g, count(DISTINCT x), count(DISTINCT i), count(DISTINCT CAST(x AS varchar)), sum(DISTINCT x) FILTER (WHERE x < 10), sum(DISTINCT i) FROM (VALUES (1, 0.0, 5), (1, '-0'::float8, 5), (1, 'NaN'::float8, 6), (1, 'NaN'::float8, 5), (2, 1.5, 7), (1, 2.0, 8), (2, 1.5, 7), (2, 'NaN'::float8, 7), (1, 2.25, 6)) v(g, x, i) GROUP BY g ORDER BY g;
