"""The field and the record (issue 26) from Python: a read-back that arrives after the attempt
timed out corrects the hub's firmware and leaves the attempt as it was; the CSP's inventory
read-back outside any attempt; each counted in the DPL on the day it was read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
A = ota.Actor.customer("SUP-A")
CSP = ota.Actor.csp(ota.Region.NORTH)
DCC = ota.Actor.DCC


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def on_2_0(e: ota.Engine, day: int) -> int:
    """SUP-A's hubs on 2.0 in its DPL at the end of `day`."""
    return sum(d.hubs for d in e.dpl(A, t(day).date(), customer="SUP-A") if d.configuration_set.firmware == "2.0")


def failed(e: ota.Engine, day: int) -> int:
    return sum(p.failed for p in e.campaign_progress(DCC, "C2", t(day)))


def test_a_late_read_back_corrects_the_firmware_on_the_day_it_was_read() -> None:
    e = rolling()
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[
        ota.OutcomeReport.dispatched(h(0x10)), ota.OutcomeReport.delivered(h(0x10)),
        ota.OutcomeReport.activated(h(0x10)), ota.OutcomeReport.no_response(h(0x10))])
    with pytest.raises(ota.BulkRejectedError, match="in flight"):
        e.report_read_backs(CSP, t(3), readings=[ota.ReadBackReport(hub=h(0x10), firmware="2.0")])
    (timed_out,) = e.check_deadlines(DCC, t(7))
    assert timed_out.type == "reconciliation_timed_out" and failed(e, 7) == 1
    e.report_outcomes(CSP, t(8), campaign="C2", outcomes=[ota.OutcomeReport.read_back(h(0x10), "2.0", happened_at=t(5))])
    assert e.hub(DCC, h(0x10)).firmware == "2.0"
    assert failed(e, 8) == 1, "the attempt stays failed, counted once"
    assert [b.blocker for b in e.explain(DCC, "C2", h(0x10), t(8)).blockers] == [ota.BlockerKind.ALREADY_ON_TARGET]
    assert (on_2_0(e, 4), on_2_0(e, 5), on_2_0(e, 8)) == (0, 1, 1)
    with pytest.raises(ota.BulkRejectedError, match="before its attempt was dispatched"):
        e.report_outcomes(CSP, t(8), campaign="C2", outcomes=[ota.OutcomeReport.read_back(h(0x10), "2.0", happened_at=t(2))])


def test_the_csps_inventory_read_back_outside_any_attempt() -> None:
    e = rolling()
    (ev,) = e.report_read_backs(CSP, t(6), readings=[ota.ReadBackReport(hub=h(0x11), firmware="2.0", happened_at=t(4))])
    assert ev.type == "read_backs_reported"
    assert e.hub(DCC, h(0x11)).firmware == "2.0"
    assert (on_2_0(e, 3), on_2_0(e, 4)) == (0, 1)
    with pytest.raises(ota.BulkRejectedError, match="not found"):
        e.report_read_backs(ota.Actor.csp(ota.Region.SOUTH), t(6), readings=[ota.ReadBackReport(hub=h(0x12), firmware="2.0")])
    with pytest.raises(ota.BulkRejectedError, match="not a version"):
        e.report_read_backs(CSP, t(6), readings=[ota.ReadBackReport(hub=h(0x12), firmware="7.7")])
    with pytest.raises(ota.BulkRejectedError, match="listed twice"):
        e.report_read_backs(CSP, t(6), readings=[ota.ReadBackReport(hub=h(0x12), firmware="2.0")] * 2)
    with pytest.raises(ota.NotPermittedError):
        e.report_read_backs(A, t(6), readings=[ota.ReadBackReport(hub=h(0x12), firmware="2.0")])
    with pytest.raises(ota.InvalidInputError):
        e.report_read_backs(CSP, t(6), readings=[])
    assert e.hub(DCC, h(0x12)).firmware == "1.1", "a refused report changes nothing"
