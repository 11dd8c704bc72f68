//! The evaluation behind eligibility: whether a hub is upgradeable now in a campaign (docs/domain.md
//! invariants 1 and 2), and why not. Part of the write model because dispatch decides with it;
//! the CSP's upgrade list (stop at the first blocker) and `explain` (every blocker, shown only
//! as far as the asker may see) read it. The answer types are in
//! [`crate::model::eligibility`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::campaigns::{Campaign, Phase};
use crate::model::catalogue::FirmwareIdx;
use crate::model::defects::{DefectFlag, Resolved};
use crate::model::estate::{CustomerIdx, SmiStatus, SupplyRole, NO_CUSTOMER};
use crate::model::rollout::{Rollout, UpgradeState};
use crate::model::rules::RuleRef;
use crate::model::state::State;

/// A blocker before it is scoped to an asker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    NotStarted,
    Suspended,
    Closed(Phase),
    WrongVariant,
    OnTarget,
    NoPathway,
    StepNotOnCpl(FirmwareIdx),
    NotCommissioned(SmiStatus),
    /// The next step's prerequisite (its index) that the hub's device (a profile index) misses.
    Prerequisite(FirmwareIdx, u8, u32),
    Vulnerable,
    NotInPilot,
    Awaiting(SupplyRole, CustomerIdx),
    Rejected(SupplyRole, CustomerIdx, String),
    InFlight(UpgradeState),
    Exhausted(u8),
    RetryDelay(DateTime<Utc>),
    SetHalted(String),
    Held(CustomerIdx, String),
    /// A customer's rule rejected the hub in this campaign.
    RuleRejected(SupplyRole, CustomerIdx, RuleRef, String),
    /// A customer's rule holds the hub (until a time, or until released).
    RuleHeld(CustomerIdx, RuleRef, Option<DateTime<Utc>>),
    DefectSuspended(CustomerIdx, i64),
    Blackout,
    CapReached(u64),
    /// The CSP paused its dispatches (the campaign, or the hub's set), with its reason.
    CspPaused(String),
    /// In the pilot, outside the CSP's dispatch window.
    OutsideWindow(crate::model::rollout::DispatchWindow),
}

impl Raw {
    /// The blocker in words that name no supplier (for a CSP's refused dispatch).
    pub(crate) fn describe(&self, state: &State) -> String {
        match self {
            Raw::NotStarted => "the campaign has not started".into(),
            Raw::Suspended => "the campaign is suspended".into(),
            Raw::Closed(p) => format!("the campaign is {p}"),
            Raw::WrongVariant => "it is not of the campaign's variant".into(),
            Raw::OnTarget => "it already runs the target version".into(),
            Raw::NoPathway => "no upgrade pathway leads from its version to the target".into(),
            Raw::StepNotOnCpl(f) => format!(
                "its next step {} is not on the production CPL",
                state.catalogue.fw(*f).version
            ),
            Raw::NotCommissioned(s) => format!("it is {s}, not commissioned"),
            Raw::Prerequisite(step, i, device) => {
                let (p, has) = state.prerequisite_missed(*step, *i, *device);
                format!(
                    "its {} is at {} and firmware {} needs {} or later",
                    p.device.as_str(),
                    has.firmware,
                    state.catalogue.fw(*step).version,
                    p.min_firmware
                )
            }
            Raw::Vulnerable => "the premises is flagged vulnerable or high risk".into(),
            Raw::NotInPilot => "it is not in the pilot".into(),
            Raw::Awaiting(role, _) => format!("awaiting the {} supplier's consent", role.as_str()),
            Raw::Rejected(role, _, _) => format!("the {} supplier rejected it", role.as_str()),
            Raw::InFlight(s) => format!("an upgrade is already in flight ({s})"),
            Raw::Exhausted(n) => format!("it failed {n} attempts, the campaign's limit"),
            Raw::RetryDelay(t) => {
                format!("its last attempt failed; the retry delay lets it go again from {t}")
            }
            Raw::SetHalted(_) => "its configuration set is halted".into(),
            Raw::Held(_, _) | Raw::RuleHeld(..) => "a supplier of it holds its upgrades".into(),
            Raw::RuleRejected(role, ..) => format!("the {} supplier rejected it", role.as_str()),
            Raw::DefectSuspended(_, f) => {
                format!("a supplier suspended its upgrades under defect flag {f}")
            }
            Raw::Blackout => "the campaign's pacing has a blackout now".into(),
            Raw::CapReached(cap) => format!("today's cap of {cap} hubs is used up"),
            Raw::CspPaused(reason) => format!("the CSP paused its dispatches: {reason}"),
            Raw::OutsideWindow(w) => format!(
                "the pilot is dispatched from {}:00 to {}:00 only",
                w.from_hour, w.to_hour
            ),
        }
    }
}

