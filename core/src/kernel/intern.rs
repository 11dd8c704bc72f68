//! Interning: each distinct customer, device profile or configuration set is stored once and
//! referred to by a small index, so a hub record stays a few dozen bytes at national scale.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A fast, deterministic hasher for keys we produce ourselves (hub ids, small indices).
/// std's SipHash defends against hash flooding from untrusted keys, which costs ~3x on the
/// 10-million-hub index; hub ids are EUI-64s whose low bytes are serial numbers, and the
/// multiply-rotate below (the rustc "Fx" scheme) spreads them well.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = HashMap<K, V, FxBuild>;

/// Values stored once, each with a dense `u32` index in order of first appearance (so the
/// indices are the same on every replay of the same events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interner<T: Eq + Hash + Clone> {
    values: Vec<T>,
    index: FxHashMap<T, u32>,
}

impl<T: Eq + Hash + Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            values: Vec::new(),
            index: FxHashMap::default(),
        }
    }
}

impl<T: Eq + Hash + Clone> Interner<T> {
    pub fn get(&self, value: &T) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// Index of `value`, adding it if new. `None` when the table already holds `limit` values.
    pub fn intern(&mut self, value: &T, limit: u32) -> Option<u32> {
        if let Some(&i) = self.index.get(value) {
            return Some(i);
        }
        let i = u32::try_from(self.values.len())
            .ok()
            .filter(|&i| i < limit)?;
        self.values.push(value.clone());
        self.index.insert(value.clone(), i);
        Some(i)
    }

    pub fn resolve(&self, i: u32) -> &T {
        &self.values[i as usize]
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The values in index order (what a snapshot stores; the index is rebuilt from them).
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The interner holding `values` at their positions; `None` when a value repeats.
    pub fn from_values(values: Vec<T>) -> Option<Self> {
        let mut index = FxHashMap::default();
        index.reserve(values.len());
        for (i, v) in values.iter().enumerate() {
            if index.insert(v.clone(), u32::try_from(i).ok()?).is_some() {
                return None;
            }
        }
        Some(Interner { values, index })
    }
}
