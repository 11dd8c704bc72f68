//! The binding's mirror of issue 5's types: campaign policy (halts, pacing), outcome and health
//! reports, defect subjects, status views and notifications. Each converts to or from core here
//! and nowhere else.

use std::time::SystemTime;

use commshub_ota as core;
use commshub_ota::rollout as r;

use crate::error::{invalid_input, CommsHubOtaError};
use crate::types::{
    date, system_time, ConfigurationSet, HanDeviceKind, Phase, PilotVerdict, Weekday,
};

type Result<T> = std::result::Result<T, CommsHubOtaError>;

fn u32_field(field: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| invalid_input(field, format!("{v} is out of range")))
}

/// The DCC's settings for a campaign. Fields left out take the core's defaults.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CampaignPolicy {
    #[uniffi(default)]
    pub pilot_cap_per_customer: Option<i64>,
    #[uniffi(default = 0)]
    pub min_assessment_days: i64,
    /// Attempts per hub and upgrade step (1 to 255).
    #[uniffi(default = 3)]
    pub max_attempts: i64,
    /// Hours an unanswered hub waits for a read-back before it counts as failed.
    #[uniffi(default = 72)]
    pub reconciliation_timeout_hours: i64,
    /// Days before a customer's cut-off that it is told the cut-off approaches.
    #[uniffi(default = 7)]
    pub cutoff_notice_days: i64,
    /// Hours an attempt may stay dispatched, delivered or activated before it times out.
    #[uniffi(default = 72)]
    pub in_flight_timeout_hours: i64,
    /// Hours after a failed attempt before the hub goes again.
    #[uniffi(default = 0)]
    pub retry_delay_hours: i64,
    #[uniffi(default)]
    pub halt: Option<HaltPolicy>,
    #[uniffi(default)]
    pub pacing: Option<Pacing>,
}

/// Automatic halts: over `failure_threshold_percent` failures once `min_outcomes` are in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HaltPolicy {
    pub failure_threshold_percent: f64,
    pub min_outcomes: i64,
}

/// A daily cap on the hubs offered (none: no cap), ramped by `ramp_factor` after each day whose
/// failure rate stayed under the halt threshold, and blackouts (GB local time).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Pacing {
    #[uniffi(default)]
    pub daily_cap: Option<i64>,
    #[uniffi(default = 1.0)]
    pub ramp_factor: f64,
    #[uniffi(default)]
    pub blackouts: Vec<Blackout>,
}

/// A time with no dispatch: whole days (ISO dates, inclusive), or weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Blackout {
    Dates {
        from: String,
        to: String,
    },
    Weekly {
        day: Weekday,
        from_hour: i64,
        to_hour: i64,
    },
}

