"""The embedded graph store: a LadybugDB database file holding the graph and its records.

Every Document node keeps its document's extraction record (JSON text), so a
build is: stored records + new ones (a doc's new record replaces its old one)
→ `kg.graph.model.build_graph` → a fresh database written beside the target → one
atomic rename. Readers never see a half-built store, and a killed build
leaves the old one as it was.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import ladybug

from kg.graph import cypher, guard
from kg.atomic import atomic_output, disk_full
from kg.errors import KgError
from kg.graph.model import EDGE_PROPS, EDGE_TYPES, ENDPOINTS, NODE_LABELS, NODE_PROPS, build_graph, graph_counts

DEFAULT_DB = "kg.db"
BATCH = 2000
# Files LadybugDB keeps beside a database file while it is open or after a crash.
SIDECARS = (".wal", ".shadow", ".lock")
PID_FILE = "kg-build.pid"
STORE_PROPS = {**NODE_PROPS, "Document": {**NODE_PROPS["Document"], "record": "str"}}


class StoreError(KgError):
    """A store that is missing, unreadable, or refused a query."""


def _missing(db_path) -> StoreError:
    return StoreError(f"{db_path}: no graph database here; run `kg build` first")


@contextlib.contextmanager
def _connect(db_path, *, read_only):
    db_path = Path(db_path)
    if read_only and not db_path.exists():
        raise _missing(db_path)
    try:
        db = ladybug.Database(str(db_path), read_only=read_only)
    except RuntimeError as exc:
        raise StoreError(f"{db_path}: cannot open the graph database ({_one_line(exc)})") from None
    try:
        conn = ladybug.Connection(db)
    except BaseException:
        db.close()
        raise
    try:
        yield conn
    finally:
        conn.close()
        db.close()


def _one_line(exc) -> str:
    return " ".join(str(exc).split())


def _rows(result):
    if isinstance(result, list):  # several statements: the last one's answer
        result = result[-1]
    columns = result.get_column_names()
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return columns, rows


def read_records(db_path) -> list[dict]:
    """The extraction records a store was built from, ordered by document name."""
    with _connect(db_path, read_only=True) as conn:
        try:
            _, rows = _rows(conn.execute(cypher.document_records()))
        except RuntimeError as exc:
            raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
    records = []
    for name, text in rows:
        try:
            records.append(json.loads(text))
        except (TypeError, json.JSONDecodeError):
            raise StoreError(f"{db_path}: the stored record of {name} is damaged; rebuild from the pages") from None
    return records


def load_graph(db_path):
    """The networkx graph of a store (rebuilt from its records, so identical to what was written)."""
    return build_graph(read_records(db_path))


def merge_records(old, new) -> list[dict]:
    """Old records with each document's new record in its place (keyed by `doc`)."""
    by_doc = {r["doc"]: r for r in old}
    for r in new:
        by_doc[r["doc"]] = r
    return [by_doc[d] for d in sorted(by_doc)]


def _node_rows(g, label, props, records_by_doc):
    rows = []
    for key, data in g.nodes(data=True):
        if data["label"] != label:
            continue
        row = {"key": key, **{p: data.get(p) for p in props}}
        if "record" in props:
            row["record"] = json.dumps(records_by_doc[data["name"]], ensure_ascii=False)
        rows.append(row)
    return rows


def _endpoints(g):
    """Declared endpoint pairs plus any pair the records use beyond docs/FORMAT.md."""
    pairs = {t: set(p) for t, p in ENDPOINTS.items()}
    for u, v, data in g.edges(data=True):
        pairs[data["type"]].add((g.nodes[u]["label"], g.nodes[v]["label"]))
    return pairs


