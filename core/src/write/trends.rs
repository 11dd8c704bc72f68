//! Trend notices (docs/deployed-products.md, "Trend notices"): when the DCC's scheduler checks
//! deadlines, each customer running a configuration set the industry is leaving is told so,
//! with shares only, at most once per set and trend window. An automatic act like a cut-off
//! notice: worked out from the state and the check's time alone, so a signed log's replay
//! decides it again and gets the same notices.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::civil_time;
use crate::kernel::error::{Entity, Error};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::model::dpl::INDUSTRY;
use crate::model::estate::{days_from_date, CustomerIdx};
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::state::State;
use crate::model::trends::{SharedTrend, Trend};
use crate::write::authority::{self, Authority};
use crate::write::event::EventPayload;
use crate::write::event::{Event, Evolve, Notices};

/// One customer told of one trend: a set it runs that the industry is leaving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TrendNotice {
    pub customer: CustomerId,
    pub trend: Trend,
}

/// Customers told that the industry is leaving sets they run, on the trends of GB local day
/// `on` (the last whole day before the check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IndustryTrendsNoticed {
    pub on: NaiveDate,
    pub notices: Vec<TrendNotice>,
}

impl Evolve for IndustryTrendsNoticed {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::system(actor)
    }

    /// Automatic: the system's own check of the disclosed shares.
    fn is_automatic(&self) -> bool {
        true
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let day = days_from_date(self.on);
        // Every reference resolved before anything changes.
        let told = self
            .notices
            .iter()
            .map(|n| {
                let customer = state.customer_ref(&n.customer)?;
                let set = &n.trend.leaving.configuration_set;
                let code = state
                    .find_config(set)
                    .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))?;
                Ok((customer, code))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        for key in told {
            state.trends.told.insert(key, day);
        }
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        for n in &self.notices {
            if let Some(i) = state.estate.customer_idx(&n.customer) {
                out.push((
                    Recipient::Customer(i),
                    NotificationKind::IndustryTrend {
                        trend: SharedTrend::new(n.trend.clone()),
                    },
                ));
            }
        }
    }
}

impl State {
    /// The trend notices a deadline check at `at` makes due: of the trends of the last whole
    /// GB local day, each customer running a leaving set that day and not told of it within
    /// the window before. A day found with nothing new is remembered (not kept: a memo), so
    /// the checks after it that day cost nothing until a move of that day or before.
    pub(crate) fn trend_notices_due(&self, at: DateTime<Utc>) -> Vec<EventPayload> {
        let Some(on) = civil_time::day_of(at).pred_opt() else {
            return Vec::new();
        };
        let day = days_from_date(on);
        if self.trends.quiet.is(day) {
            return Vec::new();
        }
        // A day at the calendar's edge has no window: nothing to tell.
        let trends = self.trends_on(on).unwrap_or_default();
        let leaving: std::collections::BTreeSet<u32> = trends.iter().map(|(c, _)| *c).collect();
        let runs = if leaving.is_empty() {
            Default::default()
        } else {
            self.dpl.counts_on(day, |set| leaving.contains(&set))
        };
        let mut notices = Vec::new();
        for (code, trend) in &trends {
            for (&(_, customer), _) in runs
                .range((*code, CustomerIdx::new(0))..=(*code, CustomerIdx::new(u16::MAX)))
                .filter(|(&(_, c), &hubs)| c != INDUSTRY && hubs > 0)
            {
                if !self.trends.may_tell(customer, *code, day) {
                    continue;
                }
                if let Some(id) = self.estate.customer(customer) {
                    notices.push(TrendNotice {
                        customer: id.clone(),
                        trend: trend.clone(),
                    });
                }
            }
        }
        if notices.is_empty() {
            self.trends.quiet.set(day);
            return Vec::new();
        }
        // By customer, then as the trends came (variant, then the set's share then).
        notices.sort_by(|a, b| a.customer.cmp(&b.customer));
        vec![EventPayload::IndustryTrendsNoticed(IndustryTrendsNoticed {
            on,
            notices,
        })]
    }
}
