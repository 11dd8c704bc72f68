//! Industry trends as every party may read them (docs/domain.md decisions 18 and 22): each
//! variant's configuration sets as shares of its hubs, never volumes, under the disclosure
//! rules of `read/disclosure.rs`, for each GB local day of a range.
//!
//! What is shown on a day does not depend on the range asked: the shares are worked out from
//! the first day of the history on (a share moves only when the change since the shares last
//! shown passes the rules, so asking day by day shows nothing a longer range hides).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::VariantId;
use crate::model::dpl::INDUSTRY;
use crate::model::estate::{date_from_days, days_from_date, ConfigurationSet};
use crate::model::state::State;
use crate::read::disclosure::{shares, Publisher, SetCounts};
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

/// A variant's shares as last shown: the day, each shown set's share, "other"'s.
type Shown = (i32, Vec<(u32, i32)>, Option<i32>);

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

    /// For each day from `from` to `to`, each variant's shares as last shown by then, worked
    /// out from the history's first day: the counts move with each day's moves, and a variant
    /// a day's moves touched is offered to its publisher.
    fn shown_shares(
        &self,
        from: i32,
        to: i32,
    ) -> Vec<(i32, BTreeMap<crate::kernel::ids::VariantIdx, Shown>)> {
        let configs = &self.estate.configs;
        let variant_of = |set: u32| configs.resolve(set).variant;
        // Each variant's counts, sorted by set.
        let mut counts: BTreeMap<_, Vec<SetCounts>> = BTreeMap::new();
        let mut publishers: BTreeMap<_, Publisher> = BTreeMap::new();
        let mut shown: BTreeMap<_, Shown> = BTreeMap::new();
        let mut out = Vec::new();
        let mut next = from;
        let mut emit_until = |day: i32, shown: &BTreeMap<_, Shown>, next: &mut i32| {
            while *next <= day.min(to) {
                out.push((*next, shown.clone()));
                *next += 1;
            }
        };
        for (day, moves) in self.dpl.days_through(to) {
            emit_until(day - 1, &shown, &mut next);
            let mut touched = Vec::new();
            for m in moves {
                let variant = variant_of(m.set);
                let sets = counts.entry(variant).or_default();
                let i = match sets.binary_search_by_key(&m.set, |c| c.set) {
                    Ok(i) => i,
                    Err(i) => {
                        sets.insert(
                            i,
                            SetCounts {
                                set: m.set,
                                ..SetCounts::default()
                            },
                        );
                        i
                    }
                };
                let c = &mut sets[i];
                if m.customer == INDUSTRY {
                    c.hubs += m.hubs;
                } else {
                    let at = usize::from(m.customer);
                    if c.by_supplier.len() <= at {
                        c.by_supplier.resize(at + 1, 0);
                    }
                    c.by_supplier[at] += m.hubs;
                }
                if touched.last() != Some(&variant) {
                    touched.push(variant);
                }
            }
            touched.sort_unstable();
            touched.dedup();
            for variant in touched {
                let sets = &counts[&variant];
                let publisher = publishers.entry(variant).or_default();
                if publisher.offer(day, sets) {
                    if let Some((grouping, at, _)) = publisher.shown() {
                        let (set_shares, other) = shares(grouping, at);
                        shown.insert(variant, (day, set_shares, other));
                    }
                }
            }
        }
        emit_until(to, &shown, &mut next);
        out
    }
}

/// How many days a trend looks back.
pub const TREND_WINDOW_DAYS: u64 = 30;
/// How far a set's share must fall (and another's rise), in basis points, to be a trend.
pub const TREND_MIN_MOVE_BP: i32 = 200;

/// A set's share at the start and at the end of a trend's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShareMove {
    pub configuration_set: ConfigurationSet,
    pub label: String,
    /// Its share when the window began (0: not shown on its own then).
    pub from_bp: i32,
    pub to_bp: i32,
}

/// The industry moving off a configuration set: its share of its variant falling, another's
/// rising, from `from` (the window's first day with the variant's shares shown) to `to`;
/// shares only, as disclosed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Trend {
    pub variant: VariantId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub leaving: ShareMove,
    /// The set whose share rose most.
    pub rising: ShareMove,
}

impl State {
    /// The sets the industry is leaving, over the [`TREND_WINDOW_DAYS`] days to GB local day
    /// `on`, from the shares as disclosed (`industry_shares`): a set whose share fell by at
    /// least [`TREND_MIN_MOVE_BP`] while another's rose as much. A customer is told of the
    /// sets it runs that day; the DCC of every set; a CSP of its region's.
    pub fn industry_trends(&self, actor: &Actor, on: NaiveDate) -> Result<Vec<Trend>, Error> {
        // Checked: a day at the calendar's edge is refused, not a panic across a binding.
        let from = on
            .checked_sub_days(chrono::Days::new(TREND_WINDOW_DAYS))
            .ok_or_else(|| Error::invalid_input("on", format!("{on} has no window before it")))?;
        let days = self.industry_shares(actor, from, on)?;
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Vec::new());
        };
        let runs: Option<Vec<ConfigurationSet>> = match actor {
            Actor::Customer(me) => Some(
                self.dpl_on(actor, Some(me), on)?
                    .into_iter()
                    .map(|e| e.configuration_set)
                    .collect(),
            ),
            _ => None,
        };
        let mut out = Vec::new();
        for v in &last.variants {
            if let Actor::Csp(region) = actor {
                let in_region = self
                    .catalogue
                    .variants
                    .iter()
                    .any(|x| x.id == v.variant && x.region == *region);
                if !in_region {
                    continue;
                }
            }
            // The variant's shares when the window began, or when they were first shown in it.
            let (since, before) = days
                .iter()
                .find_map(|d| {
                    d.variants
                        .iter()
                        .find(|x| x.variant == v.variant)
                        .map(|x| (d.day, x))
                })
                .map_or((first.day, None), |(d, x)| (d, Some(x)));
            let was = |s: &IndustryShare| {
                before
                    .and_then(|b| {
                        b.sets
                            .iter()
                            .find(|x| x.configuration_set == s.configuration_set)
                    })
                    .map_or(0, |x| x.share_bp)
            };
            let rising = v
                .sets
                .iter()
                .map(|s| (s, s.share_bp - was(s)))
                .filter(|(_, up)| *up >= TREND_MIN_MOVE_BP)
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.label.cmp(&a.0.label)));
            let Some((rising, _)) = rising else {
                continue;
            };
            let Some(before) = before else {
                continue;
            };
            for s in &before.sets {
                // Shown at both ends (a set merged into "other" since has no share to compare).
                let Some(now) = v
                    .sets
                    .iter()
                    .find(|x| x.configuration_set == s.configuration_set)
                    .map(|x| x.share_bp)
                else {
                    continue;
                };
                let runs_it = runs
                    .as_ref()
                    .is_none_or(|r| r.contains(&s.configuration_set));
                if s.share_bp - now >= TREND_MIN_MOVE_BP && runs_it {
                    out.push(Trend {
                        variant: v.variant.clone(),
                        from: since,
                        to: last.day,
                        leaving: ShareMove {
                            configuration_set: s.configuration_set.clone(),
                            label: s.label.clone(),
                            from_bp: s.share_bp,
                            to_bp: now,
                        },
                        rising: ShareMove {
                            configuration_set: rising.configuration_set.clone(),
                            label: rising.label.clone(),
                            from_bp: was(rising),
                            to_bp: rising.share_bp,
                        },
                    });
                }
            }
        }
        Ok(out)
    }
}
