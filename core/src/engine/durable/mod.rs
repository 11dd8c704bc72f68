//! A durable engine: opened on an [`EventStore`], it writes ahead. `execute` decides, appends
//! the command's events to the store (atomically, durably, conditional on the last event this
//! engine saw) and only then applies them. Opening loads the newest usable snapshot and replays
//! the events after it, verifying each against the audit chain and the permission table.
//!
//! This file: the options, opening and restoring, and the write-ahead path of one command. By
//! concern: `batch.rs` (many commands in one transaction), `feed.rs` (following other writers,
//! the notification feed), `snapshots.rs`, `checkpoints.rs` (the DCC's signed checkpoints),
//! `verify.rs` (checking a whole store), `transfer.rs` (export and import of a log).

mod batch;
mod checkpoints;
mod feed;
mod snapshots;
mod transfer;
mod verify;

use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::{self, Signer, Trust};
use crate::model::notices::Outboxes;
use crate::model::state::State;
use crate::store::{self, EventStore, FeedRow, Head, Record};
use crate::write::act::Act;
use crate::write::command::Command;
use crate::write::event::Event;
use checkpoints::stored_checkpoint;
use chrono::{DateTime, Utc};
pub use feed::read_feed;
use snapshots::usable;
use std::sync::Arc;

/// How far a recording time may run ahead of this host's own clock by default, and how far
/// another writer's may before it is reported (docs/domain.md decision 20): five minutes, more than
/// hosts kept by NTP ever drift, far less than any deadline the model keeps.
pub const DEFAULT_CLOCK_SKEW_SECONDS: u32 = 300;

/// How many events stamped ahead of the clock an [`OpenReport`] names (it counts them all).
const MAX_AHEAD_NAMED: usize = 1_000;

/// The `meta` key under which a store records the last event of a history it imported without
/// an audit chain to verify it by.
const UNVERIFIED_THROUGH: &str = "unverified_through";

/// The `meta` key under which a signed store records the identity of its log.
const SIGNED_LOG: &str = "signed_log";

/// How an engine opens a store: `OpenOptions::default()` then the builder methods.
#[derive(Clone)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Take a snapshot after this many events since the last one (0: only on demand).
    pub snapshot_every: u64,
    /// How far (seconds) a recording time may be ahead of this host's clock: a command stamped
    /// later is refused at write, and another writer's event stamped later is reported in
    /// [`OpenReport::ahead_of_clock`].
    pub clock_skew_seconds: u32,
    /// Open even when the newest snapshot is refused or the events were cut below it (the
    /// refusals are then in [`OpenReport::refused`]); without it, opening on such a fallback is
    /// the first refusal, a [`Error::CorruptSnapshot`]. (In a signed store, a snapshot another
    /// host signed, with a key this opener does not trust, is passed over and listed there
    /// too, without failing the open.)
    pub allow_fallback: bool,
    /// [`Engine::import`] takes a log without an audit chain; the store then records that its
    /// history up to the log's last event was imported unverified
    /// ([`OpenReport::unverified_through`]). Without it, such a log is refused.
    pub allow_unchained: bool,
    /// The store holds a signed log (docs/domain.md decision 21) that this engine verifies against
    /// this trust: every event is admitted only as part of a signed act, every command must be
    /// signed, and a snapshot is used only when this engine's own key or the DCC's anchor
    /// signed it. A store created with a trust refuses to open without it.
    pub trust: Option<Trust>,
    /// The key this host signs its snapshots with (and, when it is a valid DCC key, the log's
    /// checkpoints). Without one, a signed store's engine writes no snapshot.
    pub signer: Option<Arc<dyn Signer>>,
    /// With a DCC signer, sign a checkpoint of the log's head after this many events since the
    /// last (0: only on demand, [`Engine::checkpoint`]).
    pub checkpoint_every: u64,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("snapshot_every", &self.snapshot_every)
            .field("clock_skew_seconds", &self.clock_skew_seconds)
            .field("allow_fallback", &self.allow_fallback)
            .field("allow_unchained", &self.allow_unchained)
            .field("trust", &self.trust)
            .field("signer", &self.signer.as_ref().map(|s| s.public_key()))
            .field("checkpoint_every", &self.checkpoint_every)
            .finish()
    }
}

