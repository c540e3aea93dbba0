//! Case work over HTTP on both engines: the Entraide Nationale → ANAPEC journey,
//! isolation for every role, audited reads, consent checks, edit conflicts, bad input,
//! and sensitive fields encrypted at rest.

use super::*;
use serde_json::{Value, json};

impl Client {
    /// A JSON call with the session cookie and its anti-forgery header.
    async fn api(&mut self, method: &str, path: &str, body: Value) -> Reply {
        let csrf = self.get("/account").await.csrf();
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }
}

async fn as_user(app: &Router, user: &str) -> Client {
    let mut c = Client::new(app.clone());
    assert_eq!(
        c.login(user, PW).await.status,
        StatusCode::SEE_OTHER,
        "{user}"
    );
    c
}

fn consents(scope: &str) -> Value {
    json!([{"purpose": "registration"}, {"purpose": "case_work"}, {"purpose": "referral", "scope": scope}])
}

async fn count(store: &Store, sql: &str) -> i64 {
    let mut conn = store.conn().await.unwrap();
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn entraide_nationale_refers_to_anapec_within_consent() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;

        // Search first: a transliterated spelling finds the demo's Mohamed Diallo.
        let found = en
            .api("POST", "/api/v1/people/search", json!({"given_name": "Muhammad", "family_name": "Dialo", "sex": "M", "birth_date": "1994"}))
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        let m = &found.json()["matches"][0];
        assert_eq!(m["person"]["family_name"], "Diallo", "{backend:?}");
        assert!(m["probability"].as_f64().unwrap() > 0.5);
        assert!(
            m["why"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w[0] == "given_name" && w[1] == "equivalent" || w[1] == "exact")
        );
        // In Arabic script too.
        let ar = en
            .api(
                "POST",
                "/api/v1/people/search",
                json!({"name_ar": "محمد ديالو", "sex": "M", "birth_date": "1995"}),
            )
            .await;
        assert_eq!(
            ar.json()["matches"][0]["person"]["family_name"],
            "Diallo",
            "{}",
            ar.body
        );

        // Registering the same person again is stopped with the match; confirming creates it and is recorded.
        let body = json!({"given_name": "Mouhamed", "family_name": "Diallo", "sex": "M", "birth_date": "1994", "nationality": "GN", "consents": consents("public_agency")});
        let dup = en.api("POST", "/api/v1/people", body.clone()).await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
        let existing = dup.json()["matches"]["matches"][0]["person"]["id"]
            .as_i64()
            .unwrap();
        let people_before = count(&store, "select count(*) from person").await;

        // A new person: Awa Konaté, with consent to referrals to public agencies only.
        let reg = en
            .api("POST", "/api/v1/people", json!({"given_name": "Awa", "family_name": "Konaté", "sex": "F", "birth_date": "1996-05-04", "nationality": "CI", "phones": "+212 699 11 22 33", "territory": "MA-RAB", "consents": consents("public_agency")}))
            .await;
        assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
        let awa = reg.json()["id"].as_i64().unwrap();
        assert_eq!(
            count(&store, "select count(*) from person").await,
            people_before + 1
        );
        let anyway = body
            .as_object()
            .unwrap()
            .clone()
            .into_iter()
            .chain([("not_the_same_as".to_string(), json!([existing]))])
            .collect::<serde_json::Map<_, _>>();
        let created = en
            .api("POST", "/api/v1/people", Value::Object(anyway))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

        let case = en
            .api("POST", &format!("/api/v1/people/{awa}/cases"), json!({}))
            .await;
        assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
        let case = case.json()["id"].as_i64().unwrap();

        // The assessment: a required answer missing is refused, field named; then saved.
        let bad = en
            .api(
                "PUT",
                &format!("/api/v1/cases/{case}/assessment"),
                json!({"answers": {"residence_permit": "valid"}, "version": 0}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.json()["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == "admin_support_needed")
        );
        let answers = json!({"residence_permit": "valid", "admin_support_needed": "no", "housing_situation": "shared", "income_source": "informal_work",
            "arabic_level": "basic", "french_level": "fluent", "school_level": "upper_secondary", "work_experience": "Couturière, 6 ans à Abidjan",
            "project_type": "salaried", "motivation_level": "high", "health_notes": "suivi prénatal", "vulnerabilities": "single_parent"});
        let ok = en
            .api(
                "PUT",
                &format!("/api/v1/cases/{case}/assessment"),
                json!({"answers": answers, "version": 0}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        // A second save from a stale version is refused with the stored values.
        let stale = en.api("PUT", &format!("/api/v1/cases/{case}/assessment"), json!({"answers": {"residence_permit": "expired", "admin_support_needed": "yes", "housing_situation": "shared", "income_source": "none", "arabic_level": "basic", "french_level": "fluent", "school_level": "primary", "work_experience": "x", "project_type": "training", "motivation_level": "low"}, "version": 0})).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(
            stale.json()["stored"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["field"] == "residence_permit" && s["value"] == "valid")
        );

        // Referral to an NGO is refused: the person consented to public agencies only.
        let ngo = en
            .api(
                "POST",
                &format!("/api/v1/cases/{case}/referrals"),
                json!({"organisation": "AMAPPE", "sections": ["professional_profile"]}),
            )
            .await;
        assert_eq!(ngo.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ngo.json()["code"], "consent_missing");
        assert_eq!(ngo.json()["consent"]["scope"], "ngo");
        // A service of the directory must be the receiving organisation's.
        let wrong = en
            .api(
                "POST",
                &format!("/api/v1/cases/{case}/referrals"),
                json!({"organisation": "ANAPEC-RABAT", "service": "SVC-MEN-SCOLARISATION"}),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong.json()["fields"][0]["field"], "service");
        let r = en
            .api("POST", &format!("/api/v1/cases/{case}/referrals"), json!({"organisation": "ANAPEC-RABAT", "service": "SVC-ANAPEC-POSITIONNEMENT", "sections": ["professional_profile"], "message": "Premier diagnostic fait"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let referral = r.json()["id"].as_i64().unwrap();

        // ANAPEC sees only the shared section: the professional profile, not health or housing.
        let mut anapec = as_user(&app, "worker.anapec").await;
        let seen = anapec.get(&format!("/api/v1/cases/{case}")).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        let v = seen.json();
        assert_eq!(v["full"], false);
        assert!(
            v["referrals"][0]["service_name"][0]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("positionnement"),
            "{v}"
        );
        assert_eq!(
            v["answers"]["work_experience"],
            "Couturière, 6 ans à Abidjan"
        );
        assert!(
            v["answers"].get("health_notes").is_none()
                && v["answers"].get("housing_situation").is_none(),
            "{v}"
        );
        assert!(
            v["steps"].as_array().unwrap().is_empty() && v["notes"].as_array().unwrap().is_empty()
        );
        let person = anapec.get(&format!("/api/v1/people/{awa}")).await.json();
        assert_eq!(person["full"], false);
        assert!(
            person["contact"]["phones"].as_array().unwrap().is_empty(),
            "no phone for the receiver"
        );

        for (action, extra, version) in [
            ("accept", json!({}), 1),
            (
                "service_given",
                json!({"service_type": "positioning_interview"}),
                2,
            ),
            (
                "service_given",
                json!({"service_type": "job_search_workshop"}),
                3,
            ),
            ("complete", json!({"text": "Inscrite, atelier suivi"}), 4),
        ] {
            let mut b = json!({"action": action, "version": version});
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let r = anapec
                .api("POST", &format!("/api/v1/referrals/{referral}"), b)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        }
        // A stale action is refused, not applied twice.
        let again = anapec
            .api(
                "POST",
                &format!("/api/v1/referrals/{referral}"),
                json!({"action": "complete", "text": "x", "version": 4}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // The sender sees the outcome; the services count once per person and type.
        let back = en.get(&format!("/api/v1/cases/{case}")).await.json();
        assert_eq!(back["referrals"][0]["status"], "completed");
        assert_eq!(back["referrals"][0]["outcome"], "Inscrite, atelier suivi");
        let types: Vec<&str> = back["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["service_type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            vec!["reception", "positioning_interview", "job_search_workshop"]
        );

        // The indicators count people from the records, once each, at once.
        let year = &back["opened_at"].as_str().unwrap()[0..4];
        let pos = en
            .get(&format!(
                "/api/v1/indicators/SNIA-P7-ANAPEC-POSITIONNEMENT/values?period={year}&by=sex"
            ))
            .await
            .json();
        assert_eq!(pos["total"]["value"], 1.0, "{pos}");
        assert_eq!(pos["rows"][0]["dims"]["sex"], "F");
        let received = en
            .get(&format!(
                "/api/v1/indicators/OI1-1/values?period={year}&by=territory"
            ))
            .await
            .json();
        assert_eq!(
            received["total"]["value"], 2.0,
            "Aminata (demo) and Awa, received at the Rabat centre: {received}"
        );
        assert_eq!(received["rows"][0]["dims"]["territory"], "MA-04");

        // Sensitive values are not in the database in clear.
        let mut conn = store.conn().await.unwrap();
        let enc: String =
            sqlx::query_scalar("select answers_enc from assessment where case_id = $1")
                .bind(case)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert!(enc.starts_with("v1:") && !enc.contains("Abidjan"));
        let contact: String =
            sqlx::query_scalar("select contact_enc from person where person_id = $1")
                .bind(awa)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert!(
            contact.starts_with("v1:") && !contact.contains("+212"),
            "hex ciphertext only"
        );
        drop(conn);

        // The secretariat sees numbers, not files.
        let mut sec = as_user(&app, "secretariat").await;
        let stats = sec.get("/api/v1/casework/statistics").await;
        assert_eq!(stats.status, StatusCode::OK);
        assert!(stats.body.contains("completed") && !stats.body.contains("Konat"));
        store.close().await;
    }
}

#[tokio::test]
async fn isolation_for_every_role_and_every_read_audited() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;
        let reg = en
            .api("POST", "/api/v1/people", json!({"given_name": "Ibrahima", "family_name": "Sow", "sex": "M", "birth_date": "1990", "consents": consents("any")}))
            .await;
        let person = reg.json()["id"].as_i64().unwrap();
        let case = en
            .api("POST", &format!("/api/v1/people/{person}/cases"), json!({}))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let page = en.get(&format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ibrahima"));

        // Who may read the case: the worker who opened it and their supervisor; nobody else.
        let expectations = [
            ("supervisor.en", StatusCode::OK),
            ("worker.anapec", StatusCode::NOT_FOUND),
            ("supervisor.anapec", StatusCode::NOT_FOUND),
            ("secretariat", StatusCode::NOT_FOUND),
            ("admin", StatusCode::NOT_FOUND),
            ("focal.anapec", StatusCode::NOT_FOUND),
            ("agent.amappe", StatusCode::NOT_FOUND),
            ("viewer.enabel", StatusCode::NOT_FOUND),
        ];
        for (user, want) in expectations {
            let mut c = as_user(&app, user).await;
            assert_eq!(
                c.get(&format!("/api/v1/cases/{case}")).await.status,
                want,
                "{user} case {backend:?}"
            );
            assert_eq!(
                c.get(&format!("/api/v1/people/{person}")).await.status,
                want,
                "{user} person {backend:?}"
            );
            assert_eq!(
                c.get(&format!("/cases/{case}")).await.status,
                want,
                "{user} page"
            );
        }
        // The demo's other case (Aminata, opened by the same worker) is not visible to ANAPEC either.
        let mut anapec = as_user(&app, "worker.anapec").await;
        assert_eq!(
            anapec.get("/api/v1/cases/1").await.status,
            StatusCode::NOT_FOUND
        );
        // Roles without case work cannot list or register.
        let mut viewer = as_user(&app, "viewer.enabel").await;
        assert_eq!(
            viewer.get("/api/v1/cases").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            viewer
                .api(
                    "POST",
                    "/api/v1/people",
                    json!({"given_name": "X", "sex": "F", "consents": consents("any")})
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            viewer.get("/api/v1/casework/statistics").await.status,
            StatusCode::FORBIDDEN
        );

        // The administrator exports who accessed the file: every read, refused ones included.
        let mut admin = as_user(&app, "admin").await;
        let log = admin.get(&format!("/people/{person}/access-log.csv")).await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(log.body.contains("Fatima Zahra Idrissi") && log.body.contains("Khadija Alaoui"));
        assert!(
            log.body.contains("read_refused") && log.body.contains("Omar Tazi"),
            "{}",
            log.body
        );
        let reads = log.body.lines().filter(|l| l.contains(",read,")).count();
        assert!(reads >= 4, "{}", log.body);
        assert_eq!(
            en.get(&format!("/people/{person}/access-log.csv"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_readers_at_once_each_have_their_audit_row_before_their_page() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let en = as_user(&app, "worker.en").await;
        let anapec = as_user(&app, "worker.anapec").await;
        let before = count(&store, "select count(*) from audit_log").await;
        // Forty readers of the demo's case at the same moment, and ten refused ones.
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (mut client, store) = (
                if i % 5 == 4 {
                    anapec.clone()
                } else {
                    en.clone()
                },
                store.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let page = client.get("/cases/1").await;
                // The page is out: its row must already be in the chain.
                let sql = format!(
                    "select count(*) from audit_log where operation_id = '{}' and entity = 'case' and entity_id = '1' and action = '{}'",
                    page.operation_id,
                    if page.status == StatusCode::OK { "read" } else { "read_refused" }
                );
                (page.status, count(&store, &sql).await)
            }));
        }
        let mut shown = 0;
        for t in tasks {
            let (status, rows) = t.await.unwrap();
            assert_eq!(rows, 1, "{status} {backend:?}");
            assert!(matches!(status, StatusCode::OK | StatusCode::NOT_FOUND));
            shown += usize::from(status == StatusCode::OK);
        }
        assert_eq!(shown, 40, "{backend:?}");
        assert_eq!(
            count(&store, "select count(*) from audit_log").await,
            before + 50
        );
        // The chain written in batches verifies end to end.
        let mut admin = as_user(&app, "admin").await;
        let verify = admin.get("/api/v1/audit/verify").await;
        assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
        assert!(verify.json()["rows"].as_i64().unwrap() >= before + 50);
        store.close().await;
    }
}

#[tokio::test]
async fn bad_input_and_concurrent_edits_save_nothing() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;
        let before = count(&store, "select count(*) from person").await;
        let csrf = en.get("/people/new").await.csrf();
        let r = en
            .post_form(
                "/people/new",
                &[
                    ("_csrf", &csrf),
                    ("action", "register"),
                    ("given_name", "Test"),
                    ("sex", "F"),
                    ("birth_date", "2031-02-30"),
                    ("nationality", "XX"),
                    ("phones", "06 12"),
                    ("consent", "registration"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in ["birth_date-error", "nationality-error", "phones-error"] {
            assert!(
                r.body.contains(&format!("id=\"{id}\"")),
                "{id} in {backend:?}"
            );
        }
        assert!(r.body.contains("value=\"Test\""), "what was typed is kept");
        // Without the registration consent: refused, naming it.
        let r = en
            .post_form(
                "/people/new",
                &[
                    ("_csrf", &csrf),
                    ("action", "register"),
                    ("given_name", "Test"),
                    ("family_name", "Sans Consentement"),
                    ("sex", "F"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Consentement manquant"));
        assert_eq!(count(&store, "select count(*) from person").await, before);

        // Two people edit the same identity: the second save is refused with what changed.
        let reg = en.api("POST", "/api/v1/people", json!({"given_name": "Kadiatou", "family_name": "Bah", "sex": "F", "birth_date": "2001", "consents": consents("any")})).await;
        let id = reg.json()["id"].as_i64().unwrap();
        let mut sup = as_user(&app, "supervisor.en").await;
        let form_a = en.get(&format!("/people/{id}/edit")).await;
        let form_b = sup.get(&format!("/people/{id}/edit")).await;
        assert!(
            form_a.body.contains("name=\"version\" value=\"1\"")
                && form_b.body.contains("name=\"version\" value=\"1\"")
        );
        let save = |given: &'static str| {
            vec![
                ("given_name", given),
                ("family_name", "Bah"),
                ("sex", "F"),
                ("birth_date", "2001"),
                ("version", "1"),
            ]
        };
        let mut a = save("Kadiatou Binta");
        let ca = form_a.csrf();
        a.push(("_csrf", &ca));
        assert_eq!(
            en.post_form(&format!("/people/{id}/edit"), &a).await.status,
            StatusCode::SEE_OTHER
        );
        let mut b = save("Kadi");
        let cb = form_b.csrf();
        b.push(("_csrf", &cb));
        let r = sup.post_form(&format!("/people/{id}/edit"), &b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(
            r.body.contains("Kadiatou Binta") && r.body.contains("value=\"Kadi\""),
            "both the stored and the typed value are shown"
        );
        let file = en.get(&format!("/api/v1/people/{id}")).await.json();
        assert_eq!(file["summary"]["given_name"], "Kadiatou Binta");

        // A referral without consent to referrals: refused; withdrawing consent revokes open referrals.
        let case = en
            .api("POST", &format!("/api/v1/people/{id}/cases"), json!({}))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let r = en
            .api(
                "POST",
                &format!("/api/v1/cases/{case}/referrals"),
                json!({"organisation": "ANAPEC-RABAT"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let consent_id = en.get(&format!("/api/v1/people/{id}")).await.json()["consents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["purpose"] == "referral")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let page = en.get(&format!("/people/{id}")).await;
        let r = en
            .post_form(
                &format!("/people/{id}"),
                &[
                    ("_csrf", &page.csrf()),
                    ("action", "withdraw"),
                    ("consent_id", &consent_id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let v = en.get(&format!("/api/v1/cases/{case}")).await.json();
        assert_eq!(v["referrals"][0]["status"], "revoked");
        let r = en
            .api(
                "POST",
                &format!("/api/v1/cases/{case}/referrals"),
                json!({"organisation": "ANAPEC-RABAT"}),
            )
            .await;
        assert_eq!(r.json()["code"], "consent_missing");
        store.close().await;
    }
}

#[tokio::test]
async fn a_portal_request_becomes_a_registered_person_and_a_case() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut conn = store.conn().await.unwrap();
        let org: i64 =
            sqlx::query_scalar("select organisation_id from organisation where code = 'EN-RABAT'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        let intake: i64 = sqlx::query_scalar(
            "insert into intake_request (created_at, organisation_id, territory_code, locale, name, contact, preferred_language, consent_at, status)
             values ('2026-11-01T10:00:00.000000Z', $1, 'MA-RAB', 'ar', 'Mariam Coulibaly', '+212 677 88 99 00', 'fr', '2026-11-01T10:00:00.000000Z', 'new') returning intake_id",
        )
        .bind(org)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let mut en = as_user(&app, "worker.en").await;
        let queue = en.get("/intake").await;
        assert!(
            queue.body.contains(&format!("/people/new?intake={intake}")),
            "{backend:?}"
        );
        let form = en.get(&format!("/people/new?intake={intake}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("value=\"Mariam Coulibaly\"")
                && form.body.contains("value=\"+212 677 88 99 00\"")
        );
        let r = en
            .post_form(
                "/people/new",
                &[
                    ("_csrf", &form.csrf()),
                    ("action", "register"),
                    ("intake", &intake.to_string()),
                    ("given_name", "Mariam"),
                    ("family_name", "Coulibaly"),
                    ("sex", "F"),
                    ("birth_date", "1999"),
                    ("phones", "+212 677 88 99 00"),
                    ("consent", "registration"),
                    ("consent", "case_work"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.contains(&format!("intake={intake}")));
        let person = en.get(&r.location).await;
        assert!(
            person
                .body
                .contains(&format!("name=\"intake\" value=\"{intake}\""))
        );
        let id = r
            .location
            .split('/')
            .nth(2)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let opened = en
            .post_form(
                &format!("/people/{id}"),
                &[
                    ("_csrf", &person.csrf()),
                    ("action", "open_case"),
                    ("intake", &intake.to_string()),
                ],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER);
        let queue = en.get("/intake").await;
        assert!(
            queue.body.contains("EN-RABAT-"),
            "the request shows its case reference"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn a_person_registered_by_two_organisations_counts_once() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;
        let mut anapec = as_user(&app, "worker.anapec").await;
        let mut cases = Vec::new();
        for (c, given, family, phone) in [
            (&mut en, "Awa", "Konaté", "+212 699 11 22 33"),
            (&mut anapec, "Aoua", "Konate", "0699112233"),
        ] {
            let r = c
                .api("POST", "/api/v1/people", json!({"given_name": given, "family_name": family, "sex": "F", "birth_date": "1996-05-04", "nationality": "CI", "phones": phone, "territory": "MA-RAB", "consents": consents("any")}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            let case = c
                .api("POST", &format!("/api/v1/people/{id}/cases"), json!({}))
                .await
                .json()["id"]
                .as_i64()
                .unwrap();
            let page = c.get(&format!("/cases/{case}")).await;
            let r = c
                .post_form(
                    &format!("/cases/{case}"),
                    &[
                        ("_csrf", &page.csrf()),
                        ("action", "service"),
                        ("service_type", "training_enrolment"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            cases.push(case);
        }
        // Also a likely duplicate inside one organisation, created anyway.
        let dup = en.api("POST", "/api/v1/people", json!({"given_name": "Mouhamed", "family_name": "Diallo", "sex": "M", "birth_date": "1994", "nationality": "GN", "phones": "0612345678", "consents": consents("any")})).await;
        let existing = dup.json()["matches"]["matches"][0]["person"]["id"]
            .as_i64()
            .unwrap();
        let r = en.api("POST", "/api/v1/people", json!({"given_name": "Mouhamed", "family_name": "Diallo", "sex": "M", "birth_date": "1994", "nationality": "GN", "phones": "0612345678", "consents": consents("any"), "not_the_same_as": [existing]})).await;
        assert_eq!(r.status, StatusCode::CREATED);

        let year = &en.get(&format!("/api/v1/cases/{}", cases[0])).await.json()["opened_at"]
            .as_str()
            .unwrap()[0..4]
            .to_string();
        let count = |v: Value| v["total"]["value"].as_f64().unwrap_or(0.0);
        let before = count(
            en.get(&format!("/api/v1/indicators/OI1-3/values?period={year}"))
                .await
                .json(),
        );
        assert_eq!(before, 2.0, "{backend:?}");

        // The secretariat links the registries: counts only, no names.
        let mut sec = as_user(&app, "secretariat").await;
        let page = sec.get("/casework/statistics").await;
        let linked = sec
            .post_form("/casework/statistics", &[("_csrf", &page.csrf())])
            .await;
        assert_eq!(linked.status, StatusCode::OK);
        assert!(linked.body.contains("id=\"link-result\"") && !linked.body.contains("Konat"));
        let after = count(
            en.get(&format!("/api/v1/indicators/OI1-3/values?period={year}"))
                .await
                .json(),
        );
        assert_eq!(
            after, 1.0,
            "Awa counted once across EN and ANAPEC ({backend:?})"
        );

        // The supervisor reviews the pair inside the organisation; ruling it out is undone by a split.
        let mut sup = as_user(&app, "supervisor.en").await;
        let queue = sup.get("/cases/duplicates").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(
            queue.body.contains("Mouhamed") && queue.body.contains("data-status=\"linked\""),
            "{}",
            queue.body
        );
        assert!(
            !queue.body.contains("Aoua"),
            "another organisation's registration is not shown"
        );
        let pair = queue
            .body
            .split("name=\"pair\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = sup
            .post_form(
                "/cases/duplicates",
                &[
                    ("_csrf", &queue.csrf()),
                    ("pair", &pair),
                    ("decision", "distinct"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let queue = sup.get("/cases/duplicates").await;
        assert!(queue.body.contains("data-status=\"distinct\""));
        assert_eq!(
            en.get("/cases/duplicates").await.status,
            StatusCode::FORBIDDEN,
            "a case worker does not review"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn trainings_with_test_scores_give_the_knowledge_gain_indicators() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;
        let training = |topic: &str,
                        on: &str,
                        territory: &str,
                        women: u32,
                        men: u32,
                        entry: f64,
                        exit: f64,
                        node: &str| {
            json!({"kind": "professional_training", "topic": topic, "held_on": on, "territory": territory,
                   "women": women, "men": men, "score_entry": entry, "score_exit": exit, "framework_node": node})
        };
        // Two groups of Entraide Nationale's social workers and trainers (outcome 1),
        // weighted by their participants: (10 × 80 + 30 × 90) / 40 = 87.5.
        for body in [
            training(
                "Accueil des migrants",
                "2025-03-10",
                "MA-04",
                6,
                4,
                40.0,
                80.0,
                "OI1-2",
            ),
            training(
                "Maîtres d'apprentissage",
                "2025-06-02",
                "MA-06",
                20,
                10,
                50.0,
                90.0,
                "A01 05",
            ),
        ] {
            let r = en.api("POST", "/api/v1/activities", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        // ANAPEC's advisers (outcome 2) do not count for OI1-2.
        let mut anapec = as_user(&app, "worker.anapec").await;
        let r = anapec
            .api(
                "POST",
                "/api/v1/activities",
                training(
                    "Conseillers emploi",
                    "2025-04-01",
                    "MA-04",
                    5,
                    5,
                    30.0,
                    70.0,
                    "A02 01",
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        let mut sec = as_user(&app, "secretariat").await;
        let v = sec
            .get("/api/v1/indicators/OI1-2/values?period=2025&by=territory")
            .await;
        assert_eq!(v.status, StatusCode::OK, "{}", v.body);
        let v = v.json();
        assert_eq!(v["total"]["value"], 87.5, "{backend:?} {v}");
        let rows = v["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{v}");
        assert_eq!(
            (
                rows[0]["dims"]["territory"].as_str(),
                rows[0]["value"].as_f64()
            ),
            (Some("MA-04"), Some(80.0))
        );
        assert!(
            v["notes"][0]
                .as_str()
                .unwrap()
                .contains("mean entry score 47.5 %, exit 87.5 % (+40.0 points)"),
            "{v}"
        );
        let oi22 = sec
            .get("/api/v1/indicators/OI2-2/values?period=2025")
            .await
            .json();
        assert_eq!(oi22["total"]["value"], 70.0, "{oi22}");
        let page = sec.get("/indicators/OI1-2?period=2025").await;
        assert!(
            page.body
                .contains("score moyen d&#39;entrée 47.5 %, de sortie 87.5 % (+40.0 points)"),
            "{}",
            page.body
        );
        // Another year has no scored training: nothing to show.
        let none = sec
            .get("/api/v1/indicators/OI1-2/values?period=2024")
            .await
            .json();
        assert!(none["total"].is_null(), "{none}");
        // The activities list shows the gain.
        let list = en.get("/api/v1/activities").await.json();
        assert!(
            list.as_array().unwrap().iter().any(|a| a["gain"] == 40.0),
            "{list}"
        );

        // Bad input: an exit score without an entry score, a score over 100, a date to come.
        let r = en
            .api("POST", "/api/v1/activities", json!({"kind": "professional_training", "topic": "x", "held_on": "2025-01-01", "women": 1, "men": 0, "score_exit": 70.0}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["fields"][0]["field"], "score_entry");
        let r = en
            .api("POST", "/api/v1/activities", json!({"kind": "professional_training", "topic": "x", "held_on": "2099-01-01", "women": 1, "men": 0, "score_entry": 20.0, "score_exit": 120.0}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert!(
            fields.contains(&"held_on".to_string()) && fields.contains(&"score_exit".to_string()),
            "{fields:?}"
        );
    }
}

/// The case page keeps the organisations and directory services in memory (and their
/// option lists as HTML) until their stamp moves: an organisation added through the
/// API, or renamed by another server writing to the same database, shows on the
/// next page.
#[tokio::test]
async fn the_case_page_lists_organisations_as_the_database_has_them() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut en = as_user(&app, "worker.en").await;
        let page = en.get("/cases/1").await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(
            page.body.contains(r#"<option value="ANAPEC">"#),
            "{backend:?}"
        );
        assert!(!page.body.contains("AMDH-OUJDA"));

        let mut admin = as_user(&app, "admin").await;
        let made = admin
            .api(
                "POST",
                "/api/v1/organisations",
                json!({"code": "AMDH-OUJDA", "kind": "ngo", "name_fr": "Association des droits, Oujda"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let page = en.get("/cases/1").await;
        let option = r#"<option value="AMDH-OUJDA">Association des droits, Oujda</option>"#;
        assert_eq!(
            page.body.matches(option).count(),
            2,
            "{backend:?}: in the referral and the transfer forms"
        );

        // Another server renames it, writing straight to the database.
        let mut conn = store.conn().await.unwrap();
        sqlx::query(
            "update organisation set name_fr = 'Association marocaine des droits humains, Oujda', updated_at = $1 where code = 'AMDH-OUJDA'",
        )
        .bind(passerelle_store::now())
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let page = en.get("/cases/1").await;
        assert!(
            page.body
                .contains("Association marocaine des droits humains, Oujda"),
            "{backend:?}"
        );
        assert!(!page.body.contains("Association des droits, Oujda"));
    }
}
