//! The estate: every hub with its variant, firmware, SMI status, HAN devices and suppliers.
//! `HubRow` is the public, self-describing form (input and events); `HubRecord` is the
//! dense 32-byte form held for each of the national estate's ten million hubs.

mod row;
mod store;

pub use row::{ConsumerFlags, HanDevice, HanDeviceKind, HanDevices, HubRow, SmiStatus, SupplyRole};
pub(crate) use store::{
    check_dates, date_from_days, days_from_date, ConfigSet, CustomerIdx, Estate, HubRecord,
    NO_CUSTOMER, NO_DEVICE,
};
