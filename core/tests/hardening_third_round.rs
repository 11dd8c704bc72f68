//! Issue 20: the third round of testing as users, as a store's operator and as a hostile party
//! would. Each finding is pinned here (the durable ones in `store.rs`, with both stores).

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::defects::DefectSubject;
use commshub_ota::event::*;
use commshub_ota::*;

fn flag_by(e: &mut Engine, who: &str, named: bool) -> u64 {
    let events = ok(
        e,
        &cust(who),
        t(2),
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::Firmware {
                variant: vid(NORTH),
                version: fw("2.0"),
            },
            text: "IHD pairing drops after the upgrade".into(),
            named,
            suspend_own: false,
        }),
    );
    match &events[0].payload {
        EventPayload::DefectFlagged(f) => f.flag,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_flag_id_is_the_same_whoever_raised_it_so_no_candidate_can_be_tried() {
    // Finding 1: every supplier of the variant raises the same anonymous flag at the same time,
    // each in its own copy of the estate: one id for all. Hashing every candidate supplier
    // therefore tells a recipient nothing, as the id carries nothing of its author.
    let base = fixture();
    let suppliers: Vec<String> = ["SUP-A", "SUP-B"].map(String::from).to_vec();
    let ids: Vec<u64> = suppliers
        .iter()
        .map(|s| flag_by(&mut base.fork(), s, false))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    // What the co-supplier and the CSP are shown of it: the id and what it digests, never who.
    let mut e = base.fork();
    let id = flag_by(&mut e, "SUP-A", false);
    for viewer in [cust("SUP-B"), csp()] {
        let views = e.state().defect_flags(&viewer).unwrap();
        assert_eq!(views.len(), 1, "{viewer:?}");
        assert_eq!(views[0].flag, id);
        assert_eq!(views[0].flagged_by, None, "{viewer:?}");
    }
    // Two suppliers with the same words at the same time are two flags; neither is refused
    // for the other's, and each lifts only its own.
    let second = flag_by(&mut e, "SUP-B", false);
    assert_ne!(second, id);
    assert_eq!(e.state().defect_flags(&Actor::Dcc).unwrap().len(), 2);
    // The same flag twice from one customer is one flag.
    let again = e
        .execute(
            &cust("SUP-A"),
            t(2),
            Command::FlagDefect(FlagDefect {
                subject: DefectSubject::Firmware {
                    variant: vid(NORTH),
                    version: fw("2.0"),
                },
                text: "IHD pairing drops after the upgrade".into(),
                named: false,
                suspend_own: false,
            }),
        )
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::AlreadyExists);
    assert!(again.to_string().contains(&id.to_string()), "{again}");
    // The log replays, each id checked against what it digests.
    let mut history = base.events().unwrap().to_vec();
    history.extend(e.events().unwrap().iter().cloned());
    let replayed = Engine::replay(history).unwrap();
    assert!(replayed.same_state_as(&e));
}
