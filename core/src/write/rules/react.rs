//! What rules do when an event sets them off (docs/rules.md): decided in the same command as
//! the event, on the state before it with what the event changes in view, so the acts are
//! recorded with it, all or nothing, and a replay (or a signed log's re-decision) gives the
//! same acts.
//!
//! One planner serves the live triggers and the dry run: for one owner, its rules in their
//! order (priority, then the safer action, then name) over groups of hubs that share a
//! configuration set. A condition that reads only the set is worked out once per set, and
//! acts on the set (covering its future hubs too) unless an earlier rule already decided some
//! of its hubs; one that reads the hub is worked out per hub. Of an owner's rules that decide
//! the same thing (consent in a campaign; a hold), the first in order acts; the others are
//! counted as overridden.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cel::objects::Value;
use chrono::{DateTime, NaiveDate, Utc};

use super::condition::{self, timestamp, version_key, Condition, Facts, Level};
use super::{mark, CustomerCutoff, RuleAct, RuleActed};
use crate::kernel::error::{Entity, Error};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId};
use crate::kernel::limits;
use crate::kernel::phase::Phase;
use crate::model::campaigns::Campaign;
use crate::model::catalogue::{FirmwareIdx, VariantIdx};
use crate::model::defects::Resolved;
use crate::model::estate::{
    ConfigurationSet, CustomerIdx, HanDevice, HanDeviceKind, HubRecord, HubRow, SmiStatus,
    SupplyRole, NO_CUSTOMER, NO_DEVICE,
};
use crate::model::rules::{RuleAction, RuleRef, RuleSpec, RuleTrigger, RuleView};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// What set rules off: its kind (as `trigger.kind` reads it), a device and a phase where it
/// has them, and its time (`now`).
#[derive(Debug, Clone)]
pub(crate) struct Trigger {
    pub kind: &'static str,
    pub device: Option<HanDeviceKind>,
    pub phase: Phase,
    pub at: DateTime<Utc>,
}

impl Trigger {
    fn new(kind: &'static str, at: DateTime<Utc>) -> Trigger {
        Trigger {
            kind,
            device: None,
            phase: Phase::Draft,
            at,
        }
    }
}

/// The kind a rule trigger is named by.
pub(crate) fn trigger_kind(t: &RuleTrigger) -> &'static str {
    match t {
        RuleTrigger::HubInstalled => "hub_installed",
        RuleTrigger::HubCommissioned => "hub_commissioned",
        RuleTrigger::HanDeviceFirmwareChanged => "han_device_firmware_changed",
        RuleTrigger::CampaignCreated => "campaign_created",
        RuleTrigger::CampaignPhaseChanged => "campaign_phase_changed",
        RuleTrigger::DefectFlagRaised => "defect_flag_raised",
        RuleTrigger::DateReached { .. } => "date_reached",
        RuleTrigger::IndustryTrend => "industry_trend",
    }
}

/// A configuration set as a condition reads it.
#[derive(Clone, Copy)]
struct SetFacts<'a> {
    /// Its index, where the set is in the estate as it is (not for a hub being installed or
    /// whose device is changing): set-level acts need it.
    config: Option<u32>,
    variant: VariantIdx,
    firmware: FirmwareIdx,
    devices: [Option<&'a HanDevice>; 5],
}

/// One hub as a condition reads it (its set's attributes are in [`SetFacts`]).
#[derive(Clone, Copy)]
struct HubFacts {
    id: HubId,
    smi: SmiStatus,
    installed: NaiveDate,
    commissioned: Option<NaiveDate>,
    split: bool,
    protected: bool,
    /// The owner's roles: bit 1 import, bit 2 gas.
    roles: u8,
}

/// A campaign as a condition reads it (for a campaign being created, from its event).
#[derive(Clone)]
pub(crate) struct CampaignFacts {
    id: CampaignId,
    variant: VariantIdx,
    target: FirmwareIdx,
    phase: Phase,
}

impl CampaignFacts {
    fn of(c: &Campaign) -> CampaignFacts {
        CampaignFacts {
            id: c.id.clone(),
            variant: c.variant,
            target: c.target,
            phase: c.phase,
        }
    }
}

fn closed(p: Phase) -> bool {
    matches!(p, Phase::Completed | Phase::Cancelled)
}

/// Everything one evaluation reads.
struct Eval<'a> {
    state: &'a State,
    trigger: &'a Trigger,
    set: Option<SetFacts<'a>>,
    flagged: bool,
    /// The set's share of its variant's hubs, in percent (the DCC's rules only).
    share: Option<f64>,
    hub: Option<HubFacts>,
    campaign: Option<&'a CampaignFacts>,
}

fn text(s: &str) -> Value {
    Value::String(std::sync::Arc::new(s.to_string()))
}

fn day_start(d: NaiveDate) -> Value {
    timestamp(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

impl Facts for Eval<'_> {
    fn value(&self, name: &str) -> Option<Value> {
        let s = self.state;
        if let Some((root, field)) = name.split_once('.') {
            if let Some(kind) = HanDeviceKind::ALL.iter().position(|k| k.as_str() == root) {
                let d = self.set?.devices[kind];
                return Some(match field {
                    "present" => Value::Bool(d.is_some()),
                    "model" => text(d.map_or("", |d| d.model.as_str())),
                    "firmware" => text(&version_key(d.map_or("", |d| d.firmware.as_str()))),
                    _ => return None,
                });
            }
        }
        Some(match name {
            "hub.variant" => text(s.catalogue.variant(self.set?.variant).id.as_str()),
            "hub.firmware" => text(&version_key(
                s.catalogue.fw(self.set?.firmware).version.as_str(),
            )),
            "hub.region" => text(s.catalogue.variant(self.set?.variant).region.as_str()),
            "set.flagged_by_me" => Value::Bool(self.flagged),
            "set.industry_share" => Value::Float(self.share?),
            "hub.id" => text(&self.hub?.id.to_string()),
            "hub.smi_status" => text(self.hub?.smi.as_str()),
            "hub.installed" => day_start(self.hub?.installed),
            "hub.commissioned" => day_start(
                self.hub?
                    .commissioned
                    .unwrap_or(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()),
            ),
            "hub.is_commissioned" => Value::Bool(self.hub?.commissioned.is_some()),
            "hub.split_supply" => Value::Bool(self.hub?.split),
            "hub.protected" => Value::Bool(self.hub?.protected),
            "hub.my_roles" => {
                let r = self.hub?.roles;
                let mut out = Vec::new();
                if r & 1 != 0 {
                    out.push(text("import"));
                }
                if r & 2 != 0 {
                    out.push(text("gas"));
                }
                Value::List(std::sync::Arc::new(out))
            }
            "campaign.id" => text(self.campaign?.id.as_str()),
            "campaign.variant" => text(s.catalogue.variant(self.campaign?.variant).id.as_str()),
            "campaign.target" => text(&version_key(
                s.catalogue.fw(self.campaign?.target).version.as_str(),
            )),
            "campaign.phase" => text(self.campaign?.phase.as_str()),
            "trigger.kind" => text(self.trigger.kind),
            "trigger.device" => text(self.trigger.device.map_or("", |d| d.as_str())),
            "trigger.phase" => text(self.trigger.phase.as_str()),
            "now" => timestamp(self.trigger.at),
            _ => return None,
        })
    }
}

fn date_of(days: i32) -> Option<NaiveDate> {
    crate::model::estate::date_from_days(days)
}

impl State {
    fn set_facts(&self, config: u32) -> SetFacts<'_> {
        let set = self.estate.configs.resolve(config);
        let mut devices = [None; 5];
        for (slot, &d) in devices.iter_mut().zip(set.devices.iter()) {
            if d != NO_DEVICE {
                *slot = Some(self.estate.devices.resolve(d));
            }
        }
        SetFacts {
            config: Some(config),
            variant: set.variant,
            firmware: set.firmware,
            devices,
        }
    }

    /// Sets `owner` flagged (its open defect flags, on a set or on a firmware version).
    fn flagged_by(&self, owner: Option<CustomerIdx>) -> (BTreeSet<u32>, BTreeSet<FirmwareIdx>) {
        let mut sets = BTreeSet::new();
        let mut firmware = BTreeSet::new();
        let Some(me) = owner else {
            return (sets, firmware);
        };
        for d in self.defects.iter().filter(|d| d.customer == me) {
            match d.resolved {
                Resolved::Config(c) => {
                    sets.insert(c);
                }
                Resolved::Firmware(f) => {
                    firmware.insert(f);
                }
            }
        }
        (sets, firmware)
    }
}

