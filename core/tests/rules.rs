//! Business rules (docs/domain.md decision 16, docs/rules.md, issue 24): the seed's examples,
//! each rule's act recorded as its owner's naming the rule and version, explained, replayed;
//! and every refusal.

mod common;

use common::*;
use commshub_ota::catalogue::Prerequisite;
use commshub_ota::command::*;
use commshub_ota::defects::DefectSubject;
use commshub_ota::eligibility::{Blocker, Party};
use commshub_ota::estate::ConfigurationSet;
use commshub_ota::event::*;
use commshub_ota::notices::NotificationKind;
use commshub_ota::rules::*;
use commshub_ota::*;

const C2: &str = "C2";

/// The rollout estate (hubs 10-14 SUP-A on set X, 15 SUP-D on X, 16-19 SUP-D on set Y with ESME
/// EM-B2 4.0, 20 split SUP-A/SUP-E), no campaign yet.
fn estate() -> Engine {
    let mut e = Engine::new();
    given_json(&mut e, "fixtures/rollout_estate.json");
    e
}

fn spec(name: &str, trigger: RuleTrigger, condition: &str, action: RuleAction) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        trigger,
        condition: condition.into(),
        action,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: false,
    }
}

fn save(e: &mut Engine, who: &Actor, day: i64, rule: RuleSpec) -> Vec<Event> {
    ok(e, who, t(day), Command::SaveRule(SaveRule { rule }))
}

fn create(e: &mut Engine, day: i64) -> Vec<Event> {
    ok(
        e,
        &Actor::Dcc,
        t(day),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp(C2),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }),
    )
}

fn pilot(e: &mut Engine, day: i64) -> Vec<Event> {
    ok(
        e,
        &Actor::Dcc,
        t(day),
        Command::GrantPilotOa(GrantPilotOa { campaign: camp(C2) }),
    )
}

fn rollout(e: &mut Engine, day: i64) -> Vec<Event> {
    ok(
        e,
        &Actor::Dcc,
        t(day),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C2),
            override_reason: Some("rules test: no pilot needed".into()),
        }),
    )
}

fn approve_whole_estate(e: &mut Engine, who: &Actor, day: i64) -> Vec<Event> {
    let campaign = camp(C2);
    ok(
        e,
        who,
        t(day),
        Command::ApproveWholeEstate(ApproveWholeEstate { campaign }),
    )
}

fn blockers(e: &Engine, who: &Actor, n: u64, day: i64) -> Vec<Blocker> {
    e.state()
        .explain(who, &camp(C2), hub(n), t(day))
        .unwrap()
        .blockers
}

fn awaits(e: &Engine, who: &Actor, n: u64, day: i64) -> bool {
    blockers(e, who, n, day)
        .iter()
        .any(|b| matches!(b, Blocker::AwaitingConsent { by: Party::You, .. }))
}

