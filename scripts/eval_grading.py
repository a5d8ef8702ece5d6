#!/usr/bin/env python3
"""Grading quality of `crossway grade --batch` per split, for each model beside the no-model grader.

Usage: python3 scripts/eval_grading.py [--n 100] [--seed 7] [--models default,test] [--threads 2]
                                       [--splits all|UA,UQ,UD,zh] [--bin PATH] [--examples all|K]

For every SemEval-2013 Task 7 test split (SciEntsBank UA/UQ/UD, Beetle UA/UQ; 2-way labels) and
the zh_ADS `test` split (scores 0–10), a random `--n` answers (0 = the whole split; same sample for
every grader) are graded once per model and once with `--no-model`. One run with a model gives two
graders (docs/cli.md):
- "model alone": `model_score` — the share of rubric points the model's yes/no logits call met
  (SemEval and zh_ADS have no rubric, so the single point is "says what the reference says");
  abstained when a point's P(yes) is within 0.1 of 0.5;
- "app (lexical score + model points)": `score`, the calibrated lexical estimate, and
  `abstained` as the app sets it (the lexical abstention; until session 4 also when the model and
  the score were > 0.5 apart — that rule was dropped, see scripts/fit_review_rule.py).
2-way: an answer counts as right at score ≥ max_score / 2; accuracy and macro-F1 over all answers
(abstained ones included — the abstain rate is reported beside). zh_ADS: Pearson r and RMSE.
`--examples all|K` puts the question's graded `train` answers (all, or K drawn at random with
`--seed`) on each input line as `examples` (SemEval: the 3-way label as grade; zh_ADS: score / 10
as share) — SemEval's unseen-answers setting; questions without train answers (UQ, UD) get none.
Models are the manifest's (`models/`, `cargo xtask fetch-model default|test`). The data is read in
place and never copied; without it the script says so and exits 0. Nothing here is fitted.
"""
import argparse, csv, json, os, random, statistics, subprocess, sys, tempfile, time, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "grading")
SEMEVAL = os.path.join(DATA, "semeval2013_task7_2way_3way.csv")
ZH = os.path.join(DATA, "zh_ADS_algorithms.csv")
SPLITS = [("sciEntsBank", "test-unseen-answers", "UA"), ("sciEntsBank", "test-unseen-questions", "UQ"),
          ("sciEntsBank", "test-unseen-domains", "UD"), ("beetle", "test-unseen-answers", "UA"),
          ("beetle", "test-unseen-questions", "UQ")]
BASELINE = {("sciEntsBank", "UA"): 0.637, ("sciEntsBank", "UQ"): 0.690, ("sciEntsBank", "UD"): 0.704,
            ("beetle", "UA"): 0.763, ("beetle", "UQ"): 0.634, ("zh_ADS", "test"): 0.404}


def pearson(x, y):
    mx, my = statistics.mean(x), statistics.mean(y)
    sx = sum((a - mx) ** 2 for a in x) ** 0.5
    sy = sum((b - my) ** 2 for b in y) ** 0.5
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sx * sy) if sx and sy else float("nan")


def macro_f1(pred, gold):
    f = []
    for c in (True, False):
        tp = sum(p == c and g == c for p, g in zip(pred, gold))
        fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        f.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f) / 2


def sample(rows, n, seed):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows if n <= 0 else rows[:n]


def load(a):
    """(group, id, input line, gold) for every sampled answer."""
    items = []
    wanted = set(a.splits.split(",")) if a.splits != "all" else None
    semeval = list(csv.DictReader(open(SEMEVAL, encoding="utf-8")))
    zh_all = list(csv.DictReader(open(ZH, encoding="utf-8")))
    graded = {}
    for r in semeval:
        if r["split"] == "train":
            graded.setdefault((r["corpus"], r["question_id"]), []).append({"text": r["student_answer"], "grade": r["label_3way"]})
    for r in zh_all:
        if r["split"] == "train":
            graded.setdefault(("zh_ADS", r["qid"]), []).append({"text": r["student_answer"], "share": float(r["score"]) / 10})
    rng = random.Random(a.seed)

    def examples(key):
        pool = graded.get(key, [])
        if not a.examples or not pool:
            return {}
        k = len(pool) if a.examples == "all" else min(int(a.examples), len(pool))
        return {"examples": pool if k == len(pool) else rng.sample(pool, k)}
    for corpus, split, short in SPLITS:
        if wanted and short not in wanted:
            continue
        rows = [r for r in semeval if r["corpus"] == corpus and r["split"] == split]
        for r in sample(rows, a.n, a.seed):
            line = {"question": r["question"], "reference_answer": r["reference_answer"],
                    "answer": r["student_answer"], "max_score": 1, "lang": "en",
                    **examples((r["corpus"], r["question_id"]))}
            items.append(((corpus, short), line, r["label_2way"] == "correct"))
    if not wanted or "zh" in wanted:
        rows = [r for r in zh_all if r["split"] == "test"]
        for r in sample(rows, a.n, a.seed):
            line = {"question": r["question"], "reference_answer": r["reference_answer"],
                    "answer": r["student_answer"], "max_score": 10, "lang": "zh-CN", **examples(("zh_ADS", r["qid"]))}
            items.append((("zh_ADS", "test"), line, float(r["score"])))
    for i, (_, line, _) in enumerate(items):
        line["id"] = i
    return items


