//! The read side: queries, each scoped to the asking actor: nobody sees what docs/domain.md says
//! they may not.
//! - DCC: everything.
//! - CSP: hubs and campaigns of its own region; never which supplier serves a hub, nor the
//!   suppliers' consumer flags.
//! - Customer: only hubs it supplies; of a shared hub, only that another supplier exists.
//!
//! One file per feature, named as in `model` and `write`; each answers on `&State` (the engine
//! adds what only it holds: kept lists, outboxes, stored events). `query.rs` holds every question
//! as data; `arrow/` the columnar answers.

#[cfg(feature = "arrow")]
pub mod arrow;
mod campaigns;
mod catalogue;
mod defects;
/// The disclosure rules live with the model (a trend notice is decided on them); read here too.
pub use crate::model::disclosure;
pub mod dpl;
mod eligibility;
mod estate;
mod evidence;
mod notices;
mod participation;
pub mod query;
pub mod report;
mod rollout;
mod rules;
mod trends;
pub(crate) mod upgrade_list;

pub use campaigns::{CampaignView, CutoffView};
pub use catalogue::{FirmwareView, GateView, GateWithdrawalView, TestFeedbackView};
pub use dpl::{DplDay, DplEntry, MAX_DPL_DAYS};
pub use estate::{ConfigSetCount, FirmwareCount, HubPage, HubView, SupplierView};
pub use evidence::{CampaignEvidence, Finding, PhaseFigures, RetirementEvidence, SetEvidence};
pub use participation::{ParticipationView, PilotProposal, PilotStatus, PilotStatusRow};
pub use rollout::{SetProgress, UpgradeCounts};
pub use trends::{
    IndustryShare, ShareMove, SharesDay, Trend, VariantShares, TREND_MIN_MOVE_BP, TREND_WINDOW_DAYS,
};
pub use upgrade_list::{UpgradeEntry, UpgradePage};
