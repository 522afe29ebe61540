-- 0001: tables and queries for the Orleans ADO.NET providers (invariant
-- "Npgsql"): clustering, reminders and grain storage, as read by the 10.4.2
-- packages (dotnet/orleans 876ffe0). Written for this project from the
-- providers' contract: the providers load every query text from the table
-- OrleansQuery by key, bind named parameters (@DeploymentId, @GrainHash, ...)
-- and read result columns by name, case-insensitively.
--
-- Roll back:
--   DROP TABLE OrleansQuery, orleans_storage, orleans_reminders,
--              orleans_membership, orleans_membership_version;
--   DROP FUNCTION orleans_insert_membership, orleans_update_membership;

-- The providers name this table (unquoted, so lower case) and its two columns.
CREATE TABLE OrleansQuery (
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

------------------------------------------------------------------------------
-- Clustering: one version row per cluster (DeploymentId = ClusterId). Every
-- membership change checks and bumps it: that is the membership table's ETag.
------------------------------------------------------------------------------
CREATE TABLE orleans_membership_version (
    deployment_id varchar(150) PRIMARY KEY,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    version       integer      NOT NULL DEFAULT 0
);

CREATE TABLE orleans_membership (
    deployment_id   varchar(150) NOT NULL REFERENCES orleans_membership_version (deployment_id),
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer      NOT NULL DEFAULT 0,
    -- "ip:port@generation,yyyy-MM-dd HH:mm:ss.fff GMT|..." as the provider writes it
    suspect_times   varchar(8000),
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Adds a silo only if the caller saw the current table version; the version
-- bump and the insert happen together or not at all. Returns 1 or 0.
CREATE FUNCTION orleans_insert_membership(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer,
    p_silo_name varchar, p_host_name varchar, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    -- Taking the version row's lock first serialises concurrent joiners.
    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment_id
      AND version = p_expected_version
      AND version < 2147483647;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name,
                                    status, proxy_port, start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name,
            p_status, p_proxy_port, p_start_time, p_i_am_alive_time)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        -- The silo is already there: undo the version bump as well.
        RAISE EXCEPTION USING ERRCODE = 'unique_violation';
    END IF;
    RETURN 1;
EXCEPTION WHEN unique_violation THEN
    RETURN 0;
END
$fn$;

-- Changes a silo's status and suspicions only if the caller saw the current
-- table version; both writes or neither. Returns 1 or 0.
CREATE FUNCTION orleans_update_membership(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer,
    p_status integer, p_suspect_times varchar, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment_id
      AND version = p_expected_version
      AND version < 2147483647;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE orleans_membership
    SET status = p_status,
        suspect_times = p_suspect_times,
        i_am_alive_time = GREATEST(i_am_alive_time, p_i_am_alive_time)
    WHERE deployment_id = p_deployment_id AND address = p_address
      AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
EXCEPTION WHEN no_data_found THEN
    RETURN 0;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
    WITH created AS (
        INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM created
$q$),
('InsertMembershipKey', $q$
    SELECT orleans_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                     @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),
('UpdateMembershipKey', $q$
    SELECT orleans_update_membership(@DeploymentId, @Address, @Port, @Generation,
                                     @Status, @SuspectTimes, @IAmAliveTime, @Version)
$q$),
-- Heartbeats do not change the table version; GREATEST keeps a delayed
-- heartbeat from moving the time backwards.
('UpdateIAmAlivetimeKey', $q$
    UPDATE orleans_membership
    SET i_am_alive_time = GREATEST(i_am_alive_time, @IAmAliveTime)
    WHERE deployment_id = @DeploymentId AND address = @Address
      AND port = @Port AND generation = @Generation
$q$),
-- Both reads return the version row even with no silo in it (start_time NULL).
('MembershipReadRowKey', $q$
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m
           ON m.deployment_id = v.deployment_id
          AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
    FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
    DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId;
$q$),
-- Status 6 is Dead. Used only where the per-row key below is missing.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId
      AND i_am_alive_time < @IAmAliveTime
      AND start_time < @IAmAliveTime
      AND coalesce(suspect_times, '') = ''
      AND status = 6
$q$),
-- Deletes one dead silo's row only if it is still exactly as the caller read it.
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND address = @Address
      AND port = @Port AND generation = @Generation
      AND status = 6
      AND start_time = @StartTime
      AND i_am_alive_time = @IAmAliveTime
      AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$);

------------------------------------------------------------------------------
-- Reminders. grain_hash is the grain id's uniform hash as a signed integer;
-- silos read their slice of the ring by it. period is in milliseconds.
------------------------------------------------------------------------------
CREATE TABLE orleans_reminders (
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(150) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period        bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $q$
    INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
    SET start_time = excluded.start_time,
        period = excluded.period,
        grain_hash = excluded.grain_hash,
        version = orleans_reminders.version + 1
    RETURNING version AS Version
$q$),
('ReadReminderRowsKey', $q$
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),
('ReadReminderRowKey', $q$
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),
-- A slice of the ring that does not wrap around...
('ReadRangeRows1Key', $q$
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),
-- ...and one that does (or the whole ring, when begin = end).
('ReadRangeRows2Key', $q$
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),
('DeleteReminderRowKey', $q$
    WITH deleted AS (
        DELETE FROM orleans_reminders
        WHERE service_id = @ServiceId AND grain_id = @GrainId
          AND reminder_name = @ReminderName AND version = @Version
        RETURNING 1)
    SELECT count(*)::integer FROM deleted
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM orleans_reminders WHERE service_id = @ServiceId
$q$);

------------------------------------------------------------------------------
-- Grain storage: opaque payloads for state no invariant depends on (tiers and
-- orders have relational tables). version is the ETag; a write names the
-- version it read, and a mismatch is answered with that same version (or
-- NULL for a first write that lost a race), which the provider reports as
-- an inconsistent-state conflict.
------------------------------------------------------------------------------
CREATE TABLE orleans_storage (
    grain_id_hash             integer      NOT NULL,
    grain_id_n0               bigint       NOT NULL,
    grain_id_n1               bigint       NOT NULL,
    grain_type_hash           integer      NOT NULL,
    grain_type_string         varchar(512) NOT NULL,
    grain_id_extension_string varchar(512),
    service_id                varchar(150) NOT NULL,
    payload_binary            bytea,
    modified_on               timestamptz  NOT NULL DEFAULT now(),
    version                   integer,
    -- One row per grain: two first writes racing cannot both insert.
    CONSTRAINT orleans_storage_one_row_per_grain UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type_string, grain_id_extension_string)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $q$
    SELECT payload_binary AS PayloadBinary, version AS Version
    FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
('WriteToStorageKey', $q$
    WITH updated AS (
        UPDATE orleans_storage
        SET payload_binary = @PayloadBinary, modified_on = now(), version = version + 1
        WHERE @GrainStateVersion IS NOT NULL
          AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
          AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_type_string = @GrainTypeString
          AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
          AND version = @GrainStateVersion
        RETURNING version),
    inserted AS (
        INSERT INTO orleans_storage (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, grain_type_string,
                                     grain_id_extension_string, service_id, payload_binary, version)
        SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
               @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING version)
    SELECT coalesce((SELECT version FROM updated), (SELECT version FROM inserted), @GrainStateVersion) AS NewGrainStateVersion
$q$),
('ClearStorageKey', $q$
    UPDATE orleans_storage
    SET payload_binary = NULL, modified_on = now(), version = version + 1
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion
$q$),
('DeleteStorageKey', $q$
    DELETE FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_type_string = @GrainTypeString
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion
$q$);
