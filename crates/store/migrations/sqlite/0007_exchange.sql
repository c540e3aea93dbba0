-- Exchange with partners' systems: the mapping between our codes (indicators,
-- disaggregation cells, dimensions and their values, territories, reporting
-- organisations, data sets, periods) and a partner's DHIS2 codes. One row per
-- (kind, our code); the whole mapping is replaced at each import.

create table exchange_mapping (
    exchange_mapping_id integer primary key,
    kind text not null,
    code text not null,
    dhis2_code text not null,
    note text not null default '',
    position integer not null,
    updated_at text not null,
    unique (kind, code)
);
