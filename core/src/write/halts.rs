//! Halting and resuming upgrades: a campaign, a configuration set, or a customer's hold.

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::Rule;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId};
use crate::kernel::limits;
use crate::model::campaigns::CampaignChange;
use crate::model::estate::ConfigurationSet;
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::rollout::{HaltFigures, SetHalt};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// DCC: halt one configuration set of a campaign. A customer: hold its own hubs in the
/// campaign (all of them, or those of one configuration set). The region's CSP: pause its own
/// dispatches in the campaign (all of them, or of one configuration set; decision 23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HaltUpgrades {
    pub campaign: CampaignId,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
    pub reason: String,
}

impl Decide for HaltUpgrades {
    fn action(&self) -> String {
        let HaltUpgrades { campaign, set, .. } = self;
        match set {
            Some(set) => format!("halt upgrades of {} in {campaign}", set.key()),
            None => format!("halt upgrades in {campaign}"),
        }
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)?;
        match &self.set {
            Some(set) => set.check_bounds("set"),
            None => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let HaltUpgrades {
            campaign,
            set,
            reason,
        } = self;
        let (actor, action) = (cx.actor, &cx.action);
        if reason.trim().is_empty() {
            return Err(Error::invalid_input("reason", "a halt needs a reason"));
        }
        match actor {
            Actor::Dcc => {
                let Some(set) = set else {
                    return Err(Error::invalid_input(
                        "set",
                        "the DCC halts one configuration set here; a whole campaign with suspend_campaign",
                    ));
                };
                let c = state.live_campaign(actor, &campaign)?;
                let cfg = state.campaign_set(c, &set, None)?;
                if c.rollout.halted_sets.contains_key(&cfg) {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("{} is already halted in {campaign}", set.key()),
                    ));
                }
                Ok(vec![EventPayload::ConfigurationSetHalted(
                    ConfigurationSetHalted {
                        campaign,
                        set,
                        reason,
                        figures: None,
                    },
                )])
            }
            Actor::Customer(_) => {
                let (me, customer) = state.participant(actor, action)?;
                let c = state.live_campaign(actor, &campaign)?;
                let hold = c.rollout.holds.get(&me);
                if hold.is_some_and(|h| h.all.is_some()) {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("{customer} already holds all its hubs in {campaign}"),
                    ));
                }
                if let Some(s) = &set {
                    let cfg = state.campaign_set(c, s, Some(me))?;
                    if hold.is_some_and(|h| h.sets.contains_key(&cfg)) {
                        return Err(Error::precondition(
                            Rule::NoChange,
                            format!("{customer} already holds {} in {campaign}", s.key()),
                        ));
                    }
                }
                Ok(vec![EventPayload::SupplierHoldPlaced(SupplierHoldPlaced {
                    campaign,
                    customer,
                    set,
                    reason,
                })])
            }
            Actor::Csp(region) => {
                let c = state.live_campaign(actor, &campaign)?;
                let pause = &c.rollout.csp_pause;
                if pause.all.is_some() {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("the CSP's dispatches in {campaign} are already paused"),
                    ));
                }
                if let Some(s) = &set {
                    let cfg = state.csp_campaign_set(c, s, *region)?;
                    if pause.sets.contains_key(&cfg) {
                        return Err(Error::precondition(
                            Rule::NoChange,
                            format!(
                                "the CSP's dispatches of {} in {campaign} are already paused",
                                s.key()
                            ),
                        ));
                    }
                }
                Ok(vec![EventPayload::DispatchesPaused(DispatchesPaused {
                    campaign,
                    set,
                    reason,
                })])
            }
            Actor::System => Err(Error::not_permitted(
                actor,
                action,
                "the DCC halts configuration sets; a supplier holds its own hubs; the CSP pauses its own dispatches",
            )),
        }
    }
}

/// DCC: resume a halted configuration set. A customer: release its own hold. The region's
/// CSP: resume the dispatches it paused (a halt by the DCC is the DCC's to resume).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResumeUpgrades {
    pub campaign: CampaignId,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
}

