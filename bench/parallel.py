"""`kg.nlp.extract.extract_chunks` with the chunks farmed out to worker processes.

kg reads a huge page chunk by chunk, and each chunk is cleaned, segmented and
run through the pipeline on its own; only the final `assemble` needs every
chunk's facts. So the workers (forked after the pipeline is loaded, so they
share it copy-on-write) do clean → segment → pipeline, and the parent reads
the file, hands out chunks in order and assembles. The record is the one
`extract_chunks` gives (run.py checks this on every run).

This uses kg.nlp.extract's private `_facts`; the change to propose for kg is an
`n_process` argument on `extract_chunks` doing exactly this.
"""
from __future__ import annotations

import hashlib
import multiprocessing

from kg.nlp.assemble import assemble
from kg.text.clean import clean_text
from kg.nlp.extract import _facts
from kg.nlp.pipeline import load_pipeline

_NLP = None


def _init(pipeline: str) -> None:
    global _NLP
    _NLP = load_pipeline(pipeline)  # already loaded before the fork: a cache hit


def _chunk_facts(chunk: str):
    cleaned = clean_text(chunk)
    facts, meta = _facts(_NLP, cleaned, 0, 0)
    return facts, meta, len(cleaned.text)


def extract_chunks_parallel(chunks, doc: str, *, processes: int, pipeline: str = "default") -> tuple[dict, int]:
    """(record, peak RSS in KiB of the largest worker) for a page given as chunks."""
    load_pipeline(pipeline)
    ctx = multiprocessing.get_context("fork")
    digest = hashlib.sha1()

    def hashed(chunks):
        for chunk in chunks:
            digest.update(chunk.encode("utf-8"))
            yield chunk

    all_facts, all_meta, base = [], [], 0
    with ctx.Pool(processes, initializer=_init, initargs=(pipeline,)) as pool:
        # imap keeps chunk order; chunksize 1 because one chunk is ~200k chars of work.
        for facts, meta, length in pool.imap(_chunk_facts, hashed(chunks), chunksize=1):
            first = len(all_meta)
            for f, m in zip(facts, meta):
                # Offsets and indices were chunk-local: shift them as extract_chunks does.
                f.index += first
                f.start += base  # assemble adds this to every mention/relation/metric offset
                m["index"] += first
                m["start"] += base
                m["end"] += base
            all_facts.extend(facts)
            all_meta.extend(meta)
            base += length + 1
        pool.close()
        pool.join()
    record = assemble(doc, all_facts, sha1=digest.hexdigest(), chars=max(base - 1, 0), article_meta=all_meta)
    return record, _children_maxrss_kib()


def _children_maxrss_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
