"""kg.graph.falkordb_loader against a real FalkorDB server (native protocol, unix socket)."""
from __future__ import annotations

import copy
import json

import pytest
from falkordb import FalkorDB

from kg.graph.falkordb_loader import FalkorDBError, load_graph_into_falkordb, parse_url
from kg.graph.model import build_graph

from conftest import FIXTURES

pytestmark = pytest.mark.server

HOSTILE = ["it's", 'say "hi"', "tick`s", "{brace}", "a // b", "line\nbreak",
           "'}) DETACH DELETE n //", "x\\", "\\'", "MATCH (n) DETACH DELETE n"]


def records():
    return [json.loads(line) for line in (FIXTURES / "records.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def server_counts(server, graph="kg"):
    g = FalkorDB(unix_socket_path=str(server.socket)).select_graph(graph)
    nodes = g.ro_query("MATCH (n) RETURN count(n)").result_set[0][0]
    rels = g.ro_query("MATCH ()-[r]->() RETURN count(r)").result_set[0][0]
    return nodes, rels


def test_parse_url():
    assert parse_url("redis://:pw@db.example:6380/mygraph") == {
        "host": "db.example", "port": 6380, "password": "pw", "graph": "mygraph"}
    assert parse_url("unix:///tmp/r.sock?graph=g")["unix_socket_path"] == "/tmp/r.sock"
    with pytest.raises(FalkorDBError, match="expected redis://"):
        parse_url("http://x")


def test_load_counts_match_graph_and_second_load_changes_nothing(falkordb_native):
    graph = build_graph(records())
    first = load_graph_into_falkordb(graph, falkordb_native.url())
    assert (first["nodes"], first["relationships"]) == (graph.number_of_nodes(), graph.number_of_edges())
    assert server_counts(falkordb_native) == (graph.number_of_nodes(), graph.number_of_edges())
    again = load_graph_into_falkordb(graph, falkordb_native.url(), batch_size=3)
    assert server_counts(falkordb_native) == (graph.number_of_nodes(), graph.number_of_edges())
    assert again["replaced_documents"] == 0 and again["seconds"] > 0


def test_changed_page_replaces_its_facts(falkordb_native):
    recs = records()
    load_graph_into_falkordb(build_graph(recs), falkordb_native.url())
    changed = copy.deepcopy(recs)
    changed[0]["sha1"] = "2" * 40
    changed[0]["metrics"] = []
    changed[0]["relations"] = []
    new_graph = build_graph(changed)
    result = load_graph_into_falkordb(new_graph, falkordb_native.url())
    assert result["replaced_documents"] == 1
    assert server_counts(falkordb_native) == (new_graph.number_of_nodes(), new_graph.number_of_edges())
    g = FalkorDB(unix_socket_path=str(falkordb_native.socket)).select_graph("kg")
    doc = changed[0]["doc"]
    assert g.ro_query("MATCH (m:Metric {doc: $d}) RETURN count(m)", {"d": doc}).result_set == [[0]]
    assert g.ro_query("MATCH (d:Document {name: $d}) RETURN d.sha1", {"d": doc}).result_set == [["2" * 40]]


def test_dropped_entities_are_removed(falkordb_native):
    recs = records()
    load_graph_into_falkordb(build_graph(recs), falkordb_native.url())
    changed = copy.deepcopy(recs)
    changed[0]["sha1"] = "3" * 40
    for key in ("entities", "relations", "metrics"):
        changed[0][key] = []
    new_graph = build_graph(changed)
    result = load_graph_into_falkordb(new_graph, falkordb_native.url())
    assert result["removed_entities"] > 0
    assert server_counts(falkordb_native) == (new_graph.number_of_nodes(), new_graph.number_of_edges())


def add_edge(g, u, v, key, **props):
    g.add_edge(u, v, key=key, **props)
    g.edges[u, v, key]["key"] = key


def hostile_graph(n=0):
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_node("doc:h", key="doc:h", label="Document", name="h", sha1="1" * 40)
    g.add_node("art:h#0", key="art:h#0", label="Article", doc="h", index=0, title="t", bylines=[])
    add_edge(g, "doc:h", "art:h#0", "has:h#0", type="HAS_ARTICLE", doc="h")
    for i, name in enumerate(HOSTILE * (n or 1)):
        key = f"{name}#{i}"
        g.add_node(key, key=key, label="Partner", name=name, aliases=[name, "x"], region=[], docs=["h"])
        add_edge(g, key, "art:h#0", f"men:{name}{i}", type="MENTIONED_IN", doc="h", text=name, sentence=name)
    return g


def test_hostile_names_load_verbatim(falkordb_native):
    graph = hostile_graph()
    load_graph_into_falkordb(graph, falkordb_native.url())
    g = FalkorDB(unix_socket_path=str(falkordb_native.socket)).select_graph("kg")
    names = sorted(r[0] for r in g.ro_query("MATCH (p:Partner) RETURN p.name").result_set)
    assert names == sorted(HOSTILE)
    assert g.ro_query("MATCH (p:Partner {key: $k}) RETURN p.aliases", {"k": f"{HOSTILE[6]}#6"}).result_set == [[[HOSTILE[6], "x"]]]
    assert server_counts(falkordb_native) == (graph.number_of_nodes(), graph.number_of_edges())


def test_full_batch_size_many_rows(falkordb_native):
    graph = hostile_graph(300)  # 3000 partners + 3000 mentions, default batch 5000
    result = load_graph_into_falkordb(graph, falkordb_native.url())
    assert result["nodes"] + result["relationships"] == graph.number_of_nodes() + graph.number_of_edges()
    assert server_counts(falkordb_native) == (graph.number_of_nodes(), graph.number_of_edges())


def test_unreachable_server_is_one_line_error(tmp_path):
    with pytest.raises(FalkorDBError) as info:
        load_graph_into_falkordb(hostile_graph(), f"unix://{tmp_path}/none.sock?graph=kg")
    assert "cannot reach FalkorDB" in str(info.value) and "\n" not in str(info.value)


# --- FalkorDB over Bolt (kg load's Neo4j path, FalkorDB as the second target) ---------
# The server runs in a private network namespace; client code runs there through
# `falkordb_bolt.call(fn, ...)`, so these helpers are module-level (tests/servers.py).

def _bolt_load(graph, batch_size=None):
    from kg.errors import KgError
    from kg.graph.neo4j_loader import DEFAULT_BATCH, load_graph_into_neo4j
    from kg.graph.settings import Neo4jSettings

    import servers

    settings = Neo4jSettings(uri=servers.BoltServer.uri, password="", connection_timeout=3, max_retry_time=3)
    try:
        return load_graph_into_neo4j(graph, settings, batch_size=batch_size or DEFAULT_BATCH,
                                     driver=servers.worker_driver())
    except KgError as exc:
        return {"error": str(exc)}


def _bolt_query(cypher, params=None):
    import servers

    with servers.worker_driver().session() as s:
        return [r.values() for r in s.run(cypher, params or {})]


def test_bolt_load_with_the_default_batch_size_in_small_pieces(falkordb_bolt):
    """The Bolt bridge crashes on parameters over ~4 KB: the loader recognises it and sends each
    default-sized batch in pieces under 3 KB, so neither counts nor a reload suffer."""
    graph = hostile_graph(30)
    first = falkordb_bolt.call(_bolt_load, graph)
    assert "error" not in first, first
    assert first["batches"] == 5  # batches as counted by the loader; the pieces are the backend's
    expected = (graph.number_of_nodes(), graph.number_of_edges())
    assert (first["server_nodes"], first["server_relationships"]) == expected
    names = falkordb_bolt.call(_bolt_query, "MATCH (p:Partner) RETURN p.name, p.aliases")
    assert sorted(n for n, _ in names) == sorted(HOSTILE * 30)
    assert all(aliases == [n, "x"] for n, aliases in names)
    again = falkordb_bolt.call(_bolt_load, graph)
    assert (again["server_nodes"], again["server_relationships"]) == expected
    assert again["replaced_documents"] == 0 and again["removed_entities"] == 0


def test_split_params_keeps_every_item_in_order():
    from kg.graph.neo4j_loader import split_params

    rows = [{"key": f"k{i}", "name": "名" * (i % 50)} for i in range(400)]
    pieces = split_params({"rows": rows}, 3000)
    assert len(pieces) > 1 and [r for p in pieces for r in p["rows"]] == rows
    assert all(len(json.dumps(p["rows"], ensure_ascii=False, separators=(",", ":")).encode()) <= 3000 for p in pieces)
    assert split_params({"rows": [{"x": "y" * 5000}]}, 3000) == [{"rows": [{"x": "y" * 5000}]}]
    assert split_params({}, 3000) == [{}]
