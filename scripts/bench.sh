#!/usr/bin/env bash
# Runs a load scenario against a freshly started silo on the private
# PostgreSQL (a new database ticketing_bench each run) paying through a fresh
# Stripe emulator, then stops both. The silo runs as shipped: only its
# database, keys, ports and Stripe's address are set here, nothing about how
# it behaves (its defaults are the product's: appsettings.json).
#
#   scripts/bench.sh --scenario hot-tier --users 100 --duration 20
#   scripts/bench.sh --scenario onsale-race --users 100 --capacity 50
#   scripts/bench.sh --scenario checkout --users 100 --duration 20
#   scripts/bench.sh --scenario onsale --entrants 100000
#   scripts/bench.sh --scenario room-look --users 100 --duration 20
#
# Every option after the script name goes to load/Ticketing.Load (see --help).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# One run at a time: a second would drop the first's database and take its ports.
exec 9>/tmp/ticketing-bench.lock
flock -n 9 || { echo "bench.sh: another run is in progress (it holds /tmp/ticketing-bench.lock)" >&2; exit 1; }

# Without the lock's descriptor: a server this starts outlives the run, and
# holding it would refuse every later run.
connection="$(scripts/postgres.sh 9>&-)"
port="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$connection")"
# A fresh database each run, so that runs compare: no rows left by the last one.
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS ticketing_bench WITH (FORCE)"
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE ticketing_bench"
bench_connection="${connection/Database=ticketing/Database=ticketing_bench}"
# The baseline (the old design, straight SQL) gets a database of its own with
# the same schema, so its rows and dead row versions don't weigh on the run
# measured after it.
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS ticketing_bench_baseline WITH (FORCE)"
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE ticketing_bench_baseline"
for migration in sql/[0-9]*.sql; do
  psql -h 127.0.0.1 -p "$port" -U postgres -d ticketing_bench_baseline -q -v ON_ERROR_STOP=1 -f "$migration" >/dev/null
done
baseline_connection="${connection/Database=ticketing/Database=ticketing_bench_baseline}"

dotnet build src/Ticketing.Api -c Release -v quiet -nologo
dotnet build load/Ticketing.Load -c Release -v quiet -nologo
dotnet build src/Ticketing.StripeEmulator -c Release -v quiet -nologo

export ConnectionStrings__Ticketing="$bench_connection"
# Fresh secrets each run: the silo refuses the development ones outside Development.
export Ticketing__Auth__SigningKey="$(head -c 32 /dev/urandom | base64)"
export ASPNETCORE_URLS="http://127.0.0.1:5080"
export Orleans__Endpoints__SiloPort=11211
export Ticketing__Stripe__ApiBase="http://127.0.0.1:12211"
export Ticketing__Stripe__SecretKey="sk_test_bench"
export Ticketing__Stripe__WebhookSecret="whsec_$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"

webhook_url="$ASPNETCORE_URLS/api/webhooks/stripe"
# Stripe sends each event on its own, with no cap on deliveries in flight that
# it documents. The webhook answers once its order's saga has run, so at 1,000
# orders/s a cap of 64 became the queue: the checkout fell behind a fixed rate
# of 1,000/s in 5 of 7 runs with 64, in 1 of 4 with 256 or 512
# (docs/performance.md).
ASPNETCORE_URLS="$Ticketing__Stripe__ApiBase" \
  StripeEmulator__WebhookUrl="$webhook_url" \
  StripeEmulator__WebhookSecret="$Ticketing__Stripe__WebhookSecret" \
  StripeEmulator__DeliveryConcurrency=256 \
  StripeEmulator__EnabledEvents__0=payment_intent.succeeded StripeEmulator__EnabledEvents__1=payment_intent.payment_failed \
  StripeEmulator__EnabledEvents__2=payment_intent.canceled StripeEmulator__EnabledEvents__3=charge.refunded \
  StripeEmulator__EnabledEvents__4=charge.dispute.created StripeEmulator__EnabledEvents__5=charge.dispute.closed \
  bash -c 'cd src/Ticketing.StripeEmulator/bin/Release/net10.0 && exec dotnet Ticketing.StripeEmulator.dll' > /tmp/ticketing-bench-stripe.log 2>&1 &
stripe=$!
# Started from its own folder: the content root is where ASP.NET Core watches
# files, and the repository holds PostgreSQL's data folder (.data), whose
# constant writes would keep a file watcher busy (5 % of the silo's time).
(cd src/Ticketing.Api/bin/Release/net10.0 && exec dotnet Ticketing.Api.dll) > /tmp/ticketing-bench-silo.log 2>&1 &
silo=$!
trap 'kill $silo $stripe 2>/dev/null; wait $silo $stripe 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -fs "$ASPNETCORE_URLS/health/ready" >/dev/null 2>&1 && break
  kill -0 $silo 2>/dev/null || { echo "the silo exited; see /tmp/ticketing-bench-silo.log" >&2; exit 1; }
  sleep 0.5
done

sleep "${BENCH_SETTLE:-0}"
dotnet load/Ticketing.Load/bin/Release/net10.0/Ticketing.Load.dll \
  --target "$ASPNETCORE_URLS" --connection "$bench_connection" --baseline-connection "$baseline_connection" --stripe "$Ticketing__Stripe__ApiBase" --stripe-key "$Ticketing__Stripe__SecretKey" --signing-key "$Ticketing__Auth__SigningKey" --silo-pid "$silo" --emulator-pid "$stripe" "$@"
