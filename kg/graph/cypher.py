"""Every Cypher statement kg sends, built by pure functions.

All but `ladybug_schema` are plain openCypher that LadybugDB and Neo4j both
accept. Values always travel as parameters (`$rows`); only labels, edge types
and property names — which come from the schema in kg.graph.model, never from
input text — are spliced in, and they are checked and backtick-quoted first.
"""
from __future__ import annotations

import re

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# LadybugDB types for the property kinds declared in kg.graph.model.
LADYBUG_TYPES = {"str": "STRING", "int": "INT64", "float": "DOUBLE", "list": "STRING[]", "blob": "BLOB"}

def q(name: str) -> str:
    """A label, type or property name, checked and backtick-quoted."""
    if not _IDENT.match(name):
        raise ValueError(f"not a safe Cypher identifier: {name!r}")
    return f"`{name}`"


def _assignments(props, var="n", row="row"):
    return ", ".join(f"{var}.{q(p)} = {row}.{q(p)}" for p in props)


def _map(props, row="row"):
    return ", ".join(f"{q(p)}: {row}.{q(p)}" for p in ["key", *props])


def create_nodes(label: str, props) -> str:
    """Create one node per row of $rows (each row: key + props)."""
    return f"UNWIND $rows AS row CREATE (n:{q(label)} {{{_map(props)}}})"


def merge_nodes(label: str, props) -> str:
    """Upsert nodes by key, overwriting the listed props (no `SET n += map`: LadybugDB lacks it)."""
    sets = f" SET {_assignments(props)}" if props else ""
    return f"UNWIND $rows AS row MERGE (n:{q(label)} {{key: row.key}}){sets}"


def create_edges(etype: str, start_label: str, end_label: str, props) -> str:
    """Create one edge per row of $rows (each row: source, target, key + props)."""
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{q(start_label)} {{key: row.source}}), (b:{q(end_label)} {{key: row.target}}) "
        f"CREATE (a)-[r:{q(etype)} {{{_map(props)}}}]->(b)"
    )


def merge_edges(etype: str, start_label: str, end_label: str, props) -> str:
    """Upsert edges by key between existing nodes, overwriting the listed props."""
    sets = f" SET {_assignments(props, var='r')}" if props else ""
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{q(start_label)} {{key: row.source}}), (b:{q(end_label)} {{key: row.target}}) "
        f"MERGE (a)-[r:{q(etype)} {{key: row.key}}]->(b){sets}"
    )


def count_nodes(label: str) -> str:
    return f"MATCH (n:{q(label)}) RETURN count(n) AS n"


def count_edges(etype: str) -> str:
    return f"MATCH ()-[r:{q(etype)}]->() RETURN count(r) AS n"


def ladybug_schema(node_props: dict, edge_props: dict, endpoints: dict, one_way=()) -> list[str]:
    """LadybugDB DDL: a node table per label (key is the primary key), a rel table per type.

    node_props: {label: {prop: kind}}; edge_props: {type: {prop: kind}};
    endpoints: {type: {(start label, end label), ...}}; kinds as in LADYBUG_TYPES.
    one_way: rel types stored in their own direction only (storage_direction 'fwd'):
    half the writing, and queries that walk them backwards still work, by a scan.
    Deleting such an edge's end node does not delete the edge: delete the edges first.
    """
    ddl = []
    for label, props in node_props.items():
        cols = ", ".join(f"{q(p)} {LADYBUG_TYPES[k]}" for p, k in props.items())
        ddl.append(f"CREATE NODE TABLE {q(label)}(key STRING PRIMARY KEY{', ' + cols if cols else ''})")
    for etype, pairs in endpoints.items():
        ends = ", ".join(f"FROM {q(a)} TO {q(b)}" for a, b in sorted(pairs))
        cols = "".join(f", {q(p)} {LADYBUG_TYPES[k]}" for p, k in edge_props.get(etype, {}).items())
        way = " WITH (storage_direction = 'fwd')" if etype in one_way else ""
        ddl.append(f"CREATE REL TABLE {q(etype)}({ends}, key STRING{cols}){way}")
    return ddl


def _tokens(text: str):
    """The query's tokens as kg.graph.guard reads them; [] for text it cannot read (the guard says why)."""
    from kg.graph.guard import tokens
    from kg.errors import KgError

    try:
        return tokens(text)
    except KgError:
        return []


def parameter_names(cypher: str) -> list[str]:
    """The $parameters a query uses, in order of first use (not those inside strings or comments)."""
    return list(dict.fromkeys(t.text for t in _tokens(cypher) if t.kind == "param"))


