"""The on-disk cache of Hub facts: one small JSON file per repo, written atomically, read tolerantly."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from llmcat.cache import atomic_write_json, cache_dir, read_json

_FORMAT = 1
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_MAX_FILE = 1 << 20  # a repo's facts take a few hundred bytes
_FUTURE = 86_400.0  # clocks differ; a fetch time more than a day ahead is not one this cache wrote
_MAX_COUNT = 2**53  # counts beyond this are not real (and would not survive JSON)
_MAX_TEXT = 1000

# What each Hub fact may be: anything else (a string where a count belongs, a huge integer, a number
# in base_model) is dropped, as if the Hub had not said it.
_COUNTS = ("downloads", "likes", "params")
_TEXTS = ("created_at", "last_modified", "license", "license_name", "pipeline_tag", "library")


def clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Hub facts with every value checked: counts are non-negative integers, the trending score a finite
    number, texts are short strings, ``base_model`` a list of strings, ``gated`` False/'auto'/'manual'."""
    out: dict[str, Any] = {}
    for key in _COUNTS:
        v = facts.get(key)
        out[key] = v if type(v) is int and 0 <= v <= _MAX_COUNT else None
    score: Any = facts.get("trending_score")
    ok = type(score) in (int, float) and math.isfinite(score) and abs(score) <= _MAX_COUNT
    out["trending_score"] = score if ok else None
    for key in _TEXTS:
        v = facts.get(key)
        out[key] = v if type(v) is str and len(v) <= _MAX_TEXT else None
    gated = facts.get("gated")
    out["gated"] = gated if gated in (False, "auto", "manual") and type(gated) in (bool, str) else None
    base = facts.get("base_model")
    if type(base) is list:
        kept = [b for b in base[:50] if type(b) is str and len(b) <= _MAX_TEXT]
        out["base_model"] = kept
    else:
        out["base_model"] = None
    return {k: out[k] for k in FIELDS}


FIELDS = (  # the facts kept of a Hub answer, in this order
    "downloads",
    "likes",
    "trending_score",
    "created_at",
    "last_modified",
    "gated",
    "license",
    "license_name",
    "base_model",
    "pipeline_tag",
    "library",
    "params",
)


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
        """The cached facts of ``repo``, checked like any input from outside; None for anything odd."""
        data = read_json(self.path(repo), limit=_MAX_FILE)
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        facts, cached_repo = data.get("facts"), data.get("repo")
        at: Any = data.get("fetched_at")
        if not isinstance(cached_repo, str) or cached_repo.lower() != repo.lower() or not isinstance(facts, dict):
            return None
        if type(at) not in (int, float) or not math.isfinite(at) or not 0 <= at <= self.clock() + _FUTURE:
            return None  # NaN, infinite, negative or from the far future: not a time this cache wrote
        return Cached(clean_facts(facts), float(at))

    def put(self, repo: str, facts: dict[str, Any]) -> Cached:
        now = self.clock()
        facts = clean_facts(facts)
        atomic_write_json(self.path(repo), {"format": _FORMAT, "repo": repo, "fetched_at": now, "facts": facts})
        return Cached(facts, now)

    def age(self, cached: Cached) -> float:
        return max(0.0, self.clock() - cached.fetched_at)

    def clear(self) -> int:
        n = 0
        try:
            for p in self.folder.glob("*.json"):
                p.unlink(missing_ok=True)
                n += 1
        except OSError:
            pass
        return n
