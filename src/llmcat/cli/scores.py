"""`llmcat scores`: the benchmarks llmcat can rank by, with their sources."""

from __future__ import annotations

import sys

from llmcat.cli.common import FormatOpt, JsonOpt, RegistryOpt, err, handles_errors, load, output_format
from llmcat.cli.root import app
from llmcat.formats import OutputFormat


@app.command("scores")
@handles_errors
def scores_cmd(
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The benchmarks: what each measures, its scale, its source, and how many models have it."""
    from llmcat import formats, scores

    out_fmt = output_format(fmt, as_json, False)
    book = scores.load()
    counts = book.counts(load(registry).models.values())
    records = [scores.benchmark_record(b, counts[b.id]) for b in book.benchmarks.values()]
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render, render_scores

        render.make_console().print(render_scores.benchmarks_table(records))
        for src in book.sources:
            err(f"Source: {src.attribution}, {src.file} (retrieved {src.retrieved})")
        return
    cols = ("id", "title", "language", "scale", "tasks", "models", "source", "license", "evidence", "date")
    formats.write_records(records, out_fmt, sys.stdout, columns=cols)
