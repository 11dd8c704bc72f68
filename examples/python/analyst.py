"""An analyst's view through the Python binding, in Polars frames: load an estate from a data
frame (Arrow in), look at a campaign, take one supplier's hubs as a frame (Arrow out, no object
per hub) and group them by configuration set, run a small pilot, then ask in bulk which of its
hubs wait, and for whom.

    pip install polars
    python examples/python/analyst.py [hubs] [seed]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List

import polars as pl  # type: ignore[import-not-found, import-untyped, unused-ignore]

import commshub_ota as ota

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
VARIANT = "MERIDIAN-DB-NORTH"
SUPPLIERS = [f"SUPPLIER-{i:02d}" for i in range(1, 16)]


VERSIONS = [("1.0", []), ("1.1", ["1.0"]), ("1.2", ["1.1"]), ("2.0", ["1.2", "1.1"])]


def catalogue(engine: ota.Engine) -> None:
    """The variant and its versions through the CSP's approval and the DCC's testing."""
    engine.register_variant(ota.Actor.DCC, T0, ota.Variant(VARIANT, "Meridian", "CH-DB", "B2", ota.HanBand.DUAL_BAND, ota.Region.NORTH))
    csp = ota.Actor.csp(ota.Region.NORTH)
    for version, upgrades_from in VERSIONS:
        engine.register_firmware(csp, T0, variant=VARIANT, version=version, upgrades_from=upgrades_from)
        engine.record_gate(csp, T0, variant=VARIANT, version=version, gate=ota.Gate.CSP_APPROVED)
        engine.record_gate(ota.Actor.DCC, T0, variant=VARIANT, version=version, gate=ota.Gate.DCC_TEST_APPROVED)


def customer_testing(engine: ota.Engine, at: datetime) -> None:
    """Two suppliers with hubs of the variant test each version; the DCC closes customer
    testing on their feedback and records the gates after it."""
    gates = list(ota.Gate)
    for version, _ in VERSIONS:
        for supplier in SUPPLIERS[:2]:
            engine.record_test_feedback(ota.Actor.customer(supplier), at, variant=VARIANT, version=version,
                                        result=ota.TestResult.PASSED, feedback="no HAN issues on our test rigs")
        for gate in gates[gates.index(ota.Gate.CUSTOMER_TESTED):]:
            note = "customer testing closed by the DCC" if gate is ota.Gate.CUSTOMER_TESTED else None
            engine.record_gate(ota.Actor.DCC, at, variant=VARIANT, version=version, gate=gate, note=note)


def estate_columns(n: int, seed: int) -> Dict[str, List[Any]]:
    """A synthetic estate as plain columns, the shape an analyst's data frame exports."""
    rng = random.Random(seed)
    weights = [1 / i for i in range(1, len(SUPPLIERS) + 1)]
    meters = [("EM-A1", "3.1"), ("EM-B4", "7.2"), ("EM-C2", "1.9")]
    gas_meters = [("GM-K1", "5.0"), ("GM-M9", "9.1")]
    cols: Dict[str, List[Any]] = {k: [] for k in [
        "id", "variant", "firmware", "smi_status", "installed_on", "commissioned_on", "import_supplier", "gas_supplier",
        "esme_model", "esme_firmware", "gsme_model", "gsme_firmware", "import_vulnerable", "gas_vulnerable"]}
    for i in range(n):
        supplier = rng.choices(SUPPLIERS, weights)[0]
        dual_fuel = rng.random() < 0.75
        gas = (rng.choices(SUPPLIERS, weights)[0] if rng.random() < 0.16 else supplier) if dual_fuel else None
        installed = date(2019, 1, 1) + timedelta(days=rng.randrange(2700))
        esme, gsme = rng.choice(meters), rng.choice(gas_meters)
        cols["id"].append(f"{0x0024B8 << 40 | i:016X}")
        cols["variant"].append(VARIANT)
        cols["firmware"].append(rng.choice(["1.0", "1.1", "1.1", "1.2", "1.2", "1.2"]))
        cols["smi_status"].append("commissioned")
        cols["installed_on"].append(installed)
        cols["commissioned_on"].append(installed + timedelta(days=1))
        cols["import_supplier"].append(supplier)
        cols["gas_supplier"].append(gas)
        cols["esme_model"].append(esme[0])
        cols["esme_firmware"].append(esme[1])
        cols["gsme_model"].append(gsme[0] if dual_fuel else None)
        cols["gsme_firmware"].append(gsme[1] if dual_fuel else None)
        cols["import_vulnerable"].append(rng.random() < 0.03)
        cols["gas_vulnerable"].append(dual_fuel and rng.random() < 0.03)
    return cols


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    engine = ota.Engine()
    catalogue(engine)
    frame = pl.DataFrame(estate_columns(n, seed))
    started = time.perf_counter()
    engine.load_estate(ota.Actor.DCC, T0 + timedelta(days=1), frame)  # through the Arrow C stream
    print(f"Loaded {engine.hub_count:,} hubs from a Polars frame in {time.perf_counter() - started:.2f} s")
    customer_testing(engine, T0 + timedelta(days=1))

    engine.create_campaign(ota.Actor.DCC, T0 + timedelta(days=2), campaign="2026-Q4-N-2.0", variant=VARIANT, target="2.0", cutoff=T0 + timedelta(days=45))
    engine.grant_pilot_oa(ota.Actor.DCC, T0 + timedelta(days=3), campaign="2026-Q4-N-2.0")

    me = ota.Actor.customer(SUPPLIERS[2])
    campaign = engine.campaign(me, "2026-Q4-N-2.0")
    print(f"Campaign {campaign.id}: {campaign.variant} to {campaign.target}, phase {campaign.phase.value}, "
          f"my cut-off {campaign.cutoffs[0].until:%Y-%m-%d}")
    print(f"A hub on 1.0 goes {' then '.join(engine.upgrade_route(me, VARIANT, '1.0', '2.0'))}")

    hubs = pl.DataFrame(engine.query_arrow(me, {"name": "customer_estate", "customer": SUPPLIERS[2]}))
    split = hubs["split_supply"].sum()
    hidden = hubs.filter(pl.col("gas_visibility") == "hidden").height
    print(f"\n{SUPPLIERS[2]} supplies {hubs.height:,} hubs ({split:,} split supply; the other supplier is never named: "
          f"{hidden:,} gas roles are 'hidden', names seen: {sorted(set(hubs['gas_supplier'].drop_nulls()))})")
    by_set = hubs.group_by("configuration_set").len().sort(["len", "configuration_set"], descending=[True, False])
    print("Its hubs by configuration set:")
    for key, count in by_set.head(6).iter_rows():
        print(f"  {count:>7,}  {key}")
    dpl = pl.DataFrame(engine.query_arrow(me, {"name": "configuration_sets", "customer": SUPPLIERS[2]}))
    assert dpl["hubs"].sum() == hubs.height and dpl.height == by_set.height
    try:
        engine.configuration_sets(me)
    except ota.NotPermittedError as err:
        print(f"\nThe industry view is the DCC's: {err}")

    # A small pilot: nominate proposed hubs; the CSP upgrades what its list offers.
    at = T0 + timedelta(days=4)
    proposal = engine.propose_pilot(me, "2026-Q4-N-2.0", 20, at, seed)
    proposed = proposal.hubs
    print(f"\nA pilot of {len(proposed)} hubs tests {proposal.sets_covered} of {proposal.sets} of our "
          f"configuration sets, {proposal.coverage_bp / 100:.1f}% of our candidate hubs by set")
    if proposed:
        engine.nominate_hubs(me, at, campaign="2026-Q4-N-2.0", hubs=proposed)
    csp = ota.Actor.csp(ota.Region.NORTH)
    page = engine.upgrade_list(csp, ota.Region.NORTH, at, limit=20)
    rows = []
    for entry in page.entries:
        rows += [ota.OutcomeReport(entry.hub, ota.Outcome.DISPATCHED), ota.OutcomeReport(entry.hub, ota.Outcome.DELIVERED),
                 ota.OutcomeReport(entry.hub, ota.Outcome.ACTIVATED), ota.OutcomeReport.read_back(entry.hub, entry.next_version)]
    if rows:
        engine.report_outcomes(csp, at, campaign="2026-Q4-N-2.0", outcomes=rows)
    mine = engine.pilot_status(me, "2026-Q4-N-2.0")
    print(f"\nPilot: {mine.total.succeeded} of my {mine.total.hubs} pilot hubs upgraded")
    for notice in engine.notifications(me).notifications:
        print(f"  notice #{notice.id}: {notice.type} {notice.fields}")
    attempts = pl.DataFrame(engine.query_arrow(me, {"name": "campaign_attempts", "campaign": "2026-Q4-N-2.0"}))
    print("My attempts by state:", dict(attempts.group_by("state").len().iter_rows()))
    # Bulk explain: every hub of mine that is not upgradeable, a row per blocker.
    blockers = pl.DataFrame(engine.query_arrow(me, {"name": "blockers", "campaign": "2026-Q4-N-2.0", "at": at}))
    print("Why my hubs wait, hubs per blocker:", dict(blockers.group_by("blocker").agg(pl.col("hub").n_unique()).sort("blocker").iter_rows()))
    other = blockers.filter(pl.col("by") == "other_supplier")["hub"].n_unique()
    print(f"Of them, {other:,} wait for the other supplier of a split-supply hub")
    print("My estate by firmware:", ", ".join(f"{v}: {h:,}" for _, v, h in pl.DataFrame(engine.query_arrow(me, {"name": "estate_by_firmware", "customer": SUPPLIERS[2]})).iter_rows()))

if __name__ == "__main__":
    main()
