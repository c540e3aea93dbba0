//! The web front over HTTP, on SQLite and (when configured) PostgreSQL: login,
//! CSRF, role checks, form errors, API tokens, the audit chain, languages.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use passerelle_service::{Service, ServiceConfig};
use passerelle_store::{Backend, Store, testing};
use std::collections::HashMap;
use tower::ServiceExt;

/// A browser in miniature: keeps cookies, follows nothing.
#[derive(Clone)]
struct Client {
    app: Router,
    cookies: HashMap<String, String>,
}

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
    /// The `x-operation-id` the server gave the request.
    operation_id: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The `_csrf` value of the first form on the page.
    fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .map(|i| i + marker.len())
            .expect("a form with _csrf");
        self.body[start..start + 64].to_string()
    }
}

impl Client {
    fn new(app: Router) -> Client {
        Client {
            app,
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Reply {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c = self.cookie_header();
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = self.app.clone().oneshot(req).await.unwrap();
        for sc in res.headers().get_all(header::SET_COOKIE) {
            let sc = sc.to_str().unwrap();
            let (kv, _) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || sc.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let operation_id = res
            .headers()
            .get("x-operation-id")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        Reply {
            status,
            location,
            body,
            operation_id,
        }
    }

    /// The `Cookie` header of what the server has set.
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A download: status, content type and the body's bytes (not text).
    async fn download(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let kind = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, kind, bytes)
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn login(&mut self, username: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post_form(
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

fn bearer_get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn demo_app(backend: Backend) -> (Router, Store) {
    let store = testing::fresh_store(backend).await.unwrap();
    let config = ServiceConfig {
        login_failure_delay_ms: 0,
        ..Default::default()
    };
    let svc = Service::new(store.clone(), config);
    svc.load_demo("test").await.unwrap();
    (
        passerelle_web::app(
            svc,
            passerelle_web::WebConfig {
                secure_cookies: false,
            },
        ),
        store,
    )
}

const PW: &str = passerelle_service::demo::DEMO_PASSWORD;

#[path = "http/casework.rs"]
mod casework;
#[path = "http/dimensions.rs"]
mod dimensions;
#[path = "http/monitoring.rs"]
mod monitoring;

#[path = "http/exchange.rs"]
mod exchange;
#[path = "http/forms.rs"]
mod forms;
#[path = "http/governance.rs"]
mod governance;
#[path = "http/report.rs"]
mod report;

#[tokio::test]
async fn a_case_worker_cannot_reach_administrator_pages_or_api() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        assert_eq!(
            c.login("worker.en", PW).await.status,
            StatusCode::SEE_OTHER,
            "{backend:?}"
        );
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Fatima Zahra Idrissi"));
        assert!(
            !home.body.contains("href=\"/admin/users\""),
            "the nav must not offer what the role cannot do"
        );

        for path in ["/admin/users", "/admin/audit"] {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} {backend:?}");
            assert!(
                r.body.contains("Accès refusé") && r.body.contains("Référence de l'opération")
                    || r.body.contains("Référence de l&#39;opération")
            );
        }
        for path in ["/api/v1/users", "/api/v1/audit/verify"] {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(r.json()["code"], "forbidden");
            assert!(
                r.json()["operation_id"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty())
            );
        }
        // Posting the admin form, even with a valid token, is refused by role.
        let csrf = c.get("/account").await.csrf();
        let r = c
            .post_form(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "intruder"),
                    ("display_name", "X"),
                    ("organisation", "EN-RABAT"),
                    ("roles", "administrator"),
                    ("password", "long enough password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A supervisor sees their own team only.
        let mut s = Client::new(c.app.clone());
        s.login("supervisor.en", PW).await;
        let team = s.get("/api/v1/users").await;
        assert_eq!(team.status, StatusCode::OK);
        let json = team.json();
        let names: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["supervisor.en", "worker.en"]);
    }
}

#[tokio::test]
async fn posts_without_a_valid_anti_forgery_token_are_refused() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        // Anonymous login form without the double-submit token.
        c.get("/login").await;
        let r = c
            .post_form("/login", &[("username", "admin"), ("password", PW)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend:?}");
        assert!(r.body.contains("formulaire a expiré"));
        assert!(!c.cookies.contains_key("passerelle_session"));

        c.login("admin", PW).await;
        let before = c
            .get("/api/v1/users")
            .await
            .json()
            .as_array()
            .unwrap()
            .len();
        let fields = [
            ("username", "nocsrf"),
            ("display_name", "No Csrf"),
            ("organisation", "EN-RABAT"),
            ("roles", "viewer"),
            ("password", "long enough password"),
        ];
        let r = c.post_form("/admin/users", &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut wrong = fields.to_vec();
        wrong.push((
            "_csrf",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ));
        assert_eq!(
            c.post_form("/admin/users", &wrong).await.status,
            StatusCode::FORBIDDEN
        );
        // JSON with the session cookie but no X-CSRF-Token header.
        let req = Request::post("/api/v1/organisations")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"code":"X-ORG","kind":"ngo","name_fr":"X"}"#))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["code"], "csrf_invalid");
        assert_eq!(
            c.get("/api/v1/users")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            before,
            "nothing was saved"
        );
    }
}

#[tokio::test]
async fn logins_fail_generically_and_are_throttled() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        let wrong_pw = c.login("admin", "not the password").await;
        let no_user = c.login("nobody-at-all", "not the password").await;
        assert_eq!(wrong_pw.status, StatusCode::UNAUTHORIZED);
        assert_eq!(no_user.status, StatusCode::UNAUTHORIZED);
        let msg = |r: &Reply| {
            r.body
                .split("id=\"login-error\">")
                .nth(1)
                .and_then(|s| s.split('<').next())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            msg(&wrong_pw),
            msg(&no_user),
            "the message must not tell which part was wrong"
        );
        assert_eq!(msg(&wrong_pw), "Identifiant ou mot de passe incorrect.");
        // The limit is five failures per username in the window.
        for _ in 0..4 {
            c.login("admin", "not the password").await;
        }
        let r = c.login("admin", PW).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend:?}: even the right password waits"
        );
        assert!(r.body.contains("Trop de tentatives"));
    }
}

