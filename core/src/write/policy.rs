//! A campaign's policy once it exists (decision 23): the DCC changes it by command, and the
//! region's CSP paces the pilot within it (its own daily cap and dispatch window). Each change
//! is an event in the campaign's history; parties are told.

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::{Error, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CampaignId;
use crate::kernel::limits;
use crate::model::campaigns::{Campaign, CampaignChange, HistoryEntry, Phase};
use crate::model::notices::NotificationKind;
use crate::model::participation::CampaignPolicy;
use crate::model::rollout::PilotPacing;
use crate::model::state::State;
use crate::write::event::EventPayload;

/// Appends `change` to the campaign's history as the act of `event`.
pub(super) fn record_history(c: &mut Campaign, event: &Event, change: CampaignChange) {
    c.history.push(HistoryEntry {
        seq: Some(limits::signed(event.seq)),
        at: event.at,
        actor: event.actor.clone(),
        change,
    });
}

/// DCC: replace a campaign's policy (not once it is completed or cancelled), with a reason.
/// Validated against the same bounds as at creation; the history and `explain` name what
/// changed and why. What the new policy says applies from the change on: nominations already
/// over a lowered pilot cap stay, an attempt already dispatched keeps its count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeCampaignPolicy {
    pub campaign: CampaignId,
    #[serde(deserialize_with = "crate::model::participation::from_map_only")]
    pub policy: CampaignPolicy,
    pub reason: String,
}

impl Decide for ChangeCampaignPolicy {
    fn action(&self) -> String {
        format!("change the policy of {}", self.campaign)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)?;
        self.policy.check()
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ChangeCampaignPolicy {
            campaign,
            policy,
            reason,
        } = self;
        cx.dcc_only()?;
        check_policy_change(state.campaign_for(cx.actor, &campaign)?, &policy, &reason)?;
        Ok(vec![EventPayload::CampaignPolicyChanged(
            CampaignPolicyChanged {
                campaign,
                policy,
                reason,
            },
        )])
    }
}

/// What a policy change needs besides its bounds, on deciding and on replay: a reason, a
/// campaign not closed, a policy that differs.
fn check_policy_change(c: &Campaign, policy: &CampaignPolicy, reason: &str) -> Result<(), Error> {
    if reason.trim().is_empty() {
        return Err(Error::invalid_input(
            "reason",
            "a policy change needs a reason",
        ));
    }
    if c.phase.is_terminal() {
        return Err(Error::precondition(
            Rule::CampaignPhase,
            format!(
                "campaign {} is {}; its policy no longer applies",
                c.id, c.phase
            ),
        ));
    }
    if policy.changes_from(&c.policy).is_empty() {
        return Err(Error::precondition(
            Rule::NoChange,
            format!("the policy of {} is already that", c.id),
        ));
    }
    Ok(())
}

/// What pilot pacing needs on deciding and on replay: the pilot not over, within the policy.
fn check_pilot_pacing(c: &Campaign, pacing: &PilotPacing) -> Result<(), Error> {
    let in_pilot = match c.phase {
        Phase::Draft | Phase::Pilot => true,
        Phase::Suspended => c.resume_to == Some(Phase::Pilot),
        Phase::MassRollout | Phase::Completed | Phase::Cancelled => false,
    };
    if !in_pilot {
        return Err(Error::precondition(
            Rule::CampaignPhase,
            format!("campaign {} is {}; its pilot is over", c.id, c.phase),
        ));
    }
    pacing.check(c.policy.pacing.as_ref())?;
    if *pacing == c.rollout.pilot_pacing {
        return Err(Error::precondition(
            Rule::NoChange,
            format!("the pilot of {} is already paced so", c.id),
        ));
    }
    Ok(())
}

/// The region's CSP: how it paces a campaign's pilot, within the DCC's policy (decision 23):
/// its own daily cap (at most the policy's; the lower applies, also after the DCC changes the
/// policy) and the hours it dispatches in. `{}` returns the pilot to the policy alone. Only
/// before mass rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPilotPacing {
    pub campaign: CampaignId,
    #[serde(deserialize_with = "crate::model::participation::from_map_only")]
    pub pacing: PilotPacing,
}

