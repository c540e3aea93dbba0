//! The yearly report's pages: narratives written by focal points and reviewed by the
//! secretariat (the same workflow as data submissions), frozen data versions
//! (snapshots), the report as a printable HTML page, and the follow-up of the
//! previous year's recommendations.
//!
//! [`document`] turns a snapshot into the report in one language
//! ([`passerelle_domain::report::Document`]); the HTML page here and the PDF of
//! `crates/report` (through `passerelle report yearly`) both render that one value, so
//! they print the same figures. For the public audience every table goes through
//! `domain::disclosure` (primary and complementary suppression) before it is shown.

use crate::AppState;
use crate::chart;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n;
use crate::view::{Page, render_form_page, render_page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use passerelle_domain::disclosure::{self, Audience, CellState, Policy};
use passerelle_domain::report::{
    DocFollowup, DocLabels, DocNarrative, DocObjective, DocPart, DocProgramme, DocRow, DocTable,
    Document, Section, SectionText, SnapRow, SnapSource, SnapshotContent, SnapshotInfo,
};
use passerelle_domain::reporting::{SubmissionStatus, Transition};
use passerelle_domain::{ErrorCode, Locale};
use passerelle_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(overview_default))
        .route("/report/{year}", get(overview))
        .route(
            "/report/{year}/narrative/{node}/{org}",
            get(narrative).post(narrative_post),
        )
        .route("/report/{year}/snapshot", post(snapshot_post))
        .route("/report/{year}/html", get(report_html))
        .route(
            "/report/{year}/followups",
            get(followups).post(followup_post),
        )
}

fn t(l: Locale, key: &str) -> String {
    i18n::t(l, key)
}

fn number(l: Locale, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        l.format_int(v as i64)
    } else {
        l.format_decimal(v, 2)
    }
}

/// A section's title in the report's language ("Activités menées en 2020").
pub fn section_title(l: Locale, s: Section, year: i32) -> String {
    i18n::t_args(
        l,
        &format!("report-section-{}", s.as_str()),
        &[
            ("year", year.to_string().as_str()),
            ("next", (year + 1).to_string().as_str()),
        ],
    )
}

fn row_label(l: Locale, breakdown: &str, r: &SnapRow) -> String {
    match breakdown {
        "territory" | "period" => r.label.pick(l).to_string(),
        dim => i18n::dim_value_label(l, dim, &r.key),
    }
}

fn source_text(l: Locale, s: &SnapSource) -> String {
    i18n::t_args(
        l,
        &format!("report-source-{}", s.kind),
        &[
            ("org", s.organisation.as_str()),
            ("period", s.period.as_str()),
            ("ref", s.reference.as_str()),
        ],
    )
}

