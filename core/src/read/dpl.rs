//! The Deployed Products List over time, as each party may read it (docs/domain.md decision
//! 18): a customer its own volumes per configuration set, the DCC the industry's and any
//! customer's, a CSP the industry's on its region's variants (no supplier in it). As of one GB
//! local day, or for each day of a range.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, CustomerIdx};
use crate::model::dpl::INDUSTRY;
use crate::model::estate::{date_from_days, days_from_date, ConfigurationSet};
use crate::model::state::State;

/// The most days one history answer covers (ten years).
pub const MAX_DPL_DAYS: usize = 3_660;

/// A configuration set's volume on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DplEntry {
    pub configuration_set: ConfigurationSet,
    /// Its short label (`ConfigurationSet::label`), kept distinct within the answer.
    pub label: String,
    pub hubs: i64,
}

/// The list at the end of one GB local day: its sets by volume, largest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DplDay {
    pub day: NaiveDate,
    pub sets: Vec<DplEntry>,
}

/// A history answer before it is shaped: the sets it names with their labels, and each day's
/// `(index into sets, hubs)`, largest first.
pub(crate) struct DplTable {
    pub sets: Vec<ConfigurationSet>,
    pub labels: Vec<String>,
    pub days: Vec<(NaiveDate, Vec<(usize, i64)>)>,
}

/// Whose counts an answer reads, and which sets of them.
pub(crate) struct DplScope {
    pub counter: CustomerIdx,
    /// A CSP's region: only sets of its variants.
    pub region: Option<crate::kernel::ids::Region>,
}

