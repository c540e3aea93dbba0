//! Blocking: which record pairs are worth comparing.
//!
//! Why several keys: comparing every pair is quadratic (5 × 10¹¹ pairs for a million
//! records). A pair is a candidate when the two records share at least one key, and each
//! key survives a different kind of noise: the phonetic skeletons of given and family name
//! (sorted, so a swap still meets; Arabic script meets Latin through transliteration), a
//! name skeleton with the birth year, the phone number, the document number, the full birth
//! date. A person whose name is misspelled still meets through the phone or the date; one
//! whose phone changed meets through the name and year.
//!
//! The bound: a key shared by very many records ("Mamadou" + 1990) would produce a
//! quadratic block. A block above `max_block_size` is not compared in full: its records are
//! sorted by name and date and each is compared with its `window` neighbours (sorted
//! neighbourhood). If the total still exceeds `max_pairs`, the block bound is halved and
//! blocking runs again.

use rayon::prelude::*;

use crate::record::{Prepared, hash_str};

/// Blocking settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingConfig {
    /// Blocks above this size are compared by sorted neighbourhood, not in full.
    pub max_block_size: usize,
    /// Neighbours compared within an oversized block.
    pub window: usize,
    /// Upper bound on candidate pairs.
    pub max_pairs: usize,
    /// Second-round blocks (keys from `secondary_keys`, scored after estimation) above this size
    /// are compared by sorted neighbourhood; 0 turns the second round off.
    pub secondary_max_block_size: usize,
    /// Neighbours compared within an oversized second-round block.
    pub secondary_window: usize,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            max_block_size: 24,
            window: 6,
            max_pairs: 200_000_000,
            secondary_max_block_size: 8,
            secondary_window: 2,
        }
    }
}

/// Which optional fields (city, then extras) are selective enough to block on: those whose
/// distinct values are at least a fifth of their non-missing values. A postcode or a street
/// address qualifies; a state, a street number or a city of a national registry does not.
pub(crate) fn selective_fields(records: &[Prepared]) -> Vec<bool> {
    let n_extra = records.iter().map(|r| r.extra.len()).max().unwrap_or(0);
    let mut out = Vec::with_capacity(n_extra + 1);
    for f in 0..=n_extra {
        let mut seen = std::collections::HashSet::new();
        let mut count = 0usize;
        for r in records {
            let v = if f == 0 {
                r.city.as_deref()
            } else {
                r.extra.get(f - 1).and_then(|v| v.as_deref())
            };
            if let Some(v) = v {
                count += 1;
                seen.insert(v);
            }
        }
        out.push(count >= 10 && seen.len() * 5 >= count);
    }
    out
}

/// Which compared fields (by position in the comparison vector) some blocking key uses:
/// given and family name, birth date, phone and document always; city and the extra
/// fields when `selective` says so (see [`selective_fields`]); never sex or nationality.
pub(crate) fn blocking_fields(selective: &[bool]) -> Vec<bool> {
    use crate::compare::{FIXED_FIELDS, Field, MAX_FIELDS};
    (0..MAX_FIELDS)
        .map(|f| match Field::from_index(f) {
            Field::GivenName
            | Field::FamilyName
            | Field::BirthDate
            | Field::Phone
            | Field::Document => true,
            Field::Sex | Field::Nationality => false,
            Field::City => selective.first().copied().unwrap_or(false),
            Field::Extra(_) => selective
                .get(f + 1 - FIXED_FIELDS)
                .copied()
                .unwrap_or(false),
        })
        .collect()
}

/// The blocking keys of a record, hashed (see [`key_texts`]).
pub(crate) fn keys(r: &Prepared, selective: &[bool], out: &mut Vec<u64>) {
    key_texts(r, selective, &mut |k| out.push(hash_str(&k)));
}

