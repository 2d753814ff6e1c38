"""Human output with rich: tables and detail views. Imported only when a person is the reader.

Every piece of registry or Hub text is passed through :func:`llmcat.formats.inert` and wrapped in
``rich.text.Text`` (never parsed as markup), so ``[red]`` or ``\\x1b[2J`` in a name prints literally.
Consoles are created per call, so ``NO_COLOR``, ``FORCE_COLOR`` and ``TERM`` are read when the command
runs; rich decides whether to use colour.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from llmcat.formats import inert
from llmcat.records import License, Model, Status
from llmcat.registry import Registry
from llmcat.units import format_params, format_tokens

THEME = Theme(
    {
        "status.yes": "green",
        "status.conditional": "yellow",
        "status.no": "red",
        "status.unknown": "magenta",
        "id": "bold cyan",
        "dim": "dim",
        "warn": "yellow",
        "error": "bold red",
        "head": "bold",
    }
)


PIPE_WIDTH = 160  # a table written to a file or pipe is laid out this wide unless COLUMNS says otherwise


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    console = Console(file=file, stderr=stderr, theme=THEME, highlight=False, soft_wrap=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    return console


def t(value: object, style: str = "") -> Text:
    """A table cell: untrusted text made inert, never parsed as markup."""
    return Text("" if value is None else inert(str(value)), style=style)


def status_text(status: Status) -> Text:
    return Text(status.value, style=f"status.{status.value}")


def _ja(m: Model) -> str:
    return m.japanese.value if m.japanese is not None else ""


def models_table(
    models: Sequence[Model],
    registry: Registry,
    *,
    hub: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> Table:
    table = Table(box=None, header_style="head", pad_edge=False)
    # In a narrow terminal the ID folds and the text columns shorten with an ellipsis; numbers and
    # statuses never break.
    table.add_column("ID", style="id", overflow="fold", min_width=12)
    table.add_column("Org", max_width=14, overflow="ellipsis")
    table.add_column("Size", justify="right", no_wrap=True)
    table.add_column("Context", justify="right", no_wrap=True)
    table.add_column("Licence", max_width=18, overflow="ellipsis")
    table.add_column("Commercial", no_wrap=True)
    table.add_column("Japanese", overflow="ellipsis")
    table.add_column("Image", no_wrap=True)
    table.add_column("Released", overflow="ellipsis")
    if hub is not None:
        table.add_column("Downloads", justify="right")
        table.add_column("Likes", justify="right")
    for m in models:
        row = [
            t(m.id),
            t(m.org),
            t(format_params(m.params_b)),
            t(format_tokens(m.context_tokens)),
            t(m.license),
            status_text(registry.status(m.id)),
            t(_ja(m)),
            t("yes" if "image" in m.modalities else ""),
            t(m.released or ""),
        ]
        if hub is not None:
            facts = hub.get(m.id)
            row += [t(_num(facts, "downloads")), t(_num(facts, "likes"))]
        table.add_row(*row)
    return table


def family_view(
    models: Sequence[Model],
    registry: Registry,
    *,
    hub: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> Group:
    """A family: its members, then why each may or may not be used commercially."""
    why = Table(box=None, header_style="head", pad_edge=False, title_justify="left")
    why.add_column("ID", style="id", no_wrap=True)
    why.add_column("Commercial use: why")
    for m in models:
        c = registry.commercial(m.id)
        line = status_text(c.status)
        line.append(" — " + inert(c.reason.split(": ", 1)[1] if ": " in c.reason else c.reason))
        if c.caveats:
            line.append(inert(f" (caveat: {'; '.join(c.caveats)})"), style="warn")
        why.add_row(t(m.id), line)
    head = t(f"Family {models[0].family}: {len(models)} models", "head")
    tail = t("`llmcat show ID` explains one model in full.", "dim")
    return Group(head, models_table(models, registry, hub=hub), Text(""), why, tail)


def _num(facts: Mapping[str, Any] | None, key: str) -> str:
    if not facts or facts.get(key) is None:
        return "-"
    return f"{facts[key]:,}"


def _kv(table: Table, key: str, value: Text | str | None) -> None:
    if value is None or value == "":
        return
    table.add_row(Text(key, style="head"), value if isinstance(value, Text) else t(value))


def model_detail(m: Model, registry: Registry, *, hub: Mapping[str, Any] | None = None) -> Group:
    """Every fact about one model, its licence, the commercial answer with its chain, and lineage."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(no_wrap=True)
    facts.add_column()
    _kv(facts, "ID", t(m.id, "id"))
    _kv(facts, "Name", m.name)
    _kv(facts, "Aliases", ", ".join(m.aliases))
    _kv(facts, "Family", m.family)
    _kv(facts, "Organisation", m.org)
    _kv(facts, "Released", m.released)
    params = format_params(m.params_b)
    if m.active_params_b is not None:
        params += f" ({format_params(m.active_params_b)} active)"
    _kv(facts, "Parameters", params)
    _kv(facts, "Base model note", m.base_model_note)
    _kv(facts, "Architecture", m.architecture)
    _kv(facts, "Context", f"{m.context_tokens:,} tokens" if m.context_tokens else None)
    _kv(facts, "Languages", ", ".join(m.languages))
    _kv(facts, "Japanese", _ja(m))
    _kv(facts, "Input", ", ".join(m.modalities))
    _kv(facts, "Tags", ", ".join(m.tags))
    _kv(facts, "Hugging Face", ", ".join(m.hf_repos))
    _kv(facts, "Description", m.description)
    if m.origin != "bundled":
        _kv(facts, "From", m.origin)

    parts: list[Any] = [Panel(facts, title=t(m.name), title_align="left")]
    parts.append(licence_section(m, registry))
    ancestors = registry.ancestors(m)
    descendants = registry.descendants(m.id)
    if ancestors or descendants:
        lin = Table.grid(padding=(0, 2))
        lin.add_column(no_wrap=True)
        lin.add_column()
        if ancestors:
            lin.add_row(Text("Built on", style="head"), t(" → ".join(a.id for a in ancestors)))
        if descendants:
            lin.add_row(Text("Built upon by", style="head"), t(", ".join(d.id for d in descendants)))
        parts.append(Panel(lin, title="Lineage", title_align="left"))
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


