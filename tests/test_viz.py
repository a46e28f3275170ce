"""`kg viz`: a self-contained page that draws the graph in a real (headless) Chromium."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import run_chromium

from kg.errors import KgError
from kg.graph.model import FACT_TYPES, build_graph
from kg.nlp.records import read_records
from kg.explore.viz import COLOURS, neighbourhood, render_html, view_data, vis_network_js, write_html

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"
ENTITY_LABELS = {"Branch", "Partner", "Product", "Program", "Person"}
# URLs the vis-network bundle carries as text (licence comments, the SVG
# namespace, links in error messages); none of them is fetched.
INERT_URLS = {
    "http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg", "https://github.com/visjs", "https://visjs.github.io/vis-network/",
    "https://github.com/zloirock/core-js", "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
    "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
}
URL = re.compile(r"https?://[^\s\"'()<>`,;]*")


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


def expected_counts(g, keys=None):
    """Entities and distinct (head, tail, relation) facts, counted straight from the graph."""
    nodes = {k for k, d in g.nodes(data=True) if d["label"] in ENTITY_LABELS and (keys is None or k in keys)}
    edges = {(u, v, d["type"], d.get("title")) for u, v, d in g.edges(data=True)
             if d["type"] in FACT_TYPES and u in nodes and v in nodes}
    return len(nodes), len(edges)


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loading = []  # (tag, attr, value) that would make a browser fetch something

    def handle_starttag(self, tag, attrs):
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


def test_page_embeds_vis_and_data(graph):
    page, counts = render_html(graph)
    assert "vis-network" in page and 'id="kg-data"' in page
    assert "body.dataset.nodes" in page
    assert (counts["nodes"], counts["edges"]) == expected_counts(graph)
    for label in ENTITY_LABELS:
        assert COLOURS[label] in page and f"</span>{label}</div>" in page


def test_tooltips_carry_metrics(graph):
    view = view_data(graph)
    (dazhou,) = [n for n in view["nodes"] if n["label"] == "四川省达州市邮政分公司"]
    assert "新增余额: 57.76亿元 (2022)" in dazhou["title"]
    assert any(e["label"] == "WORKS_AT (理财经理)" for e in view["edges"])


def test_focus_and_hops(graph):
    view = view_data(graph, focus="罗启铃", hops=1)
    assert {n["label"] for n in view["nodes"]} == {"罗启铃", "绥定大道南邮政营业所"}
    assert view["focus"] == "person:罗启铃"
    assert [n["label"] for n in view_data(graph, focus="罗启铃", hops=0)["nodes"]] == ["罗启铃"]
    keys = neighbourhood(graph, "person:罗启铃", 1)
    assert len(view["nodes"]) == expected_counts(graph, keys)[0]
    with pytest.raises(KgError, match="ambiguous"):
        view_data(graph, focus="shandong")
    with pytest.raises(KgError, match="nothing in the graph"):
        view_data(graph, focus="完全无关的词语xyz")


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
    assert "9 nodes, 5 edges" in result.output and out.exists()
    quiet = CliRunner().invoke(main, ["viz", "--db", str(db), "-o", str(out), "--focus", "罗启铃", "--hops", "1", "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert CliRunner().invoke(main, ["viz", "--db", str(db), "--hops", "-1"]).exit_code == 2


# --- in a real browser -------------------------------------------------------

@pytest.mark.browser
def test_browser_draws_every_node(graph, tmp_path):
    from PIL import Image

    page = tmp_path / "graph.html"
    counts = write_html(graph, page)
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri(), until=lambda out: 'data-drawn="true"' in out)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert 'data-drawn="true"' in body, body
    assert f'data-nodes="{counts["nodes"]}"' in body and f'data-edges="{counts["edges"]}"' in body
    assert int(re.search(r'data-nodes="(\d+)"', body).group(1)) == expected_counts(graph)[0]

    shot = tmp_path / "graph.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,800", page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 800)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # a blank or error page has a handful of colours
    # Every label's node colour is on screen, so the nodes themselves were painted.
    present = {rgb for _, rgb in colours}
    for label in ENTITY_LABELS:
        want = tuple(int(COLOURS[label][i:i + 2], 16) for i in (1, 3, 5))
        assert want in present, f"no {label} node painted"


@pytest.mark.browser
def test_browser_focus_page(graph, tmp_path):
    page = tmp_path / "focus.html"
    counts = write_html(graph, page, focus="罗启铃", hops=1)
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri(), until=lambda out: "data-nodes=" in out)
    assert f'data-nodes="{counts["nodes"]}"' in dom and counts["nodes"] == 2


def test_empty_graph_page_says_so():
    import networkx as nx

    page, counts = render_html(nx.MultiDiGraph())
    assert counts == {"nodes": 0, "edges": 0}
    assert "The graph is empty" in page
