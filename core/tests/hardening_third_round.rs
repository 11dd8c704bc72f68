//! Issue 20: the third round of testing as users, as a store's operator and as a hostile party
//! would. Each finding is pinned here (the durable ones in `store.rs`, with both stores).

mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::defects::DefectSubject;
use commshub_ota::event::*;
use commshub_ota::*;

fn flag_by(e: &mut Engine, who: &str, named: bool) -> i64 {
    let events = ok(
        e,
        &cust(who),
        t(2),
        Command::FlagDefect(FlagDefect {
            subject: DefectSubject::Firmware {
                variant: vid(NORTH),
                version: fw("2.0"),
            },
            text: "IHD pairing drops after the upgrade".into(),
            named,
            suspend_own: false,
        }),
    );
    match &events[0].payload {
        EventPayload::DefectFlagged(f) => f.flag,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_flag_id_is_the_same_whoever_raised_it_so_no_candidate_can_be_tried() {
    // Finding 1: every supplier of the variant raises the same anonymous flag at the same time,
    // each in its own copy of the estate: one id for all. Hashing every candidate supplier
    // therefore tells a recipient nothing, as the id carries nothing of its author.
    let base = fixture();
    let suppliers: Vec<String> = ["SUP-A", "SUP-B"].map(String::from).to_vec();
    let ids: Vec<i64> = suppliers
        .iter()
        .map(|s| flag_by(&mut base.fork(), s, false))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    // What the co-supplier and the CSP are shown of it: the id and what it digests, never who.
    let mut e = base.fork();
    let id = flag_by(&mut e, "SUP-A", false);
    for viewer in [cust("SUP-B"), csp()] {
        let views = e.state().defect_flags(&viewer).unwrap();
        assert_eq!(views.len(), 1, "{viewer:?}");
        assert_eq!(views[0].flag, id);
        assert_eq!(views[0].flagged_by, None, "{viewer:?}");
    }
    // The flag's text is kept once for all its recipients' notices.
    let text_of = |who: &Actor| {
        e.notifications(who, 100)
            .unwrap()
            .notifications
            .into_iter()
            .find_map(|n| match n.kind {
                commshub_ota::notices::NotificationKind::DefectFlagged { text, .. } => Some(text),
                _ => None,
            })
            .unwrap()
    };
    let (to_b, to_csp, to_dcc) = (
        text_of(&cust("SUP-B")),
        text_of(&csp()),
        text_of(&Actor::Dcc),
    );
    assert!(std::sync::Arc::ptr_eq(&to_b.0, &to_csp.0));
    assert!(std::sync::Arc::ptr_eq(&to_b.0, &to_dcc.0));
    // Two suppliers with the same words at the same time are two flags; neither is refused
    // for the other's, and each lifts only its own.
    let second = flag_by(&mut e, "SUP-B", false);
    assert_ne!(second, id);
    assert_eq!(e.state().defect_flags(&Actor::Dcc).unwrap().len(), 2);
    // The same flag twice from one customer is one flag.
    let again = e
        .execute(
            &cust("SUP-A"),
            t(2),
            Command::FlagDefect(FlagDefect {
                subject: DefectSubject::Firmware {
                    variant: vid(NORTH),
                    version: fw("2.0"),
                },
                text: "IHD pairing drops after the upgrade".into(),
                named: false,
                suspend_own: false,
            }),
        )
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::AlreadyExists);
    assert!(again.to_string().contains(&id.to_string()), "{again}");
    // The log replays, each id checked against what it digests.
    let mut history = base.events().unwrap().to_vec();
    history.extend(e.events().unwrap().iter().cloned());
    let replayed = Engine::replay(history).unwrap();
    assert!(replayed.same_state_as(&e));
}

/// Every dictionary of `batches` holds exactly the values its rows use, in text order.
#[cfg(feature = "arrow")]
fn dictionaries_are_exact(batches: &[arrow_array::RecordBatch]) {
    use arrow_array::cast::AsArray;
    use arrow_array::Array;
    for batch in batches {
        for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
            let Some(dict) = column.as_any_dictionary_opt() else {
                continue;
            };
            let values = dict.values().as_string::<i32>();
            if values.is_empty() {
                assert_eq!(column.null_count(), column.len(), "{}", field.name());
                continue;
            }
            let mut used = vec![false; values.len()];
            for (i, k) in dict.normalized_keys().iter().enumerate() {
                if column.is_valid(i) {
                    used[*k] = true;
                }
            }
            assert!(
                used.iter().all(|&u| u),
                "{}: a value no row uses: {values:?}",
                field.name()
            );
            let texts: Vec<&str> = values.iter().flatten().collect();
            assert!(
                texts.windows(2).all(|w| w[0] < w[1]),
                "{}: {texts:?}",
                field.name()
            );
        }
    }
}