def missing_parameters(cypher: str, params) -> list[str]:
    """The $parameters a query uses that `params` does not give."""
    return [name for name in parameter_names(cypher) if name not in (params or {})]


# LadybugDB's parser reads these as keywords after a dot (r.end, a.index);
# kg's schema has properties with both names.
LADYBUG_KEYWORD_PROPERTIES = ("end", "index")
_INVALID_INPUT = re.compile(r"Invalid input <([^>]*)>")


def _properties(text: str) -> list[tuple[str, str]]:
    """(variable, property) of every unquoted `v.p` in text."""
    toks = _tokens(text)
    return [(toks[i - 1].text, toks[i + 1].text) for i in range(1, len(toks) - 1)
            if toks[i].kind == "punct" and toks[i].text == "." and toks[i - 1].kind == "word"
            and toks[i + 1].kind == "word"]


def keyword_hint(cypher: str, error: str) -> str | None:
    """A hint for a parser error caused by a property named like a keyword: write it in backticks."""
    if "Parser exception" not in error:
        return None
    found = []
    invalid = _INVALID_INPUT.search(error)
    if invalid:
        found += _properties(invalid.group(1))[-1:]  # the parser stopped at it
    found += [(v, p) for v, p in _properties(cypher) if p.lower() in LADYBUG_KEYWORD_PROPERTIES]
    found = list(dict.fromkeys(found))
    if not found:
        return None
    fixes = ", ".join(f"{v}.`{p}`" for v, p in found)
    return f"hint: a property named like a keyword needs backticks: write {fixes}"


# --- kg load: schema, replacing changed pages, counts (kg.graph.neo4j_loader) ---

def constraint_statement(label: str) -> str:
    """Neo4j 5: one unique `key` per label (also gives MERGE its index)."""
    return f"CREATE CONSTRAINT {q('kg_' + label.lower() + '_key')} IF NOT EXISTS FOR (n:{q(label)}) REQUIRE n.key IS UNIQUE"


def index_statement(label: str) -> str:
    """A plain index on `key`, for servers that reject constraints (FalkorDB)."""
    return f"CREATE INDEX FOR (n:{q(label)}) ON (n.key)"


def edge_constraint_statement(etype: str) -> str:
    """Neo4j 5.7+: one unique `key` per relationship type. The server then refuses a duplicate
    edge, and deleting edges by key (a changed page) is an index seek, not a scan per key."""
    return (f"CREATE CONSTRAINT {q('kg_' + etype.lower() + '_key')} IF NOT EXISTS "
            f"FOR ()-[r:{q(etype)}]-() REQUIRE r.key IS UNIQUE")


def edge_index_statement(etype: str) -> str:
    """A plain relationship index on `key`, for servers that reject the constraint (FalkorDB)."""
    return f"CREATE INDEX FOR ()-[r:{q(etype)}]-() ON (r.key)"


def document_hashes() -> str:
    return "UNWIND $keys AS k MATCH (d:Document {key: k}) RETURN d.key AS key, d.sha1 AS sha1"


def delete_doc_metrics() -> str:
    return "UNWIND $docs AS d MATCH (m:Metric {doc: d}) DETACH DELETE m"


def delete_doc_edges(etype: str) -> str:
    return f"MATCH ()-[r:{q(etype)}]->() WHERE r.doc IN $docs DELETE r"


def delete_doc_articles() -> str:
    return "UNWIND $docs AS d MATCH (a:Article {doc: d}) DETACH DELETE a"


def clear_doc_hashes() -> str:
    return "UNWIND $keys AS k MATCH (d:Document {key: k}) SET d.sha1 = null"


def set_doc_hashes() -> str:
    return "UNWIND $rows AS row MATCH (d:Document {key: row.key}) SET d.sha1 = row.sha1"


# Key lists come back as one collected list, not a row per key: the Python driver
# takes ~0.1 ms per record, so 80,000 single-key rows cost seconds, one list a tenth of that.

def doc_edge_keys(etype: str) -> str:
    return f"MATCH ()-[r:{q(etype)}]->() WHERE r.doc IN $docs RETURN collect(r.key) AS keys"


def doc_node_keys(label: str) -> str:
    return f"MATCH (n:{q(label)}) WHERE n.doc IN $docs RETURN collect(n.key) AS keys"


def delete_edges(etype: str) -> str:
    return f"UNWIND $keys AS k MATCH ()-[r:{q(etype)} {{key: k}}]->() DELETE r"


