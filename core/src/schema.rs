//! The JSON Schema of the core's commands, queries, answers and events (feature `schema`):
//! types derive `schemars::JsonSchema` where they are defined; this file declares, once, the
//! identifiers that travel as text. `core/tests/schema.rs` keeps `tests/schema/core.json` in
//! step with the core, and the Python binding's typed surface is checked against that file.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::kernel::signing::{PublicKey, Signature};

macro_rules! text_schema {
    ($($t:ident: $what:literal),* $(,)?) => {$(
        impl JsonSchema for $t {
            fn schema_name() -> Cow<'static, str> {
                stringify!($t).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "description": $what })
            }
        }
    )*};
}

text_schema!(
    HubId: "A hub id: 16 hex digits, in pairs separated by '-' or not, any case.",
    CustomerId: "A DCC Customer's id.",
    VariantId: "A hub variant's id.",
    FirmwareVersion: "A firmware version.",
    CampaignId: "A campaign's id.",
    Actor: "An actor's code: dcc, csp:<region>, customer:<id>, or system.",
    PublicKey: "An Ed25519 public key: 64 hex digits.",
    Signature: "An Ed25519 signature: 128 hex digits.",
);

/// The schema of everything that crosses a binding: a command, a query, an answer, an event.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used
pub struct Surface {
    pub command: crate::write::command::Command,
    pub query: crate::read::query::Query,
    pub answer: crate::read::query::Answer,
    /// The columnar questions (answered as Arrow, not JSON).
    pub columnar_query: crate::read::query::ColumnarQuery,
    pub event: crate::write::event::Event,
    /// What a durable engine's store calls answer.
    pub feed_page: crate::store::FeedPage,
    pub store_info: crate::store::StoreInfo,
}

/// The surface's schema as pretty JSON (what `tests/schema/core.json` holds).
pub fn surface_json() -> String {
    let schema = schemars::schema_for!(Surface);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
