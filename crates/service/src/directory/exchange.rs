//! The directory's exchange formats. Every format reads into the same [`RawTables`]
//! (column → text per row, with its line) and writes from the same [`Directory`], so
//! an import in any format passes the same checks and a round trip loses nothing:
//!
//! - **CSV**: one file per table (`organizations.csv`, `locations.csv`,
//!   `services.csv`, `taxonomy.csv`, `rights.csv`, `projects.csv`, `conventions.csv`),
//!   the columns of `data/directory/`; lists are `|`-separated.
//! - **XLSX**: one workbook, one sheet per table, named like the CSV files.
//! - **HSDS JSON**: one document shaped after Open Referral's HSDS 3
//!   (`organizations`, `locations`, `services`, `service_at_locations`,
//!   `taxonomy_terms`); what HSDS has no field for travels in `x_…` fields.
//! - **HXL CSV**: one flat table, a row per service and place, with a second header
//!   row of HXL hashtags (`#org+code`, `#service+name`, `#adm1+code`…), for
//!   humanitarian tools. Export only: it cannot carry a whole directory.

use passerelle_domain::ErrorCode;
use passerelle_domain::directory::{
    self as dd, DirIssue, Directory, RawRow, RawTables, Record, Table, split_list,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn file_issue(table: &str, reason: impl std::fmt::Display) -> DirIssue {
    DirIssue {
        table: table.to_string(),
        line: 1,
        column: "file".into(),
        code: ErrorCode::Format,
        value: reason.to_string(),
    }
}

/// Reads one table's CSV. The header names the columns (any order; missing optional
/// columns are empty).
pub fn read_csv(table: &'static Table, text: &str) -> Result<Vec<(u64, RawRow)>, Vec<DirIssue>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect(),
        Err(e) => return Err(vec![file_issue(table.name, e)]),
    };
    let mut issues = Vec::new();
    for required in table.required {
        if !headers.iter().any(|h| h == required) {
            issues.push(DirIssue {
                table: table.name.to_string(),
                line: 1,
                column: required.to_string(),
                code: ErrorCode::Required,
                value: "missing column".into(),
            });
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map(|p| p.line())
            .unwrap_or(i as u64 + 2);
        match rec {
            Ok(r) => {
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let row: RawRow = headers
                    .iter()
                    .zip(r.iter())
                    .filter(|(h, _)| !h.is_empty())
                    .map(|(h, v)| (h.clone(), v.to_string()))
                    .collect();
                rows.push((line, row));
            }
            Err(e) => issues.push(DirIssue {
                table: table.name.to_string(),
                line,
                column: "row".into(),
                code: ErrorCode::Format,
                value: e.to_string(),
            }),
        }
    }
    if issues.is_empty() {
        Ok(rows)
    } else {
        Err(issues)
    }
}

/// Which table a CSV file holds: by its name (`services.csv`, `services-2026.csv`),
/// else by its header (the table whose required columns it has, most columns shared).
pub fn guess_table(file_name: &str, text: &str) -> Option<&'static Table> {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if let Some(t) = dd::table(&stem) {
        return Some(t);
    }
    if let Some(t) = dd::TABLES.into_iter().find(|t| {
        stem.starts_with(t.name) || (t.name == "organizations" && stem.starts_with("organisations"))
    }) {
        return Some(t);
    }
    let header: Vec<String> = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    dd::TABLES
        .into_iter()
        .filter(|t| t.required.iter().all(|r| header.iter().any(|h| h == r)))
        .max_by_key(|t| {
            let shared = t
                .columns
                .iter()
                .filter(|c| header.iter().any(|h| h == *c))
                .count();
            let foreign = header
                .iter()
                .filter(|h| !t.columns.contains(&h.as_str()))
                .count();
            shared as i64 * 10 - foreign as i64 * 10 - t.columns.len() as i64
        })
}

pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

/// One workbook, a sheet per table, every cell as text.
pub fn write_xlsx(d: &Directory) -> Result<Vec<u8>, String> {
    let tables = d.tables();
    let sheets: Vec<Sheet> = tables
        .iter()
        .map(|(table, rows)| Sheet {
            name: table.name,
            rows,
            header_rows: 1,
            numeric_columns: &[],
        })
        .collect();
    write_workbook(&sheets)
}

