//! Decisions on participation commands: nominations, approvals, rejections, verdicts, and the
//! assessment gate on OA for mass rollout.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, RowError, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::kernel::limits;
use crate::model::campaigns::{Campaign, Phase};
use crate::model::estate::{ConfigurationSet, CustomerIdx, SmiStatus, SupplyRole, NO_CUSTOMER};
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::participation::{HubRefusal, PilotVerdict};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// The hubs a bulk command took, and those it refused with why.
pub(super) struct Sorted {
    taken: Vec<HubId>,
    refused: Vec<HubRefusal>,
    rows: Vec<RowError>,
}

impl Sorted {
    pub(super) fn sort(
        hubs: &[HubId],
        mut check: impl FnMut(HubId) -> Result<(), String>,
    ) -> Result<Sorted, Error> {
        if hubs.is_empty() {
            return Err(Error::invalid_input("hubs", "name at least one hub"));
        }
        limits::count("hubs", hubs.len(), limits::MAX_HUBS_PER_COMMAND)?;
        // A hub listed again is taken (or refused) once: repetition costs nothing twice.
        let mut seen = HashSet::with_capacity(hubs.len());
        let mut out = Sorted {
            taken: Vec::new(),
            refused: Vec::new(),
            rows: Vec::new(),
        };
        for (row, &hub) in hubs.iter().enumerate() {
            if !seen.insert(hub) {
                continue;
            }
            match check(hub) {
                Ok(()) => out.taken.push(hub),
                Err(reason) => {
                    out.rows.push(RowError {
                        row,
                        reason: format!("hub {hub}: {reason}"),
                    });
                    out.refused.push(HubRefusal { hub, reason });
                }
            }
        }
        if out.taken.is_empty() {
            return Err(Error::BulkRejected { rows: out.rows });
        }
        Ok(out)
    }
}

impl State {
    /// The asking customer, known to the estate (a customer with no hubs has nothing to say).
    pub(super) fn participant(
        &self,
        actor: &Actor,
        action: &str,
    ) -> Result<(CustomerIdx, CustomerId), Error> {
        let Actor::Customer(id) = actor else {
            return Err(Error::not_permitted(
                actor,
                action,
                "only a DCC Customer does this, for the hubs it supplies",
            ));
        };
        let idx = self
            .estate
            .customer_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Customer, id))?;
        Ok((idx, id.clone()))
    }

    /// The campaign, in a phase that takes participation (Pilot or Mass rollout, or suspended
    /// from one of them); with `pilot_only`, only the pilot's.
    pub(super) fn open_campaign(
        &self,
        actor: &Actor,
        id: &CampaignId,
        pilot_only: bool,
    ) -> Result<&Campaign, Error> {
        let c = self.campaign_for(actor, id)?;
        let rules = c.resume_to.unwrap_or(c.phase);
        let ok = if pilot_only {
            rules == Phase::Pilot
        } else {
            matches!(rules, Phase::Pilot | Phase::MassRollout)
        };
        if !ok {
            return Err(Error::precondition(
                Rule::CampaignPhase,
                format!(
                    "campaign {id} is {}; this is taken {}",
                    c.phase,
                    if pilot_only {
                        "during the pilot"
                    } else {
                        "during the pilot or mass rollout"
                    }
                ),
            ));
        }
        Ok(c)
    }

    /// The position of a hub `me` supplies, or the per-hub reason it is not one of its hubs.
    pub(super) fn my_hub(&self, actor: &Actor, hub: HubId) -> Result<usize, String> {
        self.hub_for(actor, hub)
            .map(|(pos, _)| pos)
            .map_err(|_| "not one of your hubs".to_string())
    }

    /// What stands between the pilot and OA for mass rollout at `at`: the assessment period,
    /// and each participant without a verdict whose cut-off has not passed.
    pub(super) fn missing_assessment(&self, c: &Campaign, at: DateTime<Utc>) -> Vec<String> {
        let mut missing = Vec::new();
        if let Some(start) = c.pilot_started {
            // Checked: a period that ends past the calendar's end never ends.
            match start.checked_add_signed(Duration::days(i64::from(c.policy.min_assessment_days)))
            {
                Some(ends) if at < ends => {
                    missing.push(format!("the assessment period, which ends {ends}"))
                }
                None => missing.push("the assessment period, which never ends".to_string()),
                Some(_) => {}
            }
        }
        for (&customer, hubs) in &c.consents.nominations {
            if !hubs.is_empty()
                && !c.consents.verdicts.contains_key(&customer)
                && at < c.cutoff_for(customer)
                && customer != NO_CUSTOMER
            {
                let name = self
                    .estate
                    .customer(customer)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                missing.push(format!("a pilot verdict from {name}"));
            }
        }
        missing
    }

    /// The interned configuration set equal to `set`, if any hub ever had it.
    /// The configuration sets `me` has at least one hub on now.
    pub(crate) fn configs_supplied_by(&self, me: CustomerIdx) -> HashSet<u32> {
        self.estate
            .hubs_of(me, 0)
            .map(|p| self.estate.hubs[p].config)
            .collect()
    }

    pub(crate) fn find_config(&self, set: &ConfigurationSet) -> Option<u32> {
        let variant = self.catalogue.variant_idx(&set.variant)?;
        let firmware = self.catalogue.firmware_idx(variant, &set.firmware)?;
        let mut devices = [crate::model::estate::NO_DEVICE; 5];
        for (slot, kind) in devices
            .iter_mut()
            .zip(crate::model::estate::HanDeviceKind::ALL)
        {
            if let Some(d) = set.devices.get(kind) {
                *slot = self.estate.devices.get(d)?;
            }
        }
        self.estate.configs.get(&crate::model::estate::ConfigSet {
            variant,
            firmware,
            devices,
        })
    }
}

