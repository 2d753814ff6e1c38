"""`recommend`: rank candidate models by evidence, and say why for each.

The rank is a weighted sum of components in [0, 1], each shown with its raw value:

- **benchmark** (weight 0.70): the model's score on the benchmark chosen for the purpose (Japanese
  results when Japanese is asked for), on the benchmark's own 0–1 scale;
- **fit** (0.10): with a memory budget, the share of it left free (headroom / budget); else 0;
- **recency** (0.10): 1 for a model released this month, falling linearly to 0 at 36 months;
- **context** (0.10): log2(context) / log2(1M tokens), capped at 1.

A model without the benchmark score is ranked after every model that has one (and marked), whatever
its other components: evidence first. Ties are broken by id. Nothing here reads files: the caller
hands in the models, their statuses, the score book and the memory estimates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.contextlen import Context, ContextBasis
from llmcat.records import JapaneseLevel, Model, Status
from llmcat.scores import ScoreBook, ScoreKey

if TYPE_CHECKING:
    from llmcat.query import Query
    from llmcat.registry import Registry

DEFAULT_SHOWN = 10

WEIGHTS = {"benchmark": 0.70, "fit": 0.10, "recency": 0.10, "context": 0.10}
RECENCY_MONTHS = 36
CONTEXT_FULL = 1_000_000


class Purpose(StrEnum):
    GENERAL = "general"
    CHAT = "chat"
    CODE = "code"
    REASONING = "reasoning"
    JA = "ja"


# Which score ranks each purpose: (English, Japanese). Japanese is used for --for ja and with --ja.
BENCHMARK_FOR: dict[Purpose, tuple[ScoreKey, ScoreKey]] = {
    Purpose.GENERAL: (ScoreKey("swallow-en"), ScoreKey("swallow-ja")),
    Purpose.CHAT: (ScoreKey("swallow-en-mtbench"), ScoreKey("swallow-ja-mtbench")),
    Purpose.CODE: (ScoreKey("swallow-en", "LCB"), ScoreKey("swallow-ja", "JHumanEval")),
    Purpose.REASONING: (ScoreKey("swallow-en", "GPQA"), ScoreKey("swallow-ja", "GPQA")),
    Purpose.JA: (ScoreKey("swallow-ja"), ScoreKey("swallow-ja")),
}
# Tags a candidate needs for the purpose (any of); None keeps every model.
TAGS_FOR: dict[Purpose, frozenset[str] | None] = {
    Purpose.GENERAL: None,
    Purpose.CHAT: frozenset({"chat", "instruct", "reasoning"}),
    Purpose.CODE: frozenset({"chat", "instruct", "reasoning", "code"}),
    Purpose.REASONING: frozenset({"chat", "instruct", "reasoning"}),
    Purpose.JA: frozenset({"chat", "instruct", "reasoning"}),
}


class Fit(NamedTuple):
    """A memory estimate as recommend uses it: the total needed and the budget it was checked against."""

    total_gib: float
    budget_gib: float
    setting: str  # e.g. "inference at int4, 8K context"

    @property
    def headroom_gib(self) -> float:
        return self.budget_gib - self.total_gib


class Component(NamedTuple):
    name: str  # benchmark | fit | recency | context
    value: float  # normalised to [0, 1]
    weight: float
    detail: str  # the raw fact, for people


class Recommendation(NamedTuple):
    model: Model
    rank: int
    status: Status  # the model's commercial status
    score: float  # the weighted sum of the components
    scored: bool  # has the purpose's benchmark score
    benchmark: str
    components: tuple[Component, ...]
    reason: str

    def record(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON row: the model's record, then the rank with every component."""
        return {
            **base,
            "rank": self.rank,
            "rank_score": round(self.score, 4),
            "scored": self.scored,
            "benchmark": self.benchmark,
            "components": [c._asdict() for c in self.components],
            "reason": self.reason,
        }


def benchmark_for(purpose: Purpose, japanese: bool) -> ScoreKey:
    en, ja = BENCHMARK_FOR[purpose]
    return ja if japanese or purpose is Purpose.JA else en


def suits(model: Model, purpose: Purpose) -> bool:
    tags = TAGS_FOR[purpose]
    return tags is None or not tags.isdisjoint(model.tags)


def _months_between(released: str, today: date) -> float:
    year = int(released[:4])
    month = int(released[5:7]) if len(released) >= 7 else 7  # a year alone: its middle
    return max(0.0, (today.year - year) * 12 + (today.month - month))