#[cfg(feature = "arrow")]
#[test]
fn a_csps_dictionaries_hold_its_rows_values_and_do_not_move_with_another_region() {
    // Finding 3: the dictionaries were the whole catalogue's (other regions' variants and
    // firmware), and moved when another region's CSP registered firmware.
    let e = rolling(Default::default());
    let north = csp();
    let at = t(3);
    let list = e
        .state()
        .upgrade_list_arrow(&north, Region::North, at)
        .unwrap();
    assert!(list.num_rows() > 0);
    dictionaries_are_exact(std::slice::from_ref(&list));
    let mut other = e.fork();
    ready_firmware(&mut other, SOUTH, Region::South, "1.1", &["1.0"], t(2));
    let again = other
        .state()
        .upgrade_list_arrow(&north, Region::North, at)
        .unwrap();
    assert_eq!(
        list, again,
        "another region's firmware moved the CSP's frame"
    );
    // Every answer a CSP and a customer read has exact dictionaries.
    let s = e.state();
    let c1 = camp(C1);
    dictionaries_are_exact(&[s.campaign_attempts_arrow(&north, &c1).unwrap()]);
    dictionaries_are_exact(&[s.blockers_arrow(&north, &c1, at).unwrap()]);
    dictionaries_are_exact(
        &s.customer_estate_arrow(&cust("SUP-A"), &cid("SUP-A"))
            .unwrap(),
    );
    dictionaries_are_exact(&[s.blockers_arrow(&cust("SUP-A"), &c1, at).unwrap()]);
}

#[cfg(feature = "arrow")]
#[test]
fn a_customers_estate_frame_is_split_by_its_own_hubs_not_the_industrys() {
    // Finding 4: the frame had one batch per core's share of the whole estate, so its shape
    // moved with other suppliers' estates. Another supplier's 300 000 hubs change nothing.
    let e = fixture();
    let mine = |e: &Engine| {
        e.state()
            .customer_estate_arrow(&cust("SUP-A"), &cid("SUP-A"))
            .unwrap()
    };
    let before = mine(&e);
    let mut crowded = e.fork();
    for part in 0..3u64 {
        let rows: Vec<HubRow> = (0..100_000u64)
            .map(|i| {
                row(
                    1_000 + part * 100_000 + i,
                    NORTH,
                    "1.0",
                    Some("SUP-Z"),
                    None,
                )
            })
            .collect();
        ok(
            &mut crowded,
            &Actor::Dcc,
            t(1),
            Command::LoadEstateTable(LoadEstateTable {
                table: EstateTable::from_rows(&rows),
            }),
        );
    }
    assert_eq!(before, mine(&crowded));
    // A large customer's frame: batches of ESTATE_BATCH_ROWS, the last the rest.
    let big = crowded
        .state()
        .customer_estate_arrow(&Actor::Dcc, &cid("SUP-Z"))
        .unwrap();
    let sizes: Vec<usize> = big.iter().map(|b| b.num_rows()).collect();
    let per = commshub_ota::read::arrow::ESTATE_BATCH_ROWS;
    assert_eq!(sizes.iter().sum::<usize>(), 300_000);
    assert!(
        sizes[..sizes.len() - 1].iter().all(|&n| n == per),
        "{sizes:?}"
    );
    assert_eq!(sizes.len(), 300_000usize.div_ceil(per));
}

