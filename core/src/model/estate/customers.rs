//! The hubs each customer supplies, by position in the estate: what makes a small customer's
//! views cost O(its hubs) rather than O(estate). A scan of ten million hubs takes 12 to 30 ms
//! a view whatever the supplier's size; a supplier of ten thousand hubs is listed in about one.
//! (A large supplier's views still scan: `Estate::scope_in` chooses.)
//!
//! Derived from the hub records, never stored nor compared: a snapshot's restore rebuilds it.
//! A change of supplier must not cost O(the supplier's hubs): a supplier of last resort takes a
//! million hubs at once, and removing each from a sorted list of millions is a memmove each.
//! So a list is not kept exact. A hub that leaves a customer stays listed (stale) until stale
//! entries outnumber half the live ones and the list is compacted; a hub that joins goes into a
//! small sorted side list, merged into the main one when it outgrows an eighth of it. Readers
//! check each listed hub against its record, which is the truth; both lists are sorted, so the
//! merged walk is in estate order, as the scans were.

use std::ops::Range;

use super::records::{CustomerIdx, HubRecord, NO_CUSTOMER};

/// A side list merges into the main one past this size plus an eighth of the main list.
const SIDE_SLACK: usize = 1024;
/// A list is compacted when its stale entries pass this plus half its live ones.
const STALE_SLACK: usize = 1024;

#[derive(Debug, Clone, Default)]
pub(crate) struct CustomerHubs {
    /// By `CustomerIdx`.
    lists: Vec<Listed>,
}

/// Derived data: two estates with the same hubs are the same estate, however their lists were
/// kept (stale entries, side lists).
impl PartialEq for CustomerHubs {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug, Clone, Default)]
struct Listed {
    /// Sorted positions, each listed once across `main` and `side`.
    main: Vec<u32>,
    side: Vec<u32>,
    /// How many listed positions the customer no longer supplies.
    stale: usize,
}

impl Listed {
    fn len(&self) -> usize {
        self.main.len() + self.side.len()
    }

    fn contains(&self, pos: u32) -> bool {
        self.main.binary_search(&pos).is_ok() || self.side.binary_search(&pos).is_ok()
    }

    fn last(&self) -> Option<u32> {
        self.main.last().copied().max(self.side.last().copied())
    }

    /// Main and side as one sorted list, keeping only what `keep` says.
    fn merge(&mut self, keep: impl Fn(u32) -> bool) {
        let (main, side) = (
            std::mem::take(&mut self.main),
            std::mem::take(&mut self.side),
        );
        let mut out = Vec::with_capacity(main.len() + side.len());
        out.extend(
            Merged {
                a: main.into_iter().peekable(),
                b: side.into_iter().peekable(),
            }
            .filter(|&p| keep(p)),
        );
        self.main = out;
    }
}

impl CustomerHubs {
    /// The lists for `hubs`, in one pass.
    pub fn build(hubs: &[HubRecord]) -> CustomerHubs {
        let mut built = CustomerHubs::default();
        built.extend(hubs, 0);
        built
    }

    fn list_mut(&mut self, customer: CustomerIdx) -> &mut Listed {
        if customer.at() >= self.lists.len() {
            self.lists.resize_with(customer.at() + 1, Listed::default);
        }
        &mut self.lists[customer.at()]
    }

    /// Lists the hubs appended to the estate at `first..` (loaded: past every listed position).
    /// Counted first, so that each list grows once, to its size: a list grown by doubling holds
    /// up to twice its positions, and copies them on the way.
    pub fn extend(&mut self, hubs: &[HubRecord], first: usize) {
        let new = hubs.get(first..).unwrap_or_default();
        let mut counts: Vec<usize> = vec![0; self.lists.len()];
        for h in new {
            for customer in suppliers(h) {
                if customer.at() >= counts.len() {
                    counts.resize(customer.at() + 1, 0);
                }
                counts[customer.at()] += 1;
            }
        }
        for (c, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            self.list_mut(CustomerIdx::new(c as u16))
                .main
                .reserve_exact(n);
        }
        for (pos, h) in new.iter().enumerate() {
            let pos = (first + pos) as u32;
            for customer in suppliers(h) {
                self.lists[customer.at()].main.push(pos);
            }
        }
    }

