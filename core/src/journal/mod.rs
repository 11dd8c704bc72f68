//! The event log on disk: JSON lines, one event a line, each carrying the schema version.
//! `{"schema":2,"seq":1,"at":"2026-01-05T09:00:00Z","actor":"dcc","payload":{"type":...}}`
//!
//! Schema history: 1 recorded a bulk load as rows (`"hubs": [...]`); 2 records it as an
//! `EstateTable`. A version-1 line is upgraded as it is read; every other event is the same.
//!
//! **The audit chain.** A log this library writes chains its lines: each carries `hash`, the
//! SHA-256 of the previous line's hash (32 zero bytes before the first) and of the event's
//! line without its hash, in hex; the file ends with a closing line `{"schema":2,"end":N,
//! "hash":...}` holding the event count and the last hash. Reading verifies both: an event
//! changed, removed or reordered breaks the chain at its line, and a file cut anywhere (at a
//! line boundary too) lacks its closing line. A log without hashes (written before the chain,
//! or by hand) is still read, unverified; `verify` says which a file is.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::estate::{EstateTable, HubRow};
use crate::write::act::Act;
use crate::write::event::{EstateLoaded, Event, EventPayload, SCHEMA_VERSION};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    act: &'a Option<Act>,
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
    #[serde(default)]
    act: Option<Act>,
    #[serde(default)]
    hash: Option<String>,
}

/// The closing line of a chained log.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Closing {
    schema: u32,
    end: u64,
    hash: String,
}

/// The hash before the first event of a chain.
pub(crate) const CHAIN_START: [u8; 32] = [0; 32];

/// The next link of the chain after `previous` for an event whose line (without its hash) is
/// `body`: what a store keeps beside each event.
pub(crate) fn chain_link(previous: &[u8; 32], body: &[u8]) -> [u8; 32] {
    link(previous, body)
}

/// The next link: SHA-256 of the previous hash and the event's line without its hash.
fn link(previous: &[u8; 32], line_without_hash: &[u8]) -> [u8; 32] {
    link_parts(previous, &[line_without_hash])
}

fn link_parts(previous: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

/// How a chained line ends: `,"hash":"<64 hex digits>"}`.
const HASH_KEY: &str = ",\"hash\":\"";
const HASH_SUFFIX_LEN: usize = HASH_KEY.len() + 64 + 2;

pub(crate) fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 32 bytes of a 64-digit hex hash.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn unhex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

/// What a log file is, as [`verify`] finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "chain", rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Verified {
    /// Every line chained and the closing line present: nothing changed, removed or cut off.
    Chained { events: i64, last_hash: String },
    /// A log without the chain (written before it, or by hand): read, but unverifiable.
    Unchained { events: i64 },
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
            act: None,
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
        act: &event.act,
    })
    .expect("events hold only strings, numbers and dates, which always serialize")
}

/// Parses one line; `line` (1-based) names it in errors. One full parse on the happy path;
/// only a line that fails to parse is probed again for its schema version, so that a newer
/// schema is reported as such rather than as corruption.
pub fn from_json_line(text: &str, line: u64) -> Result<Event, Error> {
    parse_line(text, line).map(|(event, _)| event)
}

/// A line and the hash it carries, if any.
fn parse_line(text: &str, line: u64) -> Result<(Event, Option<String>), Error> {
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
            let event = Event {
                seq: parsed.seq,
                at: parsed.at,
                actor: parsed.actor,
                payload: parsed.payload,
                act: parsed.act,
            };
            Ok((event, parsed.hash))
        }
        Err(e) => {
            let probe: SchemaProbe = serde_json::from_str(text)
                .map_err(|p| corrupt(format!("not a JSON event: {p}")))?;
            check(probe.schema)?;
            if probe.schema == Some(1) {
                if let Ok(old) = serde_json::from_str::<LineV1>(text) {
                    return Ok((old.upgrade(), None));
                }
            }
            Err(corrupt(e.to_string()))
        }
    }
}

pub fn write_jsonl_to(
    out: impl Write,
    events: &[Event],
    path_for_errors: &str,
) -> Result<(), Error> {
    let mut hash = CHAIN_START;
    let mut chained = ChainedWriter::new(out, path_for_errors);
    for event in events {
        let body = to_json_line(event);
        hash = link(&hash, body.as_bytes());
        chained.line(event.seq, &body, &hash)?;
    }
    chained.close()
}

