//! Fellegi–Sunter scoring with m and u probabilities estimated by EM, without labels.
//!
//! Why EM: the engine is run by organisations on registries nobody has labelled, and the
//! weight of "same phone" or "same birth year" differs from one registry to the next
//! (shared household phones, year-only dates). EM fits a two-class mixture (matches,
//! non-matches) to the comparison vectors of the candidate pairs and so learns, per
//! dataset, how often each agreement level occurs among matches (m) and non-matches (u).
//! EM starts from a rough split of the candidate pairs and from a built-in prior
//! ([`Params::prior`]); the fitted weights are then `log2(m / u)` per field plus the prior
//! odds `log2(λ / (1 − λ))` (a third class, related non-matches, is described at
//! [`Params`]).
//!
//! Small files: with fewer than `Config::em_min_pairs` candidate pairs EM is not run and
//! the prior decides; above that, EM is a maximum a posteriori fit that shrinks the class
//! shares and the non-match distributions towards the prior by [`PRIOR_STRENGTH`]
//! pseudo-pairs, so that a few hundred pairs cannot teach it that a shared city or phone
//! is rare among different persons.
//!
//! EM runs on the distinct comparison patterns with their counts (a few thousand at most),
//! not on the pairs, so it costs milliseconds even for millions of pairs.
//!
//! The whole pair space: EM sees only candidate pairs, among which blocking has made
//! agreement on names and birth years common and dependent. The scoring model is therefore
//! that of all record pairs (`to_all_pairs`): chance agreement (`u`) of the fields
//! blocking uses is measured on random pairs (`u_from_sample`), and the prior odds of a
//! match are scaled from the candidates to all pairs, so that they fall as the registry —
//! and the number of namesakes — grows.
//!
//! Term frequencies: agreeing on "Mamadou" says less than agreeing on a rare name. The
//! exact-agreement weight of a name is adjusted by `log2(p̄ / p_v)` where `p_v` is the
//! value's share among records and `p̄` the chance that two random records agree (Σ p²),
//! or, when the weights come from candidate pairs only, the mean share over the candidate
//! pairs that agree exactly; bounded to ±[`TF_BOUND`] bits. When both names agree, the
//! whole name's frequency corrects for their dependence ("Mamadou Diallo" is commoner than
//! `p(Mamadou)·p(Diallo)`), see [`TermFrequencies::full_name_bits`].

use std::collections::HashMap;

use crate::compare::{Comparison, Field, MAX_FIELDS, MISSING};

/// Bound, in bits, on the term-frequency adjustment of one field.
pub const TF_BOUND: f64 = 4.0;

/// Estimated model parameters.
///
/// Beside the classic match (m) and non-match (u) distributions, the model may hold a third
/// latent class, *related non-matches* (r): different persons of one household — the same
/// phone *and* family name *and* city. Real registries break Fellegi–Sunter's assumption
/// that fields are independent within a class there, and without a class of their own a
/// two-class EM happily learns "same household" instead of "same person".
///
/// The related class is defined by what it shares with strangers: relatives agree on given
/// name and document no more than unrelated persons do, so those distributions are tied to
/// the unrelated class's. That tie is what keeps it from turning into a second class of
/// matches (matches with typos). Its birth dates are its own, so that twins — relatives
/// sharing a birth date, a family name and a phone — are relatives, not one person. The
/// match probability is `λ·Πm / (λ·Πm + λr·Πr + λu·Πu)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Prior probability that a pair is a match: a candidate pair during EM, any record
    /// pair after `to_all_pairs`.
    pub lambda: f64,
    /// Prior probability that a pair is a related non-match (0 when unused).
    pub lambda_related: f64,
    /// `m[field][level]`: probability of the level among matches.
    pub m: Vec<Vec<f64>>,
    /// `u[field][level]`: probability of the level among unrelated non-matches.
    pub u: Vec<Vec<f64>>,
    /// `r[field][level]`: probability of the level among related non-matches.
    pub r: Vec<Vec<f64>>,
    /// EM iterations run (0 for the built-in prior).
    pub iterations: usize,
}

fn normalise(v: &mut [f64], floor: f64) {
    for x in v.iter_mut() {
        *x = x.max(floor);
    }
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        for x in v.iter_mut() {
            *x /= s;
        }
    }
}

fn field_count(n_extra: usize) -> usize {
    (crate::compare::FIXED_FIELDS + n_extra).min(MAX_FIELDS)
}

fn ln_class(dist: &[Vec<f64>], levels: &[u8; MAX_FIELDS]) -> f64 {
    let mut s = 0.0;
    for (f, d) in dist.iter().enumerate() {
        let l = levels[f];
        if l != MISSING {
            s += d.get(l as usize).copied().unwrap_or(1e-9).max(1e-300).ln();
        }
    }
    s
}

/// Index of the classes in internal arrays.
const M: usize = 0;
const U: usize = 1;
const R: usize = 2;
const CLASSES: usize = 3;

/// Which classes share one distribution for a field (see [`Params`]): returns groups of
/// class indices pooled together.
fn ties(field: usize) -> &'static [&'static [usize]] {
    match field {
        // Given name, document: relatives are strangers. The birth date is the related
        // class's own: twins are relatives who share it.
        0 | 5 => &[&[U, R]],
        // Family name and context fields (phone, city…): relatives are free.
        _ => &[],
    }
}

/// Prior share of matches among candidate pairs: conservative (candidate pairs of a
/// registry are mostly different persons who share a name, a phone or a city).
pub const PRIOR_LAMBDA: f64 = 0.05;
/// Prior share of related non-matches (households, twins) among candidate pairs.
pub const PRIOR_LAMBDA_RELATED: f64 = 0.05;
/// Weight of the built-in prior in EM, in pseudo-pairs per class (a Dirichlet prior on the
/// class shares and on the level distributions of the non-match classes, see `em`). The
/// estimates are `(expected counts + PRIOR_STRENGTH · prior) / (class size +
/// PRIOR_STRENGTH)`: with a few hundred candidate pairs the prior still weighs, with
/// thousands it vanishes.
pub const PRIOR_STRENGTH: f64 = 20.0;

