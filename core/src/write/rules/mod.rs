//! Business rules' commands and events (docs/domain.md decision 16, docs/rules.md): a party saves
//! (creates or changes) and retires its rules; a rule's acts are recorded as its owner's, naming
//! the rule and version, in the same command as the event that set it off (`react.rs`), so a
//! signed log re-derives them like any consequence and nobody can attach other acts to them.

pub mod condition;
pub(crate) mod react;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::authority::Authority;
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::{Entity, Error, Rule as Why};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::kernel::limits;
use crate::model::estate::ConfigurationSet;
use crate::model::notices::NotificationKind;
use crate::model::rules::{Mark, RuleAction, RuleRef, RuleSpec, RuleTrigger, RuleView};
use crate::model::state::State;
use crate::write::event::EventPayload;
use condition::Scope;

/// A party: create a rule, or change one (its version goes up by one). Checked whole before it
/// is kept: its name, bounds, that its owner may take its action, and its condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveRule {
    pub rule: RuleSpec,
}

/// A party: retire one of its rules. It acts no more; what it did stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RetireRule {
    pub name: String,
}

/// The scope a rule's condition is checked in: a campaign is at hand when the trigger is a
/// campaign's or the action acts per campaign; hubs when the action acts on hubs or the
/// trigger is a hub's.
pub(crate) fn scope_of(spec: &RuleSpec, owner: &Actor) -> Scope {
    let campaign_trigger = matches!(
        spec.trigger,
        RuleTrigger::CampaignCreated | RuleTrigger::CampaignPhaseChanged
    );
    let hub_trigger = matches!(
        spec.trigger,
        RuleTrigger::HubInstalled
            | RuleTrigger::HubCommissioned
            | RuleTrigger::HanDeviceFirmwareChanged
    );
    let per_campaign = matches!(spec.action, RuleAction::Approve | RuleAction::Reject { .. });
    let on_hubs = !matches!(
        spec.action,
        RuleAction::Notify { .. } | RuleAction::SetCutoffs { .. }
    );
    Scope {
        campaign: campaign_trigger || per_campaign,
        hubs: on_hubs || hub_trigger,
        industry: *owner == Actor::Dcc,
    }
}

