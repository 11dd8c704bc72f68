//! The columnar bulk load: plain Python lists in, `HubRow`s out, every bad cell reported
//! with its row index, together with the model's own row errors (as one `BulkRejectedError`),
//! and nothing applied.

use chrono::NaiveDate;
use commshub_ota::{
    ConsumerFlags, Error, HanDevice, HanDeviceKind, HanDevices, HubId, HubRow, SmiStatus,
};
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDict};

use crate::errors::invalid_input;

const STRING_COLUMNS: [&str; 16] = [
    "id",
    "variant",
    "firmware",
    "smi_status",
    "import_supplier",
    "gas_supplier",
    "esme_model",
    "esme_firmware",
    "gsme_model",
    "gsme_firmware",
    "ppmid_model",
    "ppmid_firmware",
    "hcalcs_model",
    "hcalcs_firmware",
    "ihd_model",
    "ihd_firmware",
];
const DATE_COLUMNS: [&str; 2] = ["installed_on", "commissioned_on"];
const FLAG_COLUMNS: [&str; 6] = [
    "import_vulnerable",
    "import_high_risk",
    "import_super_friendly",
    "gas_vulnerable",
    "gas_high_risk",
    "gas_super_friendly",
];
const REQUIRED: [&str; 5] = ["id", "variant", "firmware", "smi_status", "installed_on"];

