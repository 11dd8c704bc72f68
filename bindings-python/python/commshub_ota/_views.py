"""Typed values: what commands take (Variant, HubRow) and what queries return.

Every returned value keeps the JSON form it was built from; `to_dict()` gives it back (the same
JSON as the Rust views, the conformance scenarios and the event log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Dict, List, Mapping, Optional

from ._enums import (
    BlockerKind,
    Gate,
    HanBand,
    HanDeviceKind,
    HanHealth,
    NotificationType,
    Outcome,
    Party,
    Phase,
    Region,
    SmiStatus,
    SupplyRole,
    UpgradeState,
    Visibility,
    Weekday,
)

JsonDict = Dict[str, Any]


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 time from the core (`...Z` or `...+00:00`) as an aware datetime."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be a timezone-aware datetime")
    return value


def _opt_date(text: Optional[str]) -> Optional[date]:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class HanDevice:
    """One HAN device: its model and firmware version."""

    model: str
    firmware: str


@dataclass(frozen=True)
class ConsumerFlags:
    """What one supplier records about its consumer at a premises."""

    vulnerable: bool = False
    high_risk: bool = False
    super_friendly: bool = False

    @staticmethod
    def from_dict(d: Optional[Mapping[str, Any]]) -> Optional["ConsumerFlags"]:
        if d is None:
            return None
        return ConsumerFlags(bool(d.get("vulnerable")), bool(d.get("high_risk")), bool(d.get("super_friendly")))

    def to_dict(self) -> JsonDict:
        return {"vulnerable": self.vulnerable, "high_risk": self.high_risk, "super_friendly": self.super_friendly}


def _devices(d: Mapping[str, Any]) -> Dict[HanDeviceKind, HanDevice]:
    return {HanDeviceKind(k): HanDevice(v["model"], v["firmware"]) for k, v in d.items()}


@dataclass(frozen=True)
class Variant:
    """A hub variant: firmware is built per variant."""

    id: str
    manufacturer: str
    model: str
    hardware_version: str
    han_band: HanBand
    region: Region

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Variant":
        return Variant(d["id"], d["manufacturer"], d["model"], d["hardware_version"], HanBand(d["han_band"]), Region(d["region"]))

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "hardware_version": self.hardware_version,
            "han_band": self.han_band.value,
            "region": self.region.value,
        }


@dataclass(frozen=True)
class HubRow:
    """One hub as installed: the input of `Engine.install_hub`."""

    id: str
    variant: str
    firmware: str
    smi_status: SmiStatus
    installed_on: date
    commissioned_on: Optional[date] = None
    devices: Mapping[HanDeviceKind, HanDevice] = field(default_factory=dict)
    import_supplier: Optional[str] = None
    gas_supplier: Optional[str] = None
    import_flags: ConsumerFlags = ConsumerFlags()
    gas_flags: ConsumerFlags = ConsumerFlags()

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HubRow":
        return HubRow(
            id=d["id"],
            variant=d["variant"],
            firmware=d["firmware"],
            smi_status=SmiStatus(d["smi_status"]),
            installed_on=date.fromisoformat(d["installed_on"]),
            commissioned_on=_opt_date(d.get("commissioned_on")),
            devices=_devices(d.get("devices") or {}),
            import_supplier=d.get("import_supplier"),
            gas_supplier=d.get("gas_supplier"),
            import_flags=ConsumerFlags.from_dict(d.get("import_flags")) or ConsumerFlags(),
            gas_flags=ConsumerFlags.from_dict(d.get("gas_flags")) or ConsumerFlags(),
        )

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "variant": self.variant,
            "firmware": self.firmware,
            "smi_status": SmiStatus(self.smi_status).value,
            "installed_on": self.installed_on.isoformat(),
            "commissioned_on": self.commissioned_on.isoformat() if self.commissioned_on else None,
            "devices": {HanDeviceKind(k).value: {"model": v.model, "firmware": v.firmware} for k, v in self.devices.items()},
            "import_supplier": self.import_supplier,
            "gas_supplier": self.gas_supplier,
            "import_flags": self.import_flags.to_dict(),
            "gas_flags": self.gas_flags.to_dict(),
        }


@dataclass(frozen=True)
class Event:
    """One recorded event: its sequence number, time, actor (`system` for an automatic act),
    type and payload. `refused` lists the hubs a bulk participation command did not take, with
    why (typed; also in the payload). `seq` is the log's: set in `Engine.events()` (the host's
    record) and in the answer to a DCC command; `None` in the answer to any other party's
    command, where it would count the events others recorded in between."""

    seq: Optional[int]
    at: datetime
    actor: str
    type: str
    payload: JsonDict = field(repr=False)
    #: In a signed log, the first event of each command carries its act: who signed (`by`),
    #: with which key, the act counter `n`, the signature `sig` and the command.
    act: Optional[JsonDict] = field(default=None, repr=False)

    @property
    def refused(self) -> List["HubRefusal"]:
        return [HubRefusal(r["hub"], r["reason"]) for r in self.payload.get("refused", [])]

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Event":
        act = d.get("act")
        return Event(
            d.get("seq"), parse_datetime(d["at"]), d["actor"], d["payload"]["type"], dict(d["payload"]),
            dict(act) if act is not None else None,
        )

    def to_dict(self) -> JsonDict:
        return dict(self.payload)


@dataclass(frozen=True)
class HubRefusal:
    """One hub of a bulk participation command (nominate, reject, withdraw) that was not taken."""

    hub: str
    reason: str


@dataclass(frozen=True)
class SupplierView:
    """Who holds a supply role, as the asker may know it: `vacant`, `hidden` or `known`."""

    visibility: Visibility
    customer: Optional[str] = None


@dataclass(frozen=True)
class ConfigurationSet:
    """The devices and versions behind a hub: what suppliers approve or hold back by."""

    variant: str
    firmware: str
    devices: Mapping[HanDeviceKind, HanDevice]

    @property
    def key(self) -> str:
        """`VARIANT@FW|esme:MODEL@FW|...`, the same key as the Rust core's."""
        parts = [f"{self.variant}@{self.firmware}"]
        for kind in HanDeviceKind:
            d = self.devices.get(kind)
            if d is not None:
                parts.append(f"{kind.value}:{d.model}@{d.firmware}")
        return "|".join(parts)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ConfigurationSet":
        return ConfigurationSet(d["variant"], d["firmware"], _devices(d["devices"]))

    def to_dict(self) -> JsonDict:
        return {
            "variant": self.variant,
            "firmware": self.firmware,
            "devices": {HanDeviceKind(k).value: {"model": v.model, "firmware": v.firmware} for k, v in self.devices.items()},
        }


