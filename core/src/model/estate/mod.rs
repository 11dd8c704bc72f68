//! The estate: every hub with its variant, firmware, SMI status, HAN devices and suppliers.
//! `HubRow` is the public, self-describing form of one hub; `EstateTable` holds many in
//! dictionary-encoded columns (the bulk load's input and event); `HubRecord` is the dense
//! 32-byte form held for each of the national estate's ten million hubs, found by id
//! through the sharded `HubIndex`.

pub mod columns;
mod config_set;
mod customers;
mod index;
mod known;
mod records;
mod row;
mod table;

pub use config_set::ConfigurationSet;
pub(crate) use customers::CustomerHubs;
pub(crate) use known::FirmwareKnown;
/// The estate's "no date" day number, for the columnar answers' nullable date columns.
#[cfg(feature = "arrow")]
pub(crate) use records::NO_DATE;
pub(crate) use records::{
    check_dates, date_from_days, days_from_date, ConfigSet, CustomerIdx, Estate, HubRecord,
    NO_CUSTOMER, NO_DEVICE,
};
pub use row::{ConsumerFlags, HanDevice, HanDeviceKind, HanDevices, HubRow, SmiStatus, SupplyRole};
pub(crate) use table::too_many_customers;
pub use table::{EstateTable, EstateTableBuilder};