impl Decide for ResumeUpgrades {
    fn action(&self) -> String {
        let ResumeUpgrades { campaign, set } = self;
        match set {
            Some(set) => format!("resume upgrades of {} in {campaign}", set.key()),
            None => format!("resume upgrades in {campaign}"),
        }
    }

    fn check_bounds(&self) -> Result<(), Error> {
        match &self.set {
            Some(set) => set.check_bounds("set"),
            None => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ResumeUpgrades { campaign, set } = self;
        let (actor, action) = (cx.actor, &cx.action);
        match actor {
            Actor::Dcc => {
                let c = state.live_campaign(actor, &campaign)?;
                // The DCC may lift the CSP's own pause too (the policy is the DCC's): its halt
                // first, where both hold a set.
                let csp_paused = match &set {
                    None => c.rollout.csp_pause.all.is_some(),
                    Some(s) => state
                        .find_config(s)
                        .is_some_and(|cfg| c.rollout.csp_pause.sets.contains_key(&cfg)),
                };
                let Some(set) = set else {
                    if csp_paused {
                        return Ok(vec![EventPayload::DispatchesResumed(DispatchesResumed {
                            campaign,
                            set: None,
                        })]);
                    }
                    return Err(Error::invalid_input(
                                    "set",
                                    "the DCC resumes one configuration set here (or the CSP's pause of the campaign); a whole campaign with resume_campaign",
                                ));
                };
                let cfg = state.campaign_set(c, &set, None)?;
                if !c.rollout.halted_sets.contains_key(&cfg) && csp_paused {
                    return Ok(vec![EventPayload::DispatchesResumed(DispatchesResumed {
                        campaign,
                        set: Some(set),
                    })]);
                }
                if !c.rollout.halted_sets.contains_key(&cfg) {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("{} is not halted in {campaign}", set.key()),
                    ));
                }
                Ok(vec![EventPayload::ConfigurationSetResumed(
                    ConfigurationSetResumed { campaign, set },
                )])
            }
            Actor::Customer(_) => {
                let (me, customer) = state.participant(actor, action)?;
                let c = state.live_campaign(actor, &campaign)?;
                let hold = c.rollout.holds.get(&me);
                let held = match &set {
                    None => hold.is_some_and(|h| h.all.is_some()),
                    Some(s) => {
                        let cfg = state.campaign_set(c, s, Some(me))?;
                        hold.is_some_and(|h| h.sets.contains_key(&cfg))
                    }
                };
                if !held {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("{customer} has no such hold in {campaign}"),
                    ));
                }
                Ok(vec![EventPayload::SupplierHoldLifted(SupplierHoldLifted {
                    campaign,
                    customer,
                    set,
                })])
            }
            Actor::Csp(region) => {
                let c = state.live_campaign(actor, &campaign)?;
                let pause = &c.rollout.csp_pause;
                let paused = match &set {
                    None => pause.all.is_some(),
                    Some(s) => {
                        let cfg = state.csp_campaign_set(c, s, *region)?;
                        if !pause.sets.contains_key(&cfg) && c.rollout.halted_sets.contains_key(&cfg)
                        {
                            return Err(Error::not_permitted(
                                actor,
                                action,
                                format!("the DCC halted {}; only the DCC resumes it", s.key()),
                            ));
                        }
                        pause.sets.contains_key(&cfg)
                    }
                };
                if !paused {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("the CSP has no such pause in {campaign}"),
                    ));
                }
                Ok(vec![EventPayload::DispatchesResumed(DispatchesResumed {
                    campaign,
                    set,
                })])
            }
            Actor::System => Err(Error::not_permitted(
                actor,
                action,
                "only the DCC resumes a halted configuration set; a supplier its own hold; the CSP its own pause",
            )),
        }
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigurationSetHalted {
    pub campaign: CampaignId,
    pub set: ConfigurationSet,
    pub reason: String,
    /// An automatic halt: the figures that tripped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub figures: Option<HaltFigures>,
}

