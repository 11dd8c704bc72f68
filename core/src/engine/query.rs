//! The engine's entries for questions: every query as data ([`Query`], answered by
//! [`Engine::query`]), and the recorded events as a frame. The answers are worked out by the
//! read side on the engine's state; the engine adds what only it holds (its kept lists, its
//! notification outboxes, its stored events).

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::read::query::{Answer, Query};

use super::Engine;
use crate::kernel::limits::non_negative;

impl Engine {
    /// `actor`'s report on the GB local day of `at` over `days` days (`State::report`), with
    /// the notices waiting in its outbox.
    pub fn report(
        &self,
        actor: &Actor,
        at: chrono::DateTime<chrono::Utc>,
        days: i64,
    ) -> Result<String, Error> {
        let notices = match actor {
            Actor::System => Vec::new(),
            _ => self.notifications(actor, 10_000)?.notifications,
        };
        self.state().report(actor, at, days, &notices)
    }

    /// Answers `query` as `actor` may see it: the one entry every binding and runner calls.
    pub fn query(&self, actor: &Actor, query: &Query) -> Result<Answer, Error> {
        let s = self.state();
        Ok(match query {
            Query::Hub { hub } => Answer::Hub(Box::new(s.hub(actor, *hub)?)),
            Query::CustomerEstate { customer } => Answer::Hubs(s.customer_estate(actor, customer)?),
            Query::CustomerEstatePage {
                customer,
                after,
                limit,
            } => Answer::HubPage(s.customer_estate_page(
                actor,
                customer,
                *after,
                non_negative("limit", *limit)?,
            )?),
            Query::ConfigurationSets { customer } => {
                Answer::ConfigurationSets(s.configuration_sets(actor, customer.as_ref())?)
            }
            Query::Dpl { customer, on } => Answer::Dpl(s.dpl_on(actor, customer.as_ref(), *on)?),
            Query::RetirementEvidence { customer } => {
                Answer::RetirementEvidence(s.retirement_evidence(actor, customer.as_ref())?)
            }
            Query::DplHistory { customer, from, to } => {
                Answer::DplHistory(s.dpl_history(actor, customer.as_ref(), *from, *to)?)
            }
            Query::DplPie { customer, on } => {
                Answer::DplPie(s.dpl_pie(actor, customer.as_ref(), *on)?)
            }
            Query::Report { at, days } => Answer::Report(self.report(actor, *at, *days)?),
            Query::IndustryShares { from, to } => {
                Answer::IndustryShares(s.industry_shares(actor, *from, *to)?)
            }
            Query::IndustryTrends { on } => Answer::Trends(s.industry_trends(actor, *on)?),
            Query::Campaign { campaign } => {
                Answer::Campaign(Box::new(s.campaign(actor, campaign)?))
            }
            Query::Campaigns {} => Answer::Campaigns(s.campaigns(actor)),
            Query::Variants {} => Answer::Variants(s.variants(actor)),
            Query::FirmwareVersions { variant } => {
                Answer::FirmwareVersions(s.firmware_versions(actor, variant)?)
            }
            Query::UpgradeRoute { variant, from, to } => {
                Answer::Versions(s.upgrade_route(actor, variant, from, to)?)
            }
            Query::Explain { campaign, hub, at } => {
                Answer::Explanation(s.explain(actor, campaign, *hub, *at)?)
            }
            Query::UpgradeList {
                region,
                at,
                offset,
                limit,
            } => Answer::UpgradePage(self.upgrade_list(
                actor,
                *region,
                *at,
                non_negative("offset", *offset)?,
                non_negative("limit", *limit)?,
            )?),
            Query::Participation {
                campaign,
                customer,
                at,
            } => Answer::Participation(Box::new(s.participation(actor, campaign, customer, *at)?)),
            Query::Participations { campaign, at } => {
                Answer::Participations(s.participations(actor, campaign, *at)?)
            }
            Query::ProposePilot {
                campaign,
                size,
                seed,
                at,
            } => Answer::PilotProposal(s.propose_pilot(
                actor,
                campaign,
                u32::try_from(non_negative("size", i64::from(*size))?).unwrap_or(u32::MAX),
                // A seed is only bits: a negative one is as good as any.
                seed.cast_unsigned(),
                *at,
            )?),
            Query::PilotStatus { campaign } => {
                Answer::PilotStatus(s.pilot_status(actor, campaign)?)
            }
            Query::CampaignProgress { campaign, at } => {
                Answer::Progress(s.campaign_progress(actor, campaign, *at)?)
            }
            Query::EstateByFirmware { customer } => {
                Answer::EstateByFirmware(s.estate_by_firmware(actor, customer.as_ref())?)
            }
            Query::Notifications { limit } => {
                Answer::Notifications(self.notifications(actor, non_negative("limit", *limit)?)?)
            }
            Query::DefectFlags {} => Answer::DefectFlags(s.defect_flags(actor)?),
            Query::Rules {} => Answer::Rules(s.rules(actor)?),
            Query::DryRunRule { rule, at } => Answer::DryRun(s.dry_run_rule(actor, rule, *at)?),
        })
    }

