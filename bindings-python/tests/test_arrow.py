"""Columnar answers through the Arrow PyCapsule interface (issue 14): read by pyarrow and
Polars without the package depending on either (both are test dependencies only)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

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
    table = e.query_arrow(CSP, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": t(3)})
    assert table.num_rows == page.total == len(table) > 3
    assert table.column_names == ["hub", "campaign", "next_version", "target", "nominated", "variant", "firmware", "configuration_set"]
    arrow = pa.table(table)
    assert arrow.num_rows == page.total
    assert pa.types.is_dictionary(arrow.schema.field("campaign").type)
    rows = arrow.to_pylist()
    for row, entry in zip(rows, page.entries):
        assert row["hub"] == ota.hub_number(entry.hub)
        assert ota.hub_text(row["hub"]) == entry.hub
        assert row["campaign"] == entry.campaign
        assert row["next_version"] == entry.next_version
        assert row["target"] == entry.target
        assert row["nominated"] == entry.nominated
        assert entry.configuration_set is not None
        assert row["variant"] == entry.configuration_set.variant
        assert row["firmware"] == entry.configuration_set.firmware
    # pandas reads it too (its own PyCapsule reader where it has one, else through pyarrow).
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame.from_arrow(table) if hasattr(pd.DataFrame, "from_arrow") else arrow.to_pandas()
    assert list(df["hub"]) == [ota.hub_number(x.hub) for x in page.entries]
    # Polars reads the same stream; each call to the capsule is a new stream.
    frame = pl.DataFrame(table)
    assert frame.height == page.total
    assert frame.schema["hub"] == pl.UInt64
    assert frame["hub"].to_list() == [ota.hub_number(x.hub) for x in page.entries]
    # The canonical text, for whoever wants it, in one call.
    texted = pl.DataFrame(table.with_hub_text())
    assert texted["hub"].to_list() == [x.hub for x in page.entries]
    assert texted.drop("hub").equals(frame.drop("hub"))
    assert frame.filter(pl.col("nominated")).height == sum(x.nominated for x in page.entries)
    assert "ArrowTable" in repr(table)


def test_the_arrow_upgrade_list_is_refused_as_the_paged_one_is() -> None:
    e = rolling()
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(ota.Actor.customer("SUP-A"), {"name": "upgrade_list", "region": ota.Region.NORTH, "at": t(3)})
    # The question is JSON: a value that does not parse is invalid input, naming it.
    with pytest.raises(ota.InvalidInputError, match="atlantis"):
        e.query_arrow(CSP, {"name": "upgrade_list", "region": "atlantis", "at": t(3)})
    with pytest.raises(ota.InvalidInputError, match="upgrade_lists"):
        e.query_arrow(CSP, {"name": "upgrade_lists", "region": "north", "at": t(3)})
    with pytest.raises(ota.InvalidInputError, match="query"):
        e.query_arrow(CSP, ["upgrade_list"])  # type: ignore[arg-type]
    with pytest.raises(ota.InvalidInputError):
        e.query_arrow(CSP, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": datetime(2026, 1, 4)})
    empty = e.query_arrow(ota.Actor.DCC, {"name": "upgrade_list", "region": ota.Region.SOUTH, "at": t(3)})
    assert pa.table(empty).num_rows == 0 and pl.DataFrame(empty).width == 8


def test_the_arrow_customer_estate_is_the_row_view_flattened() -> None:
    e = rolling()
    a = ota.Actor.customer("SUP-A")
    views = e.customer_estate(a, "SUP-A")
    frame = pl.DataFrame(e.query_arrow(a, {"name": "customer_estate", "customer": "SUP-A"}))
    assert frame.height == len(views) > 5
    assert frame["hub"].to_list() == [ota.hub_number(v.id) for v in views]
    assert frame["firmware"].cast(pl.Utf8).to_list() == [v.firmware for v in views]
    assert frame["installed_on"].to_list() == [v.installed_on for v in views]
    split = frame.filter(pl.col("split_supply"))
    # The other supplier of a split hub is hidden from SUP-A, and so are its flags.
    assert split.height >= 1
    assert set(split["gas_visibility"].cast(pl.Utf8).to_list()) == {"hidden"}
    assert split["gas_supplier"].null_count() == split.height
    assert split["gas_vulnerable"].null_count() == split.height
    # The DCC sees every supplier by name.
    dcc = pl.DataFrame(e.query_arrow(ota.Actor.DCC, {"name": "customer_estate", "customer": "SUP-A"}))
    assert "hidden" not in dcc["gas_visibility"].cast(pl.Utf8).to_list()
    assert dcc.filter(pl.col("gas_visibility") == "known")["gas_supplier"].null_count() == 0
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(a, {"name": "customer_estate", "customer": "SUP-D"})
    with pytest.raises(ota.InvalidInputError, match="customer id"):
        e.query_arrow(a, {"name": "customer_estate", "customer": ""})


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


def test_every_dictionary_key_type_loads_as_the_lists_do() -> None:
    # int32 keys (pyarrow's default) and uint32 (Polars') are read in place, others through
    # normalized keys; a null key is a missing value, as a null cell is.
    cols = _columns(60)
    by_lists = _fresh()
    by_lists.load_estate(ota.Actor.DCC, t(1), cols)
    for key_type in (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()):
        table = pa.table(cols)
        for name in ("import_supplier", "gas_supplier", "gsme_model", "gsme_firmware", "esme_model"):
            values = [v for v in dict.fromkeys(cols[name]) if v is not None]
            keys = pa.array([None if v is None else values.index(v) for v in cols[name]], key_type)
            encoded = pa.DictionaryArray.from_arrays(keys, pa.array(values, pa.string()))
            table = table.set_column(table.schema.get_field_index(name), name, encoded)
        e = _fresh()
        e.load_estate(ota.Actor.DCC, t(1), table)
        assert e.same_state_as(by_lists), key_type


def test_pandas_frames_and_their_missing_values_load_both_ways() -> None:
    pd = pytest.importorskip("pandas")
    import numpy as np
    cols = _columns(6)
    df = pd.DataFrame(cols)
    df.loc[2, "gas_supplier"] = np.nan  # pandas' gap in a text column
    df["commissioned_on"] = pd.to_datetime(df["commissioned_on"])  # datetime64: Arrow timestamps
    df.loc[4, "commissioned_on"] = pd.NaT
    df.loc[4, "smi_status"] = "installed_not_commissioned"
    by_frame = _fresh()
    by_frame.load_estate(ota.Actor.DCC, t(1), df)  # through pandas' __arrow_c_stream__
    by_lists = _fresh()
    by_lists.load_estate(ota.Actor.DCC, t(1), df.to_dict("list"))  # NaN and NaT in lists
    assert by_frame.same_state_as(by_lists)
    ids = [str(i) for i in cols["id"]]
    hub2, hub4 = by_lists.hub(ota.Actor.DCC, ids[2]), by_lists.hub(ota.Actor.DCC, ids[4])
    assert hub2.gas_supplier.visibility is ota.Visibility.VACANT and hub4.commissioned_on is None
    assert str(by_frame.hub(ota.Actor.DCC, ids[3]).commissioned_on) == "2024-03-02"


def test_a_cell_of_the_wrong_type_in_a_list_names_its_row_and_value() -> None:
    cols = _columns(4)
    cols["gas_supplier"] = ["SUP-C", float("nan"), 1.5, None]
    with pytest.raises(ota.InvalidInputError, match=r"gas_supplier: row 2: expected str or None, got float 1.5"):
        _fresh().load_estate(ota.Actor.DCC, t(1), cols)
    cols = _columns(4)
    cols["installed_on"] = ["2024-03-01", float("nan"), 7, "2024-03-01"]
    with pytest.raises(ota.InvalidInputError, match=r"installed_on: row 2: expected a date or an ISO date string, got int 7"):
        _fresh().load_estate(ota.Actor.DCC, t(1), cols)
    # NaN alone is a gap: here a missing required date, a row error.
    cols["installed_on"][2] = "2024-03-01"
    with pytest.raises(ota.BulkRejectedError) as err:
        _fresh().load_estate(ota.Actor.DCC, t(1), cols)
    assert [r for r, _ in err.value.rows] == [1]


class _ArrayOnly:
    """An object that offers only the Arrow C data interface's `__arrow_c_array__`."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __arrow_c_array__(self, requested_schema: object = None) -> object:
        return self.inner.__arrow_c_array__(requested_schema)  # type: ignore[attr-defined]


