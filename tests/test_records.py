"""Records are checked on read (issue 17 item 11): a hand-edited record file is one line naming the
file, line and field; control characters never reach a name."""
from __future__ import annotations

import copy
import json

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph import store
from kg.graph.export import export_graph
from kg.graph.model import build_graph
from kg.nlp.extract import extract_text
from kg.nlp.records import RecordError, read_records

from conftest import FIXTURES

BASE = read_records(FIXTURES / "records.jsonl")


def edited(change):
    recs = copy.deepcopy(BASE)
    change(recs[0])
    return recs


def set_path(path, value):
    def change(rec):
        target = rec
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


EDITS = [
    (set_path(["entities", 0, "name"], 5), "entities[0].name must be string"),
    (set_path(["entities", 0, "label"], "BANK"), "entities[0].label must be one of"),
    (set_path(["entities", 0, "aliases"], "达州"), "entities[0].aliases must be array"),
    (set_path(["entities", 0, "name"], "x\x1by"), "entities[0].name must not contain control characters"),
    (set_path(["entities", 0, "name"], "x\x00y"), "entities[0].name must not contain control characters"),
    (set_path(["metrics", 0, "value"], "5亿"), "metrics[0].value must be number or null"),
    (set_path(["relations", 0, "head"], 3), "relations[0].head must be object"),
    (set_path(["relations", 0, "type"], "OWNS"), "relations[0].type must be one of"),
    (set_path(["articles", 0, "index"], "0"), "articles[0].index must be integer"),
    (set_path(["entities"], {"0": {}}), "entities must be array"),
]


@pytest.mark.parametrize("change, problem", EDITS)
def test_a_hand_edited_record_is_one_line_naming_file_line_and_field(tmp_path, change, problem):
    db = tmp_path / "kg.db"
    store.build_store(BASE, db)
    before = store.counts(db)
    bad = tmp_path / "edited.jsonl"
    bad.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in edited(change)), encoding="utf-8")
    doc = BASE[0]["doc"]
    with pytest.raises(RecordError, match=rf"^{bad}:1: doc {doc}: " + problem.replace("[", r"\[").replace("]", r"\]")):
        read_records(bad)
    for command in (["build", str(bad), "--db", str(db), "--quiet"], ["load", str(bad), "--quiet"]):
        result = CliRunner().invoke(main, command, env={"NEO4J_URI": None, "NEO4J_PASSWORD": ""})
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {bad}:1: doc {doc}: {problem}"), result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert store.counts(db) == before


def test_control_characters_never_reach_names(tmp_path):
    text = ("近日，湖南省株洲市邮政分公司开展“周\x00末\x1b惠民”活动。2022年，株洲市分公司“惠\x07民”活动\x1b新增余额3亿元。")
    rec = extract_text(text, "page.txt")
    names = [n for e in rec["entities"] for n in [e["name"], e["qualified"], *e["aliases"]]]
    names += [m["name"] for m in rec["metrics"]]
    assert "周末惠民" in names
    assert not [n for n in names if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in n)], names
    out = tmp_path / "g.graphml"
    export_graph(build_graph([rec]), "graphml", out)
    graph = nx.read_graphml(out)  # parses: no control character in the XML
    assert "周末惠民" in {d.get("name") for _, d in graph.nodes(data=True)}
