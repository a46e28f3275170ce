"""Commands that read pages and score what was read: extract, eval."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli import main


@main.command("extract")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the records here (atomically) instead of standard output.")
@click.option("--pipeline", default="default", show_default=True,
              help="Pipeline config: a name in pipelines/ (default, jieba, pkuseg) or a .cfg path.")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d", "%Y%m%d"]), metavar="YYYY-MM-DD",
              help="The pages' publication date, which places 今年, 3月25日, 前三季度 … on the calendar "
                   "[default: a date in each file name, e.g. 2023-03-28.txt].")
@click.option("--strict", is_flag=True, help="Exit non-zero (3) when any file was skipped.")
@click.option("--lenient", is_flag=True,
              help="Read a page with stray undecodable bytes or NULs, as U+FFFD, instead of skipping it.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; warnings still go to stderr.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes reading pages (spaCy's nlp.pipe n_process); records keep their order.")
def extract(inputs, output, pipeline, date, strict, lenient, quiet, jobs):
    """Read newspaper pages (.txt and .pdf files, or folders of them) and write what they state.

    One JSON object per page (JSON Lines): its entities, relations and
    metrics, in the format `score.py` reads, each with where it was read
    (article, sentence, offsets, rule). Each page of a PDF is a document of
    its own (`issue.pdf#p3`), read by its layout: columns, headlines and
    bylines. Unreadable files (and PDF pages without a text layer) get a
    one-line warning and a record with "skipped"; the rest goes on.

    A figure's date is kept as written (`as_of_text`: 今年前三季度) and as a
    value that sorts (`as_of`: 2023-Q1..Q3), placed by the page's date: --date,
    else a date in the file name (2023-03-28, 20230328), else the PDF's.

    \b
    Example:
      kg extract ../shared/corpus/dev -o pred.jsonl
      kg extract examples/ --jobs 2 -o pred.jsonl
      kg extract examples/sample_page.txt | jq '.entities[].name'
      kg extract examples/sample_page.txt --date 2023-04-12 | jq '.metrics[] | [.name, .as_of, .as_of_text]'
      kg extract examples/ --lenient -o pred.jsonl   # read damaged pages too
    """
    from kg.atomic import refuse_overwriting
    from kg.nlp.extract import extract_paths, record_location
    from kg.progress import file_progress
    from kg.text.reading import RunReport
    from kg.nlp.records import write_records

    if output:
        refuse_overwriting(output, inputs, what="an input page")
    report = RunReport()

    def warned(records):
        for rec in records:
            for problem in (rec["skipped"], rec.get("lenient")):
                if problem:
                    click.echo(f"warning: {record_location(rec)}: {problem}", err=True)
            yield rec

    with file_progress(enabled=not quiet) as tick:
        records = warned(extract_paths(inputs, progress=tick, report=report, pipeline=pipeline,
                                       exclude=[output] if output else (), lenient=lenient, jobs=jobs,
                                       date=date.date().isoformat() if date else None))
        if output:
            write_records(records, output)
        else:
            for rec in records:
                json.dump(rec, sys.stdout, ensure_ascii=False)
                sys.stdout.write("\n")
    if not quiet:
        for line in report.summary_lines():
            click.echo(line, err=True)
    code = report.exit_code(strict=strict)
    if code:
        sys.exit(code)


@main.command("eval")
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("pred", type=click.Path(path_type=Path))
@click.option("--scorer", type=click.Path(path_type=Path),
              help="Run this score.py instead of the copy of the labelling standard's scorer kg ships "
                   "(a score.py beside GOLD is never run unless named here).")
@click.option("--verbose", is_flag=True, help="List every miss and extra (each extra with the rule that made it).")
@click.option("--per-doc", is_flag=True, help="Also print each document's scores and their macro average.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_(gold, pred, scorer, verbose, per_doc, as_json):
    """Score predictions against gold: precision, recall and F1 per kind, label and relation type.

    PRED is the records `kg extract` wrote (.jsonl), or pages (.txt, .pdf
    or a folder of them), which are extracted first. Gold names each
    document as `kg extract` does: `page.txt`, or `page.pdf#p3` for a PDF's
    third page. The scoring is the labelling standard's own score.py (a copy
    ships with kg), loaded and called, so the figures are the ones the
    standard defines. Documents are matched by name: gold documents without
    a prediction get a warning, and when none matches at all the exit code is 1.

    \b
    Example:
      kg extract ../shared/corpus/dev -o pred.jsonl
      kg eval ../shared/corpus/dev.gold.jsonl pred.jsonl --verbose
      kg eval ../shared/corpus/dev.gold.jsonl pred.jsonl --per-doc
      kg eval ../shared/corpus/dev.gold.jsonl ../shared/corpus/dev
    """
    from kg.nlp.evaluate import document_warnings, evaluate, format_per_doc, format_table

    if pred.exists() and (pred.is_dir() or pred.suffix.lower() != ".jsonl"):
        result = _evaluate_pages(gold, pred, scorer)
    else:
        result = evaluate(gold, pred, scorer)
    warnings = document_warnings(result, gold, pred)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    nothing_matched = result["documents"]["gold"] and not result["documents"]["matched"]
    if as_json:
        hidden = () if verbose else ("misses", "extras", "extra_rules")
        hidden += () if per_doc else ("per_doc", "macro")
        click.echo(json.dumps({k: v for k, v in result.items() if k not in hidden}, ensure_ascii=False))
    else:
        for line in format_table(result, verbose):
            click.echo(line)
        if per_doc:
            click.echo("")
            for line in format_per_doc(result):
                click.echo(line)
    if nothing_matched:
        sys.exit(1)  # nothing was scored: a script must not take the zeros for a result


@main.command("show")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML page here (atomically); default: PAGE's name with .html, in the current folder.")
@click.option("--pipeline", default="default", show_default=True,
              help="Pipeline config: a name in pipelines/ (default, jieba, pkuseg) or a .cfg path.")
@click.option("--lenient", is_flag=True, help="Read stray undecodable bytes as U+FFFD instead of refusing the page.")
def show(page, output, pipeline, lenient):
    """Show one page as kg read it: mentions highlighted, relations and figures under each article.

    The quickest way to see what was read and why: each mention is coloured by
    its label (displaCy's span view), and under every article come the
    relations and figures read in it, with the rule that read each.

    \b
    Example:
      kg show examples/sample_page.txt -o sample.html
    """
    from kg.atomic import atomic_write_text
    from kg.errors import InputError
    from kg.explore.show import render_page
    from kg.nlp.extract import page_date, record_from_doc
    from kg.nlp.pipeline import load_pipeline
    from kg.text.reading import Skip, read_page

    text = read_page(page, lenient=lenient)
    if isinstance(text, Skip):
        raise InputError(page, text.reason)
    doc = load_pipeline(pipeline)(text.text)
    day, source = page_date(page, None, getattr(text, "date", None))
    record = record_from_doc(doc, page.name, path=str(page), sha1=text.sha1, date=day, date_from=source)
    output = output or Path(page.stem + ".html")
    atomic_write_text(output, render_page(doc, record, page.name))
    click.echo(f"wrote {output}: {len(doc.spans['kg'])} mentions, {len(record['entities'])} entities, "
               f"{len(record['relations'])} relations, {len(record['metrics'])} figures "
               f"in {len(doc._.kg_articles)} articles", err=True)


def _evaluate_pages(gold, pages, scorer) -> dict:
    """Extract the pages into a scratch records file and score that."""
    import tempfile

    from kg.nlp.evaluate import evaluate
    from kg.nlp.extract import extract_paths, record_location
    from kg.nlp.records import write_records

    def warned(records):
        for rec in records:
            if rec["skipped"]:
                click.echo(f"warning: {record_location(rec)}: {rec['skipped']}", err=True)
            yield rec

    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        records = Path(tmp) / "pred.jsonl"
        write_records(warned(extract_paths([pages])), records)
        return evaluate(gold, records, scorer)
