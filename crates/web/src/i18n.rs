//! Every string the interface shows comes from the Fluent files in `locales/`
//! (French, Arabic, English), compiled into the binary. Fluent handles Arabic's six
//! plural forms. Isolation marks are off: templates set `dir` themselves.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use passerelle_domain::Locale;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static AR: LanguageIdentifier = langid!("ar");
static EN: LanguageIdentifier = langid!("en");

fn lang(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Fr => &FR,
        Locale::Ar => &AR,
        Locale::En => &EN,
    }
}

/// The message `key` in `locale`; the key itself when missing (a test guards that
/// every key exists in every language).
///
/// A message without arguments is the same every time, and a page asks for a
/// hundred (a Fluent lookup negotiates the language and resolves the pattern each
/// time: 7 % of a case page's CPU), so each is resolved once and kept. Only keys
/// that exist are kept, so the memo is bounded by the Fluent files.
pub fn t(locale: Locale, key: &str) -> String {
    static MEMO: LazyLock<[RwLock<HashMap<String, String>>; 3]> = LazyLock::new(Default::default);
    let memo = &MEMO[match locale {
        Locale::Fr => 0,
        Locale::Ar => 1,
        Locale::En => 2,
    }];
    if let Some(text) = memo.read().ok().and_then(|m| m.get(key).cloned()) {
        return text;
    }
    match LOCALES.try_lookup(lang(locale), key) {
        Some(text) => {
            if let Ok(mut m) = memo.write() {
                m.insert(key.to_string(), text.clone());
            }
            text
        }
        None => key.to_string(),
    }
}

/// The message `key` with string arguments; numeric-looking values are passed as
/// numbers so plural rules apply (a value written with its sign, `+40.0`, stays as written).
pub fn t_args(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| {
            let value = match v.parse::<f64>() {
                Ok(n) if !v.is_empty() && !v.starts_with('+') => FluentValue::from(n),
                _ => FluentValue::from(v.to_string()),
            };
            (Cow::Owned(k.to_string()), value)
        })
        .collect();
    LOCALES
        .try_lookup_with_args(lang(locale), key, &map)
        .unwrap_or_else(|| key.to_string())
}

/// A dimension's name: from the registry (`data/dimensions.json`), or the locale
/// files for the structural breakdowns (`dim-territory`, `dim-organisation`).
pub fn dim_label(locale: Locale, dim: &str) -> String {
    match passerelle_domain::dimensions::registry().label(dim, locale) {
        Some(l) => l.to_string(),
        None => t(locale, &format!("dim-{dim}")),
    }
}

/// A dimension value's label from the registry (a country's name for nationality);
/// the value itself when the registry has none (an age band such as `50+`).
pub fn dim_value_label(locale: Locale, dim: &str, value: &str) -> String {
    passerelle_domain::dimensions::registry()
        .value_label(dim, value, locale)
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}

