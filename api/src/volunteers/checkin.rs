//! What makes a check-in hard to fake: a code that changes every 30 seconds on the organiser's
//! screen (so a code sent to a friend at home is soon useless), or a position near the venue,
//! and either only inside a window around the activity.
use aws_lc_rs::hmac;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

pub const STEP_SECONDS: i64 = 30;
/// Check-in opens this long before the start …
pub const OPENS_BEFORE: Duration = Duration::minutes(30);
/// … and check-out stays open this long after the end.
pub const CLOSES_AFTER: Duration = Duration::minutes(60);

pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The six-digit code of one 30-second step (HOTP's dynamic truncation, RFC 4226, over
/// HMAC-SHA256 of the step number).
pub fn code_at(secret: &str, step: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let d = tag.as_ref();
    let offset = (d[d.len() - 1] & 0x0f) as usize;
    let n = u32::from_be_bytes([
        d[offset] & 0x7f,
        d[offset + 1],
        d[offset + 2],
        d[offset + 3],
    ]);
    format!("{:06}", n % 1_000_000)
}

pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// The code shown now and when it stops being shown.
pub fn current(secret: &str, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let step = step_of(now);
    let until = DateTime::from_timestamp((step + 1) * STEP_SECONDS, 0).expect("a time");
    (code_at(secret, step), until)
}

/// The code of this step or the one before (a phone that scanned just before the change).
pub fn accepts(secret: &str, code: &str, now: DateTime<Utc>) -> bool {
    let step = step_of(now);
    [step, step - 1]
        .iter()
        .any(|s| constant_time_eq(code_at(secret, *s).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Great-circle distance in metres (haversine; good to a few metres at a venue's scale).
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().asin()
}

/// Whether `now` is inside the check-in window of an activity.
pub fn check_in_open(starts: NaiveDateTime, ends: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= starts - OPENS_BEFORE && now <= ends
}

pub fn check_out_open(starts: NaiveDateTime, ends: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= starts && now <= ends + CLOSES_AFTER
}

/// Minutes of `[from, to]` inside `[starts, ends]`, whole minutes rounded down.
pub fn overlap_minutes(
    from: NaiveDateTime,
    to: NaiveDateTime,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
) -> i64 {
    let (a, b) = (from.max(starts), to.min(ends));
    if b <= a {
        0
    } else {
        (b - a).num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_code_changes_every_step_and_the_previous_one_is_still_accepted() {
        let secret = "5b0c1f";
        let t = at("2026-11-28T01:00:05Z");
        let (code, until) = current(secret, t);
        assert_eq!(code.len(), 6);
        assert_eq!(until, at("2026-11-28T01:00:30Z"));
        assert!(accepts(secret, &code, t));
        assert!(
            accepts(secret, &code, at("2026-11-28T01:00:59Z")),
            "one step of grace"
        );
        assert!(
            !accepts(secret, &code, at("2026-11-28T01:01:00Z")),
            "two steps later it is refused"
        );
        assert!(
            !accepts(secret, &code, at("2026-11-28T00:59:59Z")),
            "not before it was shown"
        );
        assert!(!accepts("another", &code, t) || code_at("another", step_of(t)) == code);
        let codes: std::collections::HashSet<String> =
            (0..50).map(|s| code_at(secret, s)).collect();
        assert!(codes.len() >= 48, "codes differ from step to step");
    }

    #[test]
    fn distances_match_known_values() {
        // One degree of latitude is about 111.2 km; 0.001° of longitude at 30°N about 96 m.
        assert!((distance_m(30.0, 120.0, 31.0, 120.0) - 111_195.0).abs() < 50.0);
        assert!((distance_m(30.0, 120.0, 30.0, 120.001) - 96.3).abs() < 1.0);
        assert_eq!(distance_m(30.27, 120.16, 30.27, 120.16), 0.0);
    }

    #[test]
    fn windows_and_overlaps() {
        let s = at("2026-11-28T01:00:00Z").naive_utc();
        let e = at("2026-11-28T03:00:00Z").naive_utc();
        assert!(check_in_open(s, e, s - Duration::minutes(30)));
        assert!(!check_in_open(s, e, s - Duration::minutes(31)));
        assert!(check_in_open(s, e, e));
        assert!(!check_in_open(s, e, e + Duration::seconds(1)));
        assert!(check_out_open(s, e, e + Duration::minutes(60)));
        assert!(!check_out_open(s, e, e + Duration::minutes(61)));
        assert!(!check_out_open(s, e, s - Duration::minutes(1)));
        assert_eq!(
            overlap_minutes(s - Duration::minutes(20), e + Duration::minutes(40), s, e),
            120,
            "early arrival and late leave do not count"
        );
        assert_eq!(
            overlap_minutes(s + Duration::minutes(15), s + Duration::seconds(3599), s, e),
            44,
            "whole minutes, rounded down"
        );
        assert_eq!(overlap_minutes(e, e + Duration::minutes(5), s, e), 0);
    }
}
