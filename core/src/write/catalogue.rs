//! The catalogue's commands: hub variants, their firmware versions and each version's readiness
//! gates. Each command is a struct, its bounds and its decision (`Decide`).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{FirmwareVersion, VariantId};
use crate::kernel::limits;
use crate::model::campaigns::{CampaignChange, HistoryEntry, Phase};
use crate::model::catalogue::{
    FirmwareEntry, FirmwareIdx, Gate, GateRecord, GateRecorder, GateWithdrawal, Prerequisite,
    Variant, VariantIdx,
};
use crate::model::notices::NotificationKind;
use crate::model::state::State;
use crate::write::event::EventPayload;

/// DCC: add a hub variant to the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterVariant {
    pub variant: Box<Variant>,
}

impl Decide for RegisterVariant {
    fn action(&self) -> String {
        let RegisterVariant { variant } = self;
        format!("register variant {}", variant.id)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("variant.manufacturer", &self.variant.manufacturer)?;
        limits::text("variant.model", &self.variant.model)?;
        limits::text("variant.hardware_version", &self.variant.hardware_version)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RegisterVariant { variant } = self;
        cx.dcc_only()?;
        for (field, value) in [
            ("variant.manufacturer", &variant.manufacturer),
            ("variant.model", &variant.model),
            ("variant.hardware_version", &variant.hardware_version),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_input(field, "must not be empty"));
            }
        }
        if state.catalogue.variant_idx(&variant.id).is_some() {
            return Err(Error::already_exists(Entity::Variant, &variant.id));
        }
        if state.catalogue.variants.len() >= usize::from(u16::MAX) {
            return Err(Error::precondition(
                Rule::Capacity,
                "more than 65 535 variants",
            ));
        }
        Ok(vec![EventPayload::VariantRegistered(VariantRegistered {
            variant,
        })])
    }
}

/// CSP of the variant's region: register a firmware version with the versions that may
/// upgrade straight to it (its pathway).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterFirmware {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub upgrades_from: Vec<FirmwareVersion>,
    /// What a hub's HAN devices need before it may take this version (decision 17).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub prerequisites: Vec<Prerequisite>,
}

impl Decide for RegisterFirmware {
    fn action(&self) -> String {
        let RegisterFirmware {
            variant, version, ..
        } = self;
        format!("register firmware {version} of variant {variant}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count(
            "upgrades_from",
            self.upgrades_from.len(),
            limits::MAX_SETS_PER_COMMAND,
        )?;
        check_prerequisites(&self.prerequisites)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RegisterFirmware {
            variant,
            version,
            upgrades_from,
            prerequisites,
        } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let v = state.variant_idx(&variant)?;
        state.require_region_csp(actor, v, action)?;
        if state.catalogue.firmware_idx(v, &version).is_some() {
            return Err(Error::already_exists(
                Entity::Firmware,
                format!("{variant}@{version}"),
            ));
        }
        let mut seen = HashSet::new();
        for from in &upgrades_from {
            if from == &version {
                return Err(Error::precondition(
                    Rule::Pathway,
                    format!("firmware {version} cannot upgrade from itself"),
                ));
            }
            state.firmware_idx(v, &variant, from)?;
            if !seen.insert(from) {
                return Err(Error::invalid_input(
                    "upgrades_from",
                    format!("{from} is listed twice"),
                ));
            }
        }
        if state.catalogue.firmware.len() >= usize::from(u16::MAX) {
            return Err(Error::precondition(
                Rule::Capacity,
                "more than 65 535 firmware versions",
            ));
        }
        Ok(vec![EventPayload::FirmwareRegistered(FirmwareRegistered {
            variant,
            version,
            upgrades_from,
            prerequisites,
        })])
    }
}

/// Each prerequisite well formed, at most [`limits::MAX_PREREQUISITES`], and no two for the
/// same device kind and model (which of two minimums would hold would be unclear).
fn check_prerequisites(prerequisites: &[Prerequisite]) -> Result<(), Error> {
    limits::count(
        "prerequisites",
        prerequisites.len(),
        limits::MAX_PREREQUISITES,
    )?;
    let mut seen = HashSet::new();
    for (i, p) in prerequisites.iter().enumerate() {
        p.check(&format!("prerequisites[{i}]"))?;
        if !seen.insert((p.device, p.model.as_deref())) {
            return Err(Error::invalid_input(
                format!("prerequisites[{i}]"),
                format!(
                    "a second prerequisite for {} {}",
                    p.device.as_str(),
                    p.model.as_deref().unwrap_or("(any model)")
                ),
            ));
        }
    }
    Ok(())
}

