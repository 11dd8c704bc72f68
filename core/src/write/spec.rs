//! Specifications of decisions, beside each feature (`#[cfg(test)]`): given what happened,
//! when an actor asks a command at a time, then exactly these events, or this refusal with
//! nothing changed; and, where it matters, what a party then sees (`then_view`) and the notices
//! it was sent (`then_notices`). What happened is given as the commands that made it, or as
//! recorded events (`.recorded(..)`, applied as a replay applies them: for a history no command
//! of today could make, or to state only the fact a decision reads). The world they start
//! from is the repository's one test world, `tests/fixtures/two_regions.json`, which every
//! language's tests and the conformance scenarios load too.
//!
//! ```ignore
//! given(&[catalogue()])
//!     .when(&Actor::Dcc, day(1), GrantPilotOa { campaign: c("C1") })
//!     .then_error(ErrorKind::NotFound, None);
//! given(&[catalogue(), estate()])
//!     .recorded(&sup("SUP-A"), day(1), DefectFlagged { .. }.into())
//!     .when(&sup("SUP-A"), day(2), LiftDefectSuspension { flag })
//!     .then(vec![..])
//!     .then_notices(&sup("SUP-B"), &["defect_suspension_lifted"])
//!     .then_view(|e| e.state().defect_flags(&Actor::Dcc).unwrap().len(), 1);
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::error::{ErrorKind, Rule};
use crate::kernel::ids::actor::Actor;
use crate::model::estate::{HanDevice, HanDevices};
use crate::write::command::Command;
use crate::write::event::{Event, EventPayload};

/// Day `n` of the specifications' calendar, 09:00 UTC.
pub(crate) fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(n)
}

/// A step of history: who asked what, when.
pub(crate) type Step = (Actor, DateTime<Utc>, Command);

/// The repository's test world, `tests/fixtures/two_regions.json` (the fixture every
/// language's tests load), as the steps it is made of.
fn world() -> Vec<Step> {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/two_regions.json"))
            .expect("the fixture is JSON");
    doc["commands"]
        .as_array()
        .expect("the fixture's commands")
        .iter()
        .map(|step| {
            let actor: Actor = step["actor"]
                .as_str()
                .expect("actor")
                .parse()
                .expect("actor");
            let at: DateTime<Utc> = step["at"].as_str().expect("at").parse().expect("at");
            let command: Command =
                serde_json::from_value(step["command"].clone()).expect("a command");
            (actor, at, command)
        })
        .collect()
}

/// The world's catalogue: the north dual-band variant with firmware 1.0, 1.1 and 2.0 (each
/// upgrading from the one before) and the south single-band variant with 1.0, every gate of
/// each passed, all on day 0. Without the estate no customer can give testing feedback: the
/// DCC closes customer testing on its note alone (the world's customers test on their hubs).
pub(crate) fn catalogue() -> Vec<Step> {
    world()
        .into_iter()
        .filter(|(_, _, c)| !matches!(c, Command::LoadEstate(_) | Command::RecordTestFeedback(_)))
        .collect()
}

/// The world's estate, loaded on day 0: hub 1 north 1.1, SUP-A both fuels; hub 2 north 1.0,
/// split supply (SUP-A electricity, SUP-B gas, vulnerable); hub 3 north 1.1, SUP-B electricity
/// only, installed not commissioned; hub 4 south 1.0, SUP-C. Each has an ESME (EM-A1 3.1) and
/// an IHD (IHD-X 1.0); hubs 1 and 2 a GSME (GM-K1 5.0).
pub(crate) fn estate() -> Vec<Step> {
    world()
        .into_iter()
        .filter(|(_, _, c)| matches!(c, Command::LoadEstate(_)))
        .collect()
}

/// Campaign C1 (the north variant to 2.0, cut-off day 60, the default policy), created on
/// day 1 and in Pilot from day 2 (the DCC's pilot OA).
pub(crate) fn pilot() -> Vec<Step> {
    let c1: crate::kernel::ids::CampaignId = "C1".parse().unwrap();
    vec![
        (
            Actor::Dcc,
            day(1),
            crate::write::command::CreateCampaign {
                campaign: c1.clone(),
                variant: "CH-N-DB".parse().unwrap(),
                target: "2.0".parse().unwrap(),
                cutoff: day(60),
                policy: Default::default(),
            }
            .into(),
        ),
        (
            Actor::Dcc,
            day(2),
            crate::write::command::GrantPilotOa { campaign: c1 }.into(),
        ),
    ]
}

/// Customer `id` (a valid code).
pub(crate) fn sup(id: &str) -> Actor {
    Actor::customer(id).unwrap()
}