impl CampaignPolicy {
    pub fn to_core(self) -> Result<core::CampaignPolicy> {
        let halt = self
            .halt
            .map(|h| {
                Ok::<_, CommsHubOtaError>(r::HaltPolicy {
                    failure_threshold_percent: h.failure_threshold_percent,
                    min_outcomes: u32_field("halt.min_outcomes", h.min_outcomes)?,
                })
            })
            .transpose()?;
        let pacing = self
            .pacing
            .map(|p| {
                let blackouts = p
                    .blackouts
                    .into_iter()
                    .map(|b| {
                        Ok(match b {
                            Blackout::Dates { from, to } => r::Blackout::Dates {
                                from: date("blackouts.from", &from)?,
                                to: date("blackouts.to", &to)?,
                            },
                            Blackout::Weekly {
                                day,
                                from_hour,
                                to_hour,
                            } => {
                                let hour = |v: i64| {
                                    u8::try_from(v).map_err(|_| {
                                        invalid_input(
                                            "blackouts.hour",
                                            format!("{v} is out of range"),
                                        )
                                    })
                                };
                                r::Blackout::Weekly {
                                    day: day.into(),
                                    from_hour: hour(from_hour)?,
                                    to_hour: hour(to_hour)?,
                                }
                            }
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok::<_, CommsHubOtaError>(r::Pacing {
                    daily_cap: p
                        .daily_cap
                        .map(|c| u32_field("pacing.daily_cap", c))
                        .transpose()?,
                    ramp_factor: p.ramp_factor,
                    blackouts,
                })
            })
            .transpose()?;
        Ok(core::CampaignPolicy {
            pilot_cap_per_customer: self
                .pilot_cap_per_customer
                .map(|c| u32_field("pilot_cap_per_customer", c))
                .transpose()?,
            min_assessment_days: u32_field("min_assessment_days", self.min_assessment_days)?,
            max_attempts: u32_field("max_attempts", self.max_attempts)?,
            reconciliation_timeout_hours: u32_field(
                "reconciliation_timeout_hours",
                self.reconciliation_timeout_hours,
            )?,
            cutoff_notice_days: u32_field("cutoff_notice_days", self.cutoff_notice_days)?,
            in_flight_timeout_hours: u32_field(
                "in_flight_timeout_hours",
                self.in_flight_timeout_hours,
            )?,
            retry_delay_hours: u32_field("retry_delay_hours", self.retry_delay_hours)?,
            halt,
            pacing,
        })
    }
}

/// A campaign policy from its JSON form (as in the event log and the conformance scenarios),
/// e.g. read from a configuration file.
#[uniffi::export]
pub fn campaign_policy_from_json(json: String) -> Result<CampaignPolicy> {
    // A JSON object only (serde would also take `[]` as a struct of defaults), within bounds.
    let value: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| invalid_input("policy", e.to_string()))?;
    if !value.is_object() {
        return Err(invalid_input("policy", "expected a JSON object"));
    }
    let p: core::CampaignPolicy =
        serde_json::from_value(value).map_err(|e| invalid_input("policy", e.to_string()))?;
    p.check()?;
    Ok(CampaignPolicy {
        pilot_cap_per_customer: p.pilot_cap_per_customer.map(i64::from),
        min_assessment_days: i64::from(p.min_assessment_days),
        max_attempts: i64::from(p.max_attempts),
        reconciliation_timeout_hours: i64::from(p.reconciliation_timeout_hours),
        cutoff_notice_days: i64::from(p.cutoff_notice_days),
        in_flight_timeout_hours: i64::from(p.in_flight_timeout_hours),
        retry_delay_hours: i64::from(p.retry_delay_hours),
        halt: p.halt.map(|h| HaltPolicy {
            failure_threshold_percent: h.failure_threshold_percent,
            min_outcomes: i64::from(h.min_outcomes),
        }),
        pacing: p.pacing.map(|p| Pacing {
            daily_cap: p.daily_cap.map(i64::from),
            ramp_factor: p.ramp_factor,
            blackouts: p
                .blackouts
                .into_iter()
                .map(|b| match b {
                    r::Blackout::Dates { from, to } => Blackout::Dates {
                        from: from.to_string(),
                        to: to.to_string(),
                    },
                    r::Blackout::Weekly {
                        day,
                        from_hour,
                        to_hour,
                    } => Blackout::Weekly {
                        day: day.into(),
                        from_hour: i64::from(from_hour),
                        to_hour: i64::from(to_hour),
                    },
                })
                .collect(),
        }),
    })
}

/// What the CSP reports of one upgrade attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Outcome {
    Dispatched,
    Delivered,
    DeliveryFailed {
        reason: Option<String>,
    },
    Activated,
    ActivationFailed {
        reason: Option<String>,
    },
    NoResponse,
    /// The version the hub reports it runs.
    ReadBack {
        firmware: String,
    },
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutcomeReport {
    pub hub: String,
    pub outcome: Outcome,
    /// When it happened, if earlier than the report is recorded (never later; not before the
    /// hub's previous outcome). It counts on that (GB local) day.
    #[uniffi(default)]
    pub happened_at: Option<SystemTime>,
}

impl OutcomeReport {
    pub fn to_core(self) -> Result<r::OutcomeReport> {
        Ok(r::OutcomeReport {
            happened_at: self.happened_at.map(crate::types::instant).transpose()?,
            hub: self.hub.parse()?,
            outcome: match self.outcome {
                Outcome::Dispatched => r::Outcome::Dispatched,
                Outcome::Delivered => r::Outcome::Delivered,
                Outcome::DeliveryFailed { reason } => r::Outcome::DeliveryFailed { reason },
                Outcome::Activated => r::Outcome::Activated,
                Outcome::ActivationFailed { reason } => r::Outcome::ActivationFailed { reason },
                Outcome::NoResponse => r::Outcome::NoResponse,
                Outcome::ReadBack { firmware } => r::Outcome::ReadBack {
                    firmware: firmware.parse()?,
                },
            },
        })
    }
}

/// A supplier's report of the HAN after an upgrade.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum HanHealth {
    AllFine,
    DeviceLostContact {
        device: HanDeviceKind,
    },
    DeviceMisbehaves {
        device: HanDeviceKind,
        text: Option<String>,
    },
}

impl From<HanHealth> for r::HanHealth {
    fn from(h: HanHealth) -> Self {
        match h {
            HanHealth::AllFine => r::HanHealth::AllFine,
            HanHealth::DeviceLostContact { device } => r::HanHealth::DeviceLostContact {
                device: device.into(),
            },
            HanHealth::DeviceMisbehaves { device, text } => r::HanHealth::DeviceMisbehaves {
                device: device.into(),
                text,
            },
        }
    }
}

impl From<r::HanHealth> for HanHealth {
    fn from(h: r::HanHealth) -> Self {
        match h {
            r::HanHealth::AllFine => HanHealth::AllFine,
            r::HanHealth::DeviceLostContact { device } => HanHealth::DeviceLostContact {
                device: device.into(),
            },
            r::HanHealth::DeviceMisbehaves { device, text } => HanHealth::DeviceMisbehaves {
                device: device.into(),
                text,
            },
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HealthReport {
    pub hub: String,
    pub health: HanHealth,
    /// When the supplier observed it, if earlier than the report is recorded.
    #[uniffi(default)]
    pub happened_at: Option<SystemTime>,
}

impl HealthReport {
    pub fn to_core(self) -> Result<r::HealthReport> {
        Ok(r::HealthReport {
            happened_at: self.happened_at.map(crate::types::instant).transpose()?,
            hub: self.hub.parse()?,
            health: self.health.into(),
        })
    }
}

/// What a defect flag is about.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum DefectSubject {
    ConfigurationSet { set: ConfigurationSet },
    Firmware { variant: String, version: String },
}

impl DefectSubject {
    pub fn to_core(&self) -> Result<core::defects::DefectSubject> {
        Ok(match self {
            DefectSubject::ConfigurationSet { set } => {
                core::defects::DefectSubject::ConfigurationSet {
                    set: set.to_core()?,
                }
            }
            DefectSubject::Firmware { variant, version } => {
                core::defects::DefectSubject::Firmware {
                    variant: variant.parse()?,
                    version: version.parse()?,
                }
            }
        })
    }
}

impl From<core::defects::DefectSubject> for DefectSubject {
    fn from(s: core::defects::DefectSubject) -> Self {
        match s {
            core::defects::DefectSubject::ConfigurationSet { set } => {
                DefectSubject::ConfigurationSet { set: set.into() }
            }
            core::defects::DefectSubject::Firmware { variant, version } => {
                DefectSubject::Firmware {
                    variant: variant.to_string(),
                    version: version.to_string(),
                }
            }
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct DefectView {
    pub flag: i64,
    pub subject: DefectSubject,
    pub text: String,
    pub flagged_by: Option<String>,
    pub yours: bool,
    pub suspending: Option<bool>,
    pub at: SystemTime,
}

impl From<core::defects::DefectView> for DefectView {
    fn from(d: core::defects::DefectView) -> Self {
        DefectView {
            flag: d.flag as i64,
            subject: d.subject.into(),
            text: d.text,
            flagged_by: d.flagged_by.map(|c| c.to_string()),
            yours: d.yours,
            suspending: d.suspending,
            at: system_time(d.at),
        }
    }
}

/// Hubs by where their upgrade stands (`waiting`: not dispatched yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct UpgradeCounts {
    pub hubs: i64,
    pub waiting: i64,
    pub dispatched: i64,
    pub delivered: i64,
    pub activated: i64,
    pub no_response: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub health_issues: i64,
}

impl From<core::status::UpgradeCounts> for UpgradeCounts {
    fn from(c: core::status::UpgradeCounts) -> Self {
        UpgradeCounts {
            hubs: c.hubs as i64,
            waiting: c.waiting as i64,
            dispatched: c.dispatched as i64,
            delivered: c.delivered as i64,
            activated: c.activated as i64,
            no_response: c.no_response as i64,
            succeeded: c.succeeded as i64,
            failed: c.failed as i64,
            health_issues: c.health_issues as i64,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PilotStatusRow {
    /// None where the asker may not know who (the CSP).
    pub customer: Option<String>,
    pub counts: UpgradeCounts,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PilotStatus {
    pub campaign: String,
    pub phase: Phase,
    pub total: UpgradeCounts,
    pub rows: Vec<PilotStatusRow>,
}

impl From<core::status::PilotStatus> for PilotStatus {
    fn from(p: core::status::PilotStatus) -> Self {
        PilotStatus {
            campaign: p.campaign.to_string(),
            phase: p.phase.into(),
            total: p.total.into(),
            rows: p
                .rows
                .into_iter()
                .map(|r| PilotStatusRow {
                    customer: r.customer.map(|c| c.to_string()),
                    counts: r.counts.into(),
                })
                .collect(),
        }
    }
}

/// Campaign progress of one configuration set; `eligible` = `upgradeable_now` +
/// `awaiting_consent` + `blocked`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SetProgress {
    pub set: ConfigurationSet,
    pub hubs: i64,
    pub eligible: i64,
    pub upgradeable_now: i64,
    pub awaiting_consent: i64,
    pub blocked: i64,
    pub dispatched: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub not_applicable: i64,
}

impl From<core::status::SetProgress> for SetProgress {
    fn from(p: core::status::SetProgress) -> Self {
        SetProgress {
            set: p.set.into(),
            hubs: p.hubs as i64,
            eligible: p.eligible as i64,
            upgradeable_now: p.upgradeable_now as i64,
            awaiting_consent: p.awaiting_consent as i64,
            blocked: p.blocked as i64,
            dispatched: p.dispatched as i64,
            succeeded: p.succeeded as i64,
            failed: p.failed as i64,
            not_applicable: p.not_applicable as i64,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FirmwareCount {
    pub variant: String,
    pub version: String,
    pub hubs: i64,
}

impl From<core::status::FirmwareCount> for FirmwareCount {
    fn from(f: core::status::FirmwareCount) -> Self {
        FirmwareCount {
            variant: f.variant.to_string(),
            version: f.version.to_string(),
            hubs: f.hubs as i64,
        }
    }
}

/// The figures that tripped an automatic halt.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct HaltFigures {
    pub outcomes: i64,
    pub failures: i64,
    pub failure_threshold_percent: f64,
    pub min_outcomes: i64,
}

impl From<r::HaltFigures> for HaltFigures {
    fn from(f: r::HaltFigures) -> Self {
        HaltFigures {
            outcomes: f.outcomes as i64,
            failures: f.failures as i64,
            failure_threshold_percent: f.failure_threshold_percent,
            min_outcomes: i64::from(f.min_outcomes),
        }
    }
}

/// A notification's content.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum NotificationKind {
    PhaseChanged {
        campaign: String,
        from: Phase,
        to: Phase,
        operational_approval: bool,
        reason: Option<String>,
        figures: Option<HaltFigures>,
    },
    OtherSupplierConsented {
        campaign: String,
        hubs: Vec<String>,
    },
    ConfigurationSetHalted {
        campaign: String,
        set: ConfigurationSet,
        reason: String,
        figures: Option<HaltFigures>,
    },
    ConfigurationSetResumed {
        campaign: String,
        set: ConfigurationSet,
    },
    SupplierHold {
        campaign: String,
        placed: bool,
        set: Option<ConfigurationSet>,
        customer: Option<String>,
        reason: Option<String>,
    },
    CutoffApproaching {
        campaign: String,
        cutoff: SystemTime,
    },
    CutoffReached {
        campaign: String,
        cutoff: SystemTime,
    },
    /// The DCC moved the recipient's own cut-off later.
    CutoffExtended {
        campaign: String,
        cutoff: SystemTime,
    },
    DefectFlagged {
        flag: i64,
        subject: DefectSubject,
        text: String,
        flagged_by: Option<String>,
    },
    PilotVerdict {
        campaign: String,
        customer: Option<String>,
        verdict: PilotVerdict,
    },
    OutcomesSummary {
        campaign: String,
        dispatched: i64,
        succeeded: i64,
        failed: i64,
        no_response: i64,
        timed_out: i64,
    },
    HanHealthIssue {
        campaign: String,
        hub: String,
        health: HanHealth,
        customer: Option<String>,
    },
}

/// One notification; `json` is its JSON form (as the Rust view and the scenarios give it).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Notification {
    pub id: i64,
    /// The sequence number of the event behind it: the DCC's only.
    pub event: Option<i64>,
    pub at: SystemTime,
    pub kind: NotificationKind,
    pub json: String,
}

impl From<core::notify::Notification> for Notification {
    fn from(n: core::notify::Notification) -> Self {
        use core::notify::NotificationKind as K;
        let json = serde_json::to_string(&n).unwrap_or_default();
        let s = |c: core::CampaignId| c.to_string();
        let name = |c: Option<core::CustomerId>| c.map(|c| c.to_string());
        let kind = match n.kind {
            K::PhaseChanged {
                campaign,
                from,
                to,
                operational_approval,
                reason,
                figures,
            } => NotificationKind::PhaseChanged {
                campaign: s(campaign),
                from: from.into(),
                to: to.into(),
                operational_approval,
                reason,
                figures: figures.map(Into::into),
            },
            K::OtherSupplierConsented { campaign, hubs } => {
                NotificationKind::OtherSupplierConsented {
                    campaign: s(campaign),
                    hubs: hubs.iter().map(|h| h.to_string()).collect(),
                }
            }
            K::ConfigurationSetHalted {
                campaign,
                set,
                reason,
                figures,
            } => NotificationKind::ConfigurationSetHalted {
                campaign: s(campaign),
                set: set.into(),
                reason,
                figures: figures.map(Into::into),
            },
            K::ConfigurationSetResumed { campaign, set } => {
                NotificationKind::ConfigurationSetResumed {
                    campaign: s(campaign),
                    set: set.into(),
                }
            }
            K::SupplierHold {
                campaign,
                placed,
                set,
                customer,
                reason,
            } => NotificationKind::SupplierHold {
                campaign: s(campaign),
                placed,
                set: set.map(Into::into),
                customer: name(customer),
                reason,
            },
            K::CutoffApproaching { campaign, cutoff } => NotificationKind::CutoffApproaching {
                campaign: s(campaign),
                cutoff: system_time(cutoff),
            },
            K::CutoffReached { campaign, cutoff } => NotificationKind::CutoffReached {
                campaign: s(campaign),
                cutoff: system_time(cutoff),
            },
            K::CutoffExtended { campaign, cutoff } => NotificationKind::CutoffExtended {
                campaign: s(campaign),
                cutoff: system_time(cutoff),
            },
            K::DefectFlagged {
                flag,
                subject,
                text,
                flagged_by,
            } => NotificationKind::DefectFlagged {
                flag: flag as i64,
                subject: subject.into(),
                text,
                flagged_by: name(flagged_by),
            },
            K::PilotVerdict {
                campaign,
                customer,
                verdict,
            } => NotificationKind::PilotVerdict {
                campaign: s(campaign),
                customer: name(customer),
                verdict: verdict.into(),
            },
            K::OutcomesSummary {
                campaign,
                dispatched,
                succeeded,
                failed,
                no_response,
                timed_out,
            } => NotificationKind::OutcomesSummary {
                campaign: s(campaign),
                dispatched: dispatched as i64,
                succeeded: succeeded as i64,
                failed: failed as i64,
                no_response: no_response as i64,
                timed_out: timed_out as i64,
            },
            K::HanHealthIssue {
                campaign,
                hub,
                health,
                customer,
            } => NotificationKind::HanHealthIssue {
                campaign: s(campaign),
                hub: hub.to_string(),
                health: health.into(),
                customer: name(customer),
            },
        };
        Notification {
            id: n.id as i64,
            event: n.event.map(|e| e as i64),
            at: system_time(n.at),
            kind,
            json,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct NotificationPage {
    pub acknowledged: i64,
    pub more: i64,
    pub notifications: Vec<Notification>,
}

impl From<core::notify::NotificationPage> for NotificationPage {
    fn from(p: core::notify::NotificationPage) -> Self {
        NotificationPage {
            acknowledged: p.acknowledged as i64,
            more: p.more as i64,
            notifications: p.notifications.into_iter().map(Into::into).collect(),
        }
    }
}
