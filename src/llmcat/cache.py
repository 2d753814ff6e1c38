"""Where llmcat keeps files between runs, and how it writes them: atomically, never half-written."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

CACHE_ENV = "LLMCAT_CACHE_DIR"


def cache_dir() -> Path:
    """``$LLMCAT_CACHE_DIR`` if set, else the platform's user cache dir for llmcat (read at call time)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("llmcat", appauthor=False))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory and an atomic rename.

    A reader sees the old file or the new one, never a mix; a killed writer leaves at most a stray
    temp file (named ``.*.tmp``), which readers never open. There is no fsync: these are caches, and
    after a power loss a file that came out empty or torn fails its reader's check (the index digest,
    JSON parsing) and is rebuilt, so durability is not worth its cost on every write.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


class NotARegularFile(OSError):
    """A FIFO, a device, a directory or a socket where a file was expected."""


class TooLarge(OSError):
    """A file larger than the reader's limit."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them, else an OSError.

    Never blocks and never reads without end: the file is opened non-blocking (a FIFO opens at once
    instead of waiting for a writer) and checked with fstat on the open descriptor before any read, so
    a FIFO, a device such as /dev/zero, a directory or a socket raises :class:`NotARegularFile`; a file
    over ``limit`` bytes (or one that grows past it while being read) raises :class:`TooLarge`.
    """
    import stat

    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"{path}: not a regular file")
        if st.st_size > limit:
            raise TooLarge(f"{path}: {st.st_size} bytes, over the limit of {limit}")
        data = os.read(fd, min(st.st_size, limit) + 1)  # usually the whole file in one call
        while data and len(data) <= limit:
            more = os.read(fd, min(limit + 1 - len(data), 1 << 20))
            if not more:
                break
            data += more
        if len(data) > limit:
            raise TooLarge(f"{path}: over the limit of {limit} bytes")
        return data
    finally:
        os.close(fd)


def read_regular(path: Path, limit: int, *, what: str) -> bytes:
    """:func:`read_bounded` for a file the user named: any failure is a one-line LlmcatError."""
    from llmcat.errors import LlmcatError

    try:
        return read_bounded(path, limit)
    except NotARegularFile:
        raise LlmcatError(f"cannot read {what}: not a regular file") from None
    except TooLarge:
        size = f"{limit // (1 << 20)} MiB" if limit >= 1 << 20 else f"{limit:,} bytes"
        raise LlmcatError(f"cannot read {what}: larger than the limit of {size}") from None
    except (OSError, ValueError) as e:
        raise LlmcatError(f"cannot read {what}: {getattr(e, 'strerror', None) or e}") from None


CACHE_FILE_LIMIT = 256 * 1024 * 1024  # no cache file llmcat writes comes near this: a bigger one is foreign


def read_cache_bytes(path: Path, limit: int = CACHE_FILE_LIMIT) -> bytes | None:
    """The bytes of a cache file, or None when it is missing, unreadable, not a regular file or too big."""
    try:
        return read_bounded(path, limit)
    except (OSError, ValueError):
        return None


def read_json(path: Path, limit: int = 4 * 1024 * 1024) -> Any | None:
    """The parsed content of ``path``, or None when it is missing, unreadable, too big or not JSON."""
    data = read_cache_bytes(path, limit)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError, MemoryError):
        return None


def clear(root: Path, subfolders: tuple[str, ...] = ("hub", "index")) -> int:
    """Delete llmcat's cache folders under ``root``; the number of files removed.

    Never follows links out of the cache. Raises LlmcatError (one line) when a folder exists but
    cannot be emptied; a missing cache is nothing to do.
    """
    import shutil
    import stat

    from llmcat.errors import LlmcatError, shown_path

    removed = 0
    problems: list[str] = []
    for sub in subfolders:
        folder = root / sub
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as e:
            problems.append(f"{sub}: {getattr(e, 'strerror', None) or e}")
            continue
        try:
            if not stat.S_ISDIR(st.st_mode):
                folder.unlink()  # a file or a link in place of the folder: llmcat never puts one there
                continue
            with os.scandir(folder) as entries:
                removed += sum(1 for e in entries if e.is_file(follow_symlinks=False))
        except OSError as e:
            problems.append(f"{sub}: {e.strerror or e}")

        failed: list[BaseException] = []

        def note(*args: Any, failed: list[BaseException] = failed) -> None:
            failed.append(args[-1][1])

        shutil.rmtree(folder, onerror=note)
        problems += [f"{sub}: {getattr(e, 'strerror', None) or e}" for e in failed[:1]]
    if problems:
        raise LlmcatError(f"could not clear the cache in {shown_path(root)}: {problems[0]}")
    return removed
