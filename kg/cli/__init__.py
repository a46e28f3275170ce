"""The `kg` command line: each command is a thin wrapper over a library function.

Errors raised by the library (`kg.errors.KgError`) become one-line
`click.ClickException`s here and nowhere else.
"""
from __future__ import annotations

import signal
import sys
import threading

import click

from kg import __version__
from kg.errors import KgError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Terminated(KeyboardInterrupt):
    """SIGTERM (a timeout, systemd, a cancelled CI job): unwound like Ctrl-C, so temp files go."""


_TERMINATED = threading.Event()


def _terminate(signum, frame):
    _TERMINATED.set()  # remembered: a library may swallow the exception (LadybugDB loading its native code)
    raise Terminated()


def _stop(terminated: bool):
    if terminated:
        click.echo("Terminated; nothing half-written was left behind.", err=True)
        sys.exit(128 + signal.SIGTERM)
    click.echo("Interrupted; nothing half-written was left behind.", err=True)
    sys.exit(130)


class KgGroup(click.Group):
    """Turns library errors into one-line messages instead of tracebacks, SIGTERM into Ctrl-C."""

    def invoke(self, ctx):
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        _TERMINATED.clear()
        try:
            return super().invoke(ctx)
        except KgError as exc:
            if _TERMINATED.is_set():  # the error a swallowed SIGTERM turned into
                _stop(terminated=True)
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt as exc:
            _stop(terminated=isinstance(exc, Terminated) or _TERMINATED.is_set())
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


@click.group(cls=KgGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="kg")
def main():
    """Build a knowledge graph of China Post / Postal Savings Bank news pages.

    \b
    Example (a typical session):
      kg extract examples/ -o pred.jsonl     # facts as JSON Lines
      kg build examples/                     # facts into ./kg.db
      kg query "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name, p.name"
      kg lookup 南康区支行
    """


# Commands live in their own modules, grouped by what they touch; importing
# them registers them on `main`.
from kg.cli import extract as _extract  # noqa: E402,F401
from kg.cli import graph as _graph  # noqa: E402,F401
from kg.cli import explore as _explore  # noqa: E402,F401
