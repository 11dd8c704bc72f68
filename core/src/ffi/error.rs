//! The error as the JVM sees it, converted from the core's [`Error`] in this one place. UniFFI
//! generates it as the checked `NativeException` (core/uniffi.toml); the binding's Kotlin layer
//! rethrows it as the unchecked `commshub.ota.CommsHubOtaException`, one subclass per kind. A mirror, because the JVM's shape differs: every
//! variant carries `description`, the core's short message (UniFFI would otherwise build the
//! exception's message from every field, a million bad rows included), and counts are signed.
//! It lives in the core, beside the custom types, so that an identifier that fails to parse on
//! the way in (a custom type's lift) reaches the JVM as this typed error, not as an internal one.

use crate::kernel::error::{Entity, Error, IdKind, Rule};
use crate::kernel::phase::{Phase, Transition};

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum NativeError {
    #[error("{description}")]
    InvalidId {
        id_kind: IdKind,
        input: String,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    InvalidInput {
        field: String,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    NotPermitted {
        actor: String,
        action: String,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    NotFound {
        entity: Entity,
        id: String,
        description: String,
    },
    #[error("{description}")]
    AlreadyExists {
        entity: Entity,
        id: String,
        description: String,
    },
    #[error("{description}")]
    IllegalTransition {
        campaign: String,
        current: Phase,
        attempted: Transition,
        description: String,
    },
    #[error("{description}")]
    PreconditionFailed {
        rule: Rule,
        detail: String,
        description: String,
    },
    #[error("{description}")]
    BulkRejected {
        rows: Vec<RowError>,
        description: String,
    },
    #[error("{description}")]
    CorruptLog {
        line: i64,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    UnsupportedSchema {
        line: i64,
        found: i64,
        supported: i64,
        description: String,
    },
    #[error("{description}")]
    Io {
        path: String,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    Conflict {
        expected: Option<i64>,
        found: Option<i64>,
        description: String,
    },
    #[error("{description}")]
    CorruptSnapshot {
        seq: i64,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    BadSignature {
        actor: String,
        reason: String,
        description: String,
    },
    #[error("{description}")]
    InvalidCondition {
        line: i32,
        column: i32,
        reason: String,
        description: String,
    },
}

/// A bad row of a bulk load: its index in the input and why.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RowError {
    pub row: i64,
    pub reason: String,
}

impl From<Error> for NativeError {
    fn from(err: Error) -> Self {
        let description = err.to_string();
        match err {
            Error::InvalidId {
                kind,
                input,
                reason,
            } => NativeError::InvalidId {
                id_kind: kind,
                input,
                reason,
                description,
            },
            Error::InvalidInput { field, reason } => NativeError::InvalidInput {
                field,
                reason,
                description,
            },
            Error::NotPermitted {
                actor,
                action,
                reason,
            } => NativeError::NotPermitted {
                actor,
                action,
                reason,
                description,
            },
            Error::NotFound { entity, id } => NativeError::NotFound {
                entity,
                id,
                description,
            },
            Error::AlreadyExists { entity, id } => NativeError::AlreadyExists {
                entity,
                id,
                description,
            },
            Error::IllegalTransition {
                campaign,
                current,
                attempted,
            } => NativeError::IllegalTransition {
                campaign,
                current,
                attempted,
                description,
            },
            Error::PreconditionFailed { rule, detail } => NativeError::PreconditionFailed {
                rule,
                detail,
                description,
            },
            Error::BulkRejected { rows } => NativeError::BulkRejected {
                rows: rows
                    .into_iter()
                    .map(|r| RowError {
                        row: r.row as i64,
                        reason: r.reason,
                    })
                    .collect(),
                description,
            },
            Error::CorruptLog { line, reason } => NativeError::CorruptLog {
                line: line as i64,
                reason,
                description,
            },
            Error::UnsupportedSchema {
                line,
                found,
                supported,
            } => NativeError::UnsupportedSchema {
                line: line as i64,
                found: i64::from(found),
                supported: i64::from(supported),
                description,
            },
            Error::Io { path, reason } => NativeError::Io {
                path,
                reason,
                description,
            },
            Error::Conflict { expected, found } => NativeError::Conflict {
                expected: expected.map(|e| i64::try_from(e).unwrap_or(i64::MAX)),
                found: found.map(|f| i64::try_from(f).unwrap_or(i64::MAX)),
                description,
            },
            Error::CorruptSnapshot { seq, reason } => NativeError::CorruptSnapshot {
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                reason,
                description,
            },
            Error::BadSignature { actor, reason } => NativeError::BadSignature {
                actor,
                reason,
                description,
            },
            Error::InvalidCondition {
                line,
                column,
                reason,
            } => NativeError::InvalidCondition {
                line,
                column,
                reason,
                description,
            },
        }
    }
}

/// A binding-side input error (e.g. an ISO date that does not parse), as the core words it.
pub fn invalid_input(field: &str, reason: impl Into<String>) -> NativeError {
    Error::InvalidInput {
        field: field.into(),
        reason: reason.into(),
    }
    .into()
}
