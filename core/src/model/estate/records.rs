//! The estate's dense records: `HubRecord` (32 bytes a hub), the interned tables they index
//! and the `Estate` that holds them with the id index and each customer's hub positions.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use super::customers::CustomerHubs;
use super::index::HubIndex;
use super::row::{ConsumerFlags, HanDevice, HanDeviceKind, HanDevices, SmiStatus, SupplyRole};
use super::table::{cell, too_many_customers, EstateTable};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::{CustomerId, HubId};
use crate::kernel::intern::{FxHashMap, Interner};
use crate::kernel::par;
use crate::model::catalogue::{Catalogue, FirmwareIdx, VariantIdx};

pub(crate) use crate::kernel::ids::CustomerIdx;
/// No customer holds the role.
pub(crate) const NO_CUSTOMER: CustomerIdx = CustomerIdx::new(u16::MAX);
pub(crate) const NO_DATE: i32 = i32::MIN;
pub(crate) const NO_DEVICE: u32 = u32::MAX;

/// The dense form of a hub: 32 bytes. Strings live once in the interners; a hub holds indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// The positions a view walks: every hub (the DCC's industry views), or one customer's,
/// through its listed positions or by a scan.
pub(crate) enum Scope<'a> {
    All(std::ops::Range<usize>),
    Listed(Box<dyn Iterator<Item = usize> + 'a>),
    Scan {
        range: std::ops::Range<usize>,
        customer: CustomerIdx,
        hubs: &'a [HubRecord],
    },
}

impl Iterator for Scope<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        match self {
            Scope::All(all) => all.next(),
            Scope::Listed(listed) => listed.next(),
            Scope::Scan {
                range,
                customer,
                hubs,
            } => range.find(|&p| hubs[p].is_supplied_by(*customer)),
        }
    }
}

/// A customer's listed positions are walked when it supplies under one hub in this many;
/// otherwise the estate is scanned. Each listed hub is a cache miss (about 100 ns here) where a
/// scan streams the records (about 1.3 ns a hub): at ten million hubs, configuration sets for a
/// supplier of 224 446 hubs took 22 ms listed against 13 ms scanned (`cargo bench --bench
/// columnar`, docs/benchmarks.md).
const LISTED_BELOW_ONE_IN: usize = 64;

