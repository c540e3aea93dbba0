//! Identity document numbers with formatting noise.
//!
//! Why: "AB 123 456", "ab-123456" and "AB123456" are one passport or residence-card
//! number. Numbers are reduced to uppercase ASCII letters and digits; a value too short to
//! identify anyone (fewer than four characters) counts as missing. One mistyped or two
//! swapped characters give a "near" level rather than a disagreement.

use crate::normalise::alnum_upper;

/// Normalises a document number; `None` when empty or too short to mean anything.
pub fn normalise_document(s: &str) -> Option<String> {
    let d = alnum_upper(s);
    if d.len() < 4 || d.chars().all(|c| c == '0') || crate::record::is_null_token(&d.to_lowercase())
    {
        None
    } else {
        Some(d)
    }
}

/// The outcome of comparing two normalised document numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentLevel {
    /// Same number.
    Exact = 2,
    /// One character differs, is missing, or two adjacent characters are swapped.
    Near = 1,
    /// Different numbers.
    Different = 0,
}

/// Compares two normalised document numbers.
pub fn compare_documents(a: &str, b: &str) -> DocumentLevel {
    if a == b {
        DocumentLevel::Exact
    } else if within_one_edit(a.as_bytes(), b.as_bytes()) {
        DocumentLevel::Near
    } else {
        DocumentLevel::Different
    }
}

/// True when `a` and `b` differ by at most one substitution, insertion, deletion or swap
/// of two adjacent characters (optimal string alignment distance ≤ 1), without allocating:
/// this runs for millions of candidate pairs.
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() {
        return true;
    }
    if a.len() == b.len() {
        // One substitution, or one swap of adjacent characters.
        a[prefix + 1..] == b[prefix + 1..]
            || (prefix + 1 < a.len()
                && a[prefix] == b[prefix + 1]
                && a[prefix + 1] == b[prefix]
                && a[prefix + 2..] == b[prefix + 2..])
    } else {
        // One insertion into the shorter.
        a[prefix..] == b[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_noise_goes() {
        let cases = [
            ("AB 123 456", Some("AB123456")),
            ("ab-123456", Some("AB123456")),
            (" AB.123.456 ", Some("AB123456")),
            ("12", None),
            ("0000", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                normalise_document(input).as_deref(),
                want,
                "input {input:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn normalising_never_panics_and_is_idempotent(s in "\\PC*") {
            if let Some(d) = normalise_document(&s) {
                proptest::prop_assert_eq!(normalise_document(&d), Some(d.clone()));
            }
        }
    }

    #[test]
    fn one_edit_agrees_with_osa_distance() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "abd", "abcd", "xbc", "bc", "AB123456", "AB123465",
            "AB12345",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    within_one_edit(a.as_bytes(), b.as_bytes()),
                    strsim::osa_distance(a, b) <= 1,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn comparison_levels() {
        assert_eq!(
            compare_documents("AB123456", "AB123456"),
            DocumentLevel::Exact
        );
        assert_eq!(
            compare_documents("AB123456", "AB123465"),
            DocumentLevel::Near
        );
        assert_eq!(
            compare_documents("AB123456", "AB12345"),
            DocumentLevel::Near
        );
        assert_eq!(
            compare_documents("AB123456", "CD987654"),
            DocumentLevel::Different
        );
    }
}
