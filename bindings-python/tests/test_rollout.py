"""Upgrade outcomes, health reports, halts, pacing, defect flags, notifications and status views
through the Python binding (issue 5)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import List

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given, rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
A, D, E = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-D"), ota.Actor.customer("SUP-E")
CSP = ota.Actor.csp(ota.Region.NORTH)
DCC = ota.Actor.DCC


def t(day: int, hour: int = 9) -> datetime:
    return T0 + timedelta(days=day, hours=hour - 9)


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def ok_rows(n: int) -> List[ota.OutcomeReport]:
    return [ota.OutcomeReport(h(n), ota.Outcome.DISPATCHED), ota.OutcomeReport(h(n), ota.Outcome.DELIVERED),
            ota.OutcomeReport(h(n), ota.Outcome.ACTIVATED), ota.OutcomeReport.read_back(h(n), "2.0")]


def fail_rows(n: int) -> List[ota.OutcomeReport]:
    return [ota.OutcomeReport(h(n), ota.Outcome.DISPATCHED), ota.OutcomeReport(h(n), ota.Outcome.DELIVERY_FAILED, reason="no ack")]


def set_of(e: ota.Engine, n: int) -> ota.ConfigurationSet:
    return e.hub(DCC, h(n)).configuration_set


def test_outcomes_change_firmware_only_on_a_matching_read_back() -> None:
    e = rolling(ota.CampaignPolicy())
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=ok_rows(0x10)[:3])
    assert e.hub(DCC, h(0x10)).firmware == "1.1"
    assert e.explain(DCC, "C2", h(0x10), t(3)).blockers == [ota.Blocker(ota.BlockerKind.UPGRADE_IN_FLIGHT, state=ota.UpgradeState.ACTIVATED)]
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport.read_back(h(0x10), "2.0")])
    assert e.hub(DCC, h(0x10)).firmware == "2.0"
    with pytest.raises(ota.BulkRejectedError) as err:
        e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport(h(0x11), ota.Outcome.DELIVERED),
                                                              ota.OutcomeReport(h(0x12), ota.Outcome.ACTIVATED)])
    assert [row for row, _ in err.value.rows] == [0, 1] and "never dispatched" in err.value.rows[0][1]
    with pytest.raises(ota.NotPermittedError):
        e.report_outcomes(A, t(3), campaign="C2", outcomes=ok_rows(0x11))
    # To another region's CSP the campaign does not exist.
    with pytest.raises(ota.NotFoundError):
        e.report_outcomes(ota.Actor.csp(ota.Region.SOUTH), t(3), campaign="C2", outcomes=ok_rows(0x11))
    with pytest.raises(ota.NotFoundError):
        e.report_outcomes(CSP, t(3), campaign="C9", outcomes=ok_rows(0x11))
    with pytest.raises(ota.InvalidIdError):
        e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport("not-a-hub", ota.Outcome.DISPATCHED)])
    with pytest.raises(ota.InvalidInputError):
        e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[{"hub": h(0x11)}])  # type: ignore[list-item]
    with pytest.raises(ota.InvalidInputError):
        e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[])
    with pytest.raises(ota.InvalidInputError):
        e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport(h(0x11), "exploded")])  # type: ignore[arg-type]
    with pytest.raises(ota.InvalidInputError):
        e.report_han_health(A, t(3), campaign="C2", reports=[ota.HealthReport(h(0x10), "meh")])  # type: ignore[arg-type]


def test_no_response_times_out_at_the_deadline_and_the_supplier_is_told() -> None:
    e = rolling(ota.CampaignPolicy(reconciliation_timeout_hours=24))
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport(h(0x11), ota.Outcome.DISPATCHED),
                                                          ota.OutcomeReport(h(0x11), ota.Outcome.NO_RESPONSE)])
    assert e.check_deadlines(DCC, t(3, 18)) == []
    events = e.check_deadlines(DCC, t(4))
    assert events[0].type == "reconciliation_timed_out" and events[0].payload["hubs"] == [h(0x11)]
    with pytest.raises(ota.NotPermittedError):
        e.check_deadlines(A, t(4))
    summaries = [n.fields for n in e.notifications(A).notifications if n.type == "outcomes_summary"]
    assert summaries[-1]["timed_out"] == 1


def test_a_configuration_set_halts_automatically_and_only_the_dcc_resumes_it() -> None:
    e = rolling(ota.CampaignPolicy(halt=ota.HaltPolicy(50.0, 3)))
    rows = fail_rows(0x10) + fail_rows(0x11) + ok_rows(0x12) + ok_rows(0x16)
    events = e.report_outcomes(CSP, t(3), campaign="C2", outcomes=rows)
    assert [ev.type for ev in events] == ["outcomes_reported", "configuration_set_halted"]
    assert events[1].payload["figures"]["failures"] == 2
    x = set_of(e, 0x13)
    with pytest.raises(ota.NotPermittedError):
        e.resume_upgrades(CSP, t(4), campaign="C2", set=x)
    with pytest.raises(ota.PreconditionFailedError):
        e.resume_upgrades(A, t(4), campaign="C2", set=x)
    e.resume_upgrades(DCC, t(4), campaign="C2", set=x)
    assert e.explain(CSP, "C2", h(0x13), t(4)).upgradeable
    with pytest.raises(ota.InvalidInputError):
        e.create_campaign(DCC, t(4), campaign="C3", variant="CH-N-DB", target="2.0", cutoff=t(59),
                          policy=ota.CampaignPolicy(halt=ota.HaltPolicy(150.0, 3)))


def test_holds_health_reports_and_status_views() -> None:
    e = rolling(ota.CampaignPolicy())
    e.halt_upgrades(A, t(3), campaign="C2", reason="our own checks")
    blockers = e.explain(E, "C2", h(0x20), t(3)).blockers
    assert ota.Blocker.held_by_supplier(ota.Party.other_supplier()) in blockers
    with pytest.raises(ota.InvalidInputError):
        e.halt_upgrades(DCC, t(3), campaign="C2", reason="no set")
    e.resume_upgrades(A, t(3), campaign="C2")
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=ok_rows(0x10) + fail_rows(0x11))
    e.report_han_health(A, t(4), campaign="C2", reports=[ota.HealthReport(h(0x10), ota.HanHealth.DEVICE_LOST_CONTACT, device=ota.HanDeviceKind.IHD)])
    with pytest.raises(ota.BulkRejectedError):
        e.report_han_health(D, t(4), campaign="C2", reports=[ota.HealthReport(h(0x10), ota.HanHealth.ALL_FINE)])
    issues = [n for n in e.notifications(CSP).notifications if n.type == "han_health_issue"]
    assert len(issues) == 1 and "customer" not in issues[0].fields
    status = e.pilot_status(DCC, "C2")
    assert status.total.succeeded == 1 and status.total.failed == 1 and status.total.health_issues == 1
    assert [r.customer for r in status.rows] == ["SUP-A"]
    assert e.pilot_status(CSP, "C2").rows[0].customer is None
    assert e.pilot_status(D, "C2").rows == []
    progress = e.campaign_progress(DCC, "C2", t(4))
    x = next(p for p in progress if p.set == set_of(e, 0x12))
    assert (x.succeeded, x.failed) == (1, 1) and x.eligible == x.upgradeable_now + x.awaiting_consent + x.blocked
    by_fw = {(f.version, f.hubs) for f in e.estate_by_firmware(A, "SUP-A")}
    assert ("2.0", 1) in by_fw
    with pytest.raises(ota.NotPermittedError):
        e.estate_by_firmware(A)
    with pytest.raises(ota.NotPermittedError):
        e.estate_by_firmware(CSP, "SUP-A")


def test_defect_flags_pacing_and_acknowledgements() -> None:
    pacing = ota.Pacing(daily_cap=2, ramp_factor=2.0, blackouts=[ota.Blackout.weekly(ota.Weekday.SUNDAY, 0, 24),
                                                                 ota.Blackout.dates(date(2026, 2, 1), date(2026, 2, 2))])
    e = rolling(ota.CampaignPolicy(pacing=pacing))
    assert e.upgrade_list(CSP, ota.Region.NORTH, t(3)).total == 0  # Sunday
    page = e.upgrade_list(CSP, ota.Region.NORTH, t(4))
    assert (page.total, page.held_back_by_pacing) == (2, 9)
    subject = ota.DefectSubject.configuration_set(set_of(e, 0x10))
    e.flag_defect(A, t(4), subject=subject, text="IHD pairing", suspend_own=True)
    flags = e.defect_flags(D)
    assert len(flags) == 1 and flags[0].flagged_by is None and flags[0].subject is ota.DefectSubjectKind.CONFIGURATION_SET
    flag = flags[0].flag
    assert flag > 1000  # a digest of the flag, not a count of everyone's flags
    assert e.defect_flags(E) == []
    # Another's flag answers exactly as one that does not exist.
    with pytest.raises(ota.NotFoundError):
        e.lift_defect_suspension(D, t(4), flag=flag)
    with pytest.raises(ota.NotFoundError):
        e.lift_defect_suspension(A, t(4), flag=flag + 1)
    e.lift_defect_suspension(A, t(4), flag=flag)
    with pytest.raises(ota.InvalidInputError):
        e.flag_defect(A, t(4), subject="set X", text="x")  # type: ignore[arg-type]
    inbox = e.notifications(D)
    assert [n.type for n in inbox.notifications] == ["phase_changed", "defect_flagged"]
    e.acknowledge_notifications(D, t(4), up_to=inbox.notifications[0].id)
    assert [n.type for n in e.notifications(D).notifications] == ["defect_flagged"]
    with pytest.raises(ota.PreconditionFailedError):
        e.acknowledge_notifications(D, t(4), up_to=1)
    with pytest.raises(ota.InvalidInputError):
        e.acknowledge_notifications(D, t(4), up_to=99)
    with pytest.raises(ota.InvalidInputError):
        e.notifications(D, limit=0)
    replayed_events = e.events()
    assert replayed_events[-1].type == "notifications_acknowledged"


def test_the_synthetic_estate_is_the_cores_and_loads_as_given() -> None:
    catalogue, columns = ota.synthetic_estate(1000, 7)
    keys = columns.pop("config_key")
    assert len({len(v) for v in columns.values()}) == 1 and len(keys) == 1000
    e = ota.Engine()
    for actor, command in catalogue:
        e.execute(actor, T0, command)
    e.load_estate(DCC, T0, columns)
    assert e.hub_count == 1000
    assert e.hub(DCC, columns["id"][0]).configuration_set.key == keys[0]
    assert ota.synthetic_estate(1000, 7)[1]["id"] == columns["id"], "deterministic from the seed"
    with pytest.raises(ota.InvalidInputError):
        ota.synthetic_estate(0)


def test_a_flagger_resolves_its_flag_and_those_told_of_it_are_told_how_it_closed() -> None:
    e = rolling()
    subject = ota.DefectSubject.firmware("CH-N-DB", "2.0")
    flag = e.flag_defect(A, t(4), subject=subject, text="IHD pairing", named=False, suspend_own=True)[0].payload["flag"]
    assert e.explain(A, "C2", h(0x10), t(4)).blockers[0].blocker == ota.BlockerKind.SUSPENDED_BY_DEFECT_FLAG
    (closed,) = e.withdraw_defect_flag(A, t(5), flag=flag, closure=ota.FlagClosure.RESOLVED, note="fixed in 2.0.1")
    assert closed.payload["closure"] == "resolved" and closed.payload["subject"]["subject"] == "firmware"
    assert e.explain(A, "C2", h(0x10), t(5)).upgradeable, "the suspension lifts with the flag"
    told = [n for n in e.notifications(D).notifications if n.type == ota.NotificationType.DEFECT_FLAG_CLOSED]
    assert [(n.flag, n.closure, n.note, n.flagged_by) for n in told] == [(flag, ota.FlagClosure.RESOLVED, "fixed in 2.0.1", None)]
    dcc = [n for n in e.notifications(DCC).notifications if n.type == ota.NotificationType.DEFECT_FLAG_CLOSED]
    assert [n.flagged_by for n in dcc] == ["SUP-A"]
    again = e.flag_defect(A, t(6), subject=subject, text="again")[0].payload["flag"]
    with pytest.raises(ota.InvalidInputError, match="note"):
        e.withdraw_defect_flag(A, t(6), flag=again, note=" ")


def test_a_flagger_withdraws_its_flag_and_open_flags_are_bounded() -> None:
    e = rolling()
    subject = ota.DefectSubject.firmware("CH-N-DB", "2.0")
    flag = e.flag_defect(A, t(4), subject=subject, text="IHD pairing")[0].payload["flag"]
    with pytest.raises(ota.NotFoundError):
        e.withdraw_defect_flag(ota.Actor.customer("SUP-D"), t(4), flag=flag)
    events = e.withdraw_defect_flag(A, t(4), flag=flag)
    assert [x.type for x in events] == ["defect_flag_withdrawn"]
    assert all(d.flag != flag for d in e.defect_flags(ota.Actor.DCC))
    with pytest.raises(ota.NotFoundError):
        e.withdraw_defect_flag(A, t(4), flag=flag)
    with pytest.raises(ota.InvalidInputError):
        e.withdraw_defect_flag(A, t(4), flag=-1)
    for i in range(256):
        e.flag_defect(A, t(5), subject=subject, text=f"note {i}")
    with pytest.raises(ota.InvalidInputError, match="withdraw"):
        e.flag_defect(A, t(5), subject=subject, text="one too many")


def test_the_other_supplier_of_a_split_hub_hears_of_withdrawal_and_rejection_unnamed() -> None:
    e = rolling()
    hub20 = h(0x20)  # SUP-A electricity, SUP-E gas

    def told() -> List[tuple[ota.NotificationType, List[str]]]:
        kinds = {ota.NotificationType.OTHER_SUPPLIER_CONSENTED, ota.NotificationType.OTHER_SUPPLIER_WITHDREW,
                 ota.NotificationType.OTHER_SUPPLIER_REJECTED}
        return [(n.type, list(n.hubs or [])) for n in e.notifications(E).notifications if n.type in kinds]

    assert told() == [(ota.NotificationType.OTHER_SUPPLIER_CONSENTED, [hub20])]
    e.withdraw_whole_estate_approval(A, t(3), campaign="C2")
    assert told() == [(ota.NotificationType.OTHER_SUPPLIER_WITHDREW, [hub20])]
    e.reject_hubs(A, t(4), campaign="C2", hubs=[hub20], reason="meter exchange booked")
    assert told() == [(ota.NotificationType.OTHER_SUPPLIER_REJECTED, [hub20])]
    text = json.dumps([n.to_dict() for n in e.notifications(E).notifications], default=str)
    assert "SUP-A" not in text and "meter exchange" not in text


def test_the_retirement_evidence_says_what_the_pilot_caught() -> None:
    e = rolling()
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=ok_rows(0x10) + fail_rows(0x11))
    e.grant_mass_rollout_oa(DCC, t(4), campaign="C2", override_reason="no verdicts: the evidence test")
    e.report_outcomes(CSP, t(5), campaign="C2", outcomes=fail_rows(0x12) + fail_rows(0x16) + ok_rows(0x17))

    def sets(who: str) -> list[tuple[str, ota.Finding, int, int]]:
        (c,) = e.retirement_evidence(who).campaigns
        return [((s.set.devices.esme or ota.HanDevice("", "")).model, s.finding, s.pilot.hubs, s.rollout.hubs) for s in c.sets]

    assert sets(DCC) == [("EM-B2", ota.Finding.UNTESTED, 0, 2), ("EM-A1", ota.Finding.CAUGHT, 2, 1)]
    evidence = e.retirement_evidence(DCC)
    assert (evidence.caught, evidence.missed, evidence.untested) == (1, 0, 1)
    assert sets(A) == [("EM-A1", ota.Finding.CAUGHT, 2, 1)], "SUP-A's own hubs only"
    with pytest.raises(ota.NotPermittedError):
        e.retirement_evidence(A, customer="SUP-D")
    # The same as rows, a frame an analyst compares phases in.
    pa = pytest.importorskip("pyarrow")
    rows = pa.table(e.query_arrow(DCC, {"name": "retirement_evidence"})).to_pylist()
    assert [(r["label"] != "", r["finding"], r["pilot_hubs"], r["rollout_failed"]) for r in rows] == [
        (True, "untested", 0, 1), (True, "caught", 2, 1)]
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(A, {"name": "retirement_evidence", "customer": "SUP-D"})
