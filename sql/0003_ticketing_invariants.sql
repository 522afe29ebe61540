-- 0003: every invariant the database can hold, added the way a constraint is
-- added to a live table: NOT VALID takes only a brief lock and checks new
-- writes at once; 0004 then validates the existing rows without blocking
-- writers. (The system this replaces had none of these; the same two scripts
-- bring its tables under the rules.)
--
-- Roll back: ALTER TABLE ... DROP CONSTRAINT <name> for each constraint below,
-- and DROP INDEX for each index (names are listed in order).

-- Tiers: never sell more than capacity.
ALTER TABLE ticketing.ticket_tiers
    ADD CONSTRAINT ticket_tiers_event_fk FOREIGN KEY (event_id) REFERENCES ticketing.events (id) NOT VALID,
    ADD CONSTRAINT ticket_tiers_quantity_non_negative CHECK (quantity >= 0) NOT VALID,
    ADD CONSTRAINT ticket_tiers_reserved_non_negative CHECK (reserved_quantity >= 0) NOT VALID,
    ADD CONSTRAINT ticket_tiers_issued_non_negative CHECK (issued_quantity >= 0) NOT VALID,
    ADD CONSTRAINT ticket_tiers_issued_within_quantity CHECK (issued_quantity <= quantity) NOT VALID,
    ADD CONSTRAINT ticket_tiers_committed_within_quantity CHECK (reserved_quantity + issued_quantity <= quantity) NOT VALID,
    ADD CONSTRAINT ticket_tiers_price_non_negative CHECK (price_cents >= 0) NOT VALID,
    ADD CONSTRAINT ticket_tiers_currency_iso CHECK (currency ~ '^[a-z]{3}$') NOT VALID,
    ADD CONSTRAINT ticket_tiers_max_per_order_positive CHECK (max_per_order >= 1) NOT VALID;

ALTER TABLE ticketing.ticket_holds
    ADD CONSTRAINT ticket_holds_tier_fk FOREIGN KEY (tier_id) REFERENCES ticketing.ticket_tiers (id) NOT VALID,
    ADD CONSTRAINT ticket_holds_quantity_positive CHECK (quantity > 0) NOT VALID,
    ADD CONSTRAINT ticket_holds_status_known CHECK (status IN ('active', 'released', 'expired', 'consumed')) NOT VALID,
    ADD CONSTRAINT ticket_holds_ended_when_not_active CHECK ((status = 'active') = (ended_at IS NULL)) NOT VALID;

-- One active hold per buyer and tier. The old design's index put NOW() in the
-- predicate, which PostgreSQL rejects (index predicates must be immutable), so
-- it never existed; expiry here is a status change made by the tier grain.
CREATE UNIQUE INDEX ticket_holds_one_active_per_user_tier
    ON ticketing.ticket_holds (tier_id, user_id) WHERE status = 'active';

ALTER TABLE ticketing.orders
    ADD CONSTRAINT orders_event_fk FOREIGN KEY (event_id) REFERENCES ticketing.events (id) NOT VALID,
    ADD CONSTRAINT orders_total_non_negative CHECK (total_cents >= 0) NOT VALID,
    ADD CONSTRAINT orders_currency_iso CHECK (currency ~ '^[a-z]{3}$') NOT VALID,
    ADD CONSTRAINT orders_status_known CHECK (status IN (
        'awaiting_payment', 'paid', 'fulfilled', 'payment_failed', 'cancelled', 'expired',
        'refunded', 'partially_refunded', 'disputed', 'unfulfillable')) NOT VALID,
    ADD CONSTRAINT orders_paid_has_payment CHECK (
        status IN ('awaiting_payment', 'payment_failed', 'cancelled', 'expired')
        OR (paid_at IS NOT NULL AND stripe_payment_intent_id IS NOT NULL)) NOT VALID;

CREATE UNIQUE INDEX orders_stripe_payment_intent_id
    ON ticketing.orders (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;

ALTER TABLE ticketing.order_items
    ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES ticketing.orders (id) NOT VALID,
    ADD CONSTRAINT order_items_tier_fk FOREIGN KEY (tier_id) REFERENCES ticketing.ticket_tiers (id) NOT VALID,
    ADD CONSTRAINT order_items_hold_fk FOREIGN KEY (hold_id) REFERENCES ticketing.ticket_holds (id) NOT VALID,
    ADD CONSTRAINT order_items_quantity_positive CHECK (quantity > 0) NOT VALID,
    ADD CONSTRAINT order_items_price_non_negative CHECK (unit_price_cents >= 0) NOT VALID;

-- Exactly-once issuance: a retried issuance step cannot mint a second ticket
-- with the same place in the order.
ALTER TABLE ticketing.tickets
    ADD CONSTRAINT tickets_order_fk FOREIGN KEY (order_id) REFERENCES ticketing.orders (id) NOT VALID,
    ADD CONSTRAINT tickets_tier_fk FOREIGN KEY (tier_id) REFERENCES ticketing.ticket_tiers (id) NOT VALID,
    ADD CONSTRAINT tickets_sequence_positive CHECK (sequence_number >= 1) NOT VALID,
    ADD CONSTRAINT tickets_status_known CHECK (status IN ('issued', 'refunded', 'voided')) NOT VALID;
CREATE UNIQUE INDEX tickets_order_tier_sequence ON ticketing.tickets (order_id, tier_id, sequence_number);

ALTER TABLE ticketing.ticket_tokens
    ADD CONSTRAINT ticket_tokens_ticket_fk FOREIGN KEY (ticket_id) REFERENCES ticketing.tickets (id) NOT VALID,
    -- >= 128 bits: 22 characters of URL-safe base64 at the least.
    ADD CONSTRAINT ticket_tokens_long_enough CHECK (length(token) >= 22) NOT VALID,
    ADD CONSTRAINT ticket_tokens_status_known CHECK (status IN ('active', 'revoked')) NOT VALID,
    ADD CONSTRAINT ticket_tokens_scan_count_non_negative CHECK (scan_count >= 0) NOT VALID;
-- A ticket shows one live code at a time; a re-issued code revokes the old one.
CREATE UNIQUE INDEX ticket_tokens_one_active_per_ticket
    ON ticketing.ticket_tokens (ticket_id) WHERE status = 'active';

ALTER TABLE ticketing.ticket_scans
    ADD CONSTRAINT ticket_scans_ticket_fk FOREIGN KEY (ticket_id) REFERENCES ticketing.tickets (id) NOT VALID,
    ADD CONSTRAINT ticket_scans_result_known CHECK (result IN (
        'admitted', 'already_admitted', 'revoked', 'wrong_event', 'unknown')) NOT VALID;

ALTER TABLE ticketing.stripe_events
    ADD CONSTRAINT stripe_events_status_known CHECK (status IN ('pending', 'processed', 'failed')) NOT VALID,
    ADD CONSTRAINT stripe_events_attempts_non_negative CHECK (attempts >= 0) NOT VALID;