#[tokio::test]
async fn an_invalid_form_comes_back_with_each_error_beside_its_field() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        c.login("admin", PW).await;
        let csrf = c.get("/admin/users").await.csrf();
        let r = c
            .post_form(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "a b"),
                    ("display_name", ""),
                    ("organisation", "NOPE"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        for (field, text) in [
            ("username", "caractères ou une forme non autorisés"),
            ("display_name", "obligatoire"),
            ("organisation", "Organisation inconnue : « NOPE »"),
            ("roles", "obligatoire"),
            ("password", "longueur"),
        ] {
            let id = format!("id=\"{field}-error\">");
            let shown = r
                .body
                .split(&id)
                .nth(1)
                .and_then(|s| s.split('<').next())
                .unwrap_or("");
            assert!(shown.contains(text), "{field}: {shown:?}");
        }
        assert!(r.body.contains("value=\"a b\""), "typed values are kept");
        assert!(!r.body.contains("short"), "passwords are never echoed");

        // The same in Arabic, through the API in English: messages follow the language.
        c.cookies.insert("passerelle_lang".into(), "ar".into());
        let r = c
            .post_form(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "ok.user"),
                    ("display_name", "مستخدم"),
                    ("organisation", "EN-RABAT"),
                    ("roles", "viewer"),
                    ("password", "x"),
                ],
            )
            .await;
        assert!(r.body.contains("dir=\"rtl\"") && r.body.contains("طول هذا الحقل غير صالح"));

        let ok = c
            .post_form(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "Nouvelle.Agente"),
                    ("display_name", "Nouvelle Agente"),
                    ("organisation", "EN-CASA"),
                    ("roles", "case_worker"),
                    ("roles", "community_agent"),
                    ("password", "une phrase de passe longue"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        let dup = c
            .post_form(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "nouvelle.agente"),
                    ("display_name", "Twin"),
                    ("organisation", "EN-CASA"),
                    ("roles", "viewer"),
                    ("password", "une phrase de passe longue"),
                ],
            )
            .await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("nouvelle.agente"));

        let mut n = Client::new(c.app.clone());
        assert_eq!(
            n.login("nouvelle.agente", "une phrase de passe longue")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let me = n.get("/api/v1/me").await.json();
        assert_eq!(
            me["roles"],
            serde_json::json!(["case_worker", "community_agent"])
        );
        assert_eq!(me["organisation"], "EN-CASA");
    }
}

