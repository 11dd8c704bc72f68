//! The model: the aggregate's data ([`state::State`]) and the types of each feature's records,
//! one file per feature. Data and its invariants' helpers only: no command is decided here
//! (`write`), no question answered (`read`). Imports only the kernel.

pub mod campaigns;
pub mod catalogue;
pub mod defects;
pub mod disclosure;
pub mod dpl;
pub mod eligibility;
pub mod estate;
pub mod keys;
pub mod notices;
pub mod participation;
pub mod rollout;
pub mod rules;
pub mod state;
pub mod trends;
