//! A map keyed by 32-byte hashes that folds fast. A `BTreeMap<Hash32, V>` pays a random
//! B-tree insertion (cache misses at every level) for each new key, and a payment brings a new
//! recipientRandHash; here a hash table (`hashbrown::HashTable`, no hidden random state: the
//! hash is the key's own first eight bytes, already uniformly spread) finds the key in about
//! one probe. Nothing depends on the table's order: it is encoded and compared as the
//! `BTreeMap<Hash32, V>` it replaces (sorted on the way out), so digests and checkpoints are
//! unchanged (ADR 0017).

use crate::events::Hash32;
use hashbrown::{hash_table::Entry, HashTable};
use serde::{ser::SerializeMap, Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

fn prefix(h: &Hash32) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.0[..8]);
    u64::from_be_bytes(b)
}

/// A map from hashes to `V` (see the module doc).
#[derive(Clone)]
pub struct HashKeyed<V> {
    table: HashTable<(Hash32, V)>,
}

impl<V> Default for HashKeyed<V> {
    fn default() -> Self {
        HashKeyed {
            table: HashTable::new(),
        }
    }
}

impl<V> HashKeyed<V> {
    /// The value under `h`.
    pub fn get(&self, h: &Hash32) -> Option<&V> {
        self.table.find(prefix(h), |(k, _)| k == h).map(|(_, v)| v)
    }

    /// The value under `h`, made by `make` when absent (`true` with it when it was made).
    pub fn get_or_insert_with(&mut self, h: Hash32, make: impl FnOnce() -> V) -> (&mut V, bool) {
        match self
            .table
            .entry(prefix(&h), |(k, _)| *k == h, |(k, _)| prefix(k))
        {
            Entry::Occupied(e) => (&mut e.into_mut().1, false),
            Entry::Vacant(e) => (&mut e.insert((h, make())).into_mut().1, true),
        }
    }

    /// Removes `h`.
    pub fn remove(&mut self, h: &Hash32) {
        if let Ok(e) = self.table.find_entry(prefix(h), |(k, _)| k == h) {
            e.remove();
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// No entry held.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every entry, in hash order (sorted on each call: for encoding and reports).
    pub fn sorted(&self) -> Vec<(&Hash32, &V)> {
        let mut all: Vec<(&Hash32, &V)> = self.table.iter().map(|(k, v)| (k, v)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }
}

impl<V: PartialEq> PartialEq for HashKeyed<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.table.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<V: Eq> Eq for HashKeyed<V> {}

impl<V: std::fmt::Debug> std::fmt::Debug for HashKeyed<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.sorted()).finish()
    }
}

impl<V: Serialize> Serialize for HashKeyed<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.sorted() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for HashKeyed<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = HashKeyed::default();
        for (k, v) in BTreeMap::<Hash32, V>::deserialize(d)? {
            out.get_or_insert_with(k, || v);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Against the `BTreeMap` it replaces: the same lookups and bytes; hashes sharing a
        /// prefix kept apart.
        #[test]
        fn it_is_the_map_it_replaces(ops in proptest::collection::vec((0u8..4, 0u8..3, any::<u8>(), any::<bool>()), 0..400)) {
            let mut ours = HashKeyed::default();
            let mut map = BTreeMap::new();
            for (a, b, v, remove) in ops {
                let mut h = [0u8; 32];
                h[0] = a;
                h[31] = b;
                let h = Hash32(h);
                if remove {
                    ours.remove(&h);
                    map.remove(&h);
                } else {
                    *ours.get_or_insert_with(h, || 0u8).0 = v;
                    map.insert(h, v);
                }
            }
            prop_assert_eq!(ours.len(), map.len());
            for (k, v) in &map {
                prop_assert_eq!(ours.get(k), Some(v));
            }
            let bytes = postcard::to_allocvec(&ours).unwrap();
            prop_assert_eq!(&bytes, &postcard::to_allocvec(&map).unwrap());
            let back: HashKeyed<u8> = postcard::from_bytes(&bytes).unwrap();
            prop_assert_eq!(back, ours);
        }
    }
}
