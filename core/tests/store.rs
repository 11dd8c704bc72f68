//! The durable engine against real stores: SQLite always, PostgreSQL when `COMMSHUB_OTA_PG_URL`
//! names a server (scripts/test starts one; under CI=true its absence fails the run).

#![cfg(feature = "sqlite")]

mod common;

use std::time::Duration;

use common::*;
use commshub_ota::command::*;
use commshub_ota::journal;
use commshub_ota::notices::NotificationKind;
use commshub_ota::store::{self, Record};
use commshub_ota::*;

/// A kind of store: how to make a fresh one and how to reach into it as an attacker would.
trait Backend {
    fn name(&self) -> &'static str;
    fn fresh(&self) -> Fresh;
    /// Rewrites event `seq`'s body (and, when `rehash`, the chain from it on, as a forger who
    /// knows the algorithm would).
    fn tamper_event(&self, loc: &str, seq: u64, edit: &dyn Fn(&str) -> String, rehash: bool);
    fn tamper_snapshot(&self, loc: &str, edit: &dyn Fn(&mut Vec<u8>));
    fn delete_events_after(&self, loc: &str, seq: u64);
}

fn rehashed(
    records: Vec<Record>,
    from: u64,
    edit: &dyn Fn(&str) -> String,
    rehash: bool,
) -> Vec<(u64, String, String)> {
    let mut previous = [0u8; 32];
    let mut out = Vec::new();
    for r in records {
        let body = if r.seq == from {
            edit(&r.body)
        } else {
            r.body.clone()
        };
        let hash = if rehash && r.seq >= from {
            let event = journal::from_json_line(&body, r.seq).unwrap();
            let mut redone = Record::of(&event, &previous);
            redone.body = body.clone();
            // The body as edited is what is hashed (Record::of re-serialises the same JSON).
            redone.hash
        } else {
            r.hash
        };
        previous = hash;
        if r.seq >= from {
            out.push((r.seq, body, hex(&hash)));
        }
    }
    out
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn all_records(loc: &str) -> Vec<Record> {
    let mut s = store::open(loc).unwrap();
    s.read(0, usize::MAX >> 1, usize::MAX).unwrap()
}

struct Sqlite;

impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn fresh(&self) -> Fresh {
        Fresh::sqlite("store")
    }

    fn tamper_event(&self, loc: &str, seq: u64, edit: &dyn Fn(&str) -> String, rehash: bool) {
        let rows = rehashed(all_records(loc), seq, edit, rehash);
        let conn = rusqlite::Connection::open(loc).unwrap();
        for (seq, body, hash) in rows {
            conn.execute(
                "UPDATE events SET body = ?1, hash = ?2 WHERE seq = ?3",
                rusqlite::params![body, hash, seq as i64],
            )
            .unwrap();
        }
    }

    fn tamper_snapshot(&self, loc: &str, edit: &dyn Fn(&mut Vec<u8>)) {
        let conn = rusqlite::Connection::open(loc).unwrap();
        let (seq, mut data): (i64, Vec<u8>) = conn
            .query_row(
                "SELECT seq, data FROM snapshots ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        edit(&mut data);
        conn.execute(
            "UPDATE snapshots SET data = ?1 WHERE seq = ?2",
            rusqlite::params![data, seq],
        )
        .unwrap();
    }

    fn delete_events_after(&self, loc: &str, seq: u64) {
        let conn = rusqlite::Connection::open(loc).unwrap();
        conn.execute("DELETE FROM events WHERE seq > ?1", [seq as i64])
            .unwrap();
    }
}

#[cfg(feature = "postgres")]
struct Postgres {
    base: String,
}

#[cfg(feature = "postgres")]
impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn fresh(&self) -> Fresh {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let db = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        Fresh::url(fresh_pg_database(&self.base, &db))
    }

    fn tamper_event(&self, loc: &str, seq: u64, edit: &dyn Fn(&str) -> String, rehash: bool) {
        let rows = rehashed(all_records(loc), seq, edit, rehash);
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        for (seq, body, hash) in rows {
            c.execute(
                "UPDATE events SET body = $1, hash = $2 WHERE seq = $3",
                &[&body, &hash, &(seq as i64)],
            )
            .unwrap();
        }
    }

    fn tamper_snapshot(&self, loc: &str, edit: &dyn Fn(&mut Vec<u8>)) {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        let row = c
            .query_one(
                "SELECT seq, data FROM snapshots ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .unwrap();
        let (seq, mut data): (i64, Vec<u8>) = (row.get(0), row.get(1));
        edit(&mut data);
        c.execute(
            "UPDATE snapshots SET data = $1 WHERE seq = $2",
            &[&data, &seq],
        )
        .unwrap();
    }

    fn delete_events_after(&self, loc: &str, seq: u64) {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        c.execute("DELETE FROM events WHERE seq > $1", &[&(seq as i64)])
            .unwrap();
    }
}

fn backends() -> Vec<Box<dyn Backend>> {
    #[allow(unused_mut)]
    let mut all: Vec<Box<dyn Backend>> = vec![Box::new(Sqlite)];
    #[cfg(feature = "postgres")]
    if let Some(base) = pg_base() {
        all.push(Box::new(Postgres { base }));
    }
    all
}

fn open(loc: &str) -> Engine {
    Engine::open(loc).unwrap()
}

fn opts(every: u64) -> OpenOptions {
    OpenOptions::default().snapshot_every(every)
}

/// Opens `loc` even on a fallback (a refused snapshot), as an operator who chose to.
fn open_fallback(loc: &str) -> Engine {
    Engine::open_store(
        store::open(loc).unwrap(),
        OpenOptions::default().allow_fallback(true),
    )
    .unwrap()
}

fn open_with(loc: &str, every: u64) -> Engine {
    Engine::open_store(store::open(loc).unwrap(), opts(every)).unwrap()
}

#[test]
fn a_durable_engine_reopens_to_the_state_an_engine_in_memory_reaches() {
    for b in backends() {
        let loc = b.fresh();
        let durable = rolling_on(open_with(&loc, 0), Default::default());
        let memory = rolling(Default::default());
        assert!(durable.same_state_as(&memory), "{}", b.name());
        let n = memory.state().last_seq();
        // Nothing of the history is held: the store has it, and the in-memory entry points
        // say so instead of answering with a part of it.
        let mut durable = durable;
        for err in [
            durable.events().unwrap_err(),
            durable.take_events().unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", b.name());
            assert!(err.to_string().contains("history()"), "{err}");
        }
        drop(durable);
        let mut reopened = open(&loc);
        assert!(reopened.same_state_as(&memory), "{}", b.name());
        let report = reopened.open_report().unwrap().clone();
        assert_eq!(
            (report.snapshot, report.replayed),
            (None, n),
            "{}",
            b.name()
        );
        let info = reopened.store_info().unwrap();
        assert_eq!(info.events, n as i64);
        assert!(
            matches!(reopened.verify_store().unwrap(), journal::Verified::Chained { events, .. } if events == n as i64)
        );
    }
}

#[test]
fn a_refused_command_leaves_the_store_as_it_was() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = fixture_on(open(&loc));
        let before = e.store_info().unwrap();
        let err = e
            .execute(
                &cust("SUP-A"),
                t(1),
                GrantPilotOa {
                    campaign: camp("C9"),
                }
                .into(),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPermitted, "{}", b.name());
        assert_eq!(e.store_info().unwrap(), before, "{}", b.name());
    }
}

