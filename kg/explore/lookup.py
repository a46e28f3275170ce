"""Finding an entity by a name someone half remembers, and everything the graph knows about it.

Search is fuzzy (rapidfuzz) over canonical names and aliases; a query in
Latin letters is also matched against the names' pinyin, so `liuzhou` finds
柳州市邮政分公司.

`graph` is a networkx graph or a reader of the store (kg.graph.reader): from a
store only the entity names and the card's own facts are read.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from kg.explore.display import format_metric
from kg.errors import KgError
import json

from kg.graph.model import ENTITY_LABELS as _LABELS
from kg.graph.reader import reader

ENTITY_LABELS = tuple(_LABELS.values())

# Sentences printed under a relation on a card; the rest are counted.
SOURCES_SHOWN = 3
# A hit scoring below this is noise, not a match.
MIN_SCORE = 60.0
# The best hit is "clear" when the runner-up trails it by at least this much.
CLEAR_MARGIN = 8.0


class NotFound(KgError):
    """No entity in the graph resembles the query."""


@dataclass
class Hit:
    key: str
    label: str
    name: str
    score: float
    matched: str  # the name or alias (or its pinyin) that scored best
    exact: bool
    how: str = "fuzzy"  # exact | part (the text is inside the name) | pinyin | fuzzy (spelled differently)

    def as_dict(self) -> dict:
        return asdict(self)


def _fold(text) -> str:
    """Case, width and spacing folded so 'ＤａＺｈｏｕ ' equals 'dazhou'."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "“”\"‘’'《》")


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # imported on first Latin query only: it loads a dictionary

    return tuple(s.lower() for s in lazy_pinyin(text))


def _pinyin_score(query: str, syllables: tuple[str, ...]) -> float:
    """How well Latin `query` spells the name: whole pinyin 100, a run of whole syllables 90.

    Matching only at syllable boundaries keeps `dazhou` from hitting every
    name with a 周 in it.
    """
    full = "".join(syllables)
    if query == full:
        return 100.0
    for i in range(len(syllables)):
        run = ""
        for s in syllables[i:]:
            run += s
            if run == query:
                return 90.0
            if len(run) >= len(query):
                break
    return float(fuzz.ratio(query, full))


def _is_latin(text: str) -> bool:
    return bool(text) and all(ch.isascii() for ch in text)


def _score(query: str, candidate: str) -> float:
    if not candidate:
        return 0.0
    if query == candidate:
        return 100.0
    # WRatio already rewards a query found inside a longer name (partial
    # matching), which is how people type: 宜昌 for 湖北省宜昌市邮政分公司.
    return float(fuzz.WRatio(query, candidate))


def entity_nodes(graph):
    """(key, attrs) of the nodes a person would look up: branches, partners, products, programs, people."""
    yield from reader(graph).entities()


def search(graph, text, limit=10) -> list[Hit]:
    """Entities whose name or alias resembles `text`, best first (exact hits score 100)."""
    query = _fold(text)
    if not query:
        raise KgError("empty search text: give part of a name, e.g. 宜昌 or dazhou")
    latin = _is_latin(query)
    hits = []
    for key, data in entity_nodes(graph):
        names = [data.get("name") or "", *(data.get("aliases") or [])]
        best = None
        for name in names:
            folded = _fold(name)
            score = _score(query, folded)
            exact = query == folded
            how = "exact" if exact else "part" if query in folded else "fuzzy"
            if latin and not _is_latin(folded):
                py_score = _pinyin_score(query, _pinyin(folded))
                if py_score > score:
                    score, exact = py_score, False
                    how = "pinyin" if py_score >= 90 else "fuzzy"
            if best is None or score > best[0] or (score == best[0] and exact and not best[2]):
                best = (score, name, exact, how)
        if best and best[0] >= MIN_SCORE:
            hits.append(Hit(key, data["label"], data.get("name") or key, round(best[0], 1), best[1], best[2],
                            best[3]))
    # Ties go to the shorter name: 宜昌 is closer to 秭归县分公司 than to a longer branch name.
    hits.sort(key=lambda h: (-h.score, not h.exact, len(h.name), h.name, h.key))
    return hits[:limit] if limit else hits


