//! A bounded in-process memo for reports that are expensive to compute and cheap to validate.
//!
//! The key must contain everything the answer depends on, including a fingerprint of the data
//! read from the database on every request (e.g. each grid's `activity_version`), so a hit is
//! exact on any instance of a multi-instance deployment: nothing here expires by time, and
//! nothing is ever shared between keys. Full keys are compared (never only a hash), so a
//! collision can never hand one scope another scope's figures.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, Arc<V>>>,
    capacity: usize,
}

impl<K: Hash + Eq, V> Memo<K, V> {
    pub fn new(capacity: usize) -> Self {
        Memo {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    /// Stores an answer (a capacity of 0 turns the memo off); when full, the memo starts over rather than tracking recency, which is
    /// enough for a handful of hot reports (a street's month) and keeps memory bounded.
    pub fn put(&self, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        if self.capacity == 0 {
            return value;
        }
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= self.capacity && !map.contains_key(&key) {
                map.clear();
            }
            map.insert(key, value.clone());
        }
        value
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_the_same_key_and_stays_bounded() {
        let memo: Memo<String, i32> = Memo::new(2);
        memo.put("a".into(), 1);
        assert_eq!(memo.get(&"a".to_string()).as_deref(), Some(&1));
        assert!(memo.get(&"b".to_string()).is_none());
        memo.put("b".into(), 2);
        memo.put("c".into(), 3);
        assert!(memo.len() <= 2);
        assert_eq!(memo.get(&"c".to_string()).as_deref(), Some(&3));
        let off: Memo<String, i32> = Memo::new(0);
        assert_eq!(*off.put("a".into(), 1), 1);
        assert!(off.get(&"a".to_string()).is_none());
    }
}
