//! Status views: pilot status per customer, campaign progress by configuration set, a
//! customer's estate by firmware version, an actor's notifications and the defect flags it may
//! see. Each is scoped to the asker as docs/domain.md's actor table says.

use std::collections::BTreeSet;

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, VariantId};
use crate::model::campaigns::Phase;
use crate::model::catalogue::FirmwareIdx;
use crate::model::defects::{DefectView, Resolved};
use crate::model::estate::{ConfigurationSet, CustomerIdx, NO_CUSTOMER};
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
    pub hubs: u64,
    /// Not dispatched yet.
    pub waiting: u64,
    pub dispatched: u64,
    pub delivered: u64,
    pub activated: u64,
    pub no_response: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Upgraded hubs a supplier reported a bad HAN on.
    pub health_issues: u64,
}

impl UpgradeCounts {
    fn add(&mut self, state: Option<UpgradeState>, health_bad: bool) {
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
        self.health_issues += u64::from(health_bad);
    }
}

/// One participant's row of the pilot status (the customer unnamed to a CSP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PilotStatusRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<CustomerId>,
    #[serde(flatten)]
    pub counts: UpgradeCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PilotStatus {
    pub campaign: CampaignId,
    pub phase: Phase,
    /// Over the rows shown.
    pub total: UpgradeCounts,
    pub rows: Vec<PilotStatusRow>,
}

/// Campaign progress for one configuration set (hubs counted under the set they had when
/// first dispatched). `eligible` = `upgradeable_now` + `awaiting_consent` + `blocked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetProgress {
    pub set: ConfigurationSet,
    pub hubs: u64,
    pub eligible: u64,
    pub upgradeable_now: u64,
    /// Waiting only for consent (or, in the pilot, a nomination).
    pub awaiting_consent: u64,
    /// Held back by something else: a rejection, a hold or halt, a defect flag, pacing.
    pub blocked: u64,
    /// In flight.
    pub dispatched: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Already on the target, with no pathway, or not commissioned.
    pub not_applicable: u64,
}

/// Hubs on one firmware version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FirmwareCount {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub hubs: u64,
}

impl State {
    /// The pilot's status per participant: the DCC sees every row named, the campaign's CSP
    /// every row unnamed, a customer its own row. A participant's hubs are those it nominated
    /// and those of its hubs with an upgrade in this campaign.
    pub fn pilot_status(&self, actor: &Actor, campaign: &CampaignId) -> Result<PilotStatus, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let only = match actor {
            Actor::Customer(_) => Some(self.customer_of(actor).unwrap_or(NO_CUSTOMER)),
            _ => None,
        };
        let mut rows: BTreeMap<CustomerIdx, UpgradeCounts> = BTreeMap::new();
        let mut total = UpgradeCounts::default();
        for (pos, h) in self.estate.hubs.iter().enumerate() {
            if h.variant != c.variant {
                continue;
            }
            let p = pos as u32;
            let record = c.rollout.upgrades.get(&p);
            let mut counted = false;
            let suppliers = if h.gas_supplier == h.import_supplier {
                [h.import_supplier, NO_CUSTOMER]
            } else {
                [h.import_supplier, h.gas_supplier]
            };
            for s in suppliers {
                if s == NO_CUSTOMER || only.is_some_and(|o| o != s) {
                    continue;
                }
                if record.is_some() || c.consents.nominated_by(s, p) {
                    let (state, bad) = (
                        record.map(|u| u.state),
                        record.is_some_and(|u| u.health_bad),
                    );
                    rows.entry(s).or_default().add(state, bad);
                    if !counted {
                        total.add(state, bad);
                        counted = true;
                    }
                }
            }
        }
        let mut rows: Vec<PilotStatusRow> = rows
            .into_iter()
            .map(|(s, counts)| PilotStatusRow {
                customer: match actor {
                    Actor::Csp(_) => None,
                    _ => self.estate.customer(s).cloned(),
                },
                counts,
            })
            .collect();
        match actor {
            // Unnamed rows in an order that says nothing of who they are.
            Actor::Csp(_) => rows.sort_by(|a, b| {
                (b.counts.hubs, b.counts.succeeded, b.counts.failed).cmp(&(
                    a.counts.hubs,
                    a.counts.succeeded,
                    a.counts.failed,
                ))
            }),
            _ => rows.sort_by(|a, b| a.customer.cmp(&b.customer)),
        }
        Ok(PilotStatus {
            campaign: c.id.clone(),
            phase: c.phase,
            total,
            rows,
        })
    }

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

    /// Hubs by firmware version: a customer's own estate (the DCC: anyone's), or with no
    /// customer the industry's (DCC only).
    pub fn estate_by_firmware(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<Vec<FirmwareCount>, Error> {
        // A customer unknown to the estate has no hubs.
        let only = self
            .estate_scope(actor, customer)?
            .map(|c| c.unwrap_or(NO_CUSTOMER));
        let mut counts: BTreeMap<FirmwareIdx, u64> = BTreeMap::new();
        for pos in self.estate.scope(only) {
            *counts.entry(self.estate.hubs[pos].firmware).or_default() += 1;
        }
        let mut out: Vec<FirmwareCount> = counts
            .into_iter()
            .map(|(f, hubs)| {
                let fw = self.catalogue.fw(f);
                FirmwareCount {
                    variant: self.catalogue.variant(fw.variant).id.clone(),
                    version: fw.version.clone(),
                    hubs,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.variant, &a.version).cmp(&(&b.variant, &b.version)));
        Ok(out)
    }

    /// The defect flags `actor` may see: the DCC all (flaggers named); a CSP those on its
    /// region's variants; a customer its own and those on configuration sets it has hubs on or
    /// firmware of variants it has hubs of (flaggers named where they chose to be).
    pub fn defect_flags(&self, actor: &Actor) -> Result<Vec<DefectView>, Error> {
        let me = self.customer_of(actor);
        // A customer's variants and sets, from one pass over its own hubs: each flag is then one
        // look-up, so the answer costs what the asker's hubs and the open flags do, never a
        // scan of the asker's hubs per flag (others' flags must not slow it: decision 13).
        let (mut my_variants, mut my_sets) = (BTreeSet::new(), BTreeSet::new());
        if let (Actor::Customer(_), Some(m)) = (actor, me) {
            for p in self.estate.hubs_of(m, 0) {
                let h = &self.estate.hubs[p];
                my_variants.insert(h.variant);
                my_sets.insert(h.config);
            }
        }
        let mut out = Vec::new();
        for d in &self.defects {
            let variant = match d.resolved {
                Resolved::Config(cfg) => self.estate.configs.resolve(cfg).variant,
                Resolved::Firmware(f) => self.catalogue.fw(f).variant,
            };
            let yours = me == Some(d.customer);
            let visible = match actor {
                Actor::Dcc => true,
                Actor::Csp(r) => self.catalogue.variant(variant).region == *r,
                Actor::System => false,
                Actor::Customer(_) => {
                    yours
                        || match d.resolved {
                            Resolved::Config(cfg) => my_sets.contains(&cfg),
                            Resolved::Firmware(_) => my_variants.contains(&variant),
                        }
                }
            };
            if !visible {
                continue;
            }
            let dcc = *actor == Actor::Dcc;
            out.push(DefectView {
                flag: d.id,
                subject: d.subject.clone(),
                text: d.text.clone(),
                flagged_by: (dcc || d.named || yours)
                    .then(|| self.estate.customer(d.customer).cloned())
                    .flatten(),
                yours,
                suspending: (dcc || yours).then_some(d.suspending),
                at: d.at,
            });
        }
        Ok(out)
    }
}
