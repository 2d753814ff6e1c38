"""The command line: parse options, call the core, hand results to a renderer. Nothing else lives here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from llmcat import __version__
from llmcat.errors import ExitCode, LlmcatError, RegistryError, UsageError
from llmcat.formats import OutputFormat
from llmcat.query import SortKey
from llmcat.records import JapaneseLevel, LicenseClass

app = typer.Typer(
    name="llmcat",
    help="A catalogue of open LLMs: licences and commercial use, Japanese support, image input, lineage.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------- errors


def _err(message: str) -> None:
    from llmcat.formats import inert

    sys.stderr.write(inert(message) + "\n")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected errors into a one-line message on stderr and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RegistryError as e:
            for issue in e.issues:
                _err(str(issue))
            _err(f"Error: {e}")
            raise typer.Exit(e.exit_code) from None
        except LlmcatError as e:
            _err(f"Error: {e}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as other Unix tools do.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitCode.OK) from None

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

    return callback


def _params(value: str | None) -> float | None:
    from llmcat.units import parse_params

    return _parse_with(parse_params)(value)  # type: ignore[no-any-return]


def _tokens(value: str | None) -> int | None:
    from llmcat.units import parse_tokens

    return _parse_with(parse_tokens)(value)  # type: ignore[no-any-return]


def _date(value: str | None) -> str | None:
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


def _format(fmt: OutputFormat | None, as_json: bool, ids_only: bool) -> OutputFormat:
    chosen = {f for f, on in ((fmt, fmt is not None), (OutputFormat.JSON, as_json), (OutputFormat.IDS, ids_only)) if on}
    if len(chosen) > 1:
        raise UsageError("choose one output format: --format, --json or -q/--ids")
    return chosen.pop() if chosen else OutputFormat.TABLE  # type: ignore[return-value]


def _load(registry_paths: Sequence[Path] | None) -> Any:
    from llmcat.registry import load_registry, user_paths_from_env

    return load_registry([*user_paths_from_env(), *(registry_paths or [])])


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


# --------------------------------------------------------------------------- list


@app.command("list")
@handles_errors
def list_models(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words that must all appear in the id, name, aliases, family, org, tags or repo ids."),
    ] = None,
    *,
    commercial: Annotated[
        bool,
        typer.Option("--commercial", help="Commercial use allowed (status yes, or conditional: see conditions)."),
    ] = False,
    unconditional: Annotated[
        bool,
        typer.Option("--unconditional", help="Commercial use allowed with no licence conditions (status yes)."),
    ] = False,
    license_: Annotated[list[str] | None, typer.Option("--license", help="Licence id (repeatable: any of).")] = None,
    license_class: Annotated[
        list[LicenseClass] | None, typer.Option("--license-class", help="Licence class (repeatable: any of).")
    ] = None,
    ja: Annotated[bool, typer.Option("--ja", help="Any Japanese support (same as --ja-level multilingual).")] = False,
    ja_level: Annotated[
        JapaneseLevel | None,
        typer.Option(
            "--ja-level",
            help="Minimum Japanese support, strongest first: pretrained > continued > finetuned > multilingual.",
        ),
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="Language code, e.g. ja, en (repeatable: all of).")
    ] = None,
    image: Annotated[bool, typer.Option("--image", help="Takes image input.")] = False,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Only models built on NAME (a model or family), at any depth."),
    ] = None,
    family: Annotated[list[str] | None, typer.Option("--family", help="Family (repeatable: any of).")] = None,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Organisation, substring (repeatable: any of).")
    ] = None,
    min_params: Annotated[
        float | None,
        typer.Option("--min-params", parser=_params, metavar="SIZE", help="At least SIZE parameters (7B, 1.5b, 350M)."),
    ] = None,
    max_params: Annotated[
        float | None,
        typer.Option("--max-params", parser=_params, metavar="SIZE", help="At most SIZE parameters."),
    ] = None,
    min_context: Annotated[
        int | None,
        typer.Option("--min-context", parser=_tokens, metavar="TOKENS", help="Context of at least TOKENS (8k, 128K)."),
    ] = None,
    after: Annotated[
        str | None,
        typer.Option(
            "--released-after",
            parser=_date,
            metavar="DATE",
            help="Released on or after DATE (YYYY[-MM[-DD]]).",
        ),
    ] = None,
    before: Annotated[
        str | None,
        typer.Option("--released-before", parser=_date, metavar="DATE", help="Released before DATE."),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag such as chat, instruct, code (repeatable: all of).")
    ] = None,
    sort: Annotated[SortKey, typer.Option("--sort", "-s", case_sensitive=False, help="Sort key.")] = SortKey.NAME,
    desc: Annotated[bool, typer.Option("--desc/--asc", help="Sort descending or ascending.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show at most N models.")] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    ids_only: IdsOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """List models that match every filter given."""
    from llmcat.query import Query, run

    out_fmt = _format(fmt, as_json, ids_only)
    reg = _load(registry)
    bases: tuple[str, ...] = ()
    if base is not None:
        found = reg.resolve(base)
        bases = tuple(m.id for m in found) if isinstance(found, list) else (found.id,)
    level = ja_level or (JapaneseLevel.MULTILINGUAL if ja else None)
    q = Query(
        words=tuple(words or ()),
        commercial=commercial,
        unconditional=unconditional,
        licenses=tuple(license_ or ()),
        license_classes=tuple(license_class or ()),
        japanese=level,
        languages=tuple(lang or ()),
        modalities=("image",) if image else (),
        bases=bases,
        families=tuple(family or ()),
        orgs=tuple(org or ()),
        min_params_b=min_params,
        max_params_b=max_params,
        min_context=min_context,
        released_after=after,
        released_before=before,
        tags=tuple(tag or ()),
        sort=sort,
        descending=desc,
        limit=limit,
    )
    models = run(reg, q)
    _emit_models(models, reg, out_fmt)


def _emit_models(models: Sequence[Any], reg: Any, out_fmt: OutputFormat) -> None:
    from llmcat import formats

    if out_fmt is OutputFormat.TABLE:
        if not models:
            _err("No models match.")
            return
        from llmcat import render

        render.make_console().print(render.models_table(models, reg))
        return
    records = [formats.model_record(m, reg) for m in models]
    formats.write_records(records, out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)


# --------------------------------------------------------------------------- show


@app.command()
@handles_errors
def show(
    name: Annotated[str, typer.Argument(help="A model id, alias, Hugging Face repo id, or family name.")],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Everything about one model (or every member of a family), with why its licence is what it is."""
    from llmcat import formats

    out_fmt = _format(fmt, as_json, False)
    reg = _load(registry)
    found = reg.resolve(name)
    if isinstance(found, list):
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            console = render.make_console()
            console.print(render.t(f"Family {found[0].family}: {len(found)} models", "head"))
            console.print(render.models_table(found, reg))
            return
        records = [formats.model_record(m, reg, detail=True) for m in found]
        formats.write_records(records, out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
        return
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render

        render.make_console().print(render.model_detail(found, reg))
        return
    record = formats.model_record(found, reg, detail=True)
    if out_fmt is OutputFormat.JSON:
        sys.stdout.write(formats.dumps_json(record) + "\n")
    else:
        formats.write_records([record], out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)


# --------------------------------------------------------------------------- licenses, stats, validate


@app.command()
@handles_errors
def licenses(
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The licence table: each licence's class, commercial status and conditions."""
    from collections import Counter

    from llmcat import formats

    out_fmt = _format(fmt, as_json, False)
    reg = _load(registry)
    counts = Counter(m.license for m in reg.models.values())
    lics = sorted(reg.licenses.values(), key=lambda lic: lic.id)
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render

        render.make_console().print(render.licenses_table(lics, counts))
        return
    records = [{**formats.license_record(lic), "models": counts.get(lic.id, 0)} for lic in lics]
    cols = ("id", "name", "spdx", "class", "commercial", "conditions", "url", "models")
    formats.write_records(records, out_fmt, sys.stdout, columns=cols)


@app.command()
@handles_errors
def stats(
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Coverage of the registry: counts by family, licence class, commercial status, Japanese level, input."""
    from llmcat.stats import coverage

    out_fmt = _format(fmt, as_json, False)
    data = coverage(_load(registry))
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render

        render.make_console().print(render.counts_tables(data))
        return
    if out_fmt is not OutputFormat.JSON:
        raise UsageError("stats prints a table or JSON (--json)")
    from llmcat.formats import dumps_json

    sys.stdout.write(dumps_json(data) + "\n")


@app.command()
@handles_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="User registry files to check (layered on the bundled one). Default: the bundled registry."
        ),
    ] = None,
) -> None:
    """Check registry files; report every problem as file:line:col: path: message (exit 1 if any)."""
    from llmcat.registry import bundled_sources, load_sources, user_source

    sources = bundled_sources() + [user_source(p) for p in paths or []]
    reg = load_sources(sources, use_cache=False)
    names = ", ".join(str(p) for p in paths) if paths else "bundled registry"
    _err(f"OK: {names}: {len(reg.models)} models, {len(reg.licenses)} licences")


def main() -> None:
    app()