fn hub_facts_of(h: &HubRecord, _pos: usize, owner: Option<CustomerIdx>) -> HubFacts {
    let mut roles = 0;
    if let Some(me) = owner {
        if h.import_supplier == me {
            roles |= 1;
        }
        if h.gas_supplier == me {
            roles |= 2;
        }
    }
    HubFacts {
        id: h.id,
        smi: h.smi,
        installed: date_of(h.installed).unwrap_or_default(),
        commissioned: date_of(h.commissioned),
        split: h.is_split_supply(),
        protected: SupplyRole::ALL.iter().any(|&r| {
            let f = h.flags(r);
            f.vulnerable || f.high_risk
        }),
        roles,
    }
}

/// One rule ready to act: its owner's view of it and its checked condition.
pub(crate) struct Ready<'a> {
    pub spec: &'a RuleSpec,
    pub by: RuleRef,
    pub condition: Condition,
}

impl<'a> Ready<'a> {
    pub fn of(owner: &Actor, view: &'a RuleView) -> Option<Ready<'a>> {
        let condition =
            condition::checked(&view.spec.condition, super::scope_of(&view.spec, owner)).ok()?;
        Some(Ready {
            spec: &view.spec,
            by: RuleRef {
                rule: view.spec.name.clone(),
                version: view.version,
            },
            condition,
        })
    }
}

/// What a decision is about: consent in one campaign, a hold, a priority.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Dim {
    Consent(CampaignId),
    Hold,
    Priority,
}

/// What the planner found for one rule (the dry run reports it).
#[derive(Debug, Default, Clone)]
pub(crate) struct RuleStats {
    /// Hubs and sets it would act on.
    pub hubs: u64,
    pub sets: u64,
    /// Hubs it matched that an earlier rule of the owner decided.
    pub overridden: u64,
    /// Evaluations that failed, with the first reason.
    pub errors: u64,
    pub first_error: Option<String>,
    /// A few hubs it acts on.
    pub sample: Vec<HubId>,
    /// Per campaign: hubs and sets (approve and reject act per campaign).
    pub per_campaign: BTreeMap<CampaignId, (u64, u64)>,
}

/// An act's key: the rule (its index), the campaign (consent acts), the hold's end.
type ActKey = (usize, Option<CampaignId>, Option<DateTime<Utc>>);

/// The acts planned for one owner: per key, the sets and the hubs.
#[derive(Default)]
struct Acts {
    by: BTreeMap<ActKey, (BTreeSet<u32>, Vec<HubId>)>,
    notify: BTreeSet<usize>,
    cutoffs: Vec<(usize, CampaignId)>,
    /// The DCC's `notify_customers` rules: the sets each matched.
    customers: BTreeMap<usize, BTreeSet<u32>>,
}

/// A group of hubs with one set: the set and each hub.
struct Group<'a> {
    set: SetFacts<'a>,
    /// The owner's hubs in the set.
    count: usize,
    /// Each of them, where a rule needs them one by one (a condition on a hub, a hold that
    /// ends per hub, a dry run's sample); empty otherwise, so that a rule set on sets alone
    /// costs one pass over the estate, not a list of every hub.
    hubs: Vec<HubFacts>,
}

/// The planner's input for one owner and one trigger.
struct Plan<'s, 'r> {
    state: &'s State,
    owner: &'s Actor,
    me: Option<CustomerIdx>,
    trigger: &'s Trigger,
    rules: &'r [Ready<'r>],
    /// The campaign of a campaign trigger, seen in the phase it moves to.
    campaign: Option<CampaignFacts>,
    flagged: (BTreeSet<u32>, BTreeSet<FirmwareIdx>),
    /// Per configuration set, its share of its variant's hubs in percent: for the DCC's rules
    /// (empty for anyone else's).
    shares: Vec<f64>,
    /// Answers of conditions that read no campaign, by (rule, set or hub): worked out once,
    /// not once per campaign.
    memo: std::cell::RefCell<std::collections::HashMap<(usize, u64), bool>>,
}

const SAMPLE: usize = 20;

