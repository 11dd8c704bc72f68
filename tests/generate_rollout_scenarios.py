"""Writes fixtures/rollout_estate.json and the issue-5 scenarios (outcomes, halts, pacing, defect
flags, notifications). The JSON files are what every runner reads; this script is how they were
written, kept so that a change to them is one edit here: `python3 tests/generate_rollout_scenarios.py`."""
import json, os
T = lambda d, h=9: "2026-01-%02dT%02d:00:00Z" % (1 + d, h)
H = lambda n: "00-00-00-00-00-00-00-%02X" % n

def hub(n, sup, gas=None, esme=("EM-A1", "3.1")):
    devices = {"esme": {"model": esme[0], "firmware": esme[1]}, "ihd": {"model": "IHD-X", "firmware": "1.0"}}
    if gas:
        devices["gsme"] = {"model": "GM-K1", "firmware": "5.0"}
    return {"id": H(n), "variant": "CH-N-DB", "firmware": "1.1", "smi_status": "commissioned", "devices": devices,
            "import_supplier": sup, "gas_supplier": gas, "installed_on": "2024-03-01", "commissioned_on": "2024-03-02"}

SET_X = {"variant": "CH-N-DB", "firmware": "1.1", "devices": {"esme": {"model": "EM-A1", "firmware": "3.1"}, "ihd": {"model": "IHD-X", "firmware": "1.0"}}}
SET_Y = {"variant": "CH-N-DB", "firmware": "1.1", "devices": {"esme": {"model": "EM-B2", "firmware": "4.0"}, "ihd": {"model": "IHD-X", "firmware": "1.0"}}}

fixture = {
    "description": "On top of two_regions.json, all north on 1.1: hubs 10-14 SUP-A and 15 SUP-D on configuration set X (ESME EM-A1 3.1, IHD-X 1.0); hubs 16-19 SUP-D on set Y (ESME EM-B2 4.0); hub 20 split supply (SUP-A electricity, SUP-E gas). No campaign: each scenario creates its own with the policy it needs.",
    "fixtures": ["fixtures/two_regions.json"],
    "commands": [{"actor": "dcc", "at": T(1), "command": {"type": "load_estate", "hubs":
        [hub(n, "SUP-A") for n in range(0x10, 0x15)] + [hub(0x15, "SUP-D")] + [hub(n, "SUP-D", esme=("EM-B2", "4.0")) for n in range(0x16, 0x1A)] + [hub(0x20, "SUP-A", "SUP-E")]}}],
}

def campaign(policy, approve=("SUP-A", "SUP-D")):
    cmds = [{"actor": "dcc", "at": T(1), "command": {"type": "create_campaign", "campaign": "C2", "variant": "CH-N-DB", "target": "2.0", "cutoff": "2026-03-02T09:00:00Z", "policy": policy}},
            {"actor": "dcc", "at": T(2), "command": {"type": "grant_pilot_oa", "campaign": "C2"}}]
    for s in approve:
        cmds.append({"actor": "customer:" + s, "at": T(2), "command": {"type": "approve_whole_estate", "campaign": "C2"}})
    return {"fixtures": ["fixtures/rollout_estate.json"], "commands": cmds}

def report(day, rows, actor="csp:north", h=9):
    return {"actor": actor, "at": T(day, h), "command": {"type": "report_outcomes", "campaign": "C2", "outcomes": [dict(hub=H(n), **o) for n, o in rows]}}

D = {"outcome": "dispatched"}; DL = {"outcome": "delivered"}; A = {"outcome": "activated"}; NR = {"outcome": "no_response"}
F = {"outcome": "delivery_failed", "reason": "no ack"}
RB = lambda v: {"outcome": "read_back", "firmware": v}
ok = lambda n: [(n, D), (n, DL), (n, A), (n, RB("2.0"))]
fail = lambda n: [(n, D), (n, F)]
q = lambda actor, name, **kw: dict(actor=actor, name=name, **kw)

def set_key(s):
    """The core's ConfigurationSet::key."""
    key = "%s@%s" % (s["variant"], s["firmware"])
    for kind in ("esme", "gsme", "ppmid", "hcalcs", "ihd"):
        d = s["devices"].get(kind)
        if d:
            key += "|%s:%s@%s" % (kind, d["model"], d["firmware"])
    return key

