"""Side-by-side facts for a few models, and which of them differ. Pure; no frameworks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.fit import Settings, basis_for, estimate
from llmcat.namesize import params_of
from llmcat.records import Model

if TYPE_CHECKING:
    from llmcat.registry import Registry

# Memory "at common settings": the same context and batch for every model, so the figures compare.
MEMORY_SETTINGS: tuple[tuple[str, Settings], ...] = (
    ("memory_inference_bf16_gib", Settings("inference", "bf16", context=8192)),
    ("memory_inference_q4_k_m_gib", Settings("inference", "q4_k_m", context=8192)),
    ("memory_qlora_gib", Settings("qlora", "nf4", context=2048)),
)
LABELS: dict[str, str] = {
    "id": "ID",
    "name": "Name",
    "org": "Organisation",
    "license": "Licence",
    "license_class": "Licence class",
    "commercial": "Commercial",
    "commercial_reason": "Why",
    "japanese": "Japanese",
    "image_input": "Image input",
    "params_b": "Parameters (B)",
    "active_params_b": "Active (B)",
    "context_tokens": "Context",
    "context_basis": "Context from",
    "released": "Released",
    "base_model": "Base model",
    "memory_basis": "Memory basis",
    "memory_inference_bf16_gib": "Inference bf16, 8k (GiB)",
    "memory_inference_q4_k_m_gib": "Inference Q4_K_M, 8k (GiB)",
    "memory_qlora_gib": "QLoRA, 2k (GiB)",
    "hub_downloads": "Hub downloads (30 d)",
    "hub_likes": "Hub likes",
}


class Comparison(NamedTuple):
    models: list[dict[str, Any]]
    differs: list[str]

    def record(self) -> dict[str, Any]:
        return {"models": self.models, "differs": self.differs}


def compare(
    models: Sequence[Model], registry: Registry, hub: Mapping[str, Mapping[str, Any] | None] | None = None
) -> Comparison:
    """One flat record per model (keys in :data:`LABELS` order) and the keys whose values differ."""
    rows: list[dict[str, Any]] = []
    for m in models:
        lic = registry.licenses.get(m.license)
        c = registry.commercial(m.id)
        row: dict[str, Any] = {
            "id": m.id,
            "name": m.name,
            "org": m.org,
            "license": m.license,
            "license_class": lic.license_class.value if lic else None,
            "commercial": c.status.value,
            "commercial_reason": c.reason,
            "japanese": m.japanese.value if m.japanese else None,
            "image_input": "image" in m.modalities,
            "params_b": params_of(m.id, m.params_b),
            "active_params_b": m.active_params_b,
            "context_tokens": context.tokens if (context := registry.context(m.id)) is not None else None,
            "context_basis": context.basis if context is not None else None,
            "released": m.released,
            "base_model": m.base_model,
        }
        basis = basis_for(m, registry.models)
        row["memory_basis"] = basis.kind if basis is not None else None
        for key, settings in MEMORY_SETTINGS:
            row[key] = round(estimate(basis, settings).total_gib, 2) if basis is not None else None
        facts = hub.get(m.id) if hub is not None else None
        row["hub_downloads"] = facts.get("downloads") if facts else None
        row["hub_likes"] = facts.get("likes") if facts else None
        rows.append(row)
    keys = [k for k in LABELS if k != "id"]
    differs = [k for k in keys if len({_hashable(r[k]) for r in rows}) > 1]
    return Comparison(rows, differs)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
