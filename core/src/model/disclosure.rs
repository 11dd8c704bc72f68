//! Disclosure control for the industry shares a customer may see (docs/domain.md decisions 18
//! and 22), after the rules statistical offices apply to business data: a cell (a
//! configuration set, or a group of sets) is shown only when it has enough suppliers and hubs
//! and no supplier dominates it (the p% rule); what fails is merged into "other", which must
//! pass too (secondary suppression); a share moves only when the change since the shares last
//! shown passes the same rules, since two snapshots' difference can reveal what each hides.
//!
//! Pure functions over counts, so the property tests can drive them with any counts; the
//! state calls them day by day (`model/trends.rs`). Each variant is its own table: a share is a
//! set's part of its variant's hubs (a hub never changes variant, so a trend is a move between
//! sets of one variant).

/// A cell needs hubs of at least this many suppliers.
pub const MIN_SUPPLIERS: usize = 3;
/// A cell needs at least this many hubs.
pub const MIN_HUBS: i64 = 1_000;
/// The p% rule: a cell's hubs less its two largest suppliers' must be at least this percentage
/// of its largest supplier's, so that the second largest cannot estimate the largest to within
/// `P_PERCENT`.
pub const P_PERCENT: i64 = 10;
/// Shares are shown in basis points (hundredths of a percent), rounded to a multiple of this:
/// half a percentage point.
pub const SHARE_STEP_BP: i32 = 50;

/// One set's hubs on a day (a variant's counts are a slice of these sorted by set, one each):
/// the industry's (each hub once) and each supplier's (indexed by
/// supplier; a split-supply hub counts for both its suppliers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetCounts {
    pub set: u32,
    pub hubs: i64,
    pub by_supplier: Vec<i64>,
}

/// Whether a cell of `hubs` hubs, held by suppliers in these amounts, may be shown: at least
/// [`MIN_SUPPLIERS`] suppliers, [`MIN_HUBS`] hubs, and the p% rule.
pub fn cell_passes(hubs: i64, by_supplier: impl IntoIterator<Item = i64>) -> bool {
    let (mut suppliers, mut first, mut second) = (0usize, 0i64, 0i64);
    for n in by_supplier.into_iter().filter(|&n| n > 0) {
        suppliers += 1;
        if n > first {
            second = first;
            first = n;
        } else if n > second {
            second = n;
        }
    }
    suppliers >= MIN_SUPPLIERS
        && hubs >= MIN_HUBS
        && (hubs - first - second).saturating_mul(100) >= P_PERCENT.saturating_mul(first)
}

/// How a variant's sets are shown on a day: these sets alone, the rest merged as "other".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grouping {
    /// The sets shown on their own, largest first.
    pub shown: Vec<u32>,
    /// The sets merged into "other" (empty: no "other").
    pub other: Vec<u32>,
}

/// The sums over `sets` of `counts` (sorted by set): hubs, and hubs per supplier.
fn summed(counts: &[SetCounts], sets: &[u32]) -> (i64, Vec<i64>) {
    let of = |s: u32| {
        counts
            .binary_search_by_key(&s, |c| c.set)
            .ok()
            .map(|i| &counts[i])
    };
    let mut hubs = 0;
    let mut by_supplier: Vec<i64> = Vec::new();
    for c in sets.iter().filter_map(|&s| of(s)) {
        hubs += c.hubs;
        if by_supplier.len() < c.by_supplier.len() {
            by_supplier.resize(c.by_supplier.len(), 0);
        }
        for (sum, n) in by_supplier.iter_mut().zip(&c.by_supplier) {
            *sum += n;
        }
    }
    (hubs, by_supplier)
}

