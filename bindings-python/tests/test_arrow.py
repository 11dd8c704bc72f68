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


def _columns(n: int) -> dict[str, list[object]]:
    """A small estate as columns, every hub valid (the fixture's variant and firmware)."""
    return {
        "id": [f"00-24-B8-00-00-00-{i // 256:02X}-{i % 256:02X}" for i in range(n)],
        "variant": ["CH-N-DB"] * n,
        "firmware": ["1.1"] * n,
        "smi_status": ["commissioned"] * n,
        "installed_on": ["2024-03-01"] * n,
        "commissioned_on": ["2024-03-02"] * n,
        "import_supplier": ["SUP-A" if i % 2 else "SUP-B" for i in range(n)],
        "gas_supplier": [None if i % 3 else "SUP-C" for i in range(n)],
        "esme_model": ["EM-A1"] * n,
        "esme_firmware": ["3.1"] * n,
        "gsme_model": [None if i % 3 else "GM-K1" for i in range(n)],
        "gsme_firmware": [None if i % 3 else "5.0" for i in range(n)],
        "import_vulnerable": [i % 5 == 0 for i in range(n)],
    }


def _fresh() -> ota.Engine:
    from conformance import given, TESTS_DIR
    import json
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "two_regions.json").read_text()))
    return e


def test_load_estate_takes_a_pyarrow_table_and_a_polars_frame_as_the_lists_do() -> None:
    cols = _columns(300)
    by_lists = _fresh()
    by_lists.load_estate(ota.Actor.DCC, t(1), cols)
    # Dictionary-encoded text columns stay encoded on the way in.
    table = pa.table(cols)
    table = table.set_column(table.schema.get_field_index("variant"), "variant", table["variant"].dictionary_encode())
    by_arrow = _fresh()
    by_arrow.load_estate(ota.Actor.DCC, t(1), table)
    assert by_arrow.same_state_as(by_lists)
    by_polars = _fresh()
    by_polars.load_estate(ota.Actor.DCC, t(1), pl.DataFrame(cols).with_columns(pl.col("firmware").cast(pl.Categorical)))
    assert by_polars.same_state_as(by_lists)
    # Dates as Arrow dates.
    dated = pa.table({**cols, "installed_on": pa.array([datetime(2024, 3, 1).date()] * 300, pa.date32())})
    by_dates = _fresh()
    by_dates.load_estate(ota.Actor.DCC, t(1), dated)
    assert by_dates.same_state_as(by_lists)


def test_a_bad_arrow_cell_is_a_row_error_naming_row_column_and_value() -> None:
    cols = _columns(10)
    cols["firmware"][3] = "9.9"
    cols["id"][7] = "not-a-hub"
    e = _fresh()
    before = e.last_seq
    with pytest.raises(ota.BulkRejectedError) as err:
        e.load_estate(ota.Actor.DCC, t(1), pa.table(cols))
    rows = dict(err.value.rows)
    assert set(rows) == {3, 7}
    assert "9.9" in rows[3] and "not-a-hub" in rows[7]
    assert e.last_seq == before
    # A missing value where one is required (a null id) is a row error too.
    cols = _columns(4)
    cols["id"][1] = None
    with pytest.raises(ota.BulkRejectedError) as err:
        e.load_estate(ota.Actor.DCC, t(1), pa.table(cols))
    assert [r for r, _ in err.value.rows] == [1]
    # A column of a type that cannot be text, or an unknown column: typed, naming it.
    with pytest.raises(ota.InvalidInputError, match="firmware"):
        e.load_estate(ota.Actor.DCC, t(1), pa.table({**_columns(2), "firmware": [1, 2]}))
    with pytest.raises(ota.InvalidInputError, match="colour"):
        e.load_estate(ota.Actor.DCC, t(1), pa.table({**_columns(2), "colour": ["red", "blue"]}))
    with pytest.raises(ota.InvalidInputError, match="installed_on"):
        e.load_estate(ota.Actor.DCC, t(1), pa.table({k: v for k, v in _columns(2).items() if k != "installed_on"}))
    with pytest.raises(ota.InvalidInputError):
        e.load_estate(ota.Actor.DCC, t(1), 42)
