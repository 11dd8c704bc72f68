use serde::{Deserialize, Serialize};

/// A campaign's phase. Forward only: Draft, Pilot, MassRollout, Completed; Suspended and
/// Cancelled are the only side states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    Pilot,
    MassRollout,
    Completed,
    Suspended,
    Cancelled,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Draft,
        Phase::Pilot,
        Phase::MassRollout,
        Phase::Completed,
        Phase::Suspended,
        Phase::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Pilot => "pilot",
            Phase::MassRollout => "mass_rollout",
            Phase::Completed => "completed",
            Phase::Suspended => "suspended",
            Phase::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Completed | Phase::Cancelled)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change of phase a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// DCC's Operational Approval to begin the pilot: Draft to Pilot.
    StartPilot,
    /// DCC's Operational Approval to begin mass rollout: Pilot to MassRollout.
    StartMassRollout,
    /// DCC declares the rollout complete: MassRollout to Completed.
    Complete,
    /// Pilot or MassRollout to Suspended.
    Suspend,
    /// Suspended back to the phase it left.
    Resume,
    /// Any phase that is not terminal to Cancelled.
    Cancel,
}

impl Transition {
    pub const ALL: [Transition; 6] = [
        Transition::StartPilot,
        Transition::StartMassRollout,
        Transition::Complete,
        Transition::Suspend,
        Transition::Resume,
        Transition::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::StartPilot => "start_pilot",
            Transition::StartMassRollout => "start_mass_rollout",
            Transition::Complete => "complete",
            Transition::Suspend => "suspend",
            Transition::Resume => "resume",
            Transition::Cancel => "cancel",
        }
    }

    /// The phase this transition leads to from `current` (with `resume_to` for a resume), or
    /// `None` when the machine does not allow it.
    pub fn target(self, current: Phase, resume_to: Option<Phase>) -> Option<Phase> {
        match (self, current) {
            (Transition::StartPilot, Phase::Draft) => Some(Phase::Pilot),
            (Transition::StartMassRollout, Phase::Pilot) => Some(Phase::MassRollout),
            (Transition::Complete, Phase::MassRollout) => Some(Phase::Completed),
            (Transition::Suspend, Phase::Pilot | Phase::MassRollout) => Some(Phase::Suspended),
            (Transition::Resume, Phase::Suspended) => resume_to,
            (Transition::Cancel, p) if !p.is_terminal() => Some(Phase::Cancelled),
            _ => None,
        }
    }
}

impl std::fmt::Display for Transition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_path_is_allowed() {
        assert_eq!(
            Transition::StartPilot.target(Phase::Draft, None),
            Some(Phase::Pilot)
        );
        assert_eq!(
            Transition::StartMassRollout.target(Phase::Pilot, None),
            Some(Phase::MassRollout)
        );
        assert_eq!(
            Transition::Complete.target(Phase::MassRollout, None),
            Some(Phase::Completed)
        );
    }

    #[test]
    fn resume_returns_to_the_phase_left() {
        for p in [Phase::Pilot, Phase::MassRollout] {
            assert_eq!(Transition::Suspend.target(p, None), Some(Phase::Suspended));
            assert_eq!(
                Transition::Resume.target(Phase::Suspended, Some(p)),
                Some(p)
            );
        }
    }

    #[test]
    fn exactly_the_listed_transitions_exist() {
        // Every (transition, phase) pair not in this list is refused.
        let allowed = [
            (Transition::StartPilot, Phase::Draft),
            (Transition::StartMassRollout, Phase::Pilot),
            (Transition::Complete, Phase::MassRollout),
            (Transition::Suspend, Phase::Pilot),
            (Transition::Suspend, Phase::MassRollout),
            (Transition::Resume, Phase::Suspended),
            (Transition::Cancel, Phase::Draft),
            (Transition::Cancel, Phase::Pilot),
            (Transition::Cancel, Phase::MassRollout),
            (Transition::Cancel, Phase::Suspended),
        ];
        for t in Transition::ALL {
            for p in Phase::ALL {
                let ok = t.target(p, Some(Phase::Pilot)).is_some();
                assert_eq!(ok, allowed.contains(&(t, p)), "{t} from {p}");
            }
        }
    }
}
