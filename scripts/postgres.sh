#!/usr/bin/env bash
# Starts a private PostgreSQL for development and tests, or reuses the one
# already running. Data lives in .data/postgres (git-ignored); it listens on
# 127.0.0.1 only, on its own port, so it never meets a system PostgreSQL.
#
#   scripts/postgres.sh          start (or reuse) and print the connection string
#   scripts/postgres.sh stop     stop it
#
# TICKETING_PG_PORT (default 55432) and TICKETING_PG_DATA move it elsewhere. A
# port that another program or another cluster listens on is refused, naming
# what holds it, before anything is initialised or started.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${TICKETING_PG_PORT:-55432}"
data="${TICKETING_PG_DATA:-$repo/.data/postgres}"
log="$data.log"

say() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local candidate
  for candidate in "$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")")" /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! bin="$(find_bin)"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "PostgreSQL binaries not found; installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin="$(find_bin)" || { say "postgresql installed but pg_ctl/initdb still not found"; exit 1; }
  else
    say "PostgreSQL 15+ server binaries (initdb, pg_ctl) are missing."
    say "Install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@15) and run again."
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >&2; fi
  exit 0
fi

# Finds whatever listens on 127.0.0.1:$port: sets holder to it in words
# (empty when the port is free) and holder_data to its data directory when it
# is a PostgreSQL that says.
find_holder() {
  local listener="" name="" pid=""
  holder="" holder_data=""
  if command -v ss >/dev/null; then
    listener="$(ss -ltnpH "( sport = :$port )" 2>/dev/null | head -n 1)"
    [ -n "$listener" ] || return 0
    name="$(grep -o 'users:(("[^"]*"' <<<"$listener" | cut -d'"' -f2 || true)"
    pid="$(grep -o 'pid=[0-9]*' <<<"$listener" | head -n 1 | cut -d= -f2 || true)"
  elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return 0
  fi
  if [ -n "$pid" ] && [ -r "$data/postmaster.pid" ] && [ "$(head -n 1 "$data/postmaster.pid")" = "$pid" ]; then
    # This data directory's own postmaster: known without a connection, which
    # a server out of connection slots would refuse.
    holder_data="$data"
  elif [ -z "$name" ] || [ "$name" = postgres ]; then
    # Only a postgres is asked: another program would leave psql waiting for a reply.
    holder_data="$(PGCONNECT_TIMEOUT=3 timeout 5 "$bin/psql" -w -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SHOW data_directory" 2>/dev/null || true)"
  fi
  if [ -n "$holder_data" ]; then
    holder="the PostgreSQL of $holder_data"
  else
    holder="${name:-another program}${pid:+ (pid $pid)}"
  fi
}

# The first port above $port that nothing listens on, to suggest instead.
free_port() {
  local candidate=$((port + 1))
  while [ "$candidate" -lt $((port + 100)) ] && (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; do
    candidate=$((candidate + 1))
  done
  echo "$candidate"
}

# A port held by anything but this data directory's server makes pg_ctl fail
# with no reason given, or psql below talk to another cluster: say who holds it.
find_holder
if [ -n "$holder" ] && { [ -z "$holder_data" ] || [ "$(readlink -f "$holder_data")" != "$(readlink -f "$data")" ]; }; then
  say "port $port is taken by $holder, not by this script's server ($data); choose another port: TICKETING_PG_PORT=$(free_port) scripts/test.sh"
  exit 1
fi

mkdir -p "$(dirname "$data")"
if [ ! -f "$data/PG_VERSION" ]; then
  say "initialising a new cluster in $data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system postgres; chown postgres "$data" "$(dirname "$data")"; }
  chmod 700 "$data"
  # trust on loopback: a private development/test server that only this machine reaches.
  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
[ "$(id -u)" = 0 ] && { touch "$log"; chown postgres "$log"; }

# max_wal_size: a gate rush writes about 15 MB of WAL a second; with the
# default 1 GB a checkpoint starts every minute of it, and every page first
# touched after one goes whole into the WAL again. Checkpoints then come by
# time (checkpoint_timeout) instead. pg_stat_statements: what each statement
# costs, for the on-call engineer and for the tests that bound the pages a hot
# statement reads. docker-compose.yml starts it the same way.
options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp -c max_connections=400 -c shared_buffers=256MB -c max_wal_size=4GB -c shared_preload_libraries=pg_stat_statements"

# pg_ctl itself says only "could not start server": the reason is in its log.
pg_ctl_or_log() {
  if ! as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "$options" "$@" >&2; then
    say "pg_ctl ${*: -1} failed; the last lines of $log:"
    tail -n 15 "$log" >&2 || true
    exit 1
  fi
}

if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  if "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SHOW shared_preload_libraries" | grep -q pg_stat_statements; then
    say "reusing the server already running on port $port"
  else
    say "restarting the server on port $port with this script's settings"
    pg_ctl_or_log -m fast restart
  fi
else
  say "starting on 127.0.0.1:$port"
  pg_ctl_or_log start
fi

"$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ticketing'" | grep -q 1 \
  || "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE ticketing" >&2

echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=ticketing"
