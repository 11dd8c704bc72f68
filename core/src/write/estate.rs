//! The estate's commands: the DCC's inventory of hubs (bulk loads, installs, commissioning,
//! supplier and status changes, HAN device firmware, consumer flags, decommissioning).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::Rule;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, HubId};
use crate::kernel::limits;
use crate::model::estate::{
    check_dates, date_from_days, days_from_date, too_many_customers, ConsumerFlags, EstateTable,
    HanDeviceKind, HubRow, SmiStatus, SupplyRole, NO_CUSTOMER,
};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// DCC: load many hubs at once; every row is checked and nothing applied if any is bad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoadEstate {
    pub hubs: Vec<HubRow>,
}

impl Decide for LoadEstate {
    fn action(&self) -> String {
        let LoadEstate { hubs } = self;
        format!("load {} hubs into the estate", hubs.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let LoadEstate { hubs } = self;
        cx.dcc_only()?;
        Ok(vec![state.decide_load(EstateTable::from_rows(&hubs))?])
    }
}

/// DCC: the same load from dictionary-encoded columns (see [`EstateTable`]): the form to
/// use at national scale, where each string is checked once rather than once a hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoadEstateTable {
    pub table: EstateTable,
}

impl Decide for LoadEstateTable {
    fn action(&self) -> String {
        let LoadEstateTable { table } = self;
        format!("load {} hubs into the estate", table.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let LoadEstateTable { table } = self;
        cx.dcc_only()?;
        Ok(vec![state.decide_load(table)?])
    }
}

/// DCC: one hub installed (and, if its status says so, commissioned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InstallHub {
    pub hub: Box<HubRow>,
}

impl Decide for InstallHub {
    fn action(&self) -> String {
        let InstallHub { hub } = self;
        format!("install hub {}", hub.id)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let InstallHub { hub } = self;
        cx.dcc_only()?;
        let table = EstateTable::from_rows([hub.as_ref()]);
        if let Some((_, e)) = state
            .estate
            .check_table(&state.catalogue, &table)?
            .into_iter()
            .next()
        {
            return Err(e);
        }
        Ok(vec![EventPayload::HubInstalled(HubInstalled { hub })])
    }
}

/// DCC: the hub's CHF was commissioned on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CommissionHub {
    pub hub: HubId,
    pub on: NaiveDate,
}

impl Decide for CommissionHub {
    fn action(&self) -> String {
        let CommissionHub { hub, .. } = self;
        format!("commission hub {hub}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let CommissionHub { hub, on } = self;
        let actor = cx.actor;
        cx.dcc_only()?;
        let (_, rec) = state.hub_for(actor, hub)?;
        if !matches!(
            rec.smi,
            SmiStatus::Pending | SmiStatus::Whitelisted | SmiStatus::InstalledNotCommissioned
        ) {
            return Err(Error::precondition(
                Rule::HubState,
                format!(
                    "hub {hub} is {}; only a hub not yet commissioned can be commissioned",
                    rec.smi
                ),
            ));
        }
        let installed = date_from_days(rec.installed).unwrap_or(on);
        check_dates(hub, SmiStatus::Commissioned, installed, Some(on))?;
        Ok(vec![EventPayload::HubCommissioned(HubCommissioned {
            hub,
            on,
        })])
    }
}

/// DCC: the supplier of one supply role changed (or the role became vacant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeSupplier {
    pub hub: HubId,
    pub role: SupplyRole,
    pub supplier: Option<CustomerId>,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub flags: ConsumerFlags,
}

impl Decide for ChangeSupplier {
    fn action(&self) -> String {
        let ChangeSupplier { hub, role, .. } = self;
        format!("change the {} supplier of hub {hub}", role.as_str())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ChangeSupplier {
            hub,
            role,
            supplier,
            flags,
        } = self;
        let actor = cx.actor;
        cx.dcc_only()?;
        let (pos, rec) = state.hub_for(actor, hub)?;
        if rec.smi == SmiStatus::Decommissioned {
            return Err(Error::precondition(
                Rule::HubState,
                format!("hub {hub} is decommissioned"),
            ));
        }
        let devices = state.estate.devices_of(rec.config);
        match &supplier {
            Some(_) if devices.get(role.meter()).is_none() => {
                return Err(Error::precondition(
                    Rule::SupplyRole,
                    format!(
                        "hub {hub} has no {} for a {} supplier",
                        role.meter().as_str().to_uppercase(),
                        role.as_str()
                    ),
                ))
            }
            None if flags.any() => {
                return Err(Error::precondition(
                    Rule::SupplyRole,
                    format!(
                        "hub {hub}: {} flags given with no {} supplier",
                        role.as_str(),
                        role.as_str()
                    ),
                ))
            }
            _ => {}
        }
        let current = state.estate.customer(state.estate.hubs[pos].supplier(role));
        if current == supplier.as_ref() {
            return Err(Error::precondition(
                Rule::SupplyRole,
                match &supplier {
                    Some(c) => {
                        format!("{c} already holds the {} role on hub {hub}", role.as_str())
                    }
                    None => {
                        format!("the {} role on hub {hub} is already vacant", role.as_str())
                    }
                },
            ));
        }
        // A customer new to the estate takes one of its 65 535 customer indices.
        if supplier
            .as_ref()
            .is_some_and(|c| state.estate.customer_idx(c).is_none())
            && state.estate.customers.len() + 1 >= usize::from(NO_CUSTOMER)
        {
            return Err(too_many_customers());
        }
        Ok(vec![EventPayload::SupplierChanged(SupplierChanged {
            hub,
            role,
            supplier,
            flags,
        })])
    }
}

