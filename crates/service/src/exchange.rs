//! Exchange with partners' systems.
//!
//! - **DHIS2**: data value sets in JSON and CSV and ADX XML (IHE QRPH,
//!   `urn:ihe:qrph:adx:2015`) come in and go out through the mapping
//!   (`domain::exchange`). An import turns the file into our import CSV and runs it
//!   through `prepare_values`, so every validation rule applies, then answers with a
//!   summary shaped like DHIS2's (`status`, `importCount`, `conflicts`). All or
//!   nothing, unless the caller asked to import what maps (the rest is `ignored`).
//! - **Analytics**: a read-only `/api/analytics`-shaped grid over
//!   `indicator_values`, so DHIS2 scripts can read our indicators.
//! - **IATI 2.03**: a results framework as an activity file (`iati`).
//! - **HXL and XLSX**: an indicator values table with a hashtag row (`hxl`).

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::values::{ValuesImportError, ValuesQuery};
use crate::{Service, audit_row};
use passerelle_domain::exchange::{self as dx, Mapping, MappingKind, MappingRow};
use passerelle_domain::values::{self as dv, RowIssue};
use passerelle_domain::{DomainError, ErrorCode, Period, TerritoryCode};
use passerelle_store::{audit, exchange as store, frameworks, orgs, reporting, territories};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub mod hxl;
pub mod iati;

/// The mapping shipped for the demo: the ANAPEC funnel, sex, the 12 regions.
pub const SHIPPED_MAPPING: &str = include_str!("../../../data/exchange/dhis2-mapping.csv");

/// ADX's namespace.
pub const ADX_NS: &str = "urn:ihe:qrph:adx:2015";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dhis2Format {
    Json,
    Csv,
    Adx,
}

impl Dhis2Format {
    /// From a file extension, a format name or a media type.
    pub fn parse(s: &str) -> Option<Dhis2Format> {
        let s = s.trim().to_ascii_lowercase();
        if s.contains("adx") || s.ends_with("xml") {
            Some(Dhis2Format::Adx)
        } else if s.contains("csv") {
            Some(Dhis2Format::Csv)
        } else if s.contains("json") {
            Some(Dhis2Format::Json)
        } else {
            None
        }
    }

    /// Guesses from the content: `<` is ADX, `{` JSON, anything else CSV.
    pub fn sniff(text: &str) -> Dhis2Format {
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('<') => Dhis2Format::Adx,
            Some('{') => Dhis2Format::Json,
            _ => Dhis2Format::Csv,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Dhis2Format::Json => "application/json",
            Dhis2Format::Csv => "text/csv; charset=utf-8",
            Dhis2Format::Adx => "application/adx+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Dhis2Format::Json => "json",
            Dhis2Format::Csv => "csv",
            Dhis2Format::Adx => "adx.xml",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportCount {
    pub imported: usize,
    pub updated: usize,
    pub ignored: usize,
    pub deleted: usize,
}

/// One conflict, as DHIS2 reports it: `object` is what was refused, `value` says why
/// and what was expected. `errorCode` and `property` let an interface say it in the
/// reader's language; `indexes` are the positions of the data values concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub object: String,
    pub value: String,
    #[serde(rename = "errorCode")]
    pub error_code: String,
    pub property: String,
    pub indexes: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    #[serde(rename = "responseType")]
    pub response_type: &'static str,
    /// `SUCCESS`, `WARNING` (imported what maps, conflicts listed) or `ERROR`
    /// (nothing written).
    pub status: &'static str,
    pub description: String,
    #[serde(rename = "importCount")]
    pub import_count: ImportCount,
    pub conflicts: Vec<Conflict>,
}

impl ImportSummary {
    fn error(total: usize, conflicts: Vec<Conflict>) -> ImportSummary {
        ImportSummary {
            response_type: "ImportSummary",
            status: "ERROR",
            description: "The import process failed: nothing was written".into(),
            import_count: ImportCount {
                ignored: total,
                ..Default::default()
            },
            conflicts,
        }
    }
}

fn conflict(property: &str, object: impl Into<String>, code: ErrorCode, why: String) -> Conflict {
    Conflict {
        object: object.into(),
        value: why,
        error_code: code.as_str().to_string(),
        property: property.to_string(),
        indexes: Vec::new(),
    }
}

/// One data value as a DHIS2 file carries it, codes untranslated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    /// JSON and CSV: the category option combo.
    pub combo: Option<String>,
    /// ADX: (category code, category option code).
    pub options: Vec<(String, String)>,
    pub attribute_option_combo: Option<String>,
    pub value: String,
    pub comment: Option<String>,
}

/// Line and column of a byte offset, for parse errors.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn file_conflict(why: String) -> Vec<Conflict> {
    vec![conflict("file", "file", ErrorCode::Format, why)]
}

