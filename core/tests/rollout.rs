//! Upgrade outcomes, health reports, automatic and manual halts, pacing, defect flags,
//! notifications and status views (issue 5, core).

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::defects::DefectSubject;
use commshub_ota::eligibility::{Blocker, Party};
use commshub_ota::estate::ConfigurationSet;
use commshub_ota::event::*;
use commshub_ota::notices::NotificationKind;
use commshub_ota::rollout::{
    Blackout, HaltPolicy, HanHealth, HealthReport, Outcome, OutcomeReport, Pacing, ReadBackReport,
    UpgradeState,
};
use commshub_ota::*;

fn firmware_of(e: &Engine, n: u64) -> String {
    e.state()
        .hub(&Actor::Dcc, hub(n))
        .unwrap()
        .firmware
        .to_string()
}

fn blockers(e: &Engine, actor: &Actor, n: u64, day: i64) -> Vec<Blocker> {
    e.state()
        .explain(actor, &camp(C1), hub(n), t(day))
        .unwrap()
        .blockers
}

fn listed(e: &Engine, day: i64) -> Vec<HubId> {
    e.state()
        .upgrade_list(&csp(), Region::North, t(day), 0, 1000)
        .unwrap()
        .entries
        .into_iter()
        .map(|x| x.hub)
        .collect()
}

fn set_of(e: &Engine, n: u64) -> ConfigurationSet {
    e.state()
        .hub(&Actor::Dcc, hub(n))
        .unwrap()
        .configuration_set
}

fn inbox(e: &Engine, actor: &Actor) -> Vec<NotificationKind> {
    e.notifications(actor, 10_000)
        .unwrap()
        .notifications
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

fn halt_policy(percent: f64, min: i32) -> CampaignPolicy {
    CampaignPolicy {
        halt: Some(HaltPolicy {
            failure_threshold_percent: percent,
            min_outcomes: min,
        }),
        ..CampaignPolicy::default()
    }
}

#[test]
fn only_an_activation_confirmed_by_read_back_changes_the_firmware() {
    let mut e = rolling(CampaignPolicy::default());
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)[..3]));
    assert_eq!(firmware_of(&e, 10), "1.1", "activated but not read back");
    assert_eq!(
        blockers(&e, &Actor::Dcc, 10, 3),
        vec![Blocker::UpgradeInFlight {
            state: UpgradeState::Activated
        }]
    );
    ok(&mut e, &csp(), t(3), report(&[(10, read_back("2.0"))]));
    assert_eq!(firmware_of(&e, 10), "2.0");
    assert_eq!(
        blockers(&e, &Actor::Dcc, 10, 3),
        vec![Blocker::AlreadyOnTarget]
    );
    // A read-back of another version fails the attempt and leaves the firmware alone.
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(11)[..3]));
    ok(&mut e, &csp(), t(3), report(&[(11, read_back("1.1"))]));
    assert_eq!(firmware_of(&e, 11), "1.1");
    assert!(
        listed(&e, 3).contains(&hub(11)),
        "a failed hub may be retried"
    );
}

#[test]
fn a_hub_two_steps_behind_is_upgraded_step_by_step() {
    let mut e = rolling(CampaignPolicy::default());
    // Hub 1 (SUP-A, 1.1) and hub 7-like: load one on 1.0.
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::InstallHub(InstallHub {
            hub: Box::new(row(21, NORTH, "1.0", Some("SUP-A"), None)),
        }),
    );
    let mut rows = upgrade_rows(21);
    rows[3] = (21, read_back("1.1"));
    ok(&mut e, &csp(), t(3), report(&rows));
    assert_eq!(firmware_of(&e, 21), "1.1");
    // The next step in the same report is refused; in a later one it is taken.
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        report(&[(21, Outcome::Dispatched), (21, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("already in flight"), "{err}");
    ok(&mut e, &csp(), t(4), report(&upgrade_rows(21)));
    assert_eq!(firmware_of(&e, 21), "2.0");
}

#[test]
fn outcomes_out_of_order_or_for_hubs_not_dispatched_are_refused_whole() {
    let mut e = rolling(CampaignPolicy::default());
    let cases: Vec<(Vec<(u64, Outcome)>, &str)> = vec![
        (vec![(10, Outcome::Delivered)], "never dispatched"),
        (
            vec![(10, Outcome::Dispatched), (10, Outcome::Activated)],
            "out of order",
        ),
        (
            vec![(10, Outcome::Dispatched), (10, Outcome::Dispatched)],
            "already in flight",
        ),
        (
            vec![(10, Outcome::Dispatched), (10, read_back("2.0"))],
            "out of order",
        ),
        (vec![(99, Outcome::Dispatched)], "not found"),
        // Hub 4 is the south region's: to the north CSP it does not exist.
        (
            vec![(4, Outcome::Dispatched)],
            "hub 00-00-00-00-00-00-00-04: not found",
        ),
        (vec![(3, Outcome::Dispatched)], "not commissioned"),
        (vec![(2, Outcome::Dispatched)], "vulnerable"),
        (
            vec![
                (10, Outcome::Dispatched),
                (10, Outcome::Delivered),
                (10, Outcome::Activated),
                (10, read_back("9.9")),
            ],
            "not a version",
        ),
    ];
    for (rows, says) in cases {
        let err = refused(&mut e, &csp(), t(3), report(&rows), ErrorKind::BulkRejected);
        assert!(err.to_string().contains(says), "{rows:?}: {err}");
    }
    // Every bad row is listed, the good ones too are not applied.
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        report(&[
            (10, Outcome::Dispatched),
            (98, Outcome::Dispatched),
            (11, Outcome::Activated),
        ]),
        ErrorKind::BulkRejected,
    );
    let Error::BulkRejected { rows } = err else {
        panic!()
    };
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 2]);
    refused(&mut e, &csp(), t(3), report(&[]), ErrorKind::InvalidInput);
    let unknown = Command::ReportOutcomes(ReportOutcomes {
        campaign: camp("C9"),
        outcomes: vec![],
    });
    refused(&mut e, &csp(), t(3), unknown, ErrorKind::NotFound);
}

#[test]
fn only_the_csp_of_the_hubs_region_reports_outcomes() {
    let mut e = rolling(CampaignPolicy::default());
    for actor in [Actor::Dcc, cust("SUP-A")] {
        let err = refused(
            &mut e,
            &actor,
            t(3),
            report(&[(10, Outcome::Dispatched)]),
            ErrorKind::NotPermitted,
        );
        assert!(err.to_string().contains("CSP"), "{err}");
    }
    // To another region's CSP the campaign does not exist: not even its region is said.
    let err = refused(
        &mut e,
        &Actor::Csp(Region::South),
        t(3),
        report(&[(10, Outcome::Dispatched)]),
        ErrorKind::NotFound,
    );
    assert!(!err.to_string().contains("north"), "{err}");
}