/// How often a DCC host signs a checkpoint by default: every 1 000 events, so that a party
/// holding the latest checkpoint detects a cut or a swap of all but the last 1 000 events
/// (a host wanting less signs on demand or at a smaller cadence).
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 1_000;

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            snapshot_every: 10_000,
            clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            allow_fallback: false,
            allow_unchained: false,
            trust: None,
            signer: None,
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
        }
    }
}

impl OpenOptions {
    pub fn snapshot_every(mut self, events: u64) -> Self {
        self.snapshot_every = events;
        self
    }

    pub fn clock_skew_seconds(mut self, seconds: u32) -> Self {
        self.clock_skew_seconds = seconds;
        self
    }

    pub fn allow_fallback(mut self, allow: bool) -> Self {
        self.allow_fallback = allow;
        self
    }

    pub fn allow_unchained(mut self, allow: bool) -> Self {
        self.allow_unchained = allow;
        self
    }

    pub fn trust(mut self, trust: Trust) -> Self {
        self.trust = Some(trust);
        self
    }

    pub fn signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    pub fn checkpoint_every(mut self, events: u64) -> Self {
        self.checkpoint_every = events;
        self
    }

    fn skew(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::from(self.clock_skew_seconds))
    }
}

/// How the engine came up: from which snapshot, how many events it replayed after it, which
/// snapshots it refused (each a [`Error::CorruptSnapshot`], newest first), and what it found
/// that a host's operator should know.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenReport {
    pub snapshot: Option<u64>,
    pub replayed: u64,
    pub refused: Vec<Error>,
    /// Events another writer stamped later than this host's clock plus the skew, as this engine
    /// read them (at open or catching up since): the first ones' numbers. They are applied, as
    /// the store's order says, but their times move no deadline of this engine's.
    pub ahead_of_clock: Vec<u64>,
    /// How many such events this engine read (`ahead_of_clock` names the first 1 000).
    pub ahead_of_clock_count: u64,
    /// The last automatic checkpoint that failed, if the next has not succeeded.
    pub checkpoint_failure: Option<(u64, Error)>,
    /// The last automatic snapshot that failed, if the one after it has not succeeded: the
    /// event it was for and why (the events hold everything, so nothing is lost; the next try
    /// waits twice as many events as the one before).
    pub snapshot_failure: Option<(u64, Error)>,
    /// The store's history up to this event was imported from a log without an audit chain
    /// (0: none was): nothing vouches for it but whoever imported it.
    pub unverified_through: u64,
}

pub(super) struct Durable {
    store: Box<dyn EventStore>,
    /// The chain hash of the state's last event.
    head: [u8; 32],
    options: OpenOptions,
    last_snapshot: u64,
    /// After automatic snapshots failed, the next is tried only this many events after the
    /// last try (doubling with each failure): a snapshot the store refuses must not be retried
    /// on every commit, making everyone's command as slow as a snapshot.
    snapshot_backoff: u64,
    report: OpenReport,
    /// Feed rows not yet in the store (a failed feed write is retried with the next commit).
    feed_pending: Vec<FeedRow>,
    /// This engine holds the store's write lock (a batch deciding under it): feed rows wait
    /// for the commit, which writes them after the lock is let go.
    locked: bool,
    /// The event of the last checkpoint this engine signed or found.
    last_checkpoint: u64,
}

impl Durable {
    pub(super) fn location(&self) -> &str {
        self.store.location()
    }
}

/// How a batch's command is signed: not (an unsigned log), already (its actor signed it), or
/// by a signer the engine holds for its actor, as its next act when it is decided (so that a
/// refused command before it takes no counter).
#[derive(Clone)]
pub(super) enum ActSource {
    Unsigned,
    Signed(Box<Act>),
    Signer(Arc<dyn Signer>),
}

impl Engine {
    /// Opens the store at `location` (a SQLite file path, `sqlite:PATH`, or a PostgreSQL URL)
    /// with the default options.
    pub fn open(location: &str) -> Result<Engine, Error> {
        Engine::open_store(store::open(location)?, OpenOptions::default())
    }

