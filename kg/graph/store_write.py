"""Writing the embedded store: `build_store` (kg build) and the build lock.

See kg.graph.store for what a build writes and when: a new store by bulk
COPY from Parquet spools, swapped in whole; a few changed documents in
place, on a copy of the store swapped in when it closed cleanly. Records
stream through a build: only the entity summaries and the readings of facts
and figures are held to the end. pyarrow is imported by the bulk writer
only, so replacing a page or two never loads it.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

from kg.atomic import atomic_output, disk_full
from kg.graph import cypher
from kg.graph.model import EDGE_PROPS, ENDPOINTS, ENTITY_LABELS, ENTITY_PROPS, FACT_TYPES, NODE_PROPS
from kg.graph.records_file import RecordFile, RecordsError, path_for as records_path
from kg.graph.store import (
    _BLOB_MAGIC, _BLOB_ZLIB, DEFAULT_DB, FRESH_SIZE_NOTE, ONE_WAY_EDGES, STORE_PROPS, StoreBusy, StoreError,
    _connect, _counts, _has_records, _Layout, _loads, _one_line, _query, _record_rows, layout_signature,
    unpack_record,
)

# Files LadybugDB keeps beside a database file while it is open or after a crash.
SIDECARS = (".wal", ".shadow", ".lock")
PID_FILE = "kg-build.pid"
LOCK_SUFFIX = ".build-lock"
# Above this share of the documents touched (and more than IN_PLACE_FLOOR documents),
# writing a fresh store is quicker than updating in place.
IN_PLACE_SHARE = 0.5
IN_PLACE_FLOOR = 8
# A new store's COPYs run in sessions: the database opened, one transaction, closed.
# LadybugDB holds what a COPY took until the database closes (a CHECKPOINT does not free
# it) — measured: ~15 MB for a node table, ~8 MB for a relation table, and three to four
# times the bytes of the rows (estimated from an Arrow table's size or a Parquet file's,
# whose dictionary encoding understates repeated strings) — so kept open, a build's peak
# memory grew with the store (~100 MB more at 1,000 pages, bench/store_bench.py). A session
# costs ~60 ms (commit, close, open), so COPYs share one while what they hold stays under
# SESSION_BYTES; one that holds more has one to itself. The store is only swapped in when
# whole, so a killed build still leaves the old one.
SESSION_BYTES = 96 << 20
NODE_COPY_BYTES = 15 << 20
REL_COPY_BYTES = 8 << 20
COPY_BYTES_PER_BYTE = 4
# Rows a spool holds as Python tuples before it writes them to its Parquet file: few, since
# a build's peak memory held them (20,000 rows per table: ~80 MB more at 1,000 pages).
SPOOL_ROWS = 2_000
# Rows per row group of the Parquet files LadybugDB copies from (it reads a row group whole).
COPY_ROWS = 20_000
# Records written to the records file beside the store (kg.graph.records_file) at a time.
RECORDS_AT_ONCE = 64
# LadybugDB writes a table an update changed to new space in the file, and does not reuse
# the old space once the table has grown by a byte: a one-page update of a 1,000-page store
# (60 MB when written afresh) grows the file by 20–40 MB. A build that would update a store
# grown past STORE_GROWTH times the size it was written at writes it afresh from its records
# instead (no page is read again).
STORE_GROWTH = 3.0
# An in-place update of fewer rows than this inserts them with UNWIND … CREATE, not
# COPY from Arrow: quicker for a page or two, and pyarrow need not load.
SMALL_INSERT = 5000


# ------------------------------------------------------------------ the build lock

_HELD: dict[str, int] = {}


@contextlib.contextmanager
def build_lock(db_path):
    """Hold `<db>.build-lock` (flock) while a build reads and writes the store.

    A second build on the same store fails at once with StoreBusy naming the
    holder's pid, instead of both running and one losing its pages. The lock
    dies with its process, so a killed build never blocks the next one.
    Re-entrant within a process.
    """
    path = Path(f"{db_path}{LOCK_SUFFIX}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ident = str(path.resolve())
    if _HELD.get(ident):
        _HELD[ident] += 1
        try:
            yield
        finally:
            _HELD[ident] -= 1
        return
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise StoreError(f"{path}: cannot take the build lock ({exc.strerror})") from None
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StoreBusy(f"another build is writing {db_path} (pid {holder}); "
                            f"run this one when it has finished") from None
        try:  # the holder we raced with may have removed the file: lock the one on disk
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _HELD[ident] = 1
    try:
        yield
    finally:
        _HELD.pop(ident, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # while still locked: a waiting build re-checks the inode
        os.close(fd)


# ------------------------------------------------------------------ records in the store


def _dumps(record) -> bytes:
    """A record as JSON bytes (orjson: the store serialises every record it keeps)."""
    import orjson

    try:
        return orjson.dumps(record)
    except TypeError:  # an integer beyond 64 bits: the standard library copes
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


def pack_record(data: bytes) -> bytes:
    """Record JSON bytes compressed for the store: a magic naming the codec, the length, the data.

    zstd (through pyarrow) where a build has pyarrow loaded anyway (a new
    store); zlib otherwise, so that replacing a page or two never loads it.
    """
    import sys

    if "pyarrow" in sys.modules:
        import pyarrow as pa

        return _BLOB_MAGIC + struct.pack("<Q", len(data)) + pa.compress(data, codec="zstd", asbytes=True)
    import zlib

    return _BLOB_ZLIB + struct.pack("<Q", len(data)) + zlib.compress(data, 6)


# ------------------------------------------------------------------ rows → Arrow / Parquet

_ARROW = None


def _arrow_types():
    global _ARROW
    if _ARROW is None:
        import pyarrow as pa

        _ARROW = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
                  "list": pa.list_(pa.string()), "blob": pa.binary()}
    return _ARROW


def _node_columns(label):
    return [("key", "str"), *STORE_PROPS[label].items()]


def _edge_columns(etype):
    return [("from", "str"), ("to", "str"), ("key", "str"), *EDGE_PROPS[etype].items()]


def _table(rows, columns):
    """An Arrow table of dict rows (rel rows name their ends source/target)."""
    import pyarrow as pa

    types = _arrow_types()
    arrays, names = [], []
    for name, kind in columns:
        field = {"from": "source", "to": "target"}.get(name, name)
        arrays.append(pa.array([r.get(field) for r in rows], type=types[kind]))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


class _Spool:
    """Rows (tuples in column order) of one table streamed to a Parquet file, a row group at a time."""

    def __init__(self, path: Path, columns):
        self.path, self.columns = path, columns
        self.pending = []
        self.rows = 0
        self.writer = None

    def extend(self, rows):
        self.pending.extend(rows)
        if len(self.pending) >= SPOOL_ROWS:
            self.flush()

    def flush(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.pending and self.writer is not None:
            return
        types = _arrow_types()
        cols = list(zip(*self.pending)) if self.pending else [()] * len(self.columns)
        table = pa.Table.from_arrays([pa.array(c, type=types[k]) for c, (_, k) in zip(cols, self.columns)],
                                     names=[n for n, _ in self.columns])
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="none")
        self.writer.write_table(table)
        self.rows += len(self.pending)
        self.pending = []

    def close(self):
        self.flush()
        self.writer.close()
        return self.path

    def batches(self):
        """The spooled rows again, a row group at a time (as they were written: bounded in bytes)."""
        import pyarrow.parquet as pq

        spooled = pq.ParquetFile(self.path)
        for i in range(spooled.num_row_groups):
            yield from spooled.read_row_group(i).to_batches()


def _rewrite(spool: _Spool, out: Path, transform):
    """Stream a spool through `transform(batch) -> table` into a new Parquet file, in row
    groups of COPY_ROWS; its row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, n, held, held_rows = None, 0, [], 0

    def write():
        nonlocal writer, held_rows
        table = pa.concat_tables(held)
        if writer is None:
            writer = pq.ParquetWriter(out, table.schema, compression="none")
        writer.write_table(table)
        held.clear()
        held_rows = 0

    for batch in spool.batches():
        held.append(transform(batch))
        n += held[-1].num_rows
        held_rows += held[-1].num_rows
        if held_rows >= COPY_ROWS:
            write()
    if held:
        write()
    if writer is not None:
        writer.close()
    return n


