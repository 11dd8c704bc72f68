//! Business rules (docs/domain.md decision 16; docs/rules.md): a party's standing instructions,
//! "when this happens, if this holds, do this". A rule acts only through what its owner may do
//! by command, and each act is recorded as the owner's, naming the rule and its version.
//!
//! This file holds the data: what an owner writes ([`RuleSpec`]), what is kept ([`Rules`]) and
//! what the rules' acts left in force (approvals live with each campaign's consents; holds and
//! priorities here, per hub). The condition language is in `write/rules/condition.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::model::estate::CustomerIdx;

/// What sets a rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleTrigger {
    /// A hub installed (one hub, not a bulk load of the inventory).
    HubInstalled,
    /// A hub commissioned.
    HubCommissioned,
    /// The firmware of a hub's HAN device changed (recorded by the DCC or the supplier).
    HanDeviceFirmwareChanged,
    /// A campaign created.
    CampaignCreated,
    /// A campaign moved phase (OA for the pilot or for mass rollout, suspended, resumed,
    /// completed, cancelled).
    CampaignPhaseChanged,
    /// A defect flag raised (by any customer) on a configuration set or a firmware version.
    DefectFlagRaised,
    /// A date reached: evaluated when the host's clock passes it, as deadlines are
    /// (`check_deadlines`), once.
    DateReached { at: DateTime<Utc> },
    /// The owner (a customer) told that the industry is leaving configuration sets it runs
    /// (a trend notice, at most once per set and window): its hubs on those sets.
    IndustryTrend,
}

/// Where a hold's days count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldFrom {
    /// The time the rule acts (the trigger's time).
    #[default]
    Trigger,
    /// The hub's installation date.
    Install,
    /// The hub's commissioning date (a hub not commissioned is held until released).
    Commission,
}

/// What a rule does, from a closed list. Each is something its owner may do by command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// A customer: consent, for its supply roles, to the matching hubs in the matching live
    /// campaigns (a configuration set at once where the condition reads only the set).
    Approve,
    /// A customer: reject the matching hubs in the matching live campaigns.
    Reject { reason: String },
    /// A customer: hold its matching hubs in every campaign, for `days` after `from` (none:
    /// until a `release` rule or the hold's own end).
    Hold {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        days: Option<i32>,
        // No UniFFI default: UniFFI 0.32 has none for an enum field; the JVM passes it.
        #[serde(default)]
        from: HoldFrom,
    },
    /// A customer: lift its rules' holds on the matching hubs.
    Release,
    /// A customer: put the matching hubs first in the CSP's list (within their campaign).
    Prioritise,
    /// The DCC: set the cut-off of the triggering campaign to `days` after the trigger (e.g.
    /// after the OA for mass rollout), with more days for named customers.
    SetCutoffs {
        days: i32,
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        extra: Vec<CutoffExtra>,
    },
    /// Anyone: a notification to the owner saying what happened (no hub list).
    Notify { text: String },
    /// The DCC: tell each customer with hubs on a matching configuration set (its own sets
    /// only; never who else was told), e.g. that the industry has moved off the set. The
    /// condition reads sets only.
    NotifyCustomers { text: String },
}

/// More days for one named customer in a `set_cutoffs` rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CutoffExtra {
    pub customer: CustomerId,
    pub days: i32,
}

impl RuleAction {
    /// The action's name, as its serialized form tags it.
    pub fn kind(&self) -> &'static str {
        match self {
            RuleAction::Approve => "approve",
            RuleAction::Reject { .. } => "reject",
            RuleAction::Hold { .. } => "hold",
            RuleAction::Release => "release",
            RuleAction::Prioritise => "prioritise",
            RuleAction::SetCutoffs { .. } => "set_cutoffs",
            RuleAction::Notify { .. } => "notify",
            RuleAction::NotifyCustomers { .. } => "notify_customers",
        }
    }

    /// Whether the action decides a hub's upgrade (and so conflicts with another rule's).
    pub fn decides(&self) -> bool {
        matches!(
            self,
            RuleAction::Approve
                | RuleAction::Reject { .. }
                | RuleAction::Hold { .. }
                | RuleAction::Release
        )
    }

    /// Of two deciding actions at the same priority, the safer acts: reject, then hold, then
    /// release, then approve (docs/rules.md).
    pub fn safety(&self) -> u8 {
        match self {
            RuleAction::Reject { .. } => 0,
            RuleAction::Hold { .. } => 1,
            RuleAction::Release => 2,
            RuleAction::Approve => 3,
            _ => 4,
        }
    }
}

