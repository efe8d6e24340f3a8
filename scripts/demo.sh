#!/usr/bin/env bash
# The README's run command. Until the daemon lands (issue 6) it runs the ledger on embedded defaults:
# release build of the benchmark, a ledger file kept in ./bench-out, then an independent verify of that file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product ruyi-bench
swift build -c release --product ruyi
bin=$(swift build -c release --show-bin-path)
mkdir -p bench-out
"$bin/ruyi-bench" ledger --keep bench-out
"$bin/ruyi" ledger verify --db bench-out/ledger.sqlite
