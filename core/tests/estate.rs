mod common;

use common::*;
use commshub_ota::command::*;
use commshub_ota::event::*;
use commshub_ota::*;

#[test]
fn bulk_load_reports_every_bad_row_and_applies_nothing() {
    let mut e = fixture();
    let mut no_esme = row(12, NORTH, "1.1", Some("SUP-A"), None);
    no_esme.devices.esme = None;
    let mut backwards = row(13, NORTH, "1.1", Some("SUP-A"), None);
    backwards.commissioned_on = Some(date(2020, 1, 1));
    let hubs = vec![
        row(10, NORTH, "1.1", Some("SUP-A"), None),  // good
        row(1, NORTH, "1.1", Some("SUP-A"), None),   // already in the estate
        row(11, "NOPE", "1.1", Some("SUP-A"), None), // unknown variant
        no_esme,
        backwards,
        row(10, NORTH, "1.1", Some("SUP-A"), None), // duplicate in the batch
        row(14, SOUTH, "2.0", Some("SUP-A"), None), // no such firmware for the variant
    ];
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs }),
        ErrorKind::BulkRejected,
    );
    let Error::BulkRejected { rows } = err else {
        unreachable!()
    };
    assert_eq!(
        rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert!(
        rows[0].reason.contains("00-00-00-00-00-00-00-01")
            && rows[0].reason.contains("already exists")
    );
    assert!(rows[1].reason.contains("NOPE"));
    assert!(rows[2].reason.contains("ESME"));
    assert!(rows[3].reason.contains("before it was installed"));
    assert!(rows[4].reason.contains("already exists"));
    assert!(rows[5].reason.contains("CH-S-SB@2.0"));
}

#[test]
fn a_table_load_gives_the_same_state_and_the_same_row_errors_as_rows() {
    let hubs = vec![
        row(10, NORTH, "1.1", Some("SUP-A"), Some("SUP-B")),
        row(11, SOUTH, "1.0", Some("SUP-C"), None),
        row(12, NORTH, "1.0", None, None),
    ];
    let mut by_rows = fixture();
    ok(
        &mut by_rows,
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs: hubs.clone() }),
    );
    let mut by_table = fixture();
    let events = ok(
        &mut by_table,
        &Actor::Dcc,
        t(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: EstateTable::from_rows(&hubs),
        }),
    );
    assert_eq!(by_table.state(), by_rows.state());
    assert_eq!(
        by_table.events().unwrap(),
        by_rows.events().unwrap(),
        "both record the same event"
    );
    let EventPayload::EstateLoaded(EstateLoaded { table }) = &events[0].payload else {
        panic!("{:?}", events[0].payload)
    };
    assert_eq!(table.row(0).as_ref(), Some(&hubs[0]));

    // The same bad rows, the same reasons, whichever form.
    let mut clash = row(12, NORTH, "1.1", Some("SUP-A"), None);
    clash.devices.esme = None;
    let bad = vec![
        row(1, NORTH, "1.1", None, None),
        clash,
        row(13, "NOPE", "1.1", None, None),
    ];
    let from_rows = refused(
        &mut fixture(),
        &Actor::Dcc,
        t(1),
        Command::LoadEstate(LoadEstate { hubs: bad.clone() }),
        ErrorKind::BulkRejected,
    );
    let from_table = refused(
        &mut fixture(),
        &Actor::Dcc,
        t(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: EstateTable::from_rows(&bad),
        }),
        ErrorKind::BulkRejected,
    );
    assert_eq!(from_rows, from_table);
}