    /// Hub `pos` went from record `before` to `after`: lists it for a customer that now
    /// supplies it, and counts it stale for one that no longer does.
    pub fn changed(&mut self, hubs: &[HubRecord], pos: usize, before: &HubRecord) {
        let after = &hubs[pos];
        let p = pos as u32;
        for customer in suppliers(before) {
            if !after.is_supplied_by(customer) {
                let list = self.list_mut(customer);
                list.stale += 1;
                if list.stale > STALE_SLACK + list.len().saturating_sub(list.stale) / 2 {
                    list.merge(|q| hubs[q as usize].is_supplied_by(customer));
                    list.stale = 0;
                }
            }
        }
        for customer in suppliers(after) {
            if before.is_supplied_by(customer) {
                continue;
            }
            let list = self.list_mut(customer);
            if list.last().is_none_or(|last| last < p) {
                list.main.push(p);
            } else if list.contains(p) {
                // Listed and stale: supplied again.
                list.stale = list.stale.saturating_sub(1);
            } else {
                let at = list.side.partition_point(|&q| q < p);
                list.side.insert(at, p);
                if list.side.len() > SIDE_SLACK + list.main.len() / 8 {
                    list.merge(|_| true);
                }
            }
        }
    }

    /// The positions in `range` of the hubs `customer` supplies, in estate order. Stale
    /// entries are left out by checking each against its record.
    pub fn positions<'a>(
        &'a self,
        hubs: &'a [HubRecord],
        customer: CustomerIdx,
        range: Range<usize>,
    ) -> impl Iterator<Item = usize> + 'a {
        let (main, side): (&[u32], &[u32]) = match self.lists.get(customer.at()) {
            Some(l) if customer != NO_CUSTOMER => (&l.main, &l.side),
            _ => (&[], &[]),
        };
        let within = |list: &'a [u32]| {
            let bound = |p: usize| u32::try_from(p).unwrap_or(u32::MAX);
            let (start, end) = (bound(range.start), bound(range.end));
            &list[list.partition_point(|&q| q < start)..list.partition_point(|&q| q < end)]
        };
        let (main, side) = (within(main), within(side));
        Merged {
            a: main.iter().copied().peekable(),
            b: side.iter().copied().peekable(),
        }
        .map(|p| p as usize)
        .filter(move |&p| hubs[p].is_supplied_by(customer))
    }

    /// How many positions are listed for `customer` (stale ones included).
    pub fn listed(&self, customer: CustomerIdx) -> usize {
        self.lists.get(customer.at()).map_or(0, Listed::len)
    }

    /// Bytes held, for the state's size report.
    pub fn bytes(&self) -> usize {
        self.lists
            .iter()
            .map(|l| (l.main.capacity() + l.side.capacity()) * 4)
            .sum::<usize>()
            + self.lists.capacity() * std::mem::size_of::<Listed>()
    }
}

/// The customers who supply `h`, each once.
fn suppliers(h: &HubRecord) -> impl Iterator<Item = CustomerIdx> {
    let import = h.import_supplier;
    let gas = (h.gas_supplier != import).then_some(h.gas_supplier);
    [Some(import), gas]
        .into_iter()
        .flatten()
        .filter(|&c| c != NO_CUSTOMER)
}

/// Two sorted, disjoint lists walked as one.
struct Merged<A: Iterator<Item = u32>, B: Iterator<Item = u32>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A: Iterator<Item = u32>, B: Iterator<Item = u32>> Iterator for Merged<A, B> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        match (self.a.peek(), self.b.peek()) {
            (Some(&x), Some(&y)) if x < y => self.a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => self.b.next(),
            (Some(_), None) => self.a.next(),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::HubId;
    use crate::model::estate::SmiStatus;
    use proptest::prelude::*;

