"""`llmcat list` and `llmcat show`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from llmcat.cli.app import app
from llmcat.cli.audit import ConditionKindChoice, licence_filter_notes, load_list_policy
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
    date_opt,
    err,
    handles_errors,
    load,
    output_format,
    params_opt,
    tokens_opt,
)
from llmcat.cli.fit import Mode as FitMode
from llmcat.cli.fit import memory_opt, quant_opt
from llmcat.errors import UsageError
from llmcat.formats import OutputFormat
from llmcat.query import HUB_SORT_KEYS, SortKey
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
        typer.Option(
            "--min-params", parser=params_opt, metavar="SIZE", help="At least SIZE parameters (7B, 1.5b, 350M)."
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
        list[str] | None, typer.Option("--tag", help="Tag such as chat, instruct, code (repeatable: all of).")
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
    timeout: TimeoutOpt = 10.0,
    ttl: TtlOpt = None,
    strict: StrictOpt = False,
    offline: OfflineOpt = False,
) -> None:
    """List models that match every filter given.

    Sorting by downloads, likes or trending uses Hub data: fetched with --live, else from the cache.
    """
    from llmcat.query import Query, run

    out_fmt = output_format(fmt, as_json, ids_only)
    score_sort = sort.strip().lower().startswith("score:")
    sort_key = SortKey.NAME if score_sort else parse_sort_key(sort)
    reg = load(registry)
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
        sort=sort_key,
        descending=bool(desc),
        limit=limit,
        fits_gib=fits,
        fit_mode=fit_mode.value,
        fit_quant=fit_quant,  # type: ignore[arg-type]  # checked by quant_opt
        fit_context=fit_context,
        without_conditions=tuple(k.value for k in without_condition or ()),
        policy=load_list_policy(policy, reg),
    )
    if q.without_conditions or q.policy is not None:
        licence_filter_notes(reg, q, policy)
    fitted: dict[str, Any] = {}

    def select(qq: Query) -> list[Any]:
        """``run``; with --fits, the memory screen comes after every other filter, and says what it drops."""
        if qq.fits_gib is None:
            return run(reg, qq)
        from llmcat.cli.fit import check_fit_settings
        from llmcat.query import screen_fits

        check_fit_settings(qq.fit_mode, qq.fit_quant)
        screened = screen_fits(run(reg, qq._replace(fits_gib=None, limit=None)), reg, qq)
        if screened.unknown:
            err(
                f"Note: {len(screened.unknown)} model(s) have no memory estimate (no parameter count or "
                "architecture) and are left out by --fits."
            )
        fitted.update(screened.estimates)
        return screened.kept if qq.limit is None else screened.kept[: qq.limit]

    if score_sort or min_score:
        by_score = score_sort and q.limit is not None
        matches = select(q._replace(limit=None) if by_score else q)
        models = ranked_by_scores(matches, sort.split(":", 1)[1] if score_sort else None, min_score or (), desc)
        _emit_models(models if not by_score else models[: q.limit], reg, out_fmt, None, fitted, fits)
        return
    hub_sort = sort_key in HUB_SORT_KEYS
    if not (live or hub_sort):
        _emit_models(select(q), reg, out_fmt, None, fitted, fits)
        return
    opts = HubOptions(timeout=timeout, ttl=ttl, strict=strict, offline=offline)
    # Hub data is needed before sorting: gather it for every match, then order and cut.
    matches = select(q._replace(sort=SortKey.NAME, limit=None)) if hub_sort else select(q)
    result = opts.run(matches, network=live)
    models = matches
    if hub_sort:
        from llmcat.enrich import hub_value
        from llmcat.query import order

        field = {"downloads": "downloads", "likes": "likes", "trending": "trending_score"}[sort_key.value]
        models = order(matches, sort_key, descending=bool(desc), hub_value=hub_value(result.info, field))
        models = models if limit is None else models[:limit]
        missing = sum(1 for m in models if (h := result.info.get(m.id)) is None or h.facts is None)
        if missing:
            err(f"Note: {missing} model(s) have no Hub data and are listed last (use --live to fetch it).")
    _emit_models(models, reg, out_fmt, result.info, fitted, fits)
    opts.finish(result)


def parse_sort_key(text: str) -> SortKey:
    try:
        return SortKey(text.strip().lower())
    except ValueError:
        keys = ", ".join(k.value for k in SortKey)
        raise UsageError(f"unknown sort key {text!r}: use one of {keys}, or score:BENCH") from None


def ranked_by_scores(models: Sequence[Any], sort_by: str | None, bounds: Sequence[str], desc: bool | None) -> list[Any]:
    """``models`` kept by --min-score and ordered by --sort score:BENCH, with notes on stderr."""
    from llmcat import scores

    book = scores.load()
    parsed = [scores.parse_min_score(b, book) for b in bounds]
    key = book.parse_key(sort_by) if sort_by is not None else None
    if parsed:
        kept = scores.keep_min_scores(models, book, parsed)
        if kept.missing:
            names = ", ".join(str(k) for k, _ in parsed)
            err(f"note: {kept.missing} models left out: no {names} score (--min-score keeps only scored models)")
        models = kept.models
    if key is not None:
        ranked = scores.order_by_score(models, book, key, descending=desc is not False)
        if ranked.missing:
            err(f"note: {ranked.missing} models have no {key} score and are listed last")
        models = ranked.models
    for src in book.sources:
        err(f"scores: {src.name} ({src.license}), {src.url}")
    return list(models)


def _emit_models(
    models: Sequence[Any],
    reg: Any,
    out_fmt: OutputFormat,
    hub: Mapping[str, Any] | None,
    fitted: Mapping[str, Any] | None = None,
    vram: float | None = None,
) -> None:
    from llmcat import formats

    if out_fmt is OutputFormat.TABLE:
        if not models:
            err("No models match.")
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
    if fitted and vram is not None:
        from llmcat.fit import fit_record

        for m, rec in zip(models, records, strict=True):
            basis, est = fitted[m.id]
            rec["fit"] = fit_record(basis, est, vram)
        columns += ("fit.total_gib", "fit.headroom_gib", "fit.mode", "fit.quant", "fit.context", "fit.basis")
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
    from llmcat import formats, scores

    out_fmt = output_format(fmt, as_json, False)
    reg = load(registry)
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
            book = scores.load()
            records = [formats.model_record(m, reg, detail=True) for m in found]
            for m, rec in zip(found, records, strict=True):
                rec["scores"] = [sc.record() for sc in book.for_model(m)]
            if result is not None:
                for m, rec in zip(found, records, strict=True):
                    rec["hub"] = info[m.id].record() if m.id in info else None
            formats.write_records(records, out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    else:
        hub_rec = info[found.id].record() if found.id in info else None
        if out_fmt is OutputFormat.TABLE:
            from llmcat import render

            detail = render.model_detail(
                found, reg, hub=hub_rec if result is not None else None, scores=scores.panel_data(found)
            )
            render.make_console().print(detail)
        else:
            record = formats.model_record(found, reg, detail=True)
            record["scores"] = [sc.record() for sc in scores.load().for_model(found)]
            if result is not None:
                record["hub"] = hub_rec
            if out_fmt is OutputFormat.JSON:
                sys.stdout.write(formats.dumps_json(record) + "\n")
            else:
                formats.write_records([record], out_fmt, sys.stdout, columns=formats.CSV_COLUMNS)
    if result is not None:
        opts.finish(result)
