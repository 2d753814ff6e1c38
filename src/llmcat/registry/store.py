"""The in-memory registry: models and licences by id, derived statuses, lineage and name lookup."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from llmcat import __version__
from llmcat.records import Arch, Commercial, JapaneseLevel, License, Model, Org, Status

if TYPE_CHECKING:
    from llmcat.contextlen import Context


class ModelTable(Mapping[str, Model]):
    """Models by id. From a compiled index the rows stay plain tuples until a model is asked for, so a
    query over a big registry builds only the models it keeps."""

    __slots__ = ("_built", "_rows")

    def __init__(self, models: Mapping[str, Model] | None = None, rows: dict[str, tuple[Any, ...]] | None = None):
        self._built: dict[str, Model] = dict(models) if models is not None else {}
        self._rows = rows  # None: every model is built

    def __getitem__(self, model_id: str) -> Model:
        m = self._built.get(model_id)
        if m is None:
            if self._rows is None:
                raise KeyError(model_id)
            m = self._built[model_id] = Model.from_row(self._rows[model_id])
        return m

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows if self._rows is not None else self._built)

    def __len__(self) -> int:
        return len(self._rows if self._rows is not None else self._built)

    def __contains__(self, model_id: object) -> bool:
        return model_id in (self._rows if self._rows is not None else self._built)

    def built(self) -> Mapping[str, Model]:
        """A plain dict of every model when all are built (faster to look up in), else this table."""
        return self._built if self._rows is None else self

    def rows(self) -> Iterable[tuple[Any, ...]]:
        """Every model as a tuple in Model field order (the raw index rows where there are some)."""
        return self._rows.values() if self._rows is not None else self._built.values()


class Registry:
    """Models and licences, with the derived commercial status of every model, and name lookup."""

    def __init__(
        self,
        models: Mapping[str, Model],
        licenses: Mapping[str, License],
        statuses: Mapping[str, str] | None = None,
        *,
        orgs: Mapping[str, Org] | None = None,
    ) -> None:
        self.models: ModelTable = models if isinstance(models, ModelTable) else ModelTable(models)
        self.licenses: dict[str, License] = dict(licenses)
        self.orgs: dict[str, Org] = dict(orgs or {})
        self._commercial: dict[str, Commercial] = {}
        self._facts: dict[str, Any] = {}  # licensing's per-ancestor memo
        self._context: dict[str, Context | None] = {}
        if statuses is None:  # freshly compiled: derive every model's status now, for the index
            from llmcat.licensing import status_only

            memo: dict[str, Status] = {}
            lookup = self._lookup()
            value = {s: s.value for s in Status}
            statuses = {mid: value[status_only(m, lookup, self.licenses, memo)] for mid, m in lookup.items()}
        self._status = statuses

    def __len__(self) -> int:
        return len(self.models)

    def _lookup(self) -> Mapping[str, Model]:
        return self.models.built()

    def rows(self) -> Iterable[tuple[Any, ...]]:
        """Every model as a tuple in Model field order, built or not (see :class:`ModelTable`)."""
        return self.models.rows()

    # derived facts ---------------------------------------------------------
    def status(self, model_id: str) -> Status:
        """The effective commercial status (precomputed in the compiled index)."""
        return _STATUS[self._status[model_id]]

    def commercial(self, model_id: str) -> Commercial:
        """The status with its reason, chain, conditions and caveats (derived on first use).

        Only the status is kept in the compiled index: the explanation repeats licence texts along
        every lineage, which would make the index of a big registry many times its size.
        """
        c = self._commercial.get(model_id)
        if c is None:
            from llmcat.licensing import derive

            c = derive(self.models[model_id], self._lookup(), self.licenses, self._facts)
            self._commercial[model_id] = c
        return c

    def context(self, model_id: str) -> Context | None:
        """The model's context length and its basis: stated, or from its (or its base's) config.json
        (see :mod:`llmcat.contextlen`); derived on first use."""
        if model_id not in self._context:
            from llmcat.contextlen import model_context

            self._context[model_id] = model_context(self.models[model_id], self._lookup())
        return self._context[model_id]

    def license_of(self, model: Model) -> License | None:
        return self.licenses.get(model.license)

    def ancestors(self, model: Model) -> list[Model]:
        from llmcat.licensing import lineage

        return lineage(model, self._lookup())[1:]

    @cached_property
    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for m in self.models.values():
            if m.base_model is not None:
                out.setdefault(m.base_model, []).append(m.id)
        return out

    def descendants(self, model_id: str) -> list[Model]:
        """Every model whose lineage passes through ``model_id``, breadth first."""
        out: list[Model] = []
        seen = {model_id}
        queue = deque(self.children.get(model_id, ()))
        while queue:
            mid = queue.popleft()
            if mid in seen:
                continue
            seen.add(mid)
            out.append(self.models[mid])
            queue.extend(self.children.get(mid, ()))
        return out

    # lookup (llmcat.registry.resolve) -----------------------------------------
    @cached_property
    def names(self) -> dict[str, str]:
        """Lower-cased id, alias or Hugging Face repo id -> model id (ids win over aliases over repos)."""
        from llmcat.registry.resolve import name_table

        return name_table(self.rows())

    @cached_property
    def families(self) -> dict[str, list[str]]:
        """Lower-cased family -> its model ids, in registry order."""
        out: dict[str, list[str]] = {}
        for row in self.rows():
            out.setdefault(row[_FAMILY].lower(), []).append(row[0])
        return out

    @cached_property
    def normal_tables(self) -> Any:
        """Names with case, spaces, hyphens, dots and underscores ignored; built on the first fuzzy lookup."""
        from llmcat.registry.resolve import normal_tables

        return normal_tables(self.rows())

    def find(self, name: str) -> Model | None:
        """A model by exact id, alias or repo id (case-insensitive); None if no such name."""
        mid = self.names.get(name.strip().lower())
        return self.models[mid] if mid is not None else None

    def resolve(self, name: str) -> Model | list[Model]:
        """A model; else the members of a family or brand; else UnknownModelError / AmbiguousNameError.

        Names are read as people type them: see :mod:`llmcat.registry.resolve`."""
        from llmcat.registry.resolve import resolve

        return resolve(self, name)

    def resolve_name(self, name: str) -> Any:
        """What ``name`` names, as a :class:`llmcat.registry.resolve.Resolved` (model, family or brand)."""
        from llmcat.registry.resolve import resolve_name

        return resolve_name(self, name)

    def suggest(self, name: str, n: int = 5) -> list[str]:
        from llmcat.registry.resolve import suggest

        return suggest(self, name, n)

    # compiled form -----------------------------------------------------------
    def to_index(self) -> tuple[Any, ...]:
        """Plain tuples only, so the index can be stored with marshal and rebuilt quickly."""
        rows = [m.to_row() for m in self.models.values()]
        return (
            __version__,
            tuple(lic.to_row() for lic in self.licenses.values()),
            tuple(rows),
            tuple(self._status[m] for m in self.models),
            tuple(tuple(o) for o in self.orgs.values()),
        )

    @classmethod
    def from_index(cls, index: Any) -> Registry | None:
        """Rebuild from a compiled index; None if it is not one this version wrote, or is malformed.

        The rows are checked column by column (C-speed set operations, a few ms for 100,000 rows), so a
        damaged or foreign index is a miss here rather than a TypeError when a model is built later.
        """
        try:
            version, license_rows, model_rows, statuses, org_rows = index
            if version != __version__ or not _rows_ok(model_rows, Model._fields, _MODEL_TYPES):
                return None
            if not _rows_ok(license_rows, License._fields, _LICENSE_TYPES):
                return None
            if not _rows_ok(org_rows, Org._fields, _ORG_TYPES):
                return None
            licenses = {row[0]: License.from_row(row) for row in license_rows}
            orgs = {row[0]: Org._make(row) for row in org_rows}
            rows = {row[0]: row for row in model_rows}
            status = dict(zip(rows, statuses, strict=True))
            if len(rows) != len(model_rows) or not set(status.values()) <= _STATUS.keys():
                return None
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            return None
        return cls(ModelTable(rows=rows), licenses, status, orgs=orgs)


_NONE = type(None)
_STR = frozenset({str})
_STRS = "strs"  # a tuple of strings
# The types each field of an index row may hold (see Model.to_row and License.to_row). A field added to
# Model must be added here (a test checks it); nested rows are checked by _rows_ok.
_MODEL_TYPES: dict[str, frozenset[type] | str] = {
    "id": _STR,
    "name": _STR,
    "family": _STR,
    "org": _STR,
    "license": _STR,
    "sources": _STRS,
    "aliases": _STRS,
    "released": frozenset({str, _NONE}),
    "params_b": frozenset({float, int, _NONE}),
    "active_params_b": frozenset({float, int, _NONE}),
    "architecture": frozenset({str, _NONE}),
    "context_tokens": frozenset({int, _NONE}),
    "base_model": frozenset({str, _NONE}),
    "restrictions": "restrictions",
    "languages": _STRS,
    "japanese": "japanese",
    "modalities": _STRS,
    "hf_repos": _STRS,
    "tags": _STRS,
    "description": frozenset({str, _NONE}),
    "origin": _STR,
    "gated": frozenset({bool, _NONE}),
    "config": "config",
    "org_id": frozenset({str, _NONE}),
    "licenses": _STRS,
    "base_model_note": frozenset({str, _NONE}),
    "source_copies": "pairs",
}
_ORG_TYPES: dict[str, frozenset[type] | str] = {"id": _STR, "name": _STR, "domains": _STRS, "sources": _STRS}
_LICENSE_TYPES: dict[str, frozenset[type] | str] = {
    "id": _STR,
    "name": _STR,
    "license_class": _STR,
    "spdx": frozenset({str, _NONE}),
    "conditions": "conditions",
    "url": frozenset({str, _NONE}),
    "sources": _STRS,
}


_SAMPLE = 4096


def _rows_ok(rows: Any, fields: tuple[str, ...], types: dict[str, frozenset[type] | str]) -> bool:
    """Every row a tuple with one value per field; the values of an allowed type.

    The shape of every row is checked; the types of every row of a registry up to 4,096 entries, and
    of an evenly spread sample of 4,096 rows of a bigger one (checking all 100,000 rows would cost a
    tenth of a warm start). Together with the content key and the layout the index records, that
    turns a damaged or foreign index into a miss rather than an error later on.
    """
    from itertools import chain

    if type(rows) is not tuple:
        return False
    if not rows:
        return True
    if set(map(type, rows)) != {tuple} or set(map(len, rows)) != {len(fields)}:
        return False
    sample = rows if len(rows) <= _SAMPLE else rows[:: len(rows) // _SAMPLE]
    for name, col in zip(fields, zip(*sample, strict=True), strict=True):
        allowed = types.get(name)
        if allowed is None:
            continue
        if isinstance(allowed, frozenset):
            if not set(map(type, col)) <= allowed:
                return False
            continue
        if allowed == "japanese":
            if not set(col) <= _JA_VALUES:
                return False
            continue
        if set(map(type, col)) - {tuple, _NONE} or (allowed != "config" and _NONE in set(map(type, col))):
            return False
        items = list(chain.from_iterable(c for c in col if c))
        if allowed == _STRS:
            ok = set(map(type, items)) <= _STR
        elif allowed == "restrictions":
            ok = all(
                type(r) is tuple
                and len(r) == 5
                and type(r[0]) is str
                and type(r[1]) is str
                and type(r[2]) is bool
                and r[3] in _RESTRICTION_STATUS
                and type(r[4]) in (str, _NONE)
                for r in items
            )
        elif allowed in ("conditions", "pairs"):  # (kind, text) / (source URL, copy read)
            ok = all(type(c) is tuple and len(c) == 2 and set(map(type, c)) <= _STR for c in items)
        else:  # config: an Arch row
            ok = all(len(c) == len(_ARCH_FIELDS) for c in col if c is not None) and set(map(type, items)) <= {
                str,
                int,
                bool,
                _NONE,
            }
        if not ok:
            return False
    return True


_RESTRICTION_STATUS = frozenset({None, "no", "conditional"})
_JA_VALUES = frozenset({None, *(level.value for level in JapaneseLevel)})


_STATUS = {s.value: s for s in Status}
_FAMILY = Model._fields.index("family")
_ARCH_FIELDS = Arch._fields
