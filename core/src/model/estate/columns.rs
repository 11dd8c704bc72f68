//! Hub columns in (feature `arrow` for the Arrow form): the columns a bulk load names (`id`,
//! `variant`, `firmware`, `smi_status`, `installed_on`, ...; see `load_estate`), read into one
//! [`Columns`], then [`table_from_columns`] into an [`EstateTable`] with each bad row's reason.
//!
//! Strings are interned as they are read: each distinct value is parsed once, so a million hubs
//! with a few hundred distinct values cost a few hundred parses, not sixteen million. Every bad
//! cell is reported with its row index, together with the model's own row errors (as one
//! `BulkRejected`), and nothing is applied. A binding builds [`Columns`] from its own values
//! (Python lists) or hands Arrow record batches to [`Columns::from_arrow`] (Python's PyCapsule
//! stream, the JVM's Arrow IPC bytes through [`Columns::from_arrow_ipc`]), so every language
//! reads Arrow the same way, with the same row errors.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::kernel::error::{Error, RowError};
use crate::kernel::ids::{CustomerId, HubId};
use crate::kernel::intern::FxBuild;
use crate::model::estate::{ConsumerFlags, EstateTable, HanDevice, HanDeviceKind, SmiStatus};

#[cfg(feature = "arrow")]
fn invalid_input(field: &str, reason: impl Into<String>) -> Error {
    Error::invalid_input(field, reason)
}

