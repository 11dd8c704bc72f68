//! The Deployed Products List over time (docs/domain.md decision 18, issue 25): kept as each
//! day's moves, equal on every day to the list worked out from the estate that day; scoped as
//! the estate views are; the same after replay and after a snapshot; refused outside its range.

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::estate::{HanDeviceKind, SupplyRole};
use commshub_ota::event::{RuleAct, RuleActed};
use commshub_ota::notices::NotificationKind;
use commshub_ota::read::dpl::{DplEntry, MAX_DPL_DAYS};
use commshub_ota::rules::{RuleAction, RuleSpec, RuleTrigger};
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

// --- the industry's shares under disclosure control (decision 22) ---

use commshub_ota::read::disclosure::SHARE_STEP_BP;
use commshub_ota::read::SharesDay;

/// `n` hubs of `supplier` from hub `first` on, on the north variant at 1.1, ESME `esme`.
fn hubs_of(first: u64, n: u64, supplier: &str, esme: &str) -> Vec<HubRow> {
    (first..first + n)
        .map(|i| {
            let mut r = row(i, NORTH, "1.1", Some(supplier), None);
            r.devices.esme = Some(HanDevice::new(esme, "3.1"));
            r
        })
        .collect()
}

fn load(e: &mut Engine, day: i64, groups: &[(u64, &str, &str)]) {
    let mut hubs = Vec::new();
    let mut next = 1_000_000 * (day as u64 + 1);
    for &(n, supplier, esme) in groups {
        hubs.extend(hubs_of(next, n, supplier, esme));
        next += n;
    }
    ok(
        e,
        &Actor::Dcc,
        t(day),
        Command::LoadEstate(LoadEstate { hubs }),
    );
}

/// `part` of `whole` in basis points to the nearest half point, worked out in floating point.
fn expected_bp(part: i64, whole: i64) -> i32 {
    let step = f64::from(SHARE_STEP_BP);
    ((part as f64 * 10_000.0 / whole as f64 / step).round() * step) as i32
}

/// The north variant's shown `(ESME model, share)` pairs and "other", as of which day.
fn north(answer: &[SharesDay], day: i64) -> (chrono::NaiveDate, Vec<(String, i32)>, Option<i32>) {
    let d = answer
        .iter()
        .find(|d| d.day == civil(day))
        .expect("the day");
    let v = d
        .variants
        .iter()
        .find(|v| v.variant.as_str() == NORTH)
        .expect("north shown");
    let sets = v
        .sets
        .iter()
        .map(|s| {
            let esme = s.configuration_set.devices.esme.as_ref().expect("an ESME");
            (esme.model.clone(), s.share_bp)
        })
        .collect();
    (v.as_of, sets, v.other_bp)
}

/// Four suppliers on four sets of the north variant: X (EM-A1) and V (EM-V1) held widely, Y
/// (EM-B2) too, Z (EM-D3) by SUP-D alone.
fn four_suppliers() -> Engine {
    let mut e = fixture();
    load(
        &mut e,
        1,
        &[
            (600, "SUP-A", "EM-A1"),
            (600, "SUP-B", "EM-A1"),
            (600, "SUP-C", "EM-A1"),
            (400, "SUP-A", "EM-V1"),
            (400, "SUP-B", "EM-V1"),
            (400, "SUP-C", "EM-V1"),
            (400, "SUP-D", "EM-V1"),
            (500, "SUP-A", "EM-B2"),
            (500, "SUP-B", "EM-B2"),
            (500, "SUP-C", "EM-B2"),
            (1_000, "SUP-D", "EM-D3"),
        ],
    );
    e
}

