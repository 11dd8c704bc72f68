//! The one error type of the core. Every refused command and query returns one of these;
//! bindings map each variant to a typed exception in one place.

use serde::{Deserialize, Serialize};

use crate::kernel::phase::{Phase, Transition};

/// Which kind of identifier failed to parse: carried by [`Error::InvalidId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Hub,
    Customer,
    Region,
    Variant,
    Firmware,
    Campaign,
    Actor,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Hub => "hub id",
            IdKind::Customer => "customer id",
            IdKind::Region => "CSP region",
            IdKind::Variant => "variant id",
            IdKind::Firmware => "firmware version",
            IdKind::Campaign => "campaign id",
            IdKind::Actor => "actor",
        })
    }
}

/// A bad row in a bulk load: its index in the input and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    pub reason: String,
}

/// The kind of thing a [`Error::NotFound`] / [`Error::AlreadyExists`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Hub,
    Variant,
    Firmware,
    Campaign,
    Customer,
    ConfigurationSet,
    DefectFlag,
    /// A party's signing key.
    Key,
    /// A party's business rule (another party's is not found either).
    Rule,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::Hub => "hub",
            Entity::Variant => "variant",
            Entity::Firmware => "firmware version",
            Entity::Campaign => "campaign",
            Entity::Customer => "customer",
            Entity::ConfigurationSet => "configuration set",
            Entity::DefectFlag => "defect flag",
            Entity::Key => "key",
            Entity::Rule => "rule",
        })
    }
}

/// Which business rule refused a command in [`Error::PreconditionFailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A readiness gate was recorded before the gate it follows.
    GateOrder,
    /// A campaign's target (or an upgrade step) is not on the production CPL.
    NotOnProductionCpl,
    /// An upgrade pathway names a version that is not the variant's, or itself.
    Pathway,
    /// A command's time is earlier than the last recorded event's.
    TimeOrder,
    /// A cut-off extension does not move the cut-off later.
    CutoffNotLater,
    /// The campaign is completed or cancelled: nothing about it changes any more.
    CampaignClosed,
    /// The campaign's phase does not take this (e.g. nominations outside the pilot).
    CampaignPhase,
    /// Already so (approved twice, nothing to withdraw, no rejection to override).
    NoChange,
    /// Only customers that nominated hubs for the pilot record a verdict on it.
    NotParticipating,
    /// OA for mass rollout before the pilot was assessed (the detail says what is missing).
    PilotAssessment,
    /// The hub's state does not allow the change (e.g. commissioning a decommissioned hub).
    HubState,
    /// A supply role or HAN device is inconsistent with the hub (e.g. gas supplier, no GSME).
    SupplyRole,
    /// An interned table is full (more than 65 535 customers, variants or firmware versions).
    Capacity,
    /// A configuration set (or hub) of another variant than the campaign's.
    WrongVariant,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rule::GateOrder => "gate order",
            Rule::NotOnProductionCpl => "not on the production CPL",
            Rule::Pathway => "upgrade pathway",
            Rule::TimeOrder => "time order",
            Rule::CutoffNotLater => "cut-off not later",
            Rule::CampaignClosed => "campaign closed",
            Rule::CampaignPhase => "campaign phase",
            Rule::NoChange => "no change",
            Rule::NotParticipating => "not participating",
            Rule::PilotAssessment => "pilot assessment",
            Rule::HubState => "hub state",
            Rule::SupplyRole => "supply role",
            Rule::Capacity => "capacity",
            Rule::WrongVariant => "wrong variant",
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("invalid {kind} {input:?}: {reason}")]
    InvalidId {
        kind: IdKind,
        input: String,
        reason: String,
    },
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("{} may not {action}: {reason}", actor_named(actor))]
    NotPermitted {
        /// The actor's code (`dcc`, `csp:north`, `customer:ID`).
        actor: String,
        action: String,
        reason: String,
    },
    #[error("{entity} {id:?} not found")]
    NotFound { entity: Entity, id: String },
    #[error("{entity} {id:?} already exists")]
    AlreadyExists { entity: Entity, id: String },
    #[error("campaign {campaign}: cannot {attempted} while it is {current}")]
    IllegalTransition {
        campaign: String,
        current: Phase,
        attempted: Transition,
    },
    #[error("refused by rule '{rule}': {detail}")]
    PreconditionFailed { rule: Rule, detail: String },
    #[error("bulk command refused, nothing applied: {} bad row(s), first row {}: {}",
        rows.len(),
        rows.first().map(|r| r.row).unwrap_or_default(),
        rows.first().map(|r| r.reason.as_str()).unwrap_or_default())]
    BulkRejected { rows: Vec<RowError> },
    #[error("event log line {line}: {reason}")]
    CorruptLog { line: u64, reason: String },
    #[error(
        "event log line {line}: schema version {found} is newer than the supported {supported}"
    )]
    UnsupportedSchema {
        line: u64,
        found: u32,
        supported: u32,
    },
    #[error("I/O error on {path}: {reason}")]
    Io { path: String, reason: String },
    /// Another writer appended to the store first: this engine had seen event `expected`, the
    /// store holds `found`. Nothing of the command was kept; the engine has caught up, and the
    /// command may be decided again. Event numbers are the DCC's alone (they count every
    /// party's events): for a command of any other actor both are `None`.
    #[error("the store moved on{}; caught up, retry the command", conflict_detail(*expected, *found))]
    Conflict {
        expected: Option<u64>,
        found: Option<u64>,
    },
    /// A snapshot that cannot be used (checksum, format, or not of this log): refused whole.
    #[error("snapshot at event {seq}: {reason}")]
    CorruptSnapshot { seq: u64, reason: String },
    /// A command refused for its signature (docs/domain.md decision 21): unsigned where the log is
    /// signed, signed by a key that is not the actor's valid key, with a counter already used,
    /// or a signature that does not hold. Sign it again with a registered key and a new counter.
    #[error(
        "the act of {} is not signed as a signed log requires: {reason}",
        actor_named(actor)
    )]
    BadSignature { actor: String, reason: String },
    /// A rule's condition refused when the rule was written (docs/rules.md): it does not parse,
    /// names an unknown attribute or function, applies an operator to types it does not take,
    /// compares with a value that can never match, or is over a cost bound. `line` and
    /// `column` (from 1) say where in the condition.
    #[error("invalid rule condition at {line}:{column}: {reason}")]
    InvalidCondition {
        line: i32,
        column: i32,
        reason: String,
    },
}

