//! The CSP's list of upgradeable hubs ("upgrade GUIDs") for its region, across its campaigns.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, FirmwareVersion, HubId, Region};
use crate::model::campaigns::Campaign;
use crate::model::campaigns::Phase;
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::{ConfigurationSet, NO_CUSTOMER};
use crate::model::rules::Marks;
use crate::model::state::State;
use crate::write::eligibility::CampaignCtx;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One hub the CSP may upgrade now, and the version it goes to next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpgradeEntry {
    pub hub: HubId,
    pub campaign: CampaignId,
    pub next_version: FirmwareVersion,
    pub target: FirmwareVersion,
    /// Nominated for the pilot by one of its suppliers.
    pub nominated: bool,
    /// The hub's configuration set now, so the CSP need not look it up per hub.
    pub configuration_set: ConfigurationSet,
}

/// One page of the list: `total` entries in all, these from `offset` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpgradePage {
    pub total: i64,
    pub offset: i64,
    /// Upgradeable hubs not offered because of today's pacing cap.
    pub held_back_by_pacing: i64,
    pub entries: Vec<UpgradeEntry>,
}

impl State {
    /// The hubs of `region` upgradeable at `at`, across its campaigns in Pilot or Mass rollout,
    /// in a fixed priority order: by campaign id, then hubs nominated for the pilot, then hubs
    /// a supplier's rule put first, then the rest, each by hub id. For the region's CSP and the
    /// DCC. `limit` is capped at 100 000.
    /// Works the whole list out from the estate on every call: the reference answer.
    /// [`crate::engine::Engine::upgrade_list`] answers the same from the list it maintains as
    /// events apply.
    pub fn upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<UpgradePage, Error> {
        check_page_limit(limit)?;
        let list = self.upgrade_rows(actor, region, at)?;
        Ok(self.upgrade_page(&list, offset, limit))
    }

    /// One page of a whole list worked out on this state.
    pub(crate) fn upgrade_page(&self, list: &UpgradeList, offset: u64, limit: u64) -> UpgradePage {
        let total = list.len() as u64;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(list.len());
        let count = usize::try_from(limit).unwrap_or(usize::MAX);
        let entries = list
            .rows_from(start)
            .take(count)
            .map(|row| {
                let (campaign, target) = &list.campaigns[usize::from(row.campaign)];
                let hub = &self.estate.hubs[row.pos as usize];
                UpgradeEntry {
                    hub: row.hub,
                    campaign: campaign.clone(),
                    next_version: self.catalogue.fw(row.next).version.clone(),
                    target: self.catalogue.fw(*target).version.clone(),
                    nominated: row.nominated(),
                    configuration_set: self.configuration_set(hub.config),
                }
            })
            .collect();
        UpgradePage {
            total: crate::kernel::limits::signed(total),
            offset: crate::kernel::limits::signed(offset),
            held_back_by_pacing: crate::kernel::limits::signed(list.held_back),
            entries,
        }
    }

    pub(crate) fn upgrade_list_permitted(
        &self,
        actor: &Actor,
        region: Region,
    ) -> Result<(), Error> {
        match actor {
            Actor::Dcc => Ok(()),
            Actor::Csp(r) if *r == region => Ok(()),
            _ => Err(Error::not_permitted(
                actor,
                format!("read the upgrade list of the {region} region"),
                "only that region's CSP and the DCC read it",
            )),
        }
    }

    /// The campaigns an upgrade list of `region` draws from, in its order (by id).
    pub(crate) fn listing_campaigns(&self, region: Region) -> Vec<&Campaign> {
        self.campaigns
            .values()
            .filter(|c| matches!(c.phase, Phase::Pilot | Phase::MassRollout))
            .filter(|c| self.catalogue.variant(c.variant).region == region)
            .collect()
    }

