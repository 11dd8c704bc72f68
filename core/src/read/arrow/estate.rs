//! A customer's estate, hub by hub, as the row view shows it.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Date32Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{
    batch, dict_field, dictionary, empty, nullable_dict_field, nullable_dictionary, variants,
    SetKeys, Versions,
};
use super::{count_fields, set_columns, set_fields};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, Region};
use crate::model::estate::{HubRecord, SmiStatus, SupplyRole, NO_CUSTOMER, NO_DATE};
use crate::model::state::State;
use arrow_array::{StringArray, UInt64Array};

/// The schema of [`State::customer_estate_arrow`].
pub fn customer_estate_schema() -> SchemaRef {
    let flag = |name: &str| Field::new(name, DataType::Boolean, true);
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::UInt64, false),
        dict_field("region"),
        dict_field("variant"),
        dict_field("firmware"),
        dict_field("smi_status"),
        nullable_dict_field("import_supplier"),
        dict_field("import_visibility"),
        nullable_dict_field("gas_supplier"),
        dict_field("gas_visibility"),
        flag("import_vulnerable"),
        flag("import_high_risk"),
        flag("import_super_friendly"),
        flag("gas_vulnerable"),
        flag("gas_high_risk"),
        flag("gas_super_friendly"),
        Field::new("split_supply", DataType::Boolean, false),
        Field::new("installed_on", DataType::Date32, false),
        Field::new("commissioned_on", DataType::Date32, true),
        dict_field("configuration_set"),
    ]))
}

/// A supply role's visibility, as `SupplierView` names it: keys into [`visibilities`].
const VACANT: i32 = 0;
const HIDDEN: i32 = 1;
const KNOWN: i32 = 2;

fn visibilities() -> Vec<String> {
    ["vacant", "hidden", "known"].map(String::from).to_vec()
}

/// Days from 0001-01-01 (the estate's dates) to 1970-01-01 (Arrow's `Date32`).
const EPOCH_FROM_CE: i32 = 719_163;

/// One core's share of a customer's estate: its hubs, then their batch.
struct Share<'a> {
    mine: Vec<&'a HubRecord>,
    batch: Option<Result<RecordBatch, Error>>,
}

/// The rows of each batch of a customer's estate frame (the last batch holds the rest).
pub const ESTATE_BATCH_ROWS: usize = 65_536;

impl State {
    /// Every hub `customer` supplies, in estate order, as record batches (of
    /// [`ESTATE_BATCH_ROWS`] rows, the last fewer; one, empty, when there is nothing: the split
    /// follows the customer's own hub count alone, never the estate's size or the machine's
    /// cores, which would show the industry's size through the frame's shape): the columns of
    /// [`crate::read::HubView`] flattened, shown as that view shows them to `actor`: each
    /// role's `*_visibility` is `known`, `hidden` (somebody holds the role whom the asker may
    /// not know) or `vacant`, as `SupplierView` says, and its `*_supplier` the id where known,
    /// else null (a separate column, so that no customer id can be taken for a visibility); a
    /// role's consumer flags are null unless the asker is the DCC or that role's supplier. Scoped as `customer_estate`: the DCC for
    /// anyone, a customer for itself, a CSP never.
    pub fn customer_estate_arrow(
        &self,
        actor: &Actor,
        customer: &CustomerId,
    ) -> Result<Vec<RecordBatch>, Error> {
        let Some(idx) = self.scope_customer(actor, customer)? else {
            return Ok(vec![empty(customer_estate_schema())?]);
        };
        // Pass one, a core per share of the estate: the customer's hubs and the sets they are on.
        let hubs = &self.estate.hubs;
        let mut shares: Vec<(Vec<&HubRecord>, Vec<bool>)> =
            crate::kernel::par::scan(hubs.len(), |range| {
                let mut used = SetKeys::unused(self);
                let mine: Vec<&HubRecord> = self
                    .estate
                    .scope_in(Some(idx), range)
                    .map(|p| &hubs[p])
                    .inspect(|h| used[h.config as usize] = true)
                    .collect();
                vec![(mine, used)]
            });
        let mut used = SetKeys::unused(self);
        for (_, share) in &shares {
            for (u, s) in used.iter_mut().zip(share) {
                *u |= s;
            }
        }
        let sets = SetKeys::of(self, &used);
        let versions = Versions::of(self);
        // Pass two: a batch per ESTATE_BATCH_ROWS of the customer's hubs, in estate order, built
        // on the pool's threads.
        let mine: Vec<&HubRecord> = shares.drain(..).flat_map(|(mine, _)| mine).collect();
        let mut built: Vec<Share> = mine
            .chunks(ESTATE_BATCH_ROWS)
            .map(|rows| Share {
                mine: rows.to_vec(),
                batch: None,
            })
            .collect();
        if built.is_empty() {
            built.push(Share {
                mine: Vec::new(),
                batch: None,
            });
        }
        crate::kernel::par::for_each(&mut built, hubs.len(), |share| {
            share.batch = Some(self.estate_batch(actor, &share.mine, &sets, &versions));
        });
        built.into_iter().filter_map(|share| share.batch).collect()
    }

