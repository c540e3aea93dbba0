//! Disaggregation dimensions as data: `data/dimensions.json` says which dimensions
//! exist (each is a column of an import file and a `by` of the indicator engine),
//! their labels in French, Arabic and English, which values each accepts and under
//! which spellings, which values form a complete category set (F + M = total), which
//! sets overlap and are never summed (the 2020 report's «femmes / hommes / mineurs /
//! nouveaux-nés»), and how fine age bands roll up into coarse ones.
//!
//! A new legal status category, age band or population group is a line of that file,
//! not a change of code: the import, the entry forms, the engine and the DHIS2/ADX
//! mapping all read [`registry()`].

use crate::Locale;
use crate::framework::Title;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The shipped registry, embedded in the binary.
pub const SHIPPED: &str = include_str!("../../../data/dimensions.json");
const COUNTRIES_CSV: &str = include_str!("../../../data/countries.csv");

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    // A unit test parses the shipped file, so the empty fallback never ships.
    Registry::parse(SHIPPED, COUNTRIES_CSV).unwrap_or_default()
});

/// The dimensions every layer reads.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimensionKind {
    /// Only the listed values.
    Closed,
    /// ISO 3166-1 alpha-2 codes (`data/countries.csv`).
    Country,
    /// The listed values, or any band `15-17`, `60+`.
    Age,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimValue {
    pub code: String,
    pub label: Title,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Values that go together. Complete (a partition: the parts sum to the total)
/// unless `overlapping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySet {
    pub code: String,
    pub label: Title,
    pub values: Vec<String>,
    #[serde(default)]
    pub overlapping: bool,
}

/// Which value of the fine set `from` rolls up into which value of the coarse set `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crosswalk {
    pub from: String,
    pub to: String,
    pub map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub code: String,
    pub label: Title,
    pub kind: DimensionKind,
    #[serde(default)]
    pub values: Vec<DimValue>,
    #[serde(default)]
    pub sets: Vec<CategorySet>,
    #[serde(default)]
    pub crosswalks: Vec<Crosswalk>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    dimensions: Vec<Dimension>,
    /// ISO 3166-1 alpha-2 → names, for `country` dimensions.
    countries: BTreeMap<String, Title>,
}

#[derive(Deserialize)]
struct RegistryFile {
    dimensions: Vec<Dimension>,
}

/// How the reported values of one dimension fold into a coarse category set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rollup {
    /// The coarse set's code (`age-2`).
    pub set: String,
    /// Reported value → coarse value, for every value that maps (coarse values map
    /// to themselves).
    pub map: BTreeMap<String, String>,
    /// Reported values that fall in no coarse value (`15-24` straddles minor/adult).
    pub unmapped: Vec<String>,
}

impl Rollup {
    /// Whether any fine value was folded (otherwise the lines are as reported).
    pub fn folds(&self) -> bool {
        self.map.iter().any(|(k, v)| k != v)
    }
}

/// Lower-case without the accents French spellings carry, so `Réfugiés`, `refugies`
/// and `RÉFUGIÉS` are one alias.
fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '’' => '\'',
            '–' => '-',
            c => c,
        })
        .collect()
}

/// An age band's years, inclusive: `15-17` → (15, Some(17)), `60+` → (60, None).
pub fn age_band(s: &str) -> Option<(u32, Option<u32>)> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(a) = s.strip_suffix('+') {
        return digits(a)
            .then(|| (a.parse().ok(), None))
            .and_then(|(a, b)| Some((a?, b)));
    }
    let (a, b) = s.split_once('-')?;
    if !(digits(a) && digits(b)) {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some((a, Some(b)))
}

