use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;

/// The readiness gates a firmware version passes, in this order, before it may be deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    CspApproved,
    DccTestApproved,
    CustomerTested,
    ProductionProvingVerified,
    OperationalApproval,
    ProductionCpl,
}

/// Who may record a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GateRecorder {
    /// The CSP of the variant's region (it builds and approves the image).
    RegionCsp,
    /// The DCC (testing, customer testing on the customers' feedback, production proving, OA,
    /// the CPL are the DCC's).
    Dcc,
}

impl Gate {
    pub const ALL: [Gate; 6] = [
        Gate::CspApproved,
        Gate::DccTestApproved,
        Gate::CustomerTested,
        Gate::ProductionProvingVerified,
        Gate::OperationalApproval,
        Gate::ProductionCpl,
    ];

    pub fn position(self) -> usize {
        self as usize
    }

    pub fn recorder(self) -> GateRecorder {
        match self {
            Gate::CspApproved => GateRecorder::RegionCsp,
            _ => GateRecorder::Dcc,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Gate::CspApproved => "csp_approved",
            Gate::DccTestApproved => "dcc_test_approved",
            Gate::CustomerTested => "customer_tested",
            Gate::ProductionProvingVerified => "production_proving_verified",
            Gate::OperationalApproval => "operational_approval",
            Gate::ProductionCpl => "production_cpl",
        }
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One gate passed: when, by whom, with an optional note (e.g. a customer's test feedback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateRecord {
    pub gate: Gate,
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub note: Option<String>,
}

/// What a customer found when it tested a firmware version on its own rigs (decision 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    Passed,
    IssuesFound,
}

impl TestResult {
    pub fn as_str(self) -> &'static str {
        match self {
            TestResult::Passed => "passed",
            TestResult::IssuesFound => "issues_found",
        }
    }
}

/// One customer's testing feedback on a version: the evidence the DCC closes
/// `customer_tested` on. `round` counts the withdrawals that reopened testing before it (a
/// withdrawal of `customer_tested` or an earlier gate starts a new round; the DCC closes the
/// gate on the current round's feedback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TestFeedback {
    pub customer: crate::kernel::ids::CustomerId,
    pub result: TestResult,
    pub at: DateTime<Utc>,
    pub feedback: String,
    pub round: u32,
}

/// A gate its recorder took back, with every later gate (they rested on it): when, by whom
/// and why (issue 26). Withdrawing `production_cpl` recalls the version: the campaigns that
/// target it are suspended and no hub is upgraded to it until the gates are passed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateWithdrawal {
    pub gate: Gate,
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub reason: String,
}

/// What a firmware version needs of a hub's HAN devices before the hub may take it
/// (docs/domain.md decision 17, SECMP0024's sequencing): the device of `device` kind, of
/// `model` where one is named, at `min_firmware` or later (in the order of
/// [`crate::kernel::version`]). A hub without such a device is not held by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    pub device: crate::model::estate::HanDeviceKind,
    /// The device model it applies to; every model of the kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub model: Option<String>,
    pub min_firmware: String,
}

impl Prerequisite {
    /// Whether a device of this kind (model, firmware) falls short of it: `Some(has)` if so.
    pub fn unmet_by<'a>(&self, model: &str, firmware: &'a str) -> Option<&'a str> {
        let applies = self.model.as_deref().is_none_or(|m| m == model);
        (applies && crate::kernel::version::compare_versions(firmware, &self.min_firmware).is_lt())
            .then_some(firmware)
    }

    /// Refuses a prerequisite whose texts are over a bound or not a version.
    pub fn check(&self, field: &str) -> Result<(), crate::kernel::error::Error> {
        crate::kernel::version::check_version(
            &format!("{field}.min_firmware"),
            &self.min_firmware,
        )?;
        if let Some(m) = &self.model {
            crate::kernel::limits::text_within(
                &format!("{field}.model"),
                m,
                crate::kernel::limits::MAX_ROW_TEXT_BYTES,
            )?;
        }
        Ok(())
    }
}
