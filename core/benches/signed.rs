//! What signed acts cost (issue 21, docs/domain.md decision 21): signing and verifying one command,
//! a command executed signed against unsigned, replaying a signed history against an unsigned
//! one (events/s; every act's signature verified and its command decided again), and opening a
//! signed SQLite store of the whole estate from its signed snapshot.
//!
//!     cargo bench -p commshub-ota --bench signed -- [hubs] [commands]
//!
//! The estate is the synthetic national one (10 000 000 hubs for the figures docs/benchmarks.md
//! quotes), loaded in parts of at most 1 000 000 hubs; the commands are suppliers recording
//! their ESMEs' new firmware, each decided and applied in O(1), so the signature is what is
//! timed.

mod common;

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use commshub_ota::act::SignedCommand;
use commshub_ota::command::*;
use commshub_ota::signing::{KeyPair, Signer, Trust};
use commshub_ota::synth::{SynthConfig, SynthEstate};
use commshub_ota::*;

const PART: usize = 1_000_000;
const LOG: &str = "bench-log";

fn row(what: &str, figure: String, note: String) {
    println!("{what:<56} {figure:>14}  {note}");
}

/// Each party's key: the DCC's from seed 0, the others' from their position.
fn key_of(parties: &[Actor], actor: &Actor) -> KeyPair {
    let n = parties.iter().position(|p| p == actor).map_or(0, |i| i + 1);
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
    KeyPair::from_seed(&seed).expect("32 bytes")
}

