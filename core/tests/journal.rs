mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::event::*;
use commshub_ota::journal::{
    from_json_line, read_jsonl, read_jsonl_bounded, read_jsonl_from, to_json_line, verify,
    write_jsonl, Verified,
};
use commshub_ota::rollout::{Outcome, OutcomeReport};
use commshub_ota::*;

fn busy_engine() -> Engine {
    let mut e = fixture();
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CreateCampaign(CreateCampaign {
            campaign: camp("C1"),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff: t(60),
            policy: Default::default(),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: camp("C1"),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::ExtendCutoff(ExtendCutoff {
            campaign: camp("C1"),
            customer: cid("SUP-B"),
            until: t(70),
        }),
    );
    ok(
        &mut e,
        &cust("SUP-B"),
        t(4),
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(2),
            device: HanDeviceKind::Gsme,
            firmware: "5.1".into(),
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(5),
        Command::DecommissionHub(DecommissionHub {
            hub: hub(4),
            on: date(2026, 1, 6),
        }),
    );
    e
}

#[test]
fn written_log_replays_to_the_same_state() {
    let e = busy_engine();
    let dir = Scratch::new("journal");
    let path = dir.file("roundtrip.jsonl");
    write_jsonl(&path, e.events().unwrap()).unwrap();
    let events = read_jsonl(&path).unwrap();
    assert_eq!(events, e.events().unwrap());
    let replayed = Engine::replay(events).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

#[test]
fn every_line_carries_the_schema_version() {
    let e = busy_engine();
    for ev in e.events().unwrap() {
        let line = to_json_line(ev);
        assert!(
            line.starts_with(&format!("{{\"schema\":{SCHEMA_VERSION},")),
            "{line}"
        );
        assert_eq!(&from_json_line(&line, 1).unwrap(), ev);
    }
}

/// `/dev/zero` has no newline: read line by line without a bound it exhausts memory.
#[test]
fn endless_or_binary_input_is_refused_at_once_not_read_into_memory() {
    let err = read_jsonl("/dev/zero").unwrap_err();
    assert!(
        matches!(err, Error::CorruptLog { line: 1, .. }) && err.to_string().contains("JSON"),
        "{err}"
    );
    // A line over the bound is refused naming the bound, however it starts.
    let e = busy_engine();
    let text: String = e
        .events()
        .unwrap()
        .iter()
        .map(|ev| to_json_line(ev) + "\n")
        .collect();
    let longest = text.lines().map(str::len).max().unwrap();
    let err = read_jsonl_bounded(text.as_bytes(), "mem", longest - 1).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("limit of {}", longest - 1)),
        "{err}"
    );
    assert_eq!(
        read_jsonl_bounded(text.as_bytes(), "mem", longest)
            .unwrap()
            .len(),
        e.events().unwrap().len()
    );
    // Bytes that are not UTF-8 are corrupt, named by line.
    let mut bytes = text.clone().into_bytes();
    let second = text.find('\n').unwrap() + 5;
    bytes[second] = 0xff;
    let err = read_jsonl_from(bytes.as_slice(), "mem").unwrap_err();
    assert!(matches!(err, Error::CorruptLog { line: 2, .. }), "{err}");
}

#[test]
fn reader_names_the_corrupt_line() {
    let e = busy_engine();
    let mut lines: Vec<String> = e.events().unwrap().iter().map(to_json_line).collect();
    lines[2] = lines[2].replace("\"payload\"", "\"paylod\"");
    let err = read_jsonl_from(lines.join("\n").as_bytes(), "mem").unwrap_err();
    assert!(matches!(err, Error::CorruptLog { line: 3, .. }), "{err}");
    let truncated = format!(
        "{}\n{{\"schema\":1,\"seq\":2",
        to_json_line(&e.events().unwrap()[0])
    );
    assert!(matches!(
        read_jsonl_from(truncated.as_bytes(), "mem").unwrap_err(),
        Error::CorruptLog { line: 2, .. }
    ));
    let no_schema = "{\"seq\":1}";
    let err = read_jsonl_from(no_schema.as_bytes(), "mem").unwrap_err();
    assert!(
        matches!(err, Error::CorruptLog { line: 1, .. }) && err.to_string().contains("no schema")
    );
}

