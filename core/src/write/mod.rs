//! The write side: commands, events, and per feature the decision (`decide`: command to events
//! or a typed refusal; never mutates) and the application (`evolve`: event to state change).
//! One file per feature, named as in `model` and `read`. Imports the kernel and the model.

pub mod act;
mod apply;
pub(crate) mod authority;
mod campaigns;
mod catalogue;
pub mod command;
mod decide;
mod defects;
pub(crate) mod eligibility;
mod estate;
pub mod event;
mod halts;
mod keys;
mod notices;
mod participation;
mod policy;
mod rollout;
pub mod rules;
#[cfg(test)]
pub(crate) mod spec;
mod testing;
mod trends;
