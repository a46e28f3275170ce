"""The graph's content without networkx: entities across documents, what each document
adds, and facts and figures merged over every document that states them.

docs/GRAPH.md states the rules; this module applies them. `kg.graph.model.build_graph`
(networkx) and the embedded store (kg.graph.store, which writes and updates a
database document by document) both build on it, so a store updated in place
and a graph built afresh from the same records agree.

Three steps:
- `entity_summaries(record)`: what resolution needs of a document's entities,
  small enough to keep per document in the store;
- `resolve(summaries by doc)`: the cross-document merge rule → a node key for
  every entity of every document, and the entity nodes;
- `doc_facts(record)`: the document's own rows (its Document, Articles, mentions)
  and its readings of facts and figures, still naming entities by their record
  ids; `Merged` gathers readings from any number of documents into one edge per
  fact and one Metric per figure, and can drop one document's readings again.
"""
from __future__ import annotations

import binascii
import hashlib
import json
from collections import defaultdict
from functools import lru_cache

from kg.graph.model import (
    EDGE_PROPS, ENTITY_LABELS, EVIDENCE_PROPS, FACT_TYPES, MENTION_SPAN_KEY, METRIC_KEY_PROPS, NODE_PROPS,
    is_generic_branch, norm, regions_compatible, stable_hash,
)
from kg.lexicon import jsonl
from kg.nlp.records import RecordError
from kg.paths import config_dir

# Labels whose names are specific enough to merge by name when a region is unknown.
NAME_MERGE_LABELS = {"PROGRAM", "PRODUCT", "PARTNER", "PERSON"}
UNIT_WORDS = "unit_words.jsonl"


# ---------------------------------------------------------------- resolution


def entity_summaries(record) -> list[tuple]:
    """(id, label, name, qualified, aliases, region) for each entity of a record (doc_facts has them too)."""
    out = []
    for ent in record.get("entities") or []:
        label = ent.get("label")
        if label not in ENTITY_LABELS:
            raise RecordError(record["doc"], f"entity {ent.get('id')} has unknown label {label!r}")
        name = ent.get("name") or ""
        out.append((ent.get("id"), label, name, ent.get("qualified") or name,
                    tuple(a for a in (ent.get("aliases") or ()) if a),
                    tuple(r for r in (ent.get("region") or ()) if r)))
    return out


@lru_cache(maxsize=4)
def _unit_nodes(path: str) -> dict:
    """{norm(word or node name): node name} from config/unit_words.jsonl rows that name a node."""
    nodes = {}
    for row in jsonl(path, ("text",)):
        if row.get("node"):
            nodes[norm(row["text"])] = row["node"]
            nodes[norm(row["node"])] = row["node"]
    return nodes


def unit_nodes() -> dict:
    return _unit_nodes(str(config_dir() / UNIT_WORDS))


class _Sig:
    """One distinct entity as documents write it; identical occurrences share one."""

    __slots__ = ("label", "name", "qualified", "aliases", "region", "pinned", "first", "docs", "names")

    def __init__(self, label, name, qualified, aliases, region, pinned, first):
        self.label, self.name, self.qualified = label, name, qualified
        self.aliases, self.region, self.pinned, self.first = aliases, region, pinned, first
        self.docs = set()
        self.names = {norm(n) for n in [name, *aliases] if norm(n)}


class _Cluster:
    __slots__ = ("members", "regions", "docs", "pinned")

    def __init__(self, sig):
        self.members = [sig]
        self.regions = {sig.region} if sig.region else set()
        self.docs = set(sig.docs)
        self.pinned = sig.pinned


class _Resolver:
    """Union-find over distinct occurrences, refusing unions the merge rule forbids."""

    def __init__(self, sigs):
        self.parent = list(range(len(sigs)))
        self.clusters = {i: _Cluster(s) for i, s in enumerate(sigs)}
        self.sigs = sigs

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
        if by_name and not (a.regions and b.regions) and self.sigs[i].label not in NAME_MERGE_LABELS:
            return
        self.parent[rj] = ri
        a.members += b.members
        a.regions |= b.regions
        a.docs |= b.docs
        a.pinned = a.pinned or b.pinned
        del self.clusters[rj]


