//! Exchange with partners' systems over HTTP.
//!
//! - DHIS2-compatible paths outside `/api/v1`, so scripts written for DHIS2 work
//!   against Passerelle: `GET/POST /api/dataValueSets` (JSON, CSV, ADX; by extension,
//!   `Accept` or `Content-Type`) and the read-only `GET /api/analytics` grid. An
//!   import answers with DHIS2's import summary: 200 when it wrote, 409 with status
//!   `ERROR` when it wrote nothing.
//! - `/api/v1/exchange/mapping` (the mapping as CSV, read and replace) and
//!   `/api/v1/frameworks/{code}/iati.xml`.
//! - The secretariat's exchange page (`/exchange`): the mapping, DHIS2 imports with
//!   their summary in the reader's language, and exports.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n;
use crate::view::{Page, render_form_page, render_page};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawForm, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use passerelle_domain::ErrorCode;
use passerelle_domain::values::RowIssue;
use passerelle_service::exchange::{Dhis2Format, Dhis2ImportOptions, Dhis2Query, ImportSummary};
use passerelle_service::values::ValuesImportError;
use serde::Deserialize;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/dataValueSets", get(export_values).post(import_values))
        .route(
            "/api/dataValueSets.json",
            get(export_json).post(import_json),
        )
        .route("/api/dataValueSets.csv", get(export_csv).post(import_csv))
        .route("/api/dataValueSets.adx", get(export_adx).post(import_adx))
        .route("/api/analytics", get(analytics))
        .route("/api/analytics.json", get(analytics))
        .route("/exchange", get(page))
        .route("/exchange/mapping", axum::routing::post(page_mapping))
        .route("/exchange/mapping.csv", get(page_mapping_csv))
        .route("/exchange/import", axum::routing::post(page_import))
        .route("/exchange/export", get(page_export))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/exchange/mapping",
            get(api_mapping).put(api_replace_mapping),
        )
        .route("/frameworks/{code}/iati.xml", get(api_iati))
}

#[derive(OpenApi)]
#[openapi(
    paths(api_mapping, api_replace_mapping, api_iati),
    tags((name = "exchange", description = "DHIS2 mapping and IATI export; the DHIS2-compatible `/api/dataValueSets` and `/api/analytics` live outside /api/v1"))
)]
pub struct ExchangeApi;

fn file(name: &str, content_type: &str, body: Vec<u8>, left_out: Option<usize>) -> Response {
    let mut r = (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response();
    if let Some(n) = left_out
        && let Ok(v) = n.to_string().parse()
    {
        // Values with no DHIS2 code in the mapping are left out; say how many.
        r.headers_mut().insert("x-passerelle-unmapped", v);
    }
    r
}

// ---- DHIS2 data value sets ----

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SetParams {
    pub data_set: Option<String>,
    pub data_element: Option<String>,
    pub period: Option<String>,
    pub org_unit: Option<String>,
    pub children: Option<bool>,
    pub id_scheme: Option<String>,
    /// Import: the reporting organisation when the file names none.
    pub organisation: Option<String>,
    /// Import: import the values that map, ignore the rest.
    pub import_what_maps: Option<bool>,
}

fn query_of(p: &SetParams) -> Dhis2Query {
    Dhis2Query {
        data_set: p.data_set.clone(),
        data_elements: p
            .data_element
            .as_deref()
            .unwrap_or("")
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        period: p.period.clone(),
        org_unit: p.org_unit.clone(),
        children: p.children.unwrap_or(false),
        id_scheme: p.id_scheme.clone(),
    }
}

async fn export(
    s: &AppState,
    ctx: &Ctx,
    p: &SetParams,
    format: Dhis2Format,
) -> Result<Response, WebError> {
    let export = s.svc.export_dhis2(Some(ctx.actor()?), &query_of(p)).await?;
    let left = export.left_out(format);
    let body = match format {
        Dhis2Format::Json => export.to_json(),
        Dhis2Format::Csv => export.to_csv(),
        Dhis2Format::Adx => export.to_adx(&now_iso()),
    };
    let mut r = file(
        &format!("dataValueSets.{}", format.extension()),
        format.media_type(),
        body.into_bytes(),
        Some(left),
    );
    if format == Dhis2Format::Json {
        r.headers_mut().remove(header::CONTENT_DISPOSITION);
    }
    Ok(r)
}

fn now_iso() -> String {
    let ts = passerelle_store::now();
    format!("{}Z", ts.get(..19).unwrap_or(&ts))
}

async fn export_values(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(p): Query<SetParams>,
) -> Result<Response, WebError> {
    let format = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| {
            if a.contains("adx") {
                Some(Dhis2Format::Adx)
            } else if a.contains("csv") {
                Some(Dhis2Format::Csv)
            } else {
                None
            }
        })
        .unwrap_or(Dhis2Format::Json);
    export(&s, &ctx, &p, format).await
}

