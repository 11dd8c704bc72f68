"""The CSP administers its pilot and the DCC changes a live policy (decision 23, issue 26) from
Python: the CSP's pilot pacing within the policy, its pauses of its own dispatches, the DCC's
policy change with its history and explanation; refusals as typed exceptions."""

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
A, C, D = (ota.Actor.customer(s) for s in ("SUP-A", "SUP-C", "SUP-D"))
HUB_01, HUB_08 = "00-00-00-00-00-00-00-01", "00-00-00-00-00-00-00-08"


def t(day: int, hour: int = 9) -> datetime:
    return T0.replace(hour=hour) + timedelta(days=day)


def pilot() -> ota.Engine:
    """pilot_c1.json (C1 north in Pilot from day 2), every north supplier approving its whole
    estate: hub 01 (SUP-A) and hub 08 (SUP-D) are upgradeable."""
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "pilot_c1.json").read_text()))
    for who in (A, C, D):
        e.approve_whole_estate(who, t(2), campaign="C1")
    return e


def kinds(e: ota.Engine, who: str) -> List[ota.NotificationType]:
    return [n.type for n in e.notifications(who).notifications]


def blocker_kinds(e: ota.Engine, who: str, hub: str, at: datetime) -> List[ota.BlockerKind]:
    return [b.blocker for b in e.explain(who, "C1", hub, at).blockers]


def test_the_csp_paces_its_pilot_within_the_policy() -> None:
    e = pilot()
    window = ota.DispatchWindow(from_hour=10, to_hour=16)
    (ev,) = e.set_pilot_pacing(NORTH, t(3), campaign="C1",
                               pacing=ota.PilotPacing(daily_cap=1, window=window))
    assert ev.type == "pilot_pacing_set"
    # Before 10:00 every hub waits for the window; inside it, the cap of one holds the rest.
    assert blocker_kinds(e, A, HUB_01, t(3, 9)) == [ota.BlockerKind.OUTSIDE_DISPATCH_WINDOW]
    assert e.explain(A, "C1", HUB_01, t(3, 11)).upgradeable
    assert e.upgrade_list(NORTH, ota.Region.NORTH, t(3, 11)).total == 1
    view = e.campaign(A, "C1")
    assert view.pilot_pacing == ota.PilotPacing(daily_cap=1, window=window)
    assert view.history[-1].change.type == ota.CampaignChangeKind.PILOT_PACING_SET
    assert ota.NotificationType.PILOT_PACING_SET in kinds(e, D)
    # Within the policy only: once the DCC caps the campaign at 2, the CSP cannot set 3.
    e.change_campaign_policy(DCC, t(3), campaign="C1", reason="teams short",
                             policy=ota.CampaignPolicy(pilot_cap_per_customer=3, min_assessment_days=7,
                                                       pacing=ota.Pacing(daily_cap=2)))
    with pytest.raises(ota.InvalidInputError, match="above the campaign policy's daily cap of 2"):
        e.set_pilot_pacing(NORTH, t(4), campaign="C1", pacing=ota.PilotPacing(daily_cap=3))
    with pytest.raises(ota.InvalidInputError, match="window"):
        e.set_pilot_pacing(NORTH, t(4), campaign="C1",
                           pacing=ota.PilotPacing(window=ota.DispatchWindow(from_hour=9, to_hour=9)))
    with pytest.raises(ota.NotPermittedError):
        e.set_pilot_pacing(A, t(4), campaign="C1", pacing=ota.PilotPacing(daily_cap=1))
    with pytest.raises(ota.NotFoundError):
        e.set_pilot_pacing(SOUTH, t(4), campaign="C1", pacing=ota.PilotPacing(daily_cap=1))
    with pytest.raises(ota.PreconditionFailedError):
        e.set_pilot_pacing(NORTH, t(4), campaign="C1",
                           pacing=ota.PilotPacing(daily_cap=1, window=window))


