//! Input records and their prepared, comparison-ready form.
//!
//! Why two types: [`Record`] is what a caller has (strings as typed at a desk);
//! `Prepared` is computed once per record — normalised name tokens in Latin form with
//! their phonetic skeletons, a parsed birth date, a national phone number, a clean document
//! number — so that the millions of pair comparisons do no parsing and no allocation.

use crate::date::{BirthDate, parse_date};
use crate::document::normalise_document;
use crate::normalise::{is_arabic, name_tokens, normalise_text};
use crate::phone::parse_phone;
use crate::translit::{latin_form, skeleton};

/// One person as registered by one organisation. Every field is optional free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The caller's identifier for the row (kept verbatim in outputs).
    pub id: String,
    /// Given name(s), any script.
    pub given_name: Option<String>,
    /// Family name(s), any script.
    pub family_name: Option<String>,
    /// Full name in Arabic script (given name first), when the registry keeps one.
    pub name_arabic: Option<String>,
    /// Sex as written (M/F, homme/femme, ذكر/أنثى…).
    pub sex: Option<String>,
    /// Birth date in any common form, or a year.
    pub birth_date: Option<String>,
    /// Nationality as a code or a name (French, English or Arabic).
    pub nationality: Option<String>,
    /// Phone number in any form.
    pub phone: Option<String>,
    /// Passport, residence card or other document number.
    pub document_number: Option<String>,
    /// City or locality.
    pub city: Option<String>,
    /// Other fields compared by string similarity (address, postcode…), by name.
    pub extra: Vec<(String, String)>,
}

/// Values that mean "unknown" in registries; compared after [`normalise_text`].
pub(crate) fn is_null_token(t: &str) -> bool {
    matches!(
        t.replace(' ', "").as_str(),
        "na" | "nan"
            | "null"
            | "none"
            | "nil"
            | "inconnu"
            | "inconnue"
            | "unknown"
            | "nd"
            | "nr"
            | "x"
            | "xx"
            | "xxx"
            | "sans"
            | "aucun"
            | "aucune"
            | "neant"
            | "0"
            | "غيرمعروف"
            | "لايوجد"
    )
}

/// Counts of values that could not be parsed and were kept as missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseIssues {
    /// Birth dates that were not dates.
    pub bad_dates: u64,
    /// Phone numbers that were not phone numbers.
    pub bad_phones: u64,
}

/// A normalised name token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tok {
    /// Latin form: the variant family's canonical spelling, or the normalised token, or the
    /// transliteration of an Arabic token.
    pub latin: Box<str>,
    /// Consonant skeleton of `latin`.
    pub skel: Box<str>,
    /// True when `latin` came from letter-by-letter transliteration (approximate).
    pub approx: bool,
    /// Hash of `latin`: unequal tokens are told apart without comparing strings.
    pub hash: u64,
}

/// Given and family name tokens seen through one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NameView {
    pub given: Vec<Tok>,
    pub family: Vec<Tok>,
    /// Hash of the given name's Latin forms, for term-frequency adjustment.
    pub given_key: u64,
    /// Hash of the family name's Latin forms.
    pub family_key: u64,
    /// Latin forms of the given name's tokens, joined without spaces.
    pub given_concat: Box<str>,
    /// Latin forms of the family name's tokens, joined without spaces.
    pub family_concat: Box<str>,
}

/// A record ready for comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    /// Name as written in Latin script, then as written in Arabic script.
    pub views: Vec<NameView>,
    /// 0 unknown, 1 male, 2 female.
    pub sex: u8,
    pub dob: Option<BirthDate>,
    pub phone: Option<Box<str>>,
    pub document: Option<Box<str>>,
    pub nationality: Option<Box<str>>,
    pub city: Option<Box<str>>,
    /// Extra fields in the order of the schema's extra names.
    pub extra: Vec<Option<Box<str>>>,
    /// Which input file the record came from (two-file linkage), 0 otherwise.
    pub source: u32,
}