@dataclass(frozen=True)
class HubView:
    """One hub as the asker may see it."""

    id: str
    region: Region
    variant: str
    firmware: str
    smi_status: SmiStatus
    import_supplier: SupplierView
    gas_supplier: SupplierView
    import_flags: Optional[ConsumerFlags]
    gas_flags: Optional[ConsumerFlags]
    split_supply: bool
    installed_on: date
    commissioned_on: Optional[date]
    configuration_set: ConfigurationSet
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HubView":
        def sv(v: Mapping[str, Any]) -> SupplierView:
            return SupplierView(Visibility(v["visibility"]), v.get("customer"))

        return HubView(
            d["id"], Region(d["region"]), d["variant"], d["firmware"], SmiStatus(d["smi_status"]),
            sv(d["import_supplier"]), sv(d["gas_supplier"]),
            ConsumerFlags.from_dict(d.get("import_flags")), ConsumerFlags.from_dict(d.get("gas_flags")),
            bool(d["split_supply"]), date.fromisoformat(d["installed_on"]), _opt_date(d.get("commissioned_on")),
            ConfigurationSet.from_dict(d["configuration_set"]), dict(d),
        )

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class ConfigSetCount:
    """A configuration set and how many hubs run it."""

    configuration_set: ConfigurationSet
    hubs: int
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ConfigSetCount":
        return ConfigSetCount(ConfigurationSet.from_dict(d["configuration_set"]), int(d["hubs"]), dict(d))

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class Cutoff:
    """A customer's cut-off in a campaign."""

    customer: str
    until: datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a campaign's history. `change` is `created`, `phase_changed` or
    `cutoff_extended`; the other fields are set where that change has them. `seq` (the event's
    place in the log) is shown to the DCC only; `actor` is `system` for an automatic act."""

    seq: Optional[int]
    at: datetime
    actor: str
    change: str
    from_phase: Optional[Phase] = None
    to_phase: Optional[Phase] = None
    reason: Optional[str] = None
    customer: Optional[str] = None
    until: Optional[datetime] = None

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HistoryEntry":
        c = d["change"]
        return HistoryEntry(
            d.get("seq"), parse_datetime(d["at"]), d["actor"], c["type"],
            Phase(c["from"]) if "from" in c else None, Phase(c["to"]) if "to" in c else None,
            c.get("reason"), c.get("customer"), parse_datetime(c["until"]) if "until" in c else None,
        )


@dataclass(frozen=True)
class CampaignView:
    """A campaign with its phase, the cut-offs and the history the asker may see."""

    id: str
    variant: str
    region: Region
    target: str
    phase: Phase
    resume_to: Optional[Phase]
    default_cutoff: datetime
    cutoffs: List[Cutoff]
    history: List[HistoryEntry]
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "CampaignView":
        return CampaignView(
            d["id"], d["variant"], Region(d["region"]), d["target"], Phase(d["phase"]),
            Phase(d["resume_to"]) if d.get("resume_to") else None, parse_datetime(d["default_cutoff"]),
            [Cutoff(c["customer"], parse_datetime(c["until"])) for c in d["cutoffs"]],
            [HistoryEntry.from_dict(h) for h in d["history"]], dict(d),
        )

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class GateView:
    """A gate passed: when, by whom (None where the asker may not know), with its note."""

    gate: Gate
    at: datetime
    by: Optional[str]
    note: Optional[str]


@dataclass(frozen=True)
class FirmwareView:
    """A firmware version with its pathway and the gates it has passed."""

    version: str
    upgrades_from: List[str]
    on_production_cpl: bool
    gates: List[GateView]
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "FirmwareView":
        return FirmwareView(
            d["version"], list(d["upgrades_from"]), bool(d["on_production_cpl"]),
            [GateView(Gate(g["gate"]), parse_datetime(g["at"]), g.get("by"), g.get("note")) for g in d["gates"]],
            dict(d),
        )

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class HaltPolicy:
    """Automatic halts: over `failure_threshold_percent` failures once `min_outcomes` are in."""

    failure_threshold_percent: float
    min_outcomes: int

    def to_dict(self) -> JsonDict:
        return {"failure_threshold_percent": float(self.failure_threshold_percent), "min_outcomes": self.min_outcomes}

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HaltPolicy":
        return HaltPolicy(float(d["failure_threshold_percent"]), int(d["min_outcomes"]))


@dataclass(frozen=True)
class Blackout:
    """A time with no dispatch: `Blackout.dates(from, to)` (inclusive) or
    `Blackout.weekly(Weekday.SUNDAY, from_hour, to_hour)` (UTC hours, to_hour excluded)."""

    type: str
    from_date: Optional[date] = None
    to_date: Optional[date] = None
    day: Optional[Weekday] = None
    from_hour: Optional[int] = None
    to_hour: Optional[int] = None

    @staticmethod
    def dates(from_date: date, to_date: date) -> "Blackout":
        return Blackout("dates", from_date=from_date, to_date=to_date)

    @staticmethod
    def weekly(day: Weekday, from_hour: int, to_hour: int) -> "Blackout":
        return Blackout("weekly", day=day, from_hour=from_hour, to_hour=to_hour)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Blackout":
        if d["type"] == "dates":
            return Blackout.dates(date.fromisoformat(d["from"]), date.fromisoformat(d["to"]))
        return Blackout.weekly(Weekday(d["day"]), int(d["from_hour"]), int(d["to_hour"]))

    def to_dict(self) -> JsonDict:
        if self.type == "dates":
            return {"type": "dates", "from": _iso(self.from_date), "to": _iso(self.to_date)}
        day = self.day.value if isinstance(self.day, Weekday) else self.day
        return {"type": "weekly", "day": day, "from_hour": self.from_hour, "to_hour": self.to_hour}


def _iso(d: Optional[date]) -> Optional[str]:
    return d.isoformat() if d is not None else None


@dataclass(frozen=True)
class Pacing:
    """A daily cap on hubs offered (None: no cap), ramped by `ramp_factor` after each day whose
    failure rate stayed under the halt threshold, and blackouts."""

    daily_cap: Optional[int] = None
    ramp_factor: float = 1.0
    blackouts: List[Blackout] = field(default_factory=list)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Pacing":
        return Pacing(d.get("daily_cap"), float(d.get("ramp_factor", 1.0)), [Blackout.from_dict(b) for b in d.get("blackouts", [])])

    def to_dict(self) -> JsonDict:
        return {"daily_cap": self.daily_cap, "ramp_factor": float(self.ramp_factor), "blackouts": [b.to_dict() for b in self.blackouts]}


@dataclass(frozen=True)
class CampaignPolicy:
    """The DCC's settings for a campaign: pilot cap and assessment period, attempts per hub,
    the reconciliation timeout, the cut-off notice lead time, automatic halts and pacing."""

    pilot_cap_per_customer: Optional[int] = None
    min_assessment_days: int = 0
    max_attempts: int = 3
    reconciliation_timeout_hours: int = 72
    cutoff_notice_days: int = 7
    halt: Optional[HaltPolicy] = None
    pacing: Optional[Pacing] = None
    in_flight_timeout_hours: int = 72
    retry_delay_hours: int = 0

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "CampaignPolicy":
        """A policy from its JSON form (missing fields take their defaults)."""
        base = CampaignPolicy()
        return CampaignPolicy(
            d.get("pilot_cap_per_customer"), int(d.get("min_assessment_days", base.min_assessment_days)),
            int(d.get("max_attempts", base.max_attempts)),
            int(d.get("reconciliation_timeout_hours", base.reconciliation_timeout_hours)),
            int(d.get("cutoff_notice_days", base.cutoff_notice_days)),
            HaltPolicy.from_dict(d["halt"]) if d.get("halt") else None,
            Pacing.from_dict(d["pacing"]) if d.get("pacing") else None,
            int(d.get("in_flight_timeout_hours", base.in_flight_timeout_hours)),
            int(d.get("retry_delay_hours", base.retry_delay_hours)),
        )

    def to_dict(self) -> JsonDict:
        d: JsonDict = {
            "pilot_cap_per_customer": self.pilot_cap_per_customer, "min_assessment_days": self.min_assessment_days,
            "max_attempts": self.max_attempts, "reconciliation_timeout_hours": self.reconciliation_timeout_hours,
            "cutoff_notice_days": self.cutoff_notice_days, "in_flight_timeout_hours": self.in_flight_timeout_hours,
            "retry_delay_hours": self.retry_delay_hours,
        }
        if self.halt is not None:
            d["halt"] = self.halt.to_dict()
        if self.pacing is not None:
            d["pacing"] = self.pacing.to_dict()
        return d


@dataclass(frozen=True)
class OutcomeReport:
    """One row of a CSP's outcome report: `OutcomeReport(hub, Outcome.DELIVERED)`,
    `OutcomeReport.read_back(hub, "2.0")`, or a failure with an optional `reason`."""

    hub: str
    outcome: Outcome
    firmware: Optional[str] = None
    reason: Optional[str] = None
    # When it happened (timezone-aware), if earlier than the report is recorded: no later than
    # that, no earlier than the hub's previous outcome. It is counted on that (local) day.
    happened_at: Optional[datetime] = None

    @staticmethod
    def read_back(hub: str, firmware: str, happened_at: Optional[datetime] = None) -> "OutcomeReport":
        return OutcomeReport(hub, Outcome.READ_BACK, firmware=firmware, happened_at=happened_at)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "OutcomeReport":
        at = d.get("happened_at")
        return OutcomeReport(d["hub"], Outcome(d["outcome"]), d.get("firmware"), d.get("reason"), parse_datetime(at) if at else None)

    def to_dict(self) -> JsonDict:
        d: JsonDict = {"hub": self.hub, "outcome": Outcome(self.outcome).value}
        if self.firmware is not None:
            d["firmware"] = self.firmware
        if self.reason is not None:
            d["reason"] = self.reason
        if self.happened_at is not None:
            d["happened_at"] = _aware(self.happened_at, "happened_at").isoformat()
        return d


@dataclass(frozen=True)
class HealthReport:
    """A supplier's report of one upgraded hub's HAN: all fine, or a `device` that lost contact
    or misbehaves (with optional `text`)."""

    hub: str
    health: HanHealth
    device: Optional[HanDeviceKind] = None
    text: Optional[str] = None
    # When the supplier observed it (timezone-aware), if earlier than the report is recorded.
    happened_at: Optional[datetime] = None

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HealthReport":
        at = d.get("happened_at")
        return HealthReport(d["hub"], HanHealth(d["health"]), HanDeviceKind(d["device"]) if d.get("device") else None, d.get("text"),
                            parse_datetime(at) if at else None)

    def to_dict(self) -> JsonDict:
        d: JsonDict = {"hub": self.hub, "health": HanHealth(self.health).value}
        if self.device is not None:
            d["device"] = HanDeviceKind(self.device).value
        if self.text is not None:
            d["text"] = self.text
        if self.happened_at is not None:
            d["happened_at"] = _aware(self.happened_at, "happened_at").isoformat()
        return d


@dataclass(frozen=True)
class DefectSubject:
    """What a defect flag is about: `DefectSubject.configuration_set(set)` or
    `DefectSubject.firmware(variant, version)`."""

    subject: str
    set: Optional["ConfigurationSet"] = None
    variant: Optional[str] = None
    version: Optional[str] = None

    @staticmethod
    def configuration_set(set: "ConfigurationSet") -> "DefectSubject":
        return DefectSubject("configuration_set", set=set)

    @staticmethod
    def firmware(variant: str, version: str) -> "DefectSubject":
        return DefectSubject("firmware", variant=variant, version=version)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "DefectSubject":
        s = d.get("set")
        return DefectSubject(d["subject"], ConfigurationSet.from_dict(s) if s else None, d.get("variant"), d.get("version"))

    def to_dict(self) -> JsonDict:
        if self.subject == "configuration_set":
            return {"subject": "configuration_set", "set": self.set.to_dict() if self.set else None}
        return {"subject": "firmware", "variant": self.variant, "version": self.version}


@dataclass(frozen=True)
class PilotVerdict:
    """A customer's assessment of the pilot: `PilotVerdict.success()` or `PilotVerdict.issues_found(text)`."""

    outcome: str
    text: Optional[str] = None

    @staticmethod
    def success() -> "PilotVerdict":
        return PilotVerdict("success")

    @staticmethod
    def issues_found(text: str) -> "PilotVerdict":
        return PilotVerdict("issues_found", text)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "PilotVerdict":
        return PilotVerdict(d["outcome"], d.get("text"))

    def to_dict(self) -> JsonDict:
        return {"outcome": self.outcome} if self.text is None else {"outcome": self.outcome, "text": self.text}


