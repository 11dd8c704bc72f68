//! Defect flags: a customer flags a configuration set or firmware, optionally suspending its
//! own hubs' upgrades, and lifts that suspension.

use serde::{Deserialize, Serialize};

use super::command::{Cx, Decide};
use super::State;
use crate::defects::DefectSubject;
use crate::error::{Entity, Rule};
use crate::event::EventPayload;
use crate::limits;
use crate::Error;

/// A customer: flag a defect to every customer on a configuration set or firmware version,
/// named or not, and perhaps suspend its own upgrades on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagDefect {
    pub subject: DefectSubject,
    pub text: String,
    #[serde(default)]
    pub named: bool,
    #[serde(default)]
    pub suspend_own: bool,
}

impl Decide for FlagDefect {
    fn action(&self) -> String {
        "flag a defect".to_string()
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("text", &self.text)?;
        match &self.subject {
            DefectSubject::ConfigurationSet { set } => set.check_bounds("subject.set"),
            DefectSubject::Firmware { .. } => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let FlagDefect {
            subject,
            text,
            named,
            suspend_own,
        } = self;
        let (actor, at, action) = (cx.actor, cx.at, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        if text.trim().is_empty() {
            return Err(Error::invalid_input("text", "say what the defect is"));
        }
        state.resolve_subject(&subject, Some(me))?;
        let flag = crate::defects::flag_id(&customer, &subject, &text, at);
        if state.defects.iter().any(|d| d.id == flag) {
            return Err(Error::already_exists(Entity::DefectFlag, flag));
        }
        let suspending = state
            .defects
            .iter()
            .filter(|d| d.customer == me && d.suspending)
            .count();
        if suspend_own && suspending >= crate::limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER {
            return Err(Error::too_many(
                "suspend_own: defect flags suspending your upgrades",
                suspending + 1,
                crate::limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER,
            ));
        }
        Ok(vec![EventPayload::DefectFlagged {
            flag,
            customer,
            subject,
            text,
            named,
            suspend_own,
        }])
    }
}

/// The flagging customer: lift the suspension its defect flag placed on its own upgrades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftDefectSuspension {
    pub flag: u64,
}

impl Decide for LiftDefectSuspension {
    fn action(&self) -> String {
        let LiftDefectSuspension { flag } = self;
        format!("lift the suspension of defect flag {flag}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let LiftDefectSuspension { flag } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        // Another's flag answers as one that does not exist: its existence is not yours.
        let d = state
            .defect(flag)
            .ok()
            .filter(|d| d.customer == me)
            .ok_or_else(|| Error::not_found(Entity::DefectFlag, flag))?;
        if !d.suspending {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("defect flag {flag} suspends nothing"),
            ));
        }
        Ok(vec![EventPayload::DefectSuspensionLifted {
            flag,
            customer,
        }])
    }
}