    fn record(n: u64, import: u16, gas: u16) -> HubRecord {
        HubRecord {
            id: HubId::from_u64(n),
            config: 0,
            variant: Default::default(),
            firmware: Default::default(),
            import_supplier: CustomerIdx::new(import),
            gas_supplier: CustomerIdx::new(gas),
            installed: 0,
            commissioned: 0,
            smi: SmiStatus::Commissioned,
            import_flags: 0,
            gas_flags: 0,
        }
    }

    fn scan(hubs: &[HubRecord], c: CustomerIdx, range: Range<usize>) -> Vec<usize> {
        range.filter(|&p| hubs[p].is_supplied_by(c)).collect()
    }

    const NONE: u16 = u16::MAX;

    proptest! {
        /// Whatever the loads and changes of supplier (enough to compact and to merge), the
        /// listed positions are the scan's, in the same order, from any position.
        #[test]
        fn the_lists_are_the_scan(
            loads in prop::collection::vec(prop::collection::vec((0u16..4, 0u16..5), 1..300), 1..4),
            changes in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>(), 0u16..5), 0..3000),
            from in 0usize..1000,
            width in 0usize..1000,
        ) {
            let mut hubs = Vec::new();
            let mut lists = CustomerHubs::default();
            // Supplier 4 stands for no customer.
            let idx = |s: u16| if s == 4 { NONE } else { s };
            for load in &loads {
                let first = hubs.len();
                for &(import, gas) in load {
                    hubs.push(record(hubs.len() as u64 + 1, idx(import), idx(gas)));
                }
                lists.extend(&hubs, first);
            }
            for (pick, gas, to) in changes {
                let pos = pick.index(hubs.len());
                let before = hubs[pos];
                let c = CustomerIdx::new(idx(to));
                if gas { hubs[pos].gas_supplier = c } else { hubs[pos].import_supplier = c }
                lists.changed(&hubs, pos, &before);
            }
            let rebuilt = CustomerHubs::build(&hubs);
            for c in (0..4).map(CustomerIdx::new).chain([NO_CUSTOMER, CustomerIdx::new(9)]) {
                let from = from % (hubs.len() + 1);
                let range = from..(from + width).min(hubs.len());
                let expected = scan(&hubs, c, range.clone());
                prop_assert_eq!(lists.positions(&hubs, c, range.clone()).collect::<Vec<_>>(), expected.clone());
                prop_assert_eq!(rebuilt.positions(&hubs, c, range).collect::<Vec<_>>(), expected);
            }
        }
    }

    #[test]
    fn a_supplier_taking_many_hubs_merges_its_side_list_and_the_loser_compacts() {
        let mut hubs: Vec<HubRecord> = (0..10_000)
            .map(|n| record(n + 1, (n % 2) as u16, NONE))
            .collect();
        let mut lists = CustomerHubs::build(&hubs);
        // Customer 0 takes every hub of customer 1, from the last to the first (none appends).
        for pos in (0..hubs.len()).rev().filter(|p| p % 2 == 1) {
            let before = hubs[pos];
            hubs[pos].import_supplier = CustomerIdx::new(0);
            lists.changed(&hubs, pos, &before);
        }
        let zero = &lists.lists[0];
        assert_eq!(zero.len(), 10_000, "each hub listed once");
        assert!(zero.side.len() <= SIDE_SLACK + zero.main.len() / 8);
        let one = &lists.lists[1];
        assert!(
            one.len() <= STALE_SLACK + 1,
            "compacted: {} listed",
            one.len()
        );
        assert_eq!(
            lists
                .positions(&hubs, CustomerIdx::new(0), 0..hubs.len())
                .count(),
            10_000
        );
        assert_eq!(
            lists
                .positions(&hubs, CustomerIdx::new(1), 0..hubs.len())
                .count(),
            0
        );
    }
}
