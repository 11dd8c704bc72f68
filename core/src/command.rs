//! Commands: what an actor asks the model to do. A command is either refused with an
//! [`crate::Error`] and changes nothing, or yields events (see [`crate::event`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::{Gate, Variant};
use crate::defects::DefectSubject;
use crate::estate::ConfigurationSet;
use crate::estate::{ConsumerFlags, EstateTable, HanDeviceKind, HubRow, SmiStatus, SupplyRole};
use crate::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::participation::{CampaignPolicy, PilotVerdict};
use crate::rollout::{HealthReport, OutcomeReport};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    // --- catalogue ---
    /// DCC: add a hub variant to the catalogue.
    RegisterVariant {
        variant: Box<Variant>,
    },
    /// CSP of the variant's region: register a firmware version with the versions that may
    /// upgrade straight to it (its pathway).
    RegisterFirmware {
        variant: VariantId,
        version: FirmwareVersion,
        #[serde(default)]
        upgrades_from: Vec<FirmwareVersion>,
    },
    /// Record the next readiness gate of a firmware version (see [`Gate::recorder`]).
    RecordGate {
        variant: VariantId,
        version: FirmwareVersion,
        gate: Gate,
        #[serde(default)]
        note: Option<String>,
    },

    // --- estate (the DCC's inventory, except where noted) ---
    /// DCC: load many hubs at once; every row is checked and nothing applied if any is bad.
    LoadEstate {
        hubs: Vec<HubRow>,
    },
    /// DCC: the same load from dictionary-encoded columns (see [`EstateTable`]): the form to
    /// use at national scale, where each string is checked once rather than once a hub.
    LoadEstateTable {
        table: EstateTable,
    },
    /// DCC: one hub installed (and, if its status says so, commissioned).
    InstallHub {
        hub: Box<HubRow>,
    },
    /// DCC: the hub's CHF was commissioned on a date.
    CommissionHub {
        hub: HubId,
        on: NaiveDate,
    },
    /// DCC: the supplier of one supply role changed (or the role became vacant).
    ChangeSupplier {
        hub: HubId,
        role: SupplyRole,
        supplier: Option<CustomerId>,
        #[serde(default)]
        flags: ConsumerFlags,
    },
    /// DCC: the SMI status of the hub's CHF changed (commissioning and decommissioning have
    /// their own commands, with their dates).
    ChangeSmiStatus {
        hub: HubId,
        status: SmiStatus,
    },
    /// DCC, or the supplier responsible for the device: a HAN device's firmware changed.
    ChangeHanDeviceFirmware {
        hub: HubId,
        device: HanDeviceKind,
        firmware: String,
    },
    /// The supplier of a role: its consumer flags on the hub (PSR, high risk, super-friendly).
    SetConsumerFlags {
        hub: HubId,
        role: SupplyRole,
        flags: ConsumerFlags,
    },
    /// DCC: the hub was decommissioned.
    DecommissionHub {
        hub: HubId,
        on: NaiveDate,
    },

    // --- campaigns (DCC) ---
    CreateCampaign {
        campaign: CampaignId,
        variant: VariantId,
        target: FirmwareVersion,
        cutoff: DateTime<Utc>,
        #[serde(default, deserialize_with = "crate::participation::from_map_only")]
        policy: CampaignPolicy,
    },
    /// Operational Approval to begin the pilot.
    GrantPilotOa {
        campaign: CampaignId,
    },
    /// Operational Approval to begin mass rollout.
    GrantMassRolloutOa {
        campaign: CampaignId,
        #[serde(default)]
        override_reason: Option<String>,
    },
    CompleteCampaign {
        campaign: CampaignId,
    },
    SuspendCampaign {
        campaign: CampaignId,
        reason: String,
    },
    ResumeCampaign {
        campaign: CampaignId,
    },
    CancelCampaign {
        campaign: CampaignId,
        reason: String,
    },
    ExtendCutoff {
        campaign: CampaignId,
        customer: CustomerId,
        until: DateTime<Utc>,
    },

    // --- participation (customers, for the hubs they supply) ---
    /// Nominate hubs for the pilot; each hub is taken or refused with its reason.
    NominateHubs {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    WithdrawNominations {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// Approve every hub the customer supplies (skipping the pilot).
    ApproveWholeEstate {
        campaign: CampaignId,
    },
    WithdrawWholeEstateApproval {
        campaign: CampaignId,
    },
    /// Approve the hubs of some configuration sets (taking effect in mass rollout).
    ApproveConfigurationSets {
        campaign: CampaignId,
        sets: Vec<ConfigurationSet>,
    },
    WithdrawConfigurationSetApprovals {
        campaign: CampaignId,
        sets: Vec<ConfigurationSet>,
    },
    /// Hold hubs back, with a reason; they stay blocked until withdrawn or overridden.
    RejectHubs {
        campaign: CampaignId,
        hubs: Vec<HubId>,
        reason: String,
    },
    WithdrawRejections {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// DCC: set aside every rejection of one hub, with a reason.
    OverrideRejections {
        campaign: CampaignId,
        hub: HubId,
        reason: String,
    },
    /// A pilot participant's assessment.
    RecordPilotVerdict {
        campaign: CampaignId,
        verdict: PilotVerdict,
    },

    // --- upgrades, health, halts, defects, notifications ---
    /// The CSP of the campaign's region: outcomes of upgrade attempts, in the order they
    /// happened (one hub may appear more than once). Every row is checked; any bad row refuses
    /// the whole report. Automatic halts follow in the same command where a threshold is crossed.
    ReportOutcomes {
        campaign: CampaignId,
        outcomes: Vec<OutcomeReport>,
    },
    /// A supplier of upgraded hubs: how their HANs are after the upgrade.
    ReportHanHealth {
        campaign: CampaignId,
        reports: Vec<HealthReport>,
    },
    /// DCC (its scheduler): what time has made due. Unanswered hubs past the reconciliation
    /// timeout fail; customers are told their cut-off approaches or has passed.
    CheckDeadlines {},
    /// DCC: halt one configuration set of a campaign. A customer: hold its own hubs in the
    /// campaign (all of them, or those of one configuration set).
    HaltUpgrades {
        campaign: CampaignId,
        #[serde(default)]
        set: Option<ConfigurationSet>,
        reason: String,
    },
    /// DCC: resume a halted configuration set. A customer: release its own hold.
    ResumeUpgrades {
        campaign: CampaignId,
        #[serde(default)]
        set: Option<ConfigurationSet>,
    },
    /// A customer: flag a defect to every customer on a configuration set or firmware version,
    /// named or not, and perhaps suspend its own upgrades on it.
    FlagDefect {
        subject: DefectSubject,
        text: String,
        #[serde(default)]
        named: bool,
        #[serde(default)]
        suspend_own: bool,
    },
    /// The flagging customer: lift the suspension its defect flag placed on its own upgrades.
    LiftDefectSuspension {
        flag: u64,
    },
    /// Any actor: its notifications up to `up_to` were read; they are not delivered again.
    AcknowledgeNotifications {
        up_to: u64,
    },
}

impl Command {
    /// Refuses a command over any bound of [`crate::limits`] before any work is done on it,
    /// naming the field and the limit: one party's oversized input costs the others nothing.
    pub fn check_bounds(&self) -> Result<(), crate::Error> {
        use crate::limits::{self, *};
        use crate::rollout::{HanHealth, Outcome};
        let opt = |field: &str, t: &Option<String>| match t {
            Some(t) => limits::text(field, t),
            None => Ok(()),
        };
        // A configuration set's device models and versions are row texts too.
        let set = |field: &str, set: &ConfigurationSet| -> Result<(), crate::Error> {
            for kind in HanDeviceKind::ALL {
                if let Some(d) = set.devices.get(kind) {
                    limits::text_within(
                        &format!("{field}.{}", kind.as_str()),
                        &d.model,
                        MAX_ROW_TEXT_BYTES,
                    )?;
                    limits::text_within(
                        &format!("{field}.{}", kind.as_str()),
                        &d.firmware,
                        MAX_ROW_TEXT_BYTES,
                    )?;
                }
            }
            Ok(())
        };
        match self {
            Command::RegisterVariant { variant } => {
                limits::text("variant.manufacturer", &variant.manufacturer)?;
                limits::text("variant.model", &variant.model)?;
                limits::text("variant.hardware_version", &variant.hardware_version)
            }
            Command::RegisterFirmware { upgrades_from, .. } => {
                limits::count("upgrades_from", upgrades_from.len(), MAX_SETS_PER_COMMAND)
            }
            Command::RecordGate { note, .. } => opt("note", note),
            Command::ChangeHanDeviceFirmware { firmware, .. } => {
                limits::text_within("firmware", firmware, MAX_ROW_TEXT_BYTES)
            }
            Command::GrantMassRolloutOa {
                override_reason, ..
            } => opt("override_reason", override_reason),
            Command::SuspendCampaign { reason, .. }
            | Command::CancelCampaign { reason, .. }
            | Command::OverrideRejections { reason, .. }
            | Command::HaltUpgrades {
                reason, set: None, ..
            } => limits::text("reason", reason),
            Command::HaltUpgrades {
                reason,
                set: Some(s),
                ..
            } => {
                limits::text("reason", reason)?;
                set("set", s)
            }
            Command::NominateHubs { hubs, .. }
            | Command::WithdrawNominations { hubs, .. }
            | Command::WithdrawRejections { hubs, .. } => {
                limits::count("hubs", hubs.len(), MAX_HUBS_PER_COMMAND)
            }
            Command::RejectHubs { hubs, reason, .. } => {
                limits::count("hubs", hubs.len(), MAX_HUBS_PER_COMMAND)?;
                limits::text("reason", reason)
            }
            Command::ApproveConfigurationSets { sets, .. }
            | Command::WithdrawConfigurationSetApprovals { sets, .. } => {
                limits::count("sets", sets.len(), MAX_SETS_PER_COMMAND)?;
                sets.iter()
                    .enumerate()
                    .try_for_each(|(i, s)| set(&format!("sets[{i}]"), s))
            }
            Command::RecordPilotVerdict { verdict, .. } => match verdict {
                PilotVerdict::IssuesFound { text } => limits::text("verdict.text", text),
                PilotVerdict::Success => Ok(()),
            },
            Command::ReportOutcomes { outcomes, .. } => {
                limits::count("outcomes", outcomes.len(), MAX_OUTCOME_ROWS)?;
                for (i, row) in outcomes.iter().enumerate() {
                    if let Outcome::DeliveryFailed { reason: Some(r) }
                    | Outcome::ActivationFailed { reason: Some(r) } = &row.outcome
                    {
                        limits::text_within(
                            &format!("outcomes[{i}].reason"),
                            r,
                            MAX_ROW_TEXT_BYTES,
                        )?;
                    }
                    if let Outcome::ReadBack { firmware } = &row.outcome {
                        limits::text_within(
                            &format!("outcomes[{i}].firmware"),
                            firmware.as_str(),
                            MAX_ROW_TEXT_BYTES,
                        )?;
                    }
                }
                Ok(())
            }
            Command::ReportHanHealth { reports, .. } => {
                limits::count("reports", reports.len(), MAX_HUBS_PER_COMMAND)?;
                for (i, r) in reports.iter().enumerate() {
                    if let HanHealth::DeviceMisbehaves { text: Some(t), .. } = &r.health {
                        limits::text_within(&format!("reports[{i}].text"), t, MAX_ROW_TEXT_BYTES)?;
                    }
                }
                Ok(())
            }
            Command::FlagDefect { text, subject, .. } => {
                limits::text("text", text)?;
                match subject {
                    DefectSubject::ConfigurationSet { set: s } => set("subject.set", s),
                    DefectSubject::Firmware { .. } => Ok(()),
                }
            }
            Command::ResumeUpgrades { set: Some(s), .. } => set("set", s),
            Command::LoadEstate { .. }
            | Command::LoadEstateTable { .. }
            | Command::InstallHub { .. }
            | Command::CommissionHub { .. }
            | Command::ChangeSupplier { .. }
            | Command::ChangeSmiStatus { .. }
            | Command::SetConsumerFlags { .. }
            | Command::DecommissionHub { .. }
            | Command::CreateCampaign { .. }
            | Command::GrantPilotOa { .. }
            | Command::CompleteCampaign { .. }
            | Command::ResumeCampaign { .. }
            | Command::ExtendCutoff { .. }
            | Command::ApproveWholeEstate { .. }
            | Command::WithdrawWholeEstateApproval { .. }
            | Command::CheckDeadlines {}
            | Command::ResumeUpgrades { set: None, .. }
            | Command::LiftDefectSuspension { .. }
            | Command::AcknowledgeNotifications { .. } => Ok(()),
        }
    }

    /// A short phrase naming the action, used in refusals ("DCC may not ...").
    pub fn action(&self) -> String {
        match self {
            Command::RegisterVariant { variant } => format!("register variant {}", variant.id),
            Command::RegisterFirmware {
                variant, version, ..
            } => {
                format!("register firmware {version} of variant {variant}")
            }
            Command::RecordGate {
                variant,
                version,
                gate,
                ..
            } => {
                format!("record gate {gate} for firmware {version} of variant {variant}")
            }
            Command::LoadEstate { hubs } => format!("load {} hubs into the estate", hubs.len()),
            Command::LoadEstateTable { table } => {
                format!("load {} hubs into the estate", table.len())
            }
            Command::InstallHub { hub } => format!("install hub {}", hub.id),
            Command::CommissionHub { hub, .. } => format!("commission hub {hub}"),
            Command::ChangeSupplier { hub, role, .. } => {
                format!("change the {} supplier of hub {hub}", role.as_str())
            }
            Command::ChangeSmiStatus { hub, .. } => format!("change the SMI status of hub {hub}"),
            Command::ChangeHanDeviceFirmware { hub, device, .. } => {
                format!("change the {} firmware of hub {hub}", device.as_str())
            }
            Command::SetConsumerFlags { hub, role, .. } => {
                format!("set the {} consumer flags of hub {hub}", role.as_str())
            }
            Command::DecommissionHub { hub, .. } => format!("decommission hub {hub}"),
            Command::CreateCampaign { campaign, .. } => format!("create campaign {campaign}"),
            Command::GrantPilotOa { campaign } => format!("grant pilot OA for campaign {campaign}"),
            Command::GrantMassRolloutOa { campaign, .. } => {
                format!("grant mass rollout OA for campaign {campaign}")
            }
            Command::CompleteCampaign { campaign } => format!("complete campaign {campaign}"),
            Command::SuspendCampaign { campaign, .. } => format!("suspend campaign {campaign}"),
            Command::ResumeCampaign { campaign } => format!("resume campaign {campaign}"),
            Command::CancelCampaign { campaign, .. } => format!("cancel campaign {campaign}"),
            Command::ExtendCutoff {
                campaign, customer, ..
            } => {
                format!("extend the cut-off of customer {customer} in campaign {campaign}")
            }
            Command::NominateHubs { campaign, hubs } => {
                format!("nominate {} hubs for the pilot of {campaign}", hubs.len())
            }
            Command::WithdrawNominations { campaign, hubs } => {
                format!("withdraw {} nominations in {campaign}", hubs.len())
            }
            Command::ApproveWholeEstate { campaign } => {
                format!("approve its whole estate in {campaign}")
            }
            Command::WithdrawWholeEstateApproval { campaign } => {
                format!("withdraw its whole-estate approval in {campaign}")
            }
            Command::ApproveConfigurationSets { campaign, sets } => {
                format!("approve {} configuration sets in {campaign}", sets.len())
            }
            Command::WithdrawConfigurationSetApprovals { campaign, sets } => {
                format!(
                    "withdraw {} configuration-set approvals in {campaign}",
                    sets.len()
                )
            }
            Command::RejectHubs { campaign, hubs, .. } => {
                format!("reject {} hubs in {campaign}", hubs.len())
            }
            Command::WithdrawRejections { campaign, hubs } => {
                format!("withdraw {} rejections in {campaign}", hubs.len())
            }
            Command::OverrideRejections { campaign, hub, .. } => {
                format!("override the rejections of hub {hub} in {campaign}")
            }
            Command::RecordPilotVerdict { campaign, .. } => {
                format!("record a pilot verdict in {campaign}")
            }
            Command::ReportOutcomes { campaign, outcomes } => {
                format!("report {} upgrade outcomes in {campaign}", outcomes.len())
            }
            Command::ReportHanHealth { campaign, reports } => {
                format!(
                    "report the HAN health of {} hubs in {campaign}",
                    reports.len()
                )
            }
            Command::CheckDeadlines {} => "check deadlines".to_string(),
            Command::HaltUpgrades { campaign, set, .. } => match set {
                Some(set) => format!("halt upgrades of {} in {campaign}", set.key()),
                None => format!("halt upgrades in {campaign}"),
            },
            Command::ResumeUpgrades { campaign, set } => match set {
                Some(set) => format!("resume upgrades of {} in {campaign}", set.key()),
                None => format!("resume upgrades in {campaign}"),
            },
            Command::FlagDefect { .. } => "flag a defect".to_string(),
            Command::LiftDefectSuspension { flag } => {
                format!("lift the suspension of defect flag {flag}")
            }
            Command::AcknowledgeNotifications { up_to } => {
                format!("acknowledge notifications up to {up_to}")
            }
        }
    }
}
