//! Issue 11: what testing as users and as an adversary broke, each fixed and pinned here.
//! Policy bounds and checked date arithmetic, automatic acts recorded as the system's, the
//! configuration-set and counter oracles, and the bound on every input.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use commshub_ota::campaigns::CampaignChange;
use commshub_ota::command::*;
use commshub_ota::eligibility::{Blocker, Explanation, Party};
use commshub_ota::estate::ConfigurationSet;
use commshub_ota::event::*;
use commshub_ota::journal::{read_jsonl_from, write_jsonl_to};
use commshub_ota::limits;
use commshub_ota::participation::policy_limits;
use commshub_ota::rollout::{
    HaltPolicy, HanHealth, HealthReport, Outcome, OutcomeReport, Pacing, UpgradeState,
};
use commshub_ota::*;

fn create(policy: CampaignPolicy) -> Command {
    Command::CreateCampaign(CreateCampaign {
        campaign: camp("C9"),
        variant: vid(NORTH),
        target: fw("2.0"),
        cutoff: t(60),
        policy,
    })
}

#[test]
fn every_policy_field_is_bounded_and_named_when_out_of_range() {
    let mut e = fixture();
    let d = CampaignPolicy::default;
    let cases: Vec<(CampaignPolicy, &str)> = vec![
        (
            CampaignPolicy {
                min_assessment_days: 100_000_000,
                ..d()
            },
            "policy.min_assessment_days",
        ),
        (
            CampaignPolicy {
                cutoff_notice_days: 100_000_000,
                ..d()
            },
            "policy.cutoff_notice_days",
        ),
        (
            CampaignPolicy {
                reconciliation_timeout_hours: i32::MAX,
                ..d()
            },
            "policy.reconciliation_timeout_hours",
        ),
        // Signed at the boundary (the JVM has no unsigned int): a negative value is refused
        // by the same range check, naming the field.
        (
            CampaignPolicy {
                retry_delay_hours: -1,
                ..d()
            },
            "policy.retry_delay_hours",
        ),
        (
            CampaignPolicy {
                max_attempts: 0,
                ..d()
            },
            "policy.max_attempts",
        ),
        (
            CampaignPolicy {
                pilot_cap_per_customer: Some(0),
                ..d()
            },
            "policy.pilot_cap_per_customer",
        ),
        (
            CampaignPolicy {
                halt: Some(HaltPolicy {
                    failure_threshold_percent: 10.0,
                    min_outcomes: 0,
                }),
                ..d()
            },
            "policy.halt.min_outcomes",
        ),
        (
            CampaignPolicy {
                pacing: Some(Pacing {
                    daily_cap: Some(i32::MAX),
                    ramp_factor: 1.0,
                    blackouts: vec![],
                }),
                ..d()
            },
            "policy.pacing.daily_cap",
        ),
    ];
    for (policy, field) in cases {
        let err = refused(
            &mut e,
            &Actor::Dcc,
            t(1),
            create(policy),
            ErrorKind::InvalidInput,
        );
        assert_eq!(field_of(&err), field, "{err}");
        assert!(err.to_string().contains("allowed range"), "{err}");
    }
    // The edges of each range are accepted.
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        create(CampaignPolicy {
            min_assessment_days: *policy_limits::ASSESSMENT_DAYS.end(),
            cutoff_notice_days: *policy_limits::NOTICE_DAYS.end(),
            reconciliation_timeout_hours: *policy_limits::TIMEOUT_HOURS.end(),
            ..d()
        }),
    );
}

#[test]
fn a_log_holding_a_policy_out_of_range_is_refused_naming_the_event() {
    let mut e = fixture();
    ok(&mut e, &Actor::Dcc, t(1), create(CampaignPolicy::default()));
    let mut events = e.events().unwrap().to_vec();
    let last = events.len() - 1;
    if let EventPayload::CampaignCreated(CampaignCreated { policy, .. }) = &mut events[last].payload
    {
        policy.cutoff_notice_days = 100_000_000;
    }
    let mut buf = Vec::new();
    write_jsonl_to(&mut buf, &events, "mem").unwrap();
    let err = Engine::replay(read_jsonl_from(buf.as_slice(), "mem").unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptLog);
    assert!(
        err.to_string().contains("cutoff_notice_days"),
        "names the field: {err}"
    );
    assert!(
        err.to_string().contains(&events[last].seq.to_string()),
        "names the event: {err}"
    );
}

