#!/usr/bin/env python3
"""Fits the calibrated lexical grader (crates/crossway-tutor/src/lexical.rs) on the `train` splits
of ../shared/eval/grading, writes its weights to crates/crossway-tutor/src/lexical_weights.rs and
prints the evaluation tables of docs/quality.md ("Calibrated lexical grader (no model)").

Usage: python3 scripts/fit_lexical.py [--features-dir DIR] [--no-write] [--no-ablation]

The features come from the Rust code itself (`cargo run --release -p crossway-tutor --example
lexical_features`), so the script fits exactly what the app computes. Standard library only:
L2-regularised logistic regressions fitted by Newton's method.

- English (SemEval-2013 Task 7, SciEntsBank + Beetle pooled): 2-way logistic regression; its
  decision threshold (max train accuracy) is folded into the bias so that 0.5 is the pass mark;
  the abstain band |p − 0.5| < w is the narrowest w ∈ {0, 0.01, …, 0.25} whose non-abstained
  train answers reach the issue's 0.80 accuracy target (0.25 when none does). 3-way: multinomial
  logistic regression, argmax.
- Chinese (zh_ADS): logistic regression on score/10 (fractional targets); the same band rule on
  pass (score ≥ 5) against predicted share ≥ 0.5.
- With graded example answers (crates/crossway-tutor/src/examples.rs): the same three models over
  the 16 features plus 11 example features, in two sets. "Few" (`…_EX`, items with fewer than
  MANY_EXAMPLES = 16 examples): each train answer gets k ∈ {1, 2, 3, 4, 5, 6, 8} (random) other
  train answers of its own question as examples, sampled balanced by label (3-way label; zh_ADS
  score bands < 5, 5–7, ≥ 8). "Many" (`…_EX_MANY`, 16 or more): k ∈ {16, 24, 32, all}. A linear
  model cannot weigh the example features by their number, and one fitted on both regimes does
  worse on each. Evaluated on the test answers whose question has train answers (SemEval unseen
  answers, zh_ADS test) with all, 16, 8, 4 or 2 examples per question (a fixed sample per
  question, mean over 5 seeds), each with the set its number selects; questions without
  examples keep the plain models.
Nothing is tuned on a test split. The data is read in place and never copied into the repository;
without it the script says so and exits 0.
"""
import argparse, csv, datetime, math, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "grading")
SEMEVAL = os.path.join(DATA, "semeval2013_task7_2way_3way.csv")
ZH = os.path.join(DATA, "zh_ADS_algorithms.csv")
WEIGHTS = os.path.join(ROOT, "crates", "crossway-tutor", "src", "lexical_weights.rs")
L2 = 1.0  # on standardised features; the bias is not penalised
BAND_TARGET, BAND_MAX = 0.80, 0.25
EX_TRAIN_KS = (1, 2, 3, 4, 5, 6, 8)  # examples per train answer, drawn at random (the "few" models)
# The "many" models (`…_EX_MANY`): a linear model cannot weigh the example features differently by
# their number, so items with at least MANY_EXAMPLES examples get models fitted on that regime.
MANY_EXAMPLES = 16
EX_TRAIN_KS_MANY = (16, 24, 32, None)  # None: all other train answers of the question
EX_TEST_KS = (None, 16, 8, 4, 2)  # None: all train answers of the question
EX_SEEDS = (1, 2, 3, 4, 5)

SPLITS = [("sciEntsBank", "test-unseen-answers", "UA"), ("sciEntsBank", "test-unseen-questions", "UQ"),
          ("sciEntsBank", "test-unseen-domains", "UD"), ("beetle", "test-unseen-answers", "UA"),
          ("beetle", "test-unseen-questions", "UQ")]
README_2WAY = {("sciEntsBank", "UA"): 0.637, ("sciEntsBank", "UQ"): 0.690, ("sciEntsBank", "UD"): 0.704,
               ("beetle", "UA"): 0.763, ("beetle", "UQ"): 0.634}
LABELS3 = ["correct", "contradictory", "incorrect"]
META = ["dataset", "corpus", "split", "id", "question_id", "label_2way", "label_3way", "score", "kw_met", "kw_abstained"]


# ---------------------------------------------------------------- linear algebra and models

