//! Assessment forms defined as data: sections, fields, types, options, required,
//! conditions, labels in French, Arabic and English, a version.
//!
//! A form is JSON (the default "évaluation, orientation et suivi" form ships in
//! `data/forms/`). Answers are text keyed by field code; [`FormDef::check`] keeps the
//! answers of visible fields, drops those of hidden ones and lists every problem.
//! Sections carry a `sensitive` flag (health, violence, trafficking…): their answers are
//! encrypted at rest, and a referral shares sections by code.

use crate::ErrorCode;
use crate::framework::Title;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Textarea,
    YesNo,
    Select,
    MultiSelect,
    Date,
    Number,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: Title,
}

/// Show a field only when another field has one of these answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub field: String,
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub code: String,
    pub kind: FieldKind,
    pub label: Title,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionDef {
    pub code: String,
    pub title: Title,
    #[serde(default)]
    pub sensitive: bool,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormDef {
    pub code: String,
    pub version: u32,
    pub title: Title,
    pub sections: Vec<SectionDef>,
}

/// A problem with an answer, or with the form definition itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormIssue {
    pub field: String,
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Answers keyed by field code; a multi-select's answer is its codes joined by `|`.
pub type Answers = BTreeMap<String, String>;

impl FormDef {
    pub fn from_json(text: &str) -> Result<FormDef, Vec<FormIssue>> {
        let def: FormDef = serde_json::from_str(text).map_err(|e| {
            vec![FormIssue {
                field: format!("line {}", e.line()),
                code: ErrorCode::Format,
                value: Some(e.to_string()),
            }]
        })?;
        let issues = def.validate();
        if issues.is_empty() {
            Ok(def)
        } else {
            Err(issues)
        }
    }

    /// Checks the definition: unique codes, options for choices, conditions that point
    /// at an earlier field.
    pub fn validate(&self) -> Vec<FormIssue> {
        let mut issues = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut sections: Vec<&str> = Vec::new();
        let issue = |field: &str, code| FormIssue {
            field: field.to_string(),
            code,
            value: None,
        };
        for s in &self.sections {
            if sections.contains(&s.code.as_str()) {
                issues.push(issue(&s.code, ErrorCode::AlreadyExists));
            }
            sections.push(&s.code);
            for f in &s.fields {
                if seen.contains(&f.code.as_str()) {
                    issues.push(issue(&f.code, ErrorCode::AlreadyExists));
                }
                if matches!(f.kind, FieldKind::Select | FieldKind::MultiSelect)
                    && f.options.is_empty()
                {
                    issues.push(issue(&f.code, ErrorCode::Required));
                }
                if let Some(c) = &f.show_if
                    && !seen.contains(&c.field.as_str())
                {
                    issues.push(issue(&f.code, ErrorCode::UnknownValue));
                }
                seen.push(&f.code);
            }
        }
        issues
    }

    pub fn section(&self, code: &str) -> Option<&SectionDef> {
        self.sections.iter().find(|s| s.code == code)
    }

    pub fn section_of(&self, field: &str) -> Option<&SectionDef> {
        self.sections
            .iter()
            .find(|s| s.fields.iter().any(|f| f.code == field))
    }

    /// Whether `field` is shown given the `answers`.
    pub fn visible(field: &FieldDef, answers: &Answers) -> bool {
        match &field.show_if {
            None => true,
            Some(c) => answers
                .get(&c.field)
                .is_some_and(|a| a.split('|').any(|v| c.any_of.iter().any(|o| o == v))),
        }
    }

    /// Keeps the answers of visible fields (trimmed, empty dropped) and lists every
    /// problem: a required field left empty, an option not in the list, a date or a
    /// number that is not one.
    pub fn check(&self, raw: &Answers) -> Result<Answers, Vec<FormIssue>> {
        let mut kept = Answers::new();
        let mut issues = Vec::new();
        for s in &self.sections {
            for f in &s.fields {
                if !Self::visible(f, &kept) {
                    continue;
                }
                let v = raw.get(&f.code).map(|v| v.trim()).unwrap_or("");
                if v.is_empty() {
                    if f.required {
                        issues.push(FormIssue {
                            field: f.code.clone(),
                            code: ErrorCode::Required,
                            value: None,
                        });
                    }
                    continue;
                }
                let bad = |code| FormIssue {
                    field: f.code.clone(),
                    code,
                    value: Some(v.to_string()),
                };
                let known = |c: &str| f.options.iter().any(|o| o.code == c);
                let ok = match f.kind {
                    FieldKind::Text => v.chars().count() <= 500,
                    FieldKind::Textarea => v.chars().count() <= 10_000,
                    FieldKind::YesNo => matches!(v, "yes" | "no"),
                    FieldKind::Select => known(v),
                    FieldKind::MultiSelect => v.split('|').all(known),
                    FieldKind::Date => {
                        v.len() == 10
                            && v.chars().enumerate().all(|(i, c)| {
                                if i == 4 || i == 7 {
                                    c == '-'
                                } else {
                                    c.is_ascii_digit()
                                }
                            })
                    }
                    FieldKind::Number => {
                        v.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite)
                    }
                };
                if ok {
                    kept.insert(f.code.clone(), v.to_string());
                } else {
                    issues.push(bad(match f.kind {
                        FieldKind::Select | FieldKind::MultiSelect | FieldKind::YesNo => {
                            ErrorCode::UnknownValue
                        }
                        FieldKind::Text | FieldKind::Textarea => ErrorCode::Length,
                        _ => ErrorCode::Format,
                    }));
                }
            }
        }
        if issues.is_empty() {
            Ok(kept)
        } else {
            Err(issues)
        }
    }

    /// The answers that belong to the given sections (what a referral shares).
    pub fn only_sections(&self, answers: &Answers, sections: &[String]) -> Answers {
        answers
            .iter()
            .filter(|(k, _)| {
                self.section_of(k)
                    .is_some_and(|s| sections.iter().any(|c| c == &s.code))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// What a version of a form changes from an older one, by field code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Same code, another type, label, options, requirement, condition or section.
    pub changed: Vec<String>,
}

impl FormChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl FormDef {
    /// Every field with the code of its section.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldDef)> {
        self.sections
            .iter()
            .flat_map(|s| s.fields.iter().map(move |f| (s.code.as_str(), f)))
    }

    /// The fields this version adds, removes and changes compared with `older`.
    pub fn changes_from(&self, older: &FormDef) -> FormChanges {
        let mut c = FormChanges::default();
        for (section, f) in self.fields() {
            match older.fields().find(|(_, o)| o.code == f.code) {
                None => c.added.push(f.code.clone()),
                Some((old_section, o)) if o != f || old_section != section => {
                    c.changed.push(f.code.clone())
                }
                Some(_) => {}
            }
        }
        for (_, o) in older.fields() {
            if !self.fields().any(|(_, f)| f.code == o.code) {
                c.removed.push(o.code.clone());
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> FormDef {
        FormDef::from_json(
            r#"{"code":"t","version":1,"title":{"fr":"T"},"sections":[
              {"code":"admin","title":{"fr":"A"},"fields":[
                {"code":"has_card","kind":"yes_no","label":{"fr":"Carte"},"required":true},
                {"code":"card_expiry","kind":"date","label":{"fr":"Expire"},"required":true,
                 "show_if":{"field":"has_card","any_of":["yes"]}}]},
              {"code":"health","title":{"fr":"S"},"sensitive":true,"fields":[
                {"code":"needs","kind":"multi_select","label":{"fr":"Besoins"},
                 "options":[{"code":"care","label":{"fr":"Soins"}},{"code":"psy","label":{"fr":"Psy"}}]}]}]}"#,
        )
        .unwrap()
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn conditions_required_and_options() {
        let f = form();
        let e = f.check(&answers(&[("has_card", "yes")])).unwrap_err();
        assert_eq!(e[0].field, "card_expiry");
        let ok = f
            .check(&answers(&[
                ("has_card", "no"),
                ("card_expiry", "2020-01-01"),
                ("needs", "care|psy"),
            ]))
            .unwrap();
        assert!(
            !ok.contains_key("card_expiry"),
            "hidden answers are dropped"
        );
        let e = f
            .check(&answers(&[("has_card", "no"), ("needs", "care|x")]))
            .unwrap_err();
        assert_eq!(e[0].code, ErrorCode::UnknownValue);
        let shared = f.only_sections(&ok, &["admin".to_string()]);
        assert_eq!(shared.len(), 1);
    }

    #[test]
    fn bad_definitions_are_located() {
        let e = FormDef::from_json(
            r#"{"code":"t","version":1,"title":{"fr":"T"},"sections":[{"code":"a","title":{"fr":"A"},"fields":[
              {"code":"x","kind":"select","label":{"fr":"X"}},
              {"code":"y","kind":"text","label":{"fr":"Y"},"show_if":{"field":"z","any_of":["1"]}}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn a_new_version_says_what_it_changes() {
        let old = form();
        let mut new = old.clone();
        new.version += 1;
        let first = new.sections[0].fields.remove(0).code;
        new.sections[0].fields[0].required = !new.sections[0].fields[0].required;
        let changed = new.sections[0].fields[0].code.clone();
        let mut extra = new.sections[0].fields[0].clone();
        extra.code = "new_field".into();
        extra.show_if = None;
        new.sections[0].fields.push(extra);
        let c = new.changes_from(&old);
        assert_eq!(c.added, vec!["new_field".to_string()]);
        assert_eq!(c.removed, vec![first]);
        assert_eq!(c.changed, vec![changed]);
        assert!(old.changes_from(&old).is_empty());
    }
}
