-- People counted from services (issue #3): one row per service event with what the
-- indicator engine groups and counts by, copied from the service, its person (and
-- their cluster: the unit counted once) and its place mapped to the region. Written
-- in the same transaction as the service, and rewritten in the same transaction as
-- every change to the person or to the clusters (`store::facts`), so counting needs
-- no join and a dashboard still shows a service the moment it is recorded.
create table service_fact (
    event_id bigint primary key,
    person_id bigint not null,
    -- the person's cluster (linked registrations count once), else the person
    unit_id bigint not null,
    service_type text not null,
    -- the calendar year of delivered_on, so a year's services are one index range
    year bigint not null,
    delivered_on text not null,
    organisation_id bigint not null,
    -- the service's place, else the person's (a known territory code, or null)
    territory_code text,
    -- its region (the province's parent; a region stands for itself)
    region_code text,
    sex text not null,
    birth_year bigint,
    legal_status text,
    nationality text
);
insert into service_fact (event_id, person_id, unit_id, service_type, year, delivered_on, organisation_id,
    territory_code, region_code, sex, birth_year, legal_status, nationality)
select e.event_id, e.person_id, coalesce(p.cluster_id, p.person_id), e.service_type,
    cast(substr(e.delivered_on, 1, 4) as integer), e.delivered_on, e.organisation_id, t.code,
    case when t.level = 'province' then t.parent_code else t.code end,
    p.sex, p.birth_year, p.legal_status, p.nationality
from service_event e
join person p on p.person_id = e.person_id
left join territory t on t.code = coalesce(e.territory_code, p.territory_code);

-- Built after the rows (a sorted build). `store::facts::rebuild` drops and builds the
-- same indexes.
-- Lines by region and sex, and everyone, read from the indexes alone and in the order
-- that lets distinct people be counted without sorting.
create index service_fact_lines on service_fact (service_type, year, region_code, sex, unit_id, organisation_id, delivered_on, territory_code);
create index service_fact_units on service_fact (service_type, year, unit_id, organisation_id, delivered_on, region_code, territory_code);
create index service_fact_by_person on service_fact (person_id);

