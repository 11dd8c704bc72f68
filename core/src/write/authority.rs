//! Who may have recorded an event (docs/domain.md's permission table), checked when an event comes
//! from a log rather than from `decide` on this state: a replayed line whose recorded actor
//! could not have produced it (a customer granting OA, approving in another supplier's name, a
//! CSP reporting in another region) is refused, naming the event, as a corrupt log. Each
//! event says who may record it (`Evolve::recorded_by`, beside its evolution); these are the
//! answers they share. `Err` is why not.

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId, VariantId};
use crate::model::estate::SupplyRole;
use crate::model::state::State;

pub(crate) type Authority = Result<(), String>;

/// The DCC only.
pub(crate) fn dcc(actor: &Actor) -> Authority {
    match actor {
        Actor::Dcc => Ok(()),
        _ => Err("only the DCC records it".into()),
    }
}

/// The system only: an automatic act under a campaign's policy.
pub(crate) fn system(actor: &Actor) -> Authority {
    match actor {
        Actor::System => Ok(()),
        _ => Err("only the system records it (an automatic act)".into()),
    }
}

/// The customer the event names, acting for itself.
pub(crate) fn the_customer(actor: &Actor, customer: &CustomerId) -> Authority {
    match actor.as_customer() {
        Some(c) if c == customer => Ok(()),
        _ => Err(format!("only customer {customer} records it for itself")),
    }
}

/// Any customer.
pub(crate) fn a_customer(actor: &Actor) -> Authority {
    match actor {
        Actor::Customer(_) => Ok(()),
        _ => Err("only a customer records it".into()),
    }
}

/// The CSP of the variant's region. An unknown variant passes here: applying the event
/// refuses it as unknown.
pub(crate) fn region_csp(state: &State, actor: &Actor, variant: &VariantId) -> Authority {
    let Some(v) = state.catalogue.variant_idx(variant) else {
        return Ok(());
    };
    let region = state.catalogue.variant(v).region;
    match actor {
        Actor::Csp(r) if *r == region => Ok(()),
        _ => Err(format!("only the CSP of {region} records it")),
    }
}

/// The CSP of the campaign's region (an unknown campaign passes, as above).
pub(crate) fn campaign_csp(state: &State, actor: &Actor, campaign: &CampaignId) -> Authority {
    match state.campaigns.get(campaign) {
        Some(c) => {
            let region = state.catalogue.variant(c.variant).region;
            match actor {
                Actor::Csp(r) if *r == region => Ok(()),
                _ => Err(format!("only the CSP of {region} records it")),
            }
        }
        None => Ok(()),
    }
}

/// The supplier of `role` on the hub (any role when `role` is `None`), or the DCC when
/// `dcc_too`. An unknown hub passes, as above.
pub(crate) fn supplier_of(
    state: &State,
    actor: &Actor,
    hub: HubId,
    role: Option<SupplyRole>,
    dcc_too: bool,
) -> Authority {
    if dcc_too && *actor == Actor::Dcc {
        return Ok(());
    }
    let Some(pos) = state.estate.position(hub) else {
        return Ok(());
    };
    let rec = &state.estate.hubs[pos];
    let supplies = state.customer_of(actor).is_some_and(|c| match role {
        Some(role) => rec.supplier(role) == c,
        None => rec.is_supplied_by(c),
    });
    if supplies {
        Ok(())
    } else {
        Err(format!("only a supplier of hub {hub} records it"))
    }
}
