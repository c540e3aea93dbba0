//! The directory, the public portal, the contact form and the intake queue over HTTP,
//! on SQLite and (when configured) PostgreSQL.

use super::{Client, PW, Reply, demo_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use passerelle_store::testing;

fn get_in(path: &str, lang: &str) -> Request<Body> {
    Request::get(path)
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::empty())
        .unwrap()
}

/// Posts a form as a visitor from `address` (the flood limit counts per address).
async fn post_from(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    address: &str,
    lang: &str,
) -> Reply {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", address)
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

/// The value of a hidden input on the page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).map(|i| i + marker.len()).expect(name);
    let end = page[start..]
        .find('"')
        .map(|e| start + e)
        .expect("closing quote");
    page[start..end].to_string()
}

/// The right answer to the form's question, from its token (`a-b-expiry-signature`).
fn answer(token: &str) -> String {
    let mut parts = token.split('-');
    let a: u32 = parts.next().and_then(|p| p.parse().ok()).expect("a");
    let b: u32 = parts.next().and_then(|p| p.parse().ok()).expect("b");
    (a + b).to_string()
}

/// A filled contact form for ANAPEC's registration service, seen from Rabat.
async fn contact_fields(c: &mut Client, lang: &str) -> Vec<(String, String)> {
    let page = c
        .send(get_in(
            "/portal/contact?service=SVC-ANAPEC-INSCRIPTION",
            lang,
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let token = hidden(&page.body, "challenge");
    vec![
        ("_csrf".into(), page.csrf()),
        ("challenge".into(), token.clone()),
        ("answer".into(), answer(&token)),
        ("service".into(), "SVC-ANAPEC-INSCRIPTION".into()),
        ("name".into(), "Awa".into()),
        ("contact".into(), "+212 6 12 34 56 78".into()),
        ("language".into(), "fr".into()),
        ("territory".into(), "MA-RAB".into()),
        ("category".into(), "employment".into()),
        ("message".into(), "Je cherche du travail.".into()),
        ("consent".into(), "yes".into()),
        ("website".into(), String::new()),
    ]
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    for (k, v) in changes {
        if !v.is_empty() || *k == "website" {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_portal_needs_no_login_and_speaks_three_languages() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        let home = c.send(get_in("/portal", "fr")).await;
        assert_eq!(home.status, StatusCode::OK, "{backend:?}");
        assert!(home.body.contains("Trouver de l&#39;aide au Maroc"));
        let found = c
            .send(get_in(
                "/portal/services?territory=MA-RAB&category=employment",
                "ar",
            ))
            .await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(found.body.contains("dir=\"rtl\""));
        assert!(
            found
                .body
                .contains("/portal/services/SVC-ANAPEC-INSCRIPTION")
        );
        assert!(found.body.contains("التسجيل كباحث عن عمل"));
        assert!(
            !found.body.contains("SVC-EN-ACCUEIL-ORIENTATION"),
            "only the category asked for"
        );
        // "Who can use it": ANAPEC is for regular migrants and refugees; school is for everyone.
        let irregular = c
            .send(get_in("/portal/services?status=irregular", "en"))
            .await
            .body;
        assert!(
            irregular.contains("SVC-MEN-SCOLARISATION") && irregular.contains("SVC-MS-URGENCES")
        );
        assert!(!irregular.contains("SVC-ANAPEC-INSCRIPTION"));
        for path in [
            "/portal/services/SVC-ANAPEC-INSCRIPTION",
            "/portal/locations/LOC-ANAPEC-RABAT",
            "/portal/rights",
            "/portal/rights/RIGHT-HEALTH",
            "/portal/contact",
        ] {
            for lang in ["fr", "ar", "en"] {
                let r = c.send(get_in(path, lang)).await;
                assert_eq!(r.status, StatusCode::OK, "{path} {lang}");
                assert!(
                    r.body.contains(&format!("lang=\"{lang}\"")),
                    "{path} {lang}"
                );
            }
        }
        let location = c
            .send(get_in("/portal/locations/LOC-ANAPEC-RABAT", "en"))
            .await
            .body;
        assert!(location.contains("Rabat") && location.contains("SVC-ANAPEC-PLACEMENT"));
        let map = c.send(get_in("/portal/map", "fr")).await.body;
        assert_eq!(map.matches("class=\"region level-").count(), 12);
        assert!(map.contains("/portal/services?territory=MA-04"));
        assert_eq!(
            c.send(get_in("/portal/services/SVC-NOTHING", "fr"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let api = c
            .get("/api/v1/directory/services?territory=MA-RAB&category=registration")
            .await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()[0]["code"], "SVC-ANAPEC-INSCRIPTION");
        assert_eq!(api.json()[0]["locations"][0], "LOC-ANAPEC-RABAT");
    }
}

#[tokio::test]
async fn the_contact_form_refuses_bad_input_beside_each_field_and_queues_a_good_request() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut c = Client::new(app.clone());
        let good = contact_fields(&mut c, "fr").await;

        // No consent and an unusable contact: the form again, each error beside its field.
        let bad = with(&good, &[("consent", ""), ("contact", "appelez-moi")]);
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&bad),
            "198.51.100.1",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(r.body.contains("id=\"consent-error\""));
        assert!(r.body.contains("Cochez cette case"));
        assert!(r.body.contains("id=\"contact-error\""));
        assert!(r.body.contains("Donnez un numéro de téléphone"));
        assert!(r.body.contains("value=\"Awa\""), "what was typed is kept");
        assert!(
            r.body.contains("href=\"#consent\""),
            "the summary links to the field"
        );

        // The same in Arabic.
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&bad),
            "198.51.100.2",
            "ar",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("ضع علامة في هذه الخانة"));
        assert!(r.body.contains("أدخل رقم هاتف"));

        // A wrong answer, and a forged question.
        let wrong = with(&good, &[("answer", "99")]);
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&wrong),
            "198.51.100.3",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"answer-error\""));
        let forged = with(
            &good,
            &[
                (
                    "challenge",
                    "1-1-99999999999-0123456789abcdef0123456789abcdef",
                ),
                ("answer", "2"),
            ],
        );
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&forged),
            "198.51.100.3",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"answer-error\""));

        // A filled honeypot is thanked and dropped.
        let robot = with(&good, &[("website", "http://spam.example")]);
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&robot),
            "198.51.100.4",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Demande envoyée") && !r.body.contains("transmise à"));

        // Without the anti-forgery token: refused.
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&with(&good, &[("_csrf", "x")])),
            "198.51.100.5",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A good request goes to the ANAPEC agency in Rabat.
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&good),
            "198.51.100.6",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("ANAPEC — agence de Rabat"));

        // ANAPEC Rabat's case worker sees it; Entraide Nationale's does not.
        let mut other = Client::new(app.clone());
        other.login("worker.en", PW).await;
        let q = other.get("/intake").await;
        assert_eq!(q.status, StatusCode::OK);
        assert!(!q.body.contains("Awa"));
        let mut worker = Client::new(app.clone());
        worker.login("worker.anapec", PW).await;
        let q = worker.get("/intake").await;
        assert_eq!(q.status, StatusCode::OK);
        assert!(q.body.contains("Awa") && q.body.contains("+212 6 12 34 56 78"));
        // The contact is sealed at rest: the database holds no phone number in clear.
        let mut conn = store.conn().await.unwrap();
        let stored: Vec<String> = sqlx::query_scalar("select contact from intake_request")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        assert!(
            stored
                .iter()
                .all(|c| c.starts_with("v1:") && !c.contains('+')),
            "{stored:?}"
        );
        assert_eq!(
            q.body.matches("class=\"card intake ").count(),
            1,
            "the honeypot request was not kept"
        );
        let api = worker.get("/api/v1/intake").await;
        let id = api.json()[0]["id"].as_i64().expect("an id");
        assert_eq!(api.json()[0]["status"], "new");
        assert_eq!(api.json()[0]["organisation"], "ANAPEC-RABAT");
        let csrf = q.csrf();
        let r = worker
            .post_form(&format!("/intake/{id}/take"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            worker.get("/api/v1/intake").await.json()[0]["status"],
            "taken"
        );
        // Taking it twice is refused; another organisation cannot touch it.
        let r = worker
            .post_form(&format!("/intake/{id}/take"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let other_csrf = other.get("/account").await.csrf();
        let r = other
            .post_form(&format!("/intake/{id}/close"), &[("_csrf", &other_csrf)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Administrators do not read the requests; the reads are in the audit trail.
        let mut admin = Client::new(app.clone());
        admin.login("admin", PW).await;
        assert_eq!(admin.get("/intake").await.status, StatusCode::FORBIDDEN);
        let audit = admin.get("/admin/audit").await.body;
        assert!(audit.contains("read_intake_queue") && audit.contains("take_intake"));
        assert!(
            !audit.contains("12 34 56 78"),
            "no personal data in the audit trail"
        );
    }
}

#[tokio::test]
async fn floods_from_one_address_are_throttled_politely() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut c = Client::new(app);
        let good = contact_fields(&mut c, "fr").await;
        let empty = with(&good, &[("name", ""), ("contact", "")]);
        for _ in 0..5 {
            let r = post_from(
                &mut c,
                "/portal/contact",
                &pairs(&empty),
                "203.0.113.7",
                "fr",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        }
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&good),
            "203.0.113.7",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Merci de patienter"));
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&good),
            "203.0.113.7",
            "en",
        )
        .await;
        assert!(r.body.contains("Please wait"));
        let r = post_from(
            &mut c,
            "/portal/contact",
            &pairs(&good),
            "203.0.113.8",
            "fr",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "another address is not held back");
    }
}

