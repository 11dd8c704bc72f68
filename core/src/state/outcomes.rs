//! What the CSP reports (upgrade outcomes, HAN health) and the deadlines the system keeps
//! (read-back reconciliation, in-flight timeouts, cut-off notices).

use serde::{Deserialize, Serialize};

use super::command::{Cx, Decide};
use super::State;
use crate::actor::Actor;
use crate::event::EventPayload;
use crate::ids::CampaignId;
use crate::limits;
use crate::rollout::{HanHealth, Outcome};
use crate::rollout::{HealthReport, OutcomeReport};
use crate::Error;

/// The CSP of the campaign's region: outcomes of upgrade attempts, in the order they
/// happened (one hub may appear more than once). Every row is checked; any bad row refuses
/// the whole report. Automatic halts follow in the same command where a threshold is crossed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        let mut events = vec![EventPayload::OutcomesReported { campaign, outcomes }];
        events.extend(state.halts_after(c, &sim.counted));
        Ok(events)
    }
}

/// A supplier of upgraded hubs: how their HANs are after the upgrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        let mut events = vec![EventPayload::HanHealthReported {
            campaign,
            customer,
            reports,
        }];
        events.extend(state.halts_after(c, &counted));
        Ok(events)
    }
}

/// DCC (its scheduler): what time has made due. Unanswered hubs past the reconciliation
/// timeout fail; customers are told their cut-off approaches or has passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        Ok(state.deadlines_due(at))
    }
}