def solve(a, b):
    """Solves a x = b (Gaussian elimination with partial pivoting); a is n×n, b has n rows."""
    n = len(a)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        piv = m[c][c] or 1e-12
        for r in range(c + 1, n):
            f = m[r][c] / piv
            if f:
                mr, mc = m[r], m[c]
                for k in range(c, n + 1):
                    mr[k] -= f * mc[k]
    x = [0.0] * n
    for c in range(n - 1, -1, -1):
        x[c] = (m[c][n] - sum(m[c][k] * x[k] for k in range(c + 1, n))) / (m[c][c] or 1e-12)
    return x


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z > -700 else 0.0


class Scaler:
    def __init__(self, xs):
        d = len(xs[0])
        self.mean = [sum(x[j] for x in xs) / len(xs) for j in range(d)]
        self.std = [(sum((x[j] - self.mean[j]) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0 for j in range(d)]

    def __call__(self, x):
        return [(v - m) / s for v, m, s in zip(x, self.mean, self.std)] + [1.0]


def fit_logistic(xs, ys, iters=30):
    """Binary (or fractional, y in [0, 1]) logistic regression, L2 on the weights, Newton's method.
    Returns (weights on raw features, bias)."""
    sc = Scaler(xs)
    zs = [sc(x) for x in xs]
    d = len(zs[0])
    w = [0.0] * d
    for _ in range(iters):
        g = [L2 * w[j] if j < d - 1 else 0.0 for j in range(d)]
        h = [[(L2 if (i == j and i < d - 1) else 0.0) for j in range(d)] for i in range(d)]
        for z, y in zip(zs, ys):
            p = sigmoid(sum(a * b for a, b in zip(w, z)))
            r, s = p - y, p * (1 - p)
            for i in range(d):
                zi = z[i]
                g[i] += r * zi
                si = s * zi
                hi = h[i]
                for j in range(i, d):
                    hi[j] += si * z[j]
        for i in range(d):
            for j in range(i):
                h[i][j] = h[j][i]
        step = solve(h, g)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(v) for v in step) < 1e-8:
            break
    return unscale(sc, w)


def unscale(sc, w):
    raw = [wj / s for wj, s in zip(w[:-1], sc.std)]
    bias = w[-1] - sum(wj * m / s for wj, m, s in zip(w[:-1], sc.mean, sc.std))
    return raw, bias


def fit_multinomial(xs, ys, k=3, iters=30):
    """Softmax regression with class 0 as the reference (its weights fixed at 0), L2, Newton."""
    sc = Scaler(xs)
    zs = [sc(x) for x in xs]
    d = len(zs[0])
    n = (k - 1) * d
    w = [0.0] * n
    for _ in range(iters):
        g = [L2 * w[i] if i % d < d - 1 else 0.0 for i in range(n)]
        h = [[(L2 if (i == j and i % d < d - 1) else 0.0) for j in range(n)] for i in range(n)]
        for z, y in zip(zs, ys):
            logits = [0.0] + [sum(a * b for a, b in zip(w[c * d:(c + 1) * d], z)) for c in range(k - 1)]
            m = max(logits)
            e = [math.exp(v - m) for v in logits]
            s = sum(e)
            p = [v / s for v in e[1:]]
            zz = [[z[i] * z[j] for j in range(d)] for i in range(d)]
            for a in range(k - 1):
                r = p[a] - (1.0 if y == a + 1 else 0.0)
                for i in range(d):
                    g[a * d + i] += r * z[i]
                for b in range(a, k - 1):
                    c = p[a] * ((1.0 if a == b else 0.0) - p[b])
                    for i in range(d):
                        row, zzi = h[a * d + i], zz[i]
                        for j in range(d):
                            row[b * d + j] += c * zzi[j]
        for i in range(n):
            for j in range(n):
                if j // d < i // d:
                    h[i][j] = h[j][i]
        step = solve(h, g)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(v) for v in step) < 1e-8:
            break
    rows = [([0.0] * (d - 1), 0.0)] + [unscale(sc, w[c * d:(c + 1) * d]) for c in range(k - 1)]
    return [r[0] for r in rows], [r[1] for r in rows]


def predict(model, x):
    w, b = model
    return sigmoid(b + sum(a * v for a, v in zip(w, x)))


def predict3(model, x):
    ws, bs = model
    z = [b + sum(a * v for a, v in zip(w, x)) for w, b in zip(ws, bs)]
    return max(range(len(z)), key=lambda i: z[i])