/// A rule as its owner writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique among the owner's rules: 1 to 64 letters, digits, spaces and `- _ .`.
    pub name: String,
    pub trigger: RuleTrigger,
    /// A CEL expression over the documented attributes (docs/rules.md); empty: always.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub condition: String,
    pub action: RuleAction,
    /// Higher acts first when two of the owner's rules decide one hub (-1000 to 1000).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub priority: i32,
    /// The rule acts only at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub active_from: Option<DateTime<Utc>>,
    /// The rule acts only before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub active_until: Option<DateTime<Utc>>,
    /// Tell the owner each time the rule acts.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub notify: bool,
}

impl RuleSpec {
    /// Whether the rule is in force at `at`.
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.active_from.is_none_or(|f| at >= f) && self.active_until.is_none_or(|u| at < u)
    }
}

/// One of a party's rules as kept and as its owner lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleView {
    pub spec: RuleSpec,
    /// 1 when created; each change adds one.
    pub version: i32,
    pub saved_at: DateTime<Utc>,
    /// When retired: it no longer acts, and its name may be used again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub retired_at: Option<DateTime<Utc>>,
    /// For a `date_reached` rule: when it acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub fired_at: Option<DateTime<Utc>>,
}

/// A rule and version, as an act names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleRef {
    pub rule: String,
    pub version: i32,
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule {:?} v{}", self.rule, self.version)
    }
}

/// What a customer's rule left on a hub or a set: which rule, until when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Mark {
    pub by: RuleRef,
    /// A hold's end (None: until released); unused for approvals and rejections.
    pub until: Option<DateTime<Utc>>,
    pub reason: Arc<str>,
}

impl Mark {
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|u| now < u)
    }
}

/// One customer's rule marks on hubs (by estate position) and on configuration sets (by
/// index): a set's mark covers every hub of the set, present and future.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Marks {
    pub hubs: BTreeMap<u32, Mark>,
    pub sets: BTreeMap<u32, Mark>,
}

impl Marks {
    pub fn on(&self, pos: u32, set: u32) -> Option<&Mark> {
        self.hubs.get(&pos).or_else(|| self.sets.get(&set))
    }

    pub fn is_empty(&self) -> bool {
        self.hubs.is_empty() && self.sets.is_empty()
    }
}

/// What one customer's rules said in one campaign (kept with the campaign's consents).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct CampaignMarks {
    pub approved: Marks,
    pub rejected: Marks,
}

/// Every party's rules and what their acts left in force across campaigns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Rules {
    /// Per owner, per name (retired rules stay, so their acts can still be explained).
    pub by_owner: BTreeMap<Actor, BTreeMap<String, RuleView>>,
    /// Per customer: hubs and sets its rules hold, in every campaign.
    pub held: BTreeMap<CustomerIdx, Marks>,
    /// Per customer: hubs and sets its rules put first in the CSP's list.
    pub prioritised: BTreeMap<CustomerIdx, Marks>,
}