def clear_match(hits: list[Hit]) -> Hit | None:
    """The hit to show a card for: the only exact hit, or a best hit well ahead of the rest."""
    if not hits:
        return None
    exact = [h for h in hits if h.exact]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    if len(hits) == 1 or hits[0].score - hits[1].score >= CLEAR_MARGIN:
        return hits[0]
    return None


def _source(data) -> dict:
    return {"doc": data.get("doc"), "article": data.get("article"), "sentence": data.get("sentence")}


def _sources(data) -> list[dict]:
    """Where a fact or figure was read: one source per distinct sentence, first reading first."""
    try:
        evidence = json.loads(data.get("evidence") or "")
    except (TypeError, ValueError):
        return [_source(data)]
    fields, sentences = evidence["fields"], data.get("sentences") or []
    at = {f: i for i, f in enumerate(fields)}
    out, seen = [], set()
    for item in evidence["readings"]:
        s = item[at["sentence"]] if "sentence" in at else None
        sentence = sentences[s] if isinstance(s, int) and s < len(sentences) else s
        if sentence in seen:
            continue
        seen.add(sentence)
        out.append({"doc": item[at["doc"]], "article": item[at["article"]] if "article" in at else None,
                    "sentence": sentence})
    return out or [_source(data)]


def _read_count(data) -> dict:
    return {"docs": list(data.get("docs") or [data.get("doc")]), "count": data.get("count") or 1}


def card(graph, key) -> dict:
    """Everything the graph says about one entity, each fact with where it was read."""
    r = reader(graph)
    data = r.node(key)
    if data is None or data.get("label") not in ENTITY_LABELS:
        raise NotFound(f"no node with key {key!r} in the graph")
    names = {k: d for k, d in r.entities()}

    def end(other):
        d = names.get(other) or {}
        return {"key": other, "label": d.get("label"), "name": d.get("name") or other}

    relations = []
    for head, tail, edata in r.facts_of(key):
        direction, other = ("out", tail) if head == key else ("in", head)
        relations.append({"direction": direction, "type": edata["type"], "other": end(other),
                          "title": edata.get("title"), "sources": _sources(edata), **_read_count(edata)})
    metrics = []
    for m in r.metrics_of([key]).get(key, []):
        metrics.append({
            "key": m["key"], "name": m.get("name"), "value": m.get("value"),
            "value_text": m.get("value_text"), "unit": m.get("unit"),
            "shown": format_metric(m), "as_of": m.get("as_of"), "as_of_text": m.get("as_of_text"),
            "rank": m.get("rank"),
            "text": m.get("text"), "source": _source(m), "sources": _sources(m), **_read_count(m),
        })
    mentions = [{"text": m.get("text"), **_source(m)} for m in r.mentions_of(key)]

    rel_list = sorted(relations, key=lambda r: (r["direction"] != "out", r["type"], r["other"]["name"]))
    metrics.sort(key=lambda m: (str(m["source"]["doc"]), str(m["as_of"] or ""), m["name"] or ""))
    mentions.sort(key=lambda m: (str(m["doc"]), m["article"] if isinstance(m["article"], int) else -1))
    return {
        "key": key,
        "label": data.get("label"),
        "name": data.get("name") or key,
        "qualified": data.get("qualified"),
        "aliases": [a for a in data.get("aliases") or [] if a != data.get("name")],
        "region": list(data.get("region") or []),
        "docs": list(data.get("docs") or []),
        "relations": rel_list,
        "metrics": metrics,
        "mentions": mentions,
    }


def lookup(graph, text, limit=10) -> dict:
    """{"query", "match": card or None, "hits": [...]}; NotFound when nothing resembles `text`."""
    hits = search(graph, text, limit=limit)
    if not hits:
        raise NotFound(f"nothing in the graph resembles {text!r}")
    best = clear_match(hits)
    return {
        "query": text,
        "match": card(graph, best.key) if best else None,
        # The card is for a name spelled differently from the text (a typo corrected): say so.
        "did_you_mean": best.name if best and best.how == "fuzzy" else None,
        "hits": [h.as_dict() for h in hits],
    }


