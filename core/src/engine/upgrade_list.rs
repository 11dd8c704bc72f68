//! The maintained upgrade lists: a projection the engine keeps beside its notification
//! outboxes. For each region asked about, the hubs upgradeable in each of its live campaigns,
//! in the list's order, kept up to date as events apply, so that the whole list, its count and
//! its pages are answered from kept rows instead of a scan of the estate.
//!
//! How it stays equal to the list worked out from scratch ([`State::upgrade_list`], which the
//! property tests compare it with after every event):
//! - **Events** ([`touched`]): an event about named hubs (an outcome, a read-back, a
//!   nomination, a rejection, a change of supplier, devices or status) marks those hubs to be
//!   worked out again; an event that cannot change any hub's place (a notice, a health report,
//!   a key) marks nothing; every other event (a phase change, a consent to a whole estate or
//!   a set, a halt, a hold, a rule, a policy, a catalogue change, an estate load) is rare and
//!   may move any hub: the region is worked out again from the estate when next asked.
//! - **Time**: what blocks every hub of a campaign at once for a while (a blackout, outside the
//!   pilot's window, today's pacing cap) is applied when the list is answered, never kept (a CSP
//!   pause of the whole campaign is kept: its pause and resume are events that rework the region).
//!   What blocks one hub until a time (a retry delay, a rule's hold on a hub) is kept as that
//!   hub's deadline: asking at a time past it works that hub out again, as deadlines are. What
//!   changes many hubs at a time (a customer's cut-off, a rule's hold on a set) works the
//!   campaign out again when a question's time crosses it.
//! - **Anything unseen**: the list remembers the last event it saw; if the state moved past it
//!   without telling the list (a path that applies events without [`MaintainedLists::observe`]),
//!   every region is worked out again. So a missed hook costs time, never a wrong answer.
//!
//! Not state: never replayed, compared or stored; a restarted or forked engine works each list
//! out on its first question (an engine catching up with its store's other writers keeps its
//! lists and follows their events as its own).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId, Region};
use crate::model::campaigns::Campaign;
use crate::model::catalogue::FirmwareIdx;
use crate::model::rollout::UpgradeState;
use crate::model::state::State;
use crate::read::upgrade_list::{
    check_page_limit, Chunks, Priorities, UpgradeList, UpgradePage, UpgradeRow,
};
use crate::write::eligibility::CampaignCtx;
use crate::write::event::{Event, EventPayload};

use super::Engine;

/// The upgrade lists the engine maintains, by region. A lock, because queries take `&self` and
/// the bindings answer them from several threads; a question holds it while it brings the list
/// up to date, then answers from shared rows without it.
#[derive(Default)]
pub(crate) struct MaintainedLists(Mutex<Lists>);

#[derive(Default)]
struct Lists {
    /// The last event observed: if the state's is another, an event went by unseen.
    seen: u64,
    regions: HashMap<Region, RegionList>,
}

/// One region's list, as brought up to date by the last question.
struct RegionList {
    /// The state's last event and the time the list was last brought to.
    seq: u64,
    at: DateTime<Utc>,
    campaigns: Vec<KeptCampaign>,
    /// Hubs (estate positions) whose place may have changed since: worked out again when next
    /// asked. `all`: the whole region is.
    dirty: Vec<u32>,
    all: bool,
}

/// One campaign's upgradeable hubs, whatever blocks the whole campaign at the time asked.
struct KeptCampaign {
    id: CampaignId,
    target: FirmwareIdx,
    /// In the list's order (rank, hub id), in chunks of up to 2 * `CHUNK` rows: shared with
    /// answers being built; a moved hub changes one chunk.
    rows: Chunks,
    /// How many rows the chunks hold.
    len: usize,
    /// Times at which many hubs' places change (cut-offs, holds on sets), sorted.
    bounds: Vec<DateTime<Utc>>,
    /// Times at which one hub's place changes (a retry delay's end, a hold on the hub), sorted.
    hub_bounds: Vec<(DateTime<Utc>, u32)>,
}

/// Which hubs an event may move in or out of an upgrade list, or along it.
enum Touched<'a> {
    Nothing,
    Hubs(Box<dyn Iterator<Item = HubId> + 'a>),
    All,
}

/// Above this many marked hubs a region is worked out again whole: a scan is cheaper.
fn too_many_dirty(hubs: usize) -> usize {
    (hubs / 8).max(4096)
}

