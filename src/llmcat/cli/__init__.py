"""The command line: parse options, call the core, hand results to a renderer. Nothing else lives here.

One module per command group; each registers its commands on :data:`llmcat.cli.app.app`.
"""

from __future__ import annotations

from llmcat.cli import audit, hubcmds, info, models
from llmcat.cli.app import app

__all__ = ["app", "audit", "hubcmds", "info", "main", "models"]


def main() -> None:
    app()