def test_load_estate_takes_a_record_batch_through_arrow_c_array() -> None:
    cols = _columns(50)
    by_lists = _fresh()
    by_lists.load_estate(ota.Actor.DCC, t(1), cols)
    by_batch = _fresh()
    by_batch.load_estate(ota.Actor.DCC, t(1), _ArrayOnly(pa.RecordBatch.from_pydict(cols)))
    assert by_batch.same_state_as(by_lists)
    # A bad cell is a row error here too; an array that is not a table is refused, typed.
    bad = dict(cols, firmware=["1.1"] * 49 + ["9.9"])
    with pytest.raises(ota.BulkRejectedError) as err:
        _fresh().load_estate(ota.Actor.DCC, t(1), _ArrayOnly(pa.RecordBatch.from_pydict(bad)))
    assert [r for r, _ in err.value.rows] == [49]
    with pytest.raises(ota.InvalidInputError, match="struct"):
        _fresh().load_estate(ota.Actor.DCC, t(1), _ArrayOnly(pa.array([1, 2, 3])))
    # A null row of the struct is refused, typed (it used to panic inside arrow-rs).
    batch = pa.RecordBatch.from_pydict(_columns(3))
    nulled = pa.StructArray.from_arrays(batch.columns, names=batch.schema.names, mask=pa.array([False, True, False]))
    with pytest.raises(ota.InvalidInputError, match="row 1"):
        _fresh().load_estate(ota.Actor.DCC, t(1), _ArrayOnly(nulled))


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
    # An empty table's schema is checked too (its stream holds no batch); valid, it loads nothing.
    empty = {k: pa.array([], pa.string()) for k in _columns(1)}
    with pytest.raises(ota.InvalidInputError, match="colour"):
        e.load_estate(ota.Actor.DCC, t(1), pa.table({**empty, "colour": pa.array([], pa.string())}))
    with pytest.raises(ota.InvalidInputError, match="at least one hub"):
        e.load_estate(ota.Actor.DCC, t(1), pa.table(empty))


