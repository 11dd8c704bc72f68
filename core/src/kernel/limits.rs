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
/// Gate withdrawals kept per firmware version: a recorder cannot grow the catalogue without
/// end by recording and withdrawing a gate.
pub const MAX_GATE_WITHDRAWALS: usize = 64;
/// Defect flags one customer may have suspending at once.
pub const MAX_SUSPENDING_FLAGS_PER_CUSTOMER: usize = 64;
/// Defect flags one customer may have open (raised and not withdrawn): a customer cannot
/// flood every other customer of a variant with flags.
pub const MAX_OPEN_FLAGS_PER_CUSTOMER: usize = 256;
/// One line of a JSON-lines event log (a 10 000 000-hub load is about 1.5 GB).
pub const MAX_LOG_LINE_BYTES: usize = 4 * 1024 * 1024 * 1024;
/// Commands in one batch (`Engine::execute_batch`): one transaction, one decision each.
pub const MAX_BATCH_COMMANDS: usize = 10_000;
/// Notifications one recipient's outbox keeps unacknowledged; older ones are folded into one
/// `notices_coalesced` count, so that no party's acts grow another's outbox without bound.
pub const MAX_PENDING_NOTICES: usize = 10_000;
/// Keys valid at once for one party (a party signing from several services holds a few; the
/// bound keeps one party's registry from growing without end).
pub const MAX_KEYS_PER_PARTY: usize = 16;
/// Prerequisites of one firmware version (one per device kind and model is plenty).
pub const MAX_PREREQUISITES: usize = 32;
/// Business rules one party keeps in force (docs/rules.md): each is evaluated on every event of
/// its trigger, so the bound keeps one party's rules from slowing everyone's commands.
pub const MAX_RULES_PER_PARTY: usize = 64;
/// A rule's name, in bytes.
pub const MAX_RULE_NAME: usize = 64;
/// A rule's priority.
pub const RULE_PRIORITY: std::ops::RangeInclusive<i32> = -1000..=1000;
/// Days in a rule's action (a hold, a cut-off): up to ten years.
pub const RULE_DAYS: std::ops::RangeInclusive<i32> = 0..=3650;
/// Named customers with more days in one `set_cutoffs` rule.
pub const MAX_RULE_CUTOFF_EXTRA: usize = 64;
/// Customers one party's notice names (decision 23): more than there are suppliers.
pub const MAX_NOTICE_CUSTOMERS: usize = 1_000;

/// `text` within `limit` bytes, or an `invalid_input` naming `field` and the limit.
/// An optional free text: within [`MAX_TEXT_BYTES`] when given.
pub(crate) fn opt_text(
    field: &str,
    text: &Option<String>,
) -> Result<(), crate::kernel::error::Error> {
    match text {
        Some(t) => self::text(field, t),
        None => Ok(()),
    }
}

pub(crate) fn text_within(
    field: &str,
    text: &str,
    limit: usize,
) -> Result<(), crate::kernel::error::Error> {
    if text.len() > limit {
        return Err(crate::kernel::error::Error::too_long(
            field,
            text.len(),
            limit,
        ));
    }
    Ok(())
}

/// `text` within [`MAX_TEXT_BYTES`], or an `invalid_input` naming `field` and the limit.
pub(crate) fn text(field: &str, text: &str) -> Result<(), crate::kernel::error::Error> {
    text_within(field, text, MAX_TEXT_BYTES)
}

/// `len` entries within `limit`, or an `invalid_input` naming `field` and the limit.
pub(crate) fn count(
    field: &str,
    len: usize,
    limit: usize,
) -> Result<(), crate::kernel::error::Error> {
    if len > limit {
        return Err(crate::kernel::error::Error::too_many(field, len, limit));
    }
    Ok(())
}

/// The documented range of every policy field. A policy outside them is refused when a
/// campaign is created and when a log is replayed, so that no accepted value can later make
/// date arithmetic overflow (a cut-off notice 10^8 days before a cut-off, say).
pub mod policy_limits {
    /// `pilot_cap_per_customer`: 1 to 1 000 000 hubs (or none).
    pub const PILOT_CAP: std::ops::RangeInclusive<i32> = 1..=1_000_000;
    /// `min_assessment_days`: 0 to 366 days.
    pub const ASSESSMENT_DAYS: std::ops::RangeInclusive<i32> = 0..=366;
    /// `max_attempts`: 1 to 255 attempts per upgrade step.
    pub const MAX_ATTEMPTS: std::ops::RangeInclusive<i32> = 1..=255;
    /// `reconciliation_timeout_hours`, and each in-flight deadline: 1 hour to 366 days.
    pub const TIMEOUT_HOURS: std::ops::RangeInclusive<i32> = 1..=8_784;
    /// `retry_delay_hours`: 0 to 366 days' worth of hours.
    pub const RETRY_HOURS: std::ops::RangeInclusive<i32> = 0..=8_784;
    /// `cutoff_notice_days`: 0 to 366 days.
    pub const NOTICE_DAYS: std::ops::RangeInclusive<i32> = 0..=366;
    /// `halt.min_outcomes`: 1 to 100 000 000 outcomes.
    pub const MIN_OUTCOMES: std::ops::RangeInclusive<i32> = 1..=100_000_000;
    /// `pacing.daily_cap`: 1 to 100 000 000 hubs a day (or none).
    pub const DAILY_CAP: std::ops::RangeInclusive<i32> = 1..=100_000_000;
    /// `pacing.blackouts`: at most 64 windows.
    pub const BLACKOUTS: usize = 64;
}

/// `value` within `range`, or an `invalid_input` naming the field, the value and the range.
pub(crate) fn within<T: PartialOrd + std::fmt::Display>(
    field: &str,
    value: T,
    range: &std::ops::RangeInclusive<T>,
) -> Result<(), crate::kernel::error::Error> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(crate::kernel::error::Error::invalid_input(
            field,
            format!(
                "{value} is outside the allowed range {} to {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// A count, position or sequence number as the signed 64-bit integer the answers carry (the
/// JVM's `long`, Arrow's and SQL's `Int64`): exact below 2^63, which no count here approaches;
/// saturated above it rather than wrapped.
pub(crate) fn signed<T: TryInto<i64>>(n: T) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A signed count or position from the boundary (a query's `limit`, `offset`, ...), or an
/// `invalid_input` naming the field when it is negative.
pub(crate) fn non_negative(field: &str, value: i64) -> Result<u64, crate::kernel::error::Error> {
    u64::try_from(value).map_err(|_| {
        crate::kernel::error::Error::invalid_input(field, format!("{value} is negative"))
    })
}
