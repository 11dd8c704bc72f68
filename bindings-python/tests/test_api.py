"""The Python API: idiomatic types, every refusal as a typed exception, bulk columns."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

import commshub_ota as ota
from conformance import TESTS_DIR, given

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
H2 = "00-00-00-00-00-00-00-02"
SUP_A, SUP_B, SUP_C = ota.Actor.customer("SUP-A"), ota.Actor.customer("SUP-B"), ota.Actor.customer("SUP-C")
NORTH = ota.Actor.csp(ota.Region.NORTH)


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


@pytest.fixture
def engine() -> ota.Engine:
    e = ota.Engine()
    given(e, json.loads((TESTS_DIR / "fixtures" / "two_regions.json").read_text()))
    return e


def columns(n: int, start: int = 0x100) -> Dict[str, List[Any]]:
    return {
        "id": [f"{start + i:016X}" for i in range(n)],
        "variant": ["CH-N-DB"] * n,
        "firmware": ["1.1"] * n,
        "smi_status": ["commissioned"] * n,
        "installed_on": [date(2024, 1, 1)] * n,
        "commissioned_on": ["2024-01-02"] * n,
        "import_supplier": ["SUP-A" if i % 2 else "SUP-D" for i in range(n)],
        "esme_model": ["EM-A1"] * n,
        "esme_firmware": ["3.1"] * n,
        "import_vulnerable": [i % 10 == 0 for i in range(n)],
    }


def test_the_hierarchy() -> None:
    kinds = {
        ota.InvalidIdError, ota.InvalidInputError, ota.NotPermittedError, ota.NotFoundError,
        ota.AlreadyExistsError, ota.IllegalTransitionError, ota.PreconditionFailedError,
        ota.BulkRejectedError, ota.CorruptLogError, ota.UnsupportedSchemaError, ota.IoError,
    }
    assert all(issubclass(k, ota.CommsHubOtaError) for k in kinds)
    assert issubclass(ota.CommsHubOtaError, Exception)
    assert {k.value for k in ota.ErrorKind} == set(ota._native.ERROR_KINDS)


def test_enums_and_datetimes_come_back_typed(engine: ota.Engine) -> None:
    engine.create_campaign(ota.Actor.DCC, t(1), campaign="C1", variant="CH-N-DB", target="2.0", cutoff=t(60))
    events = engine.grant_pilot_oa(ota.Actor.DCC, t(2), campaign="C1")
    assert events[0].type == "campaign_phase_changed" and events[0].at == t(2) and events[0].at.tzinfo is not None
    view = engine.campaign(SUP_A, "C1")
    assert view.phase is ota.Phase.PILOT and view.region is ota.Region.NORTH
    assert view.default_cutoff == t(60)
    assert [h.change.to for h in view.history] == [None, ota.Phase.PILOT]
    hub = engine.hub(SUP_B, H2)
    assert hub.smi_status is ota.SmiStatus.COMMISSIONED
    assert hub.installed_on == date(2024, 3, 1)
    assert hub.gas_flags == ota.ConsumerFlags(vulnerable=True)
    assert hub.import_supplier == ota.SupplierView(ota.Visibility.HIDDEN)
    assert hub.configuration_set.devices.gsme == ota.HanDevice("GM-K1", "5.0")
    assert hub.configuration_set.key == "CH-N-DB@1.0|esme:EM-A1@3.1|gsme:GM-K1@5.0|ihd:IHD-X@1.0"


def test_ids_parse_and_are_refused_quoting_the_input() -> None:
    assert ota.parse_hub_id("00-db-12-34-56-78-90-a0") == "00-DB-12-34-56-78-90-A0"
    with pytest.raises(ota.InvalidIdError) as e:
        ota.parse_hub_id("00-DB-12")
    assert '"00-DB-12"' in str(e.value) and e.value.id_kind == "hub" and e.value.input == "00-DB-12"
    with pytest.raises(ota.InvalidIdError):
        ota.Actor.customer("has space")
    with pytest.raises(ota.InvalidIdError):
        ota.Actor.csp("east")


def test_every_refusal_is_typed_and_changes_nothing(engine: ota.Engine, tmp_path: Path) -> None:
    dcc = ota.Actor.DCC
    engine.create_campaign(dcc, t(1), campaign="C1", variant="CH-N-DB", target="2.0", cutoff=t(60))
    seq = engine.last_seq

    with pytest.raises(ota.NotPermittedError) as np_:
        engine.grant_pilot_oa(SUP_A, t(2), campaign="C1")
    assert (np_.value.actor, np_.value.kind) == ("customer:SUP-A", "not_permitted")
    assert "grant pilot OA" in np_.value.action

    with pytest.raises(ota.IllegalTransitionError) as it:
        engine.grant_mass_rollout_oa(dcc, t(2), campaign="C1")
    assert (it.value.current, it.value.attempted, it.value.campaign) == ("draft", "start_mass_rollout", "C1")

    with pytest.raises(ota.NotFoundError) as nf:
        engine.hub(SUP_C, H2)
    assert (nf.value.entity, nf.value.id) == ("hub", H2)

    with pytest.raises(ota.AlreadyExistsError):
        engine.create_campaign(dcc, t(2), campaign="C1", variant="CH-N-DB", target="2.0", cutoff=t(60))

    with pytest.raises(ota.PreconditionFailedError) as pf:
        engine.extend_cutoff(dcc, t(2), campaign="C1", customer="SUP-A", until=t(30))
    assert pf.value.rule == "cutoff_not_later"

    with pytest.raises(ota.InvalidInputError) as ii:
        engine.cancel_campaign(dcc, t(2), campaign="C1", reason=" ")
    assert ii.value.field == "reason"

    with pytest.raises(ota.InvalidIdError):
        engine.commission_hub(dcc, t(2), hub="not-a-hub", on=date(2026, 1, 2))

    with pytest.raises(ota.BulkRejectedError) as br:
        engine.load_estate(dcc, t(2), {**columns(3), "variant": ["CH-N-DB", "NOPE", "CH-N-DB"], "id": ["0000000000000100", "0000000000000101", "nope"]})
    # The model's error (row 1) and the edge's (row 2, a malformed id) are reported together.
    assert [r for r, _ in br.value.rows] == [1, 2]
    assert "nope" in br.value.rows[1][1]

    assert engine.last_seq == seq, "refusals recorded nothing"

    log = tmp_path / "log.jsonl"
    engine.write_log(log)
    lines = log.read_text().splitlines()
    (tmp_path / "corrupt.jsonl").write_text("\n".join(lines[:3] + ["{not json"] + lines[3:]))
    with pytest.raises(ota.CorruptLogError) as cl:
        ota.Engine.replay_log(tmp_path / "corrupt.jsonl")
    assert cl.value.line == 4
    (tmp_path / "newer.jsonl").write_text("\n".join([lines[0].replace(f'"schema":{ota.SCHEMA_VERSION}', '"schema":9', 1)] + lines[1:]))
    with pytest.raises(ota.UnsupportedSchemaError) as us:
        ota.Engine.replay_log(tmp_path / "newer.jsonl")
    assert (us.value.line, us.value.found, us.value.supported) == (1, 9, ota.SCHEMA_VERSION)
    with pytest.raises(ota.IoError) as io:
        ota.Engine.replay_log(tmp_path / "missing" / "log.jsonl")
    assert "missing" in io.value.path
    with pytest.raises(ota.IoError):
        engine.write_log(tmp_path / "missing" / "out.jsonl")
    assert ota.Engine.replay_log(log).same_state_as(engine)


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.grant_pilot_oa(None, T0, campaign="C1"),
        lambda e: e.grant_pilot_oa(ota.Actor.DCC, None, campaign="C1"),
        lambda e: e.grant_pilot_oa(ota.Actor.DCC, datetime(2026, 1, 2), campaign="C1"),
        lambda e: e.grant_pilot_oa(ota.Actor.DCC, "2026-01-02", campaign="C1"),
        lambda e: e.grant_pilot_oa(ota.Actor.DCC, T0, campaign=None),
        lambda e: e.create_campaign(ota.Actor.DCC, T0, campaign="C9", variant="CH-N-DB", target="2.0", cutoff=datetime(2026, 3, 1)),
        lambda e: e.commission_hub(ota.Actor.DCC, T0, hub=H2, on=None),
        lambda e: e.execute(ota.Actor.DCC, T0, ["not", "a", "mapping"]),
        lambda e: e.execute(ota.Actor.DCC, T0, {"type": "no_such_command"}),
        lambda e: e.execute(ota.Actor.DCC, T0, {"type": "grant_pilot_oa", "campaign": object()}),
        lambda e: e.hub(ota.Actor.DCC, None),
        lambda e: e.install_hub(ota.Actor.DCC, T0, {"id": H2}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, None),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {"id": None}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {k: [] for k in columns(1)}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {**columns(3), "firmware": ["1.1"]}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {**columns(2), "colour": ["red", "blue"]}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {k: v for k, v in columns(2).items() if k != "variant"}),
        lambda e: e.load_estate(ota.Actor.DCC, T0, {**columns(2), "id": [1, 2]}),
    ],
)
def test_bad_host_input_is_a_typed_error_and_changes_nothing(engine: ota.Engine, call: Any) -> None:
    seq = engine.last_seq
    with pytest.raises(ota.CommsHubOtaError) as err:
        call(engine)
    assert isinstance(err.value, (ota.InvalidInputError, ota.InvalidIdError)), repr(err.value)
    assert engine.last_seq == seq


def test_dates_out_of_range_are_refused_per_row(engine: ota.Engine) -> None:
    cols = columns(3)
    cols["installed_on"] = ["2024-01-01", "2024-02-30", "9999999-01-01"]
    with pytest.raises(ota.BulkRejectedError) as e:
        engine.load_estate(ota.Actor.DCC, t(1), cols)
    assert [r for r, _ in e.value.rows] == [1, 2]
    assert "installed_on" in e.value.rows[0][1]


def test_bulk_load_from_any_iterable(engine: ota.Engine) -> None:
    n = 5_000
    cols = {k: iter(v) for k, v in columns(n).items()}  # generators, not lists
    seq = engine.load_estate(ota.Actor.DCC, t(1), cols)
    assert seq == engine.last_seq and engine.hub_count == 4 + n
    mine = engine.customer_estate(SUP_A, "SUP-A")
    assert len(mine) == 2 + n // 2
    vulnerable = [h for h in mine if h.import_flags and h.import_flags.vulnerable]
    assert len(vulnerable) == len([i for i in range(n) if i % 2 and i % 10 == 0])
    sets = engine.configuration_sets(SUP_A, "SUP-A")
    assert sum(s.hubs for s in sets) == len(mine)
    with pytest.raises(ota.NotPermittedError):
        engine.configuration_sets(SUP_A)


def test_columns_with_repeated_values_mixed_cells_and_bad_rows(engine: ota.Engine) -> None:
    # Each distinct value is parsed once; a bad one (here an unknown status and a malformed
    # customer) is reported for every row that holds it, with the edge's other row errors.
    cols = columns(6)
    cols["smi_status"] = ["commissioned", "frozen", "commissioned", "frozen", "commissioned", "commissioned"]
    cols["import_supplier"] = ["SUP-A", "SUP-A", "bad supplier!", "SUP-D", "SUP-A", "SUP-D"]
    cols["installed_on"] = [date(2024, 1, 1), "2024-01-01", date(2024, 1, 1), None, "2024-01-01", date(2024, 1, 1)]
    cols["gsme_model"] = [None, None, None, None, "GM-K1", None]
    with pytest.raises(ota.BulkRejectedError) as e:
        engine.load_estate(ota.Actor.DCC, t(1), cols)
    rows = dict(e.value.rows)
    assert sorted(rows) == [1, 2, 3, 4]
    assert "frozen" in rows[1] and "frozen" in rows[3]
    assert "bad supplier!" in rows[2]
    assert "gsme_model and gsme_firmware must be given together" in rows[4]
    cols["smi_status"] = ["commissioned"] * 6
    cols["import_supplier"] = ["SUP-A"] * 6
    cols["installed_on"] = [date(2024, 1, 1), "2024-01-01"] * 3
    cols["gsme_model"] = [None, None, None, None, "GM-K1", None]
    cols["gsme_firmware"] = [None, None, None, None, "5.0", None]
    engine.load_estate(ota.Actor.DCC, t(1), cols)
    hub = engine.hub(ota.Actor.DCC, f"{0x104:016X}")
    assert hub.installed_on == date(2024, 1, 1)
    assert hub.configuration_set.devices == ota.HanDevices(esme=ota.HanDevice("EM-A1", "3.1"), gsme=ota.HanDevice("GM-K1", "5.0"))
    gsme = hub.configuration_set.devices.gsme
    assert gsme is not None and gsme.model == "GM-K1"


def test_a_dictionary_encoded_table_loads_and_is_checked(engine: ota.Engine) -> None:
    table: Dict[str, Any] = {
        "variants": ["CH-N-DB", "CH-S-SB"],
        "firmware_versions": ["1.1", "1.0"],
        "customers": ["SUP-A", "SUP-D"],
        "devices": [{"model": "EM-A1", "firmware": "3.1"}],
        "id": ["00-00-00-00-00-00-02-00", "00-00-00-00-00-00-02-01"],
        "variant": [0, 1],
        "firmware": [0, 1],
        "smi_status": ["commissioned", "commissioned"],
        "installed_on": ["2024-01-01", "2024-01-01"],
        "commissioned_on": ["2024-01-02", "2024-01-02"],
        "import_supplier": [1, 0],
        "import_flags": [1, 0],
        "esme": [0, 0],
    }
    seq = engine.last_seq
    with pytest.raises(ota.InvalidInputError) as ii:
        engine.load_estate_table(ota.Actor.DCC, t(1), {**table, "esme": [0, 3]})
    assert ii.value.field == "esme" and "row 1" in str(ii.value)
    with pytest.raises(ota.InvalidInputError):
        engine.load_estate_table(ota.Actor.DCC, t(1), {**table, "variant": [0, -1]})
    with pytest.raises(ota.InvalidInputError):
        engine.load_estate_table(ota.Actor.DCC, t(1), [1, 2])  # type: ignore[arg-type]
    for bad, field in [
        ({**table, "colour": ["red", "blue"]}, "table"),
        ({k: v for k, v in table.items() if k != "installed_on"}, "table"),
        ({**table, "smi_status": ["commissioned", "frozen"]}, "smi_status"),
        ({**table, "import_flags": [1, 9]}, "import_flags"),
        ({**table, "devices": [("EM-A1", "3.1")]}, "devices"),
        ({**table, "installed_on": ["2024-01-01", "2024-02-30"]}, "installed_on"),
        ({**table, "smi_status": ["commissioned"]}, "smi_status"),
    ]:
        with pytest.raises(ota.InvalidInputError) as bad_input:
            engine.load_estate_table(ota.Actor.DCC, t(1), bad)
        assert bad_input.value.field == field, (field, bad_input.value)
    with pytest.raises(ota.InvalidIdError):
        engine.load_estate_table(ota.Actor.DCC, t(1), {**table, "id": ["nope", "00-00-00-00-00-00-02-01"]})
    with pytest.raises(ota.BulkRejectedError) as br:
        engine.load_estate_table(ota.Actor.DCC, t(1), {**table, "id": [H2, "00-00-00-00-00-00-02-01"]})
    assert [r for r, _ in br.value.rows] == [0]
    with pytest.raises(ota.NotPermittedError):
        engine.load_estate_table(SUP_A, t(1), table)
    assert engine.last_seq == seq
    assert engine.load_estate_table(ota.Actor.DCC, t(1), table) == seq + 1
    first = engine.hub(ota.Actor.DCC, "00-00-00-00-00-00-02-00")
    assert first.variant == "CH-N-DB" and first.import_flags is not None and first.import_flags.vulnerable
    assert engine.hub(SUP_A, "00-00-00-00-00-00-02-01").firmware == "1.0"


def test_scoped_views(engine: ota.Engine) -> None:
    assert engine.hub(NORTH, H2).import_supplier == ota.SupplierView(ota.Visibility.HIDDEN)
    assert engine.hub(ota.Actor.DCC, H2).gas_supplier == ota.SupplierView(ota.Visibility.KNOWN, "SUP-B")
    with pytest.raises(ota.NotFoundError):
        engine.hub(ota.Actor.csp(ota.Region.SOUTH), H2)
    with pytest.raises(ota.NotPermittedError):
        engine.customer_estate(SUP_A, "SUP-B")
    assert [v.id for v in engine.variants(NORTH)] == ["CH-N-DB"]
    versions = engine.firmware_versions(SUP_B, "CH-N-DB")
    assert versions[0].gates[2].gate is ota.Gate.CUSTOMER_TESTED and versions[0].gates[2].by == "dcc"
    # SUP-B sees its own testing feedback only; the DCC each customer's, named.
    assert [(f.customer, f.result) for f in versions[0].test_feedback] == [("SUP-B", ota.TestResult.PASSED)]
    assert [f.customer for f in engine.firmware_versions(ota.Actor.DCC, "CH-N-DB")[0].test_feedback] == ["SUP-A", "SUP-B"]
    assert engine.upgrade_route(ota.Actor.DCC, "CH-N-DB", "1.0", "2.0") == ["1.1", "2.0"]


def test_typed_commands_cover_the_estate(engine: ota.Engine) -> None:
    dcc = ota.Actor.DCC
    row = ota.HubRow(
        id="00-00-00-00-00-00-01-00", variant="CH-N-DB", firmware="1.1", smi_status=ota.SmiStatus.INSTALLED_NOT_COMMISSIONED,
        installed_on=date(2026, 1, 1), devices=ota.HanDevices(esme=ota.HanDevice("EM-A1", "3.1")), import_supplier="SUP-A",
    )
    engine.install_hub(dcc, t(1), row)
    engine.commission_hub(dcc, t(1), hub=row.id, on=date(2026, 1, 2))
    engine.change_smi_status(dcc, t(2), hub=row.id, status=ota.SmiStatus.SUSPENDED)
    engine.change_han_device_firmware(SUP_A, t(2), hub=row.id, device=ota.HanDeviceKind.ESME, firmware="3.2")
    engine.set_consumer_flags(SUP_A, t(3), hub=row.id, role=ota.SupplyRole.IMPORT, flags=ota.ConsumerFlags(super_friendly=True))
    engine.change_supplier(dcc, t(3), hub=row.id, role=ota.SupplyRole.IMPORT, supplier="SUP-B")
    engine.decommission_hub(dcc, t(4), hub=row.id, on=date(2026, 1, 5))
    view = engine.hub(dcc, row.id)
    assert view.smi_status is ota.SmiStatus.DECOMMISSIONED
    assert view.import_supplier == ota.SupplierView(ota.Visibility.KNOWN, "SUP-B")
    assert view.configuration_set.devices.esme is not None and view.configuration_set.devices.esme.firmware == "3.2"
    assert [e.type for e in engine.events(engine.last_seq - 7)] == [
        "hub_installed", "hub_commissioned", "smi_status_changed", "han_device_firmware_changed",
        "consumer_flags_set", "supplier_changed", "hub_decommissioned",
    ]


def test_catalogue_commands() -> None:
    e = ota.Engine()
    dcc = ota.Actor.DCC
    e.register_variant(dcc, T0, ota.Variant("V-S", "Acme", "CH2", "C", ota.HanBand.SINGLE_BAND, ota.Region.SOUTH))
    south = ota.Actor.csp(ota.Region.SOUTH)
    with pytest.raises(ota.NotPermittedError):
        e.register_firmware(NORTH, T0, variant="V-S", version="1.0")
    e.register_firmware(south, T0, variant="V-S", version="1.0")
    e.register_firmware(south, T0, variant="V-S", version="1.1", upgrades_from=["1.0"])
    with pytest.raises(ota.PreconditionFailedError) as err:
        e.record_gate(dcc, T0, variant="V-S", version="1.1", gate=ota.Gate.DCC_TEST_APPROVED)
    assert err.value.rule == "gate_order"
    e.record_gate(south, T0, variant="V-S", version="1.1", gate=ota.Gate.CSP_APPROVED)
    assert e.firmware_versions(dcc, "V-S")[1].gates[0].by == "csp:south"


def test_threads_share_one_engine(engine: ota.Engine) -> None:
    dcc = ota.Actor.DCC
    errors: List[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(25):
                campaign = f"T{k}-{i}"
                engine.create_campaign(dcc, t(1), campaign=campaign, variant="CH-N-DB", target="2.0", cutoff=t(90))
                engine.grant_pilot_oa(dcc, t(1), campaign=campaign)
                assert engine.campaign(SUP_A, campaign).phase is ota.Phase.PILOT
                # Open campaigns per variant are bounded: close each before the next.
                engine.cancel_campaign(dcc, t(1), campaign=campaign, reason="done")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(engine.campaigns(dcc)) == 8 * 25
    assert engine.last_seq == 38 + 8 * 25 * 3  # the fixture's 38 events, then 3 a campaign
