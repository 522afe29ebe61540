#!/usr/bin/env bash
# Runs the product locally: a private PostgreSQL, the schema migrations, the
# Stripe emulator on http://localhost:12111 and the API silo on
# http://localhost:5000 (storefront at /, gate at /gate, console at /console,
# dashboard at /dashboard, API reference at /docs). Building the silo installs
# the pages' npm packages (Node.js and npm needed).
# Everything it needs is set up on the way.
#
# Payments go to the Stripe emulator unless Ticketing__Stripe__SecretKey or
# Ticketing__Stripe__ApiBase is set: then they go to that Stripe (real Stripe
# when only the key is set) and no emulator is started. Webhooks from real
# Stripe need a tunnel or `stripe listen --forward-to`, which this script
# does not set up.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

connection="$(scripts/postgres.sh)"

# Development defaults; any of them can be overridden from the environment.
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5000}"
export ConnectionStrings__Ticketing="${ConnectionStrings__Ticketing:-$connection}"
export Ticketing__Auth__SigningKey="${Ticketing__Auth__SigningKey:-development-only-signing-key-0123456789abcdef}"

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${Ticketing__Stripe__SecretKey:-}" && -z "${Ticketing__Stripe__ApiBase:-}" ]]; then
  emulator_url="${STRIPE_EMULATOR_URL:-http://localhost:12111}"
  # The silo's own address as the emulator reaches it: the first of
  # ASPNETCORE_URLS, with a wildcard host made local.
  silo_url="${ASPNETCORE_URLS%%;*}"
  silo_url="$(sed -E 's#://(\+|\*|0\.0\.0\.0|\[::\])#://localhost#' <<<"$silo_url")"
  export Ticketing__Stripe__ApiBase="$emulator_url"
  export Ticketing__Stripe__SecretKey="sk_test_development"
  export Ticketing__Stripe__WebhookSecret="${Ticketing__Stripe__WebhookSecret:-whsec_development_only_0123456789abcdef}"

  dotnet build src/Ticketing.StripeEmulator -c Release -v quiet -nologo
  ASPNETCORE_URLS="$emulator_url" \
    StripeEmulator__WebhookUrl="${StripeEmulator__WebhookUrl:-${silo_url%/}/api/webhooks/stripe}" \
    StripeEmulator__WebhookSecret="$Ticketing__Stripe__WebhookSecret" \
    StripeEmulator__EnabledEvents__0=payment_intent.succeeded StripeEmulator__EnabledEvents__1=payment_intent.payment_failed \
    StripeEmulator__EnabledEvents__2=payment_intent.canceled StripeEmulator__EnabledEvents__3=charge.refunded \
    StripeEmulator__EnabledEvents__4=charge.dispute.created StripeEmulator__EnabledEvents__5=charge.dispute.closed \
    dotnet src/Ticketing.StripeEmulator/bin/Release/net10.0/Ticketing.StripeEmulator.dll &
  pids+=("$!")
  echo "Stripe emulator on $emulator_url (test cards: pm_card_visa, pm_card_chargeDeclined; controls under /_emulator/)"
else
  echo "Stripe: ${Ticketing__Stripe__ApiBase:-https://api.stripe.com} (emulator not started)"
fi

dotnet build src/Ticketing.Api -c Release -v quiet -nologo
api="src/Ticketing.Api/bin/Release/net10.0/Ticketing.Api.dll"

# In the background and waited for, so that Ctrl-C or a TERM stops the
# emulator along with the silo.
# From its own folder: the content root is where ASP.NET Core watches files,
# and .data (PostgreSQL's files) changes all the time.
(cd "$(dirname "$api")" && exec dotnet "$(basename "$api")") &
pids+=("$!")
silo_pid="${pids[-1]}"

base="$(sed -E 's#://(\+|\*|0\.0\.0\.0|\[::\])#://localhost#' <<<"${ASPNETCORE_URLS%%;*}")"
base="${base%/}"
for _ in $(seq 1 240); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  kill -0 "$silo_pid" 2>/dev/null || exit 1
  sleep 0.5
done

token() { dotnet "$api" token --hours 12 "$@"; }
cat <<SUMMARY

== Ticketing is running ($ASPNETCORE_ENVIRONMENT) ==
  Storefront      $base/
  Gate            $base/gate
  Console         $base/console   (sign in at $base/signin: one click per role in Development)
  API             $base   (reference: $base/docs, health: $base/health/ready)
  Orleans         $base/dashboard
  Sign in         $base/signin   (a browser session as any of the people below, or anyone)
  Stripe          ${Ticketing__Stripe__ApiBase}
  PostgreSQL      $ConnectionStrings__Ticketing

Tokens, valid 12 h (organizer-1's personal organization owns the events it creates):
  organizer  $(token --user organizer-1 --role organizer)
  scanner    $(token --user gate-1 --role scanner --org organizer-1)
  buyer      $(token --user buyer-1 --role buyer)
  operator   $(token --user oncall-1 --role operator)
  more:      dotnet $api token --help

Stop: Ctrl-C stops the silo and the emulator; PostgreSQL keeps running
for the next start and the tests: scripts/postgres.sh stop

SUMMARY
wait "$silo_pid"
