//! `_native.Engine`: a thin, thread-safe handle on a core `Engine`. Work is done with the GIL
//! released and the lock taken there too (taking it while holding the GIL could deadlock with
//! a thread that holds the lock and waits for the GIL).

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use commshub_ota::{journal, Actor, Command, Engine, Error, OpenOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use serde::Serialize;
use serde_json::Value;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::arrow::ArrowTable;
use crate::convert::{from_py, to_py};
use crate::errors::{invalid_input, to_py_err};
use crate::signing::{signer_of, trust_of};
use commshub_ota::act::SignedCommand;
use commshub_ota::command::*;
use commshub_ota::estate::columns::table_from_columns;
use commshub_ota::signing::Checkpoint;

#[pyclass(frozen, module = "commshub_ota._native")]
pub struct NativeEngine {
    /// `None` once closed: a durable engine's store is let go, and any later call is refused.
    inner: Mutex<Option<Engine>>,
}

/// The engine behind a lock, or why there is none.
struct Held<'a>(MutexGuard<'a, Option<Engine>>);

impl std::ops::Deref for Held<'_> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        self.0.as_ref().expect("checked when taken")
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Engine {
        self.0.as_mut().expect("checked when taken")
    }
}

fn wrap(engine: Engine) -> NativeEngine {
    NativeEngine {
        inner: Mutex::new(Some(engine)),
    }
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

/// `options` with a trust and this host's signer, when given.
fn signed_options(
    mut options: OpenOptions,
    trust_log: Option<&str>,
    trust_anchor: Option<&str>,
    signer: Option<&Bound<'_, PyAny>>,
) -> PyResult<OpenOptions> {
    if let Some(trust) = trust_of(trust_log, trust_anchor)? {
        options = options.trust(trust);
    }
    if let Some(signer) = signer {
        options = options.signer(signer_of(signer)?);
    }
    Ok(options)
}

fn parse_command(command: &Bound<'_, PyAny>, field: &str) -> PyResult<Command> {
    serde_json::from_value(from_py(command, field)?)
        .map_err(|e| invalid_input(field, e.to_string()))
}

fn json<T: Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| invalid_input("result", e.to_string()))
}

/// Events as dicts, each with its sequence number as `asker` is shown it (`Event::seq_seen_by`;
/// the journal is the DCC's record).
fn events_json(events: &[commshub_ota::Event], asker: &Actor) -> PyResult<Value> {
    events
        .iter()
        .filter(|e| e.shown_to(asker))
        .map(|e| {
            let mut event = serde_json::json!({
                "at": e.at, "actor": e.actor.to_code(), "payload": json(&e.payload)?,
            });
            if let Some(seq) = e.seq_seen_by(asker) {
                event["seq"] = seq.into();
            }
            if let Some(act) = &e.act {
                event["act"] = json(act)?;
            }
            Ok(event)
        })
        .collect::<PyResult<Vec<Value>>>()
        .map(Value::Array)
}

