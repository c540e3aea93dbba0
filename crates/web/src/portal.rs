//! The public portal for migrants, refugees and asylum seekers: no login, French,
//! Arabic (right to left) and English, plain HTML forms that work without JavaScript,
//! readable on a small phone and printable.
//!
//! Pages: the home page with the search form, search results, a page per service and
//! per location, the rights pages, the region map (an SVG drawn here from the shipped
//! outlines, with the same figures as a list beside it), and the "ask to be contacted"
//! form, whose anonymous anti-forgery token is the login form's (see `ctx`).

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n;
use crate::view::{NavItem, Page, field_errors, render_form_page, render_page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use passerelle_domain::directory::{ELIGIBILITY_STATUSES, KNOWN_LANGUAGES};
use passerelle_domain::{ErrorCode, Locale};
use passerelle_service::ServiceError;
use passerelle_service::directory::Names;
use passerelle_service::intake::{ContactInput, ContactOutcome};
use passerelle_service::portal::{PortalQuery, RegionChoice, region_map};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/services", get(services))
        .route("/portal/services/{code}", get(service))
        .route("/portal/locations/{code}", get(location))
        .route("/portal/rights", get(rights))
        .route("/portal/rights/{code}", get(right))
        .route("/portal/map", get(map))
        .route("/portal/contact", get(contact_form).post(contact_post))
}

/// The portal's navigation, replacing the staff navigation on every portal page.
fn portal_page(ctx: &Ctx, title_key: &str) -> Page {
    let mut p = Page::new(ctx, title_key);
    let current_path = ctx.path.split('?').next().unwrap_or("/").to_string();
    p.nav = [
        ("/portal", "portal-nav-home"),
        ("/portal/services", "portal-nav-services"),
        ("/portal/map", "portal-nav-map"),
        ("/portal/rights", "portal-nav-rights"),
        ("/portal/contact", "portal-nav-contact"),
    ]
    .into_iter()
    .map(|(href, key)| NavItem {
        href,
        label: i18n::t(ctx.locale, key),
        current: if href == "/portal" {
            current_path == "/portal"
        } else {
            current_path.starts_with(href)
        },
    })
    .collect();
    p
}

/// A text in the reader's language when there is one, else in French, with the
/// language it is in (for the `lang` attribute).
pub struct Text {
    pub text: String,
    pub lang: &'static str,
}

pub fn text(
    locale: Locale,
    fr: &Option<String>,
    ar: &Option<String>,
    en: &Option<String>,
) -> Option<Text> {
    let own = match locale {
        Locale::Ar => ar.as_ref().map(|t| (t, "ar")),
        Locale::En => en.as_ref().map(|t| (t, "en")),
        Locale::Fr => None,
    };
    own.or_else(|| fr.as_ref().map(|t| (t, "fr")))
        .map(|(t, lang)| Text {
            text: t.clone(),
            lang,
        })
}

fn name_text(locale: Locale, n: &Names) -> Text {
    text(locale, &Some(n.fr.clone()), &n.ar, &n.en).unwrap_or(Text {
        text: n.fr.clone(),
        lang: "fr",
    })
}

/// Options of a `<select>`: (value, label, selected).
type Options = Vec<(String, String, bool)>;

fn status_options(locale: Locale, selected: &str) -> Options {
    ELIGIBILITY_STATUSES
        .iter()
        .filter(|s| **s != "all")
        .map(|s| {
            (
                s.to_string(),
                i18n::t(locale, &format!("portal-who-{s}")),
                *s == selected,
            )
        })
        .collect()
}

fn language_options(locale: Locale, selected: &str) -> Options {
    KNOWN_LANGUAGES
        .iter()
        .map(|l| {
            (
                l.to_string(),
                i18n::t(locale, &format!("language-{l}")),
                *l == selected,
            )
        })
        .collect()
}

