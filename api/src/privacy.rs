//! Masking of residents' personal data (names, phones) for lists and for roles that do not need it.

/// `13812345678` → `138****5678`; shorter numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n >= 7 => format!(
            "{}****{}",
            chars[..3].iter().collect::<String>(),
            chars[n - 4..].iter().collect::<String>()
        ),
        n => format!(
            "{}{}",
            "*".repeat(n.saturating_sub(2)),
            chars[n.saturating_sub(2)..].iter().collect::<String>()
        ),
    }
}

/// `王秀英` → `王*英`, `李明` → `李*`: the surname (and a last character) stay recognisable.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_just_enough() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("6651234"), "665****1234");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_name("王秀英"), "王*英");
        assert_eq!(mask_name("李明"), "李*");
        assert_eq!(mask_name("欧阳建国"), "欧**国");
        assert_eq!(mask_name("A"), "*");
    }
}
