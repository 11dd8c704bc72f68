"""Checking and converting a caller's values on their way to the core: what the typed methods
(generated into `_generated.py` from the core's schema) and `Engine`'s own methods call. Every
bad value becomes an `InvalidInputError` naming the argument (or an `InvalidIdError` for a
malformed identifier), before anything reaches the core."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Type, TypeVar

from . import _native
from ._native import InvalidInputError

JsonDict = Dict[str, Any]
_T = TypeVar("_T")
_E = TypeVar("_E", bound=Enum)


def _invalid(field: str, reason: str) -> InvalidInputError:
    err = InvalidInputError(f"invalid {field}: {reason}")
    err.kind = "invalid_input"
    err.field = field
    err.reason = reason
    return err


def _text(value: Any, field: str) -> str:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        raise _invalid(field, f"expected a str, got {type(value).__name__}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid(field, "not valid Unicode text (it holds a lone surrogate)") from None
    return value


def _opt_text(value: Any, field: str) -> Optional[str]:
    return None if value is None else _text(value, field)


_MAX_COUNT = 2**63 - 1


def _count(value: Any, field: str, most: int = _MAX_COUNT) -> int:
    """A non-negative whole number up to `most` (the core's counters by default; bool is not a
    number here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, f"expected a non-negative int, got {type(value).__name__}")
    if not 0 <= value <= most:
        raise _invalid(field, f"{value} is not between 0 and {most}")
    return value


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(field, f"expected a bool, got {type(value).__name__}")
    return value


def _number(value: Any, field: str) -> float:
    """A finite number (JSON has no NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(field, f"expected a number, got {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _invalid(field, f"{value} is not a finite number")
    return float(value)


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 time from the core (`...Z` or `...+00:00`) as an aware datetime."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _at(value: Any, field: str = "at") -> datetime:
    if not isinstance(value, datetime):
        raise _invalid(field, f"expected a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _invalid(field, "must be timezone-aware (a naive datetime has no zone)")
    return value


def _time(value: Any, field: str) -> str:
    """A timezone-aware datetime as the core's RFC 3339 text."""
    return _at(value, field).isoformat()


def _date(value: Any, field: str) -> str:
    """A date (not a datetime) as ISO text."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _invalid(field, f"expected a date, got {type(value).__name__}")
    return value.isoformat()


def _id(kind: str, value: Any, field: str) -> str:
    """An identifier parsed as the core parses it, so that a malformed one is an
    `InvalidIdError` quoting it rather than a malformed command or query."""
    return _native.parse_id(kind, _text(value, field))


def _choice(enum: Type[_E], value: Any, field: str) -> Any:
    """A member of `enum` (or its value's text) as its value."""
    if isinstance(value, enum):
        return value.value
    if isinstance(value, str):
        try:
            return enum(value).value
        except ValueError:
            pass
    raise _invalid(field, f"{value!r:.60} is not a {enum.__name__}")


def _each(values: Any, field: str, one: Callable[[Any, str], _T]) -> List[_T]:
    """Each of a sequence (a list, a tuple, any iterable but text or a mapping) converted by `one`."""
    if values is None or isinstance(values, (str, bytes, bytearray, Mapping)):
        raise _invalid(field, f"expected a sequence, got {type(values).__name__}")
    try:
        items = list(values)
    except TypeError:
        raise _invalid(field, f"expected a sequence, got {type(values).__name__}") from None
    return [one(v, f"{field}[{i}]") for i, v in enumerate(items)]


IdPaths = Mapping[str, Mapping[str, str]]


def _view(cls: Type[Any], value: Any, field: str, ids: IdPaths) -> JsonDict:
    """A view (`Variant`, `HubRow`, `OutcomeReport`...) as its JSON form, its identifiers parsed:
    `ids` says, per view, which fields hold an identifier (its kind) or another view (`@Name`)."""
    if not isinstance(value, cls):
        raise _invalid(field, f"expected a {cls.__name__}, got {type(value).__name__}")
    out: JsonDict = _parse_ids(value.to_dict(), cls.__name__, field, ids)
    return out


def _parse_ids(value: Any, view: str, field: str, ids: IdPaths) -> Any:
    paths = ids.get(view)
    if not paths or not isinstance(value, Mapping):
        return value
    out = dict(value)
    for key, kind in paths.items():
        if key not in out:
            continue
        item = out[key]
        if isinstance(item, (list, tuple)):
            out[key] = [_parse_one(v, kind, f"{field}.{key}[{i}]", ids) for i, v in enumerate(item)]
        else:
            out[key] = _parse_one(item, kind, f"{field}.{key}", ids)
    return out


def _parse_one(value: Any, kind: str, field: str, ids: IdPaths) -> Any:
    if value is None:
        return None
    return _parse_ids(value, kind[1:], field, ids) if kind.startswith("@") else _id(kind, value, field)


def _list_of(one: Callable[[Any], _T]) -> Callable[[Any], List[_T]]:
    """An answer's list, each item converted by `one`."""
    return lambda raw: [one(item) for item in raw]


# How deep a command's value may nest: a command's JSON form is a few levels deep.
_MAX_DEPTH = 32


def _encode(value: Any, field: str, depth: int = 0) -> Any:
    """A command's or query's value as its JSON form (a view by its `to_dict()`)."""
    if depth > _MAX_DEPTH:
        raise _invalid(field, f"nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, str) and not isinstance(value, Enum):
        return _text(value, field)
    if isinstance(value, int) and not isinstance(value, (bool, Enum)) and not -_MAX_COUNT - 1 <= value <= _MAX_COUNT:
        raise _invalid(field, f"integer {value} out of range")
    if value is None or isinstance(value, (bool, int)) and not isinstance(value, Enum):
        return value
    if isinstance(value, float):
        # A policy's percentages and ramp factor are numbers with a fraction; JSON has no NaN.
        if value != value or value in (float("inf"), float("-inf")):
            raise _invalid(field, f"{value} is not a finite number")
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _at(value, field).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    to_dict = getattr(value, "to_dict", None)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and callable(to_dict):
        return to_dict()
    if isinstance(value, Mapping):
        return {
            _text(str(k.value if isinstance(k, Enum) else k), field): _encode(v, f"{field}.{k}", depth + 1) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{field}[{i}]", depth + 1) for i, v in enumerate(value)]
    raise _invalid(field, f"cannot use a {type(value).__name__} here")
