"""From per-article findings to one document record (docs/FORMAT.md).

The pipeline works article by article; the record has one entity per
real-world thing per document. Mentions join into one entity when one refers
to the other (anaphora, declared short names, level names), when they are the
same text under one label, when two unit names name one unit (kg.nlp.names), or
when a programme or product name contains the other's (茶旅融合 in
茶旅融合系列贷款). The canonical name is the longest surface form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal

from kg.nlp.components.span_writer import MENTIONS_KEY, METRICS_KEY, RELATIONS_KEY
from kg.nlp.mentions import Layout, Mention, Metric, Relation
from kg.lexicon import abbreviator
from kg.nlp.dates import parse_date
from kg.nlp.dates import resolve as resolve_date
from kg.nlp.names import same_body, same_unit, unit_from_plain
from kg.paths import config_dir
from kg.nlp.numbers import normalize, to_json_number

CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
PHASE = re.compile(r"[（(][^）)]{1,8}[）)]$")


@dataclass
class ArticleFacts:
    """What a page (or a chunk of one) yielded, detached from its spaCy Doc.

    Offsets are page-global; `index` is the page-wide number of the chunk's
    first article, `articles[i]` the article of mention i, `chains` the admin
    chain each article's units place it in (恩施州 for 州分公司 in an article
    about 湖北省宜昌市).
    """

    index: int
    start: int
    mentions: list = field(default_factory=list)  # (Mention, sentence)
    relations: list = field(default_factory=list)  # (Relation, sentence, article)
    metrics: list = field(default_factory=list)  # (Metric, sentence, article)
    resolved: list = field(default_factory=list)  # mention index → index of the mention it stands for
    articles: list = field(default_factory=list)  # mention index → page-wide article index
    chains: dict = field(default_factory=dict)  # page-wide article index → admin chain


def facts_from_doc(doc, index: int, start: int, shared: dict | None = None) -> ArticleFacts:
    """Detach a page's findings from its Doc (the plain data kg_span_writer left).

    A long page repeats names thousands of times: `shared` (one dict per page)
    lets every mention of a name point to one text and one parsed name, so the
    memory held until the page is assembled grows with the facts, not with
    their repetitions.
    """
    lay = Layout(doc)
    facts = ArticleFacts(index, start)
    shared = {} if shared is None else shared
    for m_start, m_end, label, name, rule, kind, ref, info in doc.user_data.get(MENTIONS_KEY) or ():
        info = info or {}
        key = (label, name, info.get("collective"))
        cached = shared.get(key)
        if cached is None:
            info = dict(info)
            if "unit" in info:
                info["unit"] = unit_from_plain(info["unit"])
            cached = shared[key] = (name, info)
        text, info = cached
        m = Mention(m_start, m_end, label, text, rule, kind or "name", info,
                    ref if ref is not None and ref >= 0 else None)
        article = index + lay.article_index(m.start)
        facts.mentions.append((m, lay.sentence_text(m.start)))
        facts.articles.append(article)
        unit = info.get("unit")
        if unit is not None and unit.chain and article not in facts.chains:
            facts.chains[article] = unit.chain
    facts.resolved = [_follow(facts.mentions, i) for i in range(len(facts.mentions))]
    for row in doc.user_data.get(RELATIONS_KEY, []):
        rtype, head, tail, s, e, rule, title = row
        facts.relations.append((Relation(rtype, head, tail, s, e, rule, title), lay.sentence_text(s),
                                index + lay.article_index(s)))
    for row in doc.user_data.get(METRICS_KEY, []):
        subject, name, value, unit, as_of, text, s, e, rule, rank, value_max = row
        metric = Metric(subject, name, Decimal(value), unit, as_of, text, s, e, rule, rank,
                        None if value_max is None else Decimal(value_max))
        facts.metrics.append((metric, lay.sentence_text(s), index + lay.article_index(s)))
    return facts


def _follow(mentions, i):
    seen = set()
    while mentions[i][0].refers is not None and i not in seen:
        seen.add(i)
        i = mentions[i][0].refers
    return i


class _Union:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _no_controls(name: str) -> str:
    return _CONTROLS.sub("", name)


def _core(name: str) -> str:
    return PHASE.sub("", name)


def _same_item(a: str, b: str) -> bool:
    ca, cb = _core(a), _core(b)
    short, long_ = sorted((ca, cb), key=len)
    return len(short) >= 3 and short in long_


def assemble(doc_name: str, articles: list[ArticleFacts], *, path=None, sha1=None, chars=0,
             article_meta=(), date=None, date_from=None) -> dict:
    """The record of one document; `date` (YYYY-MM-DD, or None when it cannot be
    known) places its figures' 今年, 3月25日 … on the calendar (kg.nlp.dates)."""
    doc_date = parse_date(date)
    uf = _Union()
    live = {}  # (article, mention index) → Mention, for standing names
    for a in articles:
        for i, (m, _) in enumerate(a.mentions):
            if m.dropped:
                continue
            key = (a.index, i)
            target = (a.index, a.resolved[i])
            uf.union(key, target)
            if m.kind in ("name", "collective", "alias") or (m.kind == "level" and m.refers is None):
                live[key] = m
    keys = list(live)
    # Same text under one label is one entity; other pairs are compared once
    # per distinct name, so a long page with many repeats stays cheap.
    first_of = {}
    for key in keys:
        m = live[key]
        rep = first_of.setdefault((m.label, m.text, m.info.get("collective")), key)
        uf.union(rep, key)
    by_label: dict = {}
    for rep in first_of.values():
        by_label.setdefault(live[rep].label, []).append(rep)
    for reps in by_label.values():  # names of different labels are never one entity
        for x, y in _candidate_pairs(reps, live):
            if _same_mention(live[x], live[y]):
                uf.union(x, y)
    clusters: dict = {}
    for key in keys:
        clusters.setdefault(uf.find(key), []).append(key)
    # Entities in order of first mention.
    ordered = sorted(clusters.values(), key=lambda ks: min((k[0], live[k].start) for k in ks))
    article_by_index = {a.index: a for a in articles}
    entity_of = {}  # union-find root → entity id
    entities = []
    spoken = {}  # union-find root → every surface form but anaphors, in text order
    for a in articles:
        for i, (m, _) in enumerate(a.mentions):
            if not m.dropped and m.kind != "anaphor":
                forms = spoken.setdefault(uf.find((a.index, i)), [])
                if m.text not in forms:
                    forms.append(m.text)
    for eid, ks in enumerate(ordered):
        names = list(spoken.get(uf.find(ks[0]), []))
        for k in sorted(ks, key=lambda k: (k[0], live[k].start)):
            if live[k].text not in names:
                names.append(live[k].text)
        # The longest name, written in Chinese where one is (not the bracketed Latin one).
        canonical = max(names, key=lambda n: (bool(CJK_CHAR.search(n)), len(n)))
        first = live[ks[0]]
        label = first.label
        best = max(ks, key=lambda k: len(live[k].text))
        unit = live[best].info.get("unit")
        region, qualified = [], canonical
        if unit is not None and label in ("BRANCH", "PARTNER"):
            facts = article_by_index[best[0]]
            chain = facts.chains.get(facts.articles[best[1]], ())
            region = list(unit.chain) or ([c for c in chain] if unit.level else [])
            if live[best].info.get("collective") == "邮银":
                qualified = "".join(unit.chain or unit.regions) + "邮银"
            elif unit.suffix or unit.level:
                qualified = unit.qualified(chain if unit.level or not unit.chain else ())
        # Control characters (a NUL or ESC in the page) never reach a name: GraphML and
        # the graph servers reject them.
        canonical, qualified = _no_controls(canonical), _no_controls(qualified)
        aliases = list(dict.fromkeys([canonical] + [_no_controls(n) for n in names]))
        entity = {"id": eid, "label": label, "name": canonical, "aliases": aliases,
                  "qualified": qualified, "region": region, "mentions": []}
        entities.append(entity)
        entity_of[uf.find(ks[0])] = eid
    for a in articles:
        for i, (m, sentence) in enumerate(a.mentions):
            eid = None if m.dropped else entity_of.get(uf.find((a.index, i)))
            if eid is None:
                continue
            entities[eid]["mentions"].append({
                "text": m.text, "article": a.articles[i], "sentence": sentence,
                "start": a.start + m.start, "end": a.start + m.end, "rule": m.rule})

    def ref(article, index):
        eid = entity_of.get(uf.find((article, index)))
        if eid is None:
            return None
        e = entities[eid]
        return {"id": e["id"], "name": e["name"], "label": e["label"]}

    rels, seen = [], set()
    for a in articles:
        for r, sentence, article in a.relations:
            head, tail = ref(a.index, r.head), ref(a.index, r.tail)
            if not head or not tail or head["id"] == tail["id"]:
                continue
            key = (r.type, head["id"], tail["id"])
            if key in seen:
                continue
            seen.add(key)
            rels.append({"type": r.type, "head": head, "tail": tail, "title": r.title,
                         "article": article, "sentence": sentence,
                         "start": a.start + r.start, "end": a.start + r.end, "rule": r.rule})
    mets, named = [], {}
    for a in articles:
        for x, sentence, article in a.metrics:
            subject = ref(a.index, x.subject)
            if not subject:
                continue
            # One figure of one entity, restated under a name the other's contains
            # (《某某》特种邮票4枚 … 4枚邮票分别以…), is one figure.
            names = named.setdefault((subject["id"], x.value, x.unit), [])
            if any(x.name in n or n in x.name for n in names):
                continue
            names.append(x.name)
            value = normalize(x.value)
            mets.append({"subject": subject, "name": _no_controls(x.name), "value": to_json_number(value),
                         "value_text": str(value), "unit": x.unit,
                         "as_of": resolve_date(x.as_of, doc_date), "as_of_text": x.as_of, "text": x.text,
                         "rank": x.rank, "value_max": to_json_number(x.value_max) if x.value_max is not None else None,
                         "article": article, "sentence": sentence,
                         "start": a.start + x.start, "end": a.start + x.end, "rule": x.rule})
    return {"doc": doc_name, "path": path, "sha1": sha1, "chars": chars,
            "date": doc_date.isoformat() if doc_date else None, "date_from": date_from if doc_date else None,
            "articles": list(article_meta), "entities": entities, "relations": rels,
            "metrics": mets, "skipped": None}