#[test]
fn a_writer_that_lost_the_race_gets_a_conflict_catches_up_and_may_retry() {
    for b in backends() {
        let loc = b.fresh();
        let mut a = fixture_on(open(&loc));
        let mut other = open(&loc);
        assert!(other.same_state_as(&a));
        let create = |id: &str| -> Command {
            CreateCampaign {
                campaign: camp(id),
                variant: vid(NORTH),
                target: fw("2.0"),
                cutoff: t(60),
                policy: Default::default(),
            }
            .into()
        };
        a.execute(&Actor::Dcc, t(1), create("C1")).unwrap();
        let err = other.execute(&Actor::Dcc, t(1), create("C2")).unwrap_err();
        let seen = a.state().last_seq();
        assert_eq!(
            err,
            Error::Conflict {
                expected: Some(seen - 1),
                found: Some(seen)
            },
            "{}",
            b.name()
        );
        // Caught up: it now holds C1, and the retry is decided on that.
        assert!(other.same_state_as(&a), "{}", b.name());
        // A customer's lost race: the same conflict, without the DCC's event numbers.
        let mut third = open(&loc);
        a.execute(&Actor::Dcc, t(1), create("C3")).unwrap();
        let hidden = third
            .execute(
                &cust("SUP-B"),
                t(1),
                ChangeHanDeviceFirmware {
                    hub: hub(2),
                    device: HanDeviceKind::Gsme,
                    firmware: "5.1".into(),
                }
                .into(),
            )
            .unwrap_err();
        assert_eq!(
            hidden,
            Error::Conflict {
                expected: None,
                found: None
            },
            "{}",
            b.name()
        );
        assert!(!hidden.to_string().contains("event"), "{hidden}");
        assert!(third.same_state_as(&a));
        other.catch_up().unwrap();
        other.execute(&Actor::Dcc, t(1), create("C2")).unwrap();
        // The same command again is now a different refusal, decided on the caught-up state.
        let again = other.execute(&Actor::Dcc, t(1), create("C1")).unwrap_err();
        assert_eq!(again.kind(), ErrorKind::AlreadyExists);
        assert_eq!(a.catch_up().unwrap(), 1);
        assert!(a.same_state_as(&other));
    }
}

#[test]
fn two_processes_worth_of_writers_on_threads_lose_nothing() {
    // Two engines on one store, each on its own thread with its own connection, retrying on
    // conflict: every command lands exactly once and the chain verifies.
    for b in backends() {
        let loc = b.fresh();
        drop(fixture_on(open(&loc)));
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let loc = loc.loc.clone();
                std::thread::spawn(move || {
                    let mut e = open(&loc);
                    let mut conflicts = 0;
                    for i in 0..15 {
                        let cmd: Command = CreateCampaign {
                            campaign: camp(&format!("W{w}-{i}")),
                            variant: vid(if w == 0 { NORTH } else { SOUTH }),
                            target: fw(if w == 0 { "2.0" } else { "1.0" }),
                            cutoff: t(90),
                            policy: Default::default(),
                        }
                        .into();
                        loop {
                            match e.execute(&Actor::Dcc, t(1), cmd.clone()) {
                                Ok(_) => break,
                                Err(Error::Conflict { .. }) => conflicts += 1,
                                // A campaign for the south variant targets a version it runs.
                                Err(other) => return Err(other.to_string()),
                            }
                        }
                    }
                    Ok(conflicts)
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap().ok();
        }
        let mut e = open(&loc);
        e.verify_store().unwrap();
        let north = (0..15)
            .filter(|i| {
                e.query(
                    &Actor::Dcc,
                    &Query::Campaign {
                        campaign: camp(&format!("W0-{i}")),
                    },
                )
                .is_ok()
            })
            .count();
        assert_eq!(north, 15, "{}", b.name());
    }
}

#[test]
fn a_snapshot_restarts_the_engine_and_a_bad_one_falls_back_to_the_events() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = rolling_on(open_with(&loc, 0), Default::default());
        let size = e.snapshot().unwrap();
        assert!(size > 0);
        let at = e.state().last_seq();
        e.execute(&csp(), t(3), report(&upgrade_rows(10))).unwrap();
        let expected = e.fork();
        drop(e);
        let reopened = open(&loc);
        assert!(reopened.same_state_as(&expected), "{}", b.name());
        let report = reopened.open_report().unwrap();
        assert_eq!(report.snapshot, Some(at), "{}", b.name());
        assert_eq!(report.replayed, 1, "{}", b.name());
        assert!(report.refused.is_empty());
        drop(reopened);
        // A flipped byte in the snapshot: opening raises the refusal, unless the operator
        // allows the fallback; then the events are used and the report says why.
        b.tamper_snapshot(&loc, &|data| data[100] ^= 0x40);
        let raised = Engine::open(&loc).unwrap_err();
        assert_eq!(raised.kind(), ErrorKind::CorruptSnapshot, "{}", b.name());
        assert!(raised.to_string().contains("checksum"), "{raised}");
        let fallback = open_fallback(&loc);
        assert!(fallback.same_state_as(&expected), "{}", b.name());
        let report = fallback.open_report().unwrap();
        assert_eq!(report.snapshot, None);
        assert_eq!(report.refused.len(), 1);
        assert_eq!(report.refused[0].kind(), ErrorKind::CorruptSnapshot);
        assert!(
            report.refused[0].to_string().contains("checksum"),
            "{}",
            report.refused[0]
        );
        drop(fallback);
        // A snapshot cut short is refused the same way.
        b.tamper_snapshot(&loc, &|data| data.truncate(data.len() - 7));
        let cut = open_fallback(&loc);
        assert!(cut.same_state_as(&expected));
        assert!(cut.open_report().unwrap().refused[0]
            .to_string()
            .contains("cut or padded"));
    }
}

