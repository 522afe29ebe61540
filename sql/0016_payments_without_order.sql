-- 0016: a payment whose metadata names an order that was never stored. The
-- order grain refunds it in full (once: the refund's idempotency key is the
-- payment's) and notes it here, so that the alert payment_without_order can
-- count them and the on-call engineer can find each one: the payment, the
-- order it named, the event that brought it, and the refund. An order's row
-- is written before its payment can be paid, so every note is a fault to
-- explain, even though the buyer has the money back. Notes are kept.
--
-- Roll back:
--   DROP TABLE ticketing.payments_without_order;

CREATE TABLE ticketing.payments_without_order (
    payment_intent_id text PRIMARY KEY,
    -- as the payment's metadata names it; no foreign key: there is no such order
    order_id          uuid NOT NULL,
    event_id          text NOT NULL,
    amount_cents      bigint NOT NULL,
    currency          text NOT NULL,
    -- null while Stripe has not refunded it (refused, or the payment is unknown to Stripe)
    refund_id         text,
    noticed_at        timestamptz NOT NULL DEFAULT now()
);

-- The alert counts the notes of the last day.
CREATE INDEX payments_without_order_noticed_at ON ticketing.payments_without_order (noticed_at);
