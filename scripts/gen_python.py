#!/usr/bin/env python3
"""Generates the Python binding's typed surface from the core's schema (tests/schema/core.json,
which core/tests/schema.rs keeps equal to what the core derives), so that a command, query or
view added to the core needs no hand edit in the binding: regenerate, and done.

    python3 scripts/gen_python.py           # rewrite the generated modules
    python3 scripts/gen_python.py --check   # exit 1 with a diff when a checked-in one differs

It writes (standard library only; the same bytes for the same schema), under
bindings-python/python/commshub_ota/:

- _enums.py: every string enum of the schema, and an enum of each tagged union's tags, as
  `enum.Enum`s (docstrings from the core's doc comments, a `#:` line per value that has one).
- _views.py: a frozen dataclass per view (what a query answers, what a command takes), in the
  core's JSON shape, with `from_dict` and `to_dict`.
- _generated.py: `EngineMethods`, the mixin `Engine` inherits: one typed method per `Command`
  variant (calling `self._run`) and per `Query` variant (calling `self._ask` and converting the
  answer to its view), except HAND_WRITTEN.

bindings-python/tests/test_generated.py fails when a checked-in module differs from a fresh
generation.

The rules (each applies to every command, query and view; the tables below name only what the
schema cannot say):

1. Names. A command's method is its `type`, a query's its `name`, a view the schema's name of
   its definition. A parameter or field is the JSON name, with `_` appended where that is a
   Python keyword (`from_`; `to` stays) or a method's own `actor` or `at`.
2. Types. An identifier newtype: `str` (in a command or query, parsed by `parse_id` where
   ID_KINDS names its kind, so a malformed one is an `InvalidIdError` quoting it). A string
   enum: the enum (`Region`, in ID_KINDS too, is parsed as an identifier). A view: its class.
   `format: date`: `date`; `format: date-time`: a timezone-aware `datetime`; an unsigned
   integer: `int` (in a command or query from 0 to its format's maximum: 2**63 - 1 for u64, the
   core's counters); boolean: `bool`; number: `float`; array: `Sequence` in (`List` out);
   nullable: `Optional`.
3. Tagged unions (`oneOf` variants each with a constant tag, beside common properties or not)
   are one class: the tag as a field typed by an enum of its values (named `<Union>Kind`, or as
   TAG_ENUMS says; unions with the same tag and values share one), every variant's fields
   beside it (Optional unless every variant has it), and a static constructor per variant named
   by its tag (`PilotVerdict.issues_found(text)`) unless that name is a field's. A union whose
   variants give one field different types is refused (GenError).
4. Defaults. A field or parameter the schema does not require defaults to the schema's
   `default` where that is a literal (null, a bool, a number, a text, an empty array); a view
   field's object default is that view (`HubRow.import_flags`); with no default, an array is
   empty and anything else None. A command's or query's parameter whose default is an object
   is None ("the core's default", said in the docstring). None is left out of the JSON, so that
   the core's own default applies.
5. Positions. Required parameters and fields are positional, in the schema's `required` order
   (the core's declaration order); a lone optional one is positional after them; two or more
   optional ones are keyword-only (the schema lists properties by name, so their order is not
   known). Exception: a command takes all its fields keyword-only, except that a command whose
   only field is a view takes it positionally (`register_variant(actor, at, variant)`).
6. Answers. The schema's `Answer` is an untagged union that does not name its query: the i-th
   `Query` variant is answered by the i-th `Answer` alternative (both in the core's declaration
   order; the counts are checked). A view answers as `View.from_dict(...)`, a list as a list of
   those, a list of identifiers as `List[str]`.
7. Docstrings. The description (the Rust doc comment), rustdoc links made plain code; without
   one, "The `<name>` command." (query), or "The core's `<Name>`." for a view or enum.
8. Which views. Those reachable from the commands' fields (HAND_WRITTEN's aside), the answers
   and EXTRA_ROOTS; HAND_VIEWS are written by hand. A view `X` inherits `XExtras` where
   `_view_extras.py` defines it (hand-written properties, never fields).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Collection, Dict, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "tests/schema/core.json"
PACKAGE = "bindings-python/python/commshub_ota"
ENUMS = f"{PACKAGE}/_enums.py"
VIEWS = f"{PACKAGE}/_views.py"
METHODS = f"{PACKAGE}/_generated.py"
EXTRAS = f"{PACKAGE}/_view_extras.py"

HEADER = "# generated by scripts/gen_python.py from tests/schema/core.json; do not edit.\n"

# --- the rule tables -----------------------------------------------------------------------

# Commands whose method `_engine.py` writes by hand instead, and why.
HAND_WRITTEN: Dict[str, str] = {
    "load_estate": (
        "takes columns (a mapping of lists or iterables, or any Arrow table or frame) rather than a "
        "list of HubRow, through the native columnar path that reports every bad cell by row"
    ),
    "load_estate_table": (
        "hands the dictionary-encoded columns (a mapping) to the native columnar loader; the "
        "core's EstateTable has no Python view"
    ),
}

# Views `_records.py` writes by hand instead, and why.
HAND_VIEWS: Dict[str, str] = {
    "Event": (
        "the binding's record of an event: `seq` is None in a party's answer (the schema says it is "
        "always there), and the payload is a union whose variants give one field different types "
        "(`hub`: a HubRow or a hub id), so it stays JSON"
    ),
}

# Views that no command or query names but `Engine`'s hand-written methods answer with
# (`feed`, `store_info`) or `Event` reads (`refused`).
EXTRA_ROOTS: Tuple[str, ...] = ("FeedPage", "HubRefusal", "StoreInfo")

# Enums of tags under the names the Python API already gave them (otherwise `<Union>Kind`).
TAG_ENUMS: Dict[str, Tuple[str, str]] = {
    "HanHealth": ("HealthReport", "health"),
    "NotificationType": ("Notification", "type"),
    "Outcome": ("OutcomeReport", "outcome"),
    "Visibility": ("SupplierView", "visibility"),
}

# The identifier newtypes `parse_id` parses, by its kind (and `Region`, an enum it reads in any
# case, as `Actor.csp` does).
ID_KINDS: Dict[str, str] = {
    "Actor": "actor",
    "CampaignId": "campaign_id",
    "CustomerId": "customer_id",
    "FirmwareVersion": "firmware_version",
    "HubId": "hub_id",
    "Region": "region",
    "VariantId": "variant_id",
}

# The most a whole number of each format may be (u64: the core's counters are i64). Signed
# formats are the JVM-friendly boundary types (docs/bindings.md); a negative value is refused
# here as it is by the core, so Python keeps one rule: counts and positions are never negative.
UINT_MAX: Dict[str, int] = {
    "uint8": 2**8 - 1, "uint16": 2**16 - 1, "uint32": 2**32 - 1, "uint64": 2**63 - 1,
    "int32": 2**31 - 1, "int64": 2**63 - 1,
}


class GenError(Exception):
    """The schema holds something these rules do not cover: extend the generator."""


Encoder = Callable[[str, str], str]
Decoder = Callable[[str], str]


class ViewType(NamedTuple):
    """How a value of a view's field is typed, read from JSON and written to JSON."""

    annotation: str
    decode: Decoder
    encode: Encoder
    nullable: bool
    kind: str  # "array", "view", "bool", "int", "float" or "scalar"
    ref: Optional[str]


