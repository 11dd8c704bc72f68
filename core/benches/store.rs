//! The durable stores, measured: commands per second through each store (one at a time, and
//! in batches), the time to open (restart) from a snapshot against replaying the events, the
//! snapshot's size per hub, and the JSON-lines export and import rates.
//!
//!     cargo bench -p commshub-ota --features postgres --bench store -- [hubs] [commands]
//!
//! SQLite always (a file in the temporary directory); PostgreSQL too when COMMSHUB_OTA_PG_URL
//! names a server (`scripts/postgres start` gives one). The estate is the synthetic national
//! one, loaded in parts of at most 1 000 000 hubs (one event each: a store takes events up to
//! 512 MiB, about 3 million hubs).

mod common;

use std::time::Instant;

use chrono::{TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

const PART: usize = 1_000_000;

fn secs(f: impl FnOnce() -> Result<(), Error>) -> Result<f64, Error> {
    let clock = Instant::now();
    f()?;
    Ok(clock.elapsed().as_secs_f64())
}

fn row(what: &str, figure: String, note: String) {
    println!("{what:<52} {figure:>14}  {note}");
}

/// The small command the throughput is measured with: a supplier records its ESME's new
/// firmware on one of its hubs (decided and applied in O(1), so the store is what is timed).
/// The suppliers' hubs with an ESME, as (supplier, hub).
fn esme_hubs(synth: &SynthEstate, n: usize) -> Vec<(Actor, HubId)> {
    synth
        .hubs
        .iter()
        .filter(|h| h.devices.esme.is_some())
        .filter_map(|h| Some((Actor::Customer(h.import_supplier.clone()?), h.id)))
        .take(n)
        .collect()
}

fn esme_firmware(hub: HubId, i: usize) -> Command {
    ChangeHanDeviceFirmware {
        hub,
        device: HanDeviceKind::Esme,
        firmware: format!("9.{i}"),
    }
    .into()
}

fn open(loc: &str) -> Result<Engine, Error> {
    Engine::open_store(store::open(loc)?, OpenOptions::default().snapshot_every(0))
}

fn bench_store(
    label: &str,
    loc: &str,
    synth: &SynthEstate,
    commands: usize,
    clear_snapshots: &dyn Fn(),
) -> Result<(), Error> {
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let hubs = synth.hubs.len();
    let mut engine = open(loc)?;
    for (actor, command) in synth.catalogue_commands() {
        engine.execute(&actor, start, command)?;
    }
    let load = secs(|| {
        for part in synth.hubs.chunks(PART) {
            let table = EstateTable::from_rows(part);
            engine.execute(&Actor::Dcc, start, LoadEstateTable { table }.into())?;
        }
        Ok(())
    })?;
    row(
        &format!("{label}: load {hubs} hubs durably"),
        format!("{load:.2} s"),
        format!("{} parts of at most {PART}", hubs.div_ceil(PART)),
    );
    let targets = esme_hubs(synth, commands.max(1000));
    let mut i = 0usize;
    let mut next = || {
        i += 1;
        let (actor, hub) = &targets[i % targets.len()];
        (actor.clone(), esme_firmware(*hub, i))
    };
    // One at a time: each command its own durable transaction.
    let single = secs(|| {
        for _ in 0..commands {
            let (actor, command) = next();
            engine.execute(&actor, start, command)?;
        }
        Ok(())
    })?;
    let n = commands;
    row(
        &format!("{label}: commands one at a time"),
        format!("{:.0} /s", n as f64 / single),
        format!("{n} commands, {:.2} ms each", single * 1e3 / n as f64),
    );
    for size in [10usize, 100, 1000] {
        let batches = (commands / size).max(1);
        let batched = secs(|| {
            for _ in 0..batches {
                let batch = (0..size).map(|_| next()).collect();
                for answer in engine.execute_batch(start, batch)? {
                    answer?;
                }
            }
            Ok(())
        })?;
        let total = batches * size;
        row(
            &format!("{label}: commands in batches of {size}"),
            format!("{:.0} /s", total as f64 / batched),
            format!("{batches} batches"),
        );
    }
    let mut bytes = 0;
    let snap = secs(|| {
        bytes = engine.snapshot()?;
        Ok(())
    })?;
    row(
        &format!("{label}: write a snapshot"),
        format!("{snap:.2} s"),
        format!(
            "{:.1} MB, {:.1} bytes a hub",
            bytes as f64 / 1e6,
            bytes as f64 / hubs as f64
        ),
    );
    // The same snapshot decoded in memory: the restart less the store's read.
    let image = engine.to_snapshot();
    let mut decodes = Vec::new();
    for _ in 0..3 {
        decodes.push(secs(|| Engine::from_snapshot(&image).map(drop))?);
    }
    decodes.sort_by(f64::total_cmp);
    row(
        &format!("{label}: decode the snapshot in memory"),
        format!("{:.2} s", decodes[1]),
        format!(
            "median of 3 (min {:.2} s, max {:.2} s)",
            decodes[0], decodes[2]
        ),
    );
    drop(image);
    let events = engine.state().last_seq();
    drop(engine);
    let mut restarts = Vec::new();
    for _ in 0..3 {
        let mut e = None;
        restarts.push(secs(|| {
            e = Some(open(loc)?);
            Ok(())
        })?);
        let e = e.expect("opened");
        assert_eq!(e.open_report().and_then(|r| r.snapshot), Some(events));
    }
    restarts.sort_by(f64::total_cmp);
    row(
        &format!("{label}: restart from the snapshot, {hubs} hubs"),
        format!("{:.2} s", restarts[1]),
        format!(
            "median of 3 (min {:.2} s, max {:.2} s)",
            restarts[0], restarts[2]
        ),
    );
    clear_snapshots();
    let mut replayed = None;
    let replay = secs(|| {
        replayed = Some(open(loc)?);
        Ok(())
    })?;
    let mut replayed = replayed.expect("opened");
    assert_eq!(replayed.open_report().map(|r| r.replayed), Some(events));
    row(
        &format!("{label}: restart by replaying {events} events"),
        format!("{replay:.2} s"),
        "no snapshot: every event verified and applied".into(),
    );
    let dir = std::env::temp_dir().join(format!("commshub-ota-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let file = dir.join(format!("{label}.jsonl"));
    let export = secs(|| replayed.export(&file).map(|_| ()))?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    row(
        &format!("{label}: export to JSON lines"),
        format!("{:.0} MB/s", size as f64 / 1e6 / export),
        format!("{:.1} MB in {export:.2} s", size as f64 / 1e6),
    );
    drop(replayed);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let commands = nums.get(1).copied().unwrap_or(2_000);
    println!("store benchmark: {hubs} hubs, {commands} commands a measure\n");
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    let dir = std::env::temp_dir().join(format!("commshub-ota-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.db");
    let _ = std::fs::remove_file(&path);
    let loc = path.display().to_string();
    bench_store("sqlite", &loc, &synth, commands, &|| {
        let conn = rusqlite::Connection::open(&path).expect("the benchmark's store");
        conn.execute("DELETE FROM snapshots", [])
            .expect("snapshots cleared");
    })?;
    // Import: the export of the SQLite store into a fresh one.
    let file = dir.join("sqlite.jsonl");
    let size = std::fs::metadata(&file)?.len();
    let target = dir.join("imported.db");
    let _ = std::fs::remove_file(&target);
    let clock = Instant::now();
    let imported = Engine::import(
        &file,
        store::open(&target.display().to_string())?,
        OpenOptions::default().snapshot_every(0),
    )?;
    let import = clock.elapsed().as_secs_f64();
    row(
        "sqlite: import JSON lines into a fresh store",
        format!("{:.0} MB/s", size as f64 / 1e6 / import),
        format!(
            "{:.1} MB, {} events in {import:.2} s (read, verified, replayed, written)",
            size as f64 / 1e6,
            imported.state().last_seq()
        ),
    );
    drop(imported);
    #[cfg(feature = "postgres")]
    if let Ok(base) = std::env::var("COMMSHUB_OTA_PG_URL") {
        let db = format!("bench{}", std::process::id());
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))?;
        admin.batch_execute(&format!("CREATE DATABASE {db}"))?;
        let url = format!("{}/{db}", base.rsplit_once('/').map_or(&*base, |(p, _)| p));
        println!();
        bench_store("postgres", &url, &synth, commands, &|| {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the store");
            c.batch_execute("DELETE FROM snapshots")
                .expect("snapshots cleared");
        })?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
