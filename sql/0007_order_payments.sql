-- 0007: what an order keeps of its payment, and the backstops of the saga.
--
-- Roll back:
--   DROP TRIGGER orders_fulfilled_has_all_tickets ON ticketing.orders;
--   DROP FUNCTION ticketing.check_order_tickets();
--   DROP INDEX ticketing.order_items_one_order_per_hold;
--   DROP INDEX ticketing.orders_open_expiry;
--   ALTER TABLE ticketing.orders DROP CONSTRAINT orders_refund_within_payment,
--       DROP COLUMN expires_at, DROP COLUMN stripe_client_secret, DROP COLUMN stripe_charge_id,
--       DROP COLUMN amount_paid_cents, DROP COLUMN amount_refunded_cents, DROP COLUMN dispute,
--       DROP COLUMN automatic_refund_id, DROP COLUMN refund_requests, DROP COLUMN status_reason;

ALTER TABLE ticketing.orders
    -- the payment deadline: the first of the order's holds to expire
    ADD COLUMN expires_at            timestamptz,
    ADD COLUMN stripe_client_secret  text,
    ADD COLUMN stripe_charge_id      text,
    ADD COLUMN amount_paid_cents     bigint,
    -- the charge's running refunded total, as Stripe last reported it
    ADD COLUMN amount_refunded_cents bigint NOT NULL DEFAULT 0,
    ADD COLUMN dispute               text,
    ADD COLUMN automatic_refund_id   text,
    -- refunds asked for through the API: [{refundId, ticketIds, amountCents}]
    ADD COLUMN refund_requests       jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN status_reason         text,
    ADD CONSTRAINT orders_refund_within_payment CHECK (
        amount_refunded_cents >= 0 AND (amount_paid_cents IS NULL OR amount_refunded_cents <= amount_paid_cents)),
    ADD CONSTRAINT orders_dispute_known CHECK (dispute IS NULL OR dispute IN ('open', 'won', 'lost'));

-- A hold pays for one order at most. (A cancelled order lets go of its holds
-- by clearing hold_id, so the buyer can check out again with them.)
CREATE UNIQUE INDEX order_items_one_order_per_hold ON ticketing.order_items (hold_id) WHERE hold_id IS NOT NULL;

-- Finding unpaid orders past their deadline, and paid orders still owed tickets.
CREATE INDEX orders_open_expiry ON ticketing.orders (expires_at) WHERE status IN ('awaiting_payment', 'payment_failed', 'paid');

-- Exactly-once issuance, checked at commit: a fulfilled order has exactly the
-- tickets it ordered (issued, or ended later by a refund or dispute).
CREATE FUNCTION ticketing.check_order_tickets() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    ordered bigint;
    minted  bigint;
BEGIN
    SELECT coalesce(sum(quantity), 0) INTO ordered FROM ticketing.order_items WHERE order_id = NEW.id;
    SELECT count(*) INTO minted FROM ticketing.tickets WHERE order_id = NEW.id;
    IF ordered <> minted THEN
        RAISE EXCEPTION 'order % is % with % tickets for % ordered', NEW.id, NEW.status, minted, ordered
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE CONSTRAINT TRIGGER orders_fulfilled_has_all_tickets
    AFTER INSERT OR UPDATE OF status ON ticketing.orders
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status IN ('fulfilled', 'refunded', 'partially_refunded'))
    EXECUTE FUNCTION ticketing.check_order_tickets();
