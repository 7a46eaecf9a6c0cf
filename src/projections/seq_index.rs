//! A set of `(key, seq)` pairs that folds fast: what the `audit_index` keeps per kind of key.
//! A `BTreeSet` pays a random B-tree insertion per pair (the keys are hash prefixes, so every
//! insert lands somewhere new: cache misses dominate a rebuild). Here pairs are appended to a
//! small unsorted buffer; a full buffer is sorted into a run, and runs are merged while the
//! newer one is at least half the size of the older (a binary counter: each pair is moved
//! O(log n) times, sequentially). Lookups binary-search each run and scan the buffer. The
//! encoding is the sorted set's — `postcard` of the `BTreeSet<(u64, u64)>` it replaces — and
//! equality is the set's, so digests and checkpoints are unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeSet, BinaryHeap};

/// Pairs buffered before a sort.
const BUFFER: usize = 4096;

/// A set of `(key, seq)` pairs (see the module doc).
#[derive(Clone, Debug, Default)]
pub struct SeqIndex {
    runs: Vec<Vec<(u64, u64)>>,
    recent: Vec<(u64, u64)>,
}

/// Merges two sorted runs, dropping repeated pairs.
fn merge(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x <= y => {
                i += 1;
                if x == y {
                    j += 1;
                }
                *x
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                j += 1;
                *y
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, None) => break,
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

impl SeqIndex {
    /// Adds a pair.
    pub fn insert(&mut self, pair: (u64, u64)) {
        self.recent.push(pair);
        if self.recent.len() >= BUFFER {
            self.seal();
        }
    }

    /// Sorts the buffer into a run and merges runs of similar size.
    fn seal(&mut self) {
        let mut run = std::mem::take(&mut self.recent);
        run.sort_unstable();
        run.dedup();
        self.runs.push(run);
        while self.runs.len() >= 2 {
            let n = self.runs.len();
            if self.runs[n - 2].len() > self.runs[n - 1].len() * 2 {
                break;
            }
            let newer = self.runs.pop().unwrap_or_default();
            let older = self.runs.pop().unwrap_or_default();
            self.runs.push(merge(&older, &newer));
        }
    }

    /// The seqs stored under `key`, ascending.
    pub fn seqs(&self, key: u64) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for run in &self.runs {
            let from = run.partition_point(|p| p.0 < key);
            out.extend(run[from..].iter().take_while(|p| p.0 == key).map(|p| p.1));
        }
        out.extend(self.recent.iter().filter(|p| p.0 == key).map(|p| p.1));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Pairs held (each once).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Every pair once, ascending: a k-way merge of the runs and the sorted buffer.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let mut recent = self.recent.clone();
        recent.sort_unstable();
        let mut sources: Vec<std::vec::IntoIter<(u64, u64)>> = vec![recent.into_iter()];
        let mut heap = BinaryHeap::new();
        let mut borrowed: Vec<std::slice::Iter<'_, (u64, u64)>> =
            self.runs.iter().map(|r| r.iter()).collect();
        for (i, it) in borrowed.iter_mut().enumerate() {
            if let Some(p) = it.next() {
                heap.push(std::cmp::Reverse((*p, i + 1)));
            }
        }
        if let Some(p) = sources[0].next() {
            heap.push(std::cmp::Reverse((p, 0)));
        }
        let mut last = None;
        std::iter::from_fn(move || loop {
            let std::cmp::Reverse((p, src)) = heap.pop()?;
            let next = if src == 0 {
                sources[0].next()
            } else {
                borrowed[src - 1].next().copied()
            };
            if let Some(n) = next {
                heap.push(std::cmp::Reverse((n, src)));
            }
            if last != Some(p) {
                last = Some(p);
                return Some(p);
            }
        })
    }
}

impl PartialEq for SeqIndex {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SeqIndex {}

impl Serialize for SeqIndex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The sequence `BTreeSet<(u64, u64)>` serializes: its length, then the pairs in order
        // (two passes of the merge rather than a copy of every pair).
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for p in self.iter() {
            seq.serialize_element(&p)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for SeqIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let set = BTreeSet::<(u64, u64)>::deserialize(d)?;
        let run: Vec<(u64, u64)> = set.into_iter().collect();
        Ok(SeqIndex {
            runs: if run.is_empty() { vec![] } else { vec![run] },
            recent: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Against the `BTreeSet` it replaces: the same lookups, the same bytes, the same
        /// equality after a round trip.
        #[test]
        fn it_is_the_set_it_replaces(pairs in proptest::collection::vec((0u64..64, 0u64..20_000), 0..12_000)) {
            let mut ours = SeqIndex::default();
            let mut set = BTreeSet::new();
            for p in &pairs {
                ours.insert(*p);
                set.insert(*p);
            }
            prop_assert_eq!(ours.len(), set.len());
            for key in 0..64u64 {
                let want: Vec<u64> = set.range((key, 0)..=(key, u64::MAX)).map(|p| p.1).collect();
                prop_assert_eq!(ours.seqs(key), want);
            }
            let bytes = postcard::to_allocvec(&ours).unwrap();
            prop_assert_eq!(&bytes, &postcard::to_allocvec(&set).unwrap());
            let back: SeqIndex = postcard::from_bytes(&bytes).unwrap();
            prop_assert_eq!(&back, &ours);
        }
    }
}