def _write(conn, g, records, log):
    by_doc = {r["doc"]: r for r in records}
    endpoints = _endpoints(g)
    for stmt in cypher.ladybug_schema(STORE_PROPS, EDGE_PROPS, endpoints):
        conn.execute(stmt)
    written = 0
    for label in NODE_LABELS:
        props = list(STORE_PROPS[label])
        rows = _node_rows(g, label, props, by_doc)
        log(f"writing {len(rows)} {label} nodes")
        stmt = cypher.create_nodes(label, props)
        for i in range(0, len(rows), BATCH):
            conn.execute(stmt, {"rows": rows[i:i + BATCH]})
        written += len(rows)
    groups = {}
    for u, v, data in g.edges(data=True):
        pair = (data["type"], g.nodes[u]["label"], g.nodes[v]["label"])
        props = EDGE_PROPS[data["type"]]
        groups.setdefault(pair, []).append(
            {"source": u, "target": v, "key": data["key"], **{p: data.get(p) for p in props}})
    for (etype, a, b), rows in sorted(groups.items()):
        log(f"writing {len(rows)} {etype} edges ({a}→{b})")
        stmt = cypher.create_edges(etype, a, b, list(EDGE_PROPS[etype]))
        for i in range(0, len(rows), BATCH):
            conn.execute(stmt, {"rows": rows[i:i + BATCH]})
        written += len(rows)
    return written


def _remove(path: Path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _clean_stale_builds(target: Path):
    """Remove staging folders of builds that were killed midway (their process is gone)."""
    for staging in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            pid = int((staging / PID_FILE).read_text())
            os.kill(pid, 0)
            continue  # that build is still running
        except ProcessLookupError:
            _remove(staging)
        except (OSError, ValueError):
            continue  # not ours, or no pid yet: leave it


def build_store(records, db_path=DEFAULT_DB, *, progress=False) -> dict:
    """Add records to the store at db_path (creating it), replacing each document's old facts.

    Returns graph counts plus "documents", "rows" (nodes + edges written) and
    "seconds" (wall time of the whole build), for rows/second figures.
    """
    started = time.perf_counter()
    target = Path(db_path)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_builds(target)
    old = read_records(target) if target.exists() else []
    merged = merge_records(old, list(records))
    g = build_graph(merged)

    def write_fresh(tmp: Path) -> int:
        (tmp.parent / PID_FILE).write_text(str(os.getpid()))
        try:
            with _connect(tmp, read_only=False) as conn:
                written = _write(conn, g, merged, log)
        except (RuntimeError, StoreError) as exc:
            if disk_full(tmp.parent):
                raise StoreError(f"{target}: cannot write: no space left on device") from None
            raise StoreError(f"{target}: cannot write the new database ({_one_line(exc)})") from None
        left = [s for s in SIDECARS if Path(f"{tmp}{s}").exists()]
        if left and disk_full(tmp.parent):  # LadybugDB could not checkpoint: the disk filled up
            raise StoreError(f"{target}: cannot write: no space left on device")
        if left:
            raise StoreError(f"{target}: the new database did not close cleanly ({left[0]} file left)")
        # A stale WAL beside the target would be replayed onto the new file.
        for s in SIDECARS:
            _remove(Path(f"{target}{s}"))
        return written

    written = atomic_output(target, write_fresh)
    counts = graph_counts(g)
    counts.update(documents=len(merged), skipped=sum(1 for r in merged if r.get("skipped")), rows=written, seconds=time.perf_counter() - started)
    return counts


def run_query(db_path, query: str, params=None, *, write=False):
    """Run one Cypher query; returns (column names, rows as lists).

    The query passes kg.graph.guard first: one statement, read clauses and
    listed functions only (write clauses too with write=True; file, extension
    and checkpoint statements never). Without write=True the database is
    also opened read-only.
    """
    try:
        guard.check_query(query, write=write)
    except guard.QueryRefused as exc:
        raise StoreError(str(exc)) from None
    if write and not Path(db_path).exists():
        raise _missing(db_path)
    with _connect(db_path, read_only=not write) as conn:
        try:
            return _rows(conn.execute(query, params or {}))
        except RuntimeError as exc:
            message = _one_line(exc)
            hint = cypher.keyword_hint(query, message)
            raise StoreError(f"{message}; {hint}" if hint else message) from None


def counts(db_path) -> dict:
    """{"nodes": {label: n}, "edges": {type: n}} as stored."""
    out = {"nodes": {}, "edges": {}}
    with _connect(db_path, read_only=True) as conn:
        try:
            for label in NODE_LABELS:
                out["nodes"][label] = _rows(conn.execute(cypher.count_nodes(label)))[1][0][0]
            for etype in EDGE_TYPES:
                out["edges"][etype] = _rows(conn.execute(cypher.count_edges(etype)))[1][0][0]
        except RuntimeError as exc:
            raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
    return out
