"""Pilots, consent, cut-offs, explain and the upgrade list through the Python binding."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import List

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
A, C, D = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-C"), ota.Actor.customer("SUP-D")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


@pytest.fixture
def engine() -> ota.Engine:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "pilot_c1.json").read_text()))
    return e


def test_nominations_explain_and_the_upgrade_list(engine: ota.Engine) -> None:
    events = engine.nominate_hubs(A, t(3), campaign="C1", hubs=[h(1), h(2), h(5)])
    assert events[0].payload["hubs"] == [h(1)]
    assert [r["hub"] for r in events[0].payload["refused"]] == [h(2), h(5)]
    with pytest.raises(ota.BulkRejectedError):
        engine.nominate_hubs(A, t(3), campaign="C1", hubs=[h(1)])
    with pytest.raises(ota.InvalidIdError):
        engine.nominate_hubs(A, t(3), campaign="C1", hubs=["nope"])
    engine.nominate_hubs(A, t(3), campaign="C1", hubs=[h(6)])
    x = engine.explain(A, "C1", h(6), t(3))
    assert not x.upgradeable
    assert x.blockers == [ota.Blocker.awaiting_consent(ota.SupplyRole.GAS, ota.Party.other_supplier())]
    assert engine.explain(ota.Actor.DCC, "C1", h(6), t(3)).blockers[0].by == ota.Party(ota.PartyKind.CUSTOMER, "SUP-C")
    assert engine.participation(C, "C1", "SUP-C", t(3)).other_supplier_consented == [h(6)]
    engine.approve_whole_estate(C, t(4), campaign="C1")
    page = engine.upgrade_list(ota.Actor.csp(ota.Region.NORTH), ota.Region.NORTH, t(4), limit=10)
    assert [e.hub for e in page.entries] == [h(1), h(6), h(5)] and page.entries[0].nominated
    with pytest.raises(ota.NotPermittedError):
        engine.upgrade_list(A, ota.Region.NORTH, t(4))
    with pytest.raises(ota.InvalidInputError):
        engine.upgrade_list(ota.Actor.DCC, ota.Region.NORTH, t(4), offset=-1)
    with pytest.raises(ota.InvalidInputError):
        engine.explain(A, "C1", h(6), datetime(2026, 1, 4))


def test_rejections_verdicts_and_the_mass_rollout_gate(engine: ota.Engine) -> None:
    engine.nominate_hubs(A, t(3), campaign="C1", hubs=[h(1)])
    engine.reject_hubs(A, t(3), campaign="C1", hubs=[h(7)], reason="site access")
    last = engine.explain(A, "C1", h(7), t(61)).blockers[-1]
    assert last == ota.Blocker.rejected(ota.SupplyRole.IMPORT, ota.Party.you(), "site access")
    engine.withdraw_rejections(A, t(3), campaign="C1", hubs=[h(7)])
    with pytest.raises(ota.PreconditionFailedError) as gate:
        engine.grant_mass_rollout_oa(ota.Actor.DCC, t(4), campaign="C1")
    assert gate.value.rule == "pilot_assessment" and "SUP-A" in gate.value.detail
    engine.record_pilot_verdict(A, t(5), campaign="C1", verdict=ota.PilotVerdict.issues_found("slow IHD reconnect"))
    assert engine.participation(ota.Actor.DCC, "C1", "SUP-A", t(5)).verdict == ota.PilotVerdict.issues_found("slow IHD reconnect")
    with pytest.raises(ota.InvalidInputError):
        engine.record_pilot_verdict(A, t(5), campaign="C1", verdict="fine")  # type: ignore[arg-type]
    # Issues found hold mass rollout until the DCC overrides with a reason (decision 24).
    with pytest.raises(ota.PreconditionFailedError, match="slow IHD reconnect"):
        engine.grant_mass_rollout_oa(ota.Actor.DCC, t(5), campaign="C1")
    engine.grant_mass_rollout_oa(ota.Actor.DCC, t(5), campaign="C1", override_reason="security fix")
    assert engine.campaign(ota.Actor.DCC, "C1").phase is ota.Phase.MASS_ROLLOUT
    assert len(engine.participations(ota.Actor.DCC, "C1", t(5))) == 4
    with pytest.raises(ota.NotPermittedError):
        engine.participations(A, "C1", t(5))


def test_proposals_policies_and_configuration_sets(engine: ota.Engine) -> None:
    proposal = engine.propose_pilot(A, "C1", 2, t(3), seed=7)
    assert len(proposal.hubs) == 2 and proposal == engine.propose_pilot(A, "C1", 2, t(3), seed=7)
    with pytest.raises(ota.InvalidInputError):
        engine.propose_pilot(A, "C1", -1, t(3))
    engine.create_campaign(ota.Actor.DCC, t(3), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60),
                           policy=ota.CampaignPolicy(pilot_cap_per_customer=1, min_assessment_days=3))
    cs = engine.hub(D, h(8)).configuration_set
    engine.approve_configuration_sets(D, t(3), campaign="C1", sets=[cs])
    assert [s.key for s in engine.participation(D, "C1", "SUP-D", t(3)).approved_configuration_sets] == [cs.key]
    engine.withdraw_configuration_set_approvals(D, t(4), campaign="C1", sets=[cs])
    with pytest.raises(ota.PreconditionFailedError):
        engine.withdraw_configuration_set_approvals(D, t(4), campaign="C1", sets=[cs])
    engine.approve_whole_estate(D, t(4), campaign="C1")
    engine.withdraw_whole_estate_approval(D, t(4), campaign="C1")
    engine.nominate_hubs(A, t(4), campaign="C1", hubs=[h(1)])
    engine.withdraw_nominations(A, t(4), campaign="C1", hubs=[h(1)])
    engine.reject_hubs(A, t(4), campaign="C1", hubs=[h(1)], reason="later")
    with pytest.raises(ota.NotPermittedError):
        engine.override_rejections(A, t(5), campaign="C1", hub=h(1), reason="mine")
    engine.override_rejections(ota.Actor.DCC, t(5), campaign="C1", hub=h(1), reason="urgent")
    assert engine.participation(A, "C1", "SUP-A", t(5)).rejected == []


def test_a_pilot_proposal_covers_as_many_sets_as_its_size_allows() -> None:
    """Issue 26: five large sets (2 super-friendly hubs and 20 others each) and 45 small ones (2
    hubs each): 40 hubs take the 10 super-friendly ones, then reach 30 sets they left out."""
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "two_regions.json").read_text()))
    models: List[str] = []
    friendly: List[bool] = []
    for big in range(5):
        models += [f"EM-B{big}"] * 22
        friendly += [True, True] + [False] * 20
    for small in range(45):
        models += [f"EM-S{small:02}"] * 2
        friendly += [False, False]
    k = len(models)
    e.load_estate(ota.Actor.DCC, t(0), {
        "id": [f"{1000 + i:016X}" for i in range(k)], "variant": ["CH-N-DB"] * k, "firmware": ["1.1"] * k,
        "smi_status": ["commissioned"] * k, "installed_on": ["2024-03-01"] * k, "commissioned_on": ["2024-03-02"] * k,
        "import_supplier": ["SUP-F"] * k, "import_super_friendly": friendly,
        "esme_model": models, "esme_firmware": ["1.0"] * k,
    })
    e.create_campaign(ota.Actor.DCC, t(1), campaign="C9", variant="CH-N-DB", target="2.0", cutoff=t(60))
    e.grant_pilot_oa(ota.Actor.DCC, t(2), campaign="C9")
    proposal = e.propose_pilot(ota.Actor.customer("SUP-F"), "C9", 40, t(5), seed=7)
    chosen = proposal.hubs
    assert len(chosen) == 40
    sets = {(e.hub(ota.Actor.DCC, h).configuration_set.devices.esme or ota.HanDevice("", "")).model for h in chosen}
    assert len(sets) == 35 and len([m for m in sets if m.startswith("EM-B")]) == 5
    # Weighed by hubs: the 5 large sets' 5 x 22 and 30 small sets' 30 x 2 of 200 candidates.
    assert (proposal.sets, proposal.sets_covered, proposal.coverage_bp) == (50, 35, 8500)