#[test]
fn snapshots_are_taken_every_n_events() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = rolling_on(open_with(&loc, 10), Default::default());
        let info = e.store_info().unwrap();
        assert!(
            info.snapshot_at >= 10 && info.snapshot_at <= info.events,
            "{info:?}"
        );
        assert!(info.events - info.snapshot_at < 10 + 5, "{info:?}");
        let memory = rolling(Default::default());
        drop(e);
        let again = open(&loc);
        assert!(again.same_state_as(&memory), "{}", b.name());
        assert_eq!(
            again.open_report().unwrap().snapshot,
            Some(info.snapshot_at as u64)
        );
    }
}

#[test]
fn a_changed_event_is_refused_on_open_naming_it() {
    for b in backends() {
        let loc = b.fresh();
        drop(rolling_on(open_with(&loc, 0), Default::default()));
        // One flipped letter in event 3's body.
        b.tamper_event(
            &loc,
            3,
            &|body| body.replacen("CH-N-DB", "CH-N-DC", 1),
            false,
        );
        let err = Engine::open(&loc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{}: {err}", b.name());
        assert!(err.to_string().contains("event 3"), "{err}");
        let mut s = store::open(&loc).unwrap();
        let err = store::verify(s.as_mut()).unwrap_err();
        assert!(err.to_string().contains("chain breaks at event 3"), "{err}");
    }
}

#[test]
fn a_forged_actor_with_a_recomputed_chain_is_refused_by_the_permission_table() {
    for b in backends() {
        let loc = b.fresh();
        drop(rolling_on(open_with(&loc, 0), Default::default()));
        // Find the pilot grant (the DCC's phase change) and put a customer's name on it, the
        // chain recomputed.
        let records = all_records(&loc);
        let grant = records
            .iter()
            .find(|r| r.kind == "campaign_phase_changed" && r.actor == "dcc")
            .unwrap()
            .seq;
        b.tamper_event(
            &loc,
            grant,
            &|body| body.replacen("\"actor\":\"dcc\"", "\"actor\":\"customer:SUP-A\"", 1),
            true,
        );
        // A careful forger sets the indexed column too (a column left alone is refused).
        exec(
            &loc,
            &format!("UPDATE events SET actor = 'customer:SUP-A' WHERE seq = {grant}"),
        );
        // The chain holds (a forger recomputed it) ...
        let mut s = store::open(&loc).unwrap();
        store::verify(s.as_mut()).unwrap();
        // ... but replay knows a customer cannot grant pilot OA.
        let err = Engine::open(&loc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{}", b.name());
        assert!(err.to_string().contains(&format!("event {grant}")), "{err}");
    }
}

#[test]
fn an_event_that_breaks_the_phase_machine_is_refused_even_with_its_chain_recomputed() {
    for b in backends() {
        let loc = b.fresh();
        drop(rolling_on(open_with(&loc, 0), Default::default()));
        // The pilot grant made to skip straight to mass rollout: the DCC's, chain recomputed.
        let records = all_records(&loc);
        let grant = records
            .iter()
            .find(|r| r.kind == "campaign_phase_changed" && r.actor == "dcc")
            .unwrap()
            .seq;
        b.tamper_event(
            &loc,
            grant,
            &|body| body.replacen("\"to\":\"pilot\"", "\"to\":\"mass_rollout\"", 1),
            true,
        );
        let mut s = store::open(&loc).unwrap();
        store::verify(s.as_mut()).unwrap();
        let err = Engine::open(&loc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{}", b.name());
        let text = err.to_string();
        assert!(
            text.contains(&format!("event {grant}")) && text.contains("no transition"),
            "{text}"
        );
    }
}

#[test]
fn events_removed_below_a_snapshot_are_detected() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = rolling_on(open_with(&loc, 0), Default::default());
        e.snapshot().unwrap();
        let at = e.state().last_seq();
        drop(e);
        b.delete_events_after(&loc, at - 2);
        // The snapshot is of events the store no longer holds: opening raises that, and
        // allowed to fall back, the shorter log is what opens (the refusal says why), never
        // silently the snapshot's state.
        let raised = Engine::open(&loc).unwrap_err();
        assert_eq!(raised.kind(), ErrorKind::CorruptSnapshot, "{}", b.name());
        let e = open_fallback(&loc);
        let report = e.open_report().unwrap();
        assert_eq!(report.refused.len(), 1, "{}", b.name());
        assert!(
            report.refused[0].to_string().contains("cut"),
            "{}",
            report.refused[0]
        );
        assert_eq!(e.state().last_seq(), at - 2);
    }
}

#[test]
fn export_writes_a_chained_log_that_imports_to_the_same_state() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = rolling_on(open(&loc), Default::default());
        let dir = Scratch::new("export");
        let file = dir.file(&format!("{}.jsonl", b.name()));
        let n = e.export(&file).unwrap();
        assert_eq!(n, e.state().last_seq());
        assert!(
            matches!(journal::verify(&file).unwrap(), journal::Verified::Chained { events, .. } if events == n as i64)
        );
        // The same bytes as an engine in memory writes: the chain is the log's.
        let memory = rolling(Default::default());
        let mem_file = dir.file(&format!("{}-memory.jsonl", b.name()));
        journal::write_jsonl(&mem_file, memory.events().unwrap()).unwrap();
        assert_eq!(
            std::fs::read(&file).unwrap(),
            std::fs::read(&mem_file).unwrap()
        );
        // Imported into a fresh store: the same state, and the same export.
        let target = b.fresh();
        let mut imported =
            Engine::import(&file, store::open(&target).unwrap(), OpenOptions::default()).unwrap();
        assert!(imported.same_state_as(&memory), "{}", b.name());
        let again = dir.file(&format!("{}-again.jsonl", b.name()));
        imported.export(&again).unwrap();
        assert_eq!(
            std::fs::read(&file).unwrap(),
            std::fs::read(&again).unwrap()
        );
        // Into a store that holds events: refused, nothing written.
        let err =
            Engine::import(&file, store::open(&loc).unwrap(), OpenOptions::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("empty store"), "{err}");
        assert_eq!(e.store_info().unwrap().events, n as i64);
    }
}