/// The median of three runs of `f`, with the minimum and maximum.
fn median3(mut f: impl FnMut() -> Result<f64, Error>) -> Result<(f64, f64, f64), Error> {
    Ok(common::spread(vec![f()?, f()?, f()?]))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let nums = common::numbers();
    let hubs = nums.first().copied().unwrap_or(1_000_000);
    let commands = nums.get(1).copied().unwrap_or(20_000);
    println!("signed-acts benchmark: {hubs} hubs, {commands} commands a measure\n");
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap();
    let synth = SynthEstate::generate(&SynthConfig {
        hubs,
        ..Default::default()
    });
    // Every party that will act: the CSPs of the catalogue and the suppliers of the ESMEs.
    let mut parties: Vec<Actor> = synth
        .catalogue_commands()
        .iter()
        .map(|(a, _)| a.clone())
        .chain(
            synth
                .hubs
                .iter()
                .filter_map(|h| h.import_supplier.clone().map(Actor::Customer)),
        )
        .filter(|a| *a != Actor::Dcc)
        .collect();
    parties.sort();
    parties.dedup();
    let dcc = key_of(&parties, &Actor::Dcc);
    let trust = Trust::new(LOG, dcc.public_key())?;

    // --- one command: sign, verify ---------------------------------------------------------
    let targets: Vec<(Actor, HubId)> = synth
        .hubs
        .iter()
        .filter(|h| h.devices.esme.is_some())
        .filter_map(|h| Some((Actor::Customer(h.import_supplier.clone()?), h.id)))
        .take(commands.max(1))
        .collect();
    let command = |i: usize| -> (Actor, Command) {
        let (actor, hub) = &targets[i % targets.len()];
        let c = ChangeHanDeviceFirmware {
            hub: *hub,
            device: HanDeviceKind::Esme,
            firmware: format!("9.{i}"),
        };
        (actor.clone(), c.into())
    };
    let keys: Vec<KeyPair> = targets.iter().map(|(a, _)| key_of(&parties, a)).collect();
    let clock = Instant::now();
    let signed: Vec<SignedCommand> = (0..commands)
        .map(|i| {
            let (actor, c) = command(i);
            SignedCommand::sign(&keys[i % keys.len()], LOG, &actor, at, i as u64 + 1, c)
        })
        .collect::<Result<_, _>>()?;
    let sign = clock.elapsed().as_secs_f64();
    row(
        "sign a command (Ed25519, its JSON digested)",
        format!("{:.1} µs", sign * 1e6 / commands as f64),
        format!("{commands} commands"),
    );
    let clock = Instant::now();
    let holding = signed.iter().filter(|s| s.signature_holds(LOG)).count();
    let verify = clock.elapsed().as_secs_f64();
    assert_eq!(holding, commands, "every signature holds");
    row(
        "verify a command's signature (strict Ed25519)",
        format!("{:.1} µs", verify * 1e6 / commands as f64),
        format!("{commands} commands"),
    );

    // --- the estate, signed and unsigned ---------------------------------------------------
    let mut plain = Engine::new();
    let mut engine = Engine::with_trust(trust.clone());
    engine.sign_as(&Actor::Dcc, Arc::new(dcc.clone()))?;
    for party in &parties {
        let key = key_of(&parties, party).public_key();
        engine.execute(
            &Actor::Dcc,
            at,
            RegisterKey {
                party: party.clone(),
                key,
            }
            .into(),
        )?;
        engine.sign_as(party, Arc::new(key_of(&parties, party)))?;
    }
    for (actor, c) in synth.catalogue_commands() {
        plain.execute(&actor, at, c.clone())?;
        engine.execute(&actor, at, c)?;
    }
    for part in synth.hubs.chunks(PART) {
        let table = EstateTable::from_rows(part);
        plain.execute(
            &Actor::Dcc,
            at,
            LoadEstateTable {
                table: table.clone(),
            }
            .into(),
        )?;
        engine.execute(&Actor::Dcc, at, LoadEstateTable { table }.into())?;
    }
    let timed = |e: &mut Engine| -> Result<f64, Error> {
        let clock = Instant::now();
        for i in 0..commands {
            let (actor, c) = command(i);
            e.execute(&actor, at, c)?;
        }
        Ok(clock.elapsed().as_secs_f64())
    };
    let unsigned_run = timed(&mut plain)?;
    let signed_run = timed(&mut engine)?;
    row(
        "execute in memory, unsigned",
        format!("{:.0} /s", commands as f64 / unsigned_run),
        format!("{:.1} µs a command", unsigned_run * 1e6 / commands as f64),
    );
    row(
        "execute in memory, signed (signed, verified, decided)",
        format!("{:.0} /s", commands as f64 / signed_run),
        format!("{:.1} µs a command", signed_run * 1e6 / commands as f64),
    );

    // --- replay: every act verified and decided again --------------------------------------
    let signed_history = engine.events()?.to_vec();
    let plain_history = plain.events()?.to_vec();
    // The commands only (the loads are timed with the snapshot below).
    let skip = signed_history.len() - commands;
    let (base_signed, tail_signed) = signed_history.split_at(skip);
    let (base_plain, tail_plain) = plain_history.split_at(plain_history.len() - commands);
    let mut replaying = Engine::replay_signed(trust.clone(), base_signed.to_vec())?;
    let tail = tail_signed.to_vec();
    let clock = Instant::now();
    replaying.apply_events(tail)?;
    let signed_replay = clock.elapsed().as_secs_f64();
    let mut replaying_plain = Engine::replay(base_plain.to_vec())?;
    let tail = tail_plain.to_vec();
    let clock = Instant::now();
    replaying_plain.apply_events(tail)?;
    let plain_replay = clock.elapsed().as_secs_f64();
    assert!(replaying.same_state_as(&engine));
    row(
        "replay an unsigned history",
        format!("{:.0} events/s", commands as f64 / plain_replay),
        format!("{commands} events on {hubs} hubs"),
    );
    row(
        "replay a signed history (acts verified on 2 cores, decided)",
        format!("{:.0} events/s", commands as f64 / signed_replay),
        format!("{commands} events on {hubs} hubs"),
    );
    drop(replaying);
    drop(replaying_plain);
    drop(plain);

    // --- a signed store: its snapshot signed by the DCC, opened from it ---------------------
    let dir =
        std::env::temp_dir().join(format!("commshub-ota-signed-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("signed.db");
    let loc = path.display().to_string();
    let signer: Arc<dyn Signer> = Arc::new(dcc.clone());
    let options = || {
        OpenOptions::default()
            .snapshot_every(0)
            .checkpoint_every(0)
            .trust(trust.clone())
            .signer(signer.clone())
    };
    let history = engine.events()?.to_vec();
    drop(engine);
    let file = dir.join("signed.jsonl");
    journal::write_jsonl(&file, &history)?;
    drop(history);
    let clock = Instant::now();
    let mut durable = Engine::import(&file, store::open(&loc)?, options())?;
    let import = clock.elapsed().as_secs_f64();
    row(
        "import the signed log into a fresh SQLite store",
        format!("{import:.2} s"),
        "every act verified and decided again, then written".into(),
    );
    let clock = Instant::now();
    let bytes = durable.snapshot()?;
    row(
        "write the DCC-signed snapshot",
        format!("{:.2} s", clock.elapsed().as_secs_f64()),
        format!("{:.1} MB", bytes as f64 / 1e6),
    );
    let seq = durable.state().last_seq();
    drop(durable);
    let (open, min, max) = median3(|| {
        let clock = Instant::now();
        let e = Engine::open_store(store::open(&loc)?, options())?;
        let took = clock.elapsed().as_secs_f64();
        assert_eq!(e.open_report().and_then(|r| r.snapshot), Some(seq));
        Ok(took)
    })?;
    row(
        &format!("open the signed store from its snapshot, {hubs} hubs"),
        format!("{open:.2} s"),
        format!("median of 3 (min {min:.2} s, max {max:.2} s)"),
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
