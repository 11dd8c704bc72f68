//! The shared store: one PostgreSQL database that several processes (service instances, a DCC
//! and CSPs hosting one log) write and follow.
//!
//! The same tables as SQLite's (`events`, `snapshots`, `feed`, `meta`). A write takes a
//! transaction-scoped advisory lock, checks the last event and appends, so writers serialise
//! and the one that lost the race gets [`Error::Conflict`]; the primary key on `seq` refuses a
//! duplicate even without the lock. A commit is durable when it returns (the server's
//! `synchronous_commit = on`, its default, which the store checks). Each append sends
//! `NOTIFY commshub_ota_events`, which wakes followers blocked in [`EventStore::wait`].

use std::time::{Duration, Instant};

use fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use super::{hash_from, snapshot, EventStore, FeedPage, FeedRow, Head, Record};
use crate::kernel::error::Error;

/// The least-privilege setup of a shared store (`postgres_least_privilege.sql`): roles and
/// row-level security so that a party's own login role appends only its own acts and reads only
/// its own feed. Run by the tables' owner after the first open; see the file's comments.
pub const LEAST_PRIVILEGE_SQL: &str = include_str!("postgres_least_privilege.sql");

/// An error as the store's I/O error, with the server's own message and SQLSTATE for a
/// PostgreSQL one (`postgres::Error` alone says only "db error").
fn io_error<E: std::fmt::Display + 'static>(location: &str, e: E) -> Error {
    let any: &dyn std::any::Any = &e;
    let text = match any
        .downcast_ref::<postgres::Error>()
        .and_then(|pg| pg.as_db_error())
    {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    };
    super::io_error(location, text)
}

/// The channel appends are announced on.
pub const CHANNEL: &str = "commshub_ota_events";

/// The advisory lock every writer of a store takes for its transaction.
const WRITE_LOCK: i64 = 0x0C05_A07A;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq   BIGINT PRIMARY KEY,
    at    TEXT NOT NULL,
    actor TEXT NOT NULL,
    type  TEXT NOT NULL,
    body  TEXT NOT NULL,
    hash  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    seq    BIGINT PRIMARY KEY,
    format INTEGER NOT NULL,
    hubs   BIGINT NOT NULL,
    bytes  BIGINT NOT NULL,
    data   BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_chunks (
    seq  BIGINT NOT NULL,
    n    INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (seq, n)
);
CREATE TABLE IF NOT EXISTS feed (
    recipient TEXT NOT NULL,
    position  BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    n         INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (recipient, position)
);
CREATE INDEX IF NOT EXISTS feed_by_event ON feed (seq, n, recipient);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('store_format', '1'), ('feed_through', '0')
    ON CONFLICT (key) DO NOTHING;
";

