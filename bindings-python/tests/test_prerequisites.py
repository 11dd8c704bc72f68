"""Firmware prerequisites on HAN device firmware (decision 17, issue 24), from Python."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import commshub_ota as ota
from conformance import rolling

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
CSP = ota.Actor.csp(ota.Region.NORTH)
DCC = ota.Actor.DCC
D = ota.Actor.customer("SUP-D")


def t(day: int) -> datetime:
    return T0 + timedelta(days=day)


def h(n: int) -> str:
    return f"00-00-00-00-00-00-00-{n:02X}"


def listed(e: ota.Engine, day: int) -> set[str]:
    return {u.hub for u in e.upgrade_list(CSP, ota.Region.NORTH, t(day)).entries}


def test_a_hub_below_a_prerequisite_waits_for_its_device() -> None:
    e = rolling()
    assert h(0x16) in listed(e, 3)
    need = ota.Prerequisite(ota.HanDeviceKind.ESME, "4.10", model="EM-B2")
    e.set_firmware_prerequisites(CSP, t(3), variant="CH-N-DB", version="2.0", prerequisites=[need])
    assert h(0x16) not in listed(e, 3) and h(0x15) in listed(e, 3)
    why = e.explain(D, "C2", h(0x16), t(3))
    assert not why.upgradeable
    [b] = why.blockers
    assert b == ota.Blocker(ota.BlockerKind.PREREQUISITE_MISSING, version="2.0", device=ota.HanDeviceKind.ESME,
                            model="EM-B2", has="4.0", needs="4.10")
    assert "4.10" in why.sentences[0]
    e.change_han_device_firmware(DCC, t(4), hub=h(0x16), device=ota.HanDeviceKind.ESME, firmware="4.9")
    assert h(0x16) not in listed(e, 4)
    e.change_han_device_firmware(DCC, t(4), hub=h(0x16), device=ota.HanDeviceKind.ESME, firmware="4.10")
    assert h(0x16) in listed(e, 4)


def test_refused_prerequisites_say_why() -> None:
    e = rolling()
    need = ota.Prerequisite(ota.HanDeviceKind.ESME, "4.10")
    with pytest.raises(ota.NotPermittedError):
        e.set_firmware_prerequisites(DCC, t(3), variant="CH-N-DB", version="2.0", prerequisites=[need])
    with pytest.raises(ota.NotFoundError):
        e.set_firmware_prerequisites(CSP, t(3), variant="CH-N-DB", version="9.9", prerequisites=[need])
    with pytest.raises(ota.InvalidInputError, match=r"prerequisites\[0\]\.min_firmware"):
        e.set_firmware_prerequisites(CSP, t(3), variant="CH-N-DB", version="2.0",
                                     prerequisites=[ota.Prerequisite(ota.HanDeviceKind.ESME, "4 10")])
    with pytest.raises(ota.InvalidInputError, match="prerequisites"):
        e.set_firmware_prerequisites(CSP, t(3), variant="CH-N-DB", version="2.0",
                                     prerequisites=[ota.Prerequisite(ota.HanDeviceKind.ESME, "1", model=f"M{i}") for i in range(33)])
    # Registered with the version, and kept in its event.
    [event] = e.register_firmware(CSP, t(3), variant="CH-N-DB", version="3.0", upgrades_from=["2.0"], prerequisites=[need])
    assert event.payload["prerequisites"] == [{"device": "esme", "min_firmware": "4.10"}]
