"""kg.graph.neo4j_loader and `kg load` against a real Neo4j 5.26 server (the session's, see
tests/servers.py; each test starts from an empty database)."""
from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.model import EDGE_TYPES, NODE_LABELS, build_graph
from kg.graph.neo4j_loader import DEFAULT_BATCH, Neo4jError, load_graph_into_neo4j, translate_error
from kg.graph.settings import Neo4jSettings, load_settings, redacted_uri

import servers
from conftest import FIXTURES
from test_falkordb_loader import HOSTILE, hostile_graph, records

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_config_files(tmp_path, monkeypatch):
    """No ./kg.toml or ~/.config/kg from the caller's machine."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


def env_for(target, password=servers.NEO4J_PASSWORD) -> dict:
    return {"NEO4J_URI": target.uri, "NEO4J_USERNAME": servers.NEO4J_USER, "NEO4J_PASSWORD": password,
            "NEO4J_DATABASE": None}


def many_records(n: int) -> list[dict]:
    """n pages made from the fixture's: the same facts under other document names and hashes."""
    out = []
    for i in range(n):
        for rec in records():
            rec = copy.deepcopy(rec)
            rec["doc"] = rec["path"] = f"p{i:04d}-{rec['doc']}"
            rec["sha1"] = f"{i:040x}"
            out.append(rec)
    return out


def write_records(recs, path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def snapshot(target) -> list:
    """Every node and relationship with all its properties, sorted: equal snapshots, equal graphs."""
    nodes = target.query("MATCH (n) RETURN labels(n), properties(n)")
    rels = target.query("MATCH (a)-[r]->(b) RETURN a.key, type(r), b.key, properties(r)")
    key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)  # noqa: E731
    return sorted(map(key, nodes)) + sorted(map(key, rels))


# --- settings (no server) ---------------------------------------------------------

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


def test_wrong_password_message_shape():
    import neo4j.exceptions

    settings = Neo4jSettings(uri="neo4j://alice:s3cret@db.example:7687", username="alice", password="s3cret")
    err = translate_error(neo4j.exceptions.AuthError("The client is unauthorized (s3cret)"), settings, during="connecting")
    assert isinstance(err, Neo4jError)
    assert str(err) == ("neo4j://alice@db.example:7687: authentication failed for user 'alice' "
                        "(check NEO4J_USERNAME / NEO4J_PASSWORD)")


@pytest.mark.parametrize("uri", ["http://localhost:7474", "https://db.example.com:7473/browser/"])
@pytest.mark.parametrize("command", ["load", "query"])
def test_http_address_is_one_line_naming_bolt(uri, command):
    args = ["load", str(FIXTURES / "records.jsonl"), "--quiet"] if command == "load" else ["query", "RETURN 1"]
    result = CliRunner().invoke(main, [*args, "--uri", uri], env={"NEO4J_PASSWORD": "pw-123"})
    assert result.exit_code == 1
    assert result.output == (f"Error: {uri}: an HTTP address (the Neo4j Browser's?); kg talks to Neo4j over "
                             "Bolt: use bolt://HOST:7687 or neo4j://HOST:7687\n")


def test_unreachable_server_is_one_line_error():
    port = servers.free_port()
    result = CliRunner().invoke(main, ["load", str(FIXTURES / "records.jsonl"), "--uri",
                                       f"bolt://127.0.0.1:{port}", "--quiet"],
                                env={"NEO4J_PASSWORD": "hunter2"})
    assert result.exit_code == 1
    assert re.fullmatch(rf"Error: bolt://127\.0\.0\.1:{port}: cannot reach the Neo4j server \([^\n]*\)\n",
                        result.output)
    assert "hunter2" not in result.output


# --- against Neo4j ----------------------------------------------------------------

