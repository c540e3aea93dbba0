//! The HTML interface: one handler per page, each parsing its input, calling one
//! service method and rendering one template.

use crate::AppState;
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::i18n;
use crate::view::{Page, field_errors, render_form_page, render_page};
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use passerelle_domain::disclosure::Audience;
use passerelle_domain::{DomainError, ErrorCode, Locale, OrgKind, Role, TerritoryCode};
use passerelle_service::reference::territory_name;
use passerelle_service::{NewOrgInput, NewUserInput, ServiceError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(set_language))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/audit", get(audit))
        .route(
            "/organisations",
            get(organisations).post(create_organisation),
        )
        .route("/territories", get(territories))
        .route("/territories/{code}", get(territory))
        .route("/frameworks", get(frameworks))
        .route("/frameworks/{code}", get(framework))
        .route("/indicators/{code}", get(indicator))
        .route("/indicators/{code}/pivot.csv", get(indicator_pivot_csv))
        .route("/indicators/{code}/pivot.xlsx", get(indicator_pivot_xlsx))
        .route("/reporting", get(reporting_overview))
        .route(
            "/reporting/{dataset}/{org}/{period}",
            get(submission).post(submission_post),
        )
        .route("/static/app.css", get(stylesheet))
}

/// Only local paths are followed after login or a language switch.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn err_of(errors: &[(String, String)], field: &str) -> String {
    errors
        .iter()
        .filter(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn not_found() -> WebError {
    WebError::code(ErrorCode::NotFound)
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    p: Page,
    roles: Vec<Role>,
    organisations: i64,
    regions: i64,
}

async fn home(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let organisations = s.svc.organisations(actor).await?.len() as i64;
    let regions = s.svc.territories(None).await?.len() as i64;
    Ok(render_page(&HomePage {
        p: Page::new(&ctx, "nav-home"),
        roles: actor.user.roles.clone(),
        organisations,
        regions,
    }))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Page,
    next: String,
    username: String,
    error: String,
    expired: bool,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    if ctx.actor.is_some() {
        return Redirect::to(safe_next(q.next.as_deref().unwrap_or("/"))).into_response();
    }
    render_page(&LoginPage {
        p: Page::new(&ctx, "login-title"),
        next: safe_next(q.next.as_deref().unwrap_or("/")).to_string(),
        username: String::new(),
        error: String::new(),
        expired: q.expired.is_some() || ctx.session_expired,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(State(s): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    match s
        .svc
        .login(&f.username, &f.password, &ctx.client, &ctx.op)
        .await
    {
        Ok(outcome) => {
            let mut r = Redirect::to(safe_next(&f.next)).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&s, SESSION_COOKIE, &outcome.session_token, None),
            );
            r
        }
        Err(e) => {
            let err = WebError::from(e);
            if !matches!(
                err.code,
                ErrorCode::InvalidCredentials | ErrorCode::Throttled
            ) {
                return err.into_response();
            }
            let mut r = render_page(&LoginPage {
                p: Page::new(&ctx, "login-title"),
                next: safe_next(&f.next).to_string(),
                username: f.username.trim().to_string(),
                error: crate::error::message(&err, ctx.locale),
                expired: false,
            });
            *r.status_mut() = err.status();
            r
        }
    }
}

async fn logout(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if let (Some(actor), Some(token)) = (&ctx.actor, &ctx.session_token) {
        s.svc.logout(token, actor, &ctx.op).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&s, SESSION_COOKIE, "", Some(0)),
    );
    Ok(r)
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    next: String,
}

async fn set_language(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LangForm>,
) -> Result<Response, WebError> {
    let locale = Locale::parse(&f.lang).ok_or_else(|| {
        WebError::from(ServiceError::invalid(DomainError::with_value(
            "lang",
            ErrorCode::UnknownValue,
            f.lang.clone(),
        )))
    })?;
    if let Some(actor) = &ctx.actor {
        s.svc.set_locale(actor, locale, &ctx.op).await?;
    }
    let mut r = Redirect::to(safe_next(&f.next)).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&s, LANG_COOKIE, locale.code(), Some(365 * 24 * 3600)),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    p: Page,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    tokens: Vec<passerelle_store::users::ApiToken>,
    new_token: Option<String>,
}

impl AccountPage {
    fn err(&self, field: &str) -> String {
        err_of(&self.errors, field)
    }
}

async fn account_page(
    s: &AppState,
    ctx: &Ctx,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let tokens = s.svc.tokens(actor).await?;
    let failed = !errors.is_empty();
    Ok(render_form_page(
        &AccountPage {
            p: Page::new(ctx, "nav-account"),
            errors,
            notice,
            tokens,
            new_token,
        },
        failed,
    ))
}