@dataclass(frozen=True)
class Blocker:
    """One reason a hub is not upgradeable now. `kind` names it (`BlockerKind`); `role`, `by`
    (`Party`), `customer`, `reason`, `phase`, `status`, `version`, `state` (of an upgrade in
    flight), `attempts`, `flag` (a defect flag's id), `cap` (today's pacing cap), `cutoff` (when
    the CSP takes over a hub awaiting consent), `until` (end of a retry delay) are set where it
    has them. `sentence` says it for a person (filled by `explain`)."""

    kind: BlockerKind
    role: Optional[SupplyRole] = None
    by: Optional[Party] = None
    customer: Optional[str] = None
    reason: Optional[str] = None
    phase: Optional[Phase] = None
    status: Optional[SmiStatus] = None
    version: Optional[str] = None
    state: Optional[UpgradeState] = None
    attempts: Optional[int] = None
    flag: Optional[int] = None
    cap: Optional[int] = None
    cutoff: Optional[datetime] = None
    until: Optional[datetime] = None
    sentence: str = field(default="", compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any], sentence: str = "") -> "Blocker":
        by = d.get("by") or {}
        return Blocker(
            BlockerKind(d["blocker"]), SupplyRole(d["role"]) if d.get("role") else None,
            Party(by["party"]) if by.get("party") else None, by.get("customer"),
            d.get("reason"), Phase(d["phase"]) if d.get("phase") else None,
            SmiStatus(d["status"]) if d.get("status") else None, d.get("version"),
            UpgradeState(d["state"]) if d.get("state") else None, d.get("attempts"), d.get("flag"), d.get("cap"),
            parse_datetime(d["cutoff"]) if d.get("cutoff") else None, parse_datetime(d["until"]) if d.get("until") else None,
            sentence,
        )


