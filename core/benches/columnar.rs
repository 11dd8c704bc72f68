//! The columnar answers (feature `arrow`), measured: the whole upgrade list and the largest
//! supplier's estate as Arrow record batches, beside the row views they replace.
//!
//!     cargo bench -p commshub-ota --features arrow --bench columnar -- [hubs] [runs] [suppliers]
//!
//! The scenario is the national benchmark's and the side-by-side example's: a campaign to 2.0
//! for the north dual-band variant in mass rollout, the three largest suppliers having approved
//! their whole estates.

mod common;

use chrono::{Duration, TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

fn median_ms(runs: usize, mut f: impl FnMut() -> usize) -> (f64, f64, f64, usize) {
    let mut rows = 0;
    let (m, lo, hi) = common::time_ms(runs, |_| {
        rows = f();
        Ok(())
    })
    .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
    (m, lo, hi, rows)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let runs = nums.get(1).copied().unwrap_or(5);
    // More suppliers make the smallest smaller (15 by default: the smallest has 2.2% of hubs).
    let suppliers = nums.get(2).copied().unwrap_or(15);
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let day = |d: i64| start + Duration::days(d);
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        suppliers,
        ..Default::default()
    });
    let mut engine = Engine::new();
    for (actor, command) in synth.catalogue_commands() {
        engine.execute(&actor, day(0), command)?;
    }
    let table = EstateTable::from_rows(&synth.hubs);
    engine.execute(&Actor::Dcc, day(1), LoadEstateTable { table }.into())?;
    let variant = synth
        .variants
        .iter()
        .find(|v| v.region == Region::North && v.han_band == catalogue::HanBand::DualBand)
        .expect("the synthetic catalogue has one");
    let campaign: CampaignId = "BENCH-N-DB-2.0".parse()?;
    engine.execute(
        &Actor::Dcc,
        day(2),
        CreateCampaign {
            campaign: campaign.clone(),
            variant: variant.id.clone(),
            target: "2.0".parse()?,
            cutoff: day(90),
            policy: CampaignPolicy::default(),
        }
        .into(),
    )?;
    engine.execute(
        &Actor::Dcc,
        day(3),
        GrantPilotOa {
            campaign: campaign.clone(),
        }
        .into(),
    )?;
    for s in &synth.suppliers[..3] {
        engine.execute(
            &Actor::Customer(s.clone()),
            day(4),
            ApproveWholeEstate {
                campaign: campaign.clone(),
            }
            .into(),
        )?;
    }
    drop(engine.take_events().unwrap());
    let state = engine.state();
    let csp = Actor::Csp(Region::North);
    println!("columnar benchmark: {hubs} hubs, {suppliers} suppliers, median of {runs} runs (min, max)\n");
    let (m, lo, hi, n) = median_ms(runs, || {
        state
            .upgrade_list_arrow(&csp, Region::North, day(7))
            .map_or(0, |b| b.num_rows())
    });
    println!(
        "{:<58} {m:>8.1} ms  ({lo:.1}, {hi:.1}); {n} rows",
        "the whole upgrade list as Arrow"
    );
    // A page's list is kept for the next page at the same `at`: each run asks a microsecond
    // later, so that each works the list out anew.
    let mut moment = 0;
    let (m, lo, hi, _) = median_ms(runs, || {
        moment += 1;
        state
            .upgrade_list(
                &csp,
                Region::North,
                day(7) + Duration::microseconds(moment),
                0,
                1,
            )
            .map_or(0, |p| p.total as usize)
    });
    println!(
        "{:<58} {m:>8.1} ms  ({lo:.1}, {hi:.1})",
        "  the list worked out only (a one-entry page's total)"
    );
    // The list the engine maintains, asked again with nothing new: the export alone, beside
    // the memory-bandwidth bound of its output (the answer's bytes copied once, measured here).
    let mut kept = engine.fork();
    let query = commshub_ota::read::arrow::ColumnarQuery::UpgradeList {
        region: Region::North,
        at: day(7),
    };
    let bytes: usize = kept
        .query_arrow(&csp, &query)?
        .batches
        .iter()
        .map(|b| b.get_array_memory_size())
        .sum();
    let (m, lo, hi, n) = median_ms(runs, || {
        kept.query_arrow(&csp, &query).map_or(0, |a| a.rows())
    });
    let source = vec![1u8; bytes.max(1)];
    let mut copy = vec![0u8; bytes.max(1)];
    let (bound, _, _, _) = median_ms(runs.max(5), || {
        copy.copy_from_slice(std::hint::black_box(&source));
        std::hint::black_box(&copy).len()
    });
    println!(
        "{:<58} {m:>8.2} ms  ({lo:.2}, {hi:.2}); {n} rows, {:.1} MB: {:.1}x the {bound:.2} ms a copy of those bytes takes",
        "  the list kept by the engine, exported again",
        bytes as f64 / 1e6,
        m / bound
    );
    drop(kept);
    // The largest supplier (by hubs supplied in either role).
    let largest = synth
        .suppliers
        .iter()
        .max_by_key(|s| {
            state
                .customer_estate_arrow(&Actor::Dcc, s)
                .map_or(0, |b| b.iter().map(|b| b.num_rows()).sum())
        })
        .expect("suppliers")
        .clone();
    let me = Actor::Customer(largest.clone());
    let (m, lo, hi, n) = median_ms(runs, || {
        state
            .customer_estate_arrow(&me, &largest)
            .map_or(0, |b| b.iter().map(|b| b.num_rows()).sum())
    });
    println!(
        "{:<58} {m:>8.1} ms  ({lo:.1}, {hi:.1}); {n} hubs",
        format!("the largest supplier's estate as Arrow ({largest})")
    );
    let (m, lo, hi, n) = median_ms(runs.min(3), || {
        state.customer_estate(&me, &largest).map_or(0, |v| v.len())
    });
    println!(
        "{:<58} {m:>8.1} ms  ({lo:.1}, {hi:.1}); {n} hubs",
        "  the same as row views (HubView)"
    );
    // The smallest supplier's views: with each customer's hubs indexed they cost O(its hubs);
    // a scan of the estate cost the same for every supplier, however small.
    let hubs_of = |s: &CustomerId| -> u64 {
        state
            .estate_by_firmware(&Actor::Dcc, Some(s))
            .map_or(0, |f| f.iter().map(|c| c.hubs.unsigned_abs()).sum())
    };
    let smallest = synth
        .suppliers
        .iter()
        .min_by_key(|s| hubs_of(s))
        .expect("suppliers")
        .clone();
    let small = Actor::Customer(smallest.clone());
    let small_hubs = hubs_of(&smallest);
    println!("\nthe smallest supplier ({smallest}, {small_hubs} hubs):");
    let views: [(&str, &dyn Fn() -> usize); 6] = [
        ("its estate as Arrow", &|| {
            state
                .customer_estate_arrow(&small, &smallest)
                .map_or(0, |b| b.iter().map(|b| b.num_rows()).sum())
        }),
        ("its estate, a page of 1 000 row views", &|| {
            state
                .customer_estate_page(&small, &smallest, None, 1000)
                .map_or(0, |p| p.hubs.len())
        }),
        ("its configuration sets (its DPL)", &|| {
            state
                .configuration_sets(&small, Some(&smallest))
                .map_or(0, |s| s.len())
        }),
        ("its estate by firmware", &|| {
            state
                .estate_by_firmware(&small, Some(&smallest))
                .map_or(0, |f| f.len())
        }),
        ("its campaign progress", &|| {
            state
                .campaign_progress(&small, &campaign, day(7))
                .map_or(0, |p| p.len())
        }),
        ("its bulk explain as Arrow", &|| {
            state
                .blockers_arrow(&small, &campaign, day(7))
                .map_or(0, |b| b.num_rows())
        }),
    ];
    for (what, view) in views {
        let (m, lo, hi, n) = median_ms(runs, view);
        println!("  {what:<56} {m:>8.2} ms  ({lo:.2}, {hi:.2}); {n} rows");
    }
    println!();
    // Bulk explain: every blocked hub of the campaign's variant, a row per blocker.
    for (who, asker) in [
        ("the DCC", Actor::Dcc),
        ("the largest supplier", me.clone()),
    ] {
        let (m, lo, hi, n) = median_ms(runs.min(3), || {
            state
                .blockers_arrow(&asker, &campaign, day(7))
                .map_or(0, |b| b.num_rows())
        });
        println!(
            "{:<58} {m:>8.1} ms  ({lo:.1}, {hi:.1}); {n} rows",
            format!("bulk explain as Arrow, asked by {who}")
        );
    }
    Ok(())
}
