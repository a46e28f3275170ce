"""Finding and reading the page files users point kg at, whatever state they are in.

Nothing here prints or raises for a bad file: `read_page` returns a `Skip`
carrying the path and a one-line reason, and the CLI decides how to show it.
The only exceptions raised are `kg.errors.InputError`s: from `iter_page_chunks`,
when a huge file turns out undecodable part-way through, and from
`discover_documents`, when two files of one run would share a document name.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import InputError

# Detection and the cheap checks look at this much of a file; big enough for
# charset-normalizer to be sure, small enough to stay cheap on a 50 MB page.
HEAD_BYTES = 64 * 1024

# Above this size the extractor should stream the page with `iter_page_chunks`.
LARGE_PAGE_BYTES = 8 * 1024 * 1024

# Only encodings Chinese newspaper text actually arrives in; letting
# charset-normalizer try every code page makes it "succeed" on garbage.
DETECT_CANDIDATES = ["gb18030", "big5"]

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

_MAGIC = [
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"{\\rtf", "RTF document"),
]

# The start of a record file `kg extract` wrote (docs/FORMAT.md): one JSON object per line, "doc" first.
_KG_RECORDS = re.compile(rb'\s*\{"doc": ')

# CJK Unified Ideographs with extensions A-H and compatibility ideographs.
_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

_NON_ASCII = re.compile(rb"[\x80-\xff]")

# What Chinese news text is made of: ideographs, ASCII, CJK and full-width punctuation.
_PLAIN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\t\n\r\x20-\x7e\u3000-\u303f\uff00-\uffef\u2010-\u2027]")

# A chunk may end after a blank line, or after a line whose last sentence
# ends in 。！？ (possibly inside closing quotes/brackets).
_BOUNDARY = re.compile(
    "\n[ \t\r\u3000]*\n|[。！？!?][”’」』）)\"']*[ \t\r\u3000]*\n"
)


@dataclass(frozen=True)
class Page:
    """A page's decoded text. `sha1` is of the file's bytes."""

    path: Path
    text: str
    encoding: str
    sha1: str
    # With lenient=True: how many undecodable bytes (or NULs) became U+FFFD, and where the first was.
    replaced: int = 0
    first_bad: int | None = None


@dataclass(frozen=True)
class Skip:
    """A file that was not read, and why (one line)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class PageInfo:
    """What the cheap checks on a file's first `HEAD_BYTES` found."""

    path: Path
    encoding: str
    size: int


# ---------------------------------------------------------------- discovery

# What a folder is searched for: text pages, and PDF pages (read by kg.text.pdf).
PAGE_SUFFIXES = (".txt", ".pdf")


def is_pdf(path: str | os.PathLike) -> bool:
    """A file to read as a PDF (by its name: a .txt holding PDF bytes is reported as binary)."""
    return Path(path).suffix.lower() == ".pdf"


def discover(inputs: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()) -> Iterator[Path]:
    """Yield the files to read: files given directly, `*.txt` and `*.pdf` found in folders.

    Inputs keep the order given; each folder is walked recursively in sorted
    order, one directory listing in memory per level. Hidden entries and
    symlinked folders inside a folder are not followed (loops, `.git`).
    A missing input, or a folder that cannot be listed, is still yielded so
    that `read_page` reports it as a `Skip` and the run accounts for it.
    Each file is yielded once even if named twice; files in `exclude` (the
    run's own output) never.
    """
    for path, _doc in discover_documents(inputs, exclude):
        yield path


def discover_documents(inputs: Iterable[str | os.PathLike],
                       exclude: Iterable[str | os.PathLike] = ()) -> Iterator[tuple[Path, str]]:
    """`discover`, each file with its document name: its path relative to the folder given
    (`2023-03/page1.txt`, always with `/`), or its file name when the file itself was given.

    Two files of one run may not share a name (`a/page1.txt` and `b/page1.txt`
    given as two folders): that raises `InputError`, since one would hide the
    other's facts; give their common folder instead.
    """
    seen: set[Path] = set()
    for path in exclude:
        _first_time(Path(path), seen)
    names: dict[str, Path] = {}

    def named(path: Path, doc: str):
        other = names.setdefault(doc, path)
        if other != path:
            raise InputError(path, f"has the same document name {doc!r} as {other}; "
                                   f"give the folder that holds both instead")
        return path, doc

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for found in _walk(path):
                if _first_time(found, seen):
                    rel = found.relative_to(path).as_posix() if found != path else found.name
                    yield named(found, rel)
        elif _first_time(path, seen):
            yield named(path, path.name)


