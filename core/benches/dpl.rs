//! The Deployed Products List's history at national scale (issue 25): what keeping it costs an
//! event, how big a year of it is, and how long a year's range takes to answer. A plain bench
//! binary (std only); generating and loading the estate is not timed.
//!
//!     cargo bench -p commshub-ota --features arrow --bench dpl -- [hubs] [events a day] [days]
//!
//! A year of days, each with `events a day` ESME firmware changes spread over the estate (each
//! moves its hub to another configuration set: the history's busiest kind of event), then the
//! range queries (the industry's, the largest supplier's, and the industry's shares as a
//! customer reads them). docs/benchmarks.md has the figures at 10 000 000 hubs.

mod common;

use chrono::{Duration, TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::estate::HanDeviceKind;
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let per_day = nums.get(1).copied().unwrap_or(2_000);
    let days = nums.get(2).copied().unwrap_or(365).max(1);
    println!("DPL history benchmark: {hubs} hubs, {per_day} meter changes a day, {days} days\n");
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    let mut engine = Engine::new();
    for (actor, command) in synth.catalogue_commands() {
        engine.execute(&actor, start, command)?;
    }
    let table = EstateTable::from_rows(&synth.hubs);
    engine.execute(&Actor::Dcc, start, LoadEstateTable { table }.into())?;
    let esme: Vec<usize> = (0..synth.hubs.len())
        .filter(|&i| synth.hubs[i].devices.get(HanDeviceKind::Esme).is_some())
        .collect();
    let versions = ["2.0", "2.1", "3.0", "3.1"];
    // Each hub's ESME firmware as the bench last set it: a change must change it.
    let mut current: std::collections::HashMap<usize, &str> = std::collections::HashMap::new();
    let mut n = 0usize;
    let mut timings = Vec::with_capacity(days);
    for day in 0..days {
        let at = start + Duration::days(day as i64 + 1);
        let (t, _, _) = common::time_ms(1, |_| {
            for k in 0..per_day {
                // A stride through the estate, so the changes spread over sets and suppliers.
                let i = esme[(n * 7_919) % esme.len()];
                n += 1;
                let was = *current.entry(i).or_insert_with(|| {
                    synth.hubs[i]
                        .devices
                        .get(HanDeviceKind::Esme)
                        .map_or("", |d| d.firmware.as_str())
                });
                let mut to = versions[n % versions.len()];
                if to == was {
                    to = versions[(n + 1) % versions.len()];
                }
                current.insert(i, to);
                engine.execute(
                    &Actor::Dcc,
                    at + Duration::milliseconds(k as i64),
                    Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
                        hub: synth.hubs[i].id,
                        device: HanDeviceKind::Esme,
                        firmware: to.into(),
                    }),
                )?;
            }
            Ok(())
        })?;
        timings.push(t);
    }
    let (day_ms, min, max) = common::spread(timings);
    let fmt = common::fmt_ms;
    println!(
        "{:<52} {:>10}  (a day of {per_day}: median {}, min {}, max {})",
        "a meter change, the history kept with it",
        fmt(day_ms / per_day as f64),
        fmt(day_ms),
        fmt(min),
        fmt(max)
    );
    let (moves, bytes) = engine.state().dpl_size();
    let sets = engine
        .state()
        .dpl_on(
            &Actor::Dcc,
            None,
            start.date_naive() + Duration::days(days as i64),
        )?
        .len();
    println!("{:<52} {:>10}", "configuration sets on the last day", sets);
    println!(
        "{:<52} {:>10}  ({moves} counter moves over {days} days)",
        "the history's size",
        format!("{:.1} MB", bytes as f64 / 1e6)
    );
    let from = start.date_naive();
    let to = from + Duration::days(days as i64);
    let (m, lo, hi) = common::time_ms(5, |_| {
        engine
            .state()
            .dpl_history(&Actor::Dcc, None, from, to)
            .map(|_| ())
    })?;
    println!(
        "{:<52} {:>10}  (min {}, max {})",
        format!("the industry's list for each of {} days", days + 1),
        fmt(m),
        fmt(lo),
        fmt(hi)
    );
    let big = Actor::Customer(synth.suppliers[0].clone());
    let (m, lo, hi) = common::time_ms(5, |_| {
        engine
            .state()
            .dpl_history(&big, Some(&synth.suppliers[0]), from, to)
            .map(|_| ())
    })?;
    println!(
        "{:<52} {:>10}  (min {}, max {})",
        format!("the largest supplier's for each of {} days", days + 1),
        fmt(m),
        fmt(lo),
        fmt(hi)
    );
    // The same ranges as Arrow rows (the form for long ranges: each set's text once).
    #[cfg(feature = "arrow")]
    for (who, customer, name) in [
        (&Actor::Dcc, None, "the industry's"),
        (&big, Some(&synth.suppliers[0]), "the largest supplier's"),
    ] {
        let mut rows = 0;
        let (m, lo, hi) = common::time_ms(5, |_| {
            rows = engine
                .state()
                .dpl_history_arrow(who, customer, from, to)?
                .num_rows();
            Ok::<(), Error>(())
        })?;
        println!(
            "{:<52} {:>10}  (min {}, max {}; {rows} rows)",
            format!("{name} as Arrow rows, {} days", days + 1),
            fmt(m),
            fmt(lo),
            fmt(hi)
        );
    }
    // The industry's shares under disclosure control, as a customer reads them: worked out
    // from the history's first day whatever the range.
    let (m, lo, hi) = common::time_ms(5, |_| {
        engine.state().industry_shares(&big, from, to).map(|_| ())
    })?;
    let shown = engine.state().industry_shares(&big, to, to)?;
    let cells: usize = shown
        .iter()
        .flat_map(|d| &d.variants)
        .map(|v| v.sets.len() + usize::from(v.other_bp.is_some()))
        .sum();
    println!(
        "{:<52} {:>10}  (min {}, max {}; {cells} cells shown on the last day)",
        format!("industry shares for each of {} days", days + 1),
        fmt(m),
        fmt(lo),
        fmt(hi)
    );
    // A deadline check's trend pass (docs/deployed-products.md, "Trend notices"): the trends of
    // the last whole day, worked out from the history's first day. The first check of a day
    // pays it; a day found with nothing new to tell is remembered for the checks after it.
    let (m, lo, hi) = common::time_ms(5, |_| {
        engine.state().industry_trends(&Actor::Dcc, to).map(|_| ())
    })?;
    let trends = engine.state().industry_trends(&Actor::Dcc, to)?.len();
    println!(
        "{:<52} {:>10}  (min {}, max {}; {trends} sets being left)",
        "the trends of the last day (a check's pass)",
        fmt(m),
        fmt(lo),
        fmt(hi)
    );
    let check_at = start + Duration::days(days as i64 + 1);
    let mut told = 0;
    let mut check = |at| {
        common::time_ms(1, |_| {
            let events = engine.execute(&Actor::Dcc, at, CheckDeadlines {}.into())?;
            told += events
                .iter()
                .map(|e| match &e.payload {
                    EventPayload::IndustryTrendsNoticed(n) => n.notices.len(),
                    _ => 0,
                })
                .sum::<usize>();
            Ok::<(), Error>(())
        })
        .map(|(ms, _, _)| ms)
    };
    let first = check(check_at)?;
    let second = check(check_at + Duration::minutes(5))?;
    let third = check(check_at + Duration::minutes(10))?;
    println!(
        "{:<52} {:>10}  (the next {}, then {}; {told} notices)",
        "a deadline check, the first of its day",
        fmt(first),
        fmt(second),
        fmt(third)
    );
    Ok(())
}
