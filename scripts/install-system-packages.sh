#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need.
#   usage: scripts/install-system-packages.sh [--test] [--bench]
# Runtime: WeasyPrint's Pango stack and a CJK font (Noto CJK) for PDFs.
# --test adds Chromium (browser tests), poppler-utils (pdftotext/pdffonts/pdfimages),
# zbar-tools (zbarimg reads the QR codes of the equipment labels back),
# PostgreSQL (the suite runs a second time on it) and nginx with openssl (the README's
# nginx site is tested in front of gunicorn), Node with npm (installs axe-core and vnu.jar,
# package.json) and Java (runs vnu, the HTML checker). --bench adds wrk, the load generator of
# bench/pages.py, and PostgreSQL for its runs at scale.
# Packages already present are skipped, so a second run is quick and needs no network.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig)
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(chromium poppler-utils zbar-tools postgresql nginx openssl)
      # Debian's node and Java unless some are installed already (another npm's nodejs
      # would conflict with Debian's npm)
      command -v npm >/dev/null || packages+=(nodejs npm)
      command -v java >/dev/null || packages+=(default-jre-headless) ;;
    --bench) packages+=(wrk postgresql) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "需要 root 权限安装: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait (up to 10 minutes) for another installation holding the package manager's lock.
lock=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${lock[@]}" update -qq
$SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
