//! The private extension module `commshub_ota._native`. The public, idiomatic API is the pure
//! Python package around it (`bindings-python/python/commshub_ota`).

mod arrow;
mod columns;
mod convert;
mod engine;
mod errors;
mod signing;
mod synth;

use pyo3::prelude::*;

/// The canonical text of an identifier of `kind` (`hub_id`, `customer_id`, `variant_id`,
/// `firmware_version`, `campaign_id`, `region`, `actor`), or `InvalidIdError`.
#[pyfunction]
fn parse_id(kind: &str, input: &str) -> PyResult<String> {
    commshub_ota::ids::canonical(kind, input).map_err(errors::to_py_err)
}

/// The canonical text of a hub id given as the EUI-64's 64 bits (as Arrow answers give it):
/// `InvalidInputError` for a number outside 0..2^64.
#[pyfunction]
fn hub_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    // Any Python int (or other object): one outside 0..2^64 is invalid input, not an overflow.
    let raw = value.extract::<u64>().map_err(|_| {
        errors::invalid_input(
            "hub",
            format!("{value} is not a 64-bit hub id (0 to 2^64 - 1)"),
        )
    })?;
    Ok(commshub_ota::ids::HubId::from_u64(raw).to_string())
}

/// A hub id's 64 bits, as Arrow answers give it, from its text in any accepted form:
/// `InvalidIdError` if malformed.
#[pyfunction]
fn hub_number(text: &str) -> PyResult<u64> {
    text.parse::<commshub_ota::ids::HubId>()
        .map(|h| h.as_u64())
        .map_err(errors::to_py_err)
}

/// Reads and checks the log at `path`: `{"chain": "chained", "events": N, "last_hash": H}`
/// when its audit chain verifies whole, `{"chain": "unchained", "events": N}` for a log
/// without the chain; `CorruptLogError` (naming the line) when anything was changed, removed or
/// cut off.
#[pyfunction]
fn verify_log(py: Python<'_>, path: &str) -> PyResult<Py<PyAny>> {
    let verified = py
        .detach(|| commshub_ota::journal::verify(path))
        .map_err(errors::to_py_err)?;
    let value = serde_json::to_value(&verified)
        .map_err(|e| errors::invalid_input("result", e.to_string()))?;
    Ok(convert::to_py(py, &value)?.unbind())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(parse_id, m)?)?;
    m.add_function(wrap_pyfunction!(verify_log, m)?)?;
    m.add_function(wrap_pyfunction!(hub_text, m)?)?;
    m.add_function(wrap_pyfunction!(hub_number, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_estate, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_estate_arrow, m)?)?;
    m.add_class::<engine::NativeEngine>()?;
    m.add_class::<arrow::ArrowTable>()?;
    m.add_class::<signing::KeyPair>()?;
    m.add("SCHEMA_VERSION", commshub_ota::SCHEMA_VERSION)?;
    m.add(
        "ERROR_KINDS",
        commshub_ota::ErrorKind::ALL.map(|k| k.as_str()).to_vec(),
    )?;
    Ok(())
}
