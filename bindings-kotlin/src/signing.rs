//! Keys and signers (docs/domain.md decision 21) for the JVM. A `Signer` is a Kotlin or Java
//! interface (an HSM's or a cloud KMS's client implements it; the private key never crosses
//! into the library); `KeyPair` (Kotlin, `src/main/kotlin`) implements it over the functions
//! here, which take the key's 32-byte seed. Signed records carry keys and signatures as hex
//! text and counters as `Long`, so Java can call everything.

use std::sync::Arc;
use std::time::SystemTime;

use commshub_ota as core;
use commshub_ota::act::SignedCommand;
use commshub_ota::ffi::{instant, invalid_input, system_time, NativeError};
use commshub_ota::signing::{self, PublicKey, Signature};
use commshub_ota::{Actor, Command};

type Result<T> = std::result::Result<T, NativeError>;

/// What signs a party's acts: the public half of its key (64 hex digits) and the Ed25519
/// signature of a message (64 bytes). A failure (the HSM refused: throw `SignerException`, or
/// anything else) refuses the command with `InvalidInput` on `signer`, naming why.
#[uniffi::export(with_foreign)]
pub trait Signer: Send + Sync {
    fn public_key(&self) -> String;
    fn sign(&self, message: Vec<u8>) -> std::result::Result<Vec<u8>, SignerError>;
}

/// Why a signer did not sign. Declared in this crate: UniFFI 0.32 cannot return another
/// crate's error from a foreign callback (the generated Kotlin mixes two packages' buffers).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SignerError {
    #[error("{reason}")]
    Failed { reason: String },
}

/// A signer that threw something other than a `SignerException`: refused, never a panic.
impl From<uniffi::UnexpectedUniFFICallbackError> for SignerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SignerError::Failed { reason: e.reason }
    }
}

/// A foreign signer as the core's, its public key read (and checked) once.
pub(crate) struct Foreign {
    key: PublicKey,
    inner: Arc<dyn Signer>,
}

impl signing::Signer for Foreign {
    fn public_key(&self) -> PublicKey {
        self.key
    }

    fn sign(&self, message: &[u8]) -> std::result::Result<Signature, core::Error> {
        let bytes = self
            .inner
            .sign(message.to_vec())
            .map_err(|e| core::Error::InvalidInput {
                field: "signer".into(),
                reason: format!("the signer failed: {e}"),
            })?;
        Signature::from_bytes(&bytes)
    }
}

/// The core's signer for a foreign one.
pub(crate) fn foreign(signer: Arc<dyn Signer>) -> Result<Arc<dyn signing::Signer>> {
    let key = signer.public_key().parse::<PublicKey>()?;
    Ok(Arc::new(Foreign { key, inner: signer }))
}

fn seed_key(seed: &[u8]) -> Result<signing::KeyPair> {
    Ok(signing::KeyPair::from_seed(seed)?)
}

/// A new key's 32-byte secret seed, from the operating system's random source.
#[uniffi::export]
pub fn native_key_generate_seed() -> Vec<u8> {
    signing::KeyPair::generate().seed().to_vec()
}

/// The seed of the key in a PKCS#8 DER document.
#[uniffi::export]
pub fn native_key_seed_from_pkcs8_der(der: Vec<u8>) -> Result<Vec<u8>> {
    Ok(signing::KeyPair::from_pkcs8_der(&der)?.seed().to_vec())
}

/// The seed of the key in a PKCS#8 PEM document.
#[uniffi::export]
pub fn native_key_seed_from_pkcs8_pem(pem: String) -> Result<Vec<u8>> {
    Ok(signing::KeyPair::from_pkcs8_pem(&pem)?.seed().to_vec())
}

/// The key of `seed` as a PKCS#8 DER document.
#[uniffi::export]
pub fn native_key_to_pkcs8_der(seed: Vec<u8>) -> Result<Vec<u8>> {
    Ok(seed_key(&seed)?.to_pkcs8_der()?)
}

/// The public key of `seed`, 64 hex digits.
#[uniffi::export]
pub fn native_key_public(seed: Vec<u8>) -> Result<String> {
    Ok(seed_key(&seed)?.public_key().to_string())
}

/// The signature of `message` by the key of `seed`.
#[uniffi::export]
pub fn native_key_sign(
    seed: Vec<u8>,
    message: Vec<u8>,
) -> std::result::Result<Vec<u8>, SignerError> {
    let failed = |e: core::Error| SignerError::Failed {
        reason: e.to_string(),
    };
    let key = signing::KeyPair::from_seed(&seed).map_err(failed)?;
    let signature = signing::Signer::sign(&key, &message).map_err(failed)?;
    Ok(signature.as_bytes().to_vec())
}

/// The trust of a signed log: its identity and the DCC's public key (hex).
pub(crate) fn trust(log: &str, anchor: &str) -> Result<signing::Trust> {
    Ok(signing::Trust::new(log, anchor.parse()?)?)
}

/// A command as its actor signed it: what a party sends the host that runs the engine.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SignedCommandRecord {
    pub actor: Actor,
    pub at: SystemTime,
    pub n: i64,
    pub key: String,
    pub command: Command,
    pub signature: String,
}

impl SignedCommandRecord {
    pub(crate) fn of(s: SignedCommand) -> Self {
        SignedCommandRecord {
            actor: s.actor,
            at: system_time(s.at),
            n: i64::try_from(s.n).unwrap_or(i64::MAX),
            key: s.key.to_string(),
            command: s.command,
            signature: s.signature.to_string(),
        }
    }

    pub(crate) fn into_core(self) -> Result<SignedCommand> {
        Ok(SignedCommand {
            actor: self.actor,
            at: instant(self.at)?,
            n: u64::try_from(self.n).map_err(|_| invalid_input("n", "must not be negative"))?,
            key: self.key.parse()?,
            command: self.command,
            signature: self.signature.parse()?,
        })
    }
}

/// The act the first event of a signed command carries: who signed, with which key, its
/// counter (the command itself is the event's).
#[derive(Debug, Clone, uniffi::Record)]
pub struct ActRecord {
    pub by: Actor,
    pub key: String,
    pub n: i64,
}

impl ActRecord {
    pub(crate) fn of(act: &core::act::Act) -> Self {
        ActRecord {
            by: act.by.clone(),
            key: act.key.to_string(),
            n: i64::try_from(act.n).unwrap_or(i64::MAX),
        }
    }
}

/// A key registered for a party: the events that registered (0: the trust anchor) and revoked
/// it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct KeyEntryRecord {
    pub key: String,
    pub registered: i64,
    pub revoked: Option<i64>,
}

/// The DCC's signature over the head of the log, for a party to keep.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckpointRecord {
    pub log: String,
    pub seq: i64,
    pub hash: String,
    pub at: SystemTime,
    pub key: String,
    pub signature: String,
}

impl CheckpointRecord {
    pub(crate) fn of(c: signing::Checkpoint) -> Self {
        CheckpointRecord {
            log: c.log,
            seq: i64::try_from(c.seq).unwrap_or(i64::MAX),
            hash: c.hash,
            at: system_time(c.at),
            key: c.key.to_string(),
            signature: c.signature.to_string(),
        }
    }

    pub(crate) fn into_core(self) -> Result<signing::Checkpoint> {
        Ok(signing::Checkpoint {
            log: self.log,
            seq: u64::try_from(self.seq)
                .map_err(|_| invalid_input("seq", "must not be negative"))?,
            hash: self.hash,
            at: instant(self.at)?,
            key: self.key.parse()?,
            signature: self.signature.parse()?,
        })
    }
}