class Resolution:
    """Node keys of every document's entities, and the entity nodes."""

    def __init__(self, summaries, keys, nodes):
        self.summaries = summaries  # {doc: [summary, ...]}
        self.keys = keys            # {doc: [node key per summary]}
        self.nodes = nodes          # {node key: attributes}

    def key_map(self, doc) -> dict:
        """{entity id: node key} for one document."""
        return {ent[0]: key for ent, key in zip(self.summaries.get(doc, ()), self.keys.get(doc, ()))}


def resolve(summaries_by_doc: dict) -> Resolution:
    """Apply the merge rule to every document's entity summaries (docs/GRAPH.md).

    Documents are taken in name order, which fixes every tie; identical
    occurrences in many documents are one candidate, so the work grows with
    the distinct names, not with the pages repeating them.
    """
    units = unit_nodes()
    index, sigs, placement = {}, [], {}
    for doc in sorted(summaries_by_doc):
        row = []
        for ent_id, label, name, qualified, aliases, region in summaries_by_doc[doc]:
            region = tuple(region)
            aliases = tuple(aliases)
            org = False
            if label == "BRANCH" and not region:
                node = units.get(norm(qualified)) or units.get(norm(name))
                if node:  # 总行 on any page is the bank's head office (config/unit_words.jsonl)
                    org = True
                    aliases = tuple(dict.fromkeys(a for a in (name, *aliases) if norm(a) != norm(node)))
                    name = qualified = node
            pinned = label == "BRANCH" and not region and not org and is_generic_branch(qualified)
            sig = (label, name, qualified, aliases, region, doc if pinned else None)
            i = index.get(sig)
            if i is None:
                i = index[sig] = len(sigs)
                sigs.append(_Sig(label, name, qualified, aliases, region, pinned, (doc, str(ent_id))))
            sigs[i].docs.add(doc)
            row.append(i)
        placement[doc] = row

    uf = _Resolver(sigs)
    by_qualified, by_name, holders = defaultdict(list), defaultdict(list), defaultdict(list)
    for i, s in enumerate(sigs):
        by_qualified[(s.label, norm(s.qualified))].append(i)
        by_name[(s.label, norm(s.name))].append(i)
        for n in sorted(s.names):
            holders[(s.label, n)].append(i)
    # The loops skip only unions the rule refuses anyway, so the result is the same as trying
    # every pair; without that, a generic name on every page (县支行, pinned to each) would
    # make them quadratic in the pages.
    for group in by_qualified.values():
        free, pinned_by_doc = [], defaultdict(list)
        for n, j in enumerate(group):
            sj = sigs[j]
            if n:
                # a pinned occurrence merges only within its page
                candidates = free + pinned_by_doc.get(sj.first[0], []) if sj.pinned or len(sj.docs) == 1 else free
                for k in sorted(candidates):  # a refused union may still be allowed with another member
                    uf.union(k, j, by_name=False)
                    if uf.find(k) == uf.find(j):
                        break
            (pinned_by_doc[sj.first[0]] if sj.pinned else free).append(j)
    for name_key, named in by_name.items():
        # Roots, not occurrences: most occurrences of a name already share one node.
        targets = list(dict.fromkeys(uf.find(j) for j in named))
        if name_key[0] not in NAME_MERGE_LABELS:  # a branch merges by name only where both have regions
            targets = [t for t in targets if uf.clusters[uf.find(t)].regions]
            if not targets:
                continue
        for i in holders.get(name_key, ()):
            if name_key[0] not in NAME_MERGE_LABELS and not uf.clusters[uf.find(i)].regions:
                continue
            for t in targets:
                uf.union(i, t, by_name=True)

    nodes, key_of_root = {}, {}
    base = defaultdict(list)
    for root, cl in uf.clusters.items():
        ordered = sorted(cl.members, key=lambda m: m.first)
        rep = max(ordered, key=lambda m: len(norm(m.qualified)))
        base[f"{rep.label.lower()}:{norm(rep.qualified)}"].append((root, cl, ordered, rep))
    for bkey, group in base.items():
        for root, cl, ordered, rep in group:
            # sorted first: equally long regions must not depend on set order
            region = max(sorted(cl.regions), key=len) if cl.regions else ()
            key = bkey
            if cl.pinned:
                key = f"{bkey}@{min(cl.docs)}"
            elif len(group) > 1:
                key = f"{bkey}@{'/'.join(region) if region else min(cl.docs)}"
            while key in nodes:
                key += "+"
            aliases, seen = [], set()
            for m in [rep, *ordered]:
                for a in [m.name, *m.aliases]:
                    if norm(a) and norm(a) not in seen:
                        seen.add(norm(a))
                        aliases.append(a)
            nodes[key] = {
                "label": ENTITY_LABELS[rep.label], "name": rep.name, "qualified": rep.qualified,
                "aliases": aliases, "region": list(region), "docs": sorted(cl.docs),
            }
            key_of_root[root] = key
    keys = {doc: [key_of_root[uf.find(i)] for i in row] for doc, row in placement.items()}
    return Resolution({d: summaries_by_doc[d] for d in placement}, keys, nodes)


