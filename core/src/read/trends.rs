//! Industry trends as every party may read them (docs/domain.md decisions 18 and 22): each
//! variant's configuration sets as shares of its hubs, never volumes, under the disclosure
//! rules of `model/disclosure.rs` (worked out in `model/trends.rs`), for each GB local day of a range.
//!
//! What is shown on a day does not depend on the range asked: the shares are worked out from
//! the first day of the history on (a share moves only when the change since the shares last
//! shown passes the rules, so asking day by day shows nothing a longer range hides).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::VariantId;
use crate::model::estate::{date_from_days, days_from_date, ConfigurationSet};
use crate::model::state::State;
pub use crate::model::trends::{ShareMove, Trend, TREND_MIN_MOVE_BP, TREND_WINDOW_DAYS};
use crate::read::dpl::check_range;

/// A configuration set's share of its variant's hubs, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndustryShare {
    pub configuration_set: ConfigurationSet,
    /// Its short label, distinct within the answer.
    pub label: String,
    /// Basis points (hundredths of a percent) of the variant's hubs, a multiple of
    /// `disclosure::SHARE_STEP_BP`.
    pub share_bp: i32,
}

/// A variant's shares as shown on a day: those of `as_of`, the last day whose shares, and
/// their change since the ones shown before, passed the disclosure rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantShares {
    pub variant: VariantId,
    pub as_of: NaiveDate,
    /// The sets shown on their own, largest first.
    pub sets: Vec<IndustryShare>,
    /// The share of the sets merged as "other" (None: every set is shown on its own).
    pub other_bp: Option<i32>,
}

/// The industry's shares on one GB local day: every variant with something to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SharesDay {
    pub day: NaiveDate,
    pub variants: Vec<VariantShares>,
}

impl State {
    /// The industry's shares at the end of each GB local day from `from` to `to` (at most
    /// `MAX_DPL_DAYS`). The same answer for every party: shares only, each passing the
    /// disclosure rules. Labels are distinct across the whole answer.
    pub fn industry_shares(
        &self,
        _actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SharesDay>, Error> {
        let days = check_range(from, to)?;
        let shown = self.shown_shares(days_from_date(from), days_from_date(to));
        let mut codes: Vec<u32> = shown
            .iter()
            .flat_map(|(_, vs)| vs.values().flat_map(|s| s.1.iter().map(|&(c, _)| c)))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let sets: Vec<ConfigurationSet> =
            codes.iter().map(|&c| self.configuration_set(c)).collect();
        let labels = ConfigurationSet::labels(&sets.iter().collect::<Vec<_>>());
        let of = |code: u32| codes.binary_search(&code).ok();
        let mut out = Vec::with_capacity(days);
        for (day, variants) in shown {
            let Some(day) = date_from_days(day) else {
                continue;
            };
            let variants = variants
                .into_iter()
                .filter_map(|(variant, (as_of, set_shares, other_bp))| {
                    Some(VariantShares {
                        variant: self.catalogue.variant(variant).id.clone(),
                        as_of: date_from_days(as_of)?,
                        sets: set_shares
                            .iter()
                            .filter_map(|&(code, share_bp)| {
                                let i = of(code)?;
                                Some(IndustryShare {
                                    configuration_set: sets[i].clone(),
                                    label: labels[i].clone(),
                                    share_bp,
                                })
                            })
                            .collect(),
                        other_bp,
                    })
                })
                .collect();
            out.push(SharesDay { day, variants });
        }
        Ok(out)
    }
}

impl State {
    /// The sets the industry is leaving, over the [`TREND_WINDOW_DAYS`] days to GB local day
    /// `on`, from the shares as disclosed (`industry_shares`): a set whose share fell by at
    /// least [`TREND_MIN_MOVE_BP`] while another's rose as much. A customer is told of the
    /// sets it runs that day; the DCC of every set; a CSP of its region's.
    pub fn industry_trends(&self, actor: &Actor, on: NaiveDate) -> Result<Vec<Trend>, Error> {
        let trends = self.trends_on(on)?;
        Ok(match actor {
            Actor::Customer(me) => {
                let runs: Vec<ConfigurationSet> = self
                    .dpl_on(actor, Some(me), on)?
                    .into_iter()
                    .map(|e| e.configuration_set)
                    .collect();
                trends
                    .into_iter()
                    .filter(|(_, t)| runs.contains(&t.leaving.configuration_set))
                    .map(|(_, t)| t)
                    .collect()
            }
            Actor::Csp(region) => trends
                .into_iter()
                .filter(|(_, t)| {
                    self.catalogue
                        .variants
                        .iter()
                        .any(|x| x.id == t.variant && x.region == *region)
                })
                .map(|(_, t)| t)
                .collect(),
            _ => trends.into_iter().map(|(_, t)| t).collect(),
        })
    }
}