class _Clock:
    """Seconds a build spends in LadybugDB writing (statements, commits, the checkpoint at close),
    apart from preparing rows: `kg build` reports both."""

    seconds = 0.0


WRITE_CLOCK = _Clock()


def _exec(conn, statement, params=None):
    """A write statement, timed on WRITE_CLOCK."""
    t0 = time.perf_counter()
    try:
        return conn.execute(statement, params or {})
    finally:
        WRITE_CLOCK.seconds += time.perf_counter() - t0


class _Rows:
    """A few rows (dicts) for `_copy` to insert with UNWIND … CREATE rather than COPY."""

    def __init__(self, rows, columns):
        self.rows, self.columns = rows, columns


def _rows_for(rows, columns):
    """What `_copy` takes for these rows: a few as they are, many as an Arrow table."""
    return _Rows(rows, columns) if len(rows) < SMALL_INSERT else _table(rows, columns)


def _copy_facts(copy, fact_groups, reported, tabulate) -> int:
    """The fact edges and REPORTED edges, one `copy(table, source, pair)` per type and
    FROM/TO pair, their rows made by `tabulate` (_table or _rows_for); the rows written."""
    written = 0
    for (etype, a, b), rows in sorted(fact_groups.items()):
        copy(etype, tabulate(rows, _edge_columns(etype)), (a, b))
        written += len(rows)
    for (a, b), rows in sorted(reported.items()):
        copy("REPORTED", tabulate(rows, _edge_columns("REPORTED")), (a, b))
        written += len(rows)
    return written