async fn export_json(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
) -> Result<Response, WebError> {
    export(&s, &ctx, &p, Dhis2Format::Json).await
}

async fn export_csv(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
) -> Result<Response, WebError> {
    export(&s, &ctx, &p, Dhis2Format::Csv).await
}

async fn export_adx(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
) -> Result<Response, WebError> {
    export(&s, &ctx, &p, Dhis2Format::Adx).await
}

fn summary_response(summary: ImportSummary) -> Response {
    let status = if summary.status == "ERROR" {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    (status, Json(summary)).into_response()
}

async fn import(
    s: &AppState,
    ctx: &Ctx,
    p: &SetParams,
    format: Option<Dhis2Format>,
    body: &Bytes,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(WebError::code(ErrorCode::BadRequest));
    };
    let format = format.unwrap_or_else(|| Dhis2Format::sniff(text));
    let options = Dhis2ImportOptions {
        organisation: p.organisation.clone(),
        import_what_maps: p.import_what_maps.unwrap_or(false),
        id_scheme: p.id_scheme.clone(),
    };
    let summary = s
        .svc
        .import_dhis2(Some(actor), format, text, &options, &ctx.op)
        .await?;
    Ok(summary_response(summary))
}

async fn import_values(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(p): Query<SetParams>,
    body: Bytes,
) -> Result<Response, WebError> {
    let format = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Dhis2Format::parse);
    import(&s, &ctx, &p, format, &body).await
}

async fn import_json(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
    body: Bytes,
) -> Result<Response, WebError> {
    import(&s, &ctx, &p, Some(Dhis2Format::Json), &body).await
}

async fn import_csv(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
    body: Bytes,
) -> Result<Response, WebError> {
    import(&s, &ctx, &p, Some(Dhis2Format::Csv), &body).await
}

async fn import_adx(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SetParams>,
    body: Bytes,
) -> Result<Response, WebError> {
    import(&s, &ctx, &p, Some(Dhis2Format::Adx), &body).await
}

// ---- analytics ----

/// `dimension=dx:A;B&dimension=pe:2020&dimension=ou:MAR` (also `filter=`).
async fn analytics(
    State(s): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let (mut dx, mut pe, mut ou) = (Vec::new(), Vec::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        if k != "dimension" && k != "filter" {
            continue;
        }
        let Some((dim, items)) = v.split_once(':') else {
            continue;
        };
        let items = items
            .split(';')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(str::to_string);
        match dim {
            "dx" => dx.extend(items),
            "pe" => pe.extend(items),
            "ou" => ou.extend(items),
            _ => {}
        }
    }
    let grid = s.svc.analytics(Some(ctx.actor()?), &dx, &pe, &ou).await?;
    Ok(Json(grid).into_response())
}

// ---- /api/v1 ----

/// The DHIS2 mapping as CSV: `kind,code,dhis2_code,note`.
#[utoipa::path(get, path = "/api/v1/exchange/mapping", tag = "exchange",
    responses((status = 200, description = "the mapping", content_type = "text/csv", body = String)), security(("bearer" = [])))]
