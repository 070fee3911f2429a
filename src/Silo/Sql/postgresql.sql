-- Tenant Billing: PostgreSQL schema for Orleans 10.4.2 ADO.NET clustering, grain storage and reminders.
--
-- The Orleans ADO.NET providers ship no SQL: at start they read their statements from the OrleansQuery
-- table (by QueryKey), bind parameters by name (@DeploymentId, @GrainIdHash, ...) and read result
-- columns by name, so the quoted column aliases below are part of that contract.
--
-- Applying this file is idempotent and never drops data: tables and indexes are created only when
-- missing, and every OrleansQuery row is upserted so that a changed statement replaces the old one.
-- Silos apply it at start (PostgresSchema.ApplyAsync); by hand: psql -v ON_ERROR_STOP=1 -f postgresql.sql
-- Needs PostgreSQL 15 or later (UNIQUE NULLS NOT DISTINCT).

BEGIN;

-- Several silos may start at once; CREATE ... IF NOT EXISTS is not safe against a concurrent creator,
-- so each application waits for the previous one. The key is an arbitrary constant owned by this file.
SELECT pg_advisory_xact_lock(7305213470425660161);

-- Name and columns fixed by Orleans, which runs "SELECT QueryKey, QueryText FROM OrleansQuery".
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per cluster (Orleans calls the ClusterId "DeploymentId"). Its version is the optimistic
-- concurrency token of the whole membership table: every membership insert or update must name the
-- version it read and bumps it, so two silos cannot both act on a stale view.
CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    modified_on   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Grain state. The provider hashes the grain id and the state name to two integers that lead the
-- key, then compares the full natural key. version is the ETag: it starts at 1 and every write or
-- clear must name the current one.
CREATE TABLE IF NOT EXISTS orleans_storage
(
    grain_id_hash             integer     NOT NULL,
    grain_type_hash           integer     NOT NULL,
    service_id                text        NOT NULL,
    grain_type_string         text        NOT NULL,
    grain_id_n0               bigint      NOT NULL,
    grain_id_n1               bigint      NOT NULL,
    grain_id_extension_string text,
    payload_binary            bytea,
    version                   integer     NOT NULL,
    modified_on               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_storage_grain UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string)
);

CREATE TABLE IF NOT EXISTS orleans_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo loads the reminders whose grain hash falls in its part of the ring.
CREATE INDEX IF NOT EXISTS orleans_reminders_range ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES

-- ---------------------------------------------------------------------------------------------
-- Clustering (membership). Boolean results must be exactly one row with one column.
-- ---------------------------------------------------------------------------------------------

('InsertMembershipVersionKey', $sql$
WITH inserted AS (
    INSERT INTO orleans_membership_version (deployment_id, version)
    VALUES (@DeploymentId, 0)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted)
$sql$),

-- @Version is the table version the caller read; the row is written only while it is still current.
('InsertMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version
    SET version = version + 1, modified_on = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orleans_membership
          WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), inserted AS (
    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted)
$sql$),

('UpdateMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version
    SET version = version + 1, modified_on = now()
    WHERE deployment_id = @DeploymentId
      AND version = @Version
      AND EXISTS (
          SELECT 1 FROM orleans_membership
          WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id
), updated AS (
    UPDATE orleans_membership AS m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated)
$sql$),

-- Liveness heartbeat: deliberately does not bump the table version.
('UpdateIAmAlivetimeKey', $sql$
UPDATE orleans_membership
SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$sql$),

-- Both reads return the version row even when no silo row matches (StartTime is then NULL).
('MembershipReadAllKey', $sql$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version AS v
LEFT JOIN orleans_membership AS m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$sql$),

('MembershipReadRowKey', $sql$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version AS v
LEFT JOIN orleans_membership AS m
       ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$sql$),

-- Clients: the gateways of silos in @Status (Active).
('GatewaysQueryKey', $sql$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$sql$),

-- Silo rows go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM orleans_membership_version
WHERE deployment_id = @DeploymentId
$sql$),

-- Rows of Dead (6) silos silent since @IAmAliveTime. Only Dead ones: a silo still joining on a slow
-- machine has an old i_am_alive_time too, and deleting its row would make it find itself dead.
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status = 6
$sql$),

-- ---------------------------------------------------------------------------------------------
-- Grain storage. A write or clear that does not match the caller's ETag (@GrainStateVersion)
-- returns NULL or no row, which the provider turns into an InconsistentStateException.
-- ---------------------------------------------------------------------------------------------

('ReadFromStorageKey', $sql$
SELECT payload_binary AS "PayloadBinary", version AS "Version"
FROM orleans_storage
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_type_string = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
$sql$),

-- No ETag: first write, insert version 1 unless another writer got there first.
-- With an ETag: update only while the stored version still equals it.
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE orleans_storage
    SET payload_binary = @PayloadBinary, version = version + 1, modified_on = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_type_string = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version
), inserted AS (
    INSERT INTO orleans_storage
        (grain_id_hash, grain_type_hash, service_id, grain_type_string, grain_id_n0, grain_id_n1,
         grain_id_extension_string, payload_binary, version)
    SELECT @GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
           @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted) AS "NewGrainStateVersion"
$sql$),

-- Keeps the row (and its version) so that a stale writer is still caught after a clear.
('ClearStorageKey', $sql$
UPDATE orleans_storage
SET payload_binary = NULL, version = version + 1, modified_on = now()
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_type_string = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS "NewGrainStateVersion"
$sql$),

-- ---------------------------------------------------------------------------------------------
-- Reminders. The version column is the reminder's ETag.
-- ---------------------------------------------------------------------------------------------

('ReadReminderRowsKey', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId
$sql$),

('ReadReminderRowKey', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$sql$),

-- Ring range (@BeginHash, @EndHash] that does not wrap in signed integer order.
('ReadRangeRows1Key', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$sql$),

-- Ring range that wraps around.
('ReadRangeRows2Key', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$sql$),

('UpsertReminderRowKey', $sql$
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time,
    period = excluded.period,
    grain_hash = excluded.grain_hash,
    version = orleans_reminders.version + 1
RETURNING version AS "Version"
$sql$),

('DeleteReminderRowKey', $sql$
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted)
$sql$),

('DeleteReminderRowsKey', $sql$
DELETE FROM orleans_reminders
WHERE service_id = @ServiceId
$sql$)

ON CONFLICT (QueryKey) DO UPDATE
SET QueryText = excluded.QueryText
WHERE OrleansQuery.QueryText IS DISTINCT FROM excluded.QueryText;

COMMIT;
