//! What the CSP reports (upgrade outcomes, HAN health) and the deadlines the system keeps
//! (read-back reconciliation, in-flight timeouts, cut-off notices).

mod read_backs;
mod simulate;

pub use read_backs::{ReadBacksReported, ReportReadBacks};

use serde::{Deserialize, Serialize};

use crate::kernel::civil_time;
use crate::kernel::error::Error;
use crate::kernel::error::Rule;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::kernel::limits;
use crate::model::estate::CustomerIdx;
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::rollout::{
    FailureReason, HanHealth, HealthRecord, HealthReport, Outcome, OutcomeReport, Tally,
    UpgradeState,
};
use crate::model::state::State;
use crate::write::authority::{self, Authority};
use crate::write::command::{Cx, Decide};
use crate::write::event::EventPayload;
use crate::write::event::{Event, Evolve, Notices};
use crate::write::notices::{summary, Class, Counts};

/// The CSP of the campaign's region: outcomes of upgrade attempts, in the order they
/// happened (one hub may appear more than once). Every row is checked; any bad row refuses
/// the whole report. Automatic halts follow in the same command where a threshold is crossed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportOutcomes {
    pub campaign: CampaignId,
    pub outcomes: Vec<OutcomeReport>,
}

impl Decide for ReportOutcomes {
    fn action(&self) -> String {
        let ReportOutcomes { campaign, outcomes } = self;
        format!("report {} upgrade outcomes in {campaign}", outcomes.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("outcomes", self.outcomes.len(), limits::MAX_OUTCOME_ROWS)?;
        for (i, row) in self.outcomes.iter().enumerate() {
            if let Outcome::DeliveryFailed { reason: Some(r) }
            | Outcome::ActivationFailed { reason: Some(r) } = &row.outcome
            {
                limits::text_within(
                    &format!("outcomes[{i}].reason"),
                    r,
                    limits::MAX_ROW_TEXT_BYTES,
                )?;
            }
            if let Outcome::ReadBack { firmware } = &row.outcome {
                limits::text_within(
                    &format!("outcomes[{i}].firmware"),
                    firmware.as_str(),
                    limits::MAX_ROW_TEXT_BYTES,
                )?;
            }
        }
        Ok(())
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ReportOutcomes { campaign, outcomes } = self;
        let (actor, at, action) = (cx.actor, cx.at, &cx.action);
        let c = state.reporting_campaign(actor, &campaign, action)?;
        if outcomes.is_empty() {
            return Err(Error::invalid_input(
                "outcomes",
                "report at least one outcome",
            ));
        }
        let ctx = state.campaign_ctx(c, at);
        let sim = state
            .simulate_outcomes(c, &outcomes, at, Some(&ctx))
            .map_err(|rows| Error::BulkRejected { rows })?;
        let mut events = vec![EventPayload::OutcomesReported(OutcomesReported {
            campaign,
            outcomes,
        })];
        events.extend(state.halts_after(c, &sim.counted));
        Ok(events)
    }
}

/// A supplier of upgraded hubs: how their HANs are after the upgrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportHanHealth {
    pub campaign: CampaignId,
    pub reports: Vec<HealthReport>,
}

