//! The engine: a state, the projections derived from its events (the notification outboxes,
//! the maintained upgrade lists),
//! and where its events go. The one entry point for changes: `execute` decides, then records
//! and applies, all or nothing; and for questions: `query`.
//!
//! Two kinds of engine:
//! - in memory ([`Engine::new`]): events are kept in a journal the caller may write out;
//! - durable ([`Engine::open`], `durable/`): each command's events are appended to an event
//!   store, atomically and durably, before the state changes; nothing is kept in memory but the
//!   state.

mod acts;
#[cfg(feature = "arrow")]
mod arrow_in;
mod durable;
mod query;
mod upgrade_list;

pub use durable::{
    read_feed, OpenOptions, OpenReport, DEFAULT_CHECKPOINT_EVERY, DEFAULT_CLOCK_SKEW_SECONDS,
};

use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::error::RowError;
use crate::kernel::ids::actor::Actor;
use crate::model::estate::{EstateTable, HubRow};
use crate::model::notices::{NotificationPage, Outboxes};
use crate::model::state::State;
use crate::write::command::Command;
use crate::write::command::LoadEstateTable;
use crate::write::event::{Event, EventPayload};

#[derive(Default)]
pub struct Engine {
    state: State,
    /// The notifications projection: filled from each event after the state applied it
    /// (`State::notify`), never inside `apply`, so the write model holds no read model.
    outboxes: Outboxes,
    /// In memory: every event. Durable: the last command's events (what `execute` returns).
    journal: Vec<Event>,
    /// The store a durable engine writes ahead to.
    durable: Option<durable::Durable>,
    /// A signed log's trust, and the act being admitted (`None`: an unsigned engine).
    signing: Option<acts::Signing>,
    /// The signers this engine signs each actor's commands with ([`Engine::sign_as`]).
    signers: std::collections::BTreeMap<Actor, std::sync::Arc<dyn crate::kernel::signing::Signer>>,
    /// The upgrade lists, maintained as events apply (`upgrade_list.rs`): not state.
    upgrade_lists: upgrade_list::MaintainedLists,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("last_seq", &self.state.last_seq())
            .field("hubs", &self.state.hub_count())
            .field("store", &self.durable.as_ref().map(|d| d.location()))
            .finish()
    }
}

impl Engine {
    pub fn new() -> Self {
        Engine::default()
    }

