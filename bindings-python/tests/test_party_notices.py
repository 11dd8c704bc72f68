"""Notices by the DCC and a CSP (decision 23, issue 26) from Python: addressed to the customers of
a campaign, a variant, a configuration set or by name; each recipient told only that it was
addressed; refusals as typed exceptions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import List

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
NORTH, SOUTH = ota.Actor.csp(ota.Region.NORTH), ota.Actor.csp(ota.Region.SOUTH)


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def pilot() -> ota.Engine:
    """two_regions.json and pilot_c1.json: C1 (north) in Pilot; SUP-A, SUP-B, SUP-C and SUP-D
    supply north hubs, SUP-C also the south's hub 04."""
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "pilot_c1.json").read_text()))
    return e


def party_notices(e: ota.Engine, who: str) -> List[ota.Notification]:
    return [n for n in e.notifications(ota.Actor.customer(who)).notifications
            if n.type == ota.NotificationType.PARTY_NOTICE]


def test_the_dcc_tells_a_campaigns_customers_and_each_sees_only_its_own_copy() -> None:
    e = pilot()
    (sent,) = e.send_notice(DCC, t(3), audience=ota.NoticeAudience.of_campaign("C1"),
                            title="Maintenance window", text="Dispatches pause on Saturday night.")
    assert sent.type == "notice_sent" and sent.payload["audience"] == {"to": "of_campaign", "campaign": "C1"}
    for who in ["SUP-A", "SUP-B", "SUP-C", "SUP-D"]:
        (n,) = party_notices(e, who)
        assert (n.sender, n.campaign, n.title, n.text) == ("dcc", "C1", "Maintenance window",
                                                          "Dispatches pause on Saturday night.")
        assert "SUP-" not in json.dumps(n.to_dict(), default=str)  # nobody else named


def test_a_csp_addresses_its_region_only() -> None:
    e = pilot()
    # Named: SUP-C has the south's hub 04, SUP-A none there, so only SUP-C is told.
    (sent,) = e.send_notice(SOUTH, t(3), audience=ota.NoticeAudience.named(["SUP-C", "SUP-A", "SUP-C"]),
                            title="South maintenance", text="Tonight.")
    assert sent.payload["audience"]["customers"] == ["SUP-A", "SUP-C"]
    assert [n.sender for n in party_notices(e, "SUP-C")] == ["csp:south"]
    assert party_notices(e, "SUP-A") == []
    # The north's campaign and variant do not exist to the south's CSP.
    with pytest.raises(ota.NotFoundError):
        e.send_notice(SOUTH, t(3), audience=ota.NoticeAudience.of_campaign("C1"), title="s", text="t")
    with pytest.raises(ota.NotFoundError):
        e.send_notice(SOUTH, t(3), audience=ota.NoticeAudience.of_variant("CH-N-DB"), title="s", text="t")
    # The north's CSP, to the customers on hub 08's configuration set: SUP-D and whoever shares it.
    hub8 = e.hub(DCC, "00-00-00-00-00-00-00-08").configuration_set
    e.send_notice(NORTH, t(4), audience=ota.NoticeAudience.on_set(hub8), title="s", text="t")
    (n,) = party_notices(e, "SUP-D")
    assert n.sender == "csp:north" and n.set == hub8


def test_refusals_are_typed() -> None:
    e = pilot()
    a = ota.Actor.customer("SUP-A")
    with pytest.raises(ota.NotPermittedError):
        e.send_notice(a, t(3), audience=ota.NoticeAudience.of_campaign("C1"), title="s", text="t")
    with pytest.raises(ota.InvalidInputError, match="title"):
        e.send_notice(DCC, t(3), audience=ota.NoticeAudience.of_campaign("C1"), title=" ", text="t")
    with pytest.raises(ota.InvalidInputError, match="text"):
        e.send_notice(DCC, t(3), audience=ota.NoticeAudience.of_campaign("C1"), title="s", text="x" * 4097)
    with pytest.raises(ota.InvalidInputError, match="audience.customers"):
        e.send_notice(DCC, t(3), audience=ota.NoticeAudience.named([]), title="s", text="t")
    with pytest.raises(ota.NotFoundError, match="SUP-Z"):
        e.send_notice(DCC, t(3), audience=ota.NoticeAudience.named(["SUP-Z"]), title="s", text="t")
    assert party_notices(e, "SUP-A") == []
