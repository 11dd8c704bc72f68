//! The model's state: the aggregate's data and the lookups scoped to an asker that every layer
//! uses. Its two functions are the write side's: `State::decide` (`write/command.rs`: command
//! to events, or a refusal; never mutates) and `State::apply` (`write/apply.rs`: event to state
//! change). Queries are the read side's (`crate::read`), also as methods on `State`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::kernel::error::Entity;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId};
use crate::model::campaigns::Campaign;
use crate::model::catalogue::Catalogue;
use crate::model::defects::DefectFlag;
use crate::model::estate::{CustomerIdx, Estate, HubRecord, NO_CUSTOMER};
use crate::model::notices::Recipient;

/// Everything the model knows. `Clone + PartialEq` so tests can check that a refused command
/// changed nothing and that a replay rebuilds the same state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub(crate) catalogue: Catalogue,
    pub(crate) estate: Estate,
    pub(crate) campaigns: BTreeMap<CampaignId, Campaign>,
    /// Sequence number of the last applied event (0 before any).
    pub(crate) last_seq: u64,
    /// Time of the last applied event: commands may not go back before it.
    pub(crate) last_at: Option<DateTime<Utc>>,
    /// Defect flags, oldest first (ids are digests of the flag: see `defects::flag_id`).
    pub(crate) defects: Vec<DefectFlag>,
    /// The ids of withdrawn defect flags: no longer shown, never given again.
    pub(crate) withdrawn_flags: std::collections::BTreeSet<i64>,
    /// The keys registered for signing acts, and each party's last act counter.
    pub(crate) keys: crate::model::keys::KeyRegistry,
    /// Every party's business rules and what their acts left in force (docs/rules.md).
    pub(crate) rules: crate::model::rules::Rules,
    /// The Deployed Products List's history: each day's moves (docs/domain.md decision 18).
    pub(crate) dpl: crate::model::dpl::DplHistory,
    /// Which customer was told of which set the industry is leaving, and when.
    pub(crate) trends: crate::model::trends::TrendNotices,
    /// Since when each hub's firmware is known (its load, a read-back): the lower bound of a
    /// read-back's time.
    pub(crate) firmware_known: crate::model::estate::FirmwareKnown,
}

impl State {
    pub fn new() -> Self {
        State::default()
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    pub fn last_event_at(&self) -> Option<DateTime<Utc>> {
        self.last_at
    }

    pub fn hub_count(&self) -> usize {
        self.estate.hubs.len()
    }

    /// Bytes held by the estate's dense tables (hub records, the id index and each customer's
    /// hub positions), for sizing.
    pub fn estate_bytes(&self) -> usize {
        let records = self.estate.hubs.capacity() * std::mem::size_of::<HubRecord>();
        records + self.estate.index.bytes() + self.estate.customer_hubs.bytes()
    }

    /// Whether each customer's indexed hub positions are exactly the hubs it supplies (derived
    /// data kept by hand, so the property tests check it after every step and restore).
    #[doc(hidden)]
    pub fn customer_hubs_agree(&self) -> Result<(), String> {
        self.estate.customer_hubs_agree()
    }

    /// Configuration set `config` (the estate's code) in its public form.
    pub(crate) fn configuration_set(&self, config: u32) -> crate::model::estate::ConfigurationSet {
        let set = self.estate.configs.resolve(config);
        crate::model::estate::ConfigurationSet {
            variant: self.catalogue.variant(set.variant).id.clone(),
            firmware: self.catalogue.fw(set.firmware).version.clone(),
            devices: self.estate.devices_of(config),
        }
    }

    /// The customer index of `actor` when it is a customer known to the estate.
    pub(crate) fn customer_of(&self, actor: &Actor) -> Option<CustomerIdx> {
        actor
            .as_customer()
            .and_then(|c| self.estate.customer_idx(c))
    }

    /// The hub at `id` as `actor` may address it: a customer gets `NotFound` both for an
    /// unknown hub and for one it does not supply, so that it learns nothing of others' hubs.
    pub(crate) fn hub_for(&self, actor: &Actor, id: HubId) -> Result<(usize, &HubRecord), Error> {
        let not_found = || Error::not_found(Entity::Hub, id);
        let pos = self.estate.position(id).ok_or_else(not_found)?;
        let hub = &self.estate.hubs[pos];
        match actor {
            Actor::Dcc => Ok((pos, hub)),
            Actor::Csp(region) => {
                if self.catalogue.variant(hub.variant).region == *region {
                    Ok((pos, hub))
                } else {
                    Err(not_found())
                }
            }
            Actor::Customer(_) => match self.customer_of(actor) {
                Some(c) if c != NO_CUSTOMER && hub.is_supplied_by(c) => Ok((pos, hub)),
                _ => Err(not_found()),
            },
            // The system reads nothing.
            Actor::System => Err(not_found()),
        }
    }

    /// The outbox key of `actor` (None: a customer the estate does not know, with no outbox).
    /// The party a notification for `to` reaches (a feed is kept under its code).
    pub(crate) fn actor_of(&self, to: Recipient) -> Option<Actor> {
        match to {
            Recipient::Dcc => Some(Actor::Dcc),
            Recipient::Csp(r) => Some(Actor::Csp(r)),
            Recipient::Customer(c) => self.estate.customer(c).cloned().map(Actor::Customer),
        }
    }

    pub(crate) fn recipient_of(&self, actor: &Actor) -> Option<Recipient> {
        match actor {
            Actor::Dcc => Some(Recipient::Dcc),
            Actor::Csp(r) => Some(Recipient::Csp(*r)),
            Actor::Customer(_) => self.customer_of(actor).map(Recipient::Customer),
            Actor::System => None,
        }
    }

    pub(crate) fn campaign_for(&self, actor: &Actor, id: &CampaignId) -> Result<&Campaign, Error> {
        let campaign = self
            .campaigns
            .get(id)
            .ok_or_else(|| Error::not_found(Entity::Campaign, id))?;
        // A CSP sees the campaigns of its own region only; the system reads nothing.
        let visible = match actor {
            Actor::Csp(region) => self.catalogue.variant(campaign.variant).region == *region,
            Actor::System => false,
            Actor::Dcc | Actor::Customer(_) => true,
        };
        if !visible {
            return Err(Error::not_found(Entity::Campaign, id));
        }
        Ok(campaign)
    }
}