/// CSP of the variant's region: set (replace) what a firmware version needs of a hub's HAN
/// devices before the hub may take it; an empty list lifts every prerequisite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetFirmwarePrerequisites {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub prerequisites: Vec<Prerequisite>,
}

impl Decide for SetFirmwarePrerequisites {
    fn action(&self) -> String {
        format!(
            "set the prerequisites of firmware {} of variant {}",
            self.version, self.variant
        )
    }

    fn check_bounds(&self) -> Result<(), Error> {
        check_prerequisites(&self.prerequisites)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let SetFirmwarePrerequisites {
            variant,
            version,
            prerequisites,
        } = self;
        let v = state.variant_idx(&variant)?;
        state.require_region_csp(cx.actor, v, &cx.action)?;
        let f = state.firmware_idx(v, &variant, &version)?;
        if state.catalogue.fw(f).prerequisites == prerequisites {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{variant}@{version} already has these prerequisites"),
            ));
        }
        Ok(vec![FirmwarePrerequisitesSet {
            variant,
            version,
            prerequisites,
        }
        .into()])
    }
}

/// Record the next readiness gate of a firmware version (see [`Gate::recorder`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordGate {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub gate: Gate,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub note: Option<String>,
}

impl Decide for RecordGate {
    fn action(&self) -> String {
        let RecordGate {
            variant,
            version,
            gate,
            ..
        } = self;
        format!("record gate {gate} for firmware {version} of variant {variant}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::opt_text("note", &self.note)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RecordGate {
            variant,
            version,
            gate,
            note,
        } = self;
        let (actor, _at, action) = (cx.actor, cx.at, &cx.action);
        let v = state.variant_idx(&variant)?;
        let f = state.firmware_idx(v, &variant, &version)?;
        match (gate.recorder(), actor) {
            (GateRecorder::Dcc, Actor::Dcc) => {}
            (GateRecorder::RegionCsp, _) => state.require_region_csp(actor, v, action)?,
            (GateRecorder::Dcc, Actor::Customer(_)) if gate == Gate::CustomerTested => {
                return Err(Error::not_permitted(
                    actor,
                    action,
                    "the DCC closes customer_tested on the customers' feedback; a customer \
                     gives its own with record_test_feedback",
                ))
            }
            (GateRecorder::Dcc, _) => {
                return Err(Error::not_permitted(
                    actor,
                    action,
                    format!("only the DCC records {gate}"),
                ))
            }
        }
        let recorded = &state.catalogue.fw(f).gates;
        if gate.position() < recorded.len() {
            return Err(Error::precondition(
                Rule::GateOrder,
                format!(
                    "{variant}@{version}: {gate} was already recorded at {}",
                    recorded[gate.position()].at
                ),
            ));
        }
        if gate.position() > recorded.len() {
            return Err(Error::precondition(
                Rule::GateOrder,
                format!(
                    "{variant}@{version}: {} must be recorded before {gate}",
                    Gate::ALL[recorded.len()]
                ),
            ));
        }
        if gate == Gate::CustomerTested {
            if let Some(refusal) =
                State::testing_close_refusal(state.catalogue.fw(f), note.as_deref())
            {
                return Err(refusal);
            }
        }
        Ok(vec![EventPayload::GateRecorded(GateRecorded {
            variant,
            version,
            gate,
            note,
        })])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VariantRegistered {
    pub variant: Box<Variant>,
}

impl Evolve for VariantRegistered {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let VariantRegistered { variant } = self;
        if state.catalogue.variant_idx(&variant.id).is_some() {
            return Err(Error::already_exists(Entity::Variant, &variant.id));
        }
        let idx = VariantIdx::next(state.catalogue.variants.len())
            .ok_or_else(|| Error::precondition(Rule::Capacity, "too many variants"))?;
        state
            .catalogue
            .variant_index
            .insert(variant.id.clone(), idx);
        state.catalogue.variants.push((**variant).clone());
        state.catalogue.firmware_of_variant.push(Vec::new());
        state.catalogue.firmware_index.push(HashMap::new());
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FirmwareRegistered {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub upgrades_from: Vec<FirmwareVersion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub prerequisites: Vec<Prerequisite>,
}

impl Evolve for FirmwareRegistered {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::region_csp(state, actor, &self.variant)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let FirmwareRegistered {
            variant,
            version,
            upgrades_from,
            prerequisites,
        } = self;
        let v = state
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        if state.catalogue.firmware_idx(v, version).is_some() {
            return Err(Error::already_exists(
                Entity::Firmware,
                format!("{variant}@{version}"),
            ));
        }
        let from = upgrades_from
            .iter()
            .map(|f| {
                state
                    .catalogue
                    .firmware_idx(v, f)
                    .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{f}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let idx = FirmwareIdx::next(state.catalogue.firmware.len())
            .ok_or_else(|| Error::precondition(Rule::Capacity, "too many firmware versions"))?;
        state.catalogue.firmware.push(FirmwareEntry {
            variant: v,
            version: version.clone(),
            upgrades_from: from,
            gates: Vec::new(),
            registered_at: event.at,
            prerequisites: prerequisites.clone(),
            withdrawals: Vec::new(),
            test_feedback: Vec::new(),
        });
        state.catalogue.firmware_index[usize::from(v)].insert(version.clone(), idx);
        state.catalogue.firmware_of_variant[usize::from(v)].push(idx);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GateRecorded {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub gate: Gate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub note: Option<String>,
}

impl Evolve for GateRecorded {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        match (self.gate.recorder(), actor) {
            // As builds before per-customer testing recorded it: read from a log until the log
            // has used per-customer testing (see `Catalogue::per_customer_testing`).
            (GateRecorder::Dcc, Actor::Customer(_))
                if self.gate == Gate::CustomerTested && !state.catalogue.per_customer_testing =>
            {
                Ok(())
            }
            (GateRecorder::Dcc, _) => authority::dcc(actor),
            (GateRecorder::RegionCsp, _) => authority::region_csp(state, actor, &self.variant),
        }
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let GateRecorded {
            variant,
            version,
            gate,
            note,
        } = self;
        let v = state.variant_idx(variant)?;
        let f = state.firmware_idx(v, variant, version)?;
        let by_dcc = *gate == Gate::CustomerTested && event.actor == Actor::Dcc;
        if by_dcc {
            // Checked on every apply: a log cannot close testing without the DCC's note.
            if let Some(refusal) =
                State::testing_close_refusal(state.catalogue.fw(f), note.as_deref())
            {
                return Err(refusal);
            }
        } else if *gate == Gate::CustomerTested
            && note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            // A customer's, as builds before per-customer testing took it: with its feedback.
            return Err(Error::invalid_input(
                "note",
                "customer testing needs the customer's feedback",
            ));
        }
        let gates = &mut state.catalogue.firmware[usize::from(f)].gates;
        if gate.position() != gates.len() {
            return Err(Error::precondition(
                Rule::GateOrder,
                format!("{gate} recorded when {} gates were recorded", gates.len()),
            ));
        }
        debug_assert_eq!(Gate::ALL[gates.len()], *gate);
        gates.push(GateRecord {
            gate: *gate,
            at: event.at,
            by: event.actor.clone(),
            note: note.clone(),
        });
        if by_dcc {
            // Only once the closing is applied: a refused event changes nothing.
            state.catalogue.per_customer_testing = true;
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

/// What a firmware version needs of a hub's HAN devices, replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FirmwarePrerequisitesSet {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub prerequisites: Vec<Prerequisite>,
}

impl Evolve for FirmwarePrerequisitesSet {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::region_csp(state, actor, &self.variant)
    }

    fn apply(&self, state: &mut State, _event: &Event, verify: bool) -> Result<(), Error> {
        if verify {
            check_prerequisites(&self.prerequisites)?;
        }
        let v = state
            .catalogue
            .variant_idx(&self.variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, &self.variant))?;
        let f = state
            .catalogue
            .firmware_idx(v, &self.version)
            .ok_or_else(|| {
                Error::not_found(
                    Entity::Firmware,
                    format!("{}@{}", self.variant, self.version),
                )
            })?;
        state.catalogue.firmware[usize::from(f)].prerequisites = self.prerequisites.clone();
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody: each hub's explain says what holds it.
    }
}

/// A gate's recorder takes it back, with a reason (decision 24): the gate and every later one
/// (they rested on it) are withdrawn. The DCC's gates by the DCC, `csp_approved` by the
/// region's CSP (a `customer_tested` a customer recorded before per-customer testing, by that
/// customer). Withdrawing `customer_tested` or an earlier gate opens a new testing round: the
/// customers give their feedback again. Withdrawing any gate of a
/// version on the production CPL recalls it: the live campaigns that target it are suspended
/// (the DCC resumes them once the gates are passed again) and no hub is upgraded to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawGate {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub gate: Gate,
    pub reason: String,
}

impl Decide for WithdrawGate {
    fn action(&self) -> String {
        let WithdrawGate {
            variant,
            version,
            gate,
            ..
        } = self;
        format!("withdraw gate {gate} of firmware {version} of variant {variant}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("reason", &self.reason)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let WithdrawGate {
            variant,
            version,
            gate,
            reason,
        } = self;
        let v = state.variant_idx(&variant)?;
        let f = state.firmware_idx(v, &variant, &version)?;
        let record = state.catalogue.fw(f).gates.get(gate.position());
        state.withdrawal_allowed(cx.actor, v, gate, record, &cx.action)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid_input(
                "reason",
                "a withdrawal needs a reason",
            ));
        }
        let fw = state.catalogue.fw(f);
        if record.is_none() {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{variant}@{version}: {gate} is not recorded"),
            ));
        }
        if fw.withdrawals.len() >= limits::MAX_GATE_WITHDRAWALS {
            return Err(Error::too_many(
                "gate withdrawals of this version",
                fw.withdrawals.len() + 1,
                limits::MAX_GATE_WITHDRAWALS,
            ));
        }
        Ok(vec![EventPayload::GateWithdrawn(GateWithdrawn {
            variant,
            version,
            gate,
            reason,
        })])
    }
}

