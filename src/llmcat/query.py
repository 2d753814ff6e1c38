"""Filtering, sorting and limiting the registry. Pure functions over records; no I/O, no frameworks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.namesize import params_of
from llmcat.records import JapaneseLevel, LicenseClass, Model, Status

if TYPE_CHECKING:
    from llmcat.fitquants import ModeName, QuantName
    from llmcat.policy import PolicyFile
    from llmcat.registry import Registry


class SortKey(StrEnum):
    NAME = "name"
    RELEASED = "released"
    PARAMS = "params"
    CONTEXT = "context"
    DOWNLOADS = "downloads"
    LIKES = "likes"
    TRENDING = "trending"


HUB_SORT_KEYS = frozenset({SortKey.DOWNLOADS, SortKey.LIKES, SortKey.TRENDING})


class FieldCheck(NamedTuple):
    """A filter on one field whose value may be unknown (None).

    A model whose value is unknown is left out unless ``Query.include_unknown``, and counted under
    ``field`` (see :class:`Selection`), so the user hears how many models the filter could not judge.
    Filters on the same field (``--min-params`` and ``--max-params``) share ``field``.
    """

    field: str  # what the value is, in words: "context length"
    option: str  # the filter as the user gave it: "--min-context 8k"
    value: Callable[[Any], Any]  # the model's value (from a Model or its raw row), None when unknown
    keeps: Callable[[Any], bool]  # whether a known value passes
    shown: Callable[[Any], str]  # a known value in words, for `llmcat why`
    basis: Callable[[Any], str] | None = None  # how the model's value was found, where not stated: for `why`


class Query(NamedTuple):
    """What to keep and how to order it. Every filter left at its default keeps everything."""

    words: tuple[str, ...] = ()
    commercial: bool = False  # effective status yes or conditional
    unconditional: bool = False  # effective status yes only
    licenses: tuple[str, ...] = ()
    license_classes: tuple[LicenseClass, ...] = ()
    japanese: JapaneseLevel | None = None  # minimum level; MULTILINGUAL keeps any support
    languages: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()  # keep descendants (transitively) of any of these model ids
    families: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    min_params_b: float | None = None
    max_params_b: float | None = None
    min_context: int | None = None
    released_after: str | None = None  # inclusive lower bound, YYYY[-MM[-DD]]
    released_before: str | None = None  # exclusive upper bound
    tags: tuple[str, ...] = ()
    sort: SortKey = SortKey.NAME
    descending: bool = False
    limit: int | None = None
    include_unknown: bool = False  # keep models whose value for a field filter is unknown
    checks: tuple[FieldCheck, ...] = ()  # further field filters, counted like the built-in ones
    fits_gib: float | None = None  # keep models whose memory estimate fits (llmcat.fit): a field check
    fit_mode: ModeName = "inference"
    fit_quant: QuantName | None = None  # None: the mode's default (must be one the mode runs on)
    fit_context: int | None = None  # None: the mode's default, capped at the model's context
    without_conditions: tuple[str, ...] = ()  # no licence condition of these kinds along the lineage
    policy: PolicyFile | None = None  # comply with this licence policy (llmcat.policy)


Row = tuple[Any, ...]  # a Model, or the plain tuple it is built from (same field order)

_I = {name: i for i, name in enumerate(Model._fields)}
ID, NAME, FAMILY, ORG, LICENSE = _I["id"], _I["name"], _I["family"], _I["org"], _I["license"]
ALIASES, RELEASED, PARAMS, CONTEXT = _I["aliases"], _I["released"], _I["params_b"], _I["context_tokens"]
LANGUAGES, JAPANESE, MODALITIES, HF_REPOS, TAGS = (
    _I["languages"],
    _I["japanese"],
    _I["modalities"],
    _I["hf_repos"],
    _I["tags"],
)
# Strength by value: a compiled index keeps the level as a plain string (a StrEnum member equals it).
_JA_STRENGTH = {level.value: level.strength for level in JapaneseLevel}
ORG_ID, LICENSES = _I["org_id"], _I["licenses"]


_TOKEN = re.compile(r"[^\W\d_]+|\d[^\W_]*")


def tokens(text: str) -> list[str]:
    """Words of ``text`` as people read them, lower-cased: runs of letters and digits, with a break where
    letters turn to digits (a number after a name is a word of its own; a size like 3b is one word).

    'Llama 3', 'llama-3' and 'llama3' all give ['llama', '3']; 'open-llama-3b' gives ['open', 'llama',
    '3b']; 'CodeLlama' gives ['codellama'].
    """
    return _TOKEN.findall(text.lower())


def _haystack(m: Row) -> str:
    """Every searchable field as one string of tokens, fields separated by '|' (a word never spans two)."""
    fields = (m[ID], m[NAME], *m[ALIASES], m[FAMILY], m[ORG], *m[TAGS], *m[HF_REPOS])
    return " " + " | ".join(" ".join(_TOKEN.findall(f.lower())) for f in fields) + " "


def _needle(word: str) -> str:
    return " " + " ".join(tokens(word)) + " "


def _date_floor(text: str) -> str:
    return (text + "-01-01")[:10] if len(text) == 4 else (text + "-01")[:10]


def field_checks(q: Query, registry: Registry | None = None) -> list[FieldCheck]:
    """The query's filters on fields that can be unknown, then ``q.checks``; with ``registry``, also the
    memory fit (``--fits``), whose estimate needs the lineage."""
    out: list[FieldCheck] = []

    def params(m: Row) -> Any:
        # The recorded count, else the size in the model's id (nominal): llmcat.namesize
        return params_of(m[ID], m[PARAMS])

    def params_basis(m: Row) -> str:
        return "the size in its name; no count recorded" if m[PARAMS] is None else ""

    def context(m: Row) -> Any:
        # Stated, else (with the registry) from the config.json the model or its base has: llmcat.contextlen
        if m[CONTEXT] is not None or registry is None:
            return m[CONTEXT]
        found = registry.context(m[ID])
        return found.tokens if found is not None else None

    def released(m: Row) -> Any:
        return m[RELEASED]

    def japanese(m: Row) -> Any:
        ja = m[JAPANESE]
        return None if ja is None or ja == JapaneseLevel.UNKNOWN else ja

    def size(v: Any) -> str:
        from llmcat.units import format_params

        return format_params(v)

    if q.min_params_b is not None or q.max_params_b is not None:
        from llmcat.units import size_ceiling, size_floor
    if q.min_params_b is not None:
        lo = q.min_params_b
        smallest = size_floor(lo)  # a nominal bound (7B) stands for its size class: see llmcat.units
        out.append(
            FieldCheck(
                "parameter count", f"--min-params {size(lo)}", params, lambda v: v >= smallest, size, params_basis
            )
        )
    if q.max_params_b is not None:
        hi = q.max_params_b
        largest = size_ceiling(hi)
        out.append(
            FieldCheck(
                "parameter count", f"--max-params {size(hi)}", params, lambda v: v <= largest, size, params_basis
            )
        )

    def context_basis(m: Row) -> str:
        found = registry.context(m[ID]) if registry is not None and m[CONTEXT] is None else None
        return found.describe() if found is not None else ""

    if q.min_context is not None:
        need = q.min_context
        out.append(
            FieldCheck(
                "context length",
                f"--min-context {need}",
                context,
                lambda v: v >= need,
                str,
                context_basis,
            )
        )
    if q.released_after is not None:
        after = _date_floor(q.released_after)
        out.append(
            FieldCheck(
                "release date", f"--released-after {q.released_after}", released, lambda v: _date_floor(v) >= after, str
            )
        )
    if q.released_before is not None:
        before = _date_floor(q.released_before)
        out.append(
            FieldCheck(
                "release date",
                f"--released-before {q.released_before}",
                released,
                lambda v: _date_floor(v) < before,
                str,
            )
        )
    if q.japanese is not None:
        floor = max(q.japanese.strength, 1)
        option = "--ja" if q.japanese is JapaneseLevel.MULTILINGUAL else f"--ja-level {q.japanese.value}"
        out.append(FieldCheck("Japanese level", option, japanese, lambda v: _JA_STRENGTH[v] >= floor, str))
    out.extend(q.checks)
    if q.fits_gib is not None and registry is not None:
        from llmcat.fit import fit_check

        out.append(fit_check(registry, q))
    return out


def passes_other_filters(m: Row, q: Query, registry: Registry, *, descendants: frozenset[str] | None = None) -> bool:
    """Whether the model passes every filter of ``q`` that is not a field check (see :func:`field_checks`).

    Fields are read by position so that a big registry can be filtered before any Model is built.
    """
    if q.words:
        hay = _haystack(m)
        if not all(_needle(w) in hay for w in q.words):
            return False
    if q.unconditional or q.commercial:
        status = registry.status(m[ID])
        if q.unconditional and status is not Status.YES:
            return False
        if status not in (Status.YES, Status.CONDITIONAL):
            return False
    if q.licenses:
        wanted = {x.lower() for x in q.licenses}
        if m[LICENSE].lower() not in wanted and not any(x.lower() in wanted for x in m[LICENSES]):
            return False
    if q.license_classes:
        lic = registry.licenses.get(m[LICENSE])
        if lic is None or lic.license_class not in q.license_classes:
            return False
    if q.languages:
        langs = set(m[LANGUAGES])
        ja = m[JAPANESE]
        if ja is not None and _JA_STRENGTH[ja] > 0:
            langs.add("ja")
        if not all(code.lower() in langs for code in q.languages):
            return False
    if q.modalities and not all(x in m[MODALITIES] for x in q.modalities):
        return False
    if descendants is not None and m[ID] not in descendants:
        return False
    if q.families and m[FAMILY].lower() not in {f.lower() for f in q.families}:
        return False
    if q.orgs and not any(o.lower() in m[ORG].lower() or o.lower() == m[ORG_ID] for o in q.orgs):
        return False
    if q.tags and not all(t.lower() in m[TAGS] for t in q.tags):
        return False
    if q.without_conditions and not _without_conditions(m[ID], q.without_conditions, registry):
        return False
    return q.policy is None or _complies(m[ID], q.policy, registry)


def _without_conditions(model_id: str, kinds: tuple[str, ...], registry: Registry) -> bool:
    """No condition of ``kinds`` applies along the lineage, and the terms are known (status not unknown)."""
    if registry.status(model_id) is Status.UNKNOWN:
        return False
    return not any(c.kind in kinds for c in registry.commercial(model_id).conditions)


def _complies(model_id: str, policy: PolicyFile, registry: Registry) -> bool:
    from llmcat.policy import registry_filter

    return registry_filter(policy, registry)(model_id)


def unknown_fields(m: Row, checks: Sequence[FieldCheck]) -> tuple[str, ...] | None:
    """None if a known value fails a check; else the fields (in check order) whose value is unknown."""
    unknown: list[str] = []
    for c in checks:
        v = c.value(m)
        if v is None:
            if c.field not in unknown:
                unknown.append(c.field)
        elif not c.keeps(v):
            return None
    return tuple(unknown)


def matches(m: Row, q: Query, registry: Registry, *, descendants: frozenset[str] | None = None) -> bool:
    """Whether the model (a Model, or its raw row from the compiled index) passes every filter of ``q``."""
    if not passes_other_filters(m, q, registry, descendants=descendants):
        return False
    unknown = unknown_fields(m, field_checks(q, registry))
    return unknown is not None and (not unknown or q.include_unknown)


SortValue = Callable[[Model], Any]


def _sort_value(
    key: SortKey,
    hub_value: Callable[[Model, SortKey], float | None] | None,
    registry: Registry | None = None,
) -> SortValue:
    if key is SortKey.NAME:
        return lambda m: m.name.lower()
    if key is SortKey.RELEASED:
        return lambda m: m.released and _date_floor(m.released)
    if key is SortKey.PARAMS:
        return lambda m: params_of(m.id, m.params_b)
    if key is SortKey.CONTEXT:
        if registry is None:
            return lambda m: m.context_tokens

        def context(m: Model) -> int | None:
            found = registry.context(m.id)
            return found.tokens if found is not None else None

        return context
    if hub_value is None:
        return lambda _m: None
    return lambda m: hub_value(m, key)


def order(
    models: Sequence[Model],
    key: SortKey,
    *,
    descending: bool = False,
    hub_value: Callable[[Model, SortKey], float | None] | None = None,
    registry: Registry | None = None,
) -> list[Model]:
    """Sort by ``key``; models without a value go last in either direction; ties keep id order.

    With ``registry``, the context sort uses a context read from a config.json where none is stated."""
    return _order(models, _sort_value(key, hub_value, registry), descending)[0]


def _order(models: Sequence[Model], value: SortValue, descending: bool) -> tuple[list[Model], int]:
    """:func:`order`, and how many models had no value to sort by (they come last)."""
    by_id = sorted(models, key=lambda m: m.id)
    known = [m for m in by_id if value(m) is not None]
    unknown = [m for m in by_id if value(m) is None]
    known.sort(key=value, reverse=descending)
    return known + unknown, len(unknown)


# What a sort key orders by, in words, for the note on the models that have no value for it.
SORTED_BY = {
    SortKey.RELEASED: "release date",
    SortKey.PARAMS: "parameter count",
    SortKey.CONTEXT: "context length",
    SortKey.DOWNLOADS: "Hub data",
    SortKey.LIKES: "Hub data",
    SortKey.TRENDING: "Hub data",
}


class Selection(NamedTuple):
    """The answer to a query, with what it left out for want of data."""

    models: list[Model]  # in the query's order, at most ``limit`` of them
    unknown: dict[str, int]  # field -> models left out only because that field's value is unknown
    # (with ``include_unknown``: kept although it is unknown); a model unknown on two fields counts in both
    matched: int  # matches before ``limit``
    unsorted: int = 0  # matches with no value for the sort key: listed last
    sorted_by: str = ""  # what the sort key orders by, in words ("context length"); empty for the name

    def notes(self, include_unknown: bool = False) -> list[str]:
        """One line per field for the user (stderr), e.g. ``307 models left out: context length unknown``;
        then how many matches have no value to sort by, e.g. ``12 models have no release date: listed last``."""
        if include_unknown:
            out = [f"{n} model{'s' if n != 1 else ''} kept with {field} unknown" for field, n in self.unknown.items()]
        else:
            out = [
                f"{n} model{'s' if n != 1 else ''} left out: {field} unknown (--include-unknown keeps them)"
                for field, n in self.unknown.items()
            ]
        if self.unsorted:
            n = self.unsorted
            have = "models have" if n != 1 else "model has"
            out.append(f"{n} {have} no {self.sorted_by}: listed last")
        return out


def select(
    registry: Registry,
    q: Query,
    *,
    hub_value: Callable[[Model, SortKey], float | None] | None = None,
) -> Selection:
    """The models of ``registry`` that match ``q``, in ``q``'s order, at most ``q.limit`` of them, with
    how many each field filter left out (or, with ``include_unknown``, kept) because the value is unknown."""
    descendants = None
    if q.bases:
        descendants = frozenset(m.id for b in q.bases for m in registry.descendants(b))
    checks = field_checks(q, registry)
    counts: dict[str, int] = {c.field: 0 for c in checks}
    models = registry.models
    kept: list[Model] = []
    for row in registry.rows():
        if not passes_other_filters(row, q, registry, descendants=descendants):
            continue
        unknown = unknown_fields(row, checks) if checks else ()
        if unknown is None:
            continue
        for field in unknown:
            counts[field] += 1
        if not unknown or q.include_unknown:
            kept.append(models[row[ID]])
    ordered, unsorted = _order(kept, _sort_value(q.sort, hub_value, registry), q.descending)
    shown = ordered if q.limit is None else ordered[: q.limit]
    return Selection(shown, {f: n for f, n in counts.items() if n}, len(ordered), unsorted, SORTED_BY.get(q.sort, ""))


def run(
    registry: Registry,
    q: Query,
    *,
    hub_value: Callable[[Model, SortKey], float | None] | None = None,
) -> list[Model]:
    """The models of ``registry`` that match ``q``, in ``q``'s order, at most ``q.limit`` of them."""
    return select(registry, q, hub_value=hub_value).models
