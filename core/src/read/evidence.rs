//! The evidence to retire the pilot (issue 26): per campaign, what its pilot found against what
//! mass rollout then met on the same configuration sets, and whether the pilot saw it coming.
//! Worked out from what the state keeps of each hub's attempt in a campaign (its last one: its
//! dispatch time, outcome, reason and HAN health), the open defect flags and the halts in force,
//! so an older snapshot answers it too. The DCC sees the industry; a CSP its region's
//! campaigns; a customer its own hubs (and its own defect flags) only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion};
use crate::model::campaigns::{Campaign, CampaignChange, Phase};
use crate::model::defects::Resolved;
use crate::model::estate::{ConfigurationSet, CustomerIdx};
use crate::model::rollout::UpgradeState;
use crate::model::state::State;

/// What one phase of a campaign met, counted by hub (each hub's last attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PhaseFigures {
    /// Hubs whose attempt was dispatched in the phase.
    pub hubs: i64,
    pub succeeded: i64,
    /// Failed, time-outs included.
    pub failed: i64,
    /// Failed because no answer came in time (no response, or stuck in flight).
    pub timed_out: i64,
    /// Upgraded hubs a supplier reported a bad HAN on.
    pub han_issues: i64,
    /// Open defect flags raised in the phase on the campaign's target or its sets.
    pub defect_flags: i64,
    /// Configuration sets halted now, halted in the phase.
    pub halts: i64,
}

impl PhaseFigures {
    /// Hubs that failed or whose HAN went bad: what a pilot is there to find.
    pub fn problems(&self) -> i64 {
        self.failed + self.han_issues
    }

    fn add(&mut self, o: &PhaseFigures) {
        self.hubs += o.hubs;
        self.succeeded += o.succeeded;
        self.failed += o.failed;
        self.timed_out += o.timed_out;
        self.han_issues += o.han_issues;
        self.defect_flags += o.defect_flags;
        self.halts += o.halts;
    }
}

/// Whether the pilot saw what mass rollout met on a configuration set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Mass rollout met problems here, and the pilot had met problems here first.
    Caught,
    /// Mass rollout met problems here; the pilot tested the set and met none.
    Missed,
    /// Mass rollout met problems here; the pilot never tested the set.
    Untested,
    /// Mass rollout met no problem here.
    Clean,
    /// Only the pilot reached the set (mass rollout has not, or not yet).
    PilotOnly,
}

/// One configuration set (of origin) of a campaign: its pilot and its mass rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetEvidence {
    pub set: ConfigurationSet,
    pub label: String,
    pub pilot: PhaseFigures,
    pub rollout: PhaseFigures,
    pub finding: Finding,
}

/// One campaign's evidence: when its pilot and mass rollout began, their figures, and its sets
/// (most rollout hubs first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CampaignEvidence {
    pub campaign: CampaignId,
    pub target: FirmwareVersion,
    pub pilot_started: Option<DateTime<Utc>>,
    pub rollout_started: Option<DateTime<Utc>>,
    pub pilot: PhaseFigures,
    pub rollout: PhaseFigures,
    /// Sets by finding.
    pub caught: i64,
    pub missed: i64,
    pub untested: i64,
    pub clean: i64,
    pub sets: Vec<SetEvidence>,
}

/// `retirement_evidence`'s answer: every campaign whose pilot began, in the order their mass
/// rollout began (those still in their pilot last), with the whole as one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetirementEvidence {
    pub campaigns: Vec<CampaignEvidence>,
    /// Over every campaign with a mass rollout: the sets where rollout met problems, and how
    /// many of them the pilots caught.
    pub caught: i64,
    pub missed: i64,
    pub untested: i64,
}

/// Whose hubs an answer counts.
#[derive(Clone, Copy)]
enum Scope {
    Industry,
    Region(crate::kernel::ids::Region),
    Customer(CustomerIdx),
}

