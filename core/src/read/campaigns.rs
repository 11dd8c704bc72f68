//! Campaigns as each party may see them: one campaign with its cut-offs and history, or all.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, Region, VariantId};
use crate::model::campaigns::{CampaignChange, HistoryEntry, Phase};
use crate::model::participation::CampaignPolicy;
use crate::model::rollout::PilotPacing;
use crate::model::state::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One customer's cut-off in a campaign, where it differs from the campaign's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CutoffView {
    pub customer: CustomerId,
    pub until: DateTime<Utc>,
}

/// A campaign as the asker may see it: its variant, region, target, phase, cut-offs, history,
/// policy and the CSP's pilot pacing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The DCC's policy as it stands (changed by `change_campaign_policy`).
    pub policy: CampaignPolicy,
    /// How the CSP paces the pilot within it (`set_pilot_pacing`).
    pub pilot_pacing: PilotPacing,
}

impl State {
    /// One campaign with its phase, cut-offs and history, as `actor` may see them: a
    /// customer sees its own cut-off and none of another customer's extensions.
    pub fn campaign(&self, actor: &Actor, id: &CampaignId) -> Result<CampaignView, Error> {
        let c = self.campaign_for(actor, id)?;
        let me = self.customer_of(actor);
        let variant = self.catalogue.variant(c.variant);
        let cutoffs = match actor {
            // The CSP acts on each hub's effective cut-off, never on who the customer is.
            Actor::Csp(_) | Actor::System => Vec::new(),
            Actor::Dcc => c
                .cutoff_extensions
                .iter()
                .filter_map(|(idx, until)| {
                    self.estate.customer(*idx).map(|cust| CutoffView {
                        customer: cust.clone(),
                        until: *until,
                    })
                })
                .collect(),
            Actor::Customer(cust) => vec![CutoffView {
                customer: cust.clone(),
                until: me.map(|m| c.cutoff_for(m)).unwrap_or(c.default_cutoff),
            }],
        };
        let history = c
            .history
            .iter()
            .filter(|h| match (&h.change, actor) {
                (CampaignChange::CutoffExtended { customer, .. }, Actor::Customer(me)) => {
                    customer == me
                }
                (CampaignChange::CutoffExtended { .. }, Actor::Csp(_)) => false,
                // A customer learns of a set's pause by notice when it has hubs on the set;
                // the history would tell it of sets only others supply.
                (
                    CampaignChange::DispatchesPaused { set: Some(_), .. }
                    | CampaignChange::DispatchesResumed { set: Some(_) },
                    Actor::Customer(_),
                ) => false,
                _ => true,
            })
            .map(|h| HistoryEntry {
                seq: h.seq.filter(|_| *actor == Actor::Dcc),
                ..h.clone()
            })
            .collect();
        Ok(CampaignView {
            id: c.id.clone(),
            variant: variant.id.clone(),
            region: variant.region,
            target: self.catalogue.fw(c.target).version.clone(),
            phase: c.phase,
            resume_to: c.resume_to,
            default_cutoff: c.default_cutoff,
            cutoffs,
            history,
            policy: c.policy.clone(),
            pilot_pacing: c.rollout.pilot_pacing,
        })
    }

    /// The campaigns `actor` may see (a CSP: its region's), by id.
    pub fn campaigns(&self, actor: &Actor) -> Vec<CampaignView> {
        self.campaigns
            .keys()
            .filter_map(|id| self.campaign(actor, id).ok())
            .collect()
    }
}