/// Reads a dataValueSets JSON document. Values inherit `period`, `orgUnit` and
/// `attributeOptionCombo` from the set.
pub fn read_json(text: &str) -> Result<Vec<RawValue>, Vec<Conflict>> {
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        file_conflict(format!(
            "line {}, column {}: {e} (expected a dataValueSets JSON document)",
            e.line(),
            e.column()
        ))
    })?;
    let Some(values) = doc.get("dataValues").and_then(Value::as_array) else {
        return Err(file_conflict(
            "no dataValues array (expected {\"dataValues\": [{\"dataElement\", \"period\", \"orgUnit\", \"value\"}]})".into(),
        ));
    };
    let text_of = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    };
    let set = |k: &str| text_of(doc.get(k));
    let mut out = Vec::new();
    let mut conflicts = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let get = |k: &str| text_of(v.get(k));
        let mut missing = Vec::new();
        let mut need = |k: &str, found: Option<String>| {
            if found.is_none() {
                missing.push(k.to_string());
            }
            found.unwrap_or_default()
        };
        let raw = RawValue {
            data_element: need("dataElement", get("dataElement")),
            period: need("period", get("period").or_else(|| set("period"))),
            org_unit: need("orgUnit", get("orgUnit").or_else(|| set("orgUnit"))),
            combo: get("categoryOptionCombo"),
            options: Vec::new(),
            attribute_option_combo: get("attributeOptionCombo")
                .or_else(|| set("attributeOptionCombo")),
            value: need("value", get("value")),
            comment: get("comment"),
        };
        for m in missing {
            let mut c = conflict(
                &m,
                format!("dataValues[{i}]"),
                ErrorCode::Required,
                format!("dataValues[{i}]: {m} is missing"),
            );
            c.indexes.push(i);
            conflicts.push(c);
        }
        out.push(raw);
    }
    if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    }
}

/// The columns of DHIS2's data value CSV, in its order.
pub const CSV_COLUMNS: [&str; 6] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
];

/// Reads DHIS2's data value CSV (header row first; `catoptcombo` and `attroptcombo`
/// are accepted for the combos, and `comment` when present).
pub fn read_csv(text: &str) -> Result<Vec<RawValue>, Vec<Conflict>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| file_conflict(format!("line 1: {e}")))?
        .iter()
        .map(
            |h| match h.to_ascii_lowercase().replace(['_', ' '], "").as_str() {
                "catoptcombo" | "categoryoptioncomboid" => "categoryoptioncombo".to_string(),
                "attroptcombo" | "attributeoptioncomboid" => "attributeoptioncombo".to_string(),
                other => other.to_string(),
            },
        )
        .collect();
    let mut conflicts = Vec::new();
    for required in ["dataelement", "period", "orgunit", "value"] {
        if !headers.iter().any(|h| h == required) {
            conflicts.push(conflict(
                required,
                "header",
                ErrorCode::Required,
                format!(
                    "line 1: column {required} is missing (expected a header row {})",
                    CSV_COLUMNS.join(",")
                ),
            ));
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let col = |n: &str| headers.iter().position(|h| h == n);
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let mut c = conflict(
                    "row",
                    format!("line {}", i + 2),
                    ErrorCode::Format,
                    format!("line {}: {e}", i + 2),
                );
                c.indexes.push(i);
                conflicts.push(c);
                continue;
            }
        };
        let get = |n: &str| {
            col(n)
                .and_then(|c| rec.get(c))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        for required in ["dataelement", "period", "orgunit", "value"] {
            if get(required).is_none() {
                let mut c = conflict(
                    required,
                    format!("line {}", i + 2),
                    ErrorCode::Required,
                    format!("line {}: {required} is empty", i + 2),
                );
                c.indexes.push(i);
                conflicts.push(c);
            }
        }
        out.push(RawValue {
            data_element: get("dataelement").unwrap_or_default(),
            period: get("period").unwrap_or_default(),
            org_unit: get("orgunit").unwrap_or_default(),
            combo: get("categoryoptioncombo"),
            options: Vec::new(),
            attribute_option_combo: get("attributeoptioncombo"),
            value: get("value").unwrap_or_default(),
            comment: get("comment"),
        });
    }
    if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    }
}

fn xml_attrs(
    e: &BytesStart,
    text: &str,
    at: usize,
) -> Result<Vec<(String, String)>, Vec<Conflict>> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| {
            let (l, c) = line_col(text, at);
            file_conflict(format!("line {l}, column {c}: {err}"))
        })?;
        let key = a.key.local_name().as_ref().to_string();
        if a.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| {
                let (l, c) = line_col(text, at);
                file_conflict(format!("line {l}, column {c}: {err}"))
            })?;
        out.push((key, value.trim().to_string()));
    }
    Ok(out)
}

