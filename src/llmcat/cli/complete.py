"""Shell completion of values (``--install-completion``): model ids, family names, licence ids, tags.

Read from the compiled index, as every command is, so a completion costs one warm start. A completion
never fails: whatever goes wrong (a broken user registry, an unwritable cache) offers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import typer

_MAX = 400  # a shell offered thousands of candidates helps nobody


def _registry(ctx: typer.Context) -> Any:
    from llmcat.cli.common import load

    return load(ctx.params.get("registry") or None)


def _starting(incomplete: str, names: Iterable[str]) -> list[str]:
    low = incomplete.lower()
    return sorted({n for n in names if n.lower().startswith(low)})[:_MAX]


def _safe(values: Callable[[Any], Iterable[str]]) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            return _starting(incomplete, values(_registry(ctx)))
        except Exception:  # a completion offers nothing rather than print a traceback into the shell
            return []

    return complete


def _ids(reg: Any) -> Iterable[str]:
    return (row[0] for row in reg.rows())


def _families(reg: Any) -> Iterable[str]:
    return reg.families.keys()  # type: ignore[no-any-return]


def _tags(reg: Any) -> Iterable[str]:
    from llmcat.records import Model

    i = Model._fields.index("tags")
    return {t for row in reg.rows() for t in row[i]}


models = _safe(lambda reg: [*_ids(reg), *_families(reg)])  # a model or a family: show, why, --base, hub
families = _safe(_families)
licences = _safe(lambda reg: reg.licenses.keys())
tags = _safe(_tags)
