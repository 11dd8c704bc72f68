//! Party keys (docs/domain.md decision 21): the DCC registers, rotates and revokes the public keys
//! each party signs its acts with. The DCC's first key is the trust anchor, given to every
//! party out of band; the DCC rotates its own key the same way, signing with the key it has.

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::limits;
use crate::kernel::signing::PublicKey;
use crate::model::keys::KeyEntry;
use crate::model::notices::NotificationKind;
use crate::model::state::State;
use crate::write::event::EventPayload;

/// The DCC: register `key` as one `party` signs its acts with, from this act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterKey {
    pub party: Actor,
    pub key: PublicKey,
}

/// The DCC: `party`'s key `old` gives way to `new` in one act (registered, then revoked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateKey {
    pub party: Actor,
    pub old: PublicKey,
    pub new: PublicKey,
}

/// The DCC: `party`'s key `key` signs nothing after this act (acts it signed before stand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeKey {
    pub party: Actor,
    pub key: PublicKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason: Option<String>,
}

impl State {
    /// A key may be registered for a party that makes commands, once, within the bound.
    fn check_new_key(&self, party: &Actor, key: &PublicKey, replacing: bool) -> Result<(), Error> {
        if *party == Actor::System {
            return Err(Error::invalid_input(
                "party",
                "the system makes no commands, so it has no key",
            ));
        }
        if self.keys.get(key).is_some() {
            return Err(Error::AlreadyExists {
                entity: Entity::Key,
                id: key.to_string(),
            });
        }
        let valid = self.keys.valid_keys(party).len() - usize::from(replacing);
        if valid >= limits::MAX_KEYS_PER_PARTY {
            return Err(Error::PreconditionFailed {
                rule: Rule::Capacity,
                detail: format!(
                    "{party} has {valid} valid keys, the most a party may hold at once ({}): revoke one first",
                    limits::MAX_KEYS_PER_PARTY
                ),
            });
        }
        Ok(())
    }

    /// A key may be revoked if it is `party`'s and valid, and the DCC keeps one valid key.
    fn check_revocable(&self, party: &Actor, key: &PublicKey, replaced: bool) -> Result<(), Error> {
        match self.keys.get(key) {
            Some(KeyEntry { party: p, .. }) if p == party => {}
            _ => {
                return Err(Error::NotFound {
                    entity: Entity::Key,
                    id: format!("{key} of {party}"),
                })
            }
        }
        if let Some(KeyEntry {
            revoked: Some(at), ..
        }) = self.keys.get(key)
        {
            return Err(Error::PreconditionFailed {
                rule: Rule::NoChange,
                detail: format!("key {key} was already revoked at event {at}"),
            });
        }
        if *party == Actor::Dcc && !replaced && self.keys.valid_keys(&Actor::Dcc).len() <= 1 {
            return Err(Error::PreconditionFailed {
                rule: Rule::NoChange,
                detail: format!(
                    "key {key} is the DCC's last valid key, without which nobody could register another: rotate it instead"
                ),
            });
        }
        Ok(())
    }
}

impl Decide for RegisterKey {
    fn action(&self) -> String {
        format!("register a key for {}", self.party)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // an actor and a key: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        cx.dcc_only()?;
        let RegisterKey { party, key } = self;
        state.check_new_key(&party, &key, false)?;
        Ok(vec![KeyRegistered { party, key }.into()])
    }
}

impl Decide for RotateKey {
    fn action(&self) -> String {
        format!("rotate a key of {}", self.party)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(())
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        cx.dcc_only()?;
        let RotateKey { party, old, new } = self;
        state.check_revocable(&party, &old, true)?;
        state.check_new_key(&party, &new, true)?;
        Ok(vec![
            KeyRegistered {
                party: party.clone(),
                key: new,
            }
            .into(),
            KeyRevoked {
                party,
                key: old,
                reason: Some("rotated".into()),
            }
            .into(),
        ])
    }
}

