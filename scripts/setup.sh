#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, skipping what is already there.
# Called by both README commands (make demo, make test); safe to run again.
set -euo pipefail

packages=(
  libsqlite3-dev   # GRDB links the system SQLite
  sqlite3          # tests tamper with ledger files behind the triggers' back
  libusb-1.0-0-dev # scanners (RuyiUSB)
  libcups2-dev     # printers (RuyiPrinting)
  cups-daemon      # tests start a private cupsd of their own
  cups-client      # lpadmin/lpstat: tests create raw queues in that cupsd
  cups             # the socket:// backend those queues print through
  python3          # test vectors are recomputed independently of our Swift code
  umockdev         # emulates USB scanners at the syscall boundary for the real libusb (umockdev-wrapper)
  libumockdev-dev
  gir1.2-umockdev-1.0 # the scripted scanner emulator (Tests/usb) drives umockdev from Python
  python3-gi       # … through GObject introspection, with Debian's /usr/bin/python3
  usb.ids          # the USB ID database: a test checks every id our scanner profiles cite
  systemd          # systemd-analyze verify/security check systemd/ruyid.service (nothing is started)
  tmux             # the till screen and the owner menu are tested as a person uses them (send keys, read the pane)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

# python-escpos: the baseline `ruyi-bench receipt` measures against (PyPI).
if ! python3 -c 'import escpos.printer' 2>/dev/null; then
  echo "setup: installing python-escpos (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check python-escpos 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages python-escpos
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }
