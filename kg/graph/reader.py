"""What `kg lookup`, `kg viz` and `kg stats` read of a graph, from the store or from networkx.

`StoreReader` asks the embedded store with Cypher for just what a command
shows (entity names to search, one entity's facts and figures, the fact
edges to draw) instead of rebuilding the whole graph; `GraphReader` answers
the same questions from a networkx graph, for library users who hold one.
`reader(graph_or_db)` picks the right one. Neither imports networkx.
"""
from __future__ import annotations

from pathlib import Path

from kg.graph import cypher
from kg.graph.model import EDGE_PROPS, ENTITY_LABELS, ENTITY_PROPS, FACT_TYPES, NODE_PROPS

ENTITY_NODE_LABELS = tuple(ENTITY_LABELS.values())
_LABELS = set(ENTITY_NODE_LABELS)
_FACTS = set(FACT_TYPES)


class GraphReader:
    """The questions asked of a networkx MultiDiGraph."""

    def __init__(self, graph):
        self.g = graph

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def entities(self):
        """[(key, attributes)] of every entity node."""
        return [(k, d) for k, d in self.g.nodes(data=True) if d.get("label") in _LABELS]

    def node(self, key):
        return dict(self.g.nodes[key]) if key in self.g else None

    def facts_of(self, key):
        """[(head, tail, edge attributes)] of the fact edges at one node, either way."""
        out = [(key, v, d) for _, v, d in self.g.out_edges(key, data=True) if d.get("type") in _FACTS]
        return out + [(u, key, d) for u, _, d in self.g.in_edges(key, data=True) if d.get("type") in _FACTS]

    def fact_edges(self):
        """[(head, tail, edge attributes)] of every fact edge."""
        return [(u, v, d) for u, v, d in self.g.edges(data=True) if d.get("type") in _FACTS]

    def metrics_of(self, keys):
        """{subject key: [Metric attributes (with its key)]}."""
        keys = set(keys)
        out = {}
        for u, v, d in self.g.edges(data=True):
            if d.get("type") == "REPORTED" and u in keys:
                out.setdefault(u, []).append({"key": v, **self.g.nodes[v]})
        return out

    def mentions_of(self, key, limit=None):
        """MENTIONED_IN edge attributes of one entity, by document then article."""
        found = [d for _, _, d in self.g.out_edges(key, data=True) if d.get("type") == "MENTIONED_IN"]
        found.sort(key=lambda m: (str(m.get("doc")), m["article"] if isinstance(m.get("article"), int) else -1))
        return found[:limit] if limit else found

    def degrees(self, keys):
        return {k: self.g.degree(k) for k in keys}


class StoreReader:
    """The same questions, asked of the embedded store (read-only) with Cypher."""

    def __init__(self, db_path):
        from kg.graph.store import _connect

        self.db = Path(db_path)
        self._cm = _connect(self.db, read_only=True)
        self.conn = self._cm.__enter__()
        self._entities = None
        self._labels = {}

    def close(self):
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
            self._cm = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _rows(self, statement, params=None):
        from kg.graph.store import StoreError, _one_line

        try:
            result = self.conn.execute(statement, params or {})
        except RuntimeError as exc:
            raise StoreError(f"{self.db}: not a kg graph database ({_one_line(exc)})") from None
        rows = []
        while result.has_next():
            rows.append(result.get_next())
        return rows

    def entities(self):
        if self._entities is None:
            props = list(ENTITY_PROPS)
            self._entities = []
            for label in ENTITY_NODE_LABELS:
                for row in self._rows(cypher.entity_rows(label, props)):
                    self._entities.append((row[0], {"label": label, **dict(zip(props, row[1:]))}))
                    self._labels[row[0]] = label
        return self._entities

    def _label(self, key):
        if not self._labels:
            self.entities()
        return self._labels.get(key)

    def node(self, key):
        label = self._label(key)
        if label is None:
            return None
        props = list(NODE_PROPS[label])
        rows = self._rows(cypher.node_by_key(label, props), {"key": key})
        return {"key": key, "label": label, **dict(zip(props, rows[0][1:]))} if rows else None

    def _facts(self, statement, params):
        out = []
        for etype in FACT_TYPES:
            props = list(EDGE_PROPS[etype])
            for row in self._rows(statement(etype, props), params):
                out.append((row[0], row[1], {"type": etype, "key": row[2], **dict(zip(props, row[3:]))}))
        return out

    def facts_of(self, key):
        return self._facts(cypher.facts_at_node, {"key": key})

    def fact_edges(self):
        return self._facts(cypher.all_facts, {})

    def metrics_of(self, keys):
        keys = list(keys)
        props = list(NODE_PROPS["Metric"])
        out = {}
        if keys:
            for row in self._rows(cypher.metrics_of_subjects(props), {"keys": keys}):
                out.setdefault(row[0], []).append({"key": row[1], "label": "Metric", **dict(zip(props, row[2:]))})
        return out

    def mentions_of(self, key, limit=None):
        props = list(EDGE_PROPS["MENTIONED_IN"])
        rows = self._rows(cypher.mentions_of(props, limit), {"key": key})
        return [{"type": "MENTIONED_IN", **dict(zip(props, row))} for row in rows]

    def degrees(self, keys):
        keys = list(keys)
        out = {k: 0 for k in keys}
        if keys:
            for key, n in self._rows(cypher.degrees(), {"keys": keys}):
                out[key] = n
        return out


def reader(graph):
    """A reader for a networkx graph, a store path, or a reader already."""
    if isinstance(graph, (GraphReader, StoreReader)):
        return graph
    if isinstance(graph, (str, Path)):
        return StoreReader(graph)
    return GraphReader(graph)
