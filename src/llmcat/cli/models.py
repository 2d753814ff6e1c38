"""`llmcat list`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from llmcat.cli import complete
from llmcat.cli.common import (
    FormatOpt,
    HubOptions,
    IdsOpt,
    JsonOpt,
    LiveOpt,
    OfflineOpt,
    RegistryOpt,
    StrictOpt,
    TimeoutOpt,
    TtlOpt,
    credit_scores,
    date_opt,
    err,
    handles_errors,
    load,
    output_format,
    params_opt,
    tokens_opt,
)
from llmcat.cli.filters import query_from_options, table_columns
from llmcat.cli.options import ConditionKindChoice, memory_opt, quant_opt
from llmcat.cli.options import Mode as FitMode
from llmcat.cli.root import app
from llmcat.formats import OutputFormat
from llmcat.query import HUB_SORT_KEYS, Query, Selection, SortKey
from llmcat.records import JapaneseLevel, LicenseClass

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
    license_: Annotated[
        list[str] | None,
        typer.Option("--license", help="Licence id (repeatable: any of).", autocompletion=complete.licences),
    ] = None,
    license_class: Annotated[
        list[LicenseClass] | None,
        typer.Option("--license-class", case_sensitive=False, help="Licence class (repeatable: any of)."),
    ] = None,
    ja: Annotated[bool, typer.Option("--ja", help="Any Japanese support (same as --ja-level multilingual).")] = False,
    ja_level: Annotated[
        JapaneseLevel | None,
        typer.Option(
            "--ja-level",
            case_sensitive=False,
            help="Minimum Japanese support, strongest first: pretrained > continued > finetuned > multilingual.",
        ),
    ] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Language code or name, e.g. ja, en, japanese (repeatable: all of)."),
    ] = None,
    image: Annotated[bool, typer.Option("--image", help="Takes image input.")] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Only models built on NAME (a model or family), at any depth.",
            autocompletion=complete.models,
        ),
    ] = None,
    family: Annotated[
        list[str] | None,
        typer.Option("--family", help="Family (repeatable: any of).", autocompletion=complete.families),
    ] = None,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Organisation, substring (repeatable: any of).")
    ] = None,
    min_params: Annotated[
        float | None,
        typer.Option(
            "--min-params",
            parser=params_opt,
            metavar="SIZE",
            help="At least SIZE parameters (7B, 1.5b, 350M; a bare number of a million or more is a count).",
        ),
    ] = None,
    max_params: Annotated[
        float | None,
        typer.Option("--max-params", parser=params_opt, metavar="SIZE", help="At most SIZE parameters."),
    ] = None,
    min_context: Annotated[
        int | None,
        typer.Option(
            "--min-context", parser=tokens_opt, metavar="TOKENS", help="Context of at least TOKENS (8k, 128K)."
        ),
    ] = None,
    after: Annotated[
        str | None,
        typer.Option(
            "--released-after",
            parser=date_opt,
            metavar="DATE",
            help="Released on or after DATE (YYYY[-MM[-DD]]).",
        ),
    ] = None,
    before: Annotated[
        str | None,
        typer.Option("--released-before", parser=date_opt, metavar="DATE", help="Released before DATE."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", help="Tag such as chat, instruct, code (repeatable: all of).", autocompletion=complete.tags
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            "-s",
            metavar="KEY",
            help="Sort key: name, released, params, context, downloads, likes, trending, "
            "or score:BENCH[/TASK] (see `llmcat scores`; best first unless --asc).",
        ),
    ] = SortKey.NAME.value,
    desc: Annotated[
        bool | None, typer.Option("--desc/--asc", help="Sort descending or ascending. [default: ascending]")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show at most N models.")] = None,
    include_unknown: Annotated[
        bool,
        typer.Option(
            "--include-unknown",
            help="Keep models whose value for a size, context, date or Japanese filter is unknown.",
        ),
    ] = False,
    columns_: Annotated[
        list[str] | None,
        typer.Option(
            "--columns",
            "-o",
            metavar="COLS",
            help="Table columns, comma-separated, in order (like ps -o): id, name, family, org, size, context, "
            "license, commercial, japanese, image, released, downloads, likes. Default: those that fit the terminal.",
        ),
    ] = None,
    min_score: Annotated[
        list[str] | None,
        typer.Option(
            "--min-score",
            metavar="BENCH=VALUE",
            help="A score of at least VALUE on BENCH[/TASK], e.g. swallow-ja=0.5 (repeatable: all of).",
        ),
    ] = None,
    fits: Annotated[
        float | None,
        typer.Option(
            "--fits",
            parser=memory_opt,
            metavar="MEMORY",
            help="Fits in MEMORY (24GB = 24G = 24GiB) or on a GPU (rtx-4090): see `llmcat fit`.",
        ),
    ] = None,
    fit_mode: Annotated[
        FitMode, typer.Option("--fit-mode", case_sensitive=False, help="With --fits: inference, qlora, lora or full.")
    ] = FitMode.INFERENCE,
    fit_quant: Annotated[
        str | None,
        typer.Option(
            "--quant", parser=quant_opt, metavar="Q", help="With --fits: weight format (bf16, int4, q4_k_m…)."
        ),
    ] = None,
    fit_context: Annotated[
        int | None,
        typer.Option("--context", parser=tokens_opt, metavar="TOKENS", help="With --fits: tokens per sequence (8k)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", dir_okay=False, help="Only models that comply with this licence policy file."),
    ] = None,
    without_condition: Annotated[
        list[ConditionKindChoice] | None,
        typer.Option(
            "--without-condition",
            case_sensitive=False,
            help="No licence condition of this kind along the lineage (repeatable: none of).",
        ),
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    ids_only: IdsOpt = False,
    registry: RegistryOpt = None,
    live: LiveOpt = False,
    timeout: TimeoutOpt = None,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """List models that match every filter given.

    Sorting by downloads, likes or trending uses Hub data: fetched with --live, else from the cache.
    """
    from llmcat.query import select

    out_fmt = output_format(fmt, as_json, ids_only)
    reg = load(registry)
    q = query_from_options(reg, locals())
    columns = table_columns(columns_, out_fmt)
    if q.without_conditions or q.policy is not None:
        from llmcat.cli.audit import licence_filter_notes

        licence_filter_notes(reg, q, policy)
    if min_score and not sort.strip().lower().startswith("score:"):
        from llmcat import scores

        credit_scores(scores.load())
    if sort.strip().lower().startswith("score:"):
        found = select(reg, q._replace(limit=None))
        _notes(found, q)
        ranked = ranked_by_scores(found.models, sort.split(":", 1)[1], desc)
        _emit_models(ranked if limit is None else ranked[:limit], reg, out_fmt, None, columns, q)
        return
    hub_sort = q.sort in HUB_SORT_KEYS
    if not (live or hub_sort):
        found = select(reg, q)
        _notes(found, q)
        _emit_models(found.models, reg, out_fmt, None, columns, q)
        return
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    # Hub data is needed before sorting: gather it for every match, then order and cut.
    found = select(reg, q._replace(sort=SortKey.NAME, limit=None)) if hub_sort else select(reg, q)
    _notes(found, q)
    matches = found.models
    # Without --live only the cache is read: the note below says what is missing, once.
    result = opts.run(matches, network=live, report=live)
    models = matches
    if hub_sort:
        from llmcat.enrich import hub_value
        from llmcat.query import order

        field = {"downloads": "downloads", "likes": "likes", "trending": "trending_score"}[q.sort.value]
        models = order(matches, q.sort, descending=q.descending, hub_value=hub_value(result.info, field), registry=reg)
        models = models if limit is None else models[:limit]
        have = sum(1 for m in matches if (h := result.info.get(m.id)) is not None and h.facts is not None)
        missing = sum(1 for m in models if (h := result.info.get(m.id)) is None or h.facts is None)
        hint = "" if live else " (use --live to fetch it)"
        if matches and not have:
            # Once, not per model: nothing could be ordered by Hub data at all.
            err(f"Note: all {len(matches)} models have no Hub data: not sorted by {q.sort.value}{hint}.")
        elif missing:
            err(f"Note: {missing} model(s) have no Hub data and are listed last{hint}.")
    _emit_models(models, reg, out_fmt, result.info, columns, q)
    opts.finish(result)


def ranked_by_scores(models: Sequence[Any], sort_by: str, desc: bool | None) -> list[Any]:
    """``models`` ordered by --sort score:BENCH (best first unless --asc), with notes on stderr."""
    from llmcat import scores

    book = scores.load()
    ranked = scores.order_by_score(models, book, book.parse_key(sort_by), descending=desc is not False)
    if ranked.missing:
        err(f"note: {ranked.missing} models have no {sort_by.strip()} score and are listed last")
    credit_scores(book)
    return ranked.models


def _notes(found: Selection, q: Query) -> None:
    """What the field filters left out (or kept) for want of a value: one stderr line per field."""
    for line in found.notes(q.include_unknown):
        err(f"note: {line}")


def _emit_models(
    models: Sequence[Any],
    reg: Any,
    out_fmt: OutputFormat,
    hub: Mapping[str, Any] | None,
    columns: Sequence[str] | None = None,
    q: Query | None = None,
) -> None:
    from llmcat import formats, views

    if out_fmt is OutputFormat.TABLE:
        if not models:
            err("No models match.")
            return
        from llmcat import render

        facts = {mid: h.facts for mid, h in hub.items()} if hub is not None else None
        console = render.make_console()
        table = render.models_table(
            models, views.table_rows(reg, models), hub=facts, width=console.width, columns=columns
        )
        render.print_whole(console, table)
        for line in render.legends(table):
            err(f"note: {line}")
        return
    records = [formats.model_record(v) for v in views.build_all(reg, models)]
    csv_columns: tuple[str, ...] = formats.CSV_COLUMNS
    if hub is not None:
        for m, rec in zip(models, records, strict=True):
            info = hub.get(m.id)
            rec["hub"] = info.record() if info is not None else None
        csv_columns += formats.HUB_CSV_COLUMNS
    if q is not None and q.fits_gib is not None:
        from llmcat.fit import fit_records

        for rec, fit in zip(records, fit_records(models, reg, q), strict=True):
            rec["fit"] = fit
        csv_columns += ("fit.total_gib", "fit.headroom_gib", "fit.mode", "fit.quant", "fit.context", "fit.basis")
    formats.write_records(records, out_fmt, sys.stdout, columns=csv_columns)