def test_constraints_created_and_present(neo4j):
    neo4j.wipe(schema=True)
    assert neo4j.query("SHOW CONSTRAINTS") == []
    load_graph_into_neo4j(build_graph(records()), neo4j.settings)
    shown = neo4j.query("SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties "
                        "RETURN name, type, entityType, labelsOrTypes, properties ORDER BY name")
    nodes = {(row[3][0], row[1]) for row in shown if row[2] == "NODE"}
    assert nodes == {(label, "UNIQUENESS") for label in NODE_LABELS}
    rels = {(row[3][0], row[1]) for row in shown if row[2] == "RELATIONSHIP"}
    assert rels == {(etype, "RELATIONSHIP_UNIQUENESS") for etype in EDGE_TYPES}
    assert all(row[4] == ["key"] for row in shown)
    # and the server enforces them
    import neo4j as driver_module

    with pytest.raises(driver_module.exceptions.ConstraintError):
        neo4j.query("CREATE (:Branch {key: $k})", k=neo4j.query("MATCH (b:Branch) RETURN b.key LIMIT 1")[0][0])
    # a second load finds them there and adds none
    load_graph_into_neo4j(build_graph(records()), neo4j.settings)
    assert len(neo4j.query("SHOW CONSTRAINTS")) == len(shown)


def test_counts_equal_the_embedded_store_and_loading_twice_changes_nothing(neo4j, tmp_path):
    from kg.graph.store import build_store, counts, load_graph

    db = tmp_path / "kg.db"
    build_store(records(), db)
    stored = counts(db)
    first = load_graph_into_neo4j(load_graph(db), neo4j.settings)
    for label in NODE_LABELS:
        assert neo4j.query(f"MATCH (n:{label}) RETURN count(n)") == [[stored["nodes"][label]]], label
    for etype in EDGE_TYPES:
        assert neo4j.query(f"MATCH ()-[r:{etype}]->() RETURN count(r)") == [[stored["edges"][etype]]], etype
    total = (sum(stored["nodes"].values()), sum(stored["edges"].values()))
    assert (first["nodes"], first["relationships"]) == total
    assert (first["server_nodes"], first["server_relationships"]) == total == neo4j.counts()
    before = snapshot(neo4j)
    second = load_graph_into_neo4j(load_graph(db), neo4j.settings)
    assert snapshot(neo4j) == before
    assert (second["replaced_documents"], second["removed_entities"]) == (0, 0)


def test_changed_page_is_replaced_with_no_stale_facts(neo4j):
    recs = records()
    load_graph_into_neo4j(build_graph(recs), neo4j.settings)
    doc = recs[0]["doc"]
    old_metrics = neo4j.query("MATCH (m:Metric {doc: $d}) RETURN count(m)", d=doc)[0][0]
    old_facts = neo4j.query("MATCH ()-[r]->() WHERE r.doc = $d AND NOT type(r) IN ['MENTIONED_IN', 'HAS_ARTICLE'] "
                            "RETURN count(r)", d=doc)[0][0]
    assert old_metrics > 1 and old_facts > 0
    changed = copy.deepcopy(recs)
    changed[0]["sha1"] = "4" * 40
    changed[0]["metrics"] = changed[0]["metrics"][:1]
    changed[0]["relations"] = []
    graph = build_graph(changed)
    result = load_graph_into_neo4j(graph, neo4j.settings)
    assert result["replaced_documents"] == 1
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())
    assert neo4j.query("MATCH (m:Metric {doc: $d}) RETURN count(m)", d=doc) == [[1]]
    assert neo4j.query("MATCH ()-[r]->() WHERE r.doc = $d AND NOT type(r) IN ['MENTIONED_IN', 'HAS_ARTICLE', "
                       "'REPORTED'] RETURN count(r)", d=doc) == [[0]]
    assert neo4j.query("MATCH (d:Document {name: $d}) RETURN d.sha1", d=doc) == [["4" * 40]]
    # what the server holds is exactly the new graph: same keys
    keys = sorted(k for k, in neo4j.query("MATCH (n) RETURN n.key"))
    assert keys == sorted(graph.nodes)
    rel_keys = sorted(k for k, in neo4j.query("MATCH ()-[r]->() RETURN r.key"))
    assert rel_keys == sorted(k for _, _, k in graph.edges(keys=True))