#[test]
fn retries_stop_at_the_campaigns_limit() {
    let mut e = rolling(CampaignPolicy {
        max_attempts: 2,
        ..CampaignPolicy::default()
    });
    ok(&mut e, &csp(), t(3), report(&fail_rows(10)));
    ok(&mut e, &csp(), t(3), report(&fail_rows(10)));
    assert_eq!(
        blockers(&e, &Actor::Dcc, 10, 3),
        vec![Blocker::AttemptsExhausted { attempts: 2 }]
    );
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        report(&[(10, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("failed 2 attempts"), "{err}");
    assert!(!listed(&e, 3).contains(&hub(10)));
}

#[test]
fn consent_is_withdrawable_until_dispatch() {
    let mut e = rolling(CampaignPolicy::default());
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs(NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(10), hub(11)],
        }),
    );
    ok(&mut e, &csp(), t(3), report(&[(10, Outcome::Dispatched)]));
    let events = ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::WithdrawNominations(WithdrawNominations {
            campaign: camp(C1),
            hubs: vec![hub(10), hub(11)],
        }),
    );
    let EventPayload::NominationsWithdrawn(NominationsWithdrawn {
        hubs,
        refused: not_taken,
        ..
    }) = &events[0].payload
    else {
        panic!()
    };
    assert_eq!(hubs, &vec![hub(11)]);
    assert!(not_taken[0].reason.contains("dispatched"));
    ok(&mut e, &csp(), t(3), report(&[(12, Outcome::Dispatched)]));
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::RejectHubs(RejectHubs {
            campaign: camp(C1),
            hubs: vec![hub(12)],
            reason: "no".into(),
        }),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("in flight"), "{err}");
}

#[test]
fn a_suppliers_bad_health_report_counts_as_a_failure_and_reaches_dcc_and_csp() {
    let mut e = rolling(halt_policy(40.0, 2));
    ok(
        &mut e,
        &csp(),
        t(3),
        report(&[upgrade_rows(10), upgrade_rows(11)].concat()),
    );
    let bad = HealthReport {
        hub: hub(10),
        health: HanHealth::DeviceLostContact {
            device: HanDeviceKind::Ihd,
        },
        happened_at: None,
    };
    let health = |reports: Vec<HealthReport>| {
        Command::ReportHanHealth(ReportHanHealth {
            campaign: camp(C1),
            reports,
        })
    };
    // Not its hub; a hub not upgraded; a device the hub lacks.
    let err = refused(
        &mut e,
        &cust("SUP-D"),
        t(4),
        health(vec![bad.clone()]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("not one of your hubs"));
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        health(vec![HealthReport {
            hub: hub(12),
            health: HanHealth::AllFine,
            happened_at: None,
        }]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("not been upgraded"));
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        health(vec![HealthReport {
            hub: hub(11),
            health: HanHealth::DeviceMisbehaves {
                device: HanDeviceKind::Gsme,
                text: None,
            },
            happened_at: None,
        }]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("no GSME"));
    refused(
        &mut e,
        &csp(),
        t(4),
        health(vec![bad.clone()]),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        health(vec![]),
        ErrorKind::InvalidInput,
    );
    // One bad report of two outcomes: 50% > 40% over 2 outcomes halts the campaign.
    let events = ok(&mut e, &cust("SUP-A"), t(4), health(vec![bad.clone()]));
    let types: Vec<_> = events.iter().map(|e| e.payload.type_name()).collect();
    assert_eq!(
        types,
        vec![
            "han_health_reported",
            "configuration_set_halted",
            "campaign_phase_changed"
        ]
    );
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        health(vec![bad]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("already reported"));
    for actor in [Actor::Dcc, csp()] {
        let issues: Vec<_> = inbox(&e, &actor)
            .into_iter()
            .filter_map(|n| match n {
                NotificationKind::HanHealthIssue { hub, customer, .. } => Some((hub, customer)),
                _ => None,
            })
            .collect();
        let named = (actor == Actor::Dcc).then(|| cid("SUP-A"));
        assert_eq!(issues, vec![(hub(10), named)], "{actor}");
    }
    let status = e.state().pilot_status(&Actor::Dcc, &camp(C1)).unwrap();
    assert_eq!(status.total.health_issues, 1);
}

#[test]
fn failures_on_one_configuration_set_halt_it_while_the_other_continues() {
    let mut e = rolling(halt_policy(50.0, 3));
    // Set X: hubs 10, 11 fail, 12 succeeds (2 of 3: 67%). Set Y: 16-18 succeed.
    // Campaign: 2 of 6 (33%) stays under.
    let rows = [
        fail_rows(10),
        fail_rows(11),
        upgrade_rows(12),
        upgrade_rows(16),
        upgrade_rows(17),
        upgrade_rows(18),
    ]
    .concat();
    let events = ok(&mut e, &csp(), t(3), report(&rows));
    let EventPayload::ConfigurationSetHalted(ConfigurationSetHalted {
        set,
        figures: Some(f),
        reason,
        ..
    }) = &events[1].payload
    else {
        panic!("{events:?}")
    };
    assert_eq!(set, &set_of(&e, 13));
    assert_eq!((f.outcomes, f.failures), (3, 2));
    assert!(reason.contains("2 of 3"), "{reason}");
    assert_eq!(events.len(), 2, "the campaign goes on");
    assert!(matches!(
        blockers(&e, &csp(), 13, 3)[..],
        [Blocker::ConfigurationSetHalted { .. }]
    ));
    assert_eq!(
        e.state().campaign(&Actor::Dcc, &camp(C1)).unwrap().phase,
        Phase::Pilot
    );
    // Set Y's last hub is still offered; none of set X (hub 15 is SUP-D's, on set X too).
    let list = listed(&e, 3);
    assert!(!list.contains(&hub(13)) && !list.contains(&hub(15)));
    assert!(list.contains(&hub(19)));
    // The affected customers and the DCC were told; a customer with no hub on it was not.
    assert!(inbox(&e, &cust("SUP-A"))
        .iter()
        .any(|n| matches!(n, NotificationKind::ConfigurationSetHalted { .. })));
    assert!(inbox(&e, &Actor::Dcc).iter().any(|n| matches!(
        n,
        NotificationKind::ConfigurationSetHalted {
            figures: Some(_),
            ..
        }
    )));
    assert!(!inbox(&e, &cust("SUP-E"))
        .iter()
        .any(|n| matches!(n, NotificationKind::ConfigurationSetHalted { .. })));
    // Only the DCC resumes it.
    let set_x = set_of(&e, 13);
    let resume = Command::ResumeUpgrades(ResumeUpgrades {
        campaign: camp(C1),
        set: Some(set_x),
    });
    refused(
        &mut e,
        &csp(),
        t(4),
        resume.clone(),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        resume.clone(),
        ErrorKind::PreconditionFailed,
    );
    ok(&mut e, &Actor::Dcc, t(4), resume.clone());
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        resume,
        ErrorKind::PreconditionFailed,
    );
    assert!(listed(&e, 4).contains(&hub(13)));
}

