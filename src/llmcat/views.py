"""Finished records of models for the views: every derived fact a renderer or formatter shows.

The core derives, the presentation presents. A renderer (``llmcat.render``) or formatter
(``llmcat.formats``) receives a :class:`ModelView` whose commercial answer, licences and lineage are
already worked out; it never calls back into the registry or the licence logic. Tables, which show
only the status and the context, receive a :class:`TableRow` per model instead: the status comes from
the compiled index (a long list costs no licence derivation), the context with its basis from
:mod:`llmcat.contextlen`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from llmcat.contextlen import Context
from llmcat.namesize import Size, size_of
from llmcat.records import Commercial, License, Model, Status

if TYPE_CHECKING:
    from llmcat.registry import Registry


class TableRow(NamedTuple):
    """What a table row shows beyond the model's own facts."""

    status: Status  # the effective commercial status
    context: Context | None  # the context length, stated or from a config.json (None: unknown)
    size: Size | None  # the parameter count, or the size in the id (None: unknown)


TableRows = Mapping[str, TableRow]  # model id -> its row's derived facts


class ModelView(NamedTuple):
    """One model with what is derived about it.

    ``licences`` are the model's own licences that the registry knows, its first (``license``) first.
    A view built with ``detail`` (for ``show``) also has what only the explanation needs: the names of
    every licence the conditions quote (a base model's licence among them) and the lineage both ways as
    ids; a listing's view leaves them empty.
    """

    model: Model
    commercial: Commercial
    licences: tuple[License, ...]
    context: Context | None = None  # stated, or from the model's or its base's config.json
    size: Size | None = None  # the recorded count, else the size in the id (then nominal)
    detail: bool = False
    licence_names: Mapping[str, str] = MappingProxyType({})
    ancestors: tuple[str, ...] = ()
    descendants: tuple[str, ...] = ()

    @property
    def licence(self) -> License | None:
        """The model's first licence, when the registry knows it."""
        first = self.licences[0] if self.licences else None
        return first if first is not None and first.id == self.model.license else None


def build(reg: Registry, m: Model, *, detail: bool = False) -> ModelView:
    """The finished record of ``m``: its commercial answer and licences, and (``detail``) the licence
    names its conditions quote and both ways of its family tree."""
    c = reg.commercial(m.id)
    licences = tuple(lic for lid in m.all_licenses if (lic := reg.licenses.get(lid)) is not None)
    context = reg.context(m.id)
    size = size_of(m.id, m.params_b)
    if not detail:
        return ModelView(m, c, licences, context, size)
    quoted = {m.license, *(x.license for x in c.conditions)}
    return ModelView(
        m,
        c,
        licences,
        context,
        size,
        detail=True,
        licence_names={lid: lic.name for lid in sorted(quoted) if (lic := reg.licenses.get(lid)) is not None},
        ancestors=tuple(a.id for a in reg.ancestors(m)),
        descendants=tuple(d.id for d in reg.descendants(m.id)),
    )


def build_all(reg: Registry, models: Iterable[Model], *, detail: bool = False) -> list[ModelView]:
    return [build(reg, m, detail=detail) for m in models]


def table_rows(reg: Registry, models: Iterable[Model]) -> dict[str, TableRow]:
    """Each model's effective commercial status (from the compiled index: no derivation) and context."""
    return {m.id: TableRow(reg.status(m.id), reg.context(m.id), size_of(m.id, m.params_b)) for m in models}
