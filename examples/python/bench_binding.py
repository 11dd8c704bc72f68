"""The Python binding's benchmark: a bulk load of N hubs from columns, and the CSP's upgrade
list through the binding, each timed over repeated runs and reported as a median. The estate is
analyst.py's (a single north dual-band variant, 15 suppliers); building the columns is not
timed.

    python examples/python/bench_binding.py [hubs] [runs]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from typing import Callable, List

import commshub_ota as ota
from analyst import SUPPLIERS, T0, VARIANT, catalogue, customer_testing, estate_columns


def median_ms(runs: int, f: Callable[[], object]) -> List[float]:
    times = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        f()
        times.append((time.perf_counter() - started) * 1e3)
    return sorted(times)


def main() -> None:
    hubs = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cols = estate_columns(hubs, 2026)
    engines: List[ota.Engine] = []

    def load() -> None:
        engine = ota.Engine()
        catalogue(engine)
        engine.load_estate(ota.Actor.DCC, T0 + timedelta(days=1), cols)
        engines.append(engine)

    # Each run loads into a fresh engine; the catalogue's few commands are timed with it.
    loads = median_ms(runs, load)
    engine = engines[-1]
    customer_testing(engine, T0 + timedelta(days=1))
    campaign = "BENCH-N-2.0"
    engine.create_campaign(ota.Actor.DCC, T0 + timedelta(days=2), campaign=campaign, variant=VARIANT, target="2.0",
                           cutoff=T0 + timedelta(days=60))
    engine.grant_pilot_oa(ota.Actor.DCC, T0 + timedelta(days=3), campaign=campaign)
    for s in SUPPLIERS[:3]:
        engine.approve_whole_estate(ota.Actor.customer(s), T0 + timedelta(days=4), campaign=campaign)
    engine.grant_mass_rollout_oa(ota.Actor.DCC, T0 + timedelta(days=5), campaign=campaign, override_reason="benchmark")
    csp, at = ota.Actor.csp(ota.Region.NORTH), T0 + timedelta(days=6)
    total = engine.upgrade_list(csp, ota.Region.NORTH, at, limit=1000).total
    lists = median_ms(runs, lambda: engine.upgrade_list(csp, ota.Region.NORTH, at, limit=1000))
    print(f"python binding, {hubs} hubs, {runs} runs, median (min, max)")
    print(f"| bulk load from columns | {statistics.median(loads):.0f} ms | min {loads[0]:.0f}, max {loads[-1]:.0f} |")
    print(f"| upgrade list, first page of 1000 ({total} upgradeable) | {statistics.median(lists):.1f} ms | "
          f"min {lists[0]:.1f}, max {lists[-1]:.1f} |")


if __name__ == "__main__":
    main()