#[test]
fn failures_across_the_campaign_suspend_it_until_the_dcc_resumes() {
    let mut e = rolling(halt_policy(25.0, 4));
    let rows = [
        fail_rows(10),
        upgrade_rows(11),
        fail_rows(16),
        upgrade_rows(17),
    ]
    .concat();
    let events = ok(&mut e, &csp(), t(3), report(&rows));
    let last = &events.last().unwrap().payload;
    let EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
        to: Phase::Suspended,
        figures: Some(f),
        ..
    }) = last
    else {
        panic!("{events:?}")
    };
    assert_eq!((f.outcomes, f.failures), (4, 2));
    assert!(listed(&e, 3).is_empty());
    // In-flight upgrades still report while suspended.
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ResumeCampaign(ResumeCampaign { campaign: camp(C1) }),
    );
    // The window restarted: one more failure of one outcome is under the minimum sample.
    let events = ok(&mut e, &csp(), t(4), report(&fail_rows(12)));
    assert_eq!(events.len(), 1);
}

#[test]
fn dcc_halts_a_set_and_a_customer_holds_only_its_own_hubs() {
    let mut e = rolling(CampaignPolicy::default());
    let halt = |set, reason: &str| {
        Command::HaltUpgrades(HaltUpgrades {
            campaign: camp(C1),
            set,
            reason: reason.into(),
        })
    };
    let set_y = set_of(&e, 16);
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        halt(None, "x"),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        halt(Some(set_y.clone()), " "),
        ErrorKind::InvalidInput,
    );
    // The CSP pauses its own dispatches with this command (decision 23); nobody else may.
    refused(
        &mut e,
        &Actor::System,
        t(3),
        halt(Some(set_y.clone()), "x"),
        ErrorKind::NotPermitted,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        halt(Some(set_y.clone()), "triage"),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        halt(Some(set_y.clone()), "again"),
        ErrorKind::PreconditionFailed,
    );
    let south = e
        .state()
        .hub(&Actor::Dcc, hub(4))
        .unwrap()
        .configuration_set;
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        halt(Some(south), "x"),
        ErrorKind::PreconditionFailed,
    );
    assert!(matches!(
        err,
        Error::PreconditionFailed {
            rule: Rule::WrongVariant,
            ..
        }
    ));
    assert!(!listed(&e, 3).contains(&hub(16)));
    // SUP-A holds all its hubs: its own and the split hub 20 stop; SUP-D's do not.
    ok(&mut e, &cust("SUP-A"), t(3), halt(None, "our own checks"));
    refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        halt(None, "again"),
        ErrorKind::PreconditionFailed,
    );
    let list = listed(&e, 3);
    assert!(!list.contains(&hub(10)) && !list.contains(&hub(20)) && list.contains(&hub(15)));
    // A set SUP-E has no hub on is not found for it.
    refused(
        &mut e,
        &cust("SUP-E"),
        t(3),
        halt(Some(set_y.clone()), "x"),
        ErrorKind::NotFound,
    );
    // The other supplier of hub 20 learns a supplier holds it, not who or why.
    assert_eq!(
        blockers(&e, &cust("SUP-E"), 20, 3),
        vec![
            Blocker::AwaitingConsent {
                role: SupplyRole::Gas,
                by: Party::You,
                cutoff: Some(t(60)),
            },
            Blocker::HeldBySupplier {
                by: Party::OtherSupplier,
                reason: None
            }
        ]
    );
    assert_eq!(
        blockers(&e, &cust("SUP-A"), 20, 3),
        vec![
            Blocker::AwaitingConsent {
                role: SupplyRole::Gas,
                by: Party::OtherSupplier,
                cutoff: None,
            },
            Blocker::HeldBySupplier {
                by: Party::You,
                reason: Some("our own checks".into())
            }
        ]
    );
    let resume = Command::ResumeUpgrades(ResumeUpgrades {
        campaign: camp(C1),
        set: None,
    });
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        resume.clone(),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &cust("SUP-D"),
        t(4),
        resume.clone(),
        ErrorKind::PreconditionFailed,
    );
    ok(&mut e, &cust("SUP-A"), t(4), resume);
    assert!(listed(&e, 4).contains(&hub(10)));
    assert!(inbox(&e, &Actor::Dcc).iter().any(|n| matches!(
        n,
        NotificationKind::SupplierHold {
            customer: Some(_),
            placed: true,
            ..
        }
    )));
    assert!(inbox(&e, &csp()).iter().any(|n| matches!(
        n,
        NotificationKind::SupplierHold {
            customer: None,
            reason: None,
            ..
        }
    )));
}