/// DCC: the SMI status of the hub's CHF changed (commissioning and decommissioning have
/// their own commands, with their dates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeSmiStatus {
    pub hub: HubId,
    pub status: SmiStatus,
}

impl Decide for ChangeSmiStatus {
    fn action(&self) -> String {
        let ChangeSmiStatus { hub, .. } = self;
        format!("change the SMI status of hub {hub}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ChangeSmiStatus { hub, status } = self;
        let actor = cx.actor;
        cx.dcc_only()?;
        let (_, rec) = state.hub_for(actor, hub)?;
        let refuse = |why: String| {
            Err(Error::precondition(
                Rule::HubState,
                format!("hub {hub}: {why}"),
            ))
        };
        if rec.smi == status {
            return refuse(format!("its SMI status is already {status}"));
        }
        if rec.smi == SmiStatus::Decommissioned {
            return refuse("a decommissioned hub's status is final".into());
        }
        match status {
            SmiStatus::Decommissioned => {
                return refuse(
                    "decommission it with decommission_hub, which records the date".into(),
                )
            }
            SmiStatus::Commissioned if date_from_days(rec.commissioned).is_none() => {
                return refuse(
                    "it was never commissioned: use commission_hub, which records the date".into(),
                )
            }
            SmiStatus::Pending | SmiStatus::Whitelisted | SmiStatus::InstalledNotCommissioned
                if date_from_days(rec.commissioned).is_some() =>
            {
                return refuse(format!(
                    "it was commissioned; it cannot go back to {status}"
                ))
            }
            _ => {}
        }
        Ok(vec![EventPayload::SmiStatusChanged(SmiStatusChanged {
            hub,
            from: rec.smi,
            to: status,
        })])
    }
}

/// DCC, or the supplier responsible for the device: a HAN device's firmware changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeHanDeviceFirmware {
    pub hub: HubId,
    pub device: HanDeviceKind,
    pub firmware: String,
}

impl Decide for ChangeHanDeviceFirmware {
    fn action(&self) -> String {
        let ChangeHanDeviceFirmware { hub, device, .. } = self;
        format!("change the {} firmware of hub {hub}", device.as_str())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text_within("firmware", &self.firmware, limits::MAX_ROW_TEXT_BYTES)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ChangeHanDeviceFirmware {
            hub,
            device,
            firmware,
        } = self;
        let (actor, action) = (cx.actor, &cx.action);
        if let Actor::Csp(_) = actor {
            return Err(Error::not_permitted(
                actor,
                action,
                "HAN device firmware is the DCC's inventory or the supplier's own",
            ));
        }
        let (_, rec) = state.hub_for(actor, hub)?;
        if let Some(c) = state.customer_of(actor) {
            let responsible = match device {
                HanDeviceKind::Esme => rec.import_supplier == c,
                HanDeviceKind::Gsme => rec.gas_supplier == c,
                _ => rec.is_supplied_by(c),
            };
            if !responsible {
                return Err(Error::not_permitted(
                    actor,
                    action,
                    format!(
                        "the {} is the other supply role's device",
                        device.as_str().to_uppercase()
                    ),
                ));
            }
        }
        if firmware.trim().is_empty() {
            return Err(Error::invalid_input("firmware", "must not be empty"));
        }
        let devices = state.estate.devices_of(rec.config);
        let current = devices.get(device).ok_or_else(|| {
            Error::precondition(
                Rule::HubState,
                format!("hub {hub} has no {}", device.as_str().to_uppercase()),
            )
        })?;
        if current.firmware == firmware {
            return Err(Error::precondition(
                Rule::HubState,
                format!(
                    "hub {hub}: the {} already runs {firmware}",
                    device.as_str().to_uppercase()
                ),
            ));
        }
        Ok(vec![EventPayload::HanDeviceFirmwareChanged(
            HanDeviceFirmwareChanged {
                hub,
                device,
                from: current.firmware.clone(),
                to: firmware,
            },
        )])
    }
}

