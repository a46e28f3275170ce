"""The embedded LadybugDB store (a real database in a temp folder) and `kg build` / `kg query`."""
from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.graph import store, store_write
from kg.cli import main
from kg.graph.model import EDGE_PROPS, ENDPOINTS, build_graph, graph_counts
from kg.nlp.records import read_records, write_records
from kg.graph.store import StoreError

FIXTURE = Path(__file__).parent / "fixtures" / "records.jsonl"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def records():
    return read_records(FIXTURE)


@pytest.fixture
def db(tmp_path, records):
    path = tmp_path / "kg.db"
    store.build_store(records, path)
    return path


def changed_a(records):
    """a.txt edited: its program renamed, its person gone, a new sha1."""
    a = copy.deepcopy(records[0])
    a["sha1"] = "3" * 40
    program = next(e for e in a["entities"] if e["label"] == "PROGRAM")
    program["name"] = program["qualified"] = "周四会员日"
    program["aliases"] = ["周四会员日"]
    for r in a["relations"]:
        if r["tail"]["id"] == program["id"]:
            r["tail"]["name"] = "周四会员日"
    a["entities"] = [e for e in a["entities"] if e["label"] != "PERSON"]
    a["relations"] = [r for r in a["relations"] if r["type"] != "WORKS_AT"]
    a["metrics"] = [m for m in a["metrics"] if m["subject"]["id"] != program["id"]]
    return a


def test_stored_counts_match_the_graph(db, records):
    expected = graph_counts(build_graph(records))
    assert store.counts(db) == expected
    assert expected["nodes"]["Branch"] == 4 and expected["edges"]["MENTIONED_IN"] == 11


def test_build_returns_counts_and_timing(tmp_path, records):
    result = store.build_store(records, tmp_path / "kg.db")
    assert result["documents"] == 3 and result["skipped"] == 1
    assert result["rows"] == 18 + 22  # every node and edge of the fixture graph
    assert result["seconds"] > 0


def test_building_twice_gives_identical_counts_and_leaves_the_store_and_its_records(db, records):
    first = store.counts(db)
    store.build_store(records, db)
    assert store.counts(db) == first
    assert sorted(os.listdir(db.parent)) == ["kg.db", "kg.db.records"]


def test_stored_records_rebuild_the_same_graph(db, records):
    assert store.read_records(db) == sorted(records, key=lambda r: r["doc"])
    g1, g2 = store.load_graph(db), build_graph(records)
    assert dict(g1.nodes(data=True)) == dict(g2.nodes(data=True))
    assert sorted(g1.edges(keys=True, data="type")) == sorted(g2.edges(keys=True, data="type"))


def test_changed_document_replaces_its_facts_with_nothing_stale(db, records):
    new_a = changed_a(records)
    store.build_store([new_a], db)
    expected = build_graph([new_a, *records[1:]])
    assert store.counts(db) == graph_counts(expected)
    _, rows = store.run_query(db, "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN p.name ORDER BY p.name")
    assert rows == [["周四会员日"], ["品味家乡味"]]
    _, rows = store.run_query(db, "MATCH (p:Person) RETURN count(p)")
    assert rows == [[0]]
    _, rows = store.run_query(db, "MATCH (d:Document {name: 'a.txt'}) RETURN d.sha1")
    assert rows == [["3" * 40]]


def test_builds_add_documents_to_what_is_stored(tmp_path, records):
    path = tmp_path / "kg.db"
    store.build_store(records[:1], path)
    store.build_store(records[1:], path)
    assert [r["doc"] for r in store.read_records(path)] == ["a.txt", "b.txt", "broken.txt"]
    assert store.counts(path) == graph_counts(build_graph(records))


def dump(db):
    """Every node and edge of a store with all its properties, comparable between stores."""
    nodes = sorted((label, key, sorted((k, repr(v)) for k, v in props.items()))
                   for _, label, key, props in store.iter_nodes(db))
    edges = sorted((t, a, b, k, sorted((x, repr(v)) for x, v in props.items()))
                   for t, a, b, k, props in store.iter_edges(db))
    return nodes, edges


