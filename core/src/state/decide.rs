//! Command to events. Pure: reads the state, never changes it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::State;
use crate::actor::Actor;
use crate::campaign::{Phase, Transition};
use crate::catalogue::{FirmwareIdx, Gate, GateRecorder, VariantIdx};
use crate::command::Command;
use crate::error::{Entity, RowError, Rule};
use crate::estate::{
    check_dates, date_from_days, too_many_customers, EstateTable, HanDeviceKind, SmiStatus,
    NO_CUSTOMER,
};
use crate::event::EventPayload;
use crate::ids::{CampaignId, FirmwareVersion, VariantId};
use crate::notify::Outboxes;
use crate::Error;

impl State {
    /// Decides what `command` by `actor` at `at` does: the events to record, or why it is
    /// refused. Nothing changes here; [`crate::Engine::execute`] applies the events.
    pub(crate) fn decide(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
        outboxes: &Outboxes,
    ) -> Result<Vec<EventPayload>, Error> {
        if let Some(last) = self.last_at {
            if at < last {
                return Err(Error::precondition(
                    Rule::TimeOrder,
                    format!("command time {at} is before the last recorded event ({last})"),
                ));
            }
        }
        command.check_bounds()?;
        let action = command.action();
        if *actor == Actor::System {
            return Err(Error::not_permitted(
                actor,
                &action,
                "the system records automatic acts under a campaign's policy; it makes no commands",
            ));
        }
        let dcc_only = || -> Result<(), Error> {
            match actor {
                Actor::Dcc => Ok(()),
                _ => Err(Error::not_permitted(
                    actor,
                    &action,
                    "only the DCC may do this",
                )),
            }
        };
        let event = match command {
            Command::RegisterVariant { variant } => {
                dcc_only()?;
                for (field, value) in [
                    ("variant.manufacturer", &variant.manufacturer),
                    ("variant.model", &variant.model),
                    ("variant.hardware_version", &variant.hardware_version),
                ] {
                    if value.trim().is_empty() {
                        return Err(Error::invalid_input(field, "must not be empty"));
                    }
                }
                if self.catalogue.variant_idx(&variant.id).is_some() {
                    return Err(Error::already_exists(Entity::Variant, &variant.id));
                }
                if self.catalogue.variants.len() >= usize::from(u16::MAX) {
                    return Err(Error::precondition(
                        Rule::Capacity,
                        "more than 65 535 variants",
                    ));
                }
                EventPayload::VariantRegistered { variant }
            }
            Command::RegisterFirmware {
                variant,
                version,
                upgrades_from,
            } => {
                let v = self.variant_idx(&variant)?;
                self.require_region_csp(actor, v, &action)?;
                if self.catalogue.firmware_idx(v, &version).is_some() {
                    return Err(Error::already_exists(
                        Entity::Firmware,
                        format!("{variant}@{version}"),
                    ));
                }
                let mut seen = HashSet::new();
                for from in &upgrades_from {
                    if from == &version {
                        return Err(Error::precondition(
                            Rule::Pathway,
                            format!("firmware {version} cannot upgrade from itself"),
                        ));
                    }
                    self.firmware_idx(v, &variant, from)?;
                    if !seen.insert(from) {
                        return Err(Error::invalid_input(
                            "upgrades_from",
                            format!("{from} is listed twice"),
                        ));
                    }
                }
                if self.catalogue.firmware.len() >= usize::from(u16::MAX) {
                    return Err(Error::precondition(
                        Rule::Capacity,
                        "more than 65 535 firmware versions",
                    ));
                }
                EventPayload::FirmwareRegistered {
                    variant,
                    version,
                    upgrades_from,
                }
            }
            Command::RecordGate {
                variant,
                version,
                gate,
                note,
            } => {
                let v = self.variant_idx(&variant)?;
                let f = self.firmware_idx(v, &variant, &version)?;
                match (gate.recorder(), actor) {
                    (GateRecorder::Dcc, Actor::Dcc)
                    | (GateRecorder::Customer, Actor::Customer(_)) => {}
                    (GateRecorder::RegionCsp, _) => self.require_region_csp(actor, v, &action)?,
                    (GateRecorder::Dcc, _) => {
                        return Err(Error::not_permitted(
                            actor,
                            &action,
                            format!("only the DCC records {gate}"),
                        ))
                    }
                    (GateRecorder::Customer, _) => {
                        return Err(Error::not_permitted(
                            actor,
                            &action,
                            format!("{gate} is recorded by a DCC Customer with its test feedback"),
                        ))
                    }
                }
                if gate == Gate::CustomerTested
                    && note.as_deref().is_none_or(|n| n.trim().is_empty())
                {
                    return Err(Error::invalid_input(
                        "note",
                        "customer testing needs the customer's feedback",
                    ));
                }
                let recorded = &self.catalogue.fw(f).gates;
                if gate.position() < recorded.len() {
                    return Err(Error::precondition(
                        Rule::GateOrder,
                        format!(
                            "{variant}@{version}: {gate} was already recorded at {}",
                            recorded[gate.position()].at
                        ),
                    ));
                }
                if gate.position() > recorded.len() {
                    return Err(Error::precondition(
                        Rule::GateOrder,
                        format!(
                            "{variant}@{version}: {} must be recorded before {gate}",
                            Gate::ALL[recorded.len()]
                        ),
                    ));
                }
                EventPayload::GateRecorded {
                    variant,
                    version,
                    gate,
                    note,
                }
            }
            Command::LoadEstate { hubs } => {
                dcc_only()?;
                self.decide_load(EstateTable::from_rows(&hubs))?
            }
            Command::LoadEstateTable { table } => {
                dcc_only()?;
                self.decide_load(table)?
            }
            Command::InstallHub { hub } => {
                dcc_only()?;
                let table = EstateTable::from_rows([hub.as_ref()]);
                if let Some((_, e)) = self
                    .estate
                    .check_table(&self.catalogue, &table)?
                    .into_iter()
                    .next()
                {
                    return Err(e);
                }
                EventPayload::HubInstalled { hub }
            }
            Command::CommissionHub { hub, on } => {
                dcc_only()?;
                let (_, rec) = self.hub_for(actor, hub)?;
                if !matches!(
                    rec.smi,
                    SmiStatus::Pending
                        | SmiStatus::Whitelisted
                        | SmiStatus::InstalledNotCommissioned
                ) {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!(
                            "hub {hub} is {}; only a hub not yet commissioned can be commissioned",
                            rec.smi
                        ),
                    ));
                }
                let installed = date_from_days(rec.installed).unwrap_or(on);
                check_dates(hub, SmiStatus::Commissioned, installed, Some(on))?;
                EventPayload::HubCommissioned { hub, on }
            }
            Command::ChangeSupplier {
                hub,
                role,
                supplier,
                flags,
            } => {
                dcc_only()?;
                let (pos, rec) = self.hub_for(actor, hub)?;
                if rec.smi == SmiStatus::Decommissioned {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!("hub {hub} is decommissioned"),
                    ));
                }
                let devices = self.estate.devices_of(rec.config);
                match &supplier {
                    Some(_) if devices.get(role.meter()).is_none() => {
                        return Err(Error::precondition(
                            Rule::SupplyRole,
                            format!(
                                "hub {hub} has no {} for a {} supplier",
                                role.meter().as_str().to_uppercase(),
                                role.as_str()
                            ),
                        ))
                    }
                    None if flags.any() => {
                        return Err(Error::precondition(
                            Rule::SupplyRole,
                            format!(
                                "hub {hub}: {} flags given with no {} supplier",
                                role.as_str(),
                                role.as_str()
                            ),
                        ))
                    }
                    _ => {}
                }
                let current = self.estate.customer(self.estate.hubs[pos].supplier(role));
                if current == supplier.as_ref() {
                    return Err(Error::precondition(
                        Rule::SupplyRole,
                        match &supplier {
                            Some(c) => {
                                format!("{c} already holds the {} role on hub {hub}", role.as_str())
                            }
                            None => {
                                format!("the {} role on hub {hub} is already vacant", role.as_str())
                            }
                        },
                    ));
                }
                // A customer new to the estate takes one of its 65 535 customer indices.
                if supplier
                    .as_ref()
                    .is_some_and(|c| self.estate.customer_idx(c).is_none())
                    && self.estate.customers.len() + 1 >= usize::from(NO_CUSTOMER)
                {
                    return Err(too_many_customers());
                }
                EventPayload::SupplierChanged {
                    hub,
                    role,
                    supplier,
                    flags,
                }
            }
            Command::ChangeSmiStatus { hub, status } => {
                dcc_only()?;
                let (_, rec) = self.hub_for(actor, hub)?;
                let refuse = |why: String| {
                    Err(Error::precondition(
                        Rule::HubState,
                        format!("hub {hub}: {why}"),
                    ))
                };
                if rec.smi == status {
                    return refuse(format!("its SMI status is already {status}"));
                }
                if rec.smi == SmiStatus::Decommissioned {
                    return refuse("a decommissioned hub's status is final".into());
                }
                match status {
                    SmiStatus::Decommissioned => {
                        return refuse(
                            "decommission it with decommission_hub, which records the date".into(),
                        )
                    }
                    SmiStatus::Commissioned if date_from_days(rec.commissioned).is_none() => {
                        return refuse(
                            "it was never commissioned: use commission_hub, which records the date"
                                .into(),
                        )
                    }
                    SmiStatus::Pending
                    | SmiStatus::Whitelisted
                    | SmiStatus::InstalledNotCommissioned
                        if date_from_days(rec.commissioned).is_some() =>
                    {
                        return refuse(format!(
                            "it was commissioned; it cannot go back to {status}"
                        ))
                    }
                    _ => {}
                }
                EventPayload::SmiStatusChanged {
                    hub,
                    from: rec.smi,
                    to: status,
                }
            }
            Command::ChangeHanDeviceFirmware {
                hub,
                device,
                firmware,
            } => {
                if let Actor::Csp(_) = actor {
                    return Err(Error::not_permitted(
                        actor,
                        &action,
                        "HAN device firmware is the DCC's inventory or the supplier's own",
                    ));
                }
                let (_, rec) = self.hub_for(actor, hub)?;
                if let Some(c) = self.customer_of(actor) {
                    let responsible = match device {
                        HanDeviceKind::Esme => rec.import_supplier == c,
                        HanDeviceKind::Gsme => rec.gas_supplier == c,
                        _ => rec.is_supplied_by(c),
                    };
                    if !responsible {
                        return Err(Error::not_permitted(
                            actor,
                            &action,
                            format!(
                                "the {} is the other supply role's device",
                                device.as_str().to_uppercase()
                            ),
                        ));
                    }
                }
                if firmware.trim().is_empty() {
                    return Err(Error::invalid_input("firmware", "must not be empty"));
                }
                let devices = self.estate.devices_of(rec.config);
                let current = devices.get(device).ok_or_else(|| {
                    Error::precondition(
                        Rule::HubState,
                        format!("hub {hub} has no {}", device.as_str().to_uppercase()),
                    )
                })?;
                if current.firmware == firmware {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!(
                            "hub {hub}: the {} already runs {firmware}",
                            device.as_str().to_uppercase()
                        ),
                    ));
                }
                EventPayload::HanDeviceFirmwareChanged {
                    hub,
                    device,
                    from: current.firmware.clone(),
                    to: firmware,
                }
            }
            Command::SetConsumerFlags { hub, role, flags } => {
                if !matches!(actor, Actor::Customer(_)) {
                    return Err(Error::not_permitted(
                        actor,
                        &action,
                        "consumer flags are the supplier's own record",
                    ));
                }
                let (_, rec) = self.hub_for(actor, hub)?;
                let me = self.customer_of(actor).unwrap_or(NO_CUSTOMER);
                if rec.supplier(role) != me {
                    return Err(Error::not_permitted(
                        actor,
                        &action,
                        format!("it does not hold the {} role on hub {hub}", role.as_str()),
                    ));
                }
                if rec.flags(role) == flags {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!("hub {hub}: the {} flags are already so", role.as_str()),
                    ));
                }
                EventPayload::ConsumerFlagsSet { hub, role, flags }
            }
            Command::DecommissionHub { hub, on } => {
                dcc_only()?;
                let (_, rec) = self.hub_for(actor, hub)?;
                if rec.smi == SmiStatus::Decommissioned {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!("hub {hub} is already decommissioned"),
                    ));
                }
                let latest = date_from_days(rec.commissioned).or(date_from_days(rec.installed));
                if let Some(d) = latest.filter(|d| on < *d) {
                    return Err(Error::invalid_input(
                        "on",
                        format!("hub {hub}: decommissioned on {on}, before it was installed or commissioned ({d})"),
                    ));
                }
                EventPayload::HubDecommissioned { hub, on }
            }
            Command::CreateCampaign {
                campaign,
                variant,
                target,
                cutoff,
                policy,
            } => {
                dcc_only()?;
                policy.check()?;
                if self.campaigns.contains_key(&campaign) {
                    return Err(Error::already_exists(Entity::Campaign, &campaign));
                }
                let v = self.variant_idx(&variant)?;
                // Every eligibility check walks the variant's open campaigns: keep them few.
                let open = self
                    .campaigns
                    .values()
                    .filter(|c| c.variant == v && !c.phase.is_terminal())
                    .count();
                if open >= crate::limits::MAX_LIVE_CAMPAIGNS_PER_VARIANT {
                    return Err(Error::too_many(
                        "campaigns not completed or cancelled for this variant",
                        open + 1,
                        crate::limits::MAX_LIVE_CAMPAIGNS_PER_VARIANT,
                    ));
                }
                let f = self.firmware_idx(v, &variant, &target)?;
                let fw = self.catalogue.fw(f);
                if !fw.on_production_cpl() {
                    return Err(Error::precondition(
                        Rule::NotOnProductionCpl,
                        format!(
                            "{variant}@{target} has passed {} of {} gates; next is {}",
                            fw.gates.len(),
                            Gate::ALL.len(),
                            Gate::ALL[fw.gates.len()]
                        ),
                    ));
                }
                if cutoff <= at {
                    return Err(Error::invalid_input(
                        "cutoff",
                        format!("cut-off {cutoff} must be after the campaign is created ({at})"),
                    ));
                }
                EventPayload::CampaignCreated {
                    campaign,
                    variant,
                    target,
                    cutoff,
                    policy,
                }
            }
            Command::GrantPilotOa { campaign } => {
                dcc_only()?;
                self.transition(&campaign, Transition::StartPilot, None)?
            }
            Command::GrantMassRolloutOa {
                campaign,
                override_reason,
            } => {
                dcc_only()?;
                let event = self.transition(&campaign, Transition::StartMassRollout, None)?;
                let c = self.campaign_for(actor, &campaign)?;
                let missing = self.missing_assessment(c, at);
                let override_reason = override_reason.filter(|r| !r.trim().is_empty());
                if !missing.is_empty() && override_reason.is_none() {
                    return Err(Error::precondition(
                        Rule::PilotAssessment,
                        format!(
                            "OA for mass rollout of {campaign} waits for {} (or a DCC override with a reason)",
                            missing.join("; ")
                        ),
                    ));
                }
                match (event, override_reason) {
                    (
                        EventPayload::CampaignPhaseChanged {
                            campaign, from, to, ..
                        },
                        Some(reason),
                    ) => EventPayload::CampaignPhaseChanged {
                        campaign,
                        from,
                        to,
                        reason: Some(format!("override: {reason}")),
                        figures: None,
                    },
                    (event, _) => event,
                }
            }
            Command::CompleteCampaign { campaign } => {
                dcc_only()?;
                self.transition(&campaign, Transition::Complete, None)?
            }
            Command::SuspendCampaign { campaign, reason } => {
                dcc_only()?;
                self.transition(&campaign, Transition::Suspend, Some(reason))?
            }
            Command::ResumeCampaign { campaign } => {
                dcc_only()?;
                self.transition(&campaign, Transition::Resume, None)?
            }
            Command::CancelCampaign { campaign, reason } => {
                dcc_only()?;
                self.transition(&campaign, Transition::Cancel, Some(reason))?
            }
            Command::ExtendCutoff {
                campaign,
                customer,
                until,
            } => {
                dcc_only()?;
                let c = self.campaign_for(actor, &campaign)?;
                if c.phase.is_terminal() {
                    return Err(Error::precondition(
                        Rule::CampaignClosed,
                        format!(
                            "campaign {campaign} is {}; its cut-offs no longer apply",
                            c.phase
                        ),
                    ));
                }
                let idx = self
                    .estate
                    .customer_idx(&customer)
                    .ok_or_else(|| Error::not_found(Entity::Customer, &customer))?;
                let current = c.cutoff_for(idx);
                if until <= current {
                    return Err(Error::precondition(
                        Rule::CutoffNotLater,
                        format!(
                            "{customer}'s cut-off in {campaign} is {current}; {until} is not later"
                        ),
                    ));
                }
                EventPayload::CutoffExtended {
                    campaign,
                    customer,
                    until,
                }
            }
            rollout @ (Command::ReportOutcomes { .. }
            | Command::ReportHanHealth { .. }
            | Command::CheckDeadlines {}
            | Command::HaltUpgrades { .. }
            | Command::ResumeUpgrades { .. }
            | Command::FlagDefect { .. }
            | Command::LiftDefectSuspension { .. }) => {
                return self.decide_rollout(actor, at, rollout)
            }
            Command::AcknowledgeNotifications { up_to } => {
                return self.decide_acknowledge(actor, up_to, outboxes)
            }
            participation @ (Command::NominateHubs { .. }
            | Command::WithdrawNominations { .. }
            | Command::ApproveWholeEstate { .. }
            | Command::WithdrawWholeEstateApproval { .. }
            | Command::ApproveConfigurationSets { .. }
            | Command::WithdrawConfigurationSetApprovals { .. }
            | Command::RejectHubs { .. }
            | Command::WithdrawRejections { .. }
            | Command::OverrideRejections { .. }
            | Command::RecordPilotVerdict { .. }) => {
                self.decide_participation(actor, participation)?
            }
        };
        Ok(vec![event])
    }

    fn variant_idx(&self, id: &VariantId) -> Result<VariantIdx, Error> {
        self.catalogue
            .variant_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Variant, id))
    }

    fn firmware_idx(
        &self,
        v: VariantIdx,
        variant: &VariantId,
        version: &FirmwareVersion,
    ) -> Result<FirmwareIdx, Error> {
        self.catalogue
            .firmware_idx(v, version)
            .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{version}")))
    }

    fn require_region_csp(&self, actor: &Actor, v: VariantIdx, action: &str) -> Result<(), Error> {
        let region = self.catalogue.variant(v).region;
        if *actor == Actor::Csp(region) {
            Ok(())
        } else {
            Err(Error::not_permitted(
                actor,
                action,
                format!("only the CSP of the {region} region may do this for its variants"),
            ))
        }
    }

    /// A bulk load: every bad hub reported at once, by row, and the event only if none is.
    fn decide_load(&self, mut table: EstateTable) -> Result<EventPayload, Error> {
        self.check_load(&table)?;
        table.drop_empty_columns();
        Ok(EventPayload::EstateLoaded { table })
    }

    /// Checks a bulk load as `decide` and a replay both must: the table whole, then every hub,
    /// each bad one a row of one `BulkRejected`.
    pub(super) fn check_load(&self, table: &EstateTable) -> Result<(), Error> {
        let bad = self.estate.check_table(&self.catalogue, table)?;
        if bad.is_empty() {
            return Ok(());
        }
        Err(Error::BulkRejected {
            rows: bad
                .into_iter()
                .map(|(row, e)| RowError {
                    row,
                    reason: e.to_string(),
                })
                .collect(),
        })
    }

    fn transition(
        &self,
        id: &CampaignId,
        transition: Transition,
        reason: Option<String>,
    ) -> Result<EventPayload, Error> {
        let campaign = self.campaign_for(&Actor::Dcc, id)?;
        let to = transition
            .target(campaign.phase, campaign.resume_to)
            .ok_or_else(|| Error::IllegalTransition {
                campaign: id.to_string(),
                current: campaign.phase,
                attempted: transition,
            })?;
        if matches!(transition, Transition::Suspend | Transition::Cancel)
            && reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            return Err(Error::invalid_input(
                "reason",
                format!("a {transition} needs a reason"),
            ));
        }
        debug_assert!(to != Phase::Draft);
        Ok(EventPayload::CampaignPhaseChanged {
            campaign: id.clone(),
            from: campaign.phase,
            to,
            reason,
            figures: None,
        })
    }
}
