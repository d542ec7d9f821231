#!/usr/bin/env bash
# Import adversarial line protocol, dump it back, compare exactly (roundtrip.py),
# with the release binary and the ASan binary.
set -euo pipefail
for bin in "$STELE" "$STELE_ASAN"; do
	rm -rf "$TMP"/*
	STELE="$bin" /usr/bin/python3 "$ROOT/tests/integration/roundtrip.py"
done