/// Prior level distributions `(m, u, r)` of a field, levels in [`Field::levels`] order
/// (level 0 is "different"). `u` is among candidate pairs of *unrelated* persons (who were
/// blocked together, so agree on names more often than random pairs), `r` among relatives
/// (same household). Given name and document are tied in EM (`r = u`); the birth date
/// starts equal to `u` and is then the related class's own (twins).
pub fn prior_table(field: Field) -> (&'static [f64], &'static [f64], &'static [f64]) {
    match field {
        // different, loosely similar, similar, subset, equivalent, exact
        Field::GivenName => (
            &[0.04, 0.03, 0.05, 0.05, 0.13, 0.70],
            &[0.90, 0.05, 0.025, 0.005, 0.005, 0.015],
            &[0.90, 0.05, 0.025, 0.005, 0.005, 0.015],
        ),
        Field::FamilyName => (
            &[0.04, 0.03, 0.05, 0.05, 0.13, 0.70],
            &[0.85, 0.06, 0.03, 0.01, 0.01, 0.04],
            &[0.10, 0.03, 0.03, 0.02, 0.07, 0.75],
        ),
        // different, year off by one, same year, year only, near, exact
        Field::BirthDate => (
            &[0.03, 0.04, 0.03, 0.25, 0.10, 0.55],
            &[0.85, 0.06, 0.04, 0.04, 0.005, 0.005],
            &[0.85, 0.06, 0.04, 0.04, 0.005, 0.005],
        ),
        // different, exact
        Field::Sex => (&[0.02, 0.98], &[0.5, 0.5], &[0.5, 0.5]),
        // different, near, exact
        Field::Phone => (
            &[0.35, 0.05, 0.60],
            &[0.97, 0.01, 0.02],
            &[0.30, 0.02, 0.68],
        ),
        Field::Document => (
            &[0.05, 0.10, 0.85],
            &[0.995, 0.003, 0.002],
            &[0.995, 0.003, 0.002],
        ),
        // different, exact
        Field::Nationality => (&[0.05, 0.95], &[0.40, 0.60], &[0.05, 0.95]),
        // different, similar, exact
        Field::City => (
            &[0.20, 0.05, 0.75],
            &[0.50, 0.05, 0.45],
            &[0.10, 0.05, 0.85],
        ),
        // different, loosely similar, similar, exact: an unknown column (an address, a
        // camp, an organisation…) is given moderate weight both ways.
        Field::Extra(_) => (
            &[0.10, 0.10, 0.15, 0.65],
            &[0.70, 0.12, 0.08, 0.10],
            &[0.30, 0.10, 0.10, 0.50],
        ),
    }
}

/// A pattern's score: total weight (bits), each field's contribution against unrelated
/// persons, and what the related class (a household, twins) takes off. The prior
/// `log2(λ / λu)`, the fields, the adjustment and `related` add up to `weight`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternScore {
    /// Match weight in bits, prior included.
    pub weight: f64,
    /// Per-field `log2(m / u)`; 0 when missing.
    pub fields: Vec<f64>,
    /// `−log2(1 + λr·Πr / (λu·Πu·2^−a))`, at most 0: how much the pattern looks like
    /// related persons rather than one person (0 without a related class).
    pub related: f64,
}

impl Params {
    /// The built-in prior: the weights used when there is too little data to estimate them
    /// (fewer than `Config::em_min_pairs` candidate pairs, an untrained matcher), the
    /// Dirichlet prior EM shrinks towards (see [`PRIOR_STRENGTH`]) and its starting point.
    ///
    /// The values are written from what is known of registries of migrants in general,
    /// not fitted to any data set, and are deliberately conservative (see [`prior_table`]):
    ///
    /// * identity fields (given name, birth date, document) are strong both ways;
    /// * the family name is strong for a match against strangers, but relatives share it;
    /// * context fields (phone, nationality, city) are weak: a household shares them, and a
    ///   small organisation's beneficiaries mostly share a city and a nationality. Their
    ///   agreement is worth about one bit each against strangers and nothing against
    ///   relatives, so it can never outweigh a disagreement on given name, birth date or sex;
    /// * a related (household) class is present from the start, so that a pair agreeing only
    ///   on family name, phone and city is read as "same household" rather than "same
    ///   person";
    /// * matches are assumed rare among candidate pairs (λ = 0.05).
    pub fn prior(n_extra: usize) -> Params {
        let nf = field_count(n_extra);
        let mut m = Vec::with_capacity(nf);
        let mut u = Vec::with_capacity(nf);
        let mut r = Vec::with_capacity(nf);
        for f in 0..nf {
            let (mf, uf, rf) = prior_table(Field::from_index(f));
            let mut mf = mf.to_vec();
            let mut uf = uf.to_vec();
            let mut rf = rf.to_vec();
            normalise(&mut mf, 1e-4);
            normalise(&mut uf, 1e-4);
            normalise(&mut rf, 1e-4);
            m.push(mf);
            u.push(uf);
            r.push(rf);
        }
        Params {
            lambda: PRIOR_LAMBDA,
            lambda_related: PRIOR_LAMBDA_RELATED,
            m,
            u,
            r,
            iterations: 0,
        }
    }

    /// The same parameters without the related class (two-class model).
    pub(crate) fn without_related(mut self) -> Params {
        self.lambda_related = 0.0;
        self.r.clone_from(&self.u);
        self
    }

    /// Number of fields.
    pub fn fields(&self) -> usize {
        self.m.len()
    }

    /// Class priors in the order match, unrelated, related.
    fn priors(&self) -> [f64; CLASSES] {
        let lam = self.lambda.clamp(1e-12, 1.0 - 1e-12);
        let lr = self.lambda_related.max(0.0);
        let lu = (1.0 - lam - lr).max(1e-12);
        [lam, lu, lr]
    }

    fn dists(&self) -> [&Vec<Vec<f64>>; CLASSES] {
        [&self.m, &self.u, &self.r]
    }

    /// Log-likelihood of each class (match, unrelated, related) for a pattern, prior
    /// included (−∞ for an unused class); computed once per pattern for
    /// [`Params::adjusted`] on its many pairs.
    pub(crate) fn class_logs(&self, levels: &[u8; MAX_FIELDS]) -> [f64; CLASSES] {
        let pri = self.priors();
        let d = self.dists();
        let mut out = [f64::NEG_INFINITY; CLASSES];
        for k in 0..CLASSES {
            if pri[k] > 0.0 {
                out[k] = pri[k].ln() + ln_class(d[k], levels);
            }
        }
        out
    }

    /// The match weight of a comparison pattern, without the per-field breakdown.
    pub fn weight(&self, levels: &[u8; MAX_FIELDS]) -> f64 {
        self.weight_adjusted(levels, 0.0)
    }