def flag_id(subject, text, at, ordinal=0):
    """The core's defects::flag_id: FNV-1a 64 over the subject's key, the text, the time (RFC 3339,
    nanoseconds) and the ordinal (the number of flags already raised with the same subject, text
    and time), each part ended by 0xff; masked to 53 bits, never 0. A digest of what every
    recipient is shown, never of the flagger (so that no one can find the author by hashing each
    supplier), and not a counter (so that no customer can count the flags others raise)."""
    key = "set:" + set_key(subject["set"]) if subject["subject"] == "configuration_set" else "firmware:%s@%s" % (subject["variant"], subject["version"])
    when = at.replace("Z", ".000000000Z")
    h = 0xcbf29ce484222325
    for part in (key, text, when, str(ordinal)):
        for b in part.encode() + b"\xff":
            h ^= b
            h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return max(h & ((1 << 53) - 1), 1)

scenarios = {}

scenarios["halt_one_configuration_set_while_another_continues"] = {
    "description": "Campaign C2 halts at over 50% failures over at least 3 outcomes. In the pilot, set X fails 2 of 3 and is halted with its figures while set Y (3 of 3 fine) and the campaign (2 of 6) continue; the CSP's list still holds set Y's last hub; only the DCC resumes the set.",
    "given": campaign({"halt": {"failure_threshold_percent": 50.0, "min_outcomes": 3}}),
    "steps": [
        {"when": report(3, fail(0x10) + fail(0x11) + ok(0x12) + ok(0x16) + ok(0x17) + ok(0x18)),
         "then": {"events": [{"type": "outcomes_reported"},
                             {"type": "configuration_set_halted", "set": SET_X, "figures": {"outcomes": 3, "failures": 2, "failure_threshold_percent": 50.0, "min_outcomes": 3}}]}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x13), at=T(3)),
         "then": {"result": {"upgradeable": False, "blockers": [{"blocker": "configuration_set_halted"}]}}},
        {"query": q("dcc", "campaign", campaign="C2"), "then": {"result": {"phase": "pilot"}}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(3)),
         "then": {"result": {"total": 2, "entries": [{"hub": H(0x01)}, {"hub": H(0x19)}]}}},
        {"query": q("dcc", "campaign_progress", campaign="C2", at=T(3)),
         "then": {"result": [{}, {}, {"set": SET_X, "hubs": 7, "failed": 2, "succeeded": 1, "blocked": 3, "not_applicable": 1},
                             {"set": SET_Y, "hubs": 4, "succeeded": 3, "upgradeable_now": 1}]}},
        {"when": {"actor": "csp:north", "at": T(4), "command": {"type": "resume_upgrades", "campaign": "C2", "set": SET_X}},
         "then": {"error": "not_permitted"}},
        {"when": {"actor": "dcc", "at": T(4), "command": {"type": "resume_upgrades", "campaign": "C2", "set": SET_X}},
         "then": {"events": [{"type": "configuration_set_resumed"}]}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x13), at=T(4)),
         "then": {"result": {"upgradeable": True}}},
    ],
}