class Field(NamedTuple):
    """A view's field: its JSON and Python names, its schema, whether every value has it."""

    json: str
    py: str
    node: Dict[str, Any]
    required: bool  # in every value of the view
    description: Optional[str]


class Variant(NamedTuple):
    """A union variant's own fields: required (in order), optional, and their schemas."""

    required: List[str]
    optional: List[str]
    nodes: Dict[str, Any]


class TaggedUnion(NamedTuple):
    """A tagged union: its tag, the enum of the tag's values, and its variants."""

    tag: str
    enum: str
    variants: List[Tuple[str, Optional[str], Dict[str, Any], List[str]]]  # value, description, properties, required


def _python_name(name: str, reserved: Collection[str] = ()) -> str:
    return f"{name}_" if keyword.iskeyword(name) or name in reserved else name


def _doc(text: Optional[str]) -> Optional[str]:
    """A Rust doc comment as Python prose: rustdoc links become plain code."""
    if not text:
        return None
    return re.sub(r"\[(`[^`\]]+`)\](?!\()", r"\1", text.strip())


def _wrap(text: str) -> str:
    return textwrap.fill(text, 92, break_long_words=False, break_on_hyphens=False)


def _docstring(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.split("\n")
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    out = f'{indent}"""{lines[0]}'
    if len(lines) > 1:
        out += "\n" + body
    if out.endswith('"'):
        out += "\n" + indent
    return out + '"""\n'


def _comment(text: Optional[str], indent: str) -> str:
    return "".join(f"{indent}#: {line}\n".replace(" \n", "\n") for line in (_doc(text) or "").split("\n") if text)


def _or_none(encode: Encoder) -> Encoder:
    return lambda v, f: f"None if {v} is None else {encode(v, f)}"


def _nullable(node: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The non-null part of a nullable schema, or None if it is not nullable."""
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        return dict(next(a for a in any_of if a != {"type": "null"}))
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        if len(rest) != 1:
            raise GenError(f"a union of types {types} is not covered")
        return {**{k: v for k, v in node.items() if k not in ("type", "default")}, "type": rest[0]}
    return None


def _ref(node: Mapping[str, Any]) -> Optional[str]:
    ref = node.get("$ref")
    return ref.split("/")[-1] if isinstance(ref, str) else None


def _without_aliases(defs: Mapping[str, Any]) -> Dict[str, Any]:
    """`defs` with each alias (a definition that is only a `$ref`, as a core type that shares one
    copy of another is: `SharedTrend`) replaced, wherever it is named, by what it names."""
    aliases = {name: _ref(d) for name, d in defs.items() if _ref(d) is not None and set(d) <= {"$ref", "description"}}

    def target(name: str) -> str:
        seen: Set[str] = set()
        while name in aliases:
            if name in seen:
                raise GenError(f"the aliases {sorted(seen)} name each other")
            seen.add(name)
            name = str(aliases[name])
        return name

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items()}
            ref = _ref(node)
            if ref is not None and ref in aliases:
                out["$ref"] = "#/$defs/" + target(ref)
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    return {name: rewrite(d) for name, d in defs.items() if name not in aliases}


def _literal(value: Any) -> str:
    """A JSON value as Python source."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_literal(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


class Generator:
    def __init__(self, schema: Mapping[str, Any], extras: Set[str]) -> None:
        self.defs: Mapping[str, Any] = _without_aliases(schema["$defs"])
        self.extras = extras  # the `XExtras` classes of _view_extras.py
        self.enums: Set[str] = set()  # the enums the methods use
        self.view_types: Set[str] = set()  # the views the methods use
        self.input_views: Set[str] = set()
        self.helpers: Set[str] = set()
        self.view_helpers: Set[str] = set()
        self.view_enums: Set[str] = set()
        self.tag_enums: Dict[Tuple[str, Tuple[str, ...]], str] = {}
        self.tag_enum_defs: Dict[str, Tuple[Optional[str], List[Tuple[str, Optional[str]]]]] = {}
        self.views = self.reachable_views()

    # --- which definitions are what --------------------------------------------------------
    def string_enum(self, name: str) -> Optional[List[Tuple[str, Optional[str]]]]:
        """A string enum's values with their descriptions, or None if `name` is not one."""
        d = self.defs.get(name, {})
        if d.get("type") == "string" and isinstance(d.get("enum"), list):
            return [(str(v), None) for v in d["enum"]]
        one_of = d.get("oneOf")
        if isinstance(one_of, list) and one_of and all(b.get("type") == "string" and "const" in b for b in one_of):
            return [(str(b["const"]), b.get("description")) for b in one_of]
        return None

    def is_view(self, name: Optional[str]) -> bool:
        """Whether `name` is a definition of the schema that is neither an identifier, an enum nor text."""
        if name is None or name not in self.defs:
            return False
        return name not in ID_KINDS and self.string_enum(name) is None and self.defs[name].get("type") != "string"

    def refs(self, node: Any) -> List[str]:
        """Every definition `node` names, in order."""
        out: List[str] = []
        if isinstance(node, dict):
            ref = _ref(node)
            if ref is not None:
                out.append(ref)
            for key, value in node.items():
                if key != "default":
                    out += self.refs(value)
        elif isinstance(node, list):
            for value in node:
                out += self.refs(value)
        return out

    def reachable_views(self) -> List[str]:
        roots: List[str] = list(EXTRA_ROOTS)
        for variant in self.defs["Command"]["oneOf"]:
            if variant["properties"]["type"]["const"] not in HAND_WRITTEN:
                roots += self.refs(variant["properties"])
        for variant in self.defs["Query"]["oneOf"]:
            roots += self.refs(variant["properties"])
        roots += self.refs(self.defs["Answer"])
        seen: Set[str] = set()
        todo = [r for r in roots if self.is_view(r)]
        while todo:
            name = todo.pop()
            if name in seen or name in HAND_VIEWS:
                continue
            if name not in self.defs:
                raise GenError(f"$ref to {name}, which $defs lacks")
            seen.add(name)
            todo += [r for r in self.refs(self.defs[name]) if self.is_view(r)]
        return sorted(seen)

    # --- tagged unions ---------------------------------------------------------------------
    def union(self, owner: str, d: Mapping[str, Any], nested: bool = False) -> Optional[TaggedUnion]:
        """`d`'s variants and their tag, or None if `d` has no tagged variants."""
        branches = d.get("oneOf")
        if not isinstance(branches, list) or not branches:
            return None
        if not all(isinstance(b, dict) and b.get("type") == "object" for b in branches):
            raise GenError(f"{owner}: variants that are not objects")
        consts = [{k for k, v in b.get("properties", {}).items() if "const" in v} for b in branches]
        tags = set.intersection(*consts)
        if len(tags) != 1:
            raise GenError(f"{owner}: no one tag in its variants ({sorted(tags)})")
        tag = tags.pop()
        variants = [
            (str(b["properties"][tag]["const"]), b.get("description"), dict(b.get("properties", {})), list(b.get("required", [])))
            for b in branches
        ]
        values = tuple(v for v, _, _, _ in variants)
        name = self.tag_enums.get((tag, values))
        if name is None:
            if nested:
                raise GenError(f"{owner}: a nested union on {tag!r} {values} that no enum names")
            name = next((n for n, (u, t) in TAG_ENUMS.items() if (u, t) == (owner, tag)), f"{owner}Kind")
            if name in self.tag_enum_defs or self.string_enum(name) is not None or name in self.defs:
                raise GenError(f"the enum name {name} of {owner}'s tags is taken")
            self.tag_enums[(tag, values)] = name
            about = _doc(self.defs[owner].get("description")) if owner in self.defs else None
            doc = f"The `{tag}` tag of `{owner}`." + (f"\n\n{owner}: {about}" if about else "")
            self.tag_enum_defs[name] = (doc, [(v, about_v) for v, about_v, _, _ in variants])
        return TaggedUnion(tag, name, variants)

    def register_tag_enums(self) -> None:
        """The named tag enums first, so that a union with the same tag and values shares them."""
        for name, (owner, tag) in sorted(TAG_ENUMS.items()):
            union = self.union(owner, self.defs[owner])
            if union is None or union.tag != tag or union.enum != name:
                raise GenError(f"TAG_ENUMS: {owner} is not a union tagged {tag!r}")
        for name in self.views:
            self.union(name, self.defs[name])

    # --- enums module ----------------------------------------------------------------------
    def enums_module(self) -> str:
        enums: Dict[str, Tuple[Optional[str], List[Tuple[str, Optional[str]]]]] = {}
        for name in self.defs:
            values = self.string_enum(name)
            if values is not None:
                enums[name] = (_doc(self.defs[name].get("description")), values)
        for name, definition in self.tag_enum_defs.items():
            if name in enums:
                raise GenError(f"the tag enum {name} is a string enum of the schema already")
            enums[name] = definition
        out = [HEADER, '"""The enumerations of the core\'s schema. Each value is the snake_case name used in JSON and the\nevent log."""\n\n',
               "from __future__ import annotations\n\nfrom enum import Enum\n\n\n",
               "class _StrEnum(str, Enum):\n    def __str__(self) -> str:\n        return str(self.value)\n"]
        for name in sorted(enums):
            about, values = enums[name]
            out.append(f"\n\nclass {name}(_StrEnum):\n")
            out.append(_docstring(about or f"The core's `{name}`.", "    "))
            out.append("\n")
            for value, about_value in values:
                member = value.upper()
                if not member.isidentifier():
                    raise GenError(f"{name}: the value {value!r} makes no Python name")
                out.append(_comment(about_value, "    "))
                out.append(f"    {member} = {json.dumps(value)}\n")
        out.append("\n\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(enums)) + "]\n")
        return "".join(out)

    # --- views module ----------------------------------------------------------------------
    def view_type(self, node: Mapping[str, Any], depth: int = 0) -> ViewType:
        inner = _nullable(node)
        if inner is not None:
            t = self.view_type(inner, depth)
            return t._replace(nullable=True)
        name = _ref(node)
        if name is not None:
            if node.get("x-enum") or self.string_enum(name) is not None:  # x-enum: a tag's enum
                self.view_enums.add(name)
                return ViewType(name, lambda x: f"{name}({x})", lambda v, f: f"{name}({v}).value", False, "scalar", name)
            if name in ID_KINDS or self.defs.get(name, {}).get("type") == "string":
                return ViewType("str", lambda x: x, lambda v, f: v, False, "scalar", name)
            if name in self.views:
                return ViewType(name, lambda x: f"{name}.from_dict({x})", lambda v, f: f"{v}.to_dict()", False, "view", name)
            raise GenError(f"a view names {name}, which is no view here (HAND_VIEWS?)")
        kind, fmt = node.get("type"), node.get("format")
        if kind == "string" and fmt == "date-time":
            self.view_helpers.update({"parse_datetime", "_time"})
            return ViewType("datetime", lambda x: f"parse_datetime({x})", lambda v, f: f"_time({v}, {f})", False, "scalar", None)
        if kind == "string" and fmt == "date":
            self.view_helpers.add("_date")
            return ViewType("date", lambda x: f"date.fromisoformat({x})", lambda v, f: f"_date({v}, {f})", False, "scalar", None)
        if kind == "string" and "const" not in node and "enum" not in node:
            return ViewType("str", lambda x: x, lambda v, f: v, False, "scalar", None)
        if kind == "integer":
            return ViewType("int", lambda x: x, lambda v, f: v, False, "int", None)
        if kind == "number":
            return ViewType("float", lambda x: f"float({x})", lambda v, f: f"float({v})", False, "float", None)
        if kind == "boolean":
            return ViewType("bool", lambda x: x, lambda v, f: v, False, "bool", None)
        if kind == "array" and isinstance(node.get("items"), dict):
            item = self.view_type(node["items"], depth + 1)
            if item.nullable:
                raise GenError(f"an array of nullable items is not covered: {json.dumps(node)}")
            i = f"x{depth}"
            decode_item, encode_item = item.decode(i), item.encode(i, "f")
            decode: Decoder = (lambda x: f"list({x})") if decode_item == i else (lambda x: f"[{decode_item} for {i} in {x}]")
            encode: Encoder = (lambda v, f: f"list({v})") if encode_item == i else (
                lambda v, f: f"[{item.encode(i, f)} for {i} in {v}]")
            return ViewType(f"List[{item.annotation}]", decode, encode, False, "array", item.ref)
        raise GenError(f"no rule for the view field {json.dumps(node)}")

    def fields(self, name: str) -> Tuple[List[Field], Optional[TaggedUnion], List[Field], Dict[str, Variant]]:
        """A view's common fields, its union (if tagged), the fields of its variants, and each
        variant's own required and optional fields."""
        d = self.defs[name]
        common = [
            Field(k, _python_name(k), v, k in d.get("required", []), v.get("description"))
            for k, v in d.get("properties", {}).items()
        ]
        union = self.union(name, d)
        if union is None:
            if d.get("type") != "object":
                raise GenError(f"{name}: neither an object nor a tagged union")
            return common, None, [], {}
        found: Dict[str, Tuple[Dict[str, Any], int, Optional[str]]] = {}

        def add(prop: str, node: Dict[str, Any], required: bool) -> None:
            node_type = self.view_type(node)
            if prop in found:
                seen, count, about = found[prop]
                if self.view_type(seen).annotation != node_type.annotation:
                    raise GenError(f"{name}: its variants give {prop!r} different types")
                if node_type.nullable and not self.view_type(seen).nullable:
                    seen = node
                found[prop] = (seen, count + required, about or node.get("description"))
            else:
                found[prop] = (node, int(required), node.get("description"))

        variants: Dict[str, Variant] = {}
        for (value, _, props, required), branch in zip(union.variants, d["oneOf"]):
            nodes = dict(props)
            for prop, node in props.items():
                if prop != union.tag:
                    add(prop, node, prop in required)
            own_required = [r for r in required if r != union.tag]
            own_optional = [p for p in props if p != union.tag and p not in required]
            nested = self.union(name, branch, nested=True)
            if nested is not None:
                add(nested.tag, {"$ref": f"#/$defs/{nested.enum}", "x-enum": True}, True)
                own_required.append(nested.tag)
                for _, _, nested_props, _ in nested.variants:
                    for prop, node in nested_props.items():
                        if prop != nested.tag:
                            add(prop, node, False)
                            nodes.setdefault(prop, node)
                            if prop not in own_optional:
                                own_optional.append(prop)
            variants[value] = Variant(own_required, own_optional, nodes)
        every = len(union.variants)
        variant_fields = [
            Field(prop, _python_name(prop), node, count == every and not self.view_type(node).nullable, about)
            for prop, (node, count, about) in sorted(found.items())
        ]
        return common, union, variant_fields, variants

    def default(self, cls: str, f: Field, t: ViewType, in_union: bool) -> Tuple[str, str, str]:
        """An optional field's annotation, its dataclass default, and the Python value when absent."""
        annotation = t.annotation
        value = f.node.get("default", ...) if not in_union else None
        if value is ... and t.kind == "array":
            value = []
        if value is None or value is ...:
            return f"Optional[{annotation}]", "None", "None"
        if value == []:
            return annotation, "field(default_factory=list)", "[]"
        if isinstance(value, (bool, int, float, str)):
            source = repr(float(value)) if t.kind == "float" else repr(value)
            return annotation, source, source
        if isinstance(value, dict) and t.kind == "view":
            source = f"{t.ref}.from_dict({_literal(value)})"
            return annotation, f"field(default_factory=lambda: {source})", source
        raise GenError(f"{cls}.{f.json}: no rule for the default {json.dumps(value)}")

    def view_class(self, name: str) -> str:
        d = self.defs[name]
        common, union, variant_fields, variants = self.fields(name)
        if union is not None and any(f.json == union.tag for f in common):
            raise GenError(f"{name}: its tag is a common property too")
        tag_field = (
            [Field(union.tag, _python_name(union.tag), {"$ref": f"#/$defs/{union.enum}", "x-enum": True}, True, None)]
            if union is not None else []
        )
        order = {k: i for i, k in enumerate(d.get("required", []))}
        required = sorted((f for f in common if f.required), key=lambda f: order[f.json])
        required += tag_field + [f for f in variant_fields if f.required]
        optional = sorted([f for f in common if not f.required] + [f for f in variant_fields if not f.required], key=lambda f: f.json)
        in_union = {f.json for f in variant_fields}
        names = [f.py for f in required + optional]
        if len(set(names)) != len(names):
            raise GenError(f"{name}: two fields named alike")
        bases = f"({name}Extras)" if f"{name}Extras" in self.extras else ""
        out = [f"\n\n@dataclass(frozen=True)\nclass {name}{bases}:\n", _docstring(_doc(d.get("description")) or f"The core's `{name}`.", "    "), "\n"]
        decoded, encoded_required, encoded_optional = [], [], []
        kw_only = len(optional) > 1
        for f in required:
            t = self.view_type(f.node)
            annotation = f"Optional[{t.annotation}]" if t.nullable else t.annotation
            out.append(_comment(f.description, "    "))
            out.append(f"    {f.py}: {annotation}\n")
            source = f'd["{f.json}"]'
            decoded.append(f"{f.py}={_or_none_decode(t, source) if t.nullable else t.decode(source)}")
            encode = _or_none(t.encode) if t.nullable else t.encode
            encoded_required.append(f'"{f.json}": {encode(f"self.{f.py}", json.dumps(f"{name}.{f.py}"))}')
        for f in optional:
            t = self.view_type(f.node)
            annotation, default, absent = self.default(name, f, t, f.json in in_union)
            if not annotation.startswith("Optional["):
                encoded_required.append(f'"{f.json}": {t.encode(f"self.{f.py}", json.dumps(f"{name}.{f.py}"))}')
            out.append(_comment(f.description, "    "))
            if kw_only:
                default = f"field(default={default}, kw_only=True)" if not default.startswith("field(") else default[:-1] + ", kw_only=True)"
            out.append(f"    {f.py}: {annotation} = {default}\n")
            get = f'd.get("{f.json}")'
            if t.decode(get) == get and absent == "None":
                decoded.append(f"{f.py}={get}")
            else:
                decoded.append(f"{f.py}={absent} if (v := {get}) is None else {t.decode('v')}")
            if annotation.startswith("Optional["):
                encoded_optional.append((f, t))
        by_json = {f.json: f for f in required + optional}
        common_names = [f.json for f in required + optional if f.json in {c.json for c in common}]
        out.append(self.constructors(name, union, by_json, common_names, variants))
        out.append(f"\n    @staticmethod\n    def from_dict(d: Mapping[str, Any]) -> {name}:\n")
        out.append(f'        """A `{name}` from its JSON form."""\n')
        out.append(f"        return {name}(\n" + "".join(f"            {x},\n" for x in decoded) + "        )\n")
        out.append("\n    def to_dict(self) -> JsonDict:\n")
        out.append('        """Its JSON form (a field that is None left out)."""\n')
        literal = "{" + ", ".join(encoded_required) + "}"
        if len(literal) > 90:
            literal = "{\n" + "".join(f"            {e},\n" for e in encoded_required) + "        }"
        if encoded_optional:
            out.append(f"        out: JsonDict = {literal}\n")
            for f, t in encoded_optional:
                field_name = json.dumps(f"{name}.{f.py}")
                out.append(f"        if self.{f.py} is not None:\n")
                out.append(f'            out["{f.json}"] = {t.encode(f"self.{f.py}", field_name)}\n')
            out.append("        return out\n")
        else:
            out.append(f"        return {literal}\n")
        return "".join(out)

    def constructors(self, name: str, union: Optional[TaggedUnion], fields: Dict[str, Field], common: List[str],
                     variants: Dict[str, Variant]) -> str:
        """A static constructor per variant, named by its tag, taking the common fields and the
        variant's own (required ones positional)."""
        if union is None:
            return ""
        taken = {f.py for f in fields.values()} | {"from_dict", "to_dict"}
        out = []
        for value, about, _, _ in union.variants:
            method = _python_name(value)
            if method in taken:
                continue
            own = variants[value]
            required = [j for j in common if fields[j].required] + own.required
            optional = sorted([j for j in common if not fields[j].required] + own.optional)

            def annotation(j: str, optional: bool) -> str:
                t = self.view_type(own.nodes.get(j, fields[j].node))
                return f"Optional[{t.annotation}]" if optional or t.nullable else t.annotation

            declared = [f"{fields[j].py}: {annotation(j, False)}" for j in required]
            declared += (["*"] if len(optional) > 1 else []) + [f"{fields[j].py}: {annotation(j, True)} = None" for j in optional]
            args = [f"{fields[union.tag].py}={union.enum}.{value.upper()}"] + [f"{fields[j].py}={fields[j].py}" for j in required + optional]
            signature = f"    def {method}({', '.join(declared)}) -> {name}:\n"
            if len(signature) > 120:
                signature = f"    def {method}(\n" + "".join(f"        {p},\n" for p in declared) + f"    ) -> {name}:\n"
            call = f"        return {name}({', '.join(args)})\n"
            if len(call) > 120:
                call = f"        return {name}(\n" + "".join(f"            {a},\n" for a in args) + "        )\n"
            doc = _doc(about) or f"The `{value}` kind of `{name}`."
            out.append("\n    @staticmethod\n" + signature + _docstring(doc, "        ") + call)
        return "".join(out)

    def views_module(self) -> str:
        classes = [self.view_class(name) for name in self.views]
        helpers = sorted(self.view_helpers)
        extras = sorted(f"{n}Extras" for n in self.views if f"{n}Extras" in self.extras)
        head = [
            HEADER,
            '"""The views: what queries answer and commands take, each a frozen dataclass in the core\'s JSON\n'
            "shape (`from_dict` reads it, `to_dict` writes it): times as timezone-aware datetimes, dates as\n"
            "dates, nested views typed, a tagged union as one class with its tag as an enum. See\n"
            'scripts/gen_python.py for the rules."""\n\n',
            "from __future__ import annotations\n\n",
            "from dataclasses import dataclass, field\n",
            "from datetime import date, datetime\n" if "_date" in helpers else "from datetime import datetime\n",
            "from typing import Any, List, Mapping, Optional\n\n",
            "from ._convert import " + ", ".join(["JsonDict", *helpers]) + "\n",
            "from ._enums import " + ", ".join(sorted(self.view_enums)) + "\n",
        ]
        if extras:
            head.append("from ._view_extras import " + ", ".join(extras) + "\n")
        tail = "\n\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in self.views) + "]\n"
        return "".join(head) + "".join(classes) + tail

    # --- methods: types --------------------------------------------------------------------
    def resolve(self, node: Mapping[str, Any]) -> Tuple[str, Encoder]:
        """A parameter's Python annotation, and how its value is checked into its JSON form."""
        inner = _nullable(node)
        if inner is not None:
            annotation, encode = self.resolve(inner)
            return f"Optional[{annotation}]", _or_none(encode)
        name = _ref(node)
        if name is not None:
            return self.resolve_ref(name)
        kind = node.get("type")
        fmt = node.get("format")
        if kind == "string" and fmt == "date-time":
            return self.helper("datetime", "_time")
        if kind == "string" and fmt == "date":
            return self.helper("date", "_date")
        if kind == "string" and fmt is None and "enum" not in node and "const" not in node:
            return self.helper("str", "_text")
        if kind == "integer" and isinstance(fmt, str) and fmt in UINT_MAX:
            self.helpers.add("_count")
            most = UINT_MAX[fmt]
            bound = "" if fmt in ("uint64", "int64") else f", {most}"
            return "int", lambda v, f: f"_count({v}, {f}{bound})"
        if kind == "boolean":
            return self.helper("bool", "_flag")
        if kind == "number":
            return self.helper("float", "_number")
        if kind == "array" and isinstance(node.get("items"), dict):
            annotation, encode = self.resolve(node["items"])
            self.helpers.add("_each")
            return f"Sequence[{annotation}]", lambda v, f: f"_each({v}, {f}, lambda x, f: {encode('x', 'f')})"
        raise GenError(f"no rule for the schema {json.dumps(node)}")

    def helper(self, annotation: str, helper: str) -> Tuple[str, Encoder]:
        self.helpers.add(helper)
        return annotation, lambda v, f: f"{helper}({v}, {f})"

    def resolve_ref(self, name: str) -> Tuple[str, Encoder]:
        if self.string_enum(name) is not None:
            self.enums.add(name)
            if name in ID_KINDS:  # an enum `parse_id` also reads (any case): parsed as before
                self.helpers.add("_id")
                return name, lambda v, f: f'_id("{ID_KINDS[name]}", {v}, {f})'
            self.helpers.add("_choice")
            return name, lambda v, f: f"_choice({name}, {v}, {f})"
        if name in ID_KINDS:
            self.helpers.add("_id")
            return "str", lambda v, f: f'_id("{ID_KINDS[name]}", {v}, {f})'
        d = self.defs.get(name)
        if d is None:
            raise GenError(f"$ref to {name}, which $defs lacks")
        if d.get("type") == "string":
            return self.helper("str", "_text")
        self.need_view(name)
        self.input_views.add(name)
        self.helpers.add("_view")
        return name, lambda v, f: f"_view({name}, {v}, {f}, VIEW_IDS)"

    def need_view(self, name: str) -> None:
        if name not in self.views and name not in HAND_VIEWS:
            raise GenError(f"the schema's {name} is no view here")
        self.view_types.add(name)

    # --- the identifiers inside views ----------------------------------------------------
    def properties(self, d: Mapping[str, Any]) -> Dict[str, Any]:
        """Every property a value of this definition may have (its variants' too)."""
        out = dict(d.get("properties", {}))
        for key in ("oneOf", "anyOf", "allOf"):
            for part in d.get(key, []):
                ref = _ref(part)
                out.update(self.properties(self.defs[ref]) if ref else self.properties(part))
        return out

    def id_target(self, node: Mapping[str, Any], seen: Set[str]) -> Optional[str]:
        inner = _nullable(node)
        if inner is not None:
            return self.id_target(inner, seen)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            return self.id_target(node["items"], seen)
        name = _ref(node)
        if name is None:
            return None
        if name in ID_KINDS:
            return ID_KINDS[name]
        if self.is_view(name) and name not in seen and self.id_paths(name, seen | {name}):
            return f"@{name}"
        return None

    def id_paths(self, view: str, seen: Set[str]) -> Dict[str, str]:
        out = {}
        for prop, node in sorted(self.properties(self.defs[view]).items()):
            target = self.id_target(node, seen)
            if target is not None:
                out[prop] = target
        return out

    def view_ids(self) -> Dict[str, Dict[str, str]]:
        todo, out = sorted(self.input_views), {}
        while todo:
            view = todo.pop()
            if view in out:
                continue
            paths = self.id_paths(view, {view})
            if paths:
                out[view] = paths
                todo += [t[1:] for t in paths.values() if t.startswith("@")]
        return dict(sorted(out.items()))

    # --- methods -------------------------------------------------------------------------
    def params(
        self, branch: Mapping[str, Any], tag: str, reserved: Set[str]
    ) -> Tuple[List[Tuple[str, str, str, Optional[str], str]], List[str]]:
        """(json name, python name, annotation, default or None, encoded value) per field, and
        the docstring's notes on defaults."""
        props = {k: v for k, v in branch.get("properties", {}).items() if k != tag}
        required = [r for r in branch.get("required", []) if r != tag]
        order = required + sorted(p for p in props if p not in required)
        out, notes = [], []
        for name in order:
            node = props[name]
            py = _python_name(name, reserved)
            annotation, encode = self.resolve(node)
            default: Optional[str] = None
            if name not in required:
                value = node.get("default")
                if value is None or value == []:
                    default = "()" if value == [] else "None"
                elif isinstance(value, (bool, int, float, str)):
                    default = repr(value)
                else:
                    default = "None"
                    notes.append(_wrap(f"`{py}=None`: the core's default, `{json.dumps(value, sort_keys=True)}`."))
                if default == "None" and not annotation.startswith("Optional["):
                    annotation = f"Optional[{annotation}]"
                    encode = _or_none(encode)
            about = _doc(node.get("description"))
            if about:
                notes.append(_wrap(f"`{py}`: {about}"))
            out.append((name, py, annotation, default, encode(py, json.dumps(py))))
        return out, notes

    def signature(self, name: str, head: Sequence[str], positional: Sequence[str], keyword_only: Sequence[str], returns: str) -> str:
        parts = ["self", *head, *positional] + (["*", *keyword_only] if keyword_only else [])
        line = f"    def {name}({', '.join(parts)}) -> {returns}:\n"
        if len(line) <= 120:
            return line
        return f"    def {name}(\n" + "".join(f"        {p},\n" for p in parts) + f"    ) -> {returns}:\n"

    @staticmethod
    def call(head: str, fields: Sequence[Tuple[str, str]]) -> str:
        args = [f"**{{{json.dumps(k)}: {v}}}" if keyword.iskeyword(k) else f"{k}={v}" for k, v in fields]
        line = f"        return {head}{', ' if args else ''}{', '.join(args)})\n"
        if len(line) <= 120:
            return line
        return f"        return {head},\n" + "".join(f"            {a},\n" for a in args) + "        )\n"

    def command(self, branch: Mapping[str, Any]) -> str:
        tag = branch["properties"]["type"]["const"]
        params, notes = self.params(branch, "type", {"self", "actor", "at"})
        lone_view = len(params) == 1 and params[0][3] is None and self.is_view(_ref(branch["properties"][params[0][0]]))
        declared = [f"{py}: {annotation}" + (f" = {default}" if default is not None else "") for _, py, annotation, default, _ in params]
        positional, keyword_only = (declared, []) if lone_view else ([], declared)
        doc = "\n\n".join([_doc(branch.get("description")) or f"The `{tag}` command.", *notes])
        return (
            self.signature(tag, ["actor: str", "at: datetime"], positional, keyword_only, "List[Event]")
            + _docstring(doc, "        ")
            + self.call(f'self._run(actor, at, "{tag}"', [(name, value) for name, _, _, _, value in params])
        )

    def answer(self, node: Mapping[str, Any], query: str) -> Tuple[str, str]:
        name = _ref(node)
        if name is not None and self.is_view(name):
            self.need_view(name)
            return name, f"{name}.from_dict"
        if node.get("type") == "string":
            return "str", "str"
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            item = _ref(node["items"])
            self.helpers.add("_list_of")
            if item is not None and self.is_view(item):
                self.need_view(item)
                return f"List[{item}]", f"_list_of({item}.from_dict)"
            if item in ID_KINDS or node["items"].get("type") == "string":
                return "List[str]", "_list_of(str)"
        raise GenError(f"{query}: no rule for the answer {json.dumps(node)}")

    def query(self, branch: Mapping[str, Any], answer: Mapping[str, Any]) -> str:
        tag = branch["properties"]["name"]["const"]
        params, notes = self.params(branch, "name", {"self", "actor"})
        returns, convert = self.answer(answer, tag)
        declared = [f"{py}: {annotation}" + (f" = {default}" if default is not None else "") for _, py, annotation, default, _ in params]
        optional = [p for p, (_, _, _, default, _) in zip(declared, params) if default is not None]
        required = declared[: len(declared) - len(optional)]
        positional, keyword_only = (required + optional, []) if len(optional) <= 1 else (required, optional)
        doc = "\n\n".join([_doc(branch.get("description")) or f"The `{tag}` query.", *notes])
        return (
            self.signature(tag, ["actor: str"], positional, keyword_only, returns)
            + _docstring(doc, "        ")
            + self.call(f'self._ask(actor, "{tag}", {convert}', [(name, value) for name, _, _, _, value in params])
        )

    def methods_module(self) -> str:
        commands = self.defs["Command"]["oneOf"]
        queries = self.defs["Query"]["oneOf"]
        answers = self.defs["Answer"]["anyOf"]
        if len(queries) != len(answers):
            raise GenError(f"{len(queries)} queries but {len(answers)} answers: the pairing by position (rule 6) fails")
        tags = [c["properties"]["type"]["const"] for c in commands] + [q["properties"]["name"]["const"] for q in queries]
        twice = sorted({t for t in tags if tags.count(t) > 1})
        if twice:
            raise GenError(f"a command and a query share the name {twice}")
        unknown = sorted(set(HAND_WRITTEN) - set(tags))
        if unknown:
            raise GenError(f"HAND_WRITTEN names {unknown}, which the schema does not have")
        body = [self.command(c) for c in commands if c["properties"]["type"]["const"] not in HAND_WRITTEN]
        body += [self.query(q, a) for q, a in zip(queries, answers)]
        view_ids = self.view_ids()
        table = "".join(
            f"    {json.dumps(view)}: {{{', '.join(f'{json.dumps(k)}: {json.dumps(v)}' for k, v in paths.items())}}},\n"
            for view, paths in view_ids.items()
        )
        views = sorted(v for v in self.view_types if v not in HAND_VIEWS)
        helpers = sorted(self.helpers)
        out = [
            HEADER,
            '"""`Engine`\'s typed commands and queries: one method per variant of the core\'s `Command` and\n'
            "`Query`, with the variant's fields as parameters and its doc comment as docstring. See\n"
            'scripts/gen_python.py for the rules."""\n\n',
            "from __future__ import annotations\n\n",
            "from datetime import date, datetime\n" if "_date" in helpers else "from datetime import datetime\n",
            "from typing import Any, Callable, Dict, List, Optional, Sequence, TypeVar\n\n",
            "from ._convert import " + ", ".join(helpers) + "\n",
            "from ._enums import " + ", ".join(sorted(self.enums)) + "\n",
            "from ._records import Event\n",
            "from ._views import " + ", ".join(views) + "\n\n",
            '_T = TypeVar("_T")\n\n',
            "# The commands `_engine.py` writes by hand (see HAND_WRITTEN in scripts/gen_python.py).\n",
            "HAND_WRITTEN = (" + "".join(f'"{t}", ' for t in sorted(HAND_WRITTEN)).rstrip(" ") + ")\n\n",
            "# Per view a command takes: the fields that hold an identifier (its `parse_id` kind) or a\n",
            "# view holding one (`@View`), parsed before the command is built.\n",
            "VIEW_IDS: Dict[str, Dict[str, str]] = {\n" + table + "}\n\n\n",
            "class EngineMethods:\n",
            '    """The typed commands (each answers with the events it recorded) and queries (each answers\n'
            "    with its view, scoped to the asking actor). Every refusal is a `CommsHubOtaError` subclass,\n"
            '    and a refused command changes nothing."""\n\n',
            "    def _run(self, actor: str, at: datetime, type_: str, **fields: Any) -> List[Event]:\n",
            "        raise NotImplementedError\n\n",
            "    def _ask(self, actor: str, name: str, answer: Callable[[Any], _T], **fields: Any) -> _T:\n",
            "        raise NotImplementedError\n",
        ]
        for method in body:
            out.append("\n" + method)
        return "".join(out)


def _or_none_decode(t: ViewType, source: str) -> str:
    return f"None if {source} is None else {t.decode(source)}"


def python_extras(source: str) -> Set[str]:
    """The `XExtras` classes of `_view_extras.py`."""
    return {node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name.endswith("Extras")}


def generate(root: Path = ROOT) -> Dict[str, str]:
    """Each generated module's path (relative to `root`) and text."""
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    extras_path = root / EXTRAS
    extras = python_extras(extras_path.read_text(encoding="utf-8")) if extras_path.exists() else set()
    gen = Generator(schema, extras)
    gen.register_tag_enums()
    views = gen.views_module()
    methods = gen.methods_module()
    return {ENUMS: gen.enums_module(), VIEWS: views, METHODS: methods}


def main(argv: Optional[Sequence[str]] = None, root: Path = ROOT) -> int:
    """The command line; `root` is the repository (another one in tests)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 with a diff when a checked-in module differs")
    args = parser.parse_args(argv)
    try:
        outputs = generate(root)
    except GenError as err:
        print(f"gen_python: {err}", file=sys.stderr)
        return 2
    stale = []
    for rel, text in outputs.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        stale.append(rel)
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {rel}")
    if args.check and stale:
        print(f"gen_python: {', '.join(stale)} differ from {SCHEMA}: run python3 scripts/gen_python.py", file=sys.stderr)
        return 1
    if not stale:
        print("gen_python: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