/// A sheet to write: its rows, how many of them are headers (bold, frozen), and
/// which columns hold numbers (written as numbers when they parse).
pub struct Sheet<'a> {
    pub name: &'a str,
    pub rows: &'a [Vec<String>],
    pub header_rows: usize,
    pub numeric_columns: &'a [usize],
}

/// A workbook of the given sheets; shared by every XLSX export.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(s.name).map_err(|e| e.to_string())?;
        for (r, row) in s.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let (r32, c16) = (r as u32, c as u16);
                if r < s.header_rows {
                    sheet
                        .write_string_with_format(r32, c16, value, &bold)
                        .map_err(|e| e.to_string())?;
                } else if let Some(n) = s
                    .numeric_columns
                    .contains(&c)
                    .then(|| value.parse::<f64>().ok())
                    .flatten()
                {
                    sheet.write_number(r32, c16, n).map_err(|e| e.to_string())?;
                } else {
                    sheet
                        .write_string(r32, c16, value)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        sheet
            .set_freeze_panes(s.header_rows as u32, 0)
            .map_err(|e| e.to_string())?;
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// Reads every sheet named like a table; other sheets are ignored, and a workbook
/// with none is refused.
pub fn read_xlsx(bytes: &[u8]) -> Result<RawTables, Vec<DirIssue>> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| vec![file_issue("workbook", e)])?;
    let mut raw = RawTables::default();
    let mut issues = Vec::new();
    for name in book.sheet_names().to_vec() {
        let Some(table) = dd::table(&name) else {
            continue;
        };
        let range = book
            .worksheet_range(&name)
            .map_err(|e| vec![file_issue(table.name, e)])?;
        let mut rows = range.rows();
        let headers: Vec<String> = rows
            .next()
            .map(|r| {
                r.iter()
                    .map(|c| c.to_string().trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        for required in table.required {
            if !headers.iter().any(|h| h == required) {
                issues.push(DirIssue {
                    table: table.name.to_string(),
                    line: 1,
                    column: required.to_string(),
                    code: ErrorCode::Required,
                    value: "missing column".into(),
                });
            }
        }
        let mut out = Vec::new();
        for (i, r) in rows.enumerate() {
            let cells: Vec<String> = r
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let row: RawRow = headers
                .iter()
                .zip(cells)
                .filter(|(h, _)| !h.is_empty())
                .map(|(h, v)| (h.clone(), v))
                .collect();
            out.push((i as u64 + 2, row));
        }
        raw.push(table, out);
    }
    if raw.tables.is_empty() {
        issues.push(file_issue(
            "workbook",
            "no sheet named after a directory table",
        ));
    }
    if issues.is_empty() {
        Ok(raw)
    } else {
        Err(issues)
    }
}

/// How a column travels in HSDS JSON.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Flag,
    /// An array of strings.
    List,
    /// An array of objects, one per list item, the item under this key.
    ListOf(&'static str),
    /// A field of the first object of an array.
    First(&'static str),
}

struct Field {
    column: &'static str,
    key: &'static str,
    kind: Kind,
}

const fn f(column: &'static str, key: &'static str, kind: Kind) -> Field {
    Field { column, key, kind }
}

const HSDS_ORGANIZATIONS: &[Field] = &[
    f("code", "id", Kind::Text),
    f("name_fr", "name", Kind::Text),
    f("description_fr", "description", Kind::Text),
    f("website", "website", Kind::Text),
    f("email", "email", Kind::Text),
    f("phone", "phones", Kind::ListOf("number")),
    f("parent_code", "parent_organization_id", Kind::Text),
    f("kind", "x_kind", Kind::Text),
    f("name_ar", "x_name_ar", Kind::Text),
    f("name_en", "x_name_en", Kind::Text),
    f("description_ar", "x_description_ar", Kind::Text),
    f("description_en", "x_description_en", Kind::Text),
    f("territories", "x_territories", Kind::List),
    f("accepts_requests", "x_accepts_requests", Kind::Flag),
];

const HSDS_LOCATIONS: &[Field] = &[
    f("code", "id", Kind::Text),
    f("organization_code", "organization_id", Kind::Text),
    f("name_fr", "name", Kind::Text),
    f("name_ar", "x_name_ar", Kind::Text),
    f("name_en", "x_name_en", Kind::Text),
    f("latitude", "latitude", Kind::Number),
    f("longitude", "longitude", Kind::Number),
    f("address", "addresses", Kind::First("address_1")),
    f("city", "addresses", Kind::First("city")),
    f("territory_code", "addresses", Kind::First("state_province")),
    f("languages", "languages", Kind::ListOf("code")),
    f(
        "accessibility_note",
        "accessibility",
        Kind::First("description"),
    ),
    f("hours", "schedules", Kind::First("description")),
];

const HSDS_SERVICES: &[Field] = &[
    f("code", "id", Kind::Text),
    f("organization_code", "organization_id", Kind::Text),
    f("name_fr", "name", Kind::Text),
    f("name_ar", "x_name_ar", Kind::Text),
    f("name_en", "x_name_en", Kind::Text),
    f("description_fr", "description", Kind::Text),
    f("description_ar", "x_description_ar", Kind::Text),
    f("description_en", "x_description_en", Kind::Text),
    f("category", "attributes", Kind::First("taxonomy_term_id")),
    f("eligibility_status", "x_eligibility_status", Kind::List),
    f("eligibility_sex", "x_eligibility_sex", Kind::Text),
    f("eligibility_min_age", "minimum_age", Kind::Number),
    f("eligibility_max_age", "maximum_age", Kind::Number),
    f("cost", "x_cost", Kind::Text),
    f(
        "documents_fr",
        "required_documents",
        Kind::First("document"),
    ),
    f("documents_ar", "x_documents_ar", Kind::Text),
    f("documents_en", "x_documents_en", Kind::Text),
    f("how_to_access_fr", "application_process", Kind::Text),
    f("how_to_access_ar", "x_application_process_ar", Kind::Text),
    f("how_to_access_en", "x_application_process_en", Kind::Text),
    f("snia_actions", "x_snia_actions", Kind::List),
    f("source", "x_source", Kind::Text),
];

const HSDS_TAXONOMY: &[Field] = &[
    f("code", "code", Kind::Text),
    f("parent_code", "parent_id", Kind::Text),
    f("name_fr", "name", Kind::Text),
    f("name_ar", "x_name_ar", Kind::Text),
    f("name_en", "x_name_en", Kind::Text),
];

fn to_object(row: &RawRow, fields: &[Field]) -> Map<String, Value> {
    let mut obj = Map::new();
    for fd in fields {
        let v = row.get(fd.column).map(String::as_str).unwrap_or("");
        if v.is_empty() {
            continue;
        }
        match fd.kind {
            Kind::Text => {
                obj.insert(fd.key.into(), Value::String(v.into()));
            }
            Kind::Number => {
                let n = v
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| v.parse::<f64>().map(Value::from))
                    .unwrap_or_else(|_| Value::String(v.into()));
                obj.insert(fd.key.into(), n);
            }
            Kind::Flag => {
                obj.insert(fd.key.into(), Value::Bool(v == "yes"));
            }
            Kind::List => {
                obj.insert(fd.key.into(), json!(split_list(v)));
            }
            Kind::ListOf(sub) => {
                let items: Vec<Value> = split_list(v)
                    .into_iter()
                    .map(|x| json!({ sub: x }))
                    .collect();
                obj.insert(fd.key.into(), Value::Array(items));
            }
            Kind::First(sub) => {
                let arr = obj
                    .entry(fd.key)
                    .or_insert_with(|| Value::Array(vec![Value::Object(Map::new())]));
                if let Some(Value::Object(first)) = arr.as_array_mut().and_then(|a| a.first_mut()) {
                    first.insert(sub.into(), Value::String(v.into()));
                }
            }
        }
    }
    obj
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "yes" } else { "" }.to_string(),
        other => other.to_string(),
    }
}