#[test]
fn a_schema_1_log_with_a_bulk_load_as_rows_is_upgraded_as_it_is_read() {
    let e = busy_engine();
    let lines: Vec<String> = e
        .events()
        .unwrap()
        .iter()
        .map(|ev| match &ev.payload {
            EventPayload::EstateLoaded(EstateLoaded { table }) => {
                let rows: Vec<HubRow> = (0..table.len()).map(|i| table.row(i).unwrap()).collect();
                serde_json::json!({
                    "schema": 1, "seq": ev.seq, "at": ev.at, "actor": ev.actor,
                    "payload": {"type": "estate_loaded", "hubs": rows},
                })
                .to_string()
            }
            _ => to_json_line(ev).replacen(
                &format!("\"schema\":{SCHEMA_VERSION}"),
                "\"schema\":1",
                1,
            ),
        })
        .collect();
    assert!(lines.iter().any(|l| l.contains("\"hubs\":[{")));
    let events = read_jsonl_from(lines.join("\n").as_bytes(), "mem").unwrap();
    assert_eq!(events, e.events().unwrap());
    let replayed = Engine::replay(events).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

#[test]
fn reader_refuses_a_newer_schema() {
    let e = busy_engine();
    let mut lines: Vec<String> = e.events().unwrap().iter().map(to_json_line).collect();
    let ours = format!("\"schema\":{SCHEMA_VERSION}");
    let newer = format!("\"schema\":{}", SCHEMA_VERSION + 1);
    lines[4] = lines[4].replacen(&ours, &newer, 1);
    let err = read_jsonl_from(lines.join("\n").as_bytes(), "mem").unwrap_err();
    assert_eq!(
        err,
        Error::UnsupportedSchema {
            line: 5,
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
}

#[test]
fn reader_refuses_a_gap_in_the_sequence() {
    let e = busy_engine();
    let mut lines: Vec<String> = e.events().unwrap().iter().map(to_json_line).collect();
    lines.remove(3);
    let err = read_jsonl_from(lines.join("\n\n").as_bytes(), "mem").unwrap_err();
    // Blank lines are skipped but still counted: the 4th event now sits on line 7.
    assert!(matches!(err, Error::CorruptLog { line: 7, .. }), "{err}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = read_jsonl("/nonexistent/dir/log.jsonl").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("/nonexistent/dir/log.jsonl"));
    assert_eq!(
        write_jsonl("/nonexistent/dir/log.jsonl", &[])
            .unwrap_err()
            .kind(),
        ErrorKind::Io
    );
}

#[test]
fn replay_refuses_events_that_do_not_fit() {
    let e = busy_engine();
    // An event about a hub that was never installed.
    let mut events = e.events().unwrap().to_vec();
    let last = events.len() - 1;
    events[last].payload = EventPayload::HubDecommissioned(HubDecommissioned {
        hub: hub(777),
        on: date(2026, 1, 6),
    });
    let err = Engine::replay(events).unwrap_err();
    assert!(
        matches!(err, Error::CorruptLog { line, .. } if line == e.events().unwrap().len() as u64),
        "{err}"
    );
    // A bulk load whose rows clash: refused whole.
    let mut events = e.events().unwrap().to_vec();
    let load = events
        .iter()
        .position(|ev| matches!(ev.payload, EventPayload::EstateLoaded(EstateLoaded { .. })))
        .unwrap();
    let original = events[load].clone();
    if let EventPayload::EstateLoaded(EstateLoaded { table }) = &mut events[load].payload {
        let mut rows: Vec<HubRow> = (0..table.len()).map(|i| table.row(i).unwrap()).collect();
        rows.push(rows[0].clone());
        *table = EstateTable::from_rows(&rows);
    }
    let err = Engine::replay(events.clone()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    // A table whose code points past its dictionary: refused whole, naming the column.
    events[load] = original;
    if let EventPayload::EstateLoaded(EstateLoaded { table }) = &mut events[load].payload {
        table.variant[0] = 99;
    }
    let err = Engine::replay(events).unwrap_err();
    assert!(
        err.to_string().contains("variant") && err.to_string().contains("code 99"),
        "{err}"
    );
    // A recording time earlier than the event before it is another writer's clock, not a
    // corruption (docs/domain.md decision 20): the log is ordered by sequence number.
    let mut events = e.events().unwrap().to_vec();
    events[last].at = t(-5);
    assert!(Engine::replay(events).is_ok());
    // A sequence that skips is.
    let mut events = e.events().unwrap().to_vec();
    events.remove(1);
    assert_eq!(
        Engine::replay(events).unwrap_err().kind(),
        ErrorKind::CorruptLog
    );
}

#[test]
fn take_events_keeps_the_state() {
    let mut e = busy_engine();
    let state = e.state().clone();
    let events = e.take_events().unwrap();
    assert!(e.events().unwrap().is_empty());
    assert_eq!(e.state(), &state);
    assert_eq!(Engine::replay(events).unwrap().state(), &state);
}

/// A log whose event `pick` (the first that matches) is recorded as `actor` instead.
fn forged(events: &[Event], pick: impl Fn(&Event) -> bool, actor: Actor) -> (u64, Vec<Event>) {
    let mut out = events.to_vec();
    let i = out.iter().position(pick).expect("an event to forge");
    out[i].actor = actor;
    (out[i].seq, out)
}

#[test]
fn replay_refuses_an_event_its_recorded_actor_could_not_have_produced() {
    let mut e = rolling(CampaignPolicy {
        reconciliation_timeout_hours: 1,
        ..CampaignPolicy::default()
    });
    let rows = vec![
        OutcomeReport::new(hub(0x11), Outcome::Dispatched),
        OutcomeReport::new(hub(0x11), Outcome::NoResponse),
    ];
    e.execute(
        &csp(),
        t(3),
        ReportOutcomes {
            campaign: camp(C1),
            outcomes: rows,
        }
        .into(),
    )
    .unwrap();
    e.execute(&Actor::Dcc, t(4), CheckDeadlines {}.into())
        .unwrap();
    let events = e.events().unwrap().to_vec();
    assert!(
        Engine::replay(events.clone()).is_ok(),
        "the honest log replays"
    );
    let is = |name: &'static str| move |ev: &Event| ev.payload.type_name() == name;
    let cases: Vec<(&str, u64, Vec<Event>)> = vec![
        {
            // A customer granting pilot OA.
            let (seq, log) = forged(&events, is("campaign_phase_changed"), cust("SUP-A"));
            ("pilot OA by a customer", seq, log)
        },
        {
            // SUP-D approving its whole estate in SUP-A's name.
            let pick = |ev: &Event| matches!(&ev.payload, EventPayload::WholeEstateApproved(w) if w.customer.as_str() == "SUP-A");
            let (seq, log) = forged(&events, pick, cust("SUP-D"));
            ("approval in another's name", seq, log)
        },
        {
            // The south CSP reporting a north campaign's outcomes.
            let (seq, log) = forged(&events, is("outcomes_reported"), Actor::Csp(Region::South));
            ("another region's CSP", seq, log)
        },
        {
            // A time-out is the system's act, not the DCC's.
            let (seq, log) = forged(&events, is("reconciliation_timed_out"), Actor::Dcc);
            ("an automatic act by the DCC", seq, log)
        },
        {
            // The DCC registering firmware (the region's CSP does).
            let (seq, log) = forged(&events, is("firmware_registered"), Actor::Dcc);
            ("firmware by the DCC", seq, log)
        },
    ];
    for (what, seq, log) in cases {
        let err = Engine::replay(log).unwrap_err();
        assert!(
            matches!(err, Error::CorruptLog { line, .. } if line == seq),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_log_is_replaced_whole_and_leaves_no_temporary_file() {
    let scratch = Scratch::new("journal");
    let dir = scratch.path();
    let path = dir.join("log.jsonl");
    let e = busy_engine();
    let (first, all) = (&e.events().unwrap()[..3], e.events().unwrap());
    write_jsonl(&path, first).unwrap();
    write_jsonl(&path, all).unwrap();
    assert_eq!(read_jsonl(&path).unwrap(), all.to_vec());
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["log.jsonl"], "only the log remains");
    // A write that cannot complete (here: a directory stands where the file would go) leaves
    // what was there, and no temporary file.
    let blocked = dir.join("blocked");
    std::fs::create_dir_all(blocked.join("inside")).unwrap();
    let err = write_jsonl(&blocked, all).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(blocked.join("inside").is_dir());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["blocked", "log.jsonl"]);
}

#[test]
fn a_written_log_carries_the_audit_chain_and_any_change_or_cut_is_detected() {
    let e = busy_engine();
    let events = e.events().unwrap();
    let dir = Scratch::new("journal");
    let path = dir.file("chained.jsonl");
    write_jsonl(&path, events).unwrap();
    let n = events.len() as i64;
    assert!(matches!(verify(&path).unwrap(), Verified::Chained { events, .. } if events == n));
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines.len() as i64,
        n + 1,
        "one line per event and the closing line"
    );
    let read = |lines: &[String]| read_jsonl_from((lines.join("\n") + "\n").as_bytes(), "mem");
    assert_eq!(read(&lines).unwrap(), events.to_vec());

    // Cut at a line boundary: without its closing line, or without its last events.
    let err = read(&lines[..lines.len() - 1]).unwrap_err();
    assert!(matches!(err, Error::CorruptLog { .. }), "{err}");
    let err = read(&lines[..3]).unwrap_err();
    assert!(matches!(err, Error::CorruptLog { line: 4, .. }), "{err}");
    // An event changed (a variant's maker): the chain breaks at its line.
    let mut changed = lines.clone();
    changed[1] = changed[1].replacen("\"Acme\"", "\"Acne\"", 1);
    assert_ne!(changed[1], lines[1], "the test changes something");
    let err = read(&changed).unwrap_err();
    assert!(matches!(err, Error::CorruptLog { line: 2, .. }), "{err}");
    // An event removed from the middle.
    let mut spliced = lines.clone();
    spliced.remove(1);
    assert!(matches!(
        read(&spliced).unwrap_err(),
        Error::CorruptLog { line: 2, .. }
    ));
    // Appended to after the closing line; a chained line beside unchained ones.
    let mut appended = lines.clone();
    appended.push(lines[0].clone());
    assert!(matches!(
        read(&appended).unwrap_err(),
        Error::CorruptLog { .. }
    ));
    let mut mixed = lines[..n as usize].to_vec();
    mixed[2] = to_json_line(&events[2]);
    assert!(matches!(
        read(&mixed).unwrap_err(),
        Error::CorruptLog { line: 3, .. }
    ));

    // A log without the chain (written by hand, or before it) is read, and said to be so.
    let plain: Vec<String> = events.iter().map(to_json_line).collect();
    assert_eq!(read(&plain).unwrap(), events.to_vec());
    let plain_path = dir.file("plain.jsonl");
    std::fs::write(&plain_path, plain.join("\n") + "\n").unwrap();
    assert_eq!(
        verify(&plain_path).unwrap(),
        Verified::Unchained { events: n }
    );
}
