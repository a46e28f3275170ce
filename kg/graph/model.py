"""The knowledge graph as a networkx MultiDiGraph, built from extraction records.

The schema (labels, edge types, keys) and the cross-document merge rule are
written up in docs/GRAPH.md; `build_graph` is the only place that applies them,
so every store and export sees the same graph.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict

import networkx as nx

from kg.nlp.records import RecordError

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

# Property names and types per label / edge type; stores and exports type
# their columns from these (list = list of strings).
ENTITY_PROPS = {"name": "str", "qualified": "str", "aliases": "list", "region": "list", "docs": "list"}
NODE_PROPS = {
    **{label: ENTITY_PROPS for label in ENTITY_LABELS.values()},
    "Metric": {
        "name": "str", "value": "float", "value_text": "str", "unit": "str", "as_of": "str",
        "as_of_text": "str", "text": "str", "rank": "str", "doc": "str", "article": "int", "sentence": "str",
        "start": "int", "end": "int", "rule": "str",
    },
    "Document": {"name": "str", "path": "str", "sha1": "str", "chars": "int", "date": "str", "skipped": "str",
                 "page": "int"},  # page: a PDF page's number (name.pdf#p3), else none
    "Article": {"doc": "str", "index": "int", "title": "str", "subtitle": "str", "bylines": "list"},
}
_FACT_PROPS = {"doc": "str", "article": "int", "sentence": "str", "start": "int", "end": "int", "rule": "str"}
EDGE_PROPS = {
    **{t: _FACT_PROPS for t in FACT_TYPES},
    "WORKS_AT": {**_FACT_PROPS, "title": "str"},
    "REPORTED": {"doc": "str", "article": "int", "sentence": "str"},
    "MENTIONED_IN": {"text": "str", "doc": "str", "article": "int", "sentence": "str",
                     "start": "int", "end": "int", "rule": "str"},
    "HAS_ARTICLE": {"doc": "str"},
}

QUOTES = "“”\"‘’'《》「」『』【】〈〉"
# Labels whose names are specific enough to merge by name when a region is unknown.
NAME_MERGE_LABELS = {"PROGRAM", "PRODUCT", "PARTNER", "PERSON"}
_ORG_PREFIX = re.compile(r"^(中国邮政储蓄银行|邮储银行|中国邮政集团有限公司|中国邮政集团公司|中国邮政|邮政)")
_ORG_SUFFIX = re.compile(r"(邮政)?(分公司|支行|分行|营业所|营业部|网点|邮政局|支局|分局|公司|银行|所|局)$")


def norm(text) -> str:
    """NFKC, no whitespace, no quote marks: the scorer's comparison form."""
    text = unicodedata.normalize("NFKC", str(text or ""))
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


class _Cluster:
    __slots__ = ("members", "regions", "docs", "pinned")

    def __init__(self, occ):
        self.members = [occ]
        self.regions = {occ["region"]} if occ["region"] else set()
        self.docs = {occ["doc"]}
        # A region-less branch with a generic name is only known inside its page.
        self.pinned = occ["label"] == "BRANCH" and not occ["region"] and is_generic_branch(occ["qualified"])


class _Resolver:
    """Union-find over entity occurrences, refusing unions the merge rule forbids."""

    def __init__(self, occurrences):
        self.parent = list(range(len(occurrences)))
        self.clusters = {i: _Cluster(o) for i, o in enumerate(occurrences)}
        self.occ = occurrences

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i, j, *, by_name):
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return
        a, b = self.clusters[ri], self.clusters[rj]
        if (a.pinned or b.pinned) and (a.docs | b.docs) != (a.docs & b.docs):
            return
        if not all(regions_compatible(x, y) for x in a.regions for y in b.regions):
            return
        if by_name and not (a.regions and b.regions) and self.occ[i]["label"] not in NAME_MERGE_LABELS:
            return
        self.parent[rj] = ri
        a.members += b.members
        a.regions |= b.regions
        a.docs |= b.docs
        a.pinned = a.pinned or b.pinned
        del self.clusters[rj]