impl State {
    /// Whose DPL `actor` asks for: `customer`'s (itself, or any to the DCC), or with none the
    /// industry's (the DCC; a CSP's region only).
    pub(crate) fn dpl_scope(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<Option<DplScope>, Error> {
        Ok(match (actor, customer) {
            (_, Some(c)) => self.scope_customer(actor, c)?.map(|counter| DplScope {
                counter,
                region: None,
            }),
            (Actor::Dcc, None) => Some(DplScope {
                counter: INDUSTRY,
                region: None,
            }),
            (Actor::Csp(r), None) => Some(DplScope {
                counter: INDUSTRY,
                region: Some(*r),
            }),
            (_, None) => {
                return Err(Error::not_permitted(
                    actor,
                    "see the industry's deployed products",
                    "the industry's volumes are the DCC's (and a CSP's, for its region); a \
                     customer sees its own, and industry shares where disclosed",
                ))
            }
        })
    }

    /// The DPL at the end of GB local day `on`: `customer`'s, or the industry's.
    pub fn dpl_on(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        on: NaiveDate,
    ) -> Result<Vec<DplEntry>, Error> {
        Ok(self
            .dpl_history(actor, customer, on, on)?
            .pop()
            .map(|d| d.sets)
            .unwrap_or_default())
    }

    /// The DPL at the end of each GB local day from `from` to `to` (at most
    /// [`MAX_DPL_DAYS`]): `customer`'s, or the industry's. Labels are distinct across the
    /// whole answer, so a set has one label on every day.
    pub fn dpl_history(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DplDay>, Error> {
        let table = self.dpl_table(actor, customer, from, to)?;
        Ok(table
            .days
            .into_iter()
            .map(|(day, counts)| DplDay {
                day,
                sets: counts
                    .into_iter()
                    .map(|(i, hubs)| DplEntry {
                        configuration_set: table.sets[i].clone(),
                        label: table.labels[i].clone(),
                        hubs,
                    })
                    .collect(),
            })
            .collect())
    }

    /// The history's days as indices into one table of sets and labels (what the typed and
    /// the columnar answers are both made from): each day's sets largest first, then by label.
    pub(crate) fn dpl_table(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<DplTable, Error> {
        let days = check_range(from, to)?;
        let Some(scope) = self.dpl_scope(actor, customer)? else {
            // A customer the estate does not know: no hubs on any day.
            return Ok(DplTable {
                sets: Vec::new(),
                labels: Vec::new(),
                days: (0..days)
                    .filter_map(|i| from.checked_add_days(chrono::Days::new(i as u64)))
                    .map(|day| (day, Vec::new()))
                    .collect(),
            });
        };
        let mut raw: Vec<(NaiveDate, Vec<(u32, i64)>)> = Vec::with_capacity(days);
        self.each_dpl_day(&scope, from, to, |day, counts| {
            raw.push((day, counts.iter().map(|(&s, &n)| (s, n)).collect()))
        });
        // The sets the answer names, in code order, and each code's place among them (a table
        // as long as the estate's sets: a year's answer has hundreds of thousands of entries).
        let known = self.estate.configs.len();
        let mut place = vec![usize::MAX; known];
        for (_, c) in &raw {
            for &(s, _) in c {
                if let Some(p) = place.get_mut(s as usize) {
                    *p = 0;
                }
            }
        }
        let codes: Vec<u32> = (0..known)
            .filter(|&i| place[i] == 0)
            .map(|i| i as u32)
            .collect();
        for (i, &c) in codes.iter().enumerate() {
            place[c as usize] = i;
        }
        let sets: Vec<ConfigurationSet> =
            codes.iter().map(|&c| self.configuration_set(c)).collect();
        let labels = ConfigurationSet::labels(&sets.iter().collect::<Vec<_>>());
        // Each set's place among the labels, to order a day's sets without comparing text.
        let mut by_label: Vec<usize> = (0..labels.len()).collect();
        by_label.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
        let mut rank = vec![0usize; labels.len()];
        for (r, &i) in by_label.iter().enumerate() {
            rank[i] = r;
        }
        let days = raw
            .into_iter()
            .map(|(day, counts)| {
                let mut counts: Vec<(usize, i64)> = counts
                    .into_iter()
                    .filter_map(|(code, hubs)| {
                        let i = *place.get(code as usize)?;
                        (i != usize::MAX).then_some((i, hubs))
                    })
                    .collect();
                counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| rank[a.0].cmp(&rank[b.0])));
                (day, counts)
            })
            .collect();
        Ok(DplTable { sets, labels, days })
    }

    /// The DPL of day `on` as a pie a person reads (`report::pie_slices`).
    pub fn dpl_pie(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        on: NaiveDate,
    ) -> Result<Vec<crate::read::report::PieSlice>, Error> {
        Ok(crate::read::report::pie_slices(
            &self.dpl_on(actor, customer, on)?,
        ))
    }

    /// The history's size: counter moves held, and their bytes (for sizing).
    pub fn dpl_size(&self) -> (usize, usize) {
        self.dpl.size()
    }

    /// Calls `f(day, counts by set code)` for each day of the range, in `scope`.
    pub(crate) fn each_dpl_day(
        &self,
        scope: &DplScope,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(NaiveDate, &std::collections::BTreeMap<u32, i64>),
    ) {
        let keep = |code: u32| {
            scope.region.is_none_or(|r| {
                let variant = self.estate.configs.resolve(code).variant;
                self.catalogue.variant(variant).region == r
            })
        };
        self.dpl.each_day(
            scope.counter,
            days_from_date(from),
            days_from_date(to),
            keep,
            |day, counts| {
                if let Some(day) = date_from_days(day) {
                    f(day, counts)
                }
            },
        );
    }
}

/// The number of days from `from` to `to`, refused when backwards or over the bound.
pub(crate) fn check_range(from: NaiveDate, to: NaiveDate) -> Result<usize, Error> {
    if to < from {
        return Err(Error::invalid_input("to", format!("{to} is before {from}")));
    }
    let days = usize::try_from((to - from).num_days() + 1).unwrap_or(usize::MAX);
    if days > MAX_DPL_DAYS {
        return Err(Error::too_many("days", days, MAX_DPL_DAYS));
    }
    Ok(days)
}
