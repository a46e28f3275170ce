"""`kg.nlp.extract.extract_chunks` with the chunks read by worker processes.

kg reads a huge page chunk by chunk; each chunk is cleaned, split into
articles and run through the pipeline on its own, and only the final
`assemble` needs every chunk's facts. `extract_chunks(…, n_process=N)` hands
the chunks to spaCy's `nlp.pipe(…, n_process=N)` (the docs come back as plain
data) and assembles them in order; this measures it, with the workers' peak
memory.
"""
from __future__ import annotations

from kg.nlp.extract import extract_chunks


def extract_chunks_parallel(chunks, doc: str, *, processes: int, pipeline: str = "default") -> tuple[dict, int]:
    """(record, peak RSS in KiB of the largest worker) for a page given as chunks."""
    record = extract_chunks(chunks, doc, pipeline=pipeline, n_process=processes)
    return record, _children_maxrss_kib()


def _children_maxrss_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
