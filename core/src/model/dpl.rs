//! The Deployed Products List over time (docs/domain.md decision 18): how many hubs run each
//! configuration set, per customer and for the industry, on each GB local day.
//!
//! Kept as each day's net moves, not as a copy of the list per day: an install, an upgrade's
//! outcome or a change of supplier moves one or two counters, so an event costs a few map
//! updates and a quiet day costs nothing. The estate notes each hub's moves as they happen
//! ([`DplMoves`]); the state stamps them with the event's day after each event
//! ([`DplHistory::record`]). Replay rebuilds the same moves; the snapshot keeps them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kernel::ids::CustomerIdx;
use crate::kernel::intern::FxHashMap;
use crate::model::estate::{HubRecord, NO_CUSTOMER};

/// The industry's count (each hub once), beside each customer's.
pub(crate) const INDUSTRY: CustomerIdx = NO_CUSTOMER;

/// One counter's net move on one day: `hubs` more (or fewer) hubs of `customer` (or the
/// industry) run configuration set `set` (the estate's set code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Move {
    pub set: u32,
    pub customer: CustomerIdx,
    pub hubs: i64,
}

/// The moves of the event being applied, summed per counter. Not part of the state: drained
/// after each event.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DplMoves {
    pending: FxHashMap<(u32, CustomerIdx), i64>,
}

impl DplMoves {
    /// `hub` counted (`sign` 1) or no longer (`sign` -1): the industry's counter of its set,
    /// and each customer's that supplies it (once, when one customer holds both roles).
    pub fn count(&mut self, hub: &HubRecord, sign: i64) {
        let mut add = |customer| {
            *self.pending.entry((hub.config, customer)).or_default() += sign;
        };
        add(INDUSTRY);
        if hub.import_supplier != NO_CUSTOMER {
            add(hub.import_supplier);
        }
        if hub.gas_supplier != NO_CUSTOMER && hub.gas_supplier != hub.import_supplier {
            add(hub.gas_supplier);
        }
    }

    /// Every hub of `hubs` counted (a load): summed in a dense table first when the estate's
    /// sets and customers are few enough, as they are (hundreds of sets, tens of customers),
    /// so a load of millions costs an array add a hub, not three map updates.
    pub fn count_all(&mut self, hubs: &[HubRecord]) {
        const DENSE_CELLS: usize = 1 << 22;
        let sets = hubs
            .iter()
            .map(|h| h.config as usize + 1)
            .max()
            .unwrap_or(0);
        let customers = hubs
            .iter()
            .flat_map(|h| [h.import_supplier, h.gas_supplier])
            .filter(|&c| c != NO_CUSTOMER)
            .map(|c| usize::from(c) + 1)
            .max()
            .unwrap_or(0);
        // Column `customers` is the industry's.
        let width = customers + 1;
        if hubs.len() < 1024 || sets.saturating_mul(width) > DENSE_CELLS {
            for h in hubs {
                self.count(h, 1);
            }
            return;
        }
        let mut cells = vec![0i64; sets * width];
        for h in hubs {
            let row = h.config as usize * width;
            cells[row + customers] += 1;
            if h.import_supplier != NO_CUSTOMER {
                cells[row + usize::from(h.import_supplier)] += 1;
            }
            if h.gas_supplier != NO_CUSTOMER && h.gas_supplier != h.import_supplier {
                cells[row + usize::from(h.gas_supplier)] += 1;
            }
        }
        for (i, &n) in cells.iter().enumerate().filter(|(_, &n)| n != 0) {
            let (set, column) = ((i / width) as u32, i % width);
            let customer = if column == customers {
                INDUSTRY
            } else {
                CustomerIdx::new(column as u16)
            };
            *self.pending.entry((set, customer)).or_default() += n;
        }
    }

    /// A hub's record changed from `before` to `after`: moved if its set or a supplier changed.
    pub fn changed(&mut self, before: &HubRecord, after: &HubRecord) {
        let same = before.config == after.config
            && before.import_supplier == after.import_supplier
            && before.gas_supplier == after.gas_supplier;
        if !same {
            self.count(before, -1);
            self.count(after, 1);
        }
    }

    /// The summed moves, those that cancel left out, in (set, customer) order.
    fn take(&mut self) -> Vec<Move> {
        let mut out: Vec<Move> = self
            .pending
            .drain()
            .filter(|&(_, hubs)| hubs != 0)
            .map(|((set, customer), hubs)| Move {
                set,
                customer,
                hubs,
            })
            .collect();
        out.sort_unstable_by_key(|m| (m.set, m.customer));
        out
    }
}

/// Each GB local day's net moves, by day (days from the common era, as hub dates are).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DplHistory {
    days: BTreeMap<i32, Vec<Move>>,
}