@dataclass(frozen=True)
class Explanation:
    """Why a hub is or is not upgradeable now in a campaign, as the asker may see it."""

    hub: str
    campaign: str
    upgradeable: bool
    next_version: Optional[str]
    blockers: List[Blocker]
    raw: JsonDict = field(repr=False, compare=False)
    # Supply roles whose consent the passed cut-off stands in for (the CSP took the hub over).
    taken_over_at_cutoff: List[SupplyRole] = field(default_factory=list)

    @property
    def sentences(self) -> List[str]:
        """Each blocker as a sentence a person reads, in order."""
        return [b.sentence for b in self.blockers]

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Explanation":
        sentences = list(d.get("sentences", []))
        sentences += [""] * (len(d["blockers"]) - len(sentences))
        return Explanation(d["hub"], d["campaign"], bool(d["upgradeable"]), d.get("next_version"),
                           [Blocker.from_dict(b, s) for b, s in zip(d["blockers"], sentences)], dict(d),
                           [SupplyRole(r) for r in d.get("taken_over_at_cutoff", [])])

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class UpgradeEntry:
    """A hub the CSP may upgrade now, and the version it goes to next."""

    hub: str
    campaign: str
    next_version: str
    target: str
    nominated: bool
    configuration_set: Optional["ConfigurationSet"] = None


