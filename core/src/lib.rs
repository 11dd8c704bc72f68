//! # commshub-ota
//!
//! The shared logic of co-operative firmware deployment to Great Britain's smart-meter
//! Communications Hubs: hub variants and firmware readiness, the estate, campaigns and
//! their phases, each change made by a command from an actor (the DCC, a CSP, a customer)
//! that is refused with a typed [`Error`] and changes nothing, or yields [`Event`]s that are
//! applied and can be replayed. Time is always an input. Queries are scoped to the actor.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use commshub_ota::command::{GrantPilotOa, RegisterVariant};
//! use commshub_ota::{Actor, Command, Engine, ErrorKind, HubId, Region};
//! use commshub_ota::catalogue::{HanBand, Variant};
//!
//! let mut engine = Engine::new();
//! let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
//! let variant = Variant {
//!     id: "CH-N-DB".parse()?,
//!     manufacturer: "Acme".into(),
//!     model: "CH2".into(),
//!     hardware_version: "B".into(),
//!     han_band: HanBand::DualBand,
//!     region: Region::North,
//! };
//! let events = engine.execute(&Actor::Dcc, at, RegisterVariant { variant: Box::new(variant) }.into())?;
//! assert_eq!(events[0].seq, 1);
//!
//! // A customer may not register variants: refused, and nothing changed.
//! let supplier = Actor::customer("SUPPLIER-01")?;
//! let bad: Command = GrantPilotOa { campaign: "C1".parse()? }.into();
//! let err = engine.execute(&supplier, at, bad).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::NotPermitted);
//! assert_eq!(engine.state().last_seq(), 1);
//!
//! // Hub ids parse in any case and print upper case.
//! assert_eq!("00-db-12-34-56-78-90-a0".parse::<HubId>()?.to_string(), "00-DB-12-34-56-78-90-A0");
//! # Ok::<(), commshub_ota::Error>(())
//! ```
#![forbid(unsafe_code)]

// The layers, in import order: each imports only the layers listed before it (checked by
// `core/tests/architecture.rs`; `docs/architecture.md` walks one command through them).
pub mod kernel; // ids, the error, bounds, phases, interning, civil time, signing primitives

pub mod model; // the aggregate's data: one file per feature

pub mod write; // commands, events, decide and evolve: one file per feature

pub mod journal; // the event log's line format

pub mod store; // durable event stores (SQLite, PostgreSQL) and snapshots

pub mod read; // queries and views, one file per feature; `read/arrow` for columnar answers

pub mod engine; // the only holder of state, projections, kept answers and a store

pub mod synth; // synthetic estates for examples, tests and benchmarks

// The edges: the types as the JVM binding and the JSON Schema see them.
#[cfg(feature = "uniffi")]
pub mod ffi;
#[cfg(feature = "schema")]
pub mod schema;

// The public paths programs import (`commshub_ota::command::RegisterVariant`): each feature's
// module under its one name, the read side as `read` (`read::arrow` for columnar answers), and
// the most used types. Inside the crate, code names the layer path; the architecture test
// refuses these aliases there.
pub use kernel::{error, ids, limits, phase, signing};
pub use model::{
    campaigns, catalogue, defects, eligibility, estate, keys, notices, participation, rollout,
    rules, state,
};
/// The rule condition language: its attributes, functions, bounds and checker (docs/rules.md).
pub use write::rules::condition as rule_conditions;
pub use write::{act, command, event};

pub use engine::{Engine, OpenOptions, OpenReport};
pub use error::{Entity, Error, ErrorKind, RowError, Rule};
pub use estate::{
    ConsumerFlags, EstateTable, EstateTableBuilder, HanDevice, HanDeviceKind, HanDevices, HubRow,
    SmiStatus, SupplyRole,
};
pub use ids::actor;
pub use ids::actor::Actor;
pub use ids::{CampaignId, CustomerId, FirmwareVersion, HubId, IdKind, Region, VariantId};
/// The fast, deterministic hasher the core uses for keys it makes itself (hub ids, indices,
/// dictionary strings); bindings use it for the dictionaries they build at the edge.
pub use kernel::intern::{FxBuild, FxHasher};
pub use participation::{CampaignPolicy, PilotVerdict};
pub use phase::{Phase, Transition};
pub use read::query::{Answer, Query};
pub use state::State;
pub use write::command::Command;
pub use write::event::{Event, EventPayload, SCHEMA_VERSION};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("commshub_ota");

// The Rust snippets of the README and of docs/ are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/durability.md")]
struct DurabilityDoctests;