/// Nominate hubs for the pilot; each hub is taken or refused with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NominateHubs {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
}

impl Decide for NominateHubs {
    fn action(&self) -> String {
        let NominateHubs { campaign, hubs } = self;
        format!("nominate {} hubs for the pilot of {campaign}", hubs.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("hubs", self.hubs.len(), limits::MAX_HUBS_PER_COMMAND)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let NominateHubs { campaign, hubs } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, true)?;
        let routes = state.catalogue.routes_to(c.target);
        let cap = c.policy.pilot_cap_per_customer.map(|n| n as usize);
        let mut count = c.consents.nominated_count(me);
        let s = Sorted::sort(&hubs, |hub| {
            let pos = state.my_hub(actor, hub)?;
            let rec = &state.estate.hubs[pos];
            if rec.variant != c.variant {
                return Err(format!(
                    "it is a {} hub; the campaign is for {}",
                    state.catalogue.variant(rec.variant).id,
                    state.catalogue.variant(c.variant).id
                ));
            }
            if rec.smi != SmiStatus::Commissioned {
                return Err(format!("it is {}, not commissioned", rec.smi));
            }
            if rec.firmware == c.target {
                return Err("it already runs the target version".into());
            }
            if !routes.contains_key(&rec.firmware) {
                return Err(format!(
                    "no upgrade pathway leads from {} to the target",
                    state.catalogue.fw(rec.firmware).version
                ));
            }
            if SupplyRole::ALL
                .iter()
                .any(|&r| rec.flags(r).vulnerable || rec.flags(r).high_risk)
            {
                // Whichever supplier flagged it: the flag's owner is not said (decision 12).
                return Err(
                    "a protected premises (flagged vulnerable or high risk by a supplier): never in a pilot"
                        .into(),
                );
            }
            if c.consents.nominated_by(me, pos as u32) {
                return Err("already nominated".into());
            }
            if c.consents.rejection_by(me, pos as u32).is_some() {
                return Err("you rejected it; withdraw the rejection first".into());
            }
            if cap.is_some_and(|cap| count >= cap) {
                return Err(format!(
                    "over the pilot cap of {} hubs per customer",
                    cap.unwrap_or_default()
                ));
            }
            count += 1;
            Ok(())
        })?;
        Ok(vec![EventPayload::HubsNominated(HubsNominated {
            campaign,
            customer,
            hubs: s.taken,
            refused: s.refused,
        })])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawNominations {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
}

impl Decide for WithdrawNominations {
    fn action(&self) -> String {
        let WithdrawNominations { campaign, hubs } = self;
        format!("withdraw {} nominations in {campaign}", hubs.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("hubs", self.hubs.len(), limits::MAX_HUBS_PER_COMMAND)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let WithdrawNominations { campaign, hubs } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, false)?;
        let s = Sorted::sort(&hubs, |hub| {
            let pos = state.my_hub(actor, hub)?;
            if !c.consents.nominated_by(me, pos as u32) {
                Err("not nominated by you".into())
            } else if c.rollout.upgrades.contains_key(&(pos as u32)) {
                Err("its upgrade was dispatched; a nomination stands from then on".into())
            } else {
                Ok(())
            }
        })?;
        Ok(vec![EventPayload::NominationsWithdrawn(
            NominationsWithdrawn {
                campaign,
                customer,
                hubs: s.taken,
                refused: s.refused,
            },
        )])
    }
}

/// Approve every hub the customer supplies (skipping the pilot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApproveWholeEstate {
    pub campaign: CampaignId,
}

impl Decide for ApproveWholeEstate {
    fn action(&self) -> String {
        let ApproveWholeEstate { campaign } = self;
        format!("approve its whole estate in {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ApproveWholeEstate { campaign } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, false)?;
        if c.consents.whole_estate.contains_key(&me) {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{customer} already approved its whole estate in {campaign}"),
            ));
        }
        Ok(vec![EventPayload::WholeEstateApproved(
            WholeEstateApproved { campaign, customer },
        )])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawWholeEstateApproval {
    pub campaign: CampaignId,
}

impl Decide for WithdrawWholeEstateApproval {
    fn action(&self) -> String {
        let WithdrawWholeEstateApproval { campaign } = self;
        format!("withdraw its whole-estate approval in {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let WithdrawWholeEstateApproval { campaign } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, false)?;
        if !c.consents.whole_estate.contains_key(&me) {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{customer} has no whole-estate approval in {campaign}"),
            ));
        }
        Ok(vec![EventPayload::WholeEstateApprovalWithdrawn(
            WholeEstateApprovalWithdrawn { campaign, customer },
        )])
    }
}

/// Approve the hubs of some configuration sets (taking effect in mass rollout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApproveConfigurationSets {
    pub campaign: CampaignId,
    pub sets: Vec<ConfigurationSet>,
}