impl Decide for SetPilotPacing {
    fn action(&self) -> String {
        format!("set the pilot pacing of {}", self.campaign)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        self.pacing.check(None)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let SetPilotPacing { campaign, pacing } = self;
        if !matches!(cx.actor, Actor::Csp(_)) {
            return Err(Error::not_permitted(
                cx.actor,
                &cx.action,
                "the region's CSP paces its pilot; the DCC changes the campaign's policy",
            ));
        }
        // Another region's campaign does not exist to this CSP.
        check_pilot_pacing(state.campaign_for(cx.actor, &campaign)?, &pacing)?;
        Ok(vec![EventPayload::PilotPacingSet(PilotPacingSet {
            campaign,
            pacing,
        })])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignPolicyChanged {
    pub campaign: CampaignId,
    /// The whole new policy.
    pub policy: CampaignPolicy,
    pub reason: String,
}

impl Evolve for CampaignPolicyChanged {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let CampaignPolicyChanged {
            campaign,
            policy,
            reason,
        } = self;
        // A log may hold anything: a policy outside its bounds is refused here too.
        policy.check()?;
        state.campaign_ref(campaign)?;
        if verify {
            check_policy_change(state.campaign_for(&Actor::Dcc, campaign)?, policy, reason)?;
        }
        let c = state.campaign_mut(campaign);
        let changed = policy.changes_from(&c.policy);
        c.policy = policy.clone();
        record_history(
            c,
            event,
            CampaignChange::PolicyChanged {
                changed,
                reason: reason.clone(),
            },
        );
        Ok(())
    }

    fn notices(&self, state: &State, event: &Event, out: &mut Notices) {
        let Some(c) = state.campaigns.get(&self.campaign) else {
            return;
        };
        // What changed was worked out on apply, against the policy before.
        let seq = Some(limits::signed(event.seq));
        let Some(CampaignChange::PolicyChanged { changed, reason }) = c
            .history
            .iter()
            .rev()
            .find(|h| h.seq == seq)
            .map(|h| &h.change)
        else {
            return;
        };
        let kind = NotificationKind::PolicyChanged {
            campaign: self.campaign.clone(),
            changed: changed.clone(),
            reason: reason.clone(),
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
pub struct PilotPacingSet {
    pub campaign: CampaignId,
    pub pacing: PilotPacing,
}

impl Evolve for PilotPacingSet {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::campaign_csp(state, actor, &self.campaign)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let PilotPacingSet { campaign, pacing } = self;
        pacing.check(None)?;
        state.campaign_ref(campaign)?;
        if verify {
            check_pilot_pacing(state.campaign_for(&Actor::Dcc, campaign)?, pacing)?;
        }
        let c = state.campaign_mut(campaign);
        c.rollout.pilot_pacing = *pacing;
        record_history(c, event, CampaignChange::PilotPacingSet { pacing: *pacing });
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let Some(c) = state.campaigns.get(&self.campaign) else {
            return;
        };
        let kind = NotificationKind::PilotPacingSet {
            campaign: self.campaign.clone(),
            pacing: self.pacing,
        };
        for r in state.campaign_parties(c) {
            out.push((r, kind.clone()));
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::{HubId, Region};
    use crate::model::eligibility::Blocker;
    use crate::model::rollout::{DispatchWindow, Pacing};
    use crate::write::command::ApproveWholeEstate;
    use crate::write::spec::{catalogue, day, estate, given, pilot, sup, Step};

    fn c1() -> CampaignId {
        "C1".parse().unwrap()
    }

    fn capped(cap: i32) -> CampaignPolicy {
        CampaignPolicy {
            pacing: Some(Pacing {
                daily_cap: Some(cap),
                ramp_factor: 1.0,
                blackouts: vec![],
            }),
            ..CampaignPolicy::default()
        }
    }

    fn change(policy: CampaignPolicy) -> ChangeCampaignPolicy {
        ChangeCampaignPolicy {
            campaign: c1(),
            policy,
            reason: "the field teams are short this month".into(),
        }
    }

    /// SUP-A approves its whole estate: its hub 1 is in the pilot and upgradeable.
    fn sup_a_approves() -> Vec<Step> {
        vec![(
            sup("SUP-A"),
            day(2),
            ApproveWholeEstate { campaign: c1() }.into(),
        )]
    }

    fn blockers(e: &crate::engine::Engine, at: chrono::DateTime<chrono::Utc>) -> Vec<Blocker> {
        e.state()
            .explain(&sup("SUP-A"), &c1(), HubId::from_u64(1), at)
            .unwrap()
            .blockers
    }

    #[test]
    fn the_dcc_changes_a_live_policy_and_every_party_is_told_what_changed() {
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), change(capped(10)))
            .then(vec![CampaignPolicyChanged {
                campaign: c1(),
                policy: capped(10),
                reason: "the field teams are short this month".into(),
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["policy_changed"])
            .then_notices(&Actor::Csp(Region::North), &["policy_changed"])
            // SUP-C supplies only the south: the north's campaign is not its business.
            .then_notices(&sup("SUP-C"), &[])
            .then_view(
                |e| {
                    let view = e.state().campaign(&sup("SUP-A"), &c1()).unwrap();
                    let last = view.history.last().unwrap().change.clone();
                    let why = e
                        .state()
                        .explain(&sup("SUP-A"), &c1(), HubId::from_u64(1), day(3))
                        .unwrap()
                        .policy_changed
                        .map(|p| p.changed);
                    (view.policy.pacing.and_then(|p| p.daily_cap), last, why)
                },
                (
                    Some(10),
                    CampaignChange::PolicyChanged {
                        changed: vec!["pacing".into()],
                        reason: "the field teams are short this month".into(),
                    },
                    Some(vec!["pacing".to_string()]),
                ),
            );
    }

    #[test]
    fn a_policy_change_names_each_field_it_changes() {
        let before = capped(10);
        let after = CampaignPolicy {
            max_attempts: 5,
            ..capped(20)
        };
        assert_eq!(
            after.changes_from(&before),
            vec!["max_attempts".to_string(), "pacing.daily_cap".to_string()]
        );
        assert!(before.changes_from(&before).is_empty());
    }

    #[test]
    fn a_policy_change_is_refused_to_others_out_of_bounds_unchanged_and_once_closed() {
        for actor in [sup("SUP-A"), Actor::Csp(Region::North)] {
            given(&[catalogue(), estate(), pilot()])
                .when(&actor, day(3), change(capped(10)))
                .then_error(ErrorKind::NotPermitted, None);
        }
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), change(capped(0)))
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot()])
            .when(
                &Actor::Dcc,
                day(3),
                ChangeCampaignPolicy {
                    reason: " ".into(),
                    ..change(capped(10))
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), change(CampaignPolicy::default()))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
        given(&[catalogue(), estate(), pilot()])
            .when(
                &Actor::Dcc,
                day(3),
                ChangeCampaignPolicy {
                    campaign: "C9".parse().unwrap(),
                    ..change(capped(10))
                },
            )
            .then_error(ErrorKind::NotFound, None);
        let cancelled: Vec<Step> = vec![(
            Actor::Dcc,
            day(3),
            crate::write::command::CancelCampaign {
                campaign: c1(),
                reason: "superseded".into(),
            }
            .into(),
        )];
        given(&[catalogue(), estate(), pilot(), cancelled])
            .when(&Actor::Dcc, day(4), change(capped(10)))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::CampaignPhase));
    }

    #[test]
    fn the_csp_paces_its_pilot_within_the_policy_and_explain_says_why_a_hub_waits() {
        let pacing = PilotPacing {
            daily_cap: Some(5),
            window: Some(DispatchWindow {
                from_hour: 10,
                to_hour: 16,
            }),
        };
        let csp = Actor::Csp(Region::North);
        // day(n) is 09:00 UTC, 09:00 in January's GB time: before the window opens.
        given(&[catalogue(), estate(), pilot(), sup_a_approves()])
            .when(
                &csp,
                day(3),
                SetPilotPacing {
                    campaign: c1(),
                    pacing,
                },
            )
            .then(vec![PilotPacingSet {
                campaign: c1(),
                pacing,
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["pilot_pacing_set"])
            .then_view(
                |e| {
                    (
                        blockers(e, day(3)),
                        blockers(e, day(3) + chrono::Duration::hours(2)),
                    )
                },
                (
                    vec![Blocker::OutsideDispatchWindow {
                        from_hour: 10,
                        to_hour: 16,
                    }],
                    vec![],
                ),
            );
    }

    #[test]
    fn pilot_pacing_is_refused_above_the_policy_to_others_and_after_the_pilot() {
        let csp = Actor::Csp(Region::North);
        let set = |cap: i32| SetPilotPacing {
            campaign: c1(),
            pacing: PilotPacing {
                daily_cap: Some(cap),
                window: None,
            },
        };
        let capped_at_10: Vec<Step> = vec![(Actor::Dcc, day(2), change(capped(10)).into())];
        given(&[catalogue(), estate(), pilot(), capped_at_10.clone()])
            .when(&csp, day(3), set(11))
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot(), capped_at_10])
            .when(&csp, day(3), set(10))
            .then(vec![PilotPacingSet {
                campaign: c1(),
                pacing: PilotPacing {
                    daily_cap: Some(10),
                    window: None,
                },
            }
            .into()]);
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), set(5))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate(), pilot()])
            .when(&sup("SUP-A"), day(3), set(5))
            .then_error(ErrorKind::NotPermitted, None);
        // The south's CSP does not see the north's campaign.
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Csp(Region::South), day(3), set(5))
            .then_error(ErrorKind::NotFound, None);
        given(&[catalogue(), estate(), pilot()])
            .when(
                &csp,
                day(3),
                SetPilotPacing {
                    campaign: c1(),
                    pacing: PilotPacing {
                        daily_cap: None,
                        window: Some(DispatchWindow {
                            from_hour: 9,
                            to_hour: 9,
                        }),
                    },
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot()])
            .when(
                &csp,
                day(3),
                SetPilotPacing {
                    campaign: c1(),
                    pacing: PilotPacing::default(),
                },
            )
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
        let rollout: Vec<Step> = vec![(
            Actor::Dcc,
            day(3),
            crate::write::command::GrantMassRolloutOa {
                campaign: c1(),
                override_reason: Some("no verdicts needed for this test".into()),
            }
            .into(),
        )];
        given(&[catalogue(), estate(), pilot(), rollout])
            .when(&csp, day(4), set(5))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::CampaignPhase));
    }

    #[test]
    fn the_lower_of_the_policy_cap_and_the_csp_cap_holds_in_the_pilot_only() {
        let mut c = crate::model::campaigns::Campaign {
            policy: capped(10),
            ..test_campaign()
        };
        c.rollout.pilot_pacing.daily_cap = Some(4);
        let today = crate::kernel::civil_time::day_of(day(3));
        assert_eq!(c.cap_on(today), Some(4));
        c.rollout.pilot_pacing.daily_cap = Some(40); // the DCC lowered the policy below it
        assert_eq!(c.cap_on(today), Some(10));
        c.phase = Phase::MassRollout;
        c.rollout.pilot_pacing.daily_cap = Some(4);
        assert_eq!(c.cap_on(today), Some(10));
    }

    #[test]
    fn a_log_s_policy_change_or_pacing_no_command_could_make_is_refused_on_replay() {
        let csp = Actor::Csp(Region::North);
        // The same policy again, and no reason.
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &Actor::Dcc,
            day(3),
            CampaignPolicyChanged {
                campaign: c1(),
                policy: CampaignPolicy::default(),
                reason: "x".into(),
            }
            .into(),
        );
        assert!(err.to_string().contains("is already that"), "{err}");
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &Actor::Dcc,
            day(3),
            CampaignPolicyChanged {
                campaign: c1(),
                policy: capped(3),
                reason: "".into(),
            }
            .into(),
        );
        assert!(err.to_string().contains("needs a reason"), "{err}");
        // A pacing above the policy's cap.
        let capped_at_10: Vec<Step> = vec![(Actor::Dcc, day(2), change(capped(10)).into())];
        let err = given(&[catalogue(), estate(), pilot(), capped_at_10]).refuses_recorded(
            &csp,
            day(3),
            PilotPacingSet {
                campaign: c1(),
                pacing: PilotPacing {
                    daily_cap: Some(11),
                    window: None,
                },
            }
            .into(),
        );
        assert!(
            err.to_string()
                .contains("above the campaign policy's daily cap of 10"),
            "{err}"
        );
        // Another region's CSP.
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &Actor::Csp(Region::South),
            day(3),
            PilotPacingSet {
                campaign: c1(),
                pacing: PilotPacing {
                    daily_cap: Some(1),
                    window: None,
                },
            }
            .into(),
        );
        assert!(err.to_string().contains("only the CSP of north"), "{err}");
    }

    fn test_campaign() -> crate::model::campaigns::Campaign {
        let mut e = crate::engine::Engine::new();
        for (actor, at, command) in [catalogue(), estate(), pilot()].concat() {
            e.execute(&actor, at, command).unwrap();
        }
        e.state().campaigns[&c1()].clone()
    }
}
