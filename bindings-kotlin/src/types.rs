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

/// A HAN device's model and firmware: one entry of an [`EstateTable`]'s device dictionary.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DeviceProfile {
    pub model: String,
    pub firmware: String,
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
pub struct EstateTable {
    pub variants: Vec<String>,
    pub firmware_versions: Vec<String>,
    #[uniffi(default)]
    pub customers: Vec<String>,
    #[uniffi(default)]
    pub devices: Vec<DeviceProfile>,
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

impl EstateTable {
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
            devices: self
                .devices
                .iter()
                .map(|d| core::HanDevice::new(d.model.clone(), d.firmware.clone()))
                .collect(),
            id: self
                .id
                .iter()
                .map(|h| h.parse())
                .collect::<Result<_, _>>()?,
            variant: codes("variant", &self.variant)?,
            firmware: codes("firmware", &self.firmware)?,
            smi_status: self.smi_status.iter().map(|s| (*s).into()).collect(),
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
            import_flags: self.import_flags.iter().map(|f| (*f).into()).collect(),
            gas_flags: self.gas_flags.iter().map(|f| (*f).into()).collect(),
            esme: optional_codes("esme", &self.esme)?,
            gsme: optional_codes("gsme", &self.gsme)?,
            ppmid: optional_codes("ppmid", &self.ppmid)?,
            hcalcs: optional_codes("hcalcs", &self.hcalcs)?,
            ihd: optional_codes("ihd", &self.ihd)?,
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
    /// The event's place in the log: the DCC's only (to others it would count their events).
    pub seq: Option<i64>,
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
            seq: h.seq.map(|s| s as i64),
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

/// One recorded event. `payload_json` is the payload as in the event log; `actor` is `system`
/// for an automatic act; `refused` lists the hubs a bulk participation command did not take.
/// `seq` is the log's: set in `events` (the host's record) and in the answer to a DCC command,
/// null in the answer to another party's command (it would count others' events).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Event {
    pub seq: Option<i64>,
    pub at: SystemTime,
    pub actor: String,
    pub event_type: String,
    pub payload_json: String,
    pub refused: Vec<HubRefusal>,
}

/// A hub a bulk participation command (nominate, reject, withdraw) did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HubRefusal {
    pub hub: String,
    pub reason: String,
}

impl From<&core::Event> for Event {
    fn from(e: &core::Event) -> Self {
        let refused = e
            .payload
            .refused()
            .iter()
            .map(|r| HubRefusal {
                hub: r.hub.to_string(),
                reason: r.reason.clone(),
            })
            .collect();
        Event {
            seq: Some(e.seq as i64),
            at: system_time(e.at),
            actor: e.actor.to_code(),
            event_type: e.payload.type_name().into(),
            payload_json: serde_json::to_string(&e.payload).unwrap_or_default(),
            refused,
        }
    }
}

/// A customer's assessment of the pilot.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PilotVerdict {
    Success,
    IssuesFound { text: String },
}

impl From<PilotVerdict> for core::PilotVerdict {
    fn from(v: PilotVerdict) -> Self {
        match v {
            PilotVerdict::Success => core::PilotVerdict::Success,
            PilotVerdict::IssuesFound { text } => core::PilotVerdict::IssuesFound { text },
        }
    }
}

impl From<core::PilotVerdict> for PilotVerdict {
    fn from(v: core::PilotVerdict) -> Self {
        match v {
            core::PilotVerdict::Success => PilotVerdict::Success,
            core::PilotVerdict::IssuesFound { text } => PilotVerdict::IssuesFound { text },
        }
    }
}

impl ConfigurationSet {
    /// The core's form (the `key` field is derived and ignored here).
    pub fn to_core(&self) -> Result<query::ConfigurationSet, CommsHubOtaError> {
        Ok(query::ConfigurationSet {
            variant: self.variant.parse()?,
            firmware: self.firmware.parse()?,
            devices: devices_to_core(&self.devices),
        })
    }
}

