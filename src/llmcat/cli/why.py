"""`llmcat why ID [list filters]`: which filter keeps a model out of `llmcat list`, and why."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from llmcat.cli import complete
from llmcat.cli.common import FormatOpt, JsonOpt, RegistryOpt, handles_errors, load, output_format
from llmcat.cli.root import app
from llmcat.formats import OutputFormat


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Takes every filter `llmcat list` takes (see llmcat list --help). Exit 0 whether or not it is listed.",
)
@handles_errors
def why(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="A model id, alias, repo id or URL (a family: each member).", autocompletion=complete.models
        ),
    ],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Say which `list` filter leaves a model out: its value against the bound, or "unknown"."""
    from llmcat import formats
    from llmcat.cli.filters import query_from_options
    from llmcat.explain import explain

    out_fmt = output_format(fmt, as_json, False)
    if out_fmt not in (OutputFormat.TABLE, OutputFormat.JSON):
        from llmcat.errors import UsageError

        raise UsageError("why prints text or JSON (--json)")
    # The filters are `list`'s own options, parsed by `list` itself: the two can never disagree.
    list_cmd = ctx.find_root().command.get_command(ctx, "list")  # type: ignore[attr-defined]
    sub = list_cmd.make_context("why", [*ctx.args, *(a for p in registry or [] for a in ("--registry", str(p)))])
    reg = load(registry)
    q = query_from_options(reg, sub.params)
    found = reg.resolve(name)
    members = found if isinstance(found, list) else [found]
    answers = [explain(reg, m, q) for m in members]
    if out_fmt is OutputFormat.JSON:
        records = [a.record() for a in answers]
        sys.stdout.write(formats.dumps_json(records if isinstance(found, list) else records[0]) + "\n")
        return
    lines: list[str] = []
    for a in answers:
        lines.append(a.summary)
        lines.extend(f"  {v.outcome:<9} {v.option}: {v.detail}" for v in a.verdicts)
    sys.stdout.write("".join(formats.inert(line) + "\n" for line in lines))
