-- Results frameworks as data: frameworks, their nodes (any depth), "contributes to"
-- links across frameworks, indicators, and indicator targets with their revisions.

create table framework (
    framework_code text primary key,
    title_fr text not null,
    title_ar text,
    title_en text,
    owner text,
    source text,
    definition text not null,
    imported_at text not null
);

create table result_level (
    framework_code text not null references framework (framework_code) on delete cascade,
    code text not null,
    rank integer not null,
    title_fr text not null,
    title_ar text,
    title_en text,
    primary key (framework_code, code)
);

create table result_node (
    framework_code text not null references framework (framework_code) on delete cascade,
    code text not null,
    level text not null,
    parent_code text,
    position integer not null,
    title_fr text not null,
    title_ar text,
    title_en text,
    attributes text not null,
    primary key (framework_code, code)
);
create index result_node_parent on result_node (framework_code, parent_code);

create table node_link (
    framework_code text not null references framework (framework_code) on delete cascade,
    node_code text not null,
    target_framework text not null,
    target_code text not null,
    primary key (framework_code, node_code, target_framework, target_code)
);
create index node_link_target on node_link (target_framework, target_code);

create table indicator (
    framework_code text not null references framework (framework_code) on delete cascade,
    code text not null,
    node_code text not null,
    position integer not null,
    title_fr text not null,
    title_ar text,
    title_en text,
    kind text not null,
    unit text not null,
    direction text not null,
    cumulative integer not null,
    frequency text,
    source text,
    responsible text,
    dimensions text not null,
    baseline text,
    notes text,
    primary key (framework_code, code)
);

-- Targets keep their history: a changed value supersedes the old row, never edits it.
create table indicator_target (
    indicator_target_id integer primary key,
    framework_code text not null,
    indicator_code text not null,
    period text not null,
    cells text not null,
    value real,
    note text,
    revision integer not null,
    reason text,
    created_at text not null,
    superseded_at text
);
create index indicator_target_current on indicator_target (framework_code, indicator_code, superseded_at);
