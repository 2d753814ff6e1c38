"""The lineage walk behind `llmcat audit`: cards and registry entries to a graph of nodes, the paths
from the target to its roots, one derivation per path (:func:`llmcat.licensing.derive`), and findings.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from llmcat.cards import Card, CardSource, LocalFolderError, is_folder, local_card, map_license, repo_id
from llmcat.errors import HubError
from llmcat.licensing import derive
from llmcat.records import Commercial, License, LicenseClass, LicenseCondition, Model, Status, Step
from llmcat.registry import Registry

MAX_PATHS = 64  # paths from the target to its roots that are derived (merges of merges multiply them)
MAX_CARDS = 100  # Hub cards read for one audit (32 bases a card, 8 levels: a hostile graph stays bounded)
FINDING_KINDS = (
    "more-permissive",  # a card declares terms more permissive than those it inherits
    "unresolved-base",  # a base that cannot be read (not found, gated, unreachable, not a repo id)
    "unknown-license",  # a licence id llmcat does not know
    "no-license",  # the card declares no licence (or "unknown")
    "chain-too-deep",  # the lineage goes on beyond the depth limit: the rest is not checked
    "cycle",  # the cards' base_model links loop
    "lineage-too-large",  # so many bases or merges that not every card was read or every path derived
)

# Terms that stand in for what could not be read; their class (unknown) makes the status unknown.
_UNRESOLVED = License("llmcat:unresolved", "terms unknown: this base could not be read", LicenseClass.UNKNOWN)
_NO_LICENSE = License("llmcat:no-license", "no licence declared on its card", LicenseClass.UNKNOWN)
_NOT_WALKED = License("llmcat:not-walked", "terms not checked: beyond the audit's limits", LicenseClass.UNKNOWN)
_PSEUDO = {lic.id: lic for lic in (_UNRESOLVED, _NO_LICENSE, _NOT_WALKED)}


class Node(NamedTuple):
    """One model in the audited lineage."""

    key: str  # registry id, Hub repo id, or local folder path
    source: str  # registry | hub | local | unresolved | not-walked
    repo: str | None
    depth: int
    bases: tuple[str, ...]  # keys of the nodes it is built on
    declared_license: str | None
    declared_license_name: str | None
    license: str | None  # the registry licence id it maps to
    relation: str | None = None
    note: str | None = None

    def record(self, licenses: Mapping[str, License]) -> dict[str, Any]:
        lic = licenses.get(self.license) if self.license else None
        return {
            "model": self.key,
            "source": self.source,
            "repo": self.repo,
            "depth": self.depth,
            "bases": list(self.bases),
            "relation": self.relation,
            "declared_license": self.declared_license,
            "declared_license_name": self.declared_license_name,
            "license": self.license,
            "license_class": lic.license_class.value if lic else None,
            "status": lic.license_class.status.value if lic else Status.UNKNOWN.value,
            "note": self.note,
        }


def local_key(folder: Path) -> str:
    """A local folder's key in the chain: its path, never mistaken for a registry id or a repo id."""
    text = str(folder)
    return text if folder.is_absolute() or text.startswith(".") else f"./{text}"


def _shown(card: Card) -> str:
    """A card's licence as people read it: ``other (name)`` for ``license: other``."""
    declared = card.license or ""
    if declared.strip().lower() == "other":
        return f"other ({card.license_name or 'no license_name'})"
    return declared


class Finding(NamedTuple):
    kind: str
    model: str
    message: str