def unmentioned_entities(label: str) -> str:
    return f"MATCH (n:{q(label)}) WHERE NOT (n)-[:MENTIONED_IN]->() RETURN collect(n.key) AS keys"


def delete_nodes(label: str) -> str:
    return f"UNWIND $keys AS k MATCH (n:{q(label)} {{key: k}}) DETACH DELETE n"


def count_all_nodes() -> str:
    return "MATCH (n) RETURN count(n) AS n"


def count_all_relationships() -> str:
    return "MATCH ()-[r]->() RETURN count(r) AS n"


def probe_string_params() -> str:
    return "RETURN $probe AS probe"


# --- the embedded store's bulk and incremental writes (kg.graph.store) ---------------


def _string_literal(text: str) -> str:
    """A single-quoted Cypher string (LadybugDB reads backslash escapes inside one)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _copy_options(from_label, to_label) -> str:
    if from_label is None:
        return ""
    return f" (from={_string_literal(from_label)}, to={_string_literal(to_label)})"


def copy_from_param(table: str, param: str, from_label: str | None = None, to_label: str | None = None) -> str:
    """Bulk-load a node table (or one FROM/TO pair of a relation table) from an Arrow table parameter."""
    if not _IDENT.match(param):
        raise ValueError(f"not a safe parameter name: {param!r}")
    return f"COPY {q(table)} FROM ${param}{_copy_options(from_label, to_label)}"


def copy_from_file(table: str, path: str, from_label: str | None = None, to_label: str | None = None) -> str:
    """Bulk-load from a Parquet file kg wrote itself (the path is kg's own staging folder, escaped)."""
    return f"COPY {q(table)} FROM {_string_literal(str(path))}{_copy_options(from_label, to_label)}"


def table_info(table: str) -> str:
    return f"CALL TABLE_INFO({_string_literal(table)}) RETURN *"


def document_state() -> str:
    """What decides whether a document changed: its content hash, record digest and extractor fingerprint."""
    return "MATCH (d:Document) RETURN d.name AS name, d.sha1 AS sha1, d.digest AS digest, " \
           "d.fingerprint AS fingerprint, d.skipped AS skipped"


def document_entities() -> str:
    """Each document's entity lists (their id in the records file)."""
    return "MATCH (d:Document) RETURN d.name AS name, d.entity_lists AS entity_lists"


def document_entities_by_key() -> str:
    """document_entities of the documents keyed $keys."""
    return "MATCH (d:Document) WHERE d.key IN $keys RETURN d.name AS name, d.entity_lists AS entity_lists"


def node_labels_by_key() -> str:
    """The label of each node keyed $keys, whatever its table."""
    return "MATCH (n) WHERE n.key IN $keys RETURN n.key AS key, label(n) AS label"


def document_blobs() -> str:
    """The (compressed) records of some documents, in a store of a layout that kept them there."""
    return "MATCH (d:Document) WHERE d.key IN $keys RETURN d.name AS name, d.record AS record"


def document_digests() -> str:
    return "MATCH (d:Document) WHERE d.key IN $keys RETURN d.name AS name, d.digest AS digest"


def all_digests() -> str:
    """What of the records file the store names: each Document's record and entity lists."""
    return "MATCH (d:Document) RETURN d.digest AS digest, d.entity_lists AS entity_lists"


def document_names() -> str:
    return "MATCH (d:Document) RETURN d.name AS name ORDER BY name"


def entity_rows(label: str, props) -> str:
    cols = ", ".join(f"n.{q(p)}" for p in ["key", *props])
    return f"MATCH (n:{q(label)}) RETURN {cols}"


def entity_rows_by_key(label: str, props) -> str:
    cols = ", ".join(f"n.{q(p)}" for p in ["key", *props])
    return f"MATCH (n:{q(label)}) WHERE n.key IN $keys RETURN {cols}"


def facts_of_docs(etype: str) -> str:
    """Fact edges with a reading from any of $docs: ends, and the readings to rework."""
    return (f"MATCH (a)-[r:{q(etype)}]->(b) WHERE list_has_any(r.docs, $docs) "
            f"RETURN r.key, label(a), a.key, label(b), b.key, r.sentences, r.evidence")


def facts_by_key(etype: str) -> str:
    return (f"MATCH (a)-[r:{q(etype)}]->(b) WHERE r.key IN $keys "
            f"RETURN r.key, label(a), a.key, label(b), b.key, r.sentences, r.evidence")


_METRIC_RETURN = ("RETURN m.key, s.key, label(s), m.name, m.value, m.value_text, m.unit, m.as_of, "
                  "m.sentences, m.evidence")


def metrics_of_docs() -> str:
    return f"MATCH (m:Metric) WHERE list_has_any(m.docs, $docs) OPTIONAL MATCH (s)-[:REPORTED]->(m) {_METRIC_RETURN}"


def metrics_by_key() -> str:
    return f"MATCH (m:Metric) WHERE m.key IN $keys OPTIONAL MATCH (s)-[:REPORTED]->(m) {_METRIC_RETURN}"


def delete_edges_by_key(etype: str) -> str:
    return f"MATCH ()-[r:{q(etype)}]->() WHERE r.key IN $keys DELETE r"


def delete_nodes_by_key(label: str) -> str:
    return f"MATCH (n:{q(label)}) WHERE n.key IN $keys DETACH DELETE n"


def articles_of_docs(props) -> str:
    cols = ", ".join(f"a.{q(p)}" for p in ["key", *props])
    return f"MATCH (a:Article) WHERE a.doc IN $docs RETURN {cols}"


def mentions_of_docs(props) -> str:
    """Mentions in $docs: key, entity key, Article key, then `props`."""
    cols = ", ".join(f"m.{q(p)}" for p in props)
    return f"MATCH (e)-[m:MENTIONED_IN]->(a:Article) WHERE m.doc IN $docs RETURN m.key, e.key, a.key, {cols}"


def update_nodes(label: str, props) -> str:
    """Overwrite the listed props of nodes found by key (entity nodes whose merge changed)."""
    return f"UNWIND $rows AS row MATCH (n:{q(label)} {{key: row.key}}) SET {_assignments(props)}"


def update_edges(etype: str, from_label: str, props) -> str:
    """Overwrite the listed props of edges found by key, from their start node (found by key)."""
    return (f"UNWIND $rows AS row MATCH (:{q(from_label)} {{key: row.source}})-[r:{q(etype)}]->() "
            f"WHERE r.key = row.key SET {_assignments(props, var='r')}")


def count_skipped_documents() -> str:
    return "MATCH (d:Document) WHERE d.skipped IS NOT NULL RETURN count(d) AS n"


def show_connection(etype: str) -> str:
    """The (from table, to table) pairs a relation table allows."""
    return f"CALL SHOW_CONNECTION({_string_literal(etype)}) RETURN *"


# --- what `kg lookup` / `kg viz` read (kg.graph.reader) -------------------------------


def node_by_key(label: str, props) -> str:
    return f"MATCH (n:{q(label)}) WHERE n.key = $key RETURN " + ", ".join(f"n.{q(p)}" for p in ["key", *props])


def _edge_return(props) -> str:
    return "a.key, b.key, r.key" + "".join(f", r.{q(p)}" for p in props)


def facts_at_node(etype: str, props) -> str:
    """One fact type's edges at the node $key, either way."""
    return (f"MATCH (a)-[r:{q(etype)}]->(b) WHERE a.key = $key OR b.key = $key "
            f"RETURN {_edge_return(props)} ORDER BY r.key")


def all_facts(etype: str, props) -> str:
    return f"MATCH (a)-[r:{q(etype)}]->(b) RETURN {_edge_return(props)} ORDER BY r.key"


def metrics_of_subjects(props) -> str:
    """The figures the entities $keys reported: subject key, metric key, then props."""
    cols = "".join(f", m.{q(p)}" for p in props)
    return f"MATCH (s)-[:REPORTED]->(m:Metric) WHERE s.key IN $keys RETURN s.key, m.key{cols} ORDER BY m.key"


def mentions_of(props, limit=None) -> str:
    cols = ", ".join(f"r.{q(p)}" for p in props)
    tail = f" LIMIT {int(limit)}" if limit else ""
    return f"MATCH (e)-[r:MENTIONED_IN]->(:Article) WHERE e.key = $key RETURN {cols} ORDER BY r.doc, r.article{tail}"


def degrees() -> str:
    """How many edges each node $keys has, all types, either way."""
    return "MATCH (n)-[r]-() WHERE n.key IN $keys RETURN n.key, count(r)"


def show_tables() -> str:
    return "CALL SHOW_TABLES() RETURN *"


def comment_on_table(table: str, text: str) -> str:
    return f"COMMENT ON TABLE {q(table)} IS {_string_literal(text)}"


def count_nodes_by_label() -> str:
    return "MATCH (n) RETURN label(n) AS label, count(*) AS n"


def count_edges_by_type() -> str:
    return "MATCH ()-[r]->() RETURN label(r) AS type, count(*) AS n"
