"""Live enrichment: Hub facts for registry models, from the cache when fresh, else fetched in parallel.

Requests are planned to spend the Hub's rate limit wisely: an organisation with several repos to
fetch is read with one listing request (the listing carries the same fields), a lone repo with one
model-info request. Failures never raise: each becomes a one-line warning, and the stale cached
value (if any) is used instead.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from llmcat.errors import HubError
from llmcat.hubcache import Cached, HubCache, clean_facts
from llmcat.records import Model

DEFAULT_TTL = 24 * 3600.0
DEFAULT_WORKERS = 16
_LISTING_MIN = 2  # an organisation with at least this many repos to fetch is listed in one request


class Client(Protocol):
    def model(self, repo_id: str) -> dict[str, Any]: ...

    def author(self, author: str) -> Iterable[tuple[str, dict[str, Any]]]: ...


class HubInfo(NamedTuple):
    repo: str
    facts: dict[str, Any] | None
    fetched_at: float | None
    stale: bool  # served from the cache after a failed or skipped fetch, older than the TTL

    def record(self) -> dict[str, Any] | None:
        """The ``hub`` object of the JSON output."""
        if self.facts is None:
            return None
        when = _dt.datetime.fromtimestamp(self.fetched_at or 0, _dt.UTC).isoformat(timespec="seconds")
        return {"repo": self.repo, "fetched_at": when, "stale": self.stale, **self.facts}


class Enrichment(NamedTuple):
    info: dict[str, HubInfo]  # by model id
    warnings: list[str]
    requests: int


def primary_repo(m: Model) -> str | None:
    return m.hf_repos[0] if m.hf_repos else None


def enrich(
    models: Sequence[Model],
    *,
    cache: HubCache,
    client: Callable[[], Client] | None,
    ttl: float = DEFAULT_TTL,
    refresh: bool = False,
    workers: int = DEFAULT_WORKERS,
    progress: Callable[[int], Callable[[], None]] | None = None,
) -> Enrichment:
    """Hub facts for ``models``. ``client`` None means offline: the cache only, however old.

    ``progress(total)`` (optional) returns a callback called once per finished request.
    """
    warnings: list[str] = []
    repos: dict[str, str] = {}  # model id -> repo
    for m in models:
        repo = primary_repo(m)
        if repo is not None:
            repos[m.id] = repo
    cached: dict[str, Cached | None] = {r: cache.get(r) for r in set(repos.values())}
    fresh = {r for r, c in cached.items() if c is not None and not refresh and cache.age(c) <= ttl}
    todo = sorted(r for r in cached if r not in fresh)
    got: dict[str, Cached] = {}
    requests = 0
    if todo and client is None:
        missing = [r for r in todo if cached[r] is None]
        if missing:
            warnings.append(f"offline: no cached Hub data for {len(missing)} repo(s), e.g. {', '.join(missing[:3])}")
    elif todo and client is not None:
        got, errors, requests = _fetch(todo, client(), cache, workers, progress)
        # One line per distinct cause, not per repo: a Hub that is down is one problem.
        causes: dict[str, list[str]] = {}
        for repo, err in sorted(errors.items()):
            causes.setdefault(str(err).split(": ", 1)[-1], []).append(repo)
        for cause, affected in causes.items():
            stale = sum(cached.get(r) is not None for r in affected)
            who = affected[0] if len(affected) == 1 else f"{len(affected)} repos, e.g. {', '.join(affected[:3])}"
            note = f"; using cached data for {stale}" if stale else ""
            warnings.append(f"{who}: {cause}{note}")
    info: dict[str, HubInfo] = {}
    for mid, repo in repos.items():
        c = got.get(repo)
        if c is not None:
            info[mid] = HubInfo(repo, c.facts, c.fetched_at, False)
            continue
        c = cached.get(repo)
        if c is None:
            info[mid] = HubInfo(repo, None, None, False)
        else:
            info[mid] = HubInfo(repo, c.facts, c.fetched_at, cache.age(c) > ttl)
    return Enrichment(info, _summarise(warnings), requests)


def _summarise(warnings: list[str], most: int = 8) -> list[str]:
    if len(warnings) <= most:
        return warnings
    return [*warnings[:most], f"... and {len(warnings) - most} more Hub problem(s) like these"]


class _Workers:
    """A few daemon threads running Hub requests; results come back on a queue.

    Not a ThreadPoolExecutor: its threads are joined when the interpreter exits, so Ctrl-C would still
    wait out every request in flight (up to its timeout). Daemon threads are abandoned instead, and the
    main thread waits on the queue in short slices, so KeyboardInterrupt is seen at once.
    """

    def __init__(self, size: int) -> None:
        import queue
        import threading

        self._tasks: queue.Queue[tuple[Callable[[], Any], Any] | None] = queue.Queue()
        self._results: queue.Queue[tuple[Any, Any, BaseException | None]] = queue.Queue()
        self._size = max(1, size)
        self._threads: list[threading.Thread] = []
        self.pending = 0

    def submit(self, fn: Callable[[], Any], tag: Any) -> None:
        import threading

        self._tasks.put((fn, tag))
        self.pending += 1
        if len(self._threads) < min(self._size, self.pending):
            thread = threading.Thread(target=self._work, name="llmcat-hub", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while True:
            job = self._tasks.get()
            if job is None:
                return
            fn, tag = job
            try:
                self._results.put((tag, fn(), None))
            except BaseException as exc:  # handed to the main thread, which decides
                self._results.put((tag, None, exc))

    def next(self) -> tuple[Any, Any, BaseException | None]:
        """The next finished request (tag, result, exception); waits in short slices (Ctrl-C is seen)."""
        import queue

        while True:
            try:
                done = self._results.get(timeout=0.1)
            except queue.Empty:
                continue
            self.pending -= 1
            return done

    def close(self) -> None:
        """Stop idle threads now; a thread still waiting on the Hub is a daemon and is left behind."""
        import queue

        while True:  # requests not started yet are cancelled
            try:
                self._tasks.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._tasks.put(None)


def _fetch(
    repos: Sequence[str],
    client: Client,
    cache: HubCache,
    workers: int,
    progress: Callable[[int], Callable[[], None]] | None,
) -> tuple[dict[str, Cached], dict[str, HubError], int]:
    by_author: dict[str, list[str]] = {}
    for r in repos:
        by_author.setdefault(r.split("/", 1)[0], []).append(r)
    listings = [a for a, rs in by_author.items() if len(rs) >= _LISTING_MIN]
    singles = [r for a, rs in by_author.items() if len(rs) < _LISTING_MIN for r in rs]
    got: dict[str, Cached] = {}
    errors: dict[str, HubError] = {}
    requests = 0
    tick = progress(len(listings) + len(singles)) if progress else None

    def store(repo: str, facts: dict[str, Any]) -> None:
        try:
            got[repo] = cache.put(repo, facts)
        except (OSError, ValueError):  # an unwritable cache costs a refetch next time, nothing more
            got[repo] = Cached(clean_facts(facts), cache.clock())

    pool = _Workers(workers)

    def ask_model(repo: str) -> None:
        pool.submit(lambda: client.model(repo), ("model", repo))

    try:
        for a in listings:
            pool.submit(lambda a=a: client.author(a), ("author", a))  # type: ignore[misc]
        for r in singles:
            ask_model(r)
        while pool.pending:
            (kind, key), result, exc = pool.next()
            requests += 1
            if tick:
                tick()
            if exc is not None:
                if not isinstance(exc, HubError):
                    raise exc
                if kind == "model":
                    errors[key] = exc
                elif "unexpected answer" in str(exc):
                    # One bad entry spoils a listing: ask for this author's repos one by one.
                    for r in by_author[key]:
                        ask_model(r)
                else:
                    cause = str(exc).split(": ", 1)[-1]
                    errors.update({r: HubError(f"{r}: {cause}") for r in by_author[key]})
                continue
            if kind == "model":
                store(key, result)
                continue
            wanted = {r.lower(): r for r in by_author[key]}
            for repo_id, facts in result:
                name = wanted.pop(repo_id.lower(), None)
                if name is not None:
                    store(name, facts)
            # Repos the listing did not show (renamed, private, gone): ask for each directly.
            for r in wanted.values():
                ask_model(r)
    finally:
        pool.close()
    return got, errors, requests


def hub_value(info: dict[str, HubInfo], field: str) -> Callable[[Model, Any], float | None]:
    def value(m: Model, _key: Any) -> float | None:
        h = info.get(m.id)
        if h is None or h.facts is None:
            return None
        v = h.facts.get(field)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    return value
