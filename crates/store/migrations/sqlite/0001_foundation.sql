-- Foundation: territories, organisations, users, sessions, API tokens, audit trail.
-- An applied migration is never edited: add a new file instead, with the same name
-- under migrations/postgres. Timestamps are UTC text (RFC 3339, microseconds, `Z`)
-- so both engines sort and compare them alike.

create table territory (
    code text primary key,
    level text not null,
    parent_code text references territory (code),
    kind text,
    name_fr text not null,
    name_ar text,
    name_en text,
    aliases text not null default ''
);
create index territory_parent on territory (parent_code);

create table organisation (
    organisation_id integer primary key,
    code text not null unique,
    kind text not null,
    name_fr text not null,
    name_ar text,
    name_en text,
    parent_id integer references organisation (organisation_id),
    territory_code text references territory (code),
    created_at text not null,
    updated_at text not null
);

create table app_user (
    user_id integer primary key,
    username text not null unique,
    display_name text not null,
    organisation_id integer not null references organisation (organisation_id),
    password_hash text not null,
    active integer not null default 1,
    locale text,
    created_at text not null,
    updated_at text not null
);

create table user_role (
    user_id integer not null references app_user (user_id) on delete cascade,
    role text not null,
    primary key (user_id, role)
);

create table session (
    session_hash text primary key,
    user_id integer not null references app_user (user_id) on delete cascade,
    csrf_token text not null,
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null
);
create index session_by_user on session (user_id);

create table api_token (
    api_token_id integer primary key,
    user_id integer not null references app_user (user_id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    created_at text not null,
    last_used_at text,
    revoked_at text
);

create table audit_head (
    audit_head_id integer primary key,
    seq integer not null,
    last_hash text not null
);
insert into audit_head (audit_head_id, seq, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create table audit_log (
    seq integer primary key,
    at text not null,
    actor_user_id integer,
    actor_org_id integer,
    action text not null,
    entity text not null,
    entity_id text,
    operation_id text not null,
    detail text not null,
    prev_hash text not null,
    hash text not null
);
create index audit_log_entity on audit_log (entity, entity_id);
create index audit_log_actor on audit_log (actor_user_id);
