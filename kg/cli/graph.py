"""Commands that write and read graph stores: build, load, export, query."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli import main

# Literal copies of kg.graph.store.DEFAULT_DB and kg.graph.export.FORMATS: networkx and
# LadybugDB load only when a command runs, so `kg --help` stays quick.
DEFAULT_DB = "kg.db"
EXPORT_FORMATS = ("graphml", "json", "neo4j-csv")

DB_OPTION = click.option("--db", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False, path_type=Path),
                         help="LadybugDB database file.")


def _records_from(inputs, progress, lenient=False, date=None):
    """Record files (.jsonl) are read as they are; everything else goes through the extractor.

    `date` (YYYY-MM-DD) dates every page, and re-dates the records' figures."""
    from kg.nlp.records import iter_records

    pages = [p for p in inputs if p.suffix != ".jsonl"]
    for path in inputs:
        if path.suffix == ".jsonl":
            if date:
                from kg.nlp.assemble import with_date

                yield from (with_date(r, date, "option") for r in iter_records(path))
            else:
                yield from iter_records(path)
    if pages:
        from kg.nlp.extract import extract_paths, record_location  # spaCy loads only when there are pages to read
        from kg.progress import file_progress

        with file_progress(enabled=progress) as tick:
            for record in extract_paths(pages, progress=tick, lenient=lenient, date=date):
                for problem in (record["skipped"], record.get("lenient")):
                    if problem:
                        click.echo(f"warning: {record_location(record)}: {problem}", err=True)
                yield record


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def build_summary(db, c) -> list[str]:
    from kg.graph.model import ENTITY_LABELS, FACT_TYPES

    skipped = c.get("skipped", 0)
    entities = ", ".join(f"{label} {c['nodes'][label]}" for label in ENTITY_LABELS.values())
    relations = sum(c["edges"][t] for t in FACT_TYPES)
    by_type = ", ".join(f"{t} {c['edges'][t]}" for t in FACT_TYPES if c["edges"][t])
    return [
        f"{db}: {plural(c['nodes']['Document'], 'document')}{f' ({skipped} skipped)' if skipped else ''}",
        f"entities: {entities}",
        f"relations: {relations}{f' ({by_type})' if by_type else ''}",
        f"metrics: {c['nodes']['Metric']}",
    ]


def _rate(n, seconds) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "–"


@main.command("build")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("--pipeline", default="default", show_default=True,
              help="Pipeline config for the pages: a name in pipelines/ (default, jieba, pkuseg) or a .cfg path.")
@click.option("--prune", is_flag=True,
              help="Also remove the documents the store holds that INPUTS no longer have (deleted pages).")
@click.option("--replace-unreadable", is_flag=True,
              help="A stored page that cannot be read now loses its facts (default: keep its last good read).")
@click.option("--lenient", is_flag=True,
              help="Read a page with stray undecodable bytes or NULs, as U+FFFD, instead of skipping it.")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d", "%Y%m%d"]), metavar="YYYY-MM-DD",
              help="The pages' publication date (places 今年, 3月25日 … on the calendar) "
                   "[default: a date in each file name].")