/// Reads an ADX document: `<adx xmlns="urn:ihe:qrph:adx:2015">`, `<group dataSet
/// orgUnit period [attributeOptionCombo]>`, `<dataValue dataElement value
/// CATEGORY="OPTION"…>` with an optional `<annotation>`. Periods stay ISO 8601
/// (`2020-01-01/P1Y`); malformed XML is reported with its line and column.
pub fn read_adx(text: &str) -> Result<Vec<RawValue>, Vec<Conflict>> {
    use quick_xml::Reader;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out: Vec<RawValue> = Vec::new();
    let mut conflicts = Vec::new();
    let mut group: Option<Vec<(String, String)>> = None;
    let mut in_annotation = false;
    let mut seen_root = false;
    loop {
        let at = reader.buffer_position() as usize;
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let (l, c) = line_col(text, reader.error_position() as usize);
                return Err(file_conflict(format!(
                    "line {l}, column {c}: {e} (expected well-formed ADX XML)"
                )));
            }
        };
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.local_name().as_ref().to_string();
            let attrs = xml_attrs(&e, text, at)?;
            let (l, c) = line_col(text, at);
            match name.as_str() {
                "adx" if !seen_root => {
                    seen_root = true;
                    let ns = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "xmlns")
                        .map(|a| a.value.to_string());
                    if ns.as_deref() != Some(ADX_NS) {
                        return Err(file_conflict(format!(
                            "line {l}, column {c}: the adx element is in namespace {} (expected {ADX_NS})",
                            ns.unwrap_or_else(|| "none".into())
                        )));
                    }
                }
                _ if !seen_root => {
                    return Err(file_conflict(format!(
                        "line {l}, column {c}: the document starts with <{name}> (expected <adx xmlns=\"{ADX_NS}\">)"
                    )));
                }
                "group" => group = Some(attrs),
                "dataValue" => {
                    let Some(g) = &group else {
                        return Err(file_conflict(format!(
                            "line {l}, column {c}: a dataValue outside a group"
                        )));
                    };
                    let find = |list: &[(String, String)], k: &str| {
                        list.iter()
                            .find(|(n, _)| n == k)
                            .map(|(_, v)| v.clone())
                            .filter(|v| !v.is_empty())
                    };
                    let i = out.len();
                    let mut need = |k: &str, v: Option<String>| {
                        if v.is_none() {
                            let mut cf = conflict(
                                k,
                                format!("line {l}"),
                                ErrorCode::Required,
                                format!("line {l}, column {c}: {k} is missing"),
                            );
                            cf.indexes.push(i);
                            conflicts.push(cf);
                        }
                        v.unwrap_or_default()
                    };
                    let group_keys = [
                        "dataSet",
                        "orgUnit",
                        "period",
                        "attributeOptionCombo",
                        "completeDate",
                    ];
                    out.push(RawValue {
                        data_element: need("dataElement", find(&attrs, "dataElement")),
                        period: need("period", find(g, "period")),
                        org_unit: need("orgUnit", find(g, "orgUnit")),
                        combo: None,
                        options: attrs
                            .iter()
                            .filter(|(k, _)| k != "dataElement" && k != "value")
                            .cloned()
                            .collect(),
                        attribute_option_combo: find(g, "attributeOptionCombo").or_else(|| {
                            g.iter()
                                .find(|(k, _)| !group_keys.contains(&k.as_str()))
                                .map(|(_, v)| v.clone())
                        }),
                        value: need("value", find(&attrs, "value")),
                        comment: None,
                    });
                }
                "annotation" => in_annotation = !empty,
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Text(t) if in_annotation => {
                if let Some(last) = out.last_mut() {
                    let s = t.xml10_content().trim().to_string();
                    if !s.is_empty() {
                        last.comment = Some(last.comment.take().unwrap_or_default() + &s);
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "group" => group = None,
                "annotation" => in_annotation = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(file_conflict(format!(
            "an empty document (expected <adx xmlns=\"{ADX_NS}\">)"
        )));
    }
    if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    }
}

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct Dhis2ImportOptions {
    /// The reporting organisation for values whose attribute option combo is absent
    /// or unmapped; default the actor's organisation.
    pub organisation: Option<String>,
    /// Import the values that map and ignore the others (listed as conflicts).
    pub import_what_maps: bool,
    /// `CODE` (the default) is the only identifier scheme.
    pub id_scheme: Option<String>,
}

/// What an export selects.
#[derive(Debug, Clone, Default)]
pub struct Dhis2Query {
    /// A DHIS2 data set code (or ours).
    pub data_set: Option<String>,
    /// DHIS2 data element codes (or our indicator codes).
    pub data_elements: Vec<String>,
    /// A DHIS2 period id, an ISO period or ours.
    pub period: Option<String>,
    /// A DHIS2 organisation unit code (or our territory code).
    pub org_unit: Option<String>,
    /// Include the org unit's children.
    pub children: bool,
    pub id_scheme: Option<String>,
}

/// A value ready to write, its codes translated. `None` where the mapping has no code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportValue {
    pub data_set: Option<String>,
    pub data_element: String,
    pub period: Option<String>,
    pub adx_period: String,
    pub org_unit: String,
    pub combo: Option<String>,
    pub options: Option<Vec<(String, String)>>,
    pub attribute_option_combo: Option<String>,
    pub value: f64,
    pub comment: Option<String>,
}

