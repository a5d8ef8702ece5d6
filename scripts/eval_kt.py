#!/usr/bin/env python3
"""Mastery-model quality on ASSISTments 2009 (../shared/eval/kt): pooled AUC and RMSE of
`crossway kt fit` predictions, each made before the answer is seen.

Usage: python3 scripts/eval_kt.py [--bin target/release/crossway] [--no-forgetting]
The data is read in place; without it the script says so and exits 0.
"""
import argparse, csv, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "kt")

def auc(ys, ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    ranks = [0.0] * len(ps)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and ps[order[j + 1]] == ps[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos = sum(ys)
    neg = len(ys) - pos
    return (sum(r for r, y in zip(ranks, ys) if y) - pos * (pos + 1) / 2) / (pos * neg)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "crossway"))
    ap.add_argument("--no-forgetting", action="store_true")
    a = ap.parse_args()
    train, test = os.path.join(DATA, "assist2009_train.csv"), os.path.join(DATA, "assist2009_test.csv")
    if not os.path.exists(train):
        print(f"skipped: {train} not found (the shared eval data is not beside this checkout)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "pred.csv")
        cmd = [a.bin, "kt", "fit", "--train", train, "--predict", test, "--out", out]
        if a.no_forgetting:
            cmd.append("--no-forgetting")
        t0 = time.time()
        res = subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall = time.time() - t0
        ys, ps = [], []
        for r in csv.DictReader(open(out)):
            ys.append(int(r["correct"]))
            ps.append(float(r["p_correct"]))
    rmse = (sum((p - y) ** 2 for p, y in zip(ps, ys)) / len(ys)) ** 0.5
    model = "BKT" if a.no_forgetting else "BKT+forgetting"
    print(f"{model:15} AUC {auc(ys, ps):.4f}  RMSE {rmse:.4f}  wall {wall:.2f} s  ({res.stderr.strip()})")
    return 0

if __name__ == "__main__":
    sys.exit(main())