/// Regions with their provinces, as `<optgroup>`s: (region label, options).
fn place_groups(
    locale: Locale,
    regions: &[RegionChoice],
    selected: &str,
) -> Vec<(String, Options)> {
    regions
        .iter()
        .map(|r| {
            let name = r.names.pick(locale).to_string();
            let mut options = vec![(
                r.code.clone(),
                i18n::t_args(locale, "portal-whole-region", &[("region", name.as_str())]),
                r.code == selected,
            )];
            options.extend(
                r.provinces
                    .iter()
                    .map(|(code, n)| (code.clone(), n.pick(locale).to_string(), code == selected)),
            );
            (name, options)
        })
        .collect()
}

async fn category_options(
    s: &AppState,
    locale: Locale,
    selected: &str,
    top_only: bool,
) -> Result<Options, WebError> {
    let d = s.svc.directory_snapshot().await?;
    let mut out = Vec::new();
    for t in d.taxonomy.iter().filter(|t| t.parent_code.is_none()) {
        out.push((
            t.code.clone(),
            Names::new(&t.name_fr, &t.name_ar, &t.name_en)
                .pick(locale)
                .to_string(),
            t.code == selected,
        ));
        if top_only {
            continue;
        }
        for c in d
            .taxonomy
            .iter()
            .filter(|c| c.parent_code.as_deref() == Some(&t.code))
        {
            out.push((
                c.code.clone(),
                format!(
                    "— {}",
                    Names::new(&c.name_fr, &c.name_ar, &c.name_en).pick(locale)
                ),
                c.code == selected,
            ));
        }
    }
    Ok(out)
}

