//! Participation in a campaign: pilot nominations, approvals (whole estate, configuration
//! sets), rejections, pilot verdicts; and from them, whether a hub is upgradeable now
//! ([`eligibility`]) and the CSP's list of upgradeable hubs ([`upgrade_list`]).
//!
//! Consent is per (hub, supply role) and belongs to the customer holding the role *now*: every
//! record is keyed by customer, so a change of supplier leaves the new supplier without the old
//! one's consent (docs/domain.md invariant 7), and `apply` drops the old one's records for the hub.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::HubId;
use crate::model::estate::CustomerIdx;
use crate::model::rollout::{HaltPolicy, Pacing};

/// The DCC's settings for one campaign. Every field has a default, so `{}` is a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignPolicy {
    /// At most this many hubs nominated per customer for the pilot.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pilot_cap_per_customer: Option<i32>,
    /// Days the pilot runs before the DCC may grant OA for mass rollout (unless it overrides;
    /// default 14: two weeks, so that the pilot's first hubs are well past their reconciliation
    /// time-out and suppliers' weekly reads of their meters have come in; 0 to 366).
    #[serde(default = "default_min_assessment_days")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 14))]
    pub min_assessment_days: i32,
    /// Attempts per hub (per upgrade step) before it is given up (1 to 255; default 3).
    #[serde(default = "default_max_attempts")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 3))]
    pub max_attempts: i32,
    /// Hours a hub that did not respond waits for a read-back before it counts as failed
    /// (default 72).
    #[serde(default = "default_reconciliation_hours")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 72))]
    pub reconciliation_timeout_hours: i32,
    /// Days before a customer's cut-off that it is told the cut-off approaches (default 7).
    #[serde(default = "default_cutoff_notice_days")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 7))]
    pub cutoff_notice_days: i32,
    /// Hours an attempt may stay dispatched, delivered or activated with no further outcome
    /// before it fails as timed out (default 72), so that no hub stays in flight for ever.
    #[serde(default = "default_in_flight_hours")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 72))]
    pub in_flight_timeout_hours: i32,
    /// Hours after a failed attempt before the hub is offered and dispatched again (default 0).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub retry_delay_hours: i32,
    /// Automatic halts; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub halt: Option<HaltPolicy>,
    /// Daily cap, ramp and blackouts; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pacing: Option<Pacing>,
}

/// The default assessment period (decision 24, issue 26): two weeks.
pub const DEFAULT_MIN_ASSESSMENT_DAYS: i32 = 14;

fn default_min_assessment_days() -> i32 {
    DEFAULT_MIN_ASSESSMENT_DAYS
}
fn default_max_attempts() -> i32 {
    3
}
fn default_reconciliation_hours() -> i32 {
    72
}
fn default_cutoff_notice_days() -> i32 {
    7
}
fn default_in_flight_hours() -> i32 {
    72
}

impl Default for CampaignPolicy {
    fn default() -> Self {
        CampaignPolicy {
            pilot_cap_per_customer: None,
            min_assessment_days: DEFAULT_MIN_ASSESSMENT_DAYS,
            max_attempts: default_max_attempts(),
            reconciliation_timeout_hours: default_reconciliation_hours(),
            cutoff_notice_days: default_cutoff_notice_days(),
            in_flight_timeout_hours: default_in_flight_hours(),
            retry_delay_hours: 0,
            halt: None,
            pacing: None,
        }
    }
}

/// Kept at its former path; the ranges live with every other bound in [`crate::kernel::limits`].
pub use crate::kernel::limits::policy_limits;
use crate::kernel::limits::within;

impl CampaignPolicy {
    /// Refuses a policy outside [`policy_limits`], naming the field, the value and the range.
    pub fn check(&self) -> Result<(), crate::kernel::error::Error> {
        use policy_limits as l;
        if let Some(cap) = self.pilot_cap_per_customer {
            within("policy.pilot_cap_per_customer", cap, &l::PILOT_CAP)?;
        }
        within(
            "policy.min_assessment_days",
            self.min_assessment_days,
            &l::ASSESSMENT_DAYS,
        )?;
        within("policy.max_attempts", self.max_attempts, &l::MAX_ATTEMPTS)?;
        within(
            "policy.reconciliation_timeout_hours",
            self.reconciliation_timeout_hours,
            &l::TIMEOUT_HOURS,
        )?;
        within(
            "policy.cutoff_notice_days",
            self.cutoff_notice_days,
            &l::NOTICE_DAYS,
        )?;
        within(
            "policy.in_flight_timeout_hours",
            self.in_flight_timeout_hours,
            &l::TIMEOUT_HOURS,
        )?;
        within(
            "policy.retry_delay_hours",
            self.retry_delay_hours,
            &l::RETRY_HOURS,
        )?;
        if let Some(h) = &self.halt {
            if !h.failure_threshold_percent.is_finite()
                || !(0.0..100.0).contains(&h.failure_threshold_percent)
            {
                return Err(crate::kernel::error::Error::invalid_input(
                    "policy.halt.failure_threshold_percent",
                    format!(
                        "{} is not a percentage from 0 up to (not including) 100",
                        h.failure_threshold_percent
                    ),
                ));
            }
            within("policy.halt.min_outcomes", h.min_outcomes, &l::MIN_OUTCOMES)?;
        }
        if let Some(p) = &self.pacing {
            p.check()?;
        }
        Ok(())
    }
}

