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


def read_json(path: Path) -> Any | None:
    """The parsed content of ``path``, or None when it is missing, unreadable or not JSON."""
    try:
        with path.open("rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None
