//! Pairwise precision, recall and F1 against true person ids.
//!
//! Why pairwise: a count of persons is right only if the right records were put together.
//! Pairwise scores count, over all record pairs, those the engine put in one cluster and
//! those truly of one person; they are the measure used by the FEBRL, Splink and
//! recordlinkage literature, so figures compare with theirs.

use std::collections::HashMap;
use std::hash::Hash;

/// Pairwise evaluation figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairwiseScore {
    /// Pairs both predicted and true.
    pub true_positives: u64,
    /// Pairs predicted (same cluster).
    pub predicted_pairs: u64,
    /// Pairs true (same person).
    pub true_pairs: u64,
    /// `tp / predicted`.
    pub precision: f64,
    /// `tp / true`.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

impl PairwiseScore {
    /// Builds the figures from counts.
    pub fn from_counts(tp: u64, predicted: u64, truth: u64) -> PairwiseScore {
        let precision = if predicted == 0 {
            1.0
        } else {
            tp as f64 / predicted as f64
        };
        let recall = if truth == 0 {
            1.0
        } else {
            tp as f64 / truth as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        PairwiseScore {
            true_positives: tp,
            predicted_pairs: predicted,
            true_pairs: truth,
            precision,
            recall,
            f1,
        }
    }
}

/// Scores a clustering (`predicted[i]` = cluster of record i) against the truth
/// (`truth[i]` = person of record i), in O(n).
pub fn pairwise<C: Eq + Hash, T: Eq + Hash>(predicted: &[C], truth: &[T]) -> PairwiseScore {
    let mut cells: HashMap<(&C, &T), u64> = HashMap::new();
    let mut by_pred: HashMap<&C, u64> = HashMap::new();
    let mut by_true: HashMap<&T, u64> = HashMap::new();
    for (c, t) in predicted.iter().zip(truth) {
        *cells.entry((c, t)).or_insert(0) += 1;
        *by_pred.entry(c).or_insert(0) += 1;
        *by_true.entry(t).or_insert(0) += 1;
    }
    PairwiseScore::from_counts(
        cells.values().map(|&n| pairs(n)).sum(),
        by_pred.values().map(|&n| pairs(n)).sum(),
        by_true.values().map(|&n| pairs(n)).sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs() {
        // Truth: {0,1,2} {3}; predicted: {0,1} {2,3}.
        let s = pairwise(&[1, 1, 2, 2], &["a", "a", "a", "b"]);
        assert_eq!(
            (s.true_positives, s.predicted_pairs, s.true_pairs),
            (1, 2, 3)
        );
        assert!((s.precision - 0.5).abs() < 1e-12);
        assert!((s.recall - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn perfect_clustering() {
        let s = pairwise(&[7, 7, 9], &[1, 1, 2]);
        assert_eq!(s.f1, 1.0);
    }
}
