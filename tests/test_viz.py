"""`kg viz`: a self-contained page, an analyst's tool, checked in a real (headless) Chromium.

The big-graph tests draw a graph of 600 invented entities (tests/synthetic_graph.py):
colours read from the screenshot match the legend, nodes without relations
are hidden, a search focuses its node, the page draws in under 5 s and nothing
moves once drawn.
"""
import json
import os
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from browser import run_chromium
from kg.errors import KgError
from kg.explore.viz import COLOURS, neighbourhood, render_html, view_data, vis_network_js, write_html
from kg.graph.model import FACT_TYPES, build_graph
from kg.nlp.records import read_records
from synthetic_graph import synthetic_records

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"
ENTITY_LABELS = {"Branch", "Partner", "Product", "Program", "Person"}
# URLs the vis-network bundle carries as text (licence comments, links in
# comments and error messages); none of them is fetched.
INERT_URLS = {
    "http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
    "https://github.com/visjs", "https://visjs.github.io/vis-network/", "http://naver.github.io/egjs",
    "https://github.com/zloirock/core-js", "https://github.com/zloirock/core-js/blob/v3.51.0/LICENSE",
}
URL = re.compile(r"https?://[^\s\"'()<>`,;]*")
# vis-network's own group colours (backgrounds): a node drawn in one of these
# lost its type's colour, as improvedLayout did to graphs above 100 nodes.
VIS_DEFAULT_BACKGROUNDS = ["#97C2FC", "#FFFF00", "#FB7E81", "#7BE141", "#EB7DF4", "#AD85E4", "#FFA807",
                           "#6E6EFD", "#FFC0CB", "#C2FABC", "#D2E5FF"]
PANEL = 270  # the page's side panel, px


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


@pytest.fixture(scope="module")
def big():
    """A graph of about 600 entities, some without relations."""
    g = build_graph(synthetic_records(600))
    entities = sum(1 for _, d in g.nodes(data=True) if d["label"] in ENTITY_LABELS)
    assert entities > 500
    return g


def expected_counts(g, keys=None):
    """Entities and distinct (head, tail, relation, title) facts, counted straight from the graph."""
    nodes = {k for k, d in g.nodes(data=True) if d["label"] in ENTITY_LABELS and (keys is None or k in keys)}
    edges = {(u, v, d["type"], d.get("title")) for u, v, d in g.edges(data=True)
             if d["type"] in FACT_TYPES and u in nodes and v in nodes}
    return len(nodes), len(edges)


def isolated_keys(g):
    linked = {n for u, v, d in g.edges(data=True) if d["type"] in FACT_TYPES for n in (u, v)}
    return {k for k, d in g.nodes(data=True) if d["label"] in ENTITY_LABELS and k not in linked}


def page_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loading = []  # (tag, attr, value) that would make a browser fetch something
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") and value:
                self.loading.append((tag, name, value))


def test_page_loads_nothing_from_outside(graph):
    page, _ = render_html(graph)
    refs = _Refs()
    refs.feed(page)
    assert refs.loading == []  # no <script src>, <link href>, <img src> at all
    assert "@import" not in page
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", page):
        assert url.startswith("data:"), url
    # Outside the inlined library the page mentions no URL whatsoever...
    assert URL.findall(page.replace(vis_network_js(), "")) == []
    # ...and the library's own are inert text.
    assert set(URL.findall(page)) <= INERT_URLS
    assert "fetch(" not in page.replace(vis_network_js(), "")


def test_vis_network_is_vendored_with_its_licences():
    web = resources.files("kg").joinpath("web")
    js = web.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    assert re.search(r"@version\s+\d+\.\d+\.\d+", js[:600]) and "vis.js is dual licensed" in js[:800]
    assert "MIT License" in web.joinpath("vis-network.LICENSE-MIT").read_text(encoding="utf-8")
    assert "Apache License" in web.joinpath("vis-network.LICENSE-APACHE-2.0").read_text(encoding="utf-8")
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert "pyvis" not in pyproject


def _requirement_names(dist):
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires(dist) or []
    except PackageNotFoundError:
        return []
    names = []
    for req in reqs:
        if "extra ==" in req:
            continue  # optional extras are not pulled by `pip install -e .`
        names.append(re.match(r"[A-Za-z0-9_.\-]+", req).group(0).lower().replace("_", "-"))
    return names


def test_installing_kg_pulls_no_notebook_stack():
    """pyvis pulled IPython and jedi for one JavaScript file; the vendored file does not."""
    seen, todo = set(), ["kg"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_requirement_names(name))
    assert not seen & {"pyvis", "ipython", "jedi", "jsonpickle"}, sorted(seen)


