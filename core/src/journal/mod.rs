//! The event log on disk: JSON lines, one event a line, each carrying the schema version.
//! `{"schema":2,"seq":1,"at":"2026-01-05T09:00:00Z","actor":"dcc","payload":{"type":...}}`
//!
//! Schema history: 1 recorded a bulk load as rows (`"hubs": [...]`); 2 records it as an
//! `EstateTable`. A version-1 line is upgraded as it is read; every other event is the same.

use crate::actor::Actor;
use crate::estate::{EstateTable, HubRow};
use crate::event::{EstateLoaded, Event, EventPayload, SCHEMA_VERSION};
use crate::Error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

#[derive(Serialize)]
struct LineOut<'a> {
    schema: u32,
    seq: u64,
    at: &'a DateTime<Utc>,
    actor: &'a Actor,
    payload: &'a EventPayload,
}

#[derive(Deserialize)]
struct SchemaProbe {
    schema: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineIn {
    schema: u32,
    seq: u64,
    at: DateTime<Utc>,
    actor: Actor,
    payload: EventPayload,
}

/// A schema-1 line whose payload changed shape in schema 2.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineV1 {
    #[serde(rename = "schema")]
    _schema: u32,
    seq: u64,
    at: DateTime<Utc>,
    actor: Actor,
    payload: PayloadV1,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum PayloadV1 {
    EstateLoaded { hubs: Vec<HubRow> },
}

impl LineV1 {
    fn upgrade(self) -> Event {
        let PayloadV1::EstateLoaded { hubs } = self.payload;
        Event {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            payload: EventPayload::EstateLoaded(EstateLoaded {
                table: EstateTable::from_rows(&hubs),
            }),
        }
    }
}

/// One event as its JSON line (no trailing newline).
pub fn to_json_line(event: &Event) -> String {
    serde_json::to_string(&LineOut {
        schema: SCHEMA_VERSION,
        seq: event.seq,
        at: &event.at,
        actor: &event.actor,
        payload: &event.payload,
    })
    .expect("events hold only strings, numbers and dates, which always serialize")
}

/// Parses one line; `line` (1-based) names it in errors. One full parse on the happy path;
/// only a line that fails to parse is probed again for its schema version, so that a newer
/// schema is reported as such rather than as corruption.
pub fn from_json_line(text: &str, line: u64) -> Result<Event, Error> {
    let corrupt = |reason: String| Error::CorruptLog { line, reason };
    let check = |schema: Option<u32>| match schema {
        None => Err(corrupt("no schema version".into())),
        Some(0) => Err(corrupt("schema version 0 does not exist".into())),
        Some(found) if found > SCHEMA_VERSION => Err(Error::UnsupportedSchema {
            line,
            found,
            supported: SCHEMA_VERSION,
        }),
        Some(_) => Ok(()),
    };
    match serde_json::from_str::<LineIn>(text) {
        Ok(parsed) => {
            check(Some(parsed.schema))?;
            Ok(Event {
                seq: parsed.seq,
                at: parsed.at,
                actor: parsed.actor,
                payload: parsed.payload,
            })
        }
        Err(e) => {
            let probe: SchemaProbe = serde_json::from_str(text)
                .map_err(|p| corrupt(format!("not a JSON event: {p}")))?;
            check(probe.schema)?;
            if probe.schema == Some(1) {
                if let Ok(old) = serde_json::from_str::<LineV1>(text) {
                    return Ok(old.upgrade());
                }
            }
            Err(corrupt(e.to_string()))
        }
    }
}

pub fn write_jsonl_to(
    mut out: impl Write,
    events: &[Event],
    path_for_errors: &str,
) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path_for_errors.to_string(),
        reason: e.to_string(),
    };
    for event in events {
        out.write_all(to_json_line(event).as_bytes()).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
    }
    out.flush().map_err(io)
}

