"""Pages in, records out: read → clean → split into articles → spaCy pipeline → assemble.

`extract_text` handles one page held in memory; `extract_paths` walks files
and folders, skipping (with a reason in the record) what cannot be read, and
streams pages larger than `kg.text.reading.LARGE_PAGE_BYTES` chunk by chunk so a
50 MB page runs in bounded memory.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

from kg.nlp.assemble import ArticleFacts, assemble, facts_from_doc
from kg.text.clean import clean_text
from kg.errors import InputError
from kg.nlp.pipeline import load_pipeline
from kg.text.reading import LARGE_PAGE_BYTES, RunReport, Skip, check_page, discover, iter_page_chunks, read_page
from kg.text.segment import segment


def _article_meta(article, base):
    return {"index": article.index, "title": article.title, "subtitle": article.subtitle,
            "bylines": article.bylines, "start": base + article.start, "end": base + article.end}


def _facts(nlp, cleaned, base: int, first_index: int, *, n_process: int = 1, shared=None):
    """(facts, meta) for every article of one cleaned text whose offsets start at `base`."""
    articles = segment(cleaned)
    texts = (cleaned.text[a.start:a.end] for a in articles)
    facts, meta = [], []
    for article, doc in zip(articles, nlp.pipe(texts, n_process=n_process)):
        article.index += first_index
        facts.append(facts_from_doc(doc, article.index, base + article.start, shared))
        meta.append(_article_meta(article, base))
    return facts, meta


def extract_text(text: str, doc: str, *, path=None, sha1=None, pipeline: str = "default",
                 n_process: int = 1) -> dict:
    """The record (docs/FORMAT.md) of one page given as text."""
    nlp = load_pipeline(pipeline)
    cleaned = clean_text(text)
    facts, meta = _facts(nlp, cleaned, 0, 0, n_process=n_process)
    if sha1 is None:
        sha1 = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return assemble(doc, facts, path=path, sha1=sha1, chars=len(cleaned.text), article_meta=meta)


def extract_chunks(chunks: Iterable[str], doc: str, *, path=None, sha1=None, pipeline: str = "default") -> dict:
    """The record of a page too large to hold: each chunk is cleaned and read on its own."""
    nlp = load_pipeline(pipeline)
    all_facts: list[ArticleFacts] = []
    all_meta: list[dict] = []
    base = 0
    digest = hashlib.sha1()
    shared: dict = {}
    for chunk in chunks:
        digest.update(chunk.encode("utf-8"))
        cleaned = clean_text(chunk)
        facts, meta = _facts(nlp, cleaned, base, len(all_meta), shared=shared)
        all_facts.extend(facts)
        all_meta.extend(meta)
        base += len(cleaned.text) + 1  # chunks join with a paragraph break
    return assemble(doc, all_facts, path=path, sha1=sha1 or digest.hexdigest(), chars=max(base - 1, 0),
                    article_meta=all_meta)


def skipped_record(path, reason: str) -> dict:
    return {"doc": path.name if hasattr(path, "name") else str(path), "path": str(path), "sha1": None,
            "chars": 0, "articles": [], "entities": [], "relations": [], "metrics": [], "skipped": reason}


def extract_paths(inputs, *, progress=None, report: RunReport | None = None,
                  pipeline: str = "default", exclude=(), lenient: bool = False) -> Iterator[dict]:
    """One record per page file found in `inputs` (files or folders), skipped ones included.

    `progress`, if given, is called with each path before it is read;
    `exclude` names files never read (the run's own output). With `lenient`,
    undecodable bytes and NULs become U+FFFD instead of skipping the page;
    the record then says so in "lenient".
    """
    load_pipeline(pipeline)  # a broken config fails before any file is read
    report = report if report is not None else RunReport()
    for path in discover(inputs, exclude=exclude):
        if progress:
            progress(path)
        info = check_page(path, lenient=lenient)
        if isinstance(info, Skip):
            report.add(info)
            yield skipped_record(path, info.reason)
            continue
        if info.size <= LARGE_PAGE_BYTES:
            page = read_page(path, lenient=lenient)
            report.add(page)
            if isinstance(page, Skip):
                yield skipped_record(path, page.reason)
                continue
            record = extract_text(page.text, path.name, path=str(path), sha1=page.sha1, pipeline=pipeline)
            if page.replaced:
                record["lenient"] = (f"{page.replaced} undecodable byte(s) read as U+FFFD, the first at "
                                     f"byte {page.first_bad}")
            yield record
        else:
            try:
                record = extract_chunks(iter_page_chunks(path, encoding=info.encoding, lenient=lenient), path.name,
                                        path=str(path), pipeline=pipeline)
            except InputError as exc:
                report.skip(path, exc.problem)
                yield skipped_record(path, exc.problem)
                continue
            report.add(info)
            yield record
