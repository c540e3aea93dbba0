-- The service directory (after Open Referral's HSDS): organisations gain their public
-- entry; locations, services and the taxonomy of categories; projects and partnership
-- conventions for "who does what where"; the portal's rights pages; changes proposed
-- by organisations and community agents, waiting for the secretariat; and the intake
-- requests the public portal's contact form creates, queued for the reception
-- organisation they were routed to. Lists are `|`-separated text.

alter table organisation add column description_fr text;
alter table organisation add column description_ar text;
alter table organisation add column description_en text;
alter table organisation add column website text;
alter table organisation add column email text;
alter table organisation add column phone text;
alter table organisation add column coverage text not null default '';
alter table organisation add column accepts_requests integer not null default 0;

create table taxonomy_term (
    code text primary key,
    parent_code text references taxonomy_term (code),
    name_fr text not null,
    name_ar text,
    name_en text
);

create table dir_location (
    location_id integer primary key,
    code text not null unique,
    organisation_id integer not null references organisation (organisation_id),
    name_fr text not null,
    name_ar text,
    name_en text,
    city text,
    address text,
    territory_code text not null references territory (code),
    latitude real,
    longitude real,
    hours text,
    languages text not null default '',
    accessibility_note text,
    created_at text not null,
    updated_at text not null
);
create index dir_location_org on dir_location (organisation_id);
create index dir_location_territory on dir_location (territory_code);

create table dir_service (
    service_id integer primary key,
    code text not null unique,
    organisation_id integer not null references organisation (organisation_id),
    category text not null references taxonomy_term (code),
    name_fr text not null,
    name_ar text,
    name_en text,
    description_fr text,
    description_ar text,
    description_en text,
    eligibility_status text not null default '',
    eligibility_sex text,
    min_age integer,
    max_age integer,
    cost text,
    documents_fr text,
    documents_ar text,
    documents_en text,
    how_to_access_fr text,
    how_to_access_ar text,
    how_to_access_en text,
    snia_actions text not null default '',
    source text,
    created_at text not null,
    updated_at text not null
);
create index dir_service_org on dir_service (organisation_id);
create index dir_service_category on dir_service (category);

create table dir_service_location (
    service_id integer not null references dir_service (service_id) on delete cascade,
    location_id integer not null references dir_location (location_id) on delete cascade,
    position integer not null,
    primary key (service_id, location_id)
);
create index dir_service_location_loc on dir_service_location (location_id);

create table dir_right (
    code text primary key,
    title_fr text not null,
    title_ar text,
    title_en text,
    body_fr text not null,
    body_ar text,
    body_en text,
    source text,
    updated_at text not null
);

create table dir_project (
    project_id integer primary key,
    code text not null unique,
    title_fr text not null,
    title_ar text,
    title_en text,
    funder_id integer references organisation (organisation_id),
    implementer_id integer not null references organisation (organisation_id),
    start_date text,
    end_date text,
    territories text not null default '',
    target_groups text not null default '',
    snia_actions text not null default '',
    source text,
    created_at text not null,
    updated_at text not null
);

create table dir_convention (
    convention_id integer primary key,
    code text not null unique,
    title_fr text not null,
    title_ar text,
    title_en text,
    parties text not null,
    signed_on text,
    published_on text,
    status text not null,
    source text,
    created_at text not null,
    updated_at text not null
);

create table dir_change (
    change_id integer primary key,
    entity text not null,
    entity_code text not null,
    fields text not null,
    proposed_by integer not null references app_user (user_id),
    proposed_org integer not null references organisation (organisation_id),
    proposed_at text not null,
    note text,
    status text not null,
    reviewed_by integer references app_user (user_id),
    reviewed_at text,
    review_comment text
);
create index dir_change_status on dir_change (status);

create table intake_request (
    intake_id integer primary key,
    created_at text not null,
    organisation_id integer not null references organisation (organisation_id),
    territory_code text not null references territory (code),
    locale text not null,
    name text not null,
    contact text not null,
    preferred_language text,
    help_category text,
    service_code text,
    message text,
    consent_at text not null,
    status text not null default 'new',
    taken_by integer references app_user (user_id),
    taken_at text,
    closed_at text,
    case_ref text
);
create index intake_request_queue on intake_request (organisation_id, status, created_at);
