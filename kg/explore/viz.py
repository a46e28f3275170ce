"""The graph as one self-contained HTML page (vis-network inlined), readable offline.

Only entities and the facts between them are drawn; metrics go into their
subject's tooltip, so a page stays readable. The page records how many nodes
and edges it drew in `document.body.dataset` once the network is on screen,
which is what the browser test reads back.
"""
from __future__ import annotations

import html
import json
from collections import deque
from importlib import resources

from kg.explore.display import format_metric
from kg.errors import KgError
from kg.graph.model import FACT_TYPES
from kg.explore.lookup import ENTITY_LABELS, clear_match, search
from kg.atomic import atomic_write_text

VIS_JS = ("pyvis", "lib/vis-9.1.2/vis-network.min.js")

COLOURS = {
    "Branch": "#4e79a7",
    "Program": "#f28e2b",
    "Product": "#59a14f",
    "Partner": "#b07aa1",
    "Person": "#e15759",
}
FONT = '"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif'


def vis_network_js() -> str:
    """The vis-network library text shipped inside the `pyvis` package."""
    package, rel = VIS_JS
    try:
        return resources.files(package).joinpath(rel).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise KgError(f"cannot read vis-network from the {package} package ({exc}); "
                      f"reinstall it: pip install 'pyvis>=0.3.2'") from None


def resolve_focus(graph, name) -> str:
    """The node key `name` refers to; a KgError listing candidates when it is ambiguous or unknown."""
    if name in graph and graph.nodes[name].get("label") in ENTITY_LABELS:
        return name
    hits = search(graph, name, limit=5)
    if not hits:
        raise KgError(f"--focus {name!r}: nothing in the graph resembles it (try `kg lookup`)")
    best = clear_match(hits)
    if best is None:
        names = "、".join(h.name for h in hits)
        raise KgError(f"--focus {name!r} is ambiguous: {names}; give a fuller name")
    return best.key


def neighbourhood(graph, focus, hops) -> set:
    """Entity keys within `hops` fact edges of `focus`, direction ignored."""
    if hops < 0:
        raise KgError(f"--hops must be 0 or more, not {hops}")
    seen, queue = {focus}, deque([(focus, 0)])
    while queue:
        key, depth = queue.popleft()
        if depth == hops:
            continue
        around = [(v, d) for _, v, d in graph.out_edges(key, data=True)]
        around += [(u, d) for u, _, d in graph.in_edges(key, data=True)]
        for other, data in around:
            if data.get("type") in FACT_TYPES and other not in seen:
                seen.add(other)
                queue.append((other, depth + 1))
    return seen


def _tooltip(graph, key, data) -> str:
    lines = [f"{data['label']}: {data.get('name') or key}"]
    aliases = [a for a in data.get("aliases") or [] if a != data.get("name")]
    if aliases:
        lines.append("also: " + "、".join(aliases))
    metrics = [graph.nodes[v] for _, v, d in graph.out_edges(key, data=True) if d.get("type") == "REPORTED"]
    for m in sorted(metrics, key=lambda m: (str(m.get("as_of") or ""), m.get("name") or "")):
        when = f" ({m['as_of']})" if m.get("as_of") else ""
        lines.append(f"{m.get('name')}: {format_metric(m)}{when}")
    docs = data.get("docs") or []
    if docs:
        lines.append("read in: " + ", ".join(docs[:3]) + (" …" if len(docs) > 3 else ""))
    return "\n".join(lines)


def view_data(graph, *, focus=None, hops=2) -> dict:
    """{"nodes": [...], "edges": [...], "focus": key|None} in vis-network's terms."""
    keys = [k for k, d in graph.nodes(data=True) if d.get("label") in ENTITY_LABELS]
    focus_key = resolve_focus(graph, focus) if focus else None
    if focus_key:
        keep = neighbourhood(graph, focus_key, hops)
        keys = [k for k in keys if k in keep]
    index = {k: i for i, k in enumerate(sorted(keys))}
    nodes = []
    for key, i in index.items():
        data = graph.nodes[key]
        node = {
            "id": i, "key": key, "label": data.get("name") or key, "group": data["label"],
            "title": _tooltip(graph, key, data),
            "color": {"background": COLOURS[data["label"]], "border": "#333333"},
            "value": 1 + graph.degree(key),
        }
        if key == focus_key:
            node.update(borderWidth=4, shape="star")
        nodes.append(node)
    edges, seen = [], set()
    for u, v, data in graph.edges(data=True):
        etype = data.get("type")
        if etype not in FACT_TYPES or u not in index or v not in index:
            continue
        label = f"{etype} ({data['title']})" if data.get("title") else etype
        if (u, v, label) in seen:  # the same fact read in several documents is one line
            continue
        seen.add((u, v, label))
        edges.append({"from": index[u], "to": index[v], "label": label, "title": data.get("sentence") or ""})
    return {"nodes": nodes, "edges": edges, "focus": focus_key}


