"""The embedded graph store: a LadybugDB database holding the graph and the records it was built from.

This module opens stores and reads them: `run_query` (kg query), counts
(kg stats), the records, nodes and edges a store holds. Writing lives in
kg.graph.store_write (`build_store`, the build lock), which loads only when
a build runs: a reading command compiles and imports as little as it can,
and pyarrow, the temporary files and the lock stay out of it. The writer's
names are reachable from here too (`from kg.graph.store import build_store`).

A build writes what changed, never the whole store again for one page:

- A new store (or one in an older layout, or one where most documents
  change) is written beside the target with LadybugDB's bulk `COPY … FROM`
  — node tables first, then relation tables, one COPY per table from Parquet
  files kg streams the rows into — and renamed into place. Readers and a
  killed build only ever see the old store or the new one.
- Otherwise the changed documents replace their own rows in place, on a copy
  of the store swapped in when it closed cleanly: rows a page keeps stay,
  only what differs is set (docs/GRAPH.md, "What a build writes").

Each Document keeps what the next build needs: a digest of its record, the
extractor's fingerprint, and the id of its entity lists; the record and the
lists themselves are in the records file beside the store
(kg.graph.records_file).

`run_query` and the readers open the store read-only.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import ladybug

from kg.errors import KgError
from kg.graph import cypher
from kg.graph.model import EDGE_PROPS, EDGE_TYPES, MENTION_KEY, MENTION_SPAN_KEY, NODE_LABELS, NODE_PROPS

DEFAULT_DB = "kg.db"
# What a Document keeps for the next build (never exported: see kg.graph.model.NODE_PROPS).
# The record itself is kept beside the store, under its digest, and so are its entity lists,
# under `entity_lists` (kg.graph.records_file).
DOC_STORE_PROPS = {"fingerprint": "str", "digest": "str", "entity_lists": "str"}
STORE_PROPS = {**NODE_PROPS, "Document": {**NODE_PROPS["Document"], **DOC_STORE_PROPS}}
# Mentions are nine in ten of a store's rows and are read from their entity, never walked
# back from an Article by kg (a query that does still works, by a scan): stored one way,
# a fresh store writes in ~two thirds of the time, and an update's checkpoint, which
# rewrites every table it touched, has half as much of them to rewrite (bench/store_bench.py).
ONE_WAY_EDGES = ("MENTIONED_IN",)
# The Article table's comment: the file's size in bytes when a build last wrote it afresh.
FRESH_SIZE_NOTE = "kg fresh size"
# Records of this many documents are read back from a store at a time.
RECORD_PAGE = 64
_BLOB_MAGIC = b"KGZ1"  # zstd
_BLOB_ZLIB = b"KGZL"
# LadybugDB's buffer pool (its page cache and working memory) defaults to 80% of the
# machine's memory; reserving that much costs every command ~30 ms to open a store and
# ~7 ms to close it on a 24 GiB machine, against ~13 and ~5 ms for pools of up to 8 GiB.
# A store is given a pool of POOL_PER_BYTE times its size, at least POOL_FLOOR, at most
# LadybugDB's default: room for its pages and for a query's working memory many times over.
POOL_FLOOR = 2 << 30
POOL_PER_BYTE = 8


class StoreError(KgError):
    """A store that is missing, unreadable, or refused a query."""


class StoreBusy(StoreError):
    """Another `kg build` holds the store's build lock."""


def _missing(db_path) -> StoreError:
    return StoreError(f"{db_path}: no graph database here; run `kg build` first")


def pool_size(db_path) -> int:
    """Bytes of buffer pool for opening the store at db_path (0: LadybugDB's default)."""
    import os

    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, AttributeError, OSError):
        return 0
    try:
        size = os.path.getsize(db_path)
    except OSError:  # a new store (LadybugDB's default would reserve 80% of the memory)
        size = 0
    return min(int(memory * 0.8), max(POOL_FLOOR, POOL_PER_BYTE * size))


