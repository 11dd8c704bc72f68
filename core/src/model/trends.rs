//! Industry trends a customer is told of (docs/deployed-products.md, "Trend notices"): the
//! shapes of a trend (worked out in `read/trends.rs` from the disclosed shares) and which
//! customer was told of which set when, so that each is told at most once per set and window.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::{CustomerIdx, VariantId, VariantIdx};
use crate::model::disclosure::{shares, Publisher, SetCounts};
use crate::model::dpl::INDUSTRY;
use crate::model::estate::{date_from_days, days_from_date, ConfigurationSet};
use crate::model::state::State;

/// A variant's shares as last shown: the day, each shown set's share (by set code), "other"'s.
pub(crate) type Shown = (i32, Vec<(u32, i32)>, Option<i32>);

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

/// A trend as a notice holds it: one copy behind a pointer, so that a notification (of which
/// an outbox keeps thousands) stays as small as the others. Serialized as the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transparent)
)]
pub struct SharedTrend(pub std::sync::Arc<Trend>);

impl SharedTrend {
    pub fn new(trend: Trend) -> SharedTrend {
        SharedTrend(std::sync::Arc::new(trend))
    }
}

impl std::ops::Deref for SharedTrend {
    type Target = Trend;

    fn deref(&self) -> &Trend {
        &self.0
    }
}

/// Which customer was told, on which GB local day, that the industry is leaving which of its
/// configuration sets: told again of that set only once [`TREND_WINDOW_DAYS`] have passed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct TrendNotices {
    /// (customer, set code) to the day (days from the common era) whose trend it was told of.
    pub told: BTreeMap<(CustomerIdx, u32), i32>,
    /// The last day checked and found with nothing new to tell: not a fact of the state but a
    /// memo (a check costs a pass over the history), so neither kept nor compared.
    #[serde(skip)]
    pub quiet: QuietDay,
}

impl TrendNotices {
    /// Whether `customer` may be told of `set` for the trend of `day` (not told of it within
    /// the window before).
    pub fn may_tell(&self, customer: CustomerIdx, set: u32, day: i32) -> bool {
        self.told
            .get(&(customer, set))
            .is_none_or(|&then| i64::from(day) - i64::from(then) >= TREND_WINDOW_DAYS as i64)
    }

    /// A day's moves changed (an event of that day, or of an earlier one from a writer
    /// behind the others): a quiet day on or after it must be checked again.
    pub fn moved(&self, day: i32) {
        self.quiet.forget_from(day);
    }
}

/// A day checked with nothing new to tell (interior: set while deciding, on a shared state).
#[derive(Debug, Default)]
pub(crate) struct QuietDay(std::sync::Mutex<Option<i32>>);

impl QuietDay {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<i32>> {
        // A poisoned memo is only a memo: its value is still a day or none.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn is(&self, day: i32) -> bool {
        *self.lock() == Some(day)
    }

    pub fn set(&self, day: i32) {
        *self.lock() = Some(day);
    }

    fn forget_from(&self, day: i32) {
        let mut quiet = self.lock();
        if quiet.is_some_and(|q| q >= day) {
            *quiet = None;
        }
    }
}

impl Clone for QuietDay {
    fn clone(&self) -> QuietDay {
        QuietDay(std::sync::Mutex::new(*self.lock()))
    }
}

/// A memo: never part of what two states are compared on.
impl PartialEq for QuietDay {
    fn eq(&self, _: &QuietDay) -> bool {
        true
    }
}

impl State {
    /// For each day from `from` to `to`, each variant's shares as last shown by then, worked
    /// out from the history's first day: the counts move with each day's moves, and a variant
    /// a day's moves touched is offered to its publisher.
    pub(crate) fn shown_shares(
        &self,
        from: i32,
        to: i32,
    ) -> Vec<(i32, BTreeMap<VariantIdx, Shown>)> {
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

    /// Every set the industry is leaving over the [`TREND_WINDOW_DAYS`] days to GB local day
    /// `on` (each with its set code), worked out from the shares as disclosed: a set shown at
    /// both ends whose share fell by at least [`TREND_MIN_MOVE_BP`] while another's rose as
    /// much. Labels are those of `industry_shares` over the window (distinct across it).
    pub(crate) fn trends_on(&self, on: NaiveDate) -> Result<Vec<(u32, Trend)>, Error> {
        // Checked: a day at the calendar's edge is refused, not a panic across a binding.
        let from = on
            .checked_sub_days(chrono::Days::new(TREND_WINDOW_DAYS))
            .ok_or_else(|| Error::invalid_input("on", format!("{on} has no window before it")))?;
        let days = self.shown_shares(days_from_date(from), days_from_date(on));
        let Some((last_day, last)) = days.last() else {
            return Ok(Vec::new());
        };
        let mut codes: Vec<u32> = days
            .iter()
            .flat_map(|(_, vs)| vs.values().flat_map(|s| s.1.iter().map(|&(c, _)| c)))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let sets: Vec<ConfigurationSet> =
            codes.iter().map(|&c| self.configuration_set(c)).collect();
        let labels = ConfigurationSet::labels(&sets.iter().collect::<Vec<_>>());
        let of = |code: u32| codes.binary_search(&code).ok();
        let moved = |code: u32, from_bp: i32, to_bp: i32| {
            let i = of(code)?;
            Some(ShareMove {
                configuration_set: sets[i].clone(),
                label: labels[i].clone(),
                from_bp,
                to_bp,
            })
        };
        let mut out = Vec::new();
        for (variant, (_, now, _)) in last {
            // The variant's shares when the window began, or when they were first shown in it.
            let Some((since, (_, before, _))) = days
                .iter()
                .find_map(|(d, vs)| vs.get(variant).map(|x| (*d, x)))
            else {
                continue;
            };
            let was = |code: u32| {
                before
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map_or(0, |&(_, bp)| bp)
            };
            // The set whose share rose most (of equals, the first by label).
            let rising = now
                .iter()
                .map(|&(code, bp)| (code, bp, bp - was(code)))
                .filter(|&(_, _, up)| up >= TREND_MIN_MOVE_BP)
                .max_by(|a, b| {
                    a.2.cmp(&b.2).then_with(|| {
                        of(b.0)
                            .map(|i| &labels[i])
                            .cmp(&of(a.0).map(|i| &labels[i]))
                    })
                });
            let Some((rising_code, rising_bp, _)) = rising else {
                continue;
            };
            let (Some(from_day), Some(to_day)) = (date_from_days(since), date_from_days(*last_day))
            else {
                continue;
            };
            for &(code, then_bp) in before {
                // Shown at both ends (a set merged into "other" since has no share to compare).
                let Some(now_bp) = now.iter().find(|(c, _)| *c == code).map(|&(_, bp)| bp) else {
                    continue;
                };
                if then_bp - now_bp < TREND_MIN_MOVE_BP {
                    continue;
                }
                let (Some(leaving), Some(rising)) = (
                    moved(code, then_bp, now_bp),
                    moved(rising_code, was(rising_code), rising_bp),
                ) else {
                    continue;
                };
                out.push((
                    code,
                    Trend {
                        variant: self.catalogue.variant(*variant).id.clone(),
                        from: from_day,
                        to: to_day,
                        leaving,
                        rising,
                    },
                ));
            }
        }
        Ok(out)
    }
}
