"""`llmcat licenses`, `llmcat stats` and `llmcat validate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llmcat.cli import complete
from llmcat.cli.app import app
from llmcat.cli.common import FormatOpt, JsonOpt, RegistryOpt, err, handles_errors, load, output_format
from llmcat.errors import UsageError
from llmcat.formats import OutputFormat

# --------------------------------------------------------------------------- licenses, stats, validate


@app.command()
@handles_errors
def licenses(
    license_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="One licence to show in full: every condition's text, its models.",
            autocompletion=complete.licences,
        ),
    ] = None,
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The licence table: each licence's class, commercial status and kinds of condition (ID: one in full)."""
    from collections import Counter

    from llmcat import formats

    out_fmt = output_format(fmt, as_json, False)
    reg = load(registry)
    counts = Counter(m.license for m in reg.models.values())
    if license_id is not None:
        from llmcat import vocab

        (found,) = vocab.license_named(reg, license_id)
        lic = reg.licenses[found]
        models = sorted(m.id for m in reg.models.values() if m.license == lic.id)
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            render.make_console().print(render.license_detail(lic, models))
            return
        record = {**formats.license_record(lic), "models": len(models), "model_ids": models}
        if out_fmt is OutputFormat.JSON:
            sys.stdout.write(formats.dumps_json(record) + "\n")
            return
        cols = ("id", "name", "spdx", "class", "commercial", "conditions", "url", "models")
        formats.write_records([record], out_fmt, sys.stdout, columns=cols)
        return
    lics = sorted(reg.licenses.values(), key=lambda lic: lic.id)
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render

        console = render.make_console()
        console.print(render.licenses_table(lics, counts, width=console.width))
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

    out_fmt = output_format(fmt, as_json, False)
    data = coverage(load(registry))
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
    err(f"OK: {names}: {len(reg.models)} models, {len(reg.licenses)} licences")
