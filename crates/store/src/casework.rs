//! Case work's storage: people and their search keys, consents, legal status history,
//! household links, cases and their events, assessments, plan steps, notes, referrals,
//! services delivered, group activities.
//!
//! Values named `*_enc` arrive already encrypted from the service layer; this module
//! never sees them in clear. Records that two people may edit at once (person, case,
//! assessment, referral) carry a `version`: an update names the version it read and
//! changes nothing when another save came first ([`StoreError::Conflict`]).

use crate::{Conn, StoreError, now};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::borrow::Cow;

/// A column's name in a row where a join gave it the prefix `pre` (`p_` + `sex`).
fn col<'a>(pre: &str, name: &'a str) -> Cow<'a, str> {
    if pre.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{pre}{name}"))
    }
}

/// `columns` as `t.c as pre_c, …`, for a join whose tables share column names.
fn prefixed(table: &str, pre: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{table}.{c} as {pre}{c}", c = c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------- people

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonRow {
    pub id: i64,
    pub organisation_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub name_ar: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub birth_year: Option<i64>,
    pub birth_approximate: bool,
    pub nationality: Option<String>,
    pub languages: String,
    pub territory_code: Option<String>,
    pub legal_status: Option<String>,
    pub contact_enc: Option<String>,
    pub created_anyway: Option<String>,
    pub created_by: i64,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const PERSON_COLUMNS: &str = "person_id, organisation_id, given_name, family_name, name_ar, sex, birth_date, birth_year, birth_approximate,
    nationality, languages, territory_code, legal_status, contact_enc, created_anyway, created_by, created_at, updated_at, version";

fn person_from_row(r: &AnyRow) -> Result<PersonRow, StoreError> {
    person_from_row_as(r, "")
}

/// A person read from columns named with `pre` before their names (in a join).
fn person_from_row_as(r: &AnyRow, pre: &str) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        id: r.try_get(&*col(pre, "person_id"))?,
        organisation_id: r.try_get(&*col(pre, "organisation_id"))?,
        given_name: r.try_get(&*col(pre, "given_name"))?,
        family_name: r.try_get(&*col(pre, "family_name"))?,
        name_ar: r.try_get(&*col(pre, "name_ar"))?,
        sex: r.try_get(&*col(pre, "sex"))?,
        birth_date: r.try_get(&*col(pre, "birth_date"))?,
        birth_year: r.try_get(&*col(pre, "birth_year"))?,
        birth_approximate: r.try_get::<i64, _>(&*col(pre, "birth_approximate"))? != 0,
        nationality: r.try_get(&*col(pre, "nationality"))?,
        languages: r.try_get(&*col(pre, "languages"))?,
        territory_code: r.try_get(&*col(pre, "territory_code"))?,
        legal_status: r.try_get(&*col(pre, "legal_status"))?,
        contact_enc: r.try_get(&*col(pre, "contact_enc"))?,
        created_anyway: r.try_get(&*col(pre, "created_anyway"))?,
        created_by: r.try_get(&*col(pre, "created_by"))?,
        created_at: r.try_get(&*col(pre, "created_at"))?,
        updated_at: r.try_get(&*col(pre, "updated_at"))?,
        version: r.try_get(&*col(pre, "version"))?,
    })
}

pub async fn insert_person(conn: &mut Conn, p: &PersonRow) -> Result<i64, StoreError> {
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "insert into person (organisation_id, given_name, family_name, name_ar, sex, birth_date, birth_year, birth_approximate,
           nationality, languages, territory_code, legal_status, contact_enc, created_anyway, created_by, created_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1) returning person_id",
    )
    .bind(p.organisation_id)
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.name_ar)
    .bind(&p.sex)
    .bind(p.birth_date.as_deref())
    .bind(p.birth_year)
    .bind(i64::from(p.birth_approximate))
    .bind(p.nationality.as_deref())
    .bind(&p.languages)
    .bind(p.territory_code.as_deref())
    .bind(p.legal_status.as_deref())
    .bind(p.contact_enc.as_deref())
    .bind(p.created_anyway.as_deref())
    .bind(p.created_by)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Saves a person's identity if nobody saved it since `p.version` was read.
pub async fn update_person(conn: &mut Conn, p: &PersonRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update person set given_name = $1, family_name = $2, name_ar = $3, sex = $4, birth_date = $5, birth_year = $6,
           birth_approximate = $7, nationality = $8, languages = $9, territory_code = $10, legal_status = $11, contact_enc = $12,
           updated_at = $13, version = version + 1
         where person_id = $14 and version = $15",
    )
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.name_ar)
    .bind(&p.sex)
    .bind(p.birth_date.as_deref())
    .bind(p.birth_year)
    .bind(i64::from(p.birth_approximate))
    .bind(p.nationality.as_deref())
    .bind(&p.languages)
    .bind(p.territory_code.as_deref())
    .bind(p.legal_status.as_deref())
    .bind(p.contact_enc.as_deref())
    .bind(now())
    .bind(p.id)
    .bind(p.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    // Sex, birth year, nationality and place are what the indicators count by.
    crate::facts::refresh_people(conn, &[p.id]).await
}

pub async fn person(conn: &mut Conn, id: i64) -> Result<Option<PersonRow>, StoreError> {
    let sql = format!("select {PERSON_COLUMNS} from person where person_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(person_from_row).transpose()
}

pub async fn people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PersonRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("select {PERSON_COLUMNS} from person where person_id in ({list})");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(person_from_row).collect()
}

