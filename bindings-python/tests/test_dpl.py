"""The Deployed Products List over time (decision 18, issue 25) from Python: as of a day and
for a range, scoped per party, with short labels; refusals as typed exceptions."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
CSP = ota.Actor.csp(ota.Region.NORTH)
DCC = ota.Actor.DCC
A = ota.Actor.customer("SUP-A")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def d(day: int) -> date:
    return t(day).date()


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def upgrade(e: ota.Engine, n: int, day: int) -> None:
    hub = h(n)
    outcomes = [ota.OutcomeReport.dispatched(hub), ota.OutcomeReport.delivered(hub),
                ota.OutcomeReport.activated(hub), ota.OutcomeReport.read_back(hub, "2.0")]
    e.report_outcomes(CSP, t(day), campaign="C2", outcomes=outcomes)


def test_the_history_keeps_each_day_and_today_is_the_list_worked_out_now() -> None:
    e = rolling()
    before = e.dpl(A, d(2), customer="SUP-A")
    upgrade(e, 0x10, 3)
    after = e.dpl(A, d(3), customer="SUP-A")
    assert e.dpl(A, d(2), customer="SUP-A") == before  # the past stays
    assert after != before
    now = {c.configuration_set.key: c.hubs for c in e.configuration_sets(A, customer="SUP-A")}
    assert {x.configuration_set.key: x.hubs for x in after} == now
    assert len({x.label for x in after}) == len(after)  # one label a set
    assert after[0].label.startswith("CH N DB ") and after[0].hubs >= after[-1].hubs
    days = e.dpl_history(DCC, d(1), d(3))
    assert [x.day for x in days] == [d(1), d(2), d(3)]
    assert days[2].sets == e.dpl(DCC, d(3))


def test_each_party_reads_its_scope_and_refusals_are_typed() -> None:
    e = rolling()
    north = e.dpl(CSP, d(2))
    assert north and all(x.configuration_set.variant == "CH-N-DB" for x in north)
    with pytest.raises(ota.NotPermittedError):
        e.dpl(A, d(2))  # the industry's volumes are the DCC's
    with pytest.raises(ota.NotPermittedError):
        e.dpl(A, d(2), customer="SUP-D")
    with pytest.raises(ota.InvalidInputError, match="to"):
        e.dpl_history(DCC, d(3), d(2))
    with pytest.raises(ota.InvalidInputError, match="days"):
        e.dpl_history(DCC, d(0), d(0) + timedelta(days=3660))  # ten years and a day
