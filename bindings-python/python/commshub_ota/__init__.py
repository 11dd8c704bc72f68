"""commshub-ota: co-operative firmware deployment to GB smart-meter Communications Hubs.

Every change is a command by an actor (`Actor.DCC`, `Actor.csp(Region.NORTH)`,
`Actor.customer("SUPPLIER-01")`) at a time you give (a timezone-aware datetime): either refused
with a `CommsHubOtaError` subclass and nothing changed, or recorded as events. Queries answer
only what the asking actor may see."""

from importlib.metadata import PackageNotFoundError, version as _version

from ._enums import (
    BlockerKind,
    ErrorKind,
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
from ._engine import Actor, Engine, Signer, parse_hub_id, parse_id, synthetic_estate, synthetic_estate_arrow, verify_log
from ._native import (
    SCHEMA_VERSION,
    ArrowTable,
    AlreadyExistsError,
    BadSignatureError,
    KeyPair,
    BulkRejectedError,
    CommsHubOtaError,
    ConflictError,
    CorruptLogError,
    CorruptSnapshotError,
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
    HubRefusal,
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
    Checkpoint,
    KeyEntry,
    Trust,
    Explanation,
    ParticipationView,
    PilotVerdict,
    UpgradeEntry,
    UpgradePage,
    HubPage,
    ConfigSetCount,
    ConfigurationSet,
    ConsumerFlags,
    Cutoff,
    Event,
    FeedPage,
    FirmwareView,
    GateView,
    HanDevice,
    HistoryEntry,
    HubRow,
    HubView,
    StoreInfo,
    SupplierView,
    Variant,
)

try:
    __version__ = _version("commshub-ota")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "unknown"

__all__ = [
    "__version__",
    "SCHEMA_VERSION", "Actor", "Engine", "parse_hub_id", "parse_id", "synthetic_estate", "synthetic_estate_arrow", "verify_log",
    "ErrorKind", "Gate", "HanBand", "HanDeviceKind", "Phase", "Region", "SmiStatus", "SupplyRole",
    "CommsHubOtaError", "InvalidIdError", "InvalidInputError", "NotPermittedError", "NotFoundError",
    "AlreadyExistsError", "IllegalTransitionError", "PreconditionFailedError", "BulkRejectedError",
    "CorruptLogError", "UnsupportedSchemaError", "IoError", "ConflictError", "CorruptSnapshotError",
    "BadSignatureError", "KeyPair", "Signer", "Trust", "Checkpoint", "KeyEntry",
    "FeedPage", "StoreInfo", "ArrowTable",
    "CampaignView", "ConfigSetCount", "ConfigurationSet", "ConsumerFlags", "Cutoff", "Event",
    "FirmwareView", "GateView", "HanDevice", "HistoryEntry", "HubRow", "HubView", "SupplierView", "Variant",
    "Blocker", "CampaignPolicy", "Explanation", "HubPage", "ParticipationView", "PilotVerdict", "UpgradeEntry", "UpgradePage",
    "HanHealth", "Outcome", "UpgradeState", "Weekday", "Blackout", "DefectSubject", "DefectView", "FirmwareCount",
    "HaltPolicy", "HealthReport", "Notification", "NotificationPage", "OutcomeReport", "Pacing", "PilotStatus",
    "PilotStatusRow", "SetProgress", "UpgradeCounts",
    "BlockerKind", "NotificationType", "Visibility", "Party", "HubRefusal",
]
