"""Run one Cypher query on a Neo4j server (official driver), shaped like kg.graph.store.run_query.

Read-only by default: kg.graph.guard refuses a query with a write clause,
more than one statement, a procedure or function not known to be read-only
(apoc writers, apoc.cypher.*, LOAD CSV …) before anything is sent, and the
rest runs in a READ session (`execute_read`), which Neo4j itself also
enforces. `write=True` uses a WRITE session (`execute_write`); file and
database statements are refused even then.
Nodes, relationships and paths come back as dicts in the embedded store's
shape (`_ID`, `_LABEL`, `_SRC`/`_DST`, `_NODES`/`_RELS`), so the same
formatters print both.
"""
from __future__ import annotations

from kg.graph import guard
from kg.graph.neo4j_loader import (Neo4jError, _one_line, escape_for_unescaping_server, server_session,
                             probe_string_params, translate_error)

DURING = "while running the query"


def check_read_only(query: str, write: bool) -> None:
    """Neo4jError when kg.graph.guard refuses the query (the embedded store's message, word for word)."""
    try:
        guard.check_query(query, write=write)
    except guard.QueryRefused as exc:
        raise Neo4jError(str(exc)) from None


def _plain(value):
    """Driver graph types as dicts/lists; everything else unchanged."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_ID": value.element_id, "_LABEL": ":".join(sorted(value.labels)),
                **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_SRC": value.start_node.element_id if value.start_node else None,
                "_DST": value.end_node.element_id if value.end_node else None,
                "_LABEL": value.type, "_ID": value.element_id,
                **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"_NODES": [_plain(n) for n in value.nodes],
                "_RELS": [_plain(r) for r in value.relationships]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _needs_escape_probe(value) -> bool:
    if isinstance(value, str):
        return "'" in value or "\\" in value
    if isinstance(value, (list, tuple)):
        return any(_needs_escape_probe(v) for v in value)
    if isinstance(value, dict):
        return any(_needs_escape_probe(v) for v in value.values())
    return False


def _run(driver, settings, query, params, write):
    import neo4j

    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    options = {"default_access_mode": mode}
    if settings.database:
        options["database"] = settings.database

    def work(tx):
        result = tx.run(query, params)
        columns = list(result.keys())
        return columns, [[_plain(v) for v in record.values()] for record in result]

    with driver.session(**options) as session:
        if _needs_escape_probe(params):
            # FalkorDB's Bolt bridge reads backslash escapes in string parameters
            # (see kg.graph.neo4j_loader); only quotes and backslashes are affected.
            echoed = session.execute_read(lambda tx: tx.run(probe_string_params(), {"probe": "\\'"}).single()[0])
            if echoed == "'":
                params = escape_for_unescaping_server(params)
        return (session.execute_write if write else session.execute_read)(work)


def _translate(exc, settings) -> BaseException:
    import neo4j.exceptions as nx

    uri = settings.redacted_uri()
    if isinstance(exc, (nx.ServiceUnavailable, nx.SessionExpired, OSError)):
        return Neo4jError(f"{uri}: the server dropped the connection {DURING} ({_one_line(exc, settings)})")
    if isinstance(exc, nx.Neo4jError) and not isinstance(exc, nx.AuthError):
        return Neo4jError(f"{uri}: {exc.code}: {_one_line(exc.message or exc, settings)}")
    return translate_error(exc, settings, during=DURING)


def run_query(settings, query: str, params=None, *, write=False, driver=None):
    """Run one Cypher query on the server `settings` names; returns (column names, rows as lists).

    Without write=True a query with a write clause is refused (Neo4jError)
    before connecting. Pass an open `driver` to reuse it (it is left open).
    """
    check_read_only(query, write)
    with server_session(settings, driver, translate=lambda exc: _translate(exc, settings), pool_size=1) as drv:
        return _run(drv, settings, query, dict(params or {}), write)
