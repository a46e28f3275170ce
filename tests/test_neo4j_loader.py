"""kg.graph.neo4j_loader and `kg load` over Bolt, against FalkorDB answering Bolt in a private
network namespace (tests/servers.py explains the set-up). Client work runs in the
namespace through `falkordb_bolt.call(fn, ...)`, so the helpers below are module-level."""
from __future__ import annotations

import copy
import re
import signal
import time

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KgError
from kg.graph.model import build_graph
from kg.graph.neo4j_loader import Neo4jError, load_graph_into_neo4j, translate_error
from kg.graph.settings import Neo4jSettings, load_settings, redacted_uri

import servers
from conftest import FIXTURES
from test_falkordb_loader import HOSTILE, hostile_graph, records

BOLT_BATCH = 2  # FalkorDB's Bolt bridge crashes on parameters over ~4 KB
SETTINGS = Neo4jSettings(uri=servers.BoltServer.uri, password="", connection_timeout=3, max_retry_time=3)


# --- run inside the server's namespace -----------------------------------------

def _load(graph, batch_size=BOLT_BATCH):
    try:
        return load_graph_into_neo4j(graph, SETTINGS, batch_size=batch_size, driver=servers.worker_driver())
    except KgError as exc:
        return {"error": str(exc)}


def _query(cypher, params=None):
    with servers.worker_driver().session() as s:
        return [r.values() for r in s.run(cypher, params or {})]


def _counts():
    return (_query("MATCH (n) RETURN count(n)")[0][0], _query("MATCH ()-[r]->() RETURN count(r)")[0][0])


def _cli(args, env):
    result = CliRunner().invoke(main, args, env=env)
    return result.exit_code, result.output


# --- tests ------------------------------------------------------------------------

pytestmark = pytest.mark.server


def test_settings_precedence_and_redaction(tmp_path):
    cfg = tmp_path / "neo4j.toml"
    cfg.write_text('uri = "bolt://cfg:7687"\nusername = "cfguser"\npassword = "cfgpw"\ndatabase = "cfgdb"\n')
    s = load_settings(env={}, config_files=[cfg])
    assert (s.uri, s.username, s.password, s.database) == ("bolt://cfg:7687", "cfguser", "cfgpw", "cfgdb")
    s = load_settings(env={"NEO4J_URI": "bolt://env:7687", "NEO4J_PASSWORD": "envpw"}, config_files=[cfg])
    assert (s.uri, s.password) == ("bolt://env:7687", "envpw")
    s = load_settings(uri="bolt://opt:1", username="o", env={"NEO4J_URI": "bolt://env:7687"}, config_files=[cfg])
    assert (s.uri, s.username) == ("bolt://opt:1", "o")
    assert "cfgpw" not in repr(s)
    assert redacted_uri("neo4j://alice:s3cret@db:7687/x") == "neo4j://alice@db:7687/x"
    assert redacted_uri("bolt://db:7687") == "bolt://db:7687"


def test_load_over_bolt_counts_and_reload_unchanged(falkordb_bolt, tmp_path):
    from kg.graph.store import build_store, counts, load_graph

    db = tmp_path / "kg.db"
    build_store(records(), db)
    graph = load_graph(db)
    first = falkordb_bolt.call(_load, graph)
    assert "error" not in first, first
    expected = (graph.number_of_nodes(), graph.number_of_edges())
    assert (first["nodes"], first["relationships"]) == expected
    assert falkordb_bolt.call(_counts) == expected
    stored = counts(db)
    assert (sum(stored["nodes"].values()), sum(stored["edges"].values())) == expected
    second = falkordb_bolt.call(_load, graph)
    assert falkordb_bolt.call(_counts) == expected
    assert second["replaced_documents"] == 0 and second["removed_entities"] == 0


def test_changed_page_is_replaced_over_bolt(falkordb_bolt):
    recs = records()
    falkordb_bolt.call(_load, build_graph(recs))
    changed = copy.deepcopy(recs)
    changed[0]["sha1"] = "4" * 40
    changed[0]["metrics"] = changed[0]["metrics"][:1]
    changed[0]["relations"] = []
    graph = build_graph(changed)
    result = falkordb_bolt.call(_load, graph)
    assert result["replaced_documents"] == 1
    assert falkordb_bolt.call(_counts) == (graph.number_of_nodes(), graph.number_of_edges())
    doc = changed[0]["doc"]
    assert falkordb_bolt.call(_query, "MATCH (m:Metric {doc: $d}) RETURN count(m)", {"d": doc}) == [[1]]
    assert falkordb_bolt.call(_query, "MATCH (d:Document {name: $d}) RETURN d.sha1", {"d": doc}) == [["4" * 40]]


def test_hostile_names_load_verbatim_over_bolt(falkordb_bolt):
    graph = hostile_graph()
    result = falkordb_bolt.call(_load, graph, 1)
    assert "error" not in result, result
    names = falkordb_bolt.call(_query, "MATCH (p:Partner) RETURN p.name, p.aliases")
    assert sorted(n for n, _ in names) == sorted(HOSTILE)
    assert all(aliases == [n, "x"] for n, aliases in names)
    assert falkordb_bolt.call(_counts) == (graph.number_of_nodes(), graph.number_of_edges())


def test_kg_load_cli_over_bolt(falkordb_bolt):
    code, out = falkordb_bolt.call(_cli, ["load", str(FIXTURES / "records.jsonl"), "--uri", SETTINGS.uri,
                                          "--batch-size", "2", "--quiet"], {"NEO4J_PASSWORD": ""})
    graph = build_graph(records())
    assert code == 0, out
    assert f"{graph.number_of_nodes()} nodes and {graph.number_of_edges()} relationships" in out
    assert re.search(r"\(\d+ rows/s\)", out)


@pytest.mark.slow
def test_server_dropping_mid_load_is_one_line_error(falkordb_bolt):
    job = falkordb_bolt.client.submit(_load, hostile_graph(300), 1)
    time.sleep(1.0)
    assert not job.done()
    falkordb_bolt.proc.send_signal(signal.SIGKILL)
    result = job.result(60)
    assert re.fullmatch(r"bolt://127\.0\.0\.1:7687: the server dropped the connection during the load; "
                        r"completed batches are kept, run `kg load` again to finish \([^\n]*\)", result["error"])


def test_unreachable_server_is_one_line_error():
    port = servers.free_port()
    result = CliRunner().invoke(main, ["load", str(FIXTURES / "records.jsonl"), "--uri",
                                       f"bolt://127.0.0.1:{port}", "--quiet"],
                                env={"NEO4J_PASSWORD": "hunter2"})
    assert result.exit_code == 1
    assert re.fullmatch(rf"Error: bolt://127\.0\.0\.1:{port}: cannot reach the Neo4j server \([^\n]*\)\n",
                        result.output)
    assert "hunter2" not in result.output


def test_wrong_password_message_shape():
    import neo4j.exceptions

    settings = Neo4jSettings(uri="neo4j://alice:s3cret@db.example:7687", username="alice", password="s3cret")
    err = translate_error(neo4j.exceptions.AuthError("The client is unauthorized (s3cret)"), settings, during="connecting")
    assert isinstance(err, Neo4jError)
    assert str(err) == ("neo4j://alice@db.example:7687: authentication failed for user 'alice' "
                        "(check NEO4J_USERNAME / NEO4J_PASSWORD)")