    /// The match weight of a pattern whose agreeing values are rarer (`adjust` bits > 0)
    /// or commoner (< 0) than average. Term frequencies say how often *unrelated* persons
    /// agree on a value, so the adjustment scales the unrelated class's likelihood only:
    /// the related class (a household sharing a phone and a family name, twins) explains
    /// its agreements whatever the name. Without a related class this is the weight plus
    /// `adjust`.
    pub fn weight_adjusted(&self, levels: &[u8; MAX_FIELDS], adjust: f64) -> f64 {
        Self::adjusted(&self.class_logs(levels), adjust)
    }

    /// [`Params::weight_adjusted`] from a pattern's [`Params::class_logs`].
    pub(crate) fn adjusted(logs: &[f64; CLASSES], adjust: f64) -> f64 {
        Self::weight_and_related(logs, adjust).0
    }

    /// The adjusted weight and what the related class takes off it
    /// ([`PatternScore::related`]), both in bits.
    fn weight_and_related(logs: &[f64; CLASSES], adjust: f64) -> (f64, f64) {
        let unrelated = logs[U] - adjust * std::f64::consts::LN_2;
        let against = log_sum(&[unrelated, logs[R]]);
        (
            (logs[M] - against) / std::f64::consts::LN_2,
            (unrelated - against) / std::f64::consts::LN_2,
        )
    }

    /// Scores a comparison pattern.
    pub fn score(&self, levels: &[u8; MAX_FIELDS]) -> PatternScore {
        self.score_adjusted(levels, 0.0)
    }

    /// Scores a comparison pattern whose agreeing values are rarer or commoner than
    /// average by `adjust` bits (see [`Params::weight_adjusted`]). Each field's
    /// contribution is against unrelated persons (`log2(m / u)`, the Fellegi–Sunter
    /// weight a reader expects: a shared phone counts for, not against); the related
    /// class's share is its own term, so a household sharing a phone and a family name
    /// reads as "phone and family name agree, and that is what a household looks like".
    pub fn score_adjusted(&self, levels: &[u8; MAX_FIELDS], adjust: f64) -> PatternScore {
        let (weight, related) = Self::weight_and_related(&self.class_logs(levels), adjust);
        let fields = (0..self.fields())
            .map(|f| {
                let lv = levels[f];
                if lv == MISSING {
                    return 0.0;
                }
                let m = self.m[f].get(lv as usize).copied().unwrap_or(1e-9);
                let u = self.u[f].get(lv as usize).copied().unwrap_or(1e-9);
                (m / u).log2()
            })
            .collect();
        PatternScore {
            weight,
            fields,
            related,
        }
    }

    /// The prior odds of a match against unrelated persons, in bits (`log2(λ / λu)`).
    pub fn prior_bits(&self) -> f64 {
        let p = self.priors();
        (p[M] / p[U]).log2()
    }
}

fn log_sum(xs: &[f64]) -> f64 {
    let mx = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if mx == f64::NEG_INFINITY {
        return mx;
    }
    mx + xs.iter().map(|x| (x - mx).exp()).sum::<f64>().ln()
}

/// Converts a match weight (bits) to a probability.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Level distributions of every field among *random* record pairs, from `counts[f][level]`
/// of a sample of `samples` pairs (missing levels not counted). Nearly every random pair
/// is two different persons, so these are the non-match (u) probabilities of the whole
/// pair space. A level never seen gets half a sighting: its weight stays finite, and large.
pub(crate) fn u_from_sample(counts: &[Vec<u64>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            if total == 0 {
                return Vec::new();
            }
            let t = total as f64;
            let mut v: Vec<f64> = row.iter().map(|&c| (c as f64).max(0.5) / t).collect();
            normalise(&mut v, 0.0);
            v
        })
        .collect()
}

/// Turns parameters estimated by EM on the candidate pairs into a model of the whole pair
/// space: for the fields blocking used (`blocked_fields`), `u` from random pairs
/// (`u_random`, see [`u_from_sample`]); the class shares scaled from the candidate pairs to
/// all pairs (`candidates` of `all_pairs`); `m`, the related class and the `u` of the
/// other fields as EM found them (related-class fields tied to `u` take the new `u`).
///
/// Why: blocking selects pairs that agree on a name, a name and a birth year, a phone…
/// Among the *candidate* non-matches those agreements are therefore common and strongly
/// dependent (a namesake pair was blocked because it shares the name; a pair that shares a
/// birth year was blocked because it shares a name too), which breaks the independence
/// Fellegi–Sunter assumes and makes EM's candidate-pair `u` say that agreeing on name *and*
/// birth year is barely evidence. Among all pairs the fields of two strangers are close to
/// independent, `u` is a chance agreement rate that can be measured directly, and the
/// prior odds of a match fall as the registry grows (a million records hold more namesakes
/// than fifty thousand), which is the correct behaviour. Blocking is then only a way of not
/// scoring pairs that would score low anyway. This is how Splink estimates `u` (random
/// sampling) and the prior (`probability_two_random_records_match`).
///
/// Fields that no blocking key uses (sex, nationality, a city shared by many) keep the
/// candidate-pair `u`: blocking did not select on them, so among candidate pairs — all of
/// which already agree on some name — their chance agreement is measured where it is used.
/// Among persons with similar names, nationality agrees far more often than among random
/// pairs (names follow origin); with the random-pair rate a namesake would be credited
/// with a shared nationality as if it were independent evidence.
pub(crate) fn to_all_pairs(
    p: &Params,
    u_random: &[Vec<f64>],
    blocked_fields: &[bool],
    candidates: usize,
    all_pairs: f64,
) -> Params {
    let mut out = p.clone();
    let scale = if all_pairs > 0.0 {
        (candidates as f64 / all_pairs).min(1.0)
    } else {
        1.0
    };
    out.lambda = (p.lambda * scale).max(1e-15);
    out.lambda_related = p.lambda_related * scale;
    for (f, u) in u_random.iter().enumerate().take(out.fields()) {
        if u.len() != out.u[f].len() || !blocked_fields.get(f).copied().unwrap_or(false) {
            continue;
        }
        out.u[f].clone_from(u);
        for group in ties(f) {
            if group.contains(&U) && group.contains(&R) {
                out.r[f].clone_from(u);
            }
        }
    }
    out
}

/// A test on a comparison pattern's levels.
pub(crate) type PatternTest<'a> = &'a dyn Fn(&[u8; MAX_FIELDS]) -> bool;

