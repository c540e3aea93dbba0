//! The yearly report: the five narrative sections a programme's focal points write,
//! the frozen data version (snapshot) a report is generated from, and the report as a
//! reader sees it in one language ([`Document`]), which the web layer renders as HTML
//! and `crates/report` as PDF.
//!
//! A snapshot is plain data: every figure the report prints with its sources, the
//! approved narratives, and the follow-up items carried from the year before. Its
//! content hash ([`content_hash`]) is over the canonical JSON, so two reports from the
//! same snapshot print the same figures and can both cite it.

use crate::framework::Title;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The five sections of a programme's narrative, in the 2020 report's order
/// (seed `004_…`: «Activités menées en 2020», «Mesures prises pendant le confinement»,
/// «Défis et contraintes», «Mesures prévues pour 2021», «Recommandations»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Activities,
    Exceptional,
    Challenges,
    Planned,
    Recommendations,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Activities,
        Section::Exceptional,
        Section::Challenges,
        Section::Planned,
        Section::Recommendations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Activities => "activities",
            Section::Exceptional => "exceptional",
            Section::Challenges => "challenges",
            Section::Planned => "planned",
            Section::Recommendations => "recommendations",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the section's lines become follow-up items for the next year.
    pub fn is_tracked(self) -> bool {
        matches!(self, Section::Planned | Section::Recommendations)
    }
}

/// One section's text: French (the authority) and, optionally, Arabic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionText {
    pub fr: String,
    #[serde(default)]
    pub ar: String,
}

/// The longest text a section may hold (characters).
pub const SECTION_MAX: usize = 20_000;

/// The lines of a "planned measures" or "recommendations" section that become
/// follow-up items, bullets («-», «▶», «•», «*») removed. When the section has
/// bulleted lines, only those are items (the paragraphs around them introduce or
/// comment the list, as in the 2020 report); otherwise every non-empty line is one.
/// A line that ends with ':' introduces a list and is never an item.
pub fn followup_items(text: &str) -> Vec<String> {
    const BULLETS: [char; 5] = ['-', '▶', '•', '*', '–'];
    let bulleted = text.lines().any(|l| l.trim_start().starts_with(BULLETS));
    text.lines()
        .filter(|l| !bulleted || l.trim_start().starts_with(BULLETS))
        .map(|l| {
            l.trim_start_matches(|c: char| BULLETS.contains(&c) || c.is_whitespace())
                .trim_end()
        })
        .filter(|l| !l.is_empty() && !l.ends_with(':'))
        .map(str::to_string)
        .collect()
}

/// The status of a follow-up item.
pub const FOLLOWUP_STATUSES: [&str; 4] = ["open", "in_progress", "done", "dropped"];

/// SHA-256 of a snapshot's canonical JSON, hex.
pub fn content_hash(content: &SnapshotContent) -> String {
    let text = serde_json::to_vec(content).unwrap_or_default();
    hex::encode(Sha256::digest(&text))
}

