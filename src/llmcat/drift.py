"""Drift: where a registry entry and its Hugging Face card disagree (licence, base model, size)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from llmcat.enrich import HubInfo
from llmcat.records import Model
from llmcat.registry import Registry

DEFAULT_TOLERANCE = 0.10  # parameter counts may differ by 10 % (rounding, tied embeddings, vision towers)


class Drift(NamedTuple):
    id: str
    repo: str
    field: str
    registry: str
    hub: str


def _card_licence(facts: Mapping[str, Any]) -> str | None:
    """The card's licence tag (``license_name`` for ``other``); None when the card names none."""
    lic, name = facts.get("license"), facts.get("license_name")
    if lic == "other":
        return name.lower() if isinstance(name, str) and name else None  # "other" alone says nothing
    return lic.lower() if isinstance(lic, str) else None


def check(
    reg: Registry,
    models: Sequence[Model],
    info: Mapping[str, HubInfo],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Drift]:
    """Every disagreement between ``models`` and the Hub facts in ``info`` (models without facts: none)."""
    out: list[Drift] = []
    for m in models:
        h = info.get(m.id)
        if h is None or h.facts is None:
            continue
        f = h.facts
        card = _card_licence(f)
        known = set()
        for lic_id in m.all_licenses:  # a card tag that names any of the entry's licences agrees
            known.add(lic_id.lower())
            lic = reg.licenses.get(lic_id)
            if lic is not None and lic.spdx:
                known.add(lic.spdx.lower())
        if card is not None and card not in known:
            out.append(Drift(m.id, h.repo, "license", m.license, card))
        card_bases = {b.lower() for b in f.get("base_model") or []}
        if card_bases:
            base = reg.models.get(m.base_model) if m.base_model else None
            ours = {r.lower() for r in base.hf_repos} if base is not None else set()
            if not ours & card_bases:
                shown = base.id if base is not None else "(none)"
                out.append(Drift(m.id, h.repo, "base_model", shown, ", ".join(sorted(card_bases))))
        if m.gated is not None and f.get("gated") is not None and bool(f["gated"]) != m.gated:
            out.append(Drift(m.id, h.repo, "gated", str(m.gated).lower(), str(f["gated"]).lower()))
        params = f.get("params")
        if m.params_b is not None and isinstance(params, int) and params > 0:
            hub_b = params / 1e9
            if abs(hub_b - m.params_b) > tolerance * max(hub_b, m.params_b):
                out.append(Drift(m.id, h.repo, "params_b", f"{m.params_b:g}", f"{hub_b:.3g}"))
    return out
