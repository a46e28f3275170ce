"""Where passwords go (kg/graph/settings.py): only to the server configured beside them.

A server that must never be contacted is a real listening socket: the test
asserts that nobody connected to it.
"""
from __future__ import annotations

import re
import socket
import threading

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph.neo4j_loader import _one_line
from kg.graph.settings import Neo4jSettings, falkordb_password, load_settings, mask_secrets, redacted_uri

from conftest import FIXTURES

RECORDS = str(FIXTURES / "records.jsonl")
SECRET = "pw-Tr0ub4dor"


@pytest.fixture
def trap():
    """A socket that would take a Bolt connection (and drops it at once); `trap.contacted()` says whether
    anyone came."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    seen, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (socket.timeout, TimeoutError, OSError):
                continue
            seen.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    class Trap:
        uri = f"bolt://127.0.0.1:{server.getsockname()[1]}"

        @staticmethod
        def contacted() -> bool:
            return bool(seen)

    yield Trap
    stop.set()
    thread.join()
    server.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty ~/.config and a working folder of our own."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "config" / "kg").mkdir(parents=True)
    return tmp_path / "config"


def env(home, **values):
    base = {"XDG_CONFIG_HOME": str(home), "NEO4J_URI": None, "NEO4J_PASSWORD": None,
            "NEO4J_USERNAME": None, "NEO4J_DATABASE": None}
    return {**base, **values}


@pytest.mark.parametrize("command", [["load", RECORDS, "--quiet"], ["query", "--neo4j", "MATCH (n) RETURN n"]])
def test_a_local_kg_toml_cannot_send_the_environment_password_elsewhere(home, trap, command):
    with open("kg.toml", "w", encoding="utf-8") as f:
        f.write(f'[neo4j]\nuri = "{trap.uri}"\n')
    result = CliRunner().invoke(main, command, env=env(home, NEO4J_PASSWORD=SECRET))
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: bolt://127\.0\.0\.1:\d+ comes from kg\.toml, but the password comes from the "
                        r"environment \(NEO4J_URI, NEO4J_PASSWORD\), which names bolt://localhost:7687; "
                        r"not sending the password there \([^\n]*\)\n", result.output), result.output
    assert SECRET not in result.output
    assert not trap.contacted()


def test_a_local_kg_toml_cannot_send_the_home_config_password_elsewhere(home, trap):
    (home / "kg" / "neo4j.toml").write_text('uri = "bolt://db.internal:7687"\npassword = "%s"\n' % SECRET)
    with open("kg.toml", "w", encoding="utf-8") as f:
        f.write(f'[neo4j]\nuri = "{trap.uri}"\n')
    result = CliRunner().invoke(main, ["load", RECORDS, "--quiet"], env=env(home))
    assert result.exit_code == 1 and "which names bolt://db.internal:7687" in result.output, result.output
    assert not trap.contacted()


def test_a_password_goes_where_its_own_source_points(home, trap):
    (home / "kg" / "neo4j.toml").write_text(f'uri = "{trap.uri}"\npassword = "{SECRET}"\n')
    result = CliRunner().invoke(main, ["load", RECORDS, "--quiet"], env=env(home))
    assert result.exit_code == 1 and "not sending" not in result.output  # it tried the server
    assert trap.contacted()


def test_mismatch_rule():
    cfg = {"uri": "bolt://a:7687", "password": "x"}
    assert load_settings(env={}, config_files=[]).password_mismatch() is None

    def settings(tmp, home_text, local_text, environ, uri=None):
        (tmp / "neo4j.toml").write_text(home_text)
        (tmp / "kg.toml").write_text(local_text)
        return load_settings(uri=uri, env=environ, config_files=[tmp / "neo4j.toml", tmp / "kg.toml"])
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # same file, same server: fine; a different port is another server
        assert settings(tmp, 'uri = "{uri}"\npassword = "{password}"\n'.format(**cfg), "", {}).password_mismatch() is None
        assert settings(tmp, 'uri = "bolt://a:7687"\npassword = "x"\n', '[neo4j]\nuri = "bolt://a:7688"\n',
                        {}).password_mismatch()
        # the environment's password with the environment's URI beats the files
        assert settings(tmp, "", '[neo4j]\nuri = "bolt://evil:7687"\n',
                        {"NEO4J_URI": "bolt://b:7687", "NEO4J_PASSWORD": "x"}).password_mismatch() is None
        # a URI typed with --uri is the user's own choice
        assert settings(tmp, 'password = "x"\n', "", {}, uri="bolt://c:7687").password_mismatch() is None
        # an empty password leaks nothing; kg.toml's own password is its own business
        assert settings(tmp, "", '[neo4j]\nuri = "bolt://evil:7687"\n', {"NEO4J_PASSWORD": ""}).password_mismatch() is None
        assert settings(tmp, 'password = "x"\n', '[neo4j]\nuri = "bolt://e:7687"\npassword = "y"\n',
                        {}).password_mismatch() is None
    typed = Neo4jSettings(uri="bolt://elsewhere:7687", uri_source="kg.toml").with_password("typed")
    assert typed.password_mismatch() is None


def test_masking_hides_the_password_field_not_its_substrings():
    uri = "bolt://neo4j:1@127.0.0.1:7687"
    text = f"cannot reach {uri} (127.0.0.1:7687, auth=('neo4j', '1'), password=1)"
    assert mask_secrets(text, uri, "1") == \
        "cannot reach bolt://neo4j@127.0.0.1:7687 (127.0.0.1:7687, auth=('neo4j', '***'), password=***)"
    settings = Neo4jSettings(uri="bolt://127.0.0.1:7687", password="0")
    assert _one_line(OSError("Couldn't connect to 127.0.0.1:7687 (reason [Errno 111])"), settings) == \
        "Couldn't connect to 127.0.0.1:7687 (reason [Errno 111])"


@pytest.mark.parametrize("password", ["1", "7", "0", "127", ":"])
def test_a_short_password_does_not_garble_the_address(home, password):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(main, ["load", RECORDS, "--quiet", "--uri", f"bolt://127.0.0.1:{port}"],
                                env=env(home, NEO4J_PASSWORD=password))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: bolt://127.0.0.1:{port}: cannot reach the Neo4j server ("), result.output
    assert "***" not in result.output


def test_a_password_pasted_into_neo4j_uri_is_not_echoed(home):
    result = CliRunner().invoke(main, ["query", "--neo4j", "MATCH (n) RETURN n"],
                                env=env(home, NEO4J_URI="hunter2-secret", NEO4J_PASSWORD=""))
    assert result.exit_code == 1 and re.fullmatch(r"Error: [^\n]+\n", result.output), result.output
    assert "hunter2" not in result.output and "<not a URI>" in result.output
    assert redacted_uri("bolt://db:7687/?password=abc&x=1") == "bolt://db:7687/?password=***&x=1"


def test_falkordb_password_sources(tmp_path):
    cfg = tmp_path / "kg.toml"
    cfg.write_text('[falkordb]\npassword = "from-file"\n')
    assert falkordb_password("redis://h:6379/kg", env={}, config_files=[cfg]) == "from-file"
    assert falkordb_password("redis://h:6379/kg", env={"FALKORDB_PASSWORD": "from-env"}, config_files=[cfg]) == "from-env"
    assert falkordb_password("redis://:in-url@h:6379/kg", env={"FALKORDB_PASSWORD": "e"}, config_files=[cfg]) == "in-url"
    assert falkordb_password("redis://h:6379/kg", env={}, config_files=[]) is None


@pytest.mark.server
def test_falkordb_password_from_the_environment_or_kg_toml(tmp_path, monkeypatch):
    import servers
    from conftest import unavailable
    from falkordb import FalkorDB

    try:
        server = servers._Server(tmp_path, servers._server_args(tmp_path, ["--requirepass", SECRET]))
    except servers.Unavailable as exc:
        unavailable(str(exc))
    try:
        url = f"unix://{server.socket}?graph=kg"
        work = tmp_path / "work"
        work.mkdir()
        monkeypatch.chdir(work)
        base = {"XDG_CONFIG_HOME": str(tmp_path / "none"), "FALKORDB_PASSWORD": None}
        denied = CliRunner().invoke(main, ["load", RECORDS, "--quiet", "--falkordb", url], env=base)
        assert denied.exit_code == 1 and "authentication failed" in denied.output, denied.output
        ok = CliRunner().invoke(main, ["load", RECORDS, "--quiet", "--falkordb", url],
                                env={**base, "FALKORDB_PASSWORD": SECRET})
        assert ok.exit_code == 0, ok.output
        (work / "kg.toml").write_text(f'[falkordb]\npassword = "{SECRET}"\n')
        again = CliRunner().invoke(main, ["load", RECORDS, "--quiet", "--falkordb", url], env=base)
        assert again.exit_code == 0, again.output
        assert SECRET not in denied.output + ok.output + again.output
        graph = FalkorDB(unix_socket_path=str(server.socket), password=SECRET).select_graph("kg")
        assert graph.ro_query("MATCH (b:Branch) RETURN count(b)").result_set[0][0] == 4
    finally:
        server.stop()
