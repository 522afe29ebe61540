#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (Playwright's own browser download is not used). As root it installs the
# package when missing; otherwise it says what to install.
set -euo pipefail
say() { echo "chromium.sh: $*" >&2; }

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "Chromium not found; installing Debian's chromium package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
  [ -x /usr/bin/chromium ] || { say "chromium installed but /usr/bin/chromium is still missing"; exit 1; }
else
  say "The browser tests need Chromium at /usr/bin/chromium."
  say "Install it (Debian/Ubuntu: sudo apt-get install chromium) and run again."
  exit 1
fi
