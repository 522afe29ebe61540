-- 0020: an on-sale's waiting room.
--
-- queue_entries: one place a buyer and on-sale, written by the buyer's queue
-- shard before the join is answered. arrival numbers places in the order
-- they were written; early marks a place taken before the opening (those are
-- shuffled at the opening, the others follow in arrival order).
--
-- queue_openings: the seed drawn at the opening, stored before it is used,
-- so an audit can replay the shuffle: early places are ordered by
-- HMAC-SHA256(seed, user_id) (first 8 bytes, a signed big-endian integer),
-- then arrival.
--
-- queue_admissions: the admission steps. A step admits, at admitted_at, every
-- place whose order key (late, rank, arrival) is at or before its frontier
-- and was not admitted by an earlier step. Which places are admitted, and
-- when, follows from these rows and queue_entries alone.
--
-- No foreign key to onsales: an on-sale removed keeps its queue for audit.
--
-- Roll back: DROP TABLE ticketing.queue_admissions, ticketing.queue_openings,
-- ticketing.queue_entries; DROP SEQUENCE ticketing.queue_arrivals;

CREATE SEQUENCE ticketing.queue_arrivals;

CREATE TABLE ticketing.queue_entries (
    onsale_id uuid NOT NULL,
    user_id   text NOT NULL,
    shard     smallint NOT NULL CHECK (shard >= 0),
    arrival   bigint NOT NULL DEFAULT nextval('ticketing.queue_arrivals'),
    early     boolean NOT NULL,
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (onsale_id, user_id)
);

-- A shard reads its places in arrival order when it activates.
CREATE INDEX queue_entries_by_shard ON ticketing.queue_entries (onsale_id, shard, arrival);

CREATE TABLE ticketing.queue_openings (
    onsale_id uuid PRIMARY KEY,
    event_id  uuid NOT NULL REFERENCES ticketing.events (id),
    seed      bytea NOT NULL CHECK (length(seed) = 32),
    opened_at timestamptz NOT NULL
);

CREATE TABLE ticketing.queue_admissions (
    onsale_id        uuid NOT NULL REFERENCES ticketing.queue_openings (onsale_id),
    step             integer NOT NULL CHECK (step >= 1),
    frontier_late    boolean NOT NULL,
    frontier_rank    bigint NOT NULL,
    frontier_arrival bigint NOT NULL,
    admitted_at      timestamptz NOT NULL,
    admitted_total   bigint NOT NULL CHECK (admitted_total >= 0),
    PRIMARY KEY (onsale_id, step)
);
