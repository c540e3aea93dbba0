//! Login throttling: a fixed window of failures per key (a username, an address).
//! Kept in memory: a restart forgets it, and several server processes each keep
//! their own — acceptable for the guessing it slows, documented for operators.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max_failures: u32, window_seconds: u64) -> Throttle {
        Throttle {
            max_failures,
            window: Duration::from_secs(window_seconds),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when `key` has used up its failures, scaled by `factor`.
    pub fn blocked(&self, key: &str, factor: u32) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (count, since) = map.get(key)?;
        let elapsed = since.elapsed();
        if elapsed >= self.window || *count < self.max_failures.saturating_mul(factor) {
            return None;
        }
        Some((self.window - elapsed).as_secs().max(1))
    }

    pub fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = map.entry(key.to_string()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_clears_on_success() {
        let t = Throttle::new(3, 60);
        for _ in 0..2 {
            t.fail("u:amina");
        }
        assert_eq!(t.blocked("u:amina", 1), None);
        t.fail("u:amina");
        assert!(t.blocked("u:amina", 1).is_some_and(|s| s <= 60));
        assert_eq!(t.blocked("u:amina", 10), None);
        assert_eq!(t.blocked("u:other", 1), None);
        t.clear("u:amina");
        assert_eq!(t.blocked("u:amina", 1), None);
    }
}
