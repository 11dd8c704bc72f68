//! Specifications of decisions, beside each feature (`#[cfg(test)]`): given what happened,
//! when an actor asks a command at a time, then exactly these events, or this refusal with
//! nothing changed. What happened is given as the commands that made it (read as the events
//! they recorded), so a specification states only what matters to its decision.
//!
//! ```ignore
//! given(&[catalogue()])
//!     .when(&Actor::Dcc, day(1), GrantPilotOa { campaign: c("C1") })
//!     .then_error(ErrorKind::NotFound, None);
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::engine::Engine;
use crate::kernel::error::Error;
use crate::kernel::error::{ErrorKind, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::HubId;
use crate::kernel::ids::Region;
use crate::model::catalogue::{Gate, HanBand, Variant};
use crate::model::estate::{ConsumerFlags, HanDevice, HanDevices, HubRow, SmiStatus};
use crate::write::command::{Command, LoadEstate, RecordGate, RegisterFirmware, RegisterVariant};
use crate::write::event::EventPayload;

/// Day `n` of the specifications' calendar, 09:00 UTC.
pub(crate) fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(n)
}

/// A step of history: who asked what, when.
pub(crate) type Step = (Actor, DateTime<Utc>, Command);

/// The north dual-band variant with firmware 1.0 and 2.0 (2.0 upgrades from 1.0), every gate
/// of both passed.
pub(crate) fn catalogue() -> Vec<Step> {
    let csp = Actor::Csp(Region::North);
    let customer = Actor::customer("SUP-A").unwrap();
    let mut steps: Vec<Step> = vec![(
        Actor::Dcc,
        day(0),
        RegisterVariant {
            variant: Box::new(Variant {
                id: "CH-N-DB".parse().unwrap(),
                manufacturer: "Acme".into(),
                model: "CH2".into(),
                hardware_version: "B".into(),
                han_band: HanBand::DualBand,
                region: Region::North,
            }),
        }
        .into(),
    )];
    for (version, from) in [("1.0", vec![]), ("2.0", vec!["1.0".parse().unwrap()])] {
        steps.push((
            csp.clone(),
            day(0),
            RegisterFirmware {
                variant: "CH-N-DB".parse().unwrap(),
                version: version.parse().unwrap(),
                upgrades_from: from,
            }
            .into(),
        ));
        for gate in Gate::ALL {
            let by = match gate {
                Gate::CspApproved => csp.clone(),
                Gate::CustomerTested => customer.clone(),
                _ => Actor::Dcc,
            };
            steps.push((
                by,
                day(0),
                RecordGate {
                    variant: "CH-N-DB".parse().unwrap(),
                    version: version.parse().unwrap(),
                    gate,
                    // Customer testing carries the customer's feedback.
                    note: (gate == Gate::CustomerTested).then(|| "fine on our rigs".into()),
                }
                .into(),
            ));
        }
    }
    steps
}

/// Three commissioned hubs of the north variant on 1.0: hub 1 supplied by SUP-A, hub 2 by
/// SUP-B, hub 3 by SUP-A (import) and SUP-B (gas). Each has an ESME (EM-A1, 3.1); hub 3 a
/// GSME (GM-K1, 5.0).
pub(crate) fn estate() -> Vec<Step> {
    let row = |n: u64, import: &str, gas: Option<&str>| HubRow {
        id: HubId::from_u64(n),
        variant: "CH-N-DB".parse().unwrap(),
        firmware: "1.0".parse().unwrap(),
        smi_status: SmiStatus::Commissioned,
        devices: HanDevices {
            esme: Some(HanDevice::new("EM-A1", "3.1")),
            gsme: gas.map(|_| HanDevice::new("GM-K1", "5.0")),
            ..HanDevices::default()
        },
        import_supplier: Some(import.parse().unwrap()),
        gas_supplier: gas.map(|g| g.parse().unwrap()),
        import_flags: ConsumerFlags::default(),
        gas_flags: ConsumerFlags::default(),
        installed_on: "2024-01-01".parse().unwrap(),
        commissioned_on: Some("2024-01-02".parse().unwrap()),
    };
    let hubs = vec![
        row(1, "SUP-A", None),
        row(2, "SUP-B", None),
        row(3, "SUP-A", Some("SUP-B")),
    ];
    vec![(Actor::Dcc, day(0), LoadEstate { hubs }.into())]
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
    pub(crate) fn then(self, expected: Vec<EventPayload>) {
        match self.answer {
            Ok(events) => assert_eq!(events, expected),
            Err(e) => panic!("expected {} event(s), refused: {e}", expected.len()),
        }
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
