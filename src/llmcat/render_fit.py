"""Human views for `fit`, `compare` and `tree` (rich). They present finished records only.

Untrusted text goes through :func:`llmcat.render.t` (inert, never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from llmcat.compare import LABELS, Comparison
from llmcat.fit import Basis, Estimate, Report
from llmcat.lineage import Node
from llmcat.render import t
from llmcat.units import format_params, format_tokens


def _gib(x: float) -> str:
    return f"{x:,.1f}"


def basis_line(basis: Basis) -> Text:
    line = t(basis.id, "id")
    line.append(f"  {format_params(basis.params_b)} parameters", style="head")
    if basis.active_params_b:
        line.append(f" ({format_params(basis.active_params_b)} active)")
    kind = {
        "config": "architecture from its config.json",
        "inherited": f"architecture inherited from {basis.config_from}",
        "estimated": "estimated: no config.json numbers, approximated from the parameter count",
        "generic": "estimated: a generic dense model of this size",
    }[basis.kind]
    line.append_text(t("\n" + kind, "warn" if basis.estimated else "dim"))
    a = basis.arch
    shape = (
        f"{a.layers} layers, hidden {a.hidden_size}, {a.attention_heads} heads, {a.kv_heads} KV heads of "
        f"{a.head_dim}, FFN {a.intermediate_size}, vocabulary {a.vocab_size}"
    )
    if a.experts:
        shape += f", {a.experts} experts ({a.experts_per_token} per token)"
    if a.sliding_window:
        shape += f", sliding window {a.sliding_window} ({a.global_layers or 0} global layers)"
    if a.kv_latent_dim:
        shape += f", latent KV {a.kv_latent_dim}"
    line.append("\n" + shape, style="dim")
    if basis.kind in ("config", "inherited"):
        line.append_text(t("\n" + a.source, "dim"))
    return line


def fit_view(rep: Report, vram_gib: float | None = None) -> Group:
    table = Table(box=None, header_style="head", pad_edge=False)
    for col in ("Mode", "Quant", "Context", "Batch", "Weights", "KV cache", "Activations", "Optimizer", "Overhead"):
        table.add_column(col, justify="left" if col in ("Mode", "Quant") else "right", no_wrap=True)
    table.add_column("Total GiB", justify="right", style="bold", no_wrap=True)
    if vram_gib is not None:
        table.add_column(f"Fits {vram_gib:g} GiB", no_wrap=True)
    for e in rep.estimates:
        row: list[Any] = [
            e.mode,
            e.quant,
            format_tokens(e.context),
            str(e.batch),
            _gib(e.weights_gib),
            _gib(e.kv_cache_gib),
            _gib(e.activations_gib),
            _gib(e.optimizer_gib),
            _gib(e.overhead_gib),
            _gib(e.total_gib),
        ]
        if vram_gib is not None:
            ok = e.total_gib <= vram_gib
            row.append(Text("yes" if ok else "no", style="status.yes" if ok else "status.no"))
        table.add_row(*row)
    notes = Text("Assumptions:", style="head")
    for a in rep.assumptions:
        notes.append("\n• ")
        notes.append_text(t(a, "dim"))
    return Group(basis_line(rep.basis), Text(""), table, Text(""), notes)


def vram_table(rows: Sequence[tuple[Basis, Estimate]], vram_gib: float) -> Table:
    table = Table(box=None, header_style="head", pad_edge=False)
    table.add_column("ID", style="id", overflow="fold", min_width=12)
    table.add_column("Size", justify="right", no_wrap=True)
    table.add_column("Basis", no_wrap=True)
    table.add_column("Mode", no_wrap=True)
    table.add_column("Quant", no_wrap=True)
    table.add_column("Context", justify="right", no_wrap=True)
    table.add_column("Total GiB", justify="right", no_wrap=True)
    table.add_column(f"Headroom of {vram_gib:g}", justify="right", no_wrap=True)
    for b, e in rows:
        table.add_row(
            t(b.id, "id"),
            format_params(b.params_b),
            t(b.kind, "warn" if b.estimated else ""),
            e.mode,
            e.quant,
            format_tokens(e.context),
            _gib(e.total_gib),
            _gib(vram_gib - e.total_gib),
        )
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def compare_table(comp: Comparison) -> Table:
    table = Table(header_style="head", show_lines=False, pad_edge=False)
    table.add_column("", style="head", no_wrap=True)
    for rec in comp.models:
        table.add_column(t(rec["id"], "id"), overflow="fold")
    differs = set(comp.differs)
    for key, label in LABELS.items():
        if key == "id":
            continue
        style = "bold yellow" if key in differs else ""
        mark = "≠ " if key in differs else "  "
        table.add_row(Text(mark + label, style=style or "head"), *[t(_cell(r[key]), style) for r in comp.models])
    return table


def _node_text(n: Node) -> Text:
    line = Text()
    line.append_text(t(n.id, "id"))
    if n.focus:
        line.append(" ◀", style="bold")
    line.append("  ")
    line.append_text(t(n.license, "dim"))
    line.append_text(t(f" [{n.license_class}] ", "dim"))
    line.append(n.commercial, style=f"status.{n.commercial}")
    return line


def lineage_tree(trees: Sequence[Node], title: str) -> Tree:
    root = Tree(Text(title, style="head"), guide_style="dim")
    # Depth first, children in order (pushed in reverse), without recursion.
    stack: list[tuple[Tree, Node]] = [(root, n) for n in reversed(trees)]
    while stack:
        parent, node = stack.pop()
        branch = parent.add(_node_text(node))
        stack.extend((branch, c) for c in reversed(node.children))
    return root
