"""The command line: parse options, call the core, hand results to a renderer. Nothing else lives here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from llmcat import __version__
from llmcat.errors import ExitCode, LlmcatError, RegistryError, UsageError
from llmcat.formats import OutputFormat
from llmcat.query import HUB_SORT_KEYS, SortKey
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


def _duration(value: str | None) -> float | None:
    from llmcat.units import parse_duration

    return _parse_with(parse_duration)(value)  # type: ignore[no-any-return]


LiveOpt = Annotated[bool, typer.Option("--live", help="Add live Hugging Face Hub data (cached; see --ttl).")]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0.1, envvar="LLMCAT_HUB_TIMEOUT", help="Seconds to wait for each Hub request."),
]
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

    def __init__(self, *, timeout: float, ttl: float | None, strict: bool, offline: bool) -> None:
        self.timeout = timeout
        self.ttl = ttl
        self.strict = strict
        self.offline = offline

    def run(self, models: Sequence[Any], *, refresh: bool = False, network: bool = True) -> Any:
        from llmcat import enrich, hub
        from llmcat.hubcache import HubCache

        offline = self.offline or hub.offline_from_env() or not network
        client = None if offline else (lambda: hub.HubClient(timeout=self.timeout))
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
        for w in result.warnings:
            _err(f"Warning: {w}")
        return result

    def finish(self, result: Any) -> None:
        if self.strict and result.warnings:
            raise LlmcatError(f"{len(result.warnings)} Hub problem(s) (--strict)")


def _format(fmt: OutputFormat | None, as_json: bool, ids_only: bool) -> OutputFormat:
    chosen = {f for f, on in ((fmt, fmt is not None), (OutputFormat.JSON, as_json), (OutputFormat.IDS, ids_only)) if on}
    if len(chosen) > 1:
        raise UsageError("choose one output format: --format, --json or -q/--ids")
    return chosen.pop() if chosen else OutputFormat.TABLE  # type: ignore[return-value]


def _load(registry_paths: Sequence[Path] | None) -> Any:
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
        typer.Option(
            "--unconditional", help="Commercial use allowed outright (status yes: permissive or share-alike licences)."
        ),
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
    live: LiveOpt = False,
    timeout: TimeoutOpt = 10.0,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """List models that match every filter given.

    Sorting by downloads, likes or trending uses Hub data: fetched with --live, else from the cache.
    """
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
    hub_sort = sort in HUB_SORT_KEYS
    if not (live or hub_sort):
        _emit_models(run(reg, q), reg, out_fmt, None)
        return
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    # Hub data is needed before sorting: gather it for every match, then order and cut.
    matches = run(reg, q._replace(sort=SortKey.NAME, limit=None)) if hub_sort else run(reg, q)
    result = opts.run(matches, network=live)
    models = matches
    if hub_sort:
        from llmcat.enrich import hub_value
        from llmcat.query import order

        field = {"downloads": "downloads", "likes": "likes", "trending": "trending_score"}[sort.value]
        models = order(matches, sort, descending=desc, hub_value=hub_value(result.info, field))
        models = models if limit is None else models[:limit]
        missing = sum(1 for m in models if (h := result.info.get(m.id)) is None or h.facts is None)
        if missing:
            _err(f"Note: {missing} model(s) have no Hub data and are listed last (use --live to fetch it).")
    _emit_models(models, reg, out_fmt, result.info)
    opts.finish(result)


def _emit_models(models: Sequence[Any], reg: Any, out_fmt: OutputFormat, hub: Mapping[str, Any] | None) -> None:
    from llmcat import formats

    if out_fmt is OutputFormat.TABLE:
        if not models:
            _err("No models match.")
            return
        from llmcat import render

        facts = {mid: h.facts for mid, h in hub.items()} if hub is not None else None
        render.make_console().print(render.models_table(models, reg, hub=facts))
        return
    records = [formats.model_record(m, reg) for m in models]
    columns: tuple[str, ...] = formats.CSV_COLUMNS
    if hub is not None:
        for m, rec in zip(models, records, strict=True):
            info = hub.get(m.id)
            rec["hub"] = info.record() if info is not None else None
        columns += formats.HUB_CSV_COLUMNS
    formats.write_records(records, out_fmt, sys.stdout, columns=columns)


# --------------------------------------------------------------------------- show


@app.command()
@handles_errors
def show(
    name: Annotated[str, typer.Argument(help="A model id, alias, Hugging Face repo id, or family name.")],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
    live: LiveOpt = False,
    timeout: TimeoutOpt = 10.0,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """Everything about one model (or every member of a family), with why its licence is what it is."""
    from llmcat import formats

    out_fmt = _format(fmt, as_json, False)
    reg = _load(registry)
    found = reg.resolve(name)
    members = found if isinstance(found, list) else [found]
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    result = opts.run(members) if live else None
    info = result.info if result is not None else {}
    if isinstance(found, list):
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            facts = {mid: h.facts for mid, h in info.items()} if result is not None else None
            render.make_console().print(render.family_view(found, reg, hub=facts))
        else:
            records = [formats.model_record(m, reg, detail=True) for m in found]
            if result is not None:
                for m, rec in zip(found, records, strict=True):
                    rec["hub"] = info[m.id].record() if m.id in info else None
            formats.write_records(records, out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    else:
        hub_rec = info[found.id].record() if found.id in info else None
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            render.make_console().print(render.model_detail(found, reg, hub=hub_rec if result is not None else None))
        else:
            record = formats.model_record(found, reg, detail=True)
            if result is not None:
                record["hub"] = hub_rec
            if out_fmt is OutputFormat.JSON:
                sys.stdout.write(formats.dumps_json(record) + "\n")
            else:
                formats.write_records([record], out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    if result is not None:
        opts.finish(result)


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


hub_app = typer.Typer(help="Hugging Face Hub data: refresh the cache, check the registry against the cards.")
app.add_typer(hub_app, name="hub")
cache_app = typer.Typer(help="llmcat's cache directory (compiled registry index and Hub data).")
app.add_typer(cache_app, name="cache")

NamesArg = Annotated[
    list[str] | None, typer.Argument(help="Models or families (default: every model with a Hugging Face repo).")
]


def _pick(reg: Any, names: Sequence[str] | None) -> list[Any]:
    if not names:
        return [m for m in reg.models.values() if m.hf_repos]
    out: dict[str, Any] = {}
    for name in names:
        found = reg.resolve(name)
        for m in found if isinstance(found, list) else [found]:
            out[m.id] = m
    return list(out.values())


@hub_app.command("refresh")
@handles_errors
def hub_refresh(
    names: NamesArg = None,
    *,
    timeout: TimeoutOpt = 10.0,
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Fetch fresh Hub data into the cache, whatever its age."""
    reg = _load(registry)
    models = _pick(reg, names)
    opts = HubOptions(timeout=timeout, ttl=None, strict=strict, offline=False)
    result = opts.run(models, refresh=True)
    have = sum(1 for h in result.info.values() if h.facts is not None and not h.stale)
    _err(f"Refreshed {have} of {len(result.info)} repos with {result.requests} Hub request(s).")
    opts.finish(result)


