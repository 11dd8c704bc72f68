//! Who makes a command or a query. Permissions (docs/domain.md's actor table) are checked in core
//! against this value, never left to callers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kernel::error::Error;
use crate::kernel::ids::{CustomerId, IdKind, Region};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    /// The DCC: grants OAs, completes phases, suspends/resumes/cancels, extends cut-offs,
    /// sees the whole industry.
    Dcc,
    /// The CSP of one region.
    Csp(Region),
    /// A DCC Customer: an energy supplier (or network operator).
    Customer(CustomerId),
    /// The model itself, acting under a campaign's policy: an automatic halt, a time-out, a
    /// cut-off notice (docs/domain.md decision 14). It records events but makes no command and reads
    /// nothing, so that no party's identity is attached to an act that was not its choice.
    System,
}

impl Actor {
    pub fn customer(id: &str) -> Result<Actor, Error> {
        Ok(Actor::Customer(CustomerId::new(id)?))
    }

    /// Stable text form: `dcc`, `csp:north`, `customer:SUPPLIER-01`.
    pub fn to_code(&self) -> String {
        match self {
            Actor::Dcc => "dcc".to_string(),
            Actor::Csp(r) => format!("csp:{r}"),
            Actor::Customer(c) => format!("customer:{c}"),
            Actor::System => "system".to_string(),
        }
    }

    pub fn as_customer(&self) -> Option<&CustomerId> {
        match self {
            Actor::Customer(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Dcc => f.write_str("DCC"),
            Actor::Csp(r) => write!(f, "CSP {r}"),
            Actor::Customer(c) => write!(f, "customer {c}"),
            Actor::System => f.write_str("the system"),
        }
    }
}

impl FromStr for Actor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.eq_ignore_ascii_case("dcc") {
            return Ok(Actor::Dcc);
        }
        if s.eq_ignore_ascii_case("system") {
            return Ok(Actor::System);
        }
        match s.split_once(':') {
            Some((k, r)) if k.eq_ignore_ascii_case("csp") => Ok(Actor::Csp(r.parse()?)),
            Some((k, c)) if k.eq_ignore_ascii_case("customer") => Actor::customer(c),
            _ => Err(Error::invalid_id(
                IdKind::Actor,
                s,
                "expected dcc, csp:<region>, customer:<id> or system",
            )),
        }
    }
}

impl Serialize for Actor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_code())
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Error {
    /// `actor` may not do `action`; the error carries the actor's code, so that `error`
    /// depends on no identifier type.
    pub(crate) fn not_permitted(
        actor: &Actor,
        action: impl Into<String>,
        reason: impl Into<String>,
    ) -> Error {
        Error::NotPermitted {
            actor: actor.to_code(),
            action: action.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trip() {
        for a in [
            Actor::Dcc,
            Actor::Csp(Region::Central),
            Actor::customer("SUPPLIER-01").unwrap(),
            Actor::System,
        ] {
            assert_eq!(a.to_code().parse::<Actor>().unwrap(), a);
        }
        assert_eq!(
            "CSP:North".parse::<Actor>().unwrap(),
            Actor::Csp(Region::North)
        );
    }

    #[test]
    fn refuses_unknown_forms() {
        for bad in ["ofgem", "csp:east", "customer:", "customer:a b", ""] {
            assert!(bad.parse::<Actor>().is_err(), "{bad}");
        }
    }
}