/// Writes (replacing) the file with one line per event, atomically: the lines go to a
/// temporary file beside it, which is flushed to disk and then renamed over the file, and the
/// directory is flushed. A crash at any moment leaves the old file or the new one, whole, never
/// a truncated mix (the file was once truncated in place and rewritten).
pub fn write_jsonl(path: impl AsRef<Path>, events: &[Event]) -> Result<(), Error> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let path = path.as_ref();
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        reason: e.to_string(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map_or_else(|| "log".into(), |f| f.to_string_lossy().into_owned());
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
    let written = (|| {
        let mut out = BufWriter::new(File::create(&tmp).map_err(io)?);
        write_jsonl_to(&mut out, events, &name)?;
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp); // best effort: the error says what failed
        return written;
    }
    // The rename is durable once the directory is (a no-op where directories cannot be opened).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads events from JSON lines. Blank lines are skipped; a corrupt line, a newer schema or a
/// break in the sequence numbers is refused with the line number. A line longer than
/// [`crate::limits::MAX_LOG_LINE_BYTES`], or one that does not start as a JSON object, is
/// refused as soon as that shows, so that reading `/dev/zero` or a binary file ends at once
/// instead of exhausting memory.
pub fn read_jsonl_from(input: impl BufRead, path_for_errors: &str) -> Result<Vec<Event>, Error> {
    read_jsonl_bounded(input, path_for_errors, crate::limits::MAX_LOG_LINE_BYTES)
}

/// [`read_jsonl_from`] with another bound on a line's length.
pub fn read_jsonl_bounded(
    mut input: impl BufRead,
    path_for_errors: &str,
    max_line_bytes: usize,
) -> Result<Vec<Event>, Error> {
    let mut events = Vec::new();
    let mut buf = Vec::new();
    for line in 1u64.. {
        buf.clear();
        let io = |e: std::io::Error| Error::Io {
            path: path_for_errors.to_string(),
            reason: format!("line {line}: {e}"),
        };
        let corrupt = |reason: String| Error::CorruptLog { line, reason };
        match read_line(&mut input, &mut buf, max_line_bytes).map_err(io)? {
            Line::End => break,
            Line::TooLong => {
                return Err(corrupt(format!(
                    "longer than the limit of {max_line_bytes} bytes"
                )))
            }
            Line::NotJson => {
                return Err(corrupt(
                    "not a JSON event: it does not start with '{'".into(),
                ))
            }
            Line::Read => {}
        }
        let text =
            std::str::from_utf8(&buf).map_err(|e| corrupt(format!("not UTF-8 text: {e}")))?;
        if text.trim().is_empty() {
            continue;
        }
        let event = from_json_line(text, line)?;
        let expected = events.last().map_or(1, |e: &Event| e.seq + 1);
        if event.seq != expected {
            return Err(Error::CorruptLog {
                line,
                reason: format!("expected event {expected}, found event {}", event.seq),
            });
        }
        events.push(event);
    }
    Ok(events)
}

enum Line {
    Read,
    End,
    TooLong,
    NotJson,
}

/// Reads one line (without its newline) into `buf`, up to `limit` bytes, stopping early when
/// its first byte that is not white space is not `{`.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<Line> {
    let mut checked_start = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(if buf.is_empty() {
                Line::End
            } else {
                Line::Read
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        let take = chunk.len().min(limit.saturating_sub(buf.len()) + 1);
        buf.extend_from_slice(&chunk[..take]);
        let consumed = done.unwrap_or(available.len());
        input.consume(consumed);
        if !checked_start {
            if let Some(&first) = buf.iter().find(|b| !b.is_ascii_whitespace()) {
                if first != b'{' {
                    return Ok(Line::NotJson);
                }
                checked_start = true;
            }
        }
        if buf.len() > limit {
            return Ok(Line::TooLong);
        }
        if done.is_some() {
            return Ok(Line::Read);
        }
    }
}

pub fn read_jsonl(path: impl AsRef<Path>) -> Result<Vec<Event>, Error> {
    let name = path.as_ref().display().to_string();
    let file = File::open(path.as_ref()).map_err(|e| Error::Io {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    read_jsonl_from(BufReader::new(file), &name)
}
