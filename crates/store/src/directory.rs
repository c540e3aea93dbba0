//! The service directory's storage: taxonomy, organisations' directory columns,
//! locations, services (and where they are delivered), rights pages, projects,
//! conventions; the changes waiting for the secretariat; the portal's intake requests.
//!
//! Records go in and come out as the domain's typed rows (`passerelle_domain::
//! directory`), named by their codes; ids stay inside the store. Every list is
//! ordered by code so an export is stable.

use crate::{Conn, StoreError, now};
use passerelle_domain::directory::{
    ConventionRecord, Directory, Known, LocationRecord, OrgRecord, ProjectRecord, RightPage,
    ServiceRecord, TaxonomyTerm, join_list, split_list,
};
use passerelle_domain::{OrgCode, OrgId, OrgKind, TerritoryCode};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

fn org_codes(list: &str) -> Result<Vec<OrgCode>, StoreError> {
    split_list(list)
        .iter()
        .map(|c| OrgCode::parse(c).map_err(StoreError::from))
        .collect()
}

fn territory_codes(list: &str) -> Result<Vec<TerritoryCode>, StoreError> {
    split_list(list)
        .iter()
        .map(|c| TerritoryCode::parse(c).map_err(StoreError::from))
        .collect()
}

fn territory_list(items: &[TerritoryCode]) -> String {
    items
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join("|")
}

async fn org_id(conn: &mut Conn, code: &OrgCode) -> Result<OrgId, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("select organisation_id from organisation where code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    id.map(OrgId).ok_or(StoreError::ForeignKeyViolation)
}

/// What the store holds that an import may refer to.
pub async fn known(conn: &mut Conn) -> Result<Known, StoreError> {
    let mut k = Known::default();
    for r in sqlx::query("select code from territory")
        .fetch_all(&mut *conn)
        .await?
    {
        k.territories.insert(r.try_get("code")?);
    }
    let rows = sqlx::query(
        "select o.code, p.code as parent_code from organisation o
         left join organisation p on p.organisation_id = o.parent_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        k.organisations
            .insert(r.try_get("code")?, r.try_get("parent_code")?);
    }
    for r in sqlx::query("select code from taxonomy_term")
        .fetch_all(&mut *conn)
        .await?
    {
        k.taxonomy.insert(r.try_get("code")?);
    }
    let rows = sqlx::query(
        "select l.code, o.code as org from dir_location l join organisation o on o.organisation_id = l.organisation_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        k.locations.insert(r.try_get("code")?, r.try_get("org")?);
    }
    Ok(k)
}

