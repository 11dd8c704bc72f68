//! Commands: what an actor asks the model to do. A command is either refused with an
//! [`crate::kernel::error::Error`] and changes nothing, or yields events (see [`crate::write::event`]).
//!
//! Each command is a struct in the file of its feature (`write/catalogue.rs`, `estate.rs`,
//! `testing.rs`, `campaigns.rs`, `participation/`, `rollout/`, `halts.rs`, `defects.rs`, `notices.rs`,
//! `keys.rs`)
//! with its decision ([`Decide`]). This file lists them, one line each, and dispatches: the
//! dispatch is generated from the list, so a command cannot be listed and not decided.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::model::notices::Outboxes;
use crate::model::state::State;
use crate::write::event::EventPayload;

/// What each command is: the phrase naming it in refusals, and its decision.
pub(crate) trait Decide {
    /// A short phrase naming the action, used in refusals ("DCC may not ...").
    fn action(&self) -> String;
    /// Refuses input over any bound of [`crate::kernel::limits`] before any work is done on it,
    /// naming the field and the limit: one party's oversized input costs the others nothing.
    fn check_bounds(&self) -> Result<(), Error>;
    /// The events the command yields, or why it is refused. Reads the state, never changes it.
    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error>;
}

/// What a decision knows besides the state: who asks, when, the phrase naming the command,
/// and the read models a decision may consult (the outboxes, for acknowledgements).
pub(crate) struct Cx<'a> {
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub action: String,
    pub outboxes: &'a Outboxes,
}

impl Cx<'_> {
    /// Refused unless the DCC asks.
    pub fn dcc_only(&self) -> Result<(), Error> {
        match self.actor {
            Actor::Dcc => Ok(()),
            _ => Err(Error::not_permitted(
                self.actor,
                &self.action,
                "only the DCC may do this",
            )),
        }
    }
}

/// One line per command, `Name(feature)`: the struct `Name` and its decision are in
/// `write/feature.rs`. Generates the enum (JSON: `{"type": "name", ...its fields}`), the
/// re-exports, `From<Name> for Command`, and the exhaustive dispatch.
macro_rules! commands {
    ($( $name:ident($feature:ident), )*) => {
        $( pub use super::$feature::$name; )*

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum Command {
            $( $name($name), )*
        }

        impl Command {
            /// A short phrase naming the action, used in refusals ("DCC may not ...").
            pub fn action(&self) -> String {
                match self {
                    $( Command::$name(c) => c.action(), )*
                }
            }

            /// Refuses a command over any bound of [`crate::kernel::limits`] before any work is done on
            /// it, naming the field and the limit.
            pub fn check_bounds(&self) -> Result<(), Error> {
                match self {
                    $( Command::$name(c) => c.check_bounds(), )*
                }
            }

            fn decide_each(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
                match self {
                    $( Command::$name(c) => c.decide(state, cx), )*
                }
            }
        }

        $(
            impl From<$name> for Command {
                fn from(c: $name) -> Self {
                    Command::$name(c)
                }
            }
        )*
    };
}

commands! {
    // --- catalogue ---
    RegisterVariant(catalogue),
    RegisterFirmware(catalogue),
    RecordGate(catalogue),
    WithdrawGate(catalogue),
    SetFirmwarePrerequisites(catalogue),
    RecordTestFeedback(testing),

    // --- estate (the DCC's inventory, except where noted) ---
    LoadEstate(estate),
    LoadEstateTable(estate),
    InstallHub(estate),
    CommissionHub(estate),
    ChangeSupplier(estate),
    ChangeSmiStatus(estate),
    ChangeHanDeviceFirmware(estate),
    SetConsumerFlags(estate),
    DecommissionHub(estate),

    // --- campaigns (DCC) ---
    CreateCampaign(campaigns),
    GrantPilotOa(campaigns),
    GrantMassRolloutOa(campaigns),
    CompleteCampaign(campaigns),
    SuspendCampaign(campaigns),
    ResumeCampaign(campaigns),
    CancelCampaign(campaigns),
    ExtendCutoff(campaigns),
    ChangeCampaignPolicy(policy),
    SetPilotPacing(policy),

    // --- participation (customers, for the hubs they supply) ---
    NominateHubs(participation),
    WithdrawNominations(participation),
    ApproveWholeEstate(participation),
    WithdrawWholeEstateApproval(participation),
    ApproveConfigurationSets(participation),
    WithdrawConfigurationSetApprovals(participation),
    RejectHubs(participation),
    WithdrawRejections(participation),
    OverrideRejections(participation),
    RecordPilotVerdict(participation),

    // --- upgrades, health, halts, defects, notifications ---
    ReportOutcomes(rollout),
    ReportHanHealth(rollout),
    ReportReadBacks(rollout),
    CheckDeadlines(rollout),
    HaltUpgrades(halts),
    ResumeUpgrades(halts),
    FlagDefect(defects),
    LiftDefectSuspension(defects),
    WithdrawDefectFlag(defects),
    AcknowledgeNotifications(notices),
    SendNotice(notices),

    // --- business rules (every party, its own) ---
    SaveRule(rules),
    RetireRule(rules),

    // --- party keys (DCC) ---
    RegisterKey(keys),
    RotateKey(keys),
    RevokeKey(keys),
}

impl State {
    /// Decides what `command` by `actor` at `at` does: the events to record, or why it is
    /// refused. Nothing changes here; [`crate::engine::Engine::execute`] applies the events.
    pub(crate) fn decide(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        command: Command,
        outboxes: &Outboxes,
    ) -> Result<Vec<EventPayload>, Error> {
        // No refusal of a time earlier than the last event's: each writer stamps its commands
        // with its own clock, and the log is ordered by sequence number (docs/domain.md decision 20).
        command.check_bounds()?;
        let action = command.action();
        if *actor == Actor::System {
            return Err(Error::not_permitted(
                actor,
                &action,
                "the system records automatic acts under a campaign's policy; it makes no commands",
            ));
        }
        let cx = Cx {
            actor,
            at,
            action,
            outboxes,
        };
        let deadline_check = matches!(command, Command::CheckDeadlines(_));
        let mut events = command.decide_each(self, &cx)?;
        // The rules the command's events set off act in the same command (docs/rules.md).
        let acts = self.react(at, &events, deadline_check)?;
        events.extend(acts);
        Ok(events)
    }
}
