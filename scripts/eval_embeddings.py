#!/usr/bin/env python3
"""What llama.cpp sentence embeddings add to the calibrated lexical grader (docs/quality.md,
"llama.cpp embeddings as features"). Research script: it changes nothing in the app.

Usage:
  cargo build --release -p crossway-tutor --example embed_dump --example lexical_features
  python3 scripts/eval_embeddings.py [--train 1500] [--test 200] [--zh-train 250] [--zh-test 150]
                                     [--seed 7] [--model FILE] [--threads 1] [--embed-only]

1. Samples `--train` SemEval `train` answers (SciEntsBank + Beetle pooled), `--test` answers of each
   test split (SciEntsBank UA/UQ/UD, Beetle UA/UQ; 0 = all) and `--zh-train` / `--zh-test` zh_ADS
   answers, at random (seed `--seed`).
2. Embeds every distinct text needed (the sampled answers, all their reference answers and their
   questions) with `embed_dump` (llama.cpp, the app's default model unless `--model`, one decode
   returning both mean-pooled and last-token embeddings), `nice -n 10`, and caches them under
   $HOME/.cache/crossway-embed/ (keyed by model, pooling and text), so reruns embed nothing new.
3. Takes the 16 lexical features from `lexical_features` (the Rust code, as scripts/fit_lexical.py
   does) and the graded-example features the same way, and fits, on the train sample only, with
   fit_lexical.py's own logistic / multinomial regressions and threshold / band rules:
     (a) lexical features; (b) + cos(answer, nearest reference) [+ cos(answer, question)];
     (c) + embedding nearest-neighbour features against the sampled train answers of the same
         question (the 11 features of examples.rs with cosine as the similarity; only where the
         question has train answers: unseen answers, zh_ADS), next to examples.rs's own lexical
         example features over the same answers.
   Embedding variants: mean or last-token pooling, raw or centred (the mean embedding of the
   train-sample answers subtracted before the cosine). Which one to prefer is read from the
   5-fold train cross-validation (grouped by question), never from a test split.
4. Prints markdown tables: 2-way accuracy / macro-F1 and 3-way accuracy per test split, zh_ADS
   Pearson r, the overlap baselines of ../shared/eval/README.md.

Standard library only (no numpy). The data sets are read in place and never copied into the repo.
"""
import argparse, csv, hashlib, json, math, os, random, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_lexical as fl  # noqa: E402  (its main() only runs as a script)

