//! Governance over HTTP on both engines: the CP3 brief with programmes 6 and 7 and
//! their figures, typed errors for bad input, and who may record, see and update.

use super::*;

async fn send_json(c: &mut Client, method: &str, path: &str, body: serde_json::Value) -> Reply {
    let csrf = c.get("/account").await.csrf();
    c.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// The id of CP3's meeting held on a day, from the API.
async fn cp3_meeting(c: &mut Client, day: &str) -> i64 {
    let r = c.get("/api/v1/governance/bodies/CP3").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["planned_on"] == day)
        .and_then(|m| m["id"].as_i64())
        .expect("the meeting of the 2020 calendar")
}

#[tokio::test]
async fn the_cp3_brief_lists_programmes_6_and_7_actions_with_their_latest_figures() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;

        let r = sec
            .get("/api/v1/governance/bodies/CP3/brief?date=2020-11-13")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?} {}", r.body);
        let b = r.json();
        let programmes: Vec<&str> = b["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(programmes, vec!["P6", "P7"], "{backend:?}");
        let nodes = |i: usize| -> Vec<serde_json::Value> {
            b["programmes"][i]["actions"].as_array().unwrap().clone()
        };
        let codes = |i: usize| -> Vec<String> {
            nodes(i)
                .iter()
                .map(|a| a["code"].as_str().unwrap().to_string())
                .collect()
        };
        for a in ["6.1", "6.2", "6.3", "6.4"] {
            assert!(codes(0).contains(&a.to_string()), "{a}");
        }
        for a in ["7.1", "7.2", "7.3", "7.4", "7.5"] {
            assert!(codes(1).contains(&a.to_string()), "{a}");
        }
        // The ANAPEC funnel of 2020, from the engine (approved figures of the report).
        let osp12 = nodes(1).into_iter().find(|a| a["code"] == "OSP12").unwrap();
        let figure = |code: &str| {
            osp12["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["code"] == code)
                .map(|i| i["latest"]["value"].as_f64())
                .unwrap_or(None)
        };
        assert_eq!(figure("SNIA-P7-ANAPEC-INSCRITS"), Some(680.0));
        assert_eq!(figure("SNIA-P7-ANAPEC-POSITIONNEMENT"), Some(258.0));
        assert_eq!(figure("SNIA-P7-ANAPEC-INSERES"), Some(20.0));
        assert_eq!(osp12["status"], "in_progress");
        // Before the 2020 figures' period began there was nothing to show.
        let early = sec
            .get("/api/v1/governance/bodies/CP3/brief?date=2019-06-01")
            .await
            .json();
        let early12 = early["programmes"][1]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "OSP12")
            .unwrap()
            .clone();
        assert!(
            early12["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["latest"].is_null()),
            "{early12}"
        );
        // The data set ANAPEC reports on: 2019 never submitted, raised as an alert.
        assert!(
            b["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["kind"] == "submission_overdue"
                    && a["subject"] == "ANAPEC-EMPLOI/ANAPEC/2019"),
            "{}",
            b["alerts"]
        );

        // The printable page, in French then Arabic.
        let page = sec
            .get("/governance/bodies/CP3/brief?date=2020-11-13")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("SNIA-P7-ANAPEC-INSCRITS") && page.body.contains(">680 <"));
        assert!(
            page.body
                .contains("Alertes à remonter au comité de pilotage")
        );
        let csrf = page.csrf();
        sec.post_form("/lang", &[("_csrf", &csrf), ("lang", "ar"), ("next", "/")])
            .await;
        let ar = sec
            .get("/governance/bodies/CP3/brief?date=2020-11-13")
            .await;
        assert!(ar.body.contains("dir=\"rtl\"") && ar.body.contains("مذكرة التحضير"));
        assert!(ar.body.contains(">680 <"), "figures are the same in Arabic");

        // The body page: 3 meetings held in 2020 of 12 expected monthly.
        let body = sec.get("/api/v1/governance/bodies/CP3").await.json();
        let y2020 = &body["body"]["years"][0];
        assert_eq!(
            (
                y2020["year"].as_i64(),
                y2020["held"].as_i64(),
                y2020["expected"].as_i64()
            ),
            (Some(2020), Some(3), Some(12))
        );
    }
}

