//! Columnar answers (feature `arrow`): bulk views as Arrow record batches (arrow-rs), for
//! analysts' frames (Polars, pandas, DuckDB through the Python binding's PyCapsule stream), for
//! the JVM (Arrow IPC bytes) and for Rust programs. Each answer is built straight from the dense
//! tables: a hub is a few array writes, no view object per hub. A hub is its EUI-64 as an
//! unsigned 64-bit integer (`hub`, `UInt64`): 8 bytes, imported by Polars, pandas, DuckDB and
//! Arrow Java without parsing ([`ArrowAnswer::with_hub_text`] and [`hub_text`] give the
//! canonical text). Text that repeats (campaign ids, versions, variants) is a dictionary column:
//! the catalogue's table once, an integer per hub.
//!
//! Scoped as the row views are: the same permission checks, the same rows. A configuration set
//! is named by its key text (`ConfigurationSet::key`), in a dictionary of the sets that answer
//! holds: the estate's internal set codes count every party's sets, so they are never shown.
//!
//! One file per answer:
//! - `upgrade_list`: the CSP's whole upgrade list;
//! - `estate`: a customer's hubs, configuration sets (the DPL), estate by firmware;
//! - `dpl`: the DPL over time, the industry's shares;
//! - `rollout`: a campaign's upgrade attempts and their outcomes, its progress by set;
//! - `eligibility`: bulk explain, every blocked hub's blockers, one row each;
//! - `rules`: a rule's dry run, a row per hub it would act on;
//! - `events`: the recorded events;
//! - `query`: every one of them as data ([`ColumnarQuery`]), for the one columnar entry.

mod dpl;
mod eligibility;
mod estate;
pub(crate) mod events;
mod evidence;
mod query;
mod rollout;
mod rules;
mod upgrade_list;

pub use crate::read::query::ColumnarQuery;
pub use dpl::{dpl_history_schema, industry_shares_schema, OTHER_LABEL};
pub use eligibility::blockers_schema;
pub use estate::{
    configuration_sets_schema, customer_estate_schema, estate_by_firmware_schema, ESTATE_BATCH_ROWS,
};
pub use events::events_schema;
pub use evidence::retirement_evidence_schema;
pub use query::{hub_text, ArrowAnswer};
pub use rollout::{attempts_schema, campaign_progress_schema};
pub use rules::dry_run_schema;
pub use upgrade_list::upgrade_list_schema;

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::kernel::error::Error;
use crate::model::estate::{ConfigurationSet, HanDeviceKind};
use crate::model::state::State;

/// A dictionary column: `keys` index `values`. Like every dictionary of every answer, it holds
/// exactly the values its rows use, in text order (see [`Compacted`]).
fn dictionary(keys: Vec<i32>, values: Vec<String>) -> Result<ArrayRef, Error> {
    let c = Compacted::of(keys.iter().copied(), &values);
    let keys: Vec<i32> = keys.into_iter().map(|k| c.key(k)).collect();
    c.column(Int32Array::from(keys))
}

/// A dictionary column with nulls.
fn nullable_dictionary(keys: Vec<Option<i32>>, values: Vec<String>) -> Result<ArrayRef, Error> {
    let c = Compacted::of(keys.iter().flatten().copied(), &values);
    let keys: Vec<Option<i32>> = keys.into_iter().map(|k| k.map(|k| c.key(k))).collect();
    c.column(Int32Array::from(keys))
}

/// A dictionary's values reduced to those its keys use, in text order, and each old key's new
/// one. A dictionary is part of what an answer shows: one holding every value of the catalogue
/// (or of every party) would show other regions' variants and firmware to a CSP, or move when
/// another party registers something, while the rows do not (docs/domain.md decision 13). Values
/// in text order, not in the order they were registered, for the same reason.
struct Compacted {
    new_key: Vec<i32>,
    values: Vec<String>,
}

impl Compacted {
    fn of(keys: impl Iterator<Item = i32>, values: &[impl AsRef<str>]) -> Compacted {
        let mut used = vec![false; values.len()];
        for k in keys {
            if let Some(u) = usize::try_from(k).ok().and_then(|k| used.get_mut(k)) {
                *u = true;
            }
        }
        let mut order: Vec<usize> = (0..values.len()).filter(|&i| used[i]).collect();
        order.sort_by(|&a, &b| values[a].as_ref().cmp(values[b].as_ref()));
        let mut new_key = vec![-1; values.len()];
        for (new, &old) in order.iter().enumerate() {
            new_key[old] = new as i32;
        }
        Compacted {
            new_key,
            values: order
                .into_iter()
                .map(|i| values[i].as_ref().to_string())
                .collect(),
        }
    }

    fn key(&self, old: i32) -> i32 {
        usize::try_from(old)
            .ok()
            .and_then(|k| self.new_key.get(k))
            .copied()
            .unwrap_or(-1)
    }

    fn column(self, keys: Int32Array) -> Result<ArrayRef, Error> {
        let values = StringArray::from(self.values);
        DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(arrow_error)
    }
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    // The columns are built to the schema here; a mismatch is a bug, reported as such.
    Error::invalid_input(
        "columns",
        format!("an Arrow answer could not be built: {e}"),
    )
}

fn dict_field(name: &str) -> Field {
    Field::new_dictionary(name, DataType::Int32, DataType::Utf8, false)
}

fn nullable_dict_field(name: &str) -> Field {
    Field::new_dictionary(name, DataType::Int32, DataType::Utf8, true)
}

/// A UTC timestamp column's type (microseconds, as chrono keeps them).
fn timestamp_type() -> DataType {
    DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into()))
}

