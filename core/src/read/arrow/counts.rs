//! The small counted answers as frames: configuration sets with their hub counts (the
//! Deployed Products List), hubs by firmware version, and a campaign's progress by set. Each is
//! the row answer's rows as columns: at most one row per set or version, so they are built from
//! the row answers rather than scanned again.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use super::batch;
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId};
use crate::model::estate::{ConfigurationSet, HanDeviceKind};
use crate::model::state::State;
use crate::read::SetProgress;

/// The columns naming a configuration set: its key, variant, firmware and each HAN device's
/// model and firmware (null where the set has no such device).
fn set_fields() -> Vec<Field> {
    let mut fields = vec![
        Field::new("configuration_set", DataType::Utf8, false),
        Field::new("variant", DataType::Utf8, false),
        Field::new("firmware", DataType::Utf8, false),
    ];
    for kind in HanDeviceKind::ALL {
        fields.push(Field::new(
            format!("{}_model", kind.as_str()),
            DataType::Utf8,
            true,
        ));
        fields.push(Field::new(
            format!("{}_firmware", kind.as_str()),
            DataType::Utf8,
            true,
        ));
    }
    fields
}

fn set_columns<'a>(sets: impl Iterator<Item = &'a ConfigurationSet> + Clone) -> Vec<ArrayRef> {
    let text = |f: &dyn Fn(&ConfigurationSet) -> Option<String>| -> ArrayRef {
        Arc::new(sets.clone().map(f).collect::<StringArray>())
    };
    let mut columns = vec![
        text(&|s| Some(s.key())),
        text(&|s| Some(s.variant.to_string())),
        text(&|s| Some(s.firmware.to_string())),
    ];
    for kind in HanDeviceKind::ALL {
        columns.push(text(&|s| s.devices.get(kind).map(|d| d.model.clone())));
        columns.push(text(&|s| s.devices.get(kind).map(|d| d.firmware.clone())));
    }
    columns
}

fn count_fields(names: &[&str]) -> Vec<Field> {
    names
        .iter()
        .map(|n| Field::new(*n, DataType::UInt64, false))
        .collect()
}

/// The schema of [`State::configuration_sets_arrow`].
pub fn configuration_sets_schema() -> SchemaRef {
    let mut fields = set_fields();
    fields.extend(count_fields(&["hubs"]));
    Arc::new(Schema::new(fields))
}

/// The counts of [`State::campaign_progress_arrow`], in column order.
type Count = fn(&SetProgress) -> u64;
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

/// The schema of [`State::estate_by_firmware_arrow`].
pub fn estate_by_firmware_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("variant", DataType::Utf8, false),
        Field::new("version", DataType::Utf8, false),
        Field::new("hubs", DataType::UInt64, false),
    ]))
}

impl State {
    /// [`State::configuration_sets`] as one batch, in the same order: each set's key, variant,
    /// firmware, HAN devices (`esme_model`, `esme_firmware`, ... `ihd_firmware`) and `hubs`.
    pub fn configuration_sets_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RecordBatch, Error> {
        let rows = self.configuration_sets(actor, customer)?;
        let mut columns = set_columns(rows.iter().map(|r| &r.configuration_set));
        columns.push(Arc::new(
            rows.iter().map(|r| r.hubs).collect::<UInt64Array>(),
        ));
        batch(configuration_sets_schema(), columns)
    }

    /// [`State::estate_by_firmware`] as one batch: `variant`, `version`, `hubs`.
    pub fn estate_by_firmware_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RecordBatch, Error> {
        let rows = self.estate_by_firmware(actor, customer)?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.variant.to_string()))
                    .collect::<StringArray>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.version.to_string()))
                    .collect::<StringArray>(),
            ),
            Arc::new(rows.iter().map(|r| r.hubs).collect::<UInt64Array>()),
        ];
        batch(estate_by_firmware_schema(), columns)
    }

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
            columns.push(Arc::new(rows.iter().map(count).collect::<UInt64Array>()));
        }
        batch(campaign_progress_schema(), columns)
    }
}
