//! Which notices an applied event gives, and to whom: the notifications projection. The engine
//! runs it after the state applied an event (live or replayed, so a replay rebuilds the same
//! outboxes); the outboxes are not part of the state. Recipients are the parties of the state
//! the event produced; the actor of an event is not told of its own act.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::authority::Authority;
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId, Region};
use crate::kernel::limits;
use crate::model::campaigns::Campaign;
use crate::model::estate::{CustomerIdx, HubRecord, NO_CUSTOMER};
use crate::model::notices::{NoticeAudience, NotificationKind, Outboxes, Recipient, SharedText};
use crate::model::state::State;
use crate::write::event::EventPayload;

impl State {
    /// Puts the notices of `event` (just applied to this state) in `outboxes`, and moves a
    /// recipient's cursor when the event acknowledges.
    pub(crate) fn notify(&self, event: &Event, outboxes: &mut Outboxes) {
        self.notify_into(event, outboxes, None);
    }

    /// [`State::notify`], also copying each notice to `feed` (a store's per-party feed).
    pub(crate) fn notify_into(
        &self,
        event: &Event,
        outboxes: &mut Outboxes,
        mut feed: Option<&mut Vec<(Recipient, NotificationKind)>>,
    ) {
        if let EventPayload::NotificationsAcknowledged(NotificationsAcknowledged {
            recipient,
            up_to,
        }) = &event.payload
        {
            if let Some(to) = self.recipient_of(recipient) {
                outboxes.acknowledge(to, *up_to);
            }
            return;
        }
        let notices = self.notices(event);
        if notices.is_empty() {
            return; // most events tell nobody anything: skip resolving the actor
        }
        // A party is not told of its own acts, except what its rules did for it (it did not
        // see them happen).
        let actor = match event.payload {
            EventPayload::RuleActed(_) => None,
            _ => self.recipient_of(&event.actor),
        };
        for (to, kind) in notices {
            if Some(to) != actor {
                if let Some(feed) = feed.as_deref_mut() {
                    feed.push((to, kind.clone()));
                }
                outboxes.push(to, event.seq, event.at, kind);
            }
        }
    }

    pub(super) fn notices(&self, event: &Event) -> Notices {
        let mut out = Vec::new();
        event.payload.notices_each(self, event, &mut out);
        out
    }

    pub(super) fn region_of(&self, c: &Campaign) -> crate::kernel::ids::Region {
        self.catalogue.variant(c.variant).region
    }

    /// The DCC, the campaign's CSP and every customer with hubs of its variant.
    pub(super) fn campaign_parties(&self, c: &Campaign) -> Vec<Recipient> {
        let mut r = vec![Recipient::Dcc, Recipient::Csp(self.region_of(c))];
        r.extend(
            self.customers_of_variant(c)
                .into_iter()
                .map(Recipient::Customer),
        );
        r
    }

    /// The DCC, the campaign's CSP and every customer with hubs on configuration set `cfg`.
    pub(super) fn set_parties(&self, c: &Campaign, cfg: u32) -> Vec<Recipient> {
        let mut customers = BTreeSet::new();
        for h in self.estate.hubs.iter().filter(|h| h.config == cfg) {
            customers.extend([h.import_supplier, h.gas_supplier]);
        }
        customers.remove(&NO_CUSTOMER);
        let mut r = vec![Recipient::Dcc, Recipient::Csp(self.region_of(c))];
        r.extend(customers.into_iter().map(Recipient::Customer));
        r
    }

    /// Tells the other supplier of each split-supply hub among `positions` what `customer` did
    /// there (`side`), without naming it: one notice per other supplier, listing its own hubs.
    /// A withdrawal is told only of the hubs `customer` no longer consents to by any route (a
    /// nomination withdrawn from a hub its whole-estate approval still covers changes nothing
    /// the other sees).
    pub(super) fn other_supplier(
        &self,
        campaign: &CampaignId,
        customer: &crate::kernel::ids::CustomerId,
        positions: impl Iterator<Item = usize>,
        side: OtherSide,
        out: &mut Vec<(Recipient, NotificationKind)>,
    ) {
        let Some(me) = self.estate.customer_idx(customer) else {
            return;
        };
        let Some(c) = self.campaigns.get(campaign) else {
            return;
        };
        let mut per_other: BTreeMap<CustomerIdx, Vec<HubId>> = BTreeMap::new();
        for p in positions {
            let h = &self.estate.hubs[p];
            if !h.is_split_supply() || !h.is_supplied_by(me) {
                continue;
            }
            if side == OtherSide::Withdrew && c.consents.consents(me, p as u32, h.config) {
                continue;
            }
            let other = if h.import_supplier == me {
                h.gas_supplier
            } else {
                h.import_supplier
            };
            if other != NO_CUSTOMER && other != me {
                per_other.entry(other).or_default().push(h.id);
            }
        }
        for (other, mut hubs) in per_other {
            hubs.sort_unstable();
            let campaign = campaign.clone();
            out.push((
                Recipient::Customer(other),
                match side {
                    OtherSide::Consented => {
                        NotificationKind::OtherSupplierConsented { campaign, hubs }
                    }
                    OtherSide::Withdrew => {
                        NotificationKind::OtherSupplierWithdrew { campaign, hubs }
                    }
                    OtherSide::Rejected => {
                        NotificationKind::OtherSupplierRejected { campaign, hubs }
                    }
                },
            ));
        }
    }

