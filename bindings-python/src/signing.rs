//! Keys and signers (docs/domain.md decision 21) for Python: a `KeyPair` held in memory, or any
//! Python object with `public_key()` and `sign(message: bytes) -> bytes` (an HSM's or a cloud
//! KMS's client), called back with the GIL taken. The private key never leaves the signer.

use std::sync::Arc;

use commshub_ota::signing::{self, PublicKey, Signature, Signer};
use commshub_ota::Error;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{invalid_input, to_py_err};

/// An Ed25519 key pair held in memory.
#[pyclass(frozen, module = "commshub_ota._native")]
pub struct KeyPair(pub signing::KeyPair);

#[pymethods]
impl KeyPair {
    /// A new key from the operating system's random source.
    #[staticmethod]
    fn generate() -> KeyPair {
        KeyPair(signing::KeyPair::generate())
    }

    /// The key whose 32-byte secret seed is `seed`.
    #[staticmethod]
    fn from_seed(seed: &[u8]) -> PyResult<KeyPair> {
        signing::KeyPair::from_seed(seed)
            .map(KeyPair)
            .map_err(to_py_err)
    }

    /// The key in a PKCS#8 DER document.
    #[staticmethod]
    fn from_pkcs8_der(der: &[u8]) -> PyResult<KeyPair> {
        signing::KeyPair::from_pkcs8_der(der)
            .map(KeyPair)
            .map_err(to_py_err)
    }

    /// The key in a PKCS#8 PEM document.
    #[staticmethod]
    fn from_pkcs8_pem(pem: &str) -> PyResult<KeyPair> {
        signing::KeyPair::from_pkcs8_pem(pem)
            .map(KeyPair)
            .map_err(to_py_err)
    }

    /// The key as a PKCS#8 DER document.
    fn to_pkcs8_der<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let der = self.0.to_pkcs8_der().map_err(to_py_err)?;
        Ok(PyBytes::new(py, &der))
    }

    /// The public key, 64 hex digits.
    fn public_key(&self) -> String {
        self.0.public_key().to_string()
    }

    /// The Ed25519 signature of `message` (64 bytes).
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let signature = Signer::sign(&self.0, message).map_err(to_py_err)?;
        Ok(PyBytes::new(py, signature.as_bytes()))
    }

    fn __repr__(&self) -> String {
        format!("KeyPair(public_key={:?})", self.0.public_key().to_string())
    }
}

/// A Python object that signs: its `sign` is called with the message, with the GIL taken.
struct Callback {
    public: PublicKey,
    object: Py<PyAny>,
}

impl Signer for Callback {
    fn public_key(&self) -> PublicKey {
        self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Signature, Error> {
        let refused = |reason: String| Error::InvalidInput {
            field: "signer".into(),
            reason,
        };
        Python::attach(|py| {
            let answer = self
                .object
                .call_method1(py, "sign", (PyBytes::new(py, message),))
                .map_err(|e| refused(format!("its sign() raised {e}")))?;
            let bytes: Vec<u8> = answer
                .extract(py)
                .map_err(|_| refused("its sign() must return bytes".into()))?;
            Signature::from_bytes(&bytes)
        })
    }
}

/// The signer `object` is: a native `KeyPair`, or anything with `public_key()` (hex text or
/// 32 bytes) and `sign(message: bytes) -> bytes`.
pub fn signer_of(object: &Bound<'_, PyAny>) -> PyResult<Arc<dyn Signer>> {
    if let Ok(key) = object.cast::<KeyPair>() {
        return Ok(Arc::new(key.get().0.clone()));
    }
    let public = object
        .call_method0("public_key")
        .map_err(|_| invalid_input("signer", "needs public_key() and sign(message) -> bytes"))?;
    let public = match public.extract::<String>() {
        Ok(text) => text.parse::<PublicKey>(),
        Err(_) => match public.extract::<Vec<u8>>() {
            Ok(bytes) => PublicKey::from_bytes(&bytes),
            Err(_) => {
                return Err(invalid_input(
                    "signer",
                    "public_key() must return hex text or 32 bytes",
                ))
            }
        },
    }
    .map_err(to_py_err)?;
    if !object.hasattr("sign")? {
        return Err(invalid_input("signer", "needs sign(message) -> bytes"));
    }
    Ok(Arc::new(Callback {
        public,
        object: object.clone().unbind(),
    }))
}

/// A trust from its two parts, both given or neither.
pub fn trust_of(log: Option<&str>, anchor: Option<&str>) -> PyResult<Option<signing::Trust>> {
    match (log, anchor) {
        (None, None) => Ok(None),
        (Some(log), Some(anchor)) => {
            let anchor: PublicKey = anchor.parse().map_err(to_py_err)?;
            signing::Trust::new(log, anchor)
                .map(Some)
                .map_err(to_py_err)
        }
        _ => Err(invalid_input(
            "trust",
            "a trust is the log's identity and the DCC's public key, both",
        )),
    }
}
