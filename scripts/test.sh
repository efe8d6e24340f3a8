#!/usr/bin/env bash
# The README's test command: set-up, one debug build of everything, every test pass with --skip-build.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash scripts/setup.sh

echo "== build (debug, with tests)"
set +e
swift build --build-tests > .build-test.log 2>&1
brc=$?
set -e
ours=$(grep -E "^/.*: (warning|error):" .build-test.log | grep -v "/.build/checkouts/" | sort -u || true)
if [ "$brc" -ne 0 ]; then tail -60 .build-test.log; echo "== build failed (exit $brc)"; exit "$brc"; fi
if [ -n "$ours" ]; then echo "$ours"; echo "== our code has warnings: the build must be clean"; exit 1; fi
grep -E "Build complete" .build-test.log || true
rm -f .build-test.log

echo "== tests"
log=$(mktemp)
set +e
swift test --skip-build 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then echo "== tests failed (exit $rc)"; exit "$rc"; fi
# A pass that ran nothing is a failure: Swift Testing prints "Test run with N tests".
if ! grep -qE "Test run with [1-9][0-9]* tests? (in [0-9]+ suites? )?passed" "$log"; then
  echo "== no Swift Testing test ran"; exit 1
fi
rm -f "$log"

echo "== USB tests: the real libusb against emulated scanners (umockdev; Tests/usb/emulator.py)"
# These suites skip themselves in the pass above; here they run, one at a time (libusb busy-polls umockdev's nodes).
log=$(mktemp)
set +e
RUYI_USB_EMULATOR_TIMEOUT=300 umockdev-wrapper /usr/bin/python3 Tests/usb/emulator.py -- \
  swift test --skip-build --filter RuyiUSBTests 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then echo "== USB tests failed (exit $rc)"; exit "$rc"; fi
if grep -q "skipped: \"needs Tests/usb/emulator.py" "$log" || ! grep -qE "Test run with [1-9][0-9]* tests? (in [0-9]+ suites? )?passed" "$log"; then
  echo "== the umockdev pass ran no USB test"; exit 1
fi
rm -f "$log"

echo "== benchmark smoke (debug build: proves the benchmark runs, measures nothing)"
bin=$(swift build --show-bin-path)
"$bin/ruyi-bench" --smoke

echo "== all passed in $(( $(date +%s) - start )) s"
