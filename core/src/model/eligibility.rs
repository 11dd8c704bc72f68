//! Why a hub is or is not upgradeable now in a campaign: the answer types of `explain`. The
//! evaluation that produces them is in the write model (`write/eligibility.rs`), because
//! dispatch decides with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId};
use crate::kernel::phase::Phase;
use crate::model::estate::{HanDeviceKind, SmiStatus, SupplyRole};
use crate::model::rollout::UpgradeState;
use crate::model::rules::RuleRef;

/// Who a consent or a rejection belongs to, as the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "party", rename_all = "snake_case")]
pub enum Party {
    /// The asking customer.
    You,
    /// The other supplier of a split-supply hub (never named to a customer).
    OtherSupplier,
    /// Named, to the DCC.
    Customer { customer: CustomerId },
    /// A supplier the asker (a CSP) does not learn.
    Unnamed,
}

/// One reason a hub is not upgradeable now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "blocker", rename_all = "snake_case")]
pub enum Blocker {
    CampaignNotStarted,
    CampaignSuspended,
    CampaignClosed {
        phase: Phase,
    },
    WrongVariant,
    AlreadyOnTarget,
    NotOnPathway,
    StepNotOnProductionCpl {
        version: FirmwareVersion,
    },
    NotCommissioned {
        status: SmiStatus,
    },
    /// Firmware `version` (the hub's next step) needs the hub's `device` at `needs` or later;
    /// the device (of `model`) is at `has` (docs/domain.md decision 17). It clears as soon as
    /// the device's firmware change is recorded.
    PrerequisiteMissing {
        version: FirmwareVersion,
        device: HanDeviceKind,
        model: String,
        has: String,
        needs: String,
    },
    /// A supplier of the hub flagged the premises vulnerable or high risk (which one is not said).
    VulnerableInPilot,
    /// During the pilot: not nominated, and no supplier of it approved its whole estate.
    NotInPilot,
    /// `cutoff`: the date the CSP takes the hub over without this consent (shown to that
    /// supplier, the DCC and the CSP; not to the other supplier, whose cut-off is its own).
    AwaitingConsent {
        role: SupplyRole,
        by: Party,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cutoff: Option<DateTime<Utc>>,
    },
    /// `reason` is shown to the DCC and to the customer that rejected.
    Rejected {
        role: SupplyRole,
        by: Party,
        reason: Option<String>,
    },
    /// An upgrade of this hub is in flight (in this campaign or another).
    UpgradeInFlight {
        state: UpgradeState,
    },
    /// Its attempts at the next step failed as many times as the campaign allows.
    AttemptsExhausted {
        attempts: i32,
    },
    /// Its last attempt failed; the campaign's retry delay lets it go again from `until`.
    RetryDelay {
        until: DateTime<Utc>,
    },
    /// The DCC (or an automatic halt) halted the hub's configuration set in this campaign.
    ConfigurationSetHalted {
        reason: String,
    },
    /// A supplier's business rule rejected the hub in this campaign; the rule (name and
    /// version) and its reason are shown to that supplier and the DCC (to anyone else it is a
    /// `rejected`).
    RejectedByRule {
        role: SupplyRole,
        by: Party,
        rule: RuleRef,
        reason: String,
    },
    /// A supplier's business rule holds the hub until `until` (none: until released); shown
    /// to that supplier and the DCC (to anyone else it is a `held_by_supplier`).
    HeldByRule {
        by: Party,
        rule: RuleRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<DateTime<Utc>>,
    },
    /// A supplier of the hub holds its own upgrades; `reason` shown to it and the DCC.
    HeldBySupplier {
        by: Party,
        reason: Option<String>,
    },
    /// A supplier of the hub flagged a defect on it and suspended its own upgrades. The flag's
    /// id is shown to the flagger and the DCC only: to a CSP, which sees the flag itself (and
    /// its author where named), the id would tie the hub to its supplier.
    SuspendedByDefectFlag {
        by: Party,
        flag: Option<i64>,
    },
    /// The campaign's pacing has a blackout now.
    Blackout,
    /// Today's pacing cap is used up (the policy's, or in the pilot the CSP's where lower).
    DailyCapReached {
        cap: i64,
    },
    /// The region's CSP paused its dispatches in the campaign or of the hub's configuration set
    /// (decision 23), with its reason.
    PausedByCsp {
        reason: String,
    },
    /// The campaign is in its pilot and the CSP dispatches it only from `from_hour` to
    /// `to_hour` (Great Britain's civil time).
    OutsideDispatchWindow {
        from_hour: i32,
        to_hour: i32,
    },
}

