-- Least privilege in a shared commshub-ota store (PostgreSQL 13+; DOMAIN.md decision 21).
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
-- reader: an event that is not an act its key signed is refused, naming it (decision 21).
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

-- The log: append one's own acts; read the chain (numbers and hashes) only.
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
GRANT SELECT (seq, hash), INSERT ON events TO commshub_party;
DROP POLICY IF EXISTS party_appends_its_own_acts ON events;
CREATE POLICY party_appends_its_own_acts ON events FOR INSERT TO commshub_party
    WITH CHECK (actor = commshub_party_actor());
DROP POLICY IF EXISTS party_reads_the_chain ON events;
CREATE POLICY party_reads_the_chain ON events FOR SELECT TO commshub_party USING (true);

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
