-- 0004: validate the constraints 0003 added NOT VALID. VALIDATE scans the
-- existing rows under a SHARE UPDATE EXCLUSIVE lock, so writers go on.
-- A row that breaks a rule makes this script fail and roll back: fix the
-- data (docs/runbook.md) and run the migration again.
--
-- Roll back: nothing to undo (a validated constraint behaves as one added
-- VALID); to drop the rules see 0003.

ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_event_fk;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_quantity_non_negative;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_reserved_non_negative;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_issued_non_negative;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_issued_within_quantity;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_committed_within_quantity;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_price_non_negative;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_currency_iso;
ALTER TABLE ticketing.ticket_tiers VALIDATE CONSTRAINT ticket_tiers_max_per_order_positive;

ALTER TABLE ticketing.ticket_holds VALIDATE CONSTRAINT ticket_holds_tier_fk;
ALTER TABLE ticketing.ticket_holds VALIDATE CONSTRAINT ticket_holds_quantity_positive;
ALTER TABLE ticketing.ticket_holds VALIDATE CONSTRAINT ticket_holds_status_known;
ALTER TABLE ticketing.ticket_holds VALIDATE CONSTRAINT ticket_holds_ended_when_not_active;

ALTER TABLE ticketing.orders VALIDATE CONSTRAINT orders_event_fk;
ALTER TABLE ticketing.orders VALIDATE CONSTRAINT orders_total_non_negative;
ALTER TABLE ticketing.orders VALIDATE CONSTRAINT orders_currency_iso;
ALTER TABLE ticketing.orders VALIDATE CONSTRAINT orders_status_known;
ALTER TABLE ticketing.orders VALIDATE CONSTRAINT orders_paid_has_payment;

ALTER TABLE ticketing.order_items VALIDATE CONSTRAINT order_items_order_fk;
ALTER TABLE ticketing.order_items VALIDATE CONSTRAINT order_items_tier_fk;
ALTER TABLE ticketing.order_items VALIDATE CONSTRAINT order_items_hold_fk;
ALTER TABLE ticketing.order_items VALIDATE CONSTRAINT order_items_quantity_positive;
ALTER TABLE ticketing.order_items VALIDATE CONSTRAINT order_items_price_non_negative;

ALTER TABLE ticketing.tickets VALIDATE CONSTRAINT tickets_order_fk;
ALTER TABLE ticketing.tickets VALIDATE CONSTRAINT tickets_tier_fk;
ALTER TABLE ticketing.tickets VALIDATE CONSTRAINT tickets_sequence_positive;
ALTER TABLE ticketing.tickets VALIDATE CONSTRAINT tickets_status_known;

ALTER TABLE ticketing.ticket_tokens VALIDATE CONSTRAINT ticket_tokens_ticket_fk;
ALTER TABLE ticketing.ticket_tokens VALIDATE CONSTRAINT ticket_tokens_long_enough;
ALTER TABLE ticketing.ticket_tokens VALIDATE CONSTRAINT ticket_tokens_status_known;
ALTER TABLE ticketing.ticket_tokens VALIDATE CONSTRAINT ticket_tokens_scan_count_non_negative;

ALTER TABLE ticketing.ticket_scans VALIDATE CONSTRAINT ticket_scans_ticket_fk;
ALTER TABLE ticketing.ticket_scans VALIDATE CONSTRAINT ticket_scans_result_known;

ALTER TABLE ticketing.stripe_events VALIDATE CONSTRAINT stripe_events_status_known;
ALTER TABLE ticketing.stripe_events VALIDATE CONSTRAINT stripe_events_attempts_non_negative;
