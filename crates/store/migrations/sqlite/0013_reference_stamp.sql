-- The reference lists' stamp (`orgs::REFERENCE_STAMP`), read with every case page:
-- with these, each newest `updated_at` is an index seek instead of a table scan.
create index organisation_by_updated on organisation (updated_at);
create index dir_service_by_updated on dir_service (updated_at);