@dataclass(frozen=True)
class UpgradePage:
    """A page of the CSP's upgrade list: `total` entries in all, these from `offset` on;
    `held_back_by_pacing` upgradeable hubs today's pacing cap does not offer."""

    total: int
    offset: int
    held_back_by_pacing: int
    entries: List[UpgradeEntry]
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "UpgradePage":
        entries = [
            UpgradeEntry(e["hub"], e["campaign"], e["next_version"], e["target"], bool(e["nominated"]),
                         ConfigurationSet.from_dict(e["configuration_set"]) if e.get("configuration_set") else None)
            for e in d["entries"]
        ]
        return UpgradePage(int(d["total"]), int(d["offset"]), int(d["held_back_by_pacing"]), entries, dict(d))

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class HubPage:
    """A page of a customer's estate; `next` is the cursor of the page after it (`None`: this is
    the last)."""

    hubs: List[HubView]
    next: Optional[str]

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "HubPage":
        return HubPage([HubView.from_dict(h) for h in d["hubs"]], d.get("next"))


@dataclass(frozen=True)
class ParticipationView:
    """One customer's participation in a campaign, over its own hubs."""

    customer: str
    campaign: str
    hubs: int
    upgradeable_now: int
    nominated: List[str]
    rejected: List[str]
    whole_estate_approved: bool
    approved_configuration_sets: List[ConfigurationSet]
    other_supplier_consented: List[str]
    verdict: Optional[PilotVerdict]
    cutoff: datetime
    cutoff_passed: bool
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ParticipationView":
        return ParticipationView(
            d["customer"], d["campaign"], int(d["hubs"]), int(d["upgradeable_now"]), list(d["nominated"]), list(d["rejected"]),
            bool(d["whole_estate_approved"]), [ConfigurationSet.from_dict(c) for c in d["approved_configuration_sets"]],
            list(d["other_supplier_consented"]), PilotVerdict.from_dict(d["verdict"]) if d.get("verdict") else None,
            parse_datetime(d["cutoff"]), bool(d["cutoff_passed"]), dict(d),
        )

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class UpgradeCounts:
    """Hubs by where their upgrade stands (`waiting`: not dispatched yet)."""

    hubs: int
    waiting: int
    dispatched: int
    delivered: int
    activated: int
    no_response: int
    succeeded: int
    failed: int
    health_issues: int

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "UpgradeCounts":
        return UpgradeCounts(*(int(d[k]) for k in _COUNTS))

    def to_dict(self) -> JsonDict:
        return {k: getattr(self, k) for k in _COUNTS}


