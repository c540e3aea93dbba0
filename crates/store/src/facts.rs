//! People counted from services, without a join at counting time.
//!
//! `service_fact` holds one row per service event with everything the indicator engine
//! groups and counts by: the service's type, year, day and organisation, its place
//! (else the person's) with that place's region, and the person's sex, birth year,
//! legal status, nationality and unit (their cluster when registrations are linked,
//! else themselves). It is not a cache with a rebuild job: every function that writes
//! a service, a person or the clusters calls [`insert_event`] or [`refresh_people`]
//! in its own transaction, so the facts are always what a join would say — the
//! property the tests check against a direct recount.
//!
//! Counting distinct people then reads one index range in the order of the lines
//! (`service_type, year, region_code, sex, unit_id`): no join, no sort for the
//! dashboard's region × sex question.

use crate::{Conn, StoreError};
use sqlx::Row;

/// The one derivation of a fact from its service, person and place, for the rows
/// `filter` selects (over `service_event e`).
fn derive(filter: &str) -> String {
    format!(
        "insert into service_fact (event_id, person_id, unit_id, service_type, year, delivered_on, organisation_id,
            territory_code, region_code, sex, birth_year, legal_status, nationality)
         select e.event_id, e.person_id, coalesce(p.cluster_id, p.person_id), e.service_type,
            cast(substr(e.delivered_on, 1, 4) as integer), e.delivered_on, e.organisation_id, t.code,
            case when t.level = 'province' then t.parent_code else t.code end,
            p.sex, p.birth_year, p.legal_status, p.nationality
         from service_event e
         join person p on p.person_id = e.person_id
         left join territory t on t.code = coalesce(e.territory_code, p.territory_code)
         where {filter}"
    )
}

/// Writes the fact of a service just recorded (in the same transaction).
pub async fn insert_event(conn: &mut Conn, event_id: i64) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(derive("e.event_id = $1")))
        .bind(event_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rewrites the facts of these people's services (after a change to their identity,
/// legal status, place of residence or cluster).
pub async fn refresh_people(conn: &mut Conn, people: &[i64]) -> Result<(), StoreError> {
    for chunk in people.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let list = list.join(", ");
        let delete = format!("delete from service_fact where person_id in ({list})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(delete));
        for p in chunk {
            q = q.bind(*p);
        }
        q.execute(&mut *conn).await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(derive(&format!(
            "e.person_id in ({list})"
        ))));
        for p in chunk {
            q = q.bind(*p);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rewrites every fact from the services (for data loaded in bulk around the store's
/// functions, as the benchmarks do). Returns the number of facts.
///
/// The indexes are dropped and built again after the rows, as migration `0012` does:
/// a sorted build is an order of magnitude faster than ten million random inserts.
/// Meant for bulk loads, not while the store serves.
pub async fn rebuild(conn: &mut Conn) -> Result<i64, StoreError> {
    for (name, _) in INDEXES {
        sqlx::query(sqlx::AssertSqlSafe(format!("drop index if exists {name}")))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("delete from service_fact")
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(derive("1 = 1")))
        .execute(&mut *conn)
        .await?;
    for (name, columns) in INDEXES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "create index {name} on service_fact ({columns})"
        )))
        .execute(&mut *conn)
        .await?;
    }
    Ok(done.rows_affected() as i64)
}

/// The facts' indexes, as migration `0012` creates them (a test checks they match).
const INDEXES: [(&str, &str); 3] = [
    (
        "service_fact_lines",
        "service_type, year, region_code, sex, unit_id, organisation_id, delivered_on, territory_code",
    ),
    (
        "service_fact_units",
        "service_type, year, unit_id, organisation_id, delivered_on, region_code, territory_code",
    ),
    ("service_fact_by_person", "person_id"),
];

/// What to count people over: services of `types` delivered in `[start, end]` (dates),
/// by the organisations `organisations` (all when `None`), in `scope` (a territory
/// code; `MA` for the whole country).
pub struct PeopleAsk<'a> {
    pub types: &'a [&'a str],
    pub start: &'a str,
    pub end: &'a str,
    pub organisations: Option<&'a [i64]>,
    pub scope: &'a str,
    /// The dimensions of the lines, in order: `sex`, `age`, `status`, `nationality`,
    /// `territory` (the regions for `MA`, else the scope's children), `organisation`.
    pub by: &'a [String],
    /// The year ages are counted at.
    pub age_year: i64,
}

