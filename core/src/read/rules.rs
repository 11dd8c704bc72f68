//! Business rules as their owner reads them: its rules, and what one would do (the dry run).
//! Another party's rules are never listed, counted or named (docs/domain.md decision 13).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::limits::signed;
use crate::model::estate::ConfigurationSet;
use crate::model::rules::{DryRun, DryRunCount, RuleSpec, RuleView};
use crate::model::state::State;
use crate::write::event::RuleAct;

impl State {
    /// The asker's rules, retired ones included, by name.
    pub fn rules(&self, actor: &Actor) -> Result<Vec<RuleView>, Error> {
        may_keep_rules(actor, "list rules")?;
        Ok(self
            .rules
            .by_owner
            .get(actor)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default())
    }

    /// What `rule` would do on the asker's estate at `at`, before it is saved (refused as
    /// saving it would be).
    pub fn dry_run_rule(
        &self,
        actor: &Actor,
        rule: &RuleSpec,
        at: DateTime<Utc>,
    ) -> Result<DryRun, Error> {
        may_keep_rules(actor, "dry-run a rule")?;
        let (version, acts, stats) = self.dry_run_acts(actor, rule, at)?;
        // The hubs the asker may see on each set the acts name, counted in one pass.
        let named: Vec<&ConfigurationSet> = acts.iter().flat_map(|a| sets_of(&a.act)).collect();
        let mut on_set = vec![0usize; named.len()];
        self.visible_hubs_on(actor, &named, |i, _| on_set[i] += 1);
        let mut by_set: HashMap<&ConfigurationSet, usize> = HashMap::new();
        for (set, n) in named.into_iter().zip(on_set) {
            *by_set.entry(set).or_default() += n;
        }
        let mut counts: BTreeMap<(String, Option<String>), DryRunCount> = BTreeMap::new();
        for a in &acts {
            let (name, campaign) = act_name(&a.act);
            let (hubs, sets) = a.act.size();
            let in_sets: usize = sets_of(&a.act)
                .iter()
                .map(|s| by_set.get(s).copied().unwrap_or(0))
                .sum();
            let key = (name.to_string(), campaign.map(|c| c.to_string()));
            let e = counts.entry(key).or_insert_with(|| DryRunCount {
                act: name.to_string(),
                campaign: campaign.cloned(),
                hubs: 0,
                sets: 0,
                hubs_in_sets: 0,
            });
            e.hubs += signed(hubs);
            e.sets += signed(sets);
            e.hubs_in_sets += signed(in_sets);
        }
        Ok(DryRun {
            rule: rule.name.clone(),
            version,
            counts: counts.into_values().collect(),
            sample: stats.sample,
            overridden: signed(stats.overridden),
            errors: signed(stats.errors),
            first_error: stats.first_error,
        })
    }
}

impl State {
    /// Calls `f(i, position)` for each hub `actor` may see on `sets[i]`: a customer's own, the
    /// region's to its CSP, every hub to the DCC. One pass over the hubs (a set named twice
    /// counts once, under its first index).
    pub(crate) fn visible_hubs_on(
        &self,
        actor: &Actor,
        sets: &[&ConfigurationSet],
        mut f: impl FnMut(usize, usize),
    ) {
        let mut index: Vec<Option<usize>> = vec![None; self.estate.configs.len()];
        let mut any = false;
        for (i, set) in sets.iter().enumerate() {
            let Some(code) = self.find_config(set) else {
                continue;
            };
            let seen = match actor {
                Actor::Csp(r) => {
                    self.catalogue
                        .variant(self.estate.configs.resolve(code).variant)
                        .region
                        == *r
                }
                Actor::Dcc | Actor::Customer(_) => true,
                Actor::System => false,
            };
            if seen && index[code as usize].is_none() {
                index[code as usize] = Some(i);
                any = true;
            }
        }
        if !any {
            return;
        }
        let hubs = &self.estate.hubs;
        let mut visit = |pos: usize| {
            if let Some(i) = index[hubs[pos].config as usize] {
                f(i, pos);
            }
        };
        match actor {
            Actor::Customer(c) => {
                if let Some(me) = self.estate.customer_idx(c) {
                    self.estate.hubs_of(me, 0).for_each(visit);
                }
            }
            _ => (0..hubs.len()).for_each(&mut visit),
        }
    }
}

/// The configuration sets an act names.
pub(crate) fn sets_of(act: &RuleAct) -> &[ConfigurationSet] {
    match act {
        RuleAct::Approved { sets, .. }
        | RuleAct::Rejected { sets, .. }
        | RuleAct::Held { sets, .. }
        | RuleAct::Released { sets, .. }
        | RuleAct::Prioritised { sets, .. }
        | RuleAct::CustomersNotified { sets, .. } => sets,
        RuleAct::CutoffsSet { .. } | RuleAct::Notified { .. } | RuleAct::NothingToDo => &[],
    }
}

/// Every party but the system keeps rules.
pub(crate) fn may_keep_rules(actor: &Actor, action: &str) -> Result<(), Error> {
    match actor {
        Actor::System => Err(Error::not_permitted(
            actor,
            action,
            "the system has no rules",
        )),
        _ => Ok(()),
    }
}

/// An act's name and campaign.
pub(crate) fn act_name(a: &RuleAct) -> (&'static str, Option<&crate::kernel::ids::CampaignId>) {
    match a {
        RuleAct::Approved { campaign, .. } => ("approved", Some(campaign)),
        RuleAct::Rejected { campaign, .. } => ("rejected", Some(campaign)),
        RuleAct::Held { .. } => ("held", None),
        RuleAct::Released { .. } => ("released", None),
        RuleAct::Prioritised { .. } => ("prioritised", None),
        RuleAct::CutoffsSet { campaign, .. } => ("cutoffs_set", Some(campaign)),
        RuleAct::Notified { .. } => ("notified", None),
        RuleAct::CustomersNotified { .. } => ("customers_notified", None),
        RuleAct::NothingToDo => ("nothing_to_do", None),
    }
}