#[test]
fn deadlines_at_the_ends_of_the_calendar_do_not_panic() {
    // The largest accepted values, a cut-off near the end of time, a check at the end of time.
    let far: DateTime<Utc> = Utc.with_ymd_and_hms(262_000, 1, 1, 0, 0, 0).unwrap();
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp("C9"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: far,
            policy: CampaignPolicy {
                min_assessment_days: *policy_limits::ASSESSMENT_DAYS.end(),
                cutoff_notice_days: *policy_limits::NOTICE_DAYS.end(),
                reconciliation_timeout_hours: *policy_limits::TIMEOUT_HOURS.end(),
                ..CampaignPolicy::default()
            },
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: camp("C9"),
        }),
    );
    // A hub stops answering at the last instant: its reconciliation deadline lies past the
    // calendar's end (unchecked, `t + timeout` panicked here).
    let end = DateTime::<Utc>::MAX_UTC;
    ok(
        &mut e,
        &cust("SUP-A"),
        end,
        Command::ApproveWholeEstate(ApproveWholeEstate {
            campaign: camp("C9"),
        }),
    );
    ok(
        &mut e,
        &csp(),
        end,
        Command::ReportOutcomes(ReportOutcomes {
            campaign: camp("C9"),
            outcomes: [Outcome::Dispatched, Outcome::Delivered, Outcome::NoResponse]
                .into_iter()
                .map(|outcome| OutcomeReport::new(hub(1), outcome))
                .collect(),
        }),
    );
    let due = ok(
        &mut e,
        &Actor::Dcc,
        end,
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    assert!(
        due.iter().all(|ev| !matches!(
            ev.payload,
            EventPayload::ReconciliationTimedOut(ReconciliationTimedOut { .. })
        )),
        "a deadline past the calendar's end never falls due: {due:?}"
    );
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

/// B's bad HAN-health report tips the campaign over its threshold: the halt and the suspension
/// are the system's acts, and no view, history or notice ties them to B (docs/domain.md 14).
#[test]
fn an_automatic_halt_is_recorded_as_the_systems_act_not_the_reporters() {
    let mut e = rolling(CampaignPolicy {
        halt: Some(HaltPolicy {
            failure_threshold_percent: 60.0,
            min_outcomes: 2,
        }),
        ..CampaignPolicy::default()
    });
    let mut rows = upgrade_rows(10);
    rows.extend(upgrade_rows(16));
    ok(&mut e, &csp(), t(3), report(&rows));
    let bad = |n| HealthReport {
        hub: hub(n),
        health: HanHealth::DeviceLostContact {
            device: HanDeviceKind::Ihd,
        },
        happened_at: None,
    };
    ok(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::ReportHanHealth(ReportHanHealth {
            campaign: camp(C1),
            reports: vec![bad(10)],
        }),
    );
    let tipped = ok(
        &mut e,
        &cust("SUP-D"),
        t(4),
        Command::ReportHanHealth(ReportHanHealth {
            campaign: camp(C1),
            reports: vec![bad(16)],
        }),
    );
    assert_eq!(tipped[0].actor, cust("SUP-D"), "the report is SUP-D's own");
    assert!(tipped.len() > 1, "the report tipped a halt: {tipped:?}");
    for automatic in &tipped[1..] {
        assert!(automatic.payload.is_automatic(), "{automatic:?}");
        assert_eq!(automatic.actor, Actor::System, "{automatic:?}");
    }
    for viewer in [cust("SUP-A"), csp(), Actor::Dcc] {
        let view = e.state().campaign(&viewer, &camp(C1)).unwrap();
        let suspended = view
            .history
            .iter()
            .find(|h| {
                matches!(
                    h.change,
                    CampaignChange::PhaseChanged {
                        to: Phase::Suspended,
                        ..
                    }
                )
            })
            .expect("the suspension is in the history");
        assert_eq!(suspended.actor, Actor::System);
        let text = serde_json::to_string(&view).unwrap();
        assert!(!text.contains("SUP-D"), "{viewer} sees SUP-D: {text}");
    }
    // The system makes no commands and reads nothing.
    refused(
        &mut e,
        &Actor::System,
        t(5),
        Command::CheckDeadlines(CheckDeadlines {}),
        ErrorKind::NotPermitted,
    );
    assert_eq!(
        e.state()
            .campaign(&Actor::System, &camp(C1))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

/// Approving a configuration set the customer has no hub on answers exactly as a set that
/// exists nowhere, so nobody can list others' device models.
#[test]
fn a_configuration_set_of_others_answers_as_one_that_does_not_exist() {
    let mut e = rolling(CampaignPolicy::default());
    let set_y = e
        .state()
        .hub(&Actor::Dcc, hub(16))
        .unwrap()
        .configuration_set; // SUP-D's only
    let mut nowhere: ConfigurationSet = set_y.clone();
    nowhere.devices.esme = Some(HanDevice::new("EM-ZZ", "9.9"));
    for cmd in [
        |s| {
            Command::ApproveConfigurationSets(ApproveConfigurationSets {
                campaign: camp(C1),
                sets: vec![s],
            })
        },
        |s| {
            Command::WithdrawConfigurationSetApprovals(WithdrawConfigurationSetApprovals {
                campaign: camp(C1),
                sets: vec![s],
            })
        },
    ] {
        let others = refused(
            &mut e,
            &cust("SUP-A"),
            t(3),
            cmd(set_y.clone()),
            ErrorKind::NotFound,
        );
        let unknown = refused(
            &mut e,
            &cust("SUP-A"),
            t(3),
            cmd(nowhere.clone()),
            ErrorKind::NotFound,
        );
        assert_eq!(
            others.to_string().replace(&set_y.key(), "SET"),
            unknown.to_string().replace(&nowhere.key(), "SET")
        );
    }
    // Its own set it approves.
    ok(
        &mut e,
        &cust("SUP-D"),
        t(3),
        Command::ApproveConfigurationSets(ApproveConfigurationSets {
            campaign: camp(C1),
            sets: vec![set_y],
        }),
    );
}

#[test]
fn sequence_numbers_are_the_dccs_only() {
    let mut e = rolling(CampaignPolicy::default());
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)));
    let dcc = e.state().campaign(&Actor::Dcc, &camp(C1)).unwrap();
    assert!(dcc.history.iter().all(|h| h.seq.is_some()));
    for viewer in [cust("SUP-A"), csp()] {
        let view = e.state().campaign(&viewer, &camp(C1)).unwrap();
        assert!(view.history.iter().all(|h| h.seq.is_none()), "{viewer}");
    }
    let a = e.notifications(&cust("SUP-A"), 100).unwrap();
    assert!(!a.notifications.is_empty());
    assert!(a.notifications.iter().all(|n| n.event.is_none()));
    let d = e.notifications(&Actor::Dcc, 100).unwrap();
    assert!(d.notifications.iter().all(|n| n.event.is_some()));
}