impl<'s> Plan<'s, '_> {
    /// The campaigns a consent act of a hub of `variant` applies in: the trigger's, or every
    /// campaign of the variant not closed.
    fn campaigns_for(&self, variant: VariantIdx) -> Vec<CampaignFacts> {
        match &self.campaign {
            Some(c) => (c.variant == variant && !closed(c.phase))
                .then(|| c.clone())
                .into_iter()
                .collect(),
            None => self
                .state
                .campaigns
                .values()
                .filter(|c| c.variant == variant && !closed(c.phase))
                .map(CampaignFacts::of)
                .collect(),
        }
    }

    fn flagged(&self, set: &SetFacts<'_>) -> bool {
        set.config.is_some_and(|c| self.flagged.0.contains(&c))
            || self.flagged.1.contains(&set.firmware)
    }

    fn eval(
        &self,
        rule: &Ready<'_>,
        set: Option<&SetFacts<'s>>,
        hub: Option<HubFacts>,
        campaign: Option<&CampaignFacts>,
        stats: &mut RuleStats,
    ) -> bool {
        // One answer for every campaign where the condition reads none.
        let key = (!rule.condition.reads_campaign)
            .then(|| match (hub, set.and_then(|s| s.config)) {
                (Some(h), _) => Some(h.id.as_u64() | 1 << 63),
                (None, Some(cfg)) => Some(u64::from(cfg)),
                (None, None) => None,
            })
            .flatten()
            // The rule by its address: `rules` lives as long as the plan.
            .map(|k| (std::ptr::from_ref(rule.spec) as usize, k));
        if let Some(key) = key {
            if let Some(&b) = self.memo.borrow().get(&key) {
                return b;
            }
        }
        let e = Eval {
            state: self.state,
            trigger: self.trigger,
            set: set.copied(),
            flagged: set.is_some_and(|s| self.flagged(s)),
            share: set
                .and_then(|s| s.config)
                .and_then(|c| self.shares.get(c as usize).copied()),
            hub,
            campaign,
        };
        let answer = match rule.condition.holds(&e) {
            Ok(b) => b,
            Err(why) => {
                stats.errors += 1;
                stats.first_error.get_or_insert(why);
                false
            }
        };
        if let Some(key) = key {
            self.memo.borrow_mut().insert(key, answer);
        }
        answer
    }

    /// Plans every rule over `groups` (hub-scoped rules), or once (rules that act on no hub).
    fn run(&self, groups: &[Group<'s>], stats: &mut [RuleStats]) -> Acts {
        let mut acts = Acts::default();
        let _ = self.me;
        let mut decided_sets: HashSet<(Dim, u32)> = HashSet::new();
        let mut decided_hubs: HashSet<(Dim, HubId)> = HashSet::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            let st = &mut stats[ri];
            match &rule.spec.action {
                RuleAction::Notify { .. } | RuleAction::SetCutoffs { .. } => {
                    let scope = super::scope_of(rule.spec, self.owner);
                    let holds = if scope.hubs {
                        groups.iter().any(|g| {
                            g.hubs.iter().any(|h| {
                                self.eval(rule, Some(&g.set), Some(*h), self.campaign.as_ref(), st)
                            })
                        })
                    } else {
                        self.eval(rule, None, None, self.campaign.as_ref(), st)
                    };
                    if holds {
                        match (&rule.spec.action, &self.campaign) {
                            (RuleAction::SetCutoffs { .. }, Some(c)) => {
                                acts.cutoffs.push((ri, c.id.clone()))
                            }
                            (RuleAction::SetCutoffs { .. }, None) => {}
                            _ => {
                                acts.notify.insert(ri);
                            }
                        }
                    }
                    continue;
                }
                _ => {}
            }
            if let RuleAction::NotifyCustomers { .. } = rule.spec.action {
                for g in groups {
                    if let Some(cfg) = g.set.config {
                        if self.eval(rule, Some(&g.set), None, self.campaign.as_ref(), st) {
                            acts.customers.entry(ri).or_default().insert(cfg);
                            st.sets += 1;
                        }
                    }
                }
                continue;
            }
            for g in groups {
                let per_campaign = matches!(
                    rule.spec.action,
                    RuleAction::Approve | RuleAction::Reject { .. }
                );
                if per_campaign {
                    for c in self.campaigns_for(g.set.variant) {
                        let dim = Dim::Consent(c.id.clone());
                        let cid = Some(c.id.clone());
                        self.plan_group(
                            ri,
                            rule,
                            g,
                            Some(&c),
                            dim,
                            cid,
                            &mut decided_sets,
                            &mut decided_hubs,
                            &mut acts,
                            st,
                        );
                    }
                } else {
                    let dim = match rule.spec.action {
                        RuleAction::Hold { .. } | RuleAction::Release => Dim::Hold,
                        _ => Dim::Priority,
                    };
                    self.plan_group(
                        ri,
                        rule,
                        g,
                        self.campaign.as_ref(),
                        dim,
                        None,
                        &mut decided_sets,
                        &mut decided_hubs,
                        &mut acts,
                        st,
                    );
                }
            }
        }
        acts
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_group(
        &self,
        ri: usize,
        rule: &Ready<'_>,
        g: &Group<'s>,
        c: Option<&CampaignFacts>,
        dim: Dim,
        cid: Option<CampaignId>,
        decided_sets: &mut HashSet<(Dim, u32)>,
        decided_hubs: &mut HashSet<(Dim, HubId)>,
        acts: &mut Acts,
        st: &mut RuleStats,
    ) {
        let set_key = g.set.config;
        if let Some(k) = set_key {
            if decided_sets.contains(&(dim.clone(), k)) {
                // An earlier rule decided the whole set: what this one matches is overridden.
                st.overridden += if rule.condition.level == Level::Set {
                    if self.eval(rule, Some(&g.set), None, c, st) {
                        g.count as u64
                    } else {
                        0
                    }
                } else {
                    g.hubs
                        .iter()
                        .filter(|h| self.eval(rule, Some(&g.set), Some(**h), c, st))
                        .count() as u64
                };
                return;
            }
        }
        // A hold from install or commission ends per hub: always per hub.
        let per_hub_until = matches!(
            rule.spec.action,
            RuleAction::Hold { days: Some(_), from, .. } if from != crate::model::rules::HoldFrom::Trigger
        );
        let set_level = rule.condition.level == Level::Set;
        let set_holds = set_level && self.eval(rule, Some(&g.set), None, c, st);
        if set_level && !set_holds {
            return;
        }
        let any_decided = g
            .hubs
            .iter()
            .any(|h| decided_hubs.contains(&(dim.clone(), h.id)));
        if set_level && !per_hub_until && !any_decided {
            if let Some(k) = set_key {
                decided_sets.insert((dim, k));
                let until = self.until(rule, None);
                let entry = acts.by.entry((ri, cid.clone(), until)).or_default();
                entry.0.insert(k);
                st.sets += 1;
                st.hubs += g.count as u64;
                if let Some(id) = &cid {
                    let e = st.per_campaign.entry(id.clone()).or_default();
                    e.0 += g.count as u64;
                    e.1 += 1;
                }
                for h in g.hubs.iter().take(SAMPLE.saturating_sub(st.sample.len())) {
                    st.sample.push(h.id);
                }
                return;
            }
        }
        for h in &g.hubs {
            if decided_hubs.contains(&(dim.clone(), h.id)) {
                if set_holds || self.eval(rule, Some(&g.set), Some(*h), c, st) {
                    st.overridden += 1;
                }
                continue;
            }
            if !set_holds && !self.eval(rule, Some(&g.set), Some(*h), c, st) {
                continue;
            }
            decided_hubs.insert((dim.clone(), h.id));
            let until = self.until(rule, Some(h));
            acts.by
                .entry((ri, cid.clone(), until))
                .or_default()
                .1
                .push(h.id);
            st.hubs += 1;
            if let Some(id) = &cid {
                st.per_campaign.entry(id.clone()).or_default().0 += 1;
            }
            if st.sample.len() < SAMPLE {
                st.sample.push(h.id);
            }
        }
    }

    /// When a hold ends: `days` after the trigger, the hub's install or its commissioning.
    fn until(&self, rule: &Ready<'_>, hub: Option<&HubFacts>) -> Option<DateTime<Utc>> {
        let RuleAction::Hold {
            days: Some(days),
            from,
            ..
        } = &rule.spec.action
        else {
            return None;
        };
        use crate::model::rules::HoldFrom;
        let start = match from {
            HoldFrom::Trigger => self.trigger.at,
            HoldFrom::Install => hub?.installed.and_hms_opt(0, 0, 0)?.and_utc(),
            // Not commissioned: held until released (no end).
            HoldFrom::Commission => hub?.commissioned?.and_hms_opt(0, 0, 0)?.and_utc(),
        };
        start.checked_add_signed(chrono::Duration::days(i64::from(*days)))
    }

    /// The planned acts as events, hubs in chunks of at most [`limits::MAX_HUBS_PER_COMMAND`].
    fn events(&self, acts: Acts, out: &mut Vec<EventPayload>) -> Result<(), Error> {
        let trigger = self.trigger.kind.to_string();
        let push = |out: &mut Vec<EventPayload>, ri: usize, act: RuleAct| {
            out.push(
                RuleActed {
                    owner: self.owner.clone(),
                    rule: self.rules[ri].by.clone(),
                    trigger: trigger.clone(),
                    act,
                }
                .into(),
            );
        };
        for ((ri, campaign, until), (sets, hubs)) in acts.by {
            let sets: Vec<ConfigurationSet> = sets
                .iter()
                .map(|&c| self.state.configuration_set(c))
                .collect();
            let mut chunks: Vec<Vec<HubId>> = hubs
                .chunks(limits::MAX_HUBS_PER_COMMAND)
                .map(<[HubId]>::to_vec)
                .collect();
            if chunks.is_empty() {
                chunks.push(Vec::new());
            }
            for (i, hubs) in chunks.into_iter().enumerate() {
                let sets = if i == 0 { sets.clone() } else { Vec::new() };
                let act = match &self.rules[ri].spec.action {
                    RuleAction::Approve | RuleAction::Reject { .. } if campaign.is_none() => {
                        continue
                    }
                    RuleAction::Approve => RuleAct::Approved {
                        campaign: campaign.clone().expect("checked above"),
                        sets,
                        hubs,
                    },
                    RuleAction::Reject { reason } => RuleAct::Rejected {
                        campaign: campaign.clone().expect("checked above"),
                        sets,
                        hubs,
                        reason: reason.clone(),
                    },
                    RuleAction::Hold { reason, .. } => RuleAct::Held {
                        sets,
                        hubs,
                        until,
                        reason: reason.clone(),
                    },
                    RuleAction::Release => RuleAct::Released { sets, hubs },
                    RuleAction::Prioritise => RuleAct::Prioritised { sets, hubs },
                    RuleAction::Notify { .. }
                    | RuleAction::SetCutoffs { .. }
                    | RuleAction::NotifyCustomers { .. } => continue,
                };
                push(out, ri, act);
            }
        }
        for (ri, campaign) in acts.cutoffs {
            let RuleAction::SetCutoffs { days, extra } = &self.rules[ri].spec.action else {
                continue;
            };
            let after = |d: i32| {
                self.trigger
                    .at
                    .checked_add_signed(chrono::Duration::days(i64::from(d)))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            };
            push(
                out,
                ri,
                RuleAct::CutoffsSet {
                    campaign,
                    cutoff: after(*days),
                    extra: extra
                        .iter()
                        .map(|e| CustomerCutoff {
                            customer: e.customer.clone(),
                            cutoff: after(days.saturating_add(e.days)),
                        })
                        .collect(),
                },
            );
        }
        for (ri, sets) in acts.customers {
            if let RuleAction::NotifyCustomers { text } = &self.rules[ri].spec.action {
                let sets = sets
                    .iter()
                    .map(|&c| self.state.configuration_set(c))
                    .collect();
                push(
                    out,
                    ri,
                    RuleAct::CustomersNotified {
                        sets,
                        text: text.clone(),
                    },
                );
            }
        }
        for ri in acts.notify {
            if let RuleAction::Notify { text } = &self.rules[ri].spec.action {
                push(out, ri, RuleAct::Notified { text: text.clone() });
            }
        }
        Ok(())
    }
}

