//! The estate as each party may see it: one hub, a customer's hubs (whole or paged), the
//! configuration sets with their hub counts, and hubs by firmware version.

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::{
    date_from_days, ConfigurationSet, ConsumerFlags, CustomerIdx, HubRecord, SmiStatus, SupplyRole,
    NO_CUSTOMER,
};
use crate::model::state::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Hubs on one firmware version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FirmwareCount {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub hubs: i64,
}

/// Who holds a supply role on a hub, as the asker may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// A readable toString on the JVM for the variants without fields (Kotlin `object`s).
#[cfg_attr(feature = "uniffi", uniffi::export(Debug))]
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

/// A configuration set and how many of the asker's (or the industry's) hubs run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigSetCount {
    pub configuration_set: ConfigurationSet,
    pub hubs: i64,
}

/// One hub as the asker may see it: suppliers shown as known, hidden or vacant, consumer flags
/// to the DCC and that role's supplier only.
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

impl State {
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
                    hubs: crate::kernel::limits::signed(hubs),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.variant, &a.version).cmp(&(&b.variant, &b.version)));
        Ok(out)
    }

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
                hubs: crate::kernel::limits::signed(hubs),
            })
            .collect();
        out.sort_by(|a, b| {
            b.hubs
                .cmp(&a.hubs)
                .then_with(|| a.configuration_set.key().cmp(&b.configuration_set.key()))
        });
        Ok(out)
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
