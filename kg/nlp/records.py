"""Reading and writing extraction records (one JSON object per line, docs/FORMAT.md).

A record read from a file is checked against RECORD_SCHEMA (the types the
graph builder relies on; fields it does not know may be added freely), so a
hand-edited file gives one line naming the file, the line and the field,
never a traceback from deep in the graph builder or a server.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import fastjsonschema

from kg.atomic import atomic_write
from kg.errors import InputError

ENTITY_LABELS = ["BRANCH", "PARTNER", "PRODUCT", "PROGRAM", "PERSON"]
RELATION_TYPES = ["RUNS", "OFFERS", "PARTNERS_WITH", "FINANCES", "WORKS_AT", "PART_OF"]
# Names become node keys: no C0 control characters (XML 1.0 forbids them; a
# NUL stops a FalkorDB load midway). Other text, which may quote a page's
# stray ESC, only may not hold a NUL (extraction never writes one).
_NAME = {"type": "string", "pattern": "^[^\\x00-\\x1f]*$"}
_TEXT = {"type": ["string", "null"], "pattern": "^[^\\x00]*$"}
_INT = {"type": ["integer", "null"]}
_REF = {"type": "object", "required": ["id"],
        "properties": {"id": {"type": ["integer", "string"]}, "name": _NAME, "label": {"enum": ENTITY_LABELS}}}
_WHERE = {"article": _INT, "sentence": _TEXT, "start": _INT, "end": _INT, "rule": _TEXT}
RECORD_SCHEMA = {
    "type": "object",
    "required": ["doc"],
    "properties": {
        "doc": {**_NAME, "minLength": 1},
        "path": _TEXT, "sha1": _TEXT, "chars": _INT, "skipped": _TEXT,
        "date": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, "date_from": _TEXT,
        "page": _INT, "pages": _INT,  # a PDF page's number, and its file's page count
        "articles": {"type": "array", "items": {"type": "object", "required": ["index"], "properties": {
            "index": {"type": "integer"}, "title": _TEXT, "subtitle": _TEXT,
            "bylines": {"type": "array", "items": _TEXT}, "start": _INT, "end": _INT}}},
        "entities": {"type": "array", "items": {"type": "object", "required": ["id", "label", "name"], "properties": {
            "id": {"type": ["integer", "string"]}, "label": {"enum": ENTITY_LABELS}, "name": {**_NAME, "minLength": 1},
            "aliases": {"type": "array", "items": _NAME}, "qualified": _NAME,
            "region": {"type": "array", "items": _NAME},
            "mentions": {"type": "array", "items": {"type": "object", "properties": {"text": _TEXT, **_WHERE}}}}}},
        "relations": {"type": "array", "items": {"type": "object", "required": ["type", "head", "tail"],
                                                 "properties": {"type": {"enum": RELATION_TYPES}, "head": _REF,
                                                                "tail": _REF, "title": _TEXT, **_WHERE}}},
        "metrics": {"type": "array", "items": {"type": "object", "properties": {
            "subject": {"anyOf": [_REF, {"type": "null"}]}, "name": {"anyOf": [_NAME, {"type": "null"}]},
            "value": {"type": ["number", "null"]}, "value_text": _TEXT, "unit": _TEXT, "as_of": _TEXT,
            "as_of_text": _TEXT, "text": _TEXT, "rank": _TEXT, "value_max": {"type": ["number", "null"]}, **_WHERE}}},
    },
}


class RecordError(InputError):
    """A record file (or one record) that does not follow docs/FORMAT.md."""


@lru_cache(maxsize=1)
def _validator():
    return fastjsonschema.compile(RECORD_SCHEMA)


_PATH = re.compile(r"^data\.?")


def check_record(record, where) -> dict:
    """The record itself when it follows RECORD_SCHEMA, else RecordError naming the field."""
    if not isinstance(record, dict):
        raise RecordError(where, "a record must be a JSON object")
    if not isinstance(record.get("doc"), str) or not record["doc"]:
        raise RecordError(where, 'a record needs a non-empty string "doc"')
    try:
        _validator()(record)
    except fastjsonschema.JsonSchemaValueException as exc:
        field = _PATH.sub("", exc.path and ".".join(str(p) for p in exc.path) or exc.name or "")
        problem = re.sub(r"must match pattern .*$", "must not contain control characters",
                         _PATH.sub("", exc.message))
        raise RecordError(where, f"doc {record['doc']}: {problem or field}") from None
    return record


def iter_records(path) -> Iterator[dict]:
    """Records from a JSON Lines file; a bad line is a RecordError naming file and line."""
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise RecordError(path, exc.strerror or "cannot be read") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordError(f"{path}:{lineno}", f"not JSON ({exc.msg})") from None
            except UnicodeDecodeError:
                raise RecordError(f"{path}:{lineno}", "not UTF-8 text") from None
            yield check_record(record, f"{path}:{lineno}")


def read_records(path) -> list[dict]:
    return list(iter_records(path))


def write_records(records: Iterable[dict], path) -> int:
    """Write records as JSON Lines atomically; returns how many were written."""
    n = 0
    with atomic_write(path) as fh:
        for record in records:
            # Streamed: a record of a huge page is never held twice, as a dict and as text.
            json.dump(record, fh, ensure_ascii=False)
            fh.write("\n")
            n += 1
    return n
