"""Type stubs of the private extension module (use the `commshub_ota` package instead)."""

from typing import Tuple, Any, Dict, List, Optional

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

class ConflictError(CommsHubOtaError):
    expected: int
    found: int

class CorruptSnapshotError(CommsHubOtaError):
    seq: int
    reason: str

def parse_id(kind: str, input: str) -> str: ...
def verify_log(path: str) -> Dict[str, Any]: ...
def synth_estate(hubs: int, seed: int) -> Tuple[List[Any], Dict[str, List[Any]]]: ...

class NativeEngine:
    def __init__(self) -> None: ...
    def execute(self, actor: str, at: Any, command: Any) -> List[Dict[str, Any]]: ...
    def load_estate(self, actor: str, at: Any, columns: Dict[str, List[Any]]) -> int: ...
    def load_estate_table(self, actor: str, at: Any, table: Dict[str, Any]) -> int: ...
    def query(self, actor: str, query: Any) -> Any: ...
    def events(self, start: int = 0) -> List[Dict[str, Any]]: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def hub_count(self) -> int: ...
    def write_log(self, path: str) -> None: ...
    @staticmethod
    def replay_log(path: str) -> "NativeEngine": ...
    def same_state_as(self, other: "NativeEngine") -> bool: ...
    @staticmethod
    def open(location: str, snapshot_every: int = 10000) -> "NativeEngine": ...
    @staticmethod
    def import_log(path: str, location: str, snapshot_every: int = 10000) -> "NativeEngine": ...
    def close(self) -> None: ...
    def execute_batch(self, at: Any, commands: List[Tuple[str, Any]]) -> List[Any]: ...
    def catch_up(self) -> int: ...
    def wait_for_events(self, timeout: float) -> int: ...
    def snapshot(self) -> int: ...
    def verify_store(self) -> Dict[str, Any]: ...
    def store_info(self) -> Dict[str, Any]: ...
    def open_report(self) -> Optional[Dict[str, Any]]: ...
    def feed(self, actor: str, cursor: int, limit: int) -> Dict[str, Any]: ...
    def to_snapshot(self) -> bytes: ...
    @staticmethod
    def from_snapshot(data: bytes) -> "NativeEngine": ...
    def export_log(self, path: str) -> int: ...