/// The blocking keys of a record as text, each prefixed by its kind (documented at
/// [`crate::persons::index_keys`]): `x<f>|` a selective optional field, `n|` the sorted
/// skeletons of first given and last family name (`n1|` when only one is known), `gf|` the
/// given skeleton with the first two letters of the family name, `ny|` a name skeleton with
/// the birth year, `p|` the phone, `d|` the document, `b|` the full birth date with a
/// name initial.
pub(crate) fn key_texts(r: &Prepared, selective: &[bool], out: &mut dyn FnMut(String)) {
    for (f, &use_it) in selective.iter().enumerate() {
        if !use_it {
            continue;
        }
        let v = if f == 0 {
            r.city.as_deref()
        } else {
            r.extra.get(f - 1).and_then(|v| v.as_deref())
        };
        if let Some(v) = v {
            out(format!("x{f}|{v}"));
        }
    }
    let year = r.dob.map(|d| d.year);
    for v in &r.views {
        let g = v.given.first().map(|t| &*t.skel).filter(|s| !s.is_empty());
        let f = v.family.last().map(|t| &*t.skel).filter(|s| !s.is_empty());
        match (g, f) {
            (Some(g), Some(f)) => {
                let (a, b) = if g <= f { (g, f) } else { (f, g) };
                out(format!("n|{a}|{b}"));
                // A family name of several tokens ("Demba Elhadj") written after a swap
                // ("Konté" / "Demba Elhadj" for "Demba" / "Konté") pairs on its first token.
                if let Some(f0) = v.family.first().map(|t| &*t.skel)
                    && v.family.len() > 1
                    && !f0.is_empty()
                    && f0 != f
                {
                    let (a, b) = if g <= f0 { (g, f0) } else { (f0, g) };
                    out(format!("n|{a}|{b}"));
                }
            }
            (Some(x), None) | (None, Some(x)) => out(format!("n1|{x}")),
            (None, None) => {}
        }
        // Given name with the start of the family name: survives a typo late in the family name.
        if let (Some(g), Some(f)) = (v.given.first(), v.family.last()) {
            let prefix: String = f.latin.chars().take(2).collect();
            out(format!("gf|{}|{prefix}", g.skel));
        }
        if let Some(y) = year {
            for s in [g, f].into_iter().flatten() {
                out(format!("ny|{s}|{y}"));
            }
        }
    }
    if let Some(p) = &r.phone {
        out(format!("p|{p}"));
    }
    if let Some(d) = &r.document {
        out(format!("d|{d}"));
    }
    if let Some(d) = r.dob.filter(|d| d.is_full()) {
        // The full date with the initial of either name: a date alone is shared by dozens
        // of strangers in a national registry, a typo rarely hits a name's first letter.
        for v in &r.views {
            for t in [v.given.first(), v.family.last()].into_iter().flatten() {
                if let Some(c) = t.skel.chars().next() {
                    out(format!("b|{}|{}|{}|{c}", d.year, d.month, d.day));
                }
            }
        }
    }
}

/// The order of an oversized block's records for the sorted neighbourhood: the phonetic
/// name pair (as in the `n|` key, so spelling variants, a dropped second name or a swap do
/// not separate a person's registrations), then the birth date (a year alone sorts first in
/// its year), then the spelled names.
fn sort_key(r: &Prepared) -> String {
    let mut s = String::new();
    if let Some(v) = r.views.first() {
        let g = v.given.first().map_or("", |t| &*t.skel);
        let f = v.family.last().map_or("", |t| &*t.skel);
        let (a, b) = if g <= f { (g, f) } else { (f, g) };
        s.push_str(a);
        s.push('|');
        s.push_str(b);
        s.push('|');
    }
    if let Some(d) = r.dob {
        s.push_str(&format!("{:04}{:02}{:02}", d.year, d.month, d.day));
    }
    if let Some(v) = r.views.first() {
        s.push('|');
        s.push_str(&v.family_concat);
        s.push('|');
        s.push_str(&v.given_concat);
    }
    s
}

#[inline]
fn pair(i: u32, j: u32) -> u64 {
    let (a, b) = if i < j { (i, j) } else { (j, i) };
    (u64::from(a) << 32) | u64::from(b)
}

/// Candidate pairs as `(i << 32) | j` with `i < j`, sorted and distinct. When
/// `cross_only`, only pairs of records from different sources are kept.
pub(crate) fn candidate_pairs(
    records: &[Prepared],
    cfg: &BlockingConfig,
    cross_only: bool,
) -> Result<Vec<u64>, crate::LinkageError> {
    candidate_pairs_by(records, cfg, cross_only, &keys)
}

/// Second-round keys: the family or the given name skeleton with the city, the family name
/// skeleton with the given name's initial, and the full birth date alone. They reach
/// registrations of one person whose names differ in one part (a married name, a nickname,
/// a given name spelled apart) or that have no name at all, and that share no date, phone
/// or document. Their pairs are scored with the model estimated on the first-round pairs
/// (EM never sees them, so the households and namesakes they bring do not shift the
/// estimates), and their blocks are small (`BlockingConfig::secondary_max_block_size`,
/// `secondary_window`).
pub(crate) fn secondary_keys(r: &Prepared, _selective: &[bool], out: &mut Vec<u64>) {
    for v in &r.views {
        let g = v.given.first().map(|t| &*t.skel).filter(|s| !s.is_empty());
        let f = v.family.last().map(|t| &*t.skel).filter(|s| !s.is_empty());
        if let Some(c) = r.city.as_deref() {
            if let Some(f) = f {
                out.push(hash_str(&format!("fc|{f}|{c}")));
            }
            if let Some(g) = g {
                out.push(hash_str(&format!("gc|{g}|{c}")));
            }
        }
        if let (Some(f), Some(i)) = (f, g.and_then(|g| g.chars().next())) {
            out.push(hash_str(&format!("fi|{f}|{i}")));
        }
    }
    if let Some(d) = r.dob.filter(|d| d.is_full()) {
        out.push(hash_str(&format!("bd|{}|{}|{}", d.year, d.month, d.day)));
    }
}

