"""Outputs never destroy inputs (issue 17 item 7): -o equal to an input, kg-made export folders,
and a run's own output found again in the folder it reads."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph import store
from kg.graph.export import MANIFEST, ExportError, export_graph
from kg.graph.model import build_graph
from kg.nlp.records import read_records

from conftest import FIXTURES

PAGE = Path(__file__).resolve().parent.parent / "examples" / "sample_page.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("out") / "kg.db"
    store.build_store(read_records(FIXTURES / "records.jsonl"), db)
    return db


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_extract_refuses_to_write_over_its_input(tmp_path):
    page = tmp_path / "page.txt"
    shutil.copy(PAGE, page)
    before = page.read_bytes()
    for target in (page, tmp_path / "." / "page.txt"):
        result = run("extract", page, "-o", target, "--quiet")
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {target}: is also an input page"), result.output
    os.link(page, tmp_path / "hard.txt")  # the same file under another name
    assert run("extract", page, "-o", tmp_path / "hard.txt", "--quiet").exit_code == 1
    assert page.read_bytes() == before


@pytest.mark.parametrize("command", [["export", "--format", "graphml"], ["export", "--format", "json"], ["viz"]])
def test_export_and_viz_refuse_to_write_over_the_database(tmp_path, built, command):
    db = tmp_path / "x.db"
    shutil.copy(built, db)
    before = db.read_bytes()
    result = run(*command, "--db", db, "-o", db)
    assert (result.exit_code, result.output) == (
        1, f"Error: {db}: is also the graph database (--db); writing there would destroy it, so choose another -o\n")
    assert db.read_bytes() == before
    assert store.counts(db)["nodes"]["Branch"] == 4


def test_neo4j_csv_keeps_the_users_files_and_deletes_only_its_own(tmp_path):
    graph = build_graph(read_records(FIXTURES / "records.jsonl"))
    out = tmp_path / "neo4j"
    export_graph(graph, "neo4j-csv", out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {p.name for p in out.iterdir()} - {MANIFEST}
    assert "import.sh" in manifest["files"]
    # the user adds notes; an earlier kg version had written a file no longer written
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "nodes_Old.csv").write_text("old", encoding="utf-8")
    manifest["files"].append("nodes_Old.csv")
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    export_graph(graph, "neo4j-csv", out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (out / "nodes_Old.csv").exists()
    assert "nodes_Old.csv" not in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert sorted(os.listdir(tmp_path)) == ["neo4j"]  # no staging folder left


def test_neo4j_csv_refuses_a_folder_kg_did_not_make_even_with_an_import_sh(tmp_path):
    graph = build_graph(read_records(FIXTURES / "records.jsonl"))
    other = tmp_path / "project"
    other.mkdir()
    (other / "import.sh").write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    (other / "data.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"project: exists and is not a kg neo4j-csv export \(no kg-export.json\)"):
        export_graph(graph, "neo4j-csv", other)
    assert sorted(os.listdir(other)) == ["data.csv", "import.sh"]
    assert (other / "import.sh").read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    export_graph(graph, "neo4j-csv", empty)
    assert (empty / MANIFEST).exists()


def test_extract_does_not_read_its_own_output_back(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(PAGE, folder / "page.txt")
    out = folder / "out.txt"
    for _ in range(2):
        result = run("extract", folder, "-o", out, "--quiet")
        assert result.exit_code == 0, result.output
        assert [json.loads(line)["doc"] for line in out.read_text(encoding="utf-8").splitlines()] == ["page.txt"]
    shutil.copy(out, folder / "older-run.txt")  # another run's output, in the folder
    result = run("extract", folder, "-o", out)
    docs = {json.loads(line)["doc"]: json.loads(line)["skipped"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert docs == {"older-run.txt": "kg's own output (extraction records), not a page", "page.txt": None}
    assert result.exit_code == 0
