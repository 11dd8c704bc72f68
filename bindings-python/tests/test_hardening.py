"""Issue 11 through the Python binding: no deadlock, no crash, no exception outside the
CommsHubOtaError hierarchy for any bad input; policy bounds; what others' acts reveal."""

from __future__ import annotations

import inspect
import json
import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict, List

import pytest
from pathlib import Path

import commshub_ota as ota
from conformance import TESTS_DIR, given, rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
A, D, E = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-D"), ota.Actor.customer("SUP-E")
CSP = ota.Actor.csp(ota.Region.NORTH)


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def test_same_state_as_both_ways_at_once_never_deadlocks() -> None:
    # Before: each call held its own engine's lock and waited for the other's, for good.
    for _ in range(5):
        e1, e2 = rolling(), rolling()
        answers: List[bool] = []

        def compare(a: ota.Engine, b: ota.Engine) -> None:
            for _ in range(200):
                answers.append(a.same_state_as(b))

        threads = [threading.Thread(target=compare, args=pair) for pair in ((e1, e2), (e2, e1))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert not any(th.is_alive() for th in threads), "deadlocked"
        assert answers == [True] * 400


def test_a_deeply_nested_command_is_an_invalid_input_not_a_crash() -> None:
    e = rolling()
    nested: Any = "x"
    for _ in range(3000):
        nested = [nested]
    with pytest.raises(ota.InvalidInputError):
        e.execute(DCC, t(3), {"type": "check_deadlines", "deep": nested})
    deep_dict: Any = {}
    for _ in range(3000):
        deep_dict = {"a": deep_dict}
    with pytest.raises(ota.InvalidInputError):
        e.execute(DCC, t(3), deep_dict)


def test_text_with_a_lone_surrogate_is_an_invalid_input() -> None:
    e = rolling()
    bad = "SUP-\ud800"
    with pytest.raises(ota.InvalidInputError, match="surrogate"):
        e.campaign(bad, "C2")
    with pytest.raises(ota.InvalidInputError, match="surrogate"):
        e.reject_hubs(A, t(3), campaign="C2", hubs=["00-00-00-00-00-00-00-10"], reason="no \udfff")
    with pytest.raises(ota.InvalidInputError, match="surrogate"):
        e.execute(A, t(3), {"type": "reject_hubs", "campaign": "C2", "hubs": ["\ud800"], "reason": "x"})
    with pytest.raises(ota.InvalidInputError, match="surrogate"):
        e.load_estate(DCC, t(3), {"id": ["\ud800"], "variant": ["CH-N-DB"], "firmware": ["1.1"],
                                  "smi_status": ["commissioned"], "installed_on": ["2024-01-01"]})
    with pytest.raises(ota.InvalidInputError, match="surrogate"):
        ota.parse_hub_id("\ud800")


@pytest.mark.parametrize("value", [-1, 2**64, 2**63, True, 1.5, "1"])
def test_counts_out_of_range_or_of_another_type_are_invalid_input(value: Any) -> None:
    e = rolling()
    calls: List[Callable[[], Any]] = [
        lambda: e.events(start=value),
        lambda: e.notifications(A, limit=value),
        lambda: e.upgrade_list(CSP, ota.Region.NORTH, t(3), offset=value),
        lambda: e.upgrade_list(CSP, ota.Region.NORTH, t(3), limit=value),
        lambda: e.lift_defect_suspension(A, t(3), flag=value),
        lambda: e.acknowledge_notifications(A, t(3), up_to=value),
        lambda: e.propose_pilot(A, "C2", size=value, at=t(3)),
    ]
    for call in calls:
        with pytest.raises(ota.InvalidInputError):
            call()


def test_a_json_command_carries_fractions_but_no_nan() -> None:
    e = rolling()
    halt = {"failure_threshold_percent": 12.5, "min_outcomes": 3}
    command = {"type": "create_campaign", "campaign": "C9", "variant": "CH-N-DB", "target": "2.0",
               "cutoff": t(60).isoformat(), "policy": {"halt": halt}}
    assert [ev.type for ev in e.execute(DCC, t(3), command)] == ["campaign_created"]
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ota.InvalidInputError) as err:
            e.execute(DCC, t(3), {**command, "campaign": "C8", "policy": {"halt": {**halt, "failure_threshold_percent": bad}}})
        assert "finite" in err.value.reason