/// The second-round candidate pairs (see [`secondary_keys`]) not already in `first`
/// (sorted), sorted. Empty when `cfg.secondary_max_block_size` is 0.
pub(crate) fn secondary_pairs(
    records: &[Prepared],
    cfg: &BlockingConfig,
    cross_only: bool,
    first: &[u64],
) -> Result<Vec<u64>, crate::LinkageError> {
    if cfg.secondary_max_block_size == 0 {
        return Ok(Vec::new());
    }
    let small = BlockingConfig {
        max_block_size: cfg.secondary_max_block_size,
        window: cfg.secondary_window,
        ..*cfg
    };
    let more = candidate_pairs_by(records, &small, cross_only, &secondary_keys)?;
    Ok(more
        .into_iter()
        .filter(|p| first.binary_search(p).is_err())
        .collect())
}

type KeyFn = dyn Fn(&Prepared, &[bool], &mut Vec<u64>) + Sync;

pub(crate) fn candidate_pairs_by(
    records: &[Prepared],
    cfg: &BlockingConfig,
    cross_only: bool,
    key_fn: &KeyFn,
) -> Result<Vec<u64>, crate::LinkageError> {
    let selective = selective_fields(records);
    let mut entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut acc, (i, r)| {
            let mut ks = Vec::with_capacity(12);
            key_fn(r, &selective, &mut ks);
            ks.sort_unstable();
            ks.dedup();
            acc.extend(ks.into_iter().map(|k| (k, i as u32)));
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    entries.par_sort_unstable();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[start].0 {
            if i - start >= 2 {
                groups.push((start, i));
            }
            start = i;
        }
    }
    let max_block_start = cfg.max_block_size.max(2);
    // The sorted-neighbourhood order of every record, computed once: a record of a common
    // name sits in several oversized blocks, and building and comparing its sort key in
    // each of them cost 1.5 s of the 4 s that blocking took on 1 M records.
    let rank = if groups.iter().any(|&(s, e)| e - s > max_block_start) {
        sort_ranks(records)
    } else {
        Vec::new()
    };
    let mut max_block = max_block_start;
    loop {
        let mut pairs: Vec<u64> = groups
            .par_iter()
            .fold(Vec::new, |mut acc, &(s, e)| {
                let members: Vec<u32> = entries[s..e].iter().map(|x| x.1).collect();
                emit(
                    records, &rank, &members, max_block, cfg.window, cross_only, &mut acc,
                );
                acc
            })
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        pairs.par_sort_unstable();
        pairs.dedup();
        if pairs.len() <= cfg.max_pairs {
            return Ok(pairs);
        }
        if max_block <= 4 {
            return Err(crate::LinkageError::TooManyPairs {
                pairs: pairs.len(),
                limit: cfg.max_pairs,
            });
        }
        max_block /= 2;
    }
}

/// Position of each record in the order of [`sort_key`] (ties by position in the input).
fn sort_ranks(records: &[Prepared]) -> Vec<u32> {
    let mut order: Vec<(String, u32)> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| (sort_key(r), i as u32))
        .collect();
    order.par_sort_unstable();
    let mut rank = vec![0u32; records.len()];
    for (k, &(_, i)) in order.iter().enumerate() {
        rank[i as usize] = k as u32;
    }
    rank
}

