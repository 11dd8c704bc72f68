"""A smoke test of an installed wheel, run by scripts/test from a clean virtualenv in a
temporary directory (so that nothing of the source tree is importable): the package imports
from site-packages, reports its version, refuses with a typed error, and hands a columnar answer
to pyarrow (the `[arrow]` extra)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import commshub_ota as ota
import pyarrow as pa  # type: ignore[import-not-found, import-untyped, unused-ignore]


def main(repository: str, version: str) -> None:
    installed = Path(ota.__file__).resolve()
    assert "site-packages" in installed.parts, f"imported from {installed}, not an installed wheel"
    assert Path(repository).resolve() not in installed.parents, f"{installed} is in the source tree"
    assert ota.__version__ == version, f"version {ota.__version__}, expected {version}"
    at = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    engine = ota.Engine()
    engine.register_variant(ota.Actor.DCC, at, ota.Variant("CH-N-DB", "Acme", "CH2", "B",
                                                           ota.HanBand.DUAL_BAND, ota.Region.NORTH))
    try:
        engine.grant_pilot_oa(ota.Actor.customer("SUPPLIER-01"), at, campaign="C1")
        raise AssertionError("a supplier granted the DCC's approval")
    except ota.NotPermittedError as err:
        assert err.kind == "not_permitted", err.kind
    table = pa.table(engine.query_arrow(ota.Actor.DCC, {"name": "estate_by_firmware"}))
    assert table.num_rows == 0 and "hubs" in table.column_names, table.schema
    print(f"wheel smoke: commshub-ota {ota.__version__} from {installed.parent}: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