/// People served, each counted once however many services and organisations: the
/// lines, one per combination of the `by` dimensions (a person lacking one of them,
/// say no birth year for `age`, is left out of the lines), from [`people_lines`], and
/// everyone, from [`people_total`] — independent reads of the same index ranges, which
/// a caller runs on two connections at once. Registrations linked as one person
/// (`passerelle people link`, supervisors' decisions) count once: their cluster is the
/// unit counted.
pub type PeopleCounts = (Vec<(Vec<String>, i64)>, i64);

/// Everyone: the distinct units among the services asked.
pub async fn people_total(conn: &mut Conn, ask: &PeopleAsk<'_>) -> Result<i64, StoreError> {
    let Some(plan) = Plan::new(ask) else {
        return Ok(0);
    };
    let sql = format!(
        "select count(*) as n from (select f.unit_id from service_fact f where {} group by f.unit_id) u",
        plan.filter
    );
    Ok(plan
        .bind(ask, sql)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

/// The lines: distinct units per combination of the `by` dimensions, sorted.
pub async fn people_lines(
    conn: &mut Conn,
    ask: &PeopleAsk<'_>,
) -> Result<Vec<(Vec<String>, i64)>, StoreError> {
    let Some(plan) = Plan::new(ask) else {
        return Ok(Vec::new());
    };
    if plan.exprs.is_empty() {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = plan
        .exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{e} as d{i}"))
        .collect();
    // Grouped in the index's order when the lines are by region and sex, so each
    // group's distinct units are counted as the range is read, without a sort.
    let positions: Vec<String> = (1..=plan.exprs.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "select {}, count(distinct f.unit_id) as n from service_fact f where {} group by {}",
        columns.join(", "),
        plan.filter,
        positions.join(", ")
    );
    let rows = plan.bind(ask, sql).fetch_all(&mut *conn).await?;
    let org_at = ask.by.iter().position(|d| d == "organisation");
    let codes = match org_at {
        Some(_) => crate::orgs::list(&mut *conn)
            .await?
            .into_iter()
            .map(|o| (o.id.0.to_string(), o.code.as_str().to_string()))
            .collect(),
        None => std::collections::HashMap::new(),
    };
    let mut lines = Vec::new();
    for r in &rows {
        let key: Option<Vec<String>> = (0..plan.exprs.len())
            .map(|i| r.try_get::<Option<String>, _>(i))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .enumerate()
            .map(|(i, v)| match (v, org_at) {
                (Some(id), Some(at)) if at == i => codes.get(&id).cloned(),
                (v, _) => v,
            })
            .collect();
        if let Some(key) = key {
            lines.push((key, r.try_get("n")?));
        }
    }
    lines.sort();
    Ok(lines)
}

/// The `where` clause and the line expressions of a count, with their placeholders:
/// `$1` start, `$2` end, then the years, the types, the organisations and the scope,
/// bound in that order by [`Plan::bind`].
struct Plan {
    filter: String,
    exprs: Vec<String>,
    years: (i64, i64),
    national: bool,
}

impl Plan {
    /// `None` when nothing can match (no types, an empty organisation list, a period
    /// without a year).
    fn new(ask: &PeopleAsk<'_>) -> Option<Plan> {
        if ask.types.is_empty() || ask.organisations.is_some_and(<[i64]>::is_empty) {
            return None;
        }
        let years = (year_of(ask.start)?, year_of(ask.end)?);
        let mut n = 3;
        let mut list = |len: usize| {
            let out: Vec<String> = (n..n + len).map(|i| format!("${i}")).collect();
            n += len;
            out.join(", ")
        };
        let year_filter = if years.0 == years.1 {
            format!("f.year = {}", list(1))
        } else {
            let (a, b) = (list(1), list(1));
            format!("f.year >= {a} and f.year <= {b}")
        };
        let types = list(ask.types.len());
        // One type is an equality, so the index gives the lines in order.
        let mut filter = if ask.types.len() == 1 {
            format!("f.service_type = {types} and {year_filter}")
        } else {
            format!("f.service_type in ({types}) and {year_filter}")
        };
        // Whole calendar years are the years' index range already.
        let whole_years =
            ask.start.get(4..) == Some("-01-01") && ask.end.get(4..) == Some("-12-31");
        if !whole_years {
            filter.push_str(" and f.delivered_on >= $1 and f.delivered_on <= $2");
        }
        if let Some(orgs) = ask.organisations {
            filter.push_str(&format!(" and f.organisation_id in ({})", list(orgs.len())));
        }
        let national = ask.scope == "MA";
        let scope = if national { String::new() } else { list(1) };
        if !national {
            filter.push_str(&format!(
                " and (f.territory_code = {scope} or f.region_code = {scope})"
            ));
        }
        let status_case = {
            let arms: String = passerelle_domain::casework::LegalStatus::ALL
                .iter()
                .map(|s| format!(" when '{}' then '{}'", s.as_str(), s.indicator_category()))
                .collect();
            format!("case f.legal_status{arms} end")
        };
        let exprs = ask
            .by
            .iter()
            .map(|d| match d.as_str() {
                "sex" => "f.sex".to_string(),
                "age" => format!(
                    "case when f.birth_year is null then null when {} - f.birth_year < 18 then 'minor' else 'adult' end",
                    ask.age_year
                ),
                "status" => status_case.clone(),
                "nationality" => "f.nationality".to_string(),
                "territory" if national => "f.region_code".to_string(),
                "territory" => format!(
                    "case when f.region_code = {scope} and f.territory_code <> {scope} then f.territory_code end"
                ),
                "organisation" => "cast(f.organisation_id as text)".to_string(),
                _ => "null".to_string(),
            })
            .collect();
        Some(Plan {
            filter,
            exprs,
            years,
            national,
        })
    }

    fn bind<'q>(
        &self,
        ask: &'q PeopleAsk<'q>,
        sql: String,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ask.start)
            .bind(ask.end)
            .bind(self.years.0);
        if self.years.0 != self.years.1 {
            q = q.bind(self.years.1);
        }
        for t in ask.types {
            q = q.bind(*t);
        }
        if let Some(orgs) = ask.organisations {
            for o in orgs {
                q = q.bind(*o);
            }
        }
        if self.national { q } else { q.bind(ask.scope) }
    }
}

fn year_of(date: &str) -> Option<i64> {
    date.get(0..4)?.parse().ok()
}

/// The years in which services of these types were delivered, newest first: one
/// index lookup per year found, however many services.
pub async fn service_years(conn: &mut Conn, types: &[&str]) -> Result<Vec<String>, StoreError> {
    let mut years = std::collections::BTreeSet::new();
    for t in types {
        let mut below = i64::MAX;
        loop {
            let year: Option<i64> = sqlx::query_scalar(
                "select max(year) from service_fact where service_type = $1 and year < $2",
            )
            .bind(*t)
            .bind(below)
            .fetch_one(&mut *conn)
            .await?;
            let Some(year) = year else { break };
            years.insert(year);
            below = year;
        }
    }
    Ok(years.into_iter().rev().map(|y| y.to_string()).collect())
}

#[cfg(test)]
mod tests {
    //! The facts against what a join over services and people says, after random
    //! services, identity changes, legal statuses and links between registrations.

    use super::*;
    use crate::casework::{self as cw, PersonRow, ServiceEventRow, StatusRow};
    use crate::testing;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    /// Both reads of a count, one after the other.
    async fn people_counts(
        conn: &mut Conn,
        ask: &PeopleAsk<'_>,
    ) -> Result<PeopleCounts, StoreError> {
        let total = people_total(conn, ask).await?;
        if ask.by.is_empty() || total == 0 {
            return Ok((Vec::new(), total));
        }
        Ok((people_lines(conn, ask).await?, total))
    }

    /// The query the engine ran before the facts (joins at counting time): the oracle.
    async fn recount(
        conn: &mut Conn,
        ask: &PeopleAsk<'_>,
    ) -> Result<(Vec<(Vec<String>, i64)>, i64), StoreError> {
        if ask.types.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let mut n = 3;
        let mut list = |len: usize| {
            let out: Vec<String> = (n..n + len).map(|i| format!("${i}")).collect();
            n += len;
            out.join(", ")
        };
        let types = list(ask.types.len());
        let mut filter = format!(
            "e.delivered_on >= $1 and e.delivered_on <= $2 and e.service_type in ({types})"
        );
        if let Some(orgs) = ask.organisations {
            if orgs.is_empty() {
                return Ok((Vec::new(), 0));
            }
            filter.push_str(&format!(" and e.organisation_id in ({})", list(orgs.len())));
        }
        let national = ask.scope == "MA";
        let scope = if national { String::new() } else { list(1) };
        if !national {
            filter.push_str(&format!(
                " and (t.code = {scope} or (t.level = 'province' and t.parent_code = {scope}))"
            ));
        }
        let status_case = {
            let arms: String = passerelle_domain::casework::LegalStatus::ALL
                .iter()
                .map(|s| format!(" when '{}' then '{}'", s.as_str(), s.indicator_category()))
                .collect();
            format!("case p.legal_status{arms} end")
        };
        let mut exprs = Vec::new();
        for d in ask.by {
            exprs.push(match d.as_str() {
                "sex" => "p.sex".to_string(),
                "age" => format!(
                    "case when p.birth_year is null then null when {} - p.birth_year < 18 then 'minor' else 'adult' end",
                    ask.age_year
                ),
                "status" => status_case.clone(),
                "nationality" => "p.nationality".to_string(),
                "territory" if national => {
                    "case when t.level = 'province' then t.parent_code else t.code end".to_string()
                }
                "territory" => format!("case when t.parent_code = {scope} then t.code end"),
                "organisation" => "o.code".to_string(),
                _ => "null".to_string(),
            });
        }
        let from = format!(
            "from service_event e join person p on p.person_id = e.person_id
             left join territory t on t.code = coalesce(e.territory_code, p.territory_code){}",
            if ask.by.iter().any(|d| d == "organisation") {
                " join organisation o on o.organisation_id = e.organisation_id"
            } else {
                ""
            }
        );
        let bind_all = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(ask.start)
                .bind(ask.end);
            for t in ask.types {
                q = q.bind(*t);
            }
            if let Some(orgs) = ask.organisations {
                for o in orgs {
                    q = q.bind(*o);
                }
            }
            if national { q } else { q.bind(ask.scope) }
        };
        // Registrations linked as one person (`passerelle people link`, supervisors'
        // decisions) count once: their cluster id stands for all of them.
        let clustered =
            sqlx::query("select person_id from person where cluster_id is not null limit 1")
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
        let who = if clustered {
            "coalesce(p.cluster_id, e.person_id)"
        } else {
            "e.person_id"
        };
        // Everyone: for the whole country the services' index alone answers it (when no
        // registrations are linked).
        let total_sql = if national && !clustered {
            format!("select count(distinct e.person_id) as n from service_event e where {filter}")
        } else {
            format!("select count(distinct {who}) as n {from} where {filter}")
        };
        let total: i64 = bind_all(total_sql)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        if ask.by.is_empty() || total == 0 {
            return Ok((Vec::new(), total));
        }
        let columns: Vec<String> = exprs
            .iter()
            .enumerate()
            .map(|(i, e)| format!("{e} as d{i}"))
            .collect();
        let positions: Vec<String> = (1..=exprs.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "select {}, count(distinct {who}) as n {from} where {filter} group by {}",
            columns.join(", "),
            positions.join(", ")
        );
        let rows = bind_all(sql).fetch_all(&mut *conn).await?;
        let mut lines = Vec::new();
        for r in &rows {
            let key: Option<Vec<String>> = (0..exprs.len())
                .map(|i| r.try_get::<Option<String>, _>(i))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .collect();
            if let Some(key) = key {
                lines.push((key, r.try_get("n")?));
            }
        }
        lines.sort();
        Ok((lines, total))
    }

    async fn fixtures(conn: &mut Conn) -> Vec<i64> {
        for (code, level, parent) in [
            ("MA-R1", "region", None),
            ("MA-R2", "region", None),
            ("MA-P1", "province", Some("MA-R1")),
            ("MA-P2", "province", Some("MA-R1")),
            ("MA-P3", "province", Some("MA-R2")),
        ] {
            sqlx::query(
                "insert into territory (code, level, parent_code, name_fr) values ($1, $2, $3, $1)",
            )
            .bind(code)
            .bind(level)
            .bind(parent)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        let mut orgs = Vec::new();
        for code in ["EN", "EN-RABAT", "ANAPEC"] {
            let id: i64 = sqlx::query_scalar(
                "insert into organisation (code, kind, name_fr, created_at, updated_at)
                 values ($1, 'public_agency', $1, '2026-01-01', '2026-01-01') returning organisation_id",
            )
            .bind(code)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            orgs.push(id);
        }
        orgs
    }

    const PLACES: [Option<&str>; 7] = [
        None,
        Some("MA-R1"),
        Some("MA-R2"),
        Some("MA-P1"),
        Some("MA-P2"),
        Some("MA-P3"),
        Some("MA-XX"),
    ];

    fn place(rng: &mut StdRng) -> Option<String> {
        PLACES[rng.gen_range(0..PLACES.len())].map(str::to_string)
    }

    fn person(rng: &mut StdRng, org: i64) -> PersonRow {
        let statuses = passerelle_domain::casework::LegalStatus::ALL;
        PersonRow {
            organisation_id: org,
            sex: if rng.gen_bool(0.5) { "F" } else { "M" }.into(),
            birth_year: rng.gen_bool(0.8).then(|| rng.gen_range(1990..2015)),
            nationality: rng
                .gen_bool(0.9)
                .then(|| ["SN", "ML", "SY"][rng.gen_range(0..3)].into()),
            territory_code: place(rng).filter(|p| p != "MA-XX"),
            legal_status: rng.gen_bool(0.8).then(|| {
                statuses[rng.gen_range(0..statuses.len())]
                    .as_str()
                    .to_string()
            }),
            created_by: 1,
            ..PersonRow::default()
        }
    }

    const TYPES: [&str; 3] = ["reception", "health", "placement"];

    #[test]
    fn rebuild_builds_the_migrations_indexes() {
        for sql in [
            include_str!("../migrations/sqlite/0012_service_facts.sql"),
            include_str!("../migrations/postgres/0012_service_facts.sql"),
        ] {
            for (name, columns) in INDEXES {
                let ddl = format!("create index {name} on service_fact ({columns});");
                assert!(sql.contains(&ddl), "{ddl}");
            }
        }
    }

    #[tokio::test]
    async fn facts_count_as_the_join_does() {
        for backend in testing::backends() {
            let store = testing::fresh_store(backend).await.unwrap();
            let mut conn = store.conn().await.unwrap();
            let orgs = fixtures(&mut conn).await;
            let mut rng = StdRng::seed_from_u64(7);
            let mut people = Vec::new();
            for round in 0..4 {
                for _ in 0..25 {
                    let org = orgs[rng.gen_range(0..orgs.len())];
                    let id = cw::insert_person(&mut conn, &person(&mut rng, org))
                        .await
                        .unwrap();
                    people.push(id);
                }
                for _ in 0..120 {
                    let year = rng.gen_range(2020..2023);
                    let e = ServiceEventRow {
                        person_id: people[rng.gen_range(0..people.len())],
                        organisation_id: orgs[rng.gen_range(0..orgs.len())],
                        service_type: TYPES[rng.gen_range(0..TYPES.len())].into(),
                        delivered_on: format!(
                            "{year}-{:02}-{:02}",
                            rng.gen_range(1..13),
                            rng.gen_range(1..29)
                        ),
                        territory_code: place(&mut rng),
                        recorded_by: 1,
                        ..ServiceEventRow::default()
                    };
                    cw::add_service_event(&mut conn, &e).await.unwrap();
                }
                // Identities corrected, legal statuses recorded, registrations linked
                // and unlinked.
                for _ in 0..10 {
                    let id = people[rng.gen_range(0..people.len())];
                    let old = cw::person(&mut conn, id).await.unwrap().unwrap();
                    let new = PersonRow {
                        id,
                        version: old.version,
                        ..person(&mut rng, old.organisation_id)
                    };
                    cw::update_person(&mut conn, &new).await.unwrap();
                    let status = StatusRow {
                        status: "refugee".into(),
                        since: None,
                        until: None,
                        detail_enc: None,
                        recorded_by: 1,
                        recorded_at: "2026-01-01".into(),
                    };
                    let id = people[rng.gen_range(0..people.len())];
                    cw::add_status(&mut conn, id, &status).await.unwrap();
                    let (a, b) = (
                        people[rng.gen_range(0..people.len())],
                        people[rng.gen_range(0..people.len())],
                    );
                    if a != b {
                        cw::upsert_pair(&mut conn, a.min(b), a.max(b), 0.9, "test")
                            .await
                            .unwrap();
                    }
                }
                if round >= 2 {
                    for p in cw::pairs(&mut conn, Some("linked"))
                        .await
                        .unwrap()
                        .iter()
                        .take(3)
                    {
                        cw::decide_pair(&mut conn, p.id, "distinct", 1)
                            .await
                            .unwrap();
                    }
                }
                cw::recompute_clusters(&mut conn).await.unwrap();
                compare(&mut conn, &orgs, round).await;
            }
            // What the store maintained is what a rebuild derives.
            let snapshot = |rows: Vec<sqlx::any::AnyRow>| -> Vec<String> {
                rows.iter()
                    .map(|r| {
                        (0..13)
                            .map(|i| {
                                r.try_get::<Option<String>, _>(i)
                                    .ok()
                                    .flatten()
                                    .or_else(|| {
                                        r.try_get::<Option<i64>, _>(i)
                                            .ok()
                                            .flatten()
                                            .map(|n| n.to_string())
                                    })
                                    .unwrap_or_default()
                            })
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                    .collect()
            };
            let all = "select event_id, person_id, unit_id, service_type, year, delivered_on, organisation_id,
                territory_code, region_code, sex, birth_year, legal_status, nationality from service_fact order by event_id";
            let kept = snapshot(sqlx::query(all).fetch_all(&mut *conn).await.unwrap());
            assert_eq!(rebuild(&mut conn).await.unwrap() as usize, kept.len());
            let rebuilt = snapshot(sqlx::query(all).fetch_all(&mut *conn).await.unwrap());
            assert_eq!(kept, rebuilt, "{backend:?}");
        }
    }

    async fn compare(conn: &mut Conn, orgs: &[i64], round: usize) {
        let dims: [&[&str]; 7] = [
            &[],
            &["sex"],
            &["territory", "sex"],
            &["age", "status"],
            &["nationality"],
            &["organisation", "territory"],
            &["territory", "age"],
        ];
        let periods = [
            ("2021-01-01", "2021-12-31"),
            ("2020-01-01", "2022-12-31"),
            ("2021-03-01", "2021-03-31"),
            ("2020-09-01", "2021-08-31"),
        ];
        let type_sets: [&[&str]; 3] = [&["reception"], &["health", "placement"], &TYPES];
        let some_orgs = [orgs[0], orgs[1]];
        for by in dims {
            let by: Vec<String> = by.iter().map(|d| d.to_string()).collect();
            for (start, end) in periods {
                for types in type_sets {
                    for scope in ["MA", "MA-R1", "MA-P1"] {
                        for organisations in [None, Some(&some_orgs[..])] {
                            let ask = PeopleAsk {
                                types,
                                start,
                                end,
                                organisations,
                                scope,
                                by: &by,
                                age_year: end[0..4].parse().unwrap(),
                            };
                            let facts = people_counts(conn, &ask).await.unwrap();
                            let join = recount(conn, &ask).await.unwrap();
                            assert_eq!(
                                facts, join,
                                "round {round}: {types:?} {start}/{end} {scope} {by:?} {organisations:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
