//! Firmware prerequisites on HAN device firmware (docs/domain.md decision 17, issue 24): a
//! hub whose device is below the minimum is not offered to the CSP, `explain` says which
//! device, what it has and what it needs, and it is offered once the device's change is recorded.

mod common;

use common::*;
use commshub_ota::catalogue::Prerequisite;
use commshub_ota::command::*;
use commshub_ota::eligibility::Blocker;
use commshub_ota::*;

fn esme_at_least(model: Option<&str>, min: &str) -> Prerequisite {
    Prerequisite {
        device: HanDeviceKind::Esme,
        model: model.map(str::to_string),
        min_firmware: min.into(),
    }
}

fn set_prerequisites(prerequisites: Vec<Prerequisite>) -> Command {
    Command::SetFirmwarePrerequisites(SetFirmwarePrerequisites {
        variant: vid(NORTH),
        version: fw("2.0"),
        prerequisites,
    })
}

fn listed(e: &Engine, day: i64) -> Vec<HubId> {
    let page = e
        .upgrade_list(&csp(), Region::North, t(day), 0, 1000)
        .unwrap();
    let mut hubs: Vec<HubId> = page.entries.iter().map(|u| u.hub).collect();
    hubs.sort();
    hubs
}

fn change_esme(e: &mut Engine, n: u64, firmware: &str, day: i64) {
    ok(
        e,
        &Actor::Dcc,
        t(day),
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(n),
            device: HanDeviceKind::Esme,
            firmware: firmware.into(),
        }),
    );
}

#[test]
fn a_hub_below_a_prerequisite_is_held_until_its_device_is_upgraded() {
    let mut e = rolling(Default::default());
    let before = listed(&e, 3);
    assert!(
        before.contains(&hub(16)) && before.contains(&hub(1)),
        "{before:?}"
    );
    // Set Y's ESME model EM-B2 runs 4.0: firmware 2.0 needs 4.10 or later on that model.
    ok(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(vec![esme_at_least(Some("EM-B2"), "4.10")]),
    );
    let after = listed(&e, 3);
    for n in 16..=19 {
        assert!(
            !after.contains(&hub(n)),
            "hub {n} lacks the prerequisite: {after:?}"
        );
    }
    assert!(
        after.contains(&hub(1)),
        "set X model is not named: {after:?}"
    );
    let why = e
        .state()
        .explain(&cust("SUP-D"), &camp(C1), hub(16), t(3))
        .unwrap();
    assert!(!why.upgradeable);
    assert_eq!(
        why.blockers,
        vec![Blocker::PrerequisiteMissing {
            version: fw("2.0"),
            device: HanDeviceKind::Esme,
            model: "EM-B2".into(),
            has: "4.0".into(),
            needs: "4.10".into(),
        }]
    );
    assert!(why.sentences[0].contains("4.10"), "{}", why.sentences[0]);
    // Versions compare as numbers: 4.9 is below 4.10 (string order would say above).
    change_esme(&mut e, 16, "4.9", 4);
    assert!(!listed(&e, 4).contains(&hub(16)));
    change_esme(&mut e, 16, "4.10", 4);
    assert!(listed(&e, 4).contains(&hub(16)));
    assert!(
        e.state()
            .explain(&cust("SUP-D"), &camp(C1), hub(16), t(4))
            .unwrap()
            .upgradeable
    );
    // Lifting the prerequisites offers the rest again.
    ok(&mut e, &csp(), t(5), set_prerequisites(vec![]));
    assert_eq!(listed(&e, 5), before);
    // Replay from the log decides the same.
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
}

#[test]
fn a_prerequisite_without_a_model_holds_every_model_of_the_kind() {
    let mut e = rolling(Default::default());
    ok(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(vec![esme_at_least(None, "99")]),
    );
    let why = e
        .state()
        .explain(&Actor::Dcc, &camp(C1), hub(1), t(3))
        .unwrap();
    assert_eq!(why.blockers[0].kind(), "prerequisite_missing");
    assert!(listed(&e, 3).is_empty());
}

#[test]
fn prerequisites_are_registered_with_the_version_too() {
    let mut e = fixture();
    ok(
        &mut e,
        &csp(),
        t(1),
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(NORTH),
            version: fw("3.0"),
            upgrades_from: vec![fw("2.0")],
            prerequisites: vec![esme_at_least(Some("EM-A1"), "3.2")],
        }),
    );
    let event = e.events().unwrap().last().unwrap().clone();
    let json = serde_json::to_value(&event.payload).unwrap();
    assert_eq!(json["prerequisites"][0]["min_firmware"], "3.2");
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
}

#[test]
fn every_refused_prerequisite_changes_nothing() {
    let mut e = rolling(Default::default());
    let good = vec![esme_at_least(Some("EM-B2"), "4.10")];
    // Wrong actor: only the CSP of the variant's region.
    for actor in [Actor::Dcc, Actor::Csp(Region::South), cust("SUP-A")] {
        refused(
            &mut e,
            &actor,
            t(3),
            set_prerequisites(good.clone()),
            ErrorKind::NotPermitted,
        );
    }
    // Unknown firmware or variant.
    let unknown = Command::SetFirmwarePrerequisites(SetFirmwarePrerequisites {
        variant: vid(NORTH),
        version: fw("9.9"),
        prerequisites: good.clone(),
    });
    refused(&mut e, &csp(), t(3), unknown, ErrorKind::NotFound);
    // Malformed: not a version, twice for one model, too many.
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(vec![esme_at_least(None, "4 10")]),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "prerequisites[0].min_firmware");
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(vec![esme_at_least(None, "1"), esme_at_least(None, "2")]),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "prerequisites[1]");
    let many = (0..33)
        .map(|i| esme_at_least(Some(&format!("M{i}")), "1"))
        .collect();
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(many),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "prerequisites");
    // The same list again is no change.
    ok(&mut e, &csp(), t(3), set_prerequisites(good.clone()));
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        set_prerequisites(good),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(rule_of(&err), Rule::NoChange);
}
