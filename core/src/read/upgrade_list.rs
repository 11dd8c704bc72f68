//! The CSP's list of upgradeable hubs ("upgrade GUIDs") for its region, across its campaigns.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, FirmwareVersion, HubId, Region};
use crate::model::campaigns::Phase;
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::{ConfigurationSet, HubRecord, NO_CUSTOMER};
use crate::model::state::State;
use crate::write::eligibility::CampaignCtx;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// a supplier's rule put first, then the rest, each by hub id. For the region's CSP and the DCC. `limit` is capped at 100 000.
    /// Works the whole list out on every call; [`crate::engine::Engine::upgrade_list`] keeps it
    /// for the next page.
    pub fn upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<UpgradePage, Error> {
        check_page_limit(limit)?;
        let list = self.whole_upgrade_list(actor, region, at)?;
        Ok(self.upgrade_page(&list, offset, limit))
    }

    /// One page of a whole list worked out on this state.
    pub(crate) fn upgrade_page(
        &self,
        list: &WholeUpgradeList,
        offset: u64,
        limit: u64,
    ) -> UpgradePage {
        let total = list.rows.len() as u64;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(list.rows.len());
        let end = start.saturating_add(limit as usize).min(list.rows.len());
        let entries = list.rows[start..end]
            .iter()
            .map(|row| {
                let (campaign, target) = &list.campaigns[row.campaign];
                UpgradeEntry {
                    hub: row.hub.id,
                    campaign: campaign.clone(),
                    next_version: self.catalogue.fw(row.next).version.clone(),
                    target: self.catalogue.fw(*target).version.clone(),
                    nominated: row.nominated,
                    configuration_set: self.configuration_set(row.hub.config),
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

    /// The whole list, owned (no borrow of the state), so that it can be kept for paging.
    pub(crate) fn whole_upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<WholeUpgradeList, Error> {
        let list = self.upgrade_rows(actor, region, at)?;
        Ok(WholeUpgradeList {
            campaigns: list
                .campaigns
                .iter()
                .map(|c| (c.id.clone(), c.target))
                .collect(),
            rows: list.rows,
            held_back: list.held_back,
        })
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

    /// The whole upgrade list, in its order, as rows of estate positions: what the paged view
    /// and the columnar answer (`read::arrow`, feature `arrow`) both build from.
    pub(crate) fn upgrade_rows(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<UpgradeRows<'_>, Error> {
        self.upgrade_list_permitted(actor, region)?;
        // (not nominated, hub, campaign #, next, the hub's record): the record is copied while
        // the scan has it in cache, so the answers built from the rows read no table at random.
        let mut rows: Vec<(u8, HubId, usize, FirmwareIdx, HubRecord)> = Vec::new();
        let campaigns: Vec<_> = self
            .campaigns
            .values()
            .filter(|c| matches!(c.phase, Phase::Pilot | Phase::MassRollout))
            .filter(|c| self.catalogue.variant(c.variant).region == region)
            .collect();
        let mut held_back = 0u64;
        // Per customer, the sets its rules put first (as an array a scan reads) and its marks
        // (for hubs named one by one); empty when no rule prioritised anything.
        let mut prioritised: Vec<(Vec<bool>, Option<&crate::model::rules::Marks>)> = Vec::new();
        if !self.rules.prioritised.is_empty() {
            prioritised = vec![(Vec::new(), None); self.estate.customers.len()];
            for (&i, m) in &self.rules.prioritised {
                let entry = &mut prioritised[usize::from(i)];
                entry.0 = vec![false; self.estate.configs.len()];
                for &cfg in m.sets.keys() {
                    entry.0[cfg as usize] = true;
                }
                entry.1 = (!m.hubs.is_empty()).then_some(m);
            }
        }
        let prioritised = &prioritised;
        for (ci, c) in campaigns.iter().enumerate() {
            // The cap is applied below, so that hubs it holds back are counted, not blocked.
            let ctx = self.campaign_ctx(c, at);
            let cap_left = ctx.cap_left();
            let ctx = CampaignCtx { cap: None, ..ctx };
            let start = rows.len();
            let hubs = &self.estate.hubs;
            rows.extend(crate::kernel::par::scan(hubs.len(), |range| {
                let mut scratch = Vec::new();
                let mut out = Vec::new();
                for pos in range {
                    let hub = &hubs[pos];
                    if hub.variant != c.variant {
                        continue;
                    }
                    scratch.clear();
                    if let Some(next) = self.blockers(&ctx, pos, true, &mut scratch) {
                        let suppliers = [hub.import_supplier, hub.gas_supplier];
                        let supplied = suppliers.iter().filter(|&&s| s != NO_CUSTOMER);
                        let rank = if supplied
                            .clone()
                            .any(|&s| c.consents.nominated_by(s, pos as u32))
                        {
                            0
                        } else if !prioritised.is_empty()
                            && supplied.clone().any(|&s| {
                                prioritised.get(usize::from(s)).is_some_and(|(sets, m)| {
                                    sets.get(hub.config as usize).copied().unwrap_or(false)
                                        || m.is_some_and(|m| m.hubs.contains_key(&(pos as u32)))
                                })
                            })
                        {
                            1
                        } else {
                            2
                        };
                        out.push((rank, hub.id, ci, next, *hub));
                    }
                }
                out
            }));
            // Pacing: offer no more than today's cap has left, in priority order.
            rows[start..].sort_unstable_by_key(|&(rank, hub, _, _, _)| (rank, hub));
            if let Some(left) = cap_left {
                let offered = (rows.len() - start).min(usize::try_from(left).unwrap_or(usize::MAX));
                held_back += (rows.len() - start - offered) as u64;
                rows.truncate(start + offered);
            }
        }
        Ok(UpgradeRows {
            rows: rows
                .into_iter()
                .map(|(rank, _, campaign, next, hub)| UpgradeRow {
                    hub,
                    campaign,
                    next,
                    nominated: rank == 0,
                })
                .collect(),
            campaigns,
            held_back,
        })
    }
}

/// One hub of the upgrade list: its record (a copy), its campaign (an index into
/// [`UpgradeRows::campaigns`]) and the version it is offered.
pub(crate) struct UpgradeRow {
    pub hub: HubRecord,
    pub campaign: usize,
    pub next: FirmwareIdx,
    pub nominated: bool,
}

/// The whole list, its campaigns, and the hubs pacing held back.
pub(crate) struct UpgradeRows<'a> {
    pub rows: Vec<UpgradeRow>,
    pub campaigns: Vec<&'a crate::model::campaigns::Campaign>,
    pub held_back: u64,
}

/// A whole upgrade list, owned: what a page is cut from.
pub(crate) struct WholeUpgradeList {
    rows: Vec<UpgradeRow>,
    /// Each campaign's id and target, as `rows` index them.
    campaigns: Vec<(CampaignId, FirmwareIdx)>,
    held_back: u64,
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