_COUNTS = ("hubs", "waiting", "dispatched", "delivered", "activated", "no_response", "succeeded", "failed", "health_issues")


@dataclass(frozen=True)
class PilotStatusRow:
    """One participant's row (`customer` is None where the asker may not know who)."""

    customer: Optional[str]
    counts: UpgradeCounts


@dataclass(frozen=True)
class PilotStatus:
    """The pilot's status: per participant, as the asker may see it, and the total of the rows."""

    campaign: str
    phase: Phase
    total: UpgradeCounts
    rows: List[PilotStatusRow]
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "PilotStatus":
        rows = [PilotStatusRow(r.get("customer"), UpgradeCounts.from_dict(r)) for r in d["rows"]]
        return PilotStatus(d["campaign"], Phase(d["phase"]), UpgradeCounts.from_dict(d["total"]), rows, dict(d))

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class SetProgress:
    """Campaign progress of one configuration set; `eligible` = `upgradeable_now` +
    `awaiting_consent` + `blocked`."""

    set: ConfigurationSet
    hubs: int
    eligible: int
    upgradeable_now: int
    awaiting_consent: int
    blocked: int
    dispatched: int
    succeeded: int
    failed: int
    not_applicable: int

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "SetProgress":
        return SetProgress(ConfigurationSet.from_dict(d["set"]), *(int(d[k]) for k in _PROGRESS))

    def to_dict(self) -> JsonDict:
        return {"set": self.set.to_dict(), **{k: getattr(self, k) for k in _PROGRESS}}


