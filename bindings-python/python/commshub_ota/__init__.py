"""commshub-ota: co-operative firmware deployment to GB smart-meter Communications Hubs.

Every change is a command by an actor (`Actor.DCC`, `Actor.csp(Region.NORTH)`,
`Actor.customer("SUPPLIER-01")`) at a time you give (a timezone-aware datetime): either refused
with a `CommsHubOtaError` subclass and nothing changed, or recorded as events. Queries answer
only what the asking actor may see."""

from ._enums import ErrorKind, Gate, HanBand, HanDeviceKind, HanHealth, Outcome, Phase, Region, SmiStatus, SupplyRole, UpgradeState, Weekday
from ._engine import Actor, Engine, parse_hub_id, parse_id, synthetic_estate
from ._native import (
    SCHEMA_VERSION,
    AlreadyExistsError,
    BulkRejectedError,
    CommsHubOtaError,
    CorruptLogError,
    IllegalTransitionError,
    InvalidIdError,
    InvalidInputError,
    IoError,
    NotFoundError,
    NotPermittedError,
    PreconditionFailedError,
    UnsupportedSchemaError,
)
from ._views import (
    Blackout,
    DefectSubject,
    DefectView,
    FirmwareCount,
    HaltPolicy,
    HealthReport,
    Notification,
    NotificationPage,
    OutcomeReport,
    Pacing,
    PilotStatus,
    PilotStatusRow,
    SetProgress,
    UpgradeCounts,
    Blocker,
    CampaignPolicy,
    CampaignView,
    Explanation,
    ParticipationView,
    PilotVerdict,
    UpgradeEntry,
    UpgradePage,
    ConfigSetCount,
    ConfigurationSet,
    ConsumerFlags,
    Cutoff,
    Event,
    FirmwareView,
    GateView,
    HanDevice,
    HistoryEntry,
    HubRow,
    HubView,
    SupplierView,
    Variant,
)

__all__ = [
    "SCHEMA_VERSION", "Actor", "Engine", "parse_hub_id", "parse_id", "synthetic_estate",
    "ErrorKind", "Gate", "HanBand", "HanDeviceKind", "Phase", "Region", "SmiStatus", "SupplyRole",
    "CommsHubOtaError", "InvalidIdError", "InvalidInputError", "NotPermittedError", "NotFoundError",
    "AlreadyExistsError", "IllegalTransitionError", "PreconditionFailedError", "BulkRejectedError",
    "CorruptLogError", "UnsupportedSchemaError", "IoError",
    "CampaignView", "ConfigSetCount", "ConfigurationSet", "ConsumerFlags", "Cutoff", "Event",
    "FirmwareView", "GateView", "HanDevice", "HistoryEntry", "HubRow", "HubView", "SupplierView", "Variant",
    "Blocker", "CampaignPolicy", "Explanation", "ParticipationView", "PilotVerdict", "UpgradeEntry", "UpgradePage",
    "HanHealth", "Outcome", "UpgradeState", "Weekday", "Blackout", "DefectSubject", "DefectView", "FirmwareCount",
    "HaltPolicy", "HealthReport", "Notification", "NotificationPage", "OutcomeReport", "Pacing", "PilotStatus",
    "PilotStatusRow", "SetProgress", "UpgradeCounts",
]