def best_threshold(ps, ys):
    """The probability cut with the best train accuracy (midway between distinct predictions;
    predict "correct" when p >= cut)."""
    pairs = sorted(zip(ps, ys))
    correct = sum(ys)  # a cut below every prediction: everything "correct"
    best, best_t = correct, pairs[0][0] - 1e-9
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            correct += -1 if pairs[j][1] else 1
            j += 1
        t = (pairs[j - 1][0] + pairs[j][0]) / 2 if j < len(pairs) else pairs[-1][0] + 1e-9
        if correct > best:
            best, best_t = correct, t
        i = j
    return best_t


def fold_threshold(model, t):
    w, b = model
    t = min(max(t, 1e-6), 1 - 1e-6)
    return w, b - math.log(t / (1 - t))


def choose_band(ps, ys):
    for i in range(0, int(BAND_MAX * 100) + 1):
        w = i / 100
        kept = [(p >= 0.5) == y for p, y in zip(ps, ys) if abs(p - 0.5) >= w]
        if kept and sum(kept) / len(kept) >= BAND_TARGET:
            return w
    return BAND_MAX


# ---------------------------------------------------------------- metrics

def accuracy(pred, gold):
    return sum(p == g for p, g in zip(pred, gold)) / len(gold) if gold else float("nan")


def macro_f1(pred, gold, labels):
    f = []
    for c in labels:
        tp = sum(p == c and g == c for p, g in zip(pred, gold))
        fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        f.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f) / len(f), f


def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sx = sum((a - mx) ** 2 for a in x) ** 0.5
    sy = sum((b - my) ** 2 for b in y) ** 0.5
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sx * sy) if sx and sy else float("nan")


def rmse(x, y):
    return (sum((a - b) ** 2 for a, b in zip(x, y)) / len(x)) ** 0.5


# ---------------------------------------------------------------- data

