//! The estate in columns: the input of a bulk load and the body of its `estate_loaded` event.
//!
//! Each distinct variant, firmware version, customer and HAN device profile is written once,
//! in a dictionary; a hub refers to it by its code (the entry's index). This is the layout of
//! an Arrow dictionary-encoded table or a pandas categorical. Ten million hubs are checked and
//! loaded with integer work per hub, and each string is handled once, not once per hub.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::row::{
    ConsumerFlags, HanDevice, HanDeviceKind, HanDevices, HubRow, SmiStatus, SupplyRole,
};
use crate::kernel::error::Error;
use crate::kernel::error::Rule;
use crate::kernel::ids::{CustomerId, FirmwareVersion, HubId, VariantId};
use crate::kernel::intern::FxBuild;

/// Hubs as columns of equal length, strings as dictionary codes.
///
/// Required columns have one value per hub. The optional ones (`commissioned_on`, the
/// suppliers, the flags and the five HAN device columns) are either empty, meaning "none" (or
/// no flags) for every hub, or have one value per hub. A code is an index into its
/// dictionary; a firmware code names a version of the hub's own variant. A dictionary entry
/// no hub refers to is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EstateTable {
    /// Dictionary of variant ids (column `variant`).
    pub variants: Vec<VariantId>,
    /// Dictionary of firmware versions (column `firmware`).
    pub firmware_versions: Vec<FirmwareVersion>,
    /// Dictionary of customers (columns `import_supplier`, `gas_supplier`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<CustomerId>,
    /// Dictionary of HAN device profiles (the five device columns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<HanDevice>,

    pub id: Vec<HubId>,
    pub variant: Vec<u32>,
    pub firmware: Vec<u32>,
    pub smi_status: Vec<SmiStatus>,
    pub installed_on: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commissioned_on: Vec<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_supplier: Vec<Option<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gas_supplier: Vec<Option<u32>>,
    /// Written as bits in the log: 1 vulnerable, 2 high risk, 4 super friendly.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "flag_bits")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<u8>"))]
    pub import_flags: Vec<ConsumerFlags>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "flag_bits")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<u8>"))]
    pub gas_flags: Vec<ConsumerFlags>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub esme: Vec<Option<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gsme: Vec<Option<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ppmid: Vec<Option<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hcalcs: Vec<Option<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ihd: Vec<Option<u32>>,
}

/// A value of an optional column: the column's own, or the default when the column is empty.
#[inline]
pub(crate) fn cell<T: Copy + Default>(column: &[T], row: usize) -> T {
    column.get(row).copied().unwrap_or_default()
}

