"""The extractor on the real dev page, scored by the corpus's own scorer."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.nlp.evaluate import evaluate

from conftest import unavailable

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
GOLD = CORPUS / "dev.gold.jsonl"
FLOORS = {"entities": 0.85, "relations": 0.70, "metrics": 0.75}



@pytest.fixture(scope="module", autouse=True)
def corpus():
    if not GOLD.exists():
        unavailable(f"{CORPUS} is not beside the repository (CI clones main with shared/ beside it)")


@pytest.fixture(scope="module")
def pred(tmp_path_factory):
    out = tmp_path_factory.mktemp("dev") / "pred.jsonl"
    result = CliRunner().invoke(main, ["extract", str(CORPUS / "dev"), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_dev_scores_above_the_floors(pred, kind):
    result = evaluate(GOLD, pred)
    f1 = result["overall"][kind]["f1"]
    assert f1 >= FLOORS[kind], f"{kind} F1 {f1:.3f} < {FLOORS[kind]}: misses {result['misses'][kind]}"


def test_every_dev_document_has_a_record(pred):
    docs = {p.name for p in (CORPUS / "dev").glob("*.txt")}
    import json
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