def test_dropped_entities_are_removed(neo4j):
    recs = records()
    load_graph_into_neo4j(build_graph(recs), neo4j.settings)
    changed = copy.deepcopy(recs)
    changed[0]["sha1"] = "3" * 40
    for key in ("entities", "relations", "metrics"):
        changed[0][key] = []
    graph = build_graph(changed)
    result = load_graph_into_neo4j(graph, neo4j.settings)
    assert result["removed_entities"] > 0
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())


def test_hostile_names_load_verbatim(neo4j):
    graph = hostile_graph()
    load_graph_into_neo4j(graph, neo4j.settings)
    rows = neo4j.query("MATCH (p:Partner) RETURN p.name, p.aliases, p.key")
    assert sorted(name for name, _, _ in rows) == sorted(HOSTILE)
    assert all(aliases == [name, "x"] and key.startswith(name + "#") for name, aliases, key in rows)
    texts = neo4j.query("MATCH (:Partner)-[m:MENTIONED_IN]->() RETURN m.text, m.sentence")
    assert sorted(t for t, _ in texts) == sorted(HOSTILE) and all(t == s for t, s in texts)
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())


def test_batches_follow_the_batch_size(neo4j):
    graph = hostile_graph(30)  # 300 partners, 300 mentions, one document and one article
    small = load_graph_into_neo4j(graph, neo4j.settings, batch_size=7)
    # Partner 300 rows → 43 batches, Article and Document 1 each; MENTIONED_IN 300 → 43, HAS_ARTICLE 1
    assert small["batches"] == 43 + 1 + 1 + 43 + 1
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())
    assert load_graph_into_neo4j(graph, neo4j.settings)["batches"] == 5  # the default takes each group whole
    assert DEFAULT_BATCH >= 1000
    with pytest.raises(Exception, match="batch size must be at least 1"):
        load_graph_into_neo4j(graph, neo4j.settings, batch_size=0)


def test_writers_at_once_give_the_graph_one_writer_gives(neo4j):
    graph = hostile_graph(30)
    load_graph_into_neo4j(graph, neo4j.settings, batch_size=7, workers=1)
    alone = snapshot(neo4j)
    neo4j.wipe()
    result = load_graph_into_neo4j(graph, neo4j.settings, batch_size=7, workers=3)
    assert snapshot(neo4j) == alone
    assert (result["server_nodes"], result["server_relationships"]) == (graph.number_of_nodes(), graph.number_of_edges())
    assert load_graph_into_neo4j(graph, neo4j.settings, batch_size=7, workers=3)["replaced_documents"] == 0
    assert snapshot(neo4j) == alone


def test_kg_load_cli_from_store_then_query(neo4j, tmp_path):
    from kg.graph.store import build_store

    db = tmp_path / "kg.db"
    build_store(records(), db)
    graph = build_graph(records())
    result = CliRunner().invoke(main, ["load", "--db", str(db), "--batch-size", "3", "--quiet"], env=env_for(neo4j))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(rf"loaded {re.escape(str(db))} into {re.escape(neo4j.uri)}: {graph.number_of_nodes()} "
                        rf"nodes and {graph.number_of_edges()} relationships in [\d.]+ s \(\d+ rows/s\)", lines[0])
    assert lines[1] == (f"server now holds {graph.number_of_nodes()} nodes and {graph.number_of_edges()} "
                        "relationships; 0 changed document(s) replaced, 0 unmentioned entities removed")
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())


def test_wrong_password_is_one_line(neo4j):
    result = CliRunner().invoke(main, ["load", str(FIXTURES / "records.jsonl"), "--quiet"],
                                env=env_for(neo4j, password="not-the-password"))
    assert (result.exit_code, result.output) == (
        1, f"Error: {neo4j.uri}: authentication failed for user 'neo4j' (check NEO4J_USERNAME / NEO4J_PASSWORD)\n")
    assert neo4j.counts() == (0, 0)