impl Party {
    /// The kind of party, as its serialized form tags it: `you`, `other_supplier`,
    /// `customer` (named: [`Party::customer`]) or `unnamed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Party::You => "you",
            Party::OtherSupplier => "other_supplier",
            Party::Customer { .. } => "customer",
            Party::Unnamed => "unnamed",
        }
    }

    /// The customer, where the asker may know it (the DCC).
    pub fn customer(&self) -> Option<&CustomerId> {
        match self {
            Party::Customer { customer } => Some(customer),
            _ => None,
        }
    }
}

impl Blocker {
    /// The blocker's name, as its serialized form tags it (`awaiting_consent`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Blocker::CampaignNotStarted => "campaign_not_started",
            Blocker::CampaignSuspended => "campaign_suspended",
            Blocker::CampaignClosed { .. } => "campaign_closed",
            Blocker::WrongVariant => "wrong_variant",
            Blocker::AlreadyOnTarget => "already_on_target",
            Blocker::NotOnPathway => "not_on_pathway",
            Blocker::StepNotOnProductionCpl { .. } => "step_not_on_production_cpl",
            Blocker::NotCommissioned { .. } => "not_commissioned",
            Blocker::PrerequisiteMissing { .. } => "prerequisite_missing",
            Blocker::VulnerableInPilot => "vulnerable_in_pilot",
            Blocker::NotInPilot => "not_in_pilot",
            Blocker::AwaitingConsent { .. } => "awaiting_consent",
            Blocker::Rejected { .. } => "rejected",
            Blocker::UpgradeInFlight { .. } => "upgrade_in_flight",
            Blocker::AttemptsExhausted { .. } => "attempts_exhausted",
            Blocker::RetryDelay { .. } => "retry_delay",
            Blocker::ConfigurationSetHalted { .. } => "configuration_set_halted",
            Blocker::HeldBySupplier { .. } => "held_by_supplier",
            Blocker::RejectedByRule { .. } => "rejected_by_rule",
            Blocker::HeldByRule { .. } => "held_by_rule",
            Blocker::SuspendedByDefectFlag { .. } => "suspended_by_defect_flag",
            Blocker::Blackout => "blackout",
            Blocker::DailyCapReached { .. } => "daily_cap_reached",
            Blocker::PausedByCsp { .. } => "paused_by_csp",
            Blocker::OutsideDispatchWindow { .. } => "outside_dispatch_window",
        }
    }

    /// The blocker as a sentence a person reads ("The gas supplier has not consented yet; the
    /// CSP takes the hub over on 2026-03-01."), naming nobody the asker may not know.
    pub fn sentence(&self) -> String {
        let who = |by: &Party| match by {
            Party::You => "You".to_string(),
            Party::OtherSupplier => "The other supplier".to_string(),
            Party::Customer { customer } => format!("Supplier {customer}"),
            Party::Unnamed => "A supplier of the hub".to_string(),
        };
        match self {
            Blocker::CampaignNotStarted => "The campaign has not started: it waits for the DCC's Operational Approval to begin the pilot.".into(),
            Blocker::CampaignSuspended => "The campaign is suspended; nothing is upgraded until the DCC resumes it.".into(),
            Blocker::CampaignClosed { phase } => format!("The campaign is {phase}; it upgrades nothing any more."),
            Blocker::WrongVariant => "The hub is not of the campaign's hub variant.".into(),
            Blocker::AlreadyOnTarget => "The hub already runs the campaign's target version.".into(),
            Blocker::NotOnPathway => "No upgrade pathway leads from the hub's version to the target.".into(),
            Blocker::StepNotOnProductionCpl { version } => format!("The hub's next step, version {version}, is not on the production CPL yet."),
            Blocker::NotCommissioned { status } => format!("The hub is {status}; only a commissioned hub is upgraded."),
            Blocker::PrerequisiteMissing { version, device, model, has, needs } => format!(
                "Firmware {version} needs the hub's {} at {needs} or later; its {} {model} is at {has}.",
                device.as_str().to_uppercase(),
                device.as_str().to_uppercase()
            ),
            Blocker::VulnerableInPilot => "The premises is protected (flagged vulnerable or high risk by a supplier): never upgraded in the pilot.".into(),
            Blocker::NotInPilot => "The campaign is in its pilot, and this hub is not in it (not nominated, and no supplier of it approved its whole estate).".into(),
            Blocker::AwaitingConsent { role, by, cutoff } => {
                let verb = if *by == Party::You { "have" } else { "has" };
                let mut text = format!("{} {verb} not consented yet as the {} supplier", who(by), role.as_str());
                match cutoff {
                    Some(c) => text.push_str(&format!("; the CSP takes the hub over after the cut-off, {c}.")),
                    None => text.push('.'),
                }
                text
            }
            Blocker::Rejected { role, by, reason } => {
                let verb = if *by == Party::You { "have" } else { "has" };
                match reason {
                    Some(r) => format!("{} {verb} rejected it as the {} supplier: {r}", who(by), role.as_str()),
                    None => format!("{} {verb} rejected it as the {} supplier.", who(by), role.as_str()),
                }
            }
            Blocker::UpgradeInFlight { state } => format!("An upgrade of the hub is in flight ({state}); one at a time."),
            Blocker::AttemptsExhausted { attempts } => format!("Its upgrade failed {attempts} times, the campaign's limit."),
            Blocker::RetryDelay { until } => format!("Its last attempt failed; it may be tried again from {until}."),
            Blocker::ConfigurationSetHalted { reason } => format!("Upgrades of its configuration set are halted: {reason}"),
            Blocker::RejectedByRule { role, by, rule, reason } => {
                let verb = if *by == Party::You { "have" } else { "has" };
                format!("{} {verb} rejected it as the {} supplier by {rule}: {reason}", who(by), role.as_str())
            }
            Blocker::HeldByRule { by, rule, until } => {
                let verb = if *by == Party::You { "hold" } else { "holds" };
                match until {
                    Some(u) => format!("{} {verb} its upgrades by {rule} until {u}.", who(by)),
                    None => format!("{} {verb} its upgrades by {rule} until released.", who(by)),
                }
            }
            Blocker::HeldBySupplier { by, reason } => {
                let verb = if *by == Party::You { "hold" } else { "holds" };
                match reason {
                    Some(r) => format!("{} {verb} its upgrades: {r}", who(by)),
                    None => format!("{} {verb} its upgrades.", who(by)),
                }
            }
            Blocker::SuspendedByDefectFlag { by, flag } => {
                let verb = if *by == Party::You { "have" } else { "has" };
                match flag {
                    Some(flag) => format!(
                        "{} {verb} suspended its upgrades under defect flag {flag}.",
                        who(by)
                    ),
                    None => format!("{} {verb} suspended its upgrades under a defect flag.", who(by)),
                }
            }
            Blocker::Blackout => "The campaign's pacing has a blackout now.".into(),
            Blocker::DailyCapReached { cap } => format!("Today's pacing cap of {cap} hubs is used up."),
            Blocker::PausedByCsp { reason } => format!("The CSP paused its dispatches: {reason}"),
            Blocker::OutsideDispatchWindow { from_hour, to_hour } => format!(
                "The CSP dispatches this pilot from {from_hour:02}:00 to {to_hour:02}:00 only."
            ),
        }
    }
}

