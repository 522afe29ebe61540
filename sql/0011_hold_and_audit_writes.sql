-- 0011: cheaper writes on the two hottest paths of an on-sale.
--
-- ticket_holds_tier_active indexed (tier_id) of active holds, and the unique
-- ticket_holds_one_active_per_user_tier indexes (tier_id, user_id) of the same
-- rows: every query that used the first (a tier's live holds, at load and in
-- the operations views) is served by the second's leading column. One index
-- entry less for every hold placed.
--
-- The tier's audit entry lists every change of a write (up to a few hundred
-- during a rush) and the inbox keeps each Stripe event whole: both are past
-- PostgreSQL's 2 kB TOAST threshold, and the default compression (pglz) was
-- 5 % of the database's CPU during a hot-tier run. lz4 compresses these at a
-- fraction of the cost; existing rows keep their compression until rewritten.
--
-- Roll back:
--   CREATE INDEX ticket_holds_tier_active ON ticketing.ticket_holds (tier_id) WHERE status = 'active';
--   ALTER TABLE ticketing.audit_log ALTER COLUMN data SET COMPRESSION pglz;
--   ALTER TABLE ticketing.stripe_events ALTER COLUMN payload SET COMPRESSION pglz;

DROP INDEX ticketing.ticket_holds_tier_active;

ALTER TABLE ticketing.audit_log ALTER COLUMN data SET COMPRESSION lz4;
ALTER TABLE ticketing.stripe_events ALTER COLUMN payload SET COMPRESSION lz4;
