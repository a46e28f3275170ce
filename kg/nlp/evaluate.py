"""Score predictions against gold with the labelling standard's scorer, plus a per-label breakdown.

The scoring logic is the labelling standard's `score.py`, shipped verbatim
inside the package (kg/data/score.py) and loaded and called as it is: kg
never re-implements it. A `score.py` lying beside a gold file is never run
on its own (gold files come from anywhere; running code found beside them
would run whatever someone put there); `scorer_path` runs another one when
the user names it. The breakdown runs the same `score_doc` on each label's
(each relation type's) share of gold and predictions.
"""
from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

from kg.errors import KgError

KINDS = ("entities", "entities_any_label", "relations", "metrics")


def load_scorer(path: str | Path):
    path = Path(path)
    if not path.exists():
        raise KgError(f"{path}: scorer not found (pass --scorer PATH to score.py)")
    spec = importlib.util.spec_from_file_location("kg_corpus_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def packaged_scorer() -> Path:
    """The copy of the labelling standard's score.py that ships with kg."""
    return Path(str(resources.files("kg") / "data" / "score.py"))


def _run(scorer, gold_docs, pred_docs, gold_filter=None, pred_filter=None):
    tally = {k: scorer.Tally() for k in KINDS}
    for doc, g in gold_docs.items():
        p = pred_docs.get(doc, {})
        if gold_filter:
            g, p = gold_filter(g), pred_filter(p)
        scorer.score_doc(g, p, tally)
    return tally


def _row(t):
    p, r, f = t.prf()
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": t.tp, "fp": t.fp, "fn": t.fn}


def evaluate(gold: str | Path, pred: str | Path, scorer_path: str | Path | None = None) -> dict:
    """{"overall": {kind: scores}, "entities_by_label": {...}, "relations_by_type": {...},
    "documents": {how many gold, predicted and matched, which gold ones have no prediction, which
    predicted ones are not in gold}, "misses"/"extras"}."""
    scorer = load_scorer(scorer_path or packaged_scorer())
    for path in (gold, pred):
        if not Path(path).exists():
            raise KgError(f"{path}: file not found")
    try:
        gold_docs, pred_docs = scorer.load(str(gold)), scorer.load(str(pred))
    except SystemExit as exc:  # score.py exits with a message on bad JSON
        raise KgError(str(exc)) from None
    overall = _run(scorer, gold_docs, pred_docs)
    matched = sorted(set(gold_docs) & set(pred_docs))
    documents = {"gold": len(gold_docs), "predicted": len(pred_docs), "matched": len(matched),
                 "without_prediction": sorted(set(gold_docs) - set(pred_docs)),
                 "not_in_gold": sorted(set(pred_docs) - set(gold_docs))}
    labels = sorted({e["label"] for g in gold_docs.values() for e in g.get("entities", [])})
    by_label = {}
    for label in labels:
        def keep(d, label=label):
            return {**d, "entities": [e for e in d.get("entities", []) if e.get("label") == label],
                    "relations": [], "metrics": []}
        by_label[label] = _row(_run(scorer, gold_docs, pred_docs, keep, keep)["entities"])
    types = sorted({r["type"] for g in gold_docs.values() for r in g.get("relations", [])})
    by_type = {}
    for rtype in types:
        def keep(d, rtype=rtype):
            return {**d, "relations": [r for r in d.get("relations", []) if r.get("type") == rtype],
                    "metrics": []}
        by_type[rtype] = _row(_run(scorer, gold_docs, pred_docs, keep, keep)["relations"])
    per_doc, rules = {}, {k: [] for k in KINDS}
    for doc, g in gold_docs.items():
        tally = {k: scorer.Tally() for k in KINDS}
        p = pred_docs.get(doc, {})
        scorer.score_doc(g, p, tally)
        per_doc[doc] = {k: _row(tally[k]) for k in KINDS}
        found = _rules_of(scorer, p)
        for k in KINDS:
            rules[k] += [found.get((k, extra), "") for extra in tally[k].extras]
    return {
        "overall": {k: _row(overall[k]) for k in KINDS},
        "entities_by_label": by_label,
        "relations_by_type": by_type,
        "documents": documents,
        "per_doc": per_doc,
        "macro": _macro(per_doc),
        "misses": {k: overall[k].misses for k in KINDS},
        "extras": {k: overall[k].extras for k in KINDS},
        "extra_rules": rules,
    }


def _macro(per_doc: dict) -> dict:
    """The average over documents of each kind's precision, recall and F1 (each page counts once)."""
    if not per_doc:
        return {}
    out = {}
    for k in KINDS:
        rows = [d[k] for d in per_doc.values()]
        out[k] = {m: round(sum(r[m] for r in rows) / len(rows), 4) for m in ("precision", "recall", "f1")}
    return out


def _rules_of(scorer, pred: dict) -> dict:
    """(kind, the scorer's text for an item) → the kg rules that produced it, for telling
    which rule made an extra. Records without rules (another tool's) give none."""
    found: dict = {}

    def put(key, rule):
        if rule and rule not in found.get(key, ""):
            found[key] = f"{found[key]}, {rule}" if key in found else rule

    for e in pred.get("entities", []):
        for m in e.get("mentions", [])[:20]:
            put(("entities", f"{e.get('label')}:{e.get('name')}"), m.get("rule"))
            put(("entities_any_label", e.get("name")), m.get("rule"))
    for r in pred.get("relations", []):
        text = f"{scorer.ref_name(r.get('head'))} {r.get('type')} {scorer.ref_name(r.get('tail'))}"
        put(("relations", text), r.get("rule"))
    for m in pred.get("metrics", []):
        text = f"{scorer.show_ref(m.get('subject'))} {m.get('name')}={m.get('value')}{m.get('unit')}"
        put(("metrics", text), m.get("rule"))
    return found


def format_table(result: dict, verbose: bool = False) -> list[str]:
    lines = [f"{'':24s} {'P':>6s} {'R':>6s} {'F1':>6s}   tp   fp   fn"]

    def line(name, o):
        lines.append(f"{name:24s} {o['precision']:6.3f} {o['recall']:6.3f} {o['f1']:6.3f} "
                     f"{o['tp']:4d} {o['fp']:4d} {o['fn']:4d}")

    for k in KINDS:
        line(k, result["overall"][k])
    for label, o in result["entities_by_label"].items():
        line(f"  entity {label}", o)
    for rtype, o in result["relations_by_type"].items():
        line(f"  relation {rtype}", o)
    if verbose:
        for k in KINDS:
            lines += [f"MISS  {k}: {m}" for m in result["misses"][k]]
            rules = result.get("extra_rules", {}).get(k, [])
            lines += [f"EXTRA {k}: {m}" + (f"   [{rules[n]}]" if n < len(rules) and rules[n] else "")
                      for n, m in enumerate(result["extras"][k])]
    return lines


def format_per_doc(result: dict) -> list[str]:
    """One row per gold document (F1 of each kind, with P/R), then the macro average."""
    kinds = ("entities", "relations", "metrics")
    width = max([len(d) for d in result["per_doc"]] + [len("macro average")])
    head = "  ".join(f"{k:>20s}" for k in kinds)
    lines = [f"{'document':{width}s}  {head}", f"{'':{width}s}  " + "  ".join(f"{'P     R     F1':>20s}" for _ in kinds)]

    def row(name, scores):
        cells = "  ".join(f"{scores[k]['precision']:6.3f}{scores[k]['recall']:6.3f}{scores[k]['f1']:6.3f}".rjust(20)
                          for k in kinds)
        lines.append(f"{name:{width}s}  {cells}")

    for doc, scores in result["per_doc"].items():
        row(doc, scores)
    if result.get("macro"):
        row("macro average", result["macro"])
    return lines


def _names(docs, limit=3) -> str:
    return ", ".join(docs[:limit]) + (f" … ({len(docs)} in all)" if len(docs) > limit else "")


def document_warnings(result: dict, gold, pred) -> list[str]:
    """What to tell the user about documents that were not scored against each other."""
    d = result["documents"]
    if d["gold"] and not d["matched"]:
        return [f"{pred}: none of its {d['predicted']} document(s) is in {gold} "
                f"({gold} has {_names(d['without_prediction'])}; {pred} has {_names(d['not_in_gold'])}): "
                f"these predictions are for other pages, so every score is 0"]
    lines = []
    if d["without_prediction"]:
        lines.append(f"{len(d['without_prediction'])} of {d['gold']} gold document(s) have no prediction in {pred} "
                     f"({_names(d['without_prediction'])}): they count as all misses")
    return lines