# ------------------------------------------------------- one document's rows


def fact_fields(etype: str) -> list[str]:
    """The properties of one reading of a fact, in stored order."""
    return [p for p in EDGE_PROPS[etype] if p not in EVIDENCE_PROPS]


METRIC_FIELDS = [p for p in NODE_PROPS["Metric"] if p not in EVIDENCE_PROPS and p not in METRIC_KEY_PROPS]
_FIELDS = {t: fact_fields(t) for t in FACT_TYPES}
_SENTENCE = {t: fact_fields(t).index("sentence") for t in FACT_TYPES}
_FACT_DOC = 0
assert all(fact_fields(t)[_FACT_DOC] == "doc" for t in FACT_TYPES)
_METRIC_DOC = METRIC_FIELDS.index("doc")
_METRIC_SENTENCE = METRIC_FIELDS.index("sentence")


# A mention row, after its entity: the Article it is in, its key (the span), then its properties.
MENTION_FIELDS = ["target", "key", *EDGE_PROPS["MENTIONED_IN"]]


class DocFacts:
    """What one record contributes: its own rows, and readings naming entities by record id.

    mentions: (entity id, label, values in MENTION_FIELDS order); facts: (type,
    head id, tail id, reading); metrics: (subject id or None, figure, reading);
    summaries: entity_summaries of the record, as tuples.
    """

    __slots__ = ("doc", "document", "articles", "has_article", "mentions", "facts", "metrics", "summaries")

    def __init__(self, doc):
        self.doc = doc
        self.document = None
        self.articles, self.has_article, self.mentions = [], [], []
        self.facts, self.metrics, self.summaries = [], [], []


def doc_key(doc) -> str:
    return f"doc:{doc}"