impl NativeEngine {
    /// The engine, locked (a panic elsewhere does not poison it for good), or an
    /// `InvalidInputError` once it was closed.
    fn engine(&self) -> Result<Held<'_>, Error> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(Error::InvalidInput {
                field: "engine".into(),
                reason: "it was closed".into(),
            });
        }
        Ok(Held(guard))
    }

    /// Runs `f` on the engine with the GIL released, then converts its answer to Python.
    fn with<'py, F>(&self, py: Python<'py>, f: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: FnOnce(&mut Engine) -> Result<Value, Error> + Send,
    {
        let answer = py.detach(|| f(&mut *self.engine()?));
        to_py(py, &answer.map_err(to_py_err)?)
    }

    /// Loads the hubs of `batches` (Arrow columns named as `load_estate`'s) in one command. The
    /// columns are read with the GIL released: other Python threads run meanwhile.
    fn load_batches(
        &self,
        py: Python<'_>,
        actor: Actor,
        at: DateTime<Utc>,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> PyResult<u64> {
        py.detach(|| {
            self.engine()
                .and_then(|mut e| {
                    e.load_estate_arrow(&actor, at, &schema, &batches)
                        .map(|events| events.last().map_or(0, |e| e.seq))
                })
                .map_err(to_py_err)
        })
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
    /// An engine in memory: unsigned, or running a signed log under the trust of `trust_log`
    /// (the log's identity) and `trust_anchor` (the DCC's public key, hex).
    #[new]
    #[pyo3(signature = (trust_log=None, trust_anchor=None))]
    fn new(trust_log: Option<&str>, trust_anchor: Option<&str>) -> PyResult<Self> {
        Ok(wrap(match trust_of(trust_log, trust_anchor)? {
            Some(trust) => Engine::with_trust(trust),
            None => Engine::new(),
        }))
    }

    /// Signs `actor`'s commands with `signer` from now on (a signed engine).
    fn sign_as(&self, py: Python<'_>, actor: &str, signer: &Bound<'_, PyAny>) -> PyResult<()> {
        let actor = parse_actor(actor)?;
        let signer = signer_of(signer)?;
        py.detach(|| self.engine()?.sign_as(&actor, signer))
            .map_err(to_py_err)
    }

    /// `command` by `actor` at `at`, signed by `signer` as the actor's next act: the signed
    /// command as a dict, to send to the host that runs the engine.
    fn sign<'py>(
        &self,
        py: Python<'py>,
        signer: &Bound<'py, PyAny>,
        actor: &str,
        at: &Bound<'py, PyAny>,
        command: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let signer = signer_of(signer)?;
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let command = parse_command(command, "command")?;
        self.with(py, move |e| ok_json(e.sign(&*signer, &actor, at, command)))
    }

    /// Runs a command its actor signed (the dict `sign` gives); returns its events.
    fn execute_signed<'py>(
        &self,
        py: Python<'py>,
        signed: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let signed: SignedCommand = serde_json::from_value(from_py(signed, "signed")?)
            .map_err(|e| invalid_input("signed", e.to_string()))?;
        let actor = signed.actor.clone();
        let answer = py.detach(|| {
            self.engine()?
                .execute_signed(signed)
                .map(|events| events.to_vec())
        });
        to_py(py, &events_json(&answer.map_err(to_py_err)?, &actor)?)
    }

    /// The counter `actor`'s next act must carry.
    fn next_act(&self, py: Python<'_>, actor: &str) -> PyResult<u64> {
        let actor = parse_actor(actor)?;
        py.detach(|| Ok(self.engine()?.next_act(&actor)))
            .map_err(to_py_err)
    }

    /// The keys registered for `party`: `{"key", "registered", "revoked"}` each.
    fn keys_of<'py>(&self, py: Python<'py>, party: &str) -> PyResult<Bound<'py, PyAny>> {
        let party = parse_actor(party)?;
        self.with(py, move |e| {
            let keys: Vec<Value> = e
                .keys_of(&party)
                .into_iter()
                .map(|(key, entry)| {
                    serde_json::json!({
                        "key": key.to_string(),
                        "registered": entry.registered,
                        "revoked": entry.revoked,
                    })
                })
                .collect();
            Ok(Value::Array(keys))
        })
    }

    /// The DCC signs a checkpoint of the log's head at `at` (a dict, for parties to keep).
    fn checkpoint<'py>(
        &self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = parse_at(at)?;
        self.with(py, move |e| ok_json(e.checkpoint(at)))
    }

    /// The latest checkpoint the store keeps, or None.
    fn latest_checkpoint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, |e| ok_json(e.latest_checkpoint()))
    }

    /// Checks a kept checkpoint against this log (`CorruptLogError` naming the event when the
    /// log was cut below it or replaced up to it).
    fn verify_checkpoint(&self, py: Python<'_>, checkpoint: &Bound<'_, PyAny>) -> PyResult<()> {
        let checkpoint: Checkpoint = serde_json::from_value(from_py(checkpoint, "checkpoint")?)
            .map_err(|e| invalid_input("checkpoint", e.to_string()))?;
        py.detach(|| self.engine()?.verify_checkpoint(&checkpoint))
            .map_err(to_py_err)
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
            self.engine()?
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
        let columns = crate::columns::extract(columns)?;
        let answer = py.detach(|| {
            let parsed = table_from_columns(columns);
            self.engine()?
                .load_estate_table(&actor, at, parsed.table, &parsed.origin, parsed.rejected)
                .map(|events| events.last().map_or(0, |e| e.seq))
        });
        answer.map_err(to_py_err)
    }

    /// Loads hubs from an Arrow C stream (the capsule an object's `__arrow_c_stream__` gives:
    /// a pyarrow Table, a Polars DataFrame, pandas through pyarrow), columns named as in
    /// `load_estate`; returns the sequence number of the `estate_loaded` event. Every bad cell
    /// is a row error (`BulkRejectedError`), and nothing is loaded unless every row is good.
    fn load_estate_arrow(
        &self,
        py: Python<'_>,
        actor: &str,
        at: &Bound<'_, PyAny>,
        stream: &Bound<'_, pyo3::types::PyCapsule>,
    ) -> PyResult<u64> {
        use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
        use arrow_array::RecordBatchReader;
        use pyo3::types::PyCapsuleMethods;
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let pointer = stream
            .pointer_checked(Some(c"arrow_array_stream"))
            .map_err(|_| invalid_input("columns", "not an Arrow C stream capsule"))?;
        // SAFETY: the capsule is named `arrow_array_stream`, so by the Arrow PyCapsule protocol
        // it points at a valid `ArrowArrayStream`; `from_raw` moves it out and marks the
        // original released, so the capsule's destructor does not release it again.
        let ffi = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
        let (schema, batches) = py
            .detach(|| {
                arrow_input(|| {
                    let reader = RecordBatchStreamReader::try_new(ffi)?;
                    let schema = reader.schema();
                    reader
                        .collect::<Result<Vec<_>, _>>()
                        .map(|batches| (schema, batches))
                })
            })?
            .map_err(|e| {
                invalid_input(
                    "columns",
                    format!("the Arrow stream could not be read: {e}"),
                )
            })?;
        self.load_batches(py, actor, at, schema, batches)
    }

    /// Loads hubs from one Arrow record batch given as the C data interface's capsules (what
    /// an object's `__arrow_c_array__` gives: a struct array of the columns, and its schema),
    /// as `load_estate_arrow` does from a stream.
    fn load_estate_arrow_array(
        &self,
        py: Python<'_>,
        actor: &str,
        at: &Bound<'_, PyAny>,
        schema: &Bound<'_, pyo3::types::PyCapsule>,
        array: &Bound<'_, pyo3::types::PyCapsule>,
    ) -> PyResult<u64> {
        use arrow_array::ffi::{from_ffi, FFI_ArrowArray};
        use arrow_schema::ffi::FFI_ArrowSchema;
        use pyo3::types::PyCapsuleMethods;
        let actor = parse_actor(actor)?;
        let at = parse_at(at)?;
        let schema = schema
            .pointer_checked(Some(c"arrow_schema"))
            .map_err(|_| invalid_input("columns", "not an Arrow schema capsule"))?;
        let array = array
            .pointer_checked(Some(c"arrow_array"))
            .map_err(|_| invalid_input("columns", "not an Arrow array capsule"))?;
        // SAFETY: capsules named `arrow_schema` and `arrow_array` point at a valid
        // `ArrowSchema` and `ArrowArray` (the Arrow PyCapsule protocol). The array is moved out
        // (`from_raw` marks the original released, so its capsule does not release it again);
        // the schema is only borrowed while its capsule, alive for this call, owns it.
        let array = unsafe { FFI_ArrowArray::from_raw(array.as_ptr().cast()) };
        let schema = unsafe { &*schema.as_ptr().cast::<FFI_ArrowSchema>() };
        let data = arrow_input(|| unsafe { from_ffi(array, schema) })?.map_err(|e| {
            invalid_input("columns", format!("the Arrow array could not be read: {e}"))
        })?;
        if !matches!(data.data_type(), arrow_schema::DataType::Struct(_)) {
            return Err(invalid_input(
                "columns",
                format!(
                    "an Arrow array of type {} is not a table: expected a struct of columns",
                    data.data_type()
                ),
            ));
        }
        // A null row of the struct is no hub at all (and arrow-rs's conversion asserts there is
        // none): refused, naming the first.
        if let Some(row) = (0..data.len()).find(|&i| data.is_null(i)) {
            return Err(invalid_input(
                "columns",
                format!("row {row} of the Arrow array is null: a table's rows cannot be"),
            ));
        }
        let batch = arrow_input(|| RecordBatch::from(arrow_array::StructArray::from(data)))?;
        self.load_batches(py, actor, at, batch.schema(), vec![batch])
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
            self.engine()?
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

    /// The recorded events after sequence number `start` (0: all), as dicts: in memory the
    /// journal's, durable the store's (the same answer from both kinds of engine).
    #[pyo3(signature = (start=0))]
    fn events<'py>(&self, py: Python<'py>, start: u64) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, move |e| {
            let events = e.history(start)?;
            events_json(&events, &Actor::Dcc).map_err(|err| Error::InvalidInput {
                field: "events".into(),
                reason: err.to_string(),
            })
        })
    }

    #[getter]
    fn last_seq(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.engine().map(|e| e.state().last_seq()))
            .map_err(to_py_err)
    }

    #[getter]
    fn hub_count(&self, py: Python<'_>) -> PyResult<usize> {
        py.detach(|| self.engine().map(|e| e.state().hub_count()))
            .map_err(to_py_err)
    }

    /// Writes every recorded event to `path` as chained JSON lines, atomically: in memory the
    /// journal, durable the store's whole history (`export_log`).
    fn write_log(&self, py: Python<'_>, path: &str) -> PyResult<()> {
        let path = path.to_owned();
        py.detach(|| self.engine()?.export(&path).map(|_| ()))
            .map_err(to_py_err)
    }

    /// Rebuilds an engine from a JSON-lines event log.
    #[staticmethod]
    #[pyo3(signature = (path, trust_log=None, trust_anchor=None))]
    fn replay_log(
        py: Python<'_>,
        path: &str,
        trust_log: Option<&str>,
        trust_anchor: Option<&str>,
    ) -> PyResult<NativeEngine> {
        let path = path.to_owned();
        let trust = trust_of(trust_log, trust_anchor)?;
        let engine = py
            .detach(|| {
                let events = journal::read_jsonl(&path)?;
                match trust {
                    Some(trust) => Engine::replay_signed(trust, events),
                    None => Engine::replay(events),
                }
            })
            .map_err(to_py_err)?;
        Ok(wrap(engine))
    }

    /// Whether two engines hold the same state and notifications (e.g. an engine and its replay).
    fn same_state_as(&self, py: Python<'_>, other: &NativeEngine) -> PyResult<bool> {
        if std::ptr::eq(self, other) {
            return Ok(true);
        }
        // Never two engines' locks at once: `a.same_state_as(b)` and `b.same_state_as(a)` on
        // two threads would each hold one lock and wait for the other for ever. The other's
        // state is copied under its lock alone, then compared under ours.
        py.detach(|| {
            let theirs = other.engine()?.fork();
            let ours = self.engine()?;
            Ok(ours.same_state_as(&theirs))
        })
        .map_err(to_py_err)
    }

    // --- a durable engine: its store -----------------------------------------------------

    /// Opens the store at `location` (a SQLite path, `sqlite:PATH`, or a PostgreSQL URL).
    #[staticmethod]
    #[pyo3(signature = (location, snapshot_every=10_000, allow_fallback=false, clock_skew_seconds=commshub_ota::engine::DEFAULT_CLOCK_SKEW_SECONDS, trust_log=None, trust_anchor=None, signer=None, checkpoint_every=commshub_ota::engine::DEFAULT_CHECKPOINT_EVERY))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, each with its default
    fn open(
        py: Python<'_>,
        location: &str,
        snapshot_every: u64,
        allow_fallback: bool,
        clock_skew_seconds: u32,
        trust_log: Option<&str>,
        trust_anchor: Option<&str>,
        signer: Option<&Bound<'_, PyAny>>,
        checkpoint_every: u64,
    ) -> PyResult<NativeEngine> {
        let location = location.to_owned();
        let options = signed_options(
            OpenOptions::default()
                .snapshot_every(snapshot_every)
                .allow_fallback(allow_fallback)
                .clock_skew_seconds(clock_skew_seconds)
                .checkpoint_every(checkpoint_every),
            trust_log,
            trust_anchor,
            signer,
        )?;
        py.detach(|| {
            let store = commshub_ota::store::open(&location)?;
            Engine::open_store(store, options)
        })
        .map(wrap)
        .map_err(to_py_err)
    }

    /// Imports the JSON-lines log at `path` into the empty store at `location` and opens it.
    #[staticmethod]
    #[pyo3(signature = (path, location, snapshot_every=10_000, allow_unchained=false, trust_log=None, trust_anchor=None, signer=None))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, each with its default
    fn import_log(
        py: Python<'_>,
        path: &str,
        location: &str,
        snapshot_every: u64,
        allow_unchained: bool,
        trust_log: Option<&str>,
        trust_anchor: Option<&str>,
        signer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NativeEngine> {
        let (path, location) = (path.to_owned(), location.to_owned());
        let options = signed_options(
            OpenOptions::default()
                .snapshot_every(snapshot_every)
                .allow_unchained(allow_unchained),
            trust_log,
            trust_anchor,
            signer,
        )?;
        py.detach(|| {
            let store = commshub_ota::store::open(&location)?;
            Engine::import(&path, store, options)
        })
        .map(wrap)
        .map_err(to_py_err)
    }

    /// Lets go of the engine and its store (its connection, its file); later calls are refused.
    fn close(&self, py: Python<'_>) {
        py.detach(|| {
            self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        });
    }

    /// Runs `(actor, command)` pairs in order, committing the accepted ones in one transaction.
    /// Returns one item a command: its events (a list) or its refusal (an exception instance).
    fn execute_batch<'py>(
        &self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
        commands: Vec<(String, Bound<'py, PyAny>)>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let at = parse_at(at)?;
        let mut parsed = Vec::with_capacity(commands.len());
        for (i, (actor, command)) in commands.iter().enumerate() {
            let actor = parse_actor(actor)?;
            let command: Command =
                serde_json::from_value(from_py(command, &format!("commands[{i}]"))?)
                    .map_err(|e| invalid_input(&format!("commands[{i}]"), e.to_string()))?;
            parsed.push((actor, command));
        }
        let actors: Vec<Actor> = parsed.iter().map(|(a, _)| a.clone()).collect();
        let answers = py
            .detach(|| self.engine()?.execute_batch(at, parsed))
            .map_err(to_py_err)?;
        answers
            .into_iter()
            .zip(actors)
            .map(|(answer, actor)| match answer {
                Ok(events) => Ok(to_py(py, &events_json(&events, &actor)?)?.unbind()),
                Err(err) => Ok(to_py_err(err).into_value(py).into_any()),
            })
            .collect()
    }

    /// Applies the events other writers appended since this engine's last; how many.
    fn catch_up(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.engine()?.catch_up()).map_err(to_py_err)
    }

    /// Waits up to `timeout` seconds for other writers' events, then applies them; how many.
    fn wait_for_events(&self, py: Python<'_>, timeout: f64) -> PyResult<u64> {
        if !(0.0..=3600.0).contains(&timeout) {
            return Err(invalid_input(
                "timeout",
                format!("{timeout} is not between 0 and 3600 seconds"),
            ));
        }
        py.detach(|| {
            self.engine()?
                .wait_for_events(Duration::from_secs_f64(timeout))
        })
        .map_err(to_py_err)
    }

    /// Writes a snapshot to the store; its size in bytes.
    fn snapshot(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.engine()?.snapshot()).map_err(to_py_err)
    }

    /// Checks the store's whole audit chain.
    fn verify_store<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, |e| ok_json(e.verify_store()))
    }

    /// Where the store is and what it holds.
    fn store_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, |e| ok_json(e.store_info()))
    }

    /// How the engine opened: `{"snapshot": N or None, "replayed": N, "refused": [messages],
    /// "ahead_of_clock": [seq], "ahead_of_clock_count": N, "unverified_through": N,
    /// "snapshot_failure": {"seq", "kind", "message"} or None}`; `None` in memory.
    fn open_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.with(py, |e| {
            Ok(match e.open_report() {
                None => Value::Null,
                Some(r) => serde_json::json!({
                    "snapshot": r.snapshot,
                    "replayed": r.replayed,
                    "refused": r.refused.iter().map(|e| serde_json::json!({
                        "kind": e.kind().as_str(), "message": e.to_string(),
                    })).collect::<Vec<_>>(),
                    "ahead_of_clock": r.ahead_of_clock,
                    "ahead_of_clock_count": r.ahead_of_clock_count,
                    "unverified_through": r.unverified_through,
                    "snapshot_failure": r.snapshot_failure.as_ref().map(|(seq, e)| serde_json::json!({
                        "seq": seq, "kind": e.kind().as_str(), "message": e.to_string(),
                    })),
                    "checkpoint_failure": r.checkpoint_failure.as_ref().map(|(seq, e)| serde_json::json!({
                        "seq": seq, "kind": e.kind().as_str(), "message": e.to_string(),
                    })),
                }),
            })
        })
    }

    /// `actor`'s notification feed after `cursor`, at most `limit`.
    fn feed<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        cursor: u64,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = parse_actor(actor)?;
        self.with(py, move |e| ok_json(e.feed(&actor, cursor, limit)))
    }

    /// Answers a columnar question given as its JSON form (a dict: `{"name": "upgrade_list",
    /// "region": "north", "at": "..."}`) as an Arrow table: the one columnar entry.
    fn query_arrow(
        &self,
        py: Python<'_>,
        actor: &str,
        query: &Bound<'_, PyAny>,
    ) -> PyResult<ArrowTable> {
        let actor = parse_actor(actor)?;
        let query: commshub_ota::read::arrow::ColumnarQuery =
            serde_json::from_value(from_py(query, "query")?)
                .map_err(|e| invalid_input("query", e.to_string()))?;
        py.detach(|| {
            let mut engine = self.engine()?;
            engine.query_arrow(&actor, &query)
        })
        .map(|answer| ArrowTable::of(answer.schema, answer.batches))
        .map_err(to_py_err)
    }

    /// The state as snapshot bytes (versioned, checksummed).
    fn to_snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.engine().map(|e| e.to_snapshot()))
            .map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// An engine in memory from snapshot bytes (`CorruptSnapshotError` when they are bad).
    #[staticmethod]
    fn from_snapshot(py: Python<'_>, data: Vec<u8>) -> PyResult<NativeEngine> {
        py.detach(|| Engine::from_snapshot(&data))
            .map(wrap)
            .map_err(to_py_err)
    }

    /// Writes the whole log to `path` as chained JSON lines, atomically; how many events.
    fn export_log(&self, py: Python<'_>, path: &str) -> PyResult<u64> {
        let path = path.to_owned();
        py.detach(|| self.engine()?.export(&path))
            .map_err(to_py_err)
    }
}

/// Runs `read` on Arrow input a producer gave, answering a panic inside arrow-rs (it asserts on
/// some malformed input) as a typed `InvalidInputError` rather than a `PanicException`, which
/// is a `BaseException` that `except Exception` misses. The input is only read, so nothing of
/// the engine is left half-changed by an unwind here.
fn arrow_input<T>(read: impl FnOnce() -> T) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("malformed input");
        invalid_input(
            "columns",
            format!("the Arrow input is malformed and cannot be read: {why}"),
        )
    })
}
