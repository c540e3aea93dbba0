//! Statistical disclosure control for published figures.
//!
//! A count of a few people in a cell (three Guinean women asylum seekers in a
//! province) can point at someone. A figure published to an audience that is not
//! entitled to case data is protected in two passes:
//!
//! * **primary suppression**: every cell with `0 < value < threshold` is withheld;
//! * **complementary suppression**: a table's cells are bound by additive
//!   constraints (`total = part₁ + … + partₙ`). If a constraint has exactly one
//!   withheld cell, a reader recomputes it from the others, so one more cell of that
//!   constraint is withheld: a non-zero part (a total last), preferring one that
//!   also protects another constraint, then the smallest. Withholding
//!   a cell may expose another constraint, so the pass repeats until every
//!   constraint has zero or at least two withheld cells.
//!
//! Zero cells are not primary-suppressed (an empty cell says nobody is there), and
//! they are chosen as complements only when nothing else remains. Cells that are
//! published elsewhere (a marginal total that another table shows) are *fixed*:
//! they take part in constraints but are never withheld.
//!
//! Which cells are withheld is the same for the same table: ties are broken by
//! position, never by chance.

use serde::Serialize;

/// Who a figure is published to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone: the portal, the published yearly report, open data.
    Public,
    /// Partner organisations and donors, outside case work.
    Partners,
    /// Users entitled to the underlying data: nothing is withheld.
    #[default]
    Internal,
}

impl Audience {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "public" => Some(Self::Public),
            "partners" => Some(Self::Partners),
            "internal" => Some(Self::Internal),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Partners => "partners",
            Self::Internal => "internal",
        }
    }
}

/// The smallest count each audience may see. A threshold of 0 or 1 withholds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub public: u32,
    pub partners: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            public: 5,
            partners: 5,
        }
    }
}

impl Policy {
    pub fn threshold(&self, audience: Audience) -> u32 {
        match audience {
            Audience::Public => self.public,
            Audience::Partners => self.partners,
            Audience::Internal => 0,
        }
    }
}

/// Whether a unit counts people (and so is protected). Services, projects,
/// organisations and meetings are not about identifiable persons.
pub fn unit_is_protected(unit: &str) -> bool {
    matches!(unit, "persons" | "households")
}

/// `total = Σ parts`, as indexes into the table's cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// What happened to a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    Shown,
    /// Below the threshold.
    Primary,
    /// Withheld so that a primary cell cannot be recomputed.
    Complementary,
}

impl CellState {
    pub fn withheld(self) -> bool {
        self != Self::Shown
    }
}

/// Protects a table: `values[i]` is cell `i`, `fixed[i]` marks cells published
/// elsewhere (never withheld; missing entries mean not fixed). Returns a state per cell.
pub fn protect(
    values: &[f64],
    constraints: &[Constraint],
    fixed: &[bool],
    threshold: u32,
) -> Vec<CellState> {
    let is_fixed = |i: usize| fixed.get(i).copied().unwrap_or(false);
    let mut state: Vec<CellState> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if !is_fixed(i) && *v > 0.0 && *v < f64::from(threshold) {
                CellState::Primary
            } else {
                CellState::Shown
            }
        })
        .collect();
    if threshold <= 1 {
        return state;
    }
    // The constraints each cell is in, to prefer complements that close another
    // constraint over ones that open a new one.
    let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
    for (k, c) in constraints.iter().enumerate() {
        for i in std::iter::once(c.total).chain(c.parts.iter().copied()) {
            if let Some(m) = member_of.get_mut(i) {
                m.push(k);
            }
        }
    }
    let withheld_in = |state: &[CellState], c: &Constraint| {
        std::iter::once(c.total)
            .chain(c.parts.iter().copied())
            .filter(|&i| state.get(i).is_some_and(|s| s.withheld()))
            .count()
    };
    // Each pass withholds at least one more cell or stops, so this ends within
    // `values.len()` passes.
    loop {
        let mut changed = false;
        for (k, c) in constraints.iter().enumerate() {
            if withheld_in(&state, c) != 1 {
                continue;
            }
            // Score a candidate by what withholding it does to its other constraints:
            // one with a single withheld cell gets protected (−1), one with none gets
            // a single withheld cell (+1).
            let score = |i: usize| -> i64 {
                member_of[i]
                    .iter()
                    .filter(|&&o| o != k)
                    .map(|&o| match withheld_in(&state, &constraints[o]) {
                        0 => 1,
                        1 => -1,
                        _ => 0,
                    })
                    .sum()
            };
            let open = |i: &usize| *i < values.len() && !is_fixed(*i) && !state[*i].withheld();
            let best = |zero: bool| {
                c.parts
                    .iter()
                    .copied()
                    .filter(open)
                    .filter(|&i| (values[i] == 0.0) == zero)
                    .min_by(|&a, &b| {
                        score(a)
                            .cmp(&score(b))
                            .then(values[a].total_cmp(&values[b]))
                            .then(a.cmp(&b))
                    })
            };
            // The best non-zero part, else a zero part, else the total.
            if let Some(pick) = best(false)
                .or_else(|| best(true))
                .or_else(|| Some(c.total).filter(open))
            {
                state[pick] = CellState::Complementary;
                changed = true;
            }
        }
        if !changed {
            return state;
        }
    }
}

