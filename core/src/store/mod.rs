//! Durable event stores: where an engine opened with [`crate::engine::Engine::open`] writes each
//! command's events before it applies them, and from which it restarts.
//!
//! - [`EventStore`] is what the engine needs of a store: conditional, atomic, durable appends
//!   of chained records; reads in order; snapshots; the per-party notification feed.
//! - `sqlite` (feature `sqlite`, on by default): one file, the embedded default.
//! - `postgres` (feature `postgres`): one database shared by several processes, with followers
//!   woken by `LISTEN/NOTIFY`.
//! - [`snapshot`]: the binary snapshot format.
//!
//! Every record carries the audit chain of the JSON-lines log ([`crate::journal`]): the body is
//! the event's JSON line without its hash, and the hash is SHA-256 of the previous hash and the
//! body, so a store exports to a chained log byte for byte and a chained log imports unchanged.

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod snapshot;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::journal;
use crate::kernel::error::Error;
use crate::model::notices::Notification;
use crate::write::event::Event;

/// The largest encoded event a store takes (a bulk load of about 3 million hubs): SQLite's and
/// PostgreSQL's values stop at 1 GB, and one event is one transaction's worth of memory. A
/// larger load is refused before anything changes; load the estate in parts.
pub const MAX_EVENT_BYTES: usize = 512 * 1024 * 1024;

/// The largest piece of a snapshot one stored value holds: a snapshot is kept as its first
/// piece in `snapshots.data` and the rest in `snapshot_chunks` (`seq`, `n`, `data`), so no value
/// approaches a store's limit (SQLite's and PostgreSQL's stop at 1 GB) at any estate size.
pub const SNAPSHOT_CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes of events one read brings into memory (at least one event).
pub const READ_BYTES: usize = 64 * 1024 * 1024;

/// One stored event: the columns an auditor reads, its JSON body and its chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: u64,
    /// Recording time, RFC 3339.
    pub at: String,
    /// The actor's code (`dcc`, `csp:north`, `customer:ID`, `system`).
    pub actor: String,
    /// The event's type (`campaign_created`, ...).
    pub kind: String,
    /// The event's JSON line without its hash: exactly what the chain hashes.
    pub body: String,
    pub hash: [u8; 32],
}

impl Record {
    /// The record of `event`, chained to `previous` (the hash of the event before it).
    pub fn of(event: &Event, previous: &[u8; 32]) -> Record {
        let body = journal::to_json_line(event);
        let hash = journal::chain_link(previous, body.as_bytes());
        Record {
            seq: event.seq,
            at: event
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            actor: event.actor.to_code(),
            kind: event.payload.type_name().to_string(),
            body,
            hash,
        }
    }

    /// Checks that this record continues the chain from `previous` (its body hashed, not
    /// parsed: what an export needs).
    pub fn check_link(&self, previous: &[u8; 32]) -> Result<(), Error> {
        let expected = journal::chain_link(previous, self.body.as_bytes());
        if expected != self.hash {
            return Err(Error::CorruptLog {
                line: self.seq,
                reason: format!(
                    "the audit chain breaks at event {}: it, or an event before it, was changed or removed",
                    self.seq
                ),
            });
        }
        Ok(())
    }

    /// Checks that this record continues the chain from `previous` and that its body is the
    /// event it says, its indexed columns (`at`, `actor`, `type`, which auditors query)
    /// included: the chain covers the body, so a column edited alone would otherwise tell an
    /// auditor something the log does not hold. The event, parsed.
    pub fn verify(&self, previous: &[u8; 32]) -> Result<Event, Error> {
        self.check_link(previous)?;
        let event = journal::from_json_line(&self.body, self.seq)?;
        if event.seq != self.seq {
            return Err(Error::CorruptLog {
                line: self.seq,
                reason: format!(
                    "stored as event {} but its body is event {}",
                    self.seq, event.seq
                ),
            });
        }
        let of_body = Record::of(&event, previous);
        for (column, stored, body) in [
            ("at", &self.at, &of_body.at),
            ("actor", &self.actor, &of_body.actor),
            ("type", &self.kind, &of_body.kind),
        ] {
            if stored != body {
                return Err(Error::CorruptLog {
                    line: self.seq,
                    reason: format!(
                        "event {}'s stored column {column} says {stored:?} but its chained body says {body:?}",
                        self.seq
                    ),
                });
            }
        }
        Ok(event)
    }
}

