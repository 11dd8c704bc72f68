//! The core's synthetic estate generator, for Python: the same estate the Rust benchmark and
//! examples use, as the columns `Engine.load_estate` takes (plus each hub's configuration-set
//! key), and the catalogue as commands in their JSON form. So a comparison script loads the
//! very same data into the library and into DuckDB or Polars.

use commshub_ota::query::ConfigurationSet;
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::HanDeviceKind;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;

use crate::convert::to_py;
use crate::errors::invalid_input;

/// `(catalogue, columns)`: `catalogue` a list of `(actor, command)` with each command's JSON
/// form; `columns` a dict of equal-length lists, including `config_key`.
#[pyfunction]
pub fn synth_estate<'py>(
    py: Python<'py>,
    hubs: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    if hubs == 0 || hubs > 20_000_000 {
        return Err(invalid_input(
            "hubs",
            format!("{hubs} is not between 1 and 20 000 000"),
        ));
    }
    let synth = py.detach(|| {
        SynthEstate::generate(&SynthConfig {
            hubs,
            seed,
            ..Default::default()
        })
    });
    let catalogue: Vec<Value> = synth
        .catalogue_commands()
        .into_iter()
        .map(|(actor, command)| {
            serde_json::to_value(&command)
                .map(|c| Value::Array(vec![Value::String(actor.to_code()), c]))
                .map_err(|e| invalid_input("catalogue", e.to_string()))
        })
        .collect::<PyResult<_>>()?;
    let text = |f: &dyn Fn(&commshub_ota::HubRow) -> Option<String>| -> Vec<Option<String>> {
        synth.hubs.iter().map(f).collect()
    };
    let cols = PyDict::new(py);
    cols.set_item("id", text(&|h| Some(h.id.to_string())))?;
    cols.set_item("variant", text(&|h| Some(h.variant.to_string())))?;
    cols.set_item("firmware", text(&|h| Some(h.firmware.to_string())))?;
    cols.set_item(
        "smi_status",
        text(&|h| Some(h.smi_status.as_str().to_string())),
    )?;
    cols.set_item("installed_on", text(&|h| Some(h.installed_on.to_string())))?;
    cols.set_item(
        "commissioned_on",
        text(&|h| h.commissioned_on.map(|d| d.to_string())),
    )?;
    cols.set_item(
        "import_supplier",
        text(&|h| h.import_supplier.as_ref().map(|c| c.to_string())),
    )?;
    cols.set_item(
        "gas_supplier",
        text(&|h| h.gas_supplier.as_ref().map(|c| c.to_string())),
    )?;
    for kind in HanDeviceKind::ALL {
        let name = kind.as_str();
        cols.set_item(
            format!("{name}_model"),
            text(&|h| h.devices.get(kind).map(|d| d.model.clone())),
        )?;
        cols.set_item(
            format!("{name}_firmware"),
            text(&|h| h.devices.get(kind).map(|d| d.firmware.clone())),
        )?;
    }
    let flag = |f: &dyn Fn(&commshub_ota::HubRow) -> bool| -> Vec<bool> {
        synth.hubs.iter().map(f).collect()
    };
    cols.set_item("import_vulnerable", flag(&|h| h.import_flags.vulnerable))?;
    cols.set_item("import_high_risk", flag(&|h| h.import_flags.high_risk))?;
    cols.set_item(
        "import_super_friendly",
        flag(&|h| h.import_flags.super_friendly),
    )?;
    cols.set_item("gas_vulnerable", flag(&|h| h.gas_flags.vulnerable))?;
    cols.set_item("gas_high_risk", flag(&|h| h.gas_flags.high_risk))?;
    cols.set_item("gas_super_friendly", flag(&|h| h.gas_flags.super_friendly))?;
    cols.set_item(
        "config_key",
        text(&|h| {
            Some(
                ConfigurationSet {
                    variant: h.variant.clone(),
                    firmware: h.firmware.clone(),
                    devices: h.devices.clone(),
                }
                .key(),
            )
        }),
    )?;
    Ok((to_py(py, &Value::Array(catalogue))?, cols))
}