@lru_cache(maxsize=1)
def _abbreviate():
    return abbreviator(str(config_dir() / "abbreviations.jsonl"))


@lru_cache(maxsize=65536)
def _short_form(text: str) -> str:
    return _abbreviate()(text)


def _short():
    # Names are compared pairwise: each name's short form is worked out once.
    return _short_form


# What an organisation's name may end with beyond the name itself: 韵达 is 韵达快递,
# 某国邮政 is 某国邮政股份公司, 美团 is 美团平台.
LEGAL_TAILS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "集团", "公司", "快递", "速递",
               "速运", "物流", "电商", "平台")


def _same_organisation(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and long_.startswith(short) and long_[len(short):] in LEGAL_TAILS:
        return True
    # 某某市林业集团有限公司, later 林业集团: the long form opens with its place.
    for tail in ("", *LEGAL_TAILS):
        if len(short) >= 3 and long_.endswith(short + tail) and len(long_) > len(short) + len(tail):
            return _all_places(long_[: len(long_) - len(short) - len(tail)])
    return False


@lru_cache(maxsize=4096)
def _all_places(text: str) -> bool:
    """Whether text is nothing but admin-division names (内蒙古呼伦贝尔, 宜昌市)."""
    from kg.nlp.gazetteer import default_gazetteer
    from kg.nlp.name_growth import place_spans

    at = 0
    for a, b in place_spans(text, default_gazetteer()):
        if a != at:
            return False
        at = b
    return at == len(text)


def _candidate_pairs(reps, live):
    """Pairs of distinct names that might name one entity.

    Units can only be one when their words after the places agree (same_body),
    so a page's many unit names are compared within those groups; the names of
    the networks and the X邮政 collective names are compared with every unit.
    """
    if live[reps[0]].label == "PERSON":
        return  # people are one entity only under one name (merged by text already)
    if live[reps[0]].label != "BRANCH":
        for x in range(len(reps)):
            for y in range(x + 1, len(reps)):
                yield reps[x], reps[y]
        return
    groups: dict = {}
    special = []
    for rep in reps:
        m = live[rep]
        unit = m.info.get("unit")
        if m.info.get("network") or m.info.get("collective") or unit is None or not unit.suffix:
            special.append(rep)
        else:
            groups.setdefault(_short_form(unit.local + unit.suffix), []).append(rep)
    for group in groups.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                yield group[x], group[y]
    for k, x in enumerate(special):
        for y in reps:
            if y != x and (y not in special or special.index(y) > k):
                yield x, y


def _same_mention(a, b) -> bool:
    if a.text == b.text:
        return True
    if a.info.get("network") and a.info.get("network") == b.info.get("network"):
        return True  # 中国邮政 = 中国邮政集团有限公司
    ua, ub = a.info.get("unit"), b.info.get("unit")
    if a.label == "PARTNER":
        if _same_organisation(a.text, b.text):
            return True
        if ua and ub and ua.local and len(ua.local) >= 2 and (bool(ua.stems) != bool(ub.stems)) \
                and same_body(ua, ub, _short()) and ua.level is None and ub.level is None:
            return True  # 寻乌县某某合作社 and, later, 某某合作社
    if a.label in ("BRANCH", "PARTNER"):
        if a.info.get("collective") == "邮政" or b.info.get("collective") == "邮政":
            coll, other = (a, b) if a.info.get("collective") == "邮政" else (b, a)
            ou = other.info.get("unit")
            cu = coll.info.get("unit")
            return bool(ou and cu and ou.org == "post" and ou.suffix == "分公司" and not ou.local
                        and ou.stems and cu.stems and ou.stems[-1] == cu.stems[-1])
        return bool(ua and ub and ua.suffix and same_unit(ua, ub, _short()))
    if a.label in ("PROGRAM", "PRODUCT"):
        if a.info.get("title") and a.info.get("title") == b.info.get("title"):
            return True  # 《某某》特种邮票 and 《某某》邮票: one stamp
        return _same_item(a.text, b.text)
    return False


def with_date(record: dict, date, date_from=None) -> dict:
    """The record dated `date` (YYYY-MM-DD): its figures' as_of re-read from their
    as_of_text. For records made before their date was known (a reader that
    finds it later, `kg build records.jsonl --date …`); a record without
    as_of_text keeps its as_of."""
    doc_date = parse_date(date)
    if doc_date is None:
        return record
    metrics = [{**m, "as_of": resolve_date(m["as_of_text"], doc_date)} if m.get("as_of_text") else m
               for m in record.get("metrics") or []]
    return {**record, "date": doc_date.isoformat(), "date_from": date_from, "metrics": metrics}
