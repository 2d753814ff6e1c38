"""`llmcat licenses`, `llmcat stats` and `llmcat validate`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmcat.cli import complete
from llmcat.cli.common import FormatOpt, JsonOpt, RegistryOpt, err, handles_errors, load, output_format
from llmcat.cli.root import app
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


class StatsFormat(StrEnum):
    """The formats `stats` offers: counts have no ids, so no `ids`."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    YAML = "yaml"


@app.command()
@handles_errors
def stats(
    *,
    fmt: Annotated[
        StatsFormat | None,
        typer.Option("--format", "-f", case_sensitive=False, help="Output format. [default: table]"),
    ] = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Coverage of the registry: counts by family, licence class, commercial status, Japanese level, input.

    JSON and YAML give the groups as nested objects; CSV and JSONL one row per count:
    group, value, count.
    """
    from llmcat.stats import coverage

    out_fmt = output_format(OutputFormat(fmt.value) if fmt is not None else None, as_json, False)
    data = coverage(load(registry))
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render

        render.make_console().print(render.counts_tables(data))
        return
    if out_fmt is OutputFormat.JSON:
        from llmcat.formats import dumps_json

        sys.stdout.write(dumps_json(data) + "\n")
        return
    from llmcat import formats

    if out_fmt is OutputFormat.YAML:
        import yaml

        sys.stdout.write(yaml.safe_dump(formats._yaml_safe(data), allow_unicode=True, sort_keys=False))
        return
    rows = [
        {"group": group, "value": value, "count": n} for group, counts in data.items() for value, n in counts.items()
    ]
    formats.write_records(rows, out_fmt, sys.stdout, columns=("group", "value", "count"))


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
    """Check registry files; report every problem as file:line:col: path: message (exit 1 if any).

    Every kind of problem is reported in one run. A user entry that replaces a bundled one gets a note.
    The counts are those of the files checked.
    """
    from llmcat.errors import Issue
    from llmcat.registry import bundled_sources, compile_sources, user_source

    user = [user_source(p) for p in paths or []]
    sources = bundled_sources() + user
    notes: list[Issue] = []
    counts: dict[str, tuple[int, int]] = {}
    try:
        compile_sources(sources, notes=notes, counts=counts)
    finally:
        for note in notes:
            err(str(note))
    checked = user or sources
    models = sum(counts.get(s.display, (0, 0))[0] for s in checked)
    licences = sum(counts.get(s.display, (0, 0))[1] for s in checked)
    names = ", ".join(s.display for s in user) if user else "bundled registry"
    replaced = f" ({len(notes)} replacing bundled entries)" if notes else ""
    err(f"OK: {names}: {models} model(s){replaced}, {licences} licence(s)")