def _script_json(obj) -> str:
    # "</" inside a <script> would end it early.
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; font-family: {font}; background: #fbfbf8; }}
#graph {{ position: absolute; inset: 0; }}
#legend {{ position: absolute; top: 12px; left: 12px; background: rgba(255,255,255,.92);
  border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; font-size: 13px; z-index: 2; }}
#legend h1 {{ font-size: 14px; margin: 0 0 6px; }}
#legend .sw {{ display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  margin-right: 6px; vertical-align: -1px; border: 1px solid #333; }}
#empty {{ position: absolute; top: 45%; width: 100%; text-align: center; color: #666; }}
div.vis-tooltip {{ position: absolute; visibility: hidden; padding: 6px 8px; white-space: pre-line;
  max-width: 420px; font-size: 13px; background: #fffff0; border: 1px solid #999; border-radius: 4px;
  box-shadow: 2px 2px 8px rgba(0,0,0,.2); pointer-events: none; z-index: 5; }}
</style>
</head>
<body>
<div id="legend"><h1>{heading}</h1>{legend}<div>{counts}</div></div>
<div id="graph"></div>
<script type="application/json" id="kg-data">{data}</script>
<script>{vis_js}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var body = document.body;
  if (!data.nodes.length) {{
    var p = document.createElement("p"); p.id = "empty";
    p.textContent = "The graph is empty: build it from some pages first (kg build PAGES...).";
    body.appendChild(p);
    body.dataset.nodes = 0; body.dataset.edges = 0; body.dataset.drawn = "true";
    return;
  }}
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var options = {{
    nodes: {{ shape: "dot", scaling: {{ min: 10, max: 30 }},
      font: {{ face: {font_js}, size: 14, strokeWidth: 3, strokeColor: "#ffffff" }} }},
    edges: {{ arrows: {{ to: {{ enabled: true, scaleFactor: 0.6 }} }}, color: {{ color: "#999999" }},
      font: {{ face: {font_js}, size: 10, align: "middle", color: "#555555" }}, smooth: {{ type: "dynamic" }} }},
    physics: {{ solver: "forceAtlas2Based", forceAtlas2Based: {{ springLength: 150 }},
      stabilization: {{ iterations: 300 }} }},
    interaction: {{ hover: true, tooltipDelay: 120 }}
  }};
  var network = new vis.Network(document.getElementById("graph"), {{ nodes: nodes, edges: edges }}, options);
  network.once("stabilizationIterationsDone", function () {{
    network.setOptions({{ physics: false }}); network.fit();
  }});
  network.once("afterDrawing", function () {{
    body.dataset.nodes = nodes.length; body.dataset.edges = edges.length; body.dataset.drawn = "true";
  }});
  if (data.focus !== null) {{
    var f = data.nodes.filter(function (n) {{ return n.key === data.focus; }})[0];
    if (f) network.once("stabilizationIterationsDone", function () {{ network.selectNodes([f.id]); }});
  }}
  window.kgNetwork = network;
}})();
</script>
</body>
</html>
"""


def render_html(graph, *, focus=None, hops=2, title="kg graph") -> tuple[str, dict]:
    """(page text, {"nodes": n, "edges": m}) for the whole graph or a focus node's neighbourhood."""
    view = view_data(graph, focus=focus, hops=hops)
    present = sorted({n["group"] for n in view["nodes"]}, key=list(COLOURS).index)
    legend = "".join(
        f'<div><span class="sw" style="background:{COLOURS[label]}"></span>{label}</div>' for label in present
    )
    heading = title if not view["focus"] else f"{title}: {graph.nodes[view['focus']].get('name')} ± {hops}"
    counts = {"nodes": len(view["nodes"]), "edges": len(view["edges"])}
    page = PAGE.format(
        title=html.escape(heading),
        heading=html.escape(heading),
        legend=legend,
        counts=f"{counts['nodes']} nodes · {counts['edges']} edges",
        data=_script_json(view),
        vis_js=vis_network_js(),
        font=FONT,
        font_js=json.dumps(FONT),
    )
    return page, counts


def write_html(graph, path, *, focus=None, hops=2, title="kg graph") -> dict:
    """Write the page atomically; returns {"nodes": n, "edges": m, "path": str}."""
    page, counts = render_html(graph, focus=focus, hops=hops, title=title)
    try:
        atomic_write_text(path, page)
    except OSError as exc:
        raise KgError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return {**counts, "path": str(path)}
