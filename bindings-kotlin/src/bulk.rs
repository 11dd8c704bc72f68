//! The row-wise bulk load's input. A mirror of the core's `HubRow`, because the JVM's shape
//! must differ: identifiers and dates stay text here, so that a load reports every bad row at
//! once with its index (`BulkRejected`) instead of failing on the first identifier that does
//! not parse as the call's arguments are read. (The columnar form, `EstateTableInput`, is the
//! core's: `commshub_ota::ffi`.)

use chrono::NaiveDate;
use commshub_ota as core;
use commshub_ota::ffi::{invalid_input, NativeError};
use commshub_ota::{ConsumerFlags, HanDevices, SmiStatus};

fn date(field: &str, text: &str) -> Result<NaiveDate, NativeError> {
    text.parse()
        .map_err(|_| invalid_input(field, format!("{text:?} is not an ISO date (YYYY-MM-DD)")))
}

/// One hub to bulk load. Identifiers and dates (ISO `YYYY-MM-DD`) are text.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HubInput {
    pub id: String,
    pub variant: String,
    pub firmware: String,
    pub smi_status: SmiStatus,
    pub installed_on: String,
    #[uniffi(default)]
    pub commissioned_on: Option<String>,
    #[uniffi(default)]
    pub devices: HanDevices,
    #[uniffi(default)]
    pub import_supplier: Option<String>,
    #[uniffi(default)]
    pub gas_supplier: Option<String>,
    #[uniffi(default)]
    pub import_flags: ConsumerFlags,
    #[uniffi(default)]
    pub gas_flags: ConsumerFlags,
}

impl HubInput {
    /// The core's row, or why this row is bad (reported with its index by the load).
    pub fn to_core(&self) -> Result<core::HubRow, String> {
        let parse = || -> Result<core::HubRow, NativeError> {
            Ok(core::HubRow {
                id: self.id.parse()?,
                variant: self.variant.parse()?,
                firmware: self.firmware.parse()?,
                smi_status: self.smi_status,
                devices: self.devices.clone(),
                import_supplier: self
                    .import_supplier
                    .as_deref()
                    .map(str::parse)
                    .transpose()?,
                gas_supplier: self.gas_supplier.as_deref().map(str::parse).transpose()?,
                import_flags: self.import_flags,
                gas_flags: self.gas_flags,
                installed_on: date("installed_on", &self.installed_on)?,
                commissioned_on: self
                    .commissioned_on
                    .as_deref()
                    .map(|d| date("commissioned_on", d))
                    .transpose()?,
            })
        };
        parse().map_err(|e| e.to_string())
    }
}
