//! Participation in a campaign: pilot nominations, approvals (whole estate, configuration
//! sets), rejections, pilot verdicts; and from them, whether a hub is upgradeable now
//! ([`eligibility`]) and the CSP's list of upgradeable hubs ([`upgrade_list`]).
//!
//! Consent is per (hub, supply role) and belongs to the customer holding the role *now*: every
//! record is keyed by customer, so a change of supplier leaves the new supplier without the old
//! one's consent (DOMAIN.md invariant 7), and `apply` drops the old one's records for the hub.

pub mod eligibility;
pub mod upgrade_list;
pub mod views;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::estate::CustomerIdx;
use crate::ids::HubId;

/// The DCC's settings for one campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CampaignPolicy {
    /// At most this many hubs nominated per customer for the pilot.
    #[serde(default)]
    pub pilot_cap_per_customer: Option<u32>,
    /// Days the pilot runs before the DCC may grant OA for mass rollout (unless it overrides).
    #[serde(default)]
    pub min_assessment_days: u32,
}

/// A customer's assessment of the pilot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PilotVerdict {
    Success,
    IssuesFound { text: String },
}

/// One hub of a bulk participation command that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubRefusal {
    pub hub: HubId,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub customer: CustomerIdx,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Everything customers said about one campaign. Hubs are held by their estate position.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Consents {
    pub nominations: BTreeMap<CustomerIdx, BTreeSet<u32>>,
    pub whole_estate: BTreeMap<CustomerIdx, DateTime<Utc>>,
    pub config_sets: BTreeMap<CustomerIdx, BTreeSet<u32>>,
    pub rejections: BTreeMap<u32, Vec<Rejection>>,
    pub verdicts: BTreeMap<CustomerIdx, (PilotVerdict, DateTime<Utc>)>,
}

impl Consents {
    pub fn nominated_by(&self, customer: CustomerIdx, hub: u32) -> bool {
        self.nominations
            .get(&customer)
            .is_some_and(|s| s.contains(&hub))
    }

    pub fn nominated_count(&self, customer: CustomerIdx) -> usize {
        self.nominations.get(&customer).map_or(0, BTreeSet::len)
    }

    pub fn rejection_by(&self, customer: CustomerIdx, hub: u32) -> Option<&Rejection> {
        self.rejections
            .get(&hub)?
            .iter()
            .find(|r| r.customer == customer)
    }

    /// Drops what `customer` said about `hub` (it no longer supplies it).
    pub fn forget(&mut self, customer: CustomerIdx, hub: u32) {
        if let Some(set) = self.nominations.get_mut(&customer) {
            set.remove(&hub);
        }
        if let Some(list) = self.rejections.get_mut(&hub) {
            list.retain(|r| r.customer != customer);
            if list.is_empty() {
                self.rejections.remove(&hub);
            }
        }
    }
}
