"""Builds that scale (issue 16): `kg build` as a user runs it, one process per measurement.

    python bench/store_bench.py                 # ~10 min on 2 quiet cores → bench/RESULTS.md, bench/store_results.json
    python bench/store_bench.py --pages 200 --small 20 --out /tmp/s    # a smaller run

Measures, side by side in one run:
1. store write rate: `kg build` of the 10 MB page's record (records in, so the
   store alone is timed) and a fresh `kg build` of a folder of 1,000 pages;
   rows/s over the whole store stage and over LadybugDB's own writing, against
   bench/copy_ceiling.py (a plain COPY of the same rows into an empty store);
2. incremental rebuilds of the 1,000-page folder: unchanged, and with one page
   changed, against the fresh build's wall time; the changed store's counts
   against a fresh build of the changed folder;
3. peak RSS of `kg build` (whole process, extraction included) on 100 and on
   1,000 pages;
4. cold `kg query` (README question 1) and `kg stats` on the 10 MB page's store.

Pages: bench/corpus.py `ensure_pages` (newspaper-sized pages of the real
pages' articles, seeded; page i is the same in every folder size).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
from kg.graph.records_file import path_for as records_path  # noqa: E402

MARK_START = "<!-- store-bench: written by bench/store_bench.py -->"
PAGE10_RUNS = 3
MARK_END = "<!-- /store-bench -->"
README_Q1 = ("MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name AS branch, p.name AS program "
             "ORDER BY branch")


def kg_exe() -> str:
    exe = Path(sys.executable).with_name("kg")
    return str(exe) if exe.exists() else "kg"


def run(argv, *, cwd=None) -> dict:
    """Run a command: wall seconds, stdout, stderr, exit code."""
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, text=True)
    return {"seconds": time.perf_counter() - started, "stdout": done.stdout, "stderr": done.stderr,
            "returncode": done.returncode, "rss_kib": None}


WRAP = ("import os, sys, subprocess, json; p = subprocess.Popen(sys.argv[1:]); "
        "_, status, ru = os.wait4(p.pid, 0); "
        "print(json.dumps({'rss_kib': ru.ru_maxrss, 'code': os.waitstatus_to_exitcode(status)}), file=sys.stderr)")


def measured(argv, *, cwd=None) -> dict:
    """`run` with the peak RSS of the command itself (a wrapper reaps it with wait4)."""
    result = run([sys.executable, "-c", WRAP, *argv], cwd=cwd)
    lines = result["stderr"].rstrip("\n").splitlines()
    info = json.loads(lines[-1])
    result.update(rss_kib=info["rss_kib"], returncode=info["code"], stderr="\n".join(lines[:-1]))
    if info["code"] != 0:
        raise SystemExit(f"failed ({info['code']}): {' '.join(map(str, argv))}\n{result['stderr'][-2000:]}")
    return result


_WROTE = re.compile(r"wrote ([\d,]+) nodes and edges in ([\d.]+) s \(([\d,–]+)/s; LadybugDB writing ([\d.]+) s")
_EXTRACTED = re.compile(r"extracted ([\d,]+) pages? \(([\d,]+) characters\) in ([\d.]+) s")


def build(inputs, db: Path, *, cwd=None) -> dict:
    """`kg build INPUTS --db DB --quiet`, its own figures parsed from what it prints."""
    result = measured([kg_exe(), "build", *map(str, inputs), "--db", str(db), "--quiet"], cwd=cwd)
    wrote = _WROTE.search(result["stdout"])
    rows, store_s, write_s = int(wrote.group(1).replace(",", "")), float(wrote.group(2)), float(wrote.group(4))
    got = _EXTRACTED.search(result["stdout"])
    return {"wall_seconds": result["seconds"], "rss_mb": result["rss_kib"] / 1024, "rows": rows,
            "store_seconds": store_s, "write_seconds": write_s,
            "store_rows_per_second": rows / store_s if store_s else None,
            "write_rows_per_second": rows / write_s if write_s else None,
            "extract_pages": int(got.group(1).replace(",", "")) if got else 0,
            "extract_seconds": float(got.group(3)) if got else 0.0,
            "summary": result["stdout"].splitlines()}


def stats(db: Path) -> dict:
    done = run([kg_exe(), "stats", "--db", str(db), "--json"])
    data = json.loads(done["stdout"])
    return {"nodes": data["nodes"], "edges": data["edges"]}


def ceiling(db: Path) -> list[dict]:
    done = run([sys.executable, str(HERE / "copy_ceiling.py"), str(db), "--json"])
    if done["returncode"] != 0:
        raise SystemExit(f"copy_ceiling failed: {done['stderr'][-2000:]}")
    return json.loads(done["stdout"].strip().splitlines()[-1])


def cold(argv, runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        done = run(argv)
        if done["returncode"] != 0:
            raise SystemExit(f"failed: {' '.join(argv)}\n{done['stderr']}")
        seconds.append(done["seconds"])
    return {"median_seconds": statistics.median(seconds), "seconds": seconds}


def change_one_page(folder: Path) -> Path:
    """Rewrite one page: a figure changes and a new sentence is added (a corrected reprint)."""
    page = sorted(folder.glob("*.txt"))[len(list(folder.glob("*.txt"))) // 2]
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"(\d+(?:\.\d+)?)亿元", lambda m: f"{float(m.group(1)) + 1.5:g}亿元", text, count=1)
    page.write_text(text + "\n\n2023年，该分公司新增代理金融余额3.6亿元。\n", encoding="utf-8")
    return page


def measure(pages: int, small: int, runs: int, work: Path, say) -> dict:
    out = {"pages": pages, "small": small}
    say("corpus …")
    big_folder = corpus.ensure_pages(pages)
    small_folder = corpus.ensure_pages(small)
    corpus.ensure_corpus((10,))
    page10 = corpus.page_path(10)

    say(f"kg build, {small} pages …")
    out["small_build"] = build([small_folder], work / "small.db")
    say(f"  {out['small_build']['wall_seconds']:.1f} s, peak {out['small_build']['rss_mb']:.0f} MB")

    folder = work / "pages"
    shutil.copytree(big_folder, folder)
    say(f"kg build, {pages} pages, fresh …")
    db = work / "big.db"
    out["fresh"] = build([folder], db)
    say(f"  {out['fresh']['wall_seconds']:.1f} s, store {out['fresh']['store_seconds']:.1f} s, "
        f"peak {out['fresh']['rss_mb']:.0f} MB")
    say("  ceiling (plain COPY of the same rows) …")
    out["fresh_ceiling"] = ceiling(db)

    say("kg build, unchanged …")
    out["unchanged"] = [build([folder], db) for _ in range(runs)]
    say("kg build, one page changed …")
    changed = []
    for i in range(runs):
        page = change_one_page(folder)
        changed.append(build([folder], db))
    out["changed"] = changed
    out["changed_page"] = page.name
    say("  fresh build of the changed folder, to compare …")
    fresh_db = work / "big-fresh.db"
    out["fresh_changed"] = build([folder], fresh_db)
    out["counts_incremental"] = stats(db)
    out["counts_fresh"] = stats(fresh_db)
    out["counts_identical"] = out["counts_incremental"] == out["counts_fresh"]

    say("10 MB page: extract, then kg build of its record …")
    record = work / "page10.jsonl"
    extract = measured([kg_exe(), "extract", str(page10), "-o", str(record), "--quiet"])
    out["page10_extract_seconds"] = extract["seconds"]
    db10 = work / "page10.db"
    # Best of PAGE10_RUNS fresh builds, as the ceiling is the best of its runs (sources × commit modes):
    # a COPY's few fixed milliseconds vary from run to run more than the gap being measured.
    runs10 = []
    for _ in range(PAGE10_RUNS):
        for leftover in (db10, records_path(db10)):
            leftover.unlink(missing_ok=True)
        runs10.append(build([record], db10))
    out["page10_runs"] = runs10
    out["page10"] = min(runs10, key=lambda b: b["write_seconds"])
    say(f"  store {out['page10']['store_seconds']:.1f} s, writing {out['page10']['write_seconds']:.1f} s "
        f"(best of {PAGE10_RUNS})")
    out["page10_ceiling"] = ceiling(db10)

    say("cold kg query and kg stats on the 10 MB page's store …")
    out["cold_query"] = cold([kg_exe(), "query", README_Q1, "--db", str(db10), "--format", "json"], 5)
    out["cold_stats"] = cold([kg_exe(), "stats", "--db", str(db10)], 5)
    return out


def best(ceilings: list[dict]) -> dict:
    return max(ceilings, key=lambda c: c["rows_per_second"])


def section(r: dict) -> str:
    """The RESULTS.md section (between the store-bench markers)."""
    n, m = r["pages"], r["small"]
    fresh, p10 = r["fresh"], r["page10"]
    ceil_fresh = {c["source"]: c for c in r["fresh_ceiling"]}
    ceil_10 = {c["source"]: c for c in r["page10_ceiling"]}
    unchanged = statistics.median(x["wall_seconds"] for x in r["unchanged"])
    changed = statistics.median(x["wall_seconds"] for x in r["changed"])
    lines = [MARK_START, "", "## Builds that scale (store writes, incremental builds, memory, quick commands)", "",
             f"- Command: `{r['command']}` (total {r['total_seconds'] / 60:.1f} min), {r['date']}",
             f"- Machine: {r['machine']}; load average before/after: {r['load_before']} / {r['load_after']}",
             "- Pages: bench/corpus.py `ensure_pages` — newspaper-sized pages (~14 KB) of the sample, dev and dev2 "
             "pages' raw article blocks, seeded; every measurement is a whole `kg build` process "
             "(`--quiet`), peak RSS by wait4.", ""]
    lines += ["### Store write rate", "",
              "rows = nodes + edges written. *store stage*: all the store does with the records it is given "
              "(rows prepared from records, entities resolved, facts merged, Parquet spooled, written); "
              "*LadybugDB writing*: the COPY statements, commits and closing checkpoint alone. *ceiling*: "
              "bench/copy_ceiling.py, a plain `COPY FROM` of the very rows the store holds into an empty store "
              "(same schema, one COPY per table and FROM/TO pair, nodes first), from each source, the best of "
              "committing each COPY and committing once. The 10 MB page's record is built "
              f"{PAGE10_RUNS} times and its best writing is shown; the 1,000-page build once.", "",
              "| graph | rows | store stage s | rows/s | LadybugDB writing s | rows/s | ceiling rows/s (arrow / parquet / pandas) | writing ÷ best ceiling |",
              "|---|---|---|---|---|---|---|---|"]
    for name, b, cl in ((f"the 10 MB page's record (`kg build page10.jsonl`)", p10, ceil_10),
                        (f"{n} pages, fresh (`kg build pages/`)", fresh, ceil_fresh)):
        top = max(c["rows_per_second"] for c in cl.values())
        srcs = " / ".join(f"{cl[s]['rows_per_second']:,.0f}" if s in cl else "–" for s in ("arrow", "parquet", "pandas"))
        lines.append(f"| {name} | {b['rows']:,} | {b['store_seconds']:.2f} | {b['store_rows_per_second']:,.0f} | "
                     f"{b['write_seconds']:.2f} | {b['write_rows_per_second']:,.0f} | {srcs} | "
                     f"{b['write_rows_per_second'] / top:.2f} |")
    lines += ["", "### Incremental builds", "",
              f"| build of the {n}-page folder | wall s | ÷ fresh | pages extracted | store s |", "|---|---|---|---|---|",
              f"| fresh | {fresh['wall_seconds']:.1f} | 1 | {fresh['extract_pages']:,} | {fresh['store_seconds']:.1f} |",
              f"| unchanged (median of {len(r['unchanged'])}) | {unchanged:.2f} | {unchanged / fresh['wall_seconds']:.3f} | "
              f"0 | {statistics.median(x['store_seconds'] for x in r['unchanged']):.2f} |",
              f"| one page changed (median of {len(r['changed'])}) | {changed:.2f} | {changed / fresh['wall_seconds']:.3f} | "
              f"{r['changed'][-1]['extract_pages']} | {statistics.median(x['store_seconds'] for x in r['changed']):.2f} |",
              "", f"Counts after the changed-page rebuild {'equal' if r['counts_identical'] else 'DIFFER FROM'} "
              f"those of a fresh build of the changed folder ({r['fresh_changed']['wall_seconds']:.1f} s).", ""]
    small = r["small_build"]
    lines += ["### Memory", "",
              "| `kg build` | pages | wall s | peak RSS MB |", "|---|---|---|---|",
              f"| fresh | {m} | {small['wall_seconds']:.1f} | {small['rss_mb']:.0f} |",
              f"| fresh | {n} | {fresh['wall_seconds']:.1f} | {fresh['rss_mb']:.0f} |",
              "", f"{n} pages ÷ {m} pages: **{fresh['rss_mb'] / small['rss_mb']:.2f}×** peak RSS.", ""]
    lines += ["### Quick commands (cold, a new process each, median of 5)", "",
              "| command | on | seconds |", "|---|---|---|",
              f"| `kg query` (README question 1) | the 10 MB page's store | {r['cold_query']['median_seconds']:.3f} |",
              f"| `kg stats` | the 10 MB page's store | {r['cold_stats']['median_seconds']:.3f} |", ""]
    if r.get("notes"):
        lines += ["Notes:", ""] + [f"- {x}" for x in r["notes"]] + [""]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def write_section(results: dict, out: Path) -> None:
    import report

    target = out / "RESULTS.md"
    text = target.read_text(encoding="utf-8") if target.exists() else "# kg benchmark results\n"
    if MARK_START in text:
        head, rest = text.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        text = head.rstrip("\n") + "\n\n" + section(results) + tail.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section(results)
    report._write_atomic(target, text)
    report._write_atomic(out / "store_results.json", json.dumps(results, indent=1, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000, help="the large folder (default 1000 pages)")
    ap.add_argument("--small", type=int, default=100, help="the small folder, for memory (default 100 pages)")
    ap.add_argument("--runs", type=int, default=3, help="incremental rebuilds of each kind (median)")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for RESULTS.md and store_results.json")
    args = ap.parse_args(argv)
    from run import loadavg, machine

    started = time.monotonic()

    def say(msg):
        print(f"[{time.monotonic() - started:6.0f}s] {msg}", file=sys.stderr, flush=True)

    (HERE / ".work").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="store-", dir=HERE / ".work"))
    load_before = loadavg()
    try:
        results = measure(args.pages, args.small, args.runs, work, say)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    m = machine()
    results.update(command="python bench/store_bench.py" + "".join(
        f" --{k} {v}" for k, v in (("pages", args.pages), ("small", args.small), ("runs", args.runs))
        if v != {"pages": 1000, "small": 100, "runs": 3}[k]),
        date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        machine=f"{m['cores']} cores ({m['cpu']}), {m['memory_gib']:.0f} GiB; Python {m['python']}; "
                f"ladybug {m['versions'].get('ladybug')}, spacy {m['versions'].get('spacy')}",
        load_before=load_before, load_after=loadavg(), total_seconds=time.monotonic() - started, notes=[])
    args.out.mkdir(parents=True, exist_ok=True)
    write_section(results, args.out)
    print(section(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
