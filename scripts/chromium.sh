#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (Playwright's own browser download is not used).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/debian-package.sh" chromium /usr/bin/chromium "The browser tests need Chromium at"
