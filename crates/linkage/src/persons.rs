//! The service layer's entry points: search a person among candidates, index records so
//! that a database can fetch those candidates, and count persons across organisations.
//!
//! Why a module of its own: the product (registration, duplicate review, indicators) keeps
//! its records in a database and cannot hand the engine a whole registry at every
//! keystroke. The flow is:
//!
//! 1. when a record is saved, store its [`index_keys`] in an index table
//!    (`person_key(key, person_id)`);
//! 2. when a social worker types a person, compute the query's keys, fetch the records that
//!    share at least one (skipping keys shared by thousands of records, which say nothing),
//!    and call [`match_person`]: scored candidates, best first, each with the fields that
//!    agreed and their weights;
//! 3. for a unique-person count, call [`count_persons`] with every record and the
//!    organisation that registered it.
//!
//! The [`Matcher`] used by [`match_person`] is either [`Matcher::untrained`] (built-in
//! prior weights, conservative) or the one a previous [`crate::link`] or [`count_persons`]
//! run estimated on the registry, which is better calibrated.

use std::collections::{BTreeMap, HashMap};

use crate::engine::{Config, LinkReport, Matcher, link_sourced};
use crate::error::LinkageError;
use crate::explain::FieldAgreement;
use crate::record::Record;

/// One candidate found for a query person.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMatch {
    /// Position of the candidate in the slice given to [`match_person`].
    pub index: usize,
    /// The candidate's `id`.
    pub id: String,
    /// Match weight in bits (positive: more likely the same person).
    pub weight: f64,
    /// Probability that the query and the candidate are the same person.
    pub probability: f64,
    /// True when the names agreed with given and family name crossed.
    pub names_swapped: bool,
    /// Per-field agreement level and weight in bits, the explanation shown to the user.
    pub explanation: Vec<FieldAgreement>,
}

/// Scores `query` against each of `candidates` and returns those at or above
/// `min_probability`, best first.
///
/// Every field of [`Record`] may be missing; names may be in Latin script, in Arabic script
/// (`name_arabic`, given name first) or both; `birth_date` may be a full date in any common
/// form or a year; `phone` in international or local form. A missing field weighs nothing.
pub fn match_person(
    matcher: &Matcher,
    query: &Record,
    candidates: &[Record],
    min_probability: f64,
) -> Vec<PersonMatch> {
    let q = matcher.prepare(query);
    let mut out: Vec<PersonMatch> = candidates
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let s = matcher.score_prepared(&q, &matcher.prepare(c));
            (s.probability >= min_probability).then(|| PersonMatch {
                index,
                id: c.id.clone(),
                weight: s.weight,
                probability: s.probability,
                names_swapped: s.swapped,
                explanation: s.explanation,
            })
        })
        .collect();
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.index.cmp(&b.index)));
    out
}

/// Keys under which a record is indexed, so that a database can fetch the candidates of a
/// query by key equality. Two registrations of one person share at least one key in all
/// but rare cases (names changed *and* phone, document and full birth date missing or
/// different); the keys are the engine's own blocking keys, so a search finds what a
/// batch linkage would compare.
///
/// Each key is `kind|value…`:
///
/// | kind | value | survives |
/// | --- | --- | --- |
/// | `n` | consonant skeletons of the first given and the last family name, sorted (`n\|DL\|MHMD`) | spelling variants, Arabic ↔ Latin script, given / family swapped |
/// | `n1` | the skeleton of the only name known | — |
/// | `gf` | given-name skeleton and the first two letters of the family name | a typo late in the family name |
/// | `ny` | a name skeleton and the birth year (`ny\|MHMD\|1990`), for given and for family | a misspelt or changed other name |
/// | `p` | phone, national significant digits (`p\|661234567`) | any name change |
/// | `d` | document number, letters and digits only, upper case | any name change |
/// | `b` | full birth date with a name initial (`b\|1990\|3\|14\|M`) | typos in both names |
///
/// The skeletons come from the same normalisation as the comparison (variant families,
/// Arabic → Latin), so `Mohamed Diallo`, `Muhammad Dialo` and `محمد ديالو` share
/// `n|DL|MHMD`. A key is a pseudonym, not a secret: store it with the same protection as
/// the names it comes from. A key shared by very many records (a common name with a
/// common year in a national registry) should be skipped at query time, as
/// [`crate::SearchIndex`] does above 2,000 records.
pub fn index_keys(record: &Record) -> Vec<String> {
    let p = crate::record::prepare(record, &[], 0, &mut crate::ParseIssues::default());
    let mut keys = Vec::new();
    crate::blocking::key_texts(&p, &[], &mut |k| keys.push(k));
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// How records registered by one organisation are treated by [`count_persons`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SameSource {
    /// Like any other pair: the data decide (the default; organisations do register the
    /// same person twice).
    #[default]
    Neutral,
    /// A pair from one organisation loses this many bits: for organisations known to
    /// search before registering, whose own files are mostly free of duplicates.
    Penalise(f64),
    /// Never linked: each organisation's file is taken as already deduplicated.
    Forbid,
}

