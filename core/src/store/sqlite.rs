//! The embedded store: one SQLite file (rusqlite, SQLite bundled and built in).
//!
//! - **WAL** journal: readers (a follower, an auditor's `sqlite3` shell) never block the writer.
//! - **`synchronous = FULL`**: each commit fsyncs the write-ahead log before it returns, so an
//!   acknowledged command survives a power cut, not only a crash of the process. `NORMAL` is
//!   faster in WAL mode but may lose the last commits on power loss: wrong for a system of
//!   record whose acknowledgements parties act on.
//! - A write takes the database's write lock first (`BEGIN IMMEDIATE`) and then checks the last
//!   event, so two processes on one file serialise; one that lost the race gets
//!   [`Error::Conflict`]. A busy lock is waited for up to [`BUSY_TIMEOUT`].
//! - 64 KiB pages: a national bulk-load event and a snapshot are hundreds of megabytes, read
//!   and written through fewer, larger pages.
//!
//! The tables (an auditor's view): `events(seq, at, actor, type, body, hash)`, `snapshots(seq,
//! format, hubs, bytes, data)`, `feed(recipient, position, seq, n, body)`, `meta(key, value)`.

use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    feed_page, hash_from, io_error, snapshot, EventStore, FeedPage, FeedRow, Head, Record,
};
use crate::kernel::error::Error;

/// How long a writer waits for another process's write lock before it reports an I/O error.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema of a store this build writes (kept in `meta`).
const STORE_FORMAT: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq   INTEGER PRIMARY KEY,
    at    TEXT NOT NULL,
    actor TEXT NOT NULL,
    type  TEXT NOT NULL,
    body  TEXT NOT NULL,
    hash  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    seq    INTEGER PRIMARY KEY,
    format INTEGER NOT NULL,
    hubs   INTEGER NOT NULL,
    bytes  INTEGER NOT NULL,
    data   BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_chunks (
    seq  INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (seq, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feed (
    recipient TEXT NOT NULL,
    position  INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (recipient, position)
) WITHOUT ROWID;
-- How far the feed goes (max(seq)) and its rows in event order, for verification.
CREATE INDEX IF NOT EXISTS feed_by_event ON feed (seq, n, recipient);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_format', '1'), ('feed_through', '0');
";

pub struct SqliteStore {
    conn: Connection,
    location: String,
    chunk_bytes: usize,
    /// `lock` began a write transaction that the next append commits.
    locked: bool,
}

impl SqliteStore {
    /// Opens (creating when missing) the store in the file at `path`.
    pub fn open(path: &str) -> Result<SqliteStore, Error> {
        let location = format!("sqlite:{path}");
        let err = |e: rusqlite::Error| io_error(&location, e);
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // The page size holds only before the first table is created (and in WAL mode, only
        // then): a new file gets 64 KiB pages, an existing one keeps its own.
        conn.execute_batch("PRAGMA page_size = 65536;")
            .map_err(err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(io_error(&location, format!("journal mode {mode}, not WAL")));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let format: String = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'store_format'",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        if format != STORE_FORMAT {
            return Err(io_error(
                &location,
                format!("store format {format}; this build reads format {STORE_FORMAT}"),
            ));
        }
        Ok(SqliteStore {
            conn,
            location,
            chunk_bytes: super::SNAPSHOT_CHUNK_BYTES,
            locked: false,
        })
    }

    /// The same store, keeping snapshots in pieces of at most `bytes` (at least 1; the default
    /// is [`super::SNAPSHOT_CHUNK_BYTES`]): for a test of a store with a small value limit.
    pub fn with_snapshot_chunk_bytes(mut self, bytes: usize) -> SqliteStore {
        self.chunk_bytes = bytes.max(1);
        self
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        |e| io_error(&self.location, e)
    }

    fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
        conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|s| s as u64)
    }
}

