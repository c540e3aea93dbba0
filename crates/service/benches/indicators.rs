//! Benchmark: the indicator engine over case records and aggregate values.
//!
//! Generates, deterministically and straight into the store with multi-row inserts:
//! - `BENCH_PEOPLE` people (default 1,000,000) with sex, birth year, nationality, legal
//!   status and province (all 75 provinces and prefectures, weighted towards the big
//!   cities);
//! - about 10 services each (5 to 15, so ~10 M `service_event` rows by default) of the
//!   case-work service types, delivered by the organisation that gives that kind of
//!   service, on a day of 2020–2022, mostly in the person's province;
//! - aggregate values for every indicator of the shipped SNIA and AMUDDU frameworks ×
//!   4 years × 12 regions and 75 provinces × 3 reporting organisations × (total, F, M)
//!   = 112,752 `data_value` rows.
//!
//! Then it asks the dashboard question — every indicator of both frameworks for 2021
//! by region and sex, aggregate values plus the people counted from records — best of
//! `BENCH_RUNS` (default 3) warm runs, in two ways: the per-framework grid
//! ([`Service::values_grid`], what the framework page runs) and one
//! [`Service::indicator_values`] call per indicator (what an indicator page runs). It
//! then approves a new value and checks the next answer shows it (no rebuild job).
//!
//! On SQLite, and on PostgreSQL when `PASSERELLE_TEST_POSTGRES_URL` is set. Writes the
//! same data as CSV under `BENCH_DIR` for the DuckDB peer (`scripts/bench-indicators/run.sh`).

use passerelle_domain::casework::LegalStatus;
use passerelle_service::values::{GridQuery, ValuesQuery};
use passerelle_service::{Service, ServiceConfig};
use passerelle_store::{Backend, Store, testing};
use std::io::Write;
use std::time::Instant;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// Service types with their share of the services (per mille) and the organisations
/// (a family: the head office and its branches) that deliver them.
const SERVICES: &[(&str, u64, &str)] = &[
    ("reception", 100, "EN"),
    ("social_assistance", 150, "EN"),
    ("health", 150, "EN"),
    ("psychosocial", 80, "EN"),
    ("legal_aid", 50, "CARITAS"),
    ("shelter", 50, "EN"),
    ("education", 80, "AMAPPE"),
    ("follow_up_interview", 120, "EN"),
    ("training_enrolment", 40, "OFPPT"),
    ("training_completion", 30, "OFPPT"),
    ("employment_registration", 30, "ANAPEC"),
    ("positioning_interview", 30, "ANAPEC"),
    ("job_search_workshop", 30, "ANAPEC"),
    ("placement", 15, "ANAPEC"),
    ("aided_contract", 10, "ANAPEC"),
    ("self_employment_awareness", 15, "ANAPEC"),
    ("business_plan", 10, "ANAPEC"),
    ("financing", 5, "AMAPPE"),
    ("enterprise_created", 5, "AMAPPE"),
];

const NATIONALITIES: &[(&str, u64)] = &[
    ("SN", 20),
    ("CI", 15),
    ("GN", 15),
    ("CM", 10),
    ("ML", 10),
    ("NG", 8),
    ("CD", 6),
    ("SY", 6),
    ("YE", 3),
    ("SD", 3),
    ("FR", 2),
    ("ES", 2),
];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Buffers rows per table and writes each table's rows as one statement per `BATCH`
/// rows, all in one transaction at a time (SQLite has a single writer) of about
/// `TX_ROWS` rows.
struct Loader<'a> {
    store: &'a Store,
    tables: Vec<(&'static str, &'static str, Vec<String>)>,
    tx: Option<passerelle_store::Tx>,
    in_tx: usize,
}

const BATCH: usize = 1000;
const TX_ROWS: usize = 200_000;

impl<'a> Loader<'a> {
    fn new(store: &'a Store, tables: &[(&'static str, &'static str)]) -> Self {
        Loader {
            store,
            tables: tables
                .iter()
                .map(|(t, c)| (*t, *c, Vec::with_capacity(BATCH)))
                .collect(),
            tx: None,
            in_tx: 0,
        }
    }
    async fn push(&mut self, table: usize, row: String) {
        self.tables[table].2.push(row);
        if self.tables[table].2.len() >= BATCH {
            self.flush(table).await;
        }
    }
    async fn flush(&mut self, table: usize) {
        let (name, columns, rows) = &mut self.tables[table];
        if rows.is_empty() {
            return;
        }
        let sql = format!("insert into {name} ({columns}) values {}", rows.join(","));
        let n = rows.len();
        rows.clear();
        if self.tx.is_none() {
            self.tx = Some(self.store.begin().await.expect("begin"));
        }
        if let Some(tx) = self.tx.as_mut() {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **tx)
                .await
                .expect("insert");
        }
        self.in_tx += n;
        if self.in_tx >= TX_ROWS {
            // Rows of the other tables still buffered refer only to committed rows
            // once flushed in order (people before their services).
            if let Some(tx) = self.tx.take() {
                tx.commit().await.expect("commit");
            }
            self.in_tx = 0;
        }
    }
    async fn finish(mut self) {
        for t in 0..self.tables.len() {
            self.flush(t).await;
        }
        if let Some(tx) = self.tx.take() {
            tx.commit().await.expect("commit");
        }
    }
}