/// The report of a snapshot in one language, for one audience.
pub fn document(
    info: &SnapshotInfo,
    c: &SnapshotContent,
    l: Locale,
    audience: Audience,
    policy: &Policy,
) -> Document {
    let year = c.year;
    let rtl = l == Locale::Ar;
    let mut sources: Vec<SnapSource> = Vec::new();
    let mut source_no = |s: &SnapSource| -> usize {
        match sources.iter().position(|x| x == s) {
            Some(i) => i + 1,
            None => {
                sources.push(s.clone());
                sources.len()
            }
        }
    };
    let threshold = policy.threshold(audience);
    let mut table_no = 0;
    let mut objectives: Vec<DocObjective> = Vec::new();
    for prog in &c.programmes {
        let heading = format!("{} — {}", prog.objective_code, prog.objective_title.pick(l));
        let narratives: Vec<DocNarrative> = c
            .narratives
            .iter()
            .filter(|n| n.node_code == prog.code)
            .map(|n| DocNarrative {
                organisation: if n.organisation_title.fr.is_empty() {
                    n.organisation_name.clone()
                } else {
                    n.organisation_title.pick(l).to_string()
                },
                parts: n
                    .sections
                    .iter()
                    .map(|(s, text)| {
                        let fallback = l == Locale::Ar && text.ar.is_empty();
                        let body = if l == Locale::Ar && !text.ar.is_empty() {
                            &text.ar
                        } else {
                            &text.fr
                        };
                        DocPart {
                            title: section_title(l, *s, year),
                            paragraphs: body
                                .split("\n\n")
                                .flat_map(|p| p.lines())
                                .map(|p| p.trim().to_string())
                                .filter(|p| !p.is_empty())
                                .collect(),
                            fallback,
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut tables = Vec::new();
        for f in c.figures.iter().filter(|f| f.programme == prog.code) {
            table_no += 1;
            let protect = audience != Audience::Internal
                && threshold > 1
                && disclosure::unit_is_protected(&f.unit);
            // The grid: the lines, then the total; suppression decides per cell.
            let states: Vec<CellState> = if protect {
                let lines: Vec<(Vec<(String, String)>, f64)> = f
                    .rows
                    .iter()
                    .map(|r| (vec![(f.breakdown.clone(), r.key.clone())], r.value))
                    .collect();
                match &f.total {
                    Some(total) if f.breakdown != "period" => {
                        let (values, constraints, mut fixed) =
                            disclosure::crossed_table(&lines, total.value);
                        // The total is printed in other tables of the same indicator:
                        // it stays, unless it is itself too small.
                        if total.value >= f64::from(threshold)
                            && let Some(x) = fixed.get_mut(lines.len())
                        {
                            *x = true;
                        }
                        disclosure::protect(&values, &constraints, &fixed, threshold)
                    }
                    _ => {
                        let mut values: Vec<f64> = lines.iter().map(|(_, v)| *v).collect();
                        values.push(f.total.as_ref().map(|t| t.value).unwrap_or(0.0));
                        disclosure::protect(&values, &[], &[], threshold)
                    }
                }
            } else {
                vec![CellState::Shown; f.rows.len() + 1]
            };
            let mark = t(l, "report-suppressed-mark");
            let mut make = |r: &SnapRow, label: String, state: CellState| {
                let withheld = state.withheld();
                let value = if withheld {
                    mark.clone()
                } else {
                    let q = if r.qualifier == "exact" {
                        String::new()
                    } else {
                        format!("{} ", t(l, &format!("qualifier-{}", r.qualifier)))
                    };
                    format!("{q}{}", number(l, r.value))
                };
                DocRow {
                    label,
                    value,
                    raw: if withheld { 0.0 } else { r.value },
                    suppressed: withheld,
                    sources: r.sources.iter().map(&mut source_no).collect(),
                }
            };
            let rows: Vec<DocRow> = f
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    make(
                        r,
                        row_label(l, &f.breakdown, r),
                        states.get(i).copied().unwrap_or(CellState::Shown),
                    )
                })
                .collect();
            let total = f.total.as_ref().map(|r| {
                make(
                    r,
                    t(l, "values-total"),
                    states
                        .get(f.rows.len())
                        .copied()
                        .unwrap_or(CellState::Shown),
                )
            });
            let caption = format!(
                "{} — {} ({})",
                f.title.pick(l),
                f.period,
                t(l, &format!("report-by-{}", f.breakdown))
            );
            // Charts never draw a withheld cell.
            let bars: Vec<(String, f64, String)> = rows
                .iter()
                .filter(|r| !r.suppressed)
                .map(|r| (r.label.clone(), r.raw, r.value.clone()))
                .collect();
            let chart_svg = (bars.len() >= 2).then(|| chart::bars(&bars, rtl, &caption));
            tables.push(DocTable {
                number: table_no,
                caption,
                column: t(l, &format!("unit-{}", f.unit)),
                rows,
                total,
                chart_svg,
            });
        }
        let p = DocProgramme {
            code: prog.code.clone(),
            heading: format!("{} — {}", prog.code, prog.title.pick(l)),
            narratives,
            tables,
        };
        match objectives.iter_mut().find(|o| o.heading == heading) {
            Some(o) => o.programmes.push(p),
            None => objectives.push(DocObjective {
                heading,
                programmes: vec![p],
            }),
        }
    }
    let followups = c
        .followups
        .iter()
        .map(|f| DocFollowup {
            programme: f.node_code.clone(),
            section: section_title(l, f.section, year - 1),
            text: f.text.clone(),
            status: t(l, &format!("followup-status-{}", f.status)),
        })
        .collect();
    let y = year.to_string();
    Document {
        lang: l.code().to_string(),
        rtl,
        title: i18n::t_args(l, "report-doc-title", &[("year", y.as_str())]),
        subtitle: c.framework_title.pick(l).to_string(),
        snapshot_line: i18n::t_args(
            l,
            "report-doc-snapshot",
            &[
                ("id", info.snapshot_id.to_string().as_str()),
                ("label", info.label.as_str()),
                (
                    "date",
                    i18n::format_timestamp(l, &info.created_at, true).as_str(),
                ),
            ],
        ),
        hash_line: format!("SHA-256 {}", info.content_hash),
        audience_line: match audience {
            Audience::Internal => t(l, "report-audience-internal"),
            _ => i18n::t_args(
                l,
                "report-audience-public",
                &[("threshold", threshold.to_string().as_str())],
            ),
        },
        contents_title: t(l, "report-contents"),
        objectives,
        followup_title: i18n::t_args(
            l,
            "report-followup-title",
            &[("year", (year - 1).to_string().as_str())],
        ),
        followups,
        annex_title: t(l, "report-annex"),
        sources: sources.iter().map(|s| source_text(l, s)).collect(),
        labels: DocLabels {
            total: t(l, "values-total"),
            value: t(l, "values-value"),
            sources: t(l, "report-sources"),
            suppressed_note: i18n::t_args(
                l,
                "report-suppressed-note",
                &[("threshold", threshold.to_string().as_str())],
            ),
            fallback_note: t(l, "report-fallback"),
            no_narrative: t(l, "report-no-narrative"),
        },
    }
}

// ---- pages ----

struct NarrativeLine {
    href: String,
    programme: String,
    organisation: String,
    status: String,
    status_code: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct OverviewPage {
    p: Page,
    year: i32,
    years: Vec<i32>,
    programmes: Vec<(String, String)>,
    my_org: String,
    narratives: Vec<NarrativeLine>,
    snapshots: Vec<SnapshotInfo>,
    can_snapshot: bool,
    notice: Option<String>,
}

async fn overview_default(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    overview_page(&s, &ctx, 2020, None).await
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn overview(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i32>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let notice = q.done.map(|d| t(ctx.locale, &format!("report-done-{d}")));
    overview_page(&s, &ctx, year, notice).await
}

async fn overview_page(
    s: &AppState,
    ctx: &Ctx,
    year: i32,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let rows = s.svc.narratives(actor, year).await?;
    let programmes = s
        .svc
        .report_programmes()
        .await?
        .into_iter()
        .map(|p| {
            let title = format!("{} — {}", p.code, p.title.pick(l));
            (p.code, title)
        })
        .collect::<Vec<_>>();
    let narratives = rows
        .into_iter()
        .map(|n| NarrativeLine {
            href: format!(
                "/report/{year}/narrative/{}/{}",
                n.node_code, n.organisation
            ),
            programme: format!("{} — {}", n.node_code, n.node_title.pick(l)),
            status: t(l, &format!("status-{}", n.status)),
            status_code: n.status,
            organisation: n.organisation,
        })
        .collect();
    let page = OverviewPage {
        p: Page::new(ctx, "nav-report"),
        year,
        years: (2019..=2026).collect(),
        programmes,
        my_org: actor.organisation_code.clone(),
        narratives,
        snapshots: s.svc.snapshots(Some(actor), Some(year)).await?,
        can_snapshot: ctx.permissions.review_values,
        notice,
    };
    Ok(render_page(&page))
}

struct SectionField {
    key: String,
    title: String,
    fr: String,
    ar: String,
    tracked: bool,
}

#[derive(Template)]
#[template(path = "narrative.html")]
struct NarrativePage {
    p: Page,
    year: i32,
    programme: String,
    org: String,
    action: String,
    status: String,
    status_code: String,
    updated: String,
    comment: Option<String>,
    sections: Vec<SectionField>,
    can_edit: bool,
    can_review: bool,
    can_unlock: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn narrative_page(
    s: &AppState,
    ctx: &Ctx,
    year: i32,
    node: &str,
    org: &str,
    typed: Option<&[(Section, SectionText)]>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let v = s.svc.narrative(actor, node, year, org).await?;
    let code = v
        .status
        .map(|x| x.as_str())
        .unwrap_or("not_started")
        .to_string();
    let p = Page::new(ctx, "nav-report");
    let updated = match (&v.updated_by, &v.updated_at) {
        (Some(by), Some(at)) => i18n::t_args(
            l,
            "reporting-updated-by",
            &[("name", by.as_str()), ("date", p.datetime(at).as_str())],
        ),
        _ => String::new(),
    };
    let source = typed.unwrap_or(&v.sections);
    let sections = Section::ALL
        .into_iter()
        .map(|sec| {
            let text = source
                .iter()
                .find(|(x, _)| *x == sec)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            SectionField {
                key: sec.as_str().to_string(),
                title: section_title(l, sec, year),
                fr: text.fr,
                ar: text.ar,
                tracked: sec.is_tracked(),
            }
        })
        .collect();
    let failed = error.is_some();
    let page = NarrativePage {
        year,
        programme: format!("{} — {}", v.node_code, v.node_title.pick(l)),
        org: v.organisation.clone(),
        action: format!(
            "/report/{year}/narrative/{}/{}",
            v.node_code, v.organisation
        ),
        status: t(l, &format!("status-{code}")),
        status_code: code,
        updated,
        comment: v.comment.clone(),
        sections,
        can_edit: v.can_edit,
        can_review: v.can_review,
        can_unlock: v.can_unlock,
        notice,
        error,
        p,
    };
    Ok(render_form_page(&page, failed))
}

async fn narrative(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((year, node, org)): Path<(i32, String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let notice = q
        .done
        .as_deref()
        .and_then(SubmissionStatus::parse)
        .map(|st| {
            t(
                ctx.locale,
                &format!("report-narrative-done-{}", st.as_str()),
            )
        });
    narrative_page(&s, &ctx, year, &node, &org, None, notice, None).await
}

async fn narrative_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((year, node, org)): Path<(i32, String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let mut action = String::new();
    let mut comment = String::new();
    let mut sections: Vec<(Section, SectionText)> = Section::ALL
        .into_iter()
        .map(|s| (s, SectionText::default()))
        .collect();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "action" => action = v.into_owned(),
            "comment" => comment = v.into_owned(),
            k => {
                if let Some((lang, key)) = k.split_once(':')
                    && let Some(sec) = Section::parse(key)
                    && let Some((_, text)) = sections.iter_mut().find(|(x, _)| *x == sec)
                {
                    match lang {
                        "fr" => text.fr = v.replace("\r\n", "\n"),
                        "ar" => text.ar = v.replace("\r\n", "\n"),
                        _ => {}
                    }
                }
            }
        }
    }
    let transition =
        Transition::parse(&action).ok_or_else(|| WebError::code(ErrorCode::BadRequest))?;
    let result = match transition {
        Transition::SaveDraft | Transition::Submit => {
            s.svc
                .save_narrative(
                    actor,
                    &node,
                    year,
                    &org,
                    &sections,
                    transition == Transition::Submit,
                    &ctx.op,
                )
                .await
        }
        tr => {
            s.svc
                .review_narrative(actor, &node, year, &org, tr, &comment, &ctx.op)
                .await
        }
    };
    match result {
        Ok(status) => Ok(Redirect::to(&format!(
            "/report/{year}/narrative/{}/{}?done={}",
            enc(&node),
            enc(&org),
            status.as_str()
        ))
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let msg = errors
                .iter()
                .map(|e| {
                    let what = match e.value.as_deref().and_then(Section::parse) {
                        Some(sec) => section_title(l, sec, year),
                        None => t(l, &format!("field-{}", e.field)),
                    };
                    let code = e.code.as_str();
                    format!("{what} — {}", t(l, &format!("error-{code}")))
                })
                .collect::<Vec<_>>()
                .join(" ");
            let typed = (matches!(transition, Transition::SaveDraft | Transition::Submit))
                .then_some(sections.as_slice());
            narrative_page(&s, &ctx, year, &node, &org, typed, None, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn snapshot_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i32>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let label = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "label")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    s.svc
        .take_snapshot(Some(actor), year, &label, &ctx.op)
        .await?;
    Ok(Redirect::to(&format!("/report/{year}?done=snapshot")).into_response())
}

#[derive(Template)]
#[template(path = "report_doc.html")]
struct DocPage {
    p: Page,
    d: Document,
    year: i32,
}

#[derive(Deserialize)]
struct HtmlQuery {
    snapshot: Option<String>,
    audience: Option<String>,
}

async fn report_html(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i32>,
    Query(q): Query<HtmlQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let id = match q
        .snapshot
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        Some(x) => Some(x.parse::<i64>().map_err(|_| {
            WebError::from(ServiceError::invalid(
                passerelle_domain::DomainError::with_value(
                    "snapshot",
                    ErrorCode::Format,
                    x.to_string(),
                ),
            ))
        })?),
        None => None,
    };
    let audience = crate::pages::audience(q.audience.as_deref())?;
    let (info, content) = s.svc.snapshot(Some(actor), id, Some(year)).await?;
    let d = document(&info, &content, ctx.locale, audience, &s.svc.disclosure());
    let mut p = Page::new(&ctx, "nav-report");
    p.title = d.title.clone();
    Ok(render_page(&DocPage { p, d, year }))
}

struct FollowupLine {
    id: i64,
    programme: String,
    organisation: String,
    section: String,
    text: String,
    status: String,
    status_code: String,
}

#[derive(Template)]
#[template(path = "report_followups.html")]
struct FollowupsPage {
    p: Page,
    year: i32,
    items: Vec<FollowupLine>,
    statuses: Vec<(String, String)>,
    notice: Option<String>,
}

async fn followups(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i32>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let items = s
        .svc
        .followups(actor, year)
        .await?
        .into_iter()
        .map(|f| FollowupLine {
            id: f.item.followup_id,
            programme: format!("{} — {}", f.item.node_code, f.node_title.pick(l)),
            organisation: f.item.organisation_code.clone(),
            section: Section::parse(&f.item.section)
                .map(|sec| section_title(l, sec, year))
                .unwrap_or_default(),
            text: f.item.text.clone(),
            status: t(l, &format!("followup-status-{}", f.item.status)),
            status_code: f.item.status.clone(),
        })
        .collect();
    let page = FollowupsPage {
        p: Page::new(&ctx, "nav-report"),
        year,
        items,
        statuses: passerelle_domain::report::FOLLOWUP_STATUSES
            .iter()
            .map(|s| (s.to_string(), t(l, &format!("followup-status-{s}"))))
            .collect(),
        notice: q.done.map(|_| t(l, "report-followup-saved")),
    };
    Ok(render_page(&page))
}

async fn followup_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i32>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let mut id = String::new();
    let mut status = String::new();
    let mut note = String::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "id" => id = v.into_owned(),
            "status" => status = v.into_owned(),
            "note" => note = v.into_owned(),
            _ => {}
        }
    }
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::code(ErrorCode::BadRequest))?;
    s.svc
        .set_followup_status(actor, id, &status, &note, &ctx.op)
        .await?;
    Ok(Redirect::to(&format!("/report/{year}/followups?done=1")).into_response())
}

#[derive(Template)]
#[template(path = "report_standalone.html")]
struct Standalone<'a> {
    d: &'a Document,
}

/// The report as one self-contained HTML file (for `passerelle report yearly
/// --format html`): the same content as the page, with its own print stylesheet.
pub fn standalone_html(d: &Document) -> Result<String, askama::Error> {
    Standalone { d }.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_domain::framework::Title;
    use passerelle_domain::report::{SnapFigure, SnapNarrative, SnapProgramme};

    fn title(fr: &str) -> Title {
        Title {
            fr: fr.into(),
            ar: None,
            en: None,
        }
    }

    fn row(key: &str, value: f64) -> SnapRow {
        SnapRow {
            key: key.into(),
            label: title(key),
            value,
            qualifier: "exact".into(),
            sources: vec![SnapSource {
                kind: "import".into(),
                organisation: "ANAPEC".into(),
                period: "2020".into(),
                reference: format!("p7.csv:{value}"),
            }],
        }
    }

    fn snapshot() -> (SnapshotInfo, SnapshotContent) {
        let info = SnapshotInfo {
            snapshot_id: 3,
            year: 2020,
            label: "essai".into(),
            content_hash: "ab".repeat(32),
            created_at: "2026-11-23T10:00:00.000000Z".into(),
        };
        let content = SnapshotContent {
            year: 2020,
            framework: "SNIA".into(),
            framework_title: title("Stratégie"),
            programmes: vec![SnapProgramme {
                code: "P7".into(),
                title: title("Emploi"),
                objective_code: "OS1".into(),
                objective_title: title("Intégration"),
            }],
            narratives: vec![SnapNarrative {
                narrative_id: 1,
                node_code: "P7".into(),
                organisation_code: "ANAPEC".into(),
                organisation_name: "ANAPEC".into(),
                organisation_title: title("ANAPEC"),
                approved_at: String::new(),
                sections: vec![(
                    Section::Activities,
                    SectionText {
                        fr: "Placés : 20.".into(),
                        ar: String::new(),
                    },
                )],
            }],
            figures: vec![SnapFigure {
                indicator: "SNIA-P7-ANAPEC-INSERES".into(),
                title: title("Insérés"),
                unit: "persons".into(),
                programme: "P7".into(),
                period: "2020".into(),
                breakdown: "sex".into(),
                rows: vec![row("F", 3.0), row("M", 40.0)],
                total: Some(row("", 43.0)),
            }],
            followups: vec![],
        };
        (info, content)
    }

    #[test]
    fn the_public_report_withholds_a_small_cell_and_its_complement() {
        let (info, content) = snapshot();
        let internal = document(
            &info,
            &content,
            Locale::Fr,
            Audience::Internal,
            &Policy::default(),
        );
        let t = &internal.objectives[0].programmes[0].tables[0];
        assert_eq!(t.rows[0].value, "3");
        assert!(t.rows.iter().all(|r| !r.suppressed) && t.chart_svg.is_some());

        let public = document(
            &info,
            &content,
            Locale::Fr,
            Audience::Public,
            &Policy::default(),
        );
        let t = &public.objectives[0].programmes[0].tables[0];
        // 3 is below 5; 40 would give it away from the total 43, so it goes too.
        assert!(t.rows[0].suppressed && t.rows[1].suppressed, "{:?}", t.rows);
        assert_eq!(t.rows[0].value, "[s]");
        let total = t.total.as_ref().map(|r| (r.suppressed, r.value.clone()));
        assert_eq!(total, Some((false, "43".to_string())));
        // A chart never draws a withheld cell: none is left to draw.
        assert!(t.chart_svg.is_none());
        assert!(public.audience_line.contains("inférieurs à 5"));
    }

    #[test]
    fn every_figure_cites_its_sources_and_the_arabic_report_marks_french_text() {
        let (info, content) = snapshot();
        let d = document(
            &info,
            &content,
            Locale::Ar,
            Audience::Internal,
            &Policy::default(),
        );
        assert!(d.rtl && d.lang == "ar");
        let t = &d.objectives[0].programmes[0].tables[0];
        for r in t.rows.iter().chain(t.total.iter()) {
            assert!(!r.sources.is_empty());
            assert!(r.sources.iter().all(|n| *n >= 1 && *n <= d.sources.len()));
        }
        assert_eq!(d.sources.len(), 3);
        assert!(d.snapshot_line.contains('3') && d.hash_line.contains(&"ab".repeat(32)));
        let part = &d.objectives[0].programmes[0].narratives[0].parts[0];
        assert!(part.fallback && part.paragraphs == vec!["Placés : 20.".to_string()]);
        assert_eq!(part.title, "الأنشطة المنجزة سنة 2020");
    }
}
