//! Snapshots: written every so many events (backing off when the store refuses), taken on
//! demand, and chosen at open (the newest whose chain, format and signer hold).

use super::restore;
use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::signing::{self, Signer, Trust};
use crate::model::notices::Outboxes;
use crate::model::state::State;
use crate::store::{snapshot, EventStore, Head, Record};

/// The snapshot inside a signed store's snapshot bytes, if a key this opener trusts signed it.
pub(in crate::engine) fn trusted_snapshot<'a>(
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
pub(in crate::engine) fn usable(
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
pub(in crate::engine) fn same_as_snapshot(
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
    // A snapshot from before the firmware-known times were kept holds none (it is not used
    // to open the store): the rest of it must still be the state its events reach.
    let mut reached = std::borrow::Cow::Borrowed(&scratch.state);
    if state.firmware_known.outdated {
        reached.to_mut().firmware_known = state.firmware_known.clone();
    }
    if state != *reached || outboxes != scratch.outboxes {
        return Err(Error::CorruptSnapshot {
            seq,
            reason: "it does not hold the state its events reach: it was changed (its checksum recomputed) or written wrongly".into(),
        });
    }
    Ok(())
}

impl Engine {
    /// Rebuilds the state from the store (after a failed batch commit).
    pub(in crate::engine) fn reload(&mut self) -> Result<(), Error> {
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
            .map(|s| crate::engine::acts::Signing::new(s.trust));
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
            upgrade_lists: Default::default(),
        })
    }
}
