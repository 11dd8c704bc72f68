"""Business rules (decision 16, issue 24) from Python: save, list, dry-run, act, explain,
retire; and every refusal, each as its typed exception."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
DCC = ota.Actor.DCC
CSP = ota.Actor.csp(ota.Region.NORTH)
A, D = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-D")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def estate() -> ota.Engine:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "rollout_estate.json").read_text()))
    return e


HAPPY = ota.RuleSpec(
    "happy sets",
    ota.RuleTrigger.campaign_created(),
    ota.RuleAction.approve(),
    condition='esme.model == "EM-B2" && version("4.0") <= esme.firmware',
)


def test_a_rule_approves_sets_in_a_new_campaign_and_explain_names_it() -> None:
    e = estate()
    [saved] = e.save_rule(D, t(1), HAPPY)
    assert saved.type == "rule_saved" and saved.payload["version"] == 1
    assert [r.spec.name for r in e.rules(D)] == ["happy sets"] and e.rules(A) == []
    dry = e.dry_run_rule(D, HAPPY, t(1))
    assert dry.version == 2 and dry.counts == []  # no campaign yet
    events = e.create_campaign(DCC, t(2), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60))
    acted = [ev for ev in events if ev.type == "rule_acted"]
    assert len(acted) == 1 and acted[0].actor == "customer:SUP-D"
    assert acted[0].payload["rule"] == {"rule": "happy sets", "version": 1}
    why = e.explain(D, "C2", h(0x16), t(2))
    assert why.rules == [ota.RuleNote(ota.RuleRef("happy sets", 1), "approved")]
    assert e.explain(DCC, "C2", h(0x16), t(2)).rules[0].customer == "SUP-D"
    # A hold rule on a new campaign, held hubs explained, then retired.
    hold = ota.RuleSpec("hold Y", ota.RuleTrigger.campaign_created(), ota.RuleAction.hold("our checks"),
                        condition='esme.model == "EM-B2"', priority=5)
    dry = e.dry_run_rule(D, hold, t(3))
    assert [(c.act, c.sets, c.hubs_in_sets) for c in dry.counts] == [("held", 1, 4)]
    e.save_rule(D, t(3), hold)
    e.create_campaign(DCC, t(3), campaign="C3", variant="CH-N-DB", target="2.0", cutoff=t(60))
    blockers = e.explain(D, "C3", h(0x16), t(3)).blockers
    assert ota.Blocker.held_by_rule(ota.Party.you(), ota.RuleRef("hold Y", 1)) in blockers
    e.retire_rule(D, t(4), name="hold Y")
    assert [r.retired_at is not None for r in e.rules(D)] == [False, True]


def test_a_dry_run_as_arrow_is_the_typed_dry_run_a_row_per_hub() -> None:
    pa = pytest.importorskip("pyarrow")
    e = estate()
    e.create_campaign(DCC, t(2), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60))
    hold = ota.RuleSpec("hold Y", ota.RuleTrigger.campaign_created(), ota.RuleAction.hold("our checks"),
                        condition='esme.model == "EM-B2"')
    typed = e.dry_run_rule(D, hold, t(3))
    rows = pa.table(e.query_arrow(D, {"name": "dry_run_rule", "rule": hold, "at": t(3)})).to_pylist()
    # SUP-D's hubs 16-19 are on set Y: each a row, reached through the set.
    assert len(rows) == sum(c.hubs + c.hubs_in_sets for c in typed.counts) == 4
    assert [ota.hub_text(r["hub"]) for r in rows] == [h(n) for n in range(0x16, 0x1A)]
    assert {(r["act"], r["by_set"], r["text"], r["until"]) for r in rows} == {("held", True, "our checks", None)}
    # Scoped: SUP-A's hubs are not on set Y.
    assert pa.table(e.query_arrow(A, {"name": "dry_run_rule", "rule": hold, "at": t(3)})).num_rows == 0
    # The DCC's cut-off rule concerns no hub: a row for the cut-off, one per named customer.
    cut = ota.RuleSpec("cut", ota.RuleTrigger.campaign_created(),
                       ota.RuleAction.set_cutoffs(30, [ota.CutoffExtra("SUP-D", 14)]))
    rows = pa.table(e.query_arrow(DCC, {"name": "dry_run_rule", "rule": cut, "at": t(3)})).to_pylist()
    assert [(r["act"], r["customer"], r["hub"]) for r in rows] == [("cutoffs_set", None, None), ("cutoffs_set", "SUP-D", None)]
    assert [r["until"] for r in rows] == [t(33), t(47)]  # 30 days after the trigger, 44 for SUP-D
    # Refused as saving the rule would be.
    bad = ota.RuleSpec("bad", ota.RuleTrigger.campaign_created(), ota.RuleAction.approve(), condition="esme.nope")
    with pytest.raises(ota.InvalidConditionError):
        e.query_arrow(D, {"name": "dry_run_rule", "rule": bad, "at": t(3)})
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(D, {"name": "dry_run_rule", "rule": cut, "at": t(3)})
    with pytest.raises(ota.InvalidInputError, match="query"):
        e.query_arrow(D, {"name": "dry_run_rule", "rule": {"name": "no trigger"}, "at": t(3)})


def test_the_python_blocks_of_docs_rules_md_run() -> None:
    """Each Python block of docs/rules.md runs as written, on a supplier with a live campaign:
    the two rules' block first (the others use its `happy`)."""
    pytest.importorskip("polars")
    doc = (TESTS_DIR.parent / "docs" / "rules.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert len(blocks) == 2
    blocks.sort(key=lambda b: "save_rule" not in b)
    e = estate()
    e.create_campaign(DCC, t(2), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60))
    scope: dict[str, object] = {"ota": ota, "engine": e, "supplier": D, "at": t(3)}
    for block in blocks:
        exec(compile(block, "docs/rules.md", "exec"), scope)
    assert [r.spec.name for r in e.rules(D)] == ["happy sets", "settle in"]


