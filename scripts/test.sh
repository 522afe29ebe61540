#!/usr/bin/env bash
# Runs the whole test suite against a private PostgreSQL that it starts (or
# reuses), the browser journeys in Debian's Chromium. Needs the .NET 10 SDK
# and Node.js with npm (the pages' packages); PostgreSQL, Chromium and ss
# are installed from Debian's packages when missing and run as root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

TICKETING_TEST_POSTGRES="$(scripts/postgres.sh)"
export TICKETING_TEST_POSTGRES
scripts/chromium.sh
# The connection tests read the silo's listening queue with ss.
scripts/debian-package.sh iproute2 /usr/bin/ss "The connection tests need ss at"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test Ticketing.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole suite, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed: / {
       gsub(",", "");
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") failed += $(i + 1);
         if ($i == "Passed:") passed += $(i + 1);
         if ($i == "Skipped:") skipped += $(i + 1);
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
