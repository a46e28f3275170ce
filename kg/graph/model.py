"""The knowledge graph's schema, and the graph itself as a networkx MultiDiGraph.

The schema (labels, edge types, keys) and the cross-document merge rule are
written up in docs/GRAPH.md. The rules are applied in kg.graph.facts, which
`build_graph` here and the embedded store (kg.graph.store) both use, so every
store and export sees the same graph. networkx is imported by `build_graph`
only: the store and the commands that read it never load it.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from functools import lru_cache

ENTITY_LABELS = {
    "BRANCH": "Branch",
    "PARTNER": "Partner",
    "PRODUCT": "Product",
    "PROGRAM": "Program",
    "PERSON": "Person",
}
NODE_LABELS = (*ENTITY_LABELS.values(), "Metric", "Document", "Article")
FACT_TYPES = ("RUNS", "OFFERS", "PARTNERS_WITH", "FINANCES", "WORKS_AT", "PART_OF")
EDGE_TYPES = (*FACT_TYPES, "REPORTED", "MENTIONED_IN", "HAS_ARTICLE")

# Endpoint labels each edge type has by docs/FORMAT.md; stores declare these
# even when no record uses them so that queries naming them still bind.
ENDPOINTS = {
    "RUNS": {("Branch", "Program")},
    "OFFERS": {("Branch", "Product")},
    "PARTNERS_WITH": {("Branch", "Partner")},
    "FINANCES": {("Branch", "Partner"), ("Branch", "Program")},
    "WORKS_AT": {("Person", "Branch"), ("Person", "Partner")},
    "PART_OF": {("Branch", "Branch")},
    "REPORTED": {(label, "Metric") for label in ENTITY_LABELS.values()},
    "MENTIONED_IN": {(label, "Article") for label in ENTITY_LABELS.values()},
    "HAS_ARTICLE": {("Document", "Article")},
}

# A fact (one edge per type, head and tail) and a figure (one Metric per subject,
# name, value, unit and date) carry the evidence of every sentence that states
# them: the documents, the distinct sentences, how often they were read, and
# each reading as JSON (`evidence`, see docs/GRAPH.md). The other properties are
# those of the first reading (documents by name, then position).
EVIDENCE_PROPS = {"docs": "list", "sentences": "list", "count": "int", "evidence": "str"}
# What makes two figures one: the rest of a Metric's properties come from its readings.
METRIC_KEY_PROPS = ("name", "value", "value_text", "unit", "as_of")

# Property names and types per label / edge type; stores and exports type
# their columns from these (list = list of strings).
ENTITY_PROPS = {"name": "str", "qualified": "str", "aliases": "list", "region": "list", "docs": "list"}
NODE_PROPS = {
    **{label: ENTITY_PROPS for label in ENTITY_LABELS.values()},
    "Metric": {
        "name": "str", "value": "float", "value_text": "str", "unit": "str", "as_of": "str",
        "as_of_text": "str", "text": "str", "rank": "str", "doc": "str", "article": "int", "sentence": "str",
        "start": "int", "end": "int", "rule": "str", **EVIDENCE_PROPS,
    },
    "Document": {"name": "str", "path": "str", "sha1": "str", "chars": "int", "date": "str", "skipped": "str",
                 "page": "int"},  # page: a PDF page's number (name.pdf#p3), else none
    "Article": {"doc": "str", "index": "int", "title": "str", "subtitle": "str", "bylines": "list"},
}
_FACT_PROPS = {"doc": "str", "article": "int", "sentence": "str", "start": "int", "end": "int", "rule": "str"}
EDGE_PROPS = {
    **{t: {**_FACT_PROPS, **EVIDENCE_PROPS} for t in FACT_TYPES},
    "WORKS_AT": {**_FACT_PROPS, "title": "str", **EVIDENCE_PROPS},
    "REPORTED": {"doc": "str", "article": "int", "sentence": "str"},
    "MENTIONED_IN": {"text": "str", "doc": "str", "article": "int", "sentence": "str",
                     "start": "int", "end": "int", "rule": "str"},
    "HAS_ARTICLE": {"doc": "str"},
}

# A mention's span: its document, article, entity name and rank there; its key is a digest
# of the span and the entity's node key (kg.graph.facts.mention_key). Stores keep both forms
# in their layout signature, so a store keyed otherwise is written afresh.
MENTION_SPAN_KEY = "men:{doc}#{article}:{name}.{k}"
MENTION_KEY = "blake2b-72 base64url of {span}:{entity key}"

QUOTES = "“”\"‘’'《》「」『』【】〈〉"
_ORG_PREFIX = re.compile(r"^(中国邮政储蓄银行|邮储银行|中国邮政集团有限公司|中国邮政集团公司|中国邮政|邮政)")
_ORG_SUFFIX = re.compile(r"(邮政)?(分公司|支行|分行|营业所|营业部|网点|邮政局|支局|分局|公司|银行|所|局)$")


def norm(text) -> str:
    """NFKC, no whitespace, no quote marks: the scorer's comparison form."""
    return _norm(str(text or ""))


