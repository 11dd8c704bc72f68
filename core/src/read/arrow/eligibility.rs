//! Bulk explain: every hub of the campaign's variant the asker may see that is not upgradeable
//! now, with each blocker as a row: the table an analyst filters ("which of my hubs wait for
//! the other supplier?"). The same blockers, worded for the same asker, as `explain` gives hub
//! by hub.

use std::sync::Arc;

use arrow_array::UInt64Array;
use arrow_array::{ArrayRef, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use super::{batch, dict_field, nullable_dict_field, nullable_dictionary, timestamp_type, Texts};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CampaignId;
use crate::model::eligibility::{Blocker, Party};
use crate::model::estate::NO_CUSTOMER;
use crate::model::state::State;

/// The schema of [`State::blockers_arrow`].
pub fn blockers_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::UInt64, false),
        dict_field("blocker"),
        nullable_dict_field("role"),
        nullable_dict_field("by"),
        nullable_dict_field("by_customer"),
        Field::new("until", timestamp_type(), true),
        nullable_dict_field("detail"),
    ]))
}

/// What a blocker says beyond its kind.
#[derive(Default)]
struct Parts<'a> {
    /// The supply role it concerns.
    role: Option<&'static str>,
    /// The party, as the asker may know it.
    by: Option<&'a Party>,
    /// A cut-off or the end of a retry delay.
    until: Option<DateTime<Utc>>,
    /// A reason, version, status, state, count or flag.
    detail: Option<String>,
}

fn parts(b: &Blocker) -> Parts<'_> {
    let detail = |d: String| Parts {
        detail: Some(d),
        ..Parts::default()
    };
    match b {
        Blocker::CampaignClosed { phase } => detail(phase.to_string()),
        Blocker::StepNotOnProductionCpl { version } => detail(version.to_string()),
        Blocker::NotCommissioned { status } => detail(status.as_str().into()),
        // One text column holds every blocker's detail: "esme MODEL-X 1.5 < 2.0 (for 3.0)".
        Blocker::PrerequisiteMissing {
            version,
            device,
            model,
            has,
            needs,
        } => detail(format!(
            "{} {model} {has} < {needs} (for {version})",
            device.as_str()
        )),
        Blocker::AwaitingConsent { role, by, cutoff } => Parts {
            role: Some(role.as_str()),
            by: Some(by),
            until: *cutoff,
            detail: None,
        },
        Blocker::Rejected { role, by, reason } => Parts {
            role: Some(role.as_str()),
            by: Some(by),
            until: None,
            detail: reason.clone(),
        },
        Blocker::UpgradeInFlight { state } => detail(state.to_string()),
        Blocker::AttemptsExhausted { attempts } => detail(attempts.to_string()),
        Blocker::RetryDelay { until } => Parts {
            until: Some(*until),
            ..Parts::default()
        },
        Blocker::ConfigurationSetHalted { reason } => detail(reason.clone()),
        Blocker::RejectedByRule {
            role,
            by,
            rule,
            reason,
        } => Parts {
            role: Some(role.as_str()),
            by: Some(by),
            until: None,
            detail: Some(format!("{rule}: {reason}")),
        },
        Blocker::HeldByRule { by, rule, until } => Parts {
            by: Some(by),
            until: *until,
            detail: Some(rule.to_string()),
            ..Parts::default()
        },
        Blocker::HeldBySupplier { by, reason } => Parts {
            by: Some(by),
            detail: reason.clone(),
            ..Parts::default()
        },
        Blocker::SuspendedByDefectFlag { by, flag } => Parts {
            by: Some(by),
            detail: flag.map(|f| f.to_string()),
            ..Parts::default()
        },
        Blocker::DailyCapReached { cap } => detail(cap.to_string()),
        Blocker::PausedByCsp { reason } => detail(reason.clone()),
        Blocker::OutsideDispatchWindow { from_hour, to_hour } => {
            detail(format!("{from_hour:02}:00-{to_hour:02}:00"))
        }
        Blocker::CampaignNotStarted
        | Blocker::CampaignSuspended
        | Blocker::WrongVariant
        | Blocker::AlreadyOnTarget
        | Blocker::NotOnPathway
        | Blocker::VulnerableInPilot
        | Blocker::NotInPilot
        | Blocker::Blackout => Parts::default(),
    }
}

impl State {
    /// Why each hub of `campaign`'s variant that `actor` may see is not upgradeable at `at`,
    /// one row per blocker, in estate order (hubs that are upgradeable have no row): `hub`,
    /// `blocker` (as `explain` names it: `awaiting_consent`, `not_in_pilot`, ...), the supply
    /// `role` it concerns, `by` (the party: `you`, `other_supplier`, `unnamed`, or `customer`
    /// to the DCC, named in `by_customer`), `until` (an awaited consent's cut-off, a retry delay's end) and `detail`
    /// (a reason, version, status, state, count or flag). Scoped as `explain`: the DCC and
    /// the campaign's CSP over every hub of the variant, a customer over the hubs it supplies.
    pub fn blockers_arrow(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        at: DateTime<Utc>,
    ) -> Result<RecordBatch, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let me = self.customer_of(actor);
        let only = match actor {
            Actor::Customer(_) => Some(me.unwrap_or(NO_CUSTOMER)),
            _ => None,
        };
        let ctx = self.campaign_ctx(c, at);
        let hubs = &self.estate.hubs;
        // Each core explains its share of the estate; the rows come back in estate order.
        let found: Vec<(usize, Blocker)> = crate::kernel::par::scan(hubs.len(), |range| {
            let mut raw = Vec::new();
            let mut out = Vec::new();
            for pos in self.estate.scope_in(only, range) {
                if hubs[pos].variant != c.variant {
                    continue;
                }
                raw.clear();
                self.blockers(&ctx, pos, false, &mut raw);
                out.extend(
                    raw.drain(..)
                        .map(|r| (pos, self.blocker_view(actor, me, c, r))),
                );
            }
            out
        });
        let n = found.len();
        let mut hub: Vec<u64> = Vec::with_capacity(n);
        let (mut kinds, mut roles, mut parties, mut customers, mut details) = (
            Texts::default(),
            Texts::default(),
            Texts::default(),
            Texts::default(),
            Texts::default(),
        );
        let mut kind = Vec::with_capacity(n);
        let mut role = Vec::with_capacity(n);
        let mut by = Vec::with_capacity(n);
        let mut by_customer = Vec::with_capacity(n);
        let mut until = Vec::with_capacity(n);
        let mut detail = Vec::with_capacity(n);
        for (pos, b) in &found {
            hub.push(hubs[*pos].id.as_u64());
            kind.push(kinds.key(b.kind()));
            let p = parts(b);
            role.push(p.role.map(|r| roles.key(r)));
            by.push(p.by.map(|p| parties.key(p.kind())));
            by_customer.push(
                p.by.and_then(Party::customer)
                    .map(|c| customers.key(c.to_string())),
            );
            until.push(p.until.map(|u| u.timestamp_micros()));
            detail.push(p.detail.map(|d| details.key(d)));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(hub)),
            super::dictionary(kind, kinds.values)?,
            nullable_dictionary(role, roles.values)?,
            nullable_dictionary(by, parties.values)?,
            nullable_dictionary(by_customer, customers.values)?,
            Arc::new(TimestampMicrosecondArray::from(until).with_timezone("UTC")),
            nullable_dictionary(detail, details.values)?,
        ];
        batch(blockers_schema(), columns)
    }
}
