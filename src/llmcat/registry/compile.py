"""Validation and compilation: registry files to one checked :class:`Registry`.

Each file is validated on its own (pydantic, with every problem located at its line and column),
then the files are merged in order and the cross-entry rules are checked: unique names, known
licences and bases, no lineage cycles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmcat.errors import Issue, RegistryError
from llmcat.records import License, Model, Org
from llmcat.registry.sources import Source
from llmcat.registry.store import Registry

if TYPE_CHECKING:
    from llmcat.yamlsrc import Loc


@dataclass
class Parsed:
    source: Source
    text: str | None = None  # the decoded text, read again from the source when an issue needs it
    models: list[tuple[int, Model]] = field(default_factory=list)  # (index in file, record)
    _index: dict[str, int] | None = None
    licenses: list[tuple[int, License]] = field(default_factory=list)
    _pos: dict[Loc, tuple[int, int]] | None = None
    is_json: bool = False
    # Entries that failed validation: what cross-entry checks can still use (id, license, base_model).
    partial: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)
    broken_licenses: set[str] = field(default_factory=set)
    orgs: list[tuple[int, Org]] = field(default_factory=list)

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
            text = self.text
            if text is None:
                text = self.source.data.decode("utf-8", "replace")
            self._pos = yamlsrc.positions(text, is_json=self.is_json)
        line, col = yamlsrc.locate(self._pos, loc, key=key)
        return Issue(self.source.display, line, col, _dotted(loc), message)


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _refs(item: dict[Any, Any], *names: str) -> dict[str, str | None]:
    return {n: v if isinstance(v := item.get(n), str) else None for n in names}


def filled(parsed: Parsed, spec: Any, to_record: Any) -> Parsed:
    """``parsed`` holding the records of a validated file (``spec``)."""
    parsed.models = [(i, to_record(m, parsed.source.origin)) for i, m in enumerate(spec.models)]
    parsed.licenses = [(i, ls.to_record()) for i, ls in enumerate(spec.licenses)]
    parsed.orgs = [(i, o.to_record()) for i, o in enumerate(spec.orgs)]
    return parsed


def validate_file(source: Source, issues: list[Issue]) -> Parsed | None:
    from pydantic import ValidationError

    from llmcat import yamlsrc
    from llmcat.schema import PATTERN_HELP, LicenseSpec, OrgSpec, RegistryFile, clean_message, to_record, validate_model

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
            return filled(Parsed(source, is_json=True), spec, to_record)
    try:
        text = source.data.decode("utf-8")
    except UnicodeDecodeError as e:
        issues.append(Issue(source.display, 1, 1, "", f"not UTF-8 text ({e.reason} at byte {e.start})"))
        return None
    try:
        if is_json:
            from llmcat import jsonsrc

            data = jsonsrc.load_json(text, source.display)
        else:
            data = yamlsrc.load(text, source.display)
    except RegistryError as e:
        issues.extend(e.issues)
        return None
    parsed = Parsed(source, text, is_json=is_json)
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
        # Keep the entries that are valid on their own, so cross-entry checks still run on them; of the
        # others keep what cross-entry checks need (id, licence, base), so that every kind of problem
        # is reported in one run and no entry is blamed for naming a broken one.
        models, licenses = data.get("models"), data.get("licenses")
        for i, item in enumerate(models if isinstance(models, list) else []):
            try:
                parsed.models.append((i, to_record(validate_model(item), source.origin)))
            except ValidationError:
                if isinstance(item, dict):
                    parsed.partial.append((i, _refs(item, "id", "license", "base_model")))
        for i, item in enumerate(licenses if isinstance(licenses, list) else []):
            try:
                parsed.licenses.append((i, LicenseSpec.model_validate(item).to_record()))
            except ValidationError:
                if isinstance(item, dict) and isinstance(lic_id := item.get("id"), str):
                    parsed.broken_licenses.add(lic_id)
        orgs = data.get("orgs")
        for i, item in enumerate(orgs if isinstance(orgs, list) else []):
            with contextlib.suppress(ValidationError):
                parsed.orgs.append((i, OrgSpec.model_validate(item).to_record()))
        return parsed
    return filled(parsed, spec, to_record)


Parse = Callable[[Source, list[Issue]], "Parsed | None"]


def compile_sources(
    sources: Sequence[Source],
    *,
    parse: Parse | None = None,
    notes: list[Issue] | None = None,
    counts: dict[str, tuple[int, int]] | None = None,
) -> Registry:
    """Validate every source, merge them in order, check cross-entry rules, derive statuses.

    ``parse`` validates one file (default :func:`validate_file`; the index keeps the bundled files'
    result in its cache). ``notes``, when given, receives a located note for every entry that replaces
    an entry of an earlier file (e.g. a user entry replacing a bundled one).

    A problem between two entries is reported at the entry of the later file (the user's, not the
    bundled one the user cannot change).
    """
    issues: list[Issue] = []
    parse = parse or validate_file
    parsed = [p for s in sources if (p := parse(s, issues)) is not None]
    if counts is not None:
        for p in parsed:
            counts[p.source.display] = (
                len(p.models) + len(p.partial),
                len(p.licenses) + len(p.broken_licenses),
            )

    licenses: dict[str, License] = {}
    orgs: dict[str, Org] = {}
    specs: dict[str, Model] = {}
    owner_file: dict[str, Parsed] = {}  # which file each entry comes from (its index: Parsed.index_of)
    rank: dict[int, int] = {id(p): n for n, p in enumerate(parsed)}  # later files rank higher
    for p in parsed:
        seen_here: dict[str, int] = {}
        for i, ls in p.licenses:
            if ls.id in seen_here:
                issues.append(p.issue(("licenses", i, "id"), f"duplicate licence id {ls.id!r}"))
                continue
            seen_here[ls.id] = i
            licenses[ls.id] = ls
        seen_orgs: set[str] = set()
        for i, org in p.orgs:
            if org.id in seen_orgs:
                issues.append(p.issue(("orgs", i, "id"), f"duplicate organisation id {org.id!r}"))
                continue
            seen_orgs.add(org.id)
            orgs[org.id] = org
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
            for mid in dict.fromkeys(ids):
                old = specs.pop(mid, None)  # a later file replaces the entry and moves it to the end
                if old is not None and notes is not None:
                    before = owner_file[mid].source
                    what = "bundled" if before.origin == "bundled" else f"{before.display!r}"
                    notes.append(p.issue(("models", p.index_of(mid), "id"), f"note: replaces the {what} entry {mid!r}"))
        for _, ms in p.models:
            specs.setdefault(ms.id, ms)  # within one file the first of duplicate ids stays
        owner_file.update(dict.fromkeys(ids, p))

    def where(mid: str) -> tuple[Parsed, int]:
        p = owner_file[mid]
        return p, p.index_of(mid)

    def later(a: str, b: str) -> bool:
        """Whether entry ``b`` comes from a later file than entry ``a`` (so ``b`` is the one to blame)."""
        return rank[id(owner_file[b])] > rank[id(owner_file[a])]

    # Entries and licences that failed validation still exist: naming them is not a second error. Their
    # own references are checked below, so that one run reports every kind of problem.
    broken_ids = {refs["id"] for p in parsed for _, refs in p.partial if refs["id"]}
    broken_licences = {lic for p in parsed for lic in p.broken_licenses}

    # Names people type must lead to exactly one model (case-insensitive). The loops below run over
    # every entry of possibly very big user registries: keep them to dict look-ups.
    owner: dict[str, str] = {mid.lower(): mid for mid in specs}
    repo_owner: dict[str, str] = {}
    unknown_licence: list[str] = []
    dangling: list[str] = []
    from llmcat.schema import entry_problems, ja_mismatch

    for mid, ms in specs.items():
        known_org = orgs.get(ms.org)
        if known_org is not None:  # an organisation id: the entry shows its one display name
            ms = specs[mid] = ms._replace(org=known_org.name, org_id=known_org.id)
        if (
            (ms.released is not None and len(ms.released) == 10)
            or ms.active_params_b is not None
            or ("text" not in ms.modalities)
            or ms.base_model_note is not None
            or ((ms.languages or ms.japanese is not None) and ja_mismatch(ms))
        ):
            for fld, msg in entry_problems(ms):
                p, i = where(mid)
                issues.append(p.issue(("models", i, fld) if fld else ("models", i), msg))
        for j, alias in enumerate(ms.aliases):
            key = alias.lower()
            other = owner.setdefault(key, mid)
            if other == mid:
                continue
            if other.lower() == key and later(mid, other):
                # The later file's entry took a name this (earlier) entry already uses as an alias.
                p, i = where(other)
                issues.append(p.issue(("models", i, "id"), f"id {other!r} is already an alias of {mid!r}"))
            else:
                p, i = where(mid)
                issues.append(p.issue(("models", i, "aliases", j), f"alias {alias!r} is already used by {other!r}"))
        for j, repo in enumerate(ms.hf_repos):
            other = repo_owner.setdefault(repo.lower(), mid)
            if other != mid:
                p, i = where(mid)
                issues.append(p.issue(("models", i, "hf_repos", j), f"repo {repo!r} is already listed by {other!r}"))
        if any(x not in licenses and x not in broken_licences for x in ms.all_licenses):
            unknown_licence.append(mid)
        if ms.base_model is not None and ms.base_model not in specs and ms.base_model not in broken_ids:
            dangling.append(mid)

    # Suggestions: difflib compares a name with every candidate, so ask once per distinct name and only
    # for the first few dozen names (a big machine-made file naming thousands of missing bases must not
    # cost minutes); the rest are reported without a suggestion.
    near = _Suggester()
    for mid in unknown_licence:
        p, i = where(mid)
        several = specs[mid].licenses
        for j, lic_id in enumerate(specs[mid].all_licenses):
            if lic_id in licenses or lic_id in broken_licences:
                continue
            loc: tuple[str | int, ...] = ("models", i, "license", j) if several else ("models", i, "license")
            issues.append(p.issue(loc, f"unknown licence id {lic_id!r}{near.hint(lic_id, licenses)}"))
    for mid in dangling:
        p, i = where(mid)
        base = specs[mid].base_model or ""
        hint = near.hint(base, specs) if len(specs) < 20_000 else ""
        issues.append(p.issue(("models", i, "base_model"), f"base model {base!r} is not in the registry{hint}"))

    for p in parsed:
        for i, refs in p.partial:
            lic, ref = refs["license"], refs["base_model"]
            if lic is not None and lic not in licenses and lic not in broken_licences:
                issues.append(
                    p.issue(("models", i, "license"), f"unknown licence id {lic!r}{near.hint(lic, licenses)}")
                )
            if ref is not None and ref not in specs and ref not in broken_ids:
                hint = near.hint(ref, specs) if len(specs) < 20_000 else ""
                issues.append(p.issue(("models", i, "base_model"), f"base model {ref!r} is not in the registry{hint}"))

    # Lineage cycles, in one pass (each entry is walked once). Each cycle is reported once, at an entry
    # of the latest file it passes through (the user's own), the smallest id there.
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
            newest = max(rank[id(owner_file[m])] for m in cycle)
            head = min(m for m in cycle if rank[id(owner_file[m])] == newest)
            p, i = where(head)
            k = cycle.index(head)
            loop = " -> ".join([*cycle[k:], *cycle[:k], head])
            issues.append(p.issue(("models", i, "base_model"), f"lineage cycle: {loop}"))
        for node in path:
            state[node] = 2

    if issues:
        raise RegistryError(issues)

    return Registry(specs, licenses, orgs=orgs)


class _Suggester:
    """ "Did you mean" for names that are not there, bounded: once per distinct name, for the first
    :attr:`most` distinct names only."""

    most = 50

    def __init__(self) -> None:
        self.done: dict[str, str] = {}

    def hint(self, name: str, pool: Iterable[str]) -> str:
        if name in self.done:
            return self.done[name]
        if len(self.done) >= self.most:
            return ""
        import difflib

        close = difflib.get_close_matches(name, list(pool), n=3)
        self.done[name] = hint = f"; did you mean {', '.join(close)}?" if close else ""
        return hint
