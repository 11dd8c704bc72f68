//! Decisions on, and application of, upgrade outcomes, HAN health reports, deadlines, halts
//! and holds, defect flags and notification acknowledgements.
//!
//! An outcome report is simulated row by row over an overlay of the campaign's attempts; the
//! same simulation checks a live report (with eligibility, pacing) and re-applies a recorded
//! one (state machine only), so a replay cannot drift from what was decided.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::kernel::civil_time;
use crate::kernel::error::RowError;
use crate::kernel::ids::actor::Actor;
use crate::kernel::intern::FxBuild;
use crate::model::campaigns::{Campaign, Phase};
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::CustomerIdx;
use crate::model::rollout::{
    advance, DispatchInfo, HaltFigures, HealthReport, HubUpgrade, Outcome, OutcomeReport, Tally,
    UpgradeState,
};
use crate::model::state::State;
use crate::write::eligibility::{CampaignCtx, Raw};
use crate::write::event::EventPayload;
use crate::write::event::{
    CampaignPhaseChanged, ConfigurationSetHalted, CutoffNoticesDue, InFlightTimedOut,
    ReconciliationTimedOut,
};

/// A tally to count: (configuration set of origin, day of dispatch, what).
pub(super) type Counted = (u32, NaiveDate, Tally);

/// What an outcome report does, worked out before anything changes.
pub(crate) struct Simulated {
    /// The final record of every hub the report touched.
    pub upgrades: HashMap<u32, HubUpgrade, FxBuild>,
    /// Hubs whose attempt succeeded: they now run the step.
    /// Hubs that now run another version, and since when: an attempt succeeded, or a late
    /// read-back corrected the record (each counted in the DPL on the day it happened).
    pub moved: Vec<(usize, FirmwareIdx, DateTime<Utc>)>,
    /// Hubs a late read-back corrected, and when they were read (`State::firmware_known`).
    pub read: Vec<(u32, DateTime<Utc>)>,
    pub counted: Vec<Counted>,
    /// Dispatches per (local) day they happened.
    pub dispatched: BTreeMap<NaiveDate, u64>,
}