@hub_app.command("drift")
@handles_errors
def hub_drift(
    names: NamesArg = None,
    *,
    tolerance: Annotated[
        float, typer.Option("--tolerance", min=0.0, help="Allowed relative difference in parameter count.")
    ] = 0.10,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 10.0,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """List where registry entries disagree with their Hub cards (exit 1 if any do)."""
    from llmcat import drift, formats

    out_fmt = _format(fmt, as_json, False)
    reg = _load(registry)
    models = _pick(reg, names)
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    result = opts.run(models)
    rows = drift.check(reg, models, result.info, tolerance=tolerance)
    if out_fmt is OutputFormat.TABLE:
        if rows:
            from llmcat import render

            render.make_console().print(render.drift_table(rows))
    else:
        records = [r._asdict() for r in rows]
        formats.write_records(records, out_fmt, sys.stdout, columns=("id", "repo", "field", "registry", "hub"))
    checked = sum(1 for m in models if (h := result.info.get(m.id)) is not None and h.facts is not None)
    _err(f"{len(rows)} disagreement(s) in {checked} model(s) checked against their Hub cards.")
    opts.finish(result)
    if rows:
        raise typer.Exit(ExitCode.ERROR)


@cache_app.command("path")
def cache_path() -> None:
    """Print the cache directory."""
    from llmcat.cache import cache_dir

    sys.stdout.write(f"{cache_dir()}\n")


@cache_app.command("clear")
@handles_errors
def cache_clear() -> None:
    """Delete the cached Hub data and compiled registry indexes."""
    import shutil

    from llmcat.cache import cache_dir

    root = cache_dir()
    removed = 0
    for sub in ("hub", "index"):
        folder = root / sub
        if folder.is_dir():
            removed += sum(1 for p in folder.iterdir() if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    _err(f"Removed {removed} cached file(s) from {root}.")


def main() -> None:
    app()
