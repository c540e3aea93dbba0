//! The yearly report over HTTP on both engines: a focal point writes a programme's
//! narrative through the reporting workflow, the secretariat returns and approves it
//! (its planned measures become follow-up items), freezes the data and opens the
//! report, which cites its snapshot; an unknown snapshot is a clear error.

use super::*;

#[tokio::test]
async fn a_narrative_goes_through_the_workflow_into_a_frozen_report() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        let url = "/report/2020/narrative/P6/ANAPEC";
        let page = focal.get(url).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("Activités menées en 2020")
                && page.body.contains("Mesures prévues pour 2021")
        );
        let csrf = page.csrf();

        // Submitting without the activities is refused, and says which section.
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "submit"),
                    ("fr:challenges", "Peu de données."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Activités menées en 2020 — Ce champ est obligatoire")
                && r.body.contains("Peu de données."),
            "{}",
            r.body
        );

        let fields = [
            ("_csrf", csrf.as_str()),
            (
                "fr:activities",
                "L'ANAPEC a accompagné des migrants vers la formation.",
            ),
            ("ar:activities", "رافقت الوكالة المهاجرين نحو التكوين."),
            (
                "fr:planned",
                "Mesures :\n- Former les conseillers.\n- Ouvrir deux antennes.",
            ),
        ];
        let mut save = fields.to_vec();
        save.push(("action", "save"));
        let r = focal.post_form(url, &save).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.ends_with("?done=draft"));
        let mut submit = fields.to_vec();
        submit.push(("action", "submit"));
        let r = focal.post_form(url, &submit).await;
        assert!(r.location.ends_with("?done=submitted"), "{}", r.body);
        // A focal point cannot approve their own text.
        let r = focal
            .post_form(url, &[("_csrf", &csrf), ("action", "approve")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let page = sec.get(url).await;
        assert!(
            page.body.contains("L&#39;ANAPEC a accompagné")
                || page.body.contains("L'ANAPEC a accompagné"),
            "{}",
            page.body
        );
        let scsrf = page.csrf();
        let r = sec
            .post_form(
                url,
                &[("_csrf", &scsrf), ("action", "return"), ("comment", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = sec
            .post_form(
                url,
                &[
                    ("_csrf", &scsrf),
                    ("action", "return"),
                    ("comment", "Ajoutez les effectifs."),
                ],
            )
            .await;
        assert!(r.location.ends_with("?done=returned"));
        let page = focal.get(url).await;
        assert!(page.body.contains("Ajoutez les effectifs.") && page.body.contains("Renvoyé"));
        let r = focal.post_form(url, &submit).await;
        assert!(r.location.ends_with("?done=submitted"));
        let r = sec
            .post_form(
                url,
                &[("_csrf", &scsrf), ("action", "approve"), ("comment", "")],
            )
            .await;
        assert!(r.location.ends_with("?done=approved"));

        // Approved: each planned measure is an item to follow in the next report.
        let items = sec.get("/report/2020/followups").await;
        assert!(
            items.body.contains("Former les conseillers.")
                && items.body.contains("Ouvrir deux antennes.")
                && !items.body.contains("Mesures :"),
            "{}",
            items.body
        );

        // ... and an action in the governance tracker, owned by ANAPEC, due by the end
        // of 2021, under the committee that steers the programme (CP3).
        let actions: serde_json::Value = serde_json::from_str(
            &sec.get("/api/v1/governance/actions?owner=ANAPEC")
                .await
                .body,
        )
        .unwrap();
        let tracked: Vec<&serde_json::Value> = actions
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["origin"] == "planned_measure")
            .collect();
        assert_eq!(tracked.len(), 2, "{actions}");
        assert!(
            tracked
                .iter()
                .any(|a| a["title"] == "Former les conseillers."
                    && a["due_on"] == "2021-12-31"
                    && a["body"] == "CP3"),
            "{actions}"
        );

        // No snapshot yet: the report is a clear error naming what exists.
        let r = sec.get("/report/2020/html").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            r.body
                .contains("Cette version figée des données n&#39;existe pas")
                || r.body.contains("n'existe pas"),
            "{}",
            r.body
        );
        let overview = sec.get("/report/2020").await;
        let r = sec
            .post_form(
                "/report/2020/snapshot",
                &[("_csrf", &overview.csrf()), ("label", "rapport 2020")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let overview = sec.get("/report/2020").await;
        assert!(overview.body.contains("rapport 2020"));
        // A focal point may not freeze the data.
        let r = focal
            .post_form("/report/2020/snapshot", &[("_csrf", &csrf), ("label", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let report = sec.get("/report/2020/html").await;
        assert_eq!(report.status, StatusCode::OK);
        let b = &report.body;
        assert!(
            b.contains("3\u{202f}207") && b.contains("1\u{202f}606"),
            "pupils"
        );
        assert!(b.contains("L&#39;ANAPEC a accompagné") || b.contains("L'ANAPEC a accompagné"));
        assert!(
            b.contains("<svg") && b.contains("SHA-256") && b.contains("p1-education.csv:"),
            "chart, snapshot, sources"
        );
        // In Arabic: right to left, the Arabic text where given, the French marked where not.
        let csrf = sec.get("/account").await.csrf();
        sec.post_form("/lang", &[("_csrf", &csrf), ("lang", "ar"), ("next", "/")])
            .await;
        let ar = sec.get("/report/2020/html").await;
        assert!(
            ar.body.contains("dir=\"rtl\"")
                && ar.body.contains("رافقت الوكالة المهاجرين نحو التكوين.")
        );
        assert!(
            ar.body.contains("لم يُقدَّم النص العربي"),
            "French fallback marked"
        );
        let missing = sec.get("/report/2020/html?snapshot=999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            missing
                .body
                .contains("هذه النسخة المجمّدة من المعطيات غير موجودة")
                && missing.body.contains("999 →"),
            "{}",
            missing.body
        );
    }
}