_PROGRESS = ("hubs", "eligible", "upgradeable_now", "awaiting_consent", "blocked", "dispatched", "succeeded", "failed", "not_applicable")


@dataclass(frozen=True)
class FirmwareCount:
    """Hubs on one firmware version of one variant."""

    variant: str
    version: str
    hubs: int

    def to_dict(self) -> JsonDict:
        return {"variant": self.variant, "version": self.version, "hubs": self.hubs}


@dataclass(frozen=True)
class Notification:
    """One notice in the asker's outbox: `type` names it (`phase_changed`,
    `other_supplier_consented`, `configuration_set_halted`, `outcomes_summary`...); `fields` holds
    the rest of its JSON (`campaign`, `hubs`, `figures`...). `event`, the sequence number of the
    event behind it, is the DCC's only (to anyone else it would count others' events)."""

    id: int
    event: Optional[int]
    at: datetime
    type: NotificationType
    fields: JsonDict

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Notification":
        rest = {k: v for k, v in d.items() if k not in ("id", "event", "at", "type")}
        event = d.get("event")
        return Notification(int(d["id"]), None if event is None else int(event), parse_datetime(d["at"]), NotificationType(d["type"]), rest)

    def to_dict(self) -> JsonDict:
        head: JsonDict = {"id": self.id, "at": self.at.isoformat(), "type": self.type.value}
        if self.event is not None:
            head["event"] = self.event
        return {**head, **self.fields}


