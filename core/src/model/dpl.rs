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

/// Each GB local day's net moves, by day (days from the common era, as hub dates are). The
/// latest day is kept open as a list (events add to it); every earlier day is packed (about 4
/// bytes a move instead of 16), so a year of a national estate's history stays a few MB.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DplHistory {
    packed: BTreeMap<i32, Packed>,
    /// The latest day, by counter: an event adds its few moves in place (a sorted list would
    /// copy the day's thousands of moves at every event).
    open: Option<(i32, OpenDay)>,
}

/// A day's moves by (set, customer).
type OpenDay = FxHashMap<(u32, CustomerIdx), i64>;

/// An open day's moves as a sorted list.
fn sorted(day: &OpenDay) -> Vec<Move> {
    let mut out: Vec<Move> = day
        .iter()
        .map(|(&(set, customer), &hubs)| Move {
            set,
            customer,
            hubs,
        })
        .collect();
    out.sort_unstable_by_key(|m| (m.set, m.customer));
    out
}

/// A sorted list of moves as an open day.
fn opened(moves: &[Move]) -> OpenDay {
    moves
        .iter()
        .map(|m| ((m.set, m.customer), m.hubs))
        .collect()
}

/// One day's moves (sorted by set and customer) as bytes: for each, the set's increase over
/// the previous move's, the customer, and the hubs (zigzag), each a LEB128 varint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Packed(Vec<u8>);

impl Packed {
    fn pack(moves: &[Move]) -> Packed {
        let mut out = Vec::with_capacity(moves.len() * 4);
        let mut set = 0u32;
        for m in moves {
            varint(&mut out, u64::from(m.set.wrapping_sub(set)));
            varint(&mut out, u64::from(u16::from(m.customer)));
            varint(&mut out, ((m.hubs << 1) ^ (m.hubs >> 63)) as u64);
            set = m.set;
        }
        Packed(out)
    }

    /// The moves back; a truncated tail (never written so) ends the list.
    fn unpack(&self) -> Vec<Move> {
        let mut out = Vec::with_capacity(self.0.len() / 4);
        let (mut at, mut set) = (0usize, 0u32);
        while at < self.0.len() {
            let (Some(delta), Some(customer), Some(hubs)) = (
                read_varint(&self.0, &mut at),
                read_varint(&self.0, &mut at),
                read_varint(&self.0, &mut at),
            ) else {
                break;
            };
            set = set.wrapping_add(delta as u32);
            out.push(Move {
                set,
                customer: CustomerIdx::new(customer as u16),
                hubs: ((hubs >> 1) as i64) ^ -((hubs & 1) as i64),
            });
        }
        out
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// `kept` and `new` (each sorted by set and customer) summed into one sorted list; a counter
/// back to 0 is dropped.
fn merge(kept: &[Move], new: &[Move]) -> Vec<Move> {
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
    merged
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
        match &mut self.open {
            Some((open, kept)) if *open == day => {
                for m in new {
                    let c = kept.entry((m.set, m.customer)).or_default();
                    *c += m.hubs;
                    if *c == 0 {
                        kept.remove(&(m.set, m.customer));
                    }
                }
            }
            Some((open, _)) if day < *open => {
                // An event of an earlier day (a writer behind the others): that day repacked.
                let before = self
                    .packed
                    .get(&day)
                    .map(Packed::unpack)
                    .unwrap_or_default();
                let merged = merge(&before, &new);
                if merged.is_empty() {
                    self.packed.remove(&day);
                } else {
                    self.packed.insert(day, Packed::pack(&merged));
                }
            }
            _ => {
                // A new latest day: the open one is packed.
                if let Some((open, kept)) = self.open.take() {
                    if !kept.is_empty() {
                        self.packed.insert(open, Packed::pack(&sorted(&kept)));
                    }
                }
                self.open = Some((day, opened(&new)));
            }
        }
    }

    /// The history of an estate whose past is not known: its counts now, all on `day` (a
    /// snapshot written before the history was kept).
    pub fn seeded(hubs: &[HubRecord], day: i32) -> DplHistory {
        let mut moves = DplMoves::default();
        moves.count_all(hubs);
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
        let mut days = self.days_through(to).peekable();
        while let Some((_, m)) = days.next_if(|(d, _)| *d < from) {
            apply(&m, &mut counts);
        }
        for day in from..=to {
            while let Some((_, m)) = days.next_if(|(d, _)| *d <= day) {
                apply(&m, &mut counts);
            }
            f(day, &counts);
        }
    }

    /// The counts at `day`'s end of the sets `keep` selects, by (set, customer or
    /// [`INDUSTRY`]), none zero. One pass over the moves up to `day`.
    pub fn counts_on(
        &self,
        day: i32,
        keep: impl Fn(u32) -> bool,
    ) -> BTreeMap<(u32, CustomerIdx), i64> {
        let mut counts: BTreeMap<(u32, CustomerIdx), i64> = BTreeMap::new();
        for (_, moves) in self.days_through(day) {
            for m in moves.iter().filter(|m| keep(m.set)) {
                let c = counts.entry((m.set, m.customer)).or_default();
                *c += m.hubs;
                if *c == 0 {
                    counts.remove(&(m.set, m.customer));
                }
            }
        }
        counts
    }

    /// Each day's net moves up to `to` (inclusive), in day order.
    pub fn days_through(&self, to: i32) -> impl Iterator<Item = (i32, Vec<Move>)> + '_ {
        let open = self
            .open
            .as_ref()
            .filter(|(d, _)| *d <= to)
            .map(|(d, m)| (*d, sorted(m)));
        self.packed
            .range(..=to)
            .map(|(d, p)| (*d, p.unpack()))
            .chain(open)
    }

