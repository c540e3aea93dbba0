-- Aggregate values reported by partners: one number per indicator, period,
-- territory, reporting organisation and disaggregation cell (`cells`, canonical
-- `sex=F;status=refugee`, empty for the total).

create table data_value (
    data_value_id integer primary key,
    framework_code text not null,
    indicator_code text not null,
    period text not null,
    period_start text not null,
    period_end text not null,
    territory_code text not null references territory (code),
    organisation_code text not null,
    cells text not null,
    value real not null,
    qualifier text not null,
    comment text,
    status text not null,
    source text,
    source_line integer,
    created_at text not null,
    updated_at text not null,
    unique (indicator_code, period, territory_code, organisation_code, cells)
);
create index data_value_lookup on data_value (indicator_code, period, status);