    /// Opens `store`: the newest snapshot whose checksum, format and chain hash hold (a bad one
    /// is refused and recorded in [`Engine::open_report`], and the next older one or the events
    /// are used instead), then every event after it, each verified (chain, permission table,
    /// invariants) as it is applied.
    pub fn open_store(
        mut store: Box<dyn EventStore>,
        options: OpenOptions,
    ) -> Result<Engine, Error> {
        check_signed_log(store.as_mut(), options.trust.as_ref())?;
        let own_key = options.signer.as_ref().map(|s| s.public_key());
        let (state, outboxes, from, mut refused, skipped) =
            restore(store.as_mut(), options.trust.as_ref(), own_key)?;
        if let Some(first) = refused.first() {
            if !options.allow_fallback {
                return Err(first.clone());
            }
        }
        // Reported after the refusals; they fail nothing.
        refused.extend(skipped);
        let unverified_through = match store.meta(UNVERIFIED_THROUGH)? {
            Some(v) => v.parse().map_err(|_| Error::CorruptLog {
                line: 0,
                reason: format!("the store's {UNVERIFIED_THROUGH} is not an event number: {v:?}"),
            })?,
            None => 0,
        };
        let checkpoint = stored_checkpoint(store.as_mut())?;
        let mut engine = Engine {
            state,
            outboxes,
            journal: Vec::new(),
            signing: options.trust.clone().map(crate::engine::acts::Signing::new),
            signers: Default::default(),
            upgrade_lists: Default::default(),
            durable: Some(Durable {
                store,
                head: from.hash,
                options,
                last_snapshot: from.seq,
                snapshot_backoff: 0,
                report: OpenReport {
                    snapshot: (from.seq > 0).then_some(from.seq),
                    replayed: 0,
                    refused,
                    ahead_of_clock: Vec::new(),
                    ahead_of_clock_count: 0,
                    snapshot_failure: None,
                    checkpoint_failure: None,
                    unverified_through,
                },
                feed_pending: Vec::new(),
                locked: false,
                last_checkpoint: checkpoint.as_ref().map_or(0, |c| c.seq),
            }),
        };
        let replayed = engine.catch_up()?;
        if let Some(d) = engine.durable.as_mut() {
            d.report.replayed = replayed;
        }
        // The DCC's latest checkpoint in the store must hold for the store it is in.
        if let (Some(checkpoint), Some(_)) = (checkpoint, engine.trust()) {
            engine.verify_checkpoint(&checkpoint)?;
        }
        Ok(engine)
    }

    /// How this engine opened its store (`None` in memory).
    pub fn open_report(&self) -> Option<&OpenReport> {
        self.durable.as_ref().map(|d| &d.report)
    }

    fn store_mut(&mut self) -> Result<&mut Durable, Error> {
        self.durable.as_mut().ok_or_else(|| {
            Error::invalid_input(
                "engine",
                "an engine in memory has no store: use Engine::open",
            )
        })
    }

    /// Durable `execute`: the recording time checked against this host's clock, the command
    /// decided (again after catching up, if refused on a state the store has moved past),
    /// appended, then applied.
    pub(super) fn execute_durable(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
        act: Option<Act>,
    ) -> Result<&[Event], Error> {
        self.check_clock(at)?;
        // A refusal may have been decided on a stale state: decided again after catching up,
        // which needs the command twice. A bulk load is too large to copy for that; it catches
        // up before it is decided instead.
        let again = match &command {
            Command::LoadEstateTable(_) => {
                self.catch_up()?;
                None
            }
            other => Some(other.clone()),
        };
        // A signed act's key and counter stand on the state it is decided on.
        let decide = |engine: &Engine, command: Command| {
            if let Some(act) = &act {
                engine.check_standing(&act.by, &act.key, act.n)?;
            }
            engine.state.decide(actor, at, command, &engine.outboxes)
        };
        let payloads = match decide(self, command) {
            Ok(payloads) => payloads,
            Err(refusal) => match again {
                Some(command) if self.catch_up()? > 0 => decide(self, command)?,
                _ => return Err(refusal),
            },
        };
        let events = self.number(actor, at, payloads, act.clone());
        self.commit_and_apply(events)
            .map_err(|e| scoped(e, std::slice::from_ref(actor)))
    }