#[test]
fn oversized_texts_and_lists_are_refused_naming_the_limit() {
    let mut e = rolling(CampaignPolicy::default());
    let long = "x".repeat(limits::MAX_TEXT_BYTES + 1);
    let cases: Vec<(Actor, Command, &str)> = vec![
        (
            cust("SUP-A"),
            Command::RejectHubs(RejectHubs {
                campaign: camp(C1),
                hubs: vec![hub(11)],
                reason: long.clone(),
            }),
            "reason",
        ),
        (
            Actor::Dcc,
            Command::SuspendCampaign(SuspendCampaign {
                campaign: camp(C1),
                reason: long.clone(),
            }),
            "reason",
        ),
        (
            cust("SUP-A"),
            Command::FlagDefect(FlagDefect {
                subject: commshub_ota::defects::DefectSubject::Firmware {
                    variant: vid(NORTH),
                    version: fw("2.0"),
                },
                text: long.clone(),
                named: false,
                suspend_own: false,
            }),
            "text",
        ),
        (
            cust("SUP-A"),
            Command::NominateHubs(NominateHubs {
                campaign: camp(C1),
                hubs: vec![hub(11); limits::MAX_HUBS_PER_COMMAND + 1],
            }),
            "hubs",
        ),
        (
            csp(),
            report(&[(
                10,
                Outcome::DeliveryFailed {
                    reason: Some("y".repeat(limits::MAX_ROW_TEXT_BYTES + 1)),
                },
            )]),
            "outcomes[0].reason",
        ),
    ];
    // A configuration set's device strings are row texts too, however many sets are named.
    let mut huge = e
        .state()
        .hub(&Actor::Dcc, hub(10))
        .unwrap()
        .configuration_set;
    huge.devices.esme = Some(HanDevice::new(
        "M".repeat(limits::MAX_ROW_TEXT_BYTES + 1),
        "1",
    ));
    let mut cases = cases;
    cases.push((
        cust("SUP-A"),
        Command::ApproveConfigurationSets(ApproveConfigurationSets {
            campaign: camp(C1),
            sets: vec![huge.clone()],
        }),
        "sets[0].esme",
    ));
    cases.push((
        cust("SUP-A"),
        Command::HaltUpgrades(HaltUpgrades {
            campaign: camp(C1),
            set: Some(huge),
            reason: "r".into(),
        }),
        "set.esme",
    ));
    for (actor, cmd, field) in cases {
        let err = refused(&mut e, &actor, t(3), cmd, ErrorKind::InvalidInput);
        assert_eq!(field_of(&err), field);
        assert!(err.to_string().contains("limit"), "{err}");
    }
}

