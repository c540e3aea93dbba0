-- Governance of a strategy: bodies, their members and the framework nodes they
-- steer, meetings (planned / held / postponed / cancelled) with agenda, attendance
-- and minutes, decisions, and follow-up actions with their progress notes.

create table gov_body (
    body_code text primary key,
    kind text not null,
    name_fr text not null,
    name_ar text,
    name_en text,
    legal_basis text,
    frequency text,
    parent_code text references gov_body (body_code),
    source text,
    position integer not null default 0,
    updated_at text not null
);

create table gov_body_node (
    body_code text not null references gov_body (body_code) on delete cascade,
    framework_code text not null,
    node_code text not null,
    position integer not null default 0,
    primary key (body_code, framework_code, node_code)
);

create table gov_member (
    member_id integer primary key,
    body_code text not null references gov_body (body_code) on delete cascade,
    organisation_id integer not null references organisation (organisation_id),
    role text not null,
    title text,
    user_id integer references app_user (user_id),
    unique (body_code, organisation_id, role)
);

create table gov_meeting (
    meeting_id integer primary key,
    body_code text not null references gov_body (body_code),
    planned_on text not null,
    status text not null,
    held_on text,
    place text,
    minutes text,
    source text,
    updated_by integer,
    updated_at text not null
);
create index gov_meeting_body on gov_meeting (body_code, planned_on);

create table gov_agenda_item (
    meeting_id integer not null references gov_meeting (meeting_id) on delete cascade,
    position integer not null,
    title text not null,
    primary key (meeting_id, position)
);

create table gov_attendance (
    meeting_id integer not null references gov_meeting (meeting_id) on delete cascade,
    organisation_id integer not null references organisation (organisation_id),
    presence text not null,
    primary key (meeting_id, organisation_id)
);

create table gov_decision (
    decision_id integer primary key,
    meeting_id integer not null references gov_meeting (meeting_id),
    text text not null,
    illustrative integer not null default 0,
    created_by integer,
    created_at text not null
);

create table gov_action (
    action_id integer primary key,
    body_code text references gov_body (body_code),
    title text not null,
    origin text not null,
    source_ref text,
    decision_id integer references gov_decision (decision_id),
    framework_code text,
    node_code text,
    year integer,
    owner_org_id integer not null references organisation (organisation_id),
    due_on text,
    status text not null,
    illustrative integer not null default 0,
    reviewed_meeting_id integer references gov_meeting (meeting_id),
    created_by integer,
    created_at text not null,
    updated_at text not null
);
create index gov_action_owner on gov_action (owner_org_id, status);

create table gov_action_note (
    note_id integer primary key,
    action_id integer not null references gov_action (action_id) on delete cascade,
    status text not null,
    note text,
    created_by integer,
    created_at text not null
);
