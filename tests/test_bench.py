"""The benchmark script runs end to end (`--quick`) and writes a complete report into --out."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
DEV_PAGE = ROOT.parent / "shared" / "corpus" / "dev" / "000_09546977b2fce549.txt"


@pytest.mark.slow
@pytest.mark.server
def test_quick_benchmark_writes_results(tmp_path):
    if not DEV_PAGE.exists():
        unavailable(f"{DEV_PAGE} is missing (the benchmark corpus is made from it)")
    results_md = ROOT / "bench" / "RESULTS.md"
    before = results_md.read_bytes() if results_md.exists() else None
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "kg/jieba at 1 MB:" in done.stdout

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    runs = {(x["tool"], x["procs"]): x for x in results["extraction"]}
    assert set(runs) == {("kg", 1), ("kg", 2), ("jieba.posseg", 1)}
    for x in runs.values():
        assert x["size_mb"] == 1 and x["chars"] > 300_000 and x["rss_mb"] > 10
        # the figures are what was measured: the median run, and chars over its seconds
        assert len(x["all_seconds"]) == x["runs"] and x["seconds"] == statistics.median(x["all_seconds"])
        assert x["chars_per_second"] == pytest.approx(x["chars"] / x["seconds"], rel=1e-9)
    assert runs[("kg", 1)]["chars"] == runs[("jieba.posseg", 1)]["chars"]  # the same text for both
    assert results["ratio_kg_over_jieba"]["1"] == pytest.approx(
        runs[("kg", 1)]["chars_per_second"] / runs[("jieba.posseg", 1)]["chars_per_second"], rel=1e-9)
    assert results["profile"]["own"] and results["profile"]["stages"]["stages"]
    graph = results["graph"]
    assert graph["store"]["rows"] == graph["nodes"] + graph["edges"]
    for key in ("neo4j", "falkordb_native", "falkordb_bolt"):
        if "unavailable" in graph[key]:
            unavailable(graph[key]["unavailable"])
        g = graph[key]
        assert g["rows"] == graph["nodes"] + graph["edges"], g
        assert g["rows_per_second"] == pytest.approx(g["rows"] / statistics.median(g["seconds"]), rel=1e-9), g
    assert [q["rows"] for q in graph["queries"]][0] > 0  # branches run programs on the sample pages

    md = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    pdf = results["pdf"]
    assert pdf["library"]["pypdfium2"]["exact_share"] == 1.0  # every drawn character, where it was drawn
    assert pdf["reading"]["read_pdf"]["pages_per_second"] > 0 and pdf["reading"]["read_text"]["pages_per_second"] > 0
    for heading in ("## Extraction", "## Growth with page size", "## Where the time goes", "## Graph stores",
                    "## PDF pages"):
        assert heading in md
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RESULTS.md", "results.json"]
    after = results_md.read_bytes() if results_md.exists() else None
    assert after == before, "a --quick run with --out must not touch bench/RESULTS.md"
