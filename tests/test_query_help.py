"""`kg query` says what is wrong with a query instead of answering nothing.

A `$name` without its `--param` is refused with the parameter's name (LadybugDB
would read it as null and return 0 rows); a property named like a keyword
(`r.end`, `a.index`) gets the backticks hint with the parser's error.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph import cypher, store
from kg.nlp.records import read_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "kg.db"
    store.build_store(read_records(FIXTURE), path)
    return path


def query(db, *args):
    return CliRunner().invoke(main, ["query", "--db", str(db), *args])


def test_parameter_names():
    text = "MATCH (m:Metric) WHERE m.unit = $unit AND m.name <> '$text' // $comment\nRETURN m, $unit, $`x`"
    assert cypher.parameter_names(text) == ["unit", "x"]
    assert cypher.missing_parameters("RETURN $a, $b", {"a": 1}) == ["b"]


def test_missing_parameter_is_refused_by_name(db):
    text = "MATCH (e)-[:REPORTED]->(m:Metric) WHERE m.unit = $unit AND m.name = $name RETURN e.name"
    result = query(db, text, "--param", "name=新增余额")
    assert result.exit_code == 2
    assert "$unit" in result.output and "--param unit=" in result.output and "$name" not in result.output
    result = query(db, text, "--param", "name=新增余额", "--param", "unit=元")
    assert result.exit_code == 0 and "四川省达州市邮政分公司" in result.output


def test_missing_parameter_is_refused_before_any_server_is_asked():
    result = CliRunner().invoke(main, ["query", "--neo4j", "--uri", "bolt://127.0.0.1:9", "RETURN $x"],
                                env={"NEO4J_PASSWORD": "secret"})
    assert result.exit_code == 2 and "$x" in result.output and "127.0.0.1" not in result.output


@pytest.mark.parametrize("text, fix", [
    ("MATCH (p)-[r:RUNS]->(q) RETURN r.end", "r.`end`"),
    ("MATCH (a:Article) WHERE a.index = 0 RETURN a.title", "a.`index`"),
    ("MATCH (a:Article) RETURN a.title ORDER BY a.index", "a.`index`"),
])
def test_keyword_property_gets_the_backticks_hint(db, text, fix):
    with pytest.raises(store.StoreError) as caught:
        store.run_query(db, text)
    assert "Parser exception" in str(caught.value) and fix in str(caught.value)
    result = query(db, text)
    assert result.exit_code == 1 and fix in result.output and result.output.count("\n") == 1
    columns, _ = store.run_query(db, text.replace(fix.replace("`", ""), fix))  # as the hint says: it runs
    assert columns


def test_other_errors_get_no_hint(db):
    with pytest.raises(store.StoreError) as caught:
        store.run_query(db, "MATCH (n:Nothing) RETURN n")
    assert "hint" not in str(caught.value)
    assert cypher.keyword_hint("RETURN 1 +", "Parser exception: Invalid input <RETURN 1 +>") is None