    /// A recording time later than this host's clock plus the skew is refused: a writer whose
    /// clock (or caller) is wrong must not stamp the shared log ahead of everyone else's.
    fn check_clock(&self, at: DateTime<Utc>) -> Result<(), Error> {
        let Some(d) = self.durable.as_ref() else {
            return Ok(());
        };
        let now = Utc::now();
        if at > now + d.options.skew() {
            return Err(Error::invalid_input(
                "at",
                format!(
                    "recording time {} is later than this host's clock ({}) plus the allowed skew of {} s: record commands at the host's own time",
                    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    d.options.clock_skew_seconds
                ),
            ));
        }
        Ok(())
    }

    /// The store's events after `after` up to this engine's last (those it admitted), each
    /// verified against the chain from the first.
    pub(super) fn stored_history(&mut self, after: u64) -> Result<Vec<Event>, Error> {
        let last = self.state.last_seq();
        let store = self.store_mut()?.store.as_mut();
        let mut previous = Head::EMPTY;
        let mut out = Vec::new();
        loop {
            let records = store.read(previous.seq, 1024, store::READ_BYTES)?;
            if records.is_empty() {
                return Ok(out);
            }
            for r in records {
                if r.seq > last {
                    return Ok(out);
                }
                let event = r.verify(&previous.hash)?;
                previous = Head {
                    seq: r.seq,
                    hash: r.hash,
                };
                if event.seq > after {
                    out.push(event);
                }
            }
        }
    }

    /// Appends `events` to the store, then applies them (durable `execute`).
    pub(super) fn commit_and_apply(&mut self, events: Vec<Event>) -> Result<&[Event], Error> {
        self.commit(&events)?;
        let mut feed = Vec::new();
        for event in &events {
            if let Err(e) = self.state.apply_decided(event) {
                // Decided events always apply; if one ever did not, the state is rebuilt from
                // the store, which holds the command, rather than left half-applied.
                self.reload()?;
                return Err(e);
            }
            self.notify_feed(event, &mut feed);
        }
        self.after_commit(events.last().map_or(0, |e| e.seq), feed);
        self.journal = events;
        Ok(&self.journal)
    }

    /// Builds the records of `events`, chained from the head, and appends them.
    fn commit(&mut self, events: &[Event]) -> Result<(), Error> {
        let expected = self.state.last_seq();
        let d = self.store_mut()?;
        let mut previous = d.head;
        let mut records = Vec::with_capacity(events.len());
        for event in events {
            let record = Record::of(event, &previous);
            if record.body.len() > store::MAX_EVENT_BYTES {
                return Err(Error::invalid_input(
                    "command",
                    format!(
                        "its event {} ({}) encodes to {} bytes, more than the store's limit of {}: load the estate in parts",
                        event.seq,
                        event.payload.type_name(),
                        record.body.len(),
                        store::MAX_EVENT_BYTES
                    ),
                ));
            }
            previous = record.hash;
            records.push(record);
        }
        match d.store.append(expected, &records) {
            Ok(()) => {
                d.head = previous;
                Ok(())
            }
            Err(conflict @ Error::Conflict { .. }) => {
                self.catch_up()?;
                Err(conflict)
            }
            Err(e) => Err(e),
        }
    }

    /// After a commit: the feed rows written (or kept for the next try), and a snapshot when
    /// one is due. Neither can fail the command, which is already durable.
    fn after_commit(&mut self, through: u64, feed: Vec<FeedRow>) {
        // A failed feed write is kept and tried again with the next one.
        let _ = self.flush_feed(through, feed);
        self.checkpoint_if_due(through);
        let Some(d) = self.durable.as_mut() else {
            return;
        };
        let wait = d.options.snapshot_every.max(d.snapshot_backoff);
        // A signed store's snapshots need this host's signer.
        let can_sign = self.signing.is_none() || d.options.signer.is_some();
        let due = can_sign
            && d.options.snapshot_every > 0
            && through.saturating_sub(d.last_snapshot) >= wait;
        if !due {
            return;
        }
        // A failed automatic snapshot is reported and tried again after twice as many events
        // (the events hold everything, so nothing is lost meanwhile), never on every commit.
        match self.snapshot() {
            Ok(_) => {}
            Err(e) => {
                if let Some(d) = self.durable.as_mut() {
                    d.snapshot_backoff = wait.saturating_mul(2);
                    d.last_snapshot = through;
                    d.report.snapshot_failure = Some((through, e));
                }
            }
        }
    }
}