impl EstateTable {
    /// The number of hubs.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The table of `rows`, in order, with each string once in its dictionary.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a HubRow>) -> EstateTable {
        let rows = rows.into_iter();
        let mut builder = EstateTableBuilder::with_capacity(rows.size_hint().0);
        for row in rows {
            builder.push(row);
        }
        builder.finish()
    }

    /// The device column of `kind`.
    pub fn device_column(&self, kind: HanDeviceKind) -> &[Option<u32>] {
        match kind {
            HanDeviceKind::Esme => &self.esme,
            HanDeviceKind::Gsme => &self.gsme,
            HanDeviceKind::Ppmid => &self.ppmid,
            HanDeviceKind::Hcalcs => &self.hcalcs,
            HanDeviceKind::Ihd => &self.ihd,
        }
    }

    fn device_column_mut(&mut self, kind: HanDeviceKind) -> &mut Vec<Option<u32>> {
        match kind {
            HanDeviceKind::Esme => &mut self.esme,
            HanDeviceKind::Gsme => &mut self.gsme,
            HanDeviceKind::Ppmid => &mut self.ppmid,
            HanDeviceKind::Hcalcs => &mut self.hcalcs,
            HanDeviceKind::Ihd => &mut self.ihd,
        }
    }

    /// The supplier column of `role`.
    pub fn supplier_column(&self, role: SupplyRole) -> &[Option<u32>] {
        match role {
            SupplyRole::Import => &self.import_supplier,
            SupplyRole::Gas => &self.gas_supplier,
        }
    }

    /// The flags column of `role`.
    pub fn flags_column(&self, role: SupplyRole) -> &[ConsumerFlags] {
        match role {
            SupplyRole::Import => &self.import_flags,
            SupplyRole::Gas => &self.gas_flags,
        }
    }

    /// Hub `row` in its self-describing form, or `None` when there is no such row or one of
    /// its codes is not in its dictionary.
    pub fn row(&self, row: usize) -> Option<HubRow> {
        let text = |dict: &[VariantId], code: u32| dict.get(code as usize).cloned();
        let customer = |column: &[Option<u32>]| -> Option<Option<CustomerId>> {
            match cell(column, row) {
                None => Some(None),
                Some(code) => self.customers.get(code as usize).cloned().map(Some),
            }
        };
        let mut devices = HanDevices::default();
        for kind in HanDeviceKind::ALL {
            if let Some(code) = cell(self.device_column(kind), row) {
                devices.set(kind, Some(self.devices.get(code as usize)?.clone()));
            }
        }
        Some(HubRow {
            id: *self.id.get(row)?,
            variant: text(&self.variants, *self.variant.get(row)?)?,
            firmware: self
                .firmware_versions
                .get(*self.firmware.get(row)? as usize)?
                .clone(),
            smi_status: *self.smi_status.get(row)?,
            devices,
            import_supplier: customer(&self.import_supplier)?,
            gas_supplier: customer(&self.gas_supplier)?,
            import_flags: cell(&self.import_flags, row),
            gas_flags: cell(&self.gas_flags, row),
            installed_on: *self.installed_on.get(row)?,
            commissioned_on: cell(&self.commissioned_on, row),
        })
    }

    /// Whether no optional column holds a value for every hub that is only the empty value
    /// (what [`EstateTable::drop_empty_columns`] leaves).
    pub fn is_compact(&self) -> bool {
        fn compact<T: PartialEq + Default>(column: &[T]) -> bool {
            column.is_empty() || column.iter().any(|v| *v != T::default())
        }
        compact(&self.commissioned_on)
            && compact(&self.import_supplier)
            && compact(&self.gas_supplier)
            && compact(&self.import_flags)
            && compact(&self.gas_flags)
            && HanDeviceKind::ALL
                .into_iter()
                .all(|kind| compact(self.device_column(kind)))
    }

    /// Empties each optional column that holds nothing (no value, no flag) for any hub: the
    /// same table, smaller in memory and in the log.
    pub fn drop_empty_columns(&mut self) {
        fn drop_if_empty<T: PartialEq + Default>(column: &mut Vec<T>) {
            if column.iter().all(|v| *v == T::default()) {
                *column = Vec::new();
            }
        }
        drop_if_empty(&mut self.commissioned_on);
        drop_if_empty(&mut self.import_supplier);
        drop_if_empty(&mut self.gas_supplier);
        drop_if_empty(&mut self.import_flags);
        drop_if_empty(&mut self.gas_flags);
        for kind in HanDeviceKind::ALL {
            drop_if_empty(self.device_column_mut(kind));
        }
    }

    /// Checks the table's shape: the columns' lengths and every code against its
    /// dictionary. A malformed table is the caller's encoding error, not a bad hub, so it is
    /// an [`Error::InvalidInput`] naming the column (and the first bad row).
    pub fn check_shape(&self) -> Result<(), Error> {
        let n = self.len();
        let wrong_length = |column: &str, len: usize, optional: bool| {
            Error::invalid_input(
                column,
                format!(
                    "has {len} values for {n} hubs{}",
                    if optional {
                        " (an optional column is empty or has one value a hub)"
                    } else {
                        ""
                    }
                ),
            )
        };
        for (column, len) in [
            ("variant", self.variant.len()),
            ("firmware", self.firmware.len()),
            ("smi_status", self.smi_status.len()),
            ("installed_on", self.installed_on.len()),
        ] {
            if len != n {
                return Err(wrong_length(column, len, false));
            }
        }
        let optional = |column: &str, len: usize| {
            if len == 0 || len == n {
                Ok(())
            } else {
                Err(wrong_length(column, len, true))
            }
        };
        optional("commissioned_on", self.commissioned_on.len())?;
        optional("import_flags", self.import_flags.len())?;
        optional("gas_flags", self.gas_flags.len())?;
        check_codes("variant", &self.variant, "variants", self.variants.len())?;
        check_codes(
            "firmware",
            &self.firmware,
            "firmware_versions",
            self.firmware_versions.len(),
        )?;
        for role in SupplyRole::ALL {
            let column = match role {
                SupplyRole::Import => "import_supplier",
                SupplyRole::Gas => "gas_supplier",
            };
            let codes = self.supplier_column(role);
            optional(column, codes.len())?;
            check_optional_codes(column, codes, "customers", self.customers.len())?;
        }
        for kind in HanDeviceKind::ALL {
            let codes = self.device_column(kind);
            optional(kind.as_str(), codes.len())?;
            check_optional_codes(kind.as_str(), codes, "devices", self.devices.len())?;
        }
        Ok(())
    }
}

