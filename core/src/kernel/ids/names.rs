//! String identifiers chosen by people (customer, variant, firmware version, campaign).
//! Validated on construction so that everything inside the model is well formed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::IdKind;
use crate::kernel::error::Error;

const MAX_LEN: usize = 64;

fn validate(kind: IdKind, input: &str) -> Result<(), Error> {
    if input.is_empty() {
        return Err(Error::invalid_id(kind, input, "must not be empty"));
    }
    if input.len() > MAX_LEN {
        return Err(Error::invalid_id(
            kind,
            input,
            &format!("longer than {MAX_LEN} characters"),
        ));
    }
    if let Some(c) = input
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(Error::invalid_id(
            kind,
            input,
            &format!("'{c}' is not allowed (letters, digits, '-', '_' and '.' only)"),
        ));
    }
    Ok(())
}

macro_rules! name_id {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Result<Self, Error> {
                let value = value.into();
                validate($kind, &value)?;
                Ok($name(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                $name::new(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_id!(
    /// A DCC Customer (an energy supplier or network operator), e.g. `SUPPLIER-07`.
    CustomerId,
    IdKind::Customer
);
name_id!(
    /// A hub variant, e.g. `TOSHIBA-CH2-DB-N` (chosen when the DCC registers it).
    VariantId,
    IdKind::Variant
);
name_id!(
    /// One firmware version of one variant, e.g. `4.2.1`. Versions are compared only through
    /// the variant's upgrade pathways, never by their text.
    FirmwareVersion,
    IdKind::Firmware
);
name_id!(
    /// A campaign, chosen by the DCC when it creates it, e.g. `2026-Q4-N-DB-4.2.1`.
    CampaignId,
    IdKind::Campaign
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::error::ErrorKind;

    #[test]
    fn accepts_ordinary_names() {
        assert_eq!(
            CustomerId::new("SUPPLIER-07").unwrap().as_str(),
            "SUPPLIER-07"
        );
        assert_eq!(FirmwareVersion::new("4.2.1").unwrap().to_string(), "4.2.1");
    }

    #[test]
    fn refuses_empty_long_and_odd_characters() {
        for bad in ["", "has space", "semi;colon", &"x".repeat(65)] {
            let err = CustomerId::new(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidId);
            assert!(err.to_string().contains("customer id"), "{err}");
        }
        assert!(serde_json::from_str::<CampaignId>("\"a b\"").is_err());
    }
}