fn acts(events: &[Event]) -> Vec<&RuleActed> {
    events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::RuleActed(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn set_y() -> ConfigurationSet {
    estate()
        .state()
        .hub(&Actor::Dcc, hub(16))
        .unwrap()
        .configuration_set
}

fn replays_the_same(e: &Engine) {
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state(), "replay decided otherwise");
}

// --- the seed's examples --------------------------------------------------------------------

/// 1. Approve, in every campaign, the sets I am happy with (ESME EM-B2 at 4.0 or later); never
///    those with ESME EM-A1.
#[test]
fn a_customer_approves_the_sets_it_is_happy_with_in_every_new_campaign() {
    let mut e = estate();
    let d = cust("SUP-D");
    save(
        &mut e,
        &d,
        1,
        spec(
            "happy sets",
            RuleTrigger::CampaignCreated,
            r#"esme.model == "EM-B2" && esme.firmware >= version("4.0")"#,
            RuleAction::Approve,
        ),
    );
    save(
        &mut e,
        &d,
        1,
        spec(
            "never EM-A1",
            RuleTrigger::CampaignCreated,
            r#"esme.model == "EM-A1""#,
            RuleAction::Reject {
                reason: "EM-A1 needs more testing".into(),
            },
        ),
    );
    let events = create(&mut e, 2);
    let acted = acts(&events);
    assert_eq!(acted.len(), 2, "{acted:?}");
    let approve = acted.iter().find(|a| a.rule.rule == "happy sets").unwrap();
    assert_eq!(approve.owner, d);
    assert_eq!(approve.rule.version, 1);
    assert!(
        matches!(&approve.act, RuleAct::Approved { sets, hubs, .. } if sets == &vec![set_y()] && hubs.is_empty())
    );
    // Recorded as the owner's act, naming the rule.
    let ev = events
        .iter()
        .find(|e| matches!(&e.payload, EventPayload::RuleActed(a) if a.rule.rule == "happy sets"))
        .unwrap();
    assert_eq!(ev.actor, d);
    // Hub 16 (set Y) is approved by the rule, and explain names it; hub 15 (EM-A1) is rejected.
    assert!(!awaits(&e, &d, 16, 2));
    let why = e.state().explain(&d, &camp(C2), hub(16), t(2)).unwrap();
    assert_eq!(
        why.rules[0].rule,
        RuleRef {
            rule: "happy sets".into(),
            version: 1
        }
    );
    assert_eq!(why.rules[0].did, "approved");
    let b15 = blockers(&e, &d, 15, 2);
    assert!(
        b15.iter().any(
            |b| matches!(b, Blocker::RejectedByRule { rule, .. } if rule.rule == "never EM-A1")
        ),
        "{b15:?}"
    );
    // The DCC sees the rule's owner; a CSP sees a rejection by an unnamed supplier, no rule.
    assert_eq!(
        e.state()
            .explain(&Actor::Dcc, &camp(C2), hub(16), t(2))
            .unwrap()
            .rules[0]
            .customer,
        Some(cid("SUP-D"))
    );
    let csp_view = e.state().explain(&csp(), &camp(C2), hub(15), t(2)).unwrap();
    assert!(
        csp_view.blockers.iter().any(|b| matches!(
            b,
            Blocker::Rejected {
                by: Party::Unnamed,
                reason: None,
                ..
            }
        )),
        "{csp_view:?}"
    );
    assert!(csp_view.rules.is_empty());
    // A future hub of set Y is covered too (a set's approval).
    replays_the_same(&e);
}

/// 2. The DCC's rule sets each new campaign's cut-off 30 days after the OA for mass rollout,
///    with 14 more days for SUP-D.
#[test]
fn the_dccs_rule_sets_cut_offs_after_the_mass_rollout_oa() {
    let mut e = estate();
    save(
        &mut e,
        &Actor::Dcc,
        1,
        spec(
            "cut-offs",
            RuleTrigger::CampaignPhaseChanged,
            r#"trigger.phase == "mass_rollout""#,
            RuleAction::SetCutoffs {
                days: 30,
                extra: vec![CutoffExtra {
                    customer: cid("SUP-D"),
                    days: 14,
                }],
            },
        ),
    );
    create(&mut e, 2);
    assert!(
        acts(&pilot(&mut e, 3)).is_empty(),
        "not the phase the rule waits for"
    );
    let events = rollout(&mut e, 5);
    let acted = acts(&events);
    assert_eq!(acted.len(), 1);
    let view = e.state().campaign(&Actor::Dcc, &camp(C2)).unwrap();
    assert_eq!(view.default_cutoff, t(35));
    let d = e.state().campaign(&cust("SUP-D"), &camp(C2)).unwrap();
    assert_eq!(
        d.cutoffs.iter().map(|c| c.until).collect::<Vec<_>>(),
        vec![t(49)]
    );
    replays_the_same(&e);
}

/// 3. Approve sets whenever a hub with them is installed: a hub installed mid-campaign is
///    approved at once if its set matches.
#[test]
fn a_hub_installed_mid_campaign_is_approved_at_once_when_its_set_matches() {
    let mut e = estate();
    let a = cust("SUP-A");
    create(&mut e, 2);
    pilot(&mut e, 3);
    rollout(&mut e, 4);
    save(
        &mut e,
        &a,
        5,
        spec(
            "new EM-A1 hubs",
            RuleTrigger::HubInstalled,
            r#"esme.model == "EM-A1""#,
            RuleAction::Approve,
        ),
    );
    let mut row = row(0x30, NORTH, "1.1", Some("SUP-A"), None);
    row.id = hub(30);
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(6),
        Command::InstallHub(InstallHub { hub: Box::new(row) }),
    );
    let acted = acts(&events);
    assert!(
        matches!(&acted[0].act, RuleAct::Approved { hubs, sets, .. } if hubs == &vec![hub(30)] && sets.is_empty()),
        "{acted:?}"
    );
    assert!(
        e.state()
            .explain(&a, &camp(C2), hub(30), t(6))
            .unwrap()
            .upgradeable
    );
    // Hub 10, installed before the rule, still waits for SUP-A.
    assert!(awaits(&e, &a, 10, 6));
    replays_the_same(&e);
}

/// 4. "Meter upgrade alerted, once complete the hub upgrade is executed": 2.0 needs ESME EM-B2
///    at 4.10; when the ESME's change to 4.10 is recorded, SUP-D's rule approves the hub.
#[test]
fn a_device_firmware_change_triggers_the_hub_upgrade() {
    let mut e = estate();
    let d = cust("SUP-D");
    ok(
        &mut e,
        &csp(),
        t(1),
        Command::SetFirmwarePrerequisites(SetFirmwarePrerequisites {
            variant: vid(NORTH),
            version: fw("2.0"),
            prerequisites: vec![Prerequisite {
                device: HanDeviceKind::Esme,
                model: Some("EM-B2".into()),
                min_firmware: "4.10".into(),
            }],
        }),
    );
    create(&mut e, 2);
    pilot(&mut e, 3);
    rollout(&mut e, 4);
    save(
        &mut e,
        &d,
        5,
        spec(
            "after the meter",
            RuleTrigger::HanDeviceFirmwareChanged,
            r#"trigger.device == "esme" && version("4.10") <= esme.firmware"#,
            RuleAction::Approve,
        ),
    );
    let b = blockers(&e, &d, 16, 5);
    assert!(
        b.iter().any(|b| b.kind() == "prerequisite_missing") && awaits(&e, &d, 16, 5),
        "{b:?}"
    );
    let change = |firmware: &str| {
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(16),
            device: HanDeviceKind::Esme,
            firmware: firmware.into(),
        })
    };
    // 4.9 is below 4.10: nothing.
    assert!(acts(&ok(&mut e, &Actor::Dcc, t(6), change("4.9"))).is_empty());
    let events = ok(&mut e, &Actor::Dcc, t(7), change("4.10"));
    assert_eq!(acts(&events).len(), 1);
    assert!(
        e.state()
            .explain(&d, &camp(C2), hub(16), t(7))
            .unwrap()
            .upgradeable
    );
    assert!(awaits(&e, &d, 17, 7), "only the changed hub");
    replays_the_same(&e);
}