/// A cells key in words: `sex=F;age=minor` → «Sexe : Femmes / filles, Âge : Mineurs»;
/// parts joined by ` + ` stay joined; the empty key is the total.
pub fn cells_label(locale: Locale, cells: &str) -> String {
    if cells.trim().is_empty() {
        return t(locale, "values-total");
    }
    cells
        .split(" + ")
        .map(|part| {
            part.split(';')
                .map(|kv| match kv.split_once('=') {
                    Some((d, v)) => format!(
                        "{} : {}",
                        dim_label(locale, d.trim()),
                        dim_value_label(locale, d.trim(), v.trim())
                    ),
                    None => kv.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Formats a stored UTC timestamp as a date in the reader's language
/// ("23 novembre 2026", "23 نونبر 2026", "23 November 2026"), with the time when asked.
pub fn format_timestamp(locale: Locale, ts: &str, with_time: bool) -> String {
    let (Some(y), Some(m), Some(d)) = (
        ts.get(0..4),
        ts.get(5..7).and_then(|m| m.parse::<u8>().ok()),
        ts.get(8..10),
    ) else {
        return ts.to_string();
    };
    let month = t(locale, &format!("month-{m}"));
    let day = d.trim_start_matches('0');
    let date = match locale {
        Locale::En => format!("{day} {month} {y}"),
        Locale::Fr | Locale::Ar => format!("{day} {month} {y}"),
    };
    match (with_time, ts.get(11..16)) {
        (true, Some(hm)) => format!("{date} {hm} UTC"),
        _ => date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(locale: &str) -> BTreeSet<String> {
        // Every `.ftl` file of the language: each feature keeps its messages in its own file.
        let dir = format!("{}/locales/{locale}", env!("CARGO_MANIFEST_DIR"));
        let mut text = String::new();
        for entry in std::fs::read_dir(&dir).expect("locale directory") {
            let path = entry.expect("locale file").path();
            if path.extension().is_some_and(|e| e == "ftl") {
                text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
                text.push('\n');
            }
        }
        text.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('.'))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let fr = keys("fr");
        assert!(fr.len() > 50);
        for other in ["ar", "en"] {
            let k = keys(other);
            let missing: Vec<_> = fr.difference(&k).collect();
            let extra: Vec<_> = k.difference(&fr).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{other}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    /// Two files of one language defining the same key would make the loader panic
    /// at the first request; this says which key and where first.
    #[test]
    fn no_key_is_defined_twice() {
        for locale in ["fr", "ar", "en"] {
            let dir = format!("{}/locales/{locale}", env!("CARGO_MANIFEST_DIR"));
            let mut seen: std::collections::HashMap<String, String> = Default::default();
            for entry in std::fs::read_dir(&dir).expect("locale directory") {
                let path = entry.expect("locale file").path();
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for line in text.lines() {
                    if line.starts_with([' ', '#', '.']) {
                        continue;
                    }
                    if let Some((k, _)) = line.split_once(" =") {
                        let file = path.file_name().unwrap().to_string_lossy().to_string();
                        if let Some(first) = seen.insert(k.trim().to_string(), file.clone()) {
                            panic!("{locale}: {} is in {first} and {file}", k.trim());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_rule_and_dimension_has_words() {
        let kinds = [
            "unique_cell",
            "part_le_total",
            "parts_sum_total",
            "territories_le_total",
            "range",
            "required",
            "percent_recomputed",
        ];
        for locale in Locale::ALL {
            for kind in kinds {
                let key = format!("rule-{kind}");
                let args = [
                    "cells",
                    "line",
                    "value",
                    "total",
                    "sum",
                    "bounds",
                    "indicator",
                    "numerator",
                    "denominator",
                    "computed",
                ]
                .map(|a| (a, "1"));
                let text = t_args(locale, &key, &args);
                assert!(
                    text != key && text.contains(kind),
                    "{locale:?}: {key} names the rule"
                );
            }
            for d in
                passerelle_domain::values::dimension_codes().chain(["territory", "organisation"])
            {
                assert_ne!(dim_label(locale, d), format!("dim-{d}"), "{locale:?} {d}");
            }
        }
        assert_eq!(
            cells_label(Locale::Fr, "sex=F;age=minor"),
            "Sexe : Femmes / filles, Âge : Mineurs"
        );
        assert_eq!(cells_label(Locale::En, ""), "Total");
    }

    #[test]
    fn every_error_code_has_a_message() {
        for code in passerelle_domain::ErrorCode::ALL {
            for locale in Locale::ALL {
                let key = format!("error-{}", code.as_str());
                let text = t_args(
                    locale,
                    &key,
                    &[("value", "X"), ("minutes", "2"), ("seq", "5")],
                );
                assert!(
                    text != key && !text.contains('{'),
                    "{locale:?} lacks {key}: {text}"
                );
            }
        }
    }

    #[test]
    fn dates_and_plurals() {
        assert_eq!(
            format_timestamp(Locale::Fr, "2026-11-23T10:05:00.000000Z", false),
            "23 novembre 2026"
        );
        assert_eq!(
            format_timestamp(Locale::En, "2026-11-03T10:05:00.000000Z", true),
            "3 November 2026 10:05 UTC"
        );
        assert!(
            format_timestamp(Locale::Ar, "2026-11-23T10:05:00.000000Z", false).contains("نونبر")
        );
        assert_eq!(
            t_args(Locale::Fr, "rows-count", &[("count", "1")]),
            "1 ligne"
        );
        assert_eq!(
            t_args(Locale::Fr, "rows-count", &[("count", "3")]),
            "3 lignes"
        );
        assert_ne!(
            t_args(Locale::Ar, "rows-count", &[("count", "2")]),
            t_args(Locale::Ar, "rows-count", &[("count", "11")])
        );
    }
}
