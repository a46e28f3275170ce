"""The graph as one self-contained HTML page, an analyst's tool that works offline.

Entities are drawn, coloured by type (always: every node carries its colour,
and vis-network's improvedLayout, which recoloured nodes above 100, is off);
the facts between them are the edges; figures and sources are in each
node's hover text. Positions come from kg.explore.layout, so the page draws
at once, never moves, and looks the same on every run. Nodes without any
relation are hidden until asked for. The page has a search box that focuses
a node (also as `graph.html#q=NAME`), filters by type and by relation, and
shows a node's neighbours when it is clicked.

The page reports what it drew in `document.body.dataset` (counts, the time
to the first drawing, where the legend and some nodes are on screen), which
is what the browser tests read back. vis-network is vendored in kg/web with
its licences.

`graph` is a networkx graph or a reader of the store (kg.graph.reader): from a
store only the entities, the fact edges and their figures are read, with Cypher.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter, deque
from importlib import resources

from kg.atomic import atomic_write_text
from kg.errors import KgError
from kg.explore.display import format_metric
from kg.explore.layout import layout
from kg.explore.lookup import ENTITY_LABELS, clear_match, search
from kg.graph.model import FACT_TYPES
from kg.graph.reader import reader

WEB = "web"
VIS_JS = "vis-network.min.js"
PAGE = "graph.html"

COLOURS = {
    "Branch": "#4e79a7",
    "Program": "#f28e2b",
    "Product": "#59a14f",
    "Partner": "#b07aa1",
    "Person": "#e15759",
}
FONT = '"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif'
# Hover text stays a readable size on hubs with hundreds of figures.
MAX_FIGURES = 8
MAX_SOURCES = 3


def _web_text(name: str) -> str:
    try:
        return resources.files("kg").joinpath(WEB, name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise KgError(f"cannot read kg/{WEB}/{name} from the kg package ({exc}); reinstall kg") from None


def vis_network_js() -> str:
    """The vis-network library text vendored in kg/web (licences beside it)."""
    return _web_text(VIS_JS)


def resolve_focus(graph, name) -> str:
    """The node key `name` refers to; a KgError listing candidates when it is ambiguous or unknown."""
    node = reader(graph).node(name)
    if node is not None and node.get("label") in ENTITY_LABELS:
        return name
    hits = search(graph, name, limit=5)
    if not hits:
        raise KgError(f"--focus {name!r}: nothing in the graph resembles it (try `kg lookup`)")
    best = clear_match(hits)
    if best is None:
        names = "、".join(h.name for h in hits)
        raise KgError(f"--focus {name!r} is ambiguous: {names}; give a fuller name")
    return best.key


def neighbourhood(graph, focus, hops, facts=None) -> set:
    """Entity keys within `hops` fact edges of `focus`, direction ignored."""
    if hops < 0:
        raise KgError(f"--hops must be 0 or more, not {hops}")
    around = {}
    for u, v, _ in facts if facts is not None else reader(graph).fact_edges():
        around.setdefault(u, []).append(v)
        around.setdefault(v, []).append(u)
    seen, queue = {focus}, deque([(focus, 0)])
    while queue:
        key, depth = queue.popleft()
        if depth == hops:
            continue
        for other in around.get(key, ()):
            if other not in seen:
                seen.add(other)
                queue.append((other, depth + 1))
    return seen


def _more(items, limit, sep):
    shown = sep.join(items[:limit])
    return shown + (f" … ({len(items) - limit} more)" if len(items) > limit else "")


def _docs_of(data) -> list:
    """Documents an edge or metric was read in (one `doc`, or a `docs` list)."""
    docs = data.get("docs")
    if isinstance(docs, (list, tuple)):
        return [d for d in docs if d]
    return [data["doc"]] if data.get("doc") else []


def _tooltip(key, data, relations: Counter, metrics: list) -> str:
    lines = [f"{data['label']} · {data.get('name') or key}"]
    aliases = [a for a in data.get("aliases") or [] if a != data.get("name")]
    if aliases:
        lines.append("also: " + _more(aliases, 4, "、"))
    if data.get("region"):
        lines.append("region: " + " ".join(data["region"]))
    metrics = list(metrics)
    if metrics:
        lines.append("figures:")
        metrics.sort(key=lambda m: (str(m.get("as_of") or ""), str(m.get("name") or ""), str(m.get("value_text"))))
        for m in metrics[:MAX_FIGURES]:
            when = m.get("as_of") or m.get("as_of_text")
            source = ", ".join(_docs_of(m)[:2])
            lines.append(f"  {m.get('name')}: {format_metric(m)}" + (f" ({when})" if when else "")
                         + (f" — {source}" if source else ""))
        if len(metrics) > MAX_FIGURES:
            lines.append(f"  … {len(metrics) - MAX_FIGURES} more (kg lookup shows all)")
    if relations:
        lines.append("relations: " + ", ".join(f"{t} {n}" for t, n in sorted(relations.items())))
    docs = data.get("docs") or []
    if docs:
        lines.append(f"read in {len(docs)} document{'s' if len(docs) != 1 else ''}: "
                     + _more(list(docs), MAX_SOURCES, ", "))
    lines.append("click: show its neighbours")
    return "\n".join(lines)


def _edge_tip(etype, title, head, tail, sources) -> str:
    lines = [f"{head} —{etype}{f' ({title})' if title else ''}→ {tail}"]
    for doc, sentence in sources[:MAX_SOURCES]:
        sentence = (sentence or "").strip()
        if len(sentence) > 120:
            sentence = sentence[:119] + "…"
        lines.append(f"{doc}: {sentence}" if doc else sentence)
    if len(sources) > MAX_SOURCES:
        lines.append(f"… read {len(sources)} times")
    return "\n".join(lines)


def _sentences(data) -> list:
    """(doc, sentence) pairs an edge carries: one, or lists of evidence."""
    if data.get("evidence"):  # each distinct sentence with the document it was first read in
        from kg.explore.lookup import _sources

        return [(x["doc"], x["sentence"]) for x in _sources(data)]
    sentences = data.get("sentences")
    if isinstance(sentences, (list, tuple)):
        docs = _docs_of(data)
        return [(docs[i] if i < len(docs) else None, s) for i, s in enumerate(sentences)]
    return [(data.get("doc"), data.get("sentence"))]


def view_data(graph, *, focus=None, hops=2) -> dict:
    """What the page draws: {"nodes", "edges", "types", "relations", "focus", "colours"}.

    Every entity of `graph` is in it, at its layout position; `start` marks
    the ones shown when the page opens (all, or the --focus neighbourhood),
    `isolated` the ones with no relation (hidden until asked for).
    """
    r = reader(graph)
    entities = dict(r.entities())
    fact_edges = r.fact_edges()
    keys = sorted(entities)
    focus_key = resolve_focus(r, focus) if focus else None
    start = neighbourhood(r, focus_key, hops, fact_edges) if focus_key else None
    index = {k: i for i, k in enumerate(keys)}
    figures = r.metrics_of(keys)

    facts: dict = {}  # (head, tail, type, title) -> [(doc, sentence)]
    for u, v, data in fact_edges:
        etype = data.get("type")
        if etype in FACT_TYPES and u in index and v in index:
            facts.setdefault((u, v, etype, data.get("title")), []).extend(_sentences(data))
    relations = {k: Counter() for k in keys}
    for u, v, etype, _ in facts:
        relations[u][etype] += 1
        relations[v][etype] += 1

    positions = layout(keys, [(u, v) for u, v, _, _ in facts])
    nodes = []
    for key in keys:
        data = entities[key]
        names = [data.get("name") or key] + [a for a in data.get("aliases") or [] if a != data.get("name")]
        x, y = positions[key]
        nodes.append({
            "id": index[key], "key": key, "label": names[0], "names": names, "type": data["label"],
            "x": x, "y": y, "size": 1 + sum(relations[key].values()),
            "isolated": not relations[key], "start": start is None or key in start,
            "title": _tooltip(key, data, relations[key], figures.get(key, [])),
        })
    edges = []
    for n, ((u, v, etype, title), sources) in enumerate(sorted(facts.items(), key=lambda kv: kv[0][:3] + (str(kv[0][3]),))):
        label = f"{etype} ({title})" if title else etype
        edges.append({"id": n, "from": index[u], "to": index[v], "type": etype, "label": label,
                      "title": _edge_tip(etype, title, entities[u].get("name"), entities[v].get("name"),
                                         sources)})
    types = Counter(n["type"] for n in nodes)
    rels = Counter(e["type"] for e in edges)
    return {
        "nodes": nodes, "edges": edges, "focus": focus_key,
        "types": [[t, types[t]] for t in COLOURS if types[t]],
        "relations": [[t, rels[t]] for t in FACT_TYPES if rels[t]],
        "colours": COLOURS,
    }


def _script_json(obj) -> str:
    # No "<" at all inside the <script>: "</script>" or "<!--" in a name cannot end or confuse it.
    return json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c")


def counts(view) -> dict:
    """Nodes and edges in the page, and how many it shows when it opens."""
    shown = {n["id"] for n in view["nodes"] if n["start"] and not n["isolated"]}
    if view["focus"] is not None:
        shown |= {n["id"] for n in view["nodes"] if n["key"] == view["focus"]}
    return {
        "nodes": len(view["nodes"]), "edges": len(view["edges"]),
        "isolated": sum(1 for n in view["nodes"] if n["isolated"]),
        "shown_nodes": len(shown),
        "shown_edges": sum(1 for e in view["edges"] if e["from"] in shown and e["to"] in shown),
    }


def render_html(graph, *, focus=None, hops=2, title="kg graph") -> tuple[str, dict]:
    """(page text, counts) for the whole graph, or opening on a focus node's neighbourhood."""
    view = view_data(graph, focus=focus, hops=hops)
    focus_name = next((n["label"] for n in view["nodes"] if n["key"] == view["focus"]), None)
    heading = title if not view["focus"] else f"{title}: {focus_name} ± {hops}"
    view["title"] = heading
    fields = {
        "TITLE": html.escape(heading),
        "FONT": FONT,
        "FONT_JS": json.dumps(FONT),
        "DATA": _script_json(view),
        "VIS": vis_network_js(),
    }
    # One pass, so text put in (a name, the library) is never scanned for markers again.
    page = re.sub(r"__KG_([A-Z][A-Z_]*?)__", lambda m: fields[m.group(1)], _web_text(PAGE))
    return page, counts(view)


def write_html(graph, path, *, focus=None, hops=2, title="kg graph") -> dict:
    """Write the page atomically; returns counts (see `counts`) and "path"."""
    page, result = render_html(graph, focus=focus, hops=hops, title=title)
    try:
        atomic_write_text(path, page)
    except OSError as exc:
        raise KgError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return {**result, "path": str(path)}