    /// An outcomes summary to the DCC (every row) and to each supplier (its own hubs' rows).
    pub(super) fn summaries(
        &self,
        c: &Campaign,
        rows: impl Iterator<Item = (usize, Class)>,
        out: &mut Vec<(Recipient, NotificationKind)>,
    ) {
        let mut all = Counts::default();
        let mut per: BTreeMap<CustomerIdx, Counts> = BTreeMap::new();
        for (pos, class) in rows {
            all.add(class);
            let h = &self.estate.hubs[pos];
            let mut suppliers = vec![h.import_supplier];
            if h.gas_supplier != h.import_supplier {
                suppliers.push(h.gas_supplier);
            }
            for s in suppliers.into_iter().filter(|&s| s != NO_CUSTOMER) {
                per.entry(s).or_default().add(class);
            }
        }
        if all.is_empty() {
            return;
        }
        out.push((Recipient::Dcc, summary(&c.id, &all)));
        for (customer, counts) in per {
            out.push((Recipient::Customer(customer), summary(&c.id, &counts)));
        }
    }
}

/// What a supplier did on split hubs, as their other supplier is told of it (decision 12).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OtherSide {
    Consented,
    Withdrew,
    Rejected,
}

#[derive(Clone, Copy)]
pub(super) enum Class {
    Dispatched,
    Succeeded,
    Failed,
    NoResponse,
    TimedOut,
}

#[derive(Default)]
pub(super) struct Counts([i64; 5]);

impl Counts {
    pub(super) fn of(n: i64, class: Class) -> Counts {
        let mut c = Counts::default();
        c.0[class as usize] = n;
        c
    }
    pub(super) fn add(&mut self, class: Class) {
        self.0[class as usize] += 1;
    }
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }
}

pub(super) fn summary(campaign: &CampaignId, c: &Counts) -> NotificationKind {
    NotificationKind::OutcomesSummary {
        campaign: campaign.clone(),
        dispatched: c.0[Class::Dispatched as usize],
        succeeded: c.0[Class::Succeeded as usize],
        failed: c.0[Class::Failed as usize],
        no_response: c.0[Class::NoResponse as usize],
        timed_out: c.0[Class::TimedOut as usize],
    }
}

/// Any actor: its notifications up to `up_to` were read; they are not delivered again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeNotifications {
    pub up_to: i64,
}

impl Decide for AcknowledgeNotifications {
    fn action(&self) -> String {
        format!("acknowledge notifications up to {}", self.up_to)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        crate::kernel::limits::non_negative("up_to", self.up_to).map(|_| ())
    }

    /// Up to a notification the actor was given, and past its cursor.
    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let (up_to, actor) = (self.up_to, cx.actor);
        let (last, acked) = cx.outboxes.bounds(state.recipient_of(actor));
        if up_to > last {
            return Err(Error::invalid_input(
                "up_to",
                format!("{up_to} is beyond the last notification to {actor} ({last})"),
            ));
        }
        if up_to <= acked {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("{actor} already acknowledged up to {acked}"),
            ));
        }
        Ok(vec![EventPayload::NotificationsAcknowledged(
            NotificationsAcknowledged {
                recipient: actor.clone(),
                up_to,
            },
        )])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationsAcknowledged {
    pub recipient: Actor,
    pub up_to: i64,
}

