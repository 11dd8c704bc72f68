//! Campaigns: one target firmware version deployed to one hub variant, through its phases.

pub use crate::kernel::phase::{Phase, Transition};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId};
use crate::model::catalogue::{FirmwareIdx, VariantIdx};
use crate::model::estate::CustomerIdx;
use crate::model::participation::{CampaignPolicy, Consents};
use crate::model::rollout::Rollout;

/// What happened to a campaign, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CampaignChange {
    Created,
    PhaseChanged {
        from: Phase,
        to: Phase,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    CutoffExtended {
        customer: CustomerId,
        until: DateTime<Utc>,
    },
}

/// One entry of a campaign's history: the event's sequence number, time and actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    /// The event's place in the log: shown to the DCC only. To anyone else it would count the
    /// events other parties recorded in between (docs/domain.md decision 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub change: CampaignChange,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Campaign {
    pub id: CampaignId,
    pub variant: VariantIdx,
    pub target: FirmwareIdx,
    pub phase: Phase,
    /// While suspended: the phase a resume returns to.
    pub resume_to: Option<Phase>,
    pub default_cutoff: DateTime<Utc>,
    /// Cut-offs the DCC extended, per customer.
    pub cutoff_extensions: BTreeMap<CustomerIdx, DateTime<Utc>>,
    pub history: Vec<HistoryEntry>,
    pub policy: CampaignPolicy,
    /// When the pilot began (the first OA to begin it).
    pub pilot_started: Option<DateTime<Utc>>,
    pub consents: Consents,
    /// Upgrade attempts, health reports, tallies, halts and holds, pacing days.
    pub rollout: Rollout,
}

impl Campaign {
    /// Started and not closed: its attempts, holds and halts are in force.
    pub fn is_live(&self) -> bool {
        matches!(
            self.phase,
            Phase::Pilot | Phase::MassRollout | Phase::Suspended
        )
    }

    pub fn cutoff_for(&self, customer: CustomerIdx) -> DateTime<Utc> {
        self.cutoff_extensions
            .get(&customer)
            .copied()
            .unwrap_or(self.default_cutoff)
    }
}