impl Decide for ApproveConfigurationSets {
    fn action(&self) -> String {
        let ApproveConfigurationSets { campaign, sets } = self;
        format!("approve {} configuration sets in {campaign}", sets.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("sets", self.sets.len(), limits::MAX_SETS_PER_COMMAND)?;
        self.sets
            .iter()
            .enumerate()
            .try_for_each(|(i, s)| s.check_bounds(&format!("sets[{i}]")))
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        state.decide_config_sets(cx, self.campaign, self.sets, true)
    }
}

impl State {
    /// Approving configuration sets, or withdrawing approvals: each set must be one the
    /// customer has hubs on, of the campaign's variant, and change.
    fn decide_config_sets(
        &self,
        cx: &Cx,
        campaign: CampaignId,
        sets: Vec<ConfigurationSet>,
        approve: bool,
    ) -> Result<Vec<EventPayload>, Error> {
        let state = self;
        let (actor, action) = (cx.actor, &cx.action);
        // A set listed again is taken once: the event does not grow with repetition.
        let mut seen = HashSet::with_capacity(sets.len());
        let sets: Vec<ConfigurationSet> = sets
            .into_iter()
            .filter(|s| seen.insert(s.clone()))
            .collect();
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, false)?;
        if sets.is_empty() {
            return Err(Error::invalid_input(
                "sets",
                "name at least one configuration set",
            ));
        }
        // A set the customer has no hub on answers exactly as one that does not exist,
        // so that nobody can probe others' device models (docs/domain.md decision 13).
        let mine = state.configs_supplied_by(me);
        for set in &sets {
            let idx = state
                .find_config(set)
                .filter(|cfg| mine.contains(cfg))
                .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))?;
            if state.estate.configs.resolve(idx).variant != c.variant {
                return Err(Error::precondition(
                    Rule::WrongVariant,
                    format!("{} is not of {}'s variant", set.key(), campaign),
                ));
            }
            let held = c
                .consents
                .config_sets
                .get(&me)
                .is_some_and(|s| s.contains(&idx));
            if held == approve {
                return Err(Error::precondition(
                    Rule::NoChange,
                    format!(
                        "{} is {} approved by {customer}",
                        set.key(),
                        if held { "already" } else { "not" }
                    ),
                ));
            }
        }
        Ok(vec![if approve {
            EventPayload::ConfigurationSetsApproved(ConfigurationSetsApproved {
                campaign,
                customer,
                sets,
            })
        } else {
            EventPayload::ConfigurationSetApprovalsWithdrawn(ConfigurationSetApprovalsWithdrawn {
                campaign,
                customer,
                sets,
            })
        }])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawConfigurationSetApprovals {
    pub campaign: CampaignId,
    pub sets: Vec<ConfigurationSet>,
}

