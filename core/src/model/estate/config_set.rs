//! A configuration set: a hub's variant, firmware and HAN devices with their versions, the unit
//! suppliers approve, hold and halt upgrades by. A model type (commands, events, defects and
//! views name it), so it lives with the estate it describes.

use serde::{Deserialize, Serialize};

use super::row::{HanDeviceKind, HanDevices};
use crate::kernel::ids::{FirmwareVersion, VariantId};

/// The devices and versions behind a hub: what suppliers approve or hold back upgrades by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigurationSet {
    pub variant: VariantId,
    pub firmware: FirmwareVersion,
    pub devices: HanDevices,
}

impl ConfigurationSet {
    /// A set named in a command: its device models and versions are row texts
    /// ([`crate::kernel::limits::MAX_ROW_TEXT_BYTES`]), refused over it as `field.<device>`.
    pub(crate) fn check_bounds(&self, field: &str) -> Result<(), crate::kernel::error::Error> {
        for kind in HanDeviceKind::ALL {
            if let Some(d) = self.devices.get(kind) {
                let at = format!("{field}.{}", kind.as_str());
                crate::kernel::limits::text_within(
                    &at,
                    &d.model,
                    crate::kernel::limits::MAX_ROW_TEXT_BYTES,
                )?;
                crate::kernel::limits::text_within(
                    &at,
                    &d.firmware,
                    crate::kernel::limits::MAX_ROW_TEXT_BYTES,
                )?;
            }
        }
        Ok(())
    }
}

impl ConfigurationSet {
    /// The labels of `sets` (one answer's), each distinct: where two sets share a short label
    /// (two devices of different kinds with the same model and firmware; texts with spaces),
    /// each of them names its devices' kinds (`· esme EM-D7 2.0`), and if that is not enough,
    /// its key (unique by construction).
    pub fn labels(sets: &[&ConfigurationSet]) -> Vec<String> {
        let short: Vec<String> = sets.iter().map(|s| s.label()).collect();
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        for l in &short {
            *seen.entry(l.as_str()).or_default() += 1;
        }
        let long = |s: &ConfigurationSet| {
            let mut label = format!("{} {}", s.variant.as_str().replace('-', " "), s.firmware);
            for kind in HanDeviceKind::ALL {
                if let Some(d) = s.devices.get(kind) {
                    label.push_str(&format!(" · {} {} {}", kind.as_str(), d.model, d.firmware));
                }
            }
            label
        };
        let mut out: Vec<String> = sets
            .iter()
            .zip(&short)
            .map(|(s, l)| {
                if seen[l.as_str()] > 1 {
                    long(s)
                } else {
                    l.clone()
                }
            })
            .collect();
        let mut again: std::collections::HashMap<String, usize> = Default::default();
        for l in &out {
            *again.entry(l.clone()).or_default() += 1;
        }
        for (l, s) in out.iter_mut().zip(sets) {
            if again[l.as_str()] > 1 {
                *l = s.key();
            }
        }
        out
    }
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl ConfigurationSet {
    /// A short label a person reads in a chart or a table: the variant (its `-` as spaces),
    /// the hub's firmware, then each HAN device's model and firmware, in the order ESME, GSME,
    /// IHD, PPMID, HCALCS: `AURORA SB NORTH 1.2 · EM-D7 2.0 · GM-M9 9.1`. A function of the
    /// set alone, so the same in every answer and language; [`ConfigurationSet::labels`] keeps
    /// the labels of one answer apart.
    pub fn label(&self) -> String {
        let mut label = format!(
            "{} {}",
            self.variant.as_str().replace('-', " "),
            self.firmware
        );
        for kind in HanDeviceKind::ALL {
            if let Some(d) = self.devices.get(kind) {
                label.push_str(&format!(" · {} {}", d.model, d.firmware));
            }
        }
        label
    }

    /// A stable, readable key: `VARIANT@FW|esme:MODEL@FW|gsme:...` (absent devices omitted).
    pub fn key(&self) -> String {
        let mut key = format!("{}@{}", self.variant, self.firmware);
        for kind in HanDeviceKind::ALL {
            if let Some(d) = self.devices.get(kind) {
                key.push_str(&format!("|{}:{}@{}", kind.as_str(), d.model, d.firmware));
            }
        }
        key
    }
}
