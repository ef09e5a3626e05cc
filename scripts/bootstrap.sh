#!/usr/bin/env bash
# Prepare this checkout on Debian 12 / Raspberry Pi OS (as root or with sudo): system packages,
# a virtualenv in .venv with the kiosk and its test tools, and the Simplified-Chinese font.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-$(sha256sum setup.cfg | cut -c1-16)"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

need_apt=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# fonts-noto-cjk: the SC face; libgl1/libegl1/mesa: Kivy's window (offscreen too); socat: pty tests;
# poppler-utils: PDF checks; libmtdev1: Kivy's touch input on the Pi;
# libzinnia0 + tegaki-zinnia-simplified-chinese: offline handwriting (kiosk/input/handwriting.py);
# arduino-mk + arduino-core-avr (avr-gcc, the Nano's core): tests compile hardware/phone/ring_detector.ino.
# USB sticks (deploy/kiosk-usb-mount, tests/core/test_core_sticks.py): dosfstools, exfatprogs, ntfs-3g make and
# mount the loop-device images; fusefat and exfat-fuse mount FAT32/exFAT where the kernel has no driver (a
# container); util-linux has losetup/blkid. systemd: `systemd-analyze verify` on deploy/kiosk.service.
# libreoffice-calc-nogui: the export tests open the workbook with LibreOffice headless (types intact).
for pkg in fonts-noto-cjk libgl1 libegl1 libgl1-mesa-dri libmtdev1 socat poppler-utils \
           libzinnia0 tegaki-zinnia-simplified-chinese arduino-mk arduino-core-avr \
           dosfstools exfatprogs ntfs-3g fusefat exfat-fuse util-linux systemd libreoffice-calc-nogui; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f "$STAMP" ]; then
  echo "bootstrap: preparing $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  rm -f "$VENV"/.bootstrap-*
  touch "$STAMP"
fi
# Extract the single-face SC font once (Kivy must not open the .ttc's Japanese face).
"$VENV/bin/python" -c 'from kiosk.core.fonts import sc_font_path as f, sc_mono_font_path as m; [g(bold=b) for g in (f, m) for b in (False, True)]'
