#!/usr/bin/env python3
"""What does the on-device model add to the calibrated lexical grader? (issue #5 ablation)

Samples SemEval-2013 answers — N_TRAIN from `train`, N_TEST from each unseen split —, gets the
default model's P(yes) for "the answer says what the reference says" through the real CLI
(`crossway grade --batch --model …`, one point, 2 threads), and compares, on the same test
answers: the model alone (threshold fitted on the train sample), the lexical model alone (the
shipped weights' features refitted on the train sample, for a fair comparison), and both (the
lexical features plus the model's log-odds). Model inference is the cost: ~0.8 s per answer.

    cargo build --release -p crossway-cli
    python3 scripts/eval_model_features.py [--train 400] [--test 150] [--seed 7]

Reads ../shared/eval/grading/ (never copied into the repository).
"""
import argparse, csv, json, math, os, random, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_lexical as fl  # noqa: E402

ROOT = fl.ROOT
DATA = os.path.join(ROOT, "..", "shared", "eval", "grading", "semeval2013_task7_2way_3way.csv")
MODEL = os.path.join(ROOT, "models", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
CLI = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "crossway")


def model_p(rows, tmp):
    """P(yes) per row from the CLI: one rubric point, p recovered from `met` and `confidence`."""
    src, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"id": r["answer_id"], "question": r["question"], "reference_answer": r["reference_answer"],
                                "answer": r["student_answer"], "max_score": 1, "lang": "en"}) + "\n")
    subprocess.run([CLI, "grade", "--batch", src, "--out", out, "--model", MODEL, "--threads", "2"], check=True,
                   stderr=subprocess.DEVNULL)
    ps = []
    for line in open(out, encoding="utf-8"):
        o = json.loads(line)
        half = o["confidence"] / 2
        ps.append(0.5 + half if o["met"] else 0.5 - half)
    return ps


def logit(p):
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=400)
    ap.add_argument("--test", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not os.path.exists(DATA):
        sys.exit(f"{DATA} is missing: this measurement needs ../shared/eval")
    if not os.path.exists(CLI):
        sys.exit(f"{CLI} is missing: cargo build --release -p crossway-cli")
    raw = {r["answer_id"] + "/" + r["corpus"] + "/" + r["split"]: r for r in csv.DictReader(open(DATA, encoding="utf-8"))}
    with tempfile.TemporaryDirectory() as tmp:
        feats = os.path.join(tmp, "features.csv")
        fl.features_csv(DATA, feats)
        rows, names = fl.load(feats)
        for r in rows:
            r["raw"] = raw.get(r["id"] + "/" + r["corpus"] + "/" + r["split"])
        rows = [r for r in rows if r["dataset"] == "semeval" and r["raw"] is not None]
        rng = random.Random(a.seed)
        train = rng.sample([r for r in rows if r["split"] == "train"], a.train)
        tests = {}
        for split in sorted(set(r["split"] for r in rows) - {"train"}):
            pool = [r for r in rows if r["split"] == split]
            tests[split] = rng.sample(pool, min(a.test, len(pool)))
        allrows = train + [r for v in tests.values() for r in v]
        ps = model_p([r["raw"] for r in allrows], tmp)
        for r, p in zip(allrows, ps):
            r["p_model"] = p
    keep = [True] * len(names)
    y = lambda rs: [1 if r["label_2way"] == "correct" else 0 for r in rs]
    # Model alone: the threshold on P(yes) with the best train accuracy.
    t_model = fl.best_threshold([r["p_model"] for r in train], y(train))
    # Lexical alone, refitted on the same train sample; and lexical + the model's log-odds.
    lex, _ = fl.fit_en(train, keep)
    for r in allrows:
        r["x_both"] = r["x"] + [logit(r["p_model"])]
    both_rows = [dict(r, x=r["x_both"]) for r in train]
    both, _ = fl.fit_en(both_rows, keep + [True])
    print(f"train sample {len(train)}, seed {a.seed}; model threshold {t_model:.3f}")
    print("| split | n | model alone | lexical alone | lexical + model |")
    print("|---|---|---|---|---|")
    for split, rs in tests.items():
        gold = y(rs)
        acc = lambda pred: sum(int(p) == g for p, g in zip(pred, gold)) / len(gold)
        m = acc([r["p_model"] >= t_model for r in rs])
        lx = acc([fl.predict(lex, r["x"]) >= 0.5 for r in rs])
        bo = acc([fl.predict(both, r["x_both"]) >= 0.5 for r in rs])
        print(f"| {split} | {len(rs)} | {m:.3f} | {lx:.3f} | {bo:.3f} |")


if __name__ == "__main__":
    main()
