//! Exchange over HTTP on both engines: DHIS2 data value sets (JSON, CSV, ADX) round
//! trip between two installations through the mapping, refused files list every
//! conflict and write nothing, the analytics grid, the mapping's own import, the IATI
//! file valid against the official XSD, HXL and XLSX exports, and the exchange page
//! with its summary in Arabic.

use super::*;

impl Client {
    /// A raw call with the session cookie and its anti-forgery header.
    async fn call(&mut self, method: &str, path: &str, content_type: &str, body: &str) -> Reply {
        let csrf = self.get("/account").await.csrf();
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .header("x-csrf-token", csrf)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }
}

async fn signed_in(app: &Router, user: &str) -> Client {
    let mut c = Client::new(app.clone());
    assert_eq!(
        c.login(user, PW).await.status,
        StatusCode::SEE_OTHER,
        "{user}"
    );
    c
}

async fn count_values(store: &Store) -> i64 {
    let mut conn = store.conn().await.unwrap();
    sqlx::query_scalar::<_, i64>("select count(*) from data_value")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

const NEW_SET: &str = r#"{"dataSet": "ANAPEC_EMPLOI_MIG", "period": "2021Q1", "orgUnit": "MAR_R04",
  "attributeOptionCombo": "ANAPEC", "dataValues": [
    {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "default", "value": "50"},
    {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_F", "value": "20"},
    {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_M", "value": "30"},
    {"dataElement": "ANAPEC_MIG_INSERES", "value": "4", "comment": "dont 1 contrat aidé"}]}"#;

#[tokio::test]
async fn adx_and_json_round_trip_between_two_installations() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut focal = signed_in(&app, "focal.anapec").await;
        let r = focal
            .call("POST", "/api/dataValueSets", "application/json", NEW_SET)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let s = r.json();
        assert_eq!(s["status"], "SUCCESS");
        assert_eq!(s["importCount"]["imported"], 4);

        let adx = focal
            .get("/api/dataValueSets.adx?dataSet=ANAPEC_EMPLOI_MIG&period=2021Q1")
            .await;
        assert_eq!(adx.status, StatusCode::OK);
        assert!(
            adx.body.contains(r#"<adx xmlns="urn:ihe:qrph:adx:2015""#),
            "{}",
            adx.body
        );
        assert!(
            adx.body.contains(r#"period="2021-01-01/P3M""#),
            "{}",
            adx.body
        );
        assert!(adx.body.contains(r#"SEX="F" value="20""#), "{}", adx.body);
        let json_a = focal
            .get("/api/dataValueSets.json?dataSet=ANAPEC_EMPLOI_MIG&period=2021Q1")
            .await
            .json();
        assert_eq!(json_a["dataValues"].as_array().map(Vec::len), Some(4));

        // A second installation, of the same engine, receives the ADX file.
        let (app_b, store_b) = demo_app(backend).await;
        let before = count_values(&store_b).await;
        let mut sec = signed_in(&app_b, "secretariat").await;
        let r = sec
            .call(
                "POST",
                "/api/dataValueSets",
                "application/adx+xml",
                &adx.body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["importCount"]["imported"], 4);
        assert_eq!(count_values(&store_b).await, before + 4);
        let json_b = sec
            .get("/api/dataValueSets.json?dataSet=ANAPEC_EMPLOI_MIG&period=2021Q1")
            .await
            .json();
        assert_eq!(json_a, json_b, "{backend:?}");

        // And back as JSON: the same values, now updates.
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets.json",
                "application/json",
                &json_b.to_string(),
            )
            .await;
        assert_eq!(r.json()["importCount"]["updated"], 4, "{}", r.body);
        let csv = sec
            .get("/api/dataValueSets.csv?dataSet=ANAPEC_EMPLOI_MIG&period=2021Q1")
            .await;
        assert!(
            csv.body.starts_with(
                "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"
            ),
            "{}",
            csv.body
        );
        let r = sec
            .call("POST", "/api/dataValueSets.csv", "text/csv", &csv.body)
            .await;
        assert_eq!(r.json()["importCount"]["updated"], 4, "{}", r.body);
        drop(store);
    }
}

#[tokio::test]
async fn refused_files_list_every_conflict_and_write_nothing() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let before = count_values(&store).await;
        let mut focal = signed_in(&app, "focal.anapec").await;

        // Unmapped codes: one conflict each, with what was expected, nothing written.
        let bad = r#"{"period": "2021", "orgUnit": "MAR", "dataValues": [
            {"dataElement": "ANAPEC_MIG_INSCRITS", "value": "10"},
            {"dataElement": "HIV_TESTS", "value": "3"},
            {"dataElement": "ANAPEC_MIG_INSCRITS", "orgUnit": "DISTRICT_9", "categoryOptionCombo": "AGE_0_4", "value": "2"},
            {"dataElement": "ANAPEC_MIG_INSERES", "period": "2021W7", "value": "1"}]}"#;
        let r = focal
            .call("POST", "/api/dataValueSets", "application/json", bad)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}: {}", r.body);
        let s = r.json();
        assert_eq!(s["status"], "ERROR");
        assert_eq!(s["importCount"]["ignored"], 4);
        let found: Vec<(String, String)> = s["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["property"].as_str().unwrap().to_string(),
                    c["object"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("dataElement".into(), "HIV_TESTS".into()),
                ("orgUnit".into(), "DISTRICT_9".into()),
                ("categoryOptionCombo".into(), "AGE_0_4".into()),
                ("period".into(), "2021W7".into()),
            ]
        );
        assert!(
            s["conflicts"][0]["value"]
                .as_str()
                .unwrap()
                .contains("expected")
        );
        assert_eq!(count_values(&store).await, before);

        // Unless the caller asks to import what maps: the rest is ignored.
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets?importWhatMaps=true",
                "application/json",
                bad,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "WARNING");
        assert_eq!(r.json()["importCount"]["imported"], 1);
        assert_eq!(r.json()["importCount"]["ignored"], 3);
        assert_eq!(count_values(&store).await, before + 1);

        // The validation rules apply: a part above its total refuses the whole file.
        let rules = r#"{"period": "2022", "orgUnit": "MAR", "dataValues": [
            {"dataElement": "ANAPEC_MIG_INSCRITS", "value": "10"},
            {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_F", "value": "12"}]}"#;
        let r = focal
            .call("POST", "/api/dataValueSets", "application/json", rules)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(
            r.json()["conflicts"][0]["errorCode"],
            "rule_violated",
            "{}",
            r.body
        );
        assert_eq!(r.json()["conflicts"][0]["indexes"][0], 1);

        // A focal point reports for their own organisation only.
        let other = r#"{"period": "2022", "orgUnit": "MAR", "dataValues": [{"dataElement": "ANAPEC_MIG_INSCRITS", "value": "10"}]}"#;
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets?organisation=OFPPT",
                "application/json",
                other,
            )
            .await;
        assert_eq!(
            r.json()["conflicts"][0]["errorCode"],
            "forbidden",
            "{}",
            r.body
        );

        // Malformed JSON and XML: the line and column.
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets",
                "application/json",
                "{\n \"dataValues\": [\n  {\"dataElement\" 1}\n]}",
            )
            .await;
        let why = r.json()["conflicts"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(why.starts_with("line 3, column"), "{why}");
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets",
                "application/adx+xml",
                "<adx xmlns=\"urn:ihe:qrph:adx:2015\">\n<group orgUnit=\"MAR\" period=\"2020-01-01/P1Y\">\n<dataValue dataElement=\"X\" value=\"1\">\n</group></adx>",
            )
            .await;
        let why = r.json()["conflicts"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(why.starts_with("line 4"), "{why}");
        let r = focal
            .call(
                "POST",
                "/api/dataValueSets?idScheme=UID",
                "application/json",
                other,
            )
            .await;
        assert!(
            r.json()["conflicts"][0]["value"]
                .as_str()
                .unwrap()
                .contains("expected idScheme=CODE")
        );
        assert_eq!(count_values(&store).await, before + 1);
    }
}

