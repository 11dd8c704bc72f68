use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::IdKind;
use crate::kernel::error::Error;

/// A CSP region. A hub's region is fixed (it is its variant's), and each region has one CSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Region {
    North,
    Central,
    South,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::North, Region::Central, Region::South];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::North => "north",
            Region::Central => "central",
            Region::South => "south",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::invalid_id(IdKind::Region, s, "expected north, central or south"))
    }
}