def test_replay_refuses_an_event_its_actor_could_not_have_produced(tmp_path: Any) -> None:
    e = rolling()
    path = tmp_path / "log.jsonl"
    e.write_log(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    closing = lines.pop()  # the audit chain's closing line
    assert closing["end"] == e.last_seq
    # Without the chain (a log written by hand), so that the actor check is what refuses.
    for line in lines:
        del line["hash"]
    pilot = next(line for line in lines if line["payload"]["type"] == "campaign_phase_changed")
    pilot["actor"] = "customer:SUP-A"  # a customer granting pilot OA
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ota.CorruptLogError) as err:
        ota.Engine.replay_log(forged)
    assert err.value.line == pilot["seq"]
    assert ota.Engine.replay_log(path).same_state_as(e)


def test_a_written_log_cut_at_a_line_boundary_is_refused(tmp_path: Any) -> None:
    e = rolling()
    path = tmp_path / "log.jsonl"
    e.write_log(path)
    lines = path.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-2]) + "\n")  # the last event and the closing line gone
    with pytest.raises(ota.CorruptLogError) as err:
        ota.Engine.replay_log(cut)
    assert err.value.line == len(lines) - 1
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([lines[0].replace("Acme", "Acne")] + lines[1:]) + "\n")
    with pytest.raises(ota.CorruptLogError) as err:
        ota.Engine.replay_log(changed)
    assert err.value.line == 1
    # verify_log checks a file without building an engine.
    verified = ota.verify_log(path)
    assert verified["chain"] == "chained" and verified["events"] == e.last_seq
    assert len(verified["last_hash"]) == 64
    with pytest.raises(ota.CorruptLogError):
        ota.verify_log(cut)
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join(json.dumps({k: v for k, v in json.loads(line).items() if k != "hash"}) for line in lines[:-1]) + "\n")
    assert ota.verify_log(plain) == {"chain": "unchained", "events": e.last_seq}
    with pytest.raises(ota.IoError):
        ota.verify_log(tmp_path / "missing.jsonl")
    for bad in (None, 7, b"\xff"):
        with pytest.raises(ota.CommsHubOtaError):
            ota.verify_log(bad)  # type: ignore[arg-type]


def test_replaying_dev_zero_is_a_corrupt_log_at_once() -> None:
    with pytest.raises(ota.CorruptLogError, match="JSON"):
        ota.Engine.replay_log("/dev/zero")


def test_a_policy_out_of_its_range_is_refused_naming_the_field() -> None:
    e = rolling()
    for policy, field in [
        (ota.CampaignPolicy(min_assessment_days=10**8), "policy.min_assessment_days"),
        (ota.CampaignPolicy(cutoff_notice_days=10**8), "policy.cutoff_notice_days"),
        (ota.CampaignPolicy(reconciliation_timeout_hours=2**31 - 1), "policy.reconciliation_timeout_hours"),
        (ota.CampaignPolicy(max_attempts=0), "policy.max_attempts"),
        (ota.CampaignPolicy(retry_delay_hours=-1), "policy.retry_delay_hours"),
    ]:
        with pytest.raises(ota.InvalidInputError) as err:
            e.create_campaign(DCC, t(3), campaign="C9", variant="CH-N-DB", target="2.0", cutoff=t(60), policy=policy)
        assert err.value.field == field