#[test]
fn a_hub_listed_many_times_is_taken_once_and_costs_nothing_twice() {
    let mut e = fixture();
    piloting_campaign(&mut e, (t(1), t(2)), t(60), CampaignPolicy::default());
    let events = ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs(NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(1); limits::MAX_HUBS_PER_COMMAND],
        }),
    );
    let EventPayload::HubsNominated(HubsNominated { hubs, refused, .. }) = &events[0].payload
    else {
        panic!("{events:?}")
    };
    assert_eq!(hubs, &vec![hub(1)]);
    assert!(refused.is_empty(), "no refusal per repetition");
}

#[test]
fn a_rejection_reason_is_stored_once_for_all_its_hubs() {
    // Observable through explain: every hub shows the reason; the state holds it shared.
    let mut e = rolling(CampaignPolicy::default());
    let reason = "r".repeat(limits::MAX_TEXT_BYTES);
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::RejectHubs(RejectHubs {
            campaign: camp(C1),
            hubs: (10..=14).map(hub).collect(),
            reason: reason.clone(),
        }),
    );
    for n in 10..=14 {
        let ex = e
            .state()
            .explain(&cust("SUP-A"), &camp(C1), hub(n), t(3))
            .unwrap();
        assert!(format!("{ex:?}").contains(&reason[..100]));
    }
}

// --- issue 11, part 1: correctness ---------------------------------------------------------

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// The fixture, hub 30 (north, 1.0, SUP-A only), and campaign C1 (to 2.0, cut-off 2027) with
/// `policy`, in the pilot from day 1, SUP-A's whole estate approved unless `approve` is false.
fn campaign_with(policy: CampaignPolicy, approve: bool) -> Engine {
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(0),
        Command::InstallHub(InstallHub {
            hub: Box::new(row(30, NORTH, "1.0", Some("SUP-A"), None)),
        }),
    );
    piloting_campaign(&mut e, (t(0), t(1)), at(2027, 6, 1, 0, 0), policy);
    if approve {
        ok(
            &mut e,
            &cust("SUP-A"),
            t(1),
            Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
        );
    }
    e
}

fn row_at(n: u64, outcome: Outcome, happened: Option<DateTime<Utc>>) -> OutcomeReport {
    OutcomeReport {
        hub: hub(n),
        outcome,
        happened_at: happened,
    }
}

fn explain(e: &Engine, actor: &Actor, n: u64, when: DateTime<Utc>) -> Explanation {
    e.state().explain(actor, &camp(C1), hub(n), when).unwrap()
}