def force_fresh(monkeypatch):
    """Make every build on an existing store write a fresh one instead of updating in place."""
    monkeypatch.setattr(store_write, "IN_PLACE_SHARE", 0.0)
    monkeypatch.setattr(store_write, "IN_PLACE_FLOOR", 0)


@pytest.mark.parametrize("how", ["in place", "fresh"])
def test_failed_build_leaves_the_old_store(db, records, monkeypatch, how):
    before = dump(db)
    real = store_write._copy

    def boom(conn, table, source, pair=None):
        if table == "MENTIONED_IN":  # after the old rows went and some new ones came
            raise RuntimeError("disk on fire")
        return real(conn, table, source, pair)

    monkeypatch.setattr(store_write, "_copy", boom)
    if how == "fresh":
        force_fresh(monkeypatch)
    with pytest.raises(StoreError, match=r"kg.db: cannot (write|update) the (new )?database \(disk on fire\)$"):
        store.build_store([changed_a(records)], db)
    monkeypatch.undo()
    assert dump(db) == before
    assert sorted(os.listdir(db.parent)) == ["kg.db", "kg.db.records"]


@pytest.mark.parametrize("how", ["in place", "fresh"])
def test_changed_document_equals_a_fresh_build(db, records, tmp_path, monkeypatch, how):
    if how == "fresh":
        force_fresh(monkeypatch)
    result = store.build_store([changed_a(records)], db)
    assert (result["changed"], result["rows"] > 0) == (1, True)
    fresh = tmp_path / "fresh" / "kg.db"
    store.build_store([changed_a(records), *records[1:]], fresh)
    assert dump(db) == dump(fresh)


def corrected_figure(records, digit):
    """records[0] reprinted with its first figure corrected (a new sha1 of `digit`s)."""
    a = copy.deepcopy(records[0])
    a["sha1"] = digit * 40
    figure = a["metrics"][0]
    figure["value"], figure["value_text"] = 5786000000, "5786000000"
    return a


def recording(monkeypatch) -> list:
    """The (statement, parameters) store_write runs from now on, in order."""
    ran = []
    real = store_write._exec
    monkeypatch.setattr(store_write, "_exec", lambda conn, stmt, params=None: (ran.append((stmt, params)),
                                                                               real(conn, stmt, params))[1])
    return ran


def assert_equals_fresh(db, records, tmp_path):
    fresh = tmp_path / "fresh" / "kg.db"
    store.build_store(records, fresh)
    assert dump(db) == dump(fresh)


def test_a_corrected_figure_is_written_without_merging_every_documents_entities_again(db, records, tmp_path,
                                                                                     monkeypatch):
    """A reprint that names the same entities (one figure corrected): the stored merge stands,
    so no other document's entities are read and merged again (work that grew with the
    store); what is stored equals a fresh build."""
    from kg.graph import facts

    a = corrected_figure(records, "5")

    def refuse(summaries):
        raise AssertionError("every document's entities were merged again")

    monkeypatch.setattr(facts, "resolve", refuse)
    result = store.build_store([a], db)
    monkeypatch.undo()
    assert (result["changed"], result["rows"] > 0) == (1, True)
    assert_equals_fresh(db, [a, *records[1:]], tmp_path)
    _, rows = store.run_query(db, "MATCH (m:Metric {name: '新增余额'}) RETURN m.value_text")
    assert rows == [["5786000000"]]


def test_a_corrected_figure_leaves_the_pages_other_facts_and_figures_in_place(db, records, tmp_path, monkeypatch):
    """Only the figure that changed goes and comes back: the page's facts and its other
    figures are stored exactly as they would be, so no statement touches their tables
    (each table touched costs the closing checkpoint a rewrite of it), and the Document
    stays, only what differs set."""
    a = corrected_figure(records, "7")
    ran = recording(monkeypatch)
    store.build_store([a], db)
    monkeypatch.undo()
    deleted = [(stmt.split("`")[1], len(params["keys"])) for stmt, params in ran if "DELETE" in stmt]
    assert deleted == [("Metric", 1)]
    created = {re.search(r"CREATE \S*?:`(\w+)`", stmt).group(1) for stmt, _ in ran if " CREATE " in stmt}
    assert sorted(created) == ["Metric", "REPORTED"]
    document_set = [stmt for stmt, _ in ran if "(n:`Document`" in stmt and " SET " in stmt]
    assert len(document_set) == 1 and "entities" not in document_set[0]  # its digest and sha1, not its lists
    assert_equals_fresh(db, [a, *records[1:]], tmp_path)