#[test]
fn a_batch_commits_its_accepted_commands_together_and_answers_each() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = fixture_on(open(&loc));
        let before = e.state().last_seq();
        let create: Command = CreateCampaign {
            campaign: camp("C1"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }
        .into();
        let answers = e
            .execute_batch(
                t(1),
                vec![
                    (Actor::Dcc, create.clone()),
                    // Decided on the state the first left: C1 exists now.
                    (Actor::Dcc, create),
                    (
                        Actor::Dcc,
                        GrantPilotOa {
                            campaign: camp("C1"),
                        }
                        .into(),
                    ),
                    (
                        cust("SUP-A"),
                        GrantPilotOa {
                            campaign: camp("C1"),
                        }
                        .into(),
                    ),
                ],
            )
            .unwrap();
        assert!(answers[0].is_ok());
        assert_eq!(
            answers[1].as_ref().unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        assert!(answers[2].is_ok());
        assert_eq!(
            answers[3].as_ref().unwrap_err().kind(),
            ErrorKind::NotPermitted
        );
        let accepted: usize = answers
            .iter()
            .filter_map(|a| a.as_ref().ok())
            .map(Vec::len)
            .sum();
        assert_eq!(
            e.store_info().unwrap().events,
            (before + accepted as u64) as i64
        );
        let reopened = open(&loc);
        assert!(reopened.same_state_as(&e), "{}", b.name());
        // A batch on a store that moved on: a conflict before anything is decided.
        let mut other = open(&loc);
        e.execute(
            &Actor::Dcc,
            t(2),
            SuspendCampaign {
                campaign: camp("C1"),
                reason: "check".into(),
            }
            .into(),
        )
        .unwrap();
        // A stale instance's batch is decided on the caught-up state (C1 suspended), never
        // refused because the instance was behind (docs/domain.md decision 20).
        let answers = other
            .execute_batch(
                t(2),
                vec![(
                    Actor::Dcc,
                    ResumeCampaign {
                        campaign: camp("C1"),
                    }
                    .into(),
                )],
            )
            .unwrap();
        assert!(answers[0].is_ok(), "{answers:?}");
        e.catch_up().unwrap();
        assert!(other.same_state_as(&e));
        // Too many commands in one batch: refused whole.
        let many = vec![
            (
                Actor::Dcc,
                GrantPilotOa {
                    campaign: camp("C1")
                }
                .into()
            );
            limits::MAX_BATCH_COMMANDS + 1
        ];
        let err = other.execute_batch(t(2), many).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("commands"), "{err}");
    }
}

/// SUP-B's feed, read whole.
fn whole_feed(e: &mut Engine, who: &Actor) -> Vec<commshub_ota::notices::Notification> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let page = e.feed(who, cursor, 3).unwrap();
        if page.notifications.is_empty() {
            return out;
        }
        cursor = page.cursor as u64;
        out.extend(page.notifications);
    }
}

#[test]
fn a_party_reads_its_own_notifications_since_a_cursor_and_nothing_of_others() {
    for b in backends() {
        let run = |extra: bool| {
            let loc = b.fresh();
            let mut e = rolling_on(open(&loc), Default::default());
            if extra {
                // SUP-C acts on its own south hub, which SUP-B does not supply.
                e.execute(
                    &cust("SUP-C"),
                    t(3),
                    ChangeHanDeviceFirmware {
                        hub: hub(4),
                        device: HanDeviceKind::Esme,
                        firmware: "9.9".into(),
                    }
                    .into(),
                )
                .unwrap();
            }
            e.execute(
                &Actor::Dcc,
                t(4),
                SuspendCampaign {
                    campaign: camp(C1),
                    reason: "a look".into(),
                }
                .into(),
            )
            .unwrap();
            let feed = whole_feed(&mut e, &cust("SUP-B"));
            (loc, feed)
        };
        let (loc, feed) = run(false);
        let (_, with_extra) = run(true);
        assert!(!feed.is_empty(), "{}", b.name());
        // Positions are SUP-B's own: 1, 2, 3, ...; no event numbers for a customer.
        let ids: Vec<i64> = feed.iter().map(|n| n.id).collect();
        assert_eq!(ids, (1..=feed.len() as i64).collect::<Vec<_>>());
        assert!(feed.iter().all(|n| n.event.is_none()));
        assert!(feed
            .iter()
            .any(|n| matches!(n.kind, NotificationKind::PhaseChanged { .. })));
        // Another party's activity on hubs SUP-B does not supply changes nothing of its feed.
        assert_eq!(feed, with_extra, "{}", b.name());
        // The feed is the store's: a party's system reads it without an engine.
        let mut s = store::open(&loc).unwrap();
        let page = commshub_ota::engine::read_feed(s.as_mut(), &cust("SUP-B"), 1, 10_000).unwrap();
        assert_eq!(page.notifications, feed[1..].to_vec());
        assert_eq!(page.cursor, feed.len() as i64);
        // The DCC's feed names events.
        let mut e = open(&loc);
        let dcc = whole_feed(&mut e, &Actor::Dcc);
        assert!(dcc.iter().all(|n| n.event.is_some()));
        // Bounds.
        for limit in [0, 10_001] {
            let err = e.feed(&cust("SUP-B"), 0, limit).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.to_string().contains(&limit.to_string()), "{err}");
        }
        assert_eq!(
            e.feed(&Actor::System, 0, 1).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        // A party with no notices has an empty feed, and its cursor stays where it was.
        let none = e.feed(&cust("SUP-Z"), 5, 10).unwrap();
        assert!(none.notifications.is_empty());
        assert_eq!(none.cursor, 5);
    }
}

