//! Events: the facts an accepted command produced. Applying them in order rebuilds the state;
//! they are the audit trail (who, when, what) and the only thing the journal stores.
//!
//! Each event is a struct in the file of its feature, beside the commands that record it,
//! with its evolution (how it changes the state) and its notices ([`Evolve`]). This file lists
//! them, one line each, and dispatches: the dispatch is generated from the list, so an event
//! cannot be listed and not applied, nor applied without saying whom it tells.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::state::State;

/// The event schema this build writes and the newest it reads. Version 2 records a bulk load
/// as an [`EstateTable`]; a version-1 log (rows) is read and upgraded on the way in.
pub const SCHEMA_VERSION: u32 = 2;

/// One recorded event: its place in the log, when, by whom, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub payload: EventPayload,
    /// The signature of the command that recorded it, on the first event of each command in a
    /// signed log (docs/domain.md decision 21); `None` on the events after it and in an unsigned log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<crate::write::act::Act>,
}

impl Event {
    /// The sequence number as `asker` is shown it, in the answer to its own command: the
    /// DCC's (the host's record) only. To anyone else it would count the events others
    /// recorded in between (docs/domain.md decision 13).
    pub fn seq_seen_by(&self, asker: &Actor) -> Option<u64> {
        (*asker == Actor::Dcc).then_some(self.seq)
    }

    /// Whether `asker` is shown the event in the answer to its own command: all but another
    /// party's rule acts (a customer's flag may set off another's rule, which it must not
    /// learn of: docs/domain.md decision 13). The DCC is shown everything.
    pub fn shown_to(&self, asker: &Actor) -> bool {
        match &self.payload {
            EventPayload::RuleActed(a) => *asker == Actor::Dcc || a.owner == *asker,
            _ => true,
        }
    }
}

/// The notices an event gives: (recipient, notice) pairs, the actor's own dropped by the engine.
pub(crate) type Notices = Vec<(Recipient, NotificationKind)>;

/// What each event does once recorded.
pub(crate) trait Evolve {
    /// Changes the state. `verify`: the event comes from a log, not from `decide` on this
    /// state, so every reference is resolved and checked first (nothing is changed on error).
    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error>;
    /// Whether `actor` could have recorded it in `state` (docs/domain.md's permission table),
    /// checked for events read from a log; `Err` says why not.
    fn recorded_by(&self, state: &State, actor: &Actor) -> super::authority::Authority;
    /// The notices it gives, read from the state it produced (the notifications projection).
    fn notices(&self, state: &State, event: &Event, out: &mut Notices);
    /// An act of the system under a campaign's policy (docs/domain.md decision 14): recorded with
    /// [`Actor::System`] whichever party's command or report tipped it.
    fn is_automatic(&self) -> bool {
        false
    }
}

/// One line per event, `Name(feature, "type_tag")`: the struct `Name` and its evolution are in
/// `write/feature.rs`. Generates the enum (JSON: `{"type": "type_tag", ...its fields}`), the
/// re-exports, `From<Name> for EventPayload`, and the exhaustive dispatch.
macro_rules! events {
    ($( $name:ident($feature:ident, $tag:literal), )*) => {
        $( pub use super::$feature::$name; )*

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum EventPayload {
            $( $name($name), )*
        }

        impl EventPayload {
            /// The snake_case `type` tag of the payload.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( EventPayload::$name(_) => $tag, )*
                }
            }

            /// An act of the system under a campaign's policy (docs/domain.md decision 14): recorded
            /// with [`Actor::System`] whichever party's command or report tipped it.
            pub fn is_automatic(&self) -> bool {
                match self {
                    $( EventPayload::$name(e) => e.is_automatic(), )*
                }
            }

            pub(crate) fn apply_each(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
                match self {
                    $( EventPayload::$name(e) => e.apply(state, event, verify), )*
                }
            }

            pub(crate) fn recorded_by_each(&self, state: &State, actor: &Actor) -> super::authority::Authority {
                match self {
                    $( EventPayload::$name(e) => e.recorded_by(state, actor), )*
                }
            }

            pub(crate) fn notices_each(&self, state: &State, event: &Event, out: &mut Notices) {
                match self {
                    $( EventPayload::$name(e) => e.notices(state, event, out), )*
                }
            }
        }

        $(
            impl From<$name> for EventPayload {
                fn from(e: $name) -> Self {
                    EventPayload::$name(e)
                }
            }
        )*
    };
}