def test_mentions_stored_one_way_still_answer_from_their_article(db):
    """Mentions are written in their own direction only (half the writing); a query that
    walks them back from an Article still gets every one of them."""
    from kg.graph import cypher

    ddl = cypher.ladybug_schema(store.STORE_PROPS, EDGE_PROPS, ENDPOINTS, store.ONE_WAY_EDGES)
    assert [s for s in ddl if "storage_direction" in s] == [s for s in ddl if "REL TABLE `MENTIONED_IN`" in s]
    _, ahead = store.run_query(db, "MATCH (e)-[m:MENTIONED_IN]->(a:Article) RETURN a.key, e.key, m.key ORDER BY m.key")
    _, back = store.run_query(db, "MATCH (a:Article)<-[m:MENTIONED_IN]-(e) RETURN a.key, e.key, m.key ORDER BY m.key")
    assert len(ahead) > 10 and back == ahead


def test_a_retitled_article_and_a_reworded_sentence_change_rows_in_place(db, records, tmp_path, monkeypatch):
    """What a corrected page keeps stays: its Article takes the new title and the mention
    its new sentence, neither is deleted (a deleted mention costs the closing checkpoint a
    rewrite of the whole mentions table); the store equals a fresh build."""
    a = copy.deepcopy(records[0])
    a["sha1"] = "6" * 40
    a["articles"][1]["title"] = "山东邮银构建“三医服务”新体系"
    mention = a["entities"][0]["mentions"][0]
    mention["sentence"] = mention["sentence"].replace("创历史新高", "创下新高")
    recorded = recording(monkeypatch)
    store.build_store([a], db)
    monkeypatch.undo()
    ran = [stmt for stmt, _ in recorded]
    assert not [s for s in ran if "DELETE" in s and ("MENTIONED_IN" in s or "Article" in s)]
    assert len([s for s in ran if " SET " in s and ("MENTIONED_IN" in s or "(n:`Article`" in s)]) == 2
    assert_equals_fresh(db, [a, *records[1:]], tmp_path)
    _, rows = store.run_query(db, "MATCH (x:Article {key: 'art:a.txt#1'}) RETURN x.title")
    assert rows == [["山东邮银构建“三医服务”新体系"]]


def test_a_store_grown_by_updates_is_written_afresh(db, records, tmp_path, monkeypatch):
    """LadybugDB does not reuse the space of a table an update grew: a store keeps the size it
    was written at, and the build that finds it grown past STORE_GROWTH times that writes it
    afresh from its records, which gives what a fresh build gives."""
    with store._connect(db, read_only=True) as conn:
        written_at = store._Layout(conn, db).fresh_bytes
    assert 0 < written_at <= db.stat().st_size
    said = []
    store.build_store([changed_a(records)], db, progress=said.append)
    assert not [m for m in said if "afresh" in m]  # one update: in place
    monkeypatch.setattr(store_write, "STORE_GROWTH", written_at / db.stat().st_size / 2)
    a = copy.deepcopy(records[0])
    a["sha1"] = "7" * 40
    store.build_store([a], db, progress=said.append)
    assert [m for m in said if m.startswith("updates have grown the store from ")
            and m.endswith(": writing it afresh")]
    fresh = tmp_path / "fresh" / "kg.db"
    store.build_store([a, *records[1:]], fresh)
    assert dump(db) == dump(fresh)
    # the records kept in the file were not written again, and are all still there
    assert kept_digests(db) == named_digests(db) and len(store.read_records(db)) == 3


