//! Signed acts (docs/domain.md decision 21): each party signs its commands with its own Ed25519 key,
//! the DCC's public key is the trust anchor, and the DCC registers, rotates and revokes the
//! other parties' keys by signed acts; snapshots and checkpoints of the log's head are signed.
//! `docs/trust.md` is the trust model in one page; this module holds its parts:
//!
//! - [`PublicKey`], [`Signature`]: what the log carries, as hex;
//! - [`Signer`]: what signs (a [`KeyPair`] held in memory, or a party's own implementation that
//!   calls an HSM or a cloud KMS: the private key never enters the store or the log);
//! - [`Trust`]: what a verifier is given out of band (the log's identity and the DCC's key);
//! - [`Checkpoint`]: the DCC's signature over the log's head (a command as its actor signed
//!   it, and the act an event carries, are in [`crate::write::act`], beside the commands);
//! - [`KeyRegistry`]: the keys the log registered, each valid from its registration to its
//!   revocation, and each party's last act counter (part of the state).
//!
//! The cryptography is `ed25519-dalek`'s (strict verification: no malleable signatures, no
//! small-order keys); this module only says what bytes are signed. Every signed message starts
//! with a domain tag naming what it is, then length-prefixed fields, so that no signature of
//! one kind (an act, a snapshot, a checkpoint) can be taken for another, nor fields shifted.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;

/// An Ed25519 public key (32 bytes; 64 hex digits in text).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(pub(crate) [u8; 32]);

/// An Ed25519 signature (64 bytes; 128 hex digits in text).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub(crate) [u8; 64]);

impl PublicKey {
    /// A key from its 32 bytes: refused unless it is a valid Ed25519 point of full order (a
    /// small-order key would verify signatures nobody made).
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, Error> {
        let bad = |why: &str| Error::invalid_input("public key", why.to_string());
        let raw: [u8; 32] = bytes
            .try_into()
            .map_err(|_| bad(&format!("{} bytes, not 32", bytes.len())))?;
        let key = VerifyingKey::from_bytes(&raw).map_err(|_| bad("not an Ed25519 public key"))?;
        if key.is_weak() {
            return Err(bad("a small-order Ed25519 key, which proves nothing"));
        }
        Ok(PublicKey(raw))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether `signature` is this key's over `message` (strict Ed25519).
    pub fn verifies(&self, message: &[u8], signature: &Signature) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        key.verify_strict(message, &sig).is_ok()
    }
}

impl Signature {
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature, Error> {
        let raw: [u8; 64] = bytes.try_into().map_err(|_| {
            Error::invalid_input("signature", format!("{} bytes, not 64", bytes.len()))
        })?;
        Ok(Signature(raw))
    }

    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

macro_rules! hex_text {
    ($t:ident, $what:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex(&self.0))
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self)
            }
        }

        impl FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let bytes = unhex(s).ok_or_else(|| {
                    Error::invalid_input($what, format!("{s:?} is not hex digits"))
                })?;
                $t::from_bytes(&bytes)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_text!(PublicKey, "public key");
hex_text!(Signature, "signature");

/// What signs a party's acts. [`KeyPair`] holds the key in memory; a party whose key lives in
/// an HSM or a cloud KMS implements this over it (the bindings take a callback), and the
/// library only ever sees the public key and the signatures.
pub trait Signer: Send + Sync {
    /// The public half of the key that signs.
    fn public_key(&self) -> PublicKey;
    /// The Ed25519 signature of `message`. An error (the HSM refused, the network failed) is
    /// the command's refusal: nothing is recorded.
    fn sign(&self, message: &[u8]) -> Result<Signature, Error>;
}

impl<S: Signer + ?Sized> Signer for Arc<S> {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }
    fn sign(&self, message: &[u8]) -> Result<Signature, Error> {
        (**self).sign(message)
    }
}

/// An Ed25519 key pair held in memory (zeroed when dropped).
#[derive(Clone)]
pub struct KeyPair(SigningKey);

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyPair({})", self.public_key())
    }
}

impl KeyPair {
    /// A new key from the operating system's random source.
    pub fn generate() -> KeyPair {
        KeyPair(SigningKey::generate(&mut rand_core::OsRng))
    }

    /// The key whose 32-byte secret seed is `seed` (RFC 8032's private key).
    pub fn from_seed(seed: &[u8]) -> Result<KeyPair, Error> {
        let raw: [u8; 32] = seed.try_into().map_err(|_| {
            Error::invalid_input("private key", format!("{} bytes, not 32", seed.len()))
        })?;
        Ok(KeyPair(SigningKey::from_bytes(&raw)))
    }

