"""`kg build` end to end on folders of pages: incremental rebuilds, document names, pruning,
unreadable pages, exit codes and what it prints; and the graph of a folder of repeated pages."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract_helpers import column
from kg.cli import main
from kg.graph import store
from test_store import dump

ROOT = Path(__file__).resolve().parent.parent


def page(city="温州", province="浙江省", program="周四惠农日", amount="8.6", product="瓯江惠农贷", head=True):
    return column((f"{city}邮银推出“{product}”",),
                  f"近年来，{province}{city}市邮政分公司坚持以客户为本，推动代理金融转型。",
                  f"2022年，{city}市分公司新增余额{amount}亿元，开展“{program}”等活动。",
                  f"该分公司与{city}市农业农村局合作，推出“{product}”产品。",
                  *(["总行相关部门负责人表示，将持续支持县域金融服务。"] if head else []),
                  f"截至2022年末，{city}市分公司累计服务客户3.2万户。")


PAGES = {
    "wenzhou.txt": page(),
    "quanzhou.txt": page("泉州", "福建省", "周五助农日", "5.4", "刺桐贷"),
    "2023/wenzhou.txt": page(amount="9.7"),  # another issue of the paper: same name, another folder
}


def write_pages(folder: Path, pages=PAGES) -> Path:
    for name, text in pages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build(*args):
    result = CliRunner().invoke(main, ["build", *map(str, args)])
    return result


def content(db):
    """dump() less each Document's `path`: where an unchanged page was read last, not what it says."""
    nodes, edges = dump(db)
    return [(label, key, [kv for kv in props if not (label == "Document" and kv[0] == "path")])
            for label, key, props in nodes], edges


def docs(db):
    return [r[0] for r in store.run_query(db, "MATCH (d:Document) RETURN d.name ORDER BY d.name")[1]]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A folder of pages and its store, built once."""
    tmp = tmp_path_factory.mktemp("built")
    pages = write_pages(tmp / "pages")
    db = tmp / "kg.db"
    result = build(pages, "--db", db)
    assert result.exit_code == 0, result.output
    return pages, db, result


def test_documents_are_named_by_their_path_in_the_folder(built):
    pages, db, result = built
    assert docs(db) == ["2023/wenzhou.txt", "quanzhou.txt", "wenzhou.txt"]
    assert result.stdout.splitlines()[0] == f"{db}: 3 documents"
    # both wenzhou.txt pages kept their own figures
    _, rows = store.run_query(db, "MATCH (m:Metric) WHERE m.name = '新增余额' RETURN m.value_text, m.docs "
                                  "ORDER BY m.value_text")
    assert rows == [["540000000", ["quanzhou.txt"]], ["860000000", ["wenzhou.txt"]],
                    ["970000000", ["2023/wenzhou.txt"]]]


def test_build_prints_reading_summary_and_rates_without_progress_when_piped(built):
    _pages, _db, result = built
    assert result.stderr.splitlines() == ["Read 3 of 3 files; skipped 0."]  # no "writing …" lines
    out = result.stdout.splitlines()
    assert out[4].startswith("extracted 3 pages (") and "characters/s)" in out[4]
    assert out[5].startswith("wrote ") and out[5].endswith("; 3 documents replaced or added")


def test_rebuild_unchanged_reads_and_writes_nothing(built, tmp_path):
    pages, db, _ = built
    copy = tmp_path / "kg.db"
    copy_store(db, copy)
    before = dump(copy)
    result = build(pages, "--db", copy)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["Read 3 of 3 files (3 unchanged since the last build); skipped 0."]
    assert "extracted nothing: 3 pages unchanged" in result.stdout
    assert "wrote 0 nodes and edges" in result.stdout
    assert dump(copy) == before


def copy_store(db, to):
    """A store and the records file beside it (docs/GRAPH.md), copied."""
    shutil.copyfile(db, to)
    shutil.copyfile(f"{db}.records", f"{to}.records")


def working_copy(built, tmp_path):
    """The built folder and its store copied into tmp_path, to change without touching the fixture's."""
    pages, db, _ = built
    work = tmp_path / "pages"
    shutil.copytree(pages, work)
    store_copy = tmp_path / "kg.db"
    copy_store(db, store_copy)
    return work, store_copy


