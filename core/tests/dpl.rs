//! The Deployed Products List over time (docs/domain.md decision 18, issue 25): kept as each
//! day's moves, equal on every day to the list worked out from the estate that day; scoped as
//! the estate views are; the same after replay and after a snapshot; refused outside its range.

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::estate::{HanDeviceKind, SupplyRole};
use commshub_ota::read::dpl::{DplEntry, MAX_DPL_DAYS};
use commshub_ota::*;
use proptest::prelude::*;

/// The list as `(label, hubs)` pairs, in its order.
fn pairs(entries: &[DplEntry]) -> Vec<(String, i64)> {
    entries.iter().map(|e| (e.label.clone(), e.hubs)).collect()
}

/// The list worked out from the estate now (`configuration_sets`), as `(key, hubs)` sorted:
/// for the north CSP, the industry's on the north variant.
fn from_scratch(e: &Engine, who: &Actor, customer: Option<&CustomerId>) -> Vec<(String, i64)> {
    let (asker, north_only) = match who {
        Actor::Csp(_) => (&Actor::Dcc, true),
        _ => (who, false),
    };
    let mut out: Vec<(String, i64)> = e
        .state()
        .configuration_sets(asker, customer)
        .unwrap()
        .into_iter()
        .filter(|c| !north_only || c.configuration_set.variant.as_str() == NORTH)
        .map(|c| (c.configuration_set.key(), c.hubs))
        .collect();
    out.sort();
    out
}

fn kept(e: &Engine, who: &Actor, customer: Option<&CustomerId>, day: i64) -> Vec<(String, i64)> {
    let on = civil(day);
    let mut out: Vec<(String, i64)> = e
        .state()
        .dpl_on(who, customer, on)
        .unwrap()
        .into_iter()
        .map(|c| (c.configuration_set.key(), c.hubs))
        .collect();
    out.sort();
    out
}

/// The GB local date of `t(day)` (09:00 UTC: the same date all year).
fn civil(day: i64) -> chrono::NaiveDate {
    t(day).date_naive()
}

#[test]
fn the_history_follows_installs_upgrades_meter_changes_and_supplier_changes() {
    let mut e = rolling(Default::default());
    let (a, d) = (cid("SUP-A"), cid("SUP-D"));
    let on_day_2 = (
        kept(&e, &Actor::Dcc, None, 2),
        kept(&e, &cust("SUP-A"), Some(&a), 2),
    );
    assert_eq!(on_day_2.0, from_scratch(&e, &Actor::Dcc, None));
    // Day 3: hub 10 upgraded to 2.0 (a new set); day 4: hub 16's ESME to 4.10; day 5: hub 15
    // moves from SUP-D to SUP-A; day 6: a hub installed.
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)));
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(16),
            device: HanDeviceKind::Esme,
            firmware: "4.10".into(),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(5),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(15),
            role: SupplyRole::Import,
            supplier: Some(a.clone()),
            flags: Default::default(),
        }),
    );
    let mut r = row(0x31, NORTH, "1.1", Some("SUP-D"), None);
    r.id = hub(31);
    ok(
        &mut e,
        &Actor::Dcc,
        t(6),
        Command::InstallHub(InstallHub { hub: Box::new(r) }),
    );
    // Today's list is the one worked out from the estate, for every asker.
    for (who, customer) in [
        (Actor::Dcc, None),
        (Actor::Dcc, Some(&a)),
        (cust("SUP-A"), Some(&a)),
        (cust("SUP-D"), Some(&d)),
    ] {
        assert_eq!(
            kept(&e, &who, customer, 6),
            from_scratch(&e, &who, customer),
            "{who} {customer:?}"
        );
    }
    // The past stays as it was.
    assert_eq!(kept(&e, &Actor::Dcc, None, 2), on_day_2.0);
    assert_eq!(kept(&e, &cust("SUP-A"), Some(&a), 2), on_day_2.1);
    // Each day moved what its event moved: hub 10 left set X for a 2.0 set on day 3.
    let total = |day| -> i64 { kept(&e, &Actor::Dcc, None, day).iter().map(|p| p.1).sum() };
    assert_eq!(total(5), total(2), "no hub came or went before day 6");
    assert_eq!(total(6), total(5) + 1);
    let on = |day| kept(&e, &cust("SUP-A"), Some(&a), day);
    assert_ne!(on(3), on(2), "SUP-A's hub 10 moved set on day 3");
    assert_eq!(on(4), on(3), "hub 16 is SUP-D's");
    assert_eq!(
        on(5).iter().map(|p| p.1).sum::<i64>(),
        on(4).iter().map(|p| p.1).sum::<i64>() + 1,
        "SUP-A took hub 15 on day 5"
    );
    // Before the estate there was nothing.
    assert!(kept(&e, &Actor::Dcc, None, -5).is_empty());
}