/// Issue 11, 1.6: the recording time orders the log; a reported fact carries when it happened.
#[test]
fn a_late_report_is_accepted_and_counted_on_the_day_it_happened() {
    let policy = CampaignPolicy {
        pacing: Some(Pacing {
            daily_cap: Some(1),
            ramp_factor: 1.0,
            blackouts: vec![],
        }),
        ..CampaignPolicy::default()
    };
    let mut e = campaign_with(policy, true);
    // Something else is recorded on day 5; then the CSP reports hub 1's dispatch of day 3.
    ok(
        &mut e,
        &Actor::Dcc,
        t(5),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    ok(
        &mut e,
        &cust("SUP-B"),
        t(5),
        Command::SetConsumerFlags(SetConsumerFlags {
            hub: hub(3),
            role: SupplyRole::Import,
            flags: ConsumerFlags {
                super_friendly: true,
                ..ConsumerFlags::default()
            },
        }),
    );
    ok(
        &mut e,
        &csp(),
        t(5),
        Command::ReportOutcomes(ReportOutcomes {
            campaign: camp(C1),
            outcomes: vec![row_at(1, Outcome::Dispatched, Some(t(3)))],
        }),
    );
    // It counts on day 3: day 5's cap of one is still free, day 3's is used.
    let page = e
        .state()
        .upgrade_list(&Actor::Dcc, Region::North, t(5), 0, 10)
        .unwrap();
    assert_eq!(page.entries.len(), 1, "{page:?}");
    let late_again = refused(
        &mut e,
        &csp(),
        t(5),
        Command::ReportOutcomes(ReportOutcomes {
            campaign: camp(C1),
            outcomes: vec![row_at(30, Outcome::Dispatched, Some(t(3)))],
        }),
        ErrorKind::BulkRejected,
    );
    assert!(late_again.to_string().contains("cap of 1"), "{late_again}");
    // A fact later than its recording is refused, as is one before the hub's previous outcome.
    for (row, says) in [
        (
            row_at(1, Outcome::Delivered, Some(t(6))),
            "after the report is recorded",
        ),
        (
            row_at(1, Outcome::Delivered, Some(t(2))),
            "before its previous outcome",
        ),
    ] {
        let err = refused(
            &mut e,
            &csp(),
            t(5),
            Command::ReportOutcomes(ReportOutcomes {
                campaign: camp(C1),
                outcomes: vec![row],
            }),
            ErrorKind::BulkRejected,
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    // A customer's far-future fact cannot move the log's clock: it is refused, and everyone
    // carries on at the host's time.
    let far = at(9999, 12, 31, 0, 0);
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(5),
        Command::ReportHanHealth(ReportHanHealth {
            campaign: camp(C1),
            reports: vec![HealthReport {
                hub: hub(1),
                health: HanHealth::AllFine,
                happened_at: Some(far),
            }],
        }),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("after the report is recorded"));
    ok(
        &mut e,
        &Actor::Dcc,
        t(6),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

/// Issue 11, 1.6: eight threads stamp commands with the host's clock before taking the engine,
/// so they reach it out of order. None is refused; the log stays in time order and replays.
#[test]
fn eight_threads_feeding_one_engine_lose_nothing_to_time_order() {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::{Arc, Mutex};
    let engine = Arc::new(Mutex::new(campaign_with(CampaignPolicy::default(), true)));
    let clock = Arc::new(AtomicI64::new(0));
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let (engine, clock) = (engine.clone(), clock.clone());
            std::thread::spawn(move || {
                let mut refused = 0;
                // 240 flags: within the 256 a customer may have open.
                for i in 0..30 {
                    // The host's clock, read before the engine is taken.
                    let stamp =
                        t(3) + chrono::Duration::microseconds(clock.fetch_add(1, Ordering::SeqCst));
                    std::thread::yield_now();
                    let cmd = Command::FlagDefect(FlagDefect {
                        subject: commshub_ota::defects::DefectSubject::Firmware {
                            variant: vid(NORTH),
                            version: fw("2.0"),
                        },
                        text: format!("thread {n} note {i}"),
                        named: false,
                        suspend_own: false,
                    });
                    if engine
                        .lock()
                        .unwrap()
                        .execute(&cust("SUP-A"), stamp, cmd)
                        .is_err()
                    {
                        refused += 1;
                    }
                }
                refused
            })
        })
        .collect();
    let refused: i32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(refused, 0);
    let e = engine.lock().unwrap();
    // Each command is recorded at the time its thread read, in the order the engine took
    // them (decision 20): numbered without a gap, every stamp once.
    let events = e.events().unwrap();
    assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1));
    let mut stamps: Vec<_> = events.iter().rev().take(240).map(|ev| ev.at).collect();
    stamps.sort();
    stamps.dedup();
    assert_eq!(stamps.len(), 240);
    assert_eq!(
        Engine::replay(e.events().unwrap().to_vec())
            .unwrap()
            .state(),
        e.state()
    );
}

