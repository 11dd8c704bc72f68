//! Snapshots: the whole state (and the notifications projection) at one event, in a versioned,
//! checksummed binary form, so that an engine restarts from it instead of replaying its history.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `CHOTASNP` |
//! | 4 | format version ([`FORMAT`]) |
//! | 8 | the event the snapshot is at (`seq`) |
//! | 32 | that event's audit-chain hash: ties the snapshot to one log |
//! | 8 | hub count `n` |
//! | 8 | length `m` of the structured part |
//! | 32 n | the hub table, one fixed-width record a hub ([`HUB_BYTES`]) |
//! | m | everything else, as MessagePack with field names: `{state, projections}` |
//! | 32 | SHA-256 of every byte before it |
//!
//! Why this form: the hub table is 99% of a national snapshot, and fixed-width records decode
//! at memory speed with no allocation per hub (10 million in a fraction of a second), where a
//! generic serde format decodes field by field. Everything else (catalogue, campaigns, consents,
//! outboxes) is small and deeply nested; MessagePack is compact, self-describing (so serde's
//! tagged enums round-trip, which postcard and bincode cannot do), and adds no schema to keep.
//! The hub index is not stored: it is rebuilt from the ids (the sharded bulk build). SHA-256
//! (with the CPU's SHA instructions here) catches a flipped bit anywhere; a newer format
//! version is refused rather than misread.
//!
//! Formats: 2 (written since the engine, not the aggregate, holds projections and caches)
//! splits the structured part into the aggregate's data (`state`) and the engine's projections
//! (`projections`: the notification outboxes); 1 held both in one flat map. This build reads
//! both and writes 2.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::kernel::error::Error;
use crate::kernel::ids::{CampaignId, CustomerId, HubId};
use crate::kernel::intern::Interner;
use crate::model::campaigns::Campaign;
use crate::model::catalogue::{Catalogue, FirmwareIdx, VariantIdx};
use crate::model::defects::DefectFlag;
use crate::model::estate::SmiStatus;
use crate::model::estate::{
    ConfigSet, CustomerHubs, CustomerIdx, Estate, HanDevice as DeviceProfile, HubRecord,
};
use crate::model::keys::KeyRegistry;
use crate::model::notices::Outboxes;
use crate::model::state::State;

const MAGIC: &[u8; 8] = b"CHOTASNP";
/// The snapshot format this build writes.
pub const FORMAT: u32 = 2;
/// The formats this build reads.
pub const READS: [u32; 2] = [1, 2];
/// Bytes of one hub record in the table.
pub const HUB_BYTES: usize = 32;
const HEADER: usize = 8 + 4 + 8 + 32 + 8 + 8;
const CHECKSUM: usize = 32;

/// Everything but the hub table, borrowed for writing (format 2).
#[derive(Serialize)]
struct RestOut<'a> {
    state: StateOut<'a>,
    projections: ProjectionsOut<'a>,
}

/// The aggregate's data but the hub table.
#[derive(Serialize)]
struct StateOut<'a> {
    catalogue: &'a Catalogue,
    campaigns: &'a BTreeMap<CampaignId, Campaign>,
    last_seq: u64,
    last_at: Option<DateTime<Utc>>,
    defects: &'a [DefectFlag],
    withdrawn_flags: &'a std::collections::BTreeSet<i64>,
    customers: &'a [CustomerId],
    devices: &'a [DeviceProfile],
    configs: &'a [ConfigSet],
    keys: &'a KeyRegistry,
    rules: &'a crate::model::rules::Rules,
    dpl: &'a crate::model::dpl::DplHistory,
    trends: &'a crate::model::trends::TrendNotices,
    firmware_known: &'a crate::model::estate::FirmwareKnown,
}

/// The engine's projections.
#[derive(Serialize)]
struct ProjectionsOut<'a> {
    outboxes: &'a Outboxes,
}

/// The aggregate's data, owned, for reading (either format).
#[derive(Deserialize)]
struct StateIn {
    catalogue: Catalogue,
    campaigns: BTreeMap<CampaignId, Campaign>,
    last_seq: u64,
    last_at: Option<DateTime<Utc>>,
    defects: Vec<DefectFlag>,
    /// Absent from snapshots written before flags could be withdrawn.
    #[serde(default)]
    withdrawn_flags: std::collections::BTreeSet<i64>,
    customers: Vec<CustomerId>,
    devices: Vec<DeviceProfile>,
    configs: Vec<ConfigSet>,
    /// Absent from snapshots written before acts were signed.
    #[serde(default)]
    keys: KeyRegistry,
    /// Absent from snapshots written before business rules.
    #[serde(default)]
    rules: crate::model::rules::Rules,
    /// Absent from snapshots written before the Deployed Products List's history was kept:
    /// then the history starts with the counts on the snapshot's day.
    #[serde(default)]
    dpl: Option<crate::model::dpl::DplHistory>,
    /// Absent from snapshots written before trend notices: nobody told yet.
    #[serde(default)]
    trends: crate::model::trends::TrendNotices,
    /// Absent from snapshots written before read-backs were bounded: every hub is then known
    /// since the snapshot's last event.
    #[serde(default)]
    firmware_known: Option<crate::model::estate::FirmwareKnown>,
}