#[test]
fn a_range_gives_each_day_with_one_label_per_set_largest_first() {
    let mut e = rolling(Default::default());
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)));
    let days = e
        .state()
        .dpl_history(&Actor::Dcc, None, civil(0), civil(4))
        .unwrap();
    assert_eq!(
        days.iter().map(|d| d.day).collect::<Vec<_>>(),
        (0..=4).map(civil).collect::<Vec<_>>()
    );
    for d in &days {
        assert!(d.sets.windows(2).all(|w| w[0].hubs >= w[1].hubs), "{d:?}");
        assert_eq!(
            pairs(&d.sets),
            pairs(&e.state().dpl_on(&Actor::Dcc, None, d.day).unwrap())
        );
    }
    // A set's label is the same on every day, and no two sets share one.
    let mut labels = std::collections::BTreeMap::new();
    for s in days.iter().flat_map(|d| &d.sets) {
        let key = s.configuration_set.key();
        assert_eq!(labels.entry(s.label.clone()).or_insert(key.clone()), &key);
    }
    let example = &days[4].sets[0];
    assert_eq!(example.label, example.configuration_set.label());
    assert!(example.label.starts_with("CH N DB "), "{}", example.label);
}

#[test]
fn each_party_reads_its_own_scope_and_nothing_else() {
    let e = rolling(Default::default());
    let (a, d) = (cid("SUP-A"), cid("SUP-D"));
    let refused = |who: &Actor, customer: Option<&CustomerId>| {
        e.state()
            .dpl_on(who, customer, civil(2))
            .map(|_| ())
            .unwrap_err()
            .kind()
    };
    assert_eq!(refused(&cust("SUP-A"), None), ErrorKind::NotPermitted);
    assert_eq!(refused(&cust("SUP-A"), Some(&d)), ErrorKind::NotPermitted);
    assert_eq!(refused(&csp(), Some(&a)), ErrorKind::NotPermitted);
    assert_eq!(refused(&Actor::System, None), ErrorKind::NotPermitted);
    // A CSP reads its region's sets only, with the industry's volumes there.
    let north = e.state().dpl_on(&csp(), None, civil(2)).unwrap();
    let all = e.state().dpl_on(&Actor::Dcc, None, civil(2)).unwrap();
    assert!(!north.is_empty() && north.len() < all.len());
    assert!(north
        .iter()
        .all(|s| s.configuration_set.variant.as_str() == NORTH));
    for s in &north {
        assert!(all.contains(s), "{s:?}");
    }
    // An unknown customer has nothing, as the DCC and itself read it.
    let nobody = cid("SUP-Z");
    assert!(e
        .state()
        .dpl_on(&Actor::Dcc, Some(&nobody), civil(2))
        .unwrap()
        .is_empty());
}

#[test]
fn a_range_backwards_or_over_ten_years_is_refused() {
    let e = rolling(Default::default());
    let err = e
        .state()
        .dpl_history(&Actor::Dcc, None, civil(3), civil(2))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(field_of(&err), "to");
    let err = e
        .state()
        .dpl_history(&Actor::Dcc, None, civil(0), civil(MAX_DPL_DAYS as i64))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(field_of(&err), "days");
    assert!(e
        .state()
        .dpl_history(&Actor::Dcc, None, civil(0), civil(MAX_DPL_DAYS as i64 - 1))
        .is_ok());
}

