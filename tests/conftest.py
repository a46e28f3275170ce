"""Shared fixtures: real Neo4j and FalkorDB servers (see tests/servers.py) and generic helpers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import servers  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(items):
    """Tests that use the Neo4j server carry the `neo4j` marker (`pytest -m neo4j` runs them)."""
    for item in items:
        if "neo4j_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)


def unavailable(reason: str):
    """No server, browser or ../shared here: a failure in CI (CI is set), a skip with the reason elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"unavailable in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def falkordb_native(tmp_path):
    """A FalkorDB server on a unix socket (native protocol), stopped after the test."""
    try:
        server = servers.NativeServer(tmp_path)
    except servers.Unavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture
def falkordb_bolt(tmp_path):
    """A FalkorDB server answering Bolt inside a private network namespace; run client
    code with `falkordb_bolt.call(fn, *args)` (fn must be a module-level function)."""
    try:
        server = servers.BoltServer(tmp_path)
    except servers.Unavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """One real Neo4j 5.26 server (Bolt on 127.0.0.1, a free port) for the whole session."""
    try:
        server = servers.Neo4jServer(tmp_path_factory.mktemp("neo4j"))
    except servers.Unavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture
def neo4j(neo4j_server):
    """The session's Neo4j, emptied for this test (no data; constraints and indexes stay):
    a servers.Neo4jTarget with `.settings` for kg, `.query(...)`/`.counts()` for checks."""
    target = servers.Neo4jTarget(neo4j_server)
    target.wipe()
    yield target
    target.close()