/// Issue 11, 1.8: no state stays in flight for ever; a failed hub waits the retry delay.
#[test]
fn every_in_flight_state_times_out_as_the_systems_act_and_a_retry_waits() {
    let policy = CampaignPolicy {
        in_flight_timeout_hours: 24,
        retry_delay_hours: 48,
        ..CampaignPolicy::default()
    };
    let mut e = campaign_with(policy, true);
    ok(
        &mut e,
        &csp(),
        t(3),
        Command::ReportOutcomes(ReportOutcomes {
            campaign: camp(C1),
            outcomes: vec![
                OutcomeReport::new(hub(1), Outcome::Dispatched),
                OutcomeReport::new(hub(30), Outcome::Dispatched),
                OutcomeReport::new(hub(30), Outcome::Delivered),
            ],
        }),
    );
    let nothing = ok(
        &mut e,
        &Actor::Dcc,
        t(3) + chrono::Duration::hours(23),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    assert!(nothing.is_empty(), "{nothing:?}");
    let due = ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    let EventPayload::InFlightTimedOut(InFlightTimedOut { hubs, .. }) = &due[0].payload else {
        panic!("{due:?}")
    };
    assert_eq!(hubs, &vec![hub(1), hub(30)]);
    assert_eq!(due[0].actor, Actor::System);
    let x = explain(&e, &csp(), 1, t(5));
    assert_eq!(
        x.blockers,
        vec![Blocker::RetryDelay {
            until: t(4) + chrono::Duration::hours(48)
        }]
    );
    let err = refused(
        &mut e,
        &csp(),
        t(5),
        report(&[(1, Outcome::Dispatched)]),
        ErrorKind::BulkRejected,
    );
    assert!(err.to_string().contains("retry"), "{err}");
    ok(&mut e, &csp(), t(6), report(&[(1, Outcome::Dispatched)]));
}

/// Issue 11, 1.7: pacing days and windows are Great Britain's civil time.
#[test]
fn a_weekly_blackout_may_cross_midnight_in_local_time() {
    use commshub_ota::rollout::pacing::Weekday;
    let pacing = Pacing {
        daily_cap: None,
        ramp_factor: 1.0,
        blackouts: vec![commshub_ota::rollout::Blackout::Weekly {
            day: Weekday::Saturday,
            from_hour: 22,
            to_hour: 2,
        }],
    };
    // Saturday 4 July 2026, BST: 22:30 local is 21:30 UTC; Sunday 01:30 local is 00:30 UTC.
    assert!(pacing.blackout_at(at(2026, 7, 4, 21, 30)));
    assert!(pacing.blackout_at(at(2026, 7, 5, 0, 30)));
    assert!(!pacing.blackout_at(at(2026, 7, 5, 1, 30)));
    assert!(!pacing.blackout_at(at(2026, 7, 4, 20, 30)));
    let mut e = campaign_with(
        CampaignPolicy {
            pacing: Some(pacing),
            ..CampaignPolicy::default()
        },
        true,
    );
    let x = explain(&e, &csp(), 1, at(2026, 7, 5, 0, 30));
    assert_eq!(x.blockers, vec![Blocker::Blackout]);
    // The same window refused as equal hours.
    let bad = CampaignPolicy {
        pacing: Some(Pacing {
            daily_cap: None,
            ramp_factor: 1.0,
            blackouts: vec![commshub_ota::rollout::Blackout::Weekly {
                day: Weekday::Saturday,
                from_hour: 3,
                to_hour: 3,
            }],
        }),
        ..CampaignPolicy::default()
    };
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp("C7"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: bad,
        }),
        ErrorKind::InvalidInput,
    );
}

