"""`kg query --neo4j` and kg.graph.neo4j_query against FalkorDB answering Bolt in a private network
namespace (see tests/servers.py), plus the read-only rule on the embedded store.

Client code runs in the server's namespace through `falkordb_bolt.call(fn, ...)`. This
server stalls every new connection after one is closed, so each test makes at most one
CLI call (the CLI opens and closes its own driver) and does its own checks through the
worker's long-lived driver, which keeps working.
"""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kg.graph import store
from kg.cli import main
from kg.errors import KgError
from kg.graph.model import build_graph
from kg.graph.neo4j_loader import Neo4jError, load_graph_into_neo4j
from kg.graph.neo4j_query import run_query
from kg.graph.settings import Neo4jSettings

import servers
from test_falkordb_loader import records

URI = servers.BoltServer.uri
SETTINGS = Neo4jSettings(uri=URI, password="", connection_timeout=3, max_retry_time=3)
ENV = {"NEO4J_PASSWORD": "", "NEO4J_URI": None, "NEO4J_DATABASE": None, "NEO4J_USERNAME": None}
REFUSED = "Error: refusing to run a query with {}: the store is read-only unless --write is given\n"
BRANCHES = "MATCH (b:Branch) RETURN b.name ORDER BY b.name"


def fixture_branch_names():
    graph = build_graph(records())
    return sorted(d["name"] for _, d in graph.nodes(data=True) if d["label"] == "Branch")


# --- run inside the server's namespace -----------------------------------------

def _load_fixture():
    load_graph_into_neo4j(build_graph(records()), SETTINGS, batch_size=2, driver=servers.worker_driver())


def _counts():
    with servers.worker_driver().session() as s:
        nodes = s.run("MATCH (n) RETURN count(n)").single()[0]
        rels = s.run("MATCH ()-[r]->() RETURN count(r)").single()[0]
        programs = s.run("MATCH (p:Program) RETURN count(p)").single()[0]
    return nodes, rels, programs


def _cli(args):
    result = CliRunner().invoke(main, args, env=ENV)
    return result.exit_code, result.output


def _lib(query, params=None, write=False):
    try:
        return run_query(SETTINGS, query, params, write=write, driver=servers.worker_driver())
    except KgError as exc:
        return {"error": str(exc), "type": type(exc).__name__}


# --- Neo4j (FalkorDB over Bolt) ---------------------------------------------------

pytestmark = pytest.mark.server


def test_cli_query_neo4j_returns_the_branch_names(falkordb_bolt):
    falkordb_bolt.call(_load_fixture)
    code, out = falkordb_bolt.call(_cli, ["query", "--neo4j", "--uri", URI, BRANCHES, "--format", "csv"])
    assert code == 0, out
    names = fixture_branch_names()
    assert len(names) == 4
    assert out == "b.name\n" + "".join(f"{n}\n" for n in names)


def test_library_query_params_graph_types_and_quotes(falkordb_bolt):
    falkordb_bolt.call(_load_fixture)
    names = fixture_branch_names()
    assert falkordb_bolt.call(_lib, BRANCHES) == (["b.name"], [[n] for n in names])
    columns, rows = falkordb_bolt.call(_lib, "MATCH (b:Branch {name: $n}) RETURN b", {"n": names[0]})
    assert columns == ["b"] and len(rows) == 1
    node = rows[0][0]
    assert (node["_LABEL"], node["name"], node["key"]) == ("Branch", names[0], f"branch:{names[0]}")
    # FalkorDB's Bolt bridge unescapes string parameters: the loader's probe makes these verbatim
    tricky = "it's \\ \"q\" '}) DETACH DELETE n //"
    assert falkordb_bolt.call(_lib, "RETURN $x AS x", {"x": tricky}) == (["x"], [[tricky]])
    assert falkordb_bolt.call(_lib, "RETURN $x AS x", {"x": ["a'b", {"k": "c\\d"}]}) == (["x"], [[["a'b", {"k": "c\\d"}]]])


def test_bad_query_is_one_line_server_message(falkordb_bolt):
    falkordb_bolt.call(_load_fixture)
    code, out = falkordb_bolt.call(_cli, ["query", "--neo4j", "--uri", URI, "MATCH (b:Branch RETURN b"])
    assert code == 1
    assert re.fullmatch(r"Error: bolt://127\.0\.0\.1:7687: Neo\.\w+Error\.[\w.]+: [^\n]+\n", out), out
    assert "Traceback" not in out


def test_write_clause_refused_on_neo4j_and_nothing_changes(falkordb_bolt):
    falkordb_bolt.call(_load_fixture)
    before = falkordb_bolt.call(_counts)
    assert before[0] > 0
    code, out = falkordb_bolt.call(_cli, ["query", "--neo4j", "--uri", URI, "MATCH (n) DETACH DELETE n"])
    assert (code, out) == (1, REFUSED.format("DETACH"))
    result = falkordb_bolt.call(_lib, "MATCH (p:Program) SET p.name = 'x' RETURN p.name")
    assert result == {"error": REFUSED.format("SET")[len("Error: "):-1], "type": "Neo4jError"}
    assert falkordb_bolt.call(_counts) == before
    assert falkordb_bolt.call(_lib, BRANCHES)[1] == [[n] for n in fixture_branch_names()]


def test_write_flag_writes_on_neo4j(falkordb_bolt):
    falkordb_bolt.call(_load_fixture)
    nodes, rels, programs = falkordb_bolt.call(_counts)
    code, out = falkordb_bolt.call(_cli, [
        "query", "--neo4j", "--uri", URI, "--write", "--format", "json",
        "CREATE (p:Program {key: $key, name: $name}) RETURN p.name AS name",
        "--param", "key=program:新活动", "--param", "name=新活动"])
    assert code == 0, out
    assert json.loads(out) == [{"name": "新活动"}]
    assert falkordb_bolt.call(_counts) == (nodes + 1, rels, programs + 1)


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
