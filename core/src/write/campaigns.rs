//! A campaign's lifecycle: creation with its policy, Operational Approvals, suspension,
//! resumption, completion, cancellation and per-customer cut-off extensions (DCC).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, VariantId};
use crate::kernel::limits;
use crate::model::campaigns::{Campaign, CampaignChange, HistoryEntry, Phase, Transition};
use crate::model::catalogue::Gate;
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::participation::CampaignPolicy;
use crate::model::rollout::HaltFigures;
use crate::model::state::State;
use crate::write::event::EventPayload;

/// DCC: a campaign deploying `target` to the hubs of `variant`, with the customers' cut-off
/// and the campaign's policy; it starts in Draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCampaign {
    pub campaign: CampaignId,
    pub variant: VariantId,
    pub target: FirmwareVersion,
    pub cutoff: DateTime<Utc>,
    #[serde(
        default,
        deserialize_with = "crate::model::participation::from_map_only"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub policy: CampaignPolicy,
}

impl Decide for CreateCampaign {
    fn action(&self) -> String {
        let CreateCampaign { campaign, .. } = self;
        format!("create campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let CreateCampaign {
            campaign,
            variant,
            target,
            cutoff,
            policy,
        } = self;
        let at = cx.at;
        cx.dcc_only()?;
        policy.check()?;
        if state.campaigns.contains_key(&campaign) {
            return Err(Error::already_exists(Entity::Campaign, &campaign));
        }
        let v = state.variant_idx(&variant)?;
        // Every eligibility check walks the variant's open campaigns: keep them few.
        let open = state
            .campaigns
            .values()
            .filter(|c| c.variant == v && !c.phase.is_terminal())
            .count();
        if open >= crate::kernel::limits::MAX_LIVE_CAMPAIGNS_PER_VARIANT {
            return Err(Error::too_many(
                "campaigns not completed or cancelled for this variant",
                open + 1,
                crate::kernel::limits::MAX_LIVE_CAMPAIGNS_PER_VARIANT,
            ));
        }
        let f = state.firmware_idx(v, &variant, &target)?;
        let fw = state.catalogue.fw(f);
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
        Ok(vec![EventPayload::CampaignCreated(CampaignCreated {
            campaign,
            variant,
            target,
            cutoff,
            policy,
        })])
    }
}

/// Operational Approval to begin the pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantPilotOa {
    pub campaign: CampaignId,
}

impl Decide for GrantPilotOa {
    fn action(&self) -> String {
        let GrantPilotOa { campaign } = self;
        format!("grant pilot OA for campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let GrantPilotOa { campaign } = self;
        cx.dcc_only()?;
        state.require_target_on_cpl(&campaign)?;
        Ok(vec![state.transition(
            &campaign,
            Transition::StartPilot,
            None,
        )?])
    }
}

/// Operational Approval to begin mass rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantMassRolloutOa {
    pub campaign: CampaignId,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub override_reason: Option<String>,
}

impl Decide for GrantMassRolloutOa {
    fn action(&self) -> String {
        let GrantMassRolloutOa { campaign, .. } = self;
        format!("grant mass rollout OA for campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::opt_text("override_reason", &self.override_reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let GrantMassRolloutOa {
            campaign,
            override_reason,
        } = self;
        let (actor, at) = (cx.actor, cx.at);
        cx.dcc_only()?;
        let event = state.transition(&campaign, Transition::StartMassRollout, None)?;
        let c = state.campaign_for(actor, &campaign)?;
        let missing = state.missing_assessment(c, at);
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
        Ok(vec![match (event, override_reason) {
            (
                EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
                    campaign, from, to, ..
                }),
                Some(reason),
            ) => EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
                campaign,
                from,
                to,
                reason: Some(format!("override: {reason}")),
                figures: None,
            }),
            (event, _) => event,
        }])
    }
}

/// DCC: close a campaign in mass rollout as done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteCampaign {
    pub campaign: CampaignId,
}