/// The batch of `schema` from `columns`.
fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, Error> {
    RecordBatch::try_new(schema, columns).map_err(arrow_error)
}

/// An empty batch of `schema`.
fn empty(schema: SchemaRef) -> Result<RecordBatch, Error> {
    let columns = empty_columns(&schema);
    batch(schema, columns)
}

/// Empty columns of `schema`.
fn empty_columns(schema: &Schema) -> Vec<ArrayRef> {
    schema
        .fields()
        .iter()
        .map(|f| arrow_array::new_empty_array(f.data_type()))
        .collect()
}

/// The catalogue's version texts: each text once (the same version of two variants is one
/// value; pandas and Arrow's own readers want a dictionary's values unique), and each firmware
/// index's key into them. Each column made of them holds only the versions it uses.
struct Versions {
    keys: Vec<i32>,
    values: Vec<String>,
}

impl Versions {
    fn of(state: &State) -> Versions {
        let mut index: std::collections::HashMap<&str, i32> = Default::default();
        let mut values = Vec::new();
        let keys = state
            .catalogue
            .firmware
            .iter()
            .map(|f| {
                let text = f.version.as_str();
                *index.entry(text).or_insert_with(|| {
                    values.push(text.to_string());
                    values.len() as i32 - 1
                })
            })
            .collect();
        Versions { keys, values }
    }

    /// The key of firmware `f`.
    fn key(&self, f: crate::model::catalogue::FirmwareIdx) -> i32 {
        self.keys[usize::from(f)]
    }

    /// The dictionary column of `keys`, holding the versions they use.
    fn column(&self, keys: Vec<i32>) -> Result<ArrayRef, Error> {
        dictionary(keys, self.values.clone())
    }
}

/// The variant ids of the catalogue, in variant-index order.
fn variants(state: &State) -> Vec<String> {
    state
        .catalogue
        .variants
        .iter()
        .map(|v| v.id.to_string())
        .collect()
}

/// Texts numbered as first met: one answer's dictionary.
#[derive(Default)]
struct Texts {
    index: std::collections::HashMap<String, i32>,
    values: Vec<String>,
}

impl Texts {
    fn key(&mut self, text: impl AsRef<str>) -> i32 {
        let text = text.as_ref();
        if let Some(&k) = self.index.get(text) {
            return k;
        }
        let k = self.values.len() as i32;
        self.values.push(text.to_string());
        self.index.insert(text.to_string(), k);
        k
    }
}

/// A dictionary of the configuration sets one answer names, ordered by key text: nothing of
/// the estate's internal set codes (which count every party's sets) shows through.
struct SetKeys {
    by_code: Vec<i32>,
    values: ArrayRef,
}

impl SetKeys {
    /// Marks for every set code of the estate (all false): set the ones the answer uses.
    fn unused(state: &State) -> Vec<bool> {
        vec![false; state.estate.configs.len()]
    }

    /// The dictionary of the sets marked in `used`.
    fn of(state: &State, used: &[bool]) -> SetKeys {
        let mut named: Vec<(String, u32)> = used
            .iter()
            .enumerate()
            .filter(|(_, &u)| u)
            .map(|(code, _)| (state.configuration_set(code as u32).key(), code as u32))
            .collect();
        named.sort_unstable();
        let mut by_code = vec![-1; used.len()];
        for (i, (_, code)) in named.iter().enumerate() {
            by_code[*code as usize] = i as i32;
        }
        let values: StringArray = named.into_iter().map(|(key, _)| Some(key)).collect();
        SetKeys {
            by_code,
            values: Arc::new(values),
        }
    }

    /// The key of set `code`, which `used` marked.
    fn key(&self, code: u32) -> i32 {
        self.by_code[code as usize]
    }

    /// The dictionary column of `keys` (every column of one answer shares the values).
    fn column(&self, keys: Vec<i32>) -> Result<ArrayRef, Error> {
        DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), self.values.clone())
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(arrow_error)
    }
}

/// The columns naming a configuration set: its key, variant, firmware and each HAN device's
/// model and firmware (null where the set has no such device).
pub(super) fn set_fields() -> Vec<Field> {
    let mut fields = vec![
        Field::new("configuration_set", DataType::Utf8, false),
        Field::new("variant", DataType::Utf8, false),
        Field::new("firmware", DataType::Utf8, false),
    ];
    for kind in HanDeviceKind::ALL {
        fields.push(Field::new(
            format!("{}_model", kind.as_str()),
            DataType::Utf8,
            true,
        ));
        fields.push(Field::new(
            format!("{}_firmware", kind.as_str()),
            DataType::Utf8,
            true,
        ));
    }
    fields
}

pub(super) fn set_columns<'a>(
    sets: impl Iterator<Item = &'a ConfigurationSet> + Clone,
) -> Vec<ArrayRef> {
    let text = |f: &dyn Fn(&ConfigurationSet) -> Option<String>| -> ArrayRef {
        Arc::new(sets.clone().map(f).collect::<StringArray>())
    };
    let mut columns = vec![
        text(&|s| Some(s.key())),
        text(&|s| Some(s.variant.to_string())),
        text(&|s| Some(s.firmware.to_string())),
    ];
    for kind in HanDeviceKind::ALL {
        columns.push(text(&|s| s.devices.get(kind).map(|d| d.model.clone())));
        columns.push(text(&|s| s.devices.get(kind).map(|d| d.firmware.clone())));
    }
    columns
}

pub(super) fn count_fields(names: &[&str]) -> Vec<Field> {
    names
        .iter()
        .map(|n| Field::new(*n, DataType::UInt64, false))
        .collect()
}
