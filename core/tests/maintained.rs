//! The upgrade lists the engine maintains (issue 27) in the cases random histories rarely
//! reach: several hubs moved by one event (the campaign merged whole), many hubs' retry delays
//! ending together, and one hub moved in a list of many chunks (that chunk alone changed).
//! Each answer is compared with the list worked out from scratch (`State::upgrade_list`).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use commshub_ota::command::*;
use commshub_ota::read::SupplierView;
use commshub_ota::read::UpgradePage;
use commshub_ota::rollout::{Outcome, OutcomeReport};
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

/// The engine's list and the list worked out from scratch, whole, at `at`.
fn same(e: &Engine, actor: &Actor, at: DateTime<Utc>) -> UpgradePage {
    let kept = e
        .upgrade_list(actor, Region::North, at, 0, 100_000)
        .unwrap();
    let scratch = e
        .state()
        .upgrade_list(actor, Region::North, at, 0, 100_000)
        .unwrap();
    assert_eq!(kept, scratch, "at {at}");
    kept
}

#[test]
fn several_hubs_moved_by_one_event_and_retry_delays_ending_together() {
    let mut e = rolling(CampaignPolicy {
        retry_delay_hours: 6,
        ..CampaignPolicy::default()
    });
    let before = same(&e, &csp(), t(3));
    assert!(before.total > 5 && before.entries.iter().all(|x| !x.nominated));
    // Three of SUP-A's hubs nominated at once: they move to the head of the list.
    ok(
        &mut e,
        &cust("SUP-A"),
        t(3),
        Command::NominateHubs(NominateHubs {
            campaign: camp(C1),
            hubs: vec![hub(12), hub(11), hub(10)],
        }),
    );
    let nominated = same(&e, &csp(), t(3));
    let head: Vec<HubId> = nominated.entries[..3].iter().map(|x| x.hub).collect();
    assert_eq!(head, [hub(10), hub(11), hub(12)]);
    assert!(nominated.entries[..3].iter().all(|x| x.nominated));
    assert_eq!(nominated.total, before.total);
    // Four hubs fail together; they leave the list until their retry delays end together.
    ok(
        &mut e,
        &csp(),
        t(3),
        report(&[fail_rows(13), fail_rows(14), fail_rows(16), fail_rows(17)].concat()),
    );
    let failed = same(&e, &csp(), t(3) + Duration::hours(5));
    assert_eq!(failed.total, before.total - 4);
    let back = same(&e, &csp(), t(3) + Duration::hours(7));
    assert_eq!(back.total, before.total);
    // Asked back in time, and by the DCC, the same as worked out from scratch.
    assert_eq!(
        same(&e, &csp(), t(3) + Duration::hours(1)).total,
        failed.total
    );
    same(&e, &Actor::Dcc, t(3) + Duration::hours(8));
}