/// 5. Hold hubs until 30 days after commissioning; put hubs commissioned this month first.
#[test]
fn new_hubs_are_held_for_30_days_and_recent_ones_put_first() {
    let mut e = estate();
    let a = cust("SUP-A");
    create(&mut e, 2);
    pilot(&mut e, 3);
    rollout(&mut e, 4);
    approve_whole_estate(&mut e, &a, 4);
    save(
        &mut e,
        &a,
        5,
        spec(
            "settle in",
            RuleTrigger::HubCommissioned,
            "",
            RuleAction::Hold {
                reason: "let it settle".into(),
                days: Some(30),
                from: HoldFrom::Commission,
            },
        ),
    );
    save(
        &mut e,
        &a,
        5,
        spec(
            "recent first",
            RuleTrigger::HubCommissioned,
            "now - hub.commissioned < days(31)",
            RuleAction::Prioritise,
        ),
    );
    let mut r = row(0x31, NORTH, "1.1", Some("SUP-A"), None);
    r.id = hub(31);
    r.smi_status = SmiStatus::InstalledNotCommissioned;
    r.commissioned_on = None;
    assert!(acts(&ok(
        &mut e,
        &Actor::Dcc,
        t(6),
        Command::InstallHub(InstallHub { hub: Box::new(r) })
    ))
    .is_empty());
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(9),
        Command::CommissionHub(CommissionHub {
            hub: hub(31),
            on: date(2026, 1, 10),
        }),
    );
    let acted = acts(&events);
    assert_eq!(acted.len(), 2, "{acted:?}");
    let until = date(2026, 2, 9).and_hms_opt(0, 0, 0).unwrap().and_utc();
    let held = blockers(&e, &a, 31, 12);
    assert_eq!(
        held,
        vec![Blocker::HeldByRule {
            by: Party::You,
            rule: RuleRef {
                rule: "settle in".into(),
                version: 1
            },
            until: Some(until)
        }]
    );
    assert!(
        held[0].sentence().contains("settle in"),
        "{}",
        held[0].sentence()
    );
    // The co-supplier or a CSP would see only a supplier's hold; the DCC sees whose.
    assert!(matches!(
        &blockers(&e, &csp(), 31, 12)[0],
        Blocker::HeldBySupplier {
            by: Party::Unnamed,
            reason: None
        }
    ));
    assert!(matches!(
        &blockers(&e, &Actor::Dcc, 31, 12)[0],
        Blocker::HeldByRule {
            by: Party::Customer { .. },
            ..
        }
    ));
    // After the 30 days it goes, first in the CSP's list.
    assert!(
        e.state()
            .explain(&a, &camp(C2), hub(31), t(40))
            .unwrap()
            .upgradeable
    );
    let page = e
        .upgrade_list(&csp(), Region::North, t(40), 0, 100)
        .unwrap();
    assert_eq!(
        page.entries[0].hub,
        hub(31),
        "{:?}",
        page.entries.iter().map(|u| u.hub).collect::<Vec<_>>()
    );
    let why = e.state().explain(&a, &camp(C2), hub(31), t(40)).unwrap();
    assert!(why
        .rules
        .iter()
        .any(|n| n.did == "prioritised" && n.rule.rule == "recent first"));
    replays_the_same(&e);
}

/// 6. When a campaign of my variant enters mass rollout, hold my hubs on the sets where I
///    raised a defect flag, and tell me.
#[test]
fn mass_rollout_holds_the_sets_i_flagged_and_tells_me() {
    let mut e = estate();
    let d = cust("SUP-D");
    create(&mut e, 2);
    pilot(&mut e, 3);
    approve_whole_estate(&mut e, &d, 3);
    ok(
        &mut e,
        &d,
        t(3),
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::ConfigurationSet { set: set_y() },
            text: "display freezes after upgrade".into(),
            named: false,
            suspend_own: false,
        }),
    );
    let mut rule = spec(
        "hold flagged sets",
        RuleTrigger::CampaignPhaseChanged,
        r#"trigger.phase == "mass_rollout" && set.flagged_by_me"#,
        RuleAction::Hold {
            reason: "our defect flag".into(),
            days: None,
            from: HoldFrom::Trigger,
        },
    );
    rule.notify = true;
    save(&mut e, &d, 4, rule);
    let events = rollout(&mut e, 5);
    let acted = acts(&events);
    assert!(
        matches!(&acted[0].act, RuleAct::Held { sets, until: None, .. } if sets == &vec![set_y()]),
        "{acted:?}"
    );
    assert!(matches!(
        &blockers(&e, &d, 16, 5)[0],
        Blocker::HeldByRule { .. }
    ));
    assert!(
        e.state()
            .explain(&d, &camp(C2), hub(15), t(5))
            .unwrap()
            .upgradeable
    );
    let told: Vec<_> = e
        .notifications(&d, 100)
        .unwrap()
        .notifications
        .into_iter()
        .filter(|n| matches!(&n.kind, NotificationKind::RuleActed { rule, act, set_count: 1, .. } if rule.rule == "hold flagged sets" && act == "hold"))
        .collect();
    assert_eq!(told.len(), 1);
    assert!(!e
        .notifications(&cust("SUP-A"), 100)
        .unwrap()
        .notifications
        .iter()
        .any(|n| matches!(n.kind, NotificationKind::RuleActed { .. })));
    // A release rule lifts the hold: a date rule, when the host's clock passes its date.
    save(
        &mut e,
        &d,
        6,
        spec(
            "release on the 20th",
            RuleTrigger::DateReached { at: t(20) },
            "set.flagged_by_me",
            RuleAction::Release,
        ),
    );
    assert!(acts(&ok(
        &mut e,
        &Actor::Dcc,
        t(19),
        Command::CheckDeadlines(CheckDeadlines {})
    ))
    .is_empty());
    let released = ok(
        &mut e,
        &Actor::Dcc,
        t(20),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    assert_eq!(acts(&released).len(), 1);
    assert!(
        e.state()
            .explain(&d, &camp(C2), hub(16), t(20))
            .unwrap()
            .upgradeable
    );
    // A date rule acts once.
    assert!(acts(&ok(
        &mut e,
        &Actor::Dcc,
        t(21),
        Command::CheckDeadlines(CheckDeadlines {})
    ))
    .is_empty());
    assert!(e
        .state()
        .rules(&d)
        .unwrap()
        .iter()
        .any(|r| r.spec.name == "release on the 20th" && r.fired_at == Some(t(20))));
    replays_the_same(&e);
}