/// The configuration set of the world's hub 2 (north 1.0; ESME EM-A1 3.1, GSME GM-K1 5.0,
/// IHD-X 1.0), which SUP-A (electricity) and SUP-B (gas) both supply.
pub(crate) fn set_of_hub_2() -> crate::model::estate::ConfigurationSet {
    crate::model::estate::ConfigurationSet {
        variant: "CH-N-DB".parse().unwrap(),
        firmware: "1.0".parse().unwrap(),
        devices: HanDevices {
            esme: Some(HanDevice::new("EM-A1", "3.1")),
            gsme: Some(HanDevice::new("GM-K1", "5.0")),
            ihd: Some(HanDevice::new("IHD-X", "1.0")),
            ..HanDevices::default()
        },
    }
}

pub(crate) struct Given(Engine);

/// What happened before: each history's steps in order, each one accepted.
pub(crate) fn given(histories: &[Vec<Step>]) -> Given {
    let mut engine = Engine::new();
    for (actor, at, command) in histories.iter().flatten().cloned() {
        if let Err(e) = engine.execute(&actor, at, command.clone()) {
            panic!("the given history was refused at {command:?}: {e}");
        }
    }
    Given(engine)
}

impl Given {
    /// And this event was recorded (by `actor`, at `at`), applied as a replay applies it: checked
    /// against the state before it and the permission table, never decided.
    pub(crate) fn recorded(
        mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        payload: EventPayload,
    ) -> Given {
        let event = Event {
            seq: self.0.state().last_seq() + 1,
            at,
            actor: actor.clone(),
            payload,
            act: None,
        };
        if let Err(e) = self.0.apply_event(event.clone()) {
            panic!("the given event was refused at {event:?}: {e}");
        }
        self
    }

    /// Applies this event as a replay would, and returns the refusal it must meet: a forged
    /// event (one no command could have produced) is refused, and the state is unchanged.
    pub(crate) fn refuses_recorded(
        mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        payload: EventPayload,
    ) -> Error {
        let before = self.0.fork();
        let event = Event {
            seq: self.0.state().last_seq() + 1,
            at,
            actor: actor.clone(),
            payload,
            act: None,
        };
        let err = match self.0.apply_event(event.clone()) {
            Ok(()) => panic!("the forged event was applied: {event:?}"),
            Err(e) => e,
        };
        assert!(
            self.0.same_state_as(&before),
            "a refused event changed nothing"
        );
        err
    }

    /// What `ask` answers on the given history (to build a command from what a party sees).
    pub(crate) fn engine_view<T>(&self, ask: impl FnOnce(&Engine) -> T) -> T {
        ask(&self.0)
    }

    pub(crate) fn when(
        mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: impl Into<Command>,
    ) -> Then {
        let before = self.0.fork();
        let answer = self
            .0
            .execute(actor, at, command.into())
            .map(|events| events.iter().map(|e| e.payload.clone()).collect());
        Then {
            answer,
            before,
            after: self.0,
        }
    }
}

pub(crate) struct Then {
    answer: Result<Vec<EventPayload>, Error>,
    before: Engine,
    after: Engine,
}

impl Then {
    /// Exactly these events were recorded.
    pub(crate) fn then(self, expected: Vec<EventPayload>) -> Then {
        match &self.answer {
            Ok(events) => assert_eq!(events, &expected),
            Err(e) => panic!("expected {} event(s), refused: {e}", expected.len()),
        }
        self
    }

    /// What `ask` answers after the command is `expected` (a view as a party sees it).
    pub(crate) fn then_view<T: PartialEq + std::fmt::Debug>(
        self,
        ask: impl FnOnce(&Engine) -> T,
        expected: T,
    ) -> Then {
        assert_eq!(ask(&self.after), expected, "the view after the command");
        self
    }

    /// The notices the command sent `to`, by type (`defect_flagged`, ...), oldest first.
    pub(crate) fn then_notices(self, to: &Actor, expected: &[&str]) -> Then {
        let sent = |engine: &Engine| -> Vec<String> {
            let page = engine
                .notifications(to, crate::kernel::limits::MAX_PENDING_NOTICES as u64)
                .map(|p| p.notifications)
                .unwrap_or_default();
            page.iter()
                .map(|n| {
                    let json = serde_json::to_value(n).expect("a notice is JSON");
                    json["type"].as_str().unwrap_or_default().to_string()
                })
                .collect()
        };
        let (before, after) = (sent(&self.before), sent(&self.after));
        assert!(
            after.starts_with(&before),
            "notices were taken back: {before:?} -> {after:?}"
        );
        assert_eq!(&after[before.len()..], expected, "the notices sent to {to}");
        self
    }

    /// Refused with this kind (and, for a precondition, this rule), and nothing changed.
    pub(crate) fn then_error(self, kind: ErrorKind, rule: Option<Rule>) {
        match &self.answer {
            Ok(events) => panic!("expected {kind:?}, recorded {events:?}"),
            Err(e) => {
                assert_eq!(e.kind(), kind, "{e}");
                if let Some(rule) = rule {
                    assert!(
                        matches!(e, Error::PreconditionFailed { rule: r, .. } if *r == rule),
                        "expected rule {rule:?}: {e}"
                    );
                }
            }
        }
        assert!(
            self.after.same_state_as(&self.before),
            "a refused command changed the state"
        );
    }
}
