"""The `kg` command line: each command is a thin wrapper over a library function.

Errors raised by the library (`kg.errors.KgError`) become one-line
`click.ClickException`s here and nowhere else.
"""
from __future__ import annotations

import sys

import click

from kg import __version__
from kg.errors import KgError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class KgGroup(click.Group):
    """Turns library errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was left behind.", err=True)
            sys.exit(130)


@click.group(cls=KgGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="kg")
def main():
    """Build a knowledge graph of China Post / Postal Savings Bank news pages.

    \b
    Example (a typical session):
      kg extract examples/ -o pred.jsonl     # facts as JSON Lines
      kg build examples/                     # facts into ./kg.db
      kg query "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name, p.name"
      kg lookup 宜昌
    """


# Commands live in their own modules, grouped by what they touch; importing
# them registers them on `main`.
from kg.cli import extract as _extract  # noqa: E402,F401
from kg.cli import graph as _graph  # noqa: E402,F401
from kg.cli import explore as _explore  # noqa: E402,F401
