//! A customer's participation in a campaign, and the pilot-selection helper.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::kernel::limits;
use crate::kernel::phase::Phase;
use crate::kernel::rng::SplitMix64;
use crate::model::estate::{ConfigurationSet, CustomerIdx, SupplyRole, NO_CUSTOMER};
use crate::model::participation::PilotVerdict;
use crate::model::state::State;
use crate::read::UpgradeCounts;
use crate::write::eligibility::Raw;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A pilot candidate: (not super-friendly, seeded rank, hub), so that sorting prefers
/// super-friendly premises, then the seeded order.
type Candidate = (bool, u64, HubId);

/// One customer's participation in a campaign, over its own hubs of the campaign's variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParticipationView {
    pub customer: CustomerId,
    pub campaign: CampaignId,
    /// Its hubs of the campaign's variant.
    pub hubs: i64,
    pub upgradeable_now: i64,
    pub nominated: Vec<HubId>,
    pub rejected: Vec<HubId>,
    pub whole_estate_approved: bool,
    pub approved_configuration_sets: Vec<ConfigurationSet>,
    /// Split-supply hubs of its whose other supplier has consented (that supplier unnamed).
    pub other_supplier_consented: Vec<HubId>,
    pub verdict: Option<PilotVerdict>,
    pub cutoff: DateTime<Utc>,
    pub cutoff_passed: bool,
}

impl State {
    /// `customer`'s participation in `campaign` at `at`: the DCC for any customer, a customer
    /// for itself.
    pub fn participation(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        customer: &CustomerId,
        at: DateTime<Utc>,
    ) -> Result<ParticipationView, Error> {
        match actor {
            Actor::Dcc => {}
            Actor::Customer(me) if me == customer => {}
            _ => {
                return Err(Error::not_permitted(
                    actor,
                    format!("see the participation of {customer}"),
                    "a customer sees its own participation, the DCC everyone's",
                ))
            }
        }
        let c = self.campaign_for(actor, campaign)?;
        let me = self.estate.customer_idx(customer).unwrap_or(NO_CUSTOMER);
        let ctx = self.campaign_ctx(c, at);
        let mut view = ParticipationView {
            customer: customer.clone(),
            campaign: campaign.clone(),
            hubs: 0,
            upgradeable_now: 0,
            nominated: Vec::new(),
            rejected: Vec::new(),
            whole_estate_approved: c.consents.whole_estate.contains_key(&me),
            approved_configuration_sets: c
                .consents
                .config_sets
                .get(&me)
                .map(|s| s.iter().map(|&i| self.configuration_set(i)).collect())
                .unwrap_or_default(),
            other_supplier_consented: Vec::new(),
            verdict: c.consents.verdicts.get(&me).map(|(v, _)| v.clone()),
            cutoff: c.cutoff_for(me),
            cutoff_passed: at >= c.cutoff_for(me),
        };
        if me == NO_CUSTOMER {
            return Ok(view);
        }
        let mut scratch = Vec::new();
        for pos in self.estate.hubs_of(me, 0) {
            let hub = &self.estate.hubs[pos];
            if hub.variant != c.variant {
                continue;
            }
            let p = pos as u32;
            view.hubs += 1;
            scratch.clear();
            if self.blockers(&ctx, pos, true, &mut scratch).is_some() {
                view.upgradeable_now += 1;
            }
            if c.consents.nominated_by(me, p) {
                view.nominated.push(hub.id);
            }
            if c.consents.rejection_by(me, p).is_some() {
                view.rejected.push(hub.id);
            }
            if hub.is_split_supply() {
                let other = if hub.import_supplier == me {
                    hub.gas_supplier
                } else {
                    hub.import_supplier
                };
                if c.consents.consents(other, p, hub.config) {
                    view.other_supplier_consented.push(hub.id);
                }
            }
        }
        Ok(view)
    }

