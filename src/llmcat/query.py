"""Filtering, sorting and limiting the registry. Pure functions over records; no I/O, no frameworks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.records import JapaneseLevel, LicenseClass, Model, Status
from llmcat.units import size_ceiling, size_floor

if TYPE_CHECKING:
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


def _haystack(m: Row) -> str:
    return " ".join((m[ID], m[NAME], *m[ALIASES], m[FAMILY], m[ORG], *m[TAGS], *m[HF_REPOS])).lower()


def _date_floor(text: str) -> str:
    return (text + "-01-01")[:10] if len(text) == 4 else (text + "-01")[:10]


def matches(m: Row, q: Query, registry: Registry, *, descendants: frozenset[str] | None = None) -> bool:
    """Whether the model (a Model, or its raw row from the compiled index) passes every filter of ``q``.

    Fields are read by position so that a big registry can be filtered before any Model is built.
    """
    if q.words:
        hay = _haystack(m)
        if not all(w.lower() in hay for w in q.words):
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
    ja = m[JAPANESE]
    if q.japanese is not None and (ja is None or _JA_STRENGTH[ja] < max(q.japanese.strength, 1)):
        return False
    if q.languages:
        langs = set(m[LANGUAGES])
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
    params, context, released = m[PARAMS], m[CONTEXT], m[RELEASED]
    if q.min_params_b is not None and (params is None or params < size_floor(q.min_params_b)):
        return False
    if q.max_params_b is not None and (params is None or params > size_ceiling(q.max_params_b)):
        return False
    if q.min_context is not None and (context is None or context < q.min_context):
        return False
    if q.released_after is not None and (released is None or _date_floor(released) < _date_floor(q.released_after)):
        return False
    if q.released_before is not None and (released is None or _date_floor(released) >= _date_floor(q.released_before)):
        return False
    return not (q.tags and not all(t.lower() in m[TAGS] for t in q.tags))


SortValue = Callable[[Model], Any]


def _sort_value(key: SortKey, hub_value: Callable[[Model, SortKey], float | None] | None) -> SortValue:
    if key is SortKey.NAME:
        return lambda m: m.name.lower()
    if key is SortKey.RELEASED:
        return lambda m: m.released and _date_floor(m.released)
    if key is SortKey.PARAMS:
        return lambda m: m.params_b
    if key is SortKey.CONTEXT:
        return lambda m: m.context_tokens
    if hub_value is None:
        return lambda _m: None
    return lambda m: hub_value(m, key)


def order(
    models: Sequence[Model],
    key: SortKey,
    *,
    descending: bool = False,
    hub_value: Callable[[Model, SortKey], float | None] | None = None,
) -> list[Model]:
    """Sort by ``key``; models without a value go last in either direction; ties keep id order."""
    value = _sort_value(key, hub_value)
    by_id = sorted(models, key=lambda m: m.id)
    known = [m for m in by_id if value(m) is not None]
    unknown = [m for m in by_id if value(m) is None]
    known.sort(key=value, reverse=descending)
    return known + unknown


def run(
    registry: Registry,
    q: Query,
    *,
    hub_value: Callable[[Model, SortKey], float | None] | None = None,
) -> list[Model]:
    """The models of ``registry`` that match ``q``, in ``q``'s order, at most ``q.limit`` of them."""
    descendants = None
    if q.bases:
        descendants = frozenset(m.id for b in q.bases for m in registry.descendants(b))
    models = registry.models
    kept = [models[row[ID]] for row in registry.rows() if matches(row, q, registry, descendants=descendants)]
    ordered = order(kept, q.sort, descending=q.descending, hub_value=hub_value)
    return ordered if q.limit is None else ordered[: q.limit]