impl State {
    /// Whether `actor` may withdraw `gate` (recorded as `record`): its recorder only.
    fn withdrawal_allowed(
        &self,
        actor: &Actor,
        v: VariantIdx,
        gate: Gate,
        record: Option<&GateRecord>,
        action: &str,
    ) -> Result<(), Error> {
        match (gate.recorder(), actor) {
            (GateRecorder::Dcc, Actor::Dcc) => Ok(()),
            (GateRecorder::RegionCsp, _) => self.require_region_csp(actor, v, action),
            // A testing gate a customer recorded (before per-customer testing) is that
            // customer's to withdraw; the DCC's is the DCC's.
            (GateRecorder::Dcc, _) if record.is_some_and(|r| r.by == *actor) => Ok(()),
            _ => Err(Error::not_permitted(
                actor,
                action,
                format!("only the party that recorded {gate} withdraws it"),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GateWithdrawn {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub gate: Gate,
    pub reason: String,
}

impl Evolve for GateWithdrawn {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        let Some(v) = state.catalogue.variant_idx(&self.variant) else {
            return Ok(()); // an unknown variant is refused as unknown on apply
        };
        let record = state
            .catalogue
            .firmware_idx(v, &self.version)
            .and_then(|f| state.catalogue.fw(f).gates.get(self.gate.position()));
        state
            .withdrawal_allowed(actor, v, self.gate, record, "withdraw a gate")
            .map_err(|e| e.to_string())
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let GateWithdrawn {
            variant,
            version,
            gate,
            reason,
        } = self;
        limits::text("reason", reason)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid_input(
                "reason",
                "a withdrawal needs a reason",
            ));
        }
        let v = state
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        let f = state
            .catalogue
            .firmware_idx(v, version)
            .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{version}")))?;
        let fw = &mut state.catalogue.firmware[usize::from(f)];
        if gate.position() >= fw.gates.len() {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{variant}@{version}: {gate} is not recorded"),
            ));
        }
        if fw.withdrawals.len() >= limits::MAX_GATE_WITHDRAWALS {
            return Err(Error::too_many(
                "gate withdrawals of this version",
                fw.withdrawals.len() + 1,
                limits::MAX_GATE_WITHDRAWALS,
            ));
        }
        let recalled = fw.on_production_cpl();
        fw.gates.truncate(gate.position());
        fw.withdrawals.push(GateWithdrawal {
            gate: *gate,
            at: event.at,
            by: event.actor.clone(),
            reason: reason.clone(),
        });
        if recalled {
            // Recalled from the production CPL: the live campaigns to it stop here. The
            // suspension is the system's act in their history (decision 14): every party reads
            // a campaign's history, and a customer that took back its testing gate is not named
            // to the others (decision 12); its reason is shown as its gate note is.
            let why =
                format!("{variant}@{version} was withdrawn from the production CPL: {reason}");
            for c in state.campaigns.values_mut() {
                if c.target == f && matches!(c.phase, Phase::Pilot | Phase::MassRollout) {
                    let from = c.phase;
                    c.resume_to = Some(from);
                    c.phase = Phase::Suspended;
                    c.history.push(HistoryEntry {
                        seq: Some(limits::signed(event.seq)),
                        at: event.at,
                        actor: Actor::System,
                        change: CampaignChange::PhaseChanged {
                            from,
                            to: Phase::Suspended,
                            reason: Some(why.clone()),
                        },
                    });
                }
            }
        }
        Ok(())
    }