def test_changed_page_is_the_only_one_read_and_the_store_equals_a_fresh_build(built, tmp_path):
    work, store_copy = working_copy(built, tmp_path)
    (work / "quanzhou.txt").write_text(page("泉州", "福建省", "周六助农日", "6.1", "刺桐贷"), encoding="utf-8")
    result = build(work, "--db", store_copy)
    assert result.exit_code == 0, result.output
    assert "extracted 1 page (" in result.stdout and "; 2 unchanged" in result.stdout
    assert "1 document replaced or added" in result.stdout
    fresh = tmp_path / "fresh.db"
    assert build(work, "--db", fresh, "--quiet").exit_code == 0
    assert content(store_copy) == content(fresh)
    assert store.counts(store_copy) == store.counts(fresh)


@pytest.mark.parametrize("amount", ["9.1", "19.15"], ids=["same length", "longer"])
def test_a_corrected_page_keeps_the_mentions_it_still_has(built, tmp_path, monkeypatch, amount):
    """A figure corrected in place, of the same length or longer (every later offset moves):
    the page's mentions and facts stay where they are and only their sentence and offsets
    change — deleting an edge costs the closing checkpoint a rewrite of its whole table —
    and the store equals a fresh build."""
    from kg.graph import store_write

    work, store_copy = working_copy(built, tmp_path)
    (work / "wenzhou.txt").write_text(page(amount=amount), encoding="utf-8")
    ran = []
    real = store_write._exec
    monkeypatch.setattr(store_write, "_exec", lambda conn, stmt, params=None: (ran.append(stmt),
                                                                               real(conn, stmt, params))[1])
    result = build(work, "--db", store_copy)
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert not [s for s in ran if "DELETE" in s and "Metric" not in s and "Document" not in s]
    assert [s for s in ran if "MENTIONED_IN" in s and " SET " in s]
    fresh = tmp_path / "fresh.db"
    assert build(work, "--db", fresh, "--quiet").exit_code == 0
    assert content(store_copy) == content(fresh)


def test_a_page_gone_stays_until_prune(built, tmp_path):
    work, store_copy = working_copy(built, tmp_path)
    (work / "quanzhou.txt").unlink()
    assert build(work, "--db", store_copy).exit_code == 0
    assert "quanzhou.txt" in docs(store_copy)
    result = build(work, "--db", store_copy, "--prune")
    assert result.exit_code == 0, result.output
    assert "1 document removed" in result.stdout
    assert docs(store_copy) == ["2023/wenzhou.txt", "wenzhou.txt"]
    fresh = tmp_path / "fresh.db"
    assert build(work, "--db", fresh, "--quiet").exit_code == 0
    assert content(store_copy) == content(fresh)


NOTHING_TO_READ = """
import sys
from kg.cli import main
try:
    main(sys.argv[1:], prog_name="kg")
except SystemExit as exc:
    assert not exc.code, exc.code
print("loaded:", ",".join(m for m in ("spacy", "networkx") if m in sys.modules), file=sys.stderr)
"""


