//! Each party's report (issue 25): one self-contained HTML page with inline SVG charts and a
//! table under each, scoped to the asker, the same bytes for the same state (after a replay
//! too); and the pie's slices, a few and never mostly "other".

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::read::dpl::DplEntry;
use commshub_ota::read::report::{pie_slices, SliceKind, MAX_SLICES};
use commshub_ota::*;
use proptest::prelude::*;

/// `n` hubs of `supplier` from hub `first` on, on the north variant at `firmware`, ESME `esme`.
fn hubs_of(first: u64, n: u64, supplier: &str, firmware: &str, esme: &str) -> Vec<HubRow> {
    (first..first + n)
        .map(|i| {
            let mut r = row(i, NORTH, firmware, Some(supplier), None);
            r.devices.esme = Some(HanDevice::new(esme, "3.1"));
            r
        })
        .collect()
}

/// The two-region fixture, 4 000 north hubs of four suppliers, a campaign in its pilot.
fn world() -> Engine {
    let mut e = fixture();
    let mut hubs = Vec::new();
    let mut next = 1_000_000;
    for (supplier, n) in [
        ("SUP-A", 1_200),
        ("SUP-B", 1_000),
        ("SUP-C", 900),
        ("SUP-D", 900),
    ] {
        for (fw, esme, share) in [
            ("1.1", "EM-A1", 2),
            ("1.1", "EM-B2", 1),
            ("1.0", "EM-A1", 1),
        ] {
            let k = n * share / 4;
            hubs.extend(hubs_of(next, k, supplier, fw, esme));
            next += k;
        }
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs }),
    );
    piloting_campaign(&mut e, (t(2), t(3)), t(60), Default::default());
    e
}

#[test]
fn a_customers_report_holds_its_own_products_the_shares_and_its_campaigns() {
    let e = world();
    let a = cust("SUP-A");
    let html = e.report(&a, t(5), 30).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    for section in [
        "Deployed products on 2026-01-06",
        "Over time",
        "Industry trends",
        "Campaigns",
        "What the pilots found",
        "Notices",
    ] {
        assert!(html.contains(section), "{section}");
    }
    // Four charts (today, over time, the industry's shares, the campaigns), each with a title
    // and a table under it; the notices' table.
    assert_eq!(html.matches("<svg ").count(), 4);
    assert_eq!(
        html.matches("<title>").count(),
        5,
        "the page's and each chart's"
    );
    assert_eq!(html.matches("<table>").count(), 5);
    assert!(html.contains("Campaign C1 moved to pilot."));
    // Its own hubs: 1 200 and the fixture's hubs 01 and 02.
    assert!(html.contains("1,202 hubs on"), "{html}");
    // Self-contained: no script, no link out (the SVG namespace is a name, not a fetch).
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    // Nothing of another supplier's: neither name nor volume.
    for other in ["SUP-B", "SUP-C", "SUP-D", "1000 hubs", "4000"] {
        assert!(!html.contains(other), "{other} in SUP-A's report");
    }
    // The same bytes again, and after a replay of the events.
    assert_eq!(e.report(&a, t(5), 30).unwrap(), html);
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.report(&a, t(5), 30).unwrap(), html);
    // By the one query entry too.
    let asked = e.query(&a, &Query::Report { at: t(5), days: 30 }).unwrap();
    assert_eq!(asked, Answer::Report(html));
}

#[test]
fn the_dcc_and_a_csp_have_reports_of_their_scope_and_bad_requests_are_refused() {
    let e = world();
    let dcc = e.report(&Actor::Dcc, t(5), 7).unwrap();
    assert!(dcc.contains("the DCC (the industry)"));
    assert!(
        dcc.contains("4,004 hubs on"),
        "every hub: the fixture's four and 4 000"
    );
    let north = e.report(&csp(), t(5), 7).unwrap();
    assert!(north.contains("the CSP of the north region"));
    assert!(north.contains("4,003 hubs on"), "the north variant's only");
    assert!(
        !north.contains("SUP-"),
        "a CSP never learns who supplies a hub"
    );
    for days in [0, 367] {
        let err = e.report(&Actor::Dcc, t(5), days).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("days"), "{err}");
    }
    let err = e.report(&Actor::System, t(5), 7).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
}

fn entry(variant: &str, firmware: &str, model: String, hubs: i64) -> DplEntry {
    let mut r = row(1, variant, firmware, Some("SUP-A"), None);
    r.devices.esme = Some(HanDevice::new(&model, "1.0"));
    let set = commshub_ota::estate::ConfigurationSet {
        variant: vid(variant),
        firmware: fw(firmware),
        devices: r.devices.clone(),
    };
    DplEntry {
        label: set.label(),
        configuration_set: set,
        hubs,
    }
}

proptest! {
    #[test]
    fn a_pie_has_a_few_slices_holding_every_hub_and_is_never_mostly_other(
        sets in prop::collection::vec((0usize..3, 0usize..3, 1i64..5_000), 1..300),
    ) {
        // Up to three variants (the variants of a region) at up to three firmware versions.
        let variants = [NORTH, "CH-N-SB", "CH-N-XX"];
        let list: Vec<DplEntry> = sets
            .iter()
            .enumerate()
            .map(|(i, &(v, f, hubs))| entry(variants[v], ["1.0", "1.1", "2.0"][f], format!("EM-{i}"), hubs))
            .collect();
        let total: i64 = list.iter().map(|e| e.hubs).sum();
        let pie = pie_slices(&list);
        prop_assert!(pie.len() <= MAX_SLICES);
        prop_assert_eq!(pie.iter().map(|s| s.hubs).sum::<i64>(), total);
        prop_assert_eq!(pie.iter().map(|s| s.sets).sum::<i64>(), list.len() as i64);
        let other: i64 = pie.iter().filter(|s| s.kind == SliceKind::Other).map(|s| s.hubs).sum();
        prop_assert!(other * 2 <= total, "other {other} of {total}: {pie:?}");
        let labels: std::collections::HashSet<&str> = pie.iter().map(|s| s.label.as_str()).collect();
        prop_assert_eq!(labels.len(), pie.len());
    }
}

/// SUP-A's report on the rollout fixture: the bytes every language must write
/// (`tests/expected/`; Python's and the JVM's tests compare with the same file). With
/// `UPDATE_EXPECTED=1` the file is written instead.
#[test]
fn the_rollout_fixtures_report_is_the_expected_file_every_language_compares_with() {
    let mut e = Engine::new();
    given_json(&mut e, "fixtures/rollout_estate.json");
    let html = e.report(&cust("SUP-A"), t(5), 30).unwrap();
    let path = tests_dir().join("expected/report_rollout_sup_a.html");
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, &html).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        html, expected,
        "run with UPDATE_EXPECTED=1 to rewrite {path:?}"
    );
}
