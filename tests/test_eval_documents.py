"""`kg eval` matches documents by name, and says so when they do not match."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main


def gold_doc(doc):
    return {"doc": doc, "entities": [{"label": "BRANCH", "names": ["青岚市分公司"]}], "relations": [], "metrics": []}


def pred_doc(doc):
    return {"doc": doc, "entities": [{"label": "BRANCH", "name": "青岚市分公司"}], "relations": [], "metrics": []}


def write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    gold = write(tmp_path / "gold.jsonl", [gold_doc("a.txt"), gold_doc("b.txt")])
    return tmp_path, gold


def evaluate(gold, pred, *args):
    return CliRunner().invoke(main, ["eval", str(gold), str(pred), *args])  # the scorer kg ships


def test_predictions_for_other_pages_warn_and_exit_1(files):
    tmp, gold = files
    pred = write(tmp / "pred.jsonl", [pred_doc("x.txt")])
    result = evaluate(gold, pred)
    assert result.exit_code == 1
    assert "warning:" in result.stderr and "none of its 1 document(s)" in result.stderr
    assert "a.txt" in result.stderr and "x.txt" in result.stderr
    as_json = evaluate(gold, pred, "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["documents"]["matched"] == 0


def test_missing_predictions_are_named(files):
    tmp, gold = files
    pred = write(tmp / "pred.jsonl", [pred_doc("a.txt")])
    result = evaluate(gold, pred)
    assert result.exit_code == 0
    assert "1 of 2 gold document(s) have no prediction" in result.stderr and "b.txt" in result.stderr


def test_all_matched_no_warning(files):
    tmp, gold = files
    pred = write(tmp / "pred.jsonl", [pred_doc("a.txt"), pred_doc("b.txt")])
    result = evaluate(gold, pred, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    scores = json.loads(result.stdout)
    assert scores["overall"]["entities"]["f1"] == 1.0
    assert scores["documents"] == {"gold": 2, "predicted": 2, "matched": 2, "without_prediction": [],
                                   "not_in_gold": []}