def _hand_back_freed_memory():
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).
    glibc keeps what LadybugDB frees when it closes, and what the merge freed, for reuse by
    the process: without this a build's peak memory grew with the store by ~100 MB at 1,000
    pages (bench/store_bench.py)."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        import ctypes
        import ctypes.util

        try:
            _MALLOC_TRIM = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
        except (OSError, AttributeError, TypeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None


class _Commits:
    """A new store's COPYs, in sessions (see SESSION_BYTES), each from a Parquet file: an Arrow
    table is written to one in `folder` first (LadybugDB copies a Parquet file quicker than
    an Arrow table: 0.68–0.81 s against 0.80–0.88 s for the 10 MB page's graph)."""

    def __init__(self, connect, folder: Path):
        self.connect = connect  # () -> a context manager giving a connection to the new store
        self.folder = folder
        self.stack = self.conn = None
        self.open, self.held, self.files = False, 0, 0

    def begin(self):
        if not self.open:
            if self.conn is None:
                _hand_back_freed_memory()
                self.stack = contextlib.ExitStack()
                self.conn = self.stack.enter_context(self.connect())
            _exec(self.conn, "BEGIN TRANSACTION")
            self.open, self.held = True, 0

    def end(self):
        if self.open:
            _exec(self.conn, "COMMIT")
            self.open = False
            self.close()

    def close(self):
        """Close the database (its checkpoint is timed as writing)."""
        if self.stack is not None:
            stack, self.stack, self.conn = self.stack, None, None
            t0 = time.perf_counter()
            try:
                stack.close()
            finally:
                WRITE_CLOCK.seconds += time.perf_counter() - t0
            _hand_back_freed_memory()

    def copy(self, table, source, pair=None):
        """COPY `source` (a Parquet file or an Arrow table) into `table`."""
        if isinstance(source, Path):
            size = source.stat().st_size
        else:
            import pyarrow.parquet as pq

            size, data = source.nbytes, source
            self.files += 1
            source = self.folder / f"{table}.{self.files}.copy.parquet"
            pq.write_table(data, source, compression="none", row_group_size=COPY_ROWS)
        holds = (REL_COPY_BYTES if pair else NODE_COPY_BYTES) + COPY_BYTES_PER_BYTE * size
        if self.held + holds > SESSION_BYTES:
            self.end()
        self.begin()
        self.held += holds
        _copy(self.conn, table, source, pair)


def _copy(conn, table, source, pair=None):
    """Put rows into `table` (a FROM/TO pair for relation tables): COPY from a Parquet file or
    an Arrow table, or UNWIND … CREATE for a few rows (_Rows)."""
    from_label, to_label = pair or (None, None)
    if isinstance(source, _Rows):
        props = [c for c, _ in source.columns if c not in ("key", "from", "to")]
        if pair is None:
            stmt = cypher.create_nodes(table, props)
            rows = [{c: r.get(c) for c in ["key", *props]} for r in source.rows]
        else:
            stmt = cypher.create_edges(table, from_label, to_label, props)
            rows = [{"source": r["source"], "target": r["target"], **{c: r.get(c) for c in ["key", *props]}}
                    for r in source.rows]
        for i in range(0, len(rows), 1000):
            _exec(conn, stmt, {"rows": rows[i:i + 1000]})
    elif isinstance(source, Path):
        _exec(conn, cypher.copy_from_file(table, str(source), from_label, to_label))
    else:
        _exec(conn, cypher.copy_from_param(table, "rows", from_label, to_label), {"rows": source})


# ------------------------------------------------------------------ a fresh store


def _entity_label(record_label):
    return ENTITY_LABELS[record_label]


def _interned(values, same: dict) -> tuple:
    """Values read back from JSON (strings, integers, None: a reading's or an entity
    summary's), each one object across the build: a build holds every reading and summary
    to the end, and pages repeat their sentences, names, documents, rules and offsets."""
    try:
        return tuple(map(same.setdefault, values, values))
    except TypeError:  # an unhashable value, which no valid record has: kept as it is
        return tuple(values)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _summaries_json(summaries) -> bytes:
    """A document's entity summaries as the records file keeps them (JSON lists)."""
    return _dumps([list(x) for x in summaries])


def _summary_tuples(summaries, same: dict) -> list:
    """Entity summaries read back from JSON, as facts.resolve takes them (tuples; strings
    one object across the build, _interned)."""
    return [(*_interned(s[:4], same), _interned(s[4], same), _interned(s[5], same)) for s in summaries]


def _entity_lists(summaries, keys) -> tuple[str, bytes, bytes]:
    """A document's entity lists as the records file keeps them: (id, its entity summaries as
    JSON lists, the node key each resolved to as JSON); the id is the Document's `entity_lists`."""
    ents, node_keys = _summaries_json(summaries), _dumps(list(keys))
    return hashlib.sha1(ents + b"\n" + node_keys).hexdigest(), ents, node_keys


class _Entry:
    """One record on its way into the store, with what the store keeps beside it."""

    __slots__ = ("record", "data", "blob", "digest", "fingerprint")

    def __init__(self, record, fingerprint=None, data=None, blob=None):
        self.record = record
        self.data = data if data is not None or blob is not None else _dumps(record)
        self.digest = hashlib.sha1(self.data).hexdigest() if self.data is not None else None
        self.blob = blob
        self.fingerprint = fingerprint

    def packed(self):
        if self.blob is None:
            self.blob = pack_record(self.data)
        return self.blob


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector off while a build makes the merged rows: hundreds of
    thousands of tuples that live until the store is written and form no cycles, which
    the collector would otherwise walk again and again (a fifth of the store stage)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class FreshBuild:
    """Records streamed into Parquet spools; `finish` resolves entities and COPYs every table."""

    def __init__(self, folder: Path, records):
        import pyarrow  # (now, not at the first spool flush: every record is packed with zstd)

        # Arrow's own allocator (mimalloc) keeps what the spools freed for later, and a build's
        # peak memory then grows with the documents' Parquet; the system's hands it back.
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())

        from kg.graph import facts

        self.facts = facts
        self.folder = folder
        self.records, self.pending = records, []  # kg.graph.records_file.RecordFile
        self.docs = _Spool(folder / "Document.parquet", [*_node_columns("Document"), ("_rec", "int")])
        self.articles = _Spool(folder / "Article.parquet", [*_node_columns("Article"), ("_rec", "int")])
        self.has_article = _Spool(folder / "HAS_ARTICLE.parquet", [*_edge_columns("HAS_ARTICLE"), ("_rec", "int")])
        men = [("_occ", "int"), *_edge_columns("MENTIONED_IN")[1:], ("_rec", "int")]
        self.mentions = {label: _Spool(folder / f"MENTIONED_IN.{label}.parquet", men)
                         for label in ENTITY_LABELS.values()}
        self.latest, self.recs = {}, []
        # Each record's entity summaries and readings, spooled as JSON lines: a build holds
        # nothing per page while pages stream in (long-lived small objects would also
        # fragment the heap that every page's record passes through).
        self.entities = open(folder / "entities.jsonl", "wb")
        self.readings = open(folder / "readings.jsonl", "wb")
        self.n_occ = 0
        self.doc_props = ["key", *NODE_PROPS["Document"]]
        self.art_cols = [p for p, _ in _node_columns("Article")]

    def add(self, entry: _Entry):
        facts = self.facts
        record = entry.record
        rec_no = len(self.recs)
        doc = record["doc"]
        found = facts.doc_facts(record)
        summaries = found.summaries
        base = self.n_occ
        occ = {ent[0]: base + i for i, ent in enumerate(summaries)}
        self.n_occ += len(summaries)
        self.recs.append((doc, len(summaries)))
        self.latest[doc] = rec_no
        d = found.document
        if entry.data is not None:  # (a record read back from the records file is there already)
            self.pending.append((entry.digest, entry.packed()))
            if len(self.pending) >= RECORDS_AT_ONCE:
                self.flush_records()
        self.docs.extend([(*(d.get(p) for p in self.doc_props), entry.fingerprint, entry.digest, None, rec_no)])
        self.articles.extend([(*(a.get(p) for p in self.art_cols), rec_no) for a in found.articles])
        self.has_article.extend([(h["source"], h["target"], h["key"], h["doc"], rec_no) for h in found.has_article])
        by_label = {}
        for ent_id, label, values in found.mentions:
            rows = by_label.get(label)
            if rows is None:
                rows = by_label[label] = []
            rows.append((occ[ent_id], *values, rec_no))
        for label, rows in by_label.items():
            self.mentions[ENTITY_LABELS[label]].extend(rows)
        self.entities.write(_dumps([rec_no, summaries]) + b"\n")
        if found.facts or found.metrics:
            self.readings.write(_dumps([rec_no, found.facts, found.metrics]) + b"\n")

    def flush_records(self):
        """Every record added is in the records file (before the new store names them)."""
        self.records.put(self.pending)
        self.pending = []

    def _merge(self, live: set):
        """Entities resolved across the documents, and the facts and figures merged: what the
        COPYs need, and only that (the summaries and readings are freed before the store opens)."""
        import pyarrow as pa

        facts, same = self.facts, {}
        res = facts.resolve({self.recs[rec_no][0]: _summary_tuples(summaries, same)
                             for rec_no, summaries in self._spooled(self.entities)})
        keys_by_occ = []
        for rec_no, (doc, n) in enumerate(self.recs):
            keys_by_occ.extend(res.keys[doc] if rec_no in live and n else [None] * n)
        keys_by_occ = pa.array(keys_by_occ, type=pa.string())
        lists = self._put_entity_lists(res)
        merged = facts.Merged()
        for rec_no, fact_list, metric_list in self._spooled(self.readings):
            doc = self.recs[rec_no][0]
            found = facts.DocFacts(doc)
            found.facts = [(t, h, tl, _interned(r, same)) for t, h, tl, r in fact_list]
            found.metrics = [(sid, tuple(fig), _interned(r, same)) for sid, fig, r in metric_list]
            merged.add(found, res.key_map(doc))
        fact_groups, pairs = _fact_groups(merged, res.nodes)
        metric_rows, reported = _metric_groups(merged, res.nodes)
        return res.nodes, keys_by_occ, lists, fact_groups, pairs, metric_rows, reported

    def _put_entity_lists(self, res) -> dict:
        """Each document's entity lists into the records file (before the new store names
        them); {document: their id}."""
        ids, rows = {}, []
        for doc, summaries in res.summaries.items():
            rows.append(_entity_lists(summaries, res.keys.get(doc, ())))
            ids[doc] = rows[-1][0]
            if len(rows) >= RECORDS_AT_ONCE:
                self.records.put_entity_lists(rows)
                rows = []
        self.records.put_entity_lists(rows)
        return ids

    def _spooled(self, spool):
        """The spooled lines of the records that count (the last of each doc), as lists."""
        live = set(self.latest.values())
        with open(spool.name, "rb") as fh:
            for line in fh:
                item = _loads(line)
                if item[0] in live:
                    yield item

    def finish(self, connect, log) -> int:
        """Resolve, then COPY node tables and relation tables into the store `connect()` opens;
        returns the rows written."""
        put = _Commits(connect, self.folder)
        try:
            with _collector_paused():
                return self._finish(put, log)
        finally:
            put.close()

    def _finish(self, put, log) -> int:
        import pyarrow as pa

        for spool in (self.docs, self.articles, self.has_article, *self.mentions.values()):
            spool.close()
        self.entities.close()
        self.readings.close()
        log("merging entities across documents")
        live = set(self.latest.values())
        nodes, keys_by_occ, lists, fact_groups, pairs, metric_rows, reported = self._merge(live)

        put.begin()
        # Creating the tables is not writing rows: WRITE_CLOCK leaves it out, as the ceiling
        # it is compared with (bench/copy_ceiling.py) does.
        for stmt in cypher.ladybug_schema(STORE_PROPS, EDGE_PROPS, pairs, ONE_WAY_EDGES):
            put.conn.execute(stmt)
        put.conn.execute(cypher.comment_on_table("Document", layout_signature()))
        written = 0

        import pyarrow.compute as pc

        live_recs = pa.array(sorted(live), type=pa.int64())

        def keep(batch):
            table = pa.Table.from_batches([batch])
            return table.filter(pc.is_in(table.column("_rec"), value_set=live_recs)).drop_columns(["_rec"])

        # Tables go in an order that frees what the build holds before the largest COPYs,
        # the mentions', which come last: each COPY's own memory grows with its rows.
        log("writing entities")
        for label in ENTITY_LABELS.values():
            rows = [{"key": k, **v} for k, v in nodes.items() if v["label"] == label]
            if rows:
                put.copy(label, _table(rows, _node_columns(label)))
                written += len(rows)
        nodes = rows = None
        log(f"writing {_plural(len(self.latest), 'document')}")

        def with_lists(batch):
            table = keep(batch)
            ids = pa.array([lists[n] for n in table.column("name").to_pylist()], type=pa.string())
            return table.set_column(table.schema.get_field_index("entity_lists"), "entity_lists", ids)

        for label, spool, transform in (("Document", self.docs, with_lists), ("Article", self.articles, keep)):
            out = self.folder / f"{label}.copy.parquet"
            n = _rewrite(spool, out, transform)
            if n:
                put.copy(label, out)
                written += n
        lists = None
        if metric_rows:
            log(f"writing {_plural(len(metric_rows), 'figure')}")
            put.copy("Metric", _table(metric_rows, _node_columns("Metric")))
            written += len(metric_rows)
        metric_rows = None
        log("writing facts")
        written += _copy_facts(put.copy, fact_groups, reported, _table)
        fact_groups = reported = None
        out = self.folder / "HAS_ARTICLE.copy.parquet"
        n = _rewrite(self.has_article, out, keep)
        if n:
            put.copy("HAS_ARTICLE", out, ("Document", "Article"))
            written += n
        log("writing mentions")
        for label, spool in self.mentions.items():
            def with_from(batch):
                table = keep(batch)
                source = keys_by_occ.take(table.column("_occ"))
                key = pa.array(list(map(self.facts.mention_key, table.column("key").to_pylist(), source.to_pylist())),
                               type=pa.string())
                table = table.set_column(table.schema.get_field_index("key"), "key", key)
                return table.drop_columns(["_occ"]).add_column(0, "from", source)

            out = self.folder / f"MENTIONED_IN.{label}.copy.parquet"
            n = _rewrite(spool, out, with_from)
            if n:
                put.copy("MENTIONED_IN", out, (label, "Article"))
                written += n
        put.end()
        return written


