//! The service directory's use cases: import and export in four formats (all or
//! nothing, every bad row located), the demo data, changes proposed by organisations
//! and community agents and validated by the secretariat, and the "who does what
//! where" (4W) view with its gaps and overlaps.
//!
//! The directory is public (the portal shows it to anyone), so reading it needs no
//! actor; changing it goes through [`crate::access::decide`].

pub mod exchange;

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::{Service, audit_row};
use passerelle_domain::directory::{
    self as dd, DirIssue, Directory, Known, Lined, RawRow, RawTables, Record, Table,
    check_references, parse_tables,
};
use passerelle_domain::{DomainError, ErrorCode, Locale, TerritoryLevel};
use passerelle_store::directory::{self as store, Change, NewChange};
use passerelle_store::{Tx, audit, orgs, territories};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The directory shipped for the demo: `data/directory/`.
pub const SHIPPED: [(&str, &str); 7] = [
    (
        "taxonomy.csv",
        include_str!("../../../../data/directory/taxonomy.csv"),
    ),
    (
        "organizations.csv",
        include_str!("../../../../data/directory/organizations.csv"),
    ),
    (
        "locations.csv",
        include_str!("../../../../data/directory/locations.csv"),
    ),
    (
        "services.csv",
        include_str!("../../../../data/directory/services.csv"),
    ),
    (
        "rights.csv",
        include_str!("../../../../data/directory/rights.csv"),
    ),
    (
        "projects.csv",
        include_str!("../../../../data/directory/projects.csv"),
    ),
    (
        "conventions.csv",
        include_str!("../../../../data/directory/conventions.csv"),
    ),
];

#[derive(Debug)]
pub enum DirectoryImportError {
    Invalid(Vec<DirIssue>),
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for DirectoryImportError {
    fn from(e: E) -> Self {
        DirectoryImportError::Service(e.into())
    }
}

/// How many rows of each table an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DirectoryImport {
    pub tables: BTreeMap<String, usize>,
    pub rows: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Hsds,
    Hxl,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "hsds" | "json" => Some(ExportFormat::Hsds),
            "hxl" => Some(ExportFormat::Hxl),
            _ => None,
        }
    }
}

/// One exported file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Reads files of any supported format into tables: `.xlsx`/`.ods` workbooks, `.json`
/// HSDS documents, and CSV files named after their table (or recognised by header).
pub fn read_files(files: &[(String, Vec<u8>)]) -> Result<RawTables, Vec<DirIssue>> {
    let mut raw = RawTables::default();
    let mut issues = Vec::new();
    for (name, bytes) in files {
        let lower = name.to_ascii_lowercase();
        let is_zip = bytes.starts_with(b"PK");
        if lower.ends_with(".xlsx") || lower.ends_with(".ods") || is_zip {
            match exchange::read_xlsx(bytes) {
                Ok(t) => t.tables.into_iter().for_each(|(t, rows)| raw.push(t, rows)),
                Err(e) => issues.extend(e),
            }
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            issues.push(DirIssue {
                table: name.clone(),
                line: 1,
                column: "file".into(),
                code: ErrorCode::Format,
                value: "not UTF-8 text: send CSV in UTF-8, XLSX or JSON".into(),
            });
            continue;
        };
        if lower.ends_with(".json") || text.trim_start().starts_with('{') {
            match exchange::read_hsds(text) {
                Ok(t) => t.tables.into_iter().for_each(|(t, rows)| raw.push(t, rows)),
                Err(e) => issues.extend(e),
            }
            continue;
        }
        match exchange::guess_table(name, text) {
            Some(table) => match exchange::read_csv(table, text) {
                Ok(rows) => raw.push(table, rows),
                Err(e) => issues.extend(e),
            },
            None => issues.push(DirIssue {
                table: name.clone(),
                line: 1,
                column: "file".into(),
                code: ErrorCode::UnknownValue,
                value: "not a directory table (name the file organizations.csv, locations.csv, services.csv…)".into(),
            }),
        }
    }
    if issues.is_empty() {
        Ok(raw)
    } else {
        Err(issues)
    }
}

