//! The three languages of Passerelle: French first, Arabic (right to left), English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    Ar,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Fr, Locale::Ar, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::Ar => "ar",
            Locale::En => "en",
        }
    }

    /// The writing direction, for `<html dir="…">`.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            Locale::Fr | Locale::En => "ltr",
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::Fr => "Français",
            Locale::Ar => "العربية",
            Locale::En => "English",
        }
    }

    /// Parses `fr`, `ar`, `en`, and tags such as `ar-MA` or `fr_FR`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Locale::Fr),
            "ar" => Some(Locale::Ar),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values; French when nothing matches.
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let Some(tag) = pieces.next() else { continue };
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Formats an integer with the locale's grouping: `13 654` (narrow no-break
    /// space) in French, `13.654` in Moroccan Arabic usage (CLDR ar-MA, Latin
    /// digits), `13,654` in English.
    pub fn format_int(self, n: i64) -> String {
        let sep = match self {
            Locale::Fr => "\u{202f}",
            Locale::Ar => ".",
            Locale::En => ",",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(ch);
        }
        out
    }

    /// Formats a decimal with `places` digits after the separator (`50,08` in
    /// French and Arabic, `50.08` in English).
    pub fn format_decimal(self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        let (int_part, frac) = text.split_once('.').unwrap_or((&text, ""));
        let int: i64 = int_part.parse().unwrap_or(0);
        let mut out = if int == 0 && int_part.starts_with('-') {
            format!("-{}", self.format_int(0))
        } else {
            self.format_int(int)
        };
        if !frac.is_empty() {
            out.push(if self == Locale::En { '.' } else { ',' });
            out.push_str(frac);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_with_quality() {
        assert_eq!(Locale::negotiate("ar-MA,ar;q=0.9,fr;q=0.8"), Locale::Ar);
        assert_eq!(Locale::negotiate("de-DE, en;q=0.5, fr;q=0.7"), Locale::Fr);
        assert_eq!(Locale::negotiate("en-GB"), Locale::En);
        assert_eq!(Locale::negotiate("de, es"), Locale::Fr);
        assert_eq!(Locale::negotiate(""), Locale::Fr);
    }

    #[test]
    fn formats_numbers_per_locale() {
        assert_eq!(Locale::Fr.format_int(13654), "13\u{202f}654");
        assert_eq!(Locale::En.format_int(13654), "13,654");
        assert_eq!(Locale::Ar.format_int(13654), "13.654");
        assert_eq!(Locale::En.format_int(-1_234_567), "-1,234,567");
        assert_eq!(Locale::Fr.format_int(585), "585");
        assert_eq!(Locale::Fr.format_decimal(50.0779, 2), "50,08");
        assert_eq!(Locale::En.format_decimal(50.0779, 2), "50.08");
        assert_eq!(Locale::En.format_decimal(1234.5, 1), "1,234.5");
    }

    proptest::proptest! {
        #[test]
        fn grouping_keeps_the_digits(n in proptest::num::i64::ANY) {
            for l in Locale::ALL {
                let s = l.format_int(n);
                let digits: String = s.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
                proptest::prop_assert_eq!(digits, n.to_string());
            }
        }
    }
}