def _first_time(path: Path, seen: set[Path]) -> bool:
    try:
        key = path.resolve()
    except (OSError, RuntimeError):
        key = path.absolute()
    if key in seen:
        return False
    seen.add(key)
    return True


def file_sha1(path: str | os.PathLike) -> str | None:
    """SHA-1 of a file's bytes (what a record's `sha1` holds), or None when it cannot be read."""
    digest = hashlib.sha1()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _walk(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(entry.path))
        elif entry.name.lower().endswith(PAGE_SUFFIXES):
            yield Path(entry.path)


# ------------------------------------------------------------------ reading


def read_page(path: str | os.PathLike, *, lenient: bool = False) -> Page | Skip:
    """Read a whole page file as text, or say in one line why it can't be.

    Decoding order: a BOM (UTF-8/16/32), then strict UTF-8, then
    charset-normalizer restricted to `DETECT_CANDIDATES`. A UTF-8 page
    with a few stray bytes or NULs is skipped with the offset of the first;
    with `lenient` they become U+FFFD and the rest of the page is read
    (`Page.replaced`). Never raises for anything about the file itself.
    """
    path = Path(path)
    opened = _open_regular(path)
    if isinstance(opened, Skip):
        return opened
    fd, _size = opened
    try:
        with os.fdopen(fd, "rb") as f:
            data = f.read()
    except OSError as exc:
        return Skip(path, _os_reason(exc))
    found = _classify(path, data, complete=True, lenient=lenient)
    if isinstance(found, Skip):
        return found
    replaced, first_bad = 0, None
    try:
        text = data.decode(found)
        if lenient and "\x00" in text:
            raise UnicodeDecodeError(found, data, data.index(b"\x00"), data.index(b"\x00") + 1, "NUL")
    except UnicodeDecodeError as exc:
        if not lenient:
            return Skip(path, f"undecodable: not valid {found} at byte {exc.start}")
        text, replaced = _replace_bad(data.decode(found, errors="replace"))
        first_bad = min([exc.start] + ([data.index(b"\x00")] if b"\x00" in data else []))
    problem = _not_a_page(text)
    if problem:
        return Skip(path, problem)
    return Page(path, text, found, hashlib.sha1(data).hexdigest(), replaced, first_bad)