/// Issue 11, 1.4: every blocker reads as a sentence, and names nobody the asker may not know.
#[test]
fn every_blocker_has_a_sentence() {
    let all = vec![
        Blocker::CampaignNotStarted,
        Blocker::CampaignSuspended,
        Blocker::CampaignClosed {
            phase: Phase::Completed,
        },
        Blocker::WrongVariant,
        Blocker::AlreadyOnTarget,
        Blocker::NotOnPathway,
        Blocker::StepNotOnProductionCpl { version: fw("1.1") },
        Blocker::NotCommissioned {
            status: SmiStatus::Pending,
        },
        Blocker::VulnerableInPilot,
        Blocker::NotInPilot,
        Blocker::AwaitingConsent {
            role: SupplyRole::Gas,
            by: Party::OtherSupplier,
            cutoff: None,
        },
        Blocker::Rejected {
            role: SupplyRole::Import,
            by: Party::You,
            reason: Some("IHD issue".into()),
        },
        Blocker::UpgradeInFlight {
            state: UpgradeState::Delivered,
        },
        Blocker::AttemptsExhausted { attempts: 3 },
        Blocker::RetryDelay { until: t(3) },
        Blocker::ConfigurationSetHalted {
            reason: "halted".into(),
        },
        Blocker::HeldBySupplier {
            by: Party::OtherSupplier,
            reason: None,
        },
        Blocker::SuspendedByDefectFlag {
            by: Party::You,
            flag: Some(7),
        },
        Blocker::Blackout,
        Blocker::DailyCapReached { cap: 5 },
        Blocker::PausedByCsp {
            reason: "field team stood down".into(),
        },
        Blocker::OutsideDispatchWindow {
            from_hour: 9,
            to_hour: 17,
        },
        Blocker::RejectedByRule {
            role: SupplyRole::Gas,
            by: Party::You,
            rule: commshub_ota::rules::RuleRef {
                rule: "r".into(),
                version: 2,
            },
            reason: "wait".into(),
        },
        Blocker::HeldByRule {
            by: Party::Customer {
                customer: "SUP-A".parse().unwrap(),
            },
            rule: commshub_ota::rules::RuleRef {
                rule: "r".into(),
                version: 1,
            },
            until: None,
        },
        Blocker::PrerequisiteMissing {
            version: "3.0".parse().unwrap(),
            device: commshub_ota::HanDeviceKind::Esme,
            model: "E-1".into(),
            has: "1.5".into(),
            needs: "2.0".into(),
        },
    ];
    for b in &all {
        // Exhaustive: a new blocker must be added to this list.
        match b {
            Blocker::CampaignNotStarted
            | Blocker::CampaignSuspended
            | Blocker::CampaignClosed { .. }
            | Blocker::WrongVariant
            | Blocker::AlreadyOnTarget
            | Blocker::NotOnPathway
            | Blocker::StepNotOnProductionCpl { .. }
            | Blocker::NotCommissioned { .. }
            | Blocker::PrerequisiteMissing { .. }
            | Blocker::RejectedByRule { .. }
            | Blocker::HeldByRule { .. }
            | Blocker::VulnerableInPilot
            | Blocker::NotInPilot
            | Blocker::AwaitingConsent { .. }
            | Blocker::Rejected { .. }
            | Blocker::UpgradeInFlight { .. }
            | Blocker::AttemptsExhausted { .. }
            | Blocker::RetryDelay { .. }
            | Blocker::ConfigurationSetHalted { .. }
            | Blocker::HeldBySupplier { .. }
            | Blocker::SuspendedByDefectFlag { .. }
            | Blocker::Blackout
            | Blocker::DailyCapReached { .. }
            | Blocker::PausedByCsp { .. }
            | Blocker::OutsideDispatchWindow { .. } => {}
        }
        let text = b.sentence();
        assert!(text.len() > 20, "{b:?}: {text}");
        assert!(text.chars().next().unwrap().is_uppercase(), "{text}");
    }
    assert!(all[10].sentence().starts_with("The other supplier"));
}

// --- issue 11, part 4: one party must not degrade the service for all ------------------

