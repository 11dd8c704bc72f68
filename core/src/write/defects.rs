//! Defect flags: a customer flags a configuration set or firmware, optionally suspending its
//! own hubs' upgrades, and lifts that suspension.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::Error;
use crate::kernel::error::{Entity, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::kernel::limits;
use crate::model::defects::{DefectFlag, DefectSubject, FlagClosure, Resolved};
use crate::model::estate::NO_CUSTOMER;
use crate::model::notices::{NotificationKind, Recipient};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// A customer: flag a defect to every customer on a configuration set or firmware version,
/// named or not, and perhaps suspend its own upgrades on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagDefect {
    pub subject: DefectSubject,
    pub text: String,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub named: bool,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub suspend_own: bool,
}

impl Decide for FlagDefect {
    fn action(&self) -> String {
        "flag a defect".to_string()
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("text", &self.text)?;
        match &self.subject {
            DefectSubject::ConfigurationSet { set } => set.check_bounds("subject.set"),
            DefectSubject::Firmware { .. } => Ok(()),
        }
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let FlagDefect {
            subject,
            text,
            named,
            suspend_own,
        } = self;
        let (actor, at, action) = (cx.actor, cx.at, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        if text.trim().is_empty() {
            return Err(Error::invalid_input("text", "say what the defect is"));
        }
        state.resolve_subject(&subject, Some(me))?;
        // The same flag twice from one customer at one time is one flag. The same words from
        // two customers are two flags, and neither learns of the other's from a refusal.
        if let Some(d) = state
            .defects
            .iter()
            .find(|d| d.customer == me && d.at == at && d.text == text && d.subject == subject)
        {
            return Err(Error::already_exists(Entity::DefectFlag, d.id));
        }
        let open = state.defects.iter().filter(|d| d.customer == me).count();
        if open >= crate::kernel::limits::MAX_OPEN_FLAGS_PER_CUSTOMER {
            return Err(Error::too_many(
                "defect flags open (withdraw one you no longer need)",
                open + 1,
                crate::kernel::limits::MAX_OPEN_FLAGS_PER_CUSTOMER,
            ));
        }
        let flag = state.next_flag_id(&subject, &text, at);
        let suspending = state
            .defects
            .iter()
            .filter(|d| d.customer == me && d.suspending)
            .count();
        if suspend_own && suspending >= crate::kernel::limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER {
            return Err(Error::too_many(
                "suspend_own: defect flags suspending your upgrades",
                suspending + 1,
                crate::kernel::limits::MAX_SUSPENDING_FLAGS_PER_CUSTOMER,
            ));
        }
        Ok(vec![EventPayload::DefectFlagged(DefectFlagged {
            flag,
            customer,
            subject,
            text,
            named,
            suspend_own,
        })])
    }
}

/// The flagging customer: lift the suspension its defect flag placed on its own upgrades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LiftDefectSuspension {
    pub flag: i64,
}

impl Decide for LiftDefectSuspension {
    fn action(&self) -> String {
        let LiftDefectSuspension { flag } = self;
        format!("lift the suspension of defect flag {flag}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        Ok(()) // identifiers, dates, numbers and flags only: bounded by their types
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let LiftDefectSuspension { flag } = self;
        let (actor, action) = (cx.actor, &cx.action);
        let (me, customer) = state.participant(actor, action)?;
        // Another's flag answers as one that does not exist: its existence is not yours.
        let d = state
            .defect(flag)
            .ok()
            .filter(|d| d.customer == me)
            .ok_or_else(|| Error::not_found(Entity::DefectFlag, flag))?;
        if !d.suspending {
            return Err(Error::precondition(
                Rule::NoChange,
                format!("defect flag {flag} suspends nothing"),
            ));
        }
        Ok(vec![EventPayload::DefectSuspensionLifted(
            DefectSuspensionLifted { flag, customer },
        )])
    }
}

/// The flagging customer: close its defect flag, as `resolved` (the defect was real and is
/// dealt with) or `retracted` (the flag was a mistake; the default), with an optional note. It
/// is no longer shown and suspends nothing; those the flag tells (the DCC, the CSP, the
/// customers with hubs on its subject now) are told it closed, and how (the log keeps the record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawDefectFlag {
    pub flag: i64,
    /// How it closes; none: `retracted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub closure: Option<FlagClosure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub note: Option<String>,
}