    /// The key in a PKCS#8 DER document (what `openssl genpkey -algorithm ed25519 -outform
    /// DER` writes).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<KeyPair, Error> {
        SigningKey::from_pkcs8_der(der).map(KeyPair).map_err(|e| {
            Error::invalid_input("private key", format!("not a PKCS#8 Ed25519 key: {e}"))
        })
    }

    /// The key in a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<KeyPair, Error> {
        SigningKey::from_pkcs8_pem(pem).map(KeyPair).map_err(|e| {
            Error::invalid_input("private key", format!("not a PKCS#8 Ed25519 key: {e}"))
        })
    }

    /// The key as a PKCS#8 DER document, to keep it where keys are kept.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        self.0
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| Error::invalid_input("private key", e.to_string()))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// The 32-byte secret seed (RFC 8032's private key), for a binding that keeps it.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl Signer for KeyPair {
    fn public_key(&self) -> PublicKey {
        KeyPair::public_key(self)
    }
    fn sign(&self, message: &[u8]) -> Result<Signature, Error> {
        use ed25519_dalek::Signer as _;
        Ok(Signature(self.0.sign(message).to_bytes()))
    }
}

/// The largest log identity, in bytes.
pub const MAX_LOG_ID_BYTES: usize = 128;

/// What a verifier is given out of band (configuration, never the store): the identity of the
/// log it trusts, which every signature covers so that no act signed for one store is accepted
/// by another, and the DCC's public key, from which every other key's registration follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    log: String,
    anchor: PublicKey,
}

impl Trust {
    /// `log`: 1 to 128 characters of letters, digits, `.`, `-`, `_` and `:` (a name the DCC
    /// gives its log, say `dcc-production`).
    pub fn new(log: &str, anchor: PublicKey) -> Result<Trust, Error> {
        let fine = !log.is_empty()
            && log.len() <= MAX_LOG_ID_BYTES
            && log
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(&b));
        if !fine {
            return Err(Error::invalid_input(
                "log",
                format!("{log:?}: a log's identity is 1 to {MAX_LOG_ID_BYTES} letters, digits, '.', '-', '_' or ':'"),
            ));
        }
        Ok(Trust {
            log: log.to_string(),
            anchor,
        })
    }

    pub fn log(&self) -> &str {
        &self.log
    }

    pub fn anchor(&self) -> PublicKey {
        self.anchor
    }
}

