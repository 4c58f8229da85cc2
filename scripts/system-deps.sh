#!/usr/bin/env bash
# Make sure the Debian packages Qorgau needs are present: Chromium for browser tests, fonts with Kazakh
# letters and the pango libraries for PDF documents, gettext for the translations.
# As root, missing packages are installed with apt-get; otherwise we stop with the exact command to run.
set -euo pipefail

need_browser="${1:-browser}"
packages=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b gettext)
[ "$need_browser" = "browser" ] && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
