//! Loading an estate from Arrow: record batches (Rust, Python's PyCapsule stream) or an Arrow
//! IPC stream (the JVM), read once here, so every language gets the same columns, the same
//! conversions and the same row errors.

use std::io::Cursor;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::estate::columns::{table_from_columns, Columns};
use crate::write::event::Event;

use super::Engine;

impl Engine {
    /// Loads the hubs of `batches` (one `schema`; columns named as `load_estate`'s: `id`,
    /// `variant`, `firmware`, `smi_status`, `installed_on`, optional suppliers, devices, dates
    /// and flags) in one command. `id` is the EUI-64 as text or as an integer (`UInt64`, or
    /// `Int64` holding the same bits, as the answers give it). Text may be plain or
    /// dictionary-encoded, dates `date32`,
    /// `date64` or ISO text, nulls are missing values. A malformed column is `InvalidInput`
    /// naming it; every bad row (its cells, or the model's checks) is reported at once in
    /// `BulkRejected` by its index in the input, and nothing is loaded.
    pub fn load_estate_arrow(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        schema: &Schema,
        batches: &[RecordBatch],
    ) -> Result<&[Event], Error> {
        only_the_dcc_loads(actor)?;
        let columns = Columns::from_arrow(schema, batches)?;
        let parsed = table_from_columns(columns);
        self.load_estate_table(actor, at, parsed.table, &parsed.origin, parsed.rejected)
    }

    /// [`Engine::load_estate_arrow`] from an Arrow IPC stream (its schema, then its batches),
    /// as the JVM's Arrow Java writes one (`ArrowStreamWriter`). Bytes that are not an IPC
    /// stream are `InvalidInput` naming the `arrow` input.
    pub fn load_estate_arrow_ipc(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        ipc: &[u8],
    ) -> Result<&[Event], Error> {
        only_the_dcc_loads(actor)?;
        let not_ipc = |e: arrow_schema::ArrowError| {
            Error::invalid_input("arrow", format!("not an Arrow IPC stream: {e}"))
        };
        let reader =
            arrow_ipc::reader::StreamReader::try_new(Cursor::new(ipc), None).map_err(not_ipc)?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(not_ipc)?;
        self.load_estate_arrow(actor, at, &schema, &batches)
    }
}

/// Refused before any column is read: a party that may not load the estate costs the others
/// no parsing of what it sent (the command's own decision refuses it again, the same way).
fn only_the_dcc_loads(actor: &Actor) -> Result<(), Error> {
    match actor {
        Actor::Dcc => Ok(()),
        _ => Err(Error::not_permitted(
            actor,
            "load hubs into the estate",
            "only the DCC may do this",
        )),
    }
}
