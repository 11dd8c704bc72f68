//! Signed acts (issue 21, docs/domain.md decision 21): every act is signed by its actor's key, the
//! DCC's key is the trust anchor, keys are registered, rotated and revoked by the DCC's signed
//! acts, and a log is admitted only act by act, each act's command deciding again to exactly
//! its recorded events. In memory here; against the stores in `signed_store.rs`.

mod common;

use common::*;
use commshub_ota::act::{Act, SignedCommand};
use commshub_ota::command::*;
use commshub_ota::journal;
use commshub_ota::notices::NotificationKind;
use commshub_ota::signing::{KeyPair, Signer, Trust};
use commshub_ota::*;
use proptest::prelude::*;

fn register_variant(e: &mut Engine) -> Vec<Event> {
    ok(
        e,
        &Actor::Dcc,
        t(1),
        Command::RegisterVariant(RegisterVariant {
            variant: variant(NORTH, Region::North),
        }),
    )
}

fn bad_signature(result: Result<&[Event], Error>, says: &str) -> Error {
    let err = result.map(|e| e.to_vec()).expect_err("should be refused");
    assert_eq!(err.kind(), ErrorKind::BadSignature, "{err}");
    assert!(
        err.to_string().contains(says),
        "{err:?} should say {says:?}"
    );
    err
}

#[test]
fn every_command_is_signed_by_its_actors_registered_key_and_the_event_carries_the_act() {
    let mut e = signed_engine();
    let before = e.state().clone();
    // Unsigned: refused, nothing changed.
    bad_signature(
        e.execute(
            &Actor::Dcc,
            t(1),
            Command::RegisterVariant(RegisterVariant {
                variant: variant(NORTH, Region::North),
            }),
        ),
        "this log is signed",
    );
    // A supplier's key signing as the DCC.
    let sup_a = cust("SUP-A");
    bad_signature(
        e.execute_with(
            &key_of(&sup_a),
            &Actor::Dcc,
            t(1),
            Command::GrantPilotOa(GrantPilotOa {
                campaign: camp("C1"),
            }),
        ),
        "is not a key of DCC's",
    );
    // A key nobody registered.
    bad_signature(
        e.execute_with(
            &KeyPair::generate(),
            &sup_a,
            t(1),
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }),
        ),
        "is not a key of",
    );
    assert_eq!(e.state(), &before, "a refused act changed the state");

    let events = register_variant(&mut e);
    let act = events[0]
        .act
        .as_ref()
        .expect("the first event carries the act");
    assert_eq!(act.by, Actor::Dcc);
    assert_eq!(act.key, key_of(&Actor::Dcc).public_key());
    assert!(act.command.is_some());

    // A signed command recorded once: sent again, its counter is used.
    let signed = e
        .sign(
            &key_of(&Actor::Dcc),
            &Actor::Dcc,
            t(1),
            Command::RegisterVariant(RegisterVariant {
                variant: variant(SOUTH, Region::South),
            }),
        )
        .unwrap();
    e.execute_signed(signed.clone()).unwrap();
    bad_signature(e.execute_signed(signed.clone()), "act counter");
    // Nor may a counter be skipped (an act removed from between two would go unseen).
    let skipping = SignedCommand::sign(
        &key_of(&Actor::Dcc),
        "test-log",
        &Actor::Dcc,
        t(1),
        e.next_act(&Actor::Dcc) + 1,
        signed.command.clone(),
    )
    .unwrap();
    bad_signature(e.execute_signed(skipping), "is not DCC's next");
    // Signed for another log: its signature does not hold here.
    let elsewhere = SignedCommand::sign(
        &key_of(&Actor::Dcc),
        "another-log",
        &Actor::Dcc,
        t(1),
        e.next_act(&Actor::Dcc),
        signed.command.clone(),
    )
    .unwrap();
    bad_signature(e.execute_signed(elsewhere), "does not hold");
    // The command changed after it was signed.
    let mut changed = e
        .sign(
            &key_of(&sup_a),
            &sup_a,
            t(1),
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }),
        )
        .unwrap();
    changed.command = Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 2 });
    bad_signature(e.execute_signed(changed), "does not hold");

    // An unsigned engine takes no signed command.
    let mut plain = Engine::new();
    bad_signature(plain.execute_signed(signed), "unsigned log");
}