def licence_section(m: Model, registry: Registry) -> Panel:
    c = registry.commercial(m.id)
    lic = registry.license_of(m)
    body = Table.grid(padding=(0, 2))
    body.add_column(no_wrap=True)
    body.add_column()
    if lic is not None:
        body.add_row(Text("Licence", style="head"), t(f"{lic.name} ({lic.id}, {lic.license_class.value})"))
        if lic.url:
            body.add_row(Text("", style="head"), t(lic.url))
    for other_id in m.licenses[1:]:  # several licences apply
        other = registry.licenses.get(other_id)
        if other is not None:
            body.add_row(Text("and", style="head"), t(f"{other.name} ({other.id}, {other.license_class.value})"))
    line = Text()
    line.append(c.status.value, style=f"status.{c.status.value}")
    line.append(" — " + inert(c.reason.split(": ", 1)[1] if ": " in c.reason else c.reason))
    body.add_row(Text("Commercial use", style="head"), line)
    chain = Text()
    for i, s in enumerate(c.chain):
        if i:
            chain.append("\n")
        chain.append(f"{s.status.value:<11}", style=f"status.{s.status.value}")
        chain.append(inert(f" {s.model}: {'restriction: ' if s.source == 'restriction' else ''}{s.detail}"))
    body.add_row(Text("Why", style="head"), chain)
    if c.conditions:
        lines = [
            f"• {x.text}" if x.license == m.license else f"• {x.text} ({_licence_name(registry, x.license)})"
            for x in c.conditions
        ]
        body.add_row(Text("Conditions", style="head"), t("\n".join(lines)))
    if c.caveats:
        body.add_row(Text("Caveats", style="warn"), t("\n".join(f"• {x}" for x in c.caveats)))
    return Panel(body, title="Licence and commercial use", title_align="left")


def _licence_name(registry: Registry, license_id: str) -> str:
    lic = registry.licenses.get(license_id)
    return lic.name if lic else license_id


def hub_panel(hub: Mapping[str, Any]) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for key, value in hub.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        grid.add_row(Text(key, style="head"), t(value))
    return Panel(grid, title="Hugging Face Hub", title_align="left")


def licenses_table(licenses: Sequence[License], counts: Mapping[str, int]) -> Table:
    table = Table(box=None, header_style="head", pad_edge=False)
    table.add_column("ID", style="id", no_wrap=True)
    table.add_column("Name")
    table.add_column("Class")
    table.add_column("Commercial")
    table.add_column("Conditions")
    table.add_column("Models", justify="right")
    for lic in licenses:
        table.add_row(
            t(lic.id),
            t(lic.name),
            t(lic.license_class.value),
            status_text(lic.license_class.status),
            t("\n".join(f"{c.kind}: {c.text}" for c in lic.conditions)),
            t(counts.get(lic.id, 0)),
        )
    return table


def counts_tables(stats: Mapping[str, Mapping[str, Any]]) -> Group:
    parts = []
    for title, counts in stats.items():
        table = Table(title=t(title), title_justify="left", box=None, header_style="head", pad_edge=False)
        rates = bool(counts) and all(isinstance(v, Mapping) for v in counts.values())
        if rates:  # fill rates: {field: {filled, of, percent}}
            table.add_column("Field")
            for col in ("Filled", "Of", "%"):
                table.add_column(col, justify="right")
            for k, v in counts.items():
                table.add_row(t(k), t(v["filled"]), t(v["of"]), t(f"{v['percent']:.1f}"))
        else:
            table.add_column("Value")
            table.add_column("Models", justify="right")
            for k, v in counts.items():
                table.add_row(t(k), t(v))
        parts.append(table)
    return Group(*parts)


class progress_bar:
    """A rich progress bar on stderr, shown only when stderr is a terminal and the work is not tiny."""

    def __init__(self, total: int, *, label: str = "Asking the Hub", minimum: int = 6) -> None:
        self.total = total
        self.label = label
        self.minimum = minimum
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[], None]:
        console = make_console(stderr=True)
        if self.total >= self.minimum and console.is_terminal:
            from rich.progress import Progress

            self._progress = Progress(console=console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total)
        return self.tick

    def tick(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def drift_table(rows: Sequence[Any]) -> Table:
    table = Table(box=None, header_style="head", pad_edge=False)
    for col in ("ID", "Repo", "Field", "Registry", "Hub card"):
        table.add_column(col)
    for d in rows:
        table.add_row(t(d.id, "id"), t(d.repo), t(d.field), t(d.registry), t(d.hub, "warn"))
    return table