def features_csv(src, out, extra=()):
    cmd = ["cargo", "run", "-q", "--release", "-p", "crossway-tutor", "--example", "lexical_features", "--", src, out, *extra]
    r = subprocess.run(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.exit(r.stderr)
    return r.stderr.strip().splitlines()[-1]


def load(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    names = [c for c in rows[0].keys() if c not in META]
    for r in rows:
        r["x"] = [float(r[c]) for c in names]
    return rows, names


def select(x, keep):
    return [v for v, k in zip(x, keep) if k]


# ---------------------------------------------------------------- the fits

def fit_en(train, keep):
    xs = [select(r["x"], keep) for r in train]
    ys = [1 if r["label_2way"] == "correct" else 0 for r in train]
    m = fit_logistic(xs, ys)
    m = fold_threshold(m, best_threshold([predict(m, x) for x in xs], ys))
    band = choose_band([predict(m, x) for x in xs], ys)
    return m, band


def fit_en3(train, keep):
    xs = [select(r["x"], keep) for r in train]
    return fit_multinomial(xs, [LABELS3.index(r["label_3way"]) for r in train])


def fit_zh(train, keep):
    xs = [select(r["x"], keep) for r in train]
    m = fit_logistic(xs, [float(r["score"]) / 10 for r in train])
    band = choose_band([predict(m, x) for x in xs], [float(r["score"]) >= 5 for r in train])
    return m, band


def cv_2way(train, keep, folds=5):
    """2-way accuracy of 5-fold cross-validation on train, folds grouped by question (the model
    never sees a question it is tested on): how features were chosen without looking at test."""
    qs = sorted(set(r["question_id"] for r in train))
    order = _shuffled(len(qs))
    fold = {qs[j]: i % folds for i, j in enumerate(order)}
    hit = 0
    for k in range(folds):
        m, _ = fit_en([r for r in train if fold[r["question_id"]] != k], keep)
        hit += sum((predict(m, select(r["x"], keep)) >= 0.5) == (r["label_2way"] == "correct")
                   for r in train if fold[r["question_id"]] == k)
    return hit / len(train)


def _shuffled(n, seed=1):
    import random
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order


def row_models(model, band, rows):
    """Each row's (model, band): the pair given, or `model(row)` when `model` chooses per row."""
    return [model(r) if callable(model) else (model, band) for r in rows]


def eval_2way(model, band, rows, keep):
    mb = row_models(model, band, rows)
    ps = [predict(m, select(r["x"], keep)) for (m, _), r in zip(mb, rows)]
    gold = [r["label_2way"] for r in rows]
    pred = ["correct" if p >= 0.5 else "incorrect" for p in ps]
    kept = [(a, b) for a, b, p, (_, bd) in zip(pred, gold, ps, mb) if abs(p - 0.5) >= bd]
    return {"acc": accuracy(pred, gold), "f1": macro_f1(pred, gold, ["correct", "incorrect"])[0],
            "abst": 1 - len(kept) / len(rows), "acc_kept": accuracy([a for a, _ in kept], [b for _, b in kept])}


def eval_zh(model, band, rows, keep):
    mb = row_models(model, band, rows)
    ps = [predict(m, select(r["x"], keep)) for (m, _), r in zip(mb, rows)]
    human = [float(r["score"]) for r in rows]
    kept = [(p >= 0.5) == (h >= 5) for p, h, (_, bd) in zip(ps, human, mb) if abs(p - 0.5) >= bd]
    return {"r": pearson([10 * p for p in ps], human), "rmse": rmse([10 * p for p in ps], human),
            "pass_acc": accuracy([p >= 0.5 for p in ps], [h >= 5 for h in human]),
            "abst": 1 - len(kept) / len(rows), "acc_kept": sum(kept) / len(kept) if kept else float("nan")}


# ---------------------------------------------------------------- graded example answers

def example_band(r):
    """The label the example samples are balanced by."""
    if r["dataset"] == "zh_ADS":
        sc = float(r["score"])
        return "low" if sc < 5 else "mid" if sc < 8 else "high"
    return r["label_3way"]


def balanced_sample(pool, k, rows, rng):
    """k of `pool` (row indexes), round-robin over labels in random order; all of it when k is None."""
    if k is None or k >= len(pool):
        return list(pool)
    groups = {}
    for j in pool:
        groups.setdefault(example_band(rows[j]), []).append(j)
    for g in groups.values():
        rng.shuffle(g)
    labels = sorted(groups)
    rng.shuffle(labels)
    out = []
    while len(out) < k:
        for lab in labels:
            if groups[lab] and len(out) < k:
                out.append(groups[lab].pop())
    return out


def example_plans(rows):
    """Plan lines (set, row, examples): "train" and "train_many" (every train answer, k random from
    EX_TRAIN_KS / EX_TRAIN_KS_MANY, itself left out) and,
    for the test answers whose question has train answers, "all" and "k{k}s{seed}"."""
    pools = {}
    for i, r in enumerate(rows):
        if r["split"] == "train":
            pools.setdefault((r["corpus"], r["question_id"]), []).append(i)
    rng = random.Random(0)
    rng_many = random.Random(1)  # its own stream: adding the many-example plan left the "few" one as it was
    lines = []
    for i, r in enumerate(rows):
        pool = pools.get((r["corpus"], r["question_id"]), [])
        if r["split"] == "train" and len(pool) > 1:
            others = [j for j in pool if j != i]
            lines.append(("train", i, balanced_sample(others, rng.choice(EX_TRAIN_KS), rows, rng)))
            lines.append(("train_many", i, balanced_sample(others, rng_many.choice(EX_TRAIN_KS_MANY), rows, rng_many)))
    for k in EX_TEST_KS:
        for seed in (EX_SEEDS if k else (0,)):
            rng = random.Random(seed)
            fixed = {q: balanced_sample(pool, k, rows, rng) for q, pool in sorted(pools.items())}
            name = f"k{k}s{seed}" if k else "all"
            lines += [(name, i, fixed[(r["corpus"], r["question_id"])]) for i, r in enumerate(rows)
                      if r["split"] != "train" and (r["corpus"], r["question_id"]) in fixed]
    return lines


def example_features_csv(src, rows, out):
    plan = out + ".plan"
    with open(plan, "w", encoding="utf-8") as f:
        f.write("set,row,examples\n")
        for name, i, ex in example_plans(rows):
            f.write(f"{name},{i},{';'.join(map(str, ex))}\n")
    features_csv(src, out, ["--examples", plan])


def load_examples(path):
    """{set: {row: example features}} and the feature names."""
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    names = [c for c in rows[0].keys() if c not in ("set", "row")]
    sets = {}
    for r in rows:
        sets.setdefault(r["set"], {})[int(r["row"])] = [float(r[c]) for c in names]
    return sets, names


def with_examples(rows, sets, name):
    """Copies of the rows that have examples in plan set `name`, x extended by their features."""
    return [dict(r, x=r["x"] + sets[name][i]) for i, r in enumerate(rows) if i in sets.get(name, {})]


def n_examples(r):
    """The number of examples behind a row's example features (`examples.log_count` is last)."""
    return round(math.exp(r["x"][-1]))


def example_tables(sem, first, zh, ex_sem, ex_zh, en, en_band, en3, zhm, zh_band, exm, exm_many):
    allf = [True] * len(sem[0]["x"])
    allx = [True] * (len(sem[0]["x"]) + len(next(iter(ex_sem["train"].values()))))

    # Each row gets the model set its number of examples selects, as `examples::model_for` does.
    def ex_set(r):
        return exm_many if n_examples(r) >= MANY_EXAMPLES else exm

    def en2(r):
        return ex_set(r)[0], ex_set(r)[1]

    def zh1(r):
        return ex_set(r)[3], ex_set(r)[4]

    print("\n## With graded example answers: 2-way and 3-way on unseen answers (mean over "
          f"{len(EX_SEEDS)} samples of examples per question; range of accuracy in brackets)\n")
    print("| corpus | split | examples per question | n | 2-way accuracy | 2-way macro-F1 | abstained | "
          "one reference 2-way accuracy | 3-way accuracy | 3-way macro-F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c, sp, s in SPLITS:
        if s != "UA":
            continue
        idx = [i for i, r in enumerate(sem) if r["corpus"] == c and r["split"] == sp]
        rows = [sem[i] for i in idx]
        e = eval_2way(en, en_band, rows, allf)
        e1 = eval_2way(en, en_band, [first[i] for i in idx], allf)
        p3 = [LABELS3[predict3(en3, r["x"])] for r in rows]
        g3 = [r["label_3way"] for r in rows]
        print(f"| {c} | {s} | none (current model) | {len(rows)} | {e['acc']:.3f} | {e['f1']:.3f} | {e['abst']:.3f} | "
              f"{e1['acc']:.3f} | {accuracy(p3, g3):.3f} | {macro_f1(p3, g3, LABELS3)[0]:.3f} |")
        for k in EX_TEST_KS:
            names = [f"k{k}s{seed}" for seed in EX_SEEDS] if k else ["all"]
            res = []
            for name in names:
                rx = [sem_x for sem_x in with_examples(sem, ex_sem, name) if sem_x["corpus"] == c and sem_x["split"] == sp]
                fx = [f for f in with_examples(first, ex_sem, name) if f["corpus"] == c and f["split"] == sp]
                e = eval_2way(en2, None, rx, allx)
                e1 = eval_2way(en2, None, fx, allx)
                p3 = [LABELS3[predict3(ex_set(r)[2], r["x"])] for r in rx]
                g3 = [r["label_3way"] for r in rx]
                res.append((e["acc"], e["f1"], e["abst"], e1["acc"], accuracy(p3, g3), macro_f1(p3, g3, LABELS3)[0], len(rx)))
            m = [sum(v[j] for v in res) / len(res) for j in range(6)]
            rng = f" ({min(v[0] for v in res):.3f}–{max(v[0] for v in res):.3f})" if len(res) > 1 else ""
            print(f"| {c} | {s} | {k or 'all'} | {res[0][6]} | **{m[0]:.3f}**{rng} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} | "
                  f"**{m[4]:.3f}** | {m[5]:.3f} |")
    print("\n## With graded example answers: zh_ADS test (examples: train answers of the same question, score / 10; range of r in brackets)\n")
    print("| examples per question | n | Pearson r | RMSE | pass (>= 5) accuracy | abstained |")
    print("|---|---|---|---|---|---|")
    zt = [r for r in zh if r["split"] == "test"]
    z = eval_zh(zhm, zh_band, zt, allf)
    print(f"| none (current model) | {len(zt)} | {z['r']:.3f} | {z['rmse']:.2f} | {z['pass_acc']:.3f} | {z['abst']:.3f} |")
    for k in EX_TEST_KS:
        names = [f"k{k}s{seed}" for seed in EX_SEEDS] if k else ["all"]
        res = []
        for name in names:
            rx = [r for r in with_examples(zh, ex_zh, name) if r["split"] == "test"]
            z = eval_zh(zh1, None, rx, allx)
            res.append((z["r"], z["rmse"], z["pass_acc"], z["abst"], len(rx)))
        m = [sum(v[j] for v in res) / len(res) for j in range(4)]
        rng = f" ({min(v[0] for v in res):.3f}–{max(v[0] for v in res):.3f})" if len(res) > 1 else ""
        print(f"| {k or 'all'} | {res[0][4]} | **{m[0]:.3f}**{rng} | {m[1]:.2f} | {m[2]:.3f} | {m[3]:.3f} |")
    print(f"\nabstain bands with examples (chosen on train): English |p - 0.5| < {exm[1]} (few) / {exm_many[1]} (many), "
          f"Chinese < {exm[4]} / {exm_many[4]}; 'all' and 16 use the many-example models (>= {MANY_EXAMPLES} examples)")


def rust_array(v, names, indent):
    pad = " " * indent
    return "[\n" + "".join(f"{pad}    {x:.6e}, // {n}\n" for x, n in zip(v, names)) + pad + "]"


def example_models(exm, suffix, regime, xnames):
    """Rust source of one set of with-examples models (`EN_2WAY_EX{suffix}` …)."""
    en_x, en_x_band, en3_x, zh_x, zh_x_band = exm
    rows3x = "".join(f"        {rust_array(w, xnames, 8)},\n" for w in en3_x[0])
    return f"""
/// With graded example answers, {regime}
/// (`examples::features_with_examples`: the features above, then the examples'): SemEval 2-way,
/// threshold folded into the bias, abstain band chosen on train.
pub const EN_2WAY_EX{suffix}: LexicalModel<N_WITH_EXAMPLES> = LexicalModel {{
    weights: {rust_array(en_x[0], xnames, 4)},
    bias: {en_x[1]:.6e},
    abstain_band: {en_x_band},
}};

/// With graded example answers, {regime}: SemEval 3-way.
pub const EN_3WAY_EX{suffix}: MultinomialModel<N_WITH_EXAMPLES> = MultinomialModel {{
    labels: [{", ".join(f'"{l}"' for l in LABELS3)}],
    weights: [
{rows3x}    ],
    bias: [{", ".join(f"{b:.6e}" for b in en3_x[1])}],
}};

/// With graded example answers, {regime}: zh_ADS score / 10.
pub const ZH_SCORE_EX{suffix}: LexicalModel<N_WITH_EXAMPLES> = LexicalModel {{
    weights: {rust_array(zh_x[0], xnames, 4)},
    bias: {zh_x[1]:.6e},
    abstain_band: {zh_x_band},
}};
"""


def write_weights(names, en, en_band, en3, zh, zh_band, cmd, xnames, exm, exm_many):
    today = datetime.date.today().isoformat()
    rows3 = "".join(f"        {rust_array(w, names, 8)},\n" for w in en3[0])
    text = f"""// @generated by `{cmd}` on {today}: do not edit by hand.
// Fitted on the `train` splits only: SemEval-2013 Task 7 (SciEntsBank + Beetle pooled, all reference
// answers) for English, zh_ADS for Chinese. Weights apply to the raw features of `lexical::features`
// (standardisation folded in); evaluation and ablation: docs/quality.md.
use crate::examples::N_WITH_EXAMPLES;
use crate::lexical::{{LexicalModel, MultinomialModel}};

/// SemEval 2-way: P(correct). The threshold with the best train accuracy is folded into the bias,
/// so 0.5 is the pass mark; abstains within the band (chosen on train).
pub const EN_2WAY: LexicalModel = LexicalModel {{
    weights: {rust_array(en[0], names, 4)},
    bias: {en[1]:.6e},
    abstain_band: {en_band},
}};

/// SemEval 3-way: softmax over the labels ("correct" is the reference class, weights 0).
pub const EN_3WAY: MultinomialModel = MultinomialModel {{
    labels: [{", ".join(f'"{l}"' for l in LABELS3)}],
    weights: [
{rows3}    ],
    bias: [{", ".join(f"{b:.6e}" for b in en3[1])}],
}};

/// zh_ADS: expected score / 10 (logistic regression on fractional targets).
pub const ZH_SCORE: LexicalModel = LexicalModel {{
    weights: {rust_array(zh[0], names, 4)},
    bias: {zh[1]:.6e},
    abstain_band: {zh_band},
}};

/// From this number of graded examples on, an item is scored with the `…_EX_MANY` models.
pub const MANY_EXAMPLES: usize = {MANY_EXAMPLES};
{example_models(exm, "", f"fewer than {MANY_EXAMPLES} (fitted with 1–8 per train answer)", xnames)}{example_models(exm_many, "_MANY", f"{MANY_EXAMPLES} or more (fitted with 16, 24, 32 or all)", xnames)}"""
    open(WEIGHTS, "w", encoding="utf-8").write(text)
    subprocess.run(["rustfmt", "--edition", "2021", WEIGHTS], cwd=ROOT)  # picks up rustfmt.toml


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features-dir", help="reuse semeval.csv, semeval_first.csv and zh.csv from here")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite lexical_weights.rs")
    ap.add_argument("--no-ablation", action="store_true")
    a = ap.parse_args()
    if not (os.path.exists(SEMEVAL) and os.path.exists(ZH)):
        print(f"skipped: {DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    tmp = a.features_dir or tempfile.mkdtemp(prefix="lexical-")
    paths = {k: os.path.join(tmp, k + ".csv") for k in ["semeval", "semeval_first", "zh", "semeval_examples", "zh_examples"]}
    if not a.features_dir:
        print("# features:", features_csv(SEMEVAL, paths["semeval"]), "(SemEval);",
              features_csv(ZH, paths["zh"]), "(zh_ADS)")
        features_csv(SEMEVAL, paths["semeval_first"], ["--first-reference-only"])
    sem, names = load(paths["semeval"])
    first, _ = load(paths["semeval_first"])
    zh, _ = load(paths["zh"])
    if not a.features_dir:
        example_features_csv(SEMEVAL, sem, paths["semeval_examples"])
        example_features_csv(ZH, zh, paths["zh_examples"])
    ex_sem, ex_names = load_examples(paths["semeval_examples"])
    ex_zh, _ = load_examples(paths["zh_examples"])
    allf = [True] * len(names)
    train = [r for r in sem if r["split"] == "train"]
    by_split = {(c, s): [r for r in sem if r["corpus"] == c and r["split"] == sp] for c, sp, s in SPLITS}
    first_split = {(c, s): [r for r in first if r["corpus"] == c and r["split"] == sp] for c, sp, s in SPLITS}
    zh_train = [r for r in zh if r["split"] == "train"]
    zh_test = [r for r in zh if r["split"] == "test"]

    en, en_band = fit_en(train, allf)
    en3 = fit_en3(train, allf)
    zhm, zh_band = fit_zh(zh_train, allf)
    train_eval = eval_2way(en, en_band, train, allf)
    print(f"\nSemEval train ({len(train)} answers): 2-way accuracy {train_eval['acc']:.3f}, abstain band "
          f"|p - 0.5| < {en_band} ({train_eval['abst']:.1%} of train abstained, {train_eval['acc_kept']:.3f} accuracy on the rest)")

    print("\n## 2-way (correct / incorrect), fitted on SemEval train (SciEntsBank + Beetle pooled)\n")
    print("| corpus | split | n | accuracy | macro-F1 | abstained | accuracy when not abstained | "
          "one reference (CLI input) accuracy | per-corpus fit accuracy | keyword grader accuracy (abstained) | README token-overlap baseline |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    per_corpus = {c: fit_en([r for r in train if r["corpus"] == c], allf) for c in ["sciEntsBank", "beetle"]}
    for c, _, s in SPLITS:
        rows = by_split[(c, s)]
        e = eval_2way(en, en_band, rows, allf)
        e1 = eval_2way(en, en_band, first_split[(c, s)], allf)
        ec = eval_2way(*per_corpus[c], rows, allf)
        kw = accuracy(["correct" if r["kw_met"] == "1" else "incorrect" for r in rows], [r["label_2way"] for r in rows])
        kwa = sum(r["kw_abstained"] == "1" for r in rows) / len(rows)
        print(f"| {c} | {s} | {len(rows)} | **{e['acc']:.3f}** | {e['f1']:.3f} | {e['abst']:.3f} | {e['acc_kept']:.3f} | "
              f"{e1['acc']:.3f} | {ec['acc']:.3f} | {kw:.3f} ({kwa:.3f}) | {README_2WAY[(c, s)]:.3f} |")

    print("\n## 3-way (correct / contradictory / incorrect), multinomial, same features\n")
    print("| corpus | split | n | accuracy | macro-F1 | F1 correct | F1 contradictory | F1 incorrect |")
    print("|---|---|---|---|---|---|---|---|")
    for c, _, s in SPLITS:
        rows = by_split[(c, s)]
        pred = [LABELS3[predict3(en3, r["x"])] for r in rows]
        gold = [r["label_3way"] for r in rows]
        mf, per = macro_f1(pred, gold, LABELS3)
        print(f"| {c} | {s} | {len(rows)} | **{accuracy(pred, gold):.3f}** | {mf:.3f} | " + " | ".join(f"{v:.3f}" for v in per) + " |")

    z = eval_zh(zhm, zh_band, zh_test, allf)
    zt = eval_zh(zhm, zh_band, zh_train, allf)
    kwx = [10.0 * (r["kw_met"] == "1") for r in zh_test]
    hum = [float(r["score"]) for r in zh_test]
    print("\n## zh_ADS (scores 0-10), fitted on train\n")
    print("| grader | split | n | Pearson r | RMSE | pass (>= 5) accuracy | abstained | pass accuracy when not abstained |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| lexical model | train | {len(zh_train)} | {zt['r']:.3f} | {zt['rmse']:.2f} | {zt['pass_acc']:.3f} | {zt['abst']:.3f} | {zt['acc_kept']:.3f} |")
    print(f"| lexical model | test | {len(zh_test)} | **{z['r']:.3f}** | {z['rmse']:.2f} | {z['pass_acc']:.3f} | {z['abst']:.3f} | {z['acc_kept']:.3f} |")
    print(f"| keyword grader (0 or 10) | test | {len(zh_test)} | {pearson(kwx, hum):.3f} | {rmse(kwx, hum):.2f} | "
          f"{accuracy([x >= 5 for x in kwx], [h >= 5 for h in hum]):.3f} | "
          f"{sum(r['kw_abstained'] == '1' for r in zh_test) / len(zh_test):.3f} | |")
    print(f"| README character-bigram baseline | test | | 0.404 | | | | |")
    print(f"\nabstain bands chosen on train: English |p - 0.5| < {en_band}, Chinese < {zh_band}")

    if not a.no_ablation:
        groups = []
        for n in names:
            g = n.split(".")[0]
            if g not in groups:
                groups.append(g)
        print("\n## Ablation: 2-way accuracy per test split, train cross-validation (grouped by question), "
              "3-way accuracy (SciEntsBank UA / Beetle UA), zh_ADS test r\n")
        print("| features | " + " | ".join(f"{'SEB' if c == 'sciEntsBank' else 'Beetle'} {s}" for c, _, s in SPLITS)
              + " | mean 2-way | train CV 2-way | 3-way SEB UA | 3-way Beetle UA | zh r |")
        print("|---|" + "---|" * (len(SPLITS) + 5))
        variants = [("all", allf)]
        variants += [(f"all − {g}", [n.split(".")[0] != g for n in names]) for g in groups]
        variants += [(f"only {g}", [n.split(".")[0] == g for n in names]) for g in groups]
        variants += [("token.recall alone (≈ README baseline)", [n == "token.recall" for n in names])]
        for label, keep in variants:
            m, band = fit_en(train, keep)
            m3 = fit_en3(train, keep)
            zm, zb = fit_zh(zh_train, keep)
            accs = [eval_2way(m, band, by_split[(c, s)], keep)["acc"] for c, _, s in SPLITS]
            a3 = []
            for c in ["sciEntsBank", "beetle"]:
                rows = by_split[(c, "UA")]
                a3.append(accuracy([LABELS3[predict3(m3, select(r["x"], keep))] for r in rows], [r["label_3way"] for r in rows]))
            zr = eval_zh(zm, zb, zh_test, keep)["r"]
            print(f"| {label} | " + " | ".join(f"{v:.3f}" for v in accs) + f" | {sum(accs) / len(accs):.3f} | "
                  f"{cv_2way(train, keep):.3f} | {a3[0]:.3f} | {a3[1]:.3f} | {zr:.3f} |")

    allx = [True] * (len(names) + len(ex_names))
    train_x = with_examples(sem, ex_sem, "train")
    zh_train_x = [r for r in with_examples(zh, ex_zh, "train") if r["split"] == "train"]
    exm = (*fit_en(train_x, allx), fit_en3(train_x, allx), *fit_zh(zh_train_x, allx))
    train_m = with_examples(sem, ex_sem, "train_many")
    zh_train_m = [r for r in with_examples(zh, ex_zh, "train_many") if r["split"] == "train"]
    exm_many = (*fit_en(train_m, allx), fit_en3(train_m, allx), *fit_zh(zh_train_m, allx))
    example_tables(sem, first, zh, ex_sem, ex_zh, en, en_band, en3, zhm, zh_band, exm, exm_many)

    if not a.no_write:
        write_weights(names, en, en_band, en3, zhm, zh_band, "python3 scripts/fit_lexical.py", names + ex_names, exm,
                      exm_many)
        print(f"\nwrote {os.path.relpath(WEIGHTS, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
