#!/usr/bin/env bash
# Plans and timings of the operations queries (alerts, readiness) on a database
# holding a million orders: a fresh database ticketing_explain on the private
# PostgreSQL, migrated, filled with 1,000,000 fulfilled orders of one ticket
# each over 100 tiers (and 1,000 holds), then EXPLAIN (ANALYZE) of each query.
#
#   scripts/explain-operations.sh [orders]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
orders="${1:-1000000}"

connection="$(scripts/postgres.sh)"
port="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$connection")"
psql=(psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS ticketing_explain WITH (FORCE)" -c "CREATE DATABASE ticketing_explain"
dotnet build src/Ticketing.Api -c Release -v quiet -nologo
ConnectionStrings__Ticketing="${connection/Database=ticketing/Database=ticketing_explain}" \
  dotnet src/Ticketing.Api/bin/Release/net10.0/Ticketing.Api.dll migrate

"${psql[@]}" -d ticketing_explain <<SQL
-- bulk load: rows are consistent by construction, so triggers are off while loading
SET session_replication_role = replica;
INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by)
SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, 'explain', 'Event ' || n, now() + interval '30 days', 'explain'
FROM generate_series(1, 10) n;
INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, issued_quantity)
SELECT ('10000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid,
       ('00000000-0000-0000-0000-' || lpad((1 + n % 10)::text, 12, '0'))::uuid, 'Tier ' || n, 2500, 'eur', $orders, $orders / 100
FROM generate_series(0, 99) n;
CREATE TEMP TABLE seed AS
SELECT gen_random_uuid() AS order_id, gen_random_uuid() AS ticket_id,
       ('10000000-0000-0000-0000-' || lpad((n % 100)::text, 12, '0'))::uuid AS tier_id, n
FROM generate_series(0, $orders - 1) n;
INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, stripe_payment_intent_id, paid_at, amount_paid_cents, created_at, updated_at, expires_at)
SELECT s.order_id, t.event_id, 'buyer-' || s.n, 'fulfilled', 2500, 'eur', 'pi_' || s.n, now() - interval '1 day', 2500, now() - (s.n % 1000) * interval '1 day', now() - (s.n % 1000) * interval '1 day', now()
FROM seed s JOIN ticketing.ticket_tiers t ON t.id = s.tier_id;
INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents) SELECT order_id, tier_id, 1, 2500 FROM seed;
INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) SELECT ticket_id, order_id, tier_id, 1 FROM seed;
INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
SELECT gen_random_uuid(), tier_id, 'holder-' || n, 1, now() + interval '10 minutes' FROM seed WHERE n < 1000;
UPDATE ticketing.ticket_tiers t SET reserved_quantity = (SELECT count(*) FROM ticketing.ticket_holds h WHERE h.tier_id = t.id);
SET session_replication_role = origin;
VACUUM ANALYZE;
SQL

explain() {
  echo "== $1"
  "${psql[@]}" -d ticketing_explain -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $2" | grep -E 'Execution Time|Planning Time|Seq Scan|Index|Hash|Aggregate' | head -40
}
# The alerts recount only the orders whose tickets were deleted (sql/0014).
explain "alert measures (every minute)" \
  "$(sed -n '/WITH tiers AS (/,/interval .60 seconds.)$/p' src/Ticketing.Persistence/Operations/OperationsStore.cs)"
explain "fulfilled orders whose tickets differ, all of them (daily reconciliation)" \
  "SELECT count(*) FROM (SELECT i.order_id FROM ticketing.order_items i JOIN ticketing.orders o ON o.id = i.order_id WHERE o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed') GROUP BY i.order_id HAVING sum(i.quantity) <> (SELECT count(*) FROM ticketing.tickets k WHERE k.order_id = i.order_id)) short"
explain "readiness of one event" \
  "SELECT * FROM ticketing.event_readiness WHERE event_id = '00000000-0000-0000-0000-000000000001'"
explain "readiness of all upcoming events" \
  "SELECT * FROM ticketing.event_readiness"
