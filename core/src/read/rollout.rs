//! A campaign's progress by configuration set: where each hub's upgrade stands.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CampaignId;
use crate::model::estate::{ConfigurationSet, NO_CUSTOMER};
use crate::model::rollout::UpgradeState;
use crate::model::state::State;
use crate::write::eligibility::Raw;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Hubs by where their upgrade stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpgradeCounts {
    pub hubs: i64,
    /// Not dispatched yet.
    pub waiting: i64,
    pub dispatched: i64,
    pub delivered: i64,
    pub activated: i64,
    pub no_response: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// Upgraded hubs a supplier reported a bad HAN on.
    pub health_issues: i64,
}

impl UpgradeCounts {
    pub(crate) fn add(&mut self, state: Option<UpgradeState>, health_bad: bool) {
        self.hubs += 1;
        match state {
            None => self.waiting += 1,
            Some(UpgradeState::Dispatched) => self.dispatched += 1,
            Some(UpgradeState::Delivered) => self.delivered += 1,
            Some(UpgradeState::Activated) => self.activated += 1,
            Some(UpgradeState::NoResponse) => self.no_response += 1,
            Some(UpgradeState::Succeeded) => self.succeeded += 1,
            Some(UpgradeState::Failed) => self.failed += 1,
        }
        self.health_issues += i64::from(health_bad);
    }
}

/// Campaign progress for one configuration set (hubs counted under the set they had when
/// first dispatched). `eligible` = `upgradeable_now` + `awaiting_consent` + `blocked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetProgress {
    pub set: ConfigurationSet,
    pub hubs: i64,
    pub eligible: i64,
    pub upgradeable_now: i64,
    /// Waiting only for consent (or, in the pilot, a nomination).
    pub awaiting_consent: i64,
    /// Held back by something else: a rejection, a hold or halt, a defect flag, pacing.
    pub blocked: i64,
    /// In flight.
    pub dispatched: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// Already on the target, with no pathway, or not commissioned.
    pub not_applicable: i64,
}

impl State {
    /// The campaign's progress by configuration set at `at`: the DCC and the campaign's CSP
    /// over every hub of its variant, a customer over its own.
    pub fn campaign_progress(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        at: DateTime<Utc>,
    ) -> Result<Vec<SetProgress>, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let only = match actor {
            Actor::Customer(_) => Some(self.customer_of(actor).unwrap_or(NO_CUSTOMER)),
            _ => None,
        };
        let ctx = self.campaign_ctx(c, at);
        let mut sets: BTreeMap<u32, SetProgress> = BTreeMap::new();
        let mut raw = Vec::new();
        for pos in self.estate.scope(only) {
            let h = &self.estate.hubs[pos];
            if h.variant != c.variant {
                continue;
            }
            let record = c.rollout.upgrades.get(&(pos as u32));
            let cfg = record.map_or(h.config, |u| u.origin_config);
            let entry = sets.entry(cfg).or_insert_with(|| SetProgress {
                set: self.configuration_set(cfg),
                hubs: 0,
                eligible: 0,
                upgradeable_now: 0,
                awaiting_consent: 0,
                blocked: 0,
                dispatched: 0,
                succeeded: 0,
                failed: 0,
                not_applicable: 0,
            });
            entry.hubs += 1;
            match record.map(|u| u.state) {
                Some(s) if s.in_flight() => entry.dispatched += 1,
                Some(UpgradeState::Succeeded) => entry.succeeded += 1,
                Some(_) => entry.failed += 1,
                None => {
                    raw.clear();
                    self.blockers(&ctx, pos, false, &mut raw);
                    let intrinsic = raw.iter().any(|r| {
                        matches!(
                            r,
                            Raw::WrongVariant
                                | Raw::OnTarget
                                | Raw::NoPathway
                                | Raw::NotCommissioned(_)
                        )
                    });
                    if intrinsic {
                        entry.not_applicable += 1;
                        continue;
                    }
                    entry.eligible += 1;
                    if raw.is_empty() {
                        entry.upgradeable_now += 1;
                    } else if raw
                        .iter()
                        .all(|r| matches!(r, Raw::Awaiting(..) | Raw::NotInPilot))
                    {
                        entry.awaiting_consent += 1;
                    } else {
                        entry.blocked += 1;
                    }
                }
            }
        }
        let mut out: Vec<SetProgress> = sets.into_values().collect();
        out.sort_by_key(|s| s.set.key());
        Ok(out)
    }
}
