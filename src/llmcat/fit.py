"""Will it run here? Memory to run and fine-tune a model, from its architecture numbers.

Pure functions over records; no I/O, no frameworks. Every figure is in GiB (2**30 bytes), as
nvidia-smi shows memory. The formulas (README, "Will it run here?"):

- weights = params x bits per weight / 8; formats that keep the embeddings and output head in 16 bits
  (bitsandbytes, GPTQ, AWQ, FP8) count those at 2 bytes. A mixture of experts keeps every expert.
- KV cache (inference only) = batch x sum over attention layers of tokens kept x bytes per token,
  where a layer keeps 2 x kv_heads x head_dim values per token (MHA, GQA, MQA), or kv_latent_dim
  values for multi-head latent attention; a sliding-window layer keeps at most ``sliding_window``
  tokens; hybrid models count only their attention layers. 16-bit cache.
- activations: inference holds one prefill chunk of min(context, 2048) tokens; training stores each
  layer's input (gradient checkpointing, the default) plus one layer's full activations,
  s x b x (16 h + 8 i) bytes, plus the fp32 logits and their gradient, s x b x vocab x 8 bytes.
- optimizer (training only), with gradients: full fine-tuning keeps bf16 gradients, fp32 master
  weights and two AdamW moments, 2 + 4 + 8 = 14 bytes per parameter (8-bit AdamW: 2 + 4 + 2);
  LoRA/QLoRA train adapters of rank r on every linear layer, bf16 with bf16 gradients and fp32 AdamW
  moments, 2 + 2 + 8 = 12 bytes per adapter parameter (8-bit: 6).
- overhead = 0.5 GiB (CUDA context, kernels' workspace) + 5 % of the rest (allocator fragmentation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

from llmcat.archsource import find_config
from llmcat.fitbasis import Basis, basis_for, config_params_b, generic_arch, generic_basis
from llmcat.fitquants import MODE_DEFAULT_QUANT, MODE_QUANTS, QUANTS, Quant
from llmcat.records import Arch, Model

__all__ = [
    "COMMON",
    "Basis",
    "Estimate",
    "Report",
    "Screened",
    "Settings",
    "basis_for",
    "config_params_b",
    "estimate",
    "find_config",
    "fit_record",
    "generic_arch",
    "generic_basis",
    "report",
    "screen",
]

if TYPE_CHECKING:
    from llmcat.query import FieldCheck, Query
    from llmcat.registry import Registry

GIB = float(1 << 30)
KV_BYTES = 2  # 16-bit KV cache
OVERHEAD_FIXED_GIB = 0.5
OVERHEAD_SHARE = 0.05
PREFILL_CHUNK = 2048
DEFAULT_CONTEXT = {"inference": 8192, "lora": 2048, "qlora": 2048, "full": 2048}
OPTIMIZERS = ("adamw", "adamw-8bit", "paged-adamw", "paged-adamw-8bit")


class Settings(NamedTuple):
    """What to estimate. ``quant``/``context`` None: the mode's default."""

    mode: str = "inference"
    quant: str | None = None
    context: int | None = None
    batch: int = 1
    checkpointing: bool = True
    optimizer: str = "adamw"
    lora_rank: int = 64


class Estimate(NamedTuple):
    mode: str
    quant: str
    context: int
    batch: int
    weights_gib: float
    kv_cache_gib: float
    activations_gib: float
    optimizer_gib: float
    overhead_gib: float
    total_gib: float

    def record(self) -> dict[str, Any]:
        rec: dict[str, Any] = self._asdict()
        for k in ("weights_gib", "kv_cache_gib", "activations_gib", "optimizer_gib", "overhead_gib", "total_gib"):
            rec[k] = round(rec[k], 3)
        return rec


# --------------------------------------------------------------------------- the estimate


def _quant(settings: Settings) -> Quant:
    q = settings.quant or MODE_DEFAULT_QUANT[settings.mode]
    if q not in MODE_QUANTS[settings.mode]:
        allowed = ", ".join(MODE_QUANTS[settings.mode])
        raise ValueError(f"{settings.mode} runs on {allowed}, not {q}")
    return QUANTS[q]


def context_for(basis: Basis, settings: Settings) -> int:
    if settings.context is not None:
        return settings.context
    default = DEFAULT_CONTEXT[settings.mode]
    return min(basis.max_context, default) if basis.max_context else default


def _embedding_params(a: Arch) -> float:
    return float((a.vocab_size or 0) * (a.hidden_size or 0) * (1 if a.tied_embeddings else 2))


def weights_bytes(basis: Basis, quant: Quant) -> float:
    p = basis.params_b * 1e9
    if quant.embeddings_16bit:
        emb = min(_embedding_params(basis.arch), p)
        return (p - emb) * quant.bits / 8 + emb * 2
    return p * quant.bits / 8