impl Decide for WithdrawConfigurationSetApprovals {
    fn action(&self) -> String {
        let WithdrawConfigurationSetApprovals { campaign, sets } = self;
        format!(
            "withdraw {} configuration-set approvals in {campaign}",
            sets.len()
        )
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("sets", self.sets.len(), limits::MAX_SETS_PER_COMMAND)?;
        self.sets
            .iter()
            .enumerate()
            .try_for_each(|(i, s)| s.check_bounds(&format!("sets[{i}]")))
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        state.decide_config_sets(cx, self.campaign, self.sets, false)
    }
}

/// Hold hubs back, with a reason; they stay blocked until withdrawn or overridden.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectHubs {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
    pub reason: String,
}

impl Decide for RejectHubs {
    fn action(&self) -> String {
        let RejectHubs { campaign, hubs, .. } = self;
        format!("reject {} hubs in {campaign}", hubs.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("hubs", self.hubs.len(), limits::MAX_HUBS_PER_COMMAND)?;
        limits::text("reason", &self.reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RejectHubs {
            campaign,
            hubs,
            reason,
        } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid_input("reason", "a rejection needs a reason"));
        }
        let c = state.open_campaign(actor, &campaign, false)?;
        let s = Sorted::sort(&hubs, |hub| {
            let pos = state.my_hub(actor, hub)? as u32;
            if c.consents.rejection_by(me, pos).is_some() {
                return Err("already rejected".into());
            }
            if c.consents.nominated_by(me, pos) {
                return Err("you nominated it; withdraw the nomination first".into());
            }
            if let Some(state) = c.rollout.in_flight(pos) {
                return Err(format!("its upgrade is in flight ({state})"));
            }
            Ok(())
        })?;
        Ok(vec![EventPayload::HubsRejected(HubsRejected {
            campaign,
            customer,
            hubs: s.taken,
            reason,
            refused: s.refused,
        })])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawRejections {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
}

impl Decide for WithdrawRejections {
    fn action(&self) -> String {
        let WithdrawRejections { campaign, hubs } = self;
        format!("withdraw {} rejections in {campaign}", hubs.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("hubs", self.hubs.len(), limits::MAX_HUBS_PER_COMMAND)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let WithdrawRejections { campaign, hubs } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, false)?;
        let s = Sorted::sort(&hubs, |hub| {
            let pos = state.my_hub(actor, hub)? as u32;
            if c.consents.rejection_by(me, pos).is_some() {
                Ok(())
            } else {
                Err("not rejected by you".into())
            }
        })?;
        Ok(vec![EventPayload::RejectionsWithdrawn(
            RejectionsWithdrawn {
                campaign,
                customer,
                hubs: s.taken,
                refused: s.refused,
            },
        )])
    }
}

/// DCC: set aside every rejection of one hub, with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OverrideRejections {
    pub campaign: CampaignId,
    pub hub: HubId,
    pub reason: String,
}

impl Decide for OverrideRejections {
    fn action(&self) -> String {
        let OverrideRejections { campaign, hub, .. } = self;
        format!("override the rejections of hub {hub} in {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let OverrideRejections {
            campaign,
            hub,
            reason,
        } = self;
        let (actor, action) = (cx.actor, &cx.action);
        if *actor != Actor::Dcc {
            return Err(Error::not_permitted(
                actor,
                action,
                "only the DCC overrides a supplier's rejection",
            ));
        }
        if reason.trim().is_empty() {
            return Err(Error::invalid_input("reason", "an override needs a reason"));
        }
        let c = state.open_campaign(actor, &campaign, false)?;
        let (pos, _) = state.hub_for(actor, hub)?;
        if !c.consents.rejections.contains_key(&(pos as u32)) {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("hub {hub} has no rejection in {campaign}"),
            ));
        }
        Ok(vec![EventPayload::RejectionsOverridden(
            RejectionsOverridden {
                campaign,
                hub,
                reason,
            },
        )])
    }
}

