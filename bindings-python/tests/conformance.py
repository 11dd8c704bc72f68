"""The Python runner of the language-neutral conformance scenarios (`tests/README.md`).

Commands and queries go as their JSON form through the one command entry (`Engine.execute`)
and the one query entry (`Engine.query`), so nothing here maps a command or a view by hand
(the typed methods are checked against the core's schema in test_schema.py). Results are
compared as subsets, exactly as the Rust and Kotlin runners do."""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import commshub_ota as ota
from commshub_ota._convert import parse_datetime

TESTS_DIR = Path(__file__).resolve().parents[2] / "tests"

def scenario_key(label: str) -> ota.KeyPair:
    """The key a signed scenario names `label` (an actor's code by default): its seed is the
    SHA-256 of `commshub-ota conformance key <label>`, the same in every runner."""
    return ota.KeyPair.from_seed(hashlib.sha256(f"commshub-ota conformance key {label}".encode()).digest())


def sign_for(engine: ota.Engine, actor: str, label: Optional[str], signed: bool) -> None:
    """In a signed scenario, `actor`'s next commands are signed with the key of `label`."""
    if signed:
        engine.sign_as(actor, scenario_key(label if label is not None else actor))


def call_command(
    engine: ota.Engine, actor: str, at: datetime, command: Mapping[str, Any], key: Optional[str] = None, signed: bool = False
) -> List[ota.Event]:
    """A scenario's command, in its JSON form, through the one command entry (signed with
    the key the step names in a signed scenario)."""
    sign_for(engine, actor, key, signed)
    return engine.execute(actor, at, command)


def run_query(engine: ota.Engine, q: Mapping[str, Any]) -> Any:
    """A scenario's query: its actor, and the rest as the core's query JSON (one entry)."""
    rest = {k: v for k, v in q.items() if k != "actor"}
    return engine.query(q["actor"], rest)


def matches(expected: Any, actual: Any, path: str) -> Optional[str]:
    """None when `actual` matches `expected` as a subset, else what differs."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k, v in expected.items():
            problem = matches(v, actual.get(k), f"{path}.{k}")
            if problem:
                return problem
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}: {actual}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            problem = matches(e, a, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if expected == actual and type(expected) is type(actual) or (expected is None and actual is None):
        return None
    return f"{path}: expected {expected!r}, got {actual!r}"


def _check_error(then: Mapping[str, Any], err: ota.CommsHubOtaError) -> Optional[str]:
    want = then.get("error")
    if want is None:
        return f"unexpected error {err.kind}: {err}"
    if err.kind != want:
        return f"expected error {want}, got {err.kind}: {err}"
    for needle in then.get("message_contains", []):
        if needle not in str(err):
            return f"error message {str(err)!r} lacks {needle!r}"
    return None


def _check_value(then: Mapping[str, Any], value: Any) -> Optional[str]:
    if "error" in then:
        return f"expected error {then['error']}, got {value!r}"
    if "result" in then:
        problem = matches(then["result"], value, "result")
        if problem:
            return problem
    if "count" in then and (not isinstance(value, list) or len(value) != then["count"]):
        return f"expected {then['count']} items, got {value!r}"
    return None


def given(engine: ota.Engine, doc: Mapping[str, Any], signed: bool = False) -> None:
    for fixture in doc.get("fixtures", []):
        given(engine, json.loads((TESTS_DIR / fixture).read_text()), signed)
    for c in doc.get("commands", []):
        call_command(engine, c["actor"], parse_datetime(c["at"]), c["command"], c.get("key"), signed)
    events = doc.get("events", [])
    if events:
        # Given events are recorded history: write them as a log after what exists, and replay.
        lines = [json.dumps({"schema": ota.SCHEMA_VERSION, "seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "payload": e.payload}) for e in engine.events()]
        seq = engine.last_seq
        for ev in events:
            seq += 1
            lines.append(json.dumps({"schema": ota.SCHEMA_VERSION, "seq": seq, "at": ev["at"], "actor": ev["actor"], "payload": ev["payload"]}))
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "given.jsonl"
            path.write_text("\n".join(lines) + "\n")
            replayed = ota.Engine.replay_log(path)
        engine._inner = replayed._inner


def _open(location: str, trust: Optional[ota.Trust], snapshot_every: int = 0) -> ota.Engine:
    """The scenario's store; signed, the DCC's host signing its snapshots."""
    if trust is None:
        return ota.Engine.open(location, snapshot_every=snapshot_every)
    return ota.Engine.open(location, snapshot_every=snapshot_every, trust=trust, signer=scenario_key("dcc"))


def _store_step(engine: ota.Engine, location: str, step: Mapping[str, Any], trust: Optional[ota.Trust]) -> Tuple[ota.Engine, Any]:
    """A durable scenario's store step: the engine (another after `reopen`) and the answer."""
    if "reopen" in step:
        engine.close()  # let go of the store first, as a restarted process would have
        engine = _open(location, trust)
        report = engine.open_report()
        assert report is not None
        return engine, {**report, "refused": [r["kind"] for r in report["refused"]]}
    if "snapshot" in step:
        return engine, engine.snapshot()
    if "store_info" in step:
        return engine, engine.store_info().to_dict()
    if "feed" in step:
        f = step["feed"]
        return engine, engine.feed(f["actor"], f["cursor"], f["limit"]).to_dict()
    b = step["batch"]
    for c in b["commands"]:
        sign_for(engine, c["actor"], c.get("key"), trust is not None)
    answers = engine.execute_batch(parse_datetime(b["at"]), [(c["actor"], c["command"]) for c in b["commands"]])
    return engine, [{"error": a.kind} if isinstance(a, ota.CommsHubOtaError) else {"events": [e.to_dict() for e in a]} for a in answers]