/// Starting parameters from a rough first classification of the candidate patterns.
///
/// A pair is first taken as a *match* when `is_match` says so (the engine passes the
/// built-in prior scored against chance agreement on the whole pair space, see
/// `engine::run_pairs`), or without it when given name, family name and birth date agree at
/// least loosely (or the date is missing); as a *related non-match* when it is not a match
/// but shares a phone or a document (the household's contact details); as *unrelated*
/// otherwise. One M-step from that split puts EM in the basin of "same person" rather than
/// "same household" — a structure the data supports too. Every probability is then
/// re-estimated by EM.
pub(crate) fn seed_params(
    patterns: &HashMap<u64, u64>,
    prior: &Params,
    related: bool,
    is_match: Option<PatternTest>,
) -> Params {
    let nf = prior.fields();
    let scale = |d: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        d.iter()
            .map(|v| v.iter().map(|x| x * 5.0).collect())
            .collect()
    };
    let mut counts = [scale(&prior.m), scale(&prior.u), scale(&prior.r)];
    let mut sizes = [0.0f64; CLASSES];
    for (&p, &c) in patterns {
        let l = Comparison::levels_of(p);
        let at_least = |f: usize, x: u8| l[f] != MISSING && l[f] >= x;
        let date_ok = l[2] == MISSING || l[2] >= 3;
        let top = |f: usize| l[f] != MISSING && l[f] as usize + 1 == Field::from_index(f).levels();
        let seed_match = match is_match {
            Some(f) => f(&l),
            None => at_least(0, 2) && at_least(1, 2) && date_ok,
        };
        let class = if seed_match {
            M
        } else if related && (top(4) || top(5)) {
            R
        } else {
            U
        };
        let c = c as f64;
        sizes[class] += c;
        for f in 0..nf {
            if l[f] == MISSING {
                continue;
            }
            if let Some(x) = counts[class][f].get_mut(l[f] as usize) {
                *x += c;
            }
        }
    }
    let total: f64 = sizes.iter().sum();
    let mut p = prior.clone();
    if total > 0.0 && sizes[M] > 0.0 && sizes[M] < total {
        p.lambda = (sizes[M] / total).clamp(0.01, 0.9);
        if related {
            p.lambda_related = (sizes[R] / total).clamp(0.005, 0.3);
        }
        apply_ties(&mut counts, nf);
        for dist in counts.iter_mut() {
            for row in dist.iter_mut().take(nf) {
                normalise(row, 1e-5);
            }
        }
        let [m, u, r] = counts;
        p.m = m;
        p.u = u;
        p.r = r;
    }
    p
}

/// Pools the counts of tied classes (see [`ties`]).
#[allow(clippy::needless_range_loop)] // f indexes a field across several classes
fn apply_ties(counts: &mut [Vec<Vec<f64>>; CLASSES], nf: usize) {
    for f in 0..nf {
        for group in ties(f) {
            let len = counts[M][f].len();
            let mut pooled = vec![0.0; len];
            for &k in group.iter() {
                for (x, y) in pooled.iter_mut().zip(&counts[k][f]) {
                    *x += y;
                }
            }
            for &k in group.iter() {
                counts[k][f].clone_from(&pooled);
            }
        }
    }
}

/// Runs EM over pattern counts, starting from `init` (two classes, or three when `init`
/// has a related class).
///
/// EM maximises the posterior under a Dirichlet prior centred on `prior` (see
/// [`PRIOR_STRENGTH`]): each M-step adds `strength · prior` to the expected level counts of
/// the two non-match classes, and `strength` pseudo-pairs per class, shared as the prior's
/// class shares, to the class sizes. With a few hundred candidate pairs the non-match
/// distributions stay near the prior — sharing a city, a nationality or a phone remains
/// common among different persons, so those fields stay weak; with many pairs the data
/// decide. The match class is left to the data: its prior is a guess at error rates
/// (mistyped dates, changed documents), which differ most from one registry to the next,
/// and pseudo-counts there would put weight on errors the data show to be rare.
/// `strength` 0 is plain maximum likelihood.
#[allow(clippy::too_many_arguments)]
pub(crate) fn em(
    patterns: &HashMap<u64, u64>,
    init: Params,
    prior: &Params,
    strength: f64,
    max_iter: usize,
    tol: f64,
    u_random: Option<&[Vec<f64>]>,
) -> Params {
    let nf = init.fields();
    let items: Vec<([u8; MAX_FIELDS], f64)> = patterns
        .iter()
        .map(|(&p, &c)| (Comparison::levels_of(p), c as f64))
        .collect();
    let total: f64 = items.iter().map(|(_, c)| c).sum();
    let mut p = init;
    if total == 0.0 {
        return p;
    }
    let extra = p.lambda_related > 0.0;
    let logs = |d: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        d.iter()
            .map(|v| v.iter().map(|x| x.max(1e-300).ln()).collect())
            .collect()
    };
    let sum = |t: &[Vec<f64>], levels: &[u8; MAX_FIELDS]| -> f64 {
        let mut s = 0.0;
        for (f, row) in t.iter().enumerate() {
            let l = levels[f];
            if l != MISSING {
                s += row.get(l as usize).copied().unwrap_or(-20.0);
            }
        }
        s
    };
    for it in 0..max_iter {
        let previous = p.clone();
        let zero =
            |d: &Vec<Vec<f64>>| -> Vec<Vec<f64>> { d.iter().map(|v| vec![0.0; v.len()]).collect() };
        let mut counts = [zero(&p.m), zero(&p.u), zero(&p.r)];
        let mut sizes = [0.0f64; CLASSES];
        let pri = p.priors();
        let lp: Vec<f64> = pri
            .iter()
            .map(|&x| if x > 0.0 { x.ln() } else { f64::NEG_INFINITY })
            .collect();
        let tables = [logs(&p.m), logs(&p.u), logs(&p.r)];
        for (levels, c) in &items {
            let mut a = [f64::NEG_INFINITY; CLASSES];
            for k in 0..CLASSES {
                if lp[k] > f64::NEG_INFINITY && (k < 2 || extra) {
                    a[k] = lp[k] + sum(&tables[k], levels);
                }
            }
            let mx = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = a.iter().map(|x| (x - mx).exp()).collect();
            let z: f64 = e.iter().sum();
            for k in 0..CLASSES {
                let g = e[k] / z;
                if g == 0.0 {
                    continue;
                }
                sizes[k] += c * g;
                for f in 0..nf {
                    let l = levels[f];
                    if l == MISSING {
                        continue;
                    }
                    if let Some(x) = counts[k][f].get_mut(l as usize) {
                        *x += c * g;
                    }
                }
            }
        }
        // Dirichlet prior on the non-match classes' level distributions (see the doc).
        let prior_dists = prior.dists();
        for k in [U, R] {
            if k == R && !extra {
                continue;
            }
            for (row, pf) in counts[k].iter_mut().zip(prior_dists[k].iter()).take(nf) {
                for (x, y) in row.iter_mut().zip(pf) {
                    *x += strength * y;
                }
            }
        }
        let prior_shares = {
            let mut q = prior.priors();
            if !extra {
                q[U] += q[R];
                q[R] = 0.0;
            }
            q
        };
        let used = if extra { CLASSES } else { 2 };
        let pseudo = strength * used as f64;
        let share = |k: usize| (sizes[k] + pseudo * prior_shares[k]) / (total + pseudo);
        apply_ties(&mut counts, nf);
        let lambda = share(M).clamp(1e-6, 1.0 - 1e-6);
        let lambda_r = if extra {
            share(R).clamp(1e-6, 0.5)
        } else {
            0.0
        };
        let mut delta = (lambda - p.lambda)
            .abs()
            .max((lambda_r - p.lambda_related).abs());
        let [cm, cu, cr] = counts;
        for (mut c, dist) in [(cm, &mut p.m), (cu, &mut p.u), (cr, &mut p.r)] {
            for f in 0..nf {
                if c[f].iter().sum::<f64>() > 0.0 {
                    normalise(&mut c[f], 1e-5);
                    delta = delta.max(
                        c[f].iter()
                            .zip(dist[f].iter())
                            .map(|(a, b)| (a - b).abs())
                            .fold(0.0, f64::max),
                    );
                    dist[f].clone_from(&c[f]);
                }
            }
        }
        p.lambda = lambda;
        p.lambda_related = lambda_r;
        p.iterations = it + 1;
        if !is_person_class(&p, u_random) && is_person_class(&previous, u_random) {
            // EM is leaving the region where the match class means "same person" (see
            // `is_person_class`): keep the last estimate that did.
            return previous;
        }
        if delta < tol {
            break;
        }
    }
    p
}

