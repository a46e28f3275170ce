"""Load the kg graph into FalkorDB over its own (Redis) protocol with the `falkordb` client.

Same statements and replacement rules as kg.graph.neo4j_loader (its `run_load`);
only the transport differs. Each GRAPH.QUERY runs atomically on the server,
so a batch is never half-applied; connection errors are retried with backoff.

URLs: `redis://host:port/graph` or `unix:///path/to/socket?graph=name`
(graph defaults to `kg`). The password is best given as `password=` (from
FALKORDB_PASSWORD or a config file, kg.graph.settings.falkordb_password), not
in the URL, where `ps` and shell history show it.
"""
from __future__ import annotations

import sys
import time
from urllib.parse import parse_qs, urlsplit

from kg.errors import KgError
from kg.graph.neo4j_loader import run_load
from kg.graph.settings import mask_secrets, redacted_uri

DEFAULT_BATCH = 5000
DEFAULT_GRAPH = "kg"
RETRIES = 4


class FalkorDBError(KgError):
    """The FalkorDB server could not be reached or failed the load."""


def parse_url(url: str) -> dict:
    """{"host", "port", "password", "unix_socket_path", "graph"} from a redis:// or unix:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        graph = parse_qs(parts.query).get("graph", [DEFAULT_GRAPH])[0]
        return {"unix_socket_path": parts.path, "graph": graph, "password": parts.password}
    if parts.scheme not in ("redis", "falkor", "falkordb"):
        raise FalkorDBError(f"{redacted_uri(url)}: expected redis://host:port/graph or unix:///socket?graph=name")
    try:
        port = parts.port or 6379
    except ValueError:
        raise FalkorDBError(f"{redacted_uri(url)}: bad port") from None
    return {"host": parts.hostname or "localhost", "port": port, "password": parts.password,
            "graph": parts.path.strip("/") or DEFAULT_GRAPH}


class FalkorBackend:
    """run_load's view of one FalkorDB graph."""

    def __init__(self, graph, url):
        self.graph, self.url = graph, url
        self.warned = False

    def _retry(self, call):
        from redis.exceptions import AuthenticationError, ConnectionError, TimeoutError

        for attempt in range(RETRIES):
            try:
                return call()
            except AuthenticationError:
                raise
            except (ConnectionError, TimeoutError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.2 * 2 ** attempt)

    def schema(self, statement) -> bool:
        from redis.exceptions import ResponseError

        try:
            self._retry(lambda: self.graph.query(statement))
            return True
        except ResponseError as exc:
            if "already indexed" in str(exc):
                return True
            if not self.warned and "INDEX" not in statement:
                print(f"warning: {redacted_uri(self.url)} rejects Neo4j constraints; indexing `key` instead",
                      file=sys.stderr)
                self.warned = True
            return False

    def write(self, statement, params, on_conflict=None):
        # on_conflict is never given here: FalkorDB has no uniqueness constraints, so run_load MERGEs.
        self._retry(lambda: self.graph.query(statement, params))

    def read(self, statement, params):
        result = self._retry(lambda: self.graph.ro_query(statement, params))
        names = [h[1] if isinstance(h, (list, tuple)) else h for h in result.header]
        return [dict(zip(names, row)) for row in result.result_set]


def load_graph_into_falkordb(graph, url, *, password=None, batch_size=DEFAULT_BATCH, progress=False) -> dict:
    """MERGE `graph` into the FalkorDB graph `url` names; returns counts and `seconds`.

    `password`, if given, is used instead of one in the URL.
    """
    from falkordb import FalkorDB
    from redis.exceptions import AuthenticationError, ConnectionError, RedisError, TimeoutError

    where = parse_url(url)
    if password:
        where["password"] = password
    shown = redacted_uri(url)

    def _one_line(exc) -> str:
        return " ".join(mask_secrets(str(exc), url, where["password"]).split())

    conn = {k: v for k, v in where.items() if k != "graph" and v is not None}
    db = None
    try:
        db = FalkorDB(socket_connect_timeout=5, **conn)
        return run_load(graph, FalkorBackend(db.select_graph(where["graph"]), url),
                        batch_size=batch_size, progress=progress)
    except AuthenticationError as exc:
        raise FalkorDBError(f"{shown}: authentication failed ({_one_line(exc)})") from None
    except (ConnectionError, TimeoutError) as exc:
        raise FalkorDBError(f"{shown}: cannot reach FalkorDB or the connection dropped ({_one_line(exc)})") from None
    except RedisError as exc:
        raise FalkorDBError(f"{shown}: the server failed a statement ({_one_line(exc)})") from None
    finally:
        if db is not None:
            db.close()