@contextlib.contextmanager
def _connect(db_path, *, read_only, pool=None):
    """A connection to the store; `pool`: buffer pool bytes (default: pool_size, for the
    file as it is now; 0 for LadybugDB's own default)."""
    db_path = Path(db_path)
    if read_only and not db_path.exists():
        raise _missing(db_path)
    try:
        db = ladybug.Database(str(db_path), read_only=read_only,
                              buffer_pool_size=pool_size(db_path) if pool is None else pool)
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


def _query(conn, statement, params=None):
    return _rows(conn.execute(statement, params or {}))[1]




# ------------------------------------------------------------------ records in the store


def _loads(data: bytes):
    import orjson

    return orjson.loads(data)


def unpack_record(blob) -> dict:
    if isinstance(blob, str):  # a store from before records were compressed
        return json.loads(blob)
    import struct

    blob = bytes(blob)
    (size,) = struct.unpack("<Q", blob[4:12])
    if blob.startswith(_BLOB_ZLIB):
        import zlib

        return _loads(zlib.decompress(blob[12:], bufsize=size))
    if not blob.startswith(_BLOB_MAGIC):
        raise ValueError("not a kg record")
    import pyarrow as pa

    return _loads(pa.decompress(blob[12:], decompressed_size=size, codec="zstd", asbytes=True))


def layout_signature() -> str:
    """What the store's tables look like, as a digest: kept as the Document table's comment."""
    import hashlib

    shape = json.dumps([STORE_PROPS, EDGE_PROPS, cypher.LADYBUG_TYPES, ONE_WAY_EDGES, MENTION_SPAN_KEY, MENTION_KEY],
                       sort_keys=True)
    return f"kg store {hashlib.sha1(shape.encode()).hexdigest()[:12]}"


class _Layout:
    """What kind of store a file is: current, an older kg layout (records only), or not kg's."""

    def __init__(self, conn, db_path):
        try:
            tables = {row[1]: row[4] for row in _query(conn, cypher.show_tables())}
        except RuntimeError as exc:
            raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
        if "Document" not in tables:
            raise StoreError(f"{db_path}: not a kg graph database (it has no Document table)")
        # One query: a store whose tables kg would lay out otherwise is written afresh.
        self.current = tables["Document"] == layout_signature()
        # The file's size when it was last written afresh (kg.graph.store_write.STORE_GROWTH).
        note = (tables.get("Article") or "").split()
        self.fresh_bytes = int(note[-1]) if note[:3] == FRESH_SIZE_NOTE.split() and note[-1].isdigit() else None


def _record_rows(conn, db_path, names, current: bool):
    """(name, compressed record) for `names`, a page of documents at a time: from the records
    file beside the store by the Documents' digests, or from the Documents themselves in a
    store of an older layout."""
    from kg.graph.records_file import RecordFile

    names = list(names)
    in_file = current or not _has_column(conn, "Document", "record")  # the oldest kept them there
    with RecordFile(db_path) as records:
        for i in range(0, len(names), RECORD_PAGE):
            keys = [f"doc:{n}" for n in names[i:i + RECORD_PAGE]]
            if not in_file:
                yield from sorted(_query(conn, cypher.document_blobs(), {"keys": keys}))
                continue
            digests = dict(_query(conn, cypher.document_digests(), {"keys": keys}))
            blobs = records.get(digests.values())
            for name in sorted(digests):
                if digests[name] not in blobs:
                    raise StoreError(f"{db_path}: the stored record of {name} is missing from {records.path}; "
                                     f"rebuild from the pages")
                yield name, blobs[digests[name]]


def _has_column(conn, table: str, column: str) -> bool:
    return any(row[1] == column for row in _query(conn, cypher.table_info(table)))


def _has_records(db_path) -> bool:
    from kg.graph.records_file import path_for

    return path_for(db_path).exists()


def read_records(db_path) -> list[dict]:
    """The extraction records a store was built from, ordered by document name."""
    return list(iter_records(db_path))


def iter_records(db_path):
    """read_records, one document at a time."""
    with _connect(db_path, read_only=True) as conn:
        layout = _Layout(conn, db_path)
        try:
            names = [row[0] for row in _query(conn, cypher.document_names())]
        except RuntimeError as exc:
            raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
        for name, blob in _record_rows(conn, db_path, names, layout.current):
            try:
                yield unpack_record(blob)
            except (TypeError, ValueError):
                raise StoreError(f"{db_path}: the stored record of {name} is damaged; rebuild from the pages") from None


