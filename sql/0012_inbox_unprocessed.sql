-- 0012: the payment recovery sweep looks for Stripe events received but not
-- processed (a crash dropped them mid-way) every minute. With only the primary
-- key to go by it read the whole inbox, every event ever received: 134 ms a
-- sweep at 166,000 events during a checkout run, and the inbox only grows.
-- Indexed by arrival among the unprocessed ones, the sweep reads those alone.
-- An event's receipt writes one index entry more; marking it processed writes
-- none here.
--
-- Roll back:
--   DROP INDEX ticketing.stripe_events_unprocessed;

CREATE INDEX stripe_events_unprocessed ON ticketing.stripe_events (received_at) WHERE status <> 'processed';
