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
    # The DCC takes back customer testing of 1.1: the gates after it go too, and testing reopens.
    e.withdraw_gate(DCC, t(5), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED, reason="retest")
    fw = {f.version: f for f in e.firmware_versions(B, "CH-N-DB")}["1.1"]
    assert [g.gate for g in fw.gates] == [ota.Gate.CSP_APPROVED, ota.Gate.DCC_TEST_APPROVED]
    assert fw.withdrawals[0].by == "dcc"
    assert [(f.round, f.current) for f in fw.test_feedback] == [(0, False)]  # SUP-B's, of the round before
    with pytest.raises(ota.PreconditionFailedError, match="not recorded"):
        e.withdraw_gate(DCC, t(5), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED, reason="again")
    # No feedback this round yet: the DCC closes it only with its reason.
    with pytest.raises(ota.InvalidInputError, match="no customer has given testing feedback") as err:
        e.record_gate(DCC, t(6), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED)
    assert err.value.field == "note"
    e.record_test_feedback(B, t(6), variant="CH-N-DB", version="1.1", result=ota.TestResult.PASSED, feedback="retested")
    # Even on passes the DCC says on what evidence: a bare closing would tell others someone tested.
    with pytest.raises(ota.InvalidInputError, match="with a note saying on what evidence"):
        e.record_gate(DCC, t(6), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED)
    e.record_gate(DCC, t(6), variant="CH-N-DB", version="1.1", gate=ota.Gate.CUSTOMER_TESTED, note="passed on retest")


def feedback(e: ota.Engine, actor: str, result: ota.TestResult, text: str, version: str = "3.0") -> list[ota.Event]:
    return e.record_test_feedback(actor, t(4), variant="CH-N-DB", version=version, result=result, feedback=text)


def test_customer_testing_is_given_per_customer_and_closed_by_the_dcc() -> None:
    e = pilot()
    north = ota.Actor.csp(ota.Region.NORTH)
    e.register_firmware(north, t(3), variant="CH-N-DB", version="3.0", upgrades_from=["2.0"])
    e.record_gate(north, t(3), variant="CH-N-DB", version="3.0", gate=ota.Gate.CSP_APPROVED)
    with pytest.raises(ota.PreconditionFailedError, match="dcc_test_approved is not recorded yet") as early:
        feedback(e, A, ota.TestResult.PASSED, "fine")
    assert early.value.rule == "gate_order"
    e.record_gate(DCC, t(3), variant="CH-N-DB", version="3.0", gate=ota.Gate.DCC_TEST_APPROVED)
    # A customer gives feedback, it does not close the gate; the DCC and CSPs give none.
    with pytest.raises(ota.NotPermittedError, match="record_test_feedback"):
        e.record_gate(A, t(4), variant="CH-N-DB", version="3.0", gate=ota.Gate.CUSTOMER_TESTED, note="fine")
    for actor in (DCC, north):
        with pytest.raises(ota.NotPermittedError):
            feedback(e, actor, ota.TestResult.PASSED, "fine")
    # Only a customer with hubs of the variant (SUP-E supplies none).
    with pytest.raises(ota.NotPermittedError, match="SUP-E supplies no hub of variant CH-N-DB"):
        feedback(e, ota.Actor.customer("SUP-E"), ota.TestResult.PASSED, "fine")
    with pytest.raises(ota.NotFoundError, match="CH-N-DB@9.9"):
        feedback(e, A, ota.TestResult.PASSED, "fine", version="9.9")
    with pytest.raises(ota.InvalidInputError) as blank:
        feedback(e, A, ota.TestResult.PASSED, "  ")
    assert blank.value.field == "feedback"
    with pytest.raises(ota.InvalidInputError) as long:
        feedback(e, A, ota.TestResult.PASSED, "x" * 100_000)
    assert long.value.field == "feedback"
    (ev,) = feedback(e, A, ota.TestResult.PASSED, "40 rigs, no HAN issues")
    assert ev.type == "test_feedback_recorded"
    with pytest.raises(ota.PreconditionFailedError, match="SUP-A gave its feedback in this testing round") as twice:
        feedback(e, A, ota.TestResult.PASSED, "again")
    assert twice.value.rule == "no_change"
    feedback(e, B, ota.TestResult.ISSUES_FOUND, "IHD drops pairing")
    # Each party sees what it may: the DCC every customer, the CSP results unnamed, a customer its own.
    def seen(actor: str) -> list[tuple[str | None, ota.TestResult]]:
        fw = {f.version: f for f in e.firmware_versions(actor, "CH-N-DB")}["3.0"]
        return [(f.customer, f.result) for f in fw.test_feedback]
    assert seen(DCC) == [("SUP-A", ota.TestResult.PASSED), ("SUP-B", ota.TestResult.ISSUES_FOUND)]
    assert seen(north) == [(None, ota.TestResult.PASSED), (None, ota.TestResult.ISSUES_FOUND)]
    assert seen(A) == [("SUP-A", ota.TestResult.PASSED)]
    assert seen(ota.Actor.customer("SUP-C")) == []
    # Over SUP-B's issues the DCC closes only with its reason.
    with pytest.raises(ota.InvalidInputError, match="SUP-B found issues testing 3.0"):
        e.record_gate(DCC, t(5), variant="CH-N-DB", version="3.0", gate=ota.Gate.CUSTOMER_TESTED)
    e.record_gate(DCC, t(5), variant="CH-N-DB", version="3.0", gate=ota.Gate.CUSTOMER_TESTED,
                  note="the pairing loss is the IHD's, fixed in IHD 1.1")
    with pytest.raises(ota.PreconditionFailedError, match="the DCC has closed customer_tested"):
        feedback(e, ota.Actor.customer("SUP-C"), ota.TestResult.PASSED, "late")


def test_the_default_assessment_period_is_two_weeks() -> None:
    assert ota.CampaignPolicy().min_assessment_days == 14
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "two_regions.json").read_text()))
    e.create_campaign(DCC, t(1), campaign="C9", variant="CH-N-DB", target="2.0", cutoff=t(60))
    e.grant_pilot_oa(DCC, t(2), campaign="C9")
    with pytest.raises(ota.PreconditionFailedError, match="the assessment period, which ends 2026-01-17") as err:
        e.grant_mass_rollout_oa(DCC, t(15), campaign="C9")
    assert err.value.rule == "pilot_assessment"
    e.grant_mass_rollout_oa(DCC, t(16), campaign="C9")
    assert e.campaign(DCC, "C9").phase == ota.Phase.MASS_ROLLOUT
