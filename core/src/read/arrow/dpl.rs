//! The Deployed Products List over time and the industry's shares as rows: a row per day and
//! set, so a frame pivots or plots them at once. The same scope, refusals and values as the
//! typed answers (`State::dpl_history`, `State::industry_shares`).

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;

use super::{batch, dict_field, dictionary, nullable_dict_field, nullable_dictionary};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::model::state::State;

/// The label of the row that stands for the sets merged as "other".
pub const OTHER_LABEL: &str = "other";

/// The schema of [`State::dpl_history_arrow`].
pub fn dpl_history_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("day", DataType::Date32, false),
        dict_field("configuration_set"),
        dict_field("label"),
        Field::new("hubs", DataType::Int64, false),
    ]))
}

/// The schema of [`State::industry_shares_arrow`].
pub fn industry_shares_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("day", DataType::Date32, false),
        dict_field("variant"),
        Field::new("as_of", DataType::Date32, false),
        nullable_dict_field("configuration_set"),
        dict_field("label"),
        Field::new("share_bp", DataType::Int32, false),
    ]))
}

/// Days since 1970-01-01, as Arrow's `Date32` counts them.
fn date32(day: NaiveDate) -> i32 {
    (day - chrono::DateTime::UNIX_EPOCH.date_naive()).num_days() as i32
}

/// Interns `value` in `values`, returning its key.
fn key(
    values: &mut Vec<String>,
    index: &mut std::collections::HashMap<String, i32>,
    value: &str,
) -> i32 {
    if let Some(&k) = index.get(value) {
        return k;
    }
    let k = values.len() as i32;
    values.push(value.to_string());
    index.insert(value.to_string(), k);
    k
}

impl State {
    /// [`State::dpl_history`] as one batch: a row per day and set with hubs on it, in the same
    /// order: `day`, `configuration_set` (its key), `label`, `hubs`. Built from the set codes,
    /// each set's text once: the form for long ranges.
    pub fn dpl_history_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<RecordBatch, Error> {
        let table = self.dpl_table(actor, customer, from, to)?;
        let rows: usize = table.days.iter().map(|(_, c)| c.len()).sum();
        let (mut day, mut keys, mut hubs) = (
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
        );
        for (d, counts) in &table.days {
            let d = date32(*d);
            for &(i, n) in counts {
                day.push(d);
                keys.push(i as i32);
                hubs.push(n);
            }
        }
        let set_keys: Vec<String> = table.sets.iter().map(|s| s.key()).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(day)),
            dictionary(keys.clone(), set_keys)?,
            dictionary(keys, table.labels)?,
            Arc::new(Int64Array::from(hubs)),
        ];
        batch(dpl_history_schema(), columns)
    }

    /// [`State::industry_shares`] as one batch: a row per day, variant and set shown, then one
    /// for "other" where there is one (`configuration_set` null, `label` "other"): `day`,
    /// `variant`, `as_of`, `configuration_set`, `label`, `share_bp`.
    pub fn industry_shares_arrow(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<RecordBatch, Error> {
        let days = self.industry_shares(actor, from, to)?;
        let (mut day, mut as_of, mut share) = (Vec::new(), Vec::new(), Vec::new());
        let (mut variant_keys, mut variants, mut variant_index) =
            (Vec::new(), Vec::new(), Default::default());
        let (mut set_keys, mut sets, mut set_index) = (Vec::new(), Vec::new(), Default::default());
        let (mut label_keys, mut labels, mut label_index) =
            (Vec::new(), Vec::new(), Default::default());
        for d in &days {
            for v in &d.variants {
                let variant = key(&mut variants, &mut variant_index, v.variant.as_str());
                let rows = v
                    .sets
                    .iter()
                    .map(|s| (Some(&s.configuration_set), s.label.as_str(), s.share_bp))
                    .chain(v.other_bp.map(|bp| (None, OTHER_LABEL, bp)));
                for (set, label, bp) in rows {
                    day.push(date32(d.day));
                    variant_keys.push(variant);
                    as_of.push(date32(v.as_of));
                    set_keys.push(set.map(|s| key(&mut sets, &mut set_index, &s.key())));
                    label_keys.push(key(&mut labels, &mut label_index, label));
                    share.push(bp);
                }
            }
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(day)),
            dictionary(variant_keys, variants)?,
            Arc::new(Date32Array::from(as_of)),
            nullable_dictionary(set_keys, sets)?,
            dictionary(label_keys, labels)?,
            Arc::new(Int32Array::from(share)),
        ];
        batch(industry_shares_schema(), columns)
    }
}
