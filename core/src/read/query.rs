//! Queries as data: every question an actor can ask, as one serde-tagged enum (like
//! [`crate::write::command::Command`]), answered by one entry, `Engine::query`. Bindings and conformance
//! runners call this one entry with the query's JSON instead of mapping each query by hand.
//!
//! The JSON form is the one the conformance scenarios use: `{"name": "explain", "campaign":
//! "C1", "hub": "00-...", "at": "2026-01-02T09:00:00Z"}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::model::catalogue::Variant;
use crate::model::defects::DefectView;
use crate::model::eligibility::Explanation;
use crate::model::notices::NotificationPage;
use crate::read::ParticipationView;
use crate::read::UpgradePage;
use crate::read::{CampaignView, ConfigSetCount, FirmwareView, HubPage, HubView};
use crate::read::{FirmwareCount, PilotStatus, SetProgress};

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
