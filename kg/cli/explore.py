"""Commands people use to look around: lookup, viz, stats."""
from __future__ import annotations

import json
import sys

import click

from kg.cli import main
from kg.graph.store import DEFAULT_DB

db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=True),
    help="The graph database `kg build` wrote.",
)


def _load(db, quiet=False):
    """The store's graph, with a spinner on a terminal: a big store takes a moment to rebuild."""
    from kg.graph.store import load_graph

    if quiet or not sys.stderr.isatty():
        return load_graph(db)
    from rich.console import Console

    with Console(stderr=True).status(f"reading {db} …"):
        return load_graph(db)


def _echo_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@main.command()
@click.argument("text")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many matches.")
def lookup(text, db, as_json, limit):
    """Find an entity by (part of) its name, an alias or its pinyin, and show its card.

    One clear match shows the card: label, names, relations in and out, its
    metrics written as a reader would (57.76亿元) and the sentence each fact was
    read in. Several close matches show a ranked list. No match: exit code 1.

    \b
    Example:
      kg lookup 宜昌
      kg lookup dazhou --db kg.db
      kg lookup 周五惠民日 --json | jq '.match.metrics'
    """
    from kg.explore.lookup import NotFound, lookup as do_lookup, render_card, render_hits

    graph = _load(db)
    try:
        result = do_lookup(graph, text, limit=limit)
    except NotFound as exc:
        if as_json:
            _echo_json({"query": text, "match": None, "hits": []})
        else:
            click.echo(f"{exc}; try fewer characters or `kg stats` to see what is there", err=True)
        sys.exit(1)
    if as_json:
        _echo_json(result)
    elif result["match"]:
        click.echo(render_card(result["match"]))
    else:
        click.echo(render_hits(result["hits"]))


@main.command()
@db_option
@click.option("--focus", metavar="NAME", help="Draw only this entity and its neighbours.")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 20),
              help="How many relations away from --focus to draw.")
@click.option("-o", "--output", "output", default="graph.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML page to write.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def viz(db, focus, hops, output, quiet):
    """Draw the graph as one HTML page that works offline (no internet needed).

    Nodes are coloured by label, edges carry the relation name, and hovering a
    node shows its metrics. The page embeds everything it needs.

    \b
    Example:
      kg viz -o graph.html
      kg viz --focus 秭归县分公司 --hops 1 -o dazhou.html
    """
    from kg.atomic import refuse_overwriting
    from kg.explore.viz import write_html

    refuse_overwriting(output, [db], what="the graph database (--db)")
    graph = _load(db, quiet)
    result = write_html(graph, output, focus=focus, hops=hops)
    if not quiet:
        click.echo(f"wrote {result['path']}: {result['nodes']} nodes, {result['edges']} edges")


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON for scripts.")
def stats(db, as_json):
    """Count what the graph holds: nodes per label, edges per type, documents, articles.

    \b
    Example:
      kg stats
      kg stats --db kg.db --json
    """
    from kg.explore.stats import graph_stats, render_stats

    result = graph_stats(_load(db))
    if as_json:
        _echo_json(result)
    else:
        click.echo(render_stats(result))
