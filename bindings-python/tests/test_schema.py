"""The typed Python surface against the core's schema (tests/schema/core.json, which
core/tests/schema.rs keeps equal to what the core generates): one typed method per command
and per query with the command's or query's fields, the views' fields, the enums' values. A
command, query, field or value added to the core and not to this binding fails here, and so
does a difference below that is no longer there: each difference is written down with why."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
from pathlib import Path
from typing import Any, Dict, Set

import pytest

from commshub_ota import _enums, _views
from commshub_ota._engine import Engine

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "tests" / "schema" / "core.json").read_text())
DEFS: Dict[str, Any] = SCHEMA["$defs"]

def properties(definition: Dict[str, Any]) -> Set[str]:
    """Every property a value of this definition may have (variants and flattened parts too)."""
    out = set(definition.get("properties", {}))
    for key in ("oneOf", "anyOf", "allOf"):
        for part in definition.get(key, []):
            if "$ref" in part:
                out |= properties(DEFS[part["$ref"].split("/")[-1]])
            else:
                out |= properties(part)
    return out


# Where a Python name differs from the core's, and why.
RENAMED_PARAMS = {
    # `from` is a Python keyword; `hub_id` reads better beside the actor's id.
    "upgrade_route": {"from_version": "from", "to_version": "to"},
    "hub": {"hub_id": "hub"},
    "explain": {"hub_id": "hub"},
}
# Commands whose Python method takes another shape, and why.
OTHER_SHAPE = {
    # Python loads from columns (any iterables) and reports every bad cell as a row.
    "load_estate": ({"columns"}, {"hubs"}),
}
# View attributes that stand for several of the core's fields, or lift one, and why.
VIEW_DIFFERENCES: Dict[str, Dict[str, Set[str]]] = {
    # The payload's `type` tag and the refusals of a participation command, lifted.
    "Event": {"python": {"type", "refused"}, "core": set()},
    # The set's readable key: a method in the core.
    "ConfigurationSet": {"python": {"key"}, "core": set()},
    # The change (a tagged enum) flattened into its fields.
    "HistoryEntry": {"python": {"customer", "from_phase", "to_phase", "reason", "until"}, "core": set()},
    # `from` is a Python keyword.
    "Blackout": {"python": {"from_date", "to_date"}, "core": {"from", "to"}},
    # The tag `blocker` is `kind` (an enum); the party is flattened; each carries its sentence.
    "Blocker": {"python": {"kind", "customer", "sentence"}, "core": {"blocker"}},
    # The counts, flattened into the row by the core, are one `UpgradeCounts` here.
    "PilotStatusRow": {"python": {"counts"}, "core": set(DEFS["UpgradeCounts"]["properties"])},
    # The kind's fields, flattened into the notification by the core, are one dict here.
    "Notification": {"python": {"fields"}, "core": properties(DEFS["Notification"]) - {"id", "event", "at", "type"}},
    # The subject, flattened into the view by the core, is one `DefectSubject` here.
    "DefectView": {"python": set(), "core": {"set", "variant", "version"}},
}


def variants(union: str, tag: str) -> Dict[str, Set[str]]:
    return {v["properties"][tag]["const"]: set(v["properties"]) - {tag} for v in DEFS[union]["oneOf"]}


def params(method: Any, skip: Set[str]) -> Set[str]:
    return {p for p in inspect.signature(method).parameters if p not in skip}


@pytest.mark.parametrize("command", sorted(variants("Command", "type")))
def test_every_command_has_a_typed_method_with_its_fields(command: str) -> None:
    fields = variants("Command", "type")[command]
    method = getattr(Engine, command, None)
    assert method is not None, f"Engine.{command} is missing: the core has the command"
    expected = OTHER_SHAPE.get(command, (fields, fields))
    assert expected[1] == fields, f"{command}: the core's fields changed to {sorted(fields)}"
    assert params(method, {"self", "actor", "at"}) == expected[0]


@pytest.mark.parametrize("query", sorted(variants("Query", "name")))
def test_every_query_has_a_typed_method_with_its_arguments(query: str) -> None:
    method = getattr(Engine, query, None)
    assert method is not None, f"Engine.{query} is missing: the core has the query"
    renamed = RENAMED_PARAMS.get(query, {})
    got = {renamed.get(p, p) for p in params(method, {"self", "actor"})}
    assert got == variants("Query", "name")[query]


def attributes(cls: type) -> Set[str]:
    fields = {f.name for f in dataclasses.fields(cls)} - {"raw"}  # `raw`: the answer as the core gave it
    return fields | {n for n, v in vars(cls).items() if isinstance(v, property)}


VIEWS = sorted(n for n, c in vars(_views).items() if isinstance(c, type) and dataclasses.is_dataclass(c) and n in DEFS)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_has_the_cores_fields(view: str) -> None:
    python, core = attributes(getattr(_views, view)), properties(DEFS[view])
    differences = VIEW_DIFFERENCES.get(view, {"python": set(), "core": set()})
    assert python - core == differences["python"], f"{view}: only in Python"
    assert core - python == differences["core"], f"{view}: only in the core"


ENUMS = sorted(n for n, c in vars(_enums).items() if isinstance(c, type) and issubclass(c, enum.Enum) and n in DEFS)


def values(definition: Dict[str, Any]) -> Set[str]:
    out = set(definition.get("enum", []))
    for v in definition.get("oneOf", []):
        if "const" in v:
            out.add(v["const"])
        for p in v.get("properties", {}).values():
            if "const" in p:
                out.add(p["const"])
    return out


@pytest.mark.parametrize("name", ENUMS)
def test_every_enum_has_the_cores_values(name: str) -> None:
    assert {m.value for m in getattr(_enums, name)} == values(DEFS[name])


def test_the_check_covers_the_surface() -> None:
    # The comparisons above must find what they compare, or they could never fail.
    assert len(variants("Command", "type")) == 42 and len(variants("Query", "name")) == 19
    assert {"HubView", "CampaignView", "Explanation", "UpgradePage", "HubPage", "ParticipationView"} <= set(VIEWS)
    assert {"Region", "Phase", "SmiStatus", "Gate", "UpgradeState"} <= set(ENUMS)
    assert set(VIEW_DIFFERENCES) <= set(VIEWS)
