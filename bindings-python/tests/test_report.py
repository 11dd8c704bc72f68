"""Each party's report (issue 25) from Python: the core's bytes (the same file Rust and the JVM
compare with), scoped to the asker, refused outside its bounds; rendered in headless Chromium
(Debian's `chromium`) to PNG; and the matplotlib charts, byte-stable as SVG."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given, rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
A = ota.Actor.customer("SUP-A")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def fixture() -> ota.Engine:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "rollout_estate.json").read_text()))
    return e


def test_the_report_is_the_cores_bytes_and_is_scoped() -> None:
    html = fixture().report(A, t(5), days=30)
    assert html == (TESTS_DIR / "expected" / "report_rollout_sup_a.html").read_text(encoding="utf-8")
    assert html.count("<svg ") >= 2 and "<script" not in html
    for other in ("SUP-B", "SUP-C", "SUP-D"):
        assert other not in html
    dcc = fixture().report(ota.Actor.DCC, t(5))
    assert "the DCC (the industry)" in dcc
    with pytest.raises(ota.InvalidInputError, match="days"):
        fixture().report(A, t(5), days=0)
    with pytest.raises(ota.InvalidInputError, match="days"):
        fixture().report(A, t(5), days=367)
    with pytest.raises(ota.NotPermittedError):
        fixture().report(ota.Actor.SYSTEM, t(5))


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the browser tests: scripts/test installs Debian's chromium")
        pytest.skip("no chromium on this machine (scripts/test installs it)")
    return found


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render(html_path: Path, png: Path, height: int = 2200) -> bytes:
    """The page as headless Chromium draws it, `png` 1000 px wide."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size=1000,{height}",
             f"--screenshot={png}", html_path.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return png.read_bytes()


def test_each_partys_report_renders_in_a_real_browser(tmp_path: Path) -> None:
    e = rolling()
    for name, actor in (("sup-a", A), ("dcc", ota.Actor.DCC), ("csp-north", ota.Actor.csp(ota.Region.NORTH))):
        page = tmp_path / f"{name}.html"
        page.write_text(e.report(actor, t(5), days=30), encoding="utf-8")
        data = render(page, tmp_path / f"{name}.png")
        assert png_size(data) == (1000, 2200)
        # A drawn page, not a blank one: a white PNG of this size compresses to a few KB.
        assert len(data) > 40_000, f"{name}: {len(data)} bytes"
    keep = os.environ.get("COMMSHUB_OTA_KEEP_PNG")
    if keep:  # to look at the pictures: COMMSHUB_OTA_KEEP_PNG=/tmp/reports pytest ...
        shutil.copytree(tmp_path, keep, dirs_exist_ok=True)


def test_charts_are_matplotlib_figures_and_byte_stable_svg(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from commshub_ota import charts

    e = rolling()
    on = t(5).date()
    pie = e.dpl_pie(A, on, customer="SUP-A")
    assert pie and sum(s.hubs for s in pie) == sum(x.hubs for x in e.dpl(A, on, customer="SUP-A"))
    history = e.dpl_history(A, on - timedelta(days=10), on, customer="SUP-A")
    shares = e.industry_shares(A, on - timedelta(days=10), on)
    progress = {"C2": e.campaign_progress(A, "C2", t(5))}
    figures = {
        "pie": charts.dpl_pie(pie),
        "area": charts.dpl_area(history),
        "shares": charts.shares_area(shares, "CH-N-DB"),
        "progress": charts.campaign_progress(progress),
    }
    for name, fig in figures.items():
        first = charts.save_svg(fig, tmp_path / f"{name}.svg")
        again = charts.save_svg(fig, tmp_path / f"{name}-again.svg")
        assert first == again, name
        assert first.startswith(b"<?xml") and b"<dc:date>" not in first, name
    # The pie's legend table names each slice.
    text = (tmp_path / "pie.svg").read_text()
    assert all(s.label.split(" ")[0] in text for s in pie)


def test_a_pie_is_scoped_as_the_list_is() -> None:
    e = rolling()
    with pytest.raises(ota.NotPermittedError):
        e.dpl_pie(A, date(2026, 1, 6))
    with pytest.raises(ota.NotPermittedError):
        e.dpl_pie(A, date(2026, 1, 6), customer="SUP-D")
    assert e.dpl_pie(ota.Actor.DCC, date(2026, 1, 6))
