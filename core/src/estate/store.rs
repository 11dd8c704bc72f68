use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use super::row::{
    ConsumerFlags, HanDevice, HanDeviceKind, HanDevices, HubRow, SmiStatus, SupplyRole,
};
use crate::catalogue::{Catalogue, FirmwareIdx, VariantIdx};
use crate::error::{Entity, Rule};
use crate::ids::{CustomerId, HubId};
use crate::intern::{FxBuild, FxHashMap, Interner};
use crate::Error;

pub(crate) type CustomerIdx = u16;
pub(crate) const NO_CUSTOMER: CustomerIdx = u16::MAX;
pub(crate) const NO_DATE: i32 = i32::MIN;
pub(crate) const NO_DEVICE: u32 = u32::MAX;

/// The dense form of a hub: 32 bytes. Strings live once in the interners; a hub holds indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HubRecord {
    pub id: HubId,
    /// Index into `Estate::configs`.
    pub config: u32,
    pub variant: VariantIdx,
    pub firmware: FirmwareIdx,
    pub import_supplier: CustomerIdx,
    pub gas_supplier: CustomerIdx,
    /// Days from the common era (chrono's `num_days_from_ce`).
    pub installed: i32,
    pub commissioned: i32,
    pub smi: SmiStatus,
    pub import_flags: u8,
    pub gas_flags: u8,
}

// The national estate is 10 million hubs: keep the record within half a cache line.
const _: () = assert!(std::mem::size_of::<HubRecord>() == 32);

impl HubRecord {
    pub fn supplier(&self, role: SupplyRole) -> CustomerIdx {
        match role {
            SupplyRole::Import => self.import_supplier,
            SupplyRole::Gas => self.gas_supplier,
        }
    }

    pub fn flags(&self, role: SupplyRole) -> ConsumerFlags {
        ConsumerFlags::from_bits(match role {
            SupplyRole::Import => self.import_flags,
            SupplyRole::Gas => self.gas_flags,
        })
    }

    pub fn is_supplied_by(&self, customer: CustomerIdx) -> bool {
        customer != NO_CUSTOMER
            && (self.import_supplier == customer || self.gas_supplier == customer)
    }

    /// Electricity and gas supplied by two different customers.
    pub fn is_split_supply(&self) -> bool {
        self.import_supplier != NO_CUSTOMER
            && self.gas_supplier != NO_CUSTOMER
            && self.import_supplier != self.gas_supplier
    }
}

/// A configuration set, interned: the CH variant and firmware and each HAN device profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConfigSet {
    pub variant: VariantIdx,
    pub firmware: FirmwareIdx,
    /// Index into `Estate::devices` per `HanDeviceKind`, or `NO_DEVICE`.
    pub devices: [u32; 5],
}

pub(crate) type DeviceProfile = HanDevice;

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Estate {
    pub hubs: Vec<HubRecord>,
    pub index: FxHashMap<HubId, u32>,
    pub customers: Interner<CustomerId>,
    pub devices: Interner<DeviceProfile>,
    pub configs: Interner<ConfigSet>,
}

