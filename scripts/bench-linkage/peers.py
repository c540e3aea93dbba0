"""Run the peer engines (Python recordlinkage ECM, Splink) on a data set with ground truth.

usage: peers.py rl|splink febrl4 A.csv B.csv
       peers.py rl|splink dedup FILE.csv febrl|synthetic

Prints one line: RESULT dataset=... precision=... recall=... f1=... seconds=...
Scoring is pairwise on the predicted links (no transitive closure), the truth being the
`person_id` column, which neither engine sees. Each peer is configured the way its own
documentation and tutorials configure FEBRL-like data: blocking on several keys, names
compared by Jaro-Winkler, dates exactly (Splink: by its date comparison), EM training.
"""

import os
import sys
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")

FEBRL_TEXT = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]
# Splink's own 50k historical figures (splink_datasets), as the Splink tutorial reads them.
HIST_TEXT = ["first_name", "surname", "dob", "birth_place", "postcode_fake", "gender", "occupation"]
# Splink's fake_1000 (splink_datasets), as Splink's getting-started tutorial reads it.
FAKE_TEXT = ["first_name", "surname", "dob", "city", "email"]
SYN_TEXT = ["given_name", "family_name", "name_arabic", "sex", "birth_date", "nationality", "phone", "document_number", "city"]


def load(path, cols):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in cols:
        if c in df.columns:
            df[c] = df[c].str.strip().str.lower().replace("", None)
    return df


def score(pred_pairs, truth_a, truth_b, true_pairs):
    tp = sum(1 for a, b in pred_pairs if truth_a.get(a) is not None and truth_a.get(a) == truth_b.get(b))
    p = tp / len(pred_pairs) if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp


