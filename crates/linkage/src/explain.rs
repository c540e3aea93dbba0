//! Explanations: which fields agreed, at which level, with which weight.
//!
//! Why: a social worker shown "this may be the same person" must see why (same phone and
//! birth year, given name an equivalent spelling, family name different) before merging
//! two files about a real person; a reviewer auditing a published count must be able to
//! follow each link. Every scored pair carries its per-field contributions against
//! unrelated persons (`log2(m/u)`, names adjusted by their frequency) and, when the pair
//! also looks like relatives (a household sharing a phone and a family name, twins), an
//! entry [`RELATIVES`] with what that takes off; these plus the prior
//! ([`Params::prior_bits`]) are the pair's weight (entries under 0.1 bit left out).

use std::fmt::Write as _;

use crate::compare::{Comparison, Field};
use crate::fellegi_sunter::{Params, probability};

/// The explanation's entry, after the fields, for what the related class takes off (see
/// [`crate::fellegi_sunter::PatternScore::related`]): level `household_or_twins`.
pub const RELATIVES: &str = "relatives";

/// The related class's share is shown when it takes off more than this many bits.
const RELATED_SHOWN: f64 = 0.1;

/// One field's contribution to a pair's score.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAgreement {
    /// Field name (`given_name`, `birth_date`, or an extra field's name).
    pub field: String,
    /// Agreement level (`exact`, `equivalent`, `similar`, `year_only`, `different`, `missing`…).
    pub level: &'static str,
    /// Contribution in bits (`log2(m/u)`, plus the term-frequency adjustment for names; for
    /// [`RELATIVES`], what the related class takes off).
    pub weight: f64,
}

/// The score of a record pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairScore {
    /// Match weight in bits, prior included: positive means "more likely the same person".
    pub weight: f64,
    /// Posterior probability of a match.
    pub probability: f64,
    /// True when names matched with given and family crossed.
    pub swapped: bool,
    /// Per-field contributions (missing fields included with weight 0).
    pub explanation: Vec<FieldAgreement>,
}

/// The stable name of a field.
pub fn field_name(field: Field, extra_names: &[String]) -> String {
    match field {
        Field::GivenName => "given_name".into(),
        Field::FamilyName => "family_name".into(),
        Field::BirthDate => "birth_date".into(),
        Field::Sex => "sex".into(),
        Field::Phone => "phone".into(),
        Field::Document => "document_number".into(),
        Field::Nationality => "nationality".into(),
        Field::City => "city".into(),
        Field::Extra(i) => extra_names
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("extra_{i}")),
    }
}

pub(crate) fn score(
    c: &Comparison,
    params: &Params,
    tf: (f64, f64),
    extra_names: &[String],
) -> PairScore {
    let mut explanation = Vec::with_capacity(params.fields() + 1);
    let ps = params.score_adjusted(&c.levels, tf.0 + tf.1);
    let weight = ps.weight;
    for f in 0..params.fields() {
        let field = Field::from_index(f);
        let level = c.levels[f];
        let mut w = ps.fields.get(f).copied().unwrap_or(0.0);
        if f == 0 {
            w += tf.0;
        } else if f == 1 {
            w += tf.1;
        }
        explanation.push(FieldAgreement {
            field: field_name(field, extra_names),
            level: field.level_name(level),
            weight: w,
        });
    }
    if ps.related < -RELATED_SHOWN {
        explanation.push(FieldAgreement {
            field: RELATIVES.into(),
            level: "household_or_twins",
            weight: ps.related,
        });
    }
    PairScore {
        weight,
        probability: probability(weight),
        swapped: c.swapped,
        explanation,
    }
}

/// Formats an explanation compactly: `given_name=exact:+5.2;phone=different:-1.3`, with
/// missing fields left out and `names_swapped` first when given and family were crossed.
pub fn format_explanation(score: &PairScore) -> String {
    let mut s = String::new();
    if score.swapped {
        s.push_str("names_swapped;");
    }
    for a in score.explanation.iter().filter(|a| a.level != "missing") {
        let _ = write!(s, "{}={}:{:+.1};", a.field, a.level, a.weight);
    }
    s.pop();
    s
}