def test_an_automatic_suspension_is_the_systems_act() -> None:
    e = rolling(ota.CampaignPolicy.from_dict({"halt": {"failure_threshold_percent": 60.0, "min_outcomes": 2}}))
    rows = [ota.OutcomeReport(f"00-00-00-00-00-00-00-{n:02X}", o) for n in (0x10, 0x16)
            for o in (ota.Outcome.DISPATCHED, ota.Outcome.DELIVERED, ota.Outcome.ACTIVATED)]
    rows += [ota.OutcomeReport.read_back(f"00-00-00-00-00-00-00-{n:02X}", "2.0") for n in (0x10, 0x16)]
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=rows)
    lost = ota.HanHealth.DEVICE_LOST_CONTACT
    e.report_han_health(A, t(4), campaign="C2", reports=[ota.HealthReport("00-00-00-00-00-00-00-10", lost, device=ota.HanDeviceKind.IHD)])
    events = e.report_han_health(D, t(4), campaign="C2", reports=[ota.HealthReport("00-00-00-00-00-00-00-16", lost, device=ota.HanDeviceKind.IHD)])
    assert events[0].actor == D and len(events) > 1
    assert all(ev.actor == ota.Actor.SYSTEM for ev in events[1:])
    history = e.campaign(A, "C2").history
    suspended = [h for h in history if h.change.to == ota.Phase.SUSPENDED]
    assert [h.actor for h in suspended] == ["system"]
    assert all(h.seq is None for h in history), "sequence numbers are the DCC's only"
    assert all(h.seq is not None for h in e.campaign(DCC, "C2").history)
    assert all(n.event is None for n in e.notifications(A).notifications)
    with pytest.raises(ota.NotPermittedError):
        e.check_deadlines(ota.Actor.SYSTEM, t(5))


# --- the bad-input grid: every public call, every parameter, values of every wrong shape ------

_DEEP: Any = "x"
for _ in range(200):
    _DEEP = [_DEEP]

BAD_VALUES: List[Any] = [None, -1, 2**64, 1.5, float("nan"), "", "\ud800", " ", [], {}, [None], {"x": None},
                         b"bytes", object(), _DEEP, "9" * 10_000, True]

PLAUSIBLE: Dict[str, Any] = {
    "actor": DCC, "at": t(3), "campaign": "C2", "hub": "00-00-00-00-00-00-00-10",
    "hubs": ["00-00-00-00-00-00-00-10"], "customer": "SUP-A", "variant": "CH-N-DB", "version": "2.0", "target": "2.0",
    "from_": "1.1", "to": "2.0", "region": ota.Region.NORTH, "reason": "r", "text": "t", "note": None,
    "override_reason": None, "firmware": "1.0", "set": None, "sets": [], "flags": ota.ConsumerFlags(),
    "role": ota.SupplyRole.IMPORT, "status": ota.SmiStatus.COMMISSIONED, "device": ota.HanDeviceKind.ESME,
    "on": date(2026, 1, 2), "cutoff": t(60), "until": t(61), "policy": None, "gate": ota.Gate.CSP_APPROVED,
    "verdict": ota.PilotVerdict.success(), "outcomes": [], "reports": [], "named": False, "suspend_own": False,
    "flag": 1, "up_to": 1, "limit": 10, "offset": 0, "size": 1, "seed": 0, "start": 0, "columns": {}, "table": {},
    "command": {"type": "check_deadlines"}, "upgrades_from": [], "kind": "hub_id", "region_": ota.Region.NORTH,
    "customer_id": "SUP-A", "path": "/nonexistent/x.jsonl",
}


def _calls() -> List[Any]:
    out = []
    for name, fn in inspect.getmembers(ota.Engine, predicate=inspect.isfunction):
        if name.startswith("_") or name in ("same_state_as", "write_log"):
            continue
        out.append((name, fn))
    return out


