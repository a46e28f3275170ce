"""`kg query --neo4j` and kg.graph.neo4j_query against a real Neo4j 5.26 server (the session's,
see tests/servers.py; each test starts from an empty database), plus the read-only rule on the
embedded store."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kg.graph import neo4j_query, store
from kg.cli import main
from kg.errors import KgError
from kg.graph.model import build_graph
from kg.graph.neo4j_loader import Neo4jError, load_graph_into_neo4j
from kg.graph.neo4j_query import run_query
from kg.graph.settings import Neo4jSettings

import servers
from test_falkordb_loader import records

ENV = {"NEO4J_PASSWORD": servers.NEO4J_PASSWORD, "NEO4J_URI": None, "NEO4J_DATABASE": None,
       "NEO4J_USERNAME": None}
REFUSED = "Error: refusing to run a query with {}: the store is read-only unless --write is given\n"
BRANCHES = "MATCH (b:Branch) RETURN b.name ORDER BY b.name"


@pytest.fixture(autouse=True)
def _no_config_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


def fixture_branch_names():
    graph = build_graph(records())
    return sorted(d["name"] for _, d in graph.nodes(data=True) if d["label"] == "Branch")


@pytest.fixture
def loaded(neo4j):
    """The session's Neo4j holding the fixture pages' graph."""
    load_graph_into_neo4j(build_graph(records()), neo4j.settings)
    return neo4j


def cli(args):
    result = CliRunner().invoke(main, args, env=ENV)
    return result.exit_code, result.output


# --- Neo4j ------------------------------------------------------------------------

def test_cli_query_neo4j_returns_the_branch_names(loaded):
    code, out = cli(["query", "--neo4j", "--uri", loaded.uri, BRANCHES, "--format", "csv"])
    assert code == 0, out
    names = fixture_branch_names()
    assert len(names) == 4
    assert out == "b.name\n" + "".join(f"{n}\n" for n in names)


def test_library_query_params_graph_types_and_quotes(loaded):
    names = fixture_branch_names()
    assert run_query(loaded.settings, BRANCHES) == (["b.name"], [[n] for n in names])
    columns, rows = run_query(loaded.settings, "MATCH (b:Branch {name: $n}) RETURN b", {"n": names[0]})
    assert columns == ["b"] and len(rows) == 1
    node = rows[0][0]
    assert (node["_LABEL"], node["name"], node["key"]) == ("Branch", names[0], f"branch:{names[0]}")
    runner = loaded.query("MATCH (b:Branch)-[:RUNS]->() RETURN b.name LIMIT 1")[0][0]
    columns, rows = run_query(loaded.settings, "MATCH p = (b:Branch {name: $n})-[r:RUNS]->(x) RETURN r, p",
                              {"n": runner})
    rel, path = rows[0]
    assert rel["_LABEL"] == "RUNS" and rel["_SRC"] == path["_NODES"][0]["_ID"]
    assert [n["_LABEL"] for n in path["_NODES"]] == ["Branch", "Program"]
    tricky = "it's \\ \"q\" '}) DETACH DELETE n //"
    assert run_query(loaded.settings, "RETURN $x AS x", {"x": tricky}) == (["x"], [[tricky]])
    assert run_query(loaded.settings, "RETURN $x AS x", {"x": ["a'b", {"k": "c\\d"}]}) == (
        ["x"], [[["a'b", {"k": "c\\d"}]]])


def test_bad_query_is_one_line_server_message(loaded):
    code, out = cli(["query", "--neo4j", "--uri", loaded.uri, "MATCH (b:Branch RETURN b"])
    assert code == 1
    assert re.fullmatch(rf"Error: {re.escape(loaded.uri)}: Neo\.ClientError\.Statement\.SyntaxError: [^\n]+\n", out), out


def test_write_clause_refused_on_neo4j_and_nothing_changes(loaded):
    before = loaded.counts()
    assert before[0] > 0
    code, out = cli(["query", "--neo4j", "--uri", loaded.uri, "MATCH (n) DETACH DELETE n"])
    assert (code, out) == (1, REFUSED.format("DETACH"))
    with pytest.raises(Neo4jError) as info:
        run_query(loaded.settings, "MATCH (p:Program) SET p.name = 'x' RETURN p.name")
    assert str(info.value) == REFUSED.format("SET")[len("Error: "):-1]
    assert loaded.counts() == before
    assert run_query(loaded.settings, BRANCHES)[1] == [[n] for n in fixture_branch_names()]


def test_write_in_a_read_session_is_refused_by_the_server_itself(loaded, monkeypatch):
    """Past kg's own guard, Neo4j refuses the write because kg asks for a READ session."""
    monkeypatch.setattr(neo4j_query, "check_read_only", lambda query, write: None)
    before = loaded.counts()
    with pytest.raises(Neo4jError) as info:
        run_query(loaded.settings, "CREATE (p:Program {key: 'program:x', name: 'x'}) RETURN p.name")
    assert re.fullmatch(rf"{re.escape(loaded.uri)}: Neo\.ClientError\.Statement\.AccessMode: [^\n]+", str(info.value))
    assert loaded.counts() == before
    # the same statement in a WRITE session goes through
    assert run_query(loaded.settings, "CREATE (p:Program {key: 'program:x', name: 'x'}) RETURN p.name",
                     write=True) == (["p.name"], [["x"]])


