-- 0019: an event's on-sale, the rules of a hot opening: holds on the
-- event's tiers need an admission pass from its waiting room, which admits
-- buyers from opens_at at admit_per_minute; a pass lasts pass_minutes; a
-- buyer may have at most max_per_buyer tickets of the event at once (null:
-- only the tiers' max_per_order). id names this on-sale: a new one (after a
-- DELETE) starts a new queue with a new shuffle, and passes of the old one
-- are no longer valid.
--
-- Roll back: DROP TABLE ticketing.onsales;

CREATE TABLE ticketing.onsales (
    event_id         uuid PRIMARY KEY REFERENCES ticketing.events (id),
    id               uuid NOT NULL UNIQUE,
    opens_at         timestamptz NOT NULL,
    admit_per_minute integer NOT NULL CHECK (admit_per_minute BETWEEN 1 AND 1000000),
    pass_minutes     integer NOT NULL CHECK (pass_minutes BETWEEN 1 AND 1440),
    max_per_buyer    integer CHECK (max_per_buyer BETWEEN 1 AND 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