impl Decide for ReportHanHealth {
    fn action(&self) -> String {
        let ReportHanHealth { campaign, reports } = self;
        format!(
            "report the HAN health of {} hubs in {campaign}",
            reports.len()
        )
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count("reports", self.reports.len(), limits::MAX_HUBS_PER_COMMAND)?;
        for (i, r) in self.reports.iter().enumerate() {
            if let HanHealth::DeviceMisbehaves { text: Some(t), .. } = &r.health {
                limits::text_within(&format!("reports[{i}].text"), t, limits::MAX_ROW_TEXT_BYTES)?;
            }
        }
        Ok(())
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ReportHanHealth { campaign, reports } = self;
        let (actor, at, action) = (cx.actor, cx.at, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        let c = state.campaign_for(actor, &campaign)?;
        if reports.is_empty() {
            return Err(Error::invalid_input("reports", "report at least one hub"));
        }
        let counted = state
            .simulate_health(c, me, &reports, Some(actor), at)
            .map_err(|rows| Error::BulkRejected { rows })?;
        let mut events = vec![EventPayload::HanHealthReported(HanHealthReported {
            campaign,
            customer,
            reports,
        })];
        events.extend(state.halts_after(c, &counted));
        Ok(events)
    }
}

/// DCC (its scheduler): what time has made due. Unanswered hubs past the reconciliation
/// timeout fail; customers are told their cut-off approaches or has passed, and of the sets
/// they run that the industry is leaving (`write/trends.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckDeadlines {}

impl Decide for CheckDeadlines {
    fn action(&self) -> String {
        "check deadlines".to_string()
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let (actor, at, action) = (cx.actor, cx.at, &cx.action);
        if *actor != Actor::Dcc {
            return Err(Error::not_permitted(
                actor,
                action,
                "deadlines are checked by the DCC's scheduler",
            ));
        }
        let mut events = state.deadlines_due(at);
        events.extend(state.trend_notices_due(at));
        Ok(events)
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomesReported {
    pub campaign: CampaignId,
    pub outcomes: Vec<OutcomeReport>,
}

impl Evolve for OutcomesReported {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::campaign_csp(state, actor, &self.campaign)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let OutcomesReported { campaign, outcomes } = self;
        let c = state.campaign_ref(campaign)?;
        let sim = state
            .simulate_outcomes(c, outcomes, event.at, None)
            .map_err(|rows| Error::BulkRejected { rows })?;
        for &(pos, firmware, at) in &sim.moved {
            let devices = state.estate.devices_of(state.estate.hubs[pos].config);
            state.estate.reconfigure(pos, firmware, &devices)?;
            state.record_moves_on(at); // the DPL counts it on the day it happened
        }
        for &(pos, at) in &sim.read {
            state.firmware_known.changed(pos, at);
        }
        let r = &mut state.campaign_mut(campaign).rollout;
        for (day, n) in sim.dispatched {
            r.days.entry(day).or_default().dispatched += n;
        }
        for (cfg, d, t) in sim.counted {
            r.count(cfg, d, t);
        }
        r.upgrades.extend(sim.upgrades);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let OutcomesReported { campaign, outcomes } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            let rows = outcomes.iter().filter_map(|r| {
                let pos = state.estate.position(r.hub)?;
                let last = c.rollout.upgrades.get(&(pos as u32));
                let final_state = last.map(|u| u.state);
                let final_failure = last.and_then(|u| u.failure);
                let class = match &r.outcome {
                    Outcome::Dispatched => Class::Dispatched,
                    Outcome::NoResponse => Class::NoResponse,
                    Outcome::DeliveryFailed { .. } | Outcome::ActivationFailed { .. } => {
                        Class::Failed
                    }
                    Outcome::ReadBack { .. } if final_state == Some(UpgradeState::Succeeded) => {
                        Class::Succeeded
                    }
                    // A late read-back corrects the firmware, not the attempt's outcome, which
                    // was told when it timed out.
                    Outcome::ReadBack { .. }
                        if final_failure.is_some_and(FailureReason::timed_out) =>
                    {
                        return None
                    }
                    Outcome::ReadBack { .. } => Class::Failed,
                    Outcome::Delivered | Outcome::Activated => return None,
                };
                Some((pos, class))
            });
            state.summaries(c, rows, out);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HanHealthReported {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub reports: Vec<HealthReport>,
}

impl Evolve for HanHealthReported {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let HanHealthReported {
            campaign,
            customer,
            reports,
        } = self;
        let me = state.customer_ref(customer)?;
        let c = state.campaign_ref(campaign)?;
        let counted = state
            .simulate_health(c, me, reports, None, event.at)
            .map_err(|rows| Error::BulkRejected { rows })?;
        let positions: Vec<u32> = reports
            .iter()
            .map(|r| state.estate.position(r.hub).map_or(0, |p| p as u32))
            .collect();
        let r = &mut state.campaign_mut(campaign).rollout;
        for (cfg, d, t) in counted {
            r.count(cfg, d, t);
        }
        for (report, p) in reports.iter().zip(positions) {
            if report.health.is_bad() {
                if let Some(u) = r.upgrades.get_mut(&p) {
                    u.health_bad = true;
                }
            }
            r.health.entry(p).or_default().push(HealthRecord {
                customer: me,
                health: report.health.clone(),
                at: report.happened_at.unwrap_or(event.at),
            });
        }
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let HanHealthReported {
            campaign,
            customer,
            reports,
        } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            for r in reports.iter().filter(|r| r.health.is_bad()) {
                let kind = |named: bool| NotificationKind::HanHealthIssue {
                    campaign: campaign.clone(),
                    hub: r.hub,
                    health: r.health.clone(),
                    customer: named.then(|| customer.clone()),
                };
                out.push((Recipient::Dcc, kind(true)));
                out.push((Recipient::Csp(state.region_of(c)), kind(false)));
            }
        }
    }
}

/// Hubs that did not answer and were not read back before the reconciliation timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReconciliationTimedOut {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
}

impl Evolve for ReconciliationTimedOut {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::system(actor)
    }