# --- the other bulk answers (issue 14): each frame is the row answer, scoped the same ---

DCC = ota.Actor.DCC
A = ota.Actor.customer("SUP-A")
D = ota.Actor.customer("SUP-D")


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def _dispatched() -> ota.Engine:
    """The rolling fixture with hub 0x10 upgraded to 2.0 and hub 0x15's delivery failed."""
    e = rolling()
    rows = [ota.OutcomeReport(h(0x10), ota.Outcome.DISPATCHED), ota.OutcomeReport(h(0x10), ota.Outcome.DELIVERED),
            ota.OutcomeReport(h(0x10), ota.Outcome.ACTIVATED), ota.OutcomeReport.read_back(h(0x10), "2.0"),
            ota.OutcomeReport(h(0x15), ota.Outcome.DISPATCHED),
            ota.OutcomeReport(h(0x15), ota.Outcome.DELIVERY_FAILED, reason="no ack")]
    e.report_outcomes(CSP, t(3), campaign="C2", outcomes=rows)
    return e


def _esme_model(s: ota.ConfigurationSet) -> str | None:
    d = s.devices.esme
    return None if d is None else d.model


def test_the_dpl_and_firmware_frames_are_the_row_answers() -> None:
    e = _dispatched()
    for actor, customer in ((A, "SUP-A"), (D, "SUP-D"), (DCC, None)):
        rows = e.configuration_sets(actor, customer)
        frame = pl.DataFrame(e.query_arrow(actor, {"name": "configuration_sets", "customer": customer}))
        assert frame["configuration_set"].to_list() == [r.configuration_set.key for r in rows]
        assert frame["hubs"].to_list() == [r.hubs for r in rows]
        assert frame["esme_model"].to_list() == [_esme_model(r.configuration_set) for r in rows]
        by_fw = e.estate_by_firmware(actor, customer)
        table = pa.table(e.query_arrow(actor, {"name": "estate_by_firmware", "customer": customer}))
        assert table.to_pylist() == [{"variant": r.variant, "version": r.version, "hubs": r.hubs} for r in by_fw]
    # The DPL moved with hub 0x10's upgrade.
    assert "2.0" in pl.DataFrame(e.query_arrow(A, {"name": "configuration_sets", "customer": "SUP-A"}))["firmware"].to_list()
    for actor in (A, CSP):
        with pytest.raises(ota.NotPermittedError):
            e.query_arrow(actor, {"name": "configuration_sets"})
        with pytest.raises(ota.NotPermittedError):
            e.query_arrow(actor, {"name": "estate_by_firmware"})
    with pytest.raises(ota.NotPermittedError):
        e.query_arrow(A, {"name": "estate_by_firmware", "customer": "SUP-D"})
    with pytest.raises(ota.InvalidInputError, match="not a customer id!"):
        e.query_arrow(DCC, {"name": "configuration_sets", "customer": "not a customer id!"})
    with pytest.raises(ota.InvalidInputError):
        e.query_arrow(DCC, {"name": "configuration_sets", "customer": 7})