#[tokio::test]
async fn bad_governance_input_gets_typed_errors_and_changes_nothing() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;

        let r = sec.get("/api/v1/governance/bodies/CP9/brief").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["code"], "not_found");
        assert_eq!(
            sec.get("/governance/bodies/CP9").await.status,
            StatusCode::NOT_FOUND
        );
        let r = sec
            .get("/api/v1/governance/bodies/CP3/brief?date=2020-02-30")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["code"], "impossible_date");

        // A meeting cannot be held in the future: 422, the field named, nothing saved.
        let id = cp3_meeting(&mut sec, "2020-11-13").await;
        let r = send_json(
            &mut sec,
            "PUT",
            &format!("/api/v1/governance/meetings/{id}"),
            serde_json::json!({"planned_on": "2020-11-13", "status": "held", "held_on": "2099-01-01",
                               "attendance": {"ANAPEC": "present"}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "impossible_date");
        assert_eq!(r.json()["fields"][0]["field"], "held_on");
        let m = sec
            .get(&format!("/api/v1/governance/meetings/{id}"))
            .await
            .json();
        assert_eq!(m["held_on"], "2020-11-13", "nothing saved");
        assert!(
            m["attendance"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a[2].is_null())
        );
        // The same through the form: the page again, the error beside the field.
        let page = sec.get(&format!("/governance/meetings/{id}")).await;
        let r = sec
            .post_form(
                &format!("/governance/meetings/{id}"),
                &[
                    ("_csrf", &page.csrf()),
                    ("planned_on", "2020-11-13"),
                    ("status", "held"),
                    ("held_on", "2099-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"held_on-error\""), "{}", r.body);
        assert!(r.body.contains("value=\"2099-01-01\""), "the input is kept");

        // An action without an owner: the decision is refused too.
        let r = send_json(
            &mut sec,
            "POST",
            &format!("/api/v1/governance/meetings/{id}/decisions"),
            serde_json::json!({"decision": "Relancer les transmissions", "action": {"title": "Relancer", "owner": "", "due_on": "2020-12-31"}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "required");
        assert_eq!(r.json()["fields"][0]["field"], "owner");
        let r = send_json(
            &mut sec,
            "POST",
            &format!("/api/v1/governance/meetings/{id}/decisions"),
            serde_json::json!({"decision": "x", "action": {"title": "Relancer", "owner": "NOPE"}}),
        )
        .await;
        assert_eq!(r.json()["fields"][0]["code"], "unknown_organisation");
        let m = sec
            .get(&format!("/api/v1/governance/meetings/{id}"))
            .await
            .json();
        assert_eq!(
            m["decisions"].as_array().map(Vec::len),
            Some(1),
            "only the demo's"
        );
        // An unknown status in the tracker's filter.
        let r = sec.get("/api/v1/governance/actions?status=late").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["code"], "unknown_value");
    }
}

#[tokio::test]
async fn the_secretariat_records_members_see_and_only_the_owner_updates() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let id = cp3_meeting(&mut sec, "2020-10-06").await;
        let r = send_json(
            &mut sec,
            "PUT",
            &format!("/api/v1/governance/meetings/{id}"),
            serde_json::json!({"planned_on": "2020-10-06", "status": "held", "held_on": "2020-10-06",
                "place": "En ligne", "agenda": ["Point d'avancement P6 et P7"],
                "attendance": {"ANAPEC": "present", "OFPPT": "excused", "EN": "absent"}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["agenda"][0], "Point d'avancement P6 et P7");
        let r = send_json(
            &mut sec,
            "POST",
            &format!("/api/v1/governance/meetings/{id}/decisions"),
            serde_json::json!({"decision": "Préparer le point sur les contrats aidés",
                               "action": {"title": "Point sur les contrats aidés", "owner": "ANAPEC", "due_on": "2020-11-10"}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let action = r.json()["action"].as_i64().unwrap();

        // ANAPEC's focal point sits on CP3: sees it, cannot record, updates its action.
        let mut anapec = Client::new(app.clone());
        anapec.login("focal.anapec", PW).await;
        assert_eq!(
            anapec.get("/governance/bodies/CP3").await.status,
            StatusCode::OK
        );
        assert_eq!(
            anapec.get("/api/v1/governance/bodies/CIM").await.status,
            StatusCode::NOT_FOUND,
            "not a member of the interministerial commission"
        );
        let r = send_json(
            &mut anapec,
            "PUT",
            &format!("/api/v1/governance/meetings/{id}"),
            serde_json::json!({"planned_on": "2020-10-06", "status": "cancelled"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = send_json(
            &mut anapec,
            "POST",
            &format!("/api/v1/governance/actions/{action}"),
            serde_json::json!({"status": "in_progress", "note": "Données des agences de Rabat et Casablanca en cours de collecte"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let history = r.json()["history"].as_array().unwrap().clone();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1][0], "in_progress");
        assert_eq!(history[1][2], "Youssef El Amrani");

        // Entraide Nationale sits on CP3 too, but the action is not its own.
        let mut en = Client::new(app.clone());
        en.login("supervisor.en", PW).await;
        let r = send_json(
            &mut en,
            "POST",
            &format!("/api/v1/governance/actions/{action}"),
            serde_json::json!({"status": "done"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // A case worker of an organisation on no body sees no body and no action.
        let mut worker = Client::new(app.clone());
        worker.login("worker.anapec", PW).await;
        let r = worker.get("/api/v1/governance/actions").await.json();
        assert!(r.as_array().unwrap().iter().all(|a| a["owner"] == "ANAPEC"
            || a["body"] == "CP3"
            || a["body"] == "AMUDDU-CTOS"
            || a["body"] == "AMUDDU-COPIL"));

        // The brief of the next meeting shows the action in progress, overdue by then.
        let b = sec
            .get("/api/v1/governance/bodies/CP3/brief?date=2020-11-13")
            .await
            .json();
        let f = b["follow_ups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == action)
            .cloned()
            .unwrap();
        assert_eq!(f["status"], "in_progress");
        assert_eq!(f["overdue"], true);
        assert!(
            b["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["kind"] == "action_overdue"
                    && a["subject"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(action))
        );
        // The tracker filters by owner and overdue.
        let list = sec
            .get("/api/v1/governance/actions?owner=ANAPEC&status=in_progress&body=CP3")
            .await
            .json();
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        let none = sec
            .get("/api/v1/governance/actions?owner=OFPPT")
            .await
            .json();
        assert_eq!(none.as_array().map(Vec::len), Some(0));
    }
}
