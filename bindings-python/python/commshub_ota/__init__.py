"""commshub-ota: co-operative firmware deployment to GB smart-meter Communications Hubs.

Every change is a command by an actor (`Actor.DCC`, `Actor.csp(Region.NORTH)`,
`Actor.customer("SUPPLIER-01")`) at a time you give (a timezone-aware datetime): either refused
with a `CommsHubOtaError` subclass and nothing changed, or recorded as events. Queries answer
only what the asking actor may see."""

from importlib.metadata import PackageNotFoundError, version as _version

from . import _enums, _views
from ._enums import *  # noqa: F401,F403 - every enum of the core's schema (generated)
from ._engine import Actor, Engine, ErrorKind, Signer, hub_number, hub_text, parse_hub_id, parse_id, synthetic_estate, synthetic_estate_arrow, verify_log
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
    InvalidConditionError,
    InvalidIdError,
    InvalidInputError,
    IoError,
    NotFoundError,
    NotPermittedError,
    PreconditionFailedError,
    UnsupportedSchemaError,
)
from ._records import Checkpoint, Event, KeyEntry, Trust
from ._views import *  # noqa: F401,F403 - every view of the core's schema (generated)

try:
    __version__ = _version("commshub-ota")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "unknown"

__all__ = [
    "__version__",
    "SCHEMA_VERSION", "Actor", "Engine", "hub_number", "hub_text", "parse_hub_id", "parse_id", "synthetic_estate", "synthetic_estate_arrow", "verify_log",
    "ErrorKind", "CommsHubOtaError", "InvalidIdError", "InvalidInputError", "NotPermittedError", "NotFoundError",
    "AlreadyExistsError", "IllegalTransitionError", "PreconditionFailedError", "BulkRejectedError",
    "CorruptLogError", "UnsupportedSchemaError", "IoError", "ConflictError", "CorruptSnapshotError",
    "BadSignatureError", "InvalidConditionError", "KeyPair", "Signer", "Trust", "Checkpoint", "KeyEntry", "Event", "ArrowTable",
]
__all__ += _enums.__all__
__all__ += _views.__all__