def test_the_progress_frame_is_the_row_answer_and_duckdb_reads_it() -> None:
    duckdb = pytest.importorskip("duckdb")
    e = _dispatched()
    for actor in (DCC, CSP, A, D):
        rows = e.campaign_progress(actor, "C2", t(3))
        frame = pl.DataFrame(e.query_arrow(actor, {"name": "campaign_progress", "campaign": "C2", "at": t(3)}))
        for name in ("hubs", "eligible", "upgradeable_now", "awaiting_consent", "blocked", "succeeded", "failed", "not_applicable"):
            assert frame[name].to_list() == [getattr(r, name) for r in rows], (actor, name)
    progress = e.query_arrow(DCC, {"name": "campaign_progress", "campaign": "C2", "at": t(3)})
    totals = duckdb.sql("select sum(succeeded)::int, sum(failed)::int from progress").fetchall()
    assert totals == [(1, 1)]
    with pytest.raises(ota.NotFoundError):
        e.query_arrow(DCC, {"name": "campaign_progress", "campaign": "NOPE", "at": t(3)})
    with pytest.raises(ota.NotFoundError):
        e.query_arrow(ota.Actor.csp(ota.Region.SOUTH), {"name": "campaign_progress", "campaign": "C2", "at": t(3)})
    with pytest.raises(ota.InvalidInputError):
        e.query_arrow(DCC, {"name": "campaign_progress", "campaign": "C2", "at": datetime(2026, 1, 4)})


def test_the_attempts_frame_shows_each_dispatched_hub_to_whom_it_may() -> None:
    e = _dispatched()
    rows = pa.table(e.query_arrow(DCC, {"name": "campaign_attempts", "campaign": "C2"})).to_pylist()
    assert [(ota.hub_text(r["hub"]), r["state"], r["attempts"], r["step"], r["failure"]) for r in rows] == [
        (h(0x10), "succeeded", 0, "2.0", None),
        (h(0x15), "failed", 1, "2.0", "delivery_failed"),
    ]
    assert rows[1]["configuration_set"] == e.hub(DCC, h(0x15)).configuration_set.key
    assert rows[0]["dispatched_at"] == t(3) and rows[0]["health_bad"] is False
    assert pl.DataFrame(e.query_arrow(CSP, {"name": "campaign_attempts", "campaign": "C2"})).height == 2
    assert pl.DataFrame(e.query_arrow(A, {"name": "campaign_attempts", "campaign": "C2"}).with_hub_text())["hub"].to_list() == [h(0x10)]
    assert pl.DataFrame(e.query_arrow(D, {"name": "campaign_attempts", "campaign": "C2"}).with_hub_text())["hub"].to_list() == [h(0x15)]
    with pytest.raises(ota.NotFoundError):
        e.query_arrow(ota.Actor.csp(ota.Region.SOUTH), {"name": "campaign_attempts", "campaign": "C2"})
    with pytest.raises(ota.InvalidInputError, match="campaign id"):
        e.query_arrow(DCC, {"name": "campaign_attempts", "campaign": ""})


