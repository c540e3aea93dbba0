//! The `passerelle` command as an operator uses it.

use std::process::{Command, Output};

fn passerelle(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    cmd.args(args).env_remove("PASSERELLE_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the passerelle binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn sqlite_url(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("passerelle-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}?mode=rwc", dir.join("p.db").display())
}

#[test]
fn an_unreachable_database_fails_in_one_clear_line() {
    let o = passerelle(
        &[
            "migrate",
            "--database-url",
            "postgres://ops:hunter2@127.0.0.1:1/passerelle",
        ],
        &[],
    );
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("cannot connect to postgres://ops:***@127.0.0.1:1/passerelle"),
        "{t}"
    );
    assert!(!t.contains("hunter2"), "the password is elided: {t}");
    assert_eq!(t.trim().lines().count(), 1, "{t}");
}

#[test]
fn migrate_user_add_and_audit_verify() {
    for url in backends_urls("ops") {
        let o = passerelle(&["migrate", "--database-url", &url], &[]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(!text(&o).contains("hunter2"));
        // No organisation yet: the code is named in the error.
        let o = passerelle(
            &[
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                "ops",
                "--name",
                "Ops",
                "--organisation",
                "MCMREAM",
                "--roles",
                "administrator",
            ],
            &[("PASSERELLE_NEW_PASSWORD", "a long operator password")],
        );
        assert!(!o.status.success());
        assert!(
            text(&o).contains("organisation: unknown_organisation (MCMREAM)"),
            "{}",
            text(&o)
        );
        let o = passerelle(
            &[
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                "ops",
                "--name",
                "Ops",
                "--organisation",
                "MCMREAM",
                "--roles",
                "emperor",
            ],
            &[("PASSERELLE_NEW_PASSWORD", "short")],
        );
        let t = text(&o);
        assert!(
            t.contains("roles: unknown_value (emperor)") && t.contains("password: length"),
            "every error at once: {t}"
        );
        let o = passerelle(&["audit", "verify", "--database-url", &url], &[]);
        assert!(
            o.status.success() && text(&o).contains("audit chain intact: 1 rows"),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn communes_import_all_or_nothing_with_line_numbers() {
    let url = sqlite_url("communes");
    let dir = std::env::temp_dir().join(format!(
        "passerelle-cli-{}-communes-files",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "code,province_code,name_fr,name_ar\nMA-RAB-001,MA-RAB,Agdal Riyad,أكدال الرياض\nMA-ZZZ-001,MA-ZZZ,Nowhere,\nMA-RAB-002,MA-RAB,,\n").unwrap();
    let o = passerelle(
        &[
            "territory",
            "import-communes",
            bad.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[],
    );
    let t = text(&o);
    assert!(!o.status.success());
    assert!(t.contains("line 4: name_fr: required"), "{t}");
    let bad2 = dir.join("bad2.csv");
    std::fs::write(
        &bad2,
        "code,province_code,name_fr\nMA-RAB-001,MA-RAB,Agdal Riyad\nMA-ZZZ-001,MA-ZZZ,Nowhere\n",
    )
    .unwrap();
    let t = text(&passerelle(
        &[
            "territory",
            "import-communes",
            bad2.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[],
    ));
    assert!(
        t.contains("line 3: province_code: unknown_territory (MA-ZZZ)")
            && t.contains("nothing was loaded"),
        "{t}"
    );
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "code,province_code,name_fr\nMA-RAB-001,MA-RAB,Agdal Riyad\n",
    )
    .unwrap();
    let o = passerelle(
        &[
            "territory",
            "import-communes",
            good.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[],
    );
    assert!(
        o.status.success() && text(&o).contains("1 communes loaded"),
        "{}",
        text(&o)
    );
}

#[test]
fn default_config_is_toml_without_secrets_and_env_overrides_it() {
    let o = passerelle(&["default-config"], &[]);
    let t = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        t.contains("[server]") && t.contains("[database]") && t.contains("secure_cookies = true"),
        "{t}"
    );
    let url = sqlite_url("env");
    let o = passerelle(&["migrate"], &[("PASSERELLE__DATABASE__URL", &url)]);
    assert!(
        o.status.success() && text(&o).contains("migrations applied on sqlite://"),
        "{}",
        text(&o)
    );
}

/// SQLite always; PostgreSQL too when the test server is configured.
fn backends_urls(name: &str) -> Vec<String> {
    let mut urls = vec![sqlite_url(name)];
    if let Ok(admin) = std::env::var("PASSERELLE_TEST_POSTGRES_URL")
        && !admin.is_empty()
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = rt
            .block_on(passerelle_store::testing::fresh_url(
                passerelle_store::Backend::Postgres,
            ))
            .unwrap();
        urls.push(url);
    }
    urls
}

#[test]
fn frameworks_import_in_order_and_show_as_a_json_tree() {
    for url in backends_urls("frameworks") {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/frameworks/");
        // AMUDDU refers to SNIA nodes: alone, it is refused with every reference named.
        let o = passerelle(
            &[
                "framework",
                "import",
                &format!("{data}amuddu.json"),
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(!o.status.success());
        let t = text(&o);
        assert!(
            t.contains("nodes[1].contributes_to[0]: unknown_value (SNIA:P6)")
                && t.contains("nothing was imported"),
            "{t}"
        );
        for file in ["snia.json", "amuddu.json", "tta-gender-inclusion.json"] {
            let o = passerelle(
                &[
                    "framework",
                    "import",
                    &format!("{data}{file}"),
                    "--database-url",
                    &url,
                ],
                &[],
            );
            assert!(o.status.success(), "{file}: {}", text(&o));
        }
        let o = passerelle(
            &[
                "framework",
                "import",
                &format!("{data}amuddu.json"),
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(
            text(&o).contains("targets: 0 added, 0 revised, 0 withdrawn"),
            "re-import is idempotent: {}",
            text(&o)
        );

        let o = passerelle(
            &[
                "framework",
                "show",
                "AMUDDU",
                "--format",
                "json",
                "--database-url",
                &url,
            ],
            &[],
        );
        let tree: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let og = &tree["children"][0];
        assert_eq!(
            (og["code"].as_str(), og["level"].as_str()),
            (Some("OG"), Some("general_objective"))
        );
        let os = &og["children"][0];
        assert_eq!(os["indicators"].as_array().map(Vec::len), Some(2));
        assert!(os["title"]["fr"].is_string() && os["title"]["ar"].is_string());
        let outcomes = os["children"].as_array().unwrap();
        assert_eq!(outcomes.len(), 3, "three intermediate outcomes");
        let list = text(&passerelle(
            &["framework", "list", "--database-url", &url],
            &[],
        ));
        assert!(list.contains("SNIA") && list.contains("AMUDDU") && list.contains("TTA-GIS"));
        let o = passerelle(&["framework", "show", "NOPE", "--database-url", &url], &[]);
        assert!(!o.status.success() && text(&o).contains("no framework NOPE"));
    }
}

#[test]
fn dedup_writes_a_cluster_for_every_row_and_names_missing_columns() {
    let dir = std::env::temp_dir().join(format!("passerelle-cli-{}-dedup", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("people.csv");
    std::fs::write(
        &input,
        "id,given_name,family_name,name_arabic,sex,birth_date,nationality,phone,document_number,city\n\
         a1,Mohamed,Diallo,,M,1994,GN,+212 661 23 45 67,,Rabat\n\
         a2,Muhammad,Dialo,,M,1994-03-12,GN,0661234567,,Rabat\n\
         a3,,,محمد ديالو,M,1994,GN,,,Rabat\n\
         b1,Fatoumata,Camara,,F,1990-05-01,ML,0700112233,P1234567,Casablanca\n\
         b2,Fatimata,Kamara,,F,1990-01-05,ML,,P 1234567,Casablanca\n\
         c1,Aminata,Diallo,,F,2001-07-07,SN,0612121212,,Rabat\n\
         c2,Mamadou,Diallo,,M,1985,SN,0612121212,,Rabat\n\
         d1,Youssef,Haddad,,M,vers 1980,SY,pas de tel,,Tanger\n",
    )
    .unwrap();
    let output = dir.join("out.csv");
    let o = passerelle(
        &[
            "dedup",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = std::fs::read_to_string(&output).unwrap();
    let clusters: std::collections::HashMap<&str, &str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .collect();
    assert_eq!(out.lines().next(), Some("record_id,cluster_id"));
    assert_eq!(clusters.len(), 8, "every input row: {out}");
    assert_ne!(
        clusters["c1"], clusters["c2"],
        "a household sharing a phone is not one person: {out}"
    );
    assert_eq!(
        clusters["a1"], clusters["a2"],
        "transliterated variants: {out}"
    );
    assert_eq!(clusters["a1"], clusters["a3"], "Arabic script: {out}");
    assert_eq!(
        clusters["b1"], clusters["b2"],
        "day/month swap, variant spellings, document noise: {out}"
    );
    assert_ne!(clusters["a1"], clusters["b1"]);
    assert!(
        text(&o).contains("could not be read"),
        "unreadable dates and phones are reported: {}",
        text(&o)
    );

    let pairs = dir.join("pairs.csv");
    let o = passerelle(
        &[
            "dedup",
            input.to_str().unwrap(),
            "-o",
            pairs.to_str().unwrap(),
            "--pairs",
            "--quiet",
        ],
        &[],
    );
    assert!(o.status.success());
    let p = std::fs::read_to_string(&pairs).unwrap();
    assert!(
        p.starts_with("record_id_a,record_id_b,weight,probability,explanation")
            && p.contains("a1,a2,"),
        "{p}"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "numero,nom_complet\n1,X\n").unwrap();
    let o = passerelle(
        &[
            "dedup",
            bad.to_str().unwrap(),
            "-o",
            dir.join("o.csv").to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    let t = text(&o);
    assert!(
        !o.status.success() && t.contains("record_id") && t.contains("--map"),
        "{t}"
    );
    let mapped = passerelle(
        &[
            "dedup",
            bad.to_str().unwrap(),
            "-o",
            dir.join("o.csv").to_str().unwrap(),
            "--map",
            "record_id=numero",
            "--map",
            "family_name=nom_complet",
            "--quiet",
        ],
        &[],
    );
    assert!(mapped.status.success(), "{}", text(&mapped));

    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "id,given_name,family_name\n").unwrap();
    let o = passerelle(
        &[
            "dedup",
            empty.to_str().unwrap(),
            "-o",
            dir.join("e.csv").to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(
        o.status.success() && text(&o).contains("note:"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("e.csv")).unwrap().trim(),
        "record_id,cluster_id"
    );
}

#[test]
fn data_import_and_indicator_values_reproduce_the_report() {
    for url in backends_urls("values") {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/");
        {
            let file = "snia.json";
            let o = passerelle(
                &[
                    "framework",
                    "import",
                    &format!("{data}frameworks/{file}"),
                    "--database-url",
                    &url,
                ],
                &[],
            );
            assert!(o.status.success(), "{}", text(&o));
        }
        // The figures name organisations: the file is refused until they exist, every row listed.
        let covid = format!("{data}figures-2020/p3-covid.csv");
        let o = passerelle(&["data", "import", &covid, "--database-url", &url], &[]);
        let t = text(&o);
        assert!(
            !o.status.success()
                && t.contains("line 2, column organisation: unknown_organisation (MS)")
                && t.contains("nothing was imported"),
            "{t}"
        );
        // Create the reporting organisation, as an administrator would.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = passerelle_store::Store::connect(&url).await.unwrap();
            let svc = passerelle_service::Service::new(store, Default::default());
            let input = passerelle_service::NewOrgInput {
                code: "MS".into(),
                kind: "ministry".into(),
                name_fr: "Ministère de la Santé".into(),
                ..Default::default()
            };
            svc.create_organisation(None, &input, "test").await.unwrap();
        });
        let o = passerelle(&["data", "import", &covid, "--database-url", &url], &[]);
        assert!(
            o.status.success() && text(&o).contains("7 values imported, 0 updated"),
            "{}",
            text(&o)
        );
        let o = passerelle(&["data", "import", &covid, "--database-url", &url], &[]);
        assert!(
            text(&o).contains("0 values imported, 7 updated"),
            "re-import replaces: {}",
            text(&o)
        );

        let o = passerelle(
            &[
                "indicator",
                "values",
                "--indicator",
                "SNIA-P3-COVID",
                "--period",
                "2020",
                "--by",
                "territory",
                "--database-url",
                &url,
            ],
            &[],
        );
        let csv = String::from_utf8_lossy(&o.stdout).to_string();
        assert_eq!(
            csv,
            "territory,value\nMA-01,50\nMA-04,9\nMA-06,216\nMA-07,7\nMA-09,7\nMA-11,296\n,585\n"
        );
        // For the public, with a threshold of 10 set by the operator: the three small
        // regions are withheld (three together cannot be recomputed from the total).
        let o = passerelle(
            &[
                "indicator",
                "values",
                "--indicator",
                "SNIA-P3-COVID",
                "--period",
                "2020",
                "--by",
                "territory",
                "--audience",
                "public",
                "--database-url",
                &url,
            ],
            &[("PASSERELLE__PUBLICATION__PUBLIC_THRESHOLD", "10")],
        );
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "territory,value,note\nMA-01,50,\nMA-04,,withheld\nMA-06,216,\nMA-07,,withheld\nMA-09,,withheld\nMA-11,296,\n,585,\n",
            "{}",
            text(&o)
        );
        let o = passerelle(
            &[
                "indicator",
                "values",
                "--indicator",
                "SNIA-P3-COVID",
                "--period",
                "2020",
                "--territory",
                "Casablanca-Settat",
                "--format",
                "json",
                "--database-url",
                &url,
            ],
            &[],
        );
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (json["territory"].as_str(), json["total"]["value"].as_f64()),
            (Some("MA-06"), Some(216.0)),
            "a region by its name"
        );
        let o = passerelle(
            &[
                "indicator",
                "values",
                "--indicator",
                "SNIA-P3-COVID",
                "--period",
                "2020",
                "--by",
                "colour",
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(
            !o.status.success() && text(&o).contains("by: unknown_value (colour)"),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn linkage_encode_and_match_without_sharing_names() {
    let dir = std::env::temp_dir().join(format!("passerelle-cli-{}-pprl", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key");
    std::fs::write(
        &key,
        "a secret shared by the partners, never by the matcher\n",
    )
    .unwrap();
    let header = "id,given_name,family_name,name_arabic,sex,birth_date,nationality,phone,document_number,city\n";
    let en = dir.join("en.csv");
    std::fs::write(&en, format!("{header}e1,Mohamed,Diallo,,M,1994-03-12,GN,0661234567,,Rabat\ne2,Fatoumata,Camara,,F,1990-05-01,ML,0700112233,P1234567,Casablanca\n")).unwrap();
    let anapec = dir.join("anapec.csv");
    std::fs::write(&anapec, format!("{header}x1,Muhammad,Dialo,,M,1994,GN,+212 661 23 45 67,,Rabat\nx2,Youssef,Haddad,,M,1980-01-01,SY,0600000000,,Tanger\n")).unwrap();
    for (clear, enc) in [(&en, "en.enc.csv"), (&anapec, "anapec.enc.csv")] {
        let o = passerelle(
            &[
                "linkage",
                "encode",
                clear.to_str().unwrap(),
                "-o",
                dir.join(enc).to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
            ],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        let encoded = std::fs::read_to_string(dir.join(enc)).unwrap();
        for name in [
            "Mohamed",
            "Diallo",
            "Dialo",
            "Fatoumata",
            "Haddad",
            "0661234567",
        ] {
            assert!(!encoded.contains(name), "{name} leaked into {enc}");
        }
    }
    let out = dir.join("links.csv");
    let o = passerelle(
        &[
            "linkage",
            "match",
            dir.join("en.enc.csv").to_str().unwrap(),
            dir.join("anapec.enc.csv").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let links = std::fs::read_to_string(&out).unwrap();
    let cluster = |file: &str, id: &str| {
        links
            .lines()
            .find(|l| l.starts_with(&format!("{file},{id},")))
            .and_then(|l| l.rsplit(',').next())
            .map(str::to_string)
    };
    assert!(cluster("en.enc", "e1").is_some(), "{links}");
    assert_eq!(
        cluster("en.enc", "e1"),
        cluster("anapec.enc", "x1"),
        "the same person across organisations: {links}"
    );
    assert_ne!(cluster("en.enc", "e2"), cluster("anapec.enc", "x2"));
    let o = passerelle(
        &[
            "linkage",
            "encode",
            en.to_str().unwrap(),
            "-o",
            dir.join("x.csv").to_str().unwrap(),
            "--key-file",
            "/nonexistent/key",
        ],
        &[],
    );
    assert!(!o.status.success() && text(&o).contains("reading the key file"));
}

#[test]
fn assessment_forms_are_versioned_data() {
    let url = sqlite_url("forms");
    let dir = std::env::temp_dir().join(format!("passerelle-forms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = (
        "PASSERELLE__SECURITY__FIELD_KEY",
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    );
    let shipped = passerelle(&["form", "show", "EOS", "--database-url", &url], &[key]);
    assert!(shipped.status.success(), "{}", text(&shipped));
    assert!(text(&shipped).contains("professional_profile"));
    // A broken definition: every problem located, nothing loaded.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"code":"EOS","version":2,"title":{"fr":"T"},"sections":[{"code":"a","title":{"fr":"A"},"fields":[
        {"code":"x","kind":"select","label":{"fr":"X"}},{"code":"x","kind":"text","label":{"fr":"X"}}]}]}"#).unwrap();
    let out = passerelle(
        &[
            "form",
            "import",
            bad.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[key],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("x: required") && text(&out).contains("x: already_exists"),
        "{}",
        text(&out)
    );
    // Version 2 loads; the same version with another definition is refused.
    let good = dir.join("good.json");
    std::fs::write(&good, r#"{"code":"EOS","version":2,"title":{"fr":"Évaluation v2"},"sections":[{"code":"admin","title":{"fr":"A"},"fields":[
        {"code":"note","kind":"text","label":{"fr":"Note"}}]}]}"#).unwrap();
    let out = passerelle(
        &[
            "form",
            "import",
            good.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[key],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = passerelle(&["form", "show", "EOS", "--database-url", &url], &[key]);
    assert!(text(&out).contains("Évaluation v2"));
    std::fs::write(&good, r#"{"code":"EOS","version":2,"title":{"fr":"Autre"},"sections":[{"code":"admin","title":{"fr":"A"},"fields":[]}]}"#).unwrap();
    let out = passerelle(
        &[
            "form",
            "import",
            good.to_str().unwrap(),
            "--database-url",
            &url,
        ],
        &[key],
    );
    assert!(
        !out.status.success() && text(&out).contains("version: already_exists"),
        "{}",
        text(&out)
    );
    let v1 = passerelle(
        &[
            "form",
            "show",
            "EOS",
            "--version",
            "1",
            "--database-url",
            &url,
        ],
        &[key],
    );
    assert!(
        text(&v1).contains("professional_profile"),
        "version 1 unchanged"
    );
}

#[test]
fn governance_import_and_the_cp3_brief() {
    for url in backends_urls("governance") {
        let o = passerelle(&["migrate", "--database-url", &url], &[]);
        assert!(o.status.success(), "{}", text(&o));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = passerelle_store::Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            let svc = passerelle_service::Service::new(store, Default::default());
            svc.load_demo("test").await.unwrap();
        });
        // The demo loaded the shipped calendar: importing it again adds nothing.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/governance");
        let o = passerelle(&["governance", "import", dir, "--database-url", &url], &[]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("10 bodies") && text(&o).contains("0 added, 18 already there"),
            "{}",
            text(&o)
        );
        // A calendar naming an unknown body and an impossible date: nothing imported.
        let bad = std::env::temp_dir().join(format!("passerelle-gov-bad-{}", std::process::id()));
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::copy(format!("{dir}/bodies.json"), bad.join("bodies.json")).unwrap();
        std::fs::write(
            bad.join("meetings.csv"),
            "body,planned_on,status,held_on,place,source\nCP9,2020-06-31,held,,,\n",
        )
        .unwrap();
        let o = passerelle(
            &[
                "governance",
                "import",
                bad.to_str().unwrap(),
                "--database-url",
                &url,
            ],
            &[],
        );
        let t = text(&o);
        assert!(!o.status.success(), "{t}");
        assert!(
            t.contains("meetings.csv:2: body: unknown_value (CP9)")
                && t.contains("meetings.csv:2: planned_on: impossible_date (2020-06-31)")
                && t.contains("nothing was imported"),
            "{t}"
        );

        // The CP3 brief of 13 November 2020 lists programmes 6 and 7 with figures.
        let o = passerelle(
            &[
                "governance",
                "brief",
                "CP3",
                "--date",
                "2020-11-13",
                "--format",
                "json",
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        let b: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let progs: Vec<&str> = b["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(progs, vec!["P6", "P7"]);
        assert_eq!(b["previous_meeting"]["held_on"], "2020-10-06");
        let p7 = &b["programmes"][1]["actions"];
        let osp12 = p7
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "OSP12")
            .expect("OSP12 under P7");
        let inscrits = osp12["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "SNIA-P7-ANAPEC-INSCRITS")
            .expect("the ANAPEC funnel");
        assert_eq!(inscrits["latest"]["value"], 680.0);
        assert_eq!(inscrits["latest"]["period"], "2020");
        let actions: Vec<&str> = p7
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        for a in ["7.1", "7.2", "7.3", "7.4", "7.5"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        // Programme 6: AMUDDU's vocational-training figure, through OSP10.
        let p6 = b["programmes"][0]["actions"].as_array().unwrap();
        let osp10 = p6.iter().find(|a| a["code"] == "OSP10").expect("OSP10");
        let oi13 = osp10["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "OI1-3")
            .expect("AMUDDU OI1-3 contributes");
        assert_eq!(oi13["latest"]["value"], 185.0);
        assert_eq!(oi13["previous"]["value"], 78.0);
        assert_eq!(oi13["trend"], "improving");

        let md = passerelle(
            &[
                "governance",
                "brief",
                "cp3",
                "--date",
                "2020-11-13",
                "--database-url",
                &url,
            ],
            &[],
        );
        let t = text(&md);
        assert!(
            t.contains("## SNIA P7") && t.contains("| 680 (2020) |"),
            "{t}"
        );
        let html = passerelle(
            &[
                "governance",
                "brief",
                "CP3",
                "--date",
                "2020-11-13",
                "--format",
                "html",
                "--lang",
                "ar",
                "--database-url",
                &url,
            ],
            &[],
        );
        let t = text(&html);
        assert!(
            t.contains("dir=\"rtl\"") && t.contains("SNIA-P7-ANAPEC-INSCRITS"),
            "{t}"
        );
        let o = passerelle(&["governance", "brief", "CP9", "--database-url", &url], &[]);
        assert!(
            !o.status.success() && text(&o).contains("no body CP9"),
            "{}",
            text(&o)
        );
    }
}

/// Whether a PNG has at least two colours (a blank page has one).
fn png_is_not_blank(path: &std::path::Path) -> bool {
    let file = std::fs::File::open(path).expect("the page image exists");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    pixels.iter().any(|p| *p != pixels[0])
}

#[test]
fn the_yearly_report_as_pdf_in_french_and_arabic_from_a_snapshot() {
    for url in backends_urls("report") {
        let o = passerelle(&["migrate", "--database-url", &url], &[]);
        assert!(o.status.success(), "{}", text(&o));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = passerelle_store::Store::connect(&url).await.unwrap();
            let svc = passerelle_service::Service::new(store, Default::default());
            svc.ensure_reference_data("test").await.unwrap();
            svc.load_demo("test").await.unwrap();
        });
        // No snapshot yet: a clear error in the three languages, naming what exists.
        let dir = std::env::temp_dir().join(format!("passerelle-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fr = dir.join("report-fr.pdf");
        let o = passerelle(
            &[
                "report",
                "yearly",
                "--year",
                "2020",
                "--output",
                fr.to_str().unwrap(),
                "--database-url",
                &url,
            ],
            &[],
        );
        let t = text(&o);
        assert!(
            !o.status.success()
                && t.contains("Cette version figée des données n'existe pas")
                && t.contains("هذه النسخة المجمّدة من المعطيات غير موجودة")
                && t.contains("unknown_snapshot"),
            "{t}"
        );
        let o = passerelle(
            &[
                "report",
                "snapshot",
                "--year",
                "2020",
                "--label",
                "test",
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        let o = passerelle(
            &[
                "report",
                "yearly",
                "--year",
                "2020",
                "--snapshot",
                "999",
                "--output",
                fr.to_str().unwrap(),
                "--database-url",
                &url,
            ],
            &[],
        );
        let t = text(&o);
        assert!(
            !o.status.success() && t.contains("999 →") && t.contains("(2020)"),
            "{t}"
        );
        for lang in ["fr", "ar"] {
            let pdf = dir.join(format!("report-{lang}.pdf"));
            let o = passerelle(
                &[
                    "report",
                    "yearly",
                    "--year",
                    "2020",
                    "--lang",
                    lang,
                    "--format",
                    "pdf",
                    "--output",
                    pdf.to_str().unwrap(),
                    "--database-url",
                    &url,
                ],
                &[],
            );
            assert!(o.status.success(), "{}", text(&o));
            let prefix = dir.join(format!("page-{lang}"));
            let r = Command::new("pdftoppm")
                .args(["-png", "-r", "50", "-f", "1", "-l", "2"])
                .arg(&pdf)
                .arg(&prefix)
                .status()
                .expect("pdftoppm (poppler-utils) is installed");
            assert!(r.success());
            for page in 1..=2 {
                let png = dir.join(format!("page-{lang}-{page:02}.png"));
                let png = if png.exists() {
                    png
                } else {
                    dir.join(format!("page-{lang}-{page}.png"))
                };
                assert!(png_is_not_blank(&png), "{lang} page {page} is blank");
            }
            let out = Command::new("pdftotext")
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            // Thin spaces and the Arabic thousands separator aside, the figures are there.
            let text: String = String::from_utf8_lossy(&out.stdout)
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '.')
                .collect();
            assert!(
                text.contains("3207") && text.contains("1606"),
                "{lang}: pupils"
            );
            assert!(
                text.contains("680") && text.contains("261"),
                "{lang}: ANAPEC"
            );
            assert!(text.contains("SHA-256"), "{lang}: the snapshot is cited");
            if lang == "ar" {
                assert!(
                    text.contains("التقرير") || text.contains("تقرير"),
                    "Arabic text"
                );
                assert!(text.contains("الأنشطةالمنجزة"), "section titles in Arabic");
            } else {
                assert!(
                    text.contains("Activitésmenéesen2020"),
                    "the narrative of P7"
                );
                assert!(text.contains("Recommandations"));
            }
        }
        // The same snapshot gives the same content.
        let again = dir.join("again.pdf");
        let o = passerelle(
            &[
                "report",
                "yearly",
                "--year",
                "2020",
                "--lang",
                "fr",
                "--output",
                again.to_str().unwrap(),
                "--database-url",
                &url,
            ],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(
            std::fs::read(&again).unwrap(),
            std::fs::read(dir.join("report-fr.pdf")).unwrap()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
