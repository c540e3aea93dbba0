//! Dashboards over HTTP on both engines: a framework node's status and its
//! indicators' bands, moved at once by a newly approved value; an indicator pivoted by
//! region × sex, and its CSV.

use super::*;

async fn import(c: &mut Client, csv: &str) {
    let csrf = c.get("/account").await.csrf();
    let r = c
        .send(
            Request::post("/api/v1/data")
                .header("x-csrf-token", &csrf)
                .body(Body::from(csv.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_framework_dashboard_shows_statuses_and_moves_with_a_new_approved_value() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;

        // OI1-3: 185 enrolled in 2020-2021 against 250 from a baseline of 25 → 71 %.
        let page = sec.get("/frameworks/AMUDDU").await;
        assert_eq!(page.status, StatusCode::OK);
        let row = |body: &str, code: &str| {
            let at = body
                .find(&format!("<span class=\"code\" dir=\"ltr\">{code}</span>"))
                .unwrap();
            body[at..].split("</tr>").next().unwrap_or("").to_string()
        };
        let oi13 = row(&page.body, "OI1-3");
        assert!(
            oi13.contains("data-band=\"on_track\"") && oi13.contains("en bonne voie"),
            "{oi13}"
        );
        assert!(
            page.body.contains("class=\"status status-in_progress\""),
            "a node with a value below its target is in progress"
        );
        assert!(
            page.body.contains("svg") && page.body.contains("seg-"),
            "actions' statuses as a stacked bar"
        );
        assert!(page.body.contains("sans indicateur") || page.body.contains("non commencée"));

        // The next school year's figure reaches the target: the same page, at once.
        import(
            &mut sec,
            "indicator,period,territory,organisation,value\nOI1-3,SY2021-2022,MA,AMAPPE,260\n",
        )
        .await;
        let page = sec.get("/frameworks/AMUDDU").await;
        let oi13 = row(&page.body, "OI1-3");
        assert!(oi13.contains("260 — SY2021-2022"), "{oi13}");
        assert!(
            oi13.contains("data-band=\"achieved\"") && oi13.contains("cible atteinte"),
            "{oi13}"
        );

        // In Arabic too.
        let csrf = sec.get("/").await.csrf();
        sec.post_form("/lang", &[("_csrf", &csrf), ("lang", "ar"), ("next", "/")])
            .await;
        let ar = sec.get("/frameworks/AMUDDU").await;
        assert!(ar.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(row(&ar.body, "OI1-3").contains("الهدف محقق"));
        assert!(ar.body.contains("قيد الإنجاز"));
    }
}

#[tokio::test]
async fn an_indicator_pivots_by_region_and_sex_with_its_csv() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        import(
            &mut sec,
            "indicator,period,territory,organisation,value,sex\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,100,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,40,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,60,M\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,30,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,10,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,20,M\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,50,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,M\n",
        )
        .await;

        let page = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2022&by=territory,sex")
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("class=\"pivot\""), "{backend:?}");
        let rabat = page
            .body
            .split("Rabat-Salé-Kénitra</th>")
            .nth(1)
            .unwrap_or("");
        let rabat = rabat.split("</tr>").next().unwrap_or("");
        assert_eq!(
            rabat, "<td>10</td><td>20</td><td class=\"total\">30</td>",
            "{backend:?}"
        );
        // The form's two selects say the same as `by=territory,sex`.
        let same = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2022&by=territory&cols=sex")
            .await;
        assert!(same.body.contains(rabat));

        let csv = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS/pivot.csv?period=2022&territory=MA&by=territory,sex")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.body, "territory\\sex,F,M,total\nMA-04,10,20,30\nMA-06,25,25,50\ntotal,40,60,100\n",
            "{backend:?}"
        );
        // The same pivot as a workbook reads back as the same table, counts as numbers.
        let (status, kind, bytes) = sec
            .download(
                "/indicators/SNIA-P7-ANAPEC-INSCRITS/pivot.xlsx?period=2022&territory=MA&by=territory,sex",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        assert_eq!(
            passerelle_service::values::spreadsheet_to_csv(&bytes).unwrap(),
            csv.body,
            "{backend:?}"
        );
        let page = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2022&territory=MA&by=territory,sex")
            .await;
        assert!(
            page.body.contains("/pivot.xlsx?"),
            "the page offers the workbook"
        );

        // Bad input: one dimension twice, or an unknown one.
        let bad = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS/pivot.csv?period=2022&by=sex,sex")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let bad = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2022&by=territory,colour")
            .await;
        assert!(bad.body.contains("role=\"alert\""), "{}", bad.body);
    }
}

