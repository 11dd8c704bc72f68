//! The exception hierarchy, and the one place core errors become Python exceptions.
//! Each exception carries the core's message, `kind` (the ErrorKind name) and the error's
//! structured fields as attributes (e.g. `IllegalTransitionError.current`).

use commshub_ota::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    commshub_ota,
    CommsHubOtaError,
    PyException,
    "Base of every commshub_ota error."
);
create_exception!(
    commshub_ota,
    InvalidIdError,
    CommsHubOtaError,
    "A malformed identifier (hub id, customer id, region, actor...)."
);
create_exception!(
    commshub_ota,
    InvalidInputError,
    CommsHubOtaError,
    "A malformed or missing value."
);
create_exception!(
    commshub_ota,
    NotPermittedError,
    CommsHubOtaError,
    "The actor may not do this."
);
create_exception!(
    commshub_ota,
    NotFoundError,
    CommsHubOtaError,
    "An unknown hub, variant, firmware version, campaign or customer."
);
create_exception!(
    commshub_ota,
    AlreadyExistsError,
    CommsHubOtaError,
    "A duplicate identifier."
);
create_exception!(
    commshub_ota,
    IllegalTransitionError,
    CommsHubOtaError,
    "A campaign phase change the phase machine does not allow."
);
create_exception!(
    commshub_ota,
    PreconditionFailedError,
    CommsHubOtaError,
    "A business rule refused the command."
);
create_exception!(
    commshub_ota,
    BulkRejectedError,
    CommsHubOtaError,
    "A bulk load with bad rows; nothing was applied."
);
create_exception!(
    commshub_ota,
    CorruptLogError,
    CommsHubOtaError,
    "An unreadable or inconsistent event log line."
);
create_exception!(
    commshub_ota,
    UnsupportedSchemaError,
    CommsHubOtaError,
    "An event log line written by a newer schema."
);
create_exception!(
    commshub_ota,
    IoError,
    CommsHubOtaError,
    "A file or database could not be read or written."
);
create_exception!(
    commshub_ota,
    ConflictError,
    CommsHubOtaError,
    "Another writer appended to the store first; the engine caught up: retry."
);
create_exception!(
    commshub_ota,
    CorruptSnapshotError,
    CommsHubOtaError,
    "A snapshot that cannot be used (checksum, format, or not of this log)."
);

create_exception!(
    commshub_ota,
    BadSignatureError,
    CommsHubOtaError,
    "A command refused for its signature: unsigned where the log is signed, a key that is not the actor's valid key, a used counter, or a signature that does not hold."
);