/// What evaluating one campaign at one time needs once, not per hub.
pub(crate) struct CampaignCtx<'a> {
    pub campaign: &'a Campaign,
    /// The time evaluated at.
    pub now: DateTime<Utc>,
    /// Next step (and steps left) to the target, per current version.
    pub routes: HashMap<FirmwareIdx, (FirmwareIdx, u32)>,
    /// The phase whose rules apply (a suspended campaign keeps the rules of the phase it left).
    pub rules: Phase,
    /// Pacing now: a blackout, outside the pilot's dispatch window, and today's cap with the
    /// dispatches it has left.
    pub blackout: bool,
    pub outside_window: Option<crate::model::rollout::DispatchWindow>,
    pub cap: Option<(u64, u64)>,
    /// Other campaigns of the same variant (one upgrade in flight per hub across campaigns).
    pub others: Vec<&'a Rollout>,
    /// Defect flags whose flagger suspended its own upgrades, by flagger: (subject, flag id).
    /// Looked up for a hub's own suppliers only, so others' flags cost a hub nothing.
    pub suspensions: HashMap<CustomerIdx, Vec<(Resolved, i64)>>,
    /// Dense per-firmware lookup of `routes`: the next step and whether it is on the CPL.
    pub(crate) steps: Vec<Option<(FirmwareIdx, bool)>>,
    /// Per customer: what it said in the campaign, as bits (see `WHOLE_ESTATE`...), so the hot
    /// path of a scan reads an array instead of maps.
    pub(crate) customers: Vec<u8>,
    /// Per configuration set, the firmware prerequisite its hubs miss for their next step
    /// (step, prerequisite, device profile): worked out once per set, not per hub. Empty when
    /// no step has prerequisites.
    pub(crate) unmet: Vec<Option<(FirmwareIdx, u8, u32)>>,
    /// Per customer with rule marks, per configuration set: what its rules said of the whole
    /// set (`SET_APPROVED`, `SET_REJECTED`, `SET_HELD` in force now), so that a scan reads an
    /// array; a hub's own mark is looked up only where the customer has any.
    pub(crate) rule_sets: Vec<Vec<u8>>,
    /// The estate positions any rule marked one by one (approved or rejected here, held
    /// anywhere), as a bitset: a hub not in it costs a scan no map lookup. Empty when none.
    pub(crate) rule_hubs: Vec<u64>,
}

pub(super) const SET_APPROVED: u8 = 1;
pub(super) const SET_REJECTED: u8 = 2;
pub(super) const SET_HELD: u8 = 4;

pub(super) const WHOLE_ESTATE: u8 = 1;

pub(super) const CUTOFF_PASSED: u8 = 2;

pub(super) const NOMINATED_SOME: u8 = 4;

pub(super) const APPROVED_SETS: u8 = 8;

pub(super) const HOLDS: u8 = 16;

pub(super) const SUSPENDS: u8 = 32;

/// Its rules approved or rejected something in the campaign.
pub(super) const RULE_MARKS: u8 = 64;

/// Its rules hold hubs or sets.
pub(super) const RULE_HOLDS: u8 = 128;

