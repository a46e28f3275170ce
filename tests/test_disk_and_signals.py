"""A full disk and SIGTERM (issue 17 items 9 and 10): one line, old outputs intact, no temp files left.

The full disk is real: a small tmpfs mounted in a private mount namespace
(`unshare --mount`, root), which ends with the command it runs.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, unavailable

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "examples" / "sample_page.txt"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


def on_small_disk(tmp_path, size, script):
    """Run shell `script` with a tmpfs of `size` mounted at ./small, in tmp_path; (rc, stdout, stderr)."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        unavailable("a private tmpfs needs root and unshare(1)")
    (tmp_path / "small").mkdir(exist_ok=True)
    kg = " ".join(f"'{a}'" for a in KG)
    run = subprocess.run(["unshare", "--mount", "sh", "-c",
                          f"mount -t tmpfs -o size={size} tmpfs small || exit 99\nkg() {{ {kg} \"$@\"; }}\n{script}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if run.returncode == 99:
        unavailable(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    return run.returncode, run.stdout, run.stderr


def test_extract_on_a_full_disk_is_one_line_and_keeps_the_old_output(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(6):
        shutil.copy(PAGE, pages / f"p{i}.txt")
    code, out, err = on_small_disk(tmp_path, "16k", """
echo old > small/out.jsonl
kg extract pages -o small/out.jsonl --quiet
echo "rc=$?"
cat small/out.jsonl
ls -A small
""")
    assert out.splitlines() == ["rc=1", "old", "out.jsonl"], (out, err)
    assert err == "Error: small/out.jsonl: cannot write: no space left on device\n", err


@pytest.mark.parametrize("how", ["in place", "fresh"])
def test_build_on_a_full_disk_says_so_and_keeps_the_old_store(tmp_path, how):
    shutil.copy(FIXTURES / "records.jsonl", tmp_path / "records.jsonl")
    # A build only writes what changed: the second one brings changed records
    # (one page, replaced in place; or every page, so a new store is written).
    records = [json.loads(line) for line in (FIXTURES / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in records if how == "fresh" else records[:1]:
        record["sha1"] = "5" * 40
        record["chars"] = (record.get("chars") or 0) + 1
    (tmp_path / "changed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                            encoding="utf-8")
    code, out, err = on_small_disk(tmp_path, "4m", """
kg build records.jsonl --db small/kg.db --quiet > /dev/null || exit 98
kg stats --db small/kg.db --json > before.json
free=$(df -k --output=avail small | tail -1)
dd if=/dev/zero of=small/filler bs=1k count=$((free - 200)) 2>/dev/null
kg build changed.jsonl --db small/kg.db --quiet
echo "rc=$?"
kg stats --db small/kg.db --json > after.json
ls -A small
""")
    assert code != 98, err
    assert out.splitlines() == ["rc=1", "filler", "kg.db", "kg.db.records"], (out, err)
    assert err == "Error: small/kg.db: cannot write: no space left on device\n", err
    before = json.loads((tmp_path / "before.json").read_text())
    assert before == json.loads((tmp_path / "after.json").read_text()) and before


def _terminate_when(proc, ready, timeout=120):
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the run ended before it could be terminated: {err[-2000:]}")
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    return proc.communicate(timeout=60)


def test_sigterm_during_extract_removes_the_temp_file(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(40):
        shutil.copy(PAGE, pages / f"p{i:02d}.txt")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    proc = subprocess.Popen([*KG, "extract", str(pages), "-o", str(out), "--quiet"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = _terminate_when(proc, lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == "Terminated; nothing half-written was left behind."
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "pages"]
    assert out.read_text(encoding="utf-8") == "old\n"


def test_sigterm_during_build_removes_the_staging_folder(tmp_path):
    base = [json.loads(line) for line in (FIXTURES / "records.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with open(tmp_path / "many.jsonl", "w", encoding="utf-8") as f:  # enough documents for a build that lasts
        for i in range(400):
            for r in base:
                f.write(json.dumps({**r, "doc": f"{i}-{r['doc']}"}, ensure_ascii=False) + "\n")
    proc = subprocess.Popen([*KG, "build", "many.jsonl", "--db", "kg.db", "--quiet"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # once LadybugDB is writing the new database in its staging folder
    _, err = _terminate_when(proc, lambda: any(p.name.startswith(".kg.db.") and (p / "kg.db").exists()
                                               for p in tmp_path.iterdir()))
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == "Terminated; nothing half-written was left behind."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl"]
