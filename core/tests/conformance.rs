//! Runs the language-neutral conformance scenarios in `tests/scenarios/*.json` (format:
//! `tests/README.md`). The Python and Kotlin runners read the same files.

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use common::Fresh;
use commshub_ota::*;
use serde_json::Value;

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn parse_at(v: &Value) -> Result<DateTime<Utc>, String> {
    v.as_str()
        .ok_or("`at` must be a string")?
        .parse()
        .map_err(|e| format!("bad `at` {v}: {e}"))
}

fn parse_actor(v: &Value) -> Result<Actor, String> {
    v.as_str()
        .ok_or("`actor` must be a string")?
        .parse()
        .map_err(|e: Error| e.to_string())
}

fn arg<T: std::str::FromStr<Err = Error>>(q: &Value, name: &str) -> Result<T, Error> {
    let text = q
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidInput {
            field: name.into(),
            reason: "missing".into(),
        })?;
    text.parse()
}

/// Subset match: every key of an expected object must match in the actual one; arrays must
/// have the same length and match element by element; anything else must be equal.
fn matches(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).unwrap_or(&Value::Null);
                matches(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

/// A scenario's query: its `actor`, and the rest as the core's `Query` (one entry, no mapping).
fn run_query(engine: &Engine, q: &Value) -> Result<Value, Error> {
    let actor: Actor = arg(q, "actor")?;
    let mut rest = q.clone();
    if let Some(fields) = rest.as_object_mut() {
        fields.remove("actor");
    }
    let query: Query = serde_json::from_value(rest).map_err(|e| Error::InvalidInput {
        field: "query".into(),
        reason: e.to_string(),
    })?;
    serde_json::to_value(engine.query(&actor, &query)?).map_err(|e| Error::InvalidInput {
        field: "result".into(),
        reason: e.to_string(),
    })
}

fn run_parse(p: &Value) -> Result<Value, Error> {
    let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
    commshub_ota::ids::canonical(text("kind"), text("input")).map(Value::String)
}

fn check_error(then: &Value, err: &Error) -> Result<(), String> {
    let want = then
        .get("error")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("unexpected error: {err}"))?;
    if err.kind().as_str() != want {
        return Err(format!(
            "expected error {want}, got {}: {err}",
            err.kind().as_str()
        ));
    }
    for needle in then
        .get("message_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let needle = needle.as_str().unwrap_or_default();
        if !err.to_string().contains(needle) {
            return Err(format!(
                "error message {:?} lacks {needle:?}",
                err.to_string()
            ));
        }
    }
    Ok(())
}

fn check_value(then: &Value, value: &Value) -> Result<(), String> {
    if then.get("error").is_some() {
        return Err(format!("expected error {}, got {value}", then["error"]));
    }
    if let Some(expected) = then.get("result") {
        matches(expected, value, "result")?;
    }
    if let Some(n) = then.get("count").and_then(Value::as_u64) {
        let got = value.as_array().map(|a| a.len() as u64);
        if got != Some(n) {
            return Err(format!("expected {n} items, got {value}"));
        }
    }
    Ok(())
}

/// The key a signed scenario names `label` (an actor's code by default): its seed is the
/// SHA-256 of `commshub-ota conformance key <label>`, the same in every runner.
fn scenario_key(label: &str) -> signing::KeyPair {
    use sha2::{Digest, Sha256};
    let seed = Sha256::digest(format!("commshub-ota conformance key {label}").as_bytes());
    signing::KeyPair::from_seed(&seed).expect("32 bytes")
}

/// In a signed scenario, `actor`'s command is signed with the key of `label` (its own code
/// when the step names none); an unsigned scenario's engine holds no signer.
fn sign_for(engine: &mut Engine, actor: &Actor, label: Option<&Value>) -> Result<(), String> {
    if engine.trust().is_none() {
        return Ok(());
    }
    let label = label
        .and_then(Value::as_str)
        .map_or_else(|| actor.to_code(), String::from);
    engine
        .sign_as(actor, std::sync::Arc::new(scenario_key(&label)))
        .map_err(|e| e.to_string())
}

fn given(engine: &mut Engine, doc: &Value) -> Result<(), String> {
    for f in doc
        .get("fixtures")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let path = tests_dir().join(f.as_str().ok_or("fixture must be a path")?);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let fixture: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        given(engine, &fixture)?;
    }
    for c in doc
        .get("commands")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let command: Command = serde_json::from_value(c["command"].clone())
            .map_err(|e| format!("given command {c}: {e}"))?;
        let actor = parse_actor(&c["actor"])?;
        sign_for(engine, &actor, c.get("key"))?;
        engine
            .execute(&actor, parse_at(&c["at"])?, command)
            .map_err(|e| format!("given command {} refused: {e}", c["command"]))?;
    }
    for ev in doc
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let payload: EventPayload = serde_json::from_value(ev["payload"].clone())
            .map_err(|e| format!("given event {ev}: {e}"))?;
        let event = Event {
            seq: engine.state().last_seq() + 1,
            at: parse_at(&ev["at"])?,
            actor: parse_actor(&ev["actor"])?,
            payload,
            act: None,
        };
        engine
            .apply_event(event)
            .map_err(|e| format!("given event refused: {e}"))?;
    }
    Ok(())
}