fn from_object(obj: &Map<String, Value>, fields: &[Field]) -> RawRow {
    let mut row = RawRow::new();
    for fd in fields {
        let Some(v) = obj.get(fd.key) else { continue };
        let text = match fd.kind {
            Kind::Text | Kind::Number | Kind::Flag => text_of(v),
            Kind::List => v
                .as_array()
                .map(|a| a.iter().map(text_of).collect::<Vec<_>>().join("|"))
                .unwrap_or_else(|| text_of(v)),
            Kind::ListOf(sub) => v
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| x.get(sub).map(text_of).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .unwrap_or_default(),
            Kind::First(sub) => v
                .as_array()
                .and_then(|a| a.first())
                .and_then(|x| x.get(sub))
                .map(text_of)
                .unwrap_or_default(),
        };
        row.insert(fd.column.to_string(), text);
    }
    row
}

fn plain_rows<R: Record>(items: &[R]) -> Vec<Value> {
    items
        .iter()
        .map(|r| {
            let obj: Map<String, Value> = r
                .to_row()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Value::Object(obj)
        })
        .collect()
}

/// The directory as one HSDS-shaped JSON document.
pub fn write_hsds(d: &Directory) -> String {
    let orgs: Vec<Value> = d
        .organisations
        .iter()
        .map(|o| Value::Object(to_object(&o.to_row(), HSDS_ORGANIZATIONS)))
        .collect();
    let locations: Vec<Value> = d
        .locations
        .iter()
        .map(|l| {
            let mut obj = to_object(&l.to_row(), HSDS_LOCATIONS);
            obj.insert("location_type".into(), json!("physical"));
            Value::Object(obj)
        })
        .collect();
    let services: Vec<Value> = d
        .services
        .iter()
        .map(|s| Value::Object(to_object(&s.to_row(), HSDS_SERVICES)))
        .collect();
    let at: Vec<Value> = d
        .services
        .iter()
        .flat_map(|s| {
            s.location_codes.iter().map(move |l| {
                json!({"id": format!("{}@{}", s.code, l), "service_id": s.code, "location_id": l})
            })
        })
        .collect();
    let terms: Vec<Value> = d
        .taxonomy
        .iter()
        .map(|t| {
            let mut obj = to_object(&t.to_row(), HSDS_TAXONOMY);
            obj.insert("id".into(), json!(t.code));
            obj.insert("taxonomy".into(), json!("passerelle"));
            Value::Object(obj)
        })
        .collect();
    let doc = json!({
        "hsds_version": "3.0",
        "x_generator": "Passerelle",
        "organizations": orgs,
        "locations": locations,
        "services": services,
        "service_at_locations": at,
        "taxonomy_terms": terms,
        "x_rights": plain_rows(&d.rights),
        "x_projects": plain_rows(&d.projects),
        "x_conventions": plain_rows(&d.conventions),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Reads an HSDS-shaped JSON document (what [`write_hsds`] writes, or another HSDS
/// publisher's organisations, locations and services). The "line" of a row is its
/// position in its array, from 1.
pub fn read_hsds(text: &str) -> Result<RawTables, Vec<DirIssue>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| vec![file_issue("hsds", e)])?;
    let Some(top) = doc.as_object() else {
        return Err(vec![file_issue("hsds", "expected a JSON object")]);
    };
    let array = |key: &str| -> Vec<Map<String, Value>> {
        top.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
            .unwrap_or_default()
    };
    let mut at: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for link in array("service_at_locations") {
        let (Some(s), Some(l)) = (link.get("service_id"), link.get("location_id")) else {
            continue;
        };
        at.entry(text_of(s)).or_default().push(text_of(l));
    }
    let lined = |rows: Vec<RawRow>| -> Vec<(u64, RawRow)> {
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r))
            .collect()
    };
    let mut raw = RawTables::default();
    raw.push(
        &dd::TAXONOMY,
        lined(
            array("taxonomy_terms")
                .iter()
                .map(|o| from_object(o, HSDS_TAXONOMY))
                .collect(),
        ),
    );
    raw.push(
        &dd::ORGANISATIONS,
        lined(
            array("organizations")
                .iter()
                .map(|o| from_object(o, HSDS_ORGANIZATIONS))
                .collect(),
        ),
    );
    raw.push(
        &dd::LOCATIONS,
        lined(
            array("locations")
                .iter()
                .map(|o| from_object(o, HSDS_LOCATIONS))
                .collect(),
        ),
    );
    raw.push(
        &dd::SERVICES,
        lined(
            array("services")
                .iter()
                .map(|o| {
                    let mut row = from_object(o, HSDS_SERVICES);
                    let code = row.get("code").cloned().unwrap_or_default();
                    row.insert(
                        "location_codes".into(),
                        at.get(&code).map(|v| v.join("|")).unwrap_or_default(),
                    );
                    row
                })
                .collect(),
        ),
    );
    for (key, table) in [
        ("x_rights", &dd::RIGHTS),
        ("x_projects", &dd::PROJECTS),
        ("x_conventions", &dd::CONVENTIONS),
    ] {
        let rows = array(key)
            .iter()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), text_of(v))).collect())
            .collect();
        raw.push(table, lined(rows));
    }
    raw.tables.retain(|(_, rows)| !rows.is_empty());
    Ok(raw)
}