/// A message to sign: a domain tag, then each field as its length (4 bytes, big-endian) and
/// its bytes. Unambiguous: no two field lists give the same bytes.
pub(crate) fn message(tag: &str, fields: &[&[u8]]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(tag.len() + 1 + fields.iter().map(|f| f.len() + 4).sum::<usize>());
    out.extend_from_slice(tag.as_bytes());
    out.push(0);
    for field in fields {
        out.extend_from_slice(&(field.len() as u32).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// A recording time as signed: RFC 3339 in UTC, as the log writes it.
pub(crate) fn time_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The bytes an actor signs for an act: the log, the actor, the recording time, the party's
/// act counter and the command's digest.
pub(crate) fn act_message(
    log: &str,
    actor: &Actor,
    at: &DateTime<Utc>,
    n: u64,
    digest: &[u8; 32],
) -> Vec<u8> {
    message(
        "commshub-ota act v1",
        &[
            log.as_bytes(),
            actor.to_code().as_bytes(),
            time_text(at).as_bytes(),
            n.to_string().as_bytes(),
            digest,
        ],
    )
}

/// The bytes a host signs for a snapshot of its state at event `seq`: the snapshot's own
/// SHA-256 of every byte before it (its last 32 bytes), so that a national snapshot is hashed
/// once, not twice. Sound because the opener decodes exactly the bytes the signature covers,
/// and decoding requires their length to be the header's and their last 32 bytes to be the
/// SHA-256 of the rest.
pub(crate) fn snapshot_message(log: &str, seq: u64, snapshot: &[u8]) -> Vec<u8> {
    let checksum = &snapshot[snapshot.len().saturating_sub(32)..];
    message(
        "commshub-ota snapshot v1",
        &[log.as_bytes(), seq.to_string().as_bytes(), checksum],
    )
}

/// The DCC's signature over the head of the log: event `seq` and its chain hash. A party that
/// keeps it detects, at any later time, a store whose history was cut below `seq` or replaced
/// after some earlier point ([`crate::engine::Engine::verify_checkpoint`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub log: String,
    pub seq: u64,
    /// Event `seq`'s chain hash, hex.
    pub hash: String,
    pub at: DateTime<Utc>,
    pub key: PublicKey,
    pub signature: Signature,
}

impl Checkpoint {
    fn message(log: &str, seq: u64, hash: &str, at: &DateTime<Utc>) -> Vec<u8> {
        message(
            "commshub-ota checkpoint v1",
            &[
                log.as_bytes(),
                seq.to_string().as_bytes(),
                hash.as_bytes(),
                time_text(at).as_bytes(),
            ],
        )
    }

    pub(crate) fn sign(
        signer: &dyn Signer,
        log: &str,
        seq: u64,
        hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> Result<Checkpoint, Error> {
        let hash = hex(hash);
        let signature = signer.sign(&Checkpoint::message(log, seq, &hash, &at))?;
        Ok(Checkpoint {
            log: log.to_string(),
            seq,
            hash,
            at,
            key: signer.public_key(),
            signature,
        })
    }

    /// Whether the signature is `key`'s over this checkpoint.
    pub fn signature_holds(&self) -> bool {
        self.key.verifies(
            &Checkpoint::message(&self.log, self.seq, &self.hash, &self.at),
            &self.signature,
        )
    }
}

/// A signed snapshot: the snapshot's bytes, then this trailer: `CHOTASIG`, the signer's public
/// key (32 bytes) and its signature (64 bytes) of [`snapshot_message`].
const SNAPSHOT_SIG_MAGIC: &[u8; 8] = b"CHOTASIG";
const SNAPSHOT_TRAILER: usize = 8 + 32 + 64;

pub(crate) fn sign_snapshot(
    signer: &dyn Signer,
    log: &str,
    seq: u64,
    mut bytes: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let signature = signer.sign(&snapshot_message(log, seq, &bytes))?;
    bytes.extend_from_slice(SNAPSHOT_SIG_MAGIC);
    bytes.extend_from_slice(signer.public_key().as_bytes());
    bytes.extend_from_slice(signature.as_bytes());
    Ok(bytes)
}

/// The snapshot inside bytes that may end with a signature trailer (itself unchecked): for a
/// store reading a snapshot's header as it keeps it, never for decoding a state.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn snapshot_unsigned_part(bytes: &[u8]) -> &[u8] {
    match bytes.len().checked_sub(SNAPSHOT_TRAILER) {
        Some(cut) if &bytes[cut..cut + 8] == SNAPSHOT_SIG_MAGIC => &bytes[..cut],
        _ => bytes,
    }
}

/// The snapshot inside signed bytes and the key that signed it, if its signature holds; the
/// reason otherwise.
pub(crate) fn open_signed_snapshot<'a>(
    log: &str,
    seq: u64,
    bytes: &'a [u8],
) -> Result<(&'a [u8], PublicKey), String> {
    let Some(cut) = bytes.len().checked_sub(SNAPSHOT_TRAILER) else {
        return Err("not signed: a signed store's snapshots must be".into());
    };
    let (inner, trailer) = bytes.split_at(cut);
    if &trailer[..8] != SNAPSHOT_SIG_MAGIC {
        return Err("not signed: a signed store's snapshots must be".into());
    }
    let key = PublicKey::from_bytes(&trailer[8..40]).map_err(|e| e.to_string())?;
    let signature = Signature::from_bytes(&trailer[40..]).map_err(|e| e.to_string())?;
    if !key.verifies(&snapshot_message(log, seq, inner), &signature) {
        return Err(format!(
            "its signature by {key} does not hold: the snapshot was changed after it was signed"
        ));
    }
    Ok((inner, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_different_fields_differ() {
        assert_ne!(message("t", &[b"ab", b"c"]), message("t", &[b"a", b"bc"]));
        assert_ne!(message("t", &[b"a"]), message("u", &[b"a"]));
    }

    #[test]
    fn a_key_round_trips_through_pkcs8_and_text() {
        let key = KeyPair::generate();
        let der = key.to_pkcs8_der().unwrap();
        let back = KeyPair::from_pkcs8_der(&der).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let text = key.public_key().to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<PublicKey>().unwrap(), key.public_key());
        assert!(KeyPair::from_pkcs8_der(b"not a key").is_err());
    }

    #[test]
    fn small_order_and_malformed_keys_are_refused() {
        // The identity point: small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(PublicKey::from_bytes(&identity).is_err());
        assert!(PublicKey::from_bytes(&[0u8; 31]).is_err());
        assert!("zz".parse::<PublicKey>().is_err());
    }
}
