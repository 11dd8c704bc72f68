//! Columnar answers (feature `arrow`) against the row views they must equal.
#![cfg(feature = "arrow")]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, BooleanArray, StringArray};
use common::*;
use commshub_ota::command::*;
use commshub_ota::eligibility::Blocker as query_blocker;
use commshub_ota::*;

/// The text of row `i` of a text column (plain or dictionary).
fn dict_text(batch: &arrow_array::RecordBatch, column: &str, i: usize) -> String {
    texts(batch, column)[i].clone().unwrap()
}

/// The values of a dictionary column's dictionary, in key order.
fn dictionary_values(column: &arrow_array::ArrayRef) -> Vec<String> {
    let values = column.as_any_dictionary().values();
    let values = values.as_any().downcast_ref::<StringArray>().unwrap();
    values.iter().flatten().map(str::to_string).collect()
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
    assert_eq!(batch.num_rows() as i64, page.total);
    assert_eq!(
        batch.schema(),
        commshub_ota::read::arrow::upgrade_list_schema()
    );
    let hubs = batch
        .column_by_name("hub")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow_array::UInt64Array>()
        .unwrap();
    let nominated = batch
        .column_by_name("nominated")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    for (i, entry) in page.entries.iter().enumerate() {
        assert_eq!(hubs.value(i), entry.hub.as_u64());
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
            commshub_ota::read::arrow::customer_estate_schema()
        );
        let hubs = texts(batch, "hub");
        let installed = batch.column_by_name("installed_on").unwrap();
        let installed = installed.as_any().downcast_ref::<Date32Array>().unwrap();
        let vulnerable = batch.column_by_name("gas_vulnerable").unwrap();
        let vulnerable = vulnerable.as_any().downcast_ref::<BooleanArray>().unwrap();
        for (i, view) in rows.iter().enumerate() {
            assert_eq!(hubs[i], Some(view.id.to_string()));
            assert_eq!(dict_text(batch, "firmware", i), view.firmware.to_string());
            assert_eq!(dict_text(batch, "smi_status", i), view.smi_status.as_str());
            assert_eq!(installed.value_as_date(i), Some(view.installed_on));
            // The supplier as the view shows it: its visibility, and its id only where known.
            let gas = batch.column_by_name("gas_supplier").unwrap();
            let seen = dict_text(batch, "gas_visibility", i);
            match &view.gas_supplier {
                read::SupplierView::Vacant => assert!(gas.is_null(i) && seen == "vacant"),
                read::SupplierView::Hidden => assert!(gas.is_null(i) && seen == "hidden"),
                read::SupplierView::Known(c) => {
                    assert_eq!(dict_text(batch, "gas_supplier", i), c.to_string());
                    assert_eq!(seen, "known");
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
    let hubs = texts(batch, "hub");
    let row = (0..batch.num_rows())
        .find(|&i| hubs[i] == Some(hub(20).to_string()))
        .unwrap();
    assert_eq!(dict_text(batch, "gas_visibility", row), "hidden");
    assert!(batch.column_by_name("gas_supplier").unwrap().is_null(row));
    assert!(batch.column_by_name("gas_vulnerable").unwrap().is_null(row));
    // Nor does any other supplier's name travel in the dictionaries, pointed at or not.
    for column in ["import_supplier", "gas_supplier"] {
        let names = dictionary_values(batch.column_by_name(column).unwrap());
        assert_eq!(names, ["SUP-A"], "{column}");
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
        (1, 0, 19)
    );
}

/// The texts of a text column (plain or dictionary), row by row (null: None).
fn texts(batch: &arrow_array::RecordBatch, column: &str) -> Vec<Option<String>> {
    let mut col = batch.column_by_name(column).unwrap().clone();
    // Hub ids are integers; the text is the library's helper's.
    if col.data_type() == &arrow_schema::DataType::UInt64 {
        col = commshub_ota::read::arrow::hub_text(col.as_ref()).unwrap();
    }
    if let Some(s) = col.as_any().downcast_ref::<StringArray>() {
        return s.iter().map(|v| v.map(str::to_string)).collect();
    }
    let values = dictionary_values(&col);
    let dict = col.as_dictionary::<Int32Type>();
    dict.keys()
        .iter()
        .map(|k| k.map(|k| values[k as usize].clone()))
        .collect()
}

fn counts(batch: &arrow_array::RecordBatch, column: &str) -> Vec<u64> {
    batch
        .column_by_name(column)
        .unwrap()
        .as_any()
        .downcast_ref::<arrow_array::UInt64Array>()
        .unwrap()
        .values()
        .to_vec()
}

/// The rolling fixture with hubs 10 (upgraded to 2.0) and 15 (delivery failed) dispatched.
fn dispatched() -> Engine {
    let mut e = rolling(Default::default());
    let mut rows = upgrade_rows(10);
    rows.extend(fail_rows(15));
    ok(&mut e, &csp(), t(3), report(&rows));
    e
}

#[test]
fn the_arrow_configuration_sets_and_firmware_counts_are_the_row_answers() {
    let e = dispatched();
    let s = e.state();
    for (asker, customer) in [
        (cust("SUP-A"), Some("SUP-A")),
        (cust("SUP-D"), Some("SUP-D")),
        (Actor::Dcc, None),
    ] {
        let customer = customer.map(cid);
        let rows = s.configuration_sets(&asker, customer.as_ref()).unwrap();
        let batch = s
            .configuration_sets_arrow(&asker, customer.as_ref())
            .unwrap();
        assert_eq!(batch.schema(), read::arrow::configuration_sets_schema());
        let keys: Vec<Option<String>> = rows
            .iter()
            .map(|r| Some(r.configuration_set.key()))
            .collect();
        assert_eq!(texts(&batch, "configuration_set"), keys, "{asker}");
        let esme: Vec<Option<String>> = rows
            .iter()
            .map(|r| {
                r.configuration_set
                    .devices
                    .esme
                    .as_ref()
                    .map(|d| d.model.clone())
            })
            .collect();
        assert_eq!(texts(&batch, "esme_model"), esme);
        assert_eq!(
            counts(&batch, "hubs"),
            rows.iter().map(|r| r.hubs as u64).collect::<Vec<_>>()
        );

        let rows = s.estate_by_firmware(&asker, customer.as_ref()).unwrap();
        let batch = s
            .estate_by_firmware_arrow(&asker, customer.as_ref())
            .unwrap();
        assert_eq!(batch.schema(), read::arrow::estate_by_firmware_schema());
        let versions: Vec<Option<String>> =
            rows.iter().map(|r| Some(r.version.to_string())).collect();
        assert_eq!(texts(&batch, "version"), versions);
        assert_eq!(
            counts(&batch, "hubs"),
            rows.iter().map(|r| r.hubs as u64).collect::<Vec<_>>()
        );
    }
    // Hub 10 now runs 2.0: the DPL over time moved with it.
    let sets = s
        .configuration_sets_arrow(&cust("SUP-A"), Some(&cid("SUP-A")))
        .unwrap();
    assert!(texts(&sets, "firmware").contains(&Some("2.0".into())));
    // Refused as the row answers are: the industry view is the DCC's, a CSP sees no supplier.
    for asker in [cust("SUP-A"), csp()] {
        let a = s.configuration_sets(&asker, None).unwrap_err();
        let b = s.configuration_sets_arrow(&asker, None).unwrap_err();
        assert_eq!(
            (a.kind(), b.kind()),
            (ErrorKind::NotPermitted, ErrorKind::NotPermitted)
        );
        let b = s.estate_by_firmware_arrow(&asker, None).unwrap_err();
        assert_eq!(b.kind(), ErrorKind::NotPermitted);
    }
    let err = s
        .estate_by_firmware_arrow(&cust("SUP-A"), Some(&cid("SUP-D")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
}

#[test]
fn the_arrow_campaign_progress_is_the_row_answer() {
    let e = dispatched();
    let s = e.state();
    for asker in [Actor::Dcc, csp(), cust("SUP-A"), cust("SUP-D")] {
        let rows = s.campaign_progress(&asker, &camp(C1), t(3)).unwrap();
        let batch = s.campaign_progress_arrow(&asker, &camp(C1), t(3)).unwrap();
        assert_eq!(batch.schema(), read::arrow::campaign_progress_schema());
        let keys: Vec<Option<String>> = rows.iter().map(|r| Some(r.set.key())).collect();
        assert_eq!(texts(&batch, "configuration_set"), keys, "{asker}");
        type Count = fn(&read::SetProgress) -> u64;
        let columns: [(&str, Count); 4] = [
            ("hubs", |r| r.hubs as u64),
            ("upgradeable_now", |r| r.upgradeable_now as u64),
            ("succeeded", |r| r.succeeded as u64),
            ("failed", |r| r.failed as u64),
        ];
        for (name, count) in columns {
            let want: Vec<u64> = rows.iter().map(count).collect();
            assert_eq!(counts(&batch, name), want, "{asker} {name}");
        }
    }
    let all = s
        .campaign_progress_arrow(&Actor::Dcc, &camp(C1), t(3))
        .unwrap();
    assert_eq!(counts(&all, "succeeded").iter().sum::<u64>(), 1);
    assert_eq!(counts(&all, "failed").iter().sum::<u64>(), 1);
    for (asker, campaign, kind) in [
        (Actor::Dcc, "NOPE", ErrorKind::NotFound),
        (Actor::Csp(Region::South), C1, ErrorKind::NotFound),
    ] {
        let err = s
            .campaign_progress_arrow(&asker, &camp(campaign), t(3))
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{asker} {campaign}");
    }
}

#[test]
fn the_arrow_attempts_show_each_dispatched_hub_to_whom_it_may() {
    let e = dispatched();
    let s = e.state();
    let all = s.campaign_attempts_arrow(&Actor::Dcc, &camp(C1)).unwrap();
    assert_eq!(all.schema(), read::arrow::attempts_schema());
    let hubs = |b: &arrow_array::RecordBatch| texts(b, "hub");
    assert_eq!(
        hubs(&all),
        [Some(hub(10).to_string()), Some(hub(15).to_string())]
    );
    assert_eq!(
        texts(&all, "state"),
        [Some("succeeded".into()), Some("failed".into())]
    );
    assert_eq!(
        texts(&all, "failure"),
        [None, Some("delivery_failed".into())]
    );
    assert_eq!(
        texts(&all, "step"),
        [Some("2.0".into()), Some("2.0".into())]
    );
    let attempts = all.column_by_name("attempts").unwrap();
    let attempts = attempts
        .as_any()
        .downcast_ref::<arrow_array::Int32Array>()
        .unwrap();
    // A succeeded step starts its count again; the failed hub has used one attempt.
    assert_eq!(attempts.values().to_vec(), [0, 1]);
    // Named by the set the hub was on when dispatched: set X, before hub 10 moved to 2.0.
    let hub15 = s.hub(&Actor::Dcc, hub(15)).unwrap();
    assert_eq!(
        texts(&all, "configuration_set")[1],
        Some(hub15.configuration_set.key())
    );
    let x_on_1_1 = texts(&all, "configuration_set")[0].clone().unwrap();
    assert!(x_on_1_1.contains("@1.1"), "{x_on_1_1}");
    // The campaign's CSP sees both; each supplier its own hub only.
    let by_csp = s.campaign_attempts_arrow(&csp(), &camp(C1)).unwrap();
    assert_eq!(by_csp.num_rows(), 2);
    let a = s
        .campaign_attempts_arrow(&cust("SUP-A"), &camp(C1))
        .unwrap();
    assert_eq!(hubs(&a), [Some(hub(10).to_string())]);
    let d = s
        .campaign_attempts_arrow(&cust("SUP-D"), &camp(C1))
        .unwrap();
    assert_eq!(hubs(&d), [Some(hub(15).to_string())]);
    let z = s
        .campaign_attempts_arrow(&cust("SUP-Z"), &camp(C1))
        .unwrap();
    assert_eq!((z.num_rows(), z.num_columns()), (0, 9));
    for (asker, campaign) in [(Actor::Dcc, "NOPE"), (Actor::Csp(Region::South), C1)] {
        let err = s
            .campaign_attempts_arrow(&asker, &camp(campaign))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{asker} {campaign}");
    }
    let err = s
        .campaign_attempts_arrow(&Actor::System, &camp(C1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn the_arrow_blockers_are_explain_for_every_hub_one_row_a_blocker() {
    let e = dispatched();
    let s = e.state();
    for asker in [
        Actor::Dcc,
        csp(),
        cust("SUP-A"),
        cust("SUP-D"),
        cust("SUP-E"),
    ] {
        let batch = s.blockers_arrow(&asker, &camp(C1), t(3)).unwrap();
        assert_eq!(batch.schema(), read::arrow::blockers_schema());
        let (hubs, kinds, by) = (
            texts(&batch, "hub"),
            texts(&batch, "blocker"),
            texts(&batch, "by"),
        );
        // Hub by hub, explain gives the same blockers, in the same order.
        let mut want = Vec::new();
        for n in [1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] {
            let Ok(x) = s.explain(&asker, &camp(C1), hub(n), t(3)) else {
                continue; // not a hub this asker may see
            };
            for b in &x.blockers {
                let party = match b {
                    query_blocker::AwaitingConsent { by, .. }
                    | query_blocker::Rejected { by, .. }
                    | query_blocker::HeldBySupplier { by, .. }
                    | query_blocker::SuspendedByDefectFlag { by, .. } => {
                        Some(by.kind().to_string())
                    }
                    _ => None,
                };
                // The kind is the blocker's serialized tag.
                let tag = serde_json::to_value(b).unwrap()["blocker"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert_eq!(tag, b.kind());
                want.push((Some(hub(n).to_string()), Some(tag), party));
            }
        }
        let got: Vec<_> = hubs
            .into_iter()
            .zip(kinds)
            .zip(by)
            .map(|((h, k), b)| (h, k, b))
            .collect();
        assert_eq!(got, want, "{asker}");
        // SUP-D approved its whole estate; the others have hubs waiting.
        assert_eq!(got.is_empty(), asker == cust("SUP-D"), "{asker}");
    }
    // SUP-A waits for the other supplier of hub 20, unnamed; the DCC sees SUP-E named.
    let a = s.blockers_arrow(&cust("SUP-A"), &camp(C1), t(3)).unwrap();
    let rows: Vec<_> = texts(&a, "hub")
        .into_iter()
        .zip(texts(&a, "by"))
        .filter(|(h, _)| *h == Some(hub(20).to_string()))
        .collect();
    assert_eq!(
        rows,
        [(Some(hub(20).to_string()), Some("other_supplier".into()))]
    );
    let dcc = s.blockers_arrow(&Actor::Dcc, &camp(C1), t(3)).unwrap();
    assert!(texts(&dcc, "by_customer").contains(&Some("SUP-E".into())));
    assert!(texts(&dcc, "by").contains(&Some("customer".into())));
    // A customer learns no name: its by_customer column is empty, its dictionary too.
    assert_eq!(texts(&a, "by_customer").iter().flatten().count(), 0);
    for (asker, campaign) in [(Actor::Dcc, "NOPE"), (Actor::Csp(Region::South), C1)] {
        let err = s.blockers_arrow(&asker, &camp(campaign), t(3)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{asker} {campaign}");
    }
}

#[test]
fn the_arrow_events_page_through_the_log_for_the_dcc_only() {
    let loc = Fresh::sqlite("events");
    let mut durable = fixture_on(Engine::open(&loc).unwrap());
    let mut memory = fixture();
    let all = memory.events().unwrap().to_vec();
    assert!(all.len() > 6);
    for e in [&mut memory, &mut durable] {
        let first = e.events_arrow(&Actor::Dcc, 0, 4).unwrap();
        assert_eq!(first.schema(), read::arrow::events_schema());
        let rest = e.events_arrow(&Actor::Dcc, 4, 100_000).unwrap();
        assert_eq!(first.num_rows() + rest.num_rows(), all.len());
        let seq = |b: &arrow_array::RecordBatch| counts(b, "seq");
        assert_eq!(seq(&first), [1, 2, 3, 4]);
        assert_eq!(seq(&rest)[0], 5);
        let bodies = texts(&first, "body");
        let kinds = texts(&first, "kind");
        for (i, event) in all[..4].iter().enumerate() {
            assert_eq!(
                bodies[i].as_deref(),
                Some(journal::to_json_line(event).as_str())
            );
            assert_eq!(kinds[i].as_deref(), Some(event.payload.type_name()));
            assert_eq!(texts(&first, "actor")[i], Some(event.actor.to_code()));
        }
        let at = first.column_by_name("at").unwrap();
        let at = at
            .as_any()
            .downcast_ref::<arrow_array::TimestampMicrosecondArray>()
            .unwrap();
        assert_eq!(at.value(0), all[0].at.timestamp_micros());
        assert_eq!(
            e.events_arrow(&Actor::Dcc, 1_000, 10).unwrap().num_rows(),
            0
        );
        for asker in [csp(), cust("SUP-A"), Actor::System] {
            let err = e.events_arrow(&asker, 0, 10).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotPermitted, "{asker}");
        }
        for limit in [0, 100_001] {
            let err = e.events_arrow(&Actor::Dcc, 0, limit).unwrap_err();
            assert_eq!(field_of(&err), "limit", "{limit}");
        }
    }
    drop(durable);
}

#[test]
fn a_customer_named_hidden_is_not_taken_for_a_hidden_supplier() {
    // "hidden" is a valid customer id: the visibility is its own column, never read from a name.
    let mut e = fixture();
    let split = row(40, NORTH, "1.1", Some("hidden"), Some("SUP-B"));
    let only = row(41, NORTH, "1.1", Some("hidden"), None);
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate {
            hubs: vec![split, only],
        }),
    );
    let batch = &e
        .state()
        .customer_estate_arrow(&cust("hidden"), &cid("hidden"))
        .unwrap()[0];
    let seen = |column: &str| {
        (0..batch.num_rows())
            .map(|i| dict_text(batch, column, i))
            .collect::<Vec<_>>()
    };
    assert_eq!(seen("import_supplier"), ["hidden", "hidden"]);
    assert_eq!(seen("import_visibility"), ["known", "known"]);
    assert_eq!(seen("gas_visibility"), ["hidden", "vacant"]);
}

#[test]
fn a_customers_frames_do_not_move_when_another_supplier_adds_a_set() {
    // Two histories that differ only in SUP-D's hubs: SUP-D's new set is interned before SUP-A's
    // in one of them. SUP-A's frames must be the same (docs/domain.md decision 13).
    let load = |e: &mut Engine, rows: Vec<HubRow>| {
        ok(
            e,
            &Actor::Dcc,
            t(1),
            Command::LoadEstate(LoadEstate { hubs: rows }),
        );
    };
    let mut mine = row(30, NORTH, "1.1", Some("SUP-A"), None);
    mine.devices.ihd = Some(HanDevice::new("IHD-Q", "9.0"));
    let mut theirs = row(31, NORTH, "1.1", Some("SUP-D"), None);
    theirs.devices.ihd = Some(HanDevice::new("IHD-R", "7.0"));
    let mut quiet = fixture();
    load(&mut quiet, vec![mine.clone()]);
    let mut busy = fixture();
    load(&mut busy, vec![theirs]);
    load(&mut busy, vec![mine]);
    let a = cust("SUP-A");
    assert_eq!(
        quiet
            .state()
            .customer_estate_arrow(&a, &cid("SUP-A"))
            .unwrap(),
        busy.state()
            .customer_estate_arrow(&a, &cid("SUP-A"))
            .unwrap()
    );
    assert_eq!(
        quiet
            .state()
            .configuration_sets_arrow(&a, Some(&cid("SUP-A")))
            .unwrap(),
        busy.state()
            .configuration_sets_arrow(&a, Some(&cid("SUP-A")))
            .unwrap()
    );
}

/// Every dictionary column's values are distinct (pandas' Categorical, and Arrow readers that
/// map a dictionary to categories, refuse repeats).
fn assert_unique_dictionaries(batch: &arrow_array::RecordBatch, answer: &str) {
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if column.as_any_dictionary_opt().is_some() {
            let all = dictionary_values(column);
            let distinct: std::collections::HashSet<&String> = all.iter().collect();
            assert_eq!(
                distinct.len(),
                all.len(),
                "{answer}.{}: {all:?}",
                field.name()
            );
        }
    }
}

#[test]
fn every_answers_dictionaries_hold_each_value_once() {
    // The fixture's two variants both have a version 1.0: one value in a version dictionary.
    let e = dispatched();
    let s = e.state();
    let dcc = Actor::Dcc;
    let mut answers: Vec<(&str, arrow_array::RecordBatch)> = vec![
        (
            "upgrade_list",
            s.upgrade_list_arrow(&dcc, Region::North, t(3)).unwrap(),
        ),
        (
            "configuration_sets",
            s.configuration_sets_arrow(&dcc, None).unwrap(),
        ),
        (
            "estate_by_firmware",
            s.estate_by_firmware_arrow(&dcc, None).unwrap(),
        ),
        (
            "campaign_progress",
            s.campaign_progress_arrow(&dcc, &camp(C1), t(3)).unwrap(),
        ),
        (
            "attempts",
            s.campaign_attempts_arrow(&dcc, &camp(C1)).unwrap(),
        ),
        ("blockers", s.blockers_arrow(&dcc, &camp(C1), t(3)).unwrap()),
    ];
    for customer in ["SUP-A", "SUP-D"] {
        for b in s.customer_estate_arrow(&dcc, &cid(customer)).unwrap() {
            answers.push(("customer_estate", b));
        }
    }
    let mut e = e;
    answers.push(("events", e.events_arrow(&dcc, 0, 1000).unwrap()));
    for (answer, batch) in &answers {
        assert_unique_dictionaries(batch, answer);
    }
}

// --- the one columnar entry: Engine::query_arrow ---

use commshub_ota::read::arrow::{ArrowAnswer, ColumnarQuery};

/// Every columnar question on the rolling fixture, with the direct answer it must equal.
fn every_question(e: &Engine) -> Vec<(ColumnarQuery, Vec<arrow_array::RecordBatch>)> {
    let s = e.state();
    let (dcc, a) = (Actor::Dcc, cust("SUP-A"));
    vec![
        (
            ColumnarQuery::UpgradeList {
                region: Region::North,
                at: t(3),
            },
            vec![s.upgrade_list_arrow(&dcc, Region::North, t(3)).unwrap()],
        ),
        (
            ColumnarQuery::CustomerEstate {
                customer: cid("SUP-A"),
            },
            s.customer_estate_arrow(&dcc, &cid("SUP-A")).unwrap(),
        ),
        (
            ColumnarQuery::ConfigurationSets { customer: None },
            vec![s.configuration_sets_arrow(&dcc, None).unwrap()],
        ),
        (
            ColumnarQuery::EstateByFirmware {
                customer: Some(cid("SUP-A")),
            },
            vec![s
                .estate_by_firmware_arrow(&dcc, Some(&cid("SUP-A")))
                .unwrap()],
        ),
        (
            ColumnarQuery::CampaignProgress {
                campaign: camp(C1),
                at: t(3),
            },
            vec![s.campaign_progress_arrow(&dcc, &camp(C1), t(3)).unwrap()],
        ),
        (
            ColumnarQuery::CampaignAttempts { campaign: camp(C1) },
            vec![s.campaign_attempts_arrow(&a, &camp(C1)).unwrap()],
        ),
        (
            ColumnarQuery::Blockers {
                campaign: camp(C1),
                at: t(3),
            },
            vec![s.blockers_arrow(&a, &camp(C1), t(3)).unwrap()],
        ),
        (
            ColumnarQuery::DryRunRule {
                rule: approve_all(),
                at: t(3),
            },
            vec![s.dry_run_rule_arrow(&a, &approve_all(), t(3)).unwrap()],
        ),
        (
            ColumnarQuery::DplHistory {
                customer: Some(cid("SUP-A")),
                from: t(0).date_naive(),
                to: t(3).date_naive(),
            },
            vec![s
                .dpl_history_arrow(
                    &dcc,
                    Some(&cid("SUP-A")),
                    t(0).date_naive(),
                    t(3).date_naive(),
                )
                .unwrap()],
        ),
        (
            ColumnarQuery::IndustryShares {
                from: t(0).date_naive(),
                to: t(3).date_naive(),
            },
            vec![s
                .industry_shares_arrow(&dcc, t(0).date_naive(), t(3).date_naive())
                .unwrap()],
        ),
    ]
}

/// A customer's rule approving every set in each new campaign.
fn approve_all() -> commshub_ota::rules::RuleSpec {
    commshub_ota::rules::RuleSpec {
        name: "approve all".into(),
        trigger: commshub_ota::rules::RuleTrigger::CampaignCreated,
        condition: String::new(),
        action: commshub_ota::rules::RuleAction::Approve,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: false,
    }
}

#[test]
fn query_arrow_answers_each_question_as_its_direct_method_does() {
    let mut e = rolling(Default::default());
    ok(&mut e, &csp(), t(3), report(&upgrade_rows(10)));
    for (query, expected) in every_question(&e) {
        // The attempts and blockers are asked as SUP-A, the rest as the DCC (as above).
        let actor = match query {
            ColumnarQuery::CampaignAttempts { .. }
            | ColumnarQuery::Blockers { .. }
            | ColumnarQuery::DryRunRule { .. } => cust("SUP-A"),
            _ => Actor::Dcc,
        };
        let answer = e.query_arrow(&actor, &query).unwrap();
        assert_eq!(answer.batches, expected, "{query:?}");
        assert_eq!(answer.schema, query.schema(), "{query:?}");
        // The JSON form asks the same question.
        let json = serde_json::to_string(&query).unwrap();
        let again = e.query_arrow_json(&actor, &json).unwrap();
        assert_eq!(again.batches, answer.batches, "{json}");
    }
    let events = e
        .query_arrow_json(&Actor::Dcc, r#"{"name":"events","after":0,"limit":5}"#)
        .unwrap();
    assert_eq!(events.rows(), 5);
    assert_eq!(events.schema, commshub_ota::read::arrow::events_schema());
}

#[test]
fn query_arrow_refuses_as_the_row_queries_do_and_bad_json_by_name() {
    let mut e = rolling(Default::default());
    // A customer may not read another region's list, nor the log; an unknown campaign is not found.
    let err = e
        .query_arrow(
            &cust("SUP-A"),
            &ColumnarQuery::UpgradeList {
                region: Region::North,
                at: t(3),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    let err = e
        .query_arrow(
            &cust("SUP-A"),
            &ColumnarQuery::Events {
                after: 0,
                limit: 10,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    let err = e
        .query_arrow(
            &Actor::Dcc,
            &ColumnarQuery::CampaignAttempts {
                campaign: camp("NOPE"),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    for (json, says) in [
        (r#"{"name":"upgrade_lists"}"#, "upgrade_lists"),
        (r#"{"name":"upgrade_list","region":"north"}"#, "at"),
        (r#"{"name":"events","limit":0}"#, "limit"),
        (r#"{"name":"events","extra":1}"#, "extra"),
        (r#"{"name":"events","after":-1}"#, "after"),
        ("not json", "expected"),
    ] {
        let err = e.query_arrow_json(&Actor::Dcc, json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{json}");
        assert!(err.to_string().contains(says), "{json}: {err}");
    }
}

#[test]
fn an_answer_crosses_as_one_ipc_stream_that_reads_back_the_same() {
    let e = rolling(Default::default());
    let answer: ArrowAnswer = e
        .state()
        .customer_estate_arrow(&Actor::Dcc, &cid("SUP-A"))
        .map(|batches| ArrowAnswer {
            schema: commshub_ota::read::arrow::customer_estate_schema(),
            batches,
        })
        .unwrap();
    let bytes = answer.to_ipc().unwrap();
    let reader =
        arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
    assert_eq!(reader.schema(), answer.schema);
    let read: Vec<_> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(read, answer.batches);
    assert!(answer.rows() > 0);
}

// --- Arrow in: an estate from record batches or an IPC stream (every language's path) ---

/// Text columns as one record batch (None: a null cell).
fn text_batch(columns: &[(&str, Vec<Option<&str>>)]) -> arrow_array::RecordBatch {
    let arrays: Vec<(&str, arrow_array::ArrayRef)> = columns
        .iter()
        .map(|(name, cells)| {
            let array: arrow_array::ArrayRef =
                std::sync::Arc::new(StringArray::from(cells.clone()));
            (*name, array)
        })
        .collect();
    arrow_array::RecordBatch::try_from_iter(arrays).unwrap()
}

fn arrow_hubs(ids: &[&str], variants: &[&str]) -> arrow_array::RecordBatch {
    let n = ids.len();
    let same = |v: &'static str| vec![Some(v); n];
    text_batch(&[
        ("id", ids.iter().map(|s| Some(*s)).collect()),
        ("variant", variants.iter().map(|s| Some(*s)).collect()),
        ("firmware", same("1.1")),
        ("smi_status", same("commissioned")),
        ("installed_on", same("2024-03-01")),
        ("commissioned_on", same("2024-03-02")),
        ("import_supplier", same("SUP-A")),
        ("esme_model", same("EM-A1")),
        ("esme_firmware", same("3.1")),
    ])
}

fn to_ipc(batch: &arrow_array::RecordBatch) -> Vec<u8> {
    ArrowAnswer {
        schema: batch.schema(),
        batches: vec![batch.clone()],
    }
    .to_ipc()
    .unwrap()
}

#[test]
fn an_estate_loads_from_arrow_as_from_rows_and_from_ipc_bytes_alike() {
    let ids = ["00-00-00-00-00-00-00-40", "00-00-00-00-00-00-00-41"];
    let batch = arrow_hubs(&ids, &["CH-N-DB", "CH-N-DB"]);
    let mut by_rows = fixture();
    let rows: Vec<HubRow> = ids
        .iter()
        .map(|id| {
            let mut r = row(0, NORTH, "1.1", Some("SUP-A"), None);
            r.id = id.parse().unwrap();
            r.devices = HanDevices {
                esme: Some(HanDevice::new("EM-A1", "3.1")),
                ..HanDevices::default()
            };
            r.installed_on = "2024-03-01".parse().unwrap();
            r.commissioned_on = Some("2024-03-02".parse().unwrap());
            r
        })
        .collect();
    ok(
        &mut by_rows,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs: rows }),
    );
    let mut by_batches = fixture();
    by_batches
        .load_estate_arrow(
            &Actor::Dcc,
            t(1),
            &batch.schema(),
            std::slice::from_ref(&batch),
        )
        .unwrap();
    let mut by_ipc = fixture();
    by_ipc
        .load_estate_arrow_ipc(&Actor::Dcc, t(1), &to_ipc(&batch))
        .unwrap();
    for (name, e) in [("batches", &by_batches), ("ipc", &by_ipc)] {
        assert_eq!(
            e.state().hub(&Actor::Dcc, ids[1].parse().unwrap()).unwrap(),
            by_rows
                .state()
                .hub(&Actor::Dcc, ids[1].parse().unwrap())
                .unwrap(),
            "{name}"
        );
        assert_eq!(e.state().hub_count(), by_rows.state().hub_count(), "{name}");
    }
}

#[test]
fn an_arrow_load_names_every_bad_row_and_each_malformed_input() {
    let mut e = fixture();
    let before = e.fork();
    // A bad id in row 1 and an unknown variant in row 2: both named by row, nothing loaded.
    let batch = arrow_hubs(
        &[
            "00-00-00-00-00-00-00-42",
            "not-a-hub",
            "00-00-00-00-00-00-00-43",
        ],
        &["CH-N-DB", "CH-N-DB", "NOPE"],
    );
    let err = e
        .load_estate_arrow_ipc(&Actor::Dcc, t(2), &to_ipc(&batch))
        .unwrap_err();
    match &err {
        Error::BulkRejected { rows } => {
            assert_eq!(
                rows.iter().map(|r| r.row).collect::<Vec<_>>(),
                [1, 2],
                "{err}"
            );
            assert!(rows[0].reason.contains("not-a-hub"), "{err}");
            assert!(rows[1].reason.contains("NOPE"), "{err}");
        }
        other => panic!("expected BulkRejected, got {other}"),
    }
    assert!(e.same_state_as(&before));
    // Not an IPC stream; an unknown column; a missing required one; a customer loading.
    let err = e
        .load_estate_arrow_ipc(&Actor::Dcc, t(2), &[1, 2, 3])
        .unwrap_err();
    assert_eq!(
        (err.kind(), field_of(&err).as_str()),
        (ErrorKind::InvalidInput, "arrow")
    );
    let colour = text_batch(&[
        ("id", vec![Some("00-00-00-00-00-00-00-44")]),
        ("colour", vec![Some("red")]),
    ]);
    let err = e
        .load_estate_arrow_ipc(&Actor::Dcc, t(2), &to_ipc(&colour))
        .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    let no_variant = text_batch(&[("id", vec![Some("00-00-00-00-00-00-00-44")])]);
    let err = e
        .load_estate_arrow_ipc(&Actor::Dcc, t(2), &to_ipc(&no_variant))
        .unwrap_err();
    assert!(err.to_string().contains("variant"), "{err}");
    let ok_batch = arrow_hubs(&["00-00-00-00-00-00-00-45"], &["CH-N-DB"]);
    let err = e
        .load_estate_arrow_ipc(&cust("SUP-A"), t(2), &to_ipc(&ok_batch))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    // Refused before its bytes are read: garbage from a customer is not permitted, not invalid.
    let err = e
        .load_estate_arrow_ipc(&cust("SUP-A"), t(2), &[1, 2, 3])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
    assert!(e.same_state_as(&before));
}

// --- a rule's dry run as rows ---

/// The dry run as rows is the typed dry run hub by hub: each act on a set reaches the owner's
/// hubs on it, each named hub is a row, acts that concern no hub are one row each; scoped to
/// the owner; refused as the typed one is.
#[test]
fn a_rules_dry_run_as_rows_is_the_typed_dry_run_hub_by_hub() {
    use commshub_ota::rules::{CutoffExtra, RuleAction, RuleSpec, RuleTrigger};
    let mut e = Engine::new();
    given_json(&mut e, "fixtures/rollout_estate.json");
    let campaign = CreateCampaign {
        campaign: camp("C2"),
        variant: vid(NORTH),
        target: fw("2.0"),
        cutoff: t(60),
        policy: Default::default(),
    };
    ok(&mut e, &Actor::Dcc, t(2), Command::CreateCampaign(campaign));
    let d = cust("SUP-D");
    let rule = |name: &str, trigger, condition: &str, action| RuleSpec {
        name: name.into(),
        trigger,
        condition: condition.into(),
        action,
        priority: 0,
        active_from: None,
        active_until: None,
        notify: false,
    };
    // SUP-D's hubs 16-19 are on set Y (ESME EM-B2), hub 15 on set X.
    let reject = rule(
        "reject Y",
        RuleTrigger::CampaignCreated,
        r#"esme.model == "EM-B2""#,
        RuleAction::Reject {
            reason: "wait".into(),
        },
    );
    let typed = e.state().dry_run_rule(&d, &reject, t(2)).unwrap();
    let rows = e.state().dry_run_rule_arrow(&d, &reject, t(2)).unwrap();
    assert_eq!(
        rows.schema(),
        ColumnarQuery::DryRunRule {
            rule: reject.clone(),
            at: t(2)
        }
        .schema()
    );
    assert_eq!(typed.counts.len(), 1);
    assert_eq!(
        rows.num_rows() as i64,
        typed.counts[0].hubs_in_sets + typed.counts[0].hubs
    );
    let hubs: Vec<String> = texts(&rows, "hub").into_iter().flatten().collect();
    let expected: Vec<String> = (16..20).map(|n| hub(n).to_string()).collect();
    assert_eq!(hubs, expected);
    assert!(texts(&rows, "act")
        .iter()
        .all(|a| a.as_deref() == Some("rejected")));
    assert!(texts(&rows, "campaign")
        .iter()
        .all(|c| c.as_deref() == Some("C2")));
    assert!(texts(&rows, "text")
        .iter()
        .all(|c| c.as_deref() == Some("wait")));
    let set_y = e.state().hub(&d, hub(16)).unwrap().configuration_set.key();
    assert!(texts(&rows, "configuration_set")
        .iter()
        .all(|s| s.as_deref() == Some(set_y.as_str())));
    let by_set = rows
        .column_by_name("by_set")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    assert_eq!(by_set.true_count(), 4);

    // A hub's trigger, dry-run: each of SUP-D's hubs as if just installed (an unconditional
    // rule covers them by their sets).
    let installs = rule("new", RuleTrigger::HubInstalled, "", RuleAction::Approve);
    let typed = e.state().dry_run_rule(&d, &installs, t(2)).unwrap();
    let rows = e.state().dry_run_rule_arrow(&d, &installs, t(2)).unwrap();
    let reached: i64 = typed.counts.iter().map(|c| c.hubs + c.hubs_in_sets).sum();
    assert_eq!((rows.num_rows() as i64, reached), (5, 5), "{typed:?}");
    let hubs: Vec<String> = texts(&rows, "hub").into_iter().flatten().collect();
    let expected: Vec<String> = (15..20).map(|n| hub(n).to_string()).collect();
    assert_eq!(hubs, expected);

    // Scoped to the owner: SUP-A's same rule shows SUP-A's hubs (1, 2, 10-14, split 20), no other.
    let rows = e
        .state()
        .dry_run_rule_arrow(&cust("SUP-A"), &installs, t(2))
        .unwrap();
    let mut hubs: Vec<String> = texts(&rows, "hub").into_iter().flatten().collect();
    hubs.sort();
    let expected: Vec<String> = [1, 2, 10, 11, 12, 13, 14, 20]
        .map(|n| hub(n).to_string())
        .to_vec();
    assert_eq!(hubs, expected);

    // The DCC's cut-off rule: one row for the campaign's cut-off, one per named customer; no hub.
    let cutoffs = rule(
        "cut-offs",
        RuleTrigger::CampaignCreated,
        "",
        RuleAction::SetCutoffs {
            days: 30,
            extra: vec![CutoffExtra {
                customer: cid("SUP-D"),
                days: 14,
            }],
        },
    );
    let rows = e
        .state()
        .dry_run_rule_arrow(&Actor::Dcc, &cutoffs, t(2))
        .unwrap();
    assert_eq!(rows.num_rows(), 2);
    assert_eq!(
        texts(&rows, "act"),
        vec![Some("cutoffs_set".to_string()); 2]
    );
    assert_eq!(
        texts(&rows, "customer"),
        vec![None, Some("SUP-D".to_string())]
    );
    assert!(texts(&rows, "hub").iter().all(Option::is_none));
    let until = rows
        .column_by_name("until")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow_array::TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(until.value(0), t(32).timestamp_micros());
    assert_eq!(until.value(1), t(46).timestamp_micros());

    // Refused as saving the rule would be, through the one columnar entry too.
    let bad = rule(
        "bad",
        RuleTrigger::CampaignCreated,
        "esme.nope",
        RuleAction::Approve,
    );
    let err = e
        .query_arrow(
            &d,
            &ColumnarQuery::DryRunRule {
                rule: bad,
                at: t(2),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCondition, "{err}");
    let err = e
        .query_arrow(
            &d,
            &ColumnarQuery::DryRunRule {
                rule: cutoffs.clone(),
                at: t(2),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
    let err = e
        .state()
        .dry_run_rule_arrow(&Actor::System, &installs, t(2))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
}

/// Replaces the `id` column of `batch` with `ids`.
fn with_ids(
    batch: &arrow_array::RecordBatch,
    ids: arrow_array::ArrayRef,
) -> arrow_array::RecordBatch {
    let i = batch.schema().index_of("id").unwrap();
    let mut fields: Vec<_> = batch.schema().fields().iter().cloned().collect();
    fields[i] = std::sync::Arc::new(arrow_schema::Field::new(
        "id",
        ids.data_type().clone(),
        true,
    ));
    let mut columns = batch.columns().to_vec();
    columns[i] = ids;
    arrow_array::RecordBatch::try_new(
        std::sync::Arc::new(arrow_schema::Schema::new(fields)),
        columns,
    )
    .unwrap()
}

#[test]
fn an_estate_loads_from_hub_ids_as_integers_as_the_answers_give_them() {
    let ids = ["00-00-00-00-00-00-00-40", "80-00-00-00-00-00-00-41"];
    let text = arrow_hubs(&ids, &["CH-N-DB", "CH-N-DB"]);
    let raw: Vec<u64> = ids
        .iter()
        .map(|i| i.parse::<HubId>().unwrap().as_u64())
        .collect();
    let unsigned = with_ids(
        &text,
        std::sync::Arc::new(arrow_array::UInt64Array::from(raw.clone())),
    );
    // The JVM's long: the same 64 bits (the second id's top bit makes it negative).
    let signed = with_ids(
        &text,
        std::sync::Arc::new(arrow_array::Int64Array::from(
            raw.iter().map(|&r| r as i64).collect::<Vec<_>>(),
        )),
    );
    let mut by_text = fixture();
    by_text
        .load_estate_arrow_ipc(&Actor::Dcc, t(1), &to_ipc(&text))
        .unwrap();
    for (name, batch) in [("uint64", &unsigned), ("int64", &signed)] {
        let mut e = fixture();
        e.load_estate_arrow_ipc(&Actor::Dcc, t(1), &to_ipc(batch))
            .unwrap();
        assert!(e.same_state_as(&by_text), "{name}");
    }
    // A missing integer id is a bad row, named by its index, and nothing is loaded.
    let holed = with_ids(
        &text,
        std::sync::Arc::new(arrow_array::UInt64Array::from(vec![Some(raw[0]), None])),
    );
    let mut e = fixture();
    match e
        .load_estate_arrow_ipc(&Actor::Dcc, t(1), &to_ipc(&holed))
        .unwrap_err()
    {
        Error::BulkRejected { rows } => {
            assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1]);
            assert!(rows[0].reason.contains("missing"), "{}", rows[0].reason);
        }
        other => panic!("{other}"),
    }
    assert!(e.same_state_as(&fixture()));
}

#[test]
fn hub_ids_are_integers_in_every_answer_and_their_text_is_one_call_away() {
    let mut e = rolling(Default::default());
    let at = t(3);
    let page = e
        .upgrade_list(&csp(), Region::North, at, 0, 100_000)
        .unwrap();
    let answer = e
        .query_arrow(
            &csp(),
            &ColumnarQuery::UpgradeList {
                region: Region::North,
                at,
            },
        )
        .unwrap();
    assert_eq!(
        answer.schema.field_with_name("hub").unwrap().data_type(),
        &arrow_schema::DataType::UInt64
    );
    let texted = answer.clone().with_hub_text().unwrap();
    assert_eq!(
        texted.schema.field_with_name("hub").unwrap().data_type(),
        &arrow_schema::DataType::Utf8
    );
    let shown: Vec<String> = texts(&texted.batches[0], "hub")
        .into_iter()
        .flatten()
        .collect();
    let expected: Vec<String> = page.entries.iter().map(|p| p.hub.to_string()).collect();
    assert!(!expected.is_empty());
    assert_eq!(shown, expected);
    // The other columns are untouched, and an answer without hubs comes back as it was.
    assert_eq!(texted.batches[0].column(1), answer.batches[0].column(1));
    let sets = e
        .query_arrow(
            &cust("SUP-A"),
            &ColumnarQuery::ConfigurationSets {
                customer: Some(cid("SUP-A")),
            },
        )
        .unwrap();
    assert_eq!(sets.clone().with_hub_text().unwrap().batches, sets.batches);
    // Every answer with hubs gives them as integers.
    for schema in [
        commshub_ota::read::arrow::upgrade_list_schema(),
        commshub_ota::read::arrow::customer_estate_schema(),
        commshub_ota::read::arrow::attempts_schema(),
        commshub_ota::read::arrow::blockers_schema(),
        commshub_ota::read::arrow::dry_run_schema(),
    ] {
        assert_eq!(
            schema.field_with_name("hub").unwrap().data_type(),
            &arrow_schema::DataType::UInt64
        );
    }
    // The helper refuses a column that is not hub ids, naming its type.
    let words: arrow_array::ArrayRef = std::sync::Arc::new(StringArray::from(vec!["a"]));
    let err = commshub_ota::read::arrow::hub_text(words.as_ref()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("Utf8"), "{err}");
}