@click.option("--quiet", is_flag=True, help="No progress and no reading summary, only the store's summary.")
def build(inputs, db, pipeline, prune, replace_unreadable, lenient, date, quiet):
    """Extract facts from pages (.txt, .pdf or folders of them; or record .jsonl files) into the graph store.

    Each page is a document named by its path inside the folder given
    (2023-03/page1.txt), or by its file name when the file itself is given.
    Only what changed is written: a page whose bytes and extractor (pipeline,
    config/, kg's code) are as stored is not read again, a changed page
    replaces just its own facts, and pages gone from INPUTS stay unless
    --prune is given. A page that cannot be read now keeps its last good facts
    (with a warning) unless --replace-unreadable is given. One build at a time
    per store; an interrupted build leaves the store as it was.

    \b
    Example:
      kg build examples/                       # into ./kg.db
      kg build examples/ --db kg.db --prune    # the store holds exactly examples/ now
      kg build examples/ --date 2023-04-12     # the pages' date, for 今年 and 3月25日
      kg extract examples/ -o pred.jsonl && kg build pred.jsonl --db records.db
    """
    import sys
    import time

    from kg.graph.store import build_lock, build_store, stored_documents
    from kg.nlp.fingerprint import pipeline_fingerprint
    from kg.nlp.records import iter_records
    from kg.progress import file_progress, status
    from kg.text.reading import RunReport, discover_documents, file_sha1, is_pdf

    day = date.date().isoformat() if date else None
    record_files = [p for p in inputs if p.suffix == ".jsonl"]
    page_inputs = [p for p in inputs if p.suffix != ".jsonl"]
    report = RunReport()
    show = not quiet
    with build_lock(db):
        state = stored_documents(db)
        pages = list(discover_documents(page_inputs))
        if not pages and not record_files:
            for line in report.summary_lines():
                click.echo(line, err=True)
            sys.exit(1)
        # A page read with another --date reads differently: the date is part of what extracted it.
        fingerprint = (pipeline_fingerprint(pipeline) + (f"@{day}" if day else "")) if pages else None
        pdf_pages = {}  # a PDF's document name → its pages' stored documents (name.pdf#pN)
        for name in state:
            if "#p" in name:
                pdf_pages.setdefault(name.rsplit("#p", 1)[0], []).append(name)
        present, todo, replaced = set(), [], set()
        for path, doc in pages:
            stored = pdf_pages.get(doc, []) if is_pdf(path) else [doc]
            olds = [state.get(d) for d in stored]
            if stored and all(old and not old["skipped"] and old["fingerprint"] == fingerprint and old["sha1"]
                              for old in olds) and olds[0]["sha1"] == file_sha1(path):
                report.processed += len(stored)
                report.unchanged += len(stored)
                if is_pdf(path):
                    report.pdf_pages += len(stored)
                present.update(stored)
            else:
                todo.append((path, doc))
                if is_pdf(path):  # pages the file no longer has go with it
                    replaced.update(d for d in stored if d in state)
        fingerprints, gone, extracted = {}, set(), {"pages": 0, "chars": 0, "seconds": 0.0, "records": 0}

        def records():
            for path in record_files:
                for record in iter_records(path):
                    if day:
                        from kg.nlp.assemble import with_date

                        record = with_date(record, day, "option")
                    present.add(record["doc"])
                    extracted["records"] += 1
                    yield record
            if not todo:
                return
            # spaCy loads only when there are pages to read
            from kg.nlp.extract import extract_documents, record_location

            with file_progress(enabled=show) as tick:
                found = extract_documents(todo, progress=tick, report=report, pipeline=pipeline, lenient=lenient,
                                          date=day)
                while True:
                    t0 = time.perf_counter()
                    record = next(found, None)
                    extracted["seconds"] += time.perf_counter() - t0
                    if record is None:
                        return
                    doc = record["doc"]
                    where = record_location(record)
                    replaced.discard(doc)
                    if record.get("lenient"):
                        click.echo(f"warning: {where}: {record['lenient']}", err=True)
                    if record["skipped"]:
                        click.echo(f"warning: {where}: {record['skipped']}", err=True)
                        # a whole PDF that cannot be read stands for the pages stored of it
                        kept = [d for d in pdf_pages.get(doc, ()) if not state[d]["skipped"]] or \
                            ([doc] if state.get(doc) and not state[doc]["skipped"] else [])
                        if prune and not Path(record["path"]).exists():
                            gone.update([doc, *pdf_pages.get(doc, ())])
                            continue
                        if kept and not replace_unreadable:
                            click.echo(f"warning: {where}: keeping the facts stored from its last good "
                                       f"read (--replace-unreadable drops them)", err=True)
                            present.update(kept)
                            replaced.difference_update(kept)
                            continue
                    else:
                        extracted["pages"] += 1
                        extracted["chars"] += record.get("chars") or 0
                    present.add(doc)
                    fingerprints[doc] = fingerprint
                    yield record

        def removals():
            return ((set(state) - present) | gone if prune else set()) | replaced

        with status(enabled=show) as say:
            counts = build_store(records(), db, remove=_Lazy(removals), fingerprints=fingerprints, progress=say,
                                 stored=state)
    if show and pages:
        for line in report.summary_lines():
            click.echo(line, err=True)
    for line in build_summary(db, counts):
        click.echo(line)
    if extracted["pages"] or todo:
        click.echo(f"extracted {plural(extracted['pages'], 'page')} ({extracted['chars']:,} characters) in "
                   f"{extracted['seconds']:.2f} s ({_rate(extracted['chars'], extracted['seconds'])} characters/s)"
                   + (f"; {report.unchanged:,} unchanged" if report.unchanged else ""))
    elif report.unchanged:
        click.echo(f"extracted nothing: {plural(report.unchanged, 'page')} unchanged")
    changes = []
    if counts.get("changed"):
        changes.append(f"{plural(counts['changed'], 'document')} replaced or added")
    if counts.get("removed"):
        changes.append(f"{plural(counts['removed'], 'document')} removed")
    click.echo(f"wrote {counts['rows']:,} nodes and edges in {counts['seconds']:.2f} s "
               f"({_rate(counts['rows'], counts['seconds'])}/s; LadybugDB writing {counts['write_seconds']:.2f} s, "
               f"{_rate(counts['rows'], counts['write_seconds'])}/s)" + (f"; {', '.join(changes)}" if changes else ""))
    if pages and report.exit_code():
        sys.exit(report.exit_code())


