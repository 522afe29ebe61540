#!/usr/bin/env bash
# Runs the product locally: a private PostgreSQL, the schema migrations and
# the API silo on http://localhost:5000 (dashboard at /dashboard, API
# reference at /docs). Everything it needs is set up on the way.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

connection="$(scripts/postgres.sh)"

# Development defaults; any of them can be overridden from the environment.
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5000}"
export ConnectionStrings__Ticketing="${ConnectionStrings__Ticketing:-$connection}"
export Ticketing__Auth__SigningKey="${Ticketing__Auth__SigningKey:-development-only-signing-key-0123456789abcdef}"

dotnet build src/Ticketing.Api -c Release -v quiet -nologo
api="src/Ticketing.Api/bin/Release/net10.0/Ticketing.Api.dll"

echo "Organizer token for this server (valid 12 h):"
dotnet "$api" token --user organizer-1 --role organizer
echo
exec dotnet "$api"
