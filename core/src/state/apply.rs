//! Event to state change. Live events were checked by `decide`; replayed ones come from a file
//! and may be anything, so `apply` never panics: a reference it cannot resolve, or a bulk load
//! with a bad row, is an error before anything of that event is changed.

use std::collections::{BTreeMap, HashMap};

use super::State;
use crate::campaign::{Campaign, CampaignChange, HistoryEntry, Phase};
use crate::catalogue::{FirmwareEntry, Gate, GateRecord};
use crate::error::{Entity, Rule};
use crate::estate::{days_from_date, EstateTable, SmiStatus, SupplyRole, NO_CUSTOMER};
use crate::event::{Event, EventPayload};
use crate::ids::HubId;
use crate::Error;

impl State {
    /// Applies one event read from a log, verifying it can be applied. A failure names the
    /// event's sequence number in a [`Error::CorruptLog`] and leaves the state as it was.
    pub fn apply(&mut self, event: &Event) -> Result<(), Error> {
        self.apply_checked(event, true).map_err(|e| match e {
            Error::CorruptLog { .. } => e,
            other => Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "event {} ({}) cannot be applied: {other}",
                    event.seq,
                    event.payload.type_name()
                ),
            },
        })
    }

    /// Applies an event just produced by `decide` on this state (its checks already ran).
    pub(crate) fn apply_decided(&mut self, event: &Event) -> Result<(), Error> {
        self.apply_checked(event, false)
    }

    fn apply_checked(&mut self, event: &Event, verify: bool) -> Result<(), Error> {
        if event.seq != self.last_seq + 1 {
            return Err(Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "expected event {} next, found event {}",
                    self.last_seq + 1,
                    event.seq
                ),
            });
        }
        if let Some(last) = self.last_at.filter(|l| event.at < *l) {
            return Err(Error::CorruptLog {
                line: event.seq,
                reason: format!(
                    "event time {} is before the previous event's ({last})",
                    event.at
                ),
            });
        }
        match &event.payload {
            EventPayload::VariantRegistered { variant } => {
                if self.catalogue.variant_idx(&variant.id).is_some() {
                    return Err(Error::already_exists(Entity::Variant, &variant.id));
                }
                let idx = u16::try_from(self.catalogue.variants.len())
                    .map_err(|_| Error::precondition(Rule::Capacity, "too many variants"))?;
                self.catalogue.variant_index.insert(variant.id.clone(), idx);
                self.catalogue.variants.push((**variant).clone());
                self.catalogue.firmware_of_variant.push(Vec::new());
                self.catalogue.firmware_index.push(HashMap::new());
            }
            EventPayload::FirmwareRegistered {
                variant,
                version,
                upgrades_from,
            } => {
                let v = self
                    .catalogue
                    .variant_idx(variant)
                    .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
                if self.catalogue.firmware_idx(v, version).is_some() {
                    return Err(Error::already_exists(
                        Entity::Firmware,
                        format!("{variant}@{version}"),
                    ));
                }
                let from = upgrades_from
                    .iter()
                    .map(|f| {
                        self.catalogue.firmware_idx(v, f).ok_or_else(|| {
                            Error::not_found(Entity::Firmware, format!("{variant}@{f}"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let idx = u16::try_from(self.catalogue.firmware.len()).map_err(|_| {
                    Error::precondition(Rule::Capacity, "too many firmware versions")
                })?;
                self.catalogue.firmware.push(FirmwareEntry {
                    variant: v,
                    version: version.clone(),
                    upgrades_from: from,
                    gates: Vec::new(),
                    registered_at: event.at,
                });
                self.catalogue.firmware_index[usize::from(v)].insert(version.clone(), idx);
                self.catalogue.firmware_of_variant[usize::from(v)].push(idx);
            }
            EventPayload::GateRecorded {
                variant,
                version,
                gate,
                note,
            } => {
                let v = self
                    .catalogue
                    .variant_idx(variant)
                    .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
                let f = self.catalogue.firmware_idx(v, version).ok_or_else(|| {
                    Error::not_found(Entity::Firmware, format!("{variant}@{version}"))
                })?;
                let gates = &mut self.catalogue.firmware[usize::from(f)].gates;
                if gate.position() != gates.len() {
                    return Err(Error::precondition(
                        Rule::GateOrder,
                        format!("{gate} recorded when {} gates were recorded", gates.len()),
                    ));
                }
                debug_assert_eq!(Gate::ALL[gates.len()], *gate);
                gates.push(GateRecord {
                    gate: *gate,
                    at: event.at,
                    by: event.actor.clone(),
                    note: note.clone(),
                });
            }
            EventPayload::EstateLoaded { table } => self.apply_load(table, verify)?,
            EventPayload::HubInstalled { hub } => {
                self.apply_load(&EstateTable::from_rows([hub.as_ref()]), verify)?
            }
            EventPayload::HubCommissioned { hub, on } => {
                let pos = self.position(*hub)?;
                let rec = &mut self.estate.hubs[pos];
                rec.smi = SmiStatus::Commissioned;
                rec.commissioned = days_from_date(*on);
            }
            EventPayload::SupplierChanged {
                hub,
                role,
                supplier,
                flags,
            } => {
                let pos = self.position(*hub)?;
                let idx = self.estate.intern_customer(supplier.as_ref())?;
                let old = self.estate.hubs[pos].supplier(*role);
                let rec = &mut self.estate.hubs[pos];
                match role {
                    SupplyRole::Import => {
                        rec.import_supplier = idx;
                        rec.import_flags = flags.to_bits();
                    }
                    SupplyRole::Gas => {
                        rec.gas_supplier = idx;
                        rec.gas_flags = flags.to_bits();
                    }
                }
                // A change of supplier voids the old supplier's say on this hub (invariant 7).
                if old != NO_CUSTOMER && !self.estate.hubs[pos].is_supplied_by(old) {
                    for c in self.campaigns.values_mut() {
                        c.consents.forget(old, pos as u32);
                    }
                }
            }
            EventPayload::SmiStatusChanged { hub, to, .. } => {
                let pos = self.position(*hub)?;
                self.estate.hubs[pos].smi = *to;
            }
            EventPayload::HanDeviceFirmwareChanged {
                hub, device, to, ..
            } => {
                let pos = self.position(*hub)?;
                let rec = self.estate.hubs[pos];
                let mut devices = self.estate.devices_of(rec.config);
                let mut changed = devices.get(*device).cloned().ok_or_else(|| {
                    Error::precondition(
                        Rule::HubState,
                        format!("hub {hub} has no {}", device.as_str()),
                    )
                })?;
                changed.firmware = to.clone();
                devices.set(*device, Some(changed));
                self.estate.reconfigure(pos, rec.firmware, &devices)?;
            }
            EventPayload::ConsumerFlagsSet { hub, role, flags } => {
                let pos = self.position(*hub)?;
                let rec = &mut self.estate.hubs[pos];
                match role {
                    SupplyRole::Import => rec.import_flags = flags.to_bits(),
                    SupplyRole::Gas => rec.gas_flags = flags.to_bits(),
                }
            }
            EventPayload::HubDecommissioned { hub, .. } => {
                let pos = self.position(*hub)?;
                self.estate.hubs[pos].smi = SmiStatus::Decommissioned;
            }
            EventPayload::CampaignCreated {
                campaign,
                variant,
                target,
                cutoff,
                policy,
            } => {
                if self.campaigns.contains_key(campaign) {
                    return Err(Error::already_exists(Entity::Campaign, campaign));
                }
                // A log may hold anything: a policy outside its bounds is refused here too.
                policy.check()?;
                let v = self
                    .catalogue
                    .variant_idx(variant)
                    .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
                let t = self.catalogue.firmware_idx(v, target).ok_or_else(|| {
                    Error::not_found(Entity::Firmware, format!("{variant}@{target}"))
                })?;
                self.campaigns.insert(
                    campaign.clone(),
                    Campaign {
                        id: campaign.clone(),
                        variant: v,
                        target: t,
                        phase: Phase::Draft,
                        resume_to: None,
                        default_cutoff: *cutoff,
                        cutoff_extensions: BTreeMap::new(),
                        history: vec![HistoryEntry {
                            seq: Some(event.seq),
                            at: event.at,
                            actor: event.actor.clone(),
                            change: CampaignChange::Created,
                        }],
                        policy: policy.clone(),
                        pilot_started: None,
                        consents: Default::default(),
                        rollout: Default::default(),
                    },
                );
            }
            EventPayload::CampaignPhaseChanged {
                campaign,
                from,
                to,
                reason,
                ..
            } => {
                let c = self
                    .campaigns
                    .get_mut(campaign)
                    .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
                if c.phase != *from {
                    return Err(Error::precondition(
                        Rule::HubState,
                        format!("campaign {campaign} is {}, the event says {from}", c.phase),
                    ));
                }
                if *from == Phase::Suspended {
                    // Resumed: the automatic halt's window starts again.
                    c.rollout.window = Default::default();
                }
                c.resume_to = (*to == Phase::Suspended).then_some(*from);
                c.phase = *to;
                if *to == Phase::Pilot && c.pilot_started.is_none() {
                    c.pilot_started = Some(event.at);
                }
                c.history.push(HistoryEntry {
                    seq: Some(event.seq),
                    at: event.at,
                    actor: event.actor.clone(),
                    change: CampaignChange::PhaseChanged {
                        from: *from,
                        to: *to,
                        reason: reason.clone(),
                    },
                });
            }
            EventPayload::CutoffExtended {
                campaign,
                customer,
                until,
            } => {
                let idx = self
                    .estate
                    .customer_idx(customer)
                    .ok_or_else(|| Error::not_found(Entity::Customer, customer))?;
                let c = self
                    .campaigns
                    .get_mut(campaign)
                    .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
                c.cutoff_extensions.insert(idx, *until);
                c.history.push(HistoryEntry {
                    seq: Some(event.seq),
                    at: event.at,
                    actor: event.actor.clone(),
                    change: CampaignChange::CutoffExtended {
                        customer: customer.clone(),
                        until: *until,
                    },
                });
            }
            EventPayload::HubsNominated { .. }
            | EventPayload::NominationsWithdrawn { .. }
            | EventPayload::WholeEstateApproved { .. }
            | EventPayload::WholeEstateApprovalWithdrawn { .. }
            | EventPayload::ConfigurationSetsApproved { .. }
            | EventPayload::ConfigurationSetApprovalsWithdrawn { .. }
            | EventPayload::HubsRejected { .. }
            | EventPayload::RejectionsWithdrawn { .. }
            | EventPayload::RejectionsOverridden { .. }
            | EventPayload::PilotVerdictRecorded { .. } => {
                self.apply_participation(&event.payload, event)?
            }
            _ => self.apply_rollout(event, verify)?,
        }
        self.last_seq = event.seq;
        self.last_at = Some(event.at);
        Ok(())
    }

    pub(super) fn position(&self, hub: HubId) -> Result<usize, Error> {
        self.estate
            .position(hub)
            .ok_or_else(|| Error::not_found(Entity::Hub, hub))
    }

    /// Loads hubs; from a log, only after every hub was checked as `decide` checks them.
    fn apply_load(&mut self, table: &EstateTable, verify: bool) -> Result<(), Error> {
        if verify {
            self.check_load(table)?;
        }
        self.estate.insert_table(&self.catalogue, table)
    }
}

impl State {
    /// Applies a participation event; every hub and customer it names must resolve first.
    fn apply_participation(&mut self, payload: &EventPayload, event: &Event) -> Result<(), Error> {
        let campaign_id = match payload {
            EventPayload::HubsNominated { campaign, .. }
            | EventPayload::NominationsWithdrawn { campaign, .. }
            | EventPayload::WholeEstateApproved { campaign, .. }
            | EventPayload::WholeEstateApprovalWithdrawn { campaign, .. }
            | EventPayload::ConfigurationSetsApproved { campaign, .. }
            | EventPayload::ConfigurationSetApprovalsWithdrawn { campaign, .. }
            | EventPayload::HubsRejected { campaign, .. }
            | EventPayload::RejectionsWithdrawn { campaign, .. }
            | EventPayload::RejectionsOverridden { campaign, .. }
            | EventPayload::PilotVerdictRecorded { campaign, .. } => campaign,
            other => {
                return Err(Error::invalid_input(
                    "event",
                    format!("{} is not a participation event", other.type_name()),
                ))
            }
        };
        if !self.campaigns.contains_key(campaign_id) {
            return Err(Error::not_found(Entity::Campaign, campaign_id));
        }
        let customer_idx = |s: &State, c: &crate::ids::CustomerId| {
            s.estate
                .customer_idx(c)
                .ok_or_else(|| Error::not_found(Entity::Customer, c))
        };
        let positions = |s: &State, hubs: &[HubId]| -> Result<Vec<u32>, Error> {
            hubs.iter()
                .map(|h| s.position(*h).map(|p| p as u32))
                .collect()
        };
        let configs =
            |s: &State, sets: &[crate::estate::ConfigurationSet]| -> Result<Vec<u32>, Error> {
                sets.iter()
                    .map(|set| {
                        s.find_config(set)
                            .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))
                    })
                    .collect()
            };
        // Resolve everything before changing anything.
        match payload {
            EventPayload::HubsNominated { customer, hubs, .. } => {
                let (c, hubs) = (customer_idx(self, customer)?, positions(self, hubs)?);
                self.consents_mut(campaign_id)
                    .nominations
                    .entry(c)
                    .or_default()
                    .extend(hubs);
            }
            EventPayload::NominationsWithdrawn { customer, hubs, .. } => {
                let (c, hubs) = (customer_idx(self, customer)?, positions(self, hubs)?);
                if let Some(set) = self.consents_mut(campaign_id).nominations.get_mut(&c) {
                    for h in hubs {
                        set.remove(&h);
                    }
                }
            }
            EventPayload::WholeEstateApproved { customer, .. } => {
                let c = customer_idx(self, customer)?;
                self.consents_mut(campaign_id)
                    .whole_estate
                    .insert(c, event.at);
            }
            EventPayload::WholeEstateApprovalWithdrawn { customer, .. } => {
                let c = customer_idx(self, customer)?;
                self.consents_mut(campaign_id).whole_estate.remove(&c);
            }
            EventPayload::ConfigurationSetsApproved { customer, sets, .. } => {
                let (c, sets) = (customer_idx(self, customer)?, configs(self, sets)?);
                self.consents_mut(campaign_id)
                    .config_sets
                    .entry(c)
                    .or_default()
                    .extend(sets);
            }
            EventPayload::ConfigurationSetApprovalsWithdrawn { customer, sets, .. } => {
                let (c, sets) = (customer_idx(self, customer)?, configs(self, sets)?);
                if let Some(held) = self.consents_mut(campaign_id).config_sets.get_mut(&c) {
                    for s in sets {
                        held.remove(&s);
                    }
                }
            }
            EventPayload::HubsRejected {
                customer,
                hubs,
                reason,
                ..
            } => {
                let (c, hubs) = (customer_idx(self, customer)?, positions(self, hubs)?);
                let at = event.at;
                let reason: std::sync::Arc<str> = reason.as_str().into();
                let consents = self.consents_mut(campaign_id);
                for h in hubs {
                    let list = consents.rejections.entry(h).or_default();
                    list.retain(|r| r.customer != c);
                    list.push(crate::participation::Rejection {
                        customer: c,
                        reason: reason.clone(),
                        at,
                    });
                }
            }
            EventPayload::RejectionsWithdrawn { customer, hubs, .. } => {
                let (c, hubs) = (customer_idx(self, customer)?, positions(self, hubs)?);
                let consents = self.consents_mut(campaign_id);
                for h in hubs {
                    if let Some(list) = consents.rejections.get_mut(&h) {
                        list.retain(|r| r.customer != c);
                        if list.is_empty() {
                            consents.rejections.remove(&h);
                        }
                    }
                }
            }
            EventPayload::RejectionsOverridden { hub, .. } => {
                let h = self.position(*hub)? as u32;
                self.consents_mut(campaign_id).rejections.remove(&h);
            }
            EventPayload::PilotVerdictRecorded {
                customer, verdict, ..
            } => {
                let c = customer_idx(self, customer)?;
                let at = event.at;
                self.consents_mut(campaign_id)
                    .verdicts
                    .insert(c, (verdict.clone(), at));
            }
            _ => {}
        }
        Ok(())
    }

    fn consents_mut(
        &mut self,
        campaign: &crate::ids::CampaignId,
    ) -> &mut crate::participation::Consents {
        // Present: checked by the caller before any change.
        &mut self
            .campaigns
            .get_mut(campaign)
            .expect("campaign checked present")
            .consents
    }
}