def _fact_groups(merged, nodes):
    """{(type, from label, to label): rows} and the endpoint pairs the schema needs."""
    groups = {}
    pairs = {t: set(p) for t, p in ENDPOINTS.items()}
    for etype, row in merged.fact_rows():
        pair = (nodes[row["source"]]["label"], nodes[row["target"]]["label"])
        pairs[etype].add(pair)
        groups.setdefault((etype, *pair), []).append(row)
    return groups, pairs


def _metric_groups(merged, nodes):
    metrics, reported = [], {}
    for row, rep in merged.metric_rows():
        metrics.append(row)
        if rep:
            reported.setdefault((nodes[rep["source"]]["label"], "Metric"), []).append(rep)
    return metrics, reported


# ------------------------------------------------------------------ in place


class _NeedsFresh(Exception):
    """The change is too large (or needs a new relation pair) to make in place."""


def _resolution(conn, records: RecordFile, changed: dict, removed: set, facts):
    """(resolution, rekeyed documents, stored entity lists (summaries JSON, node keys JSON)
    by document or None) after `changed` (doc → _Entry) replace their records and `removed` go.

    When nothing goes and every changed document names the same entities as it did (a
    figure or a sentence corrected), the merge cannot change: the stored node keys stand,
    no entity node changes (`nodes` is None then) and the other documents' summaries are
    not read nor merged again — that work grew with the store, not with the change.
    A document whose entity lists the records file lacks is written afresh (_NeedsFresh).
    """
    new = {name: facts.entity_summaries(entry.record) if not entry.record.get("skipped") else []
           for name, entry in changed.items()}
    if new and not removed:
        ids = dict(_query(conn, cypher.document_entities_by_key(), {"keys": [facts.doc_key(n) for n in new]}))
        lists = records.entity_lists(i for i in ids.values() if i)
        kept = {name: lists[i][1] for name, i in ids.items()
                if i in lists and lists[i][0] == _summaries_json(new[name])}
        if len(kept) == len(new):
            return facts.Resolution(new, {n: _loads(k) for n, k in kept.items()}, None), set(), None
    ids = dict(_query(conn, cypher.document_entities()))
    lists = records.entity_lists(i for i in ids.values() if i)
    stored = {name: lists[i] for name, i in ids.items() if i in lists}
    summaries, same = {}, {}
    for name in ids:
        if name not in changed and name not in removed:
            if name not in stored:
                raise _NeedsFresh()
            summaries[name] = _summary_tuples(_loads(stored[name][0]), same)
    summaries.update(new)
    res = facts.resolve(summaries)
    rekeyed = {name for name in summaries if name not in changed and _loads(stored[name][1]) != res.keys.get(name, [])}
    return res, rekeyed, stored


