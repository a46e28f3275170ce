"""How fast the graph page is made and drawn, for graphs of 500 to 2,000 entities.

    python bench/viz.py                      # 500, 1000 and 2000 entities, 3 runs each
    python bench/viz.py --sizes 2000 --runs 5 --shots /tmp/shots

For each size: the seconds `kg.explore.viz.write_html` takes (layout
included), the page's size, and the milliseconds headless Chromium takes
from navigation to the page's first full drawing (the page measures it
itself: `data-render-ms`), median of the runs. The graphs are
tests/synthetic_graph.py's invented ones (seeded). `--shots DIR` keeps a
1200x800 screenshot of each page to look at.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kg.explore.viz import write_html  # noqa: E402
from kg.graph.model import build_graph  # noqa: E402
from synthetic_graph import synthetic_records  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1200,800",
         "--virtual-time-budget=30000"]


def render_ms(chromium, page: Path, work: Path) -> int:
    out = subprocess.run([chromium, *FLAGS, f"--user-data-dir={work / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=300).stdout
    found = re.search(r'data-render-ms="(\d+)"', out)
    if not found:
        raise SystemExit(f"{page}: the page did not finish drawing")
    return int(found.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shots", type=Path, help="keep a screenshot of each page here")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        raise SystemExit("headless Chromium not found (apt-get install chromium)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| entities | relations | write_html s | page MB | first drawing ms (Chromium) |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="kg-viz-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            graph = build_graph(synthetic_records(size))
            page = work / f"graph-{size}.html"
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                counts = write_html(graph, page)
                seconds.append(time.perf_counter() - started)
            drawn = [render_ms(chromium, page, work) for _ in range(args.runs)]
            if args.shots:
                args.shots.mkdir(parents=True, exist_ok=True)
                subprocess.run([chromium, *FLAGS, f"--user-data-dir={work / 'profile'}",
                                f"--screenshot={args.shots / f'graph-{size}.png'}", page.as_uri()],
                               capture_output=True, timeout=300)
            print(f"| {counts['nodes']} | {counts['edges']} | {statistics.median(seconds):.2f} | "
                  f"{page.stat().st_size / 1e6:.1f} | {statistics.median(drawn):.0f} |")


if __name__ == "__main__":
    main()
