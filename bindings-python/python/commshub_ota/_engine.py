"""The Engine: commands (one method per command, named as in the event log), queries scoped to
the asking actor, the event log. Work runs in Rust with the GIL released. The typed command and
query methods are generated from the core's schema into `_generated.py` (`EngineMethods`);
this file holds the rest."""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
import functools
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, ParamSpec, Protocol, Sequence, Tuple, TypeVar, Union

from . import _native
from ._convert import _at, _count, _encode, _flag, _invalid, _opt_text, _text
from ._enums import Region, _StrEnum
from ._generated import EngineMethods
from ._records import Checkpoint, Event, KeyEntry, Trust
from ._views import FeedPage, StoreInfo
from ._native import CommsHubOtaError

PathLike = Union[str, "os.PathLike[str]"]
_T = TypeVar("_T")


class ErrorKind(_StrEnum):
    """The kind of a refusal, as `CommsHubOtaError.kind` gives it (not in the core's schema:
    `_native.ERROR_KINDS` lists the same values)."""

    INVALID_ID = "invalid_id"
    INVALID_INPUT = "invalid_input"
    NOT_PERMITTED = "not_permitted"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    ILLEGAL_TRANSITION = "illegal_transition"
    PRECONDITION_FAILED = "precondition_failed"
    BULK_REJECTED = "bulk_rejected"
    CORRUPT_LOG = "corrupt_log"
    UNSUPPORTED_SCHEMA = "unsupported_schema"
    IO = "io"
    CONFLICT = "conflict"
    CORRUPT_SNAPSHOT = "corrupt_snapshot"
    BAD_SIGNATURE = "bad_signature"
    INVALID_CONDITION = "invalid_condition"


def _check_column_names(frame: Any) -> None:
    """A frame's column names, where it tells them: none twice, none with a NUL (the Arrow C
    interface passes names as C strings, so "variant\\0x" would arrive as "variant")."""
    names = getattr(frame, "column_names", None)
    if names is None:
        columns = getattr(frame, "columns", None)
        names = list(columns) if columns is not None and not callable(columns) else None
    if not isinstance(names, list):
        return
    seen = set()
    for name in names:
        if not isinstance(name, str):
            raise _invalid("columns", f"column name {name!r} is not text")
        if "\0" in name:
            raise _invalid("columns", f"column name {name!r} holds a NUL character")
        if name in seen:
            raise _invalid("columns", f"column {name!r} appears twice")
        seen.add(name)


_P = ParamSpec("_P")
_R = TypeVar("_R")
_C = TypeVar("_C", bound=type)

