//! Events: the facts an accepted command produced. Applying them in order rebuilds the state;
//! they are the audit trail (who, when, what) and the only thing the journal stores.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::campaign::Phase;
use crate::catalogue::{Gate, Variant};
use crate::defects::DefectSubject;
use crate::estate::ConfigurationSet;
use crate::estate::{ConsumerFlags, EstateTable, HanDeviceKind, HubRow, SmiStatus, SupplyRole};
use crate::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::participation::{CampaignPolicy, HubRefusal, PilotVerdict};
use crate::rollout::{HaltFigures, HealthReport, OutcomeReport};

/// The event schema this build writes and the newest it reads. Version 2 records a bulk load
/// as an [`EstateTable`]; a version-1 log (rows) is read and upgraded on the way in.
pub const SCHEMA_VERSION: u32 = 2;

/// One recorded event: its place in the log, when, by whom, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub payload: EventPayload,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventPayload {
    VariantRegistered {
        variant: Box<Variant>,
    },
    FirmwareRegistered {
        variant: VariantId,
        version: FirmwareVersion,
        upgrades_from: Vec<FirmwareVersion>,
    },
    GateRecorded {
        variant: VariantId,
        version: FirmwareVersion,
        gate: Gate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A bulk load, as columns (each string once) whichever form the command took.
    EstateLoaded {
        table: EstateTable,
    },
    HubInstalled {
        hub: Box<HubRow>,
    },
    HubCommissioned {
        hub: HubId,
        on: NaiveDate,
    },
    SupplierChanged {
        hub: HubId,
        role: SupplyRole,
        supplier: Option<CustomerId>,
        flags: ConsumerFlags,
    },
    SmiStatusChanged {
        hub: HubId,
        from: SmiStatus,
        to: SmiStatus,
    },
    HanDeviceFirmwareChanged {
        hub: HubId,
        device: HanDeviceKind,
        from: String,
        to: String,
    },
    ConsumerFlagsSet {
        hub: HubId,
        role: SupplyRole,
        flags: ConsumerFlags,
    },
    HubDecommissioned {
        hub: HubId,
        on: NaiveDate,
    },
    CampaignCreated {
        campaign: CampaignId,
        variant: VariantId,
        target: FirmwareVersion,
        cutoff: DateTime<Utc>,
        #[serde(default, deserialize_with = "crate::participation::from_map_only")]
        policy: CampaignPolicy,
    },
    CampaignPhaseChanged {
        campaign: CampaignId,
        from: Phase,
        to: Phase,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// An automatic halt: the figures that tripped it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        figures: Option<HaltFigures>,
    },
    CutoffExtended {
        campaign: CampaignId,
        customer: CustomerId,
        until: DateTime<Utc>,
    },
    HubsNominated {
        campaign: CampaignId,
        customer: CustomerId,
        hubs: Vec<HubId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused: Vec<HubRefusal>,
    },
    NominationsWithdrawn {
        campaign: CampaignId,
        customer: CustomerId,
        hubs: Vec<HubId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused: Vec<HubRefusal>,
    },
    WholeEstateApproved {
        campaign: CampaignId,
        customer: CustomerId,
    },
    WholeEstateApprovalWithdrawn {
        campaign: CampaignId,
        customer: CustomerId,
    },
    ConfigurationSetsApproved {
        campaign: CampaignId,
        customer: CustomerId,
        sets: Vec<ConfigurationSet>,
    },
    ConfigurationSetApprovalsWithdrawn {
        campaign: CampaignId,
        customer: CustomerId,
        sets: Vec<ConfigurationSet>,
    },
    HubsRejected {
        campaign: CampaignId,
        customer: CustomerId,
        hubs: Vec<HubId>,
        reason: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused: Vec<HubRefusal>,
    },
    RejectionsWithdrawn {
        campaign: CampaignId,
        customer: CustomerId,
        hubs: Vec<HubId>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused: Vec<HubRefusal>,
    },
    RejectionsOverridden {
        campaign: CampaignId,
        hub: HubId,
        reason: String,
    },
    PilotVerdictRecorded {
        campaign: CampaignId,
        customer: CustomerId,
        verdict: PilotVerdict,
    },
    OutcomesReported {
        campaign: CampaignId,
        outcomes: Vec<OutcomeReport>,
    },
    HanHealthReported {
        campaign: CampaignId,
        customer: CustomerId,
        reports: Vec<HealthReport>,
    },
    /// Hubs that did not answer and were not read back before the reconciliation timeout.
    ReconciliationTimedOut {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// Hubs left dispatched, delivered or activated past the campaign's in-flight timeout.
    InFlightTimedOut {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    ConfigurationSetHalted {
        campaign: CampaignId,
        set: ConfigurationSet,
        reason: String,
        /// An automatic halt: the figures that tripped it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        figures: Option<HaltFigures>,
    },
    ConfigurationSetResumed {
        campaign: CampaignId,
        set: ConfigurationSet,
    },
    SupplierHoldPlaced {
        campaign: CampaignId,
        customer: CustomerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
        reason: String,
    },
    SupplierHoldLifted {
        campaign: CampaignId,
        customer: CustomerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
    },
    DefectFlagged {
        flag: u64,
        customer: CustomerId,
        subject: DefectSubject,
        text: String,
        named: bool,
        suspend_own: bool,
    },
    DefectSuspensionLifted {
        flag: u64,
        customer: CustomerId,
    },
    /// Customers told that their cut-off approaches (or, `reached`, has passed).
    CutoffNoticesDue {
        campaign: CampaignId,
        customers: Vec<CustomerId>,
        reached: bool,
    },
    NotificationsAcknowledged {
        recipient: Actor,
        up_to: u64,
    },
}

impl EventPayload {
    /// An act of the system under a campaign's policy (DOMAIN.md decision 14): recorded with
    /// [`Actor::System`] whichever party's command or report tipped it.
    pub fn is_automatic(&self) -> bool {
        match self {
            EventPayload::CampaignPhaseChanged { figures, .. }
            | EventPayload::ConfigurationSetHalted { figures, .. } => figures.is_some(),
            EventPayload::ReconciliationTimedOut { .. }
            | EventPayload::InFlightTimedOut { .. }
            | EventPayload::CutoffNoticesDue { .. } => true,
            _ => false,
        }
    }

    /// The snake_case `type` tag of the payload.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventPayload::VariantRegistered { .. } => "variant_registered",
            EventPayload::FirmwareRegistered { .. } => "firmware_registered",
            EventPayload::GateRecorded { .. } => "gate_recorded",
            EventPayload::EstateLoaded { .. } => "estate_loaded",
            EventPayload::HubInstalled { .. } => "hub_installed",
            EventPayload::HubCommissioned { .. } => "hub_commissioned",
            EventPayload::SupplierChanged { .. } => "supplier_changed",
            EventPayload::SmiStatusChanged { .. } => "smi_status_changed",
            EventPayload::HanDeviceFirmwareChanged { .. } => "han_device_firmware_changed",
            EventPayload::ConsumerFlagsSet { .. } => "consumer_flags_set",
            EventPayload::HubDecommissioned { .. } => "hub_decommissioned",
            EventPayload::CampaignCreated { .. } => "campaign_created",
            EventPayload::CampaignPhaseChanged { .. } => "campaign_phase_changed",
            EventPayload::CutoffExtended { .. } => "cutoff_extended",
            EventPayload::HubsNominated { .. } => "hubs_nominated",
            EventPayload::NominationsWithdrawn { .. } => "nominations_withdrawn",
            EventPayload::WholeEstateApproved { .. } => "whole_estate_approved",
            EventPayload::WholeEstateApprovalWithdrawn { .. } => "whole_estate_approval_withdrawn",
            EventPayload::ConfigurationSetsApproved { .. } => "configuration_sets_approved",
            EventPayload::ConfigurationSetApprovalsWithdrawn { .. } => {
                "configuration_set_approvals_withdrawn"
            }
            EventPayload::HubsRejected { .. } => "hubs_rejected",
            EventPayload::RejectionsWithdrawn { .. } => "rejections_withdrawn",
            EventPayload::RejectionsOverridden { .. } => "rejections_overridden",
            EventPayload::PilotVerdictRecorded { .. } => "pilot_verdict_recorded",
            EventPayload::OutcomesReported { .. } => "outcomes_reported",
            EventPayload::HanHealthReported { .. } => "han_health_reported",
            EventPayload::ReconciliationTimedOut { .. } => "reconciliation_timed_out",
            EventPayload::InFlightTimedOut { .. } => "in_flight_timed_out",
            EventPayload::ConfigurationSetHalted { .. } => "configuration_set_halted",
            EventPayload::ConfigurationSetResumed { .. } => "configuration_set_resumed",
            EventPayload::SupplierHoldPlaced { .. } => "supplier_hold_placed",
            EventPayload::SupplierHoldLifted { .. } => "supplier_hold_lifted",
            EventPayload::DefectFlagged { .. } => "defect_flagged",
            EventPayload::DefectSuspensionLifted { .. } => "defect_suspension_lifted",
            EventPayload::CutoffNoticesDue { .. } => "cutoff_notices_due",
            EventPayload::NotificationsAcknowledged { .. } => "notifications_acknowledged",
        }
    }
}