#[tokio::test]
async fn directory_imports_are_all_or_nothing_and_list_every_bad_row() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let csrf = sec.get("/account").await.csrf();
        let import = |csv: &'static str, table: &str, token: &str| {
            Request::post(format!("/api/v1/directory/import?table={table}"))
                .header("x-csrf-token", token)
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(csv))
                .unwrap()
        };
        let bad = "code,organization_code,category,name_fr,location_codes\n\
            SVC-NEW-A,ANAPEC,registration,Inscription,LOC-ANAPEC-RABAT\n\
            SVC-NEW-B,ANAPEC,astrology,Horoscope,\n\
            SVC-NEW-C,ANAPEC,registration,Ailleurs,LOC-ATLANTIS\n";
        let r = sec.send(import(bad, "services", &csrf)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {}",
            r.body
        );
        let fields: Vec<String> = r.json()["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| f["field"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            fields,
            vec![
                "services, line 3, column category",
                "services, line 4, column location_codes"
            ]
        );
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap_or("")
                .contains("2 problèmes")
        );
        assert_eq!(
            sec.get("/api/v1/directory/services/SVC-NEW-A").await.status,
            StatusCode::NOT_FOUND
        );
        let locations =
            "code,organization_code,name_fr,city,territory_code\nLOC-X,ANAPEC,X,X,MA-ZZZ\n";
        let r = sec.send(import(locations, "locations", &csrf)).await;
        assert_eq!(
            r.json()["fields"][0]["field"],
            "locations, line 2, column territory_code"
        );
        assert_eq!(r.json()["fields"][0]["code"], "unknown_territory");

        let good = "code,organization_code,category,name_fr,location_codes,eligibility_status\n\
            SVC-NEW-A,ANAPEC-RABAT,registration,Permanence emploi,LOC-ANAPEC-RABAT,regular|refugee\n";
        let r = sec.send(import(good, "services", &csrf)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["rows"], 1);
        let page = sec
            .get("/portal/services?territory=MA-RAB&q=permanence")
            .await
            .body;
        assert!(page.contains("SVC-NEW-A"));

        // Only the secretariat and administrators import.
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        let token = focal.get("/account").await.csrf();
        assert_eq!(
            focal.send(import(good, "services", &token)).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn organisations_propose_changes_the_secretariat_validates() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        let form = focal
            .get("/directory/services/SVC-ANAPEC-INSCRIPTION/edit")
            .await;
        assert_eq!(form.status, StatusCode::OK, "{backend:?}");
        let csrf = form.csrf();
        // A bad value comes back beside its field, nothing queued.
        let r = focal
            .post_form(
                "/directory/services/SVC-ANAPEC-INSCRIPTION/edit",
                &[("_csrf", &csrf), ("cost", "cheap")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"f-cost-error\""));
        let r = focal
            .post_form(
                "/directory/services/SVC-ANAPEC-INSCRIPTION/edit",
                &[
                    ("_csrf", &csrf),
                    ("hours", "ignored: not a service column"),
                    (
                        "how_to_access_fr",
                        "Se présenter à l'agence avec une pièce d'identité.",
                    ),
                    ("_note", "Nouvelle procédure 2026"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location, "/directory?done=pending");
        let public = focal
            .get("/portal/services/SVC-ANAPEC-INSCRIPTION")
            .await
            .body;
        assert!(
            !public.contains("Se présenter à l&#39;agence"),
            "not published before validation"
        );

        // Another organisation's record: refused.
        let r = focal
            .post_form(
                "/directory/services/SVC-EN-FORMATION/edit",
                &[("_csrf", &csrf), ("cost", "free")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let list = sec.get("/directory/changes").await;
        assert!(list.body.contains("Nouvelle procédure 2026"));
        let id = {
            let marker = "/directory/changes/";
            let start = list.body.find(marker).expect("a change") + marker.len();
            let end = list.body[start..].find('/').expect("id end") + start;
            list.body[start..end].to_string()
        };
        let token = list.csrf();
        let r = sec
            .post_form(
                &format!("/directory/changes/{id}/approve"),
                &[("_csrf", &token), ("comment", "OK")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let public = sec
            .get("/portal/services/SVC-ANAPEC-INSCRIPTION")
            .await
            .body;
        assert!(public.contains("Se présenter à l&#39;agence"));

        // A community agent proposes; the secretariat's own edit is published at once.
        let mut agent = Client::new(app.clone());
        agent.login("agent.amappe", PW).await;
        let t = agent.get("/account").await.csrf();
        let r = agent
            .post_form(
                "/directory/locations/LOC-CARITAS-RABAT/edit",
                &[("_csrf", &t), ("languages", "ar|fr|en")],
            )
            .await;
        assert_eq!(r.location, "/directory?done=pending");
        let r = sec
            .post_form(
                "/directory/rights/RIGHT-HEALTH/edit",
                &[("_csrf", &token), ("title_en", "Health care")],
            )
            .await;
        assert_eq!(r.location, "/directory?done=applied");
        assert!(sec.get("/portal/rights/RIGHT-HEALTH").await.body.len() > 100);
        let mut worker = Client::new(app.clone());
        worker.login("worker.en", PW).await;
        assert_eq!(
            worker
                .get("/directory/services/SVC-EN-FORMATION/edit")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn who_does_what_where_shows_gaps_overlaps_and_exports() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut viewer = Client::new(app.clone());
        viewer.login("viewer.enabel", PW).await;
        let page = viewer.get("/directory/4w").await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(page.body.contains("class=\"gap\""));
        assert!(
            page.body
                .contains("PRJ-OIM-FOO-ASSISTANCE, PRJ-UNICEF-APISF"),
            "two projects on action 5.2 in Tanger-Tétouan-Al Hoceïma"
        );
        let csv = viewer.get("/directory/4w.csv?region=MA-04").await;
        assert!(csv.body.starts_with("kind,organisation_code"));
        assert!(csv.body.contains("SVC-ANAPEC-INSCRIPTION") && !csv.body.contains(",MA-06,"));

        // HXL: a second header row of hashtags, read back into the same services and places.
        let hxl = viewer.get("/api/v1/directory/export?format=hxl").await;
        assert_eq!(hxl.status, StatusCode::OK);
        let mut reader = csv_reader(&hxl.body);
        let tags: Vec<String> = reader.next().expect("tag row");
        let col = |tag: &str| tags.iter().position(|t| t == tag).expect(tag);
        let (service, place, adm1) = (col("#service+code"), col("#loc+code"), col("#adm1+code"));
        let mut from_hxl: Vec<(String, String)> = Vec::new();
        let mut rabat_region = false;
        for row in reader {
            if !row[place].is_empty() {
                from_hxl.push((row[service].clone(), row[place].clone()));
            }
            rabat_region |= row[place] == "LOC-ANAPEC-RABAT" && row[adm1] == "MA-04";
        }
        assert!(rabat_region);
        let hsds = viewer
            .get("/api/v1/directory/export?format=hsds")
            .await
            .json();
        let mut from_hsds: Vec<(String, String)> = hsds["service_at_locations"]
            .as_array()
            .expect("links")
            .iter()
            .map(|l| {
                (
                    l["service_id"].as_str().unwrap_or("").to_string(),
                    l["location_id"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        from_hxl.sort();
        from_hsds.sort();
        assert_eq!(from_hxl, from_hsds);
        assert_eq!(hsds["organizations"].as_array().map(Vec::len), Some(64));
    }
}

/// Rows of a CSV, without its first (header) row.
fn csv_reader(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines().skip(1).map(|line| {
        let mut out = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            match (ch, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => out.push(std::mem::take(&mut cell)),
                (c, _) => cell.push(c),
            }
        }
        out.push(cell);
        out
    })
}
