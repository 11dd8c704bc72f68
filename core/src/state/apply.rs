//! Event to state change. Live events were checked by `decide`; replayed ones come from a file
//! and may be anything, so `apply` never panics: a reference it cannot resolve, or a bulk load
//! with a bad row, is an error before anything of that event is changed.

use super::State;
use crate::error::Entity;
use crate::estate::ConfigurationSet;
use crate::estate::EstateTable;
use crate::event::Event;
use crate::ids::CampaignId;
use crate::ids::HubId;
use crate::participation::Consents;
use crate::Error;

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
        // several writers share a store each stamps with its own clock (DOMAIN.md decision 20).
        if verify {
            // A log's event must be one its recorded actor could have produced.
            event
                .payload
                .recorded_by_each(self, &event.actor)
                .map_err(|why| {
                    Error::not_permitted(&event.actor, event.payload.type_name(), why)
                })?;
        }
        event.payload.apply_each(self, event, verify)?;
        self.last_seq = event.seq;
        self.last_at = Some(event.at);
        Ok(())
    }

    pub(super) fn position(&self, hub: HubId) -> Result<usize, Error> {
        self.estate
            .position(hub)
            .ok_or_else(|| Error::not_found(Entity::Hub, hub))
    }

    /// Loads hubs; from a log, only after every hub was checked as `decide` checks them.
    pub(super) fn apply_load(&mut self, table: &EstateTable, verify: bool) -> Result<(), Error> {
        if verify {
            self.check_load(table)?;
        }
        self.estate.insert_table(&self.catalogue, table)
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
