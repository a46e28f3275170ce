"""Rows per second into the graph stores, and query latency on the embedded store.

Stores: the embedded LadybugDB store (`kg.graph.store.build_store`), Neo4j 5.26
over Bolt (the tests' server: tests/neo4j/Server.java, jars from Maven Central),
FalkorDB over its native protocol (unix socket) and FalkorDB over Bolt (inside a
private network namespace, as in the tests: tests/servers.py). Every run writes
into an empty database, so each figure is a first load, not an unchanged reload.

Neo4j alone, on a record file (e.g. one `bench/measure.py kg PAGE --record` wrote):

    python bench/graphbench.py neo4j RECORD.json [--runs 3] [--batch-size 5000]
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # servers.py: the FalkorDB test-server helpers

# The five example queries of docs/USING.md, with their parameters.
QUERIES = [
    ("branches → programs",
     "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name AS branch, p.name AS program ORDER BY branch, program",
     {}),
    ("largest amounts",
     "MATCH (e)-[:REPORTED]->(m:Metric) WHERE m.unit = $unit RETURN e.name AS subject, m.name AS metric, "
     "m.value_text AS value, m.as_of AS as_of ORDER BY m.value DESC LIMIT 10",
     {"unit": "元"}),
    ("who works where",
     "MATCH (p:Person)-[w:WORKS_AT]->(o) RETURN p.name AS person, w.title AS title, o.name AS organisation",
     {}),
    ("partners of branches",
     "MATCH (b:Branch)-[r:PARTNERS_WITH|FINANCES]->(x:Partner) RETURN b.name AS branch, label(r) AS how, "
     "x.name AS partner ORDER BY branch",
     {}),
    ("documents by entities",
     "MATCH (e)-[:MENTIONED_IN]->(a:Article)<-[:HAS_ARTICLE]-(d:Document) RETURN d.name AS doc, "
     "count(DISTINCT a) AS articles, count(DISTINCT e) AS entities ORDER BY entities DESC",
     {}),
]

# FalkorDB's Bolt bridge crashes on parameters over ~4 KB: batches are sized
# so that the largest row times the batch stays well under that.
BOLT_PARAM_BYTES = 3000


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return path


def store_rows_per_second(records: list[dict], workdir: Path, runs: int) -> dict:
    """build_store into a new database `runs` times; median seconds and rows/s."""
    from kg.graph.store import build_store

    seconds, result = [], None
    for i in range(runs):
        db = workdir / f"store{i}.db"
        _fresh(db)
        result = build_store(records, db)
        seconds.append(result["seconds"])
    med = statistics.median(seconds)
    return {"rows": result["rows"], "runs": runs, "seconds": seconds, "rows_per_second": result["rows"] / med,
            "db": str(workdir / f"store{runs - 1}.db")}


def falkordb_native_rows_per_second(graph, workdir: Path, runs: int, batch_size: int = 5000) -> dict:
    import servers
    from kg.graph.falkordb_loader import load_graph_into_falkordb

    tmp = _fresh(workdir / "falkor-native")
    tmp.mkdir(parents=True)
    server = servers.NativeServer(tmp)
    try:
        seconds, rows = [], 0
        for i in range(runs):
            result = load_graph_into_falkordb(graph, server.url(f"bench{i}"), batch_size=batch_size)
            rows = result["nodes"] + result["relationships"]
            seconds.append(result["seconds"])
    finally:
        server.stop()
    return {"rows": rows, "runs": runs, "batch_size": batch_size, "seconds": seconds,
            "rows_per_second": rows / statistics.median(seconds)}


NEO4J_HEAP = "2g"  # with 1 GB the JVM paused for seconds in full GCs on the 10 MB graph's 5000-row batches


def neo4j_rows_per_second(graph, workdir: Path, runs: int, batch_size: int | None = None) -> dict:
    """kg.graph.neo4j_loader into one Neo4j server: a first load right after the server started
    (cold: the JVM still compiling), then `runs` loads each into a database emptied of data and
    schema (so each creates the constraints and writes every row), then one more load of the
    same graph, which changes nothing (the unchanged reload)."""
    import servers
    from kg.graph.neo4j_loader import DEFAULT_BATCH, DEFAULT_WORKERS, load_graph_into_neo4j

    batch_size = batch_size or DEFAULT_BATCH
    expected = (graph.number_of_nodes(), graph.number_of_edges())
    home = _fresh(workdir / "neo4j")
    started = time.perf_counter()
    server = servers.Neo4jServer(home, heap=NEO4J_HEAP)
    start_s = time.perf_counter() - started
    try:
        target = servers.Neo4jTarget(server)

        def load() -> dict:
            result = load_graph_into_neo4j(graph, target.settings, batch_size=batch_size)
            if (result["server_nodes"], result["server_relationships"]) != expected:
                raise RuntimeError(f"Neo4j holds {result['server_nodes']} nodes and "
                                   f"{result['server_relationships']} relationships after the load")
            return result

        cold = load()["seconds"]
        seconds, rows = [], expected[0] + expected[1]
        for _ in range(runs):
            target.wipe(schema=True)
            seconds.append(load()["seconds"])
        reload = load()["seconds"]
        target.close()
    finally:
        server.stop()
    return {"rows": rows, "runs": runs, "batch_size": batch_size, "seconds": seconds,
            "rows_per_second": rows / statistics.median(seconds), "cold_seconds": cold,
            "cold_rows_per_second": rows / cold, "reload_seconds": reload, "heap": NEO4J_HEAP,
            "writers": DEFAULT_WORKERS, "server_start_seconds": start_s, "version": servers.neo4j_version()}


def bolt_batch_size(graph) -> int:
    from kg.graph.neo4j_loader import edge_rows, node_rows

    largest = 1
    for rows in (*node_rows(graph).values(), *edge_rows(graph).values()):
        for row in rows:
            largest = max(largest, len(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8")))
    return max(1, BOLT_PARAM_BYTES // largest)


def _bolt_load(graph, batch_size):
    """Runs inside the server's network namespace (servers.BoltServer.call)."""
    import servers
    from kg.graph.neo4j_loader import load_graph_into_neo4j
    from kg.graph.settings import Neo4jSettings

    settings = Neo4jSettings(uri=servers.BoltServer.uri, password="", connection_timeout=5, max_retry_time=5)
    return load_graph_into_neo4j(graph, settings, batch_size=batch_size, driver=servers.worker_driver())


