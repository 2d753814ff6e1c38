"""`llmcat hub ...` and `llmcat cache ...`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from llmcat.cli import complete
from llmcat.cli.common import (
    FormatOpt,
    HubOptions,
    JsonOpt,
    OfflineOpt,
    RegistryOpt,
    StrictOpt,
    TimeoutOpt,
    TtlOpt,
    err,
    handles_errors,
    load,
    output_format,
)
from llmcat.cli.root import app
from llmcat.errors import ExitCode, LlmcatError
from llmcat.formats import OutputFormat

hub_app = typer.Typer(help="Hugging Face Hub data: refresh the cache, check the registry against the cards.")
app.add_typer(hub_app, name="hub")
cache_app = typer.Typer(help="llmcat's cache directory (compiled registry index and Hub data).")
app.add_typer(cache_app, name="cache")

NamesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Models or families (default: every model with a Hugging Face repo).", autocompletion=complete.models
    ),
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


def _with_repos(models: list[Any], verb: str) -> list[Any]:
    """The models that have a Hugging Face repo; none at all is an error (there is nothing to {verb})."""
    out = [m for m in models if m.hf_repos]
    if not out:
        raise LlmcatError(f"nothing to {verb}: no model named has a Hugging Face repo")
    return out


def _cause(warnings: Sequence[str]) -> str:
    """Why no Hub data came back, in one line (the Hub's warnings, joined)."""
    if not warnings:
        return "no Hub data came back"
    return "; ".join(warnings)


@hub_app.command("refresh")
@handles_errors
def hub_refresh(
    names: NamesArg = None,
    *,
    timeout: TimeoutOpt = None,
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Fetch fresh Hub data into the cache, whatever its age."""
    from llmcat.hub import offline_from_env

    reg = load(registry)
    models = _with_repos(_pick(reg, names), "refresh")
    if offline_from_env():
        raise LlmcatError("refreshed nothing: offline mode is on (HF_HUB_OFFLINE)")
    opts = HubOptions(timeout=timeout, ttl=None, strict=strict, offline=False)
    result = opts.run(models, refresh=True, report=False)
    have = sum(1 for h in result.info.values() if h.facts is not None and not h.stale)
    if not have:
        raise LlmcatError(f"refreshed nothing: {_cause(result.warnings)}")
    for w in result.warnings:
        err(f"Warning: {w}")
    err(f"Refreshed {have} of {len(result.info)} repos with {result.requests} Hub request(s).")
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
    timeout: TimeoutOpt = None,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """List where registry entries disagree with their Hub cards (exit 1 if any do)."""
    from llmcat import drift, formats

    out_fmt = output_format(fmt, as_json, False)
    reg = load(registry)
    models = _with_repos(_pick(reg, names), "check")
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    result = opts.run(models, report=False)
    checked = sum(1 for m in models if (h := result.info.get(m.id)) is not None and h.facts is not None)
    if not checked:
        # A check that could check nothing must not look like a clean bill of health (exit 0).
        raise LlmcatError(f"checked nothing: {_cause(result.warnings)}")
    for w in result.warnings:
        err(f"Warning: {w}")
    rows = drift.check(reg, models, result.info, tolerance=tolerance)
    if out_fmt is OutputFormat.TABLE:
        if rows:
            from llmcat import render

            render.make_console().print(render.drift_table(rows))
    else:
        records = [r._asdict() for r in rows]
        formats.write_records(records, out_fmt, sys.stdout, columns=("id", "repo", "field", "registry", "hub"))
    err(f"{len(rows)} disagreement(s) in {checked} model(s) checked against their Hub cards.")
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
    from llmcat.cache import cache_dir, clear
    from llmcat.errors import shown_path

    root = cache_dir()
    removed = clear(root)
    err(f"Removed {removed} cached file(s) from {shown_path(root)}.")
