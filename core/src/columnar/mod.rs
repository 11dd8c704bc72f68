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
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Int32Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::estate::{HubRecord, SmiStatus, SupplyRole, NO_CUSTOMER, NO_DATE};
use crate::ids::{CustomerId, Region};
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

/// The schema of [`State::customer_estate_arrow`].
pub fn customer_estate_schema() -> SchemaRef {
    let flag = |name: &str| Field::new(name, DataType::Boolean, true);
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::Utf8, false),
        dict_field("region"),
        dict_field("variant"),
        dict_field("firmware"),
        dict_field("smi_status"),
        Field::new_dictionary("import_supplier", DataType::Int32, DataType::Utf8, true),
        Field::new_dictionary("gas_supplier", DataType::Int32, DataType::Utf8, true),
        flag("import_vulnerable"),
        flag("import_high_risk"),
        flag("import_super_friendly"),
        flag("gas_vulnerable"),
        flag("gas_high_risk"),
        flag("gas_super_friendly"),
        Field::new("split_supply", DataType::Boolean, false),
        Field::new("installed_on", DataType::Date32, false),
        Field::new("commissioned_on", DataType::Date32, true),
        Field::new("configuration_set", DataType::UInt32, false),
    ]))
}

/// Days from 0001-01-01 (the estate's dates) to 1970-01-01 (Arrow's `Date32`).
const EPOCH_FROM_CE: i32 = 719_163;

impl State {
    /// Every hub `customer` supplies, in estate order, as record batches (one per core's share
    /// of the estate; one, empty, when there is nothing): the columns of
    /// [`crate::query::HubView`] flattened, shown as that view shows them to `actor`: a
    /// supplier is its id when the asker may know it, `hidden` when somebody holds the role whom
    /// the asker may not know, null when nobody does; a role's consumer flags are null unless
    /// the asker is the DCC or that role's supplier. Scoped as `customer_estate`: the DCC for
    /// anyone, a customer for itself, a CSP never.
    pub fn customer_estate_arrow(
        &self,
        actor: &Actor,
        customer: &CustomerId,
    ) -> Result<Vec<RecordBatch>, Error> {
        let Some(idx) = self.scope_customer(actor, customer)? else {
            let empty = RecordBatch::try_new(
                customer_estate_schema(),
                empty_columns(&customer_estate_schema()),
            )
            .map_err(arrow_error)?;
            return Ok(vec![empty]);
        };
        // One batch per core's share of the estate, built on that core, in estate order.
        let hubs = &self.estate.hubs;
        let batches: Vec<Result<RecordBatch, Error>> = crate::par::scan(hubs.len(), |range| {
            let mine: Vec<&HubRecord> = hubs[range]
                .iter()
                .filter(|h| h.is_supplied_by(idx))
                .collect();
            vec![self.estate_batch(actor, &mine)]
        });
        batches.into_iter().collect()
    }

