"""The base-model tree: who is built on whom, with each node's licence class and commercial status.

Pure functions over the registry; no frameworks. ``to_mermaid`` and ``to_dot`` write text for other
programs to draw, with every id and name escaped so that registry text cannot inject syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from llmcat.records import Model

if TYPE_CHECKING:
    from llmcat.registry import Registry


class Node(NamedTuple):
    id: str
    name: str
    license: str
    license_class: str
    commercial: str
    children: tuple[Node, ...]
    focus: bool = False  # the model asked for (``tree NAME``)

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "license": self.license,
            "license_class": self.license_class,
            "commercial": self.commercial,
            "focus": self.focus,
            "children": [c.record() for c in self.children],
        }

    def walk(self) -> list[Node]:
        out: list[Node] = []
        stack = [self]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(n.children))
        return out


def _node(registry: Registry, m: Model, children: tuple[Node, ...], focus: bool = False) -> Node:
    lic = registry.licenses.get(m.license)
    cls = lic.license_class.value if lic is not None else "unknown"
    return Node(m.id, m.name, m.license, cls, registry.status(m.id).value, children, focus)


def subtree(registry: Registry, model_id: str, focus: str | None = None, _seen: set[str] | None = None) -> Node:
    """``model_id`` and everything built on it, children in id order. Iterative: any depth."""
    seen = _seen if _seen is not None else set()
    seen.add(model_id)
    order: list[str] = []
    kids_of: dict[str, list[str]] = {}
    stack = [model_id]
    while stack:
        mid = stack.pop()
        order.append(mid)
        kids = [c for c in sorted(registry.children.get(mid, ())) if c not in seen]
        seen.update(kids)
        kids_of[mid] = kids
        stack.extend(kids)
    built: dict[str, Node] = {}
    for mid in reversed(order):  # children before their parents
        kids_nodes = tuple(built.pop(c) for c in kids_of[mid])
        built[mid] = _node(registry, registry.models[mid], kids_nodes, focus == mid)
    return built[model_id]


def depth(trees: Sequence[Node]) -> int:
    """Levels in the deepest tree (1 for a lone model)."""
    deepest = 0
    stack = [(t, 1) for t in trees]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in node.children)
    return deepest


def forest(registry: Registry) -> list[Node]:
    """Every model, as trees from the models with no (known) base."""
    roots = sorted(
        m.id for m in registry.models.values() if m.base_model is None or m.base_model not in registry.models
    )
    seen: set[str] = set()
    return [subtree(registry, r, None, seen) for r in roots]


def tree_of(registry: Registry, model: Model) -> Node:
    """The path from ``model``'s topmost ancestor down to it, then everything built on it."""
    node = subtree(registry, model.id, model.id)
    for ancestor in registry.ancestors(model):
        node = _node(registry, ancestor, (node,))
    return node


def trees_of_family(registry: Registry, members: Sequence[Model]) -> list[Node]:
    """A family's members as trees, from the members whose base is outside the family."""
    ids = {m.id for m in members}
    roots = sorted(m.id for m in members if m.base_model not in ids)
    seen: set[str] = set()
    return [subtree(registry, r, None, seen) for r in roots]


# --------------------------------------------------------------------------- text formats

_MERMAID_SAFE = re.compile(r"[^A-Za-z0-9 .,_:/()+\-]")
_STATUS_STYLE = {
    "yes": "fill:#d4f7d4,stroke:#2e7d32",
    "conditional": "fill:#fff3c4,stroke:#b28704",
    "unknown": "fill:#f3d4f7,stroke:#7b1fa2",
    "no": "fill:#f7d4d4,stroke:#c62828",
}


def mermaid_text(text: str) -> str:
    """Untrusted text inside a quoted Mermaid label: control characters shown as visible escapes
    (``\\x1b``), then everything but plain characters as ``#NNN;`` entity codes."""
    from llmcat.formats import inert

    return _MERMAID_SAFE.sub(lambda m: f"#{ord(m.group())};", inert(text))


def _label(n: Node) -> list[str]:
    """The lines of a node's label: id (starred if asked for), name, licence and status."""
    return [n.id + (" *" if n.focus else ""), n.name, f"{n.license} ({n.license_class}), commercial: {n.commercial}"]


def to_mermaid(trees: Sequence[Node]) -> str:
    lines = ["graph TD"]
    number: dict[str, str] = {}
    edges: list[str] = []
    for root in trees:
        for n in root.walk():
            key = number.setdefault(n.id, f"n{len(number)}")
            label = "<br/>".join(mermaid_text(x) for x in _label(n))
            lines.append(f'  {key}["{label}"]:::{n.commercial}')
            for c in n.children:
                edges.append(f"  {key} --> {number.setdefault(c.id, f'n{len(number)}')}")
    lines.extend(edges)
    lines.extend(f"  classDef {status} {style}" for status, style in _STATUS_STYLE.items())
    return "\n".join(lines) + "\n"


_DOT_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def dot_string(text: str) -> str:
    """Untrusted text as a quoted DOT string: backslashes and quotes escaped, control characters inert."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = _DOT_CONTROL.sub(lambda m: f"\\\\x{ord(m.group()):02x}", text)
    return f'"{text}"'


_DOT_FILL = {"yes": "#d4f7d4", "conditional": "#fff3c4", "unknown": "#f3d4f7", "no": "#f7d4d4"}


def to_dot(trees: Sequence[Node]) -> str:
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled"];']
    edges: list[str] = []
    for root in trees:
        for n in root.walk():
            label = "\\n".join(dot_string(x)[1:-1] for x in _label(n))
            fill = _DOT_FILL.get(n.commercial, "#ffffff")
            lines.append(f'  {dot_string(n.id)} [label="{label}", fillcolor="{fill}"];')
            edges.extend(f"  {dot_string(n.id)} -> {dot_string(c.id)};" for c in n.children)
    lines.extend(edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
