//! Columnar answers (feature `arrow`) against the row views they must equal.
#![cfg(feature = "arrow")]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, BooleanArray, StringArray};
use common::*;
use commshub_ota::*;

/// The text of row `i` of a dictionary column.
fn dict_text(batch: &arrow_array::RecordBatch, column: &str, i: usize) -> String {
    let dict = batch
        .column_by_name(column)
        .unwrap()
        .as_dictionary::<Int32Type>();
    let values = dict
        .values()
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    values.value(dict.keys().value(i) as usize).to_string()
}

#[test]
fn the_arrow_upgrade_list_is_the_paged_list_whole() {
    let e = rolling(Default::default());
    let at = t(3);
    let page = e
        .state()
        .upgrade_list(&csp(), Region::North, at, 0, 100_000)
        .unwrap();
    let batch = e
        .state()
        .upgrade_list_arrow(&csp(), Region::North, at)
        .unwrap();
    assert!(page.total > 3, "the fixture offers hubs");
    assert_eq!(batch.num_rows() as u64, page.total);
    assert_eq!(
        batch.schema(),
        commshub_ota::columnar::upgrade_list_schema()
    );
    let hubs = batch
        .column_by_name("hub")
        .unwrap()
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    let nominated = batch
        .column_by_name("nominated")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    for (i, entry) in page.entries.iter().enumerate() {
        assert_eq!(hubs.value(i), entry.hub.to_string());
        assert_eq!(dict_text(&batch, "campaign", i), entry.campaign.to_string());
        assert_eq!(
            dict_text(&batch, "next_version", i),
            entry.next_version.to_string()
        );
        assert_eq!(dict_text(&batch, "target", i), entry.target.to_string());
        assert_eq!(nominated.value(i), entry.nominated);
        assert_eq!(
            dict_text(&batch, "variant", i),
            entry.configuration_set.variant.to_string()
        );
        assert_eq!(
            dict_text(&batch, "firmware", i),
            entry.configuration_set.firmware.to_string()
        );
        assert_eq!(batch.column_by_name("hub").unwrap().null_count(), 0);
    }
}

#[test]
fn the_arrow_upgrade_list_is_refused_as_the_paged_one_is() {
    let e = rolling(Default::default());
    for actor in [cust("SUP-A"), Actor::Csp(Region::South), Actor::System] {
        let err = e
            .state()
            .upgrade_list_arrow(&actor, Region::North, t(3))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPermitted, "{actor}");
    }
    // The DCC reads any region's; an empty region is an empty batch with the schema.
    let south = e
        .state()
        .upgrade_list_arrow(&Actor::Dcc, Region::South, t(3))
        .unwrap();
    assert_eq!(south.num_rows(), 0);
    assert_eq!(south.num_columns(), 8);
}