/// The refusal of an in-memory entry point on a durable engine, naming what to call instead.
pub(super) fn history_in_store(entry: &str) -> Error {
    Error::invalid_input(
        "engine",
        format!(
            "{entry}: a durable engine keeps its history in its store, not in memory: read it with history(), records() or export()"
        ),
    )
}

/// `err` as the actors of a command may see it: a conflict's event numbers count every party's
/// events, so they are shown only when every actor is the DCC (docs/domain.md decision 13).
pub(super) fn scoped(err: Error, actors: &[Actor]) -> Error {
    match err {
        Error::Conflict { .. } if !actors.iter().all(|a| matches!(a, Actor::Dcc)) => {
            Error::Conflict {
                expected: None,
                found: None,
            }
        }
        other => other,
    }
}

/// What `restore` found: the state and projections, the head they are at, the snapshots
/// refused (corrupt, or not of this log) and those passed over (signed by a key the opener does
/// not trust).
type Restored = (State, Outboxes, Head, Vec<Error>, Vec<Error>);

/// A store created for a signed log opens only with a trust for that log; a trust given for
/// an empty store records its log.
fn check_signed_log(store: &mut dyn EventStore, trust: Option<&Trust>) -> Result<(), Error> {
    match (store.meta(SIGNED_LOG)?, trust) {
        (Some(log), Some(trust)) if log != trust.log() => Err(Error::invalid_input(
            "trust",
            format!(
                "{} holds the signed log {log:?}, not {:?}",
                store.location(),
                trust.log()
            ),
        )),
        (Some(log), None) => Err(Error::invalid_input(
            "trust",
            format!(
                "{} holds the signed log {log:?}: open it with its trust (the log's identity and the DCC's key)",
                store.location()
            ),
        )),
        (None, Some(trust)) if store.head()?.seq == 0 => store.set_meta(SIGNED_LOG, trust.log()),
        // A trust for a store of unsigned events: its first event is refused as unsigned.
        _ => Ok(()),
    }
}

/// The newest usable snapshot's state (or an empty state), the head it is at, and the
/// snapshots refused on the way. In a signed store a snapshot is used only when the opener's
/// own key or the DCC's anchor signed it.
fn restore(
    store: &mut dyn EventStore,
    trust: Option<&Trust>,
    own_key: Option<signing::PublicKey>,
) -> Result<Restored, Error> {
    let head = store.head()?;
    let mut refused = Vec::new();
    let mut skipped = Vec::new();
    for seq in store.snapshots()? {
        let bytes = store.snapshot(seq)?;
        // Another host's snapshot, whose signature holds, is not this opener's to trust: it is
        // passed over (the events are used instead), which is no corruption and fails nothing.
        if let Some(trust) = trust {
            if let Ok((_, key)) = signing::open_signed_snapshot(trust.log(), seq, &bytes) {
                if key != trust.anchor() && Some(key) != own_key {
                    skipped.push(Error::CorruptSnapshot {
                        seq,
                        reason: format!(
                            "signed by key {key}, which is neither this host's own nor the DCC's anchor: not used"
                        ),
                    });
                    continue;
                }
            }
        }
        match usable(store, &bytes, seq, head, trust, own_key) {
            // Written before read-backs were bounded: sound, but without the times this build
            // checks read-backs against, so the events are used instead (it fails nothing).
            Ok((state, _, _)) if state.firmware_known.outdated => skipped.push(Error::CorruptSnapshot {
                seq,
                reason: "written before the times each hub's firmware is known since were kept: not used, the events are replayed instead".into(),
            }),
            Ok((state, outboxes, at)) => return Ok((state, outboxes, at, refused, skipped)),
            Err(e) => refused.push(e),
        }
    }
    let mut state = State::new();
    if let Some(trust) = trust {
        state.keys.set_anchor(trust.anchor());
    }
    Ok((state, Outboxes::default(), Head::EMPTY, refused, skipped))
}
