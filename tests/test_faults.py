"""Faults end to end through the CLI: builds and loads killed with SIGKILL and run again,
credentials that must never be printed, and folders holding files that cannot be read.

(tests/test_store.py kills a build at the store level; here `kg build` itself is killed
while it adds to an existing store.)
"""
from __future__ import annotations

import copy
import ctypes
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from falkordb import FalkorDB

from kg.graph import store
from kg.cli import main
from kg.graph.model import build_graph
from kg.nlp.records import read_records, write_records

import servers
from conftest import FIXTURES, unavailable
from extract_helpers import column
from test_help import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
DEV_PAGE = ROOT.parent / "shared" / "corpus" / "dev" / "000_09546977b2fce549.txt"
KG = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')"]
SECRET = "s3cr3t-XYZ"


def dev_page() -> Path:
    if not DEV_PAGE.exists():
        unavailable(f"{DEV_PAGE} is missing (CI clones main with shared/ beside it)")
    return DEV_PAGE


def copies(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"page_{i:02d}.txt" for i in range(n)]
    for name in names:
        shutil.copyfile(dev_page(), folder / name)
    return names


def stored_docs(db) -> list[str]:
    return [row[0] for row in store.run_query(db, "MATCH (d:Document) RETURN d.name ORDER BY d.name")[1]]


def kill_after(argv, line_pattern, *, cwd, terminal=False) -> tuple[str, int]:
    """Run argv, SIGKILL it as soon as a stderr line matches, and return (that line, exit status).

    terminal=True gives it a pseudo-terminal for stderr: `kg build` shows its
    progress only on a terminal.
    """
    if terminal:
        return _kill_after_on_terminal(argv, line_pattern, cwd=cwd)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    try:
        for line in proc.stderr:
            if re.match(line_pattern, line):
                assert proc.poll() is None, "finished before it could be killed"
                proc.send_signal(signal.SIGKILL)
                return line.strip(), proc.wait(30)
        raise AssertionError(f"no stderr line matched {line_pattern!r}; exit {proc.wait(30)}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()


def _kill_after_on_terminal(argv, pattern, *, cwd) -> tuple[str, int]:
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, cwd=cwd)
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                raise AssertionError("no progress shown for 2 minutes")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: it finished
                chunk = b""
            if not chunk:
                raise AssertionError(f"no progress matched {pattern!r}; exit {proc.wait(30)}")
            seen += chunk
            text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))
            found = re.search(pattern, text)
            if found:
                assert proc.poll() is None, "finished before it could be killed"
                proc.send_signal(signal.SIGKILL)
                return found.group(0), proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        proc.stdout.close()
        os.close(master)


# --- kg build killed midway ---------------------------------------------------------

@pytest.mark.slow
def test_kg_build_killed_midway_then_rerun_equals_clean_build(tmp_path):
    pages = tmp_path / "pages"
    names = copies(pages, 30)
    db = tmp_path / "kg.db"
    first = CliRunner().invoke(main, ["build", *(str(pages / n) for n in names[:5]), "--db", str(db), "--quiet"])
    assert first.exit_code == 0, first.output
    before = store.counts(db)

    # The store's progress (on a terminal) says what it writes once every page is extracted: kill then.
    line, status = kill_after([*KG, "build", str(pages), "--db", str(db)], r"writing \d+ documents", cwd=tmp_path,
                              terminal=True)
    assert status == -signal.SIGKILL, line
    assert store.counts(db) == before, "the killed build changed the old store"
    assert stored_docs(db) == names[:5]
    assert any(n.startswith(".kg.db.") for n in os.listdir(tmp_path)), "no staging left: not killed midway"

    again = CliRunner().invoke(main, ["build", str(pages), "--db", str(db), "--quiet"])
    assert again.exit_code == 0, again.output
    clean_db = tmp_path / "clean" / "kg.db"
    clean = CliRunner().invoke(main, ["build", str(pages), "--db", str(clean_db), "--quiet"])
    assert clean.exit_code == 0, clean.output

    assert store.counts(db) == store.counts(clean_db)
    assert stored_docs(db) == stored_docs(clean_db) == names
    # the same page 30 times: the same figures, each now read 30 times
    readings = "MATCH (m:Metric) RETURN min(m.count), max(m.count)"
    assert store.run_query(db, readings)[1] == [[30, 30]]
    assert sorted(os.listdir(tmp_path)) == ["clean", "kg.db", "kg.db.records", "pages"], "staging of the killed build left behind"