def test_a_rebuild_with_no_page_to_read_does_not_load_spacy(built, tmp_path):
    """Pages unchanged or gone: the pipeline is never built (spaCy not even imported), so such a
    rebuild costs what the store's update costs."""
    import subprocess
    import sys

    work, store_copy = working_copy(built, tmp_path)
    (work / "quanzhou.txt").unlink()
    done = subprocess.run([sys.executable, "-c", NOTHING_TO_READ, "build", str(work), "--db", str(store_copy),
                           "--prune"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "extracted nothing: 2 pages unchanged" in done.stdout and "1 document removed" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "loaded:", done.stderr
    assert docs(store_copy) == ["2023/wenzhou.txt", "wenzhou.txt"]


def test_a_page_turned_unreadable_keeps_its_last_good_facts(built, tmp_path):
    work, store_copy = working_copy(built, tmp_path)
    before = dump(store_copy)
    (work / "quanzhou.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02" * 20)
    result = build(work, "--db", store_copy)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"warning: {work / 'quanzhou.txt'}: binary file (PDF), not text",
        f"warning: {work / 'quanzhou.txt'}: keeping the facts stored from its last good read "
        f"(--replace-unreadable drops them)"]
    assert dump(store_copy) == before
    result = build(work, "--db", store_copy, "--replace-unreadable")
    assert result.exit_code == 0, result.output
    _, rows = store.run_query(store_copy, "MATCH (d:Document {name: 'quanzhou.txt'}) RETURN d.skipped")
    assert rows == [["binary file (PDF), not text"]]
    _, rows = store.run_query(store_copy, "MATCH (p:Product) RETURN p.name ORDER BY p.name")
    assert rows == [["瓯江惠农贷"]]


def test_a_changed_extractor_reads_every_page_again(built, tmp_path, monkeypatch):
    pages, db, _ = built
    store_copy = tmp_path / "kg.db"
    copy_store(db, store_copy)
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    with open(config / "titles.txt", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the fingerprint, not the facts\n")
    monkeypatch.setenv("KG_CONFIG_DIR", str(config))
    from kg.nlp.fingerprint import pipeline_fingerprint

    pipeline_fingerprint.cache_clear()
    try:
        result = build(pages, "--db", store_copy)
        again = build(pages, "--db", store_copy)
    finally:
        pipeline_fingerprint.cache_clear()
    assert result.exit_code == 0, result.output
    assert "extracted 3 pages (" in result.stdout
    old = {d: s["fingerprint"] for d, s in store.stored_documents(db).items()}
    new = {d: s["fingerprint"] for d, s in store.stored_documents(store_copy).items()}
    assert old.keys() == new.keys() and not set(old.values()) & set(new.values())
    assert "extracted nothing: 3 pages unchanged" in again.stdout
    assert dump(store_copy) == dump(db)  # the same facts: only the fingerprints changed


def test_two_folders_giving_one_name_are_refused(tmp_path):
    write_pages(tmp_path / "a", {"page1.txt": page()})
    write_pages(tmp_path / "b", {"page1.txt": page("泉州", "福建省")})
    result = build(tmp_path / "a", tmp_path / "b", "--db", tmp_path / "kg.db")
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'b' / 'page1.txt'}: has the same document name 'page1.txt' as "
                             f"{tmp_path / 'a' / 'page1.txt'}; give the folder that holds both instead\n")
    assert not (tmp_path / "kg.db").exists()
    ok = build(tmp_path, "--db", tmp_path / "kg.db", "--quiet")  # their common folder
    assert ok.exit_code == 0, ok.output
    assert docs(tmp_path / "kg.db") == ["a/page1.txt", "b/page1.txt"]