async fn account(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    account_page(&s, &ctx, Vec::new(), None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match s
        .svc
        .change_password(
            actor,
            &f.current_password,
            &f.new_password,
            &f.confirm_password,
            ctx.session_token.as_deref(),
            &ctx.op,
        )
        .await
    {
        Ok(()) => {
            account_page(
                &s,
                &ctx,
                Vec::new(),
                Some(i18n::t(ctx.locale, "password-changed")),
                None,
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            account_page(&s, &ctx, field_errors(&errors, ctx.locale), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match s.svc.create_token(actor, &f.name, &ctx.op).await {
        Ok((_, secret)) => account_page(&s, &ctx, Vec::new(), None, Some(secret)).await,
        Err(ServiceError::Invalid(errors)) => {
            account_page(&s, &ctx, field_errors(&errors, ctx.locale), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    s.svc.revoke_token(ctx.actor()?, id, &ctx.op).await?;
    Ok(Redirect::to("/account").into_response())
}

struct UserRow {
    username: String,
    display_name: String,
    org: String,
    roles: Vec<Role>,
    created_at: String,
}

#[derive(Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    p: Page,
    users: Vec<UserRow>,
    organisations: Vec<(String, String)>,
    role_choices: Vec<(&'static str, String, bool)>,
    form: UserForm,
    errors: Vec<(String, String)>,
    created: Option<String>,
}

impl UsersPage {
    fn err(&self, field: &str) -> String {
        err_of(&self.errors, field)
    }
}

async fn users_page(
    s: &AppState,
    ctx: &Ctx,
    form: UserForm,
    errors: Vec<(String, String)>,
    created: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let list = s.svc.users(actor, None).await?;
    let orgs = s.svc.organisations(actor).await?;
    let p = Page::new(ctx, "nav-users");
    let org_name = |id| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| p.pick(&o.name_fr, &o.name_ar, &o.name_en).to_string())
            .unwrap_or_default()
    };
    let users = list
        .into_iter()
        .map(|u| UserRow {
            org: org_name(u.organisation_id),
            username: u.username,
            display_name: u.display_name,
            roles: u.roles,
            created_at: u.created_at,
        })
        .collect();
    let organisations = orgs
        .iter()
        .map(|o| {
            (
                o.code.to_string(),
                p.pick(&o.name_fr, &o.name_ar, &o.name_en).to_string(),
            )
        })
        .collect();
    let role_choices = Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                p.role_name(r),
                form.roles.iter().any(|x| x == r.as_str()),
            )
        })
        .collect();
    let failed = !errors.is_empty();
    Ok(render_form_page(
        &UsersPage {
            p,
            users,
            organisations,
            role_choices,
            form,
            errors,
            created,
        },
        failed,
    ))
}

async fn users(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    users_page(&s, &ctx, UserForm::default(), Vec::new(), None).await
}

/// Parses a form where a field may repeat (checkboxes), which `Form` cannot.
fn parse_multi(body: &[u8]) -> UserForm {
    let mut f = UserForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "username" => f.username = v.into_owned(),
            "display_name" => f.display_name = v.into_owned(),
            "organisation" => f.organisation = v.into_owned(),
            "roles" => f.roles.push(v.into_owned()),
            "password" => f.password = v.into_owned(),
            _ => {}
        }
    }
    f
}

async fn create_user(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let mut form = parse_multi(&body);
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        organisation: form.organisation.clone(),
        roles: form.roles.clone(),
        password: form.password.clone(),
    };
    form.password.clear();
    match s.svc.create_user(Some(actor), &input, &ctx.op).await {
        Ok(_) => {
            users_page(
                &s,
                &ctx,
                UserForm::default(),
                Vec::new(),
                Some(form.username.trim().to_ascii_lowercase()),
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            users_page(&s, &ctx, form, field_errors(&errors, ctx.locale), None).await
        }
        Err(e) => Err(e.into()),
    }
}

struct OrgRow {
    code: String,
    name: String,
    kind: String,
    parent: String,
    territory: String,
}

#[derive(Default, Deserialize)]
struct OrgForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name_fr: String,
    #[serde(default)]
    name_ar: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    territory: String,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    p: Page,
    orgs: Vec<OrgRow>,
    kinds: Vec<(&'static str, String, bool)>,
    form: OrgForm,
    errors: Vec<(String, String)>,
    created: Option<String>,
}

impl OrganisationsPage {
    fn err(&self, field: &str) -> String {
        err_of(&self.errors, field)
    }

    fn text_fields(&self) -> Vec<(&'static str, &str, bool)> {
        let f = &self.form;
        vec![
            ("code", &f.code, false),
            ("name_fr", &f.name_fr, false),
            ("name_ar", &f.name_ar, true),
            ("name_en", &f.name_en, false),
            ("parent", &f.parent, false),
            ("territory", &f.territory, false),
        ]
    }
}

async fn organisations_page(
    s: &AppState,
    ctx: &Ctx,
    form: OrgForm,
    errors: Vec<(String, String)>,
    created: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let list = s.svc.organisations(actor).await?;
    let regions = s.svc.territories(None).await?;
    let p = Page::new(ctx, "nav-organisations");
    let orgs = list
        .iter()
        .map(|o| OrgRow {
            code: o.code.to_string(),
            name: p.pick(&o.name_fr, &o.name_ar, &o.name_en).to_string(),
            kind: p.kind_name(&o.kind),
            parent: o
                .parent_id
                .and_then(|id| list.iter().find(|x| x.id == id))
                .map(|x| x.code.to_string())
                .unwrap_or_default(),
            territory: match o.territory_code.as_deref() {
                Some("MA") => p.t("territory-national"),
                Some(code) => regions
                    .iter()
                    .find(|r| r.code.as_str() == code)
                    .map(|r| territory_name(r, ctx.locale).to_string())
                    .unwrap_or_else(|| code.to_string()),
                None => String::new(),
            },
        })
        .collect();
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| (k.as_str(), p.kind_name(k), form.kind == k.as_str()))
        .collect();
    let failed = !errors.is_empty();
    Ok(render_form_page(
        &OrganisationsPage {
            p,
            orgs,
            kinds,
            form,
            errors,
            created,
        },
        failed,
    ))
}

async fn organisations(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    organisations_page(&s, &ctx, OrgForm::default(), Vec::new(), None).await
}