impl DplHistory {
    /// Adds what `moves` noted to `day`'s moves (an event's; the day is its GB local day).
    pub fn record(&mut self, day: i32, moves: &mut DplMoves) {
        if moves.pending.is_empty() {
            return;
        }
        let new = moves.take();
        if new.is_empty() {
            return;
        }
        let kept = self.days.entry(day).or_default();
        if kept.is_empty() {
            *kept = new;
            return;
        }
        // Merge two sorted lists, summing equal counters; a counter back to 0 is dropped.
        let mut merged = Vec::with_capacity(kept.len() + new.len());
        let (mut a, mut b) = (kept.iter().peekable(), new.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match (x.set, x.customer).cmp(&(y.set, y.customer)) {
                    std::cmp::Ordering::Less => a.next().copied(),
                    std::cmp::Ordering::Greater => b.next().copied(),
                    std::cmp::Ordering::Equal => {
                        let (x, y) = (a.next(), b.next());
                        x.zip(y).map(|(x, y)| Move {
                            hubs: x.hubs + y.hubs,
                            ..*x
                        })
                    }
                },
                (Some(_), None) => a.next().copied(),
                (None, Some(_)) => b.next().copied(),
                (None, None) => break,
            };
            if let Some(m) = next.filter(|m| m.hubs != 0) {
                merged.push(m);
            }
        }
        *kept = merged;
    }

    /// The history of an estate whose past is not known: its counts now, all on `day` (a
    /// snapshot written before the history was kept).
    pub fn seeded(hubs: &[HubRecord], day: i32) -> DplHistory {
        let mut moves = DplMoves::default();
        for h in hubs {
            moves.count(h, 1);
        }
        let mut history = DplHistory::default();
        history.record(day, &mut moves);
        history
    }

    /// Calls `f(day, counts)` for each day from `from` to `to` (inclusive) with the counts of
    /// `customer` (or [`INDUSTRY`]) at that day's end, per set code; `keep` selects the sets.
    /// One pass over the moves up to `to`.
    pub fn each_day(
        &self,
        customer: CustomerIdx,
        from: i32,
        to: i32,
        keep: impl Fn(u32) -> bool,
        mut f: impl FnMut(i32, &BTreeMap<u32, i64>),
    ) {
        let mut counts: BTreeMap<u32, i64> = BTreeMap::new();
        let apply = |moves: &[Move], counts: &mut BTreeMap<u32, i64>| {
            for m in moves
                .iter()
                .filter(|m| m.customer == customer && keep(m.set))
            {
                let c = counts.entry(m.set).or_default();
                *c += m.hubs;
                if *c == 0 {
                    counts.remove(&m.set);
                }
            }
        };
        for (_, moves) in self.days.range(..from) {
            apply(moves, &mut counts);
        }
        let mut moves = self.days.range(from..=to).peekable();
        for day in from..=to {
            while let Some((_, m)) = moves.next_if(|(d, _)| **d <= day) {
                apply(m, &mut counts);
            }
            f(day, &counts);
        }
    }

    /// Each day's net moves up to `to` (inclusive), in day order.
    pub fn days_through(&self, to: i32) -> impl Iterator<Item = (i32, &[Move])> {
        self.days.range(..=to).map(|(d, m)| (*d, m.as_slice()))
    }

    /// How many moves it holds, and the bytes they take (for sizing).
    pub fn size(&self) -> (usize, usize) {
        let moves: usize = self.days.values().map(Vec::len).sum();
        (moves, moves * std::mem::size_of::<Move>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::HubId;

    fn hub(config: u32, import: u16, gas: u16) -> HubRecord {
        let c = |n: u16| {
            if n == u16::MAX {
                NO_CUSTOMER
            } else {
                CustomerIdx::new(n)
            }
        };
        HubRecord {
            id: HubId::from_u64(1),
            config,
            variant: Default::default(),
            firmware: Default::default(),
            import_supplier: c(import),
            gas_supplier: c(gas),
            installed: 0,
            commissioned: 0,
            smi: crate::model::estate::SmiStatus::Commissioned,
            import_flags: 0,
            gas_flags: 0,
        }
    }

    #[test]
    fn moves_sum_per_day_and_the_counts_of_each_day_follow() {
        let mut moves = DplMoves::default();
        let mut history = DplHistory::default();
        // Day 10: two hubs on set 1 (one split between customers 0 and 1), one on set 2.
        moves.count(&hub(1, 0, 1), 1);
        moves.count(&hub(1, 0, 0), 1);
        moves.count(&hub(2, 1, u16::MAX), 1);
        history.record(10, &mut moves);
        // Day 12: the split hub upgraded to set 2, in two events.
        moves.changed(&hub(1, 0, 1), &hub(2, 0, 1));
        history.record(12, &mut moves);
        moves.changed(&hub(1, 0, 0), &hub(1, 0, 0));
        history.record(12, &mut moves);
        let mut seen = Vec::new();
        history.each_day(INDUSTRY, 9, 12, |_| true, |d, c| seen.push((d, c.clone())));
        let day = |pairs: &[(u32, i64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(
            seen,
            vec![
                (9, day(&[])),
                (10, day(&[(1, 2), (2, 1)])),
                (11, day(&[(1, 2), (2, 1)])),
                (12, day(&[(1, 1), (2, 2)])),
            ]
        );
        let mut one = Vec::new();
        history.each_day(
            CustomerIdx::new(1),
            12,
            12,
            |_| true,
            |_, c| one.push(c.clone()),
        );
        assert_eq!(
            one,
            vec![day(&[(2, 2)])],
            "customer 1: the split hub and its own"
        );
        // The changes that cancel leave nothing; the days hold only what moved.
        assert_eq!(history.days.len(), 2);
        assert_eq!(history.size().0, 5 + 6);
    }
}
