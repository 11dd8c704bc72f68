//! Pilots, split-supply consent, cut-offs, the CSP's upgrade list, explain (issue 4, core).

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::eligibility::{Blocker, Party};
use commshub_ota::event::*;
use commshub_ota::notices::NotificationKind;
use commshub_ota::*;
use std::collections::BTreeSet;

const C1: &str = "C1";

/// The common fixture plus: hub 5 north 1.1 SUP-C only; hub 6 north 1.1 split (SUP-A
/// electricity, SUP-C gas); hub 7 north 1.0 SUP-A; hub 8 north 1.1 SUP-D. Campaign C1 to 2.0,
/// cut-off day 60, pilot cap 3, assessment 7 days, in Pilot from day 2.
fn piloting() -> Engine {
    let mut e = fixture();
    let hubs = vec![
        row(5, NORTH, "1.1", Some("SUP-C"), None),
        row(6, NORTH, "1.1", Some("SUP-A"), Some("SUP-C")),
        row(7, NORTH, "1.0", Some("SUP-A"), None),
        row(8, NORTH, "1.1", Some("SUP-D"), None),
    ];
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs }),
    );
    let policy = CampaignPolicy {
        pilot_cap_per_customer: Some(3),
        min_assessment_days: 7,
        ..CampaignPolicy::default()
    };
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp(C1),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy,
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa(GrantPilotOa { campaign: camp(C1) }),
    );
    e
}

fn nominate(hubs: &[u64]) -> Command {
    Command::NominateHubs(NominateHubs {
        campaign: camp(C1),
        hubs: hubs.iter().map(|&n| hub(n)).collect(),
    })
}

fn list(e: &Engine, day: i64) -> Vec<(HubId, String)> {
    e.state()
        .upgrade_list(&Actor::Csp(Region::North), Region::North, t(day), 0, 1000)
        .unwrap()
        .entries
        .into_iter()
        .map(|x| (x.hub, x.next_version.to_string()))
        .collect()
}

fn blockers(e: &Engine, actor: &Actor, n: u64, day: i64) -> Vec<Blocker> {
    e.state()
        .explain(actor, &camp(C1), hub(n), t(day))
        .unwrap()
        .blockers
}

#[test]
fn nominations_take_eligible_hubs_and_refuse_the_rest_with_reasons() {
    let mut e = piloting();
    // SUP-A supplies 1, 2 (electricity), 6 (electricity), 7; hub 5 is SUP-C's.
    let events = ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1, 2, 5, 7, 7, 99]));
    let EventPayload::HubsNominated(HubsNominated {
        hubs,
        refused: not_taken,
        ..
    }) = &events[0].payload
    else {
        panic!()
    };
    assert_eq!(hubs, &vec![hub(1), hub(7)]);
    let why: Vec<(HubId, &str)> = not_taken
        .iter()
        .map(|r| (r.hub, r.reason.as_str()))
        .collect();
    assert_eq!(why[0].0, hub(2));
    assert!(why[0].1.contains("vulnerable or high risk"), "{why:?}");
    assert!(
        !why[0].1.contains("SUP-B"),
        "the other supplier is not named"
    );
    assert_eq!(why[1], (hub(5), "not one of your hubs"));
    // Hub 7, listed twice, is taken once and refused nothing: repetition costs nothing twice.
    assert_eq!(
        why[2],
        (hub(99), "not one of your hubs"),
        "an unknown hub reads like another's"
    );
    assert_eq!(why.len(), 3);
    // Every hub refused: the command is refused whole, naming each.
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        nominate(&[1, 5]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("already nominated"), "{err}");
    // The cap of 3 per customer.
    let events = ok(&mut e, &cust("SUP-A"), t(3), nominate(&[6]));
    assert!(
        matches!(&events[0].payload, EventPayload::HubsNominated(HubsNominated { hubs, .. }) if hubs == &vec![hub(6)])
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::InstallHub(InstallHub {
            hub: Box::new(row(9, NORTH, "1.1", Some("SUP-A"), None)),
        }),
    );
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        nominate(&[9]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("pilot cap of 3"), "{err}");
}