#[test]
fn pacing_caps_the_list_per_day_ramps_after_good_days_and_keeps_blackouts() {
    let pacing = Pacing {
        daily_cap: Some(2),
        ramp_factor: 2.0,
        blackouts: vec![Blackout::Weekly {
            day: rollout::pacing::Weekday::Sunday,
            from_hour: 0,
            to_hour: 24,
        }],
    };
    let mut e = rolling(CampaignPolicy {
        pacing: Some(pacing),
        ..halt_policy(70.0, 1)
    });
    // t(3) is 2026-01-04, a Sunday: a blackout.
    assert_eq!(t(3).date_naive(), date(2026, 1, 4));
    assert!(listed(&e, 3).is_empty());
    assert!(blockers(&e, &csp(), 10, 3).contains(&Blocker::Blackout));
    refused(
        &mut e,
        &csp(),
        t(3),
        report(&[(10, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    // Monday: 2 offered, the rest held back; a third dispatch is over the cap.
    let page = e
        .state()
        .upgrade_list(&csp(), Region::North, t(4), 0, 100)
        .unwrap();
    assert_eq!((page.total, page.entries.len()), (2, 2));
    assert_eq!(page.held_back_by_pacing, 9);
    let err = refused(
        &mut e,
        &csp(),
        t(4),
        report(&[
            (10, Outcome::Dispatched),
            (11, Outcome::Dispatched),
            (12, Outcome::Dispatched),
        ]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("cap of 2"), "{err}");
    ok(
        &mut e,
        &csp(),
        t(4),
        report(&[upgrade_rows(10), upgrade_rows(11)].concat()),
    );
    assert!(blockers(&e, &csp(), 12, 4).contains(&Blocker::DailyCapReached { cap: 2 }));
    assert!(listed(&e, 4).is_empty());
    // Tuesday: Monday stayed under the threshold, so the cap doubles.
    assert_eq!(listed(&e, 5).len(), 4);
    ok(
        &mut e,
        &csp(),
        t(5),
        report(
            &[
                fail_rows(12),
                fail_rows(13),
                upgrade_rows(14),
                upgrade_rows(16),
            ]
            .concat(),
        ),
    );
    // Wednesday: Tuesday's 50% is under 70%, so the cap is 8: all seven left are offered
    // (hubs 1, 15, 17-19, and 12 and 13 for a second attempt).
    let page = e
        .state()
        .upgrade_list(&csp(), Region::North, t(6), 0, 100)
        .unwrap();
    assert_eq!((page.total, page.held_back_by_pacing), (7, 0));
    // Wednesday fails 3 of 3 (100%): Thursday's cap stays 8 (see the pacing unit tests),
    // offering the 7 left.
    ok(
        &mut e,
        &csp(),
        t(6),
        report(&[fail_rows(15), fail_rows(17), fail_rows(18)].concat()),
    );
    let page = e
        .state()
        .upgrade_list(&csp(), Region::North, t(7), 0, 100)
        .unwrap();
    assert_eq!(page.total, 7);
    assert!(blockers(&e, &csp(), 1, 7).is_empty());
}

#[test]
fn a_defect_flag_suspends_the_flaggers_hubs_only_and_reaches_everyone_on_it() {
    let mut e = rolling(CampaignPolicy::default());
    let set_x = set_of(&e, 10);
    let flag = Command::FlagDefect(FlagDefect {
        subject: DefectSubject::ConfigurationSet { set: set_x.clone() },
        text: "IHD loses pairing after upgrade; in triage".into(),
        named: false,
        suspend_own: true,
    });
    refused(&mut e, &csp(), t(3), flag.clone(), ErrorKind::NotPermitted);
    // SUP-E has no hub on set X: the set is not found for it.
    refused(
        &mut e,
        &cust("SUP-E"),
        t(3),
        flag.clone(),
        ErrorKind::NotFound,
    );
    let blank = Command::FlagDefect(FlagDefect {
        subject: DefectSubject::ConfigurationSet { set: set_x.clone() },
        text: " ".into(),
        named: false,
        suspend_own: false,
    });
    refused(&mut e, &cust("SUP-A"), t(3), blank, ErrorKind::InvalidInput);
    let events = ok(&mut e, &cust("SUP-A"), t(3), flag.clone());
    let EventPayload::DefectFlagged(DefectFlagged { flag: id, .. }) = events[0].payload else {
        panic!("{events:?}")
    };
    // The id is a digest of the flag, not a count of flags raised (by others, too).
    assert!(id > 1_000, "{id}");
    refused(&mut e, &cust("SUP-A"), t(3), flag, ErrorKind::AlreadyExists);
    let list = listed(&e, 3);
    assert!(!list.contains(&hub(10)), "SUP-A's hubs on X are suspended");
    assert!(list.contains(&hub(15)), "SUP-D's hub on X is not");
    assert_eq!(
        blockers(&e, &cust("SUP-A"), 10, 3),
        vec![Blocker::SuspendedByDefectFlag {
            by: Party::You,
            flag: Some(id)
        }]
    );
    // The CSP learns the hub is held under a supplier's flag, not which flag: the id, joined
    // with the flag it sees (named or not), would tie the hub to its supplier.
    assert_eq!(
        blockers(&e, &Actor::Csp(commshub_ota::Region::North), 10, 3),
        vec![Blocker::SuspendedByDefectFlag {
            by: Party::Unnamed,
            flag: None
        }]
    );
    // SUP-D (on set X) sees the flag unsigned; SUP-E does not; the DCC sees who.
    let views = e.state().defect_flags(&cust("SUP-D")).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(
        (views[0].flagged_by.clone(), views[0].suspending),
        (None, None)
    );
    assert!(e.state().defect_flags(&cust("SUP-E")).unwrap().is_empty());
    assert_eq!(
        e.state().defect_flags(&Actor::Dcc).unwrap()[0].flagged_by,
        Some(cid("SUP-A"))
    );
    assert!(inbox(&e, &cust("SUP-D")).iter().any(|n| matches!(
        n,
        NotificationKind::DefectFlagged {
            flagged_by: None,
            ..
        }
    )));
    assert!(!inbox(&e, &cust("SUP-E"))
        .iter()
        .any(|n| matches!(n, NotificationKind::DefectFlagged { .. })));
    // Lifting is the flagger's; to anyone else the flag answers as one that does not exist,
    // exactly as an id nobody used.
    let others = refused(
        &mut e,
        &cust("SUP-D"),
        t(4),
        Command::LiftDefectSuspension(LiftDefectSuspension { flag: id }),
        ErrorKind::NotFound,
    );
    let unknown = refused(
        &mut e,
        &cust("SUP-D"),
        t(4),
        Command::LiftDefectSuspension(LiftDefectSuspension { flag: id + 1 }),
        ErrorKind::NotFound,
    );
    assert_eq!(
        others.to_string().replace(&id.to_string(), "N"),
        unknown.to_string().replace(&(id + 1).to_string(), "N")
    );
    ok(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::LiftDefectSuspension(LiftDefectSuspension { flag: id }),
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::LiftDefectSuspension(LiftDefectSuspension { flag: id }),
        ErrorKind::PreconditionFailed,
    );
    assert!(listed(&e, 4).contains(&hub(10)));
    // A signed flag on a firmware version names its flagger; unknown versions are not found.
    let signed = |v: &str| {
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::Firmware {
                variant: vid(NORTH),
                version: fw(v),
            },
            text: "watch the GPF".into(),
            named: true,
            suspend_own: false,
        })
    };
    refused(
        &mut e,
        &cust("SUP-D"),
        t(4),
        signed("9.9"),
        ErrorKind::NotFound,
    );
    ok(&mut e, &cust("SUP-D"), t(4), signed("2.0"));
    assert!(inbox(&e, &cust("SUP-E")).iter().any(|n| matches!(n, NotificationKind::DefectFlagged { flagged_by: Some(c), .. } if c == &cid("SUP-D"))));
}

#[test]
fn notifications_are_read_and_acknowledged_up_to_a_cursor() {
    let mut e = rolling(CampaignPolicy::default());
    // SUP-E was told the pilot began and that the other supplier of hub 20 consented.
    let page = e.notifications(&cust("SUP-E"), 1).unwrap();
    assert_eq!((page.acknowledged, page.notifications.len()), (0, 1));
    assert!(page.more > 0);
    let first = page.notifications[0].id;
    ok(
        &mut e,
        &cust("SUP-E"),
        t(3),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: first }),
    );
    let after = e.notifications(&cust("SUP-E"), 100).unwrap();
    assert_eq!(after.acknowledged, first);
    assert!(
        after.notifications.iter().all(|n| n.id > first),
        "delivered once"
    );
    assert_eq!(after.notifications.len(), 1);
    refused(
        &mut e,
        &cust("SUP-E"),
        t(3),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: first }),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &cust("SUP-E"),
        t(3),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 999 }),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &cust("NOBODY"),
        t(3),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }),
        ErrorKind::InvalidInput,
    );
    let err = e.notifications(&cust("SUP-A"), 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn split_supply_suppliers_each_hear_of_the_others_consent_unnamed() {
    let mut e = rolling(CampaignPolicy::default());
    // SUP-A approved its whole estate in the fixture: SUP-E hears of hub 20 only.
    let sup_e = inbox(&e, &cust("SUP-E"));
    let consents: Vec<_> = sup_e
        .iter()
        .filter_map(|n| match n {
            NotificationKind::OtherSupplierConsented { hubs, .. } => Some(hubs.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(consents, vec![vec![hub(20)]]);
    ok(
        &mut e,
        &cust("SUP-E"),
        t(3),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
    );
    let sup_a: Vec<_> = inbox(&e, &cust("SUP-A"))
        .into_iter()
        .filter(|n| matches!(n, NotificationKind::OtherSupplierConsented { .. }))
        .collect();
    assert_eq!(sup_a.len(), 1);
    let text = serde_json::to_string(&sup_a).unwrap();
    assert!(!text.contains("SUP-E"), "{text}");
}

#[test]
fn split_supply_suppliers_hear_of_the_others_withdrawal_and_rejection_unnamed() {
    let mut e = rolling(CampaignPolicy::default());
    // What SUP-E is told of hub 20, whose electricity SUP-A supplies: the latest only.
    let told = |e: &Engine| -> Vec<(String, Vec<HubId>)> {
        inbox(e, &cust("SUP-E"))
            .into_iter()
            .filter_map(|n| {
                let json = serde_json::to_value(&n).unwrap();
                let kind = json["type"].as_str().unwrap().to_string();
                match n {
                    NotificationKind::OtherSupplierConsented { hubs, .. }
                    | NotificationKind::OtherSupplierWithdrew { hubs, .. }
                    | NotificationKind::OtherSupplierRejected { hubs, .. } => Some((kind, hubs)),
                    _ => None,
                }
            })
            .collect()
    };
    assert_eq!(
        told(&e),
        vec![("other_supplier_consented".into(), vec![hub(20)])]
    );
    // A nomination withdrawn where the whole-estate approval still stands changes nothing.
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs(NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(20)],
        }),
    );
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::WithdrawNominations(WithdrawNominations {
            campaign: camp(C1),
            hubs: vec![hub(20)],
        }),
    );
    assert_eq!(
        told(&e),
        vec![("other_supplier_consented".into(), vec![hub(20)])]
    );
    // The approval withdrawn: SUP-A no longer consents; the unread consent notice gives way.
    ok(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::WithdrawWholeEstateApproval(WithdrawWholeEstateApproval { campaign: camp(C1) }),
    );
    assert_eq!(
        told(&e),
        vec![("other_supplier_withdrew".into(), vec![hub(20)])]
    );
    ok(
        &mut e,
        &cust("SUP-A"),
        t(5),
        Command::RejectHubs(RejectHubs {
            campaign: camp(C1),
            hubs: vec![hub(20)],
            reason: "meter exchange booked".into(),
        }),
    );
    assert_eq!(
        told(&e),
        vec![("other_supplier_rejected".into(), vec![hub(20)])]
    );
    // Neither who nor why.
    let text = serde_json::to_string(&inbox(&e, &cust("SUP-E"))).unwrap();
    assert!(
        !text.contains("SUP-A") && !text.contains("meter exchange"),
        "{text}"
    );
    // The same outboxes after a replay.
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert!(replayed.same_state_as(&e));
}

