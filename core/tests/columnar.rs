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

#[test]
fn the_arrow_customer_estate_is_the_row_view_flattened_and_scoped_the_same() {
    use arrow_array::Date32Array;
    let e = rolling(Default::default());
    for (asker, customer) in [
        (cust("SUP-A"), "SUP-A"),
        (Actor::Dcc, "SUP-A"),
        (Actor::Dcc, "SUP-E"),
        (cust("SUP-E"), "SUP-E"),
    ] {
        let rows = e.state().customer_estate(&asker, &cid(customer)).unwrap();
        let batches = e
            .state()
            .customer_estate_arrow(&asker, &cid(customer))
            .unwrap();
        // A small estate is one batch (a national one, one per core's share).
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), rows.len(), "{asker} {customer}");
        assert_eq!(
            batch.schema(),
            commshub_ota::columnar::customer_estate_schema()
        );
        let hubs = batch.column_by_name("hub").unwrap();
        let hubs = hubs.as_any().downcast_ref::<StringArray>().unwrap();
        let installed = batch.column_by_name("installed_on").unwrap();
        let installed = installed.as_any().downcast_ref::<Date32Array>().unwrap();
        let vulnerable = batch.column_by_name("gas_vulnerable").unwrap();
        let vulnerable = vulnerable.as_any().downcast_ref::<BooleanArray>().unwrap();
        for (i, view) in rows.iter().enumerate() {
            assert_eq!(hubs.value(i), view.id.to_string());
            assert_eq!(dict_text(batch, "firmware", i), view.firmware.to_string());
            assert_eq!(dict_text(batch, "smi_status", i), view.smi_status.as_str());
            assert_eq!(installed.value_as_date(i), Some(view.installed_on));
            // The supplier as the view shows it: its id, "hidden", or null when vacant.
            let gas = batch.column_by_name("gas_supplier").unwrap();
            match &view.gas_supplier {
                query::SupplierView::Vacant => assert!(gas.is_null(i)),
                query::SupplierView::Hidden => {
                    assert_eq!(dict_text(batch, "gas_supplier", i), "hidden")
                }
                query::SupplierView::Known(c) => {
                    assert_eq!(dict_text(batch, "gas_supplier", i), c.to_string())
                }
            }
            match view.gas_flags {
                None => assert!(vulnerable.is_null(i)),
                Some(f) => assert_eq!(vulnerable.value(i), f.vulnerable),
            }
        }
    }
    // SUP-A sees hub 20's gas supplier (SUP-E) as hidden, and none of its flags.
    let batch = &e
        .state()
        .customer_estate_arrow(&cust("SUP-A"), &cid("SUP-A"))
        .unwrap()[0];
    let hubs = batch.column_by_name("hub").unwrap();
    let hubs = hubs.as_any().downcast_ref::<StringArray>().unwrap();
    let row = (0..batch.num_rows())
        .find(|&i| hubs.value(i) == hub(20).to_string())
        .unwrap();
    assert_eq!(dict_text(batch, "gas_supplier", row), "hidden");
    assert!(batch.column_by_name("gas_vulnerable").unwrap().is_null(row));
    // Nor does any other supplier's name travel in the dictionaries, pointed at or not.
    for column in ["import_supplier", "gas_supplier"] {
        let dict = batch
            .column_by_name(column)
            .unwrap()
            .as_dictionary::<Int32Type>();
        let values = dict
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let names: Vec<&str> = values.iter().flatten().collect();
        assert_eq!(names, ["SUP-A", "hidden"], "{column}");
    }
}

#[test]
fn the_arrow_customer_estate_is_refused_as_the_row_view_is() {
    let e = rolling(Default::default());
    for (asker, customer) in [(cust("SUP-A"), "SUP-D"), (csp(), "SUP-A")] {
        let rows = e.state().customer_estate(&asker, &cid(customer));
        let batch = e.state().customer_estate_arrow(&asker, &cid(customer));
        match (rows, batch) {
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
            (Ok(a), Ok(b)) => assert_eq!(a.len(), b.iter().map(|b| b.num_rows()).sum::<usize>()),
            (a, b) => panic!("{asker} {customer}: {a:?} but {b:?}"),
        }
    }
    // An unknown customer asking for itself: an empty batch with the schema, as the view is empty.
    let none = e
        .state()
        .customer_estate_arrow(&cust("SUP-Z"), &cid("SUP-Z"))
        .unwrap();
    assert_eq!(
        (none.len(), none[0].num_rows(), none[0].num_columns()),
        (1, 0, 17)
    );
}