def test_the_blockers_frame_is_explain_for_every_hub() -> None:
    e = _dispatched()
    for actor in (DCC, CSP, A):
        frame = pl.DataFrame(e.query_arrow(actor, {"name": "blockers", "campaign": "C2", "at": t(3)}).with_hub_text())
        assert frame.columns == ["hub", "blocker", "role", "by", "by_customer", "until", "detail"]
        want = []
        for n in list(range(1, 4)) + list(range(0x10, 0x21)):
            try:
                x = e.explain(actor, "C2", h(n), t(3))
            except (ota.NotFoundError, ota.InvalidIdError):
                continue
            want += [(h(n), b.blocker.value) for b in x.blockers]
        assert list(zip(frame["hub"].to_list(), frame["blocker"].to_list())) == want, actor
    # SUP-A's split hub waits for the other supplier, unnamed; the DCC sees SUP-E named.
    mine = pl.DataFrame(e.query_arrow(A, {"name": "blockers", "campaign": "C2", "at": t(3)})).filter(pl.col("hub") == ota.hub_number(h(0x20)))
    assert mine["blocker"].to_list() == ["awaiting_consent"] and mine["by"].to_list() == ["other_supplier"]
    dcc = pl.DataFrame(e.query_arrow(DCC, {"name": "blockers", "campaign": "C2", "at": t(3)}))
    assert "SUP-E" in dcc["by_customer"].to_list() and "customer" in dcc["by"].to_list()
    assert mine["by_customer"].null_count() == mine.height
    with pytest.raises(ota.NotFoundError):
        e.query_arrow(DCC, {"name": "blockers", "campaign": "NOPE", "at": t(3)})
    with pytest.raises(ota.NotFoundError):
        e.query_arrow(ota.Actor.csp(ota.Region.SOUTH), {"name": "blockers", "campaign": "C2", "at": t(3)})


def test_the_events_frame_pages_the_log_for_the_dcc_only() -> None:
    e = _dispatched()
    events = e.events()
    first = pa.table(e.query_arrow(DCC, {"name": "events", "after": 0, "limit": 5})).to_pylist()
    assert [r["seq"] for r in first] == [1, 2, 3, 4, 5]
    assert [r["kind"] for r in first] == [ev.type for ev in events[:5]]
    rest = pl.DataFrame(e.query_arrow(DCC, {"name": "events", "after": 5, "limit": 100_000}))
    assert rest.height == len(events) - 5
    assert rest["seq"][0] == 6
    assert e.query_arrow(DCC, {"name": "events", "after": 10_000}).num_rows == 0
    for actor in (CSP, A):
        with pytest.raises(ota.NotPermittedError):
            e.query_arrow(actor, {"name": "events"})
    for limit in (0, 100_001, 2**40):
        with pytest.raises(ota.InvalidInputError):
            e.query_arrow(DCC, {"name": "events", "after": 0, "limit": limit})
    with pytest.raises(ota.InvalidInputError):
        e.query_arrow(DCC, {"name": "events", "after": -1})


def test_a_customers_estate_pages_with_its_own_hubs_as_cursors() -> None:
    e = rolling()
    whole = e.customer_estate(A, "SUP-A")
    paged: list[ota.HubView] = []
    after = None
    while True:
        page = e.customer_estate_page(A, "SUP-A", after=after, limit=2)
        assert len(page.hubs) <= 2
        paged += page.hubs
        if page.next is None:
            break
        after = page.next
    assert paged == whole and len(whole) > 2
    with pytest.raises(ota.NotFoundError):
        e.customer_estate_page(A, "SUP-A", after=h(0x15))  # SUP-D's hub is no cursor of SUP-A's
    with pytest.raises(ota.NotPermittedError):
        e.customer_estate_page(CSP, "SUP-A")
    with pytest.raises(ota.InvalidInputError):
        e.customer_estate_page(A, "SUP-A", limit=0)
    with pytest.raises(ota.InvalidIdError):
        e.customer_estate_page(A, "SUP-A", after="not-a-hub")


