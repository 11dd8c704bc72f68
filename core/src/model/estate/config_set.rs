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

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl ConfigurationSet {
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