scenarios["no_response_reconciled_by_read_back_and_one_timed_out"] = {
    "description": "Hubs 10 and 11 do not respond. A read-back of 2.0 reconciles hub 10 (its firmware becomes 2.0); hub 11 is not read back and fails at the 48-hour reconciliation timeout; its late read-back (it still runs 1.1) is taken as a correction of the record (issue 26), leaving the attempt failed and telling no second outcome, and it may be dispatched again; each deadline is due once, and only the DCC checks deadlines. Outcomes from the wrong CSP or out of order are refused.",
    "given": campaign({"reconciliation_timeout_hours": 48}),
    "steps": [
        {"when": report(3, [(0x10, D), (0x10, DL), (0x10, NR), (0x11, D), (0x11, NR)]), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("dcc", "explain", campaign="C2", hub=H(0x11), at=T(3)),
         "then": {"result": {"blockers": [{"blocker": "upgrade_in_flight", "state": "no_response"}]}}},
        {"when": report(4, [(0x10, RB("2.0"))]), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("dcc", "hub", hub=H(0x10)), "then": {"result": {"firmware": "2.0"}}},
        {"when": {"actor": "dcc", "at": T(4), "command": {"type": "check_deadlines"}}, "then": {"events": []}},
        {"when": {"actor": "dcc", "at": T(5), "command": {"type": "check_deadlines"}},
         "then": {"events": [{"type": "reconciliation_timed_out", "hubs": [H(0x11)]}]}},
        {"when": report(5, [(0x11, RB("3.0"))]), "then": {"error": "bulk_rejected", "message_contains": ["not a version of the hub's variant"]}},
        {"when": report(5, [(0x11, RB("1.1"))]), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("dcc", "hub", hub=H(0x11)), "then": {"result": {"firmware": "1.1"}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x11), at=T(5)), "then": {"result": {"upgradeable": True}}},
        {"when": report(5, [(0x12, D)], actor="csp:south"), "then": {"error": "not_found"}},
        {"when": report(5, [(0x12, DL)]), "then": {"error": "bulk_rejected", "message_contains": ["never dispatched"]}},
        {"when": report(5, [(0x12, D), (0x12, A)]), "then": {"error": "bulk_rejected", "message_contains": ["out of order"]}},
        {"when": {"actor": "dcc", "at": T(6), "command": {"type": "check_deadlines"}}, "then": {"events": []}},
        {"when": {"actor": "csp:north", "at": T(6), "command": {"type": "check_deadlines"}}, "then": {"error": "not_permitted"}},
        {"query": q("customer:SUP-A", "notifications", limit=10),
         "then": {"result": {"acknowledged": 0, "notifications": [
             {"type": "phase_changed", "to": "pilot", "operational_approval": True},
             {"type": "outcomes_summary", "dispatched": 2, "no_response": 2},
             {"type": "outcomes_summary", "succeeded": 1},
             {"type": "outcomes_summary", "timed_out": 1}]}}},
    ],
}

scenarios["pacing_a_day_with_a_ramp"] = {
    "description": "C2 offers 2 hubs a day, doubling after each day whose failure rate stayed under 70%, with no dispatch on Sundays. Sunday 4 January: nothing offered. Monday: 2 offered, 9 held back, a third dispatch is over the cap; both upgrade fine. Tuesday: 4 offered.",
    "given": campaign({"halt": {"failure_threshold_percent": 70.0, "min_outcomes": 1},
                       "pacing": {"daily_cap": 2, "ramp_factor": 2.0, "blackouts": [{"type": "weekly", "day": "sunday", "from_hour": 0, "to_hour": 24}]}}),
    "steps": [
        {"query": q("csp:north", "upgrade_list", region="north", at=T(3)), "then": {"result": {"total": 0, "entries": []}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x10), at=T(3)), "then": {"result": {"blockers": [{"blocker": "blackout"}]}}},
        {"when": report(3, [(0x10, D)]), "then": {"error": "bulk_rejected", "message_contains": ["blackout"]}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(4)),
         "then": {"result": {"total": 2, "held_back_by_pacing": 9, "entries": [{"hub": H(0x01)}, {"hub": H(0x10)}]}}},
        {"when": report(4, [(0x01, D), (0x10, D), (0x11, D)]), "then": {"error": "bulk_rejected", "message_contains": ["cap of 2"]}},
        {"when": report(4, ok(0x01) + ok(0x10)), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(4, 18)), "then": {"result": {"total": 0, "held_back_by_pacing": 9}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x11), at=T(4, 18)), "then": {"result": {"blockers": [{"blocker": "daily_cap_reached", "cap": 2}]}}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(5)), "then": {"result": {"total": 4, "held_back_by_pacing": 5}}},
    ],
}

