"""The records a store was built from, kept in a SQLite file beside it (`kg.db.records`).

Why not in the graph database: LadybugDB writes a table that an update changed to new
space in its file and does not reuse the old space once the table has grown, and a
Document table holding every record (~17 MB compressed at 1,000 pages) grew the store by
that much at every one-page update and took ~0.5 s of the update's closing checkpoint.

Each record is kept under its digest (the sha1 of its JSON: the Document's `digest`). A
build adds the records it writes before its new store is swapped in, and removes those no
Document names only afterwards, so a store finds its records whenever a build was killed;
a killed build leaves at most records nobody names, which the next build removes.
Only builds write the file, under the store's build lock.

Beside them, each Document's entity lists — what resolution needs of its entities and the
node key each resolved to, read only by builds that update the store — under the sha1 of
both (the Document's `entity_lists`), kept and forgotten the same way. In the graph
database they were its largest strings: a fresh build's COPY of the Document table held
~120 MB more at 1,000 pages than at 100 (bench/store_bench.py, peak RSS).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from kg.atomic import disk_full
from kg.graph.store import StoreError

SUFFIX = ".records"
# Digests asked for in one statement (SQLite's limit on parameters is 32,766).
BATCH = 500


class RecordsError(StoreError):
    """The records file beside a store cannot be read or written."""


def path_for(db_path) -> Path:
    return Path(f"{db_path}{SUFFIX}")


class RecordFile:
    """`kg.db.records`: {digest: compressed record}."""

    def __init__(self, db_path):
        self.db_path = db_path
        self.path = path_for(db_path)
        self.conn = None

    def _open(self, create: bool):
        if self.conn is None:
            if not create and not self.path.exists():
                return None
            try:
                self.conn = sqlite3.connect(self.path)
                self.conn.execute("CREATE TABLE IF NOT EXISTS records (digest TEXT PRIMARY KEY, record BLOB NOT NULL)")
                self.conn.execute("CREATE TABLE IF NOT EXISTS entity_lists "
                                  "(id TEXT PRIMARY KEY, summaries BLOB NOT NULL, keys BLOB NOT NULL)")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
        return self.conn

    def _error(self, exc) -> RecordsError:
        if disk_full(self.path.parent) or "disk is full" in str(exc):
            return RecordsError(f"{self.db_path}: cannot write: no space left on device")
        return RecordsError(f"{self.path}: cannot use the stored records ({exc}); rebuild from the pages")

    def put(self, rows):
        """Add (digest, compressed record) pairs; kept once the store using them is in place."""
        self._put("INSERT OR IGNORE INTO records VALUES (?, ?)", rows)

    def put_entity_lists(self, rows):
        """Add (id, summaries JSON, node keys JSON) rows (kg.graph.store_write.entity_lists_id)."""
        self._put("INSERT OR IGNORE INTO entity_lists VALUES (?, ?, ?)", rows)

    def _put(self, statement, rows):
        conn = self._open(create=True)
        try:
            conn.executemany(statement, rows)
            conn.commit()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def get(self, digests) -> dict:
        """{digest: compressed record} of those of `digests` the file holds."""
        return {row[0]: row[1] for row in self._get("SELECT digest, record FROM records WHERE digest IN", digests)}

    def entity_lists(self, ids) -> dict:
        """{id: (summaries JSON, node keys JSON)} of those of `ids` the file holds."""
        return {row[0]: (row[1], row[2])
                for row in self._get("SELECT id, summaries, keys FROM entity_lists WHERE id IN", ids)}

    def _get(self, select, keys) -> list:
        conn = self._open(create=False)
        if conn is None:
            return []
        keys, out = list(keys), []
        try:
            for i in range(0, len(keys), BATCH):
                part = keys[i:i + BATCH]
                out += conn.execute(f"{select} ({', '.join('?' * len(part))})", part)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return out

    def keep(self, digests, entity_lists=()):
        """Remove the records whose digest is not among `digests`, and the entity lists whose
        id is not among `entity_lists` (those the store names)."""
        conn = self._open(create=False)
        if conn is None:
            return
        try:
            for table, column, live in (("records", "digest", digests), ("entity_lists", "id", entity_lists)):
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS live_{table} (id TEXT PRIMARY KEY)")
                conn.execute(f"DELETE FROM live_{table}")
                conn.executemany(f"INSERT OR IGNORE INTO live_{table} VALUES (?)", ((d,) for d in live))
                conn.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT id FROM live_{table})")
            conn.commit()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