/// Checks a rule as `owner` would keep it: everything but the owner's rule count. The checked
/// condition on success.
pub(crate) fn check_rule(
    owner: &Actor,
    spec: &RuleSpec,
    action: &str,
) -> Result<condition::Condition, Error> {
    let name = spec.name.as_str();
    let name_ok = !name.trim().is_empty()
        && name.len() <= limits::MAX_RULE_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if !name_ok {
        return Err(Error::invalid_input(
            "rule.name",
            format!(
                "{name:?}: 1 to {} letters, digits, spaces and - _ .",
                limits::MAX_RULE_NAME
            ),
        ));
    }
    limits::within("rule.priority", spec.priority, &limits::RULE_PRIORITY)?;
    if let (Some(from), Some(until)) = (spec.active_from, spec.active_until) {
        if until <= from {
            return Err(Error::invalid_input(
                "rule.active_until",
                format!("{until} is not after active_from {from}"),
            ));
        }
    }
    let text = |field: &str, t: &str| -> Result<(), Error> {
        limits::text(field, t)?;
        if t.trim().is_empty() {
            return Err(Error::invalid_input(
                field,
                "say why (it is shown in explain)",
            ));
        }
        Ok(())
    };
    match &spec.action {
        RuleAction::Reject { reason } => text("rule.action.reason", reason)?,
        RuleAction::Hold { reason, days, .. } => {
            text("rule.action.reason", reason)?;
            if let Some(d) = days {
                limits::within("rule.action.days", *d, &limits::RULE_DAYS)?;
            }
        }
        RuleAction::Notify { text: t } | RuleAction::NotifyCustomers { text: t } => {
            text("rule.action.text", t)?
        }
        RuleAction::SetCutoffs { days, extra } => {
            limits::within("rule.action.days", *days, &limits::RULE_DAYS)?;
            limits::count(
                "rule.action.extra",
                extra.len(),
                limits::MAX_RULE_CUTOFF_EXTRA,
            )?;
            for (i, e) in extra.iter().enumerate() {
                limits::within(
                    &format!("rule.action.extra[{i}].days"),
                    e.days,
                    &limits::RULE_DAYS,
                )?;
            }
        }
        RuleAction::Approve | RuleAction::Release | RuleAction::Prioritise => {}
    }
    // The action must be one its owner may take by command (docs/domain.md's permission table).
    let allowed = matches!(
        (&spec.action, owner),
        (
            RuleAction::Notify { .. },
            Actor::Dcc | Actor::Csp(_) | Actor::Customer(_)
        ) | (
            RuleAction::SetCutoffs { .. } | RuleAction::NotifyCustomers { .. },
            Actor::Dcc
        ) | (
            RuleAction::Approve
                | RuleAction::Reject { .. }
                | RuleAction::Hold { .. }
                | RuleAction::Release
                | RuleAction::Prioritise,
            Actor::Customer(_),
        )
    );
    if !allowed {
        return Err(Error::not_permitted(
            owner,
            action,
            format!(
                "a rule acts only as its owner may: {owner} may not {} by rule",
                spec.action.kind().replace('_', " ")
            ),
        ));
    }
    if spec.trigger == RuleTrigger::IndustryTrend && !matches!(owner, Actor::Customer(_)) {
        return Err(Error::not_permitted(
            owner,
            action,
            "industry_trend is a customer's trigger: only a customer is told that the industry is leaving a set it runs",
        ));
    }
    if matches!(spec.action, RuleAction::SetCutoffs { .. })
        && !matches!(
            spec.trigger,
            RuleTrigger::CampaignCreated | RuleTrigger::CampaignPhaseChanged
        )
    {
        return Err(Error::invalid_input(
            "rule.trigger",
            "set_cutoffs acts on a campaign: trigger it on campaign_created or campaign_phase_changed",
        ));
    }
    let checked = condition::check(&spec.condition, scope_of(spec, owner))?;
    if matches!(spec.action, RuleAction::NotifyCustomers { .. })
        && checked.level != condition::Level::Set
    {
        return Err(Error::InvalidCondition {
            line: 1,
            column: 1,
            reason: "notify_customers acts per configuration set: its condition reads no hub's own attributes".into(),
        });
    }
    Ok(checked)
}

impl Decide for SaveRule {
    fn action(&self) -> String {
        format!("save rule {:?}", self.rule.name)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text_within("rule.name", &self.rule.name, limits::MAX_TEXT_BYTES)?;
        limits::text_within(
            "rule.condition",
            &self.rule.condition,
            condition::MAX_CONDITION_BYTES,
        )
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let SaveRule { rule } = self;
        check_rule(cx.actor, &rule, &cx.action)?;
        // Each SetCutoffs extra names a customer the DCC knows.
        if let RuleAction::SetCutoffs { extra, .. } = &rule.action {
            for e in extra {
                if state.estate.customer_idx(&e.customer).is_none() {
                    return Err(Error::not_found(Entity::Customer, &e.customer));
                }
            }
        }
        let current = state
            .rules
            .by_owner
            .get(cx.actor)
            .and_then(|m| m.get(&rule.name));
        let version = match current {
            Some(r) if r.retired_at.is_none() => {
                if r.spec == rule {
                    return Err(Error::precondition(
                        Why::NoChange,
                        format!("rule {:?} v{} is already this", rule.name, r.version),
                    ));
                }
                r.version + 1
            }
            Some(r) => r.version + 1,
            None => 1,
        };
        if current.is_none_or(|r| r.retired_at.is_some()) {
            let live = state.rules.live_count(cx.actor);
            if live >= limits::MAX_RULES_PER_PARTY {
                return Err(Error::too_many(
                    "rules (retire one you no longer need)",
                    live + 1,
                    limits::MAX_RULES_PER_PARTY,
                ));
            }
        }
        Ok(vec![RuleSaved { rule, version }.into()])
    }
}

impl Decide for RetireRule {
    fn action(&self) -> String {
        format!("retire rule {:?}", self.name)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text_within("name", &self.name, limits::MAX_TEXT_BYTES)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        // Another party's rule is as absent as one that never was.
        let Some(r) = state
            .rules
            .by_owner
            .get(cx.actor)
            .and_then(|m| m.get(&self.name))
            .filter(|r| r.retired_at.is_none())
        else {
            return Err(Error::not_found(Entity::Rule, &self.name));
        };
        Ok(vec![RuleRetired {
            name: self.name,
            version: r.version,
        }
        .into()])
    }
}