def check_page(path: str | os.PathLike, *, lenient: bool = False) -> PageInfo | Skip:
    """The cheap checks of `read_page` on the first `HEAD_BYTES` only.

    Used to decide how to read a possibly huge file; a file that passes may
    still fail to decode further on (`iter_page_chunks` then raises).
    """
    path = Path(path)
    opened = _open_regular(path)
    if isinstance(opened, Skip):
        return opened
    fd, size = opened
    try:
        with os.fdopen(fd, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        return Skip(path, _os_reason(exc))
    complete = len(head) < HEAD_BYTES or size <= HEAD_BYTES
    found = _classify(path, head, complete=complete, lenient=lenient)
    if isinstance(found, Skip):
        return found
    decoder = codecs.getincrementaldecoder(found)("replace" if lenient else "strict")
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        return Skip(path, f"undecodable: not valid {found} at byte {exc.start}")
    problem = _not_a_page(text)
    if problem:
        return Skip(path, problem)
    return PageInfo(path, found, size)


def iter_page_chunks(
    path: str | os.PathLike,
    *,
    target_chars: int = 200_000,
    encoding: str | None = None,
    lenient: bool = False,
) -> Iterator[str]:
    """Decode a page incrementally and yield pieces ending at paragraph breaks.

    Each chunk ends after a blank line or a line ending in 。！？ once it holds
    at least `target_chars // 2` characters; a stretch with no such break is
    cut at a newline (or anywhere) past `4 * target_chars`, so memory stays
    bounded. `"".join(chunks)` equals the `read_page` text. `encoding` is
    what `check_page` found; without it the file is checked first.
    Raises `InputError` if the file can't be read or decoded.
    """
    path = Path(path)
    if target_chars < 1:
        raise ValueError("target_chars must be positive")
    if encoding is None:
        info = check_page(path, lenient=lenient)
        if isinstance(info, Skip):
            raise InputError(path, info.reason)
        encoding = info.encoding
    decoder = codecs.getincrementaldecoder(encoding)("replace" if lenient else "strict")
    block = max(HEAD_BYTES, target_chars)
    limit = 4 * target_chars
    buf = ""
    consumed = 0
    opened = _open_regular(path)
    if isinstance(opened, Skip):
        raise InputError(path, opened.reason)
    with os.fdopen(opened[0], "rb") as f:
        while True:
            try:
                data = f.read(block)
                piece = decoder.decode(data, final=not data)
                buf += piece.replace("\x00", "\ufffd") if lenient else piece
            except UnicodeDecodeError as exc:
                raise InputError(
                    path, f"undecodable: not valid {encoding} near byte {consumed + exc.start}"
                ) from None
            except OSError as exc:
                raise InputError(path, _os_reason(exc)) from None
            consumed += len(data)
            while len(buf) >= target_chars:
                cut = _cut_point(buf, target_chars, limit)
                if cut is None:
                    break
                yield buf[:cut]
                buf = buf[cut:]
            if not data:
                break
    if buf:
        yield buf


def _cut_point(buf: str, target: int, limit: int) -> int | None:
    end = None
    for m in _BOUNDARY.finditer(buf, target // 2):
        end = m.end()
    if end is not None:
        return end
    if len(buf) < limit:
        return None  # wait for more text; a break is probably coming
    newline = buf.rfind("\n", 0, limit)
    return newline + 1 if newline > 0 else limit


def _open_regular(path: Path) -> tuple[int, int] | Skip:
    """Open for reading without blocking on FIFOs; only regular files pass."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.EISDIR or path.is_dir():
            return Skip(path, _folder_reason(path))
        return Skip(path, _os_reason(exc))
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        return Skip(path, _os_reason(exc))
    if stat.S_ISDIR(st.st_mode):
        os.close(fd)
        return Skip(path, _folder_reason(path))
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return Skip(path, f"not a regular file ({_file_kind(st.st_mode)})")
    if st.st_size == 0:
        os.close(fd)
        return Skip(path, "empty file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd, st.st_size


def _folder_reason(path: Path) -> str:
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return f"folder cannot be listed ({exc.strerror or exc})"
    return "is a folder, not a text file"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file (missing, or removed before it could be read)"
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    return f"cannot be read: {exc.strerror or exc}"


def _not_a_page(text: str) -> str | None:
    if not text.strip():
        return "only whitespace"
    if not _CHINESE.search(text):
        return "no Chinese characters, not a page"
    return None


def _replace_bad(text: str) -> tuple[str, int]:
    """NULs as U+FFFD too, and how many U+FFFD the text now holds."""
    text = text.replace("\x00", "\ufffd")
    return text, text.count("\ufffd")


def _bad_utf8(data: bytes, limit: int = 16) -> int:
    """How many NULs and invalid UTF-8 sequences `data` holds, counting no further than limit + 1."""
    bad, pos = data.count(b"\x00"), 0
    while bad <= limit:
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and pos + exc.end >= len(data):
                break  # a character cut off by the end of a head sample
            bad += 1
            pos += exc.end
    return bad


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 text with a few stray bytes (a damaged page), not text in another encoding."""
    bad = _bad_utf8(data)
    return 0 < bad <= 16 and len(_NON_ASCII.findall(data)) >= 50 * bad


def _classify(path: Path, data: bytes, *, complete: bool, lenient: bool = False) -> str | Skip:
    """The encoding to decode `data` with, or why the file isn't text."""
    if not data.strip():
        return Skip(path, "only whitespace")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return Skip(path, f"binary file ({kind}), not text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if _KG_RECORDS.match(data):
        return Skip(path, "kg's own output (extraction records), not a page")
    if b"\x00" in data:
        found = _utf16_without_bom(data, complete)
        if found:
            return found
        first = data.index(b"\x00")
        if _mostly_utf8(data):
            if lenient:
                return "utf-8"
            return Skip(path, f"binary file (NUL byte at byte {first}), not text; --lenient reads the rest")
        return Skip(path, f"binary file (contains NUL bytes, the first at byte {first}), not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8"
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data):  # a damaged UTF-8 page: detection would only find mojibake
            if lenient:
                return "utf-8"
            return Skip(path, f"undecodable: not valid UTF-8 at byte {exc.start}; --lenient replaces the bad bytes")
    # Detection samples HEAD_BYTES from the first non-ASCII byte: enough to be
    # sure, cheap on huge files, and not fooled by a long ASCII preamble.
    # Every byte before it is a whole character in GB18030 and Big5 alike.
    first = _NON_ASCII.search(data)
    start = first.start() if first else 0
    return _detect(path, data[start:start + HEAD_BYTES])


def _utf16_without_bom(data: bytes, complete: bool) -> str | None:
    """Read as UTF-16 with no BOM only if one byte order gives plainly Chinese text.

    The wrong order turns ASCII into stray ideographs and ideographs into
    symbols from all over Unicode, so it scores low on "CJK, ASCII or common
    punctuation"; binary data fails strict decoding or scores low either way.
    """
    best, best_score = None, 0.0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        if not text or not _CHINESE.search(text):
            continue
        score = len(_PLAIN.findall(text)) / len(text)
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= 0.9 else None


def _detect(path: Path, data: bytes) -> str | Skip:
    import charset_normalizer  # imported late: only non-UTF-8 files pay for it

    best = charset_normalizer.from_bytes(data, cp_isolation=DETECT_CANDIDATES).best()
    if best is None:
        return Skip(path, "undecodable: not UTF-8, GB18030 or Big5 text")
    return codecs.lookup(best.encoding).name


# -------------------------------------------------------------- run summary

EXIT_OK = 0
EXIT_NOTHING_READ = 1
EXIT_SKIPPED_STRICT = 3


class RunReport:
    """Counts what a run read and keeps every skip, for the closing summary."""

    def __init__(self) -> None:
        self.processed = 0
        self.unchanged = 0  # pages `kg build` found unchanged in its store (counted as read, not extracted)
        self.skipped: list[Skip] = []
        self.pdf_pages = 0  # PDF pages among them (each is a document of its own)

    def add(self, result: Page | PageInfo | Skip) -> None:
        """Record the outcome of reading one file."""
        if isinstance(result, Skip):
            self.skipped.append(result)
        else:
            self.processed += 1

    def skip(self, path: str | os.PathLike, reason: str) -> Skip:
        """Record a file that failed after it was read (e.g. mid-way through a huge page)."""
        skipped = Skip(Path(path), reason)
        self.skipped.append(skipped)
        return skipped

    def exit_code(self, *, strict: bool = False) -> int:
        """Non-zero if nothing could be read, or if `strict` and anything was skipped."""
        if self.processed == 0:
            return EXIT_NOTHING_READ
        if strict and self.skipped:
            return EXIT_SKIPPED_STRICT
        return EXIT_OK

    def summary_lines(self, *, max_listed: int = 20) -> list[str]:
        """One line of totals, then up to `max_listed` skipped files as `path: reason`."""
        total = self.processed + len(self.skipped)
        if total == 0:
            return ["No input files found (folders are searched for *.txt and *.pdf)."]
        files = "file" if total == 1 else "files"
        if self.pdf_pages:
            files = "document" if total == 1 else "documents (a PDF page is one)"
        unchanged = f" ({self.unchanged} unchanged since the last build)" if self.unchanged else ""
        lines = [f"Read {self.processed} of {total} {files}{unchanged}; skipped {len(self.skipped)}."]
        lines += [f"  {s}" for s in self.skipped[:max_listed]]
        if len(self.skipped) > max_listed:
            lines.append(f"  … and {len(self.skipped) - max_listed} more skipped")
        return lines
