//! The engine: a state plus the journal of every event that built it. The one entry point for
//! changes: `execute` decides, then applies and records, all or nothing.

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::command::Command;
use crate::event::Event;
use crate::state::State;
use crate::Error;

#[derive(Debug, Clone, Default)]
pub struct Engine {
    state: State,
    journal: Vec<Event>,
}

impl Engine {
    pub fn new() -> Self {
        Engine::default()
    }

    /// Runs `command` for `actor` at time `at` (the caller's clock: the model has none).
    /// Refused: an error, and nothing changed. Accepted: the events recorded, in order.
    pub fn execute(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<&[Event], Error> {
        let payloads = self.state.decide(actor, at, command)?;
        let start = self.journal.len();
        for payload in payloads {
            let event = Event {
                seq: self.state.last_seq() + 1,
                at,
                actor: actor.clone(),
                payload,
            };
            // `decide` checked everything `apply` needs, so this cannot fail; if it ever did,
            // the bug is reported rather than a half-applied command kept silently.
            self.state.apply_decided(&event)?;
            self.journal.push(event);
        }
        Ok(&self.journal[start..])
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
        self.state.apply(&event)?;
        self.journal.push(event);
        Ok(())
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Every event recorded so far, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.journal
    }

    /// Hands the recorded events to the caller (e.g. after writing them to durable storage)
    /// and keeps only the state, so that a long-lived engine does not hold its whole history.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.journal)
    }
}
