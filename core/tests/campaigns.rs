mod common;

use common::*;
use commshub_ota::campaigns::CampaignChange;
use commshub_ota::command::*;
use commshub_ota::*;

fn create(id: &str, target: &str) -> Command {
    Command::CreateCampaign(CreateCampaign {
        campaign: camp(id),
        variant: vid(NORTH),
        target: fw(target),
        cutoff: t(60),
        policy: Default::default(),
    })
}

fn with_campaign() -> Engine {
    let mut e = fixture();
    ok(&mut e, &Actor::Dcc, t(1), create("C1", "2.0"));
    e
}

#[test]
fn dcc_creates_a_campaign_for_a_version_on_the_production_cpl() {
    let mut e = fixture();
    for actor in [Actor::Csp(Region::North), cust("SUP-A")] {
        refused(
            &mut e,
            &actor,
            t(1),
            create("C1", "2.0"),
            ErrorKind::NotPermitted,
        );
    }
    // Registered but not through its gates.
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
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        create("C1", "3.0"),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(rule_of(&err), Rule::NotOnProductionCpl);
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        create("C1", "9.9"),
        ErrorKind::NotFound,
    );
    let unknown_variant = Command::CreateCampaign(CreateCampaign {
        campaign: camp("C1"),
        variant: vid("NOPE"),
        target: fw("2.0"),
        cutoff: t(60),
        policy: Default::default(),
    });
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        unknown_variant,
        ErrorKind::NotFound,
    );
    let past_cutoff = Command::CreateCampaign(CreateCampaign {
        campaign: camp("C1"),
        variant: vid(NORTH),
        target: fw("2.0"),
        cutoff: t(1),
        policy: Default::default(),
    });
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        past_cutoff,
        ErrorKind::InvalidInput,
    );
    ok(&mut e, &Actor::Dcc, t(1), create("C1", "2.0"));
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        create("C1", "2.0"),
        ErrorKind::AlreadyExists,
    );
    let view = e.state().campaign(&Actor::Dcc, &camp("C1")).unwrap();
    assert_eq!(
        (view.phase, view.target.as_str(), view.region),
        (Phase::Draft, "2.0", Region::North)
    );
}

#[test]
fn suspend_and_resume_return_to_the_phase_left() {
    let mut e = with_campaign();
    let c = || camp("C1");
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa(GrantPilotOa { campaign: c() }),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: c(),
            reason: " ".into(),
        }),
        ErrorKind::InvalidInput,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: c(),
            reason: "HAN drop-outs".into(),
        }),
    );
    let v = e.state().campaign(&Actor::Dcc, &c()).unwrap();
    assert_eq!(
        (v.phase, v.resume_to),
        (Phase::Suspended, Some(Phase::Pilot))
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: c(),
            override_reason: None,
        }),
        ErrorKind::IllegalTransition,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: c(),
            reason: "again".into(),
        }),
        ErrorKind::IllegalTransition,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ResumeCampaign(ResumeCampaign { campaign: c() }),
    );
    let v = e.state().campaign(&Actor::Dcc, &c()).unwrap();
    assert_eq!((v.phase, v.resume_to), (Phase::Pilot, None));
    // The default assessment period (14 days from the pilot's start on day 2) still runs.
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(15),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: c(),
            override_reason: None,
        }),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        err.to_string()
            .contains("the assessment period, which ends 2026-01-17 09:00:00 UTC"),
        "{err}"
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(16),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: c(),
            override_reason: None,
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(17),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: c(),
            reason: "threshold".into(),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(18),
        Command::ResumeCampaign(ResumeCampaign { campaign: c() }),
    );
    assert_eq!(
        e.state().campaign(&Actor::Dcc, &c()).unwrap().phase,
        Phase::MassRollout
    );
}

#[test]
fn cancel_from_any_live_phase_with_a_reason() {
    for steps in 0..3 {
        let mut e = with_campaign();
        let c = || camp("C1");
        if steps >= 1 {
            ok(
                &mut e,
                &Actor::Dcc,
                t(2),
                Command::GrantPilotOa(GrantPilotOa { campaign: c() }),
            );
        }
        if steps >= 2 {
            ok(
                &mut e,
                &Actor::Dcc,
                t(2),
                Command::SuspendCampaign(SuspendCampaign {
                    campaign: c(),
                    reason: "pause".into(),
                }),
            );
        }
        refused(
            &mut e,
            &Actor::Dcc,
            t(3),
            Command::CancelCampaign(CancelCampaign {
                campaign: c(),
                reason: "".into(),
            }),
            ErrorKind::InvalidInput,
        );
        ok(
            &mut e,
            &Actor::Dcc,
            t(3),
            Command::CancelCampaign(CancelCampaign {
                campaign: c(),
                reason: "superseded by 2.1".into(),
            }),
        );
        refused(
            &mut e,
            &Actor::Dcc,
            t(4),
            Command::ResumeCampaign(ResumeCampaign { campaign: c() }),
            ErrorKind::IllegalTransition,
        );
        assert_eq!(
            e.state().campaign(&Actor::Dcc, &c()).unwrap().phase,
            Phase::Cancelled
        );
    }
}

#[test]
fn dcc_extends_one_customers_cutoff() {
    let mut e = with_campaign();
    let ext = |who: &str, until| {
        Command::ExtendCutoff(ExtendCutoff {
            campaign: camp("C1"),
            customer: cid(who),
            until,
        })
    };
    refused(
        &mut e,
        &cust("SUP-A"),
        t(2),
        ext("SUP-A", t(90)),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        ext("NOBODY", t(90)),
        ErrorKind::NotFound,
    );
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        ext("SUP-A", t(60)),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(rule_of(&err), Rule::CutoffNotLater);
    ok(&mut e, &Actor::Dcc, t(2), ext("SUP-A", t(90)));
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        ext("SUP-A", t(80)),
        ErrorKind::PreconditionFailed,
    );

    // Each customer sees its own cut-off only; the CSP sees no customer names.
    let a = e.state().campaign(&cust("SUP-A"), &camp("C1")).unwrap();
    assert_eq!((a.cutoffs.len(), a.cutoffs[0].until), (1, t(90)));
    let b = e.state().campaign(&cust("SUP-B"), &camp("C1")).unwrap();
    assert_eq!(b.cutoffs[0].until, t(60));
    assert!(
        b.history
            .iter()
            .all(|h| !matches!(h.change, CampaignChange::CutoffExtended { .. })),
        "SUP-B must not see SUP-A's extension"
    );
    let csp = e
        .state()
        .campaign(&Actor::Csp(Region::North), &camp("C1"))
        .unwrap();
    assert!(csp.cutoffs.is_empty());
    assert!(csp
        .history
        .iter()
        .all(|h| !matches!(h.change, CampaignChange::CutoffExtended { .. })));
    let dcc = e.state().campaign(&Actor::Dcc, &camp("C1")).unwrap();
    assert_eq!(dcc.cutoffs[0].customer, cid("SUP-A"));
    // Other regions' CSPs do not see the campaign at all.
    assert_eq!(
        e.state()
            .campaign(&Actor::Csp(Region::South), &camp("C1"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert!(e.state().campaigns(&Actor::Csp(Region::South)).is_empty());

    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::CancelCampaign(CancelCampaign {
            campaign: camp("C1"),
            reason: "stop".into(),
        }),
    );
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        ext("SUP-B", t(100)),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        matches!(
            err,
            Error::PreconditionFailed {
                rule: Rule::CampaignClosed,
                ..
            }
        ),
        "{err}"
    );
}