/// True when the match class looks like "same person": agreeing exactly on the given name
/// and on the birth date is evidence for a match (at least one bit), disagreeing entirely
/// is evidence against, and matches are not the bulk of the candidates.
///
/// Why: on large registries the candidate pairs are dominated by other structures (same
/// name and different persons, same household) and EM, which only maximises likelihood,
/// can drift to a solution where its "match" class is one of those. The check is a
/// constraint on meaning, not on values: any weights are accepted as long as the class
/// is still about identity.
///
/// With `u_random` (chance agreement among random pairs, see [`u_from_sample`]) the
/// comparison is with strangers in general, and a match must disagree entirely on given
/// name and on birth date at most a quarter as often as two strangers do (two bits): a
/// class of "registrations that share a name or a household" disagrees on one or the other
/// far more. Without it the comparison is with the candidate non-matches, which in a large
/// registry agree on names so often that one bit is the most that can be asked.
pub(crate) fn is_person_class(p: &Params, u_random: Option<&[Vec<f64>]>) -> bool {
    let ok_field = |f: usize| {
        let u = match u_random {
            Some(ur) => ur.get(f).filter(|v| !v.is_empty()),
            None => p.u.get(f),
        };
        let (Some(m), Some(u)) = (p.m.get(f), u) else {
            return true;
        };
        let (Some(m0), Some(u0), Some(mt), Some(ut)) = (m.first(), u.first(), m.last(), u.last())
        else {
            return true;
        };
        let against = if u_random.is_some() { 0.25 } else { 0.5 };
        (mt / ut) > 2.0 && (m0 / u0) < against
    };
    p.lambda < 0.9 && ok_field(0) && ok_field(2)
}

/// Value frequencies of given and family names, for term-frequency adjustment.
#[derive(Debug, Clone, Default)]
pub struct TermFrequencies {
    given: HashMap<u64, u32>,
    family: HashMap<u64, u32>,
    /// Counts of whole names (given and family together, in either order).
    full: HashMap<u64, u32>,
    /// Counts of whole names among records that give a birth year.
    full_dated: HashMap<u64, u32>,
    /// Counts of whole names with a birth year (`name_year_key`).
    full_year: HashMap<u64, u32>,
    /// Counts of birth years, and of records giving one.
    years: HashMap<u64, u32>,
    years_n: f64,
    given_s2: f64,
    family_s2: f64,
    n: f64,
    /// False once the references are calibrated on candidate pairs (`calibrate`): the
    /// whole-name correction is relative to chance agreement on the whole pair space.
    full_name_correction: bool,
}