def stored_documents(db_path) -> dict:
    """{doc: {"sha1", "digest", "fingerprint", "skipped"}} of a store; {} when there is none yet."""
    if not Path(db_path).exists():
        return {}
    with _connect(db_path, read_only=True) as conn:
        layout = _Layout(conn, db_path)
        if not layout.current:
            return {}  # an old layout: everything given is read again
        if not _has_records(db_path):
            return {}  # its records file is gone: every page given is read again to make it anew
        return {name: {"sha1": sha1, "digest": digest, "fingerprint": fp, "skipped": skipped}
                for name, sha1, digest, fp, skipped in _query(conn, cypher.document_state())}


def load_graph(db_path):
    """The store's graph as a networkx MultiDiGraph, read table by table (what `kg load` and exports need)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for kind, label, key, props in iter_nodes(db_path):
        g.add_node(key, key=key, label=label, **props)
    for etype, source, target, key, props in iter_edges(db_path):
        g.add_edge(source, target, key=key, type=etype, **props)
        g.edges[source, target, key]["key"] = key
    return g


def iter_nodes(db_path, labels=NODE_LABELS):
    """("node", label, key, props) for every node of the store, label by label, in key order."""
    with _connect(db_path, read_only=True) as conn:
        for label in labels:
            props = list(NODE_PROPS[label])
            try:
                result = conn.execute(cypher.entity_rows(label, props) + " ORDER BY n.key")
            except RuntimeError as exc:
                raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
            while result.has_next():
                row = result.get_next()
                yield "node", label, row[0], dict(zip(props, row[1:]))


def iter_edges(db_path, types=EDGE_TYPES):
    """(type, source key, target key, key, props) for every edge, type by type, in key order."""
    with _connect(db_path, read_only=True) as conn:
        for etype in types:
            props = list(EDGE_PROPS[etype])
            cols = ", ".join(f"r.{cypher.q(p)}" for p in props)
            try:
                result = conn.execute(f"MATCH (a)-[r:{cypher.q(etype)}]->(b) RETURN a.key, b.key, r.key, {cols} "
                                      f"ORDER BY r.key, a.key, b.key")
            except RuntimeError as exc:
                raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
            while result.has_next():
                row = result.get_next()
                yield etype, row[0], row[1], row[2], dict(zip(props, row[3:]))


def _counts(conn, db_path) -> dict:
    """Three queries, whatever the schema's size: a cold `kg stats` is mostly start-up."""
    try:
        nodes = dict(_query(conn, cypher.count_nodes_by_label()))
        edges = dict(_query(conn, cypher.count_edges_by_type()))
        skipped = _query(conn, cypher.count_skipped_documents())[0][0]
    except RuntimeError as exc:
        raise StoreError(f"{db_path}: not a kg graph database ({_one_line(exc)})") from None
    return {"nodes": {label: nodes.get(label, 0) for label in NODE_LABELS},
            "edges": {etype: edges.get(etype, 0) for etype in EDGE_TYPES}, "skipped_documents": skipped}


def counts(db_path) -> dict:
    """{"nodes": {label: n}, "edges": {type: n}} as stored."""
    with _connect(db_path, read_only=True) as conn:
        out = _counts(conn, db_path)
    del out["skipped_documents"]
    return out


def store_stats(db_path) -> dict:
    """counts() plus "skipped_documents", in one read-only visit."""
    with _connect(db_path, read_only=True) as conn:
        return _counts(conn, db_path)


def run_query(db_path, query: str, params=None, *, write=False):
    """Run one Cypher query; returns (column names, rows as lists).

    The query passes kg.graph.guard first: one statement, read clauses and
    listed functions only (write clauses too with write=True; file, extension
    and checkpoint statements never). Without write=True the database is
    also opened read-only.
    """
    from kg.graph import guard

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


# The writer's public names, reachable from here; its module loads on first use.
WRITER_NAMES = ("build_store", "build_lock", "pack_record")


def __getattr__(name):
    if name not in WRITER_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from kg.graph import store_write

    return getattr(store_write, name)
