//! The bulk loads' input. Mirrors of the core's `HubRow` and `EstateTable`, because the JVM's
//! shape must differ: identifiers and dates stay text here, so that a load reports every bad
//! row at once with its index (`BulkRejected`) instead of failing on the first identifier that
//! does not parse as the call's arguments are read; table codes are signed (JVM `Int`).

use chrono::NaiveDate;
use commshub_ota as core;
use commshub_ota::ffi::{invalid_input, CommsHubOtaError};
use commshub_ota::{ConsumerFlags, HanDevice, HanDevices, SmiStatus};

fn date(field: &str, text: &str) -> Result<NaiveDate, CommsHubOtaError> {
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
        let parse = || -> Result<core::HubRow, CommsHubOtaError> {
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

/// Many hubs as dictionary-encoded columns, the national-scale bulk load: each distinct
/// string once in a dictionary, each hub a code (the entry's index) per column.
///
/// Dictionaries: `variants`, `firmwareVersions`, `customers`, `devices` and `dates` (ISO
/// strings). Per hub: `id`, `variant`, `firmware`, `smiStatus` and `installedOn` (a code into
/// `dates`). Optional per hub (an empty list means none for every hub): `commissionedOn`
/// (into `dates`), `importSupplier` and `gasSupplier` (into `customers`), `importFlags`,
/// `gasFlags`, and `esme` .. `ihd` (into `devices`). Text that does not parse, a negative
/// code or one past its dictionary refuses the call with `InvalidId` or `InvalidInput`
/// naming it; a hub the model refuses is a row of `BulkRejected`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EstateTableInput {
    pub variants: Vec<String>,
    pub firmware_versions: Vec<String>,
    #[uniffi(default)]
    pub customers: Vec<String>,
    #[uniffi(default)]
    pub devices: Vec<HanDevice>,
    pub dates: Vec<String>,
    pub id: Vec<String>,
    pub variant: Vec<i32>,
    pub firmware: Vec<i32>,
    pub smi_status: Vec<SmiStatus>,
    pub installed_on: Vec<i32>,
    #[uniffi(default)]
    pub commissioned_on: Vec<Option<i32>>,
    #[uniffi(default)]
    pub import_supplier: Vec<Option<i32>>,
    #[uniffi(default)]
    pub gas_supplier: Vec<Option<i32>>,
    #[uniffi(default)]
    pub import_flags: Vec<ConsumerFlags>,
    #[uniffi(default)]
    pub gas_flags: Vec<ConsumerFlags>,
    #[uniffi(default)]
    pub esme: Vec<Option<i32>>,
    #[uniffi(default)]
    pub gsme: Vec<Option<i32>>,
    #[uniffi(default)]
    pub ppmid: Vec<Option<i32>>,
    #[uniffi(default)]
    pub hcalcs: Vec<Option<i32>>,
    #[uniffi(default)]
    pub ihd: Vec<Option<i32>>,
}

/// A code column: each code as the core's `u32`, a negative one refused by row.
fn codes(column: &str, values: &[i32]) -> Result<Vec<u32>, CommsHubOtaError> {
    values
        .iter()
        .enumerate()
        .map(|(row, &c)| {
            u32::try_from(c)
                .map_err(|_| invalid_input(column, format!("row {row}: code {c} is negative")))
        })
        .collect()
}

fn optional_codes(
    column: &str,
    values: &[Option<i32>],
) -> Result<Vec<Option<u32>>, CommsHubOtaError> {
    values
        .iter()
        .enumerate()
        .map(|(row, c)| {
            c.map(|c| {
                u32::try_from(c)
                    .map_err(|_| invalid_input(column, format!("row {row}: code {c} is negative")))
            })
            .transpose()
        })
        .collect()
}

impl EstateTableInput {
    pub fn to_core(&self) -> Result<core::EstateTable, CommsHubOtaError> {
        let dates: Vec<NaiveDate> = self
            .dates
            .iter()
            .map(|d| date("dates", d))
            .collect::<Result<_, _>>()?;
        let date_of = |column: &str, row: usize, code: i32| {
            usize::try_from(code)
                .ok()
                .and_then(|c| dates.get(c).copied())
                .ok_or_else(|| {
                    invalid_input(
                        column,
                        format!(
                            "row {row}: code {code}, but the dates dictionary has {} entries",
                            dates.len()
                        ),
                    )
                })
        };
        Ok(core::EstateTable {
            variants: self
                .variants
                .iter()
                .map(|v| v.parse())
                .collect::<Result<_, _>>()?,
            firmware_versions: self
                .firmware_versions
                .iter()
                .map(|v| v.parse())
                .collect::<Result<_, _>>()?,
            customers: self
                .customers
                .iter()
                .map(|c| c.parse())
                .collect::<Result<_, _>>()?,
            devices: self.devices.to_vec(),
            id: self
                .id
                .iter()
                .map(|h| h.parse())
                .collect::<Result<_, _>>()?,
            variant: codes("variant", &self.variant)?,
            firmware: codes("firmware", &self.firmware)?,
            smi_status: self.smi_status.clone(),
            installed_on: self
                .installed_on
                .iter()
                .enumerate()
                .map(|(row, &c)| date_of("installed_on", row, c))
                .collect::<Result<_, _>>()?,
            commissioned_on: self
                .commissioned_on
                .iter()
                .enumerate()
                .map(|(row, c)| c.map(|c| date_of("commissioned_on", row, c)).transpose())
                .collect::<Result<_, _>>()?,
            import_supplier: optional_codes("import_supplier", &self.import_supplier)?,
            gas_supplier: optional_codes("gas_supplier", &self.gas_supplier)?,
            import_flags: self.import_flags.clone(),
            gas_flags: self.gas_flags.clone(),
            esme: optional_codes("esme", &self.esme)?,
            gsme: optional_codes("gsme", &self.gsme)?,
            ppmid: optional_codes("ppmid", &self.ppmid)?,
            hcalcs: optional_codes("hcalcs", &self.hcalcs)?,
            ihd: optional_codes("ihd", &self.ihd)?,
        })
    }
}
