//! Decisions on participation commands: nominations, approvals, rejections, verdicts, and the
//! assessment gate on OA for mass rollout.

mod events;

pub use events::{
    ConfigurationSetApprovalsWithdrawn, ConfigurationSetsApproved, HubsNominated, HubsRejected,
    NominationsWithdrawn, PilotVerdictRecorded, RejectionsOverridden, RejectionsWithdrawn,
    WholeEstateApprovalWithdrawn, WholeEstateApproved,
};

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId};
use crate::kernel::limits;
use crate::model::estate::{ConfigurationSet, SmiStatus, SupplyRole};
use crate::model::participation::PilotVerdict;
use crate::model::state::State;
use crate::write::command::{Cx, Decide};
use crate::write::decide::Sorted;
use crate::write::event::EventPayload;

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

/// A customer: withdraw its pilot nominations of these hubs (a hub already dispatched stays:
/// refused by row).
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

/// A customer: withdraw its approval of its whole estate in the campaign.
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

/// A customer: withdraw its approvals of these configuration sets in the campaign.
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

/// A customer: withdraw its rejections of these hubs (they may be upgraded again).
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

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::Region;
    use crate::model::participation::HubRefusal;
    use crate::write::spec::{catalogue, day, estate, given, pilot, sup};

    fn c1() -> CampaignId {
        "C1".parse().unwrap()
    }

    #[test]
    fn a_supplier_nominates_its_own_hubs_and_the_others_are_refused_by_row() {
        // Hub 3 is SUP-B's: refused by row, with a reason that names nobody; hub 1 is taken.
        given(&[catalogue(), estate(), pilot()])
            .when(
                &sup("SUP-A"),
                day(3),
                NominateHubs {
                    campaign: c1(),
                    hubs: vec![HubId::from_u64(1), HubId::from_u64(3)],
                },
            )
            .then(vec![HubsNominated {
                campaign: c1(),
                customer: "SUP-A".parse().unwrap(),
                hubs: vec![HubId::from_u64(1)],
                refused: vec![HubRefusal {
                    hub: HubId::from_u64(3),
                    reason: "not one of your hubs".into(),
                }],
            }
            .into()]);
    }

    #[test]
    fn approving_a_whole_estate_is_a_suppliers_once_and_tells_the_other_supplier_of_a_shared_hub() {
        given(&[catalogue(), estate(), pilot()])
            .when(&sup("SUP-A"), day(3), ApproveWholeEstate { campaign: c1() })
            .then(vec![WholeEstateApproved {
                campaign: c1(),
                customer: "SUP-A".parse().unwrap(),
            }
            .into()])
            .then_notices(&sup("SUP-B"), &["other_supplier_consented"]);
        given(&[catalogue(), estate(), pilot()])
            .when(
                &Actor::Csp(Region::North),
                day(3),
                ApproveWholeEstate { campaign: c1() },
            )
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate(), pilot()])
            .recorded(
                &sup("SUP-A"),
                day(3),
                WholeEstateApproved {
                    campaign: c1(),
                    customer: "SUP-A".parse().unwrap(),
                }
                .into(),
            )
            .when(&sup("SUP-A"), day(4), ApproveWholeEstate { campaign: c1() })
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }
}