# --- kg load --falkordb killed midway -----------------------------------------------

def many_records(n: int) -> list[dict]:
    """The fixture records n times over, each copy a document of its own."""
    out = []
    for i in range(n):
        for record in read_records(FIXTURES / "records.jsonl"):
            record = copy.deepcopy(record)
            record["doc"] = record["path"] = f"{i:03d}_{record['doc']}"
            if record.get("sha1"):
                record["sha1"] = hashlib.sha1(record["doc"].encode()).hexdigest()
            out.append(record)
    return out


def falkordb_counts(server: servers.NativeServer, graph="kg") -> dict:
    g = FalkorDB(unix_socket_path=str(server.socket)).select_graph(graph)
    nodes = g.ro_query("MATCH (n) RETURN labels(n)[0] AS l, count(n) ORDER BY l").result_set
    rels = g.ro_query("MATCH ()-[r]->() RETURN type(r) AS t, count(r) ORDER BY t").result_set
    return {"nodes": dict(map(tuple, nodes)), "relationships": dict(map(tuple, rels))}


def totals(c: dict) -> tuple[int, int]:
    return sum(c["nodes"].values()), sum(c["relationships"].values())


@pytest.mark.slow
@pytest.mark.server
def test_kg_load_falkordb_killed_midway_then_rerun_equals_clean_load(falkordb_native, tmp_path):
    recs = tmp_path / "many.jsonl"
    write_records(many_records(500), recs)  # merged facts: ~20 rows per copy
    graph = build_graph(read_records(recs))
    expected = (graph.number_of_nodes(), graph.number_of_edges())
    assert expected[0] + expected[1] > 9000
    load = ["load", str(recs), "--falkordb", falkordb_native.url(), "--batch-size", "50"]

    # A progress line follows each label or type written: kill once every node is in and the
    # relationships have begun (documents are there, their sha1 not yet).
    line, status = kill_after([*KG, *load], r"\w+ \(\w+→\w+\): \d+ relationships$", cwd=tmp_path)
    assert status == -signal.SIGKILL, line
    partial = totals(falkordb_counts(falkordb_native))
    assert 0 < partial[0] + partial[1] < expected[0] + expected[1], (partial, expected)

    again = CliRunner().invoke(main, [*load, "--quiet"])
    assert again.exit_code == 0, again.output
    assert f"server now holds {expected[0]} nodes and {expected[1]} relationships" in again.output
    # the killed load wrote no document's sha1, so the rerun replaced their half-written facts
    assert int(re.search(r"(\d+) changed document\(s\) replaced", again.output)[1]) > 0

    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = servers.NativeServer(fresh_dir)
    try:
        clean = CliRunner().invoke(main, ["load", str(recs), "--falkordb", fresh.url(), "--quiet"])
        assert clean.exit_code == 0, clean.output
        assert falkordb_counts(falkordb_native) == falkordb_counts(fresh)
    finally:
        fresh.stop()
    assert totals(falkordb_counts(falkordb_native)) == expected


# --- credentials never appear -------------------------------------------------------

