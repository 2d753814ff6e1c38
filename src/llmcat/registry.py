"""Load, validate, compile and index the registry: the bundled files plus any user registries.

Loading has a fast path: the validated registry, with every model's derived commercial status, is
compiled to a JSON index in the cache directory, keyed by a hash of the files' content. A warm start
reads that index and never imports pydantic or parses YAML.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmcat import __version__
from llmcat.cache import atomic_write_bytes, cache_dir
from llmcat.errors import Issue, LlmcatError, RegistryError, UnknownModelError
from llmcat.records import Commercial, License, Model, Status

if TYPE_CHECKING:
    from llmcat.yamlsrc import Loc

REGISTRY_ENV = "LLMCAT_REGISTRY"
_INDEX_FORMAT = 5
_INDEX_KEEP = 8  # compiled indexes kept in the cache; older ones are pruned


# --------------------------------------------------------------------------- sources


class Source:
    """One registry file: how to name it in messages, where it came from, and its bytes (read lazily)."""

    __slots__ = ("_data", "display", "origin", "path")

    def __init__(self, display: str, data: bytes | None, origin: str, path: Path | None = None) -> None:
        self.display = display
        self.origin = origin  # "bundled" for the shipped files, else the user file's path
        self.path = path
        self._data = data

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert self.path is not None
            try:
                self._data = self.path.read_bytes()
            except OSError as e:
                raise LlmcatError(f"cannot read registry {self.display!r}: {e.strerror or e}") from None
        return self._data

    def fingerprint(self) -> str | None:
        """Size, mtime and inode of the file: a cheap stand-in for its content hash, or None."""
        if self.path is None or self._data is not None:
            return None
        try:
            st = self.path.stat()
        except OSError as e:
            raise LlmcatError(f"cannot read registry {self.display!r}: {e.strerror or e}") from None
        return f"{self.path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}"


def _bundled_path(name: str) -> Path:
    # Installed wheel: llmcat/data/NAME beside this module. Source checkout (editable install, tests):
    # the registry lives at the top-level data/. (Plain paths, not importlib.resources: llmcat is never
    # run from a zip, and the import costs start-up time.)
    here = Path(__file__).parent
    for path in (here / "data" / name, here.parent.parent / "data" / name):
        if path.is_file():
            return path
    raise LlmcatError(f"the bundled registry file {name} is missing; reinstall llmcat")


def bundled_sources() -> list[Source]:
    out = []
    for name in ("licenses.yaml", "models.yaml"):
        path = _bundled_path(name)
        out.append(Source(str(path), None, origin="bundled", path=path))
    return out


def user_source(path: Path) -> Source:
    if not path.is_file():
        reason = "no such file" if not path.exists() else "not a regular file"
        raise LlmcatError(f"cannot read registry {str(path)!r}: {reason}")
    return Source(str(path), None, origin=str(path), path=path)


def user_paths_from_env(env: Mapping[str, str] | None = None) -> list[Path]:
    """User registries named by ``$LLMCAT_REGISTRY`` (separated like PATH)."""
    value = (env if env is not None else os.environ).get(REGISTRY_ENV, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


# --------------------------------------------------------------------------- the registry


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
    ) -> None:
        self.models: ModelTable = models if isinstance(models, ModelTable) else ModelTable(models)
        self.licenses: dict[str, License] = dict(licenses)
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
    def to_index(self) -> tuple[Any, ...]:
        """Plain tuples only, so the index can be stored with marshal and rebuilt quickly."""
        rows = [m.to_row() for m in self.models.values()]
        return (
            __version__,
            tuple(lic.to_row() for lic in self.licenses.values()),
            tuple(rows),
            tuple(self._status[m] for m in self.models),
        )

    @classmethod
    def from_index(cls, index: Any) -> Registry | None:
        """Rebuild from a compiled index; None if it is not one this version wrote."""
        try:
            version, license_rows, model_rows, statuses = index
            if version != __version__:
                return None
            licenses = {row[0]: License.from_row(row) for row in license_rows}
            rows = {row[0]: row for row in model_rows}
            status = dict(zip(rows, statuses, strict=True))
            if not set(status.values()) <= _STATUS.keys():
                return None
        except (TypeError, ValueError, IndexError, KeyError):
            return None
        return cls(ModelTable(rows=rows), licenses, status)


_STATUS = {s.value: s for s in Status}

# --------------------------------------------------------------------------- loading


_MAGIC = b"LLMCATIX"


def _content_key(sources: Sequence[Source]) -> str:
    h = hashlib.sha256(f"llmcat {__version__} index {_INDEX_FORMAT}\0".encode())
    for s in sources:
        data = s.data
        h.update(f"{s.origin}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:32]


def _stat_key(sources: Sequence[Source]) -> str | None:
    prints = [s.fingerprint() for s in sources]
    if any(p is None for p in prints):
        return None
    h = hashlib.sha256(f"llmcat {__version__} stat {_INDEX_FORMAT}\0".encode())
    h.update("\n".join(p for p in prints if p).encode())
    return h.hexdigest()[:32]


def _read_index(path: Path) -> Registry | None:
    """The registry compiled at ``path``, or None if it is missing, corrupt or foreign."""
    import marshal

    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 1 + 4
    if len(blob) < head or not blob.startswith(_MAGIC) or blob[len(_MAGIC)] != _INDEX_FORMAT:
        return None
    checksum, payload = blob[len(_MAGIC) + 1 : head], blob[head:]
    if zlib.crc32(payload).to_bytes(4, "big") != checksum:
        return None  # torn or damaged: never hand it to marshal
    try:
        index = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return Registry.from_index(index)


def _write_index(path: Path, reg: Registry) -> None:
    import marshal

    payload = marshal.dumps(reg.to_index())
    blob = _MAGIC + bytes([_INDEX_FORMAT]) + zlib.crc32(payload).to_bytes(4, "big") + payload
    atomic_write_bytes(path, blob)
    _prune(path.parent, "*.idx", keep=_INDEX_KEEP)


def _prune(folder: Path, pattern: str, keep: int) -> None:
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


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
    """Validate and compile ``sources``, or reuse the index compiled from the same content.

    The index is keyed by a hash of the files' content. A stamp keyed by the files' size, mtime and
    inode remembers that hash, so an unchanged file is not even read (git's stat cache, in small).
    """
    if not use_cache:
        return compile_sources(sources)
    folder = index_dir or cache_dir() / "index"
    stat_key = _stat_key(sources)
    stamp = folder / f"{stat_key}.stamp" if stat_key else None
    if stamp is not None:
        try:
            content_key = stamp.read_text().strip()
        except OSError:
            content_key = ""
        if len(content_key) == 32:
            reg = _read_index(folder / f"{content_key}.idx")
            if reg is not None:
                return reg
    content_key = _content_key(sources)
    path = folder / f"{content_key}.idx"
    reg = _read_index(path)
    fresh = reg is None
    if reg is None:
        reg = compile_sources(sources, cache_folder=folder)
    try:
        if fresh:
            _write_index(path, reg)
        if stamp is not None:
            atomic_write_bytes(stamp, content_key.encode())
            _prune(folder, "*.stamp", keep=4 * _INDEX_KEEP)
    except OSError:
        pass  # an unwritable cache only costs speed
    return reg


# --------------------------------------------------------------------------- validation


@dataclass
class _Parsed:
    source: Source
    text: str
    models: list[tuple[int, Model]] = field(default_factory=list)  # (index in file, record)
    _index: dict[str, int] | None = None
    licenses: list[tuple[int, License]] = field(default_factory=list)
    _pos: dict[Loc, tuple[int, int]] | None = None

    def index_of(self, model_id: str) -> int:
        """The position in this file of the (first) entry with ``model_id``."""
        if self._index is None:
            self._index = {}
            for i, m in self.models:
                self._index.setdefault(m.id, i)
        return self._index[model_id]

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


def _load_json(text: str, filename: str) -> Any:
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise RegistryError([Issue(filename, e.lineno, e.colno, "", f"JSON syntax error: {e.msg}")]) from None


def _parse(source: Source, issues: list[Issue], folder: Path | None) -> _Parsed | None:
    """A source validated on its own; the bundled files' result is kept in the cache (``folder``), so
    a new or edited user registry does not make llmcat read the bundled YAML again."""
    if folder is None or source.origin != "bundled":
        return _validate_file(source, issues)
    import marshal

    h = hashlib.sha256(f"llmcat {__version__} source {_INDEX_FORMAT}\0{source.display}\0".encode())
    h.update(source.data)
    path = folder / f"{h.hexdigest()[:32]}.src"
    try:
        blob = path.read_bytes()
        if zlib.crc32(blob[4:]).to_bytes(4, "big") == blob[:4]:
            license_rows, model_rows = marshal.loads(blob[4:])
            cached = _Parsed(source, "")
            cached.licenses = [(i, License.from_row(r)) for i, r in enumerate(license_rows)]
            cached.models = [(i, Model.from_row(r)) for i, r in enumerate(model_rows)]
            return cached
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    before = len(issues)
    parsed = _validate_file(source, issues)
    if parsed is not None and len(issues) == before:
        payload = marshal.dumps(
            (tuple(lic.to_row() for _, lic in parsed.licenses), tuple(m.to_row() for _, m in parsed.models))
        )
        with contextlib.suppress(OSError):
            atomic_write_bytes(path, zlib.crc32(payload).to_bytes(4, "big") + payload)
            _prune(folder, "*.src", keep=_INDEX_KEEP)
    return parsed


def _filled(parsed: _Parsed, spec: Any, to_record: Any) -> _Parsed:
    """``parsed`` holding the records of a validated file (``spec``)."""
    parsed.models = [(i, to_record(m, parsed.source.origin)) for i, m in enumerate(spec.models)]
    parsed.licenses = [(i, ls.to_record()) for i, ls in enumerate(spec.licenses)]
    return parsed


def _validate_file(source: Source, issues: list[Issue]) -> _Parsed | None:
    from pydantic import ValidationError

    from llmcat import yamlsrc
    from llmcat.schema import PATTERN_HELP, LicenseSpec, RegistryFile, clean_message, to_record, validate_model

    # A *.json registry (JSON is YAML too) goes straight through pydantic's JSON parser: the fast path
    # for big, machine-generated registries. On any problem it falls back to the path below, which
    # reports every issue with its line and column.
    is_json = source.display.lower().endswith(".json")
    if is_json:
        try:
            spec = RegistryFile.model_validate_json(source.data)
        except ValidationError:
            pass
        else:
            return _filled(_Parsed(source, ""), spec, to_record)
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as e:
        issues.append(Issue(source.display, 1, 1, "", f"not UTF-8 text ({e.reason} at byte {e.start})"))
        return None
    try:
        data = _load_json(text, source.display) if is_json else yamlsrc.load(text, source.display)
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
        models, licenses = data.get("models"), data.get("licenses")
        for i, item in enumerate(models if isinstance(models, list) else []):
            with contextlib.suppress(ValidationError):
                parsed.models.append((i, to_record(validate_model(item), source.origin)))
        for i, item in enumerate(licenses if isinstance(licenses, list) else []):
            with contextlib.suppress(ValidationError):
                parsed.licenses.append((i, LicenseSpec.model_validate(item).to_record()))
        return parsed
    return _filled(parsed, spec, to_record)


def compile_sources(sources: Sequence[Source], *, cache_folder: Path | None = None) -> Registry:
    """Validate every source, merge them in order, check cross-entry rules, derive statuses."""
    issues: list[Issue] = []
    parsed = [p for s in sources if (p := _parse(s, issues, cache_folder)) is not None]

    licenses: dict[str, License] = {}
    specs: dict[str, Model] = {}
    owner_file: dict[str, _Parsed] = {}  # which file each entry comes from (its index: _Parsed.index_of)
    for p in parsed:
        seen_here: dict[str, int] = {}
        for i, ls in p.licenses:
            if ls.id in seen_here:
                issues.append(p.issue(("licenses", i, "id"), f"duplicate licence id {ls.id!r}"))
                continue
            seen_here[ls.id] = i
            licenses[ls.id] = ls
        ids = [ms.id for _, ms in p.models]
        if len(set(ids)) != len(ids):
            first_at: dict[str, int] = {}
            for i, mid in enumerate(ids):
                if mid in first_at:
                    first = p.issue(("models", p.models[first_at[mid]][0], "id"), "")
                    issues.append(
                        p.issue(("models", p.models[i][0], "id"), f"duplicate id {mid!r} (first at line {first.line})")
                    )
                else:
                    first_at[mid] = i
        if not specs.keys().isdisjoint(ids):
            for mid in ids:
                specs.pop(mid, None)  # a later file replaces the entry and moves it to the end
        for _, ms in p.models:
            specs.setdefault(ms.id, ms)  # within one file the first of duplicate ids stays
        owner_file.update(dict.fromkeys(ids, p))

    def where(mid: str) -> tuple[_Parsed, int]:
        p = owner_file[mid]
        return p, p.index_of(mid)

    # Names people type must lead to exactly one model (case-insensitive). The loops below run over
    # every entry of possibly very big user registries: keep them to dict look-ups.
    owner: dict[str, str] = {mid.lower(): mid for mid in specs}
    repo_owner: dict[str, str] = {}
    unknown_licence: list[str] = []
    dangling: list[str] = []
    from llmcat.schema import entry_problems

    for mid, ms in specs.items():
        if (
            (ms.released is not None and len(ms.released) == 10)
            or ms.active_params_b is not None
            or ("text" not in ms.modalities)
        ):
            for fld, msg in entry_problems(ms):
                p, i = where(mid)
                issues.append(p.issue(("models", i, fld) if fld else ("models", i), msg))
        for j, alias in enumerate(ms.aliases):
            key = alias.lower()
            other = owner.setdefault(key, mid)
            if other != mid:
                p, i = where(mid)
                issues.append(p.issue(("models", i, "aliases", j), f"alias {alias!r} is already used by {other!r}"))
        for j, repo in enumerate(ms.hf_repos):
            other = repo_owner.setdefault(repo.lower(), mid)
            if other != mid:
                p, i = where(mid)
                issues.append(p.issue(("models", i, "hf_repos", j), f"repo {repo!r} is already listed by {other!r}"))
        if ms.license not in licenses:
            unknown_licence.append(mid)
        if ms.base_model is not None and ms.base_model not in specs:
            dangling.append(mid)

    import difflib

    for mid in unknown_licence:
        p, i = where(mid)
        lic_id = specs[mid].license
        near = difflib.get_close_matches(lic_id, list(licenses), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        issues.append(p.issue(("models", i, "license"), f"unknown licence id {lic_id!r}{hint}"))
    for mid in dangling:
        p, i = where(mid)
        base = specs[mid].base_model or ""
        near = difflib.get_close_matches(base, list(specs), n=3) if len(specs) < 20_000 else []
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        issues.append(p.issue(("models", i, "base_model"), f"base model {base!r} is not in the registry{hint}"))

    # Lineage cycles, in one pass (each entry is walked once): report each cycle at its smallest id.
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    for start in specs:
        if start in state:
            continue
        path: list[str] = []
        cur: str | None = start
        while cur is not None and cur in specs and cur not in state:
            state[cur] = 1
            path.append(cur)
            cur = specs[cur].base_model
        if cur is not None and state.get(cur) == 1:
            cycle = path[path.index(cur) :]
            head = min(cycle)
            p, i = where(head)
            k = cycle.index(head)
            loop = " -> ".join([*cycle[k:], *cycle[:k], head])
            issues.append(p.issue(("models", i, "base_model"), f"lineage cycle: {loop}"))
        for node in path:
            state[node] = 2

    if issues:
        raise RegistryError(issues)

    return Registry(specs, licenses)
