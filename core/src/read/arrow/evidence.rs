//! The evidence to retire the pilot as rows: one per campaign and configuration set, the
//! pilot's and mass rollout's figures side by side, so a frame compares or plots them at once.
//! The same scope, refusals and values as the typed answer (`State::retirement_evidence`).

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{batch, dict_field, dictionary};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::model::state::State;
use crate::read::{Finding, PhaseFigures};

/// Each phase's figures, in column order.
const FIGURES: [&str; 7] = [
    "hubs",
    "succeeded",
    "failed",
    "timed_out",
    "han_issues",
    "defect_flags",
    "halts",
];

fn figures(f: &PhaseFigures) -> [i64; 7] {
    [
        f.hubs,
        f.succeeded,
        f.failed,
        f.timed_out,
        f.han_issues,
        f.defect_flags,
        f.halts,
    ]
}

/// The schema of [`State::retirement_evidence_arrow`].
pub fn retirement_evidence_schema() -> SchemaRef {
    let mut fields = vec![
        dict_field("campaign"),
        dict_field("target"),
        dict_field("configuration_set"),
        dict_field("label"),
        dict_field("finding"),
    ];
    for phase in ["pilot", "rollout"] {
        for f in FIGURES {
            fields.push(Field::new(format!("{phase}_{f}"), DataType::Int64, false));
        }
    }
    Arc::new(Schema::new(fields))
}

fn finding_name(f: Finding) -> &'static str {
    match f {
        Finding::Caught => "caught",
        Finding::Missed => "missed",
        Finding::Untested => "untested",
        Finding::Clean => "clean",
        Finding::PilotOnly => "pilot_only",
    }
}

impl State {
    /// [`State::retirement_evidence`] as one batch, a row per campaign and set in the same
    /// order: `campaign`, `target`, `configuration_set` (its key), `label`, `finding`, then
    /// `pilot_*` and `rollout_*` for each of `hubs`, `succeeded`, `failed`, `timed_out`,
    /// `han_issues`, `defect_flags`, `halts`.
    pub fn retirement_evidence_arrow(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<RecordBatch, Error> {
        let evidence = self.retirement_evidence(actor, customer)?;
        let mut text: [Vec<String>; 5] = Default::default();
        let mut numbers: Vec<Vec<i64>> = vec![Vec::new(); 2 * FIGURES.len()];
        for c in &evidence.campaigns {
            for s in &c.sets {
                text[0].push(c.campaign.to_string());
                text[1].push(c.target.to_string());
                text[2].push(s.set.key());
                text[3].push(s.label.clone());
                text[4].push(finding_name(s.finding).to_string());
                let values = figures(&s.pilot).into_iter().chain(figures(&s.rollout));
                for (column, v) in numbers.iter_mut().zip(values) {
                    column.push(v);
                }
            }
        }
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(5 + numbers.len());
        for rows in text {
            // Each distinct text once; `dictionary` puts them in text order.
            let mut values: Vec<String> = Vec::new();
            let mut index: std::collections::HashMap<String, i32> = Default::default();
            let keys: Vec<i32> = rows
                .into_iter()
                .map(|v| {
                    *index.entry(v).or_insert_with_key(|v| {
                        values.push(v.clone());
                        values.len() as i32 - 1
                    })
                })
                .collect();
            columns.push(dictionary(keys, values)?);
        }
        for column in numbers {
            columns.push(Arc::new(Int64Array::from(column)));
        }
        batch(retirement_evidence_schema(), columns)
    }
}
