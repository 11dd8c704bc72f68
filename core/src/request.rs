//! Queries as data: every question an actor can ask, as one serde-tagged enum (like
//! [`crate::Command`]), answered by one entry, [`Engine::query`]. Bindings and conformance
//! runners call this one entry with the query's JSON instead of mapping each query by hand.
//!
//! The JSON form is the one the conformance scenarios use: `{"name": "explain", "campaign":
//! "C1", "hub": "00-...", "at": "2026-01-02T09:00:00Z"}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::catalogue::Variant;
use crate::defects::DefectView;
use crate::engine::Engine;
use crate::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::notify::NotificationPage;
use crate::participation::eligibility::Explanation;
use crate::query::ParticipationView;
use crate::query::UpgradePage;
use crate::query::{CampaignView, ConfigSetCount, FirmwareView, HubPage, HubView};
use crate::status::{FirmwareCount, PilotStatus, SetProgress};
use crate::Error;

fn thousand() -> u64 {
    1_000
}

/// One question, with its arguments. Every answer is scoped to the asking actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Query {
    Hub {
        hub: HubId,
    },
    CustomerEstate {
        customer: CustomerId,
    },
    /// A page of a customer's estate: at most `limit` (1 to 10 000) hubs after hub `after`
    /// (none: from the first), in estate order. Page on with the answer's `next`.
    CustomerEstatePage {
        customer: CustomerId,
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        after: Option<HubId>,
        #[serde(default = "thousand")]
        #[cfg_attr(feature = "uniffi", uniffi(default = 1000))]
        limit: u64,
    },
    /// A customer's sets with hub counts; without `customer`, the industry's (the DCC's only).
    ConfigurationSets {
        #[serde(default)]
        customer: Option<CustomerId>,
    },
    Campaign {
        campaign: CampaignId,
    },
    Campaigns {},
    Variants {},
    FirmwareVersions {
        variant: VariantId,
    },
    UpgradeRoute {
        variant: VariantId,
        from: FirmwareVersion,
        to: FirmwareVersion,
    },
    Explain {
        campaign: CampaignId,
        hub: HubId,
        at: DateTime<Utc>,
    },
    UpgradeList {
        region: Region,
        at: DateTime<Utc>,
        #[serde(default)]
        offset: u64,
        #[serde(default = "thousand")]
        limit: u64,
    },
    Participation {
        campaign: CampaignId,
        customer: CustomerId,
        at: DateTime<Utc>,
    },
    Participations {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    ProposePilot {
        campaign: CampaignId,
        size: u32,
        #[serde(default)]
        seed: u64,
        at: DateTime<Utc>,
    },
    PilotStatus {
        campaign: CampaignId,
    },
    CampaignProgress {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    /// Hubs by firmware: a customer's; without `customer`, the industry's (the DCC's only).
    EstateByFirmware {
        #[serde(default)]
        customer: Option<CustomerId>,
    },
    Notifications {
        #[serde(default = "thousand")]
        limit: u64,
    },
    DefectFlags {},
}

/// The answer to a [`Query`]: the view it asked for. Serialized as that view alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Answer {
    Hub(Box<HubView>),
    Hubs(Vec<HubView>),
    HubPage(HubPage),
    ConfigurationSets(Vec<ConfigSetCount>),
    Campaign(Box<CampaignView>),
    Campaigns(Vec<CampaignView>),
    Variants(Vec<Variant>),
    FirmwareVersions(Vec<FirmwareView>),
    Versions(Vec<FirmwareVersion>),
    Explanation(Explanation),
    UpgradePage(UpgradePage),
    Participation(Box<ParticipationView>),
    Participations(Vec<ParticipationView>),
    HubIds(Vec<HubId>),
    PilotStatus(PilotStatus),
    Progress(Vec<SetProgress>),
    EstateByFirmware(Vec<FirmwareCount>),
    Notifications(NotificationPage),
    DefectFlags(Vec<DefectView>),
}

impl Engine {
    /// Answers `query` as `actor` may see it: the one entry every binding and runner calls.
    pub fn query(&self, actor: &Actor, query: &Query) -> Result<Answer, Error> {
        let s = self.state();
        Ok(match query {
            Query::Hub { hub } => Answer::Hub(Box::new(s.hub(actor, *hub)?)),
            Query::CustomerEstate { customer } => Answer::Hubs(s.customer_estate(actor, customer)?),
            Query::CustomerEstatePage {
                customer,
                after,
                limit,
            } => Answer::HubPage(s.customer_estate_page(actor, customer, *after, *limit)?),
            Query::ConfigurationSets { customer } => {
                Answer::ConfigurationSets(s.configuration_sets(actor, customer.as_ref())?)
            }
            Query::Campaign { campaign } => {
                Answer::Campaign(Box::new(s.campaign(actor, campaign)?))
            }
            Query::Campaigns {} => Answer::Campaigns(s.campaigns(actor)),
            Query::Variants {} => Answer::Variants(s.variants(actor)),
            Query::FirmwareVersions { variant } => {
                Answer::FirmwareVersions(s.firmware_versions(actor, variant)?)
            }
            Query::UpgradeRoute { variant, from, to } => {
                Answer::Versions(s.upgrade_route(actor, variant, from, to)?)
            }
            Query::Explain { campaign, hub, at } => {
                Answer::Explanation(s.explain(actor, campaign, *hub, *at)?)
            }
            Query::UpgradeList {
                region,
                at,
                offset,
                limit,
            } => Answer::UpgradePage(s.upgrade_list(actor, *region, *at, *offset, *limit)?),
            Query::Participation {
                campaign,
                customer,
                at,
            } => Answer::Participation(Box::new(s.participation(actor, campaign, customer, *at)?)),
            Query::Participations { campaign, at } => {
                Answer::Participations(s.participations(actor, campaign, *at)?)
            }
            Query::ProposePilot {
                campaign,
                size,
                seed,
                at,
            } => Answer::HubIds(s.propose_pilot(actor, campaign, *size, *seed, *at)?),
            Query::PilotStatus { campaign } => {
                Answer::PilotStatus(s.pilot_status(actor, campaign)?)
            }
            Query::CampaignProgress { campaign, at } => {
                Answer::Progress(s.campaign_progress(actor, campaign, *at)?)
            }
            Query::EstateByFirmware { customer } => {
                Answer::EstateByFirmware(s.estate_by_firmware(actor, customer.as_ref())?)
            }
            Query::Notifications { limit } => {
                Answer::Notifications(self.notifications(actor, *limit)?)
            }
            Query::DefectFlags {} => Answer::DefectFlags(s.defect_flags(actor)?),
        })
    }

    /// [`Engine::query`] with the query and the answer as JSON text (for bindings and runners
    /// that carry JSON). A query that does not parse is `invalid_input` naming what was wrong.
    pub fn query_json(&self, actor: &Actor, query: &str) -> Result<String, Error> {
        let query: Query = serde_json::from_str(query)
            .map_err(|e| Error::invalid_input("query", e.to_string()))?;
        let answer = self.query(actor, &query)?;
        serde_json::to_string(&answer).map_err(|e| Error::invalid_input("answer", e.to_string()))
    }
}
