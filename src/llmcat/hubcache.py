"""The on-disk cache of Hub facts: one small JSON file per repo, written atomically, read tolerantly."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from llmcat.cache import atomic_write_json, cache_dir, read_json

_FORMAT = 1
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class Cached(NamedTuple):
    facts: dict[str, Any]
    fetched_at: float  # seconds since the epoch


class HubCache:
    """``get``/``put`` Hub facts by repo id. A missing, corrupt or foreign file is a miss, never an error."""

    def __init__(self, folder: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.folder = folder or cache_dir() / "hub"
        self.clock = clock

    def path(self, repo: str) -> Path:
        # Readable and collision-free: a sanitised name plus a short hash of the exact repo id.
        digest = hashlib.blake2b(repo.lower().encode(), digest_size=6).hexdigest()
        return self.folder / f"{_SAFE.sub('_', repo.lower())[:80]}-{digest}.json"

    def get(self, repo: str) -> Cached | None:
        data = read_json(self.path(repo))
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        facts, at = data.get("facts"), data.get("fetched_at")
        if data.get("repo", "").lower() != repo.lower() or not isinstance(facts, dict):
            return None
        if not isinstance(at, int | float) or isinstance(at, bool):
            return None
        return Cached(facts, float(at))

    def put(self, repo: str, facts: dict[str, Any]) -> Cached:
        now = self.clock()
        atomic_write_json(self.path(repo), {"format": _FORMAT, "repo": repo, "fetched_at": now, "facts": facts})
        return Cached(facts, now)

    def age(self, cached: Cached) -> float:
        return max(0.0, self.clock() - cached.fetched_at)

    def clear(self) -> int:
        n = 0
        if self.folder.is_dir():
            for p in self.folder.glob("*.json"):
                p.unlink(missing_ok=True)
                n += 1
        return n