pub async fn upsert_term(conn: &mut Conn, t: &TaxonomyTerm) -> Result<(), StoreError> {
    sqlx::query(
        "insert into taxonomy_term (code, parent_code, name_fr, name_ar, name_en) values ($1, $2, $3, $4, $5)
         on conflict (code) do update set parent_code = excluded.parent_code, name_fr = excluded.name_fr,
           name_ar = excluded.name_ar, name_en = excluded.name_en",
    )
    .bind(&t.code)
    .bind(t.parent_code.as_deref())
    .bind(&t.name_fr)
    .bind(t.name_ar.as_deref())
    .bind(t.name_en.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts an organisation or updates its directory entry, matching by code. A new
/// organisation's home territory is its only area, or the country.
pub async fn upsert_org(conn: &mut Conn, o: &OrgRecord) -> Result<OrgId, StoreError> {
    let parent = match &o.parent_code {
        Some(p) => Some(org_id(conn, p).await?.0),
        None => None,
    };
    let home = match o.territories.as_slice() {
        [one] => Some(one.to_string()),
        list if list.iter().any(|t| t.as_str() == "MA") => Some("MA".to_string()),
        _ => None,
    };
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "insert into organisation (code, kind, name_fr, name_ar, name_en, parent_id, territory_code,
            description_fr, description_ar, description_en, website, email, phone, coverage, accepts_requests,
            created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
         on conflict (code) do update set kind = excluded.kind, name_fr = excluded.name_fr,
            name_ar = excluded.name_ar, name_en = excluded.name_en, parent_id = excluded.parent_id,
            description_fr = excluded.description_fr, description_ar = excluded.description_ar,
            description_en = excluded.description_en, website = excluded.website, email = excluded.email,
            phone = excluded.phone, coverage = excluded.coverage, accepts_requests = excluded.accepts_requests,
            updated_at = excluded.updated_at
         returning organisation_id",
    )
    .bind(o.code.as_str())
    .bind(o.kind.as_str())
    .bind(&o.name_fr)
    .bind(o.name_ar.as_deref())
    .bind(o.name_en.as_deref())
    .bind(parent)
    .bind(home)
    .bind(o.description_fr.as_deref())
    .bind(o.description_ar.as_deref())
    .bind(o.description_en.as_deref())
    .bind(o.website.as_deref())
    .bind(o.email.as_deref())
    .bind(o.phone.as_deref())
    .bind(territory_list(&o.territories))
    .bind(i64::from(o.accepts_requests))
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    Ok(OrgId(id))
}

pub async fn upsert_location(conn: &mut Conn, l: &LocationRecord) -> Result<(), StoreError> {
    let org = org_id(conn, &l.organization_code).await?;
    let ts = now();
    sqlx::query(
        "insert into dir_location (code, organisation_id, name_fr, name_ar, name_en, city, address, territory_code,
            latitude, longitude, hours, languages, accessibility_note, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
         on conflict (code) do update set organisation_id = excluded.organisation_id, name_fr = excluded.name_fr,
            name_ar = excluded.name_ar, name_en = excluded.name_en, city = excluded.city, address = excluded.address,
            territory_code = excluded.territory_code, latitude = excluded.latitude, longitude = excluded.longitude,
            hours = excluded.hours, languages = excluded.languages, accessibility_note = excluded.accessibility_note,
            updated_at = excluded.updated_at",
    )
    .bind(&l.code)
    .bind(org.0)
    .bind(&l.name_fr)
    .bind(l.name_ar.as_deref())
    .bind(l.name_en.as_deref())
    .bind(l.city.as_deref())
    .bind(l.address.as_deref())
    .bind(l.territory_code.as_str())
    .bind(l.latitude)
    .bind(l.longitude)
    .bind(l.hours.as_deref())
    .bind(join_list(&l.languages))
    .bind(l.accessibility_note.as_deref())
    .bind(&ts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn upsert_service(conn: &mut Conn, s: &ServiceRecord) -> Result<(), StoreError> {
    let org = org_id(conn, &s.organization_code).await?;
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "insert into dir_service (code, organisation_id, category, name_fr, name_ar, name_en, description_fr,
            description_ar, description_en, eligibility_status, eligibility_sex, min_age, max_age, cost,
            documents_fr, documents_ar, documents_en, how_to_access_fr, how_to_access_ar, how_to_access_en,
            snia_actions, source, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)
         on conflict (code) do update set organisation_id = excluded.organisation_id, category = excluded.category,
            name_fr = excluded.name_fr, name_ar = excluded.name_ar, name_en = excluded.name_en,
            description_fr = excluded.description_fr, description_ar = excluded.description_ar,
            description_en = excluded.description_en, eligibility_status = excluded.eligibility_status,
            eligibility_sex = excluded.eligibility_sex, min_age = excluded.min_age, max_age = excluded.max_age,
            cost = excluded.cost, documents_fr = excluded.documents_fr, documents_ar = excluded.documents_ar,
            documents_en = excluded.documents_en, how_to_access_fr = excluded.how_to_access_fr,
            how_to_access_ar = excluded.how_to_access_ar, how_to_access_en = excluded.how_to_access_en,
            snia_actions = excluded.snia_actions, source = excluded.source, updated_at = excluded.updated_at
         returning service_id",
    )
    .bind(&s.code)
    .bind(org.0)
    .bind(&s.category)
    .bind(&s.name_fr)
    .bind(s.name_ar.as_deref())
    .bind(s.name_en.as_deref())
    .bind(s.description_fr.as_deref())
    .bind(s.description_ar.as_deref())
    .bind(s.description_en.as_deref())
    .bind(join_list(&s.eligibility_status))
    .bind(s.eligibility_sex.as_deref())
    .bind(s.min_age.map(i64::from))
    .bind(s.max_age.map(i64::from))
    .bind(s.cost.as_deref())
    .bind(s.documents_fr.as_deref())
    .bind(s.documents_ar.as_deref())
    .bind(s.documents_en.as_deref())
    .bind(s.how_to_access_fr.as_deref())
    .bind(s.how_to_access_ar.as_deref())
    .bind(s.how_to_access_en.as_deref())
    .bind(join_list(&s.snia_actions))
    .bind(s.source.as_deref())
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("delete from dir_service_location where service_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, code) in s.location_codes.iter().enumerate() {
        let done = sqlx::query(
            "insert into dir_service_location (service_id, location_id, position)
             select $1, location_id, $2 from dir_location where code = $3",
        )
        .bind(id)
        .bind(position as i64)
        .bind(code)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ForeignKeyViolation);
        }
    }
    Ok(())
}