#[test]
fn a_dictionary_entry_no_hub_uses_is_ignored() {
    let mut e = fixture();
    let table = EstateTable::from_rows(&[row(10, NORTH, "1.1", Some("SUP-A"), None)]);
    let mut clean = fixture();
    ok(
        &mut clean,
        &Actor::Dcc,
        t(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: table.clone(),
        }),
    );
    let mut padded = table;
    padded.customers.push(cid("SUP-GHOST"));
    padded.variants.push(vid("NOPE"));
    padded.devices.push(HanDevice::new("", ""));
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstateTable(LoadEstateTable { table: padded }),
    );
    // Nothing of the unused entries was interned: the state is the one without them.
    assert_eq!(e.state(), clean.state());
}

#[test]
fn status_and_dates_must_agree() {
    let mut e = fixture();
    let mut no_date = row(20, NORTH, "1.1", Some("SUP-A"), None);
    no_date.commissioned_on = None;
    let err = refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(no_date),
        }),
        ErrorKind::InvalidInput,
    );
    assert!(field_of(&err).contains("commissioned_on"), "{err}");
    let mut pending_with_date = row(20, NORTH, "1.1", Some("SUP-A"), None);
    pending_with_date.smi_status = SmiStatus::Pending;
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(pending_with_date),
        }),
        ErrorKind::InvalidInput,
    );
    let mut flags_no_gas = row(20, NORTH, "1.1", Some("SUP-A"), None);
    flags_no_gas.gas_flags.vulnerable = true;
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(flags_no_gas),
        }),
        ErrorKind::PreconditionFailed,
    );
    let mut blank_device = row(20, NORTH, "1.1", Some("SUP-A"), None);
    blank_device.devices.ihd = Some(HanDevice::new("", "1.0"));
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(blank_device),
        }),
        ErrorKind::InvalidInput,
    );
}

#[test]
fn single_hub_lifecycle() {
    let mut e = fixture();
    let mut h = row(30, NORTH, "1.1", Some("SUP-A"), None);
    h.smi_status = SmiStatus::InstalledNotCommissioned;
    h.commissioned_on = None;
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(h.clone()),
        }),
        ErrorKind::NotPermitted,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub {
            hub: Box::new(h.clone()),
        }),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::InstallHub(InstallHub { hub: Box::new(h) }),
        ErrorKind::AlreadyExists,
    );
    // Commissioning.
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CommissionHub(CommissionHub {
            hub: hub(30),
            on: date(2020, 1, 1),
        }),
        ErrorKind::InvalidInput,
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        Command::CommissionHub(CommissionHub {
            hub: hub(30),
            on: date(2026, 1, 2),
        }),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CommissionHub(CommissionHub {
            hub: hub(99),
            on: date(2026, 1, 2),
        }),
        ErrorKind::NotFound,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CommissionHub(CommissionHub {
            hub: hub(30),
            on: date(2026, 1, 2),
        }),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::CommissionHub(CommissionHub {
            hub: hub(30),
            on: date(2026, 1, 2),
        }),
        ErrorKind::PreconditionFailed,
    );
    let v = e.state().hub(&Actor::Dcc, hub(30)).unwrap();
    assert_eq!(
        (v.smi_status, v.commissioned_on),
        (SmiStatus::Commissioned, Some(date(2026, 1, 2)))
    );
    // SMI status changes.
    let smi = |s| {
        Command::ChangeSmiStatus(ChangeSmiStatus {
            hub: hub(30),
            status: s,
        })
    };
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        smi(SmiStatus::Commissioned),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        smi(SmiStatus::Decommissioned),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(2),
        smi(SmiStatus::Pending),
        ErrorKind::PreconditionFailed,
    );
    ok(&mut e, &Actor::Dcc, t(2), smi(SmiStatus::Suspended));
    ok(&mut e, &Actor::Dcc, t(3), smi(SmiStatus::Commissioned));
    // Never-commissioned hub cannot jump to commissioned without a date.
    refused(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::ChangeSmiStatus(ChangeSmiStatus {
            hub: hub(3),
            status: SmiStatus::Commissioned,
        }),
        ErrorKind::PreconditionFailed,
    );
    // Decommissioning is final.
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::DecommissionHub(DecommissionHub {
            hub: hub(30),
            on: date(2025, 1, 1),
        }),
        ErrorKind::InvalidInput,
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::DecommissionHub(DecommissionHub {
            hub: hub(30),
            on: date(2026, 1, 5),
        }),
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::DecommissionHub(DecommissionHub {
            hub: hub(30),
            on: date(2026, 1, 5),
        }),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        smi(SmiStatus::Recovery),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &Actor::Dcc,
        t(4),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(30),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-B")),
            flags: ConsumerFlags::default(),
        }),
        ErrorKind::PreconditionFailed,
    );
    assert_eq!(
        e.state().hub(&Actor::Dcc, hub(30)).unwrap().smi_status,
        SmiStatus::Decommissioned
    );
}