/// The columns, extracted while holding the GIL; turned into rows without it.
pub struct Columns {
    len: usize,
    strings: Vec<(&'static str, Vec<Option<String>>)>,
    dates: Vec<(&'static str, Vec<Option<DateCell>>)>,
    flags: Vec<(&'static str, Vec<Option<bool>>)>,
}

pub enum DateCell {
    Date(NaiveDate),
    Text(String),
}

impl Columns {
    pub fn extract(dict: &Bound<'_, PyDict>) -> PyResult<Columns> {
        for key in dict.keys() {
            let name: String = key
                .extract()
                .map_err(|_| invalid_input("columns", "column names must be strings"))?;
            if !STRING_COLUMNS.contains(&name.as_str())
                && !DATE_COLUMNS.contains(&name.as_str())
                && !FLAG_COLUMNS.contains(&name.as_str())
            {
                return Err(invalid_input("columns", format!("unknown column {name:?}")));
            }
        }
        for name in REQUIRED {
            if !dict.contains(name)? {
                return Err(invalid_input(
                    "columns",
                    format!("missing required column {name:?}"),
                ));
            }
        }
        let mut len = None;
        let mut check_len = |name: &str, n: usize| -> PyResult<()> {
            match len {
                None => {
                    len = Some(n);
                    Ok(())
                }
                Some(l) if l == n => Ok(()),
                Some(l) => Err(invalid_input(
                    name,
                    format!("has {n} values; the columns before it have {l}"),
                )),
            }
        };
        let column = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            match dict.get_item(name)? {
                None => Ok(None),
                Some(c) if c.is_none() => Err(invalid_input(name, "a column cannot be None")),
                Some(c) => Ok(Some(c)),
            }
        };
        let mut strings = Vec::new();
        for name in STRING_COLUMNS {
            if let Some(c) = column(name)? {
                let values: Vec<Option<String>> = c
                    .extract()
                    .map_err(|_| invalid_input(name, "must be a list of str (or None)"))?;
                check_len(name, values.len())?;
                strings.push((name, values));
            }
        }
        let mut dates = Vec::new();
        for name in DATE_COLUMNS {
            if let Some(c) = column(name)? {
                let mut values = Vec::new();
                for (i, cell) in c.try_iter()?.enumerate() {
                    let cell = cell?;
                    values.push(if cell.is_none() {
                        None
                    } else if cell.is_instance_of::<PyDate>() {
                        Some(DateCell::Date(cell.extract().map_err(|_| {
                            invalid_input(name, format!("row {i}: not a date"))
                        })?))
                    } else {
                        Some(DateCell::Text(cell.extract().map_err(|_| {
                            invalid_input(
                                name,
                                format!("row {i}: must be a date or an ISO date string"),
                            )
                        })?))
                    });
                }
                check_len(name, values.len())?;
                dates.push((name, values));
            }
        }
        let mut flags = Vec::new();
        for name in FLAG_COLUMNS {
            if let Some(c) = column(name)? {
                let values: Vec<Option<bool>> = c
                    .extract()
                    .map_err(|_| invalid_input(name, "must be a list of bool"))?;
                check_len(name, values.len())?;
                flags.push((name, values));
            }
        }
        Ok(Columns {
            len: len.unwrap_or(0),
            strings,
            dates,
            flags,
        })
    }
}

fn take<T>(cols: &mut Vec<(&'static str, Vec<Option<T>>)>, name: &str) -> Option<Vec<Option<T>>> {
    cols.iter()
        .position(|(n, _)| *n == name)
        .map(|i| cols.swap_remove(i).1)
}

/// One string column, consumed row by row.
type Cells = std::vec::IntoIter<Option<String>>;

/// Builds the rows. Runs without the GIL.
pub fn rows_from_columns(mut c: Columns) -> Vec<Result<HubRow, String>> {
    let n = c.len;
    let mut col = |name: &str| {
        take(&mut c.strings, name)
            .unwrap_or_else(|| vec![None; n])
            .into_iter()
    };
    let (mut id, mut variant, mut firmware, mut smi) = (
        col("id"),
        col("variant"),
        col("firmware"),
        col("smi_status"),
    );
    let (mut imp, mut gas) = (col("import_supplier"), col("gas_supplier"));
    let mut devices: Vec<(HanDeviceKind, Cells, Cells)> = HanDeviceKind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                col(&format!("{}_model", k.as_str())),
                col(&format!("{}_firmware", k.as_str())),
            )
        })
        .collect();
    let mut installed = take(&mut c.dates, "installed_on")
        .unwrap_or_default()
        .into_iter();
    let mut commissioned = take(&mut c.dates, "commissioned_on").map(|v| v.into_iter());
    let mut flag_cols: Vec<(String, std::vec::IntoIter<Option<bool>>)> = c
        .flags
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.into_iter()))
        .collect();

    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let required = |v: Option<Option<String>>, name: &str| {
            v.flatten().ok_or_else(|| format!("{name} is missing"))
        };
        let parsed = (|| -> Result<HubRow, String> {
            let hub_id = HubId::parse(&required(id.next(), "id")?).map_err(|e| e.to_string())?;
            let variant = required(variant.next(), "variant")?
                .parse()
                .map_err(|e: Error| e.to_string())?;
            let firmware = required(firmware.next(), "firmware")?
                .parse()
                .map_err(|e: Error| e.to_string())?;
            let smi_text = required(smi.next(), "smi_status")?;
            let smi_status = SmiStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == smi_text)
                .ok_or_else(|| {
                    format!(
                        "smi_status {smi_text:?} is not one of {:?}",
                        SmiStatus::ALL.map(|s| s.as_str())
                    )
                })?;
            let supplier = |v: Option<Option<String>>| {
                v.flatten()
                    .map(|s| s.parse())
                    .transpose()
                    .map_err(|e: Error| e.to_string())
            };
            let import_supplier = supplier(imp.next())?;
            let gas_supplier = supplier(gas.next())?;
            let mut han = HanDevices::default();
            for (kind, models, firmwares) in devices.iter_mut() {
                match (models.next().flatten(), firmwares.next().flatten()) {
                    (Some(m), Some(f)) => han.set(*kind, Some(HanDevice::new(m, f))),
                    (None, None) => {}
                    _ => {
                        return Err(format!(
                            "{0}_model and {0}_firmware must be given together",
                            kind.as_str()
                        ))
                    }
                }
            }
            let date = |cell: Option<DateCell>, name: &str| -> Result<Option<NaiveDate>, String> {
                match cell {
                    None => Ok(None),
                    Some(DateCell::Date(d)) => Ok(Some(d)),
                    Some(DateCell::Text(t)) => t
                        .parse()
                        .map(Some)
                        .map_err(|_| format!("{name} {t:?} is not an ISO date (YYYY-MM-DD)")),
                }
            };
            let installed_on = date(installed.next().flatten(), "installed_on")?
                .ok_or("installed_on is missing")?;
            let commissioned_on = match commissioned.as_mut() {
                Some(it) => date(it.next().flatten(), "commissioned_on")?,
                None => None,
            };
            let mut import_flags = ConsumerFlags::default();
            let mut gas_flags = ConsumerFlags::default();
            for (name, values) in flag_cols.iter_mut() {
                let v = values.next().flatten().unwrap_or(false);
                let target = if name.starts_with("import_") {
                    &mut import_flags
                } else {
                    &mut gas_flags
                };
                match name.split_once('_').map(|(_, f)| f) {
                    Some("vulnerable") => target.vulnerable = v,
                    Some("high_risk") => target.high_risk = v,
                    _ => target.super_friendly = v,
                }
            }
            Ok(HubRow {
                id: hub_id,
                variant,
                firmware,
                smi_status,
                devices: han,
                import_supplier,
                gas_supplier,
                import_flags,
                gas_flags,
                installed_on,
                commissioned_on,
            })
        })();
        rows.push(parsed);
    }
    rows
}
