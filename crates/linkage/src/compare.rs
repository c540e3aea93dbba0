//! Field comparisons: each field of a record pair becomes a discrete agreement *level*.
//!
//! Why levels and not raw similarities: Fellegi–Sunter needs, for each field, the
//! probability of each outcome among true matches (m) and among non-matches (u). Discrete
//! levels (exact, equivalent, similar, loosely similar, different, missing) make those
//! probabilities estimable without labels by EM, and make every decision explainable
//! ("given name: equivalent spelling, +6.1"). Missing values are a level of their own that
//! carries no weight: an absent phone is not evidence against a match.
//!
//! Names are compared as token sets through their variant-family Latin forms, so a family
//! name in the given-name column (given / family swapped) and compound names written
//! joined or split still meet; the better of the straight and crossed alignments is kept.

use crate::date::compare_dates;
use crate::document::compare_documents;
use crate::phone::compare_phones;
use crate::record::{NameView, Prepared, Tok};

/// Maximum number of compared fields (8 fixed + up to 8 extra), so that a comparison
/// vector packs into a `u64` (4 bits per field).
pub const MAX_FIELDS: usize = 16;
/// Number of fixed fields before the extra ones.
pub const FIXED_FIELDS: usize = 8;
/// The level value for "one side or both missing".
pub const MISSING: u8 = 15;

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Given name(s).
    GivenName,
    /// Family name(s).
    FamilyName,
    /// Birth date.
    BirthDate,
    /// Sex.
    Sex,
    /// Phone number.
    Phone,
    /// Document number.
    Document,
    /// Nationality.
    Nationality,
    /// City.
    City,
    /// An extra field, by position in the schema's extra names.
    Extra(u8),
}

impl Field {
    /// The field at a position of the comparison vector.
    pub fn from_index(i: usize) -> Field {
        match i {
            0 => Field::GivenName,
            1 => Field::FamilyName,
            2 => Field::BirthDate,
            3 => Field::Sex,
            4 => Field::Phone,
            5 => Field::Document,
            6 => Field::Nationality,
            7 => Field::City,
            n => Field::Extra((n - FIXED_FIELDS) as u8),
        }
    }

    /// Position in the comparison vector.
    pub fn index(self) -> usize {
        match self {
            Field::GivenName => 0,
            Field::FamilyName => 1,
            Field::BirthDate => 2,
            Field::Sex => 3,
            Field::Phone => 4,
            Field::Document => 5,
            Field::Nationality => 6,
            Field::City => 7,
            Field::Extra(n) => FIXED_FIELDS + n as usize,
        }
    }

    /// Number of agreement levels (excluding missing); level 0 is always "different".
    pub fn levels(self) -> usize {
        match self {
            Field::GivenName | Field::FamilyName => 6,
            Field::BirthDate => 6,
            Field::Sex | Field::Nationality => 2,
            Field::Phone | Field::Document | Field::City => 3,
            Field::Extra(_) => 4,
        }
    }

    /// A short stable name for a level, used in explanations.
    pub fn level_name(self, level: u8) -> &'static str {
        if level == MISSING {
            return "missing";
        }
        match (self, level) {
            (_, 0) => "different",
            (Field::GivenName | Field::FamilyName, 1) => "loosely_similar",
            (Field::GivenName | Field::FamilyName, 2) => "similar",
            (Field::GivenName | Field::FamilyName, 3) => "subset",
            (Field::GivenName | Field::FamilyName, 4) => "equivalent",
            (Field::GivenName | Field::FamilyName, 5) => "exact",
            (Field::BirthDate, 1) => "year_off_by_one",
            (Field::BirthDate, 2) => "same_year",
            (Field::BirthDate, 3) => "year_only",
            (Field::BirthDate, 4) => "near",
            (Field::BirthDate, 5) => "exact",
            (Field::Sex | Field::Nationality, 1) => "exact",
            (Field::Phone | Field::Document, 1) => "near",
            (Field::Phone | Field::Document, 2) => "exact",
            (Field::City, 1) => "similar",
            (Field::City, 2) => "exact",
            (Field::Extra(_), 1) => "loosely_similar",
            (Field::Extra(_), 2) => "similar",
            (Field::Extra(_), 3) => "exact",
            _ => "unknown",
        }
    }
}

