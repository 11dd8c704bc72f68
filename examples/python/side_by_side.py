"""The CSP's upgrade list, side by side: the same generated estate and consents loaded into the
library, into DuckDB and into Polars; the same list computed by each (a query written as an
analyst would write it), the answers checked equal, and the times printed as ratios.

    pip install duckdb polars pyarrow
    python examples/python/side_by_side.py [hubs] [runs]

The scenario is the Rust benchmark's: a campaign to 2.0 for the north dual-band variant in
mass rollout; the three largest suppliers approved their whole estates, the next three their
ten largest configuration sets of that variant. A hub is upgradeable when it is commissioned,
its firmware has a next step towards 2.0, and each supplier with a role on it consented.
Loading is timed too but reported apart: the list is the operation asked many times a day.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Tuple

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


def main() -> None:
    hubs = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    catalogue, columns = ota.synthetic_estate(hubs, 2026)
    config_key = columns.pop("config_key")

    # --- the library ---
    engine = ota.Engine()
    for actor, command in catalogue:
        engine.execute(actor, T0, command)
    started = time.perf_counter()
    engine.load_estate(ota.Actor.DCC, T0 + timedelta(days=1), columns)
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

    def library_list() -> List[Tuple[str, str]]:
        out: List[Tuple[str, str]] = []
        offset = 0
        while True:
            page = engine.upgrade_list(csp, ota.Region.NORTH, at, offset=offset, limit=100_000)
            out += [(e.hub, e.next_version) for e in page.entries]
            offset += len(page.entries)
            if offset >= page.total or not page.entries:
                return out

    lib_ms, lib_answer = timed(runs, library_list)
    first_page_ms, _ = timed(runs, lambda: engine.upgrade_list(csp, ota.Region.NORTH, at, limit=1000))

    # --- the same data as tables ---
    frame_cols: Dict[str, List[Any]] = {k: columns[k] for k in ("id", "variant", "firmware", "smi_status", "import_supplier", "gas_supplier")}
    frame_cols["config_key"] = config_key
    started = time.perf_counter()
    hubs_df = pl.DataFrame(frame_cols)
    steps_df = pl.DataFrame({"from_version": list(NEXT_STEP), "next_version": list(NEXT_STEP.values())})
    whole_df = pl.DataFrame({"customer": whole})
    sets_df = pl.DataFrame({"customer": [a for a, _ in approvals], "config_key": [k for _, k in approvals]})
    polars_load = (time.perf_counter() - started) * 1e3
    con = duckdb.connect()
    started = time.perf_counter()
    for name, df in [("hubs", hubs_df), ("steps", steps_df), ("whole_estate", whole_df), ("set_approvals", sets_df)]:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM df")
    duck_load = (time.perf_counter() - started) * 1e3

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
          AND (h.import_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.import_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
          AND (h.gas_supplier IS NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.customer = h.gas_supplier
                 AND (c.config_key IS NULL OR c.config_key = h.config_key)))
        ORDER BY h.id
    """
    duck_ms, duck_answer = timed(runs, lambda: con.execute(sql, {"variant": variant}).fetchall())

    def polars_list() -> List[Tuple[str, str]]:
        consents = pl.concat([whole_df.with_columns(pl.lit(None, dtype=pl.Utf8).alias("config_key")), sets_df])
        whole_set = consents.filter(pl.col("config_key").is_null())["customer"].to_list()
        approved_pairs = (consents.filter(pl.col("config_key").is_not_null())
                          .select(pl.concat_str(["customer", "config_key"], separator="|").alias("pair"))["pair"].to_list())

        def consented(role: str) -> pl.Expr:
            approved = pl.concat_str([pl.col(role), pl.col("config_key")], separator="|").is_in(approved_pairs)
            return pl.col(role).is_null() | pl.col(role).is_in(whole_set) | approved

        q = (hubs_df.lazy()
             .filter((pl.col("variant") == variant) & (pl.col("smi_status") == "commissioned"))
             .join(steps_df.lazy(), left_on="firmware", right_on="from_version")
             .filter(consented("import_supplier") & consented("gas_supplier"))
             .sort("id")
             .select(["id", "next_version"]))
        return [(r[0], r[1]) for r in q.collect().iter_rows()]

    polars_ms, polars_answer = timed(runs, polars_list)

    same_duck = [tuple(r) for r in duck_answer] == lib_answer
    same_polars = polars_answer == lib_answer
    print(f"side by side: {hubs} hubs, {len(lib_answer)} upgradeable, median of {runs} runs")
    print(f"| engine | load | upgrade list | list vs the library | same answer |")
    print(f"| --- | --- | --- | --- | --- |")
    print(f"| commshub-ota (Python binding) | {lib_load:.0f} ms | {lib_ms:.1f} ms whole list; {first_page_ms:.1f} ms first page | 1.0 | - |")
    print(f"| DuckDB {duckdb.__version__} | {duck_load:.0f} ms | {duck_ms:.1f} ms | {duck_ms / first_page_ms:.1f} x the first page | {same_duck} |")
    print(f"| Polars {pl.__version__} | {polars_load:.0f} ms | {polars_ms:.1f} ms | {polars_ms / first_page_ms:.1f} x the first page | {same_polars} |")
    if not (same_duck and same_polars):
        raise SystemExit("the answers differ")


if __name__ == "__main__":
    main()
