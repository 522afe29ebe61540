-- 0002: the ticketing schema. Table and column names are those of the system
-- this one replaces, so its operators' queries still read right.
-- The invariants themselves are added by 0003/0004, the way a constraint is
-- added to a live table (NOT VALID, then VALIDATE).
--
-- Roll back: DROP SCHEMA ticketing CASCADE;  (destroys every ticketing row)

CREATE SCHEMA ticketing;

CREATE TABLE ticketing.events (
    id          uuid PRIMARY KEY,
    title       text        NOT NULL,
    venue       text,
    starts_at   timestamptz NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticketing.ticket_tiers (
    id                uuid PRIMARY KEY,
    event_id          uuid        NOT NULL,
    name              text        NOT NULL,
    price_cents       bigint      NOT NULL,
    currency          text        NOT NULL,
    quantity          integer     NOT NULL,
    reserved_quantity integer     NOT NULL DEFAULT 0,
    issued_quantity   integer     NOT NULL DEFAULT 0,
    max_per_order     integer     NOT NULL DEFAULT 10,
    -- optimistic concurrency: every write checks and bumps it, so a stale or
    -- duplicate grain activation cannot overwrite newer state.
    version           bigint      NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticketing.ticket_holds (
    id          uuid PRIMARY KEY,
    tier_id     uuid        NOT NULL,
    user_id     text        NOT NULL,
    quantity    integer     NOT NULL,
    status      text        NOT NULL DEFAULT 'active',
    order_id    uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz
);

CREATE TABLE ticketing.orders (
    id                       uuid PRIMARY KEY,
    event_id                 uuid        NOT NULL,
    user_id                  text        NOT NULL,
    status                   text        NOT NULL,
    total_cents              bigint      NOT NULL,
    currency                 text        NOT NULL,
    stripe_payment_intent_id text,
    contact_email            text,
    contact_name             text,
    contact_phone            text,
    metadata                 jsonb       NOT NULL DEFAULT '{}'::jsonb,
    version                  bigint      NOT NULL DEFAULT 0,
    created_at               timestamptz NOT NULL DEFAULT now(),
    paid_at                  timestamptz,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticketing.order_items (
    order_id         uuid    NOT NULL,
    tier_id          uuid    NOT NULL,
    hold_id          uuid,
    quantity         integer NOT NULL,
    unit_price_cents bigint  NOT NULL,
    PRIMARY KEY (order_id, tier_id)
);

CREATE TABLE ticketing.tickets (
    id              uuid PRIMARY KEY,
    order_id        uuid        NOT NULL,
    tier_id         uuid        NOT NULL,
    sequence_number integer     NOT NULL,
    status          text        NOT NULL DEFAULT 'issued',
    issued_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticketing.ticket_tokens (
    token           text PRIMARY KEY,
    ticket_id       uuid        NOT NULL,
    status          text        NOT NULL DEFAULT 'active',
    scan_count      integer     NOT NULL DEFAULT 0,
    last_scanned_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

CREATE TABLE ticketing.ticket_scans (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   uuid,
    event_id    uuid        NOT NULL,
    gate        text,
    result      text        NOT NULL,
    scanned_at  timestamptz NOT NULL DEFAULT now()
);

-- Webhook inbox: an event is stored before it is acted on.
CREATE TABLE ticketing.stripe_events (
    event_id     text PRIMARY KEY,
    type         text        NOT NULL,
    payload      jsonb       NOT NULL,
    status       text        NOT NULL DEFAULT 'pending',
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);

CREATE TABLE ticketing.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    entity      text        NOT NULL,
    entity_id   text        NOT NULL,
    action      text        NOT NULL,
    data        jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX ticket_tiers_event_id ON ticketing.ticket_tiers (event_id);
CREATE INDEX ticket_holds_tier_active ON ticketing.ticket_holds (tier_id) WHERE status = 'active';
CREATE INDEX ticket_holds_active_expiry ON ticketing.ticket_holds (expires_at) WHERE status = 'active';
CREATE INDEX orders_event_id ON ticketing.orders (event_id);
CREATE INDEX orders_user_id ON ticketing.orders (user_id);
CREATE INDEX tickets_tier_id ON ticketing.tickets (tier_id);
CREATE INDEX ticket_tokens_ticket_id ON ticketing.ticket_tokens (ticket_id);
CREATE INDEX ticket_scans_ticket_id ON ticketing.ticket_scans (ticket_id);
CREATE INDEX audit_log_entity ON ticketing.audit_log (entity, entity_id);
