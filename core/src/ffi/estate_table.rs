//! The estate table (a bulk load's columns) as the JVM sees it: codes are signed (JVM `Int`)
//! and dates a dictionary of ISO text, so that every column crosses as something Java can
//! write. Declared as the custom type of [`EstateTable`], so that the command and the event
//! that carry a table (`LoadEstateTable`, `EstateLoaded`) carry this form too.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::error::{invalid_input, NativeError};
use crate::model::estate::{ConsumerFlags, EstateTable, HanDevice, SmiStatus};

fn date(field: &str, text: &str) -> Result<NaiveDate, NativeError> {
    text.parse()
        .map_err(|_| invalid_input(field, format!("{text:?} is not an ISO date (YYYY-MM-DD)")))
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
fn codes(column: &str, values: &[i32]) -> Result<Vec<u32>, NativeError> {
    values
        .iter()
        .enumerate()
        .map(|(row, &c)| {
            u32::try_from(c)
                .map_err(|_| invalid_input(column, format!("row {row}: code {c} is negative")))
        })
        .collect()
}

fn optional_codes(column: &str, values: &[Option<i32>]) -> Result<Vec<Option<u32>>, NativeError> {
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
    pub fn to_core(&self) -> Result<EstateTable, NativeError> {
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
        Ok(EstateTable {
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

/// A code as the JVM's `Int` (a code is an index into a dictionary of at most `i32::MAX`
/// entries, which the estate's own limits keep far below).
fn signed(code: u32) -> i32 {
    i32::try_from(code).unwrap_or(i32::MAX)
}

impl EstateTableInput {
    /// The JVM's form of a table the core holds (an event's, say): dates become a dictionary.
    pub fn of(table: &EstateTable) -> Self {
        let mut dates: Vec<NaiveDate> = Vec::new();
        let mut codes: HashMap<NaiveDate, i32> = HashMap::new();
        for d in table
            .installed_on
            .iter()
            .chain(table.commissioned_on.iter().flatten())
        {
            codes.entry(*d).or_insert_with(|| {
                dates.push(*d);
                signed(u32::try_from(dates.len() - 1).unwrap_or(u32::MAX))
            });
        }
        let code = |d: &NaiveDate| codes[d];
        let optional = |column: &[Option<u32>]| column.iter().map(|c| c.map(signed)).collect();
        EstateTableInput {
            variants: table.variants.iter().map(|v| v.to_string()).collect(),
            firmware_versions: table
                .firmware_versions
                .iter()
                .map(|v| v.to_string())
                .collect(),
            customers: table.customers.iter().map(|c| c.to_string()).collect(),
            devices: table.devices.clone(),
            id: table.id.iter().map(|h| h.to_string()).collect(),
            variant: table.variant.iter().map(|&c| signed(c)).collect(),
            firmware: table.firmware.iter().map(|&c| signed(c)).collect(),
            smi_status: table.smi_status.clone(),
            installed_on: table.installed_on.iter().map(code).collect(),
            commissioned_on: table
                .commissioned_on
                .iter()
                .map(|d| d.as_ref().map(code))
                .collect(),
            import_supplier: optional(&table.import_supplier),
            gas_supplier: optional(&table.gas_supplier),
            import_flags: table.import_flags.clone(),
            gas_flags: table.gas_flags.clone(),
            esme: optional(&table.esme),
            gsme: optional(&table.gsme),
            ppmid: optional(&table.ppmid),
            hcalcs: optional(&table.hcalcs),
            ihd: optional(&table.ihd),
            dates: dates.iter().map(|d| d.to_string()).collect(),
        }
    }
}
