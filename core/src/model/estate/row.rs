use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{CustomerId, FirmwareVersion, HubId, VariantId};

/// The Smart Metering Inventory status of a hub's CHF. Only `Commissioned` can be upgraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmiStatus {
    Pending,
    Whitelisted,
    InstalledNotCommissioned,
    Commissioned,
    Decommissioned,
    Withdrawn,
    Suspended,
    Recovery,
    Recovered,
}

impl SmiStatus {
    pub const ALL: [SmiStatus; 9] = [
        SmiStatus::Pending,
        SmiStatus::Whitelisted,
        SmiStatus::InstalledNotCommissioned,
        SmiStatus::Commissioned,
        SmiStatus::Decommissioned,
        SmiStatus::Withdrawn,
        SmiStatus::Suspended,
        SmiStatus::Recovery,
        SmiStatus::Recovered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SmiStatus::Pending => "pending",
            SmiStatus::Whitelisted => "whitelisted",
            SmiStatus::InstalledNotCommissioned => "installed_not_commissioned",
            SmiStatus::Commissioned => "commissioned",
            SmiStatus::Decommissioned => "decommissioned",
            SmiStatus::Withdrawn => "withdrawn",
            SmiStatus::Suspended => "suspended",
            SmiStatus::Recovery => "recovery",
            SmiStatus::Recovered => "recovered",
        }
    }
}

impl std::fmt::Display for SmiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The HAN devices a hub may serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HanDeviceKind {
    /// Electricity meter.
    Esme,
    /// Gas meter (reached through the hub's Gas Proxy Function).
    Gsme,
    /// Prepayment interface.
    Ppmid,
    /// HAN-connected auxiliary load control switch.
    Hcalcs,
    /// In-home display / consumer access device.
    Ihd,
}

impl HanDeviceKind {
    pub const ALL: [HanDeviceKind; 5] = [
        HanDeviceKind::Esme,
        HanDeviceKind::Gsme,
        HanDeviceKind::Ppmid,
        HanDeviceKind::Hcalcs,
        HanDeviceKind::Ihd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HanDeviceKind::Esme => "esme",
            HanDeviceKind::Gsme => "gsme",
            HanDeviceKind::Ppmid => "ppmid",
            HanDeviceKind::Hcalcs => "hcalcs",
            HanDeviceKind::Ihd => "ihd",
        }
    }
}

/// One HAN device: its model and firmware version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HanDevice {
    pub model: String,
    pub firmware: String,
}

impl HanDevice {
    pub fn new(model: impl Into<String>, firmware: impl Into<String>) -> Self {
        HanDevice {
            model: model.into(),
            firmware: firmware.into(),
        }
    }
}

/// The HAN devices behind one hub, each optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HanDevices {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub esme: Option<HanDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gsme: Option<HanDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub ppmid: Option<HanDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hcalcs: Option<HanDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub ihd: Option<HanDevice>,
}

impl HanDevices {
    pub fn get(&self, kind: HanDeviceKind) -> Option<&HanDevice> {
        match kind {
            HanDeviceKind::Esme => self.esme.as_ref(),
            HanDeviceKind::Gsme => self.gsme.as_ref(),
            HanDeviceKind::Ppmid => self.ppmid.as_ref(),
            HanDeviceKind::Hcalcs => self.hcalcs.as_ref(),
            HanDeviceKind::Ihd => self.ihd.as_ref(),
        }
    }

    pub fn set(&mut self, kind: HanDeviceKind, device: Option<HanDevice>) {
        let slot = match kind {
            HanDeviceKind::Esme => &mut self.esme,
            HanDeviceKind::Gsme => &mut self.gsme,
            HanDeviceKind::Ppmid => &mut self.ppmid,
            HanDeviceKind::Hcalcs => &mut self.hcalcs,
            HanDeviceKind::Ihd => &mut self.ihd,
        };
        *slot = device;
    }
}

/// A supplier's role on a hub: the import (electricity, on the ESME) or the gas (GSME) supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupplyRole {
    Import,
    Gas,
}

impl SupplyRole {
    pub const ALL: [SupplyRole; 2] = [SupplyRole::Import, SupplyRole::Gas];

    /// The meter whose supply this role is.
    pub fn meter(self) -> HanDeviceKind {
        match self {
            SupplyRole::Import => HanDeviceKind::Esme,
            SupplyRole::Gas => HanDeviceKind::Gsme,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SupplyRole::Import => "import",
            SupplyRole::Gas => "gas",
        }
    }
}

/// What one supplier records about the consumer it supplies at a premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConsumerFlags {
    /// On the supplier's Priority Services Register.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vulnerable: bool,
    /// Otherwise flagged high risk by the supplier.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub high_risk: bool,
    /// Agreed to early deployments (e.g. a staff home).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub super_friendly: bool,
}

impl ConsumerFlags {
    /// The flags as bits, as an `EstateTable` writes them: 1 vulnerable, 2 high risk, 4 super
    /// friendly.
    pub fn to_bits(self) -> u8 {
        u8::from(self.vulnerable)
            | u8::from(self.high_risk) << 1
            | u8::from(self.super_friendly) << 2
    }

    /// The flags from bits (see [`ConsumerFlags::to_bits`]); other bits are ignored.
    pub fn from_bits(bits: u8) -> Self {
        ConsumerFlags {
            vulnerable: bits & 1 != 0,
            high_risk: bits & 2 != 0,
            super_friendly: bits & 4 != 0,
        }
    }

    pub fn any(self) -> bool {
        self.to_bits() != 0
    }
}

/// One hub as loaded into the estate (and as carried by estate events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubRow {
    pub id: HubId,
    pub variant: VariantId,
    pub firmware: FirmwareVersion,
    pub smi_status: SmiStatus,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub devices: HanDevices,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub import_supplier: Option<CustomerId>,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gas_supplier: Option<CustomerId>,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub import_flags: ConsumerFlags,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gas_flags: ConsumerFlags,
    pub installed_on: NaiveDate,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub commissioned_on: Option<NaiveDate>,
}