/// Which of an owner's hubs a trigger concerns: those of a variant (a campaign's), of some sets
/// or of a firmware version (a flag's); each `None` selects all (a date: every hub).
#[derive(Default)]
struct Hubs {
    variant: Option<VariantIdx>,
    sets: Option<BTreeSet<u32>>,
    firmware: Option<FirmwareIdx>,
}

impl Hubs {
    /// Every hub of a variant (a campaign's).
    fn of_variant(variant: VariantIdx) -> Hubs {
        Hubs {
            variant: Some(variant),
            ..Hubs::default()
        }
    }

    fn selects(&self, h: &HubRecord) -> bool {
        self.variant.is_none_or(|v| v == h.variant)
            && self.sets.as_ref().is_none_or(|s| s.contains(&h.config))
            && self.firmware.is_none_or(|f| f == h.firmware)
    }
}

impl State {
    /// The acts of the rules the events `payloads` set off (decided on this state, before those
    /// events): appended to them by `decide`, so a command and its rules' acts are one.
    pub(crate) fn react(
        &self,
        at: DateTime<Utc>,
        payloads: &[EventPayload],
        deadline_check: bool,
    ) -> Result<Vec<EventPayload>, Error> {
        if self.rules.by_owner.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for p in payloads {
            match p {
                EventPayload::HubInstalled(e) => {
                    let row = &*e.hub;
                    self.react_row(at, row, "hub_installed", &mut out)?;
                    if row.smi_status == SmiStatus::Commissioned && row.commissioned_on.is_some() {
                        self.react_row(at, row, "hub_commissioned", &mut out)?;
                    }
                }
                EventPayload::HubCommissioned(e) => {
                    let Some(pos) = self.estate.position(e.hub) else {
                        continue;
                    };
                    let mut h = self.estate.hubs[pos];
                    h.smi = SmiStatus::Commissioned;
                    h.commissioned = chrono::Datelike::num_days_from_ce(&e.on);
                    let set = self.set_facts(h.config);
                    self.react_one(
                        at,
                        Trigger::new("hub_commissioned", at),
                        set,
                        &h,
                        pos,
                        &mut out,
                    )?;
                }
                EventPayload::HanDeviceFirmwareChanged(e) => {
                    let Some(pos) = self.estate.position(e.hub) else {
                        continue;
                    };
                    let h = self.estate.hubs[pos];
                    let kind = HanDeviceKind::ALL
                        .iter()
                        .position(|&k| k == e.device)
                        .unwrap_or(0);
                    let mut set = self.set_facts(h.config);
                    let changed =
                        set.devices[kind].map(|d| HanDevice::new(d.model.clone(), e.to.clone()));
                    let Some(changed) = changed else { continue };
                    set.devices[kind] = Some(&changed);
                    set.config = None; // the hub's set changes with it
                    let mut t = Trigger::new("han_device_firmware_changed", at);
                    t.device = Some(e.device);
                    self.react_one(at, t, set, &h, pos, &mut out)?;
                }
                EventPayload::CampaignCreated(e) => {
                    let Some(variant) = self.catalogue.variant_idx(&e.variant) else {
                        continue;
                    };
                    let Some(target) = self.catalogue.firmware_idx(variant, &e.target) else {
                        continue;
                    };
                    let draft = CampaignFacts {
                        id: e.campaign.clone(),
                        variant,
                        target,
                        phase: Phase::Draft,
                    };
                    let t = Trigger::new("campaign_created", at);
                    self.react_estate(
                        &t,
                        Some(draft),
                        Hubs::of_variant(variant),
                        None,
                        |r| matches!(r, RuleTrigger::CampaignCreated),
                        &mut out,
                    )?;
                }
                EventPayload::CampaignPhaseChanged(e) => {
                    let Some(c) = self.campaigns.get(&e.campaign) else {
                        continue;
                    };
                    let mut t = Trigger::new("campaign_phase_changed", at);
                    t.phase = e.to;
                    let facts = CampaignFacts {
                        phase: e.to,
                        ..CampaignFacts::of(c)
                    };
                    self.react_estate(
                        &t,
                        Some(facts),
                        Hubs::of_variant(c.variant),
                        None,
                        |r| matches!(r, RuleTrigger::CampaignPhaseChanged),
                        &mut out,
                    )?;
                }
                EventPayload::DefectFlagged(e) => {
                    let Ok(resolved) = self.resolve_subject(&e.subject, None) else {
                        continue;
                    };
                    let t = Trigger::new("defect_flag_raised", at);
                    let hubs = match resolved {
                        Resolved::Config(c) => Hubs {
                            variant: Some(self.estate.configs.resolve(c).variant),
                            sets: Some(BTreeSet::from([c])),
                            firmware: None,
                        },
                        Resolved::Firmware(f) => Hubs {
                            variant: Some(self.catalogue.fw(f).variant),
                            sets: None,
                            firmware: Some(f),
                        },
                    };
                    self.react_estate(
                        &t,
                        None,
                        hubs,
                        None,
                        |r| matches!(r, RuleTrigger::DefectFlagRaised),
                        &mut out,
                    )?;
                }
                EventPayload::IndustryTrendsNoticed(e) => {
                    // Each customer told: its rules over its hubs on the sets it was told of.
                    let mut told: BTreeMap<&crate::kernel::ids::CustomerId, BTreeSet<u32>> =
                        BTreeMap::new();
                    for n in &e.notices {
                        if let Some(code) = self.find_config(&n.trend.leaving.configuration_set) {
                            told.entry(&n.customer).or_default().insert(code);
                        }
                    }
                    let t = Trigger::new("industry_trend", at);
                    for (customer, sets) in told {
                        let owner = Actor::Customer(customer.clone());
                        let hubs = Hubs {
                            variant: None,
                            sets: Some(sets),
                            firmware: None,
                        };
                        self.react_estate(
                            &t,
                            None,
                            hubs,
                            Some(&owner),
                            |r| matches!(r, RuleTrigger::IndustryTrend),
                            &mut out,
                        )?;
                    }
                }
                _ => {}
            }
        }
        if deadline_check {
            self.react_dates(at, &mut out)?;
        }
        Ok(out)
    }

