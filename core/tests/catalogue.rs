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
    // Customer testing is closed by the DCC: a customer gives feedback, it does not close it.
    refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        gate(Gate::CustomerTested, Some("ok")),
        ErrorKind::NotPermitted,
    );
    // No customer has hubs here to test on: the DCC closes it only with its reason.
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        gate(Gate::CustomerTested, None),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "note");
    assert!(
        err.to_string()
            .contains("no customer has given testing feedback on 2.0"),
        "{err}"
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        gate(
            Gate::CustomerTested,
            Some("no volunteer; DCC reference rigs clean"),
        ),
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
    assert_eq!(versions[0].gates[2].by, Some(Actor::Dcc));
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

/// Decision 24: each customer with hubs of the variant gives its feedback once a testing round;
/// the DCC closes `customer_tested` on it (with its reason over issues); each party sees what it
/// may of the feedback; a withdrawal reopens testing.
#[test]
fn customer_testing_is_given_per_customer_and_closed_by_the_dcc() {
    use commshub_ota::catalogue::TestResult;
    use commshub_ota::command::{RecordTestFeedback, WithdrawGate};
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(NORTH),
            version: fw("3.0"),
            upgrades_from: vec![fw("2.0")],
            prerequisites: Vec::new(),
        }),
    );
    let gate = |g: Gate, note: Option<&str>| {
        Command::RecordGate(RecordGate {
            variant: vid(NORTH),
            version: fw("3.0"),
            gate: g,
            note: note.map(String::from),
        })
    };
    let feedback = |result: TestResult, text: &str| {
        Command::RecordTestFeedback(RecordTestFeedback {
            variant: vid(NORTH),
            version: fw("3.0"),
            result,
            feedback: text.into(),
        })
    };
    let passed = feedback(TestResult::Passed, "40 rigs, no HAN issues");
    ok(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        gate(Gate::CspApproved, None),
    );
    // Before the DCC's testing: not yet.
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        passed.clone(),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        err.to_string()
            .contains("dcc_test_approved is not recorded yet"),
        "{err}"
    );
    ok(&mut e, &Actor::Dcc, t(2), gate(Gate::DccTestApproved, None));
    // Not a customer, or a customer with no hub of the variant (SUP-C supplies the south).
    for actor in [Actor::Dcc, Actor::Csp(Region::North)] {
        refused(
            &mut e,
            &actor,
            t(2),
            passed.clone(),
            ErrorKind::NotPermitted,
        );
    }
    let err = refused(
        &mut e,
        &cust("SUP-C"),
        t(2),
        passed.clone(),
        ErrorKind::NotPermitted,
    );
    assert!(
        err.to_string()
            .contains("SUP-C supplies no hub of variant CH-N-DB"),
        "{err}"
    );
    // Unknown version, blank and oversized feedback.
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(2),
        Command::RecordTestFeedback(RecordTestFeedback {
            variant: vid(NORTH),
            version: fw("9.9"),
            result: TestResult::Passed,
            feedback: "x".into(),
        }),
        ErrorKind::NotFound,
    );
    assert!(err.to_string().contains("CH-N-DB@9.9"), "{err}");
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(2),
        feedback(TestResult::Passed, "  "),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "feedback");
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(2),
        feedback(TestResult::Passed, &"x".repeat(100_000)),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "feedback");
    // Each customer once; several customers.
    ok(&mut e, &cust("SUP-A"), t(2), passed.clone());
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(2),
        passed.clone(),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        err.to_string()
            .contains("SUP-A gave its feedback in this testing round"),
        "{err}"
    );
    ok(
        &mut e,
        &cust("SUP-B"),
        t(3),
        feedback(TestResult::IssuesFound, "IHD drops pairing"),
    );
    // Over SUP-B's issues the DCC needs its reason; the refusal names who found them.
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        gate(Gate::CustomerTested, None),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "note");
    assert!(
        err.to_string().contains("SUP-B found issues testing 3.0"),
        "{err}"
    );
    // Who sees what: the DCC every customer named, the CSP every result unnamed, a customer its own.
    let seen = |e: &Engine, a: &Actor| {
        e.state().firmware_versions(a, &vid(NORTH)).unwrap()[3]
            .test_feedback
            .iter()
            .map(|t| (t.customer.clone(), t.result, t.current))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        seen(&e, &Actor::Dcc),
        vec![
            (Some(cid("SUP-A")), TestResult::Passed, true),
            (Some(cid("SUP-B")), TestResult::IssuesFound, true)
        ]
    );
    assert_eq!(
        seen(&e, &Actor::Csp(Region::North)),
        vec![
            (None, TestResult::Passed, true),
            (None, TestResult::IssuesFound, true)
        ]
    );
    assert_eq!(
        seen(&e, &cust("SUP-B")),
        vec![(Some(cid("SUP-B")), TestResult::IssuesFound, true)]
    );
    assert_eq!(seen(&e, &cust("SUP-C")), vec![]);
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        gate(
            Gate::CustomerTested,
            Some("IHD pairing fixed in IHD 1.1, not the hub"),
        ),
    );
    // Closed: no more feedback this round.
    refused(
        &mut e,
        &cust("SUP-B"),
        t(3),
        passed.clone(),
        ErrorKind::PreconditionFailed,
    );
    // The DCC takes its gate back: a new round, SUP-A may test again; the old round is kept.
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::WithdrawGate(WithdrawGate {
            variant: vid(NORTH),
            version: fw("3.0"),
            gate: Gate::CustomerTested,
            reason: "new IHD firmware to retest with".into(),
        }),
    );
    ok(&mut e, &cust("SUP-A"), t(4), passed.clone());
    let dcc = e
        .state()
        .firmware_versions(&Actor::Dcc, &vid(NORTH))
        .unwrap()[3]
        .clone();
    assert_eq!(
        dcc.test_feedback
            .iter()
            .map(|t| (t.round, t.current))
            .collect::<Vec<_>>(),
        vec![(0, false), (0, false), (1, true)]
    );
    // This round's evidence is SUP-A's pass alone; the DCC still says so (every party reads
    // the note, and a bare closing would tell the others that someone tested).
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        gate(Gate::CustomerTested, None),
        ErrorKind::InvalidInput,
    );
    assert!(
        err.to_string()
            .contains("with a note saying on what evidence"),
        "{err}"
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        gate(Gate::CustomerTested, Some("passed on retest")),
    );
}

