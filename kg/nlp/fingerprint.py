"""A digest of everything that decides what extraction finds from a page.

`kg build` keeps it beside each page it extracted; a page whose bytes and
fingerprint are both unchanged is not read again. The digest covers the
pipeline config, every file under config/ (word lists, patterns), kg's own
reading and extraction code, and spaCy's version. Computed without importing
spaCy, so a build with nothing to extract starts quickly.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kg.paths import config_dir, pipelines_dir

_CODE = Path(__file__).resolve().parent.parent  # the kg package


def _pipeline_file(name: str) -> Path:
    # as kg.nlp.pipeline.pipeline_path, which imports spaCy
    path = Path(name)
    if path.suffix == ".cfg" or path.exists():
        return path
    return pipelines_dir() / f"{name}.cfg"


def _files(folder: Path, pattern: str):
    return sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


@lru_cache(maxsize=8)
def pipeline_fingerprint(name: str = "default") -> str:
    """16 hex digits; equal fingerprints mean a page would be extracted the same way."""
    digest = hashlib.sha1()

    def add(label: str, path: Path):
        digest.update(label.encode("utf-8") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")

    add("pipeline", _pipeline_file(name))
    root = config_dir()
    for path in _files(root, "*"):
        add(f"config/{path.relative_to(root).as_posix()}", path)
    for stage in ("text", "nlp"):
        for path in _files(_CODE / stage, "*.py"):
            add(path.relative_to(_CODE).as_posix(), path)
    try:
        digest.update(metadata.version("spacy").encode())
    except metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:16]
