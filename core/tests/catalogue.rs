mod common;

use common::*;
use commshub_ota::catalogue::Gate;
use commshub_ota::command::*;
use commshub_ota::*;

#[test]
fn dcc_registers_variants_and_nobody_else() {
    let mut e = Engine::new();
    for actor in [Actor::Csp(Region::North), cust("SUP-A")] {
        let err = refused(
            &mut e,
            &actor,
            t(0),
            Command::RegisterVariant(RegisterVariant {
                variant: variant(NORTH, Region::North),
            }),
            ErrorKind::NotPermitted,
        );
        assert!(
            err.to_string().contains("register variant CH-N-DB"),
            "{err}"
        );
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
        ErrorKind::AlreadyExists,
    );
    let mut blank = variant("OTHER", Region::North);
    blank.manufacturer = " ".into();
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant { variant: blank }),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "variant.manufacturer");
}

#[test]
fn only_the_regions_csp_registers_firmware() {
    let mut e = Engine::new();
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
    );
    let reg = |v: &str, from: &[&str]| {
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(NORTH),
            version: fw(v),
            upgrades_from: from.iter().map(|f| fw(f)).collect(),
            prerequisites: Vec::new(),
        })
    };
    for actor in [Actor::Dcc, Actor::Csp(Region::South), cust("SUP-A")] {
        let err = refused(
            &mut e,
            &actor,
            t(0),
            reg("1.0", &[]),
            ErrorKind::NotPermitted,
        );
        assert!(err.to_string().contains("north"), "{err}");
    }
    let unknown = Command::RegisterFirmware(RegisterFirmware {
        variant: vid("NOPE"),
        version: fw("1.0"),
        upgrades_from: vec![],
        prerequisites: Vec::new(),
    });
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        unknown,
        ErrorKind::NotFound,
    );
    ok(&mut e, &Actor::Csp(Region::North), t(0), reg("1.0", &[]));
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        reg("1.0", &[]),
        ErrorKind::AlreadyExists,
    );
    let err = refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        reg("1.1", &["1.1"]),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(rule_of(&err), Rule::Pathway);
    let err = refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        reg("1.1", &["0.9"]),
        ErrorKind::NotFound,
    );
    assert!(
        matches!(&err, Error::NotFound { entity: Entity::Firmware, id } if id == "CH-N-DB@0.9"),
        "{err}"
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        reg("1.1", &["1.0", "1.0"]),
        ErrorKind::InvalidInput,
    );
    ok(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        reg("1.1", &["1.0"]),
    );
}

#[test]
fn gates_are_recorded_in_order_by_their_actor() {
    let mut e = Engine::new();
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
    );
    ok(
        &mut e,
        &Actor::Csp(Region::North),
        t(0),
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(NORTH),
            version: fw("2.0"),
            upgrades_from: vec![],
            prerequisites: Vec::new(),
        }),
    );
    let gate = |g: Gate, note: Option<&str>| {
        Command::RecordGate(RecordGate {
            variant: vid(NORTH),
            version: fw("2.0"),
            gate: g,
            note: note.map(String::from),
        })
    };
    // Out of order: DCC testing before the CSP's approval.
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        gate(Gate::DccTestApproved, None),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        err.to_string()
            .contains("csp_approved must be recorded before dcc_test_approved"),
        "{err}"
    );
    // Wrong actors for the CSP's gate.
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        gate(Gate::CspApproved, None),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Csp(Region::Central),
        t(1),
        gate(Gate::CspApproved, None),
        ErrorKind::NotPermitted,
    );
    ok(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        gate(Gate::CspApproved, None),
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        gate(Gate::CspApproved, None),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(2),
        gate(Gate::DccTestApproved, None),
        ErrorKind::NotPermitted,
    );
    ok(&mut e, &Actor::Dcc, t(2), gate(Gate::DccTestApproved, None));
    // Customer testing: a customer, with feedback.
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        gate(Gate::CustomerTested, Some("ok")),
        ErrorKind::NotPermitted,
    );
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        gate(Gate::CustomerTested, None),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "note");
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        gate(Gate::CustomerTested, Some("no HAN issues on 40 test rigs")),
    );
    for g in [
        Gate::ProductionProvingVerified,
        Gate::OperationalApproval,
        Gate::ProductionCpl,
    ] {
        refused(
            &mut e,
            &cust("SUP-A"),
            t(4),
            gate(g, None),
            ErrorKind::NotPermitted,
        );
        ok(&mut e, &Actor::Dcc, t(4), gate(g, None));
    }
    let versions = e
        .state()
        .firmware_versions(&Actor::Dcc, &vid(NORTH))
        .unwrap();
    assert!(versions[0].on_production_cpl);
    assert_eq!(
        versions[0].gates.iter().map(|g| g.gate).collect::<Vec<_>>(),
        Gate::ALL
    );
    assert_eq!(versions[0].gates[2].by, Some(cust("SUP-A")));
}

#[test]
fn a_listed_shortcut_is_preferred_to_the_long_way() {
    let mut e = fixture();
    ready_firmware(&mut e, NORTH, Region::North, "3.0", &["2.0", "1.0"], t(1));
    let route = e
        .state()
        .upgrade_route(&Actor::Dcc, &vid(NORTH), &fw("1.0"), &fw("3.0"))
        .unwrap();
    assert_eq!(route, vec![fw("3.0")]);
}
