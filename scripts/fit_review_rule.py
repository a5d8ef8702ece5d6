#!/usr/bin/env python3
"""Calibrates when the on-device model's rubric verdicts should mark a grade "needs review".

Usage: python3 scripts/fit_review_rule.py [--n 300] [--n-zh 100] [--seed 11] [--model default]
                                          [--threads 2] [--split train] [--bin PATH]

The app's score always comes from the calibrated lexical model; with a model loaded the rubric
points shown are the model's (`practice::with_model_points`). A grade is worth a teacher's look
("needs review") when the lexical model abstains, and — this script decides — when the model
confidently disagrees with the score. A disagreement rule earns its place only if the lexical
grade is wrong clearly more often on the answers it flags than on the rest.

Runs `crossway grade --batch` on a random `--n` SemEval-2013 answers (SciEntsBank + Beetle pooled)
and `--n-zh` zh_ADS answers of `--split` (train by default: the rule is fitted there; run it again
with `--split test` only to report), once with `--no-model` (the lexical abstention) and once with
the model. For every candidate rule "flag when the lexical grade is not abstained, the share of
points the model calls met differs from the score by more than `gap`, and every point's P(yes) is
at least `conf` away from 0.5", it prints per language: how many answers it flags beyond the
lexical abstentions, the lexical error rate among those and among the rest, and their ratio
(lift). 2-way: a lexical grade is wrong when score ≥ half the marks disagrees with the gold label;
zh_ADS: when score ≥ 5 disagrees with gold ≥ 5. A rule is kept for a language when it flags
between 3% and 30% of the answers (a few answers to look at, not most of them) with a lift of at
least 1.5 (the errors it flags are clearly more than chance); the one with the highest lift is
printed as the recommendation, else "no rule". Nothing is tuned on test splits. The data is read
in place and never copied. Result (2026-11-29, the default model, 300 + 100 train answers): no
rule for either language, so the app lets the model judge rubric points but never raises "needs
review" by itself (`practice::with_model_points`); docs/quality.md has the tables.
"""
import argparse, csv, json, os, random, sys, tempfile, tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_grading as eg  # noqa: E402

GAPS = [0.3, 0.5, 0.7, 0.9]
CONFS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.45]
MIN_FLAGGED, MAX_FLAGGED, MIN_LIFT = 0.03, 0.30, 1.5


def load(a):
    semeval = [r for r in csv.DictReader(open(eg.SEMEVAL, encoding="utf-8"))]
    if a.split == "train":
        rows = [r for r in semeval if r["split"] == "train"]
    else:
        rows = [r for r in semeval if r["split"].startswith("test")]
    items = []
    for r in eg.sample(rows, a.n, a.seed):
        line = {"question": r["question"], "reference_answer": r["reference_answer"],
                "answer": r["student_answer"], "max_score": 1, "lang": "en"}
        items.append(("en", line, r["label_2way"] == "correct"))
    zh = [r for r in csv.DictReader(open(eg.ZH, encoding="utf-8")) if r["split"] == a.split]
    for r in eg.sample(zh, a.n_zh, a.seed):
        line = {"question": r["question"], "reference_answer": r["reference_answer"],
                "answer": r["student_answer"], "max_score": 10, "lang": "zh-CN"}
        items.append(("zh", line, float(r["score"]) >= 5))
    for i, (_, line, _) in enumerate(items):
        line["id"] = i
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--n-zh", type=int, default=100)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--model", default="default")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", default="train", choices=["train", "test"])
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(eg.ROOT, "target")), "release", "crossway"))
    a = ap.parse_args()
    if not (os.path.exists(eg.SEMEVAL) and os.path.exists(eg.ZH)):
        print(f"skipped: {eg.DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    manifest = tomllib.load(open(os.path.join(eg.ROOT, "models", "manifest.toml"), "rb"))["models"]
    m = next(m for m in manifest if m["role"] == a.model)
    path = os.path.join(eg.ROOT, "models", m["file"])
    if not os.path.exists(path):
        print(f"skipped: {path} missing (cargo xtask fetch-model {a.model})")
        return 0
    items = load(a)
    with tempfile.TemporaryDirectory() as tmp:
        lexical, _ = eg.run(a, items, ["--no-model"], tmp)
        model, secs = eg.run(a, items, ["--model", path, "--threads", str(a.threads)], tmp)
    print(f"{len(items)} answers of {a.split} (seed {a.seed}); {m['name']}: {secs:.0f} s")
    for lang in ("en", "zh"):
        mine = [(line, gold) for l, line, gold in items if l == lang]
        rows = []
        for line, gold in mine:
            lx, md = lexical[line["id"]], model[line["id"]]
            share = lx["score"] / line["max_score"]
            wrong = (share >= 0.5) != gold
            p = md["p_met"]
            mshare = sum(x >= 0.5 for x in p) / max(len(p), 1)
            rows.append((lx["abstained"], wrong, abs(mshare - share), min((abs(x - 0.5) for x in p), default=0)))
        base = [r for r in rows if not r[0]]
        err = sum(r[1] for r in base) / max(len(base), 1)
        print(f"\n{lang}: {len(rows)} answers, lexical abstains on {1 - len(base) / len(rows):.2f}, "
              f"lexical error rate on the rest {err:.3f}")
        print("| gap > | conf ≥ | flagged (share of all) | lexical errors among flagged | among the rest | lift |")
        print("|---|---|---|---|---|---|")
        best = None
        for gap in GAPS:
            for conf in CONFS:
                flagged = [r for r in base if r[2] > gap and r[3] >= conf]
                rest = [r for r in base if not (r[2] > gap and r[3] >= conf)]
                if not flagged:
                    continue
                ef = sum(r[1] for r in flagged) / len(flagged)
                er = sum(r[1] for r in rest) / max(len(rest), 1)
                lift = ef / er if er else float("inf")
                share = len(flagged) / len(rows)
                print(f"| {gap} | {conf} | {len(flagged)} ({share:.2f}) | {ef:.3f} | {er:.3f} | {lift:.2f} |")
                if MIN_FLAGGED <= share <= MAX_FLAGGED and lift >= MIN_LIFT and (best is None or lift > best[0]):
                    best = (lift, gap, conf, share)
        if best:
            print(f"recommendation for {lang}: gap > {best[1]}, conf ≥ {best[2]} (flags {best[3]:.2f}, lift {best[0]:.2f})")
        else:
            print(f"recommendation for {lang}: no rule (no candidate flags {MIN_FLAGGED:.0%}–{MAX_FLAGGED:.0%} with lift ≥ {MIN_LIFT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
