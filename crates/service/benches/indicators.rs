//! Benchmark: the indicator engine over ~100,000 aggregate values.
//!
//! Generates (deterministically) values for every indicator of the shipped SNIA and
//! AMUDDU frameworks × 3 years × 12 regions and 75 provinces × 3 reporting
//! organisations × (total, F, M), loads them into a fresh store, then computes every
//! indicator for one year broken down by region and sex (two disaggregations), and
//! prints the wall time. Writes the same data as CSV for the DuckDB peer
//! (`scripts/bench-indicators/run.sh`). Run: `cargo bench -p passerelle-service --bench
//! indicators` (SQLite), with `PASSERELLE_TEST_POSTGRES_URL` set for PostgreSQL too.

use passerelle_service::values::ValuesQuery;
use passerelle_service::{Service, ServiceConfig};
use passerelle_store::values::DataValue;
use passerelle_store::{Backend, testing};
use std::io::Write;
use std::time::Instant;

fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

#[tokio::main]
async fn main() {
    let out_dir =
        std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/passerelle-bench-indicators".into());
    std::fs::create_dir_all(&out_dir).expect("bench dir");
    for backend in testing::backends() {
        let store = testing::fresh_store(backend).await.expect("store");
        let svc = Service::new(store.clone(), ServiceConfig::default());
        svc.load_demo("bench").await.expect("demo");
        let indicators: Vec<(String, String)> = {
            let mut conn = store.conn().await.expect("conn");
            passerelle_store::frameworks::indicators(&mut conn)
                .await
                .expect("indicators")
                .into_iter()
                .filter(|i| i.framework_code != "TTA-GIS")
                .map(|i| (i.framework_code, i.code))
                .collect()
        };
        let regions = svc.territories(None).await.expect("regions");
        let mut places: Vec<(String, Option<String>)> =
            regions.iter().map(|r| (r.code.to_string(), None)).collect();
        for r in &regions {
            for p in svc.territories(Some(&r.code)).await.expect("provinces") {
                places.push((p.code.to_string(), Some(r.code.to_string())));
            }
        }
        let orgs = ["ANAPEC", "MEN", "OIM"];
        let mut rows = Vec::new();
        let mut seed = 42u64;
        for (fw, ind) in &indicators {
            for year in ["2019", "2021", "2022"] {
                for (place, _) in &places {
                    for org in orgs {
                        let f = (lcg(&mut seed) % 500) as f64;
                        let m = (lcg(&mut seed) % 500) as f64;
                        for (cells, value) in [("", f + m), ("sex=F", f), ("sex=M", m)] {
                            rows.push(DataValue {
                                framework_code: fw.clone(),
                                indicator_code: ind.clone(),
                                period: year.into(),
                                period_start: format!("{year}-01-01"),
                                period_end: format!("{year}-12-31"),
                                territory_code: place.clone(),
                                organisation_code: org.into(),
                                cells: cells.into(),
                                value,
                                qualifier: "exact".into(),
                                comment: None,
                                status: "approved".into(),
                                source: Some("bench".into()),
                                source_line: None,
                            });
                        }
                    }
                }
            }
        }
        let started = Instant::now();
        let mut tx = store.begin().await.expect("tx");
        for v in &rows {
            passerelle_store::values::upsert(&mut tx, v)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
        let load = started.elapsed();
        if backend == Backend::Sqlite {
            let path = format!("{out_dir}/values.csv");
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("csv"));
            writeln!(
                f,
                "indicator_code,period,territory_code,region_code,organisation_code,cells,value"
            )
            .expect("write");
            for v in &rows {
                let region = places
                    .iter()
                    .find(|(p, _)| *p == v.territory_code)
                    .and_then(|(_, r)| r.clone())
                    .unwrap_or_default();
                writeln!(
                    f,
                    "{},{},{},{},{},{},{}",
                    v.indicator_code,
                    v.period,
                    v.territory_code,
                    region,
                    v.organisation_code,
                    v.cells,
                    v.value
                )
                .expect("write");
            }
        }
        // Warm once, then time three runs of every indicator by region and sex.
        let mut best = f64::MAX;
        let mut lines = 0;
        for run in 0..4 {
            let t = Instant::now();
            lines = 0;
            for (_, ind) in &indicators {
                let q = ValuesQuery {
                    indicator: ind.clone(),
                    period: "2021".into(),
                    territory: None,
                    by: vec!["territory".into(), "sex".into()],
                    include_submitted: false,
                };
                let table = svc.indicator_values(None, &q).await.expect("values");
                lines += table.rows.len();
            }
            if run > 0 {
                best = best.min(t.elapsed().as_secs_f64());
            }
        }
        println!(
            "{}: {} values loaded in {:.1} s; {} indicators × region × sex for 2021 ({} lines): best of 3 = {:.3} s",
            backend.as_str(),
            rows.len(),
            load.as_secs_f64(),
            indicators.len(),
            lines,
            best
        );
        store.close().await;
    }
}
