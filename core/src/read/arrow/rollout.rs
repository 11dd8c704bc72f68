//! The rollout as frames: a campaign's upgrade attempts (every hub it dispatched, where its
//! current or last attempt stands, how many attempts the step took, why the last one failed)
//! and its progress by configuration set (built from the row answer: a row per set).

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{
    batch, dict_field, dictionary, nullable_dict_field, nullable_dictionary, timestamp_type,
    SetKeys, Versions,
};
use super::{count_fields, set_columns, set_fields};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CampaignId;
use crate::model::estate::NO_CUSTOMER;
use crate::model::rollout::{FailureReason, UpgradeState};
use crate::model::state::State;
use crate::read::SetProgress;
use arrow_array::UInt64Array;
use chrono::{DateTime, Utc};

/// The schema of [`State::campaign_attempts_arrow`].
pub fn attempts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("hub", DataType::UInt64, false),
        dict_field("state"),
        Field::new("attempts", DataType::Int32, false),
        dict_field("step"),
        dict_field("configuration_set"),
        Field::new("dispatched_at", timestamp_type(), false),
        Field::new("since", timestamp_type(), false),
        nullable_dict_field("failure"),
        Field::new("health_bad", DataType::Boolean, false),
    ]))
}

impl State {
    /// Every hub `campaign` dispatched, in estate order, with its current or last attempt:
    /// `state`, `attempts` at the current step (0 once a step succeeded), the `step` it
    /// installs, the `configuration_set` it was on when first dispatched (where its outcomes
    /// count), `dispatched_at`, `since` (when it entered its state), the `failure` reason of a
    /// failed attempt and `health_bad` (a supplier reported a bad HAN after it). The DCC and the
    /// campaign's CSP see every hub; a customer the hubs it supplies.
    pub fn campaign_attempts_arrow(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
    ) -> Result<RecordBatch, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let only = match actor {
            Actor::Customer(_) => Some(self.customer_of(actor).unwrap_or(NO_CUSTOMER)),
            _ => None,
        };
        let mut rows: Vec<(u32, &crate::model::rollout::HubUpgrade)> = c
            .rollout
            .upgrades
            .iter()
            .filter(|(&pos, _)| {
                only.is_none_or(|o| {
                    o != NO_CUSTOMER && self.estate.hubs[pos as usize].is_supplied_by(o)
                })
            })
            .map(|(&pos, u)| (pos, u))
            .collect();
        rows.sort_unstable_by_key(|&(pos, _)| pos);
        let n = rows.len();
        let mut used = SetKeys::unused(self);
        for (_, u) in &rows {
            used[u.origin_config as usize] = true;
        }
        let sets = SetKeys::of(self, &used);
        let versions = Versions::of(self);
        let mut hub: Vec<u64> = Vec::with_capacity(n);
        let mut state = Vec::with_capacity(n);
        let mut attempts = Vec::with_capacity(n);
        let mut step = Vec::with_capacity(n);
        let mut config = Vec::with_capacity(n);
        let mut dispatched = Vec::with_capacity(n);
        let mut since = Vec::with_capacity(n);
        let mut failure = Vec::with_capacity(n);
        let mut health = Vec::with_capacity(n);
        for (pos, u) in rows {
            hub.push(self.estate.hubs[pos as usize].id.as_u64());
            // The dictionaries below list `ALL`, in declaration order.
            state.push(
                UpgradeState::ALL
                    .iter()
                    .position(|s| *s == u.state)
                    .unwrap_or(0) as i32,
            );
            attempts.push(i32::from(u.attempts));
            step.push(versions.key(u.step));
            config.push(sets.key(u.origin_config));
            dispatched.push(u.dispatched_at.timestamp_micros());
            since.push(u.since.timestamp_micros());
            failure.push(
                u.failure
                    .and_then(|f| FailureReason::ALL.iter().position(|r| *r == f))
                    .map(|i| i as i32),
            );
            health.push(u.health_bad);
        }
        let utc = |micros: Vec<i64>| -> ArrayRef {
            Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(hub)),
            dictionary(
                state,
                UpgradeState::ALL.iter().map(|s| s.to_string()).collect(),
            )?,
            Arc::new(Int32Array::from(attempts)),
            versions.column(step)?,
            sets.column(config)?,
            utc(dispatched),
            utc(since),
            nullable_dictionary(
                failure,
                FailureReason::ALL
                    .iter()
                    .map(|f| f.as_str().to_string())
                    .collect(),
            )?,
            Arc::new(BooleanArray::from(health)),
        ];
        batch(attempts_schema(), columns)
    }
}

/// The counts of [`State::campaign_progress_arrow`], in column order.
type Count = fn(&SetProgress) -> i64;
const PROGRESS: [(&str, Count); 9] = [
    ("hubs", |r| r.hubs),
    ("eligible", |r| r.eligible),
    ("upgradeable_now", |r| r.upgradeable_now),
    ("awaiting_consent", |r| r.awaiting_consent),
    ("blocked", |r| r.blocked),
    ("dispatched", |r| r.dispatched),
    ("succeeded", |r| r.succeeded),
    ("failed", |r| r.failed),
    ("not_applicable", |r| r.not_applicable),
];

/// The schema of [`State::campaign_progress_arrow`].
pub fn campaign_progress_schema() -> SchemaRef {
    let mut fields = set_fields();
    fields.extend(count_fields(&PROGRESS.map(|(name, _)| name)));
    Arc::new(Schema::new(fields))
}

impl State {
    /// [`State::campaign_progress`] as one batch, a row per configuration set: the set's
    /// columns, then `hubs`, `eligible`, `upgradeable_now`, `awaiting_consent`, `blocked`,
    /// `dispatched`, `succeeded`, `failed`, `not_applicable`.
    pub fn campaign_progress_arrow(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        at: DateTime<Utc>,
    ) -> Result<RecordBatch, Error> {
        let rows = self.campaign_progress(actor, campaign, at)?;
        let mut columns = set_columns(rows.iter().map(|r| &r.set));
        for (_, count) in PROGRESS {
            // Counts are never negative; the column keeps its unsigned type.
            columns.push(Arc::new(
                rows.iter()
                    .map(|r| count(r).unsigned_abs())
                    .collect::<UInt64Array>(),
            ));
        }
        batch(campaign_progress_schema(), columns)
    }
}
