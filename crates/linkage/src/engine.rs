//! The linkage pipeline: prepare → block → compare → EM → score → cluster.
//!
//! Why one pipeline for every front-end: the CLI (`dedup_csv`), the in-memory API
//! ([`link`], [`link_two`]) and the search-before-create of case work must give the same
//! answer for the same records, so they all call [`run`] on prepared records.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::blocking::{BlockingConfig, candidate_pairs};
use crate::cluster::{ClusterConfig, cluster, one_to_one};
use crate::compare::{Comparison, MAX_FIELDS, compare};
use crate::error::LinkageError;
use crate::explain::{PairScore, score};
use crate::fellegi_sunter::{
    Params, TermFrequencies, TfShares, em, probability, seed_params, to_all_pairs, u_from_sample,
};
use crate::record::{ParseIssues, Prepared, Record, prepare};

/// Settings of a linkage run. The defaults are meant to work on any registry: weights are
/// learned by EM, never set by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Blocking bounds.
    pub blocking: BlockingConfig,
    /// Clustering guards against chaining.
    pub cluster: ClusterConfig,
    /// A pair is a match when its probability is at least this.
    pub threshold: f64,
    /// Pairs below this probability are left out of [`Linkage::pairs`].
    pub pairs_min_probability: f64,
    /// EM iteration limit.
    pub em_max_iterations: usize,
    /// EM stops when no parameter moves more than this.
    pub em_tolerance: f64,
    /// Adjust name weights by value frequency.
    pub term_frequency: bool,
    /// Model related non-matches (households, twins) as a latent class of their own.
    pub related_class: bool,
    /// Below this many candidate pairs EM is not run (too little to learn from) and the
    /// built-in prior weights are used ([`Params::prior`]).
    pub em_min_pairs: usize,
    /// Weight of the built-in prior in EM, in pseudo-pairs per class, on the class shares
    /// and the non-match distributions (0: plain maximum likelihood). See
    /// [`crate::fellegi_sunter::PRIOR_STRENGTH`].
    pub em_prior_strength: f64,
    /// At most this many random record pairs are compared to measure chance agreement (the
    /// non-match `u` probabilities of the whole pair space, see
    /// `fellegi_sunter::to_all_pairs`): half as many as there are candidate
    /// pairs, at least 20,000. 0 keeps the candidate-pair estimates.
    pub random_pairs: usize,
    /// Bits added to the weight of a pair whose two records come from the same source
    /// (organisation): negative when an organisation's own files are known to be mostly
    /// free of duplicates, `f64::NEG_INFINITY` to forbid such links. 0 (the default) lets
    /// the data decide. Records given to [`link`] or `dedup` all come from one source, so
    /// this only acts through [`crate::persons::count_persons`], which takes the source of
    /// each record.
    pub same_source_weight: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            blocking: BlockingConfig::default(),
            cluster: ClusterConfig::default(),
            threshold: 0.5,
            pairs_min_probability: 0.01,
            em_max_iterations: 200,
            em_tolerance: 1e-5,
            term_frequency: true,
            em_min_pairs: 200,
            em_prior_strength: crate::fellegi_sunter::PRIOR_STRENGTH,
            related_class: true,
            random_pairs: 200_000,
            same_source_weight: 0.0,
        }
    }
}

/// Stage of a run, reported to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and preparing records.
    Reading,
    /// Building candidate pairs.
    Blocking,
    /// Comparing candidate pairs.
    Comparing,
    /// Estimating m and u.
    Estimating,
    /// Grouping records into persons.
    Clustering,
    /// Writing the output.
    Writing,
}

/// Progress of a long run: `done` out of `total` units of the current stage (`total` is 0
/// when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Current stage.
    pub stage: Stage,
    /// Units done.
    pub done: u64,
    /// Units in the stage, 0 when unknown.
    pub total: u64,
}

/// A trained (or default) model that scores record pairs.
#[derive(Debug, Clone)]
pub struct Matcher {
    params: Params,
    tf: TermFrequencies,
    extra: Vec<String>,
}