fn code_error(column: &str, row: usize, code: u32, dictionary: &str, size: usize) -> Error {
    Error::invalid_input(
        column,
        format!("row {row}: code {code}, but the {dictionary} dictionary has {size} entries"),
    )
}

fn check_codes(column: &str, codes: &[u32], dictionary: &str, size: usize) -> Result<(), Error> {
    // One branch-free pass for the common case; the row is looked for only on failure.
    let max = codes.iter().copied().max().unwrap_or(0);
    if codes.is_empty() || (max as usize) < size {
        return Ok(());
    }
    let row = codes.iter().position(|&c| c as usize >= size).unwrap_or(0);
    Err(code_error(column, row, codes[row], dictionary, size))
}

fn check_optional_codes(
    column: &str,
    codes: &[Option<u32>],
    dictionary: &str,
    size: usize,
) -> Result<(), Error> {
    match codes
        .iter()
        .enumerate()
        .find(|(_, c)| c.is_some_and(|c| c as usize >= size))
    {
        Some((row, Some(code))) => Err(code_error(column, row, *code, dictionary, size)),
        _ => Ok(()),
    }
}

/// One dictionary under construction: each distinct value once, in order of first use.
struct Dictionary<T: Eq + Hash + Clone> {
    values: Vec<T>,
    codes: HashMap<T, u32, FxBuild>,
}

impl<T: Eq + Hash + Clone> Default for Dictionary<T> {
    fn default() -> Self {
        Dictionary {
            values: Vec::new(),
            codes: HashMap::default(),
        }
    }
}

impl<T: Eq + Hash + Clone> Dictionary<T> {
    fn code(&mut self, value: &T) -> u32 {
        if let Some(&code) = self.codes.get(value) {
            return code;
        }
        // A dictionary never has more entries than the table has rows, and a table's rows
        // are counted in memory: a code past u32 would need 4 billion hubs first.
        let code = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(value.clone());
        self.codes.insert(value.clone(), code);
        code
    }
}

/// Builds an [`EstateTable`] row by row, writing each distinct string once.
#[derive(Default)]
pub struct EstateTableBuilder {
    table: EstateTable,
    variants: Dictionary<VariantId>,
    firmware: Dictionary<FirmwareVersion>,
    customers: Dictionary<CustomerId>,
    devices: Dictionary<HanDevice>,
}

impl EstateTableBuilder {
    pub fn new() -> Self {
        EstateTableBuilder::default()
    }

    /// A builder with room for `hubs` rows in every column.
    pub fn with_capacity(hubs: usize) -> Self {
        let mut b = EstateTableBuilder::default();
        let t = &mut b.table;
        t.id.reserve(hubs);
        t.variant.reserve(hubs);
        t.firmware.reserve(hubs);
        t.smi_status.reserve(hubs);
        t.installed_on.reserve(hubs);
        t.commissioned_on.reserve(hubs);
        t.import_supplier.reserve(hubs);
        t.gas_supplier.reserve(hubs);
        t.import_flags.reserve(hubs);
        t.gas_flags.reserve(hubs);
        for kind in HanDeviceKind::ALL {
            t.device_column_mut(kind).reserve(hubs);
        }
        b
    }

    /// Appends one hub.
    pub fn push(&mut self, row: &HubRow) {
        let t = &mut self.table;
        t.id.push(row.id);
        t.variant.push(self.variants.code(&row.variant));
        t.firmware.push(self.firmware.code(&row.firmware));
        t.smi_status.push(row.smi_status);
        t.installed_on.push(row.installed_on);
        t.commissioned_on.push(row.commissioned_on);
        let customers = &mut self.customers;
        t.import_supplier
            .push(row.import_supplier.as_ref().map(|c| customers.code(c)));
        t.gas_supplier
            .push(row.gas_supplier.as_ref().map(|c| customers.code(c)));
        t.import_flags.push(row.import_flags);
        t.gas_flags.push(row.gas_flags);
        for kind in HanDeviceKind::ALL {
            let code = row.devices.get(kind).map(|d| self.devices.code(d));
            t.device_column_mut(kind).push(code);
        }
    }

    /// The table. An optional column that holds nothing for any hub is left empty.
    pub fn finish(self) -> EstateTable {
        let mut t = self.table;
        t.variants = self.variants.values;
        t.firmware_versions = self.firmware.values;
        t.customers = self.customers.values;
        t.devices = self.devices.values;
        t.drop_empty_columns();
        t
    }
}

