//! The bound of every input a party can send, in one place, so that no party can degrade the
//! service for the others by sending more (DEVELOPERS' rule: every input has a bound). Each is
//! refused over its bound with `invalid_input` naming the field and the limit. Lists of hubs
//! are also de-duplicated before any work, so a repeated hub costs nothing twice.

/// A free text a party writes (a reason, a note, a defect's text, a firmware string): 4 KiB.
pub const MAX_TEXT_BYTES: usize = 4 * 1024;
/// A text on one row of a bulk report (an outcome's failure reason, a HAN device's symptom).
pub const MAX_ROW_TEXT_BYTES: usize = 256;
/// Hubs in one participation command (nominate, withdraw, reject, withdraw rejections) and
/// hubs in one HAN health report.
pub const MAX_HUBS_PER_COMMAND: usize = 100_000;
/// Configuration sets in one approval or withdrawal.
pub const MAX_SETS_PER_COMMAND: usize = 10_000;
/// Rows in one outcome report (a hub may appear in several rows).
pub const MAX_OUTCOME_ROWS: usize = 4_000_000;
/// Campaigns not yet completed or cancelled per hub variant: the CSP's list and every
/// eligibility check walk the live ones.
pub const MAX_LIVE_CAMPAIGNS_PER_VARIANT: usize = 16;
/// Defect flags one customer may have suspending at once.
pub const MAX_SUSPENDING_FLAGS_PER_CUSTOMER: usize = 64;
/// One line of a JSON-lines event log (a 10 000 000-hub load is about 1.5 GB).
pub const MAX_LOG_LINE_BYTES: usize = 4 * 1024 * 1024 * 1024;

/// `text` within `limit` bytes, or an `invalid_input` naming `field` and the limit.
pub(crate) fn text_within(field: &str, text: &str, limit: usize) -> Result<(), crate::Error> {
    if text.len() > limit {
        return Err(crate::Error::too_long(field, text.len(), limit));
    }
    Ok(())
}

/// `text` within [`MAX_TEXT_BYTES`], or an `invalid_input` naming `field` and the limit.
pub(crate) fn text(field: &str, text: &str) -> Result<(), crate::Error> {
    text_within(field, text, MAX_TEXT_BYTES)
}

/// `len` entries within `limit`, or an `invalid_input` naming `field` and the limit.
pub(crate) fn count(field: &str, len: usize, limit: usize) -> Result<(), crate::Error> {
    if len > limit {
        return Err(crate::Error::too_many(field, len, limit));
    }
    Ok(())
}