impl CampaignCtx<'_> {
    pub(super) fn with_lookups(mut self, state: &State, now: DateTime<Utc>) -> Self {
        let c = self.campaign;
        self.steps = (0..state.catalogue.firmware.len())
            .map(|f| {
                let f = FirmwareIdx::new(f as u16);
                self.routes
                    .get(&f)
                    .map(|&(step, _)| (step, state.catalogue.fw(step).on_production_cpl()))
            })
            .collect();
        self.customers = (0..state.estate.customers.len())
            .map(|i| {
                let i = CustomerIdx::new(i as u16);
                let mut bits = 0;
                if c.consents.whole_estate.contains_key(&i) {
                    bits |= WHOLE_ESTATE;
                }
                if now >= c.cutoff_for(i) {
                    bits |= CUTOFF_PASSED;
                }
                if c.consents
                    .nominations
                    .get(&i)
                    .is_some_and(|n| !n.is_empty())
                {
                    bits |= NOMINATED_SOME;
                }
                if c.consents
                    .config_sets
                    .get(&i)
                    .is_some_and(|n| !n.is_empty())
                {
                    bits |= APPROVED_SETS;
                }
                if c.rollout.holds.contains_key(&i) {
                    bits |= HOLDS;
                }
                if self.suspensions.contains_key(&i) {
                    bits |= SUSPENDS;
                }
                if c.consents.rules.contains_key(&i) {
                    bits |= RULE_MARKS;
                }
                if state.rules.held.contains_key(&i) {
                    bits |= RULE_HOLDS;
                }
                bits
            })
            .collect();
        let sets = state.estate.configs.len();
        let mut rule_sets = vec![Vec::new(); state.estate.customers.len()];
        for (&i, m) in &c.consents.rules {
            let bits = &mut rule_sets[usize::from(i)];
            bits.resize(sets, 0);
            for &cfg in m.approved.sets.keys() {
                bits[cfg as usize] |= SET_APPROVED;
            }
            for &cfg in m.rejected.sets.keys() {
                bits[cfg as usize] |= SET_REJECTED;
            }
        }
        for (&i, m) in &state.rules.held {
            let bits = &mut rule_sets[usize::from(i)];
            bits.resize(sets, 0);
            for (&cfg, mark) in &m.sets {
                if mark.in_force(now) {
                    bits[cfg as usize] |= SET_HELD;
                }
            }
        }
        self.rule_sets = rule_sets;
        let marked = c
            .consents
            .rules
            .values()
            .flat_map(|m| m.approved.hubs.keys().chain(m.rejected.hubs.keys()))
            .chain(state.rules.held.values().flat_map(|m| m.hubs.keys()));
        for &pos in marked {
            if self.rule_hubs.is_empty() {
                self.rule_hubs = vec![0; state.estate.hubs.len().div_ceil(64)];
            }
            if let Some(word) = self.rule_hubs.get_mut(pos as usize / 64) {
                *word |= 1 << (pos % 64);
            }
        }
        let any_prerequisites = self
            .steps
            .iter()
            .flatten()
            .any(|&(step, _)| !state.catalogue.fw(step).prerequisites.is_empty());
        if any_prerequisites {
            self.unmet = state
                .estate
                .configs
                .values()
                .iter()
                .map(|set| {
                    let (step, _) = self
                        .steps
                        .get(usize::from(set.firmware))
                        .copied()
                        .flatten()?;
                    state.first_unmet(step, &set.devices)
                })
                .collect();
        }
        self
    }

    /// Whether any rule marked the hub at `pos` one by one.
    pub(super) fn hub_marked(&self, pos: u32) -> bool {
        self.rule_hubs
            .get(pos as usize / 64)
            .is_some_and(|w| w & (1 << (pos % 64)) != 0)
    }

    /// What `customer`'s rules said of configuration set `config` as a whole.
    pub(super) fn set_said(&self, customer: CustomerIdx, config: u32, bit: u8) -> bool {
        self.rule_sets
            .get(usize::from(customer))
            .and_then(|b| b.get(config as usize))
            .is_some_and(|b| b & bit != 0)
    }

    pub(super) fn said(&self, customer: CustomerIdx, bit: u8) -> bool {
        self.customers
            .get(usize::from(customer))
            .is_some_and(|b| b & bit != 0)
    }

    /// Dispatches today's cap still allows (None: no cap).
    pub fn cap_left(&self) -> Option<u64> {
        self.cap.map(|(cap, used)| cap.saturating_sub(used))
    }
}

/// How a supplier's consent to one hub stands in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Consent {
    /// It approved its whole estate, nominated the hub, or approved its configuration set.
    Given,
    /// It did not decide, and its cut-off passed: the CSP takes the hub over.
    CutoffPassed,
    None,
}