def _labels(conn, merged) -> dict:
    """{node key: {"label": …}} of the entities `merged`'s facts and figures name, as stored."""
    keys = {k for e in merged.facts.values() for k in e.what[1:]}
    keys |= {e.what[0] for e in merged.metrics.values() if e.what[0] is not None}
    return {key: {"label": label} for key, label in _query(conn, cypher.node_labels_by_key(), {"keys": sorted(keys)})}


def _update_in_place(conn, db_path, changed: dict, removed: set, state: dict, log) -> int:
    """Replace `changed` documents' rows (doc → _Entry) and drop `removed` ones, in one transaction."""
    from kg.graph import facts

    with RecordFile(db_path) as records:
        res, rekeyed, stored = _resolution(conn, records, changed, removed, facts)
    summaries = res.summaries
    touched = set(changed) | set(removed) | rekeyed
    total = len(set(state) | set(changed))
    if len(touched) > max(IN_PLACE_FLOOR, IN_PLACE_SHARE * total):
        raise _NeedsFresh()
    log(f"updating {_plural(len(touched), 'document')} in place")

    entries = dict(changed)
    for name, blob in _record_rows(conn, db_path, sorted(rekeyed), current=True):
        entries[name] = _Entry(unpack_record(blob), fingerprint=state[name]["fingerprint"], blob=bytes(blob))
        entries[name].digest = state[name]["digest"]
    found = {name: facts.doc_facts(entry.record) for name, entry in entries.items()}

    fresh = facts.Merged()
    for name, f in found.items():
        fresh.add(f, res.key_map(name))
    merged = facts.Merged()
    docs = sorted(touched)
    fact_keys = {t: set() for t in FACT_TYPES}
    for key, entry in fresh.facts.items():
        fact_keys[entry.what[0]].add(key)
    for etype in FACT_TYPES:
        rows = _query(conn, cypher.facts_of_docs(etype), {"docs": docs})
        known = {r[0] for r in rows}
        missing = sorted(fact_keys[etype] - known)
        if missing:
            rows += _query(conn, cypher.facts_by_key(etype), {"keys": missing})
        for key, _la, head, _lb, tail, sentences, evidence in rows:
            merged.load_fact(etype, head, tail, key, sentences, evidence)
    rows = _query(conn, cypher.metrics_of_docs(), {"docs": docs})
    missing = sorted(set(fresh.metrics) - {r[0] for r in rows})
    if missing:
        rows += _query(conn, cypher.metrics_by_key(), {"keys": missing})
    for key, subject, _label, name, value, value_text, unit, as_of, sentences, evidence in rows:
        merged.load_metric(subject, (name, value, value_text, unit, as_of), key, sentences, evidence)
    stored_facts = {row["key"]: (etype, row) for etype, row in merged.fact_rows()}
    stored_metrics = {row["key"]: (row, rep) for row, rep in merged.metric_rows()}
    merged.drop_docs(touched)
    for name, f in found.items():
        merged.add(f, res.key_map(name))
    nodes = res.nodes if res.nodes is not None else _labels(conn, merged)
    fact_groups, pairs = _fact_groups(merged, nodes)
    undeclared = {t for t in FACT_TYPES if not pairs[t] <= ENDPOINTS[t]}
    if undeclared:
        have = _connections(conn, undeclared)
        if any(not pairs[t] <= have[t] for t in undeclared):  # a pair no table has yet: a new schema
            raise _NeedsFresh()
    metric_rows, reported = _metric_groups(merged, nodes)
    fact_changes = _fact_changes(stored_facts, fact_groups)
    fact_groups = _new_only(fact_groups, fact_changes, lambda group: group[0])
    figures = _Changes(metric_rows, {k: row for k, (row, _rep) in stored_metrics.items()}, list(NODE_PROPS["Metric"]))
    reports = _Changes([{**row, "_label": a} for (a, _b), group in reported.items() for row in group],
                       {rep["key"]: rep for _row, rep in stored_metrics.values() if rep},
                       list(EDGE_PROPS["REPORTED"]))
    reported = _new_only(reported, {None: reports}, lambda group: None)

    ent_delete, ent_update, ent_create = {}, {}, {}
    if res.nodes is not None:
        # Only entities of the touched documents can change: the others keep their members.
        near = {k for name in touched for k in _loads(stored.get(name, (None, b"[]"))[1])}
        near |= {k for name in touched for k in res.keys.get(name, ())}
        ent_delete, ent_update, ent_create = _entity_diff(conn, res.nodes, near)
    doc_rows, art_rows, has_rows, men_rows, lists = [], [], [], [], []
    for name in sorted(found):
        f, entry = found[name], entries[name]
        lists.append(_entity_lists(summaries.get(name, ()), res.keys.get(name, ())))
        doc_rows.append({**f.document, "fingerprint": entry.fingerprint, "digest": entry.digest,
                         "entity_lists": lists[-1][0]})
        art_rows += f.articles
        has_rows += f.has_article
        keys = res.key_map(name)
        for ent_id, label, values in f.mentions:
            row = dict(zip(facts.MENTION_FIELDS, values))
            men_rows.append({**row, "key": facts.mention_key(row["key"], keys[ent_id]), "source": keys[ent_id],
                             "_label": _entity_label(label)})
    with RecordFile(db_path) as records:  # before the store names them
        records.put([(entries[name].digest, entries[name].packed()) for name in changed])
        records.put_entity_lists(lists)
    doc_props = [p for p, _ in _node_columns("Document")[1:]]
    documents = _Changes(doc_rows, {row[0]: dict(zip(doc_props, row[1:])) for row in _query(
        conn, cypher.entity_rows_by_key("Document", doc_props), {"keys": [facts.doc_key(d) for d in docs]})},
        doc_props)
    kept_docs = {facts.doc_key(d) for d in docs} - {row["key"] for row in documents.new} - set(documents.gone)
    arts = _Changes(art_rows, _stored_articles(conn, docs), list(NODE_PROPS["Article"]))
    # A kept Document keeps its edges to its kept Articles.
    new_arts = {row["key"] for row in arts.new}
    has_rows = [row for row in has_rows if row["source"] not in kept_docs or row["target"] in new_arts]
    mentions = _Changes(men_rows, _stored_mentions(conn, docs), list(EDGE_PROPS["MENTIONED_IN"]))
    written = 0
    _exec(conn, "BEGIN TRANSACTION")
    try:
        for etype, changes in fact_changes.items():
            if changes.gone:
                _exec(conn, cypher.delete_edges_by_key(etype), {"keys": changes.gone})
        # (a figure's DETACH DELETE takes its REPORTED edge along)
        gone_figures = set(figures.gone)
        alone = [key for key in reports.gone if reports.was[key]["target"] not in gone_figures]
        if alone:
            _exec(conn, cypher.delete_edges_by_key("REPORTED"), {"keys": alone})
        if figures.gone:
            _exec(conn, cypher.delete_nodes_by_key("Metric"), {"keys": figures.gone})
        # Rows a page keeps stay as they are (see _Changes): deleting even one mention costs
        # the closing checkpoint a rewrite of its whole table (~0.25 s at 1,000 pages, 0.75 s
        # for a page's worth), setting a column of a few far less. Mentions are stored one
        # way (ONE_WAY_EDGES): deleting their Article would leave them, so they go first.
        if mentions.gone:
            _exec(conn, cypher.delete_edges_by_key("MENTIONED_IN"), {"keys": mentions.gone})
        if arts.gone:
            _exec(conn, cypher.delete_nodes_by_key("Article"), {"keys": arts.gone})
        if documents.gone:
            _exec(conn, cypher.delete_nodes_by_key("Document"), {"keys": documents.gone})
        for label, keys in ent_delete.items():
            _exec(conn, cypher.delete_nodes_by_key(label), {"keys": keys})
        for label, rows in ent_update.items():
            _exec(conn, cypher.update_nodes(label, list(ENTITY_PROPS)), {"rows": rows})
            written += len(rows)
        for label, rows in ent_create.items():
            _copy(conn, label, _rows_for(rows, _node_columns(label)))
            written += len(rows)
        for table, changes in (("Document", documents), ("Article", arts), ("Metric", figures)):
            for _none, props, rows in changes.sets():
                _exec(conn, cypher.update_nodes(table, props), {"rows": rows})
                written += len(rows)
        for label, rows in (("Document", documents.new), ("Article", arts.new), ("Metric", figures.new)):
            if rows:
                _copy(conn, label, _rows_for(rows, _node_columns(label)))
                written += len(rows)
        if has_rows:
            _copy(conn, "HAS_ARTICLE", _rows_for(has_rows, _edge_columns("HAS_ARTICLE")), ("Document", "Article"))
        for label, rows in sorted(mentions.by_label(mentions.new).items()):
            _copy(conn, "MENTIONED_IN", _rows_for(rows, _edge_columns("MENTIONED_IN")), (label, "Article"))
            written += len(rows)
        for etype, changes in [("MENTIONED_IN", mentions), *fact_changes.items(), ("REPORTED", reports)]:
            for label, props, rows in changes.sets():
                _exec(conn, cypher.update_edges(etype, label, props), {"rows": rows})
                written += len(rows)
        written += _copy_facts(lambda table, source, pair: _copy(conn, table, source, pair),
                               fact_groups, reported, _rows_for)
        written += len(has_rows)
        _exec(conn, "COMMIT")
    except BaseException:
        with contextlib.suppress(RuntimeError):
            conn.execute("ROLLBACK")
        raise
    return written