/// Writes chained lines from bodies and their hashes (a store's records, as stored), then the
/// closing line.
pub(crate) struct ChainedWriter<W: Write> {
    out: W,
    path: String,
    end: u64,
    hash: [u8; 32],
}

impl<W: Write> ChainedWriter<W> {
    pub(crate) fn new(out: W, path_for_errors: &str) -> Self {
        ChainedWriter {
            out,
            path: path_for_errors.to_string(),
            end: 0,
            hash: CHAIN_START,
        }
    }

    fn io(&self, e: impl std::fmt::Display) -> Error {
        Error::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    /// One event: its body (a JSON object without the hash) with the hash put last.
    pub(crate) fn line(&mut self, seq: u64, body: &str, hash: &[u8; 32]) -> Result<(), Error> {
        let open = body.strip_suffix('}').unwrap_or(body);
        let written = self
            .out
            .write_all(open.as_bytes())
            .and_then(|()| writeln!(self.out, ",\"hash\":\"{}\"}}", hex(hash)));
        written.map_err(|e| self.io(e))?;
        self.end = seq;
        self.hash = *hash;
        Ok(())
    }

    pub(crate) fn close(mut self) -> Result<(), Error> {
        let closing = Closing {
            schema: SCHEMA_VERSION,
            end: self.end,
            hash: hex(&self.hash),
        };
        let closing = serde_json::to_string(&closing).map_err(|e| self.io(e))?;
        let written = self
            .out
            .write_all(closing.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .and_then(|()| self.out.flush());
        written.map_err(|e| self.io(e))
    }
}

/// Writes (replacing) the file with one line per event, atomically: the lines go to a
/// temporary file beside it, which is flushed to disk and then renamed over the file, and the
/// directory is flushed. A crash at any moment leaves the old file or the new one, whole, never
/// a truncated mix (the file was once truncated in place and rewritten).
pub fn write_jsonl(path: impl AsRef<Path>, events: &[Event]) -> Result<(), Error> {
    write_atomically(path.as_ref(), |out, name| write_jsonl_to(out, events, name))
}

/// Replaces `path` with what `write` puts in a buffered temporary file beside it, flushed to
/// disk and renamed over it, the directory flushed after.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>, &str) -> Result<(), Error>,
) -> Result<(), Error> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
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
    remove_dead_writers_temporaries(dir, &file_name);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
    let written = (|| {
        let mut out = BufWriter::new(File::create(&tmp).map_err(io)?);
        write(&mut out, &name)?;
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

/// Removes the temporary files a writer of `file_name` left in `dir` when it was killed
/// mid-write (`.{file_name}.{pid}.{n}.tmp`): those of a process that no longer runs where that
/// can be seen (`/proc`), else those older than an hour. A live writer's are left alone. Best
/// effort: a file that cannot be removed is left for the next write.
fn remove_dead_writers_temporaries(dir: &Path, file_name: &str) {
    let prefix = format!(".{file_name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let proc_fs = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest
            .split_once('.')
            .and_then(|(pid, n)| n.parse::<u64>().ok().and(pid.parse::<u32>().ok()))
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let dead = if proc_fs {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(3600))
        };
        if dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads events from JSON lines. Blank lines are skipped; a corrupt line, a newer schema or a
/// break in the sequence numbers is refused with the line number. A line longer than
/// [`crate::kernel::limits::MAX_LOG_LINE_BYTES`], or one that does not start as a JSON object, is
/// refused as soon as that shows, so that reading `/dev/zero` or a binary file ends at once
/// instead of exhausting memory.
pub fn read_jsonl_from(input: impl BufRead, path_for_errors: &str) -> Result<Vec<Event>, Error> {
    read_jsonl_bounded(
        input,
        path_for_errors,
        crate::kernel::limits::MAX_LOG_LINE_BYTES,
    )
}

/// [`read_jsonl_from`] with another bound on a line's length.
pub fn read_jsonl_bounded(
    input: impl BufRead,
    path_for_errors: &str,
    max_line_bytes: usize,
) -> Result<Vec<Event>, Error> {
    read_verified(input, path_for_errors, max_line_bytes).map(|(events, _)| events)
}

/// Reads a log and says whether it was chained (and then verified whole) or not.
pub fn verify(path: impl AsRef<Path>) -> Result<Verified, Error> {
    let name = path.as_ref().display().to_string();
    let file = File::open(path.as_ref()).map_err(|e| Error::Io {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    let reader = BufReader::new(file);
    read_verified(reader, &name, crate::kernel::limits::MAX_LOG_LINE_BYTES).map(|(_, v)| v)
}

fn read_verified(
    mut input: impl BufRead,
    path_for_errors: &str,
    max_line_bytes: usize,
) -> Result<(Vec<Event>, Verified), Error> {
    let mut events: Vec<Event> = Vec::new();
    let mut buf = Vec::new();
    // None until the first event says whether the log is chained.
    let mut chained: Option<bool> = None;
    let mut hash = CHAIN_START;
    let mut closed: Option<u64> = None;
    let mut last_line = 0;
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
        last_line = line;
        if let Some(at) = closed {
            return Err(corrupt(format!(
                "a line after the closing line (line {at}): the log was appended to"
            )));
        }
        // A closing line is short and names `end`; only such a line is tried as one.
        if text.len() < 256 && text.contains("\"end\"") {
            if let Ok(c) = serde_json::from_str::<Closing>(text) {
                if chained == Some(false) {
                    return Err(corrupt("a closing line in a log without the chain".into()));
                }
                let last = events.last().map_or(0, |e| e.seq);
                if c.end != last || c.hash != hex(&hash) {
                    return Err(corrupt(format!(
                        "the closing line names {} events and another hash: events were removed or changed",
                        c.end
                    )));
                }
                chained = Some(true);
                closed = Some(line);
                continue;
            }
        }
        let (event, carried) = parse_line(text, line)?;
        match (chained, &carried) {
            (None, _) => chained = Some(carried.is_some()),
            (Some(true), None) | (Some(false), Some(_)) => {
                return Err(corrupt(
                    "a line with the chain and a line without it in one log".into(),
                ))
            }
            _ => {}
        }
        if let Some(carried) = carried {
            // The line as written, without its hash: hashed as it stands, not re-serialised.
            let body = text.trim_end();
            let cut = body.len().checked_sub(HASH_SUFFIX_LEN);
            let Some(cut) =
                cut.filter(|&c| body.is_char_boundary(c) && body[c..].starts_with(HASH_KEY))
            else {
                return Err(corrupt(
                    "the hash is not where the chain puts it (last)".into(),
                ));
            };
            hash = link_parts(&hash, &[&body.as_bytes()[..cut], b"}"]);
            if carried != hex(&hash) {
                return Err(corrupt(format!(
                    "the audit chain breaks at event {}: it, or an event before it, was changed or removed",
                    event.seq
                )));
            }
        }
        let expected = events.last().map_or(1, |e: &Event| e.seq + 1);
        if event.seq != expected {
            return Err(Error::CorruptLog {
                line,
                reason: format!("expected event {expected}, found event {}", event.seq),
            });
        }
        events.push(event);
    }
    let count = crate::kernel::limits::signed(events.len());
    match chained {
        Some(true) if closed.is_none() => Err(Error::CorruptLog {
            line: last_line + 1,
            reason: format!(
                "the log ends without its closing line: it was cut after event {count}"
            ),
        }),
        Some(true) => Ok((
            events,
            Verified::Chained {
                events: count,
                last_hash: hex(&hash),
            },
        )),
        _ => Ok((events, Verified::Unchained { events: count })),
    }
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
    read_jsonl_verified(path).map(|(events, _)| events)
}

/// [`read_jsonl`], and whether the log was chained (and then verified whole) or not.
pub fn read_jsonl_verified(path: impl AsRef<Path>) -> Result<(Vec<Event>, Verified), Error> {
    let name = path.as_ref().display().to_string();
    let file = File::open(path.as_ref()).map_err(|e| Error::Io {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    read_verified(
        BufReader::new(file),
        &name,
        crate::kernel::limits::MAX_LOG_LINE_BYTES,
    )
}
