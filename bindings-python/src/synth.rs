//! The core's synthetic estate generator, for Python: the same estate the Rust benchmark and
//! examples use, as the columns `Engine.load_estate` takes (plus each hub's configuration-set
//! key), and the catalogue as commands in their JSON form. So a comparison script loads the
//! very same data into the library and into DuckDB or Polars.

use commshub_ota::estate::ConfigurationSet;
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
    let catalogue = catalogue_json(synth.catalogue_commands())?;
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
    Ok((to_py(py, &catalogue)?, cols))
}

/// The catalogue as `[actor, command JSON]` pairs.
fn catalogue_json(commands: Vec<(commshub_ota::Actor, commshub_ota::Command)>) -> PyResult<Value> {
    commands
        .into_iter()
        .map(|(actor, command)| {
            serde_json::to_value(&command)
                .map(|c| Value::Array(vec![Value::String(actor.to_code()), c]))
                .map_err(|e| invalid_input("catalogue", e.to_string()))
        })
        .collect::<PyResult<Vec<Value>>>()
        .map(Value::Array)
}

/// Text numbered as first met: one dictionary column in the making.
#[derive(Default)]
struct DictColumn {
    index: std::collections::HashMap<String, i32>,
    values: Vec<String>,
    keys: Vec<Option<i32>>,
}

impl DictColumn {
    fn push(&mut self, text: Option<&str>) {
        let key = text.map(|t| match self.index.get(t) {
            Some(&k) => k,
            None => {
                let k = self.values.len() as i32;
                self.values.push(t.to_string());
                self.index.insert(t.to_string(), k);
                k
            }
        });
        self.keys.push(key);
    }

    fn finish(self) -> arrow_array::ArrayRef {
        use arrow_array::{types::Int32Type, DictionaryArray, Int32Array, StringArray};
        let values = std::sync::Arc::new(StringArray::from(self.values));
        std::sync::Arc::new(DictionaryArray::<Int32Type>::new(
            Int32Array::from(self.keys),
            values,
        ))
    }
}

/// `(catalogue, hubs, config_keys)`: the same estate as `synth_estate`, as Arrow tables an
/// analyst's frame would hold (no Python object per hub, so 10 million hubs fit): `hubs` has
/// the columns `Engine.load_estate` takes, text dictionary-encoded (the ids plain), dates as
/// `date32`, flags as booleans; `config_keys` one column, `config_key`, row for row.
#[pyfunction]
pub fn synth_estate_arrow<'py>(
    py: Python<'py>,
    hubs: usize,
    seed: u64,
) -> PyResult<(
    Bound<'py, PyAny>,
    crate::arrow::ArrowTable,
    crate::arrow::ArrowTable,
)> {
    use arrow_array::builder::StringBuilder;
    use arrow_array::{ArrayRef, BooleanArray, Date32Array, RecordBatch};

    if hubs == 0 || hubs > 20_000_000 {
        return Err(invalid_input(
            "hubs",
            format!("{hubs} is not between 1 and 20 000 000"),
        ));
    }
    let (catalogue, batch, keys) = py.detach(|| {
        let synth = SynthEstate::generate(&SynthConfig {
            hubs,
            seed,
            ..Default::default()
        });
        let catalogue = synth.catalogue_commands();
        let n = synth.hubs.len();
        let mut id = StringBuilder::with_capacity(n, n * 23);
        let mut text: Vec<(String, DictColumn)> = ["variant", "firmware", "smi_status"]
            .into_iter()
            .chain(["import_supplier", "gas_supplier"])
            .map(|c| (c.to_string(), DictColumn::default()))
            .collect();
        for kind in HanDeviceKind::ALL {
            text.push((format!("{}_model", kind.as_str()), DictColumn::default()));
            text.push((format!("{}_firmware", kind.as_str()), DictColumn::default()));
        }
        let mut config = DictColumn::default();
        // Days from 0001-01-01 to 1970-01-01 (chrono counts from the former).
        let epoch = 719_163;
        let day = |d: chrono::NaiveDate| {
            use chrono::Datelike;
            d.num_days_from_ce() - epoch
        };
        let (mut installed, mut commissioned) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut flags: [Vec<bool>; 6] = Default::default();
        for h in &synth.hubs {
            id.append_value(h.id.to_string());
            text[0].1.push(Some(h.variant.as_str()));
            text[1].1.push(Some(h.firmware.as_str()));
            text[2].1.push(Some(h.smi_status.as_str()));
            text[3]
                .1
                .push(h.import_supplier.as_ref().map(|c| c.as_str()));
            text[4].1.push(h.gas_supplier.as_ref().map(|c| c.as_str()));
            for (i, kind) in HanDeviceKind::ALL.iter().enumerate() {
                let d = h.devices.get(*kind);
                text[5 + 2 * i].1.push(d.map(|d| d.model.as_str()));
                text[6 + 2 * i].1.push(d.map(|d| d.firmware.as_str()));
            }
            installed.push(day(h.installed_on));
            commissioned.push(h.commissioned_on.map(day));
            let f = [h.import_flags, h.gas_flags];
            for (r, role) in f.iter().enumerate() {
                flags[r * 3].push(role.vulnerable);
                flags[r * 3 + 1].push(role.high_risk);
                flags[r * 3 + 2].push(role.super_friendly);
            }
            let key = ConfigurationSet {
                variant: h.variant.clone(),
                firmware: h.firmware.clone(),
                devices: h.devices.clone(),
            }
            .key();
            config.push(Some(&key));
        }
        let mut columns: Vec<(String, ArrayRef)> =
            vec![("id".into(), std::sync::Arc::new(id.finish()))];
        columns.extend(text.into_iter().map(|(name, c)| (name, c.finish())));
        columns.push((
            "installed_on".into(),
            std::sync::Arc::new(Date32Array::from(installed)),
        ));
        columns.push((
            "commissioned_on".into(),
            std::sync::Arc::new(Date32Array::from(commissioned)),
        ));
        // The flag columns in `load_estate`'s order: import's three, then gas's.
        for (name, f) in commshub_ota::estate::columns::FLAG_COLUMNS
            .into_iter()
            .zip(flags)
        {
            columns.push((name.into(), std::sync::Arc::new(BooleanArray::from(f))));
        }
        let batch = RecordBatch::try_from_iter(columns);
        let keys = RecordBatch::try_from_iter([("config_key", config.finish())]);
        (catalogue, batch, keys)
    });
    let fail = |e: arrow_schema::ArrowError| invalid_input("synthetic estate", e.to_string());
    let (batch, keys) = (batch.map_err(fail)?, keys.map_err(fail)?);
    Ok((
        to_py(py, &catalogue_json(catalogue)?)?,
        crate::arrow::ArrowTable::new(batch),
        crate::arrow::ArrowTable::new(keys),
    ))
}
