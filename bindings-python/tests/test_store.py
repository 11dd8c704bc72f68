"""The durable engine from Python (issue 13), against both stores: SQLite always, PostgreSQL
when COMMSHUB_OTA_PG_URL names a server (scripts/test starts one; under CI its absence fails)."""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

import commshub_ota as ota
from conformance import rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
B = ota.Actor.customer("SUP-B")
_counter = itertools.count()


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def _pg_base() -> str | None:
    url = os.environ.get("COMMSHUB_OTA_PG_URL")
    if url is None and os.environ.get("CI"):
        raise RuntimeError("CI runs the PostgreSQL store tests: COMMSHUB_OTA_PG_URL is not set")
    return url


def _psql(url: str, sql: str) -> str:
    psql = shutil.which("psql") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None)
    assert psql is not None, "psql is needed to prepare PostgreSQL test databases"
    return subprocess.run([str(psql), "-qAt", url, "-c", sql], check=True, capture_output=True, text=True).stdout


BACKENDS = ["sqlite"] + (["postgres"] if _pg_base() else [])


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes locations of new, empty stores of one kind."""
    if request.param == "sqlite":
        return lambda: str(tmp_path / f"s{next(_counter)}.db")
    base = _pg_base()
    assert base is not None

    def make() -> str:
        db = f"py{os.getpid()}_{next(_counter)}"
        _psql(base, f"DROP DATABASE IF EXISTS {db}")
        _psql(base, f"CREATE DATABASE {db}")
        return base.rsplit("/", 1)[0] + "/" + db

    return make


def _sql(loc: str, statement: str) -> None:
    """Runs SQL (one statement or several) on the store at `loc`, as whoever can write it."""
    if loc.startswith("postgres"):
        _psql(loc, statement)
    else:
        with sqlite3.connect(loc) as c:
            c.executescript(statement)


def _report(snapshot: int | None, replayed: int) -> dict[str, object]:
    return {"snapshot": snapshot, "replayed": replayed, "refused": [], "ahead_of_clock": [],
            "ahead_of_clock_count": 0, "unverified_through": 0, "snapshot_failure": None,
            "checkpoint_failure": None}


def _create(campaign: str) -> dict[str, object]:
    return {"type": "create_campaign", "campaign": campaign, "variant": "CH-N-DB", "target": "2.0",
            "cutoff": t(59).isoformat(), "policy": {}}


def test_a_durable_engine_reopens_to_the_state_it_acknowledged(fresh: Callable[[], str]) -> None:
    loc = fresh()
    memory = rolling()
    with ota.Engine.open(loc, snapshot_every=0) as e:
        rolling(engine=e)
        assert e.same_state_as(memory)
        assert e.store_info().events == memory.last_seq
        # The whole history, read from the store: the same as the engine in memory's.
        assert [x.to_dict() for x in e.events()] == [x.to_dict() for x in memory.events()]
    with ota.Engine.open(loc) as again:
        assert again.same_state_as(memory)
        assert again.open_report() == _report(None, memory.last_seq)
        assert again.verify_store()["events"] == memory.last_seq
    # Closed: every call is refused, and closing again is harmless.
    with pytest.raises(ota.InvalidInputError, match="closed"):
        again.store_info()
    again.close()


def test_a_refused_command_leaves_the_store_as_it_was(fresh: Callable[[], str]) -> None:
    with rolling(engine=ota.Engine.open(fresh())) as e:
        before = e.store_info()
        with pytest.raises(ota.NotPermittedError):
            e.grant_pilot_oa(B, t(3), campaign="C2")
        with pytest.raises(ota.IllegalTransitionError):
            e.grant_pilot_oa(DCC, t(3), campaign="C2")
        assert e.store_info() == before


def test_the_writer_that_lost_the_race_gets_a_conflict_and_retries(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc)) as a, ota.Engine.open(loc) as b:
        a.execute(DCC, t(3), _create("C7"))
        with pytest.raises(ota.ConflictError) as err:
            b.execute(DCC, t(3), _create("C8"))
        assert (err.value.expected, err.value.found) == (a.last_seq - 1, a.last_seq)
        assert err.value.kind == "conflict"
        # b caught up and may retry; the retry is decided on the caught-up state.
        assert b.same_state_as(a)
        b.execute(DCC, t(3), _create("C8"))
        with pytest.raises(ota.AlreadyExistsError):
            b.execute(DCC, t(3), _create("C7"))
        assert a.catch_up() == 1 and a.same_state_as(b)
        # A customer's lost race names no event numbers: None, not a number that means none.
        a.execute(DCC, t(3), _create("C9"))
        with pytest.raises(ota.ConflictError) as hidden:
            b.execute(ota.Actor.customer("SUP-A"), t(3), {
                "type": "flag_defect", "text": "IHD drops",
                "subject": {"subject": "firmware", "variant": "CH-N-DB", "version": "2.0"}})
        assert (hidden.value.expected, hidden.value.found) == (None, None)
        assert "event" not in str(hidden.value)


def test_a_batch_commits_the_accepted_commands_and_answers_each(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc)) as e:
        before = e.last_seq
        answers = e.execute_batch(t(3), [(DCC, _create("C7")), (DCC, _create("C7")), (B, _create("C8"))])
        assert isinstance(answers[0], list) and answers[0][0].type == "campaign_created"
        assert isinstance(answers[1], ota.AlreadyExistsError)
        assert isinstance(answers[2], ota.NotPermittedError)
        assert e.store_info().events == before + 1
        with pytest.raises(ota.InvalidInputError):
            e.execute_batch(t(3), [("dcc", "not a command")])  # type: ignore[list-item]
        with pytest.raises(ota.InvalidInputError, match="10000"):
            e.execute_batch(t(3), [(DCC, _create("C9"))] * 10_001)
    with ota.Engine.open(loc) as again:
        assert again.store_info().events == before + 1


def test_snapshots_restart_the_engine_and_a_bad_one_is_refused(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc, snapshot_every=0)) as e:
        assert e.snapshot() > 0
        at = e.last_seq
        e.execute(DCC, t(3), _create("C7"))
        memory = rolling()
        memory.execute(DCC, t(3), _create("C7"))
    with ota.Engine.open(loc) as again:
        assert again.open_report() == _report(at, 1)
        assert again.same_state_as(memory)
        assert again.store_info().snapshot_at == at
    # Cut the snapshot short in the database: opening raises that, unless the fallback is
    # allowed; then the events are used and the report says why.
    if loc.startswith("postgres"):
        _sql(loc, "UPDATE snapshots SET data = substring(data from 1 for 200)")
    else:
        _sql(loc, "UPDATE snapshots SET data = substr(data, 1, 200)")
    with pytest.raises(ota.CorruptSnapshotError):
        ota.Engine.open(loc)
    with ota.Engine.open(loc, allow_fallback=True) as fallback:
        report = fallback.open_report()
        assert report is not None and report["snapshot"] is None
        assert report["refused"][0]["kind"] == "corrupt_snapshot"
        assert fallback.same_state_as(memory)
    with pytest.raises(ota.InvalidInputError, match="no store"):
        ota.Engine().snapshot()


def test_a_changed_event_is_refused_naming_it(fresh: Callable[[], str]) -> None:
    loc = fresh()
    rolling(engine=ota.Engine.open(loc)).close()
    _sql(loc, "UPDATE events SET body = replace(body, 'CH-N-DB', 'CH-N-DC') WHERE seq = 3")
    with pytest.raises(ota.CorruptLogError, match="event 3") as err:
        ota.Engine.open(loc)
    assert err.value.line == 3


def test_export_and_import_keep_the_chain(fresh: Callable[[], str], tmp_path: Path) -> None:
    memory = rolling()
    with rolling(engine=ota.Engine.open(fresh())) as e:
        path = tmp_path / "log.jsonl"
        assert e.export_log(path) == memory.last_seq
        assert ota.verify_log(path)["chain"] == "chained"
    with ota.Engine.import_log(path, fresh()) as imported:
        assert imported.same_state_as(memory)
        again = tmp_path / "again.jsonl"
        imported.export_log(again)
        assert again.read_bytes() == path.read_bytes()
        # Into a store that holds events: refused.
        with pytest.raises(ota.InvalidInputError, match="empty store"):
            ota.Engine.import_log(path, imported.store_info().location)


def _whole_feed(e: ota.Engine, who: str) -> List[ota.Notification]:
    out: List[ota.Notification] = []
    cursor = 0
    while True:
        page = e.feed(who, cursor, limit=2)
        if not page.notifications:
            return out
        out.extend(page.notifications)
        cursor = page.cursor


def test_a_party_reads_its_own_feed_by_cursor(fresh: Callable[[], str]) -> None:
    with rolling(engine=ota.Engine.open(fresh())) as e:
        e.suspend_campaign(DCC, t(3), campaign="C2", reason="a look")
        feed = _whole_feed(e, ota.Actor.customer("SUP-A"))
        assert [n.id for n in feed] == list(range(1, len(feed) + 1))
        assert any(n.type == ota.NotificationType.PHASE_CHANGED for n in feed)
        assert all(n.event is None for n in feed)
        assert all(n.event is not None for n in _whole_feed(e, DCC))
        for bad in (0, 10_001):
            with pytest.raises(ota.InvalidInputError):
                e.feed(B, 0, limit=bad)
        with pytest.raises(ota.InvalidIdError):
            e.feed("nobody", 0)


def test_a_follower_is_woken_by_another_writer(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc)) as writer, ota.Engine.open(loc) as follower:
        assert follower.wait_for_events(0.05) == 0
        woke: List[int] = []
        thread = threading.Thread(target=lambda: woke.append(follower.wait_for_events(20)))
        thread.start()
        writer.execute(DCC, t(3), _create("C7"))
        thread.join()
        assert woke[0] >= 1 and follower.same_state_as(writer)
        with pytest.raises(ota.InvalidInputError):
            follower.wait_for_events(-1)


def test_an_unreachable_store_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(ota.IoError):
        ota.Engine.open("/nonexistent/dir/x.db")
    bad = tmp_path / "text.db"
    bad.write_text("not a database, only some text that is long enough to be read")
    with pytest.raises(ota.IoError):
        ota.Engine.open(bad)
    with pytest.raises(ota.IoError) as err:
        ota.Engine.open("postgres://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(err.value)


def test_snapshot_bytes_round_trip_and_bad_ones_are_typed() -> None:
    e = rolling()
    data = e.to_snapshot()
    assert ota.Engine.from_snapshot(data).same_state_as(e)
    flipped = bytearray(data)
    flipped[100] ^= 0x40
    with pytest.raises(ota.CorruptSnapshotError, match="checksum") as err:
        ota.Engine.from_snapshot(bytes(flipped))
    assert err.value.kind == "corrupt_snapshot"
    with pytest.raises(ota.CorruptSnapshotError, match="not a commshub-ota snapshot"):
        ota.Engine.from_snapshot(b"hello")
    with pytest.raises(ota.InvalidInputError):
        ota.Engine.from_snapshot("hello")  # type: ignore[arg-type]


def test_every_journal_entry_point_means_the_same_on_a_durable_engine(fresh: Callable[[], str], tmp_path: Path) -> None:
    memory = rolling()
    with rolling(engine=ota.Engine.open(fresh())) as e:
        assert [x.to_dict() for x in e.events(5)] == [x.to_dict() for x in memory.events(5)]
        # write_log writes the whole history from the store: the file replays and verifies.
        durable_log, memory_log = tmp_path / "durable.jsonl", tmp_path / "memory.jsonl"
        e.write_log(durable_log)
        memory.write_log(memory_log)
        assert durable_log.read_bytes() == memory_log.read_bytes()
        assert ota.verify_log(durable_log)["chain"] == "chained"
        assert ota.Engine.replay_log(durable_log).same_state_as(e)


def test_a_stale_instance_decides_a_refused_command_again(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc)) as a, ota.Engine.open(loc) as stale:
        a.execute(DCC, t(3), _create("C7"))
        # C7 is unknown to the stale instance's own state, known to the store's: recorded.
        events = stale.grant_pilot_oa(DCC, t(3), campaign="C7")
        assert [x.type for x in events] == ["campaign_phase_changed"]
        assert a.catch_up() == 1 and a.same_state_as(stale)
        with pytest.raises(ota.NotFoundError):
            stale.grant_pilot_oa(DCC, t(3), campaign="C99")


def test_a_recording_time_ahead_of_the_clock_is_refused(fresh: Callable[[], str]) -> None:
    loc = fresh()
    far = {**_create("C7"), "cutoff": "9999-12-31T12:00:00+00:00"}
    with rolling(engine=ota.Engine.open(loc)) as e:
        before = e.store_info()
        ahead = datetime.now(timezone.utc) + timedelta(days=2)
        with pytest.raises(ota.InvalidInputError, match="skew of 300 s") as err:
            e.execute(DCC, ahead, far)
        assert err.value.field == "at"
        assert e.store_info() == before
    # A wider skew, chosen by the host: within it, recorded.
    with ota.Engine.open(loc, clock_skew_seconds=3 * 86_400) as wide:
        wide.execute(DCC, datetime.now(timezone.utc) + timedelta(days=2), far)
        report = wide.open_report()
        assert report is not None and report["ahead_of_clock"] == []
    # Another writer's event two days ahead, read with the default skew: reported.
    with ota.Engine.open(loc) as reader:
        report = reader.open_report()
        assert report is not None
        assert report["ahead_of_clock"] == [reader.last_seq] and report["ahead_of_clock_count"] == 1
    for bad in (-1, 2**32, True):
        with pytest.raises(ota.InvalidInputError, match="clock_skew_seconds"):
            ota.Engine.open(loc, clock_skew_seconds=bad)


def test_an_unchained_log_is_imported_only_when_asked(fresh: Callable[[], str], tmp_path: Path) -> None:
    memory = rolling()
    chained = tmp_path / "chained.jsonl"
    memory.write_log(chained)
    import json

    lines = [json.loads(line) for line in chained.read_text().splitlines()]
    stripped = tmp_path / "stripped.jsonl"
    stripped.write_text("".join(json.dumps({k: v for k, v in x.items() if k != "hash"}) + "\n"
                                for x in lines if "seq" in x))
    assert ota.verify_log(stripped)["chain"] == "unchained"
    target = fresh()
    with pytest.raises(ota.CorruptLogError, match="allow_unchained"):
        ota.Engine.import_log(stripped, target)
    with ota.Engine.import_log(stripped, target, allow_unchained=True) as e:
        report = e.open_report()
        assert report is not None and report["unverified_through"] == memory.last_seq
    with ota.Engine.open(target) as again:
        report = again.open_report()
        assert report is not None and report["unverified_through"] == memory.last_seq
    with pytest.raises(ota.InvalidInputError, match="allow_unchained"):
        ota.Engine.import_log(stripped, fresh(), allow_unchained=1)  # type: ignore[arg-type]


def test_verify_store_compares_the_columns_and_the_feed_with_the_events(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with rolling(engine=ota.Engine.open(loc)) as e:
        assert e.verify_store()["events"] == e.last_seq
        # A party's notice changed in the feed table: named.
        _sql(loc, "UPDATE feed SET body = replace(body, 'C2', 'C9') WHERE position = 1 AND recipient = 'customer:SUP-A'")
        with pytest.raises(ota.CorruptLogError, match="customer:SUP-A"):
            e.verify_store()
    # An indexed column changed alone: opening refuses it, naming the column.
    loc = fresh()
    rolling(engine=ota.Engine.open(loc)).close()
    _sql(loc, "UPDATE events SET actor = 'customer:SUP-Z' WHERE seq = 3")
    with pytest.raises(ota.CorruptLogError, match="column actor"):
        ota.Engine.open(loc)


def test_replay_refuses_an_event_no_command_could_record(tmp_path: Path) -> None:
    import json

    memory = rolling()
    log = tmp_path / "log.jsonl"
    memory.write_log(log)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    events = [x for x in lines if "seq" in x]
    last = events[-1]
    forged = {"schema": last["schema"], "seq": last["seq"] + 1, "at": last["at"], "actor": "customer:SUP-A",
              "payload": {"type": "notifications_acknowledged", "recipient": "customer:SUP-A", "up_to": 2**63 - 1}}
    unchained = tmp_path / "forged.jsonl"
    unchained.write_text("".join(json.dumps({k: v for k, v in x.items() if k != "hash"}) + "\n"
                                 for x in events + [forged]))
    with pytest.raises(ota.CorruptLogError, match="acknowledges") as err:
        ota.Engine.replay_log(unchained)
    assert err.value.line == forged["seq"]


def test_a_failing_automatic_snapshot_is_reported(tmp_path: Path) -> None:
    loc = str(tmp_path / "refusing.db")
    with rolling(engine=ota.Engine.open(loc, snapshot_every=2)) as e:
        _sql(loc, "CREATE TRIGGER refuse BEFORE INSERT ON snapshots BEGIN SELECT RAISE(ABORT, 'string or blob too big'); END")
        e.execute(DCC, t(3), _create("C7"))
        e.execute(DCC, t(3), _create("C8"))
        report = e.open_report()
        assert report is not None and report["snapshot_failure"] is not None
        assert "too big" in report["snapshot_failure"]["message"]
