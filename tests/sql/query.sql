-- load: cpu.lp sensors.lp devices.lp
-- Subqueries, CTEs, UNION [ALL], VALUES, joins.
SELECT h, total FROM (SELECT host AS h, sum(usage) AS total FROM cpu GROUP BY host) t WHERE total > 100 ORDER BY h;
SELECT host, usage FROM cpu WHERE usage > (SELECT avg(usage) FROM cpu) ORDER BY usage DESC LIMIT 3;
SELECT host, usage FROM cpu WHERE host IN (SELECT host FROM cpu WHERE usage = 0) ORDER BY ts;
SELECT host FROM cpu WHERE host NOT IN (SELECT host FROM cpu WHERE region = 'eu') GROUP BY host;
SELECT EXISTS (SELECT 1 FROM cpu WHERE usage > 59), EXISTS (SELECT 1 FROM cpu WHERE usage > 100);
SELECT (SELECT max(ts) FROM cpu) AS latest, (SELECT count(*) FROM sensors WHERE dev = 't1') AS t1_rows;
SELECT (SELECT usage FROM cpu WHERE usage > 100);
WITH busy AS (SELECT host, avg(usage) AS a FROM cpu GROUP BY host), top AS (SELECT host FROM busy WHERE a > 10) SELECT b.host, b.a FROM busy b JOIN top USING (host) ORDER BY b.host;
WITH x(n, label) AS (VALUES (1, 'one'), (2, 'two')) SELECT label, n * 10 FROM x ORDER BY n DESC;
SELECT host, usage FROM cpu WHERE host = 'a' AND usage > 39 UNION ALL SELECT dev, temp FROM sensors WHERE temp > 21 ORDER BY 2;
SELECT region FROM cpu UNION SELECT site FROM sensors ORDER BY region NULLS FIRST;
SELECT 1 AS x UNION ALL SELECT 2.5 UNION ALL SELECT NULL ORDER BY x;
VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC;
SELECT s.dev, s.temp, d.model FROM sensors s JOIN devices d ON s.dev = d.id ORDER BY s.ts, s.dev;
SELECT s.dev, count(*), max(d.floor) FROM sensors s LEFT JOIN devices d ON d.id = s.dev GROUP BY s.dev ORDER BY s.dev;
SELECT d.id, s.temp FROM devices d LEFT JOIN sensors s ON s.dev = d.id AND s.temp > 20 ORDER BY d.id, s.temp;
SELECT a.host, b.host FROM (SELECT DISTINCT host FROM cpu) a CROSS JOIN (SELECT DISTINCT region AS host FROM cpu) b ORDER BY 1, 2;
SELECT a.host, b.host, a.usage FROM cpu a JOIN cpu b ON a.ts = b.ts AND a.usage < b.usage WHERE a.host = 'c' AND b.host = 'a' ORDER BY a.ts;
SELECT x.host, y.cnt FROM (SELECT DISTINCT host FROM cpu) x, (SELECT count(*) AS cnt FROM sensors) y ORDER BY x.host;
SELECT s.ts, s.dev, c.ts AS cpu_ts, c.usage FROM sensors s ASOF JOIN (SELECT * FROM cpu WHERE host = 'b') c ON s.ts >= c.ts ORDER BY s.ts, s.dev;
SELECT a.host, a.ts, a.usage, b.ts AS prev_ts, b.usage AS prev FROM cpu a ASOF LEFT JOIN cpu b ON a.host = b.host AND a.ts > b.ts WHERE a.host <> 'b' ORDER BY a.host, a.ts;
SELECT a.host, a.ts, b.ts AS next_ts FROM cpu a ASOF JOIN cpu b ON a.host = b.host AND a.ts < b.ts WHERE a.host = 'c' ORDER BY a.ts;