def test_the_csp_pauses_its_own_dispatches_and_only_the_suppliers_on_the_set_are_told() -> None:
    e = pilot()
    set_08 = e.hub(DCC, HUB_08).configuration_set
    (ev,) = e.halt_upgrades(NORTH, t(3), campaign="C1", set=set_08, reason="field team stood down")
    assert ev.type == "dispatches_paused"
    assert blocker_kinds(e, D, HUB_08, t(3)) == [ota.BlockerKind.PAUSED_BY_CSP]
    assert e.explain(A, "C1", HUB_01, t(3)).upgradeable
    # SUP-C and SUP-D supply hubs on the set; SUP-A does not, and hears nothing of it.
    assert ota.NotificationType.CSP_PAUSE in kinds(e, D)
    assert ota.NotificationType.CSP_PAUSE in kinds(e, C)
    assert ota.NotificationType.CSP_PAUSE not in kinds(e, A)
    with pytest.raises(ota.PreconditionFailedError, match="already paused"):
        e.halt_upgrades(NORTH, t(3), campaign="C1", set=set_08, reason="again")
    # A whole-campaign pause blocks every hub until the CSP resumes it.
    e.halt_upgrades(NORTH, t(3), campaign="C1", reason="network maintenance")
    assert blocker_kinds(e, A, HUB_01, t(3)) == [ota.BlockerKind.PAUSED_BY_CSP]
    e.resume_upgrades(NORTH, t(4), campaign="C1")
    e.resume_upgrades(NORTH, t(4), campaign="C1", set=set_08)
    assert e.explain(D, "C1", HUB_08, t(4)).upgradeable
    with pytest.raises(ota.PreconditionFailedError):
        e.resume_upgrades(NORTH, t(4), campaign="C1")
    # A halt by the DCC is the DCC's to resume.
    e.halt_upgrades(DCC, t(4), campaign="C1", set=set_08, reason="triage")
    with pytest.raises(ota.NotPermittedError, match="only the DCC resumes it"):
        e.resume_upgrades(NORTH, t(4), campaign="C1", set=set_08)
    with pytest.raises(ota.NotFoundError):
        e.halt_upgrades(SOUTH, t(4), campaign="C1", reason="not mine")


def test_the_dcc_changes_a_live_policy_with_a_reason_and_explain_names_it() -> None:
    e = pilot()
    policy = ota.CampaignPolicy(pilot_cap_per_customer=3, min_assessment_days=7, max_attempts=5,
                                pacing=ota.Pacing(daily_cap=10))
    (ev,) = e.change_campaign_policy(DCC, t(3), campaign="C1", policy=policy, reason="winter load")
    assert ev.type == "campaign_policy_changed"
    view = e.campaign(A, "C1")
    assert view.policy == policy
    change = view.history[-1].change
    assert change.type == ota.CampaignChangeKind.POLICY_CHANGED
    assert change.changed == ["max_attempts", "pacing"] and change.reason == "winter load"
    note = e.explain(D, "C1", HUB_08, t(3)).policy_changed
    assert note is not None and note.changed == ["max_attempts", "pacing"] and note.at == t(3)
    told = [n for n in e.notifications(C).notifications if n.type == ota.NotificationType.POLICY_CHANGED]
    assert [n.changed for n in told] == [["max_attempts", "pacing"]]
    with pytest.raises(ota.PreconditionFailedError, match="already that"):
        e.change_campaign_policy(DCC, t(3), campaign="C1", policy=policy, reason="again")
    with pytest.raises(ota.InvalidInputError, match="policy.max_attempts"):
        e.change_campaign_policy(DCC, t(3), campaign="C1", reason="x",
                                 policy=ota.CampaignPolicy(max_attempts=0))
    with pytest.raises(ota.InvalidInputError, match="reason"):
        e.change_campaign_policy(DCC, t(3), campaign="C1", reason=" ", policy=ota.CampaignPolicy())
    for who in (NORTH, A):
        with pytest.raises(ota.NotPermittedError):
            e.change_campaign_policy(who, t(3), campaign="C1", reason="x", policy=ota.CampaignPolicy())
    with pytest.raises(ota.NotFoundError):
        e.change_campaign_policy(DCC, t(3), campaign="C9", reason="x", policy=ota.CampaignPolicy())