    fn notices(&self, state: &State, event: &Event, out: &mut Notices) {
        let seq = Some(limits::signed(event.seq));
        for c in state.campaigns.values() {
            let Some(HistoryEntry {
                change: CampaignChange::PhaseChanged { from, to, reason },
                ..
            }) = c.history.last().filter(|h| h.seq == seq)
            else {
                continue;
            };
            let kind = NotificationKind::PhaseChanged {
                campaign: c.id.clone(),
                from: *from,
                to: *to,
                operational_approval: false,
                reason: reason.clone(),
                figures: None,
            };
            for r in state.campaign_parties(c) {
                out.push((r, kind.clone()));
            }
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::Region;
    use crate::model::catalogue::HanBand;
    use crate::write::spec::{catalogue, day, given};

    fn variant(id: &str) -> Variant {
        Variant {
            id: id.parse().unwrap(),
            manufacturer: "Acme".into(),
            model: "CH2".into(),
            hardware_version: "B".into(),
            han_band: HanBand::SingleBand,
            region: Region::South,
        }
    }

    fn firmware(version: &str, from: &[&str]) -> RegisterFirmware {
        RegisterFirmware {
            variant: "CH-N-DB".parse().unwrap(),
            version: version.parse().unwrap(),
            upgrades_from: from.iter().map(|v| v.parse().unwrap()).collect(),
            prerequisites: Vec::new(),
        }
    }

    #[test]
    fn the_dcc_registers_a_variant() {
        let v = variant("CH-S-SB");
        given(&[])
            .when(
                &Actor::Dcc,
                day(1),
                RegisterVariant {
                    variant: Box::new(v.clone()),
                },
            )
            .then(vec![VariantRegistered {
                variant: Box::new(v),
            }
            .into()]);
    }

    #[test]
    fn only_the_dcc_registers_a_variant_and_only_once() {
        let register = RegisterVariant {
            variant: Box::new(variant("CH-N-DB")),
        };
        given(&[])
            .when(&Actor::customer("SUP-A").unwrap(), day(1), register.clone())
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue()])
            .when(&Actor::Dcc, day(1), register)
            .then_error(ErrorKind::AlreadyExists, None);
    }