def _fact_changes(stored: dict, groups: dict) -> dict:
    """{fact type: _Changes} of the facts wanted (`groups`, as _fact_groups makes them)
    against those `stored` ({key: (type, row)}): a fact a change leaves as it was is not
    touched, one whose evidence moved has it set — every relation table a deletion or a
    creation touches costs the closing checkpoint a rewrite of it, a SET far less."""
    out = {}
    for etype in FACT_TYPES:
        rows = [{**row, "_label": a} for (t, a, _b), group in groups.items() if t == etype for row in group]
        was = {key: row for key, (t, row) in stored.items() if t == etype}
        out[etype] = _Changes(rows, was, list(EDGE_PROPS[etype]))
    return out


def _new_only(groups: dict, changes: dict, kind) -> dict:
    """`groups` ({(type or label pair…): rows}) keeping the rows `changes[kind(group)]` calls new."""
    out, new = {}, {}
    for group, rows in groups.items():
        k = kind(group)
        if k not in new:
            new[k] = {row["key"] for row in changes[k].new}
        rows = [row for row in rows if row["key"] in new[k]]
        if rows:
            out[group] = rows
    return out


class _Changes:
    """Rows a touched document wants against those stored for it, by key: `gone` (keys to
    delete), `changed` (rows whose properties differ: set them), `new` (rows to create).
    A row whose ends moved (its source or target) goes and comes back."""

    def __init__(self, rows, stored: dict, props):
        wanted = {row["key"]: row for row in rows}
        self.was = stored
        gone = {k for k, old in stored.items()
                if k not in wanted or any(wanted[k].get(e) != old.get(e) for e in ("source", "target"))}
        self.gone = sorted(gone)
        self.new = [row for k, row in wanted.items() if k not in stored or k in gone]
        ends = ["key", *(["source"] if any("source" in row for row in rows) else [])]
        # Only the properties that differ are set: at the checkpoint each column set is
        # rewritten, and a page lengthened by a correction moves only its offsets.
        self.changed = []
        for k, row in wanted.items():
            if k in stored and k not in gone:
                differ = tuple(p for p in props if row.get(p) != stored[k].get(p))
                if differ:
                    self.changed.append((differ, {f: row.get(f) for f in [*ends, *differ]}))
        self.labels = {k: row.get("_label") for k, row in wanted.items()}

    def by_label(self, rows) -> dict:
        """Rows of a relation with several start labels (MENTIONED_IN), by start label."""
        out = {}
        for row in rows:
            out.setdefault(self.labels[row["key"]], []).append(row)
        return out

    def sets(self) -> list:
        """[(start label or None, properties, rows)]: the changed rows, one SET statement each."""
        out = {}
        for differ, row in self.changed:
            out.setdefault((self.labels[row["key"]] or "", differ), []).append(row)
        return [(label or None, list(differ), rows) for (label, differ), rows in sorted(out.items())]


def _stored_articles(conn, docs) -> dict:
    props = list(NODE_PROPS["Article"])
    return {row[0]: dict(zip(props, row[1:]))
            for row in _query(conn, cypher.articles_of_docs(props), {"docs": docs})}