#[test]
fn toggling_a_whole_estate_approval_does_not_grow_the_other_suppliers_outbox() {
    let mut e = rolling(CampaignPolicy::default());
    for i in 0..300 {
        let cmd = if i % 2 == 0 {
            Command::WithdrawWholeEstateApproval(WithdrawWholeEstateApproval { campaign: camp(C1) })
        } else {
            Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) })
        };
        ok(&mut e, &cust("SUP-A"), t(3), cmd);
    }
    let page = e.notifications(&cust("SUP-E"), 1000).unwrap();
    let consents: Vec<_> = page
        .notifications
        .iter()
        .filter_map(|n| match &n.kind {
            commshub_ota::notices::NotificationKind::OtherSupplierConsented { hubs, .. } => {
                Some(hubs.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(consents, vec![vec![hub(20)]]);
    // Replay rebuilds the same outboxes.
    assert_eq!(
        Engine::replay(e.events().unwrap().to_vec())
            .unwrap()
            .state(),
        e.state()
    );
}

#[test]
fn open_campaigns_per_variant_are_bounded_and_closed_ones_do_not_count() {
    let mut e = rolling(CampaignPolicy::default());
    let create = |id: String| {
        Command::CreateCampaign(CreateCampaign {
            campaign: camp(&id),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: CampaignPolicy::default(),
        })
    };
    for n in 1..limits::MAX_LIVE_CAMPAIGNS_PER_VARIANT {
        ok(&mut e, &Actor::Dcc, t(3), create(format!("X{n}")));
    }
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        create("X99".into()),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("limit of 16"), "{err}");
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::CancelCampaign(CancelCampaign {
            campaign: camp("X1"),
            reason: "superseded".into(),
        }),
    );
    ok(&mut e, &Actor::Dcc, t(3), create("X99".into()));
}

#[test]
fn a_configuration_set_listed_many_times_is_taken_once_and_too_many_are_refused() {
    let mut e = rolling(CampaignPolicy::default());
    let set_y = e
        .state()
        .hub(&Actor::Dcc, hub(16))
        .unwrap()
        .configuration_set;
    let events = ok(
        &mut e,
        &cust("SUP-D"),
        t(3),
        Command::ApproveConfigurationSets(ApproveConfigurationSets {
            campaign: camp(C1),
            sets: vec![set_y.clone(); limits::MAX_SETS_PER_COMMAND],
        }),
    );
    let EventPayload::ConfigurationSetsApproved(ConfigurationSetsApproved { sets, .. }) =
        &events[0].payload
    else {
        panic!("{events:?}")
    };
    assert_eq!(sets, &vec![set_y.clone()]);
    let err = refused(
        &mut e,
        &cust("SUP-D"),
        t(3),
        Command::WithdrawConfigurationSetApprovals(WithdrawConfigurationSetApprovals {
            campaign: camp(C1),
            sets: vec![set_y; limits::MAX_SETS_PER_COMMAND + 1],
        }),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("limit of 10000"), "{err}");
}

#[test]
fn a_customers_suspending_flags_are_bounded() {
    let mut e = rolling(CampaignPolicy::default());
    let flag = |i: usize| {
        Command::FlagDefect(FlagDefect {
            subject: commshub_ota::defects::DefectSubject::Firmware {
                variant: vid(NORTH),
                version: fw("2.0"),
            },
            text: format!("finding {i}"),
            named: false,
            suspend_own: true,
        })
    };
    for i in 0..limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER {
        ok(&mut e, &cust("SUP-A"), t(3), flag(i));
    }
    let err = refused(
        &mut e,
        &cust("SUP-A"),
        t(3),
        flag(999),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("limit of 64"), "{err}");
    // Another customer's flags are its own count.
    ok(&mut e, &cust("SUP-D"), t(3), flag(0));
}

/// The boundary's numbers are signed (the JVM has no unsigned ones): a negative count or
/// position is refused as invalid input naming it, and changes nothing.
#[test]
fn a_negative_limit_offset_size_or_cursor_is_refused_naming_it() {
    let mut e = fixture();
    let before = e.state().last_seq();
    let refused = |e: &Engine, q: Query| e.query(&Actor::Dcc, &q).unwrap_err();
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 9, 0, 0).unwrap();
    for (query, field) in [
        (Query::Notifications { limit: -1 }, "limit"),
        (
            Query::UpgradeList {
                region: Region::North,
                at,
                offset: -5,
                limit: 10,
            },
            "offset",
        ),
        (
            Query::UpgradeList {
                region: Region::North,
                at,
                offset: 0,
                limit: -10,
            },
            "limit",
        ),
    ] {
        let err = refused(&e, query);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(field), "{err}");
        assert!(err.to_string().contains('-'), "names the value: {err}");
    }
    let err = e
        .execute(
            &Actor::Dcc,
            at,
            AcknowledgeNotifications { up_to: -1 }.into(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("up_to"), "{err}");
    assert_eq!(e.state().last_seq(), before, "nothing recorded");
}
