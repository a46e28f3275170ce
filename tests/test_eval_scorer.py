"""`kg eval` runs the scorer shipped inside kg, never a score.py found beside the gold file
(issue 17 item 13); --scorer runs another one only when the user names it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.nlp.evaluate import packaged_scorer

from conftest import unavailable

CORPUS_SCORER = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "score.py"
TRAP = """from pathlib import Path
Path(__file__).with_name("RAN").write_text("the score.py beside the gold file ran")
raise SystemExit("trap")
"""


def gold_and_pred(tmp_path):
    gold = {"doc": "p.txt", "entities": [{"label": "BRANCH", "names": ["湖南省株洲市邮政分公司"]}],
            "relations": [], "metrics": []}
    pred = {"doc": "p.txt", "entities": [{"label": "BRANCH", "name": "湖南省株洲市邮政分公司"}],
            "relations": [], "metrics": []}
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "pred.jsonl").write_text(json.dumps(pred, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "score.py").write_text(TRAP, encoding="utf-8")
    return tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"


def test_the_score_py_beside_gold_is_not_run(tmp_path):
    gold, pred = gold_and_pred(tmp_path)
    result = CliRunner().invoke(main, ["eval", str(gold), str(pred), "--json"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "RAN").exists()
    assert json.loads(result.output)["overall"]["entities"]["f1"] == 1.0


def test_scorer_option_runs_the_named_one(tmp_path):
    gold, pred = gold_and_pred(tmp_path)
    result = CliRunner().invoke(main, ["eval", str(gold), str(pred), "--scorer", str(tmp_path / "score.py")])
    assert (tmp_path / "RAN").exists()
    assert result.exit_code != 0


def test_the_packaged_scorer_is_the_corpus_one_verbatim():
    if not CORPUS_SCORER.exists():
        unavailable(f"{CORPUS_SCORER} is missing (CI clones main with shared/ beside it)")
    digest = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    assert digest(packaged_scorer()) == digest(CORPUS_SCORER)
