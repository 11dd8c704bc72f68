//! Signed acts against real stores (issue 21): on a store several parties write, no writer, the
//! host included, can record another party's act, through the library or through SQL; a forged
//! snapshot is refused; a deleted tail and a swapped continuation are detected by anyone holding
//! a later checkpoint. SQLite always, PostgreSQL when `COMMSHUB_OTA_PG_URL` names a server.

#![cfg(feature = "sqlite")]

mod common;

use std::sync::Arc;

use common::*;
use commshub_ota::command::*;
use commshub_ota::signing::{KeyPair, Signer};
use commshub_ota::store::{self, Record};
use commshub_ota::*;
use sha2::{Digest, Sha256};

/// Runs SQL on the store at `loc` as whoever can write its database would.
fn sql(loc: &str, statement: &str) {
    if loc.starts_with("postgres") {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        c.batch_execute(statement).unwrap();
    } else {
        let c = rusqlite::Connection::open(loc).unwrap();
        c.execute_batch(statement).unwrap();
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn stores() -> Vec<Fresh> {
    #[allow(unused_mut)]
    let mut all = vec![Fresh::sqlite("signed")];
    #[cfg(feature = "postgres")]
    if let Some(base) = pg_base() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let db = format!(
            "s{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        all.push(Fresh::url(fresh_pg_database(&base, &db)));
    }
    all
}

/// `party`'s engine on the store at `loc`: the log's trust, its own key signing its snapshots
/// (and, for the DCC, checkpoints, on demand only here).
fn engine_of(loc: &str, party: &Actor) -> Result<Engine, Error> {
    let signer: Arc<dyn Signer> = Arc::new(key_of(party));
    Engine::open_store(
        store::open(loc)?,
        OpenOptions::default()
            .snapshot_every(0)
            .checkpoint_every(0)
            .trust(trust())
            .signer(signer),
    )
}

/// The DCC's engine on a fresh signed store, every test party's key registered, the fixture
/// loaded: the store's location and the engine.
fn dcc_store(fresh: &Fresh) -> Engine {
    let mut dcc = engine_of(fresh, &Actor::Dcc).unwrap();
    register_parties(&mut dcc, t(0));
    fixture_on(dcc)
}

#[test]
fn no_writer_of_a_shared_store_records_another_partys_act_through_the_library_or_sql() {
    for fresh in stores() {
        let mut dcc = dcc_store(&fresh);
        let sup_a = cust("SUP-A");
        // A supplier's service on the same store, with its own key.
        let mut supplier = engine_of(&fresh, &sup_a).unwrap();
        let head = supplier.state().last_seq();
        let grant = Command::ChangeSupplier(ChangeSupplier {
            hub: hub(4),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-A")),
            flags: Default::default(),
        });
        // As the DCC, unsigned: refused.
        let err = supplier
            .execute(&Actor::Dcc, t(2), grant.clone())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature, "{err}");
        // As the DCC, signed with the supplier's own key: refused.
        let err = supplier
            .execute_with(&key_of(&sup_a), &Actor::Dcc, t(2), grant.clone())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature, "{err}");
        assert!(err.to_string().contains("is not a key of DCC's"), "{err}");
        assert_eq!(
            store::open(&fresh).unwrap().head().unwrap().seq,
            head,
            "{fresh}: nothing written"
        );

        // Through SQL: a supplier_changed row recorded as the DCC's, chained with SHA-256 as
        // the store chains, appended after the head.
        let mut raw = store::open(&fresh).unwrap();
        let last = raw.head().unwrap();
        let forged = forged_supplier_change(last.seq + 1);
        let record = Record::of(&forged, &last.hash);
        let hash: String = record.hash.iter().map(|b| format!("{b:02x}")).collect();
        sql(
            &fresh,
            &format!(
                "INSERT INTO events (seq, at, actor, type, body, hash) VALUES ({}, {}, {}, {}, {}, {})",
                record.seq,
                quote(&record.at),
                quote(&record.actor),
                quote(&record.kind),
                quote(&record.body),
                quote(&hash)
            ),
        );
        // The DCC's engine refuses it, naming it, on catching up; so does a reopen and a check.
        let err = dcc.catch_up().unwrap_err();
        corrupt_at(&err, last.seq + 1, "is not signed");
        // The engine's history is what it admitted: the forged row is not in it.
        assert_eq!(dcc.history(0).unwrap().len() as u64, last.seq);
        let err = engine_of(&fresh, &Actor::Dcc).unwrap_err();
        corrupt_at(&err, last.seq + 1, "is not signed");
        let err = supplier.verify_store().unwrap_err();
        corrupt_at(&err, last.seq + 1, "is not signed");
        assert_eq!(
            dcc.state()
                .hub(&Actor::Dcc, hub(4))
                .unwrap()
                .import_supplier,
            read::SupplierView::Known(cid("SUP-C"))
        );

        // Through SQL again, now with an act: the supplier's signature claiming the DCC.
        sql(
            &fresh,
            &format!("DELETE FROM events WHERE seq = {}", last.seq + 1),
        );
        let signed = act::SignedCommand::sign(
            &key_of(&sup_a),
            "test-log",
            &Actor::Dcc,
            t(2),
            dcc.next_act(&Actor::Dcc),
            grant.clone(),
        )
        .unwrap();
        let mut with_act = forged.clone();
        with_act.act = Some(act::Act {
            by: Actor::Dcc,
            key: signed.key,
            n: signed.n,
            sig: signed.signature,
            command: Some(grant.clone()),
        });
        let mut raw = store::open(&fresh).unwrap();
        raw.append(last.seq, &[Record::of(&with_act, &last.hash)])
            .unwrap();
        let err = engine_of(&fresh, &Actor::Dcc).unwrap_err();
        corrupt_at(&err, last.seq + 1, "is not a key of DCC's");
    }
}

