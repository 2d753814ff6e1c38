"""The command line: parse options, call the core, hand results to a renderer. Nothing else lives here.

One module per command group; each registers its commands on :data:`llmcat.cli.root.app`. The program's
entry point, with its top-level guard, is :func:`llmcat.__main__.main`.

``from llmcat.cli import app`` gives the app with every command. The entry point asks for
:func:`app_for` instead: building a command line for all sixteen commands costs Typer about as much
as a whole warm `list --json`, so a run loads only the modules of the command it runs (all of them for
help, completion or anything it does not recognise).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import Any

# Command modules in the order their commands are listed in `llmcat --help`.
MODULES = ("audit", "fit", "hubcmds", "info", "models", "recommend", "scores", "show", "why")
# Each command (or command group), and the modules it needs: `why` and `recommend` parse `list`'s options.
COMMANDS: dict[str, tuple[str, ...]] = {
    "audit": ("audit",),
    "check": ("audit",),
    "fit": ("fit",),
    "compare": ("fit",),
    "tree": ("fit",),
    "hub": ("hubcmds",),
    "cache": ("hubcmds",),
    "licenses": ("info",),
    "stats": ("info",),
    "validate": ("info",),
    "list": ("models",),
    "recommend": ("models", "recommend"),
    "scores": ("scores",),
    "show": ("show",),
    "why": ("models", "why"),
}

__all__ = ["COMMANDS", "MODULES", "app", "app_for", "main"]


def _load(modules: Sequence[str]) -> Any:
    for name in MODULES:
        if name in modules:
            importlib.import_module(f"llmcat.cli.{name}")
    from llmcat.cli.root import app

    return app


def app_for(argv: Sequence[str]) -> Any:
    """The Typer app with the commands ``argv`` (the arguments after the program name) may run."""
    completing = any(k.endswith("_COMPLETE") for k in os.environ)  # shell completion needs every command
    if argv and argv[0] in COMMANDS and not completing:
        return _load(COMMANDS[argv[0]])
    return _load(MODULES)


def __getattr__(name: str) -> Any:
    if name == "app":
        return _load(MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The ``llmcat`` command (kept for callers of ``llmcat.cli:main``): see :mod:`llmcat.__main__`."""
    from llmcat.__main__ import main as guarded_main

    guarded_main()
