//! Benchmark: search before create over a large registry.
//!
//! Generates (deterministically, with the linkage crate's synthetic migrant registry:
//! several registrations per person with spelling variants, Arabic script, year-only
//! dates, changed phones, households, twins, common names) `BENCH_PEOPLE` people
//! (default 1,000,000), loads them as one organisation's registry, then times
//! `BENCH_QUERIES` (default 1,000) searches made with another registration of a
//! registered person, and prints p50 / p95 / p99 latency and how often the true person
//! was among the suggestions. On SQLite, and on PostgreSQL when
//! `PASSERELLE_TEST_POSTGRES_URL` is set. Leaves the SQLite database and its field key
//! in `BENCH_DIR` for the case-page load test (`scripts/bench-casework/run.sh`).

use passerelle_domain::casework::PersonInput;
use passerelle_domain::{OrgCode, UserId};
use passerelle_linkage::generator::{GeneratorConfig, generate};
use passerelle_service::crypto::FieldKey;
use passerelle_service::{Service, ServiceConfig};
use passerelle_store::{Backend, Store, testing};
use std::time::Instant;

const KEY: &str = "5a17e6d1c0ffee00112233445566778899aabbccddeeff00112233445566778f";

fn input(r: &passerelle_linkage::Record) -> PersonInput {
    let digits = |s: &Option<String>| s.clone().unwrap_or_default();
    let nat = r.nationality.clone().unwrap_or_default();
    PersonInput {
        given_name: digits(&r.given_name)
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect(),
        family_name: digits(&r.family_name)
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect(),
        name_ar: digits(&r.name_arabic)
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect(),
        sex: match r.sex.as_deref().map(|s| s.trim().to_ascii_uppercase()) {
            Some(s) if s.starts_with('F') => "F".into(),
            _ => "M".into(),
        },
        birth_date: digits(&r.birth_date),
        nationality: if nat.len() == 2 { nat } else { String::new() },
        phones: digits(&r.phone),
        document_kind: if r.document_number.is_some() {
            "passport".into()
        } else {
            String::new()
        },
        document_number: digits(&r.document_number),
        ..Default::default()
    }
}

/// Drops the optional fields a noisy registration gets wrong, keeping what validates.
fn lenient(mut p: PersonInput) -> PersonInput {
    let today = "2026-11-23";
    if p.validate(today, passerelle_service::casework::country_known)
        .is_ok()
    {
        return p;
    }
    for clear in [
        |p: &mut PersonInput| p.birth_date.clear(),
        |p: &mut PersonInput| p.phones.clear(),
        |p: &mut PersonInput| {
            p.document_number.clear();
            p.document_kind.clear();
        },
        |p: &mut PersonInput| p.nationality.clear(),
    ] {
        clear(&mut p);
        if p.validate(today, passerelle_service::casework::country_known)
            .is_ok()
        {
            break;
        }
    }
    p
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let queries: usize = std::env::var("BENCH_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    // BENCH_REUSE=1: search the SQLite registry a previous run left instead of reloading it.
    let reuse = std::env::var("BENCH_REUSE").is_ok();
    let dir =
        std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/passerelle-bench-casework".into());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let t = Instant::now();
    let synthetic = generate(&GeneratorConfig {
        records: 2 * n + n / 2,
        seed: 7,
        hard_cases: true,
    });
    // The first registration of each person is loaded; a later one is the query.
    let mut seen = std::collections::HashMap::new();
    let mut load = Vec::new();
    let mut truth = Vec::new();
    let mut probes = Vec::new();
    for s in &synthetic {
        if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(s.person_id) {
            if load.len() < n {
                e.insert(load.len());
                load.push(lenient(input(&s.record)));
                truth.push(s.person_id);
            }
        } else if probes.len() < queries {
            probes.push((s.person_id, lenient(input(&s.record))));
        }
    }
    println!(
        "generated {} registrations, {} to load, {} probes in {:.1} s",
        synthetic.len(),
        load.len(),
        probes.len(),
        t.elapsed().as_secs_f64()
    );
    drop(synthetic);
    for backend in testing::backends() {
        let db = format!("{dir}/casework.db");
        let reused = reuse && backend == Backend::Sqlite && std::path::Path::new(&db).exists();
        let store = match backend {
            Backend::Sqlite if reused => Store::connect(&format!("sqlite://{db}"))
                .await
                .expect("sqlite"),
            Backend::Sqlite => {
                let path = format!("{dir}/casework.db");
                let _ = std::fs::remove_file(&path);
                let _ = std::fs::remove_file(format!("{path}-wal"));
                let _ = std::fs::remove_file(format!("{path}-shm"));
                let s = Store::connect(&format!("sqlite://{path}?mode=rwc"))
                    .await
                    .expect("sqlite");
                s.migrate().await.expect("migrate");
                s
            }
            Backend::Postgres => testing::fresh_store(backend).await.expect("postgres"),
        };
        std::fs::write(format!("{dir}/field.key"), KEY).expect("key");
        let config = ServiceConfig {
            field_key: FieldKey::from_hex(KEY).expect("key"),
            ..Default::default()
        };
        let svc = Service::new(store.clone(), config);
        if !reused {
            svc.load_demo("bench").await.expect("demo");
        }
        let mut conn = store.conn().await.expect("conn");
        let org =
            passerelle_store::orgs::by_code(&mut conn, &OrgCode::parse("EN-RABAT").expect("code"))
                .await
                .expect("org")
                .expect("EN-RABAT");
        let worker = passerelle_store::users::credentials_by_username(&mut conn, "worker.en")
            .await
            .expect("user")
            .expect("worker.en");
        drop(conn);
        let t = Instant::now();
        let loaded = if reused {
            load.len()
        } else {
            let (loaded, refused) = svc
                .bulk_register(org.id, UserId(worker.user.id.0), &load, "bench")
                .await
                .expect("load");
            println!(
                "{backend:?}: loaded {loaded} people ({} refused) in {:.1} s",
                refused.len(),
                t.elapsed().as_secs_f64()
            );
            loaded
        };
        let actor = svc.actor(worker.user.id).await.expect("actor");
        // Warm up, then time.
        for (_, p) in probes.iter().take(20) {
            svc.search_people(&actor, p, "bench").await.expect("search");
        }
        let mut ms = Vec::with_capacity(probes.len());
        let mut found = 0;
        for (person, p) in &probes {
            let t = Instant::now();
            let r = svc.search_people(&actor, p, "bench").await.expect("search");
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            // Positions in `load` are person ids minus the demo's people (ids are sequential).
            if r.matches.iter().any(|m| {
                let pos = m.person.id as usize;
                truth.get(pos.wrapping_sub(4)) == Some(person)
            }) {
                found += 1;
            }
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "{backend:?}: search before create over {loaded} people, {} searches: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; true person suggested in {:.1} %",
            ms.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            percentile(&ms, 0.99),
            found as f64 * 100.0 / probes.len().max(1) as f64
        );
        store.close().await;
    }
}
