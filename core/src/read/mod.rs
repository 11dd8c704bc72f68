//! The read side: queries, each scoped to the asking actor: nobody sees what docs/domain.md says they may not.
//! - DCC: everything.
//! - CSP: hubs and campaigns of its own region; never which supplier serves a hub, nor the
//!   suppliers' consumer flags.
//! - Customer: only hubs it supplies; of a shared hub, only that another supplier exists.

#[cfg(feature = "arrow")]
pub mod arrow;
mod participation;
pub mod query;
pub mod status;
pub(crate) mod upgrade_list;
mod views;

pub use participation::ParticipationView;
pub use upgrade_list::{UpgradeEntry, UpgradePage};

/// Kept at its former path: a configuration set is a model type of the estate.
pub use crate::model::estate::ConfigurationSet;

pub use views::{
    CampaignView, ConfigSetCount, CutoffView, FirmwareView, GateView, HubPage, HubView,
    SupplierView,
};

use std::collections::HashMap;

use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::model::campaigns::{CampaignChange, HistoryEntry};
use crate::model::catalogue::{FirmwareIdx, Variant};
use crate::model::estate::{date_from_days, CustomerIdx, HubRecord, SupplyRole, NO_CUSTOMER};
use crate::model::state::State;

impl State {
    /// One hub, as `actor` may see it.
    pub fn hub(&self, actor: &Actor, id: HubId) -> Result<HubView, Error> {
        let (_, rec) = self.hub_for(actor, id)?;
        Ok(self.hub_view(actor, rec))
    }

    /// Every hub `customer` supplies (in either role), in estate order. The DCC may ask for any
    /// customer; a customer only for itself; a CSP never (it does not see who supplies a hub).
    pub fn customer_estate(
        &self,
        actor: &Actor,
        customer: &CustomerId,
    ) -> Result<Vec<HubView>, Error> {
        let Some(idx) = self.scope_customer(actor, customer)? else {
            return Ok(Vec::new());
        };
        let hubs = &self.estate.hubs;
        Ok(self
            .estate
            .hubs_of(idx, 0)
            .map(|p| self.hub_view(actor, &hubs[p]))
            .collect())
    }

    /// At most `limit` (1 to 10 000) of the hubs `customer` supplies, after hub `after` (none:
    /// from the first), in estate order, scoped as [`State::customer_estate`]. A page costs
    /// O(its hubs), whatever the estate's size.
    /// `after` must be a hub the asker may see (else not found, as [`State::hub`] says).
    pub fn customer_estate_page(
        &self,
        actor: &Actor,
        customer: &CustomerId,
        after: Option<HubId>,
        limit: u64,
    ) -> Result<HubPage, Error> {
        if limit == 0 || limit > 10_000 {
            return Err(Error::invalid_input(
                "limit",
                format!("{limit} is not between 1 and 10 000"),
            ));
        }
        let scope = self.scope_customer(actor, customer)?;
        let from = match after {
            Some(id) => self.hub_for(actor, id)?.0 + 1,
            None => 0,
        };
        let Some(idx) = scope else {
            return Ok(HubPage {
                hubs: Vec::new(),
                next: None,
            });
        };
        // One more than the page, to know whether a next page exists.
        let mut found = self
            .estate
            .hubs_of(idx, from)
            .map(|p| &self.estate.hubs[p])
            .take(limit as usize + 1);
        let hubs: Vec<HubView> = found
            .by_ref()
            .take(limit as usize)
            .map(|h| self.hub_view(actor, h))
            .collect();
        let next = found.next().and(hubs.last().map(|h| h.id));
        Ok(HubPage { hubs, next })
    }

