"""The read-only guard of `kg query` (kg/graph/guard.py) against a real LadybugDB store.

Every bypass of issue 17 runs against a real store and must neither write a
file, nor print one, nor wedge the store; generated comment and string
nestings check that what the guard lexes is what LadybugDB runs. The
`--neo4j` side is the same pure function, checked here without a server.
"""
from __future__ import annotations

import itertools
import shutil
import socket

import ladybug
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from kg.cli import main
from kg.graph import guard, store
from kg.graph.guard import QueryRefused, check_query
from kg.graph.neo4j_loader import Neo4jError
from kg.graph.neo4j_query import check_read_only
from kg.graph.store import StoreError

from test_falkordb_loader import records

ENV = {"NEO4J_PASSWORD": "", "NEO4J_URI": None, "NEO4J_DATABASE": None, "NEO4J_USERNAME": None}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard") / "kg.db"
    store.build_store(records(), path)
    return path


@pytest.fixture
def own_db(db, tmp_path):
    path = tmp_path / "kg.db"
    shutil.copy(db, path)
    return path


def bypasses(target, secret):
    """The issue's queries, writing to `target` and reading `secret`."""
    hide = "RETURN 1 AS one /* **/ ' */ ; {} ;// '"
    return [
        hide.format(f"COPY (MATCH (n:Branch) RETURN n.name) TO '{target}'"),
        hide.format(f"LOAD FROM '{secret}' (file_format='csv') RETURN *"),
        hide.format("CHECKPOINT"),
        "UPDATE json", "UNINSTALL json", "INSTALL json", "LOAD EXTENSION json", "LOAD json",
        "CALL threads=1", "CALL current_setting('threads') RETURN *; CHECKPOINT",
        f"COPY (MATCH (n:Branch) RETURN n.name) TO '{target}'",
        f"LOAD FROM '{secret}' (file_format='csv') RETURN *",
        f"MATCH (load:Branch) LOAD WITH HEADERS (a STRING) FROM '{secret}' (file_format='csv') RETURN *",
        f"ATTACH '{target}' AS other (dbtype kuzu)",
        "CHECKPOINT", "EXPORT DATABASE '/tmp/x'", "BEGIN TRANSACTION", "USE other",
        f"RETURN 1 AS one /* a */ ; COPY (RETURN 1) TO '{target}'",
        f"RETURN 1 AS one // x\r COPY (RETURN 1) TO '{target}'",
        f"RETURN 'a\\q' AS one ; COPY (RETURN 1) TO '{target}'",
    ]


def test_every_bypass_is_refused_and_nothing_happens(own_db, tmp_path):
    target, secret = tmp_path / "x.csv", tmp_path / "secret.csv"
    secret.write_text("TOP-SECRET-LINE\n", encoding="utf-8")
    before = store.counts(own_db)
    for query in bypasses(target, secret):
        with pytest.raises(StoreError, match=r"^refusing to run") as info:
            store.run_query(own_db, query)
        assert "\n" not in str(info.value)
        result = CliRunner().invoke(main, ["query", query, "--db", str(own_db)], env=ENV)
        assert result.exit_code == 1 and result.output.startswith("Error: refusing to run"), (query, result.output)
        assert "TOP-SECRET" not in result.output
        assert not target.exists(), query
    # the store is not wedged: a read and a write both still work
    assert store.counts(own_db) == before
    store.run_query(own_db, "CREATE (p:Program {key: 'program:x', name: 'x'})", write=True)
    assert store.run_query(own_db, "MATCH (p:Program {key: 'program:x'}) RETURN p.name")[1] == [["x"]]


def test_file_and_extension_statements_are_refused_even_with_write(own_db, tmp_path):
    target, secret = tmp_path / "x.csv", tmp_path / "secret.csv"
    secret.write_text("TOP-SECRET-LINE\n", encoding="utf-8")
    for query in bypasses(target, secret):
        with pytest.raises(StoreError, match=r"^refusing to run"):
            store.run_query(own_db, query, write=True)
    assert not target.exists()
    with pytest.raises(StoreError, match=r"^refusing to run a query with LOAD: .*with or without --write"):
        store.run_query(own_db, f"CREATE NODE TABLE T AS LOAD FROM '{secret}' (file_format='csv') RETURN *",
                        write=True)


