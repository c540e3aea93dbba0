//! The store's conformance story: the same operations, the same answers, on SQLite
//! always and on PostgreSQL when `PASSERELLE_TEST_POSTGRES_URL` is set.

use passerelle_domain::audit::{GENESIS, verify_chain};
use passerelle_domain::{OrgCode, OrgKind, Role, TerritoryCode, TerritoryLevel};
use passerelle_store::audit::NewAudit;
use passerelle_store::orgs::NewOrganisation;
use passerelle_store::territories::Territory;
use passerelle_store::users::NewUser;
use passerelle_store::{StoreError, audit, orgs, sessions, territories, testing, users};

fn org(code: &str) -> NewOrganisation {
    NewOrganisation {
        code: OrgCode::parse(code).unwrap(),
        kind: OrgKind::PublicAgency,
        name_fr: format!("Organisation {code}"),
        name_ar: Some("منظمة".into()),
        name_en: None,
        parent_id: None,
        territory_code: None,
    }
}

#[tokio::test]
async fn a_store_keeps_organisations_users_sessions_and_an_audit_chain() {
    for backend in testing::backends() {
        let store = testing::fresh_store(backend).await.unwrap();
        // Migrating twice is harmless.
        store.migrate().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        territories::upsert(
            &mut tx,
            &Territory {
                code: TerritoryCode::parse("MA").unwrap(),
                level: TerritoryLevel::Country,
                parent_code: None,
                kind: None,
                name_fr: "Maroc".into(),
                name_ar: Some("المغرب".into()),
                name_en: Some("Morocco".into()),
                aliases: String::new(),
            },
        )
        .await
        .unwrap();
        territories::upsert(
            &mut tx,
            &Territory {
                code: TerritoryCode::parse("MA-04").unwrap(),
                level: TerritoryLevel::Region,
                parent_code: Some("MA".into()),
                kind: None,
                name_fr: "Rabat-Salé-Kénitra".into(),
                name_ar: Some("الرباط سلا القنيطرة".into()),
                name_en: None,
                aliases: "Rabat-Salé".into(),
            },
        )
        .await
        .unwrap();
        let parent = orgs::insert(&mut tx, &org("EN")).await.unwrap();
        let mut child = org("EN-RABAT");
        child.parent_id = Some(parent);
        child.territory_code = Some("MA-04".into());
        let child_id = orgs::insert(&mut tx, &child).await.unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.conn().await.unwrap();
        let kids = territories::children(&mut conn, &TerritoryCode::parse("MA").unwrap())
            .await
            .unwrap();
        assert_eq!(kids.len(), 1, "{backend:?}");
        assert_eq!(kids[0].name_ar.as_deref(), Some("الرباط سلا القنيطرة"));

        // Unique and foreign-key violations are reported by kind on both engines.
        assert!(
            matches!(
                orgs::insert(&mut conn, &org("EN")).await,
                Err(StoreError::UniqueViolation)
            ),
            "{backend:?}"
        );
        let mut orphan = org("ORPHAN");
        orphan.parent_id = Some(passerelle_domain::OrgId(9999));
        assert!(
            matches!(
                orgs::insert(&mut conn, &orphan).await,
                Err(StoreError::ForeignKeyViolation)
            ),
            "{backend:?}"
        );

        let got = orgs::get(&mut conn, child_id).await.unwrap().unwrap();
        assert_eq!(got.parent_id, Some(parent));
        assert_eq!(got.territory_code.as_deref(), Some("MA-04"));
        assert_eq!(orgs::list(&mut conn).await.unwrap().len(), 2);

        let uid = users::insert(
            &mut conn,
            &NewUser {
                username: "amina",
                display_name: "أمينة",
                organisation_id: child_id,
                password_hash: "$argon2id$fake",
                roles: &[Role::CaseWorker, Role::Supervisor],
            },
        )
        .await
        .unwrap();
        let creds = users::credentials_by_username(&mut conn, "amina")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(creds.user.id, uid);
        assert_eq!(creds.user.roles, vec![Role::Supervisor, Role::CaseWorker]);
        assert!(creds.user.active);
        assert_eq!(users::list(&mut conn, Some(parent)).await.unwrap().len(), 0);
        assert_eq!(users::list(&mut conn, None).await.unwrap().len(), 1);

        sessions::insert(&mut conn, "h1", uid, "csrf", "2999-01-01T00:00:00.000000Z")
            .await
            .unwrap();
        sessions::insert(&mut conn, "h2", uid, "csrf2", "2000-01-01T00:00:00.000000Z")
            .await
            .unwrap();
        assert_eq!(
            sessions::get(&mut conn, "h1")
                .await
                .unwrap()
                .map(|s| s.csrf_token),
            Some("csrf".into())
        );
        assert_eq!(sessions::delete_expired(&mut conn).await.unwrap(), 1);
        assert_eq!(
            sessions::delete_for_user(&mut conn, uid, Some("h1"))
                .await
                .unwrap(),
            0
        );

        let token = users::insert_token(&mut conn, uid, "script", "tokhash")
            .await
            .unwrap();
        assert_eq!(
            users::user_by_token(&mut conn, "tokhash").await.unwrap(),
            Some(uid)
        );
        assert!(users::revoke_token(&mut conn, uid, token).await.unwrap());
        assert_eq!(
            users::user_by_token(&mut conn, "tokhash").await.unwrap(),
            None
        );
        drop(conn);

        // The audit chain: appends in transactions, a rolled-back one leaves no trace.
        for i in 0..5 {
            let mut tx = store.begin().await.unwrap();
            audit::append(
                &mut tx,
                NewAudit {
                    actor_user_id: Some(uid.0),
                    actor_org_id: Some(child_id.0),
                    action: "test",
                    entity: "thing",
                    entity_id: Some(i.to_string()),
                    operation_id: "op",
                    detail: "{}".into(),
                },
            )
            .await
            .unwrap();
            if i == 2 {
                tx.rollback().await.unwrap();
            } else {
                tx.commit().await.unwrap();
            }
        }
        let mut conn = store.conn().await.unwrap();
        let rows = audit::page(&mut conn, 0, 100).await.unwrap();
        assert_eq!(rows.len(), 4, "{backend:?}");
        let (n, last) =
            verify_chain(rows.into_iter().map(|r| (r.entry, r.prev_hash, r.hash))).unwrap();
        assert_eq!(n, 4);
        assert_eq!(audit::head(&mut conn).await.unwrap(), (4, last.clone()));
        assert_ne!(last, GENESIS);
        let recent = audit::recent(&mut conn, Some(("thing", "4")), None, 10)
            .await
            .unwrap();
        assert_eq!(recent.len(), 1);
        drop(conn);
        store.close().await;
    }
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    for backend in testing::backends() {
        let store = testing::fresh_store(backend).await.unwrap();
        let mut tasks = Vec::new();
        for t in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let mut tx = store.begin().await.unwrap();
                    audit::append(
                        &mut tx,
                        NewAudit {
                            actor_user_id: None,
                            actor_org_id: None,
                            action: "race",
                            entity: "thing",
                            entity_id: Some(format!("{t}-{i}")),
                            operation_id: "op",
                            detail: String::new(),
                        },
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut conn = store.conn().await.unwrap();
        let rows = audit::page(&mut conn, 0, 1000).await.unwrap();
        assert_eq!(
            verify_chain(rows.into_iter().map(|r| (r.entry, r.prev_hash, r.hash))).map(|(n, _)| n),
            Ok(80),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn batched_appends_chain_like_single_ones_and_never_fork() {
    fn row(i: usize) -> NewAudit<'static> {
        NewAudit {
            actor_user_id: Some(1),
            actor_org_id: Some(1),
            action: "read",
            entity: "case",
            entity_id: Some(i.to_string()),
            operation_id: "op",
            detail: format!("{{\"n\":{i}}}"),
        }
    }
    for backend in testing::backends() {
        let store = testing::fresh_store(backend).await.unwrap();
        // Batches of every size that matters (empty, one, a full insert of 200 and
        // one more) run beside single appends in other transactions.
        let mut tasks = Vec::new();
        for (t, size) in [0usize, 1, 3, 201].into_iter().enumerate() {
            let (batched, single) = (store.clone(), store.clone());
            tasks.push(tokio::spawn(async move {
                let mut tx = batched.begin().await.unwrap();
                let rows: Vec<_> = (0..size).map(|i| row(t * 1000 + i)).collect();
                let seqs = audit::append_batch(&mut tx, &rows).await.unwrap();
                tx.commit().await.unwrap();
                assert_eq!(seqs.len(), size);
                assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
            }));
            tasks.push(tokio::spawn(async move {
                let mut tx = single.begin().await.unwrap();
                audit::append(&mut tx, row(t)).await.unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // A batch rolled back leaves no trace.
        let mut tx = store.begin().await.unwrap();
        audit::append_batch(&mut tx, &[row(9), row(10)])
            .await
            .unwrap();
        tx.rollback().await.unwrap();

        let mut conn = store.conn().await.unwrap();
        let rows = audit::page(&mut conn, 0, 1000).await.unwrap();
        let n = 1 + 3 + 201 + 4;
        assert_eq!(rows.len(), n, "{backend:?}");
        let (count, last) =
            verify_chain(rows.into_iter().map(|r| (r.entry, r.prev_hash, r.hash))).unwrap();
        assert_eq!(count, n as u64);
        assert_eq!(audit::head(&mut conn).await.unwrap(), (n as i64, last));
        drop(conn);
        store.close().await;
    }
}

#[tokio::test]
async fn an_unreachable_database_says_which_url_and_why() {
    let err = passerelle_store::Store::connect("postgres://app:secret@127.0.0.1:1/nothing")
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("postgres://app:***@127.0.0.1:1/nothing"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
    let err = passerelle_store::Store::connect("mysql://x@y/z")
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::UnsupportedUrl { .. }));
}

#[tokio::test]
async fn statistics_refreshed_after_a_bulk_load_are_the_planners_and_the_store_goes_on() {
    for backend in testing::backends() {
        let store = testing::fresh_store(backend).await.unwrap();
        // Connections opened while the table was empty, kept by the pool.
        let held = store.conn().await.unwrap();
        drop(held);
        let mut tx = store.begin().await.unwrap();
        for k in 0..200 {
            orgs::insert(&mut tx, &org(&format!("BULK-{k}")))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        store.refresh_statistics().await.unwrap();
        // Twice is harmless (nothing is left behind by the first).
        store.refresh_statistics().await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let sql = match store.backend() {
            passerelle_store::Backend::Sqlite => {
                "select count(*) from sqlite_stat1 where tbl = 'organisation'"
            }
            passerelle_store::Backend::Postgres => {
                "select count(*) from pg_stats where tablename = 'organisation'"
            }
        };
        let stats: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap();
        assert!(stats > 0, "{backend:?}: no statistics for organisation");
        let orgs = orgs::list(&mut conn).await.unwrap();
        assert!(orgs.len() >= 200, "{backend:?}: {}", orgs.len());
    }
}