/// What a conflict names: the event numbers, when the asker may see them.
fn conflict_detail(expected: Option<u64>, found: Option<u64>) -> String {
    match (expected, found) {
        (Some(expected), Some(found)) => {
            format!(": this engine had seen event {expected}, the store holds event {found}")
        }
        _ => String::new(),
    }
}

/// An actor's code as a message names it (`customer:X` is "customer X"), as `Actor`'s
/// `Display` does; the error holds the code so that it depends on no identifier type.
fn actor_named(code: &str) -> String {
    match code.split_once(':') {
        Some(("csp", region)) => format!("CSP {region}"),
        Some((kind, id)) => format!("{kind} {id}"),
        None if code == "dcc" => "DCC".into(),
        None if code == "system" => "the system".into(),
        None => code.into(),
    }
}

/// The variant of an [`Error`] without its data: what conformance scenarios and bindings match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidId,
    InvalidInput,
    NotPermitted,
    NotFound,
    AlreadyExists,
    IllegalTransition,
    PreconditionFailed,
    BulkRejected,
    CorruptLog,
    UnsupportedSchema,
    Io,
    Conflict,
    CorruptSnapshot,
    BadSignature,
    InvalidCondition,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::InvalidId,
        ErrorKind::InvalidInput,
        ErrorKind::NotPermitted,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::IllegalTransition,
        ErrorKind::PreconditionFailed,
        ErrorKind::BulkRejected,
        ErrorKind::CorruptLog,
        ErrorKind::UnsupportedSchema,
        ErrorKind::Io,
        ErrorKind::Conflict,
        ErrorKind::CorruptSnapshot,
        ErrorKind::BadSignature,
        ErrorKind::InvalidCondition,
    ];

    /// The snake_case name used in conformance scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidId => "invalid_id",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotPermitted => "not_permitted",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::IllegalTransition => "illegal_transition",
            ErrorKind::PreconditionFailed => "precondition_failed",
            ErrorKind::BulkRejected => "bulk_rejected",
            ErrorKind::CorruptLog => "corrupt_log",
            ErrorKind::UnsupportedSchema => "unsupported_schema",
            ErrorKind::Io => "io",
            ErrorKind::Conflict => "conflict",
            ErrorKind::CorruptSnapshot => "corrupt_snapshot",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::InvalidCondition => "invalid_condition",
        }
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidId { .. } => ErrorKind::InvalidId,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::NotPermitted { .. } => ErrorKind::NotPermitted,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            Error::IllegalTransition { .. } => ErrorKind::IllegalTransition,
            Error::PreconditionFailed { .. } => ErrorKind::PreconditionFailed,
            Error::BulkRejected { .. } => ErrorKind::BulkRejected,
            Error::CorruptLog { .. } => ErrorKind::CorruptLog,
            Error::UnsupportedSchema { .. } => ErrorKind::UnsupportedSchema,
            Error::Io { .. } => ErrorKind::Io,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::CorruptSnapshot { .. } => ErrorKind::CorruptSnapshot,
            Error::BadSignature { .. } => ErrorKind::BadSignature,
            Error::InvalidCondition { .. } => ErrorKind::InvalidCondition,
        }
    }

    pub(crate) fn invalid_id(kind: IdKind, input: &str, reason: &str) -> Error {
        Error::InvalidId {
            kind,
            input: input.to_string(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A list over its documented bound ([`crate::kernel::limits`]): names the field and the limit.
    pub(crate) fn too_many(field: impl Into<String>, len: usize, limit: usize) -> Error {
        Error::invalid_input(
            field,
            format!("{len} entries, more than the limit of {limit}"),
        )
    }

    /// A text over its documented bound ([`crate::kernel::limits`]): names the field and the limit.
    pub(crate) fn too_long(field: impl Into<String>, bytes: usize, limit: usize) -> Error {
        Error::invalid_input(
            field,
            format!("{bytes} bytes, more than the limit of {limit}"),
        )
    }

    pub(crate) fn not_found(entity: Entity, id: impl ToString) -> Error {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn already_exists(entity: Entity, id: impl ToString) -> Error {
        Error::AlreadyExists {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn precondition(rule: Rule, detail: impl Into<String>) -> Error {
        Error::PreconditionFailed {
            rule,
            detail: detail.into(),
        }
    }
}