#[tokio::test]
async fn the_analytics_grid_and_the_mapping() {
    for backend in testing::backends() {
        let (app, _store) = demo_app(backend).await;
        let mut viewer = signed_in(&app, "viewer.enabel").await;
        let grid = viewer
            .get("/api/analytics?dimension=dx:ANAPEC_MIG_INSCRITS;SNIA-P7-ANAPEC-INSERES&dimension=pe:2020&dimension=ou:MAR")
            .await
            .json();
        assert_eq!(
            grid["rows"],
            serde_json::json!([
                ["ANAPEC_MIG_INSCRITS", "2020", "MAR", "680"],
                ["SNIA-P7-ANAPEC-INSERES", "2020", "MAR", "20"]
            ])
        );
        assert_eq!(grid["metaData"]["items"]["MAR"]["name"], "Maroc");
        let r = viewer
            .get("/api/analytics?dimension=dx:NOPE&dimension=pe:2020")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // Only the secretariat replaces the mapping; all or nothing.
        let mapping = viewer.get("/api/v1/exchange/mapping").await;
        assert!(
            mapping.body.starts_with("kind,code,dhis2_code,note\n"),
            "{}",
            mapping.body
        );
        let r = viewer
            .call("PUT", "/api/v1/exchange/mapping", "text/csv", &mapping.body)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(viewer.get("/exchange").await.status, StatusCode::FORBIDDEN);
        let mut sec = signed_in(&app, "secretariat").await;
        let bad = "kind,code,dhis2_code\nindicator,NOPE,X\nterritory,MA-99,Y\ncolour,red,Z\ncombo,sex=F,SEX_F\ncombo,sex=M,SEX_F\n";
        let r = sec
            .call("PUT", "/api/v1/exchange/mapping", "text/csv", bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let places: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            places,
            vec!["line 4, column kind", "line 6, column dhis2_code"],
            "{}",
            r.body
        );
        let bad = "kind,code,dhis2_code\nindicator,NOPE,X\nterritory,MA-99,Y\n";
        let r = sec
            .call("PUT", "/api/v1/exchange/mapping", "text/csv", bad)
            .await;
        let places: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            places,
            vec!["line 2, column code", "line 3, column code"],
            "{}",
            r.body
        );
        assert_eq!(
            sec.get("/api/v1/exchange/mapping").await.body,
            mapping.body,
            "unchanged"
        );
        let r = sec
            .call("PUT", "/api/v1/exchange/mapping", "text/csv", &mapping.body)
            .await;
        assert_eq!(r.json()["rows"], 25, "{}", r.body);
    }
}

