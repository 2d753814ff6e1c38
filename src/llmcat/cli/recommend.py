"""`llmcat recommend [list filters] [--for PURPOSE]`: candidates ranked by evidence, each with its reasons."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from llmcat.cli.common import (
    FormatOpt,
    JsonOpt,
    RegistryOpt,
    credit_scores,
    err,
    handles_errors,
    load,
    output_format,
)
from llmcat.cli.root import app
from llmcat.formats import OutputFormat


class PurposeChoice(StrEnum):
    """--for's values (llmcat.recommend.Purpose, repeated here so start-up does not import the ranking)."""

    GENERAL = "general"
    CHAT = "chat"
    CODE = "code"
    REASONING = "reasoning"
    JA = "ja"


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Takes every filter `llmcat list` takes (see llmcat list --help), --fits and -n included. "
    "How the rank is computed: README, 'recommend'.",
)
@handles_errors
def recommend(
    ctx: typer.Context,
    *,
    purpose: Annotated[
        PurposeChoice,
        typer.Option(
            "--for",
            case_sensitive=False,
            help="What for: general, chat, code, reasoning or ja (Japanese). Chooses the benchmark that ranks.",
        ),
    ] = PurposeChoice.GENERAL,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The best candidates for a purpose among the models `list` would show (10 unless -n), each with why."""
    from llmcat import formats, scores, views
    from llmcat import recommend as core
    from llmcat.cli.filters import query_from_options

    out_fmt = output_format(fmt, as_json, False)
    # The filters are `list`'s own options, parsed by `list` itself: the two can never disagree.
    list_cmd = ctx.find_root().command.get_command(ctx, "list")  # type: ignore[attr-defined]
    sub = list_cmd.make_context("recommend", [*ctx.args, *(a for p in registry or [] for a in ("--registry", str(p)))])
    reg = load(registry)
    book = scores.load()
    result = core.recommend(reg, query_from_options(reg, sub.params), book, core.Purpose(purpose.value))
    for line in result.notes:
        err(f"note: {line}")
    credit_scores(book)
    if out_fmt is OutputFormat.TABLE:
        if not result.ranked:
            err("No models match.")
            return
        from llmcat import render, render_scores

        render.make_console().print(render_scores.recommend_table(result.ranked))
        return
    records = [r.record(formats.model_record(views.build(reg, r.model))) for r in result.ranked]
    cols = ("rank", "id", "rank_score", "scored", "benchmark", "commercial", "license", "reason")
    formats.write_records(records, out_fmt, sys.stdout, columns=cols)