/// The supplier of a role: its consumer flags on the hub (PSR, high risk, super-friendly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetConsumerFlags {
    pub hub: HubId,
    pub role: SupplyRole,
    pub flags: ConsumerFlags,
}

impl Decide for SetConsumerFlags {
    fn action(&self) -> String {
        let SetConsumerFlags { hub, role, .. } = self;
        format!("set the {} consumer flags of hub {hub}", role.as_str())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let SetConsumerFlags { hub, role, flags } = self;
        let (actor, action) = (cx.actor, &cx.action);
        if !matches!(actor, Actor::Customer(_)) {
            return Err(Error::not_permitted(
                actor,
                action,
                "consumer flags are the supplier's own record",
            ));
        }
        let (_, rec) = state.hub_for(actor, hub)?;
        let me = state.customer_of(actor).unwrap_or(NO_CUSTOMER);
        if rec.supplier(role) != me {
            return Err(Error::not_permitted(
                actor,
                action,
                format!("it does not hold the {} role on hub {hub}", role.as_str()),
            ));
        }
        if rec.flags(role) == flags {
            return Err(Error::precondition(
                Rule::HubState,
                format!("hub {hub}: the {} flags are already so", role.as_str()),
            ));
        }
        Ok(vec![EventPayload::ConsumerFlagsSet(ConsumerFlagsSet {
            hub,
            role,
            flags,
        })])
    }
}

/// DCC: the hub was decommissioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DecommissionHub {
    pub hub: HubId,
    pub on: NaiveDate,
}

impl Decide for DecommissionHub {
    fn action(&self) -> String {
        let DecommissionHub { hub, .. } = self;
        format!("decommission hub {hub}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let DecommissionHub { hub, on } = self;
        let actor = cx.actor;
        cx.dcc_only()?;
        let (_, rec) = state.hub_for(actor, hub)?;
        if rec.smi == SmiStatus::Decommissioned {
            return Err(Error::precondition(
                Rule::HubState,
                format!("hub {hub} is already decommissioned"),
            ));
        }
        let latest = date_from_days(rec.commissioned).or(date_from_days(rec.installed));
        if let Some(d) = latest.filter(|d| on < *d) {
            return Err(Error::invalid_input(
                "on",
                format!("hub {hub}: decommissioned on {on}, before it was installed or commissioned ({d})"),
            ));
        }
        Ok(vec![EventPayload::HubDecommissioned(HubDecommissioned {
            hub,
            on,
        })])
    }
}

// --- events ---

/// A bulk load, as columns (each string once) whichever form the command took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EstateLoaded {
    pub table: EstateTable,
}

