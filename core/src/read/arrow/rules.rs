//! A rule's dry run as rows: what it would do on its owner's estate now, one row per hub it
//! would act on (an act on a configuration set reaches each of the owner's hubs on that set:
//! the rows name them), and one row for each act that concerns no hub (a cut-off, a notice).
//! The same acts, scope and refusals as the typed dry run (`State::dry_run_rule`).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::UInt64Array;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{DateTime, Utc};

use super::{batch, dict_field, nullable_dict_field, nullable_dictionary, timestamp_type, Texts};
use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::HubId;
use crate::model::estate::ConfigurationSet;
use crate::model::rules::RuleSpec;
use crate::model::state::State;
use crate::read::rules::{act_name, may_keep_rules, sets_of};
use crate::write::event::RuleAct;

/// The schema of [`State::dry_run_rule_arrow`].
pub fn dry_run_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        dict_field("act"),
        nullable_dict_field("campaign"),
        Field::new("hub", DataType::UInt64, true),
        nullable_dict_field("configuration_set"),
        Field::new("by_set", DataType::Boolean, false),
        nullable_dict_field("customer"),
        Field::new("until", timestamp_type(), true),
        nullable_dict_field("text"),
    ]))
}

/// One row of the answer.
#[derive(Default)]
struct Row<'a> {
    campaign: Option<&'a str>,
    hub: Option<HubId>,
    set: Option<&'a ConfigurationSet>,
    customer: Option<&'a str>,
    until: Option<DateTime<Utc>>,
    text: Option<&'a str>,
}

impl State {
    /// What `rule` would do on the asker's estate at `at`, as rows (the typed dry run's acts,
    /// each hub on its own row): `act` (`approved`, `rejected`, `held`, `released`,
    /// `prioritised`, `cutoffs_set`, `notified`, `customers_notified`), `campaign` (approve,
    /// reject and cut-offs act per campaign), `hub` (null for an act that concerns no hub),
    /// `configuration_set` (the set an act on a set reaches the hub through; for
    /// `customers_notified`, each set the customers are told of), `by_set` (reached through a
    /// set rather than named), `customer` (a later cut-off's customer), `until` (a hold's end,
    /// a cut-off) and `text` (a reason, a notice's text). Refused as saving the rule would be.
    pub fn dry_run_rule_arrow(
        &self,
        actor: &Actor,
        rule: &RuleSpec,
        at: DateTime<Utc>,
    ) -> Result<RecordBatch, Error> {
        may_keep_rules(actor, "dry-run a rule")?;
        let (_, acts, _) = self.dry_run_acts(actor, rule, at)?;
        // The owner's hubs on each set its hub acts name (the DCC's notice names sets, not
        // hubs: a row each).
        let named: Vec<&ConfigurationSet> = acts
            .iter()
            .filter(|a| !matches!(a.act, RuleAct::CustomersNotified { .. }))
            .flat_map(|a| sets_of(&a.act))
            .collect();
        let mut on_sets: HashMap<&ConfigurationSet, Vec<HubId>> = HashMap::new();
        self.visible_hubs_on(actor, &named, |i, pos| {
            on_sets
                .entry(named[i])
                .or_default()
                .push(self.estate.hubs[pos].id)
        });
        let mut rows: Vec<(&'static str, Row<'_>)> = Vec::new();
        for a in &acts {
            let (name, campaign) = act_name(&a.act);
            let campaign = campaign.map(|c| c.as_str());
            let base = || Row {
                campaign,
                ..Row::default()
            };
            match &a.act {
                RuleAct::Approved { sets, hubs, .. }
                | RuleAct::Rejected { sets, hubs, .. }
                | RuleAct::Held { sets, hubs, .. }
                | RuleAct::Released { sets, hubs }
                | RuleAct::Prioritised { sets, hubs } => {
                    let (until, text) = match &a.act {
                        RuleAct::Rejected { reason, .. } => (None, Some(reason.as_str())),
                        RuleAct::Held { until, reason, .. } => (*until, Some(reason.as_str())),
                        _ => (None, None),
                    };
                    for set in sets {
                        for &hub in on_sets.get(set).into_iter().flatten() {
                            rows.push((
                                name,
                                Row {
                                    hub: Some(hub),
                                    set: Some(set),
                                    until,
                                    text,
                                    ..base()
                                },
                            ));
                        }
                    }
                    for &hub in hubs {
                        rows.push((
                            name,
                            Row {
                                hub: Some(hub),
                                until,
                                text,
                                ..base()
                            },
                        ));
                    }
                }
                RuleAct::CutoffsSet { cutoff, extra, .. } => {
                    rows.push((
                        name,
                        Row {
                            until: Some(*cutoff),
                            ..base()
                        },
                    ));
                    for e in extra {
                        rows.push((
                            name,
                            Row {
                                customer: Some(e.customer.as_str()),
                                until: Some(e.cutoff),
                                ..base()
                            },
                        ));
                    }
                }
                RuleAct::Notified { text } => rows.push((
                    name,
                    Row {
                        text: Some(text),
                        ..base()
                    },
                )),
                RuleAct::CustomersNotified { sets, text } => {
                    for set in sets {
                        rows.push((
                            name,
                            Row {
                                set: Some(set),
                                text: Some(text),
                                ..base()
                            },
                        ));
                    }
                }
                RuleAct::NothingToDo => {}
            }
        }
        rows_batch(&rows)
    }
}

fn rows_batch(rows: &[(&'static str, Row<'_>)]) -> Result<RecordBatch, Error> {
    let n = rows.len();
    let mut hub: Vec<Option<u64>> = Vec::with_capacity(n);
    let (mut acts, mut campaigns, mut sets, mut customers, mut texts) = (
        Texts::default(),
        Texts::default(),
        Texts::default(),
        Texts::default(),
        Texts::default(),
    );
    let mut act = Vec::with_capacity(n);
    let mut campaign = Vec::with_capacity(n);
    let mut set = Vec::with_capacity(n);
    let mut by_set = Vec::with_capacity(n);
    let mut customer = Vec::with_capacity(n);
    let mut until = Vec::with_capacity(n);
    let mut text = Vec::with_capacity(n);
    // A set's key text is worked out once per set, not once per hub.
    let mut set_keys: HashMap<&ConfigurationSet, i32> = HashMap::new();
    for (name, r) in rows {
        act.push(acts.key(name));
        campaign.push(r.campaign.map(|c| campaigns.key(c)));
        hub.push(r.hub.map(|h| h.as_u64()));
        set.push(
            r.set
                .map(|s| *set_keys.entry(s).or_insert_with(|| sets.key(s.key()))),
        );
        by_set.push(r.hub.is_some() && r.set.is_some());
        customer.push(r.customer.map(|c| customers.key(c)));
        until.push(r.until.map(|u| u.timestamp_micros()));
        text.push(r.text.map(|t| texts.key(t)));
    }
    let columns: Vec<ArrayRef> = vec![
        super::dictionary(act, acts.values)?,
        nullable_dictionary(campaign, campaigns.values)?,
        Arc::new(UInt64Array::from(hub)),
        nullable_dictionary(set, sets.values)?,
        Arc::new(BooleanArray::from(by_set)),
        nullable_dictionary(customer, customers.values)?,
        Arc::new(TimestampMicrosecondArray::from(until).with_timezone("UTC")),
        nullable_dictionary(text, texts.values)?,
    ];
    batch(dry_run_schema(), columns)
}
