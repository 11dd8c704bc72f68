//! Identifiers: parsed once at the edge, then small `Copy`/interned values inside the model.

use crate::kernel::error::Error;

pub mod actor;
mod hub_id;
mod index;
mod names;
mod region;

pub use hub_id::HubId;
pub(crate) use index::{CustomerIdx, FirmwareIdx, VariantIdx};
pub use names::{CampaignId, CustomerId, FirmwareVersion, VariantId};
pub use region::Region;

pub use crate::kernel::error::IdKind;

/// The canonical text of an identifier given its kind's name: `hub_id`, `customer_id`,
/// `variant_id`, `firmware_version`, `campaign_id`, `region` or `actor`. For callers that hold
/// identifiers as text (bindings, files): a malformed one is `InvalidId` quoting it.
pub fn canonical(kind: &str, input: &str) -> Result<String, Error> {
    Ok(match kind {
        "hub_id" => input.parse::<HubId>()?.to_string(),
        "customer_id" => input.parse::<CustomerId>()?.to_string(),
        "variant_id" => input.parse::<VariantId>()?.to_string(),
        "firmware_version" => input.parse::<FirmwareVersion>()?.to_string(),
        "campaign_id" => input.parse::<CampaignId>()?.to_string(),
        "region" => input.parse::<Region>()?.to_string(),
        "actor" => input.parse::<actor::Actor>()?.to_code(),
        other => {
            return Err(Error::InvalidInput {
                field: "kind".into(),
                reason: format!("unknown identifier kind {other:?}"),
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::kernel::error::ErrorKind;

    #[test]
    fn canonical_text_per_kind() {
        assert_eq!(
            canonical("hub_id", "00db1234567890a0").unwrap(),
            "00-DB-12-34-56-78-90-A0"
        );
        assert_eq!(canonical("region", "SOUTH").unwrap(), "south");
        assert_eq!(
            canonical("actor", "Customer:SUP-A").unwrap(),
            "customer:SUP-A"
        );
        assert_eq!(canonical("firmware_version", "2.0").unwrap(), "2.0");
        assert_eq!(
            canonical("hub_id", "nope").unwrap_err().kind(),
            ErrorKind::InvalidId
        );
        let err = canonical("colour", "red").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("colour"));
    }
}
