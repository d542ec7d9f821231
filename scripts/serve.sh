#!/usr/bin/env bash
# `make run`: starts `stele serve` on DATA (./data) in the foreground, on
# loopback without authentication (--insecure), HTTP on $HTTP (8086) and
# PostgreSQL on $PG (5432). Ctrl-C stops it cleanly.
set -euo pipefail
data=${1:-./data}
http=${HTTP:-8086}
pg=${PG:-5432}
mkdir -p "$data"
cat <<MSG
== stele serve --data $data --insecure --http 127.0.0.1:$http --pg 127.0.0.1:$pg
Try, from another terminal:
  curl -i -XPOST 'http://127.0.0.1:$http/write?db=demo' --data-binary 'cpu,host=a usage=12.5'
  curl 'http://127.0.0.1:$http/api/v1/sql?db=demo' --data-urlencode 'q=SELECT * FROM cpu'
  psql -h 127.0.0.1 -p $pg -U demo demo -c 'SELECT * FROM cpu'
  curl http://127.0.0.1:$http/metrics
Ctrl-C stops the server (acknowledged writes are kept); make tour shows the CLI.
MSG
exec build/stele serve --data "$data" --insecure --http "127.0.0.1:$http" --pg "127.0.0.1:$pg"
