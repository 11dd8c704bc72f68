//! The DCC's signed checkpoints of the log's head: written every so many events, read back, and
//! checked against the store's chain (a deleted tail or a swapped continuation is named).

use crate::engine::Engine;
use crate::journal::{self};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::{Checkpoint, Signer};
use crate::store::{self, EventStore, Head, Record};
use chrono::{DateTime, Utc};

/// The `meta` key under which a signed store keeps the DCC's latest checkpoint.
pub(in crate::engine) const CHECKPOINT: &str = "checkpoint";

/// The DCC's latest checkpoint a store keeps.
pub(in crate::engine) fn stored_checkpoint(
    store: &mut dyn EventStore,
) -> Result<Option<Checkpoint>, Error> {
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

impl Engine {
    /// With the DCC's signer, a checkpoint of the head once `checkpoint_every` events passed
    /// since the last, stamped with the last event's time. It cannot fail the command: a
    /// failure is reported and tried again after as many events.
    pub(in crate::engine) fn checkpoint_if_due(&mut self, through: u64) {
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
}
