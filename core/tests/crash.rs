//! Crash safety, measured: a writer process streams commands and batches into a store and is
//! killed with SIGKILL at a random moment, again and again. After each kill the store must open,
//! its chain verify, every command the writer saw acknowledged be there, and no batch be there
//! in part.
//!
//! The writer is this test binary itself, run again with `--ignored --exact writer_process`.
//! Kills per run: `CRASH_KILLS_SQLITE` (default 20) and `CRASH_KILLS_PG` (default 5, when
//! `COMMSHUB_OTA_PG_URL` names a server). The long run docs/durability.md reports:
//!
//! ```text
//! CRASH_KILLS_SQLITE=200 CRASH_KILLS_PG=50 COMMSHUB_OTA_PG_URL=... \
//!     cargo test --release -p commshub-ota --features postgres --test crash -- --nocapture
//! ```

#![cfg(feature = "sqlite")]

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use common::*;
use commshub_ota::command::*;
use commshub_ota::*;

/// Campaigns a batch creates (each created and cancelled in the batch: the estate's limit on
/// open campaigns per variant is not reached however long the stream runs).
const BATCH: usize = 2;

fn cancel(id: &str) -> Command {
    CancelCampaign {
        campaign: camp(id),
        reason: "crash test".into(),
    }
    .into()
}

fn create(id: &str) -> Command {
    CreateCampaign {
        campaign: camp(id),
        variant: vid(NORTH),
        target: fw("2.0"),
        cutoff: t(400),
        policy: Default::default(),
    }
    .into()
}

/// The writer: opens the store named by `CRASH_WRITER_STORE`, then alternates single commands
/// and batches (of [`BATCH`] campaigns created and cancelled), printing `ack ID` for each command after its commit returned.
#[test]
#[ignore = "the writer process of the crash tests, which run it themselves"]
fn writer_process() {
    let Ok(loc) = std::env::var("CRASH_WRITER_STORE") else {
        return;
    };
    let round = std::env::var("CRASH_WRITER_ROUND").unwrap();
    let mut engine = Engine::open(&loc).unwrap();
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for i in 0.. {
        if i % 2 == 0 {
            let id = format!("S{round}-{i}");
            engine.execute(&Actor::Dcc, t(1), create(&id)).unwrap();
            writeln!(out, "ack {id}").unwrap();
            out.flush().unwrap();
            engine.execute(&Actor::Dcc, t(1), cancel(&id)).unwrap();
        } else {
            let ids: Vec<String> = (0..BATCH).map(|k| format!("B{round}-{i}-{k}")).collect();
            let batch = ids
                .iter()
                .flat_map(|id| [(Actor::Dcc, create(id)), (Actor::Dcc, cancel(id))])
                .collect();
            for answer in engine.execute_batch(t(1), batch).unwrap() {
                answer.unwrap();
            }
            for id in &ids {
                writeln!(out, "ack {id}").unwrap();
            }
        }
        out.flush().unwrap();
    }
}

/// A writer racing another process on one store: `CRASH_RACER_COMMANDS` campaigns created and
/// cancelled, each command retried on a conflict (after which the engine has caught up).
#[test]
#[ignore = "a writer process of the two-process test, which runs it"]
fn racing_writer_process() {
    let Ok(loc) = std::env::var("CRASH_WRITER_STORE") else {
        return;
    };
    let who = std::env::var("CRASH_WRITER_ROUND").unwrap();
    let n: usize = std::env::var("CRASH_RACER_COMMANDS")
        .unwrap()
        .parse()
        .unwrap();
    let mut engine = Engine::open(&loc).unwrap();
    let mut conflicts = 0;
    let out = std::io::stdout();
    let mut out = out.lock();
    for i in 0..n {
        let id = format!("R{who}-{i}");
        for command in [create(&id), cancel(&id)] {
            loop {
                match engine.execute(&Actor::Dcc, t(1), command.clone()) {
                    Ok(_) => break,
                    Err(Error::Conflict { .. }) => conflicts += 1,
                    Err(other) => panic!("{id}: {other}"),
                }
            }
        }
        writeln!(out, "ack {id}").unwrap();
    }
    writeln!(out, "conflicts {conflicts}").unwrap();
    out.flush().unwrap();
}

