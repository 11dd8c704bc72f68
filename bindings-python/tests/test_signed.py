"""Signed acts from Python (issue 21, docs/domain.md decision 21): keys held in memory or behind a
callback (an HSM's or a KMS's client), every command signed by its actor's registered key,
keys registered, rotated and revoked by the DCC, and a shared store in which no writer can
record another party's act, through the library or through SQL. Against both stores."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, List

import pytest

import commshub_ota as ota
from test_store import _psql, _sql, fresh  # noqa: F401 (fresh: the stores' fixture, both backends)

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
CSP = ota.Actor.csp(ota.Region.NORTH)
A = ota.Actor.customer("SUP-A")
B = ota.Actor.customer("SUP-B")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def key(actor: str) -> ota.KeyPair:
    """A party's key, the same in every run."""
    return ota.KeyPair.from_seed(hashlib.sha256(actor.encode()).digest())


TRUST = ota.Trust("py-test-log", key(DCC).public_key())


class Hsm:
    """A signer whose key stays inside it, as an HSM's or a KMS's client: the engine sees only
    the public key and each signature."""

    def __init__(self, actor: str) -> None:
        self._key = key(actor)
        self.calls = 0

    def public_key(self) -> str:
        return self._key.public_key()

    def sign(self, message: bytes) -> bytes:
        self.calls += 1
        return self._key.sign(message)


def prepare(e: ota.Engine, day: int = 0) -> None:
    """The DCC registers the CSP's and both suppliers' keys, then a variant, its firmware and
    three hubs (1 and 3 SUP-A's, 2 SUP-B's)."""
    e.sign_as(DCC, key(DCC))
    for party in (CSP, A, B):
        e.register_key(DCC, t(day), party=party, key=key(party).public_key())
    e.sign_as(CSP, key(CSP))
    e.register_variant(DCC, t(day), ota.Variant("CH-N-DB", "Acme", "CH2", "B", ota.HanBand.DUAL_BAND, ota.Region.NORTH))
    e.register_firmware(CSP, t(day), variant="CH-N-DB", version="1.0")
    e.load_estate(DCC, t(day), {
        "id": ["00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-02", "00-00-00-00-00-00-00-03"],
        "variant": ["CH-N-DB"] * 3,
        "firmware": ["1.0"] * 3,
        "smi_status": ["commissioned"] * 3,
        "installed_on": ["2024-01-01"] * 3,
        "commissioned_on": ["2024-01-02"] * 3,
        "import_supplier": ["SUP-A", "SUP-B", "SUP-A"],
        "esme_model": ["EM-A1"] * 3,
        "esme_firmware": ["3.1"] * 3,
    })


def test_a_key_pair_round_trips_and_bad_keys_are_typed_errors() -> None:
    k = ota.KeyPair.generate()
    assert len(k.public_key()) == 64
    assert ota.KeyPair.from_pkcs8_der(k.to_pkcs8_der()).public_key() == k.public_key()
    assert len(k.sign(b"message")) == 64
    with pytest.raises(ota.InvalidInputError, match="not 32"):
        ota.KeyPair.from_seed(b"short")
    with pytest.raises(ota.InvalidInputError, match="PKCS#8"):
        ota.KeyPair.from_pkcs8_der(b"not a key")
    with pytest.raises(ota.InvalidInputError, match="public key"):
        ota.Engine(trust=ota.Trust("log", ""))
    with pytest.raises(ota.InvalidInputError, match="identity"):
        ota.Engine(trust=ota.Trust("a log with spaces", k.public_key()))


