"""Load the kg graph into a Neo4j server over Bolt (official `neo4j` driver).

The load is idempotent: nodes and relationships are MERGEd on their `key`.
A document whose sha1 on the server differs from the graph's has its old
facts (metrics, fact and mention edges, articles) deleted before the new
ones are written, and entities left with no mention are removed afterwards.
Each batch is one `execute_write` transaction, which the driver retries on
transient errors; a Document's sha1 is written last, so a load cut short is
redone (not skipped) by the next one.

The statements are pure functions in kg.graph.cypher; `plan`/`run_load` are shared with
kg.graph.falkordb_loader, which sends the same statements over FalkorDB's own protocol.
"""
from __future__ import annotations

import sys
import time
from collections import defaultdict
from contextlib import contextmanager

from kg.graph import cypher
from kg.graph.cypher import (  # noqa: F401  (re-exported: kg.graph.neo4j_query uses probe_string_params)
    clear_doc_hashes, constraint_statement, count_all_nodes, count_all_relationships, delete_doc_articles,
    delete_doc_edges, delete_doc_metrics, delete_edges, delete_nodes, doc_edge_keys, doc_node_keys,
    document_hashes, edge_constraint_statement, edge_index_statement, index_statement, probe_string_params,
    set_doc_hashes, unmentioned_entities)
from kg.errors import KgError
from kg.graph.model import EDGE_PROPS, EDGE_TYPES, ENTITY_LABELS, NODE_LABELS, NODE_PROPS
from kg.graph.settings import mask_secrets

DEFAULT_BATCH = 5000
# Neo4j runs each transaction on one core: two write transactions at once keep a
# two-core server busy (bench/graphbench.py: about 1.4x the rows/s of one on the
# 10 MB page's graph). FalkorDB's Bolt bridge gets one.
DEFAULT_WORKERS = 2
# FalkorDB's Bolt bridge (FalkorDB 4.x) crashes on parameters over ~4 KB. When the
# string probe shows that bridge (see Neo4jBackend), each batch is cut into pieces
# whose parameters stay under this many bytes of JSON; a row over it goes alone.
FALKOR_BOLT_PARAM_BYTES = 3000
# Relations that carry the `doc` of the page they were read from.
DOC_EDGE_TYPES = tuple(t for t in EDGE_TYPES if t != "HAS_ARTICLE")


class Neo4jError(KgError):
    """The Neo4j server could not be reached, refused the login, or failed the load."""


# --- statements: pure functions in kg.graph.cypher ---------------------------

# --- rows --------------------------------------------------------------------

def node_rows(graph) -> dict[str, list[dict]]:
    """{label: [row]} with the schema's props; Documents without sha1 (written last)."""
    rows = defaultdict(list)
    for key, data in graph.nodes(data=True):
        label = data["label"]
        props = [p for p in NODE_PROPS.get(label, {}) if p != "sha1"]
        rows[label].append({"key": key, **{p: data.get(p) for p in props}})
    return rows


def edge_rows(graph) -> dict[tuple[str, str, str], list[dict]]:
    """{(type, start label, end label): [row]}."""
    rows = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        etype = data["type"]
        group = (etype, graph.nodes[u]["label"], graph.nodes[v]["label"])
        rows[group].append({"source": u, "target": v, "key": data["key"],
                            **{p: data.get(p) for p in EDGE_PROPS.get(etype, {})}})
    return rows


def chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def escape_for_unescaping_server(value):
    """Backslash-escape quotes and backslashes in every string, for a server whose Bolt
    bridge splices string parameters into single-quoted literals (FalkorDB 4.x)."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list):
        return [escape_for_unescaping_server(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_for_unescaping_server(v) for k, v in value.items()}
    return value


def split_params(params: dict, limit: int) -> list[dict]:
    """`params` cut on its list value (rows, keys or docs) into pieces of at most `limit`
    bytes of JSON each (a single larger item goes alone); other params go unchanged."""
    import json

    lists = [k for k, v in params.items() if isinstance(v, list)]
    if len(lists) != 1:
        return [params]
    name = lists[0]
    pieces, piece, size = [], [], 1  # size: the piece as compact JSON, brackets and commas included
    for item in params[name]:
        n = len(json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")) + 1
        if piece and size + n > limit:
            pieces.append(piece)
            piece, size = [], 1
        piece.append(item)
        size += n
    if piece or not pieces:
        pieces.append(piece)
    return [{**params, name: p} for p in pieces]


# --- the load, independent of the wire protocol ------------------------------

def _collected(rows) -> list:
    """The keys of `RETURN collect(…) AS keys` answers (one row each; a split read gives several)."""
    return [k for row in rows for k in (row["keys"] or [])]


def _write_batches(backend, statement, batches, on_conflict=None) -> None:
    """Each batch of rows as one transaction, `backend.workers` of them at once where it
    has more than one (their order does not matter: each row names its own key; a
    deadlock between two is retried by the driver)."""
    workers = getattr(backend, "workers", 1)
    if workers <= 1 or len(batches) < 2:
        for batch in batches:
            backend.write(statement, {"rows": batch}, on_conflict=on_conflict)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(backend.write, statement, {"rows": b}, on_conflict) for b in batches]:
            done.result()


def run_load(graph, backend, *, batch_size=DEFAULT_BATCH, progress=False) -> dict:
    """Write `graph` through `backend` (see Neo4jBackend) and return counts and timings.

    backend.schema(statement) may fail (returns False); backend.write(statement, params,
    on_conflict=None) runs one transaction (redone with the `on_conflict` statement when
    the server refuses it for a uniqueness constraint); backend.read(statement, params)
    returns a list of dicts.
    """
    if batch_size < 1:
        raise KgError(f"batch size must be at least 1, not {batch_size}")
    say = (lambda msg: print(msg, file=sys.stderr)) if progress else (lambda msg: None)
    started = time.perf_counter()
    for label in NODE_LABELS:
        if not backend.schema(constraint_statement(label)):
            backend.schema(index_statement(label))
    # With a unique key per relationship type the server refuses a duplicate edge, so
    # edges it does not hold yet can be CREATEd (a third cheaper than MERGE on Neo4j 5);
    # should one exist after all, the batch is redone with MERGE. Without (FalkorDB), MERGE.
    unique_edges = True
    for etype in EDGE_TYPES:
        if not backend.schema(edge_constraint_statement(etype)):
            unique_edges = False
            backend.schema(edge_index_statement(etype))

    docs = {k: d for k, d in graph.nodes(data=True) if d["label"] == "Document"}
    stored = {}
    for keys in chunks(sorted(docs), batch_size):
        stored.update({r["key"]: r["sha1"] for r in backend.read(document_hashes(), {"keys": keys})})
    changed = sorted(k for k in stored if stored[k] != docs[k].get("sha1"))
    for keys in chunks(changed, batch_size):
        names = [docs[k]["name"] for k in keys]
        backend.write(clear_doc_hashes(), {"keys": keys})
        backend.write(delete_doc_metrics(), {"docs": names})
        for etype in DOC_EDGE_TYPES:
            backend.write(delete_doc_edges(etype), {"docs": names})
        backend.write(delete_doc_articles(), {"docs": names})
    if changed:
        say(f"replacing {len(changed)} changed document(s)")

    # The edges the server holds for the graph's documents: every edge key names its
    # document (kg.graph.model), so these include every graph edge already there.
    names = sorted(d["name"] for d in docs.values())
    held = {etype: set() for etype in EDGE_TYPES}
    for docs_chunk in chunks(names, batch_size):
        for etype in EDGE_TYPES:
            held[etype].update(_collected(backend.read(doc_edge_keys(etype), {"docs": docs_chunk})))

    nodes, edges, batches = 0, 0, 0
    for label, rows in sorted(node_rows(graph).items()):
        statement = cypher.merge_nodes(label, [p for p in rows[0] if p != "key"])
        parts = list(chunks(rows, batch_size))
        _write_batches(backend, statement, parts)
        nodes += len(rows)
        batches += len(parts)
        say(f"{label}: {len(rows)} nodes")
    for (etype, start, end), rows in sorted(edge_rows(graph).items()):
        props = [p for p in rows[0] if p not in ("source", "target", "key")]
        merge = cypher.merge_edges(etype, start, end, props)
        if unique_edges:
            new = [r for r in rows if r["key"] not in held[etype]]
            parts = [(cypher.create_edges(etype, start, end, props), new, merge),
                     (merge, [r for r in rows if r["key"] in held[etype]], None)]
        else:
            parts = [(merge, rows, None)]
        for statement, part, on_conflict in parts:
            pieces = list(chunks(part, batch_size))
            _write_batches(backend, statement, pieces, on_conflict)
            edges += len(part)
            batches += len(pieces)
        say(f"{etype} ({start}→{end}): {len(rows)} relationships")

    # Entity keys come from cross-document resolution, so a page's facts can
    # move to another key even when its sha1 did not change: whatever the
    # server holds for the graph's documents that the graph lacks goes.
    edge_keys = {k for _, _, k in graph.edges(keys=True)}
    for etype in DOC_EDGE_TYPES:
        for keys in chunks(sorted(held[etype] - edge_keys), batch_size):
            backend.write(delete_edges(etype), {"keys": keys})
    for docs_chunk in chunks(names, batch_size):
        for label in ("Metric", "Article"):
            stale = [k for k in _collected(backend.read(doc_node_keys(label), {"docs": docs_chunk}))
                     if k not in graph]
            for keys in chunks(stale, batch_size):
                backend.write(delete_nodes(label), {"keys": keys})

    removed = 0
    for label in ENTITY_LABELS.values():
        orphans = [k for k in _collected(backend.read(unmentioned_entities(label), {})) if k not in graph]
        for keys in chunks(orphans, batch_size):
            backend.write(delete_nodes(label), {"keys": keys})
        removed += len(orphans)
    for batch in chunks([{"key": k, "sha1": d.get("sha1")} for k, d in sorted(docs.items())], batch_size):
        backend.write(set_doc_hashes(), {"rows": batch})

    seconds = time.perf_counter() - started
    return {
        "nodes": nodes, "relationships": edges, "batches": batches,
        "replaced_documents": len(changed), "removed_entities": removed,
        "server_nodes": backend.read(count_all_nodes(), {})[0]["n"],
        "server_relationships": backend.read(count_all_relationships(), {})[0]["n"],
        "seconds": seconds, "rows_per_second": (nodes + edges) / seconds if seconds else 0.0,
    }


# --- Bolt --------------------------------------------------------------------

class Neo4jBackend:
    """run_load's view of a Neo4j server: one driver, one database, retried write transactions."""

    def __init__(self, driver, settings, workers=1):
        self.driver, self.settings, self.workers = driver, settings, workers
        self.warned = False
        self.escape = False
        self.escape = self._server_unescapes_strings()
        if self.escape:
            self.workers = 1  # FalkorDB's Bolt bridge: one transaction at a time

    def _session(self):
        return self.driver.session(database=self.settings.database) if self.settings.database \
            else self.driver.session()

    def _server_unescapes_strings(self) -> bool:
        # Neo4j echoes a string parameter as sent; FalkorDB's Bolt bridge reads
        # backslash escapes in it (and fails on a bare quote), so it needs escaping.
        with self._session() as s:
            echoed = s.execute_read(lambda tx: tx.run(probe_string_params(), {"probe": "\\'"}).single()[0])
        return echoed == "'"

    def _pieces(self, params) -> list[dict]:
        """The parameters to send: as given to Neo4j; to FalkorDB's bridge escaped, in small pieces."""
        if not self.escape:
            return [params]
        return [escape_for_unescaping_server(p) for p in split_params(params, FALKOR_BOLT_PARAM_BYTES)]

    def schema(self, statement) -> bool:
        import neo4j.exceptions as nx

        try:
            with self._session() as s:
                s.run(statement).consume()
            return True
        except (nx.ClientError, nx.DatabaseError) as exc:
            if not self.warned:
                print(f"warning: {self.settings.redacted_uri()} does not accept schema statements "
                      f"({_one_line(exc.message or exc)}); loading without constraints", file=sys.stderr)
                self.warned = True
            return False

    def write(self, statement, params, on_conflict=None):
        import neo4j.exceptions as nx

        with self._session() as s:
            for piece in self._pieces(params):
                try:
                    s.execute_write(lambda tx, p=piece: tx.run(statement, p).consume())
                except nx.ConstraintError:
                    # A CREATE met an edge already there (e.g. a commit whose reply was lost,
                    # then retried by the driver): the same rows again, with MERGE.
                    if on_conflict is None:
                        raise
                    s.execute_write(lambda tx, p=piece: tx.run(on_conflict, p).consume())

    def read(self, statement, params):
        rows = []
        with self._session() as s:
            for piece in self._pieces(params):
                rows += s.execute_read(lambda tx, p=piece: [r.data() for r in tx.run(statement, p)])
        return rows


def _one_line(exc, settings=None) -> str:
    """The message on one line, with the URI's password field and the auth value masked (drivers echo them)."""
    text = str(exc)
    if settings is not None:
        text = mask_secrets(text, settings.uri, settings.password)
    return " ".join(text.split())


# What kg speaks: Bolt, direct (bolt) or routed (neo4j), plain or TLS.
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_bolt_uri(settings) -> None:
    """Neo4jError for an HTTP address: the Neo4j Browser's address (http://host:7474) is easily
    pasted for the Bolt one, and driver 6 would take it for its optional HTTP API (needing aiohttp)."""
    from urllib.parse import urlsplit

    scheme = urlsplit(settings.uri).scheme.lower() if "://" in settings.uri else ""
    if scheme in ("http", "https"):
        raise Neo4jError(f"{settings.redacted_uri()}: an HTTP address (the Neo4j Browser's?); kg talks to Neo4j "
                         f"over Bolt: use bolt://HOST:7687 or neo4j://HOST:7687")


def open_driver(settings, *, pool_size=None):
    """A connected driver, or Neo4jError naming the (redacted) URI and what went wrong."""
    import neo4j

    check_bolt_uri(settings)
    # Notifications off: the server's hints ("property sha1 does not exist" on a first load)
    # would reach the user's terminal as driver log warnings, and they cost a little per query.
    options = {"connection_timeout": settings.connection_timeout,
               "max_transaction_retry_time": settings.max_retry_time,
               "notifications_min_severity": "OFF"}
    if pool_size:
        options["max_connection_pool_size"] = pool_size
    try:
        driver = neo4j.GraphDatabase.driver(settings.uri, auth=settings.auth(), **options)
    except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
        raise Neo4jError(f"{settings.redacted_uri()}: not a usable Neo4j URI ({_one_line(exc, settings)})") from None
    try:
        driver.verify_connectivity()
    except BaseException as exc:
        driver.close()
        raise translate_error(exc, settings, during="connecting") from None
    return driver