    /// The estate columns of `mine`, as `actor` may see them.
    fn estate_batch(&self, actor: &Actor, mine: &[&HubRecord]) -> Result<RecordBatch, Error> {
        let me = self.customer_of(actor);
        let n = mine.len();
        // The supplier dictionary holds only names the asker may read: every customer for the
        // DCC; for a customer, itself and "hidden" (a dictionary of every supplier would name
        // the others even where no row points at them).
        let dcc = matches!(actor, Actor::Dcc);
        let (supplier_values, hidden): (Vec<String>, i32) = if dcc {
            let all = self.estate.customers.len();
            let names = (0..all)
                .map(|i| self.estate.customers.resolve(i as u32).to_string())
                .chain(std::iter::once("hidden".to_string()))
                .collect();
            (names, all as i32)
        } else {
            let own = me
                .and_then(|m| self.estate.customer(m))
                .map_or_else(String::new, |c| c.to_string());
            (vec![own, "hidden".into()], 1)
        };
        let supplier_key = |h: &HubRecord, role: SupplyRole| -> Option<i32> {
            let s = h.supplier(role);
            if s == NO_CUSTOMER {
                return None;
            }
            Some(match (dcc, me == Some(s)) {
                (true, _) => u32::from(s) as i32,
                (false, true) => 0,
                (false, false) => hidden,
            })
        };
        let shows_flags = |h: &HubRecord, role: SupplyRole| {
            matches!(actor, Actor::Dcc) || me.is_some_and(|m| h.supplier(role) == m)
        };
        let mut hub = StringBuilder::with_capacity(n, n * 23);
        let (mut region, mut variant, mut firmware, mut smi) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut import, mut gas) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut flags: [Vec<Option<bool>>; 6] = Default::default();
        let (mut split, mut installed, mut commissioned, mut config) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        // Each variant's region, looked up once rather than once a hub.
        let region_of: Vec<i32> = self
            .catalogue
            .variants
            .iter()
            .map(|v| {
                Region::ALL
                    .iter()
                    .position(|r| *r == v.region)
                    .unwrap_or_default() as i32
            })
            .collect();
        for &h in mine {
            let text = h.id.canonical_bytes();
            hub.append_value(std::str::from_utf8(&text).unwrap_or_default());
            region.push(region_of[usize::from(h.variant)]);
            variant.push(usize::from(h.variant) as i32);
            firmware.push(usize::from(h.firmware) as i32);
            // The dictionary below lists SmiStatus::ALL, in declaration order (`repr(u8)`).
            smi.push(h.smi as i32);
            import.push(supplier_key(h, SupplyRole::Import));
            gas.push(supplier_key(h, SupplyRole::Gas));
            for (r, role) in SupplyRole::ALL.iter().enumerate() {
                let shown = shows_flags(h, *role);
                let f = h.flags(*role);
                flags[r * 3].push(shown.then_some(f.vulnerable));
                flags[r * 3 + 1].push(shown.then_some(f.high_risk));
                flags[r * 3 + 2].push(shown.then_some(f.super_friendly));
            }
            split.push(h.is_split_supply());
            installed.push(h.installed - EPOCH_FROM_CE);
            commissioned.push((h.commissioned != NO_DATE).then(|| h.commissioned - EPOCH_FROM_CE));
            config.push(h.config);
        }
        let versions: Vec<String> = self
            .catalogue
            .firmware
            .iter()
            .map(|f| f.version.to_string())
            .collect();
        let nullable_dict = |keys: Vec<Option<i32>>| -> Result<ArrayRef, Error> {
            DictionaryArray::<Int32Type>::try_new(
                Int32Array::from(keys),
                Arc::new(StringArray::from(supplier_values.clone())),
            )
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(arrow_error)
        };
        let [f0, f1, f2, f3, f4, f5] = flags;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(hub.finish()),
            dictionary(region, Region::ALL.iter().map(|r| r.to_string()).collect())?,
            dictionary(
                variant,
                self.catalogue
                    .variants
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect(),
            )?,
            dictionary(firmware, versions)?,
            dictionary(
                smi,
                SmiStatus::ALL
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            )?,
            nullable_dict(import)?,
            nullable_dict(gas)?,
            Arc::new(BooleanArray::from(f0)),
            Arc::new(BooleanArray::from(f1)),
            Arc::new(BooleanArray::from(f2)),
            Arc::new(BooleanArray::from(f3)),
            Arc::new(BooleanArray::from(f4)),
            Arc::new(BooleanArray::from(f5)),
            Arc::new(BooleanArray::from(split)),
            Arc::new(Date32Array::from(installed)),
            Arc::new(Date32Array::from(commissioned)),
            Arc::new(UInt32Array::from(config)),
        ];
        RecordBatch::try_new(customer_estate_schema(), columns).map_err(arrow_error)
    }
}

/// Empty columns of `schema`.
fn empty_columns(schema: &Schema) -> Vec<ArrayRef> {
    schema
        .fields()
        .iter()
        .map(|f| arrow_array::new_empty_array(f.data_type()))
        .collect()
}
