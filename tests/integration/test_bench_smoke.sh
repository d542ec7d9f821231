#!/usr/bin/env bash
# The benchmark pipeline at a tiny size (bench/run.sh --smoke): the generator
# is deterministic and well-formed, and Stele's import, stats and dump agree
# with it; the query set's answers; the HTTP load client against its discard
# server in every answer form, and the HTTP ingest stage against the discard
# server and stele serve, every row and value counted. No timings.
set -euo pipefail
cd "$ROOT"
bench/run.sh --smoke