#[derive(Deserialize)]
struct ProjectionsIn {
    outboxes: Outboxes,
}

/// Format 2's structured part.
#[derive(Deserialize)]
struct RestIn {
    state: StateIn,
    projections: ProjectionsIn,
}

/// Format 1's: the state's fields and the outboxes side by side.
#[derive(Deserialize)]
struct RestV1 {
    #[serde(flatten)]
    state: StateIn,
    outboxes: Outboxes,
}

/// What a snapshot's header says, read without decoding the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    pub format: u32,
    pub seq: u64,
    pub chain_hash: [u8; 32],
    pub hubs: u64,
}

/// Encodes `state` and `outboxes`, at event `state.last_seq()` whose chain hash is `chain_hash`.
pub(crate) fn encode(state: &State, outboxes: &Outboxes, chain_hash: &[u8; 32]) -> Vec<u8> {
    let estate = &state.estate;
    let rest = RestOut {
        state: StateOut {
            catalogue: &state.catalogue,
            campaigns: &state.campaigns,
            last_seq: state.last_seq,
            last_at: state.last_at,
            defects: &state.defects,
            withdrawn_flags: &state.withdrawn_flags,
            customers: estate.customers.values(),
            devices: estate.devices.values(),
            configs: estate.configs.values(),
            keys: &state.keys,
            rules: &state.rules,
            dpl: &state.dpl,
            trends: &state.trends,
            firmware_known: &state.firmware_known,
        },
        projections: ProjectionsOut { outboxes },
    };
    let rest = rmp_serde::to_vec_named(&rest)
        .expect("the state holds only maps, lists, strings, numbers and dates");
    let hubs = &estate.hubs;
    let mut out = Vec::with_capacity(HEADER + hubs.len() * HUB_BYTES + rest.len() + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&state.last_seq.to_le_bytes());
    out.extend_from_slice(chain_hash);
    out.extend_from_slice(&(hubs.len() as u64).to_le_bytes());
    out.extend_from_slice(&(rest.len() as u64).to_le_bytes());
    for hub in hubs {
        out.extend_from_slice(&encode_hub(hub));
    }
    out.extend_from_slice(&rest);
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out
}

fn encode_hub(h: &HubRecord) -> [u8; HUB_BYTES] {
    let mut b = [0u8; HUB_BYTES];
    b[0..8].copy_from_slice(&h.id.as_u64().to_le_bytes());
    b[8..12].copy_from_slice(&h.config.to_le_bytes());
    b[12..14].copy_from_slice(&u16::from(h.variant).to_le_bytes());
    b[14..16].copy_from_slice(&u16::from(h.firmware).to_le_bytes());
    b[16..18].copy_from_slice(&u16::from(h.import_supplier).to_le_bytes());
    b[18..20].copy_from_slice(&u16::from(h.gas_supplier).to_le_bytes());
    b[20..24].copy_from_slice(&h.installed.to_le_bytes());
    b[24..28].copy_from_slice(&h.commissioned.to_le_bytes());
    b[28] = SmiStatus::ALL
        .iter()
        .position(|s| *s == h.smi)
        .unwrap_or_default() as u8;
    b[29] = h.import_flags;
    b[30] = h.gas_flags;
    b
}

fn decode_hub(b: &[u8]) -> Option<HubRecord> {
    let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut id = [0u8; 8];
    id.copy_from_slice(&b[0..8]);
    Some(HubRecord {
        id: HubId::from_u64(u64::from_le_bytes(id)),
        config: u32_at(8),
        variant: VariantIdx::new(u16_at(12)),
        firmware: FirmwareIdx::new(u16_at(14)),
        import_supplier: CustomerIdx::new(u16_at(16)),
        gas_supplier: CustomerIdx::new(u16_at(18)),
        installed: u32_at(20) as i32,
        commissioned: u32_at(24) as i32,
        smi: *SmiStatus::ALL.get(usize::from(b[28]))?,
        import_flags: b[29],
        gas_flags: b[30],
    })
}