/// Orders items so that a parent named in the same set comes before its children.
fn parents_first<T>(
    items: &[T],
    code: impl Fn(&T) -> String,
    parent: impl Fn(&T) -> Option<String>,
) -> Vec<&T> {
    let mut out: Vec<&T> = Vec::with_capacity(items.len());
    let mut done: HashSet<String> = HashSet::new();
    let all: HashSet<String> = items.iter().map(&code).collect();
    let mut rest: Vec<&T> = items.iter().collect();
    while !rest.is_empty() {
        let before = rest.len();
        let (ready, waiting): (Vec<&T>, Vec<&T>) = rest
            .into_iter()
            .partition(|t| parent(t).is_none_or(|p| !all.contains(&p) || done.contains(&p)));
        for t in &ready {
            done.insert(code(t));
        }
        out.extend(ready);
        rest = waiting;
        if rest.len() == before {
            out.append(&mut rest);
        }
    }
    out
}

/// Writes every record of `d`, in an order that satisfies the references.
async fn write_directory(tx: &mut Tx, d: &Directory) -> Result<(), ServiceError> {
    for t in parents_first(&d.taxonomy, |t| t.code.clone(), |t| t.parent_code.clone()) {
        store::upsert_term(tx, t).await?;
    }
    for o in parents_first(
        &d.organisations,
        |o| o.code.to_string(),
        |o| o.parent_code.as_ref().map(|p| p.to_string()),
    ) {
        store::upsert_org(tx, o).await?;
    }
    for l in &d.locations {
        store::upsert_location(tx, l).await?;
    }
    for s in &d.services {
        store::upsert_service(tx, s).await?;
    }
    for r in &d.rights {
        store::upsert_right(tx, r).await?;
    }
    for p in &d.projects {
        store::upsert_project(tx, p).await?;
    }
    for c in &d.conventions {
        store::upsert_convention(tx, c).await?;
    }
    Ok(())
}

fn counts(d: &Directory) -> DirectoryImport {
    let mut r = DirectoryImport::default();
    for (table, rows) in d.tables() {
        let n = rows.len().saturating_sub(1);
        if n > 0 {
            r.tables.insert(table.name.to_string(), n);
        }
        r.rows += n;
    }
    r
}

/// A name in three languages, as the directory stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Names {
    pub fr: String,
    pub ar: Option<String>,
    pub en: Option<String>,
}

impl Names {
    pub fn new(fr: &str, ar: &Option<String>, en: &Option<String>) -> Names {
        Names {
            fr: fr.to_string(),
            ar: ar.clone(),
            en: en.clone(),
        }
    }

    pub fn pick(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ar => self.ar.as_deref(),
            Locale::En => self.en.as_deref(),
            Locale::Fr => None,
        }
        .unwrap_or(&self.fr)
    }
}

/// A proposed change, with the columns it changes: (column, current, proposed).
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub change: Change,
    pub diff: Vec<(String, String, String)>,
    pub is_new: bool,
}

/// What became of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeOutcome {
    /// The actor may change the directory: done.
    Applied,
    /// Waiting for the secretariat: the change's id.
    Pending(i64),
}

/// One line of the 4W: an organisation's service or project in a region.
#[derive(Debug, Clone, Serialize)]
pub struct FourWRow {
    /// `service` or `project`.
    pub kind: &'static str,
    pub organisation: String,
    pub organisation_name: Names,
    pub funder: Option<String>,
    pub activity: String,
    pub activity_name: Names,
    /// The top-level category (services); empty for projects.
    pub category: String,
    /// A region code, or `MA` for national.
    pub region: String,
    /// The provinces within the region, when known.
    pub provinces: Vec<String>,
    /// Who it is for: eligibility statuses (services), target groups (projects).
    pub groups: Vec<String>,
    pub snia_actions: Vec<String>,
    pub period: String,
}

/// Several projects serving the same SNIA action in the same region.
#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    pub action: String,
    pub region: String,
    pub projects: Vec<String>,
}

/// Who does what where, with the gaps and overlaps made visible.
#[derive(Debug, Clone, Serialize)]
pub struct FourW {
    pub rows: Vec<FourWRow>,
    /// Top-level categories: (code, names).
    pub categories: Vec<(String, Names)>,
    /// Regions: (code, names).
    pub regions: Vec<(String, Names)>,
    /// Services delivered in each region (rows) for each category (columns).
    pub matrix: Vec<Vec<i64>>,
    /// Services offered nationally, per category.
    pub national: Vec<i64>,
    pub overlaps: Vec<Overlap>,
}