/// A `customer_tested` a customer recorded (as builds before per-customer testing did) is
/// still read from a log that predates it, and refused in one that has used it.
#[test]
fn a_customer_recorded_testing_gate_is_read_only_from_a_log_before_per_customer_testing() {
    use commshub_ota::event::GateRecorded;
    let legacy = |e: &Engine, version: &str| commshub_ota::Event {
        seq: e.state().last_seq() + 1,
        at: t(2),
        actor: cust("SUP-A"),
        payload: commshub_ota::EventPayload::GateRecorded(GateRecorded {
            variant: vid(NORTH),
            version: fw(version),
            gate: Gate::CustomerTested,
            note: Some("tested: fine".into()),
        }),
        act: None,
    };
    let register = |e: &mut Engine, version: &str| {
        ok(
            e,
            &Actor::Csp(Region::North),
            t(1),
            Command::RegisterFirmware(RegisterFirmware {
                variant: vid(NORTH),
                version: fw(version),
                upgrades_from: vec![],
                prerequisites: Vec::new(),
            }),
        );
        ok(
            e,
            &Actor::Csp(Region::North),
            t(1),
            gate_of(version, Gate::CspApproved, None),
        );
        ok(
            e,
            &Actor::Dcc,
            t(1),
            gate_of(version, Gate::DccTestApproved, None),
        );
    };
    // A log that has never used per-customer testing.
    let mut old = Engine::new();
    ok(
        &mut old,
        &Actor::Dcc,
        t(0),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
    );
    register(&mut old, "3.0");
    // As the old rule had it, only with the customer's feedback as its note.
    let mut bare = legacy(&old, "3.0");
    if let commshub_ota::EventPayload::GateRecorded(g) = &mut bare.payload {
        g.note = None;
    }
    let err = old.apply_event(bare).unwrap_err();
    assert!(
        err.to_string().contains("needs the customer's feedback"),
        "{err}"
    );
    // A DCC closing refused (out of order: 3.1 has no DCC testing yet) leaves the log as it was.
    ok(
        &mut old,
        &Actor::Csp(Region::North),
        t(1),
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(NORTH),
            version: fw("3.1"),
            upgrades_from: vec![],
            prerequisites: Vec::new(),
        }),
    );
    let early = commshub_ota::Event {
        actor: Actor::Dcc,
        ..legacy(&old, "3.1")
    };
    assert!(old.apply_event(early).is_err());
    let event = legacy(&old, "3.0");
    old.apply_event(event).unwrap();
    let v = old
        .state()
        .firmware_versions(&Actor::Dcc, &vid(NORTH))
        .unwrap();
    assert_eq!(v[0].gates[2].by, Some(cust("SUP-A")));
    // The fixture's log has: the same event is refused, naming why.
    let mut e = fixture();
    register(&mut e, "3.0");
    let event = legacy(&e, "3.0");
    let err = e.apply_event(event).unwrap_err();
    assert!(err.to_string().contains("only the DCC records it"), "{err}");
}

fn gate_of(version: &str, g: Gate, note: Option<&str>) -> Command {
    Command::RecordGate(RecordGate {
        variant: vid(NORTH),
        version: fw(version),
        gate: g,
        note: note.map(String::from),
    })
}
