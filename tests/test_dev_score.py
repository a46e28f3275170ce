"""The extractor on the corpus's pages (dev/ and dev2/), scored by the labelling standard's own scorer."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.nlp.evaluate import evaluate

from conftest import unavailable

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
GOLD = CORPUS / "dev.gold.jsonl"
FOLDERS = ("dev", "dev2")
# Both folders together; each folder alone may be at most 0.05 below.
FLOORS = {"entities": 0.90, "relations": 0.80, "metrics": 0.85}
SLACK = 0.05


@pytest.fixture(scope="module", autouse=True)
def corpus():
    if not all((CORPUS / f"{f}.gold.jsonl").exists() for f in FOLDERS):
        unavailable(f"{CORPUS} is not beside the repository (CI clones main with shared/ beside it)")


@pytest.fixture(scope="module")
def preds(tmp_path_factory):
    out = {}
    for folder in FOLDERS:
        path = tmp_path_factory.mktemp(folder) / "pred.jsonl"
        result = CliRunner().invoke(main, ["extract", str(CORPUS / folder), "-o", str(path), "--quiet"])
        assert result.exit_code == 0, result.output
        out[folder] = path
    return out


@pytest.fixture(scope="module")
def pred(preds):
    return preds["dev"]


@pytest.fixture(scope="module")
def both(preds, tmp_path_factory):
    """dev and dev2 together: gold and predictions each in one file."""
    tmp = tmp_path_factory.mktemp("both")
    gold, pred = tmp / "gold.jsonl", tmp / "pred.jsonl"
    gold.write_text("".join((CORPUS / f"{f}.gold.jsonl").read_text(encoding="utf-8") for f in FOLDERS), encoding="utf-8")
    pred.write_text("".join(preds[f].read_text(encoding="utf-8") for f in FOLDERS), encoding="utf-8")
    return gold, pred


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_dev_and_dev2_together_score_above_the_floors(both, kind):
    result = evaluate(*both)
    f1 = result["overall"][kind]["f1"]
    assert f1 >= FLOORS[kind], f"{kind} F1 {f1:.3f} < {FLOORS[kind]}: misses {result['misses'][kind]}"


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_each_folder_alone_scores_near_the_floors(preds, folder, kind):
    result = evaluate(CORPUS / f"{folder}.gold.jsonl", preds[folder])
    f1 = result["overall"][kind]["f1"]
    assert f1 >= FLOORS[kind] - SLACK, f"{folder} {kind} F1 {f1:.3f} < {FLOORS[kind] - SLACK}"


def test_eval_per_doc_gives_a_row_per_document_and_the_macro_average(both):
    gold, pred = both
    result = CliRunner().invoke(main, ["eval", str(gold), str(pred), "--per-doc"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    docs = [json.loads(line)["doc"] for line in gold.read_text(encoding="utf-8").splitlines()]
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.split() and line.split()[0] in docs}
    assert set(rows) == set(docs) and all(len(r) == 9 for r in rows.values())
    macro = next(line for line in lines if line.startswith("macro average")).split()[2:]
    scores = evaluate(gold, pred)
    # The macro F1 is the mean of the documents' F1.
    mean = sum(d["entities"]["f1"] for d in scores["per_doc"].values()) / len(docs)
    assert abs(float(macro[2]) - mean) < 0.001


def test_eval_verbose_names_the_rule_of_every_extra(both):
    result = CliRunner().invoke(main, ["eval", *map(str, both), "--verbose"])
    extras = [line for line in result.output.splitlines() if line.startswith("EXTRA")]
    assert extras
    # Every extra ends with the rule(s) that produced it, e.g. "[person_finder:model]".
    assert all(line.rstrip().endswith("]") and line.rsplit("[", 1)[1].strip("] ") for line in extras), extras[:3]


def test_every_dev_document_has_a_record(pred):
    docs = {p.name for p in (CORPUS / "dev").glob("*.txt")}
    recs = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines()]
    assert {r["doc"] for r in recs} == docs
    assert all(r["skipped"] is None for r in recs)


def test_eval_prints_a_header_and_per_label_rows(pred):
    result = CliRunner().invoke(main, ["eval", str(GOLD), str(pred)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["P", "R", "F1", "tp", "fp", "fn"]
    rows = {line[:24].strip(): line[24:].split() for line in lines[1:]}
    assert {"entities", "relations", "metrics", "entity BRANCH", "entity PERSON", "relation RUNS"} <= set(rows)
    assert len(rows["entity BRANCH"]) == 6
    assert 0.0 <= float(rows["entities"][2]) <= 1.0


def test_eval_verbose_lists_misses_and_extras_lines_only(pred):
    result = CliRunner().invoke(main, ["eval", str(GOLD), str(pred), "--verbose"])
    assert result.exit_code == 0
    extra = [line for line in result.output.splitlines() if line.startswith(("MISS", "EXTRA"))]
    scores = evaluate(GOLD, pred)
    assert len(extra) == sum(len(v) for v in scores["misses"].values()) + sum(len(v) for v in scores["extras"].values())


def test_eval_of_a_missing_prediction_file_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(GOLD), str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0
    assert "nope.jsonl" in result.output and "Traceback" not in result.output
