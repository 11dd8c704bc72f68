//! Disclosure control of the industry's shares (docs/domain.md decision 22, issue 25), as
//! properties over random days of random counts: every cell shown passes the rules when
//! checked from scratch; a change made by one supplier alone never moves what is shown; and
//! what is shown is each cell's share rounded to the documented step.

use commshub_ota::read::disclosure::{
    cell_passes, group, shares, Publisher, SetCounts, MIN_HUBS, MIN_SUPPLIERS, P_PERCENT,
    SHARE_STEP_BP,
};
use proptest::prelude::*;

const SUPPLIERS: usize = 5;
const SETS: u32 = 6;

/// The rules, written out again from decision 22 (not by calling the library's check).
fn passes_from_scratch(cells: &[&SetCounts]) -> bool {
    let hubs: i64 = cells.iter().map(|c| c.hubs).sum();
    let mut by: Vec<i64> = (0..SUPPLIERS)
        .map(|i| {
            cells
                .iter()
                .map(|c| c.by_supplier.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    by.sort_unstable_by(|a, b| b.cmp(a));
    let suppliers = by.iter().filter(|&&n| n > 0).count();
    suppliers >= MIN_SUPPLIERS
        && hubs >= MIN_HUBS
        && (hubs - by[0] - by[1]) as f64 >= by[0] as f64 * P_PERCENT as f64 / 100.0
}

/// A variant's counts: per set, each supplier's hubs (no split supply: the industry's count
/// is their sum).
fn counts() -> impl Strategy<Value = Vec<SetCounts>> {
    prop::collection::vec(
        prop::collection::vec(prop_oneof![Just(0i64), 0i64..1_500], SUPPLIERS),
        SETS as usize,
    )
    .prop_map(|sets| {
        sets.into_iter()
            .enumerate()
            .map(|(i, by_supplier)| SetCounts {
                set: i as u32,
                hubs: by_supplier.iter().sum(),
                by_supplier,
            })
            .collect()
    })
}

/// One supplier's change: `supplier` (not the observer, 0) adds `delta[i]` hubs on set `i`
/// (never below zero).
fn one_suppliers_change() -> impl Strategy<Value = (usize, Vec<i64>)> {
    (
        1..SUPPLIERS,
        prop::collection::vec(-1_500i64..1_500, SETS as usize),
    )
}

fn changed(counts: &[SetCounts], supplier: usize, delta: &[i64]) -> Vec<SetCounts> {
    counts
        .iter()
        .zip(delta)
        .map(|(c, d)| {
            let mut c = c.clone();
            let n = (c.by_supplier[supplier] + d).max(0);
            c.hubs += n - c.by_supplier[supplier];
            c.by_supplier[supplier] = n;
            c
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_cell_shown_passes_the_rules_checked_from_scratch(days in prop::collection::vec(counts(), 1..6)) {
        let mut publisher = Publisher::default();
        for (day, now) in days.iter().enumerate() {
            let was = publisher.shown().map(|(g, c, d)| (g.clone(), c.to_vec(), d));
            let moved = publisher.offer(day as i32, now);
            if let Some(g) = group(now) {
                let of = |s: &u32| &now[*s as usize];
                for s in &g.shown {
                    prop_assert!(passes_from_scratch(&[of(s)]), "set {s} shown: {now:?}");
                }
                if !g.other.is_empty() {
                    let other: Vec<&SetCounts> = g.other.iter().map(of).collect();
                    prop_assert!(passes_from_scratch(&other), "other {:?}", g.other);
                }
                // Every set with hubs is in exactly one cell.
                let mut all: Vec<u32> = g.shown.iter().chain(&g.other).copied().collect();
                all.sort_unstable();
                let with_hubs: Vec<u32> = now.iter().filter(|c| c.hubs > 0).map(|c| c.set).collect();
                prop_assert_eq!(all, with_hubs);
            } else {
                prop_assert!(!moved);
            }
            if moved {
                // A change shown has, in each cell and overall, none at all or at least the
                // rules' suppliers and hubs.
                if let (Some((old, then, _)), Some((g, _, _))) = (&was, publisher.shown()) {
                    let mut cells: Vec<Vec<u32>> = Vec::new();
                    for g in [old, g] {
                        cells.extend(g.shown.iter().map(|&s| vec![s]));
                        if !g.other.is_empty() { cells.push(g.other.clone()); }
                        cells.push(g.shown.iter().chain(&g.other).copied().collect());
                    }
                    for cell in cells {
                        let by: Vec<i64> = (0..SUPPLIERS)
                            .map(|i| {
                                cell.iter()
                                    .map(|&s| now[s as usize].by_supplier[i] - then[s as usize].by_supplier[i])
                                    .sum::<i64>()
                                    .abs()
                            })
                            .collect();
                        let delta = SetCounts { set: 0, hubs: by.iter().sum(), by_supplier: by };
                        prop_assert!(
                            delta.hubs == 0 || passes_from_scratch(&[&delta]),
                            "cell {:?} moved: {:?}", cell, delta
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn one_other_suppliers_change_alone_never_moves_what_is_shown(
        base in counts(),
        (supplier, delta) in one_suppliers_change(),
    ) {
        let mut publisher = Publisher::default();
        publisher.offer(1, &base);
        let before = publisher.shown().map(|(g, c, d)| (shares(g, c), d));
        // Once something is shown (before that, the first shares to pass are shown, whoever
        // made them pass: they pass as levels).
        prop_assume!(before.is_some());
        publisher.offer(2, &changed(&base, supplier, &delta));
        let after = publisher.shown().map(|(g, c, d)| (shares(g, c), d));
        prop_assert_eq!(before, after);
    }

    #[test]
    fn a_share_shown_is_the_cells_share_rounded_to_the_step(now in counts()) {
        if let Some(g) = group(&now) {
            let whole: i64 = now.iter().map(|c| c.hubs).sum();
            let (sets, other) = shares(&g, &now);
            let exact = |hubs: i64| hubs as f64 * 10_000.0 / whole as f64;
            for (s, bp) in sets {
                prop_assert_eq!(bp % SHARE_STEP_BP, 0);
                prop_assert!((f64::from(bp) - exact(now[s as usize].hubs)).abs() <= f64::from(SHARE_STEP_BP) / 2.0);
            }
            if let Some(bp) = other {
                let hubs: i64 = g.other.iter().map(|&s| now[s as usize].hubs).sum();
                prop_assert!((f64::from(bp) - exact(hubs)).abs() <= f64::from(SHARE_STEP_BP) / 2.0);
            }
        }
    }
}

#[test]
fn the_rules_are_the_constants_the_docs_state() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deployed-products.md"),
    )
    .unwrap();
    let row = |name: &str| -> String {
        let line = docs
            .lines()
            .find(|l| l.contains(&format!("`{name}`")))
            .unwrap_or_else(|| panic!("docs/deployed-products.md names {name}"));
        line.rsplit('|').nth(1).unwrap().trim().replace(' ', "")
    };
    assert_eq!(row("MIN_SUPPLIERS"), MIN_SUPPLIERS.to_string());
    assert_eq!(row("MIN_HUBS"), MIN_HUBS.to_string());
    assert_eq!(row("P_PERCENT"), P_PERCENT.to_string());
    assert_eq!(row("SHARE_STEP_BP"), SHARE_STEP_BP.to_string());
    assert!(cell_passes(1_000, [334, 333, 333]));
    assert!(!cell_passes(1_000, [500, 500]));
}