impl FourW {
    /// (region, category) cells with no service delivered in the region.
    pub fn gaps(&self) -> usize {
        self.matrix.iter().flatten().filter(|n| **n == 0).count()
    }

    /// The rows as CSV, names in `locale`.
    pub fn to_csv(&self, locale: Locale) -> Vec<u8> {
        let mut rows = vec![
            [
                "kind",
                "organisation_code",
                "organisation",
                "funder_code",
                "activity_code",
                "activity",
                "category",
                "region_code",
                "province_codes",
                "groups",
                "snia_actions",
                "period",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ];
        for r in &self.rows {
            rows.push(vec![
                r.kind.to_string(),
                r.organisation.clone(),
                r.organisation_name.pick(locale).to_string(),
                r.funder.clone().unwrap_or_default(),
                r.activity.clone(),
                r.activity_name.pick(locale).to_string(),
                r.category.clone(),
                r.region.clone(),
                r.provinces.join("|"),
                r.groups.join("|"),
                r.snia_actions.join("|"),
                r.period.clone(),
            ]);
        }
        exchange::write_csv(&rows)
    }
}

/// Converts located problems of a one-row validation into field errors for a form.
fn field_errors(table: &'static Table, issues: Vec<DirIssue>) -> Vec<DomainError> {
    issues
        .into_iter()
        .map(|i| DomainError {
            field: table
                .columns
                .iter()
                .copied()
                .find(|c| *c == i.column)
                .unwrap_or("code"),
            code: i.code,
            value: (!i.value.is_empty()).then_some(i.value),
        })
        .collect()
}

impl Service {
    /// The whole directory, as stored.
    pub async fn directory_snapshot(&self) -> Result<Directory, ServiceError> {
        let mut conn = self.store.conn().await?;
        Ok(store::load(&mut conn).await?)
    }

    async fn known(&self) -> Result<Known, ServiceError> {
        let mut conn = self.store.conn().await?;
        Ok(store::known(&mut conn).await?)
    }

    /// Checks rows without writing: the parsed records, or every problem.
    pub async fn check_directory(&self, raw: &RawTables) -> Result<Lined, DirectoryImportError> {
        let (lined, mut issues) = parse_tables(raw);
        let known = self.known().await?;
        issues.extend(check_references(&lined, &known));
        if issues.is_empty() {
            Ok(lined)
        } else {
            Err(DirectoryImportError::Invalid(issues))
        }
    }

