//! What queries return: plain, serializable values holding only what the asker may see.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::model::campaigns::{HistoryEntry, Phase};
use crate::model::catalogue::Gate;
use crate::model::estate::{ConfigurationSet, ConsumerFlags, SmiStatus};

/// Who holds a supply role on a hub, as the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "visibility", content = "customer", rename_all = "snake_case")]
pub enum SupplierView {
    /// Nobody holds the role.
    Vacant,
    /// Somebody holds it whom the asker may not know (the other supplier of a split-supply hub;
    /// any supplier, to a CSP).
    Hidden,
    Known(CustomerId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigSetCount {
    pub configuration_set: ConfigurationSet,
    pub hubs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubView {
    pub id: HubId,
    pub region: Region,
    pub variant: VariantId,
    pub firmware: FirmwareVersion,
    pub smi_status: SmiStatus,
    pub import_supplier: SupplierView,
    pub gas_supplier: SupplierView,
    /// The import supplier's consumer flags: shown to the DCC and to that supplier only.
    pub import_flags: Option<ConsumerFlags>,
    pub gas_flags: Option<ConsumerFlags>,
    pub split_supply: bool,
    pub installed_on: NaiveDate,
    pub commissioned_on: Option<NaiveDate>,
    pub configuration_set: ConfigurationSet,
}

/// One page of a customer's estate; `next` is the cursor of the page after it (`None`: this is
/// the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubPage {
    pub hubs: Vec<HubView>,
    pub next: Option<HubId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CutoffView {
    pub customer: CustomerId,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CampaignView {
    pub id: CampaignId,
    pub variant: VariantId,
    pub region: Region,
    pub target: FirmwareVersion,
    pub phase: Phase,
    /// While suspended: the phase a resume returns to.
    pub resume_to: Option<Phase>,
    pub default_cutoff: DateTime<Utc>,
    /// To the DCC: the customers whose cut-off was extended. To a customer: its own cut-off,
    /// extended or not. To a CSP: nothing (it does not learn who the customers are).
    pub cutoffs: Vec<CutoffView>,
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GateView {
    pub gate: Gate,
    pub at: DateTime<Utc>,
    /// `None` where the recorder is a customer the asker may not know.
    pub by: Option<Actor>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FirmwareView {
    pub version: FirmwareVersion,
    pub upgrades_from: Vec<FirmwareVersion>,
    pub on_production_cpl: bool,
    pub gates: Vec<GateView>,
}
