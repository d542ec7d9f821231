-- load: cpu.lp
-- Window functions: ranking, lag/lead, running and moving aggregates,
-- frames, windows over grouped rows.
SELECT host, ts, usage, row_number() OVER (PARTITION BY host ORDER BY ts) AS rn FROM cpu WHERE host <> 'c' ORDER BY host, ts;
SELECT host, usage, rank() OVER (ORDER BY usage DESC) AS r, dense_rank() OVER (ORDER BY round(usage / 10)) AS dr FROM cpu WHERE host = 'a' ORDER BY usage DESC;
SELECT ts, usage, lag(usage) OVER (ORDER BY ts) AS prev, lead(usage, 2) OVER (ORDER BY ts) AS next2, lag(usage, 1, -1.0) OVER (ORDER BY ts) AS prev_or FROM cpu WHERE host = 'c' ORDER BY ts;
SELECT ts, usage, sum(usage) OVER (ORDER BY ts) AS running, avg(usage) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS smooth, count(*) OVER () AS n FROM cpu WHERE host = 'a' ORDER BY ts;
SELECT ts, usage, min(usage) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), max(usage) OVER (ORDER BY ts ROWS 2 PRECEDING) FROM cpu WHERE host = 'a' ORDER BY ts;
SELECT ts, usage, first_value(usage) OVER (ORDER BY ts) AS first, last_value(usage) OVER (ORDER BY ts) AS last_so_far, last_value(usage) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS last FROM cpu WHERE host = 'b' ORDER BY ts;
SELECT ts, sum(idle) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '10 seconds' PRECEDING AND CURRENT ROW) AS last_20s FROM cpu WHERE host = 'c' ORDER BY ts;
SELECT host, avg(usage) AS a, rank() OVER (ORDER BY avg(usage) DESC) AS place, sum(sum(idle)) OVER () AS all_idle FROM cpu GROUP BY host ORDER BY host;
SELECT region, host, usage, usage - avg(usage) OVER (PARTITION BY region) AS vs_region FROM cpu WHERE ts = '2016-01-01 00:00:30' ORDER BY region, host;
SELECT host, ts FROM (SELECT host, ts, row_number() OVER (PARTITION BY host ORDER BY ts DESC) AS rn FROM cpu) t WHERE rn = 1 ORDER BY host;
SELECT ts, usage, sum(usage) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM cpu WHERE host = 'c' ORDER BY ts DESC;