def test_every_command_is_signed_by_its_actors_registered_key() -> None:
    e = ota.Engine(trust=TRUST)
    # Unsigned: refused, typed, naming the actor.
    with pytest.raises(ota.BadSignatureError) as refused:
        e.register_key(DCC, t(0), party=A, key=key(A).public_key())
    assert refused.value.kind == "bad_signature" and refused.value.actor == "dcc"
    prepare(e)
    events = e.events()
    assert events[0].act is not None and events[0].act["by"] == "dcc"
    assert events[0].act["key"] == key(DCC).public_key()
    # A customer signing through its HSM: one call an act.
    hsm = Hsm(A)
    e.sign_as(A, hsm)
    e.register_key(DCC, t(1), party=A, key=ota.KeyPair.generate().public_key())
    notes = e.notifications(A)
    assert [n.type for n in notes.notifications] == ["key_registered"]
    e.acknowledge_notifications(A, t(1), up_to=notes.notifications[-1].id)
    assert hsm.calls == 1
    # SUP-B's key claiming SUP-A, and a signer that fails: refused, nothing recorded.
    last = e.last_seq
    e.sign_as(A, key(B))
    with pytest.raises(ota.BadSignatureError, match="is not a key of customer SUP-A's"):
        e.execute(A, t(2), {"type": "check_deadlines"})

    class Broken:
        def public_key(self) -> str:
            return key(A).public_key()

        def sign(self, message: bytes) -> bytes:
            raise RuntimeError("the HSM is unreachable")

    e.sign_as(A, Broken())
    with pytest.raises(ota.InvalidInputError, match="unreachable"):
        e.execute(A, t(2), {"type": "check_deadlines"})
    assert e.last_seq == last
    # Signed elsewhere and sent: recorded once; sent again, its counter is used.
    signed = e.sign(key(B), B, t(2), {"type": "withdraw_defect_flag", "flag": 1})
    assert signed["n"] == e.next_act(B)
    with pytest.raises(ota.NotFoundError):
        e.execute_signed(signed)
    signed = e.sign(key(DCC), DCC, t(2), {"type": "register_key", "party": "customer:SUP-C", "key": ota.KeyPair.generate().public_key()})
    e.execute_signed(signed)
    with pytest.raises(ota.BadSignatureError, match="act counter"):
        e.execute_signed(signed)
    # Changed after it was signed: the signature does not hold.
    changed = dict(signed, n=e.next_act(DCC))
    with pytest.raises(ota.BadSignatureError, match="does not hold"):
        e.execute_signed(changed)
    # An unsigned engine takes no signer.
    with pytest.raises(ota.BadSignatureError, match="unsigned log"):
        ota.Engine().sign_as(DCC, key(DCC))


def test_keys_are_registered_rotated_and_revoked_and_a_signed_log_replays_only_with_its_trust(tmp_path: Path) -> None:
    e = ota.Engine(trust=TRUST)
    prepare(e)
    new = ota.KeyPair.generate()
    with pytest.raises(ota.NotPermittedError):
        e.sign_as(A, key(A))
        e.register_key(A, t(1), party=A, key=new.public_key())
    with pytest.raises(ota.AlreadyExistsError):
        e.register_key(DCC, t(1), party=B, key=key(A).public_key())
    e.rotate_key(DCC, t(1), party=A, old=key(A).public_key(), new=new.public_key())
    with pytest.raises(ota.BadSignatureError, match="revoked"):
        e.execute(A, t(2), {"type": "check_deadlines"})
    e.sign_as(A, new)
    e.revoke_key(DCC, t(2), party=A, key=new.public_key(), reason="lost")
    assert [k.revoked is not None for k in e.keys_of(A)] == [True, True]
    with pytest.raises(ota.PreconditionFailedError, match="last valid key"):
        e.revoke_key(DCC, t(2), party=DCC, key=key(DCC).public_key())
    log = tmp_path / "signed.jsonl"
    e.write_log(log)
    again = ota.Engine.replay_log(log, trust=TRUST)
    assert again.same_state_as(e)
    with pytest.raises(ota.CorruptLogError, match="trust anchor"):
        ota.Engine.replay_log(log)
    with pytest.raises(ota.CorruptLogError, match="does not hold"):
        ota.Engine.replay_log(log, trust=ota.Trust("another-log", TRUST.anchor))


def _query(loc: str, sql: str) -> List[str]:
    if loc.startswith("postgres"):
        return _psql(loc, sql).replace("|", " ").split()
    with sqlite3.connect(loc) as c:
        return [str(v) for row in c.execute(sql) for v in row]