#[tokio::test]
async fn the_exchange_page_shows_the_summary_in_arabic() {
    let (app, store) = demo_app(Backend::Sqlite).await;
    let mut sec = signed_in(&app, "secretariat").await;
    sec.cookies.insert("passerelle_lang".into(), "ar".into());
    let page = sec.get("/exchange").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("جدول المطابقة"), "{}", page.body);
    let before = count_values(&store).await;
    let csrf = page.csrf();
    let csv = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\nANAPEC_MIG_ATELIERS,2021,MAR,default,ANAPEC,15\nANAPEC_MIG_ATELIERS,2021,ATLANTIS,default,ANAPEC,1\n";
    let r = sec
        .post_form(
            "/exchange/import",
            &[("_csrf", &csrf), ("format", ""), ("file", csv)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("لم يُستورد أي شيء"), "{}", r.body);
    assert!(r.body.contains("الوحدة التنظيمية"), "{}", r.body);
    assert!(r.body.contains("ATLANTIS"));
    assert_eq!(count_values(&store).await, before);
    let r = sec
        .post_form(
            "/exchange/import",
            &[
                ("_csrf", &csrf),
                ("format", "csv"),
                ("file", csv),
                ("import_what_maps", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("استيراد جزئي"), "{}", r.body);
    assert_eq!(count_values(&store).await, before + 1);
    sec.cookies.insert("passerelle_lang".into(), "fr".into());
    let r = sec
        .get("/exchange/export?format=adx&dataSet=ANAPEC_EMPLOI_MIG&period=2021")
        .await;
    assert!(
        r.body
            .contains(r#"dataElement="ANAPEC_MIG_ATELIERS" value="15""#),
        "{}",
        r.body
    );
    let r = sec
        .post_form(
            "/exchange/mapping",
            &[
                ("_csrf", &csrf),
                ("mapping", "kind,code,dhis2_code\nindicator,NOPE,X\n"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Ligne 2, colonne code"), "{}", r.body);
}

#[tokio::test]
async fn the_amuddu_iati_file_is_valid_and_follows_the_results_rules() {
    for backend in testing::backends() {
        let (app, _store) = demo_app(backend).await;
        let mut sec = signed_in(&app, "secretariat").await;
        // Actuals by sex for an AMUDDU indicator.
        let csv = "indicator,period,territory,organisation,value,sex\nOI1-3,SY2021-2022,MA,AMAPPE,120,\nOI1-3,SY2021-2022,MA,AMAPPE,50,F\nOI1-3,SY2021-2022,MA,AMAPPE,70,M\n";
        let r = sec.call("POST", "/api/v1/data", "text/csv", csv).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = sec.get("/api/v1/frameworks/amuddu/iati.xml").await;
        assert_eq!(r.status, StatusCode::OK);
        let xml = r.body;
        assert!(
            xml.contains("<iati-identifier>BE-BCE_KBO-0264814354-MOR1605211</iati-identifier>")
        );
        assert!(xml.contains(r#"<actual value="50">"#), "{xml}");
        assert!(xml.contains(r#"<dimension name="sex" value="F"/>"#));
        assert!(xml.contains(r#"<period-start iso-date="2021-09-01"/>"#));
        // A reference at result level, never at indicator level.
        for indicator in xml.split("<indicator ").skip(1) {
            let body = indicator.split("</indicator>").next().unwrap_or("");
            assert!(!body.contains("<reference"), "{body}");
        }
        // Periods start before they end.
        for period in xml.split("<period>").skip(1) {
            let date = |tag: &str| {
                period
                    .split(tag)
                    .nth(1)
                    .and_then(|s| s.get(11..21))
                    .unwrap_or("")
                    .to_string()
            };
            assert!(date("<period-start") < date("<period-end"), "{period}");
        }
        // The qualitative indicator carries no value.
        let qualitative = xml.split(r#"<indicator measure="5""#).nth(1).unwrap_or("");
        let qualitative = qualitative.split("</indicator>").next().unwrap_or("");
        assert!(!qualitative.contains("value="), "{qualitative}");

        let schema = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/schemas/iati-2.03/iati-activities-schema.xsd"
        );
        let file = std::env::temp_dir().join(format!(
            "passerelle-iati-{}-{backend:?}.xml",
            std::process::id()
        ));
        std::fs::write(&file, &xml).unwrap();
        match std::process::Command::new("xmllint")
            .args(["--noout", "--schema", schema])
            .arg(&file)
            .output()
        {
            Ok(out) => assert!(
                out.status.success(),
                "xmllint: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => {
                panic!("xmllint is needed (scripts/install-deps installs libxml2-utils): {e}")
            }
        }
        let _ = std::fs::remove_file(&file);
        assert_eq!(
            sec.get("/api/v1/frameworks/NOPE/iati.xml").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}

#[tokio::test]
async fn indicator_values_export_as_hxl_and_xlsx() {
    let (app, _store) = demo_app(Backend::Sqlite).await;
    let mut viewer = signed_in(&app, "viewer.enabel").await;
    let base = "/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2020&by=sex";
    let hxl = viewer.get(&format!("{base}&format=hxl")).await;
    let lines: Vec<&str> = hxl.body.lines().collect();
    assert_eq!(
        lines[0],
        "indicator,period,start,end,territory,sex,value,qualifier,share,unit"
    );
    assert_eq!(
        lines[1],
        "#indicator+code,#date+period,#date+start,#date+end,#country+code,#sex,#affected+num,#meta+qualifier,#affected+pct,#meta+unit"
    );
    assert_eq!(
        lines[2],
        "SNIA-P7-ANAPEC-INSCRITS,2020,2020-01-01,2020-12-31,MA,F,261,exact,38.38,persons"
    );
    let (status, kind, bytes) = viewer.download(&format!("{base}&format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let page = viewer
        .get("/indicators/SNIA-P7-ANAPEC-INSCRITS?period=2020")
        .await;
    assert!(
        page.body.contains("format=xlsx"),
        "the page offers the XLSX export"
    );
    assert!(page.body.contains("format=hxl"));
}
