//! The binding's records and enums, and their conversions to and from the core's types: the
//! one place where Kotlin-facing shapes meet the core. Times are `SystemTime` (Kotlin:
//! `java.time.Instant`); dates are ISO `YYYY-MM-DD` strings; counts are signed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use commshub_ota as core;
use commshub_ota::query;

use crate::error::{invalid_input, CommsHubOtaError};

macro_rules! mirror_enum {
    ($name:ident, $core:path, [$($v:ident),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
        pub enum $name { $($v),+ }
        impl From<$name> for $core {
            fn from(v: $name) -> Self { match v { $($name::$v => <$core>::$v),+ } }
        }
        impl From<$core> for $name {
            fn from(v: $core) -> Self { match v { $(<$core>::$v => $name::$v),+ } }
        }
    };
}

mirror_enum!(Region, core::Region, [North, Central, South]);
mirror_enum!(
    Phase,
    core::Phase,
    [Draft, Pilot, MassRollout, Completed, Suspended, Cancelled]
);
mirror_enum!(
    SmiStatus,
    core::SmiStatus,
    [
        Pending,
        Whitelisted,
        InstalledNotCommissioned,
        Commissioned,
        Decommissioned,
        Withdrawn,
        Suspended,
        Recovery,
        Recovered
    ]
);
mirror_enum!(HanBand, core::catalogue::HanBand, [SingleBand, DualBand]);
mirror_enum!(
    Gate,
    core::catalogue::Gate,
    [
        CspApproved,
        DccTestApproved,
        CustomerTested,
        ProductionProvingVerified,
        OperationalApproval,
        ProductionCpl
    ]
);
mirror_enum!(SupplyRole, core::SupplyRole, [Import, Gas]);
mirror_enum!(
    HanDeviceKind,
    core::HanDeviceKind,
    [Esme, Gsme, Ppmid, Hcalcs, Ihd]
);

pub fn instant(at: SystemTime) -> Result<DateTime<Utc>, CommsHubOtaError> {
    let out_of_range = || invalid_input("at", "time is outside the supported range");
    let (secs, nanos) = match at.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).map_err(|_| out_of_range())?,
            d.subsec_nanos(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = -i64::try_from(d.as_secs()).map_err(|_| out_of_range())?;
            if d.subsec_nanos() == 0 {
                (secs, 0)
            } else {
                (secs - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    };
    DateTime::from_timestamp(secs, nanos).ok_or_else(out_of_range)
}

pub fn system_time(at: DateTime<Utc>) -> SystemTime {
    let nanos = at.timestamp_subsec_nanos();
    match u64::try_from(at.timestamp()) {
        Ok(secs) => UNIX_EPOCH + Duration::new(secs, nanos),
        Err(_) => {
            UNIX_EPOCH - Duration::from_secs(at.timestamp().unsigned_abs())
                + Duration::from_nanos(u64::from(nanos))
        }
    }
}

pub fn date(field: &str, text: &str) -> Result<NaiveDate, CommsHubOtaError> {
    text.parse()
        .map_err(|_| invalid_input(field, format!("{text:?} is not an ISO date (YYYY-MM-DD)")))
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Variant {
    pub id: String,
    pub manufacturer: String,
    pub model: String,
    pub hardware_version: String,
    pub han_band: HanBand,
    pub region: Region,
}

impl Variant {
    pub fn to_core(&self) -> Result<core::catalogue::Variant, CommsHubOtaError> {
        Ok(core::catalogue::Variant {
            id: self.id.parse()?,
            manufacturer: self.manufacturer.clone(),
            model: self.model.clone(),
            hardware_version: self.hardware_version.clone(),
            han_band: self.han_band.into(),
            region: self.region.into(),
        })
    }
}

impl From<core::catalogue::Variant> for Variant {
    fn from(v: core::catalogue::Variant) -> Self {
        Variant {
            id: v.id.to_string(),
            manufacturer: v.manufacturer,
            model: v.model,
            hardware_version: v.hardware_version,
            han_band: v.han_band.into(),
            region: v.region.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HanDevice {
    pub kind: HanDeviceKind,
    pub model: String,
    pub firmware: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record)]
pub struct ConsumerFlags {
    pub vulnerable: bool,
    pub high_risk: bool,
    pub super_friendly: bool,
}

impl From<ConsumerFlags> for core::ConsumerFlags {
    fn from(f: ConsumerFlags) -> Self {
        core::ConsumerFlags {
            vulnerable: f.vulnerable,
            high_risk: f.high_risk,
            super_friendly: f.super_friendly,
        }
    }
}

impl From<core::ConsumerFlags> for ConsumerFlags {
    fn from(f: core::ConsumerFlags) -> Self {
        ConsumerFlags {
            vulnerable: f.vulnerable,
            high_risk: f.high_risk,
            super_friendly: f.super_friendly,
        }
    }
}

fn devices_to_core(devices: &[HanDevice]) -> core::HanDevices {
    let mut out = core::HanDevices::default();
    for d in devices {
        out.set(
            d.kind.into(),
            Some(core::HanDevice::new(d.model.clone(), d.firmware.clone())),
        );
    }
    out
}

fn devices_from_core(devices: &core::HanDevices) -> Vec<HanDevice> {
    core::HanDeviceKind::ALL
        .into_iter()
        .filter_map(|k| {
            devices.get(k).map(|d| HanDevice {
                kind: k.into(),
                model: d.model.clone(),
                firmware: d.firmware.clone(),
            })
        })
        .collect()
}

/// One hub to install or bulk load. Dates are ISO strings.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HubRow {
    pub id: String,
    pub variant: String,
    pub firmware: String,
    pub smi_status: SmiStatus,
    pub installed_on: String,
    pub commissioned_on: Option<String>,
    pub devices: Vec<HanDevice>,
    pub import_supplier: Option<String>,
    pub gas_supplier: Option<String>,
    pub import_flags: ConsumerFlags,
    pub gas_flags: ConsumerFlags,
}

impl HubRow {
    pub fn to_core(&self) -> Result<core::HubRow, CommsHubOtaError> {
        Ok(core::HubRow {
            id: self.id.parse()?,
            variant: self.variant.parse()?,
            firmware: self.firmware.parse()?,
            smi_status: self.smi_status.into(),
            devices: devices_to_core(&self.devices),
            import_supplier: self
                .import_supplier
                .as_deref()
                .map(str::parse)
                .transpose()?,
            gas_supplier: self.gas_supplier.as_deref().map(str::parse).transpose()?,
            import_flags: self.import_flags.into(),
            gas_flags: self.gas_flags.into(),
            installed_on: date("installed_on", &self.installed_on)?,
            commissioned_on: self
                .commissioned_on
                .as_deref()
                .map(|d| date("commissioned_on", d))
                .transpose()?,
        })
    }
}

/// Who holds a supply role, as the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SupplierView {
    Vacant,
    Hidden,
    Known { customer: String },
}

impl From<query::SupplierView> for SupplierView {
    fn from(v: query::SupplierView) -> Self {
        match v {
            query::SupplierView::Vacant => SupplierView::Vacant,
            query::SupplierView::Hidden => SupplierView::Hidden,
            query::SupplierView::Known(c) => SupplierView::Known {
                customer: c.to_string(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConfigurationSet {
    pub variant: String,
    pub firmware: String,
    pub devices: Vec<HanDevice>,
    /// `VARIANT@FW|esme:MODEL@FW|...`
    pub key: String,
}

impl From<query::ConfigurationSet> for ConfigurationSet {
    fn from(c: query::ConfigurationSet) -> Self {
        ConfigurationSet {
            key: c.key(),
            variant: c.variant.to_string(),
            firmware: c.firmware.to_string(),
            devices: devices_from_core(&c.devices),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HubView {
    pub id: String,
    pub region: Region,
    pub variant: String,
    pub firmware: String,
    pub smi_status: SmiStatus,
    pub import_supplier: SupplierView,
    pub gas_supplier: SupplierView,
    pub import_flags: Option<ConsumerFlags>,
    pub gas_flags: Option<ConsumerFlags>,
    pub split_supply: bool,
    pub installed_on: String,
    pub commissioned_on: Option<String>,
    pub configuration_set: ConfigurationSet,
}

impl From<query::HubView> for HubView {
    fn from(h: query::HubView) -> Self {
        HubView {
            id: h.id.to_string(),
            region: h.region.into(),
            variant: h.variant.to_string(),
            firmware: h.firmware.to_string(),
            smi_status: h.smi_status.into(),
            import_supplier: h.import_supplier.into(),
            gas_supplier: h.gas_supplier.into(),
            import_flags: h.import_flags.map(Into::into),
            gas_flags: h.gas_flags.map(Into::into),
            split_supply: h.split_supply,
            installed_on: h.installed_on.to_string(),
            commissioned_on: h.commissioned_on.map(|d| d.to_string()),
            configuration_set: h.configuration_set.into(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ConfigSetCount {
    pub configuration_set: ConfigurationSet,
    pub hubs: i64,
}

impl From<query::ConfigSetCount> for ConfigSetCount {
    fn from(c: query::ConfigSetCount) -> Self {
        ConfigSetCount {
            configuration_set: c.configuration_set.into(),
            hubs: c.hubs as i64,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Cutoff {
    pub customer: String,
    pub until: SystemTime,
}

/// One entry of a campaign's history; `change` is `created`, `phase_changed` or
/// `cutoff_extended`, and the optional fields are set where that change has them.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: SystemTime,
    pub actor: String,
    pub change: String,
    pub from_phase: Option<Phase>,
    pub to_phase: Option<Phase>,
    pub reason: Option<String>,
    pub customer: Option<String>,
    pub until: Option<SystemTime>,
}

impl From<core::campaign::HistoryEntry> for HistoryEntry {
    fn from(h: core::campaign::HistoryEntry) -> Self {
        use core::campaign::CampaignChange as C;
        let mut e = HistoryEntry {
            seq: h.seq as i64,
            at: system_time(h.at),
            actor: h.actor.to_code(),
            change: String::new(),
            from_phase: None,
            to_phase: None,
            reason: None,
            customer: None,
            until: None,
        };
        match h.change {
            C::Created => e.change = "created".into(),
            C::PhaseChanged { from, to, reason } => {
                e.change = "phase_changed".into();
                e.from_phase = Some(from.into());
                e.to_phase = Some(to.into());
                e.reason = reason;
            }
            C::CutoffExtended { customer, until } => {
                e.change = "cutoff_extended".into();
                e.customer = Some(customer.to_string());
                e.until = Some(system_time(until));
            }
        }
        e
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct CampaignView {
    pub id: String,
    pub variant: String,
    pub region: Region,
    pub target: String,
    pub phase: Phase,
    pub resume_to: Option<Phase>,
    pub default_cutoff: SystemTime,
    pub cutoffs: Vec<Cutoff>,
    pub history: Vec<HistoryEntry>,
}

impl From<query::CampaignView> for CampaignView {
    fn from(c: query::CampaignView) -> Self {
        CampaignView {
            id: c.id.to_string(),
            variant: c.variant.to_string(),
            region: c.region.into(),
            target: c.target.to_string(),
            phase: c.phase.into(),
            resume_to: c.resume_to.map(Into::into),
            default_cutoff: system_time(c.default_cutoff),
            cutoffs: c
                .cutoffs
                .into_iter()
                .map(|x| Cutoff {
                    customer: x.customer.to_string(),
                    until: system_time(x.until),
                })
                .collect(),
            history: c.history.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct GateView {
    pub gate: Gate,
    pub at: SystemTime,
    /// `None` where the recorder is a customer the asker may not know.
    pub by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FirmwareView {
    pub version: String,
    pub upgrades_from: Vec<String>,
    pub on_production_cpl: bool,
    pub gates: Vec<GateView>,
}

impl From<query::FirmwareView> for FirmwareView {
    fn from(f: query::FirmwareView) -> Self {
        FirmwareView {
            version: f.version.to_string(),
            upgrades_from: f.upgrades_from.iter().map(|v| v.to_string()).collect(),
            on_production_cpl: f.on_production_cpl,
            gates: f
                .gates
                .into_iter()
                .map(|g| GateView {
                    gate: g.gate.into(),
                    at: system_time(g.at),
                    by: g.by.map(|a| a.to_code()),
                    note: g.note,
                })
                .collect(),
        }
    }
}

/// One recorded event. `payload_json` is the payload as in the event log.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Event {
    pub seq: i64,
    pub at: SystemTime,
    pub actor: String,
    pub event_type: String,
    pub payload_json: String,
}

impl From<&core::Event> for Event {
    fn from(e: &core::Event) -> Self {
        Event {
            seq: e.seq as i64,
            at: system_time(e.at),
            actor: e.actor.to_code(),
            event_type: e.payload.type_name().into(),
            payload_json: serde_json::to_string(&e.payload).unwrap_or_default(),
        }
    }
}