// --- conflicts, versions, listing, dry run ---------------------------------------------------

#[test]
fn of_two_rules_the_higher_priority_then_the_safer_acts_and_the_dry_run_shows_it() {
    let mut e = estate();
    let d = cust("SUP-D");
    save(
        &mut e,
        &d,
        1,
        spec(
            "approve all",
            RuleTrigger::CampaignCreated,
            "",
            RuleAction::Approve,
        ),
    );
    let reject = spec(
        "reject Y",
        RuleTrigger::CampaignCreated,
        r#"esme.model == "EM-B2""#,
        RuleAction::Reject {
            reason: "wait".into(),
        },
    );
    // At equal priority the safer (reject) acts first: the dry run shows the approval loses
    // set Y's 4 hubs.
    let dry = e.state().dry_run_rule(&d, &reject, t(1)).unwrap();
    assert!(dry.counts.is_empty(), "no campaign yet: {dry:?}");
    create(&mut e, 2);
    let dry = e
        .state()
        .dry_run_rule(
            &d,
            &spec(
                "approve all",
                RuleTrigger::CampaignCreated,
                "hub.smi_status == \"commissioned\"",
                RuleAction::Approve,
            ),
            t(2),
        )
        .unwrap();
    assert_eq!(dry.version, 2);
    assert_eq!(dry.counts.len(), 1);
    assert_eq!(
        (dry.counts[0].act.as_str(), dry.counts[0].hubs),
        ("approved", 5)
    );
    save(&mut e, &d, 2, reject.clone());
    let dry = e
        .state()
        .dry_run_rule(
            &d,
            &spec(
                "approve all",
                RuleTrigger::CampaignCreated,
                "",
                RuleAction::Approve,
            ),
            t(2),
        )
        .unwrap();
    assert_eq!(dry.overridden, 4, "{dry:?}");
    assert_eq!(dry.counts[0].sets, 1, "only set X is left to it: {dry:?}");
    // Given priority, the approval wins.
    let mut first = spec(
        "approve all",
        RuleTrigger::CampaignCreated,
        "",
        RuleAction::Approve,
    );
    first.priority = 10;
    let events = save(&mut e, &d, 3, first);
    assert!(matches!(&events[0].payload, EventPayload::RuleSaved(s) if s.version == 2));
    let dry = e.state().dry_run_rule(&d, &reject, t(3)).unwrap();
    assert_eq!((dry.overridden, dry.counts.len()), (4, 0), "{dry:?}");
    let listed = e.state().rules(&d).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.spec.name.as_str(), r.version))
            .collect::<Vec<_>>(),
        vec![("approve all", 2), ("reject Y", 1)]
    );
    // Nobody else lists them.
    assert!(e.state().rules(&cust("SUP-A")).unwrap().is_empty());
    assert!(e.state().rules(&Actor::Dcc).unwrap().is_empty());
    // Retired: listed as such, acts no more, and the name can be used again (version 3).
    ok(
        &mut e,
        &d,
        t(4),
        Command::RetireRule(RetireRule {
            name: "approve all".into(),
        }),
    );
    assert!(e.state().rules(&d).unwrap()[0].retired_at.is_some());
    let again = save(
        &mut e,
        &d,
        5,
        spec(
            "approve all",
            RuleTrigger::HubInstalled,
            "",
            RuleAction::Approve,
        ),
    );
    assert!(matches!(&again[0].payload, EventPayload::RuleSaved(s) if s.version == 3));
    replays_the_same(&e);
}

// --- refusals ----------------------------------------------------------------------------------

fn refused_rule(e: &mut Engine, who: &Actor, rule: RuleSpec, kind: ErrorKind) -> Error {
    refused(e, who, t(1), Command::SaveRule(SaveRule { rule }), kind)
}

fn bad_condition(condition: &str, trigger: RuleTrigger, action: RuleAction) -> (i32, i32, String) {
    let mut e = estate();
    let err = refused_rule(
        &mut e,
        &cust("SUP-A"),
        spec("r", trigger, condition, action),
        ErrorKind::InvalidCondition,
    );
    match err {
        Error::InvalidCondition {
            line,
            column,
            reason,
        } => (line, column, reason),
        other => panic!("{other}"),
    }
}

