-- 0005: responses remembered per (user, Idempotency-Key), so a repeated POST
-- returns the first answer instead of acting twice.
--
-- Roll back: DROP TABLE ticketing.idempotency_keys;

CREATE TABLE ticketing.idempotency_keys (
    user_id      text        NOT NULL,
    key          text        NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused
    request_hash bytea       NOT NULL,
    status_code  integer,
    content_type text,
    location     text,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    PRIMARY KEY (user_id, key),
    CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 255),
    CONSTRAINT idempotency_keys_completed_has_response CHECK ((completed_at IS NULL) = (status_code IS NULL))
);

CREATE INDEX idempotency_keys_created_at ON ticketing.idempotency_keys (created_at);
