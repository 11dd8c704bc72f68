"""The values written by hand rather than generated from the core's schema (the views are in
`_views.py`, generated): `Event`, the binding's record of an event, and what signed logs use
(`Trust`, `KeyEntry`, `Checkpoint`), which the schema does not describe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, List, Mapping, Optional

from ._convert import JsonDict, parse_datetime
from ._views import HubRefusal


@dataclass(frozen=True)
class Event:
    """One recorded event: its sequence number, time, actor (`system` for an automatic act) and
    payload (its JSON form, with its `type`). `seq` is the log's: set in `Engine.events()` (the
    host's record) and in the answer to a DCC command; `None` in the answer to any other party's
    command, where it would count the events others recorded in between.

    Written by hand, not generated: the core's `Event` says `seq` is always there, and its
    payload is a union whose variants give one field different types (`hub`: a `HubRow` or a
    hub id), so it stays JSON here (`type` and `refused` read it)."""

    seq: Optional[int]
    at: datetime
    actor: str
    payload: JsonDict = field(repr=False)
    #: In a signed log, the first event of each command carries its act: who signed (`by`),
    #: with which key, the act counter `n`, the signature `sig` and the command.
    act: Optional[JsonDict] = field(default=None, repr=False)

    @property
    def type(self) -> str:
        """The payload's type (`campaign_created`, `hubs_nominated`...)."""
        return str(self.payload["type"])

    @property
    def refused(self) -> List[HubRefusal]:
        """The hubs a bulk participation command did not take, with why."""
        return [HubRefusal.from_dict(r) for r in self.payload.get("refused", [])]

    def __repr__(self) -> str:
        return f"Event(seq={self.seq!r}, at={self.at!r}, actor={self.actor!r}, type={self.type!r})"

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Event":
        act = d.get("act")
        return Event(d.get("seq"), parse_datetime(d["at"]), d["actor"], dict(d["payload"]), dict(act) if act is not None else None)

    def to_dict(self) -> JsonDict:
        """The payload's JSON form (what the conformance scenarios compare)."""
        return dict(self.payload)


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
