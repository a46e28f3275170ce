"""The `kg` command line: each command is a thin wrapper over a library function.

Errors raised by the library (`kg.errors.KgError`) become one-line
`click.ClickException`s here and nowhere else.
"""
from __future__ import annotations

import importlib
import signal
import sys
import threading

import click

from kg import __version__
from kg.errors import KgError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# The module defining each command, imported when the command runs: `kg query` need not
# compile and import the extraction commands. Listing them (kg --help) imports them all.
COMMAND_MODULES = {
    "extract": "kg.cli.extract", "eval": "kg.cli.extract", "show": "kg.cli.extract",
    "build": "kg.cli.graph", "query": "kg.cli.graph", "export": "kg.cli.graph", "load": "kg.cli.graph",
    "lookup": "kg.cli.explore", "viz": "kg.cli.explore", "stats": "kg.cli.explore",
}


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
    """Turns library errors into one-line messages instead of tracebacks, SIGTERM into Ctrl-C;
    imports a command's module when the command is asked for (COMMAND_MODULES)."""

    def list_commands(self, ctx):
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            importlib.import_module(module)
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        if name not in self.commands:
            module = COMMAND_MODULES.get(name)
            if module:
                importlib.import_module(module)
            else:  # not a command, or one missing from COMMAND_MODULES: look everywhere
                self.list_commands(ctx)
        return super().get_command(ctx, name)

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


# Commands live in their own modules, grouped by what they touch; importing one registers
# its commands on `main` (KgGroup imports it when one of them is asked for).
