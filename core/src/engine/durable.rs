//! A durable engine: opened on an [`EventStore`], it writes ahead. `execute` decides, appends
//! the command's events to the store (atomically, durably, conditional on the last event this
//! engine saw) and only then applies them. Opening loads the newest usable snapshot and replays
//! the events after it, verifying each against the audit chain and the permission table.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Engine;
use crate::journal::{self, ChainedWriter, Verified};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::{self, Checkpoint, Signer, Trust};
use crate::model::notices::{Notification, NotificationKind, Outboxes, Recipient};
use crate::model::state::State;
use crate::store::{self, snapshot, EventStore, FeedPage, FeedRow, Head, Record, StoreInfo};
use crate::write::act::{Act, SignedCommand};
use crate::write::command::Command;
use crate::write::event::Event;

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

/// The `meta` key under which a signed store keeps the DCC's latest checkpoint.
const CHECKPOINT: &str = "checkpoint";

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

/// One command of a batch: its actor, and the command with its act, or why its signature was
/// refused before it could be decided.
type BatchItem = (Actor, Result<(Command, ActSource), Error>);

/// How a batch's command is signed: not (an unsigned log), already (its actor signed it), or
/// by a signer the engine holds for its actor, as its next act when it is decided (so that a
/// refused command before it takes no counter).
#[derive(Clone)]
pub(super) enum ActSource {
    Unsigned,
    Signed(Box<Act>),
    Signer(Arc<dyn Signer>),
}

/// How many times a batch may lose the race to another writer before it takes the store's
/// write lock to decide once more.
const BATCH_TRIES: u32 = 2;