impl State {
    /// Runs an outcome report recorded at `recorded` over the campaign's attempts. Each row
    /// happened at its own time (at most `recorded`; by default `recorded`). With `ctx` (a live
    /// report) each dispatch must also be of a hub upgradeable now, outside a blackout at the
    /// time it happened and within the pacing cap of the (local) day it happened.
    pub(crate) fn simulate_outcomes(
        &self,
        c: &Campaign,
        rows: &[OutcomeReport],
        recorded: DateTime<Utc>,
        ctx: Option<&CampaignCtx<'_>>,
    ) -> Result<Simulated, Vec<RowError>> {
        let routes;
        let routes = match ctx {
            Some(ctx) => &ctx.routes,
            None => {
                routes = self.catalogue.routes_to(c.target);
                &routes
            }
        };
        let mut sim = Simulated {
            upgrades: HashMap::default(),
            moved: Vec::new(),
            read: Vec::new(),
            counted: Vec::new(),
            dispatched: BTreeMap::new(),
        };
        let mut errors = Vec::new();
        let mut moved_here = HashSet::<u32, FxBuild>::default();
        let mut scratch = Vec::new();
        let max_attempts = u8::try_from(c.policy.max_attempts).unwrap_or(u8::MAX);
        let retry_delay = Duration::hours(i64::from(c.policy.retry_delay_hours));
        let pacing = c.policy.pacing.as_ref();
        let region = self.catalogue.variant(c.variant).region;
        for (row, report) in rows.iter().enumerate() {
            let hub = report.hub;
            let mut refuse = |reason: String| {
                errors.push(RowError {
                    row,
                    reason: format!("hub {hub}: {reason}"),
                })
            };
            let at = report.happened_at.unwrap_or(recorded);
            if at > recorded {
                refuse(format!(
                    "happened at {at}, after the report is recorded ({recorded})"
                ));
                continue;
            }
            let Some(pos) = self.estate.position(hub) else {
                refuse("not found".into());
                continue;
            };
            let rec = &self.estate.hubs[pos];
            // Another region's hub reads as one that does not exist.
            if self.catalogue.variant(rec.variant).region != region {
                refuse("not found".into());
                continue;
            }
            if rec.variant != c.variant {
                refuse(format!(
                    "it is a {} hub; campaign {} is for {}",
                    self.catalogue.variant(rec.variant).id,
                    c.id,
                    self.catalogue.variant(c.variant).id
                ));
                continue;
            }
            let p = pos as u32;
            let touched = sim.upgrades.contains_key(&p);
            let current = sim
                .upgrades
                .get(&p)
                .or_else(|| c.rollout.upgrades.get(&p))
                .copied();
            let mut dispatch = None;
            if report.outcome == Outcome::Dispatched {
                if moved_here.contains(&p) {
                    refuse("its firmware changed or was read earlier in this report (a success or a late read-back); dispatch it in a later one".into());
                    continue;
                }
                // Dispatched from the version the record has: not before the record had it.
                if let Some(why) = self.stale_change(pos, at, None) {
                    refuse(format!("a dispatch {why}"));
                    continue;
                }
                let Some(&(step, _)) = routes.get(&rec.firmware) else {
                    refuse(if rec.firmware == c.target {
                        "it already runs the target version".into()
                    } else {
                        "no upgrade pathway leads from its version to the target".into()
                    });
                    continue;
                };
                if let Some(ctx) = ctx {
                    scratch.clear();
                    self.blockers(ctx, pos, false, &mut scratch);
                    // The overlay, the batch's own count and the time it happened decide these.
                    scratch.retain(|r| match r {
                        Raw::CapReached(_) | Raw::Blackout | Raw::OutsideWindow(_) => false,
                        Raw::InFlight(_) | Raw::Exhausted(_) | Raw::RetryDelay(_) => !touched,
                        _ => true,
                    });
                    if !scratch.is_empty() {
                        let why: Vec<String> = scratch.iter().map(|r| r.describe(self)).collect();
                        refuse(format!("not upgradeable now: {}", why.join("; ")));
                        continue;
                    }
                    if pacing.is_some_and(|p| p.blackout_at(at)) {
                        refuse(format!("dispatched at {at}, in a pacing blackout"));
                        continue;
                    }
                    if let Some(w) = c.outside_window(at) {
                        refuse(format!(
                            "dispatched at {at}, outside the pilot's dispatch window ({}:00 to {}:00)",
                            w.from_hour, w.to_hour
                        ));
                        continue;
                    }
                    let day = civil_time::day_of(at);
                    if let Some(cap) = c.cap_on(day) {
                        let used = c.rollout.days.get(&day).map_or(0, |d| d.dispatched)
                            + sim.dispatched.get(&day).copied().unwrap_or(0);
                        if used >= cap {
                            refuse(format!("over the pacing cap of {cap} hubs on {day}"));
                            continue;
                        }
                    }
                }
                dispatch = Some(DispatchInfo {
                    step,
                    config: rec.config,
                    max_attempts,
                    retry_delay,
                });
            }
            let read_back = match &report.outcome {
                Outcome::ReadBack { firmware } => self.catalogue.firmware_idx(c.variant, firmware),
                _ => None,
            };
            if read_back.is_some() && moved_here.contains(&p) {
                refuse("its firmware changed or was read earlier in this report; report this read-back in a later one".into());
                continue;
            }
            match advance(current, &report.outcome, at, dispatch, read_back) {
                Err(reason) => refuse(reason),
                Ok(done) => {
                    // A late read-back corrects the record only where nothing newer is known
                    // of the hub (checked as the CSP's inventory read-backs are).
                    if let Some(why) = done
                        .corrected
                        .and_then(|_| self.read_back_refusal(pos, at, Some(c)))
                    {
                        refuse(why);
                        continue;
                    }
                    // A success moves the hub at its time: not behind what another campaign
                    // (one closed with the hub in flight) or a read-back has since recorded.
                    if done.concluded == Some(true) {
                        if let Some(why) = self.stale_change(pos, at, Some(c)) {
                            refuse(format!("a success {why}"));
                            continue;
                        }
                    }
                    let u = done.upgrade;
                    if report.outcome == Outcome::Dispatched {
                        *sim.dispatched.entry(civil_time::day_of(at)).or_default() += 1;
                    }
                    if let Some(ok) = done.concluded {
                        sim.counted.push((
                            u.origin_config,
                            civil_time::day_of(u.dispatched_at),
                            Tally {
                                outcomes: 1,
                                failures: i64::from(!ok),
                            },
                        ));
                        if ok {
                            sim.moved.push((pos, u.step, at));
                            moved_here.insert(p);
                        }
                    }
                    if let Some(f) = done.corrected {
                        if f != rec.firmware {
                            sim.moved.push((pos, f, at));
                            sim.read.push((p, at));
                        }
                        // Even one that confirms the record: a later row's read-back of the
                        // hub would be checked against the state before this one.
                        moved_here.insert(p);
                    }
                    sim.upgrades.insert(p, u);
                }
            }
        }
        if errors.is_empty() {
            Ok(sim)
        } else {
            Err(errors)
        }
    }