/// "Who can use it", in words.
fn eligibility(locale: Locale, statuses: &[String]) -> String {
    if statuses.is_empty() {
        return i18n::t(locale, "portal-eligibility-unstated");
    }
    statuses
        .iter()
        .map(|s| i18n::t(locale, &format!("portal-status-{s}")))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn cost(locale: Locale, c: &Option<String>) -> String {
    i18n::t(
        locale,
        &format!("portal-cost-{}", c.as_deref().unwrap_or("unknown")),
    )
}

fn languages(locale: Locale, codes: &[String]) -> String {
    codes
        .iter()
        .map(|l| {
            let key = format!("language-{l}");
            let name = i18n::t(locale, &key);
            if name == key { l.clone() } else { name }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    p: Page,
    groups: Vec<(String, Options)>,
    categories: Options,
    statuses: Options,
    languages: Options,
    rights: Vec<(String, Text)>,
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let l = ctx.locale;
    let regions = s.svc.portal_regions().await?;
    let rights = s
        .svc
        .portal_rights()
        .await?
        .into_iter()
        .map(|r| {
            let t = name_text(l, &Names::new(&r.title_fr, &r.title_ar, &r.title_en));
            (r.code, t)
        })
        .collect();
    Ok(render_page(&HomePage {
        p: portal_page(&ctx, "portal-title"),
        groups: place_groups(l, &regions, ""),
        categories: category_options(&s, l, "", true).await?,
        statuses: status_options(l, ""),
        languages: language_options(l, ""),
        rights,
    }))
}

struct HitView {
    code: String,
    name: Text,
    organisation: Text,
    category: Text,
    places: Vec<(String, String)>,
    everywhere: bool,
    who: String,
    cost: String,
}

#[derive(Template)]
#[template(path = "portal_search.html")]
struct SearchPage {
    p: Page,
    q: PortalQuery,
    groups: Vec<(String, Options)>,
    categories: Options,
    statuses: Options,
    languages: Options,
    hits: Vec<HitView>,
    summary: String,
}

async fn services(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PortalQuery>,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let hits = s.svc.portal_search(&q, l).await?;
    let regions = s.svc.portal_regions().await?;
    let summary = i18n::t_args(
        l,
        "portal-results-count",
        &[("count", hits.len().to_string().as_str())],
    );
    let hits = hits
        .into_iter()
        .map(|h| HitView {
            code: h.service.code.clone(),
            name: name_text(
                l,
                &Names::new(&h.service.name_fr, &h.service.name_ar, &h.service.name_en),
            ),
            organisation: name_text(l, &h.organisation),
            category: name_text(l, &h.category),
            places: h
                .places
                .iter()
                .map(|p| {
                    (
                        p.code.clone(),
                        p.city.clone().unwrap_or_else(|| p.name_fr.clone()),
                    )
                })
                .collect(),
            everywhere: h.everywhere,
            who: eligibility(l, &h.service.eligibility_status),
            cost: cost(l, &h.service.cost),
        })
        .collect();
    Ok(render_page(&SearchPage {
        p: portal_page(&ctx, "portal-search-title"),
        groups: place_groups(l, &regions, &q.territory.trim().to_ascii_uppercase()),
        categories: category_options(&s, l, q.category.trim(), false).await?,
        statuses: status_options(l, q.status.trim()),
        languages: language_options(l, q.language.trim()),
        hits,
        summary,
        q,
    }))
}

struct PlaceView {
    code: String,
    name: Text,
    city: String,
}

#[derive(Template)]
#[template(path = "portal_service.html")]
struct ServicePage {
    p: Page,
    code: String,
    name: Text,
    organisation: Text,
    website: Option<String>,
    category: Text,
    description: Option<Text>,
    who: String,
    sex: String,
    ages: String,
    cost: String,
    documents: Option<Text>,
    how: Option<Text>,
    places: Vec<PlaceView>,
    areas: Vec<String>,
    actions: String,
    source: Option<String>,
}

async fn service(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let page = s.svc.portal_service(&code).await?;
    let sv = &page.service;
    let org = &page.organisation;
    let ages = match (sv.min_age, sv.max_age) {
        (None, None) => String::new(),
        (Some(a), None) => i18n::t_args(l, "portal-age-from", &[("min", a.to_string().as_str())]),
        (None, Some(b)) => i18n::t_args(l, "portal-age-to", &[("max", b.to_string().as_str())]),
        (Some(a), Some(b)) => i18n::t_args(
            l,
            "portal-age-between",
            &[
                ("min", a.to_string().as_str()),
                ("max", b.to_string().as_str()),
            ],
        ),
    };
    let sex = match sv.eligibility_sex.as_deref() {
        Some("F") => i18n::t(l, "portal-sex-f"),
        Some("M") => i18n::t(l, "portal-sex-m"),
        _ => String::new(),
    };
    let view = ServicePage {
        p: portal_page(&ctx, ""),
        code: sv.code.clone(),
        name: name_text(l, &Names::new(&sv.name_fr, &sv.name_ar, &sv.name_en)),
        organisation: name_text(l, &Names::new(&org.name_fr, &org.name_ar, &org.name_en)),
        website: org.website.clone(),
        category: name_text(l, &page.category),
        description: text(
            l,
            &sv.description_fr,
            &sv.description_ar,
            &sv.description_en,
        ),
        who: eligibility(l, &sv.eligibility_status),
        sex,
        ages,
        cost: cost(l, &sv.cost),
        documents: text(l, &sv.documents_fr, &sv.documents_ar, &sv.documents_en),
        how: text(
            l,
            &sv.how_to_access_fr,
            &sv.how_to_access_ar,
            &sv.how_to_access_en,
        ),
        places: page
            .locations
            .iter()
            .map(|p| PlaceView {
                code: p.code.clone(),
                name: name_text(l, &Names::new(&p.name_fr, &p.name_ar, &p.name_en)),
                city: p.city.clone().unwrap_or_default(),
            })
            .collect(),
        areas: page.areas.iter().map(|a| a.pick(l).to_string()).collect(),
        actions: sv.snia_actions.join(", "),
        source: sv.source.clone(),
    };
    let mut view = view;
    view.p.title = view.name.text.clone();
    Ok(render_page(&view))
}

#[derive(Template)]
#[template(path = "portal_location.html")]
struct LocationPage {
    p: Page,
    name: Text,
    organisation: Text,
    city: String,
    territory: String,
    region: Option<(String, String)>,
    address: Option<String>,
    hours: Option<String>,
    languages: String,
    accessibility: Option<String>,
    coordinates: Option<String>,
    services: Vec<(String, Text, Text)>,
}

async fn location(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let page = s.svc.portal_location(&code).await?;
    let loc = &page.location;
    let org = &page.organisation;
    let mut view = LocationPage {
        p: portal_page(&ctx, ""),
        name: name_text(l, &Names::new(&loc.name_fr, &loc.name_ar, &loc.name_en)),
        organisation: name_text(l, &Names::new(&org.name_fr, &org.name_ar, &org.name_en)),
        city: loc.city.clone().unwrap_or_default(),
        territory: page.territory.pick(l).to_string(),
        region: page
            .region
            .as_ref()
            .map(|(c, n)| (c.clone(), n.pick(l).to_string())),
        address: loc.address.clone(),
        hours: loc.hours.clone(),
        languages: languages(l, &loc.languages),
        accessibility: loc.accessibility_note.clone(),
        coordinates: match (loc.latitude, loc.longitude) {
            (Some(a), Some(b)) => Some(format!("{a:.5}, {b:.5}")),
            _ => None,
        },
        services: page
            .services
            .iter()
            .map(|(sv, cat)| {
                (
                    sv.code.clone(),
                    name_text(l, &Names::new(&sv.name_fr, &sv.name_ar, &sv.name_en)),
                    name_text(l, cat),
                )
            })
            .collect(),
    };
    view.p.title = view.name.text.clone();
    Ok(render_page(&view))
}

#[derive(Template)]
#[template(path = "portal_rights.html")]
struct RightsPage {
    p: Page,
    rights: Vec<(String, Text, Option<Text>)>,
}

async fn rights(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let l = ctx.locale;
    let list = s.svc.portal_rights().await?;
    let rights = list
        .into_iter()
        .map(|r| {
            let title = name_text(l, &Names::new(&r.title_fr, &r.title_ar, &r.title_en));
            let first = text(l, &Some(r.body_fr.clone()), &r.body_ar, &r.body_en).map(|t| Text {
                text: first_sentence(&t.text),
                lang: t.lang,
            });
            (r.code, title, first)
        })
        .collect();
    Ok(render_page(&RightsPage {
        p: portal_page(&ctx, "portal-rights-title"),
        rights,
    }))
}

fn first_sentence(s: &str) -> String {
    let end = s
        .char_indices()
        .find(|(i, c)| {
            matches!(c, '.' | '。' | '؟' | '?') && s[i + c.len_utf8()..].starts_with(' ')
        })
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(s.len());
    s[..end].to_string()
}

#[derive(Template)]
#[template(path = "portal_right.html")]
struct RightPage {
    p: Page,
    title: Text,
    body: Text,
    source: Option<String>,
}

async fn right(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let r = s
        .svc
        .portal_rights()
        .await?
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
        .ok_or_else(|| WebError::code(ErrorCode::NotFound))?;
    let title = name_text(l, &Names::new(&r.title_fr, &r.title_ar, &r.title_en));
    let body = text(l, &Some(r.body_fr.clone()), &r.body_ar, &r.body_en).unwrap_or(Text {
        text: r.body_fr.clone(),
        lang: "fr",
    });
    let mut p = portal_page(&ctx, "");
    p.title = title.text.clone();
    Ok(render_page(&RightPage {
        p,
        title,
        body,
        source: r.source.clone(),
    }))
}

struct RegionRow {
    code: String,
    name: String,
    count: i64,
    count_text: String,
}

#[derive(Template)]
#[template(path = "portal_map.html")]
struct MapPage {
    p: Page,
    svg: String,
    rows: Vec<RegionRow>,
    everywhere: String,
}

/// The SVG map: each region filled by how many services it has, its count at its
/// centre. The list beside it carries the same figures for screen readers and
/// keyboards, so the drawing is hidden from them.
fn map_svg(rows: &[RegionRow], label: &str) -> String {
    let m = region_map();
    let max = rows.iter().map(|r| r.count).max().unwrap_or(0).max(1);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="region-map" aria-hidden="true" focusable="false"><title>{}</title>"#,
        m.width,
        m.height,
        label.replace('&', "&amp;").replace('<', "&lt;")
    );
    for shape in &m.regions {
        let count = rows
            .iter()
            .find(|r| r.code == shape.code)
            .map(|r| r.count)
            .unwrap_or(0);
        let level = if count == 0 {
            0
        } else {
            1 + (count * 3 / (max + 1)).min(3)
        };
        svg.push_str(&format!(
            r#"<a href="/portal/services?territory={code}" tabindex="-1"><path d="{path}" class="region level-{level}"/><text x="{x}" y="{y}" class="count">{count}</text></a>"#,
            code = shape.code,
            path = shape.path,
            x = shape.label[0],
            y = shape.label[1],
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn map(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let l = ctx.locale;
    let (counts, everywhere) = s.svc.portal_region_counts().await?;
    let rows: Vec<RegionRow> = counts
        .into_iter()
        .map(|(code, names, count)| RegionRow {
            code,
            name: names.pick(l).to_string(),
            count,
            count_text: l.format_int(count),
        })
        .collect();
    let svg = map_svg(&rows, &i18n::t(l, "portal-map-title"));
    Ok(render_page(&MapPage {
        p: portal_page(&ctx, "portal-map-title"),
        svg,
        everywhere: i18n::t_args(
            l,
            "portal-map-everywhere",
            &[("count", everywhere.to_string().as_str())],
        ),
        rows,
    }))
}

#[derive(Default)]
struct ContactForm {
    name: String,
    contact: String,
    language: String,
    territory: String,
    category: String,
    service: String,
    message: String,
    consent: bool,
    website: String,
    challenge: String,
    answer: String,
}

fn parse_contact_form(body: &[u8]) -> ContactForm {
    let mut f = ContactForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => f.name = v,
            "contact" => f.contact = v,
            "language" => f.language = v,
            "territory" => f.territory = v,
            "category" => f.category = v,
            "service" => f.service = v,
            "message" => f.message = v,
            "consent" => f.consent = !v.is_empty(),
            "website" => f.website = v,
            "challenge" => f.challenge = v,
            "answer" => f.answer = v,
            _ => {}
        }
    }
    f
}

#[derive(Template)]
#[template(path = "portal_contact.html")]
struct ContactPage {
    p: Page,
    form: ContactForm,
    service_name: Option<Text>,
    groups: Vec<(String, Options)>,
    categories: Options,
    languages: Options,
    question: String,
    token: String,
    errors: Vec<(String, String)>,
    alert: Option<String>,
}

impl ContactPage {
    fn err(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The fields in error, in form order, for the summary at the top.
    fn summary(&self) -> Vec<(String, String)> {
        let order = [
            "name",
            "contact",
            "language",
            "territory",
            "category",
            "service",
            "message",
            "consent",
            "answer",
        ];
        order
            .iter()
            .filter(|f| self.errors.iter().any(|(e, _)| e == *f))
            .map(|f| (f.to_string(), self.p.t(&format!("portal-contact-{f}"))))
            .collect()
    }
}

#[derive(serde::Deserialize, Default)]
struct ContactQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    territory: String,
}

async fn contact_page(
    s: &AppState,
    ctx: &Ctx,
    mut form: ContactForm,
    errors: Vec<(String, String)>,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let regions = s.svc.portal_regions().await?;
    let service_name = if form.service.trim().is_empty() {
        None
    } else {
        match s.svc.portal_service(&form.service).await {
            Ok(page) => {
                if form.category.is_empty() {
                    let d = s.svc.directory_snapshot().await?;
                    form.category =
                        passerelle_service::directory::top_category(&d, &page.service.category);
                }
                form.service = page.service.code.clone();
                Some(name_text(
                    l,
                    &Names::new(
                        &page.service.name_fr,
                        &page.service.name_ar,
                        &page.service.name_en,
                    ),
                ))
            }
            Err(_) => {
                form.service.clear();
                None
            }
        }
    };
    // A new question each time the form is shown: a refused answer is not asked again.
    let challenge = s.svc.contact_challenge();
    form.answer.clear();
    let failed = !errors.is_empty();
    let page = ContactPage {
        p: portal_page(ctx, "portal-contact-title"),
        groups: place_groups(l, &regions, &form.territory.trim().to_ascii_uppercase()),
        categories: category_options(s, l, form.category.trim(), true).await?,
        languages: language_options(l, form.language.trim()),
        question: i18n::t_args(
            l,
            "portal-contact-question",
            &[
                ("a", challenge.a.to_string().as_str()),
                ("b", challenge.b.to_string().as_str()),
            ],
        ),
        token: challenge.token,
        service_name,
        form,
        errors,
        alert,
    };
    let mut r = render_form_page(&page, failed);
    if status != StatusCode::OK {
        *r.status_mut() = status;
    }
    Ok(r)
}

async fn contact_form(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ContactQuery>,
) -> Result<Response, WebError> {
    let form = ContactForm {
        service: q.service,
        territory: q.territory,
        language: ctx.locale.code().to_string(),
        ..ContactForm::default()
    };
    contact_page(&s, &ctx, form, Vec::new(), None, StatusCode::OK).await
}

/// Field errors in words that help a visitor, where the generic sentence would not.
fn contact_messages(
    errors: &[passerelle_domain::DomainError],
    locale: Locale,
) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| {
            let key = match (e.field, e.code) {
                ("contact", ErrorCode::Format) => Some("portal-contact-contact-invalid"),
                ("answer", ErrorCode::Format) => Some("portal-contact-answer-wrong"),
                ("consent", ErrorCode::Required) => Some("portal-contact-consent-required"),
                _ => None,
            };
            let text = match key {
                Some(k) => i18n::t(locale, k),
                None => field_errors(std::slice::from_ref(e), locale)
                    .pop()
                    .map(|(_, m)| m)
                    .unwrap_or_default(),
            };
            (e.field.to_string(), text)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal_sent.html")]
struct SentPage {
    p: Page,
    organisation: Option<Text>,
}

async fn contact_post(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let form = parse_contact_form(&body);
    let input = ContactInput {
        name: form.name.clone(),
        contact: form.contact.clone(),
        language: form.language.clone(),
        territory: form.territory.clone(),
        category: form.category.clone(),
        service: form.service.clone(),
        message: form.message.clone(),
        consent: form.consent,
        website: form.website.clone(),
        challenge: form.challenge.clone(),
        answer: form.answer.clone(),
        locale: ctx.locale,
    };
    match s.svc.submit_contact(&input, &ctx.client, &ctx.op).await {
        Ok(outcome) => {
            let organisation = match outcome {
                ContactOutcome::Queued { organisation, .. } => {
                    Some(name_text(ctx.locale, &organisation))
                }
                ContactOutcome::Discarded => None,
            };
            Ok(render_page(&SentPage {
                p: portal_page(&ctx, "portal-sent-title"),
                organisation,
            }))
        }
        Err(ServiceError::Invalid(errors)) => {
            let errors = contact_messages(&errors, ctx.locale);
            contact_page(
                &s,
                &ctx,
                form,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Throttled { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
            let alert = i18n::t_args(
                ctx.locale,
                "portal-contact-throttled",
                &[("minutes", minutes.as_str())],
            );
            contact_page(
                &s,
                &ctx,
                form,
                Vec::new(),
                Some(alert),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentences_stop_at_the_first_full_stop() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No stop"), "No stop");
        assert_eq!(first_sentence("27 649 demandes. Puis"), "27 649 demandes.");
    }

    #[test]
    fn texts_fall_back_to_french_and_say_so() {
        let t = text(
            Locale::Ar,
            &Some("Bonjour".into()),
            &None,
            &Some("Hello".into()),
        );
        assert_eq!(t.map(|t| (t.text, t.lang)), Some(("Bonjour".into(), "fr")));
    }
}