/// An export, before it is written in one of the three formats.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Dhis2Export {
    pub data_set: Option<String>,
    pub values: Vec<ExportValue>,
    /// Values left out because an indicator, territory or period has no DHIS2 code.
    pub unmapped: usize,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Dhis2Export {
    /// The values that have a code for this format, and how many have none.
    fn writable(&self, format: Dhis2Format) -> (Vec<&ExportValue>, usize) {
        let ok: Vec<&ExportValue> = self
            .values
            .iter()
            .filter(|v| match format {
                Dhis2Format::Adx => v.options.is_some(),
                _ => v.combo.is_some() && v.period.is_some(),
            })
            .collect();
        let left = self.values.len() - ok.len() + self.unmapped;
        (ok, left)
    }

    /// How many values the format cannot carry (no code in the mapping).
    pub fn left_out(&self, format: Dhis2Format) -> usize {
        self.writable(format).1
    }

    pub fn to_json(&self) -> String {
        let (vals, _) = self.writable(Dhis2Format::Json);
        let values: Vec<Value> = vals
            .iter()
            .map(|v| {
                let mut o = json!({
                    "dataElement": v.data_element,
                    "period": v.period,
                    "orgUnit": v.org_unit,
                    "categoryOptionCombo": v.combo,
                    "value": number(v.value),
                });
                if let Some(a) = &v.attribute_option_combo {
                    o["attributeOptionCombo"] = json!(a);
                }
                if let Some(c) = &v.comment {
                    o["comment"] = json!(c);
                }
                o
            })
            .collect();
        let mut doc = json!({ "dataValues": values });
        if let Some(ds) = &self.data_set {
            doc["dataSet"] = json!(ds);
        }
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    pub fn to_csv(&self) -> String {
        let (vals, _) = self.writable(Dhis2Format::Csv);
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = CSV_COLUMNS.to_vec();
        header.push("comment");
        let _ = w.write_record(&header);
        for v in vals {
            let _ = w.write_record([
                v.data_element.as_str(),
                v.period.as_deref().unwrap_or(""),
                &v.org_unit,
                v.combo.as_deref().unwrap_or(""),
                v.attribute_option_combo.as_deref().unwrap_or(""),
                &number(v.value),
                v.comment.as_deref().unwrap_or(""),
            ]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// ADX: one group per data set, org unit, period and reporting organisation.
    pub fn to_adx(&self, exported: &str) -> String {
        let (vals, _) = self.writable(Dhis2Format::Adx);
        let mut groups: BTreeMap<(String, String, String, String), Vec<&ExportValue>> =
            BTreeMap::new();
        for v in vals {
            groups
                .entry((
                    v.data_set.clone().unwrap_or_default(),
                    v.org_unit.clone(),
                    v.adx_period.clone(),
                    v.attribute_option_combo.clone().unwrap_or_default(),
                ))
                .or_default()
                .push(v);
        }
        let mut x = Xml::new();
        x.start("adx", &[("xmlns", ADX_NS), ("exported", exported)]);
        for ((ds, ou, pe, aoc), vs) in &groups {
            let mut attrs = vec![
                ("dataSet", ds.as_str()),
                ("orgUnit", ou.as_str()),
                ("period", pe.as_str()),
            ];
            if !aoc.is_empty() {
                attrs.push(("attributeOptionCombo", aoc.as_str()));
            }
            x.start("group", &attrs);
            for v in vs {
                let value = number(v.value);
                let mut attrs: Vec<(&str, &str)> = vec![("dataElement", &v.data_element)];
                for (k, o) in v.options.iter().flatten() {
                    attrs.push((k, o));
                }
                attrs.push(("value", &value));
                match &v.comment {
                    Some(c) => {
                        x.start("dataValue", &attrs);
                        x.leaf("annotation", &[], c);
                        x.end("dataValue");
                    }
                    None => x.empty("dataValue", &attrs),
                }
            }
            x.end("group");
        }
        x.end("adx");
        x.finish()
    }
}

/// A small XML writer over quick-xml: writing to a `Vec` cannot fail, so the
/// methods return nothing.
pub(crate) struct Xml {
    w: quick_xml::Writer<Vec<u8>>,
}

impl Xml {
    pub(crate) fn new() -> Xml {
        let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
        let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Xml { w }
    }

    fn tag<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut e = BytesStart::new(name);
        for a in attrs {
            e.push_attribute(*a);
        }
        e
    }

    pub(crate) fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = self.w.write_event(Event::Start(Xml::tag(name, attrs)));
    }

    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = self.w.write_event(Event::Empty(Xml::tag(name, attrs)));
    }

    pub(crate) fn end(&mut self, name: &str) {
        let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
    }

    pub(crate) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let _ = self.w.write_event(Event::Text(BytesText::new(text)));
        self.end(name);
    }

    pub(crate) fn finish(self) -> String {
        let mut s = String::from_utf8(self.w.into_inner()).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn check_id_scheme(s: Option<&str>) -> Result<(), Conflict> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(()),
        Some(s) if s.eq_ignore_ascii_case("code") => Ok(()),
        Some(s) => Err(conflict(
            "idScheme",
            s,
            ErrorCode::UnknownValue,
            format!("idScheme {s} is not supported (expected idScheme=CODE)"),
        )),
    }
}