/// A configuration set, interned: the CH variant and firmware and each HAN device profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    pub index: HubIndex,
    /// Derived from `hubs`: kept by `insert_table` and `supplier_changed`, rebuilt on restore.
    pub customer_hubs: CustomerHubs,
    pub customers: Interner<CustomerId>,
    pub devices: Interner<DeviceProfile>,
    pub configs: Interner<ConfigSet>,
    /// The Deployed Products List's counters this event moved (`State::dpl` keeps them).
    pub dpl_moves: crate::model::dpl::DplMoves,
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
        self.index.get(id).map(|i| i as usize)
    }

    /// The positions of the hubs `customer` supplies, from position `from` on, in estate
    /// order: O(its hubs) for a small supplier, a scan for a large one.
    pub fn hubs_of(&self, customer: CustomerIdx, from: usize) -> Scope<'_> {
        self.scope_in(Some(customer), from..self.hubs.len())
    }

    /// Whether each customer's listed positions are exactly those of the hubs it supplies (a
    /// check for the tests: the lists are derived, and kept by hand).
    pub fn customer_hubs_agree(&self) -> Result<(), String> {
        for c in 0..self.customers.len() {
            let c = CustomerIdx::new(c as u16);
            let all = 0..self.hubs.len();
            let listed: Vec<usize> = self
                .customer_hubs
                .positions(&self.hubs, c, all.clone())
                .collect();
            let scanned: Vec<usize> = all.filter(|&p| self.hubs[p].is_supplied_by(c)).collect();
            if listed != scanned {
                return Err(format!(
                    "customer {}: listed {listed:?}, supplies {scanned:?}",
                    self.customers.resolve(u32::from(c))
                ));
            }
        }
        Ok(())
    }

    /// The positions of `customer`'s hubs (every hub for `None`), in estate order.
    pub fn scope(&self, customer: Option<CustomerIdx>) -> Scope<'_> {
        self.scope_in(customer, 0..self.hubs.len())
    }

    /// The same within positions `range`: a parallel scan's share.
    pub fn scope_in(
        &self,
        customer: Option<CustomerIdx>,
        range: std::ops::Range<usize>,
    ) -> Scope<'_> {
        match customer {
            None => Scope::All(range),
            Some(c) if self.customer_hubs.listed(c) * LISTED_BELOW_ONE_IN < self.hubs.len() => {
                Scope::Listed(Box::new(self.customer_hubs.positions(&self.hubs, c, range)))
            }
            Some(customer) => Scope::Scan {
                range,
                customer,
                hubs: &self.hubs,
            },
        }
    }

    /// Hub `pos`'s record was `before` until a change of supplier: keeps `customer_hubs`.
    pub fn supplier_changed(&mut self, pos: usize, before: &HubRecord) {
        self.customer_hubs.changed(&self.hubs, pos, before);
        self.dpl_moves.changed(before, &self.hubs[pos]);
    }

    pub fn customer_idx(&self, id: &CustomerId) -> Option<CustomerIdx> {
        self.customers.get(id).map(|i| CustomerIdx::new(i as u16))
    }

    pub fn customer(&self, idx: CustomerIdx) -> Option<&CustomerId> {
        (idx != NO_CUSTOMER).then(|| self.customers.resolve(u32::from(idx)))
    }

    /// Every hub of `table` that cannot be loaded, in row order, each with the error that
    /// installing it alone would give. Refused as a whole (the outer error): a malformed or
    /// empty table, or one that would overflow the estate's tables.
    pub fn check_table(
        &self,
        catalogue: &Catalogue,
        table: &EstateTable,
    ) -> Result<Vec<(usize, Error)>, Error> {
        let plan = LoadPlan::new(self, catalogue, table)?;
        let dups = self.index.duplicates(&table.id);
        let devices_ok: Vec<bool> = table
            .devices
            .iter()
            .map(|d| !d.model.trim().is_empty() && !d.firmware.trim().is_empty())
            .collect();
        let check = |row: usize| -> Result<(), Error> {
            plan.firmware(table, row)?;
            let id = table.id[row];
            if dups.binary_search(&row).is_ok() {
                return Err(Error::already_exists(Entity::Hub, id));
            }
            for kind in HanDeviceKind::ALL {
                if cell(table.device_column(kind), row).is_some_and(|d| !devices_ok[d as usize]) {
                    return Err(Error::invalid_input(
                        format!("devices.{}", kind.as_str()),
                        "model and firmware must not be empty",
                    ));
                }
            }
            for role in SupplyRole::ALL {
                let supplied = cell(table.supplier_column(role), row).is_some();
                let metered = cell(table.device_column(role.meter()), row).is_some();
                if supplied && !metered {
                    return Err(Error::precondition(
                        Rule::SupplyRole,
                        format!(
                            "hub {id}: {}",
                            match role {
                                SupplyRole::Import => "an import supplier needs an ESME",
                                SupplyRole::Gas => "a gas supplier needs a GSME",
                            }
                        ),
                    ));
                }
                if !supplied && cell(table.flags_column(role), row).any() {
                    return Err(Error::precondition(
                        Rule::SupplyRole,
                        format!(
                            "hub {id}: {0} flags set with no {0} supplier",
                            role.as_str()
                        ),
                    ));
                }
            }
            check_dates(
                id,
                table.smi_status[row],
                table.installed_on[row],
                cell(&table.commissioned_on, row),
            )
        };
        Ok(par::scan(table.len(), |rows| {
            rows.filter_map(|row| check(row).err().map(|e| (row, e)))
                .collect()
        }))
    }

    /// Adds every hub of a table that [`Estate::check_table`] found no fault with. Everything
    /// that can fail is resolved before the first change, so a refusal changes nothing.
    pub fn insert_table(
        &mut self,
        catalogue: &Catalogue,
        table: &EstateTable,
    ) -> Result<(), Error> {
        let plan = LoadPlan::new(self, catalogue, table)?;
        let mut resolved = Vec::with_capacity(table.len());
        for row in 0..table.len() {
            resolved.push(plan.firmware(table, row)?);
        }
        let first = u32::try_from(self.hubs.len())
            .map_err(|_| Error::precondition(Rule::Capacity, "more than 4 billion hubs"))?;
        // From here on nothing fails: `LoadPlan::new` checked every table's capacity.
        let customers = used(
            table.customers.len(),
            SupplyRole::ALL.map(|r| table.supplier_column(r)),
        );
        let customers: Vec<CustomerIdx> = table
            .customers
            .iter()
            .zip(customers)
            .map(|(c, used)| {
                if used {
                    self.intern_customer(Some(c))
                } else {
                    Ok(NO_CUSTOMER)
                }
            })
            .collect::<Result<_, _>>()?;
        let devices = used(
            table.devices.len(),
            HanDeviceKind::ALL.map(|k| table.device_column(k)),
        );
        let full = || {
            Error::precondition(
                Rule::Capacity,
                "too many distinct HAN devices or configuration sets",
            )
        };
        let devices: Vec<u32> = table
            .devices
            .iter()
            .zip(devices)
            .map(|(d, used)| {
                if used {
                    self.devices.intern(d, NO_DEVICE).ok_or_else(full)
                } else {
                    Ok(NO_DEVICE)
                }
            })
            .collect::<Result<_, _>>()?;
        let supplier = |column: &[Option<u32>], row: usize| {
            cell(column, row).map_or(NO_CUSTOMER, |c| customers[c as usize])
        };
        self.hubs.reserve(table.len());
        for (row, (variant, firmware)) in resolved.into_iter().enumerate() {
            let mut slots = [NO_DEVICE; 5];
            for (slot, kind) in slots.iter_mut().zip(HanDeviceKind::ALL) {
                if let Some(d) = cell(table.device_column(kind), row) {
                    *slot = devices[d as usize];
                }
            }
            let set = ConfigSet {
                variant,
                firmware,
                devices: slots,
            };
            let config = self.configs.intern(&set, u32::MAX).ok_or_else(full)?;
            self.hubs.push(HubRecord {
                id: table.id[row],
                config,
                variant,
                firmware,
                import_supplier: supplier(&table.import_supplier, row),
                gas_supplier: supplier(&table.gas_supplier, row),
                installed: days_from_date(table.installed_on[row]),
                commissioned: cell(&table.commissioned_on, row).map_or(NO_DATE, days_from_date),
                smi: table.smi_status[row],
                import_flags: cell(&table.import_flags, row).to_bits(),
                gas_flags: cell(&table.gas_flags, row).to_bits(),
            });
        }
        self.index.extend(&table.id, first);
        self.customer_hubs.extend(&self.hubs, first as usize);
        self.dpl_moves.count_all(&self.hubs[first as usize..]);
        Ok(())
    }

    pub fn intern_customer(&mut self, id: Option<&CustomerId>) -> Result<CustomerIdx, Error> {
        match id {
            None => Ok(NO_CUSTOMER),
            Some(c) => self
                .customers
                .intern(c, u32::from(NO_CUSTOMER))
                .map(|i| CustomerIdx::new(i as u16))
                .ok_or_else(too_many_customers),
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
        let before = self.hubs[position];
        let hub = &mut self.hubs[position];
        hub.firmware = firmware;
        hub.config = config;
        self.dpl_moves.changed(&before, &self.hubs[position]);
        Ok(())
    }
}