SUBJECT_X = {"subject": "configuration_set", "set": SET_X}
TEXT_X = "IHD loses pairing after upgrade; in triage"
FLAG_X = flag_id(SUBJECT_X, TEXT_X, T(3))
SET_20 = {"variant": "CH-N-DB", "firmware": "1.1", "devices": {"esme": {"model": "EM-A1", "firmware": "3.1"}, "gsme": {"model": "GM-K1", "firmware": "5.0"}, "ihd": {"model": "IHD-X", "firmware": "1.0"}}}
SUBJECT_20 = {"subject": "configuration_set", "set": SET_20}
FLAG_20 = flag_id(SUBJECT_20, "GSME drops off", T(3))
scenarios["defect_flag_suspends_the_flaggers_hubs_only"] = {
    "description": "SUP-A flags a defect on configuration set X anonymously and suspends its own upgrades on it: its hubs on X leave the CSP's list, SUP-D's hub 15 on X stays; SUP-D sees the flag unsigned, SUP-E (no hub on X) does not; only SUP-A lifts the suspension (to anyone else the flag answers as one that does not exist). The flag's id is a digest of what every recipient is shown (subject, text, time), never of its author, and not a count of flags. SUP-E suspends its upgrades on split hub 20's set: to SUP-A, the co-supplier, hub 20 is held by the other supplier, with no flag id to trace. The CSP is told hub 10 is suspended under a supplier's defect flag, without the flag's id, which joined with the flag would name the supplier. SUP-A then closes its flag as resolved, with a note (SUP-D may not: to it the flag answers as one that does not exist); SUP-D, told of the flag, is told it closed and how, still without its author; it is no longer listed, even to the DCC, and withdrawing it again finds nothing.",
    "given": campaign({}, approve=("SUP-A", "SUP-D", "SUP-E")),
    "steps": [
        {"when": {"actor": "customer:SUP-A", "at": T(3), "command": {"type": "flag_defect", "subject": SUBJECT_X,
                  "text": TEXT_X, "named": False, "suspend_own": True}},
         "then": {"events": [{"type": "defect_flagged", "flag": FLAG_X, "customer": "SUP-A", "suspend_own": True}]}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(3)),
         "then": {"result": {"total": 7, "entries": [{"hub": H(0x01)}, {"hub": H(0x15)}, {"hub": H(0x16)}, {"hub": H(0x17)}, {"hub": H(0x18)}, {"hub": H(0x19)}, {"hub": H(0x20)}]}}},
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x10), at=T(3)),
         "then": {"result": {"blockers": [{"blocker": "suspended_by_defect_flag", "by": {"party": "you"}, "flag": FLAG_X}]}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x10), at=T(3)),
         "then": {"result": {"blockers": [{"blocker": "suspended_by_defect_flag", "by": {"party": "unnamed"}, "flag": None}]}}},
        {"query": q("customer:SUP-D", "defect_flags"),
         "then": {"result": [{"flag": FLAG_X, "subject": "configuration_set", "flagged_by": None, "yours": False, "suspending": None}]}},
        {"query": q("customer:SUP-E", "defect_flags"), "then": {"count": 0}},
        {"query": q("dcc", "defect_flags"), "then": {"result": [{"flagged_by": "SUP-A", "suspending": True}]}},
        {"query": q("customer:SUP-D", "notifications"),
         "then": {"result": {"notifications": [{"type": "phase_changed"}, {"type": "defect_flagged", "flag": FLAG_X, "flagged_by": None, "event": None}]}}},
        {"when": {"actor": "customer:SUP-D", "at": T(4), "command": {"type": "lift_defect_suspension", "flag": FLAG_X}}, "then": {"error": "not_found"}},
        {"when": {"actor": "customer:SUP-D", "at": T(4), "command": {"type": "lift_defect_suspension", "flag": FLAG_X + 1}}, "then": {"error": "not_found"}},
        {"when": {"actor": "customer:SUP-A", "at": T(4), "command": {"type": "lift_defect_suspension", "flag": FLAG_X}},
         "then": {"events": [{"type": "defect_suspension_lifted", "flag": FLAG_X}]}},
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x10), at=T(4)), "then": {"result": {"upgradeable": True}}},
        {"when": {"actor": "customer:SUP-E", "at": T(4), "command": {"type": "flag_defect", "subject": SUBJECT_20,
                  "text": "GSME drops off", "named": True, "suspend_own": True}},
         "then": {"events": [{"type": "defect_flagged", "flag": flag_id(SUBJECT_20, "GSME drops off", T(4))}]}},
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x20), at=T(4)),
         "then": {"result": {"upgradeable": False, "blockers": [{"blocker": "held_by_supplier", "by": {"party": "other_supplier"}, "reason": None}]}}},
        {"query": q("customer:SUP-E", "explain", campaign="C2", hub=H(0x20), at=T(4)),
         "then": {"result": {"blockers": [{"blocker": "suspended_by_defect_flag", "by": {"party": "you"}}]}}},
        {"when": {"actor": "customer:SUP-D", "at": T(4), "command": {"type": "withdraw_defect_flag", "flag": FLAG_X}}, "then": {"error": "not_found"}},
        {"when": {"actor": "customer:SUP-A", "at": T(4), "command": {"type": "withdraw_defect_flag", "flag": FLAG_X, "closure": "resolved", "note": " "}},
         "then": {"error": "invalid_input", "message_contains": ["note"]}},
        {"when": {"actor": "customer:SUP-A", "at": T(4), "command": {"type": "withdraw_defect_flag", "flag": FLAG_X, "closure": "resolved", "note": "IHD-X 1.1 fixes the pairing"}},
         "then": {"events": [{"type": "defect_flag_withdrawn", "flag": FLAG_X, "customer": "SUP-A", "closure": "resolved", "subject": SUBJECT_X, "named": False}]}},
        {"query": q("customer:SUP-D", "notifications"),
         "then": {"result": {"notifications": [{"type": "phase_changed"}, {"type": "defect_flagged", "flag": FLAG_X},
                                                {"type": "defect_flag_closed", "flag": FLAG_X, "subject": "configuration_set", "closure": "resolved", "note": "IHD-X 1.1 fixes the pairing", "flagged_by": None}]}}},
        {"when": {"actor": "customer:SUP-A", "at": T(4), "command": {"type": "withdraw_defect_flag", "flag": FLAG_X}}, "then": {"error": "not_found"}},
        {"query": q("dcc", "defect_flags"), "then": {"count": 1}},
    ],
}