#[test]
fn a_customer_sees_shares_of_sets_that_pass_and_the_rest_as_other() {
    let e = four_suppliers();
    let shares = e
        .state()
        .industry_shares(&cust("SUP-A"), civil(1), civil(1))
        .unwrap();
    let (as_of, sets, other) = north(&shares, 1);
    assert_eq!(as_of, civil(1));
    // The fixture's three north hubs: hub 03 on X, hubs 01 and 02 on sets of their own. Z
    // fails (one supplier), and so do the fixture's two sets; "other" of them alone fails
    // too, so the smallest shown set (Y) joins it: X and V shown, other = Y, Z and the two.
    let whole = 1_801 + 1_600 + 1_500 + 1_000 + 2;
    assert_eq!(
        sets,
        vec![
            ("EM-A1".to_string(), expected_bp(1_801, whole)),
            ("EM-V1".to_string(), expected_bp(1_600, whole)),
        ]
    );
    assert_eq!(other, Some(expected_bp(2_502, whole)));
    for (_, bp) in &sets {
        assert_eq!(bp % SHARE_STEP_BP, 0);
    }
    // Shares only: no volume anywhere in the answer.
    let json = serde_json::to_string(&shares).unwrap();
    assert!(!json.contains("hubs") && !json.contains("1800"), "{json}");
    // The same answer for every party.
    for who in [Actor::Dcc, cust("SUP-D"), csp()] {
        assert_eq!(
            e.state().industry_shares(&who, civil(1), civil(1)).unwrap(),
            shares,
            "{who}"
        );
    }
    // Before the hubs came, nothing.
    let before = e
        .state()
        .industry_shares(&cust("SUP-A"), civil(0), civil(0))
        .unwrap();
    assert!(before[0].variants.is_empty());
}

#[test]
fn one_suppliers_change_alone_moves_no_share_until_others_move_with_it() {
    let mut e = four_suppliers();
    let a = cust("SUP-A");
    let day1 = north(
        &e.state().industry_shares(&a, civil(1), civil(1)).unwrap(),
        1,
    );
    // Day 2: SUP-D alone adds 600 hubs on Z. Each day's counts alone would pass, but the
    // change is SUP-D's: the shares stay those of day 1.
    load(&mut e, 2, &[(600, "SUP-D", "EM-D3")]);
    let range = e.state().industry_shares(&a, civil(1), civil(2)).unwrap();
    assert_eq!(north(&range, 2), day1, "as of day 1 still");
    // Asking day by day shows no more than the range.
    let alone = e.state().industry_shares(&a, civil(2), civil(2)).unwrap();
    assert_eq!(north(&alone, 2), day1);
    // Day 3: SUP-A, -B and -C add 400 each on Z too: the change since day 1 now has four
    // suppliers and passes; Z passes on its own (2 800 hubs, SUP-D 1 600): Z, X and V shown;
    // the fixture's two hubs still need Y in "other".
    load(
        &mut e,
        3,
        &[
            (400, "SUP-A", "EM-D3"),
            (400, "SUP-B", "EM-D3"),
            (400, "SUP-C", "EM-D3"),
        ],
    );
    let range = e.state().industry_shares(&a, civil(1), civil(3)).unwrap();
    let (as_of, sets, other) = north(&range, 3);
    assert_eq!(as_of, civil(3));
    let whole = 2_800 + 1_801 + 1_600 + 1_500 + 2;
    assert_eq!(
        sets,
        vec![
            ("EM-D3".to_string(), expected_bp(2_800, whole)),
            ("EM-A1".to_string(), expected_bp(1_801, whole)),
            ("EM-V1".to_string(), expected_bp(1_600, whole)),
        ]
    );
    assert_eq!(other, Some(expected_bp(1_502, whole)));
    // The earlier days read the same as before.
    assert_eq!(north(&range, 1), day1);
    assert_eq!(north(&range, 2), day1);
}

#[test]
fn shares_are_refused_outside_their_range_and_survive_replay() {
    let e = four_suppliers();
    let a = cust("SUP-A");
    let err = e
        .state()
        .industry_shares(&a, civil(3), civil(2))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("to"), "{err}");
    let far = civil(0) + chrono::Days::new(MAX_DPL_DAYS as u64);
    let err = e.state().industry_shares(&a, civil(0), far).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("days"), "{err}");
    // By the one query entry, and after a replay of the events, the same answer.
    let asked = e
        .query(
            &a,
            &Query::IndustryShares {
                from: civil(0),
                to: civil(2),
            },
        )
        .unwrap();
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    let again = replayed
        .query(
            &a,
            &Query::IndustryShares {
                from: civil(0),
                to: civil(2),
            },
        )
        .unwrap();
    assert_eq!(asked, again);
    assert!(matches!(asked, Answer::IndustryShares(ref d) if d.len() == 3));
}