#[test]
fn a_signed_log_replays_to_the_same_state_and_is_refused_without_its_trust() {
    let mut e = fixture_on(signed_engine());
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(1),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-B")),
            flags: Default::default(),
        }),
    );
    let events = e.events().unwrap().to_vec();
    let again = Engine::replay_signed(trust(), events.clone()).unwrap();
    assert!(again.same_state_as(&e));
    // Through the JSON-lines log, every signature kept.
    let lines: Vec<String> = events.iter().map(journal::to_json_line).collect();
    let read: Vec<Event> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| journal::from_json_line(l, i as u64 + 1).unwrap())
        .collect();
    assert_eq!(read, events);
    // Without the trust it cannot be verified, so it is not read.
    let err = Engine::replay(events.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptLog);
    assert!(err.to_string().contains("trust anchor"), "{err}");
    // Another anchor: the DCC's acts are signed by a key it does not hold.
    let other = Trust::new("test-log", KeyPair::generate().public_key()).unwrap();
    let err = Engine::replay_signed(other, events.clone()).unwrap_err();
    assert!(err.to_string().contains("event 1"), "{err}");
    // Another log: no signature holds.
    let other = Trust::new("another-log", key_of(&Actor::Dcc).public_key()).unwrap();
    let err = Engine::replay_signed(other, events).unwrap_err();
    assert!(err.to_string().contains("does not hold"), "{err}");
}

/// The log with event `seq` replaced (or removed, with `None`).
fn with_event(events: &[Event], seq: u64, replacement: Option<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        if e.seq == seq {
            if let Some(r) = &replacement {
                out.push(r.clone());
            }
        } else {
            out.push(e.clone());
        }
    }
    // Renumbered after a removal, as a forger who keeps the numbering whole would.
    for (i, e) in out.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
    out
}

fn refused_at(events: Vec<Event>, seq: u64, says: &str) {
    corrupt_at(
        &Engine::replay_signed(trust(), events).unwrap_err(),
        seq,
        says,
    );
}

#[test]
fn a_forged_unsigned_or_changed_event_in_a_signed_log_is_refused_naming_it() {
    let e = fixture_on(signed_engine());
    let events = e.events().unwrap().to_vec();
    let n = events.len() as u64;
    // Another supplier's hub given away by an event recorded as the DCC's, without an act.
    let forged = forged_supplier_change(n + 1);
    let mut log = events.clone();
    log.push(forged.clone());
    refused_at(log, n + 1, "is not signed");
    // The same with an act signed by the supplier's own key, claiming the DCC.
    let command = Command::ChangeSupplier(ChangeSupplier {
        hub: hub(4),
        role: SupplyRole::Import,
        supplier: Some(cid("SUP-A")),
        flags: Default::default(),
    });
    let signed = SignedCommand::sign(
        &key_of(&cust("SUP-A")),
        "test-log",
        &Actor::Dcc,
        t(2),
        e.next_act(&Actor::Dcc),
        command.clone(),
    )
    .unwrap();
    let mut with_act = forged.clone();
    with_act.act = Some(Act {
        by: Actor::Dcc,
        key: signed.key,
        n: signed.n,
        sig: signed.signature,
        command: Some(command),
    });
    let mut log = events.clone();
    log.push(with_act);
    refused_at(log, n + 1, "is not a key of DCC's");

    // A signed event's payload changed: its signature no longer holds.
    let load = events
        .iter()
        .find(|e| matches!(e.payload, EventPayload::EstateLoaded(_)))
        .unwrap()
        .clone();
    let mut changed = load.clone();
    if let EventPayload::EstateLoaded(l) = &mut changed.payload {
        // Hub 1's electricity supplier becomes another customer of the dictionary.
        let first = l.table.import_supplier[0].unwrap();
        let other = l
            .table
            .import_supplier
            .iter()
            .flatten()
            .find(|c| **c != first)
            .copied()
            .unwrap();
        l.table.import_supplier[0] = Some(other);
    }
    // (The fixture loads rows: its command is kept, and deciding it again gives the rows'
    // table, not this one.)
    refused_at(
        with_event(&events, load.seq, Some(changed)),
        load.seq,
        "is not what its command records",
    );
    // Its time changed.
    let mut later = load.clone();
    later.at = t(3);
    refused_at(
        with_event(&events, load.seq, Some(later)),
        load.seq,
        "does not hold",
    );
}