/// How a variant with these counts may be shown: each set that passes on its own, the rest as
/// "other"; while "other" fails, the smallest shown set joins it. None when nothing can be
/// shown (every set would be "other", or the variant as a whole fails).
pub fn group(counts: &[SetCounts]) -> Option<Grouping> {
    let mut sets: Vec<&SetCounts> = counts.iter().filter(|c| c.hubs > 0).collect();
    sets.sort_by(|a, b| b.hubs.cmp(&a.hubs).then(a.set.cmp(&b.set)));
    let (mut shown, mut other): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    for c in sets {
        if cell_passes(c.hubs, c.by_supplier.iter().copied()) {
            shown.push(c.set);
        } else {
            other.push(c.set);
        }
    }
    while !other.is_empty() {
        let (hubs, by_supplier) = summed(counts, &other);
        if cell_passes(hubs, by_supplier) {
            break;
        }
        other.push(shown.pop()?);
    }
    if shown.is_empty() {
        return None;
    }
    Some(Grouping { shown, other })
}

/// The change from counts `then` to counts `now` in each cell of `grouping` and in the variant
/// as a whole: each supplier's move in absolute hubs, and their sum.
fn changes(grouping: &Grouping, then: &[SetCounts], now: &[SetCounts]) -> Vec<(i64, Vec<i64>)> {
    let all: Vec<u32> = grouping
        .shown
        .iter()
        .chain(&grouping.other)
        .copied()
        .collect();
    let cells = grouping
        .shown
        .iter()
        .map(std::slice::from_ref)
        .chain((!grouping.other.is_empty()).then_some(grouping.other.as_slice()))
        .chain(std::iter::once(all.as_slice()));
    cells
        .map(|cell| {
            let (_, before) = summed(then, cell);
            let (_, after) = summed(now, cell);
            let width = before.len().max(after.len());
            let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
            let moved: Vec<i64> = (0..width)
                .map(|i| (at(&after, i) - at(&before, i)).abs())
                .collect();
            (moved.iter().sum(), moved)
        })
        .collect()
}

/// Whether moving from counts `then` to counts `now` may be shown with `grouping`: in each
/// cell of it, and in the variant as a whole, the suppliers' moves are none at all or pass the
/// cell rules, so no change can be traced to one supplier.
pub fn change_passes(grouping: &Grouping, then: &[SetCounts], now: &[SetCounts]) -> bool {
    changes(grouping, then, now)
        .into_iter()
        .all(|(total, moved)| total == 0 || cell_passes(total, moved))
}

/// Whether anything moved, from `then` to `now`, in a cell of `grouping`.
fn any_moved(grouping: &Grouping, then: &[SetCounts], now: &[SetCounts]) -> bool {
    changes(grouping, then, now)
        .iter()
        .any(|(total, _)| *total != 0)
}

/// `part` of `whole` in basis points, rounded to the nearest [`SHARE_STEP_BP`] (halves up).
pub fn share_bp(part: i64, whole: i64) -> i32 {
    if whole <= 0 {
        return 0;
    }
    let step = i128::from(SHARE_STEP_BP);
    let scaled = i128::from(part) * 10_000;
    let steps = (2 * scaled + step * i128::from(whole)) / (2 * step * i128::from(whole));
    i32::try_from(steps * step).unwrap_or(i32::MAX)
}

/// The shares `grouping` shows of `counts`: each shown set's, and "other"'s (None without one).
pub fn shares(grouping: &Grouping, counts: &[SetCounts]) -> (Vec<(u32, i32)>, Option<i32>) {
    let whole: i64 = counts.iter().map(|c| c.hubs).sum();
    let sets = grouping
        .shown
        .iter()
        .map(|&s| (s, share_bp(summed(counts, &[s]).0, whole)))
        .collect();
    let other =
        (!grouping.other.is_empty()).then(|| share_bp(summed(counts, &grouping.other).0, whole));
    (sets, other)
}

/// What a variant shows, day after day: the grouping and counts last shown, moved on only when
/// a day's grouping passes and the change since then passes too.
#[derive(Debug, Clone, Default)]
pub struct Publisher {
    last: Option<(Grouping, Vec<SetCounts>, i32)>,
}

