//! Columnar answers for Python: an `ArrowTable` holds record batches and hands them out through
//! the Arrow PyCapsule interface (`__arrow_c_stream__`, `__arrow_c_schema__`), so that
//! `polars.DataFrame(t)`, `pyarrow.table(t)`, `duckdb.sql("... FROM t")` and pandas (through
//! pyarrow) read them without copying the data and without pyarrow being a dependency. The
//! capsules are arrow-rs's FFI structs (no published pyo3-arrow supports pyo3 0.30).

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::invalid_input;

#[pyclass(frozen, module = "commshub_ota._native")]
pub struct ArrowTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowTable {
    pub fn new(batch: RecordBatch) -> ArrowTable {
        ArrowTable {
            schema: batch.schema(),
            batches: vec![batch],
        }
    }

    /// Batches of one schema (`batches` may be empty).
    pub fn of(schema: SchemaRef, batches: Vec<RecordBatch>) -> ArrowTable {
        ArrowTable { schema, batches }
    }
}

#[pymethods]
impl ArrowTable {
    /// A new stream of the batches (each call its own: a consumer takes the stream over).
    /// `requested_schema` is not acted on: the columns come as they are, which the protocol
    /// allows.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(
            self.batches.clone().into_iter().map(Ok),
            self.schema.clone(),
        );
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        // The consumer moves the struct out and marks it released; what is left is dropped
        // with the capsule (releasing it only if nobody took it).
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The schema, as the Arrow C data interface's capsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.schema.as_ref())
            .map_err(|e| invalid_input("schema", e.to_string()))?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The same table with its `hub` column as the canonical text instead of the EUI-64 as
    /// an unsigned 64-bit integer (a table without one comes back as it was).
    fn with_hub_text(&self) -> PyResult<ArrowTable> {
        let answer = commshub_ota::read::arrow::ArrowAnswer {
            schema: self.schema.clone(),
            batches: self.batches.clone(),
        }
        .with_hub_text()
        .map_err(crate::errors::to_py_err)?;
        Ok(ArrowTable::of(answer.schema, answer.batches))
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "ArrowTable({} rows: {})",
            self.num_rows(),
            self.column_names().join(", ")
        )
    }
}
