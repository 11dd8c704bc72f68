"""What the generated views (`_views.py`) carry beyond the core's JSON shape, written by hand:
scripts/gen_python.py makes view `X` inherit `XExtras` when this module defines it. Extras add
properties and methods only, never fields, so a view's fields stay the core's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

from ._enums import HanDeviceKind

if TYPE_CHECKING:
    from ._views import HanDevices


class ConfigurationSetExtras:
    variant: str
    firmware: str
    devices: "HanDevices"

    @property
    def key(self) -> str:
        """`VARIANT@FW|esme:MODEL@FW|...`, the same key as the Rust core's (`ConfigurationSet::key`)
        and the one every Arrow answer names a set by."""
        parts = [f"{self.variant}@{self.firmware}"]
        for kind in HanDeviceKind:
            device = getattr(self.devices, kind.value)
            if device is not None:
                parts.append(f"{kind.value}:{device.model}@{device.firmware}")
        return "|".join(parts)


class NotificationExtras:
    def to_dict(self) -> Dict[str, Any]:
        raise NotImplementedError

    @property
    def fields(self) -> Dict[str, Any]:
        """The notice's own fields (its JSON form without `id`, `event`, `at` and `type`), for a
        reader that prints or forwards notices of every kind alike."""
        return {k: v for k, v in self.to_dict().items() if k not in ("id", "event", "at", "type")}