/// Who a consent or a rejection belongs to, as the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Party {
    You,
    OtherSupplier,
    Customer { customer: String },
    Unnamed,
}

impl From<core::participation::eligibility::Party> for Party {
    fn from(p: core::participation::eligibility::Party) -> Self {
        use core::participation::eligibility::Party as P;
        match p {
            P::You => Party::You,
            P::OtherSupplier => Party::OtherSupplier,
            P::Customer { customer } => Party::Customer {
                customer: customer.to_string(),
            },
            P::Unnamed => Party::Unnamed,
        }
    }
}

/// One reason a hub is not upgradeable now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Blocker {
    CampaignNotStarted,
    CampaignSuspended,
    CampaignClosed {
        phase: Phase,
    },
    WrongVariant,
    AlreadyOnTarget,
    NotOnPathway,
    StepNotOnProductionCpl {
        version: String,
    },
    NotCommissioned {
        status: SmiStatus,
    },
    VulnerableInPilot,
    NotInPilot,
    /// `cutoff`: when the CSP takes the hub over (not shown for the other supplier's role).
    AwaitingConsent {
        role: SupplyRole,
        by: Party,
        cutoff: Option<SystemTime>,
    },
    Rejected {
        role: SupplyRole,
        by: Party,
        reason: Option<String>,
    },
    UpgradeInFlight {
        state: UpgradeState,
    },
    AttemptsExhausted {
        attempts: i64,
    },
    RetryDelay {
        until: SystemTime,
    },
    ConfigurationSetHalted {
        reason: String,
    },
    HeldBySupplier {
        by: Party,
        reason: Option<String>,
    },
    SuspendedByDefectFlag {
        by: Party,
        flag: i64,
    },
    Blackout,
    DailyCapReached {
        cap: i64,
    },
}

