//! The answers to columnar questions ([`ColumnarQuery`], defined with the row queries in
//! `read/query.rs`): each question's schema, the answer's batches, and its IPC stream form.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::state::State;
use crate::read::arrow::{
    attempts_schema, blockers_schema, campaign_progress_schema, configuration_sets_schema,
    customer_estate_schema, dpl_history_schema, dry_run_schema, estate_by_firmware_schema,
    events_schema, industry_shares_schema, retirement_evidence_schema, upgrade_list_schema,
};
use crate::read::query::ColumnarQuery;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

impl ColumnarQuery {
    /// The schema every answer to this question has (also when it has no rows).
    pub fn schema(&self) -> SchemaRef {
        match self {
            ColumnarQuery::UpgradeList { .. } => upgrade_list_schema(),
            ColumnarQuery::CustomerEstate { .. } => customer_estate_schema(),
            ColumnarQuery::ConfigurationSets { .. } => configuration_sets_schema(),
            ColumnarQuery::EstateByFirmware { .. } => estate_by_firmware_schema(),
            ColumnarQuery::CampaignProgress { .. } => campaign_progress_schema(),
            ColumnarQuery::CampaignAttempts { .. } => attempts_schema(),
            ColumnarQuery::Blockers { .. } => blockers_schema(),
            ColumnarQuery::DryRunRule { .. } => dry_run_schema(),
            ColumnarQuery::DplHistory { .. } => dpl_history_schema(),
            ColumnarQuery::IndustryShares { .. } => industry_shares_schema(),
            ColumnarQuery::RetirementEvidence { .. } => retirement_evidence_schema(),
            ColumnarQuery::Events { .. } => events_schema(),
        }
    }
}

/// A columnar answer: its schema and its record batches (one, or several for a large estate).
#[derive(Debug, Clone)]
pub struct ArrowAnswer {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl ArrowAnswer {
    pub(crate) fn one(batch: RecordBatch) -> ArrowAnswer {
        ArrowAnswer {
            schema: batch.schema(),
            batches: vec![batch],
        }
    }