impl Decide for CompleteCampaign {
    fn action(&self) -> String {
        let CompleteCampaign { campaign } = self;
        format!("complete campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let CompleteCampaign { campaign } = self;
        cx.dcc_only()?;
        Ok(vec![state.transition(
            &campaign,
            Transition::Complete,
            None,
        )?])
    }
}

/// DCC: suspend a campaign in Pilot or Mass rollout, with a reason; nothing is offered until it
/// resumes (in the phase it left).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SuspendCampaign {
    pub campaign: CampaignId,
    pub reason: String,
}

impl Decide for SuspendCampaign {
    fn action(&self) -> String {
        let SuspendCampaign { campaign, .. } = self;
        format!("suspend campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let SuspendCampaign { campaign, reason } = self;
        cx.dcc_only()?;
        Ok(vec![state.transition(
            &campaign,
            Transition::Suspend,
            Some(reason),
        )?])
    }
}

/// DCC: resume a suspended campaign in the phase it left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResumeCampaign {
    pub campaign: CampaignId,
}

impl Decide for ResumeCampaign {
    fn action(&self) -> String {
        let ResumeCampaign { campaign } = self;
        format!("resume campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ResumeCampaign { campaign } = self;
        cx.dcc_only()?;
        state.require_target_on_cpl(&campaign)?;
        Ok(vec![state.transition(
            &campaign,
            Transition::Resume,
            None,
        )?])
    }
}

/// DCC: cancel a campaign, from any phase but Completed or Cancelled, with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelCampaign {
    pub campaign: CampaignId,
    pub reason: String,
}

impl Decide for CancelCampaign {
    fn action(&self) -> String {
        let CancelCampaign { campaign, .. } = self;
        format!("cancel campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let CancelCampaign { campaign, reason } = self;
        cx.dcc_only()?;
        Ok(vec![state.transition(
            &campaign,
            Transition::Cancel,
            Some(reason),
        )?])
    }
}

/// DCC: extend one customer's cut-off in a campaign (later only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtendCutoff {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub until: DateTime<Utc>,
}