def test_the_prerequisite_and_the_meter_rule_together() -> None:
    e = estate()
    e.set_firmware_prerequisites(CSP, t(1), variant="CH-N-DB", version="2.0",
                                 prerequisites=[ota.Prerequisite(ota.HanDeviceKind.ESME, "4.10", model="EM-B2")])
    e.create_campaign(DCC, t(2), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60))
    e.grant_pilot_oa(DCC, t(3), campaign="C2")
    e.grant_mass_rollout_oa(DCC, t(4), campaign="C2", override_reason="no pilot here")
    e.save_rule(D, t(5), ota.RuleSpec("after the meter", ota.RuleTrigger.han_device_firmware_changed(),
                                      ota.RuleAction.approve(),
                                      condition='trigger.device == "esme" && version("4.10") <= esme.firmware'))
    assert not e.explain(D, "C2", h(0x16), t(5)).upgradeable
    events = e.change_han_device_firmware(DCC, t(6), hub=h(0x16), device=ota.HanDeviceKind.ESME, firmware="4.10")
    assert [ev.type for ev in events] == ["han_device_firmware_changed", "rule_acted"]
    assert e.explain(D, "C2", h(0x16), t(6)).upgradeable


def test_a_flag_never_shows_its_flagger_another_suppliers_rule_acts() -> None:
    e = estate()
    e.create_campaign(DCC, t(2), campaign="C2", variant="CH-N-DB", target="2.0", cutoff=t(60))
    # SUP-A's rule acts when any defect flag is raised on its hubs' sets; SUP-D flags set X,
    # which both supply: SUP-D's answer does not include SUP-A's act.
    e.save_rule(A, t(2), ota.RuleSpec("on flags", ota.RuleTrigger.defect_flag_raised(), ota.RuleAction.hold("flagged")))
    x = e.hub(DCC, h(0x15)).configuration_set
    events = e.flag_defect(D, t(3), subject=ota.DefectSubject.configuration_set(x), text="screen freezes")
    assert [ev.type for ev in events] == ["defect_flagged"]
    assert any(ev.type == "rule_acted" and ev.actor == "customer:SUP-A" for ev in e.events())
    assert not e.explain(A, "C2", h(0x10), t(3)).upgradeable


def test_every_refused_rule_raises_its_typed_exception() -> None:
    e = estate()
    bad = [
        ('esme.firmwar >= version("2")', 1, 6, "unknown attribute"),
        ('esme.firmware >= "2.0"', 1, 15, "write the text as a version"),
        ('hub.smi_status == "comissioned"', 1, 19, "can never hold"),
        ("esme.model ==", 1, 14, "syntax"),
        ("frob(hub.id)", 1, 1, "unknown function"),
        ("(" * 30 + "true" + ")" * 30, 1, 25, "deeper"),
    ]
    for condition, line, column, says in bad:
        with pytest.raises(ota.InvalidConditionError) as err:
            e.save_rule(D, t(1), ota.RuleSpec("r", ota.RuleTrigger.campaign_created(), ota.RuleAction.approve(),
                                              condition=condition))
        assert (err.value.line, err.value.column) == (line, column) and says in err.value.reason, err.value
        assert err.value.kind == ota.ErrorKind.INVALID_CONDITION
    with pytest.raises(ota.InvalidConditionError):
        e.dry_run_rule(D, ota.RuleSpec("r", ota.RuleTrigger.hub_installed(), ota.RuleAction.approve(), condition="nope"), t(1))
    # An action the owner may not take: a customer's cut-offs, a CSP's approval.
    with pytest.raises(ota.NotPermittedError):
        e.save_rule(D, t(1), ota.RuleSpec("c", ota.RuleTrigger.campaign_created(), ota.RuleAction.set_cutoffs(30)))
    with pytest.raises(ota.NotPermittedError):
        e.save_rule(CSP, t(1), ota.RuleSpec("c", ota.RuleTrigger.campaign_created(), ota.RuleAction.approve()))
    # Over a bound or malformed: a long condition, a bad name, a priority out of range.
    with pytest.raises(ota.InvalidInputError, match="rule.condition"):
        e.save_rule(D, t(1), ota.RuleSpec("r", ota.RuleTrigger.hub_installed(), ota.RuleAction.approve(),
                                          condition="true || " * 400 + "true"))
    with pytest.raises(ota.InvalidInputError, match="rule.name"):
        e.save_rule(D, t(1), ota.RuleSpec("a/b", ota.RuleTrigger.hub_installed(), ota.RuleAction.approve()))
    with pytest.raises(ota.InvalidInputError, match="rule.priority"):
        e.save_rule(D, t(1), ota.RuleSpec("p", ota.RuleTrigger.hub_installed(), ota.RuleAction.approve(), priority=5000))
    with pytest.raises(ota.InvalidInputError):
        e.save_rule(D, t(1), {"name": "x"})  # type: ignore[arg-type]
    # Another's rule, or none, is not found; the same again is no change.
    e.save_rule(D, t(1), HAPPY)
    with pytest.raises(ota.NotFoundError):
        e.retire_rule(A, t(1), name="happy sets")
    with pytest.raises(ota.PreconditionFailedError):
        e.save_rule(D, t(1), HAPPY)