/// Unique persons among records registered by several organisations.
#[derive(Debug, Clone)]
pub struct PersonCount {
    /// Person (cluster) index of each record, numbered from 0.
    pub clusters: Vec<u32>,
    /// Number of distinct persons.
    pub persons: usize,
    /// Per organisation: records, and distinct persons among them.
    pub per_source: BTreeMap<String, SourceCount>,
    /// Persons registered by two organisations or more.
    pub shared_persons: usize,
    /// The model estimated on these records, reusable by [`match_person`].
    pub matcher: Matcher,
    /// Figures about the run.
    pub report: LinkReport,
}

/// One organisation's figures in a [`PersonCount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceCount {
    /// Records the organisation registered.
    pub records: usize,
    /// Distinct persons among them.
    pub persons: usize,
}

/// Groups `records` into persons and counts them, each record with the organisation that
/// registered it (`sources[i]` for `records[i]`).
///
/// The pairwise engine is the one of [`crate::link`] (blocking, Fellegi–Sunter weights
/// estimated on these records, clustering that refuses to chain a household through its
/// shared phone or twins through their birth date); `same_source` adds what is known of
/// the organisations' own files.
pub fn count_persons(
    records: &[Record],
    sources: &[String],
    config: &Config,
    same_source: SameSource,
) -> Result<PersonCount, LinkageError> {
    if sources.len() != records.len() {
        return Err(LinkageError::InvalidOption(format!(
            "{} records but {} sources: give one source per record",
            records.len(),
            sources.len()
        )));
    }
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let source_ids: Vec<u32> = sources
        .iter()
        .map(|s| {
            let next = ids.len() as u32;
            *ids.entry(s.as_str()).or_insert(next)
        })
        .collect();
    let mut config = config.clone();
    config.same_source_weight = match same_source {
        SameSource::Neutral => 0.0,
        SameSource::Penalise(bits) => -bits.abs(),
        SameSource::Forbid => f64::NEG_INFINITY,
    };
    let l = link_sourced(records, &source_ids, &config)?;
    let persons = l
        .clusters
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut per_source: BTreeMap<String, (usize, std::collections::HashSet<u32>)> = BTreeMap::new();
    let mut seen_by: HashMap<u32, std::collections::HashSet<&str>> = HashMap::new();
    for (i, &c) in l.clusters.iter().enumerate() {
        let e = per_source.entry(sources[i].clone()).or_default();
        e.0 += 1;
        e.1.insert(c);
        seen_by.entry(c).or_default().insert(sources[i].as_str());
    }
    Ok(PersonCount {
        persons,
        shared_persons: seen_by.values().filter(|s| s.len() >= 2).count(),
        per_source: per_source
            .into_iter()
            .map(|(k, (records, p))| {
                (
                    k,
                    SourceCount {
                        records,
                        persons: p.len(),
                    },
                )
            })
            .collect(),
        clusters: l.clusters,
        matcher: l.matcher,
        report: l.report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, given: &str, family: &str, arabic: &str) -> Record {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Record {
            id: id.into(),
            given_name: opt(given),
            family_name: opt(family),
            name_arabic: opt(arabic),
            ..Record::default()
        }
    }

    #[test]
    fn mohamed_diallo_is_found_in_three_spellings_and_two_scripts() {
        let mut a = person("a", "Mohamed", "Diallo", "");
        a.sex = Some("M".into());
        a.birth_date = Some("14/03/1990".into());
        a.nationality = Some("Guinée".into());
        let mut b = person("b", "Muhammad", "Dialo", "");
        b.sex = Some("homme".into());
        b.birth_date = Some("1990".into());
        b.phone = Some("+212 661 23 45 67".into());
        let mut c = person("c", "", "", "محمد ديالو");
        c.sex = Some("ذكر".into());
        c.birth_date = Some("1990-03-14".into());
        c.phone = Some("0661234567".into());
        let other = {
            let mut o = person("o", "Mamadou", "Diallo", "");
            o.sex = Some("M".into());
            o.birth_date = Some("02/11/1985".into());
            o
        };
        // Index keys: each pair of spellings shares a key, so a database finds them.
        let ka = index_keys(&a);
        let kb = index_keys(&b);
        let kc = index_keys(&c);
        let shares = |x: &[String], y: &[String]| x.iter().any(|k| y.contains(k));
        assert!(shares(&ka, &kb), "{ka:?} / {kb:?}");
        assert!(shares(&ka, &kc), "{ka:?} / {kc:?}");
        assert!(shares(&kb, &kc), "{kb:?} / {kc:?}");
        assert!(ka.contains(&"n|DL|MHMD".to_string()), "{ka:?}");
        assert!(kc.contains(&"n|DL|MHMD".to_string()), "{kc:?}");
        // Scoring: each finds the two others, not the other Diallo, and says why.
        let all = [a.clone(), b.clone(), c.clone(), other];
        let m = Matcher::untrained(Vec::new());
        for (q, expected) in [(&a, ["b", "c"]), (&b, ["a", "c"]), (&c, ["a", "b"])] {
            let found = match_person(&m, q, &all, 0.5);
            let ids: Vec<&str> = found
                .iter()
                .map(|f| f.id.as_str())
                .filter(|id| *id != q.id)
                .collect();
            let mut ids = ids;
            ids.sort_unstable();
            assert_eq!(ids, expected, "query {}: {found:#?}", q.id);
            let best = found.iter().find(|f| f.id != q.id).map(|f| &f.explanation);
            let given = best
                .and_then(|e| e.iter().find(|f| f.field == "given_name"))
                .map(|f| (f.level, f.weight > 0.0));
            assert!(
                matches!(given, Some(("exact" | "equivalent", true))),
                "{given:?}"
            );
        }
    }

    #[test]
    fn twins_and_a_household_sharing_a_phone_stay_distinct_persons() {
        let rec = |id: &str, given: &str, sex: &str, dob: &str| Record {
            id: id.into(),
            given_name: Some(given.into()),
            family_name: Some("Traoré".into()),
            sex: Some(sex.into()),
            birth_date: Some(dob.into()),
            phone: Some("+212 662 00 11 22".into()),
            city: Some("Oujda".into()),
            nationality: Some("malienne".into()),
            ..Record::default()
        };
        let records = vec![
            // Twins: same family name, birth date, phone and city; other given names.
            rec("t1", "Hassan", "M", "12/05/2001"),
            rec("t2", "Awa", "F", "12/05/2001"),
            // Their household: parents sharing the phone.
            rec("p1", "Moussa", "M", "1975"),
            rec("p2", "Fatoumata", "F", "03/02/1979"),
            // Hassan again, at another organisation, spelt otherwise.
            rec("t1b", "Hasan", "M", "2001-05-12"),
            // The mother again, with a year only.
            rec("p2b", "Fatimata", "F", "1979"),
        ];
        let sources: Vec<String> = ["ngo", "ngo", "ngo", "ngo", "entraide", "entraide"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = count_persons(&records, &sources, &Config::default(), SameSource::Neutral)
            .expect("count");
        assert_eq!(c.clusters[0], c.clusters[4], "Hassan twice");
        assert_eq!(c.clusters[3], c.clusters[5], "Fatoumata twice");
        assert_ne!(c.clusters[0], c.clusters[1], "twins");
        assert_ne!(c.clusters[2], c.clusters[3], "parents");
        assert_eq!(c.persons, 4);
        assert_eq!(c.shared_persons, 2);
        assert_eq!(
            c.per_source.get("ngo"),
            Some(&SourceCount {
                records: 4,
                persons: 4
            })
        );
    }

    #[test]
    fn same_source_policy_forbids_links_inside_one_organisation() {
        let r = |id: &str| Record {
            id: id.into(),
            given_name: Some("Aminata".into()),
            family_name: Some("Sow".into()),
            birth_date: Some("01/02/1990".into()),
            sex: Some("F".into()),
            ..Record::default()
        };
        let records = vec![r("a"), r("b"), r("c")];
        let sources = vec!["x".to_string(), "x".to_string(), "y".to_string()];
        let neutral =
            count_persons(&records, &sources, &Config::default(), SameSource::Neutral).expect("n");
        assert_eq!(neutral.persons, 1);
        let forbid =
            count_persons(&records, &sources, &Config::default(), SameSource::Forbid).expect("f");
        assert_ne!(forbid.clusters[0], forbid.clusters[1]);
        assert_eq!(forbid.persons, 2);
        assert!(
            count_persons(
                &records,
                &sources[..2],
                &Config::default(),
                SameSource::Neutral
            )
            .is_err()
        );
    }
}
