//! Event to state change. Live events were checked by `decide`; replayed ones come from a file
//! and may be anything, so `apply` never panics: a reference it cannot resolve, or a bulk load
//! with a bad row, is an error before anything of that event is changed.

use crate::kernel::error::{Entity, Error};
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::model::campaigns::Campaign;
use crate::model::estate::{ConfigurationSet, CustomerIdx, EstateTable};
use crate::model::participation::Consents;
use crate::model::state::State;
use crate::write::event::Event;

impl State {
    /// Applies one event read from a log, verifying it can be applied. A failure names the
    /// event's sequence number in a [`Error::CorruptLog`] and leaves the state as it was.
    pub fn apply(&mut self, event: &Event) -> Result<(), Error> {
        self.apply_checked(event, true).map_err(|e| match e {
            Error::CorruptLog { .. } => e,
            other => Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "event {} ({}) cannot be applied: {other}",
                    event.seq,
                    event.payload.type_name()
                ),
            },
        })
    }

    /// Applies an event just produced by `decide` on this state (its checks already ran).
    pub(crate) fn apply_decided(&mut self, event: &Event) -> Result<(), Error> {
        self.apply_checked(event, false)
    }

    pub(super) fn apply_checked(&mut self, event: &Event, verify: bool) -> Result<(), Error> {
        if event.seq != self.last_seq + 1 {
            return Err(Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "expected event {} next, found event {}",
                    self.last_seq + 1,
                    event.seq
                ),
            });
        }
        // No check that times go forward: the log is ordered by sequence number, and where
        // several writers share a store each stamps with its own clock (docs/domain.md decision 20).
        if verify {
            // A log's event must be within the bounds a command is held to.
            event_texts(&event.payload)?;
            // A log's event must be one its recorded actor could have produced.
            event
                .payload
                .recorded_by_each(self, &event.actor)
                .map_err(|why| {
                    Error::not_permitted(&event.actor, event.payload.type_name(), why)
                })?;
        }
        event.payload.apply_each(self, event, verify)?;
        // What the event moved in the Deployed Products List, on its GB local day (a fact with
        // its own time was recorded on its own day as it was applied).
        self.record_moves_on(event.at);
        if let Some(act) = &event.act {
            self.keys.counters.insert(act.by.clone(), act.n);
        }
        self.last_seq = event.seq;
        self.last_at = Some(event.at);
        Ok(())
    }

    /// Records what the estate moved since the last record in the Deployed Products List, on
    /// `at`'s GB local day, and tells the trend memo that day moved.
    pub(super) fn record_moves_on(&mut self, at: chrono::DateTime<chrono::Utc>) {
        let day = crate::model::estate::days_from_date(crate::kernel::civil_time::day_of(at));
        self.dpl.record(day, &mut self.estate.dpl_moves);
        self.trends.moved(day);
    }

    pub(super) fn position(&self, hub: HubId) -> Result<usize, Error> {
        self.estate
            .position(hub)
            .ok_or_else(|| Error::not_found(Entity::Hub, hub))
    }

    /// Loads hubs at `at`; from a log, only after every hub was checked as `decide` checks them.
    pub(super) fn apply_load(
        &mut self,
        table: &EstateTable,
        at: chrono::DateTime<chrono::Utc>,
        verify: bool,
    ) -> Result<(), Error> {
        if verify {
            self.check_load(table)?;
        }
        let first = u32::try_from(self.estate.hubs.len()).unwrap_or(u32::MAX);
        self.estate.insert_table(&self.catalogue, table)?;
        self.firmware_known.added(first, at);
        Ok(())
    }
}

impl State {
    /// The positions of `hubs`, each of which must be in the estate.
    pub(super) fn positions(&self, hubs: &[HubId]) -> Result<Vec<u32>, Error> {
        hubs.iter()
            .map(|h| self.position(*h).map(|p| p as u32))
            .collect()
    }

    /// The interned ids of `sets`, each of which must be a set of the estate.
    pub(super) fn config_refs(&self, sets: &[ConfigurationSet]) -> Result<Vec<u32>, Error> {
        sets.iter()
            .map(|set| {
                self.find_config(set)
                    .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))
            })
            .collect()
    }

    /// The consents of a campaign the caller resolved first.
    pub(super) fn consents_mut(&mut self, campaign: &CampaignId) -> &mut Consents {
        // Present: checked by the caller before any change.
        &mut self
            .campaigns
            .get_mut(campaign)
            .expect("campaign checked present")
            .consents
    }
}

/// Every text of a recorded event within [`crate::kernel::limits::MAX_TEXT_BYTES`], the most any command may carry,
/// or an `invalid_input` naming the field's path: replay refuses what no command could have
/// recorded (a 1 MB hold reason, say). A bulk load's texts are its rows' ids and versions,
/// parsed and checked as the load's own rows, so it is not walked here.
fn event_texts(
    payload: &crate::write::event::EventPayload,
) -> Result<(), crate::kernel::error::Error> {
    if matches!(payload, crate::write::event::EventPayload::EstateLoaded(_)) {
        return Ok(());
    }
    let value = serde_json::to_value(payload)
        .map_err(|e| crate::kernel::error::Error::invalid_input("event", e.to_string()))?;
    texts_within(&value, &mut String::new())
}

fn texts_within(
    value: &serde_json::Value,
    path: &mut String,
) -> Result<(), crate::kernel::error::Error> {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            crate::kernel::limits::text(if path.is_empty() { "event" } else { path }, s)
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let r = texts_within(v, path);
            path.truncate(len);
            r
        }),
        Value::Object(fields) => fields.iter().try_for_each(|(k, v)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let r = texts_within(v, path);
            path.truncate(len);
            r
        }),
        _ => Ok(()),
    }
}

impl State {
    pub(super) fn campaign_ref(&self, id: &CampaignId) -> Result<&Campaign, Error> {
        self.campaigns
            .get(id)
            .ok_or_else(|| Error::not_found(Entity::Campaign, id))
    }

    pub(super) fn campaign_mut(&mut self, id: &CampaignId) -> &mut Campaign {
        // Present: every caller resolved it first.
        self.campaigns
            .get_mut(id)
            .expect("campaign checked present")
    }

    pub(super) fn customer_ref(&self, id: &CustomerId) -> Result<CustomerIdx, Error> {
        self.estate
            .customer_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Customer, id))
    }

    pub(super) fn config_ref(&self, set: &ConfigurationSet) -> Result<u32, Error> {
        self.find_config(set)
            .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))
    }
}
