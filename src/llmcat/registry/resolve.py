"""Name lookup: what people type (an id, an alias, a repo id, a family) to the models it names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from llmcat.errors import UnknownModelError
from llmcat.records import Model

if TYPE_CHECKING:
    from llmcat.registry.store import Registry


def name_table(models: Iterable[Model]) -> dict[str, str]:
    """Lower-cased id, alias or Hugging Face repo id -> model id (ids win over aliases over repos)."""
    models = list(models)
    names: dict[str, str] = {}
    for m in models:
        for repo in m.hf_repos:
            names.setdefault(repo.lower(), m.id)
    for m in models:
        for alias in m.aliases:
            names[alias.lower()] = m.id
    for m in models:
        names[m.id.lower()] = m.id
    return names


def resolve(registry: Registry, name: str) -> Model | list[Model]:
    """A model by id, alias or repo id; else every member of a family; else UnknownModelError."""
    model = registry.find(name)
    if model is not None:
        return model
    members = registry.families.get(name.strip().lower())
    if members:
        return [registry.models[i] for i in members]
    raise UnknownModelError(name, suggest(registry, name))


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
