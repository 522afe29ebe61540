-- 0010: room on the pages that check-in rewrites. A ticket is written once
-- at admission and its code on every scan; with a fifth of each page kept
-- free, PostgreSQL rewrites the row on its own page (a HOT update) and adds
-- nothing to the tables' indexes. Full pages (tickets are inserted by the
-- thousand) made most scans add a new entry to every index of both tables.
--
-- Applies to pages written from now on; an existing venue's tables take it
-- when rewritten (VACUUM FULL or pg_repack, outside the gates' hours).
--
-- Roll back:
--   ALTER TABLE ticketing.tickets RESET (fillfactor);
--   ALTER TABLE ticketing.ticket_tokens RESET (fillfactor);

ALTER TABLE ticketing.tickets SET (fillfactor = 80);
ALTER TABLE ticketing.ticket_tokens SET (fillfactor = 80);
