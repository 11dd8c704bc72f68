"""The README's Python snippet runs as written: it is taken from README.md and executed."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_has_one_python_snippet() -> None:
    assert len(python_blocks(README.read_text())) == 1


def test_the_readme_python_snippet_runs_and_prints_what_it_says() -> None:
    (snippet,) = python_blocks(README.read_text())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, str(README), "exec"), {"__name__": "readme"})
    lines = out.getvalue().splitlines()
    # The refusal was caught and printed, then the one variant the snippet registered.
    assert lines[0].startswith("not_permitted customer:SUPPLIER-01 ")
    assert lines[1] == "['CH-N-DB']"