#[test]
fn han_device_firmware_by_dcc_or_the_responsible_supplier() {
    let mut e = fixture();
    let set = |d, f: &str| {
        Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
            hub: hub(2),
            device: d,
            firmware: f.into(),
        })
    };
    let before = e
        .state()
        .hub(&Actor::Dcc, hub(2))
        .unwrap()
        .configuration_set;
    // SUP-A supplies electricity on hub 2: the GSME is SUP-B's.
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        set(HanDeviceKind::Gsme, "5.1"),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &Actor::Csp(Region::North),
        t(1),
        set(HanDeviceKind::Esme, "3.2"),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("SUP-C"),
        t(1),
        set(HanDeviceKind::Esme, "3.2"),
        ErrorKind::NotFound,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        set(HanDeviceKind::Ppmid, "1.0"),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        set(HanDeviceKind::Esme, "3.1"),
        ErrorKind::PreconditionFailed,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        set(HanDeviceKind::Esme, " "),
        ErrorKind::InvalidInput,
    );
    let events = ok(
        &mut e,
        &cust("SUP-B"),
        t(1),
        set(HanDeviceKind::Gsme, "5.1"),
    );
    assert!(
        matches!(&events[0].payload, EventPayload::HanDeviceFirmwareChanged(HanDeviceFirmwareChanged { from, to, .. }) if from == "5.0" && to == "5.1")
    );
    ok(&mut e, &Actor::Dcc, t(1), set(HanDeviceKind::Ihd, "1.1"));
    let after = e
        .state()
        .hub(&Actor::Dcc, hub(2))
        .unwrap()
        .configuration_set;
    assert_ne!(before, after, "the configuration set follows the devices");
    assert_eq!(after.devices.gsme.unwrap().firmware, "5.1");
}

#[test]
fn consumer_flags_are_the_role_suppliers_own() {
    let mut e = fixture();
    let flag = |role| {
        Command::SetConsumerFlags(SetConsumerFlags {
            hub: hub(2),
            role,
            flags: ConsumerFlags {
                high_risk: true,
                ..Default::default()
            },
        })
    };
    refused(
        &mut e,
        &Actor::Dcc,
        t(1),
        flag(SupplyRole::Import),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        flag(SupplyRole::Gas),
        ErrorKind::NotPermitted,
    );
    refused(
        &mut e,
        &cust("SUP-C"),
        t(1),
        flag(SupplyRole::Import),
        ErrorKind::NotFound,
    );
    ok(&mut e, &cust("SUP-A"), t(1), flag(SupplyRole::Import));
    refused(
        &mut e,
        &cust("SUP-A"),
        t(1),
        flag(SupplyRole::Import),
        ErrorKind::PreconditionFailed,
    );
    assert!(
        e.state()
            .hub(&cust("SUP-A"), hub(2))
            .unwrap()
            .import_flags
            .unwrap()
            .high_risk
    );
}

