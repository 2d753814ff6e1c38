"""Benchmark scores with their provenance: the bundled score files, and ranking by them.

A score file (``data/scores/*.json``, written by a maintainer script from the source's own data
file) names its source — URL, commit, dates, licence, attribution, kind of evidence — and holds the
values keyed by Hugging Face repo id. A registry model has a source's scores when one of its
``hf_repos`` is scored there. Nothing here imports a framework; everything is read only when a
command asks for scores.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.errors import LlmcatError, UsageError
from llmcat.records import Model

if TYPE_CHECKING:
    from llmcat.query import FieldCheck

SCORE_FILES = ("swallow.json",)
MAX_FILE_BYTES = 16 * 1024 * 1024
DEFAULT_TASK = "avg"


class ScoreSource(NamedTuple):
    id: str
    name: str
    url: str  # the source's home (its repository)
    file: str  # the exact file the values were copied from, commit-pinned
    commit: str
    committed: str  # when the source last changed that file (YYYY-MM-DD)
    retrieved: str  # when llmcat's maintainers read it
    license: str
    attribution: str
    evidence: str  # "independent" (a third party measured it) or "publisher" (the model's own claim)


class Task(NamedTuple):
    name: str
    title: str
    metric: str | None


class Benchmark(NamedTuple):
    id: str  # e.g. "swallow-ja"
    title: str
    description: str
    language: str | None
    scale: tuple[float, float]
    tasks: tuple[Task, ...]
    source: ScoreSource


class Score(NamedTuple):
    """One value, as ``show --json`` prints it: benchmark, task, value, scale, date, source, evidence."""

    benchmark: str
    task: str
    value: float
    scale: tuple[float, float]
    date: str  # the date of the source snapshot the value comes from
    source: str  # URL of the file the value was copied from
    evidence: str
    setting: str | None = None  # how the source ran the model, e.g. reasoning "on"

    def record(self) -> dict[str, Any]:
        rec = self._asdict()
        rec["scale"] = list(self.scale)
        return rec


class ScoreKey(NamedTuple):
    benchmark: str
    task: str = DEFAULT_TASK

    def __str__(self) -> str:
        return self.benchmark if self.task == DEFAULT_TASK else f"{self.benchmark}/{self.task}"


class _Entry(NamedTuple):
    repo: str
    setting: str | None
    results: Mapping[str, Mapping[str, float]]
    source: ScoreSource


class ScoreBook:
    """Every bundled score, with lookups by model and by benchmark."""

    def __init__(self, benchmarks: Sequence[Benchmark], entries: Iterable[_Entry]) -> None:
        self.benchmarks: dict[str, Benchmark] = {b.id: b for b in benchmarks}
        self._by_repo: dict[str, _Entry] = {}
        for e in entries:
            self._by_repo.setdefault(e.repo.lower(), e)

    @property
    def sources(self) -> list[ScoreSource]:
        out: dict[str, ScoreSource] = {}
        for b in self.benchmarks.values():
            out.setdefault(b.source.id, b.source)
        return list(out.values())

    @property
    def repos(self) -> list[str]:
        return [e.repo for e in self._by_repo.values()]

    def _entry(self, model: Model) -> _Entry | None:
        return self._entry_for(model.hf_repos)

    def _entry_for(self, repos: Iterable[str]) -> _Entry | None:
        """The entry of the first of ``repos`` (a model's ``hf_repos``) the source scores."""
        for repo in repos:
            e = self._by_repo.get(repo.lower())
            if e is not None:
                return e
        return None

    def for_model(self, model: Model) -> list[Score]:
        """Every score of ``model``, benchmark by benchmark in the source's order of tasks."""
        e = self._entry(model)
        if e is None:
            return []
        out: list[Score] = []
        for bench_id, values in e.results.items():
            b = self.benchmarks.get(bench_id)
            if b is None:
                continue
            for task, value in values.items():
                out.append(
                    Score(
                        bench_id, task, value, b.scale, e.source.committed, e.source.file, e.source.evidence, e.setting
                    )
                )
        return out

    def value(self, model: Model, key: ScoreKey) -> float | None:
        return self.repo_value(model.hf_repos, key)

    def repo_value(self, repos: Iterable[str], key: ScoreKey) -> float | None:
        """The score of the first of ``repos`` that has an entry (a model's ``hf_repos``)."""
        e = self._entry_for(repos)
        return None if e is None else e.results.get(key.benchmark, {}).get(key.task)

    def counts(self, models: Iterable[Model]) -> dict[str, int]:
        """How many of ``models`` have each benchmark's headline score."""
        out = dict.fromkeys(self.benchmarks, 0)
        for m in models:
            e = self._entry(m)
            if e is None:
                continue
            for bench_id, values in e.results.items():
                if bench_id in out and DEFAULT_TASK in values:
                    out[bench_id] += 1
        return out

    @cached_property
    def _keys(self) -> list[str]:
        keys = list(self.benchmarks)
        for b in self.benchmarks.values():
            keys += [f"{b.id}/{t.name}" for t in b.tasks]
        return keys

    def parse_key(self, text: str) -> ScoreKey:
        """``BENCH`` (its headline average) or ``BENCH/TASK``, case-insensitively; else a usage error."""
        bench, _, task = text.strip().partition("/")
        b = self.benchmarks.get(bench.lower())
        if b is not None:
            if not task:
                return ScoreKey(b.id)
            for t in b.tasks:
                if t.name.lower() == task.lower():
                    return ScoreKey(b.id, t.name)
        import difflib

        near = difflib.get_close_matches(text.strip().lower(), [k.lower() for k in self._keys], n=3, cutoff=0.5)
        canon = {k.lower(): k for k in self._keys}
        hint = f"; did you mean {', '.join(canon[n] for n in near)}?" if near else "; see `llmcat scores`"
        raise UsageError(f"unknown benchmark {text!r}{hint}")


def parse_min_score(text: str, book: ScoreBook) -> tuple[ScoreKey, float]:
    """``BENCH=VALUE`` (or ``BENCH/TASK=VALUE``) as a key and a bound within the benchmark's scale."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip() or not raw.strip():
        raise UsageError(f"--min-score takes BENCH=VALUE, e.g. swallow-ja=0.5 (got {text!r})")
    key = book.parse_key(name)
    try:
        bound = float(raw)
    except ValueError:
        raise UsageError(f"--min-score {text!r}: {raw.strip()!r} is not a number") from None
    lo, hi = book.benchmarks[key.benchmark].scale
    if not lo <= bound <= hi:
        raise UsageError(f"--min-score {text!r}: {key} is scored from {lo:g} to {hi:g}")
    return key, bound


class ScoreView(NamedTuple):
    """What the Scores panel of ``show`` presents: the headline and task values per benchmark, with credit."""

    benchmark: Benchmark
    setting: str | None
    values: tuple[tuple[Task, float], ...]


def panel_data(model: Model, book: ScoreBook | None = None) -> list[ScoreView]:
    book = book if book is not None else load()
    e = book._entry(model)
    if e is None:
        return []
    out = []
    for bench_id, values in e.results.items():
        b = book.benchmarks.get(bench_id)
        if b is not None:
            out.append(ScoreView(b, e.setting, tuple((t, values[t.name]) for t in b.tasks if t.name in values)))
    return out


def benchmark_record(b: Benchmark, models: int) -> dict[str, Any]:
    """One row of `llmcat scores`."""
    return {
        "id": b.id,
        "title": b.title,
        "description": b.description,
        "language": b.language,
        "scale": list(b.scale),
        "tasks": [t.name for t in b.tasks],
        "models": models,
        "source": b.source.file,
        "source_name": b.source.name,
        "license": b.source.license,
        "attribution": b.source.attribution,
        "evidence": b.source.evidence,
        "date": b.source.committed,
    }


# --------------------------------------------------------------------------- ranking


class Ranked(NamedTuple):
    models: list[Model]
    missing: int  # models without the score: left out by a bound, or placed last by a sort


def min_score_check(book: ScoreBook, key: ScoreKey, bound: float) -> FieldCheck:
    """``--min-score BENCH=VALUE`` as a field filter of :mod:`llmcat.query`: a model without the score has
    an unknown value, so it is counted (and kept with --include-unknown) like any other unknown."""
    from llmcat.query import HF_REPOS, FieldCheck

    def value(row: Any) -> float | None:
        return book.repo_value(row[HF_REPOS], key)

    return FieldCheck(
        f"{key} score", f"--min-score {key}={bound:g}", value, lambda v: bool(v >= bound), "{:.3f}".format
    )


def order_by_score(models: Sequence[Model], book: ScoreBook, key: ScoreKey, *, descending: bool = True) -> Ranked:
    """Sorted by the score (ties by id); models without it come last, in id order."""
    scored = [(v, m) for m in models if (v := book.value(m, key)) is not None]
    unscored = sorted((m for m in models if book.value(m, key) is None), key=lambda m: m.id)
    scored.sort(key=lambda vm: vm[1].id)
    scored.sort(key=lambda vm: vm[0], reverse=descending)
    return Ranked([m for _, m in scored] + unscored, len(unscored))


# --------------------------------------------------------------------------- loading


def _source(raw: Mapping[str, Any]) -> ScoreSource:
    return ScoreSource(**{f: str(raw[f]) for f in ScoreSource._fields})


def parse_file(data: bytes, name: str) -> tuple[list[Benchmark], list[_Entry]]:
    """One score file; a damaged file is an error naming it (it ships with llmcat: reinstall)."""
    try:
        doc = json.loads(data)
        if doc.get("schema_version") != 1:
            raise ValueError("unsupported schema_version")
        source = _source(doc["source"])
        benchmarks = [
            Benchmark(
                id=str(b["id"]),
                title=str(b["title"]),
                description=str(b["description"]),
                language=b.get("language"),
                scale=(float(b["scale"][0]), float(b["scale"][1])),
                tasks=tuple(Task(str(t["name"]), str(t["title"]), t.get("metric")) for t in b["tasks"]),
                source=source,
            )
            for b in doc["benchmarks"]
        ]
        known = {b.id for b in benchmarks}
        entries = []
        for m in doc["models"]:
            results = {
                str(bench): {str(task): float(v) for task, v in values.items() if isinstance(v, int | float)}
                for bench, values in m["results"].items()
                if bench in known
            }
            repo = m.get("repo") or m["model"]  # the Hub repo, where the source's own id differs from it
            entries.append(_Entry(str(repo), m.get("reasoning"), results, source))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
        raise LlmcatError(f"the bundled score file {name} is damaged ({e}); reinstall llmcat") from None
    return benchmarks, entries


def load(files: Sequence[Path] | None = None) -> ScoreBook:
    """The bundled score files (or ``files``)."""
    if files is None:
        from llmcat.registry.sources import bundled_path

        files = [bundled_path(f"scores/{name}") for name in SCORE_FILES]
    benchmarks: list[Benchmark] = []
    entries: list[_Entry] = []
    for path in files:
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise LlmcatError(f"cannot read the score file {path}: {e.strerror or e}") from None
        if len(data) > MAX_FILE_BYTES:
            raise LlmcatError(f"the score file {path} is larger than {MAX_FILE_BYTES} bytes")
        file_benchmarks, file_entries = parse_file(data, path.name)
        benchmarks += file_benchmarks
        entries += file_entries
    return ScoreBook(benchmarks, entries)