#[test]
fn cutoff_notices_come_once_each_and_again_after_an_extension() {
    let mut e = rolling(CampaignPolicy {
        cutoff_notice_days: 10,
        ..CampaignPolicy::default()
    });
    assert!(ok(
        &mut e,
        &Actor::Dcc,
        t(49),
        Command::CheckDeadlines(CheckDeadlines {})
    )
    .is_empty());
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(50),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let EventPayload::CutoffNoticesDue(CutoffNoticesDue {
        customers,
        reached: false,
        ..
    }) = &events[0].payload
    else {
        panic!()
    };
    assert_eq!(customers.len(), 4, "SUP-A, SUP-B, SUP-D, SUP-E");
    assert!(ok(
        &mut e,
        &Actor::Dcc,
        t(51),
        Command::CheckDeadlines(CheckDeadlines {})
    )
    .is_empty());
    ok(
        &mut e,
        &Actor::Dcc,
        t(52),
        Command::ExtendCutoff(ExtendCutoff {
            campaign: camp(C1),
            customer: cid("SUP-D"),
            until: t(90),
        }),
    );
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(60),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let EventPayload::CutoffNoticesDue(CutoffNoticesDue {
        customers,
        reached: true,
        ..
    }) = &events[0].payload
    else {
        panic!()
    };
    assert_eq!(customers, &vec![cid("SUP-A"), cid("SUP-B"), cid("SUP-E")]);
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(80),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    assert!(
        matches!(&events[0].payload, EventPayload::CutoffNoticesDue(CutoffNoticesDue { reached: false, customers, .. }) if customers == &vec![cid("SUP-D")])
    );
    let sup_d = inbox(&e, &cust("SUP-D"));
    assert_eq!(
        sup_d
            .iter()
            .filter(|n| matches!(n, NotificationKind::CutoffApproaching { .. }))
            .count(),
        2
    );
}

