-- Least privilege in a shared commshub-ota store (PostgreSQL 13+; docs/domain.md decision 21).
--
-- The host (the DCC's service) owns the tables: it creates them on its first Engine.open and
-- reads and writes everything (an owner is not subject to row-level security). Every other
-- party connects as its own login role, a member of `commshub_party`, and may only:
--   * append events recorded as its own acts (row-level security checks the `actor` column
--     against the party its login role is registered as), reading of the log only the number
--     and chain hash of each event, which an append must chain to;
--   * read its own notification feed: the recipient, its own position and the notice, never
--     the event numbers the host keeps beside them (they count every party's events);
--   * read the store's format, its signed log's identity and the DCC's latest checkpoint.
-- It can change, delete or read nothing else. What it appends is still verified by every
-- reader: an event that is not an act its key signed is refused, naming it (decision 21), and
-- until the owner removes it every reader stops there: a party that can append can stop the
-- log (attributably: its role, its actor). Where that is not acceptable, do not grant
-- commshub_append, and have parties send their signed commands to the host instead
-- (Engine::execute_signed), which refuses a bad one without recording anything.
--
-- Run as the tables' owner, once per database (it is idempotent); then register each party:
--   CREATE ROLE supplier_a LOGIN PASSWORD '...' IN ROLE commshub_party;
--   INSERT INTO commshub_parties (role_name, actor) VALUES ('supplier_a', 'customer:SUP-A');

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'commshub_party') THEN
        CREATE ROLE commshub_party NOLOGIN;
    END IF;
END
$$;

-- Which party each login role acts as. Only the owner changes it.
CREATE TABLE IF NOT EXISTS commshub_parties (
    role_name TEXT PRIMARY KEY,
    actor     TEXT NOT NULL UNIQUE
);
REVOKE ALL ON commshub_parties FROM PUBLIC;

-- The party the session's login role acts as (NULL for any other role). SECURITY DEFINER so
-- that a party reads its own row of commshub_parties without reading the table.
CREATE OR REPLACE FUNCTION commshub_party_actor() RETURNS TEXT
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT actor FROM public.commshub_parties WHERE role_name = session_user $$;
REVOKE ALL ON FUNCTION commshub_party_actor() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION commshub_party_actor() TO commshub_party;

REVOKE ALL ON events, snapshots, snapshot_chunks, feed, meta FROM PUBLIC;
REVOKE ALL ON events, snapshots, snapshot_chunks, feed, meta FROM commshub_party;

-- The log: read the chain (numbers and hashes) only; append through commshub_append().
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
GRANT SELECT (seq, hash) ON events TO commshub_party;
DROP POLICY IF EXISTS party_appends_its_own_acts ON events;
DROP POLICY IF EXISTS party_reads_the_chain ON events;
CREATE POLICY party_reads_the_chain ON events FOR SELECT TO commshub_party USING (true);

-- Appends one act's events (their JSON lines, without the hash, as the library writes them),
-- chained after the head; the new head's number. Runs as the owner, under the writers' lock.
CREATE OR REPLACE FUNCTION commshub_append(bodies TEXT[]) RETURNS BIGINT
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me         TEXT := public.commshub_party_actor();
    last_seq   BIGINT;
    last_hash  TEXT;
    body       TEXT;
    doc        JSONB;
    n          INTEGER := 0;
    recorded   TIMESTAMPTZ;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'commshub_append: % is no registered party', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF bodies IS NULL OR cardinality(bodies) = 0 OR cardinality(bodies) > 1000 THEN
        RAISE EXCEPTION 'commshub_append: one act is 1 to 1000 events' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(201695354); -- the writers' lock (store/postgres.rs WRITE_LOCK)
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM public.events e ORDER BY e.seq DESC LIMIT 1;
    last_seq := coalesce(last_seq, 0);
    last_hash := coalesce(last_hash, repeat('0', 64));
    FOREACH body IN ARRAY bodies LOOP
        n := n + 1;
        IF octet_length(body) > 4194304 THEN
            RAISE EXCEPTION 'commshub_append: event % is over 4 MiB', n USING ERRCODE = 'program_limit_exceeded';
        END IF;
        doc := body::jsonb;
        IF (doc->>'seq')::BIGINT IS DISTINCT FROM last_seq + 1 THEN
            RAISE EXCEPTION 'commshub_append: event % is numbered %, not the head''s next, %', n, doc->>'seq', last_seq + 1
                USING ERRCODE = 'check_violation';
        END IF;
        IF n = 1 AND (doc->>'actor' IS DISTINCT FROM me OR doc->'act'->>'by' IS DISTINCT FROM me) THEN
            RAISE EXCEPTION 'commshub_append: the first event must be %''s act', me
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF n > 1 AND (doc ? 'act' OR doc->>'actor' NOT IN (me, 'system')) THEN
            RAISE EXCEPTION 'commshub_append: event % is not % or the system''s within its act', n, me
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        recorded := (doc->>'at')::TIMESTAMPTZ;
        IF recorded > now() + interval '5 minutes' OR recorded < now() - interval '5 minutes' THEN
            RAISE EXCEPTION 'commshub_append: recorded at %, not within five minutes of the server''s clock', doc->>'at'
                USING ERRCODE = 'check_violation';
        END IF;
        last_hash := encode(sha256(decode(last_hash, 'hex') || convert_to(body, 'UTF8')), 'hex');
        last_seq := last_seq + 1;
        INSERT INTO public.events (seq, at, actor, type, body, hash)
            VALUES (last_seq, doc->>'at', doc->>'actor', doc->'payload'->>'type', body, last_hash);
    END LOOP;
    PERFORM pg_notify('commshub_ota_events', last_seq::TEXT);
    RETURN last_seq;
END
$$;
REVOKE ALL ON FUNCTION commshub_append(TEXT[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION commshub_append(TEXT[]) TO commshub_party;

-- The feed: one's own notices, without the event numbers.
ALTER TABLE feed ENABLE ROW LEVEL SECURITY;
GRANT SELECT (recipient, position, body) ON feed TO commshub_party;
DROP POLICY IF EXISTS party_reads_its_own_feed ON feed;
CREATE POLICY party_reads_its_own_feed ON feed FOR SELECT TO commshub_party
    USING (recipient = commshub_party_actor());

-- What the store says of itself that a party needs.
ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON meta TO commshub_party;
DROP POLICY IF EXISTS party_reads_the_logs_identity ON meta;
CREATE POLICY party_reads_the_logs_identity ON meta FOR SELECT TO commshub_party
    USING (key IN ('store_format', 'signed_log', 'checkpoint'));
