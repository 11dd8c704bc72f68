//! Customer testing (decision 24): each customer with hubs of a variant gives its testing
//! feedback on a version once a testing round, and the DCC closes `customer_tested` on that
//! evidence. The closing itself is `record_gate` (in `catalogue.rs`); this file holds the
//! feedback and the rule the closing must meet.

use serde::{Deserialize, Serialize};

use super::authority::{self, Authority};
use super::command::{Cx, Decide};
use super::event::{Event, Evolve, Notices};
use crate::kernel::error::{Error, Rule};
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, FirmwareVersion, VariantId};
use crate::kernel::limits;
use crate::model::catalogue::VariantIdx;
use crate::model::catalogue::{FirmwareEntry, FirmwareIdx, Gate, TestFeedback, TestResult};
use crate::model::state::State;
use crate::write::event::EventPayload;

/// A customer with hubs of the variant: what it found testing a firmware version on its own
/// rigs. Taken once `dcc_test_approved` is recorded and until the DCC closes
/// `customer_tested`; once a customer each testing round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordTestFeedback {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub result: TestResult,
    /// What was tested and found (bounded text; required).
    pub feedback: String,
}

impl Decide for RecordTestFeedback {
    fn action(&self) -> String {
        let RecordTestFeedback {
            variant, version, ..
        } = self;
        format!("record testing feedback on firmware {version} of variant {variant}")
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::text("feedback", &self.feedback)
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let RecordTestFeedback {
            variant,
            version,
            result,
            feedback,
        } = self;
        let Some(customer) = cx.actor.as_customer() else {
            return Err(Error::not_permitted(
                cx.actor,
                &cx.action,
                "testing feedback is a DCC Customer's, on hubs it supplies",
            ));
        };
        let v = state.variant_idx(&variant)?;
        let f = state.firmware_idx(v, &variant, &version)?;
        if feedback.trim().is_empty() {
            return Err(Error::invalid_input(
                "feedback",
                "say what was tested and found",
            ));
        }
        state.feedback_refusal(customer, v, f).map_or(Ok(()), Err)?;
        Ok(vec![EventPayload::TestFeedbackRecorded(
            TestFeedbackRecorded {
                variant,
                version,
                result,
                feedback,
            },
        )])
    }
}

impl State {
    /// Why `customer` may not give feedback on version `f` of variant `v` now, if it may not:
    /// no hub of the variant, the testing gate not open, or its feedback already given.
    fn feedback_refusal(
        &self,
        customer: &CustomerId,
        v: VariantIdx,
        f: FirmwareIdx,
    ) -> Option<Error> {
        let variant = &self.catalogue.variant(v).id;
        let fw = self.catalogue.fw(f);
        let supplies = self.estate.customer_idx(customer).is_some_and(|c| {
            self.estate
                .hubs_of(c, 0)
                .any(|p| self.estate.hubs[p].variant == v)
        });
        if !supplies {
            return Some(Error::not_permitted(
                &Actor::Customer(customer.clone()),
                format!(
                    "record testing feedback on firmware {} of variant {variant}",
                    fw.version
                ),
                format!("{customer} supplies no hub of variant {variant}"),
            ));
        }
        let open = Gate::CustomerTested.position();
        if fw.gates.len() != open {
            let why = if fw.gates.len() < open {
                format!("{} is not recorded yet", Gate::ALL[fw.gates.len()])
            } else {
                "the DCC has closed customer_tested".to_string()
            };
            return Some(Error::precondition(
                Rule::GateOrder,
                format!(
                    "{variant}@{}: testing feedback is taken after dcc_test_approved and until \
                     customer_tested is closed; {why}",
                    fw.version
                ),
            ));
        }
        if let Some(given) = fw.current_feedback().find(|t| t.customer == *customer) {
            return Some(Error::precondition(
                Rule::NoChange,
                format!(
                    "{variant}@{}: {customer} gave its feedback in this testing round at {}",
                    fw.version, given.at
                ),
            ));
        }
        None
    }

