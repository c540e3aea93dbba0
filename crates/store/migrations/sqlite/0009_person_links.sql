-- Counting a person once: pairs of registrations the linkage engine found to be the
-- same person (or a supervisor confirmed, or ruled out), and each person's cluster.
-- Nothing is merged destructively: every registration keeps its own row and history;
-- `cluster_id` (the smallest person id of the cluster) is recomputed from the pairs.

alter table person add column cluster_id integer;
create index person_by_cluster on person (cluster_id);

create table person_pair (
    pair_id integer primary key,
    person_a integer not null references person (person_id),
    person_b integer not null references person (person_id),
    probability real not null,
    explanation text not null,
    -- linked (by the engine), confirmed (same person), distinct (not the same)
    status text not null,
    decided_by integer,
    decided_at text,
    found_at text not null,
    unique (person_a, person_b)
);
create index person_pair_status on person_pair (status);
