//! The main job, end to end: a synthetic national-shaped estate, firmware through its gates,
//! a campaign through its phases (with the refusals a real run meets), a supplier's pilot with
//! the CSP's outcomes, health reports, deadlines and notifications, business rules and a
//! firmware prerequisite acting in the story, a report a person reads,
//! and the event log written to a file and replayed to the same state, then imported into a
//! SQLite store that restarts from a snapshot; last, a signed store two parties share.
//!
//!     cargo run --release --example cooperative_rollout -- [hubs] [seed]

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use commshub_ota::catalogue::Gate;
use commshub_ota::command::*;
use commshub_ota::event::*;
use commshub_ota::read::SupplierView;
use commshub_ota::rollout::{self, HaltPolicy, Pacing};
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let hubs: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000);
    let seed: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2026);
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let day = |d: i64| -> DateTime<Utc> { start + Duration::days(d) };

    println!("commshub-ota: co-operative rollout, {hubs} hubs, seed {seed}\n");
    let synth = SynthEstate::generate(&SynthConfig {
        seed,
        hubs,
        ..Default::default()
    });
    let mut engine = Engine::new();

    // 1. The catalogue: variants, firmware, every gate by the actor allowed to record it.
    for (actor, command) in synth.catalogue_commands() {
        engine.execute(&actor, day(0), command)?;
    }
    println!(
        "Catalogue: {} variants in 3 regions, {} firmware versions on the production CPL",
        synth.variants.len(),
        synth.firmware.len()
    );

    // 2. The estate, in one bulk call.
    let clock = Instant::now();
    engine.execute(
        &Actor::Dcc,
        day(1),
        Command::LoadEstate(LoadEstate {
            hubs: synth.hubs.clone(),
        }),
    )?;
    let load = clock.elapsed();
    let s = engine.state();
    println!(
        "Estate: {} hubs loaded in {:.0} ms ({} bytes a hub in the dense tables)",
        s.hub_count(),
        load.as_secs_f64() * 1e3,
        s.estate_bytes() / s.hub_count().max(1)
    );
    let split = synth
        .hubs
        .iter()
        .filter(|h| h.gas_supplier.is_some() && h.gas_supplier != h.import_supplier)
        .count();
    let vulnerable = synth.hubs.iter().filter(|h| {
        h.import_flags.vulnerable
            || h.import_flags.high_risk
            || h.gas_flags.vulnerable
            || h.gas_flags.high_risk
    });
    println!(
        "        {:.1}% split supply, {:.1}% vulnerable or high-risk premises, {} suppliers",
        100.0 * split as f64 / hubs as f64,
        100.0 * vulnerable.count() as f64 / hubs as f64,
        synth.suppliers.len()
    );
    let industry = s.configuration_sets(&Actor::Dcc, None)?;
    println!(
        "        {} configuration sets in the field (the DCC's industry view); the largest:",
        industry.len()
    );
    for c in industry.iter().take(3) {
        println!(
            "          {:>7} hubs  {}",
            c.hubs,
            c.configuration_set.key()
        );
    }

    // 3. A campaign for the north dual-band variant, to 2.0.
    let variant = synth
        .variants
        .iter()
        .find(|v| v.region == Region::North && v.id.as_str().contains("-DB-"))
        .unwrap();
    let rule_owner = Actor::Customer(synth.suppliers[0].clone());
    business_rules(&mut engine, &rule_owner, variant, day)?;

    let campaign: CampaignId = "2026-Q4-NORTH-DB-2.0".parse()?;
    let target: FirmwareVersion = "2.0".parse()?;
    engine.execute(
        &Actor::Dcc,
        day(2),
        Command::CreateCampaign(CreateCampaign {
            campaign: campaign.clone(),
            variant: variant.id.clone(),
            target: target.clone(),
            cutoff: day(45),
            policy: CampaignPolicy {
                halt: Some(HaltPolicy {
                    failure_threshold_percent: 20.0,
                    min_outcomes: 20,
                }),
                pacing: Some(Pacing {
                    daily_cap: Some(2_000),
                    ramp_factor: 1.5,
                    blackouts: vec![],
                }),
                reconciliation_timeout_hours: 72,
                ..CampaignPolicy::default()
            },
        }),
    )?;
    let route = engine
        .state()
        .upgrade_route(&Actor::Dcc, &variant.id, &"1.0".parse()?, &target)?;
    println!(
        "\nCampaign {campaign}: {} to {target}; a hub on 1.0 goes {}",
        variant.id,
        route
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" then ")
    );

    // 4. The refusals a real run meets: each is a typed error, and nothing changes.
    let big = synth.suppliers[0].clone();
    let supplier = Actor::Customer(big.clone());
    let before = engine.state().clone();
    let mut refusals = Vec::new();
    let mut refuse = |engine: &mut Engine, actor: &Actor, at, command| {
        let err = engine
            .execute(actor, at, command)
            .expect_err("this command is refused");
        refusals.push(format!("{:<20} {err}", err.kind().as_str()));
    };
    refuse(
        &mut engine,
        &supplier,
        day(3),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: campaign.clone(),
        }),
    );
    refuse(
        &mut engine,
        &Actor::Dcc,
        day(3),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: campaign.clone(),
            override_reason: None,
        }),
    );
    refuse(
        &mut engine,
        &Actor::Csp(Region::South),
        day(3),
        Command::RegisterFirmware(RegisterFirmware {
            variant: variant.id.clone(),
            version: "2.1".parse()?,
            upgrades_from: vec![target.clone()],
            prerequisites: Vec::new(),
        }),
    );
    refuse(
        &mut engine,
        &Actor::Dcc,
        day(3),
        Command::ExtendCutoff(ExtendCutoff {
            campaign: campaign.clone(),
            customer: big.clone(),
            until: day(30),
        }),
    );
    refuse(
        &mut engine,
        &Actor::Dcc,
        day(3),
        Command::RecordGate(RecordGate {
            variant: variant.id.clone(),
            version: target.clone(),
            gate: Gate::ProductionCpl,
            note: None,
        }),
    );
    let bad_id = "00-DB-12-34-56-78-90".parse::<HubId>().unwrap_err();
    refusals.push(format!("{:<20} {bad_id}", bad_id.kind().as_str()));
    assert_eq!(engine.state(), &before, "refusals change nothing");
    println!("Refused, with nothing changed:");
    for r in &refusals {
        println!("  {r}");
    }

    // 5. Through the phases.
    engine.execute(
        &Actor::Dcc,
        day(3),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: campaign.clone(),
        }),
    )?;
    pilot(&mut engine, &campaign, &big, variant.region, day)?;
    engine.execute(
        &Actor::Dcc,
        day(10),
        Command::SuspendCampaign(SuspendCampaign {
            campaign: campaign.clone(),
            reason: "IHD drop-outs reported on EM-B4 7.0; triage".into(),
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(12),
        Command::ResumeCampaign(ResumeCampaign {
            campaign: campaign.clone(),
        }),
    )?;
    csp_pause_and_notice(&mut engine, &campaign, variant.region, &big, day)?;
    engine.execute(
        &Actor::Dcc,
        day(14),
        Command::ExtendCutoff(ExtendCutoff {
            campaign: campaign.clone(),
            customer: big.clone(),
            until: day(60),
        }),
    )?;
    engine.execute(
        &supplier,
        day(20),
        Command::RecordPilotVerdict(RecordPilotVerdict {
            campaign: campaign.clone(),
            verdict: PilotVerdict::Success,
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(30),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: campaign.clone(),
            override_reason: None,
        }),
    )?;
    rules_report(&mut engine, &rule_owner, &campaign, variant, day)?;
    mass_rollout(&mut engine, &campaign, variant.region, day)?;
    engine.execute(
        &Actor::Dcc,
        day(75),
        Command::CompleteCampaign(CompleteCampaign {
            campaign: campaign.clone(),
        }),
    )?;

    let dcc_view = engine.state().campaign(&Actor::Dcc, &campaign)?;
    println!("\nHistory, as the DCC sees it (phase {}):", dcc_view.phase);
    for h in &dcc_view.history {
        println!(
            "  #{:<4} {}  {:<6} {}",
            h.seq.unwrap_or_default(),
            h.at.format("%Y-%m-%d"),
            h.actor.to_code(),
            describe(&h.change)
        );
    }
    let other = Actor::Customer(synth.suppliers[1].clone());
    let other_view = engine.state().campaign(&other, &campaign)?;
    println!(
        "{} sees {} history entries (not {}'s cut-off extension) and its own cut-off {}",
        synth.suppliers[1],
        other_view.history.len(),
        big,
        other_view.cutoffs[0].until.format("%Y-%m-%d")
    );

    // 6. A supplier's own view: its hubs by configuration set; a split hub's other supplier hidden.
    let mine = engine.state().customer_estate(&supplier, &big)?;
    let mut by_fw: BTreeMap<String, usize> = BTreeMap::new();
    for h in &mine {
        *by_fw
            .entry(format!("{} {}", h.variant, h.firmware))
            .or_default() += 1;
    }
    let shared = mine.iter().find(|h| h.split_supply);
    println!(
        "\n{big}'s estate: {} hubs, {} configuration sets",
        mine.len(),
        engine
            .state()
            .configuration_sets(&supplier, Some(&big))?
            .len()
    );
    if let Some(h) = shared {
        let other_role = if matches!(h.gas_supplier, SupplierView::Hidden) {
            "gas"
        } else {
            "import"
        };
        println!(
            "  e.g. split-supply hub {}: the {other_role} supplier is shown only as hidden",
            h.id
        );
    }

    // 7. The event log: written, read back, replayed to the same state.
    let path = std::env::temp_dir().join("cooperative_rollout.events.jsonl");
    journal::write_jsonl(&path, engine.events()?)?;
    let bytes = std::fs::metadata(&path)?.len();
    let clock = Instant::now();
    let replayed = Engine::replay(journal::read_jsonl(&path)?)?;
    let same = replayed.state() == engine.state();
    println!(
        "\nEvent log: {} events ({:.1} MB) written to {}",
        engine.events()?.len(),
        bytes as f64 / 1e6,
        path.display()
    );
    println!(
        "Replay from the file: {} in {:.0} ms",
        if same {
            "identical state"
        } else {
            "DIFFERENT STATE"
        },
        clock.elapsed().as_secs_f64() * 1e3
    );
    if !same {
        return Err("replay gave a different state".into());
    }

    // 8. The system of record: the log imported into a SQLite store (verified as it is
    // replayed), a snapshot, and a restart from it; the store's audit chain checked whole.
    let db = std::env::temp_dir().join(format!("cooperative_rollout.{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let location = db.display().to_string();
    let clock = Instant::now();
    let mut durable = Engine::import(&path, store::open(&location)?, OpenOptions::default())?;
    let imported = clock.elapsed();
    let snapshot = durable.snapshot()?;
    drop(durable);
    let clock = Instant::now();
    let mut restarted = Engine::open(&location)?;
    let restart = clock.elapsed();
    let report = restarted.open_report().cloned();
    let from = match report {
        Some(OpenReport {
            snapshot: Some(at),
            replayed,
            ..
        }) => format!("from the snapshot at event {at}, then {replayed} events replayed"),
        Some(OpenReport { replayed, .. }) => format!("{replayed} events replayed, no snapshot"),
        None => "in memory".to_string(),
    };
    let verified = match restarted.verify_store()? {
        journal::Verified::Chained { events, last_hash } => format!(
            "audit chain verified over {events} events (last hash {}...)",
            &last_hash[..12]
        ),
        journal::Verified::Unchained { events } => {
            format!("{events} events, without an audit chain")
        }
    };
    println!(
        "Store {location}: imported in {:.0} ms; snapshot {:.1} MB; restarted in {:.0} ms, {from}; {verified}",
        imported.as_secs_f64() * 1e3,
        snapshot as f64 / 1e6,
        restart.as_secs_f64() * 1e3,
    );
    if !restarted.same_state_as(&engine) {
        return Err("the store reopened to a different state".into());
    }
    drop(restarted);
    let _ = std::fs::remove_file(&db);
    signed_store(&synth, start)?;
    reports(&engine, &synth, day(75))?;
    retirement_evidence(&engine, &big)
}

/// The end of the story: the evidence the DCC weighs to retire the co-operative pilot, and the
/// same over one supplier's own hubs (issue 26).
fn retirement_evidence(
    engine: &Engine,
    big: &CustomerId,
) -> Result<(), Box<dyn std::error::Error>> {
    let line = |who: &str, ev: &commshub_ota::read::RetirementEvidence| {
        for c in &ev.campaigns {
            println!(
                "  {who:<12} {}: pilot {} hubs, {} failed, {} bad HAN; mass rollout {} hubs, {} failed, {} bad HAN; \
                 sets where rollout met problems: {} caught by the pilot, {} missed, {} untested ({} clean)",
                c.campaign,
                c.pilot.hubs,
                c.pilot.failed,
                c.pilot.han_issues,
                c.rollout.hubs,
                c.rollout.failed,
                c.rollout.han_issues,
                c.caught,
                c.missed,
                c.untested,
                c.clean
            );
        }
    };
    println!("\nThe evidence to retire the pilot (what pilots found, what mass rollout met):");
    line(
        "industry",
        &engine.state().retirement_evidence(&Actor::Dcc, None)?,
    );
    let supplier = Actor::Customer(big.clone());
    line(
        big.as_str(),
        &engine.state().retirement_evidence(&supplier, None)?,
    );
    Ok(())
}

/// Mass rollout: every third day from day 33 to day 72 the CSP takes the head of its list and
/// reports each hub dispatched, delivered, activated and read back on its next version, so the
/// estate moves off the old firmware (what the reports' history shows).
fn mass_rollout(
    engine: &mut Engine,
    campaign: &CampaignId,
    region: Region,
    day: impl Fn(i64) -> DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let csp = Actor::Csp(region);
    let mut upgraded = 0;
    for d in (33..=72).step_by(3) {
        let page = engine
            .state()
            .upgrade_list(&csp, region, day(d), 0, 2_500)?;
        let rows: Vec<rollout::OutcomeReport> = page
            .entries
            .iter()
            .filter(|e| &e.campaign == campaign)
            .flat_map(|e| {
                [
                    rollout::Outcome::Dispatched,
                    rollout::Outcome::Delivered,
                    rollout::Outcome::Activated,
                    rollout::Outcome::ReadBack {
                        firmware: e.next_version.clone(),
                    },
                ]
                .map(|outcome| rollout::OutcomeReport::new(e.hub, outcome))
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        upgraded += rows.len() / 4;
        engine.execute(
            &csp,
            day(d),
            Command::ReportOutcomes(ReportOutcomes {
                campaign: campaign.clone(),
                outcomes: rows,
            }),
        )?;
    }
    println!("\nMass rollout: the CSP upgraded {upgraded} hubs from day 33 to day 72, a batch every third day");
    Ok(())
}

/// Step 10: each party's report (docs/deployed-products.md): one self-contained HTML page per
/// party, written under `target/reports/` (the system's temporary directory when there is no
/// `target/`), each file named.
fn reports(
    engine: &Engine,
    synth: &SynthEstate,
    at: DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = if std::path::Path::new("target").is_dir() {
        std::path::PathBuf::from("target/reports")
    } else {
        std::env::temp_dir().join("commshub-ota-reports")
    };
    std::fs::create_dir_all(&dir)?;
    let mut parties: Vec<(String, Actor)> = vec![("dcc".into(), Actor::Dcc)];
    for region in [Region::North, Region::Central, Region::South] {
        parties.push((format!("csp-{region}"), Actor::Csp(region)));
    }
    for s in &synth.suppliers {
        parties.push((s.to_string().to_lowercase(), Actor::Customer(s.clone())));
    }
    println!(
        "
Reports, each party's own (the last 80 days, up to {}):",
        at.format("%Y-%m-%d")
    );
    for (name, actor) in &parties {
        let html = engine.report(actor, at, 80)?;
        let path = dir.join(format!("report-{name}.html"));
        std::fs::write(&path, &html)?;
        println!(
            "  {:<16} {} ({:.0} KB)",
            name,
            path.display(),
            html.len() as f64 / 1e3
        );
    }
    Ok(())
}

/// Step 9: a store the DCC and a supplier share, its acts signed (docs/domain.md decision 21): the DCC
/// registers the supplier's key, the supplier's own service cannot act as the DCC, and a
/// checkpoint the DCC signs lets the supplier check the log it is given.
fn signed_store(
    synth: &SynthEstate,
    start: DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    use commshub_ota::signing::{KeyPair, Trust};
    use std::sync::Arc;
    let (dcc_key, supplier_key) = (Arc::new(KeyPair::generate()), Arc::new(KeyPair::generate()));
    let trust = Trust::new("example-log", dcc_key.public_key())?;
    let supplier = Actor::Customer(synth.suppliers[0].clone());
    let db = std::env::temp_dir().join(format!(
        "cooperative_rollout.signed.{}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&db);
    let location = db.display().to_string();
    let options = |key: &Arc<KeyPair>| {
        OpenOptions::default()
            .trust(trust.clone())
            .signer(key.clone())
    };
    let mut dcc = Engine::open_store(store::open(&location)?, options(&dcc_key))?;
    dcc.sign_as(&Actor::Dcc, dcc_key.clone())?;
    let key = supplier_key.public_key();
    dcc.execute(
        &Actor::Dcc,
        start,
        RegisterKey {
            party: supplier.clone(),
            key,
        }
        .into(),
    )?;
    let checkpoint = dcc.checkpoint(start)?;
    let mut service = Engine::open_store(store::open(&location)?, options(&supplier_key))?;
    service.verify_checkpoint(&checkpoint)?;
    // The supplier's service, signing as the DCC with its own key: refused, nothing written.
    service.sign_as(&Actor::Dcc, supplier_key.clone())?;
    let forged = service.execute(
        &Actor::Dcc,
        start,
        RegisterKey {
            party: supplier.clone(),
            key: KeyPair::generate().public_key(),
        }
        .into(),
    );
    let refusal = match forged {
        Err(e) if e.kind() == ErrorKind::BadSignature => e.to_string(),
        Err(e) => return Err(format!("a forged act was refused for another reason: {e}").into()),
        Ok(_) => return Err("a supplier recorded an act as the DCC's".into()),
    };
    println!(
        "Signed store: {supplier}'s key registered by the DCC; checkpoint of event {} checked by {supplier}; {supplier} acting as the DCC refused: {refusal}",
        checkpoint.seq
    );
    drop((dcc, service));
    let _ = std::fs::remove_file(&db);
    Ok(())
}

/// A supplier's pilot: it nominates the hubs the helper proposes; the CSP dispatches what its
/// list offers and reports outcomes (some hubs do not answer, a few fail); the supplier reports
/// its HANs; the DCC's scheduler times out the hubs never read back; everyone reads its notices.
fn pilot(
    engine: &mut Engine,
    campaign: &CampaignId,
    big: &CustomerId,
    region: Region,
    day: impl Fn(i64) -> DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let supplier = Actor::Customer(big.clone());
    let csp = Actor::Csp(region);
    let proposed = engine
        .state()
        .propose_pilot(&supplier, campaign, 60, 7, day(4))?
        .hubs;
    engine.execute(
        &supplier,
        day(4),
        NominateHubs {
            campaign: campaign.clone(),
            hubs: proposed.clone(),
        }
        .into(),
    )?;
    let page = engine
        .state()
        .upgrade_list(&csp, region, day(5), 0, 1_000)?;
    let nominated: Vec<_> = page.entries.iter().filter(|e| e.nominated).collect();
    println!(
        "
Pilot: {big} nominated {} hubs; the CSP's list offers {} (nominated first), {} held back by the daily cap",
        proposed.len(),
        page.total,
        page.held_back_by_pacing
    );
    // Every 10th hub does not answer, every 25th fails delivery; the rest upgrade cleanly.
    let mut rows = Vec::new();
    let mut silent = Vec::new();
    for (i, e) in nominated.iter().enumerate() {
        let row = |outcome| rollout::OutcomeReport {
            hub: e.hub,
            outcome,
            happened_at: None,
        };
        rows.push(row(rollout::Outcome::Dispatched));
        if i % 25 == 7 {
            rows.push(row(rollout::Outcome::DeliveryFailed {
                reason: Some("no acknowledgement".into()),
            }));
            continue;
        }
        rows.push(row(rollout::Outcome::Delivered));
        if i % 10 == 3 {
            rows.push(row(rollout::Outcome::NoResponse));
            silent.push(e.hub);
            continue;
        }
        rows.push(row(rollout::Outcome::Activated));
        rows.push(row(rollout::Outcome::ReadBack {
            firmware: e.next_version.clone(),
        }));
    }
    engine.execute(
        &csp,
        day(5),
        Command::ReportOutcomes(ReportOutcomes {
            campaign: campaign.clone(),
            outcomes: rows,
        }),
    )?;
    // Half the silent hubs are reconciled by a read-back the next day; the rest time out.
    let reconciled: Vec<_> = silent.iter().step_by(2).collect();
    let target = nominated.first().map(|e| e.next_version.clone());
    if let Some(version) = target {
        let rows = reconciled
            .iter()
            .map(|&&hub| {
                rollout::OutcomeReport::new(
                    hub,
                    rollout::Outcome::ReadBack {
                        firmware: version.clone(),
                    },
                )
            })
            .collect::<Vec<_>>();
        if !rows.is_empty() {
            engine.execute(
                &csp,
                day(6),
                Command::ReportOutcomes(ReportOutcomes {
                    campaign: campaign.clone(),
                    outcomes: rows,
                }),
            )?;
        }
    }
    let due = engine.execute(
        &Actor::Dcc,
        day(9),
        Command::CheckDeadlines(CheckDeadlines {}),
    )?;
    let timed_out: usize = due
        .iter()
        .map(|e| match &e.payload {
            EventPayload::ReconciliationTimedOut(ReconciliationTimedOut { hubs, .. }) => hubs.len(),
            _ => 0,
        })
        .sum();
    // The supplier checks its upgraded homes: one in-home display lost contact.
    let upgraded: Vec<HubId> = nominated
        .iter()
        .map(|e| e.hub)
        .filter(|h| {
            engine
                .state()
                .explain(&supplier, campaign, *h, day(9))
                .is_ok_and(|x| x.blockers.is_empty() || x.next_version.is_none())
        })
        .take(5)
        .collect();
    let reports = upgraded
        .iter()
        .enumerate()
        .map(|(i, &hub)| {
            rollout::HealthReport::new(
                hub,
                if i == 0 {
                    rollout::HanHealth::DeviceLostContact {
                        device: HanDeviceKind::Ihd,
                    }
                } else {
                    rollout::HanHealth::AllFine
                },
            )
        })
        .collect::<Vec<_>>();
    if !reports.is_empty() {
        engine.execute(
            &supplier,
            day(9),
            Command::ReportHanHealth(ReportHanHealth {
                campaign: campaign.clone(),
                reports,
            }),
        )?;
    }
    let status = engine.state().pilot_status(&Actor::Dcc, campaign)?;
    let t = status.total;
    println!(
        "       outcomes: {} succeeded, {} failed ({timed_out} timed out after no response), {} in flight; {} HAN health issue(s)",
        t.succeeded,
        t.failed,
        t.dispatched + t.delivered + t.activated + t.no_response,
        t.health_issues
    );
    for (who, actor) in [
        ("DCC", Actor::Dcc),
        ("CSP", csp),
        (big.as_str(), supplier.clone()),
    ] {
        let inbox = engine.notifications(&actor, 10_000)?;
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for n in &inbox.notifications {
            let json = serde_json::to_value(n)?;
            *kinds
                .entry(json["type"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        let listed: Vec<String> = kinds
            .iter()
            .map(|(kind, n)| format!("{n} {}", kind.replace('_', " ")))
            .collect();
        println!("       {who} notices: {}", listed.join(", "));
        if let Some(last) = inbox.notifications.last() {
            engine.execute(
                &actor,
                day(9),
                Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: last.id }),
            )?;
        }
    }
    Ok(())
}

/// Step 3a: business rules (docs/rules.md), each its owner's standing instruction, saved before
/// the campaign they act on; each of their acts is recorded as the owner's, naming the rule.
fn business_rules(
    engine: &mut Engine,
    supplier: &Actor,
    variant: &commshub_ota::catalogue::Variant,
    day: impl Fn(i64) -> DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    use commshub_ota::catalogue::Prerequisite;
    use commshub_ota::rules::{CutoffExtra, HoldFrom, RuleAction, RuleSpec, RuleTrigger};
    let rule = |name: &str, trigger, condition: &str, action| RuleSpec {
        name: name.into(),
        trigger,
        condition: condition.into(),
        action,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: true,
    };
    // The DCC: each campaign's cut-off 30 days after its OA for mass rollout, 14 more for the
    // largest supplier (seed example 2).
    let customer = supplier.as_customer().expect("a customer").clone();
    let cutoffs = rule(
        "cut-offs after rollout OA",
        RuleTrigger::CampaignPhaseChanged,
        r#"trigger.phase == "mass_rollout""#,
        RuleAction::SetCutoffs {
            days: 30,
            extra: vec![CutoffExtra { customer, days: 14 }],
        },
    );
    engine.execute(&Actor::Dcc, day(1), SaveRule { rule: cutoffs }.into())?;
    // The CSP: 2.0 needs EM-D7 meters at 2.1 or later (SECMP0024 sequencing, decision 17).
    engine.execute(
        &Actor::Csp(variant.region),
        day(1),
        SetFirmwarePrerequisites {
            variant: variant.id.clone(),
            version: "2.0".parse()?,
            prerequisites: vec![Prerequisite {
                device: HanDeviceKind::Esme,
                model: Some("EM-D7".into()),
                min_firmware: "2.1".into(),
            }],
        }
        .into(),
    )?;
    // The supplier: approve the sets it tested in every new campaign (example 1); approve an
    // EM-D7 hub once its meter reaches 2.1 (example 4); hold each new hub 30 days after it is
    // commissioned (example 5).
    let tested = rule(
        "tested sets",
        RuleTrigger::CampaignCreated,
        r#"esme.model == "EM-B4" && version("7.2") <= esme.firmware"#,
        RuleAction::Approve,
    );
    let dry = engine.state().dry_run_rule(supplier, &tested, day(1))?;
    let after_meter = rule(
        "after the meter",
        RuleTrigger::HanDeviceFirmwareChanged,
        r#"esme.model == "EM-D7" && version("2.1") <= esme.firmware"#,
        RuleAction::Approve,
    );
    let settle = rule(
        "settle in",
        RuleTrigger::HubCommissioned,
        "",
        RuleAction::Hold {
            reason: "new installs settle for 30 days".into(),
            days: Some(30),
            from: HoldFrom::Commission,
        },
    );
    for r in [tested, after_meter, settle] {
        engine.execute(supplier, day(1), SaveRule { rule: r }.into())?;
    }
    // A rule that cannot work is refused when written, with where and why.
    let bad = rule(
        "typo",
        RuleTrigger::CampaignCreated,
        r#"esme.firmwre >= version("2")"#,
        RuleAction::Approve,
    );
    let err = engine
        .execute(supplier, day(1), SaveRule { rule: bad }.into())
        .expect_err("an unknown attribute");
    println!(
        "\nRules: the DCC sets cut-offs after the rollout OA; {supplier} keeps {} rules; a dry run \
         of \"tested sets\" finds nothing to do yet ({} campaigns); a typo is refused:\n  {err}",
        engine.state().rules(supplier)?.len(),
        dry.counts.len()
    );
    Ok(())
}

/// What the rules did in the campaign, as their owners and the log see it.
fn rules_report(
    engine: &mut Engine,
    supplier: &Actor,
    campaign: &CampaignId,
    variant: &commshub_ota::catalogue::Variant,
    day: impl Fn(i64) -> DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    use commshub_ota::event::RuleAct;
    let mut approved_sets = 0;
    for e in engine.events()? {
        if let EventPayload::RuleActed(a) = &e.payload {
            if let RuleAct::Approved { sets, .. } = &a.act {
                approved_sets += sets.len();
            }
        }
    }
    // A meter upgrade on one of the supplier's EM-D7 hubs: its rule approves the hub, and the
    // prerequisite is met.
    let me = supplier.as_customer().expect("a customer");
    // One whose only blockers are the prerequisite and its own consent (not another's).
    let waiting = engine
        .state()
        .customer_estate(supplier, me)?
        .into_iter()
        .filter(|h| {
            h.variant == variant.id
                && h.configuration_set
                    .devices
                    .esme
                    .as_ref()
                    .is_some_and(|d| d.model == "EM-D7" && d.firmware == "2.0")
        })
        .find(|h| {
            engine
                .state()
                .explain(supplier, campaign, h.id, day(31))
                .is_ok_and(|x| {
                    x.blockers.iter().all(|b| {
                        matches!(
                            b,
                            commshub_ota::eligibility::Blocker::PrerequisiteMissing { .. }
                                | commshub_ota::eligibility::Blocker::AwaitingConsent {
                                    by: commshub_ota::eligibility::Party::You,
                                    ..
                                }
                        )
                    })
                })
        });
    if let Some(h) = waiting {
        let before = engine.state().explain(supplier, campaign, h.id, day(31))?;
        let events = engine
            .execute(
                &Actor::Dcc,
                day(31),
                ChangeHanDeviceFirmware {
                    hub: h.id,
                    device: HanDeviceKind::Esme,
                    firmware: "2.1".into(),
                }
                .into(),
            )?
            .len();
        let after = engine.state().explain(supplier, campaign, h.id, day(31))?;
        println!(
            "\nRules in the campaign: \"tested sets\" approved {approved_sets} configuration set(s) when it was created;"
        );
        println!(
            "  hub {}: before its meter upgrade, {}",
            h.id,
            before.sentences.join(" ")
        );
        println!(
            "  after it ({events} events, the rule's act among them): upgradeable {}, by {}",
            after.upgradeable,
            after
                .rules
                .iter()
                .map(|n| format!("{} v{} ({})", n.rule.rule, n.rule.version, n.did))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let view = engine.state().campaign(supplier, campaign)?;
    println!(
        "  the DCC's rule set the cut-offs at the OA for mass rollout: {}, {} for the supplier",
        view.default_cutoff,
        view.cutoffs
            .first()
            .map(|c| c.until.to_string())
            .unwrap_or_default()
    );
    Ok(())
}

/// The CSP's pause and the DCC's notices in `who`'s outbox.
fn campaign_notice_count(engine: &Engine, who: &Actor) -> Result<usize, commshub_ota::Error> {
    Ok(engine
        .notifications(who, 10_000)?
        .notifications
        .iter()
        .filter(|n| {
            matches!(
                n.kind,
                commshub_ota::notices::NotificationKind::PartyNotice { .. }
                    | commshub_ota::notices::NotificationKind::CspPause { .. }
            )
        })
        .count())
}

/// The region's CSP pauses its own dispatches for a night of network maintenance (decision 23),
/// the DCC tells the campaign's customers why, and the CSP resumes the next day.
fn csp_pause_and_notice(
    engine: &mut Engine,
    campaign: &CampaignId,
    region: Region,
    big: &CustomerId,
    day: impl Fn(i64) -> DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let csp = Actor::Csp(region);
    engine.execute(
        &csp,
        day(12),
        Command::HaltUpgrades(HaltUpgrades {
            campaign: campaign.clone(),
            set: None,
            reason: "core network maintenance tonight".into(),
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(12),
        Command::SendNotice(SendNotice {
            audience: commshub_ota::notices::NoticeAudience::OfCampaign {
                campaign: campaign.clone(),
            },
            title: "No dispatches tonight".into(),
            text: "The CSP's core network is under maintenance; dispatches resume tomorrow.".into(),
        }),
    )?;
    let supplier = Actor::Customer(big.clone());
    let paused = engine
        .state()
        .upgrade_list(&csp, region, day(12), 0, 1)?
        .total;
    let told = campaign_notice_count(engine, &supplier)?;
    engine.execute(
        &csp,
        day(13),
        Command::ResumeUpgrades(ResumeUpgrades {
            campaign: campaign.clone(),
            set: None,
        }),
    )?;
    println!(
        "Day 12: the CSP paused its dispatches for maintenance ({paused} hubs on its list) and the DCC told the campaign's customers; {big} has {told} notices of it; the CSP resumed on day 13"
    );
    Ok(())
}

/// A campaign's change as a sentence.
fn describe(change: &commshub_ota::campaigns::CampaignChange) -> String {
    use commshub_ota::campaigns::CampaignChange;
    match change {
        CampaignChange::Created => "created the campaign".to_string(),
        CampaignChange::PhaseChanged { from, to, reason } => match reason {
            Some(why) => format!("moved it from {from} to {to}: {why}"),
            None => format!("moved it from {from} to {to}"),
        },
        CampaignChange::CutoffExtended { customer, until } => format!(
            "extended {customer}'s cut-off to {}",
            until.format("%Y-%m-%d %H:%M UTC")
        ),
        CampaignChange::PolicyChanged { changed, reason } => {
            format!("changed its policy ({}): {reason}", changed.join(", "))
        }
        CampaignChange::DispatchesPaused { set, reason } => match set {
            Some(set) => format!("paused dispatches of set {}: {reason}", set.label()),
            None => format!("paused its dispatches: {reason}"),
        },
        CampaignChange::DispatchesResumed { set } => match set {
            Some(set) => format!("resumed dispatches of set {}", set.label()),
            None => "resumed its dispatches".to_string(),
        },
        CampaignChange::PilotPacingSet { pacing } => format!(
            "paced the pilot: cap {}, window {}",
            pacing
                .daily_cap
                .map_or("of the policy".to_string(), |c| format!("{c} a day")),
            pacing.window.map_or("all day".to_string(), |w| format!(
                "{:02}:00-{:02}:00",
                w.from_hour, w.to_hour
            ))
        ),
    }
}