def test_the_collector_waits_while_an_answer_becomes_views_and_runs_again_after() -> None:
    # A view per hub: the cyclic collector, run every few hundred new objects, was two thirds
    # of the time a large estate took to become views. It is paused for the conversion only.
    import gc

    e = rolling()
    runs: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    def collections(call: Callable[[], object]) -> int:
        runs.clear()
        call()
        return len(runs)

    threshold = gc.get_threshold()
    gc.set_threshold(1)  # a collection after nearly every new container, unless paused
    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        views = e.customer_estate(A, "SUP-A")
        # The same views made by hand, collector running: a collection every few objects.
        raw = [v.to_dict() for v in views]
        assert collections(lambda: [ota.HubView.from_dict(x) for x in raw]) > 20
        # Through the engine: at most the few the call's own arguments set off.
        for call in (
            lambda: e.customer_estate(A, "SUP-A"),
            lambda: e.customer_estate_page(A, "SUP-A", limit=10),
            lambda: e.upgrade_list(CSP, ota.Region.NORTH, t(3)),
            lambda: e.events(),
        ):
            assert collections(call) <= 10  # about 4; 47 to 85 unpaused
            assert gc.isenabled(), "the collector runs again after"
        # A refusal turns it back on too; a caller who turned it off keeps it off.
        with pytest.raises(ota.NotPermittedError):
            e.customer_estate_page(CSP, "SUP-A")
        assert gc.isenabled()
        gc.disable()
        assert e.customer_estate(A, "SUP-A") == views
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)


def test_every_answer_reads_into_pandas() -> None:
    # pandas maps a dictionary column to a Categorical, which refuses repeated values: each
    # answer's dictionaries hold each value once (the fixture's two variants share "1.0").
    pd = pytest.importorskip("pandas")
    e = _dispatched()
    answers = {
        "upgrade_list": e.query_arrow(DCC, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": t(3)}),
        "customer_estate": e.query_arrow(DCC, {"name": "customer_estate", "customer": "SUP-A"}),
        "configuration_sets": e.query_arrow(DCC, {"name": "configuration_sets"}),
        "estate_by_firmware": e.query_arrow(DCC, {"name": "estate_by_firmware"}),
        "campaign_progress": e.query_arrow(DCC, {"name": "campaign_progress", "campaign": "C2", "at": t(3)}),
        "attempts": e.query_arrow(DCC, {"name": "campaign_attempts", "campaign": "C2"}),
        "blockers": e.query_arrow(DCC, {"name": "blockers", "campaign": "C2", "at": t(3)}),
        "events": e.query_arrow(DCC, {"name": "events"}),
    }
    for name, table in answers.items():
        frame = pd.DataFrame.from_arrow(table) if hasattr(pd.DataFrame, "from_arrow") else pa.table(table).to_pandas()
        assert len(frame) == table.num_rows, name


def test_hub_ids_are_64_bit_integers_and_their_text_is_one_call_away() -> None:
    assert ota.hub_text(0x001A22FFFE000001) == "00-1A-22-FF-FE-00-00-01"
    assert ota.hub_number("00-1a-22-ff-fe-00-00-01") == 0x001A22FFFE000001
    assert ota.hub_text(2**64 - 1) == "FF-FF-FF-FF-FF-FF-FF-FF"
    for bad in (-1, 2**64, 2**200):
        with pytest.raises(ota.InvalidInputError, match="64-bit hub id"):
            ota.hub_text(bad)
    with pytest.raises(ota.InvalidIdError):
        ota.hub_number("not-a-hub")
    e = rolling()
    # A table without hubs comes back as it was.
    sets = e.query_arrow(ota.Actor.customer("SUP-A"), {"name": "configuration_sets", "customer": "SUP-A"})
    assert pa.table(sets.with_hub_text()).equals(pa.table(sets))
    # An estate loads from the integer form too (as an answer gives it back).
    estate = pa.table(e.query_arrow(DCC, {"name": "customer_estate", "customer": "SUP-A"}))
    assert estate.schema.field("hub").type == pa.uint64()
