//! Defect flags: what one customer tells every customer on a configuration set or a firmware
//! version ("defect in triage, we have suspended upgrades on these devices"), without saying
//! who it is unless it chooses to. The flagger may suspend its own upgrades on it at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::FirmwareIdx;
use crate::estate::CustomerIdx;
use crate::ids::{CustomerId, FirmwareVersion, VariantId};
use crate::query::ConfigurationSet;

/// What a defect flag is about. (Rare and short-lived in memory: not worth boxing the set.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "subject", rename_all = "snake_case", deny_unknown_fields)]
pub enum DefectSubject {
    ConfigurationSet {
        set: ConfigurationSet,
    },
    Firmware {
        variant: VariantId,
        version: FirmwareVersion,
    },
}

/// The subject resolved to the model's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Config(u32),
    Firmware(FirmwareIdx),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DefectFlag {
    pub id: u64,
    pub customer: CustomerIdx,
    pub subject: DefectSubject,
    pub resolved: Resolved,
    pub text: String,
    pub named: bool,
    /// The flagger's own upgrades on the subject are suspended (until it lifts them).
    pub suspending: bool,
    pub at: DateTime<Utc>,
}

/// A defect flag as one asker may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectView {
    pub flag: u64,
    #[serde(flatten)]
    pub subject: DefectSubject,
    pub text: String,
    /// The flagger, where it chose to be named (always to the DCC, whose log records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged_by: Option<CustomerId>,
    /// The asker flagged it.
    pub yours: bool,
    /// The flagger's own upgrades on it are suspended (shown to the flagger and the DCC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspending: Option<bool>,
    pub at: DateTime<Utc>,
}