impl State {
    /// What the pilots found against what mass rollout met: the DCC the industry's (or
    /// `customer`'s), a CSP its region's campaigns, a customer its own hubs.
    pub fn retirement_evidence(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RetirementEvidence, Error> {
        let scope = match (actor, customer) {
            (Actor::Csp(r), None) => Scope::Region(*r),
            (Actor::Dcc, None) => Scope::Industry,
            (_, Some(c)) => match self.scope_customer(actor, c)? {
                Some(i) => Scope::Customer(i),
                None => {
                    return Ok(RetirementEvidence {
                        campaigns: Vec::new(),
                        caught: 0,
                        missed: 0,
                        untested: 0,
                    })
                }
            },
            (Actor::Customer(me), None) => return self.retirement_evidence(actor, Some(me)),
            (Actor::System, None) => {
                return Err(Error::not_permitted(
                    actor,
                    "see the retirement evidence",
                    "the system reads nothing",
                ))
            }
        };
        let mut campaigns: Vec<CampaignEvidence> = self
            .campaigns
            .values()
            .filter(|c| match scope {
                Scope::Region(r) => self.catalogue.variant(c.variant).region == r,
                _ => true,
            })
            .filter(|c| c.pilot_started.is_some())
            .map(|c| self.campaign_evidence(c, scope))
            .collect();
        campaigns.sort_by(|a, b| {
            (a.rollout_started.is_none(), a.rollout_started, &a.campaign).cmp(&(
                b.rollout_started.is_none(),
                b.rollout_started,
                &b.campaign,
            ))
        });
        let with_rollout = campaigns.iter().filter(|c| c.rollout_started.is_some());
        let (mut caught, mut missed, mut untested) = (0, 0, 0);
        for c in with_rollout {
            caught += c.caught;
            missed += c.missed;
            untested += c.untested;
        }
        Ok(RetirementEvidence {
            campaigns,
            caught,
            missed,
            untested,
        })
    }

    fn campaign_evidence(&self, c: &Campaign, scope: Scope) -> CampaignEvidence {
        let rollout_started = c.history.iter().find_map(|h| match h.change {
            CampaignChange::PhaseChanged {
                to: Phase::MassRollout,
                ..
            } => Some(h.at),
            _ => None,
        });
        let in_rollout = |at: DateTime<Utc>| rollout_started.is_some_and(|r| at >= r);
        let mine = |pos: usize| match scope {
            Scope::Customer(me) => {
                let h = &self.estate.hubs[pos];
                h.import_supplier == me || h.gas_supplier == me
            }
            _ => true,
        };
        // Per set of origin: (pilot, rollout).
        let mut sets: BTreeMap<u32, [PhaseFigures; 2]> = BTreeMap::new();
        for (&pos, u) in &c.rollout.upgrades {
            if !mine(pos as usize) {
                continue;
            }
            let f = &mut sets.entry(u.origin_config).or_default()
                [usize::from(in_rollout(u.dispatched_at))];
            f.hubs += 1;
            match u.state {
                UpgradeState::Succeeded => f.succeeded += 1,
                UpgradeState::Failed => {
                    f.failed += 1;
                    if u.failure.is_some_and(|r| r.timed_out()) {
                        f.timed_out += 1;
                    }
                }
                _ => {}
            }
            if u.health_bad {
                f.han_issues += 1;
            }
        }
        let mut pilot = PhaseFigures::default();
        let mut rollout = PhaseFigures::default();
        for d in &self.defects {
            if matches!(scope, Scope::Customer(me) if d.customer != me) {
                continue;
            }
            if c.pilot_started.is_none_or(|p| d.at < p) {
                continue;
            }
            let phase = usize::from(in_rollout(d.at));
            match d.resolved {
                Resolved::Firmware(f) if f == c.target => {
                    [&mut pilot, &mut rollout][phase].defect_flags += 1;
                }
                Resolved::Config(cfg) if self.estate.configs.resolve(cfg).variant == c.variant => {
                    sets.entry(cfg).or_default()[phase].defect_flags += 1;
                }
                _ => {}
            }
        }
        // Halts are the DCC's and the system's, of whole sets: the industry's and the region's
        // answers count them; a customer's, only on sets it has hubs on in the campaign.
        for (&cfg, halt) in &c.rollout.halted_sets {
            if matches!(scope, Scope::Customer(_)) && !sets.contains_key(&cfg) {
                continue;
            }
            sets.entry(cfg).or_default()[usize::from(in_rollout(halt.at))].halts += 1;
        }
        let configs: Vec<u32> = sets.keys().copied().collect();
        let shown: Vec<ConfigurationSet> = configs
            .iter()
            .map(|&cfg| self.configuration_set(cfg))
            .collect();
        let labels = ConfigurationSet::labels(&shown.iter().collect::<Vec<_>>());
        let mut out: Vec<SetEvidence> = Vec::with_capacity(configs.len());
        let (mut caught, mut missed, mut untested, mut clean) = (0, 0, 0, 0);
        for ((set, label), [p, r]) in shown.into_iter().zip(labels).zip(sets.into_values()) {
            pilot.add(&p);
            rollout.add(&r);
            let finding = if r.hubs == 0 {
                Finding::PilotOnly
            } else if r.problems() == 0 {
                clean += 1;
                Finding::Clean
            } else if p.hubs == 0 {
                untested += 1;
                Finding::Untested
            } else if p.problems() > 0 {
                caught += 1;
                Finding::Caught
            } else {
                missed += 1;
                Finding::Missed
            };
            out.push(SetEvidence {
                set,
                label,
                pilot: p,
                rollout: r,
                finding,
            });
        }
        out.sort_by(|a, b| {
            (b.rollout.hubs, b.pilot.hubs, &a.label).cmp(&(a.rollout.hubs, a.pilot.hubs, &b.label))
        });
        CampaignEvidence {
            campaign: c.id.clone(),
            target: self.catalogue.fw(c.target).version.clone(),
            pilot_started: c.pilot_started,
            rollout_started,
            pilot,
            rollout,
            caught,
            missed,
            untested,
            clean,
            sets: out,
        }
    }
}
