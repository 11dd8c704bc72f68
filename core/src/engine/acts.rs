//! Signed acts in the engine (docs/domain.md decision 21). An engine given a [`Trust`] runs a signed
//! log: it takes only commands signed by their actor's valid key ([`Engine::execute_signed`]),
//! verifying the signature before it decides, and stamps the command's first event with the
//! act. Every event it reads (replay, catch-up, import, verification) is admitted only as part
//! of an act whose signature holds: the command is decided again on the state before it, at its
//! recorded time, and must give exactly the recorded events, automatic ones (the system's)
//! included, so nobody can attach other events to a party's signature, nor record an act the
//! system did not derive.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::Engine;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::{self, PublicKey, Signer, Trust};
use crate::write::act::{self, Act, SignedCommand};
use crate::write::command::Command;
use crate::write::event::{Event, EventPayload};

/// Whether the signature of each event's act holds for `log` (`None`: the event carries no
/// act), worked out on every core: the part of admitting an act that reads no state, done for a
/// page of events before they are admitted one by one.
pub(super) fn signatures_hold(log: &str, events: &[Event]) -> Vec<Option<bool>> {
    signatures_hold_of(log, &events.iter().collect::<Vec<_>>())
}

/// [`signatures_hold`] of borrowed events.
pub(super) fn signatures_hold_of(log: &str, events: &[&Event]) -> Vec<Option<bool>> {
    use rayon::prelude::*;
    let one = |event: &&Event| {
        event
            .act
            .as_ref()
            .map(|act| act_signature_holds(log, event, act))
    };
    if events.len() < 16 || rayon::current_num_threads() < 2 {
        return events.iter().map(one).collect();
    }
    events.par_iter().map(one).collect()
}

/// Whether `act`'s signature holds for the event that carries it (false when the act carries
/// no command and the event is not the bulk load it would then be).
fn act_signature_holds(log: &str, event: &Event, act: &Act) -> bool {
    let digest = match (&act.command, &event.payload) {
        (Some(command), _) => act::command_digest(command),
        (None, EventPayload::EstateLoaded(load)) => act::load_digest(&load.table),
        (None, _) => return false,
    };
    act.key.verifies(
        &signing::act_message(log, &act.by, &event.at, act.n, &digest),
        &act.sig,
    )
}

/// What admitting one event changes: nothing (an unsigned log), the next event an act owes, or
/// a new act and the events it owes after this one.
pub(super) enum Admission {
    Unsigned,
    Owed,
    Act { at: u64, owes: Vec<Event> },
}

/// A signed engine's trust and the events the act being admitted still owes.
#[derive(Debug, Clone)]
pub(super) struct Signing {
    pub(super) trust: Trust,
    /// The recorded events the act being admitted must still show, as deciding it gave them.
    owed: VecDeque<Event>,
    /// The event that carried the act being admitted.
    owed_by: u64,
}

impl Signing {
    pub(super) fn new(trust: Trust) -> Signing {
        Signing {
            trust,
            owed: VecDeque::new(),
            owed_by: 0,
        }
    }
}

fn corrupt(seq: u64, reason: String) -> Error {
    Error::CorruptLog { line: seq, reason }
}

fn bad_signature(actor: &Actor, reason: impl Into<String>) -> Error {
    Error::BadSignature {
        actor: actor.to_code(),
        reason: reason.into(),
    }
}

impl Engine {
    /// An engine in memory running a signed log: it takes signed commands only, and verifies
    /// every act it replays against `trust` (the log's identity and the DCC's key).
    pub fn with_trust(trust: Trust) -> Engine {
        let mut engine = Engine::new();
        engine.state.keys.set_anchor(trust.anchor());
        engine.signing = Some(Signing::new(trust));
        engine
    }

