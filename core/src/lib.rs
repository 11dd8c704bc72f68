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

pub mod campaign;
pub mod catalogue;
#[cfg(feature = "arrow")]
pub mod columnar;
pub mod defects;
pub mod engine;
pub mod error;
pub mod estate;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod ids;
mod intern;
pub mod journal;
pub mod limits;
pub mod notify;
mod par;
pub mod participation;
pub mod phase;
pub mod query;
pub mod request;
pub mod rollout;
#[cfg(feature = "schema")]
pub mod schema;
pub mod signing;
pub mod state;
pub mod status;
pub mod store;
pub mod synth;

pub use engine::{Engine, OpenOptions, OpenReport};
pub use error::{Entity, Error, ErrorKind, RowError, Rule};
pub use estate::{
    ConsumerFlags, EstateTable, EstateTableBuilder, HanDevice, HanDeviceKind, HanDevices, HubRow,
    SmiStatus, SupplyRole,
};
/// Actors live with the other identifiers (`ids`); `crate::actor` is kept as a path.
pub use ids::actor;
pub use ids::actor::Actor;
pub use ids::{CampaignId, CustomerId, FirmwareVersion, HubId, IdKind, Region, VariantId};
/// The fast, deterministic hasher the core uses for keys it makes itself (hub ids, indices,
/// dictionary strings); bindings use it for the dictionaries they build at the edge.
pub use intern::{FxBuild, FxHasher};
pub use participation::{CampaignPolicy, PilotVerdict};
pub use phase::{Phase, Transition};
pub use request::{Answer, Query};
/// Commands are part of the write model (`state/command.rs`); `crate::command` stays a path.
pub use state::act;
pub use state::command;
pub use state::command::Command;
/// Events are part of the write model (`state/event.rs`); `crate::event` stays a path.
pub use state::event;
pub use state::event::{Event, EventPayload, SCHEMA_VERSION};
pub use state::State;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("commshub_ota");

// The README's Rust snippet is compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
