-- 0018: checks the rows that 0017 backfilled, without blocking writes to the
-- events table while it reads them, then makes the column NOT NULL (which
-- PostgreSQL proves from the validated constraint without another scan).
--
-- Roll back:
--   ALTER TABLE ticketing.events ALTER COLUMN organization_id DROP NOT NULL;

ALTER TABLE ticketing.events VALIDATE CONSTRAINT events_organization_present;

ALTER TABLE ticketing.events ALTER COLUMN organization_id SET NOT NULL;