#[tokio::test]
async fn api_tokens_work_without_cookies_and_the_audit_chain_catches_tampering() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut c = Client::new(app.clone());
        c.login("admin", PW).await;
        let csrf = c.get("/account").await.csrf();
        let page = c
            .post_form(
                "/account/tokens",
                &[("_csrf", &csrf), ("name", "nightly script")],
            )
            .await;
        let token = page
            .body
            .split("id=\"new-token\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_string();
        assert!(token.starts_with("psl_"));

        let mut script = Client::new(app.clone());
        let me = script.send(bearer_get("/api/v1/me", &token)).await;
        assert_eq!(me.json()["username"], "admin", "{backend:?}");
        let req = Request::post("/api/v1/organisations")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"code":"ALCS-CASA","kind":"ngo","name_fr":"Association de lutte contre le sida","territory":"Casablanca-Settat"}"#))
            .unwrap();
        let r = script.send(req).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a name is not a code here: {}",
            r.body
        );
        assert_eq!(r.json()["fields"][0]["field"], "territory");
        let req = Request::post("/api/v1/organisations")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"code":"ALCS-CASA","kind":"ngo","name_fr":"Association de lutte contre le sida","territory":"MA-06"}"#))
            .unwrap();
        assert_eq!(script.send(req).await.status, StatusCode::CREATED);
        assert_eq!(
            script
                .send(bearer_get("/api/v1/me", "psl_forged"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        let ok = c.get("/api/v1/audit/verify").await;
        assert_eq!(ok.status, StatusCode::OK);
        let rows = ok.json()["rows"].as_u64().unwrap();
        assert!(rows > 20, "every write was audited: {rows}");
        testing::tamper_audit_row(&store, 5).await.unwrap();
        let broken = c.get("/api/v1/audit/verify").await;
        assert_eq!(broken.status, StatusCode::CONFLICT);
        assert_eq!(broken.json()["code"], "audit_chain_broken");
        assert!(
            c.get("/admin/audit")
                .await
                .body
                .contains("rompue à l&#39;entrée 5")
        );
    }
}

#[tokio::test]
async fn languages_sessions_and_error_pages() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        let r = c.get("/organisations").await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/login?next=%2Forganisations")
        );
        c.cookies
            .insert("passerelle_session".into(), "a".repeat(64));
        let login = c.get("/login?next=%2Forganisations").await;
        assert!(login.body.contains("Votre session a expiré"), "{backend:?}");
        c.cookies.remove("passerelle_session");
        let r = c
            .post_form(
                "/login",
                &[
                    ("_csrf", &login.csrf()),
                    ("username", "secretariat"),
                    ("password", PW),
                    ("next", "/organisations"),
                ],
            )
            .await;
        assert_eq!(r.location, "/organisations", "back to the page asked for");

        let csrf = c.get("/").await.csrf();
        let r = c
            .post_form(
                "/lang",
                &[("_csrf", &csrf), ("lang", "ar"), ("next", "/organisations")],
            )
            .await;
        assert_eq!(r.location, "/organisations");
        let page = c.get("/organisations").await;
        assert!(page.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(page.body.contains("التعاون الوطني"));
        // The choice is remembered for the user, not only in the cookie.
        c.cookies.remove("passerelle_lang");
        assert!(c.get("/").await.body.contains("dir=\"rtl\""));

        let r = c.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("الصفحة غير موجودة"));
        let r = c.get("/api/v1/nothing").await;
        assert_eq!(r.json()["code"], "not_found");

        let r = c
            .post_form(
                "/lang",
                &[
                    ("_csrf", &csrf),
                    ("lang", "en"),
                    ("next", "https://evil.example/"),
                ],
            )
            .await;
        assert_eq!(r.location, "/", "only local redirects");
        let home = c.get("/").await;
        assert!(
            home.body.contains("<html lang=\"en\" dir=\"ltr\">") && home.body.contains("Welcome")
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let (app, _) = demo_app(Backend::Sqlite).await;
    let mut c = Client::new(app);
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/users",
        "/api/v1/territories",
        "/api/v1/audit/verify",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ApiError"].is_object());
}