@dataclass(frozen=True)
class NotificationPage:
    """Notifications after the asker's acknowledged cursor; `more` not in this page."""

    acknowledged: int
    more: int
    notifications: List[Notification]

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "NotificationPage":
        return NotificationPage(int(d["acknowledged"]), int(d["more"]), [Notification.from_dict(n) for n in d["notifications"]])

    def to_dict(self) -> JsonDict:
        return {"acknowledged": self.acknowledged, "more": self.more, "notifications": [n.to_dict() for n in self.notifications]}


@dataclass(frozen=True)
class FeedPage:
    """A party's notification feed after its cursor (a durable engine's store). Each
    notification's `id` is its position in the party's own feed (1, 2, 3...): pass the page's
    `cursor` next time."""

    notifications: List[Notification]
    cursor: int

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "FeedPage":
        return FeedPage([Notification.from_dict(n) for n in d["notifications"]], int(d["cursor"]))

    def to_dict(self) -> JsonDict:
        return {"notifications": [n.to_dict() for n in self.notifications], "cursor": self.cursor}


@dataclass(frozen=True)
class StoreInfo:
    """A durable engine's store: where (`sqlite:PATH` or the PostgreSQL URL without its
    password), how many events, the last event's chain hash, the newest snapshot's event (0:
    none)."""

    location: str
    events: int
    last_hash: str
    snapshot_at: int

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "StoreInfo":
        return StoreInfo(str(d["location"]), int(d["events"]), str(d["last_hash"]), int(d["snapshot_at"]))

    def to_dict(self) -> JsonDict:
        return {"location": self.location, "events": self.events, "last_hash": self.last_hash, "snapshot_at": self.snapshot_at}


@dataclass(frozen=True)
class DefectView:
    """A defect flag as the asker may see it (`flagged_by` where the flagger chose to be named,
    or to the DCC; `suspending` to the flagger and the DCC)."""

    flag: int
    subject: DefectSubject
    text: str
    flagged_by: Optional[str]
    yours: bool
    suspending: Optional[bool]
    at: datetime
    raw: JsonDict = field(repr=False, compare=False)

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "DefectView":
        return DefectView(int(d["flag"]), DefectSubject.from_dict(d), d["text"], d.get("flagged_by"), bool(d["yours"]),
                          d.get("suspending"), parse_datetime(d["at"]), dict(d))

    def to_dict(self) -> JsonDict:
        return self.raw


@dataclass(frozen=True)
class Trust:
    """What a verifier of a signed log is given out of band (configuration, never the store):
    the log's identity, which every signature covers, and the DCC's public key (64 hex digits),
    from which every other party's key registration follows."""

    log: str
    anchor: str


@dataclass(frozen=True)
class KeyEntry:
    """A key registered for a party: the events that registered (0: the trust anchor) and
    revoked it."""

    key: str
    registered: int
    revoked: Optional[int]

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "KeyEntry":
        return KeyEntry(d["key"], d["registered"], d.get("revoked"))


@dataclass(frozen=True)
class Checkpoint:
    """The DCC's signature over the head of the log (event `seq` and its chain hash), for a
    party to keep: with it, `Engine.verify_checkpoint` detects a log cut below `seq` or replaced
    up to it."""

    log: str
    seq: int
    hash: str
    at: datetime
    key: str
    signature: str

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Checkpoint":
        return Checkpoint(d["log"], d["seq"], d["hash"], parse_datetime(d["at"]), d["key"], d["signature"])

    def to_dict(self) -> JsonDict:
        return {
            "log": self.log, "seq": self.seq, "hash": self.hash,
            "at": self.at.isoformat().replace("+00:00", "Z"), "key": self.key, "signature": self.signature,
        }
