#!/usr/bin/env python3
"""Grading quality on the Chinese zh_ADS set (../shared/eval/grading): Pearson r and RMSE of
`crossway grade` scores (0–10) against the human scores, on the `test` split.

Usage: python3 scripts/eval_grading_zh.py [--n 80] [--seed 7] [--bin target/release/crossway] [--no-model-only]
The data is read in place; without it the script says so and exits 0.
"""
import argparse, csv, json, os, random, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "grading", "zh_ADS_algorithms.csv")

def pearson(x, y):
    mx, my = statistics.mean(x), statistics.mean(y)
    sx = sum((a - mx) ** 2 for a in x) ** 0.5
    sy = sum((b - my) ** 2 for b in y) ** 0.5
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sx * sy) if sx and sy else float("nan")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=80)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-model-only", action="store_true")
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "crossway"))
    a = ap.parse_args()
    if not os.path.exists(DATA):
        print(f"skipped: {DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    rows = [r for r in csv.DictReader(open(DATA, encoding="utf-8")) if r["split"] == "test"]
    random.Random(a.seed).shuffle(rows)
    rows = rows[: a.n]
    human = {str(i): float(r["score"]) for i, r in enumerate(rows)}
    graders = [("no model (lexical)", ["--no-model"])]
    if not a.no_model_only:
        graders.insert(0, ("default model", ["--threads", str(a.threads)]))
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "in.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps({"id": str(i), "question": r["question"], "reference_answer": r["reference_answer"],
                                    "answer": r["student_answer"], "max_score": 10, "lang": "zh-CN"}, ensure_ascii=False) + "\n")
        for name, extra in graders:
            out = os.path.join(tmp, "out.jsonl")
            subprocess.run([a.bin, "grade", "--batch", inp, "--out", out] + extra, check=True, stderr=subprocess.DEVNULL)
            res = [json.loads(l) for l in open(out, encoding="utf-8")]
            x = [r["score"] for r in res]
            y = [human[r["id"]] for r in res]
            rmse = (sum((p - q) ** 2 for p, q in zip(x, y)) / len(x)) ** 0.5
            abst = sum(r["abstained"] for r in res) / len(res)
            print(f"zh_ADS test n={len(res):4}  {name:20} Pearson r {pearson(x, y):.3f}  RMSE {rmse:.2f}  abstained {abst:.3f}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
