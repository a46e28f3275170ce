"""`kg extract` on folders holding good, empty, binary, GBK and missing files."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from extract_helpers import column
from kg.cli import main

PAGE = column("近年来，湖北省宜昌市邮政分公司坚持以客户为本，推动代理金融转型。",
              "2022年，宜昌市分公司新增余额12.5亿元，开展“周五惠民日”等活动。")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "pages"
    d.mkdir()
    (d / "a_good.txt").write_text(PAGE, encoding="utf-8")
    (d / "b_empty.txt").write_bytes(b"")
    (d / "c_binary.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff\xfe" * 50)
    (d / "d_gbk.txt").write_bytes(PAGE.replace("宜昌", "襄阳").encode("gbk"))
    return d


def run(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args)])


def records(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_folder_with_bad_files(folder, tmp_path):
    missing = tmp_path / "missing.txt"
    result = run(folder, missing, "--quiet")
    assert result.exit_code == 0, result.output
    recs = {r["doc"]: r for r in records(result.stdout)}
    assert set(recs) == {"a_good.txt", "b_empty.txt", "c_binary.txt", "d_gbk.txt", "missing.txt"}
    for bad in ("b_empty.txt", "c_binary.txt", "missing.txt"):
        assert recs[bad]["skipped"], bad
        assert recs[bad]["entities"] == [] and recs[bad]["metrics"] == []
    assert recs["a_good.txt"]["skipped"] is None
    assert "湖北省宜昌市邮政分公司" in {e["name"] for e in recs["a_good.txt"]["entities"]}
    # the GBK page is decoded, not skipped
    assert recs["d_gbk.txt"]["skipped"] is None
    assert "湖北省襄阳市邮政分公司" in {e["name"] for e in recs["d_gbk.txt"]["entities"]}
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3
    for bad in ("b_empty.txt", "c_binary.txt", "missing.txt"):
        assert sum(bad in w for w in warnings) == 1
    assert "Traceback" not in result.output


def test_strict_exits_3_when_something_was_skipped(folder):
    result = run(folder, "--strict", "--quiet")
    assert result.exit_code == 3
    assert len(records(result.stdout)) == 4


def test_strict_exits_0_when_all_was_read(tmp_path):
    (tmp_path / "p.txt").write_text(PAGE, encoding="utf-8")
    assert run(tmp_path, "--strict", "--quiet").exit_code == 0


def test_nothing_readable_exits_1(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    result = run(tmp_path / "e.txt", tmp_path / "missing.txt", "--quiet")
    assert result.exit_code == 1
    assert {r["skipped"] is not None for r in records(result.stdout)} == {True}


def test_summary_goes_to_stderr(folder):
    result = run(folder)
    assert result.exit_code == 0
    assert "Read 2 of 4 files; skipped 2." in result.stderr
    assert records(result.stdout)


def test_output_file_is_written_atomically(folder, tmp_path):
    out = tmp_path / "out" / "pred.jsonl"
    out.parent.mkdir()
    out.write_text("old\n", encoding="utf-8")
    result = run(folder, "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    recs = records(out.read_text(encoding="utf-8"))
    assert len(recs) == 4
    assert os.listdir(out.parent) == ["pred.jsonl"]  # no temp file left behind


def test_failed_run_leaves_the_old_output(tmp_path):
    out = tmp_path / "pred.jsonl"
    out.write_text("old\n", encoding="utf-8")
    (tmp_path / "p.txt").write_text(PAGE, encoding="utf-8")
    result = run(tmp_path / "p.txt", "-o", out, "--pipeline", tmp_path / "nope.cfg")
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "old\n"


def test_record_format(tmp_path):
    (tmp_path / "p.txt").write_text(PAGE, encoding="utf-8")
    (rec,) = records(run(tmp_path / "p.txt", "--quiet").stdout)
    assert set(rec) >= {"doc", "path", "sha1", "chars", "articles", "entities", "relations", "metrics", "skipped"}
    assert len(rec["sha1"]) == 40
    for e in rec["entities"]:
        assert e["aliases"][0] == e["name"]
        assert {"id", "label", "qualified", "region", "mentions"} <= set(e)
    for m in rec["metrics"]:
        assert {"id", "name", "label"} <= set(m["subject"])


def walk(group, path=()):
    """Every command path, as --help lists them (kg imports a command's module on demand)."""
    import click
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


@pytest.mark.parametrize("path", list(walk(main)), ids=" ".join)
def test_every_help_mentions_an_example(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
