//! The recorded events as a frame: the DCC's audit of what was decided, by whom, when.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch, TimestampMicrosecondArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{batch, dict_field, dictionary, timestamp_type};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::store::Record;

/// The most events one `events_arrow` page holds.
pub const MAX_EVENTS_PAGE: u32 = 100_000;

/// The schema of `Engine::events_arrow`.
pub fn events_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("seq", DataType::UInt64, false),
        Field::new("at", timestamp_type(), false),
        dict_field("actor"),
        dict_field("kind"),
        Field::new("body", DataType::Utf8, false),
    ]))
}

/// Who may read the log, and how much at once: only the DCC (the log names every party), at
/// most [`MAX_EVENTS_PAGE`] events a page.
pub(crate) fn check_events_page(actor: &Actor, limit: u32) -> Result<(), Error> {
    if *actor != Actor::Dcc {
        return Err(Error::not_permitted(
            actor,
            "read the event log",
            "only the DCC reads the whole record: it names every party",
        ));
    }
    if limit == 0 || limit > MAX_EVENTS_PAGE {
        return Err(Error::invalid_input(
            "limit",
            format!("{limit} is outside 1 to {MAX_EVENTS_PAGE}"),
        ));
    }
    Ok(())
}

/// The frame of stored records (see `Engine::events_arrow`).
pub(crate) fn events_batch(records: &[Record]) -> Result<RecordBatch, Error> {
    let n = records.len();
    let mut seq = Vec::with_capacity(n);
    let mut at = Vec::with_capacity(n);
    let (mut actors, mut kinds) = (Vec::<String>::new(), Vec::<String>::new());
    let (mut actor_key, mut kind_key) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let bytes = records.iter().map(|r| r.body.len()).sum();
    let mut body = StringBuilder::with_capacity(n, bytes);
    // A dictionary's key: few actors and kinds, so a scan of the values is enough.
    let key = |values: &mut Vec<String>, text: &str| -> i32 {
        match values.iter().position(|v| v == text) {
            Some(k) => k as i32,
            None => {
                values.push(text.to_string());
                values.len() as i32 - 1
            }
        }
    };
    for r in records {
        seq.push(r.seq);
        let when = chrono::DateTime::parse_from_rfc3339(&r.at).map_err(|e| Error::CorruptLog {
            line: r.seq,
            reason: format!(
                "event {} has a recording time that is not RFC 3339 ({}): {e}",
                r.seq, r.at
            ),
        })?;
        at.push(when.timestamp_micros());
        actor_key.push(key(&mut actors, &r.actor));
        kind_key.push(key(&mut kinds, &r.kind));
        body.append_value(&r.body);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(seq)),
        Arc::new(TimestampMicrosecondArray::from(at).with_timezone("UTC")),
        dictionary(actor_key, actors)?,
        dictionary(kind_key, kinds)?,
        Arc::new(body.finish()),
    ];
    batch(events_schema(), columns)
}
