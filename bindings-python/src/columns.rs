//! The columnar bulk load from Python values: a dict of lists read into the core's `Columns`
//! (`commshub_ota::estate::columns`, which turns them into an `EstateTable` and reads Arrow
//! the same way for every language), and a dict already dictionary-encoded into a table.
//!
//! Strings are interned as they are read: each cell costs one hash lookup of the string
//! Python already holds (no copy). Each distinct value is parsed once, so a million hubs
//! with a few hundred distinct values cost a few hundred parses, not sixteen million. Every
//! bad cell is reported with its row index, together with the model's own row errors (as
//! one `BulkRejectedError`), and nothing is applied.

use chrono::NaiveDate;
use commshub_ota::estate::columns::{
    Columns, DateValue, Dates, Strings, DATE_COLUMNS, FLAG_COLUMNS, REQUIRED, TEXT_COLUMNS,
};
use commshub_ota::{ConsumerFlags, EstateTable, HanDevice, HubId, SmiStatus};
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDict, PyList, PyString};

use crate::convert::text_of;

use crate::errors::invalid_input;

/// Whether a cell that is neither None nor of the column's type is a missing value as pandas
/// writes one: NaN (a text column with gaps), NaT (a date column with gaps); each is the one
/// value not equal to itself.
fn is_missing(cell: &Bound<'_, PyAny>) -> bool {
    cell.ne(cell).unwrap_or(false)
}

/// The refusal of a cell of the wrong type, naming the row and the value.
fn wrong_cell(name: &str, row: usize, expected: &str, cell: &Bound<'_, PyAny>) -> PyErr {
    let kind = cell
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    let mut value = cell
        .repr()
        .map_or_else(|_| "?".to_string(), |r| r.to_string());
    if value.len() > 80 {
        let cut = (0..=80)
            .rev()
            .find(|&i| value.is_char_boundary(i))
            .unwrap_or(0);
        value.truncate(cut);
        value.push_str("...");
    }
    invalid_input(
        name,
        format!("row {row}: expected {expected}, got {kind} {value}"),
    )
}

/// A list of str (or None; pandas' NaN is None too), interned into `strings`.
fn read_text(
    name: &str,
    column: &Bound<'_, PyAny>,
    strings: &mut Strings,
) -> PyResult<Vec<Option<u32>>> {
    let list = column
        .cast::<PyList>()
        .map_err(|_| invalid_input(name, "must be a list of str (or None)"))?;
    let mut codes = Vec::with_capacity(list.len());
    for (row, cell) in list.iter().enumerate() {
        if cell.is_none() {
            codes.push(None);
        } else if let Ok(text) = cell.cast::<PyString>() {
            codes.push(Some(strings.code(text_of(text, name)?)));
        } else if is_missing(&cell) {
            codes.push(None);
        } else {
            return Err(wrong_cell(name, row, "str or None", &cell));
        }
    }
    Ok(codes)
}

/// A list of `date` or ISO strings (or None). Dates are memoised in a Python dict keyed by
/// the cell (Python's own hash of a date), so each distinct date is converted once.
fn read_dates(
    name: &str,
    column: &Bound<'_, PyAny>,
) -> PyResult<(Vec<Option<u32>>, Vec<DateValue>)> {
    let py = column.py();
    let list = column
        .cast::<PyList>()
        .map_err(|_| invalid_input(name, "must be a list of date or ISO date strings"))?;
    let mut texts = Strings::default();
    let mut values: Vec<DateValue> = Vec::new();
    let mut text_codes: Vec<Option<u32>> = Vec::new();
    let seen = PyDict::new(py);
    let mut codes = Vec::with_capacity(list.len());
    for (row, cell) in list.iter().enumerate() {
        if cell.is_none() {
            codes.push(None);
        } else if let Ok(text) = cell.cast::<PyString>() {
            let t = texts.code(text_of(text, name)?) as usize;
            if t == text_codes.len() {
                text_codes.push(None);
            }
            let code = *text_codes[t].get_or_insert_with(|| {
                values.push(DateValue::Text(texts.values()[t].clone()));
                values.len() as u32 - 1
            });
            codes.push(Some(code));
        } else if !cell.is_exact_instance_of::<PyDate>() && is_missing(&cell) {
            // pandas' NaT (a datetime subclass, not equal to itself): a missing value. Plain
            // dates skip the comparison.
            codes.push(None);
        } else if cell.is_instance_of::<PyDate>() {
            let code = match seen.get_item(&cell)? {
                Some(code) => Some(code.extract::<u32>()?),
                None => match cell.extract::<NaiveDate>() {
                    Ok(date) => {
                        values.push(DateValue::Date(date));
                        let code = values.len() as u32 - 1;
                        seen.set_item(&cell, code)?;
                        Some(code)
                    }
                    Err(_) => return Err(wrong_cell(name, row, "a date", &cell)),
                },
            };
            codes.push(code);
        } else if is_missing(&cell) {
            codes.push(None); // NaN
        } else {
            return Err(wrong_cell(name, row, "a date or an ISO date string", &cell));
        }
    }
    Ok((codes, values))
}

