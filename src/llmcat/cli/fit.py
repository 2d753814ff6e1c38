"""`llmcat fit`, `llmcat compare` and `llmcat tree`: will it run here, side by side, and lineage."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from llmcat.cli.common import FormatOpt, JsonOpt, RegistryOpt, err, handles_errors, load, output_format, tokens_opt
from llmcat.cli.options import Mode, memory_opt, quant_opt
from llmcat.cli.root import app
from llmcat.errors import LlmcatError, UsageError
from llmcat.formats import OutputFormat


class Optimizer(StrEnum):
    ADAMW = "adamw"
    ADAMW_8BIT = "adamw-8bit"
    PAGED_ADAMW = "paged-adamw"
    PAGED_ADAMW_8BIT = "paged-adamw-8bit"


# A number too large to mean anything is a usage error, not an estimate in zettabytes (nor an integer
# JSON cannot carry): no GPU holds a million sequences, and no adapter's rank exceeds a model's width.
MAX_BATCH = 1 << 20
MAX_LORA_RANK = 1 << 16
MAX_JSON_DEPTH = 100  # nested objects per level: two; orjson refuses more than 254


class TreeFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MERMAID = "mermaid"
    DOT = "dot"


def gpu_opt(value: str | None) -> float | None:
    if value is None:
        return None
    from llmcat.gpus import GPUS, find_gpu, suggest_gpus

    gpu = find_gpu(value)
    if gpu is None:
        hint = suggest_gpus(value) or list(GPUS)[:6]
        raise typer.BadParameter(f"unknown GPU {value!r} (try: {', '.join(hint)})")
    return gpu.memory_gib


ModeOpt = Annotated[
    Mode | None,
    typer.Option("--mode", "-m", case_sensitive=False, help="inference, lora, qlora or full fine-tuning."),
]
QuantOpt = Annotated[
    str | None,
    typer.Option(
        "--quant",
        parser=quant_opt,
        metavar="Q",
        help="Weight format: bf16 (fp16), fp8, int8, nf4, gptq, awq (int4), q8_0, q6_k, q5_k_m, q4_k_m, q4_0, "
        "q3_k_m, q2_k.",
    ),
]
ContextOpt = Annotated[
    int | None,
    typer.Option(
        "--context",
        "-c",
        parser=tokens_opt,
        metavar="TOKENS",
        help="Tokens per sequence (8k, 32768). [default: 8k for inference, 2k for training, capped at the model's]",
    ),
]


def _settings(
    mode: Mode | None,
    quant: str | None,
    context: int | None,
    batch: int = 1,
    checkpointing: bool = True,
    optimizer: Optimizer = Optimizer.ADAMW,
    lora_rank: int = 64,
) -> Any:
    from llmcat.fit import Settings
    from llmcat.fitquants import MODE_QUANTS

    m = (mode or Mode.INFERENCE).value
    if quant is not None and quant not in MODE_QUANTS[m]:
        raise UsageError(f"--mode {m} runs on {', '.join(MODE_QUANTS[m])}, not --quant {quant}")
    return Settings(m, quant, context, batch, checkpointing, optimizer.value, lora_rank)


def _target(reg: Any, name: str) -> Any:
    """A model's basis, or a generic model for a size alone ('70B')."""
    from llmcat import fit
    from llmcat.units import parse_params

    model = reg.find(name)
    if model is None:
        try:
            size = parse_params(name)
        except ValueError:
            size = None
        if size is not None and size > 0:
            return fit.generic_basis(size)
        found = reg.resolve(name)  # raises UnknownModelError with suggestions
        members = ", ".join(m.id for m in found[:6])
        raise LlmcatError(f"{name!r} is a family: name one of its models ({members}{', …' if len(found) > 6 else ''})")
    basis = fit.basis_for(model, reg.models)
    if basis is None:
        raise LlmcatError(f"{model.id} has no parameter count and no architecture numbers: nothing to estimate from")
    return basis


