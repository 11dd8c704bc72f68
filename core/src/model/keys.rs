//! The keys a log registered and each party's act counter: part of the state (replayed from
//! the key events, kept in snapshots), read when an act is verified.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::PublicKey;

/// One registered key: whose, and the events that registered and revoked it. A key is valid
/// for the acts after its registration and before its revocation, in the log's order (the
/// store's, which every party reads alike; writers' clocks differ, so times would not do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    pub party: Actor,
    /// The event that registered it (0: the trust anchor, valid from the start).
    pub registered: u64,
    /// The event that revoked it.
    pub revoked: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KeyRegistry {
    pub(crate) keys: BTreeMap<PublicKey, KeyEntry>,
    /// Each party's last act counter.
    pub(crate) counters: BTreeMap<Actor, u64>,
}

impl KeyRegistry {
    /// Records the trust anchor: the DCC's key, valid from the start.
    pub(crate) fn set_anchor(&mut self, anchor: PublicKey) {
        self.keys.entry(anchor).or_insert(KeyEntry {
            party: Actor::Dcc,
            registered: 0,
            revoked: None,
        });
    }

    /// Whether `anchor` is this registry's trust anchor.
    pub(crate) fn has_anchor(&self, anchor: &PublicKey) -> bool {
        self.keys
            .get(anchor)
            .is_some_and(|e| e.party == Actor::Dcc && e.registered == 0)
    }

    pub fn get(&self, key: &PublicKey) -> Option<&KeyEntry> {
        self.keys.get(key)
    }

    /// Why `key` may not sign for `party` now (None: it may). Said to the party itself, so it
    /// says no more than its own keys tell it: whether a key is another's or nobody's is not
    /// told apart, and no event number (they count every party's events: docs/domain.md decision 13).
    pub(crate) fn refusal(&self, key: &PublicKey, party: &Actor) -> Option<String> {
        match self.keys.get(key) {
            Some(e) if e.party != *party => Some(format!("key {key} is not a key of {party}'s")),
            None => Some(format!("key {key} is not a key of {party}'s")),
            Some(KeyEntry {
                revoked: Some(_), ..
            }) => Some(format!("key {key} of {party}'s was revoked")),
            Some(_) => None,
        }
    }

    /// Whether `key` was a valid key of `party` at event `seq` (registered at or before it,
    /// not revoked by then).
    pub(crate) fn valid_at(&self, key: &PublicKey, party: &Actor, seq: u64) -> bool {
        self.keys.get(key).is_some_and(|e| {
            e.party == *party && e.registered <= seq && e.revoked.is_none_or(|r| r > seq)
        })
    }

    /// `party`'s keys valid now.
    pub fn valid_keys(&self, party: &Actor) -> Vec<PublicKey> {
        self.keys
            .iter()
            .filter(|(_, e)| e.party == *party && e.revoked.is_none())
            .map(|(k, _)| *k)
            .collect()
    }

    /// Every key registered for `party`, valid or revoked.
    pub fn keys_of(&self, party: &Actor) -> Vec<(PublicKey, KeyEntry)> {
        self.keys
            .iter()
            .filter(|(_, e)| e.party == *party)
            .map(|(k, e)| (*k, e.clone()))
            .collect()
    }

    /// `party`'s last act counter (0: none yet).
    pub fn counter(&self, party: &Actor) -> u64 {
        self.counters.get(party).copied().unwrap_or(0)
    }
}
