//! The CSP's whole upgrade list as one record batch.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use super::{batch, dict_field, dictionary, variants, SetKeys, Versions};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::Region;
use crate::model::state::State;

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
        dict_field("configuration_set"),
    ]))
}

impl State {
    /// The whole upgrade list of `region` at `at` (the rows [`State::upgrade_list`] pages, in
    /// the same order) as one record batch: `hub` (canonical text), `campaign`,
    /// `next_version`, `target`, `nominated`, the hub's `variant` and current `firmware`, and
    /// its `configuration_set` (the set's key, as `configuration_sets_arrow` names it). Refused
    /// as the paged list is: only that region's CSP and the DCC.
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
        let mut used = SetKeys::unused(self);
        for row in &list.rows {
            used[row.hub.config as usize] = true;
        }
        let sets = SetKeys::of(self, &used);
        let mut config = Vec::with_capacity(n);
        let versions = Versions::of(self);
        let targets: Vec<i32> = list
            .campaigns
            .iter()
            .map(|c| versions.key(c.target))
            .collect();
        for row in &list.rows {
            let h = &row.hub;
            // Canonical hex digits and dashes: always ASCII.
            let text = h.id.canonical_bytes();
            hub.append_value(std::str::from_utf8(&text).unwrap_or_default());
            campaign.push(row.campaign as i32);
            next.push(versions.key(row.next));
            target.push(targets[row.campaign]);
            nominated.push(row.nominated);
            variant.push(usize::from(h.variant) as i32);
            firmware.push(versions.key(h.firmware));
            config.push(sets.key(h.config));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(hub.finish()),
            dictionary(
                campaign,
                list.campaigns.iter().map(|c| c.id.to_string()).collect(),
            )?,
            versions.column(next)?,
            versions.column(target)?,
            Arc::new(BooleanArray::from(nominated)),
            dictionary(variant, variants(self))?,
            versions.column(firmware)?,
            sets.column(config)?,
        ];
        batch(upgrade_list_schema(), columns)
    }
}
