//! The private extension module `commshub_ota._native`. The public, idiomatic API is the pure
//! Python package around it (`bindings-python/python/commshub_ota`).

mod columns;
mod convert;
mod engine;
mod errors;

use pyo3::prelude::*;

/// The canonical text of an identifier of `kind` (`hub_id`, `customer_id`, `variant_id`,
/// `firmware_version`, `campaign_id`, `region`, `actor`), or `InvalidIdError`.
#[pyfunction]
fn parse_id(kind: &str, input: &str) -> PyResult<String> {
    use commshub_ota::*;
    let parsed = match kind {
        "hub_id" => input.parse::<HubId>().map(|v| v.to_string()),
        "customer_id" => input.parse::<CustomerId>().map(|v| v.to_string()),
        "variant_id" => input.parse::<VariantId>().map(|v| v.to_string()),
        "firmware_version" => input.parse::<FirmwareVersion>().map(|v| v.to_string()),
        "campaign_id" => input.parse::<CampaignId>().map(|v| v.to_string()),
        "region" => input.parse::<Region>().map(|v| v.to_string()),
        "actor" => input.parse::<Actor>().map(|v| v.to_code()),
        other => {
            return Err(errors::invalid_input(
                "kind",
                format!("unknown identifier kind {other:?}"),
            ))
        }
    };
    parsed.map_err(errors::to_py_err)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(parse_id, m)?)?;
    m.add_class::<engine::NativeEngine>()?;
    m.add("SCHEMA_VERSION", commshub_ota::SCHEMA_VERSION)?;
    m.add(
        "ERROR_KINDS",
        commshub_ota::ErrorKind::ALL.map(|k| k.as_str()).to_vec(),
    )?;
    Ok(())
}