create_exception!(
    commshub_ota,
    InvalidConditionError,
    CommsHubOtaError,
    "A rule's condition refused when the rule was written: `line`, `column` and `reason` say where and why."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CommsHubOtaError", py.get_type::<CommsHubOtaError>())?;
    m.add("InvalidIdError", py.get_type::<InvalidIdError>())?;
    m.add("InvalidInputError", py.get_type::<InvalidInputError>())?;
    m.add("NotPermittedError", py.get_type::<NotPermittedError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("AlreadyExistsError", py.get_type::<AlreadyExistsError>())?;
    m.add(
        "IllegalTransitionError",
        py.get_type::<IllegalTransitionError>(),
    )?;
    m.add(
        "PreconditionFailedError",
        py.get_type::<PreconditionFailedError>(),
    )?;
    m.add("BulkRejectedError", py.get_type::<BulkRejectedError>())?;
    m.add("CorruptLogError", py.get_type::<CorruptLogError>())?;
    m.add(
        "UnsupportedSchemaError",
        py.get_type::<UnsupportedSchemaError>(),
    )?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("ConflictError", py.get_type::<ConflictError>())?;
    m.add(
        "CorruptSnapshotError",
        py.get_type::<CorruptSnapshotError>(),
    )?;
    m.add("BadSignatureError", py.get_type::<BadSignatureError>())?;
    m.add(
        "InvalidConditionError",
        py.get_type::<InvalidConditionError>(),
    )?;
    Ok(())
}

/// A binding-side input error (wrong type, naive datetime, ragged columns...).
pub fn invalid_input(field: &str, reason: impl Into<String>) -> PyErr {
    to_py_err(Error::InvalidInput {
        field: field.into(),
        reason: reason.into(),
    })
}

pub fn to_py_err(err: Error) -> PyErr {
    let message = err.to_string();
    let py_err = match err.kind() {
        ErrorKind::InvalidId => InvalidIdError::new_err(message),
        ErrorKind::InvalidInput => InvalidInputError::new_err(message),
        ErrorKind::NotPermitted => NotPermittedError::new_err(message),
        ErrorKind::NotFound => NotFoundError::new_err(message),
        ErrorKind::AlreadyExists => AlreadyExistsError::new_err(message),
        ErrorKind::IllegalTransition => IllegalTransitionError::new_err(message),
        ErrorKind::PreconditionFailed => PreconditionFailedError::new_err(message),
        ErrorKind::BulkRejected => BulkRejectedError::new_err(message),
        ErrorKind::CorruptLog => CorruptLogError::new_err(message),
        ErrorKind::UnsupportedSchema => UnsupportedSchemaError::new_err(message),
        ErrorKind::Io => IoError::new_err(message),
        ErrorKind::Conflict => ConflictError::new_err(message),
        ErrorKind::CorruptSnapshot => CorruptSnapshotError::new_err(message),
        ErrorKind::BadSignature => BadSignatureError::new_err(message),
        ErrorKind::InvalidCondition => InvalidConditionError::new_err(message),
    };
    Python::attach(|py| {
        // Attributes are best effort: failing to set one must not hide the error itself.
        let _ = set_fields(py, &py_err, &err);
    });
    py_err
}

fn set_fields(py: Python<'_>, py_err: &PyErr, err: &Error) -> PyResult<()> {
    let value = py_err.value(py);
    value.setattr("kind", err.kind().as_str())?;
    match err {
        Error::InvalidId {
            kind,
            input,
            reason,
        } => {
            value.setattr(
                "id_kind",
                serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from)),
            )?;
            value.setattr("input", input)?;
            value.setattr("reason", reason)?;
        }
        Error::InvalidInput { field, reason } => {
            value.setattr("field", field)?;
            value.setattr("reason", reason)?;
        }
        Error::NotPermitted {
            actor,
            action,
            reason,
        } => {
            value.setattr("actor", actor)?;
            value.setattr("action", action)?;
            value.setattr("reason", reason)?;
        }
        Error::NotFound { entity, id } | Error::AlreadyExists { entity, id } => {
            value.setattr(
                "entity",
                serde_json::to_value(entity)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from)),
            )?;
            value.setattr("id", id)?;
        }
        Error::IllegalTransition {
            campaign,
            current,
            attempted,
        } => {
            value.setattr("campaign", campaign)?;
            value.setattr("current", current.as_str())?;
            value.setattr("attempted", attempted.as_str())?;
        }
        Error::PreconditionFailed { rule, detail } => {
            value.setattr(
                "rule",
                serde_json::to_value(rule)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from)),
            )?;
            value.setattr("detail", detail)?;
        }
        Error::BulkRejected { rows } => {
            let list = PyList::new(py, rows.iter().map(|r| (r.row, r.reason.clone())))?;
            value.setattr("rows", list)?;
        }
        Error::CorruptLog { line, reason } => {
            value.setattr("line", line)?;
            value.setattr("reason", reason)?;
        }
        Error::UnsupportedSchema {
            line,
            found,
            supported,
        } => {
            value.setattr("line", line)?;
            value.setattr("found", found)?;
            value.setattr("supported", supported)?;
        }
        Error::Io { path, reason } => {
            value.setattr("path", path)?;
            value.setattr("reason", reason)?;
        }
        Error::Conflict { expected, found } => {
            value.setattr("expected", expected)?;
            value.setattr("found", found)?;
        }
        Error::CorruptSnapshot { seq, reason } => {
            value.setattr("seq", seq)?;
            value.setattr("reason", reason)?;
        }
        Error::BadSignature { actor, reason } => {
            value.setattr("actor", actor)?;
            value.setattr("reason", reason)?;
        }
        Error::InvalidCondition {
            line,
            column,
            reason,
        } => {
            value.setattr("line", line)?;
            value.setattr("column", column)?;
            value.setattr("reason", reason)?;
        }
    }
    Ok(())
}