    /// Automatic: the system's own deadline.
    fn is_automatic(&self) -> bool {
        true
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let ReconciliationTimedOut { campaign, hubs } = self;
        apply_timed_out(state, campaign, hubs, false, event, verify)?;
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let ReconciliationTimedOut { campaign, hubs } = self;
        timed_out_notices(state, campaign, hubs, out);
    }
}

/// Hubs left dispatched, delivered or activated past the campaign's in-flight timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InFlightTimedOut {
    pub campaign: CampaignId,
    pub hubs: Vec<HubId>,
}

impl Evolve for InFlightTimedOut {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::system(actor)
    }

    /// Automatic: the system's own deadline.
    fn is_automatic(&self) -> bool {
        true
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let InFlightTimedOut { campaign, hubs } = self;
        apply_timed_out(state, campaign, hubs, true, event, verify)?;
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let InFlightTimedOut { campaign, hubs } = self;
        timed_out_notices(state, campaign, hubs, out);
    }
}

/// Customers told that their cut-off approaches (or, `reached`, has passed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CutoffNoticesDue {
    pub campaign: CampaignId,
    pub customers: Vec<CustomerId>,
    pub reached: bool,
}

impl Evolve for CutoffNoticesDue {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::system(actor)
    }

    /// Automatic: the system's own deadline.
    fn is_automatic(&self) -> bool {
        true
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let CutoffNoticesDue {
            campaign,
            customers,
            reached,
        } = self;
        let idx: Vec<CustomerIdx> = customers
            .iter()
            .map(|c| state.customer_ref(c))
            .collect::<Result<_, _>>()?;
        state.campaign_ref(campaign)?;
        let c = state.campaign_mut(campaign);
        for i in idx {
            let cutoff = c.cutoff_for(i);
            c.rollout.cutoff_notices.insert((i, cutoff, *reached));
        }
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let CutoffNoticesDue {
            campaign,
            customers,
            reached,
        } = self;
        if let Some(c) = state.campaigns.get(campaign) {
            for id in customers {
                if let Some(i) = state.estate.customer_idx(id) {
                    let cutoff = c.cutoff_for(i);
                    let campaign = campaign.clone();
                    out.push((
                        Recipient::Customer(i),
                        if *reached {
                            NotificationKind::CutoffReached { campaign, cutoff }
                        } else {
                            NotificationKind::CutoffApproaching { campaign, cutoff }
                        },
                    ));
                }
            }
        }
    }
}

