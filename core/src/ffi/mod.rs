//! The core's types as the JVM binding sees them (feature `uniffi`): records and enums are
//! derived where the types are defined; this file declares, once, the types UniFFI carries as
//! something simpler. Identifiers travel as their canonical text and are parsed (and refused,
//! as `InvalidId`) on the way in; instants as `java.time.Instant`; dates as ISO text, which the
//! generated Kotlin turns into `java.time.LocalDate` (core/uniffi.toml); a bulk load's columns
//! as [`EstateTableInput`]. Every number is signed: Kotlin mangles the names of members that
//! take or return an unsigned type, which Java then cannot call.

mod error;
mod estate_table;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use error::{invalid_input, NativeError, RowError};
pub use estate_table::EstateTableInput;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, CustomerId, FirmwareVersion, HubId, VariantId};
use crate::model::estate::EstateTable;
use crate::model::notices::SharedText;
use crate::model::trends::{SharedTrend, Trend};

macro_rules! text_id {
    ($($t:ident),*) => {$(
        uniffi::custom_type!($t, String, {
            lower: |id| id.to_string(),
            try_lift: |text| text.parse::<$t>().map_err(lift_error),
        });
    )*};
}

text_id!(HubId, CustomerId, VariantId, FirmwareVersion, CampaignId);

use crate::kernel::signing::{PublicKey, Signature};
// Keys and signatures travel as hex text, as the log holds them.
text_id!(PublicKey, Signature);

uniffi::custom_type!(Actor, String, {
    lower: |actor| actor.to_code(),
    try_lift: |text| text.parse::<Actor>().map_err(lift_error),
});

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |date| date.to_string(),
    try_lift: |text| date(&text).map_err(uniffi::deps::anyhow::Error::new),
});

uniffi::custom_type!(SharedText, String, {
    lower: |text| text.as_str().to_string(),
    try_lift: |text| Ok(SharedText::new(&text)),
});

// A notice's trend is one shared copy in the core, a plain record across the boundary.
uniffi::custom_type!(SharedTrend, Trend, {
    lower: |trend| (*trend.0).clone(),
    try_lift: |trend| Ok(SharedTrend::new(trend)),
});

// A bulk load's columns cross with signed codes and a dictionary of dates.
uniffi::custom_type!(EstateTable, EstateTableInput, {
    lower: |table| EstateTableInput::of(&table),
    try_lift: |input| input.to_core().map_err(uniffi::deps::anyhow::Error::new),
});

/// The macro takes a plain name.
type UtcTime = DateTime<Utc>;

uniffi::custom_type!(UtcTime, SystemTime, {
    remote,
    lower: |at| system_time(at),
    try_lift: |at| instant(at).map_err(uniffi::deps::anyhow::Error::new),
});

/// A value that failed to parse on the way in, as the typed error the binding's calls return
/// (UniFFI hands a failed lift to the caller as that call's error when the types match).
fn lift_error(err: Error) -> uniffi::deps::anyhow::Error {
    uniffi::deps::anyhow::Error::new(NativeError::from(err))
}

/// An ISO date (`YYYY-MM-DD`), or `InvalidInput` naming it.
pub fn date(text: &str) -> Result<NaiveDate, NativeError> {
    text.parse()
        .map_err(|_| invalid_input("date", format!("{text:?} is not an ISO date (YYYY-MM-DD)")))
}

/// An instant as the JVM gives it.
pub fn system_time(at: DateTime<Utc>) -> SystemTime {
    let nanos = at.timestamp_subsec_nanos();
    match u64::try_from(at.timestamp()) {
        Ok(secs) => UNIX_EPOCH + Duration::new(secs, nanos),
        Err(_) => {
            UNIX_EPOCH - Duration::from_secs(at.timestamp().unsigned_abs())
                + Duration::from_nanos(u64::from(nanos))
        }
    }
}

/// An instant from the JVM, or `InvalidInput` when the core's calendar cannot hold it.
pub fn instant(at: SystemTime) -> Result<DateTime<Utc>, NativeError> {
    let out_of_range = || invalid_input("at", "time is outside the supported range");
    let (secs, nanos) = match at.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).map_err(|_| out_of_range())?,
            d.subsec_nanos(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = -i64::try_from(d.as_secs()).map_err(|_| out_of_range())?;
            if d.subsec_nanos() == 0 {
                (secs, 0)
            } else {
                (secs - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    };
    DateTime::from_timestamp(secs, nanos).ok_or_else(out_of_range)
}
