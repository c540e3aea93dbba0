//! Clustering that resists chaining.
//!
//! Why not connected components: a household shares a phone and a family name, twins share
//! a birth date and a family name, and the "Mamadou Diallo" born in 1990 are many. With
//! plain transitive closure, one plausible link per step chains them all into one "person".
//! Here edges above the threshold are taken from the strongest down, and two clusters are
//! merged only when the merge is supported as a whole:
//!
//! * the mean match probability over *all* cross pairs of the two clusters (scored on the
//!   fly when blocking did not pair them) is at least `min_mean_probability` — average
//!   linkage, so one shared phone cannot outvote several different birth dates;
//! * no cross pair is a strong contradiction (weight below `cannot_link_weight`, e.g. two
//!   different document numbers, different full birth dates and different given names);
//! * the merged cluster stays within `max_cluster_size`, a bound no real person's
//!   registrations reach and that caps the cost of the checks.

use crate::fellegi_sunter::probability;

/// Most pair scores computed to decide one merge.
const MAX_CHECKS: usize = 256;

/// Clustering settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterConfig {
    /// Minimum mean match probability over all cross pairs for a merge.
    pub min_mean_probability: f64,
    /// A cross pair below this weight (bits) forbids a merge.
    pub cannot_link_weight: f64,
    /// Largest cluster allowed.
    pub max_cluster_size: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            min_mean_probability: 0.5,
            cannot_link_weight: -12.0,
            max_cluster_size: 64,
        }
    }
}

/// Clusters `n` records from edges `(weight, i, j)` already filtered to the threshold.
/// `score(i, j)` gives the weight of any pair. Returns a cluster index per record,
/// numbered from 0 in order of first appearance.
///
/// Public so that pair scores from elsewhere can be clustered the same way the engine
/// clusters its own (`examples/evaluate.rs recluster` measures a supervised yardstick so).
pub fn cluster(
    n: usize,
    mut edges: Vec<(f32, u32, u32)>,
    cfg: &ClusterConfig,
    score: &(dyn Fn(u32, u32) -> f64 + Sync),
) -> Vec<u32> {
    edges.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut owner: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let mut refused: std::collections::HashMap<(u32, u32), usize> =
        std::collections::HashMap::new();
    for (_, i, j) in edges {
        let (ci, cj) = (owner[i as usize], owner[j as usize]);
        if ci == cj {
            continue;
        }
        let (si, sj) = (members[ci as usize].len(), members[cj as usize].len());
        if si + sj > cfg.max_cluster_size {
            continue;
        }
        // A merge refused once is refused again while neither cluster has changed (a
        // cluster only changes by growing): weaker edges between them add nothing.
        let key = (ci.min(cj), ci.max(cj));
        if refused.get(&key) == Some(&(si + sj)) {
            continue;
        }
        if si + sj > 2 {
            let mut total = 0.0;
            let mut ok = true;
            // Large clusters are checked on an even sample of members, which bounds the
            // cost of a merge to MAX_CHECKS scores.
            let pick = |m: &[u32], k: usize| -> Vec<u32> {
                if m.len() <= k {
                    m.to_vec()
                } else {
                    (0..k).map(|t| m[t * m.len() / k]).collect()
                }
            };
            let side = (MAX_CHECKS as f64).sqrt() as usize;
            let xs = pick(&members[ci as usize], side);
            let ys = pick(&members[cj as usize], side);
            let (si, sj) = (xs.len(), ys.len());
            'outer: for &x in &xs {
                for &y in &ys {
                    let w = score(x, y);
                    if w < cfg.cannot_link_weight {
                        ok = false;
                        break 'outer;
                    }
                    total += probability(w);
                }
            }
            if !ok || total / ((si * sj) as f64) < cfg.min_mean_probability {
                refused.insert(key, members[ci as usize].len() + members[cj as usize].len());
                continue;
            }
        }
        let (big, small) = if si >= sj { (ci, cj) } else { (cj, ci) };
        let moved = std::mem::take(&mut members[small as usize]);
        for &x in &moved {
            owner[x as usize] = big;
        }
        members[big as usize].extend(moved);
    }
    let mut ids = vec![u32::MAX; n];
    let mut out = vec![0u32; n];
    let mut next = 0;
    for i in 0..n {
        let o = owner[i] as usize;
        if ids[o] == u32::MAX {
            ids[o] = next;
            next += 1;
        }
        out[i] = ids[o];
    }
    out
}

/// One-to-one assignment for two-file linkage: strongest pairs first, each record used
/// once. Returns the accepted `(i, j)` pairs.
pub(crate) fn one_to_one(n: usize, mut edges: Vec<(f32, u32, u32)>) -> Vec<(u32, u32, f32)> {
    edges.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used = vec![false; n];
    let mut out = Vec::new();
    for (w, i, j) in edges {
        if !used[i as usize] && !used[j as usize] {
            used[i as usize] = true;
            used[j as usize] = true;
            out.push((i, j, w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_phone_does_not_chain_a_household() {
        // 0–1 and 1–2 each look like matches (weight 3), but 0 and 2 contradict (−20).
        let score = |i: u32, j: u32| match (i.min(j), i.max(j)) {
            (0, 1) | (1, 2) => 3.0,
            _ => -20.0,
        };
        let c = cluster(
            3,
            vec![(3.0, 0, 1), (3.0, 1, 2)],
            &ClusterConfig::default(),
            &score,
        );
        assert_eq!(c[0], c[1]);
        assert_ne!(c[1], c[2]);
    }

    #[test]
    fn consistent_groups_merge() {
        let score = |_: u32, _: u32| 5.0;
        let c = cluster(
            4,
            vec![(5.0, 0, 1), (5.0, 2, 3), (5.0, 1, 2)],
            &ClusterConfig::default(),
            &score,
        );
        assert!(c.iter().all(|&x| x == c[0]));
    }

    #[test]
    fn one_to_one_keeps_the_strongest() {
        let m = one_to_one(4, vec![(2.0, 0, 2), (5.0, 0, 3), (4.0, 1, 3)]);
        assert_eq!(m, vec![(0, 3, 5.0)]);
    }
}