def doc_facts(record, strings: dict | None = None) -> DocFacts:
    """A record's rows: Document, Articles, HAS_ARTICLE, MENTIONED_IN (by entity id) and readings.

    `strings`, if given, makes equal names and sentences one object across
    records (a build holds many readings until the end; pages repeat reports).
    """
    doc = record["doc"]
    out = DocFacts(doc)
    dkey = doc_key(doc)
    out.document = {"key": dkey, **{p: record.get(p) for p in NODE_PROPS["Document"]}}
    out.document.update(name=doc, skipped=record.get("skipped") or None)
    if record.get("skipped"):
        return out
    same = strings.setdefault if strings is not None else (lambda s, _d: s)
    articles = {}
    for art in record.get("articles") or []:
        index = art.get("index")
        if isinstance(index, int):
            articles[index] = {"key": f"art:{doc}#{index}", "doc": doc, "index": index, "title": art.get("title"),
                               "subtitle": art.get("subtitle"), "bylines": list(art.get("bylines") or [])}
    ids = set()
    seen = set()
    nth = {}
    append = out.mentions.append
    summaries = out.summaries
    for ent in record.get("entities") or []:
        ent_id, label = ent.get("id"), ent.get("label")
        if label not in ENTITY_LABELS:
            raise RecordError(doc, f"entity {ent_id} has unknown label {label!r}")
        ids.add(ent_id)
        name = ent.get("name") or ""
        summaries.append((ent_id, label, name, ent.get("qualified") or name,
                          tuple(filter(None, ent.get("aliases") or ())),
                          tuple(filter(None, ent.get("region") or ()))))
        for m in ent.get("mentions") or ():
            get = m.get
            index = get("article")
            if type(index) is not int and not isinstance(index, int):
                continue
            art = articles.get(index)
            if art is None:  # a provenance index the record did not list: a bare Article
                art = articles[index] = {"key": f"art:{doc}#{index}", "doc": doc, "index": index,
                                         "title": None, "subtitle": None, "bylines": []}
            start, end = get("start"), get("end")
            span = (start, end) if type(start) is int and type(end) is int else None
            if span is not None:
                if span in seen:  # one span, one mention
                    continue
                seen.add(span)
            # A mention is the k-th of its entity's name in its article, not its offsets: a
            # corrected figure that lengthens the page moves every later offset, and a key
            # that moved with them would delete and create every later mention (the closing
            # checkpoint rewrites a table per edge deleted) instead of setting their offsets.
            # `mention_key` adds the entity's node key once it is known.
            k = nth[index, name] = nth.get((index, name), -1) + 1  # (two entities one name: still unique)
            mkey = MENTION_SPAN_KEY.format(doc=doc, article=index, name=name, k=k)
            sentence = get("sentence")
            append((ent_id, label, (art["key"], mkey, get("text"), doc, index,
                                    same(sentence, sentence), start, end, get("rule"))))

    def ref(value, what):
        ref_id = value.get("id") if isinstance(value, dict) else None
        if ref_id not in ids:
            raise RecordError(doc, f"{what} refers to entity id {ref_id!r}, which the record does not list")
        return ref_id

    for n, rel in enumerate(record.get("relations") or ()):
        etype = rel.get("type")
        if etype not in FACT_TYPES:
            raise RecordError(doc, f"relation {n} has unknown type {etype!r}")
        head = ref(rel.get("head"), f"relation {n} head")
        tail = ref(rel.get("tail"), f"relation {n} tail")
        reading = [rel.get(p) for p in _FIELDS[etype]]
        reading[_FACT_DOC] = doc
        s = reading[_SENTENCE[etype]]
        reading[_SENTENCE[etype]] = same(s, s)
        out.facts.append((etype, head, tail, tuple(reading)))
    for met in record.get("metrics") or ():
        subject = met.get("subject")
        sid = ref(subject, f"metric {met.get('name')!r} subject") if subject else None
        value = met.get("value")
        value_text = met.get("value_text") if met.get("value_text") is not None \
            else (str(value) if value is not None else None)
        figure = (met.get("name"), float(value) if isinstance(value, (int, float)) else None, value_text,
                  met.get("unit"), met.get("as_of"))
        reading = [met.get(p) for p in METRIC_FIELDS]
        reading[_METRIC_DOC] = doc
        s = reading[_METRIC_SENTENCE]
        reading[_METRIC_SENTENCE] = same(s, s)
        out.metrics.append((sid, same(figure, figure), tuple(reading)))
    out.articles = [articles[i] for i in sorted(articles)]
    out.has_article = [{"source": dkey, "target": a["key"], "key": f"has:{doc}#{a['index']}", "doc": doc}
                       for a in out.articles]
    return out


def mention_key(span_key: str, entity_key: str) -> str:
    """A MENTIONED_IN edge's key: its span and its entity, so a mention that moves to
    another node (the merge changed) is another edge for stores that MERGE by key.

    A digest of the two (model.MENTION_KEY), 12 characters: LadybugDB keeps strings of up to
    12 bytes inline, and a COPY of a store's largest table, its mentions, then holds ~40 MB
    less at 1,000 pages (their `doc`, `article` and `text` say what the span did). 72 bits:
    a million mentions share a key with odds of about one in ten billion.
    """
    digest = hashlib.blake2b(f"{span_key}:{entity_key}".encode("utf-8"), digest_size=9).digest()
    return binascii.b2a_base64(digest, newline=False).translate(_URL_SAFE).decode("ascii")


