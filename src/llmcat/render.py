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
from llmcat.views import ModelView, TableRow, TableRows

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


def print_whole(console: Console, renderable: Any) -> None:
    """Print without cutting an id or a date: if even the narrowest layout (whole ids and dates, after
    the dropped columns) is wider than the terminal, lay it out that wide and let the terminal wrap
    the lines, rather than crop them."""
    from rich.measure import Measurement

    need = Measurement.get(console, console.options.update_width(10_000), renderable)
    if need.minimum > console.width:
        console.width = need.maximum
    console.print(renderable)


def t(value: object, style: str = "") -> Text:
    """A table cell: untrusted text made inert, never parsed as markup."""
    return Text("" if value is None else inert(str(value)), style=style)


def status_text(status: Status) -> Text:
    return Text(status.value, style=f"status.{status.value}")


def models_table(
    models: Sequence[Model],
    derived: TableRows,
    *,
    hub: Mapping[str, Mapping[str, Any] | None] | None = None,
    width: int | None = None,
    columns: Sequence[str] | None = None,
) -> Table:
    """The model list. ``columns`` (keys of :data:`llmcat.columns.COLUMNS`) chooses the columns; else
    the default ones (plus downloads and likes with ``hub``) that fit ``width``, dropping whole columns
    in :data:`llmcat.columns.DROP_ORDER`. An id is never folded, a date never cut."""
    from llmcat import columns as cols

    keys: Sequence[str] = columns or (cols.DEFAULT + (cols.HUB if hub is not None else ()))
    rows = [{k: cols.COLUMNS[k].cell(m, derived[m.id], hub.get(m.id) if hub else None) for k in keys} for m in models]
    if columns is None and width is not None:
        keys = cols.fit(keys, rows, width)
    # One space between columns (collapsed padding): at 80 columns that is room for one more column.
    table = Table(box=None, header_style="head", pad_edge=False, collapse_padding=True)
    for k in keys:
        c = cols.COLUMNS[k]
        whole = max([cols.cell_width(c.header), *(cols.cell_width(r[k]) for r in rows)])
        if c.cap is not None:
            table.add_column(c.header, max_width=c.cap, no_wrap=True, overflow="ellipsis")
        else:
            table.add_column(
                c.header, justify="right" if c.right else "left", no_wrap=True, min_width=whole, style=_STYLE.get(k, "")
            )
    for r in rows:
        table.add_row(*(_cell(k, r[k]) for k in keys))
    return table


def legends(table: Table) -> list[str]:
    """What the table's marks mean, for stderr: a context marked as read from a config.json."""
    from llmcat import columns as cols

    header = cols.COLUMNS["context"].header
    for column in table.columns:
        if column.header == header and any(str(c).endswith(cols.NOT_STATED) for c in column.cells):
            return [cols.CONTEXT_LEGEND]
    return []


_STYLE = {"id": "id"}


def _cell(key: str, text: str) -> Text:
    from llmcat.columns import UNKNOWN

    if key == "commercial":
        return Text(text, style=f"status.{text}")
    if text == UNKNOWN and key != "id":
        return Text(text, style="dim")
    return t(text)


def family_view(
    members: Sequence[ModelView],
    *,
    hub: Mapping[str, Mapping[str, Any] | None] | None = None,
    width: int | None = None,
) -> Group:
    """A family: its members, then why each may or may not be used commercially."""
    why = Table(box=None, header_style="head", pad_edge=False, title_justify="left")
    why.add_column("ID", style="id", no_wrap=True)
    why.add_column("Commercial use: why")
    for v in members:
        m, c = v.model, v.commercial
        line = status_text(c.status)
        line.append(" — " + inert(c.reason.split(": ", 1)[1] if ": " in c.reason else c.reason))
        if c.caveats:
            line.append(inert(f" (caveat: {'; '.join(c.caveats)})"), style="warn")
        why.add_row(t(m.id), line)
    models = [v.model for v in members]
    derived = {v.model.id: TableRow(v.commercial.status, v.context, v.size) for v in members}
    head = t(f"Family {models[0].family}: {len(models)} models", "head")
    tail = t("`llmcat show ID` explains one model in full.", "dim")
    table = models_table(models, derived, hub=hub, width=width)
    marks = [t(line, "dim") for line in legends(table)]
    return Group(head, table, *marks, Text(""), why, tail)