impl Evolve for NotificationsAcknowledged {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        if *actor == self.recipient {
            Ok(())
        } else {
            Err("only the recipient acknowledges its notifications".into())
        }
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let NotificationsAcknowledged { recipient, up_to } = self;
        // The outboxes are a projection the engine keeps (`notices.rs`); the state
        // only checks that the recipient is one it knows.
        let _ = up_to;
        state
            .recipient_of(recipient)
            .ok_or_else(|| Error::not_found(Entity::Customer, recipient.to_code()))?;
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

/// The DCC or a CSP (decision 23): a notice to the customers of a campaign, a variant or a
/// configuration set, or to customers by name (a CSP: within its region). Each recipient is
/// told only that it was addressed, never who else was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SendNotice {
    pub audience: NoticeAudience,
    /// At most 256 bytes.
    pub title: String,
    /// At most 4 KiB.
    pub text: String,
}

impl Decide for SendNotice {
    fn action(&self) -> String {
        format!("send notice {:?}", self.title)
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text_within("title", &self.title, limits::MAX_ROW_TEXT_BYTES)?;
        limits::text("text", &self.text)?;
        if let NoticeAudience::Named { customers } = &self.audience {
            limits::count(
                "audience.customers",
                customers.len(),
                limits::MAX_NOTICE_CUSTOMERS,
            )?;
        }
        Ok(())
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let (actor, action) = (cx.actor, &cx.action);
        if !matches!(actor, Actor::Dcc | Actor::Csp(_)) {
            return Err(Error::not_permitted(
                actor,
                action,
                "only the DCC and a CSP send notices to customers",
            ));
        }
        for (field, text) in [("title", &self.title), ("text", &self.text)] {
            if text.trim().is_empty() {
                return Err(Error::invalid_input(field, "say something"));
            }
        }
        let mut audience = self.audience;
        if let NoticeAudience::Named { customers } = &mut audience {
            if customers.is_empty() {
                return Err(Error::invalid_input(
                    "audience.customers",
                    "name at least one customer",
                ));
            }
            // Each taken once, in one order: the same notice is the same event.
            customers.sort();
            customers.dedup();
        }
        state.notice_recipients(&audience, actor)?;
        Ok(vec![NoticeSent {
            audience,
            title: self.title,
            text: SharedText::new(&self.text),
        }
        .into()])
    }
}

impl State {
    /// The customers `audience` addresses when `sender` sends it, or why it cannot: a campaign,
    /// variant, set or customer unknown (to a CSP, another region's campaign, variant or set
    /// is unknown too). A CSP's named customers are those of them with hubs in its region.
    pub(crate) fn notice_recipients(
        &self,
        audience: &NoticeAudience,
        sender: &Actor,
    ) -> Result<Vec<CustomerIdx>, Error> {
        let region = match sender {
            Actor::Csp(r) => Some(*r),
            _ => None,
        };
        let in_region = |r: Region| region.is_none_or(|mine| mine == r);
        let customers_where = |keep: &dyn Fn(&HubRecord) -> bool| {
            let mut seen = BTreeSet::new();
            for h in self.estate.hubs.iter().filter(|h| keep(h)) {
                seen.extend([h.import_supplier, h.gas_supplier]);
            }
            seen.remove(&NO_CUSTOMER);
            seen.into_iter().collect::<Vec<_>>()
        };
        Ok(match audience {
            NoticeAudience::OfCampaign { campaign } => {
                let c = self
                    .campaigns
                    .get(campaign)
                    .filter(|c| in_region(self.region_of(c)))
                    .ok_or_else(|| Error::not_found(Entity::Campaign, campaign))?;
                self.customers_of_variant(c)
            }
            NoticeAudience::OfVariant { variant } => {
                let v = self
                    .catalogue
                    .variant_idx(variant)
                    .filter(|&v| in_region(self.catalogue.variant(v).region))
                    .ok_or_else(|| Error::not_found(Entity::Variant, variant))?;
                customers_where(&|h| h.variant == v)
            }
            NoticeAudience::OnSet { set } => {
                let cfg = self
                    .find_config(set)
                    .filter(|&cfg| {
                        let v = self.estate.configs.resolve(cfg).variant;
                        in_region(self.catalogue.variant(v).region)
                    })
                    .ok_or_else(|| Error::not_found(Entity::ConfigurationSet, set.key()))?;
                customers_where(&|h| h.config == cfg)
            }
            NoticeAudience::Named { customers } => {
                let mut out = Vec::with_capacity(customers.len());
                for id in customers {
                    let i = self
                        .estate
                        .customer_idx(id)
                        .filter(|&i| i != NO_CUSTOMER)
                        .ok_or_else(|| Error::not_found(Entity::Customer, id))?;
                    let told = match region {
                        None => true,
                        Some(r) => self.estate.hubs_of(i, 0).any(|p| {
                            self.catalogue.variant(self.estate.hubs[p].variant).region == r
                        }),
                    };
                    if told {
                        out.push(i);
                    }
                }
                out.sort_unstable();
                out.dedup();
                out
            }
        })
    }
}