pub(crate) fn hash_str(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, fast on short strings.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn tok(t: &str) -> Tok {
    let arabic = is_arabic(t);
    let latin = latin_form(t);
    let approx = arabic && crate::translit::canonical_arabic(t).is_none();
    let skel = skeleton(&latin);
    Tok {
        hash: hash_str(&latin),
        latin: latin.into_boxed_str(),
        skel: skel.into_boxed_str(),
        approx,
    }
}

fn key_of(toks: &[Tok]) -> u64 {
    let mut parts: Vec<&str> = toks.iter().map(|t| &*t.latin).collect();
    parts.sort_unstable();
    hash_str(&parts.join(" "))
}

fn view(given: Vec<Tok>, family: Vec<Tok>) -> NameView {
    let (mut given, mut family) = (given, family);
    // A full name typed in one field: the last token is taken as the family name.
    if family.is_empty() && given.len() >= 2 {
        family = given.split_off(given.len() - 1);
    } else if given.is_empty() && family.len() >= 2 {
        given = family.drain(..family.len() - 1).collect();
    }
    let concat = |t: &[Tok]| {
        t.iter()
            .map(|t| &*t.latin)
            .collect::<String>()
            .into_boxed_str()
    };
    NameView {
        given_key: key_of(&given),
        family_key: key_of(&family),
        given_concat: concat(&given),
        family_concat: concat(&family),
        given,
        family,
    }
}

fn clean(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a sex field into 0 (unknown), 1 (male) or 2 (female).
pub(crate) fn parse_sex(s: &str) -> u8 {
    match normalise_text(s).as_str() {
        "m" | "h" | "male" | "man" | "homme" | "masculin" | "garcon" | "1" | "ذكر" => 1,
        "f" | "female" | "woman" | "femme" | "feminin" | "fille" | "2" | "انثي" | "انثى" => {
            2
        }
        _ => 0,
    }
}

/// Nationalities in the sources by their usual French, English and Arabic names.
const NATIONALITIES: &[(&str, &[&str])] = &[
    (
        "SN",
        &[
            "sn",
            "sen",
            "senegal",
            "senegalais",
            "senegalaise",
            "senegalese",
            "السنغال",
            "سنغالي",
        ],
    ),
    (
        "ML",
        &["ml", "mli", "mali", "malien", "malienne", "malian", "مالي"],
    ),
    (
        "GN",
        &[
            "gn",
            "gin",
            "guinee",
            "guinea",
            "guineen",
            "guineenne",
            "guinean",
            "غينيا",
            "غيني",
        ],
    ),
    (
        "CI",
        &[
            "ci",
            "civ",
            "cote divoire",
            "ivory coast",
            "ivoirien",
            "ivoirienne",
            "ivorian",
            "ساحل العاج",
            "كوت ديفوار",
        ],
    ),
    (
        "CM",
        &[
            "cm",
            "cmr",
            "cameroun",
            "cameroon",
            "camerounais",
            "camerounaise",
            "cameroonian",
            "الكاميرون",
        ],
    ),
    (
        "CD",
        &[
            "cd",
            "cod",
            "rdc",
            "drc",
            "congo rdc",
            "rd congo",
            "dr congo",
            "republique democratique du congo",
            "congolais",
            "congolaise",
            "congolese",
            "الكونغو",
        ],
    ),
    (
        "NG",
        &[
            "ng",
            "nga",
            "nigeria",
            "nigerian",
            "nigeriane",
            "nigerien",
            "نيجيريا",
        ],
    ),
    (
        "SY",
        &[
            "sy",
            "syr",
            "syrie",
            "syria",
            "syrien",
            "syrienne",
            "syrian",
            "سوريا",
            "سوري",
            "سوريه",
        ],
    ),
    (
        "YE",
        &[
            "ye",
            "yem",
            "yemen",
            "yemenite",
            "yemeni",
            "اليمن",
            "يمني",
            "يمن",
        ],
    ),
    (
        "SD",
        &[
            "sd",
            "sdn",
            "soudan",
            "sudan",
            "soudanais",
            "soudanaise",
            "sudanese",
            "السودان",
            "سوداني",
            "سودان",
        ],
    ),
    (
        "MA",
        &[
            "ma",
            "mar",
            "maroc",
            "morocco",
            "marocain",
            "marocaine",
            "moroccan",
            "المغرب",
            "مغربي",
            "مغرب",
        ],
    ),
];

/// Normalises a nationality to an ISO 3166 alpha-2 code when known, else to its
/// normalised text.
pub(crate) fn normalise_nationality(s: &str) -> Option<String> {
    let t = normalise_text(s);
    if t.is_empty() || is_null_token(&t) {
        return None;
    }
    for (code, names) in NATIONALITIES {
        if names.contains(&t.as_str()) {
            return Some((*code).to_string());
        }
    }
    Some(t)
}

/// Prepares one record; `issues` counts values kept as missing because unparseable.
pub(crate) fn prepare(
    r: &Record,
    extra_names: &[String],
    source: u32,
    issues: &mut ParseIssues,
) -> Prepared {
    let mut views = Vec::with_capacity(1);
    let latin_given: Vec<Tok> = clean(&r.given_name)
        .map(|s| name_tokens(s).iter().map(|t| tok(t)).collect())
        .unwrap_or_default();
    let latin_family: Vec<Tok> = clean(&r.family_name)
        .map(|s| name_tokens(s).iter().map(|t| tok(t)).collect())
        .unwrap_or_default();
    if !latin_given.is_empty() || !latin_family.is_empty() {
        views.push(view(latin_given, latin_family));
    }
    if let Some(ar) = clean(&r.name_arabic) {
        let toks: Vec<Tok> = name_tokens(ar).iter().map(|t| tok(t)).collect();
        if !toks.is_empty() {
            let v = view(toks, Vec::new());
            if views.first() != Some(&v) {
                views.push(v);
            }
        }
    }
    let dob = match clean(&r.birth_date).map(parse_date) {
        Some(Ok(d)) => d,
        Some(Err(_)) => {
            issues.bad_dates += 1;
            None
        }
        None => None,
    };
    let phone = match clean(&r.phone).map(parse_phone) {
        Some(Ok(p)) => p.map(String::into_boxed_str),
        Some(Err(_)) => {
            issues.bad_phones += 1;
            None
        }
        None => None,
    };
    let text = |v: Option<&str>| {
        v.map(normalise_text)
            .filter(|t| !t.is_empty() && !is_null_token(t))
            .map(String::into_boxed_str)
    };
    let extra = extra_names
        .iter()
        .map(|name| {
            text(
                r.extra
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str()),
            )
        })
        .collect();
    Prepared {
        views,
        sex: clean(&r.sex).map(parse_sex).unwrap_or(0),
        dob,
        phone,
        document: clean(&r.document_number)
            .and_then(normalise_document)
            .map(String::into_boxed_str),
        nationality: clean(&r.nationality)
            .and_then(normalise_nationality)
            .map(String::into_boxed_str),
        city: text(clean(&r.city)),
        extra,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_only_record_gets_a_latin_view() {
        let r = Record {
            name_arabic: Some("محمد ديالو".into()),
            ..Record::default()
        };
        let p = prepare(&r, &[], 0, &mut ParseIssues::default());
        assert_eq!(p.views.len(), 1);
        assert_eq!(&*p.views[0].given[0].latin, "mohamed");
        assert_eq!(&*p.views[0].family[0].latin, "diallo");
    }

    #[test]
    fn bad_values_are_counted_not_fatal() {
        let r = Record {
            birth_date: Some("vers 1990".into()),
            phone: Some("pas de tel".into()),
            ..Record::default()
        };
        let mut issues = ParseIssues::default();
        let p = prepare(&r, &[], 0, &mut issues);
        assert_eq!(p.dob, None);
        assert_eq!(p.phone, None);
        assert_eq!(
            issues,
            ParseIssues {
                bad_dates: 1,
                bad_phones: 1
            }
        );
    }

    #[test]
    fn nationality_and_sex_forms() {
        assert_eq!(normalise_nationality("Sénégalaise").as_deref(), Some("SN"));
        assert_eq!(normalise_nationality("سوريا").as_deref(), Some("SY"));
        assert_eq!(
            normalise_nationality("Atlantis").as_deref(),
            Some("atlantis")
        );
        assert_eq!(parse_sex("Femme"), 2);
        assert_eq!(parse_sex("ذكر"), 1);
        assert_eq!(parse_sex("?"), 0);
    }
}
