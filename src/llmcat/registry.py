"""Load, validate, compile and index the registry: the bundled files plus any user registries.

Loading has a fast path: the validated registry, with every model's derived commercial status, is
compiled to a JSON index in the cache directory, keyed by a hash of the files' content. A warm start
reads that index and never imports pydantic or parses YAML.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmcat import __version__
from llmcat.cache import atomic_write_json, cache_dir, read_json
from llmcat.errors import Issue, LlmcatError, RegistryError, UnknownModelError
from llmcat.records import Commercial, License, Model, Status

if TYPE_CHECKING:
    from llmcat.yamlsrc import Loc

REGISTRY_ENV = "LLMCAT_REGISTRY"
_INDEX_FORMAT = 2
_INDEX_KEEP = 8  # compiled indexes kept in the cache; older ones are pruned


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class Source:
    """One registry file's bytes and how to name it in messages."""

    display: str
    data: bytes
    origin: str  # "bundled" for the shipped files, else the user file's path


def _bundled_file(name: str) -> tuple[str, bytes]:
    # Installed wheel: llmcat/data/NAME beside this module. Source checkout (editable install, tests):
    # the registry lives at the top-level data/. (Plain paths, not importlib.resources: llmcat is never
    # run from a zip, and the import costs start-up time.)
    here = Path(__file__).parent
    for path in (here / "data" / name, here.parent.parent / "data" / name):
        try:
            return str(path), path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as e:
            raise LlmcatError(f"cannot read the bundled registry file {path}: {e.strerror or e}") from None
    raise LlmcatError(f"the bundled registry file {name} is missing; reinstall llmcat")


def bundled_sources() -> list[Source]:
    return [Source(*_bundled_file(n), origin="bundled") for n in ("licenses.yaml", "models.yaml")]


