"""The detail view of one model (`llmcat show ID`): its facts, licence and commercial answer with the
chain behind it, lineage, scores, Hub facts and sources. It presents a finished
:class:`llmcat.views.ModelView`; it asks the registry nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from llmcat.formats import inert
from llmcat.render import chain_text, kv, t
from llmcat.scores import ScoreView
from llmcat.units import format_params
from llmcat.views import ModelView


def _ja(view: ModelView) -> str:
    j = view.model.japanese
    return j.value if j is not None else ""


def model_detail(view: ModelView, *, hub: Mapping[str, Any] | None = None, scores: Sequence[ScoreView] = ()) -> Group:
    """Every fact about one model, its licence, the commercial answer with its chain, and lineage."""
    m = view.model
    facts = Table.grid(padding=(0, 2))
    facts.add_column(no_wrap=True)
    facts.add_column(overflow="fold")
    kv(facts, "ID", t(m.id, "id"))
    kv(facts, "Name", m.name)
    kv(facts, "Aliases", ", ".join(m.aliases))
    kv(facts, "Family", m.family)
    kv(facts, "Organisation", m.org)
    kv(facts, "Released", m.released)
    params = format_params(view.size.billions if view.size is not None else None)
    if m.active_params_b is not None:
        params += f" ({format_params(m.active_params_b)} active)"
    if view.size is not None and view.size.nominal:
        params += " (the size in its name: no exact count recorded)"
    kv(facts, "Parameters", params)
    kv(facts, "Base model note", m.base_model_note)
    kv(facts, "Architecture", m.architecture)
    ctx = view.context
    if ctx is not None:
        how = ctx.describe()
        kv(facts, "Context", f"{ctx.tokens:,} tokens" + (f" ({how})" if how else ""))
    kv(facts, "Languages", ", ".join(m.languages))
    kv(facts, "Japanese", _ja(view))
    kv(facts, "Input", ", ".join(m.modalities))
    kv(facts, "Tags", ", ".join(m.tags))
    kv(facts, "Hugging Face", ", ".join(m.hf_repos))
    kv(facts, "Description", m.description)
    if m.origin != "bundled":
        kv(facts, "From", m.origin)

    parts: list[Any] = [Panel(facts, title=t(m.name), title_align="left")]
    parts.append(licence_section(view))
    ancestors, descendants = view.ancestors, view.descendants
    if ancestors or descendants:
        lin = Table.grid(padding=(0, 2))
        lin.add_column(no_wrap=True)
        lin.add_column(overflow="fold")
        if ancestors:
            lin.add_row(Text("Built on", style="head"), t(" → ".join(ancestors)))
        if descendants:
            lin.add_row(Text("Built upon by", style="head"), t(", ".join(descendants)))
        parts.append(Panel(lin, title="Lineage", title_align="left"))
    if scores:
        from llmcat.render_scores import scores_panel

        parts.append(scores_panel(scores))
    if hub is not None:
        parts.append(hub_panel(hub))
    src = Text()
    copies = dict(m.source_copies)
    for i, url in enumerate(m.sources):
        src.append(("\n" if i else "") + inert(url))
        if url in copies:
            src.append(" (read via " + inert(copies[url]) + ")")
    for r in m.restrictions:
        if r.source and r.source not in m.sources:
            src.append("\n" + inert(r.source))
    parts.append(Panel(src, title="Sources", title_align="left"))
    return Group(*parts)


def licence_section(view: ModelView) -> Panel:
    m, c, lic = view.model, view.commercial, view.licence
    body = Table.grid(padding=(0, 2))
    body.add_column(no_wrap=True)
    body.add_column(overflow="fold")
    if lic is not None:
        body.add_row(Text("Licence", style="head"), t(f"{lic.name} ({lic.id}, {lic.license_class.value})"))
        if lic.url:
            body.add_row(Text("", style="head"), t(lic.url))
    for other in view.licences[1 if lic is not None else 0 :]:  # several licences apply
        if other.id != m.license:
            body.add_row(Text("and", style="head"), t(f"{other.name} ({other.id}, {other.license_class.value})"))
    line = Text()
    line.append(c.status.value, style=f"status.{c.status.value}")
    line.append(" — " + inert(c.reason.split(": ", 1)[1] if ": " in c.reason else c.reason))
    body.add_row(Text("Commercial use", style="head"), line)
    body.add_row(Text("Why", style="head"), chain_text(c.chain))
    if c.conditions:
        lines = [
            f"• {x.text}" if x.license == m.license else f"• {x.text} ({view.licence_names.get(x.license, x.license)})"
            for x in c.conditions
        ]
        body.add_row(Text("Conditions", style="head"), t("\n".join(lines)))
    if c.caveats:
        body.add_row(Text("Caveats", style="warn"), t("\n".join(f"• {x}" for x in c.caveats)))
    return Panel(body, title="Licence and commercial use", title_align="left")


def hub_panel(hub: Mapping[str, Any]) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in hub.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        grid.add_row(Text(key, style="head"), t(value))
    return Panel(grid, title="Hugging Face Hub", title_align="left")