async fn create_organisation(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let input = NewOrgInput {
        code: f.code.clone(),
        kind: f.kind.clone(),
        name_fr: f.name_fr.clone(),
        name_ar: f.name_ar.clone(),
        name_en: f.name_en.clone(),
        parent: f.parent.clone(),
        territory: f.territory.clone(),
    };
    match s
        .svc
        .create_organisation(Some(actor), &input, &ctx.op)
        .await
    {
        Ok(_) => {
            organisations_page(
                &s,
                &ctx,
                OrgForm::default(),
                Vec::new(),
                Some(f.code.trim().to_ascii_uppercase()),
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            organisations_page(&s, &ctx, f, field_errors(&errors, ctx.locale), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    p: Page,
    parent: Option<(String, String)>,
    rows: Vec<(String, String, String, bool)>,
}

async fn territories_page(
    s: &AppState,
    ctx: &Ctx,
    parent: Option<TerritoryCode>,
) -> Result<Response, WebError> {
    ctx.actor()?;
    let p = Page::new(ctx, "nav-territories");
    let parent_view = match &parent {
        Some(code) => {
            let t = s
                .svc
                .resolve_territory(code.as_str())
                .await
                .map_err(|_| WebError::code(ErrorCode::NotFound))?;
            Some((
                t.code.to_string(),
                territory_name(&t, ctx.locale).to_string(),
            ))
        }
        None => None,
    };
    let list = s.svc.territories(parent.as_ref()).await?;
    let rows = list
        .iter()
        .map(|t| {
            let kind = p.t(&format!(
                "territory-{}",
                t.kind.as_deref().unwrap_or(t.level.as_str())
            ));
            (
                t.code.to_string(),
                territory_name(t, ctx.locale).to_string(),
                kind,
                t.level == passerelle_domain::TerritoryLevel::Region,
            )
        })
        .collect();
    Ok(render_page(&TerritoriesPage {
        p,
        parent: parent_view,
        rows,
    }))
}

async fn territories(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    territories_page(&s, &ctx, None).await
}

async fn territory(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let code = TerritoryCode::parse(&code).map_err(|_| WebError::code(ErrorCode::NotFound))?;
    territories_page(&s, &ctx, Some(code)).await
}

struct AuditRow {
    seq: i64,
    at: String,
    who: String,
    action: String,
    record: String,
    op: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    p: Page,
    chain_ok: bool,
    chain_message: String,
    rows: Vec<AuditRow>,
    older: Option<i64>,
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i64>,
}

async fn audit(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let rows = s.svc.audit_trail(actor, q.before, 100).await?;
    let (chain_ok, chain_message) = match s.svc.verify_audit(Some(actor)).await {
        Ok(report) => (
            true,
            i18n::t_args(
                ctx.locale,
                "audit-chain-ok",
                &[("count", report.rows.to_string().as_str())],
            ),
        ),
        Err(ServiceError::AuditChainBroken { seq }) => (
            false,
            i18n::t_args(
                ctx.locale,
                "error-audit_chain_broken",
                &[("seq", seq.to_string().as_str())],
            ),
        ),
        Err(e) => return Err(e.into()),
    };
    let older = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.entry.seq))
        .flatten();
    let rows = rows
        .into_iter()
        .map(|r| AuditRow {
            seq: r.entry.seq,
            at: r.entry.at,
            who: r
                .entry
                .actor_user_id
                .map(|u| format!("user {u}"))
                .unwrap_or_else(|| "system".into()),
            action: r.entry.action,
            record: format!(
                "{} {}",
                r.entry.entity,
                r.entry.entity_id.unwrap_or_default()
            ),
            op: r.entry.operation_id,
        })
        .collect();
    Ok(render_page(&AuditPage {
        p: Page::new(&ctx, "nav-audit"),
        chain_ok,
        chain_message,
        rows,
        older,
    }))
}

#[derive(Template)]
#[template(path = "frameworks.html")]
struct FrameworksPage {
    p: Page,
    rows: Vec<(String, String, i64, i64, String)>,
}

async fn frameworks(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let list = s.svc.frameworks(Some(ctx.actor()?)).await?;
    let rows = list
        .into_iter()
        .map(|f| {
            (
                f.code,
                f.title.pick(ctx.locale).to_string(),
                f.nodes,
                f.indicators,
                f.imported_at,
            )
        })
        .collect();
    Ok(render_page(&FrameworksPage {
        p: Page::new(&ctx, "nav-frameworks"),
        rows,
    }))
}

struct IndicatorRow {
    code: String,
    title: String,
    kind: String,
    baseline: String,
    targets: Vec<String>,
    /// The latest approved value and its period, empty when none.
    latest: String,
    /// Progress towards the target, 0–100 for the meter, and its sentence.
    meter: Option<i64>,
    progress: String,
    /// `achieved`, `on_track` or `behind` (direction-aware), and its words.
    band: String,
    band_label: String,
}

struct NodeRow {
    code: String,
    level: String,
    title: String,
    depth: usize,
    links: Vec<String>,
    indicators: Vec<IndicatorRow>,
    /// The node's own status (`achieved`, `in_progress`, `not_started`) and its words.
    status: Option<(String, String)>,
    /// For a node with children: where its actions stand, in words and as a bar.
    actions: String,
    actions_bar: String,
}

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    p: Page,
    code: String,
    title: String,
    owner: Option<String>,
    levels: Vec<String>,
    nodes: Vec<NodeRow>,
    contributions: Vec<(String, String, String)>,
}

fn number(locale: Locale, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        locale.format_int(v as i64)
    } else {
        locale.format_decimal(v, 2)
    }
}