#[tokio::test]
async fn changing_a_password_checks_the_current_one_and_ends_other_sessions() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut laptop = Client::new(app.clone());
        let mut phone = Client::new(app.clone());
        laptop.login("worker.en", PW).await;
        phone.login("worker.en", PW).await;
        assert_eq!(phone.get("/account").await.status, StatusCode::OK);

        let csrf = laptop.get("/account").await.csrf();
        let r = laptop
            .post_form(
                "/account/password",
                &[
                    ("_csrf", &csrf),
                    ("current_password", "wrong one here"),
                    ("new_password", "a new long passphrase"),
                    ("confirm_password", "a different one"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(
            r.body.contains(
                "id=\"current_password-error\">Le mot de passe actuel n&#39;est pas le bon."
            ),
            "{}",
            r.body
        );
        assert!(r.body.contains(
            "id=\"confirm_password-error\">Les deux mots de passe ne sont pas identiques."
        ));

        let r = laptop
            .post_form(
                "/account/password",
                &[
                    ("_csrf", &csrf),
                    ("current_password", PW),
                    ("new_password", "a new long passphrase"),
                    ("confirm_password", "a new long passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Votre mot de passe a été changé"));
        assert_eq!(
            laptop.get("/account").await.status,
            StatusCode::OK,
            "this session stays"
        );
        assert_eq!(
            phone.get("/account").await.status,
            StatusCode::SEE_OTHER,
            "the other session ended"
        );
        let mut again = Client::new(app);
        assert_eq!(
            again.login("worker.en", PW).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            again
                .login("worker.en", "a new long passphrase")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn frameworks_are_data_shown_in_three_languages_and_revised_with_history() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let list = sec.get("/api/v1/frameworks").await.json();
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["AMUDDU", "SNIA", "TTA-GIS"]);

        let snia = sec.get("/api/v1/frameworks/snia").await.json();
        let objectives = snia["children"].as_array().unwrap();
        assert_eq!(objectives.len(), 4, "{backend:?}");
        let programmes: usize = objectives
            .iter()
            .map(|o| o["children"].as_array().unwrap().len())
            .sum();
        assert_eq!(programmes, 11);
        assert_eq!(objectives[0]["level"], "strategic_objective");
        assert!(
            objectives[0]["title"]["ar"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );

        let page = sec.get("/frameworks/AMUDDU").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("OS-1") && page.body.contains("24 (5/21)"),
            "baseline with numerator and denominator"
        );
        assert!(page.body.contains("SNIA:P6"), "contributes to SNIA");
        assert!(
            page.body.contains("185 — SY2020-2021"),
            "the latest approved value of OI1-3"
        );
        assert!(
            page.body
                .contains("71 % du chemin vers la cible 250 (2021)"),
            "progress from the baseline 25 to the target 250"
        );
        let snia_page = sec.get("/frameworks/SNIA").await;
        assert!(
            snia_page.body.contains("Contributions d&#39;autres cadres")
                && snia_page.body.contains("AMUDDU")
        );

        // A revised target: the old value is kept as revision 1.
        let mut def: serde_json::Value =
            serde_json::from_str(include_str!("../../../data/frameworks/amuddu.json")).unwrap();
        let ind = def["indicators"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|i| i["code"] == "OI1-3")
            .unwrap();
        ind["targets"][0]["value"] = serde_json::json!(300);
        let csrf = sec.get("/account").await.csrf();
        let req = Request::post("/api/v1/frameworks")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &csrf)
            .body(Body::from(def.to_string()))
            .unwrap();
        let r = sec.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (
                r.json()["targets_revised"].as_u64(),
                r.json()["targets_added"].as_u64()
            ),
            (Some(1), Some(0))
        );
        assert!(
            sec.get("/frameworks/AMUDDU")
                .await
                .body
                .contains("300 · révision 2")
        );

        // Bad definitions are refused whole, every problem located.
        let req = Request::post("/api/v1/frameworks")
            .header("x-csrf-token", &csrf)
            .body(Body::from(r#"{"code":"X","title":{"fr":"X"},"levels":[{"code":"a","title":{"fr":"A"}}],"nodes":[{"code":"N","level":"b","parent":"M","title":{"fr":"n"}}]}"#))
            .unwrap();
        let r = sec.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let json = r.json();
        let locations: Vec<&str> = json["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(locations, vec!["code", "nodes[0].level", "nodes[0].parent"]);
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("rien n'a été importé")
        );

        // Arabic page; a case worker may read but not import.
        sec.cookies.insert("passerelle_lang".into(), "ar".into());
        let ar = sec.get("/frameworks/AMUDDU").await;
        assert!(ar.body.contains("dir=\"rtl\"") && ar.body.contains("القيمة المرجعية"));
        let mut worker = Client::new(app);
        worker.login("worker.en", PW).await;
        assert_eq!(worker.get("/frameworks/SNIA").await.status, StatusCode::OK);
        let csrf = worker.get("/account").await.csrf();
        let req = Request::post("/api/v1/frameworks")
            .header("x-csrf-token", &csrf)
            .body(Body::from(def.to_string()))
            .unwrap();
        assert_eq!(worker.send(req).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            worker.get("/frameworks/NOPE").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_2020_report_figures_reproduce_through_the_api() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app.clone());
        c.login("viewer.enabel", PW).await;
        let get = |path: &str| path.to_string();

        let scol = c
            .get(&get(
                "/api/v1/indicators/SNIA-P1-SCOL/values?period=SY2019-2020&by=sex",
            ))
            .await
            .json();
        assert_eq!(scol["total"]["value"], 3207.0, "{backend:?}");
        assert_eq!(scol["rows"][0]["dims"]["sex"], "F");
        assert_eq!(scol["rows"][0]["value"], 1606.0);
        assert_eq!(
            scol["rows"][0]["share"], 50.08,
            "recomputed, not the printed 50.07"
        );

        let covid = c
            .get(&get(
                "/api/v1/indicators/SNIA-P3-COVID/values?period=2020&by=territory",
            ))
            .await
            .json();
        assert_eq!(covid["total"]["value"], 585.0);
        let by_region: Vec<(String, f64)> = covid["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["dims"]["territory"].as_str().unwrap().to_string(),
                    r["value"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by_region,
            vec![
                ("MA-01".into(), 50.0),
                ("MA-04".into(), 9.0),
                ("MA-06".into(), 216.0),
                ("MA-07".into(), 7.0),
                ("MA-09".into(), 7.0),
                ("MA-11".into(), 296.0)
            ]
        );

        let enf = c
            .get(&get(
                "/api/v1/indicators/SNIA-P1-ENF/values?period=SY2019-2020&by=territory&format=csv",
            ))
            .await;
        assert!(
            enf.body.ends_with(",302\n"),
            "non-formal education 302: {}",
            enf.body
        );
        assert!(enf.body.starts_with("territory,value\n"));

        for (code, total, f, m) in [
            ("SNIA-P7-ANAPEC-INSCRITS", 680.0, 261.0, 419.0),
            ("SNIA-P7-ANAPEC-POSITIONNEMENT", 258.0, 99.0, 159.0),
            ("SNIA-P7-ANAPEC-ATELIERS", 189.0, 91.0, 98.0),
            ("SNIA-P7-ANAPEC-INSERES", 20.0, 6.0, 14.0),
        ] {
            let t = c
                .get(&format!(
                    "/api/v1/indicators/{code}/values?period=2020&by=sex"
                ))
                .await
                .json();
            assert_eq!(t["total"]["value"], total, "{code}");
            let v = |sex: &str| {
                t["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["dims"]["sex"] == sex)
                    .map(|r| r["value"].as_f64().unwrap())
            };
            assert_eq!((v("F"), v("M")), (Some(f), Some(m)), "{code}");
        }
        let avrr = c
            .get(&get(
                "/api/v1/indicators/SNIA-P8-AVRR-CUM/values?period=2020",
            ))
            .await
            .json();
        assert_eq!(avrr["total"]["value"], 13654.0);
        let mut years = 0.0;
        for y in 2005..=2020 {
            years += c
                .get(&format!(
                    "/api/v1/indicators/SNIA-P8-AVRR/values?period={y}"
                ))
                .await
                .json()["total"]["value"]
                .as_f64()
                .unwrap_or(0.0);
        }
        assert_eq!(years, 13654.0, "AVRR 2005–2020 year by year");
        let page = c
            .get("/indicators/SNIA-P8-AVRR?period=2020&by=sex")
            .await
            .body;
        let series = page.split("class=\"chart series\"").nth(1).unwrap_or("");
        assert_eq!(
            series.matches("<rect").count(),
            16,
            "a bar per year 2005–2020"
        );
        assert!(series.contains("2005: 254") && series.contains("2020: 796"));

        // A viewer reads but cannot report; a focal point reports for its own organisation only.
        let csrf = c.get("/account").await.csrf();
        let csv = "indicator,period,territory,organisation,value,sex\nSNIA-P7-CONTRATS-AIDES,2021,MA,ANAPEC,7,\n";
        let r = c
            .send(
                Request::post("/api/v1/data")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(csv))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["code"], "forbidden");
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        let csrf = focal.get("/account").await.csrf();
        let r = focal
            .send(
                Request::post("/api/v1/data")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(csv))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["imported"], 1);
        let after = focal
            .get("/api/v1/indicators/SNIA-P7-CONTRATS-AIDES/values?period=2021")
            .await
            .json();
        assert_eq!(after["total"]["value"], 7.0, "a new value shows at once");

        // Bad rows: every one listed with line, column and reason; nothing saved.
        let bad = "indicator,period,territory,organisation,value,sex\n\
                   SNIA-P7-ANAPEC-INSCRITS,2021,MA,ANAPEC,100,\n\
                   SNIA-NOPE,2021,MA,ANAPEC,1,\n\
                   SNIA-P7-ANAPEC-INSCRITS,2021Q7,Atlantis,ANAPEC,x,Z\n\
                   SNIA-P7-ANAPEC-INSCRITS,2021,MA,ANAPEC,150,F\n\
                   SNIA-P7-CONTRATS-AIDES,2021,MA,OIM,1,\n";
        let r = focal
            .send(
                Request::post("/api/v1/data")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(bad))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let json = r.json();
        let fields: Vec<String> = json["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["field"].as_str().unwrap(),
                    f["code"].as_str().unwrap()
                )
            })
            .collect();
        for expected in [
            "line 3, column indicator unknown_value",
            "line 4, column period format",
            "line 4, column territory unknown_territory",
            "line 4, column value format",
            "line 4, column sex unknown_value",
            "line 5, column value rule_violated",
            "line 6, column organisation forbidden",
        ] {
            assert!(
                fields.iter().any(|f| f == expected),
                "missing {expected:?} in {fields:#?}"
            );
        }
        assert!(
            focal
                .get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2021")
                .await
                .json()["total"]
                .is_null(),
            "nothing was saved"
        );
    }
}