impl Decide for WithdrawDefectFlag {
    fn action(&self) -> String {
        let WithdrawDefectFlag { flag, .. } = self;
        format!("withdraw defect flag {flag}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::opt_text("note", &self.note)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let WithdrawDefectFlag {
            flag,
            closure,
            note,
        } = self;
        let (me, customer) = state.participant(cx.actor, &cx.action)?;
        // Another's flag answers as one that does not exist: its existence is not yours.
        let d = state
            .defect(flag)
            .ok()
            .filter(|d| d.customer == me)
            .ok_or_else(|| Error::not_found(Entity::DefectFlag, flag))?;
        if note.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::invalid_input(
                "note",
                "a note, where given, says something",
            ));
        }
        Ok(vec![EventPayload::DefectFlagWithdrawn(
            DefectFlagWithdrawn {
                flag,
                customer,
                closure: closure.unwrap_or_default(),
                note,
                subject: Some(d.subject.clone()),
                named: d.named,
            },
        )])
    }
}

// --- events ---

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DefectFlagged {
    pub flag: i64,
    pub customer: CustomerId,
    pub subject: DefectSubject,
    pub text: String,
    pub named: bool,
    pub suspend_own: bool,
}

impl Evolve for DefectFlagged {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, event: &Event, verify: bool) -> Result<(), Error> {
        let DefectFlagged {
            flag,
            customer,
            subject,
            text,
            named,
            suspend_own,
        } = self;
        let me = state.customer_ref(customer)?;
        let resolved = state.resolve_subject(subject, None)?;
        if verify && *flag != state.next_flag_id(subject, text, event.at) {
            return Err(Error::invalid_input(
                "flag",
                format!("defect flag {flag} is not the id of its contents"),
            ));
        }
        if state.defects.iter().any(|d| d.id == *flag) || state.withdrawn_flags.contains(flag) {
            return Err(Error::already_exists(Entity::DefectFlag, flag));
        }
        state.defects.push(DefectFlag {
            id: *flag,
            customer: me,
            subject: subject.clone(),
            resolved,
            text: text.clone(),
            named: *named,
            suspending: *suspend_own,
            at: event.at,
        });
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let DefectFlagged {
            flag,
            customer,
            subject,
            text,
            named,
            ..
        } = self;
        let Some(d) = state.defects.iter().find(|d| d.id == *flag) else {
            return;
        };
        let shared = crate::model::notices::SharedText::new(text);
        let kind = |show: bool| NotificationKind::DefectFlagged {
            flag: *flag,
            subject: subject.clone(),
            text: shared.clone(),
            flagged_by: show.then(|| customer.clone()),
        };
        for (to, show) in state.flag_recipients(d.resolved, d.customer, *named) {
            out.push((to, kind(show)));
        }
    }
}

