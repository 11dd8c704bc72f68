//! Checking a whole store: its audit chain, a replay from the first event compared with the
//! feed and every stored snapshot.

use super::snapshots::same_as_snapshot;
use crate::engine::Engine;
use crate::journal::{self, Verified};
use crate::kernel::error::Error;
use crate::store::{self, EventStore, StoreInfo};
use crate::write::event::Event;

impl Engine {
    /// Checks the whole store: the audit chain from the first event to the last; then replays
    /// it from the first event in a scratch engine (in a signed store every act verified as at
    /// open), checking the notification feed (every row is the notice the events give, for
    /// that party, at that position, none missing or added: a forged or repeated notice is
    /// named) and each stored snapshot (it must hold the state its events reach: one changed
    /// with its checksum recomputed is named).
    pub fn verify_store(&mut self) -> Result<Verified, Error> {
        let verified = store::verify(self.store_mut()?.store.as_mut())?;
        self.verify_replay()?;
        Ok(verified)
    }

    /// The store's events replayed from the first, against its feed and its snapshots.
    pub(in crate::engine) fn verify_replay(&mut self) -> Result<(), Error> {
        let trust = self.trust().cloned();
        let store = self.store_mut()?.store.as_mut();
        let through = store.feed_through()?;
        let mut snapshots = store.snapshots()?;
        snapshots.sort_unstable_by(|a, b| b.cmp(a)); // popped oldest first
        let mut scratch = match &trust {
            Some(trust) => Engine::with_trust(trust.clone()),
            None => Engine::new(),
        };
        let mut positions: std::collections::HashMap<String, u64> = Default::default();
        let mut stored: std::collections::VecDeque<store::StoredFeedRow> = Default::default();
        let mut cursor: (u64, u32, String) = (0, 0, String::new());
        let mut next_stored =
            |store: &mut dyn EventStore| -> Result<Option<store::StoredFeedRow>, Error> {
                if stored.is_empty() {
                    let page = store.feed_rows((cursor.0, cursor.1, &cursor.2), 4096)?;
                    if let Some(last) = page.last() {
                        cursor = (last.seq, last.n, last.recipient.clone());
                    }
                    stored.extend(page);
                }
                Ok(stored.pop_front())
            };
        let bad = |seq: u64, why: String| Error::CorruptLog {
            line: seq,
            reason: format!("the notification feed does not match the events: {why}"),
        };
        let mut after = 0;
        loop {
            let records = store.read(after, 1024, store::READ_BYTES)?;
            if records.is_empty() {
                break;
            }
            let events = records
                .iter()
                .map(|r| journal::from_json_line(&r.body, r.seq))
                .collect::<Result<Vec<Event>, Error>>()?;
            let holds = match &trust {
                Some(trust) => crate::engine::acts::signatures_hold(trust.log(), &events),
                None => vec![None; events.len()],
            };
            for ((r, event), holds) in records.iter().zip(events).zip(holds) {
                after = r.seq;
                scratch.check_acknowledgement(&event)?;
                let admission = scratch.admission(&event, holds)?;
                scratch.state.apply(&event)?;
                scratch.admitted(admission);
                let mut rows = Vec::new();
                scratch.notify_feed(&event, &mut rows);
                if snapshots.last() == Some(&event.seq) {
                    snapshots.pop();
                    same_as_snapshot(store, &scratch, trust.as_ref(), event.seq)?;
                }
                if r.seq > through {
                    continue;
                }
                for row in rows {
                    let position = positions.entry(row.recipient.clone()).or_default();
                    *position += 1;
                    let mut expected = row.notification;
                    expected.id = crate::kernel::limits::signed(*position);
                    let body = serde_json::to_string(&expected)
                        .map_err(|e| bad(event.seq, e.to_string()))?;
                    let Some(got) = next_stored(store)? else {
                        return Err(bad(
                            event.seq,
                            format!(
                                "{}'s notice {} of event {} is missing",
                                row.recipient, position, event.seq
                            ),
                        ));
                    };
                    let same = got.recipient == row.recipient
                        && got.position == *position
                        && got.seq == row.seq
                        && got.n == row.n
                        && got.body == body;
                    if !same {
                        return Err(bad(
                            got.seq,
                            format!(
                                "row {} of {}'s feed (event {}) is not the notice event {} gives {} at position {}",
                                got.position, got.recipient, got.seq, row.seq, row.recipient, position
                            ),
                        ));
                    }
                }
            }
        }
        scratch.acts_complete()?;
        if let Some(seq) = snapshots.pop() {
            return Err(Error::CorruptSnapshot {
                seq,
                reason: format!("the store's events end at {after}, before it"),
            });
        }
        if let Some(extra) = next_stored(store)? {
            return Err(bad(
                extra.seq,
                format!(
                    "row {} of {}'s feed (event {}) is no notice of any event",
                    extra.position, extra.recipient, extra.seq
                ),
            ));
        }
        Ok(())
    }

    /// What the store is and holds.
    pub fn store_info(&mut self) -> Result<StoreInfo, Error> {
        let d = self.store_mut()?;
        let head = d.store.head()?;
        let snapshot_at = d.store.snapshots()?.first().copied().unwrap_or(0);
        Ok(StoreInfo {
            location: d.store.location().to_string(),
            events: crate::kernel::limits::signed(head.seq),
            last_hash: journal::hex(&head.hash),
            snapshot_at: crate::kernel::limits::signed(snapshot_at),
        })
    }
}
