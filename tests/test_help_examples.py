"""Every example in every `--help` runs as written.

Each command's examples run in order in a workspace of their own that holds
what a reader has after the README's first command: `examples/`, `kg.db` built
from it, `pred.jsonl` extracted from it, and `../shared` (the corpus). A `kg`
command piped into another tool (`| jq …`) must print JSON; non-kg commands
after `&&` are not run. Examples that talk to a Neo4j or FalkorDB server run
too: with a server there they succeed, without one they must end in one clear
line (exit 1), never a usage error or a traceback.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import unavailable
from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SERVER = re.compile(r"--neo4j|--falkordb|NEO4J_URI=|--uri|\bkg load\b")


def commands(group=main, path=()):
    """(path, command) for every command, as --help lists them (kg imports their modules on demand)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def examples(command) -> list[str]:
    """The example lines of a command's help, as a reader sees them."""
    text = command.help or ""
    block = text.split("Example", 1)[1] if "Example" in text else ""
    return [line.strip() for line in block.splitlines()[1:] if line.strip().startswith(("kg ", "NEO4J", "KG_"))]


ALL = [("main", examples(main))] + [(" ".join(p), examples(c)) for p, c in commands()]


def _steps(line):
    """(env, kg argv, piped) for each kg command on an example line."""
    line = re.sub(r"\s{2,}#.*$", "", line)  # a trailing comment
    for part in line.split("&&"):
        pipe = part.split("|")
        words = shlex.split(pipe[0])
        env = {}
        while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if words and words[0] == "kg":
            yield env, words[1:], len(pipe) > 1


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    if not (SHARED / "corpus").is_dir():
        unavailable(f"{SHARED}/corpus is missing (some examples read the shared corpus)")
    base = tmp_path_factory.mktemp("help")
    work = base / "repo"
    work.mkdir()
    (base / "shared").symlink_to(SHARED)
    shutil.copytree(ROOT / "examples", work / "examples")
    runner = CliRunner()
    with _cwd(work):
        for argv in (["build", "examples/", "--quiet"], ["extract", "examples/", "-o", "pred.jsonl", "--quiet"]):
            result = runner.invoke(main, argv)
            assert result.exit_code == 0, result.output
    return base


class _cwd:
    def __init__(self, path):
        self.path, self.old = path, None

    def __enter__(self):
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc):
        os.chdir(self.old)


def test_every_command_has_runnable_examples():
    assert all(lines for _, lines in ALL), [name for name, lines in ALL if not lines]


@pytest.mark.slow
@pytest.mark.parametrize("name, lines", ALL, ids=[name for name, _ in ALL])
def test_help_examples_run(name, lines, template, tmp_path, monkeypatch):
    base = tmp_path / "ws"
    shutil.copytree(template, base, symlinks=True)
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    with _cwd(base / "repo"):
        for line in lines:
            for env, argv, piped in _steps(line):
                result = runner.invoke(main, argv, env=env, input="")
                where = f"`{line}` ({' '.join(argv)})"
                assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
                    f"{where} raised {result.exception!r}"
                if SERVER.search(line) and result.exit_code == 1:
                    # No server here: one clear line naming where it looked.
                    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
                    continue
                assert result.exit_code == 0, f"{where} exited {result.exit_code}: {result.output[-800:]}"
                if piped:
                    json.loads(result.stdout)  # the next tool in the pipe gets JSON