async fn framework(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let view = s.svc.framework(Some(ctx.actor()?), &code).await?;
    let def = &view.definition;
    let l = ctx.locale;
    let level_title = |code: &str| {
        def.levels
            .iter()
            .find(|x| x.code == code)
            .map(|x| x.title.pick(l).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let mut nodes = Vec::new();
    let mut stack: Vec<(Option<String>, usize)> = vec![(None, 0)];
    // Depth-first, in file order, without recursion.
    let mut order: Vec<(&passerelle_domain::framework::NodeDef, usize)> = Vec::new();
    while let Some((parent, depth)) = stack.pop() {
        let children = def.children_of(parent.as_deref());
        for child in children.iter().rev() {
            stack.push((Some(child.code.clone()), depth + 1));
        }
        if let Some(code) = parent
            && let Some(n) = def.nodes.iter().find(|n| n.code == code)
        {
            order.push((n, depth - 1));
        }
        if order.len() > def.nodes.len() {
            break;
        }
    }
    for (n, depth) in order {
        let indicators = def
            .indicators
            .iter()
            .filter(|i| i.node == n.code)
            .map(|i| {
                let baseline = i
                    .baseline
                    .as_ref()
                    .map(|b| {
                        let mut text = match (b.numerator, b.denominator, b.value) {
                            (Some(num), Some(den), Some(v)) => {
                                format!("{} ({}/{})", number(l, v), number(l, num), number(l, den))
                            }
                            (_, _, Some(v)) => number(l, v),
                            _ => b.note.clone().unwrap_or_default(),
                        };
                        if let Some(period) = &b.period {
                            text.push_str(&format!(" — {period}"));
                        }
                        text
                    })
                    .unwrap_or_else(|| "—".into());
                let targets = view
                    .targets
                    .iter()
                    .filter(|(code, t)| *code == i.code && t.superseded_at.is_none())
                    .map(|(_, t)| {
                        let cells: Vec<String> = t
                            .cells
                            .iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                            .collect();
                        let value = t.value.map(|v| number(l, v)).unwrap_or_else(|| "—".into());
                        let mut text = format!("{} : {}", t.period, value);
                        if !cells.is_empty() {
                            text.push_str(&format!(" ({})", cells.join(", ")));
                        }
                        if t.revision > 1 {
                            text.push_str(&format!(
                                " · {}",
                                i18n::t_args(
                                    l,
                                    "frameworks-revision",
                                    &[("revision", t.revision.to_string().as_str())]
                                )
                            ));
                        }
                        text
                    })
                    .collect();
                let found = view.progress.iter().find(|x| x.indicator == i.code);
                let latest = found
                    .map(|x| format!("{} — {}", number(l, x.value), x.period))
                    .unwrap_or_default();
                let meter = found
                    .and_then(|x| x.progress)
                    .map(|f| (f * 100.0).round().clamp(0.0, 100.0) as i64);
                let band = found
                    .and_then(|x| x.progress)
                    .map(|f| {
                        passerelle_domain::framework::ProgressBand::of(f)
                            .as_str()
                            .to_string()
                    })
                    .unwrap_or_default();
                let band_label = if band.is_empty() {
                    String::new()
                } else {
                    i18n::t(l, &format!("monitoring-band-{band}"))
                };
                let progress = found
                    .and_then(|x| x.progress.map(|f| (f, x.target.clone())))
                    .map(|(f, target)| {
                        let pct = (f * 100.0).round() as i64;
                        let target = target
                            .map(|(period, v)| format!("{} ({period})", number(l, v)))
                            .unwrap_or_default();
                        i18n::t_args(
                            l,
                            "frameworks-progress",
                            &[
                                ("percent", pct.to_string().as_str()),
                                ("target", target.as_str()),
                            ],
                        )
                    })
                    .unwrap_or_default();
                IndicatorRow {
                    code: i.code.clone(),
                    title: i.title.pick(l).to_string(),
                    kind: i18n::t(
                        l,
                        &format!(
                            "indicator-kind-{}",
                            serde_json::to_value(i.kind)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        ),
                    ),
                    baseline,
                    targets,
                    latest,
                    meter,
                    progress,
                    band,
                    band_label,
                }
            })
            .collect();
        let st = view.statuses.iter().find(|x| x.node == n.code);
        let status = st.and_then(|x| x.own).map(|s| {
            (
                s.as_str().to_string(),
                i18n::t(l, &format!("monitoring-status-{}", s.as_str())),
            )
        });
        let (actions, actions_bar) = match st {
            Some(x) if x.actions.iter().any(|(_, n)| *n > 0) || x.unmeasured > 0 => {
                let mut parts: Vec<String> = x
                    .actions
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(s, n)| {
                        i18n::t_args(
                            l,
                            &format!("monitoring-actions-{}", s.as_str()),
                            &[("count", n.to_string().as_str())],
                        )
                    })
                    .collect();
                if x.unmeasured > 0 {
                    parts.push(i18n::t_args(
                        l,
                        "monitoring-actions-unmeasured",
                        &[("count", x.unmeasured.to_string().as_str())],
                    ));
                }
                let text = parts.join(" · ");
                let segments: Vec<(&str, usize)> = x
                    .actions
                    .iter()
                    .map(|(s, n)| (s.as_str(), *n))
                    .chain(std::iter::once(("unmeasured", x.unmeasured)))
                    .collect();
                let bar = crate::chart::stacked(&segments, l == Locale::Ar, &text);
                (text, bar)
            }
            _ => (String::new(), String::new()),
        };
        nodes.push(NodeRow {
            code: n.code.clone(),
            level: level_title(&n.level),
            title: n.title.pick(l).to_string(),
            depth: depth.min(5),
            links: n.contributes_to.clone(),
            indicators,
            status,
            actions,
            actions_bar,
        });
    }
    let page = FrameworkPage {
        p: Page::new(&ctx, "nav-frameworks"),
        code: def.code.clone(),
        title: def.title.pick(l).to_string(),
        owner: def.owner.clone(),
        levels: def
            .levels
            .iter()
            .map(|x| x.title.pick(l).to_string())
            .collect(),
        nodes,
        contributions: view.contributions,
    };
    Ok(render_page(&page))
}

struct ValueRowView {
    label: String,
    /// For a region's line: the same figure broken down by its provinces.
    drill: Option<String>,
    value: String,
    share: String,
    orgs: String,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    p: Page,
    code: String,
    framework: String,
    title: String,
    periods: Vec<(String, bool)>,
    by_choices: Vec<(&'static str, String, bool)>,
    territory: String,
    dim_label: String,
    rows: Vec<ValueRowView>,
    total: Option<ValueRowView>,
    caption: String,
    chart: String,
    /// The totals over time, when there is more than one period.
    series_chart: String,
    series_caption: String,
    notes: Vec<String>,
    csv_link: String,
    error: Option<String>,
    /// The columns' dimension of a pivot (`by=territory,sex`), empty otherwise.
    cols_choices: Vec<(&'static str, String, bool)>,
    pivot: Option<PivotView>,
    audience_choices: Vec<(&'static str, String, bool)>,
    /// Some figures are withheld for the chosen audience: the legend shows.
    withheld: bool,
}

/// A pivot as the page shows it: labels and formatted numbers.
struct PivotView {
    corner: String,
    cols: Vec<String>,
    rows: Vec<(String, Vec<String>, String)>,
    col_totals: Vec<String>,
    total: String,
    csv_link: String,
    xlsx_link: String,
}

#[derive(Deserialize)]
struct IndicatorQuery {
    period: Option<String>,
    by: Option<String>,
    /// The pivot's column dimension from the form; `by=a,b` says the same.
    cols: Option<String>,
    territory: Option<String>,
    /// `internal` (default), `partners`, `public`: who the figures are for.
    audience: Option<String>,
}

/// The audience a query asks for; an unknown one is a field error.
pub(crate) fn audience(v: Option<&str>) -> Result<Audience, WebError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Audience::Internal),
        Some(v) => Audience::parse(v).ok_or_else(|| {
            ServiceError::from(passerelle_domain::DomainError::with_value(
                "audience",
                ErrorCode::UnknownValue,
                v,
            ))
            .into()
        }),
    }
}

async fn indicator(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let audience = audience(q.audience.as_deref())?;
    let (ind, periods) = s.svc.indicator_overview(Some(actor), &code).await?;
    let period = q
        .period
        .clone()
        .filter(|p| periods.contains(p))
        .or_else(|| periods.first().cloned())
        .unwrap_or_default();
    let requested =
        q.by.clone()
            .unwrap_or_else(|| ind.dimensions.first().cloned().unwrap_or_default());
    let (by, cols) = match requested.split_once(',') {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (
            requested.trim().to_string(),
            q.cols.clone().unwrap_or_default().trim().to_string(),
        ),
    };
    let cols = if cols == by || by.is_empty() {
        String::new()
    } else {
        cols
    };
    let territory = q
        .territory
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "MA".into());
    let mut by_choices = vec![("", i18n::t(l, "values-total"), by.is_empty())];
    let mut cols_choices = vec![("", i18n::t(l, "monitoring-no-columns"), cols.is_empty())];
    let dims = ["territory", "organisation"]
        .into_iter()
        .chain(passerelle_domain::values::dimension_codes());
    for d in dims {
        if d == "territory" || d == "organisation" || ind.dimensions.iter().any(|x| x == d) {
            by_choices.push((d, i18n::dim_label(l, d), by == d));
            cols_choices.push((d, i18n::dim_label(l, d), cols == d));
        }
    }
    let mut page = IndicatorPage {
        p: Page::new(&ctx, "nav-frameworks"),
        code: ind.code.clone(),
        framework: ind.framework_code.clone(),
        title: ind.title.pick(l).to_string(),
        periods: periods.iter().map(|x| (x.clone(), *x == period)).collect(),
        by_choices,
        territory: territory.clone(),
        dim_label: if by.is_empty() {
            String::new()
        } else {
            i18n::dim_label(l, &by)
        },
        rows: Vec::new(),
        total: None,
        caption: String::new(),
        chart: String::new(),
        series_chart: String::new(),
        series_caption: String::new(),
        notes: Vec::new(),
        csv_link: String::new(),
        error: None,
        cols_choices,
        pivot: None,
        audience_choices: [Audience::Internal, Audience::Partners, Audience::Public]
            .into_iter()
            .map(|a| {
                (
                    a.as_str(),
                    i18n::t(l, &format!("audience-{}", a.as_str())),
                    a == audience,
                )
            })
            .collect(),
        withheld: false,
    };
    if period.is_empty() {
        return Ok(render_page(&page));
    }
    if !cols.is_empty() {
        return indicator_pivot_page(&s, &ctx, page, &period, &territory, [by, cols], audience)
            .await;
    }
    let query = passerelle_service::values::ValuesQuery {
        indicator: ind.code.clone(),
        period: period.clone(),
        territory: Some(territory.clone()),
        by: if by.is_empty() {
            Vec::new()
        } else {
            vec![by.clone()]
        },
        include_submitted: false,
        audience,
    };
    let table = match s.svc.indicator_values(Some(actor), &query).await {
        Ok(t) => t,
        Err(ServiceError::Invalid(errors)) => {
            page.error = errors.first().map(|e| {
                format!(
                    "{} — {}",
                    i18n::t(l, &format!("field-{}", e.field)),
                    crate::error::field_message(e, l)
                )
            });
            return Ok(render_form_page(&page, true));
        }
        Err(e) => return Err(e.into()),
    };
    let regions = s.svc.territories(None).await?;
    let mut names: std::collections::HashMap<String, String> = regions
        .iter()
        .map(|t| (t.code.to_string(), territory_name(t, l).to_string()))
        .collect();
    if let Ok(code) = TerritoryCode::parse(&table.territory) {
        for t in s.svc.territories(Some(&code)).await? {
            names.insert(t.code.to_string(), territory_name(&t, l).to_string());
        }
    }
    let label_of = |dim: &str, value: &str| match dim {
        "territory" => names
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_string()),
        "organisation" => value.to_string(),
        d => i18n::dim_value_label(l, d, value),
    };
    let fmt = |v: f64, q: passerelle_domain::values::Qualifier| {
        let n = if v.fract() == 0.0 {
            l.format_int(v as i64)
        } else {
            l.format_decimal(v, 2)
        };
        match q {
            passerelle_domain::values::Qualifier::Exact => n,
            other => format!(
                "{} {n}",
                i18n::t(l, &format!("qualifier-{}", other.as_str()))
            ),
        }
    };
    let withheld_mark = i18n::t(l, "values-withheld-mark");
    let fmt = |line: &passerelle_service::values::ValueLine| {
        if line.withheld {
            withheld_mark.clone()
        } else {
            fmt(line.value, line.qualifier)
        }
    };
    page.withheld = table.rows.iter().chain(&table.total).any(|r| r.withheld);
    let mut chart_rows = Vec::new();
    for r in &table.rows {
        let label = r
            .dims
            .iter()
            .map(|(d, v)| label_of(d, v))
            .collect::<Vec<_>>()
            .join(" · ");
        let value = fmt(r);
        if !r.withheld {
            chart_rows.push((label.clone(), r.value, value.clone()));
        }
        page.rows.push(ValueRowView {
            drill: r
                .dims
                .iter()
                .find(|(d, v)| d == "territory" && v.len() == 5)
                .map(|(_, v)| {
                    format!(
                        "/indicators/{}?period={}&by=territory&territory={v}",
                        ind.code, period
                    )
                }),
            label,
            value,
            share: r
                .share
                .map(|x| format!("{} %", l.format_decimal(x, 2)))
                .unwrap_or_default(),
            orgs: sources(l, &r.organisations),
        });
    }
    page.total = table.total.as_ref().map(|t| ValueRowView {
        label: String::new(),
        drill: None,
        value: fmt(t),
        share: String::new(),
        orgs: sources(l, &t.organisations),
    });
    let place = names.get(&table.territory).cloned().unwrap_or_else(|| {
        if table.territory == "MA" {
            i18n::t(l, "territory-national")
        } else {
            table.territory.clone()
        }
    });
    page.caption = format!("{} — {} — {}", page.title, period, place);
    page.chart = crate::chart::bars(&chart_rows, l == Locale::Ar, &page.caption);
    page.notes = table_notes(l, &table.notes);
    let series = s
        .svc
        .indicator_series(Some(actor), &ind.code, Some(&table.territory))
        .await?;
    if series.len() > 1 {
        let rows: Vec<(String, f64, String)> = series
            .iter()
            .map(|(period, v)| {
                (
                    period.clone(),
                    *v,
                    if v.fract() == 0.0 {
                        l.format_int(*v as i64)
                    } else {
                        l.format_decimal(*v, 2)
                    },
                )
            })
            .collect();
        page.series_caption = format!(
            "{} — {} — {}",
            page.title,
            i18n::t(l, "values-over-time"),
            place
        );
        page.series_chart = crate::chart::bars(&rows, l == Locale::Ar, &page.series_caption);
    }
    let by_q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("period", &period)
        .append_pair("territory", &table.territory)
        .append_pair("by", &by)
        .append_pair("audience", audience.as_str())
        .finish();
    page.csv_link = format!("/api/v1/indicators/{}/values?{by_q}", ind.code);
    Ok(render_page(&page))
}

