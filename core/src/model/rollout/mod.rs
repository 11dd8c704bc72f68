//! After a hub is upgradeable: the CSP's upgrade attempts and their outcomes, the suppliers'
//! HAN health reports, the failure tallies behind automatic halts, and pacing.
//!
//! An attempt is a forward-only state machine ([`advance`]); one attempt is in flight per hub.
//! Only an activation (or an unanswered attempt) confirmed by a matching read-back changes the
//! hub's recorded firmware. "No response" is not failure: the hub waits for a read-back until
//! the campaign's reconciliation timeout, after which it counts as failed.

pub mod pacing;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{FirmwareVersion, HubId};
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::{CustomerIdx, HanDeviceKind};

pub use pacing::{Blackout, DispatchWindow, Pacing, PilotPacing};

/// What the CSP reports for one hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    Dispatched,
    Delivered,
    DeliveryFailed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Activated,
    ActivationFailed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    NoResponse,
    /// The firmware version the hub reports it runs.
    ReadBack {
        firmware: FirmwareVersion,
    },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Dispatched => "dispatched",
            Outcome::Delivered => "delivered",
            Outcome::DeliveryFailed { .. } => "delivery_failed",
            Outcome::Activated => "activated",
            Outcome::ActivationFailed { .. } => "activation_failed",
            Outcome::NoResponse => "no_response",
            Outcome::ReadBack { .. } => "read_back",
        }
    }
}

/// One row of a bulk outcome report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutcomeReport {
    pub hub: HubId,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// When it happened (docs/domain.md decision 15): no later than the report is recorded, and no
    /// earlier than the hub's previous outcome (a late read-back of a timed-out attempt: no
    /// earlier than its dispatch). Absent: when the report is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub happened_at: Option<DateTime<Utc>>,
}

impl OutcomeReport {
    /// A row that happened when the report is recorded.
    pub fn new(hub: HubId, outcome: Outcome) -> OutcomeReport {
        OutcomeReport {
            hub,
            outcome,
            happened_at: None,
        }
    }
}

/// One hub's firmware as the CSP read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReadBackReport {
    pub hub: HubId,
    pub firmware: crate::kernel::ids::FirmwareVersion,
    /// When it was read: no later than the report is recorded. Absent: when it is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub happened_at: Option<DateTime<Utc>>,
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeState {
    Dispatched,
    Delivered,
    Activated,
    NoResponse,
    Succeeded,
    Failed,
}

impl UpgradeState {
    /// Every state, in declaration order.
    pub const ALL: [UpgradeState; 6] = [
        UpgradeState::Dispatched,
        UpgradeState::Delivered,
        UpgradeState::Activated,
        UpgradeState::NoResponse,
        UpgradeState::Succeeded,
        UpgradeState::Failed,
    ];

    pub fn in_flight(self) -> bool {
        !matches!(self, UpgradeState::Succeeded | UpgradeState::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UpgradeState::Dispatched => "dispatched",
            UpgradeState::Delivered => "delivered",
            UpgradeState::Activated => "activated",
            UpgradeState::NoResponse => "no_response",
            UpgradeState::Succeeded => "succeeded",
            UpgradeState::Failed => "failed",
        }
    }
}

impl std::fmt::Display for UpgradeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    DeliveryFailed,
    ActivationFailed,
    /// The read-back showed a version other than the one dispatched.
    ReadBackMismatch,
    /// No response, and no read-back before the campaign's reconciliation timeout.
    TimedOut,
    /// Dispatched, delivered or activated, and no further outcome before the campaign's
    /// in-flight timeout.
    InFlightTimedOut,
}

impl FailureReason {
    /// The attempt ended by a time-out, not by what the hub said: a read-back may still come.
    pub fn timed_out(self) -> bool {
        matches!(
            self,
            FailureReason::TimedOut | FailureReason::InFlightTimedOut
        )
    }

    /// Every reason, in declaration order.
    pub const ALL: [FailureReason; 5] = [
        FailureReason::DeliveryFailed,
        FailureReason::ActivationFailed,
        FailureReason::ReadBackMismatch,
        FailureReason::TimedOut,
        FailureReason::InFlightTimedOut,
    ];

