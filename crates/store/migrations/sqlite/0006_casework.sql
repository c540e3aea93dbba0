-- Case work: people (registry), consents, legal status history, household links,
-- cases with their events, assessments, pathway plans, notes, referrals, services
-- delivered and group activities.
--
-- Sensitive values (documents, phones, legal status details, assessment answers,
-- notes, referral messages) are stored encrypted (`*_enc`: "v1:" + hex of nonce and
-- ciphertext). Searchable values have keys in `person_key`: name keys in clear (the
-- names are shown to those who may see the person anyway), phone and document keys
-- as keyed hashes (blind indexes).

create table person (
    person_id integer primary key,
    organisation_id integer not null references organisation (organisation_id),
    given_name text not null default '',
    family_name text not null default '',
    name_ar text not null default '',
    sex text not null,
    birth_date text,
    birth_year integer,
    birth_approximate integer not null default 0,
    nationality text,
    languages text not null default '',
    territory_code text references territory (code),
    legal_status text,
    contact_enc text,
    created_anyway text,
    created_by integer not null,
    created_at text not null,
    updated_at text not null,
    version integer not null default 1
);
create index person_by_org on person (organisation_id);

create table person_key (
    person_id integer not null references person (person_id) on delete cascade,
    kind text not null,
    key text not null
);
create index person_key_by_key on person_key (key);
create index person_key_by_person on person_key (person_id);

create table legal_status_history (
    status_id integer primary key,
    person_id integer not null references person (person_id) on delete cascade,
    status text not null,
    since text,
    until text,
    detail_enc text,
    recorded_by integer not null,
    recorded_at text not null
);
create index legal_status_by_person on legal_status_history (person_id);

create table consent (
    consent_id integer primary key,
    person_id integer not null references person (person_id) on delete cascade,
    purpose text not null,
    scope text not null default 'any',
    given_at text not null,
    recorded_by integer not null,
    organisation_id integer not null,
    withdrawn_at text,
    withdrawn_by integer
);
create index consent_by_person on consent (person_id);

create table household_link (
    person_id integer not null references person (person_id) on delete cascade,
    other_person_id integer not null references person (person_id) on delete cascade,
    relation text not null,
    recorded_by integer not null,
    recorded_at text not null,
    primary key (person_id, other_person_id)
);

create table case_file (
    case_id integer primary key,
    case_ref text not null unique,
    person_id integer not null references person (person_id),
    organisation_id integer not null references organisation (organisation_id),
    assigned_user_id integer references app_user (user_id),
    status text not null,
    close_reason text,
    transfer_org_id integer references organisation (organisation_id),
    intake_id integer,
    opened_by integer not null,
    opened_at text not null,
    closed_at text,
    updated_at text not null,
    version integer not null default 1
);
create index case_by_org on case_file (organisation_id, status);
create index case_by_person on case_file (person_id);
create index case_by_assignee on case_file (assigned_user_id);

create table case_event (
    event_id integer primary key,
    case_id integer not null references case_file (case_id) on delete cascade,
    at text not null,
    user_id integer,
    kind text not null,
    detail text not null default ''
);
create index case_event_by_case on case_event (case_id);

create table assessment (
    assessment_id integer primary key,
    case_id integer not null references case_file (case_id) on delete cascade,
    form_code text not null,
    form_version integer not null,
    answers_enc text not null,
    created_by integer not null,
    created_at text not null,
    updated_by integer not null,
    updated_at text not null,
    version integer not null default 1
);
create index assessment_by_case on assessment (case_id);

create table form_def (
    form_code text not null,
    form_version integer not null,
    definition text not null,
    imported_at text not null,
    primary key (form_code, form_version)
);

create table plan_step (
    step_id integer primary key,
    case_id integer not null references case_file (case_id) on delete cascade,
    goal text not null,
    step text not null,
    due_date text,
    status text not null,
    done_at text,
    created_by integer not null,
    created_at text not null
);
create index plan_step_by_case on plan_step (case_id);

create table case_note (
    note_id integer primary key,
    case_id integer not null references case_file (case_id) on delete cascade,
    body_enc text not null,
    created_by integer not null,
    created_at text not null
);
create index case_note_by_case on case_note (case_id);

create table referral (
    referral_id integer primary key,
    case_id integer not null references case_file (case_id),
    person_id integer not null references person (person_id),
    from_org_id integer not null references organisation (organisation_id),
    to_org_id integer not null references organisation (organisation_id),
    service_code text,
    sections text not null default '',
    status text not null,
    reason_enc text,
    outcome_enc text,
    due_date text,
    sent_by integer not null,
    sent_at text not null,
    updated_by integer not null,
    updated_at text not null,
    version integer not null default 1
);
create index referral_from on referral (from_org_id, status);
create index referral_to on referral (to_org_id, status);
create index referral_by_case on referral (case_id);

create table service_event (
    event_id integer primary key,
    person_id integer not null references person (person_id),
    case_id integer references case_file (case_id),
    referral_id integer references referral (referral_id),
    organisation_id integer not null references organisation (organisation_id),
    service_type text not null,
    delivered_on text not null,
    territory_code text,
    framework_node text,
    recorded_by integer not null,
    recorded_at text not null
);
create index service_event_by_type on service_event (service_type, delivered_on);
create index service_event_by_person on service_event (person_id);

create table group_activity (
    activity_id integer primary key,
    organisation_id integer not null references organisation (organisation_id),
    kind text not null,
    topic text not null,
    held_on text not null,
    territory_code text references territory (code),
    place text not null default '',
    participants text not null,
    score_entry real,
    score_exit real,
    framework_node text,
    recorded_by integer not null,
    recorded_at text not null
);
create index group_activity_by_date on group_activity (held_on);