/// A notice sent (decision 23): its audience as the sender addressed it, and its words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeSent {
    pub audience: NoticeAudience,
    pub title: String,
    pub text: SharedText,
}

impl Evolve for NoticeSent {
    fn recorded_by(&self, state: &State, actor: &Actor) -> Authority {
        match actor {
            Actor::Dcc => Ok(()),
            Actor::Csp(_) => state
                .notice_recipients(&self.audience, actor)
                .map(|_| ())
                .map_err(|e| format!("a CSP addresses only its region's customers: {e}")),
            _ => Err("only the DCC and a CSP send notices".into()),
        }
    }

    /// Changes nothing: the recipients' outboxes get the notice (`notices`).
    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        if verify {
            state.notice_recipients(&self.audience, &event.actor)?;
        }
        Ok(())
    }

    fn notices(&self, state: &State, event: &Event, out: &mut Notices) {
        let Ok(recipients) = state.notice_recipients(&self.audience, &event.actor) else {
            return;
        };
        let (mut campaign, mut variant, mut set) = (None, None, None);
        match &self.audience {
            NoticeAudience::OfCampaign { campaign: c } => campaign = Some(c.clone()),
            NoticeAudience::OfVariant { variant: v } => variant = Some(v.clone()),
            NoticeAudience::OnSet { set: s } => set = Some(s.clone()),
            NoticeAudience::Named { .. } => {}
        }
        for i in recipients {
            out.push((
                Recipient::Customer(i),
                NotificationKind::PartyNotice {
                    sender: event.actor.clone(),
                    campaign: campaign.clone(),
                    variant: variant.clone(),
                    set: set.clone(),
                    title: self.title.clone(),
                    text: self.text.clone(),
                },
            ));
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::write::spec::{catalogue, day, estate, given, pilot, sup};

    #[test]
    fn a_party_acknowledges_what_it_was_sent_and_is_not_sent_it_again() {
        // The pilot OA told SUP-A (a supplier of the campaign's variant): notices 1 and 2.
        let page = |e: &crate::engine::Engine| {
            let p = e.notifications(&sup("SUP-A"), 100).unwrap();
            (p.acknowledged, p.notifications.len())
        };
        let sent = given(&[catalogue(), estate(), pilot()]).engine_view(page);
        assert!(sent.1 >= 1, "SUP-A was told of the campaign: {sent:?}");
        let up_to = sent.1 as i64;
        given(&[catalogue(), estate(), pilot()])
            .when(&sup("SUP-A"), day(3), AcknowledgeNotifications { up_to })
            .then(vec![NotificationsAcknowledged {
                recipient: sup("SUP-A"),
                up_to,
            }
            .into()])
            .then_view(page, (up_to, 0));
    }

    #[test]
    fn acknowledging_past_the_last_notice_or_again_is_refused() {
        given(&[catalogue(), estate(), pilot()])
            .when(
                &sup("SUP-A"),
                day(3),
                AcknowledgeNotifications { up_to: 1_000 },
            )
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), pilot()])
            .recorded(
                &sup("SUP-A"),
                day(3),
                NotificationsAcknowledged {
                    recipient: sup("SUP-A"),
                    up_to: 1,
                }
                .into(),
            )
            .when(&sup("SUP-A"), day(4), AcknowledgeNotifications { up_to: 1 })
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
    }

    fn notice(audience: NoticeAudience) -> SendNotice {
        SendNotice {
            audience,
            title: "Maintenance window".into(),
            text: "Dispatches pause on Saturday night.".into(),
        }
    }

    fn named(ids: &[&str]) -> NoticeAudience {
        NoticeAudience::Named {
            customers: ids.iter().map(|c| c.parse().unwrap()).collect(),
        }
    }

    fn c1() -> CampaignId {
        "C1".parse().unwrap()
    }

    #[test]
    fn the_dcc_tells_the_customers_of_a_campaign_and_nobody_else() {
        let sent = NoticeSent {
            audience: NoticeAudience::OfCampaign { campaign: c1() },
            title: "Maintenance window".into(),
            text: SharedText::new("Dispatches pause on Saturday night."),
        };
        let then = given(&[catalogue(), estate(), pilot()])
            .when(
                &Actor::Dcc,
                day(3),
                notice(NoticeAudience::OfCampaign { campaign: c1() }),
            )
            .then(vec![sent.into()]);
        // SUP-A and SUP-B supply the north variant's hubs; SUP-C only the south's.
        let then = then
            .then_notices(&sup("SUP-A"), &["party_notice"])
            .then_notices(&sup("SUP-B"), &["party_notice"])
            .then_notices(&sup("SUP-C"), &[]);
        then.then_view(
            |e| {
                let page = e.notifications(&sup("SUP-B"), 100).unwrap();
                page.notifications.last().map(|n| n.kind.clone())
            },
            Some(NotificationKind::PartyNotice {
                sender: Actor::Dcc,
                campaign: Some(c1()),
                variant: None,
                set: None,
                title: "Maintenance window".into(),
                text: SharedText::new("Dispatches pause on Saturday night."),
            }),
        );
    }

    #[test]
    fn a_csp_names_customers_and_only_those_with_hubs_in_its_region_are_told() {
        let north = Actor::Csp(Region::North);
        given(&[catalogue(), estate()])
            .when(&north, day(3), notice(named(&["SUP-C", "SUP-A", "SUP-A"])))
            .then(vec![NoticeSent {
                // Each once, in order: the same notice is the same event.
                audience: named(&["SUP-A", "SUP-C"]),
                title: "Maintenance window".into(),
                text: SharedText::new("Dispatches pause on Saturday night."),
            }
            .into()])
            .then_notices(&sup("SUP-A"), &["party_notice"])
            .then_notices(&sup("SUP-C"), &[]);
        // A configuration set of the north: the customers on it, SUP-A and SUP-B (hub 2).
        given(&[catalogue(), estate()])
            .when(
                &north,
                day(3),
                notice(NoticeAudience::OnSet {
                    set: crate::write::spec::set_of_hub_2(),
                }),
            )
            .then_notices(&sup("SUP-A"), &["party_notice"])
            .then_notices(&sup("SUP-B"), &["party_notice"])
            .then_notices(&sup("SUP-C"), &[]);
    }

    #[test]
    fn another_regions_campaign_variant_or_set_does_not_exist_to_a_csp() {
        let south = Actor::Csp(Region::South);
        for audience in [
            NoticeAudience::OfCampaign { campaign: c1() },
            NoticeAudience::OfVariant {
                variant: "CH-N-DB".parse().unwrap(),
            },
            NoticeAudience::OnSet {
                set: crate::write::spec::set_of_hub_2(),
            },
        ] {
            given(&[catalogue(), estate(), pilot()])
                .when(&south, day(3), notice(audience))
                .then_error(ErrorKind::NotFound, None);
        }
    }

    #[test]
    fn a_notice_from_a_customer_empty_unknown_or_too_big_is_refused() {
        let refused = |actor: &Actor, n: SendNotice, kind: ErrorKind| {
            given(&[catalogue(), estate(), pilot()])
                .when(actor, day(3), n)
                .then_error(kind, None);
        };
        let campaign = || NoticeAudience::OfCampaign { campaign: c1() };
        refused(&sup("SUP-A"), notice(campaign()), ErrorKind::NotPermitted);
        refused(
            &Actor::Dcc,
            SendNotice {
                title: " ".into(),
                ..notice(campaign())
            },
            ErrorKind::InvalidInput,
        );
        refused(
            &Actor::Dcc,
            SendNotice {
                text: "x".repeat(limits::MAX_TEXT_BYTES + 1),
                ..notice(campaign())
            },
            ErrorKind::InvalidInput,
        );
        refused(
            &Actor::Dcc,
            SendNotice {
                title: "x".repeat(limits::MAX_ROW_TEXT_BYTES + 1),
                ..notice(campaign())
            },
            ErrorKind::InvalidInput,
        );
        refused(&Actor::Dcc, notice(named(&[])), ErrorKind::InvalidInput);
        refused(&Actor::Dcc, notice(named(&["SUP-Z"])), ErrorKind::NotFound);
        let many: Vec<String> = (0..=limits::MAX_NOTICE_CUSTOMERS)
            .map(|i| format!("SUP-{i}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        refused(&Actor::Dcc, notice(named(&many)), ErrorKind::InvalidInput);
        refused(
            &Actor::Dcc,
            notice(NoticeAudience::OfCampaign {
                campaign: "C9".parse().unwrap(),
            }),
            ErrorKind::NotFound,
        );
    }
}
