-- 0009: what the on-call engineer looks at. Views that say, per tier and per
-- event, whether the invariants hold (computed from the holds and tickets
-- themselves, not only from the stored counters), the indexes the alert
-- queries need, and the record of reconciliation runs.
--
-- Roll back:
--   DROP VIEW ticketing.event_readiness; DROP VIEW ticketing.event_health; DROP VIEW ticketing.tier_health;
--   DROP TABLE ticketing.reconciliation_runs;
--   DROP INDEX ticketing.orders_paid_since; DROP INDEX ticketing.orders_created_at; DROP INDEX ticketing.orders_updated_at;
--   ALTER TABLE ticketing.orders DROP COLUMN anonymized_at;

-- One row per tier: stored counters beside what the holds and tickets say.
CREATE VIEW ticketing.tier_health AS
SELECT t.id                                   AS tier_id,
       t.event_id,
       t.quantity                             AS capacity,
       t.reserved_quantity                    AS stored_reserved,
       t.issued_quantity                      AS stored_issued,
       coalesce(h.live_reserved, 0)::integer  AS live_reserved,
       -- holds past their expiry that nobody freed yet
       coalesce(h.lapsed_reserved, 0)::integer AS lapsed_reserved,
       coalesce(h.lapsed_for_a_minute, 0)::integer AS lagging_holds,
       coalesce(k.live_tickets, 0)::integer   AS live_tickets,
       t.quantity - coalesce(h.live_reserved, 0) - coalesce(k.live_tickets, 0) AS available,
       -- reserved seats not backed by a live hold
       greatest(t.reserved_quantity - coalesce(h.live_reserved, 0), 0) AS ghost_reserved
FROM ticketing.ticket_tiers t
LEFT JOIN LATERAL (
    SELECT sum(quantity) FILTER (WHERE expires_at > now())  AS live_reserved,
           sum(quantity) FILTER (WHERE expires_at <= now()) AS lapsed_reserved,
           count(*) FILTER (WHERE expires_at <= now() - interval '60 seconds') AS lapsed_for_a_minute
    FROM ticketing.ticket_holds
    WHERE tier_id = t.id AND status = 'active') h ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS live_tickets
    FROM ticketing.tickets
    WHERE tier_id = t.id AND status = 'issued') k ON true;

-- One row per event: totals and the number of broken invariants. Cheap on a
-- million orders (scripts/explain-operations.sh): sold is the tiers' stored
-- issued count and orders are checked against their tickets when paid and
-- waiting or changed in the last day; the daily reconciliation recounts all.
CREATE VIEW ticketing.event_health AS
SELECT e.id AS event_id,
       e.title,
       e.starts_at,
       count(t.id)::integer                                                AS tiers,
       coalesce(sum(t.quantity), 0)::integer                               AS capacity,
       coalesce(sum(t.issued_quantity), 0)::integer                        AS sold,
       coalesce(sum(h.live_reserved), 0)::integer                          AS reserved,
       coalesce(sum(t.quantity - coalesce(h.live_reserved, 0) - t.issued_quantity), 0)::integer AS available,
       count(t.id) FILTER (WHERE t.quantity - coalesce(h.live_reserved, 0) - t.issued_quantity < 0
           OR t.quantity - t.reserved_quantity - t.issued_quantity < 0)::integer AS negative_tiers,
       coalesce(sum(greatest(t.reserved_quantity - coalesce(h.live_reserved, 0), 0)), 0)::integer AS ghost_reserved,
       (SELECT count(*) FROM ticketing.orders o
        WHERE o.event_id = e.id
          AND ((o.status = 'paid' AND o.paid_at < now() - interval '5 minutes')
               OR (o.updated_at > now() - interval '1 day'
                   AND o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed')
                   AND (SELECT count(*) FROM ticketing.tickets k WHERE k.order_id = o.id)
                       <> (SELECT coalesce(sum(i.quantity), 0) FROM ticketing.order_items i WHERE i.order_id = o.id))))::integer
           AS paid_without_tickets
FROM ticketing.events e
LEFT JOIN ticketing.ticket_tiers t ON t.event_id = e.id
LEFT JOIN (SELECT tier_id, sum(quantity) AS live_reserved
           FROM ticketing.ticket_holds
           WHERE status = 'active' AND expires_at > now()
           GROUP BY tier_id) h ON h.tier_id = t.id
GROUP BY e.id, e.title, e.starts_at;

-- Upcoming events and whether they are fit to open the doors.
CREATE VIEW ticketing.event_readiness AS
SELECT h.*,
       CASE
           WHEN h.tiers = 0 THEN 'no_tiers'
           WHEN h.negative_tiers > 0 OR h.paid_without_tickets > 0 THEN 'not_ready'
           WHEN h.ghost_reserved > 0 THEN 'needs_cleanup'
           ELSE 'ready'
       END AS status
FROM ticketing.event_health h
WHERE h.starts_at > now();

-- Paid orders still waiting for tickets (the P0 alert), and orders by age (retention).
CREATE INDEX orders_paid_since ON ticketing.orders (paid_at) WHERE status = 'paid';
CREATE INDEX orders_created_at ON ticketing.orders (created_at);
-- orders changed lately, checked against their tickets every minute
CREATE INDEX orders_updated_at ON ticketing.orders (updated_at);

ALTER TABLE ticketing.orders ADD COLUMN anonymized_at timestamptz;

CREATE TABLE ticketing.reconciliation_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    report      jsonb       NOT NULL
);
