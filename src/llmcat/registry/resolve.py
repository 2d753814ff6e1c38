"""Name lookup: what people type (an id, an alias, a repo id or URL, a family, a brand) to the models
it names.

Tried in order, the first that answers wins:

1. a Hugging Face URL (``https://huggingface.co/org/repo[/tree/...]``) is read as its repo id;
2. an id, alias or repo id, ignoring case;
3. one word of letters (``llama``, ``elyza``, ``swallow``, ``redpajama``): every family whose name
   starts with that word (``llama-2``, ``qwen2.5``, not ``codellama``), or whose publisher's name has
   it as a word — one family is that family, several are a *brand*, shown grouped, newest first;
4. a family name, ignoring case;
5. the same with case, spaces, hyphens, dots and underscores ignored (``Llama 3`` = ``llama-3``,
   ``Falcon 40B`` = ``falcon-40b``; a dot between digits is a decimal point and counts): a model,
   else a family;
6. a prefix (three characters or more, same normalisation) of one family's name or of its models' ids
   or repo names (``japanese-gpt-neox``): that family.

A name that fits several models or families at one step is ambiguous (exit 1, the candidates listed);
a name that fits nothing is unknown (exit 1, with suggestions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.errors import AmbiguousNameError, UnknownModelError
from llmcat.records import Model

if TYPE_CHECKING:
    from llmcat.registry.store import Registry

# Spaces, hyphens, underscores and dots, except a dot between digits: a decimal point (1.3b is not 13b).
_SEPARATORS = re.compile(r"[\s\-_]+|(?<!\d)\.|\.(?!\d)")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/+(.*)$", re.IGNORECASE)
_NOT_REPOS = {"datasets", "spaces", "models", "docs", "blog", "collections", "papers", "organizations"}
_WORD = re.compile(r"^[^\W\d_]+$")
_ORG_WORD = re.compile(r"[^\W_]+")
_FIRST_WORD = re.compile(r"[^\W\d_]*")  # the letters a family's name starts with: qwen2.5 -> qwen

# Field positions in a Model (and in its raw index row).
_F = {name: i for i, name in enumerate(Model._fields)}
_ID, _NAME, _FAMILY, _ORG = _F["id"], _F["name"], _F["family"], _F["org"]
_ALIASES, _RELEASED, _REPOS = _F["aliases"], _F["released"], _F["hf_repos"]


class Resolved(NamedTuple):
    """What a name named: one model, a family, or a brand (several families)."""

    kind: str  # "model", "family" or "brand"
    name: str  # the model id, the family, or the brand word as typed
    groups: tuple[tuple[str, tuple[Model, ...]], ...]  # (family, members): a family is one group

    @property
    def models(self) -> list[Model]:
        return [m for _family, members in self.groups for m in members]


def normalise(name: str) -> str:
    """Case, spaces, hyphens, dots and underscores removed: 'Llama 3' -> 'llama3'; a dot between
    digits is a decimal point and stays: 'OPT 1.3B' -> 'opt1.3b', not 'opt13b'."""
    return _SEPARATORS.sub("", name.strip().lower())


def repo_from_url(name: str) -> str | None:
    """``org/repo`` from a Hugging Face model URL (``/tree/...``, ``?query``, ``#part`` ignored)."""
    m = _URL.match(name.strip())
    if m is None:
        return None
    path = re.split(r"[?#]", m.group(1), maxsplit=1)[0]
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2 or parts[0].lower() in _NOT_REPOS:
        return None
    return f"{parts[0]}/{parts[1]}"


def name_table(models: Iterable[Any]) -> dict[str, str]:
    """Lower-cased id, alias or Hugging Face repo id -> model id (ids win over aliases over repos).

    ``models`` are Models or raw index rows (same field order)."""
    rows = list(models)
    names: dict[str, str] = {}
    for m in rows:
        for repo in m[_REPOS]:
            names.setdefault(repo.lower(), m[_ID])
    for m in rows:
        for alias in m[_ALIASES]:
            names[alias.lower()] = m[_ID]
    for m in rows:
        names[m[_ID].lower()] = m[_ID]
    return names


class NormalTables(NamedTuple):
    """Normalised names, built on the first lookup that needs them (from the raw rows: no Model built)."""

    models: dict[str, tuple[str, ...]]  # normalised id / alias / repo id / name -> model ids
    families: dict[str, str]  # normalised family -> family (as spelled in the registry)
    prefixes: tuple[tuple[str, str], ...]  # (normalised id, alias or repo name, family), for prefix lookup
    org_words: dict[str, frozenset[str]]  # family -> the words of its publishers' names
    newest: dict[str, str]  # family -> its newest release date ("" if none is known)


def normal_tables(rows: Iterable[Any]) -> NormalTables:
    from llmcat.query import _date_floor

    models: dict[str, list[str]] = {}
    families: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    org_words: dict[str, set[str]] = {}
    newest: dict[str, str] = {}

    def add(key: str, mid: str) -> None:
        ids = models.setdefault(key, [])
        if mid not in ids:
            ids.append(mid)

    for m in rows:
        mid, family = m[_ID], m[_FAMILY]
        keys = {normalise(mid), normalise(m[_NAME])}
        keys.update(normalise(a) for a in m[_ALIASES])
        keys.update(normalise(r) for r in m[_REPOS])
        for key in keys:
            add(key, mid)
        families.setdefault(normalise(family), family)
        short = {normalise(mid), *(normalise(a) for a in m[_ALIASES])}
        short.update(normalise(r.split("/", 1)[-1]) for r in m[_REPOS])
        prefixes.extend((k, family) for k in short)
        org_words.setdefault(family, set()).update(w for w in _ORG_WORD.findall(m[_ORG].lower()) if len(w) >= 3)
        released = m[_RELEASED]
        if released and _date_floor(released) > newest.get(family, ""):
            newest[family] = _date_floor(released)
    return NormalTables(
        {k: tuple(v) for k, v in models.items()},
        families,
        tuple(prefixes),
        {f: frozenset(w) for f, w in org_words.items()},
        newest,
    )


def _group(registry: Registry, kind: str, name: str, families: Iterable[str]) -> Resolved:
    newest = registry.normal_tables.newest
    ordered = sorted(set(families))
    ordered.sort(key=lambda f: newest.get(f, ""), reverse=True)  # newest first, undated last, ties by name
    groups = tuple((f, tuple(registry.models[i] for i in registry.families[f.lower()])) for f in ordered)
    return Resolved(kind, name, groups)


def _model(registry: Registry, model_id: str) -> Resolved:
    m = registry.models[model_id]
    return Resolved("model", m.id, ((m.family, (m,)),))


def resolve_name(registry: Registry, name: str) -> Resolved:
    """What ``name`` names (see the module docstring); AmbiguousNameError or UnknownModelError if nothing
    or several things."""
    typed = name.strip()
    repo = repo_from_url(typed)
    if repo is not None:
        mid = registry.names.get(repo.lower())
        if mid is None:
            raise UnknownModelError(name, suggest(registry, repo))
        return _model(registry, mid)
    mid = registry.names.get(typed.lower())
    if mid is not None:
        return _model(registry, mid)
    tables = registry.normal_tables
    key = normalise(typed)
    if _WORD.match(typed):
        word = typed.lower()
        found = {f for f in tables.org_words if _FIRST_WORD.match(f.lower()).group() == word}  # type: ignore[union-attr]
        found.update(f for f, words in tables.org_words.items() if word in words)
        if len(found) == 1:
            return _family(registry, found.pop())
        if found:
            return _group(registry, "brand", typed, found)
    if typed.lower() in registry.families:
        return _family(registry, registry.models[registry.families[typed.lower()][0]].family)
    if key:
        ids = tables.models.get(key, ())
        if len(ids) == 1:
            return _model(registry, ids[0])
        if ids:
            raise AmbiguousNameError(name, list(ids))
        family = tables.families.get(key)
        if family is not None:
            return _family(registry, family)
    if len(key) >= 3:
        found = {f for k, f in tables.families.items() if k.startswith(key)}
        found.update(f for k, f in tables.prefixes if k.startswith(key))
        if len(found) == 1:
            return _family(registry, found.pop())
        if found:
            raise AmbiguousNameError(name, sorted(found))
    raise UnknownModelError(name, suggest(registry, typed))


def _family(registry: Registry, family: str) -> Resolved:
    return _group(registry, "family", family, (family,))


def resolve(registry: Registry, name: str) -> Model | list[Model]:
    """A model; else every member of a family or brand (brand: families newest first); else an error."""
    found = resolve_name(registry, name)
    return found.groups[0][1][0] if found.kind == "model" else found.models


def suggest(registry: Registry, name: str, n: int = 5) -> list[str]:
    import difflib

    names = registry.names
    key = name.strip().lower()
    pool = list(names) + list(registry.families)
    close = difflib.get_close_matches(key, pool, n=n, cutoff=0.6)
    if len(close) < n and len(key) >= 3:
        close += [p for p in pool if key in p and p not in close][: n - len(close)]
    out: list[str] = []
    for c in close:
        shown = names.get(c, c)
        if shown not in out:
            out.append(shown)
    return out[:n]