/// Replaces a person's search keys.
pub async fn set_keys(
    conn: &mut Conn,
    person_id: i64,
    keys: &[(String, String)],
) -> Result<(), StoreError> {
    sqlx::query("delete from person_key where person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    add_keys(conn, person_id, keys).await
}

/// Adds search keys in one statement.
pub async fn add_keys(
    conn: &mut Conn,
    person_id: i64,
    keys: &[(String, String)],
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let values = (0..keys.len())
        .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("insert into person_key (person_id, kind, key) values {values}");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person_id);
    for (kind, key) in keys {
        q = q.bind(kind).bind(key);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// People sharing at least one key, with the number of keys shared, most first; keys
/// held by more than `max_posting` people are ignored (they say nothing alone). One
/// index lookup per key, each reading at most `max_posting + 1` rows, so a search
/// costs the same in a registry of a thousand or of millions.
pub async fn candidates(
    conn: &mut Conn,
    keys: &[String],
    max_posting: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut hits: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            continue;
        }
        let ids: Vec<i64> =
            sqlx::query_scalar("select person_id from person_key where key = $1 limit $2")
                .bind(key)
                .bind(max_posting + 1)
                .fetch_all(&mut *conn)
                .await?;
        if ids.len() as i64 > max_posting {
            continue;
        }
        for id in ids {
            *hits.entry(id).or_default() += 1;
        }
    }
    let mut out: Vec<(i64, i64)> = hits.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

// ---------------------------------------------------------------- consents, status, household

#[derive(Debug, Clone, PartialEq)]
pub struct ConsentRow {
    pub id: i64,
    pub person_id: i64,
    pub purpose: String,
    pub scope: String,
    pub given_at: String,
    pub recorded_by: i64,
    pub organisation_id: i64,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by: Option<i64>,
}

pub async fn add_consent(
    conn: &mut Conn,
    person_id: i64,
    purpose: &str,
    scope: &str,
    user: i64,
    org: i64,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "insert into consent (person_id, purpose, scope, given_at, recorded_by, organisation_id)
         values ($1, $2, $3, $4, $5, $6) returning consent_id",
    )
    .bind(person_id)
    .bind(purpose)
    .bind(scope)
    .bind(now())
    .bind(user)
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn withdraw_consent(
    conn: &mut Conn,
    person_id: i64,
    consent_id: i64,
    user: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "update consent set withdrawn_at = $1, withdrawn_by = $2
         where consent_id = $3 and person_id = $4 and withdrawn_at is null",
    )
    .bind(now())
    .bind(user)
    .bind(consent_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn consents(conn: &mut Conn, person_id: i64) -> Result<Vec<ConsentRow>, StoreError> {
    let rows = sqlx::query(
        "select consent_id, person_id, purpose, scope, given_at, recorded_by, organisation_id, withdrawn_at, withdrawn_by
         from consent where person_id = $1 order by consent_id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ConsentRow {
                id: r.try_get("consent_id")?,
                person_id: r.try_get("person_id")?,
                purpose: r.try_get("purpose")?,
                scope: r.try_get("scope")?,
                given_at: r.try_get("given_at")?,
                recorded_by: r.try_get("recorded_by")?,
                organisation_id: r.try_get("organisation_id")?,
                withdrawn_at: r.try_get("withdrawn_at")?,
                withdrawn_by: r.try_get("withdrawn_by")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    pub status: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub detail_enc: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
}

pub async fn add_status(conn: &mut Conn, person_id: i64, s: &StatusRow) -> Result<(), StoreError> {
    sqlx::query(
        "insert into legal_status_history (person_id, status, since, until, detail_enc, recorded_by, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(person_id)
    .bind(&s.status)
    .bind(s.since.as_deref())
    .bind(s.until.as_deref())
    .bind(s.detail_enc.as_deref())
    .bind(s.recorded_by)
    .bind(&s.recorded_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update person set legal_status = $1 where person_id = $2")
        .bind(&s.status)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    crate::facts::refresh_people(conn, &[person_id]).await
}

pub async fn status_history(conn: &mut Conn, person_id: i64) -> Result<Vec<StatusRow>, StoreError> {
    let rows = sqlx::query(
        "select status, since, until, detail_enc, recorded_by, recorded_at from legal_status_history
         where person_id = $1 order by status_id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StatusRow {
                status: r.try_get("status")?,
                since: r.try_get("since")?,
                until: r.try_get("until")?,
                detail_enc: r.try_get("detail_enc")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

pub async fn link_household(
    conn: &mut Conn,
    a: i64,
    b: i64,
    relation: &str,
    user: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into household_link (person_id, other_person_id, relation, recorded_by, recorded_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(a)
    .bind(b)
    .bind(relation)
    .bind(user)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// (other person, relation) in both directions.
pub async fn household(conn: &mut Conn, person_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "select other_person_id as other, relation from household_link where person_id = $1
         union all select person_id as other, relation from household_link where other_person_id = $1",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("other")?, r.try_get("relation")?)))
        .collect()
}

// ---------------------------------------------------------------- cases

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseRow {
    pub id: i64,
    pub case_ref: String,
    pub person_id: i64,
    pub organisation_id: i64,
    pub assigned_user_id: Option<i64>,
    pub status: String,
    pub close_reason: Option<String>,
    pub transfer_org_id: Option<i64>,
    pub intake_id: Option<i64>,
    pub opened_by: i64,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub updated_at: String,
    pub version: i64,
}

const CASE_COLUMNS: &str = "case_id, case_ref, person_id, organisation_id, assigned_user_id, status, close_reason, transfer_org_id,
    intake_id, opened_by, opened_at, closed_at, updated_at, version";

fn case_from_row(r: &AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        id: r.try_get("case_id")?,
        case_ref: r.try_get("case_ref")?,
        person_id: r.try_get("person_id")?,
        organisation_id: r.try_get("organisation_id")?,
        assigned_user_id: r.try_get("assigned_user_id")?,
        status: r.try_get("status")?,
        close_reason: r.try_get("close_reason")?,
        transfer_org_id: r.try_get("transfer_org_id")?,
        intake_id: r.try_get("intake_id")?,
        opened_by: r.try_get("opened_by")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// Opens a case; its reference is the organisation code, the year and the id
/// (`EN-RABAT-2026-000042`).
pub async fn insert_case(
    conn: &mut Conn,
    c: &CaseRow,
    org_code: &str,
) -> Result<CaseRow, StoreError> {
    let ts = now();
    let provisional = format!("pending-{}-{}", c.person_id, ts);
    let id: i64 = sqlx::query_scalar(
        "insert into case_file (case_ref, person_id, organisation_id, assigned_user_id, status, intake_id, opened_by, opened_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) returning case_id",
    )
    .bind(&provisional)
    .bind(c.person_id)
    .bind(c.organisation_id)
    .bind(c.assigned_user_id)
    .bind(&c.status)
    .bind(c.intake_id)
    .bind(c.opened_by)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    let case_ref = format!("{org_code}-{}-{id:06}", &ts[0..4]);
    sqlx::query("update case_file set case_ref = $1 where case_id = $2")
        .bind(&case_ref)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    case(conn, id).await?.ok_or(StoreError::Conflict)
}

pub async fn case(conn: &mut Conn, id: i64) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("select {CASE_COLUMNS} from case_file where case_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(case_from_row).transpose()
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub organisation_id: Option<i64>,
    pub assigned_user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub transfer_to: Option<i64>,
    pub open_only: bool,
}

pub async fn cases(conn: &mut Conn, f: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    for (col, v) in [
        ("organisation_id", f.organisation_id),
        ("assigned_user_id", f.assigned_user_id),
        ("person_id", f.person_id),
        ("transfer_org_id", f.transfer_to),
    ] {
        if let Some(v) = v {
            binds.push(v);
            clauses.push(format!("{col} = ${}", binds.len()));
        }
    }
    if f.open_only {
        clauses.push("status <> 'closed'".to_string());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("where {}", clauses.join(" and "))
    };
    let sql =
        format!("select {CASE_COLUMNS} from case_file {filter} order by case_id desc limit 2000");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(case_from_row).collect()
}

/// Saves a case's workflow fields if nobody saved it since `c.version` was read.
pub async fn update_case(conn: &mut Conn, c: &CaseRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update case_file set organisation_id = $1, assigned_user_id = $2, status = $3, close_reason = $4, transfer_org_id = $5,
           closed_at = $6, updated_at = $7, version = version + 1
         where case_id = $8 and version = $9",
    )
    .bind(c.organisation_id)
    .bind(c.assigned_user_id)
    .bind(&c.status)
    .bind(c.close_reason.as_deref())
    .bind(c.transfer_org_id)
    .bind(c.closed_at.as_deref())
    .bind(now())
    .bind(c.id)
    .bind(c.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub at: String,
    pub user_id: Option<i64>,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(
    conn: &mut Conn,
    case_id: i64,
    user: Option<i64>,
    kind: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into case_event (case_id, at, user_id, kind, detail) values ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(now())
    .bind(user)
    .bind(kind)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut Conn, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
    let rows = sqlx::query(
        "select at, user_id, kind, detail from case_event where case_id = $1 order by event_id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseEvent {
                at: r.try_get("at")?,
                user_id: r.try_get("user_id")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- forms and assessments

pub async fn upsert_form(
    conn: &mut Conn,
    code: &str,
    version: i64,
    definition: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into form_def (form_code, form_version, definition, imported_at) values ($1, $2, $3, $4)
         on conflict (form_code, form_version) do update set definition = excluded.definition, imported_at = excluded.imported_at",
    )
    .bind(code)
    .bind(version)
    .bind(definition)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A form's definition at a version, or its latest version when `version` is `None`.
/// The newest loaded version of a form.
pub async fn form_latest_version(conn: &mut Conn, code: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("select max(form_version) from form_def where form_code = $1")
            .bind(code)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub async fn form(
    conn: &mut Conn,
    code: &str,
    version: Option<i64>,
) -> Result<Option<String>, StoreError> {
    let row: Option<String> = match version {
        Some(v) => {
            sqlx::query_scalar("select definition from form_def where form_code = $1 and form_version = $2")
                .bind(code)
                .bind(v)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_scalar(
                "select definition from form_def where form_code = $1 order by form_version desc limit 1",
            )
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    Ok(row)
}

/// A stored version of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormVersionRow {
    pub code: String,
    pub version: i64,
    pub imported_at: String,
    pub definition: String,
    /// Assessments filled in with this version.
    pub assessments: i64,
}

/// Every version of every form, by code then newest first.
pub async fn form_versions(conn: &mut Conn) -> Result<Vec<FormVersionRow>, StoreError> {
    let rows = sqlx::query(
        "select f.form_code, f.form_version, f.imported_at, f.definition,
           (select count(*) from assessment a where a.form_code = f.form_code and a.form_version = f.form_version) as n
         from form_def f order by f.form_code, f.form_version desc",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FormVersionRow {
                code: r.try_get("form_code")?,
                version: r.try_get("form_version")?,
                imported_at: r.try_get("imported_at")?,
                definition: r.try_get("definition")?,
                assessments: r.try_get("n")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRow {
    pub id: i64,
    pub case_id: i64,
    pub form_code: String,
    pub form_version: i64,
    pub answers_enc: String,
    pub created_by: i64,
    pub created_at: String,
    pub updated_by: i64,
    pub updated_at: String,
    pub version: i64,
}

const ASSESSMENT_COLUMNS: &str = "assessment_id, case_id, form_code, form_version, answers_enc, created_by, created_at, updated_by, updated_at, version";

fn assessment_from_row_as(r: &AnyRow, pre: &str) -> Result<AssessmentRow, StoreError> {
    Ok(AssessmentRow {
        id: r.try_get(&*col(pre, "assessment_id"))?,
        case_id: r.try_get(&*col(pre, "case_id"))?,
        form_code: r.try_get(&*col(pre, "form_code"))?,
        form_version: r.try_get(&*col(pre, "form_version"))?,
        answers_enc: r.try_get(&*col(pre, "answers_enc"))?,
        created_by: r.try_get(&*col(pre, "created_by"))?,
        created_at: r.try_get(&*col(pre, "created_at"))?,
        updated_by: r.try_get(&*col(pre, "updated_by"))?,
        updated_at: r.try_get(&*col(pre, "updated_at"))?,
        version: r.try_get(&*col(pre, "version"))?,
    })
}

pub async fn assessment(
    conn: &mut Conn,
    case_id: i64,
) -> Result<Option<AssessmentRow>, StoreError> {
    let sql = format!(
        "select {ASSESSMENT_COLUMNS} from assessment where case_id = $1 order by assessment_id desc limit 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| assessment_from_row_as(&r, "")).transpose()
}

/// What a case page reads first, in one statement (one hand-off to the database
/// instead of four): the case, its person, its current assessment, the name of the
/// user it is assigned to, and the reference lists' stamp
/// ([`crate::orgs::REFERENCE_STAMP`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseWithPerson {
    pub case: CaseRow,
    pub person: PersonRow,
    pub assessment: Option<AssessmentRow>,
    pub assigned_name: Option<String>,
    pub reference_stamp: String,
}

pub async fn case_with_person(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<CaseWithPerson>, StoreError> {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        format!(
            "select {case}, {person}, {assessment}, u.display_name as assigned_name,
               {stamp} as reference_stamp
             from case_file c
             join person p on p.person_id = c.person_id
             left join app_user u on u.user_id = c.assigned_user_id
             left join assessment a on a.assessment_id =
               (select max(assessment_id) from assessment where case_id = c.case_id)
             where c.case_id = $1",
            case = prefixed("c", "", CASE_COLUMNS),
            person = prefixed("p", "p_", PERSON_COLUMNS),
            assessment = prefixed("a", "a_", ASSESSMENT_COLUMNS),
            stamp = crate::orgs::REFERENCE_STAMP,
        )
    });
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let assessment = match r.try_get::<Option<i64>, _>("a_assessment_id")? {
        Some(_) => Some(assessment_from_row_as(&r, "a_")?),
        None => None,
    };
    Ok(Some(CaseWithPerson {
        case: case_from_row(&r)?,
        person: person_from_row_as(&r, "p_")?,
        assessment,
        assigned_name: r.try_get("assigned_name")?,
        reference_stamp: r.try_get("reference_stamp")?,
    }))
}

/// Creates the case's assessment (`expected_version` 0) or updates it if nobody saved
/// it since `expected_version`.
pub async fn save_assessment(
    conn: &mut Conn,
    case_id: i64,
    form_code: &str,
    form_version: i64,
    answers_enc: &str,
    user: i64,
    expected_version: i64,
) -> Result<(), StoreError> {
    let ts = now();
    let current = assessment(conn, case_id).await?;
    match current {
        None if expected_version == 0 => {
            sqlx::query(
                "insert into assessment (case_id, form_code, form_version, answers_enc, created_by, created_at, updated_by, updated_at, version)
                 values ($1, $2, $3, $4, $5, $6, $5, $6, 1)",
            )
            .bind(case_id)
            .bind(form_code)
            .bind(form_version)
            .bind(answers_enc)
            .bind(user)
            .bind(&ts)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        Some(a) if a.version == expected_version => {
            let done = sqlx::query(
                "update assessment set form_code = $1, form_version = $2, answers_enc = $3, updated_by = $4, updated_at = $5,
                   version = version + 1 where assessment_id = $6 and version = $7",
            )
            .bind(form_code)
            .bind(form_version)
            .bind(answers_enc)
            .bind(user)
            .bind(&ts)
            .bind(a.id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict);
            }
            Ok(())
        }
        _ => Err(StoreError::Conflict),
    }
}

// ---------------------------------------------------------------- plan and notes

#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub id: i64,
    pub case_id: i64,
    pub goal: String,
    pub step: String,
    pub due_date: Option<String>,
    pub status: String,
    pub done_at: Option<String>,
    pub created_by: i64,
    pub created_at: String,
}

pub async fn add_step(
    conn: &mut Conn,
    case_id: i64,
    goal: &str,
    step: &str,
    due: Option<&str>,
    user: i64,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "insert into plan_step (case_id, goal, step, due_date, status, created_by, created_at)
         values ($1, $2, $3, $4, 'planned', $5, $6) returning step_id",
    )
    .bind(case_id)
    .bind(goal)
    .bind(step)
    .bind(due)
    .bind(user)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn set_step_status(
    conn: &mut Conn,
    case_id: i64,
    step_id: i64,
    status: &str,
) -> Result<bool, StoreError> {
    let done_at = (status == "done").then(now);
    let r = sqlx::query(
        "update plan_step set status = $1, done_at = $2 where step_id = $3 and case_id = $4",
    )
    .bind(status)
    .bind(done_at.as_deref())
    .bind(step_id)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

const STEP_COLUMNS: &str =
    "step_id, case_id, goal, step, due_date, status, done_at, created_by, created_at";

fn step_from_row(r: &AnyRow) -> Result<StepRow, StoreError> {
    Ok(StepRow {
        id: r.try_get("step_id")?,
        case_id: r.try_get("case_id")?,
        goal: r.try_get("goal")?,
        step: r.try_get("step")?,
        due_date: r.try_get("due_date")?,
        status: r.try_get("status")?,
        done_at: r.try_get("done_at")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn steps(conn: &mut Conn, case_id: i64) -> Result<Vec<StepRow>, StoreError> {
    let sql = format!(
        "select {STEP_COLUMNS} from plan_step where case_id = $1 order by goal, coalesce(due_date, '9999'), step_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(step_from_row).collect()
}

/// Planned steps due before `today` in the given cases.
pub async fn overdue_steps(
    conn: &mut Conn,
    case_ids: &[i64],
    today: &str,
) -> Result<Vec<StepRow>, StoreError> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = case_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select {STEP_COLUMNS} from plan_step where case_id in ({list}) and status = 'planned' and due_date < $1 order by due_date"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(today)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(step_from_row).collect()
}

pub async fn add_note(
    conn: &mut Conn,
    case_id: i64,
    body_enc: &str,
    user: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into case_note (case_id, body_enc, created_by, created_at) values ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(body_enc)
    .bind(user)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// (body_enc, author, at), oldest first.
pub async fn notes(
    conn: &mut Conn,
    case_id: i64,
) -> Result<Vec<(String, i64, String)>, StoreError> {
    let rows = sqlx::query(
        "select body_enc, created_by, created_at from case_note where case_id = $1 order by note_id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("body_enc")?,
                r.try_get("created_by")?,
                r.try_get("created_at")?,
            ))
        })
        .collect()
}

/// What a case page lists of a case's history, read in one statement: its notes
/// (sealed body, author, date) and its events, each with its author's name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseJournal {
    pub notes: Vec<(String, i64, String, Option<String>)>,
    pub events: Vec<(CaseEvent, Option<String>)>,
}

pub async fn journal(conn: &mut Conn, case_id: i64) -> Result<CaseJournal, StoreError> {
    let rows = sqlx::query(
        "select j.source, j.at, j.user_id, j.kind, j.detail, u.display_name
         from (select 0 as source, note_id as id, created_at as at, created_by as user_id,
                      '' as kind, body_enc as detail
               from case_note where case_id = $1
               union all
               select 1, event_id, at, user_id, kind, detail
               from case_event where case_id = $1) j
         left join app_user u on u.user_id = j.user_id
         order by j.source, j.id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut journal = CaseJournal::default();
    for r in &rows {
        let name: Option<String> = r.try_get("display_name")?;
        let user_id: Option<i64> = r.try_get("user_id")?;
        if r.try_get::<i64, _>("source")? == 0 {
            journal.notes.push((
                r.try_get("detail")?,
                user_id.unwrap_or(0),
                r.try_get("at")?,
                name,
            ));
        } else {
            let event = CaseEvent {
                at: r.try_get("at")?,
                user_id,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            };
            journal.events.push((event, name));
        }
    }
    Ok(journal)
}

/// Everything a case page lists besides the case itself, read in one statement: the
/// case's referrals, plan steps, notes and events (each with its author's name), and
/// its person's services and consents. Each read is a hand-off to the database's
/// thread or a round trip; a page made of six of them spent more time handing off
/// than reading (issue #4's load figures). Each list comes in the order its own
/// reader gives (`referrals`, `steps`, `journal`, `service_events`, `consents`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseFileRows {
    pub referrals: Vec<ReferralRow>,
    pub steps: Vec<StepRow>,
    pub journal: CaseJournal,
    pub services: Vec<ServiceEventRow>,
    pub consents: Vec<ConsentRow>,
}

/// The branches of [`case_file_rows`]' union: a source number, up to eight whole
/// numbers, up to eight texts, the author (joined to a name once for the union) and
/// the table with its filter. Columns a branch lacks are typed nulls, so that
/// PostgreSQL resolves each column's type whatever the order of the branches.
type Branch = (
    i64,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    &'static str,
);

const CASE_FILE_BRANCHES: [Branch; 6] = [
    (
        0,
        &[
            "referral_id",
            "case_id",
            "person_id",
            "from_org_id",
            "to_org_id",
            "sent_by",
            "updated_by",
            "version",
        ],
        &[
            "service_code",
            "sections",
            "status",
            "reason_enc",
            "outcome_enc",
            "due_date",
            "sent_at",
            "updated_at",
        ],
        "",
        "referral where case_id = $1",
    ),
    (
        1,
        &["step_id", "case_id", "created_by"],
        &[
            "goal",
            "step",
            "due_date",
            "status",
            "done_at",
            "created_at",
        ],
        "",
        "plan_step where case_id = $1",
    ),
    (
        2,
        &["note_id"],
        &["created_at", "body_enc"],
        "created_by",
        "case_note where case_id = $1",
    ),
    (
        3,
        &["event_id"],
        &["at", "kind", "detail"],
        "user_id",
        "case_event where case_id = $1",
    ),
    (
        4,
        &[
            "event_id",
            "person_id",
            "case_id",
            "referral_id",
            "organisation_id",
            "recorded_by",
        ],
        &[
            "service_type",
            "delivered_on",
            "territory_code",
            "framework_node",
            "recorded_at",
        ],
        "",
        "service_event where person_id = $2",
    ),
    (
        5,
        &[
            "consent_id",
            "person_id",
            "recorded_by",
            "organisation_id",
            "withdrawn_by",
        ],
        &["purpose", "scope", "given_at", "withdrawn_at"],
        "",
        "consent where person_id = $2",
    ),
];

fn case_file_sql() -> String {
    let pad = |cols: &[&str], prefix: char, ty: &str| {
        (0..8)
            .map(|i| {
                let col = cols
                    .get(i)
                    .map_or(format!("cast(null as {ty})"), |c| c.to_string());
                format!("{col} as {prefix}{i}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let branches: Vec<String> = CASE_FILE_BRANCHES
        .iter()
        .map(|(src, ints, texts, author, from)| {
            let author = if author.is_empty() {
                "cast(null as bigint)"
            } else {
                author
            };
            format!(
                "select {src} as src, {}, {}, {author} as author from {from}",
                pad(ints, 'i', "bigint"),
                pad(texts, 't', "text")
            )
        })
        .collect();
    format!(
        "select f.*, u.display_name as author_name from ({}) f
         left join app_user u on u.user_id = f.author",
        branches.join("\n union all ")
    )
}

pub async fn case_file_rows(
    conn: &mut Conn,
    case_id: i64,
    person_id: i64,
) -> Result<CaseFileRows, StoreError> {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(case_file_sql);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(case_id)
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = CaseFileRows::default();
    let mut note_ids = Vec::new();
    let mut event_ids = Vec::new();
    let mut service_ids = Vec::new();
    for r in &rows {
        let int = |i: usize| r.try_get::<Option<i64>, _>(i + 1);
        let req = |i: usize| r.try_get::<i64, _>(i + 1);
        let text = |i: usize| r.try_get::<Option<String>, _>(i + 9);
        let txt = |i: usize| r.try_get::<String, _>(i + 9);
        match r.try_get::<i64, _>("src")? {
            0 => out.referrals.push(ReferralRow {
                id: req(0)?,
                case_id: req(1)?,
                person_id: req(2)?,
                from_org_id: req(3)?,
                to_org_id: req(4)?,
                sent_by: req(5)?,
                updated_by: req(6)?,
                version: req(7)?,
                service_code: text(0)?,
                sections: txt(1)?,
                status: txt(2)?,
                reason_enc: text(3)?,
                outcome_enc: text(4)?,
                due_date: text(5)?,
                sent_at: txt(6)?,
                updated_at: txt(7)?,
            }),
            1 => out.steps.push(StepRow {
                id: req(0)?,
                case_id: req(1)?,
                created_by: req(2)?,
                goal: txt(0)?,
                step: txt(1)?,
                due_date: text(2)?,
                status: txt(3)?,
                done_at: text(4)?,
                created_at: txt(5)?,
            }),
            2 => {
                note_ids.push(req(0)?);
                out.journal.notes.push((
                    txt(1)?,
                    r.try_get::<Option<i64>, _>("author")?.unwrap_or(0),
                    txt(0)?,
                    r.try_get("author_name")?,
                ));
            }
            3 => {
                event_ids.push(req(0)?);
                let event = CaseEvent {
                    at: txt(0)?,
                    user_id: r.try_get("author")?,
                    kind: txt(1)?,
                    detail: txt(2)?,
                };
                out.journal.events.push((event, r.try_get("author_name")?));
            }
            4 => {
                service_ids.push(req(0)?);
                out.services.push(ServiceEventRow {
                    person_id: req(1)?,
                    case_id: int(2)?,
                    referral_id: int(3)?,
                    organisation_id: req(4)?,
                    recorded_by: req(5)?,
                    service_type: txt(0)?,
                    delivered_on: txt(1)?,
                    territory_code: text(2)?,
                    framework_node: text(3)?,
                    recorded_at: txt(4)?,
                });
            }
            _ => out.consents.push(ConsentRow {
                id: req(0)?,
                person_id: req(1)?,
                recorded_by: req(2)?,
                organisation_id: req(3)?,
                withdrawn_by: int(4)?,
                purpose: txt(0)?,
                scope: txt(1)?,
                given_at: txt(2)?,
                withdrawn_at: text(3)?,
            }),
        }
    }
    // The orders of the single readers (a union has none of its own).
    out.referrals.sort_by_key(|r| std::cmp::Reverse(r.id));
    out.steps.sort_by(|a, b| {
        (&a.goal, a.due_date.as_deref().unwrap_or("9999"), a.id).cmp(&(
            &b.goal,
            b.due_date.as_deref().unwrap_or("9999"),
            b.id,
        ))
    });
    out.journal.notes = sorted_by_keys(note_ids, out.journal.notes);
    out.journal.events = sorted_by_keys(event_ids, out.journal.events);
    let keyed: Vec<(String, i64)> = out
        .services
        .iter()
        .zip(&service_ids)
        .map(|(s, id)| (s.delivered_on.clone(), *id))
        .collect();
    out.services = sorted_by_keys(keyed, out.services);
    out.consents.sort_by_key(|c| c.id);
    Ok(out)
}

/// `items` in the order of their `keys` (one key per item).
fn sorted_by_keys<K: Ord, T>(keys: Vec<K>, items: Vec<T>) -> Vec<T> {
    let mut keyed: Vec<(K, T)> = keys.into_iter().zip(items).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, t)| t).collect()
}

// ---------------------------------------------------------------- referrals

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferralRow {
    pub id: i64,
    pub case_id: i64,
    pub person_id: i64,
    pub from_org_id: i64,
    pub to_org_id: i64,
    pub service_code: Option<String>,
    pub sections: String,
    pub status: String,
    pub reason_enc: Option<String>,
    pub outcome_enc: Option<String>,
    pub due_date: Option<String>,
    pub sent_by: i64,
    pub sent_at: String,
    pub updated_by: i64,
    pub updated_at: String,
    pub version: i64,
}

const REFERRAL_COLUMNS: &str = "referral_id, case_id, person_id, from_org_id, to_org_id, service_code, sections, status, reason_enc,
    outcome_enc, due_date, sent_by, sent_at, updated_by, updated_at, version";

fn referral_from_row(r: &AnyRow) -> Result<ReferralRow, StoreError> {
    Ok(ReferralRow {
        id: r.try_get("referral_id")?,
        case_id: r.try_get("case_id")?,
        person_id: r.try_get("person_id")?,
        from_org_id: r.try_get("from_org_id")?,
        to_org_id: r.try_get("to_org_id")?,
        service_code: r.try_get("service_code")?,
        sections: r.try_get("sections")?,
        status: r.try_get("status")?,
        reason_enc: r.try_get("reason_enc")?,
        outcome_enc: r.try_get("outcome_enc")?,
        due_date: r.try_get("due_date")?,
        sent_by: r.try_get("sent_by")?,
        sent_at: r.try_get("sent_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub async fn insert_referral(conn: &mut Conn, r: &ReferralRow) -> Result<i64, StoreError> {
    let ts = now();
    let id = sqlx::query_scalar(
        "insert into referral (case_id, person_id, from_org_id, to_org_id, service_code, sections, status, reason_enc, due_date,
           sent_by, sent_at, updated_by, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, 'sent', $7, $8, $9, $10, $9, $10, 1) returning referral_id",
    )
    .bind(r.case_id)
    .bind(r.person_id)
    .bind(r.from_org_id)
    .bind(r.to_org_id)
    .bind(r.service_code.as_deref())
    .bind(&r.sections)
    .bind(r.reason_enc.as_deref())
    .bind(r.due_date.as_deref())
    .bind(r.sent_by)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn referral(conn: &mut Conn, id: i64) -> Result<Option<ReferralRow>, StoreError> {
    let sql = format!("select {REFERRAL_COLUMNS} from referral where referral_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(referral_from_row).transpose()
}

/// Referrals of a case, or to / from an organisation.
#[derive(Debug, Clone, Copy)]
pub enum ReferralScope {
    Case(i64),
    Person(i64),
    To(i64),
    From(i64),
    All,
}

pub async fn referrals(
    conn: &mut Conn,
    scope: ReferralScope,
) -> Result<Vec<ReferralRow>, StoreError> {
    let (filter, bind) = match scope {
        ReferralScope::Case(id) => ("where case_id = $1", Some(id)),
        ReferralScope::Person(id) => ("where person_id = $1", Some(id)),
        ReferralScope::To(id) => ("where to_org_id = $1", Some(id)),
        ReferralScope::From(id) => ("where from_org_id = $1", Some(id)),
        ReferralScope::All => ("", None),
    };
    let sql = format!("select {REFERRAL_COLUMNS} from referral {filter} order by referral_id desc");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(referral_from_row).collect()
}

/// Moves a referral to `status` if nobody changed it since `version`.
pub async fn update_referral(
    conn: &mut Conn,
    id: i64,
    version: i64,
    status: &str,
    reason_enc: Option<&str>,
    outcome_enc: Option<&str>,
    user: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update referral set status = $1, reason_enc = coalesce($2, reason_enc), outcome_enc = coalesce($3, outcome_enc),
           updated_by = $4, updated_at = $5, version = version + 1
         where referral_id = $6 and version = $7",
    )
    .bind(status)
    .bind(reason_enc)
    .bind(outcome_enc)
    .bind(user)
    .bind(now())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Referral counts between organisations: (from, to, status, count).
pub async fn referral_flows(conn: &mut Conn) -> Result<Vec<(i64, i64, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "select from_org_id, to_org_id, status, count(*) as n from referral group by from_org_id, to_org_id, status
         order by from_org_id, to_org_id, status",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("from_org_id")?,
                r.try_get("to_org_id")?,
                r.try_get("status")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------- services and activities

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ServiceEventRow {
    pub person_id: i64,
    pub case_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub organisation_id: i64,
    pub service_type: String,
    pub delivered_on: String,
    pub territory_code: Option<String>,
    pub framework_node: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
}

/// Records a service and its fact for the indicator engine ([`crate::facts`]).
pub async fn add_service_event(conn: &mut Conn, e: &ServiceEventRow) -> Result<(), StoreError> {
    let id = sqlx::query(
        "insert into service_event (person_id, case_id, referral_id, organisation_id, service_type, delivered_on, territory_code,
           framework_node, recorded_by, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning event_id",
    )
    .bind(e.person_id)
    .bind(e.case_id)
    .bind(e.referral_id)
    .bind(e.organisation_id)
    .bind(&e.service_type)
    .bind(&e.delivered_on)
    .bind(e.territory_code.as_deref())
    .bind(e.framework_node.as_deref())
    .bind(e.recorded_by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    crate::facts::insert_event(conn, id.try_get("event_id")?).await
}

pub async fn service_events(
    conn: &mut Conn,
    person_id: i64,
) -> Result<Vec<ServiceEventRow>, StoreError> {
    let rows = sqlx::query(
        "select person_id, case_id, referral_id, organisation_id, service_type, delivered_on, territory_code, framework_node,
           recorded_by, recorded_at from service_event where person_id = $1 order by delivered_on, event_id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ServiceEventRow {
                person_id: r.try_get("person_id")?,
                case_id: r.try_get("case_id")?,
                referral_id: r.try_get("referral_id")?,
                organisation_id: r.try_get("organisation_id")?,
                service_type: r.try_get("service_type")?,
                delivered_on: r.try_get("delivered_on")?,
                territory_code: r.try_get("territory_code")?,
                framework_node: r.try_get("framework_node")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActivityRow {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: String,
    pub topic: String,
    pub held_on: String,
    pub territory_code: Option<String>,
    pub place: String,
    /// JSON object: category → count (`{"F": 12, "M": 9}`).
    pub participants: String,
    pub score_entry: Option<f64>,
    pub score_exit: Option<f64>,
    pub framework_node: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: String,
}

pub async fn add_activity(conn: &mut Conn, a: &ActivityRow) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "insert into group_activity (organisation_id, kind, topic, held_on, territory_code, place, participants, score_entry,
           score_exit, framework_node, recorded_by, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning activity_id",
    )
    .bind(a.organisation_id)
    .bind(&a.kind)
    .bind(&a.topic)
    .bind(&a.held_on)
    .bind(a.territory_code.as_deref())
    .bind(&a.place)
    .bind(&a.participants)
    .bind(a.score_entry)
    .bind(a.score_exit)
    .bind(a.framework_node.as_deref())
    .bind(a.recorded_by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn activities(conn: &mut Conn, org: Option<i64>) -> Result<Vec<ActivityRow>, StoreError> {
    let (filter, bind) = match org {
        Some(o) => ("where organisation_id = $1", Some(o)),
        None => ("", None),
    };
    let sql = format!(
        "select activity_id, organisation_id, kind, topic, held_on, territory_code, place, participants, score_entry, score_exit,
           framework_node, recorded_by, recorded_at from group_activity {filter} order by held_on desc, activity_id desc"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(activity_from_row).collect()
}

fn activity_from_row(r: &AnyRow) -> Result<ActivityRow, StoreError> {
    Ok(ActivityRow {
        id: r.try_get("activity_id")?,
        organisation_id: r.try_get("organisation_id")?,
        kind: r.try_get("kind")?,
        topic: r.try_get("topic")?,
        held_on: r.try_get("held_on")?,
        territory_code: r.try_get("territory_code")?,
        place: r.try_get("place")?,
        participants: r.try_get("participants")?,
        score_entry: r.try_get("score_entry")?,
        score_exit: r.try_get("score_exit")?,
        framework_node: r.try_get("framework_node")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

/// Group activities of these kinds held in `[start, end]` with both test scores,
/// each with the parent of its territory (to place a province's activity in its region).
pub async fn scored_activities(
    conn: &mut Conn,
    kinds: &[&str],
    start: &str,
    end: &str,
) -> Result<Vec<(ActivityRow, Option<String>)>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select a.activity_id, a.organisation_id, a.kind, a.topic, a.held_on, a.territory_code, a.place,
           a.participants, a.score_entry, a.score_exit, a.framework_node, a.recorded_by, a.recorded_at,
           t.parent_code
         from group_activity a left join territory t on t.code = a.territory_code
         where a.held_on >= $1 and a.held_on <= $2 and a.score_entry is not null
           and a.score_exit is not null and a.kind in ({})
         order by a.held_on, a.activity_id",
        (3..3 + kinds.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(start).bind(end);
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((activity_from_row(r)?, r.try_get("parent_code")?)))
        .collect()
}

/// Audit rows about one person (reads and writes of their file and cases), for the
/// "who accessed my file" export: (seq, at, actor user id, actor org id, action, entity, entity id).
pub async fn access_log(
    conn: &mut Conn,
    person_id: i64,
    case_ids: &[i64],
) -> Result<
    Vec<(
        i64,
        String,
        Option<i64>,
        Option<i64>,
        String,
        String,
        Option<String>,
    )>,
    StoreError,
> {
    let mut ids = vec![format!("'person:{person_id}'")];
    ids.extend(case_ids.iter().map(|c| format!("'case:{c}'")));
    let sql = format!(
        "select seq, at, actor_user_id, actor_org_id, action, entity, entity_id from audit_log
         where (entity || ':' || coalesce(entity_id, '')) in ({}) order by seq",
        ids.join(",")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("seq")?,
                r.try_get("at")?,
                r.try_get("actor_user_id")?,
                r.try_get("actor_org_id")?,
                r.try_get("action")?,
                r.try_get("entity")?,
                r.try_get("entity_id")?,
            ))
        })
        .collect()
}

/// The years in which group activities of these kinds have test scores, newest first.
pub async fn scored_activity_years(
    conn: &mut Conn,
    kinds: &[&str],
) -> Result<Vec<String>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=kinds.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select distinct substr(held_on, 1, 4) as y from group_activity
         where kind in ({placeholders}) and score_entry is not null and score_exit is not null order by y desc"
    );
    let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
    for k in kinds {
        q = q.bind(*k);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

// ---------------------------------------------------------------- counting a person once

/// A pair of registrations that may be the same person.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairRow {
    pub id: i64,
    pub person_a: i64,
    pub person_b: i64,
    pub probability: f64,
    pub explanation: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
}

fn pair_from_row(r: &AnyRow) -> Result<PairRow, StoreError> {
    Ok(PairRow {
        id: r.try_get("pair_id")?,
        person_a: r.try_get("person_a")?,
        person_b: r.try_get("person_b")?,
        probability: r.try_get("probability")?,
        explanation: r.try_get("explanation")?,
        status: r.try_get("status")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
    })
}

const PAIR_COLUMNS: &str =
    "pair_id, person_a, person_b, probability, explanation, status, decided_by, decided_at";

/// Records a pair found by the engine (a < b). A pair already decided keeps its status.
pub async fn upsert_pair(
    conn: &mut Conn,
    a: i64,
    b: i64,
    probability: f64,
    explanation: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into person_pair (person_a, person_b, probability, explanation, status, found_at)
         values ($1, $2, $3, $4, 'linked', $5)
         on conflict (person_a, person_b) do update set probability = excluded.probability, explanation = excluded.explanation",
    )
    .bind(a.min(b))
    .bind(a.max(b))
    .bind(probability)
    .bind(explanation)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn pairs(conn: &mut Conn, status: Option<&str>) -> Result<Vec<PairRow>, StoreError> {
    let sql = match status {
        Some(_) => format!(
            "select {PAIR_COLUMNS} from person_pair where status = $1 order by probability desc, pair_id"
        ),
        None => format!("select {PAIR_COLUMNS} from person_pair order by pair_id"),
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(s) = status {
        q = q.bind(s);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(pair_from_row).collect()
}

pub async fn pair(conn: &mut Conn, id: i64) -> Result<Option<PairRow>, StoreError> {
    let sql = format!("select {PAIR_COLUMNS} from person_pair where pair_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(pair_from_row).transpose()
}

/// Pairs involving one person.
pub async fn pairs_of(conn: &mut Conn, person: i64) -> Result<Vec<PairRow>, StoreError> {
    let sql = format!(
        "select {PAIR_COLUMNS} from person_pair where person_a = $1 or person_b = $1 order by pair_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(pair_from_row).collect()
}

pub async fn decide_pair(
    conn: &mut Conn,
    id: i64,
    status: &str,
    user: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "update person_pair set status = $1, decided_by = $2, decided_at = $3 where pair_id = $4",
    )
    .bind(status)
    .bind(user)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Recomputes every person's cluster from the pairs that are linked or confirmed
/// (union–find; the cluster id is its smallest person id; single people get none).
/// Returns the number of people in clusters of two or more.
pub async fn recompute_clusters(conn: &mut Conn) -> Result<usize, StoreError> {
    let rows: Vec<(i64, i64)> = sqlx::query(
        "select person_a, person_b from person_pair where status in ('linked', 'confirmed')",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("person_a")?, r.try_get("person_b")?)))
    .collect::<Result<_, StoreError>>()?;
    let mut parent: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    fn find(parent: &mut std::collections::HashMap<i64, i64>, x: i64) -> i64 {
        let mut root = x;
        while let Some(&p) = parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        let mut cur = x;
        while let Some(&p) = parent.get(&cur) {
            if p == root {
                break;
            }
            parent.insert(cur, root);
            cur = p;
        }
        root
    }
    for (a, b) in &rows {
        parent.entry(*a).or_insert(*a);
        parent.entry(*b).or_insert(*b);
        let (ra, rb) = (find(&mut parent, *a), find(&mut parent, *b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let before: std::collections::HashMap<i64, i64> =
        sqlx::query("select person_id, cluster_id from person where cluster_id is not null")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("person_id")?, r.try_get("cluster_id")?)))
            .collect::<Result<_, StoreError>>()?;
    sqlx::query("update person set cluster_id = null where cluster_id is not null")
        .execute(&mut *conn)
        .await?;
    let members: Vec<i64> = parent.keys().copied().collect();
    let mut moved: Vec<i64> = before
        .keys()
        .filter(|p| !parent.contains_key(p))
        .copied()
        .collect();
    for p in &members {
        let root = find(&mut parent, *p);
        sqlx::query("update person set cluster_id = $1 where person_id = $2")
            .bind(root)
            .bind(*p)
            .execute(&mut *conn)
            .await?;
        if before.get(p) != Some(&root) {
            moved.push(*p);
        }
    }
    // The unit each person's services count under changed for these.
    crate::facts::refresh_people(conn, &moved).await?;
    Ok(members.len())
}

/// Every person, for linking registries (id, organisation, identity, sealed contact).
pub async fn all_people(conn: &mut Conn) -> Result<Vec<PersonRow>, StoreError> {
    let sql = format!("select {PERSON_COLUMNS} from person order by person_id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(person_from_row).collect()
}

/// A directory service's organisation code and names (for referrals to a service).
pub async fn directory_service(
    conn: &mut Conn,
    code: &str,
) -> Result<Option<(String, String, Option<String>, Option<String>)>, StoreError> {
    let row = sqlx::query(
        "select o.code as org, s.name_fr as name_fr, s.name_ar as name_ar, s.name_en as name_en
         from dir_service s join organisation o on o.organisation_id = s.organisation_id where s.code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("org")?,
            r.try_get("name_fr")?,
            r.try_get("name_ar")?,
            r.try_get("name_en")?,
        ))
    })
    .transpose()
}

/// Every directory service for a referral form: (code, organisation code, names).
pub async fn directory_service_options(
    conn: &mut Conn,
) -> Result<Vec<(String, String, String, Option<String>, Option<String>)>, StoreError> {
    let rows = sqlx::query(
        "select s.code as code, o.code as org, s.name_fr as name_fr, s.name_ar as name_ar, s.name_en as name_en
         from dir_service s join organisation o on o.organisation_id = s.organisation_id order by o.code, s.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("code")?,
                r.try_get("org")?,
                r.try_get("name_fr")?,
                r.try_get("name_ar")?,
                r.try_get("name_en")?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    async fn org(conn: &mut Conn, code: &str) -> i64 {
        sqlx::query_scalar(
            "insert into organisation (code, kind, name_fr, created_at, updated_at)
             values ($1, 'public_agency', $1, '2026-01-01', '2026-01-01') returning organisation_id",
        )
        .bind(code)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    }

    async fn user(conn: &mut Conn, name: &str, org: i64) -> i64 {
        sqlx::query_scalar(
            "insert into app_user (username, display_name, organisation_id, password_hash, created_at, updated_at)
             values ($1, $1, $2, 'x', '2026-01-01', '2026-01-01') returning user_id",
        )
        .bind(name)
        .bind(org)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    }

    /// A case with two of everything, beside a case of the same person and another
    /// person's records that must not show.
    #[tokio::test]
    async fn the_case_file_in_one_statement_reads_as_the_single_readers_do() {
        for backend in testing::backends() {
            let store = testing::fresh_store(backend).await.unwrap();
            let mut conn = store.conn().await.unwrap();
            let en = org(&mut conn, "EN").await;
            let anapec = org(&mut conn, "ANAPEC").await;
            let fatima = user(&mut conn, "Fatima", en).await;
            let omar = user(&mut conn, "Omar", anapec).await;
            let mut people = Vec::new();
            for name in ["Aminata", "Moussa"] {
                let p = PersonRow {
                    organisation_id: en,
                    given_name: name.into(),
                    sex: "F".into(),
                    created_by: fatima,
                    ..PersonRow::default()
                };
                people.push(insert_person(&mut conn, &p).await.unwrap());
            }
            let mut cases = Vec::new();
            for person_id in [people[0], people[0], people[1]] {
                let c = CaseRow {
                    person_id,
                    organisation_id: en,
                    assigned_user_id: Some(fatima),
                    status: "open".into(),
                    opened_by: fatima,
                    ..CaseRow::default()
                };
                cases.push(insert_case(&mut conn, &c, "EN").await.unwrap());
            }
            for (i, c) in cases.iter().enumerate() {
                for (j, (goal, due)) in [
                    ("Emploi", Some("2026-03-01")),
                    ("Emploi", None),
                    ("Abri", Some("2026-02-01")),
                ]
                .into_iter()
                .enumerate()
                {
                    add_step(
                        &mut conn,
                        c.id,
                        goal,
                        &format!("étape {i}.{j}"),
                        due,
                        fatima,
                    )
                    .await
                    .unwrap();
                }
                add_note(&mut conn, c.id, &format!("note {i}"), fatima)
                    .await
                    .unwrap();
                add_note(&mut conn, c.id, "autre", omar).await.unwrap();
                add_event(&mut conn, c.id, Some(omar), "referral_accepted", "")
                    .await
                    .unwrap();
                add_event(&mut conn, c.id, None, "overdue", &format!("{i}"))
                    .await
                    .unwrap();
                for (to, due) in [(anapec, Some("2026-12-15")), (anapec, None)] {
                    let r = ReferralRow {
                        case_id: c.id,
                        person_id: c.person_id,
                        from_org_id: en,
                        to_org_id: to,
                        service_code: due.map(|_| "employment_registration".into()),
                        sections: "language|professional_profile".into(),
                        reason_enc: None,
                        due_date: due.map(str::to_string),
                        sent_by: fatima,
                        ..ReferralRow::default()
                    };
                    insert_referral(&mut conn, &r).await.unwrap();
                }
                for (day, t) in [("2026-11-03", "health"), ("2026-11-01", "reception")] {
                    let e = ServiceEventRow {
                        person_id: c.person_id,
                        case_id: (i != 1).then_some(c.id),
                        organisation_id: if i == 0 { en } else { anapec },
                        service_type: t.into(),
                        delivered_on: day.into(),
                        territory_code: None,
                        recorded_by: fatima,
                        ..ServiceEventRow::default()
                    };
                    add_service_event(&mut conn, &e).await.unwrap();
                }
                for purpose in ["registration", "referral"] {
                    add_consent(&mut conn, c.person_id, purpose, "any", fatima, en)
                        .await
                        .unwrap();
                }
            }
            let first = referrals(&mut conn, ReferralScope::Case(cases[0].id))
                .await
                .unwrap()[0]
                .id;
            update_referral(&mut conn, first, 1, "declined", Some("sealed"), None, omar)
                .await
                .unwrap();
            let consent = consents(&mut conn, people[0]).await.unwrap()[1].id;
            assert!(
                withdraw_consent(&mut conn, people[0], consent, fatima)
                    .await
                    .unwrap()
            );

            for c in &cases {
                let file = case_file_rows(&mut conn, c.id, c.person_id).await.unwrap();
                let expected = CaseFileRows {
                    referrals: referrals(&mut conn, ReferralScope::Case(c.id))
                        .await
                        .unwrap(),
                    steps: steps(&mut conn, c.id).await.unwrap(),
                    journal: journal(&mut conn, c.id).await.unwrap(),
                    services: service_events(&mut conn, c.person_id).await.unwrap(),
                    consents: consents(&mut conn, c.person_id).await.unwrap(),
                };
                assert_eq!(file, expected, "{backend:?}, case {}", c.id);
                assert_eq!(file.referrals.len(), 2);
                assert_eq!(file.steps.len(), 3);
                assert_eq!(file.journal.notes.len(), 2);
                assert_eq!(file.journal.events.len(), 2);
                assert_eq!(
                    file.journal.notes[1].3.as_deref(),
                    Some("Omar"),
                    "the author's name is joined"
                );
                let expected_services = if c.person_id == people[0] { 4 } else { 2 };
                assert_eq!(file.services.len(), expected_services);
            }
            drop(conn);
            store.close().await;
        }
    }
}