/// `explain`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Explanation {
    pub hub: HubId,
    pub campaign: CampaignId,
    pub upgradeable: bool,
    /// The version the hub would go to next along its pathway, where there is one.
    pub next_version: Option<FirmwareVersion>,
    pub blockers: Vec<Blocker>,
    /// Each blocker as a sentence a person reads, in the same order.
    pub sentences: Vec<String>,
    /// Supply roles whose consent the passed cut-off stands in for: the CSP took the hub
    /// over because the supplier did not decide in time, not because it consented.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub taken_over_at_cutoff: Vec<SupplyRole>,
    /// What the asker's business rules did for the hub in this campaign (approved it, put it
    /// first), each naming the rule and version; to the DCC every supplier's, named. A rule's
    /// rejection or hold is a blocker above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub rules: Vec<RuleNote>,
    /// The campaign's last policy change by the DCC, where there was one since it was created:
    /// its caps, blackouts, attempts and delays above are the changed policy's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub policy_changed: Option<PolicyNote>,
}

/// A change of a campaign's policy, as `explain` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyNote {
    pub at: DateTime<Utc>,
    /// The fields changed (`pacing.daily_cap`, ...).
    pub changed: Vec<String>,
    pub reason: String,
}

/// One act of a business rule on a hub, as `explain` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleNote {
    pub rule: RuleRef,
    /// `approved` or `prioritised`.
    pub did: String,
    /// The rule's owner, to the DCC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<CustomerId>,
}