#[test]
fn replay_and_a_snapshot_keep_the_history() {
    let mut e = rolling(Default::default());
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)));
    ok(&mut e, &csp(), t(4), report(&upgrade_rows(11)));
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    let history = |e: &Engine| {
        e.state()
            .dpl_history(&Actor::Dcc, None, civil(0), civil(5))
            .unwrap()
    };
    assert_eq!(history(&replayed), history(&e));
    let restored = Engine::from_snapshot(&e.to_snapshot()).unwrap();
    assert_eq!(history(&restored), history(&e));
    assert_eq!(restored.state(), e.state());
}

/// One step of a random history: what moves hubs between sets and suppliers.
#[derive(Debug, Clone)]
enum Step {
    Upgrade(u64),
    Meter(u64, &'static str),
    Supplier(u64, Option<&'static str>),
    Install(u64, &'static str),
}

fn step() -> impl Strategy<Value = Step> {
    let hubs = prop::sample::select(vec![1u64, 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    let who = prop::sample::select(vec![Some("SUP-A"), Some("SUP-D"), Some("SUP-E"), None]);
    prop_oneof![
        hubs.clone().prop_map(Step::Upgrade),
        (
            hubs.clone(),
            prop::sample::select(vec!["4.10", "5.0", "4.0"])
        )
            .prop_map(|(h, v)| Step::Meter(h, v)),
        (hubs, who).prop_map(|(h, s)| Step::Supplier(h, s)),
        (0x40u64..0x60, prop::sample::select(vec!["SUP-A", "SUP-D"]))
            .prop_map(|(h, s)| Step::Install(h, s)),
    ]
}

fn run(e: &mut Engine, s: &Step, at: chrono::DateTime<chrono::Utc>) {
    let command = match s {
        Step::Upgrade(n) => report(&upgrade_rows(*n)),
        Step::Meter(n, v) => Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(*n),
            device: HanDeviceKind::Esme,
            firmware: (*v).into(),
        }),
        Step::Supplier(n, who) => Command::ChangeSupplier(ChangeSupplier {
            hub: hub(*n),
            role: SupplyRole::Import,
            supplier: who.map(cid),
            flags: Default::default(),
        }),
        Step::Install(n, who) => {
            let mut r = row(*n, NORTH, "1.1", Some(who), None);
            r.id = HubId::from_u64(*n);
            Command::InstallHub(InstallHub { hub: Box::new(r) })
        }
    };
    // A step the engine refuses (a hub not in the campaign, one installed twice) moves
    // nothing: the property holds either way.
    let actor = if matches!(s, Step::Upgrade(_)) {
        csp()
    } else {
        Actor::Dcc
    };
    let _ = e.execute(&actor, at, command);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The kept history, asked on any past day, is the list worked out from the estate as it
    /// was at that day's end: for the industry and for each customer.
    #[test]
    fn the_kept_history_is_each_days_list_worked_out_from_scratch(
        days in prop::collection::vec(prop::collection::vec(step(), 0..4), 1..12)
    ) {
        let mut e = rolling(Default::default());
        let askers: Vec<(Actor, Option<CustomerId>)> = vec![
            (Actor::Dcc, None),
            (Actor::Dcc, Some(cid("SUP-A"))),
            (Actor::Dcc, Some(cid("SUP-D"))),
            (Actor::Dcc, Some(cid("SUP-E"))),
            (csp(), None),
        ];
        let mut seen = Vec::new();
        for (i, steps) in days.iter().enumerate() {
            let day = 3 + i as i64;
            for (k, s) in steps.iter().enumerate() {
                run(&mut e, s, t(day) + chrono::Duration::minutes(k as i64));
            }
            let lists: Vec<_> = askers.iter().map(|(w, c)| from_scratch(&e, w, c.as_ref())).collect();
            seen.push((day, lists));
        }
        for (day, lists) in &seen {
            for ((who, customer), expected) in askers.iter().zip(lists) {
                prop_assert_eq!(&kept(&e, who, customer.as_ref(), *day), expected, "day {} {} {:?}", day, who, customer);
            }
        }
        let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
        prop_assert_eq!(replayed.state(), e.state());
    }
}