    #[test]
    fn the_regions_csp_registers_firmware_on_a_pathway() {
        given(&[catalogue()])
            .when(
                &Actor::Csp(Region::North),
                day(1),
                firmware("3.0", &["2.0"]),
            )
            .then(vec![FirmwareRegistered {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                upgrades_from: vec!["2.0".parse().unwrap()],
                prerequisites: Vec::new(),
            }
            .into()]);
        given(&[catalogue()])
            .when(&Actor::Dcc, day(1), firmware("3.0", &["2.0"]))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue()])
            .when(
                &Actor::Csp(Region::South),
                day(1),
                firmware("3.0", &["2.0"]),
            )
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue()])
            .when(
                &Actor::Csp(Region::North),
                day(1),
                firmware("3.0", &["3.0"]),
            )
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::Pathway));
        given(&[catalogue()])
            .when(
                &Actor::Csp(Region::North),
                day(1),
                firmware("3.0", &["0.9"]),
            )
            .then_error(ErrorKind::NotFound, None);
    }

    #[test]
    fn gates_are_recorded_in_order_by_their_recorder() {
        let gate = |gate| RecordGate {
            variant: "CH-N-DB".parse().unwrap(),
            version: "3.0".parse().unwrap(),
            gate,
            note: None,
        };
        let with_3 = vec![(
            Actor::Csp(Region::North),
            day(1),
            firmware("3.0", &["2.0"]).into(),
        )];
        given(&[catalogue(), with_3.clone()])
            .when(&Actor::Dcc, day(2), gate(Gate::DccTestApproved))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::GateOrder));
        given(&[catalogue(), with_3.clone()])
            .when(&Actor::Dcc, day(2), gate(Gate::CspApproved))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), with_3])
            .when(&Actor::Csp(Region::North), day(2), gate(Gate::CspApproved))
            .then(vec![GateRecorded {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                gate: Gate::CspApproved,
                note: None,
            }
            .into()]);
    }

    fn withdraw(gate: Gate, version: &str) -> WithdrawGate {
        WithdrawGate {
            variant: "CH-N-DB".parse().unwrap(),
            version: version.parse().unwrap(),
            gate,
            reason: "field reports of IHD pairing loss".into(),
        }
    }

    fn c1() -> crate::kernel::ids::CampaignId {
        "C1".parse().unwrap()
    }

    #[test]
    fn a_log_cannot_resume_a_recalled_campaign_or_withdraw_without_a_reason() {
        use crate::write::campaigns::CampaignPhaseChanged;
        use crate::write::spec::{estate, pilot};
        let recalled = vec![(
            Actor::Dcc,
            day(3),
            withdraw(Gate::ProductionCpl, "2.0").into(),
        )];
        let err = given(&[catalogue(), estate(), pilot(), recalled]).refuses_recorded(
            &Actor::Dcc,
            day(4),
            CampaignPhaseChanged {
                campaign: c1(),
                from: Phase::Suspended,
                to: Phase::Pilot,
                reason: None,
                figures: None,
            }
            .into(),
        );
        assert!(err.to_string().contains("off the production CPL"), "{err}");
        let err = given(&[catalogue(), estate(), pilot()]).refuses_recorded(
            &Actor::Dcc,
            day(3),
            GateWithdrawn {
                variant: "CH-N-DB".parse().unwrap(),
                version: "2.0".parse().unwrap(),
                gate: Gate::ProductionCpl,
                reason: "  ".into(),
            }
            .into(),
        );
        assert!(
            err.to_string().contains("a withdrawal needs a reason"),
            "{err}"
        );
    }

    #[test]
    fn the_dcc_recalls_a_version_and_its_live_campaigns_stop_until_it_passes_again() {
        use crate::write::spec::{estate, pilot, sup};
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), withdraw(Gate::ProductionCpl, "2.0"))
            .then(vec![GateWithdrawn {
                variant: "CH-N-DB".parse().unwrap(),
                version: "2.0".parse().unwrap(),
                gate: Gate::ProductionCpl,
                reason: "field reports of IHD pairing loss".into(),
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["phase_changed"])
            .then_view(
                |e| {
                    let s = e.state();
                    let fw = s
                        .firmware_versions(&sup("SUP-B"), &"CH-N-DB".parse().unwrap())
                        .unwrap()
                        .pop()
                        .unwrap();
                    (
                        s.campaign(&Actor::Dcc, &c1()).unwrap().phase,
                        fw.on_production_cpl,
                        fw.withdrawals.iter().map(|w| w.gate).collect::<Vec<_>>(),
                    )
                },
                (Phase::Suspended, false, vec![Gate::ProductionCpl]),
            );
        let recalled: Vec<crate::write::spec::Step> = vec![(
            Actor::Dcc,
            day(3),
            withdraw(Gate::ProductionCpl, "2.0").into(),
        )];
        // The DCC cannot resume it while the version is off the CPL; passing the gate again
        // lets it.
        given(&[catalogue(), estate(), pilot(), recalled.clone()])
            .when(
                &Actor::Dcc,
                day(4),
                crate::write::command::ResumeCampaign { campaign: c1() },
            )
            .then_error(
                ErrorKind::PreconditionFailed,
                Some(Rule::NotOnProductionCpl),
            );
        let again: Vec<crate::write::spec::Step> = vec![(
            Actor::Dcc,
            day(4),
            RecordGate {
                variant: "CH-N-DB".parse().unwrap(),
                version: "2.0".parse().unwrap(),
                gate: Gate::ProductionCpl,
                note: None,
            }
            .into(),
        )];
        given(&[catalogue(), estate(), pilot(), recalled, again])
            .when(
                &Actor::Dcc,
                day(5),
                crate::write::command::ResumeCampaign { campaign: c1() },
            )
            .then_view(
                |e| e.state().campaign(&Actor::Dcc, &c1()).unwrap().phase,
                Phase::Pilot,
            );
    }

    #[test]
    fn the_dcc_taking_back_customer_testing_recalls_as_the_systems_act() {
        use crate::write::spec::{estate, pilot, sup};
        given(&[catalogue(), estate(), pilot()])
            .when(&Actor::Dcc, day(3), withdraw(Gate::CustomerTested, "2.0"))
            .then_notices(&sup("SUP-B"), &["phase_changed"])
            .then_view(
                |e| {
                    let h = e.state().campaign(&sup("SUP-B"), &c1()).unwrap().history;
                    let last = h.last().unwrap().clone();
                    (
                        last.actor,
                        matches!(
                            last.change,
                            CampaignChange::PhaseChanged {
                                to: Phase::Suspended,
                                ..
                            }
                        ),
                    )
                },
                (Actor::System, true),
            );
    }

    #[test]
    fn a_gate_is_withdrawn_by_its_recorder_only_with_every_later_gate() {
        use crate::write::spec::sup;
        // The CSP takes back its approval: every gate after it goes too.
        given(&[catalogue()])
            .when(
                &Actor::Csp(Region::North),
                day(3),
                withdraw(Gate::CspApproved, "1.1"),
            )
            .then_view(
                |e| {
                    let fw = e
                        .state()
                        .firmware_versions(&Actor::Dcc, &"CH-N-DB".parse().unwrap())
                        .unwrap();
                    (fw[1].gates.len(), fw[0].gates.len())
                },
                (0, Gate::ALL.len()),
            );
        for (actor, gate) in [
            (sup("SUP-A"), Gate::ProductionCpl),
            (Actor::Csp(Region::North), Gate::DccTestApproved),
            (Actor::Csp(Region::South), Gate::CspApproved),
            (sup("SUP-A"), Gate::CustomerTested), // the DCC's: it closed it
            (Actor::Csp(Region::North), Gate::CustomerTested),
        ] {
            given(&[catalogue()])
                .when(&actor, day(3), withdraw(gate, "2.0"))
                .then_error(ErrorKind::NotPermitted, None);
        }
        given(&[catalogue()])
            .when(&Actor::Dcc, day(3), withdraw(Gate::CustomerTested, "2.0"))
            .then_view(
                |e| {
                    e.state()
                        .firmware_versions(&sup("SUP-B"), &"CH-N-DB".parse().unwrap())
                        .unwrap()[2]
                        .withdrawals[0]
                        .by
                        .clone()
                },
                Some(Actor::Dcc),
            );
        given(&[catalogue()])
            .when(
                &Actor::Dcc,
                day(3),
                WithdrawGate {
                    reason: " ".into(),
                    ..withdraw(Gate::ProductionCpl, "2.0")
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue()])
            .when(&Actor::Dcc, day(3), withdraw(Gate::ProductionCpl, "9.9"))
            .then_error(ErrorKind::NotFound, None);
        let once: Vec<crate::write::spec::Step> = vec![(
            Actor::Dcc,
            day(3),
            withdraw(Gate::ProductionCpl, "2.0").into(),
        )];
        given(&[catalogue(), once])
            .when(&Actor::Dcc, day(4), withdraw(Gate::ProductionCpl, "2.0"))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }
}
