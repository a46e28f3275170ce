"""`kg lookup` says when it corrected the text, and shows each figure in its evidence sentence."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.explore.lookup import EVIDENCE_WIDTH, excerpt, lookup, render_card, search
from kg.graph.model import build_graph
from kg.nlp.records import read_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"
LONG = ("近年来，江南省青岚市邮政分公司坚持以客户为本，分层分类深耕客群，突出场景打造，开展各类特色活动，"
        "推动代理金融从做储蓄向做客户做生态转型，2023年，青岚市分公司新增余额57.76亿元，创历史新高。")


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


def run(*args):
    from kg.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from kg.graph.store import build_store

    records = read_records(FIXTURE)
    dazhou = records[0]["metrics"][0]
    dazhou["sentence"] = LONG.replace("57.76亿元", dazhou["text"])
    path = tmp_path_factory.mktemp("card") / "kg.db"
    build_store(records, path)
    return path


def test_a_corrected_typo_says_did_you_mean(graph, db):
    result = lookup(graph, "罗启玲")
    assert result["match"]["name"] == "罗启铃" and result["did_you_mean"] == "罗启铃"
    out = run("lookup", "罗启玲", "--db", db)
    assert out.exit_code == 0
    assert out.output.splitlines()[0] == "Nothing is called '罗启玲'; did you mean 罗启铃?"
    as_json = json.loads(run("lookup", "罗启玲", "--db", db, "--json").output)
    assert as_json["did_you_mean"] == "罗启铃"


@pytest.mark.parametrize("text", ["罗启铃", "达州", "dazhou", "省医保局"])
def test_no_did_you_mean_when_the_text_is_in_the_name(graph, text):
    """Exact names, parts of names and pinyin are what was typed, not typos."""
    result = lookup(graph, text)
    assert result["match"] is not None and result["did_you_mean"] is None
    assert not render_card(result["match"], result["did_you_mean"], text).startswith("Nothing is called")


def test_hits_say_how_they_matched(graph):
    assert search(graph, "罗启铃")[0].how == "exact"
    assert search(graph, "达州")[0].how == "part"
    assert search(graph, "dazhou")[0].how == "pinyin"
    assert search(graph, "罗启玲")[0].how == "fuzzy"


def test_evidence_keeps_the_figure(db):
    out = run("lookup", "达州市分公司", "--db", db)
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("新增余额:"))
    evidence = lines[at + 1]
    assert "57.76亿元" in evidence
    assert evidence.split(": ", 1)[1].startswith("…")  # cut before, so the figure shows


def test_excerpt():
    assert excerpt("短句。", ["短"]) == "短句。"
    cut = excerpt(LONG, ["57.76亿元"])
    assert "57.76亿元" in cut and len(cut) == EVIDENCE_WIDTH and cut.startswith("…")
    assert excerpt(LONG, ["不在句中"]) == LONG[:EVIDENCE_WIDTH - 1] + "…"
    assert excerpt(LONG, ["近年来"]).startswith("近年来") and excerpt(LONG, ["近年来"]).endswith("…")