def kept_keys(db, table: str, column: str):
    """The keys a table of the records file beside a store holds."""
    import sqlite3

    conn = sqlite3.connect(f"{db}.records")
    try:
        return sorted(row[0] for row in conn.execute(f"SELECT {column} FROM {table}"))
    finally:
        conn.close()


def named_keys(db, prop: str):
    """What the store's Documents name of the records file."""
    return sorted(row[0] for row in store.run_query(db, f"MATCH (d:Document) RETURN d.{prop}")[1])


def kept_digests(db):
    return kept_keys(db, "records", "digest")


def named_digests(db):
    return named_keys(db, "digest")


def test_records_are_kept_beside_the_store_and_only_those_it_names(db, records):
    """A store's records live in kg.db.records under their digests (a table of records in
    LadybugDB grew the file at every update); a replaced record is forgotten once the store
    no longer names it."""
    assert len(kept_digests(db)) == 3 and kept_digests(db) == named_digests(db)
    before = kept_digests(db)
    store.build_store([changed_a(records)], db)
    assert kept_digests(db) == named_digests(db) != before
    assert [r["sha1"] for r in store.read_records(db)][0] == "3" * 40


def test_a_failed_build_leaves_records_nobody_names_that_the_next_one_removes(db, records, monkeypatch):
    real = store_write._exec

    def boom(conn, stmt, params=None):
        if stmt == "COMMIT":
            raise RuntimeError("disk on fire")
        return real(conn, stmt, params)

    monkeypatch.setattr(store_write, "_exec", boom)
    with pytest.raises(StoreError):
        store.build_store([changed_a(records)], db)
    monkeypatch.undo()
    assert len(kept_digests(db)) == 4 and set(named_digests(db)) < set(kept_digests(db))
    assert store.read_records(db) == sorted(records, key=lambda r: r["doc"])  # the old store reads as it was
    store.build_store([changed_a(records)], db)
    assert kept_digests(db) == named_digests(db)