impl CampaignPolicy {
    /// The fields where this policy differs from `before`, as dotted paths in its JSON form
    /// (`max_attempts`, `pacing.daily_cap`, `halt` when one side has none), in field order.
    pub fn changes_from(&self, before: &CampaignPolicy) -> Vec<String> {
        fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
            use serde_json::Value::Object;
            match (a, b) {
                (Object(a), Object(b)) => {
                    let keys: std::collections::BTreeSet<&String> =
                        a.keys().chain(b.keys()).collect();
                    for k in keys {
                        let null = serde_json::Value::Null;
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        walk(
                            &p,
                            a.get(k).unwrap_or(&null),
                            b.get(k).unwrap_or(&null),
                            out,
                        );
                    }
                }
                (a, b) if a != b => out.push(path.to_string()),
                _ => {}
            }
        }
        let (Ok(a), Ok(b)) = (serde_json::to_value(self), serde_json::to_value(before)) else {
            return vec!["policy".into()]; // a policy always serializes; never reached
        };
        let mut out = Vec::new();
        walk("", &a, &b, &mut out);
        out
    }
}

/// Deserializes a value only from a map (a JSON object): serde's derive also takes a sequence
/// for a struct, so `"policy": []` would otherwise read as a policy of defaults.
pub(crate) fn from_map_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct MapOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for MapOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(MapOnly(std::marker::PhantomData))
}

/// A customer's assessment of the pilot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PilotVerdict {
    Success,
    IssuesFound { text: String },
}

/// One hub of a bulk participation command that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubRefusal {
    pub hub: HubId,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rejection {
    pub customer: CustomerIdx,
    /// Shared by every hub of one rejection: the text is stored once, not once a hub.
    pub reason: std::sync::Arc<str>,
    pub at: DateTime<Utc>,
}

/// Everything customers said about one campaign. Hubs are held by their estate position.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Consents {
    pub nominations: BTreeMap<CustomerIdx, BTreeSet<u32>>,
    pub whole_estate: BTreeMap<CustomerIdx, DateTime<Utc>>,
    pub config_sets: BTreeMap<CustomerIdx, BTreeSet<u32>>,
    pub rejections: BTreeMap<u32, Vec<Rejection>>,
    pub verdicts: BTreeMap<CustomerIdx, (PilotVerdict, DateTime<Utc>)>,
    /// What each customer's rules approved and rejected (docs/rules.md).
    #[serde(default)]
    pub rules: BTreeMap<CustomerIdx, crate::model::rules::CampaignMarks>,
}

impl Consents {
    pub fn nominated_by(&self, customer: CustomerIdx, hub: u32) -> bool {
        self.nominations
            .get(&customer)
            .is_some_and(|s| s.contains(&hub))
    }

    /// Whether `customer` consents to `hub` (on configuration set `config`): nominated, or
    /// approved by whole estate or by set. What the other supplier of a split hub is shown.
    pub fn consents(&self, customer: CustomerIdx, hub: u32, config: u32) -> bool {
        self.nominated_by(customer, hub)
            || self.whole_estate.contains_key(&customer)
            || self
                .config_sets
                .get(&customer)
                .is_some_and(|s| s.contains(&config))
    }

    pub fn nominated_count(&self, customer: CustomerIdx) -> usize {
        self.nominations.get(&customer).map_or(0, BTreeSet::len)
    }

    pub fn rejection_by(&self, customer: CustomerIdx, hub: u32) -> Option<&Rejection> {
        self.rejections
            .get(&hub)?
            .iter()
            .find(|r| r.customer == customer)
    }

    /// Drops what `customer` said about `hub` (it no longer supplies it).
    pub fn forget(&mut self, customer: CustomerIdx, hub: u32) {
        if let Some(set) = self.nominations.get_mut(&customer) {
            set.remove(&hub);
        }
        if let Some(list) = self.rejections.get_mut(&hub) {
            list.retain(|r| r.customer != customer);
            if list.is_empty() {
                self.rejections.remove(&hub);
            }
        }
        if let Some(m) = self.rules.get_mut(&customer) {
            m.approved.hubs.remove(&hub);
            m.rejected.hubs.remove(&hub);
        }
    }
}