async fn api_mapping(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let rows = s.svc.exchange_mapping(Some(ctx.actor()?)).await?;
    Ok(file(
        "dhis2-mapping.csv",
        "text/csv; charset=utf-8",
        passerelle_domain::exchange::mapping_csv(&rows).into_bytes(),
        None,
    ))
}

fn problems(ctx: &Ctx, issues: Vec<RowIssue>) -> Response {
    crate::api::issue_problems(ctx, "exchange-mapping-invalid", &issues)
}

/// Replaces the DHIS2 mapping (secretariat, administrators). All or nothing: 422 lists every bad row.
#[utoipa::path(put, path = "/api/v1/exchange/mapping", tag = "exchange", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "`{rows}`", body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn api_replace_mapping(
    State(s): State<AppState>,
    ctx: Ctx,
    body: String,
) -> Result<Response, WebError> {
    match s
        .svc
        .import_exchange_mapping(Some(ctx.actor()?), &body, &ctx.op)
        .await
    {
        Ok(n) => Ok(Json(serde_json::json!({"rows": n})).into_response()),
        Err(ValuesImportError::Service(e)) => Err(e.into()),
        Err(ValuesImportError::Invalid(issues)) => Ok(problems(&ctx, issues)),
    }
}

/// A framework as an IATI 2.03 activity file (results, indicators, baselines, targets, actuals).
#[utoipa::path(get, path = "/api/v1/frameworks/{code}/iati.xml", tag = "exchange", params(("code" = String, Path, description = "AMUDDU…")),
    responses((status = 200, description = "IATI activities XML", content_type = "application/xml", body = String), (status = 422)), security(("bearer" = [])))]
async fn api_iati(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let xml = s.svc.iati_activity(Some(ctx.actor()?), &code).await?;
    Ok(file(
        &format!("{}-iati.xml", code.to_ascii_lowercase()),
        "application/xml; charset=utf-8",
        xml.into_bytes(),
        None,
    ))
}

// ---- the exchange page ----

struct ConflictView {
    what: String,
    object: String,
    detail: String,
}

struct SummaryView {
    ok: bool,
    headline: String,
    counts: String,
    conflicts: Vec<ConflictView>,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    p: Page,
    mapping_rows: String,
    mapping_text: String,
    mapping_errors: Vec<String>,
    mapping_saved: Option<String>,
    import_text: String,
    summary: Option<SummaryView>,
    datasets: Vec<(String, String)>,
}

async fn base_page(s: &AppState, ctx: &Ctx) -> Result<ExchangePage, WebError> {
    let actor = ctx.actor()?;
    if !ctx.permissions.manage_exchange {
        return Err(WebError::code(ErrorCode::Forbidden));
    }
    let rows = s.svc.exchange_mapping(Some(actor)).await?;
    let datasets = rows
        .iter()
        .filter(|r| r.kind == passerelle_domain::exchange::MappingKind::Dataset)
        .map(|r| (r.dhis2_code.clone(), r.code.clone()))
        .collect();
    Ok(ExchangePage {
        p: Page::new(ctx, "exchange-title"),
        mapping_rows: rows.len().to_string(),
        mapping_text: String::new(),
        mapping_errors: Vec::new(),
        mapping_saved: None,
        import_text: String::new(),
        summary: None,
        datasets,
    })
}

async fn page(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(render_page(&base_page(&s, &ctx).await?))
}

fn form_fields(raw: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(raw).into_owned().collect()
}

async fn page_mapping(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let mut page = base_page(&s, &ctx).await?;
    let f = form_fields(&raw);
    let text = f.get("mapping").cloned().unwrap_or_default();
    let l = ctx.locale;
    match s
        .svc
        .import_exchange_mapping(ctx.actor.as_ref(), &text, &ctx.op)
        .await
    {
        Ok(n) => {
            page.mapping_rows = n.to_string();
            page.mapping_saved = Some(i18n::t_args(
                l,
                "exchange-mapping-saved",
                &[("count", &n.to_string())],
            ));
            Ok(render_page(&page))
        }
        Err(ValuesImportError::Service(e)) => Err(e.into()),
        Err(ValuesImportError::Invalid(issues)) => {
            page.mapping_text = text;
            page.mapping_errors = issues
                .iter()
                .map(|i| {
                    i18n::t_args(
                        l,
                        "exchange-row-problem",
                        &[
                            ("line", &i.line.to_string()),
                            ("column", &i.column),
                            (
                                "problem",
                                &crate::error::field_message(
                                    &passerelle_domain::DomainError::with_value(
                                        "value",
                                        i.code,
                                        i.value.clone(),
                                    ),
                                    l,
                                ),
                            ),
                        ],
                    )
                })
                .collect();
            Ok(render_form_page(&page, true))
        }
    }
}