@pytest.mark.parametrize("name,fn", _calls(), ids=[n for n, _ in _calls()])
def test_every_bad_input_to_every_call_is_a_comms_hub_ota_error(
    name: str, fn: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bad path such as " " is a valid file name: whatever a call writes lands in tmp_path.
    monkeypatch.chdir(tmp_path)
    e = rolling()
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    for target in params:
        for bad in BAD_VALUES:
            kwargs = {p.name: (bad if p is target else PLAUSIBLE.get(p.name, "x")) for p in params}
            positional = [kwargs.pop(p.name) for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
            try:
                fn(e, *positional, **kwargs)
            except ota.CommsHubOtaError:
                pass
            except BaseException as other:  # noqa: BLE001 - the point is to catch anything else
                pytest.fail(f"{name}({target.name}={bad!r:.40}) raised {type(other).__name__}: {other}")


def test_module_functions_take_bad_input_as_comms_hub_ota_errors() -> None:
    for bad in BAD_VALUES:
        for call in (lambda: ota.parse_id(bad, "x"), lambda: ota.parse_id("hub_id", bad), lambda: ota.Actor.csp(bad),
                     lambda: ota.Actor.customer(bad), lambda: ota.parse_hub_id(bad), lambda: ota.synthetic_estate(bad),
                     lambda: ota.Engine.replay_log(bad)):
            try:
                call()
            except ota.CommsHubOtaError:
                pass
            except BaseException as other:  # noqa: BLE001
                pytest.fail(f"{bad!r:.40} raised {type(other).__name__}: {other}")


# --- issue 11, part 1 through Python ---------------------------------------------------------

def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def test_a_late_report_carries_when_it_happened_and_a_later_one_is_refused() -> None:
    e = rolling(ota.CampaignPolicy(pacing=ota.Pacing(daily_cap=1)))
    e.check_deadlines(DCC, t(5))
    e.report_outcomes(CSP, t(5), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DISPATCHED, happened_at=t(3))])
    # Counted on day 3: day 5's cap is free, day 3's is used.
    assert len(e.upgrade_list(CSP, ota.Region.NORTH, t(5)).entries) == 1
    with pytest.raises(ota.BulkRejectedError, match="cap of 1"):
        e.report_outcomes(CSP, t(5), campaign="C2", outcomes=[ota.OutcomeReport(h(0x11), ota.Outcome.DISPATCHED, happened_at=t(3))])
    with pytest.raises(ota.BulkRejectedError, match="after the report is recorded"):
        e.report_outcomes(CSP, t(5), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DELIVERED, happened_at=t(6))])
    with pytest.raises(ota.InvalidInputError):
        e.report_outcomes(CSP, t(5), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DELIVERED, happened_at=datetime(2026, 1, 4))])
    # A stamp earlier than the last event is recorded at the last event's time, not refused.
    events = e.check_deadlines(DCC, t(1))
    assert events == [] and e.last_seq == e.events()[-1].seq


def test_in_flight_hubs_time_out_as_the_systems_act_and_a_retry_waits() -> None:
    e = rolling(ota.CampaignPolicy(in_flight_timeout_hours=24, retry_delay_hours=48))
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DISPATCHED)])
    due = e.check_deadlines(DCC, t(4))
    assert [(ev.type, ev.actor, ev.payload["hubs"]) for ev in due] == [("in_flight_timed_out", "system", [h(0x10)])]
    x = e.explain(CSP, "C2", h(0x10), t(5))
    assert [b.blocker for b in x.blockers] == [ota.BlockerKind.RETRY_DELAY]
    assert x.blockers[0].until == t(6) and "tried again" in x.sentences[0]
    with pytest.raises(ota.BulkRejectedError, match="retry"):
        e.report_outcomes(CSP, t(5), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DISPATCHED)])
    e.report_outcomes(CSP, t(6), campaign="C2", outcomes=[ota.OutcomeReport(h(0x10), ota.Outcome.DISPATCHED)])


