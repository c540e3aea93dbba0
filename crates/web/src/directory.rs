//! The directory for signed-in users: the list of organisations, locations, services,
//! rights pages, projects and conventions; the edit form, where a change is applied at
//! once for the secretariat and queued for its validation otherwise; the review queue;
//! "who does what where" (4W) with its gaps and overlaps; the exports. Also the intake
//! queue, where case workers take the requests the portal routed to their organisation,
//! and the directory's JSON API under `/api/v1/directory` and `/api/v1/intake`.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, WebError};
use crate::i18n;
use crate::portal::{Text, text};
use crate::view::{Page, field_errors, render_form_page, render_page};
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use passerelle_domain::directory::{self as dd, RawRow, Table};
use passerelle_domain::{ErrorCode, Locale};
use passerelle_service::ServiceError;
use passerelle_service::directory::{
    ChangeOutcome, DirectoryImportError, ExportFormat, Names, read_files,
};
use passerelle_service::portal::PortalQuery;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/directory", get(index))
        .route("/directory/export", get(export_page))
        .route("/directory/changes", get(changes))
        .route("/directory/changes/{id}/{verdict}", post(review))
        .route("/directory/4w", get(four_w))
        .route("/directory/4w.csv", get(four_w_csv))
        .route("/directory/{table}/new", get(new_form).post(new_post))
        .route(
            "/directory/{table}/{code}/edit",
            get(edit_form).post(edit_post),
        )
        .route("/intake", get(intake_queue))
        .route("/intake/{id}/{step}", post(intake_step))
}

fn names_text(l: Locale, n: &Names) -> Text {
    text(l, &Some(n.fr.clone()), &n.ar, &n.en).unwrap_or(Text {
        text: n.fr.clone(),
        lang: "fr",
    })
}

struct Row {
    table: &'static str,
    code: String,
    name: Text,
    owner: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "directory_index.html")]
