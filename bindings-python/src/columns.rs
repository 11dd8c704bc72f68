//! The columnar bulk load: Python lists in, an `EstateTable` out.
//!
//! Strings are interned as they are read: each cell costs one hash lookup of the string
//! Python already holds (no copy). Each distinct value is parsed once, so a million hubs
//! with a few hundred distinct values cost a few hundred parses, not sixteen million. Every
//! bad cell is reported with its row index, together with the model's own row errors (as
//! one `BulkRejectedError`), and nothing is applied.

use std::collections::HashMap;

use chrono::NaiveDate;
use commshub_ota::{
    ConsumerFlags, CustomerId, Error, EstateTable, FxBuild, HanDevice, HanDeviceKind, HubId,
    RowError, SmiStatus,
};
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDict, PyList, PyString};

use crate::convert::text_of;

use crate::errors::invalid_input;

const TEXT_COLUMNS: [&str; 15] = [
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
pub(crate) const FLAG_COLUMNS: [&str; 6] = [
    "import_vulnerable",
    "import_high_risk",
    "import_super_friendly",
    "gas_vulnerable",
    "gas_high_risk",
    "gas_super_friendly",
];
const REQUIRED: [&str; 5] = ["id", "variant", "firmware", "smi_status", "installed_on"];

/// Distinct strings, each once, in order of first appearance.
#[derive(Default)]
struct Strings {
    codes: HashMap<String, u32, FxBuild>,
    values: Vec<String>,
}

impl Strings {
    fn code(&mut self, text: &str) -> u32 {
        if let Some(&code) = self.codes.get(text) {
            return code;
        }
        let code = self.values.len() as u32;
        self.values.push(text.to_string());
        self.codes.insert(text.to_string(), code);
        code
    }
}

/// A column as each cell's code (None: empty) and the distinct values the codes index.
type TextColumn = (Vec<Option<u32>>, Vec<String>);
type DateColumn = (Vec<Option<u32>>, Vec<DateValue>);

/// A date cell's distinct value: a `date` or the text to parse.
#[derive(Clone)]
enum DateValue {
    Date(NaiveDate),
    Text(String),
}

/// The columns read while holding the GIL: codes per cell, distinct values once.
pub struct Columns {
    len: usize,
    ids: Vec<Result<HubId, String>>,
    text: Vec<NamedText>,
    /// Both supplier columns share one dictionary.
    customers: Strings,
    dates: Vec<(&'static str, DateColumn)>,
    flags: Vec<FlagColumn>,
}

/// A text column by name: a code a row into its dictionary (the suppliers' is `customers`).
type NamedText = (&'static str, Vec<Option<u32>>, Strings);
type FlagColumn = (&'static str, Vec<Option<bool>>);
/// What an Arrow stream's columns other than the ids give.
type ArrowRest = (
    Strings,
    Vec<NamedText>,
    Vec<(&'static str, DateColumn)>,
    Vec<FlagColumn>,
);

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
                values.push(DateValue::Text(texts.values[t].clone()));
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

impl Columns {
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
}

/// One text column: each cell's code, and for each code the code in the table's dictionary
/// (or why the value is bad). Each distinct value is parsed once.
struct Coded {
    codes: Vec<Option<u32>>,
    remap: Vec<Result<u32, String>>,
}

impl Coded {
    /// `column` with its distinct values parsed by `parse`; the good values are appended to
    /// `dictionary`. An absent column is `None` in every row.
    fn new<T>(
        n: usize,
        column: Option<TextColumn>,
        dictionary: &mut Vec<T>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Coded {
        let Some((codes, values)) = column else {
            return Coded {
                codes: vec![None; n],
                remap: Vec::new(),
            };
        };
        let remap = values
            .iter()
            .map(|v| {
                parse(v).map(|t| {
                    dictionary.push(t);
                    dictionary.len() as u32 - 1
                })
            })
            .collect();
        Coded { codes, remap }
    }

    /// Row `row`'s code in the table's dictionary; `None` for an empty cell.
    fn cell(&self, row: usize) -> Result<Option<u32>, String> {
        self.codes[row]
            .map(|c| self.remap[c as usize].clone())
            .transpose()
    }

    fn required(&self, row: usize, name: &str) -> Result<u32, String> {
        self.cell(row)?.ok_or_else(|| format!("{name} is missing"))
    }
}

/// A date column: each cell's code and each distinct value parsed once.
struct Dates {
    codes: Vec<Option<u32>>,
    values: Vec<Result<NaiveDate, String>>,
}

impl Dates {
    fn new(name: &str, column: Option<DateColumn>) -> Option<Dates> {
        column.map(|(codes, values)| Dates {
            codes,
            values: values
                .into_iter()
                .map(|v| match v {
                    DateValue::Date(d) => Ok(d),
                    DateValue::Text(t) => t
                        .parse()
                        .map_err(|_| format!("{name} {t:?} is not an ISO date (YYYY-MM-DD)")),
                })
                .collect(),
        })
    }

    fn cell(this: &Option<Dates>, row: usize) -> Result<Option<NaiveDate>, String> {
        this.as_ref()
            .and_then(|d| d.codes[row].map(|c| d.values[c as usize].clone()))
            .transpose()
    }
}

/// The model and firmware columns of one HAN device kind.
struct DeviceColumns {
    kind: HanDeviceKind,
    model: Option<TextColumn>,
    firmware: Option<TextColumn>,
}

impl DeviceColumns {
    fn cell(&self, row: usize) -> Result<Option<(u32, u32)>, String> {
        let code = |c: &Option<TextColumn>| c.as_ref().and_then(|(codes, _)| codes[row]);
        match (code(&self.model), code(&self.firmware)) {
            (Some(m), Some(f)) => Ok(Some((m, f))),
            (None, None) => Ok(None),
            _ => Err(format!(
                "{0}_model and {0}_firmware must be given together",
                self.kind.as_str()
            )),
        }
    }

    /// Slots for every (model, firmware) pair of the dictionaries, when few enough to hold.
    fn dense_pairs(&self) -> Option<(usize, Vec<u32>)> {
        let len = |c: &Option<TextColumn>| c.as_ref().map_or(0, |(_, v)| v.len());
        let (models, firmwares) = (len(&self.model), len(&self.firmware));
        let slots = models.checked_mul(firmwares).filter(|&n| n <= 1 << 20)?;
        Some((firmwares, vec![u32::MAX; slots]))
    }

    fn profile(&self, (m, f): (u32, u32)) -> HanDevice {
        let text = |c: &Option<TextColumn>, i: u32| {
            c.as_ref()
                .map_or(String::new(), |(_, v)| v[i as usize].clone())
        };
        HanDevice::new(text(&self.model, m), text(&self.firmware, f))
    }
}

/// The table of the good rows, each good row's index in the input, and the bad rows with
/// the reason. Built without the GIL.
pub struct Parsed {
    pub table: EstateTable,
    pub origin: Vec<usize>,
    pub rejected: Vec<RowError>,
}

pub fn table_from_columns(c: Columns) -> Parsed {
    let n = c.len;
    let mut text: HashMap<&str, TextColumn, FxBuild> = c
        .text
        .into_iter()
        .map(|(name, codes, strings)| (name, (codes, strings.values)))
        .collect();
    let mut table = EstateTable::default();
    let err = |e: Error| e.to_string();
    let variant = Coded::new(n, text.remove("variant"), &mut table.variants, |s| {
        s.parse().map_err(err)
    });
    let firmware = Coded::new(
        n,
        text.remove("firmware"),
        &mut table.firmware_versions,
        |s| s.parse().map_err(err),
    );
    let mut statuses: Vec<SmiStatus> = Vec::new();
    let smi = Coded::new(n, text.remove("smi_status"), &mut statuses, |s| {
        SmiStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "smi_status {s:?} is not one of {:?}",
                    SmiStatus::ALL.map(|x| x.as_str())
                )
            })
    });
    // Both supplier columns share the customers dictionary: parse it once, then give each
    // column its codes.
    let customers = Coded::new(
        n,
        Some((Vec::new(), c.customers.values)),
        &mut table.customers,
        |s| s.parse::<CustomerId>().map_err(err),
    );
    let supplier = |name: &str, text: &mut HashMap<&str, TextColumn, FxBuild>| Coded {
        codes: text
            .remove(name)
            .map_or_else(|| vec![None; n], |(codes, _)| codes),
        remap: customers.remap.clone(),
    };
    let import = supplier("import_supplier", &mut text);
    let gas = supplier("gas_supplier", &mut text);
    let devices: Vec<DeviceColumns> = HanDeviceKind::ALL
        .into_iter()
        .map(|kind| DeviceColumns {
            kind,
            model: text.remove(format!("{}_model", kind.as_str()).as_str()),
            firmware: text.remove(format!("{}_firmware", kind.as_str()).as_str()),
        })
        .collect();
    let mut dates: HashMap<&str, DateColumn, FxBuild> = c.dates.into_iter().collect();
    let installed = Dates::new("installed_on", dates.remove("installed_on"));
    let commissioned = Dates::new("commissioned_on", dates.remove("commissioned_on"));
    let flags: Vec<(SupplyFlag, Vec<Option<bool>>)> = c
        .flags
        .into_iter()
        .map(|(name, values)| (SupplyFlag::of(name), values))
        .collect();

    // Device profiles: each (kind, model code, firmware code) pair resolved once.
    let mut pairs: HashMap<(usize, u32, u32), u32, FxBuild> = HashMap::default();
    let mut dense: Vec<Option<(usize, Vec<u32>)>> =
        devices.iter().map(DeviceColumns::dense_pairs).collect();
    let mut profiles: HashMap<HanDevice, u32, FxBuild> = HashMap::default();
    let mut device_columns: Vec<Vec<Option<u32>>> =
        devices.iter().map(|_| Vec::with_capacity(n)).collect();
    let (mut import_flags, mut gas_flags) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut origin = Vec::with_capacity(n);
    let mut rejected = Vec::new();
    for row in 0..n {
        let parsed = (|| -> Result<(), String> {
            let id = c.ids[row].clone()?;
            let v = variant.required(row, "variant")?;
            let f = firmware.required(row, "firmware")?;
            let s = smi.required(row, "smi_status")?;
            let (imp, g) = (import.cell(row)?, gas.cell(row)?);
            let mut hub_devices = [None; 5];
            for (k, columns) in devices.iter().enumerate() {
                if let Some((m, f)) = columns.cell(row)? {
                    let mut resolve = || {
                        let profile = columns.profile((m, f));
                        let next = profiles.len() as u32;
                        *profiles.entry(profile).or_insert_with_key(|p| {
                            table.devices.push(p.clone());
                            next
                        })
                    };
                    // A pair's profile is looked up once: in a dense slot (the usual small
                    // dictionaries), else in a map.
                    let code = match &mut dense[k] {
                        Some((width, slots)) => {
                            let slot = &mut slots[m as usize * *width + f as usize];
                            if *slot == u32::MAX {
                                *slot = resolve();
                            }
                            *slot
                        }
                        None => *pairs.entry((k, m, f)).or_insert_with(resolve),
                    };
                    hub_devices[k] = Some(code);
                }
            }
            let installed_on = Dates::cell(&installed, row)?.ok_or("installed_on is missing")?;
            let commissioned_on = Dates::cell(&commissioned, row)?;
            let (mut import_f, mut gas_f) = (ConsumerFlags::default(), ConsumerFlags::default());
            for (flag, values) in &flags {
                flag.set(&mut import_f, &mut gas_f, values[row].unwrap_or(false));
            }
            table.id.push(id);
            table.variant.push(v);
            table.firmware.push(f);
            table.smi_status.push(statuses[s as usize]);
            table.installed_on.push(installed_on);
            table.commissioned_on.push(commissioned_on);
            table.import_supplier.push(imp);
            table.gas_supplier.push(g);
            import_flags.push(import_f);
            gas_flags.push(gas_f);
            for (column, code) in device_columns.iter_mut().zip(hub_devices) {
                column.push(code);
            }
            Ok(())
        })();
        match parsed {
            Ok(()) => origin.push(row),
            Err(reason) => rejected.push(RowError { row, reason }),
        }
    }
    table.import_flags = import_flags;
    table.gas_flags = gas_flags;
    let mut device_columns = device_columns.into_iter();
    for column in [
        &mut table.esme,
        &mut table.gsme,
        &mut table.ppmid,
        &mut table.hcalcs,
        &mut table.ihd,
    ] {
        *column = device_columns.next().unwrap_or_default();
    }
    Parsed {
        table,
        origin,
        rejected,
    }
}

/// Which flag of which role a flag column sets.
struct SupplyFlag {
    gas: bool,
    which: &'static str,
}

impl SupplyFlag {
    fn of(column: &'static str) -> SupplyFlag {
        let (role, which) = column.split_once('_').unwrap_or(("import", column));
        SupplyFlag {
            gas: role == "gas",
            which,
        }
    }

    fn set(&self, import: &mut ConsumerFlags, gas: &mut ConsumerFlags, value: bool) {
        let target = if self.gas { gas } else { import };
        match self.which {
            "vulnerable" => target.vulnerable = value,
            "high_risk" => target.high_risk = value,
            _ => target.super_friendly = value,
        }
    }
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
            .values
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
        (0..dates.as_ref().map_or(0, |d| d.codes.len()))
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

// --- Arrow in: the same columns from record batches (a pyarrow Table, a Polars frame) ---

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};

/// Each row's text of a string array (`Utf8`, `LargeUtf8`, `Utf8View`); `None` for another type.
fn strings_of(a: &dyn Array) -> Option<Vec<Option<&str>>> {
    Some(match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => a.as_string::<i64>().iter().collect(),
        DataType::Utf8View => a.as_string_view().iter().collect(),
        _ => return None,
    })
}

/// A text array read value by value (a dictionary's values: only the ones its keys use).
enum TextValues<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> TextValues<'a> {
    fn of(a: &'a dyn Array) -> Option<TextValues<'a>> {
        Some(match a.data_type() {
            DataType::Utf8 => TextValues::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => TextValues::Large(a.as_string::<i64>()),
            DataType::Utf8View => TextValues::View(a.as_string_view()),
            _ => return None,
        })
    }

    fn len(&self) -> usize {
        match self {
            TextValues::Utf8(a) => a.len(),
            TextValues::Large(a) => a.len(),
            TextValues::View(a) => a.len(),
        }
    }

    /// Value `k` (within `len`), `None` when null.
    fn get(&self, k: usize) -> Option<&'a str> {
        match self {
            TextValues::Utf8(a) => (!a.is_null(k)).then(|| a.value(k)),
            TextValues::Large(a) => (!a.is_null(k)).then(|| a.value(k)),
            TextValues::View(a) => (!a.is_null(k)).then(|| a.value(k)),
        }
    }
}

/// A text column of batches as codes into `strings`: dictionary-encoded columns map each
/// dictionary value once (the keys are not decoded to text); nulls are missing values.
fn arrow_text(
    name: &str,
    arrays: &[&dyn Array],
    strings: &mut Strings,
) -> PyResult<Vec<Option<u32>>> {
    let wrong = |dt: &DataType| {
        invalid_input(
            name,
            format!("an Arrow column of type {dt} cannot be read here: expected text (or dictionary-encoded text)"),
        )
    };
    let mut codes = Vec::new();
    for a in arrays {
        if let Some(dict) = a.as_any_dictionary_opt() {
            let values =
                TextValues::of(dict.values().as_ref()).ok_or_else(|| wrong(a.data_type()))?;
            // Only the values a row uses are read (a dictionary far larger than its column
            // costs its size in this vector, not a string look-up a value), each once.
            let mut remap: Vec<Option<Option<u32>>> = vec![None; values.len()];
            let start = codes.len();
            let mut cell = |row: usize, k: Option<i64>| -> PyResult<Option<u32>> {
                let Some(k) = k else {
                    return Ok(None);
                };
                let slot = usize::try_from(k)
                    .ok()
                    .and_then(|k| remap.get_mut(k).map(|s| (k, s)));
                let Some((k, slot)) = slot else {
                    return Err(invalid_input(
                        name,
                        format!(
                            "row {}: dictionary key {k} is outside its dictionary of {} values",
                            start + row,
                            values.len()
                        ),
                    ));
                };
                Ok(*slot.get_or_insert_with(|| values.get(k).map(|t| strings.code(t))))
            };
            // The usual key types (pyarrow's int32, Polars' uint32) read in place; others
            // (int8 to int64, uint8 to uint64) by value, each checked against the dictionary.
            if let Some(d) = a.as_dictionary_opt::<Int32Type>() {
                for (row, k) in d.keys().iter().enumerate() {
                    codes.push(cell(row, k.map(i64::from))?);
                }
            } else if let Some(d) = a.as_dictionary_opt::<UInt32Type>() {
                for (row, k) in d.keys().iter().enumerate() {
                    codes.push(cell(row, k.map(i64::from))?);
                }
            } else {
                let keys = arrow_cast_keys(dict.keys()).ok_or_else(|| wrong(a.data_type()))?;
                for (row, k) in keys.into_iter().enumerate() {
                    codes.push(cell(row, k)?);
                }
            }
        } else {
            let values = strings_of(*a).ok_or_else(|| wrong(a.data_type()))?;
            codes.extend(values.into_iter().map(|v| v.map(|t| strings.code(t))));
        }
    }
    Ok(codes)
}

/// A dictionary's keys as `i64` (`None` for a null; a `u64` past `i64::MAX` as -1, which no
/// dictionary holds), for any integer key type; `None` for another type.
fn arrow_cast_keys(keys: &dyn Array) -> Option<Vec<Option<i64>>> {
    use arrow_array::types::*;
    macro_rules! widen {
        ($($t:ty),*) => {
            $(if let Some(p) = keys.as_primitive_opt::<$t>() {
                return Some(p.iter().map(|k| k.map(|k| i64::try_from(k).unwrap_or(-1))).collect());
            })*
        };
    }
    widen!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    None
}

impl Columns {
    /// The columns of `batches` (one schema): the names and meanings of [`Columns::extract`]'s
    /// lists. Text may be plain or dictionary-encoded; dates `date32`/`date64` or ISO text;
    /// flags booleans; nulls are missing values (pandas' NaN in a text column arrives as null).
    /// A bad cell is a row error later, naming the row, the column and the value.
    /// `schema` is the stream's: checked even when no batch follows it (an empty table).
    pub fn from_arrow(schema: &Schema, batches: &[RecordBatch]) -> PyResult<Columns> {
        let mut seen = std::collections::HashSet::new();
        for field in schema.fields() {
            let name = field.name().as_str();
            if !seen.insert(name) {
                return Err(invalid_input(
                    "columns",
                    format!("column {name:?} appears twice"),
                ));
            }
            if name != "id"
                && !TEXT_COLUMNS.contains(&name)
                && !DATE_COLUMNS.contains(&name)
                && !FLAG_COLUMNS.contains(&name)
            {
                return Err(invalid_input("columns", format!("unknown column {name:?}")));
            }
        }
        for name in REQUIRED {
            if schema.index_of(name).is_err() {
                return Err(invalid_input(
                    "columns",
                    format!("missing required column {name:?}"),
                ));
            }
        }
        // Every batch must be of the stream's schema: a producer that changes it part way
        // would otherwise have its columns read as others.
        for (i, batch) in batches.iter().enumerate() {
            if batch.schema().fields() != schema.fields() {
                return Err(invalid_input(
                    "columns",
                    format!(
                        "batch {i} of the Arrow stream has another schema than the stream's ({} columns: {:?})",
                        batch.num_columns(),
                        batch
                            .schema()
                            .fields()
                            .iter()
                            .map(|f| format!("{}: {}", f.name(), f.data_type()))
                            .collect::<Vec<_>>()
                    ),
                ));
            }
        }
        let column = |name: &str| -> Option<Vec<&dyn Array>> {
            let i = schema.index_of(name).ok()?;
            Some(batches.iter().map(|b| b.column(i).as_ref()).collect())
        };
        let len = batches.iter().map(RecordBatch::num_rows).sum();
        // The ids on a second core while this one reads the other columns: at national scale
        // each half is about 0.4 s.
        std::thread::scope(|scope| {
            let ids = scope.spawn(|| match column("id") {
                Some(arrays) => arrow_ids(&arrays, len),
                None => Ok(Vec::new()),
            });
            let rest = Columns::arrow_rest(&column, len);
            let ids = match ids.join() {
                Ok(ids) => ids?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            let (customers, text, dates, flags) = rest?;
            Ok(Columns {
                len,
                ids,
                text,
                customers,
                dates,
                flags,
            })
        })
    }

    /// The text, date and flag columns of an Arrow stream (`column` finds one by name).
    fn arrow_rest<'a>(
        column: &dyn Fn(&str) -> Option<Vec<&'a dyn Array>>,
        len: usize,
    ) -> PyResult<ArrowRest> {
        let mut customers = Strings::default();
        let mut text = Vec::new();
        for name in TEXT_COLUMNS {
            if let Some(arrays) = column(name) {
                if name.ends_with("_supplier") {
                    let codes = arrow_text(name, &arrays, &mut customers)?;
                    text.push((name, codes, Strings::default()));
                } else {
                    let mut strings = Strings::default();
                    let codes = arrow_text(name, &arrays, &mut strings)?;
                    text.push((name, codes, strings));
                }
            }
        }
        let mut dates = Vec::new();
        for name in DATE_COLUMNS {
            if let Some(arrays) = column(name) {
                let mut codes = Vec::with_capacity(len);
                let mut values: Vec<DateValue> = Vec::new();
                let mut seen: HashMap<i64, u32, FxBuild> = HashMap::default();
                for a in &arrays {
                    let days: Vec<Option<i64>> = match a.data_type() {
                        DataType::Date32 => a
                            .as_primitive::<arrow_array::types::Date32Type>()
                            .iter()
                            .map(|d| d.map(i64::from))
                            .collect(),
                        DataType::Date64 => a
                            .as_primitive::<arrow_array::types::Date64Type>()
                            .iter()
                            .map(|d| d.map(|ms| ms.div_euclid(86_400_000)))
                            .collect(),
                        // A timestamp (pandas' datetime64) counts by its day: naive ones as
                        // written, zoned ones in UTC.
                        DataType::Timestamp(unit, _) => {
                            use arrow_array::types::{
                                TimestampMicrosecondType as Us, TimestampMillisecondType as Ms,
                                TimestampNanosecondType as Ns, TimestampSecondType as S,
                            };
                            use arrow_schema::TimeUnit;
                            let per_day: i64 = match unit {
                                TimeUnit::Second => 86_400,
                                TimeUnit::Millisecond => 86_400_000,
                                TimeUnit::Microsecond => 86_400_000_000,
                                TimeUnit::Nanosecond => 86_400_000_000_000,
                            };
                            let values: Vec<Option<i64>> = match unit {
                                TimeUnit::Second => a.as_primitive::<S>().iter().collect(),
                                TimeUnit::Millisecond => a.as_primitive::<Ms>().iter().collect(),
                                TimeUnit::Microsecond => a.as_primitive::<Us>().iter().collect(),
                                TimeUnit::Nanosecond => a.as_primitive::<Ns>().iter().collect(),
                            };
                            values
                                .into_iter()
                                .map(|t| t.map(|t| t.div_euclid(per_day)))
                                .collect()
                        }
                        _ => {
                            // ISO text, as the list form takes it.
                            let mut strings = Strings::default();
                            let text_codes = arrow_text(name, &[*a], &mut strings)?;
                            let base = values.len() as u32;
                            values.extend(strings.values.into_iter().map(DateValue::Text));
                            codes.extend(text_codes.into_iter().map(|c| c.map(|c| base + c)));
                            continue;
                        }
                    };
                    for d in days {
                        codes.push(d.map(|d| {
                            *seen.entry(d).or_insert_with(|| {
                                // Checked all the way: Arrow's extreme dates and times are
                                // row errors, never a panic.
                                let date = NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|e| {
                                    chrono::Duration::try_days(d)
                                        .and_then(|span| e.checked_add_signed(span))
                                });
                                values.push(match date {
                                    Some(date) => DateValue::Date(date),
                                    // Out of range: kept as text, refused as a row error.
                                    None => DateValue::Text(format!("{d} days after 1970-01-01")),
                                });
                                values.len() as u32 - 1
                            })
                        }));
                    }
                }
                dates.push((name, (codes, values)));
            }
        }
        let mut flags = Vec::new();
        for name in FLAG_COLUMNS {
            if let Some(arrays) = column(name) {
                let mut values = Vec::with_capacity(len);
                for a in &arrays {
                    if a.data_type() != &DataType::Boolean {
                        return Err(invalid_input(
                            name,
                            format!(
                                "an Arrow column of type {} cannot be read here: expected bool",
                                a.data_type()
                            ),
                        ));
                    }
                    values.extend(a.as_boolean().iter());
                }
                flags.push((name, values));
            }
        }
        Ok((customers, text, dates, flags))
    }
}

/// The hub ids of an Arrow column: all distinct, so parsed straight from the column, not
/// interned first.
fn arrow_ids(arrays: &[&dyn Array], len: usize) -> PyResult<Vec<Result<HubId, String>>> {
    let mut ids = Vec::with_capacity(len);
    let parse = |cell: Option<&str>| match cell {
        None => Err("id is missing".to_string()),
        Some(text) => HubId::parse(text).map_err(|e| e.to_string()),
    };
    for a in arrays {
        if let Some(values) = strings_of(*a) {
            ids.extend(values.into_iter().map(parse));
        } else {
            let mut strings = Strings::default();
            let codes = arrow_text("id", &[*a], &mut strings)?;
            let parsed: Vec<Result<HubId, String>> =
                strings.values.iter().map(|t| parse(Some(t))).collect();
            ids.extend(codes.into_iter().map(|c| match c {
                None => parse(None),
                Some(c) => parsed[c as usize].clone(),
            }));
        }
    }
    Ok(ids)
}