    /// The answer with its `hub` column as the canonical text (`00-1A-...`) instead of the
    /// EUI-64 as an unsigned 64-bit integer: for a reader that wants to show or join on the
    /// text. The integer column is what every answer gives: it is a quarter of the bytes and
    /// every frame library imports it without parsing; this costs a pass over the column.
    /// An answer without a `hub` column comes back as it was.
    pub fn with_hub_text(self) -> Result<ArrowAnswer, Error> {
        let fail = |e: arrow_schema::ArrowError| Error::invalid_input("arrow", e.to_string());
        let Ok(i) = self.schema.index_of("hub") else {
            return Ok(self);
        };
        let field = self.schema.field(i);
        if field.data_type() != &arrow_schema::DataType::UInt64 {
            return Ok(self);
        }
        let mut fields: Vec<arrow_schema::FieldRef> =
            self.schema.fields().iter().cloned().collect();
        fields[i] = std::sync::Arc::new(arrow_schema::Field::new(
            "hub",
            arrow_schema::DataType::Utf8,
            field.is_nullable(),
        ));
        let schema = std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(
            fields,
            self.schema.metadata().clone(),
        ));
        let batches = self
            .batches
            .iter()
            .map(|b| {
                let mut columns = b.columns().to_vec();
                columns[i] = hub_text(columns[i].as_ref())?;
                RecordBatch::try_new(schema.clone(), columns).map_err(fail)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(ArrowAnswer { schema, batches })
    }

    /// How many rows all its batches hold.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The answer as one Arrow IPC stream (the schema, each dictionary once, the batches): the
    /// form that crosses a process or FFI boundary in one piece (the JVM reads it with Arrow
    /// Java's `ArrowStreamReader`).
    pub fn to_ipc(&self) -> Result<Vec<u8>, Error> {
        let fail = |e: arrow_schema::ArrowError| Error::invalid_input("arrow", e.to_string());
        let mut out = Vec::new();
        let mut writer =
            arrow_ipc::writer::StreamWriter::try_new(&mut out, &self.schema).map_err(fail)?;
        for batch in &self.batches {
            writer.write(batch).map_err(fail)?;
        }
        writer.finish().map_err(fail)?;
        drop(writer);
        Ok(out)
    }
}

impl State {
    /// The answer to `query` as `actor` may see it, for every question the state answers alone
    /// (`Events` reads the engine's record: `Engine::query_arrow` answers it).
    pub(crate) fn answer_arrow(
        &self,
        actor: &Actor,
        query: &ColumnarQuery,
    ) -> Result<ArrowAnswer, Error> {
        Ok(match query {
            ColumnarQuery::UpgradeList { region, at } => {
                ArrowAnswer::one(self.upgrade_list_arrow(actor, *region, *at)?)
            }
            ColumnarQuery::CustomerEstate { customer } => ArrowAnswer {
                schema: customer_estate_schema(),
                batches: self.customer_estate_arrow(actor, customer)?,
            },
            ColumnarQuery::ConfigurationSets { customer } => {
                ArrowAnswer::one(self.configuration_sets_arrow(actor, customer.as_ref())?)
            }
            ColumnarQuery::EstateByFirmware { customer } => {
                ArrowAnswer::one(self.estate_by_firmware_arrow(actor, customer.as_ref())?)
            }
            ColumnarQuery::CampaignProgress { campaign, at } => {
                ArrowAnswer::one(self.campaign_progress_arrow(actor, campaign, *at)?)
            }
            ColumnarQuery::CampaignAttempts { campaign } => {
                ArrowAnswer::one(self.campaign_attempts_arrow(actor, campaign)?)
            }
            ColumnarQuery::Blockers { campaign, at } => {
                ArrowAnswer::one(self.blockers_arrow(actor, campaign, *at)?)
            }
            ColumnarQuery::DryRunRule { rule, at } => {
                ArrowAnswer::one(self.dry_run_rule_arrow(actor, rule, *at)?)
            }
            ColumnarQuery::DplHistory { customer, from, to } => {
                ArrowAnswer::one(self.dpl_history_arrow(actor, customer.as_ref(), *from, *to)?)
            }
            ColumnarQuery::IndustryShares { from, to } => {
                ArrowAnswer::one(self.industry_shares_arrow(actor, *from, *to)?)
            }
            ColumnarQuery::RetirementEvidence { customer } => {
                ArrowAnswer::one(self.retirement_evidence_arrow(actor, customer.as_ref())?)
            }
            ColumnarQuery::Events { .. } => {
                return Err(Error::invalid_input(
                    "query",
                    "events are the engine's record: ask Engine::query_arrow",
                ))
            }
        })
    }
}

/// A column of hub ids as integers (`UInt64`, or `Int64` holding the same bits) as their
/// canonical text (`00-1A-22-FF-FE-00-00-01`); nulls stay null. Anything else is
/// `InvalidInput` naming the column's type.
pub fn hub_text(column: &dyn arrow_array::Array) -> Result<arrow_array::ArrayRef, Error> {
    use crate::kernel::ids::HubId;
    use arrow_array::{Int64Array, StringArray, UInt64Array};
    let text = |v: u64| {
        let bytes = HubId::from_u64(v).canonical_bytes();
        // Hex digits and dashes: always ASCII.
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let array: StringArray = if let Some(a) = column.as_any().downcast_ref::<UInt64Array>() {
        a.iter().map(|v| v.map(text)).collect()
    } else if let Some(a) = column.as_any().downcast_ref::<Int64Array>() {
        a.iter().map(|v| v.map(|v| text(v as u64))).collect()
    } else {
        return Err(Error::invalid_input(
            "hub",
            format!(
                "{} is not a column of hub ids (UInt64 or Int64)",
                column.data_type()
            ),
        ));
    };
    Ok(std::sync::Arc::new(array))
}