pub async fn upsert_right(conn: &mut Conn, r: &RightPage) -> Result<(), StoreError> {
    sqlx::query(
        "insert into dir_right (code, title_fr, title_ar, title_en, body_fr, body_ar, body_en, source, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (code) do update set title_fr = excluded.title_fr, title_ar = excluded.title_ar,
            title_en = excluded.title_en, body_fr = excluded.body_fr, body_ar = excluded.body_ar,
            body_en = excluded.body_en, source = excluded.source, updated_at = excluded.updated_at",
    )
    .bind(&r.code)
    .bind(&r.title_fr)
    .bind(r.title_ar.as_deref())
    .bind(r.title_en.as_deref())
    .bind(&r.body_fr)
    .bind(r.body_ar.as_deref())
    .bind(r.body_en.as_deref())
    .bind(r.source.as_deref())
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn upsert_project(conn: &mut Conn, p: &ProjectRecord) -> Result<(), StoreError> {
    let funder = match &p.funder_code {
        Some(f) => Some(org_id(conn, f).await?.0),
        None => None,
    };
    let implementer = org_id(conn, &p.implementer_code).await?;
    let ts = now();
    sqlx::query(
        "insert into dir_project (code, title_fr, title_ar, title_en, funder_id, implementer_id, start_date, end_date,
            territories, target_groups, snia_actions, source, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         on conflict (code) do update set title_fr = excluded.title_fr, title_ar = excluded.title_ar,
            title_en = excluded.title_en, funder_id = excluded.funder_id, implementer_id = excluded.implementer_id,
            start_date = excluded.start_date, end_date = excluded.end_date, territories = excluded.territories,
            target_groups = excluded.target_groups, snia_actions = excluded.snia_actions, source = excluded.source,
            updated_at = excluded.updated_at",
    )
    .bind(&p.code)
    .bind(&p.title_fr)
    .bind(p.title_ar.as_deref())
    .bind(p.title_en.as_deref())
    .bind(funder)
    .bind(implementer.0)
    .bind(p.start_date.as_deref())
    .bind(p.end_date.as_deref())
    .bind(territory_list(&p.territories))
    .bind(join_list(&p.target_groups))
    .bind(join_list(&p.snia_actions))
    .bind(p.source.as_deref())
    .bind(&ts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn upsert_convention(conn: &mut Conn, c: &ConventionRecord) -> Result<(), StoreError> {
    let ts = now();
    let parties: Vec<String> = c.parties.iter().map(|p| p.to_string()).collect();
    sqlx::query(
        "insert into dir_convention (code, title_fr, title_ar, title_en, parties, signed_on, published_on, status,
            source, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         on conflict (code) do update set title_fr = excluded.title_fr, title_ar = excluded.title_ar,
            title_en = excluded.title_en, parties = excluded.parties, signed_on = excluded.signed_on,
            published_on = excluded.published_on, status = excluded.status, source = excluded.source,
            updated_at = excluded.updated_at",
    )
    .bind(&c.code)
    .bind(&c.title_fr)
    .bind(c.title_ar.as_deref())
    .bind(c.title_en.as_deref())
    .bind(join_list(&parties))
    .bind(c.signed_on.as_deref())
    .bind(c.published_on.as_deref())
    .bind(&c.status)
    .bind(c.source.as_deref())
    .bind(&ts)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn opt_u32(r: &AnyRow, col: &str) -> Result<Option<u32>, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(col)?
        .and_then(|v| u32::try_from(v).ok()))
}

/// The whole directory, every table ordered by code.
pub async fn load(conn: &mut Conn) -> Result<Directory, StoreError> {
    let mut d = Directory::default();
    for r in sqlx::query(
        "select code, parent_code, name_fr, name_ar, name_en from taxonomy_term order by code",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        d.taxonomy.push(TaxonomyTerm {
            code: r.try_get("code")?,
            parent_code: r.try_get("parent_code")?,
            name_fr: r.try_get("name_fr")?,
            name_ar: r.try_get("name_ar")?,
            name_en: r.try_get("name_en")?,
        });
    }
    let rows = sqlx::query(
        "select o.code, o.kind, p.code as parent_code, o.name_fr, o.name_ar, o.name_en, o.description_fr,
            o.description_ar, o.description_en, o.website, o.email, o.phone, o.coverage, o.accepts_requests
         from organisation o left join organisation p on p.organisation_id = o.parent_id order by o.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        d.organisations.push(OrgRecord {
            code: OrgCode::parse(&r.try_get::<String, _>("code")?)?,
            kind: OrgKind::parse(&r.try_get::<String, _>("kind")?)?,
            parent_code: r
                .try_get::<Option<String>, _>("parent_code")?
                .map(|p| OrgCode::parse(&p))
                .transpose()?,
            name_fr: r.try_get("name_fr")?,
            name_ar: r.try_get("name_ar")?,
            name_en: r.try_get("name_en")?,
            description_fr: r.try_get("description_fr")?,
            description_ar: r.try_get("description_ar")?,
            description_en: r.try_get("description_en")?,
            website: r.try_get("website")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            territories: territory_codes(&r.try_get::<String, _>("coverage")?)?,
            accepts_requests: r.try_get::<i64, _>("accepts_requests")? != 0,
        });
    }
    let rows = sqlx::query(
        "select l.code, o.code as org, l.name_fr, l.name_ar, l.name_en, l.city, l.address, l.territory_code,
            l.latitude, l.longitude, l.hours, l.languages, l.accessibility_note
         from dir_location l join organisation o on o.organisation_id = l.organisation_id order by l.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        d.locations.push(LocationRecord {
            code: r.try_get("code")?,
            organization_code: OrgCode::parse(&r.try_get::<String, _>("org")?)?,
            name_fr: r.try_get("name_fr")?,
            name_ar: r.try_get("name_ar")?,
            name_en: r.try_get("name_en")?,
            city: r.try_get("city")?,
            address: r.try_get("address")?,
            territory_code: TerritoryCode::parse(&r.try_get::<String, _>("territory_code")?)?,
            latitude: r.try_get("latitude")?,
            longitude: r.try_get("longitude")?,
            hours: r.try_get("hours")?,
            languages: split_list(&r.try_get::<String, _>("languages")?),
            accessibility_note: r.try_get("accessibility_note")?,
        });
    }
    let mut at: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query(
        "select sl.service_id, l.code from dir_service_location sl join dir_location l on l.location_id = sl.location_id
         order by sl.service_id, sl.position",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        at.entry(r.try_get("service_id")?)
            .or_default()
            .push(r.try_get("code")?);
    }
    let rows = sqlx::query(
        "select s.service_id, s.code, o.code as org, s.category, s.name_fr, s.name_ar, s.name_en, s.description_fr,
            s.description_ar, s.description_en, s.eligibility_status, s.eligibility_sex, s.min_age, s.max_age,
            s.cost, s.documents_fr, s.documents_ar, s.documents_en, s.how_to_access_fr, s.how_to_access_ar,
            s.how_to_access_en, s.snia_actions, s.source
         from dir_service s join organisation o on o.organisation_id = s.organisation_id order by s.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: i64 = r.try_get("service_id")?;
        d.services.push(ServiceRecord {
            code: r.try_get("code")?,
            organization_code: OrgCode::parse(&r.try_get::<String, _>("org")?)?,
            location_codes: at.remove(&id).unwrap_or_default(),
            category: r.try_get("category")?,
            name_fr: r.try_get("name_fr")?,
            name_ar: r.try_get("name_ar")?,
            name_en: r.try_get("name_en")?,
            description_fr: r.try_get("description_fr")?,
            description_ar: r.try_get("description_ar")?,
            description_en: r.try_get("description_en")?,
            eligibility_status: split_list(&r.try_get::<String, _>("eligibility_status")?),
            eligibility_sex: r.try_get("eligibility_sex")?,
            min_age: opt_u32(&r, "min_age")?,
            max_age: opt_u32(&r, "max_age")?,
            cost: r.try_get("cost")?,
            documents_fr: r.try_get("documents_fr")?,
            documents_ar: r.try_get("documents_ar")?,
            documents_en: r.try_get("documents_en")?,
            how_to_access_fr: r.try_get("how_to_access_fr")?,
            how_to_access_ar: r.try_get("how_to_access_ar")?,
            how_to_access_en: r.try_get("how_to_access_en")?,
            snia_actions: split_list(&r.try_get::<String, _>("snia_actions")?),
            source: r.try_get("source")?,
        });
    }
    for r in sqlx::query(
        "select code, title_fr, title_ar, title_en, body_fr, body_ar, body_en, source from dir_right order by code",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        d.rights.push(RightPage {
            code: r.try_get("code")?,
            title_fr: r.try_get("title_fr")?,
            title_ar: r.try_get("title_ar")?,
            title_en: r.try_get("title_en")?,
            body_fr: r.try_get("body_fr")?,
            body_ar: r.try_get("body_ar")?,
            body_en: r.try_get("body_en")?,
            source: r.try_get("source")?,
        });
    }
    let rows = sqlx::query(
        "select p.code, p.title_fr, p.title_ar, p.title_en, f.code as funder, i.code as implementer, p.start_date,
            p.end_date, p.territories, p.target_groups, p.snia_actions, p.source
         from dir_project p join organisation i on i.organisation_id = p.implementer_id
         left join organisation f on f.organisation_id = p.funder_id order by p.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        d.projects.push(ProjectRecord {
            code: r.try_get("code")?,
            title_fr: r.try_get("title_fr")?,
            title_ar: r.try_get("title_ar")?,
            title_en: r.try_get("title_en")?,
            funder_code: r
                .try_get::<Option<String>, _>("funder")?
                .map(|f| OrgCode::parse(&f))
                .transpose()?,
            implementer_code: OrgCode::parse(&r.try_get::<String, _>("implementer")?)?,
            start_date: r.try_get("start_date")?,
            end_date: r.try_get("end_date")?,
            territories: territory_codes(&r.try_get::<String, _>("territories")?)?,
            target_groups: split_list(&r.try_get::<String, _>("target_groups")?),
            snia_actions: split_list(&r.try_get::<String, _>("snia_actions")?),
            source: r.try_get("source")?,
        });
    }
    for r in sqlx::query(
        "select code, title_fr, title_ar, title_en, parties, signed_on, published_on, status, source
         from dir_convention order by code",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        d.conventions.push(ConventionRecord {
            code: r.try_get("code")?,
            title_fr: r.try_get("title_fr")?,
            title_ar: r.try_get("title_ar")?,
            title_en: r.try_get("title_en")?,
            parties: org_codes(&r.try_get::<String, _>("parties")?)?,
            signed_on: r.try_get("signed_on")?,
            published_on: r.try_get("published_on")?,
            status: r.try_get("status")?,
            source: r.try_get("source")?,
        });
    }
    Ok(d)
}