/// A table's notes in the reader's language.
fn table_notes(l: Locale, notes: &[passerelle_service::values::Note]) -> Vec<String> {
    notes
        .iter()
        .map(|n| {
            let args: Vec<(&str, &str)> = n.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            i18n::t_args(l, &format!("note-{}", n.key), &args)
        })
        .collect()
}

/// Labels for the values of a dimension, in the reader's language.
async fn dimension_labels(
    s: &AppState,
    l: Locale,
    territory: &str,
) -> Result<impl Fn(&str, &str) -> String, WebError> {
    let regions = s.svc.territories(None).await?;
    let mut names: std::collections::HashMap<String, String> = regions
        .iter()
        .map(|t| (t.code.to_string(), territory_name(t, l).to_string()))
        .collect();
    if let Ok(code) = TerritoryCode::parse(territory) {
        for t in s.svc.territories(Some(&code)).await? {
            names.insert(t.code.to_string(), territory_name(&t, l).to_string());
        }
    }
    Ok(move |dim: &str, value: &str| match dim {
        "territory" => names
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_string()),
        "organisation" => value.to_string(),
        d => i18n::dim_value_label(l, d, value),
    })
}

/// The indicator page with a pivot: rows × columns, each row's and column's own
/// figure, the total, and its CSV.
async fn indicator_pivot_page(
    s: &AppState,
    ctx: &Ctx,
    mut page: IndicatorPage,
    period: &str,
    territory: &str,
    [rows_dim, cols_dim]: [String; 2],
    audience: Audience,
) -> Result<Response, WebError> {
    let l = ctx.locale;
    let query = passerelle_service::values::ValuesQuery {
        indicator: page.code.clone(),
        period: period.to_string(),
        territory: Some(territory.to_string()),
        by: vec![rows_dim.clone(), cols_dim.clone()],
        include_submitted: false,
        audience,
    };
    let (table, pivot) = match s.svc.indicator_pivot(Some(ctx.actor()?), &query).await {
        Ok(x) => x,
        Err(ServiceError::Invalid(errors)) => {
            page.error = errors.first().map(|e| {
                format!(
                    "{} — {}",
                    i18n::t(l, &format!("field-{}", e.field)),
                    crate::error::field_message(e, l)
                )
            });
            return Ok(render_form_page(&page, true));
        }
        Err(e) => return Err(e.into()),
    };
    let label = dimension_labels(s, l, &table.territory).await?;
    let withheld_mark = i18n::t(l, "values-withheld-mark");
    let num = |r: usize, c: usize| {
        if pivot.withheld.contains(&(r, c)) {
            return withheld_mark.clone();
        }
        match pivot.at(r, c) {
            Some(v) => number(l, v),
            None => "—".to_string(),
        }
    };
    page.withheld = !pivot.withheld.is_empty();
    let (nr, nc) = (pivot.rows.len(), pivot.cols.len());
    let csv_q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("period", period)
        .append_pair("territory", &table.territory)
        .append_pair("by", &format!("{rows_dim},{cols_dim}"))
        .append_pair("audience", audience.as_str())
        .finish();
    page.dim_label = i18n::dim_label(l, &rows_dim);
    page.caption = format!(
        "{} — {} — {} × {}",
        page.title,
        period,
        i18n::dim_label(l, &rows_dim),
        i18n::dim_label(l, &cols_dim)
    );
    page.notes = table_notes(l, &table.notes);
    page.pivot = Some(PivotView {
        corner: format!(
            "{} \\ {}",
            i18n::dim_label(l, &rows_dim),
            i18n::dim_label(l, &cols_dim)
        ),
        cols: pivot.cols.iter().map(|c| label(&cols_dim, c)).collect(),
        rows: pivot
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    label(&rows_dim, r),
                    (0..nc).map(|c| num(i, c)).collect(),
                    num(i, nc),
                )
            })
            .collect(),
        col_totals: (0..nc).map(|c| num(nr, c)).collect(),
        total: num(nr, nc),
        csv_link: format!("/indicators/{}/pivot.csv?{csv_q}", page.code),
        xlsx_link: format!("/indicators/{}/pivot.xlsx?{csv_q}", page.code),
    });
    Ok(render_page(&page))
}