    /// The whole upgrade list worked out from the estate, in its order: what the paged view
    /// and the columnar answer (`read::arrow`, feature `arrow`) build from when no maintained
    /// list answers.
    pub(crate) fn upgrade_rows(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<UpgradeList, Error> {
        self.upgrade_list_permitted(actor, region)?;
        let campaigns = self.listing_campaigns(region);
        let priorities = Priorities::of(self);
        let mut list = UpgradeList {
            campaigns: campaigns.iter().map(|c| (c.id.clone(), c.target)).collect(),
            segments: Vec::with_capacity(campaigns.len()),
            held_back: 0,
        };
        for (ci, c) in campaigns.iter().enumerate() {
            // The cap is applied below, so that hubs it holds back are counted, not blocked.
            let ctx = self.campaign_ctx(c, at);
            let cap_left = ctx.cap_left();
            let ctx = CampaignCtx { cap: None, ..ctx };
            let mut rows = self.scan_upgradeable(&ctx, ci, &priorities);
            rows.sort_unstable_by_key(UpgradeRow::order);
            // Pacing: offer no more than today's cap has left, in priority order.
            let offered = cap_left.map_or(rows.len(), |left| {
                rows.len().min(usize::try_from(left).unwrap_or(usize::MAX))
            });
            list.held_back += (rows.len() - offered) as u64;
            list.segments.push((vec![Arc::new(rows)], offered));
        }
        Ok(list)
    }

    /// Every hub of the estate upgradeable under `ctx` (campaign number `ci` of its list), in
    /// estate order: a scan across the cores.
    pub(crate) fn scan_upgradeable(
        &self,
        ctx: &CampaignCtx<'_>,
        ci: usize,
        priorities: &Priorities<'_>,
    ) -> Vec<UpgradeRow> {
        let hubs = &self.estate.hubs;
        let variant = ctx.campaign.variant;
        crate::kernel::par::scan(hubs.len(), |range| {
            let mut scratch = Vec::new();
            let mut out = Vec::new();
            for pos in range {
                if hubs[pos].variant != variant {
                    continue;
                }
                if let Some(row) = self.upgrade_row(ctx, ci, pos, priorities, &mut scratch) {
                    out.push(row);
                }
            }
            out
        })
    }

    /// The hub at `pos` as a row of the list under `ctx` (campaign number `ci`), if it is
    /// upgradeable there: its next version and its rank.
    pub(crate) fn upgrade_row(
        &self,
        ctx: &CampaignCtx<'_>,
        ci: usize,
        pos: usize,
        priorities: &Priorities<'_>,
        scratch: &mut Vec<crate::write::eligibility::Raw>,
    ) -> Option<UpgradeRow> {
        let hub = &self.estate.hubs[pos];
        scratch.clear();
        let next = self.blockers(ctx, pos, true, scratch)?;
        let suppliers = [hub.import_supplier, hub.gas_supplier];
        let supplied = suppliers.iter().filter(|&&s| s != NO_CUSTOMER);
        let c = ctx.campaign;
        let rank = if supplied
            .clone()
            .any(|&s| c.consents.nominated_by(s, pos as u32))
        {
            RANK_NOMINATED
        } else if supplied
            .clone()
            .any(|&s| priorities.puts_first(s, hub.config, pos as u32))
        {
            RANK_PRIORITISED
        } else {
            RANK_REST
        };
        Some(UpgradeRow {
            hub: hub.id,
            pos: pos as u32,
            next,
            campaign: u16::try_from(ci).unwrap_or(u16::MAX),
            rank,
        })
    }
}

const RANK_NOMINATED: u8 = 0;
const RANK_PRIORITISED: u8 = 1;
const RANK_REST: u8 = 2;

/// Per customer, the sets its rules put first (as an array a scan reads) and its marks (for
/// hubs named one by one); empty when no rule prioritised anything.
pub(crate) struct Priorities<'a>(Vec<(Vec<bool>, Option<&'a Marks>)>);

impl<'a> Priorities<'a> {
    pub(crate) fn of(state: &'a State) -> Priorities<'a> {
        let mut prioritised = Vec::new();
        if !state.rules.prioritised.is_empty() {
            prioritised = vec![(Vec::new(), None); state.estate.customers.len()];
            for (&i, m) in &state.rules.prioritised {
                let entry = &mut prioritised[usize::from(i)];
                entry.0 = vec![false; state.estate.configs.len()];
                for &cfg in m.sets.keys() {
                    entry.0[cfg as usize] = true;
                }
                entry.1 = (!m.hubs.is_empty()).then_some(m);
            }
        }
        Priorities(prioritised)
    }

    fn puts_first(
        &self,
        customer: crate::model::estate::CustomerIdx,
        config: u32,
        pos: u32,
    ) -> bool {
        !self.0.is_empty()
            && self.0.get(usize::from(customer)).is_some_and(|(sets, m)| {
                sets.get(config as usize).copied().unwrap_or(false)
                    || m.is_some_and(|m| m.hubs.contains_key(&pos))
            })
    }
}

/// One hub of the upgrade list: its id and estate position, the version it is offered, its
/// campaign (an index into [`UpgradeList::campaigns`]) and its rank (nominated, put first by a
/// rule, the rest). 24 bytes: the maintained lists keep one a listed hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpgradeRow {
    pub hub: HubId,
    pub pos: u32,
    pub next: FirmwareIdx,
    pub campaign: u16,
    pub rank: u8,
}

impl UpgradeRow {
    /// The list's order within a campaign.
    pub(crate) fn order(&self) -> (u8, HubId) {
        (self.rank, self.hub)
    }

    pub(crate) fn nominated(&self) -> bool {
        self.rank == RANK_NOMINATED
    }
}

/// One campaign's rows in order, in chunks: shared, so that a maintained list answers without
/// copying its rows, and changes one chunk (a few thousand rows), not the whole, when a hub
/// moves.
pub(crate) type Chunks = Vec<Arc<Vec<UpgradeRow>>>;

/// A whole upgrade list: its campaigns (id, target), a segment of rows for each (the rows in
/// order, and how many of them today's pacing offers), and the hubs pacing held back.
pub(crate) struct UpgradeList {
    pub campaigns: Vec<(CampaignId, FirmwareIdx)>,
    pub segments: Vec<(Chunks, usize)>,
    pub held_back: u64,
}

impl UpgradeList {
    /// How many hubs the list offers.
    pub(crate) fn len(&self) -> usize {
        self.segments.iter().map(|(_, n)| n).sum()
    }

    /// The offered rows from the `start`-th on, in order: the segments and chunks before it
    /// passed over by their lengths, so that a page far down a long list costs its own rows.
    pub(crate) fn rows_from(&self, start: usize) -> impl Iterator<Item = &UpgradeRow> {
        let mut skip = start;
        self.segments.iter().flat_map(move |(chunks, offered)| {
            // This segment's offered rows after `skip`; what is left to skip goes on.
            let from = skip.min(*offered);
            skip -= from;
            let mut passed = 0;
            let mut left = offered - from;
            chunks.iter().flat_map(move |c| {
                let lo = from.saturating_sub(passed).min(c.len());
                passed += c.len();
                let n = (c.len() - lo).min(left);
                left -= n;
                c[lo..lo + n].iter()
            })
        })
    }
}

/// A page holds 1 to 100 000 entries.
pub(crate) fn check_page_limit(limit: u64) -> Result<(), Error> {
    if limit == 0 || limit > 100_000 {
        return Err(Error::invalid_input(
            "limit",
            format!("{limit} is not between 1 and 100 000"),
        ));
    }
    Ok(())
}
