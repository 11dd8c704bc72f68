"""The typed Python surface against the core's schema (tests/schema/core.json, which
core/tests/schema.rs keeps equal to what the core generates): one typed method per command
and per query with the command's or query's fields, the views' fields, the enums' values. The
methods and enums are generated from the schema (scripts/gen_python.py; test_generated.py
checks the checked-in modules are fresh), so this is a second, independent reading of the
schema. The views take the core's JSON shape; what they add is written down below with why."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import keyword
from pathlib import Path
from typing import Any, Dict, Set

import pytest

import commshub_ota as ota
from commshub_ota import _enums, _records, _views
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


def python_name(field: str) -> str:
    """A field's parameter name: its own, `_` appended to a Python keyword (`from_`)."""
    return f"{field}_" if keyword.iskeyword(field) else field


# Commands whose Python method takes another shape (written by hand: HAND_WRITTEN in
# scripts/gen_python.py), and why.
OTHER_SHAPE = {
    # Python loads from columns (any iterables, or an Arrow table or frame) and reports every
    # bad cell as a row.
    "load_estate": ({"columns"}, {"hubs"}),
}
# What a view has beyond the core's fields (properties, never fields: `_view_extras.py`, and
# `Event`, written by hand), and why. Every field is the core's, named as in JSON (`from_`
# for `from`, a Python keyword).
VIEW_EXTRAS: Dict[str, Set[str]] = {
    # The payload's `type` and the refusals of a participation command, read from the payload.
    "Event": {"type", "refused"},
    # The set's key, as the core's `ConfigurationSet::key` and every Arrow answer give it.
    "ConfigurationSet": {"key"},
    # The notice's own fields as one dict, for a reader that prints every kind alike.
    "Notification": {"fields"},
}


def json_name(name: str) -> str:
    """A field's JSON name: its own, less the `_` a Python keyword takes."""
    return name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name


def variants(union: str, tag: str) -> Dict[str, Set[str]]:
    return {v["properties"][tag]["const"]: set(v["properties"]) - {tag} for v in DEFS[union]["oneOf"]}


def params(method: Any, skip: Set[str]) -> Set[str]:
    return {p for p in inspect.signature(method).parameters if p not in skip}


@pytest.mark.parametrize("command", sorted(variants("Command", "type")))
def test_every_command_has_a_typed_method_with_its_fields(command: str) -> None:
    fields = variants("Command", "type")[command]
    method = getattr(Engine, command, None)
    assert method is not None, f"Engine.{command} is missing: the core has the command"
    expected = OTHER_SHAPE.get(command, ({python_name(f) for f in fields}, fields))
    assert expected[1] == fields, f"{command}: the core's fields changed to {sorted(fields)}"
    assert params(method, {"self", "actor", "at"}) == expected[0]


@pytest.mark.parametrize("query", sorted(variants("Query", "name")))
def test_every_query_has_a_typed_method_with_its_arguments(query: str) -> None:
    method = getattr(Engine, query, None)
    assert method is not None, f"Engine.{query} is missing: the core has the query"
    assert params(method, {"self", "actor"}) == {python_name(f) for f in variants("Query", "name")[query]}


VIEW_CLASSES: Dict[str, type] = {
    n: c for module in (_views, _records) for n, c in vars(module).items()
    if isinstance(c, type) and dataclasses.is_dataclass(c) and n in DEFS
}
VIEWS = sorted(VIEW_CLASSES)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_has_the_cores_fields(view: str) -> None:
    cls = VIEW_CLASSES[view]
    assert {json_name(f.name) for f in dataclasses.fields(cls)} == properties(DEFS[view])
    extras = {n for n, _ in inspect.getmembers(cls, lambda v: isinstance(v, property))}
    assert extras == VIEW_EXTRAS.get(view, set()), f"{view}: properties beyond the core's fields"


@pytest.mark.parametrize("view", [v for v in VIEWS if "oneOf" in DEFS[v]])
def test_every_tagged_union_has_its_tag_as_an_enum_of_its_values(view: str) -> None:
    variants = DEFS[view]["oneOf"]
    tag = next(iter(set.intersection(*({k for k, p in v["properties"].items() if "const" in p} for v in variants))))
    annotation = {f.name: f.type for f in dataclasses.fields(VIEW_CLASSES[view])}[tag]
    kind = getattr(ota, str(annotation))
    assert issubclass(kind, enum.Enum)
    assert [m.value for m in kind] == [v["properties"][tag]["const"] for v in variants]


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
    assert len(variants("Command", "type")) == 51 and len(variants("Query", "name")) == 28
    assert {"HubView", "CampaignView", "Explanation", "UpgradePage", "HubPage", "ParticipationView"} <= set(VIEWS)
    assert {"Region", "Phase", "SmiStatus", "Gate", "UpgradeState"} <= set(ENUMS)
    assert {"Blocker", "Notification", "OutcomeReport", "HistoryEntry", "Event"} <= set(VIEWS)
    assert set(VIEW_EXTRAS) <= set(VIEWS)
