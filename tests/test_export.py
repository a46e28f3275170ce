"""Exports of the stored graph: GraphML and JSON round-trip through networkx; neo4j-admin CSVs."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.graph import store
from kg.cli import main
from kg.graph.export import ExportError, export_graph, import_command
from kg.graph.model import build_graph
from kg.nlp.records import read_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


def test_graphml_opens_in_networkx_with_same_counts(graph, tmp_path):
    out = tmp_path / "kg.graphml"
    assert export_graph(graph, "graphml", out)["nodes"] == 18
    back = nx.read_graphml(out, force_multigraph=True)
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    node = back.nodes["branch:四川省达州市邮政分公司"]
    assert json.loads(node["aliases"]) == ["四川省达州市邮政分公司", "达州市分公司"]
    # Gephi and yEd show `label`: the name; the kg label is `type`, as on edges.
    assert (node["label"], node["type"]) == ("四川省达州市邮政分公司", "Branch")
    assert back.nodes["doc:a.txt"]["label"] == "a.txt" and back.nodes["doc:a.txt"]["type"] == "Document"
    metric = next(d for _, d in back.nodes(data=True) if d["type"] == "Metric" and d["name"] == "新增余额")
    assert (metric["value"], metric["value_text"]) == (5776000000.0, "5776000000")
    assert metric["label"] == "新增余额 5776000000元"
    assert all(d["label"] == d["type"] for _, _, d in back.edges(data=True))
    assert sorted(d["type"] for _, _, d in back.edges(data=True)) == sorted(d["type"] for _, _, d in graph.edges(data=True))
    assert [n for n in os.listdir(tmp_path)] == ["kg.graphml"]


def test_json_is_node_link_and_round_trips(graph, tmp_path):
    out = tmp_path / "kg.json"
    export_graph(graph, "json", out)
    back = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_neo4j_csv_headers_and_rows(graph, tmp_path):
    out = tmp_path / "neo4j"
    export_graph(graph, "neo4j-csv", out)
    branches = read_csv(out / "nodes_Branch.csv")
    assert branches[0] == ["key:ID", "name", "qualified", "aliases:string[]", "region:string[]", "docs:string[]", ":LABEL"]
    assert ["branch:四川省达州市邮政分公司", "四川省达州市邮政分公司", "四川省达州市邮政分公司",
            "四川省达州市邮政分公司;达州市分公司", "四川省;达州市", "a.txt;b.txt", "Branch"] in branches
    metrics = read_csv(out / "nodes_Metric.csv")
    assert metrics[0] == ["key:ID", "name", "value:double", "value_text", "unit", "as_of", "as_of_text", "text",
                          "rank", "doc", "article:long", "sentence", "start:long", "end:long", "rule",
                          "docs:string[]", "sentences:string[]", "count:long", "evidence", ":LABEL"]
    works = read_csv(out / "rels_WORKS_AT.csv")
    assert works[0] == [":START_ID", ":END_ID", "key", "doc", "article:long", "sentence", "start:long",
                        "end:long", "rule", "title", "docs:string[]", "sentences:string[]", "count:long", "evidence",
                        ":TYPE"]
    assert works[1][:2] == ["person:罗启铃", "branch:四川省达州市绥定大道南邮政营业所"]
    assert works[1][9:13] == ["理财经理", "a.txt", works[1][5], "1"] and works[1][-1] == "WORKS_AT"
    nodes = sum(len(read_csv(p)) - 1 for p in out.glob("nodes_*.csv"))
    edges = sum(len(read_csv(p)) - 1 for p in out.glob("rels_*.csv"))
    assert (nodes, edges) == (graph.number_of_nodes(), graph.number_of_edges())
    script = (out / "import.sh").read_text(encoding="utf-8")
    assert import_command() in script and "neo4j-admin database import full" in script
    assert '--array-delimiter=";"' in script and "--nodes=nodes_Branch.csv" in script
    assert os.access(out / "import.sh", os.X_OK)
    assert import_command() in (out / "README.md").read_text(encoding="utf-8")


def test_neo4j_csv_replaces_its_own_export_but_not_other_folders(graph, tmp_path):
    out = tmp_path / "neo4j"
    export_graph(graph, "neo4j-csv", out)
    (out / "nodes_Mine.csv").write_text("mine", encoding="utf-8")  # the user's: kept (tests/test_outputs.py)
    export_graph(graph, "neo4j-csv", out)
    assert (out / "nodes_Mine.csv").exists()
    assert sorted(os.listdir(tmp_path)) == ["neo4j"]
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"x")
    with pytest.raises(ExportError, match="photos: exists and is not a kg neo4j-csv export"):
        export_graph(graph, "neo4j-csv", other)
    assert (other / "cat.jpg").exists()


def test_cli_export_from_store(tmp_path):
    db = tmp_path / "kg.db"
    store.build_store(read_records(FIXTURE), db)
    out = tmp_path / "kg.graphml"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "graphml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 18 nodes and 22 edges to {out} (graphml)\n"
    assert nx.read_graphml(out, force_multigraph=True).number_of_edges() == 22
    missing = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "no.db"), "--format", "json", "-o", str(out)])
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'no.db'}: no graph database here; run `kg build` first\n"


def test_cli_constants_match_the_library():
    from kg.cli import graph as commands
    from kg.graph.export import FORMATS
    from kg.graph.store import DEFAULT_DB

    assert (commands.DEFAULT_DB, commands.EXPORT_FORMATS) == (DEFAULT_DB, FORMATS)


def _plain_snapshot(driver) -> list[str]:
    """Nodes and relationships with their properties, empty lists left out (a CSV cell cannot tell
    an empty list from none), sorted."""
    def props(p):
        return {k: v for k, v in p.items() if v != []}

    with driver.session() as s:
        nodes = [[sorted(r[0]), props(r[1])] for r in s.run("MATCH (n) RETURN labels(n), properties(n)")]
        rels = [[r[0], r[1], r[2], props(r[3])]
                for r in s.run("MATCH (a)-[r]->(b) RETURN a.key, type(r), b.key, properties(r)")]
    return sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in nodes + rels)


def test_neo4j_csv_imports_with_neo4j_admin_and_equals_kg_load(neo4j, graph, tmp_path):
    """The export's own import.sh, run with Neo4j 5.26's `neo4j-admin database import full` (from the
    Maven jars), gives a database that a Neo4j server opens with the very graph `kg load` writes."""
    import subprocess

    import servers
    from kg.graph.neo4j_loader import load_graph_into_neo4j

    out = tmp_path / "csv"
    export_graph(graph, "neo4j-csv", out)
    servers.neo4j_admin_shim(tmp_path / "bin")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "NEO4J_HOME": str(home)}
    done = subprocess.run(["sh", str(out / "import.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert f"{graph.number_of_nodes()} nodes" in done.stdout and f"{graph.number_of_edges()} relationships" in done.stdout

    load_graph_into_neo4j(graph, neo4j.settings)
    loaded = _plain_snapshot(neo4j.driver)
    server = servers.Neo4jServer(home)
    try:
        with server.driver() as driver:
            imported = _plain_snapshot(driver)
    finally:
        server.stop()
    assert len(imported) == graph.number_of_nodes() + graph.number_of_edges()
    assert imported == loaded


def test_store_exports_stream_the_same_graph(tmp_path, graph):
    """JSON and neo4j-csv stream from the store table by table: the same nodes and edges as the
    networkx graph of the same records."""
    from kg.graph.export import export_store

    db = tmp_path / "kg.db"
    store.build_store(read_records(FIXTURE), db)
    out = tmp_path / "kg.json"
    assert export_store(db, "json", out)["edges"] == graph.number_of_edges()
    back = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    export_graph(graph, "json", tmp_path / "nx.json")
    same = nx.node_link_graph(json.loads((tmp_path / "nx.json").read_text(encoding="utf-8")), edges="edges")
    assert sorted(back.edges(keys=True, data=True), key=repr) == sorted(same.edges(keys=True, data=True), key=repr)
    csv_dir = tmp_path / "csv"
    assert export_store(db, "neo4j-csv", csv_dir)["nodes"] == graph.number_of_nodes()
    expected = tmp_path / "expected"
    export_graph(graph, "neo4j-csv", expected)
    for name in sorted(p.name for p in expected.glob("*.csv")):
        assert sorted(read_csv(csv_dir / name)) == sorted(read_csv(expected / name)), name