/// The last stored event and its chain hash (`seq` 0 and the chain's start for an empty store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: [u8; 32],
}

impl Head {
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: journal::CHAIN_START,
    };
}

/// One notice for one party's feed, as the writer puts it in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRow {
    /// The party's actor code.
    pub recipient: String,
    /// The event that gave it, and its place among that event's notices.
    pub seq: u64,
    pub n: u32,
    /// The notification; its `id` is set by the store (the party's own feed position).
    pub notification: Notification,
}

/// One stored row of a feed, as [`EventStore::feed_rows`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFeedRow {
    pub recipient: String,
    pub position: u64,
    pub seq: u64,
    pub n: u32,
    /// The notification's JSON.
    pub body: String,
}

/// What a party reads of its feed: its notifications after its cursor, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeedPage {
    /// Each notification's `id` is its position in this party's feed (1, 2, 3, ...): the
    /// cursor to pass next time. Positions count this party's notices only, so they say nothing
    /// of what others did.
    pub notifications: Vec<Notification>,
    /// The cursor after this page (the last id, or the cursor passed when the page is empty).
    pub cursor: i64,
}

/// What a store is and holds, for a status line or a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StoreInfo {
    /// `sqlite:PATH` or the PostgreSQL URL without its password.
    pub location: String,
    pub events: i64,
    /// The last event's chain hash, hex.
    pub last_hash: String,
    /// Events of the newest snapshot (0: none).
    pub snapshot_at: i64,
}

/// A durable, append-only event store.
///
/// Implementations keep events, snapshots and feeds in tables an auditor can query, make each
/// [`EventStore::append`] atomic and durable before it returns, and refuse an append whose
/// `expected` is not the store's last event ([`Error::Conflict`]): several writers can share a
/// store, and the one that lost the race catches up and decides again.
pub trait EventStore: Send {
    /// Where the store is, for messages (never a password).
    fn location(&self) -> &str;

    /// The last event and its chain hash.
    fn head(&mut self) -> Result<Head, Error>;

    /// Appends `records` (in order, chained to the store's last) atomically and durably if the
    /// store's last event is `expected`; [`Error::Conflict`] and nothing written otherwise.
    fn append(&mut self, expected: u64, records: &[Record]) -> Result<(), Error>;

    /// Takes the store's write lock (SQLite `BEGIN IMMEDIATE`, PostgreSQL the writers' advisory
    /// lock) and holds it until the next [`EventStore::append`], which then cannot meet a
    /// conflict and releases it, or [`EventStore::unlock`]. Other writers wait meanwhile: for a
    /// writer that lost the race too often, never to hold it for long.
    fn lock(&mut self) -> Result<(), Error>;

    /// Lets go of the write lock taken by [`EventStore::lock`] without appending.
    fn unlock(&mut self) -> Result<(), Error>;

    /// Records after `after`, in order: at most `max_events`, and no more than `max_bytes` of
    /// bodies beyond the first.
    fn read(
        &mut self,
        after: u64,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Vec<Record>, Error>;

    /// Stores a snapshot (already encoded and checked) and keeps the two newest.
    fn put_snapshot(&mut self, seq: u64, bytes: &[u8]) -> Result<(), Error>;

    /// The events that snapshots are held at, newest first.
    fn snapshots(&mut self) -> Result<Vec<u64>, Error>;

    /// The snapshot at `seq`.
    fn snapshot(&mut self, seq: u64) -> Result<Vec<u8>, Error>;

    /// The last event whose notices are in the feed.
    fn feed_through(&mut self) -> Result<u64, Error>;

    /// Adds the notices of events up to `through`; rows of events already in the feed (another
    /// writer put them) are skipped, so writers may repeat each other.
    fn put_feed(&mut self, through: u64, rows: &[FeedRow]) -> Result<(), Error>;

    /// `recipient`'s notifications after position `after`, at most `limit`.
    fn feed(&mut self, recipient: &str, after: u64, limit: u32) -> Result<FeedPage, Error>;

    /// Every feed row after `(seq, n, recipient)` in that order, at most `limit`: what
    /// [`verify`] compares with the notices the events give.
    fn feed_rows(
        &mut self,
        after: (u64, u32, &str),
        limit: usize,
    ) -> Result<Vec<StoredFeedRow>, Error>;

    /// A value of the store's `meta` table (what the store records about itself, such as how
    /// far its history was imported unverified), `None` when it has none.
    fn meta(&mut self, key: &str) -> Result<Option<String>, Error>;

    /// Sets a value of the store's `meta` table.
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), Error>;