pub async fn service_count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from dir_service")
        .fetch_one(&mut *conn)
        .await?)
}

/// A change to a directory record, proposed by an organisation or a community agent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub id: i64,
    /// The table: `organizations`, `locations`, `services`, `rights`…
    pub entity: String,
    pub entity_code: String,
    /// The proposed row, as a JSON object of column → text.
    pub fields: String,
    pub proposed_by: i64,
    pub proposer_name: String,
    pub proposed_org: String,
    pub proposed_at: String,
    pub note: Option<String>,
    /// `pending`, `approved`, `rejected`.
    pub status: String,
    pub reviewed_at: Option<String>,
    pub review_comment: Option<String>,
}

pub struct NewChange<'a> {
    pub entity: &'a str,
    pub entity_code: &'a str,
    pub fields: &'a str,
    pub proposed_by: i64,
    pub proposed_org: OrgId,
    pub note: Option<&'a str>,
    pub status: &'a str,
}

pub async fn insert_change(conn: &mut Conn, c: &NewChange<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "insert into dir_change (entity, entity_code, fields, proposed_by, proposed_org, proposed_at, note, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning change_id",
    )
    .bind(c.entity)
    .bind(c.entity_code)
    .bind(c.fields)
    .bind(c.proposed_by)
    .bind(c.proposed_org.0)
    .bind(now())
    .bind(c.note)
    .bind(c.status)
    .fetch_one(&mut *conn)
    .await?)
}

