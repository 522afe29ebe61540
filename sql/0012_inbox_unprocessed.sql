-- 0012: the payment recovery sweep looks for Stripe events received but not
-- processed (a crash dropped them mid-way) every minute. With only the primary
-- key to go by it read the whole inbox, every event ever received: 134 ms a
-- sweep at 166,000 events during a checkout run, and the inbox only grows.
-- Indexed by arrival among the unprocessed ones, the sweep reads those, and
-- until the next vacuum the entries of events processed since it last ran:
-- 30,000 events processed since, 1,742 pages and 6 ms once (the scan marks
-- their entries dead), 83 pages the next time, 1 page after a vacuum.
-- An event's receipt writes one index entry more, and marking it processed
-- (a change of status, which this index names) is no longer a HOT update: it
-- writes a new primary-key entry too.
--
-- Roll back:
--   DROP INDEX ticketing.stripe_events_unprocessed;

CREATE INDEX stripe_events_unprocessed ON ticketing.stripe_events (received_at) WHERE status <> 'processed';
