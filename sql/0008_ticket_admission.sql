-- 0008: check-in. A ticket remembers its one admission (time and gate); the
-- scan history is the record of every scan, and holds at most one admission
-- per ticket whatever the application does.
--
-- Roll back:
--   DROP INDEX ticketing.ticket_scans_one_admission_per_ticket;
--   DROP INDEX ticketing.ticket_scans_event_id;
--   ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_admitted_with_gate_time,
--       DROP COLUMN admitted_at, DROP COLUMN admitted_gate;
--   ALTER TABLE ticketing.ticket_scans DROP COLUMN token_hint;

ALTER TABLE ticketing.tickets
    ADD COLUMN admitted_at   timestamptz,
    ADD COLUMN admitted_gate text,
    ADD CONSTRAINT tickets_admitted_with_gate_time CHECK (admitted_gate IS NULL OR admitted_at IS NOT NULL);

-- The first characters of the code scanned, for tracing scans of unknown or
-- revoked codes without storing whole codes in the history.
ALTER TABLE ticketing.ticket_scans ADD COLUMN token_hint text;

CREATE UNIQUE INDEX ticket_scans_one_admission_per_ticket ON ticketing.ticket_scans (ticket_id) WHERE result = 'admitted';
CREATE INDEX ticket_scans_event_id ON ticketing.ticket_scans (event_id, scanned_at);