    /// The estate columns of `mine`, as `actor` may see them.
    fn estate_batch(
        &self,
        actor: &Actor,
        mine: &[&HubRecord],
        sets: &SetKeys,
        versions: &Versions,
    ) -> Result<RecordBatch, Error> {
        let me = self.customer_of(actor);
        let n = mine.len();
        // The supplier dictionary holds only names the asker may read: every customer for the
        // DCC; for a customer, itself (a dictionary of every supplier would name the others
        // even where no row points at them).
        let dcc = matches!(actor, Actor::Dcc);
        let supplier_values: Vec<String> = if dcc {
            (0..self.estate.customers.len())
                .map(|i| self.estate.customers.resolve(i as u32).to_string())
                .collect()
        } else {
            vec![me
                .and_then(|m| self.estate.customer(m))
                .map_or_else(String::new, |c| c.to_string())]
        };
        // (visibility key into VISIBILITY, supplier key where known).
        let supplier_key = |h: &HubRecord, role: SupplyRole| -> (i32, Option<i32>) {
            let s = h.supplier(role);
            match (s == NO_CUSTOMER, dcc, me == Some(s)) {
                (true, _, _) => (VACANT, None),
                (false, true, _) => (KNOWN, Some(u32::from(s) as i32)),
                (false, false, true) => (KNOWN, Some(0)),
                (false, false, false) => (HIDDEN, None),
            }
        };
        let shows_flags = |h: &HubRecord, role: SupplyRole| {
            matches!(actor, Actor::Dcc) || me.is_some_and(|m| h.supplier(role) == m)
        };
        let mut hub: Vec<u64> = Vec::with_capacity(n);
        let (mut region, mut variant, mut firmware, mut smi) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut import, mut gas) = (
            (Vec::with_capacity(n), Vec::with_capacity(n)),
            (Vec::with_capacity(n), Vec::with_capacity(n)),
        );
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
            hub.push(h.id.as_u64());
            region.push(region_of[usize::from(h.variant)]);
            variant.push(usize::from(h.variant) as i32);
            firmware.push(versions.key(h.firmware));
            // The dictionary below lists SmiStatus::ALL, in declaration order (`repr(u8)`).
            smi.push(h.smi as i32);
            for (role, (seen, who)) in [SupplyRole::Import, SupplyRole::Gas]
                .into_iter()
                .zip([&mut import, &mut gas])
            {
                let (v, s) = supplier_key(h, role);
                seen.push(v);
                who.push(s);
            }
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
            config.push(sets.key(h.config));
        }
        let [f0, f1, f2, f3, f4, f5] = flags;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(hub)),
            dictionary(region, Region::ALL.iter().map(|r| r.to_string()).collect())?,
            dictionary(variant, variants(self))?,
            versions.column(firmware)?,
            dictionary(
                smi,
                SmiStatus::ALL
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            )?,
            nullable_dictionary(import.1, supplier_values.clone())?,
            dictionary(import.0, visibilities())?,
            nullable_dictionary(gas.1, supplier_values)?,
            dictionary(gas.0, visibilities())?,
            Arc::new(BooleanArray::from(f0)),
            Arc::new(BooleanArray::from(f1)),
            Arc::new(BooleanArray::from(f2)),
            Arc::new(BooleanArray::from(f3)),
            Arc::new(BooleanArray::from(f4)),
            Arc::new(BooleanArray::from(f5)),
            Arc::new(BooleanArray::from(split)),
            Arc::new(Date32Array::from(installed)),
            Arc::new(Date32Array::from(commissioned)),
            sets.column(config)?,
        ];
        batch(customer_estate_schema(), columns)
    }
}

/// The schema of [`State::configuration_sets_arrow`].
pub fn configuration_sets_schema() -> SchemaRef {
    let mut fields = set_fields();
    fields.extend(count_fields(&["hubs"]));
    Arc::new(Schema::new(fields))
}

/// The schema of [`State::estate_by_firmware_arrow`].
pub fn estate_by_firmware_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("variant", DataType::Utf8, false),
        Field::new("version", DataType::Utf8, false),
        Field::new("hubs", DataType::UInt64, false),
    ]))
}

impl State {
    /// [`State::configuration_sets`] as one batch, in the same order: each set's key, variant,
    /// firmware, HAN devices (`esme_model`, `esme_firmware`, ... `ihd_firmware`) and `hubs`.
    pub fn configuration_sets_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RecordBatch, Error> {
        let rows = self.configuration_sets(actor, customer)?;
        let mut columns = set_columns(rows.iter().map(|r| &r.configuration_set));
        columns.push(Arc::new(
            rows.iter()
                .map(|r| r.hubs.unsigned_abs())
                .collect::<UInt64Array>(),
        ));
        batch(configuration_sets_schema(), columns)
    }

    /// [`State::estate_by_firmware`] as one batch: `variant`, `version`, `hubs`.
    pub fn estate_by_firmware_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RecordBatch, Error> {
        let rows = self.estate_by_firmware(actor, customer)?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.variant.to_string()))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.version.to_string()))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| r.hubs.unsigned_abs())
                    .collect::<UInt64Array>(),
            ),
        ];
        batch(estate_by_firmware_schema(), columns)
    }
}
