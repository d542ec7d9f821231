#!/usr/bin/env bash
# SQL golden files (tests/sql/*.sql against *.out) with the ASan+UBSan
# build, so that every statement also runs free of memory errors and leaks.
set -euo pipefail
"$ROOT/tests/sql/run.sh" "$STELE_ASAN"
