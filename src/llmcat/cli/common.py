"""What every command shares: one-line errors, option parsers and types, Hub settings, loading."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from llmcat.errors import ExitCode, LlmcatError, RegistryError, UsageError
from llmcat.formats import OutputFormat

P = ParamSpec("P")
R = TypeVar("R")


def err(message: str) -> None:
    from llmcat.formats import inert

    # One line, always: a newline or carriage return inside a message (quoted from a file or a path)
    # is shown as an escape, like every other control character.
    sys.stderr.write(inert(message).replace("\n", "\\n").replace("\r", "\\r") + "\n")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected errors into a one-line message on stderr and the documented exit code.

    Anything unexpected (a bug) is one line too, ``llmcat: internal error: ...``, with exit code 70
    (``LLMCAT_DEBUG=1`` adds the traceback); :mod:`llmcat.__main__` guards what runs outside commands.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise  # Typer's own ways out (typer.Exit, typer.BadParameter) keep their meaning
        except RegistryError as e:
            for issue in e.issues:
                err(str(issue))
            err(f"Error: {e}")
            raise typer.Exit(e.exit_code) from None
        except LlmcatError as e:
            err(f"Error: {e}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as other Unix tools do.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitCode.OK) from None
        except Exception as e:
            from llmcat.errors import debug_enabled, internal_error_line

            if debug_enabled():
                import traceback

                traceback.print_exception(e, file=sys.stderr)
            sys.stderr.write(internal_error_line(e) + "\n")
            raise typer.Exit(ExitCode.INTERNAL) from None

    return wrapper


# --------------------------------------------------------------------------- shared options


def _parse_with(parser: Callable[[str], Any]) -> Callable[[str | None], Any]:
    def callback(value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parser(value)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        except OverflowError:  # e.g. 400 nines: a float that is infinite
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise typer.BadParameter(f"{shown!r} is out of range") from None

    return callback


def params_opt(value: str | None) -> float | None:
    from llmcat.units import parse_params

    return _parse_with(parse_params)(value)  # type: ignore[no-any-return]


def tokens_opt(value: str | None) -> int | None:
    from llmcat.units import parse_tokens

    return _parse_with(parse_tokens)(value)  # type: ignore[no-any-return]


def date_opt(value: str | None) -> str | None:
    from llmcat.units import parse_date

    return _parse_with(parse_date)(value)  # type: ignore[no-any-return]


RegistryOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--registry",
        "-r",
        help="A user registry YAML file layered on the bundled one (repeatable). "
        "Also read from $LLMCAT_REGISTRY (paths separated like PATH).",
        dir_okay=False,
    ),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format. [default: table]"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
IdsOpt = Annotated[bool, typer.Option("--ids", "-q", help="Shorthand for --format ids (ids only, one per line).")]


def _duration(value: str | None) -> float | None:
    from llmcat.units import parse_duration

    return _parse_with(parse_duration)(value)  # type: ignore[no-any-return]


LiveOpt = Annotated[bool, typer.Option("--live", help="Add live Hugging Face Hub data (cached; see --ttl).")]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.1,
        max=3600.0,
        help="Seconds to wait for each Hub answer (connecting: at most 3 s). [default: 10, or $LLMCAT_HUB_TIMEOUT]",
    ),
]


def hub_timeout(value: float | None) -> float:
    from llmcat.hub import timeout_setting

    return timeout_setting(value)


TtlOpt = Annotated[
    float | None,
    typer.Option(
        "--ttl", parser=_duration, metavar="DURATION", help="Reuse cached Hub data younger than this. [default: 24h]"
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 1 if any Hub request failed.")]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Use cached Hub data only, however old (also HF_HUB_OFFLINE=1).")
]


class HubOptions:
    """The Hub settings of one command, turned into an enrichment run."""

    def __init__(self, *, timeout: float | None, ttl: float | None, strict: bool, offline: bool) -> None:
        self.timeout = timeout
        self.ttl = ttl
        self.strict = strict
        self.offline = offline

    def run(self, models: Sequence[Any], *, refresh: bool = False, network: bool = True, report: bool = True) -> Any:
        """Hub data for ``models`` (see :func:`llmcat.enrich.enrich`); ``report``: print its warnings."""
        from llmcat import enrich, hub
        from llmcat.hubcache import HubCache

        offline = self.offline or hub.offline_from_env() or not network
        client = None
        if not offline:
            seconds = hub_timeout(self.timeout)
            client = lambda: hub.HubClient(timeout=seconds)  # noqa: E731
        bars: list[Any] = []

        def progress(total: int) -> Callable[[], None]:
            # Only when there is real work and a person watching stderr: rich is not imported otherwise.
            if total < 6 or not sys.stderr.isatty():
                return lambda: None
            from llmcat import render

            bars.append(render.progress_bar(total))
            return bars[-1].__enter__()  # type: ignore[no-any-return]

        try:
            result = enrich.enrich(
                models,
                cache=HubCache(),
                client=client,
                ttl=self.ttl if self.ttl is not None else enrich.DEFAULT_TTL,
                refresh=refresh,
                progress=progress,
            )
        finally:
            for bar in bars:
                bar.__exit__(None, None, None)
        if report:
            for w in result.warnings:
                err(f"Warning: {w}")
        return result

    def finish(self, result: Any) -> None:
        if self.strict and result.warnings:
            raise LlmcatError(f"{len(result.warnings)} Hub problem(s) (--strict)")


def credit_scores(book: Any) -> None:
    """Credit every score source on stderr wherever its scores are used (CC BY asks for it)."""
    for src in book.sources:
        err(f"scores: {src.name} ({src.license}), {src.url}")


def output_format(fmt: OutputFormat | None, as_json: bool, ids_only: bool) -> OutputFormat:
    chosen = {f for f, on in ((fmt, fmt is not None), (OutputFormat.JSON, as_json), (OutputFormat.IDS, ids_only)) if on}
    if len(chosen) > 1:
        raise UsageError("choose one output format: --format, --json or -q/--ids")
    return chosen.pop() if chosen else OutputFormat.TABLE  # type: ignore[return-value]


def load(registry_paths: Sequence[Path] | None) -> Any:
    import gc

    from llmcat.registry import load_registry, user_paths_from_env

    # Loading a big registry allocates millions of small tuples and no reference cycles: the cyclic
    # garbage collector would scan them again and again for nothing (about a fifth of the time for
    # 100,000 entries). Pause it, then freeze what was loaded so later collections skip it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return load_registry([*user_paths_from_env(), *(registry_paths or [])])
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
