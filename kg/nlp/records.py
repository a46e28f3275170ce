"""Reading and writing extraction records (one JSON object per line, docs/FORMAT.md)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from kg.atomic import atomic_write
from kg.errors import InputError


class RecordError(InputError):
    """A record file (or one record) that does not follow docs/FORMAT.md."""


def check_record(record, where) -> dict:
    """The record itself when it has what the graph builder needs, else RecordError."""
    if not isinstance(record, dict):
        raise RecordError(where, "a record must be a JSON object")
    if not isinstance(record.get("doc"), str) or not record["doc"]:
        raise RecordError(where, 'a record needs a non-empty string "doc"')
    for field in ("articles", "entities", "relations", "metrics"):
        if not isinstance(record.get(field) or [], list):
            raise RecordError(where, f'"{field}" must be a list (doc {record["doc"]})')
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
