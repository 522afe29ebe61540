-- 0022: the key ring of ASP.NET Core data protection, which seals session
-- cookies, antiforgery tokens and OpenID Connect sign-in state. Every silo
-- reads and writes the same ring, so a cookie one silo wrote is read by any
-- other. Each key's secret part is encrypted by the silo before it is stored
-- here (docs/architecture.md, "Browser sessions"); rows are only added, and
-- data protection itself ignores keys past their expiry.
--
-- Roll back: DROP TABLE ticketing.session_keys; (every session and
-- antiforgery token then ends: the silos make a new key.)

CREATE TABLE ticketing.session_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- data protection's own name for the element, such as key-<uuid>
    name       text        NOT NULL,
    xml        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
