"""`kg lookup` and kg.explore.lookup: fuzzy, alias and pinyin hits, cards, no-hit exit code, JSON shape."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.graph.model import build_graph
from kg.explore.lookup import NotFound, card, clear_match, lookup, render_card, search
from kg.nlp.records import read_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from kg.graph.store import build_store

    path = tmp_path_factory.mktemp("lookup") / "kg.db"
    build_store(read_records(FIXTURE), path)
    return path


def run(*args):
    from kg.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def test_fuzzy_hit_finds_the_branch(graph):
    hits = search(graph, "达州")
    assert hits and hits[0].name == "四川省达州市邮政分公司"
    assert clear_match(hits).key == hits[0].key


def test_typo_still_finds_the_person(graph):
    hits = search(graph, "罗启玲")
    assert hits[0].name == "罗启铃" and not hits[0].exact


def test_alias_hit_is_exact(graph):
    hits = search(graph, "省医保局")
    assert hits[0].name == "山东省医保局"
    assert hits[0].exact and hits[0].matched == "省医保局"
    assert clear_match(hits).name == "山东省医保局"


def test_pinyin_finds_chinese_names(graph):
    assert search(graph, "dazhou")[0].name == "四川省达州市邮政分公司"
    assert search(graph, "LuoQiling")[0].name == "罗启铃"
    # whole syllables only: "dazhou" must not hit 周三会员日 through "zhou"
    assert "周三会员日" not in {h.name for h in search(graph, "dazhou")}


def test_ambiguous_query_gives_no_single_match(graph):
    result = lookup(graph, "shandong")
    assert result["match"] is None
    assert {h["name"] for h in result["hits"]} >= {"山东邮银", "山东省医保局"}


def test_no_hit_raises(graph):
    with pytest.raises(NotFound):
        lookup(graph, "完全无关的词语xyz")


def test_card_has_relations_metrics_and_sources(graph):
    key = search(graph, "四川省达州市邮政分公司")[0].key
    c = card(graph, key)
    assert c["label"] == "Branch" and "达州市分公司" in c["aliases"]
    runs = {(r["type"], r["other"]["name"]) for r in c["relations"]}
    assert ("RUNS", "周三会员日") in runs and ("RUNS", "品味家乡味") in runs
    (metric,) = [m for m in c["metrics"] if m["name"] == "新增余额"]
    assert metric["shown"] == "57.76亿元" and metric["as_of"] == "2022"
    assert metric["source"]["doc"] == "a.txt" and "57.76亿元" in metric["source"]["sentence"]
    text = render_card(c)
    assert "新增余额: 57.76亿元 (2022)" in text and "read in a.txt" in text


def test_card_shows_incoming_relation_with_title(graph):
    c = card(graph, search(graph, "绥定大道南邮政营业所")[0].key)
    (rel,) = c["relations"]
    assert (rel["direction"], rel["type"], rel["other"]["name"], rel["title"]) == ("in", "WORKS_AT", "罗启铃", "理财经理")


def test_cli_card(db):
    result = run("lookup", "周三会员日", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Program: 周三会员日" in result.output
    assert "47.01万人次 (2022)" in result.output
    assert "<-[RUNS]- Branch 四川省达州市邮政分公司" in result.output


def test_cli_list_for_several_matches(db):
    result = run("lookup", "zhou", "--db", db)
    assert result.exit_code == 0, result.output
    assert "close matches" in result.output and "more specific" in result.output


def test_cli_no_hit_is_one_line_and_exit_1(db):
    result = run("lookup", "完全无关的词语xyz", "--db", db)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "nothing in the graph resembles" in result.output


def test_cli_json_shape(db):
    result = run("lookup", "水城区支行", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"query", "match", "did_you_mean", "hits"}
    assert data["match"]["name"] == "邮储银行贵州省六盘水市水城区支行"
    assert {"key", "label", "name", "aliases", "relations", "metrics", "mentions"} <= set(data["match"])
    assert {"key", "label", "name", "score", "matched", "exact", "how"} == set(data["hits"][0])
    miss = run("lookup", "完全无关的词语xyz", "--db", db, "--json")
    assert miss.exit_code == 1 and json.loads(miss.output) == {"query": "完全无关的词语xyz", "match": None,
                                                           "did_you_mean": None, "hits": []}


def test_cli_missing_db_is_one_line(tmp_path):
    result = run("lookup", "达州", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "none.db" in result.output and "Traceback" not in result.output


def test_cli_bad_limit_is_usage_error(db):
    assert run("lookup", "达州", "--db", db, "--limit", "0").exit_code == 2