fn csv_out(
    dir: &str,
    name: &str,
    header: &str,
    write: bool,
) -> Option<std::io::BufWriter<std::fs::File>> {
    if !write {
        return None;
    }
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(format!("{dir}/{name}")).expect("csv"));
    writeln!(f, "{header}").expect("write");
    Some(f)
}

#[tokio::main]
async fn main() {
    let out_dir =
        std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/passerelle-bench-indicators".into());
    std::fs::create_dir_all(&out_dir).expect("bench dir");
    let people = env_num("BENCH_PEOPLE", 1_000_000);
    let runs = env_num("BENCH_RUNS", 3).max(1);
    for backend in testing::backends() {
        let write_csv = backend == Backend::Sqlite;
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
        let orgs = {
            let mut conn = store.conn().await.expect("conn");
            passerelle_store::orgs::list(&mut conn).await.expect("orgs")
        };
        let family = |head: &str| -> Vec<(i64, String)> {
            orgs.iter()
                .filter(|o| {
                    let c = o.code.as_str();
                    c == head || c.strip_prefix(head).is_some_and(|r| r.starts_with('-'))
                })
                .map(|o| (o.id.0, o.code.as_str().to_string()))
                .collect()
        };
        let service_orgs: Vec<Vec<(i64, String)>> =
            SERVICES.iter().map(|(_, _, head)| family(head)).collect();
        let en = family("EN")[0].0;
        let regions = svc.territories(None).await.expect("regions");
        let mut places: Vec<(String, Option<String>)> =
            regions.iter().map(|r| (r.code.to_string(), None)).collect();
        for r in &regions {
            for p in svc.territories(Some(&r.code)).await.expect("provinces") {
                places.push((p.code.to_string(), Some(r.code.to_string())));
            }
        }
        let provinces: Vec<&String> = places
            .iter()
            .filter(|(_, r)| r.is_some())
            .map(|(p, _)| p)
            .collect();
        // The big cities' provinces take more people.
        let big = [
            "MA-RAB", "MA-CAS", "MA-TNG", "MA-OUJ", "MA-NAD", "MA-FES", "MA-SAL", "MA-MAR",
        ];
        let province_weights: Vec<u64> = provinces
            .iter()
            .map(|p| if big.contains(&p.as_str()) { 40 } else { 6 })
            .collect();
        if let Some(mut f) = csv_out(
            &out_dir,
            "territories.csv",
            "code,parent_code,level",
            write_csv,
        ) {
            for (code, region) in &places {
                let level = if region.is_some() {
                    "province"
                } else {
                    "region"
                };
                writeln!(f, "{code},{},{level}", region.clone().unwrap_or_default())
                    .expect("write");
            }
        }

        // Aggregate values.
        let started = Instant::now();
        if backend == Backend::Postgres {
            // The generator writes consistent rows; PostgreSQL's per-row foreign-key
            // triggers would triple the load time. Needs a superuser (the throwaway
            // cluster's); harmless to skip otherwise.
            let mut conn = store.conn().await.expect("conn");
            let _ = sqlx::query("alter table service_event disable trigger all")
                .execute(&mut *conn)
                .await;
            let _ = sqlx::query("alter table person disable trigger all")
                .execute(&mut *conn)
                .await;
        }
        let mut seed = Lcg(42);
        let mut values_csv = csv_out(
            &out_dir,
            "values.csv",
            "indicator_code,period,territory_code,organisation_code,cells,status,value",
            write_csv,
        );
        let mut loader = Loader::new(
            &store,
            &[(
                "data_value",
                "framework_code, indicator_code, period, period_start, period_end, territory_code, organisation_code, cells, value, qualifier, status, source, created_at, updated_at",
            )],
        );
        let mut n_values = 0u64;
        for (fw, ind) in &indicators {
            for year in ["2019", "2020", "2021", "2022"] {
                for (place, _) in &places {
                    for org in ["ANAPEC", "MEN", "OIM"] {
                        let f = seed.below(500);
                        let m = seed.below(500);
                        for (cells, value) in [("", f + m), ("sex=F", f), ("sex=M", m)] {
                            n_values += 1;
                            loader
                                .push(0, format!(
                                    "('{fw}','{ind}','{year}','{year}-01-01','{year}-12-31','{place}','{org}','{cells}',{value},'exact','approved','bench','2026-01-01T00:00:00.000000Z','2026-01-01T00:00:00.000000Z')"
                                ))
                                .await;
                            if let Some(f) = values_csv.as_mut() {
                                writeln!(f, "{ind},{year},{place},{org},{cells},approved,{value}")
                                    .expect("write");
                            }
                        }
                    }
                }
            }
        }
        loader.finish().await;
        drop(values_csv);

        // People.
        let mut people_csv = csv_out(
            &out_dir,
            "people.csv",
            "person_id,sex,birth_year,nationality,legal_status,territory_code",
            write_csv,
        );
        let mut events_csv = csv_out(
            &out_dir,
            "events.csv",
            "person_id,organisation_code,service_type,delivered_on,territory_code",
            write_csv,
        );
        // People (table 0) are flushed before the services that refer to them (table 1).
        let mut loader = Loader::new(
            &store,
            &[
                (
                    "person",
                    "person_id, organisation_id, sex, birth_year, nationality, territory_code, legal_status, created_by, created_at, updated_at",
                ),
                (
                    "service_event",
                    "person_id, organisation_id, service_type, delivered_on, territory_code, recorded_by, recorded_at",
                ),
            ],
        );
        let days: Vec<String> = {
            let mut d = Vec::new();
            for (year, leap) in [(2020, true), (2021, false), (2022, false)] {
                let months = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                for (m, n) in months.iter().enumerate() {
                    for day in 1..=*n {
                        d.push(format!("{year}-{:02}-{day:02}", m + 1));
                    }
                }
            }
            d
        };
        let nat_weights: Vec<u64> = NATIONALITIES.iter().map(|(_, w)| *w).collect();
        let service_weights: Vec<u64> = SERVICES.iter().map(|(_, w, _)| *w).collect();
        let statuses = LegalStatus::ALL;
        let mut seed = Lcg(7);
        let mut n_events = 0u64;
        for i in 0..people {
            let id = 10_000_000 + i as i64;
            let sex = if seed.below(100) < 45 { "F" } else { "M" };
            let birth_year = 1960 + seed.below(55);
            let nat = NATIONALITIES[seed.weighted(&nat_weights)].0;
            let status = statuses[seed.below(statuses.len() as u64) as usize].as_str();
            let home = provinces[seed.weighted(&province_weights)];
            loader
                .push(0, format!(
                    "({id},{en},'{sex}',{birth_year},'{nat}','{home}','{status}',1,'2026-01-01T00:00:00.000000Z','2026-01-01T00:00:00.000000Z')"
                ))
                .await;
            if let Some(f) = people_csv.as_mut() {
                writeln!(f, "{id},{sex},{birth_year},{nat},{status},{home}").expect("write");
            }
            for _ in 0..5 + seed.below(11) {
                let s = seed.weighted(&service_weights);
                let family = &service_orgs[s];
                let (org_id, org_code) = &family[seed.below(family.len() as u64) as usize];
                let day = &days[seed.below(days.len() as u64) as usize];
                let place = match seed.below(20) {
                    0 => Some(provinces[seed.below(provinces.len() as u64) as usize].as_str()),
                    1 | 2 => None,
                    _ => Some(home.as_str()),
                };
                let place_sql = place
                    .map(|p| format!("'{p}'"))
                    .unwrap_or_else(|| "null".into());
                if loader.tables[1].2.len() + 1 >= BATCH {
                    loader.flush(0).await;
                }
                loader
                    .push(1, format!(
                        "({id},{org_id},'{}','{day}',{place_sql},1,'2026-01-01T00:00:00.000000Z')",
                        SERVICES[s].0
                    ))
                    .await;
                n_events += 1;
                if let Some(f) = events_csv.as_mut() {
                    writeln!(
                        f,
                        "{id},{org_code},{},{day},{}",
                        SERVICES[s].0,
                        place.unwrap_or("")
                    )
                    .expect("write");
                }
            }
        }
        loader.finish().await;
        drop((people_csv, events_csv));
        // The rows went in around the store's functions (which write each service's
        // fact in its transaction): derive the engine's facts once, as a migration does.
        let facts_started = Instant::now();
        let facts = {
            let mut conn = store.conn().await.expect("conn");
            passerelle_store::facts::rebuild(&mut conn)
                .await
                .expect("facts")
        };
        println!(
            "{}: derived {facts} service facts in {:.0} s",
            backend.as_str(),
            facts_started.elapsed().as_secs_f64()
        );
        // Planner statistics (and on PostgreSQL the visibility map), as autovacuum and
        // SQLite's `pragma optimize` (run by the store on each new connection) keep
        // them in production.
        {
            let mut conn = store.conn().await.expect("conn");
            let sql = match backend {
                // Statistics and the visibility map that lets index-only scans skip the table.
                Backend::Postgres => "vacuum analyze",
                Backend::Sqlite => "analyze",
            };
            sqlx::query(sql).execute(&mut *conn).await.expect("analyze");
        }
        if backend == Backend::Postgres {
            let mut conn = store.conn().await.expect("conn");
            for t in ["service_event", "person"] {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "alter table {t} enable trigger all"
                )))
                .execute(&mut *conn)
                .await;
            }
        }
        let load = started.elapsed();
        println!(
            "{}: loaded {n_values} aggregate values, {people} people, {n_events} service events in {:.0} s",
            backend.as_str(),
            load.as_secs_f64()
        );

        let frameworks = ["SNIA", "AMUDDU"];
        let grid = |fw: &str| GridQuery {
            framework: fw.to_string(),
            period: "2021".into(),
            territory: None,
            by: vec!["territory".into(), "sex".into()],
            include_submitted: false,
        };
        // Warm once, then time; the two ways must give the same lines.
        let mut best_grid = f64::MAX;
        let mut grid_lines = 0;
        let mut grid_total = 0.0;
        for run in 0..=runs {
            let t = Instant::now();
            grid_lines = 0;
            grid_total = 0.0;
            for fw in frameworks {
                for table in svc.values_grid(None, &grid(fw)).await.expect("grid") {
                    grid_lines += table.rows.len();
                    grid_total += table.rows.iter().map(|r| r.value).sum::<f64>();
                }
            }
            if run > 0 {
                best_grid = best_grid.min(t.elapsed().as_secs_f64());
            }
        }
        // One call per indicator, timing apart those that also count people from records.
        let mut best_calls = f64::MAX;
        let mut best_split = (f64::MAX, f64::MAX);
        let mut call_lines = 0;
        let mut call_total = 0.0;
        for run in 0..=runs {
            let t = Instant::now();
            let mut split = (0.0, 0.0);
            call_lines = 0;
            call_total = 0.0;
            for (_, ind) in &indicators {
                let q = ValuesQuery {
                    indicator: ind.clone(),
                    period: "2021".into(),
                    territory: None,
                    by: vec!["territory".into(), "sex".into()],
                    include_submitted: false,
                    audience: Default::default(),
                };
                let one = Instant::now();
                let table = svc.indicator_values(None, &q).await.expect("values");
                if passerelle_service::records::source(ind).is_some() {
                    split.1 += one.elapsed().as_secs_f64();
                } else {
                    split.0 += one.elapsed().as_secs_f64();
                }
                call_lines += table.rows.len();
                call_total += table.rows.iter().map(|r| r.value).sum::<f64>();
            }
            if run > 0 && t.elapsed().as_secs_f64() < best_calls {
                best_calls = t.elapsed().as_secs_f64();
                best_split = split;
            }
        }
        assert_eq!((grid_lines, grid_total), (call_lines, call_total));
        println!(
            "{}: {} indicators × region × sex for 2021 ({grid_lines} lines, sum {grid_total}): grid best of {runs} = {best_grid:.3} s; one call per indicator = {best_calls:.3} s (aggregate-only indicators {:.3} s, the {} also counting people from records {:.3} s)",
            backend.as_str(),
            indicators.len(),
            best_split.0,
            indicators
                .iter()
                .filter(|(_, i)| passerelle_service::records::source(i).is_some())
                .count(),
            best_split.1,
        );

        // A newly approved value shows in the very next answer.
        let (_, first) = &indicators[0];
        let csv = format!(
            "indicator,period,territory,organisation,value,sex\n{first},2021,MA-01,OFPPT,7,F\n"
        );
        svc.import_values(None, &csv, "bench", "bench")
            .await
            .map_err(|e| format!("{e:?}"))
            .expect("import");
        let t = Instant::now();
        let mut after = 0.0;
        for table in svc.values_grid(None, &grid("SNIA")).await.expect("grid") {
            after += table.rows.iter().map(|r| r.value).sum::<f64>();
        }
        let mut before = 0.0;
        for table in svc.values_grid(None, &grid("AMUDDU")).await.expect("grid") {
            before += table.rows.iter().map(|r| r.value).sum::<f64>();
        }
        assert_eq!(
            after + before,
            grid_total + 7.0,
            "the new value shows at once"
        );
        println!(
            "{}: a value approved now is in the next answer ({:.3} s, no rebuild job)",
            backend.as_str(),
            t.elapsed().as_secs_f64()
        );
        store.close().await;
    }
}
