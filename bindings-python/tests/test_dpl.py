"""The Deployed Products List over time (decision 18, issue 25) from Python: as of a day and
for a range, scoped per party, with short labels; refusals as typed exceptions."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR as TESTS, given, rolling



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


def four_suppliers() -> ota.Engine:
    """The two-region fixture, then 5 900 north hubs on four sets (by ESME model): EM-A1 and
    EM-V1 held widely, EM-B2 by three suppliers, EM-D3 by SUP-D alone."""
    e = ota.Engine()
    given(e, json.loads((TESTS / "fixtures" / "two_regions.json").read_text()))
    load(e, 1, [(600, "SUP-A", "EM-A1"), (600, "SUP-B", "EM-A1"), (600, "SUP-C", "EM-A1"),
                (400, "SUP-A", "EM-V1"), (400, "SUP-B", "EM-V1"), (400, "SUP-C", "EM-V1"),
                (400, "SUP-D", "EM-V1"), (500, "SUP-A", "EM-B2"), (500, "SUP-B", "EM-B2"),
                (500, "SUP-C", "EM-B2"), (1000, "SUP-D", "EM-D3")])
    return e


def load(e: ota.Engine, day: int, groups: List[Tuple[int, str, str]]) -> None:
    ids: List[str] = []
    suppliers: List[str] = []
    esme: List[str] = []
    n = 1_000_000 * (day + 1)
    for count, supplier, model in groups:
        for _ in range(count):
            ids.append(f"{n:016X}")
            n += 1
        suppliers += [supplier] * count
        esme += [model] * count
    k = len(ids)
    e.load_estate(DCC, t(day), {
        "id": ids, "variant": ["CH-N-DB"] * k, "firmware": ["1.1"] * k,
        "smi_status": ["commissioned"] * k, "installed_on": ["2024-03-01"] * k,
        "commissioned_on": ["2024-03-02"] * k,
        "import_supplier": suppliers, "esme_model": esme, "esme_firmware": ["3.1"] * k,
        "ihd_model": ["IHD-X"] * k, "ihd_firmware": ["1.0"] * k,
    })


def bp(part: int, whole: int) -> int:
    """`part` of `whole` in basis points, to the nearest half point."""
    return int(round(part * 10_000 / whole / 50)) * 50


def north(days: List[ota.SharesDay], day: int) -> Tuple[date, List[Tuple[str, int]], Optional[int]]:
    (v,) = [v for x in days if x.day == d(day) for v in x.variants if v.variant == "CH-N-DB"]
    models = [(s.configuration_set.devices.esme.model if s.configuration_set.devices.esme else "", s.share_bp)
              for s in v.sets]
    return v.as_of, models, v.other_bp


def test_customers_see_industry_shares_only_where_disclosed() -> None:
    e = four_suppliers()
    days = e.industry_shares(A, d(1), d(1))
    as_of, sets, other = north(days, 1)
    # Hub 03 of the fixture is on EM-A1's set; hubs 01 and 02 on sets of their own. EM-D3 has
    # one supplier, so it and the fixture's two go to "other", which then needs EM-B2 too.
    whole = 1801 + 1600 + 1500 + 1000 + 2
    assert as_of == d(1)
    assert sets == [("EM-A1", bp(1801, whole)), ("EM-V1", bp(1600, whole))]
    assert other == bp(2502, whole)
    assert all(s % 50 == 0 for _, s in sets)
    # The same for every party; nothing before the hubs came.
    assert e.industry_shares(ota.Actor.customer("SUP-D"), d(1), d(1)) == days
    assert e.industry_shares(A, d(0), d(0))[0].variants == []
    # SUP-D alone adds 600 hubs: the shares shown do not move.
    load(e, 2, [(600, "SUP-D", "EM-D3")])
    assert north(e.industry_shares(A, d(1), d(2)), 2) == (as_of, sets, other)
    assert e.industry_trends(A, d(2)) == []
    # Four suppliers add hubs on EM-D3: EM-A1's share falls, and SUP-A, which runs it, is told.
    load(e, 3, [(400, "SUP-A", "EM-D3"), (400, "SUP-B", "EM-D3"), (400, "SUP-C", "EM-D3")])
    trends = e.industry_trends(A, d(3))
    models = [(t.leaving.configuration_set.devices.esme, t.rising.configuration_set.devices.esme) for t in trends]
    assert [(l.model, r.model) for l, r in models if l and r] == [("EM-A1", "EM-D3"), ("EM-V1", "EM-D3")]
    assert all(t.leaving.from_bp - t.leaving.to_bp >= 200 and t.rising.to_bp > t.rising.from_bp for t in trends)
    assert all((t.from_, t.to) == (d(1), d(3)) for t in trends)
    with pytest.raises(ota.InvalidInputError, match="to"):
        e.industry_shares(A, d(2), d(1))
    with pytest.raises(ota.InvalidInputError, match="days"):
        e.industry_shares(A, d(0), d(0) + timedelta(days=3660))


def test_the_deadline_check_tells_customers_once_of_the_sets_the_industry_is_leaving() -> None:
    e = four_suppliers()
    load(e, 3, [(400, "SUP-A", "EM-D3"), (400, "SUP-B", "EM-D3"), (400, "SUP-C", "EM-D3"),
                (600, "SUP-D", "EM-D3")])
    # SUP-A's rule on the trigger: its EM-A1 hubs first in the CSP's lists.
    e.save_rule(A, t(3), ota.RuleSpec("first off EM-A1", ota.RuleTrigger.industry_trend(),
                                      ota.RuleAction.prioritise(), condition='esme.model == "EM-A1"'))
    with pytest.raises(ota.NotPermittedError, match="industry_trend"):
        e.save_rule(DCC, t(3), ota.RuleSpec("told", ota.RuleTrigger.industry_trend(),
                                            ota.RuleAction.notify("moving")))
    assert e.check_deadlines(DCC, t(3)) == []  # day 2, the last whole day, moved nothing
    events = e.check_deadlines(DCC, t(4))
    assert [x.type for x in events] == ["industry_trends_noticed", "rule_acted"]
    noticed, acted = events
    assert noticed.actor == "system" and noticed.payload["on"] == d(3).isoformat()
    told = sorted((n["customer"], n["trend"]["leaving"]["configuration_set"]["devices"]["esme"]["model"])
                  for n in noticed.payload["notices"])
    assert ("SUP-A", "EM-A1") in told and ("SUP-D", "EM-V1") in told
    assert ("SUP-D", "EM-A1") not in told  # SUP-D runs no EM-A1 hub
    assert acted.actor == "customer:SUP-A" and acted.payload["trigger"] == "industry_trend"
    assert acted.payload["act"]["act"] == "prioritised"
    # Each customer's notices: shares only, the trends its own query gives.
    for who in ["SUP-A", "SUP-B", "SUP-C", "SUP-D"]:
        me = ota.Actor.customer(who)
        notes = [n.trend for n in e.notifications(me).notifications
                 if n.type == ota.NotificationType.INDUSTRY_TREND]
        assert notes == e.industry_trends(me, d(3)) and notes, who
        assert all(n.leaving.from_bp > n.leaving.to_bp for n in notes if n)
    assert not [n for n in e.notifications(DCC).notifications if n.type == ota.NotificationType.INDUSTRY_TREND]
    # Once per set and window.
    assert e.check_deadlines(DCC, t(5)) == []


def test_the_history_and_the_shares_as_arrow() -> None:
    pl = pytest.importorskip("polars")
    e = four_suppliers()
    hist = pl.DataFrame(e.query_arrow(A, {"name": "dpl_history", "customer": "SUP-A", "from": d(0), "to": d(2)}))
    assert hist.columns == ["day", "configuration_set", "label", "hubs"]
    typed = e.dpl_history(A, d(0), d(2), customer="SUP-A")
    assert hist["hubs"].to_list() == [x.hubs for day in typed for x in day.sets]
    assert hist["day"].to_list() == [day.day for day in typed for _ in day.sets]
    shares = pl.DataFrame(e.query_arrow(A, {"name": "industry_shares", "from": d(1), "to": d(1)}))
    assert shares.columns == ["day", "variant", "as_of", "configuration_set", "label", "share_bp"]
    _, sets, other = north(e.industry_shares(A, d(1), d(1)), 1)
    assert shares["share_bp"].to_list() == [s for _, s in sets] + [other]
    assert shares["label"].to_list()[-1] == "other"
    assert shares["configuration_set"].null_count() == 1
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(A, {"name": "dpl_history", "from": d(0), "to": d(2)})