@pytest.mark.parametrize("query, rows", [
    ("MATCH (copy:Branch) RETURN copy.name AS merge ORDER BY merge LIMIT 1", 1),
    ("MATCH (set:Branch) WITH set MATCH (set)-[:RUNS]->(p) RETURN set.name, p.name", 2),
    ("MATCH (merge:Branch) WHERE merge.name <> $copy RETURN merge.name AS set", 4),
    ("UNWIND [1, 2] AS copy RETURN copy + 1 AS merge ORDER BY merge DESC", 2),
    ("MATCH (b:Branch) RETURN CASE WHEN b.name IS NULL THEN 'set' ELSE 'copy' END AS load LIMIT 1", 1),
    ("MATCH (b:Branch) RETURN {merge: b.name, copy: 1}.merge AS x LIMIT 1", 1),
    ("MATCH (n:Metric) RETURN n.`rank`, n.`end` LIMIT 1 // a comment: COPY, LOAD, CHECKPOINT", 1),
    ("/* set, merge and copy */ MATCH (b:Branch) RETURN count(*) AS n;", 1),
    ("CALL show_tables() RETURN name ORDER BY name LIMIT 2", 2),
    ("EXPLAIN MATCH (b:Branch) RETURN b.name", 1),
])
def test_reads_whose_names_spell_keywords_pass(db, query, rows):
    columns, found = store.run_query(db, query, {"copy": "x"} if "$copy" in query else None)
    assert len(found) == rows, (query, found)


def test_write_clauses_need_write(own_db):
    for query, word in [("MATCH (n) SET n.name = 'x'", "SET"), ("MATCH (n) DETACH DELETE n", "DETACH"),
                        ("MERGE (p:Program {key: 'program:y'})", "MERGE"), ("CREATE (p:Program {key: 'k'})", "CREATE"),
                        ("MATCH (n) WITH n CREATE (p:Program {key: 'k'})", "CREATE"), ("DROP TABLE Branch", "DROP")]:
        with pytest.raises(StoreError, match=rf"^refusing to run a query with {word}: the store is read-only"):
            store.run_query(own_db, query)


def test_functions_and_procedures_come_from_the_allow_lists():
    check_query("RETURN toLower('A'), size([1]), label(null), apoc.text.join(['a'], ',')")
    for query, name in [("RETURN nextval('seq')", "nextval"), ("RETURN `nextval`('seq')", "nextval"),
                        ("RETURN apoc.cypher.runFirstColumn('MATCH (n) RETURN n', {})", "apoc.cypher.runFirstColumn"),
                        ("CALL read_csv('/etc/passwd') RETURN *", "read_csv"),
                        ("CALL file_info() RETURN *", "file_info")]:
        with pytest.raises(QueryRefused, match=rf"calls {name}"):
            check_query(query)
    check_query("RETURN nextval('seq')", write=True)
    assert guard.allowed("DB.Labels", guard.READ_PROCEDURES) and guard.allowed("apoc.text.split", guard.READ_FUNCTIONS)
    assert not guard.allowed("apoc.load.json", guard.READ_FUNCTIONS)


# ---- --neo4j: the same guard, before any connection -----------------------------

