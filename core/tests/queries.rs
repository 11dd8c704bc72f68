//! Queries as data: `Engine::query` answers exactly as the method it names, scoped alike, and a
//! query that does not parse is a typed error naming what was wrong.

mod common;

use common::*;
use commshub_ota::*;

#[test]
fn a_query_answers_as_the_method_it_names() {
    let e = rolling(CampaignPolicy::default());
    let s = e.state();
    let explain = Query::Explain {
        campaign: camp(C1),
        hub: hub(20),
        at: t(3),
    };
    for actor in [Actor::Dcc, csp(), cust("SUP-A"), cust("SUP-E")] {
        let direct =
            serde_json::to_value(s.explain(&actor, &camp(C1), hub(20), t(3)).unwrap()).unwrap();
        let asked = serde_json::to_value(e.query(&actor, &explain).unwrap()).unwrap();
        assert_eq!(direct, asked, "{actor}");
    }
    // Scoped alike: a customer asking for a hub it does not supply.
    let err = e
        .query(&cust("SUP-D"), &Query::Hub { hub: hub(10) })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The JSON form the scenarios use, defaults included.
    let page = e
        .query_json(
            &csp(),
            r#"{"name":"upgrade_list","region":"north","at":"2026-01-04T09:00:00Z"}"#,
        )
        .unwrap();
    let direct = s
        .upgrade_list(&csp(), Region::North, t(3), 0, 1000)
        .unwrap();
    assert_eq!(page, serde_json::to_string(&direct).unwrap());
}

#[test]
fn a_query_that_does_not_parse_is_an_invalid_input() {
    let e = rolling(CampaignPolicy::default());
    for bad in [
        r#"{"name":"teleport"}"#,
        r#"{"name":"hub"}"#,
        r#"{"name":"hub","hub":"nope"}"#,
        r#"{"name":"campaigns","extra":1}"#,
        r#"[]"#,
    ] {
        let err = e.query_json(&Actor::Dcc, bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
}

#[test]
fn a_sequence_number_is_shown_to_the_dcc_only() {
    let e = rolling(CampaignPolicy::default());
    let event = e.events().unwrap().last().expect("events");
    assert_eq!(event.seq_seen_by(&Actor::Dcc), Some(event.seq));
    assert_eq!(event.seq_seen_by(&cust("SUP-A")), None);
    assert_eq!(event.seq_seen_by(&csp()), None);
}

#[test]
fn paging_the_upgrade_list_walks_the_whole_list_and_sees_each_change() {
    let mut e = rolling(Default::default());
    let whole = e
        .state()
        .upgrade_list(&csp(), Region::North, t(3), 0, 100_000)
        .unwrap();
    assert!(whole.total >= 5, "the fixture offers hubs");
    // Page by page, two at a time: the same entries in the same order, the DCC's pages too.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let asker = if offset % 4 == 0 { csp() } else { Actor::Dcc };
        let page = e
            .state()
            .upgrade_list(&asker, Region::North, t(3), offset, 2)
            .unwrap();
        assert_eq!(page.total, whole.total);
        if page.entries.is_empty() {
            break;
        }
        offset += page.entries.len() as u64;
        paged.extend(page.entries);
    }
    assert_eq!(paged, whole.entries);
    // A refused asker stays refused although the list is kept for the others.
    let err = e
        .state()
        .upgrade_list(&cust("SUP-A"), Region::North, t(3), 0, 2)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    // A change is seen on the next page: hub 10 dispatched leaves the list.
    let first = whole.entries[0].hub;
    ok(
        &mut e,
        &csp(),
        t(3),
        Command::ReportOutcomes(command::ReportOutcomes {
            campaign: camp(C1),
            outcomes: vec![rollout::OutcomeReport::new(
                first,
                rollout::Outcome::Dispatched,
            )],
        }),
    );
    let after = e
        .state()
        .upgrade_list(&csp(), Region::North, t(3), 0, 100_000)
        .unwrap();
    assert_eq!(after.total, whole.total - 1);
    assert!(after.entries.iter().all(|x| x.hub != first));
    // And another `at` is another list (pacing and cut-offs depend on it).
    let later = e
        .state()
        .upgrade_list(&csp(), Region::North, t(200), 0, 100_000)
        .unwrap();
    assert_ne!(later.total, after.total);
}

#[test]
fn a_customers_estate_pages_in_estate_order_and_only_its_own_hubs_are_cursors() {
    let e = rolling(Default::default());
    let s = e.state();
    for (asker, customer) in [
        (cust("SUP-A"), "SUP-A"),
        (Actor::Dcc, "SUP-D"),
        (cust("SUP-E"), "SUP-E"),
    ] {
        let whole = s.customer_estate(&asker, &cid(customer)).unwrap();
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = s
                .customer_estate_page(&asker, &cid(customer), after, 2)
                .unwrap();
            assert!(page.hubs.len() <= 2);
            paged.extend(page.hubs);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(paged, whole, "{asker} {customer}");
        // Through the query entry too.
        let q: read::query::Query = serde_json::from_str(&format!(
            r#"{{"name":"customer_estate_page","customer":"{customer}","limit":10000}}"#
        ))
        .unwrap();
        match e.query(&asker, &q).unwrap() {
            read::query::Answer::HubPage(p) => assert_eq!((p.hubs, p.next), (whole, None)),
            other => panic!("{other:?}"),
        }
    }
    // A cursor must be a hub the asker may see: another supplier's hub is not found.
    let err = s
        .customer_estate_page(&cust("SUP-A"), &cid("SUP-A"), Some(hub(15)), 2)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    for limit in [0, 10_001] {
        let err = s
            .customer_estate_page(&cust("SUP-A"), &cid("SUP-A"), None, limit)
            .unwrap_err();
        assert_eq!(field_of(&err), "limit");
    }
    for (asker, customer) in [(cust("SUP-A"), "SUP-D"), (csp(), "SUP-A")] {
        let err = s
            .customer_estate_page(&asker, &cid(customer), None, 10)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPermitted, "{asker}");
    }
    let none = s
        .customer_estate_page(&cust("SUP-Z"), &cid("SUP-Z"), None, 10)
        .unwrap();
    assert_eq!((none.hubs.len(), none.next), (0, None));
}
