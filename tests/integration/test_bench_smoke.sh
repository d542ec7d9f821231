#!/usr/bin/env bash
# The benchmark pipeline at a tiny size (bench/run.sh --smoke): the generator
# is deterministic and well-formed, and Stele's import, stats and dump agree
# with it. No timings.
set -euo pipefail
cd "$ROOT"
bench/run.sh --smoke