fn record_of(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

impl EventStore for SqliteStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn head(&mut self) -> Result<Head, Error> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        match row {
            None => Ok(Head::EMPTY),
            Some((seq, hash)) => Ok(Head {
                seq: seq as u64,
                hash: hash_from(&hash, seq as u64)?,
            }),
        }
    }

    fn lock(&mut self) -> Result<(), Error> {
        if !self.locked {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(self.err())?;
            self.locked = true;
        }
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), Error> {
        if self.locked {
            self.locked = false;
            self.conn.execute_batch("ROLLBACK").map_err(self.err())?;
        }
        Ok(())
    }

    fn append(&mut self, expected: u64, records: &[Record]) -> Result<(), Error> {
        if self.locked {
            // The transaction `lock` began: appended in it, then committed (or rolled back).
            self.locked = false;
            let appended = append_rows(&self.conn, &self.location, expected, records);
            let end = if appended.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            let ended = self.conn.execute_batch(end).map_err(self.err());
            return appended.and(ended);
        }
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        append_rows(&tx, &location, expected, records)?;
        tx.commit().map_err(err)
    }

    fn read(
        &mut self,
        after: u64,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Vec<Record>, Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, at, actor, type, body, hash FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(err)?;
        let mut rows = stmt
            .query(params![after as i64, max_events.max(1) as i64])
            .map_err(err)?;
        let mut out = Vec::new();
        let mut bytes = 0;
        while let Some(row) = rows.next().map_err(err)? {
            let (seq, at, actor, kind, body, hash) = record_of(row).map_err(err)?;
            let seq = seq as u64;
            bytes += body.len();
            out.push(Record {
                seq,
                at,
                actor,
                kind,
                body,
                hash: hash_from(&hash, seq)?,
            });
            if bytes >= max_bytes {
                break;
            }
        }
        Ok(out)
    }

    fn put_snapshot(&mut self, seq: u64, bytes: &[u8]) -> Result<(), Error> {
        // A signed store's snapshot ends with its signature, stripped once here to read the
        // header (the opener checks the signature, then decodes exactly what it covers).
        let header = snapshot::check(crate::kernel::signing::snapshot_unsigned_part(bytes))?;
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let (first, rest) = bytes.split_at(bytes.len().min(self.chunk_bytes));
        tx.execute(
            "INSERT OR REPLACE INTO snapshots (seq, format, hubs, bytes, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq as i64, header.format, header.hubs as i64, bytes.len() as i64, first],
        )
        .map_err(err)?;
        tx.execute(
            "DELETE FROM snapshot_chunks WHERE seq = ?1",
            params![seq as i64],
        )
        .map_err(err)?;
        for (n, piece) in rest.chunks(self.chunk_bytes).enumerate() {
            tx.execute(
                "INSERT INTO snapshot_chunks (seq, n, data) VALUES (?1, ?2, ?3)",
                params![seq as i64, n as i64 + 1, piece],
            )
            .map_err(err)?;
        }
        tx.execute(
            "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)",
            [],
        )
        .map_err(err)?;
        tx.execute(
            "DELETE FROM snapshot_chunks WHERE seq NOT IN (SELECT seq FROM snapshots)",
            [],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn snapshots(&mut self) -> Result<Vec<u64>, Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq FROM snapshots ORDER BY seq DESC")
            .map_err(err)?;
        let seqs = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .map_err(err)?;
        Ok(seqs.into_iter().map(|s| s as u64).collect())
    }

    fn snapshot(&mut self, seq: u64) -> Result<Vec<u8>, Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let mut bytes: Vec<u8> = self
            .conn
            .query_row(
                "SELECT data FROM snapshots WHERE seq = ?1",
                params![seq as i64],
                |r| r.get(0),
            )
            .map_err(err)?;
        let mut pieces = self
            .conn
            .prepare_cached("SELECT data FROM snapshot_chunks WHERE seq = ?1 ORDER BY n")
            .map_err(err)?;
        let mut rows = pieces.query(params![seq as i64]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            let piece: Vec<u8> = row.get(0).map_err(err)?;
            bytes.extend_from_slice(&piece);
        }
        Ok(bytes)
    }

    fn feed_through(&mut self) -> Result<u64, Error> {
        feed_through(&self.conn).map_err(self.err())
    }

    fn put_feed(&mut self, through: u64, rows: &[FeedRow]) -> Result<(), Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let done = feed_through(&tx).map_err(err)?;
        if through <= done {
            return Ok(()); // another writer put these already
        }
        {
            let mut last = tx
                .prepare_cached("SELECT coalesce(max(position), 0) FROM feed WHERE recipient = ?1")
                .map_err(err)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO feed (recipient, position, seq, n, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            for row in rows.iter().filter(|r| r.seq > done) {
                let position: i64 = last
                    .query_row(params![row.recipient], |r| r.get(0))
                    .map_err(err)?;
                let mut n = row.notification.clone();
                n.id = crate::kernel::limits::signed(position) + 1;
                let body = serde_json::to_string(&n).map_err(|e| io_error(&location, e))?;
                insert
                    .execute(params![row.recipient, n.id, row.seq as i64, row.n, body])
                    .map_err(err)?;
            }
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'feed_through'",
            params![through.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn feed(&mut self, recipient: &str, after: u64, limit: u32) -> Result<FeedPage, Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT body FROM feed WHERE recipient = ?1 AND position > ?2 ORDER BY position LIMIT ?3",
            )
            .map_err(err)?;
        let bodies = stmt
            .query_map(params![recipient, after as i64, limit as i64], |r| {
                r.get::<_, String>(0)
            })
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(err)?;
        feed_page(&location, after, bodies)
    }

    fn feed_rows(
        &mut self,
        after: (u64, u32, &str),
        limit: usize,
    ) -> Result<Vec<super::StoredFeedRow>, Error> {
        let location = self.location.clone();
        let err = |e: rusqlite::Error| io_error(&location, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT recipient, position, seq, n, body FROM feed
                 WHERE (seq, n, recipient) > (?1, ?2, ?3) ORDER BY seq, n, recipient LIMIT ?4",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(
                params![after.0 as i64, after.1, after.2, limit as i64],
                |r| {
                    Ok(super::StoredFeedRow {
                        recipient: r.get(0)?,
                        position: r.get::<_, i64>(1)? as u64,
                        seq: r.get::<_, i64>(2)? as u64,
                        n: r.get(3)?,
                        body: r.get(4)?,
                    })
                },
            )
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        Ok(rows)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, Error> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map_err(self.err())
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    fn wait(&mut self, seen: u64, timeout: Duration) -> Result<bool, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            if SqliteStore::last_seq(&self.conn).map_err(self.err())? > seen {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(20)));
        }
    }
}