/// Everything a report prints, frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotContent {
    pub year: i32,
    pub framework: String,
    pub framework_title: Title,
    /// Programmes in the framework's order, with their strategic objective.
    pub programmes: Vec<SnapProgramme>,
    pub narratives: Vec<SnapNarrative>,
    pub figures: Vec<SnapFigure>,
    /// Items from the previous year's approved narratives, with their status when frozen.
    pub followups: Vec<SnapFollowup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapProgramme {
    pub code: String,
    pub title: Title,
    pub objective_code: String,
    pub objective_title: Title,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapNarrative {
    pub narrative_id: i64,
    pub node_code: String,
    pub organisation_code: String,
    pub organisation_name: String,
    /// The organisation's name in the three languages, when known.
    #[serde(default)]
    pub organisation_title: Title,
    pub approved_at: String,
    /// (section, text) in [`Section::ALL`] order; empty sections are left out.
    pub sections: Vec<(Section, SectionText)>,
}

/// One table of the report: an indicator for one period, broken down one way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapFigure {
    pub indicator: String,
    pub title: Title,
    pub unit: String,
    pub programme: String,
    pub period: String,
    /// `territory`, a dimension (`sex`, `age`, `school_level`), or `period` for a series.
    pub breakdown: String,
    pub rows: Vec<SnapRow>,
    pub total: Option<SnapRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapRow {
    /// The breakdown's value (`MA-04`, `F`, `2019`); empty for the total.
    pub key: String,
    pub label: Title,
    pub value: f64,
    /// `exact`, `at_least`, `about`.
    pub qualifier: String,
    pub sources: Vec<SnapSource>,
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SnapSource {
    /// `submission` (a focal point's form), `import` (a file), `records` (counted
    /// from case records).
    pub kind: String,
    pub organisation: String,
    pub period: String,
    /// The submission id, the file and line, or the counting rule.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapFollowup {
    pub item_id: i64,
    pub node_code: String,
    pub organisation_code: String,
    pub section: Section,
    pub text: String,
    pub status: String,
}

/// A snapshot as listed: id, year, label, when, hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    pub snapshot_id: i64,
    pub year: i32,
    pub label: String,
    pub content_hash: String,
    pub created_at: String,
}

/// The report in one language, ready to render (HTML or PDF): every string already
/// translated and every number formatted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub lang: String,
    pub rtl: bool,
    pub title: String,
    pub subtitle: String,
    /// The title page's citation of the snapshot.
    pub snapshot_line: String,
    pub hash_line: String,
    pub audience_line: String,
    pub contents_title: String,
    pub objectives: Vec<DocObjective>,
    pub followup_title: String,
    pub followups: Vec<DocFollowup>,
    pub annex_title: String,
    /// Numbered sources (1-based in the text).
    pub sources: Vec<String>,
    pub labels: DocLabels,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocLabels {
    pub total: String,
    pub value: String,
    pub sources: String,
    pub suppressed_note: String,
    pub fallback_note: String,
    pub no_narrative: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocObjective {
    pub heading: String,
    pub programmes: Vec<DocProgramme>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocProgramme {
    pub code: String,
    pub heading: String,
    pub narratives: Vec<DocNarrative>,
    pub tables: Vec<DocTable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocNarrative {
    pub organisation: String,
    pub parts: Vec<DocPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocPart {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// The Arabic text is missing and the French is shown instead (said so).
    pub fallback: bool,
}

/// A table as a grid with totals, so disclosure control can suppress cells and their
/// complements: `rows` × one value column, and the total row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocTable {
    pub number: usize,
    pub caption: String,
    pub column: String,
    pub rows: Vec<DocRow>,
    pub total: Option<DocRow>,
    /// Inline SVG (bars), when the table has two lines or more.
    pub chart_svg: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRow {
    pub label: String,
    /// Formatted; the suppression mark when suppressed.
    pub value: String,
    pub raw: f64,
    pub suppressed: bool,
    /// 1-based numbers into [`Document::sources`].
    pub sources: Vec<usize>,
}

impl DocRow {
    /// "[1, 3]" for the footnote call.
    pub fn source_refs(&self) -> String {
        let n: Vec<String> = self.sources.iter().map(|s| s.to_string()).collect();
        format!("[{}]", n.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocFollowup {
    pub programme: String,
    pub section: String,
    pub text: String,
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_the_lines_without_bullets() {
        let text = "Malgré la crise, une flexibilité a été notée.\nToutefois certaines recommandations sont à énumérer :\n\n- ▶ Poursuivre l'adaptation des outils.\n▶ Renforcer les capacités.\n   \n• Exploiter de nouvelles sources";
        assert_eq!(
            followup_items(text),
            vec![
                "Poursuivre l'adaptation des outils.",
                "Renforcer les capacités.",
                "Exploiter de nouvelles sources"
            ]
        );
        assert!(followup_items("  \n\n").is_empty());
        // Without bullets, every line is an item.
        assert_eq!(followup_items("Un.\n\nDeux."), vec!["Un.", "Deux."]);
    }

    #[test]
    fn sections_round_trip_and_only_two_are_tracked() {
        for s in Section::ALL {
            assert_eq!(Section::parse(s.as_str()), Some(s));
        }
        assert_eq!(Section::parse("conclusion"), None);
        let tracked: Vec<_> = Section::ALL
            .into_iter()
            .filter(|s| s.is_tracked())
            .collect();
        assert_eq!(tracked, vec![Section::Planned, Section::Recommendations]);
    }

    #[test]
    fn the_hash_changes_with_any_figure() {
        let mut c = SnapshotContent {
            year: 2020,
            framework: "SNIA".into(),
            framework_title: Title::default(),
            programmes: vec![],
            narratives: vec![],
            figures: vec![],
            followups: vec![],
        };
        let h1 = content_hash(&c);
        assert_eq!(h1, content_hash(&c.clone()));
        assert_eq!(h1.len(), 64);
        c.year = 2021;
        assert_ne!(h1, content_hash(&c));
    }
}