fn open_store(loc: &str, trust: Option<&signing::Trust>) -> Result<Engine, String> {
    let store = store::open(loc).map_err(|e| e.to_string())?;
    let mut options = OpenOptions::default().snapshot_every(0);
    if let Some(trust) = trust {
        // The DCC's host: its key signs the store's snapshots.
        options = options
            .trust(trust.clone())
            .signer(std::sync::Arc::new(scenario_key("dcc")));
    }
    Engine::open_store(store, options).map_err(|e| e.to_string())
}

/// How a durable engine opened, as scenarios name it.
fn open_report_json(engine: &Engine) -> Value {
    let r = engine.open_report().expect("a durable engine");
    serde_json::json!({
        "snapshot": r.snapshot,
        "replayed": r.replayed,
        "refused": r.refused.iter().map(|e| e.kind().as_str()).collect::<Vec<_>>(),
    })
}

/// The store steps (`reopen`, `snapshot`, `batch`, `feed`, `store_info`) of a durable
/// scenario; `None` when `step` is none of them.
fn store_step(
    engine: &mut Engine,
    loc: Option<&str>,
    step: &Value,
) -> Option<Result<Result<Value, Error>, String>> {
    let need = || loc.ok_or_else(|| "a store step in a scenario without \"store\"".to_string());
    if step.get("reopen").is_some() {
        return Some(need().and_then(|loc| {
            let trust = engine.trust().cloned();
            let old = std::mem::take(engine);
            drop(old); // let go of the store first, as a restarted process would have
            *engine = open_store(loc, trust.as_ref())?;
            Ok(Ok(open_report_json(engine)))
        }));
    }
    if step.get("snapshot").is_some() {
        return Some(need().map(|_| engine.snapshot().map(Value::from)));
    }
    if step.get("store_info").is_some() {
        return Some(need().map(|_| {
            engine
                .store_info()
                .map(|i| serde_json::to_value(i).unwrap())
        }));
    }
    if let Some(f) = step.get("feed") {
        return Some(need().and_then(|_| {
            let actor = parse_actor(&f["actor"])?;
            let cursor = f["cursor"].as_u64().ok_or("feed.cursor")?;
            let limit = f["limit"].as_u64().ok_or("feed.limit")? as u32;
            Ok(engine
                .feed(&actor, cursor, limit)
                .map(|p| serde_json::to_value(p).unwrap()))
        }));
    }
    if let Some(b) = step.get("batch") {
        return Some(need().and_then(|_| {
            let at = parse_at(&b["at"])?;
            let mut commands = Vec::new();
            for c in b["commands"].as_array().ok_or("batch.commands")? {
                let command: Command = serde_json::from_value(c["command"].clone())
                    .map_err(|e| format!("bad command: {e}"))?;
                let actor = parse_actor(&c["actor"])?;
                sign_for(engine, &actor, c.get("key"))?;
                commands.push((actor, command));
            }
            Ok(engine.execute_batch(at, commands).map(|answers| {
                Value::Array(
                    answers
                        .into_iter()
                        .map(|a| match a {
                            Ok(events) => serde_json::json!({"events": events
                                .iter()
                                .map(|e| serde_json::to_value(&e.payload).unwrap())
                                .collect::<Vec<_>>()}),
                            Err(e) => serde_json::json!({"error": e.kind().as_str()}),
                        })
                        .collect(),
                )
            }))
        }));
    }
    None
}