    /// Runs `command` for `actor`, recorded at `at`: the host's own clock, read when the
    /// command is executed (docs/domain.md decision 15), never a time a party sent. The log is
    /// ordered by sequence number, the store's order where several writers share one; each
    /// writer stamps its commands with its own clock (decision 20), so a recording time may be
    /// earlier than the event before it, and no writer's time becomes another's. Automatic acts
    /// (time-outs, cut-off takeovers, reconciliation) are decided at `at`, the caller's time.
    /// When a reported fact happened travels inside the command (`happened_at` of outcome and
    /// health rows). Refused: an error, and nothing changed. Accepted: the events recorded, in
    /// order.
    ///
    /// A durable engine also refuses an `at` later than its host's clock plus the skew of its
    /// [`OpenOptions`] (the one place the library reads a clock), and decides a refused command
    /// again after catching up with its store's other writers, so that a valid command is never
    /// refused because this engine was behind.
    ///
    /// A signed engine ([`Engine::with_trust`], or a store opened with a trust) signs the
    /// command with the signer it holds for `actor` ([`Engine::sign_as`]) and refuses it
    /// without one ([`Error::BadSignature`]); [`Engine::execute_signed`] takes a command its
    /// actor signed elsewhere.
    pub fn execute(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<&[Event], Error> {
        if self.signing.is_some() {
            let Some(signer) = self.signers.get(actor).cloned() else {
                return Err(acts::unsigned_command(actor));
            };
            return self.execute_signing(&*signer, actor, at, command);
        }
        self.execute_act(actor, at, command, None)
    }

    /// `execute`, the first event carrying `act` when the command was signed.
    fn execute_act(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
        act: Option<crate::write::act::Act>,
    ) -> Result<&[Event], Error> {
        // No command between the events of an act being admitted (a follower part way through).
        self.acts_complete()?;
        if self.durable.is_some() {
            return self.execute_durable(actor, at, command, act);
        }
        if let Some(act) = &act {
            self.check_standing(&act.by, &act.key, act.n)?;
        }
        let payloads = self.state.decide(actor, at, command, &self.outboxes)?;
        let events = self.number(actor, at, payloads, act);
        let start = self.journal.len();
        for event in events {
            // `decide` checked everything `apply` needs, so this cannot fail; if it ever did,
            // the bug is reported rather than a half-applied command kept silently.
            self.state.apply_decided(&event)?;
            self.state.notify(&event, &mut self.outboxes);
            self.upgrade_lists.observe(&self.state, &event);
            self.journal.push(event);
        }
        Ok(&self.journal[start..])
    }

    /// The events of a decided command, numbered after the state's last; automatic
    /// consequences are the system's; the first carries the command's act, if signed.
    fn number(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        payloads: Vec<EventPayload>,
        act: Option<crate::write::act::Act>,
    ) -> Vec<Event> {
        let first = self.state.last_seq() + 1;
        let mut act = act;
        payloads
            .into_iter()
            .enumerate()
            .map(|(i, payload)| Event {
                seq: first + i as u64,
                at,
                actor: match &payload {
                    p if p.is_automatic() => Actor::System,
                    // A rule's act is its owner's (docs/domain.md decision 16).
                    EventPayload::RuleActed(a) => a.owner.clone(),
                    _ => actor.clone(),
                },
                payload,
                act: act.take(),
            })
            .collect()
    }

    /// A bulk load whose rows were parsed at the edge (a binding, a file reader), some of them
    /// perhaps not: every bad row is reported at once, the edge's and the model's, by its
    /// index in the original input, and nothing is applied unless every row is good.
    pub fn load_estate_rows(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        rows: Vec<Result<HubRow, String>>,
    ) -> Result<&[Event], Error> {
        let mut good = Vec::with_capacity(rows.len());
        let mut origin = Vec::with_capacity(rows.len());
        let mut rejected = Vec::new();
        for (row, parsed) in rows.into_iter().enumerate() {
            match parsed {
                Ok(hub) => {
                    good.push(hub);
                    origin.push(row);
                }
                Err(reason) => rejected.push(RowError { row, reason }),
            }
        }
        self.load_estate_table(actor, at, EstateTable::from_rows(&good), &origin, rejected)
    }

    /// The same for columns parsed at the edge: `table` holds the rows that parsed, table row
    /// `i` being input row `origin[i]`; `rejected` holds the rows that did not, by input row.
    pub fn load_estate_table(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        table: EstateTable,
        origin: &[usize],
        rejected: Vec<RowError>,
    ) -> Result<&[Event], Error> {
        if rejected.is_empty() {
            return self.execute(
                actor,
                at,
                Command::LoadEstateTable(LoadEstateTable { table }),
            );
        }
        let nothing_parsed = table.is_empty();
        let mut bad = rejected;
        match self.state.decide(
            actor,
            at,
            Command::LoadEstateTable(LoadEstateTable { table }),
            &self.outboxes,
        ) {
            Ok(_) => {}
            Err(Error::BulkRejected { rows }) => bad.extend(rows.into_iter().map(|r| RowError {
                row: origin.get(r.row).copied().unwrap_or(r.row),
                reason: r.reason,
            })),
            // With no row parsed the model can only say the load is empty; the rows say why.
            Err(Error::InvalidInput { .. }) if nothing_parsed => {}
            Err(other) => return Err(other),
        }
        bad.sort_by_key(|r| r.row);
        Err(Error::BulkRejected { rows: bad })
    }

    /// Rebuilds an engine from recorded events (e.g. [`crate::journal::read_jsonl`]). Every
    /// event is verified as it is applied; a bad one is a [`Error::CorruptLog`] naming it.
    pub fn replay(events: impl IntoIterator<Item = Event>) -> Result<Engine, Error> {
        let mut engine = Engine::new();
        for event in events {
            engine.apply_event(event)?;
        }
        Ok(engine)
    }

    /// Applies one event recorded elsewhere (a follower tailing another engine's log), verified
    /// as in [`Engine::replay`]. Refused: nothing changes.
    pub fn apply_event(&mut self, event: Event) -> Result<(), Error> {
        self.apply_presigned(event, None)
    }

    /// [`Engine::apply_event`], the act's signature already checked when `holds` is given.
    fn apply_presigned(&mut self, event: Event, holds: Option<bool>) -> Result<(), Error> {
        if self.durable.is_some() {
            return Err(Error::invalid_input(
                "event",
                "a durable engine takes events from its store (catch_up), not by hand",
            ));
        }
        self.check_acknowledgement(&event)?;
        // Refused: nothing changes, the act being admitted included.
        let admission = self.admission(&event, holds)?;
        self.state.apply(&event)?;
        self.admitted(admission);
        self.state.notify(&event, &mut self.outboxes);
        self.upgrade_lists.observe(&self.state, &event);
        self.journal.push(event);
        Ok(())
    }

    /// A recorded acknowledgement must be one a command could have made: up to a notification
    /// its recipient was given, past its cursor. (One up to 2^63 would leave the party unable
    /// to acknowledge ever again.) The outboxes are the engine's, so this is checked here.
    fn check_acknowledgement(&self, event: &Event) -> Result<(), Error> {
        let EventPayload::NotificationsAcknowledged(ack) = &event.payload else {
            return Ok(());
        };
        let (last, acked) = self
            .outboxes
            .bounds(self.state.recipient_of(&ack.recipient));
        if ack.up_to > last || ack.up_to <= acked {
            return Err(Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "event {} acknowledges {}'s notifications up to {}, but it was given {last} and had acknowledged {acked}: no command records that",
                    event.seq,
                    ack.recipient,
                    ack.up_to
                ),
            });
        }
        Ok(())
    }

    /// What `command` by `actor` at `at` would record, or why it would be refused, without
    /// recording anything (a dry run; `execute` is this, then apply).
    pub fn decide(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<Vec<EventPayload>, Error> {
        self.state.decide(actor, at, command, &self.outboxes)
    }

    /// `actor`'s notifications not yet acknowledged, oldest first, at most `limit` (1 to
    /// 10 000).
    pub fn notifications(&self, actor: &Actor, limit: u64) -> Result<NotificationPage, Error> {
        self.state
            .notifications(actor, crate::kernel::limits::signed(limit), &self.outboxes)
    }

    /// A copy of the state and projections without the journal, in memory (it writes to no
    /// store): for a what-if dry run, or to compare with another engine.
    pub fn fork(&self) -> Engine {
        Engine {
            state: self.state.clone(),
            outboxes: self.outboxes.clone(),
            journal: Vec::new(),
            durable: None,
            signing: None,
            signers: Default::default(),
            upgrade_lists: Default::default(),
        }
    }

    /// Whether `other` holds the same state and projections (what a replay must rebuild); the
    /// journals may differ (one may have handed its events over).
    pub fn same_state_as(&self, other: &Engine) -> bool {
        self.state == other.state && self.outboxes == other.outboxes
    }

    /// [`Engine::same_state_as`] but for the Deployed Products List's history and the times
    /// each hub's firmware is known since, which a snapshot written before they were kept
    /// cannot hold (both start on the snapshot's day).
    #[doc(hidden)]
    pub fn same_state_but_dpl_history(&self, other: &Engine) -> bool {
        let (mut a, mut b) = (self.state.clone(), other.state.clone());
        a.dpl = Default::default();
        b.dpl = Default::default();
        a.firmware_known = Default::default();
        b.firmware_known = Default::default();
        a == b && self.outboxes == other.outboxes
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// In memory: every event recorded so far, oldest first (those not handed over by
    /// [`Engine::take_events`]). A durable engine keeps its history in its store, not in
    /// memory: refused, naming what reads it ([`Engine::history`], [`Engine::export`],
    /// [`Engine::records`]).
    pub fn events(&self) -> Result<&[Event], Error> {
        match &self.durable {
            None => Ok(&self.journal),
            Some(_) => Err(durable::history_in_store("events")),
        }
    }

    /// Hands the recorded events to the caller (e.g. after writing them to durable storage)
    /// and keeps only the state, so that a long-lived engine does not hold its whole history.
    /// Refused on a durable engine, whose history is its store's.
    pub fn take_events(&mut self) -> Result<Vec<Event>, Error> {
        match &self.durable {
            None => Ok(std::mem::take(&mut self.journal)),
            Some(_) => Err(durable::history_in_store("take_events")),
        }
    }

    /// The events after sequence number `after` (0: from the first), oldest first: in memory
    /// the journal's (those not handed over), durable the store's, each verified against the
    /// audit chain. The same answer from both kinds of engine.
    pub fn history(&mut self, after: u64) -> Result<Vec<Event>, Error> {
        match self.durable.is_some() {
            false => Ok(self
                .journal
                .iter()
                .filter(|e| e.seq > after)
                .cloned()
                .collect()),
            true => self.stored_history(after),
        }
    }
}
