"""The in-memory registry: models and licences by id, derived statuses, lineage and name lookup."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from llmcat import __version__
from llmcat.records import Commercial, License, Model, Org, Status


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

        return name_table(self.models.values())

    @cached_property
    def families(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for m in self.models.values():
            out.setdefault(m.family.lower(), []).append(m.id)
        return out

    def find(self, name: str) -> Model | None:
        mid = self.names.get(name.strip().lower())
        return self.models[mid] if mid is not None else None

    def resolve(self, name: str) -> Model | list[Model]:
        """A model by id, alias or repo id; else every member of a family; else UnknownModelError."""
        from llmcat.registry.resolve import resolve

        return resolve(self, name)

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
        """Rebuild from a compiled index; None if it is not one this version wrote."""
        try:
            version, license_rows, model_rows, statuses, org_rows = index
            if version != __version__:
                return None
            licenses = {row[0]: License.from_row(row) for row in license_rows}
            orgs = {row[0]: Org._make(row) for row in org_rows}
            rows = {row[0]: row for row in model_rows}
            status = dict(zip(rows, statuses, strict=True))
            if not set(status.values()) <= _STATUS.keys():
                return None
        except (TypeError, ValueError, IndexError, KeyError):
            return None
        return cls(ModelTable(rows=rows), licenses, status, orgs=orgs)


_STATUS = {s.value: s for s in Status}