#[test]
fn keys_are_registered_rotated_and_revoked_by_the_dcc_and_judged_at_each_acts_place() {
    let mut e = fixture_on(signed_engine());
    let sup_a = cust("SUP-A");
    let ack = |up_to| Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to });
    let old = key_of(&sup_a);
    let new = KeyPair::from_seed(&[7u8; 32]).unwrap();
    // Only the DCC registers keys; a known key is not registered twice; the system has none.
    refused(
        &mut e,
        &sup_a,
        t(1),
        Command::RegisterKey(RegisterKey {
            party: sup_a.clone(),
            key: new.public_key(),
        }),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::RegisterKey(RegisterKey {
            party: cust("SUP-B"),
            key: old.public_key(),
        }),
        ErrorKind::AlreadyExists,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::RegisterKey(RegisterKey {
            party: Actor::System,
            key: new.public_key(),
        }),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::RevokeKey(RevokeKey {
            party: cust("SUP-B"),
            key: old.public_key(),
            reason: None,
        }),
        ErrorKind::NotFound,
    );
    // The DCC's last key cannot be revoked (nobody could register another): it is rotated.
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::RevokeKey(RevokeKey {
            party: Actor::Dcc,
            key: key_of(&Actor::Dcc).public_key(),
            reason: None,
        }),
        ErrorKind::PreconditionFailed,
    );
    assert!(err.to_string().contains("last valid key"), "{err}");

    // Rotation: the old key signs nothing after it; acts it signed before stand.
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::RotateKey(RotateKey {
            party: sup_a.clone(),
            old: old.public_key(),
            new: new.public_key(),
        }),
    );
    // The party is told of the key registered in its name, and of the one revoked.
    let told = e.notifications(&sup_a, 1000).unwrap().notifications;
    assert!(told.iter().any(|n| matches!(&n.kind, NotificationKind::KeyRegistered { key } if *key == new.public_key().to_string())));
    assert!(told.iter().any(|n| matches!(&n.kind, NotificationKind::KeyRevoked { key } if *key == old.public_key().to_string())));
    let last = told.last().unwrap().id;
    let err = bad_signature(e.execute_with(&old, &sup_a, t(3), ack(last)), "was revoked");
    // Said to the party: no event number (they count every party's events).
    assert!(!err.to_string().contains("event"), "{err}");
    e.execute_with(&new, &sup_a, t(3), ack(last)).unwrap();
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::RevokeKey(RevokeKey {
            party: sup_a.clone(),
            key: old.public_key(),
            reason: None,
        }),
        ErrorKind::PreconditionFailed,
    );
    assert!(err.to_string().contains("already revoked"), "{err}");

    // The DCC rotates its own key: signed with the anchor, then the new key signs.
    let dcc_next = KeyPair::from_seed(&[9u8; 32]).unwrap();
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::RotateKey(RotateKey {
            party: Actor::Dcc,
            old: key_of(&Actor::Dcc).public_key(),
            new: dcc_next.public_key(),
        }),
    );
    bad_signature(
        e.execute_with(
            &key_of(&Actor::Dcc),
            &Actor::Dcc,
            t(5),
            Command::RevokeKey(RevokeKey {
                party: sup_a.clone(),
                key: new.public_key(),
                reason: Some("lost".into()),
            }),
        ),
        "was revoked",
    );
    e.execute_with(
        &dcc_next,
        &Actor::Dcc,
        t(5),
        Command::RevokeKey(RevokeKey {
            party: sup_a.clone(),
            key: new.public_key(),
            reason: Some("lost".into()),
        }),
    )
    .unwrap();
    assert!(e
        .keys_of(&sup_a)
        .iter()
        .all(|(_, entry)| entry.revoked.is_some()));
    bad_signature(
        e.execute_with(&new, &sup_a, t(6), ack(last + 1)),
        "was revoked",
    );

    // Replayed, every act is judged by the keys valid at its place: the same state.
    let events = e.events().unwrap().to_vec();
    assert!(Engine::replay_signed(trust(), events.clone())
        .unwrap()
        .same_state_as(&e));
    // Bounded: 16 valid keys a party.
    let sup_b = cust("SUP-B");
    for i in 0..15u8 {
        let key = KeyPair::from_seed(&[100 + i; 32]).unwrap().public_key();
        e.execute_with(
            &dcc_next,
            &Actor::Dcc,
            t(7),
            Command::RegisterKey(RegisterKey {
                party: sup_b.clone(),
                key,
            }),
        )
        .unwrap();
    }
    let key = KeyPair::from_seed(&[200; 32]).unwrap().public_key();
    let err = e
        .execute_with(
            &dcc_next,
            &Actor::Dcc,
            t(7),
            Command::RegisterKey(RegisterKey { party: sup_b, key }),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PreconditionFailed, "{err}");
}