#[test]
fn nomination_refusals_name_the_hubs_problem() {
    let mut e = piloting();
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::InstallHub(InstallHub {
            hub: Box::new(row(10, SOUTH, "1.0", Some("SUP-B"), None)),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::InstallHub(InstallHub {
            hub: Box::new(row(11, NORTH, "2.0", Some("SUP-B"), None)),
        }),
    );
    let err = refused(
        &mut e,
        &cust("SUP-B"),
        t(3),
        nominate(&[3, 10, 11]),
        ErrorKind::BulkRejected,
    );
    let Error::BulkRejected { rows } = err else {
        panic!()
    };
    assert!(
        rows[0].reason.contains("installed_not_commissioned"),
        "{rows:?}"
    );
    assert!(rows[1].reason.contains("CH-S-SB hub"), "{rows:?}");
    assert!(
        rows[2].reason.contains("already runs the target"),
        "{rows:?}"
    );
    refused(
        &mut e,
        &cust("SUP-B"),
        t(3),
        nominate(&[]),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        nominate(&[1]),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(3),
        nominate(&[1]),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("NOBODY"),
        t(3),
        nominate(&[1]),
        ErrorKind::NotFound,
    );
    let other = Command::NominateHubs(NominateHubs {
        campaign: camp("NOPE"),
        hubs: vec![hub(1)],
    });
    refused(&mut e, &cust("SUP-A"), t(3), other, ErrorKind::NotFound);
}

#[test]
fn nominations_only_during_the_pilot() {
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp(C1),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }),
    );
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        nominate(&[1]),
        ErrorKind::PreconditionFailed,
    );
    assert!(matches!(
        err,
        Error::PreconditionFailed {
            rule: Rule::CampaignPhase,
            ..
        }
    ));
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa(GrantPilotOa { campaign: camp(C1) }),
    );
    // Straight to mass rollout: within the default 14 days' assessment only by override.
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: Some("a one-hub variant: nothing to pilot".into()),
        }),
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        nominate(&[1]),
        ErrorKind::PreconditionFailed,
    );
}

#[test]
fn cut_off_takeover_and_its_extension() {
    let mut e = piloting();
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: Some("no pilot volunteers".into()),
        }),
    );
    // Before the cut-off nobody consented; after it the CSP takes over undecided hubs.
    assert!(list(&e, 59).is_empty());
    let after: Vec<HubId> = list(&e, 60).into_iter().map(|(h, _)| h).collect();
    assert_eq!(
        after,
        vec![hub(1), hub(2), hub(5), hub(6), hub(7), hub(8)],
        "hub 3 is not commissioned"
    );
    // The DCC extends SUP-C's cut-off: its hubs (5, and 6's gas role) wait again.
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ExtendCutoff(ExtendCutoff {
            campaign: camp(C1),
            customer: cid("SUP-C"),
            until: t(90),
        }),
    );
    let after: Vec<HubId> = list(&e, 60).into_iter().map(|(h, _)| h).collect();
    assert_eq!(after, vec![hub(1), hub(2), hub(7), hub(8)]);
    assert_eq!(
        blockers(&e, &cust("SUP-C"), 5, 60),
        vec![Blocker::AwaitingConsent {
            role: SupplyRole::Import,
            by: Party::You,
            cutoff: Some(t(90)),
        }]
    );
    // SUP-C is told of its extension; nobody else is.
    let told = |who: &str| {
        e.notifications(&cust(who), 100)
            .unwrap()
            .notifications
            .into_iter()
            .filter(|n| matches!(n.kind, NotificationKind::CutoffExtended { .. }))
            .count()
    };
    assert_eq!((told("SUP-C"), told("SUP-A")), (1, 0));
    // After its cut-off, hub 1 is upgradeable because SUP-A's cut-off passed, which explain
    // says, not as if SUP-A had consented; before it, explain gives the cut-off's date.
    let x = e
        .state()
        .explain(&cust("SUP-A"), &camp(C1), hub(1), t(60))
        .unwrap();
    assert!(x.upgradeable);
    assert_eq!(x.taken_over_at_cutoff, vec![SupplyRole::Import]);
    let before = e
        .state()
        .explain(&cust("SUP-A"), &camp(C1), hub(1), t(59))
        .unwrap();
    assert!(before.taken_over_at_cutoff.is_empty());
    assert!(
        before.sentences[0].contains(&t(60).to_string()),
        "{before:?}"
    );
}

