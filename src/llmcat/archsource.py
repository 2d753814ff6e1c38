"""Which config.json a model's architecture numbers come from: its own, or the nearest ancestor's that
has the same architecture. Small on purpose: ``list`` reads it for every row whose context is not
stated (llmcat.contextlen), so it imports nothing heavy. Pure functions over records."""

from __future__ import annotations

from collections.abc import Mapping

from llmcat.records import Arch, Model

INHERIT_TOLERANCE = 0.15  # an ancestor whose size differs more than this is not the same architecture


def find_config(model: Model, models: Mapping[str, Model]) -> tuple[Arch | None, str | None]:
    """The model's own config, else the nearest ancestor's along base_model; and whose it is.

    A fine-tune keeps its base's architecture, so it inherits its numbers; a model pruned or distilled
    from its base (Minitron from Mistral NeMo, Llama 3.2 1B from 3.1 8B) does not. So an ancestor's
    config is not inherited when both sizes are known and differ by more than 15 %.
    """
    seen: set[str] = set()
    current: Model | None = model
    while current is not None and current.id not in seen:
        if current.config is not None:
            if current is not model and _other_size(model, current):
                return None, None
            return current.config, current.id
        seen.add(current.id)
        current = models.get(current.base_model) if current.base_model is not None else None
    return None, None


def _other_size(model: Model, ancestor: Model) -> bool:
    a, b = model.params_b, ancestor.params_b
    return a is not None and b is not None and b > 0 and abs(a / b - 1) > INHERIT_TOLERANCE
