//! Halting and resuming upgrades: a campaign, a configuration set, or a customer's hold.

use serde::{Deserialize, Serialize};

use super::command::{Cx, Decide};
use super::State;
use crate::actor::Actor;
use crate::error::Rule;
use crate::estate::ConfigurationSet;
use crate::event::EventPayload;
use crate::ids::CampaignId;
use crate::limits;
use crate::Error;

/// DCC: halt one configuration set of a campaign. A customer: hold its own hubs in the
/// campaign (all of them, or those of one configuration set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaltUpgrades {
    pub campaign: CampaignId,
    #[serde(default)]
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
                Ok(vec![EventPayload::ConfigurationSetHalted {
                    campaign,
                    set,
                    reason,
                    figures: None,
                }])
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
                Ok(vec![EventPayload::SupplierHoldPlaced {
                    campaign,
                    customer,
                    set,
                    reason,
                }])
            }
            Actor::Csp(_) | Actor::System => Err(Error::not_permitted(
                actor,
                action,
                "the DCC halts configuration sets; a supplier holds its own hubs",
            )),
        }
    }
}

/// DCC: resume a halted configuration set. A customer: release its own hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeUpgrades {
    pub campaign: CampaignId,
    #[serde(default)]
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
                let Some(set) = set else {
                    return Err(Error::invalid_input(
                                    "set",
                                    "the DCC resumes one configuration set here; a whole campaign with resume_campaign",
                                ));
                };
                let c = state.live_campaign(actor, &campaign)?;
                let cfg = state.campaign_set(c, &set, None)?;
                if !c.rollout.halted_sets.contains_key(&cfg) {
                    return Err(Error::precondition(
                        Rule::NoChange,
                        format!("{} is not halted in {campaign}", set.key()),
                    ));
                }
                Ok(vec![EventPayload::ConfigurationSetResumed {
                    campaign,
                    set,
                }])
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
                Ok(vec![EventPayload::SupplierHoldLifted {
                    campaign,
                    customer,
                    set,
                }])
            }
            Actor::Csp(_) | Actor::System => Err(Error::not_permitted(
                actor,
                action,
                "only the DCC resumes a halted configuration set; a supplier its own hold",
            )),
        }
    }
}