def test_credentials_never_appear_in_errors_or_help(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./kg.toml from the caller's folder
    records = str(FIXTURES / "records.jsonl")
    for uri in (f"bolt://user:{SECRET}@127.0.0.1:1", "bolt://127.0.0.1:1", f"neo4j://neo4j:{SECRET}@127.0.0.1:1"):
        env = {"NEO4J_PASSWORD": SECRET, "NEO4J_URI": uri, "XDG_CONFIG_HOME": str(tmp_path)}
        for args in (["load", records, "--quiet"], ["query", "--neo4j", "MATCH (n) RETURN n"],
                     ["query", "MATCH (n) RETURN count(n)"]):
            result = CliRunner().invoke(main, args, env=env)
            assert result.exit_code == 1, (uri, args, result.output)
            assert re.fullmatch(r"Error: [^\n]+\n", result.output), (uri, args, result.output)
            assert SECRET not in result.output, (uri, args)
            assert "127.0.0.1:1" in result.output  # the error says where, without the password
    falkordb = CliRunner().invoke(main, ["load", records, "--quiet", "--falkordb",
                                         f"redis://:{SECRET}@127.0.0.1:1/kg"])
    assert falkordb.exit_code == 1 and re.fullmatch(r"Error: [^\n]+\n", falkordb.output), falkordb.output
    assert SECRET not in falkordb.output

    env = {"NEO4J_PASSWORD": SECRET, "NEO4J_URI": f"bolt://user:{SECRET}@127.0.0.1:1"}
    assert len(COMMANDS) > 5
    for path in [("kg",), *COMMANDS]:
        result = CliRunner().invoke(main, [*path[1:], "--help"], env=env)
        assert result.exit_code == 0, path
        assert SECRET not in result.output, f"`{' '.join(path)} --help` shows the password"


def test_credentials_never_appear_from_a_real_process(tmp_path):
    env = {**os.environ, "NEO4J_PASSWORD": SECRET, "NEO4J_URI": "bolt://127.0.0.1:1",
           "XDG_CONFIG_HOME": str(tmp_path)}
    run = subprocess.run([*KG, "query", "MATCH (n) RETURN n"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and run.stdout == ""
    assert re.fullmatch(r"Error: bolt://127\.0\.0\.1:1: cannot reach the Neo4j server \([^\n]*\)\n", run.stderr)
    assert SECRET not in run.stderr


# --- files that cannot be read --------------------------------------------------------

# Runs `kg build` with the one file removed after the folder was listed and before it is read.
VANISHING_BUILD = """
import sys
from pathlib import Path
import kg.nlp.extract
from kg.cli import main

checked = kg.nlp.extract.check_page
gone = Path(sys.argv[1])

def check_page(path, **options):  # the file goes after it was listed, just before it is read
    if Path(path) == gone and gone.exists():
        gone.unlink()
    return checked(path, **options)

kg.nlp.extract.check_page = check_page
main(sys.argv[2:], prog_name="kg")
"""


def _without_root_file_access():
    """As root, drop the capabilities that ignore file permissions, so chmod 000 bites."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone for the exec'd program
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_kg_build_skips_unreadable_files_and_builds_the_rest(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copyfile(dev_page(), pages / "a_dev.txt")
    (pages / "b_short.txt").write_text(column("近年来，湖北省宜昌市邮政分公司坚持以客户为本，推动代理金融转型。",
                                              "2022年，宜昌市分公司新增余额12.5亿元，开展“周五惠民日”等活动。"),
                                       encoding="utf-8")
    (pages / "c_empty.txt").write_bytes(b"")
    (pages / "d_binary.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff\xfe" * 50)
    locked = pages / "e_locked.txt"
    shutil.copyfile(dev_page(), locked)
    locked.chmod(0)
    shutil.copyfile(dev_page(), pages / "f_vanishing.txt")
    db = tmp_path / "kg.db"

    run = subprocess.run([sys.executable, "-c", VANISHING_BUILD, str(pages / "f_vanishing.txt"),
                          "build", str(pages), "--db", str(db)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         preexec_fn=_without_root_file_access)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert sorted(warnings) == [
        f"warning: {pages / 'c_empty.txt'}: empty file",
        f"warning: {pages / 'd_binary.txt'}: binary file (PDF), not text",
        f"warning: {pages / 'e_locked.txt'}: cannot be read: permission denied",
        f"warning: {pages / 'f_vanishing.txt'}: no such file (missing, or removed before it could be read)",
    ]
    assert run.stdout.splitlines()[0] == f"{db}: 6 documents (4 skipped)"

    _, rows = store.run_query(db, "MATCH (d:Document) RETURN d.name, d.skipped ORDER BY d.name")
    assert [name for name, skipped in rows if skipped is None] == ["a_dev.txt", "b_short.txt"]
    assert [name for name, skipped in rows if skipped] == ["c_empty.txt", "d_binary.txt", "e_locked.txt",
                                                            "f_vanishing.txt"]
    _, branches = store.run_query(db, "MATCH (b:Branch)-[:MENTIONED_IN]->(:Article)<-[:HAS_ARTICLE]-(d:Document) "
                                      "RETURN DISTINCT d.name ORDER BY d.name")
    assert branches == [["a_dev.txt"], ["b_short.txt"]]
    assert "湖北省宜昌市邮政分公司" in {r[0] for r in store.run_query(db, "MATCH (b:Branch) RETURN b.name")[1]}