    /// The reason as its serialized form names it.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureReason::DeliveryFailed => "delivery_failed",
            FailureReason::ActivationFailed => "activation_failed",
            FailureReason::ReadBackMismatch => "read_back_mismatch",
            FailureReason::TimedOut => "timed_out",
            FailureReason::InFlightTimedOut => "in_flight_timed_out",
        }
    }
}

/// A hub's upgrade in one campaign: its current (or last) attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct HubUpgrade {
    pub state: UpgradeState,
    /// Attempts made for the current step (reset when a step succeeds).
    pub attempts: u8,
    /// The version this attempt installs.
    pub step: FirmwareIdx,
    /// The hub's configuration set when first dispatched in this campaign: its tallies and
    /// progress count there, whatever it runs afterwards.
    pub origin_config: u32,
    /// When the attempt was dispatched (as reported: when it happened).
    pub dispatched_at: DateTime<Utc>,
    /// When the attempt entered its current state: the start of its in-flight, reconciliation
    /// or retry deadline.
    pub since: DateTime<Utc>,
    pub failure: Option<FailureReason>,
    /// A supplier reported a bad HAN after the upgrade (counted once as a failure).
    pub health_bad: bool,
}

/// The result of one outcome applied to a hub's attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Advanced {
    pub upgrade: HubUpgrade,
    /// The attempt ended: `Some(true)` succeeded (the hub now runs `step`), `Some(false)` failed.
    pub concluded: Option<bool>,
    /// A late read-back of an attempt that had timed out: the hub runs this version, whatever
    /// the attempt's (unchanged) outcome says.
    pub corrected: Option<FirmwareIdx>,
}

/// What `advance` needs to know of the hub and campaign for a dispatch.
pub(crate) struct DispatchInfo {
    pub step: FirmwareIdx,
    pub config: u32,
    pub max_attempts: u8,
    /// How long after a failed attempt the hub may be dispatched again.
    pub retry_delay: chrono::Duration,
}

