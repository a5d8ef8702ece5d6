#!/usr/bin/env python3
"""Grading quality on the SemEval-2013 Task 7 set (../shared/eval/grading), 2-way accuracy.

Usage: python3 scripts/eval_grading.py [--split test-unseen-answers] [--n 120] [--seed 7]
Runs `crossway grade --batch` with the default model and with --no-model on the same sample and
prints accuracy, abstain rate and median time per answer. The data set is read in place and never
copied into the repository; without it the script says so and exits 0.
"""
import argparse, csv, json, os, random, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "grading", "semeval2013_task7_2way_3way.csv")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test-unseen-answers")
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "crossway"))
    a = ap.parse_args()
    if not os.path.exists(DATA):
        print(f"skipped: {DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    rows = [r for r in csv.DictReader(open(DATA, encoding="utf-8")) if r["split"] == a.split]
    random.Random(a.seed).shuffle(rows)
    rows = rows[: a.n]
    labels = {r["answer_id"]: r["label_2way"] == "correct" for r in rows}
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "in.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps({"id": r["answer_id"], "question": r["question"], "reference_answer": r["reference_answer"],
                                    "answer": r["student_answer"], "max_score": 1, "lang": "en"}) + "\n")
        for name, extra in [("default model", ["--threads", str(a.threads)]), ("no model (lexical)", ["--no-model"])]:
            out = os.path.join(tmp, "out.jsonl")
            subprocess.run([a.bin, "grade", "--batch", inp, "--out", out] + extra, check=True, stderr=subprocess.DEVNULL)
            res = [json.loads(l) for l in open(out, encoding="utf-8")]
            acc = sum((r["score"] >= 0.5) == labels[r["id"]] for r in res) / len(res)
            abst = sum(r["abstained"] for r in res) / len(res)
            ms = statistics.median(r["ms"] for r in res)
            print(f"{a.split:22} n={len(res):4}  {name:20} accuracy {acc:.3f}  abstained {abst:.3f}  median {ms:.0f} ms")
    return 0

if __name__ == "__main__":
    sys.exit(main())