def _stored_mentions(conn, docs) -> dict:
    props = list(EDGE_PROPS["MENTIONED_IN"])
    return {row[0]: {"source": row[1], "target": row[2], **dict(zip(props, row[3:]))}
            for row in _query(conn, cypher.mentions_of_docs(props), {"docs": docs})}


def _connections(conn, types=FACT_TYPES) -> dict:
    """{relation type: {(from label, to label)}} the store's tables allow."""
    out = {}
    for etype in types:
        out[etype] = {(row[0], row[1]) for row in _query(conn, cypher.show_connection(etype))}
    return out


def _entity_diff(conn, nodes, near):
    """Entity nodes (among the keys `near`) to delete, update (props changed) and create so
    that the store holds `nodes`."""
    props = list(ENTITY_PROPS)
    keys = sorted(near)
    delete, update, create = {}, {}, {}
    for label in ENTITY_LABELS.values():
        stored = {row[0]: dict(zip(props, row[1:]))
                  for row in _query(conn, cypher.entity_rows_by_key(label, props), {"keys": keys})}
        wanted = {k: {p: v[p] for p in props} for k, v in nodes.items() if v["label"] == label and k in near}
        gone = sorted(set(stored) - set(wanted))
        if gone:
            delete[label] = gone
        changed = [{"key": k, **v} for k, v in sorted(wanted.items()) if k in stored and stored[k] != v]
        if changed:
            update[label] = changed
        new = [{"key": k, **v} for k, v in sorted(wanted.items()) if k not in stored]
        if new:
            create[label] = new
    return delete, update, create


# ------------------------------------------------------------------ build


def _remove(path: Path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _clean_stale_builds(target: Path):
    """Remove staging folders of builds that were killed midway (their process is gone)."""
    for staging in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            pid = int((staging / PID_FILE).read_text())
            os.kill(pid, 0)
            continue  # that build is still running
        except ProcessLookupError:
            _remove(staging)
        except (OSError, ValueError):
            continue  # not ours, or no pid yet: leave it


@contextlib.contextmanager
def _work_folder(target: Path):
    """A private folder beside the store for spooled rows and records, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        (folder / PID_FILE).write_text(str(os.getpid()))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_fresh(target: Path, entries, log) -> tuple[int, int]:
    """A new store at `target` from `entries` (an iterable of _Entry), swapped in atomically;
    (rows written, documents)."""

    def build(tmp: Path) -> tuple[int, int]:
        (tmp.parent / PID_FILE).write_text(str(os.getpid()))
        spool = tmp.parent / "rows"
        spool.mkdir()
        with RecordFile(target) as records:
            fresh = FreshBuild(spool, records)
            for entry in entries:
                fresh.add(entry)
            fresh.flush_records()
            try:
                written = fresh.finish(lambda: _connect(tmp, read_only=False), log), len(fresh.latest)
                _note_fresh_size(tmp)
            except RecordsError:
                raise
            except (RuntimeError, StoreError, OSError) as exc:
                if disk_full(tmp.parent):
                    raise StoreError(f"{target}: cannot write: no space left on device") from None
                raise StoreError(f"{target}: cannot write the new database ({_one_line(exc)})") from None
        shutil.rmtree(spool, ignore_errors=True)
        left = [s for s in SIDECARS if Path(f"{tmp}{s}").exists()]
        if left and disk_full(tmp.parent):  # LadybugDB could not checkpoint: the disk filled up
            raise StoreError(f"{target}: cannot write: no space left on device")
        if left:
            raise StoreError(f"{target}: the new database did not close cleanly ({left[0]} file left)")
        # A stale WAL beside the target would be replayed onto the new file.
        for s in SIDECARS:
            _remove(Path(f"{target}{s}"))
        return written

    return atomic_output(target, build)


def _note_fresh_size(path: Path):
    """Keep the new file's size in it (the Article table's comment), for _grown."""
    size = path.stat().st_size
    with _connect(path, read_only=False) as conn:
        _exec(conn, cypher.comment_on_table("Article", f"{FRESH_SIZE_NOTE} {size}"))


def build_store(records, db_path=DEFAULT_DB, *, remove=(), fingerprints=None, progress=None, stored=None) -> dict:
    """Add records to the store at db_path (creating it), replacing each document's old rows.

    `remove`: documents to take out (`kg build --prune`). `fingerprints`:
    {doc: extractor fingerprint} of records extracted from pages (looked up as
    each record arrives, so a generator may fill it). A record whose digest
    and fingerprint equal the stored ones changes nothing. `progress(message)`
    is told what is being written. `stored`: what `stored_documents(db_path)`
    gave the caller under the same build lock, so that it is not read again.

    Returns graph counts plus "documents", "skipped", "rows" (nodes and edges
    written), "changed", "removed", "seconds" (time in the store, which a
    caller extracting pages meanwhile can tell from its own) and
    "write_seconds" (the part of it LadybugDB spent writing: statements,
    COPYs, commits and the closing checkpoint).
    """
    target = Path(db_path)
    log = progress or (lambda msg: None)
    fingerprints = fingerprints if fingerprints is not None else {}
    spent = 0.0
    started = time.perf_counter()

    def timed(iterable):
        """Time spent waiting for records (extraction) is not the store's."""
        nonlocal spent
        it = iter(iterable)
        while True:
            t0 = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                spent += time.perf_counter() - t0
                return
            spent += time.perf_counter() - t0
            yield item

    WRITE_CLOCK.seconds = 0.0
    target.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(target):
        _clean_stale_builds(target)
        if not target.exists():  # nothing stored yet, so nothing to remove
            try:
                written, changed = _write_fresh(target, (_Entry(r, fingerprints.get(r["doc"]))
                                                         for r in timed(records)), log)
            except BaseException:
                if not target.exists():  # the records file holds this build's records alone
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(records_path(target))
                raise
            removed = 0
        else:
            written, changed, removed = _build_existing(target, timed(records), remove, fingerprints, log, stored)
    result = _after_build(target, forget=bool(changed or removed))
    result.update(documents=result["nodes"]["Document"], skipped=result.pop("skipped_documents"), rows=written,
                  changed=changed, removed=removed,
                  seconds=time.perf_counter() - started - spent, write_seconds=WRITE_CLOCK.seconds)
    return result


def _after_build(target: Path, forget: bool) -> dict:
    """The store's counts (store_stats), and with `forget` the records no Document of the store
    (now in place) names removed from the records file: one visit to the store for both."""
    with _connect(target, read_only=True) as conn:
        result = _counts(conn, target)
        named = _query(conn, cypher.all_digests()) if forget else None
    if named is not None:
        with RecordFile(target) as records:
            records.keep([row[0] for row in named], [row[1] for row in named])
    return result


