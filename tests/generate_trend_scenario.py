"""Writes fixtures/industry_estate.json and scenarios/industry_trend_notices.json (issue 25's trend
notices): the industry's shares are shown only at 1 000 hubs and more per cell, so the fixture
loads thousands of hubs, as dictionary-encoded tables (a few kilobytes, not a row per hub). Edit
here and rerun: `python3 tests/generate_trend_scenario.py`."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
T = lambda d, h=9: "2026-01-%02dT%02d:00:00Z" % (1 + d, h)
SUPPLIERS = ["SUP-A", "SUP-B", "SUP-C", "SUP-D"]
MODELS = ["EM-A1", "EM-D3"]


def table(day, groups):
    """A load of `groups` ((count, supplier, ESME model), ...) on the north variant at 1.1, hub
    ids from 1 000 000 * (day + 1) on."""
    ids, sup, esme = [], [], []
    n = 1_000_000 * (day + 1)
    for count, supplier, model in groups:
        for _ in range(count):
            ids.append("%016X" % n)
            n += 1
        sup += [SUPPLIERS.index(supplier)] * count
        esme += [MODELS.index(model)] * count
    k = len(ids)
    return {"type": "load_estate_table", "table": {
        "variants": ["CH-N-DB"], "firmware_versions": ["1.1"], "customers": SUPPLIERS,
        "devices": [{"model": m, "firmware": "3.1"} for m in MODELS],
        "id": ids, "variant": [0] * k, "firmware": [0] * k, "smi_status": ["commissioned"] * k,
        "installed_on": ["2024-03-01"] * k, "commissioned_on": ["2024-03-02"] * k,
        "import_supplier": sup, "esme": esme}}


# The catalogue of two_regions.json without its four hubs: on their own sets they would be a
# small "other" that fails the rules and takes a shown set with it.
with open(os.path.join(HERE, "fixtures", "two_regions.json")) as f:
    # (its testers tested on those hubs: without them the DCC closes testing on its own note)
    catalogue = [c for c in json.load(f)["commands"] if c["command"]["type"] not in ("load_estate", "record_test_feedback")]
fixture = {
    "description": "The catalogue of two_regions.json (no hubs of it), then 2 000 north hubs on 1.1 loaded on day 1, in two configuration sets (by ESME model, firmware 3.1): EM-A1 400 of SUP-A, 300 of SUP-B, 300 of SUP-C; EM-D3 300 of SUP-B, 300 of SUP-C, 400 of SUP-D. Both pass the disclosure rules (3 suppliers, 1 000 hubs, p%): the industry's shares are 50% each. On day 3, 1 000 more on EM-D3 (300 of SUP-A, 300 of SUP-B, 400 of SUP-D): EM-A1's share is 33.5%, EM-D3's 66.5%. Written by generate_trend_scenario.py.",
    "commands": catalogue + [{"actor": "dcc", "at": T(1), "command": table(1, [
        (400, "SUP-A", "EM-A1"), (300, "SUP-B", "EM-A1"), (300, "SUP-C", "EM-A1"),
        (300, "SUP-B", "EM-D3"), (300, "SUP-C", "EM-D3"), (400, "SUP-D", "EM-D3")])},
        # Day 3: three suppliers add 1 000 hubs on EM-D3 (EM-A1's share falls to 33.5%).
        {"actor": "dcc", "at": T(3), "command": table(3, [
            (300, "SUP-A", "EM-D3"), (300, "SUP-B", "EM-D3"), (400, "SUP-D", "EM-D3")])}],
}


def leaving(customer):
    """The notice to `customer`: EM-A1's share fell from 50% to 33.5% while EM-D3's rose."""
    return {"customer": customer, "trend": {"variant": "CH-N-DB", "from": "2026-01-02", "to": "2026-01-04",
            "leaving": {"configuration_set": {"devices": {"esme": {"model": "EM-A1"}}}, "from_bp": 5000, "to_bp": 3350},
            "rising": {"configuration_set": {"devices": {"esme": {"model": "EM-D3"}}}, "from_bp": 5000, "to_bp": 6650}}}


check = lambda day, h=9: {"actor": "dcc", "at": T(day, h), "command": {"type": "check_deadlines"}}
notices = lambda actor: {"query": {"actor": actor, "name": "notifications"}}
scenario = {
    "name": "industry_trend_notices",
    "description": "Issue 25: on day 3 three suppliers added 1 000 hubs on EM-D3 (the fixture), so the industry's share of EM-A1 falls from 50% to 33.5%. The DCC's next deadline check tells each customer running EM-A1, once, with shares only (SUP-D runs none: not told); SUP-A's rule on the trend puts its EM-A1 hubs first; a check the same day, or later in the window, tells nobody again; the DCC may not keep a rule on trends.",
    "given": {"fixtures": ["fixtures/industry_estate.json"]},
    "steps": [
        {"when": {"actor": "customer:SUP-A", "at": T(2), "command": {"type": "save_rule", "rule": {
            "name": "first off EM-A1", "trigger": {"on": "industry_trend"}, "condition": "esme.model == \"EM-A1\"",
            "action": {"do": "prioritise"}}}},
         "then": {"events": [{"type": "rule_saved"}]}},
        {"when": {"actor": "dcc", "at": T(2), "command": {"type": "save_rule", "rule": {
            "name": "told", "trigger": {"on": "industry_trend"}, "condition": "",
            "action": {"do": "notify", "text": "the industry moves"}}}},
         "then": {"error": "not_permitted", "message_contains": ["industry_trend"]}},
        {"when": check(3), "then": {"events": []}},
        {"when": check(4), "then": {"events": [
            {"type": "industry_trends_noticed", "on": "2026-01-04", "notices": [
                leaving("SUP-A"), leaving("SUP-B"), leaving("SUP-C")]},
            {"type": "rule_acted", "trigger": "industry_trend", "rule": {"rule": "first off EM-A1", "version": 1},
             "act": {"act": "prioritised", "hubs": [],
                     "sets": [{"variant": "CH-N-DB", "firmware": "1.1", "devices": {"esme": {"model": "EM-A1"}}}]}}]}},
        {"query": {"actor": "customer:SUP-D", "name": "industry_trends", "on": "2026-01-04"},
         "then": {"result": []}},
        {"query": {"actor": "customer:SUP-B", "name": "industry_trends", "on": "2026-01-04"},
         "then": {"result": [leaving("SUP-B")["trend"]]}},
        {"when": check(4, 15), "then": {"events": []}},
        {"when": check(20), "then": {"events": []}},
    ],
}

with open(os.path.join(HERE, "fixtures", "industry_estate.json"), "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
    f.write("\n")
with open(os.path.join(HERE, "scenarios", "industry_trend_notices.json"), "w") as f:
    json.dump(scenario, f, indent=1, ensure_ascii=False)
    f.write("\n")