STORE_STEPS = ("reopen", "snapshot", "store_info", "feed", "batch")


def run_scenario(doc: Mapping[str, Any]) -> Tuple[int, Optional[str]]:
    with tempfile.TemporaryDirectory() as d:
        return _run_scenario(doc, Path(d))


def _run_scenario(doc: Mapping[str, Any], tmp: Path) -> Tuple[int, Optional[str]]:
    store = doc.get("store")
    if store not in (None, "sqlite"):
        return 0, f"unknown store {store!r}"
    location = str(tmp / "scenario.db") if store else None
    # A signed scenario: its log's identity; the DCC's key (label `dcc`) is the anchor.
    trust = ota.Trust(doc["signed"], scenario_key("dcc").public_key()) if "signed" in doc else None
    signed = trust is not None
    engine = _open(location, trust) if location else ota.Engine(trust=trust)
    given(engine, doc.get("given") or {}, signed)
    steps = doc["steps"]
    for i, step in enumerate(steps, start=1):
        then = step.get("then") or {}
        problem: Optional[str]
        if "when" in step:
            w = step["when"]
            before = engine.last_seq
            try:
                events = [e.to_dict() for e in call_command(engine, w["actor"], parse_datetime(w["at"]), w["command"], w.get("key"), signed)]
                problem = f"expected error {then['error']}, got events {events}" if "error" in then else None
                if problem is None and "events" in then:
                    problem = matches(then["events"], events, "events")
            except ota.CommsHubOtaError as err:
                problem = _check_error(then, err)
                if problem is None and engine.last_seq != before:
                    problem = "a refused command recorded events"
        elif "query" in step:
            try:
                problem = _check_value(then, run_query(engine, step["query"]))
            except ota.CommsHubOtaError as err:
                problem = _check_error(then, err)
        elif "parse" in step:
            try:
                problem = _check_value(then, ota.parse_id(step["parse"]["kind"], step["parse"]["input"]))
            except ota.CommsHubOtaError as err:
                problem = _check_error(then, err)
        elif any(k in step for k in STORE_STEPS):
            if location is None:
                return len(steps), f"step {i}: a store step in a scenario without \"store\""
            try:
                engine, answer = _store_step(engine, location, step, trust)
                problem = _check_value(then, answer)
            except ota.CommsHubOtaError as err:
                problem = _check_error(then, err)
        else:
            problem = "a step needs when, query, parse or a store step"
        if problem:
            return len(steps), f"step {i}: {problem}"
    if location is not None:
        # A durable scenario's store must verify and reopen to the state it built.
        engine.verify_store()
        with _open(location, trust, snapshot_every=10_000) as reopened:
            ok = reopened.same_state_as(engine)
        engine.close()
        return len(steps), None if ok else "reopening the scenario's store gave another state"
    path = tmp / "scenario.jsonl"
    engine.write_log(path)
    if not ota.Engine.replay_log(path, trust=trust).same_state_as(engine):
        return len(steps), "replaying the scenario's events gave another state"
    return len(steps), None


def scenario_files() -> List[Path]:
    return sorted((TESTS_DIR / "scenarios").glob("*.json"))


def rolling(policy: ota.CampaignPolicy = ota.CampaignPolicy(), engine: Optional[ota.Engine] = None) -> ota.Engine:
    """The issue-5 fixture (rollout_estate.json) with campaign C2 (to 2.0, cut-off day 59)
    piloting from day 2, SUP-A and SUP-D having approved their whole estates. Days count from
    2026-01-01 09:00 UTC, as in the scenarios. Built in `engine` when given (a durable one)."""
    from datetime import timedelta, timezone

    def t(day: int) -> datetime:
        return datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc) + timedelta(days=day)

    e = engine if engine is not None else ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "rollout_estate.json").read_text()))
    e.create_campaign(ota.Actor.DCC, t(1), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(59), policy=policy)
    e.grant_pilot_oa(ota.Actor.DCC, t(2), campaign="C2")
    for s in ("SUP-A", "SUP-D"):
        e.approve_whole_estate(ota.Actor.customer(s), t(2), campaign="C2")
    return e