pub(crate) fn days_from_date(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

pub(crate) fn date_from_days(days: i32) -> Option<NaiveDate> {
    if days == NO_DATE {
        None
    } else {
        NaiveDate::from_num_days_from_ce_opt(days)
    }
}

impl Estate {
    pub fn position(&self, id: HubId) -> Option<usize> {
        self.index.get(&id).map(|&i| i as usize)
    }

    pub fn customer_idx(&self, id: &CustomerId) -> Option<CustomerIdx> {
        self.customers.get(id).map(|i| i as CustomerIdx)
    }

    pub fn customer(&self, idx: CustomerIdx) -> Option<&CustomerId> {
        (idx != NO_CUSTOMER).then(|| self.customers.resolve(u32::from(idx)))
    }

    /// Checks one row against the catalogue and the estate without changing anything.
    /// `batch` holds the ids seen earlier in the same load.
    pub fn check_row(
        &self,
        catalogue: &Catalogue,
        row: &HubRow,
        batch: &mut HashSet<HubId, FxBuild>,
    ) -> Result<(), Error> {
        resolve_catalogue(catalogue, row)?;
        if self.index.contains_key(&row.id) || !batch.insert(row.id) {
            return Err(Error::already_exists(Entity::Hub, row.id));
        }
        for kind in HanDeviceKind::ALL {
            if let Some(d) = row.devices.get(kind) {
                if d.model.trim().is_empty() || d.firmware.trim().is_empty() {
                    return Err(Error::invalid_input(
                        format!("devices.{}", kind.as_str()),
                        "model and firmware must not be empty",
                    ));
                }
            }
        }
        for (role, supplier, flags) in [
            (SupplyRole::Import, &row.import_supplier, row.import_flags),
            (SupplyRole::Gas, &row.gas_supplier, row.gas_flags),
        ] {
            if supplier.is_some() && row.devices.get(role.meter()).is_none() {
                return Err(Error::precondition(
                    Rule::SupplyRole,
                    format!(
                        "hub {}: a {} supplier needs an {}",
                        row.id,
                        role.as_str(),
                        role.meter().as_str().to_uppercase()
                    ),
                ));
            }
            if supplier.is_none() && flags.any() {
                return Err(Error::precondition(
                    Rule::SupplyRole,
                    format!(
                        "hub {}: {} flags set with no {} supplier",
                        row.id,
                        role.as_str(),
                        role.as_str()
                    ),
                ));
            }
        }
        check_dates(
            row.id,
            row.smi_status,
            row.installed_on,
            row.commissioned_on,
        )?;
        Ok(())
    }

    /// Adds a row that `check_row` accepted. Fails only when an interned table is full, and
    /// then before touching the hub list.
    pub fn insert(&mut self, catalogue: &Catalogue, row: &HubRow) -> Result<(), Error> {
        let (variant, firmware) = resolve_catalogue(catalogue, row)?;
        let import_supplier = self.intern_customer(row.import_supplier.as_ref())?;
        let gas_supplier = self.intern_customer(row.gas_supplier.as_ref())?;
        let config = self.intern_config(variant, firmware, &row.devices)?;
        let position = u32::try_from(self.hubs.len())
            .map_err(|_| Error::precondition(Rule::Capacity, "more than 4 billion hubs"))?;
        self.hubs.push(HubRecord {
            id: row.id,
            config,
            variant,
            firmware,
            import_supplier,
            gas_supplier,
            installed: days_from_date(row.installed_on),
            commissioned: row.commissioned_on.map(days_from_date).unwrap_or(NO_DATE),
            smi: row.smi_status,
            import_flags: row.import_flags.to_bits(),
            gas_flags: row.gas_flags.to_bits(),
        });
        self.index.insert(row.id, position);
        Ok(())
    }

    pub fn intern_customer(&mut self, id: Option<&CustomerId>) -> Result<CustomerIdx, Error> {
        match id {
            None => Ok(NO_CUSTOMER),
            Some(c) => self
                .customers
                .intern(c, u32::from(NO_CUSTOMER))
                .map(|i| i as CustomerIdx)
                .ok_or_else(|| Error::precondition(Rule::Capacity, "more than 65 535 customers")),
        }
    }

    pub fn intern_config(
        &mut self,
        variant: VariantIdx,
        firmware: FirmwareIdx,
        devices: &HanDevices,
    ) -> Result<u32, Error> {
        let full = || {
            Error::precondition(
                Rule::Capacity,
                "too many distinct HAN devices or configuration sets",
            )
        };
        let mut slots = [NO_DEVICE; 5];
        for (slot, kind) in slots.iter_mut().zip(HanDeviceKind::ALL) {
            if let Some(d) = devices.get(kind) {
                *slot = self.devices.intern(d, NO_DEVICE).ok_or_else(full)?;
            }
        }
        let set = ConfigSet {
            variant,
            firmware,
            devices: slots,
        };
        self.configs.intern(&set, u32::MAX).ok_or_else(full)
    }

    pub fn devices_of(&self, config: u32) -> HanDevices {
        let set = self.configs.resolve(config);
        let mut out = HanDevices::default();
        for (slot, kind) in set.devices.iter().zip(HanDeviceKind::ALL) {
            if *slot != NO_DEVICE {
                out.set(kind, Some(self.devices.resolve(*slot).clone()));
            }
        }
        out
    }

    /// Re-derives a hub's configuration set after its firmware or a HAN device changed.
    pub fn reconfigure(
        &mut self,
        position: usize,
        firmware: FirmwareIdx,
        devices: &HanDevices,
    ) -> Result<(), Error> {
        let variant = self.hubs[position].variant;
        let config = self.intern_config(variant, firmware, devices)?;
        let hub = &mut self.hubs[position];
        hub.firmware = firmware;
        hub.config = config;
        Ok(())
    }
}

/// The row's variant and firmware as catalogue indices, or which of them is unknown.
fn resolve_catalogue(
    catalogue: &Catalogue,
    row: &HubRow,
) -> Result<(VariantIdx, FirmwareIdx), Error> {
    let variant = catalogue
        .variant_idx(&row.variant)
        .ok_or_else(|| Error::not_found(Entity::Variant, &row.variant))?;
    let firmware = catalogue
        .firmware_idx(variant, &row.firmware)
        .ok_or_else(|| {
            Error::not_found(
                Entity::Firmware,
                format!("{}@{}", row.variant, row.firmware),
            )
        })?;
    Ok((variant, firmware))
}

/// Dates must agree with the SMI status: a commissioned hub has a commissioning date no
/// earlier than its installation; a hub not yet commissioned has none.
pub(crate) fn check_dates(
    id: HubId,
    smi: SmiStatus,
    installed: NaiveDate,
    commissioned: Option<NaiveDate>,
) -> Result<(), Error> {
    let pre_commissioning = matches!(
        smi,
        SmiStatus::Pending | SmiStatus::Whitelisted | SmiStatus::InstalledNotCommissioned
    );
    match commissioned {
        Some(c) if c < installed => Err(Error::invalid_input(
            "commissioned_on",
            format!("hub {id}: commissioned on {c}, before it was installed on {installed}"),
        )),
        Some(c) if pre_commissioning => Err(Error::invalid_input(
            "commissioned_on",
            format!("hub {id}: commissioned on {c} but its SMI status is {smi}"),
        )),
        None if smi == SmiStatus::Commissioned => Err(Error::invalid_input(
            "commissioned_on",
            format!("hub {id}: SMI status is commissioned but no commissioning date is given"),
        )),
        _ => Ok(()),
    }
}
