#!/usr/bin/env bash
# Retakes the pictures of the pages in docs/screenshots (the README shows
# them): runs the browser journeys, which save a screenshot of each page
# state they reach when TICKETING_SCREENSHOTS=1.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

TICKETING_TEST_POSTGRES="$(scripts/postgres.sh)"
export TICKETING_TEST_POSTGRES
scripts/chromium.sh
TICKETING_SCREENSHOTS=1 dotnet test tests/Ticketing.Web.Tests -c Release --nologo "$@"
ls -1 docs/screenshots