def kv_cache_bytes(a: Arch, context: int, batch: int) -> float:
    """Exact for MHA/GQA/MQA and MLA; sliding-window layers keep at most the window."""
    layers = a.attention_layers if a.attention_layers is not None else (a.layers or 0)
    if a.kv_latent_dim:
        per_token_layer = a.kv_latent_dim * KV_BYTES
    else:
        per_token_layer = 2 * (a.kv_heads or 0) * (a.head_dim or 0) * KV_BYTES
    if a.sliding_window:
        global_layers = min(a.global_layers or 0, layers)
        tokens = global_layers * context + (layers - global_layers) * min(context, a.sliding_window)
    else:
        tokens = layers * context
    return float(batch * tokens * per_token_layer)


def _ffn_active(a: Arch) -> int:
    """FFN width a token passes through: routed experts per token plus shared ones, or the dense FFN."""
    i = a.intermediate_size or 0
    if a.experts:
        return i * ((a.experts_per_token or 1) + (a.shared_experts or 0))
    return i


def activations_bytes(a: Arch, mode: str, context: int, batch: int, checkpointing: bool) -> float:
    h, vocab, L = a.hidden_size or 0, a.vocab_size or 0, a.layers or 0
    if mode == "inference":
        chunk = min(context, PREFILL_CHUNK)
        return float(batch * chunk * (4 * h + 2 * _ffn_active(a)) * 2 + batch * vocab * 4)
    tokens = context * batch
    layer_full = tokens * (16 * h + 8 * _ffn_active(a))
    stored = L * tokens * h * 2 + layer_full if checkpointing else L * layer_full
    return float(stored + tokens * vocab * 8)


def lora_params(a: Arch, rank: int) -> float:
    """Adapter parameters for rank ``rank`` on every linear layer (attention and every expert)."""
    h = a.hidden_size or 0
    q = (a.attention_heads or 0) * (a.head_dim or 0)
    kv = (a.kv_heads or 0) * (a.head_dim or 0)
    attn = (h + q) + 2 * (h + kv) + (q + h)
    i = a.intermediate_size or 0
    mlp = 3 * (h + i) * ((a.experts or 1) + (a.shared_experts or 0))
    return float(rank * (a.layers or 0) * (attn + mlp))


def optimizer_bytes(basis: Basis, settings: Settings) -> float:
    eight_bit = settings.optimizer.endswith("8bit")
    if settings.mode == "full":
        return basis.params_b * 1e9 * (2 + 4 + (2 if eight_bit else 8))
    if settings.mode in ("lora", "qlora"):
        return lora_params(basis.arch, settings.lora_rank) * (2 + 2 + (2 if eight_bit else 8))
    return 0.0


def estimate(basis: Basis, settings: Settings) -> Estimate:
    """Memory for ``settings`` on ``basis``. ValueError for a quantisation the mode cannot use."""
    quant = _quant(settings)
    context = context_for(basis, settings)
    batch = settings.batch
    a = basis.arch
    weights = weights_bytes(basis, quant)
    kv = kv_cache_bytes(a, context, batch) if settings.mode == "inference" else 0.0
    act = activations_bytes(a, settings.mode, context, batch, settings.checkpointing)
    opt = optimizer_bytes(basis, settings)
    rest = (weights + kv + act + opt) / GIB
    overhead = OVERHEAD_FIXED_GIB + OVERHEAD_SHARE * rest
    return Estimate(
        settings.mode,
        quant.id,
        context,
        batch,
        weights / GIB,
        kv / GIB,
        act / GIB,
        opt / GIB,
        overhead,
        rest + overhead,
    )


def assumptions(basis: Basis, settings: Sequence[Settings]) -> list[str]:
    """Every assumption behind a set of estimates, in words, for people and for JSON."""
    out = list(basis.assumptions)
    modes = {s.mode for s in settings}
    out.append("GiB = 2^30 bytes, as nvidia-smi shows memory; a card sold as 24 GB has 24 GiB")
    if "inference" in modes:
        out.append(
            f"inference: 16-bit KV cache; activations for one prefill chunk of up to {PREFILL_CHUNK} tokens "
            "and the last token's fp32 logits"
        )
        if basis.arch.experts:
            out.append("mixture of experts: every expert is in memory")
    training = modes - {"inference"}
    if training:
        s = next(x for x in settings if x.mode != "inference")
        ckpt = "on" if s.checkpointing else "off"
        out.append(
            f"training: gradient checkpointing {ckpt}; fp32 logits and their gradient; no KV cache; "
            f"optimizer {s.optimizer}"
        )
        if "paged" in s.optimizer:
            out.append("paged optimizer: states are counted on the GPU (they move to CPU RAM only under pressure)")
    if "full" in modes:
        out.append("full: bf16 weights and gradients, fp32 master weights, AdamW moments (16 bytes per parameter)")
    if "lora" in modes or "qlora" in modes:
        rank = next(x.lora_rank for x in settings if x.mode in ("lora", "qlora"))
        out.append(
            f"LoRA/QLoRA: rank {rank} adapters on every linear layer (the QLoRA paper's recipe), bf16, "
            "with fp32 AdamW moments"
        )
    if "qlora" in modes:
        out.append("QLoRA: NF4 base with double quantisation, bf16 compute, paged optimizer")
    out.append(
        f"overhead: {OVERHEAD_FIXED_GIB} GiB (CUDA context, kernel workspaces) + "
        f"{OVERHEAD_SHARE:.0%} of the rest (allocator fragmentation)"
    )
    return out


