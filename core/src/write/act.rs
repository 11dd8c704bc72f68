//! Signed acts (docs/domain.md decision 21): a command as its actor signed it ([`SignedCommand`]),
//! and the act the first event of each signed command carries ([`Act`]). What is signed is
//! `signing::act_message`: the log, the actor, the recording time, the actor's act counter,
//! and the digest of the command worked out here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::signing::{act_message, PublicKey, Signature, Signer};
use crate::model::estate::EstateTable;
use crate::write::command::Command;

/// SHA-256 of a value's JSON, streamed (a national bulk load is not copied to be hashed).
fn json_digest(value: &impl Serialize) -> [u8; 32] {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Commands hold only strings, numbers, dates and maps ordered by key: they always
    // serialise, and always to the same bytes.
    let _ = serde_json::to_writer(&mut h, value);
    h.0.finalize().into()
}

/// The digest of a command as signed: its JSON, the bulk load's table as the load records it
/// (empty columns dropped, as the decision drops them) so that the load's command is its event
/// and is not stored twice.
pub(crate) fn command_digest(command: &Command) -> [u8; 32] {
    match command {
        Command::LoadEstateTable(load) => load_digest(&load.table),
        other => json_digest(other),
    }
}

/// The digest of the command `{"type":"load_estate_table","table":...}` that recorded `table`
/// (the recorded table: [`SignedCommand::sign`] drops empty columns before signing).
pub(crate) fn load_digest(table: &EstateTable) -> [u8; 32] {
    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum LoadRef<'a> {
        LoadEstateTable { table: &'a EstateTable },
    }
    json_digest(&LoadRef::LoadEstateTable { table })
}

/// A command as its actor signed it, for the log `log` of the [`Trust`] it was signed under:
/// what a party sends a host that runs the engine, and what [`crate::engine::Engine::execute_signed`]
/// verifies before it decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCommand {
    pub actor: Actor,
    pub at: DateTime<Utc>,
    /// The actor's act counter: one more than its last act's in the log, so a signed command
    /// is recorded once, and none of its acts can be removed from between two others unseen.
    pub n: u64,
    pub key: PublicKey,
    pub command: Command,
    pub signature: Signature,
}

impl SignedCommand {
    /// `command` by `actor` at `at`, its `n`th act, signed by `signer` for `log`.
    pub fn sign(
        signer: &dyn Signer,
        log: &str,
        actor: &Actor,
        at: DateTime<Utc>,
        n: u64,
        mut command: Command,
    ) -> Result<SignedCommand, Error> {
        // The load signed as it is recorded (see `command_digest`).
        if let Command::LoadEstateTable(load) = &mut command {
            load.table.drop_empty_columns();
        }
        let digest = command_digest(&command);
        let signature = signer.sign(&act_message(log, actor, &at, n, &digest))?;
        Ok(SignedCommand {
            actor: actor.clone(),
            at,
            n,
            key: signer.public_key(),
            command,
            signature,
        })
    }

    /// Whether the signature is `key`'s over this command for `log` (not whether the key may
    /// sign for the actor: the engine checks that against its registry).
    pub fn signature_holds(&self, log: &str) -> bool {
        let digest = command_digest(&self.command);
        self.key.verifies(
            &act_message(log, &self.actor, &self.at, self.n, &digest),
            &self.signature,
        )
    }
}

/// The signature an event carries: the first event of each signed command carries its act
/// (who signed, with which key, the act counter, the signature, and the command itself, except
/// a bulk load's, which is its event). The events after it in the same command carry none: a
/// verifier decides the command again and requires exactly the recorded events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Act {
    pub by: Actor,
    pub key: PublicKey,
    pub n: u64,
    pub sig: Signature,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_is_signed_as_it_is_recorded() {
        let table = EstateTable::default();
        let command = Command::LoadEstateTable(crate::write::command::LoadEstateTable {
            table: table.clone(),
        });
        assert_eq!(command_digest(&command), load_digest(&table));
        assert_eq!(json_digest(&command), load_digest(&table));
    }
}
