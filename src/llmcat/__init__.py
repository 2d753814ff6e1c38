"""llmcat: a catalogue of open LLMs, with licences, commercial status, Japanese support and lineage.

The public API is re-exported lazily so that ``import llmcat`` stays cheap for the CLI.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: typing costs tens of ms, and this package is imported before the
# command's Ctrl-C guard is in place (llmcat.__main__). Type checkers treat the name as true.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "Query",
    "Registry",
    "RegistryError",
    "UnknownModelError",
    "__version__",
    "load_registry",
    "run_query",
]

if TYPE_CHECKING:
    from typing import Any

    from llmcat.errors import RegistryError, UnknownModelError
    from llmcat.query import Query
    from llmcat.query import run as run_query
    from llmcat.registry import Registry, load_registry

_LAZY = {
    "Query": ("llmcat.query", "Query"),
    "run_query": ("llmcat.query", "run"),
    "Registry": ("llmcat.registry", "Registry"),
    "load_registry": ("llmcat.registry", "load_registry"),
    "RegistryError": ("llmcat.errors", "RegistryError"),
    "UnknownModelError": ("llmcat.errors", "UnknownModelError"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'llmcat' has no attribute {name!r}") from None
    import importlib

    return getattr(importlib.import_module(module_name), attr)