// --- events ---

/// A rule created (`version` 1) or changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSaved {
    pub rule: RuleSpec,
    pub version: i32,
}

impl Evolve for RuleSaved {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        match actor {
            Actor::System => Err("the system has no rules".into()),
            _ => Ok(()),
        }
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let current = state
            .rules
            .by_owner
            .get(&event.actor)
            .and_then(|m| m.get(&self.rule.name));
        if verify {
            check_rule(&event.actor, &self.rule, "save a rule")?;
            // A log holds no more live rules of a party than a command could have saved.
            let live = state.rules.live_count(&event.actor);
            if current.is_none_or(|r| r.retired_at.is_some()) && live >= limits::MAX_RULES_PER_PARTY
            {
                return Err(Error::too_many(
                    "rules (retire one you no longer need)",
                    live + 1,
                    limits::MAX_RULES_PER_PARTY,
                ));
            }
        }
        let expected = current.map_or(1, |r| r.version + 1);
        if self.version != expected {
            return Err(Error::invalid_input(
                "version",
                format!(
                    "rule {:?} saved as v{}, expected v{expected}",
                    self.rule.name, self.version
                ),
            ));
        }
        let mine = state.rules.by_owner.entry(event.actor.clone()).or_default();
        mine.insert(
            self.rule.name.clone(),
            RuleView {
                spec: self.rule.clone(),
                version: self.version,
                saved_at: event.at,
                retired_at: None,
                fired_at: None,
            },
        );
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody: a rule is its owner's alone.
    }
}

/// A rule retired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleRetired {
    pub name: String,
    pub version: i32,
}

impl Evolve for RuleRetired {
    fn recorded_by(&self, _state: &State, _actor: &Actor) -> Authority {
        Ok(()) // only the owner's own rules are found in `apply`
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let r = state
            .rules
            .by_owner
            .get_mut(&event.actor)
            .and_then(|m| m.get_mut(&self.name))
            .filter(|r| r.retired_at.is_none() && r.version == self.version)
            .ok_or_else(|| Error::not_found(Entity::Rule, &self.name))?;
        r.retired_at = Some(event.at);
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

/// What one act of a rule did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "act", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAct {
    /// Consent for the owner's roles in `campaign`: on every hub of `sets`, and on `hubs`.
    Approved {
        campaign: CampaignId,
        sets: Vec<ConfigurationSet>,
        hubs: Vec<HubId>,
    },
    /// Rejected in `campaign`.
    Rejected {
        campaign: CampaignId,
        sets: Vec<ConfigurationSet>,
        hubs: Vec<HubId>,
        reason: String,
    },
    /// Held in every campaign until `until` (none: until released).
    Held {
        sets: Vec<ConfigurationSet>,
        hubs: Vec<HubId>,
        until: Option<DateTime<Utc>>,
        reason: String,
    },
    /// The owner's rule holds lifted.
    Released {
        sets: Vec<ConfigurationSet>,
        hubs: Vec<HubId>,
    },
    /// Put first in the CSP's list.
    Prioritised {
        sets: Vec<ConfigurationSet>,
        hubs: Vec<HubId>,
    },
    /// The DCC's rule set `campaign`'s cut-off, and later ones for named customers.
    CutoffsSet {
        campaign: CampaignId,
        cutoff: DateTime<Utc>,
        extra: Vec<CustomerCutoff>,
    },
    /// The owner told.
    Notified { text: String },
    /// The DCC's rule told the customers with hubs on each of `sets` (each only of its own).
    CustomersNotified {
        sets: Vec<ConfigurationSet>,
        text: String,
    },
    /// A date rule reached its date and found nothing to do.
    NothingToDo,
}

/// One customer's later cut-off, set by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerCutoff {
    pub customer: CustomerId,
    pub cutoff: DateTime<Utc>,
}