#[tokio::test]
async fn the_reporting_workflow_on_both_engines() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let url = "/reporting/ANAPEC-EMPLOI/ANAPEC/2025";
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        assert_eq!(
            focal
                .get("/reporting/MEN-SCOLARISATION/MEN/SY2024-2025")
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{backend:?}: not its organisation"
        );
        let page = focal.get(url).await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "save"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:total", "12"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (
                StatusCode::SEE_OTHER,
                "/reporting/ANAPEC-EMPLOI/ANAPEC/2025?done=draft"
            )
        );
        let r = focal
            .post_form(url, &[("_csrf", &csrf), ("action", "approve")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a focal point does not approve"
        );
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "submit"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:total", "12"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:F", "abc"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"v:SNIA-P7-ANAPEC-INSCRITS:F-error\""),
            "the error is beside its cell"
        );
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "submit"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:total", "12"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:F", "5"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "save"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:total", "13"),
                ],
            )
            .await;
        assert!(
            r.body.contains("pas possible dans l&#39;état « Soumis »"),
            "no edits once submitted"
        );

        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let csrf_s = sec.get(url).await.csrf();
        let r = sec
            .post_form(
                url,
                &[("_csrf", &csrf_s), ("action", "return"), ("comment", " ")],
            )
            .await;
        assert!(
            r.body.contains("Commentaire") && r.body.contains("obligatoire"),
            "a return needs a comment"
        );
        let submitted = sec.get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2025&include_submitted=true").await.json();
        assert_eq!(
            submitted["total"]["value"], 12.0,
            "submitted values on request"
        );
        assert!(
            sec.get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2025")
                .await
                .json()["total"]
                .is_null()
        );
        assert_eq!(
            sec.post_form(url, &[("_csrf", &csrf_s), ("action", "approve")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            sec.get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2025")
                .await
                .json()["total"]["value"],
            12.0
        );
        assert_eq!(
            sec.post_form(url, &[("_csrf", &csrf_s), ("action", "lock")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let r = sec
            .post_form(url, &[("_csrf", &csrf_s), ("action", "unlock")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "only an administrator unlocks"
        );

        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "submit"),
                    ("v:SNIA-P7-ANAPEC-INSCRITS:total", "99"),
                ],
            )
            .await;
        assert!(
            r.body.contains("verrouillée (par Nadia Benjelloun"),
            "refused with who locked it"
        );

        let mut admin = Client::new(app.clone());
        admin.login("admin", PW).await;
        let csrf_a = admin.get(url).await.csrf();
        assert_eq!(
            admin
                .post_form(url, &[("_csrf", &csrf_a), ("action", "unlock")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert!(
            admin
                .get("/admin/audit")
                .await
                .body
                .contains("<code>unlock</code>"),
            "unlocking is audited"
        );
    }
}

#[tokio::test]
async fn a_figure_reported_under_two_programmes_is_flagged() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app);
        sec.login("secretariat", PW).await;
        assert!(
            sec.get("/reporting")
                .await
                .body
                .contains("Aucun chiffre validé n&#39;apparaît deux fois"),
            "{backend:?}"
        );
        let csrf = sec.get("/account").await.csrf();
        // The report's 1,225 psychosocial beneficiaries, under two programmes.
        let csv = "indicator,period,territory,organisation,value\nSNIA-P1-TAYSSIR,2020,MA,OIM,1225\nSNIA-P1-CARTABLES,2020,MA,OIM,1225\nSNIA-P1-NONSCO,2020,MA,OIM,7\nSNIA-P7-CONTRATS-AIDES,2020,MA,OIM,7\n";
        let r = sec
            .send(
                Request::post("/api/v1/data")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(csv))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = sec.get("/reporting").await.body;
        assert!(
            page.contains("1\u{202f}225")
                && page.contains("SNIA-P1-CARTABLES (OIM), SNIA-P1-TAYSSIR (OIM)"),
            "flagged"
        );
        assert!(
            !page.contains("SNIA-P7-CONTRATS-AIDES (OIM)"),
            "small numbers coincide too often to flag"
        );
    }
}

#[path = "http/directory.rs"]
mod directory;