def true_pairs_dedup(df):
    counts = df["person_id"].value_counts()
    return int(sum(n * (n - 1) // 2 for n in counts))


def rl_run(mode, dfs, kind):
    import recordlinkage

    if kind == "fake":
        blocks = ["first_name", "surname", "dob", "email"]
        feats = [("jw", "first_name"), ("jw", "surname"), ("exact", "dob"), ("exact", "city"), ("exact", "email")]
    elif kind == "historical":
        blocks = ["first_name", "surname", "dob", "postcode_fake"]
        feats = [("jw", "first_name"), ("jw", "surname"), ("exact", "dob"), ("exact", "birth_place"), ("exact", "postcode_fake"), ("exact", "gender"), ("exact", "occupation")]
    elif kind == "febrl":
        blocks = ["given_name", "surname", "date_of_birth", "postcode", "soc_sec_id"]
        feats = [("exact", "given_name"), ("jw", "surname"), ("exact", "date_of_birth"), ("exact", "suburb"), ("exact", "state"), ("jw", "address_1"), ("exact", "soc_sec_id"), ("exact", "postcode")]
    else:
        blocks = ["given_name", "family_name", "birth_date", "phone", "document_number"]
        feats = [("jw", "given_name"), ("jw", "family_name"), ("exact", "birth_date"), ("exact", "sex"), ("exact", "phone"), ("exact", "document_number"), ("exact", "nationality"), ("exact", "city"), ("exact", "name_arabic")]
    indexer = recordlinkage.Index()
    for b in blocks:
        indexer.block(b)
    pairs = indexer.index(*dfs)
    comp = recordlinkage.Compare(n_jobs=2)
    for how, col in feats:
        if how == "exact":
            comp.exact(col, col, label=col)
        else:
            comp.string(col, col, method="jarowinkler", threshold=0.85, label=col)
    features = comp.compute(pairs, *dfs)
    ecm = recordlinkage.ECMClassifier()
    links = ecm.fit_predict(features)
    return list(links)


def splink_run(mode, dfs, kind):
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    import splink.comparison_library as cl

    if kind == "fake":
        # The settings of Splink's getting-started tutorial on this data set.
        comparisons = [
            cl.NameComparison("first_name"),
            cl.JaroAtThresholds("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ]
        rules = [block_on("first_name", "dob"), block_on("surname")]
        em_rules = [block_on("first_name", "surname"), block_on("email")]
        det = [block_on("first_name", "surname")]
    elif kind == "historical":
        # The settings of Splink's tutorial on this data set.
        comparisons = [
            cl.ForenameSurnameComparison("first_name", "surname", forename_surname_concat_col_name="first_name_surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ]
        rules = [block_on("first_name", "surname"), block_on("surname", "dob"), block_on("first_name", "dob"), block_on("postcode_fake", "first_name"), block_on("postcode_fake", "surname"), block_on("dob", "birth_place"), block_on("substr(postcode_fake,1,3)", "dob"), block_on("substr(postcode_fake,1,3)", "first_name"), block_on("substr(postcode_fake,1,3)", "surname"), block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)")]
        em_rules = [block_on("first_name", "surname"), block_on("dob")]
        det = [block_on("first_name", "surname", "dob"), block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"), block_on("dob", "postcode_fake")]
    elif kind == "febrl":
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("state"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("postcode"),
        ]
        rules = [block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("postcode"), block_on("soc_sec_id")]
        em_rules = [block_on("given_name", "surname"), block_on("date_of_birth")]
        det = [block_on("soc_sec_id", "date_of_birth")]
    else:
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("document_number"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("city"),
            cl.ExactMatch("name_arabic"),
        ]
        rules = [block_on("given_name"), block_on("family_name"), block_on("birth_date"), block_on("phone"), block_on("document_number")]
        em_rules = [block_on("given_name", "family_name"), block_on("birth_date"), block_on("phone")]
        det = [block_on("given_name", "family_name", "birth_date")]
    link_type = "link_only" if mode == "link" else "dedupe_only"
    settings = SettingsCreator(link_type=link_type, unique_id_column_name="rec_id", comparisons=comparisons, blocking_rules_to_generate_predictions=rules, retain_intermediate_calculation_columns=False)
    if kind == "historical":
        df = dfs[0]
        df["first_name_surname"] = (df["first_name"].fillna("") + " " + df["surname"].fillna("")).str.strip().replace("", None)
    db = DuckDBAPI()
    sdfs = [db.register(d) for d in dfs]
    linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(det, recall=0.6 if kind == "historical" else 0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for r in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(r)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    if mode == "dedup" and os.environ.get("CLUSTER") == "1":
        # Splink's own clustering (connected components at the threshold), scored on every
        # pair inside a cluster, as Passerelle's clusters are.
        cl_df = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.5).as_pandas_dataframe()
        pairs = []
        for _, g in cl_df.groupby("cluster_id")["rec_id"]:
            ids = list(g)
            pairs.extend((ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids)))
        return pairs
    pred = pred.as_pandas_dataframe()
    return list(zip(pred["rec_id_l"], pred["rec_id_r"]))


def main():
    engine, mode = sys.argv[1], sys.argv[2]
    if mode == "febrl4":
        a = load(sys.argv[3], FEBRL_TEXT)
        b = load(sys.argv[4], FEBRL_TEXT)
        for d in (a, b):
            d.set_index("rec_id", drop=False, inplace=True)
            d.index.name = None
        ta = dict(zip(a["rec_id"], a["person_id"]))
        tb = dict(zip(b["rec_id"], b["person_id"]))
        counts = b["person_id"].value_counts()
        true_pairs = int(sum(counts.get(p, 0) for p in a["person_id"]))
        t0 = time.perf_counter()
        if engine == "rl":
            pairs = rl_run("link", [a.drop(columns=["rec_id", "person_id"]), b.drop(columns=["rec_id", "person_id"])], "febrl")
        else:
            pairs = splink_run("link", [a.drop(columns=["person_id"]).reset_index(drop=True), b.drop(columns=["person_id"]).reset_index(drop=True)], "febrl")
        secs = time.perf_counter() - t0
        # Splink may return pairs in either order.
        pairs = [(x, y) if x in ta else (y, x) for x, y in pairs]
        p, r, f, tp = score(pairs, ta, tb, true_pairs)
        name = sys.argv[3]
    else:
        path, kind = sys.argv[3], sys.argv[4]
        df = load(path, {"febrl": FEBRL_TEXT, "historical": HIST_TEXT, "fake": FAKE_TEXT}.get(kind, SYN_TEXT))
        if "record_id" in df.columns:
            df = df.rename(columns={"record_id": "rec_id"})
        if kind == "historical":
            df = df.rename(columns={"unique_id": "rec_id", "cluster": "person_id"}).drop(columns=["full_name", "first_and_surname"])
        if kind == "fake":
            df = df.rename(columns={"unique_id": "rec_id", "cluster": "person_id"})
        df.set_index("rec_id", drop=False, inplace=True)
        df.index.name = None
        truth = dict(zip(df["rec_id"], df["person_id"]))
        true_pairs = true_pairs_dedup(df)
        drop = [c for c in ("person_id", "organisation") if c in df.columns]
        t0 = time.perf_counter()
        if engine == "rl":
            pairs = rl_run("dedup", [df.drop(columns=drop + ["rec_id"])], kind)
        else:
            pairs = splink_run("dedup", [df.drop(columns=drop).reset_index(drop=True)], kind)
        secs = time.perf_counter() - t0
        p, r, f, tp = score(pairs, truth, truth, true_pairs)
        name = path
    print(f"RESULT dataset={name} precision={p:.4f} recall={r:.4f} f1={f:.4f} seconds={secs:.3f} tp={tp} predicted={len(pairs)} true={true_pairs}")


if __name__ == "__main__":
    main()
