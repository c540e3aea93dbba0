-- The indicator engine groups in the database (issue #3): these indexes let it read
-- only what a dashboard asks for, from the index alone.
--
-- The grid of aggregate values: one period, some indicators, some territories.
create index data_value_grid on data_value (period, indicator_code, territory_code, status, cells, organisation_code, value, qualifier);

-- People counted from services: the services of some types in a date range, with
-- the person, organisation and place the count needs. Replaces the (type, date)
-- index it extends.
create index service_event_engine on service_event (service_type, delivered_on, person_id, organisation_id, territory_code);
drop index service_event_by_type;