async fn page_mapping_csv(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    api_mapping(State(s), ctx).await
}

/// The summary in the reader's language: a sentence per conflict from its property
/// and error code, with the partner's code it concerns.
fn summary_view(l: passerelle_domain::Locale, s: &ImportSummary) -> SummaryView {
    let c = &s.import_count;
    let counts = i18n::t_args(
        l,
        "exchange-counts",
        &[
            ("imported", &c.imported.to_string()),
            ("updated", &c.updated.to_string()),
            ("ignored", &c.ignored.to_string()),
        ],
    );
    let conflicts = s
        .conflicts
        .iter()
        .map(|cf| {
            let key = format!("exchange-property-{}", cf.property);
            let what = i18n::t(l, &key);
            let what = if what == key {
                cf.property.clone()
            } else {
                what
            };
            let code = ErrorCode::ALL
                .into_iter()
                .find(|e| e.as_str() == cf.error_code)
                .unwrap_or(ErrorCode::Format);
            let problem = crate::error::field_message(
                &passerelle_domain::DomainError::with_value("value", code, String::new()),
                l,
            );
            let at = cf
                .indexes
                .first()
                .map(|i| i18n::t_args(l, "exchange-at-value", &[("index", &(i + 1).to_string())]))
                .unwrap_or_default();
            ConflictView {
                what,
                object: cf.object.clone(),
                detail: format!("{problem} {at}").trim().to_string(),
            }
        })
        .collect();
    SummaryView {
        ok: s.status != "ERROR",
        headline: i18n::t(
            l,
            &format!("exchange-status-{}", s.status.to_ascii_lowercase()),
        ),
        counts,
        conflicts,
    }
}

async fn page_import(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let mut page = base_page(&s, &ctx).await?;
    let actor = ctx.actor()?;
    let f = form_fields(&raw);
    let text = f.get("file").cloned().unwrap_or_default();
    let format = f
        .get("format")
        .and_then(|x| Dhis2Format::parse(x))
        .unwrap_or_else(|| Dhis2Format::sniff(&text));
    let options = Dhis2ImportOptions {
        organisation: f.get("organisation").cloned(),
        import_what_maps: f
            .get("import_what_maps")
            .is_some_and(|v| v == "on" || v == "true"),
        id_scheme: None,
    };
    let summary = s
        .svc
        .import_dhis2(Some(actor), format, &text, &options, &ctx.op)
        .await?;
    let failed = summary.status == "ERROR";
    if failed {
        page.import_text = text;
    }
    page.summary = Some(summary_view(ctx.locale, &summary));
    Ok(render_form_page(&page, failed))
}

#[derive(Deserialize)]
struct ExportForm {
    format: Option<String>,
    #[serde(rename = "dataSet")]
    data_set: Option<String>,
    period: Option<String>,
}

async fn page_export(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExportForm>,
) -> Result<Response, WebError> {
    let format = q
        .format
        .as_deref()
        .and_then(Dhis2Format::parse)
        .unwrap_or(Dhis2Format::Json);
    let p = SetParams {
        data_set: q.data_set.filter(|x| !x.is_empty()),
        period: q.period.filter(|x| !x.is_empty()),
        ..Default::default()
    };
    let mut r = export(&s, &ctx, &p, format).await?;
    if format == Dhis2Format::Json
        && let Ok(v) = "attachment; filename=\"dataValueSets.json\"".parse()
    {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
