"""The human view of `llmcat audit`: the answer, the chain, the findings. Card text is never markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from llmcat.formats import inert
from llmcat.render import chain_text, status_text, t

if TYPE_CHECKING:
    from llmcat.audit import Audit


def audit_view(a: Audit) -> Group:
    c = a.commercial
    root = a.root
    facts = Table.grid(padding=(0, 2))
    facts.add_column(no_wrap=True)
    facts.add_column()
    facts.add_row(Text("Target", style="head"), t(a.target, "id"))
    facts.add_row(Text("Read from", style="head"), t({"hub": "Hub card", "local": "local folder"}.get(a.kind, a.kind)))
    declared = root.declared_license or "(none)"
    if root.declared_license_name:
        declared += f" ({root.declared_license_name})"
    facts.add_row(Text("Declared licence", style="head"), t(declared))
    if root.license and root.license != root.declared_license:
        facts.add_row(Text("Registry licence", style="head"), t(root.license))
    line = status_text(c.status)
    line.append(" — " + inert(c.reason.split(": ", 1)[1] if ": " in c.reason else c.reason))
    facts.add_row(Text("Commercial use", style="head"), line)
    if a.languages:
        facts.add_row(Text("Languages", style="head"), t(", ".join(a.languages)))
    if a.pipeline:
        facts.add_row(Text("Pipeline", style="head"), t(a.pipeline))
    parts: list[RenderableType] = [Panel(facts, title="Licence audit", title_align="left")]

    chain = Table(box=None, header_style="head", pad_edge=False)
    for col in ("Depth", "Model", "Source", "Licence", "Status", "Built on"):
        chain.add_column(col, no_wrap=col in {"Depth", "Status"})
    for n in a.nodes:
        lic = a.licenses.get(n.license) if n.license else None
        shown = n.license or (f"{n.declared_license} (unknown to llmcat)" if n.declared_license else "-")
        status = lic.license_class.status if lic else None
        chain.add_row(
            t(n.depth),
            t(n.key, "id"),
            t(n.source + (f": {n.note}" if n.note and n.source != "hub" else "")),
            t(shown),
            status_text(status) if status is not None else t("unknown", "status.unknown"),
            t(", ".join(n.bases)),
        )
    parts.append(Panel(chain, title="Chain", title_align="left"))

    why = chain_text(c.chain)
    if c.conditions:
        why.append("\n\nConditions:", style="head")
        for x in c.conditions:
            why.append(inert(f"\n• {x.kind} ({x.license}): {x.text}"))
    if c.caveats:
        why.append("\n\nCaveats:", style="warn")
        for cav in c.caveats:
            why.append(inert(f"\n• {cav}"))
    parts.append(Panel(why, title="Why", title_align="left"))
    if a.findings:
        found = Text()
        for i, f in enumerate(a.findings):
            found.append(("\n" if i else "") + f"{f.kind}: ", style="warn")
            found.append(inert(f.message))
        parts.append(Panel(found, title=f"Findings ({len(a.findings)})", title_align="left"))
    else:
        parts.append(t("No findings.", "dim"))
    parts.append(t("This is information, not legal advice: read the licences before you ship.", "dim"))
    return Group(*parts)