events! {
    VariantRegistered(catalogue, "variant_registered"),
    FirmwareRegistered(catalogue, "firmware_registered"),
    GateRecorded(catalogue, "gate_recorded"),
    GateWithdrawn(catalogue, "gate_withdrawn"),
    FirmwarePrerequisitesSet(catalogue, "firmware_prerequisites_set"),
    TestFeedbackRecorded(testing, "test_feedback_recorded"),
    EstateLoaded(estate, "estate_loaded"),
    HubInstalled(estate, "hub_installed"),
    HubCommissioned(estate, "hub_commissioned"),
    SupplierChanged(estate, "supplier_changed"),
    SmiStatusChanged(estate, "smi_status_changed"),
    HanDeviceFirmwareChanged(estate, "han_device_firmware_changed"),
    ConsumerFlagsSet(estate, "consumer_flags_set"),
    HubDecommissioned(estate, "hub_decommissioned"),
    CampaignCreated(campaigns, "campaign_created"),
    CampaignPhaseChanged(campaigns, "campaign_phase_changed"),
    CutoffExtended(campaigns, "cutoff_extended"),
    CampaignPolicyChanged(policy, "campaign_policy_changed"),
    PilotPacingSet(policy, "pilot_pacing_set"),
    HubsNominated(participation, "hubs_nominated"),
    NominationsWithdrawn(participation, "nominations_withdrawn"),
    WholeEstateApproved(participation, "whole_estate_approved"),
    WholeEstateApprovalWithdrawn(participation, "whole_estate_approval_withdrawn"),
    ConfigurationSetsApproved(participation, "configuration_sets_approved"),
    ConfigurationSetApprovalsWithdrawn(participation, "configuration_set_approvals_withdrawn"),
    HubsRejected(participation, "hubs_rejected"),
    RejectionsWithdrawn(participation, "rejections_withdrawn"),
    RejectionsOverridden(participation, "rejections_overridden"),
    PilotVerdictRecorded(participation, "pilot_verdict_recorded"),
    OutcomesReported(rollout, "outcomes_reported"),
    HanHealthReported(rollout, "han_health_reported"),
    ReadBacksReported(rollout, "read_backs_reported"),
    ReconciliationTimedOut(rollout, "reconciliation_timed_out"),
    InFlightTimedOut(rollout, "in_flight_timed_out"),
    CutoffNoticesDue(rollout, "cutoff_notices_due"),
    IndustryTrendsNoticed(trends, "industry_trends_noticed"),
    ConfigurationSetHalted(halts, "configuration_set_halted"),
    ConfigurationSetResumed(halts, "configuration_set_resumed"),
    SupplierHoldPlaced(halts, "supplier_hold_placed"),
    SupplierHoldLifted(halts, "supplier_hold_lifted"),
    DispatchesPaused(halts, "dispatches_paused"),
    DispatchesResumed(halts, "dispatches_resumed"),
    DefectFlagged(defects, "defect_flagged"),
    DefectSuspensionLifted(defects, "defect_suspension_lifted"),
    DefectFlagWithdrawn(defects, "defect_flag_withdrawn"),
    NotificationsAcknowledged(notices, "notifications_acknowledged"),
    NoticeSent(notices, "notice_sent"),
    RuleSaved(rules, "rule_saved"),
    RuleRetired(rules, "rule_retired"),
    RuleActed(rules, "rule_acted"),
    KeyRegistered(keys, "key_registered"),
    KeyRevoked(keys, "key_revoked"),
}

/// The parts of a rule's act (`RuleActed`).
pub use super::rules::{CustomerCutoff, RuleAct};

impl EventPayload {
    /// The hubs a participation command named but did not take, each with why (empty for
    /// every other event): what a binding shows as the command's per-hub refusals.
    pub fn refused(&self) -> &[crate::model::participation::HubRefusal] {
        match self {
            EventPayload::HubsNominated(e) => &e.refused,
            EventPayload::NominationsWithdrawn(e) => &e.refused,
            EventPayload::HubsRejected(e) => &e.refused,
            EventPayload::RejectionsWithdrawn(e) => &e.refused,
            _ => &[],
        }
    }
}