/// The largest page of a feed.
const MAX_FEED_PAGE: u32 = 10_000;

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
            signing: options.trust.clone().map(super::acts::Signing::new),
            signers: Default::default(),
            kept_lists: Default::default(),
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

    /// With the DCC's signer, a checkpoint of the head once `checkpoint_every` events passed
    /// since the last, stamped with the last event's time. It cannot fail the command: a
    /// failure is reported and tried again after as many events.
    fn checkpoint_if_due(&mut self, through: u64) {
        let Some(d) = self.durable.as_mut() else {
            return;
        };
        let every = d.options.checkpoint_every;
        let due = every > 0 && through.saturating_sub(d.last_checkpoint) >= every;
        let Some(signer) = d.options.signer.as_ref().filter(|_| due) else {
            return;
        };
        let dcc = self.signing.is_some()
            && self
                .state
                .keys
                .refusal(&signer.public_key(), &Actor::Dcc)
                .is_none();
        let Some(at) = self.state.last_event_at().filter(|_| dcc) else {
            return;
        };
        if let Err(e) = self.checkpoint(at) {
            if let Some(d) = self.durable.as_mut() {
                d.last_checkpoint = through;
                d.report.checkpoint_failure = Some((through, e));
            }
        }
    }

    /// The DCC signs a checkpoint of the log's head (its last event and chain hash) at `at`
    /// with this host's signer, which must be a valid DCC key; the store keeps the latest, and
    /// parties keep each one they are given: with it they detect, at any later time, a store
    /// whose events were removed or replaced up to it ([`Engine::verify_checkpoint`]).
    pub fn checkpoint(&mut self, at: DateTime<Utc>) -> Result<Checkpoint, Error> {
        let trust = self.trust().cloned().ok_or_else(|| {
            Error::invalid_input(
                "engine",
                "an unsigned log has no checkpoints: open the store with a trust",
            )
        })?;
        self.acts_complete()?;
        let seq = self.state.last_seq();
        if seq == 0 {
            return Err(Error::invalid_input(
                "engine",
                "no event yet: nothing to checkpoint",
            ));
        }
        let d = self.store_mut()?;
        let signer = d.options.signer.clone().ok_or_else(|| {
            Error::invalid_input(
                "signer",
                "a checkpoint is the DCC's: open the store with the DCC's signer",
            )
        })?;
        if let Some(why) = self.state.keys.refusal(&signer.public_key(), &Actor::Dcc) {
            return Err(Error::BadSignature {
                actor: Actor::Dcc.to_code(),
                reason: format!("a checkpoint is signed by a valid DCC key: {why}"),
            });
        }
        let d = self.store_mut()?;
        let checkpoint = Checkpoint::sign(&*signer, trust.log(), seq, &d.head, at)?;
        // The store keeps the latest: another writer's later one is not replaced.
        let newer = stored_checkpoint(d.store.as_mut())?.is_some_and(|c| c.seq > seq);
        if !newer {
            let text = serde_json::to_string(&checkpoint)
                .map_err(|e| Error::invalid_input("checkpoint", e.to_string()))?;
            d.store.set_meta(CHECKPOINT, &text)?;
        }
        d.last_checkpoint = seq;
        d.report.checkpoint_failure = None;
        Ok(checkpoint)
    }

    /// The latest checkpoint the store keeps (`None`: none yet).
    pub fn latest_checkpoint(&mut self) -> Result<Option<Checkpoint>, Error> {
        stored_checkpoint(self.store_mut()?.store.as_mut())
    }

    /// Checks `checkpoint` (one a party kept) against this log: signed by a DCC key valid at
    /// its event, for this log, and the log's event at that number has the hash it signed. A
    /// store cut below it, or whose events up to it were replaced by another continuation, is
    /// a [`Error::CorruptLog`] naming the event.
    pub fn verify_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), Error> {
        let trust = self.trust().cloned().ok_or_else(|| {
            Error::invalid_input(
                "engine",
                "an unsigned log has no checkpoints: open the store with a trust",
            )
        })?;
        let seq = checkpoint.seq;
        let when = checkpoint
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let bad = |reason: String| Error::CorruptLog { line: seq, reason };
        if checkpoint.log != trust.log() {
            return Err(bad(format!(
                "the checkpoint is of the log {:?}, not {:?}",
                checkpoint.log,
                trust.log()
            )));
        }
        if seq == 0 || !checkpoint.signature_holds() {
            return Err(bad(format!(
                "the checkpoint of event {seq} at {when}: its signature by {} does not hold",
                checkpoint.key
            )));
        }
        if !self.state.keys.valid_at(&checkpoint.key, &Actor::Dcc, seq) {
            return Err(bad(format!(
                "the checkpoint of event {seq} at {when} is signed by {}, which this log does not hold as a DCC key valid at that event: its registration was removed, or the key is not the DCC's",
                checkpoint.key
            )));
        }
        let found = match self.durable.as_mut() {
            Some(d) => {
                let head = d.store.head()?;
                if head.seq < seq {
                    return Err(bad(format!(
                        "the store ends at event {}, before event {seq}, which the DCC's checkpoint of {when} signed: events were removed",
                        head.seq
                    )));
                }
                // The chain worked out from the first event, not the stored hash column alone
                // (a history replaced below the checkpoint could keep that one cell).
                let mut previous = Head::EMPTY;
                while previous.seq < seq {
                    let records = d.store.read(previous.seq, 1024, store::READ_BYTES)?;
                    if records.is_empty() {
                        break;
                    }
                    for r in records.into_iter().take_while(|r| r.seq <= seq) {
                        r.check_link(&previous.hash)?;
                        previous = Head {
                            seq: r.seq,
                            hash: r.hash,
                        };
                    }
                }
                (previous.seq == seq).then_some(previous.hash)
            }
            None => {
                let complete = self.journal.first().is_some_and(|e| e.seq == 1);
                if !complete {
                    return Err(Error::invalid_input(
                        "engine",
                        "this engine in memory holds no whole log to check a checkpoint against",
                    ));
                }
                let mut previous = Head::EMPTY.hash;
                let mut at_seq = None;
                for event in self.journal.iter().take_while(|e| e.seq <= seq) {
                    previous = Record::of(event, &previous).hash;
                    if event.seq == seq {
                        at_seq = Some(previous);
                    }
                }
                if at_seq.is_none() {
                    return Err(bad(format!(
                        "the log ends at event {}, before event {seq}, which the DCC's checkpoint of {when} signed: events were removed",
                        self.journal.last().map_or(0, |e| e.seq)
                    )));
                }
                at_seq
            }
        };
        match found {
            Some(hash) if journal::hex(&hash) == checkpoint.hash => Ok(()),
            _ => Err(bad(format!(
                "event {seq} is not the one the DCC's checkpoint of {when} signed: the log up to it was replaced by another continuation"
            ))),
        }
    }

    /// Notifies the outboxes of `event` and collects its feed rows.
    fn notify_feed(&mut self, event: &Event, feed: &mut Vec<FeedRow>) {
        let mut notices: Vec<(Recipient, NotificationKind)> = Vec::new();
        self.state
            .notify_into(event, &mut self.outboxes, Some(&mut notices));
        for (n, (to, kind)) in notices.into_iter().enumerate() {
            let Some(actor) = self.state.actor_of(to) else {
                continue;
            };
            feed.push(FeedRow {
                recipient: actor.to_code(),
                seq: event.seq,
                n: n as u32,
                notification: Notification {
                    id: 0,
                    event: (to == Recipient::Dcc).then_some(event.seq),
                    at: event.at,
                    kind,
                },
            });
        }
    }

    /// Applies the events other writers appended since this engine's last, each verified
    /// against the chain and the permission table; how many. A follower calls it on demand (or
    /// after [`Engine::wait_for_events`]); a writer that lost a race has already called it.
    pub fn catch_up(&mut self) -> Result<u64, Error> {
        let mut applied = 0;
        loop {
            let after = self.state.last_seq();
            let d = self.store_mut()?;
            let records = d.store.read(after, 1024, store::READ_BYTES)?;
            if records.is_empty() {
                // Appends are whole commands: an act cut short means events were removed.
                self.acts_complete()?;
                return Ok(applied);
            }
            let mut feed = Vec::new();
            let late = Utc::now() + d.options.skew();
            // The chain first, then (signed) every act's signature on all cores; the events are
            // then admitted and applied in order, up to the first that breaks the chain.
            let mut previous = d.head;
            let mut chained = Vec::with_capacity(records.len());
            let mut broken = None;
            for record in &records {
                match record.verify(&previous) {
                    Ok(event) => {
                        previous = record.hash;
                        chained.push((event, record.hash));
                    }
                    Err(e) => {
                        broken = Some(e);
                        break;
                    }
                }
            }
            drop(records);
            let holds = match &self.signing {
                Some(s) => {
                    let events: Vec<&Event> = chained.iter().map(|(e, _)| e).collect();
                    super::acts::signatures_hold_of(s.trust.log(), &events)
                }
                None => vec![None; chained.len()],
            };
            for ((event, hash), holds) in chained.into_iter().zip(holds) {
                if event.at > late {
                    if let Some(d) = self.durable.as_mut() {
                        d.report.ahead_of_clock_count += 1;
                        if d.report.ahead_of_clock.len() < MAX_AHEAD_NAMED {
                            d.report.ahead_of_clock.push(event.seq);
                        }
                    }
                }
                // A refused event stops the catch-up; the notices of those applied before it
                // are written all the same, so the feed never skips an applied event's.
                let admitted = self.check_acknowledgement(&event).and_then(|()| {
                    let admission = self.admission(&event, holds)?;
                    self.state.apply(&event)?;
                    self.admitted(admission);
                    Ok(())
                });
                if let Err(e) = admitted {
                    broken = Some(e);
                    break;
                }
                self.notify_feed(&event, &mut feed);
                if let Some(d) = self.durable.as_mut() {
                    d.head = hash;
                }
                applied += 1;
            }
            let through = self.state.last_seq();
            self.flush_feed(through, feed)?;
            if let Some(e) = broken {
                return Err(e);
            }
        }
    }

    /// Writes `rows` and any rows a failed write left, as the feed up to event `through`. On
    /// failure the rows are kept for the next try, so the feed never skips an event's notices.
    fn flush_feed(&mut self, through: u64, rows: Vec<FeedRow>) -> Result<(), Error> {
        let d = self.store_mut()?;
        d.feed_pending.extend(rows);
        if d.locked {
            return Ok(());
        }
        d.store.put_feed(through, &d.feed_pending)?;
        d.feed_pending.clear();
        Ok(())
    }

    /// Waits up to `timeout` for another writer's events, then applies them; how many. Woken
    /// by PostgreSQL's `NOTIFY`; SQLite is looked at every few milliseconds.
    pub fn wait_for_events(&mut self, timeout: Duration) -> Result<u64, Error> {
        let seen = self.state.last_seq();
        if self.store_mut()?.store.wait(seen, timeout)? {
            self.catch_up()
        } else {
            Ok(0)
        }
    }

    /// Runs `commands` in order, each decided on the state the ones before it left, and commits
    /// the events of those accepted in one transaction. A refused command is its own error in
    /// the answer and leaves nothing; the others go on. If the commit fails, no command of the
    /// batch was applied (a durable engine rebuilds its state from the store) and the error is
    /// returned. In memory, the same without the store.
    pub fn execute_batch(
        &mut self,
        at: DateTime<Utc>,
        commands: Vec<(Actor, Command)>,
    ) -> Result<Vec<Result<Vec<Event>, Error>>, Error> {
        let signed = self.signing.is_some();
        let items = commands
            .into_iter()
            .map(|(actor, command)| {
                let source = match self.signers.get(&actor) {
                    _ if !signed => Ok(ActSource::Unsigned),
                    Some(signer) => Ok(ActSource::Signer(signer.clone())),
                    None => Err(super::acts::unsigned_command(&actor)),
                };
                let item = source.map(|source| (command, source));
                (actor, item)
            })
            .collect();
        self.run_batch(at, items)
    }

    /// [`Engine::execute_batch`] for commands their actors signed, all at one recording time:
    /// each signature is verified before its command is decided, and one that does not hold
    /// (or whose key or counter does not stand) is that command's [`Error::BadSignature`].
    pub fn execute_signed_batch(
        &mut self,
        commands: Vec<SignedCommand>,
    ) -> Result<Vec<Result<Vec<Event>, Error>>, Error> {
        let Some(at) = commands.first().map(|c| c.at) else {
            return Ok(Vec::new());
        };
        if let Some(other) = commands.iter().find(|c| c.at != at) {
            return Err(Error::invalid_input(
                "commands",
                format!(
                    "a batch is recorded at one time: {} and {}",
                    at.to_rfc3339(),
                    other.at.to_rfc3339()
                ),
            ));
        }
        if commands.len() > crate::kernel::limits::MAX_BATCH_COMMANDS {
            return Err(Error::too_many(
                "commands",
                commands.len(),
                crate::kernel::limits::MAX_BATCH_COMMANDS,
            ));
        }
        let items = commands
            .into_iter()
            .map(|signed| {
                let verified = self.verify_signed_only(&signed);
                (
                    signed.actor,
                    verified.map(|act| (signed.command, ActSource::Signed(Box::new(act)))),
                )
            })
            .collect();
        self.run_batch(at, items)
    }

    /// A batch command's act on the current state: its signature's standing checked, or signed
    /// now by the signer the engine holds for its actor.
    fn act_of(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
        source: ActSource,
    ) -> Result<(Command, Option<Act>), Error> {
        match source {
            ActSource::Unsigned => Ok((command, None)),
            ActSource::Signed(act) => {
                self.check_standing(&act.by, &act.key, act.n)?;
                Ok((command, Some(*act)))
            }
            ActSource::Signer(signer) => {
                let signed = self.sign(&*signer, actor, at, command)?;
                let act = self.verify_signed(&signed)?;
                Ok((signed.command, Some(act)))
            }
        }
    }

    fn run_batch(
        &mut self,
        at: DateTime<Utc>,
        items: Vec<BatchItem>,
    ) -> Result<Vec<Result<Vec<Event>, Error>>, Error> {
        if items.len() > crate::kernel::limits::MAX_BATCH_COMMANDS {
            return Err(Error::too_many(
                "commands",
                items.len(),
                crate::kernel::limits::MAX_BATCH_COMMANDS,
            ));
        }
        if self.durable.is_none() {
            return Ok(items
                .into_iter()
                .map(|(actor, item)| {
                    let (command, source) = item?;
                    let (command, act) = self.act_of(&actor, at, command, source)?;
                    self.execute_act(&actor, at, command, act)
                        .map(<[Event]>::to_vec)
                })
                .collect());
        }
        let commands = items;
        let actors: Vec<Actor> = commands.iter().map(|(a, _)| a.clone()).collect();
        self.check_clock(at)?;
        // Optimistic first: decided on the caught-up state, appended if nobody wrote meanwhile.
        // A batch that lost the race BATCH_TRIES times takes the store's write lock and decides
        // once more under it, so that a frequent small writer cannot starve it (every writer
        // makes progress); the lock is held only for that one decision and append.
        let mut losses = 0;
        loop {
            let locked = losses >= BATCH_TRIES;
            if locked {
                let d = self.store_mut()?;
                d.store.lock()?;
                d.locked = true;
            }
            let tried = self.try_batch(at, commands.clone(), locked);
            if locked {
                // Released by the append; still held if the batch failed before it.
                let d = self.store_mut()?;
                d.locked = false;
                let _ = d.store.unlock();
                // The feed rows kept while locked.
                let through = self.state.last_seq();
                let _ = self.flush_feed(through, Vec::new());
            }
            match tried {
                Err(Error::Conflict { .. }) if !locked => losses += 1,
                other => return other.map_err(|e| scoped(e, &actors)),
            }
        }
    }

    /// One try of a durable batch: caught up, decided and applied command by command, then
    /// appended at once; on any failure the state is rebuilt from the store.
    fn try_batch(
        &mut self,
        at: DateTime<Utc>,
        commands: Vec<BatchItem>,
        locked: bool,
    ) -> Result<Vec<Result<Vec<Event>, Error>>, Error> {
        // A cheap look first: a store that moved on is caught up before anything is decided
        // (under the lock, nobody can move it after).
        let found = self.store_mut()?.store.head()?.seq;
        if locked || found != self.state.last_seq() {
            self.catch_up()?;
        }
        let expected = self.state.last_seq();
        let head = self.store_mut()?.head;
        let mut answers = Vec::with_capacity(commands.len());
        let mut all = Vec::new();
        let mut feed = Vec::new();
        // The batch is applied as it is decided (each command sees the ones before it), so
        // the commit comes after; a failed commit rebuilds the state from the store below.
        for (actor, item) in commands {
            let decided = item.and_then(|(command, source)| {
                let (command, act) = self.act_of(&actor, at, command, source)?;
                let payloads = self.state.decide(&actor, at, command, &self.outboxes)?;
                Ok((payloads, act))
            });
            let answer = decided.and_then(|(payloads, act)| {
                let events = self.number(&actor, at, payloads, act);
                for event in &events {
                    self.state.apply_decided(event)?;
                    self.notify_feed(event, &mut feed);
                }
                Ok(events)
            });
            if let Ok(events) = &answer {
                all.extend(events.iter().cloned());
            }
            answers.push(answer);
        }
        let committed = {
            let d = self.store_mut()?;
            let mut previous = head;
            let records: Vec<Record> = all
                .iter()
                .map(|e| {
                    let r = Record::of(e, &previous);
                    previous = r.hash;
                    r
                })
                .collect();
            let too_big = records
                .iter()
                .find(|r| r.body.len() > store::MAX_EVENT_BYTES);
            match too_big {
                Some(r) => Err(Error::invalid_input(
                    "commands",
                    format!(
                        "event {} encodes to {} bytes, more than the store's limit of {}",
                        r.seq,
                        r.body.len(),
                        store::MAX_EVENT_BYTES
                    ),
                )),
                None => d.store.append(expected, &records).map(|()| previous),
            }
        };
        match committed {
            Ok(last_hash) => {
                let d = self.store_mut()?;
                d.head = last_hash;
                // The append committed and let go of the lock: the feed may be written.
                d.locked = false;
                self.after_commit(self.state.last_seq(), feed);
                self.journal = all;
                Ok(answers)
            }
            Err(e) => {
                if locked {
                    let d = self.store_mut()?;
                    d.locked = false;
                    let _ = d.store.unlock();
                }
                self.reload()?;
                Err(e)
            }
        }
    }

    /// Rebuilds the state from the store (after a failed batch commit).
    fn reload(&mut self) -> Result<(), Error> {
        let own_key = self
            .store_mut()?
            .options
            .signer
            .as_ref()
            .map(|s| s.public_key());
        let trust = self.trust().cloned();
        let d = self.store_mut()?;
        let (state, outboxes, from, _, _) = restore(d.store.as_mut(), trust.as_ref(), own_key)?;
        d.head = from.hash;
        self.state = state;
        self.outboxes = outboxes;
        self.journal.clear();
        self.signing = self
            .signing
            .take()
            .map(|s| super::acts::Signing::new(s.trust));
        self.catch_up().map(|_| ())
    }

    /// Writes a snapshot of the state at its last event to the store (kept: the two newest);
    /// its size in bytes.
    pub fn snapshot(&mut self) -> Result<u64, Error> {
        // Never inside an act (after a catch-up that stopped part way): no opener could go on.
        self.acts_complete()?;
        let seq = self.state.last_seq();
        if seq == 0 && self.durable.is_some() {
            return Err(Error::invalid_input(
                "engine",
                "no event yet: nothing to snapshot",
            ));
        }
        let d = self.durable.as_mut().ok_or_else(|| {
            Error::invalid_input(
                "engine",
                "an engine in memory has no store: use Engine::open",
            )
        })?;
        // The feed must hold every event the snapshot covers: a restart from the snapshot
        // writes the notices of the events after it only.
        if !d.feed_pending.is_empty() {
            d.store.put_feed(seq, &d.feed_pending)?;
            d.feed_pending.clear();
        }
        let bytes = snapshot::encode(&self.state, &self.outboxes, &d.head);
        // A signed store's snapshot is signed by this host, and trusted by whoever trusts it.
        let bytes = match (&self.signing, &d.options.signer) {
            (None, _) => bytes,
            (Some(s), Some(signer)) => {
                signing::sign_snapshot(&**signer, s.trust.log(), seq, bytes)?
            }
            (Some(_), None) => {
                return Err(Error::invalid_input(
                    "signer",
                    "a signed store's snapshots are signed: open it with this host's signer",
                ))
            }
        };
        d.store.put_snapshot(seq, &bytes)?;
        d.last_snapshot = seq;
        d.snapshot_backoff = 0;
        d.report.snapshot_failure = None;
        Ok(bytes.len() as u64)
    }

    /// The state at its last event as snapshot bytes (the format of [`crate::store::snapshot`]),
    /// tied to the chain hash of that event (a durable engine's head; in memory, the chain of
    /// its journal).
    pub fn to_snapshot(&self) -> Vec<u8> {
        let head = match &self.durable {
            Some(d) => d.head,
            None => self
                .journal
                .iter()
                .fold(Head::EMPTY.hash, |previous, event| {
                    Record::of(event, &previous).hash
                }),
        };
        snapshot::encode(&self.state, &self.outboxes, &head)
    }

    /// An engine in memory holding the state of a snapshot (a what-if copy, an analyst's
    /// restore); a bad snapshot is [`Error::CorruptSnapshot`].
    pub fn from_snapshot(bytes: &[u8]) -> Result<Engine, Error> {
        let (state, outboxes, _) = snapshot::decode(bytes)?;
        Ok(Engine {
            state,
            outboxes,
            journal: Vec::new(),
            durable: None,
            signing: None,
            signers: Default::default(),
            kept_lists: Default::default(),
        })
    }

    /// Checks the whole store: the audit chain from the first event to the last; then replays
    /// it from the first event in a scratch engine (in a signed store every act verified as at
    /// open), checking the notification feed (every row is the notice the events give, for
    /// that party, at that position, none missing or added: a forged or repeated notice is
    /// named) and each stored snapshot (it must hold the state its events reach: one changed
    /// with its checksum recomputed is named).
    pub fn verify_store(&mut self) -> Result<Verified, Error> {
        let verified = store::verify(self.store_mut()?.store.as_mut())?;
        self.verify_replay()?;
        Ok(verified)
    }

    /// The store's events replayed from the first, against its feed and its snapshots.
    fn verify_replay(&mut self) -> Result<(), Error> {
        let trust = self.trust().cloned();
        let store = self.store_mut()?.store.as_mut();
        let through = store.feed_through()?;
        let mut snapshots = store.snapshots()?;
        snapshots.sort_unstable_by(|a, b| b.cmp(a)); // popped oldest first
        let mut scratch = match &trust {
            Some(trust) => Engine::with_trust(trust.clone()),
            None => Engine::new(),
        };
        let mut positions: std::collections::HashMap<String, u64> = Default::default();
        let mut stored: std::collections::VecDeque<store::StoredFeedRow> = Default::default();
        let mut cursor: (u64, u32, String) = (0, 0, String::new());
        let mut next_stored =
            |store: &mut dyn EventStore| -> Result<Option<store::StoredFeedRow>, Error> {
                if stored.is_empty() {
                    let page = store.feed_rows((cursor.0, cursor.1, &cursor.2), 4096)?;
                    if let Some(last) = page.last() {
                        cursor = (last.seq, last.n, last.recipient.clone());
                    }
                    stored.extend(page);
                }
                Ok(stored.pop_front())
            };
        let bad = |seq: u64, why: String| Error::CorruptLog {
            line: seq,
            reason: format!("the notification feed does not match the events: {why}"),
        };
        let mut after = 0;
        loop {
            let records = store.read(after, 1024, store::READ_BYTES)?;
            if records.is_empty() {
                break;
            }
            let events = records
                .iter()
                .map(|r| journal::from_json_line(&r.body, r.seq))
                .collect::<Result<Vec<Event>, Error>>()?;
            let holds = match &trust {
                Some(trust) => super::acts::signatures_hold(trust.log(), &events),
                None => vec![None; events.len()],
            };
            for ((r, event), holds) in records.iter().zip(events).zip(holds) {
                after = r.seq;
                scratch.check_acknowledgement(&event)?;
                let admission = scratch.admission(&event, holds)?;
                scratch.state.apply(&event)?;
                scratch.admitted(admission);
                let mut rows = Vec::new();
                scratch.notify_feed(&event, &mut rows);
                if snapshots.last() == Some(&event.seq) {
                    snapshots.pop();
                    same_as_snapshot(store, &scratch, trust.as_ref(), event.seq)?;
                }
                if r.seq > through {
                    continue;
                }
                for row in rows {
                    let position = positions.entry(row.recipient.clone()).or_default();
                    *position += 1;
                    let mut expected = row.notification;
                    expected.id = *position;
                    let body = serde_json::to_string(&expected)
                        .map_err(|e| bad(event.seq, e.to_string()))?;
                    let Some(got) = next_stored(store)? else {
                        return Err(bad(
                            event.seq,
                            format!(
                                "{}'s notice {} of event {} is missing",
                                row.recipient, position, event.seq
                            ),
                        ));
                    };
                    let same = got.recipient == row.recipient
                        && got.position == *position
                        && got.seq == row.seq
                        && got.n == row.n
                        && got.body == body;
                    if !same {
                        return Err(bad(
                            got.seq,
                            format!(
                                "row {} of {}'s feed (event {}) is not the notice event {} gives {} at position {}",
                                got.position, got.recipient, got.seq, row.seq, row.recipient, position
                            ),
                        ));
                    }
                }
            }
        }
        scratch.acts_complete()?;
        if let Some(seq) = snapshots.pop() {
            return Err(Error::CorruptSnapshot {
                seq,
                reason: format!("the store's events end at {after}, before it"),
            });
        }
        if let Some(extra) = next_stored(store)? {
            return Err(bad(
                extra.seq,
                format!(
                    "row {} of {}'s feed (event {}) is no notice of any event",
                    extra.position, extra.recipient, extra.seq
                ),
            ));
        }
        Ok(())
    }

    /// What the store is and holds.
    pub fn store_info(&mut self) -> Result<StoreInfo, Error> {
        let d = self.store_mut()?;
        let head = d.store.head()?;
        let snapshot_at = d.store.snapshots()?.first().copied().unwrap_or(0);
        Ok(StoreInfo {
            location: d.store.location().to_string(),
            events: head.seq,
            last_hash: journal::hex(&head.hash),
            snapshot_at,
        })
    }

    /// `actor`'s notification feed after `cursor` (0: from the start), at most `limit` (1 to
    /// 10 000). Positions count `actor`'s own notices only.
    pub fn feed(&mut self, actor: &Actor, cursor: u64, limit: u32) -> Result<FeedPage, Error> {
        read_feed(self.store_mut()?.store.as_mut(), actor, cursor, limit)
    }

    /// At most `limit` events recorded after `after`, oldest first, as stored (durable: the
    /// store's records; in memory: the journal's events, unchained). The host's read of its
    /// own record, as `export` is: scope it before showing it to anyone but the DCC.
    pub fn records(&mut self, after: u64, limit: usize) -> Result<Vec<Record>, Error> {
        match self.durable.as_mut() {
            Some(d) => d.store.read(after, limit, store::READ_BYTES),
            None => Ok(self
                .journal
                .iter()
                .filter(|e| e.seq > after)
                .take(limit)
                .map(|e| Record::of(e, &[0; 32]))
                .collect()),
        }
    }

    /// Writes the whole log (in memory: the journal; durable: the store's records, as stored)
    /// to `path` as chained JSON lines, atomically.
    pub fn export(&mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let Some(d) = self.durable.as_mut() else {
            journal::write_jsonl(path, &self.journal)?;
            return Ok(self.journal.len() as u64);
        };
        let store = d.store.as_mut();
        let mut count = 0;
        journal::write_atomically(path.as_ref(), |out, name| {
            let mut chained = ChainedWriter::new(out, name);
            let mut previous = Head::EMPTY;
            loop {
                let records = store.read(previous.seq, 1024, store::READ_BYTES)?;
                if records.is_empty() {
                    break;
                }
                for r in records {
                    // What is exported is what verifies: a broken chain is not copied out.
                    r.check_link(&previous.hash)?;
                    chained.line(r.seq, &r.body, &r.hash)?;
                    previous = Head {
                        seq: r.seq,
                        hash: r.hash,
                    };
                    count += 1;
                }
            }
            chained.close()
        })?;
        Ok(count)
    }

    /// Imports a JSON-lines log (chained or not; a chained one is verified whole) into an
    /// empty store and opens it. Every event is verified as it is replayed.
    pub fn import(
        log: impl AsRef<Path>,
        mut store: Box<dyn EventStore>,
        options: OpenOptions,
    ) -> Result<Engine, Error> {
        let head = store.head()?;
        if head.seq != 0 {
            return Err(Error::invalid_input(
                "store",
                format!(
                    "{} already holds {} events: import into an empty store",
                    store.location(),
                    head.seq
                ),
            ));
        }
        let (events, verified) = journal::read_jsonl_verified(log.as_ref())?;
        let unchained = matches!(verified, Verified::Unchained { .. });
        if unchained && !options.allow_unchained {
            return Err(Error::CorruptLog {
                line: 0,
                reason: format!(
                    "{} has no audit chain, so nothing shows it was not changed: import it with allow_unchained, and the store records its history as imported unverified",
                    log.as_ref().display()
                ),
            });
        }
        // Verified as a replay would (in a signed store, every act), before anything is written.
        let mut check = match &options.trust {
            Some(trust) => Engine::with_trust(trust.clone()),
            None => Engine::new(),
        };
        check_signed_log(store.as_mut(), options.trust.as_ref())?;
        let mut previous = Head::EMPTY.hash;
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        let mut written = 0;
        let holds = match &options.trust {
            Some(trust) => super::acts::signatures_hold(trust.log(), &events),
            None => vec![None; events.len()],
        };
        for (event, holds) in events.into_iter().zip(holds) {
            check.apply_presigned(event, holds)?;
            let event = check.journal.pop().expect("just applied");
            let record = Record::of(&event, &previous);
            previous = record.hash;
            batch_bytes += record.body.len();
            batch.push(record);
            if batch_bytes >= store::READ_BYTES || batch.len() >= 4096 {
                store.append(written, &batch)?;
                written += batch.len() as u64;
                batch.clear();
                batch_bytes = 0;
            }
        }
        check.acts_complete()?;
        if !batch.is_empty() {
            store.append(written, &batch)?;
            written += batch.len() as u64;
        }
        if unchained && written > 0 {
            store.set_meta(UNVERIFIED_THROUGH, &written.to_string())?;
        }
        drop(check);
        Engine::open_store(store, options)
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

/// `actor`'s feed in `store`, for a party's system that holds no engine: it reads its own rows
/// and nothing else.
pub fn read_feed(
    store: &mut dyn EventStore,
    actor: &Actor,
    cursor: u64,
    limit: u32,
) -> Result<FeedPage, Error> {
    if limit == 0 || limit > MAX_FEED_PAGE {
        return Err(Error::invalid_input(
            "limit",
            format!("{limit} is not between 1 and {MAX_FEED_PAGE}"),
        ));
    }
    if matches!(actor, Actor::System) {
        return Err(Error::invalid_input("actor", "the system has no feed"));
    }
    store.feed(&actor.to_code(), cursor, limit)
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

/// The DCC's latest checkpoint a store keeps.
fn stored_checkpoint(store: &mut dyn EventStore) -> Result<Option<Checkpoint>, Error> {
    let Some(text) = store.meta(CHECKPOINT)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::CorruptLog {
            line: 0,
            reason: format!("the store's checkpoint is not one: {e}"),
        })
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

/// The snapshot inside a signed store's snapshot bytes, if a key this opener trusts signed it.
fn trusted_snapshot<'a>(
    bytes: &'a [u8],
    seq: u64,
    trust: &Trust,
    own_key: Option<signing::PublicKey>,
) -> Result<&'a [u8], Error> {
    let refuse = |reason: String| Error::CorruptSnapshot { seq, reason };
    let (inner, key) = signing::open_signed_snapshot(trust.log(), seq, bytes).map_err(refuse)?;
    if key != trust.anchor() && Some(key) != own_key {
        return Err(refuse(format!(
            "signed by key {key}, which is neither this host's own nor the DCC's anchor"
        )));
    }
    Ok(inner)
}

