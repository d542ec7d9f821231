-- load: cpu.lp sensors.lp
-- SELECT lists, *, aliases, expressions, literals, WHERE, ORDER BY, LIMIT.
SELECT * FROM cpu WHERE host = 'a' ORDER BY ts;
SELECT host, ts, usage FROM cpu ORDER BY host DESC, ts LIMIT 4;
SELECT c.host AS h, c.usage * 2 AS double_usage, idle + 1 FROM cpu c WHERE idle > 90 ORDER BY 1, 2;
SELECT 1 + 2 * 3, (1 + 2) * 3, 7 / 2, 7 % 3, -7 / 2, 7.0 / 2, 2 ^ 10, 'lit' AS s;
SELECT host, usage FROM cpu WHERE usage BETWEEN 10 AND 12 ORDER BY usage;
SELECT host, usage FROM cpu WHERE usage NOT BETWEEN 1 AND 57 ORDER BY usage;
SELECT host, usage FROM cpu WHERE host IN ('b', 'c') AND usage > 5.5 ORDER BY usage;
SELECT host, usage FROM cpu WHERE host NOT IN ('b', 'c') AND (usage < 10 OR usage > 39) ORDER BY usage;
SELECT dev, note FROM sensors WHERE note LIKE '%i%' ORDER BY dev, ts;
SELECT dev, note FROM sensors WHERE note NOT LIKE 'f_ne' ORDER BY ts, dev;
SELECT dev, note FROM sensors WHERE note ILIKE 'SAY%';
SELECT ts, host FROM cpu WHERE ts >= '2016-01-01T00:00:40Z' AND ts < '2016-01-01 00:00:50' ORDER BY host;
SELECT ts, host FROM cpu WHERE ts = '2016-01-01 00:00:10' ORDER BY host;
SELECT host, ts FROM cpu ORDER BY ts DESC, host LIMIT 2 OFFSET 3;
SELECT host FROM cpu ORDER BY host LIMIT 0;
SELECT host, usage FROM cpu ORDER BY usage DESC LIMIT 3;
SELECT DISTINCT host, region FROM cpu ORDER BY host;
SELECT DISTINCT region FROM cpu ORDER BY region DESC;
SELECT count(*) FROM (SELECT DISTINCT rack FROM cpu) r;
SELECT DISTINCT ON (host) host, ts, usage FROM cpu ORDER BY host, ts DESC;
SELECT DISTINCT ON (region) region, host, usage FROM cpu ORDER BY region, usage DESC;
-- DISTINCT ON over a filtered scan keeps each key's first row before sorting (DistinctTop):
-- a NULL key is one group; NULLS FIRST/LAST of the next key decide; several keys.
SELECT DISTINCT ON (site) site, dev, temp FROM sensors ORDER BY site, temp DESC NULLS LAST;
SELECT DISTINCT ON (site) site, dev, temp FROM sensors ORDER BY site, temp DESC;
SELECT DISTINCT ON (site) site, dev, temp FROM sensors ORDER BY site NULLS FIRST, temp;
SELECT DISTINCT ON (region, rack) region, rack, host, usage FROM cpu WHERE usage > 1 ORDER BY region, rack, usage;
SELECT DISTINCT ON (rack) rack, idle FROM cpu WHERE idle > 0 ORDER BY rack, idle DESC;
SELECT DISTINCT ON (ok) ok FROM sensors ORDER BY ok;
SELECT DISTINCT ON (host) host, usage FROM cpu WHERE usage < 50 ORDER BY host DESC, usage DESC LIMIT 2;
SELECT ts AS t FROM cpu WHERE host = 'c' ORDER BY t DESC LIMIT 1;
