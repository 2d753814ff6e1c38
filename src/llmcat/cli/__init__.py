"""The command line: parse options, call the core, hand results to a renderer. Nothing else lives here.

One module per command group; each registers its commands on :data:`llmcat.cli.app.app`. The program's
entry point, with its top-level guard, is :func:`llmcat.__main__.main`.
"""

from __future__ import annotations

from llmcat.cli import audit, fit, hubcmds, info, models, recommend, scores, show, why
from llmcat.cli.app import app

__all__ = ["app", "audit", "fit", "hubcmds", "info", "main", "models", "recommend", "scores", "show", "why"]


def main() -> None:
    """The ``llmcat`` command (kept for callers of ``llmcat.cli:main``): see :mod:`llmcat.__main__`."""
    from llmcat.__main__ import main as guarded_main

    guarded_main()
