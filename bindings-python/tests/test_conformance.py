"""Every conformance scenario, run through the Python binding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import matches, run_scenario, scenario_files


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_scenario(path: Path) -> None:
    steps, problem = run_scenario(json.loads(path.read_text()))
    assert steps > 0
    assert problem is None, problem


def test_there_are_scenarios() -> None:
    assert len(scenario_files()) >= 10


def test_subset_matching_rejects_differences() -> None:
    actual = {"a": 1, "b": [1, {"c": "x", "d": 2}]}
    assert matches({"b": [1, {"c": "x"}]}, actual, "r") is None
    assert matches({"b": [1]}, actual, "r") is not None
    assert matches({"a": 2}, actual, "r") is not None
    assert matches({"z": 1}, actual, "r") is not None
    assert matches({"z": None}, actual, "r") is None
    assert matches({"a": True}, {"a": 1}, "r") is not None
