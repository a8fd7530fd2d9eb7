//! Resident identity card numbers (公民身份号码, GB 11643-1999): 6-digit address code, birth date
//! (YYYYMMDD), 3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check
//! character (`0`–`9` or `X`).
use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// Upper-case, 18 characters.
    pub value: String,
    pub birth_date: NaiveDate,
    pub male: bool,
}

/// Why a number is not valid: a stable code and a message for the field error.
pub type Invalid = (&'static str, &'static str);

pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

pub fn parse(input: &str) -> Result<IdNumber, Invalid> {
    let value = input.trim().to_uppercase();
    let b = value.as_bytes();
    if b.len() != 18 {
        return Err(("invalid_length", "an ID number has 18 characters"));
    }
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err((
            "invalid_format",
            "an ID number is 17 digits and a digit or X",
        ));
    }
    if !(b'1'..=b'9').contains(&b[0]) {
        return Err(("invalid_region", "the address code is not valid"));
    }
    let birth_date = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d").map_err(|_| {
        (
            "invalid_birth_date",
            "the birth date in the ID number is not a date",
        )
    })?;
    if birth_date.format("%Y").to_string().as_str() < "1900" || birth_date > crate::clock::today() {
        return Err((
            "invalid_birth_date",
            "the birth date in the ID number is out of range",
        ));
    }
    if check_char(&b[..17]) != b[17] as char {
        return Err((
            "invalid_check_digit",
            "the check digit does not match; please check the number",
        ));
    }
    let male = (b[16] - b'0') % 2 == 1;
    Ok(IdNumber {
        value,
        birth_date,
        male,
    })
}

/// What lists show: the first three and last four characters.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    format!(
        "{}{}{}",
        chars[..3].iter().collect::<String>(),
        "*".repeat(chars.len() - 7),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

/// A valid number for the given area, birth date and sequence (demo and benchmark data).
pub fn make(area: &str, birth: NaiveDate, sequence: u32) -> String {
    let first17 = format!("{area}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
    let c = check_char(first17.as_bytes());
    format!("{first17}{c}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_and_reads_birth_and_gender() {
        // The worked example of GB 11643: 11010519491231002X (a woman born 31 Dec 1949).
        let id = parse("11010519491231002x").unwrap();
        assert_eq!(id.value, "11010519491231002X");
        assert_eq!(
            id.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(!id.male);
        let made = make("320402", NaiveDate::from_ymd_opt(1975, 6, 1).unwrap(), 123);
        assert!(parse(&made).unwrap().male);
    }

    #[test]
    fn rejects_each_kind_of_bad_number() {
        assert_eq!(parse("1101051949123100").unwrap_err().0, "invalid_length");
        assert_eq!(parse("11010519491231002A").unwrap_err().0, "invalid_format");
        assert_eq!(parse("01010519491231002X").unwrap_err().0, "invalid_region");
        assert_eq!(
            parse("110105194902300020").unwrap_err().0,
            "invalid_birth_date"
        );
        assert_eq!(
            parse("110105194912310021").unwrap_err().0,
            "invalid_check_digit"
        );
    }

    #[test]
    fn masks_all_but_the_ends() {
        assert_eq!(mask("11010519491231002X"), "110***********002X");
    }
}
