"""kg.atomic: outputs are old or new, never half-written, even under SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.atomic import OutputError, _exchange, atomic_output, atomic_replace_dir, atomic_write, atomic_write_text
from kg.errors import KgError

REPO = Path(__file__).resolve().parent.parent


def leftovers(folder: Path, *keep: str) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name not in keep)


# -------------------------------------------------------------- atomic_write


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "pred.jsonl"
    with atomic_write(target) as f:
        f.write("{\"doc\": \"甲\"}\n")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text(encoding="utf-8") == "{\"doc\": \"甲\"}\n"
    with atomic_write(target, "wb") as f:
        f.write(b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path, "pred.jsonl") == []


def test_new_file_gets_normal_permissions_and_keeps_old_ones(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "1")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    target.chmod(0o640)
    atomic_write_text(target, "2")
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_in_block_keeps_old_file_and_no_temp(tmp_path, exc):
    target = tmp_path / "graph.json"
    target.write_text("old")
    with pytest.raises(type(exc)):
        with atomic_write(target) as f:
            f.write("half of the new")
            f.flush()
            raise exc
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "graph.json") == []


def test_exception_without_old_file_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "x.txt") as f:
            f.write("partial")
            raise ValueError
    assert os.listdir(tmp_path) == []


def test_exclusive_mode_refuses_existing(tmp_path):
    target = tmp_path / "a.txt"
    with atomic_write(target, "x") as f:
        f.write("first")
    with pytest.raises(OutputError, match="already exists"):
        with atomic_write(target, "x") as f:
            f.write("second")
    assert target.read_text() == "first"
    assert leftovers(tmp_path, "a.txt") == []


def test_bad_output_places_are_one_line_kg_errors(tmp_path):
    with pytest.raises(KgError, match=r"^.*/nowhere/x\.txt: cannot write: folder .*/nowhere does not exist$"):
        atomic_write_text(tmp_path / "nowhere" / "x.txt", "1")
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="a folder is in the way"):
        atomic_write_text(tmp_path / "d", "1")
    assert leftovers(tmp_path, "d") == []
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "y.txt", "a"):
            pass


# A writer that announces it is mid-write, then keeps writing until killed.
WRITER = textwrap.dedent(
    """
    import sys, time
    from kg.atomic import atomic_write
    with atomic_write(sys.argv[1]) as f:
        for i in range(10_000_000):
            f.write(f"{i:08d} 邮政储蓄银行 new line of output\\n")
            if i == 50_000:
                f.flush()
                print("writing", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.parametrize("had_old_file", [True, False])
def test_sigkill_midway_leaves_old_file_or_none(tmp_path, had_old_file):
    target = tmp_path / "pred.jsonl"
    if had_old_file:
        target.write_text("old complete output\n")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE,
                            cwd=REPO, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    if had_old_file:
        assert target.read_text() == "old complete output\n"
    else:
        assert not target.exists()
    # The partial data exists only under a hidden temp name.
    temps = leftovers(tmp_path, "pred.jsonl")
    assert len(temps) == 1 and temps[0].startswith(".pred.jsonl.") and temps[0].endswith(".tmp")
    assert (tmp_path / temps[0]).stat().st_size > 0


# ------------------------------------------------------------ folder outputs


def _export(folder: Path, tag: str) -> str:
    (folder / "nodes.csv").write_text(f"id,name\n1,{tag}\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "edges.csv").write_text("a,b\n")
    return tag


def test_replace_dir_builds_then_swaps(tmp_path):
    target = tmp_path / "neo4j-csv"
    assert atomic_replace_dir(target, lambda d: _export(d, "first")) == "first"
    (target / "stale.csv").write_text("from the old export")
    assert atomic_replace_dir(target, lambda d: _export(d, "second")) == "second"
    assert sorted(os.listdir(target)) == ["nodes.csv", "sub"]  # old contents gone, not merged
    assert "second" in (target / "nodes.csv").read_text()
    assert leftovers(tmp_path, "neo4j-csv") == []


def test_replace_dir_failure_keeps_old_folder(tmp_path):
    target = tmp_path / "out"
    atomic_replace_dir(target, lambda d: _export(d, "old"))

    def broken(folder: Path):
        (folder / "nodes.csv").write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_replace_dir(target, broken)
    assert "old" in (target / "nodes.csv").read_text()
    assert leftovers(tmp_path, "out") == []


def test_atomic_output_for_tools_that_create_their_own_path(tmp_path):
    db = tmp_path / "kg.db"
    db.write_bytes(b"old db")

    def build(path: Path):
        assert not path.exists() and path.parent != tmp_path
        path.write_bytes(b"new db")

    atomic_output(db, build)
    assert db.read_bytes() == b"new db"
    atomic_output(db, lambda p: p.mkdir())  # a file may become a folder
    assert db.is_dir()
    with pytest.raises(OutputError, match="nothing was written"):
        atomic_output(tmp_path / "empty", lambda p: None)
    assert leftovers(tmp_path, "kg.db") == []


def test_exchange_swaps_two_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from_a").touch()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "from_b").touch()
    if not _exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here; the two-rename fallback is used")
    assert os.listdir(tmp_path / "a") == ["from_b"]
    assert os.listdir(tmp_path / "b") == ["from_a"]


DIR_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kg.atomic import atomic_replace_dir
    def build(folder):
        for i in range(100):
            (folder / f"part{i:03d}.csv").write_text("x" * 1000)
        print("writing", flush=True)
        time.sleep(60)
    atomic_replace_dir(sys.argv[1], build)
    """
)


def test_sigkill_while_building_folder_keeps_old_folder(tmp_path):
    target = tmp_path / "export"
    atomic_replace_dir(target, lambda d: _export(d, "old"))
    proc = subprocess.Popen([sys.executable, "-c", DIR_WRITER, str(target)], stdout=subprocess.PIPE,
                            cwd=REPO, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert sorted(os.listdir(target)) == ["nodes.csv", "sub"]
    assert "old" in (target / "nodes.csv").read_text()
    temps = leftovers(tmp_path, "export")
    assert len(temps) == 1 and temps[0].startswith(".export.")


def test_two_rename_fallback_when_exchange_is_unavailable(tmp_path, monkeypatch):
    import kg.atomic

    monkeypatch.setattr(kg.atomic, "_exchange", lambda a, b: False)
    target = tmp_path / "out"
    atomic_replace_dir(target, lambda d: _export(d, "old"))
    atomic_replace_dir(target, lambda d: _export(d, "new"))
    assert "new" in (target / "nodes.csv").read_text()
    assert leftovers(tmp_path, "out") == []
