"""Rich views of benchmark scores: the Scores panel of `show`, `llmcat scores`, `llmcat recommend`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from llmcat.render import t
from llmcat.scores import ScoreView


def scores_panel(views: Sequence[ScoreView]) -> Panel:
    """Benchmark results, headline first, each source credited (its licence may require it)."""
    body = Table.grid(padding=(0, 2))
    body.add_column(no_wrap=True)
    body.add_column()
    credits: dict[str, str] = {}
    for v in views:
        lo, hi = v.benchmark.scale
        parts = [f"{task.name} {value:.3f}" for task, value in v.values]
        setting = f" [reasoning {v.setting}]" if v.setting and v.setting != "N/A" else ""
        body.add_row(Text(v.benchmark.id, style="head"), t(f"{', '.join(parts)}  (scale {lo:g}-{hi:g}){setting}"))
        src = v.benchmark.source
        credits[src.id] = f"{src.attribution}; {src.evidence} evaluation, snapshot {src.committed}: {src.file}"
    for credit in credits.values():
        body.add_row(Text("Source", style="head"), t(credit))
    return Panel(body, title="Scores", title_align="left")


def benchmarks_table(records: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(show_edge=False, header_style="head")
    table.add_column("Benchmark", no_wrap=True, style="id")
    table.add_column("Measures")
    table.add_column("Scale", no_wrap=True)
    table.add_column("Models", justify="right", no_wrap=True)
    table.add_column("Source")
    for r in records:
        lo, hi = r["scale"]
        tasks = ", ".join(r["tasks"])
        table.add_row(
            t(r["id"]),
            t(f"{r['title']}: {r['description']} Tasks: {tasks}."),
            f"{lo:g}-{hi:g}",
            str(r["models"]),
            t(f"{r['source_name']} ({r['license']}, {r['evidence']}, {r['date']})"),
        )
    return table


def recommend_table(ranked: Sequence[Any]) -> Table:
    """`llmcat recommend`: rank, model, rank score, commercial status and the reasons."""
    from llmcat.render import status_text

    table = Table(show_edge=False, header_style="head")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("ID", style="id", no_wrap=True)
    table.add_column("Rank", justify="right", no_wrap=True)
    table.add_column("Commercial", no_wrap=True)
    table.add_column("Why")
    for r in ranked:
        mark = "" if r.scored else " (no score)"
        table.add_row(
            str(r.rank),
            t(r.model.id),
            f"{r.score:.3f}",
            status_text(r.status),
            t(r.reason + mark),
        )
    return table
