-- 0017: every event belongs to one organization, the tenant its money and
-- seats belong to. An organizer or scanner acts for the organizations named
-- in its token (or, without any, for the personal organization named by its
-- own user id), so existing events go to the personal organization of the
-- user who created them. The constraint is added NOT VALID here and
-- validated by 0018, the way a constraint is added to a live table.
--
-- Roll back: (after undoing 0018)
--   ALTER TABLE ticketing.events DROP CONSTRAINT events_organization_present;
--   DROP INDEX ticketing.events_organization_starts_at;
--   ALTER TABLE ticketing.events DROP COLUMN organization_id;

ALTER TABLE ticketing.events ADD COLUMN organization_id text;

UPDATE ticketing.events SET organization_id = created_by WHERE organization_id IS NULL;

ALTER TABLE ticketing.events
    ADD CONSTRAINT events_organization_present CHECK (organization_id IS NOT NULL) NOT VALID;

-- One organization's upcoming events (GET /api/events?organizationId=, readiness).
CREATE INDEX events_organization_starts_at ON ticketing.events (organization_id, starts_at);
