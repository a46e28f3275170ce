"""Helpers for the extractor tests: lay out text the way PDF extraction prints a
newspaper column, and look things up in an extraction record by name."""
from __future__ import annotations

from functools import lru_cache

COLUMN = 16  # characters per printed line of a column


def column(*paragraphs: str, width: int = COLUMN, blank_after_each: bool = True) -> str:
    """Print paragraphs as a PDF column: fixed-width lines, a blank line after each.

    A paragraph given as a one-element tuple, e.g. ("□王强 李明",), is printed
    as one line as it is (headlines, bylines).
    """
    lines: list[str] = []
    for para in paragraphs:
        if isinstance(para, tuple):
            lines.extend(para)
            continue
        for i in range(0, len(para), width):
            lines.append(para[i:i + width])
    sep = "\n\n" if blank_after_each else "\n"
    return sep.join(lines) + "\n"


@lru_cache(maxsize=None)
def _extract_cached(text: str) -> dict:
    from kg.nlp.extract import extract_text
    return extract_text(text, "test.txt")


def extract(text: str) -> dict:
    """The record of `text` (cached: several tests read the same sentence)."""
    return _extract_cached(text)


def entities(record: dict, label: str | None = None) -> dict[str, dict]:
    """Canonical name → entity (optionally of one label)."""
    return {e["name"]: e for e in record["entities"] if label is None or e["label"] == label}


def entity_of(record: dict, name: str) -> dict | None:
    """The entity that has `name` among its aliases, or None."""
    for e in record["entities"]:
        if name in e["aliases"]:
            return e
    return None


def names(record: dict, label: str | None = None) -> set[str]:
    return {e["name"] for e in record["entities"] if label is None or e["label"] == label}


def all_aliases(record: dict, label: str | None = None) -> set[str]:
    return {a for e in record["entities"] if label is None or e["label"] == label for a in e["aliases"]}


def relations(record: dict, rtype: str | None = None) -> set[tuple]:
    """{(type, head name, tail name)} with canonical names."""
    return {(r["type"], r["head"]["name"], r["tail"]["name"]) for r in record["relations"]
            if rtype is None or r["type"] == rtype}


def has_relation(record: dict, rtype: str, head: str, tail: str) -> bool:
    """A relation of `rtype` between the entities having `head` and `tail` among their aliases."""
    h, t = entity_of(record, head), entity_of(record, tail)
    if h is None or t is None:
        return False
    return any(r["type"] == rtype and r["head"]["id"] == h["id"] and r["tail"]["id"] == t["id"]
               for r in record["relations"])


def metrics(record: dict) -> list[dict]:
    return record["metrics"]


def metric(record: dict, value, unit: str | None = None) -> dict | None:
    """The metric with this value (and unit), or None."""
    for m in record["metrics"]:
        if m["value"] == value and (unit is None or m["unit"] == unit):
            return m
    return None


def assert_listed_once(record: dict) -> None:
    """Each (label, canonical name) appears once, and no alias is shared by two entities of a label."""
    keys = [(e["label"], e["name"]) for e in record["entities"]]
    assert len(keys) == len(set(keys)), keys
    seen: dict = {}
    for e in record["entities"]:
        for a in e["aliases"]:
            assert (e["label"], a) not in seen, f"{a} in two {e['label']} entities"
            seen[(e["label"], a)] = e["id"]