#[test]
fn a_signed_store_opens_only_with_its_trust_and_takes_no_unsigned_act() {
    for fresh in stores() {
        let mut dcc = dcc_store(&fresh);
        drop(dcc.snapshot());
        // Without the trust: refused, naming what it needs.
        let err = Engine::open(&fresh).unwrap_err();
        assert!(err.to_string().contains("signed log \"test-log\""), "{err}");
        // Another log's trust: refused.
        let other = signing::Trust::new("other-log", key_of(&Actor::Dcc).public_key()).unwrap();
        let err = Engine::open_store(
            store::open(&fresh).unwrap(),
            OpenOptions::default().trust(other),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not \"other-log\""), "{err}");
        // A snapshot needs this host's signer.
        let mut unsigned_host = Engine::open_store(
            store::open(&fresh).unwrap(),
            OpenOptions::default().trust(trust()),
        )
        .unwrap();
        let err = unsigned_host.snapshot().unwrap_err();
        assert!(err.to_string().contains("signer"), "{err}");
        // An unsigned command of a batch is refused alone; a signed one is decided.
        let answers = unsigned_host
            .execute_batch(
                t(2),
                vec![(Actor::Dcc, Command::CheckDeadlines(CheckDeadlines {}))],
            )
            .unwrap();
        assert_eq!(
            answers[0].as_ref().unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        let register = |seed: u8| {
            Command::RegisterKey(RegisterKey {
                party: cust("SUP-E"),
                key: KeyPair::from_seed(&[seed; 32]).unwrap().public_key(),
            })
        };
        let a = dcc
            .sign(&key_of(&Actor::Dcc), &Actor::Dcc, t(2), register(1))
            .unwrap();
        // Signed with the same counter: the second is not the DCC's next act once the first is.
        let stale = dcc
            .sign(&key_of(&Actor::Dcc), &Actor::Dcc, t(2), register(2))
            .unwrap();
        let answers = dcc.execute_signed_batch(vec![a, stale]).unwrap();
        assert!(answers[0].is_ok());
        assert_eq!(
            answers[1].as_ref().unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // The history moves to another store with every signature, and verifies there.
        let file = Scratch::new("signed-export");
        let log = file.file("log.jsonl");
        dcc.export(&log).unwrap();
        let target = Fresh::sqlite("signed-import");
        let signer: Arc<dyn Signer> = Arc::new(key_of(&Actor::Dcc));
        let mut imported = Engine::import(
            &log,
            store::open(&target).unwrap(),
            OpenOptions::default().trust(trust()).signer(signer),
        )
        .unwrap();
        assert!(imported.same_state_as(&dcc));
        imported.verify_store().unwrap();
        // Imported without its trust: refused (its acts cannot be verified).
        let err = Engine::import(
            &log,
            store::open(&Fresh::sqlite("signed-import-2")).unwrap(),
            OpenOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("trust anchor"), "{err}");
    }
}

/// Bytes with a snapshot's trailing SHA-256 recomputed over the rest, as a forger would.
fn rechecksum(bytes: &mut [u8]) {
    let n = bytes.len() - 32;
    let digest: [u8; 32] = Sha256::digest(&bytes[..n]).into();
    bytes[n..].copy_from_slice(&digest);
}

/// The newest snapshot's stored bytes, edited by `edit`.
fn tamper_snapshot(loc: &str, edit: impl Fn(&mut Vec<u8>)) {
    let mut s = store::open(loc).unwrap();
    let seq = s.snapshots().unwrap()[0];
    let mut bytes = s.snapshot(seq).unwrap();
    edit(&mut bytes);
    s.put_snapshot(seq, &bytes).unwrap();
}

/// Writes snapshot bytes straight into the store's table, as whoever can write its database.
fn raw_put_snapshot(loc: &str, seq: u64, bytes: &[u8]) {
    if loc.starts_with("postgres") {
        let mut c = postgres::Client::connect(loc, postgres::NoTls).unwrap();
        c.execute(
            "UPDATE snapshots SET data = $1 WHERE seq = $2",
            &[&bytes, &(seq as i64)],
        )
        .unwrap();
    } else {
        let c = rusqlite::Connection::open(loc).unwrap();
        c.execute(
            "UPDATE snapshots SET data = ?1 WHERE seq = ?2",
            rusqlite::params![bytes, seq as i64],
        )
        .unwrap();
    }
}

/// Hub 1's gas supplier (SUP-A) in a snapshot's hub table (its first record) becomes hub 2's
/// (SUP-B): one hub given to another supplier.
fn give_hub_1_away(snapshot: &mut [u8]) {
    const TABLE: usize = 8 + 4 + 8 + 32 + 8 + 8;
    const GAS: usize = 18;
    let hub_2_gas = snapshot[TABLE + 32 + GAS..TABLE + 32 + GAS + 2].to_vec();
    snapshot[TABLE + GAS..TABLE + GAS + 2].copy_from_slice(&hub_2_gas);
}

#[test]
fn a_forged_snapshot_is_refused_and_verify_store_checks_every_snapshot_against_the_events() {
    for fresh in stores() {
        // Signed: the edit breaks the host's signature; the opener falls back to the events.
        let mut dcc = dcc_store(&fresh);
        dcc.snapshot().unwrap();
        tamper_snapshot(&fresh, |bytes| {
            let inner = bytes.len() - 104;
            give_hub_1_away(&mut bytes[..inner]);
            rechecksum(&mut bytes[..inner]);
        });
        let err = engine_of(&fresh, &Actor::Dcc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptSnapshot, "{err}");
        assert!(err.to_string().contains("does not hold"), "{err}");
        // Verification names it too.
        let err = dcc.verify_store().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptSnapshot, "{err}");

        // A forged snapshot with a second, fake signature trailer inside the signed bytes, so
        // that the signed bytes still end with the genuine checksum: refused (the opener
        // decodes exactly the bytes the signature covers).
        dcc.snapshot().unwrap();
        let mut s = store::open(&fresh).unwrap();
        let seq = s.snapshots().unwrap()[0];
        let genuine = s.snapshot(seq).unwrap();
        let inner = genuine.len() - 104;
        let (signed_part, trailer) = genuine.split_at(inner);
        let checksum = &signed_part[inner - 32..];
        let mut forged_state = signed_part.to_vec();
        give_hub_1_away(&mut forged_state);
        rechecksum(&mut forged_state);
        let mut attack = forged_state;
        attack.extend_from_slice(b"CHOTASIG");
        attack.extend_from_slice(&[0u8; 32]);
        attack.extend_from_slice(&[0u8; 32]);
        attack.extend_from_slice(checksum);
        attack.extend_from_slice(trailer);
        raw_put_snapshot(&fresh, seq, &attack);
        let err = engine_of(&fresh, &Actor::Dcc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptSnapshot, "{err}");
        assert!(err.to_string().contains("cut or padded"), "{err}");
    }
    for fresh in stores() {
        // Unsigned: the forged snapshot opens (nothing signs it), but verification replays the
        // events and names the snapshot that does not hold their state.
        let mut e = fixture_on(Engine::open(&fresh).unwrap());
        e.snapshot().unwrap();
        let at = e.state().last_seq();
        tamper_snapshot(&fresh, |bytes| {
            give_hub_1_away(bytes);
            rechecksum(bytes);
        });
        let mut forged = Engine::open(&fresh).unwrap();
        assert_eq!(
            forged
                .state()
                .hub(&Actor::Dcc, hub(1))
                .unwrap()
                .gas_supplier,
            read::SupplierView::Known(cid("SUP-B")),
            "the forged snapshot is served"
        );
        let err = forged.verify_store().unwrap_err();
        match err {
            Error::CorruptSnapshot { seq, reason } => {
                assert_eq!(seq, at);
                assert!(
                    reason.contains("does not hold the state its events reach"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_snapshot_is_trusted_when_its_opener_or_the_dcc_signed_it() {
    for fresh in stores() {
        let mut dcc = dcc_store(&fresh);
        let size = dcc.snapshot().unwrap();
        assert!(size > 0);
        // A supplier's engine trusts the DCC's (anchor-signed) snapshot.
        let sup = engine_of(&fresh, &cust("SUP-A")).unwrap();
        assert_eq!(
            sup.open_report().unwrap().snapshot,
            Some(dcc.state().last_seq())
        );
        // A snapshot signed by a CSP's host is not trusted by the supplier: the events are used.
        let mut csp = engine_of(&fresh, &Actor::Csp(Region::North)).unwrap();
        csp.execute_with(
            &key_of(&Actor::Csp(Region::North)),
            &Actor::Csp(Region::North),
            t(2),
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }),
        )
        .unwrap();
        csp.snapshot().unwrap();
        // (No fallback allowed: another host's snapshot is passed over, which fails nothing.)
        let sup = Engine::open_store(
            store::open(&fresh).unwrap(),
            OpenOptions::default()
                .trust(trust())
                .signer(Arc::new(key_of(&cust("SUP-A")))),
        )
        .unwrap();
        let report = sup.open_report().unwrap();
        assert!(
            report.refused[0]
                .to_string()
                .contains("neither this host's own nor the DCC's anchor"),
            "{:?}",
            report.refused
        );
        assert!(sup.same_state_as(&csp));
    }
}

#[test]
fn a_held_checkpoint_detects_a_deleted_tail_and_a_swapped_continuation() {
    for fresh in stores() {
        let mut dcc = dcc_store(&fresh);
        let checkpoint = dcc.checkpoint(t(1)).unwrap();
        assert_eq!(checkpoint.seq, dcc.state().last_seq());
        assert_eq!(dcc.latest_checkpoint().unwrap(), Some(checkpoint.clone()));
        // A party keeps it (it travels as JSON) and checks the store with it.
        let kept: signing::Checkpoint =
            serde_json::from_str(&serde_json::to_string(&checkpoint).unwrap()).unwrap();
        let mut sup = engine_of(&fresh, &cust("SUP-A")).unwrap();
        sup.verify_checkpoint(&kept).unwrap();
        // Only a valid DCC key signs checkpoints.
        let err = sup.checkpoint(t(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature, "{err}");
        // A checkpoint changed after signing does not hold.
        let mut changed = kept.clone();
        changed.seq -= 1;
        assert!(sup
            .verify_checkpoint(&changed)
            .unwrap_err()
            .to_string()
            .contains("does not hold"));

        // The tail deleted (and the store's own checkpoint with it): the store opens, as a
        // consistent shorter log would, but the held checkpoint names what is missing.
        let cut = kept.seq - 3;
        sql(&fresh, &format!("DELETE FROM events WHERE seq > {cut}; DELETE FROM meta WHERE key = 'checkpoint'; DELETE FROM snapshots; DELETE FROM snapshot_chunks"));
        let mut reopened = engine_of(&fresh, &Actor::Dcc).unwrap();
        let err = reopened.verify_checkpoint(&kept).unwrap_err();
        corrupt_at(&err, kept.seq, "events were removed");

        // Another continuation, validly signed by the DCC: the held checkpoint names the swap.
        for n in 0..4 {
            let key = KeyPair::from_seed(&[60 + n as u8; 32])
                .unwrap()
                .public_key();
            reopened
                .execute_with(
                    &key_of(&Actor::Dcc),
                    &Actor::Dcc,
                    t(2 + n),
                    Command::RegisterKey(RegisterKey {
                        party: cust("SUP-E"),
                        key,
                    }),
                )
                .unwrap();
        }
        assert!(reopened.state().last_seq() >= kept.seq);
        let err = reopened.verify_checkpoint(&kept).unwrap_err();
        corrupt_at(&err, kept.seq, "replaced by another continuation");
        // The store's own (new) checkpoints are checked at open: one that does not hold is refused.
        reopened.checkpoint(t(9)).unwrap();
        sql(
            &fresh,
            &format!(
                "UPDATE meta SET value = {} WHERE key = 'checkpoint'",
                quote(&serde_json::to_string(&kept).unwrap())
            ),
        );
        let err = engine_of(&fresh, &Actor::Dcc).unwrap_err();
        corrupt_at(&err, kept.seq, "replaced by another continuation");
    }
}

/// The least-privilege setup against the real server: a party's own login role appends only
/// its own acts and reads only its own feed, without the event numbers; it changes nothing else.
#[cfg(feature = "postgres")]
#[test]
fn postgres_least_privilege_a_party_appends_its_own_acts_and_reads_its_own_feed_only() {
    let Some(base) = pg_base() else {
        return;
    };
    let db = format!("lp{}", std::process::id());
    let loc = Fresh::url(fresh_pg_database(&base, &db));
    let mut dcc = dcc_store(&loc);
    // SUP-A hears of a key registered in its name; SUP-B of its own.
    for (party, seed) in [("SUP-A", 31u8), ("SUP-B", 32)] {
        let key = KeyPair::from_seed(&[seed; 32]).unwrap().public_key();
        ok(
            &mut dcc,
            &Actor::Dcc,
            t(1),
            Command::RegisterKey(RegisterKey {
                party: cust(party),
                key,
            }),
        );
    }
    let role = format!("sup_a_{}", std::process::id());
    sql(&loc, store::postgres::LEAST_PRIVILEGE_SQL);
    sql(&loc, store::postgres::LEAST_PRIVILEGE_SQL); // idempotent
    sql(
        &loc,
        &format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN IN ROLE commshub_party;
             INSERT INTO commshub_parties (role_name, actor) VALUES ('{role}', 'customer:SUP-A')"
        ),
    );
    let party_url = loc.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    let mut as_party = postgres::Client::connect(&party_url, postgres::NoTls).unwrap();
    let denied = |c: &mut postgres::Client, statement: &str| {
        let err = c.batch_execute(statement).expect_err(statement);
        let code = err.code().cloned();
        assert!(
            code == Some(postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{statement}: {err:?}"
        );
    };
    // Nothing of the log but the chain; nothing of the feed but its own notices, unnumbered.
    denied(&mut as_party, "SELECT body FROM events");
    denied(&mut as_party, "SELECT actor FROM events");
    denied(&mut as_party, "SELECT seq FROM feed");
    denied(&mut as_party, "SELECT * FROM snapshots");
    denied(&mut as_party, "SELECT * FROM commshub_parties");
    let recipients: Vec<String> = as_party
        .query("SELECT DISTINCT recipient FROM feed", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(recipients, vec!["customer:SUP-A".to_string()]);
    // Nothing changed or removed.
    denied(&mut as_party, "UPDATE events SET body = body");
    denied(&mut as_party, "DELETE FROM events");
    denied(&mut as_party, "DELETE FROM feed");
    denied(
        &mut as_party,
        "UPDATE meta SET value = '0' WHERE key = 'feed_through'",
    );
    denied(
        &mut as_party,
        "INSERT INTO snapshots (seq, format, hubs, bytes, data) VALUES (1, 1, 0, 0, '')",
    );
    // Through the library: its own feed, read with its own role.
    let mut party_store = store::open(&party_url).unwrap();
    let page = engine::read_feed(party_store.as_mut(), &cust("SUP-A"), 0, 100).unwrap();
    assert!(page
        .notifications
        .iter()
        .any(|n| matches!(n.kind, notices::NotificationKind::KeyRegistered { .. })));
    assert!(
        engine::read_feed(party_store.as_mut(), &cust("SUP-B"), 0, 100)
            .unwrap()
            .notifications
            .is_empty()
    );
    // No direct insert at all; appends go through commshub_append(), which checks them.
    let head = party_store.head().unwrap();
    let now = chrono::Utc::now();
    let forged = Event {
        seq: head.seq + 1,
        at: now,
        actor: Actor::Dcc,
        payload: EventPayload::CampaignPhaseChanged(commshub_ota::event::CampaignPhaseChanged {
            campaign: camp("C9"),
            from: Phase::Draft,
            to: Phase::Pilot,
            reason: None,
            figures: None,
        }),
        act: None,
    };
    let err = party_store
        .append(head.seq, &[Record::of(&forged, &head.hash)])
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    let append = |c: &mut postgres::Client, events: &[Event]| {
        let bodies: Vec<String> = events.iter().map(journal::to_json_line).collect();
        c.query_one("SELECT commshub_append($1)", &[&bodies])
            .map(|row| row.get::<_, i64>(0))
    };
    // An event recorded as the DCC's: refused by the database itself.
    let err = append(&mut as_party, std::slice::from_ref(&forged)).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{err:?}"
    );
    // Its own act, signed with its own key and decided as the host would: appended, chained by
    // the database, and admitted by the host's engine on catching up.
    let mut mirror = Engine::replay_signed(trust(), dcc.history(0).unwrap()).unwrap();
    let told = page.notifications.last().unwrap().id;
    let events = mirror
        .execute_with(
            &key_of(&cust("SUP-A")),
            &cust("SUP-A"),
            now,
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: told }),
        )
        .unwrap()
        .to_vec();
    // Backdated, or numbered past the head: refused.
    let mut old = events.clone();
    old[0].at = t(2);
    assert!(append(&mut as_party, &old).is_err());
    let mut ahead = events.clone();
    ahead[0].seq += 5;
    assert!(append(&mut as_party, &ahead).is_err());
    let last = append(&mut as_party, &events).unwrap();
    assert_eq!(last as u64, events.last().unwrap().seq);
    assert_eq!(dcc.catch_up().unwrap(), events.len() as u64);
    assert!(dcc.same_state_as(&mirror));
    dcc.verify_store().unwrap();
    // An act of its own whose signature does not hold passes the database (it cannot check
    // Ed25519) but no reader, which names it: the residual risk docs/trust.md states.
    let head = party_store.head().unwrap();
    let unsigned = Event {
        seq: head.seq + 1,
        at: now,
        actor: cust("SUP-A"),
        payload: EventPayload::DefectFlagWithdrawn(commshub_ota::event::DefectFlagWithdrawn {
            flag: 1,
            customer: cid("SUP-A"),
            closure: Default::default(),
            note: None,
            subject: None,
            named: false,
        }),
        act: Some(act::Act {
            by: cust("SUP-A"),
            key: key_of(&cust("SUP-A")).public_key(),
            n: mirror.next_act(&cust("SUP-A")),
            sig: "00".repeat(64).parse().unwrap(),
            command: Some(Command::WithdrawDefectFlag(WithdrawDefectFlag {
                flag: 1,
                closure: None,
                note: None,
            })),
        }),
    };
    append(&mut as_party, &[unsigned]).unwrap();
    corrupt_at(&dcc.catch_up().unwrap_err(), head.seq + 1, "does not hold");
    drop(as_party);
    drop(party_store);
    sql(&loc, &format!("DROP OWNED BY {role}; DROP ROLE {role}"));
}

#[test]
fn a_host_behind_its_store_takes_a_signed_command_its_state_does_not_know_yet() {
    for fresh in stores() {
        let mut first = dcc_store(&fresh);
        let mut behind = engine_of(&fresh, &Actor::Dcc).unwrap();
        // The first host registers a DCC key the second has not seen.
        let newcomer = Actor::Dcc;
        let key = KeyPair::from_seed(&[77; 32]).unwrap();
        ok(
            &mut first,
            &Actor::Dcc,
            t(1),
            Command::RegisterKey(RegisterKey {
                party: newcomer.clone(),
                key: key.public_key(),
            }),
        );
        // A command signed with the new key, sent to the host that is behind: decided after it
        // catches up, not refused for a key it did not know yet.
        let signed = first
            .sign(
                &key,
                &newcomer,
                t(2),
                Command::CheckDeadlines(CheckDeadlines {}),
            )
            .unwrap();
        behind.execute_signed(signed).unwrap();
        // The same with the signer held by the host that is behind: signed again after catching
        // up, with the counter the store has.
        first
            .sign_as(&Actor::Dcc, Arc::new(key_of(&Actor::Dcc)))
            .unwrap();
        behind
            .sign_as(&Actor::Dcc, Arc::new(key_of(&Actor::Dcc)))
            .unwrap();
        ok(
            &mut first,
            &Actor::Dcc,
            t(3),
            Command::RegisterKey(RegisterKey {
                party: cust("SUP-E"),
                key: KeyPair::from_seed(&[78; 32]).unwrap().public_key(),
            }),
        );
        let register = Command::RegisterKey(RegisterKey {
            party: cust("SUP-E"),
            key: KeyPair::from_seed(&[79; 32]).unwrap().public_key(),
        });
        // The store moved on meanwhile: a conflict, as for any command, and the engine caught
        // up; the retry is signed with the counter the store has, and recorded.
        let err = behind
            .execute(&Actor::Dcc, t(3), register.clone())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        behind.execute(&Actor::Dcc, t(3), register).unwrap();
        first.catch_up().unwrap();
        assert!(first.same_state_as(&behind));
    }
}