#[test]
fn a_bad_condition_is_refused_with_where_and_why() {
    let on = || RuleTrigger::CampaignCreated;
    for (condition, line, column, says) in [
        ("esme.model ==", 1, 14, "syntax"),
        (
            "esme.firmwar == version(\"2\")",
            1,
            6,
            "unknown attribute esme.firmwar",
        ),
        (
            "esme.firmware >= \"2.0\"",
            1,
            15,
            "write the text as a version",
        ),
        ("hub.smi_status == \"comissioned\"", 1, 19, "can never hold"),
        ("esme.model", 1, 1, "must be a bool"),
        (
            "size(hub.id) > 2 && frobnicate(hub.id)",
            1,
            21,
            "unknown function frobnicate",
        ),
        (
            "hub.my_roles.all(r, hub.my_roles.exists(s, s == r))",
            1,
            41,
            "inside another",
        ),
        ("{\"a\": 1}.size() > 0", 1, 1, "map"),
        ("wibble", 1, 1, "unknown name wibble"),
        ("hub.protected && 1", 1, 15, "does not take"),
    ] {
        let (l, c, reason) = bad_condition(condition, on(), RuleAction::Approve);
        assert!(reason.contains(says), "{condition}: {reason}");
        assert_eq!((l, c), (line, column), "{condition}: {reason}");
    }
    // Over the bounds: size and nesting.
    let long = format!("hub.id == \"{}\"", "A".repeat(3000));
    let err = refused_rule(
        &mut estate(),
        &cust("SUP-A"),
        spec("r", on(), &long, RuleAction::Approve),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "rule.condition");
    let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let reason = bad_condition(&deep, on(), RuleAction::Approve).2;
    assert!(
        reason.contains("deeper") || reason.contains("syntax"),
        "{reason}"
    );
    let row = format!("[{}]", ["1"; 10].join(","));
    let wide = format!("[{}] != []", vec![row.as_str(); 30].join(","));
    assert!(bad_condition(&wide, on(), RuleAction::Approve)
        .2
        .contains("parts"));
    // A campaign attribute where no campaign is at hand; a hub's where no hub is.
    assert!(bad_condition(
        "campaign.phase == \"pilot\"",
        RuleTrigger::HubInstalled,
        RuleAction::Hold {
            reason: "x".into(),
            days: None,
            from: HoldFrom::Trigger
        }
    )
    .2
    .contains("no campaign"));
    assert!(bad_condition(
        "hub.protected",
        RuleTrigger::CampaignCreated,
        RuleAction::Notify { text: "x".into() }
    )
    .2
    .contains("no hub"));
}