fn corrupt(seq: u64, reason: impl Into<String>) -> Error {
    Error::CorruptSnapshot {
        seq,
        reason: reason.into(),
    }
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Reads the header and checks the magic, format, lengths and checksum of the whole snapshot.
pub fn check(bytes: &[u8]) -> Result<SnapshotHeader, Error> {
    if bytes.len() < HEADER + CHECKSUM || &bytes[..8] != MAGIC {
        return Err(corrupt(0, "not a commshub-ota snapshot"));
    }
    let format = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    let seq = u64_at(bytes, 12);
    if !READS.contains(&format) {
        let by = if format > FORMAT {
            "written by a newer build"
        } else {
            "which no build writes"
        };
        return Err(corrupt(
            seq,
            format!(
                "format {format}, {by}; this build reads formats {} (and writes {FORMAT})",
                READS.map(|f| f.to_string()).join(" and ")
            ),
        ));
    }
    let mut chain_hash = [0u8; 32];
    chain_hash.copy_from_slice(&bytes[20..52]);
    let hubs = u64_at(bytes, 52);
    let rest = u64_at(bytes, 60);
    let expected = hubs
        .checked_mul(HUB_BYTES as u64)
        .and_then(|h| h.checked_add(rest))
        .and_then(|n| n.checked_add((HEADER + CHECKSUM) as u64));
    if expected != Some(bytes.len() as u64) {
        return Err(corrupt(
            seq,
            format!(
                "{} bytes where the header says {hubs} hubs and {rest} bytes more: cut or padded",
                bytes.len()
            ),
        ));
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM);
    if Sha256::digest(body).as_slice() != sum {
        return Err(corrupt(seq, "checksum mismatch: the snapshot was changed"));
    }
    Ok(SnapshotHeader {
        format,
        seq,
        chain_hash,
        hubs,
    })
}

/// Decodes a snapshot into the state and outboxes it holds, with its header. Every refusal is
/// [`Error::CorruptSnapshot`]; nothing is half-built.
pub(crate) fn decode(bytes: &[u8]) -> Result<(State, Outboxes, SnapshotHeader), Error> {
    let header = check(bytes)?;
    let seq = header.seq;
    let hub_end = HEADER + header.hubs as usize * HUB_BYTES;
    let table = &bytes[HEADER..hub_end];
    // Decoded on every core, in order (10 million records: a restart's largest part).
    let bad = std::sync::atomic::AtomicBool::new(false);
    let hubs: Vec<HubRecord> = crate::kernel::par::scan(header.hubs as usize, |range| {
        let mut out = Vec::with_capacity(range.len());
        for record in table[range.start * HUB_BYTES..range.end * HUB_BYTES].chunks_exact(HUB_BYTES)
        {
            match decode_hub(record) {
                Some(hub) => out.push(hub),
                None => {
                    bad.store(true, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
            }
        }
        out
    });
    if bad.into_inner() {
        return Err(corrupt(seq, "a hub record with an unknown SMI status"));
    }
    let structured = &bytes[hub_end..bytes.len() - CHECKSUM];
    let undecodable = |e: rmp_serde::decode::Error| {
        corrupt(
            seq,
            format!(
                "the structured part does not decode as format {}: {e}",
                header.format
            ),
        )
    };
    let (rest, outboxes) = if header.format == 1 {
        let v1: RestV1 = rmp_serde::from_slice(structured).map_err(undecodable)?;
        (v1.state, v1.outboxes)
    } else {
        let v2: RestIn = rmp_serde::from_slice(structured).map_err(undecodable)?;
        (v2.state, v2.projections.outboxes)
    };
    if rest.last_seq != seq {
        return Err(corrupt(
            seq,
            "the header and the state name different events",
        ));
    }
    let repeat = |what: &str| corrupt(seq, format!("a repeated {what} in its table"));
    let mut estate = Estate {
        customer_hubs: CustomerHubs::build(&hubs),
        hubs,
        index: Default::default(),
        customers: Interner::from_values(rest.customers).ok_or_else(|| repeat("customer"))?,
        devices: Interner::from_values(rest.devices).ok_or_else(|| repeat("device"))?,
        configs: Interner::from_values(rest.configs).ok_or_else(|| repeat("configuration"))?,
        dpl_moves: Default::default(),
    };
    let ids: Vec<HubId> = estate.hubs.iter().map(|h| h.id).collect();
    estate.index.extend(&ids, 0);
    // A repeated id lands on the same key: fewer keys than hubs (no second pass to find it).
    if estate.index.len() != ids.len() {
        return Err(repeat("hub"));
    }
    let dpl = match rest.dpl {
        Some(history) => history,
        None => {
            let day = rest.last_at.map_or(0, |at| {
                crate::model::estate::days_from_date(crate::kernel::civil_time::day_of(at))
            });
            crate::model::dpl::DplHistory::seeded(&estate.hubs, day)
        }
    };
    let state = State {
        catalogue: rest.catalogue,
        estate,
        campaigns: rest.campaigns,
        last_seq: rest.last_seq,
        last_at: rest.last_at,
        defects: rest.defects,
        withdrawn_flags: rest.withdrawn_flags,
        keys: rest.keys,
        rules: rest.rules,
        dpl,
        trends: rest.trends,
        firmware_known: rest
            .firmware_known
            .unwrap_or_else(|| crate::model::estate::FirmwareKnown::since(rest.last_at)),
    };
    Ok((state, outboxes, header))
}