LOST_IHD = {"health": "device_lost_contact", "device": "ihd"}
scenarios["automatic_acts_are_the_systems_and_others_answer_as_absent"] = {
    "description": "Issue 11. SUP-D's bad HAN-health report tips campaign C2 over its threshold: the suspension is recorded as the system's act, and SUP-A's view of the history shows neither SUP-D nor any sequence number (those are the DCC's). The system makes no commands. A configuration set SUP-A has no hub on answers as one that does not exist; a policy out of its documented range and an oversized text are refused naming the field and the limit.",
    "given": campaign({"halt": {"failure_threshold_percent": 60.0, "min_outcomes": 2}}),
    "steps": [
        {"when": report(3, ok(0x10) + ok(0x16)), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": {"actor": "customer:SUP-A", "at": T(4), "command": {"type": "report_han_health", "campaign": "C2", "reports": [dict(hub=H(0x10), **LOST_IHD)]}},
         "then": {"events": [{"type": "han_health_reported"}]}},
        {"when": {"actor": "customer:SUP-D", "at": T(4), "command": {"type": "report_han_health", "campaign": "C2", "reports": [dict(hub=H(0x16), **LOST_IHD)]}},
         "then": {"events": [{"type": "han_health_reported"}, {"type": "campaign_phase_changed", "to": "suspended", "figures": {"outcomes": 2, "failures": 2}}]}},
        {"query": q("customer:SUP-A", "campaign", campaign="C2"),
         "then": {"result": {"phase": "suspended", "history": [
             {"actor": "dcc", "seq": None, "change": {"type": "created"}},
             {"actor": "dcc", "seq": None, "change": {"type": "phase_changed", "to": "pilot"}},
             {"actor": "system", "seq": None, "change": {"type": "phase_changed", "to": "suspended"}}]}}},
        {"query": q("dcc", "campaign", campaign="C2"),
         "then": {"result": {"history": [{"seq": 40}, {}, {"actor": "system"}]}}},
        {"when": {"actor": "system", "at": T(5), "command": {"type": "check_deadlines"}}, "then": {"error": "not_permitted"}},
        {"when": {"actor": "customer:SUP-A", "at": T(5), "command": {"type": "approve_configuration_sets", "campaign": "C2", "sets": [SET_Y]}},
         "then": {"error": "not_found", "message_contains": ["configuration set"]}},
        {"when": {"actor": "dcc", "at": T(5), "command": {"type": "create_campaign", "campaign": "C3", "variant": "CH-N-DB", "target": "2.0",
                                                          "cutoff": "2026-03-02T09:00:00Z", "policy": {"cutoff_notice_days": 100000000}}},
         "then": {"error": "invalid_input", "message_contains": ["policy.cutoff_notice_days", "allowed range"]}},
        {"when": {"actor": "customer:SUP-A", "at": T(5), "command": {"type": "reject_hubs", "campaign": "C2", "hubs": [H(0x11)], "reason": "x" * 5000}},
         "then": {"error": "invalid_input", "message_contains": ["reason", "limit of 4096"]}},
    ],
}