#[test]
fn the_systems_automatic_acts_are_derived_again_and_none_can_be_added_or_removed() {
    // A campaign whose cut-off check records automatic (system) events.
    let (e, events) = piloting_campaign_signed(signed_engine());
    let automatic: Vec<&Event> = events
        .iter()
        .filter(|ev| ev.actor == Actor::System)
        .collect();
    assert!(
        !automatic.is_empty(),
        "the scenario must record automatic acts"
    );
    let log = e.events().unwrap().to_vec();
    assert!(Engine::replay_signed(trust(), log.clone())
        .unwrap()
        .same_state_as(&e));
    let system = automatic[0].clone();
    // Removed: the act that derived it does not show all its events, or (when it was the
    // act's only event) the DCC's next act skips a counter.
    let removed = with_event(&log, system.seq, None);
    let err = Engine::replay_signed(trust(), removed).unwrap_err();
    assert!(matches!(err, Error::CorruptLog { .. }), "{err}");
    // Added by the host: no act records it.
    let mut added = log.clone();
    let mut extra = system.clone();
    extra.seq = log.len() as u64 + 1;
    added.push(extra);
    refused_at(added, log.len() as u64 + 1, "is not signed");
}

/// The rolling fixture on a signed engine, checked past its cut-off with a notice period:
/// the check's events (the system's cut-off notices among them).
fn piloting_campaign_signed(e: Engine) -> (Engine, Vec<Event>) {
    let mut e = rolling_on(e, CampaignPolicy::default());
    let mut events = ok(
        &mut e,
        &Actor::Dcc,
        t(55),
        Command::CheckDeadlines(CheckDeadlines {}),
    );
    events.extend(ok(
        &mut e,
        &Actor::Dcc,
        t(61),
        Command::CheckDeadlines(CheckDeadlines {}),
    ));
    (e, events)
}

// --- properties ---

