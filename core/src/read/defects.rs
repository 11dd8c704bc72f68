//! The defect flags an actor may see (the flagging customer never named to another).

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::defects::{DefectView, Resolved};
use crate::model::state::State;
use std::collections::BTreeSet;

impl State {
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