    /// Every customer's participation (the DCC's view): customers with hubs of the variant.
    pub fn participations(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        at: DateTime<Utc>,
    ) -> Result<Vec<ParticipationView>, Error> {
        if *actor != Actor::Dcc {
            return Err(Error::not_permitted(
                actor,
                format!("see every customer's participation in {campaign}"),
                "only the DCC sees everyone's",
            ));
        }
        let c = self.campaign_for(actor, campaign)?;
        let mut customers: Vec<CustomerIdx> = self
            .estate
            .hubs
            .iter()
            .filter(|h| h.variant == c.variant)
            .flat_map(|h| [h.import_supplier, h.gas_supplier])
            .filter(|&s| s != NO_CUSTOMER)
            .collect();
        customers.sort_unstable();
        customers.dedup();
        let mut out: Vec<ParticipationView> = customers
            .into_iter()
            .filter_map(|i| self.estate.customer(i).cloned())
            .map(|id| self.participation(actor, campaign, &id, at))
            .collect::<Result<_, _>>()?;
        out.sort_by(|a, b| a.customer.cmp(&b.customer));
        Ok(out)
    }

    /// Proposes up to `size` of the asking customer's hubs for the pilot of `campaign`: only
    /// hubs it could nominate; super-friendly premises first; spread over its configuration
    /// sets in proportion to its estate, each set represented where `size` allows; the same
    /// answer for the same state, size, seed and time. It proposes; the customer still
    /// nominates. Evaluated at `at` (the caller's "now", as `explain` is), never at the time of
    /// the last recorded event: others' events move that, and the answer must not show them.
    pub fn propose_pilot(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        size: u32,
        seed: u64,
        at: DateTime<Utc>,
    ) -> Result<PilotProposal, Error> {
        let Actor::Customer(id) = actor else {
            return Err(Error::not_permitted(
                actor,
                format!("propose pilot hubs in {campaign}"),
                "a customer proposes from its own hubs",
            ));
        };
        let c = self.campaign_for(actor, campaign)?;
        if size == 0 {
            return Err(Error::invalid_input("size", "propose at least one hub"));
        }
        let Some(me) = self.estate.customer_idx(id) else {
            return Ok(PilotProposal::default());
        };
        let mut ctx = self.campaign_ctx(c, at);
        // A nominated hub is in the pilot: evaluate as if this one were (pilot rules apply).
        ctx.rules = Phase::Pilot;
        let mut scratch = Vec::new();
        // Candidates per configuration set, in two tiers: super-friendly premises, then the rest.
        let mut tiers: [BTreeMap<u32, Vec<Candidate>>; 2] = Default::default();
        for pos in self.estate.hubs_of(me, 0) {
            let hub = &self.estate.hubs[pos];
            let p = pos as u32;
            if hub.variant != c.variant
                || c.consents.nominated_by(me, p)
                || c.consents.rejection_by(me, p).is_some()
            {
                continue;
            }
            // Never a hub that could not be upgraded in the pilot once nominated: protected,
            // held, suspended by a defect flag, rejected, on a halted set, in flight, out of
            // attempts, not commissioned, off the pathway, or a split hub whose other supplier
            // has not consented. Pacing and the CSP's pauses pass, so they do not count here.
            scratch.clear();
            self.blockers(&ctx, pos, false, &mut scratch);
            let upgradeable_once_nominated = scratch.iter().all(|r| match r {
                Raw::NotInPilot
                | Raw::NotStarted
                | Raw::Suspended
                | Raw::Blackout
                | Raw::OutsideWindow(_)
                | Raw::CspPaused(_)
                | Raw::CapReached(_) => true,
                Raw::Awaiting(_, who) => *who == me,
                _ => false,
            });
            if !upgradeable_once_nominated {
                continue;
            }
            let friendly = SupplyRole::ALL
                .iter()
                .any(|&r| hub.supplier(r) == me && hub.flags(r).super_friendly);
            let rank = SplitMix64::new(seed ^ hub.id.as_u64()).next_u64();
            tiers[usize::from(!friendly)]
                .entry(hub.config)
                .or_default()
                .push((!friendly, rank, hub.id));
        }
        let remaining_cap = c.policy.pilot_cap_per_customer.map_or(usize::MAX, |cap| {
            (cap as usize).saturating_sub(c.consents.nominated_count(me))
        });
        let total: usize = tiers.iter().flat_map(|t| t.values()).map(Vec::len).sum();
        // Candidates per set, both tiers: what the coverage is weighed by.
        let mut pool: BTreeMap<u32, usize> = BTreeMap::new();
        for (&config, hubs) in tiers.iter().flat_map(|t| t.iter()) {
            *pool.entry(config).or_default() += hubs.len();
        }
        let mut want = (size as usize).min(total).min(remaining_cap);
        // Super-friendly premises first, over all sets; then the rest, each tier spread over
        // its configuration sets, the second reaching first the sets the first left out (a
        // pilot tests what the estate runs: as many of its sets as the size allows).
        let mut out = Vec::with_capacity(want);
        let mut covered: BTreeSet<u32> = BTreeSet::new();
        for tier in tiers {
            let groups: Vec<Group> = tier
                .into_iter()
                .map(|(config, mut hubs)| {
                    hubs.sort_unstable();
                    Group {
                        covered: covered.contains(&config),
                        config,
                        key: self.configuration_set(config).key(),
                        hubs,
                    }
                })
                .collect();
            let taken = spread(groups, want);
            want -= taken.len();
            covered.extend(taken.iter().map(|&(config, _)| config));
            out.extend(taken.into_iter().map(|(_, hub)| hub));
        }
        let reached: usize = covered.iter().filter_map(|c| pool.get(c)).sum();
        Ok(PilotProposal {
            hubs: out,
            sets: limits::signed(pool.len() as u64),
            sets_covered: limits::signed(covered.len() as u64),
            coverage_bp: (reached * 10_000)
                .checked_div(total)
                .map_or(0, |bp| i32::try_from(bp).unwrap_or(10_000)),
        })
    }
}