    /// Date rules whose date has come and that have not acted yet.
    fn react_dates(&self, at: DateTime<Utc>, out: &mut Vec<EventPayload>) -> Result<(), Error> {
        let due =
            |r: &RuleTrigger| matches!(r, RuleTrigger::DateReached { at: when } if *when <= at);
        for (owner, rules) in &self.rules.by_owner {
            for view in rules.values() {
                if view.retired_at.is_some()
                    || view.fired_at.is_some()
                    || !due(&view.spec.trigger)
                    || !view.spec.active_at(at)
                {
                    continue;
                }
                let Some(ready) = Ready::of(owner, view) else {
                    continue;
                };
                let t = Trigger::new("date_reached", at);
                let before = out.len();
                self.plan_owner(
                    owner,
                    &t,
                    None,
                    &Hubs::default(),
                    std::slice::from_ref(&ready),
                    None,
                    out,
                )?;
                if out.len() == before {
                    out.push(
                        RuleActed {
                            owner: owner.clone(),
                            rule: ready.by.clone(),
                            trigger: "date_reached".into(),
                            act: RuleAct::NothingToDo,
                        }
                        .into(),
                    );
                }
            }
        }
        Ok(())
    }

    fn react_row(
        &self,
        at: DateTime<Utc>,
        row: &HubRow,
        kind: &'static str,
        out: &mut Vec<EventPayload>,
    ) -> Result<(), Error> {
        let Some(variant) = self.catalogue.variant_idx(&row.variant) else {
            return Ok(());
        };
        let Some(firmware) = self.catalogue.firmware_idx(variant, &row.firmware) else {
            return Ok(());
        };
        let mut devices = [None; 5];
        for (slot, kind) in devices.iter_mut().zip(HanDeviceKind::ALL) {
            *slot = row.devices.get(kind);
        }
        let set = SetFacts {
            config: None,
            variant,
            firmware,
            devices,
        };
        let ids = [row.import_supplier.as_ref(), row.gas_supplier.as_ref()];
        let hub = HubFacts {
            id: row.id,
            smi: row.smi_status,
            installed: row.installed_on,
            commissioned: row.commissioned_on,
            split: matches!((ids[0], ids[1]), (Some(a), Some(b)) if a != b),
            protected: [row.import_flags, row.gas_flags]
                .iter()
                .any(|f| f.vulnerable || f.high_risk),
            roles: 0,
        };
        let idx = ids.map(|c| c.and_then(|c| self.estate.customer_idx(c)));
        let t = Trigger::new(kind, at);
        let wants = move |r: &RuleTrigger| trigger_kind(r) == kind;
        self.react_hub(&t, set, hub, idx, ids, wants, out)
    }