def test_write_flag_writes_on_neo4j(loaded):
    nodes, rels = loaded.counts()
    programs = loaded.query("MATCH (p:Program) RETURN count(p)")[0][0]
    code, out = cli([
        "query", "--neo4j", "--uri", loaded.uri, "--write", "--format", "json",
        "CREATE (p:Program {key: $key, name: $name}) RETURN p.name AS name",
        "--param", "key=program:新活动", "--param", "name=新活动"])
    assert code == 0, out
    assert json.loads(out) == [{"name": "新活动"}]
    assert loaded.counts() == (nodes + 1, rels)
    assert loaded.query("MATCH (p:Program) RETURN count(p)") == [[programs + 1]]


def test_wrong_password_is_one_line(loaded):
    result = CliRunner().invoke(main, ["query", "--uri", loaded.uri, BRANCHES],
                                env={**ENV, "NEO4J_PASSWORD": "not-the-password"})
    assert (result.exit_code, result.output) == (
        1, f"Error: {loaded.uri}: authentication failed for user 'neo4j' (check NEO4J_USERNAME / NEO4J_PASSWORD)\n")


# --- choosing the target, and the embedded store ---------------------------------

@pytest.fixture
def db(tmp_path):
    path = tmp_path / "kg.db"
    store.build_store(records(), path)
    return path


def test_write_clause_refused_on_embedded_store_and_nothing_changes(db):
    before = store.counts(db)
    result = CliRunner().invoke(main, ["query", "MATCH (n) DETACH DELETE n", "--db", str(db)], env=ENV)
    assert (result.exit_code, result.output) == (1, REFUSED.format("DETACH"))
    assert store.counts(db) == before
    assert before["nodes"]["Branch"] == 4


def test_write_flag_writes_on_embedded_store(db):
    before = store.counts(db)
    result = CliRunner().invoke(main, ["query", "--db", str(db), "--write",
                                       "CREATE (p:Program {key: $key, name: $name}) RETURN p.name AS name",
                                       "--param", "key=program:新活动", "--param", "name=新活动",
                                       "--format", "csv"], env=ENV)
    assert (result.exit_code, result.output) == (0, "name\n新活动\n")
    after = store.counts(db)
    assert after["nodes"]["Program"] == before["nodes"]["Program"] + 1
    assert {k: v for k, v in after["nodes"].items() if k != "Program"} == \
        {k: v for k, v in before["nodes"].items() if k != "Program"}


def test_neo4j_uri_in_env_selects_neo4j_unless_db_is_given(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./kg.toml from the caller's folder
    port = servers.free_port()
    env = {**ENV, "NEO4J_URI": f"bolt://127.0.0.1:{port}"}
    to_neo4j = CliRunner().invoke(main, ["query", BRANCHES], env=env)
    assert to_neo4j.exit_code == 1
    assert re.fullmatch(rf"Error: bolt://127\.0\.0\.1:{port}: cannot reach the Neo4j server \([^\n]*\)\n",
                        to_neo4j.output)
    to_store = CliRunner().invoke(main, ["query", BRANCHES, "--db", str(db), "--format", "csv"], env=env)
    assert (to_store.exit_code, to_store.output) == (
        0, "b.name\n" + "".join(f"{n}\n" for n in fixture_branch_names()))
    both = CliRunner().invoke(main, ["query", BRANCHES, "--neo4j", "--db", str(db)], env=env)
    assert both.exit_code == 2 and "--db names the embedded store" in both.output


def test_unreachable_server_with_library_function():
    settings = Neo4jSettings(uri=f"bolt://127.0.0.1:{servers.free_port()}", password="pw-123",
                             connection_timeout=2)
    with pytest.raises(Neo4jError, match=r"^bolt://127\.0\.0\.1:\d+: cannot reach the Neo4j server \(") as info:
        run_query(settings, BRANCHES)
    assert "\n" not in str(info.value) and "pw-123" not in str(info.value)
