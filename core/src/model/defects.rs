//! Defect flags: what one customer tells every customer on a configuration set or a firmware
//! version ("defect in triage, we have suspended upgrades on these devices"), without saying
//! who it is unless it chooses to. The flagger may suspend its own upgrades on it at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{CustomerId, FirmwareVersion, VariantId};
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::ConfigurationSet;
use crate::model::estate::CustomerIdx;

/// What a defect flag is about. (Rare and short-lived in memory: not worth boxing the set.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

impl DefectSubject {
    /// A stable, readable key of the subject (`set:<set key>` or `firmware:VARIANT@VERSION`).
    pub fn key(&self) -> String {
        match self {
            DefectSubject::ConfigurationSet { set } => format!("set:{}", set.key()),
            DefectSubject::Firmware { variant, version } => format!("firmware:{variant}@{version}"),
        }
    }
}

/// A defect flag's id: a 53-bit digest (FNV-1a, 64-bit, masked; exact as a JSON number) of
/// what every recipient of the flag is shown anyway (its subject, its text, its time) and of
/// `ordinal`, the number of flags already raised with that same subject, text and time. Never
/// the flagger: an id every recipient reads must not let one that hashes each candidate
/// supplier find the author (docs/domain.md decision 12). Never a counter of all flags either: that
/// would tell each customer how many flags others raised in between (decision 13).
pub fn flag_id(subject: &DefectSubject, text: &str, at: DateTime<Utc>, ordinal: usize) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let key = subject.key();
    let when = at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let nth = ordinal.to_string();
    for part in [key.as_str(), text, when.as_str(), nth.as_str()] {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    // Never 0, so that 0 can mean "none" to callers that need it.
    crate::kernel::limits::signed((h & ((1 << 53) - 1)).max(1))
}

/// How its flagger closed a defect flag: the defect was real and is dealt with (`resolved`),
/// or the flag was a mistake (`retracted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagClosure {
    Resolved,
    #[default]
    Retracted,
}

impl FlagClosure {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagClosure::Resolved => "resolved",
            FlagClosure::Retracted => "retracted",
        }
    }
}

/// The subject resolved to the model's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Resolved {
    Config(u32),
    Firmware(FirmwareIdx),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct DefectFlag {
    pub id: i64,
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DefectView {
    pub flag: i64,
    #[serde(flatten)]
    pub subject: DefectSubject,
    pub text: String,
    /// The flagger, where it chose to be named (always to the DCC, whose log records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub flagged_by: Option<CustomerId>,
    /// The asker flagged it.
    pub yours: bool,
    /// The flagger's own upgrades on it are suspended (shown to the flagger and the DCC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub suspending: Option<bool>,
    pub at: DateTime<Utc>,
}
