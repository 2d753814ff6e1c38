"""Coverage counts and fill rates for the registry, so its growth and its gaps are visible."""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from llmcat.archsource import find_config
from llmcat.fitbasis import usable
from llmcat.namesize import nominal_params, params_of
from llmcat.records import Model
from llmcat.registry import Registry

DERIVED_TAGS = frozenset({"chat", "instruct", "vision"})  # tags of a model built on another one


class Fill(NamedTuple):
    """How many of the entries a field applies to state it."""

    filled: int
    of: int

    @property
    def percent(self) -> float:
        return round(100 * self.filled / self.of, 1) if self.of else 100.0

    def record(self) -> dict[str, Any]:
        return {"filled": self.filled, "of": self.of, "percent": self.percent}


def open_weight(m: Model) -> bool:
    """Weights on the Hugging Face Hub (the registry's test of open weights)."""
    return bool(m.hf_repos)


def derived(m: Model) -> bool:
    """A chat, instruct or vision model: one built on another model."""
    return not DERIVED_TAGS.isdisjoint(m.tags)


def exact_params(m: Model) -> bool:
    """A parameter count that is not just the size in the model's name (so, presumably, counted)."""
    return m.params_b is not None and not nominal_params(m.id, m.params_b)


def fill_rates(reg: Registry) -> dict[str, Fill]:
    """The fill rate of each field, over the entries it applies to (README, "llmcat stats")."""
    models = list(reg.models.values())
    weights = [m for m in models if open_weight(m)]
    kids = [m for m in models if derived(m)]

    lookup = reg.models.built()

    def has_arch(m: Model) -> bool:
        """Numbers a memory estimate can use (what `llmcat fit` calls "config" or "inherited"): the
        nearest config along the base chain gives layers, hidden size and attention heads."""
        cfg, _owner = find_config(m, lookup)
        return cfg is not None and usable(cfg)

    def count(pool: list[Model], test: Any) -> Fill:
        return Fill(sum(1 for m in pool if test(m)), len(pool))

    return {
        "params (open-weight)": count(weights, lambda m: m.params_b is not None),
        "params, recorded or the size in the id (open-weight)": count(
            weights, lambda m: params_of(m.id, m.params_b) is not None
        ),
        "params, exact (open-weight)": count(weights, exact_params),
        "context, stated": count(models, lambda m: m.context_tokens is not None),
        "context (stated or from a config)": count(models, lambda m: reg.context(m.id) is not None),
        "released to the month": count(models, lambda m: m.released is not None and len(m.released) >= 7),
        "released to the day": count(models, lambda m: m.released is not None and len(m.released) == 10),
        "japanese level (incl. none)": count(
            models, lambda m: m.japanese is not None and m.japanese.value != "unknown"
        ),
        "base model (derived)": count(kids, lambda m: m.base_model is not None or m.base_model_note is not None),
        "architecture (open-weight, direct or inherited)": count(weights, has_arch),
    }


def coverage(reg: Registry) -> dict[str, dict[str, Any]]:
    models = list(reg.models.values())

    def counted(values: list[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))

    ja = [m for m in models if m.japanese is not None and m.japanese.supported]
    totals = {
        "models": len(models),
        "families": len({m.family for m in models}),
        "organisations": len({m.org for m in models}),
        "licences used": len({lic for m in models for lic in m.all_licenses}),
        "japanese-capable": len(ja),
        "image input": sum("image" in m.modalities for m in models),
        "commercial yes": sum(reg.status(m.id).value == "yes" for m in models),
        "commercial conditional": sum(reg.status(m.id).value == "conditional" for m in models),
        "with hugging face repo": sum(bool(m.hf_repos) for m in models),
    }
    return {
        "totals": totals,
        "fill rate": {name: f.record() for name, f in fill_rates(reg).items()},
        "commercial status": counted([reg.status(m.id).value for m in models]),
        "licence class": counted(
            [lic.license_class.value if (lic := reg.licenses.get(m.license)) else "?" for m in models]
        ),
        "japanese level": counted([m.japanese.value if m.japanese else "unset" for m in models]),
        "input modality": counted([x for m in models for x in m.modalities]),
        "family": counted([m.family for m in models]),
        "organisation": counted([m.org for m in models]),
    }
