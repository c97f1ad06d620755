//! A map with a bounded number of keys, for the distinct clients, paths and error messages of
//! an incident: millions of distinct values (a scanner walking random paths, a botnet's
//! addresses) must not grow memory without bound.
//!
//! Input: keys (bytes) with a value to add. Output: the exact map while it holds at most `CAP`
//! keys; beyond that, the `CAP` keys with the smallest hashes (a "bottom-k" sample) with their
//! values still exact, a flag that the cap was reached, and an estimate of the number of
//! distinct keys from the sample (the k-minimum-values estimator, relative error about
//! `1/sqrt(CAP)`). Which keys are kept depends only on the keys, never on the order or the
//! chunking of the input, so a parallel scan gives the same map as a sequential one.

use std::collections::HashMap;
use std::hash::Hash;

/// A key with a hash that is the same on every run and platform.
pub trait StableHash {
    fn stable_hash(&self) -> u64;
}

fn mix(mut h: u64) -> u64 {
    // splitmix64's finaliser: spreads FNV's bits so that the smallest hashes are a fair sample.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

impl StableHash for Vec<u8> {
    fn stable_hash(&self) -> u64 {
        self.as_slice().stable_hash()
    }
}

impl StableHash for [u8] {
    fn stable_hash(&self) -> u64 {
        mix(fnv(FNV_OFFSET, self))
    }
}

impl StableHash for (Vec<u8>, Vec<u8>) {
    fn stable_hash(&self) -> u64 {
        mix(fnv(fnv(fnv(FNV_OFFSET, &self.0), &[0]), &self.1))
    }
}

/// A map that keeps at most `CAP` keys; see the module header.
#[derive(Debug, Clone)]
pub struct Capped<K, V, const CAP: usize> {
    map: HashMap<K, V>,
    /// Keys hashing above this are not kept (`u64::MAX` until the cap is first reached).
    cut: u64,
    capped: bool,
}

impl<K, V, const CAP: usize> Default for Capped<K, V, CAP> {
    fn default() -> Self {
        Capped {
            map: HashMap::new(),
            cut: u64::MAX,
            capped: false,
        }
    }
}

impl<K: Eq + Hash + StableHash, V, const CAP: usize> Capped<K, V, CAP> {
    /// Adds to the value of `key` (made with `owned` when new, starting at `V::default()`).
    /// Looks the key up without allocating when it is already there.
    pub fn update<Q>(&mut self, key: &Q, owned: impl FnOnce(&Q) -> K, f: impl FnOnce(&mut V))
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + StableHash + ?Sized,
        V: Default,
    {
        if let Some(v) = self.map.get_mut(key) {
            f(v);
            return;
        }
        if self.capped && key.stable_hash() > self.cut {
            return;
        }
        f(self.map.entry(owned(key)).or_default());
        // Pruning at twice the cap keeps it rare.
        if self.map.len() > 2 * CAP {
            self.prune();
        }
    }

    /// Merges another map, combining the values of keys in both with `combine`.
    pub fn merge(&mut self, other: Self, mut combine: impl FnMut(&mut V, V)) {
        self.cut = self.cut.min(other.cut);
        self.capped |= other.capped;
        for (k, v) in other.map {
            if self.capped && k.stable_hash() > self.cut {
                continue;
            }
            match self.map.get_mut(&k) {
                Some(mine) => combine(mine, v),
                None => {
                    self.map.insert(k, v);
                }
            }
        }
        if self.capped {
            let cut = self.cut;
            self.map.retain(|k, _| k.stable_hash() <= cut);
        }
        self.prune();
    }

    /// Keeps the `CAP` keys with the smallest hashes, when there are more.
    fn prune(&mut self) {
        if self.map.len() <= CAP {
            return;
        }
        let mut hashes: Vec<u64> = self.map.keys().map(StableHash::stable_hash).collect();
        let (_, &mut cut, _) = hashes.select_nth_unstable(CAP - 1);
        self.map.retain(|k, _| k.stable_hash() <= cut);
        self.cut = cut;
        self.capped = true;
    }

    /// Whether more than `CAP` distinct keys were seen (so the map holds a sample).
    pub fn capped(&self) -> bool {
        self.capped
    }

    /// The keys kept and their values.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.map.get(key)
    }

    /// Keys kept.
    pub fn kept(&self) -> usize {
        self.map.len()
    }

    /// Distinct keys seen: exact below the cap, estimated from the sample above it.
    pub fn distinct(&self) -> u64 {
        if !self.capped || self.map.len() < 2 {
            return self.map.len() as u64;
        }
        let max = self
            .map
            .keys()
            .map(StableHash::stable_hash)
            .max()
            .unwrap_or(u64::MAX);
        let share = (max as f64 + 1.0) / 2f64.powi(64);
        (((self.map.len() - 1) as f64 / share).round() as u64).max(self.map.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u64) -> Vec<u8> {
        format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255).into_bytes()
    }

    #[test]
    fn exact_below_the_cap() {
        let mut m: Capped<Vec<u8>, u64, 100> = Capped::default();
        for i in 0..250 {
            m.update(key(i % 100).as_slice(), <[u8]>::to_vec, |n| *n += 1);
        }
        assert!(!m.capped());
        assert_eq!(m.distinct(), 100);
        assert_eq!(m.get(key(7).as_slice()), Some(&3));
    }

    #[test]
    fn above_the_cap_memory_is_bounded_and_the_count_estimated() {
        let mut m: Capped<Vec<u8>, u64, 1000> = Capped::default();
        for i in 0..200_000 {
            m.update(key(i).as_slice(), <[u8]>::to_vec, |n| *n += 1);
            assert!(m.kept() <= 2000);
        }
        let mut done = Capped::default();
        done.merge(m, |a, b| *a += b);
        assert!(done.capped());
        assert_eq!(done.kept(), 1000);
        let est = done.distinct() as f64;
        assert!((est / 200_000.0 - 1.0).abs() < 0.1, "{est}");
    }

    #[test]
    fn the_sample_and_its_counts_do_not_depend_on_chunking() {
        let keys: Vec<Vec<u8>> = (0..5000).map(|i| key(i * 7 % 3001)).collect();
        let run = |chunk: usize| {
            let mut out: Capped<Vec<u8>, u64, 300> = Capped::default();
            for part in keys.chunks(chunk) {
                let mut m: Capped<Vec<u8>, u64, 300> = Capped::default();
                for k in part {
                    m.update(k.as_slice(), <[u8]>::to_vec, |n| *n += 1);
                }
                out.merge(m, |a, b| *a += b);
            }
            let mut v: Vec<(Vec<u8>, u64)> = out.iter().map(|(k, n)| (k.clone(), *n)).collect();
            v.sort();
            (v, out.distinct(), out.capped())
        };
        let reference = run(keys.len());
        assert!(reference.2);
        for chunk in [1, 7, 333, 1000, 4999] {
            assert_eq!(run(chunk), reference, "chunk {chunk}");
        }
        // Counts of the keys kept are exact.
        let exact = keys.iter().filter(|k| **k == reference.0[0].0).count() as u64;
        assert_eq!(reference.0[0].1, exact);
    }
}