impl Rules {
    /// The rules in force of every owner that listen for a trigger at `at`, in the order they
    /// act: by owner, then priority (highest first), then the safer action, then name.
    pub fn listening<'a>(
        &'a self,
        at: DateTime<Utc>,
        wants: impl Fn(&RuleTrigger) -> bool + 'a,
    ) -> Vec<(&'a Actor, &'a RuleView)> {
        let mut out = Vec::new();
        for (owner, rules) in &self.by_owner {
            Self::in_force(owner, rules, at, &wants, &mut out);
        }
        out
    }

    /// [`Rules::listening`] for the rules of `owners` only (in the owners' order; the parties
    /// that may see one hub, so a hub's trigger does not walk every party's rules).
    pub fn listening_of<'a>(
        &'a self,
        owners: &[Actor],
        at: DateTime<Utc>,
        wants: impl Fn(&RuleTrigger) -> bool + 'a,
    ) -> Vec<(&'a Actor, &'a RuleView)> {
        let mut out = Vec::new();
        for owner in owners {
            if let Some((owner, rules)) = self.by_owner.get_key_value(owner) {
                Self::in_force(owner, rules, at, &wants, &mut out);
            }
        }
        out
    }

    fn in_force<'a>(
        owner: &'a Actor,
        rules: &'a BTreeMap<String, RuleView>,
        at: DateTime<Utc>,
        wants: &impl Fn(&RuleTrigger) -> bool,
        out: &mut Vec<(&'a Actor, &'a RuleView)>,
    ) {
        let first = out.len();
        out.extend(
            rules
                .values()
                .filter(|r| {
                    r.retired_at.is_none() && r.spec.active_at(at) && wants(&r.spec.trigger)
                })
                .map(|r| (owner, r)),
        );
        out[first..].sort_by(|a, b| act_order(&a.1.spec, &b.1.spec));
    }

    /// The live rules of an owner (not retired).
    pub fn live_count(&self, owner: &Actor) -> usize {
        self.by_owner
            .get(owner)
            .map_or(0, |m| m.values().filter(|r| r.retired_at.is_none()).count())
    }

    /// Drops what `customer`'s rules held or prioritised on the hub at `pos` (it no longer
    /// supplies it: docs/domain.md invariant 7).
    pub fn forget(&mut self, customer: CustomerIdx, pos: u32) {
        for map in [&mut self.held, &mut self.prioritised] {
            if let Some(m) = map.get_mut(&customer) {
                m.hubs.remove(&pos);
                if m.is_empty() {
                    map.remove(&customer);
                }
            }
        }
    }
}

/// The order in which one owner's rules act (docs/rules.md): priority, highest first; then the
/// safer action; then the name.
pub fn act_order(a: &RuleSpec, b: &RuleSpec) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.action.safety().cmp(&b.action.safety()))
        .then(a.name.cmp(&b.name))
}

/// What a rule would do on its owner's estate now (the dry run), scoped as the owner's views
/// are: per campaign (approve and reject act per campaign) and action, the hubs and sets; a
/// sample of hubs; the hubs an earlier rule of the owner decides instead; evaluation errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DryRun {
    pub rule: String,
    /// The version it would be saved as.
    pub version: i32,
    pub counts: Vec<DryRunCount>,
    /// Up to 20 hubs it would act on.
    pub sample: Vec<crate::kernel::ids::HubId>,
    /// Hubs it matches that one of the owner's rules acting earlier (docs/rules.md's order)
    /// decides instead.
    pub overridden: i64,
    /// Evaluations that failed at run time (e.g. an index out of range): the rule does not act
    /// there.
    pub errors: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub first_error: Option<String>,
}

/// One line of a dry run: what it would do, where, to how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DryRunCount {
    /// The act (`approved`, `rejected`, `held`, `released`, `prioritised`, `cutoffs_set`,
    /// `notified`).
    pub act: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub campaign: Option<crate::kernel::ids::CampaignId>,
    /// Hubs named one by one, and configuration sets (each covering all its hubs).
    pub hubs: i64,
    pub sets: i64,
    /// Hubs on those sets now that the owner may see: a customer's own; for the DCC's
    /// `customers_notified`, every hub on the sets it tells customers of.
    pub hubs_in_sets: i64,
}
