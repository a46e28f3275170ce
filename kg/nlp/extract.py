"""Pages in, records out: read → clean → split into articles → spaCy pipeline → assemble.

`extract_text` handles one page held in memory; `extract_paths` walks files
and folders, skipping (with a reason in the record) what cannot be read, and
streams pages larger than `kg.text.reading.LARGE_PAGE_BYTES` chunk by chunk so a
50 MB page runs in bounded memory. A PDF file is read page by page by its
layout (`kg.text.pdf`), each page one document (`name.pdf#p3`), its articles
split from the layout's headlines (`extract_page`).
"""
from __future__ import annotations

import hashlib
from itertools import groupby
from typing import Iterable, Iterator

from kg.nlp.assemble import ArticleFacts, assemble, facts_from_doc
from kg.nlp.dates import date_in_name, parse_date
from kg.errors import InputError
from kg.nlp.pipeline import load_pipeline
from kg.text.reading import (
    LARGE_PAGE_BYTES, RunReport, Skip, check_page, discover_documents, file_sha1, is_pdf, iter_page_chunks, read_page,
)
from kg.text.segment import segment_layout


def _doc_facts(doc, base: int, first_index: int, *, shared=None):
    """([facts], article meta) of one page's (or chunk's) Doc whose offsets start at `base`."""
    facts = facts_from_doc(doc, first_index, base, shared)
    meta = [{"index": first_index + k, "title": title, "subtitle": subtitle, "bylines": list(bylines),
             "start": base + start, "end": base + end}
            for k, (start, end, title, subtitle, bylines) in enumerate(doc._.kg_articles)]
    return [facts], meta


def record_from_doc(doc, name: str, *, path=None, sha1=None, text: str | None = None,
                    date=None, date_from=None) -> dict:
    """The record (docs/FORMAT.md) of one page read into a Doc by the pipeline; `date`
    (YYYY-MM-DD) is the page's own, which dates its figures (kg.nlp.dates)."""
    facts, meta = _doc_facts(doc, 0, 0)
    if sha1 is None:
        sha1 = hashlib.sha1((text if text is not None else doc.text).encode("utf-8")).hexdigest()
    return assemble(name, facts, path=path, sha1=sha1, chars=len(doc.user_data.get("kg_text") or doc.text),
                    article_meta=meta, date=date, date_from=date_from)


def extract_text(text: str, doc: str, *, path=None, sha1=None, pipeline: str = "default",
                 date=None, date_from=None) -> dict:
    """The record of one page given as text (dated `date`, YYYY-MM-DD, when known)."""
    return record_from_doc(load_pipeline(pipeline)(text), doc, path=path, sha1=sha1, text=text,
                           date=date, date_from=date_from)


def extract_chunks(chunks: Iterable[str], doc: str, *, path=None, sha1=None, pipeline: str = "default",
                   n_process: int = 1, date=None, date_from=None) -> dict:
    """The record of a page too large to hold: each chunk is cleaned and read on its own
    (by `n_process` worker processes), then the chunks' facts are assembled in order."""
    nlp = load_pipeline(pipeline)
    all_facts: list[ArticleFacts] = []
    all_meta: list[dict] = []
    base = 0
    digest = hashlib.sha1()
    shared: dict = {}

    def hashed(items):
        for chunk in items:
            digest.update(chunk.encode("utf-8"))
            yield chunk

    for d in nlp.pipe(hashed(chunks), n_process=n_process, batch_size=1):
        facts, meta = _doc_facts(d, base, len(all_meta), shared=shared)
        all_facts.extend(facts)
        all_meta.extend(meta)
        base += len(d.user_data["kg_text"]) + 1  # chunks join with a paragraph break
    return assemble(doc, all_facts, path=path, sha1=sha1 or digest.hexdigest(), chars=max(base - 1, 0),
                    article_meta=all_meta, date=date, date_from=date_from)


