//! Hub id to position in the dense table.
//!
//! The index is split into 256 shards by a hash of the id. A bulk load first sorts its ids
//! into the shards (sequential writes), then fills one shard at a time (on every core). Each
//! shard is about 1 MB at 10 million hubs, so its inserts hit the cache. An insert into one
//! 300 MB table misses the cache almost every time: at 10 million hubs that took 0.78 s
//! where the sharded build takes 0.35 s on one core.

use std::collections::{HashMap, HashSet};

use crate::kernel::ids::HubId;
use crate::kernel::intern::{FxBuild, FxHashMap};
use crate::kernel::par;

const SHARD_BITS: u32 = 8;
const SHARDS: usize = 1 << SHARD_BITS;

/// Below this many ids, a batch goes straight to its shards: sorting it first allocates one
/// vector per shard, which for one installed hub cost more than the install itself.
const DIRECT: usize = 4 * SHARDS;

/// The shard of `id`. The shard takes a different hash from the one inside a shard
/// (`FxHasher`). hashbrown takes each entry's tag from the top bits of its hash. If the shard
/// came from the same bits, every id in a shard would carry the same tag, and lookups would
/// compare keys on every probe.
fn shard_of(id: HubId) -> usize {
    let n = id.as_u64();
    ((n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARD_BITS)) as usize
}

/// An id as the index keeps it: two 32-bit halves, so that a slot (key and position) is 12
/// bytes, not the 16 a `(u64, u32)` pads to: a quarter of the index's memory at any size.
type Key = [u32; 2];

fn key(id: HubId) -> Key {
    let n = id.as_u64();
    [(n >> 32) as u32, n as u32]
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HubIndex {
    shards: Vec<FxHashMap<Key, u32>>,
}

impl Default for HubIndex {
    fn default() -> Self {
        HubIndex {
            shards: (0..SHARDS).map(|_| HashMap::default()).collect(),
        }
    }
}

/// `(id, value)` pairs sorted into their shards, in input order within each shard.
fn partition(ids: &[HubId], value: impl Fn(usize) -> u32) -> Vec<Vec<(HubId, u32)>> {
    // 10% above an even share: shards fill unevenly, and a reallocation costs more.
    let share = ids.len() / SHARDS + ids.len() / SHARDS / 10 + 4;
    let mut parts: Vec<Vec<(HubId, u32)>> =
        (0..SHARDS).map(|_| Vec::with_capacity(share)).collect();
    for (i, &id) in ids.iter().enumerate() {
        parts[shard_of(id)].push((id, value(i)));
    }
    parts
}

impl HubIndex {
    pub fn get(&self, id: HubId) -> Option<u32> {
        self.shards[shard_of(id)].get(&key(id)).copied()
    }

    /// Bytes held: hashbrown keeps one control byte and one `(id, position)` slot a bucket.
    pub fn bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Key, u32)>() + 1;
        self.shards.iter().map(|s| s.capacity() * slot).sum()
    }

    /// How many ids are indexed.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    /// Adds `ids` (none of them present) at positions `first`, `first + 1`, ...
    pub fn extend(&mut self, ids: &[HubId], first: u32) {
        if ids.len() < DIRECT {
            for (i, &id) in ids.iter().enumerate() {
                self.shards[shard_of(id)].insert(key(id), first + i as u32);
            }
            return;
        }
        let parts = partition(ids, |i| first + i as u32);
        let mut work: Vec<_> = self.shards.iter_mut().zip(parts).collect();
        par::for_each(&mut work, ids.len(), |(shard, part)| {
            shard.reserve(part.len());
            shard.extend(part.iter().map(|&(id, pos)| (key(id), pos)));
        });
    }

    /// The rows of `ids` that cannot be added: the id is indexed already, or an earlier row
    /// has it. In row order.
    pub fn duplicates(&self, ids: &[HubId]) -> Vec<usize> {
        if ids.len() < DIRECT {
            let mut seen: HashSet<HubId, FxBuild> =
                HashSet::with_capacity_and_hasher(ids.len(), FxBuild::default());
            return (0..ids.len())
                .filter(|&row| {
                    let id = ids[row];
                    self.get(id).is_some() || !seen.insert(id)
                })
                .collect();
        }
        let parts = partition(ids, |i| i as u32);
        let mut work: Vec<_> = parts.iter().map(|p| (p, Vec::new())).collect();
        par::for_each(&mut work, ids.len(), |(part, dups)| {
            let Some(&(first, _)) = part.first() else {
                return;
            };
            let indexed = &self.shards[shard_of(first)];
            let mut seen: HashSet<HubId, FxBuild> =
                HashSet::with_capacity_and_hasher(part.len(), FxBuild::default());
            for &(id, row) in part.iter() {
                if indexed.contains_key(&key(id)) || !seen.insert(id) {
                    dups.push(row as usize);
                }
            }
        });
        let mut rows: Vec<usize> = work.into_iter().flat_map(|(_, d)| d).collect();
        rows.sort_unstable();
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sharded_index_finds_what_was_added_and_reports_duplicates_in_row_order() {
        let ids: Vec<HubId> = (0..5_000u64)
            .map(|i| HubId::from_u64(0xDB12 << 40 | i))
            .collect();
        let mut index = HubIndex::default();
        index.extend(&ids[..3_000], 0);
        index.extend(&ids[3_000..3_001], 3_000);
        for (i, id) in ids[..3_001].iter().enumerate() {
            assert_eq!(index.get(*id), Some(i as u32));
        }
        assert_eq!(index.get(ids[3_001]), None);
        let mut batch = ids[2_990..3_010].to_vec();
        batch.push(ids[3_005]);
        let dups = index.duplicates(&batch);
        let expected: Vec<usize> = (0..11).chain([20]).collect();
        assert_eq!(dups, expected);
        assert!(index.bytes() >= 3_001 * 13);
        assert_eq!(std::mem::size_of::<(Key, u32)>(), 12);
        // A batch above the direct bound goes through the shards: the same answer.
        let mut big = ids[2_000..4_500].to_vec();
        big.extend_from_slice(&ids[4_000..4_010]);
        assert!(big.len() >= DIRECT);
        let expected: Vec<usize> = (0..1_001).chain(2_500..2_510).collect();
        assert_eq!(index.duplicates(&big), expected);
        index.extend(&ids[3_001..4_500], 3_001);
        assert_eq!(index.get(ids[4_499]), Some(4_499));
        assert_eq!(index.len(), 4_500);
    }
}