def user_source(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LlmcatError(f"cannot read registry {str(path)!r}: {e.strerror or e}") from None
    return Source(str(path), data, origin=str(path))


def user_paths_from_env(env: Mapping[str, str] | None = None) -> list[Path]:
    """User registries named by ``$LLMCAT_REGISTRY`` (separated like PATH)."""
    value = (env if env is not None else os.environ).get(REGISTRY_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


# --------------------------------------------------------------------------- the registry


class Registry:
    """Models and licences, with the derived commercial status of every model, and name lookup."""

    def __init__(
        self,
        models: Mapping[str, Model],
        licenses: Mapping[str, License],
        statuses: Mapping[str, str] | None = None,
    ) -> None:
        self.models: dict[str, Model] = dict(models)
        self.licenses: dict[str, License] = dict(licenses)
        self._commercial: dict[str, Commercial] = {}
        if statuses is None:
            statuses = {mid: self.commercial(mid).status.value for mid in self.models}
        self._status = statuses

    def __len__(self) -> int:
        return len(self.models)

    def __iter__(self) -> Any:
        return iter(self.models.values())

    # derived facts ---------------------------------------------------------
    def status(self, model_id: str) -> Status:
        """The effective commercial status (precomputed in the compiled index)."""
        return Status(self._status[model_id])

    def commercial(self, model_id: str) -> Commercial:
        """The status with its reason, chain, conditions and caveats (derived on first use)."""
        c = self._commercial.get(model_id)
        if c is None:
            from llmcat.licensing import derive

            c = self._commercial[model_id] = derive(self.models[model_id], self.models, self.licenses)
        return c

    def license_of(self, model: Model) -> License | None:
        return self.licenses.get(model.license)

    def ancestors(self, model: Model) -> list[Model]:
        from llmcat.licensing import lineage

        return lineage(model, self.models)[1:]

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
        queue = list(self.children.get(model_id, ()))
        while queue:
            mid = queue.pop(0)
            if mid in seen:
                continue
            seen.add(mid)
            out.append(self.models[mid])
            queue.extend(self.children.get(mid, ()))
        return out

    # lookup ------------------------------------------------------------------
    @cached_property
    def _names(self) -> dict[str, str]:
        """Lower-cased id, alias or Hugging Face repo id -> model id (ids win over aliases over repos)."""
        names: dict[str, str] = {}
        for m in self.models.values():
            for repo in m.hf_repos:
                names.setdefault(repo.lower(), m.id)
        for m in self.models.values():
            for alias in m.aliases:
                names[alias.lower()] = m.id
        for m in self.models.values():
            names[m.id.lower()] = m.id
        return names

    @cached_property
    def families(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for m in self.models.values():
            out.setdefault(m.family.lower(), []).append(m.id)
        return out

    def find(self, name: str) -> Model | None:
        mid = self._names.get(name.strip().lower())
        return self.models[mid] if mid is not None else None

    def resolve(self, name: str) -> Model | list[Model]:
        """A model by id, alias or repo id; else every member of a family; else UnknownModelError."""
        model = self.find(name)
        if model is not None:
            return model
        members = self.families.get(name.strip().lower())
        if members:
            return [self.models[i] for i in members]
        raise UnknownModelError(name, self.suggest(name))

    def suggest(self, name: str, n: int = 5) -> list[str]:
        import difflib

        key = name.strip().lower()
        pool = list(self._names) + list(self.families)
        close = difflib.get_close_matches(key, pool, n=n, cutoff=0.6)
        if len(close) < n and len(key) >= 3:
            close += [p for p in pool if key in p and p not in close][: n - len(close)]
        out: list[str] = []
        for c in close:
            shown = self._names.get(c, c)
            if shown not in out:
                out.append(shown)
        return out[:n]

    # compiled form -----------------------------------------------------------
    def to_index(self) -> dict[str, Any]:
        return {
            "format": _INDEX_FORMAT,
            "version": __version__,
            "licenses": [lic.to_row() for lic in self.licenses.values()],
            "models": [m.to_row() for m in self.models.values()],
            "status": [self._status[m] for m in self.models],
        }

    @classmethod
    def from_index(cls, index: Any) -> Registry | None:
        """Rebuild from a compiled index; None if it is not one this version wrote."""
        try:
            if index["format"] != _INDEX_FORMAT or index["version"] != __version__:
                return None
            licenses = {row[0]: License.from_row(row) for row in index["licenses"]}
            models = {row[0]: Model.from_row(row) for row in index["models"]}
            statuses = dict(zip(models, index["status"], strict=True))
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        return cls(models, licenses, statuses)


# --------------------------------------------------------------------------- loading


def _index_key(sources: Sequence[Source]) -> str:
    h = hashlib.sha256(f"llmcat {__version__} index {_INDEX_FORMAT}\0".encode())
    for s in sources:
        h.update(f"{s.origin}\0{len(s.data)}\0".encode())
        h.update(s.data)
    return h.hexdigest()[:32]


def load_registry(
    user_paths: Iterable[Path] = (),
    *,
    use_cache: bool = True,
    index_dir: Path | None = None,
) -> Registry:
    """The bundled registry with ``user_paths`` layered on top (same id = replaced).

    Raises RegistryError listing every problem found in every file.
    """
    sources = bundled_sources() + [user_source(p) for p in user_paths]
    return load_sources(sources, use_cache=use_cache, index_dir=index_dir)


def load_sources(sources: Sequence[Source], *, use_cache: bool = True, index_dir: Path | None = None) -> Registry:
    path: Path | None = None
    if use_cache:
        path = (index_dir or cache_dir() / "index") / f"{_index_key(sources)}.json"
        index = read_json(path)
        if index is not None:
            reg = Registry.from_index(index)
            if reg is not None:
                return reg
    reg = compile_sources(sources)
    if path is not None:
        _store_index(path, reg)
    return reg


def _store_index(path: Path, reg: Registry) -> None:
    try:
        atomic_write_json(path, reg.to_index())
        olds = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in olds[_INDEX_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # an unwritable cache only costs speed


# --------------------------------------------------------------------------- validation


@dataclass
class _Parsed:
    source: Source
    text: str
    models: list[tuple[int, Any]] = field(default_factory=list)  # (index in file, ModelSpec)
    licenses: list[tuple[int, Any]] = field(default_factory=list)
    _pos: dict[Loc, tuple[int, int]] | None = None

    def issue(self, loc: Loc, message: str, *, key: bool = False) -> Issue:
        from llmcat import yamlsrc

        if self._pos is None:
            self._pos = yamlsrc.positions(self.text)
        line, col = yamlsrc.locate(self._pos, loc, key=key)
        return Issue(self.source.display, line, col, _dotted(loc), message)


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validate_file(source: Source, issues: list[Issue]) -> _Parsed | None:
    from pydantic import ValidationError

    from llmcat import yamlsrc
    from llmcat.schema import PATTERN_HELP, LicenseSpec, ModelSpec, RegistryFile, clean_message

    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as e:
        issues.append(Issue(source.display, 1, 1, "", f"not UTF-8 text ({e.reason} at byte {e.start})"))
        return None
    try:
        data = yamlsrc.load(text, source.display)
    except RegistryError as e:
        issues.extend(e.issues)
        return None
    parsed = _Parsed(source, text)
    if not isinstance(data, dict):
        issues.append(parsed.issue((), "expected a mapping with 'schema_version' and 'models' or 'licenses'"))
        return None
    try:
        spec = RegistryFile.model_validate(data)
    except ValidationError as e:
        seen: set[tuple[Any, ...]] = set()
        for err in e.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            if loc in seen:
                continue
            seen.add(loc)
            typ = err["type"]
            msg = clean_message(err["msg"])
            if typ == "string_pattern_mismatch":
                msg = PATTERN_HELP.get(str((err.get("ctx") or {}).get("pattern")), msg)
            elif typ == "extra_forbidden":
                msg = "unknown field (check the spelling; see docs/registry-format.md)"
            elif typ in {"literal_error", "enum"} and isinstance(err.get("input"), bool):
                msg += " (YAML reads unquoted yes/no/on/off as booleans: quote the value)"
            issues.append(parsed.issue(loc, msg, key=typ == "extra_forbidden"))
        # Keep the entries that are valid on their own, so cross-entry checks still run on them.
        for name, spec_cls, bucket in (
            ("models", ModelSpec, parsed.models),
            ("licenses", LicenseSpec, parsed.licenses),
        ):
            items = data.get(name)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    with contextlib.suppress(ValidationError):
                        bucket.append((i, spec_cls.model_validate(item)))
        return parsed
    parsed.models = list(enumerate(spec.models))
    parsed.licenses = list(enumerate(spec.licenses))
    return parsed


def compile_sources(sources: Sequence[Source]) -> Registry:
    """Validate every source, merge them in order, check cross-entry rules, derive statuses."""
    issues: list[Issue] = []
    parsed = [p for s in sources if (p := _validate_file(s, issues)) is not None]

    licenses: dict[str, License] = {}
    lic_where: dict[str, tuple[_Parsed, int]] = {}
    specs: dict[str, Any] = {}
    where: dict[str, tuple[_Parsed, int]] = {}
    for p in parsed:
        seen_here: dict[str, int] = {}
        for i, ls in p.licenses:
            if ls.id in seen_here:
                issues.append(p.issue(("licenses", i, "id"), f"duplicate licence id {ls.id!r}"))
                continue
            seen_here[ls.id] = i
            licenses[ls.id] = ls.to_record()
            lic_where[ls.id] = (p, i)
        seen_ids: dict[str, int] = {}
        for i, ms in p.models:
            if ms.id in seen_ids:
                first = p.issue(("models", seen_ids[ms.id], "id"), "")
                issues.append(p.issue(("models", i, "id"), f"duplicate id {ms.id!r} (first at line {first.line})"))
                continue
            seen_ids[ms.id] = i
            specs.pop(ms.id, None)  # a later file replaces the entry and moves it to the end
            specs[ms.id] = ms
            where[ms.id] = (p, i)

    # Names people type must lead to exactly one model (case-insensitive).
    owner: dict[str, str] = {mid.lower(): mid for mid in specs}
    for mid, ms in specs.items():
        p, i = where[mid]
        for j, alias in enumerate(ms.aliases):
            other = owner.get(alias.lower())
            if other is not None and other != mid:
                issues.append(p.issue(("models", i, "aliases", j), f"alias {alias!r} is already used by {other!r}"))
            else:
                owner[alias.lower()] = mid
    repo_owner: dict[str, str] = {}
    for mid, ms in specs.items():
        p, i = where[mid]
        for j, repo in enumerate(ms.hf_repos):
            other = repo_owner.get(repo.lower())
            if other is not None and other != mid:
                issues.append(p.issue(("models", i, "hf_repos", j), f"repo {repo!r} is already listed by {other!r}"))
            else:
                repo_owner[repo.lower()] = mid

    import difflib

    for mid, ms in specs.items():
        p, i = where[mid]
        if ms.license not in licenses:
            near = difflib.get_close_matches(ms.license, list(licenses), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            issues.append(p.issue(("models", i, "license"), f"unknown licence id {ms.license!r}{hint}"))
        if ms.base_model is not None and ms.base_model not in specs:
            near = difflib.get_close_matches(ms.base_model, list(specs), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            issues.append(
                p.issue(("models", i, "base_model"), f"base model {ms.base_model!r} is not in the registry{hint}")
            )

    # Lineage cycles: report each cycle once, at the entry of its smallest id.
    reported: set[str] = set()
    for start in specs:
        path: list[str] = []
        on_path: set[str] = set()
        cur: str | None = start
        while cur is not None and cur in specs and cur not in on_path:
            if cur in reported:
                break
            path.append(cur)
            on_path.add(cur)
            cur = specs[cur].base_model
        if cur is not None and cur in on_path:
            cycle = path[path.index(cur) :]
            if not reported.intersection(cycle):
                reported.update(cycle)
                head = min(cycle)
                p, i = where[head]
                k = cycle.index(head)
                loop = " -> ".join([*cycle[k:], *cycle[:k], head])
                issues.append(p.issue(("models", i, "base_model"), f"lineage cycle: {loop}"))

    if issues:
        raise RegistryError(issues)

    models = {mid: ms.to_record(origin=where[mid][0].source.origin) for mid, ms in specs.items()}
    return Registry(models, licenses)