    /// Imports directory tables, matching records by code (new ones are added, known
    /// ones updated, none deleted). All or nothing. `actor` is `None` for the operator.
    pub async fn import_directory(
        &self,
        actor: Option<&Actor>,
        raw: &RawTables,
        source: &str,
        op: &str,
    ) -> Result<DirectoryImport, DirectoryImportError> {
        if let Some(a) = actor {
            decide(a, Action::ManageDirectory)?;
        }
        let lined = self.check_directory(raw).await?;
        let report = counts(&lined.directory);
        let mut tx = self.store.begin().await?;
        write_directory(&mut tx, &lined.directory).await?;
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "import_directory",
                "directory",
                None,
                json!({"source": source, "tables": report.tables}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Loads the shipped directory (`data/directory/`) when the store has no service yet.
    pub async fn ensure_shipped_directory(&self, op: &str) -> Result<usize, ServiceError> {
        {
            let mut conn = self.store.conn().await?;
            if store::service_count(&mut conn).await? > 0 {
                return Ok(0);
            }
        }
        let files: Vec<(String, Vec<u8>)> = SHIPPED
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let raw = read_files(&files)
            .map_err(|e| ServiceError::Internal(format!("shipped directory: {e:?}")))?;
        match self
            .import_directory(None, &raw, "data/directory", op)
            .await
        {
            Ok(r) => Ok(r.rows),
            Err(DirectoryImportError::Service(e)) => Err(e),
            Err(DirectoryImportError::Invalid(issues)) => {
                let text: Vec<String> = issues.iter().map(ToString::to_string).collect();
                Err(ServiceError::Internal(format!(
                    "shipped directory: {}",
                    text.join("; ")
                )))
            }
        }
    }

    /// Exports the directory: CSV (one file per table, or only `table`), one XLSX
    /// workbook, one HSDS JSON document or one HXL CSV. `actor` is `None` for the operator.
    pub async fn export_directory(
        &self,
        actor: Option<&Actor>,
        format: ExportFormat,
        table: Option<&str>,
    ) -> Result<Vec<ExportFile>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let d = self.directory_snapshot().await?;
        Ok(match format {
            ExportFormat::Csv => {
                let wanted = match table {
                    Some(t) => Some(dd::table(t).ok_or_else(|| {
                        ServiceError::invalid(DomainError::with_value(
                            "table",
                            ErrorCode::UnknownValue,
                            t,
                        ))
                    })?),
                    None => None,
                };
                d.tables()
                    .into_iter()
                    .filter(|(t, _)| wanted.is_none_or(|w| w.name == t.name))
                    .map(|(t, rows)| ExportFile {
                        name: t.file_name(),
                        content_type: "text/csv; charset=utf-8",
                        bytes: exchange::write_csv(&rows),
                    })
                    .collect()
            }
            ExportFormat::Xlsx => vec![ExportFile {
                name: "directory.xlsx".into(),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes: exchange::write_xlsx(&d).map_err(ServiceError::Internal)?,
            }],
            ExportFormat::Hsds => vec![ExportFile {
                name: "directory.hsds.json".into(),
                content_type: "application/json",
                bytes: exchange::write_hsds(&d).into_bytes(),
            }],
            ExportFormat::Hxl => {
                let mut conn = self.store.conn().await?;
                let mut parents: HashMap<String, String> = HashMap::new();
                for level in [TerritoryLevel::Province, TerritoryLevel::Region] {
                    for t in territories::list_level(&mut conn, level).await? {
                        if let Some(p) = t.parent_code {
                            parents.insert(t.code.to_string(), p);
                        }
                    }
                }
                let parent = |c: &str| parents.get(c).cloned();
                vec![ExportFile {
                    name: "directory.hxl.csv".into(),
                    content_type: "text/csv; charset=utf-8",
                    bytes: exchange::write_hxl(&d, &parent),
                }]
            }
        })
    }

    /// The current row of a record, as the edit form shows it.
    pub async fn directory_row(&self, table: &str, code: &str) -> Result<RawRow, ServiceError> {
        let t = dd::table(table).ok_or(ServiceError::NotFound)?;
        let d = self.directory_snapshot().await?;
        find_row(&d, t, code).ok_or(ServiceError::NotFound)
    }

    /// Whether `actor` may propose a change to a record owned by `owners` (the
    /// organisation itself, or the one delivering a location or service): an owner's
    /// focal point or supervisor, or one of a parent organisation; any community agent.
    async fn may_propose(
        &self,
        actor: &Actor,
        table: &Table,
        owners: &[String],
    ) -> Result<(), ServiceError> {
        if decide(actor, Action::ManageDirectory).is_ok() {
            return Ok(());
        }
        if !matches!(table.name, "organizations" | "locations" | "services") {
            return Err(ServiceError::Forbidden);
        }
        let known = self.known().await?;
        let mut conn = self.store.conn().await?;
        for owner in owners {
            let mut chain = vec![owner.clone()];
            chain.extend(dd::ancestors(&known.organisations, owner));
            let mut ok = false;
            for code in chain {
                let Ok(c) = passerelle_domain::OrgCode::parse(&code) else {
                    continue;
                };
                match orgs::by_code(&mut conn, &c).await? {
                    Some(o) => ok = decide(actor, Action::ProposeDirectoryChange(o.id)).is_ok(),
                    // A new organisation: anyone who may propose for any organisation.
                    None => {
                        ok = actor
                            .user
                            .roles
                            .contains(&passerelle_domain::Role::CommunityAgent)
                    }
                }
                if ok {
                    break;
                }
            }
            if !ok {
                return Err(ServiceError::Forbidden);
            }
        }
        Ok(())
    }

    /// Changes a record (or adds one when `code` is `None`): applied at once for the
    /// secretariat, otherwise queued for its validation. The row is checked first, so a
    /// form shows every error beside its field.
    pub async fn propose_directory_change(
        &self,
        actor: &Actor,
        table: &str,
        code: Option<&str>,
        fields: &RawRow,
        note: &str,
        op: &str,
    ) -> Result<ChangeOutcome, ServiceError> {
        let t = dd::table(table).ok_or(ServiceError::NotFound)?;
        let d = self.directory_snapshot().await?;
        let current = match code {
            Some(c) => Some(find_row(&d, t, c).ok_or(ServiceError::NotFound)?),
            None => None,
        };
        let mut row: RawRow = current.clone().unwrap_or_default();
        for (k, v) in fields {
            if t.columns.contains(&k.as_str()) {
                row.insert(k.clone(), v.trim().to_string());
            }
        }
        if let Some(c) = code {
            row.insert("code".into(), c.to_string());
        } else if find_row(&d, t, row.get("code").map(String::as_str).unwrap_or("")).is_some() {
            return Err(DomainError::with_value(
                "code",
                ErrorCode::AlreadyExists,
                row.get("code").cloned().unwrap_or_default(),
            )
            .into());
        }
        let owner_of = |r: &RawRow| -> Option<String> {
            let col = if t.name == "organizations" {
                "code"
            } else {
                "organization_code"
            };
            r.get(col)
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
        };
        let mut owners: Vec<String> = Vec::new();
        owners.extend(owner_of(&row));
        if let Some(cur) = &current {
            owners.extend(owner_of(cur));
        }
        owners.dedup();
        self.may_propose(actor, t, &owners).await?;
        let mut raw = RawTables::default();
        raw.push(t, vec![(1, row.clone())]);
        let lined = match self.check_directory(&raw).await {
            Ok(l) => l,
            Err(DirectoryImportError::Invalid(issues)) => {
                return Err(ServiceError::Invalid(field_errors(t, issues)));
            }
            Err(DirectoryImportError::Service(e)) => return Err(e),
        };
        // What the parsed record writes back, so the stored proposal is normalised.
        let normal = find_row(
            &lined.directory,
            t,
            row.get("code").map(String::as_str).unwrap_or(""),
        )
        .unwrap_or(row);
        let entity_code = normal.get("code").cloned().unwrap_or_default();
        let payload =
            serde_json::to_string(&normal).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let direct = decide(actor, Action::ManageDirectory).is_ok();
        let mut tx = self.store.begin().await?;
        if direct {
            write_directory(&mut tx, &lined.directory).await?;
        }
        let id = store::insert_change(
            &mut tx,
            &NewChange {
                entity: t.name,
                entity_code: &entity_code,
                fields: &payload,
                proposed_by: actor.user.id.0,
                proposed_org: actor.user.organisation_id,
                note: (!note.trim().is_empty()).then_some(note.trim()),
                status: if direct { "applied" } else { "pending" },
            },
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if direct {
                    "change_directory"
                } else {
                    "propose_directory_change"
                },
                t.name,
                Some(entity_code.clone()),
                json!({"change": id, "new": current.is_none()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(if direct {
            ChangeOutcome::Applied
        } else {
            ChangeOutcome::Pending(id)
        })
    }

    /// Changes the actor may see: every pending and recent one for the secretariat,
    /// their own proposals for others.
    pub async fn directory_changes(&self, actor: &Actor) -> Result<Vec<ChangeView>, ServiceError> {
        let all = decide(actor, Action::ManageDirectory).is_ok();
        if !all && !crate::Permissions::of(actor).propose_directory {
            return Err(ServiceError::Forbidden);
        }
        let mut conn = self.store.conn().await?;
        let list = store::changes(&mut conn, "", (!all).then_some(actor.user.id.0)).await?;
        drop(conn);
        let d = self.directory_snapshot().await?;
        Ok(list
            .into_iter()
            .map(|c| {
                let proposed: RawRow = serde_json::from_str(&c.fields).unwrap_or_default();
                let current = dd::table(&c.entity).and_then(|t| find_row(&d, t, &c.entity_code));
                let columns: Vec<&str> = dd::table(&c.entity)
                    .map(|t| t.columns.to_vec())
                    .unwrap_or_default();
                let diff = columns
                    .iter()
                    .filter_map(|col| {
                        let now = current
                            .as_ref()
                            .and_then(|r| r.get(*col))
                            .cloned()
                            .unwrap_or_default();
                        let new = proposed.get(*col).cloned().unwrap_or_default();
                        (now != new
                            || c.status != "pending" && !new.is_empty() && current.is_none())
                        .then(|| (col.to_string(), now, new))
                    })
                    .collect();
                ChangeView {
                    is_new: current.is_none(),
                    change: c,
                    diff,
                }
            })
            .collect())
    }

    /// Approves (applies) or rejects a pending change (the secretariat).
    pub async fn review_directory_change(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        comment: &str,
        op: &str,
    ) -> Result<(), ServiceError> {
        decide(actor, Action::ManageDirectory)?;
        let mut conn = self.store.conn().await?;
        let change = store::change(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        drop(conn);
        if change.status != "pending" {
            return Err(
                DomainError::with_value("change", ErrorCode::RuleViolated, change.status).into(),
            );
        }
        let t = dd::table(&change.entity).ok_or(ServiceError::NotFound)?;
        let mut tx_dir = None;
        if approve {
            let row: RawRow = serde_json::from_str(&change.fields)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let mut raw = RawTables::default();
            raw.push(t, vec![(1, row)]);
            match self.check_directory(&raw).await {
                Ok(l) => tx_dir = Some(l.directory),
                Err(DirectoryImportError::Invalid(issues)) => {
                    return Err(ServiceError::Invalid(field_errors(t, issues)));
                }
                Err(DirectoryImportError::Service(e)) => return Err(e),
            }
        }
        let mut tx = self.store.begin().await?;
        let comment = comment.trim();
        let done = store::review_change(
            &mut tx,
            id,
            if approve { "approved" } else { "rejected" },
            actor.user.id.0,
            (!comment.is_empty()).then_some(comment),
        )
        .await?;
        if !done {
            return Err(
                DomainError::with_value("change", ErrorCode::RuleViolated, "reviewed").into(),
            );
        }
        if let Some(d) = &tx_dir {
            write_directory(&mut tx, d).await?;
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if approve {
                    "approve_directory_change"
                } else {
                    "reject_directory_change"
                },
                t.name,
                Some(change.entity_code.clone()),
                json!({"change": id}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who does what where: services and projects by organisation, category, region and
    /// target group, with the regions lacking a kind of service and the projects that
    /// serve the same action in the same region.
    pub async fn who_does_what_where(&self, actor: &Actor) -> Result<FourW, ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let d = self.directory_snapshot().await?;
        let mut conn = self.store.conn().await?;
        let regions = territories::list_level(&mut conn, TerritoryLevel::Region).await?;
        let mut region_of: HashMap<String, String> = HashMap::new();
        for r in &regions {
            region_of.insert(r.code.to_string(), r.code.to_string());
        }
        for p in territories::list_level(&mut conn, TerritoryLevel::Province).await? {
            if let Some(parent) = p.parent_code {
                region_of.insert(p.code.to_string(), parent);
            }
        }
        let mut communes: Vec<String> = d
            .locations
            .iter()
            .map(|l| l.territory_code.to_string())
            .filter(|c| !region_of.contains_key(c))
            .collect();
        communes.sort();
        communes.dedup();
        for c in communes {
            if let Ok(code) = passerelle_domain::TerritoryCode::parse(&c)
                && let Some(t) = territories::get(&mut conn, &code).await?
                && let Some(p) = t.parent_code
                && let Some(r) = region_of.get(&p).cloned()
            {
                region_of.insert(c, r);
            }
        }
        drop(conn);
        Ok(four_w(&d, &regions, &region_of))
    }
}

/// A record's row by table and code.
pub fn find_row(d: &Directory, t: &Table, code: &str) -> Option<RawRow> {
    let code = code.trim();
    let eq = |c: &str| c.eq_ignore_ascii_case(code);
    match t.name {
        "taxonomy" => d.taxonomy.iter().find(|r| eq(&r.code)).map(Record::to_row),
        "organizations" => d
            .organisations
            .iter()
            .find(|r| eq(r.code.as_str()))
            .map(Record::to_row),
        "locations" => d.locations.iter().find(|r| eq(&r.code)).map(Record::to_row),
        "services" => d.services.iter().find(|r| eq(&r.code)).map(Record::to_row),
        "rights" => d.rights.iter().find(|r| eq(&r.code)).map(Record::to_row),
        "projects" => d.projects.iter().find(|r| eq(&r.code)).map(Record::to_row),
        _ => d
            .conventions
            .iter()
            .find(|r| eq(&r.code))
            .map(Record::to_row),
    }
}

/// The top-level category of a term (itself when it has no parent).
pub fn top_category(d: &Directory, code: &str) -> String {
    let mut current = code.to_string();
    for _ in 0..8 {
        match d
            .taxonomy
            .iter()
            .find(|t| t.code == current)
            .and_then(|t| t.parent_code.clone())
        {
            Some(p) => current = p,
            None => break,
        }
    }
    current
}

fn four_w(
    d: &Directory,
    regions: &[passerelle_store::territories::Territory],
    region_of: &HashMap<String, String>,
) -> FourW {
    let org_names = |code: &str| {
        d.organisations
            .iter()
            .find(|o| o.code.as_str() == code)
            .map(|o| Names::new(&o.name_fr, &o.name_ar, &o.name_en))
            .unwrap_or_else(|| Names {
                fr: code.to_string(),
                ..Names::default()
            })
    };
    let categories: Vec<(String, Names)> = d
        .taxonomy
        .iter()
        .filter(|t| t.parent_code.is_none())
        .map(|t| {
            (
                t.code.clone(),
                Names::new(&t.name_fr, &t.name_ar, &t.name_en),
            )
        })
        .collect();
    let region_list: Vec<(String, Names)> = regions
        .iter()
        .map(|r| {
            (
                r.code.to_string(),
                Names::new(&r.name_fr, &r.name_ar, &r.name_en),
            )
        })
        .collect();
    let mut rows = Vec::new();
    let mut matrix = vec![vec![0i64; categories.len()]; region_list.len()];
    let mut national = vec![0i64; categories.len()];
    for s in &d.services {
        let top = top_category(d, &s.category);
        let ci = categories.iter().position(|(c, _)| *c == top);
        // Where: the regions of its locations, else the areas its organisation covers.
        let mut places: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for code in &s.location_codes {
            if let Some(l) = d.locations.iter().find(|l| &l.code == code) {
                let t = l.territory_code.to_string();
                let region = region_of.get(&t).cloned().unwrap_or_else(|| "MA".into());
                let set = places.entry(region).or_default();
                if t.split('-').count() >= 2 && !t[3..].chars().all(|c| c.is_ascii_digit()) {
                    set.insert(t);
                }
            }
        }
        if places.is_empty() {
            let org = d
                .organisations
                .iter()
                .find(|o| o.code == s.organization_code);
            for t in org.map(|o| o.territories.clone()).unwrap_or_default() {
                let t = t.to_string();
                let region = region_of.get(&t).cloned().unwrap_or_else(|| "MA".into());
                let set = places.entry(region).or_default();
                if t != "MA" && !t[3..].chars().all(|c| c.is_ascii_digit()) {
                    set.insert(t);
                }
            }
            if places.is_empty() {
                places.insert("MA".into(), BTreeSet::new());
            }
        }
        for (region, provinces) in places {
            if let Some(ci) = ci {
                match region_list.iter().position(|(r, _)| *r == region) {
                    Some(ri) => matrix[ri][ci] += 1,
                    None => national[ci] += 1,
                }
            }
            rows.push(FourWRow {
                kind: "service",
                organisation: s.organization_code.to_string(),
                organisation_name: org_names(s.organization_code.as_str()),
                funder: None,
                activity: s.code.clone(),
                activity_name: Names::new(&s.name_fr, &s.name_ar, &s.name_en),
                category: top.clone(),
                region,
                provinces: provinces.into_iter().collect(),
                groups: s.eligibility_status.clone(),
                snia_actions: s.snia_actions.clone(),
                period: String::new(),
            });
        }
    }
    let mut by_action: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for p in &d.projects {
        let mut places: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for t in &p.territories {
            let t = t.to_string();
            let region = region_of.get(&t).cloned().unwrap_or_else(|| "MA".into());
            let set = places.entry(region).or_default();
            if t != "MA" && !t[3..].chars().all(|c| c.is_ascii_digit()) {
                set.insert(t);
            }
        }
        if places.is_empty() {
            places.insert("MA".into(), BTreeSet::new());
        }
        for (region, provinces) in places {
            for a in &p.snia_actions {
                by_action
                    .entry((a.clone(), region.clone()))
                    .or_default()
                    .push(p.code.clone());
            }
            rows.push(FourWRow {
                kind: "project",
                organisation: p.implementer_code.to_string(),
                organisation_name: org_names(p.implementer_code.as_str()),
                funder: p.funder_code.as_ref().map(|f| f.to_string()),
                activity: p.code.clone(),
                activity_name: Names::new(&p.title_fr, &p.title_ar, &p.title_en),
                category: String::new(),
                region,
                provinces: provinces.into_iter().collect(),
                groups: p.target_groups.clone(),
                snia_actions: p.snia_actions.clone(),
                period: match (&p.start_date, &p.end_date) {
                    (None, None) => String::new(),
                    (s, e) => format!(
                        "{}–{}",
                        s.as_deref().unwrap_or("…"),
                        e.as_deref().unwrap_or("…")
                    ),
                },
            });
        }
    }
    let overlaps = by_action
        .into_iter()
        .filter(|(_, projects)| projects.len() > 1)
        .map(|((action, region), projects)| Overlap {
            action,
            region,
            projects,
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.region, a.kind, &a.organisation, &a.activity).cmp(&(
            &b.region,
            b.kind,
            &b.organisation,
            &b.activity,
        ))
    });
    FourW {
        rows,
        categories,
        regions: region_list,
        matrix,
        national,
        overlaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_store::testing;

    async fn loaded(backend: passerelle_store::Backend) -> Service {
        let store = testing::fresh_store(backend)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let svc = Service::new(store, crate::ServiceConfig::default());
        svc.ensure_reference_data("test")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        svc.ensure_shipped_directory("test")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        svc
    }

    async fn fresh(backend: passerelle_store::Backend) -> Service {
        let store = testing::fresh_store(backend)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let svc = Service::new(store, crate::ServiceConfig::default());
        svc.ensure_reference_data("test")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        svc
    }

    #[tokio::test]
    async fn the_directory_round_trips_through_csv_xlsx_and_hsds_without_loss() {
        for backend in testing::backends() {
            let source = loaded(backend).await;
            let original = source
                .directory_snapshot()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(original.organisations.len(), 64, "{backend:?}");
            assert_eq!(original.services.len(), 52);
            assert_eq!(original.locations.len(), 36);
            assert_eq!(original.taxonomy.len(), 27);
            assert_eq!(original.rights.len(), 13);
            assert!(!original.projects.is_empty() && !original.conventions.is_empty());
            for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Hsds] {
                let files = source
                    .export_directory(None, format, None)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let inputs: Vec<(String, Vec<u8>)> =
                    files.into_iter().map(|f| (f.name, f.bytes)).collect();
                let raw = read_files(&inputs).unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
                let target = fresh(backend).await;
                let report = target
                    .import_directory(None, &raw, "round trip", "test")
                    .await
                    .unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
                assert_eq!(report.rows, original.rows(), "{format:?}");
                let copy = target
                    .directory_snapshot()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(copy, original, "{format:?} on {backend:?}");
            }
        }
    }

    #[tokio::test]
    async fn an_import_with_unknown_territories_or_categories_is_refused_whole() {
        for backend in testing::backends() {
            let svc = loaded(backend).await;
            let before = svc
                .directory_snapshot()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let locations = "code,organization_code,name_fr,city,territory_code\n\
                LOC-NEW-OK,ANAPEC,Agence,Rabat,MA-RAB\n\
                LOC-NEW-BAD,ANAPEC,Agence,Atlantis,MA-ATL\n";
            let services = "code,organization_code,category,name_fr,location_codes\n\
                SVC-NEW-OK,ANAPEC,registration,Inscription,LOC-NEW-OK\n\
                SVC-NEW-BAD,ANAPEC,astrology,Horoscope,\n\
                SVC-NEW-WORSE,NOBODY,health,Soins,LOC-NOWHERE\n";
            let raw = read_files(&[
                ("locations.csv".into(), locations.as_bytes().to_vec()),
                ("services.csv".into(), services.as_bytes().to_vec()),
            ])
            .unwrap_or_else(|e| panic!("{e:?}"));
            let Err(DirectoryImportError::Invalid(issues)) =
                svc.import_directory(None, &raw, "test", "test").await
            else {
                panic!("the import should be refused");
            };
            let got: Vec<(&str, u64, &str, ErrorCode)> = issues
                .iter()
                .map(|i| (i.table.as_str(), i.line, i.column.as_str(), i.code))
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        "locations",
                        3,
                        "territory_code",
                        ErrorCode::UnknownTerritory
                    ),
                    ("services", 3, "category", ErrorCode::UnknownValue),
                    (
                        "services",
                        4,
                        "organization_code",
                        ErrorCode::UnknownOrganisation
                    ),
                    ("services", 4, "location_codes", ErrorCode::UnknownValue),
                ],
                "{backend:?}"
            );
            let after = svc
                .directory_snapshot()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(after, before, "nothing was written");
        }
    }
}