def test_explain_speaks_and_the_cut_off_is_given_extended_and_taken_over() -> None:
    e = rolling()
    x = e.explain(A, "C2", h(0x20), t(3))  # split: SUP-E (gas) has not consented
    assert [b.blocker for b in x.blockers] == [ota.BlockerKind.AWAITING_CONSENT]
    assert x.blockers[0].by == ota.Party.other_supplier() and x.blockers[0].cutoff is None
    assert x.sentences == ["The other supplier has not consented yet as the gas supplier."]
    mine = e.explain(E, "C2", h(0x20), t(3))
    assert mine.blockers[0].cutoff == t(59) and str(t(59).date()) in mine.sentences[0]
    e.extend_cutoff(DCC, t(3), campaign="C2", customer="SUP-E", until=t(70))
    assert [n.type for n in e.notifications(E).notifications][-1] is ota.NotificationType.CUTOFF_EXTENDED
    after = e.explain(A, "C2", h(0x20), t(71))
    assert after.upgradeable and after.taken_over_at_cutoff == [ota.SupplyRole.GAS]


def test_csp_entries_carry_the_configuration_set_and_refusals_are_typed() -> None:
    e = rolling()
    page = e.upgrade_list(CSP, ota.Region.NORTH, t(3))
    first = page.entries[0]
    assert first.configuration_set == e.hub(DCC, first.hub).configuration_set
    ev = e.reject_hubs(A, t(3), campaign="C2", hubs=[h(0x10), h(0x16)], reason="access")
    assert ev[0].refused == [ota.HubRefusal(h(0x16), "not one of your hubs")]


def test_pilot_proposals_never_offer_a_split_hub_the_other_supplier_has_not_consented() -> None:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "rollout_estate.json").read_text()))
    e.create_campaign(DCC, t(1), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(59))
    e.grant_pilot_oa(DCC, t(2), campaign="C2")
    assert h(0x20) not in e.propose_pilot(A, "C2", size=20, at=t(2)).hubs
    e.approve_whole_estate(E, t(2), campaign="C2")
    assert h(0x20) in e.propose_pilot(A, "C2", size=20, at=t(2)).hubs



def test_a_partys_answer_carries_no_sequence_number_the_hosts_journal_does() -> None:
    e = rolling()
    mine = e.reject_hubs(A, t(3), campaign="C2", hubs=[h(0x11)], reason="access")
    assert [ev.seq for ev in mine] == [None]
    dcc = e.suspend_campaign(DCC, t(3), campaign="C2", reason="pause")
    assert dcc[0].seq == e.last_seq
    assert [ev.seq for ev in e.events(e.last_seq - 2)] == [e.last_seq - 1, e.last_seq]


def test_any_query_as_data_answers_as_its_typed_method() -> None:
    e = rolling()
    q = {"name": "explain", "campaign": "C2", "hub": h(0x20), "at": t(3).isoformat()}
    assert ota.Explanation.from_dict(e.query(A, q)) == e.explain(A, "C2", h(0x20), t(3))
    assert e.query(CSP, {"name": "upgrade_list", "region": "north", "at": t(3).isoformat()})["total"] == \
        e.upgrade_list(CSP, ota.Region.NORTH, t(3)).total
    for bad in ({"name": "teleport"}, {"name": "hub"}, {"name": "campaigns", "extra": 1}):
        with pytest.raises(ota.InvalidInputError):
            e.query(DCC, bad)
    with pytest.raises(ota.NotFoundError):
        e.query(D, {"name": "hub", "hub": h(0x10)})


def test_a_configuration_sets_device_strings_are_bounded() -> None:
    e = rolling()
    s = e.hub(DCC, h(0x10)).configuration_set
    raw = dict(s.to_dict())
    raw["devices"] = {**raw["devices"], "esme": {"model": "M" * 300, "firmware": "1"}}
    with pytest.raises(ota.InvalidInputError, match="limit of 256"):
        e.execute(A, t(3), {"type": "approve_configuration_sets", "campaign": "C2", "sets": [raw]})
