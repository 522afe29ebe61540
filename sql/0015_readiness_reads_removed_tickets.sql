-- 0015: readiness (event_readiness, noPaidWithoutTickets) checked a settled
-- order against its tickets only when the order had changed in the last day,
-- while the P0 alert paid_orders_missing_tickets recounts the orders whose
-- tickets were deleted (0014), however long ago they settled. For such an
-- order the alert fired and readiness still said ready. Both now read the same
-- notes: an order settles only with all its tickets (the commit-time check of
-- 0007), and what can take them away afterwards is noted by 0014.
--
-- The updated_at index served only that day's window: it goes, and every
-- order write maintains one index fewer.
--
-- Roll back:
--   CREATE INDEX orders_updated_at ON ticketing.orders (updated_at);
--   and the event_health of 0009.

CREATE OR REPLACE VIEW ticketing.event_health AS
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
       -- two counts, each from its own small set: paid orders (orders_paid_since)
       -- and the orders noted by 0014
       ((SELECT count(*) FROM ticketing.orders o
         WHERE o.event_id = e.id AND o.status = 'paid' AND o.paid_at < now() - interval '5 minutes')
        + (SELECT count(*) FROM ticketing.orders_tickets_removed r JOIN ticketing.orders o ON o.id = r.order_id
           WHERE o.event_id = e.id
             AND o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed')
             AND (SELECT count(*) FROM ticketing.tickets k WHERE k.order_id = o.id)
                 <> (SELECT coalesce(sum(i.quantity), 0) FROM ticketing.order_items i WHERE i.order_id = o.id)))::integer
           AS paid_without_tickets
FROM ticketing.events e
LEFT JOIN ticketing.ticket_tiers t ON t.event_id = e.id
LEFT JOIN (SELECT tier_id, sum(quantity) AS live_reserved
           FROM ticketing.ticket_holds
           WHERE status = 'active' AND expires_at > now()
           GROUP BY tier_id) h ON h.tier_id = t.id
GROUP BY e.id, e.title, e.starts_at;

DROP INDEX ticketing.orders_updated_at;
