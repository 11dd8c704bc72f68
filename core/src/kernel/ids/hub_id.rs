use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::IdKind;
use crate::kernel::error::Error;

/// A Communications Hub's GUID: an EUI-64 held as a `u64`.
///
/// Parses `00-db-12-34-56-78-90-a0` (eight dash-separated hex pairs, any case) and
/// `00DB1234567890A0` (sixteen hex digits); prints upper case with dashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HubId(u64);

impl HubId {
    pub const fn from_u64(raw: u64) -> Self {
        HubId(raw)
    }

    pub const fn as_u64(self) -> u64 {
        self.0
    }

    pub fn parse(input: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::invalid_id(IdKind::Hub, input, reason);
        let bytes = input.as_bytes();
        let digits: Vec<u8> = match bytes.len() {
            16 => bytes.to_vec(),
            23 => {
                let mut digits = Vec::with_capacity(16);
                for (i, chunk) in bytes.chunks(3).enumerate() {
                    if chunk.len() == 3 && chunk[2] != b'-' {
                        return Err(invalid(&format!("expected '-' after pair {} of 8", i + 1)));
                    }
                    digits.extend_from_slice(&chunk[..2]);
                }
                digits
            }
            _ => return Err(invalid(
                "expected 8 dash-separated hex pairs (00-DB-12-34-56-78-90-A0) or 16 hex digits",
            )),
        };
        let mut value: u64 = 0;
        for &d in &digits {
            let nibble = (d as char)
                .to_digit(16)
                .ok_or_else(|| invalid(&format!("'{}' is not a hex digit", d as char)))?;
            value = (value << 4) | u64::from(nibble);
        }
        Ok(HubId(value))
    }
}

impl HubId {
    /// The canonical text (`00-DB-12-34-56-78-90-A0`) as bytes, written without allocating:
    /// for columns of millions of ids, where `to_string` per hub was most of the cost.
    pub fn canonical_bytes(self) -> [u8; 23] {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = [b'-'; 23];
        for (i, byte) in self.0.to_be_bytes().iter().enumerate() {
            out[i * 3] = HEX[usize::from(byte >> 4)];
            out[i * 3 + 1] = HEX[usize::from(byte & 0x0F)];
        }
        out
    }
}

impl fmt::Display for HubId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0.to_be_bytes();
        write!(
            f,
            "{:02X}-{:02X}-{:02X}-{:02X}-{:02X}-{:02X}-{:02X}-{:02X}",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
        )
    }
}

impl FromStr for HubId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        HubId::parse(s)
    }
}

impl Serialize for HubId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HubId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        HubId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_are_the_display_text() {
        for raw in [
            0u64,
            1,
            0x00DB_1234_5678_90A0,
            u64::MAX,
            0xA0B1_C2D3_E4F5_0617,
        ] {
            let id = HubId::from_u64(raw);
            assert_eq!(
                std::str::from_utf8(&id.canonical_bytes()).unwrap(),
                id.to_string()
            );
        }
    }
    use crate::kernel::error::ErrorKind;

    #[test]
    fn parses_dashed_any_case_and_prints_upper() {
        let id = HubId::parse("00-db-12-34-56-78-90-a0").unwrap();
        assert_eq!(id.as_u64(), 0x00DB_1234_5678_90A0);
        assert_eq!(id.to_string(), "00-DB-12-34-56-78-90-A0");
    }

    #[test]
    fn parses_sixteen_digits() {
        assert_eq!(
            HubId::parse("00DB1234567890a0").unwrap(),
            HubId::parse("00-DB-12-34-56-78-90-A0").unwrap()
        );
    }

    #[test]
    fn refuses_malformed_and_quotes_input() {
        for bad in [
            "",
            "00-DB-12-34-56-78-90",
            "00-DB-12-34-56-78-90-A0-11",
            "00:DB:12:34:56:78:90:A0",
            "00-DB-12-34-56-78-90-AG",
            "0xDB1234567890A0",
            " 00DB1234567890A0",
            "00-DB-12-34-56-78-90-Ä",
        ] {
            let err = HubId::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidId, "{bad:?}");
            assert!(
                err.to_string().contains(&format!("{bad:?}")),
                "{err} should quote {bad:?}"
            );
        }
    }

    #[test]
    fn serde_round_trip_as_string() {
        let id = HubId::parse("AB-CD-EF-01-23-45-67-89").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"AB-CD-EF-01-23-45-67-89\"");
        assert_eq!(serde_json::from_str::<HubId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<HubId>("\"nope\"").is_err());
    }
}
