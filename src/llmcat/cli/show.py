"""`llmcat show`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from llmcat.cli import complete
from llmcat.cli.common import (
    FormatOpt,
    HubOptions,
    JsonOpt,
    LiveOpt,
    OfflineOpt,
    RegistryOpt,
    StrictOpt,
    TimeoutOpt,
    TtlOpt,
    handles_errors,
    load,
    output_format,
)
from llmcat.cli.root import app
from llmcat.formats import OutputFormat

# --------------------------------------------------------------------------- show


@app.command()
@handles_errors
def show(
    name: Annotated[
        str,
        typer.Argument(
            help="A model id, alias, Hugging Face repo id or URL, family or brand (as people type it).",
            autocompletion=complete.models,
        ),
    ],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
    live: LiveOpt = False,
    timeout: TimeoutOpt = None,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """Everything about one model (or every member of a family), with why its licence is what it is."""
    from llmcat import formats, scores, views

    out_fmt = output_format(fmt, as_json, False)
    reg = load(registry)
    resolved = reg.resolve_name(name)
    found = resolved.models if resolved.kind != "model" else resolved.models[0]
    members = found if isinstance(found, list) else [found]
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    result = opts.run(members) if live else None
    info = result.info if result is not None else {}
    if isinstance(found, list):
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            facts = {mid: h.facts for mid, h in info.items()} if result is not None else None
            console = render.make_console()
            if resolved.kind == "brand":
                derived = views.table_rows(reg, found)
                view = render.brand_view(resolved.groups, resolved.name, derived, hub=facts, width=console.width)
            else:
                view = render.family_view(views.build_all(reg, found), hub=facts, width=console.width)
            render.print_whole(console, view)
        else:
            book = scores.load()
            records = [formats.model_record(v, detail=True) for v in views.build_all(reg, found, detail=True)]
            for m, rec in zip(found, records, strict=True):
                rec["scores"] = [sc.record() for sc in book.for_model(m)]
            if result is not None:
                for m, rec in zip(found, records, strict=True):
                    rec["hub"] = info[m.id].record() if m.id in info else None
            formats.write_records(records, out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    else:
        hub_rec = info[found.id].record() if found.id in info else None
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render, render_model

            detail = render_model.model_detail(
                views.build(reg, found, detail=True),
                hub=hub_rec if result is not None else None,
                scores=scores.panel_data(found),
            )
            render.make_console().print(detail)
        else:
            record = formats.model_record(views.build(reg, found, detail=True), detail=True)
            record["scores"] = [sc.record() for sc in scores.load().for_model(found)]
            if result is not None:
                record["hub"] = hub_rec
            if out_fmt is OutputFormat.JSON:
                sys.stdout.write(formats.dumps_json(record) + "\n")
            else:
                formats.write_records([record], out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    if result is not None:
        opts.finish(result)
