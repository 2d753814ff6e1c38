"""Coverage counts for the registry, so its growth is visible."""

from __future__ import annotations

from collections import Counter

from llmcat.registry import Registry


def coverage(reg: Registry) -> dict[str, dict[str, int]]:
    models = list(reg.models.values())

    def counted(values: list[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))

    ja = [m for m in models if m.japanese is not None and m.japanese.supported]
    totals = {
        "models": len(models),
        "families": len({m.family for m in models}),
        "organisations": len({m.org for m in models}),
        "licences used": len({m.license for m in models}),
        "japanese-capable": len(ja),
        "image input": sum("image" in m.modalities for m in models),
        "commercial yes": sum(reg.status(m.id).value == "yes" for m in models),
        "commercial conditional": sum(reg.status(m.id).value == "conditional" for m in models),
        "with hugging face repo": sum(bool(m.hf_repos) for m in models),
    }
    return {
        "totals": totals,
        "commercial status": counted([reg.status(m.id).value for m in models]),
        "licence class": counted(
            [lic.license_class.value if (lic := reg.licenses.get(m.license)) else "?" for m in models]
        ),
        "japanese level": counted([m.japanese.value if m.japanese else "unset" for m in models]),
        "input modality": counted([x for m in models for x in m.modalities]),
        "family": counted([m.family for m in models]),
        "organisation": counted([m.org for m in models]),
    }
