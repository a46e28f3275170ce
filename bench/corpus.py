"""Benchmark pages of a given size, recombined from the project's real pages.

The sources are the sample page and the dev page. Each is cut into raw article
blocks — the original text, PDF artefacts and all (a blank line after every
printed line, spaces inside justified runs, words broken at line ends) — at the
line where kg's segmenter starts an article. A page of N bytes is those blocks
drawn at random (seeded) until N bytes are reached, so the reader, cleaner and
segmenter see the same kind of text as on a real page, only more of it.

    python bench/corpus.py            # writes bench/corpus/page_{1,10,50}mb.txt if missing
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_DIR = HERE / "corpus"
SEED = 20240531
SIZES_MB = (1, 10, 50)
SOURCES = (ROOT / "examples" / "sample_page.txt",
           ROOT.parent / "shared" / "corpus" / "dev" / "000_09546977b2fce549.txt")
# Folders of page-sized pages (the store benchmarks) also draw on the dev2 pages,
# so that their pages differ more; the 1/10/50 MB pages keep SOURCES, as measured before.
PAGE_SOURCES = (*SOURCES, *sorted((ROOT.parent / "shared" / "corpus" / "dev2").glob("*.txt")))
PAGE_BYTES = 14_000
MB = 1024 * 1024


def raw_blocks(raw: str) -> list[str]:
    """The raw page cut at the start of the line where each article begins; nothing is dropped."""
    from kg.text.clean import clean_text
    from kg.text.segment import segment

    cleaned = clean_text(raw)
    cuts = {0}
    for article in segment(cleaned):
        start, _ = cleaned.original_span(article.start, article.end)
        cuts.add(raw.rfind("\n", 0, start) + 1)
    cuts = sorted(cuts) + [len(raw)]
    blocks = [raw[a:b] for a, b in zip(cuts, cuts[1:]) if raw[a:b].strip()]
    # Every block ends with a paragraph break so two blocks never run into one line.
    return [b if b.endswith("\n\n") else b.rstrip("\n") + "\n\n" for b in blocks]


def source_blocks(sources=SOURCES) -> list[str]:
    blocks = []
    for path in sources:
        if not path.exists():
            raise SystemExit(f"{path}: source page missing (the dev page lives in ../shared/corpus)")
        blocks.extend(raw_blocks(path.read_text(encoding="utf-8")))
    return blocks


def generate(size_bytes: int, blocks: list[str], seed: int) -> str:
    """Blocks drawn at random (never the same one twice running) until `size_bytes` UTF-8 bytes."""
    rng = random.Random(seed)
    encoded = [len(b.encode("utf-8")) for b in blocks]
    parts, total, last = [], 0, None
    while total < size_bytes:
        i = rng.randrange(len(blocks))
        if i == last and len(blocks) > 1:
            continue
        parts.append(blocks[i])
        total += encoded[i]
        last = i
    return "".join(parts)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def ensure_folder(n_files: int, directory: Path = CORPUS_DIR, seed: int = SEED) -> Path:
    """A folder of n small pages (one raw article block each, ~3 KB), the shape of a year of clippings."""
    folder = directory / f"folder_{n_files}"
    if folder.is_dir() and len(list(folder.glob("*.txt"))) == n_files:
        return folder
    blocks = source_blocks()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        block = rng.choice(blocks)
        lines = block.split("\n")
        start = rng.randrange(0, max(1, len(lines) - 80))
        (folder / f"page_{i:05d}.txt").write_text("\n".join(lines[start:start + 80]), encoding="utf-8")
    return folder


def ensure_pages(n_pages: int, directory: Path = CORPUS_DIR, seed: int = SEED,
                 page_bytes: int = PAGE_BYTES) -> Path:
    """A folder of n newspaper-sized pages (~14 KB, like the dev pages), each raw article
    blocks of the real pages drawn at random (seeded): the same reports recur across
    pages, as they do across a paper's issues. Page i is the same whatever n is, so the
    100-page folder is the first tenth of the 1,000-page one."""
    folder = directory / f"pages_{n_pages}"
    if folder.is_dir() and len(list(folder.glob("*.txt"))) == n_pages:
        return folder
    blocks = source_blocks(PAGE_SOURCES)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_pages):
        text = generate(page_bytes, blocks, seed * 100_003 + i)
        _write_atomic(folder / f"page_{i:05d}.txt", text.encode("utf-8"))
    return folder


def page_path(size_mb: int, directory: Path = CORPUS_DIR) -> Path:
    return directory / f"page_{size_mb}mb.txt"


def ensure_corpus(sizes_mb=SIZES_MB, directory: Path = CORPUS_DIR, seed: int = SEED) -> dict:
    """Make the pages that are missing or were made otherwise; return their manifest.

    The manifest (corpus/manifest.json) records seed, sources, block count and
    each page's size and SHA-1, so a result can be tied to the exact text.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    if manifest.get("seed") != seed:
        manifest = {"seed": seed, "pages": {}}
    blocks = None
    for size in sizes_mb:
        path = page_path(size, directory)
        entry = manifest["pages"].get(str(size))
        if entry and path.exists() and path.stat().st_size == entry["bytes"]:
            continue
        if blocks is None:
            blocks = source_blocks()
        data = generate(size * MB, blocks, seed + size).encode("utf-8")
        _write_atomic(path, data)
        manifest["pages"][str(size)] = {"file": path.name, "bytes": len(data),
                                        "chars": len(data.decode("utf-8")),
                                        "sha1": hashlib.sha1(data).hexdigest()}
    if blocks is not None:
        manifest["sources"] = [os.path.relpath(p, ROOT) for p in SOURCES]
        manifest["blocks"] = len(blocks)
    _write_atomic(manifest_path, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    return manifest


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(ensure_corpus(), indent=1, ensure_ascii=False))