fn small_signed_log() -> Vec<Event> {
    let (e, _) = piloting_campaign_signed(signed_engine());
    e.events().unwrap().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any change to any byte of any event's JSON line that still reads as another event is
    /// refused when the log is replayed with its trust.
    #[test]
    fn any_changed_byte_of_a_signed_event_is_refused(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let events = small_signed_log();
        let i = pick.index(events.len());
        let line = journal::to_json_line(&events[i]);
        let mut bytes = line.clone().into_bytes();
        let j = at.index(bytes.len());
        prop_assume!(bytes[j] != byte);
        bytes[j] = byte;
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        let Ok(changed) = journal::from_json_line(&text, events[i].seq) else { return Ok(()) };
        prop_assume!(changed != events[i]);
        let mut log = events.clone();
        log[i] = changed;
        prop_assert!(Engine::replay_signed(trust(), log).is_err(), "event {} changed at byte {} was accepted: {}", i + 1, j, text);
    }

    /// Acts signed with keys chosen at random among registered, rotated, revoked, other
    /// parties' and unknown ones: accepted exactly when the key is the actor's and valid at
    /// the act's place, both when executed and when a forger writes them into a log.
    #[test]
    fn an_act_is_accepted_exactly_when_its_key_is_valid_for_its_actor_at_its_place(steps in prop::collection::vec((0u8..4, 0usize..5), 1..24)) {
        let mut e = fixture_on(signed_engine());
        let sup_a = cust("SUP-A");
        let pool: Vec<KeyPair> = (0..5u8).map(|i| KeyPair::from_seed(&[40 + i; 32]).unwrap()).collect();
        // The model: which pool keys are SUP-A's valid keys (pool 4 is SUP-B's throughout).
        let mut valid = [false; 5];
        let mut used = [false; 5];
        ok(&mut e, &Actor::Dcc, t(1), Command::RegisterKey(RegisterKey { party: cust("SUP-B"), key: pool[4].public_key() }));
        used[4] = true;
        let mut forged_log = None;
        for (op, k) in steps {
            match op {
                0 => {
                    // The DCC registers pool key k for SUP-A.
                    let r = e.execute_with(&key_of(&Actor::Dcc), &Actor::Dcc, t(2), Command::RegisterKey(RegisterKey { party: sup_a.clone(), key: pool[k].public_key() })).map(|x| x.to_vec());
                    prop_assert_eq!(r.is_ok(), !used[k]);
                    if !used[k] { used[k] = true; valid[k] = true; }
                }
                1 => {
                    let r = e.execute_with(&key_of(&Actor::Dcc), &Actor::Dcc, t(2), Command::RevokeKey(RevokeKey { party: sup_a.clone(), key: pool[k].public_key(), reason: None })).map(|x| x.to_vec());
                    prop_assert_eq!(r.is_ok(), valid[k]);
                    valid[k] = false;
                }
                _ => {
                    // SUP-A withdraws nothing in particular: an act whose decision is cheap.
                    let cmd = Command::WithdrawNominations(WithdrawNominations { campaign: camp("NONE"), hubs: vec![hub(1)] });
                    let signed = SignedCommand::sign(&pool[k], "test-log", &sup_a, t(3), e.next_act(&sup_a), cmd.clone()).unwrap();
                    let r = e.execute_signed(signed.clone()).map(|x| x.to_vec());
                    match r {
                        Err(err) if err.kind() == ErrorKind::BadSignature => prop_assert!(!valid[k], "{}", err),
                        // Signed with a valid key: decided (and refused for the unknown campaign).
                        Err(err) => prop_assert!(valid[k] && err.kind() == ErrorKind::NotFound, "{}", err),
                        Ok(_) => prop_assert!(false, "a withdrawal from an unknown campaign was accepted"),
                    }
                    if !valid[k] && forged_log.is_none() {
                        // A forger writes the act into the log with the event a decision would give.
                        let mut log = e.events().unwrap().to_vec();
                        let payloads = e.fork().decide(&sup_a, t(3), Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 }));
                        if let Ok(payloads) = payloads {
                            let ack = Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: 1 });
                            let signed = SignedCommand::sign(&pool[k], "test-log", &sup_a, t(3), e.next_act(&sup_a), ack.clone()).unwrap();
                            log.push(Event {
                                seq: log.len() as u64 + 1,
                                at: t(3),
                                actor: sup_a.clone(),
                                payload: payloads[0].clone(),
                                act: Some(Act { by: sup_a.clone(), key: pool[k].public_key(), n: signed.n, sig: signed.signature, command: Some(ack) }),
                            });
                            forged_log = Some(log);
                        }
                    }
                }
            }
        }
        let log = e.events().unwrap().to_vec();
        prop_assert!(Engine::replay_signed(trust(), log).unwrap().same_state_as(&e));
        if let Some(forged) = forged_log {
            let seq = forged.len() as u64;
            let err = Engine::replay_signed(trust(), forged).unwrap_err();
            prop_assert!(matches!(err, Error::CorruptLog { line, .. } if line == seq), "{}", err);
        }
    }
}