    /// [`Engine::query`] with the query and the answer as JSON text (for bindings and runners
    /// that carry JSON). A query that does not parse is `invalid_input` naming what was wrong.
    pub fn query_json(&self, actor: &Actor, query: &str) -> Result<String, Error> {
        let query: Query = serde_json::from_str(query)
            .map_err(|e| Error::invalid_input("query", e.to_string()))?;
        let answer = self.query(actor, &query)?;
        serde_json::to_string(&answer).map_err(|e| Error::invalid_input("answer", e.to_string()))
    }
}

#[cfg(feature = "arrow")]
impl Engine {
    /// Answers a columnar question as `actor` may see it: the one columnar entry every binding
    /// calls (`query_arrow` in Python, `queryArrow` on the JVM). The same rows, scope and
    /// refusals as the row query of the same name.
    pub fn query_arrow(
        &mut self,
        actor: &Actor,
        query: &crate::read::arrow::ColumnarQuery,
    ) -> Result<crate::read::arrow::ArrowAnswer, Error> {
        use crate::read::arrow::{ArrowAnswer, ColumnarQuery};
        match query {
            ColumnarQuery::Events { after, limit } => {
                let after = u64::try_from(*after)
                    .map_err(|_| Error::invalid_input("after", format!("{after} is negative")))?;
                let limit = u32::try_from(*limit).unwrap_or(0);
                let batch = self.events_arrow(actor, after, limit)?;
                Ok(ArrowAnswer {
                    schema: batch.schema(),
                    batches: vec![batch],
                })
            }
            ColumnarQuery::UpgradeList { region, at } => {
                let list = self.maintained_upgrade_list(actor, *region, *at)?;
                Ok(ArrowAnswer::one(self.state().upgrade_list_batch(&list)?))
            }
            other => self.state().answer_arrow(actor, other),
        }
    }

    /// [`Engine::query_arrow`] with the question as JSON (`{"name": "upgrade_list", ...}`). A
    /// question that does not parse is `invalid_input` naming what was wrong.
    pub fn query_arrow_json(
        &mut self,
        actor: &Actor,
        query: &str,
    ) -> Result<crate::read::arrow::ArrowAnswer, Error> {
        let query: crate::read::arrow::ColumnarQuery = serde_json::from_str(query)
            .map_err(|e| Error::invalid_input("query", e.to_string()))?;
        self.query_arrow(actor, &query)
    }

    /// At most `limit` (1 to 100 000) recorded events after sequence number `after` (0: from
    /// the first), oldest first: `seq`, `at` (recording time), `actor` (its code: `dcc`,
    /// `csp:north`, `customer:ID`), `kind` (`campaign_created`, ...) and `body` (the event's
    /// JSON line, as the journal and the store hold it). Page on with the last `seq`. Only the
    /// DCC reads the log: it names every party. In memory the answer covers the events the
    /// engine still holds (`take_events` hands them over).
    pub fn events_arrow(
        &mut self,
        actor: &Actor,
        after: u64,
        limit: u32,
    ) -> Result<arrow_array::RecordBatch, Error> {
        crate::read::arrow::events::check_events_page(actor, limit)?;
        let records = self.records(after, limit as usize)?;
        crate::read::arrow::events::events_batch(&records)
    }
}
