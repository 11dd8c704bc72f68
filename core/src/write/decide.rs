//! Lookups and checks shared by several commands' decisions. Pure: read the state only.

use super::event::{CampaignPhaseChanged, EstateLoaded};
use crate::kernel::error::{Entity, Error, RowError, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::kernel::limits;
use crate::model::campaigns::{Campaign, Phase, Transition};
use crate::model::catalogue::{FirmwareIdx, VariantIdx};
use crate::model::defects::{DefectFlag, DefectSubject, Resolved};
use crate::model::estate::{ConfigurationSet, CustomerIdx, EstateTable, NO_CUSTOMER};
use crate::model::participation::HubRefusal;
use crate::model::state::State;
use crate::write::event::EventPayload;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashSet};

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

    /// A campaign may start or resume only while its target is on the production CPL (a
    /// recalled version's campaigns wait until its gates are passed again).
    pub(super) fn require_target_on_cpl(&self, id: &CampaignId) -> Result<(), Error> {
        let c = self.campaign_for(&Actor::Dcc, id)?;
        let fw = self.catalogue.fw(c.target);
        if fw.on_production_cpl() {
            return Ok(());
        }
        Err(Error::precondition(
            Rule::NotOnProductionCpl,
            format!(
                "{id}'s target {} is not on the production CPL (its gates were withdrawn: {})",
                fw.version,
                fw.withdrawals
                    .last()
                    .map_or("none recorded".to_string(), |w| w.reason.clone())
            ),
        ))
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

/// The hubs a bulk command took, and those it refused with why.
pub(super) struct Sorted {
    pub(super) taken: Vec<HubId>,
    pub(super) refused: Vec<HubRefusal>,
    rows: Vec<RowError>,
}

impl Sorted {
    pub(super) fn sort(
        hubs: &[HubId],
        mut check: impl FnMut(HubId) -> Result<(), String>,
    ) -> Result<Sorted, Error> {
        if hubs.is_empty() {
            return Err(Error::invalid_input("hubs", "name at least one hub"));
        }
        limits::count("hubs", hubs.len(), limits::MAX_HUBS_PER_COMMAND)?;
        // A hub listed again is taken (or refused) once: repetition costs nothing twice.
        let mut seen = HashSet::with_capacity(hubs.len());
        let mut out = Sorted {
            taken: Vec::new(),
            refused: Vec::new(),
            rows: Vec::new(),
        };
        for (row, &hub) in hubs.iter().enumerate() {
            if !seen.insert(hub) {
                continue;
            }
            match check(hub) {
                Ok(()) => out.taken.push(hub),
                Err(reason) => {
                    out.rows.push(RowError {
                        row,
                        reason: format!("hub {hub}: {reason}"),
                    });
                    out.refused.push(HubRefusal { hub, reason });
                }
            }
        }
        if out.taken.is_empty() {
            return Err(Error::BulkRejected { rows: out.rows });
        }
        Ok(out)
    }
}

impl State {
    /// The asking customer, known to the estate (a customer with no hubs has nothing to say).
    pub(super) fn participant(
        &self,
        actor: &Actor,
        action: &str,
    ) -> Result<(CustomerIdx, CustomerId), Error> {
        let Actor::Customer(id) = actor else {
            return Err(Error::not_permitted(
                actor,
                action,
                "only a DCC Customer does this, for the hubs it supplies",
            ));
        };
        let idx = self
            .estate
            .customer_idx(id)
            .ok_or_else(|| Error::not_found(Entity::Customer, id))?;
        Ok((idx, id.clone()))
    }

    /// The campaign, in a phase that takes participation (Pilot or Mass rollout, or suspended
    /// from one of them); with `pilot_only`, only the pilot's.
    pub(super) fn open_campaign(
        &self,
        actor: &Actor,
        id: &CampaignId,
        pilot_only: bool,
    ) -> Result<&Campaign, Error> {
        let c = self.campaign_for(actor, id)?;
        let rules = c.resume_to.unwrap_or(c.phase);
        let ok = if pilot_only {
            rules == Phase::Pilot
        } else {
            matches!(rules, Phase::Pilot | Phase::MassRollout)
        };
        if !ok {
            return Err(Error::precondition(
                Rule::CampaignPhase,
                format!(
                    "campaign {id} is {}; this is taken {}",
                    c.phase,
                    if pilot_only {
                        "during the pilot"
                    } else {
                        "during the pilot or mass rollout"
                    }
                ),
            ));
        }
        Ok(c)
    }

    /// The position of a hub `me` supplies, or the per-hub reason it is not one of its hubs.
    pub(super) fn my_hub(&self, actor: &Actor, hub: HubId) -> Result<usize, String> {
        self.hub_for(actor, hub)
            .map(|(pos, _)| pos)
            .map_err(|_| "not one of your hubs".to_string())
    }

    /// What stands between the pilot and OA for mass rollout at `at`: the assessment period,
    /// each participant without a verdict whose cut-off has not passed, and each verdict that
    /// found issues (decision 24: only the DCC's override reason lets mass rollout past it).
    pub(super) fn missing_assessment(&self, c: &Campaign, at: DateTime<Utc>) -> Vec<String> {
        let mut missing = Vec::new();
        if let Some(start) = c.pilot_started {
            // Checked: a period that ends past the calendar's end never ends.
            match start.checked_add_signed(Duration::days(i64::from(c.policy.min_assessment_days)))
            {
                Some(ends) if at < ends => {
                    missing.push(format!("the assessment period, which ends {ends}"))
                }
                None => missing.push("the assessment period, which never ends".to_string()),
                Some(_) => {}
            }
        }
        for (&customer, hubs) in &c.consents.nominations {
            if !hubs.is_empty()
                && !c.consents.verdicts.contains_key(&customer)
                && at < c.cutoff_for(customer)
                && customer != NO_CUSTOMER
            {
                let name = self
                    .estate
                    .customer(customer)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                missing.push(format!("a pilot verdict from {name}"));
            }
        }
        for (&customer, (verdict, _)) in &c.consents.verdicts {
            if let crate::model::participation::PilotVerdict::IssuesFound { text } = verdict {
                let name = self
                    .estate
                    .customer(customer)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                missing.push(format!("the issues {name} found in the pilot ({text})"));
            }
        }
        missing
    }

    /// The interned configuration set equal to `set`, if any hub ever had it.
    /// The configuration sets `me` has at least one hub on now.
    pub(crate) fn configs_supplied_by(&self, me: CustomerIdx) -> HashSet<u32> {
        self.estate
            .hubs_of(me, 0)
            .map(|p| self.estate.hubs[p].config)
            .collect()
    }

    pub(crate) fn find_config(&self, set: &ConfigurationSet) -> Option<u32> {
        let variant = self.catalogue.variant_idx(&set.variant)?;
        let firmware = self.catalogue.firmware_idx(variant, &set.firmware)?;
        let mut devices = [crate::model::estate::NO_DEVICE; 5];
        for (slot, kind) in devices
            .iter_mut()
            .zip(crate::model::estate::HanDeviceKind::ALL)
        {
            if let Some(d) = set.devices.get(kind) {
                *slot = self.estate.devices.get(d)?;
            }
        }
        self.estate.configs.get(&crate::model::estate::ConfigSet {
            variant,
            firmware,
            devices,
        })
    }

    /// The campaign an outcome report is about, if `actor` is the CSP of its region.
    pub(super) fn reporting_campaign(
        &self,
        actor: &Actor,
        id: &CampaignId,
        action: &str,
    ) -> Result<&Campaign, Error> {
        // Another region's campaign does not exist for a CSP (docs/domain.md decision 13).
        let c = self.campaign_for(actor, id)?;
        if !matches!(actor, Actor::Csp(_)) {
            return Err(Error::not_permitted(
                actor,
                action,
                "only the CSP of the campaign's region reports outcomes of its hubs",
            ));
        }
        Ok(c)
    }

    /// A campaign that halts and holds apply to: started and not closed.
    pub(super) fn live_campaign(&self, actor: &Actor, id: &CampaignId) -> Result<&Campaign, Error> {
        let c = self.campaign_for(actor, id)?;
        if matches!(c.phase, Phase::Draft | Phase::Completed | Phase::Cancelled) {
            return Err(Error::precondition(
                Rule::CampaignPhase,
                format!(
                    "campaign {id} is {}; halts apply once it started and until it closes",
                    c.phase
                ),
            ));
        }
        Ok(c)
    }

    /// A configuration set of the campaign's variant as the region's CSP may name it: a set of
    /// another region's variant does not exist to it (nor does its wrong variant).
    pub(super) fn csp_campaign_set(
        &self,
        c: &Campaign,
        set: &ConfigurationSet,
        region: crate::kernel::ids::Region,
    ) -> Result<u32, Error> {
        let theirs = self.find_config(set).is_some_and(|cfg| {
            self.catalogue
                .variant(self.estate.configs.resolve(cfg).variant)
                .region
                != region
        });
        if theirs {
            return Err(Error::not_found(Entity::ConfigurationSet, set.key()));
        }
        self.campaign_set(c, set, None)
    }

    /// A configuration set of the campaign's variant (for a customer: one it has hubs on, so
    /// that it learns nothing of others' sets).
    pub(super) fn campaign_set(
        &self,
        c: &Campaign,
        set: &ConfigurationSet,
        customer: Option<CustomerIdx>,
    ) -> Result<u32, Error> {
        let not_found = || Error::not_found(Entity::ConfigurationSet, set.key());
        let cfg = self.find_config(set).ok_or_else(not_found)?;
        if let Some(me) = customer {
            if !self
                .estate
                .hubs_of(me, 0)
                .any(|p| self.estate.hubs[p].config == cfg)
            {
                return Err(not_found());
            }
        }
        if self.estate.configs.resolve(cfg).variant != c.variant {
            return Err(Error::precondition(
                Rule::WrongVariant,
                format!("{} is not of {}'s variant", set.key(), c.id),
            ));
        }
        Ok(cfg)
    }

    pub(crate) fn resolve_subject(
        &self,
        subject: &DefectSubject,
        customer: Option<CustomerIdx>,
    ) -> Result<Resolved, Error> {
        match subject {
            DefectSubject::ConfigurationSet { set } => {
                let not_found = || Error::not_found(Entity::ConfigurationSet, set.key());
                let cfg = self.find_config(set).ok_or_else(not_found)?;
                if let Some(me) = customer {
                    if !self
                        .estate
                        .hubs_of(me, 0)
                        .any(|p| self.estate.hubs[p].config == cfg)
                    {
                        return Err(not_found());
                    }
                }
                Ok(Resolved::Config(cfg))
            }
            DefectSubject::Firmware { variant, version } => {
                let v = self
                    .catalogue
                    .variant_idx(variant)
                    .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
                let f = self.catalogue.firmware_idx(v, version).ok_or_else(|| {
                    Error::not_found(Entity::Firmware, format!("{variant}@{version}"))
                })?;
                Ok(Resolved::Firmware(f))
            }
        }
    }

    pub(super) fn defect(&self, flag: i64) -> Result<&DefectFlag, Error> {
        self.defects
            .iter()
            .find(|d| d.id == flag)
            .ok_or_else(|| Error::not_found(Entity::DefectFlag, flag))
    }

    /// Customers supplying hubs of the campaign's variant, in id order.
    pub(crate) fn customers_of_variant(&self, c: &Campaign) -> Vec<CustomerIdx> {
        let mut seen = BTreeSet::new();
        for h in self.estate.hubs.iter().filter(|h| h.variant == c.variant) {
            for s in [h.import_supplier, h.gas_supplier] {
                if s != NO_CUSTOMER {
                    seen.insert(s);
                }
            }
        }
        let mut out: Vec<CustomerIdx> = seen.into_iter().collect();
        out.sort_by(|a, b| self.estate.customer(*a).cmp(&self.estate.customer(*b)));
        out
    }
}
