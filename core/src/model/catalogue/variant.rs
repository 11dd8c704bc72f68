use serde::{Deserialize, Serialize};

use crate::kernel::ids::{Region, VariantId};

/// The HAN radio band(s) of a hub variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HanBand {
    /// 2.4 GHz only.
    SingleBand,
    /// 2.4 GHz and 868 MHz.
    DualBand,
}

/// A hub variant: firmware is built per variant, and an image for one never targets another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Variant {
    pub id: VariantId,
    pub manufacturer: String,
    pub model: String,
    pub hardware_version: String,
    pub han_band: HanBand,
    pub region: Region,
}