/// The outcome of comparing two records: one level per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    /// Level per field position; [`MISSING`] when not comparable.
    pub levels: [u8; MAX_FIELDS],
    /// True when the names matched best with given and family crossed.
    pub swapped: bool,
    /// Term-frequency keys of the agreeing given and family names (0 when not exact).
    pub given_key: u64,
    /// See `given_key`.
    pub family_key: u64,
    /// Key of the birth year both records give (0 when the years differ or one is
    /// missing), for the whole name's concentration in a birth year
    /// ([`crate::fellegi_sunter::TermFrequencies::name_year_bits`]).
    pub year_key: u64,
}

impl Comparison {
    /// Packs the levels into a `u64`, 4 bits per field.
    pub fn pattern(&self) -> u64 {
        self.levels
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, &l)| acc | (u64::from(l & 15) << (4 * i)))
    }

    /// Unpacks a pattern into levels.
    pub fn levels_of(pattern: u64) -> [u8; MAX_FIELDS] {
        let mut l = [MISSING; MAX_FIELDS];
        for (i, v) in l.iter_mut().enumerate() {
            *v = ((pattern >> (4 * i)) & 15) as u8;
        }
        l
    }
}

/// Jaro–Winkler similarity; a byte-level version without allocation for the common case of
/// ASCII strings up to 64 bytes (names after normalisation), `strsim` otherwise.
pub(crate) fn jw(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        jw_ascii(a.as_bytes(), b.as_bytes())
    } else {
        strsim::jaro_winkler(a, b)
    }
}