COMMON: tuple[Settings, ...] = (
    Settings("inference", "bf16"),
    Settings("inference", "fp8"),
    Settings("inference", "int8"),
    Settings("inference", "awq"),
    Settings("inference", "q8_0"),
    Settings("inference", "q4_k_m"),
    Settings("lora", "bf16"),
    Settings("qlora", "nf4"),
    Settings("full", "bf16"),
)


class Report(NamedTuple):
    """Estimates for one model (or a size alone): the ``fit --json`` object."""

    basis: Basis
    estimates: tuple[Estimate, ...]
    assumptions: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        return {
            "id": self.basis.id,
            "params_b": self.basis.params_b,
            "estimated": self.basis.estimated,
            "basis": self.basis.record(),
            "assumptions": list(self.assumptions),
            "estimates": [e.record() for e in self.estimates],
        }


def report(basis: Basis, settings: Sequence[Settings]) -> Report:
    return Report(basis, tuple(estimate(basis, s) for s in settings), tuple(assumptions(basis, settings)))


# --------------------------------------------------------------------------- many models


class Screened(NamedTuple):
    """The outcome of a ``--fits`` filter: what fits (in the given order), estimates, unknowns."""

    kept: list[Model]
    estimates: dict[str, tuple[Basis, Estimate]]
    unknown: list[str]  # ids with no estimate (no config and no parameter count)


def model_estimate(model: Model, lookup: Mapping[str, Model], settings: Settings) -> tuple[Basis, Estimate] | None:
    """``model``'s estimate with the numbers it is based on; None without architecture or size."""
    b = basis_for(model, lookup)
    return None if b is None else (b, estimate(b, settings))


# A loaded registry does not change, so a model's estimate under given settings is worked out once per
# registry: `list --fits --json` both filters on it and writes it (the rows twice over otherwise).
Found = tuple[Basis, Estimate] | None
_ESTIMATES: WeakKeyDictionary[Any, dict[Settings, dict[str, Found]]] = WeakKeyDictionary()


def estimator(registry: Registry, settings: Settings) -> Callable[[Model], Found]:
    """:func:`model_estimate` of a registry's models under ``settings``, each worked out once for as long
    as the registry lives (a listing asks for a row's estimate to filter on it and again to write it)."""
    memo = _ESTIMATES.setdefault(registry, {}).setdefault(settings, {})
    models = registry.models

    def one(model: Model) -> Found:
        if model.id not in memo:
            memo[model.id] = model_estimate(model, models, settings)
        return memo[model.id]

    return one


def screen(models: Iterable[Model], registry: Registry, vram_gib: float, settings: Settings) -> Screened:
    """Keep the models whose estimate fits in ``vram_gib``; models with no estimate are counted."""
    kept: list[Model] = []
    estimates: dict[str, tuple[Basis, Estimate]] = {}
    unknown: list[str] = []
    estimate_of = estimator(registry, settings)
    for m in models:
        found = estimate_of(m)
        if found is None:
            unknown.append(m.id)
        elif found[1].total_gib <= vram_gib:
            kept.append(m)
            estimates[m.id] = found
    return Screened(kept, estimates, unknown)


def query_settings(q: Query) -> Settings:
    return Settings(q.fit_mode, q.fit_quant, q.fit_context)


def fit_check(registry: Registry, q: Query) -> FieldCheck:
    """``--fits`` as a field filter of :mod:`llmcat.query`: the value is the estimate's total in GiB,
    unknown (None) for a model with neither architecture numbers nor a parameter count."""
    from llmcat.query import ID, FieldCheck

    settings = query_settings(q)
    budget = q.fits_gib if q.fits_gib is not None else 0.0
    lookup: Mapping[str, Model] = registry.models
    estimate_of = estimator(registry, settings)

    def total(row: Any) -> float | None:
        found = estimate_of(lookup[row[ID]])
        return None if found is None else found[1].total_gib

    return FieldCheck(
        "memory estimate", f"--fits {budget:g}GiB", total, lambda v: bool(v <= budget), lambda v: f"{v:.1f} GiB"
    )


def fit_records(models: Iterable[Model], registry: Registry, q: Query) -> list[dict[str, Any] | None]:
    """The ``fit`` object of each JSON row of ``list --fits`` (None where there is no estimate)."""
    estimate_of = estimator(registry, query_settings(q))
    out: list[dict[str, Any] | None] = []
    for m in models:
        found = estimate_of(m)
        out.append(None if found is None else fit_record(*found, q.fits_gib or 0.0))
    return out


def fit_record(basis: Basis, est: Estimate, vram_gib: float) -> dict[str, Any]:
    """The ``fit`` object added to a JSON row by ``list --fits``."""
    return {
        "vram_gib": vram_gib,
        "headroom_gib": round(vram_gib - est.total_gib, 3),
        "basis": basis.kind,
        "config_from": basis.config_from,
        **est.record(),
    }
