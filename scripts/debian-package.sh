#!/usr/bin/env bash
# Makes sure a program the tests run is installed: scripts/debian-package.sh
# <package> <program path> <what needs it>. As root it installs Debian's
# package when the program is missing; otherwise it says what to install.
set -euo pipefail
package="$1" program="$2" need="$3"
say() { echo "debian-package.sh: $*" >&2; }

if [ -x "$program" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "$program not found; installing Debian's $package package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "$package" >&2
  [ -x "$program" ] || { say "$package installed but $program is still missing"; exit 1; }
else
  say "$need $program."
  say "Install it (Debian/Ubuntu: sudo apt-get install $package) and run again."
  exit 1
fi