class Walk:
    """The graph of one audit: nodes by key, read on demand, and the findings met on the way."""

    def __init__(self, registry: Registry, cards: CardSource | None, max_depth: int) -> None:
        self.reg = registry
        self.cards = cards
        self.max_depth = max_depth
        self.nodes: dict[str, Node] = {}  # by key (case-folded)
        self.findings: list[Finding] = []
        self._orgs: dict[str, str] | None = None
        self.cards_read = 0

    def org_of(self, repo: str | None) -> str:
        """The publisher of a Hub repo: the registry's name for its namespace where it has one."""
        if repo is None:
            return ""
        if self._orgs is None:
            self._orgs = {}
            for m in self.reg.models.values():
                for r in m.hf_repos:
                    self._orgs.setdefault(r.split("/", 1)[0].lower(), m.org)
        ns = repo.split("/", 1)[0]
        return self._orgs.get(ns.lower(), ns)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.key.casefold(), node)
        return node.key

    def card_node(self, key: str, repo: str | None, card: Card, depth: int, source: str) -> Node:
        mapped = map_license(card.license, card.license_name, self.reg.licenses)
        declared = card.license
        if declared is None or declared.strip().lower() in {"unknown"}:
            self.findings.append(Finding("no-license", key, f"{key}: its card declares no licence"))
        elif mapped is None:
            self.findings.append(
                Finding("unknown-license", key, f"{key}: licence {_shown(card)!r} is not in llmcat's licence table")
            )
        return Node(key, source, repo, depth, (), declared, card.license_name, mapped, card.relation)

    def base(self, name: str, depth: int, via: str) -> str:
        """The key of the node for base ``name`` of ``via``, reading it (and its bases) if needed."""
        m = self.reg.find(name) or (self.reg.find(r) if (r := repo_id(name)) else None)
        if m is not None:
            self.registry_node(m, depth)
            return m.id
        repo = repo_id(name)
        existing = self.nodes.get((repo or name).casefold())
        if existing is not None:
            return existing.key
        if depth > self.max_depth:
            self.findings.append(
                Finding(
                    "chain-too-deep",
                    via,
                    f"{via}: the lineage goes on beyond {self.max_depth} levels ({name}); the rest is not checked",
                )
            )
            return self.add(Node(repo or name, "not-walked", repo, depth, (), None, None, None, note="not checked"))
        if self.cards_read >= MAX_CARDS:
            msg = f"{via}: more than {MAX_CARDS} Hub cards in this lineage; {name} and its bases are not checked"
            self.findings.append(Finding("lineage-too-large", via, msg))
            return self.add(Node(repo or name, "not-walked", repo, depth, (), None, None, None, note="not checked"))
        if repo is None and self.nodes[via.casefold()].source == "local":
            # A local target's base may be a folder on disk too (never followed from a Hub card).
            return self.local_base(name, depth, via)
        if repo is None or self.cards is None:
            why = "not a Hub repo id or a registry model" if repo is None else "no Hub access"
            self.findings.append(Finding("unresolved-base", via, f"{via}: base {name!r} cannot be resolved: {why}"))
            return self.add(Node(name, "unresolved", None, depth, (), None, None, None, note=why))
        self.cards_read += 1
        try:
            card = self.cards.card(repo)
        except HubError as e:
            why = str(e).split(": ", 1)[-1] if str(e).startswith(repo) else str(e)
            self.findings.append(Finding("unresolved-base", via, f"{via}: base {repo} cannot be read: {why}"))
            return self.add(Node(repo, "unresolved", repo, depth, (), None, None, None, note=why))
        node = self.card_node(repo, repo, card, depth, "hub")
        self.add(node)
        self.expand(node, card)
        return node.key

    def local_base(self, name: str, depth: int, via: str) -> str:
        folder = Path(name).expanduser()
        existing = self.nodes.get(local_key(folder).casefold())
        if existing is not None:
            return existing.key
        try:
            if not is_folder(folder):
                raise LocalFolderError(f"{name}: not a Hub repo id, a registry model or a folder")
            card = local_card(folder)
        except LocalFolderError as e:
            self.findings.append(Finding("unresolved-base", via, f"{via}: base cannot be resolved: {e}"))
            return self.add(Node(name, "unresolved", None, depth, (), None, None, None, note=str(e)))
        node = self.card_node(local_key(folder), None, card, depth, "local")
        node = node._replace(note=f"bases from {card.where}")
        self.add(node)
        self.expand(node, card)
        return node.key

    def expand(self, node: Node, card: Card) -> None:
        bases = tuple(self.base(b, node.depth + 1, node.key) for b in card.base_models)
        self.nodes[node.key.casefold()] = node._replace(bases=tuple(dict.fromkeys(bases)))

    def registry_node(self, m: Model, depth: int) -> None:
        lineage = [m, *self.reg.ancestors(m)]
        for i, x in enumerate(lineage):
            bases = (x.base_model,) if x.base_model is not None else ()
            repo = x.hf_repos[0] if x.hf_repos else None
            self.add(Node(x.id, "registry", repo, depth + i, bases, x.license, None, x.license))

    # paths and derivation --------------------------------------------------
    def paths(self, root: str) -> list[list[str]]:
        """Every path from ``root`` up to a node without bases (cycles cut, with a finding)."""
        out: list[list[str]] = []
        cycles: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(root, [root])]
        while stack:
            key, path = stack.pop()
            node = self.nodes[key.casefold()]
            nxt = []
            for b in node.bases:
                if b.casefold() in {p.casefold() for p in path}:
                    loop = " -> ".join([*path[[p.casefold() for p in path].index(b.casefold()) :], b])
                    if loop not in cycles:
                        cycles.add(loop)
                        self.findings.append(Finding("cycle", node.key, f"the base_model links loop: {loop}"))
                    continue
                nxt.append(b)
            if node.source == "registry" or not nxt:
                out.append(path)
                continue
            for b in reversed(nxt):
                stack.append((b, [*path, b]))
            if len(out) >= MAX_PATHS:
                self.findings.append(
                    Finding(
                        "lineage-too-large", root, f"more than {MAX_PATHS} paths to the roots; the first were derived"
                    )
                )
                break
        return out

    def model_for(self, key: str, base: str | None) -> Model:
        node = self.nodes[key.casefold()]
        if node.source == "registry":
            return self.reg.models[node.key]
        if node.source == "unresolved":
            lic = _UNRESOLVED.id
        elif node.source == "not-walked":
            lic = _NOT_WALKED.id
        elif node.declared_license is None or node.declared_license.strip().lower() == "unknown":
            lic = _NO_LICENSE.id
        else:
            # An unknown id stays as it is: licensing reports it "not in the table" (status unknown).
            lic = node.license or _shown(Card(node.declared_license, node.declared_license_name, (), None, (), None))
        org = self.org_of(node.repo) if node.source == "hub" else node.key
        name = node.key.rstrip("/").rsplit("/", 1)[-1] or node.key
        return Model(node.key, name, "", org, lic, (), base_model=base)

    def derive_from(self, paths: list[list[str]]) -> Commercial:
        licenses: Mapping[str, License] = ChainMap(_PSEUDO, self.reg.licenses)
        results: list[Commercial] = []
        for path in paths:
            own: dict[str, Model] = {}
            for i, key in enumerate(path):
                node = self.nodes[key.casefold()]
                if node.source == "registry":
                    break  # the registry's own lineage takes over from here
                own[node.key] = self.model_for(key, path[i + 1] if i + 1 < len(path) else None)
            models: Mapping[str, Model] = ChainMap(own, self.reg.models)  # type: ignore[arg-type]
            results.append(derive(own.get(path[0]) or self.reg.models[path[0]], models, licenses))
        return combine(results)