/// Two writer processes on one store at once: every command of each lands exactly once.
fn two_processes(loc: &str, label: &str) {
    drop(fixture_on(Engine::open(loc).unwrap()));
    // Enough commands that the two overlap (each starts, opens and replays first).
    let n = 150;
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|who| {
            Process::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "racing_writer_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("CRASH_WRITER_STORE", loc)
                .env("CRASH_WRITER_ROUND", who.to_string())
                .env("CRASH_RACER_COMMANDS", n.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut conflicts = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{label}: a writer failed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.matches("ack R").count(), n, "{label}: {text}");
        conflicts += text
            .lines()
            .filter_map(|l| {
                l.rsplit_once("conflicts ")
                    .map(|(_, c)| c.trim().parse::<usize>().unwrap_or(0))
            })
            .sum::<usize>();
    }
    let mut e = Engine::open(loc).unwrap();
    e.verify_store().unwrap();
    let fixture_events = fixture().state().last_seq();
    // Every command once: two events a campaign (created, cancelled), nothing twice.
    assert_eq!(
        e.state().last_seq(),
        fixture_events + 2 * 2 * n as u64,
        "{label}"
    );
    for who in 0..2 {
        for i in 0..n {
            assert!(
                campaign_exists(&e, &format!("R{who}-{i}")),
                "{label}: R{who}-{i}"
            );
        }
    }
    eprintln!("{label}: two writer processes, {} commands each, {conflicts} conflicts retried, all landed once", 2 * n);
}

#[test]
fn two_writer_processes_on_one_sqlite_file() {
    two_processes(&Fresh::sqlite("race"), "sqlite");
}

#[cfg(feature = "postgres")]
#[test]
fn two_writer_processes_on_one_postgres_database() {
    if let Some(base) = pg_base() {
        let url = fresh_pg_database(&base, &format!("race{}", std::process::id()));
        two_processes(&url, "postgres");
    }
}

/// A small deterministic generator (xorshift), seeded per run and printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn campaign_exists(e: &Engine, id: &str) -> bool {
    e.query(&Actor::Dcc, &Query::Campaign { campaign: camp(id) })
        .is_ok()
}

/// Kills a writer on `loc` `kills` times and checks the store after each kill.
fn crash_many(loc: &str, kills: u32, label: &str) {
    drop(fixture_on(Engine::open(loc).unwrap()));
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = Rng(seed);
    let exe = std::env::current_exe().unwrap();
    let (mut acked_total, mut landed_unacked, mut started) = (0usize, 0usize, Instant::now());
    for round in 0..kills {
        let mut child = Process::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "writer_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CRASH_WRITER_STORE", loc)
            .env("CRASH_WRITER_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if l.ends_with("ready") {
                            let _ = ready_tx.send(());
                        }
                        lines.push(l)
                    }
                    Err(_) => break,
                }
            }
            lines
        });
        // Once the writer has opened the store, kill it at a random moment of its stream.
        ready_rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("{label} round {round}: the writer never opened"));
        std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        let acked: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("ack "))
            .collect();
        // The store opens, its chain verifies, every acknowledged command is there.
        let mut e = Engine::open(loc)
            .unwrap_or_else(|err| panic!("{label} round {round} (seed {seed}): {err}"));
        e.verify_store()
            .unwrap_or_else(|err| panic!("{label} round {round} (seed {seed}): {err}"));
        for id in &acked {
            assert!(
                campaign_exists(&e, id),
                "{label} round {round} (seed {seed}): acknowledged {id} is missing"
            );
        }
        acked_total += acked.len();
        // No batch in part: each batch's campaigns all there or none.
        let acked: BTreeSet<&str> = acked.into_iter().collect();
        for i in 0..10_000 {
            let ids: Vec<String> = (0..BATCH).map(|k| format!("B{round}-{i}-{k}")).collect();
            let there: Vec<bool> = ids.iter().map(|id| campaign_exists(&e, id)).collect();
            let single = format!("S{round}-{i}");
            if i % 2 == 0 {
                if campaign_exists(&e, &single) && !acked.contains(single.as_str()) {
                    landed_unacked += 1; // committed, killed before the ack was printed
                }
                continue;
            }
            assert!(
                there.iter().all(|&t| t) || there.iter().all(|&t| !t),
                "{label} round {round} (seed {seed}): batch {i} is there in part: {there:?}"
            );
            if !there[0] {
                break;
            }
            if !acked.contains(ids[0].as_str()) {
                landed_unacked += 1;
            }
        }
        if round == 0 {
            started = Instant::now();
        }
    }
    eprintln!(
        "{label}: {kills} SIGKILLs (seed {seed}); after each the store opened and verified; \
         {acked_total} acknowledged commands all present; {landed_unacked} units committed but \
         killed before their ack; no batch in part ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

fn kills(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn sigkill_during_commands_and_batches_loses_nothing_acknowledged_sqlite() {
    crash_many(
        &Fresh::sqlite("crash"),
        kills("CRASH_KILLS_SQLITE", 20),
        "sqlite",
    );
}

#[cfg(feature = "postgres")]
#[test]
fn sigkill_during_commands_and_batches_loses_nothing_acknowledged_postgres() {
    if let Some(base) = pg_base() {
        let url = fresh_pg_database(&base, &format!("crash{}", std::process::id()));
        crash_many(&url, kills("CRASH_KILLS_PG", 5), "postgres");
    }
}
