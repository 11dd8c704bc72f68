//! Columnar answers (feature `arrow`): bulk views as Arrow record batches (arrow-rs), for
//! analysts' frames (Polars, pandas, DuckDB through the Python binding's PyCapsule stream) and
//! for Rust programs. Each answer is built straight from the dense tables: a hub is a few array
//! writes, no view object per hub. Text that repeats (campaign ids, versions, variants) is a
//! dictionary column: the catalogue's table once, an integer per hub.
//!
//! Scoped as the row views are: the same permission checks, the same rows.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Int32Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::ids::Region;
use crate::state::State;
use crate::Error;

/// A dictionary column: `keys` index `values`.
fn dictionary(keys: Vec<i32>, values: Vec<String>) -> Result<ArrayRef, Error> {
    let values = StringArray::from(values);
    DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), Arc::new(values))
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(arrow_error)
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

/// The schema of [`State::upgrade_list_arrow`].
pub fn upgrade_list_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::Utf8, false),
        dict_field("campaign"),
        dict_field("next_version"),
        dict_field("target"),
        Field::new("nominated", DataType::Boolean, false),
        dict_field("variant"),
        dict_field("firmware"),
        Field::new("configuration_set", DataType::UInt32, false),
    ]))
}

impl State {
    /// The whole upgrade list of `region` at `at` (the rows [`State::upgrade_list`] pages, in
    /// the same order) as one record batch: `hub` (canonical text), `campaign`,
    /// `next_version`, `target`, `nominated`, the hub's `variant` and current `firmware`, and
    /// its `configuration_set` (the code `configuration_sets` answers name). Refused as the
    /// paged list is: only that region's CSP and the DCC.
    pub fn upgrade_list_arrow(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<RecordBatch, Error> {
        let list = self.upgrade_rows(actor, region, at)?;
        let n = list.rows.len();
        // Hub ids as text: 23 bytes each, written once into one buffer.
        let mut hub = StringBuilder::with_capacity(n, n * 23);
        let mut campaign = Vec::with_capacity(n);
        let mut next = Vec::with_capacity(n);
        let mut target = Vec::with_capacity(n);
        let mut nominated = Vec::with_capacity(n);
        let mut variant = Vec::with_capacity(n);
        let mut firmware = Vec::with_capacity(n);
        let mut config = Vec::with_capacity(n);
        let targets: Vec<i32> = list
            .campaigns
            .iter()
            .map(|c| usize::from(c.target) as i32)
            .collect();
        for row in &list.rows {
            let h = &row.hub;
            // Canonical hex digits and dashes: always ASCII.
            let text = h.id.canonical_bytes();
            hub.append_value(std::str::from_utf8(&text).unwrap_or_default());
            campaign.push(row.campaign as i32);
            next.push(usize::from(row.next) as i32);
            target.push(targets[row.campaign]);
            nominated.push(row.nominated);
            variant.push(usize::from(h.variant) as i32);
            firmware.push(usize::from(h.firmware) as i32);
            config.push(h.config);
        }
        let versions = || -> Vec<String> {
            self.catalogue
                .firmware
                .iter()
                .map(|f| f.version.to_string())
                .collect()
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(hub.finish()),
            dictionary(
                campaign,
                list.campaigns.iter().map(|c| c.id.to_string()).collect(),
            )?,
            dictionary(next, versions())?,
            dictionary(target, versions())?,
            Arc::new(BooleanArray::from(nominated)),
            dictionary(
                variant,
                self.catalogue
                    .variants
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect(),
            )?,
            dictionary(firmware, versions())?,
            Arc::new(UInt32Array::from(config)),
        ];
        RecordBatch::try_new(upgrade_list_schema(), columns).map_err(arrow_error)
    }
}
