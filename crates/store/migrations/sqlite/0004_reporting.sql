-- Partner reporting: data sets as data, and one submission per data set,
-- organisation and period with its workflow status.

create table dataset (
    dataset_code text primary key,
    definition text not null,
    imported_at text not null
);

create table submission (
    submission_id integer primary key,
    dataset_code text not null references dataset (dataset_code),
    organisation_code text not null,
    period text not null,
    status text not null,
    comment text,
    updated_by integer,
    updated_at text not null,
    locked_by integer,
    locked_at text,
    unique (dataset_code, organisation_code, period)
);