def _components(
    m: Model,
    value: float | None,
    key: ScoreKey,
    fit: Fit | None,
    today: date,
    source: str,
    snapshot: str,
    context: Context | None = None,
) -> tuple[Component, ...]:
    out = [
        Component(
            "benchmark",
            value if value is not None else 0.0,
            WEIGHTS["benchmark"],
            f"{key} {value:.2f} ({source} {snapshot[:7]})" if value is not None else f"no {key} score",
        )
    ]
    if fit is not None:
        share = max(0.0, min(1.0, fit.headroom_gib / fit.budget_gib)) if fit.budget_gib > 0 else 0.0
        out.append(
            Component(
                "fit",
                share,
                WEIGHTS["fit"],
                f"fits {fit.budget_gib:g} GiB ({fit.setting}) with {fit.headroom_gib:.1f} GiB headroom",
            )
        )
    if m.released:
        months = _months_between(m.released, today)
        out.append(
            Component(
                "recency",
                max(0.0, 1 - months / RECENCY_MONTHS),
                WEIGHTS["recency"],
                f"released {m.released}",
            )
        )
    else:
        out.append(Component("recency", 0.0, WEIGHTS["recency"], "release date unknown"))
    if context is None and m.context_tokens:
        context = Context(m.context_tokens, ContextBasis.STATED)
    if context is not None:
        ctx = min(1.0, math.log2(context.tokens) / math.log2(CONTEXT_FULL))
        how = "" if context.basis == ContextBasis.STATED else f" ({context.describe()})"
        out.append(Component("context", ctx, WEIGHTS["context"], f"{context.tokens:,}-token context{how}"))
    else:
        out.append(Component("context", 0.0, WEIGHTS["context"], "context unknown"))
    return tuple(out)


def rank(
    models: Sequence[Model],
    book: ScoreBook,
    *,
    purpose: Purpose = Purpose.GENERAL,
    japanese: bool = False,
    status: Callable[[str], Status],
    license_name: Callable[[Model], str],
    fit: Callable[[Model], Fit | None] | None = None,
    today: date | None = None,
    context: Callable[[Model], Context | None] | None = None,
) -> list[Recommendation]:
    """Every model of ``models`` ranked for ``purpose``; scored models first, then the rest.

    ``context`` gives a model's context length with its basis (else the stated one is used)."""
    today = today or date.today()
    key = benchmark_for(purpose, japanese)
    bench = book.benchmarks.get(key.benchmark)
    source = bench.source.name if bench is not None else ""
    snapshot = bench.source.committed if bench is not None else ""
    rows: list[tuple[bool, float, str, Recommendation]] = []
    for m in models:
        value = book.value(m, key)
        f = fit(m) if fit is not None else None
        comps = _components(m, value, key, f, today, source, snapshot, context(m) if context is not None else None)
        total = sum(c.value * c.weight for c in comps)
        facts = [c.detail for c in comps if c.name in ("benchmark", "fit")]
        st = status(m.id)
        facts.append(f"{license_name(m)} (commercial: {st.value})")
        rec = Recommendation(m, 0, st, total, value is not None, str(key), comps, ", ".join(facts))
        rows.append((value is not None, total, m.id, rec))
    rows.sort(key=lambda r: r[2])
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r[3]._replace(rank=i) for i, r in enumerate(rows, start=1)]


def fit_for(registry: Registry, q: Query) -> Callable[[Model], Fit | None]:
    """Each model's memory estimate against ``q.fits_gib`` with ``q``'s fit settings (None: no estimate)."""
    from llmcat import fit

    estimate_of = fit.estimator(registry, fit.query_settings(q))
    budget = q.fits_gib or 0.0

    def one(m: Model) -> Fit | None:
        found = estimate_of(m)
        if found is None:
            return None
        e = found[1]
        return Fit(e.total_gib, budget, f"{e.mode} at {e.quant}, {e.context:,}-token context")

    return one


class Result(NamedTuple):
    ranked: list[Recommendation]  # at most the query's limit (default DEFAULT_SHOWN)
    benchmark: str
    notes: list[str]  # what was left out or ranked last, and why: for stderr


def recommend(registry: Registry, q: Query, book: ScoreBook, purpose: Purpose = Purpose.GENERAL) -> Result:
    """The candidates ``q`` selects, suited to ``purpose``, ranked; with notes on what was left out."""
    from llmcat.query import select

    if purpose is Purpose.JA and q.japanese is None:
        q = q._replace(japanese=JapaneseLevel.MULTILINGUAL)  # a Japanese purpose needs Japanese support
    found = select(registry, q._replace(limit=None))
    notes = found.notes(q.include_unknown)
    candidates = [m for m in found.models if suits(m, purpose)]
    if len(candidates) < len(found.models):
        tags = ", ".join(sorted(TAGS_FOR[purpose] or ()))
        left = len(found.models) - len(candidates)
        notes.append(f"{left} models left out: not tagged {tags} (--for {purpose.value})")
    lic = registry.licenses

    def license_name(m: Model) -> str:
        known = lic.get(m.license)
        return (known.spdx or m.license) if known is not None else m.license

    japanese = q.japanese is not None
    ranked = rank(
        candidates,
        book,
        purpose=purpose,
        japanese=japanese,
        status=registry.status,
        license_name=license_name,
        fit=fit_for(registry, q) if q.fits_gib is not None else None,
        context=lambda m: registry.context(m.id),
    )[: q.limit or DEFAULT_SHOWN]
    key = benchmark_for(purpose, japanese)
    unscored = sum(1 for r in ranked if not r.scored)
    if unscored:
        notes.append(f"{unscored} of the {len(ranked)} shown have no {key} score: ranked after every scored model")
    return Result(ranked, str(key), notes)