#[test]
fn every_other_refused_rule_names_what_was_wrong() {
    let mut e = estate();
    let a = cust("SUP-A");
    // An action the owner may not take.
    let cutoffs = RuleAction::SetCutoffs {
        days: 30,
        extra: vec![],
    };
    refused_rule(
        &mut e,
        &a,
        spec("c", RuleTrigger::CampaignCreated, "", cutoffs.clone()),
        ErrorKind::NotPermitted,
    );
    refused_rule(
        &mut e,
        &csp(),
        spec("c", RuleTrigger::CampaignCreated, "", RuleAction::Approve),
        ErrorKind::NotPermitted,
    );
    refused_rule(
        &mut e,
        &Actor::Dcc,
        spec("c", RuleTrigger::CampaignCreated, "", RuleAction::Approve),
        ErrorKind::NotPermitted,
    );
    // set_cutoffs on a hub's trigger; an unknown customer in it.
    let err = refused_rule(
        &mut e,
        &Actor::Dcc,
        spec("c", RuleTrigger::HubInstalled, "", cutoffs),
        ErrorKind::InvalidInput,
    );
    assert_eq!(field_of(&err), "rule.trigger");
    let unknown = RuleAction::SetCutoffs {
        days: 30,
        extra: vec![CutoffExtra {
            customer: cid("SUP-Z"),
            days: 3,
        }],
    };
    refused_rule(
        &mut e,
        &Actor::Dcc,
        spec("c", RuleTrigger::CampaignCreated, "", unknown),
        ErrorKind::NotFound,
    );
    // Malformed or over a bound.
    for (rule, field) in [
        (
            spec("", RuleTrigger::HubInstalled, "", RuleAction::Approve),
            "rule.name",
        ),
        (
            spec("a/b", RuleTrigger::HubInstalled, "", RuleAction::Approve),
            "rule.name",
        ),
        (
            spec(
                &"n".repeat(65),
                RuleTrigger::HubInstalled,
                "",
                RuleAction::Approve,
            ),
            "rule.name",
        ),
        (
            RuleSpec {
                priority: 1001,
                ..spec("p", RuleTrigger::HubInstalled, "", RuleAction::Approve)
            },
            "rule.priority",
        ),
        (
            RuleSpec {
                active_from: Some(t(5)),
                active_until: Some(t(4)),
                ..spec("p", RuleTrigger::HubInstalled, "", RuleAction::Approve)
            },
            "rule.active_until",
        ),
        (
            spec(
                "r",
                RuleTrigger::HubInstalled,
                "",
                RuleAction::Reject { reason: " ".into() },
            ),
            "rule.action.reason",
        ),
        (
            spec(
                "h",
                RuleTrigger::HubInstalled,
                "",
                RuleAction::Hold {
                    reason: "x".into(),
                    days: Some(4000),
                    from: HoldFrom::Install,
                },
            ),
            "rule.action.days",
        ),
        (
            spec(
                "n",
                RuleTrigger::HubInstalled,
                "",
                RuleAction::Notify {
                    text: "x".repeat(5000),
                },
            ),
            "rule.action.text",
        ),
    ] {
        let err = refused_rule(&mut e, &a, rule, ErrorKind::InvalidInput);
        assert_eq!(field_of(&err), field);
    }
    // Too many rules.
    for i in 0..64 {
        save(
            &mut e,
            &a,
            1,
            spec(
                &format!("r{i}"),
                RuleTrigger::HubInstalled,
                "",
                RuleAction::Approve,
            ),
        );
    }
    let err = refused_rule(
        &mut e,
        &a,
        spec(
            "one more",
            RuleTrigger::HubInstalled,
            "",
            RuleAction::Approve,
        ),
        ErrorKind::InvalidInput,
    );
    assert!(err.to_string().contains("64"), "{err}");
    // The same again is no change; another's rule or an unknown one is not found.
    let err = refused_rule(
        &mut e,
        &a,
        spec("r0", RuleTrigger::HubInstalled, "", RuleAction::Approve),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(rule_of(&err), Rule::NoChange);
    refused(
        &mut e,
        &cust("SUP-D"),
        t(1),
        Command::RetireRule(RetireRule { name: "r0".into() }),
        ErrorKind::NotFound,
    );
    refused(
        &mut e,
        &a,
        t(1),
        Command::RetireRule(RetireRule {
            name: "nope".into(),
        }),
        ErrorKind::NotFound,
    );
    // The system makes no rules; the dry run is refused as saving would be.
    refused_rule(
        &mut e,
        &Actor::System,
        spec("s", RuleTrigger::HubInstalled, "", RuleAction::Approve),
        ErrorKind::NotPermitted,
    );
    let err = e
        .state()
        .dry_run_rule(
            &a,
            &spec("x", RuleTrigger::HubInstalled, "nope", RuleAction::Approve),
            t(1),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCondition);
}

// --- replay, forgery, privacy ------------------------------------------------------------------

#[test]
fn a_log_cannot_attach_acts_to_a_rule_that_did_not_make_them() {
    let mut e = estate();
    let d = cust("SUP-D");
    save(
        &mut e,
        &d,
        1,
        spec(
            "happy sets",
            RuleTrigger::CampaignCreated,
            r#"esme.model == "EM-B2""#,
            RuleAction::Approve,
        ),
    );
    create(&mut e, 2);
    let events = e.events().unwrap().to_vec();
    let at = events
        .iter()
        .position(|e| matches!(e.payload, EventPayload::RuleActed(_)))
        .unwrap();
    // The act on another supplier's hub.
    let mut forged = events.clone();
    if let EventPayload::RuleActed(a) = &mut forged[at].payload {
        a.act = RuleAct::Approved {
            campaign: camp(C2),
            sets: vec![],
            hubs: vec![hub(10)],
        };
    }
    let err = Engine::replay(forged).map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptLog, "{err}");
    // An act recorded as another party's.
    let mut forged = events.clone();
    forged[at].actor = cust("SUP-A");
    if let EventPayload::RuleActed(a) = &mut forged[at].payload {
        a.owner = cust("SUP-A");
    }
    assert_eq!(
        Engine::replay(forged).map(|_| ()).unwrap_err().kind(),
        ErrorKind::CorruptLog
    );
    // An act of another action than the rule's.
    let mut forged = events;
    if let EventPayload::RuleActed(a) = &mut forged[at].payload {
        a.act = RuleAct::Rejected {
            campaign: camp(C2),
            sets: vec![],
            hubs: vec![hub(16)],
            reason: "x".into(),
        };
    }
    assert_eq!(
        Engine::replay(forged).map(|_| ()).unwrap_err().kind(),
        ErrorKind::CorruptLog
    );
}

/// A log cannot give a party more live rules than its commands could have saved.
#[test]
fn a_log_holds_no_more_rules_of_a_party_than_the_bound() {
    let mut e = estate();
    let d = cust("SUP-D");
    for i in 0..limits::MAX_RULES_PER_PARTY {
        let rule = spec(
            &format!("r{i}"),
            RuleTrigger::HubInstalled,
            "",
            RuleAction::Approve,
        );
        save(&mut e, &d, 1, rule);
    }
    let mut events = e.events().unwrap().to_vec();
    assert!(Engine::replay(events.clone()).is_ok());
    let mut one_more = events.last().unwrap().clone();
    one_more.seq += 1;
    if let EventPayload::RuleSaved(s) = &mut one_more.payload {
        s.rule.name = "one too many".into();
        s.version = 1;
    }
    events.push(one_more);
    let err = Engine::replay(events).map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptLog, "{err}");
    assert!(err.to_string().contains("rules"), "{err}");
}