def test_dropped_connection_mid_load_is_one_line_and_a_rerun_finishes(neo4j):
    graph = build_graph(many_records(40))
    proxy = servers.TcpProxy(neo4j.server.port)
    via_proxy = Neo4jSettings(uri=f"bolt://127.0.0.1:{proxy.port}", username=servers.NEO4J_USER,
                              password=servers.NEO4J_PASSWORD, connection_timeout=2, max_retry_time=2)
    outcome = {}

    def load():
        try:
            outcome["result"] = load_graph_into_neo4j(graph, via_proxy, batch_size=5)
        except Neo4jError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=load)
    worker.start()
    deadline = time.monotonic() + 120
    while neo4j.counts()[0] < 20 and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    proxy.cut()
    worker.join(120)
    assert not worker.is_alive()
    assert re.fullmatch(rf"bolt://127\.0\.0\.1:{proxy.port}: (the server dropped the connection during the "
                        r"load; completed batches are kept, run `kg load` again to finish|cannot reach the Neo4j "
                        r"server) \([^\n]*\)", outcome.get("error", "")), outcome
    partial = neo4j.counts()
    assert 0 < partial[0] and partial != (graph.number_of_nodes(), graph.number_of_edges())
    load_graph_into_neo4j(graph, neo4j.settings)
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())
    clean = snapshot(neo4j)
    neo4j.wipe()
    load_graph_into_neo4j(graph, neo4j.settings)
    assert snapshot(neo4j) == clean


def test_kill_9_of_kg_load_then_rerun_ends_as_a_clean_run(neo4j, tmp_path):
    recs = many_records(40)
    graph = build_graph(recs)
    path = write_records(recs, tmp_path / "many.jsonl")
    argv = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')",
            "load", str(path), "--batch-size", "5", "--quiet"]
    env = {**os.environ, **env_for(neo4j)}
    env.pop("NEO4J_DATABASE")
    loader = subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while neo4j.counts()[1] < 50 and loader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loader.poll() is None, loader.communicate()[0].decode()
    loader.send_signal(signal.SIGKILL)
    loader.wait(30)
    partial = neo4j.counts()
    assert partial != (graph.number_of_nodes(), graph.number_of_edges())
    assert neo4j.query("MATCH (d:Document) WHERE d.sha1 IS NOT NULL RETURN count(d)") == [[0]]
    rerun = subprocess.run(argv[:-3] + ["--quiet"], env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)  # the default batch size this time
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())
    after_rerun = snapshot(neo4j)
    neo4j.wipe()
    load_graph_into_neo4j(graph, neo4j.settings)  # a clean run
    assert snapshot(neo4j) == after_rerun


def test_an_edge_the_loader_did_not_expect_is_merged_not_duplicated(neo4j):
    """New edges are CREATEd; one the server holds after all (here: its `doc` changed behind kg's
    back, so kg's read of the document's edges misses it) makes the server refuse the CREATE
    (relationship key constraint), and the batch is redone with MERGE."""
    graph = build_graph(records())
    load_graph_into_neo4j(graph, neo4j.settings)
    key = neo4j.query("MATCH ()-[r:MENTIONED_IN]->() RETURN r.key ORDER BY r.key LIMIT 1")[0][0]
    doc = neo4j.query("MATCH ()-[r:MENTIONED_IN {key: $k}]->() SET r.doc = 'elsewhere' RETURN r.doc", k=key)
    assert doc == [["elsewhere"]]
    load_graph_into_neo4j(graph, neo4j.settings)
    assert neo4j.counts() == (graph.number_of_nodes(), graph.number_of_edges())
    expected = next(d["doc"] for _, _, k, d in graph.edges(keys=True, data=True) if k == key)
    assert neo4j.query("MATCH ()-[r:MENTIONED_IN {key: $k}]->() RETURN r.doc", k=key) == [[expected]]