impl Matcher {
    /// A matcher with the built-in prior ([`Params::prior`]: conservative weights, weak
    /// context fields, a household class), for scoring before any data is linked.
    /// Prefer a matcher returned by [`link`], whose weights were estimated on real data.
    pub fn untrained(extra_fields: Vec<String>) -> Matcher {
        Matcher {
            params: Params::prior(extra_fields.len()),
            tf: TermFrequencies::default(),
            extra: extra_fields,
        }
    }

    /// The estimated parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Names of the extra fields compared, in order.
    pub fn extra_fields(&self) -> &[String] {
        &self.extra
    }

    pub(crate) fn prepare(&self, r: &Record) -> Prepared {
        prepare(r, &self.extra, 0, &mut ParseIssues::default())
    }

    /// Scores a comparison already made (any record representation).
    pub(crate) fn score_comparison(&self, c: &Comparison) -> PairScore {
        score(c, &self.params, self.tf.adjustments(c), &self.extra)
    }

    pub(crate) fn score_prepared(&self, a: &Prepared, b: &Prepared) -> PairScore {
        let c = compare(a, b, self.extra.len());
        score(&c, &self.params, self.tf.adjustments(&c), &self.extra)
    }

    /// Scores two records, with the per-field explanation.
    pub fn score_pair(&self, a: &Record, b: &Record) -> PairScore {
        self.score_prepared(&self.prepare(a), &self.prepare(b))
    }

    /// Scores a new record against existing ones (search before create) and returns those
    /// at or above `min_probability`, best first.
    pub fn search(
        &self,
        candidate: &Record,
        existing: &[Record],
        min_probability: f64,
    ) -> Vec<(usize, PairScore)> {
        let c = self.prepare(candidate);
        let mut out: Vec<(usize, PairScore)> = existing
            .iter()
            .enumerate()
            .map(|(i, r)| (i, self.score_prepared(&c, &self.prepare(r))))
            .filter(|(_, s)| s.probability >= min_probability)
            .collect();
        out.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
        out
    }
}

/// An index of existing records for search before create: a social worker types a new
/// person and sees who may already be registered, with the reasons.
///
/// Candidates come from the same blocking keys as linkage (name skeletons, name and year,
/// phone, document, birth date with initial…), so a search touches a handful of records,
/// not the whole registry; each is scored by the matcher with its explanation.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    matcher: Matcher,
    prepared: Vec<Prepared>,
    selective: Vec<bool>,
    postings: HashMap<u64, Vec<u32>>,
}

/// Postings longer than this are skipped at search time: a key shared by so many records
/// ("Mamadou" + 1990 in a national registry) says nothing on its own.
const MAX_POSTING: usize = 2_000;

impl SearchIndex {
    /// Indexes `records` (positions in the slice are the ids returned by `search`).
    pub fn new(matcher: Matcher, records: &[Record]) -> SearchIndex {
        let prepared: Vec<Prepared> = records.iter().map(|r| matcher.prepare(r)).collect();
        let selective = crate::blocking::selective_fields(&prepared);
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut ks = Vec::new();
        for (i, p) in prepared.iter().enumerate() {
            ks.clear();
            crate::blocking::keys(p, &selective, &mut ks);
            ks.sort_unstable();
            ks.dedup();
            for &k in &ks {
                postings.entry(k).or_default().push(i as u32);
            }
        }
        SearchIndex {
            matcher,
            prepared,
            selective,
            postings,
        }
    }

    /// Number of indexed records.
    pub fn len(&self) -> usize {
        self.prepared.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.prepared.is_empty()
    }

    /// The indexed records that may be `candidate`, at or above `min_probability`, best
    /// first, at most `limit`.
    pub fn search(
        &self,
        candidate: &Record,
        min_probability: f64,
        limit: usize,
    ) -> Vec<(usize, PairScore)> {
        let c = self.matcher.prepare(candidate);
        let mut ks = Vec::new();
        crate::blocking::keys(&c, &self.selective, &mut ks);
        let mut ids: Vec<u32> = ks
            .iter()
            .filter_map(|k| self.postings.get(k))
            .filter(|p| p.len() <= MAX_POSTING)
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out: Vec<(usize, PairScore)> = ids
            .into_iter()
            .map(|i| {
                (
                    i as usize,
                    self.matcher.score_prepared(&c, &self.prepared[i as usize]),
                )
            })
            .filter(|(_, s)| s.probability >= min_probability)
            .collect();
        out.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
        out.truncate(limit);
        out
    }
}