#[allow(clippy::needless_range_loop)] // j indexes both `b` and the bit set of used positions
fn jw_ascii(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = 0u64;
    let mut a_used = 0u64;
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = (i + range + 1).min(b.len());
        for j in lo..hi {
            if b_used & (1 << j) == 0 && b[j] == ca {
                b_used |= 1 << j;
                a_used |= 1 << i;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_used & (1 << i) == 0 {
            continue;
        }
        while b_used & (1 << j) == 0 {
            j += 1;
        }
        if ca != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Similarity of two name tokens in [0, 1]: 1 for the same variant family, 0.96 for the
/// same skeleton when one side is an approximate transliteration, else Jaro–Winkler.
fn tok_sim(a: &Tok, b: &Tok) -> f64 {
    if a.hash == b.hash && a.latin == b.latin {
        return 1.0;
    }
    let j = jw(&a.latin, &b.latin);
    if (a.approx || b.approx) && a.skel == b.skel && a.skel.len() >= 2 {
        return j.max(0.96);
    }
    j
}

/// Similarity of two token lists (order-insensitive, compounds tolerated).
/// A name similarity; `subset` when every token of the shorter name is exactly in the
/// longer one ("Mamadou" and "Mamadou Lamine"), which among namesakes is common and so
/// gets a level of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NameSim {
    sim: f64,
    subset: bool,
}

fn names_sim(a: &[Tok], a_concat: &str, b: &[Tok], b_concat: &str) -> Option<NameSim> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    // The same letters (tokens equal, or split differently): what the token loop and the
    // concatenation below would conclude, without them (most candidate pairs are namesakes).
    if a_concat == b_concat {
        return Some(NameSim {
            sim: 1.0,
            subset: false,
        });
    }
    if a.len() == 1 && b.len() == 1 {
        return Some(NameSim {
            sim: tok_sim(&a[0], &b[0]),
            subset: false,
        });
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut total = 0.0;
    let mut all_exact = true;
    for s in short {
        let best = long.iter().map(|l| tok_sim(s, l)).fold(0.0, f64::max);
        all_exact &= best >= 1.0;
        total += best;
    }
    let mut set = total / short.len() as f64;
    let subset = short.len() < long.len() && all_exact;
    if short.len() < long.len() {
        set = if all_exact { 0.97 } else { set * 0.97 };
    }
    let concat = if a_concat == b_concat {
        1.0
    } else {
        jw(a_concat, b_concat)
    };
    Some(NameSim {
        sim: set.max(concat),
        subset: subset && concat < 0.97,
    })
}

fn name_level(sim: Option<NameSim>) -> u8 {
    match sim {
        None => MISSING,
        Some(s) if s.sim >= 1.0 => 5,
        Some(s) if s.subset => 3,
        Some(s) if s.sim >= 0.95 => 4,
        Some(s) if s.sim >= 0.88 => 2,
        Some(s) if s.sim >= 0.78 => 1,
        Some(_) => 0,
    }
}

fn sim_of(s: Option<NameSim>) -> f64 {
    s.map_or(0.0, |s| s.sim)
}

struct NameResult {
    given: Option<NameSim>,
    family: Option<NameSim>,
    swapped: bool,
    given_key: u64,
    family_key: u64,
}

fn compare_views(a: &NameView, b: &NameView) -> NameResult {
    let g = names_sim(&a.given, &a.given_concat, &b.given, &b.given_concat);
    let f = names_sim(&a.family, &a.family_concat, &b.family, &b.family_concat);
    let straight = sim_of(g) + sim_of(f);
    if straight >= 1.9 {
        return NameResult {
            given: g,
            family: f,
            swapped: false,
            given_key: a.given_key,
            family_key: a.family_key,
        };
    }
    let gx = names_sim(&a.given, &a.given_concat, &b.family, &b.family_concat);
    let fx = names_sim(&a.family, &a.family_concat, &b.given, &b.given_concat);
    let crossed = sim_of(gx) + sim_of(fx);
    // A record with one name part only may hold it in the wrong column ("Brookes" as the
    // given name of a record without family name, against "John Brookes"): crossed, that
    // part meets the other record's other part.
    let one_part = |v: &NameView| v.given.is_empty() != v.family.is_empty();
    let both_crossed = gx.is_some() && fx.is_some();
    if crossed > straight + 0.15 && (both_crossed || one_part(a) || one_part(b)) {
        NameResult {
            given: gx,
            family: fx,
            swapped: true,
            given_key: a.given_key,
            family_key: a.family_key,
        }
    } else {
        NameResult {
            given: g,
            family: f,
            swapped: false,
            given_key: a.given_key,
            family_key: a.family_key,
        }
    }
}

/// Compares two prepared records field by field.
pub(crate) fn compare(a: &Prepared, b: &Prepared, n_extra: usize) -> Comparison {
    let mut levels = [MISSING; MAX_FIELDS];
    let mut best: Option<NameResult> = None;
    'views: for va in &a.views {
        for vb in &b.views {
            let r = compare_views(va, vb);
            let score = sim_of(r.given) + sim_of(r.family);
            let better = match &best {
                None => true,
                Some(bb) => score > sim_of(bb.given) + sim_of(bb.family),
            };
            if better {
                best = Some(r);
                // Both names identical: no other pair of scripts can do better.
                if score >= 2.0 {
                    break 'views;
                }
            }
        }
    }
    let (mut swapped, mut given_key, mut family_key) = (false, 0, 0);
    if let Some(r) = best {
        levels[0] = name_level(r.given);
        levels[1] = name_level(r.family);
        swapped = r.swapped;
        if levels[0] == 5 {
            given_key = r.given_key;
        }
        if levels[1] == 5 {
            family_key = r.family_key;
        }
    }
    let mut year_key = 0;
    if let (Some(x), Some(y)) = (&a.dob, &b.dob) {
        levels[2] = compare_dates(x, y) as u8;
        if x.year == y.year {
            year_key = u64::from(x.year);
        }
    }
    if a.sex != 0 && b.sex != 0 {
        levels[3] = u8::from(a.sex == b.sex);
    }
    if let (Some(x), Some(y)) = (&a.phone, &b.phone) {
        levels[4] = compare_phones(x, y) as u8;
    }
    if let (Some(x), Some(y)) = (&a.document, &b.document) {
        levels[5] = compare_documents(x, y) as u8;
    }
    if let (Some(x), Some(y)) = (&a.nationality, &b.nationality) {
        levels[6] = u8::from(x == y);
    }
    if let (Some(x), Some(y)) = (&a.city, &b.city) {
        levels[7] = if x == y {
            2
        } else if jw(x, y) >= 0.9 {
            1
        } else {
            0
        };
    }
    for i in 0..n_extra.min(MAX_FIELDS - FIXED_FIELDS) {
        if let (Some(Some(x)), Some(Some(y))) = (a.extra.get(i), b.extra.get(i)) {
            levels[FIXED_FIELDS + i] = if x == y {
                3
            } else {
                let s = jw(x, y);
                if s >= 0.9 {
                    2
                } else if s >= 0.7 {
                    1
                } else {
                    0
                }
            };
        }
    }
    Comparison {
        levels,
        swapped,
        given_key,
        family_key,
        year_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ParseIssues, Record, prepare};

    fn rec(given: &str, family: &str, arabic: &str) -> Prepared {
        let r = Record {
            given_name: Some(given.into()),
            family_name: Some(family.into()),
            name_arabic: Some(arabic.into()),
            ..Record::default()
        };
        prepare(&r, &[], 0, &mut ParseIssues::default())
    }

    #[test]
    fn a_lone_name_in_the_wrong_column_meets_the_other_part() {
        let whole = rec("John", "Brookes", "");
        let exact = compare(&whole, &whole, 0).levels[0];
        for lone in [rec("Brookes", "", ""), rec("", "John", "")] {
            for (a, b) in [(&lone, &whole), (&whole, &lone)] {
                let c = compare(a, b, 0);
                assert!(c.swapped, "{:?}", c.levels);
                assert!(c.levels[..2].contains(&exact), "{:?}", c.levels);
                assert!(c.levels[..2].contains(&MISSING), "{:?}", c.levels);
            }
        }
        // In its own column it is compared straight.
        let c = compare(&rec("John", "", ""), &whole, 0);
        assert!(!c.swapped);
        assert_eq!(c.levels[0], exact);
    }

    #[test]
    fn name_levels() {
        let cases = [
            (
                ("Mohamed", "Diallo", ""),
                ("Muhammad", "Jallow", ""),
                5,
                5,
                false,
            ),
            (
                ("Diallo", "Mamadou", ""),
                ("Mamadou", "Diallo", ""),
                5,
                5,
                true,
            ),
            (
                ("", "", "محمد ديالو"),
                ("Mohammed", "Dialo", ""),
                5,
                5,
                false,
            ),
            (
                ("Mamadou Lamine", "Sow", ""),
                ("Mamadou", "Sow", ""),
                3,
                5,
                false,
            ),
            (
                ("Aminata", "Konate", ""),
                ("Aminatta", "Konate", ""),
                4,
                5,
                false,
            ),
            (("Ibrahima", "Sow", ""), ("Fatou", "Sow", ""), 0, 5, false),
            // The same letters split differently: exact, not a subset.
            (
                ("Mamadou Lamine", "Sow", ""),
                ("Mamadoulamine", "Sow", ""),
                5,
                5,
                false,
            ),
            // Several scripts: the search stops at the first pair of views that agrees
            // fully, and still reaches the Arabic views when the Latin ones differ.
            (
                ("Mohamed", "Diallo", "محمد ديالو"),
                ("Mohamed", "Diallo", "محمد ديالو"),
                5,
                5,
                false,
            ),
            (
                ("Fatou", "Sow", "فاطمة ديالو"),
                ("", "", "فاطمة ديالو"),
                5,
                5,
                false,
            ),
        ];
        for ((g1, f1, a1), (g2, f2, a2), gl, fl, sw) in cases {
            let c = compare(&rec(g1, f1, a1), &rec(g2, f2, a2), 0);
            assert_eq!(
                (c.levels[0], c.levels[1], c.swapped),
                (gl, fl, sw),
                "{g1} {f1} {a1} vs {g2} {f2} {a2}"
            );
        }
    }

    #[test]
    fn fast_jaro_winkler_matches_strsim() {
        let words = [
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "mohamed",
            "muhammad",
            "",
            "a",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
            "diallo",
            "jallow",
        ];
        for a in words {
            for b in words {
                let (x, y) = (jw(a, b), strsim::jaro_winkler(a, b));
                assert!((x - y).abs() < 1e-9, "{a} {b}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn patterns_round_trip() {
        let mut levels = [MISSING; MAX_FIELDS];
        levels[0] = 4;
        levels[2] = 3;
        let c = Comparison {
            levels,
            swapped: false,
            given_key: 0,
            family_key: 0,
            year_key: 0,
        };
        assert_eq!(Comparison::levels_of(c.pattern()), levels);
    }
}
