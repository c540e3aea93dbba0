//! What every template receives: the language, the computed permissions, the
//! navigation for the user's roles, the anti-forgery token. Templates read these;
//! they never decide access themselves.

use crate::ctx::Ctx;
use crate::i18n;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use passerelle_domain::Locale;
use passerelle_service::Permissions;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub struct Page {
    pub locale: Locale,
    pub op: String,
    pub csrf: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub perms: Permissions,
    pub path: String,
    pub nav: Vec<NavItem>,
    pub title: String,
}

impl Page {
    pub fn new(ctx: &Ctx, title_key: &str) -> Page {
        let mut nav = Vec::new();
        if let Some(_actor) = &ctx.actor {
            let p = ctx.permissions;
            let items: [(&'static str, &str, bool); 15] = [
                ("/", "nav-home", true),
                ("/cases", "nav-cases", p.work_cases),
                ("/frameworks", "nav-frameworks", true),
                ("/reporting", "nav-reporting", p.monitoring),
                ("/report", "nav-report", p.monitoring),
                ("/organisations", "nav-organisations", true),
                ("/territories", "nav-territories", true),
                ("/directory", "nav-directory", true),
                ("/intake", "nav-intake", p.intake),
                ("/exchange", "nav-exchange", p.manage_exchange),
                ("/forms", "nav-forms", p.manage_forms),
                ("/governance", "nav-governance", p.governance),
                ("/admin/users", "nav-users", p.manage_users || p.view_team),
                ("/admin/audit", "nav-audit", p.view_audit),
                ("/account", "nav-account", true),
            ];
            let current_path = ctx.path.split('?').next().unwrap_or("/");
            for (href, key, show) in items {
                if show {
                    let current = if href == "/" {
                        current_path == "/"
                    } else {
                        current_path == href || current_path.starts_with(&format!("{href}/"))
                    };
                    nav.push(NavItem {
                        href,
                        label: i18n::t(ctx.locale, key),
                        current,
                    });
                }
            }
        }
        Page {
            locale: ctx.locale,
            op: ctx.op.clone(),
            csrf: ctx.csrf.clone(),
            user_name: ctx.actor.as_ref().map(|a| a.user.display_name.clone()),
            org_name: ctx.actor.as_ref().map(|a| {
                match ctx.locale {
                    Locale::Ar => a.organisation_name_ar.clone(),
                    Locale::En => a.organisation_name_en.clone(),
                    Locale::Fr => None,
                }
                .unwrap_or_else(|| a.organisation_name.clone())
            }),
            perms: ctx.permissions,
            path: ctx.path.clone(),
            nav,
            title: i18n::t(ctx.locale, title_key),
        }
    }

    /// A page with no user: error pages rendered before or outside a session.
    pub fn bare(locale: Locale, op: &str) -> Page {
        Page {
            locale,
            op: op.to_string(),
            csrf: String::new(),
            user_name: None,
            org_name: None,
            perms: Permissions::default(),
            path: "/".into(),
            nav: Vec::new(),
            title: String::new(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key)
    }

    pub fn ta(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t_args(self.locale, key, &[(name, value)])
    }

    /// The label of a coded value: the message `{prefix}-{code}`.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        self.t(&format!("{prefix}-{code}"))
    }

    /// String equality for templates (whatever the reference depth askama gives).
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// A multilingual title in the reader's language.
    pub fn title_of(&self, t: &passerelle_domain::framework::Title) -> String {
        t.pick(self.locale).to_string()
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    pub fn dir(&self) -> &'static str {
        self.locale.dir()
    }

    /// A figure: an integer in the reader's digits grouping, else one decimal.
    pub fn fig(&self, v: &f64) -> String {
        if (v - v.round()).abs() < 1e-9 {
            self.locale.format_int(v.round() as i64)
        } else {
            format!("{v:.1}")
        }
    }

    /// A fraction as a whole percentage.
    pub fn pct(&self, v: &f64) -> String {
        format!("{} %", (v * 100.0).round() as i64)
    }

    pub fn num(&self, n: &i64) -> String {
        self.locale.format_int(*n)
    }

    pub fn date(&self, ts: &str) -> String {
        i18n::format_timestamp(self.locale, ts, false)
    }

    pub fn datetime(&self, ts: &str) -> String {
        i18n::format_timestamp(self.locale, ts, true)
    }

    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Locale::ALL
            .iter()
            .map(|l| (l.code(), l.endonym(), *l == self.locale))
            .collect()
    }

    pub fn role_name(&self, role: &passerelle_domain::Role) -> String {
        self.t(&format!("role-{}", role.as_str()))
    }

    pub fn kind_name(&self, kind: &passerelle_domain::OrgKind) -> String {
        self.t(&format!("org-kind-{}", kind.as_str()))
    }

    /// A referral's service: a directory service's name in the reader's language, or
    /// the label of a service type.
    pub fn service_label(
        &self,
        code: &str,
        name: &Option<(String, Option<String>, Option<String>)>,
    ) -> String {
        match name {
            Some((fr, ar, en)) => self.pick(fr, ar, en).to_string(),
            None => self.label("cw-service", code),
        }
    }

    /// A name in the reader's language, French when missing.
    pub fn pick<'a>(&self, fr: &'a str, ar: &'a Option<String>, en: &'a Option<String>) -> &'a str {
        match self.locale {
            Locale::Ar => ar.as_deref().unwrap_or(fr),
            Locale::En => en.as_deref().unwrap_or(fr),
            Locale::Fr => fr,
        }
    }
}

pub fn render_page<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Renders a page holding a form; `failed` (the form was refused) answers 422 so
/// scripts and tests can tell, while the browser shows the form again with its errors.
pub fn render_form_page<T: Template>(t: &T, failed: bool) -> Response {
    let mut r = render_page(t);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// Form errors for one field, as (field name, sentence), for templates.
pub fn field_errors(
    errors: &[passerelle_domain::DomainError],
    locale: Locale,
) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| (e.field.to_string(), crate::error::field_message(e, locale)))
        .collect()
}
