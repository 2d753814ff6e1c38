"""The Typer application and its root options; command modules register on :data:`app`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.27 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]

from llmcat import __version__


class OneLineErrors(TyperGroup):
    """Click prints a bad command line as a usage block and an error; llmcat prints one line
    (``Error: ... (see 'llmcat list --help')``) with the same exit code, as it does for every error."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.NoArgsIsHelpError as e:
            e.show()  # `llmcat` alone: the help, as before
            sys.exit(e.exit_code)
        except click_errors.ClickException as e:
            sys.stderr.write(one_line_error(e) + "\n")
            sys.exit(e.exit_code)
        except typer.Abort:
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


def one_line_error(e: Any) -> str:
    from llmcat.formats import inert

    message = " ".join(str(e.format_message()).split()).replace("Value error, ", "")
    ctx = getattr(e, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if isinstance(e, click_errors.UsageError) and ctx is not None else ""
    return inert(f"Error: {message}{hint}")


app = typer.Typer(
    cls=OneLineErrors,
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