/// The state machine of one attempt: `current` (the hub's record in the campaign, if any) and
/// one reported outcome give the new record, or why the outcome is out of order. `read_back`
/// resolves the reported version (None: not a version of the hub's variant).
pub(crate) fn advance(
    current: Option<HubUpgrade>,
    outcome: &Outcome,
    at: DateTime<Utc>,
    dispatch: Option<DispatchInfo>,
    read_back: Option<FirmwareIdx>,
) -> Result<Advanced, String> {
    use UpgradeState as S;
    let state = current.map(|u| u.state);
    // A read-back that arrives after the attempt timed out (issue 26: the field and the record
    // must not drift apart): the attempt stays failed and counted as it was,
    // and the hub's firmware becomes what was read. It may have happened before the time-out
    // was recorded, but not before the attempt was dispatched.
    if let (Outcome::ReadBack { firmware }, Some(u)) = (outcome, current) {
        if u.state == S::Failed && u.failure.is_some_and(FailureReason::timed_out) {
            if at < u.dispatched_at {
                return Err(format!(
                    "read back at {at}, before its attempt was dispatched ({})",
                    u.dispatched_at
                ));
            }
            return match read_back {
                Some(f) => Ok(Advanced {
                    upgrade: u,
                    concluded: None,
                    corrected: Some(f),
                }),
                None => Err(format!(
                    "read back {firmware}, which is not a version of the hub's variant"
                )),
            };
        }
    }
    if let Some(u) = current.filter(|u| at < u.since) {
        return Err(format!(
            "{} happened at {at}, before its previous outcome ({})",
            outcome.name(),
            u.since
        ));
    }
    let moved = |to: S| -> Result<Advanced, String> {
        let mut u = current.ok_or("not dispatched")?;
        u.state = to;
        u.since = at;
        Ok(Advanced {
            upgrade: u,
            concluded: None,
            corrected: None,
        })
    };
    let failed = |why: FailureReason| -> Result<Advanced, String> {
        let mut u = current.ok_or("not dispatched")?;
        u.state = S::Failed;
        u.failure = Some(why);
        u.since = at;
        Ok(Advanced {
            upgrade: u,
            concluded: Some(false),
            corrected: None,
        })
    };
    let out_of_order = || -> Result<Advanced, String> {
        Err(match state {
            None => format!("{} reported, but it was never dispatched", outcome.name()),
            Some(s) if !s.in_flight() => format!(
                "{} reported, but its last attempt already {s}; dispatch it again first",
                outcome.name()
            ),
            Some(s) => format!("out of order: {} cannot follow {s}", outcome.name()),
        })
    };
    match (outcome, state) {
        (Outcome::Dispatched, None | Some(S::Succeeded | S::Failed)) => {
            let info = dispatch.ok_or("it is not upgradeable now")?;
            let attempts = match current {
                Some(u) if u.state == S::Failed && u.step == info.step => u.attempts,
                _ => 0,
            };
            if attempts >= info.max_attempts {
                return Err(format!(
                    "it has failed {attempts} attempts, the campaign's limit"
                ));
            }
            if let Some(u) = current.filter(|u| u.state == S::Failed) {
                let ready = u.since.checked_add_signed(info.retry_delay);
                if ready.is_none_or(|ready| at < ready) {
                    return Err(format!(
                        "its last attempt failed at {}; the campaign's retry delay has not passed",
                        u.since
                    ));
                }
            }
            Ok(Advanced {
                upgrade: HubUpgrade {
                    state: S::Dispatched,
                    attempts: attempts + 1,
                    step: info.step,
                    origin_config: current.map_or(info.config, |u| u.origin_config),
                    dispatched_at: at,
                    since: at,
                    failure: None,
                    health_bad: false,
                },
                concluded: None,
                corrected: None,
            })
        }
        (Outcome::Dispatched, Some(s)) => Err(format!(
            "an upgrade is already in flight ({s}); one at a time per hub"
        )),
        (Outcome::Delivered, Some(S::Dispatched)) => moved(S::Delivered),
        (Outcome::DeliveryFailed { .. }, Some(S::Dispatched)) => {
            failed(FailureReason::DeliveryFailed)
        }
        (Outcome::Activated, Some(S::Delivered)) => moved(S::Activated),
        (Outcome::ActivationFailed { .. }, Some(S::Delivered)) => {
            failed(FailureReason::ActivationFailed)
        }
        (Outcome::NoResponse, Some(S::Dispatched | S::Delivered | S::Activated)) => {
            moved(S::NoResponse)
        }
        (Outcome::ReadBack { firmware }, Some(S::Activated | S::NoResponse)) => {
            let u = current.ok_or("not dispatched")?;
            match read_back {
                Some(f) if f == u.step => {
                    let mut u = u;
                    u.state = S::Succeeded;
                    u.attempts = 0;
                    u.since = at;
                    Ok(Advanced {
                        upgrade: u,
                        concluded: Some(true),
                        corrected: None,
                    })
                }
                Some(_) => failed(FailureReason::ReadBackMismatch),
                None => Err(format!(
                    "read back {firmware}, which is not a version of the hub's variant"
                )),
            }
        }
        _ => out_of_order(),
    }
}

/// Outcomes and failures counted for a halt threshold or a day of pacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tally {
    pub outcomes: i64,
    pub failures: i64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.outcomes += other.outcomes;
        self.failures += other.failures;
    }

    pub fn plus(self, other: Tally) -> Tally {
        let mut t = self;
        t.add(other);
        t
    }

    /// Failures as a percentage of outcomes (0 with no outcomes).
    pub fn failure_percent(&self) -> f64 {
        if self.outcomes == 0 {
            0.0
        } else {
            self.failures as f64 * 100.0 / self.outcomes as f64
        }
    }
}

/// The DCC's automatic-halt setting of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HaltPolicy {
    /// Halt when failures exceed this percentage of outcomes...
    pub failure_threshold_percent: f64,
    /// ...once at least this many outcomes are in.
    pub min_outcomes: i32,
}

impl HaltPolicy {
    pub fn crossed(&self, t: Tally) -> bool {
        t.outcomes >= i64::from(self.min_outcomes)
            && t.outcomes > 0
            && t.failure_percent() > self.failure_threshold_percent
    }
}

/// The figures that tripped an automatic halt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HaltFigures {
    pub outcomes: i64,
    pub failures: i64,
    pub failure_threshold_percent: f64,
    pub min_outcomes: i32,
}