def test_page_embeds_vis_and_data(graph):
    page, counts = render_html(graph)
    assert "vis-network" in page
    data = page_data(page)
    assert (counts["nodes"], counts["edges"]) == expected_counts(graph)
    assert (len(data["nodes"]), len(data["edges"])) == expected_counts(graph)
    assert data["colours"] == COLOURS
    assert {t for t, _ in data["types"]} == {d["label"] for _, d in graph.nodes(data=True)} & ENTITY_LABELS
    assert {n["type"] for n in data["nodes"]} <= set(COLOURS)


def test_hostile_names_stay_inside_the_data(tmp_path):
    records = read_records(FIXTURE)
    evil = "</script><script>alert(1)</script>__KG_VIS__<!--"
    records[0]["entities"][1]["name"] = evil
    records[0]["entities"][1]["aliases"] = [evil]
    page, _ = render_html(build_graph(records))
    refs = _Refs()
    refs.feed(page)
    assert refs.scripts == 3  # data, library, page code: nothing injected
    assert evil in {n["label"] for n in page_data(page)["nodes"]}


def test_tooltips_carry_figures_and_sources(graph):
    view = view_data(graph)
    (dazhou,) = [n for n in view["nodes"] if n["label"] == "四川省达州市邮政分公司"]
    assert "新增余额: 57.76亿元 (2022)" in dazhou["title"]
    assert "read in 2 documents: a.txt, b.txt" in dazhou["title"]
    works = [e for e in view["edges"] if e["label"] == "WORKS_AT (理财经理)"]
    assert works and "罗启铃" in works[0]["title"] and "a.txt:" in works[0]["title"]


def test_focus_opens_on_the_neighbourhood_and_keeps_the_rest(graph):
    view = view_data(graph, focus="罗启铃", hops=1)
    assert view["focus"] == "person:罗启铃"
    assert {n["label"] for n in view["nodes"] if n["start"]} == {"罗启铃", "绥定大道南邮政营业所"}
    assert len(view["nodes"]) == expected_counts(graph)[0]  # the rest is there, to expand into
    assert [n["label"] for n in view_data(graph, focus="罗启铃", hops=0)["nodes"] if n["start"]] == ["罗启铃"]
    keys = neighbourhood(graph, "person:罗启铃", 1)
    assert sum(n["start"] for n in view["nodes"]) == expected_counts(graph, keys)[0]
    with pytest.raises(KgError, match="ambiguous"):
        view_data(graph, focus="shandong")
    with pytest.raises(KgError, match="nothing in the graph"):
        view_data(graph, focus="完全无关的词语xyz")


def test_nodes_without_relations_are_marked(big):
    view = view_data(big)
    alone = {n["key"] for n in view["nodes"] if n["isolated"]}
    assert alone == isolated_keys(big) and alone
    _, counts = render_html(big)
    assert counts["isolated"] == len(alone)
    assert counts["shown_nodes"] == counts["nodes"] - len(alone)