def _occurrences(records):
    occ = []
    for rec in records:
        for ent in rec.get("entities") or []:
            label = ent.get("label")
            if label not in ENTITY_LABELS:
                raise RecordError(rec["doc"], f"entity {ent.get('id')} has unknown label {label!r}")
            name = ent.get("name") or ""
            qualified = ent.get("qualified") or name
            aliases = [a for a in (ent.get("aliases") or []) if a]
            occ.append({
                "doc": rec["doc"], "id": ent.get("id"), "label": label, "name": name,
                "qualified": qualified, "aliases": aliases,
                "region": tuple(r for r in (ent.get("region") or []) if r),
                "names": {norm(n) for n in [name, *aliases] if norm(n)},
            })
    return occ


def resolve_entities(records) -> tuple[dict, dict]:
    """Merge entity occurrences across documents.

    Returns ({(doc, id): node key}, {node key: node attributes}).
    """
    occ = _occurrences(records)
    uf = _Resolver(occ)
    by_qualified = defaultdict(list)
    by_name = defaultdict(list)
    for i, o in enumerate(occ):
        by_qualified[(o["label"], norm(o["qualified"]))].append(i)
        by_name[(o["label"], norm(o["name"]))].append(i)
    for group in by_qualified.values():
        for n, j in enumerate(group[1:], 1):
            for k in group[:n]:  # a refused union may still be allowed with another member
                uf.union(k, j, by_name=False)
                if uf.find(k) == uf.find(j):
                    break
    holders = defaultdict(list)  # (label, name or alias) -> occurrences using it
    for i, o in enumerate(occ):
        for n in sorted(o["names"]):
            holders[(o["label"], n)].append(i)
    for name_key, named in by_name.items():
        # Roots, not occurrences: most occurrences of a name already share one node.
        targets = list(dict.fromkeys(uf.find(j) for j in named))
        for i in holders.get(name_key, ()):
            for t in targets:
                uf.union(i, t, by_name=True)

    nodes, key_of = {}, {}
    base = defaultdict(list)
    for root, cl in uf.clusters.items():
        ordered = sorted(cl.members, key=lambda m: (m["doc"], str(m["id"])))
        rep = max(ordered, key=lambda m: len(norm(m["qualified"])))
        base[f"{rep['label'].lower()}:{norm(rep['qualified'])}"].append((cl, rep))
    for bkey, group in base.items():
        for cl, rep in group:
            region = max(cl.regions, key=len) if cl.regions else ()
            key = bkey
            if cl.pinned:
                key = f"{bkey}@{min(cl.docs)}"
            elif len(group) > 1:
                key = f"{bkey}@{'/'.join(region) if region else min(cl.docs)}"
            while key in nodes:
                key += "+"
            aliases, seen = [], set()
            for m in [rep] + sorted(cl.members, key=lambda m: (m["doc"], str(m["id"]))):
                for a in [m["name"], *m["aliases"]]:
                    if norm(a) and norm(a) not in seen:
                        seen.add(norm(a))
                        aliases.append(a)
            nodes[key] = {
                "label": ENTITY_LABELS[rep["label"]], "name": rep["name"],
                "qualified": rep["qualified"], "aliases": aliases,
                "region": list(region), "docs": sorted(cl.docs),
            }
            for m in cl.members:
                key_of[(m["doc"], m["id"])] = key
    return key_of, nodes


def _add_edge(g, u, v, etype, key, **props):
    g.add_edge(u, v, key=key, type=etype, **props)
    g.edges[u, v, key]["key"] = key


def _ref_key(key_of, rec, ref, what):
    ref_id = ref.get("id") if isinstance(ref, dict) else None
    try:
        return key_of[(rec["doc"], ref_id)]
    except KeyError:
        raise RecordError(rec["doc"], f"{what} refers to entity id {ref_id!r}, which the record does not list") from None


def _article_key(g, doc, index):
    """The Article node for a provenance index, created bare if the record did not list it."""
    if not isinstance(index, int):
        return None
    key = f"art:{doc}#{index}"
    if key not in g:
        g.add_node(key, key=key, label="Article", doc=doc, index=index, title=None, subtitle=None, bylines=[])
        _add_edge(g, f"doc:{doc}", key, "HAS_ARTICLE", f"has:{doc}#{index}", doc=doc)
    return key