impl State {
    /// `supplier`'s consent to the hub at `pos`. A configuration-set approval carries the hub
    /// through its whole route in the campaign: the set it had when first dispatched counts as
    /// well as the set it has now (a hub two steps behind holds the intermediate version's set
    /// between its steps).
    pub(crate) fn consent_of(
        &self,
        ctx: &CampaignCtx<'_>,
        pos: usize,
        supplier: CustomerIdx,
    ) -> Consent {
        let c = ctx.campaign;
        let hub = &self.estate.hubs[pos];
        let pos32 = pos as u32;
        let by_set = || {
            let Some(sets) = c.consents.config_sets.get(&supplier) else {
                return false;
            };
            sets.contains(&hub.config)
                || c.rollout
                    .upgrades
                    .get(&pos32)
                    .is_some_and(|u| sets.contains(&u.origin_config))
        };
        let by_rule = || {
            ctx.set_said(supplier, hub.config, SET_APPROVED)
                || (ctx.hub_marked(pos32)
                    && c.consents
                        .rules
                        .get(&supplier)
                        .is_some_and(|m| m.approved.hubs.contains_key(&pos32)))
        };
        if ctx.said(supplier, WHOLE_ESTATE)
            || (ctx.said(supplier, NOMINATED_SOME) && c.consents.nominated_by(supplier, pos32))
            || (ctx.said(supplier, APPROVED_SETS) && by_set())
            || (ctx.said(supplier, RULE_MARKS) && by_rule())
        {
            Consent::Given
        } else if ctx.said(supplier, CUTOFF_PASSED) {
            Consent::CutoffPassed
        } else {
            Consent::None
        }
    }

    /// What blocks every hub of `campaign` at `now` at once, whatever the hub: whether it
    /// dispatches nothing (not in the pilot or mass rollout, a CSP pause of the whole campaign,
    /// a blackout, outside the pilot's window), and the dispatches today's pacing cap leaves
    /// (None: no cap). The campaign-wide part of [`State::blockers`], which a maintained
    /// upgrade list applies when it answers rather than keeps.
    pub(crate) fn dispatch_gate(
        &self,
        campaign: &Campaign,
        now: DateTime<Utc>,
    ) -> (bool, Option<u64>) {
        let closed = !matches!(campaign.phase, Phase::Pilot | Phase::MassRollout)
            || campaign.rollout.csp_pause.all.is_some()
            || campaign
                .policy
                .pacing
                .as_ref()
                .is_some_and(|p| p.blackout_at(now))
            || campaign.outside_window(now).is_some();
        let cap = cap_today(campaign, now).map(|(cap, used)| cap.saturating_sub(used));
        (closed, cap)
    }