/// Which entries of a dictionary of `size` the `columns` refer to.
fn used<const N: usize>(size: usize, columns: [&[Option<u32>]; N]) -> Vec<bool> {
    let mut used = vec![false; size];
    for column in columns {
        for code in column.iter().flatten() {
            used[*code as usize] = true;
        }
    }
    used
}

/// What a table's dictionaries resolve to in this estate's catalogue, worked out once per
/// entry (not once per hub), and the table-wide checks: shape, size and capacity.
struct LoadPlan {
    variants: Vec<Option<VariantIdx>>,
    firmware: FirmwarePairs,
}

/// The catalogue's firmware index of each (variant code, firmware code) pair: a dense grid
/// when the dictionaries are small (they are: a few variants and versions), else a map of
/// the pairs the hubs use.
enum FirmwarePairs {
    Grid {
        width: usize,
        cells: Vec<Option<FirmwareIdx>>,
    },
    Map(FxHashMap<(u32, u32), Option<FirmwareIdx>>),
}

impl LoadPlan {
    fn new(estate: &Estate, catalogue: &Catalogue, table: &EstateTable) -> Result<Self, Error> {
        table.check_shape()?;
        if table.is_empty() {
            return Err(Error::invalid_input(
                "hubs",
                "an estate load needs at least one hub",
            ));
        }
        if estate.hubs.len().saturating_add(table.len()) >= u32::MAX as usize {
            return Err(Error::precondition(
                Rule::Capacity,
                "more than 4 billion hubs",
            ));
        }
        let customers = used(
            table.customers.len(),
            SupplyRole::ALL.map(|r| table.supplier_column(r)),
        );
        let new: HashSet<&CustomerId> = table
            .customers
            .iter()
            .zip(customers)
            .filter(|(c, used)| *used && estate.customer_idx(c).is_none())
            .map(|(c, _)| c)
            .collect();
        if estate.customers.len() + new.len() >= usize::from(NO_CUSTOMER) {
            return Err(too_many_customers());
        }
        let variants: Vec<Option<VariantIdx>> = table
            .variants
            .iter()
            .map(|v| catalogue.variant_idx(v))
            .collect();
        let resolve = |v: u32, f: u32| {
            variants[v as usize]
                .and_then(|v| catalogue.firmware_idx(v, &table.firmware_versions[f as usize]))
        };
        let (v, f) = (table.variants.len(), table.firmware_versions.len());
        let firmware = if v.saturating_mul(f) <= 1 << 16 {
            let cells = (0..v as u32)
                .flat_map(|v| (0..f as u32).map(move |f| (v, f)))
                .map(|(v, f)| resolve(v, f))
                .collect();
            FirmwarePairs::Grid { width: f, cells }
        } else {
            let mut map = FxHashMap::default();
            for (v, f) in table.variant.iter().zip(&table.firmware) {
                map.entry((*v, *f)).or_insert_with(|| resolve(*v, *f));
            }
            FirmwarePairs::Map(map)
        };
        Ok(LoadPlan { variants, firmware })
    }

    /// Hub `row`'s variant and firmware as catalogue indices, or which of them is unknown.
    fn firmware(
        &self,
        table: &EstateTable,
        row: usize,
    ) -> Result<(VariantIdx, FirmwareIdx), Error> {
        let (v, f) = (table.variant[row], table.firmware[row]);
        let variant = self.variants[v as usize]
            .ok_or_else(|| Error::not_found(Entity::Variant, &table.variants[v as usize]))?;
        let firmware = match &self.firmware {
            FirmwarePairs::Grid { width, cells } => cells[v as usize * width + f as usize],
            FirmwarePairs::Map(map) => map.get(&(v, f)).copied().flatten(),
        };
        firmware.map(|f| (variant, f)).ok_or_else(|| {
            Error::not_found(
                Entity::Firmware,
                format!(
                    "{}@{}",
                    table.variants[v as usize], table.firmware_versions[f as usize]
                ),
            )
        })
    }
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
