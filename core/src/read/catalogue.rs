//! The catalogue as each party may see it: variants, their firmware versions with gates, and
//! the upgrade route between two versions.

use crate::kernel::error::{Entity, Error, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::kernel::ids::{FirmwareVersion, VariantId};
use crate::model::catalogue::{FirmwareIdx, Gate, TestResult, Variant};
use crate::model::state::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A readiness gate passed: which, when, and by whom where the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateView {
    pub gate: Gate,
    pub at: DateTime<Utc>,
    /// `None` where the recorder is a customer the asker may not know.
    pub by: Option<Actor>,
    pub note: Option<String>,
}

/// A firmware version of a variant, with the versions it upgrades from and its gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FirmwareView {
    pub version: FirmwareVersion,
    pub upgrades_from: Vec<FirmwareVersion>,
    pub on_production_cpl: bool,
    pub gates: Vec<GateView>,
    /// Gates withdrawn by their recorders, oldest first (a customer's withdrawal names it to
    /// itself and the DCC only, as its gate does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub withdrawals: Vec<GateWithdrawalView>,
    /// Customers' testing feedback, oldest first (decision 24): the DCC sees each customer's,
    /// named; the region's CSP every result, unnamed; a customer its own only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub test_feedback: Vec<TestFeedbackView>,
}

/// One customer's testing feedback on a version, as the asker may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TestFeedbackView {
    /// `None` to the region's CSP (a customer sees only its own, the DCC every one named).
    pub customer: Option<CustomerId>,
    pub result: TestResult,
    pub at: DateTime<Utc>,
    pub feedback: String,
    /// The testing round it was given in (a withdrawal of `customer_tested` or an earlier gate
    /// opens the next round).
    pub round: i32,
    /// Whether it is of the round now open: the evidence the DCC closes `customer_tested` on.
    pub current: bool,
}

/// A gate withdrawn: which, when, by whom where the asker may know it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateWithdrawalView {
    pub gate: Gate,
    pub at: DateTime<Utc>,
    pub by: Option<Actor>,
    pub reason: String,
}

impl State {
    /// The variants in the catalogue (a CSP: its region's).
    pub fn variants(&self, actor: &Actor) -> Vec<Variant> {
        self.catalogue
            .variants
            .iter()
            .filter(|v| match actor {
                Actor::Csp(r) => v.region == *r,
                _ => true,
            })
            .cloned()
            .collect()
    }

    /// A variant's firmware versions, in registration order, with their gates. A customer
    /// sees that a customer recorded the testing gate, but not which other customer.
    pub fn firmware_versions(
        &self,
        actor: &Actor,
        variant: &VariantId,
    ) -> Result<Vec<FirmwareView>, Error> {
        let v = self
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        if let Actor::Csp(r) = actor {
            if self.catalogue.variant(v).region != *r {
                return Err(Error::not_found(Entity::Variant, variant));
            }
        }
        // A customer recorder is named to itself and the DCC only.
        let shown = |by: &Actor| match (by, actor) {
            (Actor::Customer(by), Actor::Customer(me)) if by != me => None,
            (Actor::Customer(_), Actor::Csp(_)) => None,
            (by, _) => Some(by.clone()),
        };
        Ok(self.catalogue.firmware_of_variant[usize::from(v)]
            .iter()
            .map(|&f| {
                let fw = self.catalogue.fw(f);
                FirmwareView {
                    version: fw.version.clone(),
                    upgrades_from: fw
                        .upgrades_from
                        .iter()
                        .map(|&p| self.catalogue.fw(p).version.clone())
                        .collect(),
                    on_production_cpl: fw.on_production_cpl(),
                    gates: fw
                        .gates
                        .iter()
                        .map(|g| GateView {
                            gate: g.gate,
                            at: g.at,
                            by: shown(&g.by),
                            note: g.note.clone(),
                        })
                        .collect(),
                    withdrawals: fw
                        .withdrawals
                        .iter()
                        .map(|w| GateWithdrawalView {
                            gate: w.gate,
                            at: w.at,
                            by: shown(&w.by),
                            reason: w.reason.clone(),
                        })
                        .collect(),
                    test_feedback: fw
                        .test_feedback
                        .iter()
                        .filter(|t| match actor {
                            Actor::Customer(me) => t.customer == *me,
                            _ => true,
                        })
                        .map(|t| TestFeedbackView {
                            customer: (*actor == Actor::Dcc || actor.as_customer().is_some())
                                .then(|| t.customer.clone()),
                            result: t.result,
                            at: t.at,
                            feedback: t.feedback.clone(),
                            round: i32::try_from(t.round).unwrap_or(i32::MAX),
                            current: t.round == fw.testing_round(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// The versions a hub on `from` passes through to reach `to` along the variant's pathways
    /// (`to` last); empty when `from == to`. A hub two steps behind goes through the step between.
    pub fn upgrade_route(
        &self,
        actor: &Actor,
        variant: &VariantId,
        from: &FirmwareVersion,
        to: &FirmwareVersion,
    ) -> Result<Vec<FirmwareVersion>, Error> {
        self.firmware_versions(actor, variant)?; // scope check
        let v = self
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        let idx = |f: &FirmwareVersion| -> Result<FirmwareIdx, Error> {
            self.catalogue
                .firmware_idx(v, f)
                .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{f}")))
        };
        let route = self.catalogue.route(idx(from)?, idx(to)?).ok_or_else(|| {
            Error::precondition(
                Rule::Pathway,
                format!("no upgrade pathway leads from {from} to {to} for {variant}"),
            )
        })?;
        Ok(route
            .into_iter()
            .map(|f| self.catalogue.fw(f).version.clone())
            .collect())
    }
}
