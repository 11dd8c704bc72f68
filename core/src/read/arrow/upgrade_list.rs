//! The CSP's whole upgrade list as one record batch.

use std::sync::Arc;

use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use super::{batch, dict_field, dictionary, variants, SetKeys, Versions};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::Region;
use crate::model::state::State;
use crate::read::upgrade_list::UpgradeList;

/// The schema of [`State::upgrade_list_arrow`].
pub fn upgrade_list_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::UInt64, false),
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
    /// the same order) as one record batch: `hub` (the EUI-64 as an unsigned 64-bit integer;
    /// `HubId::from_u64` or the bindings' `hub_text` give the canonical text), `campaign`,
    /// `next_version`, `target`, `nominated`, the hub's `variant` and current `firmware`, and
    /// its `configuration_set` (the set's key, as `configuration_sets_arrow` names it). Refused
    /// as the paged list is: only that region's CSP and the DCC. Worked out from the estate;
    /// `Engine::query_arrow` answers the same from the list it maintains.
    pub fn upgrade_list_arrow(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<RecordBatch, Error> {
        let list = self.upgrade_rows(actor, region, at)?;
        self.upgrade_list_batch(&list)
    }

    /// A whole list as one record batch: a pass over its rows, reading each hub's record once.
    pub(crate) fn upgrade_list_batch(&self, list: &UpgradeList) -> Result<RecordBatch, Error> {
        let n = list.len();
        let mut hub = Vec::with_capacity(n);
        let mut campaign = Vec::with_capacity(n);
        let mut next = Vec::with_capacity(n);
        let mut target = Vec::with_capacity(n);
        let mut nominated = BooleanBufferBuilder::new(n);
        let mut variant = Vec::with_capacity(n);
        let mut firmware = Vec::with_capacity(n);
        let mut config = Vec::with_capacity(n);
        let versions = Versions::of(self);
        let targets: Vec<i32> = list
            .campaigns
            .iter()
            .map(|(_, t)| versions.key(*t))
            .collect();
        let hubs = &self.estate.hubs;
        for row in list.rows_from(0) {
            let h = &hubs[row.pos as usize];
            hub.push(row.hub.as_u64());
            campaign.push(i32::from(row.campaign));
            next.push(versions.key(row.next));
            target.push(targets[usize::from(row.campaign)]);
            nominated.append(row.nominated());
            variant.push(usize::from(h.variant) as i32);
            firmware.push(versions.key(h.firmware));
            config.push(h.config);
        }
        let mut used = SetKeys::unused(self);
        for &c in &config {
            used[c as usize] = true;
        }
        let sets = SetKeys::of(self, &used);
        let config: Vec<i32> = config.into_iter().map(|c| sets.key(c)).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(hub)),
            dictionary(
                campaign,
                list.campaigns.iter().map(|(c, _)| c.to_string()).collect(),
            )?,
            versions.column(next)?,
            versions.column(target)?,
            Arc::new(BooleanArray::new(nominated.finish(), None)),
            dictionary(variant, variants(self))?,
            versions.column(firmware)?,
            sets.column(config)?,
        ];
        batch(upgrade_list_schema(), columns)
    }
}