    fn react_one(
        &self,
        _at: DateTime<Utc>,
        t: Trigger,
        set: SetFacts<'_>,
        h: &HubRecord,
        pos: usize,
        out: &mut Vec<EventPayload>,
    ) -> Result<(), Error> {
        let hub = hub_facts_of(h, pos, None);
        let idx = [h.import_supplier, h.gas_supplier].map(|c| (c != NO_CUSTOMER).then_some(c));
        let ids = idx.map(|c| c.and_then(|c| self.estate.customer(c)));
        let kind = t.kind;
        self.react_hub(
            &t,
            set,
            hub,
            idx,
            ids,
            move |r| trigger_kind(r) == kind,
            out,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn react_hub(
        &self,
        t: &Trigger,
        set: SetFacts<'_>,
        hub: HubFacts,
        idx: [Option<CustomerIdx>; 2],
        ids: [Option<&crate::kernel::ids::CustomerId>; 2],
        wants: impl Fn(&RuleTrigger) -> bool,
        out: &mut Vec<EventPayload>,
    ) -> Result<(), Error> {
        // Only the parties that may see this hub: the DCC, its region's CSP, its suppliers.
        let mut parties = vec![
            Actor::Dcc,
            Actor::Csp(self.catalogue.variant(set.variant).region),
        ];
        parties.extend(ids.iter().flatten().map(|&c| Actor::Customer(c.clone())));
        let listening = self.rules.listening_of(&parties, t.at, wants);
        let mut owners: BTreeMap<&Actor, Vec<Ready<'_>>> = BTreeMap::new();
        for (owner, view) in listening {
            if let Some(r) = Ready::of(owner, view) {
                owners.entry(owner).or_default().push(r);
            }
        }
        for (owner, rules) in owners {
            let me = owner
                .as_customer()
                .and_then(|c| self.estate.customer_idx(c));
            let mut h = hub;
            h.roles = 0;
            for (i, c) in ids.iter().enumerate() {
                if c.is_some_and(|c| Some(c) == owner.as_customer()) {
                    h.roles |= 1 << i;
                }
            }
            let _ = idx;
            let plan = Plan {
                state: self,
                owner,
                me,
                trigger: t,
                rules: &rules,
                campaign: None,
                flagged: self.flagged_by(me),
                memo: Default::default(),
                shares: Vec::new(),
            };
            let groups = [Group {
                set,
                count: 1,
                hubs: vec![h],
            }];
            let mut stats = vec![RuleStats::default(); rules.len()];
            let acts = plan.run(&groups, &mut stats);
            plan.events(acts, out)?;
        }
        Ok(())
    }

    /// The rules `wants` selects over the hubs `hubs` selects: every owner's, or `only`'s
    /// (a trigger that concerns one party, as a notice to it does).
    #[allow(clippy::too_many_arguments)]
    fn react_estate(
        &self,
        t: &Trigger,
        campaign: Option<CampaignFacts>,
        hubs: Hubs,
        only: Option<&Actor>,
        wants: impl Fn(&RuleTrigger) -> bool,
        out: &mut Vec<EventPayload>,
    ) -> Result<(), Error> {
        let listening = match only {
            Some(owner) => self
                .rules
                .listening_of(std::slice::from_ref(owner), t.at, wants),
            None => self.rules.listening(t.at, wants),
        };
        let mut owners: BTreeMap<&Actor, Vec<Ready<'_>>> = BTreeMap::new();
        for (owner, view) in listening {
            if let Some(r) = Ready::of(owner, view) {
                owners.entry(owner).or_default().push(r);
            }
        }
        let customers: Vec<CustomerIdx> = owners
            .keys()
            .filter_map(|o| o.as_customer())
            .filter_map(|c| self.estate.customer_idx(c))
            .collect();
        let counts = if customers.is_empty() {
            Vec::new()
        } else {
            self.set_counts(&customers, &hubs)
        };
        for (owner, rules) in owners {
            let me = owner
                .as_customer()
                .and_then(|c| self.estate.customer_idx(c));
            let mine = me
                .and_then(|me| customers.iter().position(|&c| c == me))
                .and_then(|k| counts.get(k));
            // A rule acts only on what its owner may see: a CSP's on its region's variants; a
            // customer's only where it has hubs the trigger concerns (a flag on a set it does
            // not run must not tell it, even by a notification, that the flag exists).
            let sees = match owner {
                Actor::Dcc => true,
                Actor::Csp(r) => hubs
                    .variant
                    .is_none_or(|v| self.catalogue.variant(v).region == *r),
                Actor::Customer(_) => mine.is_some_and(|n| n.iter().any(|&k| k > 0)),
                Actor::System => false,
            };
            if sees {
                let counts = mine.map(Vec::as_slice);
                self.plan_owner(owner, t, campaign.clone(), &hubs, &rules, counts, out)?;
            }
        }
        Ok(())
    }

    /// Plans `rules` of `owner` over the owner's hubs that `hubs` selects (`counts`: its hubs
    /// per set there, when already counted).
    #[allow(clippy::too_many_arguments)]
    fn plan_owner(
        &self,
        owner: &Actor,
        t: &Trigger,
        campaign: Option<CampaignFacts>,
        hubs: &Hubs,
        rules: &[Ready<'_>],
        counts: Option<&[u32]>,
        out: &mut Vec<EventPayload>,
    ) -> Result<(), Error> {
        let me = owner
            .as_customer()
            .and_then(|c| self.estate.customer_idx(c));
        let (groups, shares) = if self.industry_rules(owner, rules) {
            self.industry_groups(hubs)
        } else {
            (self.groups_of(owner, me, hubs, rules, counts), Vec::new())
        };
        let plan = Plan {
            state: self,
            owner,
            me,
            trigger: t,
            rules,
            campaign,
            flagged: self.flagged_by(me),
            memo: Default::default(),
            shares,
        };
        let mut stats = vec![RuleStats::default(); rules.len()];
        let acts = plan.run(&groups, &mut stats);
        plan.events(acts, out)
    }

    /// Whether `rules` are the DCC's and one of them acts on the industry's sets.
    fn industry_rules(&self, owner: &Actor, rules: &[Ready<'_>]) -> bool {
        *owner == Actor::Dcc
            && rules
                .iter()
                .any(|r| matches!(r.spec.action, RuleAction::NotifyCustomers { .. }))
    }

    /// The industry's configuration sets that `hubs` selects, each with its hubs (no list), and
    /// every set's share of its variant's hubs in percent: one pass over the estate. The DCC's.
    fn industry_groups(&self, hubs: &Hubs) -> (Vec<Group<'_>>, Vec<f64>) {
        let mut counts = vec![0u64; self.estate.configs.len()];
        let mut per_variant = vec![0u64; self.catalogue.variants.len()];
        for h in &self.estate.hubs {
            counts[h.config as usize] += 1;
            per_variant[usize::from(h.variant)] += 1;
        }
        let shares: Vec<f64> = self
            .estate
            .configs
            .values()
            .iter()
            .enumerate()
            .map(|(c, set)| {
                let total = per_variant[usize::from(set.variant)].max(1);
                100.0 * counts[c] as f64 / total as f64
            })
            .collect();
        let groups = self
            .estate
            .configs
            .values()
            .iter()
            .enumerate()
            .filter(|&(c, set)| {
                counts[c] > 0
                    && hubs.variant.is_none_or(|v| v == set.variant)
                    && hubs.sets.as_ref().is_none_or(|s| s.contains(&(c as u32)))
                    && hubs.firmware.is_none_or(|f| f == set.firmware)
            })
            .map(|(c, _)| Group {
                set: self.set_facts(c as u32),
                count: counts[c] as usize,
                hubs: Vec::new(),
            })
            .collect();
        (groups, shares)
    }

    /// The customers with hubs on `set` (none if it is not in the estate).
    pub(crate) fn customers_on(&self, set: &ConfigurationSet) -> Vec<CustomerIdx> {
        let Some(cfg) = self.find_config(set) else {
            return Vec::new();
        };
        let mut on = BTreeSet::new();
        for h in self.estate.hubs.iter().filter(|h| h.config == cfg) {
            for s in [h.import_supplier, h.gas_supplier] {
                if s != NO_CUSTOMER {
                    on.insert(s);
                }
            }
        }
        on.into_iter().collect()
    }

    /// The owner's hubs a trigger concerns, grouped by set; none when no rule acts on hubs.
    fn groups_of(
        &self,
        owner: &Actor,
        me: Option<CustomerIdx>,
        hubs: &Hubs,
        rules: &[Ready<'_>],
        counts: Option<&[u32]>,
    ) -> Vec<Group<'_>> {
        if !rules.iter().any(|r| super::scope_of(r.spec, owner).hubs) {
            return Vec::new();
        }
        let Some(me) = me else {
            // Only a customer's rules act on hubs; the DCC's and CSPs' notify on no hub here.
            let _ = owner;
            return Vec::new();
        };
        // Hubs one by one only where a rule needs them (see `Group::hubs`).
        let one_by_one = counts.is_none()
            || rules.iter().any(|r| {
                r.condition.level == Level::Hub
                    || matches!(
                        r.spec.action,
                        RuleAction::Hold { days: Some(_), from, .. }
                            if from != crate::model::rules::HoldFrom::Trigger
                    )
            });
        if let (Some(counts), false) = (counts, one_by_one) {
            return counts
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .map(|(config, &n)| Group {
                    set: self.set_facts(config as u32),
                    count: n as usize,
                    hubs: Vec::new(),
                })
                .collect();
        }
        let mut by_set: BTreeMap<u32, Vec<HubFacts>> = BTreeMap::new();
        for pos in self.estate.hubs_of(me, 0) {
            let h = &self.estate.hubs[pos];
            if !hubs.selects(h) {
                continue;
            }
            by_set
                .entry(h.config)
                .or_default()
                .push(hub_facts_of(h, pos, Some(me)));
        }
        by_set
            .into_iter()
            .map(|(config, hubs)| Group {
                set: self.set_facts(config),
                count: hubs.len(),
                hubs,
            })
            .collect()
    }

    /// For each customer of `owners`, its hubs per configuration set among those `hubs`
    /// selects: one pass over the estate for every owner at once.
    fn set_counts(&self, owners: &[CustomerIdx], hubs: &Hubs) -> Vec<Vec<u32>> {
        let sets = self.estate.configs.len();
        let mut slot = vec![usize::MAX; self.estate.customers.len()];
        for (i, c) in owners.iter().enumerate() {
            slot[usize::from(*c)] = i;
        }
        let mut counts = vec![vec![0u32; sets]; owners.len()];
        for h in &self.estate.hubs {
            if !hubs.selects(h) {
                continue;
            }
            for (i, s) in [h.import_supplier, h.gas_supplier].into_iter().enumerate() {
                if s == NO_CUSTOMER || (i == 1 && s == h.import_supplier) {
                    continue;
                }
                if let Some(&k) = slot.get(usize::from(s)) {
                    if k != usize::MAX {
                        counts[k][h.config as usize] += 1;
                    }
                }
            }
        }
        counts
    }
}

/// Applies one act of `owner`'s rule `by`. From a log (`verify`), every hub and set it names
/// must be the owner's.
pub(crate) fn apply_act(
    state: &mut State,
    owner: &Actor,
    by: &RuleRef,
    act: &RuleAct,
    verify: bool,
) -> Result<(), Error> {
    let me = || -> Result<CustomerIdx, Error> {
        let id = owner.as_customer().ok_or_else(|| {
            Error::not_permitted(
                owner,
                "act by rule on hubs",
                "only a customer's rules act on hubs",
            )
        })?;
        state
            .estate
            .customer_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Customer, id))
    };
    let positions = |state: &State, me: CustomerIdx, hubs: &[HubId]| -> Result<Vec<u32>, Error> {
        hubs.iter()
            .map(|h| {
                let pos = state
                    .estate
                    .position(*h)
                    .ok_or_else(|| Error::not_found(Entity::Hub, h))?;
                if verify && !state.estate.hubs[pos].is_supplied_by(me) {
                    return Err(Error::not_found(Entity::Hub, h));
                }
                Ok(pos as u32)
            })
            .collect()
    };
    let configs = |state: &State, sets: &[ConfigurationSet]| -> Result<Vec<u32>, Error> {
        sets.iter()
            .map(|s| {
                state
                    .find_config(s)
                    .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, s.key()))
            })
            .collect()
    };
    match act {
        RuleAct::Approved {
            campaign,
            sets,
            hubs,
        }
        | RuleAct::Rejected {
            campaign,
            sets,
            hubs,
            ..
        } => {
            let me = me()?;
            let (p, s) = (positions(state, me, hubs)?, configs(state, sets)?);
            let reason = match act {
                RuleAct::Rejected { reason, .. } => reason.as_str(),
                _ => "",
            };
            let c = state
                .campaigns
                .get_mut(campaign)
                .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
            let marks = c.consents.rules.entry(me).or_default();
            let (this, other) = match act {
                RuleAct::Approved { .. } => (&mut marks.approved, &mut marks.rejected),
                _ => (&mut marks.rejected, &mut marks.approved),
            };
            for pos in p {
                other.hubs.remove(&pos);
                this.hubs.insert(pos, mark(by, None, reason));
            }
            for cfg in s {
                other.sets.remove(&cfg);
                this.sets.insert(cfg, mark(by, None, reason));
            }
        }
        RuleAct::Held {
            sets,
            hubs,
            until,
            reason,
        } => {
            let me = me()?;
            let (p, s) = (positions(state, me, hubs)?, configs(state, sets)?);
            let held = state.rules.held.entry(me).or_default();
            for pos in p {
                held.hubs.insert(pos, mark(by, *until, reason));
            }
            for cfg in s {
                held.sets.insert(cfg, mark(by, *until, reason));
            }
        }
        RuleAct::Released { sets, hubs } => {
            let me = me()?;
            let (p, s) = (positions(state, me, hubs)?, configs(state, sets)?);
            let in_sets: BTreeSet<u32> = s.iter().copied().collect();
            let hubs_table = &state.estate.hubs;
            if let Some(held) = state.rules.held.get_mut(&me) {
                for pos in p {
                    held.hubs.remove(&pos);
                }
                for cfg in &s {
                    held.sets.remove(cfg);
                }
                held.hubs
                    .retain(|pos, _| !in_sets.contains(&hubs_table[*pos as usize].config));
                if held.is_empty() {
                    state.rules.held.remove(&me);
                }
            }
        }
        RuleAct::Prioritised { sets, hubs } => {
            let me = me()?;
            let (p, s) = (positions(state, me, hubs)?, configs(state, sets)?);
            let prio = state.rules.prioritised.entry(me).or_default();
            for pos in p {
                prio.hubs.insert(pos, mark(by, None, ""));
            }
            for cfg in s {
                prio.sets.insert(cfg, mark(by, None, ""));
            }
        }
        RuleAct::CutoffsSet {
            campaign,
            cutoff,
            extra,
        } => {
            if *owner != Actor::Dcc {
                return Err(Error::not_permitted(
                    owner,
                    "set cut-offs by rule",
                    "only the DCC sets cut-offs",
                ));
            }
            let mut ext = Vec::new();
            for e in extra {
                let idx = state
                    .estate
                    .customer_idx(&e.customer)
                    .ok_or_else(|| Error::not_found(Entity::Customer, &e.customer))?;
                ext.push((idx, e.cutoff));
            }
            let c = state
                .campaigns
                .get_mut(campaign)
                .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
            c.default_cutoff = *cutoff;
            for (idx, at) in ext {
                c.cutoff_extensions.insert(idx, at);
            }
        }
        RuleAct::CustomersNotified { .. } => {
            if *owner != Actor::Dcc {
                return Err(Error::not_permitted(
                    owner,
                    "notify customers by rule",
                    "only the DCC's rules notify customers",
                ));
            }
        }
        RuleAct::Notified { .. } | RuleAct::NothingToDo => {}
    }
    Ok(())
}