def _build_existing(target: Path, records, remove, fingerprints, log, stored=None):
    if stored:  # documents in the current layout, as the caller read them under this build's lock
        current, state = True, {name: dict(doc) for name, doc in stored.items()}
    else:
        with _connect(target, read_only=True) as conn:
            current = _Layout(conn, target).current
            state = {} if not current else {
                name: {"sha1": sha1, "digest": digest, "fingerprint": fp, "skipped": skipped}
                for name, sha1, digest, fp, skipped in _query(conn, cypher.document_state())}
    # A store whose records file is gone is written afresh from the records given, which
    # must then be all it holds (docs/ERRORS.md).
    kept = _has_records(target)
    with _work_folder(target) as work:
        spool_path = work / "records.jsonl"
        changed_docs, refingerprinted, n = {}, {}, 0
        with open(spool_path, "wb") as spool:
            for record in records:
                doc = record["doc"]
                entry = _Entry(record, fingerprints.get(doc))
                old = state.get(doc)
                if current and kept and old and old["digest"] == entry.digest:
                    changed_docs.pop(doc, None)  # an earlier record of it in this build is superseded
                    if old["fingerprint"] != entry.fingerprint:  # read again, found the same: note who read it
                        refingerprinted[doc] = entry.fingerprint
                    continue
                spool.write(entry.data + b"\n")
                changed_docs[doc] = (n, entry.fingerprint)
                n += 1
        remove = set(remove)  # known once the records are read (kg build --prune)
        removed = {d for d in remove if d in state or d in changed_docs}
        for d in removed:
            changed_docs.pop(d, None)
            refingerprinted.pop(d, None)
        for d in changed_docs:
            refingerprinted.pop(d, None)
        if refingerprinted:
            _set_fingerprints(target, refingerprinted)
            for d, fp in refingerprinted.items():
                state[d]["fingerprint"] = fp
        if current and not changed_docs and not removed:
            log("nothing changed")
            return 0, 0, 0

        def spooled():
            with open(spool_path, "rb") as fh:
                for i, line in enumerate(fh):
                    record = _loads(line)
                    doc = record["doc"]
                    if doc in changed_docs and changed_docs[doc][0] == i:  # the last record of a doc wins
                        yield _Entry(record, changed_docs[doc][1], data=line.rstrip(b"\n"))

        small = len(changed_docs) <= max(IN_PLACE_FLOOR, IN_PLACE_SHARE * len(state | changed_docs))
        if current and not kept:
            small = False
        if current and small:
            entries = {e.record["doc"]: e for e in spooled()}
            try:
                return _write_in_place(target, entries, removed, state, log), len(entries), len(removed)
            except _NeedsFresh:
                pass

        def everything():
            """The stored records that stay, then the new ones."""
            with _connect(target, read_only=True) as conn:
                names = [r[0] for r in _query(conn, cypher.document_names())]
                keep = [n for n in names if n not in changed_docs and n not in removed]
                for name, blob in _record_rows(conn, target, keep, current):
                    try:
                        record = unpack_record(blob)
                    except (TypeError, ValueError):
                        raise StoreError(f"{target}: the stored record of {name} is damaged; "
                                         f"rebuild from the pages") from None
                    if current:  # kept as stored, digest and all
                        entry = _Entry(record, state[name]["fingerprint"], blob=bytes(blob))
                        entry.digest = state[name]["digest"]
                        yield entry
                    else:  # an older layout: its records, read again
                        yield _Entry(record)
            yield from spooled()

        log("writing a fresh store")
        written, _docs = _write_fresh(target, everything(), log)
        return written, len(changed_docs), len(removed)


def _grown(conn, target: Path, log) -> bool:
    """Whether updates have grown the store past STORE_GROWTH times its size when written afresh."""
    fresh = _Layout(conn, target).fresh_bytes
    size = target.stat().st_size
    if fresh is None or size <= STORE_GROWTH * fresh:
        return False
    log(f"updates have grown the store from {fresh / 2**20:.0f} MB to {size / 2**20:.0f} MB: writing it afresh")
    return True


def _write_in_place(target: Path, entries, removed, state, log) -> int:
    """`_update_in_place` on a copy of the store, swapped in when it is whole.

    The copy costs a file copy (the store is a fraction of its pages' size);
    in exchange readers never wait for a build nor see one half done, and a
    build that fails — a full disk while LadybugDB checkpoints, a kill —
    leaves the old store exactly as it was, with no WAL beside it.
    """
    def change(conn):
        if _grown(conn, target, log):
            raise _NeedsFresh()
        with _collector_paused():
            return _update_in_place(conn, target, entries, removed, state, log)

    return _on_a_copy(target, change)


def _settle(target: Path):
    """A store with a WAL beside it (a `kg query --write` killed midway) is recovered first:
    a copy of the main file alone would lose what the WAL holds."""
    if any(Path(f"{target}{s}").exists() for s in SIDECARS):
        try:
            with _connect(target, read_only=False):
                pass
        except StoreError:
            raise
        except (RuntimeError, OSError) as exc:
            raise StoreError(f"{target}: cannot recover the database ({_one_line(exc)})") from None


def _on_a_copy(target: Path, change) -> int:
    """Run `change(conn)` on a copy of the store and swap the copy in when it closed cleanly."""
    _settle(target)

    def update(tmp: Path) -> int:
        (tmp.parent / PID_FILE).write_text(str(os.getpid()))
        try:
            shutil.copyfile(target, tmp)
            with _connect(tmp, read_only=False) as conn:
                written = change(conn)
                closing = time.perf_counter()
            WRITE_CLOCK.seconds += time.perf_counter() - closing  # the checkpoint
        except (RuntimeError, OSError) as exc:
            if disk_full(tmp.parent):
                raise StoreError(f"{target}: cannot write: no space left on device") from None
            raise StoreError(f"{target}: cannot update the database ({_one_line(exc)})") from None
        left = [s for s in SIDECARS if Path(f"{tmp}{s}").exists()]
        if left and disk_full(tmp.parent):  # LadybugDB could not checkpoint: the disk filled up
            raise StoreError(f"{target}: cannot write: no space left on device")
        if left:
            raise StoreError(f"{target}: the updated database did not close cleanly ({left[0]} file left)")
        return written

    return atomic_output(target, update)


def _set_fingerprints(target, fingerprints: dict):
    """Documents extracted again with the same result only take the new fingerprint."""
    rows = [{"key": f"doc:{d}", "fingerprint": fp} for d, fp in sorted(fingerprints.items())]

    def change(conn):
        _exec(conn, cypher.update_nodes("Document", ["fingerprint"]), {"rows": rows})
        return 0

    _on_a_copy(target, change)