/// Another party's rules and their acts never change what SUP-A reads (decision 13).
#[test]
fn another_suppliers_rules_change_nothing_a_customer_reads() {
    let story = |with_rules: bool| {
        let mut e = estate();
        let d = cust("SUP-D");
        if with_rules {
            let mut r = spec(
                "hold Y",
                RuleTrigger::CampaignCreated,
                r#"esme.model == "EM-B2""#,
                RuleAction::Hold {
                    reason: "mine".into(),
                    days: None,
                    from: HoldFrom::Trigger,
                },
            );
            r.notify = true;
            save(&mut e, &d, 1, r);
            save(
                &mut e,
                &d,
                1,
                spec(
                    "first",
                    RuleTrigger::CampaignCreated,
                    "",
                    RuleAction::Prioritise,
                ),
            );
            save(
                &mut e,
                &d,
                1,
                spec(
                    "tell",
                    RuleTrigger::HubInstalled,
                    "",
                    RuleAction::Notify {
                        text: "new hub".into(),
                    },
                ),
            );
        }
        create(&mut e, 2);
        pilot(&mut e, 3);
        rollout(&mut e, 4);
        ok(
            &mut e,
            &cust("SUP-A"),
            t(4),
            Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C2) }),
        );
        e
    };
    let (plain, ruled) = (story(false), story(true));
    let a = cust("SUP-A");
    let reads = |e: &Engine| {
        let mut out = Vec::new();
        for q in [
            serde_json::json!({"name": "campaign", "campaign": C2}),
            serde_json::json!({"name": "campaigns"}),
            serde_json::json!({"name": "customer_estate", "customer": "SUP-A"}),
            serde_json::json!({"name": "participation", "campaign": C2, "customer": "SUP-A", "at": t(5)}),
            serde_json::json!({"name": "notifications"}),
            serde_json::json!({"name": "rules"}),
            serde_json::json!({"name": "configuration_sets", "customer": "SUP-A"}),
        ] {
            out.push(e.query_json(&a, &q.to_string()).unwrap());
        }
        for n in [10, 11, 12, 13, 14, 20] {
            let q =
                serde_json::json!({"name": "explain", "campaign": C2, "hub": hub(n), "at": t(5)});
            out.push(e.query_json(&a, &q.to_string()).unwrap());
        }
        out
    };
    assert_eq!(reads(&plain), reads(&ruled));
    // And SUP-D's own reads did change (the rules acted).
    assert_ne!(
        plain
            .state()
            .explain(&cust("SUP-D"), &camp(C2), hub(16), t(5))
            .unwrap(),
        ruled
            .state()
            .explain(&cust("SUP-D"), &camp(C2), hub(16), t(5))
            .unwrap()
    );
}

// --- the language's documentation and its version order ----------------------------------------

#[test]
fn docs_rules_md_lists_every_attribute_and_function() {
    let doc = std::fs::read_to_string(tests_dir().join("../docs/rules.md")).unwrap();
    for a in commshub_ota::rule_conditions::attributes() {
        assert!(
            doc.contains(&format!("`{}`", a.name)),
            "docs/rules.md lacks {}",
            a.name
        );
    }
    for (f, _) in commshub_ota::rule_conditions::FUNCTIONS {
        let name = f
            .split(['(', ','])
            .next()
            .unwrap()
            .trim_start_matches("string.")
            .trim_start_matches("list.");
        assert!(doc.contains(name), "docs/rules.md lacks {name}");
    }
}

/// The code blocks of `language` in docs/rules.md, each line without its indentation.
fn doc_blocks(language: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(tests_dir().join("../docs/rules.md")).unwrap();
    let fence = format!("```{language}\n");
    doc.split(&fence)
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default().to_string())
        .collect()
}