/// The cells and constraints of a table whose lines are combinations of several
/// dimensions (`[("sex","F"),("region","MA-04")]`…) and which has a grand total.
///
/// Each line is a cell; the grand total is the cell after them (`lines.len()`).
/// For one dimension the lines sum to the grand total. For more, every margin (the
/// lines that share all dimensions but one) is assumed published elsewhere: it is
/// added as a fixed cell after the total, with the constraint that its lines sum to
/// it, and the grand total is the sum of all lines. Returns the values, the
/// constraints and the fixed flags to hand to [`protect`]; only the first
/// `lines.len() + 1` states concern the table.
pub fn crossed_table(
    lines: &[(Vec<(String, String)>, f64)],
    total: f64,
) -> (Vec<f64>, Vec<Constraint>, Vec<bool>) {
    let n = lines.len();
    let mut values: Vec<f64> = lines.iter().map(|(_, v)| *v).collect();
    values.push(total);
    let mut fixed = vec![false; n + 1];
    let mut constraints = vec![Constraint {
        total: n,
        parts: (0..n).collect(),
    }];
    let dims = lines.first().map(|(d, _)| d.len()).unwrap_or(0);
    if dims >= 2 {
        for drop in 0..dims {
            let mut margins: std::collections::BTreeMap<Vec<&str>, Vec<usize>> = Default::default();
            for (i, (d, _)) in lines.iter().enumerate() {
                let key: Vec<&str> = d
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != drop)
                    .map(|(_, (_, v))| v.as_str())
                    .collect();
                margins.entry(key).or_default().push(i);
            }
            for parts in margins.into_values() {
                let index = values.len();
                values.push(parts.iter().map(|&i| values[i]).sum());
                fixed.push(true);
                constraints.push(Constraint {
                    total: index,
                    parts,
                });
            }
        }
    }
    (values, constraints, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(dims: &[(&str, &str)], v: f64) -> (Vec<(String, String)>, f64) {
        (
            dims.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            v,
        )
    }

    #[test]
    fn a_small_cell_and_its_complement_are_withheld() {
        // F 3, M 300, total 303: withholding F alone, a reader gets 303 − 300.
        let (values, constraints, fixed) = crossed_table(
            &[line(&[("sex", "F")], 3.0), line(&[("sex", "M")], 300.0)],
            303.0,
        );
        let s = protect(&values, &constraints, &fixed, 5);
        assert_eq!(
            s,
            vec![
                CellState::Primary,
                CellState::Complementary,
                CellState::Shown
            ]
        );
    }

    #[test]
    fn nothing_is_withheld_when_every_cell_is_large_or_zero() {
        let (values, constraints, fixed) = crossed_table(
            &[
                line(&[("sex", "F")], 1606.0),
                line(&[("sex", "M")], 1601.0),
                line(&[("sex", "X")], 0.0),
            ],
            3207.0,
        );
        let s = protect(&values, &constraints, &fixed, 5);
        assert!(s.iter().all(|s| *s == CellState::Shown));
    }

    #[test]
    fn a_small_total_is_withheld_too() {
        let (values, constraints, fixed) = crossed_table(
            &[line(&[("sex", "F")], 2.0), line(&[("sex", "M")], 1.0)],
            3.0,
        );
        let s = protect(&values, &constraints, &fixed, 5);
        assert!(s.iter().all(|s| *s == CellState::Primary));
    }

    #[test]
    fn internal_audience_sees_everything() {
        assert_eq!(Policy::default().threshold(Audience::Internal), 0);
        let s = protect(&[1.0, 2.0, 3.0], &[], &[], 0);
        assert!(s.iter().all(|s| *s == CellState::Shown));
    }

    #[test]
    fn two_dimensions_protect_rows_and_columns() {
        // sex × region; F in MA-04 is 2. Its row (F) and its column (MA-04) each
        // need a second withheld cell, and those create a rectangle.
        let lines = vec![
            line(&[("sex", "F"), ("region", "MA-01")], 40.0),
            line(&[("sex", "F"), ("region", "MA-04")], 2.0),
            line(&[("sex", "F"), ("region", "MA-06")], 30.0),
            line(&[("sex", "M"), ("region", "MA-01")], 50.0),
            line(&[("sex", "M"), ("region", "MA-04")], 20.0),
            line(&[("sex", "M"), ("region", "MA-06")], 60.0),
        ];
        let (values, constraints, fixed) = crossed_table(&lines, 202.0);
        let s = protect(&values, &constraints, &fixed, 5);
        assert_eq!(s[1], CellState::Primary);
        assert_eq!(s[4], CellState::Complementary, "the other sex in MA-04");
        assert_eq!(s[2], CellState::Complementary, "the smallest other F cell");
        assert_eq!(s[5], CellState::Complementary, "closing the rectangle");
        assert_eq!(s[6], CellState::Shown, "the grand total stays");
        for c in &constraints {
            let w = std::iter::once(c.total)
                .chain(c.parts.iter().copied())
                .filter(|&i| s[i].withheld())
                .count();
            assert_ne!(w, 1, "{c:?}");
        }
    }

    #[test]
    fn audiences_parse() {
        assert_eq!(Audience::parse("public"), Some(Audience::Public));
        assert_eq!(Audience::parse("partners"), Some(Audience::Partners));
        assert_eq!(Audience::parse("everyone"), None);
        assert!(unit_is_protected("persons"));
        assert!(!unit_is_protected("services"));
    }

    proptest! {
        /// Whatever the table: every small non-zero cell is withheld, no constraint
        /// is left with exactly one withheld cell unless it cannot be helped (all
        /// its other cells fixed), fixed cells are never withheld.
        #[test]
        fn protection_holds(
            cells in proptest::collection::vec(0u32..40, 1..30),
            width in 1usize..6,
            threshold in 0u32..10,
        ) {
            let width = width.min(cells.len());
            let lines: Vec<_> = cells
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        vec![
                            ("a".to_string(), (i / width).to_string()),
                            ("b".to_string(), (i % width).to_string()),
                        ],
                        f64::from(*v),
                    )
                })
                .collect();
            let total: f64 = lines.iter().map(|(_, v)| v).sum();
            let (values, constraints, fixed) = crossed_table(&lines, total);
            let s = protect(&values, &constraints, &fixed, threshold);
            for (i, v) in values.iter().enumerate() {
                if fixed[i] {
                    prop_assert_eq!(s[i], CellState::Shown);
                } else if *v > 0.0 && *v < f64::from(threshold) {
                    prop_assert_eq!(s[i], CellState::Primary);
                }
            }
            if threshold > 1 {
                for c in &constraints {
                    let members: Vec<usize> =
                        std::iter::once(c.total).chain(c.parts.iter().copied()).collect();
                    let w = members.iter().filter(|&&i| s[i].withheld()).count();
                    let open = members.iter().filter(|&&i| !fixed[i]).count();
                    prop_assert!(w != 1 || open <= 1, "{:?} {:?}", c, s);
                }
            }
        }
    }
}