#[test]
fn status_views_are_scoped_to_the_asker() {
    let mut e = rolling(CampaignPolicy::default());
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs(NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(10), hub(11), hub(20)],
        }),
    );
    ok(
        &mut e,
        &csp(),
        t(3),
        report(
            &[
                upgrade_rows(10),
                fail_rows(11),
                vec![(16, Outcome::Dispatched)],
            ]
            .concat(),
        ),
    );
    let dcc = e.state().pilot_status(&Actor::Dcc, &camp(C1)).unwrap();
    let names: Vec<_> = dcc.rows.iter().map(|r| r.customer.clone()).collect();
    assert_eq!(names, vec![Some(cid("SUP-A")), Some(cid("SUP-D"))]);
    assert_eq!(
        (
            dcc.rows[0].counts.succeeded,
            dcc.rows[0].counts.failed,
            dcc.rows[0].counts.waiting
        ),
        (1, 1, 1)
    );
    assert_eq!(dcc.total.hubs, 4);
    let by_csp = e.state().pilot_status(&csp(), &camp(C1)).unwrap();
    assert!(by_csp.rows.iter().all(|r| r.customer.is_none()));
    assert_eq!(by_csp.rows.len(), 2);
    let own = e.state().pilot_status(&cust("SUP-D"), &camp(C1)).unwrap();
    assert_eq!(own.rows.len(), 1);
    assert_eq!((own.total.hubs, own.total.dispatched), (1, 1));
    let err = e
        .state()
        .pilot_status(&Actor::Csp(Region::South), &camp(C1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let progress = e
        .state()
        .campaign_progress(&Actor::Dcc, &camp(C1), t(3))
        .unwrap();
    let x = progress.iter().find(|p| p.set == set_of(&e, 12)).unwrap();
    // Set X: hubs 10-15 and hub 3 (SUP-B's, not commissioned).
    assert_eq!(
        (
            x.hubs,
            x.succeeded,
            x.failed,
            x.upgradeable_now,
            x.not_applicable
        ),
        (7, 1, 1, 4, 1)
    );
    assert_eq!(
        x.eligible,
        x.upgradeable_now + x.awaiting_consent + x.blocked
    );
    let own = e
        .state()
        .campaign_progress(&cust("SUP-E"), &camp(C1), t(3))
        .unwrap();
    assert_eq!(own.iter().map(|p| p.hubs).sum::<i64>(), 1);

    let fw = e
        .state()
        .estate_by_firmware(&cust("SUP-A"), Some(&cid("SUP-A")))
        .unwrap();
    let pairs: Vec<_> = fw.iter().map(|f| (f.version.to_string(), f.hubs)).collect();
    assert_eq!(
        pairs,
        vec![("1.0".into(), 1), ("1.1".into(), 6), ("2.0".into(), 1)]
    );
    for (actor, kind) in [
        (cust("SUP-A"), ErrorKind::NotPermitted),
        (csp(), ErrorKind::NotPermitted),
    ] {
        assert_eq!(
            e.state()
                .estate_by_firmware(&actor, None)
                .unwrap_err()
                .kind(),
            kind
        );
    }
    assert_eq!(
        e.state()
            .estate_by_firmware(&cust("SUP-A"), Some(&cid("SUP-D")))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert!(
        e.state()
            .estate_by_firmware(&Actor::Dcc, None)
            .unwrap()
            .len()
            >= 3
    );
}

#[test]
fn a_policy_that_cannot_work_is_refused_naming_the_field() {
    let mut e = fixture();
    let bad = [
        (halt_policy(120.0, 3), "failure_threshold_percent"),
        (halt_policy(10.0, 0), "min_outcomes"),
        (
            CampaignPolicy {
                max_attempts: 0,
                ..CampaignPolicy::default()
            },
            "max_attempts",
        ),
        (
            CampaignPolicy {
                pacing: Some(Pacing {
                    daily_cap: Some(5),
                    ramp_factor: 0.5,
                    blackouts: vec![],
                }),
                ..CampaignPolicy::default()
            },
            "ramp_factor",
        ),
        (
            CampaignPolicy {
                pacing: Some(Pacing {
                    daily_cap: None,
                    ramp_factor: 1.0,
                    blackouts: vec![Blackout::Dates {
                        from: date(2026, 2, 2),
                        to: date(2026, 2, 1),
                    }],
                }),
                ..CampaignPolicy::default()
            },
            "blackouts[0]",
        ),
    ];
    for (policy, field) in bad {
        let err = refused(
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
            ErrorKind::InvalidInput,
        );
        assert!(err.to_string().contains(field), "{err}");
    }
}

#[test]
fn the_whole_rollout_replays_to_the_same_state_and_outboxes() {
    let mut e = rolling(CampaignPolicy {
        pacing: Some(Pacing {
            daily_cap: Some(5),
            ramp_factor: 1.5,
            blackouts: vec![],
        }),
        ..halt_policy(40.0, 2)
    });
    ok(
        &mut e,
        &csp(),
        t(4),
        report(
            &[
                upgrade_rows(10),
                fail_rows(11),
                vec![(12, Outcome::Dispatched), (12, Outcome::NoResponse)],
            ]
            .concat(),
        ),
    );
    ok(
        &mut e,
        &cust("SUP-A"),
        t(5),
        Command::ReportHanHealth(ReportHanHealth {
            campaign: camp(C1),
            reports: vec![HealthReport {
                hub: hub(10),
                health: HanHealth::AllFine,
                happened_at: None,
            }],
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(9),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let set_y = set_of(&e, 16);
    ok(
        &mut e,
        &cust("SUP-D"),
        t(9),
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::ConfigurationSet { set: set_y },
            text: "x".into(),
            named: true,
            suspend_own: true,
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(9),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }),
    );
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

/// Issue 26: a read-back that arrives after the reconciliation time-out corrects the record (the
/// hub runs what was read, counted on the day it was read) and leaves the attempt failed and
/// counted as it was; an inventory read-back is refused while an upgrade is in flight.
#[test]
fn a_late_read_back_corrects_the_firmware_and_leaves_the_attempt_as_it_was() {
    let mut e = rolling(CampaignPolicy::default());
    let rows = [
        (10, Outcome::Dispatched),
        (10, Outcome::Delivered),
        (10, Outcome::Activated),
        (10, Outcome::NoResponse),
    ];
    ok(&mut e, &csp(), t(3), report(&rows));
    // In flight: an inventory read-back is the attempt's outcome, not a correction.
    let inventory = |n: u64, v: &str| {
        Command::ReportReadBacks(ReportReadBacks {
            readings: vec![ReadBackReport {
                hub: hub(n),
                firmware: fw(v),
                happened_at: None,
            }],
        })
    };
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        inventory(10, "2.0"),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("in flight"), "{err}");
    ok(
        &mut e,
        &Actor::Dcc,
        t(7),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let failed = |e: &Engine| -> i64 {
        e.state()
            .campaign_progress(&Actor::Dcc, &camp(C1), t(7))
            .unwrap()
            .iter()
            .map(|p| p.failed)
            .sum()
    };
    assert_eq!(failed(&e), 1, "timed out");
    assert_eq!(firmware_of(&e, 10), "1.1");
    // The read-back comes on day 8; the hub was read on day 5, before the time-out.
    let late = Command::ReportOutcomes(ReportOutcomes {
        campaign: camp(C1),
        outcomes: vec![OutcomeReport {
            hub: hub(10),
            outcome: read_back("2.0"),
            happened_at: Some(t(5)),
        }],
    });
    let before = inbox(&e, &cust("SUP-A")).len();
    ok(&mut e, &csp(), t(8), late);
    assert_eq!(firmware_of(&e, 10), "2.0");
    assert_eq!(failed(&e), 1, "the attempt stays failed, counted once");
    assert_eq!(
        blockers(&e, &Actor::Dcc, 10, 8),
        vec![Blocker::AlreadyOnTarget]
    );
    assert_eq!(
        inbox(&e, &cust("SUP-A")).len(),
        before,
        "no second outcome is told"
    );
    let a = cust("SUP-A");
    let on_2_0 = |day: i64| -> i64 {
        e.state()
            .dpl_on(&a, Some(&cid("SUP-A")), t(day).date_naive())
            .unwrap()
            .iter()
            .filter(|d| d.configuration_set.firmware.as_str() == "2.0")
            .map(|d| d.hubs)
            .sum()
    };
    assert_eq!((on_2_0(4), on_2_0(5), on_2_0(8)), (0, 1, 1));
    // A late read-back of a version not of the variant is refused.
    let bad = Command::ReportOutcomes(ReportOutcomes {
        campaign: camp(C1),
        outcomes: vec![OutcomeReport::new(hub(10), read_back("9.9"))],
    });
    refused(&mut e, &csp(), t(8), bad, ErrorKind::BulkRejected);
    // Outside any attempt, the CSP's inventory read-back corrects another hub.
    ok(&mut e, &csp(), t(8), inventory(11, "2.0"));
    assert_eq!(firmware_of(&e, 11), "2.0");
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
}

/// Issue 26: a read-back never takes the record back behind what it already knows of the hub
/// (its load, a success, an earlier read-back), so the Deployed Products List never counts a
/// hub on a version it had left; nor is one taken for a hub out of the field.
#[test]
fn a_read_back_never_takes_the_record_back_behind_what_it_knows() {
    let mut e = rolling(CampaignPolicy::default());
    let inventory = |n: u64, v: &str, at: chrono::DateTime<chrono::Utc>| {
        Command::ReportReadBacks(ReportReadBacks {
            readings: vec![ReadBackReport {
                hub: hub(n),
                firmware: fw(v),
                happened_at: Some(at),
            }],
        })
    };
    // Hub 12 upgraded on day 3: a read of day 2 showing 1.1 is older than that.
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(12)));
    let err = refused(
        &mut e,
        &csp(),
        t(4),
        inventory(12, "1.1", t(2)),
        ErrorKind::BulkRejected,
    );
    assert!(
        err.to_string()
            .contains("before what the record already knows of it"),
        "{err}"
    );
    // Hub 13: before it was loaded (day 0, 09:00), then behind a newer read.
    let before_load = t(0) - chrono::Duration::hours(1);
    refused(
        &mut e,
        &csp(),
        t(4),
        inventory(13, "2.0", before_load),
        ErrorKind::BulkRejected,
    );
    ok(&mut e, &csp(), t(5), inventory(13, "2.0", t(5)));
    refused(
        &mut e,
        &csp(),
        t(6),
        inventory(13, "1.1", t(4)),
        ErrorKind::BulkRejected,
    );
    assert_eq!(firmware_of(&e, 13), "2.0");
    // No day of the DPL counts a hub below zero.
    for day in 0..7 {
        for row in e
            .state()
            .dpl_on(&Actor::Dcc, None, t(day).date_naive())
            .unwrap()
        {
            assert!(row.hubs >= 0, "day {day}: {row:?}");
        }
    }
    // A timed-out hub decommissioned since: its late read-back is not taken.
    let rows = [
        (10, Outcome::Dispatched),
        (10, Outcome::Delivered),
        (10, Outcome::Activated),
        (10, Outcome::NoResponse),
    ];
    ok(&mut e, &csp(), t(6), report(&rows));
    ok(
        &mut e,
        &Actor::Dcc,
        t(10),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(10),
        Command::DecommissionHub(DecommissionHub {
            hub: hub(10),
            on: t(10).date_naive(),
        }),
    );
    let late = Command::ReportOutcomes(ReportOutcomes {
        campaign: camp(C1),
        outcomes: vec![OutcomeReport {
            hub: hub(10),
            outcome: read_back("2.0"),
            happened_at: Some(t(7)),
        }],
    });
    let err = refused(&mut e, &csp(), t(11), late, ErrorKind::BulkRejected);
    assert!(err.to_string().contains("no longer in the field"), "{err}");
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
}

/// Issue 26: a dispatch, a success or a read-back dated before a change of the hub's devices
/// (which moved it to another configuration set that day) is refused, as is a second read-back
/// of a hub in one report; dated after the change, each is taken.
#[test]
fn outcomes_dated_before_a_change_of_the_hub_are_refused() {
    let mut e = rolling(CampaignPolicy::default());
    let dated = |rows: &[(u64, Outcome, chrono::DateTime<chrono::Utc>)]| {
        Command::ReportOutcomes(ReportOutcomes {
            campaign: camp(C1),
            outcomes: rows
                .iter()
                .map(|(n, o, at)| OutcomeReport {
                    hub: hub(*n),
                    outcome: o.clone(),
                    happened_at: Some(*at),
                })
                .collect(),
        })
    };
    // Hub 14 is in flight from day 3; both hubs' ESMEs are updated on day 4.
    let rows = [
        (14, Outcome::Dispatched),
        (14, Outcome::Delivered),
        (14, Outcome::Activated),
    ];
    ok(&mut e, &csp(), t(3), report(&rows));
    for n in [12, 14] {
        ok(
            &mut e,
            &Actor::Dcc,
            t(4),
            Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
                hub: hub(n),
                device: commshub_ota::estate::HanDeviceKind::Esme,
                firmware: "3.2".into(),
            }),
        );
    }
    let at = t(3) + chrono::Duration::hours(2);
    let err = refused(
        &mut e,
        &csp(),
        t(5),
        dated(&[(12, Outcome::Dispatched, at)]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("a dispatch dated"), "{err}");
    let err = refused(
        &mut e,
        &csp(),
        t(5),
        dated(&[(14, read_back("2.0"), at)]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("a success dated"), "{err}");
    ok(
        &mut e,
        &csp(),
        t(5),
        dated(&[
            (14, read_back("2.0"), t(5)),
            (12, Outcome::Dispatched, t(5)),
        ]),
    );
    assert_eq!(firmware_of(&e, 14), "2.0");
    // Hub 12 times out; two late read-backs of it in one report: the second is refused.
    ok(
        &mut e,
        &csp(),
        t(5),
        dated(&[
            (12, Outcome::Delivered, t(5)),
            (12, Outcome::Activated, t(5)),
            (12, Outcome::NoResponse, t(5)),
        ]),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(9),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let twice = dated(&[(12, read_back("1.1"), t(6)), (12, read_back("2.0"), t(7))]);
    let err = refused(&mut e, &csp(), t(9), twice, ErrorKind::BulkRejected);
    assert!(
        err.to_string()
            .contains("changed or was read earlier in this report"),
        "{err}"
    );
    for day in 0..10 {
        for row in e
            .state()
            .dpl_on(&Actor::Dcc, None, t(day).date_naive())
            .unwrap()
        {
            assert!(row.hubs >= 0, "day {day}: {row:?}");
        }
    }
}

/// Decision 23: a dispatch reported outside the pilot's dispatch window, or of a hub whose set
/// the CSP paused, is refused; inside the window and on another set it is taken.
#[test]
fn the_csps_window_and_pause_hold_its_own_dispatch_reports() {
    let mut e = rolling(CampaignPolicy::default());
    ok(
        &mut e,
        &csp(),
        t(3),
        Command::SetPilotPacing(SetPilotPacing {
            campaign: camp(C1),
            pacing: commshub_ota::rollout::PilotPacing {
                daily_cap: None,
                window: Some(commshub_ota::rollout::DispatchWindow {
                    from_hour: 10,
                    to_hour: 16,
                }),
            },
        }),
    );
    // t(3) is 09:00 in January's GB time: before the window opens.
    let err = refused(
        &mut e,
        &csp(),
        t(3),
        report(&[(10, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    assert!(
        err.to_string()
            .contains("outside the pilot's dispatch window"),
        "{err}"
    );
    let eleven = t(3) + chrono::Duration::hours(2);
    ok(&mut e, &csp(), eleven, report(&[(10, Outcome::Dispatched)]));
    let set_x = set_of(&e, 11);
    ok(
        &mut e,
        &csp(),
        eleven,
        Command::HaltUpgrades(HaltUpgrades {
            campaign: camp(C1),
            set: Some(set_x),
            reason: "EM-A1 meters drop off the HAN".into(),
        }),
    );
    let err = refused(
        &mut e,
        &csp(),
        eleven,
        report(&[(11, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    assert!(
        err.to_string().contains("the CSP paused its dispatches"),
        "{err}"
    );
    let list: Vec<HubId> = e
        .state()
        .upgrade_list(&csp(), Region::North, eleven, 0, 1000)
        .unwrap()
        .entries
        .into_iter()
        .map(|x| x.hub)
        .collect();
    assert!(
        !list.contains(&hub(11)) && list.contains(&hub(16)),
        "{list:?}"
    );
    ok(&mut e, &csp(), eleven, report(&[(16, Outcome::Dispatched)]));
}

/// Issue 26: the evidence to retire the pilot. Set X fails in the pilot and again in mass
/// rollout (caught); set Y was never in the pilot and fails in mass rollout (untested). The DCC
/// and the CSP see both; SUP-A, which supplies only hubs on X, sees X and its own hubs only.
#[test]
fn the_retirement_evidence_says_what_the_pilot_caught() {
    let mut e = rolling(CampaignPolicy::default());
    let mut pilot = upgrade_rows(10);
    pilot.extend(fail_rows(11));
    ok(&mut e, &csp(), t(3), report(&pilot));
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: Some("no verdicts: the evidence test".into()),
        }),
    );
    let mut rollout = fail_rows(12);
    rollout.extend(fail_rows(16));
    rollout.extend(upgrade_rows(17));
    ok(&mut e, &csp(), t(5), report(&rollout));
    use commshub_ota::read::Finding;
    let of = |actor: &Actor| {
        let ev = e.state().retirement_evidence(actor, None).unwrap();
        let c = ev.campaigns.into_iter().next().unwrap();
        let sets: Vec<(String, Finding, i64, i64, i64, i64)> = c
            .sets
            .iter()
            .map(|s| {
                (
                    s.set.devices.esme.as_ref().unwrap().model.clone(),
                    s.finding,
                    s.pilot.hubs,
                    s.pilot.failed,
                    s.rollout.hubs,
                    s.rollout.failed,
                )
            })
            .collect();
        (c.caught, c.missed, c.untested, sets)
    };
    let industry = of(&Actor::Dcc);
    assert_eq!(
        industry,
        (
            1,
            0,
            1,
            vec![
                ("EM-B2".to_string(), Finding::Untested, 0, 0, 2, 1),
                ("EM-A1".to_string(), Finding::Caught, 2, 1, 1, 1),
            ]
        )
    );
    assert_eq!(
        of(&csp()),
        industry,
        "the CSP sees its region's campaigns whole"
    );
    assert_eq!(
        of(&cust("SUP-A")),
        (
            1,
            0,
            0,
            vec![("EM-A1".to_string(), Finding::Caught, 2, 1, 1, 1)]
        )
    );
    // A customer asks only of itself; the south's CSP sees nothing of the north.
    let err = e
        .state()
        .retirement_evidence(&cust("SUP-A"), Some(&cid("SUP-D")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    assert!(e
        .state()
        .retirement_evidence(&Actor::Csp(Region::South), None)
        .unwrap()
        .campaigns
        .is_empty());
}