def hold_and_release(day):
    """Two events at `day` by SUP-A (a hold and its release), so the log's clock moves on."""
    return [{"when": {"actor": "customer:SUP-A", "at": T(day), "command": {"type": "halt_upgrades", "campaign": "C2", "reason": "look first"}},
             "then": {"events": [{"type": "supplier_hold_placed"}]}},
            {"when": {"actor": "customer:SUP-A", "at": T(day), "command": {"type": "resume_upgrades", "campaign": "C2"}},
             "then": {"events": [{"type": "supplier_hold_lifted"}]}}]

def late(n, outcome, happened):
    return {**outcome, "happened_at": happened, "hub": H(n)}

scenarios["a_late_report_counts_on_the_day_it_happened"] = {
    "description": "Issue 11 (two times). The log has moved on to day 5 when the CSP reports a dispatch that happened on day 3: it is accepted and counted on day 3, so day 5's cap of one is still free and day 3's is used. A fact stamped later than its recording is refused.",
    "given": campaign({"pacing": {"daily_cap": 1}}),
    "steps": hold_and_release(5) + [
        {"when": {"actor": "csp:north", "at": T(5), "command": {"type": "report_outcomes", "campaign": "C2", "outcomes": [late(0x10, D, T(3))]}},
         "then": {"events": [{"type": "outcomes_reported", "outcomes": [{"hub": H(0x10), "happened_at": T(3)}]}]}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(5)), "then": {"result": {"held_back_by_pacing": 9, "entries": [{"hub": H(0x01)}]}}},
        {"when": {"actor": "csp:north", "at": T(5), "command": {"type": "report_outcomes", "campaign": "C2", "outcomes": [late(0x11, D, T(3))]}},
         "then": {"error": "bulk_rejected", "message_contains": ["cap of 1"]}},
        {"when": {"actor": "csp:north", "at": T(5), "command": {"type": "report_outcomes", "campaign": "C2", "outcomes": [late(0x10, DL, T(6))]}},
         "then": {"error": "bulk_rejected", "message_contains": ["after the report is recorded"]}},
    ],
}

scenarios["every_in_flight_state_times_out_and_a_retry_waits"] = {
    "description": "Issue 11 (nothing in flight for ever). A hub dispatched on day 3 with no further outcome times out after the campaign's 24-hour in-flight deadline (an act of the system); the 48-hour retry delay keeps it back until day 6.",
    "given": campaign({"in_flight_timeout_hours": 24, "retry_delay_hours": 48}),
    "steps": [
        {"when": report(3, [(0x10, D)]), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": {"actor": "dcc", "at": T(3, 20), "command": {"type": "check_deadlines"}}, "then": {"events": []}},
        {"when": {"actor": "dcc", "at": T(4), "command": {"type": "check_deadlines"}},
         "then": {"events": [{"type": "in_flight_timed_out", "hubs": [H(0x10)]}]}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x10), at=T(5)),
         "then": {"result": {"upgradeable": False, "blockers": [{"blocker": "retry_delay", "until": T(6)}]}}},
        {"when": report(5, [(0x10, D)]), "then": {"error": "bulk_rejected", "message_contains": ["retry delay"]}},
        {"when": report(6, [(0x10, D)]), "then": {"events": [{"type": "outcomes_reported"}]}},
    ],
}

