"""Table columns for the model list: what each shows, and which ones fit a terminal. No rich here.

A table never folds an id or cuts a date: when the terminal is too narrow for every column, whole
columns drop out, lowest priority first (:data:`DROP_ORDER`). ``--columns`` (like ``ps -o``) names the
columns to show instead, in the order given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from llmcat.contextlen import Context, ContextBasis
from llmcat.errors import UsageError
from llmcat.namesize import Size
from llmcat.records import Model
from llmcat.units import format_params, format_tokens
from llmcat.views import TableRow

UNKNOWN = "?"  # the cell of a value the registry does not know
GAP = 1  # spaces between two columns
NOT_STATED = "*"  # after a context read from a config.json rather than stated (see CONTEXT_LEGEND)
CONTEXT_LEGEND = f"{NOT_STATED} context not stated: the max positions in the config.json of the model or of its base"


class Column(NamedTuple):
    key: str
    header: str
    cell: Callable[[Model, TableRow, Mapping[str, Any] | None], str]  # (model, derived facts, hub facts) -> text
    right: bool = False  # right-justified (numbers)
    cap: int | None = None  # longest cell before it is shortened with an ellipsis (None: never shortened)


def _known(text: str | None) -> str:
    return text if text else UNKNOWN


def _size(s: Size | None) -> str:
    return _known(format_params(s.billions)) if s is not None else UNKNOWN


def _context(c: Context | None) -> str:
    if c is None:
        return UNKNOWN
    return format_tokens(c.tokens) + ("" if c.basis == ContextBasis.STATED else NOT_STATED)


def _num(facts: Mapping[str, Any] | None, key: str) -> str:
    if not facts or facts.get(key) is None:
        return "-"
    return f"{facts[key]:,}"


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("id", "ID", lambda m, _s, _h: m.id),
        Column("name", "Name", lambda m, _s, _h: m.name, cap=32),
        Column("family", "Family", lambda m, _s, _h: m.family, cap=24),
        Column("org", "Org", lambda m, _s, _h: m.org, cap=14),
        Column("size", "Size", lambda _m, r, _h: _size(r.size), right=True),
        Column("context", "Context", lambda _m, r, _h: _context(r.context), right=True),
        Column("license", "Licence", lambda m, _s, _h: m.license),  # an id: whole, or the column drops
        Column("commercial", "Commercial", lambda _m, r, _h: r.status.value),
        Column("japanese", "Japanese", lambda m, _s, _h: _known(m.japanese.value if m.japanese else None)),
        Column("image", "Image", lambda m, _s, _h: "yes" if "image" in m.modalities else ""),
        Column("released", "Released", lambda m, _s, _h: _known(m.released)),
        Column("downloads", "Downloads", lambda _m, _s, h: _num(h, "downloads"), right=True),
        Column("likes", "Likes", lambda _m, _s, h: _num(h, "likes"), right=True),
    )
}
ALIASES = {"licence": "license", "params": "size", "ja": "japanese", "date": "released"}
DEFAULT = ("id", "org", "size", "context", "license", "commercial", "japanese", "image", "released")
HUB = ("downloads", "likes")
# When the terminal is too narrow, columns drop out in this order; the id never does.
DROP_ORDER = (
    "name",
    "family",
    "org",
    "likes",
    "image",
    "released",
    "context",
    "license",
    "japanese",
    "size",
    "downloads",
    "commercial",
)


def parse(values: Iterable[str]) -> tuple[str, ...]:
    """``--columns id,size --columns commercial`` -> ('id', 'size', 'commercial'); unknown names: UsageError."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            key = part.strip().lower()
            if not key:
                continue
            key = ALIASES.get(key, key)
            if key not in COLUMNS:
                raise UsageError(f"--columns: no column {part.strip()!r}; choose from {', '.join(COLUMNS)}")
            if key not in out:
                out.append(key)
    if not out:
        raise UsageError(f"--columns: name at least one column ({', '.join(COLUMNS)})")
    return tuple(out)


def cell_width(text: str) -> int:
    """Terminal cells: East Asian wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(keys: Sequence[str], rows: Sequence[Mapping[str, str]], width: int) -> tuple[str, ...]:
    """The columns of ``keys`` that fit ``width`` cells, dropping whole columns in :data:`DROP_ORDER`."""
    need = {}
    for k in keys:
        col = COLUMNS[k]
        w = max([cell_width(col.header), *(cell_width(r[k]) for r in rows)])
        need[k] = min(w, col.cap) if col.cap is not None else w
    shown = list(keys)

    def total() -> int:
        return sum(need[k] for k in shown) + GAP * (len(shown) - 1)

    for k in DROP_ORDER:
        if total() <= width:
            break
        if k in shown:
            shown.remove(k)
    return tuple(shown)
