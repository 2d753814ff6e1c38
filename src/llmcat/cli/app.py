"""The Typer application and its root options; command modules register on :data:`app`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from llmcat import __version__

app = typer.Typer(
    name="llmcat",
    help="A catalogue of open LLMs: licences and commercial use, Japanese support, image input, lineage.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"llmcat {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", "-V", callback=_version_callback, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """A catalogue of open LLMs: licences and commercial use, Japanese support, image input, lineage."""