#[test]
fn a_follower_is_woken_by_another_writers_events() {
    for b in backends() {
        let loc = b.fresh();
        let mut writer = fixture_on(open(&loc));
        let mut follower = open(&loc);
        assert_eq!(
            follower.wait_for_events(Duration::from_millis(50)).unwrap(),
            0
        );
        let loc2 = loc.loc.clone();
        let handle = std::thread::spawn(move || {
            let mut f = open(&loc2);
            let n = f.wait_for_events(Duration::from_secs(20)).unwrap();
            (n, f)
        });
        std::thread::sleep(Duration::from_millis(200));
        writer
            .execute(
                &Actor::Dcc,
                t(1),
                CreateCampaign {
                    campaign: camp("C1"),
                    variant: vid(NORTH),
                    target: fw("2.0"),
                    cutoff: t(60),
                    policy: Default::default(),
                }
                .into(),
            )
            .unwrap();
        let (n, woken) = handle.join().unwrap();
        assert!(n >= 1, "{}", b.name());
        assert!(woken.same_state_as(&writer));
        assert_eq!(follower.catch_up().unwrap(), 1);
        assert!(follower.same_state_as(&writer));
    }
}

#[test]
fn an_engine_in_memory_has_no_store_to_use() {
    let mut e = fixture();
    for err in [
        e.snapshot().unwrap_err(),
        e.catch_up().unwrap_err(),
        e.verify_store().unwrap_err(),
        e.feed(&Actor::Dcc, 0, 1).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("no store"), "{err}");
    }
    // A durable engine takes its events from the store, not by hand.
    let loc = Sqlite.fresh();
    let mut d = open(&loc);
    let first = fixture().events().unwrap()[0].clone();
    assert_eq!(
        d.apply_event(first).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn an_unreachable_or_foreign_store_is_a_typed_error() {
    let err = Engine::open("/nonexistent/dir/x.db").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("/nonexistent/dir/x.db"), "{err}");
    // A file that is not a database.
    let path = Sqlite.fresh();
    std::fs::write(
        &path,
        b"this is not a database, it is a text file that is long enough",
    )
    .unwrap();
    assert_eq!(Engine::open(&path).unwrap_err().kind(), ErrorKind::Io);
    #[cfg(feature = "postgres")]
    {
        let err = Engine::open("postgres://nobody:secret@127.0.0.1:1/none").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(
            !err.to_string().contains("secret"),
            "the password is never shown: {err}"
        );
    }
}