    /// Why the DCC may not close `customer_tested` on `fw` with `note`, if it may not: it
    /// closes on the current round's feedback, always with its note saying on what evidence.
    /// Every party reads the gate's note, and a closing without one would tell a customer that
    /// gave no feedback that others did (so have hubs of the variant). The refusal names to the
    /// DCC the customers that found issues.
    pub(super) fn testing_close_refusal(fw: &FirmwareEntry, note: Option<&str>) -> Option<Error> {
        if note.is_some_and(|n| !n.trim().is_empty()) {
            return None;
        }
        let issues: Vec<String> = fw
            .current_feedback()
            .filter(|t| t.result == TestResult::IssuesFound)
            .map(|t| t.customer.to_string())
            .collect();
        let why = if !issues.is_empty() {
            format!(
                "{} found issues testing {}; the DCC closes customer_tested over them only with \
                 its reason",
                issues.join(", "),
                fw.version
            )
        } else if fw.current_feedback().next().is_none() {
            format!(
                "no customer has given testing feedback on {} in this round; the DCC closes \
                 customer_tested without it only with its reason",
                fw.version
            )
        } else {
            format!(
                "the DCC closes customer_tested on {} with a note saying on what evidence \
                 (every party reads it)",
                fw.version
            )
        };
        Some(Error::invalid_input("note", why))
    }
}

// --- events ---

/// A customer's testing feedback, recorded (the event's actor is the customer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TestFeedbackRecorded {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub result: TestResult,
    pub feedback: String,
}

