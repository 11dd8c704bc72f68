//! Batches: many commands decided and appended as one store transaction, retried when another
//! writer won the race, and decided once more under the store's write lock if it keeps losing.

use super::{scoped, ActSource};
use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::store::{self, Record};
use crate::write::act::{Act, SignedCommand};
use crate::write::command::Command;
use crate::write::event::Event;
use chrono::{DateTime, Utc};

/// One command of a batch: its actor, and the command with its act, or why its signature was
/// refused before it could be decided.
pub(in crate::engine) type BatchItem = (Actor, Result<(Command, ActSource), Error>);

/// How many times a batch may lose the race to another writer before it takes the store's
/// write lock to decide once more.
pub(in crate::engine) const BATCH_TRIES: u32 = 2;

impl Engine {
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
                    None => Err(crate::engine::acts::unsigned_command(&actor)),
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
    pub(in crate::engine) fn act_of(
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

    pub(in crate::engine) fn run_batch(
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
    pub(in crate::engine) fn try_batch(
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
}