def test_a_store_without_its_records_file_says_so_in_one_line(db, records, tmp_path, monkeypatch):
    os.remove(f"{db}.records")
    with pytest.raises(StoreError, match=r"kg.db: the stored record of a.txt is missing from .*kg.db.records; "
                                         r"rebuild from the pages$"):
        store.read_records(db)
    before = dump(db)
    force_fresh(monkeypatch)  # a build that writes the store afresh needs the records it keeps
    changed = tmp_path / "changed.jsonl"
    write_records([changed_a(records)], changed)
    result = CliRunner().invoke(main, ["build", str(changed), "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].endswith(
        "kg.db: the stored record of b.txt is missing from " f"{db}.records; rebuild from the pages")
    assert dump(db) == before
    monkeypatch.undo()
    # every page given again (here their records): the store is written afresh, records and all
    result = CliRunner().invoke(main, ["build", str(FIXTURE), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert dump(db) == before and kept_digests(db) == named_digests(db)


def kept_entity_lists(db):
    return kept_keys(db, "entity_lists", "id")


def named_entity_lists(db):
    return named_keys(db, "entity_lists")


def test_entity_lists_are_kept_beside_the_store_and_only_those_it_names(db, records):
    """The Documents' entity lists (what an update resolves entities from) live in the records
    file, not in the Document table, whose COPY they made grow with the corpus."""
    columns = {row[1] for row in store.run_query(db, "CALL TABLE_INFO('Document') RETURN *")[1]}
    assert "entity_lists" in columns and not columns & {"entities", "entity_keys"}
    assert len(named_entity_lists(db)) == 3 and kept_entity_lists(db) == named_entity_lists(db)
    before = kept_entity_lists(db)
    store.build_store([changed_a(records)], db)  # in place: a.txt names other entities now
    assert kept_entity_lists(db) == named_entity_lists(db) != before


def a_changed_as_a_fresh_build(db, records, tmp_path) -> bool:
    """Whether a.txt changed, built onto the store at db, leaves what a fresh build of the same pages holds."""
    store.build_store([changed_a(records)], db)
    fresh = tmp_path / "fresh.db"
    store.build_store([changed_a(records), *records[1:]], fresh)
    return dump(db) == dump(fresh)


def test_an_update_whose_entity_lists_are_gone_writes_the_store_afresh(db, records, tmp_path):
    import sqlite3

    conn = sqlite3.connect(f"{db}.records")
    conn.execute("DELETE FROM entity_lists")
    conn.commit()
    conn.close()
    assert a_changed_as_a_fresh_build(db, records, tmp_path)
    assert kept_entity_lists(db) == named_entity_lists(db) and len(named_entity_lists(db)) == 3


def test_a_store_of_the_previous_layout_is_written_afresh_from_its_records_file(db, records, tmp_path):
    """A store whose tables kg lays out otherwise now (its Document table's comment names
    another layout) but whose records are beside it is written afresh from them once."""
    import ladybug

    conn_db = ladybug.Database(str(db))
    conn = ladybug.Connection(conn_db)
    conn.execute("COMMENT ON TABLE Document IS 'kg store 000000000000'")
    conn.close()
    conn_db.close()
    assert a_changed_as_a_fresh_build(db, records, tmp_path)
    assert kept_digests(db) == named_digests(db)


def test_copies_in_sessions_of_their_own_write_the_same_store(db, records, tmp_path, monkeypatch):
    """A fresh build closes the database between sessions of COPYs (LadybugDB holds what
    each COPY took until it closes); with no room for two COPYs in a session, every COPY
    has a database opened for it alone, and the store is the same."""
    opened = []
    real = store_write._connect

    def counted(path, **kw):
        opened.append(path)
        return real(path, **kw)

    shared = store_write.SESSION_BYTES
    monkeypatch.setattr(store_write, "_connect", counted)
    monkeypatch.setattr(store_write, "SESSION_BYTES", 0)
    alone = tmp_path / "alone.db"
    store.build_store(records, alone)
    each = len(opened)
    monkeypatch.setattr(store_write, "SESSION_BYTES", shared)
    opened.clear()
    store.build_store(records, tmp_path / "shared.db")
    assert dump(alone) == dump(db) == dump(tmp_path / "shared.db")
    assert 1 < len(opened) < each and each > 10


def test_a_store_of_the_older_layout_moves_its_records_beside_it(tmp_path, records):
    """Stores written before records moved out kept them in the Document table: a build reads
    them from there once, writes the store afresh and the records beside it."""
    import ladybug

    from kg.graph.store_write import _Entry

    db = tmp_path / "kg.db"
    conn_db = ladybug.Database(str(db))
    conn = ladybug.Connection(conn_db)
    conn.execute("CREATE NODE TABLE Document(key STRING PRIMARY KEY, name STRING, record BLOB)")
    conn.execute("COMMENT ON TABLE Document IS 'kg store 000000000000'")
    for r in records[1:]:
        conn.execute("CREATE (:Document {key: $k, name: $n, record: $b})",
                     {"k": f"doc:{r['doc']}", "n": r["doc"], "b": _Entry(r).packed()})
    conn.close()
    conn_db.close()
    store.build_store(records[:1], db)
    assert store.read_records(db) == sorted(records, key=lambda r: r["doc"])
    assert kept_digests(db) == named_digests(db) and len(named_digests(db)) == 3
    assert store.counts(db) == graph_counts(build_graph(records))


def test_unchanged_records_write_nothing(db, records):
    before = dump(db)
    result = store.build_store(records, db)
    assert (result["rows"], result["changed"]) == (0, 0)
    assert dump(db) == before


def test_removed_document_leaves_what_a_build_without_it_has(db, records, tmp_path):
    result = store.build_store([], db, remove=["b.txt"])
    assert result["removed"] == 1
    fresh = tmp_path / "fresh" / "kg.db"
    store.build_store([records[0], records[2]], fresh)
    assert dump(db) == dump(fresh)
    assert store.counts(db)["nodes"]["Document"] == 2


def test_a_new_page_that_merges_two_nodes_moves_the_facts_of_both(tmp_path):
    """A page giving a branch's full name and its short one joins two other pages' nodes:
    their facts move to the merged node, in place, as a fresh build has them."""
    from test_graph import ent, record, rel

    short = ent(0, "BRANCH", "高新区支行", qualified="邮储银行成都市高新区支行", region=["四川省", "成都市"])
    full = ent(0, "BRANCH", "中国邮政储蓄银行成都市高新区支行", region=["四川省", "成都市"])
    program = ent(1, "PROGRAM", "乡村振兴贷")
    both = ent(0, "BRANCH", "中国邮政储蓄银行成都市高新区支行", region=["四川省", "成都市"],
               aliases=["中国邮政储蓄银行成都市高新区支行", "高新区支行"])
    pages = [record("p1.txt", [short, program], [rel("RUNS", short, program)]),
             record("p2.txt", [full, program], [rel("RUNS", full, program, start=9)]),
             record("p3.txt", [both])]
    db = tmp_path / "kg.db"
    store.build_store(pages[:2], db)
    assert store.counts(db)["edges"]["RUNS"] == 2
    result = store.build_store(pages[2:], db)
    assert result["changed"] == 1
    fresh = tmp_path / "fresh.db"
    store.build_store(pages, fresh)
    assert dump(db) == dump(fresh)
    _, rows = store.run_query(db, "MATCH (b:Branch)-[r:RUNS]->(:Program) RETURN b.name, r.docs, r.count")
    assert rows == [["中国邮政储蓄银行成都市高新区支行", ["p1.txt", "p2.txt"], 2]]


LOCKED_BUILD = """
import sys
from kg.graph import store
from kg.nlp.records import read_records
try:
    store.build_store(read_records(sys.argv[1]), sys.argv[2])
except store.StoreBusy as exc:
    print(exc)
"""


def test_a_second_build_on_the_same_store_is_refused(db, records):
    with store.build_lock(db):
        probe = subprocess.run([sys.executable, "-c", LOCKED_BUILD, str(FIXTURE), str(db)],
                               capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == (f"another build is writing {db} (pid {os.getpid()}); "
                                    f"run this one when it has finished")
    store.build_store([changed_a(records)], db)  # released: builds go on
    assert not Path(f"{db}.build-lock").exists()


KILLED_BUILD = """
import sys, time
from kg.graph import store, store_write
from kg.nlp.records import read_records
real = store_write._exec
def slow(conn, stmt, params=None):
    if stmt == "COMMIT":  # the rows changed (in place) or the first tables written (fresh), not committed
        print("writing", flush=True)
        time.sleep(60)
    return real(conn, stmt, params)
store_write._exec = slow
if sys.argv[3] == "fresh":
    store_write.IN_PLACE_SHARE = 0.0
    store_write.IN_PLACE_FLOOR = 0
a = read_records(sys.argv[1])[0]
a["sha1"] = "4" * 40
a["entities"] = [e for e in a["entities"] if e["label"] != "PERSON"]
a["relations"] = [r for r in a["relations"] if r["type"] != "WORKS_AT"]
store.build_store([a], sys.argv[2])
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["in place", "fresh"])
def test_build_killed_midway_leaves_old_store_and_is_cleaned_up(db, records, how):
    before = dump(db)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(FIXTURE), str(db), how],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert dump(db) == before
    store.build_store(records, db)  # the next build goes on, and tidies up
    assert sorted(os.listdir(db.parent)) == ["kg.db", "kg.db.records"]
    assert dump(db) == before


def test_query_refuses_writes_unless_asked(db):
    with pytest.raises(StoreError, match=r"^refusing to run a query with CREATE: .*--write"):
        store.run_query(db, "CREATE (p:Program {key: 'program:x', name: 'x'})")
    with pytest.raises(StoreError, match="DETACH"):
        store.run_query(db, "MATCH (n) DETACH DELETE n")
    # words inside strings and property names are not clauses
    _, rows = store.run_query(db, "MATCH (p:Program) WHERE p.name <> 'CREATE' RETURN count(p)")
    assert rows == [[2]]
    store.run_query(db, "CREATE (p:Program {key: 'program:x', name: 'x'})", write=True)
    assert store.counts(db)["nodes"]["Program"] == 3


def test_query_parameters_and_values(db):
    cols, rows = store.run_query(
        db, "MATCH (b:Branch)-[:REPORTED]->(m:Metric) WHERE m.unit = $unit RETURN b.name AS branch, m.value AS value, m.value_text AS exact",
        {"unit": "元"})
    assert cols == ["branch", "value", "exact"]
    assert rows == [["四川省达州市邮政分公司", 5776000000.0, "5776000000"]]
    _, rows = store.run_query(db, "MATCH (b:Branch {key: $k}) RETURN b.aliases, b.region, b.docs",
                              {"k": "branch:四川省达州市邮政分公司"})
    assert rows == [[["四川省达州市邮政分公司", "达州市分公司"], ["四川省", "达州市"], ["a.txt", "b.txt"]]]


def test_bad_query_and_missing_store_are_one_line_errors(db, tmp_path):
    with pytest.raises(StoreError) as err:
        store.run_query(db, "MATCH (n:Nope) RETURN n")
    assert str(err.value) == "Binder exception: Table Nope does not exist."
    with pytest.raises(StoreError, match=r"nowhere.db: no graph database here; run `kg build` first"):
        store.run_query(tmp_path / "nowhere.db", "MATCH (n) RETURN n")
    assert not (tmp_path / "nowhere.db").exists()


# ------------------------------------------------------------------ CLI


def test_cli_build_prints_summary(tmp_path):
    db = tmp_path / "kg.db"
    result = CliRunner().invoke(main, ["build", str(FIXTURE), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"{db}: 3 documents (1 skipped)",
        "entities: Branch 4, Partner 1, Product 1, Program 2, Person 1",
        "relations: 5 (RUNS 2, OFFERS 1, PARTNERS_WITH 1, WORKS_AT 1)",
        "metrics: 3",
    ]
    assert lines[4].startswith("wrote 40 nodes and edges in ")


def test_cli_build_bad_record_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": "a.txt"}\n{not json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(bad), "--db", str(tmp_path / "kg.db"), "--quiet"])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}:2: not JSON (Expecting property name enclosed in double quotes)\n"
    assert not (tmp_path / "kg.db").exists()


def test_cli_query_table_json_csv(db):
    q = "MATCH (b:Branch)-[:RUNS]->(p:Program) RETURN b.name AS branch, p.name AS program ORDER BY program"
    run = CliRunner().invoke
    table = run(main, ["query", q, "--db", str(db)])
    assert table.exit_code == 0, table.output
    assert table.output == (
        "branch                  program\n"
        "----------------------  ----------\n"
        "四川省达州市邮政分公司  周三会员日\n"
        "四川省达州市邮政分公司  品味家乡味\n"
        "(2 rows)\n")
    as_json = run(main, ["query", q, "--db", str(db), "--format", "json"])
    assert json.loads(as_json.output) == [{"branch": "四川省达州市邮政分公司", "program": "周三会员日"},
                                          {"branch": "四川省达州市邮政分公司", "program": "品味家乡味"}]
    as_csv = run(main, ["query", q, "--db", str(db), "--format", "csv"])
    assert as_csv.output == "branch,program\n四川省达州市邮政分公司,周三会员日\n四川省达州市邮政分公司,品味家乡味\n"


def test_cli_query_params_are_json_or_text(db):
    q = "MATCH (m:Metric) WHERE m.unit = $unit AND m.value > $min RETURN m.name AS name"
    result = CliRunner().invoke(main, ["query", q, "--db", str(db), "--param", "unit=%",
                                       "--param", "min=40", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output == "name\n绿色贷款占比\n"
    bad = CliRunner().invoke(main, ["query", q, "--db", str(db), "--param", "unit"])
    assert bad.exit_code == 2 and "'unit' is not NAME=VALUE" in bad.output


def test_cli_query_errors(db, tmp_path):
    run = CliRunner().invoke
    refused = run(main, ["query", "MATCH (n) DELETE n", "--db", str(db)])
    assert (refused.exit_code, refused.output) == (
        1, "Error: refusing to run a query with DELETE: the store is read-only unless --write is given\n")
    bad = run(main, ["query", "MATCH (n:Nope) RETURN n", "--db", str(db)])
    assert (bad.exit_code, bad.output) == (1, "Error: Binder exception: Table Nope does not exist.\n")
    missing = run(main, ["query", "MATCH (n) RETURN n", "--db", str(tmp_path / "none.db")])
    assert (missing.exit_code, missing.output) == (
        1, f"Error: {tmp_path / 'none.db'}: no graph database here; run `kg build` first\n")


def test_cli_help_has_examples():
    for command in ("build", "query", "export"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_write_records_round_trip(tmp_path, records):
    out = tmp_path / "out.jsonl"
    assert write_records(records, out) == 3
    assert read_records(out) == records


# ------------------------------------------------------------------ Cypher builders


def test_identifiers_are_checked():
    from kg.graph.cypher import create_nodes

    assert create_nodes("Branch", ["name", "end"]) == (
        "UNWIND $rows AS row CREATE (n:`Branch` {`key`: row.`key`, `name`: row.`name`, `end`: row.`end`})")
    with pytest.raises(ValueError):
        create_nodes("Branch) DETACH DELETE (x", ["name"])


def test_merge_statements_upsert_in_ladybug(db):
    """The store-neutral MERGE statements (used by the Neo4j loader) also run on LadybugDB."""
    from kg.graph.cypher import merge_edges, merge_nodes

    rows = [{"key": "program:新", "name": "新活动"}, {"key": "program:周三会员日", "name": "改名"}]
    store.run_query(db, merge_nodes("Program", ["name"]), {"rows": rows}, write=True)
    edge = [{"source": "branch:山东邮银", "target": "program:新", "key": "rel:x", "doc": "x.txt"}]
    for _ in range(2):
        store.run_query(db, merge_edges("RUNS", "Branch", "Program", ["doc"]), {"rows": edge}, write=True)
    _, names = store.run_query(db, "MATCH (p:Program) RETURN p.name ORDER BY p.key")
    assert names == [["改名"], ["品味家乡味"], ["新活动"]]
    _, runs = store.run_query(db, "MATCH (:Branch {key: 'branch:山东邮银'})-[r:RUNS]->(p) RETURN p.name, r.doc")
    assert runs == [["新活动", "x.txt"]]


HOSTILE_NAMES = ["it's", 'say "hi"', "tick`s", "{brace}", "a // b", "line\nbreak",
                 "'}) DETACH DELETE n //", "x\\", "\\'", "MATCH (n) DETACH DELETE n"]


def test_hostile_names_load_verbatim_into_the_embedded_store(tmp_path):
    """Quotes, backticks, braces, comments and Cypher fragments in names are data, never Cypher."""
    sentence = "它们都是名字。"
    entities = [{"id": i, "label": "PARTNER", "name": name, "aliases": [name], "qualified": name, "region": [],
                 "mentions": [{"text": name, "article": 0, "sentence": sentence, "start": 0, "end": 1,
                               "rule": "test"}]}
                for i, name in enumerate(HOSTILE_NAMES)]
    record = {"doc": "hostile.txt", "path": "hostile.txt", "sha1": "9" * 40, "chars": 7,
              "articles": [{"index": 0, "title": "t'}) //", "subtitle": None, "bylines": [], "start": 0, "end": 7}],
              "entities": entities, "relations": [], "metrics": [], "skipped": None}
    db = tmp_path / "kg.db"
    store.build_store([record], db)
    _, rows = store.run_query(db, "MATCH (p:Partner) RETURN p.name ORDER BY p.name")
    assert sorted(r[0] for r in rows) == sorted(HOSTILE_NAMES)
    for name in HOSTILE_NAMES:
        _, rows = store.run_query(db, "MATCH (p:Partner) WHERE p.name = $name RETURN count(p)", {"name": name})
        assert rows == [[1]], name
    assert store.counts(db)["nodes"]["Document"] == 1  # nothing was deleted by a name