def page_date(path, given=None, found=None) -> tuple[str | None, str | None]:
    """(date, where it came from) of a page: the --date option wins, then a date in
    the file name (2023-03-28, 20230328), then one the reader found (a PDF's
    metadata, as the `date` of what it returns); (None, None) when it cannot be known."""
    for date, source in ((given, "option"), (date_in_name(getattr(path, "name", path)), "name"), (found, "pdf")):
        parsed = parse_date(date)
        if parsed:
            return parsed.isoformat(), source
    return None, None


def extract_page(page, *, pipeline: str = "default", date=None, name: str | None = None) -> dict:
    """The record of one PDF page (a `kg.text.pdf.PdfPage`): its blocks are the
    paragraphs, its headlines open the articles (`segment_layout`). Its date is
    `date` (the --date option), else one in the file name, else the PDF's own.
    `name` is the file's document name (its path in the folder given): the page's
    is `name#pN`."""
    nlp = load_pipeline(pipeline)
    cleaned = page.cleaned()
    doc = nlp.tokenizer.page_doc(cleaned, segment_layout(cleaned))
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    day, source = page_date(page.path, date, page.date)
    record = record_from_doc(doc, pdf_page_doc(name, page.number) if name else page.doc, path=str(page.path),
                             sha1=page.sha1, date=day, date_from=source)
    return _on_page(record, page.number, page.pages)


def _on_page(record: dict, number: int, pages: int | None) -> dict:
    """The record with where it sits in its PDF (page, pages), after `chars`."""
    out = {}
    for key, value in record.items():
        out[key] = value
        if key == "chars":
            out["page"], out["pages"] = number, pages
    return out


def record_location(record: dict) -> str:
    """Where a record was read, for messages: the file, and `#pN` for a PDF page."""
    page = record.get("page")
    return f"{record['path']}#p{page}" if page else str(record["path"])


def pdf_page_doc(name: str, number: int) -> str:
    """The document name of a PDF page: its file's (path in the folder given) and `#pN`."""
    return f"{name}#p{number}"


def _pdf_pages(path, doc, report: RunReport):
    """("pdf", path, doc, PdfPage) for each page read, ("pdfskip", path, doc, record) for each not."""
    from kg.text.pdf import PageSkip, read_pdf

    for page in read_pdf(path):
        report.add(page)
        if isinstance(page, PageSkip):
            report.pdf_pages += 1
            record = skipped_record(page.file, page.reason, pdf_page_doc(doc, page.number))
            yield "pdfskip", path, doc, _on_page(record, page.number, page.pages)
        elif isinstance(page, Skip):
            yield "skip", path, doc, page.reason
        else:
            report.pdf_pages += 1
            yield "pdf", path, doc, page


def skipped_record(path, reason: str, doc: str | None = None) -> dict:
    if doc is None:
        doc = path.name if hasattr(path, "name") else str(path)
    return {"doc": doc, "path": str(path), "sha1": None,
            "chars": 0, "date": None, "date_from": None, "articles": [], "entities": [], "relations": [],
            "metrics": [], "skipped": reason}


def extract_paths(inputs, *, progress=None, report: RunReport | None = None,
                  pipeline: str = "default", exclude=(), lenient: bool = False,
                  jobs: int = 1, date=None) -> Iterator[dict]:
    """One record per page file found in `inputs` (files or folders), skipped ones included, in order.

    A record's `doc` is the page's path relative to the folder given (its
    name when the file itself was given; `#pN` after it for a PDF's page):
    see `kg.text.reading.discover_documents`.
    `progress`, if given, is called with each path before it is read;
    `exclude` names files never read (the run's own output). With `lenient`,
    undecodable bytes and NULs become U+FFFD instead of skipping the page;
    the record then says so in "lenient". With `jobs` > 1, pages are read by
    that many worker processes (`nlp.pipe(…, n_process=jobs)`); a page too
    large to hold is read chunk by chunk by them. `date` (YYYY-MM-DD), if
    given, is every page's date (see `page_date`).
    """
    yield from extract_documents(discover_documents(inputs, exclude=exclude), progress=progress, report=report,
                                 pipeline=pipeline, lenient=lenient, jobs=jobs, date=date)