impl Decide for RevokeKey {
    fn action(&self) -> String {
        format!("revoke a key of {}", self.party)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        match &self.reason {
            Some(reason) => limits::text("reason", reason),
            None => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        cx.dcc_only()?;
        let RevokeKey { party, key, reason } = self;
        state.check_revocable(&party, &key, false)?;
        Ok(vec![KeyRevoked { party, key, reason }.into()])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRegistered {
    pub party: Actor,
    pub key: PublicKey,
}

impl Evolve for KeyRegistered {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        if verify {
            // A rotation registers before it revokes: one key over the bound for a moment.
            if self.party == Actor::System || state.keys.get(&self.key).is_some() {
                return Err(Error::AlreadyExists {
                    entity: Entity::Key,
                    id: self.key.to_string(),
                });
            }
        }
        state.keys.keys.insert(
            self.key,
            KeyEntry {
                party: self.party.clone(),
                registered: event.seq,
                revoked: None,
            },
        );
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        // The party learns of every key registered in its name: one it did not make is seen.
        if let Some(to) = state.recipient_of(&self.party) {
            out.push((
                to,
                NotificationKind::KeyRegistered {
                    key: self.key.to_string(),
                },
            ));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRevoked {
    pub party: Actor,
    pub key: PublicKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Evolve for KeyRevoked {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let entry = state.keys.keys.get_mut(&self.key);
        match entry {
            Some(e) if e.party == self.party && e.revoked.is_none() => {
                e.revoked = Some(event.seq);
                Ok(())
            }
            _ if !verify => Ok(()),
            _ => Err(Error::NotFound {
                entity: Entity::Key,
                id: format!("{} of {} (valid)", self.key, self.party),
            }),
        }
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        if let Some(to) = state.recipient_of(&self.party) {
            out.push((
                to,
                NotificationKind::KeyRevoked {
                    key: self.key.to_string(),
                },
            ));
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::signing::KeyPair;
    use crate::write::spec::{catalogue, day, estate, given, sup};

    fn key(n: u8) -> PublicKey {
        KeyPair::from_seed(&[n; 32]).unwrap().public_key()
    }

    fn register(n: u8) -> RegisterKey {
        RegisterKey {
            party: sup("SUP-A"),
            key: key(n),
        }
    }

    #[test]
    fn the_dcc_registers_a_partys_key_and_the_party_is_told() {
        given(&[catalogue(), estate()])
            .when(&Actor::Dcc, day(1), register(1))
            .then(vec![KeyRegistered {
                party: sup("SUP-A"),
                key: key(1),
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["key_registered"])
            .then_notices(&sup("SUP-B"), &[])
            .then_view(|e| e.keys_of(&sup("SUP-A")).len(), 1);
    }

    #[test]
    fn keys_are_the_dccs_to_register_once_and_never_for_the_system() {
        given(&[catalogue(), estate()])
            .when(&sup("SUP-A"), day(1), register(1))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate()])
            .when(
                &Actor::Dcc,
                day(1),
                RegisterKey {
                    party: Actor::System,
                    key: key(1),
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate()])
            .recorded(
                &Actor::Dcc,
                day(1),
                KeyRegistered {
                    party: sup("SUP-A"),
                    key: key(1),
                }
                .into(),
            )
            .when(&Actor::Dcc, day(2), register(1))
            .then_error(ErrorKind::AlreadyExists, None);
    }

    #[test]
    fn a_rotation_registers_the_new_key_then_revokes_the_old_in_one_act() {
        given(&[catalogue(), estate()])
            .recorded(
                &Actor::Dcc,
                day(1),
                KeyRegistered {
                    party: sup("SUP-A"),
                    key: key(1),
                }
                .into(),
            )
            .when(
                &Actor::Dcc,
                day(2),
                RotateKey {
                    party: sup("SUP-A"),
                    old: key(1),
                    new: key(2),
                },
            )
            .then(vec![
                KeyRegistered {
                    party: sup("SUP-A"),
                    key: key(2),
                }
                .into(),
                KeyRevoked {
                    party: sup("SUP-A"),
                    key: key(1),
                    reason: Some("rotated".into()),
                }
                .into(),
            ])
            .then_notices(&sup("SUP-A"), &["key_registered", "key_revoked"]);
    }
}