/// A snapshot that decodes, belongs to this store's chain and, in a signed store, was signed
/// by a key the opener trusts and holds its trust anchor.
fn usable(
    store: &mut dyn EventStore,
    bytes: &[u8],
    seq: u64,
    head: Head,
    trust: Option<&Trust>,
    own_key: Option<signing::PublicKey>,
) -> Result<(State, Outboxes, Head), Error> {
    let bytes = match trust {
        Some(trust) => trusted_snapshot(bytes, seq, trust, own_key)?,
        None => bytes,
    };
    let (state, outboxes, header) = snapshot::decode(bytes)?;
    let refuse = |reason: &str| Error::CorruptSnapshot {
        seq,
        reason: reason.to_string(),
    };
    if let Some(trust) = trust {
        if !state.keys.has_anchor(&trust.anchor()) {
            return Err(refuse("it holds another trust anchor than this engine's"));
        }
    }
    if header.seq != seq {
        return Err(refuse("stored under another event than it holds"));
    }
    if seq == 0 || seq > head.seq {
        return Err(refuse("after the store's last event: the events were cut"));
    }
    let at = store.read(seq - 1, 1, 0)?;
    match at.first() {
        Some(r) if r.seq == seq && r.hash == header.chain_hash => Ok((
            state,
            outboxes,
            Head {
                seq,
                hash: header.chain_hash,
            },
        )),
        _ => Err(refuse(
            "its chain hash is not the store's: not a snapshot of this log",
        )),
    }
}

/// Whether the snapshot the store holds at `seq` is the state `scratch` reached by replaying
/// the events up to it (in a signed store, its signature must hold too).
fn same_as_snapshot(
    store: &mut dyn EventStore,
    scratch: &Engine,
    trust: Option<&Trust>,
    seq: u64,
) -> Result<(), Error> {
    let bytes = store.snapshot(seq)?;
    let bytes = match trust {
        Some(trust) => {
            signing::open_signed_snapshot(trust.log(), seq, &bytes)
                .map_err(|reason| Error::CorruptSnapshot { seq, reason })?
                .0
        }
        None => &bytes[..],
    };
    let (state, outboxes, _) = snapshot::decode(bytes)?;
    if state != scratch.state || outboxes != scratch.outboxes {
        return Err(Error::CorruptSnapshot {
            seq,
            reason: "it does not hold the state its events reach: it was changed (its checksum recomputed) or written wrongly".into(),
        });
    }
    Ok(())
}