impl RuleAct {
    /// The rule action that makes this act.
    fn action_kind(&self) -> &'static str {
        match self {
            RuleAct::Approved { .. } => "approve",
            RuleAct::Rejected { .. } => "reject",
            RuleAct::Held { .. } => "hold",
            RuleAct::Released { .. } => "release",
            RuleAct::Prioritised { .. } => "prioritise",
            RuleAct::CutoffsSet { .. } => "set_cutoffs",
            RuleAct::CustomersNotified { .. } => "notify_customers",
            RuleAct::Notified { .. } | RuleAct::NothingToDo => "",
        }
    }

    /// Hubs and sets it names.
    pub fn size(&self) -> (usize, usize) {
        match self {
            RuleAct::Approved { sets, hubs, .. }
            | RuleAct::Rejected { sets, hubs, .. }
            | RuleAct::Held { sets, hubs, .. }
            | RuleAct::Released { sets, hubs }
            | RuleAct::Prioritised { sets, hubs } => (hubs.len(), sets.len()),
            RuleAct::CustomersNotified { sets, .. } => (0, sets.len()),
            _ => (0, 0),
        }
    }
}

/// One act of a rule, recorded as its owner's (docs/domain.md decision 16): the rule and version,
/// the trigger that set it off, and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleActed {
    pub owner: Actor,
    pub rule: RuleRef,
    /// What set it off (`hub_installed`, `campaign_phase_changed`, `date_reached`, ...).
    pub trigger: String,
    pub act: RuleAct,
}

impl Evolve for RuleActed {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        if *actor != self.owner {
            return Err("a rule's act is recorded as its owner's".into());
        }
        let Some(r) = state
            .rules
            .by_owner
            .get(actor)
            .and_then(|m| m.get(&self.rule.rule))
        else {
            return Err(format!("{actor} has no rule {:?}", self.rule.rule));
        };
        if r.version != self.rule.version || r.retired_at.is_some() {
            return Err(format!("{} is not the rule in force", self.rule));
        }
        let kind = self.act.action_kind();
        if !kind.is_empty() && kind != r.spec.action.kind() {
            return Err(format!(
                "{} does not {kind}: its action is {}",
                self.rule,
                r.spec.action.kind()
            ));
        }
        Ok(())
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        if self.trigger == "date_reached" {
            if let Some(r) = state
                .rules
                .by_owner
                .get_mut(&event.actor)
                .and_then(|m| m.get_mut(&self.rule.rule))
            {
                r.fired_at = Some(event.at);
            }
        }
        react::apply_act(state, &self.owner, &self.rule, &self.act, verify)
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        if let RuleAct::CustomersNotified { sets, text } = &self.act {
            // Each customer with hubs on a set, of that set only.
            for set in sets {
                for customer in state.customers_on(set) {
                    out.push((
                        crate::model::notices::Recipient::Customer(customer),
                        NotificationKind::RuleNotice {
                            set: set.clone(),
                            text: text.clone(),
                        },
                    ));
                }
            }
            return;
        }
        let Some(r) = state
            .rules
            .by_owner
            .get(&self.owner)
            .and_then(|m| m.get(&self.rule.rule))
        else {
            return;
        };
        let text = match &self.act {
            RuleAct::Notified { text } => Some(text.clone()),
            _ if r.spec.notify && !matches!(self.act, RuleAct::NothingToDo) => None,
            _ => return,
        };
        let Some(to) = state.recipient_of(&self.owner) else {
            return;
        };
        let (hubs, sets) = self.act.size();
        let campaign = match &self.act {
            RuleAct::Approved { campaign, .. }
            | RuleAct::Rejected { campaign, .. }
            | RuleAct::CutoffsSet { campaign, .. } => Some(campaign.clone()),
            _ => None,
        };
        out.push((
            to,
            NotificationKind::RuleActed {
                rule: self.rule.clone(),
                trigger: self.trigger.clone(),
                act: match &self.act {
                    RuleAct::Notified { .. } => "notified".into(),
                    other => other.action_kind().into(),
                },
                campaign,
                hub_count: limits::signed(hubs),
                set_count: limits::signed(sets),
                text,
            },
        ));
    }
}

/// A rule's mark as it is kept.
pub(crate) fn mark(by: &RuleRef, until: Option<DateTime<Utc>>, reason: &str) -> Mark {
    Mark {
        by: by.clone(),
        until,
        reason: reason.into(),
    }
}