#[test]
fn customer_estate_and_configuration_sets() {
    let e = fixture();
    let s = e.state();
    let ids = |v: Vec<read::HubView>| v.into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.customer_estate(&cust("SUP-A"), &cid("SUP-A")).unwrap()),
        vec![hub(1), hub(2)]
    );
    assert_eq!(
        ids(s.customer_estate(&Actor::Dcc, &cid("SUP-B")).unwrap()),
        vec![hub(2), hub(3)]
    );
    assert!(s
        .customer_estate(&Actor::Dcc, &cid("NOBODY"))
        .unwrap()
        .is_empty());
    assert_eq!(
        s.customer_estate(&cust("SUP-A"), &cid("SUP-B"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        s.customer_estate(&Actor::Csp(Region::North), &cid("SUP-B"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );

    let industry = s.configuration_sets(&Actor::Dcc, None).unwrap();
    assert_eq!(industry.iter().map(|c| c.hubs).sum::<i64>(), 4);
    let mine = s
        .configuration_sets(&cust("SUP-A"), Some(&cid("SUP-A")))
        .unwrap();
    assert_eq!(mine.iter().map(|c| c.hubs).sum::<i64>(), 2);
    assert_eq!(
        mine.len(),
        2,
        "hub 1 (1.1, gas) and hub 2 (1.0, gas) differ in CH firmware"
    );
    assert!(mine
        .iter()
        .any(|c| c.configuration_set.key()
            == "CH-N-DB@1.0|esme:EM-A1@3.1|gsme:GM-K1@5.0|ihd:IHD-X@1.0"));
    assert_eq!(
        s.configuration_sets(&cust("SUP-A"), None)
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    assert_eq!(
        s.configuration_sets(&cust("SUP-A"), Some(&cid("SUP-B")))
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
}

#[test]
fn each_command_is_recorded_at_its_own_time_and_the_log_is_ordered_by_seq() {
    // A command stamped before the last event (another writer whose clock is behind, or a
    // host's thread interleaving) is recorded at its own time, never at another writer's:
    // the log is ordered by sequence number (docs/domain.md decision 20). It replays.
    let mut e = fixture();
    let last = e.state().last_event_at().unwrap();
    assert!(t(-1) < last);
    let events = ok(
        &mut e,
        &Actor::Dcc,
        t(-1),
        Command::CommissionHub(CommissionHub {
            hub: hub(3),
            on: date(2026, 1, 1),
        }),
    );
    assert_eq!(events[0].at, t(-1));
    let replayed = Engine::replay(e.events().unwrap().to_vec()).unwrap();
    assert_eq!(replayed.state(), e.state());
    assert!(
        replayed.same_state_as(&e),
        "the replay rebuilds the outboxes too"
    );
}

#[test]
fn rows_bad_at_the_edge_and_in_the_model_are_reported_together() {
    let mut e = fixture();
    let rows = vec![
        Ok(row(10, NORTH, "1.1", Some("SUP-A"), None)),
        Ok(row(11, "NOPE", "1.1", Some("SUP-A"), None)),
        Err("id \"nope\" is not a hub id".to_string()),
        Ok(row(1, NORTH, "1.1", Some("SUP-A"), None)),
    ];
    let before = e.state().clone();
    let err = e
        .load_estate_rows(&Actor::Dcc, t(1), rows.clone())
        .unwrap_err();
    let Error::BulkRejected { rows: bad } = err else {
        panic!("{err}")
    };
    assert_eq!(bad.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(bad[1].reason.contains("nope"));
    assert_eq!(e.state(), &before);
    // Permission comes before content.
    let err = e.load_estate_rows(&cust("SUP-A"), t(1), rows).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    // Every row bad at the edge: the rows are the answer.
    let err = e
        .load_estate_rows(&Actor::Dcc, t(1), vec![Err("bad".into())])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BulkRejected);
    // All good: loaded.
    let events = e
        .load_estate_rows(
            &Actor::Dcc,
            t(1),
            vec![Ok(row(10, NORTH, "1.1", Some("SUP-A"), None))],
        )
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(e.state().hub_count(), 5);
}

/// A small supplier's views walk its listed hub positions (it supplies under one hub in 64), a
/// large one's scan the estate: both must answer what the rows say, before and after hubs
/// change supplier, which the lists keep by hand (out of order, and to no supplier).
#[test]
fn small_and_large_suppliers_views_are_what_the_rows_say_through_changes_of_supplier() {
    use commshub_ota::synth::{SynthConfig, SynthEstate};
    use std::collections::BTreeMap;
    let synth = SynthEstate::generate(&SynthConfig {
        hubs: 20_000,
        suppliers: 120,
        ..Default::default()
    });
    let mut e = Engine::new();
    for (actor, command) in synth.catalogue_commands() {
        e.execute(&actor, t(0), command).unwrap();
    }
    let table = EstateTable::from_rows(&synth.hubs);
    e.execute(&Actor::Dcc, t(1), LoadEstateTable { table }.into())
        .unwrap();
    let check = |e: &Engine, rows: &[HubRow]| {
        for s in &synth.suppliers {
            let me = Actor::Customer(s.clone());
            let mine: Vec<&HubRow> = rows
                .iter()
                .filter(|r| {
                    r.import_supplier.as_ref() == Some(s) || r.gas_supplier.as_ref() == Some(s)
                })
                .collect();
            let (mut walked, mut after) = (Vec::new(), None);
            loop {
                let page = e.state().customer_estate_page(&me, s, after, 700).unwrap();
                walked.extend(page.hubs.iter().map(|h| h.id));
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            let ids: Vec<HubId> = mine.iter().map(|r| r.id).collect();
            assert_eq!(walked, ids, "{s}'s pages");
            let mut expected: BTreeMap<String, i64> = BTreeMap::new();
            for r in &mine {
                *expected
                    .entry(format!("{}/{}", r.variant, r.firmware))
                    .or_default() += 1;
            }
            let counted: BTreeMap<String, i64> = e
                .state()
                .estate_by_firmware(&me, Some(s))
                .unwrap()
                .into_iter()
                .map(|c| (format!("{}/{}", c.variant, c.version), c.hubs))
                .collect();
            assert_eq!(counted, expected, "{s}'s estate by firmware");
            let sets: i64 = e
                .state()
                .configuration_sets(&me, Some(s))
                .unwrap()
                .iter()
                .map(|c| c.hubs)
                .sum();
            assert_eq!(sets, mine.len() as i64, "{s}'s configuration sets");
        }
    };
    let mut rows = synth.hubs.clone();
    check(&e, &rows);
    // The largest supplier's electricity hubs, from the last to the first, go to a small
    // supplier (each before its last listed hub) or to nobody; a few come back.
    let (large, small) = (synth.suppliers[0].clone(), synth.suppliers[100].clone());
    let moved: Vec<usize> = (0..rows.len())
        .rev()
        .filter(|&i| {
            rows[i].import_supplier.as_ref() == Some(&large)
                && rows[i].smi_status != SmiStatus::Decommissioned
        })
        .take(400)
        .collect();
    for (k, &i) in moved.iter().enumerate() {
        let to = (k % 5 != 0).then(|| small.clone());
        e.execute(
            &Actor::Dcc,
            t(2),
            ChangeSupplier {
                hub: rows[i].id,
                role: SupplyRole::Import,
                supplier: to.clone(),
                flags: Default::default(),
            }
            .into(),
        )
        .unwrap();
        rows[i].import_supplier = to;
    }
    for &i in moved.iter().step_by(7) {
        e.execute(
            &Actor::Dcc,
            t(3),
            ChangeSupplier {
                hub: rows[i].id,
                role: SupplyRole::Import,
                supplier: Some(large.clone()),
                flags: Default::default(),
            }
            .into(),
        )
        .unwrap();
        rows[i].import_supplier = Some(large.clone());
    }
    check(&e, &rows);
    e.state().customer_hubs_agree().unwrap();
}