impl Registry {
    /// Parses a registry and checks it whole: every problem, with its place.
    pub fn parse(json: &str, countries_csv: &str) -> Result<Registry, Vec<String>> {
        let file: RegistryFile = serde_json::from_str(json).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        let mut codes = BTreeSet::new();
        for (i, d) in file.dimensions.iter().enumerate() {
            let at = format!("dimensions[{i}] ({})", d.code);
            if d.code.is_empty()
                || !d.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                || ["territory", "organisation"].contains(&d.code.as_str())
            {
                problems.push(format!("{at}.code: not a dimension code"));
            }
            if !codes.insert(d.code.clone()) {
                problems.push(format!("{at}.code: defined twice"));
            }
            let mut spellings: BTreeMap<String, String> = BTreeMap::new();
            for v in &d.values {
                for s in std::iter::once(&v.code).chain(&v.aliases) {
                    if let Some(other) = spellings.insert(fold(s), v.code.clone())
                        && other != v.code
                    {
                        problems.push(format!("{at}: «{s}» names both {other} and {}", v.code));
                    }
                }
                if v.code.contains([';', '=', ',']) {
                    problems.push(format!("{at}: value {} has a reserved character", v.code));
                }
            }
            let known = |v: &str| d.values.iter().any(|x| x.code == v);
            for s in &d.sets {
                for v in s.values.iter().filter(|v| !known(v)) {
                    problems.push(format!("{at}.sets.{}: unknown value {v}", s.code));
                }
            }
            let set = |code: &str| d.sets.iter().find(|s| s.code == code);
            for c in &d.crosswalks {
                let (Some(from), Some(to)) = (set(&c.from), set(&c.to)) else {
                    problems.push(format!(
                        "{at}.crosswalks: unknown set {} or {}",
                        c.from, c.to
                    ));
                    continue;
                };
                if from.overlapping || to.overlapping {
                    problems.push(format!(
                        "{at}.crosswalks: {} → {} involves an overlapping set",
                        c.from, c.to
                    ));
                }
                for v in &from.values {
                    match c.map.get(v) {
                        Some(t) if to.values.contains(t) => {}
                        _ => problems.push(format!(
                            "{at}.crosswalks: {v} of {} maps to no value of {}",
                            c.from, c.to
                        )),
                    }
                }
            }
        }
        let mut countries = BTreeMap::new();
        let mut reader = csv::Reader::from_reader(countries_csv.as_bytes());
        for rec in reader.records().flatten() {
            if let (Some(a2), Some(fr)) = (rec.get(0), rec.get(2)) {
                countries.insert(
                    a2.to_string(),
                    Title {
                        fr: fr.to_string(),
                        ar: rec.get(3).map(str::to_string),
                        en: rec.get(4).map(str::to_string),
                    },
                );
            }
        }
        if problems.is_empty() {
            Ok(Registry {
                dimensions: file.dimensions,
                countries,
            })
        } else {
            Err(problems)
        }
    }

    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The dimension codes, in the file's order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.dimensions.iter().map(|d| d.code.as_str())
    }

    pub fn get(&self, code: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.code == code)
    }

    pub fn is_dimension(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// A cell value checked and put in its canonical spelling (`femmes` → `F`,
    /// `Réfugiés` → `refugee`, `gn` → `GN`, `15-17`).
    pub fn normalise(&self, dimension: &str, raw: &str) -> Option<String> {
        let d = self.get(dimension)?;
        let v = raw.trim();
        let folded = fold(v);
        if let Some(found) = d.values.iter().find(|x| {
            fold(&x.code) == folded
                || x.aliases.iter().any(|a| fold(a) == folded)
                || [&x.label.fr, x.label.en.as_ref().unwrap_or(&x.label.fr)]
                    .iter()
                    .any(|l| fold(l) == folded)
        }) {
            return Some(found.code.clone());
        }
        match d.kind {
            DimensionKind::Closed => None,
            DimensionKind::Country => {
                let up = v.to_ascii_uppercase();
                self.countries.contains_key(&up).then_some(up)
            }
            DimensionKind::Age => {
                let band = folded.replace(' ', "");
                age_band(&band).map(|_| band)
            }
        }
    }

    /// The dimension's name in `locale`.
    pub fn label(&self, dimension: &str, locale: Locale) -> Option<&str> {
        self.get(dimension).map(|d| d.label.pick(locale))
    }

    /// A value's label in `locale` (a country's name for nationality), when known.
    pub fn value_label(&self, dimension: &str, value: &str, locale: Locale) -> Option<&str> {
        let d = self.get(dimension)?;
        if let Some(v) = d.values.iter().find(|v| v.code == value) {
            return Some(v.label.pick(locale));
        }
        match d.kind {
            DimensionKind::Country => self.countries.get(value).map(|t| t.pick(locale)),
            _ => None,
        }
    }
}

