//! Queries as data: every question an actor can ask, as one serde-tagged enum (like
//! [`crate::write::command::Command`]), answered by one entry, `Engine::query`. Bindings and conformance
//! runners call this one entry with the query's JSON instead of mapping each query by hand.
//!
//! The JSON form is the one the conformance scenarios use: `{"name": "explain", "campaign":
//! "C1", "hub": "00-...", "at": "2026-01-02T09:00:00Z"}`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::model::catalogue::Variant;
use crate::model::defects::DefectView;
use crate::model::eligibility::Explanation;
use crate::model::notices::NotificationPage;
use crate::read::ParticipationView;
use crate::read::UpgradePage;
use crate::read::{CampaignView, ConfigSetCount, FirmwareView, HubPage, HubView};
use crate::read::{FirmwareCount, PilotStatus, SetProgress};

fn thousand() -> i64 {
    1_000
}

fn ninety() -> i64 {
    90
}

/// One question, with its arguments. Every answer is scoped to the asking actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Query {
    /// One hub, as the asker may see it (a hub it may not see is not found).
    Hub { hub: HubId },
    /// Every hub `customer` supplies, in estate order, as the asker may see each.
    CustomerEstate { customer: CustomerId },
    /// A page of a customer's estate: at most `limit` (1 to 10 000) hubs after hub `after`
    /// (none: from the first), in estate order. Page on with the answer's `next`.
    CustomerEstatePage {
        customer: CustomerId,
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        after: Option<HubId>,
        #[serde(default = "thousand")]
        #[cfg_attr(feature = "uniffi", uniffi(default = 1000))]
        limit: i64,
    },
    /// A customer's sets with hub counts; without `customer`, the industry's (the DCC's only).
    ConfigurationSets {
        #[serde(default)]
        customer: Option<CustomerId>,
    },
    /// The Deployed Products List at the end of GB local day `on`, largest set first, each
    /// with its short label: `customer`'s (itself, or any to the DCC); without `customer`, the
    /// industry's (the DCC; a CSP: its region's variants).
    Dpl {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
        on: NaiveDate,
    },
    /// The evidence to retire the pilot: per campaign, what its pilot found against what mass
    /// rollout met on the same configuration sets, and whether the pilot caught it.
    /// `customer`'s (itself, or any to the DCC); without it, the industry's (the DCC; a CSP:
    /// its region's campaigns; a customer: its own).
    RetirementEvidence {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
    },
    /// The Deployed Products List at the end of each day from `from` to `to` (at most 3 660
    /// days), scoped as `Dpl`.
    DplHistory {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// The DPL of day `on` (scoped as `Dpl`) as a pie a person reads: the largest sets on
    /// their own, then groups by variant and hub firmware (or variant), then "other"; at most
    /// 6 slices.
    DplPie {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
        on: NaiveDate,
    },
    /// The asker's report on the GB local day of `at`, over the `days` days up to it (1 to
    /// 366; 90 by default): one self-contained HTML page (inline SVG charts, a table under
    /// each, no script, no network), the same bytes in every language.
    Report {
        at: DateTime<Utc>,
        #[serde(default = "ninety")]
        #[cfg_attr(feature = "uniffi", uniffi(default = 90))]
        days: i64,
    },
    /// The industry's shares of each variant's hubs by configuration set at the end of each
    /// day from `from` to `to` (at most 3 660 days), under disclosure control: shares only,
    /// for sets (and "other") with at least 3 suppliers and 1 000 hubs that pass the p% rule,
    /// moved only when the change passes too. The same for every party.
    IndustryShares { from: NaiveDate, to: NaiveDate },
    /// The configuration sets the industry is leaving over the 30 days to GB local day `on`
    /// (a set's share of its variant falling by 2 points or more while another's rises as
    /// much), from the shares as disclosed: a customer's own sets, the DCC's all, a CSP's its
    /// region's.
    IndustryTrends { on: NaiveDate },
    /// One campaign with its phase, cut-offs, policy, the CSP's pilot pacing and the history the
    /// asker may see.
    Campaign { campaign: CampaignId },
    /// Every campaign the asker may see (a CSP: its region's).
    Campaigns {},
    /// The hub variants the asker may see (a CSP: its region's).
    Variants {},
    /// A variant's firmware versions with their readiness gates (who recorded a customer's
    /// gate shown to the DCC and that customer only).
    FirmwareVersions { variant: VariantId },
    /// The versions a hub on `from` goes through to reach `to`, in order (empty: already
    /// there).
    UpgradeRoute {
        variant: VariantId,
        from: FirmwareVersion,
        to: FirmwareVersion,
    },
    /// Why `hub` is or is not upgradeable in `campaign` at `at`: its blockers, each as the
    /// asker may read it, and the version it goes to next.
    Explain {
        campaign: CampaignId,
        hub: HubId,
        at: DateTime<Utc>,
    },
    /// A page of the region's upgrade list at `at` (its CSP and the DCC): `limit` (1 to
    /// 100 000) entries from `offset`, in a fixed priority order.
    UpgradeList {
        region: Region,
        at: DateTime<Utc>,
        #[serde(default)]
        offset: i64,
        #[serde(default = "thousand")]
        limit: i64,
    },
    /// `customer`'s participation in `campaign` at `at`: its nominations, approvals,
    /// rejections, verdict and cut-off.
    Participation {
        campaign: CampaignId,
        customer: CustomerId,
        at: DateTime<Utc>,
    },
    /// Every participant's participation in `campaign` at `at`.
    Participations {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    /// A proposed pilot of `size` of the asker's hubs in `campaign` (deterministic from
    /// `seed`): spread over its configuration sets, takeable hubs only, with the share of its
    /// estate's sets and hubs the proposal tests.
    ProposePilot {
        campaign: CampaignId,
        size: i32,
        #[serde(default)]
        seed: i64,
        at: DateTime<Utc>,
    },
    /// The pilot's status per participant: its hubs by where their upgrade stands.
    PilotStatus { campaign: CampaignId },
    /// `campaign`'s progress at `at` by configuration set: eligible, upgradeable, waiting,
    /// dispatched, succeeded, failed.
    CampaignProgress {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    /// Hubs by firmware: a customer's; without `customer`, the industry's (the DCC's only).
    EstateByFirmware {
        #[serde(default)]
        customer: Option<CustomerId>,
    },
    /// The asker's notifications not yet acknowledged, oldest first (at most `limit`).
    Notifications {
        #[serde(default = "thousand")]
        limit: i64,
    },
    /// The defect flags the asker may see (the flagging customer never named to another).
    DefectFlags {},
    /// The asker's business rules, retired ones included (nobody else's).
    Rules {},
    /// What `rule` would do on the asker's estate at `at` if it were saved now (refused as
    /// saving it would be).
    DryRunRule {
        rule: crate::model::rules::RuleSpec,
        at: DateTime<Utc>,
    },
}

/// The answer to a [`Query`]: the view it asked for. Serialized as that view alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Answer {
    Hub(Box<HubView>),
    Hubs(Vec<HubView>),
    HubPage(HubPage),
    ConfigurationSets(Vec<ConfigSetCount>),
    Dpl(Vec<crate::read::DplEntry>),
    RetirementEvidence(crate::read::RetirementEvidence),
    DplHistory(Vec<crate::read::DplDay>),
    DplPie(Vec<crate::read::report::PieSlice>),
    Report(String),
    IndustryShares(Vec<crate::read::SharesDay>),
    Trends(Vec<crate::read::Trend>),
    Campaign(Box<CampaignView>),
    Campaigns(Vec<CampaignView>),
    Variants(Vec<Variant>),
    FirmwareVersions(Vec<FirmwareView>),
    Versions(Vec<FirmwareVersion>),
    Explanation(Explanation),
    UpgradePage(UpgradePage),
    Participation(Box<ParticipationView>),
    Participations(Vec<ParticipationView>),
    PilotProposal(crate::read::participation::PilotProposal),
    PilotStatus(PilotStatus),
    Progress(Vec<SetProgress>),
    EstateByFirmware(Vec<FirmwareCount>),
    Notifications(NotificationPage),
    DefectFlags(Vec<DefectView>),
    Rules(Vec<crate::model::rules::RuleView>),
    DryRun(crate::model::rules::DryRun),
}

fn thousand_events() -> i64 {
    1_000
}

/// A columnar question: every bulk view an actor can ask for as Arrow, answered by one entry,
/// `Engine::query_arrow` (feature `arrow`), so a binding has one columnar method, not one per
/// view. Each answers what the row query of the same name answers, scoped the same way. JSON:
/// `{"name": "upgrade_list", "region": "north", "at": "2026-01-04T09:00:00Z"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum ColumnarQuery {
    /// The whole upgrade list of `region` at `at` (the rows `upgrade_list` pages, in order):
    /// `hub`, `campaign`, `next_version`, `target`, `nominated`, `variant`, `firmware`,
    /// `configuration_set`. For the region's CSP and the DCC.
    UpgradeList { region: Region, at: DateTime<Utc> },
    /// Every hub `customer` supplies, as the asker may see it (the hub view's columns
    /// flattened), in batches of `ESTATE_BATCH_ROWS`.
    CustomerEstate { customer: CustomerId },
    /// Configuration sets with their hub counts (the Deployed Products List): a customer's, or
    /// with no customer the industry's (the DCC only).
    ConfigurationSets {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
    },
    /// Hubs by firmware version: a customer's, or with no customer the industry's.
    EstateByFirmware {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
    },
    /// The Deployed Products List from `from` to `to`, a row per day and set: `day`,
    /// `configuration_set`, `label`, `hubs`. Scoped as the row query `dpl_history`.
    DplHistory {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// The industry's shares from `from` to `to`, a row per day, variant and set shown and
    /// one for "other" (`configuration_set` null): `day`, `variant`, `as_of`,
    /// `configuration_set`, `label`, `share_bp`. As the row query `industry_shares`.
    IndustryShares { from: NaiveDate, to: NaiveDate },
    /// The evidence to retire the pilot, a row per campaign and configuration set: `campaign`,
    /// `target`, `configuration_set`, `label`, `finding`, and `pilot_*` and `rollout_*` for
    /// `hubs`, `succeeded`, `failed`, `timed_out`, `han_issues`, `defect_flags`, `halts`. As
    /// the row query `retirement_evidence`.
    RetirementEvidence {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        customer: Option<CustomerId>,
    },
    /// A campaign's progress by configuration set at `at`.
    CampaignProgress {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    /// A campaign's upgrade attempts, a row per dispatched hub the asker may see.
    CampaignAttempts { campaign: CampaignId },
    /// Every hub of the campaign's variant the asker may see that is not upgradeable at `at`,
    /// with each blocker as a row.
    Blockers {
        campaign: CampaignId,
        at: DateTime<Utc>,
    },
    /// What `rule` would do on the asker's estate at `at` (the dry run), a row per hub it
    /// would act on and one per act that concerns no hub: `act`, `campaign`, `hub`,
    /// `configuration_set`, `by_set`, `customer`, `until`, `text`. Refused as saving the rule
    /// would be.
    DryRunRule {
        rule: crate::model::rules::RuleSpec,
        at: DateTime<Utc>,
    },
    /// At most `limit` (1 to 100 000; 1 000 by default) recorded events after `after` (0:
    /// from the first): the DCC only. Signed, as every number a binding passes (the JVM has no
    /// unsigned types): a negative one is refused.
    Events {
        #[serde(default)]
        #[cfg_attr(feature = "uniffi", uniffi(default))]
        after: i64,
        #[serde(default = "thousand_events")]
        #[cfg_attr(feature = "uniffi", uniffi(default = 1000))]
        limit: i64,
    },
}