/// `propose_pilot`'s answer: the hubs proposed, and how much of the asker's estate they test.
/// Counted over the hubs it could nominate (the candidates): `sets` their configuration sets,
/// `sets_covered` those the proposal reaches, and `coverage_bp` the share of the candidates on
/// a set the proposal reaches, in basis points (10 000: every candidate's set is tested).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PilotProposal {
    pub hubs: Vec<HubId>,
    pub sets: i64,
    pub sets_covered: i64,
    pub coverage_bp: i32,
}

/// One configuration set's candidates in a tier: whether an earlier tier already took a hub
/// of it, its code and key, and its hubs in the order they are taken.
struct Group {
    covered: bool,
    config: u32,
    key: String,
    hubs: Vec<Candidate>,
}

/// Up to `want` hubs (each with its set) spread over the groups: one each where `want` allows,
/// first to the sets no earlier tier covered, largest first (ties by key), then the rest in
/// proportion to what each has left (largest remainders).
fn spread(mut groups: Vec<Group>, want: usize) -> Vec<(u32, HubId)> {
    let total: usize = groups.iter().map(|g| g.hubs.len()).sum();
    let want = want.min(total);
    if want == 0 {
        return Vec::new();
    }
    groups.sort_by(|a, b| {
        a.covered
            .cmp(&b.covered)
            .then_with(|| b.hubs.len().cmp(&a.hubs.len()))
            .then_with(|| a.key.cmp(&b.key))
    });
    let mut quota: Vec<usize> = groups
        .iter()
        .enumerate()
        .map(|(i, _)| usize::from(i < want))
        .collect();
    let left = want - quota.iter().sum::<usize>();
    if left > 0 {
        let spare: Vec<usize> = groups
            .iter()
            .zip(&quota)
            .map(|(g, q)| g.hubs.len() - q)
            .collect();
        let spare_total: usize = spare.iter().sum();
        let mut shares: Vec<(usize, usize, usize)> = spare
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let exact = s * left;
                (i, exact / spare_total.max(1), exact % spare_total.max(1))
            })
            .collect();
        for &(i, whole, _) in &shares {
            quota[i] += whole;
        }
        let mut short = want - quota.iter().sum::<usize>();
        shares.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        for &(i, _, _) in &shares {
            if short == 0 {
                break;
            }
            if quota[i] < groups[i].hubs.len() {
                quota[i] += 1;
                short -= 1;
            }
        }
    }
    let mut out: Vec<(u32, HubId)> = groups
        .iter()
        .zip(&quota)
        .flat_map(|(g, &q)| g.hubs.iter().take(q).map(|&(_, _, h)| (g.config, h)))
        .collect();
    out.truncate(want);
    out
}

