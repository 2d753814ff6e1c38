"""Where an estimate's architecture numbers come from: a model's own config, its nearest ancestor's,
or an approximation from its parameter count. Pure functions over records; no frameworks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from llmcat.archsource import find_config
from llmcat.namesize import params_of
from llmcat.records import Arch, Model


class Basis(NamedTuple):
    """The architecture an estimate stands on, and where its numbers come from.

    ``kind``: ``config`` (the model's own config.json), ``inherited`` (the nearest ancestor's),
    ``estimated`` (approximated from the parameter count) or ``generic`` (a size alone).
    """

    id: str
    params_b: float
    active_params_b: float | None
    arch: Arch  # complete: every field an estimate reads is set
    kind: str
    config_from: str | None
    max_context: int | None
    assumptions: tuple[str, ...] = ()

    @property
    def estimated(self) -> bool:
        return self.kind in ("estimated", "generic")

    def record(self) -> dict[str, Any]:
        a = self.arch
        return {
            "kind": self.kind,
            "source": a.source,
            "config_from": self.config_from,
            "params_b": self.params_b,
            "active_params_b": self.active_params_b,
            "layers": a.layers,
            "hidden_size": a.hidden_size,
            "attention_heads": a.attention_heads,
            "kv_heads": a.kv_heads,
            "head_dim": a.head_dim,
            "intermediate_size": a.intermediate_size,
            "vocab_size": a.vocab_size,
            "tied_embeddings": a.tied_embeddings,
            "experts": a.experts,
            "experts_per_token": a.experts_per_token,
            "shared_experts": a.shared_experts,
            "sliding_window": a.sliding_window,
            "global_layers": a.global_layers,
            "attention_layers": a.attention_layers,
            "kv_latent_dim": a.kv_latent_dim,
            "max_context": self.max_context,
            "assumptions": list(self.assumptions),
        }


def _round_to(x: float, step: int) -> int:
    return max(step, round(x / step) * step)


@lru_cache(maxsize=1024)  # pure; a list --fits shapes hundreds of models of a few dozen sizes
def generic_arch(params_b: float, source: str) -> tuple[Arch, tuple[str, ...]]:
    """A dense decoder of ``params_b`` billion parameters, shaped like the Llama family.

    Hidden size h from P ≈ 12 L h^2 with L = h / 128 layers; heads of 128, 8 KV heads (grouped-query
    attention), a 32,000-token vocabulary, untied embeddings; the gated FFN's width makes the parts
    add up to P.
    """
    p = params_b * 1e9
    vocab = 32000
    hidden = _round_to((128 * p / 12) ** (1 / 3), 128)
    layers = max(1, round(p / (12 * hidden * hidden)))
    heads = max(1, hidden // 128)
    kv = min(8, heads)
    # The FFN takes what attention and embeddings leave, so the shape adds up to P.
    attn = 2 * hidden * hidden + 2 * hidden * kv * 128
    ffn = (p - 2 * vocab * hidden) / layers - attn
    intermediate = _round_to(max(ffn, 3 * hidden * 128) / (3 * hidden), 128)
    arch = Arch(
        source=source,
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv,
        head_dim=128,
        intermediate_size=intermediate,
        vocab_size=vocab,
        tied_embeddings=False,
    )
    assumed = (
        f"no config.json numbers: a dense Llama-like shape for {params_b:g}B parameters "
        f"(hidden h with P ≈ 12·L·h² and L = h/128: {layers} layers, hidden {hidden}, {heads} heads of 128, "
        f"{kv} KV heads, FFN {intermediate} so that the parts add up to P, vocabulary {vocab})",
        "KV heads assumed 8 (grouped-query attention); a multi-head-attention model's cache is heads/8 times larger",
    )
    return arch, assumed


def _complete(arch: Arch) -> tuple[Arch, tuple[str, ...]]:
    """Fill what a partial config leaves out with the usual derivations, saying so."""
    notes: list[str] = []
    h, heads = arch.hidden_size, arch.attention_heads
    changes: dict[str, Any] = {}
    if arch.head_dim is None and h and heads:
        changes["head_dim"] = h // heads
    if arch.kv_heads is None and heads:
        changes["kv_heads"] = heads
        notes.append("config gives no KV-head count: multi-head attention assumed")
    if arch.intermediate_size is None and h:
        changes["intermediate_size"] = _round_to(8 * h / 3, 128)
        notes.append("config gives no FFN width: 8/3 x hidden assumed")
    if arch.vocab_size is None:
        changes["vocab_size"] = 32000
        notes.append("config gives no vocabulary size: 32000 assumed")
    if arch.tied_embeddings is None:
        changes["tied_embeddings"] = False
    return (arch._replace(**changes) if changes else arch), tuple(notes)


def usable(arch: Arch) -> bool:
    """Whether a config gives what an estimate cannot do without: layers, hidden size, attention heads."""
    return bool(arch.layers and arch.hidden_size and arch.attention_heads)


def config_params_b(a: Arch) -> float:
    """Parameters implied by a complete config (attention, gated MLP, experts, embeddings)."""
    h, L = a.hidden_size or 0, a.layers or 0
    q = (a.attention_heads or 0) * (a.head_dim or 0)
    kv = (a.kv_heads or 0) * (a.head_dim or 0)
    attn = h * q + 2 * h * kv + q * h
    mlp = 3 * h * (a.intermediate_size or 0) * ((a.experts or 1) + (a.shared_experts or 0))
    emb = (a.vocab_size or 0) * h * (1 if a.tied_embeddings else 2)
    return (L * (attn + mlp) + emb) / 1e9


def basis_for(model: Model, models: Mapping[str, Model]) -> Basis | None:
    """The basis of ``model``'s estimates, or None when nothing is known (no config, no size)."""
    cfg, from_id = find_config(model, models)
    max_ctx = model.context_tokens
    if cfg is not None and usable(cfg):
        arch, notes = _complete(cfg)
        params = model.params_b if model.params_b is not None else config_params_b(arch)
        if model.params_b is None:
            notes = (*notes, "parameter count computed from the config")
        kind = "config" if from_id == model.id else "inherited"
        if kind == "inherited":
            notes = (f"architecture inherited from {from_id}", *notes)
        return Basis(
            model.id,
            params,
            model.active_params_b,
            arch,
            kind,
            from_id,
            max_ctx or arch.max_positions,
            notes,
        )
    total = params_of(model.id, model.params_b)
    if total is None:
        return None
    shape_b = model.active_params_b or total
    arch, notes = generic_arch(shape_b, "estimated from params_b")
    if model.active_params_b:
        notes = (
            f"mixture of experts: shape from the {shape_b:g}B active parameters, weights from all {total:g}B",
            *notes,
        )
    if model.params_b is None:
        notes = (f"parameter count: the size in its name ({total:g}B); no count recorded", *notes)
    return Basis(model.id, total, model.active_params_b, arch, "estimated", None, max_ctx, notes)


def generic_basis(params_b: float) -> Basis:
    """``llmcat fit 70B``: a generic dense model of that size."""
    arch, notes = generic_arch(params_b, "generic dense model")
    return Basis(f"{params_b:g}B", params_b, None, arch, "generic", None, None, notes)