@lru_cache(maxsize=1 << 16)  # names recur on every page
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in QUOTES)


def stable_hash(*parts) -> str:
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]


def regions_compatible(a, b) -> bool:
    """True when one admin chain sits inside the other as a contiguous run.

    A chain that starts at a province can only match at the start (a prefix);
    one written without its province (["宜昌市"]) may match lower down.
    """
    a, b = tuple(a or ()), tuple(b or ())
    short, long_ = sorted((a, b), key=len)
    n = len(short)
    return any(long_[i:i + n] == short for i in range(len(long_) - n + 1))


def is_generic_branch(name) -> bool:
    """A branch name that says nothing of where it is (县分公司, 县支行, 城关支行)."""
    core = _ORG_PREFIX.sub("", norm(name))
    core = _ORG_SUFFIX.sub("", core)
    return len(core) <= 2


def resolve_entities(records) -> tuple[dict, dict]:
    """Merge entity occurrences across documents (docs/GRAPH.md, merge rule).

    Returns ({(doc, id): node key}, {node key: node attributes}).
    """
    from kg.graph.facts import entity_summaries, resolve

    latest = {r["doc"]: r for r in records}
    res = resolve({d: entity_summaries(r) for d, r in latest.items() if not r.get("skipped")})
    key_of = {}
    for doc, summaries in res.summaries.items():
        for ent, key in zip(summaries, res.keys[doc]):
            key_of[(doc, ent[0])] = key
    return key_of, res.nodes


def _add_edge(g, u, v, etype, key, **props):
    g.add_edge(u, v, key=key, type=etype, **props)
    g.edges[u, v, key]["key"] = key


def build_graph(records):
    """The networkx MultiDiGraph of a set of extraction records (one per document; the last record of a doc wins)."""
    import networkx as nx

    from kg.graph import facts

    latest = {}
    for rec in records:
        latest[rec["doc"]] = rec
    docs = sorted(latest)
    res = facts.resolve({d: facts.entity_summaries(latest[d]) for d in docs if not latest[d].get("skipped")})

    g = nx.MultiDiGraph()
    merged = facts.Merged()
    per_doc = []
    for doc in docs:
        found = facts.doc_facts(latest[doc])
        g.add_node(found.document["key"], label="Document", **found.document)
        per_doc.append(found)
    for key, props in res.nodes.items():
        g.add_node(key, key=key, **props)
    for found in per_doc:
        for row in found.articles:
            g.add_node(row["key"], label="Article", **row)
        for row in found.has_article:
            _add_edge(g, row["source"], row["target"], "HAS_ARTICLE", row["key"], **_props(row))
        keys = res.key_map(found.doc)
        for ent_id, _label, values in found.mentions:
            row = dict(zip(facts.MENTION_FIELDS, values))
            _add_edge(g, keys[ent_id], row["target"], "MENTIONED_IN", facts.mention_key(row["key"], keys[ent_id]),
                      **_props(row))
        merged.add(found, keys)
    for etype, row in merged.fact_rows():
        _add_edge(g, row["source"], row["target"], etype, row["key"], **_props(row))
    for metric, reported in merged.metric_rows():
        g.add_node(metric["key"], label="Metric", **metric)
        if reported:
            _add_edge(g, reported["source"], reported["target"], "REPORTED", reported["key"], **_props(reported))
    return g


def _props(row):
    return {k: v for k, v in row.items() if k not in ("source", "target", "key")}


def graph_counts(g) -> dict:
    """{"nodes": {label: n}, "edges": {type: n}} with every schema label/type present."""
    nodes = Counter(d["label"] for _, d in g.nodes(data=True))
    edges = Counter(d["type"] for _, _, d in g.edges(data=True))
    return {"nodes": {label: nodes.get(label, 0) for label in NODE_LABELS},
            "edges": {etype: edges.get(etype, 0) for etype in EDGE_TYPES}}
