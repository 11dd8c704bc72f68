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
    let event = e.events().last().expect("events");
    assert_eq!(event.seq_seen_by(&Actor::Dcc), Some(event.seq));
    assert_eq!(event.seq_seen_by(&cust("SUP-A")), None);
    assert_eq!(event.seq_seen_by(&csp()), None);
}
