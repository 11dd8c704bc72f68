//! Issue 11: what testing as users and as an adversary broke, each fixed and pinned here.
//! Policy bounds and checked date arithmetic, automatic acts recorded as the system's, the
//! configuration-set and counter oracles, and the bound on every input.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use commshub_ota::campaign::CampaignChange;
use commshub_ota::journal::{read_jsonl_from, write_jsonl_to};
use commshub_ota::limits;
use commshub_ota::participation::policy_limits;
use commshub_ota::query::ConfigurationSet;
use commshub_ota::rollout::{HaltPolicy, HanHealth, HealthReport, Outcome, Pacing};
use commshub_ota::*;

fn create(policy: CampaignPolicy) -> Command {
    Command::CreateCampaign {
        campaign: camp("C9"),
        variant: vid(NORTH),
        target: fw("2.0"),
        cutoff: t(60),
        policy,
    }
}

fn field_of(err: &Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field.clone(),
        other => panic!("expected invalid_input, got {other}"),
    }
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
                reconciliation_timeout_hours: 2_300_000_000,
                ..d()
            },
            "policy.reconciliation_timeout_hours",
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
                    daily_cap: Some(u32::MAX),
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
    let mut events = e.events().to_vec();
    let last = events.len() - 1;
    if let EventPayload::CampaignCreated { policy, .. } = &mut events[last].payload {
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
        Command::CreateCampaign {
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
        },
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa {
            campaign: camp("C9"),
        },
    );
    // A hub stops answering at the last instant: its reconciliation deadline lies past the
    // calendar's end (unchecked, `t + timeout` panicked here).
    let end = DateTime::<Utc>::MAX_UTC;
    ok(
        &mut e,
        &cust("SUP-A"),
        end,
        Command::ApproveWholeEstate {
            campaign: camp("C9"),
        },
    );
    ok(
        &mut e,
        &csp(),
        end,
        Command::ReportOutcomes {
            campaign: camp("C9"),
            outcomes: [Outcome::Dispatched, Outcome::Delivered, Outcome::NoResponse]
                .into_iter()
                .map(|outcome| commshub_ota::rollout::OutcomeReport {
                    hub: hub(1),
                    outcome,
                })
                .collect(),
        },
    );
    let due = ok(&mut e, &Actor::Dcc, end, Command::CheckDeadlines {});
    assert!(
        due.iter()
            .all(|ev| !matches!(ev.payload, EventPayload::ReconciliationTimedOut { .. })),
        "a deadline past the calendar's end never falls due: {due:?}"
    );
    let replayed = Engine::replay(e.events().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
}

/// B's bad HAN-health report tips the campaign over its threshold: the halt and the suspension
/// are the system's acts, and no view, history or notice ties them to B (DOMAIN.md 14).
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
    };
    ok(
        &mut e,
        &cust("SUP-A"),
        t(4),
        Command::ReportHanHealth {
            campaign: camp(C1),
            reports: vec![bad(10)],
        },
    );
    let tipped = ok(
        &mut e,
        &cust("SUP-D"),
        t(4),
        Command::ReportHanHealth {
            campaign: camp(C1),
            reports: vec![bad(16)],
        },
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
        Command::CheckDeadlines {},
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
        |s| Command::ApproveConfigurationSets {
            campaign: camp(C1),
            sets: vec![s],
        },
        |s| Command::WithdrawConfigurationSetApprovals {
            campaign: camp(C1),
            sets: vec![s],
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
        Command::ApproveConfigurationSets {
            campaign: camp(C1),
            sets: vec![set_y],
        },
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
    let a = e.state().notifications(&cust("SUP-A"), 100).unwrap();
    assert!(!a.notifications.is_empty());
    assert!(a.notifications.iter().all(|n| n.event.is_none()));
    let d = e.state().notifications(&Actor::Dcc, 100).unwrap();
    assert!(d.notifications.iter().all(|n| n.event.is_some()));
}

#[test]
fn oversized_texts_and_lists_are_refused_naming_the_limit() {
    let mut e = rolling(CampaignPolicy::default());
    let long = "x".repeat(limits::MAX_TEXT_BYTES + 1);
    let cases: Vec<(Actor, Command, &str)> = vec![
        (
            cust("SUP-A"),
            Command::RejectHubs {
                campaign: camp(C1),
                hubs: vec![hub(11)],
                reason: long.clone(),
            },
            "reason",
        ),
        (
            Actor::Dcc,
            Command::SuspendCampaign {
                campaign: camp(C1),
                reason: long.clone(),
            },
            "reason",
        ),
        (
            cust("SUP-A"),
            Command::FlagDefect {
                subject: commshub_ota::defects::DefectSubject::Firmware {
                    variant: vid(NORTH),
                    version: fw("2.0"),
                },
                text: long.clone(),
                named: false,
                suspend_own: false,
            },
            "text",
        ),
        (
            cust("SUP-A"),
            Command::NominateHubs {
                campaign: camp(C1),
                hubs: vec![hub(11); limits::MAX_HUBS_PER_COMMAND + 1],
            },
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
    for (actor, cmd, field) in cases {
        let err = refused(&mut e, &actor, t(3), cmd, ErrorKind::InvalidInput);
        assert_eq!(field_of(&err), field);
        assert!(err.to_string().contains("limit"), "{err}");
    }
}

#[test]
fn a_hub_listed_many_times_is_taken_once_and_costs_nothing_twice() {
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign {
            campaign: camp(C1),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: CampaignPolicy::default(),
        },
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa { campaign: camp(C1) },
    );
    let events = ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(1); limits::MAX_HUBS_PER_COMMAND],
        },
    );
    let EventPayload::HubsNominated { hubs, refused, .. } = &events[0].payload else {
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
        Command::RejectHubs {
            campaign: camp(C1),
            hubs: (10..=14).map(hub).collect(),
            reason: reason.clone(),
        },
    );
    for n in 10..=14 {
        let ex = e
            .state()
            .explain(&cust("SUP-A"), &camp(C1), hub(n), t(3))
            .unwrap();
        assert!(format!("{ex:?}").contains(&reason[..100]));
    }
}