/// Key of a whole name, the same whichever of the two parts was written first.
fn full_key(g: u64, f: u64) -> u64 {
    // Computed for every candidate pair agreeing on both names: mixed arithmetically (the
    // finaliser of SplitMix64), without formatting a string.
    let (a, b) = if g <= f { (g, f) } else { (f, g) };
    let mut z = a ^ b.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Key of a whole name born in a year.
fn name_year_key(name: u64, year: u64) -> u64 {
    full_key(name, year ^ 0x5a5a_0000_0000_0000)
}

/// A whole name's birth years are read as a distribution only when at least this many
/// records carry it besides the pair's own person: below, its records are mostly one
/// person's registrations.
const NAME_YEAR_MIN_OTHERS: f64 = 20.0;

/// Registrations of the pair's own person, besides the pair, assumed among the records
/// that carry its whole name and birth year, and left out of their count: a person
/// registered five times must not make its own name look concentrated in its year.
const NAME_YEAR_OWN: u32 = 3;

/// Pseudo-records, drawn from the whole registry's birth years, added to a whole name's
/// own when estimating how its bearers' years are spread (smoothing).
const NAME_YEAR_PRIOR: f64 = 10.0;

/// Bound, in bits, on the whole name's birth-year correction.
pub const NAME_YEAR_BOUND: f64 = 8.0;

impl TermFrequencies {
    pub(crate) fn build(records: &[crate::record::Prepared]) -> TermFrequencies {
        Self::from_keys(
            records.iter().map(|r| match r.views.first() {
                Some(v) => (
                    (!v.given.is_empty()).then_some(v.given_key),
                    (!v.family.is_empty()).then_some(v.family_key),
                    r.dob.as_ref().map(|d| u64::from(d.year)),
                ),
                None => (None, None, None),
            }),
            records.len(),
        )
    }

    /// Frequencies from each record's given name, family name and birth year keys (any
    /// stable value key: a hash of the clear value, or a keyed digest of it in
    /// privacy-preserving mode).
    pub(crate) fn from_keys(
        keys: impl Iterator<Item = (Option<u64>, Option<u64>, Option<u64>)>,
        records: usize,
    ) -> TermFrequencies {
        let mut t = TermFrequencies {
            full_name_correction: true,
            ..TermFrequencies::default()
        };
        for (g, f, y) in keys {
            if let Some(g) = g {
                *t.given.entry(g).or_insert(0) += 1;
            }
            if let Some(f) = f {
                *t.family.entry(f).or_insert(0) += 1;
            }
            if let Some(y) = y {
                *t.years.entry(y).or_insert(0) += 1;
                t.years_n += 1.0;
            }
            if let (Some(g), Some(f)) = (g, f) {
                let name = full_key(g, f);
                *t.full.entry(name).or_insert(0) += 1;
                if let Some(y) = y {
                    *t.full_dated.entry(name).or_insert(0) += 1;
                    *t.full_year.entry(name_year_key(name, y)).or_insert(0) += 1;
                }
            }
        }

        t.n = records.max(1) as f64;
        let s2 = |m: &HashMap<u64, u32>, n: f64| {
            m.values().map(|&c| (f64::from(c) / n).powi(2)).sum::<f64>()
        };
        t.given_s2 = s2(&t.given, t.n);
        t.family_s2 = s2(&t.family, t.n);
        t
    }

    fn share(map: &HashMap<u64, u32>, n: f64, key: u64) -> f64 {
        if key == 0 || n <= 0.0 {
            return 0.0;
        }
        f64::from(map.get(&key).copied().unwrap_or(1).max(1)) / n
    }

    /// Shares of the agreeing given and family name values among records (0 when the
    /// names do not agree exactly). When given and family were crossed, a value's column is
    /// uncertain and the larger of its two shares is used (the cautious choice).
    pub(crate) fn shares(&self, c: &Comparison) -> (f64, f64) {
        if c.swapped {
            let both = |k: u64| {
                Self::share(&self.given, self.n, k).max(Self::share(&self.family, self.n, k))
            };
            return (both(c.given_key), both(c.family_key));
        }
        (
            Self::share(&self.given, self.n, c.given_key),
            Self::share(&self.family, self.n, c.family_key),
        )
    }

    /// Correction (bits, at most 0) of the whole name's evidence when given and family
    /// names both agree exactly: the per-field adjustments treat the two as independent,
    /// but names follow origin, and a whole name such as "Mamadou Diallo" is shared by far
    /// more strangers than the product of its parts' shares says. The correction is
    /// `log2(p_g · p_f / p_gf)` where `p_gf` is the share of *other* records carrying the
    /// whole name (the pair's own two records left out, so that a rare name is not
    /// penalised for its own duplicates); it only ever lowers the weight, by at most
    /// [`TF_BOUND`] bits, and is 0 when the whole name is no commoner than its parts
    /// predict.
    pub(crate) fn full_name_bits(&self, c: &Comparison) -> f64 {
        if c.given_key == 0 || c.family_key == 0 || self.n <= 0.0 {
            return 0.0;
        }
        let Some(&count) = self.full.get(&full_key(c.given_key, c.family_key)) else {
            return 0.0;
        };
        let (g, f) = self.shares(c);
        let others = f64::from(count.saturating_sub(2)) / self.n;
        let independent = g * f;
        if others <= independent || independent <= 0.0 {
            return 0.0;
        }
        (independent / others).log2().max(-TF_BOUND)
    }

    /// Correction (bits, at most 0) of a pair agreeing on the whole name and the birth
    /// year, when the bearers of that name are concentrated in that year: the date's weight
    /// measures how rarely two *random* records share a year, but "Mamadou Diallo" born in
    /// 1995 may be hundreds of different persons, and among namesakes sharing the year is
    /// no coincidence. The correction is `log2(p_y / q)` where `p_y` is the year's share
    /// among all records giving a year and `q` its share among the *other* records
    /// carrying the whole name (the pair, and up to [`NAME_YEAR_OWN`] further
    /// registrations of its person, left out; smoothed by [`NAME_YEAR_PRIOR`]
    /// pseudo-records spread as the registry's years are). Only names with at least
    /// [`NAME_YEAR_MIN_OTHERS`] such records are corrected; the correction only lowers the
    /// weight, by at most [`NAME_YEAR_BOUND`] bits.
    pub(crate) fn name_year_bits(&self, c: &Comparison) -> f64 {
        if c.given_key == 0 || c.family_key == 0 || c.year_key == 0 || self.years_n <= 0.0 {
            return 0.0;
        }
        let name = full_key(c.given_key, c.family_key);
        let Some(&dated) = self.full_dated.get(&name) else {
            return 0.0;
        };
        let others = f64::from(dated.saturating_sub(2 + NAME_YEAR_OWN));
        if others < NAME_YEAR_MIN_OTHERS {
            return 0.0;
        }
        let same_year = self
            .full_year
            .get(&name_year_key(name, c.year_key))
            .copied()
            .unwrap_or(0);
        let others_same_year = f64::from(same_year.saturating_sub(2 + NAME_YEAR_OWN));
        let p_year = f64::from(self.years.get(&c.year_key).copied().unwrap_or(0)) / self.years_n;
        let q = (others_same_year + NAME_YEAR_PRIOR * p_year) / (others + NAME_YEAR_PRIOR);
        if p_year <= 0.0 || q <= p_year {
            return 0.0;
        }
        (p_year / q).log2().max(-NAME_YEAR_BOUND)
    }

    /// The corrections of a pair's whole name (see [`TermFrequencies::full_name_bits`] and
    /// [`TermFrequencies::name_year_bits`]), in bits.
    fn whole_name_bits(&self, c: &Comparison) -> f64 {
        self.full_name_bits(c) + self.name_year_bits(c)
    }

    /// Sets the reference shares to their mean over the candidate pairs that agree
    /// exactly. The EM weights are estimated on candidate pairs, where common names are
    /// over-represented (blocking groups them); the adjustment must be relative to that
    /// population, not to random pairs, or common names would be penalised twice. The
    /// whole-name correction, relative to chance agreement among all pairs, is then off.
    pub(crate) fn calibrate(&mut self, shares: &[TfShares]) {
        let mean = |f: &dyn Fn(&TfShares) -> f32| {
            let (mut s, mut k) = (0.0, 0usize);
            for x in shares {
                let v = f(x);
                if v > 0.0 {
                    s += f64::from(v);
                    k += 1;
                }
            }
            if k == 0 { 0.0 } else { s / k as f64 }
        };
        self.given_s2 = mean(&|x| x.0);
        self.family_s2 = mean(&|x| x.1);
        self.full_name_correction = false;
    }

    fn adj(reference: f64, share: f64) -> f64 {
        if share <= 0.0 || reference <= 0.0 {
            return 0.0;
        }
        (reference / share).log2().clamp(-TF_BOUND, TF_BOUND)
    }

    /// Shares of the agreeing names and the whole-name correction of a comparison, as
    /// kept per candidate pair (see [`TermFrequencies::adjustments_of`]).
    pub(crate) fn pair_shares(&self, c: &Comparison) -> TfShares {
        let (g, f) = self.shares(c);
        (g as f32, f as f32, self.whole_name_bits(c) as f32)
    }

    /// Adjustments (bits) for the given and family name of a comparison (the whole-name
    /// correction is counted with the family name).
    pub(crate) fn adjustments(&self, c: &Comparison) -> (f64, f64) {
        let (g, f) = self.shares(c);
        let full = if self.full_name_correction {
            self.whole_name_bits(c)
        } else {
            0.0
        };
        (
            Self::adj(self.given_s2, g),
            Self::adj(self.family_s2, f) + full,
        )
    }

    /// Adjustments (bits) from shares computed by [`TermFrequencies::pair_shares`].
    pub(crate) fn adjustments_of(&self, shares: TfShares) -> f64 {
        let full = if self.full_name_correction {
            f64::from(shares.2)
        } else {
            0.0
        };
        Self::adj(self.given_s2, f64::from(shares.0))
            + Self::adj(self.family_s2, f64::from(shares.1))
            + full
    }
}

/// Per candidate pair: shares of the agreeing given and family names among records, and the
/// whole-name correction in bits (see [`TermFrequencies::full_name_bits`]).
pub(crate) type TfShares = (f32, f32, f32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_separates_two_clear_classes() {
        // Matches agree on everything, non-matches on nothing: EM must find λ ≈ 0.1.
        let mut agree = [MISSING; MAX_FIELDS];
        let mut disagree = [MISSING; MAX_FIELDS];
        for f in 0..8 {
            agree[f] = (Field::from_index(f).levels() - 1) as u8;
            disagree[f] = 0;
        }
        let pat = |l: [u8; MAX_FIELDS]| {
            Comparison {
                levels: l,
                swapped: false,
                given_key: 0,
                family_key: 0,
                year_key: 0,
            }
            .pattern()
        };
        let mut counts = HashMap::new();
        counts.insert(pat(agree), 100);
        counts.insert(pat(disagree), 900);
        let prior = Params::prior(0).without_related();
        let p = em(
            &counts,
            prior.clone(),
            &prior,
            PRIOR_STRENGTH,
            100,
            1e-9,
            None,
        );
        assert!((p.lambda - 0.1).abs() < 0.01, "lambda {}", p.lambda);
        assert!(p.score(&agree).weight > 10.0);
        assert!(p.score(&disagree).weight < -10.0);
    }

    /// Levels of a pattern from (field, level) settings, others missing.
    fn levels(set: &[(Field, usize)]) -> [u8; MAX_FIELDS] {
        let mut l = [MISSING; MAX_FIELDS];
        for &(f, v) in set {
            l[f.index()] = v as u8;
        }
        l
    }

    #[test]
    fn prior_weak_fields_cannot_outweigh_strong_disagreements() {
        // A household: same family name, phone, nationality and city; different given
        // name, sex and birth date.
        let top = |f: Field| (f, f.levels() - 1);
        let household = levels(&[
            (Field::GivenName, 0),
            top(Field::FamilyName),
            (Field::BirthDate, 0),
            (Field::Sex, 0),
            top(Field::Phone),
            top(Field::Nationality),
            top(Field::City),
        ]);
        for p in [Params::prior(0), Params::prior(0).without_related()] {
            let w = p.score(&household).weight;
            assert!(w < -5.0, "household weight {w}");
        }
        // The weak fields together are worth less than any one strong disagreement.
        let p = Params::prior(0).without_related();
        let bits = |f: Field, l: usize| (p.m[f.index()][l] / p.u[f.index()][l]).log2();
        let context = bits(Field::Nationality, 1) + bits(Field::City, 2);
        for strong in [Field::GivenName, Field::BirthDate, Field::Sex] {
            assert!(context < -bits(strong, 0), "{strong:?}: context {context}");
        }
        // The same person, spelt differently, with a year only, still links.
        let same = levels(&[
            (Field::GivenName, 4),
            (Field::FamilyName, 4),
            (Field::BirthDate, 3),
            top(Field::Sex),
            top(Field::City),
        ]);
        assert!(Params::prior(0).score(&same).weight > 3.0);
    }

    #[test]
    fn em_on_few_pairs_keeps_context_fields_weak() {
        // 40 pairs, all sharing the city: plain EM would learn that a shared city is rare
        // among non-matches no more than it is among matches; the prior keeps it weak.
        let mut counts = HashMap::new();
        let city = Field::City.index();
        let mut same = levels(&[
            (Field::GivenName, 5),
            (Field::FamilyName, 5),
            (Field::BirthDate, 5),
        ]);
        same[city] = 2;
        let mut other = levels(&[
            (Field::GivenName, 0),
            (Field::FamilyName, 0),
            (Field::BirthDate, 0),
        ]);
        other[city] = 2;
        let pat = |l: [u8; MAX_FIELDS]| {
            Comparison {
                levels: l,
                swapped: false,
                given_key: 0,
                family_key: 0,
                year_key: 0,
            }
            .pattern()
        };
        counts.insert(pat(same), 10);
        counts.insert(pat(other), 30);
        let prior = Params::prior(0);
        let p = em(
            &counts,
            prior.clone(),
            &prior,
            PRIOR_STRENGTH,
            100,
            1e-9,
            None,
        );
        let city_bits = (p.m[city][2] / p.u[city][2]).log2();
        assert!(city_bits < 2.0, "city exact worth {city_bits} bits");
        assert!(p.score(&same).weight > 5.0);
        assert!(p.score(&other).weight < -5.0);
    }

    #[test]
    fn namesakes_concentrated_in_a_birth_year_make_sharing_it_weaker_evidence() {
        // 4,800 records over 48 years evenly; "Mamadou Diallo" on 200 of them, 180 born in
        // 1995; "Awa Koné" on 60 records spread evenly; "Rare Name" on one person's three
        // registrations.
        let (mamadou, diallo, awa, kone, rare, name, other) = (1u64, 2, 3, 4, 5, 6, 7);
        let mut keys = Vec::new();
        keys.extend((0..180).map(|_| (Some(mamadou), Some(diallo), Some(1995))));
        keys.extend((0..20).map(|k| (Some(mamadou), Some(diallo), Some(1960 + k))));
        keys.extend((0..60).map(|k| (Some(awa), Some(kone), Some(1960 + k % 48))));
        keys.extend((0..3).map(|_| (Some(rare), Some(name), Some(1980))));
        keys.extend((0..4537u64).map(|k| (Some(other), Some(other), Some(1960 + k % 48))));
        let tf = TermFrequencies::from_keys(keys.into_iter(), 4800);
        let pair = |g: u64, f: u64, year: u64| Comparison {
            levels: [MISSING; MAX_FIELDS],
            swapped: false,
            given_key: g,
            family_key: f,
            year_key: year,
        };
        // 1995 is ≈ 5.6 % of all years but ≈ 89 % of the other Mamadou Diallo's.
        let bits = tf.name_year_bits(&pair(mamadou, diallo, 1995));
        assert!((-NAME_YEAR_BOUND..-3.5).contains(&bits), "{bits}");
        // Another year of the same name is no commoner among its bearers than overall.
        assert_eq!(tf.name_year_bits(&pair(mamadou, diallo, 1970)), 0.0);
        // A name spread over the years, a name of one person, a pair that does not share
        // the year: no correction.
        assert_eq!(tf.name_year_bits(&pair(awa, kone, 1970)), 0.0);
        assert_eq!(tf.name_year_bits(&pair(rare, name, 1980)), 0.0);
        assert_eq!(tf.name_year_bits(&pair(mamadou, diallo, 0)), 0.0);
        // The correction is counted with the whole name's.
        let c = pair(mamadou, diallo, 1995);
        assert!((tf.whole_name_bits(&c) - (tf.full_name_bits(&c) + bits)).abs() < 1e-12);
    }

    #[test]
    fn a_patterns_parts_add_up_to_its_weight_and_a_shared_phone_counts_for() {
        let mut p = Params::prior(0);
        p.lambda_related = 0.2;
        // A household: family name, phone and city shared, given names different.
        let l = levels(&[
            (Field::GivenName, 0),
            (Field::FamilyName, 5),
            (Field::Phone, 2),
            (Field::City, 2),
        ]);
        for adjust in [0.0, -3.0, 2.5] {
            let s = p.score_adjusted(&l, adjust);
            let sum = p.prior_bits() + s.fields.iter().sum::<f64>() + adjust + s.related;
            assert!((sum - s.weight).abs() < 1e-9, "{sum} {}", s.weight);
            assert!((s.weight - p.weight_adjusted(&l, adjust)).abs() < 1e-9);
        }
        let s = p.score(&l);
        assert!(s.fields[Field::Phone.index()] > 3.0, "{:?}", s.fields);
        assert!(s.related < -5.0, "{}", s.related);
        // Without a related class nothing is taken off.
        assert_eq!(p.without_related().score(&l).related, 0.0);
    }

    #[test]
    fn frequency_adjustments_scale_the_unrelated_class_only() {
        let mut p = Params::prior(0);
        let l = levels(&[
            (Field::GivenName, 5),
            (Field::FamilyName, 5),
            (Field::Phone, 2),
            (Field::City, 2),
        ]);
        // Without a related class, an adjustment adds to the weight.
        let plain = p.clone().without_related();
        let w = plain.weight(&l);
        assert!((plain.weight_adjusted(&l, -3.0) - (w - 3.0)).abs() < 1e-9);
        assert!((plain.weight_adjusted(&l, 2.5) - (w + 2.5)).abs() < 1e-9);
        // With one, a common name cannot lower the weight below what the related class
        // alone allows: the adjustment says how often strangers share the name.
        p.lambda_related = 0.2;
        let (w0, w_common) = (p.weight(&l), p.weight_adjusted(&l, -8.0));
        let logs = p.class_logs(&l);
        let against_related = (logs[M] - logs[R]) / std::f64::consts::LN_2;
        assert!(w_common < w0 && w_common > w0 - 8.0, "{w0} {w_common}");
        assert!(w_common >= against_related - 8.0 && w0 <= against_related);
        assert!((Params::adjusted(&logs, 0.0) - w0).abs() < 1e-9);
    }

    #[test]
    fn a_common_whole_name_is_weaker_evidence_than_its_parts_say() {
        // 1,000 records: "Mamadou" and "Diallo" each on 100 of them, always together (one
        // origin); "Awa" and "Koné" each on 100 records, never together except for one
        // person's two registrations.
        let (mamadou, diallo, awa, kone, other) = (1u64, 2, 3, 4, 5);
        let mut keys = Vec::new();
        keys.extend((0..100).map(|_| (Some(mamadou), Some(diallo))));
        keys.push((Some(awa), Some(kone)));
        keys.push((Some(awa), Some(kone)));
        keys.extend((0..98).map(|_| (Some(awa), Some(other))));
        keys.extend((0..98).map(|_| (Some(other), Some(kone))));
        keys.extend((0..702).map(|_| (Some(other), Some(other))));
        let tf = TermFrequencies::from_keys(keys.into_iter().map(|(g, f)| (g, f, None)), 1000);
        let both = |g: u64, f: u64, swapped: bool| Comparison {
            levels: [MISSING; MAX_FIELDS],
            swapped,
            given_key: g,
            family_key: f,
            year_key: 0,
        };
        // 98 other records carry "Mamadou Diallo" where independence expects 10: −3.3 bits.
        let bits = tf.full_name_bits(&both(mamadou, diallo, false));
        assert!((bits - (10.0f64 / 98.0).log2()).abs() < 1e-9, "{bits}");
        // The same whichever part was written first.
        assert_eq!(tf.full_name_bits(&both(diallo, mamadou, true)), bits);
        // A whole name carried only by the pair itself is not penalised.
        assert_eq!(tf.full_name_bits(&both(awa, kone, false)), 0.0);
        // Nor is a pair that does not agree on both names.
        assert_eq!(tf.full_name_bits(&both(mamadou, 0, false)), 0.0);
        // The correction is part of the pair's adjustments, until calibrated on candidates.
        let c = both(mamadou, diallo, false);
        let (_, f) = tf.adjustments(&c);
        assert!((f - (TermFrequencies::adj(tf.family_s2, 0.1) + bits)).abs() < 1e-9);
        let mut calibrated = tf.clone();
        calibrated.calibrate(&[(0.1, 0.1, 0.0)]);
        // (0.1 as f32 is not 0.1: equal within rounding.)
        let (g, f) = calibrated.adjustments(&c);
        assert!(g.abs() < 1e-6 && f.abs() < 1e-6, "{g} {f}");
        assert!(calibrated.adjustments_of(tf.pair_shares(&c)).abs() < 1e-6);
    }

    #[test]
    fn probability_is_logistic_in_bits() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!((probability(1.0) - 2.0 / 3.0).abs() < 1e-12);
    }
}
