"""`kg stats` and kg.explore.stats: counts per label and type, documents, articles."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.graph.model import build_graph
from kg.nlp.records import read_records
from kg.explore.stats import graph_stats, render_stats

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"


@pytest.fixture(scope="module")
def graph():
    return build_graph(read_records(FIXTURE))


def test_counts_of_the_fixture(graph):
    s = graph_stats(graph)
    # three records, one of them skipped; a.txt has two articles, b.txt one
    assert (s["documents"], s["skipped_documents"], s["articles"]) == (3, 1, 3)
    assert s["nodes"]["Program"] == 2 and s["nodes"]["Person"] == 1 and s["nodes"]["Metric"] == 3
    assert s["edges"]["RUNS"] == 2 and s["edges"]["WORKS_AT"] == 1 and s["edges"]["FINANCES"] == 0
    assert s["facts"] == 5 and s["metrics"] == 3
    assert s["entities"] == sum(s["nodes"][k] for k in ("Branch", "Partner", "Product", "Program", "Person"))


def test_render_lists_every_label_and_type(graph):
    text = render_stats(graph_stats(graph))
    assert "documents  3 (1 skipped)" in text
    for word in ("Branch", "Metric", "Article", "PARTNERS_WITH", "HAS_ARTICLE"):
        assert word in text


def test_empty_graph():
    import networkx as nx

    s = graph_stats(nx.MultiDiGraph())
    assert s["documents"] == 0 and s["entities"] == 0 and s["edges"]["RUNS"] == 0


def test_cli_stats_json_matches_the_store(tmp_path):
    from kg.cli import main
    from kg.graph.store import build_store, counts

    db = tmp_path / "kg.db"
    build_store(read_records(FIXTURE), db)
    result = CliRunner().invoke(main, ["stats", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    stored = counts(db)
    assert data["nodes"] == stored["nodes"] and data["edges"] == stored["edges"]
    text = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert text.exit_code == 0 and "facts      5" in text.output


QUICK = """
import sys
from kg.cli import main
try:
    main(sys.argv[1:], prog_name="kg")
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in ("networkx", "spacy", "pyarrow", "pandas") if m in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
"""


VIEW = """
import sys
from kg.explore.viz import view_data
from kg.graph.reader import StoreReader
with StoreReader(sys.argv[1]) as r:
    view = view_data(r, focus="达州", hops=1)
assert view["nodes"] and view["focus"]
heavy = sorted(m for m in ("networkx", "spacy", "pyarrow", "pandas") if m in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
"""


def test_viz_reads_what_it_draws_without_networkx(tmp_path):
    """kg viz --focus gets its nodes and edges from the store with Cypher (the page's
    JavaScript comes from elsewhere)."""
    import subprocess
    import sys

    from kg.graph.store import build_store

    db = tmp_path / "kg.db"
    build_store(read_records(FIXTURE), db)
    done = subprocess.run([sys.executable, "-c", VIEW, str(db)], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "loaded:", done.stderr


@pytest.mark.parametrize("argv", [["stats"], ["query", "MATCH (b:Branch) RETURN count(b)"], ["lookup", "达州"]],
                         ids=lambda a: a[0])
def test_reading_commands_load_neither_networkx_nor_spacy(tmp_path, argv):
    """kg stats, query, lookup and viz read the store with Cypher: no graph is rebuilt, so
    networkx (and spaCy, pyarrow) stay out of the process."""
    import subprocess
    import sys

    from kg.graph.store import build_store

    db = tmp_path / "kg.db"
    build_store(read_records(FIXTURE), db)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    done = subprocess.run([sys.executable, "-c", QUICK, *args, "--db", str(db)], capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "loaded:", done.stderr


def test_store_stats_match_the_graph(tmp_path):
    from kg.explore.stats import store_stats
    from kg.graph.store import build_store

    db = tmp_path / "kg.db"
    build_store(read_records(FIXTURE), db)
    assert store_stats(db) == graph_stats(build_graph(read_records(FIXTURE)))
