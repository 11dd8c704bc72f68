"""Type stubs of the private extension module (use the `commshub_ota` package instead)."""

from typing import Any, Dict, List, Optional

SCHEMA_VERSION: int
ERROR_KINDS: List[str]

class CommsHubOtaError(Exception):
    kind: str

class InvalidIdError(CommsHubOtaError):
    id_kind: Optional[str]
    input: str
    reason: str

class InvalidInputError(CommsHubOtaError):
    field: str
    reason: str

class NotPermittedError(CommsHubOtaError):
    actor: str
    action: str
    reason: str

class NotFoundError(CommsHubOtaError):
    entity: Optional[str]
    id: str

class AlreadyExistsError(CommsHubOtaError):
    entity: Optional[str]
    id: str

class IllegalTransitionError(CommsHubOtaError):
    campaign: str
    current: str
    attempted: str

class PreconditionFailedError(CommsHubOtaError):
    rule: Optional[str]
    detail: str

class BulkRejectedError(CommsHubOtaError):
    rows: List[tuple[int, str]]

class CorruptLogError(CommsHubOtaError):
    line: int
    reason: str

class UnsupportedSchemaError(CommsHubOtaError):
    line: int
    found: int
    supported: int

class IoError(CommsHubOtaError):
    path: str
    reason: str

def parse_id(kind: str, input: str) -> str: ...

class NativeEngine:
    def __init__(self) -> None: ...
    def execute(self, actor: str, at: Any, command: Any) -> List[Dict[str, Any]]: ...
    def load_estate(self, actor: str, at: Any, columns: Dict[str, List[Any]]) -> int: ...
    def hub(self, actor: str, hub: str) -> Dict[str, Any]: ...
    def customer_estate(self, actor: str, customer: str) -> List[Dict[str, Any]]: ...
    def configuration_sets(self, actor: str, customer: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def campaign(self, actor: str, campaign: str) -> Dict[str, Any]: ...
    def campaigns(self, actor: str) -> List[Dict[str, Any]]: ...
    def variants(self, actor: str) -> List[Dict[str, Any]]: ...
    def firmware_versions(self, actor: str, variant: str) -> List[Dict[str, Any]]: ...
    def upgrade_route(self, actor: str, variant: str, from_version: str, to_version: str) -> List[str]: ...
    def explain(self, actor: str, campaign: str, hub: str, at: Any) -> Dict[str, Any]: ...
    def upgrade_list(self, actor: str, region: str, at: Any, offset: int, limit: int) -> Dict[str, Any]: ...
    def participation(self, actor: str, campaign: str, customer: str, at: Any) -> Dict[str, Any]: ...
    def participations(self, actor: str, campaign: str, at: Any) -> List[Dict[str, Any]]: ...
    def propose_pilot(self, actor: str, campaign: str, size: int, seed: int) -> List[str]: ...
    def events(self, start: int = 0) -> List[Dict[str, Any]]: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def hub_count(self) -> int: ...
    def write_log(self, path: str) -> None: ...
    @staticmethod
    def replay_log(path: str) -> "NativeEngine": ...
    def same_state_as(self, other: "NativeEngine") -> bool: ...