    /// Checks a health report by `me`; returns the failures it adds. With `actor` (a live
    /// report) each hub must be one `me` supplies as the actor may address it.
    pub(super) fn simulate_health(
        &self,
        c: &Campaign,
        me: CustomerIdx,
        reports: &[HealthReport],
        actor: Option<&Actor>,
        recorded: DateTime<Utc>,
    ) -> Result<Vec<Counted>, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut counted = Vec::new();
        let mut seen = HashSet::<u32, FxBuild>::default();
        for (row, r) in reports.iter().enumerate() {
            let hub = r.hub;
            let mut refuse = |reason: &str| {
                errors.push(RowError {
                    row,
                    reason: format!("hub {hub}: {reason}"),
                })
            };
            if let Some(at) = r.happened_at.filter(|at| *at > recorded) {
                refuse(&format!(
                    "observed at {at}, after the report is recorded ({recorded})"
                ));
                continue;
            }
            let pos = match actor {
                Some(a) => match self.my_hub(a, hub) {
                    Ok(pos) => pos,
                    Err(why) => {
                        refuse(&why);
                        continue;
                    }
                },
                None => match self.estate.position(hub) {
                    Some(pos) => pos,
                    None => {
                        refuse("not found");
                        continue;
                    }
                },
            };
            let p = pos as u32;
            if !seen.insert(p) {
                refuse("listed twice");
                continue;
            }
            let Some(u) = c.rollout.upgrades.get(&p) else {
                refuse("it has not been upgraded in this campaign");
                continue;
            };
            if u.state != UpgradeState::Succeeded {
                refuse(&format!("its upgrade is {}, not succeeded", u.state));
                continue;
            }
            if c.rollout
                .health
                .get(&p)
                .is_some_and(|l| l.iter().any(|h| h.customer == me))
            {
                refuse("you already reported its health in this campaign");
                continue;
            }
            let device = match &r.health {
                crate::model::rollout::HanHealth::AllFine => None,
                crate::model::rollout::HanHealth::DeviceLostContact { device }
                | crate::model::rollout::HanHealth::DeviceMisbehaves { device, .. } => {
                    Some(*device)
                }
            };
            if let Some(d) = device {
                let rec = &self.estate.hubs[pos];
                if self.estate.devices_of(rec.config).get(d).is_none() {
                    refuse(&format!("it has no {}", d.as_str().to_uppercase()));
                    continue;
                }
            }
            if r.health.is_bad() && !u.health_bad {
                counted.push((
                    u.origin_config,
                    crate::kernel::civil_time::day_of(u.dispatched_at),
                    Tally {
                        outcomes: 0,
                        failures: 1,
                    },
                ));
            }
        }
        if errors.is_empty() {
            Ok(counted)
        } else {
            Err(errors)
        }
    }

    /// The automatic halts that counting `counted` would trip: each configuration set over
    /// the threshold (not already halted), then the campaign.
    pub(super) fn halts_after(&self, c: &Campaign, counted: &[Counted]) -> Vec<EventPayload> {
        let Some(policy) = c.policy.halt else {
            return Vec::new();
        };
        let mut per_set: BTreeMap<u32, Tally> = BTreeMap::new();
        let mut all = Tally::default();
        for &(cfg, _, t) in counted {
            per_set.entry(cfg).or_default().add(t);
            all.add(t);
        }
        let figures = |t: Tally| HaltFigures {
            outcomes: t.outcomes,
            failures: t.failures,
            failure_threshold_percent: policy.failure_threshold_percent,
            min_outcomes: policy.min_outcomes,
        };
        let reason = |t: Tally| {
            format!(
                "automatic halt: {} of {} outcomes failed ({:.1}% > {}%)",
                t.failures,
                t.outcomes,
                t.failure_percent(),
                policy.failure_threshold_percent
            )
        };
        let mut events = Vec::new();
        for (cfg, delta) in per_set {
            if c.rollout.halted_sets.contains_key(&cfg) {
                continue;
            }
            let now = c
                .rollout
                .set_window
                .get(&cfg)
                .copied()
                .unwrap_or_default()
                .plus(delta);
            if policy.crossed(now) {
                events.push(EventPayload::ConfigurationSetHalted(
                    ConfigurationSetHalted {
                        campaign: c.id.clone(),
                        set: self.configuration_set(cfg),
                        reason: reason(now),
                        figures: Some(figures(now)),
                    },
                ));
            }
        }
        let now = c.rollout.window.plus(all);
        if matches!(c.phase, Phase::Pilot | Phase::MassRollout) && policy.crossed(now) {
            events.push(EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
                campaign: c.id.clone(),
                from: c.phase,
                to: Phase::Suspended,
                reason: Some(reason(now)),
                figures: Some(figures(now)),
            }));
        }
        events
    }

    /// What time has made due at `at`, campaign by campaign.
    pub(super) fn deadlines_due(&self, at: DateTime<Utc>) -> Vec<EventPayload> {
        let mut events = Vec::new();
        for c in self.campaigns.values() {
            if matches!(c.phase, Phase::Draft | Phase::Completed | Phase::Cancelled) {
                continue;
            }
            // Every state but a concluded one has a deadline: no hub stays in flight for ever.
            // A deadline past the calendar's end never falls due.
            let reconcile = Duration::hours(i64::from(c.policy.reconciliation_timeout_hours));
            let in_flight = Duration::hours(i64::from(c.policy.in_flight_timeout_hours));
            let due = |u: &HubUpgrade, after: Duration| {
                u.since
                    .checked_add_signed(after)
                    .is_some_and(|due| due <= at)
            };
            let (mut unanswered, mut stuck) = (Vec::new(), Vec::new());
            for (&p, u) in &c.rollout.upgrades {
                let hub = (self.estate.hubs[p as usize].id, *u);
                match u.state {
                    UpgradeState::NoResponse if due(u, reconcile) => unanswered.push(hub),
                    UpgradeState::Dispatched
                    | UpgradeState::Delivered
                    | UpgradeState::Activated
                        if due(u, in_flight) =>
                    {
                        stuck.push(hub)
                    }
                    _ => {}
                }
            }
            let mut counted: Vec<Counted> = Vec::new();
            for (mut late, stuck) in [(unanswered, false), (stuck, true)] {
                if late.is_empty() {
                    continue;
                }
                late.sort_unstable_by_key(|(h, _)| *h);
                counted.extend(late.iter().map(|(_, u)| {
                    (
                        u.origin_config,
                        civil_time::day_of(u.dispatched_at),
                        Tally {
                            outcomes: 1,
                            failures: 1,
                        },
                    )
                }));
                let (campaign, hubs) = (c.id.clone(), late.into_iter().map(|(h, _)| h).collect());
                events.push(if stuck {
                    EventPayload::InFlightTimedOut(InFlightTimedOut { campaign, hubs })
                } else {
                    EventPayload::ReconciliationTimedOut(ReconciliationTimedOut { campaign, hubs })
                });
            }
            if !counted.is_empty() {
                events.extend(self.halts_after(c, &counted));
            }
            let lead = Duration::days(i64::from(c.policy.cutoff_notice_days));
            let (mut approaching, mut reached) = (Vec::new(), Vec::new());
            for customer in self.customers_of_variant(c) {
                let cutoff = c.cutoff_for(customer);
                let notified = |reached| {
                    c.rollout
                        .cutoff_notices
                        .contains(&(customer, cutoff, reached))
                };
                let Some(id) = self.estate.customer(customer).cloned() else {
                    continue;
                };
                if at >= cutoff {
                    if !notified(true) {
                        reached.push(id);
                    }
                } else if cutoff
                    .checked_sub_signed(lead)
                    .is_none_or(|from| at >= from)
                    && !notified(false)
                {
                    approaching.push(id);
                }
            }
            for (customers, reached) in [(approaching, false), (reached, true)] {
                if !customers.is_empty() {
                    events.push(EventPayload::CutoffNoticesDue(CutoffNoticesDue {
                        campaign: c.id.clone(),
                        customers,
                        reached,
                    }));
                }
            }
        }
        events
    }
}
