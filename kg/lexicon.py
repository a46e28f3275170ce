"""Loaders for the word lists and patterns in `config/`, one function per file shape.

Word lists are UTF-8 text, one entry per line, `#` starts a comment. Pattern
files are JSON Lines. A malformed line raises `ConfigError` naming the file
and the line, so a typo in a rule file is a one-line message, not a traceback.
Results are cached per path: components share them and a pipeline loads each
file once.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kg.errors import ConfigError


def resolve(path: str | Path) -> Path:
    """A config file's path; `config/…` relative paths (the components' defaults, so
    nlp.add_pipe("kg_branch_finder") works in anyone's pipeline) mean kg's own config/."""
    path = Path(path)
    if not path.is_absolute() and not path.exists() and path.parts[:1] == ("config",):
        from kg.paths import config_dir

        return config_dir().joinpath(*path.parts[1:])
    return path


def _lines(path: str | Path):
    path = resolve(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, text_line(path, exc.start), "not UTF-8") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read ({exc.strerror})") from None
    for n, line in enumerate(text.splitlines(), 1):
        yield n, line


def text_line(path: Path, byte_offset: int) -> int:
    """The 1-based line holding a byte offset (for decoding errors)."""
    return path.read_bytes()[:byte_offset].count(b"\n") + 1


@lru_cache(maxsize=None)
def word_list(path: str) -> tuple[str, ...]:
    """Entries of a word list, in file order: whitespace-separated, `#` to line end is a comment.

    Commas and quote marks are never part of an entry, so one on a line is a typo
    (a list pasted as `a, b` or `"a"`) and is reported with its line.
    """
    words = []
    for n, line in _lines(path):
        for entry in line.split("#", 1)[0].split():
            bad = [ch for ch in entry if ch in _NOT_IN_ENTRIES]
            if bad:
                raise ConfigError(path, n, f"unexpected {bad[0]!r} in entry {entry!r} (entries are separated by spaces)")
            words.append(entry)
    return tuple(words)


_NOT_IN_ENTRIES = set(',，;；"\'“”‘’[]{}')


@lru_cache(maxsize=None)
def jsonl(path: str, required: tuple[str, ...] = ()) -> tuple[dict, ...]:
    """Objects of a JSON Lines file; each must carry the `required` keys."""
    rows = []
    for n, line in _lines(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(path, n, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise ConfigError(path, n, "expected a JSON object")
        missing = [k for k in required if k not in row]
        if missing:
            raise ConfigError(path, n, f"missing key(s) {', '.join(missing)}")
        rows.append(row)
    return tuple(rows)


@lru_cache(maxsize=None)
def abbreviator(path: str):
    """A function writing a name's words in their official short forms (医疗保障局 → 医保局)."""
    pairs = sorted(((r["full"], r["short"]) for r in jsonl(path, ("full", "short"))), key=lambda p: -len(p[0]))

    def short(text: str) -> str:
        for full, abbr in pairs:
            text = text.replace(full, abbr)
        return text

    return short


def cues(path: str, relation: str) -> tuple[str, ...]:
    """The cue words config/relation_cues.jsonl gives for one relation type."""
    return next((tuple(r["cues"]) for r in jsonl(path, ("type", "cues")) if r["type"] == relation), ())


def longest_first(words) -> list[str]:
    """Alternations must try longer words first (分公司 before 公司)."""
    return sorted(set(words), key=lambda w: (-len(w), w))