def brand_view(
    groups: Sequence[tuple[str, Sequence[Model]]],
    brand: str,
    derived: TableRows,
    *,
    hub: Mapping[str, Mapping[str, Any] | None] | None = None,
    width: int | None = None,
) -> Group:
    """Several families that share a name (a brand), newest family first, each with its members."""
    n = sum(len(members) for _f, members in groups)
    parts: list[Any] = [t(f"{brand}: {len(groups)} families, {n} models (newest family first)", "head")]
    marks: set[str] = set()
    for family, members in groups:
        table = models_table(members, derived, hub=hub, width=width)
        marks.update(legends(table))
        parts += [Text(""), t(f"Family {family}: {len(members)} models", "head"), table]
    parts += [t(line, "dim") for line in sorted(marks)]
    parts += [Text(""), t("`llmcat show FAMILY` says why for each member; `llmcat show ID` explains one model.", "dim")]
    return Group(*parts)


def chain_text(chain: Sequence[Any]) -> Text:
    """The steps of a commercial answer, one line each: status, then the model and why."""
    out = Text()
    for i, s in enumerate(chain):
        if i:
            out.append("\n")
        out.append(f"{s.status.value:<11}", style=f"status.{s.status.value}")
        out.append(inert(f" {s.model}: {'restriction: ' if s.source == 'restriction' else ''}{s.detail}"))
    return out


def kv(table: Table, key: str, value: Text | str | None) -> None:
    """A key-value row of a detail grid; an empty value adds no row."""
    if value is None or value == "":
        return
    table.add_row(Text(key, style="head"), value if isinstance(value, Text) else t(value))


def licenses_table(licenses: Sequence[License], counts: Mapping[str, int], *, width: int | None = None) -> Table:
    """One line per licence where the terminal allows: conditions as their short kinds (the full text is
    in `llmcat licenses ID`); the name drops out first, then the commercial status, when space is short."""
    from llmcat.columns import GAP, cell_width

    rows = [
        {
            "id": lic.id,
            "name": lic.name,
            "class": lic.license_class.value,
            "commercial": lic.license_class.status.value,
            "conditions": ", ".join(dict.fromkeys(c.kind for c in lic.conditions)),
            "models": str(counts.get(lic.id, 0)),
        }
        for lic in licenses
    ]
    headers = {"id": "ID", "name": "Name", "class": "Class", "commercial": "Commercial", "conditions": "Conditions"}
    headers["models"] = "Models"
    keys = list(headers)
    if width is not None:
        need = {k: max([cell_width(headers[k]), *(cell_width(r[k]) for r in rows)]) for k in keys}
        need["name"] = min(need["name"], 40)
        need["conditions"] = min(need["conditions"], 24)  # wraps below this, one kind per line at worst
        for k in ("name", "commercial"):
            if sum(need[x] for x in keys) + GAP * (len(keys) - 1) <= width:
                break
            keys.remove(k)
    table = Table(box=None, header_style="head", pad_edge=False, collapse_padding=True)
    for k in keys:
        if k == "id":
            table.add_column(headers[k], style="id", no_wrap=True)
        elif k == "models":
            table.add_column(headers[k], justify="right", no_wrap=True)
        elif k in ("name", "conditions"):
            table.add_column(headers[k], ratio=1 if k == "conditions" else None, overflow="fold")
        else:
            table.add_column(headers[k], no_wrap=True)
    for r in rows:
        table.add_row(*(Text(r[k], style=f"status.{r[k]}") if k == "commercial" else t(r[k]) for k in keys))
    return table


def license_detail(lic: License, models: Sequence[str]) -> Group:
    """One licence in full: its class and commercial status, every condition's text, sources, models."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")  # URLs fold rather than lose their end
    kv(grid, "ID", t(lic.id, "id"))
    kv(grid, "Name", lic.name)
    kv(grid, "SPDX", lic.spdx)
    kv(grid, "Class", lic.license_class.value)
    grid.add_row(Text("Commercial use", style="head"), status_text(lic.license_class.status))
    kv(grid, "URL", lic.url)
    kv(grid, "Sources", "\n".join(lic.sources))
    kv(grid, "Models", f"{len(models)}: {', '.join(models)}" if models else "0")
    parts: list[Any] = [Panel(grid, title=t(lic.name), title_align="left")]
    if lic.conditions:
        cond = Table.grid(padding=(0, 2))
        cond.add_column(no_wrap=True, style="head")
        cond.add_column(overflow="fold")
        for c in lic.conditions:
            cond.add_row(t(c.kind), t(c.text))
        parts.append(Panel(cond, title="Conditions", title_align="left"))
    return Group(*parts)


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
