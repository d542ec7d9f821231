#!/usr/bin/env bash
# SIGKILL the importer at random moments (crash.py); nothing acknowledged is
# lost and nothing unwritten appears. ROUNDS=200 for the long run.
set -euo pipefail
ROUNDS=${ROUNDS:-10} SYNC=always /usr/bin/python3 "$ROOT/tests/integration/crash.py"
rm -rf "$TMP"/*
ROUNDS=${ROUNDS_NONE:-4} SYNC=none /usr/bin/python3 "$ROOT/tests/integration/crash.py"