def render_card(c: dict, did_you_mean: str | None = None, query: str | None = None) -> str:
    """The card as plain text for a terminal; `did_you_mean` first when the text was corrected."""
    lines = []
    if did_you_mean:
        lines.append(f"Nothing is called {query!r}; did you mean {did_you_mean}?" if query
                     else f"Did you mean {did_you_mean}?")
    lines.append(f"{c['label']}: {c['name']}")
    if c.get("qualified") and c["qualified"] != c["name"]:
        lines.append(f"  full name: {c['qualified']}")
    if c["aliases"]:
        lines.append(f"  also called: {'、'.join(c['aliases'])}")
    if c["region"]:
        lines.append(f"  region: {' '.join(c['region'])}")
    if c["relations"]:
        lines.append("Relations:")
        for r in c["relations"]:
            arrow = f"-[{r['type']}]->" if r["direction"] == "out" else f"<-[{r['type']}]-"
            title = f" ({r['title']})" if r["title"] else ""
            lines.append(f"  {arrow} {r['other']['label']} {r['other']['name']}{title}")
            lines.extend(_where(s, [r["other"]["name"], *c["aliases"], c["name"]])
                         for s in r["sources"][:SOURCES_SHOWN])
            lines.extend(_more(r, SOURCES_SHOWN))
    if c["metrics"]:
        lines.append("Metrics:")
        for m in c["metrics"]:
            when = m["as_of"] or m.get("as_of_text")  # the words when the year is unknown (今年)
            when = f" ({when})" if when else ""
            rank = f", {m['rank']}" if m["rank"] else ""
            lines.append(f"  {m['name']}: {m['shown']}{when}{rank}")
            lines.append(_where(m["source"], [m.get("text"), m.get("name")]))
            lines.extend(_more(m, 1))
    if not c["relations"] and not c["metrics"] and c["mentions"]:
        lines.append("Mentioned in:")
        lines.extend(_where(m) for m in c["mentions"][:5])
    return "\n".join(lines)


def _more(entry: dict, shown: int) -> list[str]:
    """One line for the readings a card does not show: a fact is printed once, however often read."""
    docs, count = len(entry.get("docs") or ()), entry.get("count") or 1
    hidden = len(entry.get("sources") or ()) - shown
    if docs <= 1 and hidden <= 0:
        return []
    return [f"      (read {count} time{'s' if count != 1 else ''} in {docs} document{'s' if docs != 1 else ''}"
            + (f"; {hidden} more sentence{'s' if hidden != 1 else ''}" if hidden > 0 else "") + ")"]


EVIDENCE_WIDTH = 80  # characters of a source sentence shown under a fact


def excerpt(sentence: str, keep=(), width: int = EVIDENCE_WIDTH) -> str:
    """At most `width` characters of `sentence`, cut so that the first of `keep`
    found in it (a figure's text, a name) is shown whole, with … where cut."""
    sentence = (sentence or "").strip()
    if len(sentence) <= width:
        return sentence
    span = None
    for text in keep:
        at = sentence.find(text) if text else -1
        if at >= 0:
            span = (at, at + len(text))
            break
    if span is None:
        return sentence[:width - 1] + "…"
    start = max(0, min(span[0] - (width - (span[1] - span[0])) // 2, len(sentence) - width))
    end = min(len(sentence), start + width)
    text = sentence[start:end]
    if start > 0:
        text = "…" + text[1:]
    if end < len(sentence):
        text = text[:-1] + "…"
    return text


def _where(source: dict, keep=()) -> str:
    sentence = excerpt(source.get("sentence"), keep)
    doc = source.get("doc") or "?"
    return f"      read in {doc}: {sentence}" if sentence else f"      read in {doc}"


def render_hits(hits: list[dict]) -> str:
    lines = [f"{len(hits)} close matches:"]
    for n, h in enumerate(hits, 1):
        lines.append(f"  {n:>2}. {h['name']}  [{h['label']}]  score {h['score']:g}")
    lines.append("Be more specific, e.g. give the full name or an alias from the list.")
    return "\n".join(lines)