pub struct PgStore {
    client: Client,
    location: String,
    chunk_bytes: usize,
    /// `lock` began a transaction holding the writers' lock, which the next append commits.
    locked: bool,
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`) and creates
    /// the tables when missing.
    pub fn open(url: &str) -> Result<PgStore, Error> {
        let location = redact(url);
        let err = |e: postgres::Error| io_error(&location, e);
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        // A party's login role under the least-privilege setup may not create or change the
        // tables (they exist: the host made them): it skips that step.
        let party: bool = client
            .query_one(
                "SELECT to_regclass('meta') IS NOT NULL AND NOT has_table_privilege('meta', 'INSERT')",
                &[],
            )
            .map_err(err)?
            .get(0);
        if !party {
            // Two processes creating the tables at once would collide: one at a time.
            let mut tx = client.transaction().map_err(err)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map_err(err)?;
            tx.batch_execute(SCHEMA).map_err(err)?;
            tx.commit().map_err(err)?;
        }
        let sync: String = client
            .query_one("SHOW synchronous_commit", &[])
            .map_err(err)?
            .get(0);
        if sync == "off" {
            return Err(io_error(
                &location,
                "synchronous_commit is off: an acknowledged command could be lost",
            ));
        }
        let format: String = client
            .query_one("SELECT value FROM meta WHERE key = 'store_format'", &[])
            .map_err(err)?
            .get(0);
        if format != "1" {
            return Err(io_error(
                &location,
                format!("store format {format}; this build reads format 1"),
            ));
        }
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(err)?;
        Ok(PgStore {
            client,
            location,
            chunk_bytes: super::SNAPSHOT_CHUNK_BYTES,
            locked: false,
        })
    }

    /// The same store, keeping snapshots in pieces of at most `bytes` (at least 1; the default
    /// is [`super::SNAPSHOT_CHUNK_BYTES`]): for a test of a store with a small value limit.
    pub fn with_snapshot_chunk_bytes(mut self, bytes: usize) -> PgStore {
        self.chunk_bytes = bytes.max(1);
        self
    }

    fn err(&self) -> impl Fn(postgres::Error) -> Error + '_ {
        |e| io_error(&self.location, e)
    }
}

fn last_seq(client: &mut impl postgres::GenericClient) -> Result<u64, postgres::Error> {
    let row = client.query_one("SELECT coalesce(max(seq), 0) FROM events", &[])?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// The last event whose notices the feed holds: by the mark and by the feed's own rows (see
/// the SQLite store).
fn feed_through(client: &mut impl postgres::GenericClient) -> Result<u64, postgres::Error> {
    let row = client.query_one("SELECT value FROM meta WHERE key = 'feed_through'", &[])?;
    let held: i64 = client
        .query_one("SELECT coalesce(max(seq), 0) FROM feed", &[])?
        .get(0);
    Ok(row
        .get::<_, String>(0)
        .parse::<u64>()
        .unwrap_or(0)
        .max(held as u64))
}

impl EventStore for PgStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn head(&mut self) -> Result<Head, Error> {
        let location = self.location.clone();
        let row = self
            .client
            .query_opt(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .map_err(|e| io_error(&location, e))?;
        match row {
            None => Ok(Head::EMPTY),
            Some(row) => {
                let seq = row.get::<_, i64>(0) as u64;
                Ok(Head {
                    seq,
                    hash: hash_from(row.get(1), seq)?,
                })
            }
        }
    }

    fn lock(&mut self) -> Result<(), Error> {
        if !self.locked {
            self.client
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                ))
                .map_err(self.err())?;
            self.locked = true;
        }
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), Error> {
        if self.locked {
            self.locked = false;
            self.client.batch_execute("ROLLBACK").map_err(self.err())?;
        }
        Ok(())
    }

    fn append(&mut self, expected: u64, records: &[Record]) -> Result<(), Error> {
        let location = self.location.clone();
        if self.locked {
            // The transaction `lock` began: appended in it, then committed (or rolled back).
            self.locked = false;
            let appended = append_rows(&mut self.client, &location, expected, records);
            let end = if appended.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            let ended = self
                .client
                .batch_execute(end)
                .map_err(|e| io_error(&location, e));
            return appended.and(ended);
        }
        let mut tx = self
            .client
            .transaction()
            .map_err(|e| io_error(&location, e))?;
        append_rows(&mut tx, &location, expected, records)?;
        tx.commit().map_err(|e| io_error(&location, e))
    }

    fn read(
        &mut self,
        after: u64,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Vec<Record>, Error> {
        let location = self.location.clone();
        let err = |e: postgres::Error| io_error(&location, e);
        if self.locked {
            // Inside the transaction `lock` began (a portal's own transaction would end it):
            // a few rows a query, as the portal would fetch them.
            let (after, limit) = (after as i64, max_events.clamp(1, 16) as i64);
            let rows = self
                .client
                .query(
                    "SELECT seq, at, actor, type, body, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&after, &limit],
                )
                .map_err(err)?;
            return rows
                .iter()
                .map(|row| {
                    let seq = row.get::<_, i64>(0) as u64;
                    Ok(Record {
                        seq,
                        at: row.get(1),
                        actor: row.get(2),
                        kind: row.get(3),
                        body: row.get(4),
                        hash: hash_from(row.get(5), seq)?,
                    })
                })
                .collect();
        }
        // One event at a time past the byte budget: a portal fetches rows as they are read.
        let mut tx = self.client.transaction().map_err(err)?;
        let stmt = tx
            .prepare(
                "SELECT seq, at, actor, type, body, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .map_err(err)?;
        let after = after as i64;
        let limit = max_events.max(1) as i64;
        let portal = tx.bind(&stmt, &[&after, &limit]).map_err(err)?;
        let mut out = Vec::new();
        let mut bytes = 0;
        'fetch: loop {
            let rows = tx.query_portal(&portal, 16).map_err(err)?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let seq = row.get::<_, i64>(0) as u64;
                let body: String = row.get(4);
                bytes += body.len();
                out.push(Record {
                    seq,
                    at: row.get(1),
                    actor: row.get(2),
                    kind: row.get(3),
                    body,
                    hash: hash_from(row.get(5), seq)?,
                });
                if bytes >= max_bytes {
                    break 'fetch;
                }
            }
        }
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn put_snapshot(&mut self, seq: u64, bytes: &[u8]) -> Result<(), Error> {
        // A signed store's snapshot ends with its signature, stripped once here to read the
        // header (the opener checks the signature, then decodes exactly what it covers).
        let header = snapshot::check(crate::kernel::signing::snapshot_unsigned_part(bytes))?;
        let location = self.location.clone();
        let err = |e: postgres::Error| io_error(&location, e);
        let mut tx = self.client.transaction().map_err(err)?;
        let (seq, format, hubs, len) = (
            seq as i64,
            header.format as i32,
            header.hubs as i64,
            bytes.len() as i64,
        );
        let (first, rest) = bytes.split_at(bytes.len().min(self.chunk_bytes));
        tx.execute(
            "INSERT INTO snapshots (seq, format, hubs, bytes, data) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (seq) DO UPDATE SET format = $2, hubs = $3, bytes = $4, data = $5",
            &[&seq, &format, &hubs, &len, &first],
        )
        .map_err(err)?;
        tx.execute("DELETE FROM snapshot_chunks WHERE seq = $1", &[&seq])
            .map_err(err)?;
        for (n, piece) in rest.chunks(self.chunk_bytes).enumerate() {
            let n = n as i32 + 1;
            tx.execute(
                "INSERT INTO snapshot_chunks (seq, n, data) VALUES ($1, $2, $3)",
                &[&seq, &n, &piece],
            )
            .map_err(err)?;
        }
        tx.execute(
            "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)",
            &[],
        )
        .map_err(err)?;
        tx.execute(
            "DELETE FROM snapshot_chunks WHERE seq NOT IN (SELECT seq FROM snapshots)",
            &[],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn snapshots(&mut self) -> Result<Vec<u64>, Error> {
        let rows = self
            .client
            .query("SELECT seq FROM snapshots ORDER BY seq DESC", &[])
            .map_err(self.err())?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect())
    }

    fn snapshot(&mut self, seq: u64) -> Result<Vec<u8>, Error> {
        let seq = seq as i64;
        let row = self
            .client
            .query_one("SELECT data FROM snapshots WHERE seq = $1", &[&seq])
            .map_err(self.err())?;
        let mut bytes: Vec<u8> = row.get(0);
        let pieces = self
            .client
            .query(
                "SELECT data FROM snapshot_chunks WHERE seq = $1 ORDER BY n",
                &[&seq],
            )
            .map_err(self.err())?;
        for piece in pieces {
            bytes.extend_from_slice(piece.get::<_, &[u8]>(0));
        }
        Ok(bytes)
    }

    fn feed_through(&mut self) -> Result<u64, Error> {
        let location = self.location.clone();
        feed_through(&mut self.client).map_err(|e| io_error(&location, e))
    }

    fn put_feed(&mut self, through: u64, rows: &[FeedRow]) -> Result<(), Error> {
        let location = self.location.clone();
        let err = |e: postgres::Error| io_error(&location, e);
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(err)?;
        let done = feed_through(&mut tx).map_err(err)?;
        if through <= done {
            return Ok(());
        }
        let last = tx
            .prepare("SELECT coalesce(max(position), 0) FROM feed WHERE recipient = $1")
            .map_err(err)?;
        let insert = tx
            .prepare(
                "INSERT INTO feed (recipient, position, seq, n, body) VALUES ($1, $2, $3, $4, $5)",
            )
            .map_err(err)?;
        for row in rows.iter().filter(|r| r.seq > done) {
            let position: i64 = tx.query_one(&last, &[&row.recipient]).map_err(err)?.get(0);
            let mut n = row.notification.clone();
            n.id = crate::kernel::limits::signed(position) + 1;
            let body = serde_json::to_string(&n).map_err(|e| io_error(&location, e))?;
            let (pos, seq, idx) = (n.id, row.seq as i64, row.n as i32);
            tx.execute(&insert, &[&row.recipient, &pos, &seq, &idx, &body])
                .map_err(err)?;
        }
        tx.execute(
            "UPDATE meta SET value = $1 WHERE key = 'feed_through'",
            &[&through.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn feed(&mut self, recipient: &str, after: u64, limit: u32) -> Result<FeedPage, Error> {
        let (after_i, limit) = (after as i64, i64::from(limit));
        let rows = self
            .client
            .query(
                "SELECT body FROM feed WHERE recipient = $1 AND position > $2 ORDER BY position LIMIT $3",
                &[&recipient, &after_i, &limit],
            )
            .map_err(self.err())?;
        let bodies = rows.iter().map(|r| r.get::<_, String>(0)).collect();
        super::feed_page(&self.location, after, bodies)
    }

    fn feed_rows(
        &mut self,
        after: (u64, u32, &str),
        limit: usize,
    ) -> Result<Vec<super::StoredFeedRow>, Error> {
        let (seq, n, limit) = (after.0 as i64, after.1 as i32, limit as i64);
        let rows = self
            .client
            .query(
                "SELECT recipient, position, seq, n, body FROM feed
                 WHERE (seq, n, recipient) > ($1, $2, $3) ORDER BY seq, n, recipient LIMIT $4",
                &[&seq, &n, &after.2, &limit],
            )
            .map_err(self.err())?;
        Ok(rows
            .iter()
            .map(|r| super::StoredFeedRow {
                recipient: r.get(0),
                position: r.get::<_, i64>(1) as u64,
                seq: r.get::<_, i64>(2) as u64,
                n: r.get::<_, i32>(3) as u32,
                body: r.get(4),
            })
            .collect())
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, Error> {
        let rows = self
            .client
            .query("SELECT value FROM meta WHERE key = $1", &[&key])
            .map_err(self.err())?;
        Ok(rows.first().map(|r| r.get::<_, String>(0)))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.client
            .execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    fn wait(&mut self, seen: u64, timeout: Duration) -> Result<bool, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            let location = self.location.clone();
            if last_seq(&mut self.client).map_err(|e| io_error(&location, e))? > seen {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            // Woken by the next NOTIFY (or the deadline); the head is looked at again either
            // way, so a notice that arrived before LISTEN took effect is not missed.
            let mut notices = self.client.notifications();
            let _ = notices
                .timeout_iter(deadline - now)
                .next()
                .map_err(|e| io_error(&location, e))?;
        }
    }
}

/// Takes the writers' lock (again, within a locked transaction: advisory locks stack), checks
/// that the store's last event is `expected`, inserts `records` and notifies the followers, on
/// `client` inside a transaction the caller commits.
fn append_rows(
    client: &mut impl postgres::GenericClient,
    location: &str,
    expected: u64,
    records: &[Record],
) -> Result<(), Error> {
    let err = |e: postgres::Error| io_error(location, e);
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(err)?;
    let found = last_seq(client).map_err(err)?;
    if found != expected {
        return Err(Error::Conflict {
            expected: Some(expected),
            found: Some(found),
        });
    }
    let insert = client
        .prepare(
            "INSERT INTO events (seq, at, actor, type, body, hash) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .map_err(err)?;
    for r in records {
        let seq = r.seq as i64;
        let hash = crate::journal::hex(&r.hash);
        client
            .execute(&insert, &[&seq, &r.at, &r.actor, &r.kind, &r.body, &hash])
            .map_err(|e| {
                if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
                    Error::Conflict {
                        expected: Some(expected),
                        found: Some(r.seq),
                    }
                } else {
                    err(e)
                }
            })?;
    }
    if let Some(last) = records.last() {
        client
            .execute(
                "SELECT pg_notify($1, $2)",
                &[&CHANNEL, &last.seq.to_string()],
            )
            .map_err(err)?;
    }
    Ok(())
}
