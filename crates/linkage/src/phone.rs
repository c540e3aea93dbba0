//! Phone numbers in international and local forms.
//!
//! Why: "+212 6 61 23 45 67", "00212661234567" and "0661234567" are one Moroccan number;
//! a Senegalese number keeps its "+221" or loses it. Numbers are reduced to their national
//! significant digits (country code and trunk zero removed for the countries in the
//! sources), so equal numbers compare equal whatever the form. A phone changes often and
//! is shared by households, so its agreement is evidence, never proof; the weights come
//! from EM and the clustering step guards against a shared phone chaining a household.

/// Calling codes of the countries in the sources (and France, common for diaspora SIMs),
/// longest first so that prefixes do not shadow each other.
const CALLING_CODES: &[&str] = &[
    "212", "221", "223", "224", "225", "237", "243", "234", "963", "967", "249", "213", "216",
    "222", "226", "227", "228", "229", "233", "235", "236", "241", "242", "220", "231", "232",
    "33", "34", "39", "32",
];

/// A value that is not a phone number ("pas de tél", "123").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a phone number")]
pub struct NotAPhone;

/// Reduces a phone number to its national significant digits.
/// `Ok(None)` when empty or explicitly unknown, `Err(NotAPhone)` when it is not a phone
/// number.
pub fn parse_phone(s: &str) -> Result<Option<String>, NotAPhone> {
    let t = crate::normalise::normalise_text(s);
    if t.is_empty() || crate::record::is_null_token(&t) {
        return Ok(None);
    }
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    if letters > 2 {
        return Err(NotAPhone);
    }
    let international = s.trim_start().starts_with('+');
    let mut digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if let Some(rest) = digits.strip_prefix("00") {
        digits = rest.to_string();
        return national(&digits, true);
    }
    national(&digits, international || digits.len() > 10)
}

fn national(digits: &str, international: bool) -> Result<Option<String>, NotAPhone> {
    let mut d = digits;
    if international && let Some(code) = CALLING_CODES.iter().find(|c| d.starts_with(**c)) {
        d = &d[code.len()..];
    }
    let d = d.trim_start_matches('0');
    if d.len() < 6 || d.len() > 12 {
        return Err(NotAPhone);
    }
    Ok(Some(d.to_string()))
}

/// The outcome of comparing two normalised phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneLevel {
    /// Same national number.
    Exact = 2,
    /// One digit differs or two adjacent digits are swapped.
    Near = 1,
    /// Different numbers.
    Different = 0,
}

/// Compares two normalised phone numbers.
pub fn compare_phones(a: &str, b: &str) -> PhoneLevel {
    if a == b {
        PhoneLevel::Exact
    } else if a.len() == b.len() && crate::document::within_one_edit(a.as_bytes(), b.as_bytes()) {
        PhoneLevel::Near
    } else {
        PhoneLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moroccan_forms_meet() {
        let want = Ok(Some("661234567".to_string()));
        for input in [
            "+212 6 61 23 45 67",
            "00212661234567",
            "0661234567",
            "06-61-23-45-67",
            "212661234567",
            "+212 (0) 661 234 567",
            "٠٦٦١٢٣٤٥٦٧",
        ] {
            assert_eq!(parse_phone(input), want, "input {input:?}");
        }
    }

    #[test]
    fn other_countries_and_bad_input() {
        assert_eq!(
            parse_phone("+221 77 123 45 67"),
            Ok(Some("771234567".into()))
        );
        assert_eq!(parse_phone("00221771234567"), Ok(Some("771234567".into())));
        assert_eq!(parse_phone("+223 76 12 34 56"), Ok(Some("76123456".into())));
        assert_eq!(parse_phone(""), Ok(None));
        assert_eq!(parse_phone("n/a"), Ok(None));
        assert_eq!(parse_phone("pas de téléphone"), Err(NotAPhone));
        assert_eq!(parse_phone("123"), Err(NotAPhone));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_is_idempotent(s in "\\PC*") {
            if let Ok(Some(p)) = parse_phone(&s) {
                proptest::prop_assert!(p.bytes().all(|b| b.is_ascii_digit()));
                proptest::prop_assert_eq!(compare_phones(&p, &p), PhoneLevel::Exact);
            }
        }
    }

    #[test]
    fn comparison_levels() {
        assert_eq!(compare_phones("661234567", "661234567"), PhoneLevel::Exact);
        assert_eq!(compare_phones("661234567", "661234568"), PhoneLevel::Near);
        assert_eq!(compare_phones("661234567", "661235467"), PhoneLevel::Near);
        assert_eq!(
            compare_phones("661234567", "771234500"),
            PhoneLevel::Different
        );
    }
}