/// The HXL columns: header, hashtag.
pub const HXL_COLUMNS: [(&str, &str); 14] = [
    ("organisation_code", "#org+code"),
    ("organisation", "#org+name"),
    ("organisation_kind", "#org+type"),
    ("service_code", "#service+code"),
    ("service", "#service+name"),
    ("category", "#sector+code"),
    ("category_name", "#sector+name"),
    ("location_code", "#loc+code"),
    ("location", "#loc+name"),
    ("city", "#loc+city"),
    ("province_code", "#adm2+code"),
    ("region_code", "#adm1+code"),
    ("eligible_groups", "#group+eligible"),
    ("cost", "#meta+cost"),
];

/// The directory as HXL-tagged CSV: a row per service and location, or per service
/// and area covered when it has no location. `parent` gives a territory's parent.
pub fn write_hxl(d: &Directory, parent: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = vec![
        HXL_COLUMNS.iter().map(|(h, _)| h.to_string()).collect(),
        HXL_COLUMNS.iter().map(|(_, t)| t.to_string()).collect(),
    ];
    let levels = |code: &str| -> (String, String) {
        match code.split('-').count() {
            1 => (String::new(), String::new()),
            2 if code[3..].chars().all(|c| c.is_ascii_digit()) => (String::new(), code.to_string()),
            2 => (code.to_string(), parent(code).unwrap_or_default()),
            _ => {
                let province = parent(code).unwrap_or_default();
                let region = parent(&province).unwrap_or_default();
                (province, region)
            }
        }
    };
    for s in &d.services {
        let org = d
            .organisations
            .iter()
            .find(|o| o.code == s.organization_code);
        let term = d.taxonomy.iter().find(|t| t.code == s.category);
        let base = |loc_code: &str, loc_name: &str, city: &str, territory: &str| -> Vec<String> {
            let (province, region) = levels(territory);
            vec![
                s.organization_code.to_string(),
                org.map(|o| o.name_fr.clone()).unwrap_or_default(),
                org.map(|o| o.kind.as_str().to_string()).unwrap_or_default(),
                s.code.clone(),
                s.name_fr.clone(),
                s.category.clone(),
                term.map(|t| t.name_fr.clone()).unwrap_or_default(),
                loc_code.to_string(),
                loc_name.to_string(),
                city.to_string(),
                province,
                region,
                s.eligibility_status.join("|"),
                s.cost.clone().unwrap_or_default(),
            ]
        };
        if s.location_codes.is_empty() {
            let areas: Vec<String> = org
                .map(|o| o.territories.iter().map(|t| t.to_string()).collect())
                .unwrap_or_default();
            if areas.is_empty() {
                rows.push(base("", "", "", "MA"));
            }
            for a in areas {
                rows.push(base("", "", "", &a));
            }
        }
        for code in &s.location_codes {
            if let Some(l) = d.locations.iter().find(|l| &l.code == code) {
                rows.push(base(
                    &l.code,
                    &l.name_fr,
                    l.city.as_deref().unwrap_or(""),
                    l.territory_code.as_str(),
                ));
            }
        }
    }
    write_csv(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_recognised_by_name_or_header() {
        assert_eq!(
            guess_table("data/services.csv", "").map(|t| t.name),
            Some("services")
        );
        assert_eq!(
            guess_table("organisations.csv", "").map(|t| t.name),
            Some("organizations")
        );
        assert_eq!(
            guess_table("export.csv", "code,parent_code,name_fr,name_ar,name_en\n").map(|t| t.name),
            Some("taxonomy")
        );
        assert_eq!(
            guess_table("x.csv", "code,organization_code,name_fr,territory_code\n").map(|t| t.name),
            Some("locations")
        );
        assert!(guess_table("x.csv", "a,b\n").is_none());
    }

    #[test]
    fn a_csv_without_a_required_column_is_refused_at_the_header() {
        let issues = read_csv(&dd::TAXONOMY, "code,name_ar\nhealth,الصحة\n").unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!((issues[0].line, issues[0].column.as_str()), (1, "name_fr"));
    }
}
