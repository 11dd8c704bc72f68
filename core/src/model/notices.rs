//! Notifications: an outbox per recipient (the DCC, each CSP, each customer) of typed notices
//! derived from events as they are applied, so a replay rebuilds the same outboxes. A recipient
//! reads its own and acknowledges up to a cursor; an acknowledged notice is not delivered again.
//! Nothing in a customer's notice names another customer (except a defect flag's signer, by
//! its own choice) or shows a hub it does not supply (docs/domain.md invariant 11).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId, Region, VariantId};
use crate::model::campaigns::Phase;
use crate::model::defects::DefectSubject;
use crate::model::estate::ConfigurationSet;
use crate::model::estate::CustomerIdx;
use crate::model::participation::PilotVerdict;
use crate::model::rollout::{HaltFigures, HanHealth};

/// One notification in a recipient's outbox. `id` counts up per recipient; `event` is the
/// sequence number of the event that caused it, for the DCC only (to anyone else it would
/// count the events others recorded in between: docs/domain.md decision 13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Notification {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event: Option<i64>,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: NotificationKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationKind {
    /// One of your rules acted (`act`: approve, reject, hold, release, prioritise,
    /// set_cutoffs, notified), on `hub_count` hubs and `set_count` configuration sets.
    RuleActed {
        rule: crate::model::rules::RuleRef,
        trigger: String,
        act: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<CampaignId>,
        hub_count: i64,
        set_count: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// The DCC tells you, of a configuration set you run (e.g. that the industry has moved
    /// off it); nobody else addressed is named.
    RuleNotice { set: ConfigurationSet, text: String },
    /// A campaign changed phase; `operational_approval` when an OA began the pilot or rollout.
    PhaseChanged {
        campaign: CampaignId,
        from: Phase,
        to: Phase,
        operational_approval: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        figures: Option<HaltFigures>,
    },
    /// The other supplier of these split-supply hubs of yours consented (it is not named).
    OtherSupplierConsented {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// The other supplier of these split-supply hubs of yours no longer consents to them
    /// (it withdrew a nomination or an approval; it is not named).
    OtherSupplierWithdrew {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// The other supplier of these split-supply hubs of yours rejected them (neither it nor its
    /// reasons are named: decision 12).
    OtherSupplierRejected {
        campaign: CampaignId,
        hubs: Vec<HubId>,
    },
    /// Upgrades of a configuration set halted: by the DCC, or automatically (`figures`).
    ConfigurationSetHalted {
        campaign: CampaignId,
        set: ConfigurationSet,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        figures: Option<HaltFigures>,
    },
    ConfigurationSetResumed {
        campaign: CampaignId,
        set: ConfigurationSet,
    },
    /// The region's CSP paused (or resumed) its own dispatches in a campaign: all of them, or
    /// of one configuration set you have hubs on (decision 23).
    CspPause {
        campaign: CampaignId,
        paused: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The DCC changed a live campaign's policy: the fields it changed (`pacing.daily_cap`,
    /// `min_assessment_days`...) and why. The whole policy is in the campaign's view.
    PolicyChanged {
        campaign: CampaignId,
        changed: Vec<String>,
        reason: String,
    },
    /// The region's CSP set how it paces the campaign's pilot (within the policy).
    PilotPacingSet {
        campaign: CampaignId,
        pacing: crate::model::rollout::PilotPacing,
    },
    /// A supplier held (or released) its own hubs; named to the DCC only.
    SupplierHold {
        campaign: CampaignId,
        placed: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<CustomerId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    CutoffApproaching {
        campaign: CampaignId,
        cutoff: DateTime<Utc>,
    },
    /// The DCC moved the recipient's own cut-off later.
    CutoffExtended {
        campaign: CampaignId,
        cutoff: DateTime<Utc>,
    },
    CutoffReached {
        campaign: CampaignId,
        cutoff: DateTime<Utc>,
    },
    /// A customer flagged a defect on a configuration set or firmware the recipient has hubs on
    /// (the flagging customer named only if it chose to be).
    DefectFlagged {
        flag: i64,
        #[serde(flatten)]
        subject: DefectSubject,
        /// One copy for every recipient's notice (a flag's 4 KiB is not repeated per outbox).
        text: SharedText,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flagged_by: Option<CustomerId>,
    },
    /// A defect flag you were told of was closed by its flagger: `resolved` or `retracted`,
    /// with its note; its flagger named as the flag named it.
    DefectFlagClosed {
        flag: i64,
        #[serde(flatten)]
        subject: DefectSubject,
        closure: crate::model::defects::FlagClosure,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flagged_by: Option<CustomerId>,
    },
    /// A pilot participant's verdict (the participant named to the DCC only).
    PilotVerdict {
        campaign: CampaignId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<CustomerId>,
        verdict: PilotVerdict,
    },
    /// What one outcome report did to the recipient's hubs (the DCC: to all of them).
    OutcomesSummary {
        campaign: CampaignId,
        dispatched: i64,
        succeeded: i64,
        failed: i64,
        no_response: i64,
        timed_out: i64,
    },
    /// This many older notifications were not kept, so that an outbox stays within
    /// [`crate::kernel::limits::MAX_PENDING_NOTICES`] whatever others do (a flood of flags, say): they
    /// are never lost silently. A durable engine's feed and the DCC's log hold them whole.
    NoticesCoalesced { notices: i64 },
    /// The DCC registered a key in the recipient's name: its acts signed with it are its own.
    KeyRegistered { key: String },
    /// The DCC revoked one of the recipient's keys: it signs nothing after this.
    KeyRevoked { key: String },
    /// The industry is leaving a configuration set the recipient runs: its share of its
    /// variant's hubs fell while another's rose (shares as disclosed, never volumes nor who
    /// else runs it). At most once per set and trend window.
    IndustryTrend {
        trend: crate::model::trends::SharedTrend,
    },
    /// A notice from the DCC or a CSP (`sender`; decision 23), about one of the recipient's
    /// campaigns, variants or configuration sets (none: the recipient was named). Who else was
    /// addressed is never said.
    PartyNotice {
        sender: Actor,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<CampaignId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        variant: Option<VariantId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<ConfigurationSet>,
        title: String,
        /// One copy for every recipient's notice.
        text: SharedText,
    },
    /// A supplier reported a bad HAN after an upgrade (the supplier named to the DCC only).
    HanHealthIssue {
        campaign: CampaignId,
        hub: HubId,
        #[serde(flatten)]
        health: HanHealth,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<CustomerId>,
    },
}

/// Whom a party's notice is addressed to (decision 23): the customers with hubs of a campaign's
/// variant, of a variant, on a configuration set, or customers by name. A CSP addresses only
/// its region's: a campaign, variant or set of another region does not exist to it, and a
/// customer it names is told only if it has hubs in the region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "to", rename_all = "snake_case", deny_unknown_fields)]
// One per command, never stored in bulk: the set inline, as the bindings show it, not boxed.
#[allow(clippy::large_enum_variant)]
pub enum NoticeAudience {
    /// The customers with hubs of the campaign's variant.
    OfCampaign { campaign: CampaignId },
    /// The customers with hubs of the variant.
    OfVariant { variant: VariantId },
    /// The customers with hubs on the configuration set.
    OnSet { set: ConfigurationSet },
    /// These customers: at most [`crate::kernel::limits::MAX_NOTICE_CUSTOMERS`], each taken once.
    Named { customers: Vec<CustomerId> },
}

/// A text every recipient's copy of a notice shares (serialized as plain text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(transparent)
)]
pub struct SharedText(pub std::sync::Arc<str>);

impl SharedText {
    pub fn new(text: &str) -> SharedText {
        SharedText(std::sync::Arc::from(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who a notification is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum Recipient {
    Dcc,
    Csp(Region),
    Customer(CustomerIdx),
}

/// One recipient's notifications not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Outbox {
    pub pending: VecDeque<Notification>,
    /// The id of the last notification put in (0: none yet).
    pub last_id: i64,
    /// Acknowledged up to here.
    pub acked: i64,
}

impl Outbox {
    /// Folds the oldest pending notice into the count at the front (made of the two oldest
    /// when there is none), one notice fewer: the count takes the id and time of the last
    /// notice it holds, so acknowledging up to it acknowledges them all.
    fn coalesce_oldest(&mut self) {
        let before = match self.pending.pop_front() {
            Some(Notification {
                kind: NotificationKind::NoticesCoalesced { notices },
                ..
            }) => notices,
            Some(_) => 1,
            None => return,
        };
        let Some(oldest) = self.pending.pop_front() else {
            return;
        };
        self.pending.push_front(Notification {
            id: oldest.id,
            event: None,
            at: oldest.at,
            kind: NotificationKind::NoticesCoalesced {
                notices: before + 1,
            },
        });
    }
}

/// A notice of what the other supplier of split hubs did: which (0 consented, 1 withdrew, 2
/// rejected), in which campaign, on which hubs.
fn other_side(kind: &NotificationKind) -> Option<(u8, &CampaignId, &[HubId])> {
    match kind {
        NotificationKind::OtherSupplierConsented { campaign, hubs } => Some((0, campaign, hubs)),
        NotificationKind::OtherSupplierWithdrew { campaign, hubs } => Some((1, campaign, hubs)),
        NotificationKind::OtherSupplierRejected { campaign, hubs } => Some((2, campaign, hubs)),
        _ => None,
    }
}

fn other_side_mut(kind: &mut NotificationKind) -> Option<(u8, &CampaignId, &mut Vec<HubId>)> {
    match kind {
        NotificationKind::OtherSupplierConsented { campaign, hubs } => Some((0, campaign, hubs)),
        NotificationKind::OtherSupplierWithdrew { campaign, hubs } => Some((1, campaign, hubs)),
        NotificationKind::OtherSupplierRejected { campaign, hubs } => Some((2, campaign, hubs)),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Outboxes {
    pub boxes: BTreeMap<Recipient, Outbox>,
}

impl Outboxes {
    pub fn push(&mut self, to: Recipient, event: u64, at: DateTime<Utc>, kind: NotificationKind) {
        let outbox = self.boxes.entry(to).or_default();
        // What the other supplier of split hubs did (consented, withdrew, rejected): a hub is
        // in at most one unread notice of these per campaign, the latest, and a notice the
        // recipient has not read yet absorbs a repeat of its kind (its hubs merged). Approving
        // and withdrawing over and over cannot grow an outbox with the same hubs again.
        if let Some((side, campaign, hubs)) = other_side(&kind) {
            let (campaign, mut hubs) = (campaign.clone(), hubs.to_vec());
            hubs.sort_unstable();
            outbox
                .pending
                .retain_mut(|n| match other_side_mut(&mut n.kind) {
                    Some((s, c, held)) if s != side && *c == campaign => {
                        held.retain(|h| hubs.binary_search(h).is_err());
                        !held.is_empty()
                    }
                    _ => true,
                });
            let pending =
                outbox.pending.iter_mut().rev().find(|n| {
                    other_side(&n.kind).is_some_and(|(s, c, _)| s == side && *c == campaign)
                });
            if let Some(n) = pending {
                if let Some((_, _, held)) = other_side_mut(&mut n.kind) {
                    held.extend_from_slice(&hubs);
                    held.sort_unstable();
                    held.dedup();
                }
                n.at = at;
                return;
            }
        }
        outbox.last_id += 1;
        outbox.pending.push_back(Notification {
            id: outbox.last_id,
            event: (to == Recipient::Dcc).then_some(crate::kernel::limits::signed(event)),
            at,
            kind,
        });
        if outbox.pending.len() > crate::kernel::limits::MAX_PENDING_NOTICES {
            outbox.coalesce_oldest();
        }
    }

    /// The id of the last notification put in `to`'s outbox and its acknowledged cursor.
    pub fn bounds(&self, to: Option<Recipient>) -> (i64, i64) {
        to.and_then(|r| self.boxes.get(&r))
            .map_or((0, 0), |o| (o.last_id, o.acked))
    }

    /// The first `limit` (1 to 10 000) notifications of `to`'s outbox not yet acknowledged.
    pub fn page(
        &self,
        to: Option<Recipient>,
        limit: i64,
    ) -> Result<NotificationPage, crate::kernel::error::Error> {
        if !(1..=10_000).contains(&limit) {
            return Err(crate::kernel::error::Error::invalid_input(
                "limit",
                format!("{limit} is not between 1 and 10 000"),
            ));
        }
        let Some(outbox) = to.and_then(|r| self.boxes.get(&r)) else {
            return Ok(NotificationPage {
                acknowledged: 0,
                more: 0,
                notifications: Vec::new(),
            });
        };
        let take = usize::try_from(limit).unwrap_or(usize::MAX);
        let notifications: Vec<_> = outbox.pending.iter().take(take).cloned().collect();
        Ok(NotificationPage {
            acknowledged: outbox.acked,
            more: crate::kernel::limits::signed(outbox.pending.len() - notifications.len()),
            notifications,
        })
    }

    pub fn acknowledge(&mut self, to: Recipient, up_to: i64) {
        let outbox = self.boxes.entry(to).or_default();
        outbox.acked = outbox.acked.max(up_to);
        while outbox.pending.front().is_some_and(|n| n.id <= up_to) {
            outbox.pending.pop_front();
        }
    }
}

/// A page of a recipient's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationPage {
    /// The recipient's acknowledged cursor.
    pub acknowledged: i64,
    /// Notifications after the cursor not shown in this page.
    pub more: i64,
    pub notifications: Vec<Notification>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::limits::MAX_PENDING_NOTICES;

    fn cutoff(n: u64) -> NotificationKind {
        NotificationKind::CutoffReached {
            campaign: "C1".parse().unwrap(),
            cutoff: DateTime::from_timestamp(n as i64, 0).unwrap(),
        }
    }

    #[test]
    fn an_outbox_keeps_its_newest_notices_and_counts_the_older_ones_it_folded() {
        let mut boxes = Outboxes::default();
        let to = Recipient::Dcc;
        let extra: i64 = 5;
        for n in 1..=(MAX_PENDING_NOTICES as u64 + extra as u64) {
            boxes.push(
                to,
                n,
                DateTime::from_timestamp(n as i64, 0).unwrap(),
                cutoff(n),
            );
        }
        let outbox = &boxes.boxes[&to];
        assert_eq!(outbox.pending.len(), MAX_PENDING_NOTICES);
        // The front counts the `extra + 1` oldest and carries the id of the last it holds.
        let front = &outbox.pending[0];
        assert_eq!(
            front.kind,
            NotificationKind::NoticesCoalesced { notices: extra + 1 }
        );
        assert_eq!(front.id, extra + 1);
        assert_eq!(outbox.pending[1].id, extra + 2);
        assert_eq!(outbox.last_id, MAX_PENDING_NOTICES as i64 + extra);
        // Acknowledging up to the count's id acknowledges all it holds.
        boxes.acknowledge(to, extra + 1);
        assert_eq!(boxes.boxes[&to].pending.len(), MAX_PENDING_NOTICES - 1);
    }
}
