"""Pilot governance (decision 24, issue 26) from Python: a gate withdrawn by its recorder only,
and a version recalled from the production CPL suspending the campaigns that target it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
A, B = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-B")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def pilot() -> ota.Engine:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "pilot_c1.json").read_text()))
    return e


def test_a_recalled_version_suspends_its_campaigns_until_it_passes_again() -> None:
    e = pilot()
    (ev,) = e.withdraw_gate(DCC, t(5), variant="CH-N-DB", version="2.0", gate=ota.Gate.PRODUCTION_CPL,
                            reason="IHD pairing lost in the field")
    assert ev.type == "gate_withdrawn"
    c1 = e.campaign(DCC, "C1")
    assert (c1.phase, c1.resume_to) == (ota.Phase.SUSPENDED, ota.Phase.PILOT)
    assert "withdrawn from the production CPL" in (c1.history[-1].change.reason or "")
    fw = {f.version: f for f in e.firmware_versions(B, "CH-N-DB")}["2.0"]
    assert not fw.on_production_cpl
    assert [(w.gate, w.by, w.reason) for w in fw.withdrawals] == [(ota.Gate.PRODUCTION_CPL, "dcc", "IHD pairing lost in the field")]
    with pytest.raises(ota.PreconditionFailedError, match="not on the production CPL"):
        e.resume_campaign(DCC, t(6), campaign="C1")
    e.record_gate(DCC, t(6), variant="CH-N-DB", version="2.0", gate=ota.Gate.PRODUCTION_CPL)
    e.resume_campaign(DCC, t(6), campaign="C1")
    assert e.campaign(DCC, "C1").phase == ota.Phase.PILOT


def test_a_gate_is_withdrawn_by_its_recorder_only() -> None:
    e = pilot()
    with pytest.raises(ota.NotPermittedError, match="only the party that recorded"):
        e.withdraw_gate(B, t(5), variant="CH-N-DB", version="2.0", gate=ota.Gate.CUSTOMER_TESTED, reason="x")
    with pytest.raises(ota.NotPermittedError):
        e.withdraw_gate(ota.Actor.csp(ota.Region.SOUTH), t(5), variant="CH-N-DB", version="2.0",
                        gate=ota.Gate.CSP_APPROVED, reason="x")
    with pytest.raises(ota.InvalidInputError, match="reason"):
        e.withdraw_gate(DCC, t(5), variant="CH-N-DB", version="2.0", gate=ota.Gate.PRODUCTION_CPL, reason=" ")
    with pytest.raises(ota.NotFoundError):
        e.withdraw_gate(DCC, t(5), variant="CH-N-DB", version="9.9", gate=ota.Gate.PRODUCTION_CPL, reason="x")
    # SUP-A takes back its testing gate: the gates after it go too, and SUP-B is not told who.
    e.withdraw_gate(A, t(5), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED, reason="retest")
    fw = {f.version: f for f in e.firmware_versions(B, "CH-N-DB")}["1.1"]
    assert [g.gate for g in fw.gates] == [ota.Gate.CSP_APPROVED, ota.Gate.DCC_TEST_APPROVED]
    assert fw.withdrawals[0].by is None
    with pytest.raises(ota.PreconditionFailedError, match="not recorded"):
        e.withdraw_gate(A, t(5), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED, reason="again")