fn touched(payload: &EventPayload) -> Touched<'_> {
    use EventPayload as E;
    fn hubs<'a, T: 'a>(rows: &'a [T], hub: impl Fn(&T) -> HubId + 'a) -> Touched<'a> {
        Touched::Hubs(Box::new(rows.iter().map(hub)))
    }
    match payload {
        E::OutcomesReported(e) => hubs(&e.outcomes, |o| o.hub),
        E::ReadBacksReported(e) => hubs(&e.readings, |r| r.hub),
        E::ReconciliationTimedOut(e) => hubs(&e.hubs, |&h| h),
        E::InFlightTimedOut(e) => hubs(&e.hubs, |&h| h),
        E::HubsNominated(e) => hubs(&e.hubs, |&h| h),
        E::NominationsWithdrawn(e) => hubs(&e.hubs, |&h| h),
        E::HubsRejected(e) => hubs(&e.hubs, |&h| h),
        E::RejectionsWithdrawn(e) => hubs(&e.hubs, |&h| h),
        E::RejectionsOverridden(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::SupplierChanged(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::SmiStatusChanged(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::HanDeviceFirmwareChanged(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::ConsumerFlagsSet(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::HubCommissioned(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        E::HubDecommissioned(e) => hubs(std::slice::from_ref(&e.hub), |&h| h),
        // Nothing a list reads: health goes to tallies and notices, verdicts and testing
        // feedback to the record, notices and keys to their own projections.
        E::HanHealthReported(_)
        | E::PilotVerdictRecorded(_)
        | E::TestFeedbackRecorded(_)
        | E::CutoffNoticesDue(_)
        | E::IndustryTrendsNoticed(_)
        | E::NotificationsAcknowledged(_)
        | E::NoticeSent(_)
        | E::KeyRegistered(_)
        | E::KeyRevoked(_) => Touched::Nothing,
        _ => Touched::All,
    }
}

impl MaintainedLists {
    /// Takes note of an event the state has just applied: the hubs it may have moved, or that
    /// every list must be worked out again. O(the hubs the event names).
    pub(crate) fn observe(&mut self, state: &State, event: &Event) {
        let lists = self.0.get_mut().unwrap_or_else(|p| {
            // A question panicked part way through bringing a list up to date: start again.
            let lists = p.into_inner();
            lists.regions.clear();
            lists
        });
        lists.seen = event.seq;
        if lists.regions.is_empty() {
            return;
        }
        match touched(&event.payload) {
            Touched::Nothing => {}
            Touched::All => lists.regions.values_mut().for_each(RegionList::invalidate),
            Touched::Hubs(ids) => {
                let limit = too_many_dirty(state.estate.hubs.len());
                for id in ids {
                    let Some(pos) = state.estate.position(id) else {
                        continue;
                    };
                    let variant = state.estate.hubs[pos].variant;
                    let region = state.catalogue.variant(variant).region;
                    if let Some(list) = lists.regions.get_mut(&region) {
                        if !list.all {
                            list.dirty.push(pos as u32);
                            if list.dirty.len() > limit {
                                list.invalidate();
                            }
                        }
                    }
                }
            }
        }
    }

    /// The whole list of `region` at `at` on `state`, brought up to date first. The caller
    /// checked the permission.
    fn answer(&self, state: &State, region: Region, at: DateTime<Utc>) -> UpgradeList {
        let mut lists = self.0.lock().unwrap_or_else(|p| {
            let mut lists = p.into_inner();
            lists.regions.clear();
            lists
        });
        if lists.seen != state.last_seq() {
            // Events went by unseen: every region's rows may be stale, not only this one's.
            lists.regions.values_mut().for_each(RegionList::invalidate);
        }
        let list = lists.regions.entry(region).or_insert_with(|| RegionList {
            seq: 0,
            at,
            campaigns: Vec::new(),
            dirty: Vec::new(),
            all: true,
        });
        list.bring_up_to_date(state, region, at);
        lists.seen = state.last_seq();
        let list = &lists.regions[&region];
        list.offered(state, at)
    }
}

impl RegionList {
    fn invalidate(&mut self) {
        self.all = true;
        self.dirty = Vec::new();
    }

    fn bring_up_to_date(&mut self, state: &State, region: Region, at: DateTime<Utc>) {
        let live = state.listing_campaigns(region);
        let same_campaigns = live.len() == self.campaigns.len()
            && live
                .iter()
                .zip(&self.campaigns)
                .all(|(c, k)| c.id == k.id && c.target == k.target);
        let priorities = Priorities::of(state);
        if self.all || !same_campaigns {
            self.campaigns = live
                .iter()
                .enumerate()
                .map(|(ci, c)| KeptCampaign::worked_out(state, c, ci, at, &priorities))
                .collect();
        } else if self.seq != state.last_seq() || self.at != at {
            let mut dirty = std::mem::take(&mut self.dirty);
            dirty.sort_unstable();
            dirty.dedup();
            for (ci, (c, kept)) in live.iter().zip(&mut self.campaigns).enumerate() {
                kept.bring_up_to_date(state, c, ci, self.at, at, &dirty, &priorities);
            }
        }
        self.dirty.clear();
        self.all = false;
        self.seq = state.last_seq();
        self.at = at;
    }

    /// The list as offered at `at`: each campaign's rows, none where something blocks the
    /// whole campaign now, as many as today's pacing cap leaves (the rest held back).
    fn offered(&self, state: &State, at: DateTime<Utc>) -> UpgradeList {
        let mut list = UpgradeList {
            campaigns: Vec::with_capacity(self.campaigns.len()),
            segments: Vec::with_capacity(self.campaigns.len()),
            held_back: 0,
        };
        for kept in &self.campaigns {
            list.campaigns.push((kept.id.clone(), kept.target));
            let offered = match state.campaigns.get(&kept.id) {
                Some(c) => match state.dispatch_gate(c, at) {
                    (true, _) => 0,
                    (false, None) => kept.len,
                    (false, Some(left)) => {
                        let n = kept.len.min(usize::try_from(left).unwrap_or(usize::MAX));
                        list.held_back += (kept.len - n) as u64;
                        n
                    }
                },
                None => 0,
            };
            list.segments.push((kept.rows.clone(), offered));
        }
        list
    }
}

/// The context a kept list is worked out in: the campaign at `at`, without what blocks the
/// whole campaign at once (applied when answering).
fn kept_ctx<'a>(state: &'a State, c: &'a Campaign, at: DateTime<Utc>) -> CampaignCtx<'a> {
    CampaignCtx {
        cap: None,
        blackout: false,
        outside_window: None,
        ..state.campaign_ctx(c, at)
    }
}

impl KeptCampaign {
    fn worked_out(
        state: &State,
        c: &Campaign,
        ci: usize,
        at: DateTime<Utc>,
        priorities: &Priorities<'_>,
    ) -> KeptCampaign {
        let ctx = kept_ctx(state, c, at);
        let mut rows = state.scan_upgradeable(&ctx, ci, priorities);
        rows.sort_unstable_by_key(UpgradeRow::order);
        // Every customer's cut-off: the default (a customer new to the estate, after a change of
        // supplier, has it) and each extension.
        let mut bounds: Vec<DateTime<Utc>> = std::iter::once(c.default_cutoff)
            .chain(c.cutoff_extensions.values().copied())
            .chain(
                state
                    .rules
                    .held
                    .values()
                    .flat_map(|m| m.sets.values().filter_map(|mark| mark.until)),
            )
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut hub_bounds: Vec<(DateTime<Utc>, u32)> = state
            .rules
            .held
            .values()
            .flat_map(|m| {
                m.hubs
                    .iter()
                    .filter_map(|(&pos, mark)| Some((mark.until?, pos)))
            })
            .collect();
        if c.policy.retry_delay_hours > 0 {
            hub_bounds.extend(
                c.rollout
                    .upgrades
                    .keys()
                    .filter_map(|&pos| retry_bound(c, pos)),
            );
        }
        hub_bounds.sort_unstable();
        hub_bounds.dedup();
        KeptCampaign {
            id: c.id.clone(),
            target: c.target,
            len: rows.len(),
            rows: chunked(rows),
            bounds,
            hub_bounds,
        }
    }

    /// Brings the rows kept at `was` up to date at `at`: the hubs events marked (`dirty`,
    /// sorted) and those whose own deadline lies between the two times are worked out again;
    /// if a campaign-wide time lies between them, the whole campaign is.
    #[allow(clippy::too_many_arguments)]
    fn bring_up_to_date(
        &mut self,
        state: &State,
        c: &Campaign,
        ci: usize,
        was: DateTime<Utc>,
        at: DateTime<Utc>,
        dirty: &[u32],
        priorities: &Priorities<'_>,
    ) {
        let (lo, hi) = if was <= at { (was, at) } else { (at, was) };
        // A deadline `b` changes an answer between `lo` and `hi` when lo < b <= hi (every
        // time check is `now >= b`, or its negation).
        let crossed = |b: &DateTime<Utc>| lo < *b && *b <= hi;
        if lo != hi && self.bounds.iter().any(crossed) {
            *self = KeptCampaign::worked_out(state, c, ci, at, priorities);
            return;
        }
        let mut redo: Vec<u32> = dirty.to_vec();
        if lo != hi {
            let from = self.hub_bounds.partition_point(|(b, _)| *b <= lo);
            let to = self.hub_bounds.partition_point(|(b, _)| *b <= hi);
            redo.extend(self.hub_bounds[from..to].iter().map(|&(_, pos)| pos));
            redo.sort_unstable();
            redo.dedup();
        }
        if redo.is_empty() {
            return;
        }
        let ctx = kept_ctx(state, c, at);
        let mut scratch = Vec::new();
        let mut fresh: Vec<UpgradeRow> = redo
            .iter()
            .filter(|&&pos| {
                state
                    .estate
                    .hubs
                    .get(pos as usize)
                    .is_some_and(|h| h.variant == c.variant)
            })
            .filter_map(|&pos| state.upgrade_row(&ctx, ci, pos as usize, priorities, &mut scratch))
            .collect();
        fresh.sort_unstable_by_key(UpgradeRow::order);
        if c.policy.retry_delay_hours > 0 {
            let new_bounds: Vec<_> = redo.iter().filter_map(|&pos| retry_bound(c, pos)).collect();
            if !new_bounds.is_empty() {
                self.hub_bounds.extend(new_bounds);
                self.hub_bounds.sort_unstable();
                self.hub_bounds.dedup();
            }
        }
        // A few hubs moved against the list's length: each out of its chunk and back in, a
        // chunk's work each. Many: one merge of the whole campaign.
        if redo.len() == 1 || (redo.len() <= FEW && redo.len() * 8 <= self.len) {
            for &pos in &redo {
                if let Some(hub) = state.estate.hubs.get(pos as usize) {
                    self.len -= usize::from(remove(&mut self.rows, hub.id));
                }
            }
            self.len += fresh.len();
            for row in fresh {
                insert(&mut self.rows, row);
            }
            return;
        }
        let mut rows: Vec<UpgradeRow> = self.rows.iter().flat_map(|c| c.iter().copied()).collect();
        rows.retain(|r| redo.binary_search(&r.pos).is_err());
        merge_in(&mut rows, fresh);
        self.len = rows.len();
        self.rows = chunked(rows);
    }
}

/// Rows in a chunk, as cut: a moved hub copies at most twice this many rows.
const CHUNK: usize = 4096;

/// Up to this many moved hubs are taken out and put back one by one; more, the campaign's rows
/// are merged whole.
const FEW: usize = 64;

fn chunked(rows: Vec<UpgradeRow>) -> Chunks {
    rows.chunks(CHUNK).map(|c| Arc::new(c.to_vec())).collect()
}

/// The chunk where a row of order `key` is or would go: the first whose last row is not
/// before it (the last chunk for a row after every other).
fn chunk_of(chunks: &Chunks, key: (u8, HubId)) -> usize {
    chunks
        .partition_point(|c| c.last().is_some_and(|r| r.order() < key))
        .min(chunks.len().saturating_sub(1))
}

/// Takes hub `hub` out of `chunks` (at whichever rank it holds): whether it was there.
fn remove(chunks: &mut Chunks, hub: HubId) -> bool {
    for rank in 0..=2 {
        if chunks.is_empty() {
            return false;
        }
        let at = chunk_of(chunks, (rank, hub));
        if let Ok(i) = chunks[at].binary_search_by_key(&(rank, hub), UpgradeRow::order) {
            Arc::make_mut(&mut chunks[at]).remove(i);
            if chunks[at].is_empty() {
                chunks.remove(at);
            }
            return true;
        }
    }
    false
}

/// Puts `row` (not in `chunks`) in its place, splitting a chunk grown past twice its size.
fn insert(chunks: &mut Chunks, row: UpgradeRow) {
    if chunks.is_empty() {
        chunks.push(Arc::new(vec![row]));
        return;
    }
    let at = chunk_of(chunks, row.order());
    let chunk = Arc::make_mut(&mut chunks[at]);
    let i = chunk.partition_point(|r| r.order() < row.order());
    chunk.insert(i, row);
    if chunk.len() > 2 * CHUNK {
        let tail = chunk.split_off(CHUNK);
        chunks.insert(at + 1, Arc::new(tail));
    }
}

/// When the retry delay of the hub at `pos` ends, if its attempt in `c` failed.
fn retry_bound(c: &Campaign, pos: u32) -> Option<(DateTime<Utc>, u32)> {
    let u = c.rollout.upgrades.get(&pos)?;
    if u.state != UpgradeState::Failed {
        return None;
    }
    let delay = chrono::Duration::hours(i64::from(c.policy.retry_delay_hours));
    Some((u.since.checked_add_signed(delay)?, pos))
}

/// Merges `fresh` (sorted, none of its hubs in `rows`) into `rows` (sorted), keeping the order.
fn merge_in(rows: &mut Vec<UpgradeRow>, fresh: Vec<UpgradeRow>) {
    if fresh.is_empty() {
        return;
    }
    let old = std::mem::take(rows);
    rows.reserve(old.len() + fresh.len());
    let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.order() < y.order(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        rows.extend(next);
    }
}

impl Engine {
    /// [`State::upgrade_list`], answered from the list this engine maintains: the same
    /// answer, the permission checked on every call. A page costs its own rows once the list is
    /// up to date; bringing it up to date costs the hubs events moved since the last question
    /// (a scan of the estate after a campaign-wide change).
    pub fn upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<UpgradePage, Error> {
        check_page_limit(limit)?;
        let state = self.state();
        state.upgrade_list_permitted(actor, region)?;
        let list = self.upgrade_lists.answer(state, region, at);
        Ok(state.upgrade_page(&list, offset, limit))
    }

    /// The whole maintained list of `region` at `at`, for the columnar answer.
    #[cfg(feature = "arrow")]
    pub(crate) fn maintained_upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
    ) -> Result<UpgradeList, Error> {
        let state = self.state();
        state.upgrade_list_permitted(actor, region)?;
        Ok(self.upgrade_lists.answer(state, region, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn row(rank: u8, n: u64) -> UpgradeRow {
        UpgradeRow {
            hub: HubId::from_u64(n),
            pos: n as u32,
            next: FirmwareIdx::new(0),
            campaign: 0,
            rank,
        }
    }

    /// Chunks hold the rows in order whatever the inserts and removals, none empty and none
    /// past twice its size: checked against an ordered set, through several splits.
    #[test]
    fn chunks_keep_the_order_through_inserts_removals_and_splits() {
        let mut chunks: Chunks = chunked((0..5_000u64).map(|n| row(2, n * 2)).collect());
        let mut model: BTreeSet<(u8, u64)> = (0..5_000u64).map(|n| (2, n * 2)).collect();
        // A fixed pseudo-random walk (an LCG): inserts of new hubs at every rank, removals of
        // present ones.
        let mut ranks: std::collections::HashMap<u64, u8> =
            model.iter().map(|&(r, n)| (n, r)).collect();
        let mut x: u64 = 2026;
        for _ in 0..60_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (x >> 33) % 80_000;
            let rank = ((x >> 20) % 3) as u8;
            if let Some(r) = ranks.remove(&n) {
                assert!(remove(&mut chunks, HubId::from_u64(n)));
                model.remove(&(r, n));
            } else {
                assert!(!remove(&mut chunks, HubId::from_u64(n)));
                insert(&mut chunks, row(rank, n));
                model.insert((rank, n));
                ranks.insert(n, rank);
            }
        }
        let flat: Vec<(u8, u64)> = chunks
            .iter()
            .flat_map(|c| c.iter().map(|r| (r.rank, r.hub.as_u64())))
            .collect();
        assert_eq!(flat, model.into_iter().collect::<Vec<_>>());
        assert!(chunks.len() > 5, "the walk split chunks: {}", chunks.len());
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= 2 * CHUNK));
    }
}