    pub(crate) fn campaign_ctx<'a>(
        &'a self,
        campaign: &'a Campaign,
        now: DateTime<Utc>,
    ) -> CampaignCtx<'a> {
        let pacing = campaign.policy.pacing.as_ref();
        CampaignCtx {
            campaign,
            now,
            routes: self.catalogue.routes_to(campaign.target),
            rules: campaign.resume_to.unwrap_or(campaign.phase),
            blackout: pacing.is_some_and(|p| p.blackout_at(now)),
            outside_window: campaign.outside_window(now),
            cap: cap_today(campaign, now),
            // Only live campaigns: a closed one's attempts no longer block anything, and closed
            // campaigns pile up over the years.
            others: self
                .campaigns
                .values()
                .filter(|o| o.variant == campaign.variant && o.id != campaign.id && o.is_live())
                .map(|o| &o.rollout)
                .collect(),
            suspensions: self.defects.iter().filter(|d| d.suspending).fold(
                HashMap::new(),
                |mut by: HashMap<CustomerIdx, Vec<(Resolved, i64)>>, d: &DefectFlag| {
                    by.entry(d.customer).or_default().push((d.resolved, d.id));
                    by
                },
            ),
            steps: Vec::new(),
            customers: Vec::new(),
            unmet: Vec::new(),
            rule_sets: Vec::new(),
            rule_hubs: Vec::new(),
        }
        .with_lookups(self, now)
    }

    /// The first prerequisite of firmware `step` that HAN devices `devices` (profile indices per
    /// kind) miss: (step, its index, the device's profile).
    pub(crate) fn first_unmet(
        &self,
        step: FirmwareIdx,
        devices: &[u32; 5],
    ) -> Option<(FirmwareIdx, u8, u32)> {
        use crate::model::estate::{HanDeviceKind, NO_DEVICE};
        self.catalogue
            .fw(step)
            .prerequisites
            .iter()
            .enumerate()
            .find_map(|(i, p)| {
                let kind = HanDeviceKind::ALL.iter().position(|&k| k == p.device)?;
                let device = devices[kind];
                if device == NO_DEVICE {
                    return None;
                }
                let d = self.estate.devices.resolve(device);
                p.unmet_by(&d.model, &d.firmware)?;
                Some((step, u8::try_from(i).ok()?, device))
            })
    }

    /// The prerequisite and the device of a [`Raw::Prerequisite`].
    pub(crate) fn prerequisite_missed(
        &self,
        step: FirmwareIdx,
        i: u8,
        device: u32,
    ) -> (
        &crate::model::catalogue::Prerequisite,
        &crate::model::estate::HanDevice,
    ) {
        (
            &self.catalogue.fw(step).prerequisites[usize::from(i)],
            self.estate.devices.resolve(device),
        )
    }

    /// Appends why the hub at `pos` is not upgradeable at the context's time (nothing: it is),
    /// stopping at the first blocker when `first_only`. Returns the next version where a pathway
    /// leads on.
    pub(crate) fn blockers(
        &self,
        ctx: &CampaignCtx<'_>,
        pos: usize,
        first_only: bool,
        out: &mut Vec<Raw>,
    ) -> Option<FirmwareIdx> {
        let c = ctx.campaign;
        let hub = &self.estate.hubs[pos];
        macro_rules! block {
            ($raw:expr) => {{
                out.push($raw);
                if first_only {
                    return None;
                }
            }};
        }
        match c.phase {
            Phase::Draft => block!(Raw::NotStarted),
            Phase::Suspended => block!(Raw::Suspended),
            Phase::Completed | Phase::Cancelled => block!(Raw::Closed(c.phase)),
            Phase::Pilot | Phase::MassRollout => {}
        }
        if let Some((reason, _)) = &c.rollout.csp_pause.all {
            block!(Raw::CspPaused(reason.clone()));
        }
        if ctx.blackout {
            block!(Raw::Blackout);
        }
        if let Some(w) = ctx.outside_window {
            block!(Raw::OutsideWindow(w));
        }
        if let Some((cap, used)) = ctx.cap {
            if used >= cap {
                block!(Raw::CapReached(cap));
            }
        }
        if hub.variant != c.variant {
            block!(Raw::WrongVariant);
            return None; // nothing else about this campaign applies to another variant's hub
        }
        let mut next = None;
        if hub.firmware == c.target {
            block!(Raw::OnTarget);
        } else {
            match ctx.steps.get(usize::from(hub.firmware)).copied().flatten() {
                None => block!(Raw::NoPathway),
                Some((step, on_cpl)) => {
                    next = Some(step);
                    if !on_cpl {
                        block!(Raw::StepNotOnCpl(step));
                    }
                }
            }
        }
        if hub.smi != SmiStatus::Commissioned {
            block!(Raw::NotCommissioned(hub.smi));
        }
        if let Some(&Some((step, i, device))) = ctx.unmet.get(hub.config as usize) {
            if Some(step) == next {
                block!(Raw::Prerequisite(step, i, device));
            }
        }
        let pos32 = pos as u32;
        let record = if c.rollout.upgrades.is_empty() {
            None
        } else {
            c.rollout.upgrades.get(&pos32)
        };
        let flying = record
            .map(|u| u.state)
            .filter(|s| s.in_flight())
            .or_else(|| {
                ctx.others
                    .iter()
                    .filter(|o| !o.upgrades.is_empty())
                    .find_map(|o| o.in_flight(pos32))
            });
        if let Some(state) = flying {
            block!(Raw::InFlight(state));
        } else if let Some(u) = record {
            if u.state == crate::model::rollout::UpgradeState::Failed
                && Some(u.step) == next
                && i32::from(u.attempts) >= c.policy.max_attempts
            {
                block!(Raw::Exhausted(u.attempts));
            } else if u.state == crate::model::rollout::UpgradeState::Failed
                && c.policy.retry_delay_hours > 0
            {
                let delay = chrono::Duration::hours(i64::from(c.policy.retry_delay_hours));
                match u.since.checked_add_signed(delay) {
                    Some(until) if ctx.now < until => block!(Raw::RetryDelay(until)),
                    None => block!(Raw::RetryDelay(DateTime::<Utc>::MAX_UTC)),
                    Some(_) => {}
                }
            }
        }
        if !c.rollout.halted_sets.is_empty() {
            if let Some(halt) = c.rollout.halted_sets.get(&hub.config) {
                block!(Raw::SetHalted(halt.reason.clone()));
            }
        }
        if !c.rollout.csp_pause.sets.is_empty() {
            if let Some((reason, _)) = c.rollout.csp_pause.sets.get(&hub.config) {
                block!(Raw::CspPaused(reason.clone()));
            }
        }
        let suppliers = [
            (SupplyRole::Import, hub.import_supplier),
            (SupplyRole::Gas, hub.gas_supplier),
        ];
        if ctx.rules == Phase::Pilot {
            if SupplyRole::ALL.iter().any(|&r| {
                let f = hub.flags(r);
                f.vulnerable || f.high_risk
            }) {
                block!(Raw::Vulnerable);
            }
            let in_pilot = suppliers.iter().any(|&(_, s)| {
                s != NO_CUSTOMER
                    && (ctx.said(s, WHOLE_ESTATE)
                        || (ctx.said(s, NOMINATED_SOME) && c.consents.nominated_by(s, pos32)))
            });
            if !in_pilot {
                block!(Raw::NotInPilot);
            }
        }
        for (i, &(role, supplier)) in suppliers.iter().enumerate() {
            if supplier == NO_CUSTOMER || (i == 1 && supplier == hub.import_supplier) {
                continue; // a vacant role, or both roles held by one customer: asked once
            }
            if !c.consents.rejections.is_empty() {
                if let Some(r) = c.consents.rejection_by(supplier, pos32) {
                    block!(Raw::Rejected(role, supplier, r.reason.to_string()));
                    continue;
                }
            }
            if ctx.said(supplier, RULE_MARKS)
                && (ctx.hub_marked(pos32) || ctx.set_said(supplier, hub.config, SET_REJECTED))
            {
                // A hub's own mark first (it is the more precise), else its set's.
                let marks = c.consents.rules.get(&supplier);
                let on_hub = marks
                    .filter(|_| ctx.hub_marked(pos32))
                    .and_then(|m| m.rejected.hubs.get(&pos32));
                let on_set = || {
                    ctx.set_said(supplier, hub.config, SET_REJECTED)
                        .then(|| marks.and_then(|m| m.rejected.sets.get(&hub.config)))
                        .flatten()
                };
                if let Some(m) = on_hub.or_else(on_set) {
                    block!(Raw::RuleRejected(
                        role,
                        supplier,
                        m.by.clone(),
                        m.reason.to_string()
                    ));
                    continue;
                }
            }
            if self.consent_of(ctx, pos, supplier) == Consent::None {
                block!(Raw::Awaiting(role, supplier));
            }
        }
        for (i, &(_, supplier)) in suppliers.iter().enumerate() {
            if supplier == NO_CUSTOMER || (i == 1 && supplier == hub.import_supplier) {
                continue;
            }
            if ctx.said(supplier, HOLDS) {
                if let Some(reason) = c
                    .rollout
                    .holds
                    .get(&supplier)
                    .and_then(|h| h.holds(hub.config))
                {
                    block!(Raw::Held(supplier, reason.to_string()));
                }
            }
            if ctx.said(supplier, RULE_HOLDS)
                && (ctx.hub_marked(pos32) || ctx.set_said(supplier, hub.config, SET_HELD))
            {
                let held = self.rules.held.get(&supplier);
                let on_hub = held
                    .filter(|_| ctx.hub_marked(pos32))
                    .and_then(|m| m.hubs.get(&pos32))
                    .filter(|m| m.in_force(ctx.now));
                let on_set = || {
                    ctx.set_said(supplier, hub.config, SET_HELD)
                        .then(|| held.and_then(|m| m.sets.get(&hub.config)))
                        .flatten()
                };
                if let Some(m) = on_hub.or_else(on_set) {
                    block!(Raw::RuleHeld(supplier, m.by.clone(), m.until));
                }
            }
            // One blocker per supplier (its earliest flag that applies), however many it has.
            if !ctx.said(supplier, SUSPENDS) {
                continue;
            }
            let suspended =
                ctx.suspensions
                    .get(&supplier)
                    .into_iter()
                    .flatten()
                    .find(|&&(subject, _)| match subject {
                        Resolved::Config(set) => set == hub.config,
                        Resolved::Firmware(f) => f == c.target || Some(f) == next,
                    });
            if let Some(&(_, flag)) = suspended {
                block!(Raw::DefectSuspended(supplier, flag));
            }
        }
        if out.is_empty() {
            next
        } else {
            None
        }
    }
}

/// Today's pacing cap of `campaign` at `now` and the dispatches it has counted today.
fn cap_today(campaign: &Campaign, now: DateTime<Utc>) -> Option<(u64, u64)> {
    let today = crate::kernel::civil_time::day_of(now);
    campaign.cap_on(today).map(|cap| {
        let used = campaign
            .rollout
            .days
            .get(&today)
            .map_or(0, |d| d.dispatched);
        (cap, used)
    })
}