    /// Rebuilds an engine from a signed log's events, each act verified (signature, key,
    /// counter, and the command deciding again to exactly its recorded events).
    pub fn replay_signed(
        trust: Trust,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<Engine, Error> {
        let mut engine = Engine::with_trust(trust);
        engine.apply_events(events)?;
        engine.acts_complete()?;
        Ok(engine)
    }

    /// Applies events recorded elsewhere, in order, each verified as [`Engine::apply_event`]
    /// verifies it; in a signed log a page's signatures are checked on every core first. How
    /// many were applied; on a refusal, those before it stay applied and the refusal names the
    /// event.
    pub fn apply_events(&mut self, events: impl IntoIterator<Item = Event>) -> Result<u64, Error> {
        let log = self.trust().map(|t| t.log().to_string());
        let mut events = events.into_iter().peekable();
        let mut applied = 0;
        while events.peek().is_some() {
            let page: Vec<Event> = events.by_ref().take(1024).collect();
            let holds = match &log {
                Some(log) => signatures_hold(log, &page),
                None => vec![None; page.len()],
            };
            for (event, holds) in page.into_iter().zip(holds) {
                self.apply_presigned(event, holds)?;
                applied += 1;
            }
        }
        Ok(applied)
    }

    /// The trust this engine verifies acts against (`None`: an unsigned engine).
    pub fn trust(&self) -> Option<&Trust> {
        self.signing.as_ref().map(|s| &s.trust)
    }

    /// The counter `actor`'s next act must carry (one more than its last in the log).
    pub fn next_act(&self, actor: &Actor) -> u64 {
        self.state.keys.counter(actor) + 1
    }

    /// The keys registered for `party`, each with the events that registered and revoked it.
    pub fn keys_of(&self, party: &Actor) -> Vec<(PublicKey, crate::model::keys::KeyEntry)> {
        self.state.keys.keys_of(party)
    }

    /// `command` by `actor` at `at` signed by `signer` for this engine's log, as its next act:
    /// what a party's service sends to the host that runs the engine.
    pub fn sign(
        &self,
        signer: &dyn Signer,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<SignedCommand, Error> {
        let trust = self.trust().ok_or_else(|| unsigned_engine(actor))?;
        SignedCommand::sign(
            signer,
            trust.log(),
            actor,
            at,
            self.next_act(actor),
            command,
        )
    }

    /// Signs `actor`'s commands with `signer` from now on: [`Engine::execute`] and
    /// [`Engine::execute_batch`] sign each as the actor's next act. What a party's own service
    /// does with its own key (in memory, or a callback to an HSM or a KMS); a host that takes
    /// commands the parties signed themselves uses [`Engine::execute_signed`] instead.
    pub fn sign_as(
        &mut self,
        actor: &Actor,
        signer: std::sync::Arc<dyn Signer>,
    ) -> Result<(), Error> {
        if self.signing.is_none() {
            return Err(unsigned_engine(actor));
        }
        if *actor == Actor::System {
            return Err(bad_signature(actor, "the system makes no commands"));
        }
        self.signers.insert(actor.clone(), signer);
        Ok(())
    }

    /// Signs `command` with `signer` and executes it: [`Engine::sign`], then
    /// [`Engine::execute_signed`].
    pub fn execute_with(
        &mut self,
        signer: &dyn Signer,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<&[Event], Error> {
        let signed = self.sign(signer, actor, at, command)?;
        self.execute_signed(signed)
    }

    /// `execute_with` for a signer the engine holds: a durable engine behind its store's other
    /// writers signed with a stale counter (or before a key of the actor's was registered), so
    /// it signs once more after catching up.
    pub(super) fn execute_signing(
        &mut self,
        signer: &dyn Signer,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<&[Event], Error> {
        let again = match (&self.durable, &command) {
            (None, _) | (_, Command::LoadEstateTable(_)) => None,
            _ => Some(command.clone()),
        };
        let signed = self.sign(signer, actor, at, command)?;
        let act = self.verify_signed_only(&signed)?;
        let SignedCommand { command, .. } = signed;
        let stale = match &again {
            Some(_) => {
                // Refused for its standing on a state the store has moved past: signed again.
                match self.check_standing(actor, &act.key, act.n) {
                    Err(Error::BadSignature { .. }) => self.catch_up()? > 0,
                    _ => false,
                }
            }
            None => false,
        };
        match (stale, again) {
            (true, Some(command)) => {
                let signed = self.sign(signer, actor, at, command)?;
                self.execute_signed(signed)
            }
            _ => self.execute_act(actor, at, command, Some(act)),
        }
    }

    /// Runs a command its actor signed: the signature verified first (a [`Error::BadSignature`]
    /// when it does not hold, when its key is not the actor's valid key, or when its counter
    /// was used), then decided and recorded as [`Engine::execute`] does, the first event
    /// carrying the act.
    pub fn execute_signed(&mut self, signed: SignedCommand) -> Result<&[Event], Error> {
        // The key's standing and the counter are checked on the state the command is decided
        // on (a durable engine's, caught up with its store's other writers).
        let act = self.verify_signed_only(&signed)?;
        let SignedCommand {
            actor, at, command, ..
        } = signed;
        self.execute_act(&actor, at, command, Some(act))
    }

    /// The act of a signed command whose signature holds for this log (the key's standing and
    /// the counter are checked on the state it is decided on, by `check_standing`).
    pub(super) fn verify_signed(&self, signed: &SignedCommand) -> Result<Act, Error> {
        let act = self.verify_signed_only(signed)?;
        self.check_standing(&signed.actor, &signed.key, signed.n)?;
        Ok(act)
    }

    /// The act of a signed command whose signature holds for this log, its standing unchecked.
    pub(super) fn verify_signed_only(&self, signed: &SignedCommand) -> Result<Act, Error> {
        let trust = self.trust().ok_or_else(|| unsigned_engine(&signed.actor))?;
        if signed.actor == Actor::System {
            return Err(bad_signature(&signed.actor, "the system makes no commands"));
        }
        // A load is recorded with its empty columns dropped, and readers digest what is
        // recorded: one signed with them would never verify again.
        if let Command::LoadEstateTable(load) = &signed.command {
            if !load.table.is_compact() {
                return Err(bad_signature(
                    &signed.actor,
                    "a load is signed as it is recorded, its empty columns dropped (SignedCommand::sign does that)",
                ));
            }
        }
        if !signed.signature_holds(trust.log()) {
            return Err(bad_signature(
                &signed.actor,
                format!(
                    "the signature by key {} does not hold for this command, time, counter and log {:?}",
                    signed.key,
                    trust.log()
                ),
            ));
        }
        Ok(Act {
            by: signed.actor.clone(),
            key: signed.key,
            n: signed.n,
            sig: signed.signature,
            // The bulk load's command is its event (see `act::command_digest`).
            command: match &signed.command {
                Command::LoadEstateTable(_) => None,
                other => Some(other.clone()),
            },
        })
    }

    /// Whether `key` may sign `actor`'s act number `n` on the current state.
    pub(super) fn check_standing(
        &self,
        actor: &Actor,
        key: &PublicKey,
        n: u64,
    ) -> Result<(), Error> {
        if let Some(why) = self.state.keys.refusal(key, actor) {
            return Err(bad_signature(actor, why));
        }
        // Exactly the next: an act is recorded once, and none of a party's acts can be
        // removed from between two others unseen.
        let last = self.state.keys.counter(actor);
        if n != last + 1 {
            return Err(bad_signature(
                actor,
                format!(
                    "act counter {n} is not {actor}'s next: its last act in the log is number {last}, so sign this one as {}",
                    last + 1
                ),
            ));
        }
        Ok(())
    }

    /// Whether a recorded event is admitted into a signed log (see the module's comment), and
    /// what admitting it changes ([`Engine::admitted`], once it applied); in an unsigned engine,
    /// an event that carries an act is refused (it cannot be verified without trust). `holds`:
    /// the act's signature, when already checked (`signatures_hold`).
    pub(super) fn admission(&self, event: &Event, holds: Option<bool>) -> Result<Admission, Error> {
        let Some(signing) = self.signing.as_ref() else {
            if event.act.is_some() {
                return Err(corrupt(
                    event.seq,
                    format!(
                        "event {} is a signed act: a signed log is read with its trust anchor (the log's identity and the DCC's key)",
                        event.seq
                    ),
                ));
            }
            return Ok(Admission::Unsigned);
        };
        let Some(act) = &event.act else {
            // An event after its act's first: exactly the one deciding the act gave.
            let Some(owed) = signing.owed.front() else {
                return Err(corrupt(
                    event.seq,
                    format!(
                        "event {} ({}, recorded as {}'s) is not signed: no act of a valid key records it",
                        event.seq,
                        event.payload.type_name(),
                        event.actor
                    ),
                ));
            };
            if owed != event {
                return Err(corrupt(
                    event.seq,
                    format!(
                        "event {} is not what the act of event {} records: deciding that act again gives {} by {} here",
                        event.seq,
                        signing.owed_by,
                        owed.payload.type_name(),
                        owed.actor
                    ),
                ));
            }
            return Ok(Admission::Owed);
        };
        if !signing.owed.is_empty() {
            return Err(corrupt(
                event.seq,
                format!(
                    "event {} starts an act before the act of event {} shows all its events: events were removed",
                    event.seq, signing.owed_by
                ),
            ));
        }
        let expected = self.decide_again(event, act, signing.trust.log(), holds)?;
        Ok(Admission::Act {
            at: event.seq,
            owes: expected,
        })
    }

    /// Records an admission once its event was applied (nothing is recorded for an event that
    /// then failed to apply, so the act being admitted stays in step with the state).
    pub(super) fn admitted(&mut self, admission: Admission) {
        let Some(signing) = self.signing.as_mut() else {
            return;
        };
        match admission {
            Admission::Unsigned => {}
            Admission::Owed => {
                signing.owed.pop_front();
            }
            Admission::Act { at, owes } => {
                signing.owed = owes.into();
                signing.owed_by = at;
            }
        }
    }

    /// The events `event`'s act records when decided again on the current state, the first
    /// checked against `event` and the rest returned (what the next events must be).
    fn decide_again(
        &self,
        event: &Event,
        act: &Act,
        log: &str,
        holds: Option<bool>,
    ) -> Result<Vec<Event>, Error> {
        let seq = event.seq;
        let refuse = |why: String| corrupt(seq, format!("event {seq}'s act by {}: {why}", act.by));
        self.check_standing(&act.by, &act.key, act.n)
            .map_err(|e| refuse(format!("{e}")))?;
        if act.command.is_none() && !matches!(event.payload, EventPayload::EstateLoaded(_)) {
            return Err(refuse(format!(
                "it carries no command, which only a bulk load (its own event) may, and this is {}",
                event.payload.type_name()
            )));
        }
        if !holds.unwrap_or_else(|| act_signature_holds(log, event, act)) {
            return Err(refuse(format!(
                "its signature by key {} does not hold: the event, its time, actor or command was changed",
                act.key
            )));
        }
        let Some(command) = &act.command else {
            // The load: its event is its command; applying it checks it as deciding would.
            if event.actor != act.by {
                return Err(refuse(format!("recorded as {}'s", event.actor)));
            }
            return Ok(Vec::new());
        };
        let payloads = self
            .state
            .decide(&act.by, event.at, command.clone(), &self.outboxes)
            .map_err(|e| {
                refuse(format!(
                    "its command ({}) is refused on this state: {e}",
                    command.action()
                ))
            })?;
        let mut events = self.number(&act.by, event.at, payloads, Some(act.clone()));
        if events.is_empty() {
            return Err(refuse("its command records nothing on this state".into()));
        }
        let first = events.remove(0);
        if first != *event {
            return Err(refuse(format!(
                "the event is not what its command records: deciding it again gives {} by {}",
                first.payload.type_name(),
                first.actor
            )));
        }
        Ok(events)
    }

    /// Every act admitted so far showed all its events (the end of a replay or a catch-up).
    pub(super) fn acts_complete(&self) -> Result<(), Error> {
        match &self.signing {
            Some(s) if !s.owed.is_empty() => Err(corrupt(
                s.owed_by,
                format!(
                    "the log ends inside the act of event {}: {} of its events were removed",
                    s.owed_by,
                    s.owed.len()
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The refusal of a signed command by an engine that verifies no signatures.
fn unsigned_engine(actor: &Actor) -> Error {
    bad_signature(
        actor,
        "this engine runs an unsigned log (no trust anchor): open or create it with one to take signed acts",
    )
}

/// The refusal of an unsigned command by a signed engine.
pub(super) fn unsigned_command(actor: &Actor) -> Error {
    bad_signature(
        actor,
        "this log is signed: every command is signed by its actor's key (execute_signed or execute_with)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::signing::KeyPair;
    use crate::model::estate::EstateTable;
    use crate::write::command::LoadEstateTable;

    /// A load signed with its empty columns (by a signer that did not use
    /// `SignedCommand::sign`) would be recorded without them and never verify again: refused.
    #[test]
    fn a_load_signed_with_empty_columns_is_refused_before_it_is_decided() {
        let dcc = KeyPair::from_seed(&[1; 32]).unwrap();
        let trust = Trust::new("unit-log", dcc.public_key()).unwrap();
        let engine = Engine::with_trust(trust);
        let table = EstateTable {
            commissioned_on: vec![None],
            ..EstateTable::default()
        };
        assert!(!table.is_compact());
        let command = Command::LoadEstateTable(LoadEstateTable { table });
        let at = chrono::Utc::now();
        let digest = act::command_digest(&command);
        let message = signing::act_message("unit-log", &Actor::Dcc, &at, 1, &digest);
        let signed = SignedCommand {
            actor: Actor::Dcc,
            at,
            n: 1,
            key: dcc.public_key(),
            command,
            signature: Signer::sign(&dcc, &message).unwrap(),
        };
        assert!(signed.signature_holds("unit-log"));
        let err = engine.verify_signed_only(&signed).unwrap_err();
        assert_eq!(err.kind(), crate::kernel::error::ErrorKind::BadSignature);
        assert!(err.to_string().contains("empty columns"), "{err}");
    }
}
