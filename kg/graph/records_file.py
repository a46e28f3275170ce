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
            except sqlite3.Error as exc:
                raise self._error(exc) from None
        return self.conn

    def _error(self, exc) -> RecordsError:
        if disk_full(self.path.parent) or "disk is full" in str(exc):
            return RecordsError(f"{self.db_path}: cannot write: no space left on device")
        return RecordsError(f"{self.path}: cannot use the stored records ({exc}); rebuild from the pages")

    def put(self, rows):
        """Add (digest, compressed record) pairs; kept once the store using them is in place."""
        conn = self._open(create=True)
        try:
            conn.executemany("INSERT OR IGNORE INTO records VALUES (?, ?)", rows)
            conn.commit()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def get(self, digests) -> dict:
        """{digest: compressed record} of those of `digests` the file holds."""
        conn = self._open(create=False)
        if conn is None:
            return {}
        digests, out = list(digests), {}
        try:
            for i in range(0, len(digests), BATCH):
                part = digests[i:i + BATCH]
                marks = ", ".join("?" * len(part))
                out.update(conn.execute(f"SELECT digest, record FROM records WHERE digest IN ({marks})", part))
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return out

    def keep(self, digests):
        """Remove the records whose digest is not among `digests` (those the store names)."""
        conn = self._open(create=False)
        if conn is None:
            return
        try:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS live (digest TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM live")
            conn.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((d,) for d in digests))
            conn.execute("DELETE FROM records WHERE digest NOT IN (SELECT digest FROM live)")
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