impl Decide for ExtendCutoff {
    fn action(&self) -> String {
        let ExtendCutoff {
            campaign, customer, ..
        } = self;
        format!("extend the cut-off of customer {customer} in campaign {campaign}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ExtendCutoff {
            campaign,
            customer,
            until,
        } = self;
        let actor = cx.actor;
        cx.dcc_only()?;
        let c = state.campaign_for(actor, &campaign)?;
        if c.phase.is_terminal() {
            return Err(Error::precondition(
                Rule::CampaignClosed,
                format!(
                    "campaign {campaign} is {}; its cut-offs no longer apply",
                    c.phase
                ),
            ));
        }
        let idx = state
            .estate
            .customer_idx(&customer)
            .ok_or_else(|| Error::not_found(Entity::Customer, &customer))?;
        let current = c.cutoff_for(idx);
        if until <= current {
            return Err(Error::precondition(
                Rule::CutoffNotLater,
                format!("{customer}'s cut-off in {campaign} is {current}; {until} is not later"),
            ));
        }
        Ok(vec![EventPayload::CutoffExtended(CutoffExtended {
            campaign,
            customer,
            until,
        })])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignCreated {
    pub campaign: CampaignId,
    pub variant: VariantId,
    pub target: FirmwareVersion,
    pub cutoff: DateTime<Utc>,
    #[serde(
        default,
        deserialize_with = "crate::model::participation::from_map_only"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub policy: CampaignPolicy,
}

impl Evolve for CampaignCreated {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let CampaignCreated {
            campaign,
            variant,
            target,
            cutoff,
            policy,
        } = self;
        if state.campaigns.contains_key(campaign) {
            return Err(Error::already_exists(Entity::Campaign, campaign));
        }
        // A log may hold anything: a policy outside its bounds is refused here too.
        policy.check()?;
        let v = state
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        let t = state
            .catalogue
            .firmware_idx(v, target)
            .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{target}")))?;
        state.campaigns.insert(
            campaign.clone(),
            Campaign {
                id: campaign.clone(),
                variant: v,
                target: t,
                phase: Phase::Draft,
                resume_to: None,
                default_cutoff: *cutoff,
                cutoff_extensions: BTreeMap::new(),
                history: vec![HistoryEntry {
                    seq: Some(crate::kernel::limits::signed(event.seq)),
                    at: event.at,
                    actor: event.actor.clone(),
                    change: CampaignChange::Created,
                }],
                policy: policy.clone(),
                pilot_started: None,
                consents: Default::default(),
                rollout: Default::default(),
            },
        );
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
pub struct CampaignPhaseChanged {
    pub campaign: CampaignId,
    pub from: Phase,
    pub to: Phase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason: Option<String>,
    /// An automatic halt: the figures that tripped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub figures: Option<HaltFigures>,
}

impl Evolve for CampaignPhaseChanged {
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
        let CampaignPhaseChanged {
            campaign,
            from,
            to,
            reason,
            ..
        } = self;
        let c = state
            .campaigns
            .get(campaign)
            .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
        if c.phase != *from {
            return Err(Error::precondition(
                Rule::HubState,
                format!("campaign {campaign} is {}, the event says {from}", c.phase),
            ));
        }
        // The phase machine holds in a log too: a recorded change no transition makes (a
        // skipped phase, a way back out of a terminal one) is refused on replay.
        let reachable = Transition::ALL
            .iter()
            .any(|t| t.target(c.phase, c.resume_to) == Some(*to));
        if !reachable {
            return Err(Error::precondition(
                Rule::CampaignPhase,
                format!("campaign {campaign}: no transition leads from {from} to {to}"),
            ));
        }
        if matches!(to, Phase::Pilot | Phase::MassRollout) {
            // No campaign goes live to a version off the production CPL (a recall), in a log
            // as in `decide`.
            let fw = state.catalogue.fw(c.target);
            if !fw.on_production_cpl() {
                return Err(Error::precondition(
                    Rule::NotOnProductionCpl,
                    format!(
                        "campaign {campaign} goes {to} while its target {} is off the production CPL",
                        fw.version
                    ),
                ));
            }
        }
        let c = state
            .campaigns
            .get_mut(campaign)
            .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
        if *from == Phase::Suspended {
            // Resumed: the automatic halt's window starts again.
            c.rollout.window = Default::default();
        }
        c.resume_to = (*to == Phase::Suspended).then_some(*from);
        c.phase = *to;
        if *to == Phase::Pilot && c.pilot_started.is_none() {
            c.pilot_started = Some(event.at);
        }
        c.history.push(HistoryEntry {
            seq: Some(crate::kernel::limits::signed(event.seq)),
            at: event.at,
            actor: event.actor.clone(),
            change: CampaignChange::PhaseChanged {
                from: *from,
                to: *to,
                reason: reason.clone(),
            },
        });
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let CampaignPhaseChanged {
            campaign,
            from,
            to,
            reason,
            figures,
        } = self;
        let Some(c) = state.campaigns.get(campaign) else {
            return;
        };
        let kind = NotificationKind::PhaseChanged {
            campaign: campaign.clone(),
            from: *from,
            to: *to,
            operational_approval: matches!(
                (from, to),
                (Phase::Draft, Phase::Pilot) | (Phase::Pilot, Phase::MassRollout)
            ),
            reason: reason.clone(),
            figures: *figures,
        };
        for r in state.campaign_parties(c) {
            out.push((r, kind.clone()));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CutoffExtended {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub until: DateTime<Utc>,
}

impl Evolve for CutoffExtended {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let CutoffExtended {
            campaign,
            customer,
            until,
        } = self;
        let idx = state
            .estate
            .customer_idx(customer)
            .ok_or_else(|| Error::not_found(Entity::Customer, customer))?;
        let c = state
            .campaigns
            .get_mut(campaign)
            .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
        c.cutoff_extensions.insert(idx, *until);
        c.history.push(HistoryEntry {
            seq: Some(crate::kernel::limits::signed(event.seq)),
            at: event.at,
            actor: event.actor.clone(),
            change: CampaignChange::CutoffExtended {
                customer: customer.clone(),
                until: *until,
            },
        });
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let CutoffExtended {
            campaign,
            customer,
            until,
        } = self;
        if let Some(i) = state.estate.customer_idx(customer) {
            out.push((
                Recipient::Customer(i),
                NotificationKind::CutoffExtended {
                    campaign: campaign.clone(),
                    cutoff: *until,
                },
            ));
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::actor::Actor;
    use crate::kernel::ids::Region;
    use crate::write::command::RegisterFirmware;
    use crate::write::spec::{catalogue, day, given, Step};

    fn create(id: &str, target: &str) -> CreateCampaign {
        CreateCampaign {
            campaign: id.parse().unwrap(),
            variant: "CH-N-DB".parse().unwrap(),
            target: target.parse().unwrap(),
            cutoff: day(60),
            policy: CampaignPolicy::default(),
        }
    }

    fn c1() -> Vec<Step> {
        vec![(Actor::Dcc, day(1), create("C1", "2.0").into())]
    }

    #[test]
    fn the_dcc_creates_a_campaign_for_a_version_on_the_production_cpl() {
        given(&[catalogue()])
            .when(&Actor::Dcc, day(1), create("C1", "2.0"))
            .then(vec![CampaignCreated {
                campaign: "C1".parse().unwrap(),
                variant: "CH-N-DB".parse().unwrap(),
                target: "2.0".parse().unwrap(),
                cutoff: day(60),
                policy: CampaignPolicy::default(),
            }
            .into()]);
        let not_ready = vec![(
            Actor::Csp(Region::North),
            day(1),
            RegisterFirmware {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                upgrades_from: vec!["2.0".parse().unwrap()],
                prerequisites: Vec::new(),
            }
            .into(),
        )];
        given(&[catalogue(), not_ready])
            .when(&Actor::Dcc, day(1), create("C1", "3.0"))
            .then_error(
                ErrorKind::PreconditionFailed,
                Some(Rule::NotOnProductionCpl),
            );
        given(&[catalogue(), c1()])
            .when(&Actor::Dcc, day(1), create("C1", "2.0"))
            .then_error(ErrorKind::AlreadyExists, None);
        given(&[catalogue()])
            .when(
                &Actor::Customer("SUP-A".parse().unwrap()),
                day(1),
                create("C1", "2.0"),
            )
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue()])
            .when(&Actor::Dcc, day(61), create("C1", "2.0"))
            .then_error(ErrorKind::InvalidInput, None);
    }

    #[test]
    fn operational_approval_starts_the_pilot_and_phases_go_one_way() {
        given(&[catalogue(), c1()])
            .when(
                &Actor::Dcc,
                day(2),
                GrantPilotOa {
                    campaign: "C1".parse().unwrap(),
                },
            )
            .then(vec![CampaignPhaseChanged {
                campaign: "C1".parse().unwrap(),
                from: Phase::Draft,
                to: Phase::Pilot,
                reason: None,
                figures: None,
            }
            .into()]);
        given(&[catalogue(), c1()])
            .when(
                &Actor::Dcc,
                day(2),
                GrantMassRolloutOa {
                    campaign: "C1".parse().unwrap(),
                    override_reason: None,
                },
            )
            .then_error(ErrorKind::IllegalTransition, None);
        given(&[catalogue()])
            .when(
                &Actor::Dcc,
                day(2),
                GrantPilotOa {
                    campaign: "C9".parse().unwrap(),
                },
            )
            .then_error(ErrorKind::NotFound, None);
    }
}