#[test]
fn whole_estate_approval_can_be_withdrawn() {
    let mut e = piloting();
    let approve = Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) });
    let withdraw =
        Command::WithdrawWholeEstateApproval(WithdrawWholeEstateApproval { campaign: camp(C1) });
    refused(
        &mut e,
        &cust("SUP-D"),
        t(3),
        withdraw.clone(),
        ErrorKind::PreconditionFailed,
    );
    ok(&mut e, &cust("SUP-D"), t(3), approve.clone());
    refused(
        &mut e,
        &cust("SUP-D"),
        t(3),
        approve,
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(list(&e, 3), vec![(hub(8), "2.0".into())]);
    ok(&mut e, &cust("SUP-D"), t(4), withdraw);
    assert!(list(&e, 4).is_empty());
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
        ErrorKind::NotPermitted,
    );
}

#[test]
fn a_change_of_supplier_voids_that_roles_consent() {
    let mut e = piloting();
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[7]));
    assert_eq!(list(&e, 3), vec![(hub(7), "1.1".into())]);
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(7),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-D")),
            flags: ConsumerFlags::default(),
        }),
    );
    assert!(
        list(&e, 4).is_empty(),
        "SUP-A's nomination went with its role"
    );
    assert_eq!(
        blockers(&e, &cust("SUP-D"), 7, 4),
        vec![
            Blocker::NotInPilot,
            Blocker::AwaitingConsent {
                role: SupplyRole::Import,
                by: Party::You,
                cutoff: Some(t(60)),
            }
        ]
    );
    // Withdrawing a nomination.
    ok(&mut e, &cust("SUP-A"), t(4), nominate(&[1]));
    let w = Command::WithdrawNominations(WithdrawNominations {
        campaign: camp(C1),
        hubs: vec![hub(1)],
    });
    ok(&mut e, &cust("SUP-A"), t(4), w.clone());
    refused(&mut e, &cust("SUP-A"), t(4), w, ErrorKind::BulkRejected);
}

#[test]
fn mass_rollout_oa_waits_for_the_pilots_assessment() {
    let mut e = piloting();
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1]));
    ok(&mut e, &cust("SUP-C"), t(3), nominate(&[5]));
    let oa = |r: Option<&str>| {
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: r.map(String::from),
        })
    };
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(5),
        oa(None),
        ErrorKind::PreconditionFailed,
    );
    let text = err.to_string();
    assert!(
        text.contains("assessment period") && text.contains("SUP-A") && text.contains("SUP-C"),
        "{text}"
    );
    let verdict = |v| {
        Command::RecordPilotVerdict(RecordPilotVerdict {
            campaign: camp(C1),
            verdict: v,
        })
    };
    refused(
        &mut e,
        &cust("SUP-D"),
        t(6),
        verdict(PilotVerdict::Success),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(6),
        verdict(PilotVerdict::IssuesFound { text: "".into() }),
        ErrorKind::InvalidInput,
    );
    ok(&mut e, &cust("SUP-A"), t(6), verdict(PilotVerdict::Success));
    ok(
        &mut e,
        &cust("SUP-C"),
        t(6),
        verdict(PilotVerdict::IssuesFound {
            text: "IHD-Y reconnects slowly".into(),
        }),
    );
    // Verdicts in, period not over (pilot began day 2, 7 days).
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(8),
        oa(None),
        ErrorKind::PreconditionFailed,
    );
    assert!(!err.to_string().contains("SUP-A"), "{err}");
    // Period over; SUP-C found issues: only the DCC's override reason passes them (decision 24).
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(9),
        oa(None),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        err.to_string().contains("issues SUP-C found")
            && err.to_string().contains("IHD-Y reconnects slowly")
            && !err.to_string().contains("assessment period"),
        "{err}"
    );
    let events = ok(&mut e, &Actor::Dcc, t(9), oa(Some("fixed in 2.0.1")));
    assert!(matches!(
        &events[0].payload,
        EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
            to: Phase::MassRollout,
            reason: Some(r),
            ..
        }) if r == "override: fixed in 2.0.1"
    ));
    // Verdicts are the pilot's: not taken in mass rollout.
    refused(
        &mut e,
        &cust("SUP-A"),
        t(10),
        verdict(PilotVerdict::Success),
        ErrorKind::PreconditionFailed,
    );
}