/// A scored candidate pair, by record position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Position of the first record.
    pub a: usize,
    /// Position of the second record.
    pub b: usize,
    /// Match weight in bits.
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
}

/// Figures about a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkReport {
    /// Records linked.
    pub records: usize,
    /// Candidate pairs compared.
    pub candidate_pairs: usize,
    /// Distinct comparison patterns seen by EM.
    pub patterns: usize,
    /// EM iterations.
    pub em_iterations: usize,
    /// Prior probability of a match in the scoring model: among all record pairs when
    /// chance agreement was measured on random pairs (`Config::random_pairs`), else among
    /// candidate pairs.
    pub lambda: f64,
    /// Pairs at or above the threshold.
    pub matched_pairs: usize,
    /// Clusters (persons) found.
    pub clusters: usize,
    /// Values kept as missing because unparseable.
    pub issues: ParseIssues,
}

/// The result of [`link`]: a cluster index per record and the scored pairs.
#[derive(Debug, Clone)]
pub struct Linkage {
    /// Cluster index per input record (0-based, in order of first appearance).
    pub clusters: Vec<u32>,
    /// Candidate pairs at or above `pairs_min_probability`.
    pub pairs: Vec<ScoredPair>,
    /// The model estimated on the records, reusable to score new pairs.
    pub matcher: Matcher,
    /// Figures about the run.
    pub report: LinkReport,
}

/// The result of [`link_two`]: one-to-one matches between the two lists.
#[derive(Debug, Clone)]
pub struct TwoWayLinkage {
    /// Matched `(index in a, index in b, weight)`, strongest first.
    pub matches: Vec<(usize, usize, f64)>,
    /// Candidate pairs at or above `pairs_min_probability`, as (index in a, index in b).
    pub pairs: Vec<ScoredPair>,
    /// The model estimated on the records.
    pub matcher: Matcher,
    /// Figures about the run.
    pub report: LinkReport,
}

