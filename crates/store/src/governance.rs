//! Governance: bodies, members, steered framework nodes, meetings with agenda,
//! attendance and minutes, decisions, follow-up actions and their notes.
//!
//! Codes (status, role, origin) are stored as their text; the service parses them
//! with `domain::governance` before they get here.

use crate::{Conn, StoreError, now};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRow {
    pub code: String,
    pub kind: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub legal_basis: Option<String>,
    pub frequency: Option<String>,
    pub parent_code: Option<String>,
    pub source: Option<String>,
    pub position: i64,
}

fn body_from(r: &AnyRow) -> Result<BodyRow, StoreError> {
    Ok(BodyRow {
        code: r.try_get("body_code")?,
        kind: r.try_get("kind")?,
        name_fr: r.try_get("name_fr")?,
        name_ar: r.try_get("name_ar")?,
        name_en: r.try_get("name_en")?,
        legal_basis: r.try_get("legal_basis")?,
        frequency: r.try_get("frequency")?,
        parent_code: r.try_get("parent_code")?,
        source: r.try_get("source")?,
        position: r.try_get("position")?,
    })
}

/// Inserts or updates a body by code. Parents must be written before children.
pub async fn upsert_body(conn: &mut Conn, b: &BodyRow) -> Result<(), StoreError> {
    sqlx::query(
        "insert into gov_body (body_code, kind, name_fr, name_ar, name_en, legal_basis, frequency, parent_code, source, position, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (body_code) do update set kind = excluded.kind, name_fr = excluded.name_fr, name_ar = excluded.name_ar,
           name_en = excluded.name_en, legal_basis = excluded.legal_basis, frequency = excluded.frequency,
           parent_code = excluded.parent_code, source = excluded.source, position = excluded.position, updated_at = excluded.updated_at",
    )
    .bind(&b.code)
    .bind(&b.kind)
    .bind(&b.name_fr)
    .bind(b.name_ar.as_deref())
    .bind(b.name_en.as_deref())
    .bind(b.legal_basis.as_deref())
    .bind(b.frequency.as_deref())
    .bind(b.parent_code.as_deref())
    .bind(b.source.as_deref())
    .bind(b.position)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn bodies(conn: &mut Conn) -> Result<Vec<BodyRow>, StoreError> {
    let rows = sqlx::query(
        "select body_code, kind, name_fr, name_ar, name_en, legal_basis, frequency, parent_code, source, position
         from gov_body order by position, body_code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(body_from).collect()
}

/// Replaces the framework nodes a body steers.
pub async fn set_body_nodes(
    conn: &mut Conn,
    body: &str,
    nodes: &[(String, String)],
) -> Result<(), StoreError> {
    sqlx::query("delete from gov_body_node where body_code = $1")
        .bind(body)
        .execute(&mut *conn)
        .await?;
    for (i, (fw, node)) in nodes.iter().enumerate() {
        sqlx::query("insert into gov_body_node (body_code, framework_code, node_code, position) values ($1, $2, $3, $4)")
            .bind(body)
            .bind(fw)
            .bind(node)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every (body, framework, node) steered, in the order the file gives.
pub async fn body_nodes(conn: &mut Conn) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query(
        "select body_code, framework_code, node_code from gov_body_node order by body_code, position",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("body_code")?,
                r.try_get("framework_code")?,
                r.try_get("node_code")?,
            ))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub body_code: String,
    pub organisation_id: i64,
    pub organisation_code: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub role: String,
    pub title: Option<String>,
}

/// Replaces a body's members: (organisation, role, title).
pub async fn set_members(
    conn: &mut Conn,
    body: &str,
    members: &[(i64, String, Option<String>)],
) -> Result<(), StoreError> {
    sqlx::query("delete from gov_member where body_code = $1")
        .bind(body)
        .execute(&mut *conn)
        .await?;
    for (org, role, title) in members {
        sqlx::query(
            "insert into gov_member (body_code, organisation_id, role, title) values ($1, $2, $3, $4)",
        )
        .bind(body)
        .bind(*org)
        .bind(role)
        .bind(title.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Members of every body (or one), in role order then organisation code.
pub async fn members(conn: &mut Conn, body: Option<&str>) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "select m.body_code, m.organisation_id, o.code, o.name_fr, o.name_ar, o.name_en, m.role, m.title
         from gov_member m join organisation o on o.organisation_id = m.organisation_id
         where ($1 = '' or m.body_code = $1)
         order by m.body_code, case m.role when 'chair' then 0 when 'secretariat' then 1 when 'member' then 2 when 'focal_point' then 3 else 4 end, o.code",
    )
    .bind(body.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberRow {
                body_code: r.try_get("body_code")?,
                organisation_id: r.try_get("organisation_id")?,
                organisation_code: r.try_get("code")?,
                name_fr: r.try_get("name_fr")?,
                name_ar: r.try_get("name_ar")?,
                name_en: r.try_get("name_en")?,
                role: r.try_get("role")?,
                title: r.try_get("title")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub body_code: String,
    pub planned_on: String,
    pub status: String,
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub minutes: Option<String>,
    pub source: Option<String>,
    pub updated_by: Option<i64>,
    pub updated_at: String,
}

const MEETING_COLUMNS: &str = "meeting_id, body_code, planned_on, status, held_on, place, minutes, source, updated_by, updated_at";

fn meeting_from(r: &AnyRow) -> Result<MeetingRow, StoreError> {
    Ok(MeetingRow {
        id: r.try_get("meeting_id")?,
        body_code: r.try_get("body_code")?,
        planned_on: r.try_get("planned_on")?,
        status: r.try_get("status")?,
        held_on: r.try_get("held_on")?,
        place: r.try_get("place")?,
        minutes: r.try_get("minutes")?,
        source: r.try_get("source")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn insert_meeting(conn: &mut Conn, m: &MeetingRow) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "insert into gov_meeting (body_code, planned_on, status, held_on, place, minutes, source, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning meeting_id",
    )
    .bind(&m.body_code)
    .bind(&m.planned_on)
    .bind(&m.status)
    .bind(m.held_on.as_deref())
    .bind(m.place.as_deref())
    .bind(m.minutes.as_deref())
    .bind(m.source.as_deref())
    .bind(m.updated_by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn update_meeting(conn: &mut Conn, m: &MeetingRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update gov_meeting set planned_on = $1, status = $2, held_on = $3, place = $4, minutes = $5, updated_by = $6, updated_at = $7
         where meeting_id = $8",
    )
    .bind(&m.planned_on)
    .bind(&m.status)
    .bind(m.held_on.as_deref())
    .bind(m.place.as_deref())
    .bind(m.minutes.as_deref())
    .bind(m.updated_by)
    .bind(now())
    .bind(m.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn meeting(conn: &mut Conn, id: i64) -> Result<Option<MeetingRow>, StoreError> {
    let sql = format!("select {MEETING_COLUMNS} from gov_meeting where meeting_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(meeting_from).transpose()
}

/// A body's meetings (or every body's), by planned date.
pub async fn meetings(conn: &mut Conn, body: Option<&str>) -> Result<Vec<MeetingRow>, StoreError> {
    let sql = format!(
        "select {MEETING_COLUMNS} from gov_meeting where ($1 = '' or body_code = $1) order by planned_on, meeting_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(body.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(meeting_from).collect()
}

/// The meeting of a body planned on a day, for idempotent imports.
pub async fn meeting_on(
    conn: &mut Conn,
    body: &str,
    planned_on: &str,
) -> Result<Option<MeetingRow>, StoreError> {
    let sql = format!(
        "select {MEETING_COLUMNS} from gov_meeting where body_code = $1 and planned_on = $2 order by meeting_id"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(body)
        .bind(planned_on)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(meeting_from).transpose()
}

pub async fn set_agenda(conn: &mut Conn, meeting: i64, items: &[String]) -> Result<(), StoreError> {
    sqlx::query("delete from gov_agenda_item where meeting_id = $1")
        .bind(meeting)
        .execute(&mut *conn)
        .await?;
    for (i, t) in items.iter().enumerate() {
        sqlx::query(
            "insert into gov_agenda_item (meeting_id, position, title) values ($1, $2, $3)",
        )
        .bind(meeting)
        .bind(i as i64 + 1)
        .bind(t)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn agenda(conn: &mut Conn, meeting: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "select title from gov_agenda_item where meeting_id = $1 order by position",
    )
    .bind(meeting)
    .fetch_all(&mut *conn)
    .await?)
}

/// Replaces the attendance of a meeting: (organisation, presence).
pub async fn set_attendance(
    conn: &mut Conn,
    meeting: i64,
    rows: &[(i64, String)],
) -> Result<(), StoreError> {
    sqlx::query("delete from gov_attendance where meeting_id = $1")
        .bind(meeting)
        .execute(&mut *conn)
        .await?;
    for (org, presence) in rows {
        sqlx::query(
            "insert into gov_attendance (meeting_id, organisation_id, presence) values ($1, $2, $3)",
        )
        .bind(meeting)
        .bind(*org)
        .bind(presence)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// (organisation id, presence) for a meeting.
pub async fn attendance(conn: &mut Conn, meeting: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "select organisation_id, presence from gov_attendance where meeting_id = $1 order by organisation_id",
    )
    .bind(meeting)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("organisation_id")?, r.try_get("presence")?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    pub meeting_id: i64,
    pub text: String,
    pub illustrative: bool,
    pub created_at: String,
}

pub async fn insert_decision(
    conn: &mut Conn,
    meeting: i64,
    text: &str,
    illustrative: bool,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "insert into gov_decision (meeting_id, text, illustrative, created_by, created_at) values ($1, $2, $3, $4, $5) returning decision_id",
    )
    .bind(meeting)
    .bind(text)
    .bind(i64::from(illustrative))
    .bind(by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn decisions(conn: &mut Conn, meeting: i64) -> Result<Vec<DecisionRow>, StoreError> {
    let rows = sqlx::query(
        "select decision_id, meeting_id, text, illustrative, created_at from gov_decision where meeting_id = $1 order by decision_id",
    )
    .bind(meeting)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DecisionRow {
                id: r.try_get("decision_id")?,
                meeting_id: r.try_get("meeting_id")?,
                text: r.try_get("text")?,
                illustrative: r.try_get::<i64, _>("illustrative")? != 0,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// A follow-up action with its owner's code and names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionRow {
    pub id: i64,
    pub body_code: Option<String>,
    pub title: String,
    pub origin: String,
    pub source_ref: Option<String>,
    pub decision_id: Option<i64>,
    pub framework_code: Option<String>,
    pub node_code: Option<String>,
    pub year: Option<i64>,
    pub owner_org_id: i64,
    pub owner_code: String,
    pub owner_name_fr: String,
    pub owner_name_ar: Option<String>,
    pub owner_name_en: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
    pub illustrative: bool,
    pub reviewed_meeting_id: Option<i64>,
    /// The meeting the action's decision was taken at.
    pub meeting_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

pub async fn insert_action(
    conn: &mut Conn,
    a: &ActionRow,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    let ts = now();
    Ok(sqlx::query_scalar(
        "insert into gov_action (body_code, title, origin, source_ref, decision_id, framework_code, node_code, year, owner_org_id,
           due_on, status, illustrative, reviewed_meeting_id, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) returning action_id",
    )
    .bind(a.body_code.as_deref())
    .bind(&a.title)
    .bind(&a.origin)
    .bind(a.source_ref.as_deref())
    .bind(a.decision_id)
    .bind(a.framework_code.as_deref())
    .bind(a.node_code.as_deref())
    .bind(a.year)
    .bind(a.owner_org_id)
    .bind(a.due_on.as_deref())
    .bind(&a.status)
    .bind(i64::from(a.illustrative))
    .bind(a.reviewed_meeting_id)
    .bind(by)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?)
}

/// Whether an action with this title, origin and source already exists (imports
/// from a report run twice create nothing the second time).
pub async fn action_exists(
    conn: &mut Conn,
    title: &str,
    origin: &str,
    source_ref: Option<&str>,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from gov_action where title = $1 and origin = $2 and coalesce(source_ref, '') = $3",
    )
    .bind(title)
    .bind(origin)
    .bind(source_ref.unwrap_or(""))
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

pub async fn set_action_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    reviewed_meeting: Option<i64>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update gov_action set status = $1, reviewed_meeting_id = coalesce($2, reviewed_meeting_id), updated_at = $3 where action_id = $4",
    )
    .bind(status)
    .bind(reviewed_meeting)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const ACTION_SELECT: &str = "select a.action_id, a.body_code, a.title, a.origin, a.source_ref, a.decision_id, a.framework_code, a.node_code,
    a.year, a.owner_org_id, o.code, o.name_fr, o.name_ar, o.name_en, a.due_on, a.status, a.illustrative, a.reviewed_meeting_id,
    d.meeting_id, a.created_at, a.updated_at
    from gov_action a join organisation o on o.organisation_id = a.owner_org_id
    left join gov_decision d on d.decision_id = a.decision_id";

fn action_from(r: &AnyRow) -> Result<ActionRow, StoreError> {
    Ok(ActionRow {
        id: r.try_get("action_id")?,
        body_code: r.try_get("body_code")?,
        title: r.try_get("title")?,
        origin: r.try_get("origin")?,
        source_ref: r.try_get("source_ref")?,
        decision_id: r.try_get("decision_id")?,
        framework_code: r.try_get("framework_code")?,
        node_code: r.try_get("node_code")?,
        year: r.try_get("year")?,
        owner_org_id: r.try_get("owner_org_id")?,
        owner_code: r.try_get("code")?,
        owner_name_fr: r.try_get("name_fr")?,
        owner_name_ar: r.try_get("name_ar")?,
        owner_name_en: r.try_get("name_en")?,
        due_on: r.try_get("due_on")?,
        status: r.try_get("status")?,
        illustrative: r.try_get::<i64, _>("illustrative")? != 0,
        reviewed_meeting_id: r.try_get("reviewed_meeting_id")?,
        meeting_id: r.try_get("meeting_id")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Every action (the service filters by body, owner, status and date), by due date.
pub async fn actions(conn: &mut Conn) -> Result<Vec<ActionRow>, StoreError> {
    let sql = format!("{ACTION_SELECT} order by coalesce(a.due_on, '9999'), a.action_id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(action_from).collect()
}

pub async fn action(conn: &mut Conn, id: i64) -> Result<Option<ActionRow>, StoreError> {
    let sql = format!("{ACTION_SELECT} where a.action_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(action_from).transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    pub action_id: i64,
    pub status: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
}

pub async fn add_note(
    conn: &mut Conn,
    action: i64,
    status: &str,
    note: Option<&str>,
    by: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into gov_action_note (action_id, status, note, created_by, created_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(action)
    .bind(status)
    .bind(note)
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An action's history, oldest first, with the author's display name.
pub async fn notes(conn: &mut Conn, action: i64) -> Result<Vec<NoteRow>, StoreError> {
    let rows = sqlx::query(
        "select n.action_id, n.status, n.note, u.display_name, n.created_at from gov_action_note n
         left join app_user u on u.user_id = n.created_by where n.action_id = $1 order by n.note_id",
    )
    .bind(action)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoteRow {
                action_id: r.try_get("action_id")?,
                status: r.try_get("status")?,
                note: r.try_get("note")?,
                created_by: r.try_get("display_name")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Approved periods per indicator: (indicator, period, period_start, period_end),
/// for the brief's "latest value as of a date".
pub async fn approved_periods(
    conn: &mut Conn,
    indicators: &[String],
) -> Result<Vec<(String, String, String, String)>, StoreError> {
    let mut out = Vec::new();
    for ind in indicators {
        let rows = sqlx::query(
            "select distinct period, period_start, period_end from data_value
             where indicator_code = $1 and status = 'approved' order by period_end",
        )
        .bind(ind)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            out.push((
                ind.clone(),
                r.try_get("period")?,
                r.try_get("period_start")?,
                r.try_get("period_end")?,
            ));
        }
    }
    Ok(out)
}

/// Whether an organisation has approved or submitted values for these indicators
/// and period (a figure imported counts as reported even without a submission).
pub async fn has_values(
    conn: &mut Conn,
    indicators: &[String],
    org: &str,
    period: &str,
) -> Result<bool, StoreError> {
    for ind in indicators {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from data_value where indicator_code = $1 and organisation_code = $2 and period = $3
             and status in ('approved', 'submitted')",
        )
        .bind(ind)
        .bind(org)
        .bind(period)
        .fetch_one(&mut *conn)
        .await?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