ROOT = fl.ROOT
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "crossway-embed")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
EMBED_BIN = os.path.join(TARGET, "release", "examples", "embed_dump")
DEFAULT_MODEL = os.path.join(ROOT, "models", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
MAX_TOKENS = 256
CHUNK = 100  # texts per embed_dump run (each run's output is cached at once)
UA = {("sciEntsBank", "UA"), ("beetle", "UA")}


# ---------------------------------------------------------------- data and sample

def read_csv(path):
    return [r for r in csv.DictReader(open(path, encoding="utf-8"))]


def references(r, zh):
    if zh:
        refs = [r["reference_answer"], r["reference2"], r["reference3"]]
    else:
        refs = r["all_reference_answers"].split("||")
    refs = [s.strip() for s in refs if s.strip()]
    return refs or [r["reference_answer"].strip()]


def sample(rows, n, rng):
    idx = list(range(len(rows)))
    if n and n < len(idx):
        idx = sorted(rng.sample(idx, n))
    return idx


# ---------------------------------------------------------------- embeddings and cache

def key(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def cache_path(model):
    stem = os.path.splitext(os.path.basename(model))[0]
    return os.path.join(CACHE, f"{stem}.both.t{MAX_TOKENS}.jsonl")


def load_cache(path):
    embs = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            try:
                o = json.loads(line)
            except ValueError:
                continue  # a line cut by an interrupted run
            embs[o["id"]] = (o["emb"], o["emb_last"])
    return embs


def embed(texts, model, threads):
    """Embeds the texts not yet in the cache; returns {key: (mean, last)} for all and the
    measured seconds per newly embedded text (None when nothing was new)."""
    os.makedirs(CACHE, exist_ok=True)
    path = cache_path(model)
    embs = load_cache(path)
    todo = []
    seen = set(embs)
    for t in texts:
        k = key(t)
        if k not in seen:
            seen.add(k)
            todo.append((k, t))
    if not todo:
        return embs, None
    if not os.path.exists(EMBED_BIN):
        sys.exit(f"{EMBED_BIN} missing: cargo build --release -p crossway-tutor --example embed_dump")
    print(f"# embedding {len(todo)} new texts ({len(embs)} cached) into {path}", file=sys.stderr)
    spent, done = 0.0, 0
    tmp = tempfile.mkdtemp(prefix="embed-")
    for c in range(0, len(todo), CHUNK):
        part = todo[c:c + CHUNK]
        src, dst = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for k, t in part:
                f.write(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n")
        cmd = ["nice", "-n", "10", EMBED_BIN, "--model", model, "--threads", str(threads), "--pooling", "both",
               "--max-tokens", str(MAX_TOKENS), "--batch-tokens", "256", "--in", src, "--out", dst]
        t0 = time.time()
        r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        if r.returncode:
            sys.exit(r.stderr)
        spent += time.time() - t0
        done += len(part)
        with open(dst, encoding="utf-8") as f, open(path, "a", encoding="utf-8") as out:
            data = f.read()
            out.write(data)
        for line in data.splitlines():
            o = json.loads(line)
            embs[o["id"]] = (o["emb"], o["emb_last"])
        print(f"#   {done}/{len(todo)} ({spent / done:.3f} s per text incl. model load; {r.stderr.strip()})",
              file=sys.stderr)
    return embs, spent / done


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def unit(v):
    n = math.sqrt(dot(v, v)) or 1.0
    return [x / n for x in v]


class Space:
    """One embedding variant: pooling (0 = mean, 1 = last) and optional centring."""

    def __init__(self, embs, pooling, centre):
        self.embs, self.pooling, self.centre, self.memo = embs, pooling, centre, {}

    def vec(self, text):
        k = key(text)
        if k not in self.memo:
            v = self.embs[k][self.pooling]
            if self.centre:
                v = unit([a - b for a, b in zip(v, self.centre)])
            self.memo[k] = v
        return self.memo[k]

    def cos(self, a, b):
        return dot(self.vec(a), self.vec(b))


def mean_vector(embs, texts, pooling):
    vs = [embs[key(t)][pooling] for t in texts]
    return [sum(col) / len(vs) for col in zip(*vs)]


# ---------------------------------------------------------------- features

EMB_NAMES = ["emb.cos_ref", "emb.cos_question"]
KNN_NAMES = ["knn.best_right", "knn.best_wrong", "knn.margin", "knn.knn_share", "knn.nearest_share",
             "knn.nearest_signed", "knn.best_contradictory", "knn.best_incorrect", "knn.has_right",
             "knn.has_wrong", "knn.log_count"]


def share_of(r, zh):
    return float(r["score"]) / 10 if zh else (1.0 if r["label_3way"] == "correct" else 0.0)


def knn_features(space, text, pool, zh):
    """examples.rs's 11 example features with the embedding cosine (clamped at 0) as similarity."""
    if not pool:
        return [0.0] * len(KNN_NAMES)
    br = bw = bc = bi = 0.0
    hr = hw = 0.0
    wsum = wshare = 0.0
    near = None
    for r in pool:
        s = max(0.0, space.cos(text, r["student_answer"]))
        sh = share_of(r, zh)
        if sh > 0.5:
            hr, br = 1.0, max(br, s)
        else:
            hw, bw = 1.0, max(bw, s)
        if not zh and r["label_3way"] == "contradictory":
            bc = max(bc, s)
        elif not zh and r["label_3way"] == "incorrect":
            bi = max(bi, s)
        w = s ** 3 + 1e-6
        wsum += w
        wshare += w * sh
        if near is None or s > near[0]:
            near = (s, sh)
    return [br, bw, br - bw, wshare / wsum, near[1], near[0] * (near[1] - 0.5), bc, bi, hr, hw, math.log(len(pool))]


# ---------------------------------------------------------------- fitting helpers (fit_lexical's models)

def cv_en(rows, cols, folds=5):
    """2-way accuracy of 5-fold CV on the train sample, folds grouped by question."""
    qs = sorted(set((r["corpus"], r["question_id"]) for r in rows))
    order = fl._shuffled(len(qs))
    fold = {qs[j]: i % folds for i, j in enumerate(order)}
    keep = [True] * len(cols(rows[0]))
    hit = 0
    for k in range(folds):
        tr = [dict(r, x=cols(r)) for r in rows if fold[(r["corpus"], r["question_id"])] != k]
        m, _ = fl.fit_en(tr, keep)
        hit += sum((fl.predict(m, cols(r)) >= 0.5) == (r["label_2way"] == "correct")
                   for r in rows if fold[(r["corpus"], r["question_id"])] == k)
    return hit / len(rows)


def evaluate(train, tests, cols, three_way=True):
    """Fits 2-way (and 3-way) on train with the feature function `cols`; returns per-split results."""
    keep = [True] * len(cols(train[0]))
    tr = [dict(r, x=cols(r)) for r in train]
    m, band = fl.fit_en(tr, keep)
    m3 = fl.fit_en3(tr, keep) if three_way else None
    out = {}
    for name, rows in tests.items():
        rows = [dict(r, x=cols(r)) for r in rows]
        e = fl.eval_2way(m, band, rows, keep)
        if m3:
            p3 = [fl.LABELS3[fl.predict3(m3, r["x"])] for r in rows]
            e["acc3"] = fl.accuracy(p3, [r["label_3way"] for r in rows])
            e["f1_3"] = fl.macro_f1(p3, [r["label_3way"] for r in rows], fl.LABELS3)[0]
        out[name] = e
    return out, band


def evaluate_zh(train, test, cols):
    keep = [True] * len(cols(train[0]))
    m, band = fl.fit_zh([dict(r, x=cols(r)) for r in train], keep)
    return fl.eval_zh(m, band, [dict(r, x=cols(r)) for r in test], keep)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=1500)
    ap.add_argument("--test", type=int, default=200, help="answers per test split (0 = all)")
    ap.add_argument("--zh-train", type=int, default=250)
    ap.add_argument("--zh-test", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--embed-only", action="store_true", help="embed (fill the cache) and stop")
    ap.add_argument("--no-3way", action="store_true", help="skip the (slow, pure-Python) 3-way fits")
    a = ap.parse_args()
    if not (os.path.exists(fl.SEMEVAL) and os.path.exists(fl.ZH)):
        print(f"skipped: {fl.DATA} not found (the shared eval data is not beside this checkout)")
        return 0
    t_start = time.time()

    # Lexical features from the Rust code, aligned with the CSV rows.
    tmp = tempfile.mkdtemp(prefix="embed-eval-")
    lex_sem_path, lex_zh_path = os.path.join(tmp, "semeval.csv"), os.path.join(tmp, "zh.csv")
    fl.features_csv(fl.SEMEVAL, lex_sem_path)
    fl.features_csv(fl.ZH, lex_zh_path)
    lex_sem, names = fl.load(lex_sem_path)
    lex_zh, _ = fl.load(lex_zh_path)
    raw_sem = [r for r in read_csv(fl.SEMEVAL) if r.get("student_answer") is not None]
    raw_zh = [r for r in read_csv(fl.ZH) if r.get("student_answer") is not None]
    assert len(raw_sem) == len(lex_sem) and len(raw_zh) == len(lex_zh), "CSV and feature rows differ"
    for r, f in zip(raw_sem, lex_sem):
        assert r["answer_id"] == f["id"] and r["split"] == f["split"]
        r["lex"] = f["x"]
    for r, f in zip(raw_zh, lex_zh):
        r["lex"] = f["x"]
        r["corpus"], r["question_id"] = "zh_ADS", r["qid"]
    for i, r in enumerate(raw_sem):
        r["row"] = i
    for i, r in enumerate(raw_zh):
        r["row"] = i

    # The sample.
    rng = random.Random(a.seed)
    all_train = [r for r in raw_sem if r["split"] == "train"]
    train = [all_train[i] for i in sample(all_train, a.train, rng)]
    tests = {}
    for c, sp, s in fl.SPLITS:
        rows = [r for r in raw_sem if r["corpus"] == c and r["split"] == sp]
        tests[(c, s)] = [rows[i] for i in sample(rows, a.test, rng)]
    zh_tr = [r for r in raw_zh if r["split"] == "train"]
    zh_te = [r for r in raw_zh if r["split"] == "test"]
    zh_train = [zh_tr[i] for i in sample(zh_tr, a.zh_train, rng)]
    zh_test = [zh_te[i] for i in sample(zh_te, a.zh_test, rng)]

    # Texts, in the order they are most needed (references and questions, train, test, zh).
    texts = []
    for rows, zh in [(train, False)] + [(v, False) for v in tests.values()] + [(zh_train, True), (zh_test, True)]:
        for r in rows:
            texts += references(r, zh) + [r["question"]]
    for rows in [train] + list(tests.values()) + [zh_train, zh_test]:
        texts += [r["student_answer"] for r in rows]
    distinct = list(dict.fromkeys(texts))
    embs, per_text = embed(distinct, a.model, a.threads)
    if a.embed_only:
        print(f"embedded; {len(distinct)} distinct texts in the cache for this sample")
        return 0

    # Pools for the nearest-neighbour features: the sampled train answers of each question.
    pools = {}
    for r in train + zh_train:
        pools.setdefault((r["corpus"], r["question_id"]), []).append(r)

    def pool_of(r):
        return [p for p in pools.get((r["corpus"], r["question_id"]), []) if p is not r]

    # Lexical example features over the same pools (examples.rs, through lexical_features --examples).
    ex_lex = {}
    for src, rows_all, groups, tag in [(fl.SEMEVAL, raw_sem, [train, tests[("sciEntsBank", "UA")], tests[("beetle", "UA")]], "sem"),
                                       (fl.ZH, raw_zh, [zh_train, zh_test], "zh")]:
        plan, out = os.path.join(tmp, f"{tag}_plan.csv"), os.path.join(tmp, f"{tag}_ex.csv")
        with open(plan, "w", encoding="utf-8") as f:
            f.write("set,row,examples\n")
            for rows in groups:
                for r in rows:
                    p = pool_of(r)
                    if p:
                        f.write(f"s,{r['row']},{';'.join(str(q['row']) for q in p)}\n")
        fl.features_csv(src, out, ["--examples", plan])
        sets, ex_names = fl.load_examples(out)
        for row, x in sets.get("s", {}).items():
            ex_lex[(tag, row)] = x

    def exf(r, zh):
        return ex_lex.get(("zh" if zh else "sem", r["row"]), [0.0] * 11)

    # Embedding variants; the centre is the mean of the train-sample answers' embeddings.
    spaces = {}
    for pooling, pname in [(0, "mean"), (1, "last")]:
        spaces[(pname, "raw")] = Space(embs, pooling, None)
        spaces[(pname, "centred")] = Space(embs, pooling, mean_vector(embs, [r["student_answer"] for r in train], pooling))
    zh_spaces = {}
    for pooling, pname in [(0, "mean"), (1, "last")]:
        zh_spaces[(pname, "raw")] = spaces[(pname, "raw")]
        zh_spaces[(pname, "centred")] = Space(embs, pooling, mean_vector(embs, [r["student_answer"] for r in zh_train], pooling))

    def emb_feats(sp, r, zh):
        ans = r["student_answer"]
        return [max(sp.cos(ans, ref) for ref in references(r, zh)), sp.cos(ans, r["question"])]

    memo = {}

    def feats(r, zh, sp_key, kind):
        k = (id(r), sp_key, kind)
        if k in memo:
            return memo[k]
        sp = (zh_spaces if zh else spaces)[sp_key] if sp_key else None
        if kind == "lex":
            x = r["lex"]
        elif kind == "cos_ref_only":
            x = emb_feats(sp, r, zh)[:1]
        elif kind == "emb_only":
            x = emb_feats(sp, r, zh)
        elif kind == "lex+cos_ref":
            x = r["lex"] + emb_feats(sp, r, zh)[:1]
        elif kind == "lex+cos":
            x = r["lex"] + emb_feats(sp, r, zh)
        elif kind == "lex+ex":
            x = r["lex"] + exf(r, zh)
        elif kind == "lex+knn":
            x = r["lex"] + knn_features(sp, r["student_answer"], pool_of(r), zh)
        elif kind == "lex+ex+knn":
            x = r["lex"] + exf(r, zh) + knn_features(sp, r["student_answer"], pool_of(r), zh)
        elif kind == "lex+ex+knn+cos":
            x = r["lex"] + exf(r, zh) + knn_features(sp, r["student_answer"], pool_of(r), zh) + emb_feats(sp, r, zh)
        memo[k] = x
        return x

    variants_b = [("lexical (16 features)", None, "lex")]
    for sk in spaces:
        tag = f"{sk[0]}, {sk[1]}"
        variants_b += [(f"cos(answer, reference) alone [{tag}]", sk, "cos_ref_only"),
                       (f"lexical + cos(answer, reference) [{tag}]", sk, "lex+cos_ref"),
                       (f"lexical + cos(answer, reference) + cos(answer, question) [{tag}]", sk, "lex+cos")]
    variants_c = [("lexical (16 features)", None, "lex"), ("lexical + lexical examples (examples.rs, 11)", None, "lex+ex")]
    for sk in spaces:
        tag = f"{sk[0]}, {sk[1]}"
        variants_c += [(f"lexical + embedding kNN (11) [{tag}]", sk, "lex+knn"),
                       (f"lexical + lexical examples + embedding kNN [{tag}]", sk, "lex+ex+knn"),
                       (f"lexical + lexical examples + embedding kNN + cos [{tag}]", sk, "lex+ex+knn+cos")]

    print(f"\n# sample: SemEval train {len(train)} (of {sum(r['split'] == 'train' for r in raw_sem)}), "
          + ", ".join(f"{c} {s} {len(v)}" for (c, s), v in tests.items())
          + f"; zh_ADS train {len(zh_train)}, test {len(zh_test)}; seed {a.seed}; "
          f"{len(distinct)} distinct texts embedded; model {os.path.basename(a.model)}")
    if per_text:
        print(f"# embedding time this run: {per_text:.3f} s per text (1 decode per <=256 tokens, {a.threads} thread(s), nice 10)")
    ua_pool = [len(pool_of(r)) for k in UA for r in tests[k]]
    print(f"# kNN pool (sampled train answers of the question): mean {sum(ua_pool) / max(1, len(ua_pool)):.1f} "
          f"per unseen-answers test answer ({sum(1 for n in ua_pool if n == 0)} with none); "
          f"zh_ADS mean {sum(len(pool_of(r)) for r in zh_test) / max(1, len(zh_test)):.1f}")

    three = not a.no_3way
    split_names = [(c, s) for c, _, s in fl.SPLITS]

    print("\n## (a)/(b): every split; 2-way accuracy / macro-F1, 3-way accuracy; fitted on the train sample only\n")
    print("| features | train CV 2-way | " + " | ".join(f"{'SEB' if c == 'sciEntsBank' else 'Beetle'} {s}" for c, s in split_names)
          + " | mean 2-way | zh r |")
    print("|---|---|" + "---|" * (len(split_names) + 2))
    for label, sk, kind in variants_b:
        cols = lambda r, sk=sk, kind=kind: feats(r, False, sk, kind)
        res, _ = evaluate(train, tests, cols, three_way=three and kind != "cos_ref_only")
        zcols = lambda r, sk=sk, kind=kind: feats(r, True, sk, kind)
        z = evaluate_zh(zh_train, zh_test, zcols)
        cells = []
        for k in split_names:
            e = res[k]
            cells.append(f"{e['acc']:.3f} / {e['f1']:.3f}" + (f" / {e['acc3']:.3f}" if "acc3" in e else ""))
        mean = sum(res[k]["acc"] for k in split_names) / len(split_names)
        print(f"| {label} | {cv_en(train, cols):.3f} | " + " | ".join(cells) + f" | {mean:.3f} | {z['r']:.3f} |", flush=True)
    print("| README token-overlap baseline (2-way acc.) | | " + " | ".join(f"{fl.README_2WAY[k]:.3f}" for k in split_names)
          + f" | {sum(fl.README_2WAY.values()) / 5:.3f} | 0.404 |")

    print("\n## (c): unseen answers and zh_ADS, with the sampled train answers of the same question as graded examples\n")
    print("| features | train CV 2-way | SEB UA 2-way acc / F1 | SEB UA 3-way acc / F1 | Beetle UA 2-way acc / F1 | "
          "Beetle UA 3-way acc / F1 | zh_ADS r / RMSE |")
    print("|---|---|---|---|---|---|---|")
    ua_tests = {k: tests[k] for k in UA}
    for label, sk, kind in variants_c:
        cols = lambda r, sk=sk, kind=kind: feats(r, False, sk, kind)
        res, _ = evaluate(train, ua_tests, cols, three_way=three)
        zcols = lambda r, sk=sk, kind=kind: feats(r, True, sk, kind)
        z = evaluate_zh(zh_train, zh_test, zcols)
        cells = []
        for k in [("sciEntsBank", "UA"), ("beetle", "UA")]:
            e = res[k]
            cells.append(f"{e['acc']:.3f} / {e['f1']:.3f}")
            cells.append(f"{e['acc3']:.3f} / {e['f1_3']:.3f}" if "acc3" in e else "")
        print(f"| {label} | {cv_en(train, cols):.3f} | " + " | ".join(cells) + f" | {z['r']:.3f} / {z['rmse']:.2f} |", flush=True)
    print(f"| README token-overlap baseline | | {fl.README_2WAY[('sciEntsBank', 'UA')]:.3f} | | "
          f"{fl.README_2WAY[('beetle', 'UA')]:.3f} | | 0.404 |")
    print(f"\n# total {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