impl From<core::participation::eligibility::Blocker> for Blocker {
    fn from(b: core::participation::eligibility::Blocker) -> Self {
        use core::participation::eligibility::Blocker as B;
        match b {
            B::CampaignNotStarted => Blocker::CampaignNotStarted,
            B::CampaignSuspended => Blocker::CampaignSuspended,
            B::CampaignClosed { phase } => Blocker::CampaignClosed {
                phase: phase.into(),
            },
            B::WrongVariant => Blocker::WrongVariant,
            B::AlreadyOnTarget => Blocker::AlreadyOnTarget,
            B::NotOnPathway => Blocker::NotOnPathway,
            B::StepNotOnProductionCpl { version } => Blocker::StepNotOnProductionCpl {
                version: version.to_string(),
            },
            B::NotCommissioned { status } => Blocker::NotCommissioned {
                status: status.into(),
            },
            B::VulnerableInPilot => Blocker::VulnerableInPilot,
            B::NotInPilot => Blocker::NotInPilot,
            B::AwaitingConsent { role, by, cutoff } => Blocker::AwaitingConsent {
                role: role.into(),
                by: by.into(),
                cutoff: cutoff.map(system_time),
            },
            B::Rejected { role, by, reason } => Blocker::Rejected {
                role: role.into(),
                by: by.into(),
                reason,
            },
            B::UpgradeInFlight { state } => Blocker::UpgradeInFlight {
                state: state.into(),
            },
            B::AttemptsExhausted { attempts } => Blocker::AttemptsExhausted {
                attempts: i64::from(attempts),
            },
            B::RetryDelay { until } => Blocker::RetryDelay {
                until: system_time(until),
            },
            B::ConfigurationSetHalted { reason } => Blocker::ConfigurationSetHalted { reason },
            B::HeldBySupplier { by, reason } => Blocker::HeldBySupplier {
                by: by.into(),
                reason,
            },
            B::SuspendedByDefectFlag { by, flag } => Blocker::SuspendedByDefectFlag {
                by: by.into(),
                flag: flag as i64,
            },
            B::Blackout => Blocker::Blackout,
            B::DailyCapReached { cap } => Blocker::DailyCapReached { cap: cap as i64 },
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Explanation {
    pub hub: String,
    pub campaign: String,
    pub upgradeable: bool,
    pub next_version: Option<String>,
    pub blockers: Vec<Blocker>,
    /// Each blocker as a sentence a person reads, in the same order.
    pub sentences: Vec<String>,
    /// Supply roles whose consent the passed cut-off stands in for.
    pub taken_over_at_cutoff: Vec<SupplyRole>,
}

impl From<core::participation::eligibility::Explanation> for Explanation {
    fn from(x: core::participation::eligibility::Explanation) -> Self {
        Explanation {
            hub: x.hub.to_string(),
            campaign: x.campaign.to_string(),
            upgradeable: x.upgradeable,
            next_version: x.next_version.map(|v| v.to_string()),
            blockers: x.blockers.into_iter().map(Into::into).collect(),
            sentences: x.sentences,
            taken_over_at_cutoff: x.taken_over_at_cutoff.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct UpgradeEntry {
    pub hub: String,
    pub campaign: String,
    pub next_version: String,
    pub target: String,
    pub nominated: bool,
    /// The hub's configuration set now.
    pub configuration_set: ConfigurationSet,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct UpgradePage {
    pub total: i64,
    pub offset: i64,
    /// Upgradeable hubs today's pacing cap does not offer.
    pub held_back_by_pacing: i64,
    pub entries: Vec<UpgradeEntry>,
}

impl From<core::query::UpgradePage> for UpgradePage {
    fn from(p: core::query::UpgradePage) -> Self {
        UpgradePage {
            total: p.total as i64,
            offset: p.offset as i64,
            held_back_by_pacing: p.held_back_by_pacing as i64,
            entries: p
                .entries
                .into_iter()
                .map(|e| UpgradeEntry {
                    hub: e.hub.to_string(),
                    campaign: e.campaign.to_string(),
                    next_version: e.next_version.to_string(),
                    target: e.target.to_string(),
                    nominated: e.nominated,
                    configuration_set: e.configuration_set.into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ParticipationView {
    pub customer: String,
    pub campaign: String,
    pub hubs: i64,
    pub upgradeable_now: i64,
    pub nominated: Vec<String>,
    pub rejected: Vec<String>,
    pub whole_estate_approved: bool,
    pub approved_configuration_sets: Vec<ConfigurationSet>,
    pub other_supplier_consented: Vec<String>,
    pub verdict: Option<PilotVerdict>,
    pub cutoff: SystemTime,
    pub cutoff_passed: bool,
}

impl From<core::query::ParticipationView> for ParticipationView {
    fn from(p: core::query::ParticipationView) -> Self {
        let ids = |v: Vec<core::HubId>| v.into_iter().map(|h| h.to_string()).collect();
        ParticipationView {
            customer: p.customer.to_string(),
            campaign: p.campaign.to_string(),
            hubs: p.hubs as i64,
            upgradeable_now: p.upgradeable_now as i64,
            nominated: ids(p.nominated),
            rejected: ids(p.rejected),
            whole_estate_approved: p.whole_estate_approved,
            approved_configuration_sets: p
                .approved_configuration_sets
                .into_iter()
                .map(Into::into)
                .collect(),
            other_supplier_consented: ids(p.other_supplier_consented),
            verdict: p.verdict.map(Into::into),
            cutoff: system_time(p.cutoff),
            cutoff_passed: p.cutoff_passed,
        }
    }
}

mirror_enum!(
    UpgradeState,
    core::rollout::UpgradeState,
    [Dispatched, Delivered, Activated, NoResponse, Succeeded, Failed]
);
mirror_enum!(
    Weekday,
    core::rollout::pacing::Weekday,
    [Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday]
);