# What converting a caller's value can raise when the value is of the wrong shape (a str where a
# dataclass was expected, a float for an int, a nested value too deep...). Every bad input must
# reach the caller as a CommsHubOtaError, so these become an InvalidInputError naming the call.
_INPUT_FAULTS = (TypeError, ValueError, AttributeError, UnicodeError, OverflowError, RecursionError, IndexError)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """While an answer becomes many objects (a view per hub): the cyclic collector would run
    every 700 new containers and walk the ones made so far, two thirds of the time a
    customer's estate took to become views. These objects hold no cycles; the collector runs
    again after. Left alone if the caller had already turned it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _typed_errors(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(fn)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except _native.CommsHubOtaError:
            raise
        except _INPUT_FAULTS as e:
            # A call of the wrong shape (a missing or unknown argument) fails in this frame:
            # that is the caller's programming error and stays a TypeError.
            if isinstance(e, TypeError) and e.__traceback__ is not None and e.__traceback__.tb_next is None:
                raise
            raise _invalid(fn.__name__, f"{type(e).__name__}: {e}") from e

    return call


def _all_typed(cls: _C) -> _C:
    """Applies `_typed_errors` to every public method of `cls`, its bases' too (the generated
    `EngineMethods`)."""
    members: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):
        members.update(vars(klass))
    for name, member in members.items():
        if name.startswith("_"):
            continue
        if isinstance(member, classmethod):
            setattr(cls, name, classmethod(_typed_errors(member.__func__)))
        elif isinstance(member, staticmethod):
            setattr(cls, name, staticmethod(_typed_errors(member.__func__)))
        elif callable(member):
            setattr(cls, name, _typed_errors(member))
    return cls


class Signer(Protocol):
    """What signs a party's acts: a `KeyPair`, or an HSM's or a KMS's client."""

    def public_key(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


def _trust(trust: Trust) -> Tuple[str, str]:
    if not isinstance(trust, Trust):
        raise _invalid("trust", f"expected a Trust, got {type(trust).__name__}")
    return _text(trust.log, "trust.log"), _text(trust.anchor, "trust.anchor")


@_all_typed
class Engine(EngineMethods):
    """The model: a state and the journal of events that built it. Safe to share between
    threads; each call is atomic."""

    def __init__(self, _inner: Optional[_native.NativeEngine] = None, *, trust: Optional[Trust] = None) -> None:
        """An engine in memory: unsigned (for analysis), or, given a `trust`, running a signed
        log: every command signed by its actor's registered key (`sign_as`, `execute_signed`)."""
        if _inner is not None:
            self._inner = _inner
        elif trust is not None:
            log, anchor = _trust(trust)
            self._inner = _native.NativeEngine(log, anchor)
        else:
            self._inner = _native.NativeEngine()

    # --- signed acts (docs/domain.md decision 21) ---------------------------------------------
    def sign_as(self, actor: str, signer: Signer) -> None:
        """Signs `actor`'s commands with `signer` from now on: every command method and
        `execute_batch` sign each as the actor's next act. `signer` is a `KeyPair`, or any object
        with `public_key()` (hex) and `sign(message: bytes) -> bytes` (an HSM or KMS client): the
        private key never enters the engine. `BadSignatureError` on an unsigned engine."""
        self._inner.sign_as(_text(actor, "actor"), signer)

    def sign(self, signer: Signer, actor: str, at: datetime, command: Mapping[str, Any]) -> Dict[str, Any]:
        """`command` (its JSON form) by `actor` at `at`, signed by `signer` as the actor's next
        act: what a party sends the host that runs the engine (`execute_signed` there)."""
        if not isinstance(command, Mapping):
            raise _invalid("command", f"expected a mapping, got {type(command).__name__}")
        signed: Dict[str, Any] = self._inner.sign(signer, _text(actor, "actor"), _at(at), _encode(command, "command"))
        return signed

    def execute_signed(self, signed: Mapping[str, Any]) -> List[Event]:
        """Runs a command its actor signed (the dict `sign` gives): the signature is verified
        before the command is decided (`BadSignatureError` when it does not hold, when its key
        is not the actor's valid key, or when its counter is not the actor's next)."""
        if not isinstance(signed, Mapping):
            raise _invalid("signed", f"expected a mapping, got {type(signed).__name__}")
        return [Event.from_dict(e) for e in self._inner.execute_signed(dict(signed))]

    def next_act(self, actor: str) -> int:
        """The counter `actor`'s next act must carry."""
        return self._inner.next_act(_text(actor, "actor"))

    def keys_of(self, party: str) -> List[KeyEntry]:
        """The keys registered for `party`, valid and revoked."""
        return [KeyEntry.from_dict(k) for k in self._inner.keys_of(_text(party, "party"))]

    def checkpoint(self, at: datetime) -> Checkpoint:
        """The DCC signs a checkpoint of the log's head at `at` with the store's signer (a valid
        DCC key): the store keeps the latest; give it to the parties to keep."""
        return Checkpoint.from_dict(self._inner.checkpoint(_at(at)))

    def latest_checkpoint(self) -> Optional[Checkpoint]:
        """The latest checkpoint the store keeps, or None."""
        raw = self._inner.latest_checkpoint()
        return Checkpoint.from_dict(raw) if raw is not None else None

    def verify_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Checks a kept checkpoint against this log: `CorruptLogError` naming the event when
        the log was cut below it or replaced up to it by another continuation."""
        if not isinstance(checkpoint, Checkpoint):
            raise _invalid("checkpoint", f"expected a Checkpoint, got {type(checkpoint).__name__}")
        self._inner.verify_checkpoint(checkpoint.to_dict())

    # --- a durable engine: its store -------------------------------------------------------
    @classmethod
    def open(
        cls,
        location: PathLike,
        snapshot_every: int = 10_000,
        *,
        allow_fallback: bool = False,
        clock_skew_seconds: int = 300,
        trust: Optional[Trust] = None,
        signer: Optional[Signer] = None,
        checkpoint_every: int = 1_000,
    ) -> "Engine":
        """Opens a durable engine on the store at `location`: a SQLite file (a path or
        `sqlite:PATH`, created when missing) or a PostgreSQL URL (`postgres://user@host/db`).
        It loads the newest usable snapshot and replays the events after it, verifying each
        (`CorruptLogError` naming the event if one was changed or could not have been made by
        its actor). Each command is then written to the store before it changes the state.
        A snapshot is taken every `snapshot_every` events (0: only by `snapshot()`). Use it as
        a context manager (`with Engine.open(path) as engine:`) or call `close()`.

        A refused snapshot (changed, cut, or of events the store no longer holds) raises
        `CorruptSnapshotError`, unless `allow_fallback`: then the engine opens from an older
        snapshot or the events, and `open_report()` says why. A command stamped later than
        this host's clock plus `clock_skew_seconds` is refused (`InvalidInputError` on `at`);
        another writer's event stamped so is applied and listed in `open_report()`.

        A signed store (docs/domain.md decision 21) opens with its `trust`: every act is verified
        on the way in, every command must be signed (`sign_as`, `execute_signed`), and a
        snapshot is used only when this host's `signer` or the DCC's anchor signed it; the
        store's snapshots are signed with `signer`, and with the DCC's key it signs a checkpoint
        every `checkpoint_every` events (0: only by `checkpoint()`)."""
        skew = _count(clock_skew_seconds, "clock_skew_seconds")
        if skew > 2**32 - 1:
            raise _invalid("clock_skew_seconds", f"{skew} is more than {2**32 - 1}")
        log, anchor = _trust(trust) if trust is not None else (None, None)
        return cls(
            _native.NativeEngine.open(
                os.fspath(location),
                _count(snapshot_every, "snapshot_every"),
                _flag(allow_fallback, "allow_fallback"),
                skew,
                log,
                anchor,
                signer,
                _count(checkpoint_every, "checkpoint_every"),
            )
        )

    @classmethod
    def import_log(
        cls,
        path: PathLike,
        location: PathLike,
        snapshot_every: int = 10_000,
        *,
        allow_unchained: bool = False,
        trust: Optional[Trust] = None,
        signer: Optional[Signer] = None,
    ) -> "Engine":
        """Imports a JSON-lines log (verified as it is replayed) into the empty store at
        `location` and opens it. A log without an audit chain (nothing shows it was not
        changed) is refused (`CorruptLogError`) unless `allow_unchained`; the store then
        records, and `open_report()["unverified_through"]` reports on every open, that its
        history up to that event was imported unverified. A signed log is imported with its
        `trust` (every act verified; every signature kept)."""
        log, anchor = _trust(trust) if trust is not None else (None, None)
        return cls(
            _native.NativeEngine.import_log(
                os.fspath(path),
                os.fspath(location),
                _count(snapshot_every, "snapshot_every"),
                _flag(allow_unchained, "allow_unchained"),
                log,
                anchor,
                signer,
            )
        )

    def close(self) -> None:
        """Lets go of the store (its file or connection); any later call is an
        `InvalidInputError`. Closing twice is harmless."""
        self._inner.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute_batch(
        self, at: datetime, commands: Sequence[Tuple[str, Mapping[str, Any]]]
    ) -> List[Union[List[Event], CommsHubOtaError]]:
        """Runs `(actor, command)` pairs in order (each command in its JSON form), each decided
        on the state the ones before it left, and commits the accepted ones in one transaction.
        Returns, for each command, its events or its refusal (the exception, not raised). If the
        commit fails, nothing of the batch is kept and the error is raised (`ConflictError` when
        another writer got there first: the engine has caught up, retry)."""
        pairs = []
        for i, pair in enumerate(commands):
            if not isinstance(pair, tuple) or len(pair) != 2 or not isinstance(pair[1], Mapping):
                raise _invalid(f"commands[{i}]", "expected an (actor, command mapping) pair")
            pairs.append((_text(pair[0], f"commands[{i}].actor"), _encode(pair[1], f"commands[{i}]")))
        out: List[Union[List[Event], CommsHubOtaError]] = []
        for answer in self._inner.execute_batch(_at(at), pairs):
            out.append(answer if isinstance(answer, CommsHubOtaError) else [Event.from_dict(e) for e in answer])
        return out

    def catch_up(self) -> int:
        """Applies the events other writers appended to the store since this engine's last
        (each verified); how many. A follower calls it, or `wait_for_events`."""
        return self._inner.catch_up()

    def wait_for_events(self, timeout: float) -> int:
        """Waits up to `timeout` seconds (0 to 3600) for other writers' events, then applies
        them; how many (0 when none came). PostgreSQL wakes it by NOTIFY."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise _invalid("timeout", f"expected seconds as a number, got {type(timeout).__name__}")
        return self._inner.wait_for_events(float(timeout))

    def snapshot(self) -> int:
        """Writes a snapshot of the state to the store (the two newest are kept); its size in
        bytes. A restart then loads it instead of replaying the events before it."""
        return self._inner.snapshot()

    def verify_store(self) -> Dict[str, Any]:
        """Checks the store's whole audit chain, first event to last: `{"chain": "chained",
        "events": N, "last_hash": H}`, or `CorruptLogError` naming the first bad event."""
        return dict(self._inner.verify_store())

    def store_info(self) -> StoreInfo:
        """Where the store is and what it holds."""
        return StoreInfo.from_dict(self._inner.store_info())

    def open_report(self) -> Optional[Dict[str, Any]]:
        """How the engine opened: `{"snapshot": N or None, "replayed": N, "refused": [{"kind",
        "message"}], "ahead_of_clock": [seq], "ahead_of_clock_count": N, "unverified_through":
        N}` (a refused snapshot is a `corrupt_snapshot` there, and the events were used instead,
        as `allow_fallback` allowed; `ahead_of_clock` names the first 1 000 events other writers
        stamped later than this host's clock plus the skew, applied but moving no deadline;
        `unverified_through` is the last event of a history imported without an audit chain, 0
        when none was; `snapshot_failure` the last automatic snapshot that failed, `{"seq",
        "kind", "message"}`, until one succeeds: it is tried again after twice as many events;
        `checkpoint_failure` the same for the DCC's automatic checkpoints); `None` for an engine
        in memory."""
        report = self._inner.open_report()
        return None if report is None else dict(report)

    def feed(self, actor: str, cursor: int = 0, limit: int = 1000) -> FeedPage:
        """`actor`'s notifications after `cursor` (a position in its own feed; 0 from the start),
        at most `limit` (1 to 10 000), from the store. Positions count `actor`'s own notices
        only, so they say nothing of what others did."""
        limit = _count(limit, "limit")
        if limit > 2**32 - 1:
            raise _invalid("limit", f"{limit} is not between 1 and 10 000")
        return FeedPage.from_dict(self._inner.feed(_text(actor, "actor"), _count(cursor, "cursor"), limit))

    def query_arrow(self, actor: str, query: Mapping[str, Any]) -> "_native.ArrowTable":
        """A columnar question in its JSON form, answered as an Arrow table: the one columnar
        entry (the JVM's `queryArrow`). The questions (the core's `ColumnarQuery`):

        - `{"name": "upgrade_list", "region": ..., "at": ...}`: the whole upgrade list (the rows
          `upgrade_list` pages, in order): `hub`, `campaign`, `next_version`, `target`,
          `nominated`, `variant`, `firmware`, `configuration_set`.
        - `{"name": "customer_estate", "customer": ...}`: every hub the customer supplies, the
          columns of `HubView` flattened, as `customer_estate` shows them to `actor`.
        - `{"name": "configuration_sets", "customer": ...}` (the DPL; no customer: the
          industry's, the DCC only) and `{"name": "estate_by_firmware", "customer": ...}`.
        - `{"name": "campaign_progress", "campaign": ..., "at": ...}`,
          `{"name": "campaign_attempts", "campaign": ...}` and
          `{"name": "blockers", "campaign": ..., "at": ...}` (bulk explain: a row per blocker).
        - `{"name": "dry_run_rule", "rule": RuleSpec(...), "at": ...}`: what a rule would do, a
          row per hub it would act on: `act`, `campaign`, `hub`, `configuration_set`, `by_set`,
          `customer`, `until`, `text` (`dry_run_rule` gives the same as counts).
        - `{"name": "retirement_evidence", "customer": ...}`: the evidence to retire the pilot, a
          row per campaign and set: `campaign`, `target`, `configuration_set`, `label`,
          `finding`, `pilot_*` and `rollout_*` figures (`retirement_evidence` typed).
        - `{"name": "events", "after": 0, "limit": 1000}`: the recorded events (the DCC only).

        Times are aware datetimes (or RFC 3339 text), regions and other enums their values or
        members. The answer implements the Arrow PyCapsule interface, so `polars.DataFrame(t)`,
        `pyarrow.table(t)` and `duckdb.sql("select ... from t")` read it without a copy. The
        same rows, scope and refusals as the row query of the same name; a question that does
        not parse is an `InvalidInputError` naming what was wrong."""
        if not isinstance(query, Mapping):
            raise _invalid("query", f"expected a mapping, got {type(query).__name__}")
        return self._inner.query_arrow(_text(actor, "actor"), _encode(query, "query"))

    def to_snapshot(self) -> bytes:
        """The whole state as snapshot bytes (the store's versioned, checksummed format)."""
        return bytes(self._inner.to_snapshot())

    @classmethod
    def from_snapshot(cls, data: bytes) -> "Engine":
        """An engine in memory holding a snapshot's state (a what-if copy, an analyst's
        restore); `CorruptSnapshotError` when the bytes were changed, cut or are not one."""
        if not isinstance(data, (bytes, bytearray)):
            raise _invalid("data", f"expected bytes, got {type(data).__name__}")
        return cls(_native.NativeEngine.from_snapshot(bytes(data)))

    def export_log(self, path: PathLike) -> int:
        """Writes the whole log to `path` as chained JSON lines, atomically; how many events."""
        return self._inner.export_log(os.fspath(path))

    # --- the log -------------------------------------------------------------------------
    @classmethod
    def replay_log(cls, path: PathLike, *, trust: Optional[Trust] = None) -> "Engine":
        """Rebuilds an engine from a JSON-lines event log (`CorruptLogError`,
        `UnsupportedSchemaError` or `IoError` when it cannot). A signed log is replayed with
        its `trust`, every act verified."""
        log, anchor = _trust(trust) if trust is not None else (None, None)
        return cls(_native.NativeEngine.replay_log(os.fspath(path), log, anchor))

    def write_log(self, path: PathLike) -> None:
        """Writes every recorded event to `path` as chained JSON lines, atomically: the whole
        history, from the journal in memory or from the store of a durable engine (the same
        file `export_log` writes)."""
        self._inner.write_log(os.fspath(path))

    def events(self, start: int = 0) -> List[Event]:
        """The recorded events after sequence number `start` (0: all): the whole history, from
        the journal in memory or from the store of a durable engine."""
        with _collector_paused():
            return [Event.from_dict(e) for e in self._inner.events(_count(start, "start"))]

    @property
    def last_seq(self) -> int:
        """The sequence number of the last recorded event (0 before any)."""
        return self._inner.last_seq

    @property
    def hub_count(self) -> int:
        """How many hubs the estate holds."""
        return self._inner.hub_count

    def same_state_as(self, other: "Engine") -> bool:
        """Whether both engines hold the same state (e.g. an engine and its replay)."""
        return self._inner.same_state_as(other._inner)

    # --- commands ------------------------------------------------------------------------
    def execute(self, actor: str, at: datetime, command: Mapping[str, Any]) -> List[Event]:
        """Runs a command given in its JSON form (`{"type": "grant_pilot_oa", ...}`), e.g. one
        read from a queue. The typed methods below are the same commands with Python types; here
        a command that does not parse (a malformed id included) is an `InvalidInputError`."""
        if not isinstance(command, Mapping):
            raise _invalid("command", f"expected a mapping, got {type(command).__name__}")
        raw = self._inner.execute(_text(actor, "actor"), _at(at), _encode(command, "command"))
        return [Event.from_dict(e) for e in raw]

    # The typed commands and queries (`EngineMethods`, generated from the core's schema by
    # scripts/gen_python.py) build the JSON form and come through these two. A field left None
    # is left out, so that the core's default applies.
    def _run(self, actor: str, at: datetime, type_: str, **fields: Any) -> List[Event]:
        return self.execute(actor, at, {"type": type_, **{k: v for k, v in fields.items() if v is not None}})

    def _ask(self, actor: str, name: str, answer: Callable[[Any], _T], **fields: Any) -> _T:
        query = {"name": name, **{k: v for k, v in fields.items() if v is not None}}
        with _collector_paused():
            return answer(self._inner.query(_text(actor, "actor"), _encode(query, "query")))

    def load_estate(self, actor: str, at: datetime, columns: Any) -> int:
        """DCC: load many hubs in one call from columns of equal length: a mapping of lists (or
        any iterables), or any object with `__arrow_c_stream__` (a pyarrow Table, a Polars
        DataFrame, pandas 2.2+ with pyarrow installed) or `__arrow_c_array__` (a record batch),
        read through the Arrow C data interface without
        going through Python objects: dictionary-encoded text stays encoded, nulls (and pandas'
        NaN in a text column) are missing values, dates are `date32`/`date64` or ISO text.

        Required: `id`, `variant`, `firmware`, `smi_status`, `installed_on` (date or ISO
        string). Optional: `commissioned_on`, `import_supplier`, `gas_supplier`,
        `<device>_model` and `<device>_firmware` for esme, gsme, ppmid, hcalcs, ihd, and the
        bool flags `import_vulnerable`, `import_high_risk`, `import_super_friendly`,
        `gas_vulnerable`, `gas_high_risk`, `gas_super_friendly`. Any bad row refuses the whole
        load with `BulkRejectedError` (its `rows` lists each bad row's index and reason).
        Returns the sequence number of the load's event."""
        if hasattr(columns, "__arrow_c_stream__") or hasattr(columns, "__arrow_c_array__"):
            _check_column_names(columns)
        if hasattr(columns, "__arrow_c_stream__"):
            stream = columns.__arrow_c_stream__()
            return self._inner.load_estate_arrow(_text(actor, "actor"), _at(at), stream)
        if hasattr(columns, "__arrow_c_array__"):
            schema, array = columns.__arrow_c_array__()
            return self._inner.load_estate_arrow_array(_text(actor, "actor"), _at(at), schema, array)
        if not isinstance(columns, Mapping):
            raise _invalid("columns", f"expected a mapping of column name to values, or an Arrow table/frame, got {type(columns).__name__}")
        plain: Dict[str, List[Any]] = {}
        for name, values in columns.items():
            if values is None:
                raise _invalid(str(name), "a column cannot be None")
            if isinstance(values, (str, bytes, bytearray)):
                # A text is iterable, one item a character: refused before it is taken apart.
                raise _invalid(str(name), f"expected a list of values, got {type(values).__name__}")
            seq = values if isinstance(values, list) else list(values)
            if name == "smi_status":
                seq = [v.value if isinstance(v, Enum) else v for v in seq]
            plain[name] = seq
        return self._inner.load_estate(_text(actor, "actor"), _at(at), plain)

    def load_estate_table(self, actor: str, at: datetime, table: Mapping[str, Any]) -> int:
        """DCC: load many hubs already dictionary-encoded (e.g. Arrow dictionary arrays or pandas
        categoricals), in the core's `EstateTable` form. Dictionaries: `variants`,
        `firmware_versions`, `customers`, `devices` (`{"model", "firmware"}`). Per hub: `id`,
        `variant` and `firmware` (codes), `smi_status`, `installed_on` (ISO dates). Optional per
        hub (absent or empty: none for every hub): `commissioned_on`, `import_supplier` and
        `gas_supplier` (codes into `customers`), `import_flags` and `gas_flags` (bits: 1
        vulnerable, 2 high risk, 4 super friendly), `esme`, `gsme`, `ppmid`, `hcalcs`, `ihd`
        (codes into `devices`). A code past its dictionary or columns of unequal length are an
        `InvalidInputError` naming the column; bad hubs a `BulkRejectedError` by row. Returns
        the sequence number of the load's event."""
        if not isinstance(table, Mapping):
            raise _invalid("table", f"expected a mapping of column name to values, got {type(table).__name__}")
        plain = {str(k): (v if isinstance(v, list) or v is None else list(v)) for k, v in table.items()}
        return self._inner.load_estate_table(_text(actor, "actor"), _at(at), plain)

    # --- queries (scoped to the asking actor) --------------------------------------------
    def query(self, actor: str, query: Mapping[str, Any]) -> Any:
        """Any query in its JSON form (`{"name": "explain", "campaign": "C1", "hub": ..., "at":
        ...}`, as in the conformance scenarios), answered in the view's JSON form: the one entry
        behind every typed query below. An unknown query or argument is `InvalidInputError`."""
        if not isinstance(query, Mapping):
            raise _invalid("query", f"expected a mapping, got {type(query).__name__}")
        return self._inner.query(_text(actor, "actor"), _encode(query, "query"))

@_all_typed
class Actor:
    """Builders of the actor strings every call takes: `dcc`, `csp:<region>`, `customer:<id>`.
    `system` appears only as the recorded actor of automatic acts (halts by threshold, time-outs,
    cut-off notices); a command made as the system is refused `NotPermittedError`."""

    DCC = "dcc"
    SYSTEM = "system"

    @staticmethod
    def csp(region: Union[Region, str]) -> str:
        """The CSP of `region`."""
        return _native.parse_id("actor", f"csp:{_text(region, 'region')}")

    @staticmethod
    def customer(customer_id: str) -> str:
        """A DCC Customer (`InvalidIdError` for a malformed id)."""
        return _native.parse_id("actor", f"customer:{_text(customer_id, 'customer_id')}")


@_typed_errors
def parse_id(kind: str, text: str) -> str:
    """The canonical text of an identifier: `kind` is `hub_id`, `customer_id`, `variant_id`,
    `firmware_version`, `campaign_id`, `region` or `actor`. `InvalidIdError` if malformed."""
    return _native.parse_id(_text(kind, "kind"), _text(text, "text"))


@_typed_errors
def verify_log(path: PathLike) -> Dict[str, Any]:
    """Checks a written log's audit chain whole: `{"chain": "chained", "events": N,
    "last_hash": H}`, or `{"chain": "unchained", "events": N}` for a log without the chain (read,
    but unverifiable). `CorruptLogError` naming the line when anything was changed, removed or
    cut off; `IoError` when the file cannot be read."""
    return _native.verify_log(os.fspath(path))


def parse_hub_id(text: str) -> str:
    """A hub GUID (EUI-64) in canonical form: `00-db-12-34-56-78-90-a0` -> `00-DB-12-34-56-78-90-A0`."""
    return parse_id("hub_id", text)


@_typed_errors
def hub_text(value: int) -> str:
    """The canonical text of a hub id given as the 64-bit integer every Arrow answer's `hub`
    column holds: `hub_text(0x1A22FFFE00000001)` -> `00-1A-22-FF-FE-00-00-01`. For a whole
    column, `table.with_hub_text()` converts it in one call. `InvalidInputError` outside
    0..2^64."""
    return _native.hub_text(value)


@_typed_errors
def hub_number(text: str) -> int:
    """A hub id as the 64-bit integer the Arrow answers hold (to filter a frame:
    `pl.col("hub") == hub_number("00-1A-...")`). `InvalidIdError` if malformed."""
    return _native.hub_number(_text(text, "text"))


@_typed_errors
def synthetic_estate(hubs: int, seed: int = 2026) -> Tuple[List[Tuple[str, Dict[str, Any]]], Dict[str, List[Any]]]:
    """The core's deterministic synthetic estate (the one the Rust benchmark uses): the
    catalogue as `(actor, command)` pairs for `Engine.execute`, and the hubs as the columns
    `Engine.load_estate` takes plus `config_key`, each hub's configuration-set key (drop it
    before loading). `InvalidInputError` unless 1 <= hubs <= 20 000 000."""
    catalogue, columns = _native.synth_estate(_count(hubs, "hubs"), _count(seed, "seed"))
    return [(str(a), dict(c)) for a, c in catalogue], columns



def synthetic_estate_arrow(hubs: int, seed: int = 2026) -> Tuple[List[Tuple[str, Dict[str, Any]]], "_native.ArrowTable", "_native.ArrowTable"]:
    """The same estate as `synthetic_estate`, as Arrow tables rather than Python lists (so that
    10 million hubs fit): the catalogue, the hubs (the columns `Engine.load_estate` takes, text
    dictionary-encoded, dates as `date32`) and each hub's `config_key`, row for row.
    `InvalidInputError` unless 1 <= hubs <= 20 000 000."""
    catalogue, table, keys = _native.synth_estate_arrow(_count(hubs, "hubs"), _count(seed, "seed"))
    return [(str(a), dict(c)) for a, c in catalogue], table, keys