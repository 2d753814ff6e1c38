"""The registry: the bundled files plus any user registries, validated, compiled and indexed.

- :mod:`~llmcat.registry.sources`: the files;
- :mod:`~llmcat.registry.compile`: validation and cross-entry rules;
- :mod:`~llmcat.registry.index`: the compiled index in the cache (the fast path);
- :mod:`~llmcat.registry.store`: the in-memory :class:`Registry`;
- :mod:`~llmcat.registry.resolve`: names as people type them.
"""

from typing import Any

from llmcat.registry.index import load_registry, load_sources
from llmcat.registry.sources import REGISTRY_ENV, Source, bundled_sources, user_paths_from_env, user_source
from llmcat.registry.store import ModelTable, Registry


def __getattr__(name: str) -> Any:
    # Validation imports pydantic: only a compile needs it, never a warm start.
    if name == "compile_sources":
        from llmcat.registry.compile import compile_sources

        return compile_sources
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "REGISTRY_ENV",
    "ModelTable",
    "Registry",
    "Source",
    "bundled_sources",
    "compile_sources",
    "load_registry",
    "load_sources",
    "user_paths_from_env",
    "user_source",
]