def combine(results: list[Commercial]) -> Commercial:
    """One answer for a merge: the most restrictive path decides; steps, conditions, caveats are pooled."""
    worst = max(results, key=lambda c: c.status.rank)  # the first of the worst
    steps: dict[tuple[str, str, str], Step] = {}
    conditions: dict[LicenseCondition, None] = {}
    caveats: dict[str, None] = {}
    for c in [worst, *results]:
        for s in c.chain:
            steps.setdefault((s.model, s.source, s.detail), s)
        conditions.update(dict.fromkeys(c.conditions))
        caveats.update(dict.fromkeys(c.caveats))
    reason = worst.reason
    if len(results) > 1:
        reason += f" (the most restrictive of {len(results)} paths through its bases)"
    return Commercial(worst.status, reason, tuple(steps.values()), tuple(conditions), tuple(caveats))


def permissive_findings(walk: Walk, paths: list[list[str]]) -> list[Finding]:
    """Cards that declare terms more permissive than the ones they inherit."""
    out: list[Finding] = []
    licenses = walk.reg.licenses
    for node in list(walk.nodes.values()):
        if node.source not in {"hub", "local"} or node.license is None:
            continue
        own = licenses[node.license]
        suffixes = []
        for p in paths:
            keys = [k.casefold() for k in p]
            if node.key.casefold() in keys:
                suffixes.append(p[keys.index(node.key.casefold()) :])
        if not suffixes or all(len(s) == 1 for s in suffixes):
            continue
        c = walk.derive_from([list(s) for s in dict.fromkeys(tuple(s) for s in suffixes)])
        inherited = {x.kind for x in c.conditions if x.license != node.license}
        missing = sorted(inherited - {x.kind for x in own.conditions})
        own_rank = own.license_class.status.rank
        stricter = c.status is not Status.UNKNOWN and c.status.rank > own_rank  # unknown: a finding of its own
        if not (stricter or missing):
            continue
        carriers = {x.license for x in c.conditions if x.kind in missing}
        culprit = next(
            (
                s
                for s in c.chain
                if s.model != node.key
                and s.source != "superseded"
                and (
                    s.status.rank > own_rank or getattr(walk.nodes.get(s.model.casefold()), "license", None) in carriers
                )
            ),
            None,
        )
        what = f"{culprit.detail} from {culprit.model}" if culprit else "the terms of its bases"
        msg = f"{node.key} declares {own.name} ({own.license_class.status.value}) but inherits {what}"
        if stricter:
            msg += f": effective status {c.status.value}"
        if missing:
            msg += f"; conditions its own licence does not carry: {', '.join(missing)}"
        out.append(Finding("more-permissive", node.key, msg))
    return out