impl Evolve for TestFeedbackRecorded {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        authority::a_customer(actor)
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        let TestFeedbackRecorded {
            variant,
            version,
            result,
            feedback,
        } = self;
        let customer = event
            .actor
            .as_customer()
            .ok_or_else(|| Error::invalid_input("actor", "testing feedback is a customer's"))?
            .clone();
        let v = state.variant_idx(variant)?;
        let f = state.firmware_idx(v, variant, version)?;
        // Checked on every apply, not only on replay: cheap for a rare event, and a log
        // cannot carry feedback its customer could not have given.
        limits::text("feedback", feedback)?;
        if feedback.trim().is_empty() {
            return Err(Error::invalid_input("feedback", "must not be blank"));
        }
        if let Some(refusal) = state.feedback_refusal(&customer, v, f) {
            return Err(refusal);
        }
        state.catalogue.per_customer_testing = true;
        let fw = &mut state.catalogue.firmware[usize::from(f)];
        let round = fw.testing_round();
        fw.test_feedback.push(TestFeedback {
            customer,
            result: *result,
            at: event.at,
            feedback: feedback.clone(),
            round,
        });
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {
        // Tells nobody: the DCC reads it in the firmware's view, where it closes the gate.
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::write::catalogue::{GateRecorded, RegisterFirmware};
    use crate::write::command::RecordGate;
    use crate::write::spec::{catalogue, day, estate, given, sup, Step};

    /// Firmware 3.0 of the north variant, through the CSP's and the DCC's testing gates.
    fn three_in_testing() -> Vec<Step> {
        let gate = |gate| RecordGate {
            variant: "CH-N-DB".parse().unwrap(),
            version: "3.0".parse().unwrap(),
            gate,
            note: None,
        };
        vec![
            (
                Actor::Csp(crate::kernel::ids::Region::North),
                day(1),
                RegisterFirmware {
                    variant: "CH-N-DB".parse().unwrap(),
                    version: "3.0".parse().unwrap(),
                    upgrades_from: vec!["2.0".parse().unwrap()],
                    prerequisites: Vec::new(),
                }
                .into(),
            ),
            (
                Actor::Csp(crate::kernel::ids::Region::North),
                day(1),
                gate(Gate::CspApproved).into(),
            ),
            (Actor::Dcc, day(1), gate(Gate::DccTestApproved).into()),
        ]
    }

    fn feedback(result: TestResult) -> RecordTestFeedback {
        RecordTestFeedback {
            variant: "CH-N-DB".parse().unwrap(),
            version: "3.0".parse().unwrap(),
            result,
            feedback: "40 rigs".into(),
        }
    }

    fn close(note: Option<&str>) -> RecordGate {
        RecordGate {
            variant: "CH-N-DB".parse().unwrap(),
            version: "3.0".parse().unwrap(),
            gate: Gate::CustomerTested,
            note: note.map(String::from),
        }
    }

    #[test]
    fn a_customer_with_hubs_of_the_variant_gives_its_feedback_once() {
        given(&[catalogue(), estate(), three_in_testing()])
            .when(&sup("SUP-B"), day(2), feedback(TestResult::IssuesFound))
            .then(vec![TestFeedbackRecorded {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                result: TestResult::IssuesFound,
                feedback: "40 rigs".into(),
            }
            .into()]);
        let once = vec![(sup("SUP-B"), day(2), feedback(TestResult::Passed).into())];
        given(&[catalogue(), estate(), three_in_testing(), once])
            .when(&sup("SUP-B"), day(2), feedback(TestResult::Passed))
            .then_error(ErrorKind::PreconditionFailed, Some(Rule::NoChange));
        given(&[catalogue(), estate(), three_in_testing()])
            .when(&sup("SUP-C"), day(2), feedback(TestResult::Passed))
            .then_error(ErrorKind::NotPermitted, None);
    }

    #[test]
    fn the_dcc_closes_testing_on_the_feedback_and_over_issues_only_with_its_reason() {
        let issues = vec![(
            sup("SUP-B"),
            day(2),
            feedback(TestResult::IssuesFound).into(),
        )];
        given(&[catalogue(), estate(), three_in_testing(), issues.clone()])
            .when(&Actor::Dcc, day(3), close(None))
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), three_in_testing(), issues])
            .when(
                &Actor::Dcc,
                day(3),
                close(Some("an IHD fault, not the hub's")),
            )
            .then_view(
                |e| {
                    e.state()
                        .firmware_versions(&Actor::Dcc, &"CH-N-DB".parse().unwrap())
                        .unwrap()[3]
                        .gates[2]
                        .by
                        .clone()
                },
                Some(Actor::Dcc),
            );
        // Even on passes alone the DCC says on what evidence: a bare closing would tell a
        // customer that gave no feedback that others had.
        let passed = vec![(sup("SUP-A"), day(2), feedback(TestResult::Passed).into())];
        given(&[catalogue(), estate(), three_in_testing(), passed.clone()])
            .when(&Actor::Dcc, day(3), close(None))
            .then_error(ErrorKind::InvalidInput, None);
        given(&[catalogue(), estate(), three_in_testing(), passed])
            .when(
                &Actor::Dcc,
                day(3),
                close(Some("customer testing closed by the DCC")),
            )
            .then_view(
                |e| {
                    e.state()
                        .firmware_versions(&sup("SUP-A"), &"CH-N-DB".parse().unwrap())
                        .unwrap()[3]
                        .gates
                        .len()
                },
                3,
            );
        given(&[catalogue(), estate(), three_in_testing()])
            .when(&sup("SUP-A"), day(3), close(Some("fine")))
            .then_error(ErrorKind::NotPermitted, None);
    }

    #[test]
    fn a_log_cannot_carry_feedback_or_a_closing_its_recorder_could_not_have_made() {
        // Feedback from a customer with no hub of the variant.
        let err = given(&[catalogue(), estate(), three_in_testing()]).refuses_recorded(
            &sup("SUP-C"),
            day(2),
            TestFeedbackRecorded {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                result: TestResult::Passed,
                feedback: "fine".into(),
            }
            .into(),
        );
        assert!(err.to_string().contains("SUP-C supplies no hub"), "{err}");
        // The DCC closing over a customer's issues without a reason.
        let issues = vec![(
            sup("SUP-B"),
            day(2),
            feedback(TestResult::IssuesFound).into(),
        )];
        let err = given(&[catalogue(), estate(), three_in_testing(), issues]).refuses_recorded(
            &Actor::Dcc,
            day(3),
            GateRecorded {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                gate: Gate::CustomerTested,
                note: None,
            }
            .into(),
        );
        assert!(err.to_string().contains("SUP-B found issues"), "{err}");
        // A customer closing it, once the log has used per-customer testing.
        let err = given(&[catalogue(), estate(), three_in_testing()]).refuses_recorded(
            &sup("SUP-A"),
            day(3),
            GateRecorded {
                variant: "CH-N-DB".parse().unwrap(),
                version: "3.0".parse().unwrap(),
                gate: Gate::CustomerTested,
                note: Some("fine".into()),
            }
            .into(),
        );
        assert!(err.to_string().contains("only the DCC records it"), "{err}");
    }
}