impl Dimension {
    /// The set `code`.
    pub fn set(&self, code: &str) -> Option<&CategorySet> {
        self.sets.iter().find(|s| s.code == code)
    }

    /// The values a form offers as columns: the first complete set's.
    pub fn entry_values(&self) -> Vec<&str> {
        self.sets
            .iter()
            .find(|s| !s.overlapping)
            .map(|s| s.values.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether these values belong to an overlapping set (and so are never summed).
    pub fn overlapping(&self, values: &[&str]) -> bool {
        self.sets
            .iter()
            .filter(|s| s.overlapping)
            .any(|s| values.iter().any(|v| s.values.iter().any(|x| x == v)))
    }

    /// How the `present` values fold into a coarse set: into `target` when named,
    /// otherwise into the coarse side of a crosswalk when the values are mixed (some
    /// coarse, some finer). `None` when nothing needs folding.
    pub fn rollup(&self, present: &[&str], target: Option<&str>) -> Option<Rollup> {
        let walk = match target {
            Some(t) => self.crosswalks.iter().find(|c| c.to == t),
            None => self.crosswalks.iter().find(|c| {
                let to = self.set(&c.to).map(|s| &s.values);
                let in_to = |v: &&str| to.is_some_and(|s| s.iter().any(|x| x == v));
                present.iter().any(in_to) && present.iter().any(|v| !in_to(v))
            }),
        }?;
        let to = self.set(&walk.to)?;
        // A coarse value's years, from the fine bands that make it up.
        let mut span: BTreeMap<&str, (u32, Option<u32>)> = BTreeMap::new();
        for (fine, coarse) in &walk.map {
            if let Some((a, b)) = age_band(fine) {
                let e = span.entry(coarse.as_str()).or_insert((a, b));
                e.0 = e.0.min(a);
                e.1 = match (e.1, b) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    _ => None,
                };
            }
        }
        let mut rollup = Rollup {
            set: to.code.clone(),
            ..Default::default()
        };
        for v in present {
            let mapped = if to.values.iter().any(|x| x == v) {
                Some(v.to_string())
            } else if let Some(c) = walk.map.get(*v) {
                Some(c.clone())
            } else if let Some((a, b)) = age_band(v) {
                // A partner's own band maps when it lies inside one coarse value.
                span.iter()
                    .find(|(_, (lo, hi))| {
                        a >= *lo
                            && match (b, hi) {
                                (_, None) => true,
                                (Some(b), Some(hi)) => b <= *hi,
                                (None, Some(_)) => false,
                            }
                    })
                    .map(|(c, _)| c.to_string())
            } else {
                None
            };
            match mapped {
                Some(c) => {
                    rollup.map.insert(v.to_string(), c);
                }
                None => rollup.unmapped.push(v.to_string()),
            }
        }
        Some(rollup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_registry_parses_whole() {
        let r = Registry::parse(SHIPPED, COUNTRIES_CSV);
        assert!(r.is_ok(), "{:?}", r.err());
        let codes: Vec<&str> = registry().codes().collect();
        for d in [
            "sex",
            "age",
            "status",
            "nationality",
            "school_level",
            "group",
        ] {
            assert!(codes.contains(&d), "{d} in {codes:?}");
        }
    }

    #[test]
    fn values_are_normalised_from_any_known_spelling() {
        let r = registry();
        let cases = [
            ("sex", "femmes", Some("F")),
            ("sex", "Femmes", Some("F")),
            ("sex", "H", Some("M")),
            ("sex", "male", Some("M")),
            ("sex", "X", None),
            ("age", "Mineurs", Some("minor")),
            ("age", "15-17", Some("15-17")),
            ("age", "50+", Some("50+")),
            ("age", "17-15", None),
            ("age", "old", None),
            ("status", "Réfugiés", Some("refugee")),
            ("status", "REFUGEE", Some("refugee")),
            ("status", "alien", None),
            ("nationality", "gn", Some("GN")),
            ("nationality", "XX", None),
            ("school_level", "Collège", Some("college")),
            ("group", "nouveaux-nés", Some("newborns")),
            ("colour", "red", None),
        ];
        for (dim, raw, expected) in cases {
            assert_eq!(r.normalise(dim, raw).as_deref(), expected, "{dim}={raw}");
        }
    }

    #[test]
    fn labels_come_in_three_languages() {
        let r = registry();
        assert_eq!(
            r.value_label("sex", "F", Locale::Fr),
            Some("Femmes / filles")
        );
        assert_eq!(r.value_label("sex", "F", Locale::Ar), Some("نساء / فتيات"));
        assert_eq!(r.value_label("age", "minor", Locale::En), Some("Minors"));
        assert_eq!(
            r.value_label("nationality", "GN", Locale::Fr),
            Some("Guinée")
        );
        assert_eq!(r.label("school_level", Locale::En), Some("School level"));
        assert_eq!(r.value_label("age", "50+", Locale::Fr), None);
    }

    #[test]
    fn fine_bands_roll_up_and_straddling_ones_do_not() {
        let age = registry().get("age").unwrap();
        let r = age
            .rollup(&["minor", "adult", "0-14", "15-17", "18-24", "60+"], None)
            .unwrap();
        assert_eq!(r.set, "age-2");
        assert_eq!(r.map["0-14"], "minor");
        assert_eq!(r.map["15-17"], "minor");
        assert_eq!(r.map["60+"], "adult");
        assert_eq!(r.map["adult"], "adult");
        assert!(r.folds() && r.unmapped.is_empty());
        // A partner's own bands: inside a coarse value, or straddling a boundary.
        let r = age
            .rollup(&["minor", "0-4", "15-24", "30-39"], None)
            .unwrap();
        assert_eq!(r.map["0-4"], "minor");
        assert_eq!(r.map["30-39"], "adult");
        assert_eq!(r.unmapped, vec!["15-24"]);
        // Only coarse values, or only fine ones: nothing to fold unless asked.
        assert_eq!(age.rollup(&["minor", "adult"], None), None);
        assert_eq!(age.rollup(&["0-14", "15-17"], None), None);
        let asked = age.rollup(&["0-14", "15-17"], Some("age-2")).unwrap();
        assert_eq!(asked.map["15-17"], "minor");
        assert!(
            registry()
                .get("sex")
                .unwrap()
                .rollup(&["F"], None)
                .is_none()
        );
    }

    #[test]
    fn case_records_count_into_the_registrys_categories() {
        // People counted from case records land on the same lines as partners' figures.
        for s in crate::casework::person::LegalStatus::ALL {
            let c = s.indicator_category();
            assert_eq!(
                registry().normalise("status", c).as_deref(),
                Some(c),
                "{s:?}"
            );
        }
        for v in ["F", "M"] {
            assert_eq!(registry().normalise("sex", v).as_deref(), Some(v));
        }
    }

    #[test]
    fn overlapping_sets_are_flagged() {
        let group = registry().get("group").unwrap();
        assert!(group.overlapping(&["women", "minors"]));
        assert!(!registry().get("sex").unwrap().overlapping(&["F", "M"]));
        assert_eq!(
            registry().get("sex").unwrap().entry_values(),
            vec!["F", "M"]
        );
    }

    #[test]
    fn a_bad_registry_says_every_problem_and_where() {
        let bad = r#"{"dimensions": [
            {"code": "sex", "label": {"fr": "Sexe"}, "kind": "closed",
             "values": [{"code": "F", "label": {"fr": "F"}, "aliases": ["x"]},
                        {"code": "M", "label": {"fr": "M"}, "aliases": ["x"]}],
             "sets": [{"code": "s", "label": {"fr": "s"}, "values": ["F", "Q"]}],
             "crosswalks": [{"from": "s", "to": "nope", "map": {}}]},
            {"code": "sex", "label": {"fr": "Sexe"}, "kind": "closed"},
            {"code": "territory", "label": {"fr": "T"}, "kind": "closed"}]}"#;
        let problems = Registry::parse(bad, "").unwrap_err();
        for expected in [
            "names both F and M",
            "sets.s: unknown value Q",
            "unknown set s or nope",
            "dimensions[1] (sex).code: defined twice",
            "dimensions[2] (territory).code: not a dimension code",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected}: {problems:?}"
            );
        }
    }
}