impl Evolve for ConfigurationSetHalted {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        if self.figures.is_some() {
            authority::system(actor)
        } else {
            authority::dcc(actor)
        }
    }

    /// Automatic: a halt or a phase change the policy's figures tipped.
    fn is_automatic(&self) -> bool {
        self.figures.is_some()
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let ConfigurationSetHalted {
            campaign,
            set,
            reason,
            figures,
        } = self;
        let cfg = state.config_ref(set)?;
        state.campaign_ref(campaign)?;
        state.campaign_mut(campaign).rollout.halted_sets.insert(
            cfg,
            SetHalt {
                reason: reason.clone(),
                at: event.at,
                figures: *figures,
            },
        );
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let ConfigurationSetHalted {
            campaign,
            set,
            reason,
            figures,
        } = self;
        if let (Some(c), Some(cfg)) = (state.campaigns.get(campaign), state.find_config(set)) {
            let kind = NotificationKind::ConfigurationSetHalted {
                campaign: campaign.clone(),
                set: set.clone(),
                reason: reason.clone(),
                figures: *figures,
            };
            for r in state.set_parties(c, cfg) {
                out.push((r, kind.clone()));
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigurationSetResumed {
    pub campaign: CampaignId,
    pub set: ConfigurationSet,
}

impl Evolve for ConfigurationSetResumed {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let ConfigurationSetResumed { campaign, set } = self;
        let cfg = state.config_ref(set)?;
        state.campaign_ref(campaign)?;
        let r = &mut state.campaign_mut(campaign).rollout;
        r.halted_sets.remove(&cfg);
        r.set_window.remove(&cfg);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let ConfigurationSetResumed { campaign, set } = self;
        if let (Some(c), Some(cfg)) = (state.campaigns.get(campaign), state.find_config(set)) {
            let kind = NotificationKind::ConfigurationSetResumed {
                campaign: campaign.clone(),
                set: set.clone(),
            };
            for r in state.set_parties(c, cfg) {
                out.push((r, kind.clone()));
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplierHoldPlaced {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
    pub reason: String,
}

impl Evolve for SupplierHoldPlaced {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let SupplierHoldPlaced {
            campaign,
            customer,
            set,
            reason,
        } = self;
        let me = state.customer_ref(customer)?;
        let cfg = set.as_ref().map(|s| state.config_ref(s)).transpose()?;
        state.campaign_ref(campaign)?;
        let hold = state
            .campaign_mut(campaign)
            .rollout
            .holds
            .entry(me)
            .or_default();
        let entry = (reason.clone(), event.at);
        match cfg {
            None => hold.all = Some(entry),
            Some(cfg) => {
                hold.sets.insert(cfg, entry);
            }
        }
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let SupplierHoldPlaced {
            campaign,
            customer,
            set,
            reason,
        } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let kind = |named: bool| NotificationKind::SupplierHold {
                campaign: campaign.clone(),
                placed: true,
                set: set.clone(),
                customer: named.then(|| customer.clone()),
                reason: named.then(|| reason.clone()),
            };
            out.push((Recipient::Dcc, kind(true)));
            out.push((Recipient::Csp(state.region_of(c)), kind(false)));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplierHoldLifted {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
}

impl Evolve for SupplierHoldLifted {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let SupplierHoldLifted {
            campaign,
            customer,
            set,
        } = self;
        let me = state.customer_ref(customer)?;
        let cfg = set.as_ref().map(|s| state.config_ref(s)).transpose()?;
        state.campaign_ref(campaign)?;
        let holds = &mut state.campaign_mut(campaign).rollout.holds;
        if let Some(hold) = holds.get_mut(&me) {
            match cfg {
                None => hold.all = None,
                Some(cfg) => {
                    hold.sets.remove(&cfg);
                }
            }
            if hold.is_empty() {
                holds.remove(&me);
            }
        }
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let SupplierHoldLifted {
            campaign,
            customer,
            set,
        } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let kind = |named: bool| NotificationKind::SupplierHold {
                campaign: campaign.clone(),
                placed: false,
                set: set.clone(),
                customer: named.then(|| customer.clone()),
                reason: None,
            };
            out.push((Recipient::Dcc, kind(true)));
            out.push((Recipient::Csp(state.region_of(c)), kind(false)));
        }
    }
}

/// The region's CSP paused its own dispatches in a campaign (all, or of one set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchesPaused {
    pub campaign: CampaignId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
    pub reason: String,
}

impl Evolve for DispatchesPaused {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::campaign_csp(state, actor, &self.campaign)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let DispatchesPaused {
            campaign,
            set,
            reason,
        } = self;
        let cfg = set.as_ref().map(|s| state.config_ref(s)).transpose()?;
        state.campaign_ref(campaign)?;
        if verify {
            // A log's pause must be one the CSP could have asked for.
            let c = state.live_campaign(&Actor::Dcc, campaign)?;
            if let Some(s) = set {
                state.campaign_set(c, s, None)?;
            }
            let p = &c.rollout.csp_pause;
            if p.all.is_some() || cfg.is_some_and(|cfg| p.sets.contains_key(&cfg)) {
                return Err(Error::precondition(
                    Rule::NoChange,
                    format!("the CSP's dispatches in {campaign} are already paused"),
                ));
            }
        }
        let c = state.campaign_mut(campaign);
        let entry = (reason.clone(), event.at);
        match cfg {
            None => c.rollout.csp_pause.all = Some(entry),
            Some(cfg) => {
                c.rollout.csp_pause.sets.insert(cfg, entry);
            }
        }
        super::policy::record_history(
            c,
            event,
            CampaignChange::DispatchesPaused {
                set: set.clone(),
                reason: reason.clone(),
            },
        );
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let DispatchesPaused {
            campaign,
            set,
            reason,
        } = self;
        csp_pause_notices(state, campaign, set, true, Some(reason), out);
    }
}

/// The region's CSP resumed dispatches it had paused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchesResumed {
    pub campaign: CampaignId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub set: Option<ConfigurationSet>,
}

impl Evolve for DispatchesResumed {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        match actor {
            Actor::Dcc => Ok(()), // the DCC may lift the CSP's pause
            _ => authority::campaign_csp(state, actor, &self.campaign),
        }
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let DispatchesResumed { campaign, set } = self;
        let cfg = set.as_ref().map(|s| state.config_ref(s)).transpose()?;
        state.campaign_ref(campaign)?;
        if verify {
            let p = &state
                .live_campaign(&Actor::Dcc, campaign)?
                .rollout
                .csp_pause;
            let paused = match cfg {
                None => p.all.is_some(),
                Some(cfg) => p.sets.contains_key(&cfg),
            };
            if !paused {
                return Err(Error::precondition(
                    Rule::NoChange,
                    format!("the CSP has no such pause in {campaign}"),
                ));
            }
        }
        let c = state.campaign_mut(campaign);
        match cfg {
            None => c.rollout.csp_pause.all = None,
            Some(cfg) => {
                c.rollout.csp_pause.sets.remove(&cfg);
            }
        }
        super::policy::record_history(
            c,
            event,
            CampaignChange::DispatchesResumed { set: set.clone() },
        );
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let DispatchesResumed { campaign, set } = self;
        csp_pause_notices(state, campaign, set, false, None, out);
    }
}

/// Tells the DCC and the customers concerned (of the campaign's variant, or on the set) of the
/// CSP's pause or resume. Whether a customer is told depends only on its own hubs.
fn csp_pause_notices(
    state: &State,
    campaign: &CampaignId,
    set: &Option<ConfigurationSet>,
    paused: bool,
    reason: Option<&String>,
    out: &mut Notices,
) {
    let Some(c) = state.campaigns.get(campaign) else {
        return;
    };
    let recipients = match set {
        None => state.campaign_parties(c),
        Some(s) => match state.find_config(s) {
            Some(cfg) => state.set_parties(c, cfg),
            None => return,
        },
    };
    let kind = NotificationKind::CspPause {
        campaign: campaign.clone(),
        paused,
        set: set.clone(),
        reason: reason.cloned(),
    };
    for r in recipients {
        out.push((r, kind.clone())); // the CSP itself is not told of its own act
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::Region;
    use crate::write::spec::{catalogue, day, estate, given, pilot, set_of_hub_2, sup};

    fn halt(set: Option<ConfigurationSet>) -> HaltUpgrades {
        HaltUpgrades {
            campaign: "C1".parse().unwrap(),
            set,
            reason: "ESME drops off the HAN".into(),
        }
    }

    fn halted() -> ConfigurationSetHalted {
        ConfigurationSetHalted {
            campaign: "C1".parse().unwrap(),
            set: set_of_hub_2(),
            reason: "ESME drops off the HAN".into(),
            figures: None,
        }
    }

    #[test]
    fn the_dcc_halts_a_set_and_the_suppliers_on_it_are_told() {
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), halt(Some(set_of_hub_2())))
            .then(vec![halted().into()])
            // SUP-A and SUP-B both supply hubs on the set; nobody learns who else does.
            .then_notices(&sup("SUP-A"), &["configuration_set_halted"])
            .then_notices(&sup("SUP-B"), &["configuration_set_halted"]);
    }

    #[test]
    fn the_csp_pauses_its_dispatches_of_a_set_and_only_that_set_s_suppliers_are_told() {
        let csp = Actor::Csp(Region::North);
        let paused = DispatchesPaused {
            campaign: "C1".parse().unwrap(),
            set: Some(set_of_hub_2()),
            reason: "ESME drops off the HAN".into(),
        };
        given(&[catalogue(), estate(), pilot()])
            .when(&csp, day(3), halt(Some(set_of_hub_2())))
            .then(vec![paused.clone().into()])
            .then_notices(&sup("SUP-A"), &["csp_pause"])
            .then_notices(&sup("SUP-B"), &["csp_pause"])
            .then_notices(&Actor::Dcc, &["csp_pause"])
            // Hub 2's explanation names the pause; the set's pause is not in a customer's
            // history (it could name sets only others supply), but is in the DCC's.
            .then_view(
                |e| {
                    let why = e
                        .state()
                        .explain(
                            &sup("SUP-B"),
                            &"C1".parse().unwrap(),
                            crate::kernel::ids::HubId::from_u64(2),
                            day(3),
                        )
                        .unwrap()
                        .blockers;
                    let history = |a: &Actor| {
                        e.state()
                            .campaign(a, &"C1".parse().unwrap())
                            .unwrap()
                            .history
                            .len()
                    };
                    (
                        why.contains(&crate::model::eligibility::Blocker::PausedByCsp {
                            reason: "ESME drops off the HAN".into(),
                        }),
                        history(&Actor::Dcc) - history(&sup("SUP-B")),
                    )
                },
                (true, 1),
            );
        // Twice is refused; the CSP resumes its own pause, and a second resume is refused.
        given(&[catalogue(), estate(), pilot()])
            .recorded(&csp, day(3), paused.clone().into())
            .when(&csp, day(4), halt(Some(set_of_hub_2())))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
        let resume = ResumeUpgrades {
            campaign: "C1".parse().unwrap(),
            set: Some(set_of_hub_2()),
        };
        given(&[catalogue(), estate(), pilot()])
            .recorded(&csp, day(3), paused.into())
            .when(&csp, day(4), resume.clone())
            .then(vec![DispatchesResumed {
                campaign: "C1".parse().unwrap(),
                set: Some(set_of_hub_2()),
            }
            .into()])
            .then_notices(&sup("SUP-B"), &["csp_pause"]);
        given(&[catalogue(), estate(), pilot()])
            .when(&csp, day(4), resume)
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }

    #[test]
    fn the_csp_pauses_a_whole_campaign_of_its_region_only_and_resumes_no_dcc_halt() {
        let csp = Actor::Csp(Region::North);
        given(&[catalogue(), estate(), pilot()])
            .when(&csp, day(3), halt(None))
            .then(vec![DispatchesPaused {
                campaign: "C1".parse().unwrap(),
                set: None,
                reason: "ESME drops off the HAN".into(),
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["csp_pause"])
            .then_notices(&sup("SUP-C"), &[]);
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Csp(Region::South), day(3), halt(None))
            .then_error(ErrorKind::NotFound, None);
        given(&[catalogue(), estate(), pilot()])
            .recorded(&Actor::Dcc, day(3), halted().into())
            .when(
                &csp,
                day(4),
                ResumeUpgrades {
                    campaign: "C1".parse().unwrap(),
                    set: Some(set_of_hub_2()),
                },
            )
            .then_error(ErrorKind::NotPermitted, None);
    }

    #[test]
    fn the_dcc_lifts_the_csp_s_pause_and_a_forged_pause_is_refused_on_replay() {
        let csp = Actor::Csp(Region::North);
        let paused = |set: Option<ConfigurationSet>| DispatchesPaused {
            campaign: "C1".parse().unwrap(),
            set,
            reason: "maintenance".into(),
        };
        given(&[catalogue(), estate(), pilot()])
            .recorded(&csp, day(3), paused(None).into())
            .when(
                &Actor::Dcc,
                day(4),
                ResumeUpgrades {
                    campaign: "C1".parse().unwrap(),
                    set: None,
                },
            )
            .then(vec![DispatchesResumed {
                campaign: "C1".parse().unwrap(),
                set: None,
            }
            .into()])
            .then_notices(&csp, &["csp_pause"]);
        given(&[catalogue(), estate(), pilot()])
            .recorded(&csp, day(3), paused(Some(set_of_hub_2())).into())
            .when(
                &Actor::Dcc,
                day(4),
                ResumeUpgrades {
                    campaign: "C1".parse().unwrap(),
                    set: Some(set_of_hub_2()),
                },
            )
            .then(vec![DispatchesResumed {
                campaign: "C1".parse().unwrap(),
                set: Some(set_of_hub_2()),
            }
            .into()]);
        // A pause of the south's hub 4's set in the north's campaign: no CSP could ask for it.
        let south = given(&[catalogue(), estate(), pilot()]).engine_view(|e| {
            e.state()
                .hub(&Actor::Dcc, crate::kernel::ids::HubId::from_u64(4))
                .unwrap()
                .configuration_set
        });
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &csp,
            day(3),
            paused(Some(south.clone())).into(),
        );
        assert!(err.to_string().contains("rule 'wrong variant'"), "{err}");
        // To the north's CSP, the south's set does not exist.
        given(&[catalogue(), estate(), pilot()])
            .when(&csp, day(3), halt(Some(south)))
            .then_error(ErrorKind::NotFound, None);
        // Paused twice, or resumed with no pause, in a log.
        let err = given(&[catalogue(), estate(), pilot()])
            .recorded(&csp, day(3), paused(None).into())
            .refuses_recorded(&csp, day(3), paused(None).into());
        assert!(err.to_string().contains("already paused"), "{err}");
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &csp,
            day(3),
            DispatchesResumed {
                campaign: "C1".parse().unwrap(),
                set: None,
            }
            .into(),
        );
        assert!(err.to_string().contains("no such pause"), "{err}");
    }

    #[test]
    fn a_halt_is_refused_to_the_system_without_a_set_or_reason_and_twice() {
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::System, day(3), halt(Some(set_of_hub_2())))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), halt(None))
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot()])
            .when(
                &Actor::Dcc,
                day(3),
                HaltUpgrades {
                    reason: " ".into(),
                    ..halt(Some(set_of_hub_2()))
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        // Already halted (given as the recorded event: only the fact matters here).
        given(&[catalogue(), estate(), pilot()])
            .recorded(&Actor::Dcc, day(3), halted().into())
            .when(&Actor::Dcc, day(4), halt(Some(set_of_hub_2())))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }

    #[test]
    fn a_customer_holds_its_own_hubs_and_only_once() {
        let placed = SupplierHoldPlaced {
            campaign: "C1".parse().unwrap(),
            customer: "SUP-A".parse().unwrap(),
            set: None,
            reason: "ESME drops off the HAN".into(),
        };
        given(&[catalogue(), estate(), pilot()])
            .when(&sup("SUP-A"), day(3), halt(None))
            .then(vec![placed.clone().into()])
            // The other supplier of the shared hub is not told of SUP-A's hold.
            .then_notices(&sup("SUP-B"), &[]);
        given(&[catalogue(), estate(), pilot()])
            .recorded(&sup("SUP-A"), day(3), placed.into())
            .when(&sup("SUP-A"), day(4), halt(None))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }
}