fn emit(
    records: &[Prepared],
    rank: &[u32],
    members: &[u32],
    max_block: usize,
    window: usize,
    cross_only: bool,
    out: &mut Vec<u64>,
) {
    let ok =
        |i: u32, j: u32| !cross_only || records[i as usize].source != records[j as usize].source;
    if members.len() <= max_block {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if ok(i, j) {
                    out.push(pair(i, j));
                }
            }
        }
        return;
    }
    let mut sorted: Vec<(u32, u32)> = members.iter().map(|&i| (rank[i as usize], i)).collect();
    sorted.sort_unstable();
    for x in 0..sorted.len() {
        for y in x + 1..(x + window).min(sorted.len()) {
            let (i, j) = (sorted[x].1, sorted[y].1);
            if ok(i, j) {
                out.push(pair(i, j));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ParseIssues, Record, prepare};

    fn person(id: usize, birth: Option<String>, city: &str) -> Prepared {
        let r = Record {
            id: format!("R{id}"),
            given_name: Some("Mamadou".into()),
            family_name: Some("Diallo".into()),
            birth_date: birth,
            city: Some(city.into()),
            ..Record::default()
        };
        prepare(&r, &[], 0, &mut ParseIssues::default())
    }

    fn named(id: usize, given: &str, family: &str, city: &str) -> Prepared {
        let r = Record {
            id: format!("R{id}"),
            given_name: Some(given.into()),
            family_name: Some(family.into()),
            city: Some(city.into()).filter(|c: &String| !c.is_empty()),
            ..Record::default()
        };
        prepare(&r, &[], 0, &mut ParseIssues::default())
    }

    fn dated(id: usize, given: Option<&str>, birth: &str) -> Prepared {
        let r = Record {
            id: format!("R{id}"),
            given_name: given.map(Into::into),
            birth_date: Some(birth.into()),
            ..Record::default()
        };
        prepare(&r, &[], 0, &mut ParseIssues::default())
    }

    #[test]
    fn a_married_name_in_the_same_city_meets_in_the_second_round() {
        let records = vec![
            named(0, "Esther", "Waterhouse", "Manchester"),
            named(1, "Esther", "Kenworthy", "Manchester"),
            named(2, "Esther", "Kenworthy", "Leeds"),
            named(3, "Hetty", "Kenworthy", "Leeds"),
            named(4, "Harriet", "Kenworthy", ""),
            dated(5, Some("Harriet"), "1857-03-02"),
            dated(6, None, "1857-03-02"),
        ];
        let cfg = BlockingConfig::default();
        let first = candidate_pairs(&records, &cfg, false).expect("small");
        let pair = |i: u64, j: u64| (i << 32) | j;
        assert!(!first.contains(&pair(0, 1)), "no first-round key in common");
        let second = secondary_pairs(&records, &cfg, false, &first).expect("small");
        assert!(
            second.contains(&pair(0, 1)),
            "given name and city: {second:?}"
        );
        assert!(
            second.contains(&pair(2, 3)),
            "family name and city: {second:?}"
        );
        assert!(
            second.contains(&pair(3, 4)),
            "family name and initial: {second:?}"
        );
        assert!(
            !first.contains(&pair(5, 6)),
            "a nameless record has no date key"
        );
        assert!(
            second.contains(&pair(5, 6)),
            "the full date alone: {second:?}"
        );
        assert!(!second.contains(&pair(0, 2)), "no key in common");
        assert!(second.iter().all(|p| !first.contains(p)), "only new pairs");
        let off = BlockingConfig {
            secondary_max_block_size: 0,
            ..cfg
        };
        assert!(
            secondary_pairs(&records, &off, false, &first)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn second_round_blocks_stay_small() {
        // 200 namesakes in one city: one second-round block, compared by a window of 2.
        let records: Vec<Prepared> = (0..200)
            .map(|k| named(k, "Fatima", "Zahra", "Fès"))
            .collect();
        let cfg = BlockingConfig::default();
        let second = secondary_pairs(&records, &cfg, false, &[]).expect("small");
        assert!(
            second.len() <= 200 * cfg.secondary_window * 2,
            "{}",
            second.len()
        );
    }

    #[test]
    fn ranks_follow_the_sort_key_with_ties_by_position() {
        let dates = [
            Some("1990-05-01"),
            None,
            Some("1985"),
            Some("1990-05-01"),
            None,
        ];
        let records: Vec<Prepared> = dates
            .iter()
            .enumerate()
            .map(|(k, d)| person(k, d.map(String::from), "Rabat"))
            .collect();
        let rank = sort_ranks(&records);
        let mut by_key: Vec<(String, usize)> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (sort_key(r), i))
            .collect();
        by_key.sort();
        let order: Vec<usize> = by_key.into_iter().map(|(_, i)| i).collect();
        let mut by_rank: Vec<usize> = (0..records.len()).collect();
        by_rank.sort_by_key(|&i| rank[i]);
        assert_eq!(by_rank, order);
        // Ties (same name, same date) keep their input order: 0 before 3, 1 before 4.
        assert!(rank[0] < rank[3] && rank[1] < rank[4]);
    }

    #[test]
    fn an_oversized_block_is_compared_by_sorted_neighbourhood() {
        // Sixty namesakes: every key they share is oversized, so each record meets its
        // window of neighbours in name-and-date order, not the whole block.
        let records: Vec<Prepared> = (0..60)
            .map(|k| {
                let date = format!("{}-{:02}-{:02}", 1960 + k % 40, 1 + k % 12, 1 + k % 28);
                person(k, Some(date), "Agadir")
            })
            .collect();
        let cfg = BlockingConfig::default();
        let pairs = candidate_pairs(&records, &cfg, false).expect("within the bound");
        assert!(!pairs.is_empty());
        assert!(pairs.len() < 60 * 59 / 2 / 2, "{} pairs", pairs.len());
        assert!(pairs.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
    }
}
