"""RESULTS.md (and results.json) from the figures bench/run.py gathered, plus the stdout summary."""
from __future__ import annotations

import json
import os
from pathlib import Path


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


STORE_START = "<!-- store-bench: written by bench/store_bench.py -->"
STORE_END = "<!-- /store-bench -->"


def write(results: dict, out: Path) -> None:
    _write_atomic(out / "results.json", json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n")
    text = markdown(results)
    # bench/store_bench.py's section (its own run) stays when this run rewrites the file.
    old = out / "RESULTS.md"
    kept = old.read_text(encoding="utf-8") if old.exists() else ""
    if STORE_START in kept and STORE_END in kept:
        block = STORE_START + kept.split(STORE_START, 1)[1].split(STORE_END, 1)[0] + STORE_END
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    _write_atomic(out / "RESULTS.md", text)


def _n(x, digits=0) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _table(head: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _dominant(stages: list[dict]) -> str:
    top = stages[0]
    rest = stages[1] if len(stages) > 1 else None
    if top["share"] >= 0.4 and (rest is None or top["share"] >= 2 * rest["share"]):
        return (f"**{top['stage']} dominates: {top['share']:.0%} of extraction time** "
                f"(next: {rest['stage']}, {rest['share']:.0%}).") if rest else f"**{top['stage']} dominates.**"
    return "No single stage dominates."


def markdown(r: dict) -> str:
    m = r["machine"]
    L = ["# kg benchmark results", ""]
    if r["quick"]:
        L += ["**Quick run (`--quick`): 1 MB page, one run of each — a smoke test, not figures to quote.**", ""]
    L += [f"- Command: `{r['command']}` (total {r['total_seconds'] / 60:.1f} min)",
          f"- Date: {r['date']}",
          f"- Machine: {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gib']:.0f} GiB memory; "
          f"Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
          f"- Load average before/after: {r['load_before']} / {r['load_after']} "
          "(other work on the machine slows kg and jieba alike: their runs are interleaved)",
          f"- Corpus: bench/corpus.py, seed {r['corpus']['seed']}, {r['corpus'].get('blocks', '?')} raw article "
          "blocks of examples/sample_page.txt and the dev page, recombined with their PDF artefacts",
          ""]
    pages = r["corpus"]["pages"]
    L += _table(["page", "bytes", "chars", "sha1"],
                [[f"{k} MB", _n(v["bytes"]), _n(v["chars"]), f"`{v['sha1'][:12]}`"] for k, v in sorted(
                    pages.items(), key=lambda kv: int(kv[0]))])

    L += ["## Extraction", "",
          "Each figure is the median over `runs` runs, each in a process of its own; the clock covers reading "
          "the page chunk by chunk (`kg.text.reading.iter_page_chunks`) to the finished record (kg) or the last "
          "`jieba.posseg.cut` token (jieba, dictionary loaded beforehand). kg ×2 farms the page's chunks out to "
          "two forked workers and assembles in the parent (bench/parallel.py); its record is checked to be "
          "identical to kg ×1's. Peak RSS: the measuring process; for ×2 also the largest worker.", ""]
    L += _table(["page", "tool", "procs", "runs", "median s", "chars/s", "pages/s", "peak RSS MB", "worker RSS MB"],
                [[f"{x['size_mb']} MB", x["tool"], x["procs"], x["runs"], _n(x["seconds"], 1),
                  _n(x["chars_per_second"]), _n(x["pages_per_second"], 4), _n(x["rss_mb"]),
                  _n(x["worker_rss_mb"]) if x["procs"] > 1 else "–"] for x in r["extraction"]])
    if r["ratio_kg_over_jieba"]:
        L += ["**kg ÷ jieba.posseg (chars/s, one process each; goal ≥ 2×):** " + ", ".join(
            f"{k} MB: **{v:.2f}×**" for k, v in r["ratio_kg_over_jieba"].items()), ""]
    if r["scaling_2_over_1"]:
        L += ["**2 processes ÷ 1 (kg chars/s):** " + ", ".join(
            f"{k} MB: {v:.2f}×" for k, v in r["scaling_2_over_1"].items()), ""]

    L += ["## Growth with page size", ""]
    if r["growth"]:
        L += _table(["run", "pages (MB)", "log-log exponent of time vs chars"],
                    [[k, ", ".join(map(str, g["sizes_mb"])), _n(g["exponent"], 3)] for k, g in r["growth"].items()])
        L += ["An exponent of 1 is linear; kg ×1 (what `kg extract` runs) is the series measured on all three "
              "pages.", ""]
    else:
        L += ["Only one page size in this run: no fit.", ""]
    kg1 = [x for x in r["extraction"] if x["tool"] == "kg" and x["procs"] == 1]
    if kg1:
        L += ["Peak resident memory of kg ×1 by page: " + ", ".join(
            f"{x['size_mb']} MB page → {x['rss_mb']:.0f} MB" for x in kg1)
            + " (goal: under 1 GB at 50 MB). The text is streamed chunk by chunk; what grows is the page's "
              "facts, held until the page's one record is assembled (about 2.5 MB of JSON per MB of page).", ""]

    p = r["profile"]
    st = p["stages"]
    L += ["## Where the time goes", "",
          f"Per stage, timed directly (no profiler) on the first {st['chars']:,} characters of the "
          f"{'1' if r['quick'] else '10'} MB page: {st['seconds']:.1f} s, "
          f"{st['chars'] / st['seconds']:,.0f} chars/s.", ""]
    L += _table(["stage", "seconds", "share"],
                [[s["stage"], _n(s["seconds"], 2), f"{s['share']:.1%}"] for s in st["stages"][:10]])
    L += [_dominant(st["stages"]), ""]
    L += [f"pyinstrument (1 ms sampling) over `extract_chunks` on the same {p['chars']:,} characters: "
          f"{p['profiled_seconds']:.1f} s under the profiler. spaCy's Cython code is built with profiling hooks, "
          "so under a profiler every `Token` that spaCy creates costs far more than without one: the profile "
          "overstates token-creating code (the stage table above is the undistorted split) but shows who calls it.", ""]
    for key, title in (("own", "Top five by own time"), ("cumulative", "Top five by cumulative time")):
        L += [f"**{title}:**", ""]
        L += _table(["function", "where", "seconds", "share"],
                    [[f"`{x['function']}`", f"`{x['where']}`", _n(x["seconds"], 2), f"{x['share']:.1%}"]
                     for x in p[key]])

    g = r["graph"]
    L += ["## Graph stores", "",
          f"Graph of the {g['page_mb']} MB page's record: {g['nodes']:,} nodes, {g['edges']:,} edges "
          f"(`kg.graph.model.build_graph`: {g['build_graph_seconds']:.1f} s). Every run loads into a new, empty database.",
          ""]
    rows = []
    for key, name in (("store", "embedded LadybugDB (`kg.graph.store.build_store`)"),
                      ("store_same_graph", "embedded LadybugDB, on Neo4j's graph"),
                      ("neo4j", "Neo4j {} over Bolt (`kg load`'s loader; tests/neo4j/Server.java)".format(
                          (g.get("neo4j") or {}).get("version", "5.26"))),
                      ("falkordb_native", "FalkorDB, native protocol (unix socket)"),
                      ("falkordb_bolt", "FalkorDB, Bolt (private network namespace)")):
        x = g.get(key)
        if x is None and key == "store_same_graph":
            continue  # only when Neo4j was measured on another page's graph (bench/graphbench.py --into)
        x = x or {}
        if "unavailable" in x:
            rows.append([name, "–", "–", "–", "–", f"not run: {x['unavailable']}"])
            continue
        page = x.get("page_mb") or g["page_mb"]
        rows.append([name, f"{page} MB", _n(x["rows"]), x["runs"], _n(x["rows_per_second"]),
                     f"batch {x['batch_size']}" if "batch_size" in x else "COPY per table (kg.graph.store)"])
    L += _table(["store", "page", "rows", "runs", "rows/s (median)", "notes"], rows)
    if "rows_per_second" in (g.get("neo4j") or {}):
        x = g["neo4j"]
        L += [f"Neo4j: one server (heap {x.get('heap', '?')}, started in {x['server_start_seconds']:.0f} s). Its first "
              f"load, with the JVM still compiling, took {x['cold_seconds']:.1f} s "
              f"({x['cold_rows_per_second']:,.0f} rows/s); the figure above is the median of the {x['runs']} loads "
              f"after it, each into a database emptied of data and schema, so each creates the constraints and "
              f"writes every row. Batch {x['batch_size']} rows per transaction (`kg load --batch-size`), "
              f"{x.get('writers', 1)} transaction(s) at once (`kg load --writers`). Loading "
              f"the same graph again (nothing changes) took {x['reload_seconds']:.1f} s.", ""]
    if "falkordb_bolt" in g and "batch_size" in g["falkordb_bolt"]:
        L += ["Bolt runs on the 1 MB page's graph: FalkorDB's Bolt bridge crashes on parameters over ~4 KB, so "
              "batches hold only as many rows as fit in 3 KB, and the 50 MB graph would take far too long.", ""]
    qruns = g["queries"][0]["runs"] if g["queries"] else 0
    L += [f"Query latency on the {g['page_mb']} MB page's store, median of {qruns}: `kg query` as a new process "
          "(what a user waits for) and `kg.graph.store.run_query` in-process (open the store + query).", ""]
    L += _table(["docs/USING.md query", "rows", "`kg query` s", "run_query s"],
                [[q["query"], q["rows"], _n(q["cli_seconds"], 3), _n(q["run_query_seconds"], 3)]
                 for q in g["queries"]])
    f = r.get("folder")
    if f:
        L += ["## Many small pages", "",
              f"`kg extract` over a folder of {f['files']:,} small pages (bench/corpus.py `ensure_folder`): "
              f"{f['seconds']:.1f} s, {f['files'] / f['seconds']:.0f} pages/s, peak RSS "
              f"{f['rss_kib'] / 1024:.0f} MB (records are streamed to the output file as they are made).", ""]
    pdf = r.get("pdf")
    if pdf:
        from pdfbench import table as pdf_table

        L += ["## PDF pages", "",
              "bench/pdfbench.py: the sample and dev pages drawn as newspaper PDFs by tests/pdfgen.py (which "
              "records every character's origin and size). The library kg reads PDFs with was chosen on these "
              "figures: every character back exactly, several times faster, and a license an MIT project can ship.",
              ""]
        L += pdf_table(pdf)
    if r["notes"]:
        L += ["## Notes", ""] + [f"- {n}" for n in r["notes"]] + [""]
    return "\n".join(L)


def summary(r: dict) -> str:
    out = ["kg benchmark" + (" (quick)" if r["quick"] else "") + f": {r['total_seconds'] / 60:.1f} min"]
    for x in r["extraction"]:
        out.append(f"  {x['size_mb']:>2} MB {x['tool']:<13} ×{x['procs']}: {x['chars_per_second']:>9,.0f} chars/s "
                   f"({x['runs']} run{'s' if x['runs'] > 1 else ''}), peak RSS {x['rss_mb']:,.0f} MB")
    for k, v in r["ratio_kg_over_jieba"].items():
        out.append(f"  kg/jieba at {k} MB: {v:.2f}x (goal 2x)")
    for k, v in r["scaling_2_over_1"].items():
        out.append(f"  2 procs vs 1 at {k} MB: {v:.2f}x")
    for k, g in r["growth"].items():
        out.append(f"  log-log exponent {k}: {g['exponent']:.3f}")
    top = r["profile"]["stages"]["stages"][0]
    out.append(f"  largest stage: {top['stage']} ({top['share']:.0%})")
    g = r["graph"]
    for key in ("store", "neo4j", "falkordb_native", "falkordb_bolt"):
        x = g.get(key) or {}
        out.append(f"  {key}: " + (f"{x['rows_per_second']:,.0f} rows/s" if "rows_per_second" in x
                                   else x.get("unavailable", "not run")))
    pdf = r.get("pdf")
    if pdf:
        rd = pdf["reading"]
        out.append(f"  PDF reading: {rd['read_pdf']['pages_per_second']:.1f} pages/s (text path "
                   f"{rd['read_text']['pages_per_second']:.1f}); extraction {rd['extract_pdf']['pages_per_second']:.1f} "
                   f"pages/s from PDF, {rd['extract_text']['pages_per_second']:.1f} from text")
    for q in g["queries"]:
        out.append(f"  query '{q['query']}': kg query {q['cli_seconds']:.2f} s, run_query {q['run_query_seconds']:.3f} s")
    return "\n".join(out)