#[test]
fn one_hub_moved_in_a_list_of_many_chunks() {
    let synth = SynthEstate::generate(&SynthConfig {
        hubs: 120_000,
        ..Default::default()
    });
    let mut e = Engine::new();
    for (actor, command) in synth.catalogue_commands() {
        ok(&mut e, &actor, t(0), command);
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(1),
        Command::LoadEstateTable(LoadEstateTable {
            table: EstateTable::from_rows(&synth.hubs),
        }),
    );
    let variant = synth
        .variants
        .iter()
        .find(|v| v.region == Region::North && v.han_band == catalogue::HanBand::DualBand)
        .unwrap()
        .id
        .clone();
    let campaign = camp("BIG-N-DB");
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::CreateCampaign(CreateCampaign {
            campaign: campaign.clone(),
            variant,
            target: "2.0".parse().unwrap(),
            cutoff: t(90),
            policy: CampaignPolicy {
                retry_delay_hours: 2,
                ..CampaignPolicy::default()
            },
        }),
    );
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::GrantPilotOa(GrantPilotOa {
            campaign: campaign.clone(),
        }),
    );
    for s in &synth.suppliers[..3] {
        ok(
            &mut e,
            &Actor::Customer(s.clone()),
            t(4),
            Command::ApproveWholeEstate(ApproveWholeEstate {
                campaign: campaign.clone(),
            }),
        );
    }
    let at = t(5);
    let list = same(&e, &csp(), at);
    assert!(
        list.total > 2 * 4096,
        "three chunks or more: {} rows",
        list.total
    );
    // Pages across chunk boundaries, and past the end, as worked out from scratch.
    for (offset, limit) in [
        (0, 1),
        (4_000, 3_000),
        (8_191, 2),
        (9_000, 5_000),
        (100_000, 10),
    ] {
        let page = e
            .upgrade_list(&csp(), Region::North, at, offset, limit)
            .unwrap();
        assert_eq!(
            page,
            e.state()
                .upgrade_list(&csp(), Region::North, at, offset, limit)
                .unwrap(),
            "offset {offset}, limit {limit}"
        );
        // And the slice of the whole list it says it is.
        let n = list.entries.len();
        let whole = &list.entries[(offset as usize).min(n)..((offset + limit) as usize).min(n)];
        assert_eq!(page.entries, whole, "offset {offset}, limit {limit}");
    }
    // One hub from the middle dispatched, then failed: out, and back after its retry delay.
    let middle = list.entries[list.entries.len() / 2].hub;
    let outcome = |outcome| {
        Command::ReportOutcomes(ReportOutcomes {
            campaign: campaign.clone(),
            outcomes: vec![OutcomeReport {
                hub: middle,
                outcome,
                happened_at: None,
            }],
        })
    };
    ok(&mut e, &csp(), at, outcome(Outcome::Dispatched));
    let out = same(&e, &csp(), at);
    assert_eq!(out.total, list.total - 1);
    assert!(out.entries.iter().all(|x| x.hub != middle));
    ok(
        &mut e,
        &csp(),
        at,
        outcome(Outcome::DeliveryFailed { reason: None }),
    );
    assert_eq!(
        same(&e, &csp(), at + Duration::hours(1)).total,
        list.total - 1
    );
    let back = same(&e, &csp(), at + Duration::hours(3));
    assert_eq!(back, list, "the hub is back in its place");
    // A supplier nominates one hub of the tail: it moves to the head, alone.
    let tail = list.entries[list.entries.len() - 3].hub;
    let nominator = e.state().hub(&Actor::Dcc, tail).unwrap().import_supplier;
    let SupplierView::Known(nominator) = nominator else {
        panic!("the DCC sees every supplier");
    };
    ok(
        &mut e,
        &Actor::Customer(nominator),
        at + Duration::hours(3),
        Command::NominateHubs(NominateHubs {
            campaign,
            hubs: vec![tail],
        }),
    );
    let moved = same(&e, &csp(), at + Duration::hours(3));
    assert_eq!(moved.entries[0].hub, tail);
    assert!(moved.entries[0].nominated);
    assert_eq!(moved.total, list.total);
}

#[test]
fn a_customer_new_to_the_estate_has_the_default_cut_off() {
    // Every customer of the estate has its cut-off extended past the default: the default is
    // still a deadline, since a change of supplier can bring in a customer that has it.
    let mut e = rolling(CampaignPolicy::default());
    for s in ["SUP-A", "SUP-B", "SUP-C", "SUP-D", "SUP-E"] {
        ok(
            &mut e,
            &Actor::Dcc,
            t(2),
            Command::ExtendCutoff(ExtendCutoff {
                campaign: camp(C1),
                customer: cid(s),
                until: t(100),
            }),
        );
    }
    ok(
        &mut e,
        &Actor::Dcc,
        t(2),
        Command::GrantMassRolloutOa(GrantMassRolloutOa {
            campaign: camp(C1),
            override_reason: Some("the cut-off test".into()),
        }),
    );
    let before = same(&e, &csp(), t(3));
    assert!(before.entries.iter().any(|x| x.hub == hub(12)));
    ok(
        &mut e,
        &Actor::Dcc,
        t(3),
        Command::ChangeSupplier(ChangeSupplier {
            hub: hub(12),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-NEW")),
            flags: Default::default(),
        }),
    );
    // The new supplier has not consented: hub 12 waits, until the default cut-off (t(60)).
    let waiting = same(&e, &csp(), t(3));
    assert!(waiting.entries.iter().all(|x| x.hub != hub(12)));
    let taken_over = same(&e, &csp(), t(70));
    assert!(taken_over.entries.iter().any(|x| x.hub == hub(12)));
}
