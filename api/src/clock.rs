//! The deployment's calendar: which day it is where the street is.
//!
//! Times are stored and sent in UTC, but "today" (a meeting not yet held, a visit in the future, a
//! term that has begun, a default date) is the local date of the street. Using the UTC date refused a
//! meeting held this morning between 00:00 and 08:00 Beijing time. Mainland China keeps one offset
//! all year without daylight saving, so a fixed offset is exact; it is set once at start from
//! `TONGXIN_UTC_OFFSET` (default `+08:00`).
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

static OFFSET: OnceLock<FixedOffset> = OnceLock::new();

/// China Standard Time, the default.
pub fn default_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Parses `+08:00`, `-05:30`, `+0800` or `Z`.
pub fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Ok(FixedOffset::east_opt(0).expect("zero offset"));
    }
    let bad = || format!("UTC offset `{s}` is not of the form +08:00");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    if minutes >= 60 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

/// Sets the deployment's offset; the first call wins (tests and the binary share the default).
pub fn set_offset(offset: FixedOffset) {
    let _ = OFFSET.set(offset);
}

pub fn offset() -> FixedOffset {
    *OFFSET.get_or_init(default_offset)
}

/// Today's date where the street is.
pub fn today() -> NaiveDate {
    local_date(Utc::now())
}

/// The local date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&offset()).date_naive()
}

/// The local date of a stored UTC time.
pub fn local_date_of(at: NaiveDateTime) -> NaiveDate {
    local_date(at.and_utc())
}

/// The UTC instant at which a local date begins (for "from this day" filters on stored UTC times).
pub fn start_of(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight")
        - chrono::Duration::seconds(offset().local_minus_utc() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_and_bad_ones_are_refused() {
        assert_eq!(parse_offset("+08:00").unwrap().local_minus_utc(), 8 * 3600);
        assert_eq!(
            parse_offset("-0530").unwrap().local_minus_utc(),
            -(5 * 3600 + 30 * 60)
        );
        assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
        for bad in ["8", "+8:00", "+08:60", "Asia/Shanghai", "", "+25:00"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_local_day_starts_eight_hours_before_utc_midnight_in_beijing() {
        // 2026-11-23 23:30 UTC is already the 24th in Beijing.
        let late = DateTime::parse_from_rfc3339("2026-11-23T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            late.with_timezone(&default_offset()).date_naive(),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let start = day.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
        assert_eq!(start.to_string(), "2026-11-23 16:00:00");
    }
}