impl State {
    /// What `spec`, saved by `owner`, would do on the owner's estate at `at` as if its trigger
    /// happened now (docs/rules.md): for a hub's trigger, each of the owner's hubs; for a
    /// campaign's, each campaign not closed; for a flag, the sets the owner flagged. The
    /// owner's other rules of the same trigger act in their order with it (one of the same name
    /// is replaced), so the answer shows what they would decide instead. Refused as saving it
    /// would be. The acts, with the planner's counts for it.
    pub(crate) fn dry_run_acts(
        &self,
        owner: &Actor,
        spec: &RuleSpec,
        at: DateTime<Utc>,
    ) -> Result<(i32, Vec<RuleActed>, RuleStats), Error> {
        let action = format!("dry-run rule {:?}", spec.name);
        let checked = super::check_rule(owner, spec, &action)?;
        let version = self
            .rules
            .by_owner
            .get(owner)
            .and_then(|m| m.get(&spec.name))
            .map_or(1, |r| r.version + 1);
        let kind = trigger_kind(&spec.trigger);
        let mut rules: Vec<Ready<'_>> = self
            .rules
            .by_owner
            .get(owner)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|r| {
                r.retired_at.is_none()
                    && r.spec.name != spec.name
                    && trigger_kind(&r.spec.trigger) == kind
                    && r.spec.active_at(at)
            })
            .filter_map(|r| Ready::of(owner, r))
            .collect();
        rules.push(Ready {
            spec,
            by: RuleRef {
                rule: spec.name.clone(),
                version,
            },
            condition: checked,
        });
        rules.sort_by(|a, b| crate::model::rules::act_order(a.spec, b.spec));
        let me_at = rules
            .iter()
            .position(|r| std::ptr::eq(r.spec, spec))
            .unwrap_or(0);
        let mut t = Trigger::new(kind, at);
        let me = owner
            .as_customer()
            .and_then(|c| self.estate.customer_idx(c));
        let mut stats_all = RuleStats::default();
        let mut out = Vec::new();
        let campaigns: Vec<Option<CampaignFacts>> = match spec.trigger {
            RuleTrigger::CampaignCreated | RuleTrigger::CampaignPhaseChanged => self
                .campaigns
                .values()
                .filter(|c| !closed(c.phase))
                .filter(|c| match owner {
                    Actor::Csp(r) => self.catalogue.variant(c.variant).region == *r,
                    _ => true,
                })
                .map(|c| Some(CampaignFacts::of(c)))
                .collect(),
            _ => vec![None],
        };
        for c in campaigns {
            if let Some(c) = &c {
                t.phase = c.phase;
            }
            let hubs = match (&spec.trigger, &c) {
                (_, Some(c)) => Hubs::of_variant(c.variant),
                (RuleTrigger::DefectFlagRaised, None) => {
                    let (sets, _) = self.flagged_by(me);
                    Hubs {
                        variant: None,
                        sets: Some(sets),
                        firmware: None,
                    }
                }
                _ => Hubs::default(),
            };
            let (groups, shares) = if self.industry_rules(owner, &rules) {
                self.industry_groups(&hubs)
            } else {
                (self.groups_of(owner, me, &hubs, &rules, None), Vec::new())
            };
            let plan = Plan {
                state: self,
                owner,
                me,
                trigger: &t,
                rules: &rules,
                campaign: c,
                flagged: self.flagged_by(me),
                memo: Default::default(),
                shares,
            };
            let mut stats = vec![RuleStats::default(); rules.len()];
            let acts = plan.run(&groups, &mut stats);
            let mut events = Vec::new();
            plan.events(acts, &mut events)?;
            out.extend(events.into_iter().filter_map(|e| match e {
                EventPayload::RuleActed(a) if a.rule.rule == spec.name => Some(a),
                _ => None,
            }));
            let s = std::mem::take(&mut stats[me_at]);
            stats_all.hubs += s.hubs;
            stats_all.sets += s.sets;
            stats_all.overridden += s.overridden;
            stats_all.errors += s.errors;
            if stats_all.first_error.is_none() {
                stats_all.first_error = s.first_error;
            }
            for h in s.sample {
                if stats_all.sample.len() < SAMPLE {
                    stats_all.sample.push(h);
                }
            }
        }
        Ok((version, out, stats_all))
    }
}
