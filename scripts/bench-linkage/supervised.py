#!/usr/bin/env python3
"""How much a supervised learner gets out of the engine's own comparisons.

Reads the candidate pairs written by `evaluate features FILE.csv PAIRS.csv` (the engine's
weight, probability, agreement levels and per-field weights, and the truth), adds a few
counts read off the registry (how many records carry the pair's whole name, its name and
birth year, its phone, its city), and trains a gradient-boosted classifier *with the
labels*, two-fold by person, so every pair is scored by a model that never saw it.
Prints the pairwise precision/recall/F1 over candidate pairs at 0.5 for the engine and
for the learner, and writes `a,b,weight` (log-odds in bits) for `evaluate recluster`.

This is a yardstick, not part of the engine: the engine has no labels.
Run through `scripts/bench-linkage/yardstick.sh`. Environment: DROP=prefix,... drops
feature columns (`min_,max_`: the counts; `w_,weight`: the weights; `level_`); LABEL=together
trains on the engine's own clustering instead of the truth (self-training); MODEL=logistic
fits a logistic regression instead and prints its coefficients (a calibrated weight in
bits gets ln 2 ≈ 0.69). Reads the columns of the synthetic registries (`generate`).
"""
import os, sys, zlib
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

registry, pairs_path, out_path = sys.argv[1:4]

reg = pd.read_csv(registry, dtype=str, keep_default_na=False)
def norm(s):
    return s.str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii").str.replace(r"[^a-z ]", "", regex=True).str.strip()
g, f = norm(reg["given_name"]), norm(reg["family_name"])
whole = np.where(g < f, g + "|" + f, f + "|" + g)
year = reg["birth_date"].str.extract(r"((?:19|20)\d\d)")[0].fillna("")
phone = reg["phone"].str.replace(r"\D", "", regex=True).str[-9:]
def counts(key):
    s = pd.Series(key)
    c = s.map(s.value_counts())
    c[s.isin(["", "|"])] = 0
    return c.to_numpy()
n_whole = counts(whole)
n_name_year = counts(pd.Series(whole) + "#" + year.where(year != "", "?").to_numpy())
n_phone = counts(phone.to_numpy())
n_city = counts(reg["city"].str.lower().to_numpy())
person = reg["person_id"].to_numpy()

# Pairs the engine puts below -20 bits are left to the engine (none of them is linked by
# either side; keeping them out bounds the memory at a million records).
chunks = []
for c in pd.read_csv(pairs_path, chunksize=2_000_000):
    c = c[c["weight"] > -20.0]
    for col in c.columns:
        if col.startswith("level_"):
            c[col] = c[col].astype("category")
        elif col.startswith("w_") or col in ("weight", "probability"):
            c[col] = c[col].astype("float32")
    chunks.append(c)
p = pd.concat(chunks, ignore_index=True)
for col in p.columns:
    if col.startswith("level_"):
        p[col] = p[col].astype(str).astype("category")
a, b = p["a"].to_numpy(), p["b"].to_numpy()
X = pd.DataFrame({"weight": p["weight"], "swapped": p["swapped"]})
for c in p.columns:
    if c.startswith("w_"):
        X[c] = p[c]
    if c.startswith("level_"):
        X[c] = p[c].cat.codes
for name, v in [("whole", n_whole), ("name_year", n_name_year), ("phone", n_phone), ("city", n_city)]:
    X[f"min_{name}"] = np.minimum(v[a], v[b])
    X[f"max_{name}"] = np.maximum(v[a], v[b])
drop = [c for c in X.columns if any(c.startswith(d) for d in os.environ.get("DROP", "").split(",") if d)]
X = X.drop(columns=drop)
y = p["same"].to_numpy()
label = p[os.environ.get("LABEL", "same")].to_numpy()
cat = [i for i, c in enumerate(X.columns) if c.startswith("level_")]

# Two folds by person: a pair goes to the fold of its first record's person.
fold = np.array([zlib.crc32(str(x).encode()) % 2 for x in person])[a]
prob = np.zeros(len(p))
for k in (0, 1):
    tr, te = fold != k, fold == k
    if os.environ.get("MODEL") == "logistic":
        from sklearn.linear_model import LogisticRegression
        Xl = pd.get_dummies(X, columns=[X.columns[i] for i in cat]).astype(float)
        m = LogisticRegression(max_iter=500, C=1.0)
        m.fit(Xl[tr], label[tr])
        prob[te] = m.predict_proba(Xl[te])[:, 1]
        if k == 0:
            print("intercept", m.intercept_.round(3), sorted(zip(m.coef_[0].round(3), Xl.columns)))
        continue
    m = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1, max_leaf_nodes=63,
                                       categorical_features=cat, random_state=0)
    m.fit(X[tr], label[tr])
    prob[te] = m.predict_proba(X[te])[:, 1]

sizes = pd.Series(person).value_counts().to_numpy()
true_pairs = int((sizes * (sizes - 1) // 2).sum())
def f1(pred):
    tp = int((pred & (y == 1)).sum()); n = int(pred.sum())
    P = tp / n if n else 0; R = tp / true_pairs
    return P, R, 2 * P * R / (P + R) if P + R else 0
for name, pr in [("engine", p["probability"].to_numpy()), ("supervised", prob)]:
    P, R, F = f1(pr >= 0.5)
    print(f"candidate pairs at 0.5, {name}: precision {P:.4f} recall {R:.4f} F1 {F:.4f}")
eps = 1e-9
w = np.log2(np.clip(prob, eps, 1 - eps) / np.clip(1 - prob, eps, 1))
pd.DataFrame({"a": a, "b": b, "weight": np.round(w, 4)}).to_csv(out_path, index=False)
