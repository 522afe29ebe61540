#!/usr/bin/env bash
# Prints the path of a promtool that can check and unit-test the Prometheus
# rules in src/Ticketing.Monitoring/prometheus. Uses the one on PATH; when there
# is none and we run as root on Debian, installs Debian's prometheus package
# (which ships promtool) quietly; otherwise says what to install and fails.
#
#   "$(scripts/promtool.sh)" test rules src/Ticketing.Monitoring/prometheus/ticketing.rules.test.yml
set -euo pipefail

say() { echo "promtool.sh: $*" >&2; }

if path="$(command -v promtool)"; then
  echo "$path"
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "promtool not found; installing Debian's prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  # Recommends (node-exporter and friends) are not needed for promtool. apt's
  # output is kept out of the way unless it fails: callers read our stdout.
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >"$log" 2>&1; then
    cat "$log" >&2
    say "apt-get could not install prometheus (no reachable mirror?)"
    exit 1
  fi
  if path="$(command -v promtool)"; then
    echo "$path"
    exit 0
  fi
  say "the prometheus package is installed but promtool is still not on PATH"
  exit 1
fi

say "promtool (Prometheus 2.x) is missing."
say "Install it (Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus;"
say "or unpack promtool from a release archive at https://prometheus.io/download/ onto PATH) and run again."
exit 1
