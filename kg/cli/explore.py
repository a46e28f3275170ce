"""Commands people use to look around: lookup, viz, stats."""
from __future__ import annotations

import json
import sys

import click

from kg.cli import main
from kg.cli.graph import DEFAULT_DB  # a literal: the store's module loads only when a command runs

db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=True),
    help="The graph database `kg build` wrote.",
)


def _load(db):
    """A reader of the store: commands ask it with Cypher for just what they show."""
    from kg.graph.reader import StoreReader

    return StoreReader(db)


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
      kg lookup 南康区支行
      kg lookup liuzhou --db kg.db           # pinyin; several matches give a list
      kg lookup 邮趣周末 --json | jq '.match.metrics'
    """
    from kg.explore.lookup import NotFound, lookup as do_lookup, render_card, render_hits

    with _load(db) as graph:
        try:
            result = do_lookup(graph, text, limit=limit)
        except NotFound as exc:
            result = exc
    if isinstance(result, NotFound):
        exc = result
        if as_json:
            _echo_json({"query": text, "match": None, "did_you_mean": None, "hits": []})
        else:
            click.echo(f"{exc}; try fewer characters or `kg stats` to see what is there", err=True)
        sys.exit(1)
    if as_json:
        _echo_json(result)
    elif result["match"]:
        click.echo(render_card(result["match"], result.get("did_you_mean"), text))
    else:
        click.echo(render_hits(result["hits"]))


@main.command()
@db_option
@click.option("--focus", metavar="NAME", help="Open on this entity and its neighbours (the rest stays a click away).")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 20),
              help="How many relations away from --focus to show at first.")
@click.option("-o", "--output", "output", default="graph.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML page to write.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def viz(db, focus, hops, output, quiet):
    """Draw the graph as one HTML page that works offline (no internet needed).

    Nodes are coloured by type and placed once (the same picture on every
    run); hovering a node shows its figures and sources, an edge the sentence
    it was read in. The page has a search box (also graph.html#q=NAME),
    filters by type and relation, and clicking a node shows its neighbours.
    Nodes without relations are hidden until you tick the box for them.

    \b
    Example:
      kg viz -o graph.html
      kg viz --focus 南康区支行 --hops 1 -o nankang.html
    """
    from kg.atomic import refuse_overwriting
    from kg.explore.viz import write_html

    refuse_overwriting(output, [db], what="the graph database (--db)")
    with _load(db) as graph:
        result = write_html(graph, output, focus=focus, hops=hops)
    if not quiet:
        hidden = f" ({result['isolated']} without relations, hidden until asked for)" if result["isolated"] else ""
        opens = (f"; opens on {result['shown_nodes']} around --focus" if focus else "")
        click.echo(f"wrote {result['path']}: {result['nodes']} nodes, {result['edges']} relations{hidden}{opens}")


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
    from kg.explore.stats import render_stats, store_stats

    result = store_stats(db)
    if as_json:
        _echo_json(result)
    else:
        click.echo(render_stats(result))