impl Evolve for EstateLoaded {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let EstateLoaded { table } = self;
        state.apply_load(table, event.at, verify)?;
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HubInstalled {
    pub hub: Box<HubRow>,
}

impl Evolve for HubInstalled {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let HubInstalled { hub } = self;
        state.apply_load(&EstateTable::from_rows([hub.as_ref()]), event.at, verify)?;
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HubCommissioned {
    pub hub: HubId,
    pub on: NaiveDate,
}

impl Evolve for HubCommissioned {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let HubCommissioned { hub, on } = self;
        let pos = state.position(*hub)?;
        let rec = &mut state.estate.hubs[pos];
        rec.smi = SmiStatus::Commissioned;
        rec.commissioned = days_from_date(*on);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplierChanged {
    pub hub: HubId,
    pub role: SupplyRole,
    pub supplier: Option<CustomerId>,
    pub flags: ConsumerFlags,
}

impl Evolve for SupplierChanged {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let SupplierChanged {
            hub,
            role,
            supplier,
            flags,
        } = self;
        let pos = state.position(*hub)?;
        let idx = state.estate.intern_customer(supplier.as_ref())?;
        let before = state.estate.hubs[pos];
        let old = before.supplier(*role);
        let rec = &mut state.estate.hubs[pos];
        match role {
            SupplyRole::Import => {
                rec.import_supplier = idx;
                rec.import_flags = flags.to_bits();
            }
            SupplyRole::Gas => {
                rec.gas_supplier = idx;
                rec.gas_flags = flags.to_bits();
            }
        }
        state.estate.supplier_changed(pos, &before);
        // It moves the hub in the DPL today: no firmware reading from before moves it back.
        state.firmware_known.changed(pos as u32, event.at);
        // A change of supplier voids the old supplier's say on this hub (invariant 7).
        if old != NO_CUSTOMER && !state.estate.hubs[pos].is_supplied_by(old) {
            for c in state.campaigns.values_mut() {
                c.consents.forget(old, pos as u32);
            }
            state.rules.forget(old, pos as u32);
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SmiStatusChanged {
    pub hub: HubId,
    pub from: SmiStatus,
    pub to: SmiStatus,
}

impl Evolve for SmiStatusChanged {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let SmiStatusChanged { hub, to, .. } = self;
        let pos = state.position(*hub)?;
        state.estate.hubs[pos].smi = *to;
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HanDeviceFirmwareChanged {
    pub hub: HubId,
    pub device: HanDeviceKind,
    pub from: String,
    pub to: String,
}

impl Evolve for HanDeviceFirmwareChanged {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::supplier_of(state, actor, self.hub, None, true)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let HanDeviceFirmwareChanged {
            hub, device, to, ..
        } = self;
        let pos = state.position(*hub)?;
        let rec = state.estate.hubs[pos];
        let mut devices = state.estate.devices_of(rec.config);
        let mut changed = devices.get(*device).cloned().ok_or_else(|| {
            Error::precondition(
                Rule::HubState,
                format!("hub {hub} has no {}", device.as_str()),
            )
        })?;
        changed.firmware = to.clone();
        devices.set(*device, Some(changed));
        state.estate.reconfigure(pos, rec.firmware, &devices)?;
        // Its configuration set moved today: no firmware reading from before moves it back.
        state.firmware_known.changed(pos as u32, event.at);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsumerFlagsSet {
    pub hub: HubId,
    pub role: SupplyRole,
    pub flags: ConsumerFlags,
}

impl Evolve for ConsumerFlagsSet {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        authority::supplier_of(state, actor, self.hub, Some(self.role), false)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let ConsumerFlagsSet { hub, role, flags } = self;
        let pos = state.position(*hub)?;
        let rec = &mut state.estate.hubs[pos];
        match role {
            SupplyRole::Import => rec.import_flags = flags.to_bits(),
            SupplyRole::Gas => rec.gas_flags = flags.to_bits(),
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HubDecommissioned {
    pub hub: HubId,
    pub on: NaiveDate,
}

impl Evolve for HubDecommissioned {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::dcc(actor)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let HubDecommissioned { hub, .. } = self;
        let pos = state.position(*hub)?;
        state.estate.hubs[pos].smi = SmiStatus::Decommissioned;
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::Region;
    use crate::write::spec::{catalogue, day, estate, given, sup};

    /// Hub 3's electricity (SUP-B's, the hub's only supplier) to SUP-C.
    fn to_sup_c() -> ChangeSupplier {
        ChangeSupplier {
            hub: HubId::from_u64(3),
            role: SupplyRole::Import,
            supplier: Some("SUP-C".parse().unwrap()),
            flags: ConsumerFlags::default(),
        }
    }

    #[test]
    fn a_change_of_supplier_moves_the_hub_to_the_new_supplier_only() {
        let sees = |who: &'static str| {
            move |e: &crate::engine::Engine| e.state().hub(&sup(who), HubId::from_u64(3)).is_ok()
        };
        given(&[catalogue(), estate()])
            .when(&Actor::Dcc, day(1), to_sup_c())
            .then(vec![SupplierChanged {
                hub: HubId::from_u64(3),
                role: SupplyRole::Import,
                supplier: Some("SUP-C".parse().unwrap()),
                flags: ConsumerFlags::default(),
            }
            .into()])
            .then_view(sees("SUP-C"), true)
            .then_view(sees("SUP-B"), false);
    }

    #[test]
    fn a_change_of_supplier_is_the_dccs_of_a_known_live_hub_and_a_real_change() {
        given(&[catalogue(), estate()])
            .when(&sup("SUP-A"), day(1), to_sup_c())
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate()])
            .when(&Actor::Csp(Region::North), day(1), to_sup_c())
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate()])
            .when(
                &Actor::Dcc,
                day(1),
                ChangeSupplier {
                    hub: HubId::from_u64(9),
                    ..to_sup_c()
                },
            )
            .then_error(ErrorKind::NotFound, None);
        given(&[catalogue(), estate()])
            .when(
                &Actor::Dcc,
                day(1),
                ChangeSupplier {
                    supplier: Some("SUP-B".parse().unwrap()),
                    ..to_sup_c()
                },
            )
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::SupplyRole));
        // Hub 3 has no GSME: no gas supplier can take it.
        given(&[catalogue(), estate()])
            .when(
                &Actor::Dcc,
                day(1),
                ChangeSupplier {
                    role: SupplyRole::Gas,
                    ..to_sup_c()
                },
            )
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::SupplyRole));
    }
}
