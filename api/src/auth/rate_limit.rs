//! A per-key token bucket for the login route.
//!
//! Small and in-process on purpose: the handler needs the decision itself, to answer with
//! problem+json and `Retry-After`, keyed by the same trusted-proxy-aware client address that the
//! audit trail records (a middleware crate keys on the raw peer, i.e. the proxy).
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_minute` requests a minute, with bursts of up to the same number.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        let n = f64::from(per_minute.max(1));
        RateLimiter {
            capacity: n,
            per_second: n / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` to go on, or `Err(seconds)` to wait before the next attempt.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so that a scan of many addresses cannot grow memory without end.
            let (cap, rate) = (self.capacity, self.per_second);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < cap
            });
        }
        let (tokens, at) = buckets
            .entry(key.to_string())
            .or_insert((self.capacity, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / self.per_second)
                .as_secs()
                .max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_refuses_with_a_wait_then_refills() {
        let rl = RateLimiter::per_minute(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check_at("a", t0).is_ok());
        }
        let wait = rl.check_at("a", t0).unwrap_err();
        assert!((1..=20).contains(&wait), "wait {wait}");
        assert!(rl.check_at("b", t0).is_ok(), "keys are independent");
        assert!(rl.check_at("a", t0 + Duration::from_secs(21)).is_ok());
    }
}