CUTOFF = "2026-03-02T09:00:00Z"
scenarios["cut_off_given_extended_and_taken_over"] = {
    "description": "Issue 11 (cut-off). While split hub 20 awaits consent, explain gives SUP-A its own cut-off and not the other supplier's. SUP-E is told when the DCC extends its cut-off. In mass rollout, once SUP-A's cut-off passed, hub 10 is upgradeable because the cut-off passed, which explain says, not as if SUP-A had consented.",
    "given": campaign({}, approve=("SUP-D",)),
    "steps": [
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x20), at=T(3)),
         "then": {"result": {"upgradeable": False, "blockers": [
             {"blocker": "not_in_pilot"},
             {"blocker": "awaiting_consent", "role": "import", "by": {"party": "you"}, "cutoff": CUTOFF},
             {"blocker": "awaiting_consent", "role": "gas", "by": {"party": "other_supplier"}, "cutoff": None}]}}},
        {"when": {"actor": "dcc", "at": T(3), "command": {"type": "extend_cutoff", "campaign": "C2", "customer": "SUP-E", "until": "2026-04-01T09:00:00Z"}},
         "then": {"events": [{"type": "cutoff_extended"}]}},
        {"query": q("customer:SUP-E", "notifications"),
         "then": {"result": {"notifications": [{"type": "phase_changed"}, {"type": "cutoff_extended", "cutoff": "2026-04-01T09:00:00Z"}]}}},
        {"when": {"actor": "dcc", "at": T(3), "command": {"type": "grant_mass_rollout_oa", "campaign": "C2", "override_reason": "no pilot volunteers"}},
         "then": {"events": [{"type": "campaign_phase_changed", "to": "mass_rollout"}]}},
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x10), at=CUTOFF),
         "then": {"result": {"upgradeable": True, "blockers": [], "taken_over_at_cutoff": ["import"]}}},
    ],
}

SET_02 = {"variant": "CH-N-DB", "firmware": "1.0", "devices": {"esme": {"model": "EM-A1", "firmware": "3.1"}, "gsme": {"model": "GM-K1", "firmware": "5.0"}, "ihd": {"model": "IHD-X", "firmware": "1.0"}}}
scenarios["a_set_approval_carries_a_hub_through_its_route"] = {
    "description": "Issue 11 (a consent through the whole route). Hub 02 on 1.0 goes to 2.0 by 1.1. SUP-A approves its 1.0 configuration set, SUP-B its whole estate. After the step to 1.1 the hub holds 1.1's set, and SUP-A's approval still carries it on to 2.0, which it reaches. The CSP's entries carry the hub's configuration set.",
    "given": {**campaign({}, approve=("SUP-B",)), "commands": campaign({}, approve=("SUP-B",))["commands"] + [
        {"actor": "dcc", "at": T(2), "command": {"type": "grant_mass_rollout_oa", "campaign": "C2", "override_reason": "no pilot volunteers"}}]},
    "steps": [
        {"when": {"actor": "customer:SUP-A", "at": T(3), "command": {"type": "approve_configuration_sets", "campaign": "C2", "sets": [SET_02]}},
         "then": {"events": [{"type": "configuration_sets_approved"}]}},
        {"when": report(3, [(0x02, D), (0x02, DL), (0x02, A), (0x02, RB("1.1"))]), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("customer:SUP-A", "explain", campaign="C2", hub=H(0x02), at=T(4)),
         "then": {"result": {"upgradeable": True, "next_version": "2.0", "blockers": []}}},
        {"query": q("csp:north", "upgrade_list", region="north", at=T(4), limit=1),
         "then": {"result": {"entries": [{"hub": H(0x02), "configuration_set": {"firmware": "1.1"}}]}}},
        {"when": report(4, ok(0x02)), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("dcc", "hub", hub=H(0x02)), "then": {"result": {"firmware": "2.0"}}},
    ],
}

def dispatch_at(n, at):
    return {"actor": "csp:north", "at": at, "command": {"type": "report_outcomes", "campaign": "C2", "outcomes": [dict(hub=H(n), **D)]}}

scenarios["pacing_days_are_great_britains_local_days"] = {
    "description": "Issue 11 (GB local time). A cap of one dispatch a day, counted in Europe/London. On the spring change day (29 March 2026) 00:30 UTC is 00:30 GMT and 23:30 UTC is already 00:30 BST on the 30th: a new day, so the second dispatch is taken. In summer (1 July) 23:30 UTC is 00:30 BST the next day: a new day too. On the autumn change day (25 October) 00:30 UTC is 01:30 BST and 23:30 UTC is 23:30 GMT, the same local day: the second dispatch is over the cap. A weekly blackout may cross midnight: Friday 22:00 to Saturday 02:00 local.",
    "given": campaign({"pacing": {"daily_cap": 1, "blackouts": [{"type": "weekly", "day": "friday", "from_hour": 22, "to_hour": 2}]}}),
    "steps": [
        {"when": dispatch_at(0x10, "2026-03-29T00:30:00Z"), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": dispatch_at(0x11, "2026-03-29T23:30:00Z"), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": dispatch_at(0x15, "2026-07-01T12:00:00Z"), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": dispatch_at(0x16, "2026-07-01T23:30:00Z"), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": dispatch_at(0x12, "2026-10-25T00:30:00Z"), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"when": dispatch_at(0x13, "2026-10-25T23:30:00Z"), "then": {"error": "bulk_rejected", "message_contains": ["cap of 1"]}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x14), at="2026-10-30T22:30:00Z"),
         "then": {"result": {"blockers": [{"blocker": "blackout"}]}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x14), at="2026-10-31T01:30:00Z"),
         "then": {"result": {"blockers": [{"blocker": "blackout"}]}}},
        {"query": q("csp:north", "explain", campaign="C2", hub=H(0x14), at="2026-10-31T02:30:00Z"),
         "then": {"result": {"upgradeable": True}}},
    ],
}