    /// Waits until the store holds an event after `seen` or `timeout` passes; whether it does.
    /// PostgreSQL is woken by `NOTIFY`; SQLite looks again every few milliseconds.
    fn wait(&mut self, seen: u64, timeout: Duration) -> Result<bool, Error>;
}

/// Opens the store at `location`: a PostgreSQL URL (`postgres://` or `postgresql://`), or a
/// SQLite file (`sqlite:PATH` or a plain path), created when missing.
pub fn open(location: &str) -> Result<Box<dyn EventStore>, Error> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(postgres::PgStore::open(location)?));
        #[cfg(not(feature = "postgres"))]
        return Err(Error::invalid_input(
            "location",
            "this build has no PostgreSQL store (cargo feature `postgres`)",
        ));
    }
    let path = location.strip_prefix("sqlite:").unwrap_or(location);
    #[cfg(feature = "sqlite")]
    return Ok(Box::new(sqlite::SqliteStore::open(path)?));
    #[cfg(not(feature = "sqlite"))]
    return Err(Error::invalid_input(
        "location",
        format!("{path:?}: this build has no SQLite store (cargo feature `sqlite`)"),
    ));
}

/// Checks a whole store: every record chained to the one before from the first, numbered
/// without a gap, and parsed; the last hash must be the head's. Reads in bounded pieces.
pub fn verify(store: &mut dyn EventStore) -> Result<journal::Verified, Error> {
    let head = store.head()?;
    let mut at = Head::EMPTY;
    loop {
        let records = store.read(at.seq, 4096, READ_BYTES)?;
        if records.is_empty() {
            break;
        }
        for r in records {
            if r.seq != at.seq + 1 {
                return Err(Error::CorruptLog {
                    line: r.seq,
                    reason: format!("expected event {}, found event {}", at.seq + 1, r.seq),
                });
            }
            r.verify(&at.hash)?;
            at = Head {
                seq: r.seq,
                hash: r.hash,
            };
        }
    }
    if at != head {
        return Err(Error::CorruptLog {
            line: head.seq,
            reason: format!(
                "the store's last event is {} but its chain ends at {}",
                head.seq, at.seq
            ),
        });
    }
    Ok(journal::Verified::Chained {
        events: crate::kernel::limits::signed(at.seq),
        last_hash: journal::hex(&at.hash),
    })
}

// Helpers the implementations share.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// A page of a feed from the stored notification bodies.
pub(crate) fn feed_page(
    location: &str,
    after: u64,
    bodies: Vec<String>,
) -> Result<FeedPage, Error> {
    let notifications = bodies
        .iter()
        .map(|b| serde_json::from_str::<Notification>(b).map_err(|e| io_error(location, e)))
        .collect::<Result<Vec<_>, Error>>()?;
    let cursor = notifications
        .last()
        .map_or(crate::kernel::limits::signed(after), |n| n.id);
    Ok(FeedPage {
        notifications,
        cursor,
    })
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn io_error(location: &str, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: location.to_string(),
        reason: e.to_string(),
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// A hash from the hex a store holds, or a typed error naming the event.
pub(crate) fn hash_from(text: &str, seq: u64) -> Result<[u8; 32], Error> {
    journal::unhex(text).ok_or_else(|| Error::CorruptLog {
        line: seq,
        reason: format!("its stored hash {text:?} is not 64 hex digits"),
    })
}