_URL_SAFE = bytes.maketrans(b"+/", b"-_")  # base64url, as base64.urlsafe_b64encode (a fifth quicker)


# ------------------------------------------------------- merged facts


def fact_key(etype, head, tail) -> str:
    return "rel:" + stable_hash(etype, head, tail)


def metric_key(subject, figure, doc) -> str:
    name, _value, value_text, unit, as_of = figure
    # A figure with no subject says nothing that another page could repeat: it stays its page's.
    return "metric:" + stable_hash(subject, name, value_text, unit, as_of, None if subject else doc)


def _num(v):
    return v if isinstance(v, int) else -1


class _Entry:
    __slots__ = ("what", "readings")

    def __init__(self, what):
        self.what = what      # (type, head, tail) or (subject, figure)
        self.readings = []


class Merged:
    """Readings of facts and figures from any number of documents, merged by key.

    One edge per (type, head, tail) and one Metric per (subject, name, value,
    unit, as_of); `drop_docs` takes documents' readings out again (a changed
    or removed page in an incremental build).
    """

    def __init__(self):
        self.facts: dict[str, _Entry] = {}
        self.metrics: dict[str, _Entry] = {}
        self._strings: dict = {}  # one object per distinct sentence: pages repeat reports
        self._keys: dict = {}     # the key of each (type, head, tail) / figure seen: hashing is not free

    def _intern(self, reading, sentence_at):
        if sentence_at is None or reading[sentence_at] is None:
            return reading
        s = reading[sentence_at]
        s = self._strings.setdefault(s, s)
        return reading[:sentence_at] + (s,) + reading[sentence_at + 1:]

    def add_fact(self, etype, head, tail, reading):
        if head == tail:  # both ends resolved to one node: no fact left to state
            return
        what = (etype, head, tail)
        key = self._keys.get(what)
        if key is None:
            key = self._keys[what] = fact_key(etype, head, tail)
        entry = self.facts.get(key)
        if entry is None:
            entry = self.facts[key] = _Entry((etype, head, tail))
        entry.readings.append(reading)

    def add_metric(self, subject, figure, reading):
        what = (subject, figure, None if subject else reading[_METRIC_DOC])
        key = self._keys.get(what)
        if key is None:
            key = self._keys[what] = metric_key(subject, figure, reading[_METRIC_DOC])
        entry = self.metrics.get(key)
        if entry is None:
            entry = self.metrics[key] = _Entry((subject, figure))
        entry.readings.append(reading)

    def add(self, found: DocFacts, keys: dict):
        """A document's readings, its entity ids mapped to node keys by `keys`."""
        for etype, head, tail, reading in found.facts:
            self.add_fact(etype, keys[head], keys[tail], reading)
        for sid, figure, reading in found.metrics:
            self.add_metric(keys[sid] if sid is not None else None, figure, reading)

    def drop_docs(self, docs):
        """Forget every reading from `docs`; entries left with none disappear from the rows."""
        docs = set(docs)
        for entries, at in ((self.facts, _FACT_DOC), (self.metrics, _METRIC_DOC)):
            for entry in entries.values():
                entry.readings = [r for r in entry.readings if r[at] not in docs]

    def fact_rows(self):
        """(type, row) per fact with readings: source, target, key and EDGE_PROPS, sorted by key."""
        for key in sorted(self.facts):
            entry = self.facts[key]
            etype, head, tail = entry.what
            fields = fact_fields(etype)
            readings = _ordered(entry.readings, fields)
            if not readings:
                continue
            row = {"source": head, "target": tail, "key": key, **dict(zip(fields, readings[0]))}
            row.update(_evidence(readings, fields))
            if etype == "WORKS_AT":  # the first reading that gives a title
                row["title"] = next((r[fields.index("title")] for r in readings if r[fields.index("title")]), None)
            yield etype, row

    def metric_rows(self):
        """(Metric row, REPORTED row or None) per figure with readings, sorted by key."""
        for key in sorted(self.metrics):
            entry = self.metrics[key]
            subject, figure = entry.what
            readings = _ordered(entry.readings, METRIC_FIELDS)
            if not readings:
                continue
            first = dict(zip(METRIC_FIELDS, readings[0]))
            row = {"key": key, **dict(zip(METRIC_KEY_PROPS, figure)), **first}
            row.update(_evidence(readings, METRIC_FIELDS))
            row = {p: row.get(p) for p in ["key", *NODE_PROPS["Metric"]]}
            reported = None
            if subject is not None:
                reported = {"source": subject, "target": key, "key": "rep:" + key[len("metric:"):],
                            **{p: first.get(p) for p in EDGE_PROPS["REPORTED"]}}
            yield row, reported

    def load_fact(self, etype, head, tail, key, sentences, evidence):
        """A stored fact edge's readings, back from its `sentences` and `evidence` properties."""
        entry = self.facts.setdefault(key, _Entry((etype, head, tail)))
        entry.readings.extend(self._intern(r, _SENTENCE[etype])
                              for r in _readings(evidence, sentences, fact_fields(etype)))

    def load_metric(self, subject, figure, key, sentences, evidence):
        entry = self.metrics.setdefault(key, _Entry((subject, figure)))
        entry.readings.extend(self._intern(r, _METRIC_SENTENCE)
                              for r in _readings(evidence, sentences, METRIC_FIELDS))