    /// How many moves it holds, and the bytes they take (for sizing).
    pub fn size(&self) -> (usize, usize) {
        let open = self.open.as_ref().map_or(0, |(_, m)| m.len());
        let packed: usize = self.packed.values().map(|p| p.unpack().len()).sum();
        let bytes: usize = self.packed.values().map(|p| p.0.len()).sum::<usize>()
            + open * std::mem::size_of::<Move>();
        (open + packed, bytes)
    }
}

/// The stored form (in the snapshot): every day packed, the open one too.
#[derive(Serialize, Deserialize)]
struct StoredHistory {
    days: BTreeMap<i32, Packed>,
}

impl Serialize for DplHistory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut days = self.packed.clone();
        if let Some((day, moves)) = &self.open {
            days.insert(*day, Packed::pack(&sorted(moves)));
        }
        StoredHistory { days }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DplHistory {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StoredHistory { mut days } = StoredHistory::deserialize(deserializer)?;
        // The latest day open again, as a history kept event by event has it.
        let open = days.pop_last().map(|(d, p)| (d, opened(&p.unpack())));
        Ok(DplHistory { packed: days, open })
    }
}

impl Serialize for Packed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Packed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Packed;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a day's packed moves")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Packed, E> {
                Ok(Packed(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Packed, E> {
                Ok(Packed(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Packed, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Packed(out))
            }
        }
        deserializer.deserialize_bytes(Bytes)
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
        assert_eq!(
            history.packed.len() + usize::from(history.open.is_some()),
            2
        );
        assert_eq!(history.size().0, 5 + 6);
    }

    #[test]
    fn a_packed_day_unpacks_to_its_moves_and_an_earlier_day_is_repacked() {
        let moves: Vec<Move> = [
            (0u32, 0u16, 1i64),
            (0, 7, -3),
            (5, 1, i64::from(i32::MAX) * 4),
            (70_000, 65_535, i64::MIN / 2),
        ]
        .iter()
        .map(|&(set, c, hubs)| Move {
            set,
            customer: CustomerIdx::new(c),
            hubs,
        })
        .collect();
        let packed = Packed::pack(&moves);
        assert_eq!(packed.unpack(), moves);
        assert!(packed.0.len() < moves.len() * std::mem::size_of::<Move>());
        // Day 3 open, then day 5: day 3 packed; then an event of day 3 again.
        let mut history = DplHistory::default();
        let mut pending = DplMoves::default();
        pending.count(&hub(1, 0, u16::MAX), 1);
        history.record(3, &mut pending);
        pending.count(&hub(2, 0, u16::MAX), 1);
        history.record(5, &mut pending);
        pending.count(&hub(1, 0, u16::MAX), 1);
        history.record(3, &mut pending);
        let days: Vec<(i32, usize)> = history
            .days_through(10)
            .map(|(d, m)| (d, m.len()))
            .collect();
        assert_eq!(days, vec![(3, 2), (5, 2)]);
        let mut seen = Vec::new();
        history.each_day(
            INDUSTRY,
            3,
            5,
            |_| true,
            |_, c| seen.push(c.get(&1).copied()),
        );
        assert_eq!(seen, vec![Some(2), Some(2), Some(2)]);
        // Through the stored form and back: the same history.
        let bytes = rmp_serde::to_vec_named(&history).unwrap();
        let back: DplHistory = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(back, history);
    }
}