/// A supplier's report of the HAN after its hub was upgraded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "health", rename_all = "snake_case", deny_unknown_fields)]
pub enum HanHealth {
    AllFine,
    DeviceLostContact {
        device: HanDeviceKind,
    },
    DeviceMisbehaves {
        device: HanDeviceKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

impl HanHealth {
    pub fn is_bad(&self) -> bool {
        !matches!(self, HanHealth::AllFine)
    }
}

/// One row of a bulk health report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HealthReport {
    pub hub: HubId,
    #[serde(flatten)]
    pub health: HanHealth,
    /// When the supplier observed it: no later than the report is recorded. Absent: then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub happened_at: Option<DateTime<Utc>>,
}

impl HealthReport {
    /// A row observed when the report is recorded.
    pub fn new(hub: HubId, health: HanHealth) -> HealthReport {
        HealthReport {
            hub,
            health,
            happened_at: None,
        }
    }
}

/// A health report as held: who reported, what, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct HealthRecord {
    pub customer: CustomerIdx,
    pub health: HanHealth,
    pub at: DateTime<Utc>,
}

/// A halt the DCC placed (by hand or automatically) on one configuration set of a campaign.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SetHalt {
    pub reason: String,
    pub at: DateTime<Utc>,
    pub figures: Option<HaltFigures>,
}

/// A hold on hubs in a campaign: all of them, or some configuration sets, each with its reason
/// and time. A customer's hold on its own hubs, or the CSP's pause of its own dispatches.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Hold {
    pub all: Option<(String, DateTime<Utc>)>,
    pub sets: std::collections::BTreeMap<u32, (String, DateTime<Utc>)>,
}

impl Hold {
    pub fn holds(&self, config: u32) -> Option<&str> {
        self.all
            .as_ref()
            .or_else(|| self.sets.get(&config))
            .map(|(r, _)| r.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.sets.is_empty()
    }
}

/// Dispatches and outcome tallies of one day of a campaign (outcomes count on the day the
/// attempt was dispatched).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct DayTally {
    pub dispatched: u64,
    pub tally: Tally,
}

/// Everything about upgrades in one campaign.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rollout {
    /// Per hub (estate position): its current or last attempt.
    pub upgrades: std::collections::HashMap<u32, HubUpgrade, crate::kernel::intern::FxBuild>,
    pub health: std::collections::BTreeMap<u32, Vec<HealthRecord>>,
    /// Since the campaign last resumed (the automatic halt's window) and in all.
    pub window: Tally,
    pub total: Tally,
    /// Per configuration set (of origin): since that set last resumed, and in all.
    pub set_window: std::collections::BTreeMap<u32, Tally>,
    pub set_total: std::collections::BTreeMap<u32, Tally>,
    pub halted_sets: std::collections::BTreeMap<u32, SetHalt>,
    pub holds: std::collections::BTreeMap<CustomerIdx, Hold>,
    /// The CSP's pause of its own dispatches (decision 23): the campaign, or sets.
    #[serde(default)]
    pub csp_pause: Hold,
    /// The CSP's pacing of the pilot, within the policy (decision 23).
    #[serde(default)]
    pub pilot_pacing: PilotPacing,
    pub days: std::collections::BTreeMap<NaiveDate, DayTally>,
    /// Cut-off notices sent: (customer, the cut-off it was about, reached).
    pub cutoff_notices: std::collections::BTreeSet<(CustomerIdx, DateTime<Utc>, bool)>,
}

impl Rollout {
    pub fn in_flight(&self, hub: u32) -> Option<UpgradeState> {
        self.upgrades
            .get(&hub)
            .map(|u| u.state)
            .filter(|s| s.in_flight())
    }

    /// Counts a concluded attempt (or a bad health report, `outcome = false`) against the
    /// campaign, its configuration set and the day it was dispatched.
    pub fn count(&mut self, config: u32, day: NaiveDate, t: Tally) {
        self.window.add(t);
        self.total.add(t);
        self.set_window.entry(config).or_default().add(t);
        self.set_total.entry(config).or_default().add(t);
        self.days.entry(day).or_default().tally.add(t);
    }
}
