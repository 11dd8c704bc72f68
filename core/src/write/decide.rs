//! Lookups and checks shared by several commands' decisions. Pure: read the state only.

use super::event::{CampaignPhaseChanged, EstateLoaded};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, RowError};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, FirmwareVersion, VariantId};
use crate::model::campaigns::{Phase, Transition};
use crate::model::catalogue::{FirmwareIdx, VariantIdx};
use crate::model::estate::EstateTable;
use crate::model::state::State;
use crate::write::event::EventPayload;

impl State {
    pub(super) fn variant_idx(&self, id: &VariantId) -> Result<VariantIdx, Error> {
        self.catalogue
            .variant_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Variant, id))
    }

    pub(super) fn firmware_idx(
        &self,
        v: VariantIdx,
        variant: &VariantId,
        version: &FirmwareVersion,
    ) -> Result<FirmwareIdx, Error> {
        self.catalogue
            .firmware_idx(v, version)
            .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{version}")))
    }

    pub(super) fn require_region_csp(
        &self,
        actor: &Actor,
        v: VariantIdx,
        action: &str,
    ) -> Result<(), Error> {
        let region = self.catalogue.variant(v).region;
        if *actor == Actor::Csp(region) {
            Ok(())
        } else {
            Err(Error::not_permitted(
                actor,
                action,
                format!("only the CSP of the {region} region may do this for its variants"),
            ))
        }
    }

    /// A bulk load: every bad hub reported at once, by row, and the event only if none is.
    pub(super) fn decide_load(&self, mut table: EstateTable) -> Result<EventPayload, Error> {
        self.check_load(&table)?;
        table.drop_empty_columns();
        Ok(EventPayload::EstateLoaded(EstateLoaded { table }))
    }

    /// Checks a bulk load as `decide` and a replay both must: the table whole, then every hub,
    /// each bad one a row of one `BulkRejected`.
    pub(super) fn check_load(&self, table: &EstateTable) -> Result<(), Error> {
        let bad = self.estate.check_table(&self.catalogue, table)?;
        if bad.is_empty() {
            return Ok(());
        }
        Err(Error::BulkRejected {
            rows: bad
                .into_iter()
                .map(|(row, e)| RowError {
                    row,
                    reason: e.to_string(),
                })
                .collect(),
        })
    }

    pub(super) fn transition(
        &self,
        id: &CampaignId,
        transition: Transition,
        reason: Option<String>,
    ) -> Result<EventPayload, Error> {
        let campaign = self.campaign_for(&Actor::Dcc, id)?;
        let to = transition
            .target(campaign.phase, campaign.resume_to)
            .ok_or_else(|| Error::IllegalTransition {
                campaign: id.to_string(),
                current: campaign.phase,
                attempted: transition,
            })?;
        if matches!(transition, Transition::Suspend | Transition::Cancel)
            && reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            return Err(Error::invalid_input(
                "reason",
                format!("a {transition} needs a reason"),
            ));
        }
        debug_assert!(to != Phase::Draft);
        Ok(EventPayload::CampaignPhaseChanged(CampaignPhaseChanged {
            campaign: id.clone(),
            from: campaign.phase,
            to,
            reason,
            figures: None,
        }))
    }
}