def test_nothing_readable_exits_1_like_extract(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = build(empty, "--db", tmp_path / "kg.db")
    assert (result.exit_code, result.stderr) == (1, "No input files found (folders are searched for *.txt and *.pdf).\n")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"")
    (bad / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    result = build(bad, "--db", tmp_path / "kg.db")
    assert result.exit_code == 1
    assert "Read 0 of 2 files; skipped 2." in result.stderr.splitlines()
    assert result.stdout.splitlines()[0] == f"{tmp_path / 'kg.db'}: 2 documents (2 skipped)"


def test_one_document_is_singular(tmp_path):
    write_pages(tmp_path / "one", {"p.txt": page()})
    result = build(tmp_path / "one", "--db", tmp_path / "kg.db")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{tmp_path / 'kg.db'}: 1 document"
    assert "extracted 1 page (" in result.stdout and "1 document replaced or added" in result.stdout


# --- issue 14: the graph says each fact once -----------------------------------------

REPEATED = {f"{'issue-2/' if i == 3 else ''}copy{i}.txt": page() for i in range(4)}
REPEATED["other.txt"] = page("泉州", "福建省", "周五助农日", "5.4", "刺桐贷")


@pytest.fixture(scope="module")
def repeated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("repeated")
    db = tmp / "kg.db"
    assert build(write_pages(tmp / "pages", REPEATED), "--db", db, "--quiet").exit_code == 0
    return db


def readme_query(n: int) -> tuple[str, dict]:
    """README query n (1-5), as the README gives it, with its parameters."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Five questions in Cypher", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.startswith("kg query")]
    import shlex

    argv = shlex.split(lines[n - 1].replace("\\$", "$"))
    params = {}
    for i, arg in enumerate(argv):
        if arg == "--param":
            name, value = argv[i + 1].split("=", 1)
            params[name] = value
    return argv[2], params


def test_readme_queries_give_each_fact_once(repeated):
    q1, p1 = readme_query(1)
    _, rows = store.run_query(repeated, q1, p1)
    assert len(rows) == len({tuple(r) for r in rows}) == 2  # 温州 and 泉州 each run one programme
    q2, p2 = readme_query(2)
    _, rows = store.run_query(repeated, q2, p2)
    assert len(rows) == len({tuple(r) for r in rows}) == 2
    _, rows = store.run_query(repeated, "MATCH (b:Branch)-[r:RUNS]->(p:Program {name: '周四惠农日'}) "
                                        "RETURN r.count, size(r.docs), size(r.sentences)")
    assert rows == [[4, 4, 1]]


def test_a_figure_is_one_metric_with_all_its_sources(repeated):
    _, rows = store.run_query(repeated, "MATCH (m:Metric {name: '新增余额', value_text: '860000000'}) "
                                        "RETURN m.count, m.docs")
    assert rows == [[4, ["copy0.txt", "copy1.txt", "copy2.txt", "issue-2/copy3.txt"]]]


def test_lookup_card_shows_each_figure_once(repeated):
    result = CliRunner().invoke(main, ["lookup", "浙江省温州市邮政分公司", "--db", str(repeated)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(1 for line in lines if line.startswith("  新增余额: ")) == 1
    assert "      (read 4 times in 4 documents)" in lines
    data = json.loads(CliRunner().invoke(main, ["lookup", "浙江省温州市邮政分公司", "--db", str(repeated),
                                                "--json"]).output)
    assert [m["count"] for m in data["match"]["metrics"]] == [4, 4]


def test_every_pages_head_office_is_one_node(repeated):
    _, rows = store.run_query(repeated, "MATCH (b:Branch) WHERE b.name CONTAINS '总行' RETURN b.key, size(b.docs)")
    assert rows == [["branch:邮储银行总行", 5]]


def test_a_second_kg_build_on_one_store_stops_with_one_line(tmp_path):
    import subprocess
    import sys

    write_pages(tmp_path / "p", {"p.txt": page()})
    db = tmp_path / "kg.db"
    with store.build_lock(db):
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build", str(tmp_path / "p"),
                               "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr == (f"Error: another build is writing {db} (pid {os.getpid()}); "
                           f"run this one when it has finished\n")
    assert not db.exists()


def test_a_pdf_is_its_pages_and_an_unchanged_pdf_is_not_read_again(tmp_path):
    """A PDF's pages are documents `path#pN` under the folder given; rebuilt unchanged, none is
    read again; changed to fewer pages, its pages gone leave with it."""
    import pdfgen

    folder = tmp_path / "pdfs"
    (folder / "2023").mkdir(parents=True)
    pdfgen.draw_pdf(folder / "2023" / "issue.pdf", [pdfgen.sample_stories(), pdfgen.sample_stories()])
    db = tmp_path / "kg.db"
    first = build(folder, "--db", db)
    assert first.exit_code == 0, first.output
    assert docs(db) == ["2023/issue.pdf#p1", "2023/issue.pdf#p2"]
    again = build(folder, "--db", db)
    assert again.exit_code == 0, again.output
    assert "extracted nothing: 2 pages unchanged" in again.stdout
    pdfgen.draw_pdf(folder / "2023" / "issue.pdf", [pdfgen.sample_stories()])
    third = build(folder, "--db", db)
    assert third.exit_code == 0, third.output
    assert docs(db) == ["2023/issue.pdf#p1"]
