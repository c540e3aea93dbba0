//! Assessment form versions over HTTP on both engines: the list with what each
//! version changes, a new version imported by an administrator, the definition read
//! in French and Arabic, and every kind of bad definition refused whole.

use super::*;
use serde_json::{Value, json};

async fn post_json(c: &mut Client, path: &str, body: &str) -> Reply {
    let csrf = c.get("/account").await.csrf();
    c.send(
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_new_form_version_is_imported_listed_with_its_changes_and_read() {
    let v1: Value = serde_json::from_str(include_str!(
        "../../../../data/forms/evaluation-orientation-suivi.json"
    ))
    .unwrap();
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut admin = Client::new(app.clone());
        admin.login("admin", PW).await;

        let list: Value = serde_json::from_str(&admin.get("/api/v1/forms").await.body).unwrap();
        assert_eq!(list[0]["code"], "EOS", "{list}");
        assert_eq!(
            (list[0]["version"].as_i64(), list[0]["latest"].as_bool()),
            (Some(1), Some(true))
        );
        assert!(list[0]["changes"].is_null());

        // Version 2 adds a question to the administrative section.
        let mut v2 = v1.clone();
        v2["version"] = json!(2);
        v2["sections"][0]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "code": "driving_licence", "kind": "yes_no", "required": false,
                "label": {"fr": "Permis de conduire", "ar": "رخصة السياقة", "en": "Driving licence"}
            }));
        let r = post_json(&mut admin, "/api/v1/forms", &v2.to_string()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?} {}", r.body);
        // The same content again is harmless; another content under number 2 is refused.
        let again = post_json(&mut admin, "/api/v1/forms", &v2.to_string()).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        let mut clash = v2.clone();
        clash["title"]["fr"] = json!("Autre");
        let r = post_json(&mut admin, "/api/v1/forms", &clash.to_string()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["fields"][0]["field"], "version");

        let list: Value = serde_json::from_str(&admin.get("/api/v1/forms").await.body).unwrap();
        assert_eq!(
            (list[0]["version"].as_i64(), list[0]["latest"].as_bool()),
            (Some(2), Some(true))
        );
        assert_eq!(
            list[0]["changes"]["added"],
            json!(["driving_licence"]),
            "{list}"
        );
        assert_eq!(list[1]["latest"], false);
        // New assessments use it.
        let form: Value =
            serde_json::from_str(&admin.get("/api/v1/assessment-form").await.body).unwrap();
        assert_eq!(form["version"], 2);

        // Bad definitions: broken JSON (its line), a choice without options and a
        // condition on a later field (both listed), nothing imported.
        let r = post_json(
            &mut admin,
            "/api/v1/forms",
            "{\n \"code\": \"X\",\n \"version\": }",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["field"], "line 3", "{}", r.body);
        let bad = json!({"code": "X", "version": 1, "title": {"fr": "X"}, "sections": [{"code": "s", "title": {"fr": "S"}, "fields": [
            {"code": "a", "kind": "select", "label": {"fr": "A"}},
            {"code": "b", "kind": "text", "label": {"fr": "B"}, "show_if": {"field": "c", "any_of": ["x"]}},
            {"code": "c", "kind": "text", "label": {"fr": "C"}}]}]});
        let r = post_json(&mut admin, "/api/v1/forms", &bad.to_string()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.json();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec!["a", "b"], "{}", r.body);
        let list: Value = serde_json::from_str(&admin.get("/api/v1/forms").await.body).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2, "nothing of X imported");

        // The pages: the list with the change, a version's definition, in Arabic too.
        let page = admin.get("/forms").await;
        assert!(
            page.body.contains("ajoutés : driving_licence"),
            "{}",
            page.body
        );
        let def = admin.get("/forms/EOS/2").await;
        assert_eq!(def.status, StatusCode::OK);
        assert!(def.body.contains("Permis de conduire") && def.body.contains("oui / non"));
        assert!(
            def.body.contains("sensible"),
            "the administrative section is sensitive"
        );
        let csrf = admin.get("/").await.csrf();
        admin
            .post_form("/lang", &[("_csrf", &csrf), ("lang", "ar"), ("next", "/")])
            .await;
        let ar = admin.get("/forms/EOS/2").await;
        assert!(ar.body.contains("dir=\"rtl\"") && ar.body.contains("رخصة السياقة"));
        // A pasted bad definition on the page: the problems beside the form, 422.
        let csrf = admin.get("/forms").await.csrf();
        let r = admin
            .post_form("/forms", &[("_csrf", &csrf), ("definition", "not json")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"form-issues\"") && r.body.contains("line 1"));

        // A case worker reads the versions but cannot import; a viewer sees nothing.
        let mut worker = Client::new(app.clone());
        worker.login("worker.en", PW).await;
        assert_eq!(worker.get("/forms/EOS/1").await.status, StatusCode::OK);
        let r = post_json(&mut worker, "/api/v1/forms", &v2.to_string()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(!worker.get("/forms").await.body.contains("form-definition"));
        let mut viewer = Client::new(app.clone());
        viewer.login("viewer.enabel", PW).await;
        assert_eq!(
            viewer.get("/api/v1/forms").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            admin.get("/forms/EOS/9").await.status,
            StatusCode::NOT_FOUND
        );
    }
}
