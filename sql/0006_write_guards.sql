-- 0006: a guard for writes sent as one batch (one round trip, PostgreSQL's
-- implicit transaction): when a statement touched another number of rows
-- than the writer expected, its view is stale, so the whole batch must fail.
-- Raising serialization_failure (40001) rolls every statement of the batch back.
--
-- Roll back: DROP FUNCTION ticketing.expect_rows(bigint, bigint, text);

CREATE FUNCTION ticketing.expect_rows(actual bigint, expected bigint, what text)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF actual <> expected THEN
        RAISE EXCEPTION '%: % rows where % were expected', what, actual, expected
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$fn$;