def test_no_writer_of_a_shared_store_records_another_partys_act(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with ota.Engine.open(loc, trust=TRUST, signer=key(DCC), checkpoint_every=0) as dcc:
        prepare(dcc)
        checkpoint = dcc.checkpoint(t(1))
        supplier = ota.Engine.open(loc, trust=TRUST, signer=key(A))
        supplier.verify_checkpoint(checkpoint)
        # The supplier as the DCC: unsigned, and signed with its own key.
        with pytest.raises(ota.BadSignatureError):
            supplier.change_supplier(DCC, t(2), hub="00-00-00-00-00-00-00-02", role=ota.SupplyRole.IMPORT, supplier="SUP-A")
        supplier.sign_as(DCC, key(A))
        with pytest.raises(ota.BadSignatureError, match="is not a key of DCC's"):
            supplier.change_supplier(DCC, t(2), hub="00-00-00-00-00-00-00-02", role=ota.SupplyRole.IMPORT, supplier="SUP-A")
        supplier.close()
        # Through SQL: SUP-B's hub given to SUP-A by a row recorded as the DCC's, chained.
        seq, previous = _query(loc, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        body = json.dumps({
            "schema": 2, "seq": int(seq) + 1, "at": "2026-01-03T09:00:00Z", "actor": "dcc",
            "payload": {"type": "supplier_changed", "hub": "00-00-00-00-00-00-00-02", "role": "import", "supplier": "SUP-A",
                    "flags": {"vulnerable": False, "high_risk": False, "super_friendly": False}},
        }, separators=(",", ":"))
        chained = hashlib.sha256(bytes.fromhex(previous) + body.encode()).hexdigest()
        quoted = body.replace("'", "''")
        _sql(loc, "INSERT INTO events (seq, at, actor, type, body, hash) VALUES "
                   f"({int(seq) + 1}, '2026-01-03T09:00:00Z', 'dcc', 'supplier_changed', '{quoted}', '{chained}')")
        with pytest.raises(ota.CorruptLogError, match="is not signed") as err:
            dcc.catch_up()
        assert err.value.line == int(seq) + 1
    with pytest.raises(ota.CorruptLogError, match="is not signed"):
        ota.Engine.open(loc, trust=TRUST, signer=key(DCC))
    # Without its trust the store does not open at all.
    with pytest.raises(ota.InvalidInputError, match="signed log"):
        ota.Engine.open(loc)


def test_a_forged_snapshot_and_a_deleted_tail_are_detected(fresh: Callable[[], str]) -> None:
    loc = fresh()
    with ota.Engine.open(loc, trust=TRUST, signer=key(DCC), snapshot_every=0, checkpoint_every=0) as dcc:
        prepare(dcc)
        dcc.snapshot()
        checkpoint = dcc.checkpoint(t(1))
        assert dcc.latest_checkpoint() == checkpoint
    # A byte of the snapshot's hub table changed and its SHA-256 recomputed, as a forger would:
    # the checksum is no defence, the host's signature is.
    if loc.startswith("postgres"):
        _sql(loc, "UPDATE snapshots SET data = overlay(f placing sha256(substring(f from 1 for length(f) - 136)) from length(f) - 135 for 32) FROM (SELECT seq AS s, overlay(data placing '\\x07'::bytea from 90 for 1) AS f FROM snapshots) AS x WHERE seq = x.s")
    else:
        with sqlite3.connect(loc) as c:
            (data,) = c.execute("SELECT data FROM snapshots").fetchone()
            forged = bytearray(data)
            forged[89] = 0x07
            inner = len(forged) - 104
            forged[inner - 32:inner] = hashlib.sha256(bytes(forged[:inner - 32])).digest()
            c.execute("UPDATE snapshots SET data = ?", (bytes(forged),))
    with pytest.raises(ota.CorruptSnapshotError, match="does not hold"):
        ota.Engine.open(loc, trust=TRUST, signer=key(A))
    # The tail deleted: the log still opens, but the held checkpoint names what is missing.
    _sql(loc, f"DELETE FROM events WHERE seq > {checkpoint.seq - 2}; DELETE FROM snapshots; DELETE FROM snapshot_chunks; DELETE FROM meta WHERE key = 'checkpoint'")
    with ota.Engine.open(loc, trust=TRUST, signer=key(A)) as reader:
        with pytest.raises(ota.CorruptLogError, match="events were removed") as err:
            reader.verify_checkpoint(checkpoint)
        assert err.value.line == checkpoint.seq
    # Another continuation, validly signed by the DCC, past the checkpoint: the swap is named.
    with ota.Engine.open(loc, trust=TRUST, signer=key(DCC), checkpoint_every=0) as dcc:
        dcc.sign_as(DCC, key(DCC))
        for _ in range(4):
            dcc.register_key(DCC, t(3), party="customer:SUP-C", key=ota.KeyPair.generate().public_key())
        assert dcc.last_seq >= checkpoint.seq
        with pytest.raises(ota.CorruptLogError, match="replaced by another continuation") as err:
            dcc.verify_checkpoint(checkpoint)
        assert err.value.line == checkpoint.seq