pub(crate) fn extra_names(records: &[&[Record]]) -> Result<Vec<String>, LinkageError> {
    let mut names: Vec<String> = Vec::new();
    for list in records {
        for r in list.iter() {
            for (k, _) in &r.extra {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    if names.len() > MAX_FIELDS - crate::compare::FIXED_FIELDS {
        return Err(LinkageError::TooManyExtraFields(names.len()));
    }
    Ok(names)
}

/// Deduplicates one list of records: which records are the same person.
pub fn link(records: &[Record], config: &Config) -> Result<Linkage, LinkageError> {
    link_sourced(records, &[], config)
}

/// [`link`] with the source (organisation) of each record, by index (`sources` empty: all
/// from one source).
pub(crate) fn link_sourced(
    records: &[Record],
    sources: &[u32],
    config: &Config,
) -> Result<Linkage, LinkageError> {
    let extra = extra_names(&[records])?;
    let mut issues = ParseIssues::default();
    let prepared: Vec<Prepared> = records
        .iter()
        .enumerate()
        .map(|(i, r)| prepare(r, &extra, sources.get(i).copied().unwrap_or(0), &mut issues))
        .collect();
    let mut out = run(&prepared, extra, config, false, true, &mut |_| {})?;
    out.report.issues = issues;
    Ok(Linkage {
        clusters: out.clusters,
        pairs: out.pairs,
        matcher: out.matcher,
        report: out.report,
    })
}

/// Links two lists (each assumed free of duplicates): which record of `a` is which of `b`.
pub fn link_two(
    a: &[Record],
    b: &[Record],
    config: &Config,
) -> Result<TwoWayLinkage, LinkageError> {
    let extra = extra_names(&[a, b])?;
    let mut issues = ParseIssues::default();
    let mut prepared: Vec<Prepared> = a
        .iter()
        .map(|r| prepare(r, &extra, 0, &mut issues))
        .collect();
    prepared.extend(b.iter().map(|r| prepare(r, &extra, 1, &mut issues)));
    let mut out = run(&prepared, extra, config, true, true, &mut |_| {})?;
    out.report.issues = issues;
    let n = a.len();
    let fix = |p: ScoredPair| ScoredPair {
        a: p.a.min(p.b),
        b: p.a.max(p.b) - n,
        ..p
    };
    Ok(TwoWayLinkage {
        matches: out
            .matches
            .iter()
            .map(|&(i, j, w)| (i.min(j), i.max(j) - n, w))
            .collect(),
        pairs: out.pairs.into_iter().map(fix).collect(),
        matcher: out.matcher,
        report: out.report,
    })
}

pub(crate) struct RunOutput {
    pub clusters: Vec<u32>,
    pub matches: Vec<(usize, usize, f64)>,
    pub pairs: Vec<ScoredPair>,
    pub matcher: Matcher,
    pub report: LinkReport,
}

/// Deterministic pseudo-random numbers (SplitMix64), so that runs are reproducible.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
}

const CHUNK: usize = 1 << 20;

/// Fewest random pairs sampled to measure chance agreement (see `Config::random_pairs`).
const MIN_RANDOM_PAIRS: usize = 20_000;

pub(crate) fn run(
    records: &[Prepared],
    extra: Vec<String>,
    config: &Config,
    cross_only: bool,
    keep_pairs: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<RunOutput, LinkageError> {
    let n = records.len();
    let n_extra = extra.len();
    progress(Progress {
        stage: Stage::Blocking,
        done: 0,
        total: n as u64,
    });
    // First-round pairs, on which the model is estimated, then the second round's
    // (`blocking::secondary_keys`), scored with it.
    let mut pairs = candidate_pairs(records, &config.blocking, cross_only)?;
    let estimated = pairs.len();
    let more = crate::blocking::secondary_pairs(records, &config.blocking, cross_only, &pairs)?;
    pairs.extend(more);
    let tf = if config.term_frequency {
        TermFrequencies::build(records)
    } else {
        TermFrequencies::default()
    };
    let cmp = |i: usize, j: usize| compare(&records[i], &records[j], n_extra);
    let source_of = |i: usize| records[i].source;
    let blocked = crate::blocking::blocking_fields(&crate::blocking::selective_fields(records));
    run_pairs(
        n,
        &pairs,
        estimated,
        tf,
        extra,
        config,
        (cross_only, keep_pairs),
        progress,
        &cmp,
        &source_of,
        &blocked,
    )
}

/// The pipeline after blocking, on any record representation that can be compared into
/// agreement levels: clear-text records ([`run`]) or keyed Bloom-filter encodings
/// ([`crate::pprl`]). The model is estimated on `pairs[..estimated]`; the pairs after it
/// (blocking's second round) are only scored. `flags` is `(cross_only, keep_pairs)`;
/// `blocked_fields` says which fields blocking selected on (see
/// [`crate::blocking::blocking_fields`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_pairs(
    n: usize,
    pairs: &[u64],
    estimated: usize,
    mut tf: TermFrequencies,
    extra: Vec<String>,
    config: &Config,
    flags: (bool, bool),
    progress: &mut dyn FnMut(Progress),
    cmp: &(dyn Fn(usize, usize) -> Comparison + Sync),
    source_of: &(dyn Fn(usize) -> u32 + Sync),
    blocked_fields: &[bool],
) -> Result<RunOutput, LinkageError> {
    let (cross_only, keep_pairs) = flags;
    let n_extra = extra.len();

    // Compare every candidate pair once; keep its pattern and name-frequency adjustment.
    let mut patterns: Vec<u64> = Vec::with_capacity(pairs.len());
    let mut tf_shares: Vec<TfShares> = Vec::with_capacity(pairs.len());
    for (k, chunk) in pairs.chunks(CHUNK).enumerate() {
        progress(Progress {
            stage: Stage::Comparing,
            done: (k * CHUNK) as u64,
            total: pairs.len() as u64,
        });
        let res: Vec<(u64, TfShares)> = chunk
            .par_iter()
            .map(|&p| {
                let (i, j) = ((p >> 32) as usize, (p & 0xffff_ffff) as usize);
                let c = cmp(i, j);
                (c.pattern(), tf.pair_shares(&c))
            })
            .collect();
        for (p, a) in res {
            patterns.push(p);
            tf_shares.push(a);
        }
    }

    progress(Progress {
        stage: Stage::Estimating,
        done: 0,
        total: 0,
    });
    let mut counts: HashMap<u64, u64> = HashMap::new();
    for &p in &patterns[..estimated] {
        *counts.entry(p).or_insert(0) += 1;
    }
    // Below `em_min_pairs` the built-in prior decides; above, EM estimates the weights,
    // shrunk towards the prior by `em_prior_strength` pseudo-pairs per class.
    let prior = if config.related_class {
        Params::prior(n_extra)
    } else {
        Params::prior(n_extra).without_related()
    };
    let random = (config.random_pairs > 0 && estimated >= config.em_min_pairs)
        .then(|| {
            let samples =
                (estimated / 2).clamp(MIN_RANDOM_PAIRS, config.random_pairs.max(MIN_RANDOM_PAIRS));
            sample_random_pairs(n, cross_only, source_of, samples, cmp)
        })
        .flatten();
    let u_random = random
        .as_ref()
        .map(|(sampled, _)| u_from_sample(&sampled[..prior.fields()]));
    let params = if estimated >= config.em_min_pairs {
        // The starting split: the built-in prior against chance agreement on the whole pair
        // space, with one duplicate per two records expected. Its prior odds of a match
        // fall as the registry grows, as the number of namesakes rises; a fixed rule
        // ("names and birth year agree") would start EM among the namesakes of a large
        // registry.
        let start = match (&u_random, &random) {
            (Some(u), Some((_, all_pairs))) => {
                let mut p0 = to_all_pairs(&prior, u, blocked_fields, 1, 1.0);
                p0.lambda = (n as f64 / 2.0 / all_pairs).clamp(1e-15, 0.5);
                if config.related_class {
                    p0.lambda_related = p0.lambda;
                }
                Some(p0)
            }
            _ => None,
        };
        let is_match = |l: &[u8; MAX_FIELDS]| start.as_ref().is_some_and(|p| p.weight(l) > 0.0);
        let init = seed_params(
            &counts,
            &prior,
            config.related_class,
            start
                .as_ref()
                .map(|_| &is_match as &dyn Fn(&[u8; MAX_FIELDS]) -> bool),
        );
        em(
            &counts,
            init,
            &prior,
            config.em_prior_strength,
            config.em_max_iterations,
            config.em_tolerance,
            u_random.as_deref(),
        )
    } else {
        prior
    };
    let params = match &random {
        Some((_, all_pairs)) => {
            let u = u_random.as_deref().unwrap_or_default();
            to_all_pairs(&params, u, blocked_fields, estimated, *all_pairs)
        }
        None => params,
    };
    // Every pattern seen: those EM counted, and those only the second round's pairs show.
    let mut logs_of: HashMap<u64, [f64; 3]> = counts
        .keys()
        .map(|&p| (p, params.class_logs(&Comparison::levels_of(p))))
        .collect();
    for &p in &patterns[estimated..] {
        logs_of
            .entry(p)
            .or_insert_with(|| params.class_logs(&Comparison::levels_of(p)));
    }
    if random.is_none() {
        tf.calibrate(&tf_shares[..estimated]);
    }
    let same_source = |i: usize, j: usize| {
        if config.same_source_weight != 0.0 && source_of(i) == source_of(j) {
            config.same_source_weight
        } else {
            0.0
        }
    };
    let weights: Vec<f32> = patterns
        .iter()
        .zip(&tf_shares)
        .zip(pairs)
        .map(|((p, a), &pair)| {
            let (i, j) = ((pair >> 32) as usize, (pair & 0xffff_ffff) as usize);
            let w = logs_of
                .get(p)
                .map_or(0.0, |l| Params::adjusted(l, tf.adjustments_of(*a)));
            (w + same_source(i, j)) as f32
        })
        .collect();
    drop(patterns);
    drop(tf_shares);

    let matcher = Matcher { params, tf, extra };
    let threshold_w = (config.threshold / (1.0 - config.threshold).max(1e-12)).log2();
    let min_pair_w =
        (config.pairs_min_probability / (1.0 - config.pairs_min_probability).max(1e-12)).log2();
    let mut edges: Vec<(f32, u32, u32)> = Vec::new();
    let mut scored: Vec<ScoredPair> = Vec::new();
    for (&p, &w) in pairs.iter().zip(&weights) {
        let (i, j) = ((p >> 32) as u32, (p & 0xffff_ffff) as u32);
        if f64::from(w) >= threshold_w {
            edges.push((w, i, j));
        }
        if keep_pairs && f64::from(w) >= min_pair_w {
            scored.push(ScoredPair {
                a: i as usize,
                b: j as usize,
                weight: f64::from(w),
                probability: probability(f64::from(w)),
            });
        }
    }
    let matched_pairs = edges.len();

    progress(Progress {
        stage: Stage::Clustering,
        done: 0,
        total: edges.len() as u64,
    });
    let (clusters, matches) = if cross_only {
        let m = one_to_one(n, edges);
        let mut clusters: Vec<u32> = (0..n as u32).collect();
        for &(i, j, _) in &m {
            clusters[j as usize] = clusters[i as usize];
        }
        let matches = m
            .into_iter()
            .map(|(i, j, w)| (i as usize, j as usize, f64::from(w)))
            .collect();
        (renumber(&clusters), matches)
    } else {
        let scorer = |i: u32, j: u32| {
            let c = cmp(i as usize, j as usize);
            let (g, f) = matcher.tf.adjustments(&c);
            matcher.params.weight_adjusted(&c.levels, g + f) + same_source(i as usize, j as usize)
        };
        (cluster(n, edges, &config.cluster, &scorer), Vec::new())
    };
    let report = LinkReport {
        records: n,
        candidate_pairs: pairs.len(),
        patterns: counts.len(),
        em_iterations: matcher.params.iterations,
        lambda: matcher.params.lambda,
        matched_pairs,
        clusters: clusters.iter().copied().max().map_or(0, |m| m as usize + 1),
        issues: ParseIssues::default(),
    };
    Ok(RunOutput {
        clusters,
        matches,
        pairs: scored,
        matcher,
        report,
    })
}

/// Level counts per field over up to `samples` random record pairs (across sources when
/// `cross_only`), and the number of pairs in the whole pair space. `None` when there are
/// too few pairs to sample.
#[allow(clippy::type_complexity)]
fn sample_random_pairs(
    n: usize,
    cross_only: bool,
    source_of: &(dyn Fn(usize) -> u32 + Sync),
    samples: usize,
    cmp: &(dyn Fn(usize, usize) -> Comparison + Sync),
) -> Option<(Vec<Vec<u64>>, f64)> {
    let all_pairs = if cross_only {
        let mut per: HashMap<u32, f64> = HashMap::new();
        for i in 0..n {
            *per.entry(source_of(i)).or_insert(0.0) += 1.0;
        }
        let nn = n as f64;
        (nn * nn - per.values().map(|c| c * c).sum::<f64>()) / 2.0
    } else {
        n as f64 * (n as f64 - 1.0) / 2.0
    };
    if all_pairs < 1.0 {
        return None;
    }
    const CHUNKS: u64 = 16;
    let per_chunk = samples.div_ceil(CHUNKS as usize);
    let counts = (0..CHUNKS)
        .into_par_iter()
        .map(|c| {
            let mut rng = SplitMix(0x5eed_0000_0000_0000 ^ c.wrapping_mul(0x9e37_79b9));
            let mut counts = vec![vec![0u64; 8]; MAX_FIELDS];
            let mut done = 0;
            let mut tries = 0;
            while done < per_chunk && tries < per_chunk * 20 {
                tries += 1;
                let (i, j) = (rng.below(n), rng.below(n));
                if i == j || (cross_only && source_of(i) == source_of(j)) {
                    continue;
                }
                done += 1;
                let c = cmp(i.min(j), i.max(j));
                for (f, &l) in c.levels.iter().enumerate() {
                    if let Some(x) = counts[f].get_mut(l as usize) {
                        *x += 1;
                    }
                }
            }
            counts
        })
        .reduce(
            || vec![vec![0u64; 8]; MAX_FIELDS],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                a
            },
        );
    let counts = counts
        .into_iter()
        .enumerate()
        .map(|(f, mut row)| {
            row.truncate(crate::compare::Field::from_index(f).levels());
            row
        })
        .collect();
    Some((counts, all_pairs))
}

fn renumber(ids: &[u32]) -> Vec<u32> {
    let mut map: HashMap<u32, u32> = HashMap::new();
    ids.iter()
        .map(|id| {
            let next = map.len() as u32;
            *map.entry(*id).or_insert(next)
        })
        .collect()
}
