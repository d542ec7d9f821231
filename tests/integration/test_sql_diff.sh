#!/usr/bin/env bash
# Differential test of the SQL engine against PostgreSQL 15 (tests/diff):
# the same generated data in both, 750+ generated queries, equal results
# (floats to 1e-9 relative) apart from the documented known differences.
set -euo pipefail
# PostgreSQL runs as the postgres user, which must reach its directory.
chmod 755 "$TMP"
TMPDIR="$TMP" /usr/bin/python3 "$ROOT/tests/diff/run.py" --stele "$STELE"
