//! Measures one bulk load of a synthetic estate, from rows (`LoadEstate`) and from
//! dictionary-encoded columns (`LoadEstateTable`): the command alone (decide + apply +
//! journal; building the input is not timed) and the dense tables' bytes per hub. A quick
//! probe of the load; `core/benches/national.rs` measures everything.
//!
//!     cargo run --release --example bulk_load -- [hubs] [runs]

use chrono::{TimeZone, Utc};
use commshub_ota::command::*;
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::{Actor, Command, Engine, EstateTable};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let hubs: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    let table = EstateTable::from_rows(&synth.hubs);
    for (form, command) in [
        (
            "rows",
            Command::LoadEstate(LoadEstate {
                hubs: synth.hubs.clone(),
            }),
        ),
        (
            "table",
            Command::LoadEstateTable(LoadEstateTable {
                table: table.clone(),
            }),
        ),
    ] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..runs.max(1) {
            let mut engine = Engine::new();
            for (actor, command) in synth.catalogue_commands() {
                engine.execute(&actor, at, command)?;
            }
            let command = command.clone();
            let clock = std::time::Instant::now();
            engine.execute(&Actor::Dcc, at, command)?;
            times.push(clock.elapsed().as_secs_f64() * 1e3);
            bytes = engine.state().estate_bytes() / hubs.max(1);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "bulk load of {hubs} hubs from {form}: median {:.0} ms over {} runs (min {:.0}, max {:.0}); {bytes} bytes a hub in the dense tables",
            times[times.len() / 2],
            times.len(),
            times[0],
            times[times.len() - 1]
        );
    }
    Ok(())
}