def falkordb_bolt_rows_per_second(graph, workdir: Path, runs: int) -> dict:
    """A fresh Bolt server per run (a closed Bolt connection stalls the next one on this server)."""
    import servers

    batch = bolt_batch_size(graph)
    seconds, rows = [], 0
    for i in range(runs):
        tmp = _fresh(workdir / f"falkor-bolt{i}")
        tmp.mkdir(parents=True)
        server = servers.BoltServer(tmp)
        try:
            result = server.call(_bolt_load, graph, batch, timeout=900)
        finally:
            server.stop()
        rows = result["nodes"] + result["relationships"]
        seconds.append(result["seconds"])
    return {"rows": rows, "runs": runs, "batch_size": batch, "seconds": seconds,
            "rows_per_second": rows / statistics.median(seconds)}


def query_latency(db: str, runs: int) -> list[dict]:
    """Per example query: median wall time of `kg query` (a new process) and of run_query in-process."""
    from kg.graph.store import run_query

    kg_exe = Path(sys.executable).with_name("kg")
    out = []
    for name, cypher, params in QUERIES:
        cli, lib, rows = [], [], 0
        argv = [str(kg_exe) if kg_exe.exists() else "kg", "query", cypher, "--db", db, "--format", "json"]
        for key, value in params.items():
            argv += ["--param", f"{key}={value}"]
        for _ in range(runs):
            t0 = time.perf_counter()
            columns, result = run_query(db, cypher, params)
            lib.append(time.perf_counter() - t0)
            rows = len(result)
            t0 = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
            cli.append(time.perf_counter() - t0)
            if done.returncode != 0:
                raise RuntimeError(f"kg query failed ({name}): {done.stderr.strip() or done.stdout.strip()}")
        out.append({"query": name, "rows": rows, "runs": runs, "cli_seconds": statistics.median(cli),
                    "run_query_seconds": statistics.median(lib)})
    return out


def main(argv=None) -> int:
    """Neo4j and the embedded store on one record file's graph; `--into results.json` adds both to
    an earlier full run's results (as graph.neo4j and graph.store_same_graph) and rewrites the
    RESULTS.md beside it, with a note saying when and how they were measured."""
    import argparse
    import datetime
    import tempfile

    sys.path.insert(0, str(ROOT))
    ap = argparse.ArgumentParser(description="Rows/s into Neo4j (the tests' server) and the embedded store "
                                             "for one record file's graph.")
    ap.add_argument("target", choices=["neo4j"])
    ap.add_argument("record", type=Path, help="a record (.json) or records (.jsonl) file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--page-mb", type=int, default=None, help="the page the record was made from (for the report)")
    ap.add_argument("--into", type=Path, default=None, help="results.json of a full run to add the figures to")
    args = ap.parse_args(argv)
    from kg.graph.model import build_graph
    from kg.nlp.records import read_records

    text = args.record.read_text(encoding="utf-8")
    records = read_records(args.record) if args.record.suffix == ".jsonl" else [json.loads(text)]
    graph = build_graph(records)
    load_before = [round(x, 2) for x in os.getloadavg()]
    (HERE / ".work").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="graph-", dir=HERE / ".work") as work:
        store = store_rows_per_second(records, Path(work), args.runs)
        store.pop("db")
        neo4j = neo4j_rows_per_second(graph, Path(work), args.runs, args.batch_size)
    command = "python bench/graphbench.py " + " ".join(argv if argv is not None else sys.argv[1:])
    when = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    load_after = [round(x, 2) for x in os.getloadavg()]
    for x in (store, neo4j):
        x.update(page_mb=args.page_mb, nodes=graph.number_of_nodes(), edges=graph.number_of_edges())
    print(json.dumps({"command": command, "date": when, "load_before": load_before, "load_after": load_after,
                      "store": store, "neo4j": neo4j}))
    if args.into:
        import report

        results = json.loads(args.into.read_text(encoding="utf-8"))
        results["graph"]["neo4j"] = neo4j
        results["graph"]["store_same_graph"] = store
        results.setdefault("notes", []).append(
            f"Neo4j and the embedded store on the {args.page_mb or '?'} MB page's graph were measured separately on "
            f"{when} (`{command}`; load average {load_before} before, {load_after} after).")
        report.write(results, args.into.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