struct IndexPage {
    p: Page,
    sections: Vec<(&'static str, String, Vec<Row>)>,
    pending: usize,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct IndexQuery {
    #[serde(default)]
    done: String,
}

async fn index(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndexQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    s.svc.organisations(actor).await?;
    let l = ctx.locale;
    let d = s.svc.directory_snapshot().await?;
    let name =
        |fr: &str, ar: &Option<String>, en: &Option<String>| names_text(l, &Names::new(fr, ar, en));
    let services = d
        .services
        .iter()
        .map(|x| Row {
            table: "services",
            code: x.code.clone(),
            name: name(&x.name_fr, &x.name_ar, &x.name_en),
            owner: x.organization_code.to_string(),
            detail: d
                .taxonomy
                .iter()
                .find(|t| t.code == x.category)
                .map(|t| {
                    Names::new(&t.name_fr, &t.name_ar, &t.name_en)
                        .pick(l)
                        .to_string()
                })
                .unwrap_or_default(),
        })
        .collect();
    let locations = d
        .locations
        .iter()
        .map(|x| Row {
            table: "locations",
            code: x.code.clone(),
            name: name(&x.name_fr, &x.name_ar, &x.name_en),
            owner: x.organization_code.to_string(),
            detail: x.city.clone().unwrap_or_default(),
        })
        .collect();
    let organisations = d
        .organisations
        .iter()
        .map(|x| Row {
            table: "organizations",
            code: x.code.to_string(),
            name: name(&x.name_fr, &x.name_ar, &x.name_en),
            owner: x
                .parent_code
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            detail: i18n::t(l, &format!("org-kind-{}", x.kind.as_str())),
        })
        .collect();
    let rights = d
        .rights
        .iter()
        .map(|x| Row {
            table: "rights",
            code: x.code.clone(),
            name: name(&x.title_fr, &x.title_ar, &x.title_en),
            owner: String::new(),
            detail: String::new(),
        })
        .collect();
    let projects = d
        .projects
        .iter()
        .map(|x| Row {
            table: "projects",
            code: x.code.clone(),
            name: name(&x.title_fr, &x.title_ar, &x.title_en),
            owner: x.implementer_code.to_string(),
            detail: x
                .funder_code
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let conventions = d
        .conventions
        .iter()
        .map(|x| Row {
            table: "conventions",
            code: x.code.clone(),
            name: name(&x.title_fr, &x.title_ar, &x.title_en),
            owner: x
                .parties
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            detail: i18n::t(l, &format!("dir-convention-{}", x.status)),
        })
        .collect();
    let pending = if ctx.permissions.manage_directory {
        s.svc
            .directory_changes(actor)
            .await?
            .iter()
            .filter(|c| c.change.status == "pending")
            .count()
    } else {
        0
    };
    let notice = match q.done.as_str() {
        "applied" => Some(i18n::t(l, "dir-change-applied")),
        "pending" => Some(i18n::t(l, "dir-change-pending")),
        _ => None,
    };
    let section =
        |key: &'static str, rows: Vec<Row>| (key, i18n::t(l, &format!("dir-table-{key}")), rows);
    Ok(render_page(&IndexPage {
        p: Page::new(&ctx, "nav-directory"),
        sections: vec![
            section("services", services),
            section("locations", locations),
            section("organizations", organisations),
            section("rights", rights),
            section("projects", projects),
            section("conventions", conventions),
        ],
        pending,
        notice,
    }))
}

struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    long: bool,
    arabic: bool,
    list: bool,
    readonly: bool,
    error: String,
}

#[derive(Template)]
#[template(path = "directory_edit.html")]
struct EditPage {
    p: Page,
    table: &'static str,
    code: Option<String>,
    fields: Vec<FieldView>,
    note: String,
    direct: bool,
    failed: bool,
}

fn is_long(column: &str) -> bool {
    [
        "description",
        "body",
        "documents",
        "how_to_access",
        "source",
        "accessibility",
    ]
    .iter()
    .any(|p| column.starts_with(p))
}

fn edit_page(
    ctx: &Ctx,
    table: &'static Table,
    code: Option<String>,
    row: &RawRow,
    errors: Vec<(String, String)>,
    note: String,
) -> Response {
    let l = ctx.locale;
    let fields = table
        .columns
        .iter()
        .map(|c| FieldView {
            name: c,
            label: i18n::t(l, &format!("dir-col-{c}")),
            value: row.get(*c).cloned().unwrap_or_default(),
            long: is_long(c),
            arabic: c.ends_with("_ar"),
            list: matches!(
                *c,
                "territories"
                    | "languages"
                    | "location_codes"
                    | "eligibility_status"
                    | "snia_actions"
                    | "target_groups"
                    | "parties"
            ),
            readonly: *c == "code" && code.is_some(),
            error: errors
                .iter()
                .filter(|(f, _)| f == c)
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let failed = !errors.is_empty();
    let mut p = Page::new(ctx, "nav-directory");
    let table_label = i18n::t(l, &format!("dir-table-{}", table.name));
    p.title = match &code {
        Some(c) => format!("{table_label} · {c}"),
        None => table_label.clone(),
    };
    render_form_page(
        &EditPage {
            direct: ctx.permissions.manage_directory,
            p,
            table: table.name,
            code,
            fields,
            note,
            failed,
        },
        failed,
    )
}

fn table_of(name: &str) -> Result<&'static Table, WebError> {
    dd::table(name).ok_or_else(|| WebError::code(ErrorCode::NotFound))
}

async fn edit_form(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((table, code)): Path<(String, String)>,
) -> Result<Response, WebError> {
    ctx.actor()?;
    if !(ctx.permissions.manage_directory || ctx.permissions.propose_directory) {
        return Err(WebError::code(ErrorCode::Forbidden));
    }
    let t = table_of(&table)?;
    let row = s.svc.directory_row(t.name, &code).await?;
    Ok(edit_page(
        &ctx,
        t,
        Some(row.get("code").cloned().unwrap_or(code)),
        &row,
        Vec::new(),
        String::new(),
    ))
}

async fn new_form(ctx: Ctx, Path(table): Path<String>) -> Result<Response, WebError> {
    ctx.actor()?;
    if !(ctx.permissions.manage_directory || ctx.permissions.propose_directory) {
        return Err(WebError::code(ErrorCode::Forbidden));
    }
    let t = table_of(&table)?;
    Ok(edit_page(
        &ctx,
        t,
        None,
        &RawRow::new(),
        Vec::new(),
        String::new(),
    ))
}

fn form_row(body: &[u8]) -> (RawRow, String) {
    let mut row = RawRow::new();
    let mut note = String::new();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "_csrf" => {}
            "_note" => note = v.into_owned(),
            key => {
                row.insert(key.to_string(), v.into_owned());
            }
        }
    }
    (row, note)
}

async fn save(
    s: &AppState,
    ctx: &Ctx,
    t: &'static Table,
    code: Option<String>,
    body: &[u8],
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let (row, note) = form_row(body);
    match s
        .svc
        .propose_directory_change(actor, t.name, code.as_deref(), &row, &note, &ctx.op)
        .await
    {
        Ok(ChangeOutcome::Applied) => Ok(Redirect::to("/directory?done=applied").into_response()),
        Ok(ChangeOutcome::Pending(_)) => {
            Ok(Redirect::to("/directory?done=pending").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let errors = field_errors(&errors, ctx.locale);
            Ok(edit_page(ctx, t, code, &row, errors, note))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((table, code)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let t = table_of(&table)?;
    save(&s, &ctx, t, Some(code), &body).await
}

async fn new_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(table): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let t = table_of(&table)?;
    save(&s, &ctx, t, None, &body).await
}

struct ChangeRow {
    id: i64,
    table: String,
    code: String,
    who: String,
    org: String,
    at: String,
    note: String,
    status: String,
    status_label: String,
    is_new: bool,
    diff: Vec<(String, String, String)>,
    comment: String,
}

#[derive(Template)]
#[template(path = "directory_changes.html")]
struct ChangesPage {
    p: Page,
    rows: Vec<ChangeRow>,
    review: bool,
    errors: Vec<String>,
}

async fn changes_page(s: &AppState, ctx: &Ctx, errors: Vec<String>) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let list = s.svc.directory_changes(actor).await?;
    let rows = list
        .into_iter()
        .map(|c| ChangeRow {
            id: c.change.id,
            table: i18n::t(l, &format!("dir-table-{}", c.change.entity)),
            code: c.change.entity_code.clone(),
            who: c.change.proposer_name.clone(),
            org: c.change.proposed_org.clone(),
            at: i18n::format_timestamp(l, &c.change.proposed_at, true),
            note: c.change.note.clone().unwrap_or_default(),
            status_label: i18n::t(l, &format!("dir-status-{}", c.change.status)),
            status: c.change.status.clone(),
            is_new: c.is_new,
            diff: c
                .diff
                .into_iter()
                .map(|(col, old, new)| (i18n::t(l, &format!("dir-col-{col}")), old, new))
                .collect(),
            comment: c.change.review_comment.clone().unwrap_or_default(),
        })
        .collect();
    let failed = !errors.is_empty();
    Ok(render_form_page(
        &ChangesPage {
            p: Page::new(ctx, "dir-changes-title"),
            rows,
            review: ctx.permissions.manage_directory,
            errors,
        },
        failed,
    ))
}

async fn changes(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    changes_page(&s, &ctx, Vec::new()).await
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    comment: String,
}

async fn review(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, verdict)): Path<(i64, String)>,
    axum::Form(f): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let approve = match verdict.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(WebError::code(ErrorCode::NotFound)),
    };
    match s
        .svc
        .review_directory_change(actor, id, approve, &f.comment, &ctx.op)
        .await
    {
        Ok(()) => Ok(Redirect::to("/directory/changes").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let messages = errors
                .iter()
                .map(|e| {
                    format!(
                        "{} — {}",
                        i18n::t(ctx.locale, &format!("dir-col-{}", e.field)),
                        crate::error::field_message(e, ctx.locale)
                    )
                })
                .collect();
            changes_page(&s, &ctx, messages).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct FourWQuery {
    #[serde(default)]
    region: String,
    #[serde(default)]
    category: String,
}

struct FourWLine {
    kind: String,
    organisation: String,
    org_name: Text,
    activity: String,
    activity_name: Text,
    category: String,
    region: String,
    provinces: String,
    groups: String,
    actions: String,
    funder: String,
    period: String,
}

type MatrixRow = (String, String, Vec<(i64, String)>);

#[derive(Template)]
#[template(path = "directory_4w.html")]
struct FourWPage {
    p: Page,
    categories: Vec<(String, String, bool)>,
    regions: Vec<(String, String, bool)>,
    /// (region code, region name, [(count, count as text)]).
    matrix: Vec<MatrixRow>,
    national: Vec<String>,
    gaps: String,
    overlaps: Vec<(String, String, String)>,
    rows: Vec<FourWLine>,
    csv_link: String,
}

async fn four_w(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FourWQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let w = s.svc.who_does_what_where(actor).await?;
    let region_name = |code: &str| {
        if code == "MA" {
            return i18n::t(l, "territory-national");
        }
        w.regions
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.pick(l).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let category_name = |code: &str| {
        w.categories
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.pick(l).to_string())
            .unwrap_or_default()
    };
    let matrix = w
        .regions
        .iter()
        .zip(&w.matrix)
        .map(|((code, n), counts)| {
            (
                code.clone(),
                n.pick(l).to_string(),
                counts.iter().map(|c| (*c, l.format_int(*c))).collect(),
            )
        })
        .collect();
    let rows = w
        .rows
        .iter()
        .filter(|r| q.region.is_empty() || r.region == q.region)
        .filter(|r| q.category.is_empty() || r.category == q.category)
        .map(|r| FourWLine {
            kind: i18n::t(l, &format!("dir-4w-kind-{}", r.kind)),
            organisation: r.organisation.clone(),
            org_name: names_text(l, &r.organisation_name),
            activity: r.activity.clone(),
            activity_name: names_text(l, &r.activity_name),
            category: category_name(&r.category),
            region: region_name(&r.region),
            provinces: r.provinces.join(", "),
            groups: r
                .groups
                .iter()
                .map(|g| {
                    let key = format!("portal-status-{g}");
                    let t = i18n::t(l, &key);
                    if t == key {
                        i18n::t(l, &format!("dir-group-{g}"))
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            actions: r.snia_actions.join(", "),
            funder: r.funder.clone().unwrap_or_default(),
            period: r.period.clone(),
        })
        .collect();
    let overlaps = w
        .overlaps
        .iter()
        .map(|o| {
            (
                o.action.clone(),
                region_name(&o.region),
                o.projects.join(", "),
            )
        })
        .collect();
    let mut csv_link = String::from("/directory/4w.csv");
    if !q.region.is_empty() || !q.category.is_empty() {
        csv_link.push_str(&format!(
            "?region={}&category={}",
            form_urlencoded::byte_serialize(q.region.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(q.category.as_bytes()).collect::<String>()
        ));
    }
    Ok(render_page(&FourWPage {
        p: Page::new(&ctx, "dir-4w-title"),
        categories: w
            .categories
            .iter()
            .map(|(c, n)| (c.clone(), n.pick(l).to_string(), *c == q.category))
            .collect(),
        regions: w
            .regions
            .iter()
            .map(|(c, n)| (c.clone(), n.pick(l).to_string(), *c == q.region))
            .collect(),
        matrix,
        national: w.national.iter().map(|n| l.format_int(*n)).collect(),
        gaps: i18n::t_args(
            l,
            "dir-4w-gaps",
            &[("count", w.gaps().to_string().as_str())],
        ),
        overlaps,
        rows,
        csv_link,
    }))
}

async fn four_w_csv(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FourWQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let mut w = s.svc.who_does_what_where(actor).await?;
    w.rows.retain(|r| {
        (q.region.is_empty() || r.region == q.region)
            && (q.category.is_empty() || r.category == q.category)
    });
    Ok(download(
        "who-does-what-where.csv",
        "text/csv; charset=utf-8",
        w.to_csv(ctx.locale),
    ))
}

fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` (one table, see `table`), `xlsx`, `hsds` or `hxl`.
    #[serde(default)]
    pub format: String,
    /// For CSV: `organizations`, `locations`, `services`, `taxonomy`, `rights`, `projects`, `conventions` (default `services`).
    #[serde(default)]
    pub table: String,
}

async fn export_file(s: &AppState, ctx: &Ctx, q: &ExportQuery) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let format = ExportFormat::parse(if q.format.is_empty() {
        "csv"
    } else {
        &q.format
    })
    .ok_or_else(|| {
        WebError::from(ServiceError::invalid(
            passerelle_domain::DomainError::with_value(
                "format",
                ErrorCode::UnknownValue,
                q.format.clone(),
            ),
        ))
    })?;
    let table = (format == ExportFormat::Csv).then_some(if q.table.is_empty() {
        "services"
    } else {
        q.table.as_str()
    });
    let files = s.svc.export_directory(Some(actor), format, table).await?;
    let f = files
        .into_iter()
        .next()
        .ok_or_else(|| WebError::code(ErrorCode::NotFound))?;
    Ok(download(&f.name, f.content_type, f.bytes))
}

async fn export_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    export_file(&s, &ctx, &q).await
}

struct IntakeRow {
    id: i64,
    at: String,
    name: String,
    contact: String,
    language: String,
    place: String,
    help: String,
    service: String,
    message: String,
    status: String,
    status_label: String,
    taken: String,
    case_ref: String,
}

#[derive(Template)]
#[template(path = "intake_queue.html")]
struct IntakePage {
    p: Page,
    rows: Vec<IntakeRow>,
    open: String,
}

async fn intake_queue(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let list = s.svc.intake_queue(actor, &ctx.op).await?;
    let d = s.svc.directory_snapshot().await?;
    let regions = s.svc.portal_regions().await?;
    let place = |code: &str| {
        regions
            .iter()
            .find_map(|r| {
                if r.code == code {
                    Some(r.names.pick(l).to_string())
                } else {
                    r.provinces
                        .iter()
                        .find(|(c, _)| c == code)
                        .map(|(_, n)| format!("{} ({})", n.pick(l), r.names.pick(l)))
                }
            })
            .unwrap_or_else(|| code.to_string())
    };
    let open = list.iter().filter(|r| r.status != "closed").count();
    let rows = list
        .into_iter()
        .map(|r| IntakeRow {
            id: r.id,
            at: i18n::format_timestamp(l, &r.created_at, true),
            name: r.name.clone(),
            contact: r.contact.clone(),
            language: r
                .preferred_language
                .as_deref()
                .map(|x| i18n::t(l, &format!("language-{x}")))
                .unwrap_or_default(),
            place: place(&r.territory_code),
            help: r
                .help_category
                .as_deref()
                .and_then(|c| d.taxonomy.iter().find(|t| t.code == c))
                .map(|t| {
                    Names::new(&t.name_fr, &t.name_ar, &t.name_en)
                        .pick(l)
                        .to_string()
                })
                .unwrap_or_default(),
            service: r
                .service_code
                .as_deref()
                .and_then(|c| d.services.iter().find(|x| x.code == c))
                .map(|x| {
                    Names::new(&x.name_fr, &x.name_ar, &x.name_en)
                        .pick(l)
                        .to_string()
                })
                .unwrap_or_default(),
            message: r.message.clone().unwrap_or_default(),
            status_label: i18n::t(l, &format!("intake-status-{}", r.status)),
            status: r.status.clone(),
            taken: match (&r.taken_by_name, &r.taken_at) {
                (Some(who), Some(at)) => format!("{who} · {}", i18n::format_timestamp(l, at, true)),
                _ => String::new(),
            },
            case_ref: r.case_ref.clone().unwrap_or_default(),
        })
        .collect();
    Ok(render_page(&IntakePage {
        p: Page::new(&ctx, "nav-intake"),
        rows,
        open: i18n::t_args(
            l,
            "intake-open-count",
            &[("count", open.to_string().as_str())],
        ),
    }))
}

async fn intake_step(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match step.as_str() {
        "take" => s.svc.take_intake(actor, id, &ctx.op).await?,
        "close" => s.svc.close_intake(actor, id, &ctx.op).await?,
        _ => return Err(WebError::code(ErrorCode::NotFound)),
    }
    Ok(Redirect::to("/intake").into_response())
}

// ---------------------------------------------------------------------------------
// JSON API

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/directory/services", get(api_services))
        .route("/directory/services/{code}", get(api_service))
        .route("/directory/locations/{code}", get(api_location))
        .route("/directory/export", get(api_export))
        .route("/directory/import", post(api_import))
        .route("/directory/who-does-what-where", get(api_four_w))
        .route("/intake", get(api_intake))
        .route("/intake/{id}/{step}", post(api_intake_step))
}

#[derive(OpenApi)]
#[openapi(
    paths(api_services, api_service, api_location, api_export, api_import, api_four_w, api_intake, api_intake_step),
    components(schemas(ServiceSummary, IntakeView)),
    tags((name = "directory", description = "The service directory (public reads) and its exchange formats"), (name = "intake", description = "Requests from the public portal's contact form"))
)]
pub struct DirectoryApi;

/// A service found by the portal's search.
#[derive(Serialize, ToSchema)]
pub struct ServiceSummary {
    pub code: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub organisation: String,
    pub category: String,
    /// Where it is delivered (location codes that matched); empty when offered everywhere.
    pub locations: Vec<String>,
    pub everywhere: bool,
    pub eligibility_status: Vec<String>,
    pub cost: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ServicesParams {
    /// A region or province code (`MA-04`, `MA-RAB`).
    pub territory: Option<String>,
    /// A category code; a top-level one covers its sub-categories.
    pub category: Option<String>,
    /// A language the staff speak (`ar`, `fr`, `en`…).
    pub language: Option<String>,
    /// An eligibility status (`regular`, `refugee`, `asylum_seeker`, `irregular`…).
    pub status: Option<String>,
    /// Words to look for.
    pub q: Option<String>,
}

/// Services, found as on the public portal (no authentication needed).
#[utoipa::path(get, path = "/api/v1/directory/services", tag = "directory", params(ServicesParams),
    responses((status = 200, body = Vec<ServiceSummary>)))]
async fn api_services(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ServicesParams>,
) -> Result<Json<Vec<ServiceSummary>>, WebError> {
    let q = PortalQuery {
        territory: p.territory.unwrap_or_default(),
        category: p.category.unwrap_or_default(),
        language: p.language.unwrap_or_default(),
        status: p.status.unwrap_or_default(),
        q: p.q.unwrap_or_default(),
    };
    let hits = s.svc.portal_search(&q, ctx.locale).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| ServiceSummary {
                code: h.service.code,
                name_fr: h.service.name_fr,
                name_ar: h.service.name_ar,
                name_en: h.service.name_en,
                organisation: h.service.organization_code.to_string(),
                category: h.service.category,
                locations: h.places.into_iter().map(|l| l.code).collect(),
                everywhere: h.everywhere,
                eligibility_status: h.service.eligibility_status,
                cost: h.service.cost,
            })
            .collect(),
    ))
}

/// One service with its organisation and locations (no authentication needed).
#[utoipa::path(get, path = "/api/v1/directory/services/{code}", tag = "directory", params(("code" = String, Path, description = "service code")),
    responses((status = 200, description = "`{service, organisation, category, locations, areas}`", body = Object), (status = 404, body = ApiError)))]
async fn api_service(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.portal_service(&code).await?).into_response())
}

/// One location with its organisation and services (no authentication needed).
#[utoipa::path(get, path = "/api/v1/directory/locations/{code}", tag = "directory", params(("code" = String, Path, description = "location code")),
    responses((status = 200, description = "`{location, organisation, services, territory, region}`", body = Object), (status = 404, body = ApiError)))]
async fn api_location(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.portal_location(&code).await?).into_response())
}

/// The directory as CSV (one table), XLSX (every table), HSDS JSON or HXL-tagged CSV.
#[utoipa::path(get, path = "/api/v1/directory/export", tag = "directory", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 401, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn api_export(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    export_file(&s, &ctx, &q).await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// For a CSV body: which table it holds (else guessed from its header).
    pub table: Option<String>,
}

/// Imports directory records (secretariat, administrators): a CSV table, an XLSX
/// workbook (one sheet per table) or an HSDS JSON document. Records are matched by
/// code. All or nothing: 422 lists every bad row as `fields[].field = "table, line N, column C"`.
#[utoipa::path(post, path = "/api/v1/directory/import", tag = "directory", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "`{tables: {name: rows}, rows}`", body = Object), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn api_import(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = if kind.contains("spreadsheet") || kind.contains("opendocument") {
        "upload.xlsx".to_string()
    } else if kind.contains("json") {
        "upload.json".to_string()
    } else {
        format!("{}.csv", p.table.unwrap_or_else(|| "upload".into()))
    };
    let raw = match read_files(&[(name, body.to_vec())]) {
        Ok(raw) => raw,
        Err(issues) => return Ok(import_problems(&ctx, issues)),
    };
    match s
        .svc
        .import_directory(
            Some(actor),
            &raw,
            &format!("api:{}", actor.user.username),
            &ctx.op,
        )
        .await
    {
        Ok(r) => Ok(Json(r).into_response()),
        Err(DirectoryImportError::Service(e)) => Err(e.into()),
        Err(DirectoryImportError::Invalid(issues)) => Ok(import_problems(&ctx, issues)),
    }
}

fn import_problems(ctx: &Ctx, issues: Vec<dd::DirIssue>) -> Response {
    crate::api::located_problems(
        ctx,
        "dir-import-invalid",
        issues
            .into_iter()
            .map(|i| {
                (
                    format!("{}, line {}, column {}", i.table, i.line, i.column),
                    i.code,
                    i.value,
                )
            })
            .collect(),
    )
}

/// Who does what where: services and projects by organisation, region and target
/// group, with the count of services per region and category and the overlapping projects.
#[utoipa::path(get, path = "/api/v1/directory/who-does-what-where", tag = "directory",
    responses((status = 200, description = "`{rows, categories, regions, matrix, national, overlaps}`", body = Object), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
async fn api_four_w(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.who_does_what_where(ctx.actor()?).await?).into_response())
}

/// An intake request, as the receiving organisation's case workers see it.
#[derive(Serialize, ToSchema)]
pub struct IntakeView {
    pub id: i64,
    pub created_at: String,
    pub organisation: String,
    pub territory: String,
    pub locale: String,
    pub name: String,
    pub contact: String,
    pub preferred_language: Option<String>,
    pub help_category: Option<String>,
    pub service: Option<String>,
    pub message: Option<String>,
    /// `new`, `taken` or `closed`.
    pub status: String,
    pub taken_at: Option<String>,
    pub case_ref: Option<String>,
}

/// The signed-in case worker's organisation's intake requests (each read is audited).
#[utoipa::path(get, path = "/api/v1/intake", tag = "intake",
    responses((status = 200, body = Vec<IntakeView>), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn api_intake(
    State(s): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<IntakeView>>, WebError> {
    let list = s.svc.intake_queue(ctx.actor()?, &ctx.op).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| IntakeView {
                id: r.id,
                created_at: r.created_at,
                organisation: r.organisation_code,
                territory: r.territory_code,
                locale: r.locale,
                name: r.name,
                contact: r.contact,
                preferred_language: r.preferred_language,
                help_category: r.help_category,
                service: r.service_code,
                message: r.message,
                status: r.status,
                taken_at: r.taken_at,
                case_ref: r.case_ref,
            })
            .collect(),
    ))
}

/// Takes (`take`) or closes (`close`) a request of the caller's organisation.
#[utoipa::path(post, path = "/api/v1/intake/{id}/{step}", tag = "intake",
    params(("id" = i64, Path, description = "request id"), ("step" = String, Path, description = "`take` or `close`")),
    responses((status = 204, description = "done"), (status = 404, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn api_intake_step(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match step.as_str() {
        "take" => s.svc.take_intake(actor, id, &ctx.op).await?,
        "close" => s.svc.close_intake(actor, id, &ctx.op).await?,
        _ => return Err(WebError::code(ErrorCode::NotFound)),
    }
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
