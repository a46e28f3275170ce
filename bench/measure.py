"""One measurement in a process of its own, so its peak RSS is its own.

    python bench/measure.py kg PAGE [--procs N] [--record OUT.json]
    python bench/measure.py jieba PAGE
    python bench/measure.py profile PAGE [--max-chars N]

Prints one JSON object. Both tools read the page the same way, chunk by chunk
with `kg.text.reading.iter_page_chunks`, and the clock runs from the first read to
the last result; loading the spaCy pipeline / jieba's dictionary happens
before it (reported as `setup_seconds`). `chars` counts the page's characters
as read, the same figure for both tools.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def _counting(chunks, tally):
    for chunk in chunks:
        tally[0] += len(chunk)
        yield chunk


def _rss_kib() -> int:
    """Peak RSS (KiB) of this process's own memory since exec.

    Not ru_maxrss: Linux carries the high-water mark of the process image
    replaced by exec over, and subprocess may vfork from the orchestrator, whose
    RSS (records, graphs) would then show up here.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_kg(page: Path, procs: int, record_out: Path | None) -> dict:
    from kg.nlp.extract import extract_chunks
    from kg.nlp.pipeline import load_pipeline
    from kg.text.reading import iter_page_chunks

    t0 = time.perf_counter()
    load_pipeline("default")
    setup = time.perf_counter() - t0
    tally = [0]
    t0 = time.perf_counter()
    chunks = _counting(iter_page_chunks(page), tally)
    if procs == 1:
        record, workers_kib = extract_chunks(chunks, page.name), 0
    else:
        from parallel import extract_chunks_parallel

        record, workers_kib = extract_chunks_parallel(chunks, page.name, processes=procs)
    seconds = time.perf_counter() - t0
    rss = _rss_kib()  # before the checks below, which hold the record twice
    if record_out is not None:
        from kg.nlp.records import write_records  # what `kg extract -o` does: streamed, atomic

        write_records([record], record_out)
    digest = hashlib.sha1(json.dumps({k: v for k, v in record.items() if k != "path"}, sort_keys=True,
                                     ensure_ascii=False).encode("utf-8")).hexdigest()
    return {"tool": "kg", "procs": procs, "seconds": seconds, "setup_seconds": setup, "chars": tally[0],
            "rss_kib": rss, "worker_rss_kib": workers_kib,
            "record_sha1": digest, "counts": {k: len(record[k]) for k in ("articles", "entities", "relations", "metrics")}}


def measure_folder(folder: Path) -> dict:
    """`kg extract FOLDER -o records.jsonl` in-process: files/s and peak memory over many small pages."""
    import tempfile

    from kg.nlp.extract import extract_paths
    from kg.nlp.pipeline import load_pipeline
    from kg.nlp.records import write_records

    load_pipeline("default")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_records(extract_paths([folder]), Path(tmp) / "records.jsonl")
    seconds = time.perf_counter() - t0
    return {"tool": "kg folder", "files": files, "seconds": seconds, "rss_kib": _rss_kib()}


def measure_jieba(page: Path) -> dict:
    import jieba
    import jieba.posseg

    from kg.text.reading import iter_page_chunks

    jieba.setLogLevel(60)
    t0 = time.perf_counter()
    jieba.initialize()
    setup = time.perf_counter() - t0
    tally, words = [0], 0
    t0 = time.perf_counter()
    for chunk in _counting(iter_page_chunks(page), tally):
        for _ in jieba.posseg.cut(chunk):
            words += 1
    seconds = time.perf_counter() - t0
    return {"tool": "jieba.posseg", "procs": 1, "seconds": seconds, "setup_seconds": setup, "chars": tally[0],
            "rss_kib": _rss_kib(), "worker_rss_kib": 0, "words": words}


def _walk(frame, stack, own, cum):
    key = (frame.function or "?", frame.file_path_short or "", frame.line_no or 0)
    own[key] = own.get(key, 0.0) + frame.total_self_time
    if key not in stack:  # recursion: count a function's time once per outermost call
        cum[key] = cum.get(key, 0.0) + frame.time
    stack.append(key)
    for child in frame.children:
        _walk(child, stack, own, cum)
    stack.pop()


def _first_chars(page: Path, max_chars: int):
    from kg.text.reading import iter_page_chunks

    seen = 0
    for chunk in iter_page_chunks(page, target_chars=min(200_000, max_chars)):
        if seen >= max_chars:
            return
        seen += len(chunk)
        yield chunk


def stage_timing(page: Path, max_chars: int) -> dict:
    """Seconds per stage of extract_chunks' work, timed with perf_counter (no profiler overhead):
    each chunk is one Doc (the tokenizer cleans it, kg_article_splitter finds its articles),
    then every component, then the facts and the record's assembly."""
    from kg.nlp.assemble import assemble, facts_from_doc
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline("default")
    spent: dict = {}

    def timed(name, fn, *args):
        t = time.perf_counter()
        value = fn(*args)
        spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        return value

    t0 = time.perf_counter()
    chars, facts, base = 0, [], 0
    for chunk in _first_chars(page, max_chars):
        chars += len(chunk)
        doc = timed("tokenizer (cleaning, char)", nlp.make_doc, chunk)
        for name, proc in nlp.pipeline:
            doc = timed(name, proc, doc)
        facts.append(timed("facts_from_doc", facts_from_doc, doc, len(facts), base))
        base += len(doc.user_data["kg_text"]) + 1
    timed("assemble", assemble, page.name, facts)
    total = time.perf_counter() - t0
    stages = sorted(spent.items(), key=lambda kv: -kv[1])
    return {"chars": chars, "seconds": total,
            "stages": [{"stage": k, "seconds": v, "share": v / total} for k, v in stages]}


def measure_profile(page: Path, max_chars: int, top: int = 5) -> dict:
    """Stage timing, then pyinstrument over extract_chunks, on the first `max_chars` characters of the page."""
    from pyinstrument import Profiler

    from kg.nlp.extract import extract_chunks
    from kg.nlp.pipeline import load_pipeline

    load_pipeline("default")
    stages = stage_timing(page, max_chars)
    tally = [0]
    profiler = Profiler(interval=0.001)
    t0 = time.perf_counter()
    profiler.start()
    extract_chunks(_counting(_first_chars(page, max_chars), tally), page.name)
    profiler.stop()
    seconds = time.perf_counter() - t0
    root = profiler.last_session.root_frame()
    own, cum = {}, {}
    _walk(root, [], own, cum)
    total = root.time or 1.0

    def rows(table):
        out = []
        for (fn, path, line), t in sorted(table.items(), key=lambda kv: -kv[1]):
            # Skip pyinstrument's synthetic frames and this script's own frames.
            if path.startswith("<") or fn.startswith("[") or fn == "<module>" or "measure.py" in path:
                continue
            out.append({"function": fn, "where": f"{path}:{line}", "seconds": t, "share": t / total})
        return out[:top]

    return {"tool": "profile", "seconds": seconds, "chars": tally[0], "profiled_seconds": total,
            "own": rows(own), "cumulative": rows(cum), "stages": stages}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["kg", "jieba", "profile", "folder"])
    ap.add_argument("page", type=Path)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--record", type=Path)
    ap.add_argument("--max-chars", type=int, default=2_000_000)
    args = ap.parse_args(argv)
    if args.what == "kg":
        result = measure_kg(args.page, args.procs, args.record)
    elif args.what == "jieba":
        result = measure_jieba(args.page)
    elif args.what == "folder":
        result = measure_folder(args.page)
    else:
        result = measure_profile(args.page, args.max_chars)
    result["page"] = os.fspath(args.page)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