/// The capacity rule: more distinct customers than a hub record can index.
pub(crate) fn too_many_customers() -> Error {
    Error::precondition(Rule::Capacity, "more than 65 535 customers")
}

/// Consumer flags as one small integer each in the log (ten million objects would triple it).
mod flag_bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::estate::ConsumerFlags;

    pub fn serialize<S: Serializer>(flags: &[ConsumerFlags], s: S) -> Result<S::Ok, S::Error> {
        let bits: Vec<u8> = flags.iter().map(|f| f.to_bits()).collect();
        bits.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ConsumerFlags>, D::Error> {
        let bits = Vec::<u8>::deserialize(d)?;
        if let Some(bad) = bits.iter().find(|b| **b > 7) {
            return Err(serde::de::Error::custom(format!(
                "consumer flag bits {bad}: only bits 1, 2 and 4 exist"
            )));
        }
        Ok(bits.into_iter().map(ConsumerFlags::from_bits).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, supplier: Option<&str>) -> HubRow {
        let mut devices = HanDevices::default();
        devices.set(HanDeviceKind::Esme, Some(HanDevice::new("EM", "1.0")));
        HubRow {
            id: HubId::from_u64(id),
            variant: "CH-N-DB".parse().unwrap(),
            firmware: "1.0".parse().unwrap(),
            smi_status: SmiStatus::Commissioned,
            devices,
            import_supplier: supplier.map(|s| s.parse().unwrap()),
            gas_supplier: None,
            import_flags: ConsumerFlags {
                vulnerable: id.is_multiple_of(2) && supplier.is_some(),
                ..Default::default()
            },
            gas_flags: ConsumerFlags::default(),
            installed_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            commissioned_on: NaiveDate::from_ymd_opt(2025, 1, 2),
        }
    }

    #[test]
    fn rows_round_trip_through_the_table_with_each_string_once() {
        let rows = vec![
            row(1, Some("SUP-A")),
            row(2, Some("SUP-B")),
            row(4, Some("SUP-A")),
            row(3, None),
        ];
        let table = EstateTable::from_rows(&rows);
        assert_eq!(table.customers.len(), 2);
        assert_eq!(table.devices.len(), 1);
        assert_eq!(table.variants.len(), 1);
        assert!(
            table.gas_supplier.is_empty(),
            "a column with no value is left empty"
        );
        assert!(table.ppmid.is_empty());
        table.check_shape().unwrap();
        let back: Vec<HubRow> = (0..table.len()).map(|i| table.row(i).unwrap()).collect();
        assert_eq!(back, rows);
        assert_eq!(table.row(4), None);
        let json = serde_json::to_string(&table).unwrap();
        assert!(json.contains("\"import_flags\":[0,1,1,0]"), "{json}");
        let parsed: EstateTable = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, table);
    }

    #[test]
    fn a_malformed_table_names_its_column_and_row() {
        let mut table = EstateTable::from_rows(&[row(1, Some("SUP-A")), row(2, None)]);
        table.import_supplier[1] = Some(5);
        let e = table.check_shape().unwrap_err().to_string();
        assert!(
            e.contains("import_supplier") && e.contains("row 1") && e.contains("code 5"),
            "{e}"
        );

        let mut table = EstateTable::from_rows(&[row(1, None), row(2, None)]);
        table.smi_status.pop();
        let e = table.check_shape().unwrap_err().to_string();
        assert!(
            e.contains("smi_status") && e.contains("has 1 values for 2 hubs"),
            "{e}"
        );

        let mut table = EstateTable::from_rows(&[row(1, None), row(2, None)]);
        table.ihd = vec![None];
        let e = table.check_shape().unwrap_err().to_string();
        assert!(e.contains("ihd") && e.contains("optional column"), "{e}");

        let mut table = EstateTable::from_rows(&[row(1, None)]);
        table.firmware[0] = 9;
        let e = table.check_shape().unwrap_err().to_string();
        assert!(
            e.contains("firmware_versions dictionary has 1 entries"),
            "{e}"
        );

        let bad_bits = r#"{"variants":[],"firmware_versions":[],"id":[],"variant":[],"firmware":[],"smi_status":[],"installed_on":[],"gas_flags":[9]}"#;
        let e = serde_json::from_str::<EstateTable>(bad_bits)
            .unwrap_err()
            .to_string();
        assert!(e.contains("consumer flag bits 9"), "{e}");
    }
}