#[test]
fn a_key_pair_signs_from_pkcs8_and_a_signer_may_be_anything_that_signs() {
    struct Hsm(KeyPair, std::sync::atomic::AtomicU32);
    impl Signer for Hsm {
        fn public_key(&self) -> signing::PublicKey {
            self.0.public_key()
        }
        fn sign(&self, message: &[u8]) -> Result<signing::Signature, Error> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Signer::sign(&self.0, message)
        }
    }
    let der = key_of(&cust("SUP-A")).to_pkcs8_der().unwrap();
    let hsm = Hsm(KeyPair::from_pkcs8_der(&der).unwrap(), Default::default());
    let mut e = fixture_on(signed_engine());
    // Two notices for SUP-A: keys registered in its name once it is a known supplier.
    for seed in [1u8, 2] {
        let key = KeyPair::from_seed(&[seed; 32]).unwrap().public_key();
        ok(
            &mut e,
            &Actor::Dcc,
            t(1),
            Command::RegisterKey(RegisterKey {
                party: cust("SUP-A"),
                key,
            }),
        );
    }
    let told = e.notifications(&cust("SUP-A"), 10).unwrap().notifications;
    e.execute_with(
        &hsm,
        &cust("SUP-A"),
        t(2),
        Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: told[0].id }),
    )
    .unwrap();
    assert_eq!(hsm.1.load(std::sync::atomic::Ordering::Relaxed), 1);
    // A signer that fails (the HSM refused) is the command's refusal, nothing recorded.
    struct Refusing;
    impl Signer for Refusing {
        fn public_key(&self) -> signing::PublicKey {
            key_of(&cust("SUP-A")).public_key()
        }
        fn sign(&self, _: &[u8]) -> Result<signing::Signature, Error> {
            Err(Error::InvalidInput {
                field: "signer".into(),
                reason: "the HSM is unreachable".into(),
            })
        }
    }
    let before = e.state().clone();
    let err = e
        .execute_with(
            &Refusing,
            &cust("SUP-A"),
            t(2),
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to: told[1].id }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("HSM"), "{err}");
    assert_eq!(e.state(), &before);
}

#[test]
fn an_engine_holding_a_partys_signer_signs_its_commands_and_its_batches_in_order() {
    let mut e = fixture_on(signed_engine());
    let sup_a = cust("SUP-A");
    // Unsigned engines hold no signer; the system has none.
    let err = Engine::new()
        .sign_as(&sup_a, std::sync::Arc::new(key_of(&sup_a)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadSignature);
    assert!(e
        .sign_as(&Actor::System, std::sync::Arc::new(key_of(&sup_a)))
        .is_err());
    e.sign_as(&Actor::Dcc, std::sync::Arc::new(key_of(&Actor::Dcc)))
        .unwrap();
    let register = |seed: u8| {
        Command::RegisterKey(RegisterKey {
            party: cust("SUP-E"),
            key: KeyPair::from_seed(&[seed; 32]).unwrap().public_key(),
        })
    };
    let n = e.next_act(&Actor::Dcc);
    let events = e.execute(&Actor::Dcc, t(2), register(1)).unwrap().to_vec();
    assert_eq!(events[0].act.as_ref().unwrap().n, n);
    // A batch: a refused command in the middle takes no counter; an actor without a signer is
    // refused alone.
    let answers = e
        .execute_batch(
            t(2),
            vec![
                (Actor::Dcc, register(2)),
                (Actor::Dcc, register(2)),
                (sup_a.clone(), Command::CheckDeadlines(CheckDeadlines {})),
                (Actor::Dcc, register(3)),
            ],
        )
        .unwrap();
    assert!(answers[0].is_ok());
    assert_eq!(
        answers[1].as_ref().unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        answers[2].as_ref().unwrap_err().kind(),
        ErrorKind::BadSignature
    );
    let last = answers[3].as_ref().unwrap();
    assert_eq!(last[0].act.as_ref().unwrap().n, n + 2);
    assert!(Engine::replay_signed(trust(), e.events().unwrap().to_vec())
        .unwrap()
        .same_state_as(&e));
}

#[test]
fn a_signed_bulk_load_with_a_bad_row_is_refused_whole() {
    let mut e = signed_engine();
    let before = e.state().clone();
    let good = row(1, NORTH, "1.1", Some("SUP-A"), None);
    let err = e
        .load_estate_rows(
            &Actor::Dcc,
            t(1),
            vec![Ok(good), Err("not a hub id: nope".to_string())],
        )
        .unwrap_err();
    match err {
        Error::BulkRejected { rows } => assert!(rows.iter().any(|r| r.row == 1), "{rows:?}"),
        other => panic!("{other}"),
    }
    assert_eq!(e.state(), &before, "nothing of the load was kept");
}