/// The columns of a dict of lists (names and meanings as `load_estate` documents them).
pub fn extract(dict: &Bound<'_, PyDict>) -> PyResult<Columns> {
    for key in dict.keys() {
        let name: String = key
            .extract()
            .map_err(|_| invalid_input("columns", "column names must be strings"))?;
        if name != "id"
            && !TEXT_COLUMNS.contains(&name.as_str())
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

    let mut ids = Vec::new();
    if let Some(c) = column("id")? {
        let not_text = || invalid_input("id", "must be a list of str (or None)");
        let list = c.cast::<PyList>().map_err(|_| not_text())?;
        ids.reserve(list.len());
        for cell in list.iter() {
            ids.push(if cell.is_none() {
                Err("id is missing".to_string())
            } else {
                let text = cell.cast::<PyString>().map_err(|_| not_text())?;
                HubId::parse(text_of(text, "id")?).map_err(|e| e.to_string())
            });
        }
        check_len("id", ids.len())?;
    }
    let mut customers = Strings::default();
    let mut text = Vec::new();
    for name in TEXT_COLUMNS {
        if let Some(c) = column(name)? {
            if name.ends_with("_supplier") {
                let codes = read_text(name, &c, &mut customers)?;
                check_len(name, codes.len())?;
                text.push((name, codes, Strings::default()));
            } else {
                let mut strings = Strings::default();
                let codes = read_text(name, &c, &mut strings)?;
                check_len(name, codes.len())?;
                text.push((name, codes, strings));
            }
        }
    }
    let mut dates = Vec::new();
    for name in DATE_COLUMNS {
        if let Some(c) = column(name)? {
            let (codes, values) = read_dates(name, &c)?;
            check_len(name, codes.len())?;
            dates.push((name, (codes, values)));
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
        ids,
        text,
        customers,
        dates,
        flags,
    })
}

const TABLE_KEYS: [&str; 19] = [
    "variants",
    "firmware_versions",
    "customers",
    "devices",
    "id",
    "variant",
    "firmware",
    "smi_status",
    "installed_on",
    "commissioned_on",
    "import_supplier",
    "gas_supplier",
    "import_flags",
    "gas_flags",
    "esme",
    "gsme",
    "ppmid",
    "hcalcs",
    "ihd",
];

/// A table already dictionary-encoded (the core's `EstateTable` form), read natively: code
/// columns as integers, text parsed once per distinct value. Malformed input is an
/// `InvalidInputError` (or `InvalidIdError`) naming the column; the table's shape (lengths,
/// codes against dictionaries) and the hubs are checked by the core.
pub fn table_from_dict(dict: &Bound<'_, PyDict>) -> PyResult<EstateTable> {
    for key in dict.keys() {
        let name: String = key
            .extract()
            .map_err(|_| invalid_input("table", "column names must be strings"))?;
        if !TABLE_KEYS.contains(&name.as_str()) {
            return Err(invalid_input("table", format!("unknown column {name:?}")));
        }
    }
    let column = |name: &str, required: bool| -> PyResult<Option<Bound<'_, PyAny>>> {
        match dict.get_item(name)? {
            Some(c) if !c.is_none() => Ok(Some(c)),
            _ if required => Err(invalid_input(
                "table",
                format!("missing required column {name:?}"),
            )),
            _ => Ok(None),
        }
    };
    let texts = |name: &str, required: bool| -> PyResult<Vec<String>> {
        column(name, required)?.map_or(Ok(Vec::new()), |c| {
            c.extract()
                .map_err(|_| invalid_input(name, "must be a list of str"))
        })
    };
    let codes = |name: &str| -> PyResult<Vec<u32>> {
        column(name, true)?
            .map_or(Ok(Vec::new()), |c| c.extract())
            .map_err(|_| invalid_input(name, "must be a list of int codes (0 or more)"))
    };
    let optional_codes = |name: &str| -> PyResult<Vec<Option<u32>>> {
        column(name, false)?
            .map_or(Ok(Vec::new()), |c| c.extract())
            .map_err(|_| invalid_input(name, "must be a list of int codes (0 or more) or None"))
    };
    let flags = |name: &str| -> PyResult<Vec<ConsumerFlags>> {
        let bits: Vec<u8> = column(name, false)?
            .map_or(Ok(Vec::new()), |c| c.extract())
            .map_err(|_| invalid_input(name, "must be a list of flag bits (0 to 7)"))?;
        bits.iter()
            .enumerate()
            .map(|(row, &b)| {
                (b <= 7)
                    .then(|| ConsumerFlags::from_bits(b))
                    .ok_or_else(|| {
                        invalid_input(
                            name,
                            format!("row {row}: flag bits {b}; only 1, 2 and 4 exist"),
                        )
                    })
            })
            .collect()
    };
    let mut table = EstateTable {
        variants: texts("variants", true)?
            .iter()
            .map(|v| v.parse().map_err(crate::errors::to_py_err))
            .collect::<PyResult<_>>()?,
        firmware_versions: texts("firmware_versions", true)?
            .iter()
            .map(|v| v.parse().map_err(crate::errors::to_py_err))
            .collect::<PyResult<_>>()?,
        customers: texts("customers", false)?
            .iter()
            .map(|v| v.parse().map_err(crate::errors::to_py_err))
            .collect::<PyResult<_>>()?,
        variant: codes("variant")?,
        firmware: codes("firmware")?,
        import_supplier: optional_codes("import_supplier")?,
        gas_supplier: optional_codes("gas_supplier")?,
        import_flags: flags("import_flags")?,
        gas_flags: flags("gas_flags")?,
        esme: optional_codes("esme")?,
        gsme: optional_codes("gsme")?,
        ppmid: optional_codes("ppmid")?,
        hcalcs: optional_codes("hcalcs")?,
        ihd: optional_codes("ihd")?,
        ..EstateTable::default()
    };
    if let Some(devices) = column("devices", false)? {
        let not_profiles = || {
            invalid_input(
                "devices",
                "must be a list of {\"model\": str, \"firmware\": str}",
            )
        };
        let list = devices.cast::<PyList>().map_err(|_| not_profiles())?;
        for entry in list.iter() {
            let entry = entry.cast::<PyDict>().map_err(|_| not_profiles())?;
            let text = |key: &str| -> PyResult<String> {
                entry
                    .get_item(key)?
                    .ok_or_else(not_profiles)?
                    .extract()
                    .map_err(|_| not_profiles())
            };
            table
                .devices
                .push(HanDevice::new(text("model")?, text("firmware")?));
        }
    }
    if let Some(ids) = column("id", true)? {
        let not_text = || invalid_input("id", "must be a list of str");
        let list = ids.cast::<PyList>().map_err(|_| not_text())?;
        table.id.reserve(list.len());
        for cell in list.iter() {
            let text = cell.cast::<PyString>().map_err(|_| not_text())?;
            table
                .id
                .push(HubId::parse(text_of(text, "id")?).map_err(crate::errors::to_py_err)?);
        }
    }
    if let Some(statuses) = column("smi_status", true)? {
        let mut strings = Strings::default();
        let cells = read_text("smi_status", &statuses, &mut strings)?;
        let values: Vec<SmiStatus> = strings
            .values()
            .iter()
            .map(|s| {
                SmiStatus::ALL
                    .into_iter()
                    .find(|x| x.as_str() == s)
                    .ok_or_else(|| {
                        invalid_input(
                            "smi_status",
                            format!(
                                "{s:?} is not one of {:?}",
                                SmiStatus::ALL.map(|x| x.as_str())
                            ),
                        )
                    })
            })
            .collect::<PyResult<_>>()?;
        table.smi_status = cells
            .iter()
            .enumerate()
            .map(|(row, c)| {
                c.map(|c| values[c as usize])
                    .ok_or_else(|| invalid_input("smi_status", format!("row {row}: missing")))
            })
            .collect::<PyResult<_>>()?;
    }
    let dates = |name: &'static str, required: bool| -> PyResult<Vec<Option<NaiveDate>>> {
        let Some(c) = column(name, required)? else {
            return Ok(Vec::new());
        };
        let (cells, values) = read_dates(name, &c)?;
        let dates = Dates::new(name, Some((cells, values)));
        (0..dates.as_ref().map_or(0, |d| d.rows()))
            .map(|row| {
                Dates::cell(&dates, row).map_err(|e| invalid_input(name, format!("row {row}: {e}")))
            })
            .collect()
    };
    table.installed_on = dates("installed_on", true)?
        .into_iter()
        .enumerate()
        .map(|(row, d)| {
            d.ok_or_else(|| invalid_input("installed_on", format!("row {row}: missing")))
        })
        .collect::<PyResult<_>>()?;
    table.commissioned_on = dates("commissioned_on", false)?;
    Ok(table)
}