/// The pivot as CSV (codes, not labels, so it reads back into a spreadsheet or a script).
async fn indicator_pivot_csv(
    state: State<AppState>,
    ctx: Ctx,
    code: Path<String>,
    q: Query<IndicatorQuery>,
) -> Result<Response, WebError> {
    pivot_download(state, ctx, code, q, false).await
}

/// The same pivot as a workbook.
async fn indicator_pivot_xlsx(
    state: State<AppState>,
    ctx: Ctx,
    code: Path<String>,
    q: Query<IndicatorQuery>,
) -> Result<Response, WebError> {
    pivot_download(state, ctx, code, q, true).await
}

async fn pivot_download(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<IndicatorQuery>,
    xlsx: bool,
) -> Result<Response, WebError> {
    let by: Vec<String> =
        q.by.unwrap_or_default()
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
    let query = passerelle_service::values::ValuesQuery {
        indicator: code.clone(),
        period: q.period.unwrap_or_default(),
        territory: q.territory,
        by,
        include_submitted: false,
        audience: audience(q.audience.as_deref())?,
    };
    let (table, pivot) = s.svc.indicator_pivot(Some(ctx.actor()?), &query).await?;
    let (kind, ext, body) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            pivot
                .to_xlsx()
                .map_err(|_| WebError::code(ErrorCode::Internal))?,
        )
    } else {
        (
            "text/csv; charset=utf-8",
            "csv",
            pivot.to_csv().into_bytes(),
        )
    };
    let disposition = format!(
        "attachment; filename=\"{}-{}-{}.{ext}\"",
        table.indicator,
        table.period.replace('/', "_"),
        table.by.join("-")
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

struct ReportingRow {
    org: String,
    period: String,
    href: String,
    status: String,
    status_code: String,
    updated: String,
}

struct ReportingSet {
    code: String,
    title: String,
    rows: Vec<ReportingRow>,
}

#[derive(Template)]
#[template(path = "reporting.html")]
struct ReportingPage {
    p: Page,
    sets: Vec<ReportingSet>,
    /// (value, period, unit, "indicator (organisation)" list), for the secretariat.
    repeated: Vec<(String, String, String, String)>,
}

fn status_label(l: Locale, status: Option<&str>) -> (String, String) {
    let code = status.unwrap_or("not_started").to_string();
    (i18n::t(l, &format!("status-{code}")), code)
}

async fn reporting_overview(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let (sets, subs) = s.svc.reporting_overview(actor).await?;
    let year = time::OffsetDateTime::now_utc().year();
    let l = ctx.locale;
    let p = Page::new(&ctx, "nav-reporting");
    let mut out = Vec::new();
    for set in sets {
        let orgs: Vec<&String> = set
            .organisations
            .iter()
            .filter(|o| ctx.permissions.review_values || **o == actor.organisation_code)
            .collect();
        if orgs.is_empty() {
            continue;
        }
        let mut rows = Vec::new();
        for org in orgs {
            for period in set.periods(year) {
                let sub = subs.iter().find(|x| {
                    x.dataset_code == set.code && &x.organisation_code == org && x.period == period
                });
                let (status, status_code) = status_label(l, sub.map(|x| x.status.as_str()));
                rows.push(ReportingRow {
                    org: org.clone(),
                    href: format!("/reporting/{}/{}/{}", set.code, org, period),
                    period,
                    status,
                    status_code,
                    updated: sub.map(|x| p.datetime(&x.updated_at)).unwrap_or_default(),
                });
            }
        }
        out.push(ReportingSet {
            code: set.code.clone(),
            title: set.title.pick(l).to_string(),
            rows,
        });
    }
    let repeated = if ctx.permissions.review_values {
        s.svc
            .repeated_figures(Some(actor))
            .await?
            .into_iter()
            .map(|f| {
                let value = if f.value.fract() == 0.0 {
                    l.format_int(f.value as i64)
                } else {
                    l.format_decimal(f.value, 2)
                };
                let unit = i18n::t(l, &format!("unit-{}", f.unit));
                let list = f
                    .reported_as
                    .iter()
                    .map(|(i, o)| format!("{i} ({o})"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (value, f.period, unit, list)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render_page(&ReportingPage {
        p,
        sets: out,
        repeated,
    }))
}

struct EntryCell {
    name: String,
    label: String,
    value: String,
    error: String,
}

struct EntryRow {
    code: String,
    title: String,
    cells: Vec<EntryCell>,
}

#[derive(Template)]
#[template(path = "submission.html")]
struct SubmissionPage {
    p: Page,
    title: String,
    org: String,
    period: String,
    action: String,
    status: String,
    status_code: String,
    updated: String,
    comment: Option<String>,
    columns: Vec<(String, String)>,
    rows: Vec<EntryRow>,
    can_edit: bool,
    can_review: bool,
    can_unlock: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// Renders a submission; `typed` (the form's values) and `errors` (by cell name) when
/// a save was refused, so nothing typed is lost.
async fn submission_page(
    s: &AppState,
    ctx: &Ctx,
    (dataset, org, period): (&str, &str, &str),
    typed: Option<&std::collections::HashMap<String, String>>,
    errors: &std::collections::HashMap<String, String>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let view = s.svc.submission(actor, dataset, org, period).await?;
    // The columns come from the registry: each dimension's complete category set.
    let mut columns = vec![(String::new(), i18n::t(l, "values-total"))];
    for (id, key) in view.dataset.entry_cells() {
        let label = match key.split_once('=') {
            Some((d, v)) if view.dataset.dimensions.len() == 1 => i18n::dim_value_label(l, d, v),
            _ => i18n::cells_label(l, &key),
        };
        columns.push((id, label));
    }
    let mut rows = Vec::new();
    for code in &view.dataset.indicators {
        let title = match s.svc.indicator_overview(Some(actor), code).await {
            Ok((ind, _)) => ind.title.pick(l).to_string(),
            Err(_) => String::new(),
        };
        let cells = columns
            .iter()
            .map(|(sex, label)| {
                let name = format!("v:{code}:{}", if sex.is_empty() { "total" } else { sex });
                let stored = view
                    .values
                    .iter()
                    .find(|(i, x, _)| i == code && x == sex)
                    .map(|(_, _, v)| {
                        if v.fract() == 0.0 {
                            format!("{}", *v as i64)
                        } else {
                            v.to_string()
                        }
                    });
                let value = typed
                    .and_then(|t| t.get(&name).cloned())
                    .or(stored)
                    .unwrap_or_default();
                EntryCell {
                    error: errors.get(&name).cloned().unwrap_or_default(),
                    label: label.clone(),
                    name,
                    value,
                }
            })
            .collect();
        rows.push(EntryRow {
            code: code.clone(),
            title,
            cells,
        });
    }
    let (status, status_code) = status_label(l, view.status.map(|x| x.as_str()));
    let p = Page::new(ctx, "nav-reporting");
    let mut updated = String::new();
    if let (Some(by), Some(at)) = (&view.updated_by, &view.updated_at) {
        updated = i18n::t_args(
            l,
            "reporting-updated-by",
            &[("name", by.as_str()), ("date", p.datetime(at).as_str())],
        );
    }
    if let (Some(by), Some(at)) = (&view.locked_by, &view.locked_at) {
        updated = i18n::t_args(
            l,
            "reporting-locked-by",
            &[("name", by.as_str()), ("date", p.datetime(at).as_str())],
        );
    }
    let failed = !errors.is_empty() || error.is_some();
    let page = SubmissionPage {
        title: view.dataset.title.pick(l).to_string(),
        org: view.organisation.clone(),
        period: view.period.clone(),
        action: format!(
            "/reporting/{}/{}/{}",
            view.dataset.code, view.organisation, view.period
        ),
        status,
        status_code,
        updated,
        comment: view.comment.clone(),
        columns,
        rows,
        can_edit: view.can_edit,
        can_review: view.can_review,
        can_unlock: view.can_unlock,
        notice,
        error,
        p,
    };
    Ok(render_form_page(&page, failed))
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn submission(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((dataset, org, period)): Path<(String, String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    // After a successful action the browser is redirected here (post/redirect/get),
    // so reloading the page never repeats the action.
    let notice = q
        .done
        .as_deref()
        .and_then(passerelle_domain::reporting::SubmissionStatus::parse)
        .map(|st| i18n::t(ctx.locale, &format!("reporting-done-{}", st.as_str())));
    submission_page(
        &s,
        &ctx,
        (&dataset, &org, &period),
        None,
        &Default::default(),
        notice,
        None,
    )
    .await
}

async fn submission_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((dataset, org, period)): Path<(String, String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    use passerelle_domain::reporting::Transition;
    use passerelle_service::reporting::{Entry, ReportingError};
    let actor = ctx.actor()?;
    let l = ctx.locale;
    let mut typed = std::collections::HashMap::new();
    let mut action = String::new();
    let mut comment = String::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "action" => action = v.into_owned(),
            "comment" => comment = v.into_owned(),
            k if k.starts_with("v:") => {
                typed.insert(k.to_string(), v.into_owned());
            }
            _ => {}
        }
    }
    let transition =
        Transition::parse(&action).ok_or_else(|| WebError::code(ErrorCode::BadRequest))?;
    let result = match transition {
        Transition::SaveDraft | Transition::Submit => {
            let entries: Vec<Entry> = typed
                .iter()
                .filter_map(|(k, v)| {
                    let mut parts = k.splitn(3, ':').skip(1);
                    let (ind, cell) = (parts.next()?, parts.next()?);
                    Some(Entry {
                        indicator: ind.to_string(),
                        cell: (cell != "total").then(|| cell.to_string()),
                        value: v.clone(),
                    })
                })
                .collect();
            s.svc
                .save_submission(
                    actor,
                    &dataset,
                    &org,
                    &period,
                    &entries,
                    transition == Transition::Submit,
                    &ctx.op,
                )
                .await
        }
        t => {
            s.svc
                .review_submission(actor, &dataset, &org, &period, t, &comment, &ctx.op)
                .await
        }
    };
    let key = (dataset.as_str(), org.as_str(), period.as_str());
    match result {
        Ok(status) => {
            let path: String = [dataset.as_str(), org.as_str(), period.as_str()]
                .iter()
                .map(|p| form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>())
                .collect::<Vec<_>>()
                .join("/");
            Ok(
                Redirect::to(&format!("/reporting/{path}?done={}", status.as_str()))
                    .into_response(),
            )
        }
        Err(ReportingError::Invalid(issues)) => {
            let mut errors = std::collections::HashMap::new();
            for i in &issues {
                let (ind, cell) = i
                    .column
                    .split_once(':')
                    .unwrap_or((i.column.as_str(), "total"));
                let message = crate::error::issue_message(i, l);
                errors.insert(format!("v:{ind}:{cell}"), message);
            }
            let summary = i18n::t(l, "form-has-errors");
            submission_page(&s, &ctx, key, Some(&typed), &errors, None, Some(summary)).await
        }
        Err(ReportingError::WrongState { status }) => {
            let (label, _) = status_label(l, status.map(|x| x.as_str()));
            let msg = i18n::t_args(l, "reporting-wrong-state", &[("status", label.as_str())]);
            submission_page(
                &s,
                &ctx,
                key,
                Some(&typed),
                &Default::default(),
                None,
                Some(msg),
            )
            .await
        }
        Err(ReportingError::Locked { by, at }) => {
            let msg = i18n::t_args(
                l,
                "reporting-is-locked",
                &[
                    ("name", by.as_str()),
                    ("date", crate::i18n::format_timestamp(l, &at, true).as_str()),
                ],
            );
            submission_page(
                &s,
                &ctx,
                key,
                Some(&typed),
                &Default::default(),
                None,
                Some(msg),
            )
            .await
        }
        Err(ReportingError::Service(ServiceError::Invalid(errors))) => {
            let msg = errors
                .first()
                .map(|e| {
                    format!(
                        "{} — {}",
                        i18n::t(l, &format!("field-{}", e.field)),
                        crate::error::field_message(e, l)
                    )
                })
                .unwrap_or_default();
            submission_page(
                &s,
                &ctx,
                key,
                Some(&typed),
                &Default::default(),
                None,
                Some(msg),
            )
            .await
        }
        Err(ReportingError::Service(e)) => Err(e.into()),
    }
}

/// Who a figure comes from: organisation codes, and case records named as such.
fn sources(l: Locale, orgs: &[String]) -> String {
    orgs.iter()
        .map(|o| {
            if o == "records" {
                i18n::t(l, "values-from-records")
            } else {
                o.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