#[test]
fn a_killed_writers_temporary_file_is_removed_by_the_next_write() {
    // Finding 15: a `write_log` killed mid-write left `.NAME.PID.N.tmp` beside the log for ever.
    let dir = Scratch::new("tmp-left");
    let log = dir.file("log.jsonl");
    // A process id above Linux's largest (2^22) never runs; a live writer's file stays.
    let dead = dir.file(".log.jsonl.4194399.0.tmp");
    let live = dir.file(&format!(".log.jsonl.{}.9.tmp", std::process::id()));
    let unrelated = dir.file(".other.jsonl.4194399.0.tmp");
    for f in [&dead, &live, &unrelated] {
        std::fs::write(f, "half a log").unwrap();
    }
    let e = fixture();
    commshub_ota::journal::write_jsonl(&log, e.events().unwrap()).unwrap();
    assert!(
        !dead.exists(),
        "the dead writer's temporary file is removed"
    );
    assert!(live.exists(), "a live writer's is left alone");
    assert!(unrelated.exists(), "another log's is left alone");
    assert_eq!(
        commshub_ota::journal::read_jsonl(&log).unwrap().len(),
        e.events().unwrap().len()
    );
}

/// `history` with `payload` recorded next by `actor`.
fn forged(history: &[Event], actor: Actor, payload: EventPayload) -> Vec<Event> {
    let mut events = history.to_vec();
    let last = events.last().unwrap();
    events.push(Event {
        seq: last.seq + 1,
        at: last.at,
        actor,
        payload,
        act: None,
    });
    events
}

#[test]
fn replay_holds_events_to_the_bounds_and_invariants_a_command_is_held_to() {
    // Finding 13: replay accepted events no command could produce.
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp("C9"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }),
    );
    let history = e.events().unwrap().to_vec();
    let refused = |events: Vec<Event>, needle: &str| {
        let last = events.last().unwrap().seq;
        let err = Engine::replay(events).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CorruptLog, "{err}");
        assert!(err.to_string().contains(&format!("event {last}")), "{err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    };
    // A Draft-phase nomination naming hub 2, a protected premises (its gas supplier flagged
    // it vulnerable).
    refused(
        forged(
            &history,
            cust("SUP-A"),
            EventPayload::HubsNominated(HubsNominated {
                campaign: camp("C9"),
                customer: cid("SUP-A"),
                hubs: vec![hub(2)],
                refused: vec![],
            }),
        ),
        "protected premises",
    );
    // A 1 MB rejection reason (a command carries at most 4 KiB).
    refused(
        forged(
            &history,
            cust("SUP-A"),
            EventPayload::HubsRejected(HubsRejected {
                campaign: camp("C9"),
                customer: cid("SUP-A"),
                hubs: vec![hub(1)],
                reason: "x".repeat(1 << 20),
                refused: vec![],
            }),
        ),
        "reason",
    );
    // An acknowledgement up to 2^63: beyond anything the party was given, after which it
    // could never acknowledge again.
    refused(
        forged(
            &history,
            cust("SUP-A"),
            EventPayload::NotificationsAcknowledged(NotificationsAcknowledged {
                recipient: cust("SUP-A"),
                up_to: 1 << 63,
            }),
        ),
        "acknowledges",
    );
    // The same events within bounds replay.
    let fine = forged(
        &history,
        cust("SUP-A"),
        EventPayload::HubsRejected(HubsRejected {
            campaign: camp("C9"),
            customer: cid("SUP-A"),
            hubs: vec![hub(1)],
            reason: "not yet".into(),
            refused: vec![],
        }),
    );
    assert!(Engine::replay(fine).is_ok());
}

fn flag_cmd(text: String) -> Command {
    Command::FlagDefect(FlagDefect {
        subject: DefectSubject::Firmware {
            variant: vid(NORTH),
            version: fw("2.0"),
        },
        text,
        named: false,
        suspend_own: false,
    })
}

