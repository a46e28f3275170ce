"""The ceiling for kg's store writes: a plain LadybugDB `COPY … FROM` of the very rows a kg store holds.

Reads every table of a store that `kg build` wrote — each node table, each
relation table per FROM/TO pair — into memory, creates an empty database with
the same schema (kg.graph.cypher.ladybug_schema), and times nothing but the
COPY statements: node tables first, then relation tables, one COPY per table
(and pair), as kg does. The same rows are timed from each source LadybugDB
scans — pyarrow tables, Parquet files and pandas DataFrames — each with every
COPY committed on its own (as kg writes a new store) and with all of them in
one transaction; the faster of the two counts.

    python bench/copy_ceiling.py kg.db                  # all sources, a table
    python bench/copy_ceiling.py kg.db --source parquet --json

Rows/s = rows copied / seconds from the first COPY to the commit and close
(the checkpoint that makes them durable is part of a store write).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SOURCES = ("arrow", "parquet", "pandas")


def read_tables(db_path):
    """[(table, (from, to) or None, pyarrow.Table)] of every non-empty table, nodes first, in column order."""
    import ladybug

    from kg.graph import cypher
    from kg.graph.model import EDGE_PROPS
    from kg.graph.store import ONE_WAY_EDGES, STORE_PROPS

    db = ladybug.Database(str(db_path), read_only=True)
    conn = ladybug.Connection(db)
    tables = []
    try:
        for label, props in STORE_PROPS.items():
            cols = ", ".join(f"n.{cypher.q(p)} AS {cypher.q(p)}" for p in ["key", *props])
            table = conn.execute(f"MATCH (n:{cypher.q(label)}) RETURN {cols}").get_as_arrow()
            if table.num_rows:
                tables.append((label, None, table))
        for etype, props in EDGE_PROPS.items():
            pairs = [(r[0], r[1]) for r in conn.execute(cypher.show_connection(etype)).get_all()]
            for a, b in pairs:
                cols = "".join(f", r.{cypher.q(p)} AS {cypher.q(p)}" for p in ["key", *props])
                table = conn.execute(f"MATCH (a:{cypher.q(a)})-[r:{cypher.q(etype)}]->(b:{cypher.q(b)}) "
                                     f"RETURN a.key AS `from`, b.key AS `to`{cols}").get_as_arrow()
                if table.num_rows:
                    tables.append((etype, (a, b), table))
    finally:
        conn.close()
        db.close()
    return tables


def schema(db_path):
    """The DDL of the store (its relation pairs included)."""
    import ladybug

    from kg.graph import cypher
    from kg.graph.model import EDGE_PROPS
    from kg.graph.store import ONE_WAY_EDGES, STORE_PROPS

    db = ladybug.Database(str(db_path), read_only=True)
    conn = ladybug.Connection(db)
    try:
        pairs = {t: {(r[0], r[1]) for r in conn.execute(cypher.show_connection(t)).get_all()} for t in EDGE_PROPS}
    finally:
        conn.close()
        db.close()
    return cypher.ladybug_schema(STORE_PROPS, EDGE_PROPS, pairs, ONE_WAY_EDGES)


def copy_all(tables, ddl, source: str, work: Path, one_transaction: bool = False) -> dict:
    """Time the COPYs of `tables` from `source` into a fresh database; rows, seconds, rows/s."""
    import ladybug
    import pyarrow.parquet as pq

    from kg.graph import cypher

    prepared = []
    for n, (table, pair, data) in enumerate(tables):
        if source == "parquet":
            path = work / f"t{n}.parquet"
            pq.write_table(data, path, compression="none")
            prepared.append((table, pair, path, data.num_rows))
        elif source == "pandas":
            import pandas as pd

            # Arrow-backed columns: NumPy object arrays of lists are not something LadybugDB scans.
            prepared.append((table, pair, data.to_pandas(types_mapper=pd.ArrowDtype), data.num_rows))
        else:
            prepared.append((table, pair, data, data.num_rows))
    target = work / f"ceiling-{source}.db"
    db = ladybug.Database(str(target))
    conn = ladybug.Connection(db)
    conn.execute("BEGIN TRANSACTION")
    for stmt in ddl:
        conn.execute(stmt)
    if not one_transaction:
        conn.execute("COMMIT")
    rows = 0
    started = time.perf_counter()
    for table, pair, data, n in prepared:
        a, b = pair or (None, None)
        if isinstance(data, Path):
            conn.execute(cypher.copy_from_file(table, str(data), a, b))
        else:
            conn.execute(cypher.copy_from_param(table, "rows", a, b), {"rows": data})
        rows += n
    if one_transaction:
        conn.execute("COMMIT")
    conn.close()
    db.close()
    seconds = time.perf_counter() - started
    return {"source": source, "commit": "once" if one_transaction else "each", "rows": rows,
            "seconds": seconds, "rows_per_second": rows / seconds}


def ceiling(db_path, sources=SOURCES, runs: int = 1) -> list[dict]:
    tables = read_tables(db_path)
    ddl = schema(db_path)
    out = []
    with tempfile.TemporaryDirectory(prefix="kg-ceiling-", dir=Path(db_path).parent) as tmp:
        for source in sources:
            if source == "pandas":
                try:
                    import pandas  # noqa: F401
                except ImportError:
                    continue
            best = None
            for i in range(runs):
                for once in (False, True):
                    work = Path(tmp) / f"{source}{i}{int(once)}"
                    work.mkdir()
                    result = copy_all(tables, ddl, source, work, once)
                    shutil.rmtree(work, ignore_errors=True)
                    best = result if best is None or result["seconds"] < best["seconds"] else best
            out.append(best)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", help="a store written by kg build")
    ap.add_argument("--source", choices=[*SOURCES, "all"], default="all")
    ap.add_argument("--runs", type=int, default=1, help="runs per source; the fastest is kept")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sources = SOURCES if args.source == "all" else (args.source,)
    results = ceiling(args.db, sources, args.runs)
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"{r['source']:<8} {r['rows']:>9,} rows  {r['seconds']:7.2f} s  {r['rows_per_second']:>9,.0f} rows/s"
              f"  (commit {r['commit']})")


if __name__ == "__main__":
    main()