impl State {
    /// Who is told of a flag on `resolved` by `flagger` (and of its closing), and whether the
    /// flagger is named to each: the DCC (always named), the region's CSP, and every other
    /// customer with hubs on the subject (named where the flag chose to be).
    pub(super) fn flag_recipients(
        &self,
        resolved: Resolved,
        flagger: crate::model::estate::CustomerIdx,
        named: bool,
    ) -> Vec<(Recipient, bool)> {
        let variant = match resolved {
            Resolved::Config(cfg) => self.estate.configs.resolve(cfg).variant,
            Resolved::Firmware(f) => self.catalogue.fw(f).variant,
        };
        let mut out = vec![
            (Recipient::Dcc, true),
            (
                Recipient::Csp(self.catalogue.variant(variant).region),
                named,
            ),
        ];
        let mut on_it = BTreeSet::new();
        for h in &self.estate.hubs {
            let hit = match resolved {
                Resolved::Config(cfg) => h.config == cfg,
                Resolved::Firmware(_) => h.variant == variant,
            };
            if hit {
                on_it.extend([h.import_supplier, h.gas_supplier]);
            }
        }
        on_it.remove(&NO_CUSTOMER);
        on_it.remove(&flagger);
        out.extend(on_it.into_iter().map(|c| (Recipient::Customer(c), named)));
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DefectSuspensionLifted {
    pub flag: i64,
    pub customer: CustomerId,
}

impl Evolve for DefectSuspensionLifted {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, _verify: bool) -> Result<(), Error> {
        let DefectSuspensionLifted { flag, .. } = self;
        state.defect(*flag)?;
        if let Some(d) = state.defects.iter_mut().find(|d| d.id == *flag) {
            d.suspending = false;
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody.
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DefectFlagWithdrawn {
    pub flag: i64,
    pub customer: CustomerId,
    /// Absent from events recorded before flags were resolved or retracted: `retracted`.
    #[serde(default)]
    pub closure: FlagClosure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub note: Option<String>,
    /// The flag's subject and whether it named its flagger, as the flag had them: whom to tell
    /// once the flag is gone. Absent from events recorded before anyone was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub subject: Option<DefectSubject>,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub named: bool,
}

impl Evolve for DefectFlagWithdrawn {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::the_customer(actor, &self.customer)
    }

    fn apply(&self, state: &mut State, _event: &Event, verify: bool) -> Result<(), Error> {
        let DefectFlagWithdrawn {
            flag,
            customer,
            subject,
            named,
            ..
        } = self;
        let me = state.customer_ref(customer)?;
        let d = state.defect(*flag)?;
        if d.customer != me {
            return Err(Error::not_found(Entity::DefectFlag, flag));
        }
        // Whom it tells must be the flag's: a log cannot redirect the closing notice.
        if verify
            && subject
                .as_ref()
                .is_some_and(|s| *s != d.subject || *named != d.named)
        {
            return Err(Error::invalid_input(
                "subject",
                format!("defect flag {flag} is not about that, or not so named"),
            ));
        }
        // Its id stays taken: no later flag is given it.
        state.defects.retain(|d| d.id != *flag);
        state.withdrawn_flags.insert(*flag);
        Ok(())
    }

    fn notices(&self, state: &State, _event: &Event, out: &mut Notices) {
        let DefectFlagWithdrawn {
            flag,
            customer,
            closure,
            note,
            subject,
            named,
        } = self;
        // An event of before anyone was told of a closing tells nobody.
        let Some(subject) = subject else {
            return;
        };
        let Ok(resolved) = state.resolve_subject(subject, None) else {
            return;
        };
        let Some(me) = state.estate.customer_idx(customer) else {
            return;
        };
        let kind = |show: bool| NotificationKind::DefectFlagClosed {
            flag: *flag,
            subject: subject.clone(),
            closure: *closure,
            note: note.clone(),
            flagged_by: show.then(|| customer.clone()),
        };
        for (to, show) in state.flag_recipients(resolved, me, *named) {
            out.push((to, kind(show)));
        }
    }
}

impl State {
    /// The id the next flag with this subject, text and time takes (`defects::flag_id`): the
    /// first ordinal whose id no flag has taken, open or withdrawn.
    pub(crate) fn next_flag_id(
        &self,
        subject: &DefectSubject,
        text: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> i64 {
        let taken =
            |id: i64| self.withdrawn_flags.contains(&id) || self.defects.iter().any(|d| d.id == id);
        (0..)
            .map(|ordinal| crate::model::defects::flag_id(subject, text, at, ordinal))
            .find(|&id| !taken(id))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::actor::Actor;
    use crate::model::defects::flag_id;
    use crate::write::spec::{catalogue, day, estate, given, Step};

    fn firmware_2() -> DefectSubject {
        DefectSubject::Firmware {
            variant: "CH-N-DB".parse().unwrap(),
            version: "2.0".parse().unwrap(),
        }
    }

    fn flag(suspend_own: bool) -> FlagDefect {
        FlagDefect {
            subject: firmware_2(),
            text: "IHD pairing drops".into(),
            named: true,
            suspend_own,
        }
    }

    fn sup(id: &str) -> Actor {
        Actor::customer(id).unwrap()
    }

    fn flagged_by_a(suspend_own: bool) -> Vec<Step> {
        vec![(sup("SUP-A"), day(1), flag(suspend_own).into())]
    }

    fn id_of_a() -> i64 {
        flag_id(&firmware_2(), "IHD pairing drops", day(1), 0)
    }

    #[test]
    fn a_customer_flags_firmware_of_a_variant_it_supplies() {
        given(&[catalogue(), estate()])
            .when(&sup("SUP-A"), day(1), flag(true))
            .then(vec![DefectFlagged {
                flag: id_of_a(),
                customer: "SUP-A".parse().unwrap(),
                subject: firmware_2(),
                text: "IHD pairing drops".into(),
                named: true,
                suspend_own: true,
            }
            .into()]);
    }

    #[test]
    fn flags_are_refused_to_others_to_empty_texts_and_twice() {
        given(&[catalogue(), estate()])
            .when(&Actor::Dcc, day(1), flag(true))
            .then_error(ErrorKind::NotPermitted, None);
        given(&[catalogue(), estate()])
            .when(
                &sup("SUP-A"),
                day(1),
                FlagDefect {
                    text: " ".into(),
                    ..flag(true)
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        // A customer the estate does not know is told so (of itself, not of anyone else).
        given(&[catalogue(), estate()])
            .when(&sup("SUP-Z"), day(1), flag(true))
            .then_error(ErrorKind::NotFound, None);
        given(&[catalogue(), estate(), flagged_by_a(true)])
            .when(&sup("SUP-A"), day(1), flag(true))
            .then_error(ErrorKind::AlreadyExists, None);
    }

    #[test]
    fn the_flagger_resolves_its_flag_and_everyone_told_of_it_is_told_how_it_closed() {
        let close = WithdrawDefectFlag {
            flag: id_of_a(),
            closure: Some(FlagClosure::Resolved),
            note: Some("fixed by IHD-X 1.1".into()),
        };
        given(&[catalogue(), estate(), flagged_by_a(true)])
            .when(&sup("SUP-A"), day(2), close.clone())
            .then(vec![DefectFlagWithdrawn {
                flag: id_of_a(),
                customer: "SUP-A".parse().unwrap(),
                closure: FlagClosure::Resolved,
                note: Some("fixed by IHD-X 1.1".into()),
                subject: Some(firmware_2()),
                named: true,
            }
            .into()])
            // SUP-B supplies hubs of the variant (as SUP-A's flag told it); SUP-C only the south.
            .then_notices(&sup("SUP-B"), &["defect_flag_closed"])
            .then_notices(&sup("SUP-C"), &[])
            .then_view(
                |e| {
                    let b = e.notifications(&sup("SUP-B"), 100).unwrap().notifications;
                    let closed = b.into_iter().map(|n| n.kind).find_map(|k| match k {
                        NotificationKind::DefectFlagClosed {
                            closure,
                            note,
                            flagged_by,
                            ..
                        } => Some((closure, note, flagged_by.map(|c| c.to_string()))),
                        _ => None,
                    });
                    let still = e.state().defect_flags(&sup("SUP-B")).unwrap().len();
                    (closed, still)
                },
                (
                    Some((
                        FlagClosure::Resolved,
                        Some("fixed by IHD-X 1.1".to_string()),
                        Some("SUP-A".to_string()),
                    )),
                    0,
                ),
            );
        // A blank note is refused; no closure given retracts.
        given(&[catalogue(), estate(), flagged_by_a(true)])
            .when(
                &sup("SUP-A"),
                day(2),
                WithdrawDefectFlag {
                    note: Some(" ".into()),
                    ..close.clone()
                },
            )
            .then_error(ErrorKind::InvalidInput, None);
        // A log cannot redirect the closing notice to another subject.
        let err = given(&[catalogue(), estate(), flagged_by_a(true)]).refuses_recorded(
            &sup("SUP-A"),
            day(2),
            DefectFlagWithdrawn {
                flag: id_of_a(),
                customer: "SUP-A".parse().unwrap(),
                closure: FlagClosure::Retracted,
                note: None,
                subject: Some(DefectSubject::Firmware {
                    variant: "CH-N-DB".parse().unwrap(),
                    version: "1.1".parse().unwrap(),
                }),
                named: true,
            }
            .into(),
        );
        assert!(err.to_string().contains("is not about that"), "{err}");
    }

    #[test]
    fn only_the_flagger_lifts_the_suspension_it_placed() {
        let lift = || LiftDefectSuspension { flag: id_of_a() };
        given(&[catalogue(), estate(), flagged_by_a(true)])
            .when(&sup("SUP-A"), day(2), lift())
            .then(vec![DefectSuspensionLifted {
                flag: id_of_a(),
                customer: "SUP-A".parse().unwrap(),
            }
            .into()]);
        // To another customer, the flag answers exactly as one that does not exist.
        given(&[catalogue(), estate(), flagged_by_a(true)])
            .when(&sup("SUP-B"), day(2), lift())
            .then_error(ErrorKind::NotFound, None);
        given(&[catalogue(), estate(), flagged_by_a(false)])
            .when(&sup("SUP-A"), day(2), lift())
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
        given(&[catalogue(), estate()])
            .when(&sup("SUP-A"), day(2), LiftDefectSuspension { flag: 7 })
            .then_error(ErrorKind::NotFound, None);
    }
}
