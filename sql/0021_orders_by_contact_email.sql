-- 0021: an organizer finds a buyer's orders by the e-mail address the buyer
-- gave (GET /api/orders?email=), whatever its case. Without this the lookup
-- reads every order. Orders whose contact details were erased or retired
-- (contact_email NULL) can never match, so they are left out of the index;
-- created_at follows so the newest come first without a sort.
--
-- Roll back:
--   DROP INDEX ticketing.orders_contact_email;

CREATE INDEX orders_contact_email ON ticketing.orders (lower(contact_email), created_at DESC)
    WHERE contact_email IS NOT NULL;