/// Lines without their indentation, joined: a snippet and the code it is in compare so.
fn unindented(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// docs/rules.md's two rules in Rust, as written there (the test checks they are).
fn docs_two_rules(
    engine: &mut Engine,
    supplier: Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<DryRun, Error> {
    use commshub_ota::command::SaveRule;
    use commshub_ota::rules::{HoldFrom, RuleAction, RuleSpec, RuleTrigger};

    let happy = RuleSpec {
        name: "happy sets".into(),
        trigger: RuleTrigger::CampaignCreated,
        condition: r#"esme.model == "EM-B2" && version("4.0") <= esme.firmware"#.into(),
        action: RuleAction::Approve,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: false,
    };
    let settle = RuleSpec {
        name: "settle in".into(),
        trigger: RuleTrigger::HubCommissioned,
        condition: String::new(),
        action: RuleAction::Hold {
            reason: "let it settle".into(),
            days: Some(30),
            from: HoldFrom::Commission,
        },
        priority: 0,
        active_from: None,
        active_until: None,
        notify: true,
    };
    let dry = engine.state().dry_run_rule(&supplier, &happy, at)?;
    engine.execute(&supplier, at, SaveRule { rule: happy }.into())?;
    engine.execute(&supplier, at, SaveRule { rule: settle }.into())?;
    Ok(dry)
}

#[test]
fn docs_rules_md_rust_snippet_is_this_code_and_runs() {
    let blocks = doc_blocks("rust");
    assert_eq!(blocks.len(), 1, "one Rust block in docs/rules.md");
    let source = include_str!("rules.rs");
    assert!(
        unindented(source).contains(&unindented(&blocks[0])),
        "docs/rules.md's Rust block differs from docs_two_rules in core/tests/rules.rs"
    );
    let mut e = estate();
    let d = cust("SUP-D");
    create(&mut e, 2);
    let dry = docs_two_rules(&mut e, d.clone(), t(3)).unwrap();
    assert_eq!(
        dry.counts
            .iter()
            .map(|c| (c.act.as_str(), c.hubs_in_sets))
            .collect::<Vec<_>>(),
        vec![("approved", 4)],
        "SUP-D's hubs on set Y: {dry:?}"
    );
    let names: Vec<String> = e
        .state()
        .rules(&d)
        .unwrap()
        .into_iter()
        .map(|r| r.spec.name)
        .collect();
    assert_eq!(names, ["happy sets", "settle in"]);
}

mod version_order {
    use commshub_ota::kernel::version::compare_versions;
    use commshub_ota::rule_conditions::version_key;
    use proptest::prelude::*;

    proptest! {
        /// The condition language's `version()` orders versions as prerequisites do.
        #[test]
        fn version_keys_sort_as_versions_compare(a in "[0-9a-z]{1,3}([.\\-_+][0-9a-z]{1,3}){0,3}", b in "[0-9a-z]{1,3}([.\\-_+][0-9a-z]{1,3}){0,3}") {
            prop_assert_eq!(version_key(&a).cmp(&version_key(&b)), compare_versions(&a, &b), "{} vs {}", a, b);
        }
    }
}

// --- the same decisions from a log, a signed log, a store and a snapshot -------------------------

/// Examples 1, 4 and 6's rules on one engine `e` (in memory, signed, or on a store).
fn rule_heavy_story(e: &mut Engine) {
    given_json(e, "fixtures/rollout_estate.json");
    let d = cust("SUP-D");
    save(
        e,
        &d,
        1,
        spec(
            "happy sets",
            RuleTrigger::CampaignCreated,
            r#"esme.model == "EM-B2""#,
            RuleAction::Approve,
        ),
    );
    save(
        e,
        &d,
        1,
        spec(
            "meter",
            RuleTrigger::HanDeviceFirmwareChanged,
            r#"version("4.1") <= esme.firmware"#,
            RuleAction::Prioritise,
        ),
    );
    let mut hold = spec(
        "hold flagged",
        RuleTrigger::CampaignPhaseChanged,
        r#"trigger.phase == "mass_rollout" && set.flagged_by_me"#,
        RuleAction::Hold {
            reason: "flag".into(),
            days: Some(10),
            from: HoldFrom::Trigger,
        },
    );
    hold.notify = true;
    save(e, &d, 1, hold);
    create(e, 2);
    pilot(e, 3);
    ok(
        e,
        &d,
        t(3),
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::ConfigurationSet { set: set_y() },
            text: "freezes".into(),
            named: false,
            suspend_own: false,
        }),
    );
    rollout(e, 4);
    ok(
        e,
        &Actor::Dcc,
        t(5),
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(17),
            device: HanDeviceKind::Esme,
            firmware: "4.2".into(),
        }),
    );
}

#[test]
fn a_signed_log_re_derives_every_rule_act() {
    let mut e = signed_engine();
    rule_heavy_story(&mut e);
    let events = e.events().unwrap().to_vec();
    assert!(acts(&events).len() >= 3, "the story's rules acted");
    let replayed = Engine::replay_signed(trust(), events.clone()).unwrap();
    assert_eq!(replayed.state(), e.state());
    // A rule act dropped from its command is missed when the command is decided again.
    let at = events
        .iter()
        .position(|e| matches!(e.payload, EventPayload::RuleActed(_)))
        .unwrap();
    let mut cut = events.clone();
    cut.remove(at);
    for (i, ev) in cut.iter_mut().enumerate().skip(at) {
        ev.seq = i as u64 + 1;
    }
    assert!(Engine::replay_signed(trust(), cut).is_err());
}

#[test]
fn a_store_and_its_snapshot_keep_the_rules_and_their_acts() {
    let store = Fresh::sqlite("rules");
    let mut e = Engine::open(&store).unwrap();
    rule_heavy_story(&mut e);
    e.snapshot().unwrap();
    save(
        &mut e,
        &cust("SUP-A"),
        6,
        spec("later", RuleTrigger::HubInstalled, "", RuleAction::Approve),
    );
    let state = e.state().clone();
    drop(e);
    let mut reopened = Engine::open(&store).unwrap();
    assert_eq!(reopened.state(), &state);
    assert!(
        reopened.open_report().unwrap().snapshot.is_some(),
        "opened from the snapshot"
    );
    let replayed = Engine::replay(reopened.history(0).unwrap()).unwrap();
    assert_eq!(replayed.state(), &state);
    assert_eq!(state.rules(&cust("SUP-D")).unwrap().len(), 3);
}

/// A condition the evaluator cannot work out (cel 0.14.5 panics on this in a debug build) does
/// not fail the command that set the rule off: the rule does not act, and the dry run says why.
#[test]
fn an_evaluator_failure_never_fails_anothers_command() {
    let mut e = estate();
    let d = cust("SUP-D");
    let odd = spec(
        "odd",
        RuleTrigger::CampaignCreated,
        "-(-9223372036854775808) > 0 || esme.present",
        RuleAction::Approve,
    );
    save(&mut e, &d, 1, odd.clone());
    let events = create(&mut e, 2);
    assert!(
        acts(&events).is_empty() || cfg!(not(debug_assertions)),
        "{events:?}"
    );
    let dry = e.state().dry_run_rule(&d, &odd, t(2)).unwrap();
    if cfg!(debug_assertions) {
        assert!(dry.errors > 0 && dry.first_error.is_some(), "{dry:?}");
    }
}
