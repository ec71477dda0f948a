//! A map over a sorted `Vec` for the engine's few in-flight requests: the same order and API
//! subset as `BTreeMap`, at a fraction of its wasm (~10 KB raw for one `BTreeMap` instantiation).

/// Entries sorted by key; lookups are binary searches. Meant for a handful of entries.
#[derive(Debug)]
pub(crate) struct SmallMap<K, V>(Vec<(K, V)>);

impl<K: Ord + Copy, V> SmallMap<K, V> {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let i = self.find(key).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    /// Inserts or replaces; returns the replaced value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self.0.get_mut(i).map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::SmallMap;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_btreemap() {
        let mut ours = SmallMap::new();
        let mut std = BTreeMap::new();
        let mut seed = 7u32;
        for step in 0..500u32 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (seed >> 16) % 13;
            match seed % 4 {
                0 | 1 => assert_eq!(ours.insert(key, step), std.insert(key, step)),
                2 => assert_eq!(ours.remove(&key), std.remove(&key)),
                _ => {
                    if let Some(v) = ours.get_mut(&key) {
                        *v += 1;
                    }
                    if let Some(v) = std.get_mut(&key) {
                        *v += 1;
                    }
                }
            }
            assert_eq!(ours.get(&key), std.get(&key));
            assert_eq!(ours.len(), std.len());
            assert!(ours.keys().eq(std.keys()), "step {step}");
            assert!(ours.values().eq(std.values()), "step {step}");
        }
        ours.clear();
        assert_eq!(ours.len(), 0);
    }
}
