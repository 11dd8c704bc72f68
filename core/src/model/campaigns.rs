//! Campaigns: one target firmware version deployed to one hub variant, through its phases.

pub use crate::kernel::phase::{Phase, Transition};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId};
use crate::model::catalogue::{FirmwareIdx, VariantIdx};
use crate::model::estate::ConfigurationSet;
use crate::model::estate::CustomerIdx;
use crate::model::participation::{CampaignPolicy, Consents};
use crate::model::rollout::{DispatchWindow, PilotPacing, Rollout};

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
    /// The DCC changed the campaign's policy: the fields it changed, and why.
    PolicyChanged {
        changed: Vec<String>,
        reason: String,
    },
    /// The CSP paused its dispatches (all, or of a set; a set's pause is shown to the DCC and
    /// the CSP: a customer is told of it when it has hubs on the set).
    DispatchesPaused {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
        reason: String,
    },
    DispatchesResumed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
    },
    /// The CSP set how it paces the pilot.
    PilotPacingSet {
        pacing: PilotPacing,
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

    /// The cap on dispatches on `day`: the policy's (ramped), and in the pilot the CSP's own
    /// where it is lower (decision 23). `None`: no cap.
    pub fn cap_on(&self, day: chrono::NaiveDate) -> Option<u64> {
        let policy = self
            .policy
            .pacing
            .as_ref()
            .and_then(|p| p.cap_on(day, &self.rollout.days, self.policy.halt.as_ref()));
        let pilot = self
            .rollout
            .pilot_pacing
            .daily_cap
            .filter(|_| self.phase == Phase::Pilot)
            .map(|c| u64::try_from(c).unwrap_or(0));
        match (policy, pilot) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// In the pilot, the CSP's dispatch window when `at` falls outside it.
    pub fn outside_window(&self, at: DateTime<Utc>) -> Option<DispatchWindow> {
        self.rollout
            .pilot_pacing
            .window
            .filter(|w| self.phase == Phase::Pilot && !w.covers(at))
    }

    pub fn cutoff_for(&self, customer: CustomerIdx) -> DateTime<Utc> {
        self.cutoff_extensions
            .get(&customer)
            .copied()
            .unwrap_or(self.default_cutoff)
    }
}