/// The least of `n` timings of `f` (the least is what noise does not add to).
fn least(n: usize, mut f: impl FnMut()) -> std::time::Duration {
    (0..n)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn a_flag_flood_is_bounded_and_leaves_the_others_as_they_were() {
    // Finding 9: one customer raised 20 000 flags of 4 KiB; every customer of the variant got
    // 20 001 pending notices and an unrelated customer's reads slowed 10 000 times.
    let mut e = fixture();
    let at = |i: usize| t(2) + chrono::Duration::milliseconds(i as i64);
    let text = |i: usize| format!("{i:05} {}", "x".repeat(4_000));
    // SUP-C (a south hub only) is unrelated; its reads and a command of its, before.
    let c = cust("SUP-C");
    let reads = |e: &Engine| {
        least(30, || {
            e.state().defect_flags(&c).unwrap();
            e.notifications(&c, 100).unwrap();
        })
    };
    let before = reads(&e);
    // Open flags per customer are bounded.
    let open = limits::MAX_OPEN_FLAGS_PER_CUSTOMER;
    for i in 0..open {
        e.execute(&cust("SUP-A"), at(i), flag_cmd(text(i))).unwrap();
    }
    let err = e
        .execute(&cust("SUP-A"), at(open), flag_cmd(text(open)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("withdraw"), "{err}");
    // Withdrawing one frees its place; the withdrawn flag is no longer listed to anyone, and
    // its id is never given again.
    let first = e.state().defect_flags(&cust("SUP-B")).unwrap()[0].flag;
    ok(
        &mut e,
        &cust("SUP-A"),
        at(open),
        Command::WithdrawDefectFlag(WithdrawDefectFlag {
            flag: first,
            closure: None,
            note: None,
        }),
    );
    assert!(e
        .state()
        .defect_flags(&Actor::Dcc)
        .unwrap()
        .iter()
        .all(|d| d.flag != first));
    let refused_twice = e
        .execute(
            &cust("SUP-A"),
            at(open),
            Command::WithdrawDefectFlag(WithdrawDefectFlag {
                flag: first,
                closure: None,
                note: None,
            }),
        )
        .unwrap_err();
    assert_eq!(refused_twice.kind(), ErrorKind::NotFound);
    // Another's flag answers as one that does not exist.
    let others = e.state().defect_flags(&cust("SUP-B")).unwrap()[0].flag;
    let not_yours = e
        .execute(
            &cust("SUP-B"),
            at(open),
            Command::WithdrawDefectFlag(WithdrawDefectFlag {
                flag: others,
                closure: None,
                note: None,
            }),
        )
        .unwrap_err();
    assert_eq!(not_yours.kind(), ErrorKind::NotFound);
    // The flood: raise and withdraw, over and over, past the bound of pending notices.
    let flood = limits::MAX_PENDING_NOTICES + 200;
    for i in 0..flood {
        let id = match &ok(&mut e, &cust("SUP-A"), at(open + 1 + i), flag_cmd(text(i)))[0].payload {
            EventPayload::DefectFlagged(f) => f.flag,
            other => panic!("{other:?}"),
        };
        ok(
            &mut e,
            &cust("SUP-A"),
            at(open + 1 + i),
            Command::WithdrawDefectFlag(WithdrawDefectFlag {
                flag: id,
                closure: None,
                note: None,
            }),
        );
    }
    assert!(e.state().defect_flags(&Actor::Dcc).unwrap().len() <= open);
    // SUP-B, a customer of the variant: its outbox holds at most the bound, the older notices
    // folded into one count, none lost silently.
    let page = e.notifications(&cust("SUP-B"), 10_000).unwrap();
    let first_kind = serde_json::to_value(&page.notifications[0]).unwrap();
    assert_eq!(first_kind["type"], "notices_coalesced", "{first_kind}");
    let folded = first_kind["notices"].as_u64().unwrap() as usize;
    // Every flag raised, and every flag closed (the first withdrawal and the flood's), told.
    assert_eq!(
        folded + page.notifications.len() - 1 + page.more as usize,
        open + flood + 1 + flood
    );
    assert!(page.notifications.len() + page.more as usize <= limits::MAX_PENDING_NOTICES);
    // SUP-C was told nothing, and its reads cost what they did (within 2x; 100 us for the
    // timer's own noise on a shared machine).
    assert!(e.notifications(&c, 100).unwrap().notifications.is_empty());
    let after = reads(&e);
    assert!(
        after <= before * 2 + std::time::Duration::from_micros(100),
        "SUP-C's reads took {after:?} after the flood, {before:?} before"
    );
    // The history replays to the same state.
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert!(replayed.same_state_as(&e));
}