/// The text columns a load may name (besides `id`).
pub const TEXT_COLUMNS: [&str; 15] = [
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
/// The date columns.
pub const DATE_COLUMNS: [&str; 2] = ["installed_on", "commissioned_on"];
/// The consumer-flag columns (booleans).
pub const FLAG_COLUMNS: [&str; 6] = [
    "import_vulnerable",
    "import_high_risk",
    "import_super_friendly",
    "gas_vulnerable",
    "gas_high_risk",
    "gas_super_friendly",
];
/// The columns every load names.
pub const REQUIRED: [&str; 5] = ["id", "variant", "firmware", "smi_status", "installed_on"];

/// Distinct strings, each once, in order of first appearance.
#[derive(Default)]
pub struct Strings {
    codes: HashMap<String, u32, FxBuild>,
    values: Vec<String>,
}

impl Strings {
    /// The distinct strings, in order of first appearance (a code indexes them).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The code of `text`: its place among the distinct strings, added at the end if new.
    pub fn code(&mut self, text: &str) -> u32 {
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
/// A date column as each cell's code (None: empty) and the distinct values the codes index.
pub type DateColumn = (Vec<Option<u32>>, Vec<DateValue>);

/// A date cell's distinct value: a `date` or the text to parse.
#[derive(Clone)]
pub enum DateValue {
    Date(NaiveDate),
    Text(String),
}

/// A load's columns as read from a binding's values: codes per cell, distinct values once (a
/// binding fills it from its own values, or [`Columns::from_arrow`] from record batches).
pub struct Columns {
    /// Rows.
    pub len: usize,
    /// Each row's hub id, or why its cell is not one.
    pub ids: Vec<Result<HubId, String>>,
    /// The text columns by name (one of [`TEXT_COLUMNS`]; the suppliers' codes index
    /// `customers`).
    pub text: Vec<NamedText>,
    /// Both supplier columns share one dictionary.
    pub customers: Strings,
    /// The date columns by name (one of [`DATE_COLUMNS`]).
    pub dates: Vec<(&'static str, DateColumn)>,
    /// The flag columns by name (one of [`FLAG_COLUMNS`]).
    pub flags: Vec<FlagColumn>,
}

/// A text column by name: a code a row into its dictionary (the suppliers' is `customers`).
pub type NamedText = (&'static str, Vec<Option<u32>>, Strings);
/// A flag column by name: each row's value (None: not given).
pub type FlagColumn = (&'static str, Vec<Option<bool>>);
/// What an Arrow stream's columns other than the ids give.
#[cfg(feature = "arrow")]
type ArrowRest = (
    Strings,
    Vec<NamedText>,
    Vec<(&'static str, DateColumn)>,
    Vec<FlagColumn>,
);

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
/// A date column with each distinct value parsed once (or why it is not a date).
pub struct Dates {
    codes: Vec<Option<u32>>,
    values: Vec<Result<NaiveDate, String>>,
}

impl Dates {
    /// The column `name` (None: absent), each distinct value parsed.
    pub fn new(name: &str, column: Option<DateColumn>) -> Option<Dates> {
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

    /// Rows.
    pub fn rows(&self) -> usize {
        self.codes.len()
    }

    /// Row `row`'s date (None: empty, or the column is absent), or why it is not one.
    pub fn cell(this: &Option<Dates>, row: usize) -> Result<Option<NaiveDate>, String> {
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

/// Arrow in: the same columns from record batches (a pyarrow Table, a Polars frame, an IPC
/// stream from the JVM).
#[cfg(feature = "arrow")]
mod arrow_input {
    use super::*;

    type Result<T> = std::result::Result<T, Error>;

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
    ) -> Result<Vec<Option<u32>>> {
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
                let mut cell = |row: usize, k: Option<i64>| -> Result<Option<u32>> {
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
            Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
            UInt64Type
        );
        None
    }

    impl Columns {
        /// The columns of `batches` (one schema): the names and meanings of [`Columns::extract`]'s
        /// lists. Text may be plain or dictionary-encoded; dates `date32`/`date64` or ISO text;
        /// flags booleans; nulls are missing values (pandas' NaN in a text column arrives as null).
        /// A bad cell is a row error later, naming the row, the column and the value.
        /// `schema` is the stream's: checked even when no batch follows it (an empty table).
        pub fn from_arrow(schema: &Schema, batches: &[RecordBatch]) -> Result<Columns> {
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
        ) -> Result<ArrowRest> {
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
                                    TimeUnit::Millisecond => {
                                        a.as_primitive::<Ms>().iter().collect()
                                    }
                                    TimeUnit::Microsecond => {
                                        a.as_primitive::<Us>().iter().collect()
                                    }
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
                                        None => {
                                            DateValue::Text(format!("{d} days after 1970-01-01"))
                                        }
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

    /// The hub ids of an Arrow column: integers (`UInt64`, or `Int64` for the same bits), or
    /// text, all distinct, so parsed straight from the column, not interned first.
    fn arrow_ids(
        arrays: &[&dyn Array],
        len: usize,
    ) -> Result<Vec<std::result::Result<HubId, String>>> {
        let mut ids = Vec::with_capacity(len);
        let parse = |cell: Option<&str>| match cell {
            None => Err("id is missing".to_string()),
            Some(text) => HubId::parse(text).map_err(|e| e.to_string()),
        };
        for a in arrays {
            // The EUI-64 as an integer, as every Arrow answer gives it: `UInt64`, or `Int64`
            // holding the same 64 bits (the JVM has no unsigned long).
            if let Some(values) = a.as_any().downcast_ref::<arrow_array::UInt64Array>() {
                ids.extend(values.iter().map(|v| {
                    v.map(HubId::from_u64)
                        .ok_or_else(|| "id is missing".to_string())
                }));
            } else if let Some(values) = a.as_any().downcast_ref::<arrow_array::Int64Array>() {
                ids.extend(values.iter().map(|v| {
                    v.map(|v| HubId::from_u64(v as u64))
                        .ok_or_else(|| "id is missing".to_string())
                }));
            } else if let Some(values) = strings_of(*a) {
                ids.extend(values.into_iter().map(parse));
            } else {
                let mut strings = Strings::default();
                let codes = arrow_text("id", &[*a], &mut strings)?;
                let parsed: Vec<std::result::Result<HubId, String>> =
                    strings.values.iter().map(|t| parse(Some(t))).collect();
                ids.extend(codes.into_iter().map(|c| match c {
                    None => parse(None),
                    Some(c) => parsed[c as usize].clone(),
                }));
            }
        }
        Ok(ids)
    }
}