    /// The configuration sets in the field with their hub counts: a customer's own (its
    /// Deployed Products List), or with `customer = None` the industry's, which only the DCC
    /// sees. Most hubs first, then by the set's key.
    pub fn configuration_sets(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<Vec<ConfigSetCount>, Error> {
        let filter = match self.estate_scope(actor, customer)? {
            Some(Some(idx)) => Some(idx),
            Some(None) => return Ok(Vec::new()),
            None => None,
        };
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for pos in self.estate.scope(filter) {
            *counts.entry(self.estate.hubs[pos].config).or_default() += 1;
        }
        let mut out: Vec<ConfigSetCount> = counts
            .into_iter()
            .map(|(config, hubs)| ConfigSetCount {
                configuration_set: self.configuration_set(config),
                hubs,
            })
            .collect();
        out.sort_by(|a, b| {
            b.hubs
                .cmp(&a.hubs)
                .then_with(|| a.configuration_set.key().cmp(&b.configuration_set.key()))
        });
        Ok(out)
    }

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
        })
    }

    /// The campaigns `actor` may see (a CSP: its region's), by id.
    pub fn campaigns(&self, actor: &Actor) -> Vec<CampaignView> {
        self.campaigns
            .keys()
            .filter_map(|id| self.campaign(actor, id).ok())
            .collect()
    }

    /// The variants in the catalogue (a CSP: its region's).
    pub fn variants(&self, actor: &Actor) -> Vec<Variant> {
        self.catalogue
            .variants
            .iter()
            .filter(|v| match actor {
                Actor::Csp(r) => v.region == *r,
                _ => true,
            })
            .cloned()
            .collect()
    }

    /// A variant's firmware versions, in registration order, with their gates. A customer
    /// sees that a customer recorded the testing gate, but not which other customer.
    pub fn firmware_versions(
        &self,
        actor: &Actor,
        variant: &VariantId,
    ) -> Result<Vec<FirmwareView>, Error> {
        let v = self
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        if let Actor::Csp(r) = actor {
            if self.catalogue.variant(v).region != *r {
                return Err(Error::not_found(Entity::Variant, variant));
            }
        }
        Ok(self.catalogue.firmware_of_variant[usize::from(v)]
            .iter()
            .map(|&f| {
                let fw = self.catalogue.fw(f);
                FirmwareView {
                    version: fw.version.clone(),
                    upgrades_from: fw
                        .upgrades_from
                        .iter()
                        .map(|&p| self.catalogue.fw(p).version.clone())
                        .collect(),
                    on_production_cpl: fw.on_production_cpl(),
                    gates: fw
                        .gates
                        .iter()
                        .map(|g| GateView {
                            gate: g.gate,
                            at: g.at,
                            by: match (&g.by, actor) {
                                (Actor::Customer(by), Actor::Customer(me)) if by != me => None,
                                (Actor::Customer(_), Actor::Csp(_)) => None,
                                (by, _) => Some(by.clone()),
                            },
                            note: g.note.clone(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// The versions a hub on `from` passes through to reach `to` along the variant's pathways
    /// (`to` last); empty when `from == to`. A hub two steps behind goes through the step between.
    pub fn upgrade_route(
        &self,
        actor: &Actor,
        variant: &VariantId,
        from: &FirmwareVersion,
        to: &FirmwareVersion,
    ) -> Result<Vec<FirmwareVersion>, Error> {
        self.firmware_versions(actor, variant)?; // scope check
        let v = self
            .catalogue
            .variant_idx(variant)
            .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
        let idx = |f: &FirmwareVersion| -> Result<FirmwareIdx, Error> {
            self.catalogue
                .firmware_idx(v, f)
                .ok_or_else(|| Error::not_found(Entity::Firmware, format!("{variant}@{f}")))
        };
        let route = self.catalogue.route(idx(from)?, idx(to)?).ok_or_else(|| {
            Error::precondition(
                Rule::Pathway,
                format!("no upgrade pathway leads from {from} to {to} for {variant}"),
            )
        })?;
        Ok(route
            .into_iter()
            .map(|f| self.catalogue.fw(f).version.clone())
            .collect())
    }

    /// The hubs a per-customer view covers: `None` the industry (the DCC only), `Some(None)` a
    /// customer the estate does not know (nothing), `Some(Some(c))` customer `c`'s.
    pub(crate) fn estate_scope(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<Option<Option<CustomerIdx>>, Error> {
        match customer {
            Some(c) => Ok(Some(self.scope_customer(actor, c)?)),
            None if *actor == Actor::Dcc => Ok(None),
            None => Err(Error::not_permitted(
                actor,
                "see the industry's deployed products",
                "only the DCC sees the industry view",
            )),
        }
    }

    /// Which customer `actor` may ask about: `Ok(None)` for a customer id the estate does
    /// not know (it supplies nothing, so its answer is empty).
    pub(crate) fn scope_customer(
        &self,
        actor: &Actor,
        customer: &CustomerId,
    ) -> Result<Option<CustomerIdx>, Error> {
        match actor {
            Actor::Dcc => {}
            Actor::Customer(me) if me == customer => {}
            Actor::Customer(_) => {
                return Err(Error::not_permitted(
                    actor,
                    format!("see the estate of {customer}"),
                    "a customer sees only its own estate",
                ))
            }
            Actor::Csp(_) => {
                return Err(Error::not_permitted(
                    actor,
                    format!("see the estate of {customer}"),
                    "a CSP does not see which supplier serves a hub",
                ))
            }
            Actor::System => {
                return Err(Error::not_permitted(
                    actor,
                    format!("see the estate of {customer}"),
                    "the system reads nothing",
                ))
            }
        }
        Ok(self
            .estate
            .customer_idx(customer)
            .filter(|&i| i != NO_CUSTOMER))
    }

    pub(crate) fn configuration_set(&self, config: u32) -> ConfigurationSet {
        let set = self.estate.configs.resolve(config);
        ConfigurationSet {
            variant: self.catalogue.variant(set.variant).id.clone(),
            firmware: self.catalogue.fw(set.firmware).version.clone(),
            devices: self.estate.devices_of(config),
        }
    }

    fn hub_view(&self, actor: &Actor, h: &HubRecord) -> HubView {
        let me = self.customer_of(actor);
        let supplier = |role: SupplyRole| -> SupplierView {
            let idx = h.supplier(role);
            match (self.estate.customer(idx), actor) {
                (None, _) => SupplierView::Vacant,
                (Some(c), Actor::Dcc) => SupplierView::Known(c.clone()),
                (Some(c), Actor::Customer(_)) if Some(idx) == me => SupplierView::Known(c.clone()),
                (Some(_), _) => SupplierView::Hidden,
            }
        };
        let flags = |role: SupplyRole| match actor {
            Actor::Dcc => Some(h.flags(role)),
            Actor::Customer(_) if me.is_some_and(|m| h.supplier(role) == m) => Some(h.flags(role)),
            _ => None,
        };
        let variant = self.catalogue.variant(h.variant);
        HubView {
            id: h.id,
            region: variant.region,
            variant: variant.id.clone(),
            firmware: self.catalogue.fw(h.firmware).version.clone(),
            smi_status: h.smi,
            import_supplier: supplier(SupplyRole::Import),
            gas_supplier: supplier(SupplyRole::Gas),
            import_flags: flags(SupplyRole::Import),
            gas_flags: flags(SupplyRole::Gas),
            split_supply: h.is_split_supply(),
            installed_on: date_from_days(h.installed).unwrap_or_default(),
            commissioned_on: date_from_days(h.commissioned),
            configuration_set: self.configuration_set(h.config),
        }
    }
}
