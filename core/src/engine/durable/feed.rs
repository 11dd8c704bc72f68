//! Following the store: catching up with other writers' events, the notification feed each
//! party reads (and pages), and waiting for new events.

use super::MAX_AHEAD_NAMED;
use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::notices::{Notification, NotificationKind, Recipient};
use crate::store::{self, EventStore, FeedPage, FeedRow};
use crate::write::event::Event;
use chrono::Utc;
use std::time::Duration;

/// The largest page of a feed.
pub(in crate::engine) const MAX_FEED_PAGE: u32 = 10_000;

/// `actor`'s feed in `store`, for a party's system that holds no engine: it reads its own rows
/// and nothing else.
pub fn read_feed(
    store: &mut dyn EventStore,
    actor: &Actor,
    cursor: u64,
    limit: u32,
) -> Result<FeedPage, Error> {
    if limit == 0 || limit > MAX_FEED_PAGE {
        return Err(Error::invalid_input(
            "limit",
            format!("{limit} is not between 1 and {MAX_FEED_PAGE}"),
        ));
    }
    if matches!(actor, Actor::System) {
        return Err(Error::invalid_input("actor", "the system has no feed"));
    }
    store.feed(&actor.to_code(), cursor, limit)
}

impl Engine {
    /// Notifies the outboxes of `event` and collects its feed rows.
    pub(in crate::engine) fn notify_feed(&mut self, event: &Event, feed: &mut Vec<FeedRow>) {
        self.upgrade_lists.observe(&self.state, event);
        let mut notices: Vec<(Recipient, NotificationKind)> = Vec::new();
        self.state
            .notify_into(event, &mut self.outboxes, Some(&mut notices));
        for (n, (to, kind)) in notices.into_iter().enumerate() {
            let Some(actor) = self.state.actor_of(to) else {
                continue;
            };
            feed.push(FeedRow {
                recipient: actor.to_code(),
                seq: event.seq,
                n: n as u32,
                notification: Notification {
                    id: 0,
                    event: (to == Recipient::Dcc)
                        .then_some(crate::kernel::limits::signed(event.seq)),
                    at: event.at,
                    kind,
                },
            });
        }
    }

    /// Applies the events other writers appended since this engine's last, each verified
    /// against the chain and the permission table; how many. A follower calls it on demand (or
    /// after [`Engine::wait_for_events`]); a writer that lost a race has already called it.
    pub fn catch_up(&mut self) -> Result<u64, Error> {
        let mut applied = 0;
        loop {
            let after = self.state.last_seq();
            let d = self.store_mut()?;
            let records = d.store.read(after, 1024, store::READ_BYTES)?;
            if records.is_empty() {
                // Appends are whole commands: an act cut short means events were removed.
                self.acts_complete()?;
                return Ok(applied);
            }
            let mut feed = Vec::new();
            let late = Utc::now() + d.options.skew();
            // The chain first, then (signed) every act's signature on all cores; the events are
            // then admitted and applied in order, up to the first that breaks the chain.
            let mut previous = d.head;
            let mut chained = Vec::with_capacity(records.len());
            let mut broken = None;
            for record in &records {
                match record.verify(&previous) {
                    Ok(event) => {
                        previous = record.hash;
                        chained.push((event, record.hash));
                    }
                    Err(e) => {
                        broken = Some(e);
                        break;
                    }
                }
            }
            drop(records);
            let holds = match &self.signing {
                Some(s) => {
                    let events: Vec<&Event> = chained.iter().map(|(e, _)| e).collect();
                    crate::engine::acts::signatures_hold_of(s.trust.log(), &events)
                }
                None => vec![None; chained.len()],
            };
            for ((event, hash), holds) in chained.into_iter().zip(holds) {
                if event.at > late {
                    if let Some(d) = self.durable.as_mut() {
                        d.report.ahead_of_clock_count += 1;
                        if d.report.ahead_of_clock.len() < MAX_AHEAD_NAMED {
                            d.report.ahead_of_clock.push(event.seq);
                        }
                    }
                }
                // A refused event stops the catch-up; the notices of those applied before it
                // are written all the same, so the feed never skips an applied event's.
                let admitted = self.check_acknowledgement(&event).and_then(|()| {
                    let admission = self.admission(&event, holds)?;
                    self.state.apply(&event)?;
                    self.admitted(admission);
                    Ok(())
                });
                if let Err(e) = admitted {
                    broken = Some(e);
                    break;
                }
                self.notify_feed(&event, &mut feed);
                if let Some(d) = self.durable.as_mut() {
                    d.head = hash;
                }
                applied += 1;
            }
            let through = self.state.last_seq();
            self.flush_feed(through, feed)?;
            if let Some(e) = broken {
                return Err(e);
            }
        }
    }

    /// Writes `rows` and any rows a failed write left, as the feed up to event `through`. On
    /// failure the rows are kept for the next try, so the feed never skips an event's notices.
    pub(in crate::engine) fn flush_feed(
        &mut self,
        through: u64,
        rows: Vec<FeedRow>,
    ) -> Result<(), Error> {
        let d = self.store_mut()?;
        d.feed_pending.extend(rows);
        if d.locked {
            return Ok(());
        }
        d.store.put_feed(through, &d.feed_pending)?;
        d.feed_pending.clear();
        Ok(())
    }

    /// Waits up to `timeout` for another writer's events, then applies them; how many. Woken
    /// by PostgreSQL's `NOTIFY`; SQLite is looked at every few milliseconds.
    pub fn wait_for_events(&mut self, timeout: Duration) -> Result<u64, Error> {
        let seen = self.state.last_seq();
        if self.store_mut()?.store.wait(seen, timeout)? {
            self.catch_up()
        } else {
            Ok(0)
        }
    }

    /// `actor`'s notification feed after `cursor` (0: from the start), at most `limit` (1 to
    /// 10 000). Positions count `actor`'s own notices only.
    pub fn feed(&mut self, actor: &Actor, cursor: u64, limit: u32) -> Result<FeedPage, Error> {
        read_feed(self.store_mut()?.store.as_mut(), actor, cursor, limit)
    }
}
