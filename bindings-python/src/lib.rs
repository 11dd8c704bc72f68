//! The private extension module `commshub_ota._native`. The public, idiomatic API is the pure
//! Python package around it (`bindings-python/python/commshub_ota`).

mod columns;
mod convert;
mod engine;
mod errors;
mod synth;

use pyo3::prelude::*;

/// The canonical text of an identifier of `kind` (`hub_id`, `customer_id`, `variant_id`,
/// `firmware_version`, `campaign_id`, `region`, `actor`), or `InvalidIdError`.
#[pyfunction]
fn parse_id(kind: &str, input: &str) -> PyResult<String> {
    commshub_ota::ids::canonical(kind, input).map_err(errors::to_py_err)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(parse_id, m)?)?;
    m.add_function(wrap_pyfunction!(synth::synth_estate, m)?)?;
    m.add_class::<engine::NativeEngine>()?;
    m.add("SCHEMA_VERSION", commshub_ota::SCHEMA_VERSION)?;
    m.add(
        "ERROR_KINDS",
        commshub_ota::ErrorKind::ALL.map(|k| k.as_str()).to_vec(),
    )?;
    Ok(())
}
