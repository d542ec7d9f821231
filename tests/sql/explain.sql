-- load: cpu.lp
-- EXPLAIN: the plan, and what the optimizer pushed into the scan.
EXPLAIN SELECT * FROM cpu;
EXPLAIN SELECT host, usage FROM cpu WHERE host = 'a' AND ts >= '2016-01-01 00:00:10' AND ts < '2016-01-01 00:00:40' AND usage > 10;
EXPLAIN SELECT host, avg(usage) FROM cpu WHERE host IN ('a', 'b') GROUP BY host HAVING avg(usage) > 1 ORDER BY 2 DESC LIMIT 1;
EXPLAIN SELECT ts FROM cpu WHERE ts > '2016-01-01' AND ts < '2015-01-01';
EXPLAIN SELECT DISTINCT region FROM cpu;
EXPLAIN SELECT a.host, b.usage FROM cpu a JOIN cpu b ON a.ts = b.ts AND a.host = b.host WHERE a.usage > b.idle;
EXPLAIN SELECT host, row_number() OVER (PARTITION BY host ORDER BY ts) FROM cpu;
EXPLAIN SELECT DISTINCT ON (host) host, ts, usage FROM cpu ORDER BY host, ts DESC;
EXPLAIN SELECT DISTINCT ON (host) host, ts, usage FROM cpu WHERE usage > 5 ORDER BY host, ts DESC;
-- ORDER BY time LIMIT: read in widening windows from the newest (or oldest) time.
EXPLAIN SELECT ts, host, usage FROM cpu ORDER BY ts DESC LIMIT 3;
SELECT ts, host, usage FROM cpu ORDER BY ts DESC, host LIMIT 3;
EXPLAIN SELECT time_bucket('20 seconds', ts) AS b, max(usage) FROM cpu GROUP BY b ORDER BY b LIMIT 2;
SELECT time_bucket('20 seconds', ts) AS b, max(usage) FROM cpu GROUP BY b ORDER BY b LIMIT 2;
-- Aggregates of whole blocks from their statistics.
EXPLAIN SELECT host, count(*), min(usage), max(usage), last(usage, ts) FROM cpu GROUP BY host;
SELECT host, count(*), min(usage), max(usage), last(usage, ts) FROM cpu GROUP BY host ORDER BY host;