#[test]
fn sqlite_a_torn_last_commit_is_not_there_and_the_rest_verifies() {
    // A copy of the file and its write-ahead log taken while the writer is open, the log cut
    // inside its last frame: what a power cut during that commit leaves. SQLite's recovery
    // drops the torn commit (never acknowledged); everything before it opens and verifies.
    let loc = Sqlite.fresh();
    let mut e = fixture_on(open(&loc));
    let before = e.fork();
    e.execute(
        &Actor::Dcc,
        t(1),
        CreateCampaign {
            campaign: camp("C1"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }
        .into(),
    )
    .unwrap();
    let dir = Scratch::new("torn");
    let export = dir.file("export.jsonl");
    e.export(&export).unwrap();
    let history = journal::read_jsonl(&export).unwrap();
    // The write-ahead log cut 1 to 4 frames (of 64 KiB pages) from its end, each inside a frame.
    let wal = std::fs::read(format!("{loc}-wal")).unwrap();
    let frame = 24 + 65536;
    let mut before_seen = false;
    for k in 0..4 {
        let cut = wal.len() - k * frame - 100;
        let copy = Sqlite.fresh();
        std::fs::copy(&loc, &copy).unwrap();
        std::fs::write(format!("{copy}-wal"), &wal[..cut]).unwrap();
        let mut torn = open(&copy);
        // Always a whole prefix of what was committed, verified; never something else.
        torn.verify_store().unwrap();
        let n = torn.state().last_seq() as usize;
        let prefix = Engine::replay(history[..n].to_vec()).unwrap();
        assert!(torn.same_state_as(&prefix), "cut at {cut}");
        before_seen |= torn.same_state_as(&before);
    }
    assert!(before_seen, "no cut reached the command's own commit");
    // The whole log opens to the state after the command.
    let copy = Sqlite.fresh();
    std::fs::copy(&loc, &copy).unwrap();
    std::fs::write(format!("{copy}-wal"), &wal).unwrap();
    let whole = open(&copy);
    assert!(whole.same_state_as(&e));
}

#[test]
fn sqlite_a_cut_database_file_is_a_typed_error_never_a_different_state() {
    let loc = Sqlite.fresh();
    let e = rolling_on(open(&loc), Default::default());
    let expected = e.fork();
    drop(e); // closing checkpoints the log into the file
    let bytes = std::fs::read(&loc).unwrap();
    for cut in [bytes.len() - 1000, bytes.len() / 2] {
        let copy = Sqlite.fresh();
        std::fs::write(&copy, &bytes[..cut]).unwrap();
        match Engine::open(&copy) {
            Err(err) => assert!(
                matches!(err.kind(), ErrorKind::Io | ErrorKind::CorruptLog),
                "{err}"
            ),
            Ok(e) => assert!(
                e.same_state_as(&expected),
                "cut at {cut} opened to another state"
            ),
        }
    }
}

#[test]
fn every_journal_entry_point_means_the_same_on_a_durable_engine_as_in_memory() {
    for b in backends() {
        let loc = b.fresh();
        let mut durable = rolling_on(open(&loc), Default::default());
        let mut memory = rolling(Default::default());
        let all = memory.events().unwrap().to_vec();
        // The whole history, from either kind of engine, and from any point.
        assert_eq!(durable.history(0).unwrap(), all, "{}", b.name());
        assert_eq!(memory.history(0).unwrap(), all);
        assert_eq!(
            durable.history(5).unwrap(),
            all[5..].to_vec(),
            "{}",
            b.name()
        );
        assert_eq!(memory.history(5).unwrap(), all[5..].to_vec());
        // export writes the same bytes from both, and that file replays and verifies.
        let dir = Scratch::new("entry-points");
        let (d, m) = (dir.file("durable.jsonl"), dir.file("memory.jsonl"));
        assert_eq!(durable.export(&d).unwrap(), memory.export(&m).unwrap());
        assert_eq!(std::fs::read(&d).unwrap(), std::fs::read(&m).unwrap());
        let replayed = Engine::replay(journal::read_jsonl(&d).unwrap()).unwrap();
        assert!(replayed.same_state_as(&durable), "{}", b.name());
        // records: the same events, as stored.
        let stored = durable.records(0, 1_000).unwrap();
        assert_eq!(stored.len(), all.len());
        assert!(stored.iter().zip(&all).all(|(r, e)| r.seq == e.seq));
        // The in-memory journal entry points refuse on a durable engine, naming what to use.
        assert_eq!(
            durable.events().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(memory.take_events().unwrap().len(), all.len());
    }
}

#[test]
fn a_stale_instance_decides_a_refused_command_again_after_catching_up() {
    for b in backends() {
        let loc = b.fresh();
        let mut a = fixture_on(open(&loc));
        let mut stale = open(&loc);
        let create = CreateCampaign {
            campaign: camp("C1"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        };
        a.execute(&Actor::Dcc, t(1), create.into()).unwrap();
        // On the stale instance's own state C1 does not exist; on the store's it does: the
        // grant is valid and is recorded, not refused as "campaign not found".
        let events = stale
            .execute(
                &Actor::Dcc,
                t(1),
                GrantPilotOa {
                    campaign: camp("C1"),
                }
                .into(),
            )
            .unwrap()
            .to_vec();
        assert_eq!(events.len(), 1, "{}", b.name());
        assert_eq!(a.catch_up().unwrap(), 1);
        assert!(a.same_state_as(&stale), "{}", b.name());
        // A command refused on the current state is still refused, as before.
        let err = stale
            .execute(
                &Actor::Dcc,
                t(1),
                GrantPilotOa {
                    campaign: camp("C9"),
                }
                .into(),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{}", b.name());
    }
}

#[test]
fn a_writer_refuses_a_recording_time_ahead_of_its_clock_and_reports_anothers() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = fixture_on(open(&loc));
        let before = e.store_info().unwrap();
        let future = chrono::Utc::now() + chrono::Duration::days(3);
        let create = |id: &str| -> Command {
            CreateCampaign {
                campaign: camp(id),
                variant: vid(NORTH),
                target: fw("2.0"),
                cutoff: chrono::DateTime::parse_from_rfc3339("9999-12-31T12:00:00Z")
                    .unwrap()
                    .with_timezone(&chrono::Utc),
                policy: Default::default(),
            }
            .into()
        };
        let err = e.execute(&Actor::Dcc, future, create("C1")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", b.name());
        assert_eq!(field_of(&err), "at");
        assert!(err.to_string().contains("skew of 300 s"), "{err}");
        assert_eq!(e.store_info().unwrap(), before, "nothing recorded");
        let batch = e
            .execute_batch(future, vec![(Actor::Dcc, create("C1"))])
            .unwrap_err();
        assert_eq!(field_of(&batch), "at");
        // Within the skew: recorded.
        let soon = chrono::Utc::now() + chrono::Duration::seconds(60);
        e.execute(&Actor::Dcc, soon, create("C1")).unwrap();
        // Another writer (its clock wrong, or a writer that does not check) records an event
        // stamped in 9999: a reader applies it, reports it, and records its own commands at
        // its own time, not after 9999.
        let y9999 = chrono::DateTime::parse_from_rfc3339("9999-12-31T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut writer = e.fork();
        let forged = writer
            .execute(&Actor::Dcc, y9999, create("C2"))
            .unwrap()
            .to_vec();
        let mut raw = store::open(&loc).unwrap();
        let head = raw.head().unwrap();
        raw.append(head.seq, &[Record::of(&forged[0], &head.hash)])
            .unwrap();
        drop(raw);
        let c2 = forged[0].seq;
        let mut reader = open(&loc);
        let report = reader.open_report().unwrap().clone();
        assert_eq!(report.ahead_of_clock, vec![c2], "{}", b.name());
        assert_eq!(report.ahead_of_clock_count, 1);
        let now = chrono::Utc::now();
        let mine = reader.execute(&Actor::Dcc, now, create("C3")).unwrap();
        assert_eq!(mine[0].at, now, "{}", b.name());
        // A writer that was already open reports it when it catches up.
        e.catch_up().unwrap();
        assert_eq!(e.open_report().unwrap().ahead_of_clock, vec![c2]);
    }
}

#[test]
fn opening_on_a_fallback_raises_unless_allowed() {
    for b in backends() {
        let loc = b.fresh();
        let mut e = rolling_on(open_with(&loc, 0), Default::default());
        e.snapshot().unwrap();
        drop(e);
        b.tamper_snapshot(&loc, &|data| data[60] ^= 0x01);
        let err = Engine::open(&loc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptSnapshot, "{}", b.name());
        let e = open_fallback(&loc);
        assert_eq!(e.open_report().unwrap().refused.len(), 1, "{}", b.name());
    }
}

#[test]
fn an_unchained_log_is_imported_only_when_asked_and_the_store_says_so() {
    for b in backends() {
        let memory = rolling(Default::default());
        let dir = Scratch::new("unchained");
        let chained = dir.file("chained.jsonl");
        journal::write_jsonl(&chained, memory.events().unwrap()).unwrap();
        // The same log with its hashes stripped (and its closing line dropped), as a forger
        // who edited it would leave it.
        let stripped = dir.file("stripped.jsonl");
        let text = std::fs::read_to_string(&chained).unwrap();
        let lines: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).ok()?;
                v.get("seq")?;
                v.as_object_mut()?.remove("hash");
                Some(v.to_string())
            })
            .collect();
        std::fs::write(&stripped, lines.join("\n") + "\n").unwrap();
        assert!(matches!(
            journal::verify(&stripped).unwrap(),
            journal::Verified::Unchained { .. }
        ));
        let target = b.fresh();
        let err = Engine::import(
            &stripped,
            store::open(&target).unwrap(),
            OpenOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{}", b.name());
        assert!(err.to_string().contains("allow_unchained"), "{err}");
        assert_eq!(store::open(&target).unwrap().head().unwrap().seq, 0);
        // Asked for: imported, and the store records and reports that its history up to the
        // log's last event was imported unverified, on this open and every later one.
        let n = memory.state().last_seq();
        let e = Engine::import(
            &stripped,
            store::open(&target).unwrap(),
            OpenOptions::default().allow_unchained(true),
        )
        .unwrap();
        assert_eq!(e.open_report().unwrap().unverified_through, n);
        drop(e);
        assert_eq!(open(&target).open_report().unwrap().unverified_through, n);
        // A chained log imports with nothing to say.
        let clean = b.fresh();
        let e = Engine::import(
            &chained,
            store::open(&clean).unwrap(),
            OpenOptions::default(),
        )
        .unwrap();
        assert_eq!(e.open_report().unwrap().unverified_through, 0);
    }
}

/// `loc`'s store keeping snapshots in pieces of at most `bytes`.
fn chunked(loc: &str, bytes: usize) -> Box<dyn store::EventStore> {
    if loc.starts_with("postgres") {
        #[cfg(feature = "postgres")]
        return Box::new(
            store::postgres::PgStore::open(loc)
                .unwrap()
                .with_snapshot_chunk_bytes(bytes),
        );
    }
    Box::new(
        store::sqlite::SqliteStore::open(loc)
            .unwrap()
            .with_snapshot_chunk_bytes(bytes),
    )
}

fn count_rows(loc: &str, sql: &str) -> i64 {
    if loc.starts_with("postgres") {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        return c.query_one(sql, &[]).unwrap().get(0);
    }
    let conn = rusqlite::Connection::open(loc).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn snapshots_are_kept_in_pieces_no_value_near_a_stores_limit() {
    // Finding 9: a 1.44 GB snapshot was one value, past SQLite's 1 GB limit. With pieces of at
    // most 1 000 bytes (a store whose values stop there), a snapshot is many rows and restarts.
    for b in backends() {
        let loc = b.fresh();
        let mut e = Engine::open_store(chunked(&loc, 1_000), opts(0)).unwrap();
        e = rolling_on(e, Default::default());
        let size = e.snapshot().unwrap();
        let at = e.state().last_seq();
        let pieces = count_rows(&loc, "SELECT count(*) FROM snapshot_chunks");
        assert_eq!(pieces as u64, size.div_ceil(1_000) - 1, "{}", b.name());
        let largest = count_rows(
            &loc,
            "SELECT CAST(max(length(data)) AS BIGINT) FROM snapshot_chunks",
        );
        assert!(largest <= 1_000);
        // Snapshots after it replace it, pieces and all.
        e.execute(&csp(), t(3), report(&upgrade_rows(10))).unwrap();
        e.snapshot().unwrap();
        e.execute(&csp(), t(3), report(&upgrade_rows(12))).unwrap();
        e.snapshot().unwrap();
        let kept = count_rows(&loc, "SELECT count(DISTINCT seq) FROM snapshot_chunks");
        assert_eq!(kept, 2, "{}", b.name());
        let expected = e.fork();
        drop(e);
        let reopened = open(&loc);
        assert!(reopened.same_state_as(&expected), "{}", b.name());
        assert!(reopened.open_report().unwrap().snapshot > Some(at));
    }
}

#[test]
fn a_failing_automatic_snapshot_backs_off_and_is_reported() {
    // Finding 9: a snapshot the store refused was retried on every commit, so every command by
    // anyone took as long as a snapshot. Now: reported, and tried after 2, 4, 8... events.
    let loc = Fresh::sqlite("backoff");
    let mut e = fixture_on(Engine::open_store(store::open(&loc).unwrap(), opts(2)).unwrap());
    let conn = rusqlite::Connection::open(&*loc).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse_snapshots BEFORE INSERT ON snapshots BEGIN SELECT RAISE(ABORT, 'string or blob too big'); END;",
    )
    .unwrap();
    let first = e.state().last_seq();
    let mut failures = Vec::new();
    for i in 0..40 {
        e.execute(
            &cust("SUP-A"),
            t(2),
            Command::FlagDefect(FlagDefect {
                subject: commshub_ota::defects::DefectSubject::Firmware {
                    variant: vid(NORTH),
                    version: fw("2.0"),
                },
                text: format!("note {i}"),
                named: false,
                suspend_own: false,
            }),
        )
        .unwrap();
        if let Some((seq, err)) = &e.open_report().unwrap().snapshot_failure {
            assert!(err.to_string().contains("too big"), "{err}");
            if failures.last() != Some(seq) {
                failures.push(*seq);
            }
        }
    }
    let gaps: Vec<u64> = failures.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(failures.len() >= 3, "{failures:?} (from {first})");
    assert!(gaps.windows(2).all(|w| w[1] == 2 * w[0]), "{failures:?}");
    // Once the store takes snapshots again, the next due one succeeds and clears the report.
    conn.execute_batch("DROP TRIGGER refuse_snapshots").unwrap();
    e.snapshot().unwrap();
    assert!(e.open_report().unwrap().snapshot_failure.is_none());
}

fn exec(loc: &str, sql: &str) {
    if loc.starts_with("postgres") {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        c.batch_execute(sql).unwrap();
        return;
    }
    rusqlite::Connection::open(loc)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn verify_store_compares_the_indexed_columns_and_the_feed_with_the_events() {
    // Finding 11: the columns auditors read and the feed were never compared with the chain.
    for b in backends() {
        // A column edited alone (the body and its chain untouched): named.
        let loc = b.fresh();
        rolling_on(open(&loc), Default::default());
        exec(
            &loc,
            "UPDATE events SET actor = 'customer:SUP-Z' WHERE seq = 3",
        );
        // Opening reads every event (no snapshot here): it refuses, naming the column.
        let err = Engine::open(&loc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{}", b.name());
        assert!(err.to_string().contains("column actor"), "{err}");
        exec(&loc, "UPDATE events SET actor = 'csp:north' WHERE seq = 3");
        assert!(open(&loc).verify_store().is_ok(), "{}", b.name());
        // A forged notice, in a party's feed: named.
        let loc = b.fresh();
        let mut e = rolling_on(open(&loc), Default::default());
        assert!(e.verify_store().is_ok(), "{}", b.name());
        exec(
            &loc,
            "UPDATE feed SET body = replace(body, 'C1', 'C9') WHERE position = 1 AND recipient = 'customer:SUP-A'",
        );
        let err = e.verify_store().unwrap_err();
        assert!(err.to_string().contains("customer:SUP-A"), "{err}");
        // A notice no event gave: named.
        let loc = b.fresh();
        let mut e = rolling_on(open(&loc), Default::default());
        exec(
            &loc,
            "INSERT INTO feed (recipient, position, seq, n, body) VALUES ('customer:SUP-A', 999, 999, 0, '{}')",
        );
        let err = e.verify_store().unwrap_err();
        assert!(err.to_string().contains("no notice"), "{err}");
        // The feed's mark set back: a writer catching up does not put another writer's
        // notices in twice.
        let loc = b.fresh();
        let mut e = rolling_on(open(&loc), Default::default());
        let mut other = open(&loc);
        e.execute(&csp(), t(3), report(&upgrade_rows(10))).unwrap();
        exec(
            &loc,
            "UPDATE meta SET value = '0' WHERE key = 'feed_through'",
        );
        assert_eq!(other.catch_up().unwrap(), 1);
        let feed = whole_feed(&mut e, &cust("SUP-A"));
        let mut ids: Vec<i64> = feed.iter().map(|n| n.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), feed.len());
        if let Err(err) = e.verify_store() {
            panic!("{}: {err}", b.name());
        }
    }
}

#[test]
fn a_long_batch_is_not_starved_by_a_frequent_small_writer() {
    // Finding 8: a 100-command batch committed 0 of 50 tries while another process wrote one
    // small command every 0.05-0.5 s. After losing twice a batch takes the write lock and
    // decides once more under it: every batch commits, each command once.
    for b in backends() {
        let loc = b.fresh();
        drop(fixture_on(open(&loc)));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let written = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let small = {
            let (loc, stop, written) = (loc.to_string(), stop.clone(), written.clone());
            std::thread::spawn(move || {
                let mut e = open(&loc);
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let firmware = if n.is_multiple_of(2) { "5.1" } else { "5.2" };
                    let cmd = ChangeHanDeviceFirmware {
                        hub: hub(2),
                        device: HanDeviceKind::Gsme,
                        firmware: firmware.into(),
                    };
                    match e.execute(&cust("SUP-B"), t(1), cmd.into()) {
                        Ok(_) => {
                            n += 1;
                            written.store(n, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(Error::Conflict { .. }) => {}
                        Err(other) => panic!("{other}"),
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        // The batches start once the small writer is writing (within 30 s, or the test fails).
        let since = std::time::Instant::now();
        while written.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            assert!(
                since.elapsed() < Duration::from_secs(30),
                "{}: the small writer never wrote",
                b.name()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut batcher = open(&loc);
        for round in 0..4 {
            let commands: Vec<(Actor, Command)> = (0..50)
                .map(|i| {
                    (
                        cust("SUP-A"),
                        Command::FlagDefect(FlagDefect {
                            subject: commshub_ota::defects::DefectSubject::Firmware {
                                variant: vid(NORTH),
                                version: fw("2.0"),
                            },
                            text: format!("round {round} note {i}"),
                            named: false,
                            suspend_own: false,
                        }),
                    )
                })
                .collect();
            let answers = batcher
                .execute_batch(t(1), commands)
                .unwrap_or_else(|e| panic!("{}: round {round}: {e}", b.name()));
            assert!(answers.iter().all(Result::is_ok), "{}", b.name());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        small.join().unwrap();
        let mut check = open(&loc);
        assert_eq!(
            check.state().defect_flags(&Actor::Dcc).unwrap().len(),
            200,
            "{}",
            b.name()
        );
        check.verify_store().unwrap();
    }
}

#[test]
fn another_writers_far_future_event_moves_no_deadline_of_this_writer() {
    // Finding 7: a writer whose clock read 9999-12-31 recorded one event; every later event was
    // stamped 9999 and the DCC's deadline check timed out a 2-hour-old upgrade. Now the check
    // is decided at the DCC's own time: nothing times out, nothing is stamped 9999.
    let loc = Fresh::sqlite("future");
    let mut e = rolling_on(open(&loc), Default::default());
    e.execute(
        &csp(),
        t(3),
        report(&[(10, commshub_ota::rollout::Outcome::Dispatched)]),
    )
    .unwrap();
    // The future event, appended as a writer that does not check would.
    let y9999 = chrono::DateTime::parse_from_rfc3339("9999-12-31T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let forged = e
        .fork()
        .execute(
            &Actor::Dcc,
            y9999,
            CreateCampaign {
                campaign: camp("C7"),
                variant: vid(NORTH),
                target: fw("2.0"),
                cutoff: y9999 + chrono::Duration::hours(1),
                policy: Default::default(),
            }
            .into(),
        )
        .unwrap()
        .to_vec();
    let mut raw = store::open(&loc).unwrap();
    let head = raw.head().unwrap();
    raw.append(head.seq, &[Record::of(&forged[0], &head.hash)])
        .unwrap();
    drop(raw);
    e.catch_up().unwrap();
    assert_eq!(e.open_report().unwrap().ahead_of_clock_count, 1);
    // Two hours after the dispatch, the DCC checks deadlines at its own time.
    let two_hours = t(3) + chrono::Duration::hours(2);
    let events = e
        .execute(
            &Actor::Dcc,
            two_hours,
            Command::CheckDeadlines(CheckDeadlines {}),
        )
        .map(<[Event]>::to_vec)
        .unwrap_or_default();
    assert!(events.iter().all(|ev| ev.at == two_hours), "{events:?}");
    assert!(
        !events
            .iter()
            .any(|ev| format!("{:?}", ev.payload).contains("TimedOut")),
        "nothing timed out: {events:?}"
    );
}
