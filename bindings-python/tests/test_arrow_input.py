"""Arrow input as a hostile or careless producer gives it (issue 20, finding 14): every case is a
typed `CommsHubOtaError`, never a `PanicException` (a `BaseException` that `except Exception`
misses) and never another value read silently; costs follow the rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest

import commshub_ota as ota
from test_arrow import _columns, _fresh

pa = pytest.importorskip("pyarrow")

T1 = datetime(2026, 1, 2, 9, 0, tzinfo=timezone.utc)


def load(frame: Any) -> int:
    return _fresh().load_estate(ota.Actor.DCC, T1, frame)


def refused(frame: Any, match: str = "") -> ota.CommsHubOtaError:
    """`frame` is refused with a typed error (and `match` in its message)."""
    try:
        load(frame)
    except ota.CommsHubOtaError as err:
        assert match in str(err), str(err)
        return err
    except BaseException as other:  # a PanicException is a BaseException
        raise AssertionError(f"not a CommsHubOtaError: {type(other).__name__}: {other}") from other
    raise AssertionError("accepted")


def with_column(name: str, array: Any, n: int = 3) -> Any:
    cols: dict[str, Any] = {k: pa.array(v) for k, v in _columns(n).items() if k != name}
    cols[name] = array
    return pa.table(cols)


def test_extreme_dates_and_times_are_row_errors_not_panics() -> None:
    for array in (
        pa.array([-(2**63)] * 3, pa.date64()),
        pa.array([2**63 - 1] * 3, pa.date64()),
        pa.array([2**63 - 1] * 3, pa.timestamp("s", tz="UTC")),
        pa.array([-(2**63)] * 3, pa.timestamp("s", tz="UTC")),
        pa.array([-(2**63)] * 3, pa.timestamp("s")),
    ):
        err = refused(with_column("installed_on", array))
        assert isinstance(err, ota.BulkRejectedError), err
        assert err.rows[0][0] == 0 and "installed_on" in err.rows[0][1], err.rows[0]


class _Stream:
    """A producer whose stream changes its schema after the first batch."""

    def __init__(self, batches: list[Any]) -> None:
        self.batches = batches

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        first = self.batches[0].schema

        def batches() -> Iterator[Any]:
            yield from self.batches

        try:
            reader = pa.RecordBatchReader.from_batches(first, batches())
        except pa.ArrowInvalid:
            pytest.skip("this pyarrow refuses a changing schema itself")
        return reader.__arrow_c_stream__(requested_schema)


def test_a_stream_whose_schema_changes_part_way_is_refused() -> None:
    good = pa.table({k: pa.array(v) for k, v in _columns(3).items()}).to_batches()[0]
    other = pa.table({k: pa.array(v) for k, v in _columns(3).items() if k != "esme_model"}).to_batches()[0]
    refused(_Stream([good, other]))


def test_dictionary_keys_outside_their_dictionary_are_refused_naming_row_and_column() -> None:
    for key_type in (pa.int64(), pa.int8(), pa.uint64(), pa.int32()):
        keys = pa.array([0, 0, 5], key_type)
        variant = pa.DictionaryArray.from_arrays(keys, pa.array(["CH-N-DB", "CH-S-SB"]), safe=False)
        err = refused(with_column("variant", variant), "outside its dictionary")
        assert isinstance(err, ota.InvalidInputError) and err.field == "variant", err
        assert "row 2" in str(err) and "key 5" in str(err)
    negative = pa.DictionaryArray.from_arrays(pa.array([0, -1, 0], pa.int64()), pa.array(["CH-N-DB"]), safe=False)
    refused(with_column("variant", negative), "outside its dictionary")


def test_duplicate_and_nul_column_names_are_refused() -> None:
    cols = _columns(2)
    twice = pa.Table.from_arrays([pa.array(v) for v in cols.values()] + [pa.array(cols["variant"])],
                                 names=list(cols) + ["variant"])
    refused(twice, "appears twice")
    nul = pa.table({**{k: pa.array(v) for k, v in cols.items() if k != "esme_model"},
                    "esme_model\0x": pa.array(cols["esme_model"])})
    refused(nul, "NUL")
    with pytest.raises(ota.InvalidInputError, match="unknown column"):
        load({**cols, "variant\0": cols["variant"]})


def test_the_synthetic_estate_refuses_bad_sizes_with_a_typed_error() -> None:
    for hubs, seed in ((-1, 1), (2**70, 1), (10, -1), (10, 2**70), (0, 1), (20_000_001, 1)):
        with pytest.raises(ota.InvalidInputError):
            ota.synthetic_estate_arrow(hubs, seed)
        with pytest.raises(ota.InvalidInputError):
            ota.synthetic_estate(hubs, seed)


def test_a_text_where_a_list_belongs_is_refused_before_it_is_taken_apart() -> None:
    cols: dict[str, Any] = dict(_columns(2))
    cols["variant"] = "x" * 10_000_000
    with pytest.raises(ota.InvalidInputError, match="expected a list") as err:
        load(cols)
    assert err.value.field == "variant"


def test_a_huge_dictionary_for_a_few_rows_reads_only_the_values_they_use() -> None:
    values = pa.array([f"CH-X-{i}" for i in range(1_000_000)] + ["CH-N-DB"])
    keys = pa.array([1_000_000] * 6, pa.int32())
    variant = pa.DictionaryArray.from_arrays(keys, values)
    e = _fresh()
    e.load_estate(ota.Actor.DCC, T1, with_column("variant", variant, n=6))
    assert e.hub_count == 6 + _fresh().hub_count


# --- a fuzz over Arrow types and values, for every column -------------------------------------

def _arrays(n: int, rng: random.Random) -> Iterator[Any]:
    ints = [(-(2**63), 2**63 - 1), (-(2**31), 2**31 - 1), (0, 2**64 - 1)]
    yield pa.array([rng.randint(*ints[0]) for _ in range(n)], pa.int64())
    yield pa.array([rng.randint(*ints[1]) for _ in range(n)], pa.int32())
    yield pa.array([rng.randint(*ints[2]) for _ in range(n)], pa.uint64())
    yield pa.array([rng.random() * 1e300 for _ in range(n)], pa.float64())
    yield pa.array([rng.random() < 0.5 for _ in range(n)], pa.bool_())
    yield pa.array([None] * n, pa.null())
    yield pa.array(["".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 40))) for _ in range(n)])
    yield pa.array(["x" * 300] * n, pa.large_string())
    yield pa.array([b"\xff\x00" * 3] * n, pa.binary())
    yield pa.array([rng.randint(-(2**31), 2**31 - 1) for _ in range(n)], pa.date32())
    yield pa.array([rng.randint(-(2**63), 2**63 - 1) for _ in range(n)], pa.date64())
    for unit in ("s", "ms", "us", "ns"):
        for tz in (None, "UTC", "Europe/London"):
            yield pa.array([rng.randint(-(2**63), 2**63 - 1) for _ in range(n)], pa.timestamp(unit, tz=tz))
    for key in (pa.int8(), pa.uint16(), pa.int64()):
        dictionary = pa.array(["CH-N-DB", "1.1", "", None, "2024-03-01"])
        low = 0 if key == pa.uint16() else -2
        keys = pa.array([rng.randint(low, 7) for _ in range(n)], key)
        yield pa.DictionaryArray.from_arrays(keys, dictionary, safe=False)
    yield pa.array([["a", "b"]] * n, pa.list_(pa.string()))
    yield pa.array([{"a": 1}] * n, pa.struct([("a", pa.int64())]))


def test_fuzz_every_arrow_type_in_every_column_is_loaded_or_refused_typed() -> None:
    rng = random.Random(20)
    n = 3
    names = list(_columns(n)) + ["ihd_model", "gas_high_risk", "ppmid_firmware"]
    tried = 0
    for name in names:
        for array in _arrays(n, rng):
            frame = with_column(name, array, n)
            try:
                load(frame)
            except ota.CommsHubOtaError:
                pass
            except BaseException as other:
                raise AssertionError(f"{name} as {array.type}: {type(other).__name__}: {other}") from other
            tried += 1
    assert tried > 300


def test_hub_ids_load_as_64_bit_integers_as_the_answers_give_them() -> None:
    texts = [str(t) for t in _columns(3)["id"]]
    ids = [ota.hub_number(t) for t in texts]
    by_text = _fresh()
    by_text.load_estate(ota.Actor.DCC, T1, pa.table({k: pa.array(v) for k, v in _columns(3).items()}))
    for array in (pa.array(ids, pa.uint64()), pa.array([i - 2**64 if i >= 2**63 else i for i in ids], pa.int64())):
        e = _fresh()
        e.load_estate(ota.Actor.DCC, T1, with_column("id", array))
        assert e.hub_count == by_text.hub_count
        for text in texts:
            assert e.hub(ota.Actor.DCC, text) == by_text.hub(ota.Actor.DCC, text)
    # A missing integer id is a row error, named by its row.
    err = refused(with_column("id", pa.array([ids[0], None, ids[2]], pa.uint64())))
    assert isinstance(err, ota.BulkRejectedError) and err.rows[0][0] == 1 and "missing" in err.rows[0][1], err