@app.command("fit")
@handles_errors
def fit_command(
    target: Annotated[
        str | None,
        typer.Argument(help="A model (id, alias, repo id) or a size alone such as 70B. Omit with --vram/--gpu."),
    ] = None,
    *,
    mode: ModeOpt = None,
    quant: QuantOpt = None,
    context: ContextOpt = None,
    batch: Annotated[
        int, typer.Option("--batch", "-b", min=1, max=MAX_BATCH, help=f"Sequences at once (at most {MAX_BATCH:,}).")
    ] = 1,
    checkpointing: Annotated[
        bool, typer.Option("--checkpointing/--no-checkpointing", help="Gradient checkpointing when training.")
    ] = True,
    optimizer: Annotated[
        Optimizer, typer.Option("--optimizer", case_sensitive=False, help="Optimiser for lora/qlora/full.")
    ] = Optimizer.ADAMW,
    lora_rank: Annotated[
        int,
        typer.Option(
            "--lora-rank", min=1, max=MAX_LORA_RANK, help=f"LoRA/QLoRA adapter rank (at most {MAX_LORA_RANK:,})."
        ),
    ] = 64,
    vram: Annotated[
        float | None,
        typer.Option(
            "--vram",
            parser=memory_opt,
            metavar="MEMORY",
            help="GPU memory (24GB = 24G = 24GiB). Without a model: list every model that fits, most headroom first.",
        ),
    ] = None,
    gpu: Annotated[
        float | None,
        typer.Option(
            "--gpu",
            parser=gpu_opt,
            metavar="NAME",
            help="A GPU from the table instead of --vram: rtx-4080, rtx-4090, rtx-5090, rtx-a6000, rtx-6000-ada, "
            "l40s, a100-40g, a100-80g, h100, h100-nvl, h200, mi300x, m2-ultra-192g (README: GPU table).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="With --vram: show at most N models.")
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Memory to run or fine-tune a model (GiB): weights, KV cache, activations, optimiser, overhead.

    Without --mode/--quant, a table of common configurations. `fit --vram 24GB` lists what fits.
    """
    from llmcat import fit, formats

    out_fmt = output_format(fmt, as_json, False)
    if vram is not None and gpu is not None:
        raise UsageError("give --vram or --gpu, not both")
    memory = vram if vram is not None else gpu
    if target is None and memory is None:
        raise UsageError("name a model or a size (llmcat fit 70B), or give --vram/--gpu to list what fits")
    single = _settings(mode, quant, context, batch, checkpointing, optimizer, lora_rank)
    reg = load(registry)
    if target is None:
        assert memory is not None
        _what_fits(reg, memory, single, limit, out_fmt)
        return
    basis = _target(reg, target)
    if mode is None and quant is None:
        chosen = [
            s._replace(
                context=context,
                batch=batch,
                checkpointing=checkpointing,
                optimizer=optimizer.value,
                lora_rank=lora_rank,
            )
            for s in fit.COMMON
        ]
    else:
        chosen = [single]
    rep = fit.report(basis, chosen)
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render, render_fit

        render.make_console().print(render_fit.fit_view(rep, memory))
        return
    record = rep.record()
    if memory is not None:
        record["vram_gib"] = memory
        for e in record["estimates"]:
            e["fits"] = e["total_gib"] <= memory
    if out_fmt is OutputFormat.JSON:
        sys.stdout.write(formats.dumps_json(record) + "\n")
    else:
        formats.write_records(record["estimates"], out_fmt, sys.stdout)


def _what_fits(reg: Any, memory: float, settings: Any, limit: int | None, out_fmt: OutputFormat) -> None:
    from llmcat import fit, formats

    models = [reg.models[row[0]] for row in reg.rows()]
    result = fit.screen(models, reg, memory, settings)
    rows = sorted(
        ((b, e) for b, e in result.estimates.values()),
        key=lambda be: (-(memory - be[1].total_gib), be[0].id),
    )
    if limit is not None:
        rows = rows[:limit]
    if result.unknown:
        err(f"Note: {len(result.unknown)} model(s) have no parameter count or architecture: not estimated.")
    if out_fmt is OutputFormat.TABLE:
        if not rows:
            err("No models fit.")
            return
        from llmcat import render, render_fit

        render.make_console().print(render_fit.vram_table(rows, memory))
        return
    records = [{"id": b.id, "params_b": b.params_b, "fit": fit.fit_record(b, e, memory)} for b, e in rows]
    formats.write_records(records, out_fmt, sys.stdout)


# --------------------------------------------------------------------------- compare


@app.command()
@handles_errors
def compare(
    names: Annotated[list[str], typer.Argument(help="Two or more models (ids, aliases or repo ids).")],
    *,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Models side by side; the rows that differ are marked (≠) and highlighted.

    Memory at common settings (inference at 8k tokens, QLoRA at 2k); Hub data only when cached.
    """
    from llmcat import formats
    from llmcat.compare import compare as build

    out_fmt = output_format(fmt, as_json, False)
    if len(names) < 2:
        raise UsageError("compare needs at least two models")
    reg = load(registry)
    models = []
    for name in names:
        found = reg.resolve(name)
        if isinstance(found, list):
            raise LlmcatError(f"{name!r} is a family: name one of its models ({', '.join(m.id for m in found[:6])})")
        models.append(found)
    comp = build(models, reg, _cached_hub(models))
    if out_fmt is OutputFormat.TABLE:
        from llmcat import render, render_fit

        render.make_console().print(render_fit.compare_table(comp))
    elif out_fmt is OutputFormat.JSON:
        sys.stdout.write(formats.dumps_json(comp.record()) + "\n")
    else:
        formats.write_records(comp.models, out_fmt, sys.stdout)


def _cached_hub(models: list[Any]) -> dict[str, Any]:
    """Hub facts already in the cache (never the network); nothing said about models without any."""
    from llmcat import enrich
    from llmcat.hubcache import HubCache

    result = enrich.enrich(models, cache=HubCache(), client=None)
    return {mid: info.facts for mid, info in result.info.items()}


# --------------------------------------------------------------------------- tree


@app.command()
@handles_errors
def tree(
    name: Annotated[str | None, typer.Argument(help="A model or family; omit for the whole forest.")] = None,
    *,
    fmt: Annotated[
        TreeFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table (a tree), json, mermaid or dot."),
    ] = TreeFormat.TABLE,
    as_json: JsonOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The base-model tree, with each model's licence, licence class and commercial status."""
    from llmcat import formats, lineage

    if as_json:
        if fmt is not TreeFormat.TABLE:
            raise UsageError("choose one output format: --format or --json")
        fmt = TreeFormat.JSON
    reg = load(registry)
    if name is None:
        trees, title = lineage.forest(reg), "All models"
    else:
        found = reg.resolve(name)
        if isinstance(found, list):
            trees, title = lineage.trees_of_family(reg, found), f"Family {found[0].family}"
        else:
            trees, title = [lineage.tree_of(reg, found)], f"Lineage of {found.id}"
    if fmt is TreeFormat.JSON:
        if lineage.depth(trees) > MAX_JSON_DEPTH:
            raise LlmcatError(
                f"the lineage is more than {MAX_JSON_DEPTH} levels deep: too deep for nested JSON "
                "(use --format mermaid or dot)"
            )
        sys.stdout.write(formats.dumps_json([n.record() for n in trees]) + "\n")
    elif fmt is TreeFormat.MERMAID:
        sys.stdout.write(lineage.to_mermaid(trees))
    elif fmt is TreeFormat.DOT:
        sys.stdout.write(lineage.to_dot(trees))
    else:
        from llmcat import render, render_fit

        render.make_console().print(render_fit.lineage_tree(trees, title))
