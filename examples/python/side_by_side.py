"""The CSP's upgrade list, side by side: the same generated estate and consents loaded into the
library, into DuckDB and into Polars; the same list computed by each (a query written as an
analyst would write it) into a columnar frame (a Polars DataFrame: the library's through its
Arrow answer, DuckDB's with `.pl()`, Polars' own), and counted by each; the answers checked
equal, and the times printed as ratios. Like with like: the whole list, into a frame, in each;
the peers on text and on the integer codes the library itself holds (the estate's dictionary
codes, one customer code for both roles, the hub id as its 64-bit integer), both ratios
printed.

Each run asks something new, as the CSP's day does: it dispatches the next hub of the list
(the library records the outcome; each peer inserts the hub into its table of hubs in flight),
then asks the whole list, or its count, at a new time. The library maintains the list as
events apply; a peer works it out again. The list kept and asked again with nothing new is
timed apart.

    pip install duckdb polars pyarrow
    python examples/python/side_by_side.py [hubs] [runs]

The scenario is the Rust benchmark's: a campaign to 2.0 for the north dual-band variant in
mass rollout; the three largest suppliers approved their whole estates, the next three their
ten largest configuration sets of that variant. A hub is upgradeable when it is commissioned,
its firmware has a next step towards 2.0, and each supplier with a role on it consented.
Loading is timed too but reported apart: the list is the operation asked many times a day.
The estate travels as Arrow tables (dictionary-encoded text), never as Python lists, so that
the script runs at national scale: `python examples/python/side_by_side.py 10000000 3`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, List, Tuple

import duckdb  # type: ignore[import-not-found, import-untyped, unused-ignore]
import polars as pl  # type: ignore[import-not-found, import-untyped, unused-ignore]

import commshub_ota as ota

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
CAMPAIGN = "SIDE-N-DB-2.0"
# The synthetic catalogue: 1.0 -> 1.1 -> 1.2 -> 2.0, and 1.1 -> 2.0 directly (fewest steps).
NEXT_STEP = {"1.0": "1.1", "1.1": "2.0", "1.2": "2.0"}


def timed(runs: int, f: Callable[[], Any]) -> Tuple[float, Any]:
    times, answer = [], None
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        answer = f()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times), answer


def coded(table: Any, keys: Any, whole: List[str], approvals: List[Tuple[str, str]], variant: str) -> Tuple[Any, ...]:
    """The estate as the library holds it: each text column as its dictionary's integer codes,
    the two supplier roles re-coded to one customer code, the hub id as its 64-bit integer; with
    the steps, consents, variant and status as codes too. Text stays only for the next version
    (the answer)."""
    import pyarrow as pa  # type: ignore[import-not-found, import-untyped, unused-ignore]

    t = pa.table(table).unify_dictionaries()
    k = pa.table(keys).unify_dictionaries()

    def column(tab: Any, name: str) -> Tuple[Any, List[str]]:
        arr = tab.column(name).combine_chunks()
        return pl.from_arrow(arr.indices), arr.dictionary.to_pylist()

    cols, dicts = {}, {}
    for name in ["variant", "firmware", "smi_status", "import_supplier", "gas_supplier"]:
        cols[name], dicts[name] = column(t, name)
    cols["config_key"], dicts["config_key"] = column(k, "config_key")
    customers = sorted(set(dicts["import_supplier"]) | set(dicts["gas_supplier"]) | set(whole) | {c for c, _ in approvals})
    customer = {c: i for i, c in enumerate(customers)}
    for role in ["import_supplier", "gas_supplier"]:
        recode = pl.Series([customer[c] for c in dicts[role]], dtype=pl.Int32)
        cols[role] = recode.gather(cols[role])
    ids = pl.Series(t.column("id").combine_chunks()).cast(pl.Utf8)
    frame = pl.DataFrame({"id": ids.str.replace_all("-", "").str.to_integer(base=16, dtype=pl.UInt64), **cols})

    def code(name: str, value: str) -> int:
        return dicts[name].index(value) if value in dicts[name] else -1

    steps = pl.DataFrame({"from_version": [code("firmware", f) for f in NEXT_STEP], "next_version": list(NEXT_STEP.values())},
                         schema={"from_version": pl.Int32, "next_version": pl.Utf8})
    whole_codes = pl.DataFrame({"customer": [customer[c] for c in whole]}, schema={"customer": pl.Int32})
    set_codes = pl.DataFrame({"customer": [customer[c] for c, _ in approvals], "config_key": [code("config_key", key) for _, key in approvals]},
                             schema={"customer": pl.Int32, "config_key": pl.Int32})
    return frame, steps, whole_codes, set_codes, code("variant", variant), code("smi_status", "commissioned")


def main() -> None:
    hubs = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    catalogue, table, keys = ota.synthetic_estate_arrow(hubs, 2026)

    # --- the library ---
    engine = ota.Engine()
    for actor, command in catalogue:
        engine.execute(actor, T0, command)
    started = time.perf_counter()
    engine.load_estate(ota.Actor.DCC, T0 + timedelta(days=1), table)
    lib_load = (time.perf_counter() - started) * 1e3
    variant = next(v.id for v in engine.variants(ota.Actor.DCC) if v.region is ota.Region.NORTH and v.han_band is ota.HanBand.DUAL_BAND)
    suppliers = [f"SUPPLIER-{i:02d}" for i in range(1, 16)]
    engine.create_campaign(ota.Actor.DCC, T0 + timedelta(days=2), campaign=CAMPAIGN, variant=variant, target="2.0",
                           cutoff=T0 + timedelta(days=90))
    engine.grant_pilot_oa(ota.Actor.DCC, T0 + timedelta(days=3), campaign=CAMPAIGN)
    whole = suppliers[:3]
    for s in whole:
        engine.approve_whole_estate(ota.Actor.customer(s), T0 + timedelta(days=4), campaign=CAMPAIGN)
    engine.grant_mass_rollout_oa(ota.Actor.DCC, T0 + timedelta(days=5), campaign=CAMPAIGN, override_reason="side by side")
    approvals: List[Tuple[str, str]] = []
    for s in suppliers[3:6]:
        me = ota.Actor.customer(s)
        sets = [c.configuration_set for c in engine.configuration_sets(me, s) if c.configuration_set.variant == variant][:10]
        engine.approve_configuration_sets(me, T0 + timedelta(days=6), campaign=CAMPAIGN, sets=sets)
        approvals += [(s, c.key) for c in sets]
    csp, at = ota.Actor.csp(ota.Region.NORTH), T0 + timedelta(days=7)

    # Each run dispatches the next hub of the list, then asks at a new time.
    first = pl.DataFrame(engine.query_arrow(csp, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": at}))
    to_dispatch = [int(x) for x in first["hub"][: 2 * max(runs, 1) + 2]]
    moments = iter(range(1, 1_000_000))

    def library_frame(when: datetime) -> Any:
        table = engine.query_arrow(csp, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": when})
        return pl.DataFrame(table).select(pl.col("hub").alias("id"), pl.col("next_version").cast(pl.Utf8))

    lib_dispatched = iter(to_dispatch)

    def dispatch_next() -> datetime:
        when = at + timedelta(microseconds=next(moments))
        hub = ota.hub_text(next(lib_dispatched))
        engine.report_outcomes(csp, when, campaign=CAMPAIGN, outcomes=[ota.OutcomeReport.dispatched(hub)])
        return when

    lib_ms, _ = timed(runs, lambda: library_frame(dispatch_next()))

    def library_count() -> int:
        return engine.upgrade_list(csp, ota.Region.NORTH, dispatch_next(), limit=1).total

    lib_count_ms, _ = timed(runs, library_count)
    # The answers the peers must give: after the same dispatches (by id: text and integer).
    final = at + timedelta(microseconds=next(moments))
    lib_answer = library_frame(final)
    lib_count = lib_answer.height
    lib_text = pl.DataFrame(engine.query_arrow(csp, {"name": "upgrade_list", "region": ota.Region.NORTH, "at": final})
                            .with_hub_text()).select(pl.col("hub").alias("id"), pl.col("next_version").cast(pl.Utf8))
    # The kept list asked again, nothing new: the export alone.
    kept_ms, _ = timed(runs, lambda: library_frame(final))
    # Row by row, for the record: the whole list paged (1 000 a page) into Python objects. The
    # list is kept, so a page costs its own rows: linear in the rows.
    def library_paged() -> int:
        offset, n = 0, 0
        while True:
            page = engine.upgrade_list(csp, ota.Region.NORTH, final, offset=offset, limit=1_000)
            n += len(page.entries)
            offset += len(page.entries)
            if offset >= page.total or not page.entries:
                return n
    paged_ms, paged_rows = timed(1, library_paged)
    dispatched_text = [ota.hub_text(h) for h in to_dispatch[: 2 * max(runs, 1)]]

    # --- the same data as tables ---
    # The analysts' frame: the same Arrow columns, the text as plain strings (what a join on
    # text needs in both engines), with each hub's configuration-set key beside them.
    started = time.perf_counter()
    text = ["id", "variant", "firmware", "smi_status", "import_supplier", "gas_supplier"]
    hubs_df = pl.concat([pl.DataFrame(table).select(text), pl.DataFrame(keys)], how="horizontal").with_columns(
        pl.col(c).cast(pl.Utf8) for c in text[1:] + ["config_key"])
    steps_df = pl.DataFrame({"from_version": list(NEXT_STEP), "next_version": list(NEXT_STEP.values())})
    whole_df = pl.DataFrame({"customer": whole})
    sets_df = pl.DataFrame({"customer": [a for a, _ in approvals], "config_key": [k for _, k in approvals]})
    polars_load = (time.perf_counter() - started) * 1e3
    con = duckdb.connect()
    started = time.perf_counter()
    for name, df in [("hubs", hubs_df), ("steps", steps_df), ("whole_estate", whole_df), ("set_approvals", sets_df)]:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM df")
    con.execute("CREATE TABLE in_flight (id VARCHAR PRIMARY KEY)")
    duck_load = (time.perf_counter() - started) * 1e3

    def dispatcher(record: Callable[[Any], Any], ids: List[Any]) -> Callable[[], Any]:
        """Each call records the next hub of `ids` as in flight, as the library's run does."""
        pending = iter(ids)
        return lambda: record(next(pending))

    # An analyst's query: a role consents by a whole-estate approval or by approving the hub's
    # configuration set; a vacant role needs nobody; the gas role held by the electricity
    # supplier is the same consent.
    sql = """
        WITH consents AS (
            SELECT customer, NULL AS config_key FROM whole_estate
            UNION ALL SELECT customer, config_key FROM set_approvals
        )
        SELECT h.id, s.next_version
        FROM hubs h JOIN steps s ON h.firmware = s.from_version
        WHERE h.variant = $variant AND h.smi_status = 'commissioned'
          AND h.id NOT IN (SELECT id FROM in_flight)
          AND (h.import_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.import_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
          AND (h.gas_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.gas_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
        ORDER BY h.id
    """
    duck_next = dispatcher(lambda h: con.execute("INSERT INTO in_flight VALUES (?)", [h]), dispatched_text)
    duck_ms, _ = timed(runs, lambda: (duck_next(), con.sql(sql, params={"variant": variant}).pl())[1])
    count_sql = f"SELECT count(*) FROM ({sql})"
    def duck_count_of() -> Any:
        duck_next()
        rows = con.sql(count_sql, params={"variant": variant}).fetchall()
        return rows[0][0]

    duck_count_ms, _ = timed(runs, duck_count_of)
    duck_answer = con.sql(sql, params={"variant": variant}).pl()
    duck_count = con.sql(count_sql, params={"variant": variant}).fetchall()[0][0]
    polars_in_flight: List[str] = []
    polars_next = dispatcher(polars_in_flight.append, dispatched_text)

    def polars_query() -> Any:
        consents = pl.concat([whole_df.with_columns(pl.lit(None, dtype=pl.Utf8).alias("config_key")), sets_df])
        whole_set = consents.filter(pl.col("config_key").is_null())["customer"].to_list()
        approved_pairs = (consents.filter(pl.col("config_key").is_not_null())
                          .select(pl.concat_str(["customer", "config_key"], separator="|").alias("pair"))["pair"].to_list())

        def consented(role: str) -> pl.Expr:
            approved = pl.concat_str([pl.col(role), pl.col("config_key")], separator="|").is_in(approved_pairs)
            return pl.col(role).is_null() | pl.col(role).is_in(whole_set) | approved

        return (hubs_df.lazy()
                .filter((pl.col("variant") == variant) & (pl.col("smi_status") == "commissioned")
                        & ~pl.col("id").is_in(polars_in_flight))
                .join(steps_df.lazy(), left_on="firmware", right_on="from_version")
                .filter(consented("import_supplier") & consented("gas_supplier"))
                .sort("id")
                .select(["id", "next_version"]))

    polars_ms, _ = timed(runs, lambda: (polars_next(), polars_query().collect())[1])
    polars_count_ms, _ = timed(runs, lambda: (polars_next(), polars_query().select(pl.len()).collect().item())[1])
    polars_answer, polars_count = polars_query().collect(), polars_query().select(pl.len()).collect().item()

    # --- the same data as the library holds it: integer codes, not text ---
    # An analyst who knows dictionary encoding keeps each column's codes (and one customer code
    # for both supply roles, re-coded once at load), and asks in codes; only the answer's hub id
    # and next version are text, as the library's are.
    started = time.perf_counter()
    codes_df, steps_codes, whole_codes, set_codes, variant_code, commissioned = coded(
        table, keys, whole, approvals, variant)
    codes_load = (time.perf_counter() - started) * 1e3
    con.execute("CREATE TABLE hubs_c AS SELECT * FROM codes_df")
    con.execute("CREATE TABLE steps_c AS SELECT * FROM steps_codes")
    con.execute("CREATE TABLE whole_c AS SELECT * FROM whole_codes")
    con.execute("CREATE TABLE sets_c AS SELECT * FROM set_codes")
    con.execute("CREATE TABLE in_flight_c (id UBIGINT PRIMARY KEY)")
    dispatched_codes = to_dispatch[: 2 * max(runs, 1)]
    sql_c = """
        WITH consents AS (
            SELECT customer, NULL::INTEGER AS config_key FROM whole_c
            UNION ALL SELECT customer, config_key FROM sets_c
        )
        SELECT h.id, s.next_version
        FROM hubs_c h JOIN steps_c s ON h.firmware = s.from_version
        WHERE h.variant = $variant AND h.smi_status = $commissioned
          AND h.id NOT IN (SELECT id FROM in_flight_c)
          AND (h.import_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.import_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
          AND (h.gas_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.gas_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
        ORDER BY h.id
    """
    params = {"variant": variant_code, "commissioned": commissioned}
    duck_c_next = dispatcher(lambda h: con.execute("INSERT INTO in_flight_c VALUES (?)", [h]), dispatched_codes)
    duck_c_ms, _ = timed(runs, lambda: (duck_c_next(), con.sql(sql_c, params=params).pl())[1])
    duck_c_count_ms, _ = timed(runs, lambda: (duck_c_next(), con.sql(f"SELECT count(*) FROM ({sql_c})", params=params).fetchall()[0][0])[1])
    duck_c_answer = con.sql(sql_c, params=params).pl()
    duck_c_count = con.sql(f"SELECT count(*) FROM ({sql_c})", params=params).fetchall()[0][0]
    codes_in_flight: List[int] = []
    polars_c_next = dispatcher(codes_in_flight.append, dispatched_codes)

    def polars_codes() -> Any:
        whole_list = whole_codes["customer"].to_list()
        pairs = (set_codes["customer"].cast(pl.Int64) * (1 << 32) + set_codes["config_key"].cast(pl.Int64)).to_list()

        def consented(role: str) -> pl.Expr:
            pair = pl.col(role).cast(pl.Int64) * (1 << 32) + pl.col("config_key").cast(pl.Int64)
            return pl.col(role).is_null() | pl.col(role).is_in(whole_list) | pair.is_in(pairs)

        return (codes_df.lazy()
                .filter((pl.col("variant") == variant_code) & (pl.col("smi_status") == commissioned)
                        & ~pl.col("id").is_in(codes_in_flight))
                .join(steps_codes.lazy(), left_on="firmware", right_on="from_version")
                .filter(consented("import_supplier") & consented("gas_supplier"))
                .sort("id")
                .select(["id", "next_version"]))

    polars_c_ms, _ = timed(runs, lambda: (polars_c_next(), polars_codes().collect())[1])
    polars_c_count_ms, _ = timed(runs, lambda: (polars_c_next(), polars_codes().select(pl.len()).collect().item())[1])
    polars_c_answer, polars_c_count = polars_codes().collect(), polars_codes().select(pl.len()).collect().item()

    same_duck = duck_answer.equals(lib_text) and duck_count == lib_count
    same_polars = polars_answer.equals(lib_text) and polars_count == lib_count
    same_duck_c = duck_c_answer.equals(lib_answer) and duck_c_count == lib_count
    same_polars_c = polars_c_answer.equals(lib_answer) and polars_c_count == lib_count
    print(f"side by side: {hubs} hubs, {lib_count} upgradeable, median of {runs} runs")
    print("| engine | load | whole list into a Polars frame | count | frame: that engine / the library | count: that engine / the library | same answer |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| commshub-ota (Python, Arrow), maintained as events apply | {lib_load:.0f} ms | {lib_ms:.1f} ms | {lib_count_ms:.1f} ms | 1.0 | 1.0 | - |")
    for name, load, frame_ms, count_ms, same in [
            (f"DuckDB {duckdb.__version__} on text", duck_load, duck_ms, duck_count_ms, same_duck),
            (f"Polars {pl.__version__} on text", polars_load, polars_ms, polars_count_ms, same_polars),
            (f"DuckDB {duckdb.__version__} on integer codes", codes_load, duck_c_ms, duck_c_count_ms, same_duck_c),
            (f"Polars {pl.__version__} on integer codes", codes_load, polars_c_ms, polars_c_count_ms, same_polars_c)]:
        print(f"| {name} | {load:.0f} ms | {frame_ms:.1f} ms | {count_ms:.1f} ms | {frame_ms / lib_ms:.1f} | {count_ms / lib_count_ms:.1f} | {same} |")
    print(f"the library is {min(duck_ms, polars_ms) / lib_ms:.1f} times faster than the faster peer on text, "
          f"{min(duck_c_ms, polars_c_ms) / lib_ms:.1f} times on integer codes "
          f"(count: {min(duck_count_ms, polars_count_ms) / lib_count_ms:.1f} and "
          f"{min(duck_c_count_ms, polars_c_count_ms) / lib_count_ms:.1f} times); "
          f"the list kept and asked again with nothing new: {kept_ms:.1f} ms")
    print(f"the same list paged 1 000 rows a page into Python objects took {paged_ms:.0f} ms "
          f"(one run, {paged_ms * 1e3 / max(paged_rows, 1):.1f} us a row)")
    # A supplier's own estate into a frame: the largest supplier's, as it sees it.
    largest = max(suppliers, key=lambda s: sum(c.hubs for c in engine.estate_by_firmware(ota.Actor.customer(s), s)))
    me = ota.Actor.customer(largest)
    estate_ms, estate = timed(runs, lambda: pl.DataFrame(engine.query_arrow(me, {"name": "customer_estate", "customer": largest})))
    print(f"{largest}'s own estate into a Polars frame: {estate_ms:.1f} ms ({estate.height} hubs)")
    if not (same_duck and same_polars and same_duck_c and same_polars_c):
        raise SystemExit("the answers differ")


if __name__ == "__main__":
    main()