#[test]
fn a_participants_cut_off_stands_in_for_its_verdict() {
    let mut e = piloting();
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1]));
    refused(
        &mut e,
        &Actor::Dcc,
        t(30),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: None,
        }),
        ErrorKind::PreconditionFailed,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(60),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: None,
        }),
    );
}

#[test]
fn explain_and_the_upgrade_list_are_scoped() {
    let mut e = piloting();
    assert_eq!(
        e.state()
            .explain(&cust("SUP-C"), &camp(C1), hub(1), t(3))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.state()
            .explain(&Actor::Csp(Region::South), &camp(C1), hub(1), t(3))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let s = e.state();
    assert_eq!(
        s.upgrade_list(&Actor::Csp(Region::South), Region::North, t(3), 0, 10)
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        s.upgrade_list(&cust("SUP-A"), Region::North, t(3), 0, 10)
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        s.upgrade_list(&Actor::Dcc, Region::North, t(3), 0, 0)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    // Not commissioned, wrong variant, suspended: each a typed blocker.
    assert!(
        blockers(&e, &Actor::Dcc, 3, 3).contains(&Blocker::NotCommissioned {
            status: SmiStatus::InstalledNotCommissioned
        })
    );
    assert_eq!(blockers(&e, &Actor::Dcc, 4, 3), vec![Blocker::WrongVariant]);
    assert!(blockers(&e, &Actor::Dcc, 2, 3).contains(&Blocker::VulnerableInPilot));
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: camp(C1),
            reason: "pause".into(),
        }),
    );
    assert_eq!(
        blockers(&e, &Actor::Dcc, 1, 3)[0],
        Blocker::CampaignSuspended
    );
    // Paging.
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ResumeCampaign(ResumeCampaign { campaign: camp(C1) }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: Some("x".into()),
        }),
    );
    let all = e
        .state()
        .upgrade_list(&Actor::Dcc, Region::North, t(61), 0, 100)
        .unwrap();
    let second = e
        .state()
        .upgrade_list(&Actor::Dcc, Region::North, t(61), 2, 2)
        .unwrap();
    assert_eq!((second.total, second.offset), (all.total, 2));
    assert_eq!(second.entries, all.entries[2..4].to_vec());
}

#[test]
fn participation_replays_to_the_same_state() {
    let mut e = piloting();
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1, 6]));
    ok(
        &mut e,
        &cust("SUP-C"),
        t(3),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
    );
    ok(
        &mut e,
        &cust("SUP-B"),
        t(3),
        Command::RejectHubs(RejectHubs {
            campaign: camp(C1),
            hubs: vec![hub(3)],
            reason: "later".into(),
        }),
    );
    ok(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::RecordPilotVerdict(RecordPilotVerdict {
            campaign: camp(C1),
            verdict: PilotVerdict::Success,
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(5),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(6),
            role: SupplyRole::Gas,
            supplier: Some(cid("SUP-D")),
            flags: ConsumerFlags::default(),
        }),
    );
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
    assert_eq!(list(&replayed, 5), list(&e, 5));
}

