//! `_native.Engine`: a thin, thread-safe handle on a core `Engine`. Work is done with the GIL
//! released and the lock taken there too (taking it while holding the GIL could deadlock with
//! a thread that holds the lock and waits for the GIL).

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use commshub_ota::{journal, Actor, Command, Engine, Error};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::Serialize;
use serde_json::Value;

use crate::columns::table_from_columns;
use crate::convert::{from_py, to_py};
use crate::errors::{invalid_input, to_py_err};
use commshub_ota::command::*;

#[pyclass(frozen, module = "commshub_ota._native")]
pub struct NativeEngine {
    inner: Mutex<Engine>,
}

pub fn parse_actor(actor: &str) -> PyResult<Actor> {
    actor.parse().map_err(to_py_err)
}

/// A timezone-aware `datetime`, or an RFC 3339 string with a zone. A naive datetime is refused.
pub fn parse_at(at: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    if let Ok(s) = at.cast::<PyString>() {
        let text = crate::convert::text_of(s, "at")?;
        return DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| {
                invalid_input(
                    "at",
                    format!("{text:?} is not an RFC 3339 time with a zone: {e}"),
                )
            });
    }
    if at.is_none() {
        return Err(invalid_input("at", "a time is required (got None)"));
    }
    at.extract::<DateTime<FixedOffset>>()
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            invalid_input(
                "at",
                "must be a timezone-aware datetime (a naive datetime has no zone)",
            )
        })
}

fn json<T: Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| invalid_input("result", e.to_string()))
}

/// Events as dicts, each with its sequence number as `asker` is shown it (`Event::seq_seen_by`;
/// the journal is the DCC's record).
fn events_json(events: &[commshub_ota::Event], asker: &Actor) -> PyResult<Value> {
    events
        .iter()
        .map(|e| {
            let mut event = serde_json::json!({
                "at": e.at, "actor": e.actor.to_code(), "payload": json(&e.payload)?,
            });
            if let Some(seq) = e.seq_seen_by(asker) {
                event["seq"] = seq.into();
            }
            Ok(event)
        })
        .collect::<PyResult<Vec<Value>>>()
        .map(Value::Array)
}

impl NativeEngine {
    /// Runs `f` on the engine with the GIL released, then converts its answer to Python.
    fn with<'py, F>(&self, py: Python<'py>, f: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: FnOnce(&mut Engine) -> Result<Value, Error> + Send,
    {
        let answer = py.detach(|| {
            let mut engine = self
                .inner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut engine)
        });
        to_py(py, &answer.map_err(to_py_err)?)
    }
}

fn ok_json<T: Serialize>(value: Result<T, Error>) -> Result<Value, Error> {
    let value = value?;
    serde_json::to_value(&value).map_err(|e| Error::InvalidInput {
        field: "result".into(),
        reason: e.to_string(),
    })
}

#[pymethods]
impl NativeEngine {
    #[new]
    fn new() -> Self {
        NativeEngine {
            inner: Mutex::new(Engine::new()),
        }
    }

    /// Runs one command (its JSON form as a dict); returns the events it recorded.
    fn execute<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        at: &Bound<'py, PyAny>,
        command: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let command: Command = serde_json::from_value(from_py(command, "command")?)
            .map_err(|e| invalid_input("command", e.to_string()))?;
        let answer = py.detach(|| {
            let mut engine = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            engine
                .execute(&actor, at, command)
                .map(|events| events.to_vec())
        });
        to_py(py, &events_json(&answer.map_err(to_py_err)?, &actor)?)
    }

    /// Loads hubs from columns (a dict of equal-length lists) in one command; returns the
    /// sequence number of the `estate_loaded` event.
    fn load_estate(
        &self,
        py: Python<'_>,
        actor: &str,
        at: &Bound<'_, PyAny>,
        columns: &Bound<'_, PyDict>,
    ) -> PyResult<u64> {
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let columns = crate::columns::Columns::extract(columns)?;
        let answer = py.detach(|| {
            let parsed = table_from_columns(columns);
            let mut engine = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            engine
                .load_estate_table(&actor, at, parsed.table, &parsed.origin, parsed.rejected)
                .map(|events| events.last().map_or(0, |e| e.seq))
        });
        answer.map_err(to_py_err)
    }

    /// Loads hubs already dictionary-encoded (the core's `EstateTable` form as a dict of
    /// lists); returns the sequence number of the `estate_loaded` event.
    fn load_estate_table(
        &self,
        py: Python<'_>,
        actor: &str,
        at: &Bound<'_, PyAny>,
        table: &Bound<'_, PyDict>,
    ) -> PyResult<u64> {
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let table = crate::columns::table_from_dict(table)?;
        let answer = py.detach(|| {
            let mut engine = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            engine
                .execute(
                    &actor,
                    at,
                    Command::LoadEstateTable(LoadEstateTable { table }),
                )
                .map(|events| events.last().map_or(0, |e| e.seq))
        });
        answer.map_err(to_py_err)
    }

    /// Answers a query given as its JSON form (a dict: `{"name": "explain", ...}`) with the
    /// view's JSON form: the one entry behind every typed query.
    fn query<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        query: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = parse_actor(actor)?;
        let query: commshub_ota::Query = serde_json::from_value(from_py(query, "query")?)
            .map_err(|e| invalid_input("query", e.to_string()))?;
        self.with(py, move |e| ok_json(e.query(&actor, &query)))
    }

    /// The recorded events from index `start` on, as dicts.
    #[pyo3(signature = (start=0))]
    fn events<'py>(&self, py: Python<'py>, start: usize) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, move |e| {
            let events = e.events();
            events_json(&events[start.min(events.len())..], &Actor::Dcc).map_err(|err| {
                Error::InvalidInput {
                    field: "events".into(),
                    reason: err.to_string(),
                }
            })
        })
    }

    #[getter]
    fn last_seq(&self, py: Python<'_>) -> u64 {
        py.detach(|| {
            self.inner
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .state()
                .last_seq()
        })
    }

    #[getter]
    fn hub_count(&self, py: Python<'_>) -> usize {
        py.detach(|| {
            self.inner
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .state()
                .hub_count()
        })
    }

    /// Writes every recorded event to `path` as JSON lines.
    fn write_log(&self, py: Python<'_>, path: &str) -> PyResult<()> {
        let path = path.to_owned();
        py.detach(|| {
            let engine = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            journal::write_jsonl(&path, engine.events())
        })
        .map_err(to_py_err)
    }

    /// Rebuilds an engine from a JSON-lines event log.
    #[staticmethod]
    fn replay_log(py: Python<'_>, path: &str) -> PyResult<NativeEngine> {
        let path = path.to_owned();
        let engine = py
            .detach(|| journal::read_jsonl(&path).and_then(Engine::replay))
            .map_err(to_py_err)?;
        Ok(NativeEngine {
            inner: Mutex::new(engine),
        })
    }

    /// Whether two engines hold the same state and notifications (e.g. an engine and its replay).
    fn same_state_as(&self, py: Python<'_>, other: &NativeEngine) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        // Never two engines' locks at once: `a.same_state_as(b)` and `b.same_state_as(a)` on
        // two threads would each hold one lock and wait for the other for ever. The other's
        // state is copied under its lock alone, then compared under ours.
        py.detach(|| {
            let theirs = other.inner.lock().unwrap_or_else(|p| p.into_inner()).fork();
            let ours = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            ours.same_state_as(&theirs)
        })
    }
}
