//! The kernel: what every other layer builds on and that knows no feature. Identifiers (parsed
//! once at the edge), the one error type, the bound of every input, the campaign phase machine,
//! interning, the parallel scan, Great Britain's civil time, the deterministic RNG and the
//! signing primitives. Imports nothing from the layers above it.

pub mod civil_time;
pub mod error;
pub mod ids;
pub(crate) mod intern;
pub mod limits;
pub(crate) mod par;
pub mod phase;
pub mod rng;
pub mod signing;
pub mod version;