def test_layout_is_the_same_on_every_run(big, tmp_path):
    first = {n["key"]: (n["x"], n["y"]) for n in view_data(big)["nodes"]}
    assert first == {n["key"]: (n["x"], n["y"]) for n in view_data(big)["nodes"]}
    assert len(set(first.values())) == len(first)  # no two nodes on one spot
    # Another process, another hash seed: the same picture.
    script = ("import json, sys; sys.path.insert(0, 'tests');"
              "from synthetic_graph import synthetic_records; from kg.graph.model import build_graph;"
              "from kg.explore.viz import view_data;"
              "print(json.dumps({n['key']: [n['x'], n['y']] for n in view_data(build_graph(synthetic_records(600)))['nodes']}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert {k: tuple(v) for k, v in json.loads(out.stdout).items()} == first


def test_write_is_atomic_and_reports_counts(graph, tmp_path):
    out = tmp_path / "g.html"
    out.write_text("old page")
    result = write_html(graph, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (result["nodes"], result["edges"]) == expected_counts(graph)
    assert [p.name for p in tmp_path.iterdir()] == ["g.html"]  # no temp file left behind
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(KgError):
        write_html(graph, blocker / "g.html")


def test_cli_viz(tmp_path):
    from kg.cli import main
    from kg.graph.store import build_store

    db = tmp_path / "kg.db"
    build_store(read_records(FIXTURE), db)
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(main, ["viz", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "9 nodes, 5 relations" in result.output and out.exists()
    assert "1 without relations" in result.output
    quiet = CliRunner().invoke(main, ["viz", "--db", str(db), "-o", str(out), "--focus", "罗启铃", "--hops", "1", "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert CliRunner().invoke(main, ["viz", "--db", str(db), "--hops", "-1"]).exit_code == 2


def test_empty_graph_page_says_so():
    import networkx as nx

    page, counts = render_html(nx.MultiDiGraph())
    assert counts["nodes"] == 0 and counts["edges"] == 0
    assert "The graph is empty" in page


# --- in a real browser -------------------------------------------------------

WINDOW = (1200, 800)
PAGE_FLAGS = ["--force-device-scale-factor=1", f"--window-size={WINDOW[0]},{WINDOW[1]}"]


def dom_state(tmp_path, url) -> dict:
    """The page's body data-* attributes once it has drawn."""
    dom = run_chromium(tmp_path, *PAGE_FLAGS, "--dump-dom", url, until=lambda out: 'data-drawn="true"' in out)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    state = {k: unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', body)}
    assert state.get("drawn") == "true", body[:2000]
    return state


def screenshot(tmp_path, url):
    from PIL import Image

    shot = tmp_path / f"shot-{len(list(tmp_path.glob('shot-*')))}.png"
    run_chromium(tmp_path, *PAGE_FLAGS, f"--screenshot={shot}", url)
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    return image


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.browser
def test_browser_big_graph_colours_and_speed(big, tmp_path):
    page = tmp_path / "big.html"
    counts = write_html(big, page)
    state = dom_state(tmp_path, page.as_uri())
    # Nodes without relations are hidden; every relation between the others is drawn.
    assert int(state["nodes"]) == counts["shown_nodes"] == counts["nodes"] - len(isolated_keys(big))
    assert int(state["edges"]) == counts["shown_edges"] == expected_counts(big)[1]
    assert int(state["render-ms"]) < 5000, state["render-ms"]
    assert float(state["moved"]) == 0  # drawn where the layout put them, and nothing moves

    image = screenshot(tmp_path, page.as_uri())
    legend = json.loads(state["legend"])
    assert set(legend) == {t for t, n in page_data(page.read_text(encoding="utf-8"))["types"]}
    graph_area = image.crop((PANEL + 2, 0, WINDOW[0], WINDOW[1]))
    painted = {colour: n for n, colour in graph_area.getcolors(maxcolors=1 << 20)}
    for label, (x, y) in legend.items():
        swatch = image.getpixel((x, y))  # the legend's colour, as drawn on screen
        assert swatch == rgb(COLOURS[label]), (label, swatch)
        # ...is the colour of that type's nodes in the drawing
        assert painted.get(swatch, 0) >= 30, f"no {label} node painted in the legend's colour"
    for default in VIS_DEFAULT_BACKGROUNDS:
        assert painted.get(rgb(default), 0) < 5, f"nodes drawn in vis-network's default {default}"


@pytest.mark.browser
def test_browser_search_focuses_and_reveals(big, tmp_path):
    page = tmp_path / "big.html"
    counts = write_html(big, page)
    alone = sorted(isolated_keys(big))[0]
    name = big.nodes[alone]["name"]
    state = dom_state(tmp_path, page.as_uri() + "#q=" + quote(name))
    assert state["focused"] == alone
    assert json.loads(state["selected"]) == [alone]
    assert int(state["nodes"]) == counts["shown_nodes"] + 1  # the hidden node was brought out
    x, y = json.loads(state["focus-at"])
    mx, my = json.loads(state["middle"])
    assert abs(x - mx) <= 3 and abs(y - my) <= 3  # centred in the drawing


@pytest.mark.browser
def test_browser_focus_page_expands_on_request(big, tmp_path):
    """A --focus page opens on the neighbourhood; finding (or clicking) a node adds its neighbours."""
    hub = max((k for k, d in big.nodes(data=True) if d["label"] == "Branch"), key=big.degree)
    leaf = next(v for _, v, d in big.out_edges(hub, data=True) if d["type"] == "RUNS")
    page = tmp_path / "focus.html"
    counts = write_html(big, page, focus=leaf, hops=0)
    assert counts["shown_nodes"] == 1
    state = dom_state(tmp_path, page.as_uri())
    assert int(state["nodes"]) == 1 and state["focused"] == leaf
    state = dom_state(tmp_path, page.as_uri() + "#q=" + quote(big.nodes[hub]["name"]))
    assert state["expanded"] == hub
    around = neighbourhood(big, hub, 1) | {leaf}
    assert int(state["nodes"]) == len(around)


@pytest.mark.browser
def test_browser_small_graph(graph, tmp_path):
    page = tmp_path / "graph.html"
    counts = write_html(graph, page)
    state = dom_state(tmp_path, page.as_uri())
    assert int(state["nodes"]) == counts["shown_nodes"] == counts["nodes"] - len(isolated_keys(graph))
    image = screenshot(tmp_path, page.as_uri())
    present = {rgb for _, rgb in image.getcolors(maxcolors=1 << 20)}
    for label in {n["type"] for n in view_data(graph)["nodes"] if not n["isolated"]}:
        assert rgb(COLOURS[label]) in present, f"no {label} node painted"