scenarios["split_supply_each_supplier_notified_exactly"] = {
    "description": "Hub 20's suppliers SUP-A (electricity) and SUP-E (gas). SUP-A nominates it: SUP-E is told the other supplier consented, unnamed, and SUP-A is not told of itself. SUP-E approves its whole estate: SUP-A is told likewise. After the upgrade each gets one outcomes summary for its own hub; an acknowledgement takes read notices out of the outbox.",
    "given": campaign({}, approve=()),
    "steps": [
        {"when": {"actor": "customer:SUP-A", "at": T(3), "command": {"type": "nominate_hubs", "campaign": "C2", "hubs": [H(0x20)]}},
         "then": {"events": [{"type": "hubs_nominated"}]}},
        {"query": q("customer:SUP-E", "notifications"),
         "then": {"result": {"notifications": [{"id": 1, "type": "phase_changed", "operational_approval": True},
                                                {"id": 2, "type": "other_supplier_consented", "campaign": "C2", "hubs": [H(0x20)]}]}}},
        {"query": q("customer:SUP-A", "notifications"), "then": {"result": {"notifications": [{"type": "phase_changed"}]}}},
        {"when": {"actor": "customer:SUP-E", "at": T(3), "command": {"type": "approve_whole_estate", "campaign": "C2"}},
         "then": {"events": [{"type": "whole_estate_approved"}]}},
        {"query": q("customer:SUP-A", "notifications"),
         "then": {"result": {"notifications": [{"type": "phase_changed"}, {"type": "other_supplier_consented", "hubs": [H(0x20)]}]}}},
        {"when": report(4, ok(0x20)), "then": {"events": [{"type": "outcomes_reported"}]}},
        {"query": q("customer:SUP-E", "notifications"),
         "then": {"result": {"notifications": [{"type": "phase_changed"}, {"type": "other_supplier_consented"},
                                                {"type": "outcomes_summary", "dispatched": 1, "succeeded": 1, "failed": 0}]}}},
        {"query": q("customer:SUP-D", "notifications"), "then": {"result": {"notifications": [{"type": "phase_changed"}]}}},
        {"when": {"actor": "customer:SUP-E", "at": T(5), "command": {"type": "acknowledge_notifications", "up_to": 2}},
         "then": {"events": [{"type": "notifications_acknowledged", "recipient": "customer:SUP-E", "up_to": 2}]}},
        {"query": q("customer:SUP-E", "notifications"),
         "then": {"result": {"acknowledged": 2, "more": 0, "notifications": [{"id": 3, "type": "outcomes_summary"}]}}},
        {"when": {"actor": "customer:SUP-E", "at": T(5), "command": {"type": "acknowledge_notifications", "up_to": 9}},
         "then": {"error": "invalid_input", "message_contains": ["beyond"]}},
        {"query": q("customer:SUP-E", "pilot_status", campaign="C2"),
         "then": {"result": {"rows": [{"customer": "SUP-E", "succeeded": 1}]}}},
        {"query": q("csp:north", "pilot_status", campaign="C2"),
         "then": {"result": {"rows": [{"customer": None, "succeeded": 1}, {"customer": None, "succeeded": 1}]}}},
    ],
}

base = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(base, "fixtures/rollout_estate.json"), "w") as f:
    json.dump(fixture, f, indent=1); f.write("\n")
for name, sc in scenarios.items():
    with open(os.path.join(base, "scenarios", name + ".json"), "w") as f:
        json.dump({"name": name, **sc}, f, indent=1); f.write("\n")
print("ok")
