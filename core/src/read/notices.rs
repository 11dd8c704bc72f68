//! An actor's notifications: its own outbox only, unacknowledged, oldest first.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::notices::{NotificationPage, Outboxes};
use crate::model::state::State;

impl State {
    /// `actor`'s notifications not yet acknowledged, oldest first, at most `limit` (1 to
    /// 10 000). The outboxes are the engine's projection, passed in.
    pub(crate) fn notifications(
        &self,
        actor: &Actor,
        limit: i64,
        outboxes: &Outboxes,
    ) -> Result<NotificationPage, Error> {
        outboxes.page(self.recipient_of(actor), limit)
    }
}
