"""Enumerations of the model. Each value is the snake_case name used in JSON and the event log."""

from __future__ import annotations

from enum import Enum


class _StrEnum(str, Enum):
    def __str__(self) -> str:
        return str(self.value)


class Region(_StrEnum):
    """A CSP region: each has one CSP, and a hub's region is its variant's."""

    NORTH = "north"
    CENTRAL = "central"
    SOUTH = "south"


class Phase(_StrEnum):
    """A campaign's phase: forward only, with Suspended and Cancelled as side states."""

    DRAFT = "draft"
    PILOT = "pilot"
    MASS_ROLLOUT = "mass_rollout"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class SmiStatus(_StrEnum):
    """The Smart Metering Inventory status of a hub's CHF; only COMMISSIONED can be upgraded."""

    PENDING = "pending"
    WHITELISTED = "whitelisted"
    INSTALLED_NOT_COMMISSIONED = "installed_not_commissioned"
    COMMISSIONED = "commissioned"
    DECOMMISSIONED = "decommissioned"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    RECOVERY = "recovery"
    RECOVERED = "recovered"


class HanBand(_StrEnum):
    """The HAN radio band(s) of a hub variant."""

    SINGLE_BAND = "single_band"
    DUAL_BAND = "dual_band"


class Gate(_StrEnum):
    """A firmware version's readiness gates, in the order they are passed."""

    CSP_APPROVED = "csp_approved"
    DCC_TEST_APPROVED = "dcc_test_approved"
    CUSTOMER_TESTED = "customer_tested"
    PRODUCTION_PROVING_VERIFIED = "production_proving_verified"
    OPERATIONAL_APPROVAL = "operational_approval"
    PRODUCTION_CPL = "production_cpl"


class SupplyRole(_StrEnum):
    """A supplier's role on a hub: the import (electricity) or the gas supply."""

    IMPORT = "import"
    GAS = "gas"


class HanDeviceKind(_StrEnum):
    """The HAN devices a hub may serve."""

    ESME = "esme"
    GSME = "gsme"
    PPMID = "ppmid"
    HCALCS = "hcalcs"
    IHD = "ihd"


class ErrorKind(_StrEnum):
    """The kind of a refusal, as `CommsHubOtaError.kind` gives it."""

    INVALID_ID = "invalid_id"
    INVALID_INPUT = "invalid_input"
    NOT_PERMITTED = "not_permitted"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    ILLEGAL_TRANSITION = "illegal_transition"
    PRECONDITION_FAILED = "precondition_failed"
    BULK_REJECTED = "bulk_rejected"
    CORRUPT_LOG = "corrupt_log"
    UNSUPPORTED_SCHEMA = "unsupported_schema"
    IO = "io"
    CONFLICT = "conflict"
    CORRUPT_SNAPSHOT = "corrupt_snapshot"
    BAD_SIGNATURE = "bad_signature"


class Outcome(_StrEnum):
    """What the CSP reports of one upgrade attempt (a `READ_BACK` carries the version read)."""

    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    ACTIVATED = "activated"
    ACTIVATION_FAILED = "activation_failed"
    NO_RESPONSE = "no_response"
    READ_BACK = "read_back"


class UpgradeState(_StrEnum):
    """Where a hub's upgrade attempt stands."""

    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    ACTIVATED = "activated"
    NO_RESPONSE = "no_response"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class HanHealth(_StrEnum):
    """A supplier's report of the HAN after an upgrade."""

    ALL_FINE = "all_fine"
    DEVICE_LOST_CONTACT = "device_lost_contact"
    DEVICE_MISBEHAVES = "device_misbehaves"


class Weekday(_StrEnum):
    """A day of a weekly pacing blackout."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class BlockerKind(_StrEnum):
    """Why a hub is not upgradeable now (`Blocker.kind`); `Blocker.sentence` says it in words."""

    CAMPAIGN_NOT_STARTED = "campaign_not_started"
    CAMPAIGN_SUSPENDED = "campaign_suspended"
    CAMPAIGN_CLOSED = "campaign_closed"
    WRONG_VARIANT = "wrong_variant"
    ALREADY_ON_TARGET = "already_on_target"
    NOT_ON_PATHWAY = "not_on_pathway"
    STEP_NOT_ON_PRODUCTION_CPL = "step_not_on_production_cpl"
    NOT_COMMISSIONED = "not_commissioned"
    VULNERABLE_IN_PILOT = "vulnerable_in_pilot"
    NOT_IN_PILOT = "not_in_pilot"
    AWAITING_CONSENT = "awaiting_consent"
    REJECTED = "rejected"
    UPGRADE_IN_FLIGHT = "upgrade_in_flight"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    RETRY_DELAY = "retry_delay"
    CONFIGURATION_SET_HALTED = "configuration_set_halted"
    HELD_BY_SUPPLIER = "held_by_supplier"
    SUSPENDED_BY_DEFECT_FLAG = "suspended_by_defect_flag"
    BLACKOUT = "blackout"
    DAILY_CAP_REACHED = "daily_cap_reached"


class NotificationType(_StrEnum):
    """What a notification is about (`Notification.type`)."""

    PHASE_CHANGED = "phase_changed"
    OTHER_SUPPLIER_CONSENTED = "other_supplier_consented"
    CONFIGURATION_SET_HALTED = "configuration_set_halted"
    CONFIGURATION_SET_RESUMED = "configuration_set_resumed"
    SUPPLIER_HOLD = "supplier_hold"
    CUTOFF_APPROACHING = "cutoff_approaching"
    CUTOFF_EXTENDED = "cutoff_extended"
    CUTOFF_REACHED = "cutoff_reached"
    DEFECT_FLAGGED = "defect_flagged"
    PILOT_VERDICT = "pilot_verdict"
    OUTCOMES_SUMMARY = "outcomes_summary"
    HAN_HEALTH_ISSUE = "han_health_issue"
    NOTICES_COALESCED = "notices_coalesced"
    KEY_REGISTERED = "key_registered"
    KEY_REVOKED = "key_revoked"


class Visibility(_StrEnum):
    """Who holds a supply role, as the asker may know it (`SupplierView.visibility`)."""

    VACANT = "vacant"
    HIDDEN = "hidden"
    KNOWN = "known"


class Party(_StrEnum):
    """Whose consent, rejection or hold a blocker is about (`Blocker.by`)."""

    YOU = "you"
    OTHER_SUPPLIER = "other_supplier"
    CUSTOMER = "customer"
    UNNAMED = "unnamed"