/// A pilot participant's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordPilotVerdict {
    pub campaign: CampaignId,
    pub verdict: PilotVerdict,
}

impl Decide for RecordPilotVerdict {
    fn action(&self) -> String {
        let RecordPilotVerdict { campaign, .. } = self;
        format!("record a pilot verdict in {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        match &self.verdict {
            PilotVerdict::IssuesFound { text } => limits::text("verdict.text", text),
            PilotVerdict::Success => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RecordPilotVerdict { campaign, verdict } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.open_campaign(actor, &campaign, true)?;
        if c.consents.nominated_count(me) == 0 {
            return Err(Error::precondition(
                Rule::NotParticipating,
                format!("{customer} nominated no hub for the pilot of {campaign}"),
            ));
        }
        if let PilotVerdict::IssuesFound { text } = &verdict {
            if text.trim().is_empty() {
                return Err(Error::invalid_input(
                    "verdict.text",
                    "say what the issues are",
                ));
            }
        }
        Ok(vec![EventPayload::PilotVerdictRecorded(
            PilotVerdictRecorded {
                campaign,
                customer,
                verdict,
            },
        )])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HubsNominated {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub hubs: Vec<HubId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refused: Vec<HubRefusal>,
}

impl Evolve for HubsNominated {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, verify: bool) -> Result<(), Error> {
        let HubsNominated {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, hubs) = (state.customer_ref(customer)?, state.positions(hubs)?);
        if verify {
            // Invariant 3 holds at replay as live: a protected premises is never nominated.
            if let Some(&p) = hubs.iter().find(|&&p| {
                let rec = &state.estate.hubs[p as usize];
                SupplyRole::ALL
                    .iter()
                    .any(|&r| rec.flags(r).vulnerable || rec.flags(r).high_risk)
            }) {
                return Err(Error::invalid_input(
                    "hubs",
                    format!(
                        "hub {} is a protected premises (flagged vulnerable or high risk): no command nominates it",
                        state.estate.hubs[p as usize].id
                    ),
                ));
            }
        }
        state
            .consents_mut(campaign)
            .nominations
            .entry(c)
            .or_default()
            .extend(hubs);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let HubsNominated {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        let positions: Vec<usize> = hubs
            .iter()
            .filter_map(|h| state.estate.position(*h))
            .collect();
        state.other_supplier(campaign, customer, positions.into_iter(), out);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NominationsWithdrawn {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub hubs: Vec<HubId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refused: Vec<HubRefusal>,
}

impl Evolve for NominationsWithdrawn {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let NominationsWithdrawn {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, hubs) = (state.customer_ref(customer)?, state.positions(hubs)?);
        if let Some(set) = state.consents_mut(campaign).nominations.get_mut(&c) {
            for h in hubs {
                set.remove(&h);
            }
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WholeEstateApproved {
    pub campaign: CampaignId,
    pub customer: CustomerId,
}

impl Evolve for WholeEstateApproved {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let WholeEstateApproved {
            campaign, customer, ..
        } = self;
        state.campaign_ref(campaign)?;
        let c = state.customer_ref(customer)?;
        state
            .consents_mut(campaign)
            .whole_estate
            .insert(c, event.at);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let WholeEstateApproved { campaign, customer } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let v = c.variant;
            let all = (0..state.estate.hubs.len()).filter(|&p| state.estate.hubs[p].variant == v);
            state.other_supplier(campaign, customer, all, out);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WholeEstateApprovalWithdrawn {
    pub campaign: CampaignId,
    pub customer: CustomerId,
}

impl Evolve for WholeEstateApprovalWithdrawn {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let WholeEstateApprovalWithdrawn {
            campaign, customer, ..
        } = self;
        state.campaign_ref(campaign)?;
        let c = state.customer_ref(customer)?;
        state.consents_mut(campaign).whole_estate.remove(&c);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigurationSetsApproved {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub sets: Vec<ConfigurationSet>,
}

impl Evolve for ConfigurationSetsApproved {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let ConfigurationSetsApproved {
            campaign,
            customer,
            sets,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, sets) = (state.customer_ref(customer)?, state.config_refs(sets)?);
        state
            .consents_mut(campaign)
            .config_sets
            .entry(c)
            .or_default()
            .extend(sets);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let ConfigurationSetsApproved {
            campaign,
            customer,
            sets,
        } = self;
        let cfgs: BTreeSet<u32> = sets.iter().filter_map(|s| state.find_config(s)).collect();
        let hubs =
            (0..state.estate.hubs.len()).filter(|&p| cfgs.contains(&state.estate.hubs[p].config));
        state.other_supplier(campaign, customer, hubs, out);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigurationSetApprovalsWithdrawn {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub sets: Vec<ConfigurationSet>,
}

impl Evolve for ConfigurationSetApprovalsWithdrawn {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let ConfigurationSetApprovalsWithdrawn {
            campaign,
            customer,
            sets,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, sets) = (state.customer_ref(customer)?, state.config_refs(sets)?);
        if let Some(held) = state.consents_mut(campaign).config_sets.get_mut(&c) {
            for s in sets {
                held.remove(&s);
            }
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HubsRejected {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub hubs: Vec<HubId>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refused: Vec<HubRefusal>,
}

impl Evolve for HubsRejected {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let HubsRejected {
            campaign,
            customer,
            hubs,
            reason,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, hubs) = (state.customer_ref(customer)?, state.positions(hubs)?);
        let at = event.at;
        let reason: std::sync::Arc<str> = reason.as_str().into();
        let consents = state.consents_mut(campaign);
        for h in hubs {
            let list = consents.rejections.entry(h).or_default();
            list.retain(|r| r.customer != c);
            list.push(crate::model::participation::Rejection {
                customer: c,
                reason: reason.clone(),
                at,
            });
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectionsWithdrawn {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub hubs: Vec<HubId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refused: Vec<HubRefusal>,
}

impl Evolve for RejectionsWithdrawn {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let RejectionsWithdrawn {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let (c, hubs) = (state.customer_ref(customer)?, state.positions(hubs)?);
        let consents = state.consents_mut(campaign);
        for h in hubs {
            if let Some(list) = consents.rejections.get_mut(&h) {
                list.retain(|r| r.customer != c);
                if list.is_empty() {
                    consents.rejections.remove(&h);
                }
            }
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectionsOverridden {
    pub campaign: CampaignId,
    pub hub: HubId,
    pub reason: String,
}

impl Evolve for RejectionsOverridden {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let RejectionsOverridden { campaign, hub, .. } = self;
        state.campaign_ref(campaign)?;
        let h = state.position(*hub)? as u32;
        state.consents_mut(campaign).rejections.remove(&h);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PilotVerdictRecorded {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub verdict: PilotVerdict,
}

impl Evolve for PilotVerdictRecorded {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let PilotVerdictRecorded {
            campaign,
            customer,
            verdict,
            ..
        } = self;
        state.campaign_ref(campaign)?;
        let c = state.customer_ref(customer)?;
        let at = event.at;
        state
            .consents_mut(campaign)
            .verdicts
            .insert(c, (verdict.clone(), at));
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let PilotVerdictRecorded {
            campaign,
            customer,
            verdict,
        } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let kind = |named: bool| NotificationKind::PilotVerdict {
                campaign: campaign.clone(),
                customer: named.then(|| customer.clone()),
                verdict: verdict.clone(),
            };
            out.push((Recipient::Dcc, kind(true)));
            out.push((Recipient::Csp(state.region_of(c)), kind(false)));
        }
    }
}