/// Hubs that timed out (no read-back, or stuck in flight when `stuck`): each fails its
/// attempt. Shared by both timeout events.
fn apply_timed_out(
    state: &mut State,
    campaign: &CampaignId,
    hubs: &[HubId],
    stuck: bool,
    event: &Event,
    verify: bool,
) -> Result<(), Error> {
    let (expected, failure): (&[UpgradeState], _) = if stuck {
        (
            &[
                UpgradeState::Dispatched,
                UpgradeState::Delivered,
                UpgradeState::Activated,
            ],
            FailureReason::InFlightTimedOut,
        )
    } else {
        (&[UpgradeState::NoResponse], FailureReason::TimedOut)
    };
    let c = state.campaign_ref(campaign)?;
    let mut positions = Vec::with_capacity(hubs.len());
    for h in hubs {
        let p = state.position(*h)? as u32;
        match c.rollout.upgrades.get(&p) {
            Some(u) if expected.contains(&u.state) => positions.push(p),
            _ if !verify => positions.push(p),
            _ => {
                return Err(Error::precondition(
                    Rule::HubState,
                    format!(
                        "hub {h} is not {} in {campaign}",
                        if stuck {
                            "in flight"
                        } else {
                            "awaiting reconciliation"
                        }
                    ),
                ))
            }
        }
    }
    let r = &mut state.campaign_mut(campaign).rollout;
    for p in positions {
        if let Some(u) = r.upgrades.get_mut(&p) {
            u.state = UpgradeState::Failed;
            u.failure = Some(failure);
            u.since = event.at;
            let (cfg, day) = (u.origin_config, civil_time::day_of(u.dispatched_at));
            r.count(
                cfg,
                day,
                Tally {
                    outcomes: 1,
                    failures: 1,
                },
            );
        }
    }

    Ok(())
}

/// The CSP's and the suppliers' summaries of hubs that timed out (both timeout events).
fn timed_out_notices(state: &State, campaign: &CampaignId, hubs: &[HubId], out: &mut Notices) {
    if let Some(c) = state.campaigns.get(campaign) {
        let rows = hubs
            .iter()
            .filter_map(|h| state.estate.position(*h))
            .map(|p| (p, Class::TimedOut));
        state.summaries(c, rows, out);
        out.push((
            Recipient::Csp(state.region_of(c)),
            summary(
                campaign,
                &Counts::of(crate::kernel::limits::signed(hubs.len()), Class::TimedOut),
            ),
        ));
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::Region;
    use crate::write::command::NominateHubs;
    use crate::write::spec::{catalogue, day, estate, given, pilot, sup, Step};

    fn c1() -> CampaignId {
        "C1".parse().unwrap()
    }

    /// SUP-A nominated hub 1 for the pilot.
    fn nominated() -> Vec<Step> {
        vec![(
            sup("SUP-A"),
            day(2),
            NominateHubs {
                campaign: c1(),
                hubs: vec![HubId::from_u64(1)],
            }
            .into(),
        )]
    }

    fn dispatched(hub: u64) -> ReportOutcomes {
        ReportOutcomes {
            campaign: c1(),
            outcomes: vec![OutcomeReport {
                hub: HubId::from_u64(hub),
                outcome: Outcome::Dispatched,
                happened_at: None,
            }],
        }
    }

    #[test]
    fn the_csp_reports_a_nominated_hub_dispatched_and_it_leaves_the_list() {
        let listed = |e: &crate::engine::Engine| {
            e.upgrade_list(&Actor::Dcc, Region::North, day(3), 0, 10)
                .unwrap()
                .total
        };
        let history = given(&[catalogue(), estate(), pilot(), nominated()]);
        assert_eq!(
            history.engine_view(listed),
            1,
            "hub 1 is on the list before"
        );
        history
            .when(&Actor::Csp(Region::North), day(3), dispatched(1))
            .then(vec![OutcomesReported {
                campaign: c1(),
                outcomes: dispatched(1).outcomes,
            }
            .into()])
            .then_view(listed, 0);
    }

    #[test]
    fn outcomes_are_the_regions_csps_and_of_upgradeable_hubs_only() {
        given(&[catalogue(), estate(), pilot(), nominated()])
            .when(&sup("SUP-A"), day(3), dispatched(1))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate(), pilot(), nominated()])
            .when(&Actor::Csp(Region::South), day(3), dispatched(1))
            .then_error(ErrorKind::NotFound, None);
        // Hub 2 was nominated by nobody: its dispatch is refused by row, nothing recorded.
        given(&[catalogue(), estate(), pilot(), nominated()])
            .when(&Actor::Csp(Region::North), day(3), dispatched(2))
            .then_error(ErrorKind::BulkRejected, None);
    }
}
