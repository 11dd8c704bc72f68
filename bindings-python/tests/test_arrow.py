"""Columnar answers through the Arrow PyCapsule interface (issue 14): read by pyarrow and
Polars without the package depending on either (both are test dependencies only)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import rolling

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
CSP = ota.Actor.csp(ota.Region.NORTH)


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def test_the_arrow_upgrade_list_is_the_paged_list_whole() -> None:
    e = rolling()
    page = e.upgrade_list(CSP, ota.Region.NORTH, t(3), limit=100_000)
    table = e.upgrade_list_arrow(CSP, ota.Region.NORTH, t(3))
    assert table.num_rows == page.total == len(table) > 3
    assert table.column_names == ["hub", "campaign", "next_version", "target", "nominated", "variant", "firmware", "configuration_set"]
    arrow = pa.table(table)
    assert arrow.num_rows == page.total
    assert pa.types.is_dictionary(arrow.schema.field("campaign").type)
    rows = arrow.to_pylist()
    for row, entry in zip(rows, page.entries):
        assert row["hub"] == entry.hub
        assert row["campaign"] == entry.campaign
        assert row["next_version"] == entry.next_version
        assert row["target"] == entry.target
        assert row["nominated"] == entry.nominated
        assert entry.configuration_set is not None
        assert row["variant"] == entry.configuration_set.variant
        assert row["firmware"] == entry.configuration_set.firmware
    # Polars reads the same stream; each call to the capsule is a new stream.
    frame = pl.DataFrame(table)
    assert frame.height == page.total
    assert frame["hub"].to_list() == [x.hub for x in page.entries]
    assert frame.filter(pl.col("nominated")).height == sum(x.nominated for x in page.entries)
    assert "ArrowTable" in repr(table)


def test_the_arrow_upgrade_list_is_refused_as_the_paged_one_is() -> None:
    e = rolling()
    with pytest.raises(ota.NotPermittedError):
        e.upgrade_list_arrow(ota.Actor.customer("SUP-A"), ota.Region.NORTH, t(3))
    with pytest.raises(ota.InvalidIdError):
        e.upgrade_list_arrow(CSP, "atlantis", t(3))
    with pytest.raises(ota.InvalidInputError):
        e.upgrade_list_arrow(CSP, ota.Region.NORTH, datetime(2026, 1, 4))
    empty = e.upgrade_list_arrow(ota.Actor.DCC, ota.Region.SOUTH, t(3))
    assert pa.table(empty).num_rows == 0 and pl.DataFrame(empty).width == 8


def test_the_arrow_customer_estate_is_the_row_view_flattened() -> None:
    e = rolling()
    a = ota.Actor.customer("SUP-A")
    views = e.customer_estate(a, "SUP-A")
    frame = pl.DataFrame(e.customer_estate_arrow(a, "SUP-A"))
    assert frame.height == len(views) > 5
    assert frame["hub"].to_list() == [v.id for v in views]
    assert frame["firmware"].cast(pl.Utf8).to_list() == [v.firmware for v in views]
    assert frame["installed_on"].to_list() == [v.installed_on for v in views]
    split = frame.filter(pl.col("split_supply"))
    # The other supplier of a split hub is hidden from SUP-A, and so are its flags.
    assert split.height >= 1
    assert set(split["gas_supplier"].cast(pl.Utf8).to_list()) == {"hidden"}
    assert split["gas_vulnerable"].null_count() == split.height
    # The DCC sees every supplier by name.
    dcc = pl.DataFrame(e.customer_estate_arrow(ota.Actor.DCC, "SUP-A"))
    assert "hidden" not in dcc["gas_supplier"].cast(pl.Utf8).to_list()
    with pytest.raises(ota.NotPermittedError):
        e.customer_estate_arrow(a, "SUP-D")
    with pytest.raises(ota.InvalidIdError):
        e.customer_estate_arrow(a, "")