/// The last event whose notices the feed holds: by the mark and by the feed's own rows, so that
/// a mark set back (by hand, or by restoring `meta` alone) never puts notices in twice.
fn feed_through(conn: &Connection) -> rusqlite::Result<u64> {
    let value: String = conn.query_row(
        "SELECT value FROM meta WHERE key = 'feed_through'",
        [],
        |r| r.get(0),
    )?;
    let held: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM feed", [], |r| r.get(0))?;
    Ok(value.parse::<u64>().unwrap_or(0).max(held as u64))
}

/// Checks that the store's last event is `expected`, then inserts `records`, on `conn` inside
/// a transaction the caller commits.
fn append_rows(
    conn: &Connection,
    location: &str,
    expected: u64,
    records: &[Record],
) -> Result<(), Error> {
    let err = |e: rusqlite::Error| io_error(location, e);
    let found = SqliteStore::last_seq(conn).map_err(err)?;
    if found != expected {
        return Err(Error::Conflict {
            expected: Some(expected),
            found: Some(found),
        });
    }
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO events (seq, at, actor, type, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(err)?;
    for r in records {
        insert
            .execute(params![
                r.seq as i64,
                r.at,
                r.actor,
                r.kind,
                r.body,
                crate::journal::hex(&r.hash)
            ])
            .map_err(err)?;
    }
    Ok(())
}
