#!/usr/bin/env bash
# The README's run command: set-up, build, then ruyid on embedded defaults (no config file, no hardware, no CUPS: the
# spool-folder printer) with its state in ./demo-state. It creates the owner, loads the demo catalog, drives one whole
# sale through the API — scans, a weighed item's scale label, cash with change — shows the receipt as it would print and
# the X report, then keeps ruyid in the foreground (Ctrl-C stops it cleanly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product ruyid
swift build --product ruyi
bin=$(swift build --show-bin-path)
state="$PWD/demo-state"
sock="$state/ruyid.sock"
rm -rf "$state"
mkdir -p "$state"
export RUYI_SOCKET="$sock" RUYI_DEVICES="$PWD/devices"

"$bin/ruyid" --state-dir "$state" --socket "$sock" 2> "$state/ruyid.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do "$bin/ruyi" status >/dev/null 2>&1 && break; sleep 0.05; done
ruyi() { "$bin/ruyi" "$@"; }
step() { printf '\n\033[1m$ ruyi %s\033[0m\n' "$*"; ruyi "$@"; }

step status
step setup boss 老板 --pin 8888
step signin boss --pin 8888
step catalog import demo/catalog.csv
step shift open 200
step products --search ksf     # pinyin initials: 康师傅
step scan 6920152400050          # 康师傅红烧牛肉面
step scan 6901234567892          # 可口可乐 330ml
step qty 2 2
step scan 210100100448003501     # scale label: PLU 01001 (红富士苹果) 0.350 kg, ￥4.48
step scan 6921168509256          # 农夫山泉
step void 4
step pay cash 50
step report x
step status

cat <<HINT

ruyid is running (log: $state/ruyid.log). From another terminal:
  RUYI_SOCKET=$sock $bin/ruyi scan 6901234567892     (and: ruyi cart, ruyi pay cash 10, ruyi status; ruyi till, ruyi menu: the screens — the owner is boss, PIN 8888)
Ctrl-C stops it cleanly.
HINT
trap - EXIT
trap 'kill -TERM $daemon 2>/dev/null || true' INT TERM
wait $daemon || true
wait $daemon 2>/dev/null || true
echo "ruyid stopped"