class _Lazy:
    """A set computed when first used: which documents --prune removes is known once the inputs are read."""

    def __init__(self, compute):
        self.compute, self.value = compute, None

    def __iter__(self):
        if self.value is None:
            self.value = self.compute()
        return iter(self.value)


# `kg load` (Neo4j) goes here, beside build.


def _neo4j_settings(uri, username, database):
    """Settings for kg load / kg query --neo4j: a password goes only where its source points, or
    where the user agrees on a terminal; a missing one is asked for on a terminal."""
    import sys

    from kg.errors import KgError
    from kg.graph.settings import load_settings

    from kg.graph.neo4j_loader import check_bolt_uri

    settings = load_settings(uri=uri, username=username, database=database)
    check_bolt_uri(settings)  # before any password prompt
    mismatch = settings.password_mismatch()
    if mismatch:
        if not (sys.stdin.isatty() and click.confirm(f"{mismatch}. Send the password to "
                                                     f"{settings.redacted_uri()}?", default=False, err=True)):
            raise KgError(f"{mismatch}; not sending the password there (set the URI beside the password, "
                          "type it with --uri, or confirm on a terminal)")
    if settings.password is None and sys.stdin.isatty():
        settings = settings.with_password(click.prompt(
            f"Password for {settings.username} at {settings.redacted_uri()}", hide_input=True,
            default="", show_default=False))
    return settings


def _parse_params(pairs) -> dict:
    params = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        try:
            params[name] = json.loads(text)
        except json.JSONDecodeError:
            params[name] = text
    return params


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def format_table(columns, rows) -> str:
    """Aligned columns; widths count CJK characters as two cells, as terminals show them."""
    from rich.cells import cell_len

    cells = [[_cell(v).replace("\n", " ") for v in row] for row in rows]
    widths = [max([cell_len(c)] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v + " " * (w - cell_len(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out)


def format_json(columns, rows) -> str:
    return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=1, default=str)


def format_csv(columns, rows) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue().rstrip("\n")


FORMATTERS = {"table": format_table, "json": format_json, "csv": format_csv}


@main.command("query")
@click.argument("cypher_text", metavar="CYPHER")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter $NAME; VALUE is read as JSON when it parses, else as text. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)), default="table", show_default=True)
@DB_OPTION
@click.option("--write", is_flag=True, help="Allow CREATE/MERGE/SET/DELETE…; the next `kg build` rebuilds from records and drops such changes.")
@click.option("--neo4j", "use_neo4j", is_flag=True,
              help="Query the Neo4j server instead of the store (implied by --uri, or by NEO4J_URI without --db).")
@click.option("--uri", help="Bolt URI [env NEO4J_URI, default bolt://localhost:7687]; implies --neo4j.")
@click.option("--user", "username", help="User name [env NEO4J_USERNAME, default neo4j].")
@click.option("--database", help="Neo4j database name [env NEO4J_DATABASE, default: the server's].")
def query(cypher_text, params, fmt, db, write, use_neo4j, uri, username, database):
    """Run a Cypher query against the graph store (or a Neo4j server) and print the answer.

    Read-only unless --write is given. LadybugDB needs backticks around
    the property names `end` and `index` (r.`end`, a.`index`). Every
    $name in the query needs a --param name=VALUE.

    The query goes to Neo4j (read session, official driver) when --neo4j or
    --uri is given, or when NEO4J_URI is set and --db is not given; give
    --db to query the store while NEO4J_URI is set. The password comes from
    NEO4J_PASSWORD, a config file or a prompt, as for `kg load`.

    \b
    Example:
      kg query "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name, p.name"
      kg query 'MATCH (m:Metric) WHERE m.unit = $unit RETURN m.name, m.value_text' --param unit=元 --format json
      NEO4J_PASSWORD=… kg query --neo4j --uri bolt://localhost:7687 "MATCH (b:Branch) RETURN b.name"
    """
    import os

    parameters = _parse_params(params)
    from kg.graph.cypher import missing_parameters

    missing = missing_parameters(cypher_text, parameters)
    if missing:
        # Without this LadybugDB reads a missing $name as null and answers 0 rows.
        given = " ".join(f"--param {name}=VALUE" for name in missing)
        uses = ", ".join(f"${name}" for name in missing)
        raise click.UsageError(f"the query uses {uses} but no value was given: add {given}")
    db_given = click.get_current_context().get_parameter_source("db") is not click.core.ParameterSource.DEFAULT
    if (use_neo4j or uri) and db_given:
        raise click.UsageError("--db names the embedded store; leave it out to query Neo4j (--neo4j/--uri)")
    if use_neo4j or uri or (os.environ.get("NEO4J_URI") and not db_given):
        from kg.graph.neo4j_query import check_read_only, run_query

        check_read_only(cypher_text, write)  # before any password prompt
        target = _neo4j_settings(uri, username, database)
    else:
        from kg.graph.store import run_query

        target = db
    columns, rows = run_query(target, cypher_text, parameters, write=write)
    click.echo(FORMATTERS[fmt](columns, rows))