#[test]
fn pilot_proposals_spread_over_sets_and_prefer_super_friendly_premises() {
    let mut e = piloting();
    // SUP-A's candidates: hubs 1 and 6 share a configuration set (1.1, ESME, GSME, IHD); hub 7
    // (1.0, no gas) is another; hub 2 is vulnerable and never proposed.
    let propose = |e: &Engine, n: u32, seed: u64| {
        e.state()
            .propose_pilot(&cust("SUP-A"), &camp(C1), n, seed, t(5))
            .unwrap()
            .hubs
    };
    let two = propose(&e, 2, 1);
    assert_eq!(two.len(), 2);
    assert!(two.contains(&hub(7)), "every set represented: {two:?}");
    assert_eq!(propose(&e, 2, 1), two, "same input and seed, same answer");
    // Hub 6 is split supply: until SUP-C consents, the pilot could not take it.
    let mut all = propose(&e, 10, 1);
    all.sort();
    assert_eq!(
        all,
        vec![hub(1), hub(7)],
        "never a hub the pilot cannot take"
    );
    ok(
        &mut e,
        &cust("SUP-C"),
        t(3),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
    );
    let mut all = propose(&e, 10, 1);
    all.sort();
    assert_eq!(
        all,
        vec![hub(1), hub(6), hub(7)],
        "capped by what can be nominated (and the cap of 3)"
    );
    // Super-friendly first.
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::SetConsumerFlags(SetConsumerFlags {
            hub: hub(6),
            role: SupplyRole::Import,
            flags: ConsumerFlags {
                super_friendly: true,
                ..Default::default()
            },
        }),
    );
    for seed in 0..8 {
        let one_each = propose(&e, 2, seed);
        assert!(
            one_each.contains(&hub(6)) && one_each.contains(&hub(7)),
            "seed {seed}: {one_each:?}"
        );
    }
    // Proposals respect the pilot cap already used, and are the proposer's own.
    let two = propose(&e, 2, 1);
    assert!(two.contains(&hub(6)) && two.contains(&hub(7)), "{two:?}");
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1, 6]));
    assert_eq!(propose(&e, 5, 1), vec![hub(7)]);
    assert_eq!(
        e.state()
            .propose_pilot(&Actor::Dcc, &camp(C1), 2, 1, t(5))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        e.state()
            .propose_pilot(&cust("SUP-A"), &camp(C1), 0, 1, t(5))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

/// Issue 11, 1.2: 31 super-friendly candidates and 40 slots take every super-friendly hub
/// (one set's only candidate among them), spread over sets, then 9 others; held, halted and
/// defect-suspended hubs are never proposed.
#[test]
fn pilot_proposals_take_super_friendly_premises_first_overall_and_only_takeable_hubs() {
    let mut e = fixture();
    let esme = |m: &str| Some(HanDevice::new(m, "1.0"));
    let mut hubs = Vec::new();
    for n in 0..60u64 {
        let mut r = row(100 + n, NORTH, "1.1", Some("SUP-F"), None);
        // Sets: 30 friendly over M1/M2/M3, one friendly alone on M4, 29 others on M5,
        // 10 on M6 (held by SUP-F), 10 on M7 (halted by the DCC) and 10 on M8 (suspended).
        let (model, friendly) = match n {
            0..=29 => (["EM-M1", "EM-M2", "EM-M3"][(n % 3) as usize], true),
            30 => ("EM-M4", true),
            _ => ("EM-M5", false),
        };
        r.devices.esme = esme(model);
        r.import_flags.super_friendly = friendly;
        hubs.push(r);
    }
    for (n, model) in (0..30u64).map(|n| (200 + n, ["EM-M6", "EM-M7", "EM-M8"][(n / 10) as usize]))
    {
        let mut r = row(n, NORTH, "1.1", Some("SUP-F"), None);
        r.devices.esme = esme(model);
        r.import_flags.super_friendly = true;
        hubs.push(r);
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::LoadEstate(LoadEstate { hubs }),
    );
    piloting_campaign(&mut e, (t(1), t(2)), t(60), CampaignPolicy::default());
    let set_of = |e: &Engine, n: u64| {
        e.state()
            .hub(&Actor::Dcc, hub(n))
            .unwrap()
            .configuration_set
    };
    let (held, halted, flagged) = (set_of(&e, 200), set_of(&e, 210), set_of(&e, 220));
    ok(
        &mut e,
        &cust("SUP-F"),
        t(2),
        Command::HaltUpgrades(HaltUpgrades {
            campaign: camp(C1),
            set: Some(held),
            reason: "our own checks".into(),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::HaltUpgrades(HaltUpgrades {
            campaign: camp(C1),
            set: Some(halted),
            reason: "triage".into(),
        }),
    );
    ok(
        &mut e,
        &cust("SUP-F"),
        t(2),
        Command::FlagDefect(FlagDefect {
            subject: commshub_ota::defects::DefectSubject::ConfigurationSet { set: flagged },
            text: "IHD pairing".into(),
            named: false,
            suspend_own: true,
        }),
    );
    let chosen = e
        .state()
        .propose_pilot(&cust("SUP-F"), &camp(C1), 40, 7, t(5))
        .unwrap()
        .hubs;
    assert_eq!(chosen.len(), 40);
    let friendly: Vec<HubId> = (100..=130).map(hub).collect();
    assert!(
        friendly.iter().all(|h| chosen.contains(h)),
        "every super-friendly candidate, the lone one on M4 included: {chosen:?}"
    );
    assert_eq!(chosen.iter().filter(|h| !friendly.contains(h)).count(), 9);
    assert!(
        chosen.iter().all(|h| *h < hub(200)),
        "no held, halted or suspended hub: {chosen:?}"
    );
    // Fewer slots than super-friendly candidates: all friendly, spread over their sets.
    let ten = e
        .state()
        .propose_pilot(&cust("SUP-F"), &camp(C1), 10, 7, t(5))
        .unwrap()
        .hubs;
    assert!(ten.iter().all(|h| friendly.contains(h)), "{ten:?}");
    assert!(
        ten.contains(&hub(130)),
        "the lone set M4 is represented: {ten:?}"
    );
}

/// Issue 26: after the super-friendly hubs, a proposal reaches first the sets they left out,
/// so a pilot tests as many of the supplier's configuration sets as its size allows.
#[test]
fn a_pilot_proposal_covers_as_many_sets_as_its_size_allows() {
    let mut e = fixture();
    let mut hubs = Vec::new();
    let mut n = 1_000u64;
    let mut push = |model: String, friendly: bool, hubs: &mut Vec<HubRow>| {
        let mut r = row(n, NORTH, "1.1", Some("SUP-F"), None);
        r.devices.esme = Some(HanDevice::new(model, "1.0"));
        r.import_flags.super_friendly = friendly;
        hubs.push(r);
        n += 1;
    };
    // Five large sets (2 super-friendly hubs and 20 others each), 45 small ones (2 hubs each).
    for big in 0..5 {
        for k in 0..22 {
            push(format!("EM-B{big}"), k < 2, &mut hubs);
        }
    }
    for small in 0..45 {
        for _ in 0..2 {
            push(format!("EM-S{small:02}"), false, &mut hubs);
        }
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::LoadEstate(LoadEstate { hubs }),
    );
    piloting_campaign(&mut e, (t(1), t(2)), t(60), CampaignPolicy::default());
    let chosen = e
        .state()
        .propose_pilot(&cust("SUP-F"), &camp(C1), 40, 7, t(5))
        .unwrap()
        .hubs;
    assert_eq!(chosen.len(), 40);
    let sets: BTreeSet<String> = chosen
        .iter()
        .map(|h| {
            let set = e.state().hub(&Actor::Dcc, *h).unwrap().configuration_set;
            set.devices.esme.unwrap().model
        })
        .collect();
    // 10 super-friendly hubs on the 5 large sets, then 30 hubs on 30 sets they left out.
    assert_eq!(sets.len(), 35, "{sets:?}");
    assert_eq!(sets.iter().filter(|m| m.starts_with("EM-B")).count(), 5);
    // The answer says so, weighed by hubs: 5 x 22 + 30 x 2 of the 200 candidates.
    let proposal = e
        .state()
        .propose_pilot(&cust("SUP-F"), &camp(C1), 40, 7, t(5))
        .unwrap();
    assert_eq!(
        (proposal.sets, proposal.sets_covered, proposal.coverage_bp),
        (50, 35, 8_500)
    );
}

#[test]
fn participation_views_show_a_customer_its_own_hubs_only() {
    let mut e = piloting();
    ok(&mut e, &cust("SUP-A"), t(3), nominate(&[1]));
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::RejectHubs(RejectHubs {
            campaign: camp(C1),
            hubs: vec![hub(7)],
            reason: "site access".into(),
        }),
    );
    ok(
        &mut e,
        &cust("SUP-C"),
        t(3),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
    );
    let a = e
        .state()
        .participation(&cust("SUP-A"), &camp(C1), &cid("SUP-A"), t(3))
        .unwrap();
    assert_eq!(
        (a.hubs, a.upgradeable_now),
        (4, 1),
        "hubs 1, 2, 6, 7; only 1 goes now"
    );
    assert_eq!(
        (a.nominated.clone(), a.rejected.clone()),
        (vec![hub(1)], vec![hub(7)])
    );
    assert_eq!(
        a.other_supplier_consented,
        vec![hub(6)],
        "SUP-C approved its whole estate; it is not named"
    );
    assert!(!a.whole_estate_approved && !a.cutoff_passed);
    let c = e
        .state()
        .participation(&cust("SUP-C"), &camp(C1), &cid("SUP-C"), t(3))
        .unwrap();
    assert!(c.whole_estate_approved && c.nominated.is_empty());
    assert_eq!(
        e.state()
            .participation(&cust("SUP-A"), &camp(C1), &cid("SUP-C"), t(3))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        e.state()
            .participation(&Actor::Csp(Region::North), &camp(C1), &cid("SUP-C"), t(3))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    let all = e
        .state()
        .participations(&Actor::Dcc, &camp(C1), t(3))
        .unwrap();
    assert_eq!(
        all.iter().map(|p| p.customer.as_str()).collect::<Vec<_>>(),
        vec!["SUP-A", "SUP-B", "SUP-C", "SUP-D"]
    );
    assert_eq!(
        e.state()
            .participations(&cust("SUP-A"), &camp(C1), t(3))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
}

/// docs/domain.md decision 13: a proposal is evaluated at the time the caller gives, so what others do
/// later (which moves the log's clock past SUP-A's cut-off) changes nothing SUP-A reads. It
/// once read the last event's time: SUP-C's gas consent on the split hub 6 then counted as
/// taken over, and hub 6 appeared in SUP-A's proposal because of an act that was not its own.
#[test]
fn a_pilot_proposal_does_not_move_when_others_act_later() {
    let quiet = piloting();
    let mut busy = piloting();
    let variant = commshub_ota::catalogue::Variant {
        id: "CH-S-XX".parse().unwrap(),
        manufacturer: "Acme".into(),
        model: "CH3".into(),
        hardware_version: "A".into(),
        han_band: commshub_ota::catalogue::HanBand::SingleBand,
        region: Region::South,
    };
    ok(
        &mut busy,
        &Actor::Dcc,
        t(61),
        RegisterVariant {
            variant: Box::new(variant),
        }
        .into(),
    );
    let propose = |e: &Engine, at| {
        e.state()
            .propose_pilot(&cust("SUP-A"), &camp(C1), 10, 1, at)
            .unwrap()
            .hubs
    };
    assert_eq!(propose(&quiet, t(3)), propose(&busy, t(3)));
    // And time does matter to a proposal: after the cut-off, hub 6 is SUP-A's to propose.
    assert!(!propose(&quiet, t(3)).contains(&hub(6)));
    assert!(propose(&quiet, t(61)).contains(&hub(6)));
}
