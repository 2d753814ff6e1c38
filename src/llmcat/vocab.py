"""Filter values checked against the registry: a value that names nothing is an error, not an empty list.

`--license`, `--family`, `--tag`, `--org` and `--lang` values are matched as people type them (case,
spaces, hyphens, dots and underscores ignored, as for model names; `--lang` also takes language names)
and turned into the registry's own spelling. A value that matches nothing raises
:class:`~llmcat.errors.UsageError` (exit 2) with the closest values the registry has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from llmcat.errors import UsageError
from llmcat.records import JapaneseLevel, Model
from llmcat.registry.resolve import normalise

if TYPE_CHECKING:
    from llmcat.registry import Registry

# Language names people type for `--lang`, to ISO 639-1 codes (the registry's `languages`).
LANGUAGE_NAMES = {
    "arabic": "ar",
    "bengali": "bn",
    "chinese": "zh",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "finnish": "fi",
    "french": "fr",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "malay": "ms",
    "norwegian": "no",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "spanish": "es",
    "swahili": "sw",
    "swedish": "sv",
    "tagalog": "tl",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
    "urdu": "ur",
    "vietnamese": "vi",
    "日本語": "ja",
    "中文": "zh",
    "한국어": "ko",
}

_F = {name: i for i, name in enumerate(Model._fields)}
_FAMILY, _ORG, _TAGS, _LANGS, _JA = _F["family"], _F["org"], _F["tags"], _F["languages"], _F["japanese"]


def _near(value: str, pool: Iterable[str], n: int = 3) -> list[str]:
    import difflib

    pool = sorted(set(pool))
    by_key = {normalise(p): p for p in pool}
    key = normalise(value)
    close = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6)]
    if len(close) < n and len(key) >= 3:
        close += [p for k, p in by_key.items() if key in k and p not in close][: n - len(close)]
    return close


def _unknown(option: str, value: str, what: str, near: Sequence[str]) -> UsageError:
    hint = f". Did you mean: {', '.join(near)}?" if near else ""
    return UsageError(f"{option} {value!r} matches no {what} in the registry{hint}")


def _match(option: str, values: Iterable[str], known: Iterable[str], what: str) -> tuple[str, ...]:
    """Each value as the registry spells it: same ignoring case, else same ignoring separators too."""
    known = list(dict.fromkeys(known))
    lower = {k.lower(): k for k in known}
    loose: dict[str, str] = {}
    for k in known:
        loose.setdefault(normalise(k), k)
    out: list[str] = []
    for v in values:
        hit = lower.get(v.strip().lower()) or loose.get(normalise(v))
        if hit is None:
            raise _unknown(option, v, what, _near(v, known))
        out.append(hit)
    return tuple(dict.fromkeys(out))


def licenses(registry: Registry, values: Sequence[str]) -> tuple[str, ...]:
    """Licence ids; an SPDX id (``Apache-2.0``) names the licence that carries it."""
    if not values:
        return ()
    spdx = {lic.spdx.lower(): lic.id for lic in registry.licenses.values() if lic.spdx}
    plain = [spdx.get(v.strip().lower(), v) for v in values]
    return _match("--license", plain, registry.licenses, "licence")


def license_named(registry: Registry, name: str) -> tuple[str]:
    """The licence ``name`` names (id or SPDX id, as typed); an unknown one is an error (exit 1)."""
    from llmcat.errors import LlmcatError

    try:
        (found,) = licenses(registry, [name])
    except UsageError:
        near = _near(name, registry.licenses)
        hint = f". Did you mean: {', '.join(near)}?" if near else ""
        raise LlmcatError(f"unknown licence {name!r}{hint}") from None
    return (found,)


def families(registry: Registry, values: Sequence[str]) -> tuple[str, ...]:
    if not values:
        return ()
    return _match("--family", values, (row[_FAMILY] for row in registry.rows()), "family")


def tags(registry: Registry, values: Sequence[str]) -> tuple[str, ...]:
    if not values:
        return ()
    return _match("--tag", values, (t for row in registry.rows() for t in row[_TAGS]), "tag")


def orgs(registry: Registry, values: Sequence[str]) -> tuple[str, ...]:
    """Organisations match as a substring (``meta`` finds ``Meta AI``); one that is in no org is an error."""
    if not values:
        return ()
    known = {row[_ORG] for row in registry.rows()}
    lowered = [k.lower() for k in known]
    for v in values:
        if not any(v.strip().lower() in k for k in lowered):
            raise _unknown("--org", v, "organisation", _near(v, known))
    return tuple(v.strip() for v in values)


def languages(registry: Registry, values: Sequence[str]) -> tuple[str, ...]:
    """ISO 639-1 codes; language names (``japanese``, ``English``) are turned into their codes."""
    if not values:
        return ()
    known: set[str] = set()
    for row in registry.rows():
        known.update(row[_LANGS])
        if row[_JA] is not None and JapaneseLevel(row[_JA]).supported:
            known.add("ja")
    out: list[str] = []
    for v in values:
        code = LANGUAGE_NAMES.get(v.strip().lower(), v.strip().lower())
        if code not in known:
            names = [n for n, c in LANGUAGE_NAMES.items() if c in known]
            raise _unknown("--lang", v, "language", _near(v, [*known, *names]))
        out.append(code)
    return tuple(dict.fromkeys(out))
