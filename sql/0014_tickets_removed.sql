-- 0014: the minute alert paid_orders_missing_tickets recounted the tickets of
-- every order changed in its window (two minutes) against what was ordered:
-- about a second of one core every minute at 1,000 orders a second, in one
-- burst, and it re-checked what orders_fulfilled_has_all_tickets (0007)
-- already refuses at commit. What the commit-time check cannot see is tickets
-- taken away afterwards: the product never deletes a ticket (a refund or a
-- dispute ends it), so a deletion is an accident or a hand at the database.
-- Each one is now noted here, and the alert recounts only the orders noted:
-- none in normal operation, and it also sees an order changed long before.
-- Notes are kept (there are none in normal operation); the daily
-- reconciliation recounts every order regardless.
--
-- Roll back:
--   DROP TRIGGER tickets_removed ON ticketing.tickets;
--   DROP FUNCTION ticketing.note_tickets_removed();
--   DROP TABLE ticketing.orders_tickets_removed;

CREATE TABLE ticketing.orders_tickets_removed (
    order_id   uuid PRIMARY KEY,
    removed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION ticketing.note_tickets_removed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO ticketing.orders_tickets_removed (order_id)
    SELECT DISTINCT order_id FROM removed
    ON CONFLICT (order_id) DO UPDATE SET removed_at = now();
    RETURN NULL;
END
$fn$;

CREATE TRIGGER tickets_removed
    AFTER DELETE ON ticketing.tickets
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION ticketing.note_tickets_removed();