impl Service {
    /// The DHIS2 mapping, in the order it was imported.
    pub async fn exchange_mapping(
        &self,
        actor: Option<&Actor>,
    ) -> Result<Vec<MappingRow>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ExchangeValues)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(store::mapping(&mut conn).await?)
    }

    /// Replaces the DHIS2 mapping from its CSV (`kind,code,dhis2_code,note`). All or
    /// nothing: every row whose code names nothing we know is listed with its line.
    pub async fn import_exchange_mapping(
        &self,
        actor: Option<&Actor>,
        text: &str,
        op: &str,
    ) -> Result<usize, ValuesImportError> {
        if let Some(a) = actor {
            decide(a, Action::ManageExchange)?;
        }
        let rows = dx::parse_mapping_csv(text).map_err(ValuesImportError::Invalid)?;
        let mut conn = self.store.conn().await?;
        let indicators: Vec<String> = frameworks::indicators(&mut conn)
            .await?
            .into_iter()
            .map(|i| i.code)
            .collect();
        let datasets: Vec<String> = reporting::datasets(&mut conn)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let mut issues = Vec::new();
        for r in &rows {
            let known = match r.kind {
                MappingKind::Indicator => indicators.contains(&r.code),
                MappingKind::Dataset => datasets.contains(&r.code),
                MappingKind::Territory => match TerritoryCode::parse(&r.code) {
                    Ok(t) => territories::get(&mut conn, &t).await?.is_some(),
                    Err(_) => false,
                },
                MappingKind::Organisation => match passerelle_domain::OrgCode::parse(&r.code) {
                    Ok(c) => orgs::by_code(&mut conn, &c).await?.is_some(),
                    Err(_) => false,
                },
                _ => true,
            };
            if !known {
                let (code, what) = match r.kind {
                    MappingKind::Indicator => (ErrorCode::UnknownValue, "an indicator code"),
                    MappingKind::Dataset => (ErrorCode::UnknownValue, "a data set code"),
                    MappingKind::Territory => (
                        ErrorCode::UnknownTerritory,
                        "a territory code (MA, MA-04, MA-04-421…)",
                    ),
                    _ => (ErrorCode::UnknownOrganisation, "an organisation code"),
                };
                issues.push(RowIssue {
                    line: r.line,
                    column: "code".into(),
                    code,
                    value: format!("{} (expected {what})", r.code),
                    rule: None,
                });
            }
        }
        if !issues.is_empty() {
            return Err(ValuesImportError::Invalid(issues));
        }
        drop(conn);
        let mut tx = self.store.begin().await?;
        let before = store::replace_mapping(&mut tx, &rows).await?;
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "import_exchange_mapping",
                "exchange_mapping",
                None,
                json!({"rows": rows.len(), "replaced": before}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Loads the shipped mapping when there is none (the demo).
    pub async fn ensure_shipped_mapping(&self, op: &str) -> Result<(), ServiceError> {
        if !self.exchange_mapping(None).await?.is_empty() {
            return Ok(());
        }
        match self
            .import_exchange_mapping(None, SHIPPED_MAPPING, op)
            .await
        {
            Ok(_) => Ok(()),
            Err(ValuesImportError::Service(e)) => Err(e),
            Err(ValuesImportError::Invalid(issues)) => Err(ServiceError::Internal(format!(
                "data/exchange/dhis2-mapping.csv: {}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// Imports a DHIS2 data value set (JSON, CSV or ADX) through the mapping and the
    /// same checks as our own CSV import. Problems come back in the summary, never
    /// as an error: an `ERROR` summary wrote nothing.
    pub async fn import_dhis2(
        &self,
        actor: Option<&Actor>,
        format: Dhis2Format,
        text: &str,
        options: &Dhis2ImportOptions,
        op: &str,
    ) -> Result<ImportSummary, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        if let Err(c) = check_id_scheme(options.id_scheme.as_deref()) {
            return Ok(ImportSummary::error(0, vec![c]));
        }
        let parsed = match format {
            Dhis2Format::Json => read_json(text),
            Dhis2Format::Csv => read_csv(text),
            Dhis2Format::Adx => read_adx(text),
        };
        let raws = match parsed {
            Ok(r) => r,
            Err(conflicts) => return Ok(ImportSummary::error(0, conflicts)),
        };
        let total = raws.len();
        let rows = {
            let mut conn = self.store.conn().await?;
            store::mapping(&mut conn).await?
        };
        if rows.is_empty() {
            return Ok(ImportSummary::error(
                total,
                vec![conflict(
                    "mapping",
                    "mapping",
                    ErrorCode::Required,
                    "no DHIS2 mapping is loaded (expected one imported on the exchange page)"
                        .into(),
                )],
            ));
        }
        let mapping = Mapping::new(&rows);
        let default_org = options
            .organisation
            .clone()
            .filter(|o| !o.trim().is_empty())
            .or_else(|| actor.map(|a| a.organisation_code.clone()));

        // Translate every value; collect a conflict for each code with no mapping.
        let mut conflicts: Vec<Conflict> = Vec::new();
        let mut mapped: Vec<(usize, BTreeMap<&'static str, String>)> = Vec::new();
        for (i, raw) in raws.iter().enumerate() {
            let before = conflicts.len();
            let mut push = |property: &str, object: &str, code: ErrorCode, why: String| {
                let mut c = conflict(property, object, code, why);
                c.indexes.push(i);
                conflicts.push(c);
            };
            let mut row: BTreeMap<&'static str, String> = BTreeMap::new();
            match mapping.from_dhis2(MappingKind::Indicator, &raw.data_element) {
                Some(c) => {
                    row.insert("indicator", c);
                }
                None => push(
                    "dataElement",
                    &raw.data_element,
                    ErrorCode::UnknownValue,
                    format!(
                        "data element {} is not in the mapping (expected the code of a mapped indicator)",
                        raw.data_element
                    ),
                ),
            }
            let period = if format == Dhis2Format::Adx {
                dx::parse_adx_period(&raw.period)
                    .ok()
                    .map(|p| p.to_string())
            } else {
                mapping.from_dhis2(MappingKind::Period, &raw.period)
            };
            match period {
                Some(p) => {
                    row.insert("period", p);
                }
                None => push(
                    "period",
                    &raw.period,
                    ErrorCode::Format,
                    if format == Dhis2Format::Adx {
                        format!(
                            "period {} is not an ISO 8601 period (expected start/duration, such as 2020-01-01/P1Y)",
                            raw.period
                        )
                    } else {
                        format!(
                            "period {} is not a DHIS2 period (expected 2020, 2020S1, 2020Q3, 202007, 20200312 or 2020July)",
                            raw.period
                        )
                    },
                ),
            }
            match mapping.from_dhis2(MappingKind::Territory, &raw.org_unit) {
                Some(t) => {
                    row.insert("territory", t);
                }
                None => push(
                    "orgUnit",
                    &raw.org_unit,
                    ErrorCode::UnknownTerritory,
                    format!(
                        "organisation unit {} is not in the mapping (expected the code of a mapped territory)",
                        raw.org_unit
                    ),
                ),
            }
            if format == Dhis2Format::Adx {
                for (category, option) in &raw.options {
                    let Some(dim) = mapping.from_dhis2(MappingKind::Dimension, category) else {
                        push(
                            "category",
                            category,
                            ErrorCode::UnknownValue,
                            format!(
                                "category {category} is not in the mapping (expected a mapped dimension such as sex)"
                            ),
                        );
                        continue;
                    };
                    match mapping.option_from_dhis2(&dim, option) {
                        Some(cell) => {
                            let (d, v) = cell.split_once('=').unwrap_or(("", ""));
                            if let Some(d) = dv::dimension_codes().find(|x| *x == d) {
                                row.insert(d, v.to_string());
                            }
                        }
                        None => push(
                            "categoryOption",
                            option,
                            ErrorCode::UnknownValue,
                            format!(
                                "category option {option} of {category} is not in the mapping (expected a mapped value of {dim})"
                            ),
                        ),
                    }
                }
            } else {
                let combo = raw.combo.clone().unwrap_or_default();
                match mapping.from_dhis2(MappingKind::Combo, &combo) {
                    Some(cells) => {
                        for part in cells.split(';').filter(|p| !p.is_empty()) {
                            let (d, v) = part.split_once('=').unwrap_or(("", ""));
                            if let Some(d) = dv::dimension_codes().find(|x| *x == d) {
                                row.insert(d, v.to_string());
                            }
                        }
                    }
                    None => push(
                        "categoryOptionCombo",
                        &combo,
                        ErrorCode::UnknownValue,
                        format!(
                            "category option combo {combo} is not in the mapping (expected default or a mapped combo)"
                        ),
                    ),
                }
            }
            let org = match &raw.attribute_option_combo {
                Some(aoc) if aoc != "default" => {
                    match mapping.from_dhis2(MappingKind::Organisation, aoc) {
                        Some(o) => Some(o),
                        None => {
                            push(
                                "attributeOptionCombo",
                                aoc,
                                ErrorCode::UnknownOrganisation,
                                format!(
                                    "attribute option combo {aoc} is not in the mapping (expected the code of a mapped organisation)"
                                ),
                            );
                            None
                        }
                    }
                }
                _ => match &default_org {
                    Some(o) => Some(o.clone()),
                    None => {
                        push(
                            "attributeOptionCombo",
                            "default",
                            ErrorCode::Required,
                            "no reporting organisation (expected a mapped attributeOptionCombo or an organisation parameter)".into(),
                        );
                        None
                    }
                },
            };
            if let Some(o) = org {
                row.insert("organisation", o);
            }
            row.insert("value", raw.value.clone());
            if let Some(c) = &raw.comment {
                row.insert("comment", c.clone());
            }
            if conflicts.len() == before {
                mapped.push((i, row));
            }
        }
        if !conflicts.is_empty() && !options.import_what_maps {
            return Ok(ImportSummary::error(total, conflicts));
        }

        // Our own import file, one line per mapped value, checked by the same rules.
        let mut columns: Vec<&str> = vec![
            "indicator",
            "period",
            "territory",
            "organisation",
            "value",
            "comment",
        ];
        columns.extend(dv::dimension_codes());
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&columns);
        for (_, row) in &mapped {
            let _ = w.write_record(
                columns
                    .iter()
                    .map(|c| row.get(c).map(String::as_str).unwrap_or("")),
            );
        }
        let csv_text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        let source = match actor {
            Some(a) => format!("dhis2:{}", a.user.username),
            None => "dhis2:operator".to_string(),
        };
        let prepared = match self.prepare_values(actor, &csv_text, &source).await {
            Ok(p) => p,
            Err(ValuesImportError::Service(e)) => return Err(e),
            Err(ValuesImportError::Invalid(issues)) => {
                for issue in issues {
                    let index = issue
                        .line
                        .checked_sub(2)
                        .and_then(|l| mapped.get(l as usize))
                        .map(|(i, _)| *i);
                    let property = match issue.column.as_str() {
                        "indicator" => "dataElement",
                        "territory" => "orgUnit",
                        "organisation" => "attributeOptionCombo",
                        "period" => "period",
                        "value" => "value",
                        d if dv::is_dimension(d) => "categoryOptionCombo",
                        other => other,
                    }
                    .to_string();
                    let object = index
                        .and_then(|i| raws.get(i))
                        .map(|r| match property.as_str() {
                            "dataElement" => r.data_element.clone(),
                            "orgUnit" => r.org_unit.clone(),
                            "period" => r.period.clone(),
                            "value" => r.value.clone(),
                            "attributeOptionCombo" => r
                                .attribute_option_combo
                                .clone()
                                .unwrap_or_else(|| "default".into()),
                            _ => r.combo.clone().unwrap_or_else(|| "default".into()),
                        })
                        .unwrap_or_else(|| issue.column.clone());
                    let why = match index {
                        Some(i) => format!(
                            "dataValues[{i}]: {}: {} {}",
                            issue.column, issue.code, issue.value
                        ),
                        None => format!("{}: {} {}", issue.column, issue.code, issue.value),
                    };
                    conflicts.push(Conflict {
                        object,
                        value: why,
                        error_code: issue.code.as_str().to_string(),
                        property,
                        indexes: index.into_iter().collect(),
                    });
                }
                return Ok(ImportSummary::error(total, conflicts));
            }
        };
        let written = self.write_values(actor, &prepared, &source, op).await?;
        Ok(ImportSummary {
            response_type: "ImportSummary",
            status: if conflicts.is_empty() {
                "SUCCESS"
            } else {
                "WARNING"
            },
            description: if conflicts.is_empty() {
                "Import process completed successfully".into()
            } else {
                "Imported the values that map; the others are listed as conflicts".into()
            },
            import_count: ImportCount {
                imported: written.imported,
                updated: written.updated,
                ignored: total - mapped.len(),
                deleted: 0,
            },
            conflicts,
        })
    }

    /// The approved values a DHIS2 request selects, with their codes translated.
    pub async fn export_dhis2(
        &self,
        actor: Option<&Actor>,
        q: &Dhis2Query,
    ) -> Result<Dhis2Export, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ExchangeValues)?;
        }
        if let Err(c) = check_id_scheme(q.id_scheme.as_deref()) {
            return Err(
                DomainError::with_value("idScheme", ErrorCode::UnknownValue, c.object).into(),
            );
        }
        let mut conn = self.store.conn().await?;
        let mapping_rows = store::mapping(&mut conn).await?;
        let mapping = Mapping::new(&mapping_rows);
        let datasets = reporting::datasets(&mut conn).await?;
        let all_indicators = frameworks::indicators(&mut conn).await?;
        let mut indicators: Vec<String> = Vec::new();
        let mut data_set_code = None;
        if let Some(ds) = q
            .data_set
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let ours = mapping
                .from_dhis2(MappingKind::Dataset, ds)
                .unwrap_or_else(|| ds.to_ascii_uppercase());
            let def = datasets
                .iter()
                .find(|d| d.code == ours)
                .ok_or_else(|| DomainError::with_value("dataSet", ErrorCode::UnknownValue, ds))?;
            indicators.extend(def.indicators.iter().cloned());
            data_set_code = Some(ds.to_string());
        }
        for de in &q.data_elements {
            let ours = mapping
                .from_dhis2(MappingKind::Indicator, de)
                .or_else(|| {
                    all_indicators
                        .iter()
                        .find(|i| &i.code == de)
                        .map(|i| i.code.clone())
                })
                .ok_or_else(|| {
                    DomainError::with_value("dataElement", ErrorCode::UnknownValue, de.clone())
                })?;
            if !indicators.contains(&ours) {
                indicators.push(ours);
            }
        }
        if q.data_set.is_none() && q.data_elements.is_empty() {
            indicators = mapping_rows
                .iter()
                .filter(|r| r.kind == MappingKind::Indicator)
                .map(|r| r.code.clone())
                .collect();
        }
        let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(p) => Some(
                mapping
                    .from_dhis2(MappingKind::Period, p)
                    .or_else(|| dx::parse_adx_period(p).ok().map(|x| x.to_string()))
                    .or_else(|| Period::parse(p).ok().map(|x| x.to_string()))
                    .ok_or_else(|| DomainError::with_value("period", ErrorCode::Format, p))?,
            ),
        };
        let mut scope = Vec::new();
        if let Some(ou) = q
            .org_unit
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let code = mapping
                .from_dhis2(MappingKind::Territory, ou)
                .unwrap_or_else(|| ou.to_ascii_uppercase());
            let t = TerritoryCode::parse(&code)
                .map_err(|_| DomainError::with_value("orgUnit", ErrorCode::UnknownTerritory, ou))?;
            if territories::get(&mut conn, &t).await?.is_none() {
                return Err(
                    DomainError::with_value("orgUnit", ErrorCode::UnknownTerritory, ou).into(),
                );
            }
            scope.push(t.to_string());
            if q.children {
                for c in territories::children(&mut conn, &t).await? {
                    scope.push(c.code.to_string());
                }
            }
        }
        let stored =
            store::approved_values(&mut conn, &indicators, period.as_deref(), &scope).await?;
        let mut out = Dhis2Export {
            data_set: data_set_code.clone(),
            ..Default::default()
        };
        for v in stored {
            let (Some(de), Some(ou)) = (
                mapping.to_dhis2(MappingKind::Indicator, &v.indicator_code),
                mapping.to_dhis2(MappingKind::Territory, &v.territory_code),
            ) else {
                out.unmapped += 1;
                continue;
            };
            let Ok(p) = Period::parse(&v.period) else {
                out.unmapped += 1;
                continue;
            };
            let cells = dv::parse_cells_key(&v.cells);
            let options: Option<Vec<(String, String)>> = cells
                .iter()
                .map(|(d, val)| {
                    Some((
                        mapping.to_dhis2(MappingKind::Dimension, d)?,
                        mapping.to_dhis2(MappingKind::Option, &format!("{d}={val}"))?,
                    ))
                })
                .collect();
            let data_set = data_set_code.clone().or_else(|| {
                datasets
                    .iter()
                    .find(|d| d.indicators.contains(&v.indicator_code))
                    .and_then(|d| mapping.to_dhis2(MappingKind::Dataset, &d.code))
            });
            out.values.push(ExportValue {
                data_set: data_set.or_else(|| Some(v.framework_code.clone())),
                data_element: de,
                period: mapping.to_dhis2(MappingKind::Period, &v.period),
                adx_period: dx::adx_period(&p),
                org_unit: ou,
                combo: mapping.to_dhis2(MappingKind::Combo, &v.cells),
                options,
                attribute_option_combo: mapping
                    .to_dhis2(MappingKind::Organisation, &v.organisation_code),
                value: v.value,
                comment: v.comment.clone(),
            });
        }
        Ok(out)
    }

    /// A DHIS2 analytics grid: one row per indicator × period × territory asked
    /// (`dx`, `pe`, `ou` items, DHIS2 codes or ours), the value being the indicator
    /// engine's total.
    pub async fn analytics(
        &self,
        actor: Option<&Actor>,
        dx_items: &[String],
        pe_items: &[String],
        ou_items: &[String],
    ) -> Result<Value, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ExchangeValues)?;
        }
        if dx_items.is_empty() {
            return Err(DomainError::new("dx", ErrorCode::Required).into());
        }
        if pe_items.is_empty() {
            return Err(DomainError::new("pe", ErrorCode::Required).into());
        }
        let mut conn = self.store.conn().await?;
        let mapping = Mapping::new(&store::mapping(&mut conn).await?);
        let all = frameworks::indicators(&mut conn).await?;
        drop(conn);
        let ou_items: Vec<String> = if ou_items.is_empty() {
            vec![
                mapping
                    .to_dhis2(MappingKind::Territory, "MA")
                    .unwrap_or_else(|| "MA".into()),
            ]
        } else {
            ou_items.to_vec()
        };
        let mut items = serde_json::Map::new();
        let mut resolved_dx = Vec::new();
        for d in dx_items {
            let code = mapping
                .from_dhis2(MappingKind::Indicator, d)
                .unwrap_or_else(|| d.clone());
            let ind = all
                .iter()
                .find(|i| i.code == code)
                .ok_or_else(|| DomainError::with_value("dx", ErrorCode::UnknownValue, d.clone()))?;
            items.insert(d.clone(), json!({"name": ind.title.fr, "code": d}));
            resolved_dx.push((d.clone(), code));
        }
        let mut resolved_pe = Vec::new();
        for p in pe_items {
            let ours = mapping
                .from_dhis2(MappingKind::Period, p)
                .or_else(|| Period::parse(p).ok().map(|x| x.to_string()))
                .ok_or_else(|| DomainError::with_value("pe", ErrorCode::Format, p.clone()))?;
            items.insert(p.clone(), json!({"name": ours, "code": p}));
            resolved_pe.push((p.clone(), ours));
        }
        let mut resolved_ou = Vec::new();
        for o in &ou_items {
            let code = mapping
                .from_dhis2(MappingKind::Territory, o)
                .unwrap_or_else(|| o.to_ascii_uppercase());
            let t = self.resolve_territory(&code).await.map_err(|_| {
                DomainError::with_value("ou", ErrorCode::UnknownTerritory, o.clone())
            })?;
            items.insert(o.clone(), json!({"name": t.name_fr, "code": o}));
            resolved_ou.push((o.clone(), t.code.to_string()));
        }
        let mut rows = Vec::new();
        for (d, ind) in &resolved_dx {
            for (p, period) in &resolved_pe {
                for (o, territory) in &resolved_ou {
                    let q = ValuesQuery {
                        indicator: ind.clone(),
                        period: period.clone(),
                        territory: Some(territory.clone()),
                        by: Vec::new(),
                        include_submitted: false,
                        audience: Default::default(),
                    };
                    if let Some(t) = self.indicator_values(actor, &q).await?.total {
                        rows.push(json!([d, p, o, number(t.value)]));
                    }
                }
            }
        }
        let header = |name: &str, column: &str, numeric: bool| {
            json!({
                "name": name, "column": column,
                "valueType": if numeric { "NUMBER" } else { "TEXT" },
                "type": if numeric { "java.lang.Double" } else { "java.lang.String" },
                "hidden": false, "meta": !numeric,
            })
        };
        let height = rows.len();
        Ok(json!({
            "headers": [header("dx", "Data", false), header("pe", "Period", false), header("ou", "Organisation unit", false), header("value", "Value", true)],
            "metaData": {
                "items": items,
                "dimensions": {
                    "dx": dx_items, "pe": pe_items, "ou": ou_items, "co": [],
                },
            },
            "rows": rows,
            "width": 4,
            "height": height,
            "headerWidth": 4,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_csv_and_adx_read_the_same_values() {
        let json = r#"{"dataSet":"DS","period":"2020","orgUnit":"MAR","dataValues":[
            {"dataElement":"A","categoryOptionCombo":"SEX_F","value":"261"},
            {"dataElement":"A","period":"2019","value":419}]}"#;
        let v = read_json(json).unwrap_or_default();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].period.as_str(), v[0].org_unit.as_str()),
            ("2020", "MAR")
        );
        assert_eq!((v[1].period.as_str(), v[1].value.as_str()), ("2019", "419"));

        let csv =
            "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nA,2020,MAR,SEX_F,,261\n";
        let c = read_csv(csv).unwrap_or_default();
        assert_eq!(c[0].combo.as_deref(), Some("SEX_F"));
        assert_eq!(c[0].attribute_option_combo, None);

        let adx = format!(
            r#"<?xml version="1.0"?><adx xmlns="{ADX_NS}"><group dataSet="DS" orgUnit="MAR" period="2020-01-01/P1Y">
            <dataValue dataElement="A" SEX="F" value="261"><annotation>note &amp; more</annotation></dataValue></group></adx>"#
        );
        let a = read_adx(&adx).unwrap_or_default();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].options, vec![("SEX".to_string(), "F".to_string())]);
        assert_eq!(a[0].period, "2020-01-01/P1Y");
    }

    #[test]
    fn malformed_files_say_where() {
        let e = read_json("{\n  \"dataValues\": [\n    {\"dataElement\": }\n]}")
            .err()
            .unwrap_or_default();
        assert!(e[0].value.starts_with("line 3, column"), "{:?}", e);
        let e = read_adx(&format!(
            "<adx xmlns=\"{ADX_NS}\">\n<group period=\"2020-01-01/P1Y\">\n</adx>"
        ))
        .err()
        .unwrap_or_default();
        assert!(e[0].value.starts_with("line 3"), "{:?}", e);
        let e = read_adx("<adx xmlns=\"urn:other\"/>")
            .err()
            .unwrap_or_default();
        assert!(
            e[0].value.contains("expected urn:ihe:qrph:adx:2015"),
            "{:?}",
            e
        );
        let e = read_json(r#"{"dataValues":[{"period":"2020","orgUnit":"MAR"}]}"#)
            .err()
            .unwrap_or_default();
        let props: Vec<&str> = e.iter().map(|c| c.property.as_str()).collect();
        assert_eq!(props, vec!["dataElement", "value"]);
        let e = read_csv("de,pe,ou,value\n").err().unwrap_or_default();
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn the_summary_is_shaped_like_dhis2s() {
        let s = ImportSummary::error(
            2,
            vec![conflict(
                "dataElement",
                "X",
                ErrorCode::UnknownValue,
                "why".into(),
            )],
        );
        let v = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(v["status"], "ERROR");
        assert_eq!(v["importCount"]["ignored"], 2);
        assert_eq!(v["conflicts"][0]["object"], "X");
        assert_eq!(v["conflicts"][0]["value"], "why");
    }
}
