//! Identifiers: parsed once at the edge, then small `Copy`/interned values inside the model.

mod hub_id;
mod names;
mod region;

pub use hub_id::HubId;
pub use names::{CampaignId, CustomerId, FirmwareVersion, VariantId};
pub use region::Region;

/// Which kind of identifier failed to parse: carried by [`crate::Error::InvalidId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Hub,
    Customer,
    Region,
    Variant,
    Firmware,
    Campaign,
    Actor,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Hub => "hub id",
            IdKind::Customer => "customer id",
            IdKind::Region => "CSP region",
            IdKind::Variant => "variant id",
            IdKind::Firmware => "firmware version",
            IdKind::Campaign => "campaign id",
            IdKind::Actor => "actor",
        })
    }
}
