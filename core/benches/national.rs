//! The national-scale benchmark: one synthetic estate of realistic shape, and the operations
//! the issue names, each timed over repeated runs and reported as a median. A plain bench
//! binary (std only), so it needs no extra dependency and `scripts/test` can run it once at a
//! small size so that it never rots.
//!
//!     cargo bench -p commshub-ota --bench national -- [hubs] [runs]
//!
//! Setting up each measurement (generating rows, cloning a state) is not timed.

mod common;

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::journal;
use commshub_ota::rollout::{Outcome, OutcomeReport};
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

struct Report {
    rows: Vec<(String, String, String)>,
}

impl Report {
    fn add(&mut self, what: &str, median: String, note: String) {
        println!("{what:<44} {median:>12}  {note}");
        self.rows.push((what.into(), median, note));
    }
}

fn ms(v: (f64, f64, f64)) -> (String, String) {
    let fmt = common::fmt_ms;
    (fmt(v.0), format!("min {}, max {}", fmt(v.1), fmt(v.2)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let runs = nums.get(1).copied().unwrap_or(5);
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let day = |d: i64| -> DateTime<Utc> { start + Duration::days(d) };
    println!("national benchmark: {hubs} hubs, {runs} runs each, median (min, max)\n");
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    let mut report = Report { rows: Vec::new() };
    let fresh = || -> Result<Engine, Error> {
        let mut e = Engine::new();
        for (actor, command) in synth.catalogue_commands() {
            e.execute(&actor, day(0), command)?;
        }
        Ok(e)
    };

    // 1. Bulk load (decide + apply + journal), and what a hub costs resident. From a table
    // (dictionary-encoded columns, the national-scale form), and from rows (strings per hub).
    let table = EstateTable::from_rows(&synth.hubs);
    for (form, command) in [
        (
            "a table",
            Command::LoadEstateTable(LoadEstateTable {
                table: table.clone(),
            }),
        ),
        (
            "rows",
            Command::LoadEstate(LoadEstate {
                hubs: synth.hubs.clone(),
            }),
        ),
    ] {
        let mut loads = Vec::new();
        for _ in 0..runs.max(1) {
            let mut e = fresh()?;
            let command = command.clone();
            let clock = Instant::now();
            e.execute(&Actor::Dcc, day(1), command)?;
            loads.push(clock.elapsed().as_secs_f64() * 1e3);
        }
        loads.sort_by(f64::total_cmp);
        let (m, spread) = ms((loads[loads.len() / 2], loads[0], loads[loads.len() - 1]));
        report.add(&format!("bulk load from {form}, {hubs} hubs"), m, spread);
    }

    let mut engine = fresh()?;
    engine.execute(
        &Actor::Dcc,
        day(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: table.clone(),
        }),
    )?;
    // The journal holds the load's rows until the caller takes them (written to storage).
    drop(engine.take_events().unwrap());
    report.add(
        "resident memory per hub",
        format!("{} B", engine.state().estate_bytes() / hubs.max(1)),
        "the dense tables: 32-byte records and the id index (interned tables are shared)".into(),
    );

    // A campaign in mass rollout for the north dual-band variant: the three largest suppliers
    // approved their whole estates, the next three some configuration sets, one rejected hubs.
    let variant = synth
        .variants
        .iter()
        .find(|v| v.region == Region::North && v.han_band == catalogue::HanBand::DualBand)
        .expect("the synthetic catalogue has one");
    let campaign: CampaignId = "BENCH-N-DB-2.0".parse()?;
    engine.execute(
        &Actor::Dcc,
        day(2),
        Command::CreateCampaign(CreateCampaign {
            campaign: campaign.clone(),
            variant: variant.id.clone(),
            target: "2.0".parse()?,
            cutoff: day(90),
            policy: CampaignPolicy::default(),
        }),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(3),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: campaign.clone(),
        }),
    )?;
    for s in &synth.suppliers[..3] {
        engine.execute(
            &Actor::Customer(s.clone()),
            day(4),
            Command::ApproveWholeEstate(ApproveWholeEstate {
                campaign: campaign.clone(),
            }),
        )?;
    }
    engine.execute(
        &Actor::Dcc,
        day(5),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: campaign.clone(),
            override_reason: Some("benchmark".into()),
        }),
    )?;
    for s in &synth.suppliers[3..6] {
        let actor = Actor::Customer(s.clone());
        let sets: Vec<_> = engine
            .state()
            .configuration_sets(&actor, Some(s))?
            .into_iter()
            .filter(|c| c.configuration_set.variant == variant.id)
            .take(10)
            .map(|c| c.configuration_set)
            .collect();
        engine.execute(
            &actor,
            day(6),
            Command::ApproveConfigurationSets(ApproveConfigurationSets {
                campaign: campaign.clone(),
                sets,
            }),
        )?;
    }
    let csp = Actor::Csp(Region::North);
    let now = day(7);

    // 2. The CSP's upgrade list for its region (the first page of 1 000), worked out from the
    // estate (`State::upgrade_list`, the reference answer): each run asks a second later.
    let mut total = 0;
    let t = common::time_ms(runs, |run| {
        let asked = now + chrono::Duration::seconds(run as i64 + 1);
        total = engine
            .state()
            .upgrade_list(&csp, Region::North, asked, 0, 1_000)?
            .total;
        Ok(())
    })?;
    let (m, spread) = ms(t);
    report.add(
        "CSP upgrade list, worked out from the estate",
        m,
        format!("{total} upgradeable; {spread}"),
    );

    // 2b. The same list as the engine maintains it, as the CSP's day asks it: each time one
    // more hub of the list dispatched (an outcome report of one row), then the list asked at a
    // new time: its count (a one-entry page), so that the row is the upkeep, not a page's
    // entries. Beside it the same dispatches on a copy whose lists were never asked (no
    // upkeep): the difference is what keeping the list costs an event and its next question.
    let to_dispatch: Vec<HubId> = engine
        .state()
        .upgrade_list(&csp, Region::North, now, 0, 100_000)?
        .entries
        .iter()
        .map(|e| e.hub)
        .collect();
    let per_run = 100.min(to_dispatch.len() / runs.max(1)).max(1);
    let dispatch = |e: &mut Engine, hub: HubId, at: DateTime<Utc>| {
        e.execute(
            &csp,
            at,
            Command::ReportOutcomes(ReportOutcomes {
                campaign: campaign.clone(),
                outcomes: vec![OutcomeReport {
                    hub,
                    outcome: Outcome::Dispatched,
                    happened_at: None,
                }],
            }),
        )
        .map(|_| ())
    };
    let mut upkept = engine.fork();
    upkept.upgrade_list(&csp, Region::North, now, 0, 1)?;
    let mut plain = engine.fork();
    let mut hubs_left = to_dispatch.iter().copied();
    let mut asked = now;
    let mut total = 0;
    let with = common::time_ms(runs, |_| {
        for hub in hubs_left.by_ref().take(per_run) {
            asked += Duration::seconds(1);
            dispatch(&mut upkept, hub, asked)?;
            total = upkept.upgrade_list(&csp, Region::North, asked, 0, 1)?.total;
        }
        Ok(())
    })?;
    let mut hubs_left = to_dispatch.iter().copied();
    let mut asked = now;
    let without = common::time_ms(runs, |_| {
        for hub in hubs_left.by_ref().take(per_run) {
            asked += Duration::seconds(1);
            dispatch(&mut plain, hub, asked)?;
        }
        Ok(())
    })?;
    drop((upkept, plain));
    let each = |v: (f64, f64, f64)| {
        (
            v.0 / per_run as f64,
            v.1 / per_run as f64,
            v.2 / per_run as f64,
        )
    };
    let (m, spread) = ms(each(with));
    report.add(
        "maintained list: a hub dispatched, then counted",
        m,
        format!("{total} upgradeable at the end; mean of {per_run} a run; {spread}"),
    );
    let (m, spread) = ms(each(without));
    report.add("the same dispatch, no list kept", m, spread);

    // 3. Explain one hub (mean of 1 000 per run).
    let probe = engine
        .state()
        .upgrade_list(&csp, Region::North, now, 0, 1)?
        .entries[0]
        .hub;
    let t = common::time_ms(runs, |_| {
        for _ in 0..1_000 {
            engine.state().explain(&Actor::Dcc, &campaign, probe, now)?;
        }
        Ok(())
    })?;
    let (m, spread) = ms((t.0 / 1e3, t.1 / 1e3, t.2 / 1e3));
    report.add("explain one hub", m, spread);

    // 4. A consent command: one supplier rejects one hub, then withdraws (mean of the pair).
    let big = Actor::Customer(synth.suppliers[0].clone());
    let mine = engine.state().customer_estate(&big, &synth.suppliers[0])?;
    let own = mine
        .iter()
        .find(|h| h.variant == variant.id)
        .map(|h| h.id)
        .expect("a hub");
    let mut at = now;
    let t = common::time_ms(runs, |_| {
        for _ in 0..100 {
            at += Duration::seconds(1);
            engine.execute(
                &big,
                at,
                Command::RejectHubs(RejectHubs {
                    campaign: campaign.clone(),
                    hubs: vec![own],
                    reason: "site access".into(),
                }),
            )?;
            engine.execute(
                &big,
                at,
                Command::WithdrawRejections(WithdrawRejections {
                    campaign: campaign.clone(),
                    hubs: vec![own],
                }),
            )?;
        }
        Ok(())
    })?;
    let (m, spread) = ms((t.0 / 200.0, t.1 / 200.0, t.2 / 200.0));
    report.add("consent command (reject or withdraw one hub)", m, spread);

    // 5. A bulk outcome report: 100 000 hubs dispatched in one command (on a copy each run).
    let page = engine
        .state()
        .upgrade_list(&csp, Region::North, at, 0, 100_000)?;
    let n = page.entries.len();
    let rows: Vec<OutcomeReport> = page
        .entries
        .iter()
        .map(|e| OutcomeReport {
            hub: e.hub,
            outcome: Outcome::Dispatched,
            happened_at: None,
        })
        .collect();
    drop(engine.take_events().unwrap());
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let mut copy = engine.fork();
        let command = Command::ReportOutcomes(ReportOutcomes {
            campaign: campaign.clone(),
            outcomes: rows.clone(),
        });
        let clock = Instant::now();
        copy.execute(&csp, at, command)?;
        times.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let (m, spread) = ms((times[times.len() / 2], times[0], times[times.len() - 1]));
    report.add(&format!("bulk outcome report, {n} hubs"), m, spread);

    // 6. Bounds: what one party does cannot slow the others down (issue 11, part 4). On a
    // copy: the largest supplier holds its maximum of suspending defect flags, and 284 closed
    // campaigns of the variant pile up beside the live one.
    let mut crowded = engine.fork();
    let mut at2 = at;
    for i in 0..commshub_ota::limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER {
        at2 += Duration::seconds(1);
        crowded.execute(
            &big,
            at2,
            Command::FlagDefect(FlagDefect {
                subject: commshub_ota::defects::DefectSubject::Firmware {
                    variant: variant.id.clone(),
                    version: "2.0".parse()?,
                },
                text: format!("finding {i}"),
                named: false,
                suspend_own: true,
            }),
        )?;
    }
    let t = common::time_ms(runs, |_| {
        for _ in 0..1_000 {
            crowded
                .state()
                .explain(&Actor::Dcc, &campaign, probe, at2)?;
        }
        Ok(())
    })?;
    let (m, spread) = ms((t.0 / 1e3, t.1 / 1e3, t.2 / 1e3));
    report.add("explain one hub, 64 suspending flags", m, spread);
    for i in 0..284 {
        at2 += Duration::seconds(1);
        let id: commshub_ota::CampaignId = format!("OLD-{i}").parse()?;
        crowded.execute(
            &Actor::Dcc,
            at2,
            Command::CreateCampaign(CreateCampaign {
                campaign: id.clone(),
                variant: variant.id.clone(),
                target: "2.0".parse()?,
                cutoff: day(90),
                policy: CampaignPolicy::default(),
            }),
        )?;
        crowded.execute(
            &Actor::Dcc,
            at2,
            Command::CancelCampaign(CancelCampaign {
                campaign: id,
                reason: "superseded".into(),
            }),
        )?;
    }
    drop(crowded.take_events().unwrap());
    let t = common::time_ms(runs, |_| {
        for _ in 0..1_000 {
            crowded
                .state()
                .explain(&Actor::Dcc, &campaign, probe, at2)?;
        }
        Ok(())
    })?;
    let (m, spread) = ms((t.0 / 1e3, t.1 / 1e3, t.2 / 1e3));
    report.add(
        "explain one hub, 64 flags and 284 closed campaigns",
        m,
        spread,
    );
    let t = common::time_ms(runs, |run| {
        // A new time each run, as above: the work, not the kept list.
        let asked = at2 + chrono::Duration::seconds(run as i64 + 1);
        crowded
            .state()
            .upgrade_list(&csp, Region::North, asked, 0, 1_000)?;
        Ok(())
    })?;
    let (m, spread) = ms(t);
    report.add("CSP upgrade list, the same crowd", m, spread);
    drop(crowded);

    // 7. Replay: the whole log (estate load and campaign), and many small events.
    let mut log_engine = fresh()?;
    log_engine.execute(
        &Actor::Dcc,
        day(1),
        Command::LoadEstateTable(LoadEstateTable { table }),
    )?;
    let prefix = log_engine.events().unwrap().len();
    let small = hubs.clamp(2_000, 200_000);
    let first_supplier = Actor::Customer(synth.suppliers[0].clone());
    log_engine.execute(
        &Actor::Dcc,
        day(2),
        Command::CreateCampaign(CreateCampaign {
            campaign: campaign.clone(),
            variant: variant.id.clone(),
            target: "2.0".parse()?,
            cutoff: day(90),
            policy: CampaignPolicy::default(),
        }),
    )?;
    log_engine.execute(
        &Actor::Dcc,
        day(3),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: campaign.clone(),
        }),
    )?;
    let mut at = day(3);
    for i in 0..small {
        at += Duration::milliseconds(10);
        let cmd = if i % 2 == 0 {
            Command::RejectHubs(RejectHubs {
                campaign: campaign.clone(),
                hubs: vec![own],
                reason: "access".into(),
            })
        } else {
            Command::WithdrawRejections(WithdrawRejections {
                campaign: campaign.clone(),
                hubs: vec![own],
            })
        };
        log_engine.execute(&first_supplier, at, cmd)?;
    }
    // Moved, not copied: at 10 million hubs the estate load event alone is gigabytes.
    let mut head = log_engine.take_events().unwrap();
    drop(log_engine);
    let tail = head.split_off(prefix);
    // The estate load replayed alone; then the small events applied on top of a copy of that
    // state, as a follower tailing the log would (copies made before each timed run).
    let mut loads = Vec::new();
    for _ in 0..runs.max(1) {
        let copy = head.to_vec();
        let clock = Instant::now();
        Engine::replay(copy)?;
        loads.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    loads.sort_by(f64::total_cmp);
    let mut base = Engine::replay(head.clone())?;
    drop(base.take_events().unwrap());
    let mut tails = Vec::new();
    for _ in 0..runs.max(1) {
        let mut follower = base.fork();
        let copy = tail.to_vec();
        let clock = Instant::now();
        for event in copy {
            follower.apply_event(event)?;
        }
        tails.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    tails.sort_by(f64::total_cmp);
    let tail_ms = tails[tails.len() / 2];
    report.add(
        "replay: the estate load event",
        ms((loads[loads.len() / 2], loads[0], loads[loads.len() - 1])).0,
        format!("{hubs} hubs in one event"),
    );
    report.add(
        &format!("replay: {} small events", tail.len()),
        ms((tail_ms, tails[0], tails[tails.len() - 1])).0,
        format!(
            "{:.2} M events/s",
            tail.len() as f64 / (tail_ms / 1e3) / 1e6
        ),
    );
    // A log file of this size is written and parsed only up to 2 million hubs (5 GB at 10 M).
    if hubs <= 2_000_000 {
        let path =
            std::env::temp_dir().join(format!("national-bench-{}.jsonl", std::process::id()));
        let mut events = head;
        events.extend(tail);
        journal::write_jsonl(&path, &events)?;
        let t = common::time_ms(runs.min(3), |_| {
            Engine::replay(journal::read_jsonl(&path)?).map(|_| ())
        })?;
        let size = std::fs::metadata(&path)?.len();
        std::fs::remove_file(&path)?;
        report.add(
            "replay from a JSON-lines file",
            ms(t).0,
            format!("{:.0} MB read and parsed; {}", size as f64 / 1e6, ms(t).1),
        );
    }

    // 7. A customer's estate view (the largest supplier's).
    let mut count = 0;
    let t = common::time_ms(runs, |_| {
        count = engine
            .state()
            .customer_estate(&big, &synth.suppliers[0])?
            .len();
        Ok(())
    })?;
    let (m, spread) = ms(t);
    report.add(
        "a customer's estate view (largest supplier)",
        m,
        format!("{count} hubs; {spread}"),
    );

    println!("\n| operation | median | notes |\n| --- | --- | --- |");
    for (what, m, note) in &report.rows {
        println!("| {what} | {m} | {note} |");
    }
    Ok(())
}