def run(a, items, extra, tmp):
    inp, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        for _, line, _ in items:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    t0 = time.time()
    subprocess.run([a.bin, "grade", "--batch", inp, "--out", out] + extra, check=True, stderr=subprocess.DEVNULL)
    res = {r["id"]: r for r in map(json.loads, open(out, encoding="utf-8"))}
    return res, time.time() - t0


def report(name, items, res, score_key, abstain):
    rows = []
    groups = sorted({g for g, _, _ in items}, key=lambda g: (g[0] == "zh_ADS", g))
    for g in groups:
        mine = [(line, gold) for gg, line, gold in items if gg == g]
        scores = [res[line["id"]][score_key] for line, _ in mine]
        ab = sum(abstain(res[line["id"]]) for line, _ in mine) / len(mine)
        ms = statistics.median(res[line["id"]]["ms"] for line, _ in mine)
        if g[0] == "zh_ADS":
            gold = [gold for _, gold in mine]
            rmse = (sum((p - q) ** 2 for p, q in zip(scores, gold)) / len(gold)) ** 0.5
            quality = f"r {pearson(scores, gold):.3f}, RMSE {rmse:.2f}"
        else:
            pred = [s >= line["max_score"] / 2 for s, (line, _) in zip(scores, mine)]
            gold = [gold for _, gold in mine]
            acc = sum(p == q for p, q in zip(pred, gold)) / len(gold)
            quality = f"acc {acc:.3f}, F1 {macro_f1(pred, gold):.3f}"
        rows.append(f"| {g[0]} {g[1]} | {len(mine)} | {name} | {quality} | {ab:.2f} | {ms:.0f} | {BASELINE[g]:.3f} |")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--models", default="default,test")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--splits", default="all")
    ap.add_argument("--examples", help="all|K: the question's graded train answers as examples")
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "crossway"))
    a = ap.parse_args()
    if not (os.path.exists(SEMEVAL) and os.path.exists(ZH)):
        print(f"skipped: {DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    manifest = tomllib.load(open(os.path.join(ROOT, "models", "manifest.toml"), "rb"))["models"]
    items = load(a)
    with_ex = sum(1 for _, line, _ in items if line.get("examples"))
    print(f"{len(items)} answers ({with_ex} with graded examples: {a.examples or 'none'}); seed {a.seed}; "
          f"{a.threads} threads; {a.bin}")
    print("| split | n | grader | accuracy, macro-F1 (2-way) / Pearson r, RMSE (zh) | abstained | median ms | overlap baseline |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        res, secs = run(a, items, ["--no-model"], tmp)
        for row in report("no model (lexical)", items, res, "score", lambda r: r["abstained"]):
            print(row, flush=True)
        for role in [m for m in a.models.split(",") if m]:
            m = next(m for m in manifest if m["role"] == role)
            path = os.path.join(ROOT, "models", m["file"])
            if not os.path.exists(path):
                print(f"skipped {role}: {path} missing (cargo xtask fetch-model {role})")
                continue
            res, secs = run(a, items, ["--model", path, "--threads", str(a.threads)], tmp)
            alone = lambda r: any(abs(p - 0.5) < 0.1 for p in r["p_met"])
            for row in report(f"{m['name']} alone", items, res, "model_score", alone):
                print(row, flush=True)
            for row in report(f"app: lexical score + {m['name']} points", items, res, "score", lambda r: r["abstained"]):
                print(row, flush=True)
            print(f"({m['name']}: {secs:.0f} s for {len(items)} answers)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
