//! The participation events: what each participation command recorded, how it changes the
//! state, who may have recorded it and whom it tells.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::model::estate::{ConfigurationSet, SupplyRole};
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::participation::{HubRefusal, PilotVerdict};
use crate::model::state::State;
use crate::write::authority::{self, Authority};
use crate::write::event::{Event, Evolve, Notices};
use crate::write::notices::OtherSide;

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
        state.other_supplier(
            campaign,
            customer,
            positions.into_iter(),
            OtherSide::Consented,
            out,
        );
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

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let NominationsWithdrawn {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        let positions = hubs.iter().filter_map(|h| state.estate.position(*h));
        state.other_supplier(campaign, customer, positions, OtherSide::Withdrew, out);
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
            state.other_supplier(campaign, customer, all, OtherSide::Consented, out);
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

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let WholeEstateApprovalWithdrawn { campaign, customer } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let v = c.variant;
            let all = (0..state.estate.hubs.len()).filter(|&p| state.estate.hubs[p].variant == v);
            state.other_supplier(campaign, customer, all, OtherSide::Withdrew, out);
        }
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
        state.other_supplier(campaign, customer, hubs, OtherSide::Consented, out);
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

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let ConfigurationSetApprovalsWithdrawn {
            campaign,
            customer,
            sets,
        } = self;
        let cfgs: BTreeSet<u32> = sets.iter().filter_map(|s| state.find_config(s)).collect();
        let hubs =
            (0..state.estate.hubs.len()).filter(|&p| cfgs.contains(&state.estate.hubs[p].config));
        state.other_supplier(campaign, customer, hubs, OtherSide::Withdrew, out);
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

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let HubsRejected {
            campaign,
            customer,
            hubs,
            ..
        } = self;
        let positions = hubs.iter().filter_map(|h| state.estate.position(*h));
        state.other_supplier(campaign, customer, positions, OtherSide::Rejected, out);
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
