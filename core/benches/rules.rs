//! Business rules at national scale (issue 24): 20 rules for each of the 15 suppliers of a
//! synthetic estate, and the costs the issue names, each against the same work without rules:
//! a campaign's creation with every rule applied; one hub installed with its rules; the CSP's
//! list; replay of a rule-heavy history. A plain bench binary (std only), medians over repeated
//! runs; setting up (generating, loading, saving rules) is not timed.
//!
//!     cargo bench -p commshub-ota --bench rules -- [hubs] [runs]     # 1 000 000 and 5 by default
//!
//! docs/benchmarks.md has the figures at 10 000 000 hubs.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::rules::{HoldFrom, RuleAction, RuleSpec, RuleTrigger};
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

use common::time_ms;

fn show(what: &str, (median, min, max): (f64, f64, f64)) {
    let fmt = common::fmt_ms;
    println!(
        "{what:<58} {:>10}  (min {}, max {})",
        fmt(median),
        fmt(min),
        fmt(max)
    );
}

/// The 20 rules each supplier keeps: 10 set-level rules on a new campaign, 4 on a new or
/// newly commissioned hub, 3 on a meter's firmware change, 3 on a phase change or a flag.
fn rules_of(i: usize) -> Vec<RuleSpec> {
    let spec = |name: String, trigger, condition: &str, action, priority| RuleSpec {
        name,
        trigger,
        condition: condition.into(),
        action,
        priority,
        active_from: None,
        active_until: None,
        notify: false,
    };
    let models = ["EM-A1", "EM-B4", "EM-C2", "EM-D7"];
    let mut out = Vec::new();
    for (k, m) in models.iter().enumerate() {
        out.push(spec(
            format!("approve {m}"),
            RuleTrigger::CampaignCreated,
            &format!(r#"esme.model == "{m}" && version("1.{k}") <= esme.firmware"#),
            RuleAction::Approve,
            0,
        ));
        out.push(spec(
            format!("reject old {m}"),
            RuleTrigger::CampaignCreated,
            &format!(r#"esme.model == "{m}" && esme.firmware < version("1.{k}") && gsme.present"#),
            RuleAction::Reject {
                reason: "needs testing".into(),
            },
            (i % 3) as i32,
        ));
    }
    out.push(spec(
        "hold flagged".into(),
        RuleTrigger::CampaignCreated,
        "set.flagged_by_me",
        RuleAction::Hold {
            reason: "flag".into(),
            days: None,
            from: HoldFrom::Trigger,
        },
        5,
    ));
    out.push(spec(
        "ihd first".into(),
        RuleTrigger::CampaignCreated,
        r#"ihd.present && ihd.model.startsWith("IHD-")"#,
        RuleAction::Prioritise,
        0,
    ));
    out.push(spec(
        "new hubs".into(),
        RuleTrigger::HubInstalled,
        r#"esme.model != "EM-C2""#,
        RuleAction::Approve,
        0,
    ));
    out.push(spec(
        "settle".into(),
        RuleTrigger::HubCommissioned,
        "",
        RuleAction::Hold {
            reason: "settle".into(),
            days: Some(30),
            from: HoldFrom::Commission,
        },
        0,
    ));
    out.push(spec(
        "recent".into(),
        RuleTrigger::HubCommissioned,
        "now - hub.commissioned < days(31)",
        RuleAction::Prioritise,
        0,
    ));
    out.push(spec(
        "split".into(),
        RuleTrigger::HubInstalled,
        "hub.split_supply && hub.protected",
        RuleAction::Reject {
            reason: "protected".into(),
        },
        1,
    ));
    for (k, m) in ["EM-A1", "EM-B4", "EM-D7"].iter().enumerate() {
        out.push(spec(
            format!("meter {m}"),
            RuleTrigger::HanDeviceFirmwareChanged,
            &format!(r#"trigger.device == "esme" && esme.model == "{m}" && version("2.{k}") <= esme.firmware"#),
            RuleAction::Approve,
            0,
        ));
    }
    out.push(spec(
        "rollout holds".into(),
        RuleTrigger::CampaignPhaseChanged,
        r#"trigger.phase == "mass_rollout" && set.flagged_by_me"#,
        RuleAction::Hold {
            reason: "flag".into(),
            days: Some(14),
            from: HoldFrom::Trigger,
        },
        0,
    ));
    out.push(spec(
        "told".into(),
        RuleTrigger::DefectFlagRaised,
        "",
        RuleAction::Notify {
            text: "a flag".into(),
        },
        0,
    ));
    out.push(spec(
        "suspend".into(),
        RuleTrigger::CampaignPhaseChanged,
        r#"trigger.phase == "suspended""#,
        RuleAction::Notify {
            text: "suspended".into(),
        },
        0,
    ));
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let runs = nums.get(1).copied().unwrap_or(5).clamp(1, 7);
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let day = |d: i64| -> DateTime<Utc> { start + Duration::days(d) };
    println!("rules benchmark: {hubs} hubs, {runs} runs each, median (min, max)\n");
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    let variant = synth
        .variants
        .iter()
        .find(|v| v.region == Region::North && v.id.as_str().contains("-DB-"))
        .expect("a north dual-band variant")
        .id
        .clone();
    let mut engine = Engine::new();
    for (actor, command) in synth.catalogue_commands() {
        engine.execute(&actor, day(0), command)?;
    }
    engine.execute(
        &Actor::Dcc,
        day(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: EstateTable::from_rows(&synth.hubs),
        }),
    )?;
    let campaign = |id: String| -> Command {
        Command::CreateCampaign(CreateCampaign {
            campaign: id.parse().expect("an id"),
            variant: variant.clone(),
            target: "2.0".parse().expect("a version"),
            cutoff: day(60),
            policy: Default::default(),
        })
    };
    // A live campaign for the list, whole-estate approvals from every supplier.
    engine.execute(&Actor::Dcc, day(2), campaign("LIVE".into()))?;
    engine.execute(
        &Actor::Dcc,
        day(2),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: "LIVE".parse()?,
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(2),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: "LIVE".parse()?,
            override_reason: Some("bench".into()),
        }),
    )?;
    for s in &synth.suppliers {
        engine.execute(
            &Actor::Customer(s.clone()),
            day(2),
            Command::ApproveWholeEstate(ApproveWholeEstate {
                campaign: "LIVE".parse()?,
            }),
        )?;
    }
    let new_hub = |n: usize, supplier: &CustomerId| -> Command {
        let mut row = synth.hubs[n % synth.hubs.len()].clone();
        row.id = HubId::from_u64(0xFFFF_0000_0000 + n as u64);
        row.import_supplier = Some(supplier.clone());
        Command::InstallHub(InstallHub { hub: Box::new(row) })
    };
    let list_ms = |e: &Engine| {
        time_ms(runs, |i| {
            // A new time each run, so the engine's kept list is worked out again.
            e.upgrade_list(
                &Actor::Csp(Region::North),
                Region::North,
                day(3) + Duration::seconds(i as i64),
                0,
                1000,
            )
            .map(|_| ())
        })
    };
    let supplier = synth.suppliers[0].clone();

    // Without rules.
    let create_plain = time_ms(runs, |i| {
        engine
            .execute(&Actor::Dcc, day(3), campaign(format!("PLAIN-{i}")))
            .map(|_| ())
    })?;
    // One live campaign of the variant from here on, as in practice (a hub's consent acts
    // are one per open campaign of its variant).
    let cancel = |e: &mut Engine, prefix: &str| -> Result<(), Error> {
        for i in 0..runs {
            let campaign = format!("{prefix}-{i}").parse().expect("an id");
            let reason = "bench".into();
            e.execute(
                &Actor::Dcc,
                day(3),
                Command::CancelCampaign(CancelCampaign { campaign, reason }),
            )?;
        }
        Ok(())
    };
    cancel(&mut engine, "PLAIN")?;
    let install_plain = time_ms(runs * 20, |i| {
        engine
            .execute(&Actor::Dcc, day(3), new_hub(i, &supplier))
            .map(|_| ())
    })?;
    let list_plain = list_ms(&engine)?;
    let list_total_plain = engine
        .upgrade_list(&Actor::Csp(Region::North), Region::North, day(4), 0, 1)?
        .total;

    // 20 rules for each supplier.
    for s in &synth.suppliers {
        for (i, rule) in rules_of(synth.suppliers.iter().position(|x| x == s).unwrap_or(0))
            .into_iter()
            .enumerate()
        {
            let _ = i;
            engine.execute(
                &Actor::Customer(s.clone()),
                day(2),
                Command::SaveRule(SaveRule { rule }),
            )?;
        }
    }
    let rules: usize = synth
        .suppliers
        .iter()
        .map(|s| {
            engine
                .state()
                .rules(&Actor::Customer(s.clone()))
                .map_or(0, |r| r.len())
        })
        .sum();
    println!("{rules} rules ({} suppliers)\n", synth.suppliers.len());
    let mut acts = 0;
    let create_ruled = time_ms(runs, |i| {
        let events = engine.execute(&Actor::Dcc, day(3), campaign(format!("RULED-{i}")))?;
        acts = events.len() - 1;
        Ok(())
    })?;
    cancel(&mut engine, "RULED")?;
    let install_ruled = time_ms(runs * 20, |i| {
        engine
            .execute(&Actor::Dcc, day(3), new_hub(1_000_000 + i, &supplier))
            .map(|_| ())
    })?;
    // The rules act on the live campaign: its phase moves, so the suspend and rollout rules act.
    engine.execute(
        &Actor::Dcc,
        day(3),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: "LIVE".parse()?,
            reason: "bench".into(),
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(3),
        Command::ResumeCampaign(ResumeCampaign {
            campaign: "LIVE".parse()?,
        }),
    )?;
    let list_ruled = list_ms(&engine)?;

    show("create a campaign, no rules", create_plain);
    show(
        &format!("create a campaign, {rules} rules applied ({acts} acts)"),
        create_ruled,
    );
    show("install one hub, no rules", install_plain);
    show(
        "install one hub, its supplier's rules applied",
        install_ruled,
    );
    let total = |e: &Engine| {
        e.upgrade_list(&Actor::Csp(Region::North), Region::North, day(4), 0, 1)
            .map(|p| p.total)
    };
    show(
        &format!(
            "the CSP's list (north), before the rules ({} hubs)",
            list_total_plain
        ),
        list_plain,
    );
    show(
        &format!(
            "the CSP's list (north), with the rules' acts ({} hubs)",
            total(&engine)?
        ),
        list_ruled,
    );

    // Replay: the history with the rules and their acts, against the same history without the
    // rule events (renumbered): what rules add to a replay beyond the commands' own events.
    // The copies replayed are made before the clock starts.
    let ruled: Vec<event::Event> = engine.events()?.to_vec();
    let is_rule = |e: &event::Event| {
        matches!(
            e.payload,
            event::EventPayload::RuleSaved(_) | event::EventPayload::RuleActed(_)
        )
    };
    let plain: Vec<event::Event> = ruled
        .iter()
        .filter(|e| !is_rule(e))
        .enumerate()
        .map(|(i, e)| event::Event {
            seq: i as u64 + 1,
            ..e.clone()
        })
        .collect();
    let rule_events = ruled.len() - plain.len();
    let n = runs.min(3);
    let mut copies: Vec<_> = (0..n).map(|_| plain.clone()).collect();
    let replay_plain = time_ms(n, |_| {
        Engine::replay(copies.pop().unwrap_or_default()).map(|_| ())
    })?;
    let mut copies: Vec<_> = (0..n).map(|_| ruled.clone()).collect();
    let replay_ruled = time_ms(n, |_| {
        Engine::replay(copies.pop().unwrap_or_default()).map(|_| ())
    })?;
    show(
        &format!("replay {} events, without the rules'", plain.len()),
        replay_plain,
    );
    show(
        &format!(
            "replay {} events, {rule_events} of them the rules'",
            ruled.len()
        ),
        replay_ruled,
    );
    println!(
        "\nratios with rules / without: create {:.2}, install {:.2}, list {:.2}, replay {:.2}",
        create_ruled.0 / create_plain.0,
        install_ruled.0 / install_plain.0,
        list_ruled.0 / list_plain.0,
        replay_ruled.0 / replay_plain.0
    );
    Ok(())
}
