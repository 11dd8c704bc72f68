//! The catalogue: hub variants, their firmware versions with readiness gates, and the
//! upgrade pathways between versions.

mod firmware;
mod variant;

pub(crate) use firmware::TestFeedback;
pub use firmware::{Gate, GateRecord, GateRecorder, GateWithdrawal, Prerequisite, TestResult};
pub use variant::{HanBand, Variant};

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::kernel::ids::{FirmwareVersion, VariantId};

pub(crate) use crate::kernel::ids::FirmwareIdx;
pub(crate) use crate::kernel::ids::VariantIdx;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FirmwareEntry {
    pub variant: VariantIdx,
    pub version: FirmwareVersion,
    /// The versions that may upgrade straight to this one (its pathway, SEC MP231 style).
    pub upgrades_from: Vec<FirmwareIdx>,
    pub gates: Vec<GateRecord>,
    pub registered_at: DateTime<Utc>,
    /// What a hub's HAN devices need before the hub may take this version (decision 17).
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite>,
    /// Gates withdrawn by their recorders, oldest first (at most
    /// `limits::MAX_GATE_WITHDRAWALS`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawals: Vec<GateWithdrawal>,
    /// Customers' testing feedback, oldest first: one a customer each testing round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_feedback: Vec<TestFeedback>,
}

impl FirmwareEntry {
    pub fn on_production_cpl(&self) -> bool {
        self.gates.len() == Gate::ALL.len()
    }

    /// The testing round now open: how many withdrawals took back `customer_tested` or a gate
    /// before it (each reopens testing, so earlier feedback is not this build's evidence).
    pub fn testing_round(&self) -> u32 {
        let n = self
            .withdrawals
            .iter()
            .filter(|w| w.gate <= Gate::CustomerTested)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The feedback of the testing round now open.
    pub fn current_feedback(&self) -> impl Iterator<Item = &TestFeedback> {
        let round = self.testing_round();
        self.test_feedback.iter().filter(move |t| t.round == round)
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Catalogue {
    pub variants: Vec<Variant>,
    pub variant_index: HashMap<VariantId, VariantIdx>,
    pub firmware: Vec<FirmwareEntry>,
    /// Per variant, its versions by name (nested so a lookup borrows the name, no allocation).
    pub firmware_index: Vec<HashMap<FirmwareVersion, FirmwareIdx>>,
    /// Per variant, its firmware in registration order.
    pub firmware_of_variant: Vec<Vec<FirmwareIdx>>,
    /// Whether the log has used per-customer testing (a feedback, or the DCC closing
    /// `customer_tested`). Until then a customer-recorded `customer_tested`, as builds before
    /// decision 24's feedback recorded it, is still read from a log; from then on it is refused.
    #[serde(default)]
    pub per_customer_testing: bool,
}

impl Catalogue {
    pub fn variant_idx(&self, id: &VariantId) -> Option<VariantIdx> {
        self.variant_index.get(id).copied()
    }

    pub fn firmware_idx(
        &self,
        variant: VariantIdx,
        version: &FirmwareVersion,
    ) -> Option<FirmwareIdx> {
        self.firmware_index
            .get(usize::from(variant))
            .and_then(|m| m.get(version))
            .copied()
    }

    pub fn variant(&self, idx: VariantIdx) -> &Variant {
        &self.variants[idx.at()]
    }

    pub fn fw(&self, idx: FirmwareIdx) -> &FirmwareEntry {
        &self.firmware[idx.at()]
    }

    /// For one target, each version of the variant that can reach it, with its next step and
    /// the number of steps: a breadth-first walk backwards along the pathways, so a hub two
    /// steps behind is sent to the version between first. Ties go to the pathway listed first.
    pub fn routes_to(&self, target: FirmwareIdx) -> HashMap<FirmwareIdx, (FirmwareIdx, u32)> {
        let mut routes: HashMap<FirmwareIdx, (FirmwareIdx, u32)> = HashMap::new();
        let mut queue = VecDeque::from([(target, 0u32)]);
        while let Some((at, steps)) = queue.pop_front() {
            for &from in &self.fw(at).upgrades_from {
                if from != target && !routes.contains_key(&from) {
                    routes.insert(from, (at, steps + 1));
                    queue.push_back((from, steps + 1));
                }
            }
        }
        routes
    }

    /// The versions a hub on `from` passes through to reach `to`, `to` included; `None` when
    /// no pathway leads there. Empty when `from == to`.
    pub fn route(&self, from: FirmwareIdx, to: FirmwareIdx) -> Option<Vec<FirmwareIdx>> {
        if from == to {
            return Some(Vec::new());
        }
        let routes = self.routes_to(to);
        let mut path = Vec::new();
        let mut at = from;
        while at != to {
            let (next, _) = routes.get(&at)?;
            path.push(*next);
            at = *next;
        }
        Some(path)
    }
}