#[cfg(feature = "arrow")]
#[test]
fn the_history_and_shares_as_rows_hold_the_typed_answers() {
    use arrow_array::{Array, Date32Array, Int32Array, Int64Array};
    let e = four_suppliers();
    let a = cust("SUP-A");
    let s = e.state();
    let typed = s
        .dpl_history(&a, Some(&cid("SUP-A")), civil(0), civil(2))
        .unwrap();
    let rows = s
        .dpl_history_arrow(&a, Some(&cid("SUP-A")), civil(0), civil(2))
        .unwrap();
    let n: usize = typed.iter().map(|d| d.sets.len()).sum();
    assert_eq!(rows.num_rows(), n);
    let hubs = rows
        .column_by_name("hubs")
        .unwrap()
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    let total: i64 = typed
        .iter()
        .flat_map(|d| d.sets.iter().map(|e| e.hubs))
        .sum();
    assert_eq!(hubs.iter().flatten().sum::<i64>(), total);
    let days = rows
        .column_by_name("day")
        .unwrap()
        .as_any()
        .downcast_ref::<Date32Array>()
        .unwrap();
    let typed_days: Vec<_> = typed
        .iter()
        .flat_map(|d| d.sets.iter().map(|_| Some(d.day)))
        .collect();
    let row_days: Vec<_> = (0..days.len()).map(|i| days.value_as_date(i)).collect();
    assert_eq!(row_days, typed_days);
    let shares = s.industry_shares(&a, civil(1), civil(2)).unwrap();
    let rows = s.industry_shares_arrow(&a, civil(1), civil(2)).unwrap();
    // Per day: X, V and "other" (configuration_set null).
    assert_eq!(rows.num_rows(), 6);
    let set = rows.column_by_name("configuration_set").unwrap();
    assert_eq!(set.null_count(), 2);
    let bp = rows
        .column_by_name("share_bp")
        .unwrap()
        .as_any()
        .downcast_ref::<Int32Array>()
        .unwrap();
    let (_, typed_sets, other) = north(&shares, 1);
    assert_eq!(
        bp.iter().take(3).flatten().collect::<Vec<_>>(),
        typed_sets
            .iter()
            .map(|p| p.1)
            .chain(other)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_customer_is_told_of_the_sets_the_industry_is_leaving() {
    use commshub_ota::read::{TREND_MIN_MOVE_BP, TREND_WINDOW_DAYS};
    let mut e = four_suppliers();
    let a = cust("SUP-A");
    assert!(e.state().industry_trends(&a, civil(2)).unwrap().is_empty());
    // Day 3: four suppliers add 2 800 hubs on Z (EM-D3): X's share falls from 30.5% to 23.5%.
    load(
        &mut e,
        3,
        &[
            (400, "SUP-A", "EM-D3"),
            (400, "SUP-B", "EM-D3"),
            (400, "SUP-C", "EM-D3"),
            (600, "SUP-D", "EM-D3"),
        ],
    );
    let trends = e.state().industry_trends(&a, civil(3)).unwrap();
    let esme = |s: &commshub_ota::estate::ConfigurationSet| s.devices.esme.clone().unwrap().model;
    let leaving: Vec<String> = trends
        .iter()
        .map(|t| esme(&t.leaving.configuration_set))
        .collect();
    assert!(leaving.contains(&"EM-A1".to_string()), "{trends:?}");
    for t in &trends {
        assert!(t.leaving.from_bp - t.leaving.to_bp >= TREND_MIN_MOVE_BP);
        assert!(t.rising.to_bp - t.rising.from_bp >= TREND_MIN_MOVE_BP);
        assert_eq!(esme(&t.rising.configuration_set), "EM-D3");
        assert!(t.to - t.from <= chrono::Duration::days(TREND_WINDOW_DAYS as i64));
        assert_eq!(
            (t.from, t.to),
            (civil(1), civil(3)),
            "from the first day shown"
        );
    }
    // SUP-D runs no EM-A1 hub: it is not told of that set; the DCC is told of every one.
    let d = e.state().industry_trends(&cust("SUP-D"), civil(3)).unwrap();
    assert!(d
        .iter()
        .all(|t| esme(&t.leaving.configuration_set) != "EM-A1"));
    let dcc = e.state().industry_trends(&Actor::Dcc, civil(3)).unwrap();
    assert!(dcc.len() >= trends.len());
    // A day at the calendar's edge is refused by name, not a panic.
    let err = e
        .state()
        .industry_trends(&a, chrono::NaiveDate::MIN)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("on"), "{err}");
    // By the one query entry.
    assert_eq!(
        e.query(&a, &Query::IndustryTrends { on: civil(3) })
            .unwrap(),
        Answer::Trends(trends)
    );
}

// --- trend notices: told once per set and window, by the deadline check ---

/// The notices of a deadline check at `at`: (customer, leaving set's ESME model) pairs.
fn trend_notices(e: &mut Engine, at: chrono::DateTime<chrono::Utc>) -> Vec<Event> {
    e.execute(&Actor::Dcc, at, Command::CheckDeadlines(CheckDeadlines {}))
        .unwrap()
        .to_vec()
}

fn told(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::IndustryTrendsNoticed(n) => Some(n),
            _ => None,
        })
        .flat_map(|n| {
            n.notices.iter().map(|x| {
                let esme = x.trend.leaving.configuration_set.devices.esme.clone();
                (x.customer.to_string(), esme.unwrap().model)
            })
        })
        .collect()
}

