//! Dimensions and validation rules as data, over HTTP on both engines: fine age bands
//! folded into minor/adult through the registry's crosswalk (a straddling band left
//! out and said so), overlapping categories never summed, a data set's own rules
//! (percentage recomputed, range, required) named with their cells in French.

use super::*;

async fn post(c: &mut Client, path: &str, body: String) -> Reply {
    let csrf = c.get("/account").await.csrf();
    c.send(
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", &csrf)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A small framework whose indicators have the dimensions this file exercises.
async fn framework(c: &mut Client) {
    let def = serde_json::json!({
        "code": "DIMS", "title": {"fr": "Dimensions"},
        "levels": [{"code": "action", "title": {"fr": "Action"}}],
        "nodes": [{"code": "A1", "level": "action", "title": {"fr": "Protection"}}],
        "indicators": [
            {"code": "DIMS-REFUGIES", "node": "A1", "title": {"fr": "Réfugiés reconnus"},
             "kind": "count", "unit": "persons", "dimensions": ["group", "age", "sex"]},
            {"code": "DIMS-FILLES-PCT", "node": "A1", "title": {"fr": "Part des filles"},
             "kind": "percentage", "unit": "percent", "dimensions": []}]
    });
    let r = post(c, "/api/v1/frameworks", def.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn fine_age_bands_fold_into_minor_and_adult_through_the_crosswalk() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        framework(&mut sec).await;
        // One partner reports minor/adult, another the registry's fine bands (one
        // of them «environ»), a third its own band across the 18-year boundary.
        let csv = "indicator,period,territory,organisation,value,qualifier,age\n\
                   DIMS-REFUGIES,2021,MA,PMP,100,,\n\
                   DIMS-REFUGIES,2021,MA,PMP,30,,Mineurs\n\
                   DIMS-REFUGIES,2021,MA,PMP,50,,adult\n\
                   DIMS-REFUGIES,2021,MA,OIM,5,,0-14\n\
                   DIMS-REFUGIES,2021,MA,OIM,3,,15-17\n\
                   DIMS-REFUGIES,2021,MA,OIM,7,about,18-24\n\
                   DIMS-REFUGIES,2021,MA,OIM,12,,25-59\n\
                   DIMS-REFUGIES,2021,MA,MS,4,,15-24\n";
        let r = post(&mut sec, "/api/v1/data", csv.to_string()).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);

        let t = sec
            .get("/api/v1/indicators/DIMS-REFUGIES/values?period=2021&by=age")
            .await
            .json();
        let rows = t["rows"].as_array().unwrap();
        let line = |age: &str| rows.iter().find(|r| r["dims"]["age"] == age).cloned();
        assert_eq!(rows.len(), 2, "{backend:?}: only the coarse lines: {t:#}");
        let minor = line("minor").unwrap();
        assert_eq!(
            (minor["value"].as_f64(), minor["qualifier"].as_str()),
            (Some(38.0), Some("exact"))
        );
        let adult = line("adult").unwrap();
        assert_eq!(
            (adult["value"].as_f64(), adult["qualifier"].as_str()),
            (Some(69.0), Some("about")),
            "the loosest qualifier of the cells folded"
        );
        let notes = t["notes"].to_string();
        assert!(
            notes.contains("0-14 → minor") && notes.contains("through the crosswalk"),
            "{notes}"
        );
        assert!(notes.contains("15-24 straddle"), "{notes}");

        // Only fine bands reported: as they are, or folded when the coarse set is asked.
        let csv = "indicator,period,territory,organisation,value,age\n\
                   DIMS-REFUGIES,2022,MA,OIM,5,0-14\n\
                   DIMS-REFUGIES,2022,MA,OIM,3,15-17\n\
                   DIMS-REFUGIES,2022,MA,OIM,9,60+\n";
        assert_eq!(
            post(&mut sec, "/api/v1/data", csv.to_string()).await.status,
            StatusCode::OK
        );
        let fine = sec
            .get("/api/v1/indicators/DIMS-REFUGIES/values?period=2022&by=age")
            .await
            .json();
        assert_eq!(fine["rows"].as_array().unwrap().len(), 3);
        let coarse = sec
            .get("/api/v1/indicators/DIMS-REFUGIES/values?period=2022&by=age:age-2")
            .await
            .json();
        let values: Vec<(String, f64)> = coarse["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["dims"]["age"].as_str().unwrap().to_string(),
                    r["value"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            values,
            [("adult".to_string(), 9.0), ("minor".to_string(), 8.0)]
        );
        assert_eq!(
            sec.get("/api/v1/indicators/DIMS-REFUGIES/values?period=2022&by=age:nope")
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // The page says it in French, with the registry's labels.
        let page = sec
            .get("/indicators/DIMS-REFUGIES?period=2021&by=age")
            .await;
        assert!(page.body.contains("Mineurs") && page.body.contains("Adultes"));
        assert!(page.body.contains("table de correspondance"), "{backend:?}");
        assert!(page.body.contains("chevauche"), "{backend:?}");
    }
}

#[tokio::test]
async fn overlapping_categories_are_accepted_and_never_summed() {
    for backend in testing::backends() {
        let (app, _) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        framework(&mut sec).await;
        // The 2020 report: 847 recognised refugees, «hommes (371), femmes (248),
        // mineurs (204) et nouveaux nés (24)» — categories that overlap.
        let csv = "indicator,period,territory,organisation,value,group\n\
                   DIMS-REFUGIES,2020,MA,BRA,900,\n\
                   DIMS-REFUGIES,2020,MA,BRA,371,hommes\n\
                   DIMS-REFUGIES,2020,MA,BRA,248,Femmes\n\
                   DIMS-REFUGIES,2020,MA,BRA,204,mineurs\n\
                   DIMS-REFUGIES,2020,MA,BRA,24,nouveaux nés\n";
        let r = post(&mut sec, "/api/v1/data", csv.replace("BRA", "OIM")).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{backend:?}: no sum-of-parts rule: {}",
            r.body
        );
        let t = sec
            .get("/api/v1/indicators/DIMS-REFUGIES/values?period=2020&by=group")
            .await
            .json();
        assert_eq!(t["rows"].as_array().unwrap().len(), 4);
        assert_eq!(t["total"]["value"], 900.0, "the reported total, not a sum");
        assert!(t["notes"].to_string().contains("overlap"), "{t:#}");
        let page = sec
            .get("/indicators/DIMS-REFUGIES?period=2020&by=group")
            .await;
        assert!(page.body.contains("Nouveaux-nés") && page.body.contains("se recoupent"));
    }
}

#[tokio::test]
async fn a_data_sets_rules_are_checked_and_named_with_their_cells() {
    for backend in testing::backends() {
        let (app, store) = demo_app(backend).await;
        let mut sec = Client::new(app.clone());
        sec.login("secretariat", PW).await;
        framework(&mut sec).await;
        let def: passerelle_domain::reporting::DataSetDef =
            serde_json::from_value(serde_json::json!({
                "code": "DIMS-SET", "title": {"fr": "Protection"}, "framework": "DIMS",
                "indicators": ["DIMS-REFUGIES", "DIMS-FILLES-PCT"], "dimensions": ["sex"],
                "period_type": "year", "organisations": ["OIM"],
                "rules": [
                    {"kind": "percent_recomputed", "indicator": "DIMS-FILLES-PCT",
                     "numerator": {"indicator": "DIMS-REFUGIES", "cells": "sex=F"},
                     "denominator": {"indicator": "DIMS-REFUGIES"}},
                    {"kind": "range", "indicator": "DIMS-REFUGIES", "max": 5000},
                    {"kind": "required", "indicator": "DIMS-REFUGIES", "cells": ["", "sex=F"]}]
            }))
            .unwrap();
        let mut conn = store.conn().await.unwrap();
        passerelle_store::reporting::upsert_dataset(&mut conn, &def)
            .await
            .unwrap();
        drop(conn);

        // 1,606 / 3,207 printed as 50.07 %: recomputed (50.08 %), flagged, refused.
        let bad = "indicator,period,territory,organisation,value,sex\n\
                   DIMS-REFUGIES,2021,MA,OIM,3207,\n\
                   DIMS-REFUGIES,2021,MA,OIM,1606,F\n\
                   DIMS-FILLES-PCT,2021,MA,OIM,50.07,\n\
                   DIMS-REFUGIES,2021,MA-04,OIM,9000,\n";
        let r = post(&mut sec, "/api/v1/data", bad.to_string()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        let fields = r.json()["fields"].as_array().unwrap().clone();
        let find = |place: &str| {
            fields
                .iter()
                .find(|f| f["field"] == place)
                .map(|f| f["message"].as_str().unwrap_or("").to_string())
                .unwrap_or_else(|| panic!("{place} in {fields:#?}"))
        };
        let pct = find("line 4, column value");
        assert!(
            pct.contains("percent_recomputed") && pct.contains("50.08") && pct.contains("50.07"),
            "{pct}"
        );
        assert!(
            fields.iter().any(|f| f["field"] == "line 5, column value"
                && f["message"].as_str().unwrap_or("").contains("(range)")
                && f["message"].as_str().unwrap_or("").contains("9000")),
            "{fields:#?}"
        );
        assert!(
            fields.iter().any(|f| f["code"] == "required"
                && f["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Sexe : Femmes / filles")),
            "the region's row lacks its sex=F cell: {fields:#?}"
        );
        assert!(
            fields.iter().any(|f| f["message"]
                .as_str()
                .unwrap_or("")
                .contains("territoires ≤ total")),
            "{fields:#?}"
        );

        // The shipped data set's rules, in the form: the total of INSCRITS is required
        // at submission, and a value above the range is named beside its cell.
        let mut focal = Client::new(app.clone());
        focal.login("focal.anapec", PW).await;
        let url = "/reporting/ANAPEC-EMPLOI/ANAPEC/2025";
        let csrf = focal.get(url).await.csrf();
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "submit"),
                    ("v:SNIA-P7-ANAPEC-ATELIERS:total", "200000"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        let beside = |id: &str| {
            let at = r
                .body
                .find(&format!("id=\"{id}-error\""))
                .unwrap_or_else(|| panic!("{id}"));
            r.body[at..].split("</p>").next().unwrap_or("").to_string()
        };
        assert!(beside("v:SNIA-P7-ANAPEC-INSCRITS:total").contains("obligatoire"));
        assert!(beside("v:SNIA-P7-ANAPEC-ATELIERS:total").contains("plage"));
        // A draft may be incomplete.
        let r = focal
            .post_form(
                url,
                &[
                    ("_csrf", &csrf),
                    ("action", "save"),
                    ("v:SNIA-P7-ANAPEC-ATELIERS:total", "190"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
}
