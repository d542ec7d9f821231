#!/usr/bin/env bash
# The server's tests (tests/server/, pytest with Debian's python3): HTTP,
# PostgreSQL wire protocol, tokens and TLS, hostile input, durability.
# They run against the ASan build, so a memory error or a leak in the
# server fails them too (each server must exit 0).
set -euo pipefail
cd "$ROOT"
export STELE="${STELE_ASAN:-$STELE}" TMP
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/server