def build_graph(records) -> nx.MultiDiGraph:
    """The graph of a set of extraction records (one per document; the last record of a doc wins)."""
    latest = {}
    for rec in records:
        latest[rec["doc"]] = rec
    records = [latest[d] for d in sorted(latest)]
    live = [r for r in records if not r.get("skipped")]
    key_of, entities = resolve_entities(live)

    g = nx.MultiDiGraph()
    for rec in records:
        doc = rec["doc"]
        g.add_node(f"doc:{doc}", key=f"doc:{doc}", label="Document", name=doc, path=rec.get("path"),
                   sha1=rec.get("sha1"), chars=rec.get("chars"), date=rec.get("date"),
                   skipped=rec.get("skipped") or None, page=rec.get("page"))
    for key, props in entities.items():
        g.add_node(key, key=key, **props)

    for rec in live:
        doc = rec["doc"]
        for art in rec.get("articles") or []:
            if isinstance(art.get("index"), int):
                key = _article_key(g, doc, art["index"])
                g.nodes[key].update(title=art.get("title"), subtitle=art.get("subtitle"),
                                    bylines=list(art.get("bylines") or []))
        for ent in rec.get("entities") or []:
            ekey = key_of[(doc, ent.get("id"))]
            for m in ent.get("mentions") or []:
                akey = _article_key(g, doc, m.get("article"))
                if akey is None:
                    continue
                mkey = "men:" + stable_hash(ekey, doc, m.get("article"), m.get("start"), m.get("end"))
                if not g.has_edge(ekey, akey, mkey):
                    _add_edge(g, ekey, akey, "MENTIONED_IN", mkey, text=m.get("text"), doc=doc,
                              article=m.get("article"), sentence=m.get("sentence"),
                              start=m.get("start"), end=m.get("end"), rule=m.get("rule"))
        for n, rel in enumerate(rec.get("relations") or []):
            etype = rel.get("type")
            if etype not in FACT_TYPES:
                raise RecordError(doc, f"relation {n} has unknown type {etype!r}")
            head = _ref_key(key_of, rec, rel.get("head"), f"relation {n} head")
            tail = _ref_key(key_of, rec, rel.get("tail"), f"relation {n} tail")
            if head == tail:  # both ends resolved to one node: no fact left to state
                continue
            rkey = "rel:" + stable_hash(etype, head, tail, doc)
            if g.has_edge(head, tail, rkey):
                continue
            props = {p: rel.get(p) for p in ("article", "sentence", "start", "end", "rule")}
            if etype == "WORKS_AT":
                props["title"] = rel.get("title")
            _add_edge(g, head, tail, etype, rkey, doc=doc, **props)
        for met in rec.get("metrics") or []:
            subject = met.get("subject")
            skey = _ref_key(key_of, rec, subject, f"metric {met.get('name')!r} subject") if subject else None
            mkey = "metric:" + stable_hash(doc, skey, met.get("name"), met.get("value_text"),
                                           met.get("unit"), met.get("as_of"), met.get("start"))
            if mkey in g:
                continue
            value = met.get("value")
            g.add_node(mkey, key=mkey, label="Metric", name=met.get("name"),
                       value=float(value) if isinstance(value, (int, float)) else None,
                       value_text=met.get("value_text") if met.get("value_text") is not None
                       else (str(value) if value is not None else None),
                       unit=met.get("unit"), as_of=met.get("as_of"), as_of_text=met.get("as_of_text"),
                       text=met.get("text"),
                       rank=met.get("rank"), doc=doc, article=met.get("article"),
                       sentence=met.get("sentence"), start=met.get("start"), end=met.get("end"),
                       rule=met.get("rule"))
            if skey:
                _add_edge(g, skey, mkey, "REPORTED", "rep:" + mkey[len("metric:"):], doc=doc,
                          article=met.get("article"), sentence=met.get("sentence"))
    return g


def graph_counts(g) -> dict:
    """{"nodes": {label: n}, "edges": {type: n}} with every schema label/type present."""
    nodes = Counter(d["label"] for _, d in g.nodes(data=True))
    edges = Counter(d["type"] for _, _, d in g.edges(data=True))
    return {"nodes": {label: nodes.get(label, 0) for label in NODE_LABELS},
            "edges": {etype: edges.get(etype, 0) for etype in EDGE_TYPES}}
