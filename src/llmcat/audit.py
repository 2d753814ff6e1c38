"""Licence audit of any model: a registry entry, a Hub repo, or a local model folder.

The target's card gives its licence and its bases (several for a merge). Each base is looked up in the
registry first (its facts win, and its own lineage comes with it), else its Hub card is read, and so on
up the chain. The effective status is then derived with the registry's own rules
(:func:`llmcat.licensing.derive`: the most restrictive along the chain, binding restrictions, caveats,
same-publisher supersession), once per path from the target to a root; a merge takes the most
restrictive of its paths. Findings flag what a compliance reader should look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from llmcat.auditwalk import FINDING_KINDS, Finding, Node, Walk, local_key, permissive_findings
from llmcat.cards import Card, CardSource, is_folder, local_card, repo_id
from llmcat.errors import HubError, LlmcatError
from llmcat.records import Commercial, License, Model
from llmcat.registry import Registry

__all__ = ["DEFAULT_MAX_DEPTH", "FINDING_KINDS", "Audit", "Finding", "Node", "TargetError", "audit"]

DEFAULT_MAX_DEPTH = 8


class TargetError(LlmcatError):
    """The target cannot be read: not found, gated without a token, unreachable, not a model folder."""


class Audit(NamedTuple):
    target: str
    kind: str  # registry | hub | local
    root: Node
    nodes: tuple[Node, ...]  # the target first, then its lineage breadth first
    commercial: Commercial
    findings: tuple[Finding, ...]
    depth: int  # the longest lineage found (ancestors counted, registry ones included)
    languages: tuple[str, ...]
    pipeline: str | None
    licenses: Mapping[str, License]

    def record(self) -> dict[str, Any]:
        """The JSON object of ``llmcat audit --json`` (README, "audit JSON"). Keys and order are stable."""
        c = self.commercial
        return {
            "target": self.target,
            "declared_license": self.root.declared_license,
            "commercial": c.status.value,
            "commercial_reason": c.reason,
            "chain": [n.record(self.licenses) for n in self.nodes],
            "findings": [f._asdict() for f in self.findings],
            "kind": self.kind,
            "model": self.root.key,
            "declared_license_name": self.root.declared_license_name,
            "license": self.root.license,
            "steps": [
                {"model": s.model, "source": s.source, "status": s.status.value, "detail": s.detail} for s in c.chain
            ],
            "conditions": [{"license": x.license, "kind": x.kind, "text": x.text} for x in c.conditions],
            "condition_kinds": sorted({x.kind for x in c.conditions}),
            "caveats": list(c.caveats),
            "depth": self.depth,
            "languages": list(self.languages),
            "pipeline_tag": self.pipeline,
        }


# --------------------------------------------------------------------------- the walk


def _finish(walk: Walk, target: str, kind: str, root: Node, card: Card | None) -> Audit:
    paths = walk.paths(root.key)
    commercial = walk.derive_from(paths)
    findings = [*walk.findings, *permissive_findings(walk, paths)]
    depth = 0
    for p in paths:
        last = walk.nodes[p[-1].casefold()]
        extra = len(walk.reg.ancestors(walk.reg.models[last.key])) if last.source == "registry" else 0
        depth = max(depth, len(p) - 1 + extra)
    seen: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.kind, f.model, f.message), f)
    ordered = sorted(walk.nodes.values(), key=lambda n: (n.depth, n.key != root.key))
    licenses: Mapping[str, License] = walk.reg.licenses
    return Audit(
        target,
        kind,
        walk.nodes[root.key.casefold()],
        tuple(ordered),
        commercial,
        tuple(seen.values()),
        depth,
        card.languages if card else (),
        card.pipeline if card else None,
        licenses,
    )


def audit_registry(registry: Registry, model: Model, target: str | None = None) -> Audit:
    """The audit of a registry model: the registry's own answer and lineage, no network."""
    walk = Walk(registry, None, DEFAULT_MAX_DEPTH)
    walk.registry_node(model, 0)
    root = walk.nodes[model.id.casefold()]
    langs = model.languages
    a = _finish(walk, target or model.id, "registry", root, None)
    return a._replace(languages=langs)


def audit_card(
    registry: Registry, key: str, card: Card, *, kind: str, repo: str | None, cards: CardSource | None, max_depth: int
) -> Audit:
    """The audit of a model described by ``card`` (a Hub card, or a local folder's files)."""
    walk = Walk(registry, cards, max_depth)
    root = walk.card_node(key, repo, card, 0, kind)
    if kind == "local":
        root = root._replace(note=f"bases from {card.where}")
    walk.add(root)
    walk.expand(root, card)
    return _finish(walk, key, kind, walk.nodes[key.casefold()], card)


def audit(
    registry: Registry,
    target: str,
    *,
    cards: CardSource | None,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Audit:
    """Audit ``target``: a local folder, a registry model (id, alias or repo), or a Hub repo id or URL.

    ``cards`` reads Hub cards (None: no Hub access; bases outside the registry are then unresolved).
    Raises TargetError when the target itself cannot be read.
    """
    folder = Path(target).expanduser()
    if is_folder(folder):
        card = local_card(folder)
        key = local_key(folder)
        a = audit_card(registry, key, card, kind="local", repo=None, cards=cards, max_depth=max_depth)
        return a._replace(target=target)
    m = registry.find(target)
    repo = repo_id(target)
    if m is None and repo is not None:
        m = registry.find(repo)
    if m is not None:
        return audit_registry(registry, m, target)
    if repo is None:
        near = registry.suggest(target)
        hint = f". Did you mean: {', '.join(near)}?" if near else ""
        raise TargetError(f"{target!r} is not a model folder, a registry model, or a Hub repo id (org/name){hint}")
    if cards is None:
        raise TargetError(f"{repo}: not in the registry, and the Hub cannot be asked")
    try:
        card = cards.card(repo)
    except HubError as e:
        raise TargetError(str(e)) from None
    a = audit_card(registry, repo, card, kind="hub", repo=repo, cards=cards, max_depth=max_depth)
    return a._replace(target=target)
