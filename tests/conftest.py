"""Shared fixtures: real FalkorDB servers (see tests/servers.py) and generic helpers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import servers  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


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