/// One participant's row of the pilot status (the customer unnamed to a CSP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PilotStatusRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<CustomerId>,
    #[serde(flatten)]
    pub counts: UpgradeCounts,
}

/// A campaign's pilot, participant by participant (the customer unnamed to a CSP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PilotStatus {
    pub campaign: CampaignId,
    pub phase: Phase,
    /// Over the rows shown.
    pub total: UpgradeCounts,
    pub rows: Vec<PilotStatusRow>,
}

impl State {
    /// The pilot's status per participant: the DCC sees every row named, the campaign's CSP
    /// every row unnamed, a customer its own row. A participant's hubs are those it nominated
    /// and those of its hubs with an upgrade in this campaign.
    pub fn pilot_status(&self, actor: &Actor, campaign: &CampaignId) -> Result<PilotStatus, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let only = match actor {
            Actor::Customer(_) => Some(self.customer_of(actor).unwrap_or(NO_CUSTOMER)),
            _ => None,
        };
        let mut rows: BTreeMap<CustomerIdx, UpgradeCounts> = BTreeMap::new();
        let mut total = UpgradeCounts::default();
        for (pos, h) in self.estate.hubs.iter().enumerate() {
            if h.variant != c.variant {
                continue;
            }
            let p = pos as u32;
            let record = c.rollout.upgrades.get(&p);
            let mut counted = false;
            let suppliers = if h.gas_supplier == h.import_supplier {
                [h.import_supplier, NO_CUSTOMER]
            } else {
                [h.import_supplier, h.gas_supplier]
            };
            for s in suppliers {
                if s == NO_CUSTOMER || only.is_some_and(|o| o != s) {
                    continue;
                }
                if record.is_some() || c.consents.nominated_by(s, p) {
                    let (state, bad) = (
                        record.map(|u| u.state),
                        record.is_some_and(|u| u.health_bad),
                    );
                    rows.entry(s).or_default().add(state, bad);
                    if !counted {
                        total.add(state, bad);
                        counted = true;
                    }
                }
            }
        }
        let mut rows: Vec<PilotStatusRow> = rows
            .into_iter()
            .map(|(s, counts)| PilotStatusRow {
                customer: match actor {
                    Actor::Csp(_) => None,
                    _ => self.estate.customer(s).cloned(),
                },
                counts,
            })
            .collect();
        match actor {
            // Unnamed rows in an order that says nothing of who they are.
            Actor::Csp(_) => rows.sort_by(|a, b| {
                (b.counts.hubs, b.counts.succeeded, b.counts.failed).cmp(&(
                    a.counts.hubs,
                    a.counts.succeeded,
                    a.counts.failed,
                ))
            }),
            _ => rows.sort_by(|a, b| a.customer.cmp(&b.customer)),
        }
        Ok(PilotStatus {
            campaign: c.id.clone(),
            phase: c.phase,
            total,
            rows,
        })
    }
}
