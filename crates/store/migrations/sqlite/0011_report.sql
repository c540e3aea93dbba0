-- The yearly report: narratives per programme, year and organisation (the five
-- sections, French and Arabic, as JSON) with the reporting workflow's statuses;
-- frozen data versions (snapshots) with their content hash; and the follow-up items
-- that an approved narrative's planned measures and recommendations become.

create table report_narrative (
    narrative_id integer primary key,
    framework_code text not null,
    node_code text not null,
    year integer not null,
    organisation_code text not null,
    sections text not null,
    status text not null,
    comment text,
    updated_by integer,
    updated_at text not null,
    approved_by integer,
    approved_at text,
    unique (framework_code, node_code, year, organisation_code)
);

create table report_snapshot (
    snapshot_id integer primary key,
    year integer not null,
    label text not null,
    content text not null,
    content_hash text not null,
    created_by integer,
    created_at text not null
);

create index report_snapshot_year on report_snapshot (year, snapshot_id);

-- `origin` says where an item comes from ('report_narrative'), so governance
-- follow-up actions can be connected to these later without sharing a table.
create table report_followup (
    followup_id integer primary key,
    origin text not null,
    narrative_id integer not null references report_narrative (narrative_id),
    framework_code text not null,
    node_code text not null,
    organisation_code text not null,
    year integer not null,
    section text not null,
    position integer not null,
    text text not null,
    status text not null,
    status_note text,
    updated_by integer,
    updated_at text not null,
    unique (narrative_id, section, position)
);

create index report_followup_year on report_followup (year, node_code);
