-- 0013: the payment recovery sweep asks every minute for the orders that owe
-- work: unpaid past their deadline, paid and not yet fulfilled, or found
-- unfulfillable and not yet refunded. The last of these was in no index, and
-- with an OR the planner read the whole orders table for all three: a
-- parallel scan of 65 ms at 170,000 orders after a checkout run (130 ms a
-- sweep while the run went on), growing with every order ever sold. This
-- index holds the orders that may owe work and nothing else, so the sweep
-- reads a few pages however many orders are settled. It replaces
-- orders_open_expiry, whose rows it holds too.
--
-- Roll back:
--   CREATE INDEX orders_open_expiry ON ticketing.orders (expires_at) WHERE status IN ('awaiting_payment', 'payment_failed', 'paid');
--   DROP INDEX ticketing.orders_owing_work;

CREATE INDEX orders_owing_work ON ticketing.orders (expires_at)
    WHERE status IN ('awaiting_payment', 'payment_failed', 'paid')
       OR (status = 'unfulfillable' AND automatic_refund_id IS NULL);

DROP INDEX ticketing.orders_open_expiry;