#[tokio::test]
async fn public_figures_withhold_small_counts_and_their_complements() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        import(
            &mut sec,
            "indicator,period,territory,organisation,value,sex\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,80,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,28,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA,ANAPEC,52,M\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,30,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,3,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-04,ANAPEC,27,M\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,50,\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,F\n\
             SNIA-P7-ANAPEC-INSCRITS,2022,MA-06,ANAPEC,25,M\n",
        )
        .await;
        let base = "/indicators/SNIA-P7-ANAPEC-INSCRITS/pivot.csv?period=2022&territory=MA&by=territory,sex";
        // Inside, every figure.
        let internal = sec.get(base).await;
        assert!(internal.body.contains("MA-04,3,27,30"), "{}", internal.body);
        // For the public: 3 is below 5; 27 would give it away from 30, and the F and
        // M columns' totals give away the Casablanca-Settat cells: all four withheld,
        // the margins stay.
        let public = sec.get(&format!("{base}&audience=public")).await;
        assert_eq!(
            public.body, "territory\\sex,F,M,total\nMA-04,x,x,30\nMA-06,x,x,50\ntotal,28,52,80\n",
            "{backend:?}"
        );

        // The values API: the small line and its complement are null and marked.
        let json = sec
            .get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2022&territory=MA-04&by=sex&audience=public")
            .await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        let rows = v["rows"].as_array().unwrap();
        assert!(
            rows.iter()
                .all(|r| r["value"].is_null() && r["withheld"] == true && r["share"].is_null()),
            "{rows:?}"
        );
        assert_eq!(v["total"]["value"], 30.0);
        let csv = sec
            .get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2022&territory=MA-04&by=sex&audience=public&format=csv")
            .await;
        assert_eq!(csv.body, "sex,value,note\nF,,withheld\nM,,withheld\n,30,\n");
        let hxl = sec
            .get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2022&territory=MA-04&by=sex&audience=partners&format=hxl")
            .await;
        assert!(
            !hxl.body.contains(",3,") && hxl.body.contains("withheld"),
            "{}",
            hxl.body
        );

        // The page marks them and explains the mark, in French and Arabic.
        let page = sec
            .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2022&by=territory,sex&audience=public")
            .await;
        assert!(page.body.contains("<td>×</td>") && page.body.contains("secret statistique"));
        assert!(
            page.body
                .contains("chiffre(s) masqué(s) : moins de 5 personnes"),
            "the engine's note in the reader's language: {}",
            page.body
        );
        assert!(!page.body.contains("<td>3</td>"));

        // An unknown audience is a field error, not a silent default.
        let bad = sec
            .get("/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2022&audience=everyone")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("audience"), "{}", bad.body);
    }
}

#[tokio::test]
async fn people_from_records_count_once_by_every_dimension() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        // One person received twice in 2023, by two Entraide Nationale centres, in a
        // province of Rabat-Salé-Kénitra and with no place (the person's own).
        let mut conn = store.conn().await.unwrap();
        let person: i64 = sqlx::query_scalar("select min(person_id) from person")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        sqlx::query("update person set birth_year = 2010, legal_status = 'refugee', territory_code = 'MA-RAB' where person_id = $1")
            .bind(person)
            .execute(&mut *conn)
            .await
            .unwrap();
        for (org, place) in [("EN-RABAT", Some("MA-SAL")), ("EN-CASA", None)] {
            sqlx::query(
                "insert into service_event (person_id, organisation_id, service_type, delivered_on, territory_code, recorded_by, recorded_at)
                 select $1, organisation_id, 'reception', '2023-05-02', $2, 1, '2026-01-01T00:00:00.000000Z' from organisation where code = $3",
            )
            .bind(person)
            .bind(place)
            .bind(org)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        // Written around the store's functions, so the engine's facts are derived again.
        passerelle_store::facts::rebuild(&mut conn).await.unwrap();
        drop(conn);
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        let get = |by: &str| format!("/api/v1/indicators/OI1-1/values?period=2023&by={by}");
        let by_org = sec.get(&get("organisation")).await.json();
        assert_eq!(by_org["total"]["value"], 1.0, "{backend:?} {by_org}");
        assert_eq!(
            by_org["rows"].as_array().unwrap().len(),
            2,
            "each centre counts the person"
        );
        for (by, dim, value) in [
            ("territory", "territory", "MA-04"),
            ("sex", "sex", ""),
            ("age", "age", "minor"),
            ("status", "status", "refugee"),
        ] {
            let t = sec.get(&get(by)).await.json();
            let rows = t["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 1, "{by}: {t}");
            assert_eq!(rows[0]["value"], 1.0, "{by}: once");
            if !value.is_empty() {
                assert_eq!(rows[0]["dims"][dim], value, "{by}");
            }
            assert!(
                t["notes"]
                    .to_string()
                    .contains("1 people counted from case records")
            );
        }
        // Within Rabat-Salé-Kénitra, by province: the service's place, else the person's.
        let rsk = sec
            .get("/api/v1/indicators/OI1-1/values?period=2023&territory=MA-04&by=territory")
            .await
            .json();
        let places: Vec<&str> = rsk["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["dims"]["territory"].as_str().unwrap())
            .collect();
        assert_eq!(places, vec!["MA-RAB", "MA-SAL"], "{rsk}");
        assert_eq!(rsk["total"]["value"], 1.0);
    }
}