impl Publisher {
    /// Considers day `day`'s counts; returns whether they are now the ones shown.
    pub fn offer(&mut self, day: i32, counts: &[SetCounts]) -> bool {
        let Some(grouping) = group(counts) else {
            return false;
        };
        // The change is checked in the cells shown before and in those shown now: a set leaving
        // a cell (or joining one) is a change of both.
        // Nothing moved in any cell: nothing new to show (not even the day).
        if let Some((before, then, _)) = &self.last {
            let moved = any_moved(&grouping, then, counts) || any_moved(before, then, counts);
            if !moved
                || !change_passes(&grouping, then, counts)
                || !change_passes(before, then, counts)
            {
                return false;
            }
        }
        self.last = Some((grouping, counts.to_vec(), day));
        true
    }

    /// The grouping, counts and day last shown (None: never).
    pub fn shown(&self) -> Option<(&Grouping, &[SetCounts], i32)> {
        self.last.as_ref().map(|(g, c, d)| (g, c.as_slice(), *d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(set: u32, by_supplier: &[i64]) -> SetCounts {
        SetCounts {
            set,
            hubs: by_supplier.iter().sum(),
            by_supplier: by_supplier.to_vec(),
        }
    }

    #[test]
    fn a_cell_needs_three_suppliers_a_thousand_hubs_and_the_p_percent_rule() {
        assert!(cell_passes(1_000, [400, 400, 200]));
        assert!(!cell_passes(999, [400, 400, 199]), "too few hubs");
        assert!(!cell_passes(2_000, [1_000, 1_000]), "two suppliers");
        // 1 000 - 900 - 50 = 50 < 10% of 900: the second largest could estimate the largest.
        assert!(!cell_passes(1_000, [900, 50, 50]));
        // 1 000 - 800 - 100 = 100 >= 80: passes.
        assert!(cell_passes(1_000, [800, 100, 100]));
    }

    #[test]
    fn what_fails_is_other_and_other_must_pass_too() {
        let counts = [
            set(1, &[500, 500, 500]),
            set(2, &[400, 400, 400]),
            set(3, &[300, 0, 0]),
        ];
        // Set 3 alone fails; "other" of set 3 alone fails; set 2 joins it.
        let g = group(&counts).unwrap();
        assert_eq!(g.shown, vec![1]);
        assert_eq!(g.other, vec![3, 2]);
        // One set that passes and nothing else: no other.
        let g = group(&counts[..1]).unwrap();
        assert_eq!((g.shown, g.other), (vec![1], vec![]));
        // Nothing passes: nothing shown.
        assert_eq!(group(&[set(1, &[5_000, 1, 1])]), None);
    }

    #[test]
    fn shares_are_rounded_to_half_a_point() {
        assert_eq!(share_bp(1, 3), 3_350);
        assert_eq!(share_bp(2, 3), 6_650);
        assert_eq!(share_bp(1, 400), 50, "0.25% rounds up to 0.5%");
        assert_eq!(share_bp(0, 10), 0);
        assert_eq!(share_bp(5, 0), 0);
    }

    #[test]
    fn a_change_one_supplier_made_is_not_shown() {
        let then = [set(1, &[500, 500, 500]), set(2, &[500, 500, 500])];
        let mut p = Publisher::default();
        assert!(p.offer(1, &then));
        // Supplier 0 alone moves 400 hubs from set 1 to set 2.
        let now = [set(1, &[100, 500, 500]), set(2, &[900, 500, 500])];
        assert!(group(&now).is_some(), "each day alone would pass");
        assert!(!p.offer(2, &now));
        assert_eq!(p.shown().unwrap().2, 1, "day 1's shares stay shown");
        // The other two move 400 each the other way: each cell's change has three suppliers.
        let later = [set(1, &[100, 900, 900]), set(2, &[900, 100, 100])];
        assert!(p.offer(3, &later));
    }
}