@main.command("export")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="graphml (for Gephi/yEd: name in label, kg label in type, lists as JSON text), "
                   "json (node-link), neo4j-csv (folder for neo4j-admin import).")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="File to write (a folder for neo4j-csv).")
def export(db, fmt, out):
    """Write the stored graph as GraphML, node-link JSON or neo4j-admin import CSVs.

    \b
    Example:
      kg export --format graphml -o kg.graphml
      kg export --format neo4j-csv -o neo4j-import/ && sh neo4j-import/import.sh
    """
    from kg.atomic import refuse_overwriting
    from kg.graph.export import export_store

    refuse_overwriting(out, [db], what="the graph database (--db)")
    result = export_store(db, fmt, out)
    click.echo(f"wrote {result['nodes']} nodes and {result['edges']} edges to {out} ({fmt})")


@main.command("load")
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("--uri", help="Bolt URI [env NEO4J_URI, default bolt://localhost:7687].")
@click.option("--user", "username", help="User name [env NEO4J_USERNAME, default neo4j].")
@click.option("--database", help="Database name [env NEO4J_DATABASE, default: the server's].")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Rows per transaction [default 5000; over Bolt to FalkorDB each is cut into <3 KB pieces].")
@click.option("--writers", type=click.IntRange(min=1), default=None,
              help="Write transactions sent at once to Neo4j [default 2: Neo4j runs each on one core].")
@click.option("--falkordb", "falkordb_url", metavar="URL",
              help="Load into FalkorDB over its own protocol instead: redis://host:port/graph "
                   "(password from FALKORDB_PASSWORD or [falkordb] in kg.toml).")
@click.option("--quiet", is_flag=True, help="No progress messages, only the summary.")
def load(inputs, db, uri, username, database, batch_size, writers, falkordb_url, quiet):
    """Load the graph (from the store, or from INPUT pages/records) into Neo4j.

    Nodes and relationships are MERGEd on their key, so loading twice changes
    nothing; a page whose sha1 changed has its old facts replaced. The
    password comes from NEO4J_PASSWORD, a config file (./kg.toml [neo4j] or
    ~/.config/kg/neo4j.toml) or a prompt; never from an option. It is sent
    only to the URI configured beside it (same file or environment) or typed
    with --uri; otherwise kg asks first. FalkorDB's comes from
    FALKORDB_PASSWORD or [falkordb] password in a config file.

    \b
    Example:
      NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=… kg load --db kg.db
      kg load pred.jsonl --falkordb redis://localhost:6379/kg
    """
    # The target first: a bad URI or a password prompt comes before a long extraction.
    if falkordb_url:
        from kg.graph.falkordb_loader import DEFAULT_BATCH, load_graph_into_falkordb, parse_url
        from kg.graph.settings import falkordb_password, redacted_uri

        parse_url(falkordb_url)
        target = redacted_uri(falkordb_url)
        password = falkordb_password(falkordb_url)
    else:
        from kg.graph.neo4j_loader import DEFAULT_BATCH, DEFAULT_WORKERS, load_graph_into_neo4j

        settings = _neo4j_settings(uri, username, database)
        target = settings.redacted_uri()
    if inputs:
        from kg.graph.model import build_graph

        graph = build_graph(_records_from(list(inputs), not quiet))
        source = f"{len(inputs)} input(s)"
    else:
        from kg.graph.store import load_graph

        graph = load_graph(db)
        source = str(db)
    if falkordb_url:
        result = load_graph_into_falkordb(graph, falkordb_url, password=password,
                                          batch_size=batch_size or DEFAULT_BATCH, progress=not quiet)
    else:
        result = load_graph_into_neo4j(graph, settings, batch_size=batch_size or DEFAULT_BATCH,
                                       progress=not quiet, workers=writers or DEFAULT_WORKERS)
    click.echo(f"loaded {source} into {target}: {result['nodes']} nodes and {result['relationships']} "
               f"relationships in {result['seconds']:.2f} s ({result['rows_per_second']:.0f} rows/s)")
    click.echo(f"server now holds {result['server_nodes']} nodes and {result['server_relationships']} "
               f"relationships; {result['replaced_documents']} changed document(s) replaced, "
               f"{result['removed_entities']} unmentioned entities removed")