fn run_scenario(doc: &Value) -> Result<usize, String> {
    let loc = match doc.get("store").and_then(Value::as_str) {
        None => None,
        // A fresh SQLite file, removed when the scenario ends.
        Some("sqlite") => Some(Fresh::sqlite("conformance")),
        Some(other) => return Err(format!("unknown store {other:?}")),
    };
    // A signed scenario: its log's identity; the DCC's key (label `dcc`) is the anchor.
    let trust = match doc.get("signed") {
        None => None,
        Some(log) => Some(
            signing::Trust::new(
                log.as_str().ok_or("`signed` names the log")?,
                scenario_key("dcc").public_key(),
            )
            .map_err(|e| e.to_string())?,
        ),
    };
    let mut engine = match (&loc, &trust) {
        (Some(loc), _) => open_store(loc, trust.as_ref())?,
        (None, Some(trust)) => Engine::with_trust(trust.clone()),
        (None, None) => Engine::new(),
    };
    given(&mut engine, doc.get("given").unwrap_or(&Value::Null))?;
    let steps = doc
        .get("steps")
        .and_then(Value::as_array)
        .ok_or("no steps")?;
    for (i, step) in steps.iter().enumerate() {
        let then = step.get("then").cloned().unwrap_or(Value::Null);
        let fail = |m: String| format!("step {}: {m}", i + 1);
        if let Some(when) = step.get("when") {
            let actor = parse_actor(&when["actor"]).map_err(fail)?;
            let at = parse_at(&when["at"]).map_err(fail)?;
            let command: Command = serde_json::from_value(when["command"].clone())
                .map_err(|e| fail(format!("bad command: {e}")))?;
            sign_for(&mut engine, &actor, when.get("key")).map_err(fail)?;
            let before = engine.state().clone();
            match engine.execute(&actor, at, command) {
                Ok(events) => {
                    // As the bindings answer the asker: without others' rule acts.
                    let payloads: Vec<Value> = events
                        .iter()
                        .filter(|e| e.shown_to(&actor))
                        .map(|e| serde_json::to_value(&e.payload).unwrap())
                        .collect();
                    if then.get("error").is_some() {
                        return Err(fail(format!(
                            "expected error {}, got events {payloads:?}",
                            then["error"]
                        )));
                    }
                    if let Some(expected) = then.get("events") {
                        matches(expected, &Value::Array(payloads), "events").map_err(fail)?;
                    }
                }
                Err(err) => {
                    check_error(&then, &err).map_err(fail)?;
                    if engine.state() != &before {
                        return Err(fail("a refused command changed the state".into()));
                    }
                }
            }
        } else if let Some(q) = step.get("query") {
            match run_query(&engine, q) {
                Ok(v) => check_value(&then, &v).map_err(fail)?,
                Err(e) => check_error(&then, &e).map_err(fail)?,
            }
        } else if let Some(p) = step.get("parse") {
            match run_parse(p) {
                Ok(v) => check_value(&then, &v).map_err(fail)?,
                Err(e) => check_error(&then, &e).map_err(fail)?,
            }
        } else if let Some(outcome) = store_step(&mut engine, loc.as_deref(), step) {
            match outcome.map_err(fail)? {
                Ok(v) => check_value(&then, &v).map_err(fail)?,
                Err(e) => check_error(&then, &e).map_err(fail)?,
            }
        } else {
            return Err(fail(
                "a step needs `when`, `query`, `parse` or a store step".into(),
            ));
        }
    }
    if let Some(loc) = &loc {
        // A durable scenario's store must verify and reopen to the state it built.
        engine.verify_store().map_err(|e| format!("verify: {e}"))?;
        let reopened = open_store(loc, trust.as_ref())?;
        if !reopened.same_state_as(&engine) {
            return Err("reopening the scenario's store gave another state".into());
        }
        return Ok(steps.len());
    }
    // Every scenario's history must replay to the state it built.
    let history = engine.history(0).map_err(|e| format!("history: {e}"))?;
    let replayed = match trust {
        Some(trust) => Engine::replay_signed(trust, history),
        None => Engine::replay(history),
    }
    .map_err(|e| format!("replay: {e}"))?;
    if replayed.state() != engine.state() {
        return Err("replaying the scenario's events gave another state".into());
    }
    Ok(steps.len())
}

#[test]
fn conformance_scenarios() {
    let dir = tests_dir().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    let mut failures = Vec::new();
    let mut steps = 0;
    for f in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        match run_scenario(&doc) {
            Ok(n) => steps += n,
            Err(e) => failures.push(format!("{}: {e}", f.file_name().unwrap().to_string_lossy())),
        }
    }
    eprintln!(
        "conformance: {} scenarios, {steps} steps, {} failed",
        files.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "conformance failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn subset_matching_rejects_differences() {
    let actual: Value = serde_json::json!({"a": 1, "b": [1, {"c": "x", "d": 2}]});
    assert!(matches(&serde_json::json!({"b": [1, {"c": "x"}]}), &actual, "r").is_ok());
    assert!(matches(&serde_json::json!({"b": [1]}), &actual, "r").is_err());
    assert!(matches(&serde_json::json!({"a": 2}), &actual, "r").is_err());
    assert!(matches(&serde_json::json!({"z": 1}), &actual, "r").is_err());
    assert!(matches(&serde_json::json!({"z": null}), &actual, "r").is_ok());
}
