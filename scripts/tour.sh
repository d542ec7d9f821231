#!/usr/bin/env bash
# The README's tour, run by `make tour`: generate an hour of devops data,
# import it into DATA/demo, show its stats and a slice of it dumped back.
set -euo pipefail
data=${1:-./data}
mkdir -p "$data"
lp="$data/cpu.lp"
db="$data/demo"
echo "== generating 10 hosts x 1 hour of cpu data into $lp"
build/bench/gen_devops --hosts 10 --duration 1h --out "$lp"
echo "== stele import --db $db $lp"
build/stele import --db "$db" "$lp"
echo "== stele stats --db $db"
build/stele stats --db "$db"
echo "== stele dump --db $db --table cpu --from 2016-01-01T00:00:00Z --to 2016-01-01T00:00:10Z"
build/stele dump --db "$db" --table cpu --from 2016-01-01T00:00:00Z --to 2016-01-01T00:00:10Z
echo
echo "The database is in $db; try: build/stele inspect $db/MANIFEST"