def translate_error(exc, settings, *, during) -> BaseException:
    """One-line Neo4jError for a driver exception (others are returned unchanged)."""
    import neo4j.exceptions as nx

    uri = settings.redacted_uri()
    if isinstance(exc, nx.AuthError):
        return Neo4jError(f"{uri}: authentication failed for user {settings.username!r} "
                          f"(check NEO4J_USERNAME / NEO4J_PASSWORD)")
    if isinstance(exc, (nx.ServiceUnavailable, nx.SessionExpired, OSError)):
        if during == "connecting":
            return Neo4jError(f"{uri}: cannot reach the Neo4j server ({_one_line(exc, settings)})")
        return Neo4jError(f"{uri}: the server dropped the connection {during}; completed batches "
                          f"are kept, run `kg load` again to finish ({_one_line(exc, settings)})")
    if isinstance(exc, nx.Neo4jError):
        return Neo4jError(f"{uri}: the server failed a statement {during} ({exc.code}: {_one_line(exc.message, settings)})")
    if isinstance(exc, nx.DriverError):
        return Neo4jError(f"{uri}: {type(exc).__name__} {during} ({_one_line(exc, settings)})")
    return exc


@contextmanager
def server_session(settings, driver=None, *, translate, pool_size=None):
    """Yield a driver (the one given, left open; else a new one, closed after) and turn
    driver exceptions into one-line errors with `translate(exc)`."""
    own = driver is None
    if own:
        driver = open_driver(settings, pool_size=pool_size)
    try:
        yield driver
    except Exception as exc:
        translated = translate(exc)
        if translated is exc:
            raise
        raise translated from None
    finally:
        if own:
            driver.close()


def load_graph_into_neo4j(graph, settings, *, batch_size=DEFAULT_BATCH, progress=False, driver=None,
                          workers=DEFAULT_WORKERS) -> dict:
    """MERGE `graph` into the server `settings` names; returns counts and `seconds`.

    Pass an open `driver` to reuse it (it is left open); otherwise one is opened and closed here.
    """
    with server_session(settings, driver,
                        translate=lambda exc: translate_error(exc, settings, during="during the load")) as drv:
        return run_load(graph, Neo4jBackend(drv, settings, workers), batch_size=batch_size, progress=progress)
