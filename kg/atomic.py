"""Writing outputs so that a crash or Ctrl-C never leaves a half-written one.

Everything is built under a hidden temporary name in the target's own folder
(`.NAME.XXXXXXXX.tmp`, so the final rename stays on one filesystem), fsynced,
then renamed over the target. A reader sees the old output or the new one.
A writer killed with SIGKILL can only leave such a hidden temp behind.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar

from kg.errors import KgError

T = TypeVar("T")

_TEXT_MODES = {"w", "wt", "x", "xt"}
# Errors that mean the disk (or the user's share of it) is full.
_FULL = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
         errno.EFBIG: "file too large for this filesystem"}
_BINARY_MODES = {"wb", "xb"}


class OutputError(KgError):
    """An output that cannot be written: names the file and the problem."""

    def __init__(self, path, problem):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temp file beside `path`; on a clean exit fsync it and replace `path`.

    On any exception (KeyboardInterrupt included) the temp file is removed
    and `path` is left as it was. Mode `"x"` refuses to replace an existing
    file. The new file gets the old file's permissions, or the umask's.

    \b
    Example:
        with atomic_write("pred.jsonl") as out:
            out.write(line)
    """
    if mode not in _TEXT_MODES | _BINARY_MODES:
        raise ValueError(f"atomic_write writes whole files; mode {mode!r} is not supported")
    path = Path(path)
    exclusive = mode.startswith("x")
    if exclusive and path.exists():
        raise OutputError(path, "already exists")
    tmp = None
    try:
        with _signals_held():  # so a SIGTERM cannot land between creating the temp and naming it here
            tmp = _temp_file(path)
        binary = mode in _BINARY_MODES
        f = open(tmp, "wb" if binary else "w", encoding=None if binary else encoding,
                 newline=None if binary else newline)
        try:
            yield f
            _flush_and_sync(f, path)
        except OSError as exc:
            if exc.errno in _FULL:  # a write into the temp file: say so, not a traceback
                raise OutputError(path, f"cannot write: {_FULL[exc.errno]}") from None
            raise
        finally:
            try:
                f.close()
            except OSError:  # the buffer could not be flushed: the output is already failing
                if sys.exc_info()[0] is None:
                    raise OutputError(path, "cannot write: the file could not be closed") from None
        os.chmod(tmp, _mode_for(path))
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            _replace(tmp, path)
        _sync_dir(path.parent)
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def refuse_overwriting(output: str | os.PathLike, inputs, *, what: str = "an input") -> None:
    """OutputError when writing `output` would replace one of `inputs` (the same file, by any name)."""
    out = Path(output)
    for item in inputs:
        try:
            same = os.path.samefile(out, item)
        except OSError:  # one of them does not exist (yet): no clash
            continue
        if same:
            alias = f" ({item})" if str(item) != str(out) else ""
            raise OutputError(out, f"is also {what}{alias}; writing there would destroy it, so choose another -o")


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace `path` with `text` atomically."""
    with atomic_write(path, "w", encoding=encoding) as f:
        f.write(text)


def atomic_output(target: str | os.PathLike, build: Callable[[Path], T]) -> T:
    """Let `build(tmp)` create a file or folder at `tmp`, then swap it in as `target`.

    `tmp` does not exist yet, so tools that insist on creating their own
    output (a database, an exporter) can be used. It sits, under
    `target`'s name, in a private staging folder `.NAME.XXXXXXXX.tmp` beside
    `target` (same filesystem); `build` may leave other files there (sidecars,
    a pid file): the whole staging folder is removed afterwards. Folders are swapped with one atomic exchange where the kernel
    allows it, else by two renames. On any exception `target` is untouched
    and `tmp` removed. Returns what `build` returned.
    """
    target = Path(target)
    staging = None
    try:
        with _signals_held():
            staging = _temp_dir(target)
        tmp = staging / target.name
        result = build(tmp)
        if not os.path.lexists(tmp):
            raise OutputError(target, "nothing was written")
        _sync_tree(tmp)
        if tmp.is_dir() and not tmp.is_symlink():
            _swap_dir(tmp, target)
        else:
            _replace(tmp, target)
        _sync_dir(target.parent)
        return result
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def atomic_replace_dir(target: str | os.PathLike, build: Callable[[Path], T]) -> T:
    """Like `atomic_output`, but `build(tmp)` gets an empty folder to fill.

    \b
    Example:
        atomic_replace_dir("out/neo4j-csv", lambda d: export_csv(graph, d))
    """

    def in_folder(tmp: Path) -> T:
        tmp.mkdir()
        return build(tmp)

    return atomic_output(target, in_folder)


# ----------------------------------------------------------------- helpers


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends; a held signal is delivered when it does."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError):  # a platform without per-thread masks: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _temp_file(path: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(path, _problem(exc, path.parent)) from None
    os.close(fd)
    return Path(name)


def _temp_dir(path: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise OutputError(path, _problem(exc, path.parent)) from None


def _problem(exc: OSError, folder: Path) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"cannot write: folder {folder} does not exist"
    if isinstance(exc, PermissionError):
        return f"cannot write: permission denied in {folder}"
    return f"cannot write: {_FULL.get(exc.errno) or exc.strerror or exc}"


def _flush_and_sync(f: IO, path: Path) -> None:
    try:
        f.flush()
        os.fsync(f.fileno())
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_FULL.get(exc.errno) or exc.strerror or exc}") from None


def disk_full(folder: str | os.PathLike, margin: int = 1 << 20) -> bool:
    """Whether the filesystem holding `folder` has less than `margin` bytes left for this user."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def _replace(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        if path.is_dir():
            raise OutputError(path, "cannot write: a folder is in the way") from None
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from None


def _link_exclusive(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # fails if path appeared meanwhile, unlike rename
    except FileExistsError:
        raise OutputError(path, "already exists") from None
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from None


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # /proc avoids os.umask's set-and-restore, which races with other threads.
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every filesystem lets a folder be fsynced.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    if not root.is_dir():
        with open(root, "rb") as f:
            os.fsync(f.fileno())
        return
    for folder, _dirs, files in os.walk(root):
        for name in files:
            file = os.path.join(folder, name)
            if os.path.islink(file):
                continue
            with open(file, "rb") as f:
                os.fsync(f.fileno())
        _sync_dir(Path(folder))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        return libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False if not available here."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or filesystem can't
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_dir(tmp: Path, target: Path) -> None:
    """Put folder `tmp` at `target`; the old target (file or folder) ends up at `tmp`."""
    try:
        if not os.path.lexists(target):
            os.rename(tmp, target)
            return
        if _exchange(tmp, target):
            return
        # Fallback: a crash between these renames leaves the old output at
        # `aside`, a hidden sibling, and no target: never a partial one.
        aside = tmp.with_name(tmp.name + ".old")
        os.rename(target, aside)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(aside, target)
            raise
    except OSError as exc:
        raise OutputError(target, f"cannot replace: {exc.strerror or exc}") from None