def _ordered(readings, fields):
    """Readings by document, article and position, one per place in a document.

    The rest of a reading breaks ties, so the order (and the reading kept for a
    place) never depends on the order readings came in: a store updated in
    place and one built afresh agree.
    """
    d, a, s, e, rest = _order_at(tuple(fields))

    def place(r):
        return (r[d] or "", _num(r[a]), _num(r[s]), _num(r[e]))

    def whole(r):
        return (*place(r), *[_text(r[i]) for i in rest])

    # The whole key (every field as text) is only built where two readings share a place:
    # a fact's readings rarely do, and building it for each was a tenth of a build's store stage.
    kept = {}
    for r in readings:
        at = (r[d], r[a], r[s], r[e])
        other = kept.get(at)
        if other is None or whole(r) < whole(other):
            kept[at] = r
    out = sorted(kept.values(), key=place)
    if any(place(x) == place(y) for x, y in zip(out, out[1:])):
        out.sort(key=whole)
    return out


@lru_cache(maxsize=None)
def _order_at(fields: tuple):
    d, a, s, e = (fields.index(p) for p in ("doc", "article", "start", "end"))
    return d, a, s, e, [i for i in range(len(fields)) if i not in (d, a, s, e)]


def _text(v) -> str:
    return "" if v is None else v if type(v) is str else str(v)


def _evidence(readings, fields) -> dict:
    """docs, sentences, count and evidence (JSON: field names, then each reading with its
    sentence as an index into `sentences`) of ordered readings."""
    s_at, d_at = fields.index("sentence"), fields.index("doc")
    sentences, index = [], {}
    items = []
    for r in readings:
        s = r[s_at]
        if s is not None and s not in index:
            index[s] = len(sentences)
            sentences.append(s)
        items.append([index.get(s) if i == s_at else v for i, v in enumerate(r)])
    return {
        "docs": sorted({r[d_at] for r in readings}),
        "sentences": sentences,
        "count": len(readings),
        "evidence": _compact_json({"fields": fields, "readings": items}),
    }


def _compact_json(value) -> str:
    """JSON without spaces, non-ASCII as it is (orjson: evidence is written for every fact)."""
    import orjson

    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _readings(evidence, sentences, fields):
    """Readings from a stored `evidence` JSON, mapped onto the current `fields`."""
    data = json.loads(evidence)
    stored = data["fields"]
    at = {f: i for i, f in enumerate(stored)}
    out = []
    for item in data["readings"]:
        values = []
        for f in fields:
            v = item[at[f]] if f in at else None
            if f == "sentence" and isinstance(v, int):
                v = sentences[v]
            values.append(v)
        out.append(tuple(values))
    return out
