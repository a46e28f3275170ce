"""Every `kg` command (whoever added it) has --help text with an example in it."""
import click
import pytest
from click.testing import CliRunner

from kg.cli import COMMAND_MODULES, main


def walk(group, path=()):
    """(path, command) for every command under `group`, sub-groups included (as --help lists them)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


COMMANDS = [("kg", *path) for path, _ in walk(main)]


def test_the_explore_commands_are_registered():
    assert {"lookup", "viz", "stats"} <= {path[1] for path in COMMANDS}


def test_each_command_names_its_module():
    """`kg NAME` imports only NAME's module: every command is in COMMAND_MODULES, under its own module."""
    listed = {path[0]: command.callback.__module__ for path, command in walk(main) if len(path) == 1}
    assert listed == COMMAND_MODULES


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_has_an_example(path):
    result = CliRunner().invoke(main, [*path[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`{' '.join(path)} --help` shows no example"
    # \b kept the example's line breaks: the example lines are not run together
    body = result.output.split("Example", 1)[1]
    assert "\n  " in body, f"`{' '.join(path)} --help` example lost its line breaks"