NEO4J_REFUSED = [
    ("CALL apoc.create.node(['X'], {}) YIELD node RETURN node", "apoc.create.node"),
    ("CALL apoc.export.csv.all('/tmp/all.csv', {})", "apoc.export.csv.all"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", "apoc.periodic.iterate"),
    ("CALL apoc.load.json('file:///etc/passwd') YIELD value RETURN value", "apoc.load.json"),
    ("CALL dbms.setConfigValue('x', 'y')", "dbms.setConfigValue"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS RETURN 1", "DETACH"),
    ("MATCH (n) CALL (n) { SET n.x = 1 } RETURN n", "SET"),
    ("MATCH (n) FOREACH (x IN [1] | CREATE (:X))", "FOREACH"),
    ("INSERT (n:X)", "INSERT"),
    ("USE system SHOW USERS", "USE"),
    ("SHOW USERS", "SHOW"),
    ("CYPHER runtime=slotted MATCH (n) RETURN n", "CYPHER"),
]


@pytest.mark.parametrize("query, word", NEO4J_REFUSED)
def test_neo4j_writers_and_file_readers_are_refused_without_a_server(query, word):
    with pytest.raises(Neo4jError, match=r"^refusing to run") as info:
        check_read_only(query, write=False)
    assert word in str(info.value)


def test_neo4j_cli_refuses_before_connecting():
    with socket.socket() as s:  # a port where nothing listens: a refusal must come first
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(main, ["query", "--uri", f"bolt://127.0.0.1:{port}",
                                       "CALL apoc.export.csv.all('/tmp/all.csv', {})"], env=ENV)
    assert result.exit_code == 1
    assert result.output.startswith("Error: refusing to run a query that calls apoc.export.csv.all"), result.output


def test_neo4j_reads_pass():
    for query in ["CALL db.labels() YIELD label RETURN label", "CALL db.labels",
                  "MATCH (n:Branch) WHERE n.name STARTS WITH $q RETURN n.name AS set, elementId(n) AS copy",
                  "MATCH (n) CALL { WITH n MATCH (n)-->(m) RETURN count(m) AS c } RETURN n, c",
                  "MATCH p = shortestPath((a:Branch)-[*..3]-(b:Partner)) RETURN p",
                  "MATCH (n) RETURN n {.name, .merge} AS m, date.truncate('month', date()) AS d"]:
        check_read_only(query, write=False)


# ---- what the guard lexes is what LadybugDB runs ------------------------------

PIECES = ["/*", "*/", "*", "**/", "/", "//", "'", '"', "`", "\\", "\\'", "\n", "\r", ";", " ", "x"]
PAYLOADS = ["COPY (RETURN 1) TO '{target}'", "RETURN 2 AS two", "CHECKPOINT"]


@pytest.fixture(scope="module")
def lb(db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lex")
    shutil.copy(db, folder / "kg.db")
    database = ladybug.Database(str(folder / "kg.db"), read_only=True)
    conn = ladybug.Connection(database)
    yield conn, folder / "x.csv"
    conn.close()
    database.close()


def agree(lb, noise: str) -> None:
    """If the guard accepts `RETURN 1 AS one <noise>`, LadybugDB runs exactly that one statement."""
    conn, target = lb
    query = "RETURN 1 AS one " + noise.replace("{target}", str(target))
    try:
        check_query(query)
    except QueryRefused:
        return
    try:
        result = conn.execute(query)
    except RuntimeError:
        return  # a parse error: nothing ran
    assert not isinstance(result, list), f"guard passed several statements: {query!r}"
    assert result.get_column_names() == ["one"], query
    assert not target.exists(), query


def test_every_short_nesting_of_comments_and_strings(lb):
    alphabet = PIECES + [" " + p + " " for p in PAYLOADS]
    for n in (1, 2, 3):
        for combo in itertools.product(alphabet, repeat=n):
            agree(lb, "".join(combo))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES + [" " + p + " " for p in PAYLOADS]), max_size=10))
def test_generated_nestings(lb, pieces):
    agree(lb, "".join(pieces))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["'", '"']),
       st.lists(st.sampled_from(["a", "\\\\", "\\'", '\\"', "\\n", "\\t", "\\u0041", "\\U0001F600", "/*", "*/",
                                 "//", "'", '"', ";", "\\", "中", "\\x41", "\\q"]), max_size=8))
def test_strings_read_as_ladybug_reads_them(lb, quote, pieces):
    conn, _ = lb
    literal = quote + "".join(pieces) + quote
    query = f"RETURN {literal} AS s"
    try:
        toks = guard.tokens(query)
        check_query(query)
    except QueryRefused:
        return
    if [t.kind for t in toks] != ["word", "string", "word", "word"]:
        with pytest.raises(RuntimeError):  # the guard saw more than one literal: so does LadybugDB
            conn.execute(query)
        return
    result = conn.execute(query)
    assert not isinstance(result, list)
    assert result.get_next() == [toks[1].text], query