const CHANGE_SELECT: &str = "select c.change_id, c.entity, c.entity_code, c.fields, c.proposed_by,
    u.display_name, o.code as org, c.proposed_at, c.note, c.status, c.reviewed_at, c.review_comment
    from dir_change c join app_user u on u.user_id = c.proposed_by
    join organisation o on o.organisation_id = c.proposed_org";

fn change_from(r: &AnyRow) -> Result<Change, StoreError> {
    Ok(Change {
        id: r.try_get("change_id")?,
        entity: r.try_get("entity")?,
        entity_code: r.try_get("entity_code")?,
        fields: r.try_get("fields")?,
        proposed_by: r.try_get("proposed_by")?,
        proposer_name: r.try_get("display_name")?,
        proposed_org: r.try_get("org")?,
        proposed_at: r.try_get("proposed_at")?,
        note: r.try_get("note")?,
        status: r.try_get("status")?,
        reviewed_at: r.try_get("reviewed_at")?,
        review_comment: r.try_get("review_comment")?,
    })
}

/// Changes with `status` (all when empty), newest first; only those proposed by
/// `user` when given.
pub async fn changes(
    conn: &mut Conn,
    status: &str,
    user: Option<i64>,
) -> Result<Vec<Change>, StoreError> {
    let sql = format!(
        "{CHANGE_SELECT} where ($1 = '' or c.status = $1) and ($2 = 0 or c.proposed_by = $2)
         order by c.proposed_at desc, c.change_id desc limit 500"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status)
        .bind(user.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(change_from).collect()
}

pub async fn change(conn: &mut Conn, id: i64) -> Result<Option<Change>, StoreError> {
    let sql = format!("{CHANGE_SELECT} where c.change_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(change_from).transpose()
}

/// Closes a pending change; false when it was not pending any more.
pub async fn review_change(
    conn: &mut Conn,
    id: i64,
    status: &str,
    reviewer: i64,
    comment: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update dir_change set status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4
         where change_id = $5 and status = 'pending'",
    )
    .bind(status)
    .bind(reviewer)
    .bind(now())
    .bind(comment)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A request from the portal's "ask to be contacted" form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeRequest {
    pub id: i64,
    pub created_at: String,
    /// The reception organisation it was routed to.
    pub organisation_id: OrgId,
    pub organisation_code: String,
    pub territory_code: String,
    pub locale: String,
    pub name: String,
    pub contact: String,
    pub preferred_language: Option<String>,
    pub help_category: Option<String>,
    pub service_code: Option<String>,
    pub message: Option<String>,
    pub consent_at: String,
    /// `new`, `taken`, `closed`.
    pub status: String,
    pub taken_by: Option<i64>,
    pub taken_by_name: Option<String>,
    pub taken_at: Option<String>,
    pub closed_at: Option<String>,
    pub case_ref: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewIntake<'a> {
    pub organisation_id: OrgId,
    pub territory_code: &'a str,
    pub locale: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub preferred_language: Option<&'a str>,
    pub help_category: Option<&'a str>,
    pub service_code: Option<&'a str>,
    pub message: Option<&'a str>,
}

pub async fn insert_intake(conn: &mut Conn, n: &NewIntake<'_>) -> Result<i64, StoreError> {
    let ts = now();
    Ok(sqlx::query_scalar(
        "insert into intake_request (created_at, organisation_id, territory_code, locale, name, contact,
            preferred_language, help_category, service_code, message, consent_at, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $1, 'new') returning intake_id",
    )
    .bind(&ts)
    .bind(n.organisation_id.0)
    .bind(n.territory_code)
    .bind(n.locale)
    .bind(n.name)
    .bind(n.contact)
    .bind(n.preferred_language)
    .bind(n.help_category)
    .bind(n.service_code)
    .bind(n.message)
    .fetch_one(&mut *conn)
    .await?)
}

const INTAKE_SELECT: &str = "select i.intake_id, i.created_at, i.organisation_id, o.code as org, i.territory_code,
    i.locale, i.name, i.contact, i.preferred_language, i.help_category, i.service_code, i.message, i.consent_at,
    i.status, i.taken_by, u.display_name as taken_by_name, i.taken_at, i.closed_at, i.case_ref
    from intake_request i join organisation o on o.organisation_id = i.organisation_id
    left join app_user u on u.user_id = i.taken_by";

fn intake_from(r: &AnyRow) -> Result<IntakeRequest, StoreError> {
    Ok(IntakeRequest {
        id: r.try_get("intake_id")?,
        created_at: r.try_get("created_at")?,
        organisation_id: OrgId(r.try_get("organisation_id")?),
        organisation_code: r.try_get("org")?,
        territory_code: r.try_get("territory_code")?,
        locale: r.try_get("locale")?,
        name: r.try_get("name")?,
        contact: r.try_get("contact")?,
        preferred_language: r.try_get("preferred_language")?,
        help_category: r.try_get("help_category")?,
        service_code: r.try_get("service_code")?,
        message: r.try_get("message")?,
        consent_at: r.try_get("consent_at")?,
        status: r.try_get("status")?,
        taken_by: r.try_get("taken_by")?,
        taken_by_name: r.try_get("taken_by_name")?,
        taken_at: r.try_get("taken_at")?,
        closed_at: r.try_get("closed_at")?,
        case_ref: r.try_get("case_ref")?,
    })
}

/// An organisation's intake requests: open ones (new, then taken) oldest first, then
/// the last closed ones.
pub async fn intake_for_org(conn: &mut Conn, org: OrgId) -> Result<Vec<IntakeRequest>, StoreError> {
    let sql = format!(
        "{INTAKE_SELECT} where i.organisation_id = $1
         order by case i.status when 'new' then 0 when 'taken' then 1 else 2 end, i.created_at, i.intake_id
         limit 500"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(intake_from).collect()
}

pub async fn intake(conn: &mut Conn, id: i64) -> Result<Option<IntakeRequest>, StoreError> {
    let sql = format!("{INTAKE_SELECT} where i.intake_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(intake_from).transpose()
}

/// Marks a new request taken by `user`; false when it was not new any more.
pub async fn take_intake(conn: &mut Conn, id: i64, user: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update intake_request set status = 'taken', taken_by = $1, taken_at = $2 where intake_id = $3 and status = 'new'",
    )
    .bind(user)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes a request that is not closed yet (a duplicate, a wrong number, or done);
/// whoever closes it untaken becomes its taker.
pub async fn close_intake(conn: &mut Conn, id: i64, user: i64) -> Result<bool, StoreError> {
    let ts = now();
    let done = sqlx::query(
        "update intake_request set status = 'closed', closed_at = $1,
            taken_by = coalesce(taken_by, $2), taken_at = coalesce(taken_at, $1)
         where intake_id = $3 and status <> 'closed'",
    )
    .bind(&ts)
    .bind(user)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the case opened from a request (case work, issue #4).
pub async fn link_intake_case(
    conn: &mut Conn,
    id: i64,
    case_ref: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("update intake_request set case_ref = $1 where intake_id = $2")
        .bind(case_ref)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