/// The trend notices waiting for `who`.
fn trend_notes(e: &Engine, who: &Actor) -> Vec<commshub_ota::read::Trend> {
    e.notifications(who, 1000)
        .unwrap()
        .notifications
        .into_iter()
        .filter_map(|n| match n.kind {
            NotificationKind::IndustryTrend { trend } => Some((*trend).clone()),
            _ => None,
        })
        .collect()
}

/// Day 3: four suppliers add 2 800 hubs on Z (EM-D3); X (EM-A1), V (EM-V1) and Y (EM-B2) fall.
fn leaving_on_day_3() -> Engine {
    let mut e = four_suppliers();
    load(
        &mut e,
        3,
        &[
            (400, "SUP-A", "EM-D3"),
            (400, "SUP-B", "EM-D3"),
            (400, "SUP-C", "EM-D3"),
            (600, "SUP-D", "EM-D3"),
        ],
    );
    e
}

#[test]
fn the_deadline_check_tells_each_customer_of_the_sets_it_runs_that_the_industry_is_leaving() {
    let mut e = leaving_on_day_3();
    // On day 3 the last whole day is day 2: nothing has moved yet.
    assert!(told(&trend_notices(&mut e, t(3))).is_empty());
    let events = trend_notices(&mut e, t(4));
    assert_eq!(events.len(), 1, "one event, the system's: {events:?}");
    assert_eq!(events[0].actor, Actor::System);
    let EventPayload::IndustryTrendsNoticed(n) = &events[0].payload else {
        panic!("{events:?}")
    };
    assert_eq!(n.on, civil(3));
    // Exactly the customers that run each leaving set on day 3, each told the trend its own
    // query answers; SUP-D runs no X, Y hub, so it is told of V alone.
    let dcc = e.state().industry_trends(&Actor::Dcc, civil(3)).unwrap();
    let mut expected = Vec::new();
    for who in ["SUP-A", "SUP-B", "SUP-C", "SUP-D"] {
        let own = e.state().industry_trends(&cust(who), civil(3)).unwrap();
        assert!(own.iter().all(|t| dcc.contains(t)));
        for t in own {
            expected.push((
                who.to_string(),
                t.leaving.configuration_set.devices.esme.unwrap().model,
            ));
        }
        let notes = trend_notes(&e, &cust(who));
        assert_eq!(
            notes,
            e.state().industry_trends(&cust(who), civil(3)).unwrap(),
            "{who}"
        );
    }
    let mut got = told(&events);
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert!(got.contains(&("SUP-A".into(), "EM-A1".into())), "{got:?}");
    assert!(!got.contains(&("SUP-D".into(), "EM-A1".into())), "{got:?}");
    assert!(got.contains(&("SUP-D".into(), "EM-V1".into())), "{got:?}");
    // Nobody else is told, and nothing but shares: no CSP, no DCC notice of a trend.
    for who in [Actor::Dcc, csp()] {
        assert!(trend_notes(&e, &who).is_empty(), "{who}");
    }
    // Once per set and window: not again that day, nor while the trend lasts in the window,
    // though the industry moves further off the sets on day 20.
    for at in [t(4) + chrono::Duration::hours(3), t(10)] {
        assert!(told(&trend_notices(&mut e, at)).is_empty(), "{at}");
    }
    load(
        &mut e,
        20,
        &[
            (400, "SUP-A", "EM-D3"),
            (400, "SUP-B", "EM-D3"),
            (400, "SUP-C", "EM-D3"),
            (600, "SUP-D", "EM-D3"),
        ],
    );
    assert!(!e
        .state()
        .industry_trends(&Actor::Dcc, civil(20))
        .unwrap()
        .is_empty());
    for at in [t(21), t(32), t(33)] {
        assert!(told(&trend_notices(&mut e, at)).is_empty(), "{at}");
    }
    // A window after the notice (day 33's, from day 3): told again, once, of the move since.
    let again = told(&trend_notices(&mut e, t(34)));
    let mut expected = Vec::new();
    for who in ["SUP-A", "SUP-B", "SUP-C", "SUP-D"] {
        for t in e.state().industry_trends(&cust(who), civil(33)).unwrap() {
            assert_eq!(t.from, civil(3));
            expected.push((
                who.to_string(),
                t.leaving.configuration_set.devices.esme.unwrap().model,
            ));
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(again, expected);
    assert!(told(&trend_notices(&mut e, t(35))).is_empty());
    // Once nothing moves for a window: no trend, no notice.
    assert!(told(&trend_notices(&mut e, t(90))).is_empty());
    // Replay and a snapshot keep who was told when.
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    let restored = Engine::from_snapshot(&e.to_snapshot()).unwrap();
    assert_eq!(restored.state(), e.state());
    let mut restored = restored;
    assert!(told(&trend_notices(&mut restored, t(91))).is_empty());
}

#[test]
fn a_late_move_of_a_day_already_checked_is_checked_again() {
    let mut e = four_suppliers();
    // Day 4's check finds nothing for day 3 and remembers it...
    assert!(told(&trend_notices(&mut e, t(4))).is_empty());
    // ...until a writer behind the others records day 3's installs late.
    load(
        &mut e,
        3,
        &[
            (400, "SUP-A", "EM-D3"),
            (400, "SUP-B", "EM-D3"),
            (400, "SUP-C", "EM-D3"),
            (600, "SUP-D", "EM-D3"),
        ],
    );
    let later = told(&trend_notices(&mut e, t(4) + chrono::Duration::hours(1)));
    assert!(
        later.contains(&("SUP-A".into(), "EM-A1".into())),
        "{later:?}"
    );
    // The same notices as a check that came after the moves.
    let mut fresh = leaving_on_day_3();
    assert_eq!(later, told(&trend_notices(&mut fresh, t(4))));
}

#[test]
fn a_customers_rule_acts_on_its_hubs_of_a_set_the_industry_is_leaving() {
    let mut e = leaving_on_day_3();
    let a = cust("SUP-A");
    let rule = |name: &str, action: RuleAction| RuleSpec {
        name: name.into(),
        trigger: RuleTrigger::IndustryTrend,
        condition: "esme.model == \"EM-A1\"".into(),
        action,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: false,
    };
    ok(
        &mut e,
        &a,
        t(3),
        Command::SaveRule(SaveRule {
            rule: rule("first off X", RuleAction::Prioritise),
        }),
    );
    // Only a customer is told of trends: the DCC's and a CSP's rules on them are refused.
    for who in [Actor::Dcc, csp()] {
        let err = e
            .execute(
                &who,
                t(3),
                Command::SaveRule(SaveRule {
                    rule: rule(
                        "told",
                        RuleAction::Notify {
                            text: "the industry moves".into(),
                        },
                    ),
                }),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPermitted, "{who}: {err}");
        assert!(err.to_string().contains("industry_trend"), "{err}");
    }
    let events = trend_notices(&mut e, t(4));
    let acted: Vec<&RuleActed> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::RuleActed(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(acted.len(), 1, "{events:?}");
    assert_eq!(acted[0].owner, a);
    assert_eq!(acted[0].trigger, "industry_trend");
    let RuleAct::Prioritised { sets, hubs } = &acted[0].act else {
        panic!("{:?}", acted[0].act)
    };
    assert!(hubs.is_empty());
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].devices.esme.as_ref().unwrap().model, "EM-A1");
    // Set off once, as the notice is.
    let again = trend_notices(&mut e, t(5));
    assert!(again.is_empty(), "{again:?}");
}