def extract_documents(documents, *, progress=None, report: RunReport | None = None, pipeline: str = "default",
                      lenient: bool = False, jobs: int = 1, date=None) -> Iterator[dict]:
    """One record per (path, doc) pair — per page of it for a PDF — skipped ones included, in
    order: what `extract_paths` walks, and what `kg build` gives it (the files that changed)."""
    nlp = load_pipeline(pipeline)  # a broken config fails before any file is read
    from kg.text.pdf import jump_notes

    jump_notes()  # the PDF reader's, too
    report = report if report is not None else RunReport()
    items = _read(documents, progress, report, lenient)
    if jobs <= 1:
        for kind, path, doc, value in items:
            if kind == "page":
                day, source = page_date(path, date, getattr(value, "date", None))
                record = extract_text(value.text, doc, path=str(path), sha1=value.sha1, pipeline=pipeline,
                                      date=day, date_from=source)
                yield _with_lenience(record, value)
            else:
                yield _other(kind, path, doc, value, report, pipeline, 1, lenient, date)
        return
    for is_page, group in groupby(items, key=lambda item: item[0] == "page"):
        if not is_page:
            for kind, path, doc, value in group:
                yield _other(kind, path, doc, value, report, pipeline, jobs, lenient, date)
            continue
        pages = ((page.text, (path, doc, page)) for _, path, doc, page in group)
        for d, (path, doc, page) in nlp.pipe(pages, as_tuples=True, n_process=jobs, batch_size=4):
            day, source = page_date(path, date, getattr(page, "date", None))
            yield _with_lenience(record_from_doc(d, doc, path=str(path), sha1=page.sha1,
                                                 date=day, date_from=source), page)


def _with_lenience(record: dict, page) -> dict:
    if getattr(page, "replaced", 0):
        record["lenient"] = (f"{page.replaced} undecodable byte(s) read as U+FFFD, the first at "
                             f"byte {page.first_bad}")
    return record


def _read(documents, progress, report, lenient):
    """("page", path, doc, Page) for pages read whole, ("large", path, doc, info) for those
    read in chunks, ("pdf", path, doc, PdfPage) for each page of a PDF, ("pdfskip", path,
    doc, record) for a PDF page not read, ("skip", path, doc, reason) for the rest."""
    for path, doc in documents:
        if progress:
            progress(path)
        if is_pdf(path):
            yield from _pdf_pages(path, doc, report)
            continue
        info = check_page(path, lenient=lenient)
        if isinstance(info, Skip):
            report.add(info)
            yield "skip", path, doc, info.reason
        elif info.size <= LARGE_PAGE_BYTES:
            page = read_page(path, lenient=lenient)
            report.add(page)
            if isinstance(page, Skip):
                yield "skip", path, doc, page.reason
            else:
                yield "page", path, doc, page
        else:
            yield "large", path, doc, info


def _other(kind, path, doc, value, report, pipeline, jobs, lenient, date=None):
    if kind == "skip":
        return skipped_record(path, value, doc)
    if kind == "pdf":  # PDF pages are read here, one by one, even with jobs
        return extract_page(value, pipeline=pipeline, date=date, name=doc)
    if kind == "pdfskip":
        return value
    day, source = page_date(path, date, getattr(value, "date", None))
    try:
        # sha1 of the file's bytes, as for a page read whole (the chunks are decoded text)
        record = extract_chunks(iter_page_chunks(path, encoding=value.encoding, lenient=lenient), doc,
                                path=str(path), sha1=file_sha1(path), pipeline=pipeline, n_process=jobs,
                                date=day, date_from=source)
    except InputError as exc:
        report.skip(path, exc.problem)
        return skipped_record(path, exc.problem, doc)
    report.add(value)
    return record
